//! What an interrupt (Ctrl-C) leaves on disk. A ledger line is written in one `write` and
//! never half-written; what a command writes elsewhere in several steps (a bundle being
//! exported, a directory being imported) is registered here while it is incomplete, and the
//! binary's interrupt handler removes it ([`clean_up`]) before it exits, so that an interrupted
//! command leaves nothing partial behind.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Paths being written, to remove on an interrupt.
#[derive(Debug, Default)]
struct Incomplete(Mutex<Vec<PathBuf>>);

/// The process's paths being written.
static INCOMPLETE: Incomplete = Incomplete(Mutex::new(Vec::new()));

impl Incomplete {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn forget(&self, path: &Path) {
        let mut all = self.list();
        if let Some(i) = all.iter().rposition(|p| p == path) {
            all.remove(i);
        }
    }

    fn clean_up(&self) -> Vec<PathBuf> {
        let all = std::mem::take(&mut *self.list());
        let mut removed = Vec::new();
        for p in all {
            // Links are never followed: a link is removed, not what it names.
            let gone = match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&p).is_ok(),
                Ok(_) => std::fs::remove_file(&p).is_ok(),
                Err(_) => false,
            };
            if gone {
                removed.push(p);
            }
        }
        removed
    }
}

/// While alive, `path` (a file or directory being written) is removed on an interrupt.
#[derive(Debug)]
#[must_use = "the path is unregistered when this is dropped"]
pub struct RemoveOnInterrupt(PathBuf);

/// Registers `path` as incomplete until the returned guard is dropped (the command finished,
/// or removed it itself on an error).
pub fn remove_on_interrupt(path: &Path) -> RemoveOnInterrupt {
    INCOMPLETE.list().push(path.to_path_buf());
    RemoveOnInterrupt(path.to_path_buf())
}

impl Drop for RemoveOnInterrupt {
    fn drop(&mut self) {
        INCOMPLETE.forget(&self.0);
    }
}

/// Removes every incomplete path (files and directories); returns those removed. For the
/// interrupt handler, just before the process exits.
pub fn clean_up() -> Vec<PathBuf> {
    INCOMPLETE.clean_up()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_path_is_removed_until_it_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let done = dir.path().join("done.tar");
        let partial = dir.path().join("partial");
        std::fs::write(&done, "x").unwrap();
        std::fs::create_dir_all(partial.join("data")).unwrap();
        std::fs::write(partial.join("data/f"), "x").unwrap();
        let writing = Incomplete::default();
        writing.list().push(done.clone());
        writing.forget(&done);
        writing.list().push(partial.clone());
        assert_eq!(writing.clean_up(), std::slice::from_ref(&partial));
        assert!(!partial.exists());
        assert!(done.exists(), "a finished file stays");
    }
}
