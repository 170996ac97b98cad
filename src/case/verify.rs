//! `scelle verify`: every line's form, signature, chain and sequence; the Merkle root against
//! every stored checkpoint and each checkpoint's signatures; with `rehash`, every artifact
//! against its record. Never stops at the first failure.

use crate::case::keptseal::KeptSeal;
use crate::case::measure::{measure, ArtifactKind};
use crate::case::presign::{read_checked, KeyBook};
use crate::error::{IoContext, Result};
use crate::format::body::{Artifact, Body, IocScan, Member, Seal};
use crate::format::chain::{ChainState, Finding, Severity};
use crate::format::encoding::b64;
use crate::format::members::Members;
use crate::format::merkle::{ct_eq, Hash};
use crate::store::case::CaseDir;
use crate::store::checkpoints;
use crate::store::hashing::{HashSelection, Progress};
use crate::store::ledger::RawLine;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `verify`.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Re-hash every artifact (and tar member) against its record.
    pub rehash: bool,
    /// With `rehash`: where to read an exhibit when not at its sealed path (`--path
    /// EXHIBIT=PATH`, evidence moved since its seal), by exhibit id.
    pub paths: BTreeMap<String, PathBuf>,
}

/// Where a re-hash read an exhibit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadFrom {
    /// Its sealed path (`path_resolved`).
    Sealed,
    /// The path given with `--path`.
    Given,
    /// The copy carried in the evidence bundle this case was imported from
    /// (`data/artifacts/EXHIBIT/` beside the case's `data/case/`).
    Carried,
}

/// One exhibit re-hashed by `verify --rehash`: where it was read and whether it matched its
/// seal (its differences are the findings naming it).
#[derive(Debug, Clone, Serialize)]
pub struct Rehashed {
    /// The exhibit.
    pub exhibit: String,
    /// The path read.
    pub path: String,
    /// Why that path.
    pub read_from: ReadFrom,
    /// Whether it matched its seal: no error was found re-hashing it.
    pub ok: bool,
}

/// The copy of `seal`'s artifact carried in the evidence bundle a case was imported from, if
/// `case` is the `data/case/` of an imported bag (a `bagit.txt` two levels up) and the copy is
/// there: `data/artifacts/EXHIBIT/NAME`, as `export --with-artifacts` writes it (FORMAT.md
/// 9). Only where to read: what is read is compared with the signed seal as any path is.
pub fn carried_copy(case: &CaseDir, seal: &Seal) -> Option<PathBuf> {
    let root = std::fs::canonicalize(case.root()).ok()?;
    let data = root.parent()?;
    if root.file_name()? != "case" || data.file_name()? != "data" {
        return None;
    }
    std::fs::symlink_metadata(data.parent()?.join("bagit.txt")).ok()?;
    let name = Path::new(&seal.artifact.path_resolved).file_name()?;
    let copy = data.join("artifacts").join(&seal.exhibit).join(name);
    std::fs::symlink_metadata(&copy).ok().map(|_| copy)
}

/// A witness's verified cosignature of a checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct WitnessSighting {
    /// The witness's key name.
    pub name: String,
    /// The tree size it cosigned.
    pub size: u64,
    /// When, seconds since 1970 (from the cosignature).
    pub time: u64,
    /// The checkpoint file.
    pub file: String,
}

/// A checkpoint's verified RFC 3161 timestamp (FORMAT.md 8.6): which TSA saw it, when.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampSighting {
    /// The TSA's name in the case (its `tsa.add`).
    pub tsa: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The token's genTime, RFC 3339 UTC.
    pub time: String,
    /// The token's genTime, seconds since 1970.
    pub time_unix: i64,
    /// The token's serial number, hex.
    pub serial: String,
    /// The TSA's policy OID.
    pub policy: String,
    /// The subject of the TSA certificate that signed it.
    pub signer: String,
    /// The `.tsr` file.
    pub file: String,
}

/// The result of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every problem found, in order.
    pub findings: Vec<Finding>,
    /// Lines in the ledger (complete ones).
    pub entries: u64,
    /// Exhibits sealed.
    pub exhibits: u64,
    /// Checkpoint files checked.
    pub checkpoints: u64,
    /// Largest checkpointed size.
    pub checkpointed_size: u64,
    /// Root of the whole ledger, base64 (as in checkpoints).
    pub root: String,
    /// Exhibits re-hashed (with `rehash`).
    pub rehashed: u64,
    /// Each exhibit re-hashed, in exhibit order (with `rehash`).
    pub rehashes: Vec<Rehashed>,
    /// Every verified witness cosignature: who has seen which tree size, when.
    pub witnesses: Vec<WitnessSighting>,
    /// Per witness (by name, in name order), the largest tree size it has cosigned and the
    /// time its cosignature gives (the latest such, if it cosigned that size more than once).
    pub witness_latest: Vec<WitnessSighting>,
    /// Every verified RFC 3161 timestamp of a checkpoint (FORMAT.md 8.6).
    pub timestamps: Vec<TimestampSighting>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// Ledger entries checked per second, over the checks of the ledger, checkpoints and
    /// files of the case (the re-hashing of artifacts, `elapsed_ms` counts it, excluded).
    pub entries_per_second: u64,
}

impl Report {
    /// Whether no error was found (warnings allowed).
    pub fn ok(&self) -> bool {
        self.findings.iter().all(|f| f.severity != Severity::Error)
    }
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

fn file_finding(severity: Severity, code: &str, file: &Path, message: String) -> Finding {
    Finding {
        severity,
        code: code.into(),
        entry: None,
        exhibit: None,
        file: Some(file.display().to_string()),
        member: None,
        message,
    }
}

fn exhibit_finding(exhibit: &str, code: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        code: code.into(),
        entry: None,
        exhibit: Some(exhibit.to_string()),
        file: None,
        member: None,
        message,
    }
}

/// An error about `member` of `exhibit`'s directory or archive (a re-hash difference).
fn member_finding(exhibit: &str, code: &str, member: &str, message: String) -> Finding {
    Finding {
        member: Some(member.to_string()),
        ..exhibit_finding(exhibit, code, message)
    }
}

/// Checks the case's copy of every IOC file a scan pinned (FORMAT.md 6.8): a copy whose SHA-256
/// differs is an error (`ioc-file`); a missing copy is a warning (`ioc-file-missing`).
fn check_ioc_copies(
    case: &CaseDir,
    files: &[(u64, crate::format::body::IocFileRecord)],
    findings: &mut Vec<Finding>,
) {
    let mut seen = std::collections::BTreeSet::new();
    for (seq, f) in files {
        if !seen.insert(f.sha256.clone()) {
            continue;
        }
        let path = case.ioc_dir().join(format!("{}.stix2", f.sha256));
        match crate::store::fsutil::read_nofollow(&path, crate::store::fsutil::MAX_IOC_COPY) {
            Ok(bytes) => {
                use sha2::Digest;
                let found = crate::format::encoding::hex(&sha2::Sha256::digest(&bytes));
                if found != f.sha256 {
                    findings.push(file_finding(
                        Severity::Error,
                        "ioc-file",
                        &path,
                        format!(
                            "the copy of IOC file {} pinned by entry {seq} has SHA-256 {found}, not {}: it was altered",
                            f.file, f.sha256
                        ),
                    ));
                }
            }
            // A FIFO, device, link or a copy larger than any IOC file scelle reads: not read.
            Err(
                e @ (crate::error::Error::Input(_)
                | crate::error::Error::NotRegular { .. }
                | crate::error::Error::TooLarge { .. }),
            ) => findings.push(file_finding(
                Severity::Error,
                "ioc-file",
                &path,
                format!(
                    "the copy of IOC file {} pinned by entry {seq} cannot be checked: {e}",
                    f.file
                ),
            )),
            Err(_) => findings.push(file_finding(
                Severity::Warning,
                "ioc-file-missing",
                &path,
                format!(
                    "no copy of IOC file {} (entry {seq}); the scan cannot be re-checked without it",
                    f.file
                ),
            )),
        }
    }
}

/// Verifies the case.
pub fn verify(case: &CaseDir, opts: VerifyOptions, progress: Progress) -> Result<Report> {
    verify_with(case, opts, &[], progress)
}

/// Verifies the case, and that it is not behind or inconsistent with any of the `trusted`
/// checkpoints (files kept by counsel, the court, a witness: `verify --trusted-checkpoint`,
/// FORMAT.md 8.5). A trusted file that cannot be read is an input error.
pub fn verify_with(
    case: &CaseDir,
    opts: VerifyOptions,
    trusted: &[std::path::PathBuf],
    progress: Progress,
) -> Result<Report> {
    let start = Instant::now();
    let mut findings = Vec::new();
    let stored = checkpoints::list(case)?;
    let strays = checkpoints::strays(case)?;
    let mut given = Vec::new();
    for path in trusted {
        std::fs::metadata(path).at(path)?;
        // A FIFO, device or file over 1 MiB given here is a `checkpoint-format` finding,
        // never read (never waited on).
        given.push((path.clone(), checkpoints::read(path)));
    }
    let wanted: std::collections::BTreeSet<u64> = stored
        .iter()
        .chain(given.iter())
        .filter_map(|(_, c)| c.as_ref().ok().map(|c| c.checkpoint.size))
        .collect();
    let mut roots: HashMap<u64, Hash> = HashMap::new();
    let mut state = ChainState::new();
    // Seals are kept as their place in the ledger (case/keptseal.rs).
    let mut seals: Vec<(u64, KeptSeal)> = Vec::new();
    let mut ioc_files: Vec<(u64, crate::format::body::IocFileRecord)> = Vec::new();
    let mut scans: Vec<(u64, IocScan)> = Vec::new();
    // Each entry's time, seconds (None if it has none readable), for back-dating (8.6).
    let mut times: Vec<Option<i64>> = Vec::new();
    let ledger = case.ledger();
    // Signatures are checked ahead on the worker threads with the keys enrolled so far.
    let book = KeyBook::default();
    read_checked(&ledger, &book, |raw, verdict| {
        match raw {
            RawLine::Torn { offset, bytes } => findings.push(file_finding(
                Severity::Error,
                "torn-tail",
                &ledger,
                format!(
                    "incomplete last line at byte {offset} ({} bytes, no newline): an interrupted append; \
                     `scelle repair` moves it aside without touching complete entries",
                    bytes.len()
                ),
            )),
            RawLine::TooLong { offset, len, torn } => findings.push(file_finding(
                Severity::Error,
                "line-too-long",
                &ledger,
                format!(
                    "{} at byte {offset} is {len} bytes, more than the maximum line length {} (FORMAT.md 4.1): not read, not an entry",
                    if torn { "the incomplete last line" } else { "the line" },
                    crate::format::entry::MAX_LINE
                ),
            )),
            RawLine::Line { bytes, offset } => {
                let seq = state.size;
                let applied = book.apply(&mut state, &std::sync::Arc::new(bytes), verdict.as_ref());
                times.push(
                    applied
                        .entry
                        .as_ref()
                        .and_then(|h| crate::format::time::parse_utc(&h.time))
                        .map(|t| t.unix_timestamp()),
                );
                let valid = applied.first_error().is_none();
                findings.extend(applied.findings);
                match applied.body {
                    Some(Body::Seal(s)) => {
                        // A member file is read as a stream, here, one line at a time.
                        if let Err(message) =
                            crate::store::member_file::check(case.root(), &s.artifact)
                        {
                            findings.push(Finding {
                                exhibit: Some(s.exhibit.clone()),
                                ..Finding::entry_error(seq, "member-file", message)
                            });
                        }
                        seals.push((seq, KeptSeal::at(offset, &state.last_line_hash)))
                    }
                    Some(Body::IocScan(scan)) => {
                        ioc_files.extend(scan.ioc_files.iter().cloned().map(|f| (seq, f)));
                        if valid {
                            scans.push((seq, *scan));
                        }
                    }
                    _ => {}
                }
                if wanted.contains(&state.size) {
                    roots.insert(state.size, state.frontier.root());
                }
            }
        }
        Ok(())
    })?;
    let entries = state.size;
    check_ioc_copies(case, &ioc_files, &mut findings);
    check_ioc_matches(case, &scans, &seals, &state, &mut findings)?;
    // Checkpoints (FORMAT.md 8.2).
    let now = crate::format::cosign::now_secs();
    let mut checkpointed_size = 0;
    let mut witnesses = Vec::new();
    // The checkpoints that count (8.2), by size: their file and note text.
    let mut counting: BTreeMap<u64, (std::path::PathBuf, String)> = BTreeMap::new();
    for path in &strays {
        findings.push(file_finding(
            Severity::Warning,
            "checkpoint-stray",
            path,
            "not a checkpoint file (checkpoints/ holds only regular files named NNNNNNNNNNNN.txt, and timestamps NNNNNNNNNNNN.NAME.tsq/.tsr): not read"
                .into(),
        ));
    }
    for (path, cp) in &stored {
        let cp = match cp {
            Ok(c) => c,
            Err(e) => {
                findings.push(file_finding(
                    Severity::Error,
                    "checkpoint-format",
                    path,
                    e.to_string(),
                ));
                continue;
            }
        };
        let named: Option<u64> = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n[..12].parse().ok());
        let mut valid = true;
        if named != Some(cp.checkpoint.size) {
            valid = false;
            findings.push(file_finding(
                Severity::Error,
                "checkpoint-size",
                path,
                format!(
                    "the file name says size {}, the checkpoint {}",
                    named.unwrap_or(0),
                    cp.checkpoint.size
                ),
            ));
        }
        let seen = check_checkpoint(path, cp, &state, &roots, now, Place::Stored, &mut findings);
        if let Some((sightings, ok)) = seen {
            for (name, time) in sightings {
                witnesses.push(WitnessSighting {
                    name,
                    size: cp.checkpoint.size,
                    time,
                    file: path.display().to_string(),
                });
            }
            if valid && ok {
                checkpointed_size = checkpointed_size.max(cp.checkpoint.size);
                counting.insert(cp.checkpoint.size, (path.clone(), cp.note.text.clone()));
            }
        }
    }
    let timestamps = check_timestamps(case, &state, &counting, &times, &mut findings)?;
    for (path, cp) in &given {
        match cp {
            Ok(cp) => {
                check_checkpoint(path, cp, &state, &roots, now, Place::Trusted, &mut findings);
            }
            Err(e) => findings.push(file_finding(
                Severity::Error,
                "checkpoint-format",
                path,
                e.to_string(),
            )),
        }
    }
    if entries > 0 && stored.is_empty() {
        findings.push(file_finding(
            Severity::Warning,
            "no-checkpoint",
            &case.checkpoints(),
            "no checkpoint: truncation of the ledger cannot be detected".into(),
        ));
    } else if checkpointed_size < entries {
        findings.push(file_finding(
            Severity::Warning,
            "uncheckpointed",
            &case.checkpoints(),
            format!(
                "entries {checkpointed_size}..{} are not covered by a valid checkpoint",
                entries - 1
            ),
        ));
    }
    // case.json against case.open.
    if let Some(recorded) = &state.case {
        let problem = match case.info() {
            Ok(info) if &info == recorded => None,
            Ok(_) => Some("differs from the case recorded in entry 0 (the ledger is authoritative)"),
            Err(_) if std::fs::symlink_metadata(case.case_json()).is_err() => {
                Some("is missing; it is an informative copy of entry 0, which is authoritative")
            }
            Err(crate::error::Error::NotRegular { .. }) => Some(
                "is not a regular file (a FIFO, device or directory): not read; it is an informative copy of entry 0, which is authoritative",
            ),
            Err(crate::error::Error::TooLarge { .. }) => Some(
                "is larger than 1 MiB (FORMAT.md §1): not read; it is an informative copy of entry 0, which is authoritative",
            ),
            Err(_) => Some(
                "cannot be read as a case file; it is an informative copy of entry 0, which is authoritative",
            ),
        };
        if let Some(p) = problem {
            findings.push(file_finding(
                Severity::Warning,
                "case-file",
                &case.case_json(),
                p.into(),
            ));
        }
    }
    // The ledger's rate is over its own checks, not the re-hashing of the artifacts.
    let chain_secs = start.elapsed().as_secs_f64().max(1e-9);
    let mut rehashes = Vec::new();
    if opts.rehash {
        let paths = crate::case::exhibit::resolve_paths(&state, &opts.paths)?;
        for (_, seal) in &seals {
            let seal = seal.get(case)?;
            let (path, read_from) = match paths.get(&seal.exhibit) {
                Some(p) => (p.clone(), ReadFrom::Given),
                None => match carried_copy(case, &seal) {
                    Some(p) => (p, ReadFrom::Carried),
                    None => (
                        PathBuf::from(&seal.artifact.path_resolved),
                        ReadFrom::Sealed,
                    ),
                },
            };
            let found = compare_artifact(case.root(), &seal, &path, progress).1;
            rehashes.push(Rehashed {
                exhibit: seal.exhibit.clone(),
                path: path.display().to_string(),
                read_from,
                ok: found.iter().all(|f| f.severity != Severity::Error),
            });
            findings.extend(found);
        }
    }
    let rehashed = rehashes.len() as u64;
    let elapsed = start.elapsed();
    Ok(Report {
        findings,
        entries,
        exhibits: state.exhibits,
        checkpoints: stored.len() as u64,
        checkpointed_size,
        root: b64(&state.frontier.root()),
        rehashed,
        rehashes,
        witness_latest: latest_per_witness(&witnesses),
        witnesses,
        timestamps,
        elapsed_ms: elapsed.as_millis() as u64,
        entries_per_second: (entries as f64 / chain_secs) as u64,
    })
}

/// Per witness name, the sighting of the largest size (then the latest time).
pub fn latest_per_witness(all: &[WitnessSighting]) -> Vec<WitnessSighting> {
    let mut by: std::collections::BTreeMap<&str, &WitnessSighting> = Default::default();
    for w in all {
        let e = by.entry(&w.name).or_insert(w);
        if (w.size, w.time) > (e.size, e.time) {
            *e = w;
        }
    }
    by.into_values().cloned().collect()
}

/// The allowed clock skew between an entry's `time` and the genTime of a token of a
/// checkpoint that covers it (FORMAT.md 8.6; the skew of cosignatures, 8.3).
pub const BACKDATING_SKEW: i64 = 300;

/// FORMAT.md 8.6, for every `.tsr` of a checkpoint that counts (`counting`: size -> file and
/// note text): the TSA named must be a `tsa.add` of the ledger (`timestamp-unknown-tsa`,
/// warning, not checked further); the token is verified against the checkpoint text, the
/// `.tsq`'s nonce (a warning `timestamp-nonce` without it) and that TSA's `ca`
/// ([`crate::format::timestamp_token::verify_token`]: `timestamp-format`, `-imprint`,
/// `-nonce`, `-untrusted`, `-signature`); a verified token is listed, and every entry it
/// covers must be dated at most genTime + [`BACKDATING_SKEW`] (`backdated`).
fn check_timestamps(
    case: &CaseDir,
    state: &ChainState,
    counting: &BTreeMap<u64, (std::path::PathBuf, String)>,
    times: &[Option<i64>],
    findings: &mut Vec<Finding>,
) -> Result<Vec<TimestampSighting>> {
    use crate::format::printable::field;
    use crate::format::timestamp_token::{parse_request, verify_token};
    use crate::store::timestamps;
    let mut out = Vec::new();
    if counting.is_empty() {
        return Ok(out);
    }
    for ts in timestamps::list(case)? {
        let Some((_, text)) = counting.get(&ts.size) else {
            continue; // its checkpoint does not count: the token vouches for nothing
        };
        let path = &ts.reply;
        let Some(tsa) = state.tsa(&ts.tsa) else {
            findings.push(file_finding(
                Severity::Warning,
                "timestamp-unknown-tsa",
                path,
                format!(
                    "no tsa.add entry names a TSA {}: not checked (anyone can write a file)",
                    field(&ts.tsa)
                ),
            ));
            continue;
        };
        let mut error = |code: &str, message: String| {
            findings.push(file_finding(Severity::Error, code, path, message))
        };
        let resp = match timestamps::read(path) {
            Ok(b) => b,
            Err(e) => {
                error("timestamp-format", format!("cannot be read: {e}"));
                continue;
            }
        };
        let nonce = match &ts.query {
            None => None,
            Some(q) => match timestamps::read(q).map(|b| parse_request(&b)) {
                Ok(Ok(req)) => Some(req.nonce),
                Ok(Err(e)) => {
                    error(e.code(), e.to_string());
                    continue;
                }
                Err(e) => {
                    error(
                        "timestamp-format",
                        format!("its request (.tsq) cannot be read: {e}"),
                    );
                    continue;
                }
            },
        };
        let anchors: Vec<Vec<u8>> = tsa
            .ca
            .iter()
            .filter_map(|c| crate::format::encoding::unb64(c))
            .collect();
        // A request without a nonce (scelle always sends one) has none to compare, as for
        // `openssl ts -verify -queryfile`.
        let result = verify_token(&resp, text.as_bytes(), &anchors, nonce.flatten().as_deref());
        let warn_no_query = ts.query.is_none()
            && !matches!(&result, Err(e) if matches!(e.code(), "timestamp-format" | "timestamp-imprint"));
        if warn_no_query {
            findings.push(file_finding(
                Severity::Warning,
                "timestamp-nonce",
                path,
                "no request (.tsq) beside the token: its nonce is not checked".into(),
            ));
        }
        let info = match result {
            Ok(info) => info,
            Err(e) => {
                findings.push(file_finding(
                    Severity::Error,
                    e.code(),
                    path,
                    format!("token by TSA {}: {e}", tsa.name),
                ));
                continue;
            }
        };
        let limit = info.gen_time_unix.saturating_add(BACKDATING_SKEW);
        let covered = (ts.size as usize).min(times.len());
        for (seq, t) in times[..covered].iter().enumerate() {
            if let Some(t) = *t {
                if t > limit {
                    findings.push(Finding {
                        severity: Severity::Error,
                        code: "backdated".into(),
                        entry: Some(seq as u64),
                        exhibit: None,
                        file: Some(path.display().to_string()),
                        member: None,
                        message: format!(
                            "entry {seq} is dated {}, later than TSA {}'s time {} for checkpoint {} (which covers it) + {BACKDATING_SKEW} s: it was written after that time, or dated falsely",
                            crate::format::time::format_utc(
                                time::OffsetDateTime::from_unix_timestamp(t)
                                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
                            ),
                            tsa.name,
                            info.gen_time,
                            ts.size
                        ),
                    });
                }
            }
        }
        out.push(TimestampSighting {
            tsa: tsa.name.clone(),
            size: ts.size,
            time: info.gen_time,
            time_unix: info.gen_time_unix,
            serial: info.serial,
            policy: info.policy,
            signer: info.signer,
            file: path.display().to_string(),
        });
    }
    Ok(out)
}

/// Where a checkpoint being checked comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The case's `checkpoints/`: a conflict is `truncated` or `checkpoint-root`.
    Stored,
    /// A file given with `--trusted-checkpoint`: a conflict is `rollback`.
    Trusted,
}

/// Checks one checkpoint against the ledger (`state`, and `roots` at every size wanted) by
/// FORMAT.md 8.2: size 0 is refused outright; then its origin, its signature lines (which
/// count only by keys that may sign at its size), and only if a key of the case validly
/// signed it, its size and root against the ledger, every such finding naming the signers.
/// Returns the verified cosignatures and whether it is valid, or `None` for size 0.
#[allow(clippy::type_complexity)]
fn check_checkpoint(
    path: &Path,
    cp: &checkpoints::StoredCheckpoint,
    state: &ChainState,
    roots: &HashMap<u64, Hash>,
    now: u64,
    place: Place,
    findings: &mut Vec<Finding>,
) -> Option<(Vec<(String, u64)>, bool)> {
    let size = cp.checkpoint.size;
    let entries = state.size;
    let mut push = |severity, code: &str, message: String| {
        findings.push(file_finding(severity, code, path, message))
    };
    if size == 0 {
        push(
            Severity::Error,
            "checkpoint-size",
            "a checkpoint of size 0 commits to no entry and no key may sign it (FORMAT.md 8.2)"
                .into(),
        );
        return None;
    }
    let mut valid = true;
    let origin = state.case.as_ref().map(|c| c.origin.as_str());
    if Some(cp.checkpoint.origin.as_str()) != origin {
        valid = false;
        push(
            Severity::Error,
            "checkpoint-origin",
            format!(
                "origin {:?} is not this case's ({:?})",
                cp.checkpoint.origin,
                origin.unwrap_or("none")
            ),
        );
    }
    let check = crate::format::cosign::check_note(state, &cp.note, size, now);
    for name in &check.unknown {
        push(
            Severity::Warning,
            "checkpoint-unknown-signer",
            format!("signature by {name:?}, not a key enrolled in this case: not checked"),
        );
    }
    for problem in &check.duplicate {
        push(Severity::Warning, "checkpoint-duplicate", problem.clone());
    }
    for problem in &check.invalid {
        push(Severity::Error, "checkpoint-signature", problem.clone());
    }
    for problem in &check.misplaced {
        push(Severity::Error, "checkpoint-key", problem.clone());
    }
    for problem in &check.future {
        push(Severity::Error, "checkpoint-future", problem.clone());
    }
    if check.signed_by.is_empty() {
        push(
            Severity::Error,
            "checkpoint-unsigned",
            format!(
                "no valid signature by a key of this case that may sign a checkpoint of size {size}: \
                 its size and root say nothing and are not compared with the ledger"
            ),
        );
        return Some((check.cosigned_by, false));
    }
    let by = check.by();
    let names = check.signed_by.join(" and ");
    match (roots.get(&size), place) {
        (None, Place::Stored) => {
            valid = false;
            push(
                Severity::Error,
                "truncated",
                format!(
                    "checkpoint {by} is for {size} entries but the ledger has only {entries}: \
                     entries from {entries} on were removed, or {names} signed a tree head this ledger never had"
                ),
            )
        }
        (None, Place::Trusted) => push(
            Severity::Error,
            "rollback",
            format!(
                "trusted checkpoint {by} is for {size} entries but the case has only {entries}: \
                 the ledger was cut back after that checkpoint was issued (entries {entries} to {} are missing)",
                size - 1
            ),
        ),
        (Some(root), _) if !ct_eq(root, &cp.checkpoint.root) => {
            valid = false;
            let (code, what) = match place {
                Place::Stored => ("checkpoint-root", "checkpoint"),
                Place::Trusted => ("rollback", "trusted checkpoint"),
            };
            push(
                Severity::Error,
                code,
                format!(
                    "{what} {by} has root {} for the first {size} entries, the ledger {}: \
                     the ledger was rewritten after it was issued, or {names} signed a tree head this ledger never had",
                    b64(&cp.checkpoint.root),
                    b64(root)
                ),
            );
        }
        _ => {}
    }
    Some((check.cosigned_by, valid))
}

/// FORMAT.md 6.8, checks of a scan against its seals and its pinned IOC files (`ioc-match`),
/// for each valid `ioc.scan` entry: each match's `member` is a member of its exhibit as sealed,
/// given exactly when that exhibit is a directory or tar; and where the case's copy of an IOC
/// file is present and intact, the record's `size`, `indicator_objects` and `bundle` are the
/// file's, and each match citing it names an `indicator` object of it by id with its exact
/// pattern.
fn check_ioc_matches(
    case: &CaseDir,
    scans: &[(u64, IocScan)],
    seals: &[(u64, KeptSeal)],
    state: &ChainState,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let by_seq: HashMap<u64, &KeptSeal> = seals.iter().map(|(n, s)| (*n, s)).collect();
    // The seal read last (matches come grouped by exhibit): one seal's members at a time.
    // With it, which of the member paths the scan names it has (one pass over its members).
    let mut last: Option<(u64, Seal, Option<HashSet<String>>)> = None;
    let mut copies: HashMap<String, Option<PinnedIoc>> = HashMap::new();
    for (seq, scan) in scans {
        let mut err = |exhibit: Option<&str>, message: String| {
            findings.push(Finding {
                exhibit: exhibit.map(str::to_string),
                ..Finding::entry_error(*seq, "ioc-match", message)
            })
        };
        let records = scan.records();
        for (label, m) in records {
            let Some((seal_seq, kept)) = state
                .custody
                .get(&m.exhibit)
                .and_then(|c| by_seq.get(&c.seal_seq).map(|k| (c.seal_seq, *k)))
            else {
                continue;
            };
            if last.as_ref().is_none_or(|(n, _, _)| *n != seal_seq) {
                // The previous seal's members go before the next one's are read.
                drop(last.take());
                let seal = kept.get(case)?;
                let named: HashSet<&str> = scan
                    .records()
                    .filter(|(_, r)| r.exhibit == m.exhibit)
                    .filter_map(|(_, r)| r.member.as_deref())
                    .collect();
                let present = members_named(case, &seal.artifact, &named);
                last = Some((seal_seq, seal, present));
            }
            let (_, seal, present) = last.as_ref().expect("just read");
            let listed = seal.artifact.members.is_some() || seal.artifact.member_file.is_some();
            match (listed, &m.member) {
                (false, Some(_)) => err(
                    Some(&m.exhibit),
                    format!(
                        "{label} names a member, but {} is a {} with no members",
                        m.exhibit, seal.artifact.kind
                    ),
                ),
                // An EWF image's media is one content: its hits name no member.
                (true, None) if seal.artifact.kind != "ewf" => err(
                    Some(&m.exhibit),
                    format!(
                        "{label} names no member, but {} is a {}: a match names the member it is in",
                        m.exhibit, seal.artifact.kind
                    ),
                ),
                (true, Some(p)) if !present.as_ref().is_some_and(|s| s.contains(p)) => err(
                    Some(&m.exhibit),
                    format!(
                        "{label}: member {p:?} is not a member of {} as sealed",
                        m.exhibit
                    ),
                ),
                _ => {}
            }
        }
        for f in &scan.ioc_files {
            let pinned = copies
                .entry(f.sha256.clone())
                .or_insert_with(|| PinnedIoc::read(case, &f.sha256));
            let Some(pinned) = pinned else { continue };
            let bundle = match &pinned.bundle {
                Ok(b) => b,
                Err(e) => {
                    err(
                        None,
                        format!(
                            "the pinned IOC file {:?} ({}) is not a STIX bundle scelle reads: {e}",
                            f.file, f.sha256
                        ),
                    );
                    continue;
                }
            };
            if f.size != pinned.size {
                err(
                    None,
                    format!(
                        "IOC file {:?}: size {} recorded, the pinned file has {} bytes",
                        f.file, f.size, pinned.size
                    ),
                );
            }
            if f.indicator_objects != bundle.indicator_objects {
                err(
                    None,
                    format!(
                        "IOC file {:?}: indicator_objects {} recorded, the pinned file has {}",
                        f.file, f.indicator_objects, bundle.indicator_objects
                    ),
                );
            }
            if f.bundle.as_deref().unwrap_or("") != bundle.id {
                err(
                    None,
                    format!(
                        "IOC file {:?}: bundle {:?} recorded, the pinned file's id is {:?}",
                        f.file,
                        f.bundle.as_deref().unwrap_or(""),
                        bundle.id
                    ),
                );
            }
            let records = scan.records();
            for (label, m) in records {
                if m.ioc_file == f.sha256
                    && !pinned
                        .patterns
                        .contains(&(m.indicator.clone(), m.pattern.clone()))
                {
                    err(
                        Some(&m.exhibit),
                        format!(
                            "{label}: indicator {:?} with pattern {:?} is not an indicator of the pinned IOC file {:?}",
                            m.indicator, m.pattern, f.file
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

/// The case's intact copy of a pinned IOC file, as the verifier reads it.
struct PinnedIoc {
    size: u64,
    bundle: std::result::Result<crate::format::stix::Bundle, crate::format::stix::StixError>,
    /// (id, pattern) of every `indicator` object with a string id and pattern.
    patterns: std::collections::HashSet<(String, String)>,
}

impl PinnedIoc {
    /// `None` when the copy is missing, unreadable or altered (`ioc-file-missing`,
    /// `ioc-file`: reported by [`check_ioc_copies`]).
    fn read(case: &CaseDir, sha256: &str) -> Option<PinnedIoc> {
        use sha2::Digest;
        crate::format::encoding::unhex::<32>(sha256)?;
        let bytes = crate::store::fsutil::read_nofollow(
            &case.ioc_dir().join(format!("{sha256}.stix2")),
            crate::store::fsutil::MAX_IOC_COPY,
        )
        .ok()?;
        if crate::format::encoding::hex(&sha2::Sha256::digest(&bytes)) != sha256 {
            return None;
        }
        let mut patterns = std::collections::HashSet::new();
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            for o in v["objects"].as_array().into_iter().flatten() {
                if o["type"] == "indicator" {
                    if let (Some(id), Some(p)) = (o["id"].as_str(), o["pattern"].as_str()) {
                        patterns.insert((id.to_string(), p.to_string()));
                    }
                }
            }
        }
        Some(PinnedIoc {
            size: bytes.len() as u64,
            bundle: crate::format::stix::parse_bundle(&bytes),
            patterns,
        })
    }
}

/// Each digest of `rec` that differs in `now`, as a finding about exhibit `ex` (and its
/// `member`, whose path the message then starts with).
fn compare_hashes(
    ex: &str,
    member: Option<&str>,
    rec: &crate::format::body::Hashes,
    now: &crate::format::body::Hashes,
    out: &mut Vec<Finding>,
) {
    let pairs = [
        (
            "SHA-256",
            "rehash-sha256",
            Some(&rec.sha256),
            Some(&now.sha256),
        ),
        (
            "SHA-512",
            "rehash-sha512",
            rec.sha512.as_ref(),
            now.sha512.as_ref(),
        ),
        (
            "MD5 (legacy)",
            "rehash-md5",
            rec.legacy_md5.as_ref(),
            now.legacy_md5.as_ref(),
        ),
        (
            "SHA-1 (legacy)",
            "rehash-sha1",
            rec.legacy_sha1.as_ref(),
            now.legacy_sha1.as_ref(),
        ),
    ];
    for (name, code, r, n) in pairs {
        if let (Some(r), Some(n)) = (r, n) {
            if r != n {
                let what = member.map(|m| format!("{m}: ")).unwrap_or_default();
                let mut f = exhibit_finding(
                    ex,
                    code,
                    format!("{what}{name} differs: recorded {r}, found {n}"),
                );
                f.member = member.map(String::from);
                out.push(f);
            }
        }
    }
}

/// Which of the paths `named` are members of the sealed artifact `a`, in one pass over its
/// members (from its line or its member file). `None` if it has no members or its member
/// file cannot be read to its end (reported by the member-file check): then none is.
fn members_named(case: &CaseDir, a: &Artifact, named: &HashSet<&str>) -> Option<HashSet<String>> {
    let members = crate::store::member_file::members_of(case.root(), a).ok()??;
    let mut present = HashSet::new();
    for m in members {
        let m = m.ok()?;
        if named.contains(m.path.as_str()) {
            present.insert(m.into_owned().path);
        }
    }
    Some(present)
}

fn compare_members<'r>(
    ex: &str,
    recorded: impl Iterator<Item = Result<Cow<'r, Member>>>,
    found: &Members,
    out: &mut Vec<Finding>,
) {
    // The members found are held (the artifact is measured into a list); the recorded ones
    // are read one at a time (from the seal's line) and looked up among them by (path,
    // occurrence), so a tar holding the same name twice still compares.
    let found: Vec<Cow<'_, Member>> = found.iter().collect();
    let now: BTreeMap<(&str, usize), usize> = index_members(&found);
    let mut matched = vec![false; found.len()];
    // Occurrences of each path met in the record, keyed by the path as found.
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    let mut reported = 0;
    let mut push = |f: Finding, out: &mut Vec<Finding>| {
        reported += 1;
        if reported <= 50 {
            out.push(f);
        }
    };
    for r in recorded {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                // The record cannot be read to its end: nothing about the rest is said.
                out.push(exhibit_finding(ex, "member-file", e.to_string()));
                return;
            }
        };
        let found_at = now.get(&(r.path.as_str(), 0)).and_then(|&first| {
            let path = found[first].path.as_str();
            let n = occurrences.entry(path).or_default();
            let at = now.get(&(path, *n)).copied();
            *n += 1;
            at
        });
        let Some(i) = found_at else {
            push(
                member_finding(
                    ex,
                    "rehash-missing",
                    &r.path,
                    format!("{} is missing", r.path),
                ),
                out,
            );
            continue;
        };
        matched[i] = true;
        let n = &found[i];
        if r.kind != n.kind || r.link != n.link {
            push(
                member_finding(
                    ex,
                    "rehash-changed",
                    &r.path,
                    format!(
                        "{}: was {} {:?}, now {} {:?}",
                        r.path, r.kind, r.link, n.kind, n.link
                    ),
                ),
                out,
            );
        } else if r.size != n.size {
            push(
                member_finding(
                    ex,
                    "rehash-size",
                    &r.path,
                    format!(
                        "{}: size differs: recorded {:?}, found {:?}",
                        r.path,
                        r.size.unwrap_or(0),
                        n.size.unwrap_or(0)
                    ),
                ),
                out,
            );
        } else if let (Some(rh), Some(nh)) = (&r.hashes, &n.hashes) {
            let mut v = Vec::new();
            compare_hashes(ex, Some(&r.path), rh, nh, &mut v);
            for f in v {
                push(f, out);
            }
        }
    }
    for &i in now.values() {
        if !matched[i] {
            push(
                member_finding(
                    ex,
                    "rehash-extra",
                    &found[i].path,
                    format!("{} was added (not in the record)", found[i].path),
                ),
                out,
            );
        }
    }
    if reported > 50 {
        out.push(exhibit_finding(
            ex,
            "rehash-more",
            format!("{} more differences not listed", reported - 50),
        ));
    }
}

/// Members keyed by (path, occurrence), so a tar holding the same name twice still compares:
/// the index of each in `ms`.
fn index_members<'a>(ms: &'a [Cow<'_, Member>]) -> BTreeMap<(&'a str, usize), usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = BTreeMap::new();
    for (i, m) in ms.iter().enumerate() {
        let n = seen.entry(m.path.as_str()).or_default();
        out.insert((m.path.as_str(), *n), i);
        *n += 1;
    }
    out
}

/// The bytes re-hashing the exhibits named (every exhibit sealed, disposed of or not, with
/// `None`) reads, from their seals in the ledger ([`crate::case::measure::bytes_read`]): the
/// total of a progress bar for `verify --rehash`, `accept`, `reseal` and `ioc scan`. Read from
/// the current state (the index if it matches the ledger, unsigned): for display only.
pub fn rehash_bytes(case: &CaseDir, exhibits: Option<&[String]>) -> Result<u64> {
    let state = crate::store::ledger::current_state(case)?;
    let mut total = 0u64;
    for (ex, c) in &state.custody {
        if exhibits.is_some_and(|want| !want.contains(ex)) {
            continue;
        }
        let seal = crate::case::exhibit::seal_record(case, c)?;
        total = total.saturating_add(crate::case::measure::bytes_read(&seal.artifact));
    }
    Ok(total)
}

/// Re-hashes the artifact at `path` and compares it with `seal`'s record: the artifact as
/// found (if readable) and every difference. `root` is the case directory (its member files).
pub fn compare_artifact(
    root: &Path,
    seal: &Seal,
    path: &Path,
    progress: Progress,
) -> (Option<Artifact>, Vec<Finding>) {
    let ex = seal.exhibit.as_str();
    if let Some(f) = precheck(seal, path) {
        return (None, vec![f]);
    }
    let sel = recorded_selection(root, seal);
    let now = match remeasure(seal, path, sel, progress) {
        Ok(a) => a,
        Err(e) => {
            return (
                None,
                vec![exhibit_finding(
                    ex,
                    "rehash-unreadable",
                    format!("cannot re-hash {}: {e}", path.display()),
                )],
            )
        }
    };
    let out = compare_found(root, seal, path, &now);
    (Some(now), out)
}

/// Measures `seal`'s artifact again at `path`. A tar or zip whose members are in a member file
/// is read as a seal reads it: its members go to a member file in a private temporary folder as
/// they are read, so memory does not grow with their number; when that file is the one the
/// seal names (same SHA-256, length and count), the members are the same and are not held;
/// else they are read back for the comparison that names each difference.
fn remeasure(seal: &Seal, path: &Path, sel: HashSelection, progress: Progress) -> Result<Artifact> {
    let listed_in_file = seal.artifact.member_file.is_some();
    if matches!(seal.artifact.kind.as_str(), "tar" | "zip") && listed_in_file {
        let mut none = crate::store::hashing::NoInspection;
        return remeasure_archive_inspected(seal, path, sel, progress, &mut none, &mut |_| {});
    }
    if seal.artifact.kind == "directory" && listed_in_file && path.is_dir() {
        let none = || crate::store::hashing::NoInspection;
        return remeasure_directory_inspected(seal, path, sel, progress, none).map(|(a, _)| a);
    }
    measure(path, recorded_kind(seal), sel, progress)
}

/// Re-measures the folder recorded by `seal`, which has a member file, as
/// [`remeasure_archive_inspected`] does a tar: its members go in path order to a private
/// temporary member file as they are hashed, compared with the sealed one by SHA-256, and read
/// back only if they differ. Each hashing thread shows the files it hashes to its own
/// inspector made by `make`, returned with the artifact.
pub fn remeasure_directory_inspected<I, F>(
    seal: &Seal,
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    make: F,
) -> Result<(Artifact, Vec<I>)>
where
    I: crate::store::hashing::MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    let tmp = scratch_dir()?;
    let (mut now, inspectors) = crate::case::measure::measure_directory_for_seal_inspected(
        path,
        sel,
        progress,
        tmp.path(),
        make,
    )?;
    read_back_if_different(seal, tmp.path(), &mut now)?;
    Ok((now, inspectors))
}

/// A private temporary folder for the member file of a re-measure, removed when dropped.
fn scratch_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("scelle-rehash-")
        .tempdir()
        .map_err(|e| crate::error::Error::io(std::env::temp_dir(), e))
}

/// After a re-measure into the private folder `tmp`: the members found are the sealed ones
/// when their member file is the seal's (then `now` holds neither list); else they are read
/// back into `now.members` for [`compare_found`] to name each difference.
fn read_back_if_different(seal: &Seal, tmp: &Path, now: &mut Artifact) -> Result<()> {
    if let Some(found) = now.member_file.take() {
        if Some(&found) != seal.artifact.member_file.as_ref() {
            let list: Vec<Member> = crate::store::member_file::MemberFileReader::open(tmp, &found)?
                .collect::<Result<_>>()?;
            now.members = Some(list.into());
        }
    }
    Ok(())
}

/// Re-measures the tar or zip recorded by `seal`, which has a member file (FORMAT.md 6.2),
/// without holding its members: they go to a private temporary member file as they are read (each
/// shown first to `seen`, which may drop hashes the seal does not record, each regular
/// member's bytes shown to `inspector`). If that file's SHA-256 is the sealed one, the members
/// are those sealed, and the artifact returned has neither `members` nor `member_file`;
/// otherwise the members found are read back into `members`, for [`compare_found`] to name each
/// difference.
pub fn remeasure_archive_inspected<I: crate::store::hashing::MemberInspector + Send>(
    seal: &Seal,
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
    seen: &mut (dyn FnMut(&mut Member) + Send),
) -> Result<Artifact> {
    let tmp = scratch_dir()?;
    use crate::case::measure::{measure_archive_inspected, ArchiveFormat};
    let format = ArchiveFormat::of_kind(&seal.artifact.kind).ok_or_else(|| {
        crate::error::Error::input(format!(
            "{}: a {} is not an archive",
            path.display(),
            seal.artifact.kind
        ))
    })?;
    let mut now =
        measure_archive_inspected(format, path, sel, progress, tmp.path(), inspector, seen)?;
    crate::format::validate::artifact(&now).map_err(|e| {
        crate::error::Error::input(format!("{}: cannot be sealed: {e}", path.display()))
    })?;
    read_back_if_different(seal, tmp.path(), &mut now)?;
    Ok(now)
}

/// Before a re-check reads a byte: the path must still lead to the kind of object sealed (a
/// regular file for a `file` or `tar`, a directory for a `directory`: never a FIFO, device or
/// socket), and a file or tar must have the size sealed. Else the finding (`rehash-unreadable`,
/// `rehash-kind` or `rehash-size`), and the artifact is not read. What is read afterwards is
/// opened without blocking, checked to be that kind again, read no further than its size when
/// opened (and one byte), and refused if it changed meanwhile (`crate::store::nofollow`).
pub fn precheck(seal: &Seal, path: &Path) -> Option<Finding> {
    use crate::store::nofollow::{stat_path, Kind};
    let rec = &seal.artifact;
    let ex = seal.exhibit.as_str();
    let id = match stat_path(path) {
        Ok(id) => id,
        Err(e) => {
            return Some(exhibit_finding(
                ex,
                "rehash-unreadable",
                format!("cannot re-hash {}: {e}", path.display()),
            ))
        }
    };
    let want = if rec.kind == "directory" {
        Kind::Dir
    } else {
        Kind::File
    };
    if id.kind != want {
        return Some(exhibit_finding(
            ex,
            "rehash-kind",
            format!(
                "{} was a {} (a {}), is now a {}; not read",
                path.display(),
                rec.kind,
                want.describe(),
                id.kind.describe()
            ),
        ));
    }
    // An EWF image's size is its media's: its first segment has the size of its member.
    let first = rec.members.as_ref().and_then(|m| m.iter().next());
    let want_size = match (rec.kind.as_str(), first) {
        ("ewf", Some(first)) => first.size.unwrap_or(0),
        _ => rec.size,
    };
    if want == Kind::File && id.size != want_size {
        return Some(exhibit_finding(
            ex,
            "rehash-size",
            format!(
                "size differs: recorded {}, found {}; not read",
                want_size, id.size
            ),
        ));
    }
    None
}

/// How to read `seal`'s artifact again: as the kind it was sealed as.
pub fn recorded_kind(seal: &Seal) -> ArtifactKind {
    match seal.artifact.kind.as_str() {
        "tar" => ArtifactKind::Tar,
        "zip" => ArtifactKind::Zip,
        "ewf" => ArtifactKind::Ewf,
        "file" => ArtifactKind::File,
        _ => ArtifactKind::Auto,
    }
}

/// The digests to compute when re-hashing `seal`'s artifact: every kind it records. A seal
/// hashes all its file members with one selection, so the first hashed member says it (from
/// the line, or the first lines of the member file in the case directory `root`; a member
/// file that cannot be read adds nothing here, and its re-hash reports it).
pub fn recorded_selection(root: &Path, seal: &Seal) -> HashSelection {
    let rec = &seal.artifact;
    let mut sel = HashSelection {
        sha512: rec.hashes.sha512.is_some(),
        legacy: rec.hashes.legacy_md5.is_some(),
    };
    let members = crate::store::member_file::members_of(root, rec)
        .ok()
        .flatten();
    for m in members.into_iter().flatten() {
        let Ok(m) = m else { break };
        if let Some(h) = &m.hashes {
            sel.sha512 |= h.sha512.is_some();
            sel.legacy |= h.legacy_md5.is_some();
            break;
        }
    }
    sel
}

/// Every difference between `seal`'s record and the artifact as found at `path` (`now`).
/// `root` is the case directory, whose `members/` holds the seal's member file if it has one.
pub fn compare_found(root: &Path, seal: &Seal, path: &Path, now: &Artifact) -> Vec<Finding> {
    let rec: &Artifact = &seal.artifact;
    let ex = seal.exhibit.as_str();
    let mut out = Vec::new();
    if now.kind != rec.kind {
        out.push(exhibit_finding(
            ex,
            "rehash-kind",
            format!(
                "{} was a {}, is now a {}",
                path.display(),
                rec.kind,
                now.kind
            ),
        ));
        return out;
    }
    if now.size != rec.size {
        out.push(exhibit_finding(
            ex,
            "rehash-size",
            format!("size differs: recorded {}, found {}", rec.size, now.size),
        ));
    }
    compare_hashes(ex, None, &rec.hashes, &now.hashes, &mut out);
    if let Some(n) = &now.members {
        match crate::store::member_file::members_of(root, rec) {
            Ok(Some(r)) => compare_members(ex, r, n, &mut out),
            Ok(None) => {}
            Err(e) => out.push(exhibit_finding(ex, "member-file", e.to_string())),
        }
    }
    if let (Some(r), Some(n)) = (&rec.ewf, &now.ewf) {
        if r != n {
            out.push(exhibit_finding(
                ex,
                "rehash-ewf",
                format!(
                    "the EWF image reads differently: sealed with {} bad chunk(s), MD5 {}, SHA-1 {}; now {} bad chunk(s), MD5 {}, SHA-1 {}",
                    r.bad_chunk_count, r.md5.computed, r.sha1.computed,
                    n.bad_chunk_count, n.md5.computed, n.sha1.computed
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::body::Hashes;

    fn file(path: &str, size: u64, digit: char) -> Member {
        Member {
            path: path.into(),
            kind: "file".into(),
            size: Some(size),
            hashes: Some(Hashes {
                sha256: digit.to_string().repeat(64),
                ..Hashes::default()
            }),
            link: None,
            mtime: None,
        }
    }

    /// The record read one member at a time (as from a seal's line) against the members
    /// found: a name repeated in a tar compares occurrence by occurrence; what is missing,
    /// added, resized or changed is named once each.
    #[test]
    fn members_compare_by_path_and_occurrence() {
        let recorded = vec![
            file("a", 1, '1'),
            file("dup", 2, '2'),
            file("dup", 3, '3'),
            file("gone", 4, '4'),
            file("resized", 5, '5'),
            file("changed", 6, '6'),
        ];
        let found = vec![
            file("dup", 2, '2'),
            file("a", 1, '1'),
            file("dup", 3, '7'),
            file("resized", 9, '5'),
            file("changed", 6, '8'),
            file("added", 1, '1'),
            file("dup", 1, '1'),
        ];
        let mut line = b"[".to_vec();
        for (i, m) in recorded.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            crate::format::canonical::write_canonical_of(m, &mut line).unwrap();
        }
        line.push(b']');
        // Held or read back from text, the same findings.
        let from_text: Members = serde_json::from_slice(&line).unwrap();
        for rec in [Members::from(recorded.clone()), from_text] {
            let mut out = Vec::new();
            compare_members(
                "E-0001",
                rec.iter().map(Ok),
                &Members::from(found.clone()),
                &mut out,
            );
            let got: Vec<(String, String)> = out
                .iter()
                .map(|f| (f.code.clone(), f.message.clone()))
                .collect();
            let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
            assert_eq!(
                codes,
                [
                    "rehash-sha256",
                    "rehash-missing",
                    "rehash-size",
                    "rehash-sha256",
                    "rehash-extra",
                    "rehash-extra"
                ],
                "{got:?}"
            );
            assert!(got[0].1.starts_with("dup: "), "{got:?}");
            assert_eq!(got[1].1, "gone is missing");
            assert!(got[3].1.starts_with("changed: "), "{got:?}");
            assert_eq!(got[4].1, "added was added (not in the record)");
            assert_eq!(got[5].1, "dup was added (not in the record)");
        }
    }
}
