//! The ledger's chain rules as one state machine over lines: canonical form, sequence numbers,
//! `prev` links, the signer's key being enrolled, signatures, kind-specific rules, and the
//! Merkle frontier. `verify` feeds every line and reports every finding; the append path
//! uses the same state (cached in `ledger.index`) and refuses to write on any error.

use super::body::{exhibit_id, Body, CaseInfo, KeyRecord, KIND_CASE_OPEN};
use super::encoding::unb64;
use super::entry::{line_hash, Entry, GENESIS_PREV};
use super::keys::key_id;
use super::merkle::{leaf_hash, Frontier};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The ledger, a checkpoint or an artifact fails verification.
    Error,
    /// Suspicious but not a failure (e.g. a clock going backwards).
    Warning,
}

/// One problem found by verification, naming the entry, exhibit or file concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code, e.g. `signature`, `chain`, `rehash-sha256` (see docs/FORMAT.md).
    pub code: String,
    /// The entry's sequence number (line index), if the finding is about an entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    /// The exhibit, if the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exhibit: Option<String>,
    /// The file, if the finding is about a checkpoint or artifact file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Finding {
    /// An error about entry `seq`.
    pub fn entry_error(seq: u64, code: &str, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            code: code.into(),
            entry: Some(seq),
            exhibit: None,
            file: None,
            message: message.into(),
        }
    }

    /// The finding as a human sentence, e.g. `entry 17: signature does not verify ...`.
    pub fn describe(&self) -> String {
        let mut who = Vec::new();
        if let Some(e) = self.entry {
            who.push(format!("entry {e}"));
        }
        if let Some(x) = &self.exhibit {
            who.push(format!("exhibit {x}"));
        }
        if let Some(f) = &self.file {
            who.push(f.clone());
        }
        let sev = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        if who.is_empty() {
            format!("{sev}{}", self.message)
        } else {
            format!("{sev}{}: {}", who.join(", "), self.message)
        }
    }
}

/// A parsed, applied line.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The entry, if the line parsed.
    pub entry: Option<Entry>,
    /// Its typed body, if it parsed.
    pub body: Option<Body>,
    /// Problems with this line.
    pub findings: Vec<Finding>,
}

/// The state of a ledger after some number of lines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChainState {
    /// Lines applied.
    pub size: u64,
    /// Bytes of the ledger applied (lines and their newlines).
    pub bytes: u64,
    /// Length of the last line (without newline), 0 for the empty ledger.
    pub last_line_len: u64,
    /// `prev` for the next entry.
    pub last_line_hash: String,
    /// Time of the latest entry that parsed.
    pub last_time: Option<String>,
    /// The Merkle frontier over all lines.
    pub frontier: Frontier,
    /// Seals recorded (the last exhibit number).
    pub exhibits: u64,
    /// Keys enrolled, in enrolment order.
    pub keys: Vec<KeyRecord>,
    /// The case, from `case.open`.
    pub case: Option<CaseInfo>,
}

/// Decodes the public key of a key record.
pub fn record_public_key(rec: &KeyRecord) -> Option<VerifyingKey> {
    let raw: [u8; 32] = unb64(&rec.public_key)?.try_into().ok()?;
    VerifyingKey::from_bytes(&raw).ok()
}

impl ChainState {
    /// The empty ledger.
    pub fn new() -> Self {
        ChainState {
            last_line_hash: GENESIS_PREV.to_string(),
            ..Default::default()
        }
    }

    /// The enrolled key with this id.
    pub fn key(&self, id: &str) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Applies one line (without its newline). The state always advances (so one bad line
    /// does not hide later ones); the findings say what is wrong with this line.
    pub fn apply(&mut self, line: &[u8]) -> Applied {
        let seq = self.size;
        let mut findings = Vec::new();
        let mut err = |code: &str, msg: String| findings.push(Finding::entry_error(seq, code, msg));
        let parsed = Entry::parse_line(line);
        let (mut entry, mut body) = (None, None);
        match parsed {
            Err(e) => err("format", format!("{e}")),
            Ok(e) => {
                if e.seq != seq {
                    err(
                        "sequence",
                        format!("sequence number is {}, expected {seq} (an entry was removed, duplicated or moved)", e.seq),
                    );
                }
                if e.prev != self.last_line_hash {
                    err(
                        "chain",
                        format!(
                            "prev {} does not match SHA-256 of the previous line {} (the chain is broken here)",
                            e.prev, self.last_line_hash
                        ),
                    );
                }
                if let (Some(last), Some(t)) = (&self.last_time, Some(&e.time)) {
                    if t < last {
                        findings.push(Finding {
                            severity: Severity::Warning,
                            ..Finding::entry_error(
                                seq,
                                "time-order",
                                format!("time {t} is earlier than the previous entry's {last}"),
                            )
                        });
                    }
                }
                match Body::parse(&e.kind, &e.body) {
                    Err(m) => findings.push(Finding::entry_error(seq, "body", m)),
                    Ok(b) => {
                        self.check_kind(seq, &e, &b, &mut findings);
                        body = Some(b);
                    }
                }
                self.check_signature(seq, &e, body.as_ref(), &mut findings);
                if findings.iter().all(|f| f.severity == Severity::Warning) {
                    if let Some(b) = &body {
                        self.record(b);
                    }
                } else if let Some(Body::Seal(s)) = &body {
                    // Keep numbering in step with the line even when it is bad.
                    if s.exhibit == exhibit_id(self.exhibits + 1) {
                        self.exhibits += 1;
                    }
                }
                self.last_time = Some(e.time.clone());
                entry = Some(e);
            }
        }
        self.size += 1;
        self.bytes += line.len() as u64 + 1;
        self.last_line_len = line.len() as u64;
        self.last_line_hash = line_hash(line);
        self.frontier.push(leaf_hash(line));
        Applied {
            entry,
            body,
            findings,
        }
    }

    fn check_kind(&self, seq: u64, e: &Entry, body: &Body, out: &mut Vec<Finding>) {
        let mut err = |code: &str, msg: String| out.push(Finding::entry_error(seq, code, msg));
        match body {
            Body::CaseOpen(open) => {
                if seq != 0 {
                    err("genesis", "case.open may only be the first entry".into());
                }
                match record_public_key(&open.admin) {
                    None => err(
                        "genesis",
                        "case.open admin public_key is not an Ed25519 key".into(),
                    ),
                    Some(pk) => {
                        if key_id(&pk) != open.admin.id {
                            err(
                                "genesis",
                                format!(
                                    "admin key id {} does not match its public key ({})",
                                    open.admin.id,
                                    key_id(&pk)
                                ),
                            );
                        }
                    }
                }
            }
            Body::Seal(s) => {
                if seq == 0 {
                    err(
                        "genesis",
                        format!("the first entry must be {KIND_CASE_OPEN}, not {}", e.kind),
                    );
                }
                let expected = exhibit_id(self.exhibits + 1);
                if s.exhibit != expected {
                    err(
                        "exhibit-id",
                        format!("exhibit id {} out of order, expected {expected}", s.exhibit),
                    );
                }
            }
        }
    }

    fn check_signature(&self, seq: u64, e: &Entry, body: Option<&Body>, out: &mut Vec<Finding>) {
        // case.open is signed by the key it enrols.
        let record = match body {
            Some(Body::CaseOpen(open)) if seq == 0 => Some(&open.admin),
            _ => self.key(&e.key),
        };
        let Some(record) = record else {
            out.push(Finding::entry_error(
                seq,
                "unknown-key",
                format!(
                    "signed by key {}, which is not enrolled in this case",
                    e.key
                ),
            ));
            return;
        };
        if record.id != e.key {
            out.push(Finding::entry_error(
                seq,
                "signature",
                format!(
                    "case.open must be signed by the key it enrols ({}), not {}",
                    record.id, e.key
                ),
            ));
            return;
        }
        match record_public_key(record) {
            Some(pk) if e.signature_valid(&pk) => {}
            _ => out.push(Finding::entry_error(
                seq,
                "signature",
                format!(
                    "signature does not verify with key {} ({})",
                    record.id, record.name
                ),
            )),
        }
    }

    fn record(&mut self, body: &Body) {
        match body {
            Body::CaseOpen(open) => {
                self.case = Some(open.case.clone());
                self.keys.push(open.admin.clone());
            }
            Body::Seal(_) => self.exhibits += 1,
        }
    }
}
