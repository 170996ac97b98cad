//! `case.open`: entry 0 of every ledger, the case and its administrator key (FORMAT.md 6.1).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::keys::key_id;
use crate::format::parts::{CaseInfo, KeyRecord};
use crate::format::state::{record_public_key, ChainState, EnrolledKey};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// Entry kind of the first entry of every ledger.
pub const KIND_CASE_OPEN: &str = "case.open";

/// Body of `case.open`: the case and its administrator key, who signs this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOpen {
    /// The case.
    pub case: CaseInfo,
    /// The administrator's key.
    pub admin: KeyRecord,
}

impl Kind for CaseOpen {
    const NAME: &'static str = KIND_CASE_OPEN;

    fn exhibits(&self) -> Vec<&str> {
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::nothing()
    }

    fn validate(&self) -> Result<(), ValueError> {
        validate::case_info(&self.case)?;
        validate::key_record(&self.admin)
    }

    fn check(&self, _state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        if at.seq != 0 {
            return Err(CustodyError::CaseOpenNotFirst);
        }
        let pk = record_public_key(&self.admin).ok_or(CustodyError::AdminNotEd25519)?;
        if key_id(&pk) != self.admin.id {
            return Err(CustodyError::AdminKeyIdMismatch {
                id: self.admin.id.clone(),
                actual: key_id(&pk),
            });
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        state.case = Some(self.case.clone());
        state.keys.push(EnrolledKey {
            record: self.admin.clone(),
            enrolled_at: at.seq,
            admin: true,
            revoked_at: None,
            revoked_reason: None,
        });
    }

    fn apply_refused(&self, state: &mut ChainState, at: At<'_>) {
        // A bad entry 0 still defines the case and its administrator, so later
        // entries are checked against it instead of each failing as unknown.
        if at.seq == 0 {
            self.apply(state, at);
        }
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "case {} \u{2014} {}; administrator {} ({})",
            self.case.case_id, self.case.title, self.admin.name, self.admin.id
        )
    }

    fn enrols(&self) -> Option<&KeyRecord> {
        Some(&self.admin)
    }
}
