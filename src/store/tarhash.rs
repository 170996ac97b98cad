//! Tar archives (plain or gzip) hashed as a whole and member by member in one pass over the
//! bytes, without extracting: the archive's digests run on their own threads while the tar
//! parser hashes each member on another (see [`crate::store::hashing`]).
//!
//! Every tar is read by [`crate::store::tarstream`], which resolves members as GNU `tar -x`
//! does and refuses archives that readers would read differently (FORMAT.md 6.2); it hashes
//! member data in the shared read buffers (a gzip tar: in the decoder's buffer). The `tar`
//! crate's reading ([`hash_members`]) is kept for differential tests: on every archive the
//! streaming reader accepts, it gives the same members (but for a regular member named with a
//! trailing `/`, a directory for GNU tar).

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, NoInspection, Progress,
};
use crate::store::nofollow::StableFile;
use crate::store::tarmember::{file_member, non_file_member};
use crate::store::tarstream::{self, Stop};
use std::io::Read;
use std::path::Path;

/// A parsed and hashed archive.
pub struct TarDigest {
    /// Bytes of the archive file.
    pub size: u64,
    /// Hashes of the archive file's bytes (compressed bytes for gzip).
    pub hashes: Hashes,
    /// Every member in archive order.
    pub members: Vec<Member>,
}

fn utf8(bytes: &[u8], what: &str, index: usize) -> std::result::Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        format!(
            "member {index}: {what} is not UTF-8 ({:?})",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// Reads a tar stream with the `tar` crate and hashes every regular member's content (for
/// differential tests; `scelle` seals with [`crate::store::tarstream`]).
pub fn hash_members<R: Read>(
    reader: R,
    sel: HashSelection,
) -> std::result::Result<Vec<Member>, String> {
    inspect_members(reader, sel, &mut NoInspection)
}

/// [`hash_members`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_members<R: Read, I: MemberInspector>(
    reader: R,
    sel: HashSelection,
    inspector: &mut I,
) -> std::result::Result<Vec<Member>, String> {
    let mut archive = tar::Archive::new(reader);
    let mut members = Vec::new();
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for (index, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| format!("member {index}: {e}"))?;
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
                let n = entry
                    .read(&mut buf)
                    .map_err(|e| format!("member {index} ({path}): {e}"))?;
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

/// Whether the file name says gzip compression (`.tar.gz`, `.tgz`).
pub fn is_gzip_name(path: &Path) -> bool {
    let n = path.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".tar.gz") || n.ends_with(".tgz")
}

fn not_a_tar(path: &Path, why: &str) -> Error {
    Error::input(format!(
        "{}: not a valid tar archive ({why}); to seal it as a plain file use --as file",
        path.display()
    ))
}

/// Hashes a tar file as a whole and member by member, in one pass, with the streaming reader
/// (through [`flate2`] for gzip). An archive that readers would read differently, or with a
/// member `tar -x` makes from something other than its bytes (sparse, unknown type), is
/// refused: nothing is recorded for it (FORMAT.md 6.2).
pub fn hash_tar(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    progress: Progress,
) -> Result<TarDigest> {
    inspect_tar(path, gzip, sel, progress, &mut NoInspection)
}

/// [`hash_tar`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_tar<I: MemberInspector + Send>(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
) -> Result<TarDigest> {
    let file = StableFile::open(path)?;
    let insp = &mut *inspector;
    let parse = move |r: &mut ChunkReader| {
        if gzip {
            let mut z =
                std::io::BufReader::with_capacity(256 * 1024, flate2::read::GzDecoder::new(r));
            tarstream::inspect_members(&mut z, sel, insp)
        } else {
            tarstream::inspect_members(r, sel, insp)
        }
    };
    let (size, hashes, members) =
        hashing::hash_stream_with(file.reader(), sel, progress, Some(parse)).at(path)?;
    file.finish(size)?;
    match members.expect("a parser was given") {
        Ok(members) => Ok(TarDigest {
            size,
            hashes,
            members,
        }),
        Err(Stop::Invalid(e)) => Err(not_a_tar(path, &e)),
        Err(Stop::Unsupported(e)) => Err(Error::input(format!(
            "{}: refused, nothing was sealed: {e}. Sealing records each member as GNU tar \
             extracts it; to seal this archive as one file, use --as file",
            path.display()
        ))),
    }
}

/// Hashes a tar file as a whole and member by member, in one pass, reading members with the
/// `tar` crate (through [`flate2`] for gzip): for differential tests.
pub fn hash_tar_with_tar_crate(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    progress: Progress,
) -> Result<TarDigest> {
    inspect_tar_with_tar_crate(path, gzip, sel, progress, &mut NoInspection)
}

/// [`hash_tar_with_tar_crate`], showing each regular member's bytes to `inspector`.
fn inspect_tar_with_tar_crate<I: MemberInspector + Send>(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
) -> Result<TarDigest> {
    let file = StableFile::open(path)?;
    let parse = move |r: &mut ChunkReader| {
        if gzip {
            inspect_members(flate2::read::GzDecoder::new(r), sel, inspector)
        } else {
            inspect_members(r, sel, inspector)
        }
    };
    let (size, hashes, members) =
        hashing::hash_stream_with(file.reader(), sel, progress, Some(parse)).at(path)?;
    file.finish(size)?;
    let members = members
        .expect("a parser was given")
        .map_err(|e| not_a_tar(path, &e))?;
    Ok(TarDigest {
        size,
        hashes,
        members,
    })
}
