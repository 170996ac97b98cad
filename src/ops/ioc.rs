//! `scelle ioc`: scan sealed exhibits for indicators of compromise from STIX 2.1 files and
//! record what was found (or that nothing was) as a signed `ioc.scan` entry; list the findings;
//! correlate the findings of several cases.
//!
//! A scan re-hashes each exhibit while it searches it and refuses, recording nothing, if the
//! exhibit no longer matches its seal. The entry pins the SHA-256 of every IOC file used, and
//! the case keeps a copy of each as `ioc/SHA256.stix2`, so a third party can re-run the match.

use crate::case::verify::{compare_found, recorded_selection};
use crate::error::{Error, IoContext, Result};
use crate::format::body::{
    Artifact, Body, IocFileRecord, IocMatch, IocScan, OmittedMatches, ScannedExhibit, Seal,
    SkippedIndicators, Software, MAX_MATCHES_PER_INDICATOR,
};
use crate::format::chain::CustodyStatus;
use crate::format::encoding::hex;
use crate::format::iocmatch::{Hit, Matcher, On};
use crate::format::stix::{self, Bundle};
use crate::format::validate::manifest_sha256;
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::hashing::Progress;
use crate::store::iocscan::{self, Found};
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::{self, Appender, LineReader, RawLine};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Hits with the member they are in (`None` for a single-file exhibit).
type MemberHits = Vec<(Option<String>, Hit)>;

/// Matches grouped by (indicator kind, value), with what each side says it indicates.
type ByValue = BTreeMap<(String, String), Vec<(SideMatch, Vec<String>)>>;

/// IOC files larger than this are refused (the largest public bundles are a few MiB).
pub const MAX_IOC_FILE: u64 = 256 << 20;

/// An IOC file read and parsed.
#[derive(Debug, Clone)]
pub struct IocFile {
    /// The path given.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its indicators.
    pub bundle: Bundle,
}

impl IocFile {
    /// Its file name, without directory.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    /// Its record in a scan entry.
    pub fn record(&self, names_only: u64) -> IocFileRecord {
        IocFileRecord {
            file: self.name(),
            sha256: self.sha256.clone(),
            size: self.bytes.len() as u64,
            bundle: (!self.bundle.id.is_empty()).then(|| self.bundle.id.clone()),
            indicator_objects: self.bundle.indicator_objects,
            used: self.bundle.indicators.len() as u64,
            names_only,
            skipped: stix::skipped_by_reason(&self.bundle.skipped, 5)
                .into_iter()
                .map(|(reason, count, examples)| SkippedIndicators {
                    reason,
                    count,
                    examples,
                })
                .collect(),
            names: self.bundle.named.clone(),
        }
    }
}

/// Reads and parses an IOC file; every problem names the file.
pub fn load_ioc_file(path: &Path) -> Result<IocFile> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::input(format!(
            "{}: {e}; give the path of a STIX 2.1 bundle (.stix2)",
            path.display()
        ))
    })?;
    if !meta.is_file() || meta.len() > MAX_IOC_FILE {
        return Err(Error::input(format!(
            "{}: not a regular file of at most {} MiB; give a STIX 2.1 bundle",
            path.display(),
            MAX_IOC_FILE >> 20
        )));
    }
    let bytes = std::fs::read(path).at(path)?;
    let bundle = stix::parse_bundle(&bytes).map_err(|e| {
        Error::input(format!(
            "{}: {e}; nothing was scanned (check the file is the STIX 2.1 bundle you meant)",
            path.display()
        ))
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    Ok(IocFile {
        path: path.to_path_buf(),
        bytes,
        sha256,
        bundle,
    })
}

/// Options of `ioc scan`.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The IOC files.
    pub stix: Vec<PathBuf>,
    /// The exhibits to scan; empty: every exhibit not disposed of.
    pub exhibits: Vec<String>,
    /// Where to read an exhibit, when not at its sealed path (e.g. counsel's copy).
    pub paths: BTreeMap<String, PathBuf>,
}

/// What `ioc scan` recorded.
#[derive(Debug)]
pub struct ScanOutcome {
    /// The entry's sequence number.
    pub seq: u64,
    /// The body recorded.
    pub scan: IocScan,
    /// The checkpoint written after it.
    pub checkpoint: Option<PathBuf>,
}

/// The exhibits to scan, in exhibit order: those named, or every one not disposed of.
fn chosen_exhibits(
    state: &crate::format::chain::ChainState,
    wanted: &[String],
) -> Result<Vec<String>> {
    if wanted.is_empty() {
        let all: Vec<String> = state
            .custody
            .iter()
            .filter(|(_, c)| !matches!(c.status, CustodyStatus::Disposed { .. }))
            .map(|(ex, _)| ex.clone())
            .collect();
        if all.is_empty() {
            return Err(Error::input(
                "no exhibit to scan: seal one first (disposed exhibits are not scanned)",
            ));
        }
        return Ok(all);
    }
    let mut out = Vec::new();
    for ex in wanted {
        let c = state.custody.get(ex).ok_or_else(|| {
            Error::input(format!(
                "exhibit {ex} does not exist in this case; `scelle log` lists them"
            ))
        })?;
        if matches!(c.status, CustodyStatus::Disposed { .. }) {
            return Err(Error::input(format!(
                "exhibit {ex} was disposed of; it cannot be scanned"
            )));
        }
        if !out.contains(ex) {
            out.push(ex.clone());
        }
    }
    Ok(out)
}

/// Re-hashes and searches one exhibit; refuses if it no longer matches its seal.
fn scan_exhibit(
    seal: &Seal,
    path: &Path,
    m: &Matcher,
    progress: Progress,
) -> Result<(ScannedExhibit, MemberHits)> {
    let rec = &seal.artifact;
    let mut sel = recorded_selection(seal);
    sel.legacy |= m.needs_legacy_digests();
    let unreadable = |e: Error| {
        Error::input(format!(
            "{}: cannot re-hash {} ({e}); scan refused, nothing recorded. If the exhibit is \
             elsewhere, give --path {}=PATH",
            seal.exhibit,
            path.display(),
            seal.exhibit
        ))
    };
    // Nothing is read from a path that is no longer the kind and size sealed.
    if let Some(f) = crate::case::verify::precheck(seal, path) {
        return Err(Error::input(format!(
            "{}: {} ({}); scan refused, nothing recorded. If the exhibit is elsewhere, give --path {}=PATH",
            seal.exhibit,
            f.message,
            f.code,
            seal.exhibit
        )));
    }
    let mut now = Artifact {
        kind: rec.kind.clone(),
        path_given: String::new(),
        path_resolved: String::new(),
        size: 0,
        hashes: Default::default(),
        compression: rec.compression.clone(),
        manifest_sha256: None,
        file_count: None,
        members: None,
    };
    let found: Found = match rec.kind.as_str() {
        "file" => {
            let (size, hashes, found) =
                iocscan::scan_file(path, sel, m, progress).map_err(unreadable)?;
            now.size = size;
            now.hashes = hashes;
            refuse_if_changed(seal, path, &now)?;
            found
        }
        "tar" => {
            let gzip = rec.compression.as_deref() == Some("gzip");
            let (t, found) = iocscan::scan_tar(path, gzip, sel, m, progress).map_err(unreadable)?;
            now.size = t.size;
            now.hashes = t.hashes;
            now.manifest_sha256 = Some(manifest_sha256(&t.members));
            now.file_count = Some(t.members.iter().filter(|x| x.kind == "file").count() as u64);
            now.members = Some(t.members);
            refuse_if_changed(seal, path, &now)?;
            found
        }
        _ => {
            now = crate::case::measure::measure(
                path,
                crate::case::measure::ArtifactKind::Auto,
                sel,
                progress,
            )
            .map_err(unreadable)?;
            let members = now.members.clone().unwrap_or_default();
            // Refused before the directory is read a second time, for the search.
            refuse_if_changed(seal, path, &now)?;
            iocscan::scan_directory_files(path, &members, sel, m).map_err(unreadable)?
        }
    };
    let mut hits = found.hits;
    match &now.members {
        Some(members) => {
            for mem in members {
                hits.extend(
                    m.path_hits(&mem.path)
                        .into_iter()
                        .map(|h| (Some(mem.path.clone()), h)),
                );
            }
        }
        None => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            hits.extend(
                m.path_hits(&name)
                    .into_iter()
                    .filter(|h| h.on == On::Name)
                    .map(|h| (None, h)),
            );
        }
    }
    let scanned = ScannedExhibit {
        exhibit: seal.exhibit.clone(),
        path: path.display().to_string(),
        sha256: now.hashes.sha256.clone(),
        files: found.files,
        bytes: found.bytes,
        matches: 0,
        omitted: Vec::new(),
    };
    Ok((scanned, hits))
}

fn refuse_if_changed(seal: &Seal, path: &Path, now: &Artifact) -> Result<()> {
    let diffs = compare_found(seal, path, now);
    if diffs.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = diffs.iter().take(5).map(|f| f.message.clone()).collect();
    Err(Error::input(format!(
        "{}: {} no longer matches its seal ({}{}); scan refused, nothing recorded. \
         `scelle verify --rehash` lists every difference",
        seal.exhibit,
        path.display(),
        listed.join("; "),
        if diffs.len() > 5 { "; ..." } else { "" }
    )))
}

/// The match record of a hit.
fn match_record(
    m: &Matcher,
    files: &[IocFile],
    exhibit: &str,
    member: Option<String>,
    h: Hit,
) -> IocMatch {
    let (f, ind) = &m.indicators[h.indicator];
    let several = h.offsets.len() > 1;
    IocMatch {
        ioc_file: files[*f].sha256.clone(),
        indicator: ind.id.clone(),
        pattern: ind.pattern.clone(),
        kind: ind.kind.key().to_string(),
        value: ind.value.clone(),
        indicates: ind.indicates.clone(),
        exhibit: exhibit.to_string(),
        member,
        on: h.on.name().to_string(),
        matched: h.matched,
        occurrences: h.occurrences,
        offset: h.offset,
        offsets: if several { h.offsets } else { Vec::new() },
        excerpt_start: h.excerpt_start,
        excerpt: h.excerpt,
    }
}

/// `scelle ioc scan`: scans the exhibits with the IOC files and records the result.
pub fn scan(
    case: &CaseDir,
    opts: &ScanOptions,
    key: &LoadedKey,
    progress: Progress,
) -> Result<ScanOutcome> {
    if opts.stix.is_empty() {
        return Err(Error::input(
            "no IOC file: give one or more --stix FILE.stix2",
        ));
    }
    let mut files: Vec<IocFile> = Vec::new();
    for p in &opts.stix {
        let f = load_ioc_file(p)?;
        if let Some(other) = files.iter().find(|o| o.sha256 == f.sha256) {
            return Err(Error::input(format!(
                "{} and {} are the same IOC file (SHA-256 {}); give it once",
                other.path.display(),
                p.display(),
                f.sha256
            )));
        }
        files.push(f);
    }
    for ex in opts.paths.keys() {
        if !opts.exhibits.is_empty() && !opts.exhibits.contains(ex) {
            return Err(Error::input(format!(
                "--path {ex}=...: {ex} is not among the exhibits to scan"
            )));
        }
    }
    let state = ledger::trusted_state(case, key)?;
    if state.size == 0 {
        return Err(Error::input(format!(
            "{}: the ledger is empty; seal an artifact first",
            case.ledger().display()
        )));
    }
    let exhibits = chosen_exhibits(&state, &opts.exhibits)?;
    let bundles: Vec<Bundle> = files.iter().map(|f| f.bundle.clone()).collect();
    let m = Matcher::new(&bundles);

    let mut scanned = Vec::new();
    let mut matches = Vec::new();
    for ex in &exhibits {
        let seal = crate::case::exhibit::seal_record(case, &state.custody[ex])?;
        let path = opts
            .paths
            .get(ex)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(&seal.artifact.path_resolved));
        let (mut s, hits) = scan_exhibit(&seal, &path, &m, progress)?;
        let mut recs: Vec<IocMatch> = hits
            .into_iter()
            .map(|(member, h)| match_record(&m, &files, ex, member, h))
            .collect();
        recs.sort_by(|a, b| {
            (&a.member, &a.indicator, &a.on, &a.matched).cmp(&(
                &b.member,
                &b.indicator,
                &b.on,
                &b.matched,
            ))
        });
        // At most MAX_MATCHES_PER_INDICATOR records per indicator (FORMAT.md 6.8): the first
        // in this order; the rest counted in the exhibit's `omitted`.
        let mut per: BTreeMap<(String, String), u64> = BTreeMap::new();
        recs.retain(|r| {
            let n = per
                .entry((r.ioc_file.clone(), r.indicator.clone()))
                .or_default();
            *n += 1;
            *n <= MAX_MATCHES_PER_INDICATOR
        });
        s.omitted = per
            .into_iter()
            .filter(|(_, n)| *n > MAX_MATCHES_PER_INDICATOR)
            .map(|((ioc_file, indicator), n)| OmittedMatches {
                ioc_file,
                indicator,
                matches: n - MAX_MATCHES_PER_INDICATOR,
            })
            .collect();
        s.matches = recs.len() as u64;
        scanned.push(s);
        matches.extend(recs);
    }
    let mut short = vec![0u64; files.len()];
    for &i in &m.too_short_for_content {
        short[m.indicators[i].0] += 1;
    }
    let body = IocScan {
        ioc_files: files
            .iter()
            .zip(&short)
            .map(|(f, &n)| f.record(n))
            .collect(),
        exhibits: scanned,
        matches,
        scanned_by: Software {
            name: "scelle".into(),
            version: crate::VERSION.into(),
        },
    };
    // The IOC files first: content-addressed, so a copy left by a refused append is harmless.
    let dir = case.ioc_dir();
    if !dir.exists() {
        std::fs::create_dir(&dir).at(&dir)?;
        fsutil::fsync_dir(case.root())?;
    }
    for f in &files {
        let dest = dir.join(format!("{}.stix2", f.sha256));
        if !dest.exists() {
            fsutil::atomic_write(&dest, &f.bytes, 0o644)?;
        }
    }
    let mut app = Appender::open(case, key)?;
    let body = Body::IocScan(Box::new(body));
    let seq = app.append_body(&body, key, crate::format::time::now_utc())?;
    let checkpoint = app.finish(key)?;
    let Body::IocScan(scan) = body else {
        unreachable!("built as a scan")
    };
    Ok(ScanOutcome {
        seq,
        scan: *scan,
        checkpoint,
    })
}

/// One recorded scan.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedScan {
    /// Its entry's sequence number.
    pub seq: u64,
    /// When it was recorded.
    pub time: String,
    /// Who signed it (name and key id).
    pub by: String,
    /// The body.
    pub scan: IocScan,
}

/// `scelle ioc findings`: every scan recorded in the case, in ledger order.
pub fn findings(case: &CaseDir) -> Result<Vec<RecordedScan>> {
    let ledger_path = case.ledger();
    let mut state = crate::format::chain::ChainState::new();
    let mut out = Vec::new();
    for raw in LineReader::open(&ledger_path)? {
        let RawLine::Line { bytes, .. } = raw? else {
            continue;
        };
        let seq = state.size;
        let applied = state.apply(&bytes);
        if let Some(e) = applied.first_error() {
            return Err(Error::input(format!(
                "{}: entry {seq}: {}; run `scelle verify` (findings are only listed from a ledger that verifies)",
                ledger_path.display(),
                e.message
            )));
        }
        if let (Some(Body::IocScan(scan)), Some(entry)) = (applied.body, applied.entry) {
            out.push(RecordedScan {
                seq,
                time: entry.time.clone(),
                by: state.who(&entry.key),
                scan: *scan,
            });
        }
    }
    Ok(out)
}

/// One case in a correlation.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSide {
    /// The case directory or bundle given.
    pub path: String,
    /// The case id.
    pub case_id: String,
    /// The case title.
    pub title: String,
    /// Entries in its ledger.
    pub entries: u64,
    /// Its Merkle root (base64), as in its checkpoints.
    pub root: String,
    /// Scans recorded.
    pub scans: u64,
    /// Matches recorded, over all scans.
    pub matches: u64,
    /// The IOC files its scans used: (file name, SHA-256).
    pub ioc_files: Vec<(String, String)>,
}

/// Where one side matched a shared indicator.
#[derive(Debug, Clone, Serialize)]
pub struct SideMatch {
    /// Index of the case in [`Correlation::cases`].
    pub case: usize,
    /// The `ioc.scan` entry that recorded it.
    pub entry: u64,
    /// The exhibit.
    pub exhibit: String,
    /// The member, for directories and tars.
    pub member: Option<String>,
    /// `content`, `path`, `name` or `hash`.
    pub on: String,
    /// The text found.
    pub matched: String,
    /// Occurrences.
    pub occurrences: u64,
    /// The indicator id in that side's IOC file.
    pub indicator: String,
    /// That IOC file's SHA-256.
    pub ioc_file: String,
}

/// An indicator matched in more than one case: infrastructure they share.
#[derive(Debug, Clone, Serialize)]
pub struct SharedIndicator {
    /// Its object path, e.g. `domain-name:value`.
    pub kind: String,
    /// The value (domain, process name, digest ...).
    pub value: String,
    /// What the IOC files say it indicates (union over the sides).
    pub indicates: Vec<String>,
    /// Indices of the cases where it matched.
    pub cases: Vec<usize>,
    /// Texts found identically in more than one case (e.g. the same subdomain).
    pub same_text: Vec<String>,
    /// Every match, case by case.
    pub matches: Vec<SideMatch>,
}

/// What `ioc correlate` found.
#[derive(Debug, Clone, Serialize)]
pub struct Correlation {
    /// The cases compared, in the order given.
    pub cases: Vec<CaseSide>,
    /// The indicators matched in more than one case, by kind then value.
    pub shared: Vec<SharedIndicator>,
    /// SHA-256 of IOC files used by more than one case.
    pub shared_ioc_files: Vec<String>,
}

/// `scelle ioc correlate`: the indicators matched in more than one of `cases` (case
/// directories, or evidence bundles: a file is read as a bundle and must check as a whole, as
/// by `verify-bundle`). Each case must verify first (its ledger's signatures, chain and
/// checkpoints).
pub fn correlate(cases: &[PathBuf]) -> Result<Correlation> {
    if cases.len() < 2 {
        return Err(Error::input("correlate needs two or more cases"));
    }
    let mut sides = Vec::new();
    let mut by_value: ByValue = BTreeMap::new();
    let mut file_users: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut bundles = Vec::new();
    for (i, p) in cases.iter().enumerate() {
        // An evidence bundle is read as hostile input and must check as a whole; its case is
        // then read from the private directory it was extracted into.
        let case_dir = if p.is_file() {
            let b = crate::case::bundle::extract_and_check(p, &Default::default())?;
            if !b.report.ok() {
                return Err(Error::input(format!(
                    "{}: the bundle does not verify; correlate only compares cases that verify \
                     — run `scelle verify-bundle {}`",
                    p.display(),
                    p.display()
                )));
            }
            let dir = b.case_dir();
            bundles.push(b);
            dir
        } else {
            p.clone()
        };
        let case = CaseDir::open(&case_dir)?;
        let report = crate::case::verify::verify(
            &case,
            crate::case::verify::VerifyOptions::default(),
            &crate::store::hashing::no_progress,
        )?;
        if !report.ok() {
            return Err(Error::input(format!(
                "{}: the case does not verify ({} errors, first: {}); correlate only compares \
                 cases that verify — run `scelle -C {} verify`",
                p.display(),
                report.errors(),
                report
                    .findings
                    .iter()
                    .find(|f| f.severity == crate::format::chain::Severity::Error)
                    .map(|f| f.message.as_str())
                    .unwrap_or("?"),
                p.display()
            )));
        }
        // The case's identity is the signed entry 0's, never the editable case.json.
        let info = crate::store::ledger::recorded_case(&case)?;
        let scans = findings(&case)?;
        let mut files = BTreeMap::new();
        let mut count = 0;
        for s in &scans {
            for f in &s.scan.ioc_files {
                files.insert(f.sha256.clone(), f.file.clone());
                file_users.entry(f.sha256.clone()).or_default().insert(i);
            }
            for mt in &s.scan.matches {
                count += 1;
                by_value
                    .entry((mt.kind.clone(), mt.value.clone()))
                    .or_default()
                    .push((
                        SideMatch {
                            case: i,
                            entry: s.seq,
                            exhibit: mt.exhibit.clone(),
                            member: mt.member.clone(),
                            on: mt.on.clone(),
                            matched: mt.matched.clone(),
                            occurrences: mt.occurrences,
                            indicator: mt.indicator.clone(),
                            ioc_file: mt.ioc_file.clone(),
                        },
                        mt.indicates.clone(),
                    ));
            }
        }
        sides.push(CaseSide {
            path: p.display().to_string(),
            case_id: info.case_id,
            title: info.title,
            entries: report.entries,
            root: report.root,
            scans: scans.len() as u64,
            matches: count,
            ioc_files: files.into_iter().map(|(h, n)| (n, h)).collect(),
        });
    }
    let mut shared = Vec::new();
    for ((kind, value), ms) in by_value {
        let in_cases: BTreeSet<usize> = ms.iter().map(|(s, _)| s.case).collect();
        if in_cases.len() < 2 {
            continue;
        }
        let mut text_cases: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (s, _) in &ms {
            text_cases
                .entry(s.matched.as_str())
                .or_default()
                .insert(s.case);
        }
        let same_text = text_cases
            .into_iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(t, _)| t.to_string())
            .collect();
        let indicates: BTreeSet<String> = ms.iter().flat_map(|(_, n)| n.iter().cloned()).collect();
        let mut matches: Vec<SideMatch> = ms.into_iter().map(|(s, _)| s).collect();
        matches.sort_by(|a, b| {
            (a.case, &a.exhibit, &a.member, a.entry).cmp(&(b.case, &b.exhibit, &b.member, b.entry))
        });
        shared.push(SharedIndicator {
            kind,
            value,
            indicates: indicates.into_iter().collect(),
            cases: in_cases.into_iter().collect(),
            same_text,
            matches,
        });
    }
    Ok(Correlation {
        cases: sides,
        shared,
        shared_ioc_files: file_users
            .into_iter()
            .filter(|(_, u)| u.len() > 1)
            .map(|(h, _)| h)
            .collect(),
    })
}
