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

/// Reads and parses a checkpoint file the user named (a link is followed).
pub fn read(path: &Path) -> Result<StoredCheckpoint> {
    let bytes = std::fs::read(path).at(path)?;
    parse(path, bytes)
}

/// Reads and parses a checkpoint file of the case, refusing a symbolic link.
pub fn read_in_case(path: &Path) -> Result<StoredCheckpoint> {
    parse(path, fsutil::read_nofollow(path)?)
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

/// Every checkpoint file of the case (a regular file, symbolic links followed, named
/// `NNNNNNNNNNNN.txt`), by increasing size. Files that fail to parse are returned as errors
/// in place, so a verifier can name them. Anything else in `checkpoints/` is a stray
/// ([`strays`]), never read.
pub fn list(case: &CaseDir) -> Result<Vec<(PathBuf, Result<StoredCheckpoint>)>> {
    let (mut paths, _) = scan(case)?;
    paths.sort();
    Ok(paths.into_iter().map(|p| (p.clone(), read(&p))).collect())
}

/// What `checkpoints/` holds besides checkpoint files (FORMAT.md 8.2: `checkpoint-stray`),
/// sorted: other names, directories, special files, a leftover temporary file.
pub fn strays(case: &CaseDir) -> Result<Vec<PathBuf>> {
    let (_, mut stray) = scan(case)?;
    stray.sort();
    Ok(stray)
}

fn scan(case: &CaseDir) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let dir = case.checkpoints();
    let (mut files, mut stray) = (Vec::new(), Vec::new());
    for e in std::fs::read_dir(&dir).at(&dir)? {
        let path = e.at(&dir)?.path();
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_checkpoint_name);
        if named && path.is_file() {
            files.push(path);
        } else {
            stray.push(path);
        }
    }
    Ok((files, stray))
}

/// The checkpoint files of the case named by their tree size ([`file_name`]), by size.
/// Other names are never chosen; a symbolic link is refused.
pub fn by_size(case: &CaseDir) -> Result<std::collections::BTreeMap<u64, PathBuf>> {
    let dir = case.checkpoints();
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(&dir).at(&dir)? {
        let e = e.at(&dir)?;
        let Some(size) = size_of_name(&e.file_name()) else {
            continue;
        };
        if e.file_type().at(e.path())?.is_symlink() {
            return Err(fsutil::link_refused(&e.path()));
        }
        out.insert(size, e.path());
    }
    Ok(out)
}

/// The stored checkpoint for tree `size`, if any: the file named for that size, whose text
/// must be of that size.
pub fn for_size(case: &CaseDir, size: u64) -> Result<Option<StoredCheckpoint>> {
    let path = case.checkpoints().join(file_name(size));
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
        Ok(_) => {}
    }
    let cp = read_in_case(&path)?;
    if cp.checkpoint.size != size {
        return Err(Error::input(format!(
            "{}: holds a checkpoint of size {}, not {size} as its name says; run `scelle verify`",
            path.display(),
            cp.checkpoint.size
        )));
    }
    Ok(Some(cp))
}

/// The checkpoint of the largest tree size: found by the sizes in the file names and checked
/// against the size in the text; misnamed or unreadable files are never chosen (`scelle
/// verify` reports them).
pub fn latest(case: &CaseDir) -> Result<StoredCheckpoint> {
    for (size, path) in by_size(case)?.into_iter().rev() {
        match read_in_case(&path) {
            Ok(cp) if cp.checkpoint.size == size => return Ok(cp),
            _ => continue,
        }
    }
    Err(Error::input(format!(
        "{}: no checkpoint yet; seal an artifact first",
        case.root().display()
    )))
}

/// Refuses to append to a ledger that a stored checkpoint contradicts: a checkpoint of this
/// case beyond the ledger's end (entries were removed), or one of the ledger's own size with
/// another root. Appending would leave it contradicting the ledger for ever.
pub fn check_not_contradicted(case: &CaseDir, state: &ChainState) -> Result<()> {
    let origin = match &state.case {
        Some(c) => c.origin.clone(),
        None => case.info()?.origin,
    };
    for (size, path) in by_size(case)?.range(state.size..) {
        let Ok(cp) = read_in_case(path) else {
            continue;
        };
        if cp.checkpoint.origin != origin || cp.checkpoint.size != *size {
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

/// Writes the checkpoint note for its size (atomically). An existing file for that size is
/// kept if it records the same checkpoint (origin, size, root); one that records another is
/// an error, never overwritten.
pub fn write(case: &CaseDir, size: u64, note: &Note) -> Result<PathBuf> {
    let path = case.checkpoints().join(file_name(size));
    let new = Checkpoint::parse_text(&note.text)
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    match for_size(case, size)? {
        Some(old) if old.checkpoint == new => {}
        Some(old) => {
            return Err(Error::input(format!(
                "{}: already holds a checkpoint of size {size} with another origin or root ({}); it contradicts the ledger, which is not overwritten (run `scelle verify`)",
                path.display(),
                crate::format::encoding::b64(&old.checkpoint.root)
            )))
        }
        None => fsutil::atomic_write(&path, note.encode().as_bytes(), 0o644)?,
    }
    Ok(path)
}
