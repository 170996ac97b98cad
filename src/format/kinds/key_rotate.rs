//! `key.rotate`: a key hands over to its successor, signed by the old key (FORMAT.md 6.5).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::KeyRecord;
use crate::format::state::{ChainState, CustodyStatus, EnrolledKey};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// A key hands over to its successor (signed by the old key).
pub const KIND_KEY_ROTATE: &str = "key.rotate";

/// Body of `key.rotate`, signed by the old key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRotate {
    /// The old key id (the signer), retired by this entry.
    pub old: String,
    /// The successor, with the same name and role.
    pub new: KeyRecord,
}

impl Kind for KeyRotate {
    const NAME: &'static str = KIND_KEY_ROTATE;

    fn exhibits(&self) -> Vec<&str> {
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        // The old key's custody passes to the new one, on every exhibit.
        Reads::Everything
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::hex_of("old key id", &self.old, 8)?;
        validate::key_record(&self.new)
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        if self.old != at.signer {
            return Err(CustodyError::RotateNotByOld {
                old: self.old.clone(),
                signer: at.signer.to_string(),
            });
        }
        state.check_new_key(&self.new)?;
        let old = state
            .key(&self.old)
            .ok_or_else(|| CustodyError::NotEnrolled {
                key: self.old.clone(),
            })?;
        if self.new.name != old.record.name || self.new.role != old.record.role {
            return Err(CustodyError::SuccessorDiffers {
                name: old.record.name.clone(),
                role: old.record.role.clone(),
            });
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        let admin = state.key(&self.old).is_some_and(|k| k.admin);
        if let Some(k) = state.key_mut(&self.old) {
            k.revoked_at = Some(at.seq);
            k.revoked_reason = Some(format!("rotated to {}", self.new.id));
            k.admin = false;
        }
        state.keys.push(EnrolledKey {
            record: self.new.clone(),
            enrolled_at: at.seq,
            admin,
            revoked_at: None,
            revoked_reason: None,
        });
        for c in state.custody.values_mut() {
            if c.holder == self.old {
                c.holder = self.new.id.clone();
            }
            if let CustodyStatus::InTransit { to, .. } = &mut c.status {
                if *to == self.old {
                    *to = self.new.id.clone();
                }
            }
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!("rotated key {} to {}", self.old, self.new.id)
    }

    fn enrols(&self) -> Option<&KeyRecord> {
        Some(&self.new)
    }
}
