//! The ledger file (`ledger.jsonl`) and its index cache (`ledger.index`).
//!
//! Appends take the case lock, check the index against the file (length and last line), write
//! each line with its newline in one `write` on an `O_APPEND` descriptor, `fdatasync`, then
//! replace the index atomically and write the signed checkpoint. A crash at any instant leaves
//! every completed line intact; at worst a torn last line, which appends refuse and
//! [`repair`] moves aside.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Body, KeyRecord};
use crate::format::canonical::to_canonical;
use crate::format::chain::{ChainState, Custody, EnrolledKey, Severity};
use crate::format::encoding::{hex, unhex};
use crate::format::entry::{line_hash, Entry, FORMAT_VERSION};
use crate::format::merkle::{Frontier, Hash};
use crate::format::note::{Checkpoint, Note};
use crate::store::case::{CaseDir, CaseLock};
use crate::store::checkpoints;
use crate::store::fsutil;
use crate::store::keyfile::LoadedKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
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
}

/// Reads the ledger line by line, in constant memory per line.
pub struct LineReader {
    reader: BufReader<File>,
    offset: u64,
    path: PathBuf,
}

impl LineReader {
    /// Opens a ledger file.
    pub fn open(path: &Path) -> Result<Self> {
        let f = File::open(path).at(path)?;
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
        match self.reader.read_until(b'\n', &mut buf) {
            Err(e) => Some(Err(Error::io(&self.path, e))),
            Ok(0) => None,
            Ok(n) => {
                let offset = self.offset;
                self.offset += n as u64;
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                    Some(Ok(RawLine::Line { offset, bytes: buf }))
                } else {
                    Some(Ok(RawLine::Torn { offset, bytes: buf }))
                }
            }
        }
    }
}

/// The version of the `ledger.index` layout; an index of another version is rebuilt.
const INDEX_FORMAT: u64 = 3;

/// The stored form of [`ChainState`] (`ledger.index`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexFile {
    format: u64,
    size: u64,
    bytes: u64,
    last_line_len: u64,
    last_line_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_time: Option<String>,
    frontier: Vec<FrontierNode>,
    exhibits: u64,
    keys: Vec<EnrolledKey>,
    custody: BTreeMap<String, Custody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case: Option<crate::format::body::CaseInfo>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontierNode {
    height: u32,
    hash: String,
}

fn encode_index(s: &ChainState) -> Vec<u8> {
    let file = IndexFile {
        format: INDEX_FORMAT,
        size: s.size,
        bytes: s.bytes,
        last_line_len: s.last_line_len,
        last_line_sha256: s.last_line_hash.clone(),
        last_time: s.last_time.clone(),
        frontier: s
            .frontier
            .nodes()
            .iter()
            .map(|(h, x)| FrontierNode {
                height: *h,
                hash: hex(x),
            })
            .collect(),
        exhibits: s.exhibits,
        keys: s.keys.clone(),
        custody: s.custody.clone(),
        case: s.case.clone(),
    };
    let mut v = to_canonical(&serde_json::to_value(file).expect("serialises")).expect("canonical");
    v.push(b'\n');
    v
}

fn decode_index(bytes: &[u8]) -> Option<ChainState> {
    let f: IndexFile = serde_json::from_slice(bytes).ok()?;
    if f.format != INDEX_FORMAT {
        return None;
    }
    let nodes: Option<Vec<(u32, Hash)>> = f
        .frontier
        .iter()
        .map(|n| unhex::<32>(&n.hash).map(|h| (n.height, h)))
        .collect();
    Some(ChainState {
        size: f.size,
        bytes: f.bytes,
        last_line_len: f.last_line_len,
        last_line_hash: f.last_line_sha256,
        last_time: f.last_time,
        frontier: Frontier::from_parts(f.size, nodes?)?,
        exhibits: f.exhibits,
        keys: f.keys,
        custody: f.custody,
        offset: f.bytes,
        case: f.case,
    })
}

/// Loads the index if it matches the ledger file (same length, same last line hash): O(1)
/// reads whatever the ledger's size.
fn load_index_if_current(case: &CaseDir) -> Result<Option<ChainState>> {
    let Ok(bytes) = std::fs::read(case.index()) else {
        return Ok(None);
    };
    let Some(state) = decode_index(&bytes) else {
        return Ok(None);
    };
    let ledger = case.ledger();
    let mut f = File::open(&ledger).at(&ledger)?;
    let len = f.metadata().at(&ledger)?.len();
    if len != state.bytes {
        return Ok(None);
    }
    if state.size > 0 {
        let mut last = vec![0u8; state.last_line_len as usize + 1];
        f.seek(SeekFrom::Start(state.bytes - last.len() as u64))
            .at(&ledger)?;
        f.read_exact(&mut last).at(&ledger)?;
        if last.pop() != Some(b'\n') || line_hash(&last) != state.last_line_hash {
            return Ok(None);
        }
    }
    Ok(Some(state))
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
            RawLine::Line { bytes, .. } => {
                let applied = state.apply(&bytes);
                if let Some(f) = applied.findings.iter().find(|f| f.severity == Severity::Error) {
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

/// The current chain state: the index if current, else rebuilt from the ledger.
pub fn current_state(case: &CaseDir) -> Result<ChainState> {
    match load_index_if_current(case)? {
        Some(s) => Ok(s),
        None => rebuild_state(case),
    }
}

/// An open append transaction on a case: holds the lock until [`Appender::finish`].
pub struct Appender<'a> {
    case: &'a CaseDir,
    _lock: CaseLock,
    state: ChainState,
    file: File,
    appended: Vec<Entry>,
}

impl<'a> Appender<'a> {
    /// Locks the case and loads its state.
    pub fn open(case: &'a CaseDir) -> Result<Self> {
        let lock = case.lock()?;
        let state = current_state(case)?;
        let ledger = case.ledger();
        let file = OpenOptions::new().append(true).open(&ledger).at(&ledger)?;
        Ok(Appender {
            case,
            _lock: lock,
            state,
            file,
            appended: Vec::new(),
        })
    }

    /// The chain state so far.
    pub fn state(&self) -> &ChainState {
        &self.state
    }

    /// Signs and appends one entry; durable (fdatasync) when it returns.
    pub fn append(
        &mut self,
        kind: &str,
        body: Value,
        key: &LoadedKey,
        time: String,
    ) -> Result<Entry> {
        let mut entry = Entry {
            body,
            kind: kind.to_string(),
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
        if let Some(f) = applied
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error)
        {
            return Err(Error::input(format!(
                "refused, nothing written: {}",
                f.message
            )));
        }
        let ledger = self.case.ledger();
        let mut bytes = line;
        bytes.push(b'\n');
        self.file.write_all(&bytes).at(&ledger)?;
        self.file.sync_data().at(&ledger)?;
        self.state = next;
        let enrolled: Option<&KeyRecord> = match &applied.body {
            Some(Body::CaseOpen(open)) => Some(&open.admin),
            Some(Body::KeyEnrol(k)) => Some(&k.key),
            Some(Body::KeyRotate(r)) => Some(&r.new),
            _ => None,
        };
        if let Some(rec) = enrolled {
            let pk = crate::format::chain::record_public_key(rec).expect("checked by apply");
            let pem = crate::format::keys::public_key_pem(&pk, &rec.name, rec.role.as_deref());
            fsutil::atomic_write(
                &self.case.keys().join(format!("{}.pub", rec.id)),
                pem.as_bytes(),
                0o644,
            )?;
        }
        self.appended.push(entry.clone());
        Ok(entry)
    }

    /// Writes the index and a checkpoint signed by `key`, and releases the lock. Returns the
    /// checkpoint's path (none if nothing was appended).
    pub fn finish(self, key: &LoadedKey) -> Result<Option<PathBuf>> {
        if self.appended.is_empty() {
            return Ok(None);
        }
        fsutil::atomic_write(&self.case.index(), &encode_index(&self.state), 0o644)?;
        let path = write_checkpoint(self.case, &self.state, key)?;
        Ok(Some(path))
    }
}

/// Signs and stores the checkpoint of `state` with `key` (which must be enrolled).
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
    checkpoints::write(case, state.size, &note)
}

/// What [`repair`] did.
#[derive(Debug)]
pub struct RepairOutcome {
    /// Bytes moved aside (0: nothing to repair).
    pub torn_bytes: u64,
    /// Where they were saved.
    pub saved_to: Option<PathBuf>,
    /// Complete entries kept.
    pub entries: u64,
}

/// Moves a torn last line (bytes after the last newline) to `torn/`, truncates the ledger to
/// its last complete line, and rebuilds the index. Refuses if any complete line is bad:
/// that is not a crash, and is for `verify` to report, not for repair to hide.
pub fn repair(case: &CaseDir) -> Result<RepairOutcome> {
    let _lock = case.lock()?;
    let ledger = case.ledger();
    let mut state = ChainState::new();
    let mut torn: Option<(u64, Vec<u8>)> = None;
    for raw in LineReader::open(&ledger)? {
        match raw? {
            RawLine::Torn { offset, bytes } => torn = Some((offset, bytes)),
            RawLine::Line { bytes, .. } => {
                let applied = state.apply(&bytes);
                if let Some(f) = applied
                    .findings
                    .iter()
                    .find(|f| f.severity == Severity::Error)
                {
                    return Err(Error::input(format!(
                        "{}: {}; this is not an interrupted append, repair will not change it (run `scelle verify`)",
                        ledger.display(),
                        f.describe()
                    )));
                }
            }
        }
    }
    let mut outcome = RepairOutcome {
        torn_bytes: 0,
        saved_to: None,
        entries: state.size,
    };
    if let Some((offset, bytes)) = torn {
        std::fs::create_dir_all(case.torn()).at(case.torn())?;
        let saved = save_torn(case, offset, &bytes)?;
        let f = OpenOptions::new().write(true).open(&ledger).at(&ledger)?;
        f.set_len(offset).at(&ledger)?;
        f.sync_all().at(&ledger)?;
        outcome.torn_bytes = bytes.len() as u64;
        outcome.saved_to = Some(saved);
    }
    fsutil::atomic_write(&case.index(), &encode_index(&state), 0o644)?;
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
        match std::fs::read(&path) {
            Ok(existing) if existing == bytes => return Ok(path),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fsutil::create_new(&path, bytes, 0o644)?;
                return Ok(path);
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    unreachable!("u32 names are never exhausted by torn lines at one offset")
}

/// Every complete line of the ledger (for proofs and logs), refusing a torn tail.
pub fn read_all_lines(case: &CaseDir) -> Result<Vec<Vec<u8>>> {
    let ledger = case.ledger();
    let mut out = Vec::new();
    for raw in LineReader::open(&ledger)? {
        match raw? {
            RawLine::Line { bytes, .. } => out.push(bytes),
            RawLine::Torn { offset, .. } => {
                return Err(Error::input(format!(
                    "{}: incomplete last line at byte {offset}; run `scelle repair`",
                    ledger.display()
                )))
            }
        }
    }
    Ok(out)
}
