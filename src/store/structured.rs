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
//! [`MAX_PENDING`] bytes of spooled databases; past that, the oldest is read then, without.
//!
//! The temporary copies live in a private directory (mode 0700, files 0600) deleted when the
//! scan of the exhibit ends. A copy is opened read-write so that SQLite applies its WAL (the
//! evidence itself is never opened by SQLite), with `query_only`, `trusted_schema=OFF` and
//! SQLite's defensive mode; only ordinary tables are read (no views, no virtual tables).

use crate::format::iocmatch::{Hit, Matcher, On};
use crate::format::iocvalue::{bounded, ps_header, MAX_LINE, MAX_NAME};
use crate::format::kinds::ioc_scan::Location;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest SQLite database (or WAL) read as tables: 256 MiB, spooled to disk.
pub const MAX_SQLITE: u64 = 256 << 20;
/// Largest property list or JSON document parsed: 32 MiB, held in memory.
pub const MAX_IN_MEMORY: u64 = 32 << 20;
/// Spooled databases waiting for their WAL, at most (bytes).
pub const MAX_PENDING: u64 = 1 << 30;
/// Bytes looked at to choose a reader.
const HEAD: usize = 4096;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

enum Sink {
    /// Fewer than [`HEAD`] bytes seen yet.
    Undecided,
    /// Not read as structured data.
    Nothing,
    Sqlite(std::io::BufWriter<std::fs::File>, PathBuf),
    Wal(std::io::BufWriter<std::fs::File>, PathBuf),
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

/// The structured reading of the files or members of one exhibit, one at a time.
pub struct Structured<'m> {
    m: &'m Matcher,
    dir: Option<tempfile::TempDir>,
    /// Directories of readers absorbed ([`Structured::absorb`]), holding some of `pending`.
    kept_dirs: Vec<tempfile::TempDir>,
    copies: u64,
    /// Copies read and no longer needed, rewritten for the next database rather than deleted
    /// and created again (tens of thousands of databases in a phone's extraction: creating
    /// and deleting a file for each made the file system, not the reading, most of the time).
    free: Vec<PathBuf>,
    current: Option<Current>,
    /// Databases spooled, waiting for the exhibit's end: member, copy, size.
    pending: Vec<(Option<String>, PathBuf, u64)>,
    /// WAL copies by the member path of their database.
    wals: std::collections::HashMap<Option<String>, PathBuf>,
    hits: Vec<(Option<String>, Hit)>,
}

impl<'m> Structured<'m> {
    /// Reads nothing yet.
    pub fn new(m: &'m Matcher) -> Structured<'m> {
        Structured {
            m,
            dir: None,
            kept_dirs: Vec::new(),
            copies: 0,
            free: Vec::new(),
            current: None,
            pending: Vec::new(),
            wals: Default::default(),
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
            Sink::Sqlite(w, p) => {
                if w.into_inner().is_ok() {
                    self.pending.push((c.member.clone(), p, c.size));
                    // Its WAL already seen: nothing more to wait for.
                    if self.wals.contains_key(&c.member) {
                        self.read_pending(self.pending.len() - 1);
                    }
                    self.flush_pending();
                }
            }
            Sink::Wal(w, p) => {
                if w.into_inner().is_ok() {
                    let db = c
                        .member
                        .as_deref()
                        .and_then(|x| x.strip_suffix("-wal"))
                        .map(str::to_string);
                    let waiting = self.pending.iter().position(|x| x.0 == db);
                    self.wals.insert(db, p);
                    // Its database already seen: read now, with it.
                    if let Some(i) = waiting {
                        self.read_pending(i);
                    }
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
        self.pending.append(&mut other.pending);
        self.wals.extend(other.wals.drain());
        self.free.append(&mut other.free);
        // The copies stay in `other`'s directory, deleted with it when this reading ends.
        self.kept_dirs.extend(other.dir.take());
        self.kept_dirs.append(&mut other.kept_dirs);
    }

    /// Reads the databases still waiting (on every core) and returns every hit; the copies are
    /// deleted.
    pub fn finish(mut self) -> Vec<(Option<String>, Hit)> {
        let waiting: Vec<(Option<String>, PathBuf)> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(member, path, _)| {
                self.attach_wal(&member, &path);
                (member, path)
            })
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8)
            .min(waiting.len());
        let m = self.m;
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((member, path)) = waiting.get(i) else {
                        return;
                    };
                    let hits = read_copy(m, path);
                    let mut all = results.lock().expect("no panics while held");
                    all.extend(hits.into_iter().map(|h| (member.clone(), h)));
                });
            }
        });
        self.hits
            .extend(results.into_inner().expect("no panics while held"));
        self.hits
    }

    /// Puts the WAL copy of `member`, if one was seen, beside its database copy `path`.
    fn attach_wal(&mut self, member: &Option<String>, path: &Path) {
        if let Some(wal) = self.wals.remove(member) {
            let mut beside = path.to_path_buf().into_os_string();
            beside.push("-wal");
            let _ = std::fs::rename(&wal, &beside);
        }
    }

    /// Reads the waiting database `i` now, with its WAL if one was seen.
    fn read_pending(&mut self, i: usize) {
        let (member, path, _) = self.pending.remove(i);
        self.attach_wal(&member, &path);
        let hits = read_copy(self.m, &path);
        self.hits
            .extend(hits.into_iter().map(|h| (member.clone(), h)));
        self.free.push(path);
    }

    /// Reads the oldest databases still waiting while they hold more than [`MAX_PENDING`]
    /// bytes.
    fn flush_pending(&mut self) {
        loop {
            let total: u64 = self.pending.iter().map(|p| p.2).sum();
            if self.pending.is_empty() || total <= MAX_PENDING {
                return;
            }
            self.read_pending(0);
        }
    }

    fn new_file(&mut self) -> Option<(std::io::BufWriter<std::fs::File>, PathBuf)> {
        if self.dir.is_none() {
            self.dir = tempfile::Builder::new()
                .prefix("scelle-ioc-")
                .tempdir()
                .ok();
        }
        let dir = self.dir.as_ref()?;
        let mut o = std::fs::OpenOptions::new();
        let path = match self.free.pop() {
            // A copy already read, in this reader's private directory: rewritten.
            Some(path) => {
                o.write(true).truncate(true);
                path
            }
            None => {
                self.copies += 1;
                o.write(true).create_new(true);
                dir.path().join(format!("{}.db", self.copies))
            }
        };
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let f = o.open(&path).ok()?;
        Some((std::io::BufWriter::with_capacity(256 * 1024, f), path))
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
            match self.new_file() {
                Some((w, p)) if is_wal => Sink::Wal(w, p),
                Some((w, p)) => Sink::Sqlite(w, p),
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
            Sink::Sqlite(w, _) | Sink::Wal(w, _) => !over(MAX_SQLITE) && w.write_all(data).is_ok(),
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
            if let Sink::Sqlite(_, p) | Sink::Wal(_, p) = &c.sink {
                let _ = std::fs::remove_file(p);
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

/// Every text cell (and blob cell holding UTF-8 text or a binary property list) of every
/// ordinary table of the database copy at `path`.
/// Reads a database copy (with its WAL beside it, if any) and deletes the files SQLite made
/// beside it (the copy itself is left to be rewritten or deleted with its directory).
fn read_copy(m: &Matcher, path: &Path) -> Vec<Hit> {
    let mut hits = Vec::new();
    let _ = read_sqlite(m, path, &mut hits);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.to_path_buf().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    hits
}

fn read_sqlite(m: &Matcher, path: &Path, out: &mut Vec<Hit>) -> rusqlite::Result<()> {
    use rusqlite::types::ValueRef;
    use rusqlite::{config::DbConfig, Connection, OpenFlags};
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
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
            // What SQLite made beside the copy is gone; the copy is kept to be rewritten for
            // the next database (no file created and deleted per database).
            let dir = s.dir.as_ref().unwrap().path().to_path_buf();
            assert_eq!(s.free.len(), 1);
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
            let created = s.copies;
            feed(&mut s, "b/e.sqlite", &db);
            assert_eq!(s.copies, created, "the copy read is rewritten");
            assert!(s.free.is_empty());
            // b/e.sqlite has no row in a WAL: its own rows only.
            let at_end = s.finish();
            assert_eq!(sqlite_hits(&at_end)[..1], want[..]);
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
