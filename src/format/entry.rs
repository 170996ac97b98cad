//! Ledger entries: the envelope every line of the ledger carries, its canonical bytes, its
//! Ed25519 signature, and strict parsing of a line.

use super::canonical::{parse_canonical, to_canonical_of, CanonicalError};
use super::encoding::{b64, hex, unb64, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The ledger format version written in every entry's `format` field.
pub const FORMAT_VERSION: u64 = 1;

/// The `prev` value of the first entry: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ledger entry. Its line is the RFC 8785 canonical JSON of this struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The kind-specific content.
    pub body: Value,
    /// The entry kind, e.g. `case.open`, `seal`.
    pub kind: String,
    /// The key id of the signer (see `keys::key_id`).
    pub key: String,
    /// The ledger format version, [`FORMAT_VERSION`].
    pub format: u64,
    /// Lower-case hex SHA-256 of the previous line's bytes (without its newline), or
    /// [`GENESIS_PREV`] for entry 0.
    pub prev: String,
    /// The sequence number, 0 for the first line.
    pub seq: u64,
    /// Base64 of the 64-byte Ed25519 signature over [`Entry::signed_bytes`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sig: String,
    /// UTC time of the entry, RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
}

/// Why a line is not a valid entry (before any chain or key check).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Not canonical JSON.
    #[error("{0}")]
    Canonical(CanonicalError),
    /// A field is missing, of the wrong type, or has a bad value.
    #[error("bad entry structure: {0}")]
    Structure(String),
}

impl Entry {
    /// The bytes that are signed: the canonical JSON of the entry without its `sig` field.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.sig.clear();
        to_canonical_of(&unsigned).expect("entries hold only canonical-safe values")
    }

    /// Signs the entry, filling `sig`.
    pub fn sign(&mut self, key: &SigningKey) {
        self.sig.clear();
        self.sig = b64(&key.sign(&self.signed_bytes()).to_bytes());
    }

    /// Whether `sig` is a valid signature by `public`.
    pub fn signature_valid(&self, public: &VerifyingKey) -> bool {
        let Some(raw) = unb64(&self.sig) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&raw) else {
            return false;
        };
        public.verify_strict(&self.signed_bytes(), &sig).is_ok()
    }

    /// The line: canonical JSON of the signed entry (no newline).
    pub fn line(&self) -> Result<Vec<u8>, EntryError> {
        to_canonical_of(self).map_err(EntryError::Canonical)
    }

    /// Parses one line (without its newline), requiring canonical form and well-formed fields.
    pub fn parse_line(line: &[u8]) -> Result<Entry, EntryError> {
        let value = parse_canonical(line).map_err(EntryError::Canonical)?;
        let entry: Entry =
            serde_json::from_value(value).map_err(|e| EntryError::Structure(e.to_string()))?;
        if entry.format != FORMAT_VERSION {
            return Err(EntryError::Structure(format!(
                "format version {} is not {} (this scelle reads format {})",
                entry.format, FORMAT_VERSION, FORMAT_VERSION
            )));
        }
        if unhex::<32>(&entry.prev).is_none() {
            return Err(EntryError::Structure(
                "prev is not 64 lower-case hex digits".into(),
            ));
        }
        if entry.key.len() != 16 || unhex::<8>(&entry.key).is_none() {
            return Err(EntryError::Structure(
                "key is not 16 lower-case hex digits".into(),
            ));
        }
        if unb64(&entry.sig).map(|s| s.len()) != Some(64) {
            return Err(EntryError::Structure(
                "sig is not 64 bytes of base64".into(),
            ));
        }
        if crate::format::time::parse_utc(&entry.time).is_none() {
            return Err(EntryError::Structure(format!(
                "time {:?} is not RFC 3339 UTC of the form YYYY-MM-DDTHH:MM:SSZ",
                entry.time
            )));
        }
        if !entry.body.is_object() {
            return Err(EntryError::Structure("body is not an object".into()));
        }
        Ok(entry)
    }
}

/// Lower-case hex SHA-256 of a line's bytes, the next entry's `prev`.
pub fn line_hash(line: &[u8]) -> String {
    hex(&Sha256::digest(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(key: &SigningKey) -> Entry {
        let mut e = Entry {
            body: serde_json::json!({"note": "é \"quoted\""}),
            kind: "note".into(),
            key: crate::format::keys::key_id(&key.verifying_key()),
            format: FORMAT_VERSION,
            prev: GENESIS_PREV.into(),
            seq: 0,
            sig: String::new(),
            time: "2026-11-23T06:30:00Z".into(),
        };
        e.sign(key);
        e
    }

    #[test]
    fn line_round_trips_and_signature_verifies() {
        let key = SigningKey::from_bytes(&[1u8; 32]);
        let e = sample(&key);
        let line = e.line().unwrap();
        assert!(line.starts_with(b"{\"body\":"));
        let back = Entry::parse_line(&line).unwrap();
        assert_eq!(back, e);
        assert!(back.signature_valid(&key.verifying_key()));
        let other = SigningKey::from_bytes(&[2u8; 32]);
        assert!(!back.signature_valid(&other.verifying_key()));
        // The signed bytes are the line without the sig member.
        let signed = String::from_utf8(e.signed_bytes()).unwrap();
        assert!(!signed.contains("\"sig\""));
        assert!(signed.ends_with(",\"seq\":0,\"time\":\"2026-11-23T06:30:00Z\"}"));
    }

    #[test]
    fn rejects_extra_fields_and_bad_values() {
        let key = SigningKey::from_bytes(&[1u8; 32]);
        let line = String::from_utf8(sample(&key).line().unwrap()).unwrap();
        let extra = line.replacen("{\"body\"", "{\"aaa\":1,\"body\"", 1);
        assert!(Entry::parse_line(extra.as_bytes()).is_err());
        let bad_time = line.replace("2026-11-23T06:30:00Z", "2026-11-23T06:30:00+01:00");
        assert!(Entry::parse_line(bad_time.as_bytes()).is_err());
        let spaced = line.replacen(':', ": ", 1);
        assert!(Entry::parse_line(spaced.as_bytes()).is_err());
    }
}
