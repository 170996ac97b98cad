//! `scelle init`: a new case directory.

use crate::error::{Error, Result};
use crate::format::body::CaseInfo;
use crate::format::encoding::hex;
use crate::store::case::CaseDir;
use crate::store::keyfile::LoadedKey;
use rand_core::{OsRng, RngCore};
use std::path::{Path, PathBuf};

/// What `init` is told about the case.
#[derive(Debug, Clone, Default)]
pub struct CaseParams {
    /// Docket or case number.
    pub case_id: String,
    /// Title.
    pub title: String,
    /// Court.
    pub court: Option<String>,
    /// `us`, `fr` or `es`.
    pub jurisdiction: Option<String>,
    /// `en`, `fr` or `es`.
    pub lang: Option<String>,
}

/// What `init` made.
#[derive(Debug)]
pub struct InitOutcome {
    /// The case.
    pub case: CaseDir,
    /// Its checkpoint origin.
    pub origin: String,
    /// The checkpoint written, when a key was given (case.open appended at once).
    pub checkpoint: Option<PathBuf>,
}

/// The origin line: `scelle.case/` + the case id (white space replaced by `-`) + `/` + 16
/// random hex digits, so two cases with the same docket number never share an origin.
pub fn make_origin(case_id: &str) -> String {
    let mut nonce = [0u8; 8];
    OsRng.fill_bytes(&mut nonce);
    let id: String = case_id
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("scelle.case/{id}/{}", hex(&nonce))
}

fn check_choice(what: &str, v: &Option<String>, allowed: &[&str]) -> Result<()> {
    match v {
        Some(x) if !allowed.contains(&x.as_str()) => Err(Error::input(format!(
            "--{what} {x:?} is not one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// Creates the case directory; with `key`, also writes the `case.open` entry enrolling it as
/// administrator (otherwise the first command that signs does).
pub fn init(root: &Path, params: &CaseParams, key: Option<&LoadedKey>) -> Result<InitOutcome> {
    if params.case_id.trim().is_empty() || params.title.trim().is_empty() {
        return Err(Error::input("--case-id and --title must not be empty"));
    }
    check_choice("jurisdiction", &params.jurisdiction, &["us", "fr", "es"])?;
    check_choice("lang", &params.lang, &["en", "fr", "es"])?;
    let origin = make_origin(&params.case_id);
    let info = CaseInfo {
        case_id: params.case_id.clone(),
        title: params.title.clone(),
        court: params.court.clone(),
        jurisdiction: params.jurisdiction.clone(),
        lang: params.lang.clone(),
        origin: origin.clone(),
        created: crate::format::time::now_utc(),
    };
    let case = CaseDir::create(root, &info)?;
    let checkpoint = match key {
        Some(k) => {
            let app = super::open_appender(&case, k)?;
            app.finish(k)?
        }
        None => None,
    };
    Ok(InitOutcome {
        case,
        origin,
        checkpoint,
    })
}
