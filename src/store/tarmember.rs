//! The member record of a tar entry (FORMAT.md 6.2), as both tar readers make it: the
//! streaming reader that seals ([`crate::store::tarstream`]) and the `tar` crate's, kept for
//! differential tests ([`crate::store::tarcrate`]).

use crate::format::body::{Hashes, Member};
use crate::store::hashing::MemberInspector;

/// The member recorded for a regular file of `size` bytes just hashed, told to `inspector`.
pub(crate) fn file_member<I: MemberInspector>(
    path: String,
    size: u64,
    hashes: Hashes,
    mtime: Option<u64>,
    inspector: &mut I,
) -> Member {
    inspector.end(size, &hashes);
    Member {
        path,
        kind: "file".into(),
        size: Some(size),
        hashes: Some(hashes),
        link: None,
        mtime,
    }
}

/// The member recorded for a tar entry that is not a regular file (FORMAT.md 6.2): `kind` is
/// `dir`, `symlink`, `hardlink` or `other`.
pub(crate) fn non_file_member(
    path: String,
    kind: &str,
    link: Option<String>,
    mtime: Option<u64>,
) -> Member {
    Member {
        path,
        kind: kind.into(),
        size: None,
        hashes: None,
        link,
        mtime,
    }
}
