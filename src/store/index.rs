//! The ledger index (`ledger.index`, docs/FORMAT.md section 10): an SQLite database that
//! makes appends and lookups cost O(log n) reads whatever the ledger's size.
//!
//! The ledger is the evidence; the index is a cache anyone who can write the case directory can
//! change, so nothing in it is used unless it is authenticated. It holds:
//!
//! - `head`: one row, the case-wide state (size, frontier, last line, keys, TSAs, counters)
//!   and the roots of two Merkle trees, as canonical JSON signed by the writer that wrote it;
//! - `custody` and `scans`: one row per exhibit (its custody) and per valid scan (its
//!   findings' digests), each the leaf of its slot in a fixed-depth Merkle tree
//!   ([`crate::format::slottree`]) whose root is in the head;
//! - `nodes`: the trees' interior nodes, so that one row is checked (and changed) with its 32
//!   siblings.
//!
//! A writer uses a row only once its path leads to the root of a head it signed itself, and
//! changes a row only along a path it has just checked against that root: no row it did not
//! write can make it sign anything. Everything else (a missing row, a failed check, a database
//! that is not exactly this schema) makes the caller rebuild from the ledger.

use crate::error::{Error, IoContext, Result};
use crate::format::body::CaseInfo;
use crate::format::canonical::to_canonical;
use crate::format::chain::{ChainState, Custody, EnrolledKey};
use crate::format::encoding::{b64, hex, unb64, unhex};
use crate::format::merkle::{ct_eq, Frontier, Hash};
use crate::format::slottree::{self, Slot, DEPTH};
use crate::format::state::{CaseTsa, FindingDigest};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::keyfile::LoadedKey;
use ed25519_dalek::Signer;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The version of the index layout (`head.format`, and SQLite's `user_version`); an index of
/// another version is rebuilt.
const INDEX_FORMAT: u64 = 7;

/// SQLite's `application_id` of an index: "SCEL".
const APPLICATION_ID: i32 = 0x5343_454c;

/// The domain separation prefix of the message a writer signs over the head
/// (docs/FORMAT.md section 10): `scelle-index/v2\n` followed by the 32 bytes of SHA-256 of the
/// canonical head without its `sig` member.
const INDEX_SIG_DOMAIN: &[u8] = b"scelle-index/v2\n";

/// The longest value read from the database (a head, a row): a longer one fails the read and
/// the index is rebuilt.
const MAX_VALUE: i32 = 64 << 20;

/// More changed rows than this in one append (a key rotation on a large case) rewrite the
/// whole index rather than each row's path.
const MAX_PATH_UPDATES: usize = 4096;

/// The schema, exactly: a database whose `sqlite_schema` differs (a trigger, a view, another
/// column) is not an index.
const SCHEMA: &str = "\
CREATE TABLE head (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE custody (slot INTEGER PRIMARY KEY, exhibit TEXT NOT NULL UNIQUE, row TEXT NOT NULL);
CREATE TABLE scans (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, row TEXT NOT NULL);
CREATE TABLE nodes (tree INTEGER NOT NULL, level INTEGER NOT NULL, pos INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (tree, level, pos)) WITHOUT ROWID;
CREATE VIEW exhibits AS SELECT exhibit, json_extract(row, '$.custody.holder') AS holder, json_extract(row, '$.custody.status.state') AS state, json_extract(row, '$.custody.seal_no') AS seal_no, json_extract(row, '$.custody.seal_seq') AS seal_entry, json_extract(row, '$.custody.seal_offset') AS seal_offset, json_extract(row, '$.custody.sealed_sha256') AS sha256 FROM custody ORDER BY slot;
";

/// The two trees of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tree {
    /// One slot per exhibit with custody, in the order they were sealed.
    Custody = 0,
    /// One slot per valid `ioc.scan`, in ledger order.
    Scans = 1,
}

impl Tree {
    /// The row of a key (exhibit id, or scan seq): `(slot, row)`.
    fn select_by_key(self) -> &'static str {
        match self {
            Tree::Custody => "SELECT slot, row FROM custody WHERE exhibit = ?1",
            Tree::Scans => "SELECT slot, row FROM scans WHERE seq = ?1",
        }
    }
    /// The first `?1` rows in slot order: `(slot, row)`.
    fn select_all(self) -> &'static str {
        match self {
            Tree::Custody => "SELECT slot, row FROM custody ORDER BY slot LIMIT ?1",
            Tree::Scans => "SELECT slot, row FROM scans ORDER BY slot LIMIT ?1",
        }
    }
    /// A new row: `(slot, key, row)`.
    fn insert(self) -> &'static str {
        match self {
            Tree::Custody => "INSERT INTO custody (slot, exhibit, row) VALUES (?1, ?2, ?3)",
            Tree::Scans => "INSERT INTO scans (slot, seq, row) VALUES (?1, ?2, ?3)",
        }
    }
    /// A changed row: `(slot, row)`.
    fn update(self) -> &'static str {
        match self {
            Tree::Custody => "UPDATE custody SET row = ?2 WHERE slot = ?1",
            Tree::Scans => "UPDATE scans SET row = ?2 WHERE slot = ?1",
        }
    }
}

/// A row to write back: its slot if it is already stored (with the row as read, checked
/// against the head), its key (exhibit id, or scan seq) and its new canonical JSON.
struct RowChange {
    stored: Option<(Slot, Vec<u8>)>,
    key: Value,
    row: Vec<u8>,
}

/// A tree as the head records it: its rows (slots `0..rows`) and its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TreeHead {
    rows: u64,
    root: Hash,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeHeadJson {
    rows: u64,
    root: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontierNode {
    height: u32,
    hash: String,
}

/// The stored head: the case-wide part of [`ChainState`] and the trees' heads.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadJson {
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case: Option<CaseInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tsas: Vec<CaseTsa>,
    custody: TreeHeadJson,
    scans: TreeHeadJson,
    /// The id of the key that signed this head (the writer that wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signer: Option<String>,
    /// Base64 Ed25519 signature of [`INDEX_SIG_DOMAIN`] || SHA-256(the canonical head without
    /// `sig`), by `signer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sig: Option<String>,
}

/// An exhibit's custody row: `{"custody": ..., "exhibit": ID}`, canonical.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustodyRow {
    custody: Custody,
    exhibit: String,
}

/// A scan's row: `{"findings": [...], "seq": N}`, canonical.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanRow {
    findings: Vec<FindingDigest>,
    seq: u64,
}

fn canonical<T: Serialize>(v: &T) -> Vec<u8> {
    to_canonical(&serde_json::to_value(v).expect("serialises")).expect("canonical")
}

/// An exhibit's key and row in the custody tree.
fn custody_row(exhibit: &str, c: &Custody) -> (Value, Vec<u8>) {
    let row = canonical(&CustodyRow {
        custody: c.clone(),
        exhibit: exhibit.to_string(),
    });
    (Value::Text(exhibit.to_string()), row)
}

/// A scan's key and row in the scans tree.
fn scan_row(seq: u64, findings: &[FindingDigest]) -> (Value, Vec<u8>) {
    let row = canonical(&ScanRow {
        findings: findings.to_vec(),
        seq,
    });
    (Value::Integer(seq as i64), row)
}

/// The message a writer signs over the canonical head without `sig`.
fn head_message(unsigned: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    [INDEX_SIG_DOMAIN, Sha256::digest(unsigned).as_slice()].concat()
}

/// The head of `state` with these trees, signed by `key` when given.
fn encode_head(
    s: &ChainState,
    custody: TreeHead,
    scans: TreeHead,
    key: Option<&LoadedKey>,
) -> Vec<u8> {
    let tree = |t: TreeHead| TreeHeadJson {
        rows: t.rows,
        root: hex(&t.root),
    };
    let mut head = HeadJson {
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
        case: s.case.clone(),
        tsas: s.tsas.clone(),
        custody: tree(custody),
        scans: tree(scans),
        signer: key.map(LoadedKey::id),
        sig: None,
    };
    if let Some(key) = key {
        let msg = head_message(&canonical(&head));
        head.sig = Some(b64(&key.signing.sign(&msg).to_bytes()));
    }
    canonical(&head)
}

/// Decodes a head into the case-wide state (no custody, no scans) and the trees' heads. With
/// `signer`, only a head signed by that very key is accepted.
fn decode_head(
    bytes: &[u8],
    signer: Option<&LoadedKey>,
) -> Option<(ChainState, TreeHead, TreeHead)> {
    let mut h: HeadJson = serde_json::from_slice(bytes).ok()?;
    if h.format != INDEX_FORMAT {
        return None;
    }
    if let Some(key) = signer {
        if h.signer.as_deref() != Some(key.id().as_str()) {
            return None;
        }
        let sig = unb64(h.sig.take()?.as_str())?;
        let sig = ed25519_dalek::Signature::from_slice(&sig).ok()?;
        let msg = head_message(&canonical(&h));
        key.public().verify_strict(&msg, &sig).ok()?;
    }
    let nodes: Option<Vec<(u32, Hash)>> = h
        .frontier
        .iter()
        .map(|n| unhex::<32>(&n.hash).map(|x| (n.height, x)))
        .collect();
    let tree = |t: &TreeHeadJson| {
        Some(TreeHead {
            rows: t.rows,
            root: unhex::<32>(&t.root)?,
        })
    };
    let (custody, scans) = (tree(&h.custody)?, tree(&h.scans)?);
    let mut state = ChainState::new();
    state.size = h.size;
    state.bytes = h.bytes;
    state.offset = h.bytes;
    state.last_line_len = h.last_line_len;
    state.last_line_hash = h.last_line_sha256;
    state.last_time = h.last_time;
    state.frontier = Frontier::from_parts(h.size, nodes?)?;
    state.exhibits = h.exhibits;
    state.keys = h.keys;
    state.case = h.case;
    state.tsas = h.tsas;
    Some((state, custody, scans))
}

/// An open index database whose schema is exactly [`SCHEMA`].
struct Db {
    conn: Connection,
}

/// Any failure of the database: the index is then not used (and rewritten by a writer).
type DbResult<T> = std::result::Result<T, rusqlite::Error>;

impl Db {
    /// Hardens a connection to a file anyone may have written: no trusted schema, defensive
    /// mode, cell checks, a bound on values, a short wait on a concurrent writer.
    fn harden(conn: &Connection) -> DbResult<()> {
        use rusqlite::config::DbConfig;
        use rusqlite::limits::Limit;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE);
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA cell_size_check=ON; PRAGMA journal_mode=DELETE;")?;
        Ok(())
    }

    /// Opens `path` read-write (read-only where the file is), never through a link, hardened
    /// ([`Db::harden`]).
    fn connect(path: &Path) -> DbResult<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(path, flags)?;
        Self::harden(&conn)?;
        Ok(conn)
    }

    /// Opens the index at `path` if it is a regular file holding exactly this schema and
    /// version. `Ok(None)`: no usable index (absent, not a regular file, another schema, not
    /// a database). A symbolic link is an error (the case's files are never links).
    fn open(path: &Path) -> Result<Option<Db>> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => return Err(fsutil::link_refused(path)),
            Ok(m) if m.file_type().is_file() => {}
            _ => return Ok(None),
        }
        let Ok(conn) = Self::connect(path) else {
            return Ok(None);
        };
        let db = Db { conn };
        Ok(db.has_schema().unwrap_or(false).then_some(db))
    }

    /// Whether the database holds exactly [`SCHEMA`] at this version.
    fn has_schema(&self) -> DbResult<bool> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if version != INDEX_FORMAT as i64 || app != i64::from(APPLICATION_ID) {
            return Ok(false);
        }
        Ok(schema_of(&self.conn)? == expected_schema()?)
    }

    fn head(&self) -> DbResult<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT json FROM head WHERE id = 1", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map(|o| o.map(String::into_bytes))
    }

    /// The stored sibling of each level on `slot`'s path (an absent node is the empty
    /// subtree).
    fn siblings(&self, tree: Tree, slot: Slot, empties: &[Hash]) -> DbResult<Vec<Hash>> {
        let mut q = self
            .conn
            .prepare_cached("SELECT hash FROM nodes WHERE tree = ?1 AND level = ?2 AND pos = ?3")?;
        let mut out = Vec::with_capacity(DEPTH as usize);
        for level in 0..DEPTH {
            let h: Option<Vec<u8>> = q
                .query_row(
                    params![tree as i64, level, slot.sibling_at(level) as i64],
                    |r| r.get(0),
                )
                .optional()?;
            out.push(match h {
                None => empties[level as usize],
                Some(v) => v.try_into().map_err(|_| rusqlite::Error::InvalidQuery)?,
            });
        }
        Ok(out)
    }

    /// Stores the nodes of `path` (from [`slottree::path_up`]) for `slot`, levels 0 to
    /// `DEPTH - 1` (the root is in the head).
    fn put_path(&self, tree: Tree, slot: Slot, path: &[Hash]) -> DbResult<()> {
        let mut q = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO nodes (tree, level, pos, hash) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for level in 0..DEPTH {
            q.execute(params![
                tree as i64,
                level,
                slot.at(level) as i64,
                &path[level as usize][..]
            ])?;
        }
        Ok(())
    }
}

/// The rows of `sqlite_schema`, in a stable order.
fn schema_of(conn: &Connection) -> DbResult<Vec<(String, String, Option<String>)>> {
    let mut q = conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")?;
    let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// The `sqlite_schema` rows of [`SCHEMA`], as SQLite itself records them.
fn expected_schema() -> DbResult<Vec<(String, String, Option<String>)>> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    schema_of(&conn)
}

/// An index that matched the ledger: its database, the trees' heads, and the rows read so
/// far (as stored, checked against the head), which an [`Appender`](super::ledger::Appender)
/// compares with its state to write back only what changed.
pub(crate) struct Loaded {
    db: Db,
    custody: TreeHead,
    scans: TreeHead,
    read_custody: BTreeMap<String, (Slot, Vec<u8>)>,
    read_scans: BTreeMap<u64, (Slot, Vec<u8>)>,
    /// Whether every row was read (the state then holds every exhibit and scan).
    complete: bool,
    empties: Vec<Hash>,
}

/// Opens the case's index if its head matches the ledger (same length, same last line, the
/// case of entry 0), and with `signer`, is signed by that very key. Returns the case-wide state
/// (no custody, no scans: see [`Loaded::read_exhibit`], [`Loaded::read_all`]).
pub(crate) fn open_current(
    case: &CaseDir,
    signer: Option<&LoadedKey>,
    matches_ledger: impl FnOnce(&ChainState) -> Result<bool>,
) -> Result<Option<(ChainState, Loaded)>> {
    let Some(db) = Db::open(&case.index())? else {
        return Ok(None);
    };
    let Ok(Some(head)) = db.head() else {
        return Ok(None);
    };
    let Some((state, custody, scans)) = decode_head(&head, signer) else {
        return Ok(None);
    };
    let empty_but_rows = state.size == 0 && (custody.rows > 0 || scans.rows > 0);
    if empty_but_rows || !tree_fits(custody) || !tree_fits(scans) || !matches_ledger(&state)? {
        return Ok(None);
    }
    Ok(Some((
        state,
        Loaded {
            db,
            custody,
            scans,
            read_custody: BTreeMap::new(),
            read_scans: BTreeMap::new(),
            complete: false,
            empties: slottree::empties(),
        },
    )))
}

fn tree_fits(t: TreeHead) -> bool {
    Slot(t.rows).fits()
}

impl Loaded {
    /// Whether every row has been read into the state.
    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }

    /// Reads exhibit `ex`'s custody into `state`. False if the index has no row for it or the
    /// row does not check against the head (the caller then needs the whole state).
    pub(crate) fn read_exhibit(&mut self, state: &mut ChainState, ex: &str) -> bool {
        if self.complete || self.read_custody.contains_key(ex) {
            return true;
        }
        let Some((slot, row)) = self.checked_row(Tree::Custody, &ex) else {
            return false;
        };
        let Ok(parsed) = serde_json::from_str::<CustodyRow>(&row) else {
            return false;
        };
        if parsed.exhibit != ex {
            return false;
        }
        state.custody.insert(parsed.exhibit, parsed.custody);
        self.read_custody
            .insert(ex.to_string(), (slot, row.into_bytes()));
        true
    }

    /// The exhibits whose custody row records the sealed SHA-256 `sha256` or the current seal
    /// number `seal_no`, found by SQL over the rows and each checked against the head (a row
    /// that does not check: `None`, and the caller reads the whole state). Without reading
    /// every row into the state.
    pub(crate) fn custody_where(
        &self,
        sha256: &str,
        seal_no: Option<&str>,
    ) -> Option<Vec<(String, Custody)>> {
        let mut q = self
            .db
            .conn
            .prepare(
                "SELECT exhibit FROM custody \
                 WHERE json_extract(row, '$.custody.sealed_sha256') = ?1 \
                 OR (?2 IS NOT NULL AND json_extract(row, '$.custody.seal_no') = ?2)",
            )
            .ok()?;
        let ids: Vec<String> = q
            .query_map(params![sha256, seal_no], |r| r.get(0))
            .ok()?
            .collect::<std::result::Result<_, _>>()
            .ok()?;
        let mut out = Vec::new();
        for ex in ids {
            let (_, row) = self.checked_row(Tree::Custody, &ex)?;
            let parsed: CustodyRow = serde_json::from_str(&row).ok()?;
            if parsed.exhibit != ex {
                return None;
            }
            out.push((parsed.exhibit, parsed.custody));
        }
        Some(out)
    }

    /// Reads the findings of the scan at entry `seq` into `state`, as [`Loaded::read_exhibit`].
    pub(crate) fn read_scan(&mut self, state: &mut ChainState, seq: u64) -> bool {
        if self.complete || self.read_scans.contains_key(&seq) {
            return true;
        }
        let Ok(key) = i64::try_from(seq) else {
            return false;
        };
        let Some((slot, row)) = self.checked_row(Tree::Scans, &key) else {
            return false;
        };
        let Ok(parsed) = serde_json::from_str::<ScanRow>(&row) else {
            return false;
        };
        if parsed.seq != seq {
            return false;
        }
        state.scans.insert(seq, parsed.findings);
        self.read_scans.insert(seq, (slot, row.into_bytes()));
        true
    }

    /// The row of `tree` whose key (exhibit id, or scan seq) is `key`, with its slot, if its
    /// slot is in use and its path leads to the tree's root in the head.
    fn checked_row(&self, tree: Tree, key: &dyn rusqlite::ToSql) -> Option<(Slot, String)> {
        let (slot, row): (i64, String) = self
            .db
            .conn
            .query_row(tree.select_by_key(), [key], |r| Ok((r.get(0)?, r.get(1)?)))
            .ok()?;
        let head = self.tree_head(tree);
        let slot = Slot(u64::try_from(slot).ok()?);
        if slot.0 >= head.rows {
            return None;
        }
        let siblings = self.db.siblings(tree, slot, &self.empties).ok()?;
        slottree::check_row(slot, row.as_bytes(), &siblings, &head.root).then_some((slot, row))
    }

    /// Reads every row into `state`, checking that the rows are exactly the slots `0..rows`
    /// of each tree and rebuild its root. False (the state then unchanged) if not.
    pub(crate) fn read_all(&mut self, state: &mut ChainState) -> bool {
        if self.complete {
            return true;
        }
        let Ok(custody) = self.all_rows(Tree::Custody) else {
            return false;
        };
        let Ok(scans) = self.all_rows(Tree::Scans) else {
            return false;
        };
        let mut by_exhibit = BTreeMap::new();
        let mut read_custody = BTreeMap::new();
        for (slot, row) in custody {
            let Ok(r) = serde_json::from_slice::<CustodyRow>(&row) else {
                return false;
            };
            if by_exhibit.insert(r.exhibit.clone(), r.custody).is_some() {
                return false;
            }
            read_custody.insert(r.exhibit, (slot, row));
        }
        let mut by_seq = BTreeMap::new();
        let mut read_scans = BTreeMap::new();
        for (slot, row) in scans {
            let Ok(r) = serde_json::from_slice::<ScanRow>(&row) else {
                return false;
            };
            if by_seq.insert(r.seq, r.findings).is_some() {
                return false;
            }
            read_scans.insert(r.seq, (slot, row));
        }
        state.custody = by_exhibit;
        state.scans = by_seq;
        self.read_custody = read_custody;
        self.read_scans = read_scans;
        self.complete = true;
        true
    }

    /// Every row of `tree`, which must be exactly the slots `0..rows` and give its root.
    fn all_rows(&self, tree: Tree) -> DbResult<Vec<(Slot, Vec<u8>)>> {
        let head = self.tree_head(tree);
        let mut q = self.db.conn.prepare(tree.select_all())?;
        let limit = i64::try_from(head.rows.saturating_add(1)).unwrap_or(i64::MAX);
        let mut rows = Vec::new();
        let mut it = q.query([limit])?;
        while let Some(r) = it.next()? {
            let slot: i64 = r.get(0)?;
            let row: String = r.get(1)?;
            if slot != rows.len() as i64 {
                return Err(rusqlite::Error::InvalidQuery);
            }
            rows.push((Slot(slot as u64), row.into_bytes()));
        }
        if rows.len() as u64 != head.rows {
            return Err(rusqlite::Error::InvalidQuery);
        }
        let (_, root) = slottree::build(rows.iter().map(|(_, r)| slottree::row_hash(r)).collect());
        if !ct_eq(&root, &head.root) {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(rows)
    }

    fn tree_head(&self, tree: Tree) -> TreeHead {
        match tree {
            Tree::Custody => self.custody,
            Tree::Scans => self.scans,
        }
    }

    /// Writes back what `state` changed since the rows were read (new exhibits and scans at
    /// the next slots, changed custody along its path), and the head of `state` signed by
    /// `key`, in one transaction. Every path is checked against the running root before it
    /// is changed. An error leaves the index as it was (the caller then rewrites or drops it).
    pub(crate) fn write_back(&mut self, state: &ChainState, key: &LoadedKey) -> Result<()> {
        self.write_back_db(state, key)
            .map_err(|e| db_error(e, "update"))
    }

    fn write_back_db(&mut self, state: &ChainState, key: &LoadedKey) -> DbResult<()> {
        let custody_changes = changes(&state.custody, &self.read_custody, |ex, c| {
            custody_row(ex, c)
        });
        let scan_changes = changes(&state.scans, &self.read_scans, |seq, f| scan_row(*seq, f));
        if custody_changes.len() + scan_changes.len() > MAX_PATH_UPDATES {
            return Err(rusqlite::Error::InvalidQuery);
        }
        // A row the state no longer has (never happens: nothing removes an exhibit or a scan).
        if self.complete
            && (self
                .read_custody
                .keys()
                .any(|k| !state.custody.contains_key(k))
                || self.read_scans.keys().any(|k| !state.scans.contains_key(k)))
        {
            return Err(rusqlite::Error::InvalidQuery);
        }
        let tx = self.db.conn.unchecked_transaction()?;
        let mut custody = self.custody;
        let mut custody_done = Vec::with_capacity(custody_changes.len());
        for (ex, change) in custody_changes {
            custody_done.push((
                ex.clone(),
                self.write_row(Tree::Custody, &mut custody, change)?,
            ));
        }
        let mut scans = self.scans;
        let mut scans_done = Vec::with_capacity(scan_changes.len());
        for (seq, change) in scan_changes {
            scans_done.push((*seq, self.write_row(Tree::Scans, &mut scans, change)?));
        }
        let head = encode_head(state, custody, scans, Some(key));
        tx.execute(
            "INSERT OR REPLACE INTO head (id, json) VALUES (1, ?1)",
            [std::str::from_utf8(&head).expect("canonical JSON is UTF-8")],
        )?;
        tx.commit()?;
        self.read_custody.extend(custody_done);
        self.read_scans.extend(scans_done);
        self.custody = custody;
        self.scans = scans;
        Ok(())
    }

    /// Writes one changed or new row of `tree` (a new one at the next slot) and its path,
    /// checked against and then changing `head`. Returns the row as now stored.
    fn write_row(
        &self,
        tree: Tree,
        head: &mut TreeHead,
        change: RowChange,
    ) -> DbResult<(Slot, Vec<u8>)> {
        let RowChange { stored, key, row } = change;
        let text = std::str::from_utf8(&row).expect("canonical JSON is UTF-8");
        let conn = &self.db.conn;
        let (slot, old_leaf) = match stored {
            Some((s, old)) => {
                conn.execute(tree.update(), params![s.0 as i64, text])?;
                (s, slottree::row_hash(&old))
            }
            None => {
                let s = Slot(head.rows);
                conn.execute(tree.insert(), params![s.0 as i64, key, text])?;
                head.rows += 1;
                (s, [0u8; 32])
            }
        };
        head.root = self.change_path(tree, slot, old_leaf, &row, head.root)?;
        Ok((slot, row))
    }

    /// Replaces the leaf of `slot` (`old_leaf` before) by the hash of `row`: checks that the
    /// stored siblings lead from `old_leaf` to `root`, then stores the new path. Returns the
    /// new root.
    fn change_path(
        &self,
        tree: Tree,
        slot: Slot,
        old_leaf: Hash,
        row: &[u8],
        root: Hash,
    ) -> DbResult<Hash> {
        if !slot.fits() {
            return Err(rusqlite::Error::InvalidQuery);
        }
        let siblings = self.db.siblings(tree, slot, &self.empties)?;
        let old =
            slottree::path_up(slot, old_leaf, &siblings).ok_or(rusqlite::Error::InvalidQuery)?;
        if !ct_eq(&old[DEPTH as usize], &root) {
            return Err(rusqlite::Error::InvalidQuery);
        }
        let new = slottree::path_up(slot, slottree::row_hash(row), &siblings)
            .ok_or(rusqlite::Error::InvalidQuery)?;
        self.db.put_path(tree, slot, &new)?;
        Ok(new[DEPTH as usize])
    }
}

/// The rows of `now` that differ from those `read` (as stored), or are not stored yet, with
/// their key and new row from `encode`.
fn changes<'a, K: Ord, V>(
    now: &'a BTreeMap<K, V>,
    read: &BTreeMap<K, (Slot, Vec<u8>)>,
    encode: impl Fn(&K, &V) -> (Value, Vec<u8>),
) -> Vec<(&'a K, RowChange)> {
    now.iter()
        .filter_map(|(k, v)| {
            let (key, row) = encode(k, v);
            let stored = match read.get(k) {
                Some((_, old)) if *old == row => return None,
                Some((slot, old)) => Some((*slot, old.clone())),
                None => None,
            };
            Some((k, RowChange { stored, key, row }))
        })
        .collect()
}

fn db_error(e: rusqlite::Error, what: &str) -> Error {
    Error::input(format!(
        "ledger.index: cannot {what} the index database: {e}"
    ))
}

/// Writes a new index of `state` (which must hold every exhibit and scan) in place of the
/// case's: built in a temporary file beside it, synced, then renamed over it, so that a crash
/// leaves the old index or the new one. Signed by `key` when given (`scelle repair` writes it
/// unsigned: no writer then uses it, display commands may).
pub(crate) fn write_fresh(
    case: &CaseDir,
    state: &ChainState,
    key: Option<&LoadedKey>,
) -> Result<()> {
    let path = case.index();
    let tmp = fsutil::temp_beside(&path, "tmp");
    drop(fsutil::create_exclusive(&tmp, 0o644)?);
    let result = fill(&tmp, state, key).and_then(|()| {
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .at(&tmp)?;
        // A journal left by a writer killed in a transaction on the old index would be
        // rolled back into the new one: removed first.
        for side in ["-journal", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(side);
            let _ = std::fs::remove_file(&p);
        }
        std::fs::rename(&tmp, &path).at(&path)?;
        fsutil::fsync_dir(case.root())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Fills the empty database file `path` with the index of `state`.
fn fill(path: &Path, state: &ChainState, key: Option<&LoadedKey>) -> Result<()> {
    let run = || -> DbResult<()> {
        let conn = Db::connect(path)?;
        // A private file until renamed into place: a journal in memory (a kill leaves only this
        // file, removed or ignored), no syncs (the file is synced once, whole).
        conn.execute_batch("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;")?;
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {INDEX_FORMAT};"
        ))?;
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(SCHEMA)?;
        // Exhibits in the order they were sealed (their seal entries); scans in ledger order.
        let mut order: Vec<(&String, &Custody)> = state.custody.iter().collect();
        order.sort_by_key(|(ex, c)| (c.seal_seq, *ex));
        let custody = store_rows(
            &tx,
            Tree::Custody,
            order.into_iter().map(|(ex, c)| custody_row(ex, c)),
        )?;
        let scans = store_rows(
            &tx,
            Tree::Scans,
            state.scans.iter().map(|(seq, f)| scan_row(*seq, f)),
        )?;
        let head = encode_head(state, custody, scans, key);
        tx.execute(
            "INSERT INTO head (id, json) VALUES (1, ?1)",
            [std::str::from_utf8(&head).expect("JSON")],
        )?;
        tx.commit()?;
        conn.close().map_err(|(_, e)| e)
    };
    run().map_err(|e| db_error(e, "write"))
}

/// Stores `rows` (key, canonical JSON) at slots `0, 1, …` of `tree`, and every node of the
/// tree over them; returns its head.
fn store_rows(
    tx: &rusqlite::Transaction<'_>,
    tree: Tree,
    rows: impl Iterator<Item = (Value, Vec<u8>)>,
) -> DbResult<TreeHead> {
    let mut leaves = Vec::new();
    let mut q = tx.prepare(tree.insert())?;
    for (slot, (key, row)) in rows.enumerate() {
        leaves.push(slottree::row_hash(&row));
        q.execute(params![
            slot as i64,
            key,
            std::str::from_utf8(&row).expect("canonical JSON is UTF-8")
        ])?;
    }
    let rows = leaves.len() as u64;
    let (levels, root) = slottree::build(leaves);
    let mut q = tx.prepare("INSERT INTO nodes (tree, level, pos, hash) VALUES (?1, ?2, ?3, ?4)")?;
    for (level, nodes) in levels.iter().enumerate() {
        for (pos, h) in nodes.iter().enumerate() {
            q.execute(params![tree as i64, level as i64, pos as i64, &h[..]])?;
        }
    }
    Ok(TreeHead { rows, root })
}

/// Removes the case's index (a writer that could not update it: the next one rebuilds it).
pub(crate) fn discard(case: &CaseDir) {
    let path = case.index();
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
        let _ = std::fs::remove_file(&path);
    }
}
