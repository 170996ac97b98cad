//! The results of `ioc scan`, `ioc findings` and `ioc correlate` as text and JSON Lines.

use crate::case::correlate::Correlation;
use crate::case::scans::{RecordedReview, RecordedScan};
use crate::format::body::{finding_id, IocMatch, IocScan};
use crate::ops::ioc::ScanOutcome;
use crate::ops::ioc_review::ReviewOutcome;
use crate::output::message::{say, Message, Outcome};
use std::fmt;

/// Writes a scan: the IOC files (with what was skipped and why), the exhibits, every match.
fn write_scan(f: &mut fmt::Formatter<'_>, scan: &IocScan) -> fmt::Result {
    write_scan_header(f, scan)?;
    write_matches(f, scan)
}

/// Writes the IOC files of a scan (with what was skipped and why) and the exhibits.
fn write_scan_header(f: &mut fmt::Formatter<'_>, scan: &IocScan) -> fmt::Result {
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
            "{}: {} re-hashed, matches its seal (sha256 {}); {}, {} searched; {}{}",
            e.exhibit,
            e.path,
            e.sha256,
            crate::output::count(e.files, "file", "files"),
            crate::output::count(e.bytes, "byte", "bytes"),
            crate::output::count(e.matches, "finding", "findings"),
            if e.mentions > 0 {
                format!(
                    ", {} (low confidence, not findings)",
                    crate::output::count(e.mentions, "mention", "mentions")
                )
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}

/// Writes every match (finding) of a scan, then its mentions, or that nothing matched.
fn write_matches(f: &mut fmt::Formatter<'_>, scan: &IocScan) -> fmt::Result {
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

/// `ioc findings`: every finding of the scans recorded in the case, with its review; with
/// `mentions`, the mentions too.
#[derive(Debug)]
pub struct Findings {
    /// The scans, in ledger order, with their reviews.
    pub scans: Vec<RecordedScan>,
    /// Whether the mentions are listed too (`--mentions`).
    pub mentions: bool,
}

/// Where a match is: the member, then the place in it (a byte offset, a SQLite cell, a key,
/// a line), and how it matched.
pub fn match_place(m: &IocMatch) -> String {
    let mut parts = vec![m.exhibit.clone()];
    if let Some(mem) = &m.member {
        parts.push(mem.clone());
    }
    let mut how = m.on.clone();
    if let Some(l) = &m.location {
        how = format!("{how} {}", location_text(l));
    }
    if let Some(off) = m.offset {
        how.push_str(&format!(" at byte {off}"));
    }
    if m.occurrences > 1 {
        how.push_str(&format!(", {} occurrences", m.occurrences));
    }
    format!("{} ({how})", parts.join(" "))
}

/// One match as a line: its indicator, what it indicates, where, and the text found.
fn match_line(m: &IocMatch) -> String {
    format!(
        "{} {:?}{} in {}: {:?}{}",
        m.kind,
        m.value,
        if m.indicates.is_empty() {
            String::new()
        } else {
            format!(" [{}]", m.indicates.join(", "))
        },
        match_place(m),
        m.matched,
        m.excerpt
            .as_ref()
            .map(|x| format!(" \u{2014} {x:?}"))
            .unwrap_or_default()
    )
}

/// The words of a review: `confirmed by NAME (ID) at TIME (entry N): REASON`.
fn review_words(r: &RecordedReview) -> String {
    format!(
        "{} by {} at {} (entry {}): {}",
        r.decision, r.by, r.time, r.entry, r.reason
    )
}

impl fmt::Display for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scans.is_empty() {
            return say!(f, "no IOC scan recorded in this case");
        }
        say!(
            f,
            "findings are named SCAN#N; record a decision with `scelle ioc review --finding \
             SCAN#N (--confirm | --dismiss) --reason TEXT --key KEY`"
        )?;
        for s in &self.scans {
            say!(f)?;
            say!(f, "entry {} at {} by {}:", s.seq, s.time, s.by)?;
            write_scan_header(f, &s.scan)?;
            for (i, m) in s.scan.matches.iter().enumerate() {
                let current = s.current(i);
                say!(
                    f,
                    "  {} {} {}",
                    finding_id(s.seq, i as u64),
                    current
                        .map(|r| r.decision.to_uppercase())
                        .unwrap_or_else(|| "UNREVIEWED".into()),
                    match_line(m)
                )?;
                say!(f, "      indicator {}", m.indicator)?;
                let history = s.reviews.get(i).map(Vec::as_slice).unwrap_or_default();
                if let Some((last, earlier)) = history.split_last() {
                    say!(f, "      {}", review_words(last))?;
                    for r in earlier.iter().rev() {
                        say!(f, "      superseded: {}", review_words(r))?;
                    }
                }
            }
            if s.scan.matches.is_empty() {
                say!(
                    f,
                    "  no indicator matched (recorded: a negative result is a result)"
                )?;
            }
            if !s.scan.mentions.is_empty() && !self.mentions {
                say!(
                    f,
                    "  {} low-confidence mentions, not findings (--mentions lists them)",
                    s.scan.mentions.len()
                )?;
            }
        }
        if self.mentions {
            say!(f)?;
            say!(
                f,
                "MENTIONS (low confidence: raw-content hits outside a place where the indicator \
                 means something; not findings, not reviewed):"
            )?;
            let mut any = false;
            for s in &self.scans {
                for m in &s.scan.mentions {
                    any = true;
                    say!(f, "  entry {} mention {}", s.seq, match_line(m))?;
                }
            }
            if !any {
                say!(f, "  none")?;
            }
        }
        Ok(())
    }
}

impl Outcome for Findings {
    fn messages(&self) -> Vec<Message<'_>> {
        let mut out = Vec::new();
        for s in &self.scans {
            out.push(Message::IocScanRecord(s));
            for i in 0..s.scan.matches.len() {
                out.push(Message::IocFinding(s, i));
            }
        }
        if self.mentions {
            for s in &self.scans {
                for i in 0..s.scan.mentions.len() {
                    out.push(Message::IocMention(s, i));
                }
            }
        }
        out
    }
}

impl fmt::Display for ReviewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "finding {} {}: {}",
            self.review.id(),
            self.review.decision,
            match_line(&self.finding)
        )?;
        say!(f, "reason: {}", self.review.reason)?;
        if let Some(r) = &self.supersedes {
            say!(f, "supersedes the review {}", review_words(r))?;
        }
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

impl Outcome for ReviewOutcome {}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::scans::{RecordedReview, RecordedScan};

    /// A scan of E-0001 with one finding (a domain in a log) and one mention (a process name
    /// in raw bytes), the finding dismissed then confirmed.
    fn scan() -> RecordedScan {
        let m = serde_json::json!({
            "ioc_file": "a".repeat(64), "indicator": "indicator--1",
            "pattern": "[domain-name:value = 'x.example']", "type": "domain-name:value",
            "value": "x.example", "indicates": ["Pegasus"], "exhibit": "E-0001",
            "member": "logs/a.log", "on": "log", "location": {"line": 7},
            "matched": "x.example", "occurrences": 1
        });
        let mut mention = m.clone();
        mention["type"] = "process:name".into();
        mention["value"] = "payload".into();
        mention["matched"] = "payload".into();
        mention["on"] = "content".into();
        mention.as_object_mut().unwrap().remove("location");
        mention["offset"] = 12.into();
        mention["excerpt_start"] = 0.into();
        mention["excerpt"] = "..payload..".into();
        let body = serde_json::json!({
            "ioc_files": [{"file": "p.stix2", "sha256": "a".repeat(64), "size": 1,
                           "indicator_objects": 2, "used": 2}],
            "exhibits": [{"exhibit": "E-0001", "path": "/x", "sha256": "b".repeat(64),
                          "files": 1, "bytes": 1, "matches": 1, "mentions": 1}],
            "matches": [m], "mentions": [mention],
            "scanned_by": {"name": "scelle", "version": "0"}
        });
        let review = |entry, decision: &str| RecordedReview {
            entry,
            time: "2026-01-01T00:00:00Z".into(),
            by: "expert (0123456789abcdef)".into(),
            decision: decision.into(),
            reason: format!("reason {entry}"),
        };
        RecordedScan {
            seq: 3,
            time: "2026-01-01T00:00:00Z".into(),
            by: "expert (0123456789abcdef)".into(),
            scan: serde_json::from_value(body).unwrap(),
            reviews: vec![vec![review(4, "dismissed"), review(5, "confirmed")]],
        }
    }

    #[test]
    fn findings_then_mentions_labelled_low_confidence() {
        let f = Findings {
            scans: vec![scan()],
            mentions: false,
        };
        let text = f.to_string();
        assert!(text.contains("  3#0 CONFIRMED domain-name:value \"x.example\" [Pegasus] in E-0001 logs/a.log (log line 7): \"x.example\"\n"), "{text}");
        assert!(text.contains("      confirmed by expert (0123456789abcdef) at 2026-01-01T00:00:00Z (entry 5): reason 5\n      superseded: dismissed by expert (0123456789abcdef) at 2026-01-01T00:00:00Z (entry 4): reason 4\n"), "{text}");
        assert!(text.contains("  1 low-confidence mentions, not findings (--mentions lists them)"));
        assert!(!text.contains("payload"), "{text}");
        let types = |f: &Findings| -> Vec<String> {
            f.messages()
                .iter()
                .map(|m| {
                    let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
                    v["type"].as_str().unwrap().to_string()
                })
                .collect()
        };
        assert_eq!(types(&f), ["scan", "finding"]);
        let f = Findings {
            scans: vec![scan()],
            mentions: true,
        };
        let text = f.to_string();
        let at = text.find("MENTIONS (low confidence").unwrap();
        assert!(at > text.find("3#0 CONFIRMED").unwrap());
        assert!(text[at..].contains("  entry 3 mention process:name \"payload\" [Pegasus] in E-0001 logs/a.log (content at byte 12): \"payload\""), "{text}");
        assert_eq!(types(&f), ["scan", "finding", "mention"]);
        let mention: serde_json::Value = serde_json::from_str(&f.messages()[2].to_json()).unwrap();
        assert_eq!(mention["scan"], 3);
        assert_eq!(mention["value"], "payload");
        let finding: serde_json::Value = serde_json::from_str(&f.messages()[1].to_json()).unwrap();
        assert_eq!(finding["id"], "3#0");
        assert_eq!(finding["location"]["line"], 7);
        assert_eq!(finding["review"]["entry"], 5);
    }
}
