//! `dispose`: the holder disposes of an exhibit; no action on it follows (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::{ChainState, CustodyStatus};
use serde::{Deserialize, Serialize};

/// The holder disposes of an exhibit (returned, destroyed, ...).
pub const KIND_DISPOSE: &str = "dispose";

/// Body of `dispose`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dispose {
    /// The exhibit.
    pub exhibit: String,
    /// How (returned to owner, destroyed, archived ...).
    pub how: String,
    /// On whose authority.
    pub authority: String,
}

impl Kind for Dispose {
    const NAME: &'static str = KIND_DISPOSE;

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
        state.holds(
            at.signer,
            &self.exhibit,
            "disposed of",
            &["sealed", "opened"],
        )
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        if let Some(c) = state.custody.get_mut(&self.exhibit) {
            c.status = CustodyStatus::Disposed { at: at.seq };
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "disposed of {}: {} ({})",
            self.exhibit, self.how, self.authority
        )
    }
}
