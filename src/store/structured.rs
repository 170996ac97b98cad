//! Structured readers for indicators matched in context (FORMAT.md 6.8): the bytes of each file
//! or member, as they are hashed, also go to a reader chosen by their first bytes (not their
//! name): SQLite databases (`SQLite format 3\0`) are spooled to a private temporary copy,
//! property lists (`bplist00`, XML `<plist`) and JSON (`{`, `[`) are kept in memory, and other
//! text (no NUL byte in its first 4 KiB) is read line by line for the lines of iOS logs that
//! name processes. Each is parsed at the member's end, once its bytes are all seen; the values
//! go to [`Matcher::value_hits`] and friends (`format::iocvalue`).
//!
//! Bounds: a SQLite database (or its `-wal`) over [`MAX_SQLITE`] bytes, a property list or JSON
//! document over [`MAX_IN_MEMORY`] bytes is not parsed (its content is still searched), and a
//! member that does not parse as its format is content-searched only. A database is read as
//! soon as it and its `NAME-wal` sibling are both seen; one whose WAL has not been seen waits
//! for it until the exhibit's end (then the waiting databases are read on every core), within
//! [`MAX_PENDING`] bytes of spooled databases and [`MAX_WAITING`] databases; past either, the
//! oldest is read then, without. A WAL waits for its database likewise, [`MAX_WAITING`] WALs
//! at most; past that, the oldest is given up (its bytes were searched as content).
//!
//! Databases and WALs wait in one spool file per reader, in a private directory (mode 0700,
//! files 0600) deleted when the scan of the exhibit ends; each is read from a copy written
//! from the spool (the evidence itself is never opened by SQLite). A copy with its WAL is
//! opened read-write so that SQLite applies the WAL, one without read-only and immutable (SQLite
//! then makes no file beside it); both with `query_only`, `trusted_schema=OFF` and SQLite's
//! defensive mode; only ordinary tables are read (no views, no virtual tables).

use crate::format::iocmatch::{Hit, Matcher, On};
use crate::format::iocvalue::{bounded, ps_header, MAX_LINE, MAX_NAME};
use crate::format::kinds::ioc_scan::Location;
use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest SQLite database (or WAL) read as tables: 256 MiB, spooled to disk.
pub const MAX_SQLITE: u64 = 256 << 20;
/// Largest property list or JSON document parsed: 32 MiB, held in memory.
pub const MAX_IN_MEMORY: u64 = 32 << 20;
/// Spooled databases waiting for their WAL, at most (bytes).
pub const MAX_PENDING: u64 = 1 << 30;
/// Databases waiting for their WAL, and WALs waiting for their database, at most, each (a
/// count: what each costs in memory, its member path and place in the spool, then does not
/// grow with the number of databases of an exhibit).
pub const MAX_WAITING: usize = 1 << 16;
/// Bytes looked at to choose a reader.
const HEAD: usize = 4096;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

enum Sink {
    /// Fewer than [`HEAD`] bytes seen yet.
    Undecided,
    /// Not read as structured data.
    Nothing,
    /// A database going to the spool from this offset.
    Sqlite(u64),
    /// A WAL going to the spool from this offset.
    Wal(u64),
    Plist(Vec<u8>),
    Json(Vec<u8>),
    Log(LogLines),
}

/// The line reader of text members: only the lines holding one of [`LOG_MARKERS`] are
/// examined (found all at once by an automaton), the others are counted.
#[derive(Default)]
struct LogLines {
    /// The current line's bytes so far (it started in an earlier piece).
    partial: Vec<u8>,
    /// Lines completed so far.
    line: u64,
    /// The current line is longer than [`MAX_LINE`]: skipped.
    skipping: bool,
    /// `ps` output (its first line is a `ps` header): the column of `COMMAND`; every line is
    /// examined.
    ps: Option<usize>,
}

/// What a process-naming log line holds (`format::iocvalue::log_process`).
const LOG_MARKERS: [&str; 3] = ["remaining client pid: ", "Process:", "Path:"];

fn markers() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(LOG_MARKERS).expect("three fixed patterns build")
    })
}

fn newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

impl LogLines {
    fn update(&mut self, m: &Matcher, data: &[u8], out: &mut Vec<Hit>) {
        let Some(first) = data.iter().position(|&b| b == b'\n') else {
            self.carry(data);
            return;
        };
        // The line that started in an earlier piece ends here: examined whole.
        self.carry(&data[..first]);
        self.line += 1;
        if !self.skipping {
            if self.line == 1 {
                self.ps = ps_header(&self.partial);
            }
            self.examine(m, out);
        }
        self.partial.clear();
        self.skipping = false;
        let rest = &data[first + 1..];
        let (body, tail) = match rest.iter().rposition(|&b| b == b'\n') {
            Some(l) => rest.split_at(l + 1),
            None => (&rest[..0], rest),
        };
        if let Some(col) = self.ps {
            for (i, l) in body.split(|&b| b == b'\n').enumerate() {
                if l.len() <= MAX_LINE {
                    out.extend(m.ps_line_hits(l, col, self.line + 1 + i as u64));
                }
            }
            self.line += newlines(body);
            self.carry(tail);
            return;
        }
        // Complete lines: only those holding a marker are examined.
        let (mut counted, mut line, mut done_until) = (0usize, self.line, 0usize);
        for mat in markers().find_iter(body) {
            let p = mat.start();
            if p < done_until {
                continue;
            }
            line += newlines(&body[counted..p]);
            counted = p;
            let start = body[..p]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = p + body[p..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(body.len() - p);
            if end - start <= MAX_LINE {
                out.extend(m.log_line_hits(&body[start..end], line + 1));
            }
            done_until = end;
        }
        self.line += newlines(body);
        self.carry(tail);
    }

    /// Bytes of the current line, not ended yet.
    fn carry(&mut self, data: &[u8]) {
        if !self.skipping {
            self.partial.extend_from_slice(data);
            if self.partial.len() > MAX_LINE {
                self.partial.clear();
                self.skipping = true;
            }
        }
    }

    /// The current line (in `partial`), complete.
    fn examine(&self, m: &Matcher, out: &mut Vec<Hit>) {
        match self.ps {
            Some(col) if self.line > 1 => out.extend(m.ps_line_hits(&self.partial, col, self.line)),
            Some(_) => {}
            None => out.extend(m.log_line_hits(&self.partial, self.line)),
        }
    }

    fn finish(&mut self, m: &Matcher, out: &mut Vec<Hit>) {
        if !self.skipping && !self.partial.is_empty() {
            self.line += 1;
            self.examine(m, out);
        }
    }
}

struct Current {
    member: Option<String>,
    head: Vec<u8>,
    sink: Sink,
    size: u64,
    hits: Vec<Hit>,
}

/// The bytes of one database or WAL in a spool file, as they were seen.
#[derive(Clone)]
struct Region {
    spool: Arc<File>,
    offset: u64,
    len: u64,
}

impl Region {
    /// Gives the region's disk space back (a hole punched in the spool): what it held was
    /// read.
    fn release(&self) {
        use rustix::fs::{fallocate, FallocateFlags};
        let flags = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
        let _ = fallocate(&*self.spool, flags, self.offset, self.len);
    }

    /// Makes `to` hold exactly the region's bytes: written over what it held, then cut to
    /// their length. (Not emptied first: ext4 writes a file emptied and rewritten out to disk
    /// when it is closed, which made each database read wait for the disk.)
    fn copy_to(&self, to: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let out = o.open(to)?;
        let (mut from, mut at) = (self.offset, 0u64);
        // In the kernel (no copy through a buffer of ours), else through one on the stack.
        while at < self.len {
            let left = usize::try_from(self.len - at).unwrap_or(usize::MAX);
            match rustix::fs::copy_file_range(
                &*self.spool,
                Some(&mut from),
                &out,
                Some(&mut at),
                left,
            ) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let mut buf = [0u8; 64 * 1024];
        while at < self.len {
            let want = usize::try_from(self.len - at).map_or(buf.len(), |n| n.min(buf.len()));
            let n = self.spool.read_at(&mut buf[..want], self.offset + at)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            out.write_all_at(&buf[..n], at)?;
            at += n as u64;
        }
        out.set_len(self.len)
    }
}

/// The one file of a reader's private directory that the databases and WALs of its members
/// are appended to as they are seen, while they wait to be read: one file however many
/// databases (creating a file for each was most of a scan's time on an extraction with tens of
/// thousands of them). A region read is given back ([`Region::release`]), so the disk used is
/// about what waits.
struct Spool {
    writer: std::io::BufWriter<File>,
    file: Arc<File>,
    len: u64,
}

/// Databases spooled and waiting for their WAL (or WALs for their database, by the database's
/// path), oldest first, with their bytes' total. Each is found by its member path in constant
/// time and taken out in logarithmic time, whatever the order in which an archive gives
/// databases and WALs (a list searched from its start made a scan quadratic in the databases
/// waiting).
#[derive(Default)]
struct Waiting {
    /// By arrival number.
    list: std::collections::BTreeMap<usize, (Option<String>, Region)>,
    /// The next arrival number.
    next: usize,
    /// The arrival numbers waiting at each member path, oldest first, by a keyed hash of the
    /// path (8 bytes a database, not a second copy of its path; the paths are compared on
    /// lookup, so two that share a hash are still told apart).
    by_path: std::collections::HashMap<u64, Ids>,
    keys: std::collections::hash_map::RandomState,
    bytes: u64,
}

/// The arrival numbers of [`Waiting`] under one hash: almost always one.
enum Ids {
    One(usize),
    Many(std::collections::VecDeque<usize>),
}

impl Waiting {
    fn hash(&self, member: &Option<String>) -> u64 {
        use std::hash::BuildHasher;
        self.keys.hash_one(member)
    }

    /// Adds a database at `member`; its arrival number.
    fn push(&mut self, member: Option<String>, region: Region) -> usize {
        let id = self.next;
        self.next += 1;
        let h = self.hash(&member);
        self.bytes += region.len;
        self.list.insert(id, (member, region));
        match self.by_path.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Ids::One(id));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let ids = o.get_mut();
                if let Ids::One(old) = *ids {
                    *ids = Ids::Many([old].into());
                }
                if let Ids::Many(q) = ids {
                    q.push_back(id);
                }
            }
        }
        id
    }

    /// Takes out the oldest waiting at `member`.
    fn take_member(&mut self, member: &Option<String>) -> Option<(Option<String>, Region)> {
        let id = self.of_member(member)?;
        self.take(id)
    }

    /// The oldest database waiting at `member`.
    fn of_member(&self, member: &Option<String>) -> Option<usize> {
        let at = |id: &usize| self.list.get(id).is_some_and(|(m, _)| m == member);
        match self.by_path.get(&self.hash(member))? {
            Ids::One(id) => at(id).then_some(*id),
            Ids::Many(q) => q.iter().copied().find(at),
        }
    }

    fn oldest(&self) -> Option<usize> {
        self.list.keys().next().copied()
    }

    fn take(&mut self, id: usize) -> Option<(Option<String>, Region)> {
        let (member, region) = self.list.remove(&id)?;
        let h = self.hash(&member);
        if let std::collections::hash_map::Entry::Occupied(mut o) = self.by_path.entry(h) {
            let gone = match o.get_mut() {
                Ids::One(x) => *x == id,
                Ids::Many(q) => {
                    // The oldest at its path, but for two paths sharing a hash.
                    if q.front() == Some(&id) {
                        q.pop_front();
                    } else {
                        q.retain(|&x| x != id);
                    }
                    q.is_empty()
                }
            };
            if gone {
                o.remove();
            }
        }
        self.bytes -= region.len;
        Some((member, region))
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every database waiting, oldest first; none waits after.
    fn drain(&mut self) -> Vec<(Option<String>, Region)> {
        self.bytes = 0;
        self.by_path.clear();
        std::mem::take(&mut self.list).into_values().collect()
    }
}

/// The structured reading of the files or members of one exhibit, one at a time.
pub struct Structured<'m> {
    m: &'m Matcher,
    dir: Option<tempfile::TempDir>,
    /// Directories of readers absorbed ([`Structured::absorb`]), holding some of `pending`.
    kept_dirs: Vec<tempfile::TempDir>,
    spool: Option<Spool>,
    /// The copy a database is read from (with its WAL beside it), rewritten for each.
    copy: Option<PathBuf>,
    current: Option<Current>,
    /// Databases spooled, waiting for the exhibit's end: member and bytes.
    pending: Waiting,
    /// WALs spooled and waiting for their database, by the member path of that database.
    wals: Waiting,
    hits: Vec<(Option<String>, Hit)>,
}

impl<'m> Structured<'m> {
    /// Reads nothing yet.
    pub fn new(m: &'m Matcher) -> Structured<'m> {
        Structured {
            m,
            dir: None,
            kept_dirs: Vec::new(),
            spool: None,
            copy: None,
            current: None,
            pending: Waiting::default(),
            wals: Waiting::default(),
            hits: Vec::new(),
        }
    }

    /// The indicators it reads for.
    pub fn matcher(&self) -> &'m Matcher {
        self.m
    }

    /// A file or member starts (`member`: its path in the exhibit, `None` for a single file).
    pub fn begin(&mut self, member: Option<String>) {
        self.current = Some(Current {
            member,
            head: Vec::new(),
            sink: Sink::Undecided,
            size: 0,
            hits: Vec::new(),
        });
    }

    /// Its next bytes.
    pub fn update(&mut self, data: &[u8]) {
        let Some(mut c) = self.current.take() else {
            return;
        };
        c.size += data.len() as u64;
        if matches!(c.sink, Sink::Undecided) {
            let room = HEAD - c.head.len();
            let (a, rest) = data.split_at(room.min(data.len()));
            c.head.extend_from_slice(a);
            if c.head.len() == HEAD {
                self.decide(&mut c);
                let head = std::mem::take(&mut c.head);
                self.feed(&mut c, &head);
                self.feed(&mut c, rest);
            }
        } else {
            self.feed(&mut c, data);
        }
        self.current = Some(c);
    }

    /// The file or member ended: parsed now (a database: at the exhibit's end).
    pub fn end(&mut self) {
        let Some(mut c) = self.current.take() else {
            return;
        };
        if matches!(c.sink, Sink::Undecided) {
            self.decide(&mut c);
            let head = std::mem::take(&mut c.head);
            self.feed(&mut c, &head);
        }
        let m = self.m;
        match std::mem::replace(&mut c.sink, Sink::Nothing) {
            Sink::Sqlite(start) => {
                if let Some(region) = self.spooled(start) {
                    let id = self.pending.push(c.member.clone(), region);
                    // Its WAL already seen: nothing more to wait for.
                    if self.wals.of_member(&c.member).is_some() {
                        self.read_pending(id);
                    }
                    self.flush_pending();
                }
            }
            Sink::Wal(start) => {
                if let Some(region) = self.spooled(start) {
                    let db = c
                        .member
                        .as_deref()
                        .and_then(|x| x.strip_suffix("-wal"))
                        .map(str::to_string);
                    let waiting = self.pending.of_member(&db);
                    if let Some((_, old)) = self.wals.take_member(&db) {
                        old.release();
                    }
                    self.wals.push(db, region);
                    // Its database already seen: read now, with it.
                    if let Some(i) = waiting {
                        self.read_pending(i);
                    }
                    self.flush_pending();
                }
            }
            Sink::Plist(bytes) => {
                m.plist_hits(&bytes, On::Plist, &Location::default(), &mut c.hits)
            }
            Sink::Json(bytes) => json_hits(m, &bytes, &mut c.hits),
            Sink::Log(mut l) => l.finish(m, &mut c.hits),
            Sink::Nothing | Sink::Undecided => {}
        }
        let member = c.member;
        self.hits
            .extend(c.hits.into_iter().map(|h| (member.clone(), h)));
    }

    /// Takes over what `other` read of other files of the same exhibit (read beside this one,
    /// on another thread): its hits, and its databases and WALs still waiting, so that a
    /// database meets its `NAME-wal` whichever reader saw each.
    pub fn absorb(&mut self, mut other: Structured<'m>) {
        other.end();
        self.hits.append(&mut other.hits);
        for (member, region) in other.pending.drain() {
            self.pending.push(member, region);
        }
        for (db, region) in other.wals.drain() {
            if let Some((_, old)) = self.wals.take_member(&db) {
                old.release();
            }
            self.wals.push(db, region);
        }
        // Its spool stays in `other`'s directory, deleted with it when this reading ends.
        self.kept_dirs.extend(other.dir.take());
        self.kept_dirs.append(&mut other.kept_dirs);
        // Nothing is read or given up here: a database and its WAL seen by two readers meet
        // only once every reader is absorbed ([`Structured::finish`]). What waits is then at
        // most the readers' count times each one's bounds.
    }

    /// Reads the databases still waiting (on every core) and returns every hit; the spools
    /// and copies are deleted.
    pub fn finish(mut self) -> Vec<(Option<String>, Hit)> {
        let waiting: Vec<(Option<String>, Region, Option<Region>)> = self
            .pending
            .drain()
            .into_iter()
            .map(|(member, region)| {
                let wal = self.wals.take_member(&member).map(|(_, r)| r);
                (member, region, wal)
            })
            .collect();
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8)
            .min(waiting.len());
        // Each worker reads from a copy of its own.
        let dir = if workers == 0 {
            None
        } else {
            self.private_dir()
        };
        let copies: Vec<PathBuf> = dir.map_or_else(Vec::new, |dir| {
            (0..workers)
                .map(|i| dir.join(format!("read-{i}.db")))
                .collect()
        });
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::new());
        let m = self.m;
        std::thread::scope(|s| {
            for copy in &copies {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((member, db, wal)) = waiting.get(i) else {
                        return;
                    };
                    let hits = read_region(m, db, wal.as_ref(), copy);
                    let mut all = results.lock().expect("no panics while held");
                    all.extend(hits.into_iter().map(|h| (member.clone(), h)));
                });
            }
        });
        self.hits
            .extend(results.into_inner().expect("no panics while held"));
        self.hits
    }

    /// Reads the waiting database `id` now, with its WAL if one was seen.
    fn read_pending(&mut self, id: usize) {
        let Some((member, db)) = self.pending.take(id) else {
            return;
        };
        let wal = self.wals.take_member(&member).map(|(_, r)| r);
        let copy = self.copy.clone().or_else(|| {
            let path = self.private_dir()?.join("read.db");
            self.copy = Some(path.clone());
            Some(path)
        });
        if let Some(copy) = copy {
            let hits = read_region(self.m, &db, wal.as_ref(), &copy);
            self.hits
                .extend(hits.into_iter().map(|h| (member.clone(), h)));
        }
    }

    /// Reads the oldest databases still waiting while they hold more than [`MAX_PENDING`]
    /// bytes, or are more than [`MAX_WAITING`]; gives up the oldest WALs waiting for their
    /// database while they are more than [`MAX_WAITING`] (their bytes were searched as
    /// content; a database that comes after is read without).
    fn flush_pending(&mut self) {
        while self.wals.len() > MAX_WAITING {
            match self.wals.oldest().and_then(|id| self.wals.take(id)) {
                Some((_, wal)) => wal.release(),
                None => break,
            }
        }
        while self.pending.bytes > MAX_PENDING || self.pending.len() > MAX_WAITING {
            match self.pending.oldest() {
                Some(id) => self.read_pending(id),
                None => return,
            }
        }
    }

    /// This reader's private directory (mode 0700), made on first use.
    fn private_dir(&mut self) -> Option<PathBuf> {
        if self.dir.is_none() {
            self.dir = tempfile::Builder::new()
                .prefix("scelle-ioc-")
                .tempdir()
                .ok();
        }
        Some(self.dir.as_ref()?.path().to_path_buf())
    }

    /// The spool's end, where the next database or WAL starts (the spool made on first use);
    /// `None` if it cannot be made.
    fn spool_start(&mut self) -> Option<u64> {
        if self.spool.is_none() {
            let path = self.private_dir()?.join("spool");
            let mut o = std::fs::OpenOptions::new();
            o.read(true).write(true).create_new(true);
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let file = o.open(&path).ok()?;
            let writer = std::io::BufWriter::with_capacity(256 * 1024, file.try_clone().ok()?);
            self.spool = Some(Spool {
                writer,
                file: Arc::new(file),
                len: 0,
            });
        }
        self.spool.as_ref().map(|s| s.len)
    }

    /// Appends a database's or WAL's next bytes to the spool.
    fn spool_write(&mut self, data: &[u8]) -> bool {
        let Some(s) = self.spool.as_mut() else {
            return false;
        };
        let ok = s.writer.write_all(data).is_ok();
        s.len += data.len() as u64;
        ok
    }

    /// The region from `start` to the spool's end, once its bytes are written out.
    fn spooled(&mut self, start: u64) -> Option<Region> {
        let s = self.spool.as_mut()?;
        s.writer.flush().ok()?;
        Some(Region {
            spool: s.file.clone(),
            offset: start,
            len: s.len - start,
        })
    }

    /// Forgets what was spooled from `start` on (a database too large, or a write that failed).
    fn spool_abandon(&mut self, start: u64) {
        let Some(s) = self.spool.as_mut() else {
            return;
        };
        let _ = s.writer.flush();
        let _ = s.file.set_len(start);
        let _ = s.writer.seek(std::io::SeekFrom::Start(start));
        s.len = start;
    }

    fn decide(&mut self, c: &mut Current) {
        let h = &c.head[..];
        let is_wal = c.member.as_deref().is_some_and(|p| p.ends_with("-wal"))
            && h.len() >= 4
            && h[..3] == [0x37, 0x7f, 0x06]
            && matches!(h[3], 0x82 | 0x83);
        let t = h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h);
        let t = &t[t.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let xml_plist =
            (t.starts_with(b"<?xml") || t.starts_with(b"<!DOCTYPE") || t.starts_with(b"<plist"))
                && (contains(h, b"<plist") || contains(h, b"<!DOCTYPE plist"));
        c.sink = if h.starts_with(SQLITE_MAGIC) || is_wal {
            match self.spool_start() {
                Some(start) if is_wal => Sink::Wal(start),
                Some(start) => Sink::Sqlite(start),
                None => Sink::Nothing,
            }
        } else if h.starts_with(b"bplist00") || xml_plist {
            Sink::Plist(Vec::new())
        } else if t.starts_with(b"{") || t.starts_with(b"[") {
            Sink::Json(Vec::new())
        } else if !h.contains(&0) {
            Sink::Log(LogLines::default())
        } else {
            Sink::Nothing
        };
    }

    fn feed(&mut self, c: &mut Current, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let over = |cap: u64| c.size > cap;
        let ok = match &mut c.sink {
            Sink::Sqlite(_) | Sink::Wal(_) => !over(MAX_SQLITE) && self.spool_write(data),
            Sink::Plist(b) | Sink::Json(b) => {
                !over(MAX_IN_MEMORY) && {
                    b.extend_from_slice(data);
                    true
                }
            }
            Sink::Log(l) => {
                l.update(self.m, data, &mut c.hits);
                true
            }
            Sink::Nothing | Sink::Undecided => true,
        };
        if !ok {
            if let Sink::Sqlite(start) | Sink::Wal(start) = c.sink {
                self.spool_abandon(start);
            }
            c.sink = Sink::Nothing;
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A JSON document, or several in a row (JSON Lines; an `.ips` report: a header line, then a
/// body), each with the line it starts on when there are several.
fn json_hits(m: &Matcher, bytes: &[u8], out: &mut Vec<Hit>) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
        m.json_hits(&v, None, out);
        return;
    }
    let mut docs = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>();
    let mut start = 0usize;
    loop {
        match stream.next() {
            Some(Ok(v)) => {
                let skip = bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
                let at = start + skip;
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                docs.push((line, v));
                start = stream.byte_offset();
            }
            Some(Err(_)) => return,
            None => break,
        }
    }
    for (line, v) in docs {
        m.json_hits(&v, Some(line), out);
    }
}

/// Reads the database `db` (with its WAL `wal`, if one was seen) from the copy `copy`, written
/// from the spool first; the regions are then given back, and what SQLite made beside the copy
/// is removed.
fn read_region(m: &Matcher, db: &Region, wal: Option<&Region>, copy: &Path) -> Vec<Hit> {
    let beside = |suffix: &str| {
        let mut p = copy.to_path_buf().into_os_string();
        p.push(suffix);
        PathBuf::from(p)
    };
    let mut hits = Vec::new();
    let copied = db.copy_to(copy).and_then(|()| match wal {
        Some(w) => w.copy_to(&beside("-wal")),
        None => Ok(()),
    });
    if copied.is_ok() {
        let _ = read_sqlite(m, copy, wal.is_some(), &mut hits);
    }
    db.release();
    if let Some(w) = wal {
        w.release();
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(beside(suffix));
    }
    hits
}

/// The SQLite URI (RFC 8089 `file:`, as SQLite reads it) that opens the database at `path`
/// read-only with `immutable=1`: every byte of the path but unreserved ones and `/`
/// percent-encoded, so that no `?`, `#` or `%` of a temporary directory's name is read as
/// part of the URI.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Every text cell (and blob cell holding UTF-8 text or a binary property list) of every
/// ordinary table of the database copy at `path`, with the WAL copy beside it (`NAME-wal`)
/// applied if `with_wal`.
fn read_sqlite(
    m: &Matcher,
    path: &Path,
    with_wal: bool,
    out: &mut Vec<Hit>,
) -> rusqlite::Result<()> {
    use rusqlite::types::ValueRef;
    use rusqlite::{config::DbConfig, Connection, OpenFlags};
    let c = if with_wal {
        // Read-write, so that SQLite applies the WAL to the copy.
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?
    } else {
        // No WAL seen: the copy is the whole database. Read-only and immutable, SQLite makes
        // no `-wal`, `-shm` or `-journal` beside it (creating and removing those was most of
        // a scan's time on a phone's thousands of databases) and reads the same rows.
        Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?
    };
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    c.execute_batch("PRAGMA trusted_schema=OFF; PRAGMA cell_size_check=ON;")?;
    // Reading the schema applies the WAL; nothing is written after that. Names are read as
    // bytes: a table whose name is not UTF-8 cannot be named in a query and is not read, a
    // column's name is shown lossily (rusqlite's `column_names` would panic on it).
    let utf8 = |v: ValueRef<'_>| match v {
        ValueRef::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    let tables: Vec<String> = {
        let mut s = c.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
        )?;
        let mut rows = s.query([])?;
        let mut names = Vec::new();
        while let Some(r) = rows.next()? {
            if let ValueRef::Text(b) = r.get_ref(0)? {
                if let Ok(n) = std::str::from_utf8(b) {
                    names.push(n.to_string());
                }
            }
        }
        names
    };
    c.execute_batch("PRAGMA query_only=ON;")?;
    for t in tables {
        let quoted = format!("\"{}\"", t.replace('"', "\"\""));
        // The columns `*` gives, in order (hidden columns of virtual tables excepted).
        let mut columns: Vec<String> = vec![String::new()];
        {
            let Ok(mut s) =
                c.prepare("SELECT name, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
            else {
                continue;
            };
            let Ok(mut rows) = s.query([&t]) else {
                continue;
            };
            while let Ok(Some(r)) = rows.next() {
                let hidden = r.get::<_, i64>(1).unwrap_or(0);
                if hidden != 1 {
                    let name = r.get_ref(0).ok().and_then(utf8).unwrap_or_default();
                    columns.push(bounded(&name, MAX_NAME));
                }
            }
        }
        let (mut stmt, with_rowid) = match c.prepare(&format!("SELECT rowid, * FROM {quoted}")) {
            Ok(s) => (s, true),
            Err(_) => match c.prepare(&format!("SELECT NULL, * FROM {quoted}")) {
                Ok(s) => (s, false),
                Err(_) => continue,
            },
        };
        if stmt.column_count() != columns.len() {
            continue;
        }
        let table = bounded(&t, MAX_NAME);
        // A location names its table and column (FORMAT.md 6.8): a table or column with an
        // empty name is searched as content only.
        if table.is_empty() {
            continue;
        }
        let Ok(mut rows) = stmt.query([]) else {
            continue;
        };
        loop {
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(_) => break,
            };
            let rowid = if with_rowid {
                row.get::<_, Option<i64>>(0).ok().flatten()
            } else {
                None
            };
            for (i, col) in columns.iter().enumerate().skip(1) {
                if col.is_empty() {
                    continue;
                }
                let Ok(v) = row.get_ref(i) else { continue };
                let loc = || Location {
                    table: Some(table.clone()),
                    column: Some(col.clone()),
                    rowid,
                    ..Location::default()
                };
                match v {
                    ValueRef::Text(b) => out.extend(m.value_hits(b, On::Sqlite, &loc())),
                    ValueRef::Blob(b) if b.starts_with(b"bplist00") => {
                        m.plist_hits(b, On::Sqlite, &loc(), out)
                    }
                    ValueRef::Blob(b) if !b.contains(&0) && std::str::from_utf8(b).is_ok() => {
                        out.extend(m.value_hits(b, On::Sqlite, &loc()))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        let b = crate::format::stix::parse_bundle(
            br#"{"type":"bundle","id":"bundle--t","objects":[{"type":"indicator","id":"indicator--1","pattern":"[process:name='bh']","pattern_type":"stix"}]}"#,
        )
        .unwrap();
        Matcher::new(&[b])
    }

    /// A database in WAL mode whose only row naming `bh` is in its WAL: the bytes of the
    /// database and of its WAL.
    fn database_with_row_in_wal() -> (Vec<u8>, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.sqlite");
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE p(name TEXT); INSERT INTO p VALUES('other');
             PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint=0;
             INSERT INTO p VALUES('bh');",
        )
        .unwrap();
        // Copied while open, as an extraction copies it: the row is only in the WAL.
        let bytes = std::fs::read(&db).unwrap();
        let wal = std::fs::read(dir.path().join("d.sqlite-wal")).unwrap();
        drop(c);
        assert!(!bytes.windows(2).any(|w| w == b"bh"));
        (bytes, wal)
    }

    fn feed(s: &mut Structured<'_>, member: &str, bytes: &[u8]) {
        s.begin(Some(member.to_string()));
        for piece in bytes.chunks(1000) {
            s.update(piece);
        }
        s.end();
    }

    fn sqlite_hits(hits: &[(Option<String>, Hit)]) -> Vec<(String, String)> {
        hits.iter()
            .filter(|(_, h)| h.on == On::Sqlite)
            .map(|(m, h)| (m.clone().unwrap_or_default(), h.matched.clone()))
            .collect()
    }

    #[test]
    fn databases_waiting_are_found_by_path_in_any_order_without_a_search() {
        let n = 200_000usize;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let spool = Arc::new(tempfile::tempfile().unwrap());
            let region = |i: u64| Region {
                spool: spool.clone(),
                offset: i,
                len: 1,
            };
            let mut w = Waiting::default();
            for i in 0..n {
                w.push(Some(format!("private/var/db/{i}.sqlite")), region(i as u64));
            }
            // A second database at the first's path waits behind it.
            let again = w.push(Some("private/var/db/0.sqlite".into()), region(0));
            assert_eq!(w.len(), n + 1);
            // The WALs in reverse order: each finds its database, the oldest at its path.
            let mut found = Vec::new();
            for i in (0..n).rev() {
                let member = Some(format!("private/var/db/{i}.sqlite"));
                let id = w.of_member(&member).expect("waiting");
                let (m, r) = w.take(id).unwrap();
                assert_eq!((m, r.offset), (member, i as u64));
                found.push(id);
            }
            assert!(w
                .of_member(&Some("private/var/db/1.sqlite".into()))
                .is_none());
            assert_eq!(w.oldest(), Some(again));
            assert_eq!(
                w.of_member(&Some("private/var/db/0.sqlite".into())),
                Some(again)
            );
            assert_eq!(w.bytes, 1);
            assert_eq!(w.drain().len(), 1);
            assert!(w.is_empty() && w.oldest().is_none());
            tx.send(found.len()).unwrap();
        });
        // Searched from the start of a list, this took hours (n² / 2 comparisons).
        let got = rx.recv_timeout(std::time::Duration::from_secs(60));
        assert_eq!(got.expect("in linear time"), n);
    }

    #[test]
    fn at_most_max_waiting_wals_wait_for_their_database() {
        let m = matcher();
        let (db, wal) = database_with_row_in_wal();
        let mut s = Structured::new(&m);
        feed(&mut s, "a/d.sqlite-wal", &wal);
        // As many WALs again, whose databases never come: the first is given up.
        let stray = &wal[..32];
        for i in 0..MAX_WAITING {
            feed(&mut s, &format!("b/{i}.sqlite-wal"), stray);
        }
        assert_eq!(s.wals.len(), MAX_WAITING);
        assert!(s.wals.of_member(&Some("a/d.sqlite".into())).is_none());
        feed(&mut s, "a/d.sqlite", &db);
        // Read without its WAL: its own row only.
        let hits = s.finish();
        assert!(sqlite_hits(&hits).is_empty(), "{:?}", sqlite_hits(&hits));
    }

    #[test]
    fn readers_absorbed_with_many_wals_waiting_still_pair_a_database_with_its_wal() {
        let m = matcher();
        let (db, wal) = database_with_row_in_wal();
        let stray = &wal[..32];
        // Each reader within its bounds; together over them.
        let (mut a, mut b) = (Structured::new(&m), Structured::new(&m));
        feed(&mut a, "a/d.sqlite-wal", &wal);
        for i in 0..MAX_WAITING * 3 / 5 {
            feed(&mut a, &format!("b/{i}.sqlite-wal"), stray);
        }
        feed(&mut b, "a/d.sqlite", &db);
        for i in 0..MAX_WAITING / 2 {
            feed(&mut b, &format!("c/{i}.sqlite-wal"), stray);
        }
        a.absorb(b);
        let want = vec![("a/d.sqlite".to_string(), "bh".to_string())];
        assert_eq!(sqlite_hits(&a.finish()), want);
    }

    /// Whichever comes first and whichever reader (thread) sees each, a database meets its
    /// WAL: read at once when both are seen by one reader, at the end when they were seen by
    /// two ([`Structured::absorb`]); every copy is deleted.
    #[test]
    fn a_database_meets_its_wal_in_any_order_and_across_readers() {
        let m = matcher();
        let (db, wal) = database_with_row_in_wal();
        let want = vec![("a/d.sqlite".to_string(), "bh".to_string())];
        for db_first in [true, false] {
            // One reader.
            let mut s = Structured::new(&m);
            let mut both = [("a/d.sqlite", &db), ("a/d.sqlite-wal", &wal)];
            if !db_first {
                both.reverse();
            }
            for (name, bytes) in both {
                feed(&mut s, name, bytes);
            }
            // Read as soon as both were seen: before the end.
            assert!(s.pending.is_empty());
            assert_eq!(sqlite_hits(&s.hits), want);
            // What SQLite made beside the copy is gone: the spool and the copy, rewritten for
            // the next database, are all the private directory holds.
            let dir = s.dir.as_ref().unwrap().path().to_path_buf();
            let files = || {
                let mut f: Vec<String> = std::fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
                f.sort();
                f
            };
            assert_eq!(files(), ["read.db", "spool"]);
            // Fifty databases waiting for a WAL: no file made for any of them.
            for i in 0..50 {
                feed(&mut s, &format!("b/{i}.sqlite"), &db);
            }
            assert_eq!(s.pending.len(), 50);
            assert_eq!(files(), ["read.db", "spool"]);
            // Each has no row in a WAL: its own rows only, and no `bh`.
            let at_end = s.finish();
            assert_eq!(sqlite_hits(&at_end), want);
            assert!(!dir.exists());
            // Two readers, as the hashing threads of a folder.
            let (mut a, mut b) = (Structured::new(&m), Structured::new(&m));
            feed(&mut a, both[0].0, both[0].1);
            feed(&mut b, both[1].0, both[1].1);
            let dirs = [&a, &b].map(|x| x.dir.as_ref().unwrap().path().to_path_buf());
            a.absorb(b);
            assert_eq!(sqlite_hits(&a.finish()), want, "db first: {db_first}");
            assert!(dirs.iter().all(|d| !d.exists()));
        }
    }

    /// A database without a WAL is read read-only and immutable, by a URI that keeps every
    /// byte of its path (`?`, `#`, `%`, spaces): its rows are found, and SQLite makes nothing
    /// beside it, even for a database in WAL mode.
    #[test]
    fn a_database_without_its_wal_is_read_immutable_from_any_path() {
        let m = matcher();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a ?#%41b&immutable=0");
        std::fs::create_dir(&dir).unwrap();
        assert!(immutable_uri(&dir).ends_with("/a%20%3F%23%2541b%26immutable%3D0?immutable=1"));
        for mode in ["DELETE", "WAL"] {
            let db = dir.join(format!("{mode}.db"));
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute_batch(&format!(
                "PRAGMA journal_mode={mode}; CREATE TABLE p(name TEXT); INSERT INTO p VALUES('bh');"
            ))
            .unwrap();
            drop(c);
            let before = std::fs::read_dir(&dir).unwrap().count();
            let mut hits = Vec::new();
            read_sqlite(&m, &db, false, &mut hits).unwrap();
            assert_eq!(hits.len(), 1, "{mode}");
            assert_eq!(hits[0].matched, "bh");
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), before, "{mode}");
        }
    }

    /// The same lines found, with the same numbers, whatever the pieces.
    #[test]
    fn log_lines_are_numbered_across_pieces() {
        let m = matcher();
        let mut text = Vec::new();
        for i in 0..300 {
            if i % 37 == 5 {
                text.extend_from_slice(b"\tremaining client pid: 12 (/private/var/tmp/bh)\n");
            } else if i % 41 == 7 {
                text.extend_from_slice(b"Process:   bh [3]\n");
            } else {
                text.extend_from_slice(format!("line {i} Path: nothing /x/y\n").as_bytes());
            }
        }
        text.extend_from_slice(b"Process: bh [9]");
        let lines = |piece: usize| -> Vec<u64> {
            let mut l = LogLines::default();
            let mut out = Vec::new();
            for c in text.chunks(piece) {
                l.update(&m, c, &mut out);
            }
            l.finish(&m, &mut out);
            out.iter()
                .map(|h| h.location.as_ref().unwrap().line.unwrap())
                .collect()
        };
        let whole = lines(text.len());
        let mut want: Vec<u64> = (0..300u64)
            .filter(|i| i % 37 == 5 || i % 41 == 7)
            .map(|i| i + 1)
            .collect();
        want.push(301);
        assert_eq!(whole, want);
        for piece in [1, 2, 3, 7, 16, 50, 64, 1000] {
            assert_eq!(lines(piece), whole, "piece {piece}");
        }
        // ps output: every line's command, whatever the pieces.
        let mut ps = b"USER   PID  TIME COMMAND\n".to_vec();
        for i in 0..100 {
            let cmd = if i % 9 == 4 {
                "/private/var/tmp/bh -d"
            } else {
                "/sbin/launchd"
            };
            ps.extend_from_slice(format!("root  {i:>4}  0:01 {cmd}\n").as_bytes());
        }
        let ps_lines = |piece: usize| -> Vec<u64> {
            let mut l = LogLines::default();
            let mut out = Vec::new();
            for c in ps.chunks(piece) {
                l.update(&m, c, &mut out);
            }
            l.finish(&m, &mut out);
            out.iter()
                .map(|h| h.location.as_ref().unwrap().line.unwrap())
                .collect()
        };
        let want: Vec<u64> = (0..100u64).filter(|i| i % 9 == 4).map(|i| i + 2).collect();
        for piece in [1, 5, 33, 4096] {
            assert_eq!(ps_lines(piece), want, "piece {piece}");
        }
    }
}
