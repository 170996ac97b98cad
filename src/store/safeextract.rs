//! Safe extraction of a hostile tar archive: an evidence bundle (a tar whose content is a BagIt
//! bag) sent by another party, extracted into a new directory without trusting a byte of it.
//!
//! [`extract`] reads the archive with scelle's own tar parser ([`crate::store::tarstream`],
//! never an `unpack`) and writes every member itself, so that:
//!
//! - **Every reader sees the same archive.** A header alias, where GNU `tar -x`, Python's
//!   `tarfile` or the `tar` crate would read another name, link, size or member than we do
//!   (a GNU long name and a PAX `path` that differ, two long names or PAX headers for one
//!   member, a PAX record repeated with another value, a malformed PAX record, a global PAX
//!   header setting `path`/`linkpath`/`size`, extension headers without ustar magic, a link
//!   or directory header declaring data, ...), refuses the whole archive
//!   ([`ExtractError::HeaderAlias`]): what is extracted is what `tar -x` would extract.
//!
//! - **Nothing is written outside the target.** A member's path is checked before anything is
//!   created for it: no `..` component (a backslash counts as a separator for this check), no
//!   leading `/` or `\`, no Windows drive (`C:`) or UNC (`\\server`) prefix, not empty, no NUL
//!   byte, valid UTF-8, at most [`Limits::max_path_len`] bytes. The path written is rebuilt from
//!   its components after each was checked to be a plain name (`.` components and repeated
//!   slashes are dropped; a member `./` is the bag's root and creates nothing).
//! - **Only regular files and directories.** Symbolic links and hard links are refused (the
//!   bundles scelle imports never contain links), and so are character and block devices,
//!   FIFOs, GNU sparse members (old `S` type or PAX `GNU.sparse.*` records) and every other
//!   type. A PAX global header (`g`, as written by `git archive`) without `path`, `linkpath`
//!   or `size` is metadata: it is counted as a member and skipped. A regular member of size 0 whose name ends
//!   with `/` is a directory, as in old tars.
//! - **Bounded.** The number of members, each member's size, the total size and the path
//!   length are limited ([`Limits`]); sizes are checked from the header *before* anything is
//!   written, and the bytes actually read are counted (a member shorter than its header says is
//!   refused as truncated). Member data is streamed in fixed 64 KiB chunks, never held whole.
//!   The extended headers held in memory before a member (GNU long name and long link, PAX
//!   records) are capped too ([`Limits::header_budget`]): a hostile "long name" of gigabytes
//!   is refused from its header, before its data is read.
//! - **No collisions.** Two members with the same path (after `.` and slashes are normalised),
//!   a file where a directory already is, or a member under a path written as a file, are
//!   refused; nothing is ever overwritten.
//! - **All or nothing.** Members are written into a fresh directory created next to the target
//!   (same parent, named `.scelle-import-` and 16 random hex digits, mode 0700 so that no other
//!   user can plant a link in it while we write), files with `create_new` (`O_EXCL`, which never
//!   follows a link) and directories with `mkdir`, one level at a time. On any refusal or error
//!   that directory is removed entirely. On success every file and directory is fsynced, the
//!   directory is renamed to the target (refused if the target exists) and the parent is
//!   fsynced ([`crate::store::fsutil::fsync_dir`]).
//!
//! Modes, owners, times and extended attributes recorded in the archive are ignored: files are
//! created with mode 0600 and directories 0700 (before the umask); the tree is private to the
//! user running scelle, who may widen it after checking the bag.
//!
//! The archive is read as an uncompressed tar; a caller with a compressed bundle decompresses
//! it on the fly (e.g. `flate2::read::GzDecoder`): the limits bound what a decompression bomb
//! can write, since reading stops at the first refusal.

use crate::store::fsutil;
use crate::store::tarstream::{Fault, HeaderLimits, Parser, Resolved};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// The name of the temporary directory made next to the target starts with this.
pub const TEMP_PREFIX: &str = ".scelle-import-";

const BLOCK: u64 = 512;
/// Member data is copied through a buffer of this many bytes.
const CHUNK: usize = 64 * 1024;
/// PAX records (path, times, owners, extended attributes) allowed before one member.
const PAX_BUDGET: u64 = 1024 * 1024;
/// Extended sparse headers allowed before one member (so that a sparse member is reported as
/// such, not as oversized headers).
const SPARSE_BLOCKS: u64 = 16;
const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// How much of a hostile archive [`extract`] accepts. The defaults suit real evidence bundles
/// (a phone extraction has tens of thousands of files, a disk image may be terabytes); lower
/// them for a quick check of an untrusted archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most members (files, directories, and any other header, counted before it is refused).
    /// Default 100,000.
    pub max_members: u64,
    /// Most bytes of one regular file, as its header declares and as read. Default 1 TiB.
    pub max_member_size: u64,
    /// Most bytes of all regular files together. Default 4 TiB.
    pub max_total_size: u64,
    /// Most bytes of a member's path as found in the archive (before `.` components and
    /// repeated slashes are dropped). Default 4096, Linux's `PATH_MAX`.
    pub max_path_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_members: 100_000,
            max_member_size: 1 << 40,
            max_total_size: 4 << 40,
            max_path_len: 4096,
        }
    }
}

fn round_up(n: u64) -> u64 {
    n.saturating_add(BLOCK - 1) & !(BLOCK - 1)
}

impl Limits {
    /// Most bytes of headers read for one member, beyond the data of the member before it:
    /// its own header, up to three extension headers (GNU long name, GNU long link, PAX) with
    /// their data (long name and long link up to `max_path_len` bytes each, PAX records up to
    /// 1 MiB), and 16 blocks of GNU sparse map. The `tar` crate holds the extension data in
    /// memory, so this bounds the memory a hostile header can take. Derived from
    /// `max_path_len`: about 1 MiB by default.
    pub fn header_budget(&self) -> u64 {
        let name = round_up(
            u64::try_from(self.max_path_len)
                .unwrap_or(u64::MAX)
                .saturating_add(1),
        );
        ((4 + SPARSE_BLOCKS) * BLOCK)
            .saturating_add(name.saturating_mul(2))
            .saturating_add(PAX_BUDGET)
    }
}

/// What [`extract`] wrote, in archive order. Paths are relative to the target, with `/`
/// between components, `.` components and repeated slashes dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Every regular file written.
    pub files: Vec<ExtractedFile>,
    /// Every directory created, whether the archive lists it or it was made as the parent of
    /// a later member (then it comes before that member).
    pub directories: Vec<PathBuf>,
}

/// A regular file [`extract`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedFile {
    /// Path relative to the target.
    pub path: PathBuf,
    /// Bytes written (the size its header declared, checked against the bytes read).
    pub size: u64,
}

/// A member's path for a message: quoted with control characters escaped (a hostile name
/// cannot drive the terminal), and cut after 256 characters.
fn show(path: &str) -> String {
    const MAX: usize = 256;
    match path.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &path[..cut], path.len()),
        None => format!("{path:?}"),
    }
}

/// Why [`extract`] refused an archive or failed. Whatever the variant, the target was not
/// created and the temporary directory was removed. Members are numbered from 0 in archive
/// order (extension headers are part of the member they describe); `path` is the member's path
/// as found, non-UTF-8 bytes replaced by U+FFFD.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A path component is `..` (with `/` or `\` as separators).
    #[error("member {index} {}: the path climbs out of the bundle with a '..' component; refused, nothing was extracted. A genuine bundle never contains '..': ask the sender for a new bundle", show(.path))]
    PathTraversal {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// The path starts with `/` or `\`, or a Windows drive (`C:`) or UNC (`\\server`) prefix.
    #[error("member {index} {}: absolute path (leading '/', or a Windows drive or UNC prefix); refused, nothing was extracted. A bundle's paths are relative to the bag: ask the sender to make it again with relative paths (e.g. 'tar -cf bundle.tar -C PARENT BAG')", show(.path))]
    AbsolutePath {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// The path is empty (or, for a regular file, only `.` components and slashes).
    #[error("member {index} {}: empty path; refused, nothing was extracted. The archive is damaged or hostile: ask the sender for a new bundle", show(.path))]
    EmptyPath {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// The path holds a NUL byte (possible in a GNU long name or a PAX record).
    #[error("member {index} {}: the path contains a NUL byte; refused, nothing was extracted. The archive is damaged or hostile: ask the sender for a new bundle", show(.path))]
    NulInPath {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// The path is not valid UTF-8.
    #[error("member {index} {}: the path is not valid UTF-8 (shown with U+FFFD for the bad bytes); refused, nothing was extracted. BagIt names are UTF-8: ask the sender to make the bundle again from UTF-8 names", show(.path))]
    NonUtf8Path {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// The path is longer than [`Limits::max_path_len`].
    #[error("member {index} {}: path of {len} bytes, more than the limit of {limit}; refused, nothing was extracted. If the bundle is genuine, raise the path length limit", show(.path))]
    PathTooLong {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A symbolic link.
    #[error("member {index} {}: symbolic link to {}; refused, nothing was extracted. Evidence bundles never contain links (symbolic or hard): ask the sender for a bundle holding the files themselves (e.g. GNU 'tar --dereference')", show(.path), show(.target))]
    Symlink {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The link's target, lossily.
        target: String,
    },
    /// A hard link.
    #[error("member {index} {}: hard link to {}; refused, nothing was extracted. Evidence bundles never contain links (symbolic or hard): ask the sender for a bundle holding the files themselves (e.g. GNU 'tar --hard-dereference')", show(.path), show(.target))]
    HardLink {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The link's target, lossily.
        target: String,
    },
    /// A character device.
    #[error("member {index} {}: a character device; refused, nothing was extracted. Evidence bundles hold only regular files and directories: ask the sender to leave special files out", show(.path))]
    CharDevice {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// A block device.
    #[error("member {index} {}: a block device; refused, nothing was extracted. Evidence bundles hold only regular files and directories: ask the sender to leave special files out (a disk goes in as an image file)", show(.path))]
    BlockDevice {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// A FIFO (named pipe).
    #[error("member {index} {}: a FIFO (named pipe); refused, nothing was extracted. Evidence bundles hold only regular files and directories: ask the sender to leave special files out", show(.path))]
    Fifo {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// A GNU sparse member (type `S`, or PAX `GNU.sparse.*` records).
    #[error("member {index} {}: a GNU sparse file; refused, nothing was extracted. Ask the sender to make the bundle again without '--sparse' ('-S')", show(.path))]
    Sparse {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
    },
    /// Any other member type (GNU volume label, multi-volume continuation, a `V7` header with
    /// an extension type, an unknown type byte, ...).
    #[error("member {index} {}: unsupported member type '{}'; refused, nothing was extracted. Evidence bundles hold only regular files and directories: ask the sender for a plain ustar, GNU or PAX tar of the bag", show(.path), .kind.escape_ascii())]
    OtherType {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The type byte of its header.
        kind: u8,
    },
    /// More members than [`Limits::max_members`].
    #[error("member {index} {}: the archive has more than {limit} members; refused, nothing was extracted. If the bundle is genuine, raise the limit (`--max-members`)", show(.path))]
    TooManyMembers {
        /// Member number (the first beyond the limit).
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// A regular file larger than [`Limits::max_member_size`] (from its header, before reading).
    #[error("member {index} {}: {size} bytes, more than the limit of {limit} bytes for one member; refused, nothing was extracted. If the bundle is genuine, raise the limit (`--max-member-size`)", show(.path))]
    MemberTooLarge {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The size its header declares.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The regular files would total more than [`Limits::max_total_size`].
    #[error("member {index} {}: with it the members would total {total} bytes, more than the limit of {limit}; refused, nothing was extracted. If the bundle is genuine, raise the limit (`--max-total-size`)", show(.path))]
    TotalTooLarge {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The total with this member (saturating).
        total: u64,
        /// The limit.
        limit: u64,
    },
    /// The extension headers before a member exceed [`Limits::header_budget`].
    #[error("member {index}: its headers (GNU long name or long link, PAX records) exceed {limit} bytes; refused, nothing was extracted. The archive is damaged or hostile: ask the sender for a new bundle")]
    HeadersTooLarge {
        /// Member number.
        index: u64,
        /// The budget.
        limit: u64,
    },
    /// A header alias: readers would disagree on this member's name, link, size or type.
    #[error("member {index}: readers disagree on this archive: {message}; refused, nothing was extracted. A genuine bundle has no such headers: ask the sender for a new bundle")]
    HeaderAlias {
        /// Member number.
        index: u64,
        /// How the readers disagree.
        message: String,
    },
    /// The same path as an earlier member (after normalisation).
    #[error("member {index} {}: the same path as member {first}; refused, nothing was extracted. A genuine bundle lists each path once: ask the sender for a new bundle", show(.path))]
    Duplicate {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The earlier member with that path (for a directory made as a parent, the member it
        /// was made for).
        first: u64,
    },
    /// A member under a path an earlier member wrote as a regular file.
    #[error("member {index} {}: goes under {}, which member {file_index} wrote as a regular file; refused, nothing was extracted. The archive is damaged or hostile: ask the sender for a new bundle", show(.path), show(.file))]
    UnderFile {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// The file's path (normalised).
        file: String,
        /// The member that wrote it.
        file_index: u64,
    },
    /// The archive ends inside a member's data.
    #[error("member {index} {}: the archive ends after {got} of its {size} bytes; refused, nothing was extracted. The archive is truncated: ask the sender for a new copy and compare its hash with the one they sent", show(.path))]
    Truncated {
        /// Member number.
        index: u64,
        /// Its path, lossily.
        path: String,
        /// Bytes read.
        got: u64,
        /// Bytes its header declares.
        size: u64,
    },
    /// Not a valid tar.
    #[error("member {index}: not a valid tar: {message}; refused, nothing was extracted. The archive is damaged or not a tar: ask the sender for a new copy and compare its hash with the one they sent")]
    Malformed {
        /// Member number (the member being read when the error occurred).
        index: u64,
        /// What is wrong.
        message: String,
    },
    /// The target already exists (checked first, and again at the final rename).
    #[error("{}: already exists; nothing was extracted. scelle never extracts into or over an existing path: choose a new directory", .target.display())]
    TargetExists {
        /// The target.
        target: PathBuf,
    },
    /// Reading the archive failed (the reader's own error, not a format error).
    #[error("reading the archive: {source}; nothing was extracted")]
    ReadArchive {
        /// The reader's error.
        source: io::Error,
    },
    /// A file system operation failed.
    #[error("{}: {source}; nothing was extracted (the partial extraction was removed)", .path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> ExtractError + '_ {
    move |source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn from_crate(e: crate::Error) -> ExtractError {
    match e {
        crate::Error::Io { path, error } => ExtractError::Io {
            path,
            source: error,
        },
        other => ExtractError::Io {
            path: PathBuf::new(),
            source: io::Error::other(other.to_string()),
        },
    }
}

/// A parser fault, as an extraction error.
fn fault(index: u64, budget: u64, f: Fault) -> ExtractError {
    match f {
        Fault::Io(source) => ExtractError::ReadArchive { source },
        Fault::Invalid(message) => ExtractError::Malformed { index, message },
        Fault::Alias(message) => ExtractError::HeaderAlias { index, message },
        Fault::TooLarge(_) => ExtractError::HeadersTooLarge {
            index,
            limit: budget,
        },
    }
}

/// Checks a member's path as found and returns its components, each a plain name (`.`
/// components and empty ones between repeated slashes dropped; none for the root `./`).
fn check_path(index: u64, raw: &[u8], limits: &Limits) -> Result<Vec<String>, ExtractError> {
    let path = || String::from_utf8_lossy(raw).into_owned();
    if raw.len() > limits.max_path_len {
        return Err(ExtractError::PathTooLong {
            index,
            path: path(),
            len: raw.len(),
            limit: limits.max_path_len,
        });
    }
    if raw.is_empty() {
        return Err(ExtractError::EmptyPath {
            index,
            path: path(),
        });
    }
    if raw.contains(&0) {
        return Err(ExtractError::NulInPath {
            index,
            path: path(),
        });
    }
    let s = std::str::from_utf8(raw).map_err(|_| ExtractError::NonUtf8Path {
        index,
        path: path(),
    })?;
    let b = s.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if s.starts_with(['/', '\\']) || drive {
        return Err(ExtractError::AbsolutePath {
            index,
            path: path(),
        });
    }
    if s.split(['/', '\\']).any(|c| c == "..") {
        return Err(ExtractError::PathTraversal {
            index,
            path: path(),
        });
    }
    let mut parts = Vec::new();
    for c in s.split('/').filter(|c| !c.is_empty() && *c != ".") {
        // What the checks above guarantee, asked of the standard library: one plain name.
        let mut comps = Path::new(c).components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(n)), None) if n == OsStr::new(c) => parts.push(c.to_string()),
            _ => {
                return Err(ExtractError::PathTraversal {
                    index,
                    path: path(),
                })
            }
        }
    }
    Ok(parts)
}

/// What a member is, once it passed the type checks.
enum Kind {
    File,
    Dir,
}

fn classify(m: &Resolved, index: u64, raw: &[u8]) -> Result<Kind, ExtractError> {
    let path = || String::from_utf8_lossy(raw).into_owned();
    let target = || String::from_utf8_lossy(m.link.as_deref().unwrap_or_default()).into_owned();
    match m.typeflag {
        b'0' | 0 | b'7' if m.pax_sparse => Err(ExtractError::Sparse {
            index,
            path: path(),
        }),
        // A regular member named with a trailing '/' is a directory for GNU tar; the parser
        // refused one that declares data.
        b'0' | 0 | b'7' if m.has_trailing_slash() => Ok(Kind::Dir),
        b'0' | 0 | b'7' => Ok(Kind::File),
        b'5' => Ok(Kind::Dir),
        b'2' => Err(ExtractError::Symlink {
            index,
            path: path(),
            target: target(),
        }),
        b'1' => Err(ExtractError::HardLink {
            index,
            path: path(),
            target: target(),
        }),
        b'3' => Err(ExtractError::CharDevice {
            index,
            path: path(),
        }),
        b'4' => Err(ExtractError::BlockDevice {
            index,
            path: path(),
        }),
        b'6' => Err(ExtractError::Fifo {
            index,
            path: path(),
        }),
        b'S' => Err(ExtractError::Sparse {
            index,
            path: path(),
        }),
        kind => Err(ExtractError::OtherType {
            index,
            path: path(),
            kind,
        }),
    }
}

/// A path already written, and by which member.
#[derive(Clone, Copy)]
struct Seen {
    index: u64,
    dir: bool,
    /// For a directory: listed in the archive (not only made as a parent).
    listed: bool,
}

/// The temporary directory, removed on drop unless kept.
struct Staging {
    path: PathBuf,
    keep: bool,
    /// Removed by an interrupt (Ctrl-C) while it exists.
    _interrupt: crate::store::interrupt::RemoveOnInterrupt,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            // Never follows links (std's remove_dir_all removes a link, not its target).
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

impl Staging {
    /// Creates `PARENT/.scelle-import-XXXXXXXXXXXXXXXX`, which must not exist.
    fn create(parent: &Path) -> Result<Staging, ExtractError> {
        use rand_core::{OsRng, RngCore};
        let mut tries = 0;
        loop {
            let path = parent.join(format!("{TEMP_PREFIX}{:016x}", OsRng.next_u64()));
            match DirBuilder::new().mode(DIR_MODE).create(&path) {
                Ok(()) => {
                    let _interrupt = crate::store::interrupt::remove_on_interrupt(&path);
                    return Ok(Staging {
                        path,
                        keep: false,
                        _interrupt,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
                Err(e) => return Err(io_at(&path)(e)),
            }
        }
    }
}

fn exists(path: &Path) -> Result<bool, ExtractError> {
    match path.symlink_metadata() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_at(path)(e)),
    }
}

/// Extracts the tar `archive` into the new directory `target`, refusing anything unsafe (see
/// the [module documentation](self)): all or nothing. `target` must not exist; its parent must.
/// Returns the files and directories written, in archive order.
pub fn extract<R: Read>(
    archive: R,
    target: &Path,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    extract_with(archive, target, limits, Durability::Fsync)
}

/// As [`extract`], with the same checks and the same all-or-nothing rename, but nothing is
/// fsynced: for a scratch extraction that is read once and removed (`verify-bundle`), where
/// one fsync per member would cost most of the time and protect nothing.
pub fn extract_scratch<R: Read>(
    archive: R,
    target: &Path,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    extract_with(archive, target, limits, Durability::None)
}

/// Whether the extracted files and directories are made durable before the rename.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Durability {
    Fsync,
    None,
}

fn extract_with<R: Read>(
    archive: R,
    target: &Path,
    limits: &Limits,
    durability: Durability,
) -> Result<Extracted, ExtractError> {
    let durable = durability == Durability::Fsync;
    if target.file_name().is_none() {
        return Err(ExtractError::Io {
            path: target.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "the target must name a new directory",
            ),
        });
    }
    if exists(target)? {
        return Err(ExtractError::TargetExists {
            target: target.to_path_buf(),
        });
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut staging = Staging::create(parent)?;
    let extracted = unpack(archive, &staging.path, limits, durable)?;
    if durable {
        for dir in extracted.directories.iter().rev() {
            fsutil::fsync_dir(&staging.path.join(dir)).map_err(from_crate)?;
        }
        fsutil::fsync_dir(&staging.path).map_err(from_crate)?;
    }
    // rename(2) would replace an empty directory: check just before (a directory created in
    // between would be replaced only if empty; anything else makes the rename fail).
    if exists(target)? {
        return Err(ExtractError::TargetExists {
            target: target.to_path_buf(),
        });
    }
    if let Err(e) = std::fs::rename(&staging.path, target) {
        return Err(match e.kind() {
            io::ErrorKind::AlreadyExists
            | io::ErrorKind::DirectoryNotEmpty
            | io::ErrorKind::NotADirectory => ExtractError::TargetExists {
                target: target.to_path_buf(),
            },
            _ => io_at(target)(e),
        });
    }
    // From here the staging guard removes the target if the parent cannot be synced.
    staging.path = target.to_path_buf();
    if durable {
        fsutil::fsync_dir(parent).map_err(from_crate)?;
    }
    staging.keep = true;
    Ok(extracted)
}

/// Writes every member under `root` (the fresh staging directory).
fn unpack<R: Read>(
    archive: R,
    root: &Path,
    limits: &Limits,
    durable: bool,
) -> Result<Extracted, ExtractError> {
    let budget = limits.header_budget();
    let name_cap = round_up(
        u64::try_from(limits.max_path_len)
            .unwrap_or(u64::MAX)
            .saturating_add(1),
    );
    let mut reader = io::BufReader::with_capacity(CHUNK, archive);
    let mut p = Parser::new(
        &mut reader,
        HeaderLimits {
            name: name_cap,
            pax: PAX_BUDGET,
        },
    );
    let mut out = Extracted::default();
    let mut seen: HashMap<PathBuf, Seen> = HashMap::new();
    let mut total = 0u64;
    let mut index = 0u64;
    loop {
        let entry = match p.next_member() {
            Ok(None) => break,
            Ok(Some(e)) => e,
            Err(f) => return Err(fault(index, budget, f)),
        };
        let size = entry.size;
        let raw = entry.path.clone();
        let lossy = || String::from_utf8_lossy(&raw).into_owned();
        if index >= limits.max_members {
            return Err(ExtractError::TooManyMembers {
                index,
                path: lossy(),
                limit: limits.max_members,
            });
        }
        let member = index;
        index += 1;
        if entry.typeflag == b'g' {
            continue;
        }
        let parts = check_path(member, &raw, limits)?;
        let kind = classify(&entry, member, &raw)?;
        let is_file = matches!(kind, Kind::File);
        if parts.is_empty() {
            if is_file {
                return Err(ExtractError::EmptyPath {
                    index: member,
                    path: lossy(),
                });
            }
            continue; // `./`: the root, which exists.
        }
        if is_file {
            if size > limits.max_member_size {
                return Err(ExtractError::MemberTooLarge {
                    index: member,
                    path: lossy(),
                    size,
                    limit: limits.max_member_size,
                });
            }
            let with = total.saturating_add(size);
            if with > limits.max_total_size {
                return Err(ExtractError::TotalTooLarge {
                    index: member,
                    path: lossy(),
                    total: with,
                    limit: limits.max_total_size,
                });
            }
        }

        // Collisions, all checked before anything is created for this member.
        let rel: PathBuf = parts.iter().collect();
        match seen.get(&rel) {
            Some(s) if is_file || !s.dir || s.listed => {
                return Err(ExtractError::Duplicate {
                    index: member,
                    path: lossy(),
                    first: s.index,
                })
            }
            _ => {}
        }
        let mut missing = Vec::new();
        let mut prefix = PathBuf::new();
        for part in &parts[..parts.len() - 1] {
            prefix.push(part);
            match seen.get(&prefix) {
                Some(s) if !s.dir => {
                    return Err(ExtractError::UnderFile {
                        index: member,
                        path: lossy(),
                        file: prefix.to_string_lossy().into_owned(),
                        file_index: s.index,
                    })
                }
                Some(_) => {}
                None => missing.push(prefix.clone()),
            }
        }

        // Parents, one level at a time, inside the staging directory only.
        for dir in missing {
            let full = root.join(&dir);
            DirBuilder::new()
                .mode(DIR_MODE)
                .create(&full)
                .map_err(io_at(&full))?;
            seen.insert(
                dir.clone(),
                Seen {
                    index: member,
                    dir: true,
                    listed: false,
                },
            );
            out.directories.push(dir);
        }

        let full = root.join(&rel);
        if !is_file {
            if let Some(s) = seen.get_mut(&rel) {
                s.listed = true; // made earlier as a parent
                continue;
            }
            DirBuilder::new()
                .mode(DIR_MODE)
                .create(&full)
                .map_err(io_at(&full))?;
            seen.insert(
                rel.clone(),
                Seen {
                    index: member,
                    dir: true,
                    listed: true,
                },
            );
            out.directories.push(rel);
            continue;
        }

        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&full)
            .map_err(io_at(&full))?;
        seen.insert(
            rel.clone(),
            Seen {
                index: member,
                dir: false,
                listed: true,
            },
        );
        let mut failed = None;
        let got = p
            .data(size, |b| {
                if failed.is_none() {
                    if let Err(e) = file.write_all(b) {
                        failed = Some(e);
                    }
                }
            })
            .map_err(|source| ExtractError::ReadArchive { source })?;
        if let Some(e) = failed {
            return Err(io_at(&full)(e));
        }
        if got != size {
            return Err(ExtractError::Truncated {
                index: member,
                path: lossy(),
                got,
                size,
            });
        }
        if durable {
            file.sync_all().map_err(io_at(&full))?;
        }
        total += got;
        out.files.push(ExtractedFile { path: rel, size });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(path: &str) -> Result<Vec<String>, ExtractError> {
        check_path(7, path.as_bytes(), &Limits::default())
    }

    #[test]
    fn default_limits() {
        let l = Limits::default();
        assert_eq!(l.max_members, 100_000);
        assert_eq!(l.max_member_size, 1 << 40);
        assert_eq!(l.max_total_size, 4 << 40);
        assert_eq!(l.max_path_len, 4096);
        // 20 blocks of headers, two 4097-byte names rounded up to 4608, 1 MiB of PAX records.
        assert_eq!(l.header_budget(), 20 * 512 + 2 * 4608 + (1 << 20));
        let huge = Limits {
            max_path_len: usize::MAX,
            ..l
        };
        assert_eq!(huge.header_budget(), u64::MAX);
    }

    #[test]
    fn plain_paths_are_split_into_names() {
        assert_eq!(parts("a").unwrap(), ["a"]);
        assert_eq!(parts("./a//b/./c/").unwrap(), ["a", "b", "c"]);
        assert_eq!(parts("...").unwrap(), ["..."]);
        assert_eq!(parts("a..b/..c/d..").unwrap(), ["a..b", "..c", "d.."]);
        assert_eq!(parts("back\\slash").unwrap(), ["back\\slash"]);
        assert_eq!(parts("a/C:/b").unwrap(), ["a", "C:", "b"]);
        assert!(parts("./").unwrap().is_empty());
        assert!(parts(".").unwrap().is_empty());
    }

    #[test]
    fn unsafe_paths_are_refused() {
        use ExtractError as E;
        for p in [
            "..",
            "../a",
            "a/..",
            "a/../b",
            "a/b/../../..",
            "a\\..\\b",
            "..\\a",
        ] {
            assert!(
                matches!(parts(p), Err(E::PathTraversal { index: 7, .. })),
                "{p}"
            );
        }
        for p in [
            "/",
            "/a",
            "//a",
            "\\a",
            "\\\\srv\\share",
            "C:",
            "c:\\a",
            "Z:a",
            "/../a",
        ] {
            assert!(
                matches!(parts(p), Err(E::AbsolutePath { index: 7, .. })),
                "{p}"
            );
        }
        assert!(matches!(parts(""), Err(E::EmptyPath { .. })));
        assert!(matches!(parts("a\0b"), Err(E::NulInPath { .. })));
        assert!(matches!(
            check_path(0, b"a/\xc3\x28", &Limits::default()),
            Err(E::NonUtf8Path { .. })
        ));
        let l = Limits {
            max_path_len: 3,
            ..Limits::default()
        };
        assert!(check_path(0, b"abc", &l).is_ok());
        assert!(matches!(
            check_path(0, b"abcd", &l),
            Err(E::PathTooLong {
                len: 4,
                limit: 3,
                ..
            })
        ));
    }

    #[test]
    fn messages_name_the_member_and_what_to_do() {
        let e = parts("../x\x1b[31m").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with(r#"member 7 "../x\u{1b}[31m": "#), "{msg}");
        assert!(msg.contains("nothing was extracted") && msg.contains("ask the sender"));
        let long = "é".repeat(1000);
        let shown = show(&long);
        assert!(shown.ends_with("… (2000 bytes)"), "{shown}");
        assert_eq!(shown.chars().filter(|&c| c == 'é').count(), 256);
        let e = ExtractError::OtherType {
            index: 3,
            path: "v".into(),
            kind: b'V',
        };
        assert!(e.to_string().contains("type 'V'"));
    }

    #[test]
    fn parser_faults_map_to_errors() {
        let e = fault(4, 100, Fault::Io(io::Error::other("broken")));
        assert!(matches!(e, ExtractError::ReadArchive { .. }));
        let e = fault(4, 100, Fault::TooLarge("x".into()));
        assert!(matches!(
            e,
            ExtractError::HeadersTooLarge {
                index: 4,
                limit: 100
            }
        ));
        let e = fault(4, 100, Fault::Alias("two names".into()));
        assert!(
            e.to_string().starts_with("member 4: readers disagree"),
            "{e}"
        );
    }

    #[test]
    fn a_target_without_a_name_is_refused() {
        let e = extract(&[0u8; 1024][..], Path::new("/"), &Limits::default()).unwrap_err();
        assert!(matches!(e, ExtractError::Io { .. }), "{e}");
    }

    #[test]
    fn a_relative_target_in_the_current_directory_works() {
        // The parent of "name" is "": the staging directory goes in "." (here a temporary
        // directory, named absolutely to stay independent of the test's working directory).
        let tmp = tempfile::tempdir().unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        b.append_data(&mut h, "f", &b"abc"[..]).unwrap();
        let data = b.into_inner().unwrap();
        let target = tmp.path().join("out");
        let got = extract(&data[..], &target, &Limits::default()).unwrap();
        assert_eq!(
            got.files,
            [ExtractedFile {
                path: "f".into(),
                size: 3
            }]
        );
        assert_eq!(std::fs::read(target.join("f")).unwrap(), b"abc");
    }
}
