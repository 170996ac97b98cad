//! Tar archives (plain or gzip) hashed as a whole and member by member in one pass over the
//! bytes, without extracting: the archive's digests run on their own threads while the tar
//! parser hashes each member on another (see [`crate::store::hashing`]).
//!
//! Every tar is read by [`crate::store::tarstream`], which resolves members as GNU `tar -x`
//! does and refuses archives that readers would read differently (FORMAT.md 6.2); it hashes
//! member data in the shared read buffers (a gzip tar: in the decoder's buffer). The `tar`
//! crate's reading ([`crate::store::tarcrate`]) is kept for differential tests: on every
//! archive the streaming reader accepts, it gives the same members (but for a regular member
//! named with a trailing `/`, a directory for GNU tar).

use crate::error::{Error, IoContext, Result};
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, NoInspection, Progress,
};
use crate::store::nofollow::StableFile;
use crate::store::tarcrate;
use crate::store::tarstream::{self, Stop};
use std::path::Path;

/// A parsed and hashed tar: members in archive order.
pub type TarDigest = hashing::ArchiveDigest;

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
    tarstream::collected(|sink, sink_error| {
        inspect_tar_into(path, gzip, sel, progress, inspector, sink, sink_error)
    })
}

/// [`inspect_tar`], giving each member to `sink` in archive order as it is read rather than
/// collecting them: the archive's size and hashes. When `sink` fails, the read stops and
/// `sink_error` gives the error returned.
pub fn inspect_tar_into<I: MemberInspector + Send>(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
    sink: tarstream::MemberSink<'_>,
    sink_error: &mut dyn FnMut() -> Error,
) -> Result<(u64, crate::format::body::Hashes)> {
    let file = StableFile::open(path)?;
    let insp = &mut *inspector;
    let parse = move |r: &mut ChunkReader| {
        if gzip {
            let mut z =
                std::io::BufReader::with_capacity(256 * 1024, flate2::read::GzDecoder::new(r));
            tarstream::inspect_members_into(&mut z, sel, insp, sink)
        } else {
            tarstream::inspect_members_into(r, sel, insp, sink)
        }
    };
    let (size, hashes, members) =
        hashing::hash_file_with(&file, sel, progress, Some(parse)).at(path)?;
    file.finish(size)?;
    match members.expect("a parser was given") {
        Ok(_) => Ok((size, hashes)),
        Err(Stop::Invalid(e)) => Err(not_a_tar(path, &e)),
        Err(Stop::Unsupported(e)) => Err(Error::input(format!(
            "{}: refused, nothing was sealed: {e}. Sealing records each member as GNU tar \
             extracts it; to seal this archive as one file, use --as file",
            path.display()
        ))),
        Err(Stop::Sink) => Err(sink_error()),
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
            tarcrate::inspect_members(flate2::read::GzDecoder::new(r), sel, inspector)
        } else {
            tarcrate::inspect_members(r, sel, inspector)
        }
    };
    let (size, hashes, members) =
        hashing::hash_file_with(&file, sel, progress, Some(parse)).at(path)?;
    file.finish(size)?;
    let members = members
        .expect("a parser was given")
        .map_err(|e| not_a_tar(path, &e.to_string()))?;
    Ok(TarDigest {
        size,
        hashes,
        members,
    })
}
