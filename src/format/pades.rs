//! PAdES signatures of documents (ETSI EN 319 142-1 baseline B-B): the X.509 certificate made
//! for a scelle Ed25519 key, the signer (that key, or an RSA / ECDSA P-256 key and certificate
//! from a PKCS#12 file), and the CMS `SignedData` (RFC 5652, detached) a PDF signature holds.
//!
//! The CMS has the signed attributes PAdES asks for: content-type (id-data), message-digest
//! (of the PDF's signed byte ranges) and signing-certificate-v2 (ESSCertIDv2: the SHA-256 of
//! the signer's certificate); no signing-time (EN 319 142-1 5.4: the time is the signature
//! dictionary's /M). Digests: SHA-512 with Ed25519 (RFC 8419 §3, ISO 32002), SHA-256
//! otherwise. No I/O here: callers read the files.

use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Tag};
use sha2::{Digest, Sha256, Sha512};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use std::time::Duration;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A certificate that does not parse.
    #[error("{what}: not an X.509 certificate ({detail}); give a PEM or DER certificate")]
    BadCertificate {
        /// Which certificate.
        what: String,
        /// The parser's message.
        detail: String,
    },
    /// A certificate whose public key is not the signing key's.
    #[error("{what}: the certificate's public key is not the signing key's ({key}); give the certificate issued for this key")]
    KeyMismatch {
        /// Which certificate.
        what: String,
        /// The key (id or description).
        key: String,
    },
    /// A PKCS#12 file that does not open.
    #[error("{what}: cannot open the PKCS#12 file ({detail}); check the passphrase (SCELLE_PKCS12_PASSPHRASE) and that it holds a key and its certificate")]
    Pkcs12 {
        /// The file.
        what: String,
        /// The reader's message.
        detail: String,
    },
    /// A key of a kind scelle does not sign with.
    #[error("{what}: the key is {kind}; scelle signs with Ed25519, RSA (2048 bits or more) or ECDSA P-256")]
    UnsupportedKey {
        /// The file.
        what: String,
        /// What it is.
        kind: String,
    },
    /// The TSA did not give a usable signature timestamp.
    #[error("--tsa {tsa}: no signature timestamp ({detail}); nothing was written (sign without --tsa for B-B, or retry)")]
    Timestamp {
        /// The TSA's name in the case.
        tsa: String,
        /// What went wrong.
        detail: String,
    },
    /// Encoding failed (should not happen).
    #[error("cannot encode the signature: {0}")]
    Encoding(String),
}

impl From<SignError> for crate::error::Error {
    fn from(e: SignError) -> Self {
        crate::error::Error::input(e.to_string())
    }
}

fn enc(e: der::Error) -> SignError {
    SignError::Encoding(e.to_string())
}

/// OIDs used here.
pub mod oid {
    use spki::ObjectIdentifier as O;
    /// id-data.
    pub const DATA: O = O::new_unwrap("1.2.840.113549.1.7.1");
    /// id-signedData.
    pub const SIGNED_DATA: O = O::new_unwrap("1.2.840.113549.1.7.2");
    /// id-contentType.
    pub const CONTENT_TYPE: O = O::new_unwrap("1.2.840.113549.1.9.3");
    /// id-messageDigest.
    pub const MESSAGE_DIGEST: O = O::new_unwrap("1.2.840.113549.1.9.4");
    /// id-aa-signingCertificateV2.
    pub const SIGNING_CERTIFICATE_V2: O = O::new_unwrap("1.2.840.113549.1.9.16.2.47");
    /// id-aa-signatureTimeStampToken.
    pub const SIGNATURE_TIME_STAMP_TOKEN: O = O::new_unwrap("1.2.840.113549.1.9.16.2.14");
    /// SHA-256.
    pub const SHA256: O = O::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SHA-512.
    pub const SHA512: O = O::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// id-Ed25519.
    pub const ED25519: O = O::new_unwrap("1.3.101.112");
    /// rsaEncryption.
    pub const RSA: O = O::new_unwrap("1.2.840.113549.1.1.1");
    /// sha256WithRSAEncryption.
    pub const SHA256_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.11");
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: O = O::new_unwrap("1.2.840.10045.2.1");
    /// ecdsa-with-SHA256.
    pub const ECDSA_SHA256: O = O::new_unwrap("1.2.840.10045.4.3.2");
    /// commonName.
    pub const CN: O = O::new_unwrap("2.5.4.3");
    /// keyUsage.
    pub const KEY_USAGE: O = O::new_unwrap("2.5.29.15");
    /// basicConstraints.
    pub const BASIC_CONSTRAINTS: O = O::new_unwrap("2.5.29.19");
    /// subjectKeyIdentifier.
    pub const SUBJECT_KEY_ID: O = O::new_unwrap("2.5.29.14");
}

fn alg(oid: ObjectIdentifier, null_params: bool) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: null_params.then(|| Any::new(Tag::Null, Vec::<u8>::new()).expect("NULL")),
    }
}

/// A DER TLV with a short tag byte.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// What a certificate for a scelle key says about its holder.
#[derive(Debug, Clone)]
pub struct Holder<'a> {
    /// The key id (16 hex digits): the serial number.
    pub key_id: &'a str,
    /// The subject's common name: the key's full name, else its name.
    pub common_name: &'a str,
    /// When the key was enrolled: the start of validity.
    pub enrolled: time::OffsetDateTime,
}

fn cn_name(cn: &str) -> Result<Name, SignError> {
    let value = Any::new(Tag::Utf8String, cn.as_bytes()).map_err(enc)?;
    let atv = AttributeTypeAndValue {
        oid: oid::CN,
        value,
    };
    let rdn = RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).map_err(enc)?);
    Ok(RdnSequence(vec![rdn]))
}

fn time_of(t: time::OffsetDateTime) -> Result<Time, SignError> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| {
        SignError::Encoding("a key enrolled before 1970 cannot be certified".into())
    })?;
    let d = Duration::from_secs(secs);
    // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    if t.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d).map_err(enc)?))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d).map_err(enc)?,
        ))
    }
}

/// The self-issued X.509 v3 certificate of a scelle Ed25519 key: subject and issuer CN = the
/// holder's name, serial = the key id, valid from the key's enrolment with no expiry
/// (99991231235959Z, RFC 5280 4.1.2.5), keyUsage digitalSignature + nonRepudiation
/// (critical), basicConstraints cA false, subjectKeyIdentifier = the first 20 bytes of the
/// key's SHA-256 fingerprint; signed by the key itself. Ed25519 signatures being
/// deterministic, the same key record gives the same certificate. DER.
pub fn self_issued_certificate(
    key: &ed25519_dalek::SigningKey,
    holder: &Holder<'_>,
) -> Result<Vec<u8>, SignError> {
    use ed25519_dalek::Signer;
    let serial_bytes = crate::format::encoding::unhex::<8>(holder.key_id)
        .ok_or_else(|| SignError::Encoding(format!("key id {:?} is not hex", holder.key_id)))?;
    // a positive INTEGER: a leading 0 byte when the first bit is set
    let mut serial = vec![0u8];
    serial.extend_from_slice(&serial_bytes);
    let serial = if serial[1] & 0x80 == 0 {
        &serial[1..]
    } else {
        &serial[..]
    };
    let name = cn_name(holder.common_name)?;
    let public = key.verifying_key();
    let spki_der = crate::format::keys::spki_der(&public);
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(enc)?;
    // keyUsage: digitalSignature (bit 0) and nonRepudiation (bit 1)
    let key_usage = BitString::new(6, vec![0b1100_0000]).map_err(enc)?;
    let ski = Sha256::digest(public.as_bytes());
    let extensions: Extensions = vec![
        Extension {
            extn_id: oid::BASIC_CONSTRAINTS,
            critical: true,
            extn_value: OctetString::new(tlv(0x30, &[])).map_err(enc)?,
        },
        Extension {
            extn_id: oid::KEY_USAGE,
            critical: true,
            extn_value: OctetString::new(key_usage.to_der().map_err(enc)?).map_err(enc)?,
        },
        Extension {
            extn_id: oid::SUBJECT_KEY_ID,
            critical: false,
            extn_value: OctetString::new(tlv(0x04, &ski[..20])).map_err(enc)?,
        },
    ];
    let sig_alg = alg(oid::ED25519, false);
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(serial).map_err(enc)?,
        signature: sig_alg.clone(),
        issuer: name.clone(),
        validity: Validity {
            not_before: time_of(holder.enrolled)?,
            not_after: Time::INFINITY,
        },
        subject: name,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(enc)?;
    let sig = key.sign(&tbs_der);
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&sig.to_bytes()).map_err(enc)?,
    };
    cert.to_der().map_err(enc)
}

/// A certificate from PEM or DER bytes; `what` names it in errors.
pub fn parse_certificate(bytes: &[u8], what: &str) -> Result<Vec<u8>, SignError> {
    let bad = |detail: String| SignError::BadCertificate {
        what: what.into(),
        detail,
    };
    let der = if bytes.starts_with(b"-----BEGIN") {
        let (label, der) = der::pem::decode_vec(bytes).map_err(|e| bad(e.to_string()))?;
        if label != "CERTIFICATE" {
            return Err(bad(format!("a PEM {label}, not a CERTIFICATE")));
        }
        der
    } else {
        bytes.to_vec()
    };
    Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?;
    Ok(der)
}

/// The PEM text of a DER certificate.
pub fn certificate_pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .expect("PEM of a certificate")
}

/// The signing key of a PDF signature.
pub enum SigningKey {
    /// A scelle Ed25519 key.
    Ed25519(ed25519_dalek::SigningKey),
    /// An RSA key (PKCS#1 v1.5, SHA-256).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// An ECDSA P-256 key (SHA-256).
    P256(p256::ecdsa::SigningKey),
}

/// Makes unsigned attributes from the signature value (the signature time-stamp token).
pub type UnsignedAttrs<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<Attribute>, SignError>;

/// A key with its certificate (DER) and any further certificates of its chain.
pub struct Signer {
    /// The key.
    pub key: SigningKey,
    /// The signer's certificate, DER.
    pub certificate: Vec<u8>,
    /// Issuers' certificates to carry in the CMS (DER).
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

fn spki_of(cert_der: &[u8]) -> Result<Vec<u8>, SignError> {
    let cert = Certificate::from_der(cert_der).map_err(enc)?;
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(enc)
}

impl Signer {
    /// The Ed25519 key with a certificate for it (self-issued, or from a CA): refused if the
    /// certificate's public key is not the key's.
    pub fn ed25519(
        key: ed25519_dalek::SigningKey,
        certificate: Vec<u8>,
        what: &str,
    ) -> Result<Self, SignError> {
        let ours = crate::format::keys::spki_der(&key.verifying_key());
        if spki_of(&certificate)? != ours {
            return Err(SignError::KeyMismatch {
                what: what.into(),
                key: crate::format::keys::key_id(&key.verifying_key()),
            });
        }
        Ok(Self {
            key: SigningKey::Ed25519(key),
            certificate,
            chain: Vec::new(),
        })
    }

    /// The key and certificate chain of a PKCS#12 file (`bytes`, decrypted with
    /// `passphrase`): its first key with a certificate; RSA or ECDSA P-256.
    pub fn pkcs12(bytes: &[u8], passphrase: &str, what: &str) -> Result<Self, SignError> {
        use pkcs8::DecodePrivateKey;
        let bad = |detail: String| SignError::Pkcs12 {
            what: what.into(),
            detail,
        };
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, passphrase)
            .map_err(|e| bad(e.to_string()))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| bad("no private key with its certificate in it".into()))?;
        let certs: Vec<Vec<u8>> = chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
        let Some(certificate) = certs.first().cloned() else {
            return Err(bad("the key has no certificate".into()));
        };
        let pk = pkcs8::PrivateKeyInfo::from_der(chain.key())
            .map_err(|e| bad(format!("the private key does not parse: {e}")))?;
        let key = match pk.algorithm.oid {
            oid::RSA => {
                let k = rsa::RsaPrivateKey::from_pkcs8_der(chain.key())
                    .map_err(|e| bad(format!("the RSA key does not parse: {e}")))?;
                if rsa::traits::PublicKeyParts::size(&k) < 256 {
                    return Err(SignError::UnsupportedKey {
                        what: what.into(),
                        kind: "RSA shorter than 2048 bits".into(),
                    });
                }
                SigningKey::Rsa(Box::new(k))
            }
            oid::EC_PUBLIC_KEY => {
                let k = p256::ecdsa::SigningKey::from_pkcs8_der(chain.key()).map_err(|_| {
                    SignError::UnsupportedKey {
                        what: what.into(),
                        kind: "ECDSA on a curve other than P-256".into(),
                    }
                })?;
                SigningKey::P256(k)
            }
            oid::ED25519 => {
                let k = ed25519_dalek::SigningKey::from_pkcs8_der(chain.key())
                    .map_err(|e| bad(format!("the Ed25519 key does not parse: {e}")))?;
                SigningKey::Ed25519(k)
            }
            other => {
                return Err(SignError::UnsupportedKey {
                    what: what.into(),
                    kind: format!("of algorithm {other}"),
                })
            }
        };
        let signer = Self {
            key,
            certificate,
            chain: certs[1..].to_vec(),
        };
        if spki_of(&signer.certificate)? != signer.public_spki()? {
            return Err(SignError::KeyMismatch {
                what: what.into(),
                key: "the file's private key".into(),
            });
        }
        Ok(signer)
    }

    fn public_spki(&self) -> Result<Vec<u8>, SignError> {
        use pkcs8::EncodePublicKey;
        let doc = match &self.key {
            SigningKey::Ed25519(k) => return Ok(crate::format::keys::spki_der(&k.verifying_key())),
            SigningKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            SigningKey::P256(k) => k.verifying_key().to_public_key_der(),
        };
        Ok(doc
            .map_err(|e| SignError::Encoding(e.to_string()))?
            .into_vec())
    }

    /// `Ed25519`, `RSA` or `ECDSA P-256`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            SigningKey::Ed25519(_) => "Ed25519",
            SigningKey::Rsa(_) => "RSA",
            SigningKey::P256(_) => "ECDSA P-256",
        }
    }

    /// The subject's common name in the certificate, if any.
    pub fn common_name(&self) -> Option<String> {
        let cert = Certificate::from_der(&self.certificate).ok()?;
        for rdn in cert.tbs_certificate.subject.0.iter().rev() {
            for atv in rdn.0.iter() {
                if atv.oid == oid::CN {
                    return std::str::from_utf8(atv.value.value())
                        .ok()
                        .map(str::to_string);
                }
            }
        }
        None
    }

    fn digest_oid(&self) -> ObjectIdentifier {
        match self.key {
            SigningKey::Ed25519(_) => oid::SHA512,
            _ => oid::SHA256,
        }
    }

    fn digest(&self, parts: &[&[u8]]) -> Vec<u8> {
        match self.key {
            SigningKey::Ed25519(_) => {
                let mut h = Sha512::new();
                parts.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            }
            _ => {
                let mut h = Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            }
        }
    }

    fn sign_bytes(&self, msg: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), SignError> {
        match &self.key {
            SigningKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok((alg(oid::ED25519, false), k.sign(msg).to_bytes().to_vec()))
            }
            SigningKey::Rsa(k) => {
                use rsa::signature::{SignatureEncoding, Signer as _};
                let s = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                let sig = s
                    .try_sign(msg)
                    .map_err(|e| SignError::Encoding(e.to_string()))?;
                Ok((alg(oid::SHA256_WITH_RSA, true), sig.to_vec()))
            }
            SigningKey::P256(k) => {
                use p256::ecdsa::signature::Signer as _;
                let sig: p256::ecdsa::Signature = k
                    .try_sign(msg)
                    .map_err(|e| SignError::Encoding(e.to_string()))?;
                Ok((
                    alg(oid::ECDSA_SHA256, false),
                    sig.to_der().as_bytes().to_vec(),
                ))
            }
        }
    }

    /// The CMS `ContentInfo` (DER) of a detached `SignedData` over the concatenation of
    /// `parts` (a PDF's signed byte ranges), signed by this signer, with the certificates;
    /// `unsigned`: a function of the signature value returning unsigned attributes to add
    /// (the signature time-stamp token, for B-T), or none.
    pub fn cms(
        &self,
        parts: &[&[u8]],
        unsigned: Option<UnsignedAttrs<'_>>,
    ) -> Result<Vec<u8>, SignError> {
        use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
        use cms::content_info::{CmsVersion, ContentInfo};
        use cms::signed_data::{
            CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo,
            SignerInfos,
        };
        let attr = |oid: ObjectIdentifier, value_der: Vec<u8>| -> Result<Attribute, SignError> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![Any::from_der(&value_der).map_err(enc)?])
                    .map_err(enc)?,
            })
        };
        let digest = self.digest(parts);
        let cert_hash = Sha256::digest(&self.certificate);
        // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { hashAlgorithm DEFAULT sha256,
        // certHash } }
        let ess = tlv(0x30, &tlv(0x30, &tlv(0x30, &tlv(0x04, &cert_hash))));
        let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
            attr(oid::CONTENT_TYPE, oid::DATA.to_der().map_err(enc)?)?,
            attr(oid::MESSAGE_DIGEST, tlv(0x04, &digest))?,
            attr(oid::SIGNING_CERTIFICATE_V2, ess)?,
        ])
        .map_err(enc)?;
        let (sig_alg, signature) = self.sign_bytes(&signed_attrs.to_der().map_err(enc)?)?;
        let unsigned_attrs = match unsigned {
            None => None,
            Some(f) => {
                let attrs = f(&signature)?;
                (!attrs.is_empty())
                    .then(|| SetOfVec::try_from(attrs).map_err(enc))
                    .transpose()?
            }
        };
        let cert = Certificate::from_der(&self.certificate).map_err(enc)?;
        let digest_alg = alg(self.digest_oid(), false);
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate.issuer.clone(),
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: digest_alg.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: sig_alg,
            signature: OctetString::new(signature).map_err(enc)?,
            unsigned_attrs,
        };
        let mut certs = vec![CertificateChoices::Certificate(cert)];
        for c in &self.chain {
            certs.push(CertificateChoices::Certificate(
                Certificate::from_der(c).map_err(enc)?,
            ));
        }
        let signed = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(enc)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oid::DATA,
                econtent: None,
            },
            certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(enc)?)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(enc)?),
        };
        let info = ContentInfo {
            content_type: oid::SIGNED_DATA,
            content: Any::from_der(&signed.to_der().map_err(enc)?).map_err(enc)?,
        };
        info.to_der().map_err(enc)
    }
}

/// The id-aa-signatureTimeStampToken attribute holding `token` (a DER `TimeStampToken`, the
/// CMS `ContentInfo` of an RFC 3161 response).
pub fn signature_timestamp_attribute(token: &[u8]) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid: oid::SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![Any::from_der(token).map_err(enc)?]).map_err(enc)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_of_a_key_is_deterministic_and_names_its_holder() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let id = crate::format::keys::key_id(&key.verifying_key());
        let holder = Holder {
            key_id: &id,
            common_name: "Jean-Marc Dupré",
            enrolled: time::macros::datetime!(2026-11-23 06:40:44 UTC),
        };
        let a = self_issued_certificate(&key, &holder).unwrap();
        assert_eq!(a, self_issued_certificate(&key, &holder).unwrap());
        let signer = Signer::ed25519(key, a.clone(), "test").unwrap();
        assert_eq!(signer.common_name().as_deref(), Some("Jean-Marc Dupré"));
        // another key's certificate is refused
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        assert!(matches!(
            Signer::ed25519(other, a, "test"),
            Err(SignError::KeyMismatch { .. })
        ));
        let cms = signer.cms(&[b"abc", b"def"], None).unwrap();
        assert_eq!(cms[0], 0x30);
    }

    /// The CMS has exactly the signed attributes PAdES B-B asks for (no signing-time), the
    /// digest of the signed bytes, the certificate's hash, and a signature over the attributes
    /// that the key's public half verifies.
    #[test]
    fn the_cms_has_the_pades_attributes_and_a_valid_signature() {
        use cms::content_info::ContentInfo;
        use cms::signed_data::SignedData;
        use ed25519_dalek::Verifier;
        let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let id = crate::format::keys::key_id(&key.verifying_key());
        let holder = Holder {
            key_id: &id,
            common_name: "A. Expert",
            enrolled: time::macros::datetime!(2026-01-02 03:04:05 UTC),
        };
        let cert = self_issued_certificate(&key, &holder).unwrap();
        let public = key.verifying_key();
        let signer = Signer::ed25519(key, cert.clone(), "test").unwrap();
        let der = signer.cms(&[b"abc", b"def"], None).unwrap();
        let info = ContentInfo::from_der(&der).unwrap();
        assert_eq!(info.content_type, oid::SIGNED_DATA);
        let sd: SignedData = info.content.decode_as().unwrap();
        assert!(sd.encap_content_info.econtent.is_none(), "not detached");
        let si = sd.signer_infos.0.get(0).unwrap();
        assert_eq!(si.digest_alg.oid, oid::SHA512);
        assert_eq!(si.signature_algorithm.oid, oid::ED25519);
        let attrs = si.signed_attrs.as_ref().unwrap();
        let oids: Vec<ObjectIdentifier> = attrs.iter().map(|a| a.oid).collect();
        assert_eq!(
            oids.len(),
            3,
            "content-type, message-digest, signing-certificate-v2 only: {oids:?}"
        );
        for o in [
            oid::CONTENT_TYPE,
            oid::MESSAGE_DIGEST,
            oid::SIGNING_CERTIFICATE_V2,
        ] {
            assert!(oids.contains(&o), "{o} missing");
        }
        let value = |o: ObjectIdentifier| {
            attrs
                .iter()
                .find(|a| a.oid == o)
                .unwrap()
                .values
                .get(0)
                .unwrap()
                .to_der()
                .unwrap()
        };
        assert_eq!(
            value(oid::MESSAGE_DIGEST),
            tlv(0x04, &Sha512::digest(b"abcdef"))
        );
        let ess = value(oid::SIGNING_CERTIFICATE_V2);
        assert!(ess.ends_with(&Sha256::digest(&cert)), "ESSCertIDv2 hash");
        let sig = ed25519_dalek::Signature::from_slice(si.signature.as_bytes()).unwrap();
        public.verify(&attrs.to_der().unwrap(), &sig).unwrap();
        // another byte signed: another digest
        let other = signer.cms(&[b"abc", b"deg"], None).unwrap();
        assert_ne!(other, der);
    }
}
