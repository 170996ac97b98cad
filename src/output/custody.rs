//! The results of the custody commands (`key enrol|revoke|rotate|list`, `release`, `accept`,
//! `open`, `reseal`, `note`, `dispose`, `show`) as text and JSON Lines.

use crate::format::body::Recheck;
use crate::format::chain::EnrolledKey;
use crate::ops::custody::{Appended, Timeline};
use crate::output::message::{say, Message, Outcome};
use std::fmt;

/// What an appending custody command did, for its line of text.
#[derive(Debug, Clone)]
pub enum Action {
    /// `key enrol`: a key enrolled under this name and role.
    Enrolled {
        /// The signer's name.
        name: String,
        /// The role.
        role: String,
    },
    /// `key revoke`: this key (as given) revoked.
    Revoked {
        /// The key id or name given.
        key: String,
    },
    /// `key rotate`: this key (its id) replaced.
    Rotated {
        /// The old key's id.
        key: String,
    },
    /// `release`: exhibits released to a receiver.
    Released {
        /// The exhibits.
        exhibits: Vec<String>,
        /// The receiver as given.
        to: String,
    },
    /// `open`: an exhibit opened.
    Opened {
        /// The exhibit.
        exhibit: String,
    },
    /// `note`: a note recorded.
    Noted,
    /// `dispose`: an exhibit disposed of.
    Disposed {
        /// The exhibit.
        exhibit: String,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Enrolled { name, role } => write!(f, "enrolled {name} as {role}"),
            Action::Revoked { key } => write!(f, "revoked {key}"),
            Action::Rotated { key } => write!(f, "rotated key {key}"),
            Action::Released { exhibits, to } => write!(
                f,
                "released {} to {to} (in transit until accepted)",
                exhibits.join(", ")
            ),
            Action::Opened { exhibit } => write!(f, "opened {exhibit}"),
            Action::Noted => write!(f, "noted"),
            Action::Disposed { exhibit } => write!(f, "disposed of {exhibit}"),
        }
    }
}

/// Writes `what (entry N, ...)` and the checkpoint written.
fn appended(f: &mut fmt::Formatter<'_>, out: &Appended, what: &dyn fmt::Display) -> fmt::Result {
    let seqs: Vec<String> = out.entries.iter().map(|e| e.seq.to_string()).collect();
    say!(f, "{what} (entry {})", seqs.join(", "))?;
    if let Some(cp) = &out.checkpoint {
        say!(f, "checkpoint: {}", cp.display())?;
    }
    Ok(())
}

/// What an appending custody command recorded.
#[derive(Debug)]
pub struct Recorded {
    /// What it did.
    pub action: Action,
    /// The entries and checkpoint written.
    pub appended: Appended,
}

impl fmt::Display for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        appended(f, &self.appended, &self.action)
    }
}

impl Outcome for Recorded {}

/// Writes a re-hash that did not match its seal, discrepancy by discrepancy.
fn discrepancy(f: &mut fmt::Formatter<'_>, r: &Recheck) -> fmt::Result {
    say!(
        f,
        "{}: DISCREPANCY on re-hashing {} (recorded in the ledger):",
        r.exhibit,
        r.path
    )?;
    for d in &r.discrepancies {
        say!(f, "  {d}")?;
    }
    Ok(())
}

/// What `accept` did: each exhibit re-hashed, then the acceptances recorded.
#[derive(Debug)]
pub struct Accepted {
    /// The entries and checkpoint written.
    pub appended: Appended,
    /// Each exhibit's re-hash, in the order given.
    pub checks: Vec<Recheck>,
}

impl fmt::Display for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.checks {
            if r.matches {
                say!(
                    f,
                    "{}: re-hashed {}: matches the seal (sha256 {})",
                    r.exhibit,
                    r.path,
                    r.sha256
                )?;
            } else {
                discrepancy(f, r)?;
            }
        }
        appended(f, &self.appended, &"accepted")
    }
}

impl Outcome for Accepted {
    fn messages(&self) -> Vec<Message<'_>> {
        self.checks.iter().map(Message::Recheck).collect()
    }

    fn ok(&self) -> bool {
        self.checks.iter().all(|r| r.matches)
    }
}

/// What `reseal` did: the exhibit re-hashed, then re-sealed.
#[derive(Debug)]
pub struct Resealed {
    /// The exhibit.
    pub exhibit: String,
    /// The new seal number.
    pub seal_no: String,
    /// The entry and checkpoint written.
    pub appended: Appended,
    /// The re-hash.
    pub check: Recheck,
}

impl fmt::Display for Resealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.check.matches {
            discrepancy(f, &self.check)?;
        }
        let what = format!("re-sealed {} under seal {}", self.exhibit, self.seal_no);
        appended(f, &self.appended, &what)
    }
}

impl Outcome for Resealed {
    fn ok(&self) -> bool {
        self.check.matches
    }
}

/// `key list`: the case's keys.
#[derive(Debug)]
pub struct KeyList(pub Vec<EnrolledKey>);

impl fmt::Display for KeyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.0 {
            say!(
                f,
                "{}  {:<12} {:<9} enrolled at entry {}{}{}{}",
                k.record.id,
                k.record.name,
                k.record.role.as_deref().unwrap_or("-"),
                k.enrolled_at,
                k.record
                    .full_name
                    .as_deref()
                    .map(|n| format!(", held by {n}"))
                    .unwrap_or_default(),
                if k.admin { ", administrator" } else { "" },
                k.revoked_at
                    .map(|at| format!(
                        ", REVOKED at entry {at} ({})",
                        k.revoked_reason.as_deref().unwrap_or("")
                    ))
                    .unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

impl Outcome for KeyList {
    fn messages(&self) -> Vec<Message<'_>> {
        self.0.iter().map(Message::EnrolledKey).collect()
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "{}  seal {}  {}",
            self.exhibit,
            self.seal_no.as_deref().unwrap_or("-"),
            self.artifact
        )?;
        say!(f, "now: {} by {}", self.state, self.holder)?;
        if let Some(r) = &self.sealed {
            write_sealed(f, r)?;
        }
        if !self.seal_numbers.is_empty() {
            say!(f, "Seal numbers")?;
            for n in &self.seal_numbers {
                say!(f, "  {:<16} entry {}, {}", n.seal_no, n.seq, n.time)?;
            }
        }
        say!(f, "Custody")?;
        for e in &self.events {
            say!(
                f,
                "{:>5}  {}  {:<8} by {:<28} {}  -> {} by {}",
                e.seq,
                e.time,
                e.kind,
                e.by,
                e.summary,
                e.state,
                e.holder
            )?;
        }
        Ok(())
    }
}

/// One `  Label:  value` line of `show`, when there is a value.
fn field(f: &mut fmt::Formatter<'_>, label: &str, value: Option<&str>) -> fmt::Result {
    match value.filter(|v| !v.is_empty()) {
        Some(v) => say!(f, "  {:<16} {v}", format!("{label}:")),
        None => Ok(()),
    }
}

/// The item, the acquisition and the artifact as sealed, as an acquisition log prints them
/// (Guymager's `.info`, FTK Imager's log): each field on its line, the source hashes the
/// acquisition tool reported against the sealed ones (MATCH / MISMATCH).
fn write_sealed(f: &mut fmt::Formatter<'_>, r: &crate::ops::custody::SealedRecord) -> fmt::Result {
    if let Some(i) = &r.item {
        say!(f, "Item")?;
        field(f, "Type", i.item_type.as_deref())?;
        field(f, "Make", i.make.as_deref())?;
        field(f, "Model", i.model.as_deref())?;
        field(f, "Serial number", i.serial.as_deref())?;
        field(f, "Seized as seal", i.seized_seal_no.as_deref())?;
        field(f, "IMEI", Some(&i.imei.join(", ")))?;
        field(f, "ICCID", Some(&i.iccid.join(", ")))?;
        field(f, "IMSI", Some(&i.imsi.join(", ")))?;
        field(f, "Phone number", Some(&i.phone_number.join(", ")))?;
        field(f, "OS version", i.os_version.as_deref())?;
        field(f, "Capacity", i.capacity.as_deref())?;
        field(f, "Condition", i.condition.as_deref())?;
    }
    if let Some(a) = &r.acquisition {
        say!(f, "Acquisition")?;
        field(f, "Method", a.method.as_deref())?;
        let tool = match (&a.tool, &a.tool_version) {
            (Some(t), Some(v)) => Some(format!("{t} {v}")),
            (Some(t), None) => Some(t.clone()),
            (None, Some(v)) => Some(format!("version {v}")),
            (None, None) => None,
        };
        field(f, "Tool", tool.as_deref())?;
        field(f, "Write blocker", a.write_blocker.as_deref())?;
        field(f, "Parameters", a.parameters.as_deref())?;
        field(f, "Operator", a.operator.as_deref())?;
        field(f, "Role", a.operator_role.as_deref())?;
        field(f, "Organisation", a.organisation.as_deref())?;
        let present = a.present.join(", ");
        field(f, "Present", Some(&present))?;
        field(f, "Acquired at", a.acquired_at.as_deref())?;
        field(f, "Clock", a.clock.as_deref())?;
        field(f, "Location", a.location.as_deref())?;
        field(f, "Authority", a.authority.as_deref())?;
        field(f, "Reason", a.reason.as_deref())?;
        field(f, "Errors", a.errors.as_deref())?;
        field(f, "Changes", a.changes.as_deref())?;
        field(f, "Working copy of", a.parent.as_deref())?;
    }
    say!(f, "Artifact")?;
    field(f, "Description", r.description.as_deref())?;
    let files = r
        .files
        .map(|n| format!(", {}", crate::output::count(n, "file", "files")))
        .unwrap_or_default();
    let what = format!(
        "{}, {}{files}",
        r.kind,
        crate::output::count(r.size, "byte", "bytes")
    );
    field(f, "Kind", Some(&what))?;
    field(f, "Path", Some(&r.path))?;
    field(f, "SHA-256", Some(&r.hashes.sha256))?;
    field(f, "SHA-512", r.hashes.sha512.as_deref())?;
    field(f, "MD5 (legacy)", r.hashes.legacy_md5.as_deref())?;
    field(f, "SHA-1 (legacy)", r.hashes.legacy_sha1.as_deref())?;
    for c in &r.source_hashes {
        let verdict = if c.matches {
            format!("MATCH ({})", c.source)
        } else if c.sealed.is_empty() {
            format!(
                "NOT COMPARED ({}; the seal holds no {})",
                c.source, c.algorithm
            )
        } else {
            format!(
                "MISMATCH (the tool reported {}, the seal has {})",
                c.source, c.sealed
            )
        };
        field(f, &format!("Source {}", c.algorithm), Some(&verdict))?;
    }
    Ok(())
}

impl Outcome for Timeline {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Timeline(self)]
    }
}

/// `scelle exhibits --ids`: the ids alone, one a line.
#[derive(Debug)]
pub struct ExhibitIds(pub Vec<String>);

impl fmt::Display for ExhibitIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for id in &self.0 {
            say!(f, "{id}")?;
        }
        Ok(())
    }
}

impl Outcome for ExhibitIds {}

/// `scelle exhibits`: the rows, as text and JSON Lines.
#[derive(Debug)]
pub struct ExhibitList(pub Vec<crate::ops::custody::ExhibitRow>);

impl fmt::Display for ExhibitList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seal_width = self
            .0
            .iter()
            .map(|r| r.seal_no.as_deref().unwrap_or("-").chars().count())
            .max()
            .unwrap_or(1)
            .max(4);
        for r in &self.0 {
            let files = r
                .files
                .map(|n| format!(", {}", crate::output::count(n, "file", "files")))
                .unwrap_or_default();
            say!(
                f,
                "{}  seal {:<seal_width$}  {:<10} {:<12} {} {}{files}  sha256 {}  {}",
                r.exhibit,
                r.seal_no.as_deref().unwrap_or("-"),
                r.state,
                r.holder,
                r.kind,
                crate::output::count(r.size, "byte", "bytes"),
                r.sha256,
                r.path
            )?;
        }
        say!(
            f,
            "{}",
            crate::output::count(self.0.len() as u64, "exhibit", "exhibits")
        )
    }
}

impl Outcome for ExhibitList {
    fn messages(&self) -> Vec<Message<'_>> {
        self.0.iter().map(Message::Exhibit).collect()
    }
}
