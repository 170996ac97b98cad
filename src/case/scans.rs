//! The IOC scans recorded in a case (`ioc.scan` entries), with the experts' reviews of their
//! findings (`ioc.review`, FORMAT.md 6.11), read from a ledger that verifies.

use crate::error::{Error, Result};
use crate::format::body::{Body, IocReview, IocScan};
use crate::store::case::CaseDir;
use crate::store::ledger::{LineReader, RawLine};
use serde::Serialize;

/// One recorded scan.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedScan {
    /// Its entry's sequence number.
    pub seq: u64,
    /// When it was recorded.
    pub time: String,
    /// Who signed it (name and key id).
    pub by: String,
    /// The body.
    pub scan: IocScan,
    /// The reviews of each finding (one list per entry of `scan.matches`), in ledger order:
    /// the last is the finding's current decision.
    #[serde(skip)]
    pub reviews: Vec<Vec<RecordedReview>>,
}

/// One review of a finding, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedReview {
    /// The `ioc.review` entry.
    pub entry: u64,
    /// When it was recorded.
    pub time: String,
    /// Who signed it (name and key id).
    pub by: String,
    /// `confirmed` or `dismissed`.
    pub decision: String,
    /// Why.
    pub reason: String,
}

impl RecordedScan {
    /// The current review of finding `index` (the latest), if any.
    pub fn current(&self, index: usize) -> Option<&RecordedReview> {
        self.reviews.get(index).and_then(|r| r.last())
    }
}

/// Adds the review `r` (entry `seq`) to the scan it names among `scans`; the chain rules
/// (FORMAT.md 6.11) guarantee it names one of their findings.
pub fn add_review(scans: &mut [RecordedScan], r: &IocReview, review: RecordedReview) {
    if let Some(s) = scans.iter_mut().find(|s| s.seq == r.scan) {
        if let Some(list) = s.reviews.get_mut(r.finding as usize) {
            list.push(review);
        }
    }
}

/// `scelle ioc findings`: every scan recorded in the case, in ledger order.
pub fn findings(case: &CaseDir) -> Result<Vec<RecordedScan>> {
    let ledger_path = case.ledger();
    let mut state = crate::format::chain::ChainState::new();
    let mut out = Vec::new();
    for raw in LineReader::open(&ledger_path)? {
        let RawLine::Line { bytes, .. } = raw? else {
            continue;
        };
        let seq = state.size;
        let applied = state.apply(&bytes);
        if let Some(e) = applied.first_error() {
            return Err(Error::input(format!(
                "{}: entry {seq}: {}; run `scelle verify` (findings are only listed from a ledger that verifies)",
                ledger_path.display(),
                e.message
            )));
        }
        match (applied.body, applied.entry) {
            (Some(Body::IocScan(scan)), Some(entry)) => out.push(RecordedScan {
                seq,
                time: entry.time.clone(),
                by: state.who(&entry.key),
                reviews: vec![Vec::new(); scan.matches.len()],
                scan: *scan,
            }),
            (Some(Body::IocReview(r)), Some(entry)) => add_review(
                &mut out,
                &r,
                RecordedReview {
                    entry: seq,
                    time: entry.time.clone(),
                    by: state.who(&entry.key),
                    decision: r.decision.clone(),
                    reason: r.reason.clone(),
                },
            ),
            _ => {}
        }
    }
    Ok(out)
}
