//! The checkpoint store: every signed checkpoint the case has written, one file per tree size.

use crate::error::{Error, IoContext, Result};
use crate::format::chain::ChainState;
use crate::format::note::{Checkpoint, Note};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use std::path::{Path, PathBuf};

/// A checkpoint file read from disk.
#[derive(Debug, Clone)]
pub struct StoredCheckpoint {
    /// Its path.
    pub path: PathBuf,
    /// The signed note.
    pub note: Note,
    /// The parsed checkpoint body.
    pub checkpoint: Checkpoint,
}

/// The file name of the checkpoint for tree `size`.
pub fn file_name(size: u64) -> String {
    format!("{size:012}.txt")
}

/// The tree size a file name stands for: exactly [`file_name`] of it (12 digits, `.txt`).
pub fn size_of_name(name: &std::ffi::OsStr) -> Option<u64> {
    let name = name.to_str()?;
    let digits = name.strip_suffix(".txt")?;
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads and parses a checkpoint file the user named (a link is followed): a regular file of
/// at most [`fsutil::MAX_CHECKPOINT_FILE`] bytes.
pub fn read(path: &Path) -> Result<StoredCheckpoint> {
    let bytes = fsutil::read_user_file(path, fsutil::MAX_CHECKPOINT_FILE)?;
    parse(path, bytes)
}

/// Reads and parses a checkpoint file of the case: a regular file (never a link, FIFO or
/// device) of at most [`fsutil::MAX_CHECKPOINT_FILE`] bytes.
pub fn read_in_case(path: &Path) -> Result<StoredCheckpoint> {
    parse(
        path,
        fsutil::read_nofollow(path, fsutil::MAX_CHECKPOINT_FILE)?,
    )
}

/// Whether `cp`, found under the name for tree `size`, is a checkpoint of this case that
/// counts (FORMAT.md 8.2): the case's origin, the size of its name, and at least one valid
/// signature by a key of `state` (the state after the whole ledger) that may sign a checkpoint
/// of that size. Anything else states nothing: writers, `prove` and `consistency` ignore it
/// (`scelle verify` reports it).
pub fn is_signed(state: &ChainState, cp: &StoredCheckpoint, size: u64, now: u64) -> bool {
    state
        .case
        .as_ref()
        .is_some_and(|c| c.origin == cp.checkpoint.origin)
        && cp.checkpoint.size == size
        && !crate::format::cosign::check_note(state, &cp.note, size, now)
            .signed_by
            .is_empty()
}

fn parse(path: &Path, bytes: Vec<u8>) -> Result<StoredCheckpoint> {
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(format!(
            "{}: not a checkpoint (not UTF-8 text)",
            path.display()
        ))
    })?;
    let note = Note::parse(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let checkpoint = Checkpoint::parse_text(&note.text)
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(StoredCheckpoint {
        path: path.to_path_buf(),
        note,
        checkpoint,
    })
}

/// Whether `name` is a checkpoint file name: 12 decimal digits and `.txt` (FORMAT.md 8.2).
pub fn is_checkpoint_name(name: &str) -> bool {
    name.len() == 16 && name.ends_with(".txt") && name[..12].bytes().all(|b| b.is_ascii_digit())
}

/// Every checkpoint file of the case (a regular file, not a symbolic link, named
/// `NNNNNNNNNNNN.txt`), by increasing size. Files that fail to parse are returned as errors
/// in place, so a verifier can name them. Anything else in `checkpoints/` is a stray
/// ([`strays`]), never read.
pub fn list(case: &CaseDir) -> Result<Vec<(PathBuf, Result<StoredCheckpoint>)>> {
    let (mut paths, _) = scan(case)?;
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| (p.clone(), read_in_case(&p)))
        .collect())
}

/// What `checkpoints/` holds besides checkpoint files and timestamp files (FORMAT.md 8.2:
/// `checkpoint-stray`), sorted: other names, directories, special files, a leftover temporary file.
pub fn strays(case: &CaseDir) -> Result<Vec<PathBuf>> {
    let (_, mut stray) = scan(case)?;
    stray.sort();
    Ok(stray)
}

fn scan(case: &CaseDir) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let dir = case.checkpoints();
    let (mut files, mut stray) = (Vec::new(), Vec::new());
    for e in std::fs::read_dir(&dir).at(&dir)? {
        let e = e.at(&dir)?;
        let path = e.path();
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_checkpoint_name);
        // The entry's own type (a link is not followed): a FIFO, device or link is a stray.
        let regular = e.file_type().at(&path)?.is_file();
        if named && regular {
            files.push(path);
        } else if regular
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(crate::store::timestamps::is_timestamp_name)
        {
            // An RFC 3161 timestamp (FORMAT.md 8.6): part of the directory, checked with its
            // checkpoint, neither a checkpoint file nor a stray.
        } else {
            stray.push(path);
        }
    }
    Ok((files, stray))
}

/// The checkpoint files of the case named by their tree size ([`file_name`]), by size.
/// Other names are never chosen, nor a FIFO, device or directory (a stray, never read); a
/// symbolic link is refused.
pub fn by_size(case: &CaseDir) -> Result<std::collections::BTreeMap<u64, PathBuf>> {
    let dir = case.checkpoints();
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(&dir).at(&dir)? {
        let e = e.at(&dir)?;
        let Some(size) = size_of_name(&e.file_name()) else {
            continue;
        };
        let t = e.file_type().at(e.path())?;
        if t.is_symlink() {
            return Err(fsutil::link_refused(&e.path()));
        }
        if !t.is_file() {
            continue;
        }
        out.insert(size, e.path());
    }
    Ok(out)
}

/// The checkpoint of the largest tree size that counts ([`is_signed`] by `state`, the state
/// after the whole ledger): found by the sizes in the file names and checked against the size
/// in the text; misnamed, unreadable, foreign or unsigned files are never chosen (`scelle
/// verify` reports them). A validly signed checkpoint beyond the ledger's end is chosen: it is
/// evidence that entries were removed, for the caller to refuse.
pub fn latest(case: &CaseDir, state: &ChainState) -> Result<StoredCheckpoint> {
    let now = crate::format::cosign::now_secs();
    for (size, path) in by_size(case)?.into_iter().rev() {
        match read_in_case(&path) {
            Ok(cp) if is_signed(state, &cp, size, now) => return Ok(cp),
            _ => continue,
        }
    }
    Err(Error::input(format!(
        "{}: no checkpoint signed by a key of this case yet; seal an artifact first (or run `scelle verify`)",
        case.root().display()
    )))
}

/// Refuses to append to a ledger that a stored checkpoint contradicts: a checkpoint of this
/// case beyond the ledger's end (entries were removed), or one of the ledger's own size with
/// another root. Appending would leave it contradicting the ledger for ever. Only checkpoints
/// validly signed by a key of the case that may sign their size count ([`is_signed`]): an
/// unsigned file, which anyone can write, states nothing and is ignored. On a ledger without
/// entries (no key to check a signature with), any checkpoint of the origin in `case.json`
/// beyond it counts.
pub fn check_not_contradicted(case: &CaseDir, state: &ChainState) -> Result<()> {
    let now = crate::format::cosign::now_secs();
    let empty_origin = match &state.case {
        Some(_) => None,
        None => Some(case.info()?.origin),
    };
    for (size, path) in by_size(case)?.range(state.size..) {
        let Ok(cp) = read_in_case(path) else {
            continue;
        };
        let counts = match &empty_origin {
            Some(origin) => cp.checkpoint.origin == *origin && cp.checkpoint.size == *size,
            None => is_signed(state, &cp, *size, now),
        };
        if !counts {
            continue;
        }
        if *size > state.size {
            return Err(Error::input(format!(
                "{}: a checkpoint of this case records {size} entries, but the ledger has only {}: entries were removed; refusing to append (run `scelle verify`)",
                path.display(),
                state.size
            )));
        }
        if !crate::format::merkle::ct_eq(&cp.checkpoint.root, &state.frontier.root()) {
            return Err(Error::input(format!(
                "{}: this checkpoint's root is not the ledger's at size {size}: the ledger was changed; refusing to append (run `scelle verify`)",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Writes the checkpoint note for its size (atomically), `state` being the ledger's state at
/// that size. An existing file for that size is kept if it records the same checkpoint
/// (origin, size, root) and counts ([`is_signed`]); one that counts and records another is an
/// error, never overwritten. Anything else at that name (unsigned, unreadable, not a
/// checkpoint, a FIFO: it states nothing) is replaced.
pub fn write(case: &CaseDir, state: &ChainState, note: &Note) -> Result<PathBuf> {
    let size = state.size;
    let path = case.checkpoints().join(file_name(size));
    let new = Checkpoint::parse_text(&note.text)
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let now = crate::format::cosign::now_secs();
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
        Ok(m) if m.file_type().is_symlink() => return Err(fsutil::link_refused(&path)),
        Ok(_) => match read_in_case(&path) {
            Ok(old) if is_signed(state, &old, size, now) => {
                if old.checkpoint == new {
                    return Ok(path);
                }
                return Err(Error::input(format!(
                    "{}: already holds a checkpoint of size {size} with another origin or root ({}); it contradicts the ledger, which is not overwritten (run `scelle verify`)",
                    path.display(),
                    crate::format::encoding::b64(&old.checkpoint.root)
                )));
            }
            _ => {}
        },
    }
    fsutil::atomic_write(&path, note.encode().as_bytes(), 0o644)?;
    Ok(path)
}
