//! Streaming hashing in constant memory. A reader thread reads fixed 512 KiB chunks into a small
//! pool of buffers and hands each chunk to every consumer thread (one per digest, plus
//! optionally a parser such as the tar reader), so reading and hashing overlap and the digests
//! run on separate cores. Memory is bounded by the pool: [`POOL_BUFFERS`] × [`CHUNK_SIZE`].

use crate::format::body::{Hashes, Member};
use crate::format::encoding::hex;
use sha2::Digest;
use std::io::{self, BufRead, Read};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

/// Size of one read.
pub const CHUNK_SIZE: usize = 1 << 19;
/// Buffers in flight at most, per stream.
pub const POOL_BUFFERS: usize = 8;
/// Chunks queued per consumer before the reader waits.
const QUEUE: usize = 4;

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

/// A buffer that returns itself to its pool when the last consumer drops it.
struct Pooled {
    buf: Vec<u8>,
    pool: Mutex<Sender<Vec<u8>>>,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if let Ok(tx) = self.pool.lock() {
            let _ = tx.send(buf);
        }
    }
}

type Chunk = Arc<Pooled>;

/// A `Read` over the chunks a consumer receives; ends when the reader finishes. As a `BufRead`
/// it lends the shared chunks themselves ([`BufRead::fill_buf`]), so a consumer can hash them
/// in place instead of copying them out.
pub struct ChunkReader {
    rx: Receiver<Chunk>,
    current: Option<Chunk>,
    pos: usize,
}

impl ChunkReader {
    /// Drains remaining chunks so the reader thread is never blocked on this consumer.
    fn drain(&mut self) {
        self.current = None;
        while self.rx.recv().is_ok() {}
    }
}

impl BufRead for ChunkReader {
    /// The unread rest of the current chunk, borrowed from the shared buffer (no copy); the next
    /// chunk once this one is consumed; empty at the end of the stream.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        loop {
            let exhausted = match &self.current {
                Some(c) => self.pos >= c.buf.len(),
                None => true,
            };
            if !exhausted {
                break;
            }
            // Give the buffer back to the pool before waiting for the next one.
            self.current = None;
            match self.rx.recv() {
                Ok(c) => {
                    self.current = Some(c);
                    self.pos = 0;
                }
                Err(_) => return Ok(&[]),
            }
        }
        match &self.current {
            Some(c) => Ok(&c.buf[self.pos..]),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, amt: usize) {
        let len = self.current.as_ref().map_or(0, |c| c.buf.len());
        self.pos = (self.pos + amt).min(len);
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(c) = &self.current {
                if self.pos < c.buf.len() {
                    let n = out.len().min(c.buf.len() - self.pos);
                    out[..n].copy_from_slice(&c.buf[self.pos..self.pos + n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            match self.rx.recv() {
                Ok(c) => {
                    self.current = Some(c);
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
    }
}

/// Reads until `buf` is full or the end of the input; returns the bytes read.
pub(crate) fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn reader_loop<R: Read>(
    mut reader: R,
    consumers: Vec<SyncSender<Chunk>>,
    progress: Progress,
) -> io::Result<u64> {
    let (pool_tx, pool_rx) = channel::<Vec<u8>>();
    let mut allocated = 0;
    let mut total = 0u64;
    loop {
        let mut buf = match pool_rx.try_recv() {
            Ok(b) => b,
            Err(_) if allocated < POOL_BUFFERS => {
                allocated += 1;
                vec![0u8; CHUNK_SIZE]
            }
            Err(_) => pool_rx
                .recv()
                .expect("the pool sender lives in this function"),
        };
        buf.resize(CHUNK_SIZE, 0);
        let n = read_full(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        buf.truncate(n);
        total += n as u64;
        progress(n as u64);
        let chunk = Arc::new(Pooled {
            buf,
            pool: Mutex::new(pool_tx.clone()),
        });
        let mut alive = 0;
        for tx in &consumers {
            if tx.send(chunk.clone()).is_ok() {
                alive += 1;
            }
        }
        drop(chunk);
        if alive == 0 || n < CHUNK_SIZE {
            break;
        }
    }
    Ok(total)
}

fn digest_consumer<D: Digest>(rx: Receiver<Chunk>) -> String {
    let mut h = D::new();
    for c in rx {
        h.update(&c.buf);
    }
    hex(&h.finalize())
}

/// Hashes `reader` with the digests of `sel`, each on its own thread, while `extra` (if any)
/// reads the same bytes through a [`ChunkReader`] (`Read`, or `BufRead` without copying) on
/// another thread. Returns the byte count, the hashes and `extra`'s result.
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
        let mut spawn_digest = |f: fn(Receiver<Chunk>) -> String| {
            let (tx, rx) = sync_channel::<Chunk>(QUEUE);
            senders.push(tx);
            s.spawn(move || f(rx))
        };
        let sha256 = spawn_digest(digest_consumer::<sha2::Sha256>);
        let sha512 = sel
            .sha512
            .then(|| spawn_digest(digest_consumer::<sha2::Sha512>));
        let md5 = sel
            .legacy
            .then(|| spawn_digest(digest_consumer::<md5::Md5>));
        let sha1 = sel
            .legacy
            .then(|| spawn_digest(digest_consumer::<sha1::Sha1>));
        let extra = extra.map(|f| {
            let (tx, rx) = sync_channel::<Chunk>(QUEUE);
            senders.push(tx);
            s.spawn(move || {
                let mut r = ChunkReader {
                    rx,
                    current: None,
                    pos: 0,
                };
                let out = f(&mut r);
                r.drain();
                out
            })
        });
        let total = reader_loop(reader, senders, progress);
        let join = |h: std::thread::ScopedJoinHandle<'_, String>| h.join().expect("digest thread");
        let hashes = Hashes {
            sha256: join(sha256),
            sha512: sha512.map(join),
            legacy_md5: md5.map(join),
            legacy_sha1: sha1.map(join),
        };
        let extra = extra.map(|h| h.join().expect("stream consumer thread"));
        Ok((total?, hashes, extra))
    })
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
