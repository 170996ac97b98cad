//! Everything the ledger knows that a report shows, gathered in one pass over the ledger:
//! the case, each exhibit with its seal record and custody events, the keys, the latest
//! checkpoint, the verification results. Serialised as the templates' context.

use crate::case::presign::{read_checked, KeyBook};
use crate::case::verify::{verify, Report, VerifyOptions};
use crate::error::{Error, Result};
use crate::format::body::{Body, Seal};
use crate::format::chain::ChainState;
use crate::format::keys::fingerprint;
use crate::store::case::CaseDir;
use crate::store::checkpoints;
use crate::store::ledger::RawLine;
use serde::Serialize;

/// One custody event of an exhibit.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Ledger entry.
    pub seq: u64,
    /// UTC time, RFC 3339.
    pub time: String,
    /// Entry kind.
    pub kind: String,
    /// Signer's name.
    pub by: String,
    /// Signer's role.
    pub by_role: Option<String>,
    /// The entry's typed body (for templates that need details; serialised as recorded).
    pub body: Body,
    /// Holder after the event (name).
    pub holder: String,
    /// State after: sealed, in-transit, opened, disposed.
    pub state: String,
    /// Seal number after the event.
    pub seal_no: Option<String>,
}

/// One exhibit.
#[derive(Debug, Clone, Serialize)]
pub struct Exhibit {
    /// E-0001.
    pub id: String,
    /// The seal entry's sequence number.
    pub seal_seq: u64,
    /// The seal entry's time.
    pub sealed_at: String,
    /// Who sealed it.
    pub sealed_by: String,
    /// The seal body as recorded.
    pub seal: Seal,
    /// Current seal number.
    pub seal_no: Option<String>,
    /// Current holder's name.
    pub holder: String,
    /// Current state.
    pub state: String,
    /// Every event, in ledger order, the seal included.
    pub events: Vec<Event>,
    /// Directory and tar: what its members are, summarised. The member list itself is not
    /// kept (`seal.artifact.members` is `None` here, but for an EWF image's segments): it is in the ledger, which the evidence
    /// variant attaches, so a document and its memory do not grow with the member count.
    pub members: Option<MembersSummary>,
}

/// The members of a sealed directory or tar, summarised for a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MembersSummary {
    /// Members recorded (files, directories, links).
    pub count: u64,
    /// Regular files among them.
    pub files: u64,
    /// The files' total size in bytes.
    pub total_size: u64,
    /// The first few file paths, in the seal's order.
    pub examples: Vec<String>,
    /// SHA-256 of the sha256sum-format manifest of the files (FORMAT.md 6.3).
    pub manifest_sha256: Option<String>,
}

/// How many member paths a summary gives as examples.
pub const MEMBER_EXAMPLES: usize = 5;

/// Takes the member list out of a seal body, leaving its summary: what a document needs, in
/// memory that does not depend on the member count once the parsed line is dropped. A
/// member file (FORMAT.md 6.2) of the case directory `root` is read as a stream, checked as
/// it is read: a document is never made from one that is not the sealed one.
fn summarise_members(root: &std::path::Path, seal: &mut Seal) -> Result<Option<MembersSummary>> {
    // An EWF image keeps its segment list (a handful of files, at most libewf's naming
    // allows): the verification commands name each segment.
    let sum = summary(root, seal)?;
    if seal.artifact.kind != "ewf" {
        seal.artifact.members = None;
    }
    Ok(sum)
}

/// The summary of `seal`'s members, read from its line or its member file.
fn summary(root: &std::path::Path, seal: &Seal) -> Result<Option<MembersSummary>> {
    let Some(members) = crate::store::member_file::members_of(root, &seal.artifact)? else {
        return Ok(None);
    };
    let mut sum = MembersSummary {
        manifest_sha256: seal.artifact.manifest_sha256.clone(),
        ..MembersSummary::default()
    };
    for m in members {
        let m = m.map_err(|e| {
            Error::input(format!(
                "{}: {e}; no document was made. Run `scelle verify`",
                seal.exhibit
            ))
        })?;
        sum.count += 1;
        if m.kind == "file" {
            sum.files += 1;
            sum.total_size = sum.total_size.saturating_add(m.size.unwrap_or(0));
            if sum.examples.len() < MEMBER_EXAMPLES {
                sum.examples.push(m.path.clone());
            }
        }
    }
    Ok(Some(sum))
}

/// A key of the case.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Name.
    pub name: String,
    /// The holder's full name, as recorded with the key.
    pub full_name: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Key id.
    pub id: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Entry that enrolled it.
    pub enrolled_at: u64,
    /// Entry that revoked it, and why.
    pub revoked: Option<(u64, String)>,
}

/// The latest checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointInfo {
    /// Tree size.
    pub size: u64,
    /// Root, base64.
    pub root: String,
    /// The whole signed note.
    pub text: String,
    /// File name inside the case.
    pub file: String,
}

/// What the ledger says, for a report.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerData {
    /// The case (from entry 0).
    pub case: crate::format::body::CaseInfo,
    /// Every exhibit, in order.
    pub exhibits: Vec<Exhibit>,
    /// Every key.
    pub keys: Vec<KeyInfo>,
    /// Latest checkpoint.
    pub checkpoint: CheckpointInfo,
    /// Verification of the ledger and checkpoints (artifacts not re-hashed).
    pub verification: Report,
    /// Time of the last entry: the report's date, so that rendering is deterministic.
    pub as_of: String,
    /// Number of entries.
    pub entries: u64,
    /// Every IOC scan recorded, in ledger order.
    pub scans: Vec<ScanData>,
    /// The correlation with other cases, when the report was asked for one.
    pub correlation: Option<crate::case::correlate::Correlation>,
    /// The file name the document is written as (`scelle report --out`), for the printed
    /// step that finds its SHA-256 in the ledger; `None`: a placeholder is printed.
    pub document_file: Option<String>,
    /// Whether the document carries the ledger as an attachment (the evidence variant), for
    /// the printed `pdfdetach` step.
    pub ledger_attached: bool,
}

/// One recorded IOC scan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScanData {
    /// Its entry.
    pub seq: u64,
    /// When it was recorded.
    pub time: String,
    /// Who signed it.
    pub by: String,
    /// The body.
    pub scan: crate::format::body::IocScan,
    /// The valid reviews of each finding (one list per entry of `scan.matches`), in ledger
    /// order: the last is the finding's current decision (FORMAT.md 6.11).
    pub reviews: Vec<Vec<crate::case::scans::RecordedReview>>,
}

impl ScanData {
    /// The current review of finding `i`, if any.
    pub fn current(&self, i: usize) -> Option<&crate::case::scans::RecordedReview> {
        self.reviews.get(i).and_then(|r| r.last())
    }
}

/// Reads the whole ledger once and gathers the report data.
pub fn gather(case: &CaseDir) -> Result<LedgerData> {
    let mut state = ChainState::new();
    let mut exhibits: Vec<Exhibit> = Vec::new();
    let mut as_of = String::new();
    let mut scans = Vec::new();
    // Signatures are checked on every core as the ledger is read.
    let book = KeyBook::default();
    read_checked(&case.ledger(), &book, |raw, verdict| {
        let RawLine::Line { bytes, .. } = raw else {
            return Err(Error::input(format!(
                "{}: incomplete last line; run `scelle repair` before reporting",
                case.ledger().display()
            )));
        };
        let applied = book.apply(&mut state, &std::sync::Arc::new(bytes), verdict.as_ref());
        let valid = applied.first_error().is_none();
        let (Some(e), Some(mut body)) = (applied.entry, applied.body) else {
            return Ok(());
        };
        let members = match &mut body {
            Body::Seal(s) => summarise_members(case.root(), s)?,
            _ => None,
        };
        as_of = e.time.clone();
        if let Body::IocScan(scan) = &body {
            scans.push(ScanData {
                seq: e.seq,
                time: e.time.clone(),
                by: state
                    .key(&e.key)
                    .map(|k| k.record.name.clone())
                    .unwrap_or_else(|| e.key.clone()),
                reviews: vec![Vec::new(); scan.matches.len()],
                scan: (**scan).clone(),
            });
        }
        // Only a valid review names a finding (the chain rules of FORMAT.md 6.11).
        if let (Body::IocReview(r), true) = (&body, valid) {
            if let Some(list) = scans
                .iter_mut()
                .find(|s| s.seq == r.scan)
                .and_then(|s| s.reviews.get_mut(r.finding as usize))
            {
                list.push(crate::case::scans::RecordedReview {
                    entry: e.seq,
                    time: e.time.clone(),
                    by: state
                        .key(&e.key)
                        .map(|k| k.record.name.clone())
                        .unwrap_or_else(|| e.key.clone()),
                    decision: r.decision.clone(),
                    reason: r.reason.clone(),
                });
            }
        }
        if let Body::Seal(s) = &body {
            if let Some(c) = state.custody.get(&s.exhibit) {
                exhibits.push(Exhibit {
                    id: s.exhibit.clone(),
                    seal_seq: e.seq,
                    sealed_at: e.time.clone(),
                    sealed_by: state
                        .key(&e.key)
                        .map(|k| k.record.name.clone())
                        .unwrap_or_default(),
                    seal: (**s).clone(),
                    seal_no: c.seal_no.clone(),
                    holder: String::new(),
                    state: String::new(),
                    events: Vec::new(),
                    members,
                });
            }
        }
        let signer = state
            .key(&e.key)
            .map(|k| (k.record.name.clone(), k.record.role.clone()));
        for ex in body.exhibits() {
            let (Some(x), Some(c)) = (
                exhibits.iter_mut().find(|x| x.id == ex),
                state.custody.get(ex),
            ) else {
                continue;
            };
            x.events.push(Event {
                seq: e.seq,
                time: e.time.clone(),
                kind: e.kind.clone(),
                by: signer
                    .as_ref()
                    .map(|s| s.0.clone())
                    .unwrap_or_else(|| e.key.clone()),
                by_role: signer.as_ref().and_then(|s| s.1.clone()),
                body: body.clone(),
                holder: state
                    .key(&c.holder)
                    .map(|k| k.record.name.clone())
                    .unwrap_or_default(),
                state: c.status.name().into(),
                seal_no: c.seal_no.clone(),
            });
        }
        Ok(())
    })?;
    let case_info = state.case.clone().ok_or_else(|| {
        Error::input(format!(
            "{}: the ledger is empty; nothing to report",
            case.root().display()
        ))
    })?;
    for x in &mut exhibits {
        if let Some(c) = state.custody.get(&x.id) {
            x.holder = state
                .key(&c.holder)
                .map(|k| k.record.name.clone())
                .unwrap_or_default();
            x.state = c.status.name().into();
            x.seal_no = c.seal_no.clone();
        }
    }
    let keys = state
        .keys
        .iter()
        .map(|k| KeyInfo {
            name: k.record.name.clone(),
            full_name: k.record.full_name.clone(),
            role: k.record.role.clone(),
            id: k.record.id.clone(),
            fingerprint: crate::format::chain::record_public_key(&k.record)
                .map(|pk| fingerprint(&pk))
                .unwrap_or_default(),
            enrolled_at: k.enrolled_at,
            revoked: k
                .revoked_at
                .map(|at| (at, k.revoked_reason.clone().unwrap_or_default())),
        })
        .collect();
    let cp = checkpoints::latest(case, &state)?;
    let checkpoint = CheckpointInfo {
        size: cp.checkpoint.size,
        root: crate::format::encoding::b64(&cp.checkpoint.root),
        text: cp.note.encode(),
        file: format!("checkpoints/{}", checkpoints::file_name(cp.checkpoint.size)),
    };
    let mut verification = verify(
        case,
        VerifyOptions::default(),
        &crate::store::hashing::no_progress,
    )?;
    // Timing figures would make the output depend on the machine: drop them.
    verification.elapsed_ms = 0;
    verification.entries_per_second = 0;
    for w in &mut verification.witnesses {
        w.file = std::path::Path::new(&w.file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    for t in &mut verification.timestamps {
        t.file = std::path::Path::new(&t.file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    for f in &mut verification.findings {
        if let Some(file) = &f.file {
            f.file = std::path::Path::new(file)
                .file_name()
                .map(|x| x.to_string_lossy().into_owned());
        }
    }
    Ok(LedgerData {
        case: case_info,
        exhibits,
        keys,
        checkpoint,
        verification,
        as_of,
        entries: state.size,
        scans,
        correlation: None,
        document_file: None,
        ledger_attached: false,
    })
}
