//! The library's error type. Each variant says what went wrong, names the file or entry, and
//! belongs to one [`ErrorClass`], which the binary maps to its exit code.

use std::path::PathBuf;

/// What kind of failure an [`Error`] is, for the exit code and for callers deciding to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input (a path, a key, a passphrase, a ledger line, an argument) is wrong; nothing
    /// was changed on disk.
    BadInput,
    /// The operating system failed us (disk full, permission changed mid-way, ...).
    Io,
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, with a message that names the file or entry and what to do.
    #[error("{0}")]
    Input(String),
    /// Where a regular file is read, something else was found (a FIFO, socket, device or
    /// directory): it was not opened for reading.
    #[error(
        "{}: is a {what}, not a regular file; scelle reads only regular files here and never \
         waits on a FIFO or device (someone may have planted it). Remove it, then retry",
        .path.display()
    )]
    NotRegular {
        /// The file concerned.
        path: PathBuf,
        /// What it is instead (`FIFO`, `directory`, ...).
        what: String,
    },
    /// A file larger than scelle reads at that place (FORMAT.md §1): not read.
    #[error(
        "{}: {size} bytes, more than the {limit} bytes such a file may have (FORMAT.md §1); not read",
        .path.display()
    )]
    TooLarge {
        /// The file concerned.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The most read there.
        limit: u64,
    },
    /// The passphrase does not decrypt the private key (or the key is damaged).
    #[error("{}: wrong passphrase (or the encrypted key is damaged); check SCELLE_PASSPHRASE or --passphrase-file", .0.display())]
    WrongPassphrase(PathBuf),
    /// An I/O failure on a named file.
    #[error("{path}: {error}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error (part of the message, not a separate `source()`, so
        /// that a printed chain does not say it twice).
        error: std::io::Error,
    },
}

impl Error {
    /// Builds a bad-input error from a message.
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    /// Builds an I/O error on `path`. An error the OS reports as "not found", "permission
    /// denied" or "invalid input" on a path the user gave is classed as bad input.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Input(_)
            | Error::NotRegular { .. }
            | Error::TooLarge { .. }
            | Error::WrongPassphrase(_) => ErrorClass::BadInput,
            Error::Io { error, .. } => match error.kind() {
                std::io::ErrorKind::NotFound
                | std::io::ErrorKind::PermissionDenied
                | std::io::ErrorKind::InvalidData
                | std::io::ErrorKind::InvalidInput
                | std::io::ErrorKind::AlreadyExists
                | std::io::ErrorKind::UnexpectedEof => ErrorClass::BadInput,
                _ => ErrorClass::Io,
            },
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches a path to `std::io::Result`s.
pub trait IoContext<T> {
    /// Converts the I/O error into [`Error::Io`] naming `path`.
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}
