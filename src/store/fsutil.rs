//! Durable file writes: whole files go to a temporary file that is fsynced, renamed over the
//! target, and then the directory is fsynced, so a crash leaves either the old or the new file.
//!
//! Nothing here follows a symbolic link planted by someone else (docs/SECURITY.md 13.4): a
//! temporary file has an unpredictable name (`.NAME.tmp-` and 16 random hex digits) and is
//! created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so a link already at that name makes the
//! write fail instead of writing through it; `rename` replaces a link at the target itself,
//! never the file it points to. Files of a case that scelle opens in place (the ledger, the
//! index, checkpoints) are opened with `O_NOFOLLOW` by [`open_nofollow`].

use crate::error::{Error, IoContext, Result};
use rand_core::RngCore;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Fsyncs a directory, making renames and creations inside it durable.
pub fn fsync_dir(dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir).and_then(|d| d.sync_all()).at(dir)
}

/// 16 random hex digits from the operating system's generator.
pub fn random_suffix() -> String {
    let mut b = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut b);
    crate::format::encoding::hex(&b)
}

/// An unpredictable temporary name beside `path`: `.NAME.WHAT-RANDOM` in its directory.
pub fn temp_beside(path: &Path, what: &str) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.{what}-{}", random_suffix()))
}

/// Options that create a new file exclusively and never follow a link at its name.
fn exclusive(mode: u32) -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    o
}

/// Creates a new file for writing with `O_CREAT | O_EXCL | O_NOFOLLOW`: fails if anything,
/// a link included, is already at `path`.
pub fn create_exclusive(path: &Path, mode: u32) -> Result<File> {
    exclusive(mode).open(path).at(path)
}

/// The largest checkpoint file read (of the case, or given by the user): 1 MiB (FORMAT.md §1).
pub const MAX_CHECKPOINT_FILE: u64 = 1 << 20;
/// The largest `case.json` read: 1 MiB (FORMAT.md §1).
pub const MAX_CASE_FILE: u64 = 1 << 20;
/// The largest copy of an IOC file (`ioc/*.stix2`) read: 256 MiB (FORMAT.md §1).
pub const MAX_IOC_COPY: u64 = 256 << 20;
/// The largest key file read (`keys/*.pub`, the user's `.key` and `.pub`): 1 MiB.
pub const MAX_KEY_FILE: u64 = 1 << 20;

/// Opens `path` with `flags` plus `O_NONBLOCK | O_NOCTTY | O_CLOEXEC` (so that a FIFO or a
/// device planted at the name never blocks the open), checks with `fstat` that it is a
/// regular file, and clears `O_NONBLOCK` again. A symbolic link (with `O_NOFOLLOW` in
/// `flags`) is refused with [`link_refused`]; anything but a regular file with
/// [`not_regular`].
fn open_regular(path: &Path, mut o: OpenOptions, flags: i32) -> Result<File> {
    o.custom_flags(flags | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC);
    let f = o.open(path).map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) if flags & libc::O_NOFOLLOW != 0 => link_refused(path),
        // A FIFO with no reader opened for writing, a socket, a device with no driver.
        Some(libc::ENXIO) | Some(libc::EOPNOTSUPP) => not_regular(path, "special file"),
        _ => Error::io(path, e),
    })?;
    let id = crate::store::nofollow::fstat(&f).at(path)?;
    if id.kind != crate::store::nofollow::Kind::File {
        return Err(not_regular(path, id.kind.describe()));
    }
    let fl = rustix::fs::fcntl_getfl(&f).map_err(|e| Error::io(path, e.into()))?;
    rustix::fs::fcntl_setfl(&f, fl - rustix::fs::OFlags::NONBLOCK)
        .map_err(|e| Error::io(path, e.into()))?;
    Ok(f)
}

/// Opens a file of a case with `O_NOFOLLOW | O_NONBLOCK` (read-only, or for appending with
/// `append`) and checks it is a regular file: a symbolic link, a FIFO, a socket or a device is
/// refused with an error naming the file, never waited on.
pub fn open_nofollow(path: &Path, append: bool) -> Result<File> {
    let mut o = OpenOptions::new();
    if append {
        o.append(true);
    } else {
        o.read(true);
    }
    open_regular(path, o, libc::O_NOFOLLOW)
}

/// Opens (creating it if missing) a case's lock file for writing, as [`open_nofollow`] does.
pub fn open_lock_file(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).truncate(false).write(true).mode(0o644);
    open_regular(path, o, libc::O_NOFOLLOW)
}

/// Reads at most `limit` bytes of an open regular file: its size (`fstat`) is checked first,
/// and the read stops one byte past the limit as a second guard against a file that grows.
fn read_bounded(mut f: File, path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let size = f.metadata().at(path)?.len();
    if size > limit {
        return Err(too_large(path, size, limit));
    }
    let mut v = Vec::with_capacity(size as usize);
    (&mut f).take(limit + 1).read_to_end(&mut v).at(path)?;
    if v.len() as u64 > limit {
        return Err(too_large(path, v.len() as u64, limit));
    }
    Ok(v)
}

/// Reads a whole file of a case of at most `limit` bytes, refusing a symbolic link, anything
/// but a regular file ([`open_nofollow`]) and a larger file (checked before reading).
pub fn read_nofollow(path: &Path, limit: u64) -> Result<Vec<u8>> {
    read_bounded(open_nofollow(path, false)?, path, limit)
}

/// Reads a whole file the user named (a symbolic link is followed) of at most `limit` bytes,
/// refusing anything but a regular file (never blocking on a FIFO) and a larger file.
pub fn read_user_file(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut o = OpenOptions::new();
    o.read(true);
    read_bounded(open_regular(path, o, 0)?, path, limit)
}

/// The error for a FIFO, socket, device or directory where a regular file is read.
pub fn not_regular(path: &Path, what: &str) -> Error {
    Error::NotRegular {
        path: path.to_path_buf(),
        what: what.to_string(),
    }
}

/// The error for a file larger than scelle reads at that place.
pub fn too_large(path: &Path, size: u64, limit: u64) -> Error {
    Error::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    }
}

/// The error for a symbolic link where a case keeps a file of its own.
pub fn link_refused(path: &Path) -> Error {
    Error::input(format!(
        "{}: is a symbolic link; scelle never reads or writes a case's files through a link \
         (someone may have planted it). Replace it with the real file, then retry",
        path.display()
    ))
}

/// Writes `bytes` to `path` atomically and durably, with permission `mode` from creation.
/// The temporary file is created exclusively under an unpredictable name, never through a
/// link; the rename replaces whatever is at `path` (a link there is replaced, not followed).
pub fn atomic_write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = temp_beside(path, "tmp");
    let mut f = create_exclusive(&tmp, mode)?;
    let result = (|| {
        f.write_all(bytes).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        std::fs::rename(&tmp, path).at(path)?;
        fsync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `path`, which must not exist (nor be a link), with `bytes` and permission `mode`
/// set at open (never a moment with wider permissions), fsyncs it and its directory.
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = create_exclusive(path, mode)?;
    let r = f.write_all(bytes).and_then(|_| f.sync_all()).at(path);
    if r.is_err() {
        drop(f);
        let _ = std::fs::remove_file(path);
        return r;
    }
    fsync_dir(path.parent().unwrap_or(Path::new(".")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_unpredictable_and_links_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let a = temp_beside(&dir.path().join("f"), "tmp");
        let b = temp_beside(&dir.path().join("f"), "tmp");
        assert_ne!(a, b);
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_new(&link, b"x", 0o644).is_err());
        let e = open_nofollow(&link, true).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // atomic_write replaces the link itself.
        atomic_write(&link, b"new", 0o644).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
