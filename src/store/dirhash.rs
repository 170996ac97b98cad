//! Directories hashed file by file on all cores while they are walked, symbolic links recorded
//! and never followed: every member is opened beneath the folder without following a link,
//! and must be, before and after it is read, the file the walk listed ([`nofollow`]).
//!
//! The walk lists the members in the byte order of their paths, one directory at a time
//! ([`list_dir`]), and a reorder buffer gives them out in that order as their files are
//! hashed, never more than [`WINDOW`] ahead: a folder of any number of members is sealed
//! without holding them all ([`hash_directory_into`]).

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::chunks;
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, NoInspection, Progress,
};
use crate::store::nofollow::{self, Identity, Kind, StableFile};
use crate::store::tarstream::SinkStopped;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Mutex;

/// Files larger than this are hashed with the overlapped reader pipeline.
const LARGE_FILE: u64 = 32 << 20;

/// Each hashing thread's read buffer: a file that fits is read without a `stat`.
const READ_BUFFER: usize = 256 * 1024;

/// Files handed to a hashing thread at a time: few enough to share the work evenly, enough
/// that threads rarely wait on each other or wake each other up.
const BATCH: usize = 32;

/// Batches found by the walk and not yet taken by a hashing thread, at most.
const QUEUE: usize = 128;

/// Files to hash: each one's sequence number in the walk (its place among the members), path relative to the root, and identity as
/// listed (`lstat`).
type Batch = Vec<(usize, String, Identity)>;

/// Hashes one regular file (the path the user gave: links in it are followed), choosing the
/// pipeline for large files. Refuses anything but a regular file, and a file that changed
/// while it was read (type, device, inode, size, modification or change time, or a byte count
/// other than its size); never reads more than its size when opened and one byte.
pub fn hash_file(path: &Path, sel: HashSelection, progress: Progress) -> Result<(u64, Hashes)> {
    let file = StableFile::open(path)?;
    let r = if file.size() >= LARGE_FILE {
        hashing::hash_file(&file, sel, progress).at(path)?
    } else {
        let r = hashing::hash_reader_simple(file.reader(), sel).at(path)?;
        progress(r.0);
        r
    };
    file.finish(r.0)?;
    Ok(r)
}

/// The error for a member that could not be opened beneath its folder: a link met on the way
/// (`ELOOP`, `ENOTDIR`) means the folder changed since it was listed.
fn member_open_error(full: &Path, e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(code)
            if code == rustix::io::Errno::LOOP.raw_os_error()
                || code == rustix::io::Errno::NOTDIR.raw_os_error() =>
        {
            nofollow::changed(
                full,
                "a symbolic link now stands in its path; links are never followed",
            )
        }
        _ => Error::io(full, e),
    }
}

/// Hashes the member `rel` of the open folder `root` (`full` names it in messages) with the
/// caller's buffer (one per hashing thread), opening it beneath the folder without following
/// any link and checking it is the regular file the walk listed (`listed`) before and after
/// reading it. A file that fits in the buffer costs an `open`, two `fstat`s, the reads up to
/// its end and a `close`. Same sizes, digests and progress as [`hash_file`].
///
/// `inspector` sees the file's bytes as they are hashed (`begin` with `index` and `rel`, then
/// `update`s, then `end`); on a large file it reads them on a thread of its own.
#[allow(clippy::too_many_arguments)]
fn hash_member_file<I: MemberInspector + Send>(
    root: &File,
    rel: &str,
    full: &Path,
    listed: &Identity,
    sel: HashSelection,
    progress: Progress,
    buf: &mut [u8],
    index: usize,
    inspector: &mut I,
) -> Result<(u64, Hashes)> {
    nofollow::debug_hook("before-open", full);
    let fd = nofollow::open_beneath(root, rel, false).map_err(|e| member_open_error(full, e))?;
    let file = StableFile::from_fd(fd, full, Some(listed))?;
    let mut reader = file.reader();
    let first = chunks::read_full(&mut reader, buf).at(full)?;
    inspector.begin(index, rel);
    if first == buf.len() && file.size() >= LARGE_FILE {
        // The pipeline reads the bytes already read, then the rest of the file.
        let stream = (&buf[..first]).chain(reader);
        let (size, hashes) = if inspector.wants_bytes() {
            let feed = |r: &mut ChunkReader| -> io::Result<()> {
                loop {
                    let n = {
                        let b = r.fill_buf()?;
                        if b.is_empty() {
                            return Ok(());
                        }
                        inspector.update(b);
                        b.len()
                    };
                    r.consume(n);
                }
            };
            let (size, hashes, fed) =
                hashing::hash_stream_with(stream, sel, progress, Some(feed)).at(full)?;
            fed.unwrap_or(Ok(())).at(full)?;
            (size, hashes)
        } else {
            hashing::hash_stream(stream, sel, progress).at(full)?
        };
        file.finish(size)?;
        inspector.end(size, &hashes);
        return Ok((size, hashes));
    }
    let mut h = MultiHasher::new(sel);
    h.update(&buf[..first]);
    inspector.update(&buf[..first]);
    let mut total = first as u64;
    if first == buf.len() {
        loop {
            let n = match reader.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(full, e)),
            };
            h.update(&buf[..n]);
            inspector.update(&buf[..n]);
            total += n as u64;
        }
    }
    file.finish(total)?;
    progress(total);
    let hashes = h.finish();
    inspector.end(total, &hashes);
    Ok((total, hashes))
}

/// One entry of a listed directory, or the contents of one of its subdirectories, waiting for
/// its turn in path order (see [`list_dir`]).
struct Listed {
    /// The entry's name; `name/` for a subdirectory's contents.
    key: String,
    what: What,
}

/// What a [`Listed`] stands for.
enum What {
    /// A regular file, with its identity as listed (`lstat`).
    File(Identity),
    /// A directory (the member itself, not its contents).
    Dir,
    /// A symbolic link and its target.
    Symlink(String),
    /// A device, fifo or socket.
    Other,
    /// The contents of the subdirectory named by the key without its `/`, listed as this
    /// identity.
    Contents(Identity),
}

/// Lists the directory `rel` of the open folder `root` (named `root_path`; `rel` empty: the
/// folder itself) in full, sorted so that a depth-first walk of the listings visits every
/// member in the byte order of its path: each entry under its name and, for a subdirectory,
/// its contents again under the name followed by `/`.
///
/// Why that order is the order of the full paths: within one directory, the paths of the
/// contents of a subdirectory `d` are exactly those that start with `d/`, and `d/` is neither
/// a prefix of another key (names hold no `/`) nor has one as a prefix but `d` itself, which
/// sorts before it as the member `d` sorts before `d/x`. Two paths from different keys
/// therefore first differ within their keys, and compare as their keys do: `a`, `a-b`,
/// `a.b`, `a/` (then `a/x`), `a0`.
///
/// The directory is opened beneath `root` without following links and must be the
/// directory listed (`listed`); each entry's type and identity come from `lstat` on the open
/// directory, and a link's target from `readlinkat`: a link is recorded, never followed. The
/// directory is closed on return.
fn list_dir(
    root: &File,
    root_path: &Path,
    rel: &str,
    listed: Option<&Identity>,
) -> Result<Vec<Listed>> {
    let dir_path = if rel.is_empty() {
        root_path.to_path_buf()
    } else {
        root_path.join(rel)
    };
    let fd: OwnedFd = if rel.is_empty() {
        root.try_clone().at(&dir_path)?.into()
    } else {
        nofollow::open_beneath(root, rel, true).map_err(|e| member_open_error(&dir_path, e))?
    };
    if let Some(listed) = listed {
        let now = nofollow::fstat(&fd).at(&dir_path)?;
        if !listed.same_object(&now) {
            return Err(nofollow::changed(
                &dir_path,
                "replaced by another directory",
            ));
        }
    }
    let mut dir = rustix::fs::Dir::new(fd)
        .map_err(io::Error::from)
        .at(&dir_path)?;
    let mut out = Vec::new();
    while let Some(item) = dir.read() {
        let item = item.map_err(io::Error::from).at(&dir_path)?;
        let name = item.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let name = std::str::from_utf8(name).map_err(|_| {
            Error::input(format!(
                "{}: file name is not UTF-8; rename it or seal the folder as a tar",
                dir_path.join(std::ffi::OsStr::from_bytes(name)).display()
            ))
        })?;
        let dirfd = dir.fd().map_err(io::Error::from).at(&dir_path)?;
        let full = dir_path.join(name);
        let id = nofollow::lstat_at(dirfd, name).at(&full)?;
        let what = match id.kind {
            Kind::Symlink => {
                let target = rustix::fs::readlinkat(dirfd, name, Vec::new())
                    .map_err(io::Error::from)
                    .map_err(|e| match e.raw_os_error() {
                        Some(c) if c == rustix::io::Errno::INVAL.raw_os_error() => {
                            nofollow::changed(&full, "no longer a symbolic link")
                        }
                        _ => Error::io(&full, e),
                    })?;
                What::Symlink(String::from_utf8_lossy(target.to_bytes()).into_owned())
            }
            Kind::Dir => {
                out.push(Listed {
                    key: format!("{name}/"),
                    what: What::Contents(id),
                });
                What::Dir
            }
            Kind::File => What::File(id),
            Kind::Other(_) => What::Other,
        };
        out.push(Listed {
            key: name.to_string(),
            what,
        });
    }
    out.sort_unstable_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    Ok(out)
}

/// A listed directory being walked: its path relative to the root and its entries to come.
struct Frame {
    rel: String,
    rest: std::vec::IntoIter<Listed>,
}

/// A member's place in the walk, until the sink has it.
enum Slot {
    /// A regular file being hashed.
    Hashing(Member),
    /// Complete.
    Ready(Member),
    /// It could not be hashed, or the walk failed here: nothing after it is given.
    Failed(Error),
}

/// A message from a hashing thread.
enum Hashed {
    /// The files of a batch, by sequence number: each hashed, or why it could not be. (One
    /// message a batch, not a file: the walk, waiting for them, is woken once a batch.)
    Files(Vec<(usize, Result<(u64, Hashes)>)>),
    /// The thread panicked: what it held will never come (the scope re-raises the panic).
    Panicked,
}

/// Sends [`Hashed::Panicked`] when a hashing thread unwinds.
struct PanicNotice(Sender<Hashed>);

impl Drop for PanicNotice {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Hashed::Panicked);
        }
    }
}

/// Why the ordered members stopped.
enum Stopped {
    /// The first member in path order that failed (or where the walk failed).
    Failed(Error),
    /// The sink refused a member.
    Sink,
    /// A hashing thread panicked.
    Panicked,
}

/// The reorder buffer: members from the sequence number `next` on, in walk order, given to
/// the sink from its front as soon as they are complete.
struct Ordered<'a> {
    next: usize,
    slots: VecDeque<Slot>,
    given: usize,
    sink: &'a mut (dyn FnMut(Member) -> std::result::Result<(), SinkStopped> + Send),
}

impl Ordered<'_> {
    /// Adds the next member of the walk; its sequence number.
    fn push(&mut self, slot: Slot) -> usize {
        self.slots.push_back(slot);
        self.next + self.slots.len() - 1
    }

    /// The sequence number the next member pushed gets.
    fn end(&self) -> usize {
        self.next + self.slots.len()
    }

    /// Records a hashing thread's message.
    fn take(&mut self, msg: Hashed) -> std::result::Result<(), Stopped> {
        let files = match msg {
            Hashed::Files(files) => files,
            Hashed::Panicked => return Err(Stopped::Panicked),
        };
        for (seq, r) in files {
            let slot = &mut self.slots[seq - self.next];
            let Slot::Hashing(m) = slot else {
                unreachable!("each file is hashed once")
            };
            *slot = match r {
                Ok((size, hashes)) => {
                    let mut m = std::mem::replace(m, empty_member());
                    m.size = Some(size);
                    m.hashes = Some(hashes);
                    Slot::Ready(m)
                }
                Err(e) => Slot::Failed(e),
            };
        }
        Ok(())
    }

    /// Gives the sink every complete member at the front; stops at the first failure.
    fn give(&mut self) -> std::result::Result<(), Stopped> {
        while let Some(slot) = self.slots.pop_front() {
            match slot {
                Slot::Ready(m) => {
                    self.next += 1;
                    self.given += 1;
                    (self.sink)(m).map_err(|SinkStopped| Stopped::Sink)?;
                }
                Slot::Failed(e) => return Err(Stopped::Failed(e)),
                hashing @ Slot::Hashing(_) => {
                    self.slots.push_front(hashing);
                    break;
                }
            }
        }
        Ok(())
    }

    /// Records what the hashing threads have sent, without waiting, then [`Ordered::give`].
    fn poll(&mut self, done: &Receiver<Hashed>) -> std::result::Result<(), Stopped> {
        while let Ok(msg) = done.try_recv() {
            self.take(msg)?;
        }
        self.give()
    }

    /// Waits for a hashing thread's next message (called when the member at the front is a
    /// file sent to be hashed), then [`Ordered::poll`]. Every hashing thread gone counts as
    /// a panic (the scope re-raises it).
    fn wait(&mut self, done: &Receiver<Hashed>) -> std::result::Result<(), Stopped> {
        let msg = done.recv().map_err(|_| Stopped::Panicked)?;
        self.take(msg)?;
        self.poll(done)
    }
}

/// A member with nothing set yet.
fn empty_member() -> Member {
    Member {
        path: String::new(),
        kind: String::new(),
        size: None,
        hashes: None,
        link: None,
        mtime: None,
    }
}

/// Members the walk may be ahead of the last member given to the sink, at most. A file slow
/// to hash (a large one, or on a slow disk) holds back every member after it in path order;
/// the walk then waits rather than list further, so what is held stays a few MiB (with the
/// listings of the directories open on the way: depth times the widest directory) however
/// many members the folder has, while leaving every hashing thread [`BATCH`]es of files.
const WINDOW: usize = 4096;

/// The relative path of `name` in the directory `rel` (empty: the root).
fn join(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    }
}

/// Walks the open folder `root` (named `root_path`) depth first in path order ([`list_dir`]),
/// each member into `ordered` as listed, and sends the regular files (sequence number,
/// relative path and identity) to the hashing threads in batches; at most `window` members
/// are held in `ordered`, which gives them to its sink as they complete. Stops at the first
/// failure in path order (a directory that cannot be listed fails where its contents would
/// be), or once a failure before the next member is known. Returns once every member walked
/// has been given, or why not.
fn walk(
    root: &File,
    root_path: &Path,
    files: SyncSender<Batch>,
    done: &Receiver<Hashed>,
    ordered: &mut Ordered<'_>,
    skip_from: &AtomicUsize,
    window: usize,
) -> std::result::Result<(), Stopped> {
    let mut batch = Vec::with_capacity(BATCH);
    // Sending only fails if every hashing thread is gone, which the scope then reports.
    let send = |batch: &mut Batch| {
        if !batch.is_empty() {
            let _ = files.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
        }
    };
    let mut frames = Vec::new();
    match list_dir(root, root_path, "", None) {
        Ok(listed) => frames.push(Frame {
            rel: String::new(),
            rest: listed.into_iter(),
        }),
        Err(e) => {
            ordered.push(Slot::Failed(e));
        }
    }
    loop {
        ordered.poll(done)?;
        if ordered.end() >= skip_from.load(Ordering::Relaxed) {
            break; // a member before the next failed: nothing after it is needed
        }
        while ordered.slots.len() >= window {
            // The members held wait on files being hashed: every one of them must be sent.
            send(&mut batch);
            ordered.wait(done)?;
        }
        let Some(frame) = frames.last_mut() else {
            break;
        };
        let Some(Listed { key, what }) = frame.rest.next() else {
            frames.pop();
            continue;
        };
        let mut m = empty_member();
        match what {
            What::Contents(id) => {
                let rel = join(&frame.rel, &key[..key.len() - 1]);
                match list_dir(root, root_path, &rel, Some(&id)) {
                    Ok(listed) => frames.push(Frame {
                        rel,
                        rest: listed.into_iter(),
                    }),
                    Err(e) => {
                        ordered.push(Slot::Failed(e));
                        break;
                    }
                }
                continue;
            }
            What::File(id) => {
                m.path = join(&frame.rel, &key);
                m.kind = "file".into();
                let rel = m.path.clone();
                let seq = ordered.push(Slot::Hashing(m));
                batch.push((seq, rel, id));
                if batch.len() == BATCH {
                    send(&mut batch);
                }
                continue;
            }
            What::Dir => m.kind = "dir".into(),
            What::Symlink(target) => {
                m.kind = "symlink".into();
                m.link = Some(target);
            }
            What::Other => m.kind = "other".into(),
        }
        m.path = join(&frame.rel, &key);
        ordered.push(Slot::Ready(m));
    }
    send(&mut batch);
    // The hashing threads end once the files sent are hashed.
    drop(files);
    loop {
        ordered.give()?;
        if ordered.slots.is_empty() {
            return Ok(());
        }
        ordered.wait(done)?;
    }
}

/// Every member of a directory, sorted by path bytes, regular files hashed in parallel while
/// the directory is still being walked.
///
/// On failure, the error is that of the first member in path order that could not be read,
/// a directory that could not be listed (or was replaced) failing at the place of its
/// contents, after the directory itself and before its first member: the same answer
/// whatever the order of the work. Files after it are not hashed.
pub fn hash_directory(root: &Path, sel: HashSelection, progress: Progress) -> Result<Vec<Member>> {
    hash_directory_inspected(root, sel, progress, || NoInspection).map(|(members, _)| members)
}

/// [`hash_directory`], each hashing thread showing the bytes of the files it hashes, as it
/// hashes them, to its own inspector made by `make`; returns the inspectors with the members.
/// Which thread sees which file is not fixed: an inspector's results are to be merged, in an
/// order that does not depend on it. The index an inspector's `begin` gets is the file's
/// place among the members.
pub fn hash_directory_inspected<I, F>(
    root: &Path,
    sel: HashSelection,
    progress: Progress,
    make: F,
) -> Result<(Vec<Member>, Vec<I>)>
where
    I: MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    let mut members = Vec::new();
    let (_, inspectors) = hash_directory_into(
        root,
        sel,
        progress,
        make,
        &mut |m| {
            members.push(m);
            Ok(())
        },
        &mut || unreachable!("collecting never fails"),
    )?;
    Ok((members, inspectors))
}

/// [`hash_directory_inspected`], giving each member to `sink` in path order as soon as it and
/// every member before it are complete, rather than collecting them: the number of members
/// given, and the inspectors. The walk lists at most a fixed number of members ([`WINDOW`])
/// ahead of the last one given, so memory does not grow with the number of members (a file
/// slow to hash makes the walk wait). When `sink` fails, everything stops (files being hashed
/// are finished, no other is started) and `sink_error` gives the error returned. On any other
/// failure (see [`hash_directory`]), the members before it have been given to `sink`.
pub fn hash_directory_into<I, F>(
    root: &Path,
    sel: HashSelection,
    progress: Progress,
    make: F,
    sink: &mut (dyn FnMut(Member) -> std::result::Result<(), SinkStopped> + Send),
    sink_error: &mut dyn FnMut() -> Error,
) -> Result<(usize, Vec<I>)>
where
    I: MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    walk_in_order(root, sel, progress, make, WINDOW, sink, sink_error)
}

/// [`hash_directory_into`] with at most `window` members held.
fn walk_in_order<I, F>(
    root: &Path,
    sel: HashSelection,
    progress: Progress,
    make: F,
    window: usize,
    sink: &mut (dyn FnMut(Member) -> std::result::Result<(), SinkStopped> + Send),
    sink_error: &mut dyn FnMut() -> Error,
) -> Result<(usize, Vec<I>)>
where
    I: MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    let (root_dir, _) = nofollow::open_path(root, Kind::Dir)?;
    let root_dir = &root_dir;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 16);
    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let rx = &Mutex::new(rx);
    let (done_tx, done_rx) = channel::<Hashed>();
    // Files from this sequence number on are not hashed: a member before them failed, or
    // the walk stopped.
    let skip_from = &AtomicUsize::new(usize::MAX);
    let inspectors: &Mutex<Vec<I>> = &Mutex::new(Vec::new());
    let make = &make;
    let mut ordered = Ordered {
        next: 0,
        slots: VecDeque::new(),
        given: 0,
        sink,
    };
    let walked = std::thread::scope(|s| {
        for _ in 0..workers {
            let notice = PanicNotice(done_tx.clone());
            s.spawn(move || {
                let mut buf = vec![0u8; READ_BUFFER];
                let mut inspector = make();
                loop {
                    let batch = rx.lock().expect("no panics while held").recv();
                    let Ok(batch) = batch else { break };
                    let mut hashed = Vec::with_capacity(batch.len());
                    for (seq, rel, listed) in batch {
                        if seq >= skip_from.load(Ordering::Relaxed) {
                            continue;
                        }
                        let path = root.join(&rel);
                        let r = hash_member_file(
                            root_dir,
                            &rel,
                            &path,
                            &listed,
                            sel,
                            progress,
                            &mut buf,
                            seq,
                            &mut inspector,
                        );
                        if r.is_err() {
                            skip_from.fetch_min(seq + 1, Ordering::Relaxed);
                        }
                        hashed.push((seq, r));
                    }
                    if !hashed.is_empty() {
                        // The walk stops listening only once nothing more is needed.
                        let _ = notice.0.send(Hashed::Files(hashed));
                    }
                }
                inspectors
                    .lock()
                    .expect("no panics while held")
                    .push(inspector);
            });
        }
        drop(done_tx);
        let walked = walk(
            root_dir,
            root,
            tx,
            &done_rx,
            &mut ordered,
            skip_from,
            window,
        );
        if walked.is_err() {
            // Nothing more is needed from the hashing threads.
            skip_from.store(0, Ordering::Relaxed);
        }
        walked
    });
    match walked {
        Ok(()) => Ok((
            ordered.given,
            std::mem::take(&mut *inspectors.lock().expect("no panics while held")),
        )),
        Err(Stopped::Failed(e)) => Err(e),
        Err(Stopped::Sink) => Err(sink_error()),
        Err(Stopped::Panicked) => unreachable!("the scope re-raises a hashing thread's panic"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::hashing::no_progress;
    use std::sync::atomic::{AtomicU64, AtomicUsize};

    fn sel() -> HashSelection {
        HashSelection {
            sha512: true,
            legacy: true,
        }
    }

    /// [`hash_member_file`] on `rel` beneath `root`, as the walk would list it.
    fn member(
        root: &Path,
        rel: &str,
        sel: HashSelection,
        progress: Progress,
        buf: &mut [u8],
    ) -> Result<(u64, Hashes)> {
        let (dir, _) = nofollow::open_path(root, Kind::Dir)?;
        let listed = nofollow::lstat_at(&dir, rel).unwrap();
        hash_member_file(
            &dir,
            rel,
            &root.join(rel),
            &listed,
            sel,
            progress,
            buf,
            0,
            &mut NoInspection,
        )
    }

    #[test]
    fn member_hashing_agrees_with_hash_file_at_every_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = vec![0u8; 1000];
        for len in [0usize, 1, 999, 1000, 1001, 2000, 2001, 5555] {
            let p = dir.path().join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            std::fs::write(&p, &data).unwrap();
            let counted = AtomicU64::new(0);
            let count = |n: u64| {
                counted.fetch_add(n, Ordering::Relaxed);
            };
            let got = member(dir.path(), &format!("f{len}"), sel(), &count, &mut buf).unwrap();
            assert_eq!(got, hash_file(&p, sel(), &no_progress).unwrap(), "{len}");
            assert_eq!(got.0, len as u64);
            assert_eq!(counted.load(Ordering::Relaxed), len as u64);
        }
    }

    #[test]
    fn large_files_take_the_pipeline_with_the_bytes_already_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        let data: Vec<u8> = (0..LARGE_FILE as usize + 12345)
            .map(|i| (i % 253) as u8)
            .collect();
        std::fs::write(&p, &data).unwrap();
        let mut buf = vec![0u8; READ_BUFFER];
        let got = member(
            dir.path(),
            "big",
            HashSelection::default(),
            &no_progress,
            &mut buf,
        )
        .unwrap();
        let want = hashing::hash_reader_simple(&data[..], HashSelection::default()).unwrap();
        assert_eq!(got, want);
    }

    #[test]
    fn directory_members_sorted_by_bytes_with_links_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("d");
        for d in ["a", "a/b", "a.b", "z"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for (i, f) in ["a/b/x", "a/y", "a.b/z", "a-", "z/\u{e9}", "top"]
            .iter()
            .enumerate()
        {
            std::fs::write(root.join(f), vec![i as u8; i * 1000]).unwrap();
        }
        std::os::unix::fs::symlink("top", root.join("link")).unwrap();
        let members = hash_directory(&root, HashSelection::default(), &no_progress).unwrap();
        let paths: Vec<&str> = members.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            ["a", "a-", "a.b", "a.b/z", "a/b", "a/b/x", "a/y", "link", "top", "z", "z/\u{e9}"]
        );
        for m in &members {
            let full = root.join(&m.path);
            match m.kind.as_str() {
                "file" => {
                    let (size, hashes) =
                        hash_file(&full, HashSelection::default(), &no_progress).unwrap();
                    assert_eq!((m.size, m.hashes.as_ref()), (Some(size), Some(&hashes)));
                }
                "symlink" => assert_eq!(m.link.as_deref(), Some("top")),
                kind => {
                    assert_eq!(kind, "dir");
                    assert!(m.size.is_none() && m.hashes.is_none());
                }
            }
        }
    }

    #[test]
    fn unreadable_files_name_the_first_in_path_order() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..300 {
            std::fs::write(root.join(format!("f{i:03}")), [1u8; 10]).unwrap();
        }
        for bad in ["f150", "f299", "f151"] {
            let p = root.join(bad);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        }
        if std::fs::File::open(root.join("f150")).is_ok() {
            return; // running as root: permissions do not stop reads
        }
        for _ in 0..5 {
            let err = hash_directory(root, HashSelection::default(), &no_progress).unwrap_err();
            assert!(err.to_string().contains("f150"), "{err}");
        }
    }

    /// Every path under `root`, by a plain recursive listing, sorted by bytes.
    fn sorted_paths(root: &Path) -> Vec<String> {
        fn visit(root: &Path, rel: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(root.join(rel)).unwrap() {
                let e = e.unwrap();
                let name = e.file_name().into_string().unwrap();
                let p = join(rel, &name);
                out.push(p.clone());
                if e.file_type().unwrap().is_dir() {
                    visit(root, &p, out);
                }
            }
        }
        let mut out = Vec::new();
        visit(root, "", &mut out);
        out.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        out
    }

    /// A tree whose names sort differently as names, as `name/` and as full paths.
    fn tricky_tree(root: &Path) {
        // Comma-separated: names hold spaces and bytes over 0x7f.
        let dirs = "a,a/b,a/b-,a/b/c,a-b,a.b,a0,a b,\u{e9},\u{e9}t\u{e9},e,e/\u{ff},z,z/z,z/z/z";
        for d in dirs.split(',') {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let files: Vec<&str> = "a/b/x,a/b-/x,a/b.c,a/b0,a/b-c,a-b/x,a-,a.b/c,a.txt,a/\u{10348},\
             a\u{7f},a\u{e9},a\u{ff},a0/1,b,e/\u{ff}/f,e/\u{ff}0,e/\u{fe},e.txt,z/z/z/z,z/z-,\
             z/z.,\u{e9}/x,\u{e9}t\u{e9}/\u{e9},\u{e9}-"
            .split(',')
            .collect();
        for (i, f) in files.iter().enumerate() {
            std::fs::write(root.join(f), vec![i as u8; i * 7]).unwrap();
        }
        std::os::unix::fs::symlink("a/b", root.join("a/b/link")).unwrap();
        std::os::unix::fs::symlink("../a", root.join("a.b/ln")).unwrap();
    }

    #[test]
    fn walk_order_is_the_byte_order_of_full_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        tricky_tree(root);
        let want = sorted_paths(root);
        for window in [1, 2, 3, 7, WINDOW] {
            let mut got = Vec::new();
            let (n, _) = walk_in_order(
                root,
                HashSelection::default(),
                &no_progress,
                || NoInspection,
                window,
                &mut |m| {
                    got.push(m);
                    Ok(())
                },
                &mut || unreachable!(),
            )
            .unwrap();
            let paths: Vec<&str> = got.iter().map(|m| m.path.as_str()).collect();
            assert_eq!(paths, want, "window {window}");
            assert_eq!(n, want.len());
            for m in &got {
                if m.kind == "file" {
                    let (size, hashes) =
                        hash_file(&root.join(&m.path), HashSelection::default(), &no_progress)
                            .unwrap();
                    assert_eq!((m.size, m.hashes.as_ref()), (Some(size), Some(&hashes)));
                }
            }
        }
    }

    /// Counts the files begun and checks each is within `window` of the members given.
    struct WindowCheck<'a> {
        given: &'a AtomicUsize,
        window: usize,
        begun: usize,
    }

    impl MemberInspector for WindowCheck<'_> {
        fn begin(&mut self, index: usize, _: &str) {
            let given = self.given.load(Ordering::SeqCst);
            assert!(index < given + self.window, "{index} begun, {given} given");
            self.begun += 1;
        }
        fn update(&mut self, _: &[u8]) {}
        fn end(&mut self, _: u64, _: &Hashes) {}
        fn reset(&mut self) {}
    }

    #[test]
    fn a_small_window_bounds_the_walk_and_keeps_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in 0..20 {
            let sub = root.join(format!("d{}", d * 7 % 20));
            std::fs::create_dir(&sub).unwrap();
            for f in 0..60 {
                std::fs::write(sub.join(format!("f{f}")), [d as u8; 100]).unwrap();
            }
        }
        // One large file early in path order, slow to hash while the rest wait.
        std::fs::write(root.join("d0/big"), vec![7u8; LARGE_FILE as usize + 1]).unwrap();
        let want = sorted_paths(root);
        for window in [1, 5, 64] {
            let given = AtomicUsize::new(0);
            let mut paths = Vec::new();
            let (n, checks) = walk_in_order(
                root,
                HashSelection::default(),
                &no_progress,
                || WindowCheck {
                    given: &given,
                    window,
                    begun: 0,
                },
                window,
                &mut |m| {
                    paths.push(m.path);
                    given.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                },
                &mut || unreachable!(),
            )
            .unwrap();
            assert_eq!(paths, want, "window {window}");
            assert_eq!(n, want.len());
            assert_eq!(checks.iter().map(|c| c.begun).sum::<usize>(), 20 * 60 + 1);
        }
    }

    #[test]
    fn a_stopped_sink_stops_the_walk_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in 0..2000 {
            std::fs::write(root.join(format!("f{f:04}")), [1u8; 10]).unwrap();
        }
        let begun = AtomicUsize::new(0);
        struct Count<'a>(&'a AtomicUsize);
        impl MemberInspector for Count<'_> {
            fn begin(&mut self, _: usize, _: &str) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
            fn update(&mut self, _: &[u8]) {}
            fn end(&mut self, _: u64, _: &Hashes) {}
            fn reset(&mut self) {}
        }
        let mut seen = Vec::new();
        let err = walk_in_order(
            root,
            HashSelection::default(),
            &no_progress,
            || Count(&begun),
            8,
            &mut |m| {
                seen.push(m.path);
                if seen.len() == 10 {
                    Err(SinkStopped)
                } else {
                    Ok(())
                }
            },
            &mut || Error::input("the sink is full"),
        )
        .map(|_| ())
        .unwrap_err();
        assert_eq!(err.to_string(), "the sink is full");
        let want: Vec<String> = (0..10).map(|f| format!("f{f:04}")).collect();
        assert_eq!(seen, want);
        // The walk went no further than the window, and the hashing threads stopped.
        assert!(begun.load(Ordering::SeqCst) <= 10 + 8 + BATCH, "{begun:?}");
    }

    /// Changes a file when the file before it begins: the file then fails as changed since
    /// it was listed, whoever runs the tests (root reads any file), always at the same place.
    struct Sabotage<'a> {
        root: &'a Path,
        at: &'a [(&'a str, &'a str)],
    }

    impl MemberInspector for Sabotage<'_> {
        fn begin(&mut self, _: usize, path: &str) {
            for (when, victim) in self.at.iter().filter(|(w, _)| *w == path) {
                let p = self.root.join(victim);
                let mut bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{when}: {e}"));
                bytes.push(b'!');
                std::fs::write(p, bytes).unwrap();
            }
        }
        fn update(&mut self, _: &[u8]) {}
        fn end(&mut self, _: u64, _: &Hashes) {}
        fn reset(&mut self) {}
    }

    /// The error and the members given before it, with `at` sabotaged.
    fn first_failure(root: &Path, at: &[(&str, &str)]) -> (String, Vec<String>) {
        let mut given = Vec::new();
        let err = hash_directory_into(
            root,
            HashSelection::default(),
            &no_progress,
            || Sabotage { root, at },
            &mut |m| {
                given.push(m.path);
                Ok(())
            },
            &mut || unreachable!(),
        )
        .map(|_| ())
        .unwrap_err();
        (err.to_string(), given)
    }

    #[test]
    fn changed_files_fail_at_the_first_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..300 {
            std::fs::write(root.join(format!("f{i:03}")), [1u8; 10]).unwrap();
        }
        // Each victim is in the batch of the file that changes it, just after it.
        let at = [("f297", "f299"), ("f149", "f151"), ("f149", "f150")];
        for _ in 0..5 {
            let (err, given) = first_failure(root, &at);
            assert!(err.contains("f150") && err.contains("changed"), "{err}");
            let want: Vec<String> = (0..150).map(|i| format!("f{i:03}")).collect();
            assert_eq!(given, want);
            for i in 0..300 {
                std::fs::write(root.join(format!("f{i:03}")), [1u8; 10]).unwrap();
            }
        }
    }

    #[test]
    fn a_directory_that_cannot_be_listed_fails_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("m")).unwrap();
        let bad = std::ffi::OsStr::from_bytes(b"bad\xff");
        std::fs::write(root.join("m").join(bad), b"x").unwrap();
        for f in ["a", "m-", "m0", "z"] {
            std::fs::write(root.join(f), [1u8; 10]).unwrap();
        }
        let reset = || {
            for f in ["a", "m-", "m0", "z"] {
                std::fs::write(root.join(f), [1u8; 10]).unwrap();
            }
        };
        for _ in 0..3 {
            // The directory's contents come after `m-` and before `m0`.
            let (err, given) = first_failure(root, &[]);
            assert!(err.contains("not UTF-8"), "{err}");
            assert_eq!(given, ["a", "m", "m-"]);
            // A file after them: the directory still fails first.
            let (err, given) = first_failure(root, &[("a", "z"), ("a", "m0")]);
            assert!(err.contains("not UTF-8"), "{err}");
            assert_eq!(given, ["a", "m", "m-"]);
            reset();
            // A file before them fails first.
            let (err, given) = first_failure(root, &[("a", "m-")]);
            assert!(err.contains("m-") && err.contains("changed"), "{err}");
            assert_eq!(given, ["a", "m"]);
            reset();
        }
    }
}
