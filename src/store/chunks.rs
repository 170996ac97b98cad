//! How the chunks of one input reach the consumers that hash or parse it
//! ([`crate::store::hashing`]), in one of two ways:
//!
//! - **Pushed** ([`push_reads`]): one thread reads the input in order and sends each chunk to
//!   every consumer's queue. Any `Read` can be pushed; with a single consumer, reading and
//!   hashing overlap on two cores.
//! - **Shared** ([`SharedReads`]): the consumers take a file's chunks themselves, whichever
//!   first needs a chunk not yet taken. With two or more consumers (a tar's whole-archive hash
//!   and its member hashes) there is no reader thread competing with them for the cores. The
//!   file's whole chunks are lent from a memory mapping ([`Mapping`]: the page cache itself,
//!   not copied); the rest, and any file that cannot be mapped, is read at its offset
//!   (`pread`), and the reading is shared out by itself: the consumer that is ahead reads more,
//!   which slows it down to the pace of the other.
//!
//! Either way a chunk is read once, lent to every consumer ([`Chunk`], no copy) and its buffer
//! reused (its window unmapped, once all its chunks are) once the last consumer drops it.
//! Memory is bounded: [`POOL_BUFFERS`] chunks are read ahead of the slowest consumer at most.
//! Waking a thread is a system call on the thread that wakes it, so the hashing threads do it
//! only when needed: a pushed reader waits until half the pool is free again, and a shared
//! reader is notified only when a consumer waits.

use crate::store::mapped::Mapping;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Size of one read.
pub const CHUNK_SIZE: usize = 1 << 19;
/// Chunks read ahead of the slowest consumer at most, per input.
pub const POOL_BUFFERS: usize = 8;

/// Bytes of a file mapped at once ([`Mapping`], a window): a multiple of [`RELEASE_STEP`]. A
/// window is unmapped once every consumer has passed it, so the page tables do not grow with
/// the file's size; mapping and unmapping cost page tables made anew, so windows are large.
const WINDOW: usize = 128 * CHUNK_SIZE;

/// Bytes of a window released from memory at once, once every consumer has read them
/// ([`Mapping::release`]): a multiple of [`CHUNK_SIZE`]. Each release interrupts every core
/// running a consumer (a TLB flush), so it is not done at every chunk; what is resident stays
/// under this plus the read-ahead.
const RELEASE_STEP: usize = 8 * CHUNK_SIZE;

/// Free buffers the reader of a pushed input waits for, once all [`POOL_BUFFERS`] are in use,
/// before it reads again: the consumers that return buffers wake it once per this many chunks,
/// not at every chunk (a wake-up is a system call on the hashing thread). At most
/// `POOL_BUFFERS - 1`: when every consumer waits for the reader, each holds at most the last
/// chunk sent, so that many are free.
const REFILL: usize = POOL_BUFFERS / 2;

/// The bytes of one chunk: a buffer that returns itself to its pool when the last consumer
/// drops it, or a part of a window of the file's mapping, released from memory then a step at
/// a time, the window unmapped once all its chunks are dropped.
pub struct Pooled {
    held: Held,
}

/// Where a chunk's bytes are.
enum Held {
    /// Read into a buffer of the pool.
    Read { buf: Vec<u8>, pool: Arc<Pool> },
    /// Bytes of a mapped window, not copied.
    Mapped {
        window: Arc<Window>,
        range: Range<usize>,
    },
}

impl Pooled {
    /// The chunk's bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.held {
            Held::Read { buf, .. } => buf,
            Held::Mapped { window, range } => window.map.bytes(range.clone()),
        }
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        match &mut self.held {
            Held::Read { buf, pool } => pool.give_back(std::mem::take(buf)),
            // The last chunk of a step dropped: every consumer has passed the step's chunks
            // (each takes them in order, and drops one before taking the next).
            Held::Mapped { window, range } => {
                if range.end.is_multiple_of(RELEASE_STEP) {
                    window.map.release(range.end - RELEASE_STEP..range.end);
                }
            }
        }
    }
}

/// [`WINDOW`] bytes of the file, mapped; on being unmapped, says whether a read found the file
/// shorter than it was.
struct Window {
    map: Mapping,
    shrank: Arc<AtomicBool>,
}

impl Drop for Window {
    fn drop(&mut self) {
        if self.map.shrank() {
            self.shrank.store(true, Ordering::Release);
        }
    }
}

/// One chunk of the input, shared by the consumers.
pub type Chunk = Arc<Pooled>;

/// The recycled buffers of one input, allocated on demand.
struct Pool {
    free: Mutex<Free>,
    refilled: Condvar,
}

/// The buffers of a [`Pool`] not lent out, under its lock.
struct Free {
    bufs: Vec<Vec<u8>>,
    /// Buffers allocated so far.
    allocated: usize,
    /// Whether the reader waits for [`REFILL`] free buffers.
    reader_waits: bool,
}

impl Pool {
    fn new() -> Arc<Pool> {
        Arc::new(Pool {
            free: Mutex::new(Free {
                bufs: Vec::new(),
                allocated: 0,
                reader_waits: false,
            }),
            refilled: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Free> {
        self.free.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A buffer of [`CHUNK_SIZE`] bytes: a free one, or a new one (the caller bounds how many
    /// are lent out).
    fn take(&self) -> Vec<u8> {
        let mut free = self.lock();
        let mut buf = free.bufs.pop().unwrap_or_else(|| {
            free.allocated += 1;
            Vec::new()
        });
        drop(free);
        buf.resize(CHUNK_SIZE, 0);
        buf
    }

    /// A buffer of [`CHUNK_SIZE`] bytes, [`POOL_BUFFERS`] allocated at most: once all are lent
    /// out, waits until [`REFILL`] have come back.
    fn take_bounded(&self) -> Vec<u8> {
        let mut free = self.lock();
        if free.bufs.is_empty() && free.allocated >= POOL_BUFFERS {
            free.reader_waits = true;
            while free.bufs.len() < REFILL {
                free = self.refilled.wait(free).unwrap_or_else(|p| p.into_inner());
            }
            free.reader_waits = false;
        }
        drop(free);
        self.take()
    }

    /// `buf` is free again; the waiting reader is woken once [`REFILL`] are.
    fn give_back(&self, buf: Vec<u8>) {
        let mut free = self.lock();
        free.bufs.push(buf);
        let wake = free.reader_waits && free.bufs.len() >= REFILL;
        if wake {
            free.reader_waits = false;
        }
        drop(free);
        if wake {
            self.refilled.notify_one();
        }
    }

    fn chunk(self: &Arc<Self>, buf: Vec<u8>) -> Chunk {
        Arc::new(Pooled {
            held: Held::Read {
                buf,
                pool: self.clone(),
            },
        })
    }
}

/// Where one consumer gets its chunks, in order.
pub enum Feed {
    /// From its queue, filled by [`push_reads`].
    Pushed(Receiver<Chunk>),
    /// By reading them from the file when no other consumer has yet.
    Shared {
        /// The reads shared by the consumers of the input.
        reads: Arc<SharedReads>,
        /// This consumer's number.
        consumer: usize,
        /// The chunk it takes next.
        next: u64,
    },
}

impl Feed {
    /// The next chunk; `None` at the end of the input (or after a read failed: the caller of
    /// the pipeline reports that error).
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        match self {
            Feed::Pushed(rx) => rx.recv().ok(),
            Feed::Shared {
                reads,
                consumer,
                next,
            } => {
                let chunk = reads.take(*consumer, *next)?;
                *next += 1;
                Some(chunk)
            }
        }
    }
}

impl Drop for Feed {
    /// A consumer gone (returned early, or unwinding from a panic) holds no one back: the
    /// input is read to its end without it. (A pushed queue is simply closed: the reader's
    /// sends to it fail, and are not waited on.)
    fn drop(&mut self) {
        if let Feed::Shared {
            reads, consumer, ..
        } = self
        {
            reads.stop(*consumer);
        }
    }
}

/// A consumer's queue for [`push_reads`]: the end the reader sends to, and the consumer's feed.
/// It holds as many chunks as the pool lends, so the reader waits on the pool (woken once per
/// half the pool's chunks), never on a full queue (woken at every chunk).
pub fn pushed_queue() -> (SyncSender<Chunk>, Feed) {
    let (tx, rx) = sync_channel(POOL_BUFFERS);
    (tx, Feed::Pushed(rx))
}

/// Reads until `buf` is full or the end of the input; returns the bytes read.
pub fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
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

/// Reads `reader` to its end on the calling thread, sending every chunk to every consumer
/// (each one's queue holds a few); stops early once no consumer is left. Returns the bytes read.
pub fn push_reads<R: Read>(
    mut reader: R,
    consumers: Vec<SyncSender<Chunk>>,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<u64> {
    let pool = Pool::new();
    let mut total = 0u64;
    loop {
        let mut buf = pool.take_bounded();
        let n = read_full(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        buf.truncate(n);
        total += n as u64;
        progress(n as u64);
        let chunk = pool.chunk(buf);
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

/// What the consumers of a [`SharedReads`] know, under its lock.
struct State {
    /// The next chunk no consumer has started to read.
    unclaimed: u64,
    /// The number of chunks, once a read came short (the end of the file or of the limit).
    end: Option<u64>,
    /// A read that failed: the input ends before that chunk and the pipeline reports the error.
    failed: Option<io::Error>,
    /// Chunks read and not yet taken by every consumer: each with how many still will.
    ready: BTreeMap<u64, (Chunk, usize)>,
    /// The chunk each consumer takes next; `u64::MAX` once it has stopped.
    next: Vec<u64>,
    /// Consumers waiting for a change (a notification when none waits would be a system call
    /// for nothing, at every chunk).
    waiting: usize,
}

impl State {
    /// Whether a consumer may start reading the next chunk: the end is not known and the
    /// chunk is within [`POOL_BUFFERS`] of the slowest consumer.
    fn may_claim(&self) -> bool {
        let slowest = self.next.iter().copied().min().unwrap_or(u64::MAX);
        self.end.is_none()
            && self.failed.is_none()
            && self.unclaimed < slowest.saturating_add(POOL_BUFFERS as u64)
    }

    /// Ends the input at `chunks` chunks at most.
    fn end_at(&mut self, chunks: u64) {
        self.end = Some(self.end.map_or(chunks, |e| e.min(chunks)));
        self.ready.retain(|&k, _| k < chunks);
    }
}

/// A file read at offsets by the consumers of its bytes themselves (see the module doc).
pub struct SharedReads {
    file: File,
    /// Bytes read at most (a file that grew is noticed by reading one byte more than its size).
    limit: u64,
    /// Bytes from the start that are lent from mapped windows (whole chunks within the size;
    /// 0: none). The rest, at least the byte past the size, is read.
    mappable: u64,
    /// The window the last mapped chunk came from, with its number.
    window: Mutex<Option<(u64, Arc<Window>)>>,
    /// A window was unmapped after a read of it faulted (the file was cut short).
    shrank: Arc<AtomicBool>,
    pool: Arc<Pool>,
    state: Mutex<State>,
    changed: Condvar,
}

impl SharedReads {
    /// The reads of `file`'s first `limit` bytes by `consumers` consumers, numbered from 0: its
    /// whole chunks mapped a window at a time when they can be ([`Mapping`]), the rest read.
    pub fn new(file: File, limit: u64, consumers: usize) -> Arc<SharedReads> {
        // Never past the file's end: a page there faults, and a mapped chunk is always whole.
        let size = file.metadata().map_or(0, |m| m.len());
        let mappable = limit.saturating_sub(1).min(size) / CHUNK_SIZE as u64 * CHUNK_SIZE as u64;
        Self::with(file, limit, consumers, mappable)
    }

    /// [`SharedReads::new`], every chunk read (none mapped).
    #[cfg(test)]
    pub fn unmapped(file: File, limit: u64, consumers: usize) -> Arc<SharedReads> {
        Self::with(file, limit, consumers, 0)
    }

    fn with(file: File, limit: u64, consumers: usize, mappable: u64) -> Arc<SharedReads> {
        Arc::new(SharedReads {
            file,
            limit,
            mappable,
            window: Mutex::new(None),
            shrank: Arc::new(AtomicBool::new(false)),
            pool: Pool::new(),
            state: Mutex::new(State {
                unclaimed: 0,
                end: None,
                failed: None,
                ready: BTreeMap::new(),
                next: vec![0; consumers],
                waiting: 0,
            }),
            changed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Chunk `k` for `consumer` (its next): taken from those read, or read now if no consumer
    /// has started it and the read-ahead limit allows, or waited for. `None` past the end.
    fn take(&self, consumer: usize, k: u64) -> Option<Chunk> {
        let mut st = self.lock();
        loop {
            if let Some((chunk, waiting)) = st.ready.get_mut(&k) {
                let chunk = chunk.clone();
                *waiting -= 1;
                if *waiting == 0 {
                    st.ready.remove(&k);
                }
                st.next[consumer] = k + 1;
                // The slowest consumer may have moved: a waiting one may read further.
                self.notify(st);
                return Some(chunk);
            }
            if st.end.is_some_and(|e| k >= e) {
                return None;
            }
            if st.may_claim() {
                st = self.read_next(st);
            } else {
                st.waiting += 1;
                st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
                st.waiting -= 1;
            }
        }
    }

    /// Claims the next unread chunk, reads it with the lock released, and records it.
    fn read_next<'a>(&'a self, mut st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let k = st.unclaimed;
        st.unclaimed += 1;
        drop(st);
        let offset = k.saturating_mul(CHUNK_SIZE as u64);
        let want = self.limit.saturating_sub(offset).min(CHUNK_SIZE as u64) as usize;
        let read = match self.mapped_chunk(offset) {
            Some(chunk) => Ok((CHUNK_SIZE, chunk)),
            None => {
                let mut buf = self.pool.take();
                read_at_full(&self.file, &mut buf[..want], offset).map(|n| {
                    buf.truncate(n);
                    (n, self.pool.chunk(buf))
                })
            }
        };
        let mut st = self.lock();
        match read {
            Ok((n, chunk)) => {
                if n < CHUNK_SIZE {
                    st.end_at(if n > 0 { k + 1 } else { k });
                }
                let waiting = st.next.iter().filter(|&&c| c <= k).count();
                if n > 0 && waiting > 0 && st.end.is_none_or(|e| k < e) {
                    st.ready.insert(k, (chunk, waiting));
                }
            }
            Err(e) => {
                st.end_at(k);
                st.failed.get_or_insert(e);
            }
        }
        if st.waiting > 0 {
            self.changed.notify_all();
        }
        st
    }

    /// The chunk at `offset` lent from its mapped window, if it is one of the whole chunks
    /// within the size and the window can be mapped.
    fn mapped_chunk(&self, offset: u64) -> Option<Chunk> {
        if offset.checked_add(CHUNK_SIZE as u64)? > self.mappable {
            return None;
        }
        let number = offset / WINDOW as u64;
        let start = number * WINDOW as u64;
        let mut current = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let window = match &*current {
            Some((n, w)) if *n == number => w.clone(),
            _ => {
                let len = (self.mappable - start).min(WINDOW as u64) as usize;
                let w = Arc::new(Window {
                    map: Mapping::new(&self.file, start, len)?,
                    shrank: self.shrank.clone(),
                });
                *current = Some((number, w.clone()));
                w
            }
        };
        drop(current);
        let at = (offset - start) as usize;
        Some(Arc::new(Pooled {
            held: Held::Mapped {
                window,
                range: at..at + CHUNK_SIZE,
            },
        }))
    }

    /// Releases the lock and wakes the waiting consumers, if any.
    fn notify(&self, st: MutexGuard<'_, State>) {
        let wake = st.waiting > 0;
        drop(st);
        if wake {
            self.changed.notify_all();
        }
    }

    /// `consumer` takes nothing more (again: nothing changes).
    pub fn stop(&self, consumer: usize) {
        let mut st = self.lock();
        let from = std::mem::replace(&mut st.next[consumer], u64::MAX);
        st.ready.retain(|&k, (_, waiting)| {
            if k >= from {
                *waiting -= 1;
            }
            *waiting > 0
        });
        self.notify(st);
    }

    /// The error of a read that failed, if one did.
    pub fn failure(&self) -> Option<io::Error> {
        self.lock().failed.take()
    }

    /// Once every consumer is done: whether a read of a mapped window faulted (the file no
    /// longer had those bytes, or its storage failed), so that the bytes read from there on
    /// were zeros, not the file's.
    pub fn faulted(&self) -> bool {
        // The last window, unmapped now, says whether a read of it faulted.
        drop(self.window.lock().unwrap_or_else(|p| p.into_inner()).take());
        self.shrank.load(Ordering::Acquire)
    }
}

/// Reads `buf.len()` bytes at `offset`, fewer at the end of the file.
fn read_at_full(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn file_of(len: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, &data).unwrap();
        (f, data)
    }

    fn feed(reads: &Arc<SharedReads>, consumer: usize) -> Feed {
        Feed::Shared {
            reads: reads.clone(),
            consumer,
            next: 0,
        }
    }

    fn drain(mut feed: Feed) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(c) = feed.next_chunk() {
            out.extend_from_slice(c.bytes());
        }
        out
    }

    #[test]
    fn every_consumer_gets_every_byte_in_order_up_to_the_limit() {
        for len in [
            0,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            11 * CHUNK_SIZE + 17,
            WINDOW + 3 * RELEASE_STEP + 2 * CHUNK_SIZE,
        ] {
            let (f, data) = file_of(len);
            let limits = [len as u64 + 1, (len / 2) as u64];
            for (limit, mapped) in limits.into_iter().flat_map(|l| [(l, true), (l, false)]) {
                let reads = if mapped {
                    SharedReads::new(f.reopen().unwrap(), limit, 3)
                } else {
                    SharedReads::unmapped(f.reopen().unwrap(), limit, 3)
                };
                let got: Vec<Vec<u8>> = std::thread::scope(|s| {
                    let hs: Vec<_> = (0..3)
                        .map(|c| {
                            let feed = feed(&reads, c);
                            s.spawn(move || drain(feed))
                        })
                        .collect();
                    hs.into_iter().map(|h| h.join().unwrap()).collect()
                });
                let want = &data[..len.min(limit as usize)];
                for g in got {
                    assert!(g == want, "len {len}, limit {limit}");
                }
                assert!(reads.failure().is_none());
            }
        }
    }

    /// The mapping never reaches past the file's end, whatever the limit: a mapped chunk is
    /// whole, and a page past the end faults.
    #[test]
    fn a_limit_past_the_end_maps_only_the_file() {
        let (f, data) = file_of(2 * CHUNK_SIZE + 3);
        let reads = SharedReads::new(f.reopen().unwrap(), 64 * CHUNK_SIZE as u64, 1);
        assert!(drain(feed(&reads, 0)) == data);
        assert!(reads.failure().is_none());
        assert!(!reads.faulted());
    }

    #[test]
    fn no_consumer_reads_more_than_the_pool_ahead_of_the_slowest() {
        let (f, data) = file_of(3 * POOL_BUFFERS * CHUNK_SIZE);
        let reads = SharedReads::new(f.reopen().unwrap(), data.len() as u64 + 1, 2);
        let taken = AtomicU64::new(0);
        std::thread::scope(|s| {
            let mut fast = feed(&reads, 0);
            let taken = &taken;
            let h = s.spawn(move || {
                while fast.next_chunk().is_some() {
                    taken.fetch_add(1, Ordering::SeqCst);
                }
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            // The other consumer has taken nothing: the first waits once it is the pool ahead.
            assert_eq!(taken.load(Ordering::SeqCst), POOL_BUFFERS as u64);
            assert_eq!(drain(feed(&reads, 1)), data);
            h.join().unwrap();
        });
        assert_eq!(taken.load(Ordering::SeqCst), 3 * POOL_BUFFERS as u64);
    }

    #[test]
    fn a_consumer_that_stops_holds_no_one_back() {
        let (f, data) = file_of(4 * POOL_BUFFERS * CHUNK_SIZE + 5);
        let reads = SharedReads::new(f.reopen().unwrap(), data.len() as u64 + 1, 2);
        let mut quitter = feed(&reads, 1);
        assert!(quitter.next_chunk().is_some());
        drop(quitter);
        assert_eq!(drain(feed(&reads, 0)), data);
        assert!(reads.lock().ready.is_empty());
    }

    #[test]
    fn a_consumer_that_panics_holds_no_one_back() {
        let (f, data) = file_of(4 * POOL_BUFFERS * CHUNK_SIZE);
        let reads = SharedReads::new(f.reopen().unwrap(), data.len() as u64 + 1, 2);
        let mut doomed = feed(&reads, 1);
        let panicked = std::thread::spawn(move || {
            doomed.next_chunk();
            panic!("a parser's bug");
        })
        .join();
        assert!(panicked.is_err());
        let (tx, rx) = std::sync::mpsc::channel();
        let survivor = feed(&reads, 0);
        std::thread::spawn(move || tx.send(drain(survivor)));
        let got = rx.recv_timeout(std::time::Duration::from_secs(60));
        assert!(got.expect("the other consumer must not wait forever") == data);
    }

    #[test]
    fn pushed_reads_lend_at_most_the_pool_and_reach_every_consumer() {
        let data: Vec<u8> = (0..3 * POOL_BUFFERS * CHUNK_SIZE + 5)
            .map(|i| (i * 13 % 251) as u8)
            .collect();
        let read = AtomicU64::new(0);
        let (senders, mut feeds): (Vec<_>, Vec<_>) = (0..5).map(|_| pushed_queue()).unzip();
        let held = feeds.remove(0);
        std::thread::scope(|s| {
            let read = &read;
            let reader = s.spawn(|| {
                push_reads(&data[..], senders, &|n| {
                    read.fetch_add(n, Ordering::SeqCst);
                })
            });
            // Four consumers at different paces; the fifth takes nothing for a while.
            let paced: Vec<_> = feeds
                .into_iter()
                .enumerate()
                .map(|(i, mut feed)| {
                    s.spawn(move || {
                        let mut out = Vec::new();
                        while let Some(c) = feed.next_chunk() {
                            out.extend_from_slice(c.bytes());
                            std::thread::sleep(std::time::Duration::from_millis(i as u64));
                        }
                        out
                    })
                })
                .collect();
            std::thread::sleep(std::time::Duration::from_millis(300));
            let lent = (POOL_BUFFERS * CHUNK_SIZE) as u64;
            assert_eq!(
                read.load(Ordering::SeqCst),
                lent,
                "the reader waits for the pool"
            );
            assert!(drain(held) == data);
            for h in paced {
                assert!(h.join().unwrap() == data);
            }
            assert_eq!(reader.join().unwrap().unwrap(), data.len() as u64);
        });
    }

    #[test]
    fn a_read_that_fails_ends_the_input_and_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let reads = SharedReads::new(File::open(dir.path()).unwrap(), 1 << 30, 2);
        assert!(drain(feed(&reads, 0)).is_empty());
        assert!(drain(feed(&reads, 1)).is_empty());
        let e = reads.failure().expect("reading a directory fails");
        assert_eq!(e.raw_os_error(), Some(libc::EISDIR));
    }
}
