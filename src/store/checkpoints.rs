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

/// Every checkpoint file of the case, by increasing size. Files that fail to parse are
/// returned as errors in place, so a verifier can name them.
pub fn list(case: &CaseDir) -> Result<Vec<(PathBuf, Result<StoredCheckpoint>)>> {
    let dir = case.checkpoints();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .at(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    Ok(paths.into_iter().map(|p| (p.clone(), read(&p))).collect())
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
