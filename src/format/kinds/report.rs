//! `report`: a rendered document (report, certificate, procès-verbal) recorded by its hash
//! (FORMAT.md 6.7).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::ChainState;
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// A rendered document (report, certificate, procès-verbal) recorded by its hash.
pub const KIND_REPORT: &str = "report";

/// Body of `report`: a rendered document, pinned by its SHA-256, so that anyone holding the
/// PDF can check it is the one the signer issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// `expert-report`, `certificate`, `seals` or `custody`.
    pub document: String,
    /// `en`, `fr` or `es`.
    pub lang: String,
    /// The jurisdiction whose sections it follows: `us`, `fr` or `es`.
    pub jurisdiction: String,
    /// The file name it was written to (no directory).
    pub file: String,
    /// SHA-256 of the PDF's bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its number of pages.
    pub pages: u64,
    /// `1b`, `2b` or `3b` (`3b`: the evidence variant, the ledger and checkpoint attached).
    pub pdfa: String,
    /// The exhibits it covers.
    pub exhibits: Vec<String>,
    /// The ledger size it reflects (its data are those of the first `ledger_size` entries).
    pub ledger_size: u64,
    /// First Bates number printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bates_first: Option<String>,
    /// Last Bates number printed (in either variant, when the filing variant has more pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bates_last: Option<String>,
    /// The filing variant written with this (evidence) document: the same document without
    /// attachments, which prints this document's file name and SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing: Option<FilingVariant>,
}

/// The filing variant of a recorded document (FORMAT.md 6.7): PDF/A-2b, no attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilingVariant {
    /// The file name it was written to (no directory).
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its number of pages.
    pub pages: u64,
    /// `2b`.
    pub pdfa: String,
}

impl Kind for ReportBody {
    const NAME: &'static str = KIND_REPORT;

    fn exhibits(&self) -> Vec<&str> {
        // A report describes exhibits without acting on them: not in their timelines.
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits.iter().map(String::as_str).collect())
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::report(self)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        for ex in &self.exhibits {
            state.exhibit(ex)?;
        }
        if self.ledger_size > at.seq {
            return Err(CustodyError::ReportBeyond {
                seq: at.seq,
                size: self.ledger_size,
            });
        }
        Ok(())
    }

    fn apply(&self, _state: &mut ChainState, _at: At<'_>) {}

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "{} ({}, {} pages) {} sha256 {}",
            self.document, self.lang, self.pages, self.file, self.sha256
        )
    }
}
