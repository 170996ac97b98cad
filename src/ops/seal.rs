//! `scelle seal`: hash artifacts (files, directories, tars) and record each as a signed `seal`
//! entry. All hashing happens before the ledger is locked; if any artifact fails, nothing is
//! written.

use crate::case::measure::{measure, ArtifactKind};
use crate::error::{Error, IoContext, Result};
use crate::format::body::{exhibit_id, Acquisition, Artifact, Body, Item, Seal, Software};
use crate::format::encoding::unhex;
use crate::store::case::CaseDir;
use crate::store::hashing::{HashSelection, Progress};
use crate::store::keyfile::LoadedKey;
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
fn check_options(paths: &[PathBuf], opts: &SealOptions) -> Result<()> {
    if paths.is_empty() {
        return Err(Error::input("no path to seal"));
    }
    if opts.seal_no.is_some() && paths.len() > 1 {
        return Err(Error::input(
            "--seal-no names one exhibit: seal the paths one at a time, each with its seal number",
        ));
    }
    if let Some(s) = &opts.acquisition.source_sha256 {
        if unhex::<32>(&s.to_ascii_lowercase()).is_none() {
            return Err(Error::input(format!(
                "--source-sha256 {s:?} is not 64 hex digits"
            )));
        }
    }
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

/// Seals `paths` into the case, signed by `key`.
pub fn seal(
    case: &CaseDir,
    paths: &[PathBuf],
    key: &LoadedKey,
    opts: &SealOptions,
    progress: Progress,
) -> Result<SealOutcome> {
    check_options(paths, opts)?;
    let mut measured = Vec::new();
    for p in paths {
        let mut a = measure(p, opts.kind, opts.hashes, progress)?;
        a.path_given = path_string(p)?;
        a.path_resolved = path_string(&std::fs::canonicalize(p).at(p)?)?;
        measured.push(a);
    }
    let mut app = crate::case::appender::open_appender(case, key)?;
    if let Some(parent) = &opts.acquisition.parent {
        let known = (1..=app.state().exhibits).any(|n| exhibit_id(n) == *parent);
        if !known {
            return Err(Error::input(format!(
                "--parent {parent}: no such exhibit in this case"
            )));
        }
    }
    let mut sealed = Vec::new();
    for artifact in measured {
        let exhibit = exhibit_id(app.state().exhibits + 1);
        let mut acquisition = opts.acquisition.clone();
        if let Some(src) = &acquisition.source_sha256 {
            let src = src.to_ascii_lowercase();
            acquisition.source_hash_matches = Some(src == artifact.hashes.sha256);
            acquisition.source_sha256 = Some(src);
        }
        // The artifact (with every member of a directory or tar) moves into the body and
        // back out: the entry is written straight from it, never copied.
        let body = Body::Seal(Box::new(Seal {
            exhibit: exhibit.clone(),
            seal_no: opts.seal_no.clone(),
            description: opts.description.clone(),
            item: (opts.item != Item::default()).then(|| opts.item.clone()),
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
        sealed.push(Sealed {
            exhibit,
            seq,
            artifact: body.artifact,
        });
    }
    let checkpoint = app.finish(key)?;
    Ok(SealOutcome { sealed, checkpoint })
}
