//! The results of `report`, `verify --report` and `export --format case-uco` as text and JSON
//! Lines.

use crate::ops::caseuco::CaseUcoWritten;
use crate::ops::report::{InitInput, RecordedReport, ReportOutcome};
use crate::output::message::{say, Message, Outcome};
use std::fmt;
use std::path::PathBuf;

impl fmt::Display for ReportOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "wrote {} ({} pages, {} bytes)",
            self.path.display(),
            self.pages,
            self.size
        )?;
        say!(f, "sha256 {}", self.sha256)?;
        if let Some(filing) = &self.filing {
            say!(
                f,
                "wrote {} (filing variant, PDF/A-2b without attachments; {} pages, {} bytes)",
                filing.path.display(),
                filing.pages,
                filing.size
            )?;
            say!(f, "sha256 {}", filing.sha256)?;
        }
        if let Some(alg) = &self.signed {
            say!(f, "signed: PAdES baseline {alg}")?;
        }
        if let Some(cert) = &self.signer_certificate {
            say!(
                f,
                "wrote {} (the signing certificate, self-issued: a validator is told to trust it, e.g. pyhanko sign validate --trust)",
                cert.display()
            )?;
        }
        if let Some((first, last)) = &self.bates {
            say!(f, "Bates {first} to {last}")?;
        }
        match &self.entry {
            Some(e) => say!(f, "recorded at entry {}", e.seq)?,
            None => say!(f, "not recorded in the ledger: give --key to record it")?,
        }
        if let Some(cp) = &self.checkpoint {
            say!(f, "checkpoint: {}", cp.display())?;
        }
        Ok(())
    }
}

impl Outcome for ReportOutcome {}

impl fmt::Display for InitInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(path) = &self.path else {
            return crate::output::message::text(f, &self.text);
        };
        let (doc, lang, jur) = (
            self.document.name(),
            self.lang.code(),
            self.jurisdiction.code(),
        );
        say!(
            f,
            "wrote {}: the input of {doc} ({lang}, jurisdiction {jur}) to fill in",
            path.display()
        )?;
        say!(
            f,
            "then: scelle report {doc} --lang {lang} --jurisdiction {jur} --input {} --out FILE.pdf",
            path.display()
        )
    }
}

impl Outcome for InitInput {}

/// `verify --report FILE.pdf`: the `report` entries recording the PDF's SHA-256.
#[derive(Debug)]
pub struct ReportCheck {
    /// The PDF checked.
    pub file: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// The entries recording it (none: it is not a document of this case).
    pub found: Vec<RecordedReport>,
}

impl fmt::Display for ReportCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pdf, sha) = (self.file.display(), &self.sha256);
        if self.found.is_empty() {
            return say!(
                f,
                "{pdf}: sha256 {sha} is NOT recorded in this case's ledger"
            );
        }
        for (seq, time, r) in &self.found {
            match r.filing.as_ref().filter(|v| &v.sha256 == sha) {
                Some(v) => say!(
                    f,
                    "{pdf}: recorded at entry {seq} ({time}): {} in {}, filing variant {} of {}, {} pages, sha256 {sha}",
                    r.document,
                    r.lang,
                    v.file,
                    r.file,
                    v.pages
                )?,
                None => say!(
                    f,
                    "{pdf}: recorded at entry {seq} ({time}): {} in {}, {} pages, sha256 {sha}",
                    r.document,
                    r.lang,
                    r.pages
                )?,
            }
        }
        Ok(())
    }
}

impl Outcome for ReportCheck {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::RecordedReport {
            file: &self.file,
            sha256: &self.sha256,
            recorded: &self.found,
        }]
    }

    fn ok(&self) -> bool {
        !self.found.is_empty()
    }
}

impl fmt::Display for CaseUcoWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "{}: CASE/UCO JSON-LD of the chain of custody",
            self.path.display()
        )
    }
}

impl Outcome for CaseUcoWritten {}
