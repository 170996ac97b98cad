//! The state of a ledger's chain after some number of lines: the enrolled keys and their
//! lifecycle, the custody of every exhibit, the Merkle frontier; and the questions the entry
//! kinds ([`super::kinds`]) ask of it (who holds an exhibit, may this key sign). How lines
//! move the state is [`super::chain`].

use super::encoding::unb64;
use super::entry::GENESIS_PREV;
use super::errors::{CheckpointSignerError, CustodyError, StateWhy, Who};
use super::keys::key_id;
use super::merkle::Frontier;
use super::parts::{CaseInfo, KeyRecord};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The time-stamping authorities added (`tsa.add`), in order.
    pub tsas: Vec<CaseTsa>,
    /// The findings of every valid `ioc.scan`, by its entry: one digest per match, in the
    /// order of its `matches`, which an `ioc.review` is checked against (FORMAT.md 6.11).
    pub scans: BTreeMap<u64, Vec<FindingDigest>>,
    /// Byte offset of the line being applied.
    pub(crate) offset: u64,
}

/// What the chain keeps of one finding of a scan: the SHA-256 of its indicator, exhibit and
/// member (32 bytes a match, whatever its excerpt and location), which an `ioc.review` must
/// repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingDigest([u8; 32]);

/// Stored (`ledger.index`) as its hex.
impl Serialize for FindingDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encoding::hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for FindingDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        super::encoding::unhex::<32>(&s)
            .map(FindingDigest)
            .ok_or_else(|| serde::de::Error::custom("a finding digest is 64 hex digits"))
    }
}

impl FindingDigest {
    /// The digest of a finding's indicator, exhibit and member: each field length-prefixed,
    /// so that no two triples give the same bytes.
    pub fn of(indicator: &str, exhibit: &str, member: Option<&str>) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for f in [Some(indicator), Some(exhibit), member] {
            match f {
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
                None => h.update([0u8]),
            }
        }
        FindingDigest(h.finalize().into())
    }
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

/// A time-stamping authority of the case, as its `tsa.add` recorded it (FORMAT.md 8.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseTsa {
    /// Its name in the case (it names the token files).
    pub name: String,
    /// Its URL.
    pub url: String,
    /// Its trust anchors: base64 DER X.509 certificates.
    pub ca: Vec<String>,
    /// The `tsa.add` entry.
    pub added_at: u64,
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

    /// The time-stamping authority of this name, if a `tsa.add` added it.
    pub fn tsa(&self, name: &str) -> Option<&CaseTsa> {
        self.tsas.iter().find(|t| t.name == name)
    }

    /// The enrolled key with this id (revoked or not).
    pub fn key(&self, id: &str) -> Option<&EnrolledKey> {
        self.keys.iter().find(|k| k.record.id == id)
    }

    pub(crate) fn key_mut(&mut self, id: &str) -> Option<&mut EnrolledKey> {
        self.keys.iter_mut().find(|k| k.record.id == id)
    }

    /// The enrolled, unrevoked key with this id.
    pub fn active_key(&self, id: &str) -> Option<&EnrolledKey> {
        self.key(id).filter(|k| k.revoked_at.is_none())
    }

    /// `name (key id)` for messages.
    pub fn who(&self, id: &str) -> String {
        Who::of(self, id).to_string()
    }

    /// A person as listings show them: `Full Name, name (key id)` when a full name was
    /// recorded with the key (`--full-name`, accents and all), else as [`ChainState::who`].
    pub fn person(&self, id: &str) -> String {
        match self.key(id).and_then(|k| k.record.full_name.as_deref()) {
            Some(full) if !full.is_empty() => format!("{full}, {}", self.who(id)),
            _ => self.who(id),
        }
    }

    /// Whether key `k` may sign (alg 0x01) or cosign (alg 0x04) a checkpoint of tree size
    /// `size` (FORMAT.md 8.2), this state being that of the whole ledger: the key was enrolled
    /// by one of the first `size` entries (`enrolled_at` ≤ `size` − 1), and was not revoked or
    /// rotated out by one of them, except that a key rotated out by entry `size` − 1 itself
    /// may sign (it signed that entry, and `key rotate` signs the checkpoint after it with the
    /// old key). No key may sign a checkpoint of size 0. `Err` says why not.
    pub fn may_sign_checkpoint(
        &self,
        k: &EnrolledKey,
        size: u64,
    ) -> Result<(), CheckpointSignerError> {
        let who = format!("{} (key {})", k.record.name, k.record.id);
        if size == 0 {
            return Err(CheckpointSignerError::EmptyTree { who });
        }
        let last = size - 1;
        if k.enrolled_at > last {
            return Err(CheckpointSignerError::EnrolledAfter {
                who,
                at: k.enrolled_at,
                size,
            });
        }
        match k.revoked_at {
            Some(at) if at < last => Err(CheckpointSignerError::RevokedBefore { who, at, last }),
            Some(at) if at == last && !self.rotated_at(k, at) => {
                Err(CheckpointSignerError::RevokedByLast { who, at })
            }
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

    /// The custody of `ex`, or why not: it does not exist.
    pub(crate) fn exhibit(&self, ex: &str) -> Result<&Custody, CustodyError> {
        self.custody
            .get(ex)
            .ok_or_else(|| CustodyError::NoSuchExhibit {
                exhibit: ex.to_string(),
            })
    }

    /// Checks that `signer` holds `ex` and it is in one of the `allowed` states, for `action`.
    pub(crate) fn holds(
        &self,
        signer: &str,
        ex: &str,
        action: &'static str,
        allowed: &[&str],
    ) -> Result<(), CustodyError> {
        let c = self.exhibit(ex)?;
        let state = c.status.name();
        if let CustodyStatus::Disposed { at } = c.status {
            return Err(CustodyError::Disposed {
                exhibit: ex.to_string(),
                at,
                action,
            });
        }
        if c.holder != signer {
            return Err(CustodyError::NotHolder {
                exhibit: ex.to_string(),
                holder: Box::new(Who::of(self, &c.holder)),
                signer: Box::new(Who::of(self, signer)),
                action,
            });
        }
        if !allowed.contains(&state) {
            return Err(CustodyError::WrongState {
                exhibit: ex.to_string(),
                action,
                why: StateWhy::of(self, &c.status),
            });
        }
        Ok(())
    }

    /// Checks a key record about to be enrolled (by `key.enrol` or `key.rotate`).
    pub(crate) fn check_new_key(&self, rec: &KeyRecord) -> Result<(), CustodyError> {
        let pk = record_public_key(rec).ok_or(CustodyError::NotEd25519)?;
        if key_id(&pk) != rec.id {
            return Err(CustodyError::KeyIdMismatch {
                id: rec.id.clone(),
                actual: key_id(&pk),
            });
        }
        if let Some(k) = self.key(&rec.id) {
            return Err(CustodyError::AlreadyEnrolled {
                id: rec.id.clone(),
                name: k.record.name.clone(),
                at: k.enrolled_at,
            });
        }
        if !super::note::valid_key_name(&rec.name) {
            return Err(CustodyError::BadKeyName {
                name: rec.name.clone(),
            });
        }
        Ok(())
    }

    /// Checks that `signer` is the case administrator, for `action`.
    pub(crate) fn check_admin(
        &self,
        signer: &str,
        action: &'static str,
    ) -> Result<(), CustodyError> {
        match self.key(signer) {
            Some(k) if k.admin => Ok(()),
            _ => Err(CustodyError::NotAdmin {
                signer: Who::of(self, signer),
                action,
            }),
        }
    }
}

impl Who {
    /// Key `id` as `state` knows it.
    pub fn of(state: &ChainState, id: &str) -> Who {
        Who {
            id: id.to_string(),
            name: state.key(id).map(|k| k.record.name.clone()),
        }
    }
}

impl StateWhy {
    /// The reason for `status` (not for `Disposed`, refused before).
    pub(crate) fn of(state: &ChainState, status: &CustodyStatus) -> StateWhy {
        match status {
            CustodyStatus::InTransit { to, release } => StateWhy::InTransit {
                to: Who::of(state, to),
                release: *release,
            },
            CustodyStatus::Opened { open } => StateWhy::Opened { open: *open },
            CustodyStatus::Sealed | CustodyStatus::Disposed { .. } => StateWhy::Sealed,
        }
    }
}
