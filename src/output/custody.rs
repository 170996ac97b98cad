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

impl Outcome for Timeline {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Timeline(self)]
    }
}
