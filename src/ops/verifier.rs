//! `scelle verifier`: writes the browser verifier (`verifier/verify.html`, the page every
//! bundle carries as `data/kit/verify.html`) to a file, for counsel to open in a browser and
//! drop a bundle onto, with a copy not received from the bundle's sender.

use crate::error::Result;
use crate::format::encoding::hex;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The page written.
#[derive(Debug)]
pub struct VerifierWritten {
    /// Where.
    pub path: PathBuf,
    /// Its length in bytes.
    pub bytes: u64,
    /// Its SHA-256, hex: what a bundle's `manifest-sha256.txt` lists for `data/kit/verify.html`
    /// when the bundle was exported by this version.
    pub sha256: String,
}

/// The browser verifier this scelle ships, and its SHA-256.
pub fn page() -> (&'static [u8], String) {
    let bytes = crate::case::bundle::VERIFY_HTML.as_bytes();
    (bytes, hex(&Sha256::digest(bytes)))
}

/// Writes the browser verifier to `out`, which must not exist (mode 0644, durable).
pub fn write(out: &Path) -> Result<VerifierWritten> {
    let (bytes, sha256) = page();
    crate::store::fsutil::create_new(out, bytes, 0o644)?;
    Ok(VerifierWritten {
        path: out.to_path_buf(),
        bytes: bytes.len() as u64,
        sha256,
    })
}
