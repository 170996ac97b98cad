//! The checkpoint store: every signed checkpoint the case has written, one file per tree size.

use crate::error::{Error, IoContext, Result};
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

/// Reads and parses a checkpoint file.
pub fn read(path: &Path) -> Result<StoredCheckpoint> {
    let bytes = std::fs::read(path).at(path)?;
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

/// The checkpoint of the largest tree size.
pub fn latest(case: &CaseDir) -> Result<StoredCheckpoint> {
    let all = list(case)?;
    let (path, last) = all.into_iter().last().ok_or_else(|| {
        Error::input(format!(
            "{}: no checkpoint yet; seal an artifact first",
            case.root().display()
        ))
    })?;
    last.map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// Writes the checkpoint note for its size (atomically); an existing one is kept.
pub fn write(case: &CaseDir, size: u64, note: &Note) -> Result<PathBuf> {
    let path = case.checkpoints().join(file_name(size));
    if !path.exists() {
        fsutil::atomic_write(&path, note.encode().as_bytes(), 0o644)?;
    }
    Ok(path)
}
