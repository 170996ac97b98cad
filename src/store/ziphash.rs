//! Zip archives hashed as a whole and member by member in one pass over the bytes, without
//! extracting: the central directory is read first (positioned reads at the end of the file),
//! then the archive's digests run on their own threads while [`crate::store::zipstream`]
//! decompresses each member on another, from the same chunks, which these threads read
//! themselves (see [`crate::store::hashing`]), and one more hashes the members' contents
//! (`store::beside`).

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::beside::inspect_beside;
use crate::store::extsort;
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
/// Three threads share the work (more with more digests): one computes the archive's digests,
/// one parses and inflates the members (checking their CRC-32s), the two reading the file's
/// chunks themselves, and one hashes each member's content (`MemberHashing`), shows it to
/// `inspector`, and gives the member to `sink`.
/// Memory does not grow with the member count.
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
        hashed: WaitingHashes::default(),
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
    if let Some(e) = stage.hashed.failed.take() {
        return Err(Error::io(path, e));
    }
    if stage.stopped {
        return Err(sink_error());
    }
    Ok((size, hashes))
}

/// Hashes each regular member's content as it is shown, then shows it to `inner` with its
/// hashes; gives each member recorded to `sink` with its hashes. The hashes wait by member
/// index until the member is recorded ([`WaitingHashes`]).
struct MemberHashing<'a, 's, I> {
    sel: HashSelection,
    inner: &'a mut I,
    current: Option<(usize, MultiHasher)>,
    hashed: WaitingHashes,
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
            self.hashed.put(index, hashes);
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.hashed = WaitingHashes::default();
        self.inner.reset();
    }

    fn record(&mut self, index: usize, mut member: Member) {
        if let Some(hashes) = self.hashed.take(index) {
            member.hashes = Some(hashes);
        }
        if !self.stopped && (self.sink)(member).is_err() {
            self.stopped = true;
        }
    }
}

/// Hashes held in memory, at most, before they go to an on-disk sort.
const HELD_HASHES: usize = 1024;

/// The hashes of the members hashed and not yet recorded, by member index. Members are
/// recorded in index (central directory) order. When the central directory lists them in
/// offset order, each is recorded right after it is hashed and one waits here; otherwise all
/// are hashed before any is recorded ([`zipstream::read_members`]), and past [`HELD_HASHES`]
/// they are sorted by index on disk ([`crate::store::extsort`]) and read back in step with the
/// records, so that memory does not grow with the members.
#[derive(Default)]
struct WaitingHashes {
    held: std::collections::HashMap<usize, Hashes>,
    /// The on-disk sort, once the hashes are too many to hold.
    spilled: Option<extsort::Sorter>,
    /// The sorted hashes being read back, with the next one read ahead.
    sorted: Option<(extsort::Sorted, Option<(usize, Hashes)>)>,
    /// Why the sort failed: the seal is refused with it.
    failed: Option<std::io::Error>,
}

impl WaitingHashes {
    fn put(&mut self, index: usize, hashes: Hashes) {
        if self.spilled.is_none() && (self.held.len() < HELD_HASHES || self.sorted.is_some()) {
            self.held.insert(index, hashes);
            return;
        }
        let sorter = self.spilled.get_or_insert_with(extsort::Sorter::default);
        for (i, h) in self.held.drain().chain(std::iter::once((index, hashes))) {
            if let Err(e) = sorter.push_numbered(i as u64, &h) {
                self.failed.get_or_insert(e);
            }
        }
    }

    fn take(&mut self, index: usize) -> Option<Hashes> {
        if let Some(h) = self.held.remove(&index) {
            return Some(h);
        }
        if let Some(sorter) = self.spilled.take() {
            match sorter.finish() {
                Ok(sorted) => self.sorted = Some((sorted, None)),
                Err(e) => {
                    self.failed.get_or_insert(e);
                }
            }
        }
        let (sorted, next) = self.sorted.as_mut()?;
        loop {
            if next.is_none() {
                let read = sorted
                    .next_record()
                    .and_then(|r| r.map(extsort::numbered).transpose());
                match read {
                    Ok(Some((i, h))) => *next = Some((i as usize, h)),
                    Ok(None) => return None,
                    Err(e) => {
                        self.failed.get_or_insert(e);
                        return None;
                    }
                }
            }
            match next {
                Some((i, _)) if *i == index => return next.take().map(|(_, h)| h),
                Some((i, _)) if *i > index => return None,
                _ => *next = None, // hashes of a member never recorded
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(i: usize) -> Hashes {
        Hashes {
            sha256: format!("{i:064x}"),
            ..Hashes::default()
        }
    }

    #[test]
    fn hashes_waiting_past_the_limit_go_to_the_sort_and_come_back_by_index() {
        let mut w = WaitingHashes::default();
        // Every third member is a directory: no hashes. Hashed in a shuffled (offset) order.
        let n = 3 * HELD_HASHES;
        for i in (0..n).map(|k| (k * 7919) % n).filter(|i| i % 3 != 0) {
            w.put(i, hashes(i));
        }
        assert!(w.spilled.is_some() && w.held.is_empty());
        for i in 0..n {
            let want = (i % 3 != 0).then(|| hashes(i));
            assert_eq!(w.take(i), want, "member {i}");
        }
        assert!(w.failed.is_none());
    }

    #[test]
    fn hashes_recorded_as_they_come_are_held_one_at_a_time() {
        let mut w = WaitingHashes::default();
        for i in 0..3 * HELD_HASHES {
            w.put(i, hashes(i));
            assert_eq!(w.take(i), Some(hashes(i)));
        }
        assert!(w.spilled.is_none() && w.sorted.is_none() && w.held.is_empty());
    }
}
