//! Custody and key lifecycle: enrol, revoke and rotate keys; release, accept (with re-hash),
//! open, re-seal, note and dispose of exhibits; an exhibit's timeline. Every rule is enforced
//! by the chain state machine (`format::chain`) before anything is written, so a refused
//! action leaves the case unchanged, and `verify` applies the very same rules.

use crate::case::exhibit::seal_record;
use crate::case::presign::{read_checked, KeyBook};
use crate::error::{Error, Result};
use crate::format::body::{
    Accept, Body, Dispose, KeyEnrol, KeyRecord, KeyRevoke, KeyRotate, NoteBody, Open, Recheck,
    Release, Reseal, Seal,
};
use crate::format::chain::{ChainState, Custody, CustodyStatus};
use crate::format::encoding::b64;
use crate::format::entry::Entry;
use crate::format::keys::key_id;
use crate::store::case::CaseDir;
use crate::store::hashing::Progress;
use crate::store::keyfile::{self, LoadedKey};
use crate::store::ledger::{self, Appender, RawLine};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What an appending custody command wrote.
#[derive(Debug)]
pub struct Appended {
    /// The entries, in order.
    pub entries: Vec<Entry>,
    /// The checkpoint signed after them.
    pub checkpoint: Option<PathBuf>,
}

/// Appends entries (already built) signed by `key`, then the checkpoint. The ledger must have
/// its `case.open` already.
fn append(case: &CaseDir, key: &LoadedKey, items: Vec<Body>) -> Result<Appended> {
    let mut app = Appender::open(case, key)?;
    if app.state().size == 0 {
        return Err(Error::input(format!(
            "{}: the ledger is empty; seal an artifact first",
            case.ledger().display()
        )));
    }
    let mut entries = Vec::new();
    for body in &items {
        entries.push(app.append(body, key, crate::format::time::now_utc())?);
    }
    let checkpoint = app.finish(key)?;
    Ok(Appended {
        entries,
        checkpoint,
    })
}

/// Resolves a key given by id (16 hex digits) or by name to an enrolled key id.
pub fn resolve_key(state: &ChainState, reference: &str) -> Result<String> {
    if let Some(k) = state.key(reference) {
        return Ok(k.record.id.clone());
    }
    let named: Vec<_> = state
        .keys
        .iter()
        .filter(|k| k.record.name == reference && k.revoked_at.is_none())
        .collect();
    match named.as_slice() {
        [k] => Ok(k.record.id.clone()),
        _ => Err(Error::input(format!(
            "{reference:?} is neither the id nor the name of an enrolled key; `scelle key list` shows them"
        ))),
    }
}

fn load_record(path: &Path, name: Option<&str>, role: Option<&str>) -> Result<KeyRecord> {
    let p = keyfile::load_public_key(path)?;
    let name = name.map(str::to_string).unwrap_or(p.name);
    keyfile::check_name(&name)?;
    Ok(KeyRecord {
        id: key_id(&p.public),
        name,
        role: role.map(str::to_string).or(p.role),
        public_key: b64(p.public.as_bytes()),
        full_name: None,
    })
}

/// `key enrol`: the administrator enrols a public key under a name and role, and the full
/// name of its holder if given (`--full-name`).
pub fn enrol(
    case: &CaseDir,
    public: &Path,
    name: &str,
    role: &str,
    full: Option<&str>,
    admin: &LoadedKey,
) -> Result<Appended> {
    let key = KeyRecord {
        full_name: crate::case::appender::full_name(full)?,
        ..load_record(public, Some(name), Some(role))?
    };
    append(case, admin, vec![Body::KeyEnrol(KeyEnrol { key })])
}

/// `key revoke`: the administrator revokes a key (by id or name).
pub fn revoke(case: &CaseDir, key: &str, reason: &str, admin: &LoadedKey) -> Result<Appended> {
    let state = ledger::trusted_state(case, admin)?;
    let id = resolve_key(&state, key)?;
    append(
        case,
        admin,
        vec![Body::KeyRevoke(KeyRevoke {
            key: id,
            reason: reason.into(),
        })],
    )
}

/// `key rotate`: the old key hands over to `new_public`, keeping its name, role and the full
/// name of its holder (the same person: documents keep naming them after the rotation).
pub fn rotate(case: &CaseDir, old: &LoadedKey, new_public: &Path) -> Result<Appended> {
    let state = ledger::trusted_state(case, old)?;
    let current = state.key(&old.id()).ok_or_else(|| {
        Error::input(format!(
            "{}: this key is not enrolled in the case",
            old.path.display()
        ))
    })?;
    let new = KeyRecord {
        full_name: current.record.full_name.clone(),
        ..load_record(
            new_public,
            Some(&current.record.name),
            current.record.role.as_deref(),
        )?
    };
    append(
        case,
        old,
        vec![Body::KeyRotate(KeyRotate { old: old.id(), new })],
    )
}

/// The keys of the case and their lifecycle.
pub fn list_keys(case: &CaseDir) -> Result<Vec<crate::format::chain::EnrolledKey>> {
    Ok(ledger::current_head(case)?.keys)
}

/// Details of a release.
#[derive(Debug, Clone, Default)]
pub struct ReleaseDetails {
    /// Receiver: key id or name.
    pub to: String,
    /// Why.
    pub purpose: String,
    /// Packaging and transport.
    pub packaging: Option<String>,
    /// Seal condition at release.
    pub seal_condition: Option<String>,
    /// From where.
    pub location: Option<String>,
    /// Legal authority.
    pub authority: Option<String>,
}

/// `release`: the holder releases exhibits to a receiver.
pub fn release(
    case: &CaseDir,
    exhibits: &[String],
    d: &ReleaseDetails,
    key: &LoadedKey,
) -> Result<Appended> {
    let state = ledger::trusted_state(case, key)?;
    let body = Release {
        exhibits: crate::case::exhibit::resolve_all(&state, exhibits)?,
        to: resolve_key(&state, &d.to)?,
        purpose: d.purpose.clone(),
        packaging: d.packaging.clone(),
        seal_condition: d.seal_condition.clone(),
        location: d.location.clone(),
        authority: d.authority.clone(),
    };
    append(case, key, vec![Body::Release(body)])
}

/// Re-hashes an exhibit at `path` (default: its sealed path) against its seal record.
/// `root` is the case directory (its member files).
pub fn recheck(root: &Path, seal: &Seal, path: Option<&Path>, progress: Progress) -> Recheck {
    let path = path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(&seal.artifact.path_resolved));
    let (found, findings) = crate::case::verify::compare_artifact(root, seal, &path, progress);
    Recheck {
        exhibit: seal.exhibit.clone(),
        path: path.display().to_string(),
        sha256: found.map(|a| a.hashes.sha256).unwrap_or_default(),
        matches: findings.is_empty(),
        discrepancies: findings.into_iter().map(|f| f.message).collect(),
    }
}

fn custody_of<'a>(state: &'a ChainState, ex: &str) -> Result<&'a Custody> {
    state.custody.get(ex).ok_or_else(|| {
        Error::input(format!(
            "exhibit {ex} does not exist in this case; `scelle log` lists them"
        ))
    })
}

/// Details of an acceptance.
#[derive(Debug, Clone, Default)]
pub struct AcceptDetails {
    /// Seal condition at receipt.
    pub seal_condition: Option<String>,
    /// Where received.
    pub location: Option<String>,
    /// Where the receiver's copy of an exhibit is, when not at its sealed path.
    pub paths: BTreeMap<String, PathBuf>,
}

/// `accept`: the receiver re-hashes each exhibit, then signs its acceptance (one entry per
/// release). Discrepancies are recorded in the entry, never hidden; see [`Appended`] and the
/// rechecks returned.
pub fn accept(
    case: &CaseDir,
    exhibits: &[String],
    d: &AcceptDetails,
    key: &LoadedKey,
    progress: Progress,
) -> Result<(Appended, Vec<Recheck>)> {
    let state = ledger::trusted_state(case, key)?;
    if exhibits.is_empty() {
        return Err(Error::input("name at least one exhibit to accept"));
    }
    let exhibits = &crate::case::exhibit::resolve_all(&state, exhibits)?;
    let paths = crate::case::exhibit::resolve_paths(&state, &d.paths)?;
    for ex in paths.keys() {
        if !exhibits.contains(ex) {
            return Err(Error::input(format!(
                "--path names {ex}, which is not being accepted"
            )));
        }
    }
    let mut by_release: BTreeMap<u64, Vec<Recheck>> = BTreeMap::new();
    let mut all = Vec::new();
    for ex in exhibits {
        let c = custody_of(&state, ex)?;
        let CustodyStatus::InTransit { to, release } = &c.status else {
            return Err(Error::input(format!(
                "exhibit {ex} is not in transit; nothing to accept"
            )));
        };
        if *to != key.id() {
            return Err(Error::input(format!(
                "exhibit {ex} was released to {}, not to {}",
                state.who(to),
                state.who(&key.id())
            )));
        }
        let seal = seal_record(case, c)?;
        let r = recheck(
            case.root(),
            &seal,
            paths.get(ex).map(PathBuf::as_path),
            progress,
        );
        all.push(r.clone());
        by_release.entry(*release).or_default().push(r);
    }
    let items = by_release
        .into_iter()
        .map(|(release, received)| {
            let body = Accept {
                release,
                received,
                seal_condition: d.seal_condition.clone(),
                location: d.location.clone(),
            };
            Body::Accept(body)
        })
        .collect();
    Ok((append(case, key, items)?, all))
}

/// Who was present, where, and the state of the seal, at an opening or a re-sealing
/// (CPP art. 163, LECrim 338: the persons present are named in the record).
#[derive(Debug, Clone, Default)]
pub struct Circumstances {
    /// Persons present.
    pub present: Vec<String>,
    /// Where.
    pub location: Option<String>,
    /// State of the seal: before opening (`open`), of the new seal (`reseal`).
    pub seal_condition: Option<String>,
}

/// `open`: the holder opens a sealed exhibit for examination.
pub fn open(
    case: &CaseDir,
    exhibit: &str,
    operations: &str,
    how: &Circumstances,
    key: &LoadedKey,
) -> Result<Appended> {
    let state = ledger::trusted_state(case, key)?;
    let exhibit = crate::case::exhibit::resolve(&state, exhibit)?;
    let exhibit = exhibit.as_str();
    let c = custody_of(&state, exhibit)?;
    let body = Open {
        exhibit: exhibit.to_string(),
        seal_no: c.seal_no.clone(),
        seal_condition: how.seal_condition.clone(),
        operations: operations.to_string(),
        present: how.present.clone(),
        location: how.location.clone(),
    };
    append(case, key, vec![Body::Open(body)])
}

/// `reseal`: the holder re-hashes the opened exhibit and seals it under a new number.
pub fn reseal(
    case: &CaseDir,
    exhibit: &str,
    new_seal_no: &str,
    path: Option<&Path>,
    how: &Circumstances,
    key: &LoadedKey,
    progress: Progress,
) -> Result<(Appended, Recheck)> {
    let state = ledger::trusted_state(case, key)?;
    let exhibit = crate::case::exhibit::resolve(&state, exhibit)?;
    let exhibit = exhibit.as_str();
    let c = custody_of(&state, exhibit)?;
    if !matches!(c.status, CustodyStatus::Opened { .. }) {
        return Err(Error::input(format!(
            "exhibit {exhibit} is not opened; open it before re-sealing"
        )));
    }
    let seal = seal_record(case, c)?;
    let r = recheck(case.root(), &seal, path, progress);
    let body = Reseal {
        exhibit: exhibit.to_string(),
        new_seal_no: new_seal_no.to_string(),
        recheck: r.clone(),
        present: how.present.clone(),
        location: how.location.clone(),
        seal_condition: how.seal_condition.clone(),
    };
    Ok((append(case, key, vec![Body::Reseal(body)])?, r))
}

/// `note`: a signed note about an exhibit or the case.
pub fn note(
    case: &CaseDir,
    exhibit: Option<&str>,
    text: &str,
    key: &LoadedKey,
) -> Result<Appended> {
    if text.trim().is_empty() {
        return Err(Error::input("the note is empty"));
    }
    let exhibit = match exhibit {
        Some(t) => Some(crate::case::exhibit::resolve_for_append(case, key, t)?),
        None => None,
    };
    let body = NoteBody {
        exhibit,
        text: text.to_string(),
    };
    append(case, key, vec![Body::Note(body)])
}

/// `dispose`: the holder disposes of an exhibit.
pub fn dispose(
    case: &CaseDir,
    exhibit: &str,
    how: &str,
    authority: &str,
    key: &LoadedKey,
) -> Result<Appended> {
    let body = Dispose {
        exhibit: crate::case::exhibit::resolve_for_append(case, key, exhibit)?,
        how: how.to_string(),
        authority: authority.to_string(),
    };
    append(case, key, vec![Body::Dispose(body)])
}

/// One event in an exhibit's custody timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    /// Entry.
    pub seq: u64,
    /// UTC time.
    pub time: String,
    /// Entry kind.
    pub kind: String,
    /// Who signed it.
    pub by: String,
    /// What happened.
    pub summary: String,
    /// Holder after the event.
    pub holder: String,
    /// State after the event: sealed, in-transit, opened, disposed.
    pub state: String,
}

/// What an exhibit's seal recorded, as `show` prints it (its members aside).
#[derive(Debug, Clone, Serialize)]
pub struct SealedRecord {
    /// The seal's description.
    pub description: Option<String>,
    /// The device or item as found.
    pub item: Option<crate::format::body::Item>,
    /// How, when, where and by whom it was acquired.
    pub acquisition: Option<crate::format::body::Acquisition>,
    /// The artifact's kind.
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
    /// Regular files in it (folder, tar, zip).
    pub files: Option<u64>,
    /// Its path when sealed.
    pub path: String,
    /// Its digests as sealed.
    pub hashes: crate::format::body::Hashes,
    /// The acquisition tool's hashes of the source against the sealed ones.
    pub source_hashes: Vec<crate::format::body::SourceHashCheck>,
}

/// A seal number an exhibit bore, from the entry that gave it.
#[derive(Debug, Clone, Serialize)]
pub struct SealNumber {
    /// The number.
    pub seal_no: String,
    /// The entry (`seal` or `reseal`).
    pub seq: u64,
    /// Its time, UTC.
    pub time: String,
}

/// An exhibit's custody timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// The exhibit.
    pub exhibit: String,
    /// Current seal number.
    pub seal_no: Option<String>,
    /// Current holder.
    pub holder: String,
    /// Current state.
    pub state: String,
    /// The sealed artifact's kind, path and SHA-256.
    pub artifact: String,
    /// What its seal recorded.
    pub sealed: Option<SealedRecord>,
    /// Every seal number it bore, in order (the last is the current one).
    pub seal_numbers: Vec<SealNumber>,
    /// Every event, in ledger order.
    pub events: Vec<TimelineEvent>,
}

/// `show`: who held the exhibit when, from the whole ledger.
pub fn show(case: &CaseDir, exhibit: &str) -> Result<Timeline> {
    let exhibit = crate::case::exhibit::resolve(&ledger::current_state(case)?, exhibit)?;
    let exhibit = exhibit.as_str();
    let mut state = ChainState::new();
    let mut events = Vec::new();
    let mut artifact = String::new();
    let mut sealed = None;
    let mut seal_numbers = Vec::new();
    // The chain is checked as `log` checks it, signatures on every core ([`read_checked`]);
    // the listing stops at a torn or overlong line.
    let book = KeyBook::default();
    let mut stopped = false;
    read_checked(&case.ledger(), &book, |raw, verdict| {
        if stopped {
            return Ok(());
        }
        let RawLine::Line { bytes, .. } = raw else {
            stopped = true;
            return Ok(());
        };
        let applied = book.apply(&mut state, &std::sync::Arc::new(bytes), verdict.as_ref());
        let (Some(e), Some(body)) = (applied.entry, applied.body) else {
            return Ok(());
        };
        if !body.exhibits().contains(&exhibit) {
            return Ok(());
        }
        if let Body::Seal(s) = &body {
            artifact = format!(
                "{} {} sha256 {}",
                s.artifact.kind, s.artifact.path_resolved, s.artifact.hashes.sha256
            );
            sealed = Some(SealedRecord {
                description: s.description.clone(),
                item: s.item.clone(),
                acquisition: s.acquisition.clone(),
                kind: s.artifact.kind.clone(),
                size: s.artifact.size,
                files: s.artifact.file_count,
                path: s.artifact.path_resolved.clone(),
                hashes: s.artifact.hashes.clone(),
                source_hashes: s
                    .acquisition
                    .as_ref()
                    .map(|a| a.source_hash_checks(&s.artifact.hashes))
                    .unwrap_or_default(),
            });
        }
        let numbered = match &body {
            Body::Seal(s) => s.seal_no.clone(),
            Body::Reseal(r) => Some(r.new_seal_no.clone()),
            _ => None,
        };
        if let Some(seal_no) = numbered {
            seal_numbers.push(SealNumber {
                seal_no,
                seq: e.seq,
                time: e.time.clone(),
            });
        }
        let summary = body.summary(&state);
        let (holder, st) = match state.custody.get(exhibit) {
            Some(c) => (state.person(&c.holder), c.status.name().to_string()),
            None => (String::new(), String::new()),
        };
        let refused = applied
            .findings
            .iter()
            .any(|f| f.severity == crate::format::chain::Severity::Error);
        events.push(TimelineEvent {
            seq: e.seq,
            time: e.time.clone(),
            kind: e.kind.clone(),
            by: state.person(&e.key),
            summary: if refused {
                format!("{summary} [INVALID: see `scelle verify`]")
            } else {
                summary
            },
            holder,
            state: st,
        });
        Ok(())
    })?;
    let c = state.custody.get(exhibit).ok_or_else(|| {
        Error::input(format!(
            "exhibit {exhibit} does not exist in this case; `scelle log` lists them"
        ))
    })?;
    Ok(Timeline {
        exhibit: exhibit.to_string(),
        seal_no: c.seal_no.clone(),
        holder: state.person(&c.holder),
        state: c.status.name().to_string(),
        artifact,
        sealed,
        seal_numbers,
        events,
    })
}

/// The exhibit ids of the case, in the order `exhibits` lists them (`scelle exhibits --ids`,
/// what the shell completions offer): the keys of the state replayed from the verified
/// ledger, each the `E-NNNN` the replay itself assigned to a seal.
pub fn exhibit_ids(case: &CaseDir) -> Result<Vec<String>> {
    Ok(ledger::current_state(case)?.custody.into_keys().collect())
}

/// One exhibit of `scelle exhibits`.
#[derive(Debug, Clone, Serialize)]
pub struct ExhibitRow {
    /// Its id.
    pub exhibit: String,
    /// Its current seal number.
    pub seal_no: Option<String>,
    /// Its state: sealed, in-transit, opened, disposed.
    pub state: String,
    /// Who holds it (for one in transit, who released it).
    pub holder: String,
    /// The sealed artifact's kind.
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 as sealed.
    pub sha256: String,
    /// Its path when sealed.
    pub path: String,
    /// Regular files in it (folder, tar, zip).
    pub files: Option<u64>,
    /// The seal's description, if any.
    pub description: Option<String>,
}

/// `exhibits`: every exhibit of the case, in exhibit order, with its current seal number,
/// state and holder and what was sealed (one read of each seal's line).
pub fn exhibits(case: &CaseDir) -> Result<Vec<ExhibitRow>> {
    let state = ledger::current_state(case)?;
    let mut rows = Vec::new();
    for (id, c) in &state.custody {
        let seal = crate::case::exhibit::seal_record(case, c)?;
        rows.push(ExhibitRow {
            exhibit: id.clone(),
            seal_no: c.seal_no.clone(),
            state: c.status.name().to_string(),
            holder: state.person(&c.holder),
            kind: seal.artifact.kind,
            size: seal.artifact.size,
            sha256: seal.artifact.hashes.sha256,
            path: seal.artifact.path_resolved,
            files: seal.artifact.file_count,
            description: seal.description,
        });
    }
    Ok(rows)
}
