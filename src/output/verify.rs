//! The result of `verify` as text and JSON Lines.

use crate::case::verify::Report;
use crate::output::message::{say, Message, Outcome};
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
            "witness {} has seen tree size {} (cosigned at {})",
            w.name,
            w.size,
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
    say!(
        f,
        "{}: {} entries, {} exhibits{}, {} checkpoints (largest size {}), root {}; {} errors, {} warnings; {} entries/s",
        if report.ok() { "OK" } else { "FAILED" },
        report.entries,
        report.exhibits,
        if rehash { format!(" ({} re-hashed)", report.rehashed) } else { String::new() },
        report.checkpoints,
        report.checkpointed_size,
        report.root,
        report.errors(),
        report.warnings(),
        report.entries_per_second
    )
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(t: u64) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(crate::format::time::format_utc)
        .unwrap_or_else(|| "out of range".to_string())
}

/// The JSON Lines of a verification: each witness, each timestamp, each finding, then the
/// summary.
pub fn report_messages(report: &Report) -> Vec<Message<'_>> {
    let witnesses = report.witnesses.iter().map(Message::Witness);
    let timestamps = report.timestamps.iter().map(Message::VerifiedTimestamp);
    let findings = report.findings.iter().map(Message::Finding);
    witnesses
        .chain(timestamps)
        .chain(findings)
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
