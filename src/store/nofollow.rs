//! Opening what is sealed (or re-checked, or exported) so that what is read is what was there:
//! members of a folder are opened relative to the folder without following any symbolic link
//! (`openat2` with `RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH`, or component by component with
//! `O_NOFOLLOW` where `openat2` is unavailable), nothing is opened that could block (a FIFO) or
//! is not the type expected, and a file's identity (type, device, inode, size, modification and
//! change times) is taken before and after its bytes are read: any difference, or a byte count
//! other than the size, refuses the result (FORMAT.md 6.2, SECURITY.md 13.5).

use crate::error::{Error, IoContext, Result};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What a name is, as the file system says (never following a link when it is the name's own
/// type that is asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A FIFO, socket or device: never read.
    Other(&'static str),
}

impl Kind {
    fn of(t: FileType) -> Kind {
        match t {
            FileType::RegularFile => Kind::File,
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Symlink,
            FileType::Fifo => Kind::Other("FIFO"),
            FileType::Socket => Kind::Other("socket"),
            FileType::CharacterDevice => Kind::Other("character device"),
            FileType::BlockDevice => Kind::Other("block device"),
            _ => Kind::Other("special file"),
        }
    }

    /// The kind in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::File => "regular file",
            Kind::Dir => "directory",
            Kind::Symlink => "symbolic link",
            Kind::Other(what) => what,
        }
    }
}

/// A file's identity and state: two equal identities taken before and after reading mean the
/// file was not replaced, moved over, resized or written in between (as far as the file
/// system's clocks tell: the change time moves on every write, even one that restores the
/// modification time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// Its type.
    pub kind: Kind,
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// Size in bytes.
    pub size: u64,
    /// Modification time (seconds, nanoseconds).
    pub mtime: (i64, u64),
    /// Status change time (seconds, nanoseconds).
    pub ctime: (i64, u64),
}

impl Identity {
    fn of(st: &rustix::fs::Stat) -> Identity {
        Identity {
            kind: Kind::of(FileType::from_raw_mode(st.st_mode)),
            dev: st.st_dev,
            ino: st.st_ino,
            size: st.st_size.max(0) as u64,
            mtime: (st.st_mtime, st.st_mtime_nsec),
            ctime: (st.st_ctime, st.st_ctime_nsec),
        }
    }

    /// Same object (device and inode) of the same type.
    pub fn same_object(&self, other: &Identity) -> bool {
        (self.kind, self.dev, self.ino) == (other.kind, other.dev, other.ino)
    }
}

/// The identity of an open file.
pub fn fstat(fd: impl AsFd) -> io::Result<Identity> {
    rustix::fs::fstat(fd)
        .map(|s| Identity::of(&s))
        .map_err(Into::into)
}

/// The identity of `name` in the directory `dir`, not following it if it is a link.
pub fn lstat_at(dir: impl AsFd, name: &str) -> io::Result<Identity> {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .map(|s| Identity::of(&s))
        .map_err(Into::into)
}

/// The identity of `path`, following links in it (the user's own name for an artifact).
pub fn stat_path(path: &Path) -> io::Result<Identity> {
    rustix::fs::stat(path)
        .map(|s| Identity::of(&s))
        .map_err(Into::into)
}

/// Flags of every open here: read only, never blocking (a FIFO opens at once), never becoming
/// the controlling terminal, closed on exec.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK
}

/// Opens `path` (following links in it: it is the name the user gave, or the resolved path
/// recorded at sealing) and checks that what was opened is a `want` (a regular file or a
/// directory); anything else (FIFO, device, socket) is refused without a byte read.
pub fn open_path(path: &Path, want: Kind) -> Result<(File, Identity)> {
    let mut flags = read_flags();
    if want == Kind::Dir {
        flags |= OFlags::DIRECTORY;
    }
    let fd = rustix::fs::open(path, flags, Mode::empty())
        .map_err(io::Error::from)
        .at(path)?;
    let id = fstat(&fd).at(path)?;
    if id.kind != want {
        return Err(not_a(path, want, id.kind));
    }
    Ok((File::from(fd), id))
}

/// The error for a path that is not the kind expected.
pub fn not_a(path: &Path, want: Kind, found: Kind) -> Error {
    Error::input(format!(
        "{}: is a {}, not the {} expected; not read",
        path.display(),
        found.describe(),
        want.describe()
    ))
}

/// Whether `openat2` was found missing (old kernel, or a sandbox that forbids it).
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

/// Opens `rel` (a `/`-separated path with no `.`, `..` or empty component) beneath the open
/// directory `root` without following any symbolic link on the way or at the end: a link
/// anywhere makes the open fail (`ELOOP` or `ENOTDIR`). With `dir`, the result must be a
/// directory. Never blocks on a FIFO.
pub fn open_beneath(root: &impl AsFd, rel: &str, dir: bool) -> io::Result<OwnedFd> {
    let mut flags = read_flags() | OFlags::NOFOLLOW;
    if dir {
        flags |= OFlags::DIRECTORY;
    }
    if rel
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{rel:?}: not a plain relative path"),
        ));
    }
    if !NO_OPENAT2.load(Ordering::Relaxed) {
        let resolve =
            ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        match rustix::fs::openat2(root, rel, flags, Mode::empty(), resolve) {
            Err(rustix::io::Errno::NOSYS) | Err(rustix::io::Errno::PERM) => {
                NO_OPENAT2.store(true, Ordering::Relaxed)
            }
            Err(rustix::io::Errno::AGAIN) => {} // a rename raced the lookup: walk instead
            r => return r.map_err(Into::into),
        }
    }
    // Component by component, each with O_NOFOLLOW.
    let mut parts = rel.split('/').peekable();
    let mut current: Option<OwnedFd> = None;
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let f = if last {
            flags
        } else {
            read_flags() | OFlags::NOFOLLOW | OFlags::DIRECTORY
        };
        let next = match &current {
            None => rustix::fs::openat(root, part, f, Mode::empty()),
            Some(d) => rustix::fs::openat(d, part, f, Mode::empty()),
        }?;
        current = Some(next);
    }
    current.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty path"))
}

/// The error for a file that changed while it was read.
pub fn changed(path: &Path, what: &str) -> Error {
    Error::input(format!("{}: {}", path.display(), changed_words(what)))
}

/// What [`changed`] says after the path.
pub fn changed_words(what: &str) -> String {
    format!(
        "changed while it was being read ({what}); refused, nothing written. Seal or check it again once it is stable"
    )
}

/// Checks that `before` and `after` are the same unchanged regular file and that `read` bytes,
/// its size, were read.
pub fn check_unchanged(path: &Path, before: &Identity, after: &Identity, read: u64) -> Result<()> {
    if !before.same_object(after) {
        return Err(changed(path, "replaced by another file"));
    }
    if before.size != after.size || read != before.size {
        return Err(changed(
            path,
            &format!(
                "{} bytes when opened, {read} read, {} after",
                before.size, after.size
            ),
        ));
    }
    if before.mtime != after.mtime || before.ctime != after.ctime {
        return Err(changed(path, "written to"));
    }
    Ok(())
}

/// A regular file opened for hashing, with its identity when opened: read it through
/// [`StableFile::reader`] (never more than its size and one byte), then call
/// [`StableFile::finish`] with the bytes read.
pub struct StableFile {
    file: File,
    before: Identity,
    path: PathBuf,
}

impl StableFile {
    /// Opens `path` (following links in the path the user gave), refusing anything but a
    /// regular file.
    pub fn open(path: &Path) -> Result<StableFile> {
        let (file, before) = open_path(path, Kind::File)?;
        debug_hook("before-read", path);
        Ok(StableFile {
            file,
            before,
            path: path.to_path_buf(),
        })
    }

    /// Wraps a file opened otherwise (e.g. by [`open_beneath`]), checking it is a regular file
    /// and, if `expected` is given, the same object in the same state as that (the walk's
    /// `lstat`).
    pub fn from_fd(fd: OwnedFd, path: &Path, expected: Option<&Identity>) -> Result<StableFile> {
        let before = fstat(&fd).at(path)?;
        if before.kind != Kind::File {
            return Err(not_a(path, Kind::File, before.kind));
        }
        if let Some(e) = expected {
            if e != &before {
                return Err(changed(path, "not the file listed"));
            }
        }
        debug_hook("before-read", path);
        Ok(StableFile {
            file: File::from(fd),
            before,
            path: path.to_path_buf(),
        })
    }

    /// Its size when opened.
    pub fn size(&self) -> u64 {
        self.before.size
    }

    /// The file's bytes, at most its size when opened and one more (so that growth shows as a
    /// count other than the size, and a file that grows forever is not read forever).
    pub fn reader(&self) -> io::Take<&File> {
        (&self.file).take(self.read_limit())
    }

    /// The bytes a read of the file takes at most: its size when opened, and one byte more to
    /// notice a file that grew.
    pub fn read_limit(&self) -> u64 {
        self.before.size.saturating_add(1)
    }

    /// The open file, for positioned reads (a zip's central directory, read before the pass
    /// over its bytes); they do not move [`StableFile::reader`]'s position.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Whether the file is no longer as it was opened (another object, another size or
    /// times), or cannot be checked.
    pub fn changed_since_open(&self) -> bool {
        fstat(&self.file).map_or(true, |after| {
            check_unchanged(&self.path, &self.before, &after, self.before.size).is_err()
        })
    }

    /// Checks that exactly the size was read and the file is unchanged.
    pub fn finish(&self, read: u64) -> Result<()> {
        let after = fstat(&self.file).at(&self.path)?;
        check_unchanged(&self.path, &self.before, &after, read)
    }
}

/// Test hook, debug builds only: runs `sh -c "$SCELLE_DEBUG_HOOK" hook POINT WHAT` and waits
/// for it, so that a test can change a file at a precise point of the sealing (`POINT` is
/// `before-open` or `before-read`). Release builds have no such hook.
#[cfg(debug_assertions)]
pub fn debug_hook(point: &str, what: &Path) {
    static HOOK: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    if let Some(cmd) = HOOK.get_or_init(|| std::env::var_os("SCELLE_DEBUG_HOOK")) {
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .arg("hook")
            .arg(point)
            .arg(what)
            .status();
    }
}

/// Release builds: no hook.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn debug_hook(_: &str, _: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_anywhere_on_the_way_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/f"), b"x").unwrap();
        std::fs::write(root.join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("l")).unwrap();
        std::os::unix::fs::symlink(root.join("secret"), root.join("a/b/s")).unwrap();
        let (r, _) = open_path(root, Kind::Dir).unwrap();
        for force_fallback in [false, true] {
            NO_OPENAT2.store(force_fallback, Ordering::Relaxed);
            assert!(open_beneath(&r, "a/b/f", false).is_ok());
            assert!(open_beneath(&r, "a/b", true).is_ok());
            assert!(open_beneath(&r, "l/b/f", false).is_err());
            assert!(open_beneath(&r, "a/b/s", false).is_err());
            assert!(open_beneath(&r, "a/../secret", false).is_err());
            assert!(open_beneath(&r, "/etc/passwd", false).is_err());
        }
        NO_OPENAT2.store(false, Ordering::Relaxed);
    }

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        assert!(StableFile::open(Path::new("/dev/zero")).is_err());
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("p");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = StableFile::open(&fifo).err().unwrap();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }
}
