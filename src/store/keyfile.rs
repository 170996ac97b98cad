//! Key files on disk: `NAME.key` (encrypted PKCS#8 v1 PEM, mode 0600 from creation) and
//! `NAME.pub` (SPKI PEM), both with `Name:` / `Role:` preamble lines.

use crate::error::{Error, Result};
use crate::format::keys::{self, KeyError};
use crate::format::note::valid_key_name;
use ed25519_dalek::{SigningKey, VerifyingKey};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// A signing key loaded from a key file, with the name and role from its preamble.
pub struct LoadedKey {
    /// The private key (zeroized on drop by ed25519-dalek).
    pub signing: SigningKey,
    /// The name from the file's preamble, or its file stem.
    pub name: String,
    /// The role from the preamble.
    pub role: Option<String>,
    /// The file it was read from.
    pub path: PathBuf,
}

impl LoadedKey {
    /// The public half.
    pub fn public(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The key id.
    pub fn id(&self) -> String {
        keys::key_id(&self.public())
    }
}

/// A public key read from a `.pub` file (or derived from a `.key` file without decrypting it
/// is impossible; `key show` on a `.key` file needs the passphrase).
pub struct PublicKeyFile {
    /// The public key.
    pub public: VerifyingKey,
    /// The name from the preamble, or the file stem.
    pub name: String,
    /// The role from the preamble.
    pub role: Option<String>,
}

/// Checks a person's key name: it becomes a C2SP note key name and a file name.
pub fn check_name(name: &str) -> Result<()> {
    let ok = valid_key_name(name)
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "key name {name:?} is not allowed: use 1 to 64 letters, digits, '.', '_', '-' or '@', \
             not starting with '.' (e.g. jean.dupont)"
        )))
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_text(path: &Path) -> Result<String> {
    text_of(read_key_file(path)?, path)
}

/// The bytes of a key file the user named: a regular file (never a FIFO or device, a link
/// followed) of at most [`crate::store::fsutil::MAX_KEY_FILE`] bytes.
fn read_key_file(path: &Path) -> Result<Vec<u8>> {
    crate::store::fsutil::read_user_file(path, crate::store::fsutil::MAX_KEY_FILE)
}

fn text_of(bytes: Vec<u8>, path: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Error::input(format!(
            "{}: not a key file (not text); give the NAME.key or NAME.pub file made by `scelle key new`",
            path.display()
        ))
    })
}

fn key_error(path: &Path, e: KeyError) -> Error {
    if matches!(e, KeyError::Decrypt) {
        return Error::WrongPassphrase(path.to_path_buf());
    }
    let hint = match e {
        KeyError::Decrypt => "check SCELLE_PASSPHRASE or --passphrase-file",
        KeyError::Unencrypted => {
            "encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in KEY -out KEY.enc"
        }
        _ => "give the NAME.key or NAME.pub file made by `scelle key new`",
    };
    Error::input(format!("{}: {e}; {hint}", path.display()))
}

/// The fewest characters a new key's passphrase may have: NIST SP 800-63B-4's minimum for a
/// password used alone. A few words make one.
pub const MIN_PASSPHRASE_CHARS: usize = 15;

/// Refuses a passphrase too weak to protect a new signing key: fewer than
/// [`MIN_PASSPHRASE_CHARS`] characters, or one character repeated.
pub fn check_new_passphrase(passphrase: &str) -> Result<()> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(Error::input(format!(
            "the passphrase has {chars} characters; a key's passphrase needs at least {MIN_PASSPHRASE_CHARS} (a few words you will remember make one); nothing was written"
        )));
    }
    let mut distinct: Vec<char> = passphrase.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(Error::input(
            "the passphrase repeats the same few characters; choose a few words you will remember; nothing was written",
        ));
    }
    Ok(())
}

/// Generates a key pair and writes `DIR/NAME.key` and `DIR/NAME.pub`. Refuses to overwrite.
pub fn generate(
    dir: &Path,
    name: &str,
    role: Option<&str>,
    passphrase: &SecretString,
) -> Result<(PathBuf, PathBuf, VerifyingKey)> {
    check_name(name)?;
    check_new_passphrase(passphrase.expose_secret())?;
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "{}: no such directory; create it first",
            dir.display()
        )));
    }
    let key_path = dir.join(format!("{name}.key"));
    let pub_path = dir.join(format!("{name}.pub"));
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return Err(Error::input(format!(
                "{} already exists; scelle never overwrites a key (choose another --name or --out)",
                p.display()
            )));
        }
    }
    let signing = SigningKey::generate(&mut rand_core::OsRng);
    let public = signing.verifying_key();
    let pem = keys::encrypt_private_key(
        &signing,
        passphrase.expose_secret().as_bytes(),
        keys::PBKDF2_ITERATIONS,
        name,
        role,
    )
    .map_err(|e| key_error(&key_path, e))?;
    crate::store::fsutil::create_new(&key_path, pem.as_bytes(), 0o600)?;
    let pub_pem = keys::public_key_pem(&public, name, role);
    if let Err(e) = crate::store::fsutil::create_new(&pub_path, pub_pem.as_bytes(), 0o644) {
        let _ = std::fs::remove_file(&key_path);
        return Err(e);
    }
    Ok((key_path, pub_path, public))
}

/// Whether a key file holds a private key (as opposed to a public one).
pub fn is_private(path: &Path) -> Result<bool> {
    Ok(read_text(path)?.contains("PRIVATE KEY-----"))
}

/// Reads and decrypts a private key file.
pub fn load_signing_key(path: &Path, passphrase: &SecretString) -> Result<LoadedKey> {
    let bytes = zeroize::Zeroizing::new(read_key_file(path)?);
    signing_key_from_bytes(&bytes, passphrase, path, keys::MAX_KDF_WORK)
}

/// Decrypts the bytes of a private key file read from `path` (named in messages; its stem is
/// the name when the file has no `Name:` line), as [`load_signing_key`] does, with at most
/// `max_kdf_work` PBKDF2 iterations (see [`keys::decrypt_private_key_within`]).
pub fn signing_key_from_bytes(
    bytes: &[u8],
    passphrase: &SecretString,
    path: &Path,
    max_kdf_work: u64,
) -> Result<LoadedKey> {
    let text = zeroize::Zeroizing::new(text_of(bytes.to_vec(), path)?);
    let signing = keys::decrypt_private_key_within(
        &text,
        passphrase.expose_secret().as_bytes(),
        max_kdf_work,
    )
    .map_err(|e| key_error(path, e))?;
    let (name, role) = keys::read_preamble(&text);
    let name = name.unwrap_or_else(|| stem(path));
    check_name(&name).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(LoadedKey {
        signing,
        name,
        role,
        path: path.to_path_buf(),
    })
}

/// Reads a public key file.
pub fn load_public_key(path: &Path) -> Result<PublicKeyFile> {
    public_key_from_bytes(&read_key_file(path)?, path)
}

/// Reads the bytes of a public key file read from `path`, as [`load_public_key`] does.
pub fn public_key_from_bytes(bytes: &[u8], path: &Path) -> Result<PublicKeyFile> {
    let text = text_of(bytes.to_vec(), path)?;
    let public = keys::parse_public_pem(&text).map_err(|e| key_error(path, e))?;
    let (name, role) = keys::read_preamble(&text);
    Ok(PublicKeyFile {
        public,
        name: name.unwrap_or_else(|| stem(path)),
        role,
    })
}
