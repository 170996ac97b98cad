//! C2SP tlog-witness (<https://c2sp.org/tlog-witness>) wire format, no I/O: the body of an
//! `add-checkpoint` request (an `old N` line, the consistency proof one base64 hash a line, an
//! empty line, the checkpoint note), the answers a witness gives (200 with cosignature lines,
//! 409 `text/x.tlog.size` with the size it holds, 400/403/404/422), the cosignature verifier
//! key of a witness (alg 0x04) and the decision a witness takes on a request (FORMAT.md 8.7).
//!
//! Parsing is strict and bounded: every line ends with a newline, sizes are canonical decimals,
//! at most [`MAX_PROOF_LINES`] proof lines, a body of at most [`MAX_REQUEST_BODY`] bytes.

use super::cosign::cosign;
use super::encoding::{b64, hex, unb64};
use super::merkle::{verify_consistency, Hash};
use super::note::{
    note_key_id, note_key_id_alg, valid_key_name, Checkpoint, Note, NoteSignature,
    ALG_COSIGNATURE_V1,
};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// The most consistency proof lines a request may carry (the spec's limit: 63).
pub const MAX_PROOF_LINES: usize = 63;
/// The largest request body a witness reads, in bytes (a checkpoint with its signatures and a
/// proof of 63 hashes is under 8 KiB).
pub const MAX_REQUEST_BODY: usize = 64 * 1024;
/// The largest response body a client reads, in bytes.
pub const MAX_RESPONSE_BODY: usize = 64 * 1024;
/// The media type of a 409 answer: the witness's known tree size in decimal and a newline.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// Why a request or answer body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed tlog-witness message: {0}")]
pub struct WireError(pub &'static str);

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the previous checkpoint the client believes the witness cosigned.
    pub old: u64,
    /// The RFC 6962 consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint note, exactly as sent (text, blank line, signature lines).
    pub note: String,
}

/// Parses a canonical decimal (no sign, no leading zero unless it is `0`).
fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

impl AddCheckpoint {
    /// The request body.
    pub fn encode(&self) -> String {
        let mut s = format!("old {}\n", self.old);
        for h in &self.proof {
            s.push_str(&b64(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.note);
        s
    }

    /// Parses a request body.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, WireError> {
        if body.len() > MAX_REQUEST_BODY {
            return Err(WireError("request body too large"));
        }
        let s = std::str::from_utf8(body).map_err(|_| WireError("body is not UTF-8"))?;
        let (first, mut rest) = s.split_once('\n').ok_or(WireError("no old size line"))?;
        let old = first
            .strip_prefix("old ")
            .and_then(decimal)
            .ok_or(WireError(
                "the first line must be `old N` (N canonical decimal)",
            ))?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = rest
                .split_once('\n')
                .ok_or(WireError("no empty line before the checkpoint"))?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(WireError("more than 63 consistency proof lines"));
            }
            let h: Hash = unb64(line)
                .and_then(|v| v.try_into().ok())
                .ok_or(WireError("a proof line is not 32 bytes of base64"))?;
            proof.push(h);
        }
        if old == 0 && !proof.is_empty() {
            return Err(WireError("a proof from old size 0 must be empty"));
        }
        if rest.is_empty() {
            return Err(WireError("no checkpoint after the empty line"));
        }
        Ok(AddCheckpoint {
            old,
            proof,
            note: rest.to_string(),
        })
    }
}

/// The body of a 409 answer: the size and a newline.
pub fn encode_size(size: u64) -> String {
    format!("{size}\n")
}

/// Parses the body of a 409 answer.
pub fn parse_size(body: &[u8]) -> Result<u64, WireError> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|s| s.strip_suffix('\n'))
        .and_then(decimal)
        .ok_or(WireError(
            "a 409 body must be a canonical decimal size and a newline",
        ))
}

/// Parses the body of a 200 answer: one or more note signature lines (`— NAME BASE64\n`).
pub fn parse_cosignatures(body: &[u8]) -> Result<Vec<NoteSignature>, WireError> {
    if body.len() > MAX_RESPONSE_BODY {
        return Err(WireError("response body too large"));
    }
    let s = std::str::from_utf8(body).map_err(|_| WireError("body is not UTF-8"))?;
    if s.is_empty() || !s.ends_with('\n') || s.contains("\n\n") {
        return Err(WireError(
            "a 200 body must be signature lines, each ending with a newline",
        ));
    }
    // A note's signature lines parse alone after a one-line text.
    Note::parse(&format!("x\n\n{s}"))
        .map(|n| n.signatures)
        .map_err(|_| WireError("a line of the 200 body is not a note signature line"))
}

/// A witness's cosignature verifier key: `name+hex(cosignature key id)+base64(0x04 ‖ key)`.
pub fn cosignature_vkey(name: &str, public: &VerifyingKey) -> String {
    let mut raw = vec![ALG_COSIGNATURE_V1];
    raw.extend_from_slice(public.as_bytes());
    format!(
        "{name}+{}+{}",
        hex(&note_key_id_alg(name, public, ALG_COSIGNATURE_V1)),
        b64(&raw)
    )
}

/// Parses a cosignature verifier key (alg 0x04), checking its key id against its name and key.
pub fn parse_cosignature_vkey(s: &str) -> Option<(String, VerifyingKey)> {
    let mut parts = s.splitn(3, '+');
    let (name, id, key) = (parts.next()?, parts.next()?, parts.next()?);
    let raw = unb64(key)?;
    if raw.len() != 33 || raw[0] != ALG_COSIGNATURE_V1 || !valid_key_name(name) {
        return None;
    }
    let public = VerifyingKey::from_bytes(raw[1..].try_into().ok()?).ok()?;
    (hex(&note_key_id_alg(name, &public, ALG_COSIGNATURE_V1)) == id)
        .then(|| (name.to_string(), public))
}

/// What a witness answers: an HTTP status, a content type and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// Why the request was refused (for the refusal log), `None` for a 200.
    pub refused: Option<String>,
}

impl Answer {
    fn refuse(status: u16, why: impl Into<String>) -> Answer {
        let why = why.into();
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{why}\n"),
            refused: Some(why),
        }
    }

    fn conflict(known: u64, why: String) -> Answer {
        Answer {
            status: 409,
            content_type: SIZE_CONTENT_TYPE,
            body: encode_size(known),
            refused: Some(why),
        }
    }
}

/// A request checked up to the witness's state: its parsed parts.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The request.
    pub request: AddCheckpoint,
    /// Its note.
    pub note: Note,
    /// Its checkpoint.
    pub checkpoint: Checkpoint,
    /// The signature lines by the witness's log keys that verify.
    pub log_signatures: Vec<NoteSignature>,
}

/// The checks that need no state (in the spec's order): the body parses (400), a signature by
/// one of `logs` (name, public key; alg 0x01) verifies (403), `old` ≤ size (400).
pub fn check_request(body: &[u8], logs: &[(String, VerifyingKey)]) -> Result<Checked, Answer> {
    let request = AddCheckpoint::parse(body).map_err(|e| Answer::refuse(400, e.to_string()))?;
    let note = Note::parse(&request.note).map_err(|e| Answer::refuse(400, e.to_string()))?;
    let checkpoint =
        Checkpoint::parse_text(&note.text).map_err(|e| Answer::refuse(400, e.to_string()))?;
    let log_signatures: Vec<NoteSignature> = note
        .signatures
        .iter()
        .filter(|s| {
            logs.iter().any(|(name, pk)| {
                s.name == *name
                    && s.key_id == note_key_id(name, pk)
                    && s.verifies(&note.text, name, pk)
            })
        })
        .cloned()
        .collect();
    if log_signatures.is_empty() {
        return Err(Answer::refuse(
            403,
            "no signature by a log key this witness trusts verifies",
        ));
    }
    if request.old > checkpoint.size {
        return Err(Answer::refuse(400, "old size larger than the checkpoint's"));
    }
    if checkpoint.size == 0 {
        return Err(Answer::refuse(
            400,
            "a checkpoint of size 0 is not cosigned",
        ));
    }
    Ok(Checked {
        request,
        note,
        checkpoint,
        log_signatures,
    })
}

/// The decision against the checkpoint the witness last cosigned for this origin (`None`:
/// never): `Ok(the note to store, the cosignature line)` or the refusal. `stored` is trusted
/// (the witness's own file).
pub fn decide(
    c: &Checked,
    stored: Option<&Checkpoint>,
    name: &str,
    key: &SigningKey,
    now: u64,
) -> Result<(Note, NoteSignature), Answer> {
    let known = stored.map_or(0, |s| s.size);
    let (old, size) = (c.request.old, c.checkpoint.size);
    if old != known {
        return Err(Answer::conflict(
            known,
            format!("old size {old} is not the size this witness cosigned ({known})"),
        ));
    }
    if let Some(s) = stored {
        if old == size {
            if !super::merkle::ct_eq(&s.root, &c.checkpoint.root) {
                return Err(Answer::conflict(
                    known,
                    format!("another root for size {size} than the one cosigned: a fork"),
                ));
            }
        } else if verify_consistency(old, size, &s.root, &c.checkpoint.root, &c.request.proof)
            .is_err()
        {
            return Err(Answer::refuse(
                422,
                format!("the consistency proof from {old} to {size} does not verify"),
            ));
        }
    }
    let line = cosign(&c.note, name, key, now);
    let mut signatures = c.log_signatures.clone();
    signatures.push(line.clone());
    Ok((
        Note {
            text: c.note.text.clone(),
            signatures,
        },
        line,
    ))
}

/// The 200 answer: the cosignature line.
pub fn cosigned(line: &NoteSignature) -> Answer {
    Answer {
        status: 200,
        content_type: "text/plain; charset=utf-8",
        body: line.line(),
        refused: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::merkle::{consistency_proof, leaf_hash, root_of};
    use crate::format::note::verifier_key;

    /// The request body of the C2SP tlog-witness specification's example, byte for byte.
    const SPEC_REQUEST: &str = include_str!("../../tests/data/tlog-witness/request.txt");
    /// The response body of the specification's example.
    const SPEC_RESPONSE: &str = include_str!("../../tests/data/tlog-witness/response.txt");

    #[test]
    fn the_spec_example_request_parses_and_encodes_back() {
        let r = AddCheckpoint::parse(SPEC_REQUEST.as_bytes()).unwrap();
        assert_eq!(r.old, 20852014);
        assert_eq!(r.proof.len(), 4);
        assert_eq!(
            b64(&r.proof[0]),
            "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw="
        );
        let note = Note::parse(&r.note).unwrap();
        let cp = Checkpoint::parse_text(&note.text).unwrap();
        assert_eq!(cp.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.size, 20852163);
        assert_eq!(note.signatures.len(), 2);
        assert_eq!(r.encode(), SPEC_REQUEST);
    }

    #[test]
    fn the_spec_example_response_parses() {
        let sigs = parse_cosignatures(SPEC_RESPONSE.as_bytes()).unwrap();
        let names: Vec<_> = sigs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "witness.example/w1",
                "witness.example/w1",
                "witness.example/w2"
            ]
        );
        assert!(sigs.iter().all(|s| s.signature.len() == 72));
    }

    #[test]
    fn malformed_requests_are_refused() {
        let ok = "old 0\n\norigin\n1\nAAAA\n\n\u{2014} a AAAAAA==\n";
        assert!(AddCheckpoint::parse(ok.as_bytes()).is_ok());
        let h = b64(&[7u8; 32]);
        for bad in [
            "".to_string(),
            "old 01\n\nx\n".into(),
            "old -1\n\nx\n".into(),
            "old 1 \n\nx\n".into(),
            "OLD 1\n\nx\n".into(),
            "old 1\r\n\nx\n".into(),
            "old 1\nnot-base64\n\nx\n".into(),
            format!("old 1\n{}\n\nx\n", b64(&[1u8; 31])),
            format!("old 0\n{h}\n\nx\n"),
            format!("old 1\n{}\nx\n", h),
            "old 1\n\n".into(),
            format!("old 1\n{}\nx\n", format!("{h}\n").repeat(64)),
            "old 99999999999999999999\n\nx\n".into(),
        ] {
            assert!(AddCheckpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let big = vec![b'a'; MAX_REQUEST_BODY + 1];
        assert!(AddCheckpoint::parse(&big).is_err());
    }

    #[test]
    fn sizes_and_cosignature_bodies_are_strict() {
        assert_eq!(parse_size(b"42\n"), Ok(42));
        for bad in [&b"42"[..], b"042\n", b" 42\n", b"42\n\n", b"", b"4 2\n"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        for bad in [
            &b""[..],
            b"\n",
            b"hello\n",
            b"\xe2\x80\x94 a AAAAAA==",
            b"\xe2\x80\x94 a AAAAAA==\n\n",
        ] {
            assert!(parse_cosignatures(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_vkey_round_trips_and_a_wrong_id_or_alg_is_refused() {
        let k = SigningKey::from_bytes(&[9u8; 32]);
        let v = cosignature_vkey("w1", &k.verifying_key());
        assert_eq!(parse_cosignature_vkey(&v).unwrap().0, "w1");
        // The note verifier key (alg 0x01) of the same key is not a cosignature key.
        assert!(parse_cosignature_vkey(&verifier_key("w1", &k.verifying_key())).is_none());
        let other = v.replacen("w1", "w2", 1);
        assert!(parse_cosignature_vkey(&other).is_none());
    }

    fn log_note(leaves: &[Hash], origin: &str, key: &SigningKey) -> String {
        let cp = Checkpoint {
            origin: origin.into(),
            size: leaves.len() as u64,
            root: root_of(leaves),
        };
        Note::sign(&cp.text(), "log", key).unwrap().encode()
    }

    #[test]
    fn a_witness_cosigns_consistent_extensions_and_refuses_the_rest() {
        let log = SigningKey::from_bytes(&[1u8; 32]);
        let wit = SigningKey::from_bytes(&[2u8; 32]);
        let logs = vec![("log".to_string(), log.verifying_key())];
        let leaves: Vec<Hash> = (0..10u8).map(|i| leaf_hash(&[i])).collect();
        let req = |old: usize, n: usize, ls: &[Hash]| AddCheckpoint {
            old: old as u64,
            proof: if old == 0 {
                vec![]
            } else {
                consistency_proof(&ls[..n], old).unwrap()
            },
            note: log_note(&ls[..n], "o", &log),
        };
        // First contact at size 4.
        let c = check_request(req(0, 4, &leaves).encode().as_bytes(), &logs).unwrap();
        let (stored, line) = decide(&c, None, "w", &wit, 100).unwrap();
        assert!(crate::format::cosign::verify_cosignature(
            &line,
            &stored.text,
            &wit.verifying_key()
        )
        .is_some());
        let s4 = Checkpoint::parse_text(&stored.text).unwrap();
        // A consistent extension to 9.
        let c = check_request(req(4, 9, &leaves).encode().as_bytes(), &logs).unwrap();
        assert!(decide(&c, Some(&s4), "w", &wit, 100).is_ok());
        // Behind: old 0 while the witness holds 4 -> 409 with 4.
        let c = check_request(req(0, 9, &leaves).encode().as_bytes(), &logs).unwrap();
        let a = decide(&c, Some(&s4), "w", &wit, 100).unwrap_err();
        assert_eq!(
            (a.status, a.content_type, a.body.as_str()),
            (409, SIZE_CONTENT_TYPE, "4\n")
        );
        // A rewritten history: leaf 2 changed, proof from 4 fails -> 422.
        let mut forked = leaves.clone();
        forked[2] = leaf_hash(b"rewritten");
        let c = check_request(req(4, 9, &forked).encode().as_bytes(), &logs).unwrap();
        assert_eq!(
            decide(&c, Some(&s4), "w", &wit, 100).unwrap_err().status,
            422
        );
        // Same size, another root -> 409.
        let c = check_request(req(4, 4, &forked).encode().as_bytes(), &logs).unwrap();
        assert_eq!(
            decide(&c, Some(&s4), "w", &wit, 100).unwrap_err().status,
            409
        );
        // A smaller tree than old -> 400; a key the witness does not trust -> 403.
        let mut r = req(0, 3, &leaves);
        r.old = 4;
        assert_eq!(
            check_request(r.encode().as_bytes(), &logs)
                .unwrap_err()
                .status,
            400
        );
        let stranger = SigningKey::from_bytes(&[3u8; 32]);
        let r = AddCheckpoint {
            old: 0,
            proof: vec![],
            note: log_note(&leaves[..3], "o", &stranger),
        };
        assert_eq!(
            check_request(r.encode().as_bytes(), &logs)
                .unwrap_err()
                .status,
            403
        );
    }
}
