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

/// A ledger line (without its newline) shared by the bodies parsed from it, which leave a
/// seal's members in it ([`TypedLine::parse_shared`]).
pub type SharedLine = std::sync::Arc<Vec<u8>>;

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

/// Whether `line` is `line_from_signed(signed, sig, time)`, compared in place (no copy): the
/// range of `line` its `sig` member takes, or `None`.
fn sig_member_in(
    line: &[u8],
    signed: &[u8],
    sig: &str,
    time: &str,
) -> Option<std::ops::Range<usize>> {
    let (at, member) = sig_member_at(signed, sig, time)?;
    let end = at + member.len();
    let same = line.len() == signed.len() + member.len()
        && line[..at] == signed[..at]
        && line[at..end] == member[..]
        && line[end..] == signed[at..];
    same.then_some(at..end)
}

/// Whether `line` is the line whose signed bytes are `skeleton` with each member array at
/// `in_line` (ranges of `line`, in order) written `[]`: the skeleton, those arrays put back
/// in place, and the `sig` member inserted ([`line_from_signed`]), compared in place. The
/// range of `line` the `sig` member takes, or `None`.
fn line_from_skeleton(
    line: &[u8],
    skeleton: &[u8],
    in_line: &[std::ops::Range<usize>],
    sig: &str,
    time: &str,
) -> Option<std::ops::Range<usize>> {
    // `l` in the line and `k` in the skeleton: where the bytes still to compare start.
    let (mut l, mut k) = (0usize, 0usize);
    for r in in_line {
        let n = r.start.checked_sub(l)?;
        if line.get(l..r.start)? != skeleton.get(k..k + n)?
            || skeleton.get(k + n..k + n + 2)? != b"[]"
        {
            return None;
        }
        l = r.end;
        k += n + 2;
    }
    let member = sig_member_in(line.get(l..)?, skeleton.get(k..)?, sig, time)?;
    Some(l + member.start..l + member.end)
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

/// A line parsed straight into its typed form, without a [`Value`] of it: the envelope and
/// the typed body, and where the `sig` member is (the signature covers the line without it,
/// FORMAT.md 5.2).
#[derive(Debug)]
pub struct TypedLine {
    /// The members other than `body`.
    pub head: Head,
    /// The typed body.
    pub body: Body,
    /// The bytes of the line the `sig` member takes (with its leading comma).
    sig_member: std::ops::Range<usize>,
}

impl TypedLine {
    /// Parses a line (without its newline) straight into its typed form: the envelope, the
    /// body parsed from its text by its kind's type, then the typed entry written back by the
    /// canonical writer, which must give the line byte for byte. So the line is canonical,
    /// its envelope well formed and its body exactly the typed body's representation: what
    /// [`Entry::parse_line`], [`Body::parse`] and [`validate`](super::validate::validate)
    /// accept, and nothing else. `None` on any difference, where those (through a `Value`)
    /// say what is wrong. A seal's members are held as typed members.
    pub fn parse(line: &[u8]) -> Option<TypedLine> {
        TypedLine::parse_in(line, None)
    }

    /// [`TypedLine::parse`], leaving a seal's members in the line (shared, not copied), each
    /// checked to be its canonical JSON ([`Members`](super::members::Members)): the line
    /// is written back without them, and compared with them put back in place. So a seal of
    /// 200,000 members is held once, as its line, rather than as typed members too.
    pub fn parse_shared(line: &SharedLine) -> Option<TypedLine> {
        TypedLine::parse_in(line, Some(line))
    }

    fn parse_in(line: &[u8], shared: Option<&SharedLine>) -> Option<TypedLine> {
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
        let (body, in_line) = match shared {
            Some(shared) => {
                let (body, ranges) = super::members::parse_in_line(shared, || {
                    Body::parse_json(&head.kind, parts.body.get())
                });
                (body.ok()?, ranges)
            }
            None => (
                Body::parse_json(&head.kind, parts.body.get()).ok()?,
                Vec::new(),
            ),
        };
        let unsigned = Unsigned {
            body: &body,
            format: env.format,
            key: env.key,
            kind: env.kind,
            prev: env.prev,
            seq: env.seq,
            time: env.time,
        };
        // The signed bytes, with each member array left in the line written as `[]`.
        let mut skeleton = Vec::with_capacity(if in_line.is_empty() { line.len() } else { 4096 });
        super::members::skeleton(|| write_canonical_of(&unsigned, &mut skeleton)).ok()?;
        let sig_member = line_from_skeleton(line, &skeleton, &in_line, env.sig, env.time)?;
        Some(TypedLine {
            head,
            body,
            sig_member,
        })
    }

    /// The bytes the signature covers, in place in `line` (the line parsed): the line before
    /// its `sig` member and after it.
    pub fn signed_parts<'l>(&self, line: &'l [u8]) -> (&'l [u8], &'l [u8]) {
        match (
            line.get(..self.sig_member.start),
            line.get(self.sig_member.end..),
        ) {
            (Some(before), Some(after)) => (before, after),
            // Not the line parsed: a message no signature of this line covers.
            _ => (line, b"\0"),
        }
    }

    /// Whether the signature verifies with `public` (strictly) over `line` (the line parsed)
    /// without its `sig` member: the signed bytes, read in place.
    pub fn signature_valid(&self, line: &[u8], public: &VerifyingKey) -> bool {
        let (before, after) = self.signed_parts(line);
        signature_valid_over_parts(&[before, after], &self.head.sig, public)
    }

    /// [`TypedLine::parse_or_explain`] of a shared line: a seal's members are left in it
    /// ([`TypedLine::parse_shared`]).
    pub fn parse_shared_or_explain(
        line: &SharedLine,
    ) -> Result<(Head, Result<Body, super::errors::BodyError>), EntryError> {
        if let Some(t) = TypedLine::parse_shared(line) {
            return Ok((t.head, Ok(t.body)));
        }
        TypedLine::parse_or_explain(line)
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

/// Whether `sig` (base64) is a valid signature by `public` of the message made of `parts`
/// one after the other, checked as [`signature_valid_over`] checks it (`verify_strict`):
/// the same answer, without joining the parts. Ed25519 hashes the message once, so it is
/// fed to the hash part by part; the strict checks come first: `s` below the group order (as
/// the signature is decoded), and neither `R` nor the public key of small order.
pub fn signature_valid_over_parts(parts: &[&[u8]], sig: &str, public: &VerifyingKey) -> bool {
    let Some(raw) = unb64(sig) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&raw) else {
        return false;
    };
    if public.is_weak() {
        return false;
    }
    let r = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes());
    match r.decompress() {
        Some(point) if !point.is_small_order() => {}
        _ => return false,
    }
    let Ok(mut stream) = public.verify_stream(&sig) else {
        return false;
    };
    for p in parts {
        stream.update(p);
    }
    stream.finalize_and_verify().is_ok()
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
        signed_entry(key, "note", serde_json::json!({"note": "é \"quoted\""}))
    }

    /// Entry 0 of kind `kind` with `body`, signed by `key`.
    fn signed_entry(key: &SigningKey, kind: &str, body: Value) -> Entry {
        let mut e = Entry {
            body,
            kind: kind.into(),
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

    /// The signature checked over parts gives `verify_strict`'s answer: for messages split
    /// anywhere, for a wrong message or key, and for the signatures only the strict check
    /// refuses (a small-order public key or `R`), which plain Ed25519 verification accepts.
    #[test]
    fn a_signature_over_parts_is_checked_as_strictly_as_over_the_whole() {
        use ed25519_dalek::hazmat::ExpandedSecretKey;
        use ed25519_dalek::Verifier;
        use sha2::Sha512;
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let public = key.verifying_key();
        let message: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let sig = b64(&key.sign(&message).to_bytes());
        for cut in [0, 1, 63, 64, 1500, 2999, 3000] {
            let (a, b) = message.split_at(cut);
            assert!(signature_valid_over_parts(&[a, b], &sig, &public), "{cut}");
            assert!(signature_valid_over_parts(&[a, &[], b], &sig, &public));
        }
        assert!(signature_valid_over(&message, &sig, &public));
        let mut other = message.clone();
        other[1234] ^= 1;
        let (a, b) = other.split_at(100);
        assert!(!signature_valid_over_parts(&[a, b], &sig, &public));
        let stranger = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert!(!signature_valid_over_parts(&[&message], &sig, &stranger));
        assert!(!signature_valid_over_parts(
            &[&message],
            "not base64!",
            &public
        ));

        // R the identity (small order), S = k·a: the equation holds, so plain verification
        // accepts; the strict check refuses, and so must the check over parts.
        let identity = {
            let mut r = [0u8; 32];
            r[0] = 1;
            r
        };
        let a = ExpandedSecretKey::from(&[9u8; 32]).scalar;
        let mut h = Sha512::new();
        h.update(identity);
        h.update(public.as_bytes());
        h.update(&message);
        let k = curve25519_dalek::Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&identity);
        forged[32..].copy_from_slice((k * a).as_bytes());
        let forged_sig = Signature::from_bytes(&forged);
        assert!(
            public.verify(&message, &forged_sig).is_ok(),
            "the equation holds"
        );
        assert!(public.verify_strict(&message, &forged_sig).is_err());
        let forged = b64(&forged);
        assert!(!signature_valid_over(&message, &forged, &public));
        assert!(!signature_valid_over_parts(&[&message], &forged, &public));

        // The identity as public key and as R, S = 0: any message "verifies" plainly.
        let weak = VerifyingKey::from_bytes(&identity).unwrap();
        let mut trivial = [0u8; 64];
        trivial[..32].copy_from_slice(&identity);
        let trivial_sig = Signature::from_bytes(&trivial);
        assert!(weak.verify(&message, &trivial_sig).is_ok());
        let trivial = b64(&trivial);
        assert!(!signature_valid_over(&message, &trivial, &weak));
        assert!(!signature_valid_over_parts(&[&message], &trivial, &weak));
    }

    /// A line parsed with its members left in it gives the entry, body and signed bytes the
    /// line parsed with its members held gives; a line whose members are not canonical is
    /// refused both ways.
    #[test]
    fn a_line_parsed_with_members_in_it_is_the_line_parsed_with_members_held() {
        use crate::format::body::{Artifact, Hashes, Member, Seal, Software};
        let key = SigningKey::from_bytes(&[1u8; 32]);
        let members: Vec<Member> = (0..50)
            .map(|i| Member {
                path: format!("d/ü{i:03}"),
                kind: "file".into(),
                size: Some(i),
                hashes: Some(Hashes {
                    sha256: format!("{i:064x}"),
                    ..Hashes::default()
                }),
                link: None,
                mtime: Some(i),
            })
            .collect();
        let seal = Body::Seal(Box::new(Seal {
            exhibit: "E-0001".into(),
            seal_no: Some("PV-1".into()),
            description: None,
            item: None,
            acquisition: None,
            artifact: Artifact {
                kind: "tar".into(),
                path_given: "x.tar".into(),
                path_resolved: "/x.tar".into(),
                size: 1,
                hashes: Hashes {
                    sha256: "ab".repeat(32),
                    ..Hashes::default()
                },
                compression: None,
                manifest_sha256: Some(crate::format::validate::manifest_sha256(&members)),
                file_count: Some(50),
                members: Some(members.into()),
                member_file: None,
                ewf: None,
            },
            hashed_by: Software {
                name: "scelle".into(),
                version: "0".into(),
            },
        }));
        let e = signed_entry(&key, "seal", serde_json::to_value(&seal).unwrap());
        let line = e.line().unwrap();
        let held = TypedLine::parse(&line).unwrap();
        let shared_line = std::sync::Arc::new(line.clone());
        let shared = TypedLine::parse_shared(&shared_line).unwrap();
        let Body::Seal(s) = &shared.body else {
            panic!("a seal")
        };
        assert!(s.artifact.members.as_ref().unwrap().is_in_line());
        assert_eq!(shared.body, held.body);
        assert_eq!(shared.body, seal);
        assert_eq!(shared.head, held.head);
        let concat = |t: &TypedLine| {
            let (a, b) = t.signed_parts(&line);
            [a, b].concat()
        };
        assert_eq!(concat(&shared), e.signed_bytes());
        assert_eq!(concat(&held), e.signed_bytes());
        assert!(shared.signature_valid(&line, &key.verifying_key()));
        let text = String::from_utf8(line.clone()).unwrap();
        for (from, to) in [
            ("},{", "}, {"),
            ("\"size\":3,", "\"size\":3,\"link\":null,"),
            ("ü", "\\u00fc"),
            ("\"file_count\":50", "\"file_count\":50 "),
            ("\"seal_no\":\"PV-1\"", "\"seal_no\":\"PV-2\""),
        ] {
            assert!(text.contains(from), "{from}");
            let bad = text.replacen(from, to, 1).into_bytes();
            let refused = TypedLine::parse_shared(&std::sync::Arc::new(bad.clone()));
            match refused {
                None => assert!(TypedLine::parse(&bad).is_none(), "{from}"),
                // Canonical and well formed, but another message: the signature fails.
                Some(t) => assert!(!t.signature_valid(&bad, &key.verifying_key()), "{from}"),
            }
        }
    }
}
