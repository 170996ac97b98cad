//! `seal`: one artifact sealed as one exhibit (FORMAT.md 6.2).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::{Acquisition, Artifact, Item, Software};
use crate::format::state::{ChainState, Custody, CustodyStatus};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// Entry kind recording one sealed artifact.
pub const KIND_SEAL: &str = "seal";

/// Body of `seal`: one artifact sealed as one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Exhibit id, `E-` and four or more digits, assigned in order.
    pub exhibit: String,
    /// Seal number (scellé n°, número de precinto, bag id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// Free description of the exhibit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The item as found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// The acquisition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition: Option<Acquisition>,
    /// The artifact and its hashes.
    pub artifact: Artifact,
    /// The software that hashed it.
    pub hashed_by: Software,
}

/// The exhibit id for the `n`-th seal (1-based): `E-0001`.
pub fn exhibit_id(n: u64) -> String {
    format!("E-{n:04}")
}

impl Kind for Seal {
    const NAME: &'static str = KIND_SEAL;

    fn exhibits(&self) -> Vec<&str> {
        vec![self.exhibit.as_str()]
    }

    fn reads(&self) -> Reads<'_> {
        // The new exhibit is added at the next number (the case-wide count); its parent is read.
        Reads::exhibits(
            self.acquisition
                .as_ref()
                .and_then(|a| a.parent.as_deref())
                .into_iter()
                .collect(),
        )
    }

    fn validate(&self) -> Result<(), ValueError> {
        let digits = self.exhibit.strip_prefix("E-").unwrap_or("");
        if digits.len() < 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::Rule(format!(
                "exhibit id {:?} is not E- and four or more digits",
                self.exhibit
            )));
        }
        validate::artifact(&self.artifact)?;
        if let Some(a) = &self.acquisition {
            validate::acquisition(a, &self.artifact.hashes)?;
        }
        Ok(())
    }

    fn check(&self, state: &ChainState, _at: At<'_>) -> Result<(), CustodyError> {
        let expected = exhibit_id(state.exhibits + 1);
        if self.exhibit != expected {
            return Err(CustodyError::ExhibitOutOfOrder {
                exhibit: self.exhibit.clone(),
                expected,
            });
        }
        if let Some(parent) = self.acquisition.as_ref().and_then(|a| a.parent.as_ref()) {
            state.exhibit(parent)?;
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        state.exhibits += 1;
        let seal_offset = state.offset;
        state.custody.insert(
            self.exhibit.clone(),
            Custody {
                holder: at.signer.to_string(),
                status: CustodyStatus::Sealed,
                seal_no: self.seal_no.clone(),
                seal_seq: at.seq,
                seal_offset,
                sealed_sha256: self.artifact.hashes.sha256.clone(),
            },
        );
    }

    fn apply_refused(&self, state: &mut ChainState, _at: At<'_>) {
        // Every seal line counts, valid or not, so one bad seal is reported
        // once and the exhibits after it keep their numbers (FORMAT.md §7).
        state.exhibits += 1;
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "{}{} {} {} ({} bytes) sha256 {}",
            self.exhibit,
            self.seal_no
                .as_ref()
                .map(|n| format!(" [seal {n}]"))
                .unwrap_or_default(),
            self.artifact.kind,
            self.artifact.path_given,
            self.artifact.size,
            self.artifact.hashes.sha256
        )
    }
}
