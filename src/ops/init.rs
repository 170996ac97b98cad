//! `scelle init`: a new case directory.

use crate::error::{Error, Result};
use crate::format::body::CaseInfo;
use crate::format::encoding::hex;
use crate::format::lang::{Jurisdiction, Lang};
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
    /// The jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// The default language of documents.
    pub lang: Option<Lang>,
    /// IANA time zone of the case's documents (`Europe/Paris`).
    pub timezone: Option<String>,
    /// The administrator's full name (`--full-name`), recorded in its key record.
    pub full_name: Option<String>,
}

/// What `init` made.
#[derive(Debug)]
pub struct InitOutcome {
    /// The case.
    pub case: CaseDir,
    /// Its checkpoint origin.
    pub origin: String,
    /// The checkpoint of entry 0 (`case.open`), signed by the administrator.
    pub checkpoint: PathBuf,
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

/// Creates the case directory and writes its signed entry 0 (`case.open`): the case as given
/// here, `key` enrolled as administrator. The identity is signed now, from these parameters;
/// `case.json` is only an informative copy, never read back to sign anything.
pub fn init(root: &Path, params: &CaseParams, key: &LoadedKey) -> Result<InitOutcome> {
    if params.case_id.trim().is_empty() || params.title.trim().is_empty() {
        return Err(Error::input("--case-id and --title must not be empty"));
    }
    if let Some(tz) = &params.timezone {
        if !crate::format::time::Zone::known(tz) {
            return Err(Error::input(format!(
                "--timezone {tz:?}: not an IANA time zone; give one such as Europe/Paris, \
                 Europe/Madrid or America/Los_Angeles"
            )));
        }
    }
    let full_name = crate::case::appender::full_name(params.full_name.as_deref())?;
    let origin = make_origin(&params.case_id);
    let info = CaseInfo {
        case_id: params.case_id.clone(),
        title: params.title.clone(),
        court: params.court.clone(),
        jurisdiction: params.jurisdiction.map(|j| j.code().into()),
        lang: params.lang.map(|l| l.code().into()),
        timezone: params.timezone.clone(),
        origin: origin.clone(),
        created: crate::format::time::now_utc(),
    };
    let case = CaseDir::create(root, &info)?;
    let signed = crate::case::appender::open_case(&case, info, key, full_name)
        .and_then(|app| app.finish(key));
    let checkpoint = match signed {
        Ok(Some(cp)) => cp,
        Ok(None) => unreachable!("entry 0 was appended"),
        Err(e) => {
            // Nothing half-made is left: the directory was created by this call.
            let _ = std::fs::remove_dir_all(case.root());
            return Err(e);
        }
    };
    Ok(InitOutcome {
        case,
        origin,
        checkpoint,
    })
}
