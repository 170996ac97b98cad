//! What a seal records of one byte stream ([`Hashes`]) and of one member of a sealed
//! directory, tar, zip or EWF image ([`Member`]): the parts below both a seal's artifact
//! ([`super::parts`]) and its member list ([`super::members`]).

use serde::{Deserialize, Serialize};

/// The hashes of one byte stream. SHA-256 always; the others on request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hashes {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// SHA-512, lower-case hex (`--sha512`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha512: Option<String>,
    /// MD5, legacy value only (`--legacy-hashes`), to match older acquisition logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_md5: Option<String>,
    /// SHA-1, legacy value only (`--legacy-hashes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_sha1: Option<String>,
}

/// One file, directory or link inside a sealed directory or tar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Path relative to the sealed directory, or the member name in the tar, `/`-separated.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink` or `other` (device, fifo, socket).
    #[serde(rename = "type")]
    pub kind: String,
    /// Content size in bytes (files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Content hashes (files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<Hashes>,
    /// Link target (symlinks and hard links), recorded, never followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Modification time from the tar header, seconds since 1970 (tar members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtime: Option<u64>,
}
