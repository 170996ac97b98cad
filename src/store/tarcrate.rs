//! Tar archives read with the `tar` crate, member by member: kept for differential tests
//! only. `scelle` reads every tar with [`crate::store::tarstream`], which resolves members as
//! GNU `tar -x` does; on every archive the streaming reader accepts, this reader gives the same
//! members (but for a regular member named with a trailing `/`, a directory for GNU tar).

use crate::format::body::Member;
use crate::store::hashing::{HashSelection, MemberInspector, MultiHasher, NoInspection};
use crate::store::tarmember::{file_member, non_file_member};
use std::io::Read;

/// Why the `tar` crate could not read an archive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarCrateError {
    /// The archive's members could not be listed (the reader's message).
    #[error("{0}")]
    Archive(String),
    /// A member's header could not be read.
    #[error("member {index}: {error}")]
    Header {
        /// The member's index in the archive.
        index: usize,
        /// The reader's message.
        error: String,
    },
    /// A member's name or link target is not UTF-8.
    #[error("member {index}: {what} is not UTF-8 ({lossy:?})")]
    NotUtf8 {
        /// The member's index in the archive.
        index: usize,
        /// `name` or `link target`.
        what: &'static str,
        /// The bytes, invalid sequences replaced.
        lossy: String,
    },
    /// A member's data could not be read.
    #[error("member {index} ({path}): {error}")]
    Data {
        /// The member's index in the archive.
        index: usize,
        /// The member's name.
        path: String,
        /// The reader's message.
        error: String,
    },
}

fn utf8(bytes: &[u8], what: &'static str, index: usize) -> Result<String, TarCrateError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| TarCrateError::NotUtf8 {
        index,
        what,
        lossy: String::from_utf8_lossy(bytes).into_owned(),
    })
}

/// Reads a tar stream with the `tar` crate and hashes every regular member's content (for
/// differential tests; `scelle` seals with [`crate::store::tarstream`]).
pub fn hash_members<R: Read>(reader: R, sel: HashSelection) -> Result<Vec<Member>, TarCrateError> {
    inspect_members(reader, sel, &mut NoInspection)
}

/// [`hash_members`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_members<R: Read, I: MemberInspector>(
    reader: R,
    sel: HashSelection,
    inspector: &mut I,
) -> Result<Vec<Member>, TarCrateError> {
    let mut archive = tar::Archive::new(reader);
    let mut members = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| TarCrateError::Archive(e.to_string()))?;
    for (index, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| TarCrateError::Header {
            index,
            error: e.to_string(),
        })?;
        let path = utf8(&entry.path_bytes(), "name", index)?;
        let header = entry.header();
        let mtime = header.mtime().ok();
        let link = match entry.link_name_bytes() {
            Some(l) => Some(utf8(&l, "link target", index)?),
            None => None,
        };
        let etype = header.entry_type();
        let member = if etype.is_file() || etype.is_contiguous() {
            let mut h = MultiHasher::new(sel);
            inspector.begin(index, &path);
            let mut buf = vec![0u8; 64 * 1024];
            let mut size = 0u64;
            loop {
                let n = entry.read(&mut buf).map_err(|e| TarCrateError::Data {
                    index,
                    path: path.clone(),
                    error: e.to_string(),
                })?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                inspector.update(&buf[..n]);
                size += n as u64;
            }
            file_member(path, size, h.finish(), mtime, inspector)
        } else {
            non_file_member(path, non_file_kind(etype), link, mtime)
        };
        members.push(member);
    }
    Ok(members)
}

/// The member type recorded for a tar entry that is not a regular file (FORMAT.md 6.2).
fn non_file_kind(t: tar::EntryType) -> &'static str {
    if t.is_dir() {
        "dir"
    } else if t.is_symlink() {
        "symlink"
    } else if t.is_hard_link() {
        "hardlink"
    } else {
        "other"
    }
}
