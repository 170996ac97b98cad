//! The results of `ioc scan`, `ioc findings` and `ioc correlate` as text and JSON Lines.

use crate::case::correlate::Correlation;
use crate::case::scans::RecordedScan;
use crate::format::body::IocScan;
use crate::ops::ioc::ScanOutcome;
use crate::output::message::{say, Message, Outcome};
use std::fmt;

/// Writes a scan: the IOC files (with what was skipped and why), the exhibits, every match.
fn write_scan(f: &mut fmt::Formatter<'_>, scan: &IocScan) -> fmt::Result {
    for file in &scan.ioc_files {
        say!(
            f,
            "IOC file {} (sha256 {}): {} indicators, {} used{}{}",
            file.file,
            file.sha256,
            file.indicator_objects,
            file.used,
            if file.names_only > 0 {
                format!(
                    " ({} too short to search in content: compared with file names only)",
                    file.names_only
                )
            } else {
                String::new()
            },
            if file.names.is_empty() {
                String::new()
            } else {
                format!("; indicates {}", file.names.join(", "))
            }
        )?;
        for s in &file.skipped {
            say!(
                f,
                "  skipped {}: {} (e.g. {})",
                s.count,
                s.reason,
                s.examples.join(", ")
            )?;
        }
    }
    for e in &scan.exhibits {
        say!(
            f,
            "{}: {} re-hashed, matches its seal (sha256 {}); {} files, {} bytes searched; {} {}{}",
            e.exhibit,
            e.path,
            e.sha256,
            e.files,
            e.bytes,
            e.matches,
            if e.matches == 1 {
                "finding"
            } else {
                "findings"
            },
            if e.mentions > 0 {
                format!(
                    ", {} {} (low confidence, not findings)",
                    e.mentions,
                    if e.mentions == 1 {
                        "mention"
                    } else {
                        "mentions"
                    }
                )
            } else {
                String::new()
            }
        )?;
    }
    write_records(f, &scan.matches, "MATCH")?;
    if !scan.mentions.is_empty() {
        say!(
            f,
            "{} {} (low confidence, not findings: an indicator's text in raw bytes, outside \
             a place where its kind means something)",
            scan.mentions.len(),
            if scan.mentions.len() == 1 {
                "mention"
            } else {
                "mentions"
            }
        )?;
        write_records(f, &scan.mentions, "mention")?;
    }
    if scan.matches.is_empty() {
        say!(
            f,
            "no indicator matched (recorded: a negative result is a result)"
        )?;
    }
    Ok(())
}

/// Where in a structured file: `table T column C rowid N`, `key /a/b`, `line N`.
pub fn location_text(l: &crate::format::body::Location) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &l.table {
        parts.push(format!("table {t:?}"));
    }
    if let Some(c) = &l.column {
        parts.push(format!("column {c:?}"));
    }
    if let Some(r) = l.rowid {
        parts.push(format!("rowid {r}"));
    }
    if let Some(k) = &l.key {
        parts.push(format!("key {k:?}"));
    }
    if let Some(n) = l.line {
        parts.push(format!("line {n}"));
    }
    parts.join(" ")
}

/// One line per match or mention record.
fn write_records(
    f: &mut fmt::Formatter<'_>,
    records: &[crate::format::body::IocMatch],
    label: &str,
) -> fmt::Result {
    for m in records {
        let mut place = match (&m.member, m.offset) {
            (Some(mem), Some(off)) => format!("{mem} at byte {off}"),
            (Some(mem), None) => mem.clone(),
            (None, Some(off)) => format!("at byte {off}"),
            (None, None) => String::new(),
        };
        if let Some(l) = &m.location {
            place = format!("{place} {}", location_text(l)).trim().to_string();
        }
        say!(
            f,
            "  {label} {} {:?}{} in {} {} ({}{}): {:?}{}",
            m.kind,
            m.value,
            if m.indicates.is_empty() {
                String::new()
            } else {
                format!(" [{}]", m.indicates.join(", "))
            },
            m.exhibit,
            place,
            m.on,
            if m.occurrences > 1 {
                format!(", {} occurrences", m.occurrences)
            } else {
                String::new()
            },
            m.matched,
            m.excerpt
                .as_ref()
                .map(|x| format!(" \u{2014} {x:?}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

impl fmt::Display for ScanOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scan(f, &self.scan)?;
        say!(
            f,
            "recorded: entry {}{}",
            self.seq,
            self.checkpoint
                .as_ref()
                .map(|p| format!("; checkpoint {}", p.display()))
                .unwrap_or_default()
        )
    }
}

impl Outcome for ScanOutcome {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Scan(self)]
    }
}

/// `ioc findings`: the scans recorded in the case.
#[derive(Debug)]
pub struct Findings(pub Vec<RecordedScan>);

impl fmt::Display for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return say!(f, "no IOC scan recorded in this case");
        }
        for s in &self.0 {
            say!(f, "entry {} at {} by {}:", s.seq, s.time, s.by)?;
            write_scan(f, &s.scan)?;
            say!(f)?;
        }
        Ok(())
    }
}

impl Outcome for Findings {
    fn messages(&self) -> Vec<Message<'_>> {
        self.0.iter().map(Message::RecordedScan).collect()
    }
}

impl fmt::Display for Correlation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.cases.iter().enumerate() {
            say!(
                f,
                "case {}: {} \u{2014} {} ({}): {} entries, root {}, {} scans, {} matches",
                i + 1,
                s.case_id,
                s.title,
                s.path,
                s.entries,
                s.root,
                s.scans,
                s.matches
            )?;
            for (name, sha) in &s.ioc_files {
                say!(f, "  IOC file {name} (sha256 {sha})")?;
            }
        }
        if !self.shared_ioc_files.is_empty() {
            say!(
                f,
                "IOC files used by several cases: {}",
                self.shared_ioc_files.join(", ")
            )?;
        }
        if self.shared.is_empty() {
            return say!(f, "no indicator matched in more than one case");
        }
        say!(
            f,
            "{} indicators matched in more than one case:",
            self.shared.len()
        )?;
        for s in &self.shared {
            say!(
                f,
                "SHARED {} {:?}{} in cases {}{}",
                s.kind,
                s.value,
                if s.indicates.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", s.indicates.join(", "))
                },
                s.cases
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                if s.same_text.is_empty() {
                    String::new()
                } else {
                    format!("; same text found: {}", s.same_text.join(", "))
                }
            )?;
            for m in &s.matches {
                say!(
                    f,
                    "  case {} {} {}{} ({}, entry {}): {:?}",
                    m.case + 1,
                    self.cases[m.case].case_id,
                    m.exhibit,
                    m.member
                        .as_ref()
                        .map(|x| format!(" {x}"))
                        .unwrap_or_default(),
                    m.on,
                    m.entry,
                    m.matched
                )?;
            }
        }
        Ok(())
    }
}

impl Outcome for Correlation {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Correlation(self)]
    }
}
