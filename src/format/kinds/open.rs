//! `open`: the holder opens a sealed exhibit for examination (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::{ChainState, CustodyStatus};
use serde::{Deserialize, Serialize};

/// The holder opens a sealed exhibit for examination (CPP art. 163).
pub const KIND_OPEN: &str = "open";

/// Body of `open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// The exhibit.
    pub exhibit: String,
    /// Its seal number before opening, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// State of the seal before opening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// The operations to be carried out.
    pub operations: String,
    /// Persons present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<String>,
    /// Where it was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Kind for Open {
    const NAME: &'static str = KIND_OPEN;

    fn exhibits(&self) -> Vec<&str> {
        vec![self.exhibit.as_str()]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        Ok(())
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        state.holds(at.signer, &self.exhibit, "opened", &["sealed"])?;
        let current = &state.exhibit(&self.exhibit)?.seal_no;
        if self.seal_no != *current {
            return Err(CustodyError::SealMismatch {
                exhibit: self.exhibit.clone(),
                named: self.seal_no.clone(),
                current: current.clone(),
            });
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        if let Some(c) = state.custody.get_mut(&self.exhibit) {
            c.status = CustodyStatus::Opened { open: at.seq };
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "opened {} (seal {}): {}",
            self.exhibit,
            self.seal_no.as_deref().unwrap_or("none"),
            self.operations
        )
    }
}
