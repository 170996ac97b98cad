//! An exhibit's seal record, read from the ledger at the offset the chain state holds.

use crate::error::{Error, Result};
use crate::format::body::{Body, Seal};
use crate::format::chain::Custody;
use crate::format::entry::TypedLine;
use crate::store::case::CaseDir;
use crate::store::ledger::line_at;

/// Reads the seal entry of an exhibit (one seek, one line).
pub fn seal_record(case: &CaseDir, custody: &Custody) -> Result<Seal> {
    let path = case.ledger();
    let not_the_seal = || {
        Error::input(format!(
            "{}: entry {} is not the seal it should be; run `scelle verify`",
            path.display(),
            custody.seal_seq
        ))
    };
    let line = line_at(case, custody.seal_offset)?.ok_or_else(not_the_seal)?;
    let (_, body) = TypedLine::parse_shared_or_explain(&line.into()).map_err(|e| {
        Error::input(format!(
            "{}: seal entry {}: {e}",
            path.display(),
            custody.seal_seq
        ))
    })?;
    match body {
        Ok(Body::Seal(s)) => Ok(*s),
        _ => Err(not_the_seal()),
    }
}
