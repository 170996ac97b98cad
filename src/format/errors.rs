//! The typed errors of the format layer: why a body does not parse ([`BodyError`]) or breaks
//! a value rule ([`ValueError`]), why an entry breaks a chain or custody rule ([`CustodyError`], the `custody` findings), and why a
//! checkpoint signer may not sign ([`CheckpointSignerError`]). Their `Display` is the message
//! of the finding.

use super::parts::ROLES;
use std::fmt;

/// A key as named in messages: `name (key id)`, or `unknown key ID` when not enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// The key id.
    pub id: String,
    /// The signer's name, if the key is enrolled.
    pub name: Option<String>,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n} ({})", self.id),
            None => write!(f, "unknown key {}", self.id),
        }
    }
}

/// Why a body does not parse as its kind.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// No kind of this name.
    #[error("unknown entry kind {0:?}")]
    UnknownKind(String),
    /// A typed body of another kind than the envelope's (an entry being built).
    #[error("bad {kind} body: a {given} body was given")]
    OtherKind {
        /// The envelope's kind.
        kind: String,
        /// The body's kind.
        given: &'static str,
    },
    /// The body is not of the kind's shape.
    #[error("bad {kind} body: {source}")]
    Shape {
        /// The entry kind.
        kind: String,
        /// What serde found.
        source: serde_json::Error,
    },
}

/// Why an exhibit in a state may not undergo an action: the state it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateWhy {
    /// In transit to a receiver since a release.
    InTransit {
        /// The receiver.
        to: Who,
        /// The release entry.
        release: u64,
    },
    /// Opened by an entry.
    Opened {
        /// The open entry.
        open: u64,
    },
    /// Sealed.
    Sealed,
}

impl fmt::Display for StateWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateWhy::InTransit { to, release } => {
                write!(f, "it is in transit to {to} since entry {release}")
            }
            StateWhy::Opened { open } => {
                write!(f, "it was opened at entry {open}; reseal it first")
            }
            StateWhy::Sealed => write!(f, "it is sealed; open it first"),
        }
    }
}

/// An entry breaking a kind or custody rule (FORMAT.md §6, §7): the `custody` finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustodyError {
    /// Entry 0 is of another kind.
    #[error("the first entry must be case.open, not {kind}")]
    FirstNotCaseOpen {
        /// Its kind.
        kind: String,
    },
    /// A `case.open` after entry 0.
    #[error("case.open may only be the first entry")]
    CaseOpenNotFirst,
    /// The administrator's public key does not decode.
    #[error("case.open admin public_key is not an Ed25519 key")]
    AdminNotEd25519,
    /// The administrator's key id is not that of its public key.
    #[error("admin key id {id} does not match its public key ({actual})")]
    AdminKeyIdMismatch {
        /// The id recorded.
        id: String,
        /// The id of the public key.
        actual: String,
    },
    /// A seal's exhibit id is not the next one.
    #[error("exhibit id {exhibit} out of order, expected {expected}")]
    ExhibitOutOfOrder {
        /// The id recorded.
        exhibit: String,
        /// The next id.
        expected: String,
    },
    /// The exhibit named does not exist.
    #[error("exhibit {exhibit} does not exist in this case")]
    NoSuchExhibit {
        /// The exhibit.
        exhibit: String,
    },
    /// The exhibit was disposed of.
    #[error("exhibit {exhibit} was disposed of at entry {at}; it cannot be {action}")]
    Disposed {
        /// The exhibit.
        exhibit: String,
        /// The dispose entry.
        at: u64,
        /// What was attempted (`released`, `opened` ...).
        action: &'static str,
    },
    /// The signer does not hold the exhibit.
    #[error("{signer} does not hold exhibit {exhibit} (held by {holder}); only its holder may act on it")]
    NotHolder {
        /// The exhibit.
        exhibit: String,
        /// Its holder.
        holder: Box<Who>,
        /// The signer.
        signer: Box<Who>,
        /// What was attempted.
        action: &'static str,
    },
    /// The exhibit is not in a state that allows the action.
    #[error("exhibit {exhibit} cannot be {action}: {why}")]
    WrongState {
        /// The exhibit.
        exhibit: String,
        /// What was attempted.
        action: &'static str,
        /// The state it is in.
        why: StateWhy,
    },
    /// Only the administrator may do this.
    #[error("{signer} is not the case administrator; only the administrator can {action}")]
    NotAdmin {
        /// The signer.
        signer: Who,
        /// `enrol keys` or `revoke keys`.
        action: &'static str,
    },
    /// A new key's public key does not decode.
    #[error("public_key is not an Ed25519 key")]
    NotEd25519,
    /// A new key's id is not that of its public key.
    #[error("key id {id} does not match its public key ({actual})")]
    KeyIdMismatch {
        /// The id recorded.
        id: String,
        /// The id of the public key.
        actual: String,
    },
    /// A new key is enrolled already.
    #[error("key {id} is already enrolled (as {name}, entry {at})")]
    AlreadyEnrolled {
        /// The key id.
        id: String,
        /// Its name.
        name: String,
        /// The entry that enrolled it.
        at: u64,
    },
    /// A new key's name cannot be a signature-line key name.
    #[error("key name {name:?} has white space or '+'")]
    BadKeyName {
        /// The name.
        name: String,
    },
    /// The role is not one of [`ROLES`].
    #[error("role {role:?} is not one of {}", ROLES.join(", "))]
    BadRole {
        /// The role given.
        role: Option<String>,
    },
    /// Another key has the name.
    #[error("the name {name} is already used by key {id}")]
    NameTaken {
        /// The name.
        name: String,
        /// The key that has it.
        id: String,
    },
    /// The key named is not enrolled.
    #[error("key {key} is not enrolled")]
    NotEnrolled {
        /// The key id.
        key: String,
    },
    /// The key was revoked already.
    #[error("key {key} was already revoked at entry {at}")]
    AlreadyRevoked {
        /// The key.
        key: Who,
        /// The revoking entry.
        at: u64,
    },
    /// An administrator revoking its own key.
    #[error("an administrator cannot revoke its own key; rotate it instead")]
    RevokeOwnKey,
    /// A rotation signed by another key than the old one.
    #[error("key.rotate must be signed by the old key {old}, not {signer}")]
    RotateNotByOld {
        /// The old key id.
        old: String,
        /// The signer's key id.
        signer: String,
    },
    /// A successor with another name or role.
    #[error("the successor must keep the name and role of {name} ({role:?})")]
    SuccessorDiffers {
        /// The old key's name.
        name: String,
        /// The old key's role.
        role: Option<String>,
    },
    /// A release naming no exhibit.
    #[error("a release names at least one exhibit")]
    EmptyRelease,
    /// An accept naming no exhibit.
    #[error("an accept names at least one exhibit")]
    EmptyAccept,
    /// An exhibit listed twice.
    #[error("exhibit {exhibit} is listed twice")]
    ListedTwice {
        /// The exhibit.
        exhibit: String,
    },
    /// The receiver is not an enrolled, unrevoked key.
    #[error("the receiver {to} is not an enrolled, unrevoked key of this case")]
    ReceiverNotActive {
        /// The receiver.
        to: Who,
    },
    /// A release to the holder itself.
    #[error("an exhibit cannot be released to its own holder")]
    ReleaseToHolder,
    /// An accept by another key than the receiver.
    #[error("exhibit {exhibit} was released to {to}; {signer} cannot accept it")]
    NotReceiver {
        /// The exhibit.
        exhibit: String,
        /// The receiver.
        to: Who,
        /// The signer.
        signer: Who,
    },
    /// An accept of an exhibit not in transit under that release.
    #[error("exhibit {exhibit} is not in transit under the release of entry {release}")]
    NotInTransit {
        /// The exhibit.
        exhibit: String,
        /// The release entry the accept names.
        release: u64,
    },
    /// An open naming another seal than the current one.
    #[error("the open names seal {named:?} but exhibit {exhibit} is under seal {current:?}")]
    SealMismatch {
        /// The exhibit.
        exhibit: String,
        /// The seal number the open names.
        named: Option<String>,
        /// Its current seal number.
        current: Option<String>,
    },
    /// A reseal with an empty seal number.
    #[error("the new seal number is empty")]
    EmptySealNo,
    /// A reseal whose re-hash is of another exhibit.
    #[error("the re-hash names another exhibit")]
    RecheckOfAnother,
    /// A report reflecting more entries than precede it.
    #[error("a report at entry {seq} cannot reflect {size} entries")]
    ReportBeyond {
        /// The report entry.
        seq: u64,
        /// The ledger size it claims.
        size: u64,
    },
    /// An export holding more entries than precede it.
    #[error("an export at entry {seq} cannot hold {size} entries")]
    ExportBeyond {
        /// The export entry.
        seq: u64,
        /// The ledger size it claims.
        size: u64,
    },
    /// A second `tsa.add` of a name already used.
    #[error("a TSA named {name} was already added at entry {at}")]
    TsaNameTaken {
        /// The name.
        name: String,
        /// The `tsa.add` that took it.
        at: u64,
    },
    /// A scan of a disposed exhibit.
    #[error("exhibit {exhibit} was disposed of and cannot be scanned")]
    ScanDisposed {
        /// The exhibit.
        exhibit: String,
    },
    /// A review naming no earlier valid scan.
    #[error("ioc.review names scan entry {scan}, which is not an earlier valid ioc.scan")]
    ReviewNoScan {
        /// The entry named.
        scan: u64,
    },
    /// A review naming a finding beyond the scan's matches.
    #[error("ioc.review names finding {id}, but that scan records {count} findings")]
    ReviewNoFinding {
        /// The finding's id.
        id: String,
        /// The scan's number of findings.
        count: u64,
    },
    /// A review whose indicator, exhibit or member is not the finding's.
    #[error("ioc.review of finding {id}: its indicator, exhibit or member is not the finding's")]
    ReviewDiffers {
        /// The finding's id.
        id: String,
    },
    /// A scan that read another SHA-256 than the sealed one.
    #[error("the scan of {exhibit} read SHA-256 {read}, not the sealed {sealed}")]
    ScanHashDiffers {
        /// The exhibit.
        exhibit: String,
        /// What the scan read.
        read: String,
        /// The sealed SHA-256.
        sealed: String,
    },
}

/// Why a key may not sign or cosign a checkpoint of a given size (FORMAT.md 8.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointSignerError {
    /// No key signs a checkpoint of size 0.
    #[error("{who} cannot sign a checkpoint of size 0")]
    EmptyTree {
        /// `name (key ID)`.
        who: String,
    },
    /// Enrolled after the entries the checkpoint covers.
    #[error("{who} was enrolled at entry {at}, after the {size} entries this checkpoint covers")]
    EnrolledAfter {
        /// `name (key ID)`.
        who: String,
        /// The enrolling entry.
        at: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// Revoked or rotated out before the checkpoint's last entry.
    #[error("{who} was revoked or rotated out at entry {at}, before entry {last} that this checkpoint ends with")]
    RevokedBefore {
        /// `name (key ID)`.
        who: String,
        /// The revoking entry.
        at: u64,
        /// The checkpoint's last entry.
        last: u64,
    },
    /// Revoked by the checkpoint's last entry.
    #[error("{who} was revoked by entry {at}, the last entry this checkpoint covers")]
    RevokedByLast {
        /// `name (key ID)`.
        who: String,
        /// The revoking entry.
        at: u64,
    },
}

/// A body breaking a value rule (FORMAT.md 6.4 and each kind's section): the `body` finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// The body is not exactly as scelle writes it.
    #[error("body is not in scelle's exact representation (a null, an empty optional list, or a value of another form)")]
    NotRepresentation,
    /// A hex value of the wrong form or length.
    #[error("{what} {value:?} is not {digits} lower-case hex digits")]
    NotHex {
        /// What the value is (`key id`, `member P: sha256` ...).
        what: String,
        /// The value.
        value: String,
        /// The number of digits required.
        digits: usize,
    },
    /// A value not among those allowed.
    #[error("{what} {value:?} is not one of {allowed}")]
    NotOneOf {
        /// What the value is (`lang`, `pdfa` ...).
        what: String,
        /// The value.
        value: String,
        /// The values allowed, comma-separated.
        allowed: String,
    },
    /// Another value rule, in words.
    #[error("{0}")]
    Rule(String),
}
