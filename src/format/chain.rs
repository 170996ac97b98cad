//! The ledger's chain rules as one state machine over lines: canonical form, sequence numbers,
//! `prev` links, the signer's key being enrolled, signatures, kind-specific rules, and the
//! Merkle frontier. `verify` feeds every line and reports every finding; the append path
//! uses the same state (cached in `ledger.index`) and refuses to write on any error.

use super::body::{Body, Recheck};
use super::encoding::unb64;
use super::entry::{line_hash, signature_valid_over_parts, Entry, Envelope, Head, TypedLine};
use super::errors::{BodyError, CustodyError, ValueError};
use super::kinds::At;
use super::merkle::leaf_hash;
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::sync::Arc;

pub use super::state::{
    record_public_key, CaseTsa, ChainState, Custody, CustodyStatus, EnrolledKey,
};

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
    /// The member of the exhibit's directory or archive, if the finding is about one (a
    /// `--rehash` difference); the message names it too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
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
            member: None,
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

impl Applied {
    /// The first error-level finding, if any (warnings do not count).
    pub fn first_error(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Error)
    }
}

/// A parsed, applied line.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The entry's members other than its body, if the line parsed (its JSON body is not
    /// kept: the typed one is `body`).
    pub entry: Option<Head>,
    /// Its typed body, if it parsed.
    pub body: Option<Body>,
    /// Problems with this line.
    pub findings: Vec<Finding>,
}

/// What an entry's signature is checked over.
#[derive(Clone, Copy)]
enum Signed<'a> {
    /// A parsed entry: its signed bytes, re-serialised.
    Entry(&'a Entry, Option<&'a Verdict>),
    /// The signed bytes themselves, in two parts (a line without its `sig` member, or an
    /// entry being built and nothing).
    Parts([&'a [u8]; 2], Option<&'a Verdict>),
}

/// A line's signature checked ahead, on another thread ([`presign`]): the public key it was
/// checked with, and whether it verified. [`ChainState::apply_checked`] takes it instead of
/// checking again only if the key the chain rules choose is that key; otherwise it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The public key the signature was checked with.
    pub public: [u8; 32],
    /// Whether it verified ([`signature_valid_over_parts`], strict).
    pub valid: bool,
}

/// Checks the signature of a ledger line ahead of the chain, with the key `public_of` gives
/// for its key id, over exactly the bytes [`ChainState::apply`] checks it over: `None` if the
/// line does not parse as an entry or the key is not known.
pub fn presign(
    line: &[u8],
    public_of: impl FnOnce(&str) -> Option<VerifyingKey>,
) -> Option<Verdict> {
    let (valid, public) = match TypedLine::parse(line) {
        Some(typed) => {
            let pk = public_of(&typed.head.key)?;
            (typed.signature_valid(line, &pk), pk)
        }
        None => {
            let e = Entry::parse_line(line).ok()?;
            let pk = public_of(&e.key)?;
            (e.signature_valid(&pk), pk)
        }
    };
    Some(Verdict {
        public: public.to_bytes(),
        valid,
    })
}

/// The entry kind of a typed body ([`Body::kind`]).
pub fn body_kind(body: &Body) -> &'static str {
    body.kind()
}

/// A typed body, serialised as the body member of its entry (the body struct itself).
pub struct TypedBody<'a>(pub &'a Body);

impl Serialize for TypedBody<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl ChainState {
    /// Applies one line (without its newline). The state always advances (so one bad line
    /// does not hide later ones); the findings say what is wrong with this line.
    ///
    /// A valid line is parsed straight into its typed form ([`TypedLine::parse`], which proves
    /// it canonical and its body exactly the typed one's representation); any other through a
    /// `Value`, which names what is wrong. Debug builds apply lines below 1 MiB both ways and
    /// require the same findings, entry, body and state.
    pub fn apply(&mut self, line: &[u8]) -> Applied {
        self.apply_checked(line, None)
    }

    /// [`ChainState::apply`], with the line's signature perhaps already checked ([`presign`]):
    /// the verdict counts if it was made with the key the chain rules choose for the line.
    pub fn apply_checked(&mut self, line: &[u8], verdict: Option<&Verdict>) -> Applied {
        self.apply_in(line, None, verdict)
    }

    /// [`ChainState::apply_checked`] on a line the caller shares: a seal's members are left in
    /// it ([`TypedLine::parse_shared`]), so the body holds the line rather than typed members.
    pub fn apply_shared(&mut self, line: &Arc<Vec<u8>>, verdict: Option<&Verdict>) -> Applied {
        self.apply_in(line, Some(line), verdict)
    }

    fn apply_in(
        &mut self,
        line: &[u8],
        shared: Option<&Arc<Vec<u8>>>,
        verdict: Option<&Verdict>,
    ) -> Applied {
        #[cfg(debug_assertions)]
        let shadow = (line.len() < 1 << 20).then(|| {
            let mut shadow = self.clone();
            let applied = shadow.apply_value(line, verdict);
            (shadow, applied)
        });
        let typed = match shared {
            Some(shared) => TypedLine::parse_shared(shared),
            None => TypedLine::parse(line),
        };
        let applied = match typed {
            Some(typed) => self.apply_typed(line, typed, verdict),
            None => self.apply_value(line, verdict),
        };
        #[cfg(debug_assertions)]
        if let Some((shadow, expected)) = shadow {
            assert_eq!(
                applied.findings, expected.findings,
                "typed and Value paths agree"
            );
            assert_eq!(applied.entry, expected.entry, "typed and Value paths agree");
            assert_eq!(applied.body, expected.body, "typed and Value paths agree");
            assert_eq!(*self, shadow, "typed and Value paths agree");
        }
        applied
    }

    /// [`ChainState::apply`] on a line [`TypedLine::parse`] accepted: canonical form and the
    /// body's representation are proven, and the signature is checked over the signed bytes
    /// written from the typed entry (those the line holds).
    fn apply_typed(&mut self, line: &[u8], typed: TypedLine, verdict: Option<&Verdict>) -> Applied {
        let seq = self.size;
        self.offset = self.bytes;
        let mut findings = Vec::new();
        let (before, after) = typed.signed_parts(line);
        let TypedLine { head, body, .. } = typed;
        let env = head.envelope();
        self.check_parsed(
            seq,
            &env,
            Ok(&body),
            super::validate::validate_values,
            Signed::Parts([before, after], verdict),
            &mut findings,
        );
        self.record_parsed(seq, &env, Some(&body), &findings);
        self.advance(line);
        Applied {
            entry: Some(head),
            body: Some(body),
            findings,
        }
    }

    /// [`ChainState::apply`] through a `Value` of the line: strict parsing
    /// ([`Entry::parse_line`]), then the typed body and its representation.
    fn apply_value(&mut self, line: &[u8], verdict: Option<&Verdict>) -> Applied {
        let seq = self.size;
        self.offset = self.bytes;
        let mut findings = Vec::new();
        let (mut entry, mut body) = (None, None);
        match Entry::parse_line(line) {
            Err(e) => findings.push(Finding::entry_error(seq, "format", format!("{e}"))),
            Ok(e) => {
                let env = e.envelope();
                let parsed = Body::parse(&e.kind, &e.body);
                self.check_parsed(
                    seq,
                    &env,
                    parsed.as_ref(),
                    |b| super::validate::validate(b, &e.body),
                    Signed::Entry(&e, verdict),
                    &mut findings,
                );
                body = parsed.ok();
                self.record_parsed(seq, &env, body.as_ref(), &findings);
                entry = Some(Head::from(e));
            }
        }
        self.advance(line);
        Applied {
            entry,
            body,
            findings,
        }
    }

    /// Checks an entry the append path built, by the chain rules [`ChainState::apply`] checks
    /// on its line, without changing the state: the typed `body` stands for the body the line
    /// would parse to, and `signed` is the signed bytes the line is made from. The caller
    /// guarantees what the line's bytes alone would otherwise prove: the line is the canonical
    /// writer's output for this envelope and body (so it is canonical, and its body parses
    /// back to `body`, in scelle's exact representation). Returns the findings `apply` would.
    pub fn check_built(&self, env: &Envelope<'_>, body: &Body, signed: &[u8]) -> Vec<Finding> {
        self.check_built_with(env, body, signed, super::validate::validate_values(body))
    }

    /// [`ChainState::check_built`], given `values`, the result of
    /// [`validate_values`](super::validate::validate_values) on `body` (which the append path
    /// computes while it serialises and signs).
    pub(crate) fn check_built_with(
        &self,
        env: &Envelope<'_>,
        body: &Body,
        signed: &[u8],
        values: Result<(), ValueError>,
    ) -> Vec<Finding> {
        let seq = self.size;
        let mut findings = Vec::new();
        // Rule 1 beyond canonical form: the envelope's values.
        if let Err(e) = env.check() {
            findings.push(Finding::entry_error(seq, "format", format!("{e}")));
            return findings;
        }
        let mismatch;
        let typed = if body.kind() == env.kind {
            Ok(body)
        } else {
            mismatch = BodyError::OtherKind {
                kind: env.kind.to_string(),
                given: body.kind(),
            };
            Err(&mismatch)
        };
        self.check_parsed(
            seq,
            env,
            typed,
            |_| values,
            Signed::Parts([signed, &[]], None),
            &mut findings,
        );
        findings
    }

    /// Applies the line of an entry checked by [`ChainState::check_built`] (with its findings):
    /// the same change of state as [`ChainState::apply`] on that line.
    pub(crate) fn commit_built(
        &mut self,
        env: &Envelope<'_>,
        body: &Body,
        findings: &[Finding],
        line: &[u8],
    ) {
        let seq = self.size;
        self.offset = self.bytes;
        if !findings.iter().any(|f| f.code == "format") {
            self.record_parsed(seq, env, Some(body), findings);
        }
        self.advance(line);
    }

    /// Chain rules 2 to 8 on an entry whose envelope is well formed: sequence, chain, time
    /// order, body (typed, or why it does not parse; then `values`, its value rules), kind
    /// and custody rules, signer and signature. Findings are pushed in that order.
    fn check_parsed(
        &self,
        seq: u64,
        e: &Envelope<'_>,
        body: Result<&Body, &BodyError>,
        values: impl FnOnce(&Body) -> Result<(), ValueError>,
        signed: Signed<'_>,
        findings: &mut Vec<Finding>,
    ) {
        let mut err = |code: &str, msg: String| findings.push(Finding::entry_error(seq, code, msg));
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
        if let Some(last) = &self.last_time {
            let t = e.time;
            if t < last.as_str() {
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
        let body = match body {
            Err(m) => {
                findings.push(Finding::entry_error(seq, "body", m.to_string()));
                None
            }
            Ok(b) => {
                if let Err(m) = values(b) {
                    findings.push(Finding {
                        exhibit: b.exhibits().first().map(|x| x.to_string()),
                        ..Finding::entry_error(seq, "body", m.to_string())
                    });
                } else {
                    source_hash_warnings(seq, b, findings);
                }
                self.check_kind(seq, e, b, findings);
                Some(b)
            }
        };
        self.check_signature(seq, e, body, signed, findings);
    }

    /// The change of state by an entry whose envelope is well formed (`findings` being all
    /// that is wrong with it), except advancing past its line.
    fn record_parsed(
        &mut self,
        seq: u64,
        e: &Envelope<'_>,
        body: Option<&Body>,
        findings: &[Finding],
    ) {
        let at = At { seq, signer: e.key };
        if findings.iter().all(|f| f.severity == Severity::Warning) {
            if let Some(b) = body {
                b.apply(self, at);
            }
        } else if let Some(b) = body {
            b.apply_refused(self, at);
        } else if e.kind == super::body::KIND_SEAL {
            // A seal line whose body does not even parse still counts (FORMAT.md §7 rule 6).
            self.exhibits += 1;
        }
        self.last_time = Some(e.time.to_string());
    }

    /// Moves past a line: its bytes feed the chain and the Merkle tree, valid or not.
    fn advance(&mut self, line: &[u8]) {
        self.size += 1;
        self.bytes += line.len() as u64 + 1;
        self.last_line_len = line.len() as u64;
        self.last_line_hash = line_hash(line);
        self.frontier.push(leaf_hash(line));
    }

    /// The kind rules of entry `seq` (FORMAT.md §7 rule 6), and its re-checks (rule 8).
    fn check_kind(&self, seq: u64, e: &Envelope<'_>, body: &Body, out: &mut Vec<Finding>) {
        let signer = e.key;
        let result = if seq == 0 && !matches!(body, Body::CaseOpen(_)) {
            Err(CustodyError::FirstNotCaseOpen {
                kind: e.kind.to_string(),
            })
        } else {
            body.check(self, At { seq, signer })
        };
        let exhibit = body.exhibits().first().map(|s| s.to_string());
        if let Err(error) = result {
            out.push(Finding {
                exhibit,
                ..Finding::entry_error(seq, "custody", error.to_string())
            });
        }
        // Discrepancies found on receipt or re-sealing are recorded, and always reported.
        let rechecks: Vec<&Recheck> = body.rechecks();
        for r in &rechecks {
            let sealed = self
                .custody
                .get(&r.exhibit)
                .map(|c| c.sealed_sha256.as_str());
            if r.matches && sealed.is_some_and(|h| h != r.sha256) {
                out.push(Finding {
                    exhibit: Some(r.exhibit.clone()),
                    ..Finding::entry_error(
                        seq,
                        "custody",
                        format!("{}: the re-check says it matches, but its SHA-256 {} is not the sealed one", r.exhibit, r.sha256),
                    )
                });
            }
        }
        for r in rechecks.into_iter().filter(|r| !r.matches) {
            out.push(Finding {
                severity: Severity::Warning,
                exhibit: Some(r.exhibit.clone()),
                ..Finding::entry_error(
                    seq,
                    "discrepancy",
                    format!(
                        "{} recorded a discrepancy on re-hashing: {}",
                        self.who(signer),
                        if r.discrepancies.is_empty() {
                            "hashes differ".to_string()
                        } else {
                            r.discrepancies.join("; ")
                        }
                    ),
                )
            });
        }
    }

    fn check_signature(
        &self,
        seq: u64,
        e: &Envelope<'_>,
        body: Option<&Body>,
        signed: Signed<'_>,
        out: &mut Vec<Finding>,
    ) {
        // case.open is signed by the key it enrols.
        let (record, revoked) = match body {
            Some(Body::CaseOpen(open)) if seq == 0 => (Some(&open.admin), None),
            _ => match self.key(e.key) {
                Some(k) => (
                    Some(&k.record),
                    k.revoked_at.map(|at| (at, k.revoked_reason.clone())),
                ),
                None => (None, None),
            },
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
        if let Some((at, reason)) = revoked {
            out.push(Finding::entry_error(
                seq,
                "revoked-key",
                format!(
                    "signed by key {} ({}), revoked at entry {at} ({})",
                    record.id,
                    record.name,
                    reason.unwrap_or_default()
                ),
            ));
        }
        let verdict = match signed {
            Signed::Entry(_, v) | Signed::Parts(_, v) => v,
        };
        // A verdict made with this record's key (the same 32 bytes, which the worker decoded
        // into a valid point) counts as the check, without decoding the key again.
        let raw: Option<[u8; 32]> = unb64(&record.public_key).and_then(|b| b.try_into().ok());
        let valid = match (verdict, raw) {
            (Some(v), Some(raw)) if v.public == raw => v.valid,
            _ => match record_public_key(record) {
                Some(pk) => match signed {
                    Signed::Entry(entry, _) => entry.signature_valid(&pk),
                    Signed::Parts(parts, _) => signature_valid_over_parts(&parts, e.sig, &pk),
                },
                None => false,
            },
        };
        if !valid {
            out.push(Finding::entry_error(
                seq,
                "signature",
                format!(
                    "signature does not verify with key {} ({})",
                    record.id, record.name
                ),
            ));
        }
    }
}

/// A seal whose acquisition tool reported another hash of the source than the sealed copy's
/// (FORMAT.md 6.2): a warning, `source-hash`, for each digest that differs. The entry is
/// valid (it records what was found); the copy may not be the original.
fn source_hash_warnings(seq: u64, body: &Body, out: &mut Vec<Finding>) {
    let Body::Seal(seal) = body else { return };
    let Some(acquisition) = &seal.acquisition else {
        return;
    };
    for c in acquisition.source_hash_checks(&seal.artifact.hashes) {
        if !c.matches {
            out.push(Finding {
                severity: Severity::Warning,
                exhibit: Some(seal.exhibit.clone()),
                ..Finding::entry_error(
                    seq,
                    "source-hash",
                    format!(
                        "the acquisition tool's {} of the source is {}, the sealed copy's is {}: the copy may not be the original",
                        c.algorithm, c.source, c.sealed
                    ),
                )
            });
        }
    }
}
