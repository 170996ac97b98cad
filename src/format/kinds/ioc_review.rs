//! `ioc.review`: an expert's decision about one finding of an earlier scan, confirmed or
//! dismissed, with the reason (FORMAT.md 6.11).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::{ChainState, FindingDigest};
use crate::format::validate::one_of;
use serde::{Deserialize, Serialize};

/// An expert's decision about one finding of an earlier scan.
pub const KIND_IOC_REVIEW: &str = "ioc.review";

/// The decisions a review records.
pub const REVIEW_DECISIONS: [&str; 2] = ["confirmed", "dismissed"];

/// Body of `ioc.review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IocReview {
    /// The `ioc.scan` entry (its seq).
    pub scan: u64,
    /// The finding: its 0-based index in that scan's `matches`.
    pub finding: u64,
    /// The finding's indicator (its STIX id), as the scan records it.
    pub indicator: String,
    /// The finding's exhibit.
    pub exhibit: String,
    /// The finding's member, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// `confirmed` or `dismissed`.
    pub decision: String,
    /// Why (required for both decisions).
    pub reason: String,
}

impl IocReview {
    /// The finding's id as listed by `ioc findings`: `SCAN#INDEX`.
    pub fn id(&self) -> String {
        finding_id(self.scan, self.finding)
    }
}

/// Whether a reason is empty or only spaces, tabs and line breaks (FORMAT.md 6.11: such a
/// reason says nothing).
pub fn is_blank(reason: &str) -> bool {
    reason
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// A finding's id, `SCAN#INDEX` (the scan's entry and the index in its `matches`).
pub fn finding_id(scan: u64, index: u64) -> String {
    format!("{scan}#{index}")
}

impl Kind for IocReview {
    const NAME: &'static str = KIND_IOC_REVIEW;

    fn exhibits(&self) -> Vec<&str> {
        vec![self.exhibit.as_str()]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Some {
            exhibits: Vec::new(),
            scan: Some(self.scan),
        }
    }

    fn validate(&self) -> Result<(), ValueError> {
        one_of("decision", &Some(self.decision.clone()), &REVIEW_DECISIONS)?;
        if is_blank(&self.reason) {
            return Err(ValueError::Rule(
                "a review gives its reason (not empty, not only spaces, tabs and line breaks)"
                    .into(),
            ));
        }
        if self.indicator.is_empty() || self.member.as_deref() == Some("") {
            return Err(ValueError::Rule(
                "a review's indicator and member are non-empty".into(),
            ));
        }
        Ok(())
    }

    fn check(&self, state: &ChainState, _at: At<'_>) -> Result<(), CustodyError> {
        let id = self.id();
        let Some(findings) = state.scans.get(&self.scan) else {
            return Err(CustodyError::ReviewNoScan { scan: self.scan });
        };
        let Some(recorded) = findings.get(self.finding as usize) else {
            return Err(CustodyError::ReviewNoFinding {
                id,
                count: findings.len() as u64,
            });
        };
        if *recorded != FindingDigest::of(&self.indicator, &self.exhibit, self.member.as_deref()) {
            return Err(CustodyError::ReviewDiffers { id });
        }
        Ok(())
    }

    fn apply(&self, _state: &mut ChainState, _at: At<'_>) {}

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "review of finding {} ({} in {}{}): {}: {}",
            self.id(),
            self.indicator,
            self.exhibit,
            self.member
                .as_ref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default(),
            self.decision,
            self.reason
        )
    }
}
