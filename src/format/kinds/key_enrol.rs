//! `key.enrol`: the administrator enrols a signer's key (FORMAT.md 6.5).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::{KeyRecord, ROLES};
use crate::format::state::{ChainState, EnrolledKey};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// The administrator enrols a signer's key.
pub const KIND_KEY_ENROL: &str = "key.enrol";

/// Body of `key.enrol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEnrol {
    /// The key enrolled; its `role` is one of [`ROLES`].
    pub key: KeyRecord,
}

impl Kind for KeyEnrol {
    const NAME: &'static str = KIND_KEY_ENROL;

    fn exhibits(&self) -> Vec<&str> {
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::nothing()
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::key_record(&self.key)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        state.check_admin(at.signer, "enrol keys")?;
        state.check_new_key(&self.key)?;
        if !self.key.role.as_deref().is_some_and(|r| ROLES.contains(&r)) {
            return Err(CustodyError::BadRole {
                role: self.key.role.clone(),
            });
        }
        if let Some(other) = state.keys.iter().find(|x| x.record.name == self.key.name) {
            return Err(CustodyError::NameTaken {
                name: self.key.name.clone(),
                id: other.record.id.clone(),
            });
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        state.keys.push(EnrolledKey {
            record: self.key.clone(),
            enrolled_at: at.seq,
            admin: false,
            revoked_at: None,
            revoked_reason: None,
        });
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "enrolled {} as {} (key {})",
            self.key.name,
            self.key.role.as_deref().unwrap_or("?"),
            self.key.id
        )
    }

    fn enrols(&self) -> Option<&KeyRecord> {
        Some(&self.key)
    }
}
