//! `scelle key new` and `scelle key show`.

use crate::error::Result;
use crate::format::keys::{fingerprint, key_id, public_key_pem};
use crate::format::note::verifier_key;
use crate::store::keyfile;
use ed25519_dalek::VerifyingKey;
use secrecy::SecretString;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Everything `key show` prints about a key.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Name (preamble or file stem).
    pub name: String,
    /// Role, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Key id (16 hex digits).
    pub key_id: String,
    /// Fingerprint (64 hex digits).
    pub fingerprint: String,
    /// C2SP signed-note verifier key.
    pub verifier_key: String,
    /// SPKI PEM of the public key.
    pub public_pem: String,
}

fn info(public: &VerifyingKey, name: String, role: Option<String>) -> KeyInfo {
    KeyInfo {
        verifier_key: verifier_key(&name, public),
        public_pem: public_key_pem(public, &name, role.as_deref()),
        key_id: key_id(public),
        fingerprint: fingerprint(public),
        name,
        role,
    }
}

/// What `key new` wrote.
#[derive(Debug)]
pub struct NewKey {
    /// The private key file.
    pub private_path: PathBuf,
    /// The public key file.
    pub public_path: PathBuf,
    /// The key.
    pub info: KeyInfo,
}

/// Generates a key pair in `dir`.
pub fn key_new(
    dir: &Path,
    name: &str,
    role: Option<&str>,
    passphrase: &SecretString,
) -> Result<NewKey> {
    let (private_path, public_path, public) = keyfile::generate(dir, name, role, passphrase)?;
    Ok(NewKey {
        private_path,
        public_path,
        info: info(&public, name.to_string(), role.map(str::to_string)),
    })
}

/// Describes a public key file, or a private key file decrypted with `passphrase`.
pub fn key_show(path: &Path, passphrase: impl FnOnce() -> Result<SecretString>) -> Result<KeyInfo> {
    if keyfile::is_private(path)? {
        let k = keyfile::load_signing_key(path, &passphrase()?)?;
        Ok(info(&k.public(), k.name.clone(), k.role.clone()))
    } else {
        let p = keyfile::load_public_key(path)?;
        Ok(info(&p.public, p.name, p.role))
    }
}
