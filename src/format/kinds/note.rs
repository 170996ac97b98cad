//! `note`: a signed note, about an exhibit or the case (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::ChainState;
use serde::{Deserialize, Serialize};

/// A signed note, about an exhibit or the case.
pub const KIND_NOTE: &str = "note";

/// Body of `note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// The exhibit, if the note is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhibit: Option<String>,
    /// The text.
    pub text: String,
}

impl Kind for NoteBody {
    const NAME: &'static str = KIND_NOTE;

    fn exhibits(&self) -> Vec<&str> {
        self.exhibit.iter().map(String::as_str).collect()
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        Ok(())
    }

    fn check(&self, state: &ChainState, _at: At<'_>) -> Result<(), CustodyError> {
        if let Some(ex) = &self.exhibit {
            state.exhibit(ex)?;
        }
        Ok(())
    }

    fn apply(&self, _state: &mut ChainState, _at: At<'_>) {}

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "{}{}",
            self.exhibit
                .as_ref()
                .map(|e| format!("{e}: "))
                .unwrap_or_default(),
            self.text
        )
    }
}
