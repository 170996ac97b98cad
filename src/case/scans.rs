//! The IOC scans recorded in a case (`ioc.scan` entries), read from a ledger that verifies.

use crate::error::{Error, Result};
use crate::format::body::{Body, IocScan};
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
        if let (Some(Body::IocScan(scan)), Some(entry)) = (applied.body, applied.entry) {
            out.push(RecordedScan {
                seq,
                time: entry.time.clone(),
                by: state.who(&entry.key),
                scan: *scan,
            });
        }
    }
    Ok(out)
}
