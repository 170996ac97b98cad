//! RFC 3161 timestamps of checkpoints on disk and on the wire (FORMAT.md 8.6): the
//! `checkpoints/NNNNNNNNNNNN.NAME.tsq` / `.tsr` files beside each checkpoint (bounded
//! `O_NOFOLLOW` reads, atomic writes), and the HTTP(S) client that asks a TSA.
//!
//! Nothing here trusts a token: a `.tsr` is hostile input until `format::timestamp` and the
//! token verification have checked it against the checkpoint and the case's `tsa.add`.

use crate::error::{Error, IoContext, Result};
use crate::format::kinds::is_tsa_name;
use crate::format::timestamp::{MAX_TIMESTAMP_FILE, QUERY_CONTENT_TYPE, REPLY_CONTENT_TYPE};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The two files of a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// `.tsq`: the DER `TimeStampReq` sent.
    Query,
    /// `.tsr`: the DER `TimeStampResp` received.
    Reply,
}

impl Part {
    /// The file extension, without the dot.
    pub fn ext(self) -> &'static str {
        match self {
            Part::Query => "tsq",
            Part::Reply => "tsr",
        }
    }
}

/// The file name of a timestamp part: `NNNNNNNNNNNN.NAME.tsq` or `.tsr`.
pub fn file_name(size: u64, tsa: &str, part: Part) -> String {
    format!("{size:012}.{tsa}.{}", part.ext())
}

/// What a timestamp file name stands for: the checkpoint size, the TSA name and the part;
/// `None` for any other name (12 digits, a TSA name as `tsa.add` allows, `.tsq` or `.tsr`).
pub fn parse_name(name: &str) -> Option<(u64, &str, Part)> {
    let (stem, part) = if let Some(s) = name.strip_suffix(".tsq") {
        (s, Part::Query)
    } else {
        (name.strip_suffix(".tsr")?, Part::Reply)
    };
    let (digits, tsa) = stem.split_at_checked(12)?;
    let tsa = tsa.strip_prefix('.')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !is_tsa_name(tsa) {
        return None;
    }
    Some((digits.parse().ok()?, tsa, part))
}

/// Whether `name` is a timestamp file name ([`parse_name`]).
pub fn is_timestamp_name(name: &str) -> bool {
    parse_name(name).is_some()
}

/// A timestamp found in `checkpoints/`: a regular `.tsr` file and its `.tsq` if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimestamp {
    /// The checkpoint size in its name.
    pub size: u64,
    /// The TSA name in its name.
    pub tsa: String,
    /// The `.tsr` path.
    pub reply: PathBuf,
    /// The `.tsq` path, if that file exists (a regular file).
    pub query: Option<PathBuf>,
}

/// Every timestamp of the case (by size, then TSA name): regular files only, by their own
/// type (a link, FIFO or directory at such a name is a `checkpoint-stray`). A `.tsq` without
/// its `.tsr` is a request that got no kept answer and is not listed.
pub fn list(case: &CaseDir) -> Result<Vec<StoredTimestamp>> {
    let dir = case.checkpoints();
    let mut found = std::collections::BTreeMap::<(u64, String), [Option<PathBuf>; 2]>::new();
    for e in std::fs::read_dir(&dir).at(&dir)? {
        let e = e.at(&dir)?;
        let name = e.file_name();
        let Some((size, tsa, part)) = name.to_str().and_then(parse_name) else {
            continue;
        };
        if !e.file_type().at(e.path())?.is_file() {
            continue;
        }
        let slot = found.entry((size, tsa.to_string())).or_default();
        slot[(part == Part::Reply) as usize] = Some(e.path());
    }
    Ok(found
        .into_iter()
        .filter_map(|((size, tsa), [query, reply])| {
            Some(StoredTimestamp {
                size,
                tsa,
                reply: reply?,
                query,
            })
        })
        .collect())
}

/// Reads a `.tsq` or `.tsr` of the case: a regular file (never through a link, never a FIFO)
/// of at most [`MAX_TIMESTAMP_FILE`] bytes.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fsutil::read_nofollow(path, MAX_TIMESTAMP_FILE)
}

/// Stores a timestamp of the checkpoint of `size` by `tsa`, each file atomically (temporary
/// file, fsync, rename, fsync of the directory). An older `.tsr` of the same name is removed
/// first, then the `.tsq` written, then the `.tsr`: a crash at any point leaves either the
/// new pair, or a `.tsq` alone (no timestamp), never a `.tsr` beside another request's `.tsq`.
/// The three steps hold the case's writer lock, so that two writers timestamping the same
/// checkpoint by the same TSA (two appends at once) cannot interleave their pairs.
pub fn write(case: &CaseDir, size: u64, tsa: &str, query: &[u8], reply: &[u8]) -> Result<PathBuf> {
    let dir = case.checkpoints();
    let q = dir.join(file_name(size, tsa, Part::Query));
    let r = dir.join(file_name(size, tsa, Part::Reply));
    let _lock = case.lock()?;
    match std::fs::remove_file(&r) {
        Ok(()) => fsutil::fsync_dir(&dir)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&r, e)),
    }
    fsutil::atomic_write(&q, query, 0o644)?;
    fsutil::atomic_write(&r, reply, 0o644)?;
    Ok(r)
}

/// How long a TSA may take, connection and answer together.
pub const TSA_TIMEOUT: Duration = Duration::from_secs(20);

/// Why asking a TSA failed (a warning for the caller: the checkpoint stays untimestamped).
#[derive(Debug, thiserror::Error)]
pub enum TsaHttpError {
    /// No answer: connection, TLS, timeout.
    #[error("no answer: {0}")]
    Transport(String),
    /// An HTTP status other than 200.
    #[error("HTTP status {0}")]
    Status(u16),
    /// A 200 answer of another content type.
    #[error("the answer is {0:?}, not {REPLY_CONTENT_TYPE}")]
    ContentType(String),
    /// A body over the bound.
    #[error("the answer is larger than {MAX_TIMESTAMP_FILE} bytes")]
    TooLarge,
}

/// Posts `query` (a DER `TimeStampReq`) to `url` and returns the body of a `200` answer of
/// type `application/timestamp-reply`, of at most [`MAX_TIMESTAMP_FILE`] bytes. HTTPS is
/// checked against the Mozilla roots (webpki-roots); no redirect is followed; the whole
/// exchange is bounded by [`TSA_TIMEOUT`]. The usual `HTTPS_PROXY` / `NO_PROXY` variables
/// apply.
pub fn ask(url: &str, query: &[u8]) -> std::result::Result<Vec<u8>, TsaHttpError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TSA_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(format!("scelle/{}", crate::VERSION))
        .build()
        .into();
    let mut resp = agent
        .post(url)
        .header("Content-Type", QUERY_CONTENT_TYPE)
        .header("Accept", REPLY_CONTENT_TYPE)
        .send(query)
        .map_err(|e| TsaHttpError::Transport(e.to_string()))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(TsaHttpError::Status(status));
    }
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let essence = ct.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(REPLY_CONTENT_TYPE) {
        return Err(TsaHttpError::ContentType(
            crate::format::printable::field(&ct).into_owned(),
        ));
    }
    let mut body = Vec::new();
    resp.body_mut()
        .as_reader()
        .take(MAX_TIMESTAMP_FILE + 1)
        .read_to_end(&mut body)
        .map_err(|e| TsaHttpError::Transport(e.to_string()))?;
    if body.len() as u64 > MAX_TIMESTAMP_FILE {
        return Err(TsaHttpError::TooLarge);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("000000000003.freetsa.tsr"),
            Some((3, "freetsa", Part::Reply))
        );
        assert_eq!(file_name(3, "a-b", Part::Query), "000000000003.a-b.tsq");
        for bad in [
            "000000000003.txt",
            "00000000003.a.tsr",
            "000000000003.A.tsr",
            "000000000003..tsr",
            "000000000003.-a.tsr",
            "000000000003.a.tsr.tmp",
            "00000000000x.a.tsq",
            "000000000003a.tsr",
        ] {
            assert!(!is_timestamp_name(bad), "{bad}");
        }
    }
}
