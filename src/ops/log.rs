//! `scelle log`: the ledger's entries, one line each.

use crate::error::Result;
use crate::format::body::Body;
use crate::format::entry::Entry;
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
        let Ok(e) = Entry::parse_line(l) else {
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
            Some(body) => summarise(&state, body),
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

/// One line about a custody or key entry.
pub(crate) fn summarise(state: &crate::format::chain::ChainState, body: &Body) -> String {
    let who = |id: &str| state.who(id);
    let check = |ok: bool| if ok { "hash verified" } else { "DISCREPANCY" };
    match body {
        Body::CaseOpen(o) => format!(
            "case {} \u{2014} {}; administrator {} ({})",
            o.case.case_id, o.case.title, o.admin.name, o.admin.id
        ),
        Body::Seal(s) => format!(
            "{}{} {} {} ({} bytes) sha256 {}",
            s.exhibit,
            s.seal_no
                .as_ref()
                .map(|n| format!(" [seal {n}]"))
                .unwrap_or_default(),
            s.artifact.kind,
            s.artifact.path_given,
            s.artifact.size,
            s.artifact.hashes.sha256
        ),
        Body::KeyEnrol(k) => format!(
            "enrolled {} as {} (key {})",
            k.key.name,
            k.key.role.as_deref().unwrap_or("?"),
            k.key.id
        ),
        Body::KeyRevoke(r) => format!("revoked {}: {}", who(&r.key), r.reason),
        Body::KeyRotate(r) => format!("rotated key {} to {}", r.old, r.new.id),
        Body::Release(r) => format!(
            "released {} to {}: {}",
            r.exhibits.join(", "),
            who(&r.to),
            r.purpose
        ),
        Body::Accept(a) => format!(
            "accepted {} (released at entry {}){}",
            a.received
                .iter()
                .map(|r| format!("{} {}", r.exhibit, check(r.matches)))
                .collect::<Vec<_>>()
                .join(", "),
            a.release,
            a.seal_condition
                .as_ref()
                .map(|c| format!("; seal: {c}"))
                .unwrap_or_default()
        ),
        Body::Open(o) => format!(
            "opened {} (seal {}): {}",
            o.exhibit,
            o.seal_no.as_deref().unwrap_or("none"),
            o.operations
        ),
        Body::Reseal(r) => format!(
            "re-sealed {} under seal {} ({})",
            r.exhibit,
            r.new_seal_no,
            check(r.recheck.matches)
        ),
        Body::Note(n) => format!(
            "{}{}",
            n.exhibit
                .as_ref()
                .map(|e| format!("{e}: "))
                .unwrap_or_default(),
            n.text
        ),
        Body::Dispose(d) => format!("disposed of {}: {} ({})", d.exhibit, d.how, d.authority),
        Body::Report(r) => format!(
            "{} ({}, {} pages) {} sha256 {}",
            r.document, r.lang, r.pages, r.file, r.sha256
        ),
        Body::Export(x) => format!(
            "exported {} ({} bytes{}) of {}{}, sha256 {}",
            x.file,
            x.size,
            if x.artifacts { ", with artifacts" } else { "" },
            x.exhibits.join(", "),
            x.to.as_ref()
                .map(|t| format!(" to {t}"))
                .unwrap_or_default(),
            x.sha256
        ),
        Body::IocScan(scan) => format!(
            "IOC scan of {} with {}: {}",
            scan.exhibits
                .iter()
                .map(|e| e.exhibit.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            scan.ioc_files
                .iter()
                .map(|f| format!("{} ({} indicators)", f.file, f.used))
                .collect::<Vec<_>>()
                .join(", "),
            if scan.matches.is_empty() {
                "no match".to_string()
            } else {
                format!("{} matches", scan.matches.len())
            }
        ),
    }
}
