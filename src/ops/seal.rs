//! `scelle seal`: hash artifacts (files, directories, tars) and record each as a signed `seal`
//! entry. All hashing happens before the ledger is locked; if any artifact fails, nothing is
//! written.

use crate::case::measure::{measure_for_seal, ArtifactKind};
use crate::error::{Error, IoContext, Result};
use crate::format::body::{
    exhibit_id, Acquisition, Artifact, Body, Item, Seal, Software, SourceHashCheck,
};
use crate::format::chain::Custody;
use crate::store::case::CaseDir;
use crate::store::hashing::{HashSelection, Progress};
use crate::store::keyfile::LoadedKey;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Options of `seal`.
#[derive(Debug, Clone, Default)]
pub struct SealOptions {
    /// Seal number (one path only).
    pub seal_no: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Digests besides SHA-256.
    pub hashes: HashSelection,
    /// How to treat the paths.
    pub kind: ArtifactKind,
    /// The item as found.
    pub item: Item,
    /// The acquisition.
    pub acquisition: Acquisition,
}

/// One sealed exhibit.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Its exhibit id.
    pub exhibit: String,
    /// The entry's sequence number.
    pub seq: u64,
    /// The artifact record.
    pub artifact: Artifact,
    /// The acquisition tool's hashes of the source against the sealed ones (none given:
    /// empty). A mismatch is recorded all the same: it is a fact of the acquisition.
    pub source_hashes: Vec<SourceHashCheck>,
    /// Earlier exhibits with the same SHA-256 or the same current seal number: sealed all
    /// the same, and said (the same file sealed twice, a seal number typed twice).
    pub duplicates: Vec<Duplicate>,
}

/// What a new seal has in common with an earlier exhibit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Same {
    /// The same SHA-256 (for a folder, the same manifest: the same files).
    Sha256,
    /// The same seal number.
    SealNo,
}

/// An earlier exhibit a new seal duplicates.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    /// What they have in common.
    pub same: Same,
    /// The earlier exhibit.
    pub exhibit: String,
    /// Its seal entry.
    pub entry: u64,
}

/// The exhibits `like` (same SHA-256 `sha256` or current seal number `seal_no`) as
/// duplicates.
fn duplicates(like: &[(String, Custody)], sha256: &str, seal_no: Option<&str>) -> Vec<Duplicate> {
    let mut out = Vec::new();
    for (id, c) in like {
        if c.sealed_sha256 == sha256 {
            out.push(Duplicate {
                same: Same::Sha256,
                exhibit: id.clone(),
                entry: c.seal_seq,
            });
        }
        if seal_no.is_some() && c.seal_no.as_deref() == seal_no {
            out.push(Duplicate {
                same: Same::SealNo,
                exhibit: id.clone(),
                entry: c.seal_seq,
            });
        }
    }
    out
}

impl SealOutcome {
    /// Whether every source hash given matches the sealed artifact, and every EWF image
    /// read whole with the digests it stores.
    pub fn sources_match(&self) -> bool {
        self.sealed.iter().all(|s| {
            s.source_hashes.iter().all(|c| c.matches)
                && s.artifact.ewf.as_ref().is_none_or(|e| e.intact())
        })
    }
}

/// What `seal` did.
#[derive(Debug)]
pub struct SealOutcome {
    /// The exhibits, in order.
    pub sealed: Vec<Sealed>,
    /// The checkpoint written.
    pub checkpoint: Option<PathBuf>,
}

fn path_string(p: &Path) -> Result<String> {
    p.to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::input(format!("{}: path is not UTF-8; rename it", p.display())))
}

/// Checks the user's metadata before anything is hashed.
/// Whether the digits pass the Luhn check (ISO/IEC 7812-1), as an IMEI's and an ICCID's last
/// digit must.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A phone's identifiers as typed: IMEIs of 14 digits (no check digit), 15 (the last a Luhn
/// check digit) or 16 (IMEISV); ICCIDs of 18 to 22 digits, the Luhn check verified for 19 or
/// 20; IMSIs of 6 to 15 digits; phone numbers of digits, spaces and `+ - ( ) .`. A typo is
/// refused before anything is read, the number and the rule named.
fn check_phone_identifiers(item: &Item) -> Result<()> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    for imei in &item.imei {
        let ok = digits(imei)
            && match imei.len() {
                14 | 16 => true,
                15 => luhn_ok(imei),
                _ => false,
            };
        if !ok {
            return Err(Error::input(format!(
                "--imei {imei:?}: an IMEI is 15 digits whose last is a check digit (14 without it, 16 for an IMEISV), written without spaces; check it against the device's label or *#06# (nothing was sealed)"
            )));
        }
    }
    for iccid in &item.iccid {
        let ok = digits(iccid)
            && (18..=22).contains(&iccid.len())
            && (!matches!(iccid.len(), 19 | 20) || luhn_ok(iccid));
        if !ok {
            return Err(Error::input(format!(
                "--iccid {iccid:?}: an ICCID is 18 to 22 digits (19 or 20 with a check digit), written without spaces; check it against the SIM card (nothing was sealed)"
            )));
        }
    }
    for imsi in &item.imsi {
        if !(digits(imsi) && (6..=15).contains(&imsi.len())) {
            return Err(Error::input(format!(
                "--imsi {imsi:?}: an IMSI is at most 15 digits (country, network, subscriber), written without spaces (nothing was sealed)"
            )));
        }
    }
    for n in &item.phone_number {
        let ok = n.bytes().any(|b| b.is_ascii_digit())
            && n.bytes()
                .all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
        if !ok {
            return Err(Error::input(format!(
                "--phone-number {n:?}: digits, spaces and + - ( ) . only, e.g. +33612345678 (nothing was sealed)"
            )));
        }
    }
    Ok(())
}

/// Checks the paths and the user's metadata before anything is read: what [`seal`] refuses
/// first.
pub fn check_options(paths: &[PathBuf], opts: &SealOptions) -> Result<()> {
    if paths.is_empty() {
        return Err(Error::input("no path to seal"));
    }
    if opts.seal_no.is_some() && paths.len() > 1 {
        return Err(Error::input(
            "--seal-no names one exhibit: seal the paths one at a time, each with its seal number",
        ));
    }
    let acq = &opts.acquisition;
    for (flag, value, digits) in [
        ("--source-sha256", &acq.source_sha256, 64),
        ("--source-sha1", &acq.source_sha1, 40),
        ("--source-md5", &acq.source_md5, 32),
    ] {
        if let Some(s) = value {
            let ok = s.len() == digits && s.bytes().all(|c| c.is_ascii_hexdigit());
            if !ok {
                return Err(Error::input(format!(
                    "{flag} {s:?} is not {digits} hex digits; copy the value from the acquisition tool's log (nothing was sealed)"
                )));
            }
        }
    }
    check_phone_identifiers(&opts.item)?;
    if let Some(t) = &opts.acquisition.acquired_at {
        if crate::format::time::parse_rfc3339(t).is_none() {
            return Err(Error::input(format!(
                "--acquired-at {t:?} is not an RFC 3339 time with offset, e.g. 2026-11-20T14:05:00+01:00"
            )));
        }
    }
    for p in paths {
        std::fs::metadata(p).map_err(|e| {
            Error::input(format!(
                "{}: {e}; check the path (nothing was sealed)",
                p.display()
            ))
        })?;
        path_string(p)?;
    }
    Ok(())
}

/// What an EWF image's header says of its acquisition, where the user said nothing (FORMAT.md
/// 6.2, EWF images): the examiner is the operator; the acquisition date is `acquired_at` only
/// when the header gives it in UTC (header2); the stored MD5 and SHA-1 are the acquisition
/// tool's hashes of the source, compared with the media's as for `--source-md5`; the
/// software version is the tool's version.
fn from_ewf_header(acq: &mut Acquisition, e: &crate::format::body::EwfImage) {
    let h = &e.header;
    if acq.operator.is_none() {
        acq.operator = h.examiner.clone();
    }
    if acq.acquired_at.is_none() && e.header_source == "header2" {
        acq.acquired_at = h.acquisition_date.clone();
        if acq.acquired_at.is_some() && acq.clock.is_none() {
            acq.clock = Some("acquisition system (EWF header2, UTC)".into());
        }
    }
    if acq.tool.is_none() && h.software_version.is_some() {
        acq.tool = Some("EWF acquisition software (name not stored in the image)".into());
    }
    if acq.tool_version.is_none() {
        acq.tool_version = h.software_version.clone();
    }
    if acq.source_md5.is_none() {
        acq.source_md5 = e.md5.stored.clone();
    }
    if acq.source_sha1.is_none() {
        acq.source_sha1 = e.sha1.stored.clone();
    }
    if acq.source_sha256.is_none() {
        acq.source_sha256 = e.sha256.as_ref().and_then(|d| d.stored.clone());
    }
}

/// An EWF image's description, from its header (description and case / evidence numbers).
fn ewf_description(a: &Artifact) -> Option<String> {
    let h = &a.ewf.as_ref()?.header;
    let mut parts = Vec::new();
    if let Some(d) = &h.description {
        parts.push(d.clone());
    }
    if let Some(c) = &h.case_number {
        parts.push(format!("case {c}"));
    }
    if let Some(n) = &h.evidence_number {
        parts.push(format!("evidence {n}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The item: the user's, completed by an EWF image's media model and serial number.
fn ewf_item(a: &Artifact, given: &Item) -> Option<Item> {
    let mut item = given.clone();
    if let Some(e) = &a.ewf {
        if item.model.is_none() {
            item.model = e.header.model.clone();
        }
        if item.serial.is_none() {
            item.serial = e.header.serial.clone();
        }
    }
    (item != Item::default()).then_some(item)
}

/// Measures each of `paths` for a seal, in order (with the digests of `hashes`); the
/// artifacts, their paths filled in.
fn measure_all(
    case: &CaseDir,
    paths: &[PathBuf],
    opts: &SealOptions,
    hashes: HashSelection,
    wants_legacy: bool,
    progress: Progress,
) -> Result<Vec<Artifact>> {
    let mut measured = Vec::new();
    for p in paths {
        let mut a = measure_for_seal(p, opts.kind, hashes, progress, case.root())?;
        if wants_legacy && a.hashes.legacy_md5.is_none() {
            return Err(Error::input(format!(
                "{}: a {} has no MD5 or SHA-1 of its own (only its manifest's SHA-256): \
                 --source-md5 and --source-sha1 compare a file or a tar (nothing was sealed)",
                p.display(),
                a.kind
            )));
        }
        a.path_given = path_string(p)?;
        a.path_resolved = path_string(&std::fs::canonicalize(p).at(p)?)?;
        measured.push(a);
    }
    Ok(measured)
}

/// Seals `paths` into the case, signed by `key`.
pub fn seal(
    case: &CaseDir,
    paths: &[PathBuf],
    key: &LoadedKey,
    opts: &SealOptions,
    progress: Progress,
) -> Result<SealOutcome> {
    seal_with_key(case, paths, || Ok(key), opts, progress)
}

/// [`seal`], with the signing key given by `key` once every artifact is measured (and before
/// the ledger is opened): the binary decrypts it while the artifacts are hashed. If `key`
/// fails, nothing is recorded.
pub fn seal_with_key<K: std::borrow::Borrow<LoadedKey>>(
    case: &CaseDir,
    paths: &[PathBuf],
    key: impl FnOnce() -> Result<K>,
    opts: &SealOptions,
    progress: Progress,
) -> Result<SealOutcome> {
    check_options(paths, opts)?;
    // A source MD5 or SHA-1 is compared with the same digest of the artifact, computed in
    // the same pass as its SHA-256 (and recorded, as `--legacy-hashes` would).
    let wants_legacy =
        opts.acquisition.source_md5.is_some() || opts.acquisition.source_sha1.is_some();
    let hashes = HashSelection {
        legacy: opts.hashes.legacy || wants_legacy,
        ..opts.hashes
    };
    // A key that fails is the error, whatever the measuring found.
    let measured = measure_all(case, paths, opts, hashes, wants_legacy, progress);
    let key = key()?;
    let key = key.borrow();
    let measured = measured?;
    let mut app = crate::case::appender::open_appender(case, key)?;
    let parent = match &opts.acquisition.parent {
        Some(p) => Some(
            crate::case::exhibit::resolve(app.state(), p)
                .map_err(|e| Error::input(format!("--parent {p}: {e}")))?,
        ),
        None => None,
    };
    let mut sealed = Vec::new();
    for artifact in measured {
        let exhibit = exhibit_id(app.state().exhibits + 1);
        let seal_no = opts.seal_no.as_deref();
        let like = app.exhibits_like(&artifact.hashes.sha256, seal_no)?;
        let duplicates = duplicates(&like, &artifact.hashes.sha256, seal_no);
        let mut acquisition = opts.acquisition.clone();
        acquisition.parent = parent.clone();
        if let Some(e) = &artifact.ewf {
            from_ewf_header(&mut acquisition, e);
        }
        for source in [
            &mut acquisition.source_sha256,
            &mut acquisition.source_sha1,
            &mut acquisition.source_md5,
        ]
        .into_iter()
        .flatten()
        {
            source.make_ascii_lowercase();
        }
        let hashes = &artifact.hashes;
        let compare = |source: &Option<String>, sealed: Option<&String>| {
            source.as_ref().map(|s| Some(s) == sealed)
        };
        acquisition.source_hash_matches = compare(&acquisition.source_sha256, Some(&hashes.sha256));
        acquisition.source_sha1_matches =
            compare(&acquisition.source_sha1, hashes.legacy_sha1.as_ref());
        acquisition.source_md5_matches =
            compare(&acquisition.source_md5, hashes.legacy_md5.as_ref());
        // The artifact (with every member of a directory or tar) moves into the body and
        // back out: the entry is written straight from it, never copied.
        let body = Body::Seal(Box::new(Seal {
            exhibit: exhibit.clone(),
            seal_no: opts.seal_no.clone(),
            description: opts
                .description
                .clone()
                .or_else(|| ewf_description(&artifact)),
            item: ewf_item(&artifact, &opts.item),
            acquisition: (acquisition != Acquisition::default()).then_some(acquisition),
            artifact,
            hashed_by: Software {
                name: "scelle".into(),
                version: crate::VERSION.into(),
            },
        }));
        let seq = app.append_body(&body, key, crate::format::time::now_utc())?;
        let Body::Seal(body) = body else {
            unreachable!("built as a seal")
        };
        let source_hashes = body
            .acquisition
            .as_ref()
            .map(|a| a.source_hash_checks(&body.artifact.hashes))
            .unwrap_or_default();
        sealed.push(Sealed {
            exhibit,
            seq,
            artifact: body.artifact,
            source_hashes,
            duplicates,
        });
    }
    let checkpoint = app.finish(key)?;
    Ok(SealOutcome { sealed, checkpoint })
}

#[cfg(test)]
mod phone_tests {
    use super::*;

    #[test]
    fn phone_identifiers_are_checked_by_their_rules() {
        assert!(luhn_ok("490154203237518")); // the IMEI of 3GPP TS 23.003's example
        assert!(!luhn_ok("490154203237519"));
        let item = |imei: &str, iccid: &str| Item {
            imei: vec![imei.into()],
            iccid: vec![iccid.into()],
            ..Default::default()
        };
        assert!(check_phone_identifiers(&item("490154203237518", "89330123456789012342")).is_ok());
        for (imei, iccid) in [
            ("490154203237519", "89330123456789012342"),
            ("4901 5420 3237 518", "89330123456789012342"),
            ("49015420323751", "89330123456789012343"),
        ] {
            assert!(
                check_phone_identifiers(&item(imei, iccid)).is_err(),
                "{imei} {iccid}"
            );
        }
    }
}
