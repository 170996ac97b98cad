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

/// What the signature lines of one checkpoint say, checked against a case's keys.
#[derive(Debug, Default, Clone)]
pub struct NoteCheck {
    /// Names of enrolled keys whose checkpoint signature verifies.
    pub signed_by: Vec<String>,
    /// (name, time) of enrolled keys whose cosignature verifies.
    pub cosigned_by: Vec<(String, u64)>,
    /// Lines by enrolled keys that do not verify, described.
    pub invalid: Vec<String>,
    /// Names of signers not enrolled in the case (not checked).
    pub unknown: Vec<String>,
}

/// Checks every signature line of `note` against the keys of `state`.
pub fn check_note(state: &ChainState, note: &Note) -> NoteCheck {
    let mut out = NoteCheck::default();
    for sig in &note.signatures {
        if let Some((k, pk)) = state.note_key(&sig.name, sig.key_id, ALG_ED25519) {
            if sig.verifies(&note.text, &k.record.name, &pk) {
                out.signed_by.push(sig.name.clone());
            } else {
                out.invalid.push(format!(
                    "signature by {} (key {}) does not verify",
                    sig.name, k.record.id
                ));
            }
        } else if let Some((k, pk)) = state.note_key(&sig.name, sig.key_id, ALG_COSIGNATURE_V1) {
            match verify_cosignature(sig, &note.text, &pk) {
                Some(t) => out.cosigned_by.push((sig.name.clone(), t)),
                None => out.invalid.push(format!(
                    "cosignature by {} (key {}) does not verify",
                    sig.name, k.record.id
                )),
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
