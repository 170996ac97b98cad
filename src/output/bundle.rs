//! The results of `export`, `verify-bundle` and `import` as text and JSON Lines.

use super::verify::{report_messages, write_report};
use crate::case::bundle::{BundleReport, ExportOutcome};
use crate::format::chain::Severity;
use crate::output::message::{say, Message, Outcome};
use std::fmt;
use std::path::PathBuf;

impl fmt::Display for ExportOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "{}: evidence bundle (BagIt 1.0 in tar), {} bytes, sha256 {}",
            self.bundle,
            self.size,
            self.sha256
        )?;
        say!(
            f,
            "payload: {}, {}; exhibits {}",
            crate::output::count(self.payload_files, "file", "files"),
            crate::output::count(self.payload_bytes, "byte", "bytes"),
            self.exhibits.join(", ")
        )?;
        if let Some(seq) = self.entry {
            say!(f, "recorded as entry {seq} (export), with its SHA-256")?;
        }
        Ok(())
    }
}

impl Outcome for ExportOutcome {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Exported(self)]
    }
}

/// Writes who the bundle says it is (from its signed ledger) and that the fingerprints must
/// be compared out of band.
fn write_identity(f: &mut fmt::Formatter<'_>, r: &BundleReport) -> fmt::Result {
    let Some(id) = &r.identity else {
        return Ok(());
    };
    say!(
        f,
        "case {:?}, origin {:?}, {} entries",
        id.case_id,
        id.origin,
        id.ledger_size
    )?;
    say!(
        f,
        "administrator (entry 0): {:?}, fingerprint {}",
        id.admin,
        id.admin_fingerprint
    )?;
    match (&id.signer, &id.signer_fingerprint) {
        (Some(name), Some(fp)) => say!(f, "bag signed by {name:?}, fingerprint {fp}")?,
        (None, Some(fp)) => say!(f, "bag signed by a key not of this case, fingerprint {fp}")?,
        _ => say!(f, "bag not signed")?,
    }
    say!(f, "{}", id.message)
}

/// What `verify-bundle` found in a bundle.
#[derive(Debug)]
pub struct BundleChecked {
    /// The bundle checked.
    pub bundle: PathBuf,
    /// What was found.
    pub report: BundleReport,
}

impl fmt::Display for BundleChecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        write_identity(f, r)?;
        for finding in &r.bag {
            say!(f, "{}", finding.describe())?;
        }
        if let Some(report) = &r.case {
            write_report(f, report, false)?;
        }
        say!(
            f,
            "bundle {}: {} ({} payload files checked against manifest-sha256.txt)",
            self.bundle.display(),
            if r.ok() { "OK" } else { "FAILED" },
            r.payload_files
        )
    }
}

impl Outcome for BundleChecked {
    fn messages(&self) -> Vec<Message<'_>> {
        let r = &self.report;
        let mut out: Vec<Message<'_>> = r.identity.iter().map(Message::Identity).collect();
        out.extend(r.bag.iter().map(Message::Finding));
        if let Some(report) = &r.case {
            out.extend(report_messages(report));
        }
        out
    }

    fn ok(&self) -> bool {
        self.report.ok()
    }
}

/// What `import` extracted: a bundle that verified.
#[derive(Debug)]
pub struct Imported {
    /// The bundle.
    pub bundle: PathBuf,
    /// The directory it was extracted into.
    pub into: PathBuf,
    /// Its verification.
    pub report: BundleReport,
}

impl fmt::Display for Imported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        let case = r.case.as_ref().expect("import verified a case");
        write_identity(f, r)?;
        for finding in r.bag.iter().filter(|x| x.severity != Severity::Error) {
            say!(f, "{}", finding.describe())?;
        }
        say!(
            f,
            "imported {} into {}: {} payload files, case {} entries, {} exhibits, root {}",
            self.bundle.display(),
            self.into.display(),
            r.payload_files,
            case.entries,
            case.exhibits,
            case.root
        )?;
        say!(f, "the case is {}", self.into.join("data/case").display())
    }
}

impl Outcome for Imported {}
