//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 signatures, and the C2SP
//! tlog-checkpoint body (<https://c2sp.org/tlog-checkpoint>) carried in them.

use super::encoding::{b64, unb64};
use super::merkle::Hash;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in C2SP signed notes.
pub const ALG_ED25519: u8 = 0x01;

/// Whether `name` is a valid note key name: non-empty, no white space, no `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The 4-byte note key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
pub fn note_key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    note_key_id_alg(name, public, ALG_ED25519)
}

/// The signature type byte of timestamped Ed25519 cosignatures (C2SP tlog-cosignature).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// The 4-byte note key ID for signature type `alg`: SHA-256(name || 0x0A || alg || key)\[:4\].
pub fn note_key_id_alg(name: &str, public: &VerifyingKey, alg: u8) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', alg]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The verifier key string `name+hex(key id)+base64(0x01 || public key)`.
pub fn verifier_key(name: &str, public: &VerifyingKey) -> String {
    let mut raw = vec![ALG_ED25519];
    raw.extend_from_slice(public.as_bytes());
    format!(
        "{}+{}+{}",
        name,
        super::encoding::hex(&note_key_id(name, public)),
        b64(&raw)
    )
}

/// Parses a verifier key string, checking that its key ID matches its name and key.
pub fn parse_verifier_key(s: &str) -> Option<(String, VerifyingKey)> {
    let mut parts = s.splitn(3, '+');
    let (name, id, key) = (parts.next()?, parts.next()?, parts.next()?);
    let raw = unb64(key)?;
    if raw.len() != 33 || raw[0] != ALG_ED25519 || !valid_key_name(name) {
        return None;
    }
    let public = VerifyingKey::from_bytes(raw[1..].try_into().ok()?).ok()?;
    (super::encoding::hex(&note_key_id(name, &public)) == id).then(|| (name.to_string(), public))
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key ID.
    pub key_id: [u8; 4],
    /// The signature bytes after the key ID (64 bytes for Ed25519).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, `— name base64(key id || signature)` with its final newline.
    pub fn line(&self) -> String {
        let mut raw = self.key_id.to_vec();
        raw.extend_from_slice(&self.signature);
        format!("\u{2014} {} {}\n", self.name, b64(&raw))
    }

    /// Whether this signature is by (`name`, `public`) and verifies over `text`.
    pub fn verifies(&self, text: &str, name: &str, public: &VerifyingKey) -> bool {
        if self.name != name || self.key_id != note_key_id(name, public) {
            return false;
        }
        let Ok(sig) = Signature::from_slice(&self.signature) else {
            return false;
        };
        public.verify_strict(text.as_bytes(), &sig).is_ok()
    }
}

/// A signed note: its text and its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending with a newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

/// Why a note could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note structure is wrong.
    #[error("malformed signed note: {0}")]
    Malformed(&'static str),
}

impl Note {
    /// Signs `text` (which must end with a newline) with `name`'s key.
    pub fn sign(text: &str, name: &str, key: &SigningKey) -> Result<Note, NoteError> {
        if !text.ends_with('\n') {
            return Err(NoteError::Malformed("text must end with a newline"));
        }
        if !valid_key_name(name) {
            return Err(NoteError::Malformed("key name has white space or '+'"));
        }
        let sig = key.sign(text.as_bytes());
        Ok(Note {
            text: text.to_string(),
            signatures: vec![NoteSignature {
                name: name.to_string(),
                key_id: note_key_id(name, &key.verifying_key()),
                signature: sig.to_bytes().to_vec(),
            }],
        })
    }

    /// Adds a signature by another key over the same text.
    pub fn add_signature(&mut self, name: &str, key: &SigningKey) {
        let sig = key.sign(self.text.as_bytes());
        self.signatures.push(NoteSignature {
            name: name.to_string(),
            key_id: note_key_id(name, &key.verifying_key()),
            signature: sig.to_bytes().to_vec(),
        });
    }

    /// The note's bytes: text, a blank line, the signature lines.
    pub fn encode(&self) -> String {
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.signatures {
            s.push_str(&sig.line());
        }
        s
    }

    /// Parses a note. The text is everything up to the last blank line; every following line
    /// must be a signature line.
    pub fn parse(s: &str) -> Result<Note, NoteError> {
        if !s.ends_with('\n') {
            return Err(NoteError::Malformed("does not end with a newline"));
        }
        let split = s
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let text = &s[..split + 1];
        let sigs = &s[split + 2..];
        if sigs.is_empty() {
            return Err(NoteError::Malformed("no signature lines"));
        }
        let mut signatures = Vec::new();
        for line in sigs.strip_suffix('\n').unwrap_or(sigs).split('\n') {
            let rest = line.strip_prefix("\u{2014} ").ok_or(NoteError::Malformed(
                "signature line does not start with '\u{2014} '",
            ))?;
            let (name, sig) = rest
                .split_once(' ')
                .ok_or(NoteError::Malformed("signature line has no key name"))?;
            if !valid_key_name(name) {
                return Err(NoteError::Malformed("invalid key name in a signature line"));
            }
            let raw = unb64(sig).ok_or(NoteError::Malformed("signature is not base64"))?;
            if raw.len() < 5 {
                return Err(NoteError::Malformed("signature too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_id: [raw[0], raw[1], raw[2], raw[3]],
                signature: raw[4..].to_vec(),
            });
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }
}

/// The body of a C2SP tlog-checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, unique to the case.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The RFC 6962 root hash.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: origin, decimal size, base64 root, each followed by a newline.
    pub fn text(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, b64(&self.root))
    }

    /// Parses a checkpoint's note text (extension lines are refused: the format has none).
    pub fn parse_text(text: &str) -> Result<Checkpoint, NoteError> {
        let body = text.strip_suffix('\n').ok_or(NoteError::Malformed(
            "checkpoint text does not end with a newline",
        ))?;
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.len() != 3 {
            return Err(NoteError::Malformed(
                "checkpoint text must have exactly three lines: origin, size, root",
            ));
        }
        if lines[0].is_empty() {
            return Err(NoteError::Malformed("empty origin"));
        }
        let size: u64 = lines[1]
            .parse()
            .ok()
            .filter(|n: &u64| n.to_string() == lines[1])
            .ok_or(NoteError::Malformed(
                "size is not a canonical decimal number",
            ))?;
        let root: Hash = unb64(lines[2])
            .and_then(|v| v.try_into().ok())
            .ok_or(NoteError::Malformed("root is not 32 bytes of base64"))?;
        Ok(Checkpoint {
            origin: lines[0].to_string(),
            size,
            root,
        })
    }
}
