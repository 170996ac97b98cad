//! C2SP tlog-cosignature v1 (<https://c2sp.org/tlog-cosignature>): a witness's timestamped
//! Ed25519 signature over a checkpoint, and the check of every signature line of a checkpoint
//! against the keys enrolled in a case.

use super::chain::ChainState;
use super::note::{note_key_id_alg, Note, NoteSignature, ALG_COSIGNATURE_V1, ALG_ED25519};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// The message a cosignature signs: `cosignature/v1\ntime T\n` followed by the note text.
pub fn cosigned_message(text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{text}")
}

/// A cosignature line by `name` at `time` (seconds since 1970) over the note's text.
pub fn cosign(note: &Note, name: &str, key: &SigningKey, time: u64) -> NoteSignature {
    let sig = key.sign(cosigned_message(&note.text, time).as_bytes());
    let mut signature = time.to_be_bytes().to_vec();
    signature.extend_from_slice(&sig.to_bytes());
    NoteSignature {
        name: name.to_string(),
        key_id: note_key_id_alg(name, &key.verifying_key(), ALG_COSIGNATURE_V1),
        signature,
    }
}

/// Verifies a cosignature line; returns its time.
pub fn verify_cosignature(sig: &NoteSignature, text: &str, public: &VerifyingKey) -> Option<u64> {
    if sig.signature.len() != 72 {
        return None;
    }
    let time = u64::from_be_bytes(sig.signature[..8].try_into().ok()?);
    if time > i64::MAX as u64 {
        return None;
    }
    let s = Signature::from_slice(&sig.signature[8..]).ok()?;
    public
        .verify_strict(cosigned_message(text, time).as_bytes(), &s)
        .ok()
        .map(|_| time)
}

/// How far in the future (seconds after the verifier's clock) a cosignature may be dated:
/// five minutes, the tolerance for the witness's and the verifier's clocks to disagree
/// (FORMAT.md 8.3). A later timestamp is refused (`checkpoint-future`).
pub const COSIGNATURE_SKEW_SECS: u64 = 300;

/// What the signature lines of one checkpoint say, checked against a case's keys.
#[derive(Debug, Default, Clone)]
pub struct NoteCheck {
    /// Names of keys whose checkpoint signature verifies and who may sign at this size.
    pub signed_by: Vec<String>,
    /// The same keys described, `name (key ID, role ROLE)`, for messages.
    pub signers: Vec<String>,
    /// (name, time) of keys whose cosignature verifies, who may cosign at this size, and
    /// whose time is not in the future.
    pub cosigned_by: Vec<(String, u64)>,
    /// Lines by enrolled keys that do not verify, described (`checkpoint-signature`).
    pub invalid: Vec<String>,
    /// Lines that verify, by keys of the case that may not sign a checkpoint of this size
    /// (enrolled later, or revoked or rotated out before it), described (`checkpoint-key`).
    pub misplaced: Vec<String>,
    /// Cosignatures that verify but are dated more than [`COSIGNATURE_SKEW_SECS`] after
    /// `now`, described (`checkpoint-future`).
    pub future: Vec<String>,
    /// Names of signers not enrolled in the case (not checked).
    pub unknown: Vec<String>,
    /// Lines after the first with the same name and key id (the same key, the same
    /// algorithm), described: a key counts once per checkpoint (`checkpoint-duplicate`).
    pub duplicate: Vec<String>,
}

impl NoteCheck {
    /// `by NAME (key ID, role ROLE), ...`, or `by no key of the case`, for messages.
    pub fn by(&self) -> String {
        if self.signers.is_empty() {
            "not validly signed by any key of the case".to_string()
        } else {
            format!("signed by {}", self.signers.join(" and "))
        }
    }
}

/// Checks every signature line of `note`, a checkpoint of tree size `size`, against the keys
/// of `state` (the state after the whole ledger): a line counts only if it verifies and its
/// key may sign a checkpoint of that size ([`ChainState::may_sign_checkpoint`]); a cosignature
/// counts only if it is not dated after `now` (seconds since 1970) + [`COSIGNATURE_SKEW_SECS`].
pub fn check_note(state: &ChainState, note: &Note, size: u64, now: u64) -> NoteCheck {
    let mut out = NoteCheck::default();
    let mut seen = std::collections::BTreeSet::new();
    for sig in &note.signatures {
        if !seen.insert((sig.name.as_str(), sig.key_id)) {
            out.duplicate.push(format!(
                "a second signature line by {:?} with key id {}: a key counts once per checkpoint; not counted again",
                sig.name,
                crate::format::encoding::hex(&sig.key_id)
            ));
            continue;
        }
        if let Some((k, pk)) = state.note_key(&sig.name, sig.key_id, ALG_ED25519) {
            if !sig.verifies(&note.text, &k.record.name, &pk) {
                out.invalid.push(format!(
                    "signature by {} (key {}) does not verify",
                    sig.name, k.record.id
                ));
            } else if let Err(why) = state.may_sign_checkpoint(k, size) {
                out.misplaced.push(format!(
                    "the signature verifies but does not count: {why} (FORMAT.md 8.2)"
                ));
            } else {
                out.signed_by.push(sig.name.clone());
                out.signers.push(ChainState::describe_key(k));
            }
        } else if let Some((k, pk)) = state.note_key(&sig.name, sig.key_id, ALG_COSIGNATURE_V1) {
            match verify_cosignature(sig, &note.text, &pk) {
                None => out.invalid.push(format!(
                    "cosignature by {} (key {}) does not verify",
                    sig.name, k.record.id
                )),
                Some(t) => {
                    if let Err(why) = state.may_sign_checkpoint(k, size) {
                        out.misplaced.push(format!(
                            "the cosignature verifies but does not count: {why} (FORMAT.md 8.3)"
                        ));
                    } else if t > now.saturating_add(COSIGNATURE_SKEW_SECS) {
                        out.future.push(format!(
                            "cosignature by {} dated {t} ({}), more than {COSIGNATURE_SKEW_SECS} s after now ({now}): not counted",
                            ChainState::describe_key(k),
                            format_secs(t)
                        ));
                    } else {
                        out.cosigned_by.push((sig.name.clone(), t));
                    }
                }
            }
        } else if state.keys.iter().any(|k| k.record.name == sig.name) {
            out.invalid.push(format!(
                "signature line by {} has a key id that matches none of its enrolled keys",
                sig.name
            ));
        } else {
            out.unknown.push(sig.name.clone());
        }
    }
    out
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`, or `out of range`.
fn format_secs(t: u64) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(super::time::format_utc)
        .unwrap_or_else(|| "out of range".to_string())
}

/// Seconds since 1970 now (0 if the clock is before 1970).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
