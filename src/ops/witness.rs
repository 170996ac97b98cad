//! `scelle witness serve|vkey|add|request`: C2SP tlog-witnesses for a case (FORMAT.md 8.7).
//!
//! A witness is enrolled in the ledger (a signed `key.enrol` of role `witness`, its cosignature
//! key): only that makes its cosignature count. Where to reach it and the size it last
//! cosigned are kept in `CASE/witnesses.json`, an unauthenticated hint: a wrong URL or size
//! only costs a refused request or one retry, never a cosignature that counts.

use crate::error::{Error, Result};
use crate::format::cosign::{now_secs, verify_cosignature, COSIGNATURE_SKEW_SECS};
use crate::format::kinds::{Body, KeyEnrol};
use crate::format::merkle::{consistency_proof, leaf_hash, Hash};
use crate::format::note::{note_key_id_alg, parse_verifier_key, ALG_COSIGNATURE_V1};
use crate::format::parts::KeyRecord;
use crate::format::state::record_public_key;
use crate::format::witness::{
    cosignature_vkey, parse_cosignature_vkey, parse_cosignatures, parse_size, AddCheckpoint,
    SIZE_CONTENT_TYPE,
};
use crate::store::case::CaseDir;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::read_all_lines;
use crate::store::witness::{post_add_checkpoint, Server, Witness};
use crate::store::{checkpoints, fsutil};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cosignature verifier key of a witness key: `NAME+KEYID+base64(0x04 ‖ key)`.
pub fn vkey(key: &LoadedKey) -> String {
    cosignature_vkey(&key.name, &key.public())
}

/// Starts a witness server for `key` on `listen`, keeping its state in `state` and cosigning
/// checkpoints signed by one of `logs` (note verifier keys, as `scelle key show` prints).
pub fn serve(key: &LoadedKey, listen: &str, state: &Path, logs: &[String]) -> Result<Server> {
    if logs.is_empty() {
        return Err(Error::input(
            "give at least one --log VERIFIER_KEY (the note verifier key of a key that signs the case's checkpoints, printed by `scelle key show`)",
        ));
    }
    let mut parsed = Vec::new();
    for l in logs {
        parsed.push(parse_verifier_key(l).ok_or_else(|| {
            Error::input(format!(
                "--log {l:?}: not a note verifier key NAME+KEYID+BASE64 (alg 0x01) whose key id matches; `scelle key show KEY.pub` prints it"
            ))
        })?);
    }
    Server::start(
        Witness {
            name: key.name.clone(),
            key: key.signing.clone(),
            logs: parsed,
            state: state.to_path_buf(),
        },
        listen,
    )
}

/// One witness in `CASE/witnesses.json` (unauthenticated).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// The submission prefix URL.
    pub url: String,
    /// The size the witness last cosigned (a hint).
    #[serde(default)]
    pub cosigned_size: u64,
}

/// The file of witness URLs and hints.
fn config_path(case: &CaseDir) -> PathBuf {
    case.root().join("witnesses.json")
}

/// Reads `witnesses.json` (missing: no witness).
pub fn read_config(case: &CaseDir) -> Result<BTreeMap<String, WitnessConfig>> {
    let p = config_path(case);
    if std::fs::symlink_metadata(&p).is_err() {
        return Ok(BTreeMap::new());
    }
    let bytes = fsutil::read_nofollow(&p, 1024 * 1024)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::input(format!(
            "{}: not a witness list ({e}); add the witnesses again with `scelle witness add`",
            p.display()
        ))
    })
}

fn write_config(case: &CaseDir, cfg: &BTreeMap<String, WitnessConfig>) -> Result<()> {
    let mut s = serde_json::to_string_pretty(cfg).map_err(|e| Error::input(e.to_string()))?;
    s.push('\n');
    fsutil::atomic_write(&config_path(case), s.as_bytes(), 0o644)
}

/// What `witness add` did.
#[derive(Debug)]
pub struct WitnessAdded {
    /// The witness's name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// The `seq` of the `key.enrol` appended and the checkpoint written, or `None` if the key
    /// was already enrolled as this witness.
    pub appended: Option<(u64, Option<PathBuf>)>,
}

fn check_url(url: &str) -> Result<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2048
        && url.len() > "https://".len()
        && url.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "{url:?}: not a witness URL; give its submission prefix, http://HOST:PORT or https://HOST/PATH"
        )))
    }
}

/// `witness add`: enrols the witness's key (role `witness`, signed by the administrator
/// `admin`) and records its URL.
pub fn add(
    case: &CaseDir,
    url: &str,
    name: &str,
    vkey: &str,
    admin: &LoadedKey,
) -> Result<WitnessAdded> {
    check_url(url)?;
    let (vname, public) = parse_cosignature_vkey(vkey).ok_or_else(|| {
        Error::input(format!(
            "--vkey {vkey:?}: not a witness cosignature verifier key NAME+KEYID+BASE64 (alg 0x04) whose key id matches; `scelle witness vkey --key W.key` prints it"
        ))
    })?;
    if vname != name {
        return Err(Error::input(format!(
            "--name {name:?}: the witness signs its cosignatures as {vname:?} (its vkey); give --name {vname}"
        )));
    }
    crate::store::keyfile::check_name(name)?;
    let lines = read_all_lines(case)?;
    let state = crate::case::proof::state_of(&lines);
    let id = crate::format::keys::key_id(&public);
    let already = state.keys.iter().find(|k| k.record.name == name);
    let appended = match already {
        Some(k) if k.record.id == id && k.revoked_at.is_none() => None,
        Some(k) => {
            return Err(Error::input(format!(
                "--name {name:?}: that name is already enrolled for key {} (another key, or revoked); nothing changed",
                k.record.id
            )))
        }
        None => {
            let body = Body::KeyEnrol(KeyEnrol {
                key: KeyRecord {
                    id,
                    name: name.to_string(),
                    role: Some("witness".into()),
                    public_key: crate::format::encoding::b64(public.as_bytes()),
                    full_name: None,
                },
            });
            let mut app = crate::case::appender::open_appender(case, admin)?;
            let entry = app.append(&body, admin, crate::format::time::now_utc())?;
            Some((entry.seq, app.finish(admin)?))
        }
    };
    let _lock = case.lock()?;
    let mut cfg = read_config(case).unwrap_or_default();
    cfg.insert(
        name.to_string(),
        WitnessConfig {
            url: url.to_string(),
            cosigned_size: 0,
        },
    );
    write_config(case, &cfg)?;
    Ok(WitnessAdded {
        name: name.to_string(),
        url: url.to_string(),
        appended,
    })
}

/// What one witness answered.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum WitnessResult {
    /// It cosigned `size` at `time`; the line was added to `file`.
    Cosigned {
        /// The tree size cosigned.
        size: u64,
        /// The cosignature's time.
        time: u64,
        /// The checkpoint file that carries it.
        file: String,
    },
    /// It has cosigned a larger tree than the ledger holds: the case was cut back.
    Rollback {
        /// The size the witness says it cosigned.
        witness_size: u64,
        /// The ledger's size.
        ledger_size: u64,
    },
    /// It has cosigned a tree head that this case does not extend (another root at its size,
    /// or a consistency proof from it that fails): the case was rewritten, or forked.
    Fork {
        /// The size of the witness's checkpoint.
        witness_size: u64,
        /// The ledger's size.
        ledger_size: u64,
    },
    /// No cosignature (unreachable, refused, a bad answer).
    Failed {
        /// Why.
        reason: String,
    },
}

/// What `witness request` did, per witness.
#[derive(Debug, Default)]
pub struct Requested {
    /// (name, result), in name order.
    pub results: Vec<(String, WitnessResult)>,
}

impl Requested {
    /// Whether a witness reported a rollback or a fork.
    pub fn rollback(&self) -> bool {
        self.results.iter().any(|r| {
            matches!(
                r.1,
                WitnessResult::Rollback { .. } | WitnessResult::Fork { .. }
            )
        })
    }
}

/// `witness request`: asks each witness named (all in `witnesses.json` if none) to cosign the
/// latest checkpoint.
pub fn request(case: &CaseDir, names: &[String]) -> Result<Requested> {
    let mut cfg = read_config(case)?;
    for n in names {
        if !cfg.contains_key(n) {
            return Err(Error::input(format!(
                "{n:?}: no such witness in {}; add it with `scelle witness add`",
                config_path(case).display()
            )));
        }
    }
    let lines = read_all_lines(case)?;
    let state = crate::case::proof::state_of(&lines);
    let latest = checkpoints::latest(case, &state)?;
    let size = latest.checkpoint.size;
    let leaves: Vec<Hash> = lines
        .iter()
        .take(size as usize)
        .map(|l| leaf_hash(l))
        .collect();
    let mut out = Requested::default();
    for (name, w) in cfg.iter_mut() {
        if !names.is_empty() && !names.contains(name) {
            continue;
        }
        let r = ask(case, &state, &latest, &leaves, lines.len() as u64, name, w);
        if let WitnessResult::Cosigned { size, .. } = r {
            w.cosigned_size = size;
        }
        out.results.push((name.clone(), r));
    }
    let _lock = case.lock()?;
    // Keep the hints; a failure to write them loses nothing that counts.
    let mut now = read_config(case).unwrap_or_default();
    for (n, w) in cfg {
        if let Some(x) = now.get_mut(&n) {
            x.cosigned_size = w.cosigned_size;
        }
    }
    let _ = write_config(case, &now);
    Ok(out)
}

fn ask(
    case: &CaseDir,
    state: &crate::format::state::ChainState,
    latest: &checkpoints::StoredCheckpoint,
    leaves: &[Hash],
    ledger_size: u64,
    name: &str,
    w: &mut WitnessConfig,
) -> WitnessResult {
    let fail = |reason: String| WitnessResult::Failed { reason };
    let Some(pk) = state
        .keys
        .iter()
        .find(|k| k.record.name == name && k.revoked_at.is_none())
        .and_then(|k| record_public_key(&k.record))
    else {
        return fail(format!(
            "{name} is not an enrolled, unrevoked key of the case: its cosignature would not count; enrol it with `scelle witness add`"
        ));
    };
    let size = latest.checkpoint.size;
    let mut old = if (1..=size).contains(&w.cosigned_size) {
        w.cosigned_size
    } else {
        0
    };
    for attempt in 0..2 {
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            consistency_proof(leaves, old as usize).unwrap_or_default()
        };
        let body = AddCheckpoint {
            old,
            proof,
            note: latest.note.encode(),
        }
        .encode();
        let reply = match post_add_checkpoint(&w.url, &body) {
            Ok(r) => r,
            Err(e) => return fail(format!("{}: not reached: {e}", w.url)),
        };
        match reply.status {
            200 => return take_cosignature(case, latest, name, &pk, &reply.body),
            409 => {
                if !reply.content_type.starts_with(SIZE_CONTENT_TYPE) {
                    return fail(format!(
                        "409 without a {SIZE_CONTENT_TYPE} body (the root it holds for size {old} differs: a fork)"
                    ));
                }
                let known = match parse_size(&reply.body) {
                    Ok(k) => k,
                    Err(e) => return fail(format!("409: {e}")),
                };
                if known > ledger_size {
                    return WitnessResult::Rollback {
                        witness_size: known,
                        ledger_size,
                    };
                }
                w.cosigned_size = known;
                if known == old {
                    // The old size was its own: it holds another root at that size.
                    return WitnessResult::Fork {
                        witness_size: known,
                        ledger_size,
                    };
                }
                if attempt == 1 || known > size {
                    return fail(format!(
                        "409: it holds size {known} and refused old size {old}"
                    ));
                }
                old = known;
            }
            422 if old > 0 => {
                return WitnessResult::Fork {
                    witness_size: old,
                    ledger_size,
                }
            }
            s => {
                let text = String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)])
                    .trim_end()
                    .to_string();
                return fail(format!("refused with HTTP {s}: {text}"));
            }
        }
    }
    fail("no cosignature after a retry".into())
}

fn take_cosignature(
    case: &CaseDir,
    latest: &checkpoints::StoredCheckpoint,
    name: &str,
    pk: &ed25519_dalek::VerifyingKey,
    body: &[u8],
) -> WitnessResult {
    let fail = |reason: String| WitnessResult::Failed { reason };
    let sigs = match parse_cosignatures(body) {
        Ok(s) => s,
        Err(e) => return fail(format!("200: {e}")),
    };
    let id = note_key_id_alg(name, pk, ALG_COSIGNATURE_V1);
    let now = now_secs();
    let Some((line, time)) = sigs
        .iter()
        .filter(|s| s.name == name && s.key_id == id)
        .find_map(|s| verify_cosignature(s, &latest.note.text, pk).map(|t| (s.clone(), t)))
    else {
        return fail("200, but no cosignature by the enrolled witness key verifies".into());
    };
    if time > now.saturating_add(COSIGNATURE_SKEW_SECS) {
        return fail(format!(
            "its cosignature is dated {time}, in the future: not kept"
        ));
    }
    let r = (|| -> Result<()> {
        let _lock = case.lock()?;
        let mut stored = checkpoints::read_in_case(&latest.path)?;
        if stored.note.text != latest.note.text {
            return Err(Error::input(format!(
                "{}: changed while the witness was asked",
                latest.path.display()
            )));
        }
        stored
            .note
            .signatures
            .retain(|s| !(s.name == line.name && s.key_id == line.key_id));
        stored.note.signatures.push(line.clone());
        fsutil::atomic_write(&latest.path, stored.note.encode().as_bytes(), 0o644)
    })();
    match r {
        Ok(()) => WitnessResult::Cosigned {
            size: latest.checkpoint.size,
            time,
            file: latest.path.display().to_string(),
        },
        Err(e) => fail(format!("the cosignature was not stored: {e}")),
    }
}

/// After an appending command: asks every configured witness to cosign the new checkpoint.
/// Returns the warnings to print (a witness down, a refusal, a rollback); never an error: the
/// entries are appended whatever the witnesses say.
pub fn after_append(case: &CaseDir) -> Vec<String> {
    match read_config(case) {
        Ok(c) if c.is_empty() => Vec::new(),
        Err(e) => vec![format!("witnesses not asked: {e}")],
        Ok(_) => match request(case, &[]) {
            Err(e) => vec![format!("witnesses not asked: {e}")],
            Ok(r) => r
                .results
                .iter()
                .filter_map(|(n, r)| match r {
                    WitnessResult::Cosigned { .. } => None,
                    other => Some(format!("witness {n}: {}", describe(other))),
                })
                .collect(),
        },
    }
}

/// One result in words.
pub fn describe(r: &WitnessResult) -> String {
    match r {
        WitnessResult::Cosigned { size, time, file } => {
            let at = i64::try_from(*time)
                .ok()
                .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
                .map(crate::format::time::format_utc)
                .unwrap_or_else(|| time.to_string());
            format!("cosigned tree size {size} at {at} ({file})")
        }
        WitnessResult::Rollback {
            witness_size,
            ledger_size,
        } => format!(
            "ROLLBACK: the witness has cosigned tree size {witness_size}, but the ledger holds {ledger_size} entries: the case was cut back (or replaced) since"
        ),
        WitnessResult::Fork {
            witness_size,
            ledger_size,
        } => format!(
            "FORK: the witness has cosigned a tree head of size {witness_size} that this ledger ({ledger_size} entries) does not extend: the case was rewritten, or shown to someone in another version"
        ),
        WitnessResult::Failed { reason } => format!("no cosignature: {reason}"),
    }
}
