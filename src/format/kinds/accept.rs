//! `accept`: the receiver accepts released exhibits after re-hashing them (FORMAT.md 6.6).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError, Who};
use crate::format::parts::Recheck;
use crate::format::state::{ChainState, CustodyStatus};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// The receiver accepts released exhibits after re-hashing them.
pub const KIND_ACCEPT: &str = "accept";

/// Body of `accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// The `seq` of the release entry accepted.
    pub release: u64,
    /// Each exhibit received and its re-hash on receipt.
    pub received: Vec<Recheck>,
    /// Seal condition at receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// Where received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Kind for Accept {
    const NAME: &'static str = KIND_ACCEPT;

    fn exhibits(&self) -> Vec<&str> {
        self.received.iter().map(|r| r.exhibit.as_str()).collect()
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        self.received.iter().try_for_each(validate::recheck)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        if self.received.is_empty() {
            return Err(CustodyError::EmptyAccept);
        }
        for (i, r) in self.received.iter().enumerate() {
            let ex = r.exhibit.as_str();
            if self.received[..i].iter().any(|x| x.exhibit == ex) {
                return Err(CustodyError::ListedTwice {
                    exhibit: ex.to_string(),
                });
            }
            match &state.exhibit(ex)?.status {
                CustodyStatus::InTransit { to, release } if *release == self.release => {
                    if to != at.signer {
                        return Err(CustodyError::NotReceiver {
                            exhibit: ex.to_string(),
                            to: Who::of(state, to),
                            signer: Who::of(state, at.signer),
                        });
                    }
                }
                CustodyStatus::InTransit { .. }
                | CustodyStatus::Sealed
                | CustodyStatus::Opened { .. }
                | CustodyStatus::Disposed { .. } => {
                    return Err(CustodyError::NotInTransit {
                        exhibit: ex.to_string(),
                        release: self.release,
                    })
                }
            }
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        for r in &self.received {
            if let Some(c) = state.custody.get_mut(&r.exhibit) {
                c.holder = at.signer.to_string();
                c.status = CustodyStatus::Sealed;
            }
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "accepted {} (released at entry {}){}",
            self.received
                .iter()
                .map(|r| format!("{} {}", r.exhibit, super::check_word(r.matches)))
                .collect::<Vec<_>>()
                .join(", "),
            self.release,
            self.seal_condition
                .as_ref()
                .map(|c| format!("; seal: {c}"))
                .unwrap_or_default()
        )
    }

    fn rechecks(&self) -> Vec<&Recheck> {
        self.received.iter().collect()
    }
}
