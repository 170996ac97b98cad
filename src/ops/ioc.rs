//! `scelle ioc`: scan sealed exhibits for indicators of compromise from STIX 2.1 files and
//! record what was found (or that nothing was) as a signed `ioc.scan` entry; list the findings;
//! correlate the findings of several cases.
//!
//! A scan re-hashes each exhibit while it searches it and refuses, recording nothing, if the
//! exhibit no longer matches its seal. The entry pins the SHA-256 of every IOC file used, and
//! the case keeps a copy of each as `ioc/SHA256.stix2`, so a third party can re-run the match.

use crate::case::verify::{
    compare_found, recorded_selection, remeasure_archive_inspected, remeasure_directory_inspected,
};
use crate::error::{Error, IoContext, Result};
use crate::format::body::{
    Artifact, Body, IocFileRecord, IocMatch, IocScan, OmittedMatches, ScannedExhibit, Seal,
    SkippedIndicators, Software, MAX_MATCHES_PER_INDICATOR,
};
use crate::format::chain::CustodyStatus;
use crate::format::encoding::hex;
use crate::format::iocmatch::{Hit, Matcher, On};
use crate::format::stix::{self, Bundle};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::hashing::Progress;
use crate::store::iocscan::{self, Found};
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::{self, Appender};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Hits with the member they are in (`None` for a single-file exhibit).
type MemberHits = Vec<(Option<String>, Hit)>;

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
    let chosen = crate::case::exhibit::resolve_all(state, wanted)?;
    let disposed =
        |ex: &&String| matches!(state.custody[*ex].status, CustodyStatus::Disposed { .. });
    if let Some(ex) = chosen.iter().find(disposed) {
        return Err(Error::input(format!(
            "exhibit {ex} was disposed of; it cannot be scanned"
        )));
    }
    Ok(chosen)
}

/// Re-hashes and searches one exhibit; refuses if it no longer matches its seal.
fn scan_exhibit(
    root: &Path,
    seal: &Seal,
    path: &Path,
    m: &Matcher,
    progress: Progress,
) -> Result<(ScannedExhibit, MemberHits)> {
    let rec = &seal.artifact;
    let recorded = recorded_selection(root, seal);
    let mut sel = recorded;
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
        member_file: None,
        ewf: None,
    };
    // Hits on member paths found as the members are read (a tar or zip with a member file).
    let mut path_hits: MemberHits = Vec::new();
    let found: Found = match rec.kind.as_str() {
        "file" => {
            let (size, hashes, found) =
                iocscan::scan_file(path, sel, m, progress).map_err(unreadable)?;
            now.size = size;
            now.hashes = hashes;
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        "tar" | "zip" if rec.member_file.is_some() => {
            // Never all held: the members found are compared with the seal's member file by
            // its SHA-256, kept without the digests the seal does not record.
            let mut seen = |mem: &mut crate::format::body::Member| {
                add_path_hits(m, &mem.path, &mut path_hits);
                if let Some(h) = mem.hashes.as_mut().filter(|_| !recorded.legacy) {
                    h.legacy_md5 = None;
                    h.legacy_sha1 = None;
                }
            };
            let (found_now, found) = iocscan::search_beside(m, |f| {
                remeasure_archive_inspected(seal, path, sel, progress, f, &mut seen)
            })
            .map_err(unreadable)?;
            now = found_now;
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        "tar" => {
            let gzip = rec.compression.as_deref() == Some("gzip");
            let (t, found) = iocscan::scan_tar(path, gzip, sel, m, progress).map_err(unreadable)?;
            crate::case::measure::fill_archive(&mut now, "tar", t);
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        "zip" => {
            let (z, found) = iocscan::scan_zip(path, sel, m, progress).map_err(unreadable)?;
            crate::case::measure::fill_archive(&mut now, "zip", z);
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        "ewf" => {
            let (e, found) = iocscan::scan_ewf(path, sel, m, progress).map_err(unreadable)?;
            crate::case::measure::fill_ewf(&mut now, e);
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        "directory" if rec.member_file.is_some() => {
            // Never all held: the files found go to a private member file as they are hashed
            // (and searched), compared with the seal's by SHA-256.
            let (found_now, searches) =
                remeasure_directory_inspected(seal, path, sel, progress, || {
                    iocscan::file_search(m)
                })
                .map_err(unreadable)?;
            now = found_now;
            refuse_if_changed(root, seal, path, &now)?;
            if now.members.is_none() {
                // The members are the sealed ones: their paths, read from the member file.
                let sealed = crate::store::member_file::members_of(root, rec)?;
                for mem in sealed.into_iter().flatten() {
                    add_path_hits(m, &mem?.path, &mut path_hits);
                }
            }
            iocscan::found_in(m, searches)
        }
        "directory" => {
            let (members, found) =
                iocscan::scan_directory(path, sel, m, progress).map_err(unreadable)?;
            crate::case::measure::fill_directory(&mut now, members);
            // What was found is used only if every file read is the one sealed.
            refuse_if_changed(root, seal, path, &now)?;
            found
        }
        other => {
            return Err(Error::input(format!(
                "{}: an exhibit of kind {other} cannot be scanned by this version",
                seal.exhibit
            )))
        }
    };
    let mut hits = found.hits;
    hits.extend(path_hits);
    match &now.members {
        Some(members) => {
            for mem in members {
                add_path_hits(m, &mem.path, &mut hits);
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
        mentions: 0,
        omitted_mentions: Vec::new(),
    };
    Ok((scanned, hits))
}

/// The hits on a member's path (its name, its path, its extension), with the member.
fn add_path_hits(m: &Matcher, path: &str, out: &mut MemberHits) {
    out.extend(
        m.path_hits(path)
            .into_iter()
            .map(|h| (Some(path.to_string()), h)),
    );
}

fn refuse_if_changed(root: &Path, seal: &Seal, path: &Path, now: &Artifact) -> Result<()> {
    let diffs = compare_found(root, seal, path, now);
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
        location: h.location,
        matched: h.matched,
        occurrences: h.occurrences,
        offset: h.offset,
        offsets: if several { h.offsets } else { Vec::new() },
        excerpt_start: h.excerpt_start,
        excerpt: h.excerpt,
    }
}

/// Which hits are findings and which are mentions (FORMAT.md 6.8): a content hit of a network
/// indicator (domain, IPv4, URL, e-mail) is a finding, of any other kind a mention; every hit
/// in a structured value, a log line, a member path, name or digest is a finding. A content hit
/// of an indicator that also has a structured hit in the same file or member is left out (the
/// structured hit reads the same bytes in context).
fn findings_and_mentions(m: &Matcher, hits: MemberHits) -> (MemberHits, MemberHits) {
    let in_context: std::collections::BTreeSet<(Option<String>, usize)> = hits
        .iter()
        .filter(|(_, h)| h.on.structured())
        .map(|(member, h)| (member.clone(), h.indicator))
        .collect();
    let mut found = Vec::new();
    let mut mentioned = Vec::new();
    for (member, h) in hits {
        if h.on != On::Content {
            found.push((member, h));
        } else if in_context.contains(&(member.clone(), h.indicator)) {
            continue;
        } else if crate::format::iocvalue::is_network(m.indicators[h.indicator].1.kind) {
            found.push((member, h));
        } else {
            mentioned.push((member, h));
        }
    }
    (found, mentioned)
}

/// Sorts records by member, indicator, place, location and text matched, and keeps at most
/// MAX_MATCHES_PER_INDICATOR per indicator (FORMAT.md 6.8): the first in this order; the rest
/// are counted.
fn capped(mut recs: Vec<IocMatch>) -> (Vec<IocMatch>, Vec<OmittedMatches>) {
    recs.sort_by(|a, b| {
        (&a.member, &a.indicator, &a.on, &a.location, &a.matched).cmp(&(
            &b.member,
            &b.indicator,
            &b.on,
            &b.location,
            &b.matched,
        ))
    });
    let mut per: BTreeMap<(String, String), u64> = BTreeMap::new();
    recs.retain(|r| {
        let n = per
            .entry((r.ioc_file.clone(), r.indicator.clone()))
            .or_default();
        *n += 1;
        *n <= MAX_MATCHES_PER_INDICATOR
    });
    let omitted = per
        .into_iter()
        .filter(|(_, n)| *n > MAX_MATCHES_PER_INDICATOR)
        .map(|((ioc_file, indicator), n)| OmittedMatches {
            ioc_file,
            indicator,
            matches: n - MAX_MATCHES_PER_INDICATOR,
        })
        .collect();
    (recs, omitted)
}

/// The bytes [`scan`] with `opts` reads from the exhibits it scans (their sealed sizes,
/// [`crate::case::verify::rehash_bytes`]): the total of its progress bar. For display only.
pub fn scan_bytes(case: &CaseDir, opts: &ScanOptions) -> Result<u64> {
    let state = ledger::current_state(case)?;
    let exhibits = chosen_exhibits(&state, &opts.exhibits)?;
    crate::case::verify::rehash_bytes(case, Some(&exhibits))
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
    let state = ledger::trusted_state(case, key)?;
    if state.size == 0 {
        return Err(Error::input(format!(
            "{}: the ledger is empty; seal an artifact first",
            case.ledger().display()
        )));
    }
    let exhibits = chosen_exhibits(&state, &opts.exhibits)?;
    let paths = crate::case::exhibit::resolve_paths(&state, &opts.paths)?;
    for ex in paths.keys() {
        if !exhibits.contains(ex) {
            return Err(Error::input(format!(
                "--path {ex}=...: {ex} is not among the exhibits to scan"
            )));
        }
    }
    let bundles: Vec<Bundle> = files.iter().map(|f| f.bundle.clone()).collect();
    let m = Matcher::new(&bundles);

    let mut scanned = Vec::new();
    let mut matches = Vec::new();
    let mut mentions = Vec::new();
    for ex in &exhibits {
        let seal = crate::case::exhibit::seal_record(case, &state.custody[ex])?;
        let path = paths
            .get(ex)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(&seal.artifact.path_resolved));
        let (mut s, hits) = scan_exhibit(case.root(), &seal, &path, &m, progress)?;
        let (found, mentioned) = findings_and_mentions(&m, hits);
        let record = |hits: Vec<(Option<String>, Hit)>| -> Vec<IocMatch> {
            hits.into_iter()
                .map(|(member, h)| match_record(&m, &files, ex, member, h))
                .collect()
        };
        let (recs, omitted) = capped(record(found));
        let (ments, omitted_mentions) = capped(record(mentioned));
        s.omitted = omitted;
        s.omitted_mentions = omitted_mentions;
        s.mentions = ments.len() as u64;
        mentions.extend(ments);
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
        mentions,
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
