//! RFC 3161 timestamp tokens (FORMAT.md §8.6): checking a DER `TimeStampResp` kept beside a
//! checkpoint against the checkpoint's text, the request's nonce and the trust anchors a
//! `tsa.add` entry gave. Pure: no I/O, no clock (validity is judged at the token's genTime).
//!
//! The checks, in order, each with its own [`TokenError`] variant and finding code
//! ([`TokenError::code`]):
//! 1. `timestamp-format`: the response is DER, status granted (0) or grantedWithMods (1), the
//!    token is CMS SignedData (RFC 5652) with one SignerInfo, eContentType id-ct-TSTInfo, and
//!    the TSTInfo (RFC 3161 §2.4.2) parses;
//! 2. `timestamp-imprint`: the messageImprint is SHA-256 of the checkpoint text;
//! 3. `timestamp-nonce`: the nonce equals the request's;
//! 4. `timestamp-untrusted`: the signer certificate (in the token, found by the SignerInfo's
//!    sid and named by the ESSCertID / ESSCertIDv2 signed attribute) chains to one of the
//!    anchors, every certificate valid at genTime, its extendedKeyUsage exactly
//!    id-kp-timeStamping and critical;
//! 5. `timestamp-signature`: the content-type and messageDigest signed attributes match the
//!    TSTInfo, and the signature over the DER of the signed attributes (as a SET OF)
//!    verifies with the signer's key (RSA PKCS#1 v1.5 / PSS, ECDSA P-256/P-384, Ed25519).
//!
//! Parsing uses RustCrypto's `der`, `cms` and `x509-cert`; the signed attributes are taken
//! from the token's bytes as they were signed (never re-encoded). The chain and the
//! signatures are checked by `rustls-webpki` (with ring).

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Any, Int, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence, Tagged};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use sha2::Digest;
use x509_cert::Certificate;

/// id-signedData (RFC 5652 §5.1).
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-ct-TSTInfo (RFC 3161 §2.4.2).
const ID_CT_TSTINFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-contentType signed attribute.
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest signed attribute.
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-aa-signingCertificate (RFC 2634 ESSCertID, SHA-1).
const ID_SIGNING_CERT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (RFC 5035 ESSCertIDv2).
const ID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// extendedKeyUsage extension.
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// id-kp-timeStamping.
const ID_KP_TIMESTAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// The content octets of the id-kp-timeStamping OID, as webpki wants them.
const EKU_TIMESTAMPING_DER: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// genTime, RFC 3339 UTC (fractions of a second, if the TSA gave any, are dropped).
    pub gen_time: String,
    /// genTime, seconds since 1970 (rounded down).
    pub gen_time_unix: i64,
    /// The TSA's serial number of the token, lowercase hex of whole bytes (as `openssl ts
    /// -reply -text` prints it, without DER's leading 0x00 of a positive number).
    pub serial: String,
    /// The TSA policy OID, dotted.
    pub policy: String,
    /// The signer certificate's subject (RFC 4514).
    pub signer: String,
    /// The nonce, lowercase hex of its DER integer, if any.
    pub nonce: Option<String>,
    /// The accuracy the TSA claims, e.g. `1s 500ms`, if any.
    pub accuracy: Option<String>,
}

/// A timestamp request (`.tsq`), as far as verification needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    /// The OID of the imprint's hash algorithm.
    pub hash_algorithm: String,
    /// The imprint's digest.
    pub digest: Vec<u8>,
    /// The nonce's DER integer content bytes, if any.
    pub nonce: Option<Vec<u8>>,
}

/// Why a token is refused. [`TokenError::code`] gives its finding code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not DER, or not the ASN.1 expected at some place.
    #[error("not a DER RFC 3161 response: {0}")]
    Malformed(String),
    /// The request file is not a DER TimeStampReq.
    #[error("the request (.tsq) is not a DER RFC 3161 TimeStampReq: {0}")]
    MalformedRequest(String),
    /// Status neither granted nor grantedWithMods.
    #[error("the TSA refused the request (PKIStatus {status}{text})")]
    NotGranted {
        /// The PKIStatus value.
        status: String,
        /// `: ` and the status text, if any.
        text: String,
    },
    /// Granted, but no token.
    #[error("the response is granted but carries no token")]
    NoToken,
    /// The token is not CMS SignedData.
    #[error("the token is not CMS SignedData (content type {0})")]
    NotSignedData(String),
    /// The SignedData encapsulates something other than a TSTInfo, or nothing.
    #[error("the token does not encapsulate a TSTInfo (eContentType {0})")]
    NotTstInfo(String),
    /// Not exactly one SignerInfo.
    #[error("the token has {0} SignerInfos, not exactly one")]
    SignerCount(usize),
    /// No signed attributes (RFC 3161 requires them: ESSCertID, messageDigest).
    #[error("the SignerInfo has no signed attributes")]
    NoSignedAttributes,
    /// The TSTInfo's version is not 1.
    #[error("TSTInfo version {0}, not 1")]
    Version(String),
    /// genTime is not a GeneralizedTime of the RFC 3161 form.
    #[error("genTime {0:?} is not YYYYMMDDHHMMSS[.fff]Z")]
    GenTime(String),
    /// The imprint's hash is not SHA-256.
    #[error("the message imprint uses hash {0}, not SHA-256")]
    ImprintAlgorithm(String),
    /// The imprint is not SHA-256 of this checkpoint's text.
    #[error("the message imprint {found} is not the SHA-256 of this checkpoint's text ({expected}): a token of another checkpoint")]
    ImprintMismatch {
        /// The token's digest, hex.
        found: String,
        /// SHA-256 of the checkpoint text, hex.
        expected: String,
    },
    /// Nonces differ.
    #[error("the token's nonce {token} is not the request's {request}")]
    NonceMismatch {
        /// The request's nonce, hex.
        request: String,
        /// The token's nonce, hex (or `none`).
        token: String,
    },
    /// No anchors were given.
    #[error("no trust anchor for this TSA")]
    NoAnchors,
    /// An anchor does not parse.
    #[error("trust anchor {index} is not a DER X.509 certificate: {reason}")]
    BadAnchor {
        /// Position in the `ca` array.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The token does not carry the signer certificate the sid names.
    #[error("the token does not carry the signer's certificate (named by the SignerInfo's sid)")]
    SignerCertMissing,
    /// The ESSCertID / ESSCertIDv2 attribute is missing or does not name the signer certificate.
    #[error("the signing-certificate attribute (ESSCertID/ESSCertIDv2) {0}")]
    EssCertId(String),
    /// The signer's extendedKeyUsage is not exactly timeStamping, critical.
    #[error("the TSA certificate's extendedKeyUsage {0} (RFC 3161 §2.3: exactly id-kp-timeStamping, critical)")]
    Eku(String),
    /// A certificate of the chain is not valid at genTime.
    #[error("certificate {subject} is not valid at genTime {gen_time} (valid {not_before} to {not_after})")]
    NotValidAtGenTime {
        /// Its subject.
        subject: String,
        /// genTime.
        gen_time: String,
        /// notBefore.
        not_before: String,
        /// notAfter.
        not_after: String,
    },
    /// The signer certificate does not chain to the anchors.
    #[error("the TSA certificate {subject} does not chain to this TSA's trust anchors: {reason}")]
    Chain {
        /// The signer's subject.
        subject: String,
        /// webpki's reason.
        reason: String,
    },
    /// contentType attribute missing or not id-ct-TSTInfo.
    #[error("the content-type signed attribute is missing or not id-ct-TSTInfo")]
    ContentTypeAttribute,
    /// messageDigest attribute missing or not the digest of the TSTInfo.
    #[error(
        "the messageDigest signed attribute does not match the TSTInfo: the token was altered"
    )]
    MessageDigest,
    /// A digest or signature algorithm scelle does not verify.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The signature does not verify.
    #[error("the TSA's signature does not verify: {0}")]
    BadSignature(String),
}

impl TokenError {
    /// The finding code (FORMAT.md §8.6).
    pub fn code(&self) -> &'static str {
        use TokenError::*;
        match self {
            Malformed(_)
            | MalformedRequest(_)
            | NotGranted { .. }
            | NoToken
            | NotSignedData(_)
            | NotTstInfo(_)
            | SignerCount(_)
            | NoSignedAttributes
            | Version(_)
            | GenTime(_) => "timestamp-format",
            ImprintAlgorithm(_) | ImprintMismatch { .. } => "timestamp-imprint",
            NonceMismatch { .. } => "timestamp-nonce",
            NoAnchors
            | BadAnchor { .. }
            | SignerCertMissing
            | EssCertId(_)
            | Eku(_)
            | NotValidAtGenTime { .. }
            | Chain { .. } => "timestamp-untrusted",
            ContentTypeAttribute | MessageDigest | UnsupportedAlgorithm(_) | BadSignature(_) => {
                "timestamp-signature"
            }
        }
    }
}

fn malformed(what: &str, e: impl std::fmt::Display) -> TokenError {
    TokenError::Malformed(format!("{what}: {e}"))
}

/// PKIStatusInfo (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Sequence)]
struct PkiStatusInfo {
    status: Int,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

/// MessageImprint.
#[derive(Clone, Debug, Sequence)]
struct MessageImprint {
    hash_algorithm: x509_cert::spki::AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// TimeStampReq (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Sequence)]
struct TimeStampReq {
    version: Int,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(default = "Default::default")]
    cert_req: bool,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

/// Accuracy.
#[derive(Clone, Debug, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<Int>,
}

/// TSTInfo (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Sequence)]
struct TstInfo {
    version: Int,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

/// ESSCertID (RFC 2634) and ESSCertIDv2 (RFC 5035), as one shape: the hash algorithm is
/// SHA-1 for the first, SHA-256 by default for the second.
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<x509_cert::spki::AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<x509_cert::ext::pkix::name::GeneralName>,
    serial_number: Int,
}

#[derive(Clone, Debug, Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

fn hex(b: &[u8]) -> String {
    crate::format::encoding::hex(b)
}

/// A positive INTEGER's value in lowercase hex of whole bytes, without the 0x00 that DER puts
/// before a first byte of 0x80 or more: as `openssl ts -reply -text` prints a serial number.
pub(crate) fn integer_hex(content: &[u8]) -> String {
    match content {
        [0, next, ..] if next & 0x80 != 0 => hex(&content[1..]),
        _ => hex(content),
    }
}

fn digest(alg: &ObjectIdentifier, data: &[u8]) -> Result<Vec<u8>, TokenError> {
    Ok(match *alg {
        SHA1 => sha1::Sha1::digest(data).to_vec(),
        SHA256 => sha2::Sha256::digest(data).to_vec(),
        SHA384 => sha2::Sha384::digest(data).to_vec(),
        SHA512 => sha2::Sha512::digest(data).to_vec(),
        other => return Err(TokenError::UnsupportedAlgorithm(format!("digest {other}"))),
    })
}

/// Parses a DER TimeStampReq (a `.tsq`): its imprint and nonce.
pub fn parse_request(tsq: &[u8]) -> Result<TimestampRequest, TokenError> {
    let req =
        TimeStampReq::from_der(tsq).map_err(|e| TokenError::MalformedRequest(e.to_string()))?;
    Ok(TimestampRequest {
        hash_algorithm: req.message_imprint.hash_algorithm.oid.to_string(),
        digest: req.message_imprint.hashed_message.as_bytes().to_vec(),
        nonce: req.nonce.map(|n| n.as_bytes().to_vec()),
    })
}

/// The parts of a response the checks need, with the byte slices that were signed.
struct Parsed {
    tst: TstInfo,
    /// The eContent OCTET STRING's content: the DER TSTInfo, as digested.
    tst_der: Vec<u8>,
    signed_data: SignedData,
    signer: SignerInfo,
    /// The signed attributes' DER with the SET OF tag (0x31): what was signed.
    signed_attrs_der: Vec<u8>,
}

fn parse_response(resp: &[u8]) -> Result<Parsed, TokenError> {
    let mut reader = der::SliceReader::new(resp).map_err(|e| malformed("response", e))?;
    let (status, token): (PkiStatusInfo, Option<ContentInfo>) = {
        use der::Reader;
        reader
            .sequence(|r| {
                let status = PkiStatusInfo::decode(r)?;
                let token = Option::<ContentInfo>::decode(r)?;
                Ok((status, token))
            })
            .map_err(|e| malformed("TimeStampResp", e))?
    };
    {
        use der::Reader;
        reader
            .finish(())
            .map_err(|e| malformed("TimeStampResp", e))?;
    }
    let st = status.status.as_bytes();
    if st != [0] && st != [1] {
        let text = status
            .status_string
            .map(|v| format!(": {}", crate::format::printable::field(&v.join("; "))))
            .unwrap_or_default();
        return Err(TokenError::NotGranted {
            status: hex(st),
            text,
        });
    }
    let token = token.ok_or(TokenError::NoToken)?;
    if token.content_type != ID_SIGNED_DATA {
        return Err(TokenError::NotSignedData(token.content_type.to_string()));
    }
    let token_der = token
        .content
        .to_der()
        .map_err(|e| malformed("SignedData", e))?;
    let signed_data: SignedData = token
        .content
        .decode_as()
        .map_err(|e| malformed("SignedData", e))?;
    let eci = &signed_data.encap_content_info;
    if eci.econtent_type != ID_CT_TSTINFO {
        return Err(TokenError::NotTstInfo(eci.econtent_type.to_string()));
    }
    let econtent = eci
        .econtent
        .as_ref()
        .ok_or_else(|| TokenError::NotTstInfo("present, content absent".into()))?;
    let octets: OctetString = econtent.decode_as().map_err(|e| malformed("eContent", e))?;
    let tst_der = octets.as_bytes().to_vec();
    let tst = TstInfo::from_der(&tst_der).map_err(|e| malformed("TSTInfo", e))?;
    if tst.version.as_bytes() != [1] {
        return Err(TokenError::Version(hex(tst.version.as_bytes())));
    }
    let n = signed_data.signer_infos.0.len();
    if n != 1 {
        return Err(TokenError::SignerCount(n));
    }
    let signer = signed_data.signer_infos.0.get(0).expect("one").clone();
    if signer.signed_attrs.is_none() {
        return Err(TokenError::NoSignedAttributes);
    }
    let signed_attrs_der = raw_signed_attrs(&token_der)?;
    Ok(Parsed {
        tst,
        tst_der,
        signed_data,
        signer,
        signed_attrs_der,
    })
}

/// Reads one TLV header at `pos`: (tag byte, header length, content length).
fn tlv(buf: &[u8], pos: usize) -> Result<(u8, usize, usize), TokenError> {
    let bad = || malformed("SignedData", "truncated or long-form tag");
    let tag = *buf.get(pos).ok_or_else(bad)?;
    if tag & 0x1f == 0x1f {
        return Err(bad());
    }
    let first = *buf.get(pos + 1).ok_or_else(bad)?;
    let (hlen, len) = if first < 0x80 {
        (2, first as usize)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err(bad());
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *buf.get(pos + 2 + i).ok_or_else(bad)? as usize;
        }
        (2 + n, len)
    };
    if pos + hlen + len > buf.len() {
        return Err(bad());
    }
    Ok((tag, hlen, len))
}

/// The children of the constructed element whose content is `buf[start..end]`.
fn children(buf: &[u8], start: usize, end: usize) -> Result<Vec<(u8, usize, usize)>, TokenError> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        let (tag, hlen, len) = tlv(buf, pos)?;
        out.push((tag, pos, hlen + len));
        pos += hlen + len;
    }
    Ok(out)
}

/// The signed attributes exactly as the token carries them (already checked to be DER by
/// the full decode), re-tagged from `[0] IMPLICIT` to `SET OF` (RFC 5652 §5.4).
fn raw_signed_attrs(signed_data_der: &[u8]) -> Result<Vec<u8>, TokenError> {
    let (_, hlen, len) = tlv(signed_data_der, 0)?;
    let sd = children(signed_data_der, hlen, hlen + len)?;
    let &(tag, pos, total) = sd.last().ok_or_else(|| malformed("SignedData", "empty"))?;
    if tag != 0x31 {
        return Err(malformed("SignedData", "no signerInfos"));
    }
    let (_, h, _) = tlv(signed_data_der, pos)?;
    let infos = children(signed_data_der, pos + h, pos + total)?;
    let &(_, ipos, itotal) = infos
        .first()
        .ok_or_else(|| malformed("signerInfos", "empty"))?;
    let (_, ih, _) = tlv(signed_data_der, ipos)?;
    let fields = children(signed_data_der, ipos + ih, ipos + itotal)?;
    let &(_, apos, atotal) = fields
        .iter()
        .find(|(tag, _, _)| *tag == 0xa0)
        .ok_or(TokenError::NoSignedAttributes)?;
    let mut out = signed_data_der[apos..apos + atotal].to_vec();
    out[0] = 0x31;
    Ok(out)
}

/// Parses `YYYYMMDDHHMMSS[.f+]Z` (RFC 3161 §2.4.2): (RFC 3339 text, unix seconds).
fn gen_time(any: &Any) -> Result<(String, i64), TokenError> {
    let raw = String::from_utf8_lossy(any.value()).into_owned();
    let bad = || TokenError::GenTime(crate::format::printable::field(&raw).into_owned());
    if any.tag() != der::Tag::GeneralizedTime {
        return Err(bad());
    }
    let b = raw.as_bytes();
    if b.len() < 15 || !b[..14].iter().all(u8::is_ascii_digit) || b.last() != Some(&b'Z') {
        return Err(bad());
    }
    let frac = &b[14..b.len() - 1];
    if !frac.is_empty()
        && (frac[0] != b'.'
            || frac.len() < 2
            || !frac[1..].iter().all(u8::is_ascii_digit)
            || frac.last() == Some(&b'0'))
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| raw[r].parse::<u32>().map_err(|_| bad());
    let month = time::Month::try_from(num(4..6)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8)
        .map_err(|_| bad())?;
    let t = date
        .with_hms(num(8..10)? as u8, num(10..12)? as u8, num(12..14)? as u8)
        .map_err(|_| bad())?
        .assume_utc();
    Ok((crate::format::time::format_utc(t), t.unix_timestamp()))
}

fn accuracy_text(a: &Accuracy) -> Option<String> {
    let int = |i: &Option<Int>| {
        i.as_ref().map(|v| {
            v.as_bytes()
                .iter()
                .fold(0u128, |acc, b| (acc << 8) | *b as u128)
        })
    };
    let mut parts = Vec::new();
    if let Some(s) = int(&a.seconds) {
        parts.push(format!("{s}s"));
    }
    if let Some(m) = int(&a.millis) {
        parts.push(format!("{m}ms"));
    }
    if let Some(u) = int(&a.micros) {
        parts.push(format!("{u}us"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Verifies a DER `TimeStampResp` (`resp_der`, a `.tsr`) for a checkpoint whose note text
/// (its three lines, with their newlines) is `checkpoint_text`, against the trust anchors
/// `ca_ders` (DER certificates from the `tsa.add` entry) and, when the request is at hand,
/// its nonce (`request_nonce`: the content bytes of the request's DER INTEGER). Every check
/// of the module documentation, in its order; the first failing one is returned.
pub fn verify_token(
    resp_der: &[u8],
    checkpoint_text: &[u8],
    ca_ders: &[Vec<u8>],
    request_nonce: Option<&[u8]>,
) -> Result<TokenInfo, TokenError> {
    let p = parse_response(resp_der)?;
    let (gen_time_text, gen_unix) = gen_time(&p.tst.gen_time)?;

    // 2. The imprint.
    let imprint = &p.tst.message_imprint;
    if imprint.hash_algorithm.oid != SHA256
        || imprint
            .hash_algorithm
            .parameters
            .as_ref()
            .is_some_and(|a| a.tag() != der::Tag::Null || !a.value().is_empty())
    {
        return Err(TokenError::ImprintAlgorithm(
            imprint.hash_algorithm.oid.to_string(),
        ));
    }
    let expected = sha2::Sha256::digest(checkpoint_text);
    let found = imprint.hashed_message.as_bytes();
    if found != expected.as_slice() {
        return Err(TokenError::ImprintMismatch {
            found: hex(found),
            expected: hex(&expected),
        });
    }

    // 3. The nonce.
    let token_nonce = p.tst.nonce.as_ref().map(|n| n.as_bytes().to_vec());
    if let Some(want) = request_nonce {
        if token_nonce.as_deref() != Some(want) {
            return Err(TokenError::NonceMismatch {
                request: hex(want),
                token: token_nonce
                    .as_deref()
                    .map(hex)
                    .unwrap_or_else(|| "none".into()),
            });
        }
    }

    // 4. The signer certificate and its chain.
    if ca_ders.is_empty() {
        return Err(TokenError::NoAnchors);
    }
    let mut anchors_parsed = Vec::new();
    for (index, der) in ca_ders.iter().enumerate() {
        let cert = Certificate::from_der(der).map_err(|e| TokenError::BadAnchor {
            index,
            reason: e.to_string(),
        })?;
        anchors_parsed.push(cert);
    }
    let certs: Vec<(Certificate, Vec<u8>)> = p
        .signed_data
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => c.to_der().ok().map(|d| (c.clone(), d)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let (signer_cert, signer_der) = certs
        .iter()
        .find(|(c, _)| sid_matches(&p.signer.sid, c))
        .cloned()
        .ok_or(TokenError::SignerCertMissing)?;
    check_ess_cert_id(&p.signer, &signer_cert, &signer_der)?;
    let subject = signer_cert.tbs_certificate.subject.to_string();
    check_eku(&signer_cert)?;
    check_validity(&signer_cert, gen_unix, &gen_time_text)?;
    let ee_der = CertificateDer::from(signer_der.as_slice());
    let ee = webpki::EndEntityCert::try_from(&ee_der).map_err(|e| TokenError::Chain {
        subject: subject.clone(),
        reason: format!("{e:?}"),
    })?;
    if let Some(anchor) = ca_ders.iter().position(|a| *a == signer_der) {
        // The TSA's own certificate given as an anchor: trusted as it is.
        check_validity(&anchors_parsed[anchor], gen_unix, &gen_time_text)?;
    } else {
        let anchor_ders: Vec<CertificateDer> = ca_ders
            .iter()
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        let mut anchors = Vec::new();
        for (index, d) in anchor_ders.iter().enumerate() {
            anchors.push(webpki::anchor_from_trusted_cert(d).map_err(|e| {
                TokenError::BadAnchor {
                    index,
                    reason: format!("{e:?}"),
                }
            })?);
        }
        let intermediates: Vec<CertificateDer> = certs
            .iter()
            .filter(|(_, d)| *d != signer_der)
            .map(|(_, d)| CertificateDer::from(d.as_slice()))
            .collect();
        let when =
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(gen_unix.max(0) as u64));
        let path = ee
            .verify_for_usage(
                ALGORITHMS,
                &anchors,
                &intermediates,
                when,
                // On every certificate of the path: an extendedKeyUsage, where there is one,
                // must allow timeStamping; an intermediate without the extension is not
                // restricted (RFC 5280 4.2.1.12), as `openssl ts -verify` reads it. The TSA's
                // own certificate must have it exactly, critical (`check_eku`, RFC 3161 2.3).
                webpki::KeyUsage::required_if_present(EKU_TIMESTAMPING_DER),
                None,
                None,
            )
            .map_err(|e| match e {
                webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                    TokenError::NotValidAtGenTime {
                        subject: subject.clone(),
                        gen_time: gen_time_text.clone(),
                        not_before: signer_cert.tbs_certificate.validity.not_before.to_string(),
                        not_after: signer_cert.tbs_certificate.validity.not_after.to_string(),
                    }
                }
                other => TokenError::Chain {
                    subject: subject.clone(),
                    reason: format!("{other:?}"),
                },
            })?;
        // webpki does not judge the anchor's own validity; an anchor expired at genTime
        // does not vouch for the token (as `openssl ts -verify -attime` judges it).
        let used = path.anchor();
        for (cert, der) in anchors_parsed.iter().zip(&anchor_ders) {
            if let Ok(a) = webpki::anchor_from_trusted_cert(der) {
                if a.subject == used.subject
                    && a.subject_public_key_info == used.subject_public_key_info
                {
                    check_validity(cert, gen_unix, &gen_time_text)?;
                }
            }
        }
    }

    // 5. The signed attributes and the signature.
    let attrs = p.signer.signed_attrs.as_ref().expect("checked");
    let content_type = attrs
        .iter()
        .find(|a| a.oid == ID_CONTENT_TYPE)
        .and_then(|a| a.values.get(0))
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok());
    if content_type != Some(ID_CT_TSTINFO) {
        return Err(TokenError::ContentTypeAttribute);
    }
    let md = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .filter(|a| a.values.len() == 1)
        .and_then(|a| a.values.get(0))
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or(TokenError::MessageDigest)?;
    let want = digest(&p.signer.digest_alg.oid, &p.tst_der)?;
    if md.as_bytes() != want.as_slice() {
        return Err(TokenError::MessageDigest);
    }
    let candidates = signature_algorithms(&p.signer)?;
    let sig = p.signer.signature.as_bytes();
    let mut last = None;
    for alg in &candidates {
        match ee.verify_signature(*alg, &p.signed_attrs_der, sig) {
            Ok(()) => {
                last = None;
                break;
            }
            Err(e) => {
                let mismatch = matches!(
                    e,
                    webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
                        | webpki::Error::UnsupportedSignatureAlgorithmContext(_)
                );
                // Keep an actual verification failure over a key-type mismatch.
                if last.as_ref().is_none_or(|(m, _)| *m) {
                    last = Some((mismatch, format!("{e:?}")));
                }
            }
        }
    }
    if let Some((mismatch, reason)) = last {
        return Err(if mismatch {
            TokenError::UnsupportedAlgorithm(format!(
                "signature {} for the TSA's key ({reason})",
                p.signer.signature_algorithm.oid
            ))
        } else {
            TokenError::BadSignature(reason)
        });
    }

    Ok(TokenInfo {
        gen_time: gen_time_text,
        gen_time_unix: gen_unix,
        serial: integer_hex(p.tst.serial_number.as_bytes()),
        policy: p.tst.policy.to_string(),
        signer: subject,
        nonce: token_nonce.as_deref().map(hex),
        accuracy: p.tst.accuracy.as_ref().and_then(accuracy_text),
    })
}

/// Every algorithm the chain may be signed with.
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// The webpki algorithms that may verify a SignerInfo's signature: by its signature
/// algorithm, and for the bare key OIDs (rsaEncryption, id-ecPublicKey) its digest algorithm.
fn signature_algorithms(
    si: &SignerInfo,
) -> Result<Vec<&'static dyn SignatureVerificationAlgorithm>, TokenError> {
    use webpki::ring::*;
    let unsupported = || {
        TokenError::UnsupportedAlgorithm(format!(
            "signature {} with digest {}",
            si.signature_algorithm.oid, si.digest_alg.oid
        ))
    };
    let digest = si.digest_alg.oid;
    let sig = si.signature_algorithm.oid;
    Ok(match (sig, digest) {
        (RSA_ENCRYPTION, SHA256) | (SHA256_WITH_RSA, _) => vec![RSA_PKCS1_2048_8192_SHA256],
        (RSA_ENCRYPTION, SHA384) | (SHA384_WITH_RSA, _) => vec![RSA_PKCS1_2048_8192_SHA384],
        (RSA_ENCRYPTION, SHA512) | (SHA512_WITH_RSA, _) => vec![RSA_PKCS1_2048_8192_SHA512],
        (RSA_PSS, _) => match pss_hash(si)? {
            SHA256 => vec![RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
            SHA384 => vec![RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
            SHA512 => vec![RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
            _ => return Err(unsupported()),
        },
        (ECDSA_SHA256, _) | (EC_PUBLIC_KEY, SHA256) => vec![ECDSA_P256_SHA256, ECDSA_P384_SHA256],
        (ECDSA_SHA384, _) | (EC_PUBLIC_KEY, SHA384) => vec![ECDSA_P384_SHA384, ECDSA_P256_SHA384],
        (ED25519_OID, _) => vec![ED25519],
        _ => return Err(unsupported()),
    })
}

/// RSASSA-PSS-params: the hash, with MGF1 over the same hash and the salt as long as the
/// hash (what ring verifies); anything else is unsupported.
fn pss_hash(si: &SignerInfo) -> Result<ObjectIdentifier, TokenError> {
    #[derive(Sequence)]
    struct PssParams {
        #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
        hash: Option<x509_cert::spki::AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
        mgf: Option<x509_cert::spki::AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
        salt: Option<u32>,
        #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
        trailer: Option<u32>,
    }
    let bad = |why: &str| TokenError::UnsupportedAlgorithm(format!("RSASSA-PSS {why}"));
    let params: PssParams = si
        .signature_algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| bad("without parameters"))?
        .decode_as()
        .map_err(|_| bad("parameters unreadable"))?;
    let hash = params.hash.map(|h| h.oid).unwrap_or(SHA1);
    let mgf_hash = params
        .mgf
        .and_then(|m| m.parameters)
        .and_then(|p| {
            p.decode_as::<x509_cert::spki::AlgorithmIdentifierOwned>()
                .ok()
        })
        .map(|a| a.oid);
    let salt = params.salt.unwrap_or(20);
    let len = match hash {
        SHA256 => 32,
        SHA384 => 48,
        SHA512 => 64,
        _ => return Err(bad("with a hash other than SHA-2")),
    };
    if mgf_hash != Some(hash) || salt != len || params.trailer.unwrap_or(1) != 1 {
        return Err(bad("with MGF or salt other than the hash's"));
    }
    Ok(hash)
}

fn sid_matches(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(iasn) => {
            iasn.issuer == cert.tbs_certificate.issuer
                && iasn.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.14"))
            .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok())
            .is_some_and(|v| v.as_bytes() == ski.0.as_bytes()),
    }
}

/// The ESSCertID or ESSCertIDv2 attribute (RFC 3161 §2.4.1, RFC 5816): its first certificate
/// hash is the signer certificate's, and its issuerSerial, if given, the signer's.
fn check_ess_cert_id(
    si: &SignerInfo,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), TokenError> {
    let attrs = si.signed_attrs.as_ref().expect("checked");
    let ess = |why: &str| TokenError::EssCertId(why.to_string());
    let (alg, hash, issuer_serial) =
        if let Some(a) = attrs.iter().find(|a| a.oid == ID_SIGNING_CERT_V2) {
            let v: SigningCertificateV2 = a
                .values
                .get(0)
                .ok_or_else(|| ess("is empty"))?
                .decode_as()
                .map_err(|_| ess("is unreadable"))?;
            let first = v
                .certs
                .into_iter()
                .next()
                .ok_or_else(|| ess("names no certificate"))?;
            (
                first.hash_algorithm.map(|h| h.oid).unwrap_or(SHA256),
                first.cert_hash,
                first.issuer_serial,
            )
        } else if let Some(a) = attrs.iter().find(|a| a.oid == ID_SIGNING_CERT) {
            let v: SigningCertificate = a
                .values
                .get(0)
                .ok_or_else(|| ess("is empty"))?
                .decode_as()
                .map_err(|_| ess("is unreadable"))?;
            let first = v
                .certs
                .into_iter()
                .next()
                .ok_or_else(|| ess("names no certificate"))?;
            (SHA1, first.cert_hash, first.issuer_serial)
        } else {
            return Err(ess("is missing"));
        };
    let found = digest(&alg, cert_der).map_err(|_| ess("uses an unknown hash"))?;
    if hash.as_bytes() != found.as_slice() {
        return Err(ess("does not name the certificate that signed the token"));
    }
    if let Some(is) = issuer_serial {
        let issuer_ok = is.issuer.iter().any(|g| {
            matches!(g, x509_cert::ext::pkix::name::GeneralName::DirectoryName(n)
                if *n == cert.tbs_certificate.issuer)
        });
        if !issuer_ok
            || is.serial_number.as_bytes() != cert.tbs_certificate.serial_number.as_bytes()
        {
            return Err(ess(
                "names another issuer or serial than the signer certificate's",
            ));
        }
    }
    Ok(())
}

/// extendedKeyUsage: present, critical, exactly id-kp-timeStamping (RFC 3161 §2.3).
fn check_eku(cert: &Certificate) -> Result<(), TokenError> {
    let ext = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .ok_or_else(|| TokenError::Eku("is missing".into()))?;
    if !ext.critical {
        return Err(TokenError::Eku("is not critical".into()));
    }
    let oids = Vec::<ObjectIdentifier>::from_der(ext.extn_value.as_bytes())
        .map_err(|_| TokenError::Eku("is unreadable".into()))?;
    if oids != [ID_KP_TIMESTAMPING] {
        let list: Vec<String> = oids.iter().map(|o| o.to_string()).collect();
        return Err(TokenError::Eku(format!("is [{}]", list.join(", "))));
    }
    Ok(())
}

fn check_validity(cert: &Certificate, at: i64, at_text: &str) -> Result<(), TokenError> {
    let v = &cert.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs() as i64;
    let na = v.not_after.to_unix_duration().as_secs() as i64;
    if at < nb || at > na {
        return Err(TokenError::NotValidAtGenTime {
            subject: cert.tbs_certificate.subject.to_string(),
            gen_time: at_text.to_string(),
            not_before: v.not_before.to_string(),
            not_after: v.not_after.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(s: &str) -> Result<(String, i64), TokenError> {
        let any = Any::new(der::Tag::GeneralizedTime, s.as_bytes()).unwrap();
        gen_time(&any)
    }

    #[test]
    fn gen_time_forms() {
        assert_eq!(
            gt("20261206143000Z").unwrap(),
            ("2026-12-06T14:30:00Z".into(), 1_796_567_400)
        );
        // Fractions (RFC 3161 §2.4.2: no trailing zeros) are dropped, rounding down.
        assert_eq!(gt("20261206143000.25Z").unwrap().1, 1_796_567_400);
        for bad in [
            "20261206143000",
            "20261206143000.Z",
            "20261206143000.50Z",
            "20261306143000Z",
            "2026120614300Z",
            "20261206143000+0100",
            "20261206143000\u{1b}Z",
        ] {
            let e = gt(bad).unwrap_err();
            assert_eq!(e.code(), "timestamp-format", "{bad}");
            assert!(!e.to_string().contains('\u{1b}'));
        }
        let utc = Any::new(der::Tag::UtcTime, &b"261206143000Z"[..]).unwrap();
        assert!(gen_time(&utc).is_err());
    }

    #[test]
    fn serials_print_as_openssl_prints_them() {
        assert_eq!(integer_hex(&[0x02]), "02");
        assert_eq!(integer_hex(&[0x00]), "00");
        assert_eq!(integer_hex(&[0x00, 0xab, 0x01]), "ab01");
        assert_eq!(integer_hex(&[0x01, 0x00]), "0100");
    }

    #[test]
    fn every_error_has_one_of_the_five_codes() {
        let all = [
            TokenError::NoToken,
            TokenError::ImprintAlgorithm("x".into()),
            TokenError::NonceMismatch {
                request: "01".into(),
                token: "02".into(),
            },
            TokenError::SignerCertMissing,
            TokenError::Eku("x".into()),
            TokenError::MessageDigest,
            TokenError::BadSignature("x".into()),
        ];
        let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "timestamp-format",
                "timestamp-imprint",
                "timestamp-nonce",
                "timestamp-untrusted",
                "timestamp-untrusted",
                "timestamp-signature",
                "timestamp-signature"
            ]
        );
    }

    #[test]
    fn truncated_der_is_refused_not_panicking() {
        for b in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 0, 0, 0, 0, 1],
            &[0x30, 0x82, 0xff],
        ] {
            assert!(raw_signed_attrs(b).is_err());
            assert!(verify_token(b, b"", &[], None).is_err());
        }
    }

    #[test]
    fn request_parses() {
        // TimeStampReq v1, sha256 imprint of 32 zero bytes, nonce 0x0102, certReq TRUE.
        let mut req = vec![
            0x30, 0x3d, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09,
        ];
        req.extend([
            0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
        ]);
        req.extend([0x04, 0x20]);
        req.extend([0u8; 32]);
        req.extend([0x02, 0x02, 0x01, 0x02, 0x01, 0x01, 0xff]);
        let r = parse_request(&req).unwrap();
        assert_eq!(r.hash_algorithm, "2.16.840.1.101.3.4.2.1");
        assert_eq!(r.digest, [0u8; 32]);
        assert_eq!(r.nonce.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(
            parse_request(&req[..20]).unwrap_err().code(),
            "timestamp-format"
        );
    }
}
