//! Operations: what each command does, as library calls. Each returns data for the binary to
//! print; none prints.

pub mod caseuco;
pub mod cosign;
pub mod custody;
pub mod init;
pub mod ioc;
pub mod ioc_review;
pub mod keys;
pub mod localtsa;
pub mod log;
pub mod man;
pub mod report;
pub mod seal;
pub mod timestamp;
pub mod tsa;
pub mod verifier;
pub mod witness;

use crate::error::Result;
use crate::store::case::CaseDir;
use crate::store::ledger::{self, RepairOutcome};
use std::path::PathBuf;

/// `scelle repair`: moves a torn last line aside.
pub fn repair(case: &CaseDir) -> Result<RepairOutcome> {
    ledger::repair(case)
}

/// `scelle checkpoint`: the latest stored checkpoint's path and text.
pub fn latest_checkpoint(case: &CaseDir) -> Result<(PathBuf, String)> {
    let lines = ledger::read_all_lines(case)?;
    let cp = crate::store::checkpoints::latest(case, &crate::case::proof::state_of(&lines))?;
    Ok((cp.path.clone(), cp.note.encode()))
}
