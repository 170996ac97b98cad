//! The results of `tsa add`, `tsa list` and `timestamp` (and of the timestamp after an
//! append) as text and JSON Lines.

use crate::case::timestamp::{TsaOutcome, TsaResult};
use crate::format::chain::CaseTsa;
use crate::ops::timestamp::Timestamped;
use crate::ops::tsa::TsaAdded;
use crate::output::message::{say, Message, Outcome};
use der::Decode;
use sha2::{Digest, Sha256};
use std::fmt;

/// A CA certificate of a TSA, for a line of text: its SHA-256 fingerprint and subject.
fn describe_ca(b64: &str) -> String {
    let Some(der) = crate::format::encoding::unb64(b64) else {
        return "(not base64)".into();
    };
    let fp = crate::format::encoding::hex(&Sha256::digest(&der));
    match cms::cert::x509::Certificate::from_der(&der) {
        Ok(c) => format!("SHA-256 {fp}, {}", c.tbs_certificate.subject),
        Err(_) => format!("SHA-256 {fp} (not an X.509 certificate)"),
    }
}

impl fmt::Display for TsaAdded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "added TSA {} ({}) (entry {})",
            self.tsa.name,
            self.tsa.url,
            self.seq
        )?;
        for c in &self.tsa.ca {
            say!(f, "  CA {}", describe_ca(c))?;
        }
        if let Some(cp) = &self.checkpoint {
            say!(f, "checkpoint: {}", cp.display())?;
        }
        Ok(())
    }
}

impl Outcome for TsaAdded {}

/// `tsa list`.
#[derive(Debug)]
pub struct TsaList(pub Vec<CaseTsa>);

impl fmt::Display for TsaList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return say!(
                f,
                "no TSA in this case (`scelle tsa add URL --ca-file CA.pem --key ADMIN.key` adds one)"
            );
        }
        for t in &self.0 {
            say!(f, "{}  {}  added at entry {}", t.name, t.url, t.added_at)?;
            for c in &t.ca {
                say!(f, "  CA {}", describe_ca(c))?;
            }
        }
        Ok(())
    }
}

impl Outcome for TsaList {
    fn messages(&self) -> Vec<Message<'_>> {
        self.0.iter().map(Message::Tsa).collect()
    }
}

/// One TSA's result as a line of text.
fn result_line(f: &mut fmt::Formatter<'_>, r: &TsaResult) -> fmt::Result {
    match &r.outcome {
        TsaOutcome::Timestamped { file, facts } => say!(
            f,
            "checkpoint {} timestamped by TSA {} at {} (serial {}): {}",
            r.size,
            r.tsa,
            facts.gen_time,
            facts.serial,
            file.display()
        ),
        TsaOutcome::Already { file, facts } => say!(
            f,
            "checkpoint {} already timestamped by TSA {} at {} (serial {}): {}",
            r.size,
            r.tsa,
            facts.gen_time,
            facts.serial,
            file.display()
        ),
        // Failures are warnings on standard error (Timestamped::warnings).
        TsaOutcome::Failed { .. } => Ok(()),
    }
}

impl fmt::Display for Timestamped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.results.is_empty() && self.error.is_none() && !self.after_append {
            return say!(
                f,
                "no TSA in this case (`scelle tsa add URL --ca-file CA.pem --key ADMIN.key` adds one)"
            );
        }
        for r in &self.results {
            result_line(f, r)?;
        }
        Ok(())
    }
}

impl Outcome for Timestamped {
    fn messages(&self) -> Vec<Message<'_>> {
        self.results.iter().map(Message::Timestamp).collect()
    }

    fn ok(&self) -> bool {
        self.complete()
    }
}
