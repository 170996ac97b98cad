//! The seals `verify` keeps after reading the ledger, for the checks that come after the chain
//! (re-hashing, IOC matches against members): whole when they list few members, else only
//! where their line is and its hash, read again (and checked against that hash) one at a time
//! when needed. So verifying a case of several full-file-system extractions holds one seal's
//! members at a time, not every seal's.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Body, Seal};
use crate::format::entry::{line_hash, TypedLine, MAX_LINE};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

/// Seals listing more members than this are kept as their place in the ledger.
pub const KEEP_MEMBERS: usize = 1024;

/// A seal read by `verify`.
pub enum KeptSeal {
    /// The seal itself.
    Whole(Box<Seal>),
    /// Where its line starts in the ledger, and the hex SHA-256 of that line as verified.
    At {
        /// Byte offset of the line.
        offset: u64,
        /// [`line_hash`] of the line.
        line_sha256: String,
    },
}

impl KeptSeal {
    /// Keeps `seal`, read from the line at `offset` whose hash is `line_sha256`.
    pub fn keep(seal: Seal, offset: u64, line_sha256: &str) -> KeptSeal {
        match &seal.artifact.members {
            Some(m) if m.len() > KEEP_MEMBERS => KeptSeal::At {
                offset,
                line_sha256: line_sha256.to_string(),
            },
            _ => KeptSeal::Whole(Box::new(seal)),
        }
    }

    /// The seal: itself, or read again from the ledger of `case`, which must still hold the
    /// very line verified there (else an error: the ledger changed while it was verified).
    pub fn get(&self, case: &CaseDir) -> Result<std::borrow::Cow<'_, Seal>> {
        let (offset, want) = match self {
            KeptSeal::Whole(s) => return Ok(std::borrow::Cow::Borrowed(s)),
            KeptSeal::At {
                offset,
                line_sha256,
            } => (*offset, line_sha256),
        };
        let path = case.ledger();
        let changed = || {
            Error::input(format!(
                "{}: the seal line at byte {offset} is no longer the line verified: the ledger changed while it was verified; run `scelle verify` again",
                path.display()
            ))
        };
        let mut f = fsutil::open_nofollow(&path, false)?;
        f.seek(SeekFrom::Start(offset)).at(&path)?;
        let mut line = Vec::new();
        BufReader::new(f.take(MAX_LINE as u64 + 1))
            .read_until(b'\n', &mut line)
            .at(&path)?;
        if line.pop() != Some(b'\n') || line_hash(&line) != *want {
            return Err(changed());
        }
        match TypedLine::parse_or_explain(&line) {
            Ok((_, Ok(Body::Seal(s)))) => Ok(std::borrow::Cow::Owned(*s)),
            _ => Err(changed()),
        }
    }
}
