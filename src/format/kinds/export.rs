//! `export`: an evidence bundle exported from the case, recorded by its hash (FORMAT.md 6.9).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::ChainState;
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// An evidence bundle exported from the case, recorded by its hash (FORMAT.md 6.9).
pub const KIND_EXPORT: &str = "export";

/// Body of `export`: an evidence bundle written from the case (FORMAT.md 6.9, section 14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// The bundle's file name (no directory).
    pub file: String,
    /// SHA-256 of the bundle's bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// `bagit-tar`: a BagIt 1.0 bag in a tar.
    pub format: String,
    /// The exhibits whose proofs (and artifacts) it carries.
    pub exhibits: Vec<String>,
    /// Whether the artifacts themselves are in it.
    pub artifacts: bool,
    /// The number of ledger entries it holds (the entries before this one).
    pub ledger_size: u64,
    /// To whom it is sent (a party, an authority, an EIO reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

impl Kind for ExportBody {
    const NAME: &'static str = KIND_EXPORT;

    fn exhibits(&self) -> Vec<&str> {
        // An export copies exhibits' records without acting on them.
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits.iter().map(String::as_str).collect())
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::hex_of("bundle sha256", &self.sha256, 32)?;
        validate::one_of("export format", &Some(self.format.clone()), &["bagit-tar"])?;
        validate::bare_file_name("bundle file", &self.file)?;
        if self.exhibits.is_empty() {
            return Err(ValueError::Rule(
                "an export names at least one exhibit".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = self.exhibits.iter().find(|e| !seen.insert(e.as_str())) {
            return Err(ValueError::Rule(format!(
                "exhibit {dup} is listed twice in the export"
            )));
        }
        for v in [&self.to, &self.purpose].into_iter().flatten() {
            if v.is_empty() {
                return Err(ValueError::Rule(
                    "an export's to and purpose are omitted, never empty".into(),
                ));
            }
        }
        Ok(())
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        for ex in &self.exhibits {
            state.exhibit(ex)?;
        }
        if self.ledger_size > at.seq {
            return Err(CustodyError::ExportBeyond {
                seq: at.seq,
                size: self.ledger_size,
            });
        }
        Ok(())
    }

    fn apply(&self, _state: &mut ChainState, _at: At<'_>) {}

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "exported {} ({} bytes{}) of {}{}, sha256 {}",
            self.file,
            self.size,
            if self.artifacts {
                ", with artifacts"
            } else {
                ""
            },
            self.exhibits.join(", "),
            self.to
                .as_ref()
                .map(|t| format!(" to {t}"))
                .unwrap_or_default(),
            self.sha256
        )
    }
}
