//! Correlating IOC findings across cases (case directories or evidence bundles): the
//! indicators matched in more than one case, read by `ioc correlate` and by reports.

use crate::case::scans::findings;
use crate::error::{Error, Result};
use crate::store::case::CaseDir;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Matches grouped by (indicator kind, value), with what each side says it indicates.
type ByValue = BTreeMap<(String, String), Vec<(SideMatch, Vec<String>)>>;

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
