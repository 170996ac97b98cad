//! The case directory: its layout, `case.json`, and the lock that serialises writers.
//!
//! ```text
//! CASE/
//!   case.json        the case (CaseInfo), as in the ledger's case.open entry
//!   ledger.jsonl     the ledger (normative)
//!   ledger.index     cache: Merkle frontier, counters, enrolled keys (rebuilt from the ledger)
//!   checkpoints/     every signed checkpoint, NNNNNNNNNNNN.txt by tree size
//!   keys/            public keys of the case's signers, KEYID.pub
//!   torn/            torn tails moved aside by `scelle repair`
//!   .lock            advisory lock file for writers
//! ```

use crate::error::{Error, IoContext, Result};
use crate::format::body::CaseInfo;
use crate::store::fsutil;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A case directory.
#[derive(Debug, Clone)]
pub struct CaseDir {
    root: PathBuf,
}

/// An exclusive writer lock on a case, released on drop.
pub struct CaseLock {
    _file: File,
}

impl CaseDir {
    /// Opens an existing case directory.
    pub fn open(root: &Path) -> Result<CaseDir> {
        if !root.is_dir() {
            return Err(Error::input(format!(
                "{}: no such case directory; create one with `scelle init {}` or give -C CASE_DIR",
                root.display(),
                root.display()
            )));
        }
        let case = CaseDir {
            root: root.to_path_buf(),
        };
        // A link where the case keeps its own files would make scelle read evidence from, or
        // write into, a file outside the case: refused before anything is read.
        for p in case.own_files() {
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(fsutil::link_refused(&p));
            }
        }
        // Only the ledger is evidence (FORMAT §1); a missing or damaged case.json is reported
        // by `verify` as a warning (`case-file`), not taken for "not a case".
        if !case.ledger().is_file() {
            return Err(Error::input(format!(
                "{}: not a scelle case directory (no ledger.jsonl); create one with `scelle init` or give -C CASE_DIR",
                root.display()
            )));
        }
        Ok(case)
    }

    /// Creates a new case directory at `root` (which must not exist, or be an empty
    /// directory). The directory is built under a temporary name and renamed into place.
    pub fn create(root: &Path, info: &CaseInfo) -> Result<CaseDir> {
        if root.exists() {
            let empty = root.is_dir() && std::fs::read_dir(root).at(root)?.next().is_none();
            if !empty {
                return Err(Error::input(format!(
                    "{} already exists and is not an empty directory; choose a new case directory",
                    root.display()
                )));
            }
        }
        let parent = match root.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(Error::input(format!(
                "{}: parent directory does not exist; create it first",
                parent.display()
            )));
        }
        let name = root
            .file_name()
            .ok_or_else(|| Error::input(format!("{}: not a directory name", root.display())))?;
        let tmp = fsutil::temp_beside(&parent.join(name), "init");
        let build = || -> Result<()> {
            std::fs::create_dir(&tmp).at(&tmp)?;
            for sub in ["checkpoints", "keys"] {
                std::fs::create_dir(tmp.join(sub)).at(tmp.join(sub))?;
            }
            let json = serde_json::to_vec_pretty(info).expect("CaseInfo serialises");
            fsutil::create_new(
                &tmp.join("case.json"),
                &[json, b"\n".to_vec()].concat(),
                0o644,
            )?;
            fsutil::create_new(&tmp.join("ledger.jsonl"), b"", 0o644)?;
            // Created now, so that taking the lock later never changes the directory.
            fsutil::create_new(&tmp.join(".lock"), b"", 0o644)?;
            fsutil::fsync_dir(&tmp.join("checkpoints"))?;
            fsutil::fsync_dir(&tmp.join("keys"))?;
            if root.exists() {
                std::fs::remove_dir(root).at(root)?;
            }
            std::fs::rename(&tmp, root).at(root)?;
            fsutil::fsync_dir(&parent)
        };
        if let Err(e) = build() {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        CaseDir::open(root)
    }

    /// The files and directories of the case that must never be symbolic links.
    fn own_files(&self) -> [PathBuf; 9] {
        [
            self.case_json(),
            self.ledger(),
            self.index(),
            self.checkpoints(),
            self.keys(),
            self.torn(),
            self.ioc_dir(),
            crate::store::member_file::dir_of(&self.root),
            self.root.join(".lock"),
        ]
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `case.json`.
    pub fn case_json(&self) -> PathBuf {
        self.root.join("case.json")
    }
    /// `ledger.jsonl`.
    pub fn ledger(&self) -> PathBuf {
        self.root.join("ledger.jsonl")
    }
    /// `ledger.index`.
    pub fn index(&self) -> PathBuf {
        self.root.join("ledger.index")
    }
    /// `checkpoints/`.
    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints")
    }
    /// `keys/`.
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }
    /// `torn/`.
    pub fn torn(&self) -> PathBuf {
        self.root.join("torn")
    }

    /// `ioc/`: a copy of every IOC file a scan used, named by its SHA-256.
    pub fn ioc_dir(&self) -> PathBuf {
        self.root.join("ioc")
    }

    /// Reads `case.json`.
    pub fn info(&self) -> Result<CaseInfo> {
        let p = self.case_json();
        let bytes = fsutil::read_nofollow(&p, fsutil::MAX_CASE_FILE)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::input(format!(
                "{}: damaged case file ({e}); restore it from a copy",
                p.display()
            ))
        })
    }

    /// Takes the exclusive writer lock, waiting for other writers. `.lock` must be a regular
    /// file (or missing): a link, FIFO or device there is refused, never waited on.
    pub fn lock(&self) -> Result<CaseLock> {
        let p = self.root.join(".lock");
        let f = fsutil::open_lock_file(&p)?;
        f.lock().at(&p)?;
        Ok(CaseLock { _file: f })
    }
}
