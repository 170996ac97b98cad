//! `reseal`: the holder re-seals an opened exhibit under a new seal number (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::Recheck;
use crate::format::state::{ChainState, CustodyStatus};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// The holder re-seals an opened exhibit under a new seal number.
pub const KIND_RESEAL: &str = "reseal";

/// Body of `reseal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reseal {
    /// The exhibit.
    pub exhibit: String,
    /// Its new seal number.
    pub new_seal_no: String,
    /// Re-hash at re-sealing.
    pub recheck: Recheck,
    /// Persons present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<String>,
    /// Where it was re-sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// State of the new seal (packaging, seal placed, signatures on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
}

impl Kind for Reseal {
    const NAME: &'static str = KIND_RESEAL;

    fn exhibits(&self) -> Vec<&str> {
        vec![self.exhibit.as_str()]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::recheck(&self.recheck)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        state.holds(at.signer, &self.exhibit, "re-sealed", &["opened"])?;
        if self.new_seal_no.is_empty() {
            return Err(CustodyError::EmptySealNo);
        }
        if self.recheck.exhibit != self.exhibit {
            return Err(CustodyError::RecheckOfAnother);
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, _at: At<'_>) {
        if let Some(c) = state.custody.get_mut(&self.exhibit) {
            c.status = CustodyStatus::Sealed;
            c.seal_no = Some(self.new_seal_no.clone());
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "re-sealed {} under seal {} ({})",
            self.exhibit,
            self.new_seal_no,
            super::check_word(self.recheck.matches)
        )
    }

    fn rechecks(&self) -> Vec<&Recheck> {
        vec![&self.recheck]
    }
}
