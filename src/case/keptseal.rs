//! The seals `verify` keeps after reading the ledger, for the checks that come after the chain
//! (re-hashing, IOC matches against members): only where each seal's line is and that line's
//! hash, read again (and checked against that hash) one at a time when needed. So verifying a
//! case holds one seal's members at a time, however many seals it has and however many
//! members each lists (a lab's case of several full-file-system extractions, or 100,000
//! exhibits).

use crate::error::{Error, Result};
use crate::format::body::{Body, Seal};
use crate::format::entry::{line_hash, TypedLine};
use crate::store::case::CaseDir;
use crate::store::ledger::line_at;

/// A seal read by `verify`: where its line starts in the ledger, and the line's hash as
/// verified.
pub struct KeptSeal {
    /// Byte offset of the line.
    offset: u64,
    /// [`line_hash`] of the line.
    line_sha256: String,
}

impl KeptSeal {
    /// Keeps the seal whose line starts at `offset` and hashes to `line_sha256`.
    pub fn at(offset: u64, line_sha256: &str) -> KeptSeal {
        KeptSeal {
            offset,
            line_sha256: line_sha256.to_string(),
        }
    }

    /// The seal, read again from the ledger of `case`, which must still hold the very line
    /// verified there (else an error: the ledger changed while it was verified).
    pub fn get(&self, case: &CaseDir) -> Result<Seal> {
        let path = case.ledger();
        let changed = || {
            Error::input(format!(
                "{}: the seal line at byte {} is no longer the line verified: the ledger changed while it was verified; run `scelle verify` again",
                path.display(),
                self.offset
            ))
        };
        let Some(line) = line_at(case, self.offset)? else {
            return Err(changed());
        };
        if line_hash(&line) != self.line_sha256 {
            return Err(changed());
        }
        // Its members left in the line, read one at a time by whoever needs them.
        match TypedLine::parse_shared(&std::sync::Arc::new(line)) {
            Some(TypedLine {
                body: Body::Seal(s),
                ..
            }) => Ok(*s),
            _ => Err(changed()),
        }
    }
}
