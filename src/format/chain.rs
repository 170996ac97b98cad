//! The ledger's chain rules as one state machine over lines: canonical form, sequence numbers,
//! `prev` links, the signer's key being enrolled, signatures, kind-specific rules, and the
//! Merkle frontier. `verify` feeds every line and reports every finding; the append path
//! uses the same state (cached in `ledger.index`) and refuses to write on any error.

use super::body::{
    exhibit_id, Body, CaseInfo, KeyRecord, Recheck, KIND_ACCEPT, KIND_CASE_OPEN, KIND_DISPOSE,
    KIND_KEY_ENROL, KIND_KEY_REVOKE, KIND_KEY_ROTATE, KIND_NOTE, KIND_OPEN, KIND_RELEASE,
    KIND_RESEAL, KIND_SEAL, ROLES,
};
use super::encoding::unb64;
use super::entry::{line_hash, signature_valid_over, Entry, Envelope, GENESIS_PREV};
use super::keys::key_id;
use super::merkle::{leaf_hash, Frontier};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

impl Applied {
    /// The first error-level finding, if any (warnings do not count).
    pub fn first_error(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Error)
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
    pub keys: Vec<EnrolledKey>,
    /// The custody state of every exhibit.
    pub custody: BTreeMap<String, Custody>,
    /// The case, from `case.open`.
    pub case: Option<CaseInfo>,
    /// Byte offset of the line being applied.
    pub(crate) offset: u64,
}

/// A key as enrolled in the ledger, with its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolledKey {
    /// The key record.
    pub record: KeyRecord,
    /// The entry that enrolled it.
    pub enrolled_at: u64,
    /// Whether it may enrol and revoke keys (the case administrator, or its rotated successor).
    pub admin: bool,
    /// The entry that revoked or retired it: it may not sign any later entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
}

/// Where an exhibit stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CustodyStatus {
    /// Sealed, with its holder.
    Sealed,
    /// Released by its holder, not yet accepted.
    InTransit {
        /// The receiver's key id.
        to: String,
        /// The release entry.
        release: u64,
    },
    /// Opened for examination by its holder.
    Opened {
        /// The open entry.
        open: u64,
    },
    /// Disposed of; no further action.
    Disposed {
        /// The dispose entry.
        at: u64,
    },
}

impl CustodyStatus {
    /// The state's name: `sealed`, `in-transit`, `opened` or `disposed`.
    pub fn name(&self) -> &'static str {
        match self {
            CustodyStatus::Sealed => "sealed",
            CustodyStatus::InTransit { .. } => "in-transit",
            CustodyStatus::Opened { .. } => "opened",
            CustodyStatus::Disposed { .. } => "disposed",
        }
    }
}

/// The custody of one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Custody {
    /// Key id of the holder (for an exhibit in transit, the releasing holder).
    pub holder: String,
    /// State.
    pub status: CustodyStatus,
    /// Current seal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// The seal entry.
    pub seal_seq: u64,
    /// Byte offset of the seal entry's line in the ledger.
    pub seal_offset: u64,
    /// The artifact's SHA-256 as sealed.
    pub sealed_sha256: String,
}

/// What an entry's signature is checked over.
#[derive(Clone, Copy)]
enum Signed<'a> {
    /// A parsed entry: its signed bytes, re-serialised.
    Entry(&'a Entry),
    /// The signed bytes themselves (an entry being built).
    Bytes(&'a [u8]),
}

/// The entry kind of a typed body.
pub fn body_kind(body: &Body) -> &'static str {
    match body {
        Body::CaseOpen(_) => KIND_CASE_OPEN,
        Body::Seal(_) => KIND_SEAL,
        Body::KeyEnrol(_) => KIND_KEY_ENROL,
        Body::KeyRevoke(_) => KIND_KEY_REVOKE,
        Body::KeyRotate(_) => KIND_KEY_ROTATE,
        Body::Release(_) => KIND_RELEASE,
        Body::Accept(_) => KIND_ACCEPT,
        Body::Open(_) => KIND_OPEN,
        Body::Reseal(_) => KIND_RESEAL,
        Body::Note(_) => KIND_NOTE,
        Body::Dispose(_) => KIND_DISPOSE,
        Body::Report(_) => super::body::KIND_REPORT,
        Body::IocScan(_) => super::body::KIND_IOC_SCAN,
        Body::Export(_) => super::body::KIND_EXPORT,
    }
}

/// A typed body, serialised as the body member of its entry (the body struct itself).
pub struct TypedBody<'a>(pub &'a Body);

impl Serialize for TypedBody<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Body::CaseOpen(b) => b.serialize(s),
            Body::Seal(b) => b.serialize(s),
            Body::KeyEnrol(b) => b.serialize(s),
            Body::KeyRevoke(b) => b.serialize(s),
            Body::KeyRotate(b) => b.serialize(s),
            Body::Release(b) => b.serialize(s),
            Body::Accept(b) => b.serialize(s),
            Body::Open(b) => b.serialize(s),
            Body::Reseal(b) => b.serialize(s),
            Body::Note(b) => b.serialize(s),
            Body::Dispose(b) => b.serialize(s),
            Body::Report(b) => b.serialize(s),
            Body::IocScan(b) => b.serialize(s),
            Body::Export(b) => b.serialize(s),
        }
    }
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

    /// The enrolled key with this id (revoked or not).
    pub fn key(&self, id: &str) -> Option<&EnrolledKey> {
        self.keys.iter().find(|k| k.record.id == id)
    }

    fn key_mut(&mut self, id: &str) -> Option<&mut EnrolledKey> {
        self.keys.iter_mut().find(|k| k.record.id == id)
    }

    /// The enrolled, unrevoked key with this id.
    pub fn active_key(&self, id: &str) -> Option<&EnrolledKey> {
        self.key(id).filter(|k| k.revoked_at.is_none())
    }

    /// `name (key id)` for messages.
    pub fn who(&self, id: &str) -> String {
        match self.key(id) {
            Some(k) => format!("{} ({id})", k.record.name),
            None => format!("unknown key {id}"),
        }
    }

    /// Whether key `k` may sign (alg 0x01) or cosign (alg 0x04) a checkpoint of tree size
    /// `size` (FORMAT.md 8.2), this state being that of the whole ledger: the key was enrolled
    /// by one of the first `size` entries (`enrolled_at` ≤ `size` − 1), and was not revoked or
    /// rotated out by one of them, except that a key rotated out by entry `size` − 1 itself
    /// may sign (it signed that entry, and `key rotate` signs the checkpoint after it with the
    /// old key). No key may sign a checkpoint of size 0. `Err` says why not.
    pub fn may_sign_checkpoint(&self, k: &EnrolledKey, size: u64) -> Result<(), String> {
        let who = format!("{} (key {})", k.record.name, k.record.id);
        if size == 0 {
            return Err(format!("{who} cannot sign a checkpoint of size 0"));
        }
        let last = size - 1;
        if k.enrolled_at > last {
            return Err(format!(
                "{who} was enrolled at entry {}, after the {size} entries this checkpoint covers",
                k.enrolled_at
            ));
        }
        match k.revoked_at {
            Some(at) if at < last => Err(format!(
                "{who} was revoked or rotated out at entry {at}, before entry {last} that this checkpoint ends with"
            )),
            Some(at) if at == last && !self.rotated_at(k, at) => Err(format!(
                "{who} was revoked by entry {at}, the last entry this checkpoint covers"
            )),
            _ => Ok(()),
        }
    }

    /// Whether `k` was rotated out (not revoked) by entry `at`: a successor was enrolled there.
    fn rotated_at(&self, k: &EnrolledKey, at: u64) -> bool {
        self.keys
            .iter()
            .any(|o| o.record.id != k.record.id && o.enrolled_at == at)
    }

    /// `name (key ID, role ROLE)` of key `k`, for checkpoint findings.
    pub fn describe_key(k: &EnrolledKey) -> String {
        match &k.record.role {
            Some(r) => format!("{} (key {}, role {r})", k.record.name, k.record.id),
            None => format!("{} (key {})", k.record.name, k.record.id),
        }
    }

    /// The key signing a note signature line: same name and a matching note key id for
    /// `alg` (0x01 signatures, 0x04 cosignatures).
    pub fn note_key(
        &self,
        name: &str,
        key_id: [u8; 4],
        alg: u8,
    ) -> Option<(&EnrolledKey, VerifyingKey)> {
        self.keys
            .iter()
            .filter(|k| k.record.name == name)
            .find_map(|k| {
                let pk = record_public_key(&k.record)?;
                (super::note::note_key_id_alg(name, &pk, alg) == key_id).then_some((k, pk))
            })
    }

    /// Applies one line (without its newline). The state always advances (so one bad line
    /// does not hide later ones); the findings say what is wrong with this line.
    pub fn apply(&mut self, line: &[u8]) -> Applied {
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
                    parsed.as_ref().map_err(String::clone),
                    |b| super::validate::validate(b, &e.body),
                    Signed::Entry(&e),
                    &mut findings,
                );
                body = parsed.ok();
                self.record_parsed(seq, &env, body.as_ref(), &findings);
                entry = Some(e);
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
        values: Result<(), String>,
    ) -> Vec<Finding> {
        let seq = self.size;
        let mut findings = Vec::new();
        // Rule 1 beyond canonical form: the envelope's values.
        if let Err(e) = env.check() {
            findings.push(Finding::entry_error(seq, "format", format!("{e}")));
            return findings;
        }
        let typed = if body_kind(body) == env.kind {
            Ok(body)
        } else {
            Err(format!(
                "bad {} body: a {} body was given",
                env.kind,
                body_kind(body)
            ))
        };
        self.check_parsed(
            seq,
            env,
            typed,
            |_| values,
            Signed::Bytes(signed),
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
        body: Result<&Body, String>,
        values: impl FnOnce(&Body) -> Result<(), String>,
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
                findings.push(Finding::entry_error(seq, "body", m));
                None
            }
            Ok(b) => {
                if let Err(m) = values(b) {
                    findings.push(Finding {
                        exhibit: b.exhibits().first().map(|x| x.to_string()),
                        ..Finding::entry_error(seq, "body", m)
                    });
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
        if findings.iter().all(|f| f.severity == Severity::Warning) {
            if let Some(b) = body {
                self.record(seq, e.key, b);
            }
        } else if let Some(b) = body {
            match b {
                // Every seal line counts, valid or not, so one bad seal is reported
                // once and the exhibits after it keep their numbers (FORMAT.md §7).
                Body::Seal(_) => self.exhibits += 1,
                // A bad entry 0 still defines the case and its administrator, so later
                // entries are checked against it instead of each failing as unknown.
                Body::CaseOpen(_) if seq == 0 => self.record(seq, e.key, b),
                _ => {}
            }
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

    /// The custody of `ex`, or a finding saying it does not exist.
    fn exhibit(&self, ex: &str) -> Result<&Custody, String> {
        self.custody
            .get(ex)
            .ok_or_else(|| format!("exhibit {ex} does not exist in this case"))
    }

    /// Checks that `signer` holds `ex` and it is in one of the `allowed` states.
    fn holds(&self, signer: &str, ex: &str, action: &str, allowed: &[&str]) -> Result<(), String> {
        let c = self.exhibit(ex)?;
        let state = c.status.name();
        if let CustodyStatus::Disposed { at } = c.status {
            return Err(format!(
                "exhibit {ex} was disposed of at entry {at}; it cannot be {action}"
            ));
        }
        if c.holder != signer {
            return Err(format!(
                "{} does not hold exhibit {ex} (held by {}); only its holder may act on it",
                self.who(signer),
                self.who(&c.holder)
            ));
        }
        if !allowed.contains(&state) {
            let why = match &c.status {
                CustodyStatus::InTransit { to, release } => {
                    format!("it is in transit to {} since entry {release}", self.who(to))
                }
                CustodyStatus::Opened { open } => {
                    format!("it was opened at entry {open}; reseal it first")
                }
                CustodyStatus::Sealed => "it is sealed; open it first".to_string(),
                CustodyStatus::Disposed { .. } => unreachable!("handled above"),
            };
            return Err(format!("exhibit {ex} cannot be {action}: {why}"));
        }
        Ok(())
    }

    fn check_new_key(&self, rec: &KeyRecord) -> Result<(), String> {
        let pk = record_public_key(rec).ok_or("public_key is not an Ed25519 key")?;
        if key_id(&pk) != rec.id {
            return Err(format!(
                "key id {} does not match its public key ({})",
                rec.id,
                key_id(&pk)
            ));
        }
        if let Some(k) = self.key(&rec.id) {
            return Err(format!(
                "key {} is already enrolled (as {}, entry {})",
                rec.id, k.record.name, k.enrolled_at
            ));
        }
        if !super::note::valid_key_name(&rec.name) {
            return Err(format!("key name {:?} has white space or '+'", rec.name));
        }
        Ok(())
    }

    fn check_admin(&self, signer: &str, action: &str) -> Result<(), String> {
        match self.key(signer) {
            Some(k) if k.admin => Ok(()),
            _ => Err(format!(
                "{} is not the case administrator; only the administrator can {action}",
                self.who(signer)
            )),
        }
    }

    fn check_kind(&self, seq: u64, e: &Envelope<'_>, body: &Body, out: &mut Vec<Finding>) {
        let signer = e.key;
        let result: Result<(), String> = (|| {
            if seq == 0 && !matches!(body, Body::CaseOpen(_)) {
                return Err(format!(
                    "the first entry must be {KIND_CASE_OPEN}, not {}",
                    e.kind
                ));
            }
            match body {
                Body::CaseOpen(open) => {
                    if seq != 0 {
                        return Err("case.open may only be the first entry".into());
                    }
                    let pk = record_public_key(&open.admin)
                        .ok_or("case.open admin public_key is not an Ed25519 key")?;
                    if key_id(&pk) != open.admin.id {
                        return Err(format!(
                            "admin key id {} does not match its public key ({})",
                            open.admin.id,
                            key_id(&pk)
                        ));
                    }
                }
                Body::Seal(s) => {
                    let expected = exhibit_id(self.exhibits + 1);
                    if s.exhibit != expected {
                        return Err(format!(
                            "exhibit id {} out of order, expected {expected}",
                            s.exhibit
                        ));
                    }
                    if let Some(parent) = s.acquisition.as_ref().and_then(|a| a.parent.as_ref()) {
                        self.exhibit(parent)?;
                    }
                }
                Body::KeyEnrol(k) => {
                    self.check_admin(signer, "enrol keys")?;
                    self.check_new_key(&k.key)?;
                    if !k.key.role.as_deref().is_some_and(|r| ROLES.contains(&r)) {
                        return Err(format!(
                            "role {:?} is not one of {}",
                            k.key.role,
                            ROLES.join(", ")
                        ));
                    }
                    if let Some(other) = self.keys.iter().find(|x| x.record.name == k.key.name) {
                        return Err(format!(
                            "the name {} is already used by key {}",
                            k.key.name, other.record.id
                        ));
                    }
                }
                Body::KeyRevoke(r) => {
                    self.check_admin(signer, "revoke keys")?;
                    let target = self
                        .key(&r.key)
                        .ok_or_else(|| format!("key {} is not enrolled", r.key))?;
                    if let Some(at) = target.revoked_at {
                        return Err(format!(
                            "key {} was already revoked at entry {at}",
                            self.who(&r.key)
                        ));
                    }
                    if r.key == signer {
                        return Err(
                            "an administrator cannot revoke its own key; rotate it instead".into(),
                        );
                    }
                }
                Body::KeyRotate(r) => {
                    if r.old != signer {
                        return Err(format!(
                            "key.rotate must be signed by the old key {}, not {signer}",
                            r.old
                        ));
                    }
                    self.check_new_key(&r.new)?;
                    let old = self
                        .key(&r.old)
                        .ok_or_else(|| format!("key {} is not enrolled", r.old))?;
                    if r.new.name != old.record.name || r.new.role != old.record.role {
                        return Err(format!(
                            "the successor must keep the name and role of {} ({:?})",
                            old.record.name, old.record.role
                        ));
                    }
                }
                Body::Release(r) => {
                    if r.exhibits.is_empty() {
                        return Err("a release names at least one exhibit".into());
                    }
                    for (i, ex) in r.exhibits.iter().enumerate() {
                        if r.exhibits[..i].contains(ex) {
                            return Err(format!("exhibit {ex} is listed twice"));
                        }
                        self.holds(signer, ex, "released", &["sealed"])?;
                    }
                    if self.active_key(&r.to).is_none() {
                        return Err(format!(
                            "the receiver {} is not an enrolled, unrevoked key of this case",
                            self.who(&r.to)
                        ));
                    }
                    if r.to == signer {
                        return Err("an exhibit cannot be released to its own holder".into());
                    }
                }
                Body::Accept(a) => {
                    if a.received.is_empty() {
                        return Err("an accept names at least one exhibit".into());
                    }
                    for (i, r) in a.received.iter().enumerate() {
                        let ex = r.exhibit.as_str();
                        if a.received[..i].iter().any(|x| x.exhibit == ex) {
                            return Err(format!("exhibit {ex} is listed twice"));
                        }
                        match &self.exhibit(ex)?.status {
                            CustodyStatus::InTransit { to, release } if *release == a.release => {
                                if to != signer {
                                    return Err(format!(
                                        "exhibit {ex} was released to {}; {} cannot accept it",
                                        self.who(to),
                                        self.who(signer)
                                    ));
                                }
                            }
                            _ => {
                                return Err(format!(
                                    "exhibit {ex} is not in transit under the release of entry {}",
                                    a.release
                                ))
                            }
                        }
                    }
                }
                Body::Open(o) => {
                    self.holds(signer, &o.exhibit, "opened", &["sealed"])?;
                    let current = &self.exhibit(&o.exhibit)?.seal_no;
                    if o.seal_no != *current {
                        return Err(format!(
                            "the open names seal {:?} but exhibit {} is under seal {:?}",
                            o.seal_no, o.exhibit, current
                        ));
                    }
                }
                Body::Reseal(r) => {
                    self.holds(signer, &r.exhibit, "re-sealed", &["opened"])?;
                    if r.new_seal_no.is_empty() {
                        return Err("the new seal number is empty".into());
                    }
                    if r.recheck.exhibit != r.exhibit {
                        return Err("the re-hash names another exhibit".into());
                    }
                }
                Body::Note(n) => {
                    if let Some(ex) = &n.exhibit {
                        self.exhibit(ex)?;
                    }
                }
                Body::Dispose(d) => {
                    self.holds(signer, &d.exhibit, "disposed of", &["sealed", "opened"])?;
                }
                Body::Report(r) => {
                    for ex in &r.exhibits {
                        self.exhibit(ex)?;
                    }
                    if r.ledger_size > seq {
                        return Err(format!(
                            "a report at entry {seq} cannot reflect {} entries",
                            r.ledger_size
                        ));
                    }
                }
                Body::Export(x) => {
                    for ex in &x.exhibits {
                        self.exhibit(ex)?;
                    }
                    if x.ledger_size > seq {
                        return Err(format!(
                            "an export at entry {seq} cannot hold {} entries",
                            x.ledger_size
                        ));
                    }
                }
                Body::IocScan(scan) => {
                    for e in &scan.exhibits {
                        let c = self.exhibit(&e.exhibit)?;
                        if matches!(c.status, CustodyStatus::Disposed { .. }) {
                            return Err(format!(
                                "exhibit {} was disposed of and cannot be scanned",
                                e.exhibit
                            ));
                        }
                        if e.sha256 != c.sealed_sha256 {
                            return Err(format!(
                                "the scan of {} read SHA-256 {}, not the sealed {}",
                                e.exhibit, e.sha256, c.sealed_sha256
                            ));
                        }
                    }
                }
            }
            Ok(())
        })();
        let exhibit = body.exhibits().first().map(|s| s.to_string());
        if let Err(message) = result {
            out.push(Finding {
                exhibit,
                ..Finding::entry_error(seq, "custody", message)
            });
        }
        // Discrepancies found on receipt or re-sealing are recorded, and always reported.
        let rechecks: Vec<&Recheck> = match body {
            Body::Accept(a) => a.received.iter().collect(),
            Body::Reseal(r) => vec![&r.recheck],
            _ => vec![],
        };
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
        let valid = |pk: &VerifyingKey| match signed {
            Signed::Entry(entry) => entry.signature_valid(pk),
            Signed::Bytes(message) => signature_valid_over(message, e.sig, pk),
        };
        match record_public_key(record) {
            Some(pk) if valid(&pk) => {}
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

    fn record(&mut self, seq: u64, signer: &str, body: &Body) {
        match body {
            Body::CaseOpen(open) => {
                self.case = Some(open.case.clone());
                self.keys.push(EnrolledKey {
                    record: open.admin.clone(),
                    enrolled_at: seq,
                    admin: true,
                    revoked_at: None,
                    revoked_reason: None,
                });
            }
            Body::Seal(s) => {
                self.exhibits += 1;
                self.custody.insert(
                    s.exhibit.clone(),
                    Custody {
                        holder: signer.to_string(),
                        status: CustodyStatus::Sealed,
                        seal_no: s.seal_no.clone(),
                        seal_seq: seq,
                        seal_offset: self.offset,
                        sealed_sha256: s.artifact.hashes.sha256.clone(),
                    },
                );
            }
            Body::KeyEnrol(k) => self.keys.push(EnrolledKey {
                record: k.key.clone(),
                enrolled_at: seq,
                admin: false,
                revoked_at: None,
                revoked_reason: None,
            }),
            Body::KeyRevoke(r) => {
                if let Some(k) = self.key_mut(&r.key) {
                    k.revoked_at = Some(seq);
                    k.revoked_reason = Some(r.reason.clone());
                }
            }
            Body::KeyRotate(r) => {
                let admin = self.key(&r.old).is_some_and(|k| k.admin);
                if let Some(k) = self.key_mut(&r.old) {
                    k.revoked_at = Some(seq);
                    k.revoked_reason = Some(format!("rotated to {}", r.new.id));
                    k.admin = false;
                }
                self.keys.push(EnrolledKey {
                    record: r.new.clone(),
                    enrolled_at: seq,
                    admin,
                    revoked_at: None,
                    revoked_reason: None,
                });
                for c in self.custody.values_mut() {
                    if c.holder == r.old {
                        c.holder = r.new.id.clone();
                    }
                    if let CustodyStatus::InTransit { to, .. } = &mut c.status {
                        if *to == r.old {
                            *to = r.new.id.clone();
                        }
                    }
                }
            }
            Body::Release(r) => {
                for ex in &r.exhibits {
                    if let Some(c) = self.custody.get_mut(ex) {
                        c.status = CustodyStatus::InTransit {
                            to: r.to.clone(),
                            release: seq,
                        };
                    }
                }
            }
            Body::Accept(a) => {
                for r in &a.received {
                    if let Some(c) = self.custody.get_mut(&r.exhibit) {
                        c.holder = signer.to_string();
                        c.status = CustodyStatus::Sealed;
                    }
                }
            }
            Body::Open(o) => {
                if let Some(c) = self.custody.get_mut(&o.exhibit) {
                    c.status = CustodyStatus::Opened { open: seq };
                }
            }
            Body::Reseal(r) => {
                if let Some(c) = self.custody.get_mut(&r.exhibit) {
                    c.status = CustodyStatus::Sealed;
                    c.seal_no = Some(r.new_seal_no.clone());
                }
            }
            Body::Note(_) => {}
            Body::Dispose(d) => {
                if let Some(c) = self.custody.get_mut(&d.exhibit) {
                    c.status = CustodyStatus::Disposed { at: seq };
                }
            }
            Body::Report(_) | Body::IocScan(_) | Body::Export(_) => {}
        }
    }
}
