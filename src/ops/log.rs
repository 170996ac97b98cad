//! `scelle log`: the ledger's entries, one line each.

use crate::error::Result;
use crate::store::case::CaseDir;
use crate::store::ledger::read_all_lines;
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
    /// The raw line.
    #[serde(skip)]
    pub line: String,
}

/// Lists every entry. Lines that do not parse are listed as such (run `verify` for details).
pub fn log(case: &CaseDir) -> Result<Vec<LogItem>> {
    let lines = read_all_lines(case)?;
    let mut state = crate::format::chain::ChainState::new();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let applied = state.apply(l);
        let line = String::from_utf8_lossy(l).into_owned();
        // The entry as applied (the line parsed once).
        let Some(e) = applied.entry else {
            out.push(LogItem {
                seq: i as u64,
                time: String::new(),
                kind: "?".into(),
                key: String::new(),
                signer: None,
                summary: "unreadable entry (run `scelle verify`)".into(),
                line,
            });
            continue;
        };
        let summary = match &applied.body {
            Some(body) => body.summary(&state),
            None => "(body not understood; run `scelle verify`)".into(),
        };
        out.push(LogItem {
            seq: e.seq,
            time: e.time.clone(),
            kind: e.kind.clone(),
            signer: state.key(&e.key).map(|k| k.record.name.clone()),
            key: e.key,
            summary,
            line,
        });
    }
    Ok(out)
}
