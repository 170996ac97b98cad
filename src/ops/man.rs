//! `scelle man`: writes the man pages (rendered by the command line from its definitions)
//! into a directory.

use std::path::{Path, PathBuf};

/// Why the man pages could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ManError {
    /// The directory could not be created.
    #[error("cannot create {}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A page could not be written.
    #[error(transparent)]
    Write(#[from] crate::error::Error),
}

/// Writes `pages` (file name, roff bytes) into `dir`, created if missing; existing pages are
/// replaced (each written atomically, mode 0644).
pub fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<ManPages, ManError> {
    std::fs::create_dir_all(dir).map_err(|source| ManError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    })?;
    for (name, page) in pages {
        crate::store::fsutil::atomic_write(&dir.join(name), page, 0o644)?;
    }
    Ok(ManPages {
        count: pages.len(),
        dir: dir.to_path_buf(),
    })
}

/// `man`: the pages written.
#[derive(Debug)]
pub struct ManPages {
    /// How many.
    pub count: usize,
    /// Into which directory.
    pub dir: PathBuf,
}
