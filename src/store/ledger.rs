//! The ledger file (`ledger.jsonl`) and its index cache (`ledger.index`).
//!
//! Appends take the case lock, check the index against the file (length and last line), write
//! each line with its newline in one `write` on an `O_APPEND` descriptor, `fdatasync`, then
//! replace the index atomically and write the signed checkpoint. A crash at any instant leaves
//! every completed line intact; at worst a torn last line, which appends refuse and
//! [`repair`] moves aside.

use crate::error::{Error, IoContext, Result};
use crate::format::body::Body;
use crate::format::chain::{body_kind, ChainState, Finding, Severity, TypedBody};
use crate::format::encoding::b64;
use crate::format::entry::{
    line_from_signed, line_hash, signed_bytes_of, Entry, Envelope, SharedLine, FORMAT_VERSION,
    MAX_LINE,
};
use crate::format::kinds::Reads;
use crate::format::merkle::Hash;
use crate::format::note::{Checkpoint, Note};
use crate::format::validate::validate_values;
use crate::store::case::{CaseDir, CaseLock};
use crate::store::checkpoints;
use crate::store::fsutil;
use crate::store::index;
use crate::store::keyfile::LoadedKey;
use ed25519_dalek::Signer;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// One piece of the ledger file as read.
#[derive(Debug, Clone)]
pub enum RawLine {
    /// A complete line (without its newline) starting at `offset`.
    Line {
        /// Byte offset of the line.
        offset: u64,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Bytes after the last newline: an interrupted append.
    Torn {
        /// Byte offset where they start.
        offset: u64,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A line (or torn tail) longer than [`MAX_LINE`] bytes: skipped unread (its bytes are
    /// not kept, not parsed), FORMAT.md 4.1.
    TooLong {
        /// Byte offset of the line.
        offset: u64,
        /// Its length in bytes, without a newline.
        len: u64,
        /// Whether it had no newline (a torn tail).
        torn: bool,
    },
}

impl RawLine {
    /// The error for a line longer than the maximum, naming the ledger and the offset.
    pub fn too_long_error(ledger: &Path, offset: u64, len: u64) -> Error {
        Error::input(format!(
            "{}: the line at byte {offset} is {len} bytes, more than the maximum line length {MAX_LINE} (FORMAT.md 4.1); not read. Run `scelle verify`",
            ledger.display()
        ))
    }
}

/// Reads the ledger line by line, holding at most [`MAX_LINE`] bytes (and one read buffer) of
/// any line: a longer line is returned as [`RawLine::TooLong`] after its bytes were skipped.
pub struct LineReader {
    reader: BufReader<File>,
    offset: u64,
    path: PathBuf,
}

impl LineReader {
    /// Opens a ledger file.
    pub fn open(path: &Path) -> Result<Self> {
        let f = fsutil::open_nofollow(path, false)?;
        Ok(LineReader {
            reader: BufReader::with_capacity(1 << 20, f),
            offset: 0,
            path: path.to_path_buf(),
        })
    }
}

impl Iterator for LineReader {
    type Item = Result<RawLine>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        // Bytes of the line seen (with its newline), and whether the newline was seen.
        let mut len = 0u64;
        let mut newline = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(Error::io(&self.path, e))),
            };
            if avail.is_empty() {
                break;
            }
            let n = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    newline = true;
                    i + 1
                }
                None => avail.len(),
            };
            // Past the maximum (and its newline), nothing more is kept.
            if len + n as u64 <= MAX_LINE as u64 + 1 {
                buf.extend_from_slice(&avail[..n]);
            } else if !buf.is_empty() {
                buf = Vec::new();
            }
            len += n as u64;
            self.reader.consume(n);
            if newline {
                break;
            }
        }
        if len == 0 {
            return None;
        }
        let offset = self.offset;
        self.offset += len;
        let content = len - u64::from(newline);
        if content > MAX_LINE as u64 {
            return Some(Ok(RawLine::TooLong {
                offset,
                len: content,
                torn: !newline,
            }));
        }
        // A long line grown by doubling holds up to twice its bytes: kept at its size.
        if buf.capacity() > (1 << 20) && buf.capacity() > buf.len() + buf.len() / 8 {
            buf.shrink_to_fit();
        }
        if newline {
            buf.pop();
            Some(Ok(RawLine::Line { offset, bytes: buf }))
        } else {
            Some(Ok(RawLine::Torn { offset, bytes: buf }))
        }
    }
}

/// The longest first line (`case.open`) read to check an index against entry 0; a longer
/// one makes the index unusable (the ledger is then read in full, which reports it).
const MAX_FIRST_LINE: u64 = 1 << 20;

/// The case of the ledger's entry 0, if it is a `case.open` whose entry parses.
fn entry0_case(f: &mut File, ledger: &Path) -> Result<Option<crate::format::body::CaseInfo>> {
    f.seek(SeekFrom::Start(0)).at(ledger)?;
    let mut first = Vec::new();
    BufReader::new(f.take(MAX_FIRST_LINE))
        .read_until(b'\n', &mut first)
        .at(ledger)?;
    if first.pop() != Some(b'\n') {
        return Ok(None);
    }
    let Ok(e) = Entry::parse_line(&first) else {
        return Ok(None);
    };
    Ok(match Body::parse(&e.kind, &e.body) {
        Ok(Body::CaseOpen(open)) if e.seq == 0 => Some(open.case),
        _ => None,
    })
}

/// The case as recorded in the signed entry 0 (`case.open`) of the ledger, never the editable
/// `case.json` (FORMAT §1: `case.json` is an informative copy). The caller verifies the ledger
/// first where the answer matters; this reads the first line only, at most 1 MiB.
pub fn recorded_case(case: &CaseDir) -> Result<crate::format::body::CaseInfo> {
    let ledger = case.ledger();
    let mut f = fsutil::open_nofollow(&ledger, false)?;
    entry0_case(&mut f, &ledger)?.ok_or_else(|| {
        Error::input(format!(
            "{}: entry 0 is not a complete case.open entry, so the case has no recorded identity; run `scelle verify`",
            ledger.display()
        ))
    })
}

/// Whether a head (the case-wide state an index records) matches the ledger file: same
/// length, same last line hash, the case of entry 0. O(1) reads whatever the ledger's size.
fn head_matches_ledger(case: &CaseDir, state: &ChainState) -> Result<bool> {
    let ledger = case.ledger();
    let mut f = fsutil::open_nofollow(&ledger, false)?;
    let len = f.metadata().at(&ledger)?.len();
    if len != state.bytes || state.frontier.size() != state.size {
        return Ok(false);
    }
    if state.size == 0 {
        return Ok(state.case.is_none() && state.keys.is_empty() && state.exhibits == 0);
    }
    if state.last_line_len >= state.bytes || state.last_line_len >= MAX_LINE as u64 {
        return Ok(false);
    }
    let mut last = vec![0u8; state.last_line_len as usize + 1];
    f.seek(SeekFrom::Start(state.bytes - last.len() as u64))
        .at(&ledger)?;
    f.read_exact(&mut last).at(&ledger)?;
    if last.pop() != Some(b'\n') || line_hash(&last) != state.last_line_hash {
        return Ok(false);
    }
    Ok(state.case.is_some() && entry0_case(&mut f, &ledger)? == state.case)
}

/// Opens the index if it matches the ledger file ([`head_matches_ledger`]); with `signer`, it
/// must also be signed by that very key (docs/FORMAT.md section 10): the writer trusts only
/// what it wrote itself. The state holds no custody and no scans yet.
fn open_index(
    case: &CaseDir,
    signer: Option<&LoadedKey>,
) -> Result<Option<(ChainState, index::Loaded)>> {
    index::open_current(case, signer, |s| head_matches_ledger(case, s))
}

/// The whole state from the index if it matches the ledger and its rows check against its
/// head; `None` if not (the caller rebuilds from the ledger).
fn load_index_if_current(case: &CaseDir, signer: Option<&LoadedKey>) -> Result<Option<ChainState>> {
    let Some((mut state, mut loaded)) = open_index(case, signer)? else {
        return Ok(None);
    };
    Ok(loaded.read_all(&mut state).then_some(state))
}

/// Rebuilds the chain state from the whole ledger, refusing a ledger with any error or a
/// torn tail (O(n); only after a crash or when the index is missing).
pub fn rebuild_state(case: &CaseDir) -> Result<ChainState> {
    let ledger = case.ledger();
    let mut state = ChainState::new();
    for raw in LineReader::open(&ledger)? {
        match raw? {
            RawLine::Torn { offset, bytes } => {
                return Err(Error::input(format!(
                    "{}: ends with an incomplete line at byte {offset} ({} bytes, no newline): an append was interrupted; \
                     run `scelle repair` to move it aside, then retry",
                    ledger.display(),
                    bytes.len()
                )))
            }
            RawLine::TooLong { offset, len, .. } => {
                return Err(RawLine::too_long_error(&ledger, offset, len))
            }
            RawLine::Line { bytes, .. } => {
                let applied = state.apply_shared(&SharedLine::new(bytes), None);
                if let Some(f) = applied.first_error() {
                    return Err(Error::input(format!(
                        "{}: {}; refusing to append to a ledger that does not verify (run `scelle verify`)",
                        ledger.display(),
                        f.describe()
                    )));
                }
            }
        }
    }
    Ok(state)
}

/// The current chain state for display: the index if it matches the ledger (signed or not),
/// else rebuilt from the ledger. Nothing derived from it may be signed: a command that signs
/// uses [`trusted_state`] (or an [`Appender`]) instead.
pub fn current_state(case: &CaseDir) -> Result<ChainState> {
    match load_index_if_current(case, None)? {
        Some(s) => Ok(s),
        None => rebuild_state(case),
    }
}

/// The case-wide part of the current state (size, frontier, keys, TSAs, counters; no custody,
/// no scans) for display: the index's head if it matches the ledger (signed or not), read in
/// O(1) whatever the number of exhibits, else the whole state rebuilt from the ledger. Nothing
/// derived from it may be signed.
pub fn current_head(case: &CaseDir) -> Result<ChainState> {
    match open_index(case, None)? {
        Some((state, _)) => Ok(state),
        None => rebuild_state(case),
    }
}

/// The chain state a writer about to sign with `key` may rely on: the index only if it is
/// signed by `key` itself and matches the ledger (length, last line, entry 0's case), else
/// rebuilt from the ledger with every chain rule checked (docs/FORMAT.md section 10).
pub fn trusted_state(case: &CaseDir, key: &LoadedKey) -> Result<ChainState> {
    match load_index_if_current(case, Some(key))? {
        Some(s) => Ok(s),
        None => rebuild_state(case),
    }
}

/// Where an [`Appender`]'s per-exhibit state comes from.
enum Rows {
    /// The index, signed by the appender's key: rows are read as entries need them.
    Index(Box<index::Loaded>),
    /// The whole ledger (no usable index): the state holds every exhibit and scan.
    Ledger,
}

/// An open append transaction on a case: holds the lock until [`Appender::finish`].
pub struct Appender<'a> {
    case: &'a CaseDir,
    _lock: CaseLock,
    state: ChainState,
    rows: Rows,
    file: File,
    /// Entries appended so far.
    appended: u64,
}

impl<'a> Appender<'a> {
    /// Locks the case and loads the state a writer signing with `key` may rely on: the
    /// index's head only if it is signed by `key` itself and matches the ledger (length, last
    /// line, entry 0's case), else the state rebuilt from the ledger with every chain rule
    /// checked (docs/FORMAT.md section 10). From the index, the custody of an exhibit (and
    /// the findings of a scan) is read, and checked against the head, when an entry needs it.
    ///
    /// Refuses when a stored checkpoint contradicts that state (one of the same size with
    /// another root, or one beyond the ledger's end): entries were removed or changed, and
    /// appending would leave a checkpoint that disagrees with the ledger.
    pub fn open(case: &'a CaseDir, key: &LoadedKey) -> Result<Self> {
        let lock = case.lock()?;
        let (state, rows) = match open_index(case, Some(key))? {
            Some((state, loaded)) => (state, Rows::Index(Box::new(loaded))),
            None => (rebuild_state(case)?, Rows::Ledger),
        };
        checkpoints::check_not_contradicted(case, &state)?;
        let ledger = case.ledger();
        let file = fsutil::open_nofollow(&ledger, true)?;
        Ok(Appender {
            case,
            _lock: lock,
            state,
            rows,
            file,
            appended: 0,
        })
    }

    /// Reads into the state what `body`'s rule and effect read ([`Body::reads`]). Whatever
    /// the index cannot give, checked, is read whole: from the index if all of it checks,
    /// else from the ledger.
    fn prepare(&mut self, body: &Body) -> Result<()> {
        let Rows::Index(loaded) = &mut self.rows else {
            return Ok(());
        };
        if loaded.is_complete() {
            return Ok(());
        }
        let state = &mut self.state;
        let read = match body.reads() {
            Reads::Everything => false,
            Reads::Some { exhibits, scan } => {
                exhibits.iter().all(|ex| loaded.read_exhibit(state, ex))
                    && scan.is_none_or(|s| loaded.read_scan(state, s))
            }
        };
        if !read && !loaded.read_all(state) {
            self.state = rebuild_state(self.case)?;
            self.rows = Rows::Ledger;
        }
        Ok(())
    }

    /// The chain state so far: keys, counters and the frontier; the custody of only those
    /// exhibits the entries appended so far needed when it came from the index.
    pub fn state(&self) -> &ChainState {
        &self.state
    }

    /// The exhibits whose sealed SHA-256 is `sha256` or whose current seal number is
    /// `seal_no`, with their custody, in exhibit order: from the index's rows (found by SQL,
    /// each checked against the head) and the exhibits this append already holds, without
    /// reading every exhibit; the whole state when the index cannot answer.
    pub fn exhibits_like(
        &mut self,
        sha256: &str,
        seal_no: Option<&str>,
    ) -> Result<Vec<(String, crate::format::chain::Custody)>> {
        let like = |c: &crate::format::chain::Custody| {
            c.sealed_sha256 == sha256 || (seal_no.is_some() && c.seal_no.as_deref() == seal_no)
        };
        let mut found: BTreeMap<String, crate::format::chain::Custody> = BTreeMap::new();
        if let Rows::Index(loaded) = &mut self.rows {
            if !loaded.is_complete() {
                match loaded.custody_where(sha256, seal_no) {
                    Some(rows) => found.extend(rows),
                    None if loaded.read_all(&mut self.state) => {}
                    None => {
                        self.state = rebuild_state(self.case)?;
                        self.rows = Rows::Ledger;
                    }
                }
            }
        }
        // What this append holds is newer than the index's rows.
        for (ex, c) in &self.state.custody {
            found.remove(ex);
            if like(c) {
                found.insert(ex.clone(), c.clone());
            }
        }
        found.retain(|_, c| like(c));
        Ok(found.into_iter().collect())
    }

    /// Signs and appends one entry with a typed body; durable (fdatasync) when it returns.
    /// The line written is applied to the chain state as `verify` applies it.
    pub fn append(&mut self, body: &Body, key: &LoadedKey, time: String) -> Result<Entry> {
        self.prepare(body)?;
        let mut entry = Entry {
            body: serde_json::to_value(body).expect("bodies serialise"),
            kind: body.kind().to_string(),
            key: key.id(),
            format: FORMAT_VERSION,
            prev: self.state.last_line_hash.clone(),
            seq: self.state.size,
            sig: String::new(),
            time,
        };
        entry.sign(&key.signing);
        let line = entry
            .line()
            .map_err(|e| Error::input(format!("entry cannot be encoded: {e}")))?;
        // Apply to a copy first: nothing is written unless the entry is valid.
        let mut next = self.state.clone();
        let applied = next.apply(&line);
        refuse_errors(&applied.findings)?;
        self.write_line(line)?;
        self.state = next;
        self.appended += 1;
        if let Some(body) = &applied.body {
            self.store_enrolled_key(body)?;
        }
        Ok(entry)
    }

    /// Signs and appends one entry with a typed body; durable (fdatasync) when it returns.
    /// Returns its sequence number.
    ///
    /// The same checks as [`Appender::append`], which applies the line it wrote to the chain
    /// state, but without parsing back what was just serialised: the line is written by the
    /// canonical writer straight from `body` (no `Value`, no copy of the body), and the typed
    /// entry is checked by the same chain rules ([`ChainState::check_built`]) before anything
    /// is written. Debug builds also apply the line itself and require the same findings and
    /// state, which proves the two paths agree wherever the tests append.
    pub fn append_body(&mut self, body: &Body, key: &LoadedKey, time: String) -> Result<u64> {
        self.prepare(body)?;
        let key_id = key.id();
        let prev = self.state.last_line_hash.clone();
        let unsigned = Envelope {
            kind: body_kind(body),
            key: &key_id,
            format: FORMAT_VERSION,
            prev: &prev,
            seq: self.state.size,
            sig: "",
            time: &time,
        };
        let sign = || {
            signed_bytes_of(&TypedBody(body), &unsigned).map(|signed| {
                let sig = b64(&key.signing.sign(&signed).to_bytes());
                (signed, sig)
            })
        };
        // The value rules of a body with many members (every member, the manifest) are checked
        // on another core while this one serialises and signs.
        let many = matches!(body, Body::Seal(s)
            if s.artifact.members.as_ref().is_some_and(|m| m.len() >= 1024));
        let (values, signed) = if many {
            std::thread::scope(|s| {
                let values = s.spawn(|| validate_values(body));
                let signed = sign();
                (values.join().expect("validation does not panic"), signed)
            })
        } else {
            (validate_values(body), sign())
        };
        let (signed, sig) =
            signed.map_err(|e| Error::input(format!("entry cannot be encoded: {e}")))?;
        let env = Envelope {
            sig: &sig,
            ..unsigned
        };
        let findings = self.state.check_built_with(&env, body, &signed, values);
        refuse_errors(&findings)?;
        let line = line_from_signed(signed, &sig, &time);
        #[cfg(debug_assertions)]
        let shadow = {
            let mut shadow = self.state.clone();
            let applied = shadow.apply(&line);
            assert_eq!(applied.findings, findings, "typed and line checks agree");
            assert_eq!(
                applied.body.as_ref(),
                Some(body),
                "the line parses to the body"
            );
            shadow
        };
        let line = self.write_line(line)?;
        self.state.commit_built(&env, body, &findings, &line);
        #[cfg(debug_assertions)]
        assert!(
            shadow == self.state,
            "typed and line paths reach the same state"
        );
        drop(line);
        self.appended += 1;
        self.store_enrolled_key(body)?;
        Ok(env.seq)
    }

    /// Writes one line and its newline in one `write`, then `fdatasync`. Returns the line.
    fn write_line(&mut self, line: Vec<u8>) -> Result<Vec<u8>> {
        let ledger = self.case.ledger();
        if line.len() > MAX_LINE {
            return Err(Error::input(format!(
                "refused, nothing written: the entry would be a {}-byte line, more than the maximum line length {MAX_LINE} (FORMAT.md 4.1); \
                 a member list this long goes to a member file (FORMAT.md 6.2), so only a member with a path of more than 1 MiB makes such a line: seal it as one file (--as file)",
                line.len()
            )));
        }
        let mut bytes = line;
        bytes.push(b'\n');
        self.file.write_all(&bytes).at(&ledger)?;
        self.file.sync_data().at(&ledger)?;
        bytes.pop();
        Ok(bytes)
    }

    /// Stores the public key an appended entry enrolled, if any, under `keys/`.
    fn store_enrolled_key(&self, body: &Body) -> Result<()> {
        if let Some(rec) = body.enrols() {
            let pk = crate::format::chain::record_public_key(rec).expect("checked by apply");
            let pem = crate::format::keys::public_key_pem(&pk, &rec.name, rec.role.as_deref());
            fsutil::atomic_write(
                &self.case.keys().join(format!("{}.pub", rec.id)),
                pem.as_bytes(),
                0o644,
            )?;
        }
        Ok(())
    }

    /// Writes the index and a checkpoint signed by `key`, and releases the lock. Returns the
    /// checkpoint's path (none if nothing was appended).
    ///
    /// The entries are durable before the index changes: an index that cannot be written
    /// (a full disk, a damaged database) is removed, and the next writer rebuilds it.
    pub fn finish(mut self, key: &LoadedKey) -> Result<Option<PathBuf>> {
        if self.appended == 0 {
            return Ok(None);
        }
        let written = match &mut self.rows {
            Rows::Index(loaded) => match loaded.write_back(&self.state, key) {
                Ok(()) => Ok(()),
                Err(_) if loaded.is_complete() => {
                    index::write_fresh(self.case, &self.state, Some(key))
                }
                Err(e) => Err(e),
            },
            Rows::Ledger => index::write_fresh(self.case, &self.state, Some(key)),
        };
        if written.is_err() {
            index::discard(self.case);
        }
        let path = write_checkpoint(self.case, &self.state, key)?;
        Ok(Some(path))
    }

    /// Signs and stores the checkpoint of the state as it is (an existing identical one is
    /// kept), without appending.
    pub fn checkpoint(&self, key: &LoadedKey) -> Result<PathBuf> {
        write_checkpoint(self.case, &self.state, key)
    }
}

/// Refuses an entry with any error finding: nothing is written.
fn refuse_errors(findings: &[Finding]) -> Result<()> {
    match findings.iter().find(|f| f.severity == Severity::Error) {
        Some(f) => Err(Error::input(format!(
            "refused, nothing written: {}",
            f.message
        ))),
        None => Ok(()),
    }
}

/// Signs and stores the checkpoint of `state` with `key` (which must be enrolled). `state`
/// must be authenticated ([`trusted_state`], [`rebuild_state`] or an [`Appender`]'s): its
/// origin, size and root are what is signed.
pub fn write_checkpoint(case: &CaseDir, state: &ChainState, key: &LoadedKey) -> Result<PathBuf> {
    let origin = state
        .case
        .as_ref()
        .map(|c| c.origin.clone())
        .ok_or_else(|| Error::input("the ledger has no case.open entry; nothing to checkpoint"))?;
    let record = state
        .key(&key.id())
        .ok_or_else(|| Error::input(format!("key {} is not enrolled in this case", key.id())))?;
    let cp = Checkpoint {
        origin,
        size: state.size,
        root: state.frontier.root(),
    };
    let note = Note::sign(&cp.text(), &record.record.name, &key.signing)
        .map_err(|e| Error::input(format!("cannot sign the checkpoint: {e}")))?;
    checkpoints::write(case, state, &note)
}

/// What [`repair`] did.
#[derive(Debug)]
pub struct RepairOutcome {
    /// Bytes moved aside (0: nothing moved aside).
    pub torn_bytes: u64,
    /// Where they were saved.
    pub saved_to: Option<PathBuf>,
    /// Whether the torn tail was a complete, valid next entry that had only lost its newline,
    /// which repair restored (the entry is kept).
    pub newline_restored: bool,
    /// Complete entries kept.
    pub entries: u64,
}

/// Repairs an interrupted append (docs/FORMAT.md section 4.2). Bytes after the last newline
/// that are a complete, valid next entry (chain, signature, rules) only lost their newline:
/// it is restored and the entry kept. Any other torn tail is moved to `torn/` and the ledger
/// truncated to its last complete line. The index is rebuilt.
///
/// Refuses, changing nothing, if any complete line is bad (that is not a crash, and is for
/// `verify` to report, not for repair to hide), or if a stored checkpoint of the case would
/// contradict the repaired ledger (a root that is not the ledger's at its size, or a size
/// beyond the repaired ledger's end): repair never removes an entry a checkpoint covers.
pub fn repair(case: &CaseDir) -> Result<RepairOutcome> {
    let _lock = case.lock()?;
    let ledger = case.ledger();
    // The checkpoint files by the size in their names; which of them count (this case's
    // origin, a valid signature by a key that may sign that size) is decided once the ledger
    // is read: the origin is entry 0's, never case.json's, and an unsigned file planted in
    // checkpoints/ states nothing (FORMAT.md 8.2).
    let files = checkpoints::by_size(case)?;
    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    let mut state = ChainState::new();
    let mut torn: Option<(u64, Vec<u8>)> = None;
    for raw in LineReader::open(&ledger)? {
        match raw? {
            RawLine::Torn { offset, bytes } => torn = Some((offset, bytes)),
            // An append never writes a line that long: not a crash, repair will not touch it.
            RawLine::TooLong { offset, len, .. } => {
                return Err(RawLine::too_long_error(&ledger, offset, len))
            }
            RawLine::Line { bytes, .. } => {
                let applied = state.apply_shared(&SharedLine::new(bytes), None);
                if let Some(f) = applied.first_error() {
                    return Err(Error::input(format!(
                        "{}: {}; this is not an interrupted append, repair will not change it (run `scelle verify`)",
                        ledger.display(),
                        f.describe()
                    )));
                }
                if files.contains_key(&state.size) {
                    roots.insert(state.size, state.frontier.root());
                }
            }
        }
    }
    // A torn tail that is a whole valid next entry lost only its newline.
    let restore = match &torn {
        Some((_, bytes)) => {
            let mut next = state.clone();
            let applied = next.apply(bytes);
            (applied.entry.is_some() && applied.first_error().is_none()).then_some(next)
        }
        None => None,
    };
    let final_state = restore.as_ref().unwrap_or(&state);
    roots.insert(final_state.size, final_state.frontier.root());
    let now = crate::format::cosign::now_secs();
    for (size, path) in &files {
        let Ok(cp) = checkpoints::read_in_case(path) else {
            continue;
        };
        if !checkpoints::is_signed(final_state, &cp, *size, now) {
            continue;
        }
        match roots.get(size) {
            Some(root) if crate::format::merkle::ct_eq(root, &cp.checkpoint.root) => {}
            Some(_) => {
                return Err(Error::input(format!(
                    "{}: this checkpoint's root is not the ledger's at its size; the ledger was \
                     changed, repair will not change it (run `scelle verify`)",
                    path.display()
                )))
            }
            None if *size > final_state.size => {
                return Err(Error::input(format!(
                    "{}: a checkpoint of this case records {size} entries, but the ledger would keep only {}; \
                     repair never removes an entry a checkpoint covers (run `scelle verify`)",
                    path.display(),
                    final_state.size
                )))
            }
            None => {}
        }
    }
    let mut outcome = RepairOutcome {
        torn_bytes: 0,
        saved_to: None,
        newline_restored: false,
        entries: state.size,
    };
    match (torn, restore) {
        (Some(_), Some(next)) => {
            let mut f = fsutil::open_nofollow(&ledger, true)?;
            f.write_all(b"\n").at(&ledger)?;
            f.sync_data().at(&ledger)?;
            state = next;
            outcome.newline_restored = true;
            outcome.entries = state.size;
        }
        (Some((offset, bytes)), None) => {
            if std::fs::symlink_metadata(case.torn()).is_err() {
                std::fs::create_dir(case.torn()).at(case.torn())?;
            }
            let saved = save_torn(case, offset, &bytes)?;
            let f = OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&ledger)
                .at(&ledger)?;
            f.set_len(offset).at(&ledger)?;
            f.sync_all().at(&ledger)?;
            outcome.torn_bytes = bytes.len() as u64;
            outcome.saved_to = Some(saved);
        }
        (None, _) => {}
    }
    index::write_fresh(case, &state, None)?;
    Ok(outcome)
}

/// Saves torn bytes under `torn/` with a name no earlier repair used: the offset, the time,
/// and a counter when the same offset is torn again within the same second. A file already
/// holding exactly these bytes (a repair interrupted after saving) is reused.
fn save_torn(case: &CaseDir, offset: u64, bytes: &[u8]) -> Result<PathBuf> {
    let stem = format!(
        "ledger-torn-at-{offset}-{}",
        crate::format::time::now_utc().replace(':', "")
    );
    for n in 0u32.. {
        let name = if n == 0 {
            format!("{stem}.bin")
        } else {
            format!("{stem}-{n}.bin")
        };
        let path = case.torn().join(name);
        match fsutil::read_nofollow(&path, bytes.len() as u64) {
            Ok(existing) if existing == bytes => return Ok(path),
            // Other bytes, a larger file, or no regular file: another name.
            Ok(_) | Err(Error::Input(_) | Error::NotRegular { .. } | Error::TooLarge { .. }) => {
                continue
            }
            Err(Error::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
                fsutil::create_new(&path, bytes, 0o644)?;
                return Ok(path);
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("u32 names are never exhausted by torn lines at one offset")
}

/// The complete line (without its newline) that starts at byte `offset` of the ledger: one
/// seek, one bounded read ([`MAX_LINE`]), never through a link. `None` if no newline ends it
/// within the bound (a torn tail, or an offset that is not a line's start).
pub fn line_at(case: &CaseDir, offset: u64) -> Result<Option<Vec<u8>>> {
    let path = case.ledger();
    let mut f = fsutil::open_nofollow(&path, false)?;
    f.seek(SeekFrom::Start(offset)).at(&path)?;
    let mut line = Vec::new();
    BufReader::new(f.take(MAX_LINE as u64 + 1))
        .read_until(b'\n', &mut line)
        .at(&path)?;
    Ok((line.pop() == Some(b'\n')).then_some(line))
}

/// Every complete line of the ledger (for proofs and logs), refusing a torn tail. Each line
/// is shared ([`SharedLine`]): a body parsed from it with
/// [`TypedLine::parse_shared`](crate::format::entry::TypedLine::parse_shared) or
/// [`ChainState::apply_shared`] leaves a seal's members in it rather than copying them.
pub fn read_all_lines(case: &CaseDir) -> Result<Vec<SharedLine>> {
    complete_lines(case)?.collect()
}

/// The complete lines of the ledger one at a time, each shared ([`read_all_lines`] without
/// holding them all): an overlong line or a torn tail is an error, and the last item.
pub fn complete_lines(case: &CaseDir) -> Result<impl Iterator<Item = Result<SharedLine>>> {
    let ledger = case.ledger();
    let reader = LineReader::open(&ledger)?;
    Ok(reader.map(move |raw| match raw? {
        RawLine::Line { bytes, .. } => Ok(SharedLine::new(bytes)),
        RawLine::TooLong { offset, len, .. } => Err(RawLine::too_long_error(&ledger, offset, len)),
        RawLine::Torn { offset, .. } => Err(Error::input(format!(
            "{}: incomplete last line at byte {offset}; run `scelle repair`",
            ledger.display()
        ))),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::body::{
        Acquisition, Artifact, CaseInfo, CaseOpen, Hashes, Item, KeyRecord, Member, Seal, Software,
    };
    use crate::format::validate::manifest_sha256;
    use ed25519_dalek::SigningKey;

    const TIME: &str = "2026-11-23T06:30:00Z";

    fn key() -> LoadedKey {
        LoadedKey {
            signing: SigningKey::from_bytes(&[9u8; 32]),
            name: "tester".into(),
            role: Some("expert".into()),
            path: PathBuf::from("tester.key"),
        }
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for item in std::fs::read_dir(from).unwrap() {
            let item = item.unwrap();
            let dest = to.join(item.file_name());
            if item.file_type().unwrap().is_dir() {
                copy_dir(&item.path(), &dest);
            } else {
                std::fs::copy(item.path(), dest).unwrap();
            }
        }
    }

    /// Two identical cases, with their `case.open` written by `key` (as `scelle init` writes
    /// it, with the store alone: this layer does not use the commands above it).
    fn twin_cases(dir: &Path, key: &LoadedKey) -> (CaseDir, CaseDir) {
        let info = CaseInfo {
            case_id: "T-1".into(),
            title: "Twin \"é\"".into(),
            court: None,
            jurisdiction: Some("fr".into()),
            lang: None,
            timezone: None,
            origin: "scelle.case/T-1/0123456789abcdef".into(),
            created: TIME.into(),
        };
        let a = CaseDir::create(&dir.join("a"), &info).unwrap();
        let mut app = Appender::open(&a, key).unwrap();
        let admin = KeyRecord {
            id: key.id(),
            name: key.name.clone(),
            role: key.role.clone(),
            public_key: b64(key.public().as_bytes()),
            full_name: None,
        };
        let open = Body::CaseOpen(Box::new(CaseOpen { case: info, admin }));
        app.append_body(&open, key, TIME.into()).unwrap();
        app.finish(key).unwrap();
        copy_dir(a.root(), &dir.join("b"));
        (a, CaseDir::open(&dir.join("b")).unwrap())
    }

    /// A directory seal with `n` members of every type and awkward names.
    fn directory_seal(n: usize) -> Seal {
        let names = [
            "a b",
            "é/😀",
            "q\"uote",
            "back\\slash",
            "ctl\u{1}\t\n",
            "\u{fb01}",
            "\u{10000}",
        ];
        let mut members: Vec<Member> = (0..n)
            .map(|i| {
                let path = format!("{i:05}/{}", names[i % names.len()]);
                let (kind, link) = match i % 11 {
                    3 => ("dir", None),
                    5 => ("symlink", Some(format!("../{i}"))),
                    7 => ("other", None),
                    _ => ("file", None),
                };
                let file = kind == "file";
                Member {
                    path,
                    kind: kind.into(),
                    size: file.then_some(i as u64 * 7),
                    hashes: file.then(|| Hashes {
                        sha256: format!("{i:064x}"),
                        ..Hashes::default()
                    }),
                    link,
                    mtime: None,
                }
            })
            .collect();
        members.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let digest = manifest_sha256(&members);
        Seal {
            exhibit: "E-0001".into(),
            seal_no: Some("S/1 \"é\"".into()),
            description: Some("desc\u{7f} 😀".into()),
            item: Some(Item {
                make: Some("Make".into()),
                ..Item::default()
            }),
            acquisition: Some(Acquisition {
                present: vec!["A".into(), "B \u{2028}".into()],
                source_sha256: Some(digest.clone()),
                source_hash_matches: Some(true),
                acquired_at: Some("2026-11-20T14:05:00+01:00".into()),
                ..Acquisition::default()
            }),
            artifact: Artifact {
                kind: "directory".into(),
                path_given: "dir".into(),
                path_resolved: "/abs/dir".into(),
                size: members.iter().filter_map(|m| m.size).sum(),
                hashes: Hashes {
                    sha256: digest.clone(),
                    ..Hashes::default()
                },
                compression: None,
                manifest_sha256: Some(digest),
                file_count: Some(members.iter().filter(|m| m.kind == "file").count() as u64),
                members: Some(members.into()),
                member_file: None,
                ewf: None,
            },
            hashed_by: Software {
                name: "scelle".into(),
                version: crate::VERSION.into(),
            },
        }
    }

    fn file_seal() -> Seal {
        Seal {
            exhibit: "E-0001".into(),
            seal_no: None,
            description: None,
            item: None,
            acquisition: None,
            artifact: Artifact {
                kind: "file".into(),
                path_given: "f".into(),
                path_resolved: "/f".into(),
                size: 3,
                hashes: Hashes {
                    sha256: "ab".repeat(32),
                    sha512: Some("cd".repeat(64)),
                    legacy_md5: Some("ef".repeat(16)),
                    legacy_sha1: Some("01".repeat(20)),
                },
                compression: None,
                manifest_sha256: None,
                file_count: None,
                members: None,
                member_file: None,
                ewf: None,
            },
            hashed_by: Software {
                name: "scelle".into(),
                version: crate::VERSION.into(),
            },
        }
    }

    fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for item in std::fs::read_dir(dir).unwrap() {
            let p = item.unwrap().path();
            if p.is_dir() {
                out.extend(files_of(&p));
            } else if !p.ends_with("lock") {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn typed_and_value_appends_write_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let (a, b) = twin_cases(dir.path(), &key);
        let mut second = file_seal();
        second.exhibit = "E-0002".into();
        // 1500 members: the value rules run on another thread.
        let bodies = [
            Body::Seal(Box::new(directory_seal(1500))),
            Body::Seal(Box::new(second)),
        ];
        let mut app = Appender::open(&a, &key).unwrap();
        let seqs: Vec<u64> = bodies
            .iter()
            .map(|body| app.append_body(body, &key, TIME.into()).unwrap())
            .collect();
        app.finish(&key).unwrap();
        assert_eq!(seqs, [1, 2]);
        let mut app = Appender::open(&b, &key).unwrap();
        for body in &bodies {
            app.append(body, &key, TIME.into()).unwrap();
        }
        app.finish(&key).unwrap();
        // Ledger, index, checkpoints: byte for byte.
        let (fa, fb) = (files_of(a.root()), files_of(b.root()));
        assert_eq!(fa.len(), fb.len());
        for ((pa, ba), (pb, bb)) in fa.iter().zip(&fb) {
            assert_eq!(pa, pb);
            assert!(ba == bb, "{} differs", pa.display());
        }
        // And the ledger verifies from scratch to the same state.
        // (`offset` is where the entry being applied starts: no state between entries.)
        let (mut rebuilt, indexed) = (rebuild_state(&a).unwrap(), trusted_state(&a, &key).unwrap());
        rebuilt.offset = indexed.offset;
        assert!(rebuilt == indexed);
    }

    #[test]
    fn typed_appends_refuse_what_value_appends_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let (a, b) = twin_cases(dir.path(), &key);
        let ledger = std::fs::read(a.ledger()).unwrap();
        let mut bad: Vec<Seal> = Vec::new();
        // Out of order exhibit id.
        bad.push(Seal {
            exhibit: "E-0002".into(),
            ..file_seal()
        });
        // Upper-case hex in a member's digest.
        let mut s = directory_seal(1100);
        let mut m = s.artifact.members.as_ref().unwrap().to_vec();
        let i = m.iter().position(|m| m.kind == "file").unwrap();
        m[i].hashes.as_mut().unwrap().sha256 = "AB".repeat(32);
        s.artifact.members = Some(m.into());
        bad.push(s);
        // A manifest that is not the members'.
        let mut s = directory_seal(40);
        s.artifact.manifest_sha256 = Some("00".repeat(32));
        bad.push(s);
        // Size not the sum of the files'.
        let mut s = directory_seal(2000);
        s.artifact.size += 1;
        bad.push(s);
        // A parent that does not exist.
        let mut s = file_seal();
        s.acquisition = Some(Acquisition {
            parent: Some("E-0009".into()),
            ..Acquisition::default()
        });
        bad.push(s);
        for seal in bad {
            let body = Body::Seal(Box::new(seal));
            let mut app = Appender::open(&a, &key).unwrap();
            let typed = app.append_body(&body, &key, TIME.into()).unwrap_err();
            drop(app);
            let mut app = Appender::open(&b, &key).unwrap();
            let by_value = app.append(&body, &key, TIME.into()).unwrap_err();
            drop(app);
            assert_eq!(typed.to_string(), by_value.to_string());
            assert!(typed.to_string().starts_with("refused, nothing written"));
            assert_eq!(std::fs::read(a.ledger()).unwrap(), ledger);
        }
    }

    #[test]
    fn an_unenrolled_signer_is_refused_by_both_paths() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = twin_cases(dir.path(), &key());
        let stranger = LoadedKey {
            signing: SigningKey::from_bytes(&[3u8; 32]),
            ..key()
        };
        let body = Body::Seal(Box::new(file_seal()));
        let typed = Appender::open(&a, &stranger)
            .unwrap()
            .append_body(&body, &stranger, TIME.into())
            .unwrap_err();
        let by_value = Appender::open(&b, &stranger)
            .unwrap()
            .append(&body, &stranger, TIME.into())
            .unwrap_err();
        assert_eq!(typed.to_string(), by_value.to_string());
        assert!(typed.to_string().contains("not enrolled"), "{typed}");
    }
}
