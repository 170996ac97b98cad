//! `scelle log`: the ledger's entries, one line each.

use crate::case::presign::{read_checked, KeyBook};
use crate::error::{Error, Result};
use crate::store::case::CaseDir;
use crate::store::ledger::RawLine;
use serde::Serialize;

/// One entry as listed.
#[derive(Debug, Clone, Serialize)]
pub struct LogItem {
    /// Sequence number.
    pub seq: u64,
    /// UTC time.
    pub time: String,
    /// Kind.
    pub kind: String,
    /// Signer's key id.
    pub key: String,
    /// Signer's name, if enrolled.
    pub signer: Option<String>,
    /// One-line summary.
    pub summary: String,
    /// The raw line (shared with the entry's body, not copied).
    #[serde(skip)]
    pub line: std::sync::Arc<Vec<u8>>,
}

/// Lists every entry: gives each to `show`, in order, as the ledger is read (memory: one line
/// at a time, whatever the ledger's length); stops at the first error `show` returns. Lines
/// that do not parse are listed as such (run `verify` for details). Signatures are checked on
/// every core as the ledger is read ([`read_checked`]).
pub fn each(case: &CaseDir, mut show: impl FnMut(LogItem) -> Result<()>) -> Result<()> {
    let ledger = case.ledger();
    let mut state = crate::format::chain::ChainState::new();
    let book = KeyBook::default();
    let mut i = 0u64;
    read_checked(&ledger, &book, |raw, verdict| {
        let l = match raw {
            RawLine::Line { bytes, .. } => bytes,
            RawLine::TooLong { offset, len, .. } => {
                return Err(RawLine::too_long_error(&ledger, offset, len))
            }
            RawLine::Torn { offset, .. } => {
                return Err(Error::input(format!(
                    "{}: incomplete last line at byte {offset}; run `scelle repair`",
                    ledger.display()
                )))
            }
        };
        let seq = i;
        i += 1;
        let line = std::sync::Arc::new(l);
        let applied = book.apply(&mut state, &line, verdict.as_ref());
        // The entry as applied (the line parsed once).
        let Some(e) = applied.entry else {
            return show(LogItem {
                seq,
                time: String::new(),
                kind: "?".into(),
                key: String::new(),
                signer: None,
                summary: "unreadable entry (run `scelle verify`)".into(),
                line,
            });
        };
        let summary = match &applied.body {
            Some(body) => body.summary(&state),
            None => "(body not understood; run `scelle verify`)".into(),
        };
        show(LogItem {
            seq: e.seq,
            time: e.time.clone(),
            kind: e.kind.clone(),
            signer: state.key(&e.key).map(|k| k.record.name.clone()),
            key: e.key,
            summary,
            line,
        })
    })
}
