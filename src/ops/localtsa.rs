//! A local RFC 3161 time-stamping authority for tests and the demo. **A development and
//! demonstration facility, not a trusted service**: its CA and TSA keys are made on the spot,
//! unprotected, in a directory of the caller's, and its clock is this machine's; a token it
//! issues proves nothing to anyone but the person who ran it.
//!
//! It is OpenSSL's own TSA: [`LocalTsa::start`] makes a CA (EC P-256, self-signed) and a TSA
//! certificate under it with the critical extended key usage timeStamping (RFC 3161 2.3) with
//! the `openssl` command, then serves RFC 3161 over HTTP on 127.0.0.1 (an ephemeral port):
//! each POSTed `application/timestamp-query` is answered by `openssl ts -reply`, one at a
//! time (requests and headers bounded, a few seconds each). It stops when [`LocalTsa::stop`]
//! is called or the value is dropped. So the tokens the tests and the demo check are real
//! ones, which `openssl ts -verify -CAfile ca.pem` and `scelle verify` check independently.

use crate::error::{Error, IoContext, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The policy OID of the local TSA's tokens: under the Private Enterprise Number 32473, which
/// RFC 5612 reserves for documentation (so it is never mistaken for a real TSA's policy).
pub const LOCAL_TSA_POLICY: &str = "1.3.6.1.4.1.32473.3161";

/// How the local TSA answers (tests make it misbehave).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// `openssl ts -reply` for each query: an honest TSA.
    Honest,
    /// These bytes for every query (a replayed token, garbage), as `application/timestamp-reply`.
    Fixed(Vec<u8>),
    /// HTTP 503 for every query.
    Unavailable,
}

/// A running local TSA.
pub struct LocalTsa {
    dir: PathBuf,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    behaviour: Arc<Mutex<Behaviour>>,
    served: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// The largest request the local TSA reads (headers, then body).
const MAX_REQUEST: usize = 64 * 1024;

fn openssl(dir: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env_remove("OPENSSL_CONF")
        .output()
        .map_err(|e| {
            Error::input(format!(
                "the local TSA needs the openssl command (OpenSSL 1.1.1 or later): {e}"
            ))
        })?;
    if !out.status.success() {
        return Err(Error::input(format!(
            "openssl {}: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).at(path)
}

/// Makes the CA, the TSA key and certificate and the `openssl ts` configuration in `dir`
/// (kept if already there: a second start reuses them).
fn make_pki(dir: &Path, name: &str) -> Result<()> {
    std::fs::create_dir_all(dir).at(dir)?;
    if dir.join("tsa.cnf").exists() {
        return Ok(());
    }
    write(
        &dir.join("req.cnf"),
        "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = x\n",
    )?;
    let ca_subject = format!("/CN={name} local CA (development only, NOT TRUSTED)");
    openssl(
        dir,
        &[
            "req",
            "-config",
            "req.cnf",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            &ca_subject,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    )?;
    let tsa_subject = format!("/CN={name} local TSA (development only, NOT TRUSTED)");
    openssl(
        dir,
        &[
            "req",
            "-config",
            "req.cnf",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            &tsa_subject,
        ],
    )?;
    write(
        &dir.join("tsa-ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n",
    )?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-out",
            "tsa.pem",
            "-days",
            "3650",
            "-extfile",
            "tsa-ext.cnf",
        ],
    )?;
    write(&dir.join("serial"), "01\n")?;
    let d = dir
        .canonicalize()
        .at(dir)?
        .to_str()
        .ok_or_else(|| Error::input(format!("{}: not a UTF-8 path", dir.display())))?
        .to_string();
    write(
        &dir.join("tsa.cnf"),
        &format!(
            "[ tsa ]\ndefault_tsa = local\n[ local ]\nserial = {d}/serial\n\
             crypto_device = builtin\nsigner_cert = {d}/tsa.pem\ncerts = {d}/ca.pem\n\
             signer_key = {d}/tsa.key\nsigner_digest = sha256\n\
             default_policy = {LOCAL_TSA_POLICY}\nother_policies = {LOCAL_TSA_POLICY}\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\n\
             tsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n"
        ),
    )
}

impl LocalTsa {
    /// Makes (or reuses) the CA and TSA in `dir` and serves on 127.0.0.1, honestly. `name`
    /// goes into the certificates' subjects.
    pub fn start(dir: &Path, name: &str) -> Result<LocalTsa> {
        make_pki(dir, name)?;
        let listener = TcpListener::bind("127.0.0.1:0").at("127.0.0.1:0")?;
        listener.set_nonblocking(true).at("127.0.0.1")?;
        let addr = listener.local_addr().at("127.0.0.1")?;
        let stop = Arc::new(AtomicBool::new(false));
        let behaviour = Arc::new(Mutex::new(Behaviour::Honest));
        let served = Arc::new(AtomicU64::new(0));
        let thread = {
            let (dir, stop, behaviour, served) = (
                dir.to_path_buf(),
                stop.clone(),
                behaviour.clone(),
                served.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let b = behaviour
                                .lock()
                                .map(|b| b.clone())
                                .unwrap_or(Behaviour::Unavailable);
                            // Counted before the answer is written: a client that has its
                            // answer is already counted (tests read the count right after).
                            served.fetch_add(1, Ordering::SeqCst);
                            let _ = serve(stream, &dir, &b);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        Ok(LocalTsa {
            dir: dir.to_path_buf(),
            addr,
            stop,
            behaviour,
            served,
            thread: Some(thread),
        })
    }

    /// The URL to give `scelle tsa add`.
    pub fn url(&self) -> String {
        format!("http://{}/tsa", self.addr)
    }

    /// The CA certificate (PEM) to give `scelle tsa add --ca-file` and `openssl ts -verify
    /// -CAfile`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The directory of its keys and certificates.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many connections it has accepted (each counted before its answer is written).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Changes how it answers from now on.
    pub fn set_behaviour(&self, b: Behaviour) {
        if let Ok(mut g) = self.behaviour.lock() {
            *g = b;
        }
    }

    /// Stops serving (the port is closed when this returns).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LocalTsa {
    fn drop(&mut self) {
        self.halt();
    }
}

fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// Answers one connection: one `POST` with a `Content-Length` body of at most
/// [`MAX_REQUEST`] bytes.
fn serve(mut stream: TcpStream, dir: &Path, behaviour: &Behaviour) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_REQUEST {
            return respond(&mut stream, "431 Too Large", "text/plain", b"too large\n");
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    if !head.starts_with("POST ") {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"POST only\n",
        );
    }
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let Some(length) = length.filter(|n| *n <= MAX_REQUEST) else {
        return respond(
            &mut stream,
            "411 Length Required",
            "text/plain",
            b"length\n",
        );
    };
    let mut body = buf[header_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    match behaviour {
        Behaviour::Unavailable => respond(
            &mut stream,
            "503 Service Unavailable",
            "text/plain",
            b"down\n",
        ),
        Behaviour::Fixed(bytes) => {
            respond(&mut stream, "200 OK", "application/timestamp-reply", bytes)
        }
        Behaviour::Honest => match reply(dir, &body) {
            Ok(r) => respond(&mut stream, "200 OK", "application/timestamp-reply", &r),
            Err(e) => respond(
                &mut stream,
                "500 Internal Server Error",
                "text/plain",
                e.to_string().as_bytes(),
            ),
        },
    }
}

/// `openssl ts -reply` for one query.
fn reply(dir: &Path, query: &[u8]) -> Result<Vec<u8>> {
    let q = dir.join("query.tsq");
    let r = dir.join("reply.tsr");
    std::fs::write(&q, query).at(&q)?;
    let _ = std::fs::remove_file(&r);
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "query.tsq",
            "-out",
            "reply.tsr",
        ],
    )?;
    std::fs::read(&r).at(&r)
}
