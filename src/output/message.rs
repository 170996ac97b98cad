//! What a command prints: its typed result renders as text ([`std::fmt::Display`]) or, with
//! `--json`, as JSON Lines, one object per [`Message`] (the one enum of every JSON record the
//! command line writes, as ripgrep's `printer::jsont`).
//!
//! Text is made safe for a terminal here, line by line, as the binary's `println!` does
//! (`say!`, [`crate::format::printable`]); JSON is printed exactly as [`Message::to_json`]
//! serialises it.

use crate::case::bundle::{BundleIdentity, ExportOutcome};
use crate::case::correlate::Correlation;
use crate::case::proof::{ConsistencyProof, InclusionProof};
use crate::case::scans::RecordedScan;
use crate::case::timestamp::TsaResult;
use crate::case::verify::{Rehashed, Report, TimestampSighting, WitnessSighting};
use crate::format::body::Recheck;
use crate::format::chain::{CaseTsa, EnrolledKey, Finding};
use crate::format::printable;
use crate::ops::custody::Timeline;
use crate::ops::ioc::ScanOutcome;
use crate::ops::keys::KeyInfo;
use crate::ops::report::RecordedReport;
use crate::ops::seal::Sealed;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// The result of a command, as the command line shows it.
pub trait Outcome: fmt::Display {
    /// The JSON Lines records of `--json`, in order (none for a command without `--json`).
    fn messages(&self) -> Vec<Message<'_>> {
        Vec::new()
    }

    /// Whether the command found no problem: `false` is exit code 1 (a verification failed,
    /// a re-hash did not match, a document is not recorded).
    fn ok(&self) -> bool {
        true
    }
}

/// One JSON Lines record of `--json` output.
#[derive(Debug)]
pub enum Message<'a> {
    /// `seal --json`: one sealed exhibit.
    Sealed(&'a Sealed),
    /// `key show --json`.
    Key(&'a KeyInfo),
    /// `key list --json`: one key of the case.
    EnrolledKey(&'a EnrolledKey),
    /// `log --json`: one ledger line, exactly as stored.
    LedgerLine(&'a [u8]),
    /// `verify --json`, `verify-bundle --json` (`"type":"witness"`): a witness cosignature seen.
    Witness(&'a WitnessSighting),
    /// `verify --json` (`"type":"timestamp"`): a checkpoint's verified RFC 3161 timestamp.
    VerifiedTimestamp(&'a TimestampSighting),
    /// `verify --json`, `verify-bundle --json` (`"type":"finding"`): an error or warning.
    Finding(&'a Finding),
    /// `verify --rehash --json` (`"type":"rehash"`): one exhibit re-hashed, where, and whether
    /// it matched its seal.
    Rehashed(&'a Rehashed),
    /// `verify --json`, `verify-bundle --json` (`"type":"summary"`): the counts and verdict.
    Summary(&'a Report),
    /// `verify-bundle --json` (`"type":"identity"`): who the bundle says it is.
    Identity(&'a BundleIdentity),
    /// `verify --report FILE.pdf --json` (`"type":"report"`): the entries recording the PDF.
    RecordedReport {
        /// The PDF checked.
        file: &'a Path,
        /// Its SHA-256.
        sha256: &'a str,
        /// The `report` entries recording it.
        recorded: &'a [RecordedReport],
    },
    /// `prove --json`.
    Proof(&'a InclusionProof),
    /// `consistency --json`.
    Consistency(&'a ConsistencyProof),
    /// `show --json`.
    Timeline(&'a Timeline),
    /// `exhibits --json` (`"type":"exhibit"`): one exhibit.
    Exhibit(&'a crate::ops::custody::ExhibitRow),
    /// `accept --json`: one exhibit re-hashed.
    Recheck(&'a Recheck),
    /// `ioc scan --json`: the entry recorded.
    Scan(&'a ScanOutcome),
    /// `ioc findings --json` (`"type":"scan"`): one recorded scan, without its matches and
    /// mentions (listed by the records that follow it).
    IocScanRecord(&'a RecordedScan),
    /// `ioc findings --json` (`"type":"finding"`): finding N of a scan, with its reviews.
    IocFinding(&'a RecordedScan, usize),
    /// `ioc findings --mentions --json` (`"type":"mention"`): mention N of a scan.
    IocMention(&'a RecordedScan, usize),
    /// `ioc correlate --json`.
    Correlation(&'a Correlation),
    /// `export --json`.
    Exported(&'a ExportOutcome),
    /// `tsa list --json`: one TSA of the case.
    Tsa(&'a CaseTsa),
    /// `timestamp --json` (`"type":"timestamp"`): one TSA's result for the checkpoint.
    Timestamp(&'a TsaResult),
}

/// `value` serialised with a `"type"` member added (keys in sorted order, as
/// `serde_json::Value` keeps them).
fn tagged(kind: &str, value: &impl Serialize) -> serde_json::Value {
    let mut v = serde_json::to_value(value).expect("serialises");
    v["type"] = kind.into();
    v
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("serialises")
}

impl Message<'_> {
    /// The record as one line of JSON (without the newline).
    pub fn to_json(&self) -> String {
        match self {
            Message::Sealed(s) => json(&serde_json::json!({
                "exhibit": s.exhibit, "entry": s.seq, "kind": s.artifact.kind,
                "path": s.artifact.path_given, "size": s.artifact.size, "hashes": s.artifact.hashes,
                "file_count": s.artifact.file_count, "source_hashes": s.source_hashes,
                "duplicates": s.duplicates,
            })),
            Message::Key(k) => json(k),
            Message::EnrolledKey(k) => json(k),
            Message::LedgerLine(line) => String::from_utf8_lossy(line).into_owned(),
            Message::Witness(w) => json(&tagged("witness", w)),
            Message::VerifiedTimestamp(t) => json(&tagged("timestamp", t)),
            Message::Finding(f) => json(&tagged("finding", f)),
            Message::Rehashed(r) => json(&tagged("rehash", r)),
            Message::Exhibit(r) => json(&tagged("exhibit", r)),
            Message::Summary(report) => {
                let mut v = tagged("summary", report);
                let o = v.as_object_mut().expect("object");
                o.remove("findings");
                o.remove("rehashes");
                v["ok"] = report.ok().into();
                v["errors"] = report.errors().into();
                v["warnings"] = report.warnings().into();
                json(&v)
            }
            Message::Identity(id) => json(&tagged("identity", id)),
            Message::RecordedReport {
                file,
                sha256,
                recorded,
            } => json(&serde_json::json!({
                "type": "report", "file": file.display().to_string(), "sha256": sha256,
                "recorded": recorded.iter().map(|(seq, time, r)| serde_json::json!({"entry": seq, "time": time, "body": r})).collect::<Vec<_>>(),
            })),
            Message::Proof(p) => json(p),
            Message::Consistency(p) => json(p),
            Message::Timeline(t) => json(t),
            Message::Recheck(r) => json(r),
            Message::Scan(out) => json(&serde_json::json!({
                "seq": out.seq,
                "checkpoint": out.checkpoint.as_ref().map(|p| p.display().to_string()),
                "scan": out.scan,
            })),
            Message::IocScanRecord(s) => {
                let mut v = tagged("scan", s);
                if let Some(body) = v["scan"].as_object_mut() {
                    body.remove("matches");
                    body.remove("mentions");
                }
                v["findings"] = s.scan.matches.len().into();
                v["mentions"] = s.scan.mentions.len().into();
                json(&v)
            }
            Message::IocFinding(s, i) => {
                let mut v = tagged("finding", &s.scan.matches[*i]);
                v["id"] = crate::format::body::finding_id(s.seq, *i as u64).into();
                v["scan"] = s.seq.into();
                v["index"] = (*i).into();
                let reviews = s.reviews.get(*i).map(Vec::as_slice).unwrap_or_default();
                v["review"] = reviews
                    .last()
                    .map(|r| serde_json::to_value(r).expect("serialises"))
                    .unwrap_or(serde_json::Value::Null);
                v["reviews"] = serde_json::to_value(reviews).expect("serialises");
                json(&v)
            }
            Message::IocMention(s, i) => {
                let mut v = tagged("mention", &s.scan.mentions[*i]);
                v["scan"] = s.seq.into();
                v["index"] = (*i).into();
                json(&v)
            }
            Message::Correlation(c) => json(c),
            Message::Exported(e) => json(e),
            Message::Tsa(t) => json(t),
            Message::Timestamp(r) => json(&tagged("timestamp", r)),
        }
    }
}

/// Writes one line of text: `args` formatted, every control and bidirectional character
/// escaped, newlines included ([`printable::field`]), then a newline.
pub fn line(f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>) -> fmt::Result {
    match args.as_str() {
        Some(s) => writeln!(f, "{}", printable::field(s)),
        None => writeln!(f, "{}", printable::field(&args.to_string())),
    }
}

/// Writes text composed of whole lines (a signed note, a PEM): newlines and tabs kept, other
/// control and bidirectional characters escaped ([`printable::text`]).
pub fn text(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str(&printable::text(s))
}

/// `say!(f, "format", args...)`: one line of text through [`line`], as the binary's
/// `println!`.
macro_rules! say {
    ($f:expr) => {
        $crate::output::message::line($f, format_args!(""))
    };
    ($f:expr, $($arg:tt)*) => {
        $crate::output::message::line($f, format_args!($($arg)*))
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::chain::Severity;

    #[test]
    fn typed_records_carry_their_type_among_sorted_keys() {
        let f = Finding {
            severity: Severity::Error,
            code: "chain".into(),
            entry: Some(3),
            exhibit: None,
            file: None,
            member: None,
            message: "m".into(),
        };
        assert_eq!(
            Message::Finding(&f).to_json(),
            r#"{"code":"chain","entry":3,"message":"m","severity":"error","type":"finding"}"#
        );
    }

    #[test]
    fn plain_records_keep_their_field_order() {
        let r = Recheck {
            exhibit: "E-0001".into(),
            path: "p".into(),
            sha256: "s".into(),
            matches: true,
            discrepancies: Vec::new(),
        };
        assert_eq!(
            Message::Recheck(&r).to_json(),
            r#"{"exhibit":"E-0001","path":"p","sha256":"s","matches":true}"#
        );
        assert_eq!(Message::LedgerLine(b"{\"a\":1}").to_json(), "{\"a\":1}");
    }
}
