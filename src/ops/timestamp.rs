//! `scelle timestamp`, and the timestamp after every appending command (FORMAT.md 8.6): the
//! latest checkpoint sent to the case's TSAs, their tokens checked and kept beside it.

use crate::case::timestamp::{timestamp_latest, TsaOutcome, TsaResult};
use crate::error::Result;
use crate::store::case::CaseDir;

/// What a timestamp run did, TSA by TSA.
#[derive(Debug, Clone)]
pub struct Timestamped {
    /// One result per TSA asked (or already holding a token of the checkpoint).
    pub results: Vec<TsaResult>,
    /// Whether this run followed an append (its failures are warnings only).
    pub after_append: bool,
    /// A failure before any TSA was asked (after an append: a warning).
    pub error: Option<String>,
}

impl Timestamped {
    /// Whether every TSA asked gave a token (or held one already) and nothing failed first.
    pub fn complete(&self) -> bool {
        self.error.is_none() && !self.results.iter().any(TsaResult::failed)
    }

    /// The warnings to print on standard error, one per failure (FORMAT.md 8.6).
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .results
            .iter()
            .filter_map(|r| match &r.outcome {
                TsaOutcome::Failed { reason } => Some(format!(
                    "TSA {} ({}): {reason}; checkpoint {} not timestamped; run scelle timestamp later",
                    r.tsa, r.url, r.size
                )),
                _ => None,
            })
            .collect();
        if let Some(e) = &self.error {
            out.push(format!(
                "the latest checkpoint was not timestamped: {e}; run scelle timestamp later"
            ));
        }
        out
    }
}

/// `scelle timestamp [--tsa NAME]…`: timestamps the latest checkpoint now, by every TSA of the
/// case or those named. A name that is not a TSA of the case is an input error (nothing asked).
pub fn timestamp(case: &CaseDir, only: &[String]) -> Result<Timestamped> {
    Ok(Timestamped {
        results: timestamp_latest(case, only)?,
        after_append: false,
        error: None,
    })
}

/// The timestamp after a command that appended: never an error (the entries are written;
/// the exit code is the append's), every failure a warning in the result.
pub fn after_append(case: &CaseDir) -> Timestamped {
    match timestamp_latest(case, &[]) {
        Ok(results) => Timestamped {
            results,
            after_append: true,
            error: None,
        },
        Err(e) => Timestamped {
            results: Vec::new(),
            after_append: true,
            error: Some(e.to_string()),
        },
    }
}
