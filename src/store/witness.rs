//! A C2SP tlog-witness (<https://c2sp.org/tlog-witness>): its durable state (per origin, the
//! latest checkpoint it cosigned), its refusal log, a small HTTP/1.1 server for
//! `POST /add-checkpoint`, and the client side's HTTP call (FORMAT.md 8.7).
//!
//! **State.** `STATE/ORIGIN.txt`, ORIGIN being the hex SHA-256 of the origin line, holds the
//! latest cosigned checkpoint as a signed note: the checkpoint text, the log signature lines
//! that verified, and the witness's cosignature line (a checkpoint file `scelle verify
//! --trusted-checkpoint` reads). Checking a request against it and replacing it happen under an
//! exclusive `flock` of `STATE/ORIGIN.lock`, so concurrent requests for one origin (threads or
//! processes) serialise and the stored size never goes backwards; the new file is written to a
//! temporary file, fsynced, renamed into place and the directory fsynced BEFORE the witness
//! answers 200, so a crash leaves the old or the new checkpoint, never a torn one or a
//! cosignature the state does not hold. Every refusal is appended (fsynced) to
//! `STATE/refusals.jsonl`.
//!
//! **Server.** std::net, one thread per connection up to [`MAX_CONNECTIONS`] (more are
//! answered 503 and closed), read and write timeouts of [`IO_TIMEOUT`], a request head of at
//! most 16 KiB, a body of at most [`MAX_REQUEST_BODY`] bytes with a `Content-Length` (no
//! chunked bodies), HTTP/1.1 keep-alive up to 100 requests a connection.

use crate::error::{Error, IoContext, Result};
use crate::format::cosign::now_secs;
use crate::format::encoding::hex;
use crate::format::note::{Checkpoint, Note};
use crate::format::witness::{
    check_request, cosigned, decide, Answer, MAX_REQUEST_BODY, MAX_RESPONSE_BODY,
};
use crate::store::fsutil;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 32;
/// Read and write timeout of a connection (server) and of a whole request (client).
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head (request line and headers) the server reads.
const MAX_HEAD: usize = 16 * 1024;
/// The largest stored state file read back.
const MAX_STATE_FILE: u64 = 1024 * 1024;

/// A witness: its name and key, the log keys it trusts, its state directory.
#[derive(Clone)]
pub struct Witness {
    /// The witness's key name (the name of its cosignature lines).
    pub name: String,
    /// Its signing key.
    pub key: SigningKey,
    /// The log keys whose checkpoints it cosigns (name, public key; alg 0x01).
    pub logs: Vec<(String, VerifyingKey)>,
    /// The state directory.
    pub state: PathBuf,
}

/// One line of `refusals.jsonl`.
#[derive(Serialize)]
struct Refusal<'a> {
    time: String,
    status: u16,
    origin: Option<&'a str>,
    old: Option<u64>,
    size: Option<u64>,
    known: Option<u64>,
    reason: &'a str,
}

impl Witness {
    /// Creates the state directory if needed (mode 0700).
    pub fn open_state(&self) -> Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.state)
            .at(&self.state)
    }

    /// The state file of `origin`.
    pub fn state_file(&self, origin: &str) -> PathBuf {
        self.state
            .join(format!("{}.txt", hex(&Sha256::digest(origin.as_bytes()))))
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    pub fn stored(&self, origin: &str) -> Result<Option<(Note, Checkpoint)>> {
        let p = self.state_file(origin);
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        let bytes = fsutil::read_nofollow(&p, MAX_STATE_FILE)?;
        let bad =
            |why: String| Error::input(format!("{}: damaged witness state: {why}", p.display()));
        let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
        let note = Note::parse(&text).map_err(|e| bad(e.to_string()))?;
        let cp = Checkpoint::parse_text(&note.text).map_err(|e| bad(e.to_string()))?;
        if cp.origin != origin {
            return Err(bad("another origin".into()));
        }
        Ok(Some((note, cp)))
    }

    /// Handles the body of an `add-checkpoint` request: checks, decides, stores durably, logs a
    /// refusal. An I/O error is a 500 (nothing cosigned).
    pub fn add_checkpoint(&self, body: &[u8]) -> Answer {
        let checked = match check_request(body, &self.logs) {
            Ok(c) => c,
            Err(a) => {
                // What can be read of a refused body (a 403's origin and sizes) is logged too.
                let peek = crate::format::witness::AddCheckpoint::parse(body)
                    .ok()
                    .and_then(|r| {
                        let n = Note::parse(&r.note).ok()?;
                        Some((r.old, Checkpoint::parse_text(&n.text).ok()?))
                    });
                self.write_refusal(Refusal {
                    time: now_utc(),
                    status: a.status,
                    origin: peek.as_ref().map(|p| p.1.origin.as_str()),
                    old: peek.as_ref().map(|p| p.0),
                    size: peek.as_ref().map(|p| p.1.size),
                    known: None,
                    reason: a.refused.as_deref().unwrap_or(""),
                });
                return a;
            }
        };
        let origin = checked.checkpoint.origin.clone();
        let lock_path = self
            .state
            .join(format!("{}.lock", hex(&Sha256::digest(origin.as_bytes()))));
        let result = (|| -> Result<std::result::Result<Answer, (Answer, Option<u64>)>> {
            let f = fsutil::open_lock_file(&lock_path)?;
            f.lock().at(&lock_path)?;
            let stored = self.stored(&origin)?;
            match decide(
                &checked,
                stored.as_ref().map(|s| &s.1),
                &self.name,
                &self.key,
                now_secs(),
            ) {
                Ok((note, line)) => {
                    fsutil::atomic_write(
                        &self.state_file(&origin),
                        note.encode().as_bytes(),
                        0o644,
                    )?;
                    Ok(Ok(cosigned(&line)))
                }
                Err(a) => Ok(Err((a, stored.map(|s| s.1.size)))),
            }
        })();
        match result {
            Ok(Ok(a)) => a,
            Ok(Err((a, known))) => {
                self.log_refusal(&a, Some(&checked), known);
                a
            }
            Err(e) => {
                let a = Answer {
                    status: 500,
                    content_type: "text/plain; charset=utf-8",
                    body: "internal error; nothing cosigned\n".into(),
                    refused: Some(format!("internal error: {e}")),
                };
                self.log_refusal(&a, Some(&checked), None);
                a
            }
        }
    }

    /// Appends one line to `refusals.jsonl` (best effort: a refusal is answered anyway).
    fn log_refusal(
        &self,
        a: &Answer,
        c: Option<&crate::format::witness::Checked>,
        known: Option<u64>,
    ) {
        self.write_refusal(Refusal {
            time: now_utc(),
            status: a.status,
            origin: c.map(|c| c.checkpoint.origin.as_str()),
            old: c.map(|c| c.request.old),
            size: c.map(|c| c.checkpoint.size),
            known,
            reason: a.refused.as_deref().unwrap_or(""),
        });
    }

    fn write_refusal(&self, line: Refusal<'_>) {
        let Ok(mut json) = serde_json::to_string(&line) else {
            return;
        };
        json.push('\n');
        let p = self.refusal_log();
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&p)
            .and_then(|mut f| {
                f.write_all(json.as_bytes())?;
                f.sync_data()
            });
    }

    /// The refusal log, `STATE/refusals.jsonl`.
    pub fn refusal_log(&self) -> PathBuf {
        self.state.join("refusals.jsonl")
    }
}

fn now_utc() -> String {
    crate::format::time::format_utc(time::OffsetDateTime::now_utc())
}

/// A running witness server; [`Server::stop`] ends it.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds `listen` (e.g. `127.0.0.1:0`) and serves `witness` on a background thread.
    pub fn start(witness: Witness, listen: &str) -> Result<Server> {
        witness.open_state()?;
        let listener = TcpListener::bind(listen)
            .map_err(|e| Error::input(format!("--listen {listen}: cannot listen there: {e}")))?;
        let addr = listener.local_addr().at(&witness.state)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let witness = Arc::new(witness);
        let active = Arc::new(AtomicUsize::new(0));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::SeqCst);
                    let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
                    let _ = respond(&conn, 503, "text/plain", "busy\n", false);
                    continue;
                }
                let (w, a) = (witness.clone(), active.clone());
                std::thread::spawn(move || {
                    serve_connection(&w, conn);
                    a.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of its submission prefix, `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the accept loop to end (connections being
    /// served finish on their own threads).
    pub fn stop(mut self) {
        self.halt();
    }

    /// Blocks until the server stops (never, unless stopped from another thread).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.halt();
        }
    }
}

fn respond(
    mut conn: &TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
    keep: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep { "keep-alive" } else { "close" }
    );
    conn.write_all(head.as_bytes())?;
    conn.write_all(body.as_bytes())?;
    conn.flush()
}

/// The most requests served on one keep-alive connection.
const MAX_REQUESTS_PER_CONNECTION: usize = 100;

/// Serves the requests of one connection: HTTP/1.1 keep-alive (the spec's SHOULD) until the
/// client closes or asks to, an error, [`MAX_REQUESTS_PER_CONNECTION`], or [`IO_TIMEOUT`] of
/// silence.
fn serve_connection(w: &Witness, conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
    let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
    let mut reader = BufReader::new(&conn);
    for served in 1..=MAX_REQUESTS_PER_CONNECTION {
        let (status, ct, body, keep) = match read_request(&mut reader) {
            Ok(None) => break,
            Ok(Some((body, keep))) => {
                let a = w.add_checkpoint(&body);
                (a.status, a.content_type, a.body, keep)
            }
            Err((status, why)) => (
                status,
                "text/plain; charset=utf-8",
                format!("{why}\n"),
                false,
            ),
        };
        let keep = keep && served < MAX_REQUESTS_PER_CONNECTION;
        if respond(&conn, status, ct, &body, keep).is_err() || !keep {
            break;
        }
    }
    let _ = conn.shutdown(std::net::Shutdown::Write);
}

/// What a request head asks for, or why it is refused.
type Head = std::result::Result<Option<(Vec<u8>, bool)>, (u16, &'static str)>;

/// Reads the head and body of a `POST /add-checkpoint`: `None` at a clean end of the
/// connection, else the body and whether the connection stays open; an error is (status,
/// reason), after which the connection is closed.
fn read_request(r: &mut BufReader<&TcpStream>) -> Head {
    let mut head_len = 0usize;
    let mut line = String::new();
    let mut read_line = |r: &mut BufReader<&TcpStream>,
                         line: &mut String|
     -> std::result::Result<usize, (u16, &'static str)> {
        line.clear();
        let n = r
            .take((MAX_HEAD - head_len) as u64)
            .read_line(line)
            .map_err(|_| (400, "unreadable request"))?;
        if n == 0 {
            return Ok(0);
        }
        head_len += n;
        if !line.ends_with("\r\n") {
            return Err((431, "request head too large or truncated"));
        }
        line.truncate(line.len() - 2);
        Ok(n)
    };
    if read_line(r, &mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split(' ');
    let (method, path, version) = (parts.next(), parts.next(), parts.next());
    if parts.next().is_some() || !matches!(version, Some("HTTP/1.1") | Some("HTTP/1.0")) {
        return Err((400, "bad request line"));
    }
    let mut keep = version == Some("HTTP/1.1");
    if path != Some("/add-checkpoint") {
        return Err((404, "not found: the witness serves POST /add-checkpoint"));
    }
    if method != Some("POST") {
        return Err((405, "method not allowed: use POST"));
    }
    let mut length: Option<usize> = None;
    loop {
        if read_line(r, &mut line)? == 0 {
            return Err((400, "request head truncated"));
        }
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or((400, "bad header line"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err((411, "a Content-Length is required (no chunked bodies)"));
        }
        if name.eq_ignore_ascii_case("connection") {
            keep = !value.eq_ignore_ascii_case("close");
        }
        if name.eq_ignore_ascii_case("content-length") {
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err((400, "bad Content-Length"));
            }
            let n: usize = value.parse().map_err(|_| (400, "bad Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err((400, "two Content-Length headers"));
            }
            length = Some(n);
        }
    }
    let n = length.ok_or((411, "a Content-Length is required"))?;
    if n > MAX_REQUEST_BODY {
        return Err((413, "request body too large"));
    }
    // From the buffered reader: it may already hold the start of the body.
    let mut body = vec![0u8; n];
    r.read_exact(&mut body)
        .map_err(|_| (400, "body shorter than its Content-Length"))?;
    Ok(Some((body, keep)))
}

/// A witness's answer, as the client received it.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` (empty if none).
    pub content_type: String,
    /// The body (at most [`MAX_RESPONSE_BODY`] bytes).
    pub body: Vec<u8>,
}

/// Posts an `add-checkpoint` body to the witness at `url` (its submission prefix; `/add-checkpoint`
/// is appended), with a [`IO_TIMEOUT`] budget and a bounded answer.
pub fn post_add_checkpoint(url: &str, body: &str) -> std::result::Result<Reply, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(IO_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let target = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    let mut resp = agent
        .post(&target)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(body.as_bytes())
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BODY as u64)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

/// Whether `path` is a witness state file name (`64 hex digits.txt`).
pub fn is_state_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".txt"))
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}
