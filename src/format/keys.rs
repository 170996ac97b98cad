//! Ed25519 key encodings: encrypted PKCS#8 v1 private keys (RFC 5958 / RFC 8410, PBES2 with
//! PBKDF2-HMAC-SHA256 and AES-256-CBC, readable by `openssl pkey -passin`), SPKI public keys,
//! the key fingerprint and key id, and the `Name:` / `Role:` preamble lines scelle writes
//! before the PEM block (OpenSSL skips text before `-----BEGIN`).

use super::encoding::hex;
use ed25519_dalek::{SigningKey, VerifyingKey};
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, EncryptedPrivateKeyInfo, ObjectIdentifier, PrivateKeyInfo};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// OID 1.3.101.112, id-Ed25519 (RFC 8410).
pub const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow it.
pub const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// PBKDF2-HMAC-SHA256 iteration count for new private keys (OWASP 2023 guidance).
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// The most key-derivation work a key file may ask for before its passphrase is tried, in
/// PBKDF2 iterations (scrypt counts `N × r × p`): 100,000,000, the ceiling `pkcs5` itself puts
/// on PBKDF2, about a minute. A key file is read before it is trusted; its KDF parameters must
/// not make scelle hang or exhaust memory.
pub const MAX_KDF_WORK: u64 = 100_000_000;
/// The most memory scrypt may take (`128 × r × N` bytes): 1 GiB (OpenSSL's default `maxmem`
/// is 32 MiB; its default parameters take 16 MiB).
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

/// Why a key file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No PEM block of the expected label.
    #[error("no '-----BEGIN {0}-----' block")]
    NoPem(&'static str),
    /// The PEM or DER structure is damaged.
    #[error("damaged key encoding ({0})")]
    Encoding(String),
    /// Not an Ed25519 key.
    #[error("not an Ed25519 key (algorithm {0})")]
    NotEd25519(String),
    /// The passphrase does not decrypt the key.
    #[error("wrong passphrase (or the encrypted key is damaged)")]
    Decrypt,
    /// A private key stored without encryption.
    #[error("the private key is not encrypted; scelle only uses encrypted keys")]
    Unencrypted,
    /// The key derivation parameters ask for more work or memory than scelle allows.
    #[error("the key derivation parameters are too costly ({0})")]
    KdfTooCostly(String),
}

/// The fingerprint of a public key: lower-case hex SHA-256 of its 32 raw bytes.
pub fn fingerprint(public: &VerifyingKey) -> String {
    hex(&Sha256::digest(public.as_bytes()))
}

/// The key id written in ledger entries: the first 16 hex digits of the fingerprint.
pub fn key_id(public: &VerifyingKey) -> String {
    fingerprint(public)[..16].to_string()
}

/// The SPKI DER of a public key.
pub fn spki_der(public: &VerifyingKey) -> Vec<u8> {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(public.as_bytes());
    der
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let body = super::encoding::b64(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// The `Name:` and `Role:` preamble lines.
fn preamble(name: &str, role: Option<&str>) -> String {
    let mut s = format!("Name: {name}\n");
    if let Some(r) = role {
        s.push_str(&format!("Role: {r}\n"));
    }
    s
}

/// Reads the `Name:` and `Role:` preamble lines before the PEM block, if any.
pub fn read_preamble(text: &str) -> (Option<String>, Option<String>) {
    let (mut name, mut role) = (None, None);
    for line in text.lines() {
        if line.starts_with("-----BEGIN") {
            break;
        }
        if let Some(v) = line.strip_prefix("Name: ") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Role: ") {
            role = Some(v.trim().to_string());
        }
    }
    (name, role)
}

/// A public key file: preamble and SPKI PEM (`openssl pkey -pubin` reads it).
pub fn public_key_pem(public: &VerifyingKey, name: &str, role: Option<&str>) -> String {
    preamble(name, role) + &pem_block("PUBLIC KEY", &spki_der(public))
}

/// The offset of the first line of `text` that starts with `marker`. PEM markers count only
/// at the start of a line, as OpenSSL reads them and as [`read_preamble`] stops at them: a
/// marker inside a preamble line (a role naming one) is text.
fn find_at_line_start(text: &str, marker: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(marker) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

fn decode_pem_block(text: &str, label: &'static str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = find_at_line_start(text, &begin).ok_or(KeyError::NoPem(label))?;
    let rest = &text[start + begin.len()..];
    let stop = rest.find(&end).ok_or(KeyError::NoPem(label))?;
    let b64: String = rest[..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map(Zeroizing::new)
        .map_err(|e| KeyError::Encoding(e.to_string()))
}

/// Parses an SPKI PEM public key (with or without preamble).
pub fn parse_public_pem(text: &str) -> Result<VerifyingKey, KeyError> {
    let der = decode_pem_block(text, "PUBLIC KEY")?;
    if der.len() != 44 || der[..12] != SPKI_PREFIX {
        return Err(KeyError::NotEd25519(
            "the SubjectPublicKeyInfo is not id-Ed25519 with 32 key bytes".into(),
        ));
    }
    VerifyingKey::from_bytes(der[12..].try_into().expect("32 bytes"))
        .map_err(|e| KeyError::Encoding(e.to_string()))
}

/// Encrypts a signing key as PKCS#8 v1 (no embedded public key) under PBES2: PBKDF2-HMAC-SHA256
/// with `iterations`, a random 16-byte salt, AES-256-CBC with a random IV. Returns the key
/// file's text (preamble and `ENCRYPTED PRIVATE KEY` PEM).
pub fn encrypt_private_key(
    key: &SigningKey,
    passphrase: &[u8],
    iterations: u32,
    name: &str,
    role: Option<&str>,
) -> Result<Zeroizing<String>, KeyError> {
    let seed = Zeroizing::new(key.to_bytes());
    let mut inner = Zeroizing::new(vec![0x04, 0x20]);
    inner.extend_from_slice(seed.as_ref());
    let info = PrivateKeyInfo::new(
        AlgorithmIdentifierRef {
            oid: ED25519_OID,
            parameters: None,
        },
        &inner,
    );
    let (mut salt, mut iv) = ([0u8; 16], [0u8; 16]);
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(iterations, &salt, &iv)
        .map_err(|e| KeyError::Encoding(e.to_string()))?;
    let doc = info
        .encrypt_with_params(params, passphrase)
        .map_err(|e| KeyError::Encoding(e.to_string()))?;
    Ok(Zeroizing::new(
        preamble(name, role) + &pem_block("ENCRYPTED PRIVATE KEY", doc.as_bytes()),
    ))
}

/// Checks the key derivation parameters of an encrypted key against `max_work` (in PBKDF2
/// iterations; scrypt counts `N × r × p`) and [`MAX_SCRYPT_MEMORY`], before any derivation.
fn check_kdf_cost(enc: &EncryptedPrivateKeyInfo<'_>, max_work: u64) -> Result<(), KeyError> {
    use pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};
    let EncryptionScheme::Pbes2(params) = &enc.encryption_algorithm else {
        // PBES1 (MD5/SHA-1 with DES) is refused by the decryption itself, before any work.
        return Ok(());
    };
    let (work, memory) = match &params.kdf {
        Kdf::Pbkdf2(p) => (u64::from(p.iteration_count), 0),
        Kdf::Scrypt(p) => {
            let (n, r, par) = (
                p.cost_parameter,
                u64::from(p.block_size),
                u64::from(p.parallelization),
            );
            (
                n.saturating_mul(r).saturating_mul(par),
                n.saturating_mul(r).saturating_mul(128),
            )
        }
        _ => (0, 0),
    };
    if work > max_work {
        return Err(KeyError::KdfTooCostly(format!(
            "{work} iterations, at most {max_work}"
        )));
    }
    if memory > MAX_SCRYPT_MEMORY {
        return Err(KeyError::KdfTooCostly(format!(
            "scrypt would take {memory} bytes of memory, at most {MAX_SCRYPT_MEMORY}"
        )));
    }
    Ok(())
}

/// Decrypts an encrypted PKCS#8 (v1 or v2) Ed25519 private key file, refusing key derivation
/// parameters costlier than [`MAX_KDF_WORK`] and [`MAX_SCRYPT_MEMORY`].
pub fn decrypt_private_key(text: &str, passphrase: &[u8]) -> Result<SigningKey, KeyError> {
    decrypt_private_key_within(text, passphrase, MAX_KDF_WORK)
}

/// [`decrypt_private_key`] with a lower ceiling on the key derivation work, `max_work` in
/// PBKDF2 iterations (scrypt counts `N × r × p`); the fuzz targets use it to stay fast.
pub fn decrypt_private_key_within(
    text: &str,
    passphrase: &[u8],
    max_work: u64,
) -> Result<SigningKey, KeyError> {
    if text.contains("-----BEGIN PRIVATE KEY-----") {
        return Err(KeyError::Unencrypted);
    }
    let der = decode_pem_block(text, "ENCRYPTED PRIVATE KEY")?;
    let enc =
        EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| KeyError::Encoding(e.to_string()))?;
    check_kdf_cost(&enc, max_work.min(MAX_KDF_WORK))?;
    let doc = enc.decrypt(passphrase).map_err(|_| KeyError::Decrypt)?;
    let info = PrivateKeyInfo::from_der(doc.as_bytes()).map_err(|_| KeyError::Decrypt)?;
    if info.algorithm.oid != ED25519_OID {
        return Err(KeyError::NotEd25519(info.algorithm.oid.to_string()));
    }
    let inner = info.private_key;
    if inner.len() != 34 || inner[0] != 0x04 || inner[1] != 0x20 {
        return Err(KeyError::Encoding(
            "CurvePrivateKey is not a 32-byte OCTET STRING".into(),
        ));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&inner[2..]);
    let key = SigningKey::from_bytes(&seed);
    if let Some(public) = info.public_key {
        if public != key.verifying_key().as_bytes() {
            return Err(KeyError::Encoding(
                "embedded public key does not match the private key".into(),
            ));
        }
    }
    // The DER of the encrypted structure itself is not secret; drop the re-encoding check.
    let _ = enc.to_der();
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_key_round_trip_and_wrong_passphrase() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let pem =
            encrypt_private_key(&key, b"correct horse", 1000, "expert", Some("expert")).unwrap();
        assert!(
            pem.starts_with("Name: expert\nRole: expert\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
        );
        let back = decrypt_private_key(&pem, b"correct horse").unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        assert_eq!(
            decrypt_private_key(&pem, b"wrong").unwrap_err(),
            KeyError::Decrypt
        );
        assert_eq!(
            read_preamble(&pem),
            (Some("expert".into()), Some("expert".into()))
        );
    }

    #[test]
    fn public_key_round_trip_and_ids() {
        let key = SigningKey::from_bytes(&[7u8; 32]).verifying_key();
        let pem = public_key_pem(&key, "expert", None);
        assert_eq!(parse_public_pem(&pem).unwrap(), key);
        assert_eq!(fingerprint(&key).len(), 64);
        assert_eq!(key_id(&key), fingerprint(&key)[..16]);
        assert!(parse_public_pem("junk").is_err());
    }
}
