//! Ledger entries: the envelope every line of the ledger carries, its canonical bytes, its
//! Ed25519 signature, and strict parsing of a line.

use super::body::Body;
use super::canonical::{
    parse_canonical, to_canonical_of, write_canonical_of, write_canonical_str, CanonicalError,
};
use super::encoding::{b64, hex, unb64, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The ledger format version written in every entry's `format` field.
pub const FORMAT_VERSION: u64 = 1;

/// The maximum length of a ledger line in bytes, without its newline (FORMAT.md 4.1): 64 MiB.
/// A writer refuses to write a longer line; a verifier reports a longer line (`line-too-long`)
/// without parsing it and without holding more than this many bytes of it. A seal member takes
/// about 260 bytes (SHA-256 only, a 110-byte path) to 505 (all four digests): a directory or
/// tar of up to about 250,000 (130,000) members fits.
pub const MAX_LINE: usize = 64 << 20;

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

/// An entry's members other than `body`, borrowed: what the chain rules check besides the body,
/// whether the entry was parsed from a line or is being built by the append path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The entry kind.
    pub kind: &'a str,
    /// The signer's key id.
    pub key: &'a str,
    /// The ledger format version.
    pub format: u64,
    /// The previous line's hash.
    pub prev: &'a str,
    /// The sequence number.
    pub seq: u64,
    /// The signature, base64 (empty before signing).
    pub sig: &'a str,
    /// The time.
    pub time: &'a str,
}

impl Envelope<'_> {
    /// The value rules of the envelope (chain rule 1, after canonical form and member types):
    /// format version, `prev`, `key`, `sig` and `time` of the right form.
    pub fn check(&self) -> Result<(), EntryError> {
        if self.format != FORMAT_VERSION {
            return Err(EntryError::Structure(format!(
                "format version {} is not {} (this scelle reads format {})",
                self.format, FORMAT_VERSION, FORMAT_VERSION
            )));
        }
        if unhex::<32>(self.prev).is_none() {
            return Err(EntryError::Structure(
                "prev is not 64 lower-case hex digits".into(),
            ));
        }
        if self.key.len() != 16 || unhex::<8>(self.key).is_none() {
            return Err(EntryError::Structure(
                "key is not 16 lower-case hex digits".into(),
            ));
        }
        if unb64(self.sig).map(|s| s.len()) != Some(64) {
            return Err(EntryError::Structure(
                "sig is not 64 bytes of base64".into(),
            ));
        }
        if crate::format::time::parse_utc(self.time).is_none() {
            return Err(EntryError::Structure(format!(
                "time {:?} is not RFC 3339 UTC of the form YYYY-MM-DDTHH:MM:SSZ",
                self.time
            )));
        }
        Ok(())
    }
}

/// An entry without its `sig` member, with any body: what is signed. Its members are declared
/// in canonical order, so the canonical writer writes them straight, the body first.
#[derive(Serialize)]
struct Unsigned<'a, B: ?Sized> {
    body: &'a B,
    format: u64,
    key: &'a str,
    kind: &'a str,
    prev: &'a str,
    seq: u64,
    time: &'a str,
}

/// The bytes an entry's signature covers (FORMAT.md 5.2): the canonical JSON of the entry
/// without its `sig` member, for an envelope and any body (a `Value` or a typed body: the same
/// bytes for the same JSON), written without copying the body.
pub fn signed_bytes_of<B: Serialize + ?Sized>(
    body: &B,
    env: &Envelope<'_>,
) -> Result<Vec<u8>, CanonicalError> {
    let unsigned = Unsigned {
        body,
        format: env.format,
        key: env.key,
        kind: env.kind,
        prev: env.prev,
        seq: env.seq,
        time: env.time,
    };
    let mut out = Vec::new();
    write_canonical_of(&unsigned, &mut out)?;
    Ok(out)
}

/// Turns the signed bytes of an entry (from [`signed_bytes_of`], whose last member is `time`)
/// into its line, by inserting the `sig` member in place. Canonical form sorts members, and
/// `sig` sorts between `seq` and `time`, so the line is the signed bytes with `,"sig":"…"`
/// before `,"time":…` (FORMAT.md 5.2 read backwards).
pub fn line_from_signed(mut signed: Vec<u8>, sig: &str, time: &str) -> Vec<u8> {
    let (at, member) =
        sig_member_at(&signed, sig, time).expect("signed bytes end with the time member");
    signed.splice(at..at, member);
    signed
}

/// Where [`line_from_signed`] inserts the `sig` member into `signed`, and that member's bytes;
/// `None` if `signed` does not end with the member `time`.
fn sig_member_at(signed: &[u8], sig: &str, time: &str) -> Option<(usize, Vec<u8>)> {
    let mut tail = b",\"time\":".to_vec();
    write_canonical_str(time, &mut tail);
    tail.push(b'}');
    if !signed.ends_with(&tail) {
        return None;
    }
    let mut member = b",\"sig\":".to_vec();
    write_canonical_str(sig, &mut member);
    Some((signed.len() - tail.len(), member))
}

/// Whether `line` is `line_from_signed(signed, sig, time)`, compared in place (no copy).
fn is_line_from_signed(line: &[u8], signed: &[u8], sig: &str, time: &str) -> bool {
    let Some((at, member)) = sig_member_at(signed, sig, time) else {
        return false;
    };
    let end = at + member.len();
    line.len() == signed.len() + member.len()
        && line[..at] == signed[..at]
        && line[at..end] == member[..]
        && line[end..] == signed[at..]
}

/// An entry's members other than `body`, owned: what is kept of a parsed line besides its
/// typed body (the line's JSON body is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The entry kind.
    pub kind: String,
    /// The signer's key id.
    pub key: String,
    /// The ledger format version.
    pub format: u64,
    /// The previous line's hash.
    pub prev: String,
    /// The sequence number.
    pub seq: u64,
    /// The signature, base64.
    pub sig: String,
    /// The time.
    pub time: String,
}

impl Head {
    /// Its members, borrowed.
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            kind: &self.kind,
            key: &self.key,
            format: self.format,
            prev: &self.prev,
            seq: self.seq,
            sig: &self.sig,
            time: &self.time,
        }
    }
}

impl From<Entry> for Head {
    fn from(e: Entry) -> Head {
        Head {
            kind: e.kind,
            key: e.key,
            format: e.format,
            prev: e.prev,
            seq: e.seq,
            sig: e.sig,
            time: e.time,
        }
    }
}

/// A line as JSON, its body left as text (borrowed from the line, not parsed).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineParts<'a> {
    #[serde(borrow)]
    body: &'a RawValue,
    kind: String,
    key: String,
    format: u64,
    prev: String,
    seq: u64,
    #[serde(default)]
    sig: String,
    time: String,
}

/// A line parsed straight into its typed form, without a [`Value`] of it: the envelope, the
/// typed body, and the signed bytes (FORMAT.md 5.2).
#[derive(Debug)]
pub struct TypedLine {
    /// The members other than `body`.
    pub head: Head,
    /// The typed body.
    pub body: Body,
    /// The bytes the signature covers, written from the typed entry.
    pub signed: Vec<u8>,
}

impl TypedLine {
    /// Parses a line (without its newline) straight into its typed form: the envelope, the
    /// body parsed from its text by its kind's type, then the typed entry written back by the
    /// canonical writer, which must give the line byte for byte. So the line is canonical,
    /// its envelope well formed and its body exactly the typed body's representation: what
    /// [`Entry::parse_line`], [`Body::parse`] and [`validate`](super::validate::validate)
    /// accept, and nothing else. `None` on any difference, where those (through a `Value`)
    /// say what is wrong. A seal of 100,000 members is held once as typed members, plus the
    /// signed bytes, instead of as a `Value` (several times the size of the line).
    pub fn parse(line: &[u8]) -> Option<TypedLine> {
        let parts: LineParts<'_> = serde_json::from_slice(line).ok()?;
        let head = Head {
            kind: parts.kind,
            key: parts.key,
            format: parts.format,
            prev: parts.prev,
            seq: parts.seq,
            sig: parts.sig,
            time: parts.time,
        };
        let env = head.envelope();
        env.check().ok()?;
        let body = Body::parse_json(&head.kind, parts.body.get()).ok()?;
        let unsigned = Unsigned {
            body: &body,
            format: env.format,
            key: env.key,
            kind: env.kind,
            prev: env.prev,
            seq: env.seq,
            time: env.time,
        };
        let mut signed = Vec::with_capacity(line.len());
        write_canonical_of(&unsigned, &mut signed).ok()?;
        if !is_line_from_signed(line, &signed, env.sig, env.time) {
            return None;
        }
        Some(TypedLine { head, body, signed })
    }

    /// Parses a line into its envelope and typed body: [`TypedLine::parse`], or where it
    /// refuses the line, [`Entry::parse_line`] and [`Body::parse`] (the body's error is
    /// `Ok(Err(…))`). The same answer as those two, without a `Value` of a valid line.
    pub fn parse_or_explain(
        line: &[u8],
    ) -> Result<(Head, Result<Body, super::errors::BodyError>), EntryError> {
        if let Some(t) = TypedLine::parse(line) {
            return Ok((t.head, Ok(t.body)));
        }
        let e = Entry::parse_line(line)?;
        let body = Body::parse(&e.kind, &e.body);
        Ok((Head::from(e), body))
    }
}

/// Whether `sig` (base64) is a valid signature by `public` of `message`, strictly verified.
pub fn signature_valid_over(message: &[u8], sig: &str, public: &VerifyingKey) -> bool {
    let Some(raw) = unb64(sig) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&raw) else {
        return false;
    };
    public.verify_strict(message, &sig).is_ok()
}

impl Entry {
    /// Its members other than `body`.
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            kind: &self.kind,
            key: &self.key,
            format: self.format,
            prev: &self.prev,
            seq: self.seq,
            sig: &self.sig,
            time: &self.time,
        }
    }

    /// The bytes that are signed: the canonical JSON of the entry without its `sig` field.
    pub fn signed_bytes(&self) -> Vec<u8> {
        signed_bytes_of(&self.body, &self.envelope())
            .expect("entries hold only canonical-safe values")
    }

    /// Signs the entry, filling `sig`.
    pub fn sign(&mut self, key: &SigningKey) {
        self.sig.clear();
        self.sig = b64(&key.sign(&self.signed_bytes()).to_bytes());
    }

    /// Whether `sig` is a valid signature by `public`.
    pub fn signature_valid(&self, public: &VerifyingKey) -> bool {
        // Decode the signature first: a malformed one costs no serialisation.
        if unb64(&self.sig).map(|s| s.len()) != Some(64) {
            return false;
        }
        signature_valid_over(&self.signed_bytes(), &self.sig, public)
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
        entry.envelope().check()?;
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

    /// The signed bytes and line as computed before: through a clone and a `Value`.
    fn old_signed_and_line(e: &Entry) -> (Vec<u8>, Vec<u8>) {
        use crate::format::canonical::to_canonical;
        let mut unsigned = e.clone();
        unsigned.sig.clear();
        let signed = to_canonical(&serde_json::to_value(&unsigned).unwrap()).unwrap();
        let line = to_canonical(&serde_json::to_value(e).unwrap()).unwrap();
        (signed, line)
    }

    #[test]
    fn signed_bytes_and_lines_are_those_of_the_value_path() {
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let bodies = [
            serde_json::json!({}),
            serde_json::json!({"note": "é \"quoted\" \\ \u{1}\n\u{7f} 😀", "exhibit": "E-0001"}),
            serde_json::json!({"z": [1, -2, {"\u{fb01}": null, "\u{1f600}": true}], "a": {"b": "c"}}),
            serde_json::json!({"sig": "inner members named sig stay", "time": "x", "seq": 3}),
        ];
        for (i, body) in bodies.into_iter().enumerate() {
            let mut e = Entry {
                body,
                kind: ["note", "seal", "accept", "k\"ind"][i].into(),
                key: crate::format::keys::key_id(&key.verifying_key()),
                format: FORMAT_VERSION,
                prev: line_hash(&[i as u8]),
                seq: [0, 1, 9_007_199_254_740_991, 42][i],
                sig: String::new(),
                time: "2026-11-23T06:30:00Z".into(),
            };
            e.sign(&key);
            let (signed, line) = old_signed_and_line(&e);
            assert_eq!(e.signed_bytes(), signed);
            assert_eq!(e.line().unwrap(), line);
            // The line is the signed bytes with the sig member inserted.
            assert_eq!(line_from_signed(signed.clone(), &e.sig, &e.time), line);
            // A typed body gives the same signed bytes as its Value.
            #[derive(Serialize)]
            struct Typed<'a>(&'a Value);
            assert_eq!(
                signed_bytes_of(&Typed(&e.body), &e.envelope()).unwrap(),
                signed
            );
            assert!(e.signature_valid(&key.verifying_key()));
            assert!(signature_valid_over(&signed, &e.sig, &key.verifying_key()));
            assert!(!signature_valid_over(&line, &e.sig, &key.verifying_key()));
            assert!(!signature_valid_over(&signed, "AAAA", &key.verifying_key()));
        }
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
