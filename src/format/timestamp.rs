//! RFC 3161 trusted timestamps of checkpoints (FORMAT.md 8.6), without I/O: what is
//! timestamped (the SHA-256 of a checkpoint's note text), the DER `TimeStampReq` scelle
//! sends, and the checks a client makes on a `TimeStampResp` before keeping it (status
//! granted, a token present, a SignedData over a TSTInfo whose imprint and nonce echo the
//! request), with the facts a report prints (time, serial, policy).
//!
//! These checks do not verify the token's signature nor its certificate chain: that is
//! `format::timestamp_token` (FORMAT.md 8.6, verification). A response that passes them is
//! well-formed and answers our request; it is not yet trusted.

use der::asn1::{Int, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

/// The largest `.tsq` or `.tsr` file, and the largest HTTP response body read from a TSA.
pub const MAX_TIMESTAMP_FILE: u64 = 1 << 20;

/// id-sha256 (NIST, 2.16.840.1.101.3.4.2.1).
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-signedData (RFC 5652).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-ct-TSTInfo (RFC 3161 2.4.2).
pub const ID_CT_TSTINFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The HTTP content type of a request (RFC 3161 3.4).
pub const QUERY_CONTENT_TYPE: &str = "application/timestamp-query";
/// The HTTP content type of a response (RFC 3161 3.4).
pub const REPLY_CONTENT_TYPE: &str = "application/timestamp-reply";

/// What is timestamped for a checkpoint: SHA-256 of its note text (the three lines with
/// their newlines, exactly what its signature lines sign; cosignatures do not change it).
pub fn checkpoint_imprint(note_text: &str) -> [u8; 32] {
    Sha256::digest(note_text.as_bytes()).into()
}

/// Why a request or response is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not the DER of the expected structure.
    #[error("not a DER {what}: {detail}")]
    Format {
        /// The structure expected.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The TSA did not grant the request.
    #[error("the TSA refused the request (status {status}{text})")]
    Refused {
        /// The PKIStatus number.
        status: u8,
        /// `: ` and its statusString, if any.
        text: String,
    },
    /// Granted, but no token.
    #[error("the response grants the request but holds no token")]
    NoToken,
    /// The token is not what RFC 3161 says.
    #[error("the token is not an RFC 3161 token: {0}")]
    Token(String),
    /// The token timestamps something else.
    #[error("the token's message imprint is not SHA-256 of this checkpoint's text")]
    Imprint,
    /// The token does not echo the request's nonce.
    #[error("the token's nonce is not the request's")]
    Nonce,
    /// The request is not one scelle sends.
    #[error("not a request scelle sends: {0}")]
    Request(String),
}

fn format_err(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Format {
        what,
        detail: e.to_string(),
    }
}

/// The DER of a positive integer, as [`Int`] bytes (minimal two's complement).
fn positive_int(n: u64) -> Int {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut v = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&bytes[first..]);
    Int::new(&v).expect("a minimal positive integer")
}

/// A nonce from 64 random bits: a positive 63-bit integer (never 0).
pub fn nonce_from(random: u64) -> u64 {
    (random & (u64::MAX >> 1)).max(1)
}

/// The DER `TimeStampReq` for `digest` (FORMAT.md 8.6): version 1, messageImprint
/// {sha256 with NULL parameters, digest}, `nonce`, certReq TRUE, no policy, no extensions.
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: sha256_imprint(digest),
        req_policy: None,
        nonce: Some(positive_int(nonce)),
        cert_req: true,
        extensions: None,
    };
    req.to_der().expect("a request encodes")
}

fn sha256_imprint(digest: &[u8; 32]) -> MessageImprint {
    MessageImprint {
        hash_algorithm: cms::cert::x509::spki::AlgorithmIdentifier {
            oid: ID_SHA256,
            parameters: Some(der::Any::null()),
        },
        hashed_message: OctetString::new(digest.to_vec()).expect("32 bytes"),
    }
}

/// A request as read back from a `.tsq`: its imprint digest and its nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    /// The SHA-256 digest it asks to timestamp.
    pub digest: [u8; 32],
    /// Its nonce, as DER INTEGER content bytes.
    pub nonce: Option<Vec<u8>>,
}

/// Parses a `.tsq`: a DER `TimeStampReq` v1 of a SHA-256 imprint.
pub fn parse_request(der: &[u8]) -> Result<ParsedRequest, TimestampError> {
    let req = TimeStampReq::from_der(der).map_err(format_err("TimeStampReq"))?;
    let digest = sha256_digest(&req.message_imprint)
        .ok_or_else(|| TimestampError::Request("the imprint is not SHA-256".into()))?;
    Ok(ParsedRequest {
        digest,
        nonce: req.nonce.map(|n| n.as_bytes().to_vec()),
    })
}

/// The digest of a SHA-256 imprint (parameters absent or NULL), or `None`.
fn sha256_digest(m: &MessageImprint) -> Option<[u8; 32]> {
    let params_ok = match &m.hash_algorithm.parameters {
        None => true,
        Some(p) => p == &der::Any::null(),
    };
    if m.hash_algorithm.oid != ID_SHA256 || !params_ok {
        return None;
    }
    m.hashed_message.as_bytes().try_into().ok()
}

/// What a granted response says (its TSTInfo), for reports and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    /// genTime, RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`; fractions dropped).
    pub gen_time: String,
    /// genTime, seconds since 1970.
    pub gen_time_unix: u64,
    /// serialNumber, lowercase hex as `openssl ts -reply -text` and `verify` print it (no
    /// DER sign byte).
    pub serial: String,
    /// The TSA's policy OID.
    pub policy: String,
    /// Whether the status was grantedWithMods rather than granted.
    pub with_mods: bool,
}

/// The checks a client makes before keeping a response, and a verifier's format checks:
/// a DER `TimeStampResp` with status granted (0) or grantedWithMods (1) and a token; the
/// token a ContentInfo of SignedData whose encapsulated content is a TSTInfo v1; the
/// TSTInfo's imprint SHA-256 of `digest`; its nonce equal to `nonce` (DER INTEGER content
/// bytes) when one was sent. The token's signature and chain are NOT checked here.
pub fn check_response(
    der: &[u8],
    digest: &[u8; 32],
    nonce: Option<&[u8]>,
) -> Result<TokenFacts, TimestampError> {
    let resp = TimeStampResp::from_der(der).map_err(format_err("TimeStampResp"))?;
    let status = resp.status.status as u8;
    if status > 1 {
        let text = resp
            .status
            .status_string
            .as_ref()
            .map(|t| {
                let parts: Vec<String> = t
                    .iter()
                    .map(|s| crate::format::printable::field(s.as_str()).into_owned())
                    .collect();
                format!(": {}", parts.join("; "))
            })
            .unwrap_or_default();
        return Err(TimestampError::Refused { status, text });
    }
    let token = resp.time_stamp_token.ok_or(TimestampError::NoToken)?;
    let tst = tst_info(&token)?;
    if sha256_digest(&tst.message_imprint) != Some(*digest) {
        return Err(TimestampError::Imprint);
    }
    if let Some(sent) = nonce {
        if tst.nonce.as_ref().map(|n| n.as_bytes()) != Some(sent) {
            return Err(TimestampError::Nonce);
        }
    }
    let unix = tst.gen_time.to_unix_duration().as_secs();
    Ok(TokenFacts {
        gen_time: unix_to_rfc3339(unix),
        gen_time_unix: unix,
        serial: super::timestamp_token::integer_hex(tst.serial_number.as_bytes()),
        policy: tst.policy.to_string(),
        with_mods: status == 1,
    })
}

/// The TSTInfo a token encapsulates: a ContentInfo of id-signedData whose SignedData's
/// eContentType is id-ct-TSTInfo (its signature is not checked here).
pub fn tst_info(token: &cms::content_info::ContentInfo) -> Result<TstInfo, TimestampError> {
    if token.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::Token(format!(
            "content type {} is not id-signedData",
            token.content_type
        )));
    }
    let sd: cms::signed_data::SignedData = token
        .content
        .decode_as()
        .map_err(|e| TimestampError::Token(format!("SignedData: {e}")))?;
    let encap = &sd.encap_content_info;
    if encap.econtent_type != ID_CT_TSTINFO {
        return Err(TimestampError::Token(format!(
            "eContentType {} is not id-ct-TSTInfo",
            encap.econtent_type
        )));
    }
    let econtent = encap
        .econtent
        .as_ref()
        .ok_or_else(|| TimestampError::Token("no encapsulated TSTInfo".into()))?;
    let octets: OctetString = econtent
        .decode_as()
        .map_err(|e| TimestampError::Token(format!("eContent: {e}")))?;
    TstInfo::from_der(octets.as_bytes()).map_err(|e| TimestampError::Token(format!("TSTInfo: {e}")))
}

fn unix_to_rfc3339(secs: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs.min(i64::MAX as u64) as i64)
        .map(crate::format::time::format_utc)
        .unwrap_or_else(|_| format!("@{secs}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_positive_63_bit() {
        assert_eq!(nonce_from(0), 1);
        assert_eq!(nonce_from(u64::MAX), u64::MAX >> 1);
        assert_eq!(positive_int(0x80).as_bytes(), &[0x00, 0x80]);
        assert_eq!(positive_int(0x7f).as_bytes(), &[0x7f]);
        assert_eq!(positive_int(u64::MAX >> 1).as_bytes().len(), 8);
    }

    #[test]
    fn a_request_reads_back() {
        let d = checkpoint_imprint("o\n1\nAAAA\n");
        let der = request(&d, 0x0123_4567_89ab_cdef);
        let p = parse_request(&der).unwrap();
        assert_eq!(p.digest, d);
        assert_eq!(
            p.nonce.as_deref(),
            Some(&[0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef][..])
        );
        // version 1, SHA-256 with NULL parameters, certReq TRUE (0x01 0x01 0xff), no policy.
        let req = TimeStampReq::from_der(&der).unwrap();
        assert!(req.cert_req && req.req_policy.is_none() && req.extensions.is_none());
        assert!(der.windows(3).any(|w| w == [0x01, 0x01, 0xff]));
        assert!(
            check_response(&der, &d, None).is_err(),
            "a request is no response"
        );
    }

    #[test]
    fn a_refusal_and_garbage_are_errors() {
        // TimeStampResp { status { status 2 } }
        let refused = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
        assert!(matches!(
            check_response(&refused, &[0; 32], None),
            Err(TimestampError::Refused { status: 2, .. })
        ));
        let granted_empty = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert_eq!(
            check_response(&granted_empty, &[0; 32], None),
            Err(TimestampError::NoToken)
        );
        assert!(matches!(
            check_response(b"<html>", &[0; 32], None),
            Err(TimestampError::Format { .. })
        ));
    }
}
