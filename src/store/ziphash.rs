//! Zip archives hashed as a whole and member by member in one pass over the bytes, without
//! extracting: the central directory is read first (positioned reads at the end of the file),
//! then the archive's digests run on their own threads while [`crate::store::zipstream`]
//! decompresses each member on another, from the same chunks (see [`crate::store::hashing`]),
//! and a fourth hashes the members' contents (`store::beside`).

use crate::error::{Error, IoContext, Result};
use crate::format::body::Hashes;
use crate::store::beside::inspect_beside;
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, NoInspection, Progress,
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
///
/// Four threads share the work: one reads the file, one computes the archive's digests, one
/// parses and inflates the members (checking their CRC-32s), and one hashes each member's
/// content (`MemberHashing`) and then shows it to `inspector`.
pub fn inspect_zip<I: MemberInspector + Send>(
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    inspector: &mut I,
) -> Result<ZipDigest> {
    let file = StableFile::open(path)?;
    let dir = zipstream::read_directory(file.file(), file.size()).map_err(|e| refused(path, e))?;
    let dir_ref = &dir;
    let mut stage = MemberHashing {
        sel,
        inner: inspector,
        current: None,
        hashes: Vec::new(),
    };
    let (size, hashes, members) = inspect_beside(&mut stage, |f| {
        let parse = move |r: &mut ChunkReader| zipstream::read_members(r, dir_ref, None, f);
        hashing::hash_stream_with(file.reader(), sel, progress, Some(parse))
    })
    .at(path)?;
    file.finish(size)?;
    let mut members = members
        .expect("a parser was given")
        .map_err(|e| refused(path, e))?;
    for (index, h) in stage.hashes {
        members[index].hashes = Some(h);
    }
    Ok(ZipDigest {
        size,
        hashes,
        members,
    })
}

/// Hashes each regular member's content as it is shown, then shows it to `inner` with its
/// hashes; keeps the hashes by member index.
struct MemberHashing<'a, I> {
    sel: HashSelection,
    inner: &'a mut I,
    current: Option<(usize, MultiHasher)>,
    hashes: Vec<(usize, Hashes)>,
}

impl<I: MemberInspector> MemberInspector for MemberHashing<'_, I> {
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
            self.hashes.push((index, hashes));
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.hashes.clear();
        self.inner.reset();
    }
}
