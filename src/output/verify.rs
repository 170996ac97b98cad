//! The result of `verify` as text and JSON Lines.

use crate::case::verify::{ReadFrom, Report};
use crate::output::message::{say, Message, Outcome};
use crate::output::{count, utc};
use std::fmt;

/// What `verify` found, and whether it re-hashed the artifacts.
#[derive(Debug)]
pub struct Verified {
    /// The verification.
    pub report: Report,
    /// Whether `--rehash` was given (the summary then counts the exhibits re-hashed).
    pub rehash: bool,
}

/// Writes a verification as `verify` does: the findings, the witnesses, the timestamps, the
/// summary line.
pub fn write_report(f: &mut fmt::Formatter<'_>, report: &Report, rehash: bool) -> fmt::Result {
    for finding in &report.findings {
        say!(f, "{}", finding.describe())?;
    }
    for w in &report.witnesses {
        say!(
            f,
            "witness {} has seen tree size {} (cosigned at {}, time {})",
            w.name,
            w.size,
            utc(w.time),
            w.time
        )?;
    }
    for w in &report.witness_latest {
        say!(
            f,
            "witness {}: largest tree size cosigned {}, at {} ({})",
            w.name,
            w.size,
            utc(w.time),
            w.time
        )?;
    }
    for t in &report.timestamps {
        say!(
            f,
            "checkpoint {} timestamped by {} at {} (serial {})",
            t.size,
            t.tsa,
            t.time,
            t.serial
        )?;
    }
    if rehash {
        write_rehashes(f, report)?;
    }
    let failed = report.rehashes.iter().filter(|r| !r.ok).count() as u64;
    say!(
        f,
        "{}: {}, {}{}, {} (largest size {}), root {}; {}, {}; {} entries/s",
        if report.ok() { "OK" } else { "FAILED" },
        count(report.entries, "entry", "entries"),
        count(report.exhibits, "exhibit", "exhibits"),
        if rehash {
            format!(" ({} re-hashed, {failed} FAILED)", report.rehashed)
        } else {
            String::new()
        },
        count(report.checkpoints, "checkpoint", "checkpoints"),
        report.checkpointed_size,
        report.root,
        count(report.errors() as u64, "error", "errors"),
        count(report.warnings() as u64, "warning", "warnings"),
        report.entries_per_second
    )
}

/// `verify --rehash`, as `sha256sum -c` prints: `EXHIBIT PATH: OK` or `FAILED (why)` for each
/// exhibit re-hashed, then for a failed folder or archive each member that differs (as
/// `PATH/MEMBER` for a folder, `PATH, member MEMBER` for an archive).
fn write_rehashes(f: &mut fmt::Formatter<'_>, report: &Report) -> fmt::Result {
    for r in &report.rehashes {
        let about = |member: bool| {
            report.findings.iter().filter(move |x| {
                x.exhibit.as_deref() == Some(r.exhibit.as_str())
                    && x.code.starts_with("rehash-")
                    && x.member.is_some() == member
            })
        };
        let from = match r.read_from {
            ReadFrom::Carried => " (the copy the bundle carries)",
            _ => "",
        };
        if r.ok {
            say!(f, "{} {}{from}: OK", r.exhibit, r.path)?;
            continue;
        }
        let why = reasons(about(false));
        let hint = if about(false).any(|x| x.code == "rehash-unreadable") {
            format!("; if it was moved, give --path {}=PATH", r.exhibit)
        } else {
            String::new()
        };
        say!(f, "{} {}{from}: FAILED{why}{hint}", r.exhibit, r.path)?;
        let folder = std::path::Path::new(&r.path).is_dir();
        let mut members = about(true).peekable();
        while let Some(first) = members.next() {
            let name = first.member.as_deref().unwrap_or_default();
            let mut same = vec![first];
            while let Some(next) = members.next_if(|x| x.member.as_deref() == Some(name)) {
                same.push(next);
            }
            let shown = if folder {
                format!("{}/{name}", r.path.trim_end_matches('/'))
            } else {
                format!("{}, member {name}", r.path)
            };
            say!(
                f,
                "{} {}: FAILED{}",
                r.exhibit,
                shown,
                reasons(same.into_iter())
            )?;
        }
        if let Some(more) = about(false).find(|x| x.code == "rehash-more") {
            say!(f, "{} {}: {}", r.exhibit, r.path, more.message)?;
        }
    }
    Ok(())
}

/// Why a re-hash failed, in words, from its findings' codes: ` (SHA-256 differs, ...)`.
fn reasons<'a>(findings: impl Iterator<Item = &'a crate::format::chain::Finding>) -> String {
    let mut words: Vec<&str> = Vec::new();
    for x in findings {
        let w = match x.code.as_str() {
            "rehash-sha256" => "SHA-256 differs",
            "rehash-sha512" => "SHA-512 differs",
            "rehash-md5" => "MD5 differs",
            "rehash-sha1" => "SHA-1 differs",
            "rehash-size" => "size differs",
            "rehash-missing" => "missing",
            "rehash-extra" => "not in the seal",
            "rehash-changed" => "type or link changed",
            "rehash-kind" => "not the kind of object sealed",
            "rehash-ewf" => "the image reads differently",
            "rehash-unreadable" => "cannot be read",
            "member-file" => "its member file cannot be read",
            _ => continue,
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.is_empty() {
        String::new()
    } else {
        format!(" ({})", words.join(", "))
    }
}

/// The JSON Lines of a verification: each witness, each timestamp, each finding, then the
/// summary.
pub fn report_messages(report: &Report) -> Vec<Message<'_>> {
    let witnesses = report.witnesses.iter().map(Message::Witness);
    let timestamps = report.timestamps.iter().map(Message::VerifiedTimestamp);
    let findings = report.findings.iter().map(Message::Finding);
    let rehashes = report.rehashes.iter().map(Message::Rehashed);
    witnesses
        .chain(timestamps)
        .chain(findings)
        .chain(rehashes)
        .chain([Message::Summary(report)])
        .collect()
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_report(f, &self.report, self.rehash)
    }
}

impl Outcome for Verified {
    fn messages(&self) -> Vec<Message<'_>> {
        report_messages(&self.report)
    }

    fn ok(&self) -> bool {
        self.report.ok()
    }
}
