//! Streaming hashing in constant memory. The input is read in fixed 512 KiB chunks, each lent
//! to every consumer thread (one per digest, plus optionally a parser such as the tar reader),
//! so the digests run on separate cores; how the chunks reach them (a reader thread, or the
//! consumers reading a file themselves) is `store::chunks`. Memory is bounded:
//! [`POOL_BUFFERS`] × [`CHUNK_SIZE`] read ahead at most.

use crate::format::body::{Hashes, Member};
use crate::format::encoding::hex;
use crate::store::chunks::{push_reads, pushed_queue, Chunk, Feed, SharedReads};
pub use crate::store::chunks::{CHUNK_SIZE, POOL_BUFFERS};
use crate::store::nofollow::{self, StableFile};
use sha2::Digest;
use std::io::{self, BufRead, Read};
use std::thread::{Scope, ScopedJoinHandle};

/// Which digests to compute besides SHA-256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashSelection {
    /// SHA-512 too.
    pub sha512: bool,
    /// MD5 and SHA-1, as labelled legacy values.
    pub legacy: bool,
}

/// Receives the number of bytes read, for a progress display. Must be cheap.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// A progress callback that does nothing.
pub fn no_progress(_: u64) {}

/// Sees the bytes of every regular member of a tar as the member is hashed (the IOC scanner
/// reads them there, so an archive is read once for both).
pub trait MemberInspector {
    /// A regular member starts: its index in the archive and its path.
    fn begin(&mut self, index: usize, path: &str);
    /// The member's next bytes.
    fn update(&mut self, data: &[u8]);
    /// The member ended, with its size and hashes.
    fn end(&mut self, size: u64, hashes: &Hashes);
    /// Forget everything seen: the archive is about to be read again from its start.
    fn reset(&mut self);
    /// Whether it looks at the bytes at all (a reader may then spare a thread).
    fn wants_bytes(&self) -> bool {
        true
    }
    /// Member `index` as the reader records it, once read, in the order the members are
    /// recorded: only the zip reader gives its members this way (so that they need not all be
    /// held), in central directory order. A regular file's hashes are those given to `end`,
    /// or empty when the reader leaves the hashing to the inspector.
    fn record(&mut self, _index: usize, _member: Member) {}
}

impl<T: MemberInspector + ?Sized> MemberInspector for &mut T {
    fn begin(&mut self, index: usize, path: &str) {
        (**self).begin(index, path);
    }

    fn update(&mut self, data: &[u8]) {
        (**self).update(data);
    }

    fn end(&mut self, size: u64, hashes: &Hashes) {
        (**self).end(size, hashes);
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn wants_bytes(&self) -> bool {
        (**self).wants_bytes()
    }

    fn record(&mut self, index: usize, member: Member) {
        (**self).record(index, member);
    }
}

/// The inspector of a plain hashing run: sees nothing.
pub struct NoInspection;

impl MemberInspector for NoInspection {
    fn begin(&mut self, _: usize, _: &str) {}
    fn update(&mut self, _: &[u8]) {}
    fn end(&mut self, _: u64, _: &Hashes) {}
    fn reset(&mut self) {}
    fn wants_bytes(&self) -> bool {
        false
    }
}

/// The selected digests of one byte stream, updated together on one thread (used for small
/// files and tar members).
pub struct MultiHasher {
    sha256: sha2::Sha256,
    sha512: Option<sha2::Sha512>,
    md5: Option<md5::Md5>,
    sha1: Option<sha1::Sha1>,
}

impl MultiHasher {
    /// Starts the digests of `sel`.
    pub fn new(sel: HashSelection) -> Self {
        MultiHasher {
            sha256: sha2::Sha256::new(),
            sha512: sel.sha512.then(sha2::Sha512::new),
            md5: sel.legacy.then(md5::Md5::new),
            sha1: sel.legacy.then(sha1::Sha1::new),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.sha256.update(data);
        if let Some(h) = &mut self.sha512 {
            h.update(data);
        }
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(data);
        }
    }

    /// The hex digests.
    pub fn finish(self) -> Hashes {
        Hashes {
            sha256: hex(&self.sha256.finalize()),
            sha512: self.sha512.map(|h| hex(&h.finalize())),
            legacy_md5: self.md5.map(|h| hex(&h.finalize())),
            legacy_sha1: self.sha1.map(|h| hex(&h.finalize())),
        }
    }
}

/// Hashes a reader on the calling thread (small inputs).
pub fn hash_reader_simple<R: Read>(mut reader: R, sel: HashSelection) -> io::Result<(u64, Hashes)> {
    let mut h = MultiHasher::new(sel);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, h.finish()))
}

/// A `Read` over the chunks a consumer receives; ends with the input. As a `BufRead` it lends
/// the shared chunks themselves ([`BufRead::fill_buf`]), so a consumer can hash them in place
/// instead of copying them out.
pub struct ChunkReader {
    feed: Feed,
    current: Option<Chunk>,
    pos: usize,
}

impl ChunkReader {
    fn new(feed: Feed) -> ChunkReader {
        ChunkReader {
            feed,
            current: None,
            pos: 0,
        }
    }

    /// The unread rest of the current chunk, the next chunk once it is all read, or `None` at
    /// the end of the input.
    fn current(&mut self) -> Option<&[u8]> {
        while self
            .current
            .as_ref()
            .is_none_or(|c| self.pos >= c.bytes().len())
        {
            // Give the buffer back before waiting for the next one.
            self.current = None;
            self.current = Some(self.feed.next_chunk()?);
            self.pos = 0;
        }
        self.current.as_ref().map(|c| &c.bytes()[self.pos..])
    }
}

impl BufRead for ChunkReader {
    /// The unread rest of the current chunk, borrowed from the shared buffer (no copy); the next
    /// chunk once this one is consumed; empty at the end of the stream.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(self.current().unwrap_or(&[]))
    }

    fn consume(&mut self, amt: usize) {
        let len = self.current.as_ref().map_or(0, |c| c.bytes().len());
        self.pos = (self.pos + amt).min(len);
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Some(b) = self.current() else {
            return Ok(0);
        };
        let n = out.len().min(b.len());
        out[..n].copy_from_slice(&b[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// Hashes every chunk of `feed` with `D`; returns the digest and the bytes hashed.
fn digest_consumer<D: Digest>(mut feed: Feed, progress: Progress) -> (String, u64) {
    let mut h = D::new();
    let mut total = 0u64;
    while let Some(c) = feed.next_chunk() {
        h.update(c.bytes());
        total += c.bytes().len() as u64;
        progress(c.bytes().len() as u64);
    }
    (hex(&h.finalize()), total)
}

/// The consumers besides SHA-256's, each on its own thread of `s`, fed by `feed`.
struct Consumers<'scope, T> {
    sha512: Option<ScopedJoinHandle<'scope, (String, u64)>>,
    md5: Option<ScopedJoinHandle<'scope, (String, u64)>>,
    sha1: Option<ScopedJoinHandle<'scope, (String, u64)>>,
    extra: Option<ScopedJoinHandle<'scope, T>>,
}

impl<'scope, T: Send + 'scope> Consumers<'scope, T> {
    fn spawn<'env, F>(
        s: &'scope Scope<'scope, 'env>,
        sel: HashSelection,
        extra: Option<F>,
        feed: &mut dyn FnMut() -> Feed,
    ) -> Self
    where
        F: FnOnce(&mut ChunkReader) -> T + Send + 'scope,
    {
        let [sha512, md5, sha1] = other_digests(sel).map(|f| {
            f.map(|f| {
                let feed = feed();
                s.spawn(move || f(feed, &no_progress))
            })
        });
        let extra = extra.map(|f| {
            // Dropped when `f` returns, the reader holds no other consumer back.
            let mut r = ChunkReader::new(feed());
            s.spawn(move || f(&mut r))
        });
        Consumers {
            sha512,
            md5,
            sha1,
            extra,
        }
    }

    /// Waits for them: the hashes, with SHA-256's given, and the extra consumer's result.
    fn join(self, sha256: String) -> (Hashes, Option<T>) {
        let join = |h: ScopedJoinHandle<'_, (String, u64)>| h.join().expect("digest thread").0;
        let hashes = Hashes {
            sha256,
            sha512: self.sha512.map(join),
            legacy_md5: self.md5.map(join),
            legacy_sha1: self.sha1.map(join),
        };
        let extra = self
            .extra
            .map(|h| h.join().expect("stream consumer thread"));
        (hashes, extra)
    }
}

/// A digest consumer, run on a thread of its own.
type DigestConsumer = fn(Feed, Progress) -> (String, u64);

/// The digests besides SHA-256 that `sel` asks for: SHA-512, MD5, SHA-1 (the order of
/// [`Consumers`]' fields). The one list both [`Consumers::spawn`] and [`consumer_count`] read:
/// shared reads wait for as many consumers as counted, so a count that disagreed with the
/// threads spawned would hang.
fn other_digests(sel: HashSelection) -> [Option<DigestConsumer>; 3] {
    [
        sel.sha512
            .then_some(digest_consumer::<sha2::Sha512> as DigestConsumer),
        sel.legacy
            .then_some(digest_consumer::<md5::Md5> as DigestConsumer),
        sel.legacy
            .then_some(digest_consumer::<sha1::Sha1> as DigestConsumer),
    ]
}

/// How many consumers a pipeline has: SHA-256, the other digests, and the extra one if any.
fn consumer_count(sel: HashSelection, extra: bool) -> usize {
    1 + other_digests(sel).iter().flatten().count() + usize::from(extra)
}

/// Hashes `reader` with the digests of `sel`, each on its own thread, while `extra` (if any)
/// reads the same bytes through a [`ChunkReader`] (`Read`, or `BufRead` without copying) on
/// another thread; the calling thread reads (chunks pushed, see `store::chunks`).
/// Returns the byte count, the hashes and `extra`'s result.
pub fn hash_stream_with<R, T, F>(
    reader: R,
    sel: HashSelection,
    progress: Progress,
    extra: Option<F>,
) -> io::Result<(u64, Hashes, Option<T>)>
where
    R: Read + Send,
    T: Send,
    F: FnOnce(&mut ChunkReader) -> T + Send,
{
    std::thread::scope(|s| {
        let mut senders = Vec::new();
        let mut feed = || {
            let (tx, feed) = pushed_queue();
            senders.push(tx);
            feed
        };
        let own = feed();
        let sha256 = s.spawn(move || digest_consumer::<sha2::Sha256>(own, &no_progress));
        let others = Consumers::spawn(s, sel, extra, &mut feed);
        let total = push_reads(reader, senders, progress);
        let (sha256, _) = sha256.join().expect("digest thread");
        let (hashes, extra) = others.join(sha256);
        Ok((total?, hashes, extra))
    })
}

/// [`hash_stream_with`] over a regular file opened for sealing, from its start. With two
/// consumers or more (a parser, or digests besides SHA-256), they read the file's chunks
/// themselves and the calling thread hashes SHA-256 (chunks shared, see
/// `store::chunks`); otherwise the calling thread reads for the one digest.
pub fn hash_file_with<T, F>(
    file: &StableFile,
    sel: HashSelection,
    progress: Progress,
    extra: Option<F>,
) -> io::Result<(u64, Hashes, Option<T>)>
where
    T: Send,
    F: FnOnce(&mut ChunkReader) -> T + Send,
{
    let consumers = consumer_count(sel, extra.is_some());
    if consumers < 2 {
        return hash_stream_with(file.reader(), sel, progress, extra);
    }
    let reads = SharedReads::new(file.file().try_clone()?, file.read_limit(), consumers);
    let made = std::cell::Cell::new(0);
    let mut feed = || {
        let consumer = made.replace(made.get() + 1);
        assert!(consumer < consumers, "one feed per consumer counted");
        Feed::Shared {
            reads: reads.clone(),
            consumer,
            next: 0,
        }
    };
    std::thread::scope(|s| {
        let own = feed();
        let others = Consumers::spawn(s, sel, extra, &mut feed);
        // A consumer counted and never made would hold the others back: stopped, and in a
        // debug build a failed assertion.
        for missing in made.get()..consumers {
            reads.stop(missing);
        }
        debug_assert_eq!(made.get(), consumers, "a feed for every consumer counted");
        let (sha256, total) = digest_consumer::<sha2::Sha256>(own, progress);
        let (hashes, extra) = others.join(sha256);
        if let Some(e) = reads.failure() {
            return Err(e);
        }
        if reads.faulted() {
            return Err(mapped_read_faulted(file));
        }
        Ok((total, hashes, extra))
    })
}

/// The error of a file whose mapped pages faulted when read: cut short while it was read
/// (bad input, as any change: [`StableFile::finish`]'s words), or, if it is as it was opened,
/// its storage failed (an I/O error).
fn mapped_read_faulted(file: &StableFile) -> io::Error {
    if file.changed_since_open() {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            nofollow::changed_words("cut short: bytes it had when opened were gone when read"),
        )
    } else {
        io::Error::other(
            "a read of its pages failed although it did not change: the storage returned an \
             error. Nothing written; check the medium, or copy the file and seal the copy",
        )
    }
}

/// Hashes a regular file opened for sealing with the digests of `sel` ([`hash_file_with`]
/// without a parser).
pub fn hash_file(
    file: &StableFile,
    sel: HashSelection,
    progress: Progress,
) -> io::Result<(u64, Hashes)> {
    let (n, h, _) = hash_file_with::<(), fn(&mut ChunkReader)>(file, sel, progress, None)?;
    Ok((n, h))
}

/// Hashes `reader` with the digests of `sel` (reading and hashing overlapped).
pub fn hash_stream<R: Read + Send>(
    reader: R,
    sel: HashSelection,
    progress: Progress,
) -> io::Result<(u64, Hashes)> {
    let (n, h, _) = hash_stream_with::<R, (), fn(&mut ChunkReader)>(reader, sel, progress, None)?;
    Ok((n, h))
}

/// An archive (tar or zip) parsed and hashed in one pass: the archive file's bytes and digests,
/// and every member as recorded (FORMAT.md 6.2).
pub struct ArchiveDigest {
    /// Bytes of the archive file.
    pub size: u64,
    /// Hashes of the archive file's bytes (compressed bytes for a gzip tar).
    pub hashes: Hashes,
    /// Every member: a tar's in archive order, a zip's in central directory order.
    pub members: Vec<crate::format::body::Member>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_agrees_with_simple_hashing_across_chunk_boundaries() {
        for len in [
            0usize,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE + 17,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let sel = HashSelection {
                sha512: true,
                legacy: true,
            };
            let (n, h) = hash_stream(&data[..], sel, &no_progress).unwrap();
            let (n2, h2) = hash_reader_simple(&data[..], sel).unwrap();
            assert_eq!((n, &h), (n2, &h2), "len {len}");
            assert_eq!(n as usize, len);
        }
        let (_, h) = hash_stream(&b"abc"[..], HashSelection::default(), &no_progress).unwrap();
        assert_eq!(
            h.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(h.sha512.is_none() && h.legacy_md5.is_none());
    }

    #[test]
    fn a_file_read_by_its_consumers_hashes_as_a_stream_does() {
        for len in [0usize, 1, CHUNK_SIZE, 9 * CHUNK_SIZE + 3] {
            let data: Vec<u8> = (0..len).map(|i| (i * 13 % 247) as u8).collect();
            let mut f = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut f, &data).unwrap();
            let file = StableFile::open(f.path()).unwrap();
            let sel = HashSelection {
                sha512: true,
                legacy: true,
            };
            let seen = std::sync::atomic::AtomicU64::new(0);
            let progress = |n: u64| {
                seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            };
            let copy = |r: &mut ChunkReader| {
                let mut v = Vec::new();
                r.read_to_end(&mut v).unwrap();
                v
            };
            let (n, h, got) = hash_file_with(&file, sel, &progress, Some(copy)).unwrap();
            let (n2, h2) = hash_reader_simple(&data[..], sel).unwrap();
            assert_eq!((n, &h), (n2, &h2), "len {len}");
            assert_eq!(got.unwrap(), data);
            assert_eq!(seen.into_inner(), len as u64);
            file.finish(n).unwrap();
        }
    }

    /// A mapped read that faulted: a change if the file changed (exit 2, like any change),
    /// else the storage's failure (an I/O error, not the user's input).
    #[test]
    fn a_faulted_mapped_read_is_a_change_or_a_storage_error() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, &[7u8; 4096]).unwrap();
        let file = StableFile::open(f.path()).unwrap();
        assert_eq!(mapped_read_faulted(&file).kind(), io::ErrorKind::Other);
        f.as_file().set_len(100).unwrap();
        let e = mapped_read_faulted(&file);
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(e.to_string().contains("changed"), "{e}");
    }

    #[test]
    fn extra_consumer_sees_the_same_bytes() {
        let data: Vec<u8> = (0..5 * CHUNK_SIZE + 3).map(|i| (i % 256) as u8).collect();
        let (_, _, copy) = hash_stream_with(
            &data[..],
            HashSelection::default(),
            &no_progress,
            Some(|r: &mut ChunkReader| {
                let mut v = Vec::new();
                r.read_to_end(&mut v).unwrap();
                v
            }),
        )
        .unwrap();
        assert_eq!(copy.unwrap(), data);
    }

    #[test]
    fn extra_consumer_borrows_the_same_bytes_chunk_by_chunk() {
        let data: Vec<u8> = (0..3 * CHUNK_SIZE + 5).map(|i| (i % 253) as u8).collect();
        let (_, _, got) = hash_stream_with(
            &data[..],
            HashSelection::default(),
            &no_progress,
            Some(|r: &mut ChunkReader| {
                let (mut v, mut sizes) = (Vec::new(), Vec::new());
                loop {
                    let b = r.fill_buf().unwrap();
                    if b.is_empty() {
                        break;
                    }
                    // Consume a part first, then the rest: fill_buf must resume where it was.
                    let n = b.len().min(1000);
                    v.extend_from_slice(&b[..n]);
                    r.consume(n);
                    let rest = r.fill_buf().unwrap().len();
                    let b = r.fill_buf().unwrap();
                    v.extend_from_slice(b);
                    sizes.push(n + rest);
                    r.consume(rest);
                }
                (v, sizes)
            }),
        )
        .unwrap();
        let (copy, sizes) = got.unwrap();
        assert_eq!(copy, data);
        assert_eq!(sizes, vec![CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 5]);
    }

    #[test]
    fn extra_consumer_that_stops_early_does_not_block_the_reader() {
        let data = vec![1u8; 20 * CHUNK_SIZE];
        let (n, _, first) = hash_stream_with(
            &data[..],
            HashSelection::default(),
            &no_progress,
            Some(|r: &mut ChunkReader| {
                let mut b = [0u8; 10];
                r.read_exact(&mut b).unwrap();
                b[0]
            }),
        )
        .unwrap();
        assert_eq!((n, first), (data.len() as u64, Some(1)));
    }
}
