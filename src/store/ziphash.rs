//! Zip archives hashed as a whole and member by member in one pass over the bytes, without
//! extracting: the central directory is read first (positioned reads at the end of the file),
//! then the archive's digests run on their own threads while [`crate::store::zipstream`]
//! decompresses and hashes each member on another, from the same chunks
//! (see [`crate::store::hashing`]).

use crate::error::{Error, IoContext, Result};
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, NoInspection, Progress,
};
use crate::store::nofollow::StableFile;
use crate::store::zipstream::{self, Stop};
use std::path::Path;

/// A parsed and hashed zip: members in central directory order.
pub type ZipDigest = hashing::ArchiveDigest;

/// Whether the file name says zip (`.zip`, any case).
pub fn is_zip_name(path: &Path) -> bool {
    path.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".zip")
}

fn refused(path: &Path, stop: Stop) -> Error {
    match stop {
        Stop::Invalid(e) => Error::input(format!(
            "{}: not a valid zip archive ({e}); nothing was sealed. To seal it as a plain file use --as file",
            path.display()
        )),
        Stop::Unsupported(e) => Error::input(format!(
            "{}: refused, nothing was sealed: {e}. Sealing records each member as unzip extracts it; to seal this archive as one file, use --as file",
            path.display()
        )),
    }
}

/// Hashes a zip file as a whole and member by member, in one pass (FORMAT.md 6.2, "Zip
/// members"). An archive that readers would read differently, or whose members cannot be
/// read (encrypted, an unsupported method), is refused: nothing is recorded for it.
pub fn hash_zip(path: &Path, sel: HashSelection, progress: Progress) -> Result<ZipDigest> {
    inspect_zip(path, sel, progress, &mut NoInspection)
}

/// [`hash_zip`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_zip<I: MemberInspector + Send>(
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
) -> Result<ZipDigest> {
    let file = StableFile::open(path)?;
    let dir = zipstream::read_directory(file.file(), file.size()).map_err(|e| refused(path, e))?;
    let insp = &mut *inspector;
    let dir_ref = &dir;
    let parse = move |r: &mut ChunkReader| zipstream::inspect_members(r, dir_ref, sel, insp);
    let (size, hashes, members) =
        hashing::hash_stream_with(file.reader(), sel, progress, Some(parse)).at(path)?;
    file.finish(size)?;
    let members = members
        .expect("a parser was given")
        .map_err(|e| refused(path, e))?;
    Ok(ZipDigest {
        size,
        hashes,
        members,
    })
}
