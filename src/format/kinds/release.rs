//! `release`: the holder releases exhibits to a named receiver (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError, Who};
use crate::format::state::{ChainState, CustodyStatus};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// The holder releases exhibits to a named receiver.
pub const KIND_RELEASE: &str = "release";

/// Body of `release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The exhibits released, all held by the signer.
    pub exhibits: Vec<String>,
    /// The receiver's key id.
    pub to: String,
    /// Why.
    pub purpose: String,
    /// Packaging and transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging: Option<String>,
    /// Seal condition at release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// From where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Legal authority for the transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
}

impl Kind for Release {
    const NAME: &'static str = KIND_RELEASE;

    fn exhibits(&self) -> Vec<&str> {
        self.exhibits.iter().map(String::as_str).collect()
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::hex_of("receiver key id", &self.to, 8)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        if self.exhibits.is_empty() {
            return Err(CustodyError::EmptyRelease);
        }
        for (i, ex) in self.exhibits.iter().enumerate() {
            if self.exhibits[..i].contains(ex) {
                return Err(CustodyError::ListedTwice {
                    exhibit: ex.clone(),
                });
            }
            state.holds(at.signer, ex, "released", &["sealed"])?;
        }
        if state.active_key(&self.to).is_none() {
            return Err(CustodyError::ReceiverNotActive {
                to: Who::of(state, &self.to),
            });
        }
        if self.to == at.signer {
            return Err(CustodyError::ReleaseToHolder);
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        for ex in &self.exhibits {
            if let Some(c) = state.custody.get_mut(ex) {
                c.status = CustodyStatus::InTransit {
                    to: self.to.clone(),
                    release: at.seq,
                };
            }
        }
    }

    fn summary(&self, state: &ChainState) -> String {
        format!(
            "released {} to {}: {}",
            self.exhibits.join(", "),
            state.who(&self.to),
            self.purpose
        )
    }
}
