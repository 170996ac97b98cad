//! An exhibit's seal record, read from the ledger at the offset the chain state holds.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Body, Seal};
use crate::format::chain::Custody;
use crate::format::entry::TypedLine;
use crate::store::case::CaseDir;
use std::io::{BufRead, Seek, SeekFrom};

/// Reads the seal entry of an exhibit (one seek, one line).
pub fn seal_record(case: &CaseDir, custody: &Custody) -> Result<Seal> {
    let path = case.ledger();
    let mut f = std::io::BufReader::new(std::fs::File::open(&path).at(&path)?);
    f.seek(SeekFrom::Start(custody.seal_offset)).at(&path)?;
    let mut line = Vec::new();
    f.read_until(b'\n', &mut line).at(&path)?;
    line.pop();
    let (_, body) = TypedLine::parse_or_explain(&line).map_err(|e| {
        Error::input(format!(
            "{}: seal entry {}: {e}",
            path.display(),
            custody.seal_seq
        ))
    })?;
    match body {
        Ok(Body::Seal(s)) => Ok(*s),
        _ => Err(Error::input(format!(
            "{}: entry {} is not the seal it should be; run `scelle verify`",
            path.display(),
            custody.seal_seq
        ))),
    }
}
