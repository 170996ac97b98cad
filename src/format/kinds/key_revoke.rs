//! `key.revoke`: the administrator revokes a key (FORMAT.md 6.5).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError, Who};
use crate::format::state::ChainState;
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// The administrator revokes a key.
pub const KIND_KEY_REVOKE: &str = "key.revoke";

/// Body of `key.revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRevoke {
    /// The key id revoked.
    pub key: String,
    /// Why.
    pub reason: String,
}

impl Kind for KeyRevoke {
    const NAME: &'static str = KIND_KEY_REVOKE;

    fn exhibits(&self) -> Vec<&str> {
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::nothing()
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::hex_of("key id", &self.key, 8)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        state.check_admin(at.signer, "revoke keys")?;
        let target = state
            .key(&self.key)
            .ok_or_else(|| CustodyError::NotEnrolled {
                key: self.key.clone(),
            })?;
        if let Some(revoked) = target.revoked_at {
            return Err(CustodyError::AlreadyRevoked {
                key: Who::of(state, &self.key),
                at: revoked,
            });
        }
        if self.key == at.signer {
            return Err(CustodyError::RevokeOwnKey);
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        if let Some(k) = state.key_mut(&self.key) {
            k.revoked_at = Some(at.seq);
            k.revoked_reason = Some(self.reason.clone());
        }
    }

    fn summary(&self, state: &ChainState) -> String {
        format!("revoked {}: {}", state.who(&self.key), self.reason)
    }
}
