//! Zip archives hashed as a whole and member by member in one pass over the bytes, without
//! extracting: the central directory is read first (positioned reads at the end of the file),
//! then the archive's digests run on their own threads while [`crate::store::zipstream`]
//! decompresses each member on another, from the same chunks (see [`crate::store::hashing`]),
//! and a fourth hashes the members' contents (`store::beside`).

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::beside::inspect_beside;
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, NoInspection, Progress,
};
use crate::store::nofollow::StableFile;
use crate::store::tarstream::MemberSink;
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
        Stop::Sink => Error::input(format!(
            "{}: nothing was sealed: the member list could not be kept",
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
    crate::store::tarstream::collected(|sink, sink_error| {
        inspect_zip_into(path, sel, progress, inspector, sink, sink_error)
    })
}

/// [`inspect_zip`], giving each member to `sink` in central directory order as it is read
/// rather than collecting them: the archive's size and hashes. When `sink` fails, the members
/// that follow are not given to it, and `sink_error` gives the error returned.
///
/// Four threads share the work: one reads the file, one computes the archive's digests, one
/// parses and inflates the members (checking their CRC-32s), and one hashes each member's
/// content (`MemberHashing`), shows it to `inspector`, and gives the member to `sink`.
/// Memory does not grow with the member count, but for a zip whose central directory does
/// not list the members in offset order ([`zipstream::inspect_members`]).
pub fn inspect_zip_into<I: MemberInspector + Send>(
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
    sink: MemberSink<'_>,
    sink_error: &mut dyn FnMut() -> Error,
) -> Result<(u64, Hashes)> {
    let file = StableFile::open(path)?;
    let dir = zipstream::read_directory(file.file(), file.size()).map_err(|e| refused(path, e))?;
    let dir_ref = &dir;
    let mut stage = MemberHashing {
        sel,
        inner: inspector,
        current: None,
        hashed: std::collections::HashMap::new(),
        sink,
        stopped: false,
    };
    let (size, hashes, read) = inspect_beside(&mut stage, |f| {
        let parse = move |r: &mut ChunkReader| zipstream::read_members(r, dir_ref, None, f);
        hashing::hash_file_with(&file, sel, progress, Some(parse))
    })
    .at(path)?;
    file.finish(size)?;
    read.expect("a parser was given")
        .map_err(|e| refused(path, e))?;
    if stage.stopped {
        return Err(sink_error());
    }
    Ok((size, hashes))
}

/// Hashes each regular member's content as it is shown, then shows it to `inner` with its
/// hashes; gives each member recorded to `sink` with its hashes. The hashes wait by member
/// index until the member is recorded: one at a time, but for a zip whose central directory
/// is not in offset order (then all of them).
struct MemberHashing<'a, 's, I> {
    sel: HashSelection,
    inner: &'a mut I,
    current: Option<(usize, MultiHasher)>,
    hashed: std::collections::HashMap<usize, Hashes>,
    sink: MemberSink<'s>,
    stopped: bool,
}

impl<I: MemberInspector> MemberInspector for MemberHashing<'_, '_, I> {
    fn begin(&mut self, index: usize, path: &str) {
        self.current = Some((index, MultiHasher::new(self.sel)));
        self.inner.begin(index, path);
    }

    fn update(&mut self, data: &[u8]) {
        if let Some((_, h)) = &mut self.current {
            h.update(data);
        }
        self.inner.update(data);
    }

    fn end(&mut self, size: u64, _unhashed: &Hashes) {
        if let Some((index, h)) = self.current.take() {
            let hashes = h.finish();
            self.inner.end(size, &hashes);
            self.hashed.insert(index, hashes);
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.hashed.clear();
        self.inner.reset();
    }

    fn record(&mut self, index: usize, mut member: Member) {
        if let Some(hashes) = self.hashed.remove(&index) {
            member.hashes = Some(hashes);
        }
        if !self.stopped && (self.sink)(member).is_err() {
            self.stopped = true;
        }
    }
}
