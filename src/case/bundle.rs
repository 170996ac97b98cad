//! Evidence bundles: `export` writes a case as a BagIt 1.0 bag (RFC 8493) inside one tar;
//! `verify-bundle` and `import` read such a tar as hostile input (safe extraction with limits,
//! see [`crate::store::safeextract`]), check the bag's manifests, then verify the case in it.
//!
//! Layout of the bag (docs/FORMAT.md section 14):
//!
//! ```text
//! bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt  VERIFY.md
//! bag-signer.pub  tagmanifest-sha256.txt.sig   (the exporter's Ed25519 signature of the bag)
//! data/case/ledger.jsonl  data/case/case.json  data/case/checkpoints/…  data/case/keys/…
//! data/case/ioc/…  data/proofs/E-0001.json …  data/reports/…  data/kit/verify_bundle.py
//! data/kit/verify_case.py  data/kit/FORMAT.md  data/kit/verify.html
//! data/artifacts/E-0001/NAME[/MEMBER…]   (with --with-artifacts)
//! ```
//!
//! The exporter signs `tagmanifest-sha256.txt` (which covers every manifest, `bag-info.txt`
//! with the ledger's size and root, the administrator's fingerprint and the origin, and
//! `VERIFY.md`) with a key enrolled and unrevoked at the end of the bundled ledger; a verifier
//! accepts nothing it carries unless that signature holds (docs/FORMAT.md section 14).

use crate::error::{Error, IoContext, Result};
use crate::format::body::KIND_REPORT;
use crate::format::body::{Body, ExportBody, Seal};
use crate::format::chain::{record_public_key, ChainState, Finding, Severity};
use crate::format::entry::{SharedLine, TypedLine};
use crate::format::keys;
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::hashing::{no_progress, Progress};
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::{read_all_lines, Appender};
use crate::store::safeextract::{self, Limits};
use ed25519_dalek::{Signer, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The independent verifier shipped in every bundle (python3 standard library and openssl).
const KIT_VERIFIER: &str = include_str!("../../tests/independent/verify_case.py");
/// The independent bundle verifier (manifests, Payload-Oxum, artifacts, proofs; then the case
/// verifier beside it), also python3 standard library and openssl only.
const KIT_BUNDLE_VERIFIER: &str = include_str!("../../tests/independent/verify_bundle.py");
/// The normative format (ledger, checkpoints, bundles) shipped in every bundle, so that a
/// verifier has the specification the kit implements without asking the sender for it.
const KIT_FORMAT: &str = include_str!("../../docs/FORMAT.md");
/// The browser verifier shipped in every bundle (`verifier/verify.html`: one self-contained,
/// offline HTML file; `scelle verifier --out FILE` writes it too).
pub const VERIFY_HTML: &str = include_str!("../../verifier/verify.html");
/// The verification instructions shipped in every bundle, in English, French and Spanish.
const VERIFY_MD: &str = include_str!("bundle_verify.md");
/// The tag file holding the raw 64-byte Ed25519 signature of `tagmanifest-sha256.txt`.
pub const SIGNATURE_FILE: &str = "tagmanifest-sha256.txt.sig";
/// The tag file holding the signer's public key (SPKI PEM, `openssl pkey -pubin` reads it).
pub const SIGNER_FILE: &str = "bag-signer.pub";
/// Printed with a bundle's identity by `verify-bundle` and `import`.
pub const OUT_OF_BAND: &str = "compare the administrator's fingerprint (and the signer's) out of band, with one you already hold (a report of this case, or one the sender gave you through another channel): a bundle proves that a key of its own ledger signed it, not whose case it is";

/// The files of the verification kit this scelle ships, by bag path (compared with a carried
/// kit by `verify-bundle`).
pub fn shipped_kit() -> [(&'static str, &'static str); 5] {
    [
        ("VERIFY.md", VERIFY_MD),
        ("data/kit/verify_bundle.py", KIT_BUNDLE_VERIFIER),
        ("data/kit/verify_case.py", KIT_VERIFIER),
        ("data/kit/FORMAT.md", KIT_FORMAT),
        ("data/kit/verify.html", VERIFY_HTML),
    ]
}

/// What `export` puts in the bundle beyond the case itself.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Exhibits whose proofs (and, with `with_artifacts`, artifacts) go in; empty: all.
    pub exhibits: Vec<String>,
    /// Include the artifacts themselves, streamed from their sealed paths.
    pub with_artifacts: bool,
    /// Rendered documents (PDFs) to include under `data/reports/`.
    pub reports: Vec<PathBuf>,
    /// `Source-Organization` of bag-info.txt.
    pub organization: Option<String>,
    /// To whom it is sent, recorded in the `export` entry.
    pub to: Option<String>,
    /// Why, recorded in the `export` entry.
    pub purpose: Option<String>,
}

/// What `export` wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportOutcome {
    /// The bundle file.
    pub bundle: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Payload files (under `data/`) and their total bytes (BagIt Payload-Oxum).
    pub payload_files: u64,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// The exhibits it covers.
    pub exhibits: Vec<String>,
    /// The `export` entry recorded: its sequence number.
    pub entry: Option<u64>,
    /// The entries of the ledger the bundle carries.
    pub ledger_size: u64,
}

/// Every seal of the ledger's `lines`, by exhibit, in order, with its entry: their members
/// left in the lines.
fn seals(lines: &[SharedLine]) -> Vec<(u64, Seal)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(TypedLine {
            body: Body::Seal(s),
            ..
        }) = TypedLine::parse_shared(line)
        {
            out.push((i as u64, *s));
        }
    }
    out
}

/// A payload or tag name BagIt tools read back the same: no `%`, CR, LF or backslash (bagit.py
/// percent-decodes manifest paths, so `%` would not round-trip).
fn check_bag_name(name: &str) -> Result<()> {
    if name.contains(['%', '\n', '\r', '\\']) {
        return Err(Error::input(format!(
            "{name:?}: a name with '%', a backslash or a line break cannot be carried in a BagIt manifest that every tool reads back; rename it before exporting, or export without --with-artifacts"
        )));
    }
    Ok(())
}

/// Writes members into the tar and keeps the manifest lines of what it wrote.
struct BagWriter<W: Write> {
    tar: tar::Builder<W>,
    payload: BTreeMap<String, String>,
    payload_bytes: u64,
}

impl<W: Write + io::Seek> BagWriter<W> {
    /// Adds `value` as pretty JSON and a newline as `name`, written straight into the bundle
    /// and hashed on the way (a proof carries its ledger line, tens of MiB for a seal listing
    /// 200,000 members: it is not held in a buffer first).
    fn add_payload_json<T: serde::Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        check_bag_name(name)?;
        let mut h = Self::header(0);
        let entry = self
            .tar
            .append_writer(&mut h, name)
            .map_err(|e| Error::io(name, e))?;
        let mut w = HashingWriter {
            inner: io::BufWriter::with_capacity(1 << 16, entry),
            sha: Sha256::new(),
            count: 0,
        };
        serde_json::to_writer_pretty(&mut w, value)
            .map_err(|e| Error::io(name, io::Error::other(e)))?;
        w.write_all(b"\n").map_err(|e| Error::io(name, e))?;
        let HashingWriter {
            inner, sha, count, ..
        } = w;
        let entry = inner
            .into_inner()
            .map_err(|e| Error::io(name, e.into_error()))?;
        entry.finish().map_err(|e| Error::io(name, e))?;
        self.payload_bytes += count;
        self.payload.insert(name.to_string(), hex(&sha.finalize()));
        Ok(())
    }
}

/// A writer that hashes and counts what goes through it.
struct HashingWriter<W> {
    inner: W,
    sha: Sha256,
    count: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> BagWriter<W> {
    fn header(size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    /// Adds `bytes` as `name` (bag-relative); returns its SHA-256.
    fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<String> {
        let mut h = Self::header(bytes.len() as u64);
        self.tar
            .append_data(&mut h, name, bytes)
            .map_err(|e| Error::io(name, e))?;
        Ok(hex(&Sha256::digest(bytes)))
    }

    fn add_payload_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let sha = self.add_bytes(name, bytes)?;
        self.payload_bytes += bytes.len() as u64;
        self.payload.insert(name.to_string(), sha);
        Ok(())
    }

    /// Adds `lines`, each followed by a newline, as `name`, streamed from the lines themselves
    /// (the ledger is not copied into one buffer first) and hashed on the way.
    fn add_payload_lines(&mut self, name: &str, lines: &[SharedLine]) -> Result<()> {
        let size: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
        let mut h = Self::header(size);
        let mut reader = HashingReader {
            inner: JoinedLines {
                lines,
                line: 0,
                at: 0,
            },
            sha: Sha256::new(),
            count: 0,
            progress: &no_progress,
        };
        self.tar
            .append_data(&mut h, name, &mut reader)
            .map_err(|e| Error::io(name, e))?;
        debug_assert_eq!(reader.count, size);
        self.payload_bytes += size;
        self.payload
            .insert(name.to_string(), hex(&reader.sha.finalize()));
        Ok(())
    }

    /// Streams the file at `src` in as `name`, hashing it on the way; returns its SHA-256.
    fn add_payload_file(&mut self, name: &str, src: &Path) -> Result<String> {
        self.add_payload_case_file(name, src).map(|(sha, _)| sha)
    }

    /// Streams the case's file at `src` (never through a symbolic link, a regular file) in as
    /// `name`, hashing it on the way; returns its SHA-256 and size.
    fn add_payload_case_file(&mut self, name: &str, src: &Path) -> Result<(String, u64)> {
        check_bag_name(name)?;
        let file = fsutil::open_nofollow(src, false)?;
        let size = file.metadata().at(src)?.len();
        let mut h = Self::header(size);
        let mut reader = HashingReader {
            inner: file.take(size),
            sha: Sha256::new(),
            count: 0,
            progress: &no_progress,
        };
        self.tar
            .append_data(&mut h, name, &mut reader)
            .map_err(|e| Error::io(src, e))?;
        if reader.count != size {
            return Err(Error::input(format!(
                "{}: the file changed size while it was being exported ({size} bytes, then {}); nothing was written",
                src.display(),
                reader.count
            )));
        }
        let sha = hex(&reader.sha.finalize());
        self.payload_bytes += size;
        self.payload.insert(name.to_string(), sha.clone());
        Ok((sha, size))
    }

    fn manifest_text(lines: &BTreeMap<String, String>) -> String {
        lines
            .iter()
            .map(|(name, sha)| format!("{sha}  {name}\n"))
            .collect()
    }
}

/// Lines read as one text, each followed by a newline.
struct JoinedLines<'a> {
    lines: &'a [SharedLine],
    /// The line being read.
    line: usize,
    /// Bytes of it already read (its length: the newline is next).
    at: usize,
}

impl Read for JoinedLines<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(l) = self.lines.get(self.line) else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        if self.at < l.len() {
            let n = buf.len().min(l.len() - self.at);
            buf[..n].copy_from_slice(&l[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        buf[0] = b'\n';
        self.line += 1;
        self.at = 0;
        Ok(1)
    }
}

struct HashingReader<'a, R> {
    inner: R,
    sha: Sha256,
    count: u64,
    progress: Progress<'a>,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        self.count += n as u64;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// Tells `progress` the bytes read through it (a bundle read once, as it is extracted).
struct CountingReader<'a, R> {
    inner: R,
    progress: Progress<'a>,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    crate::format::encoding::hex(bytes)
}

/// The files of `dir` (not recursive), sorted by name. Hidden files are left out: they are the
/// temporary files of atomic writes (`.NAME.tmp-PID`, `src/store/fsutil.rs`), which a writer
/// killed mid-write leaves behind, possibly half-written; no file of the format starts with `.`.
fn files_in(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    match fs::read_dir(dir) {
        Ok(rd) => {
            for e in rd {
                let e = e.at(dir)?;
                if e.file_type().at(e.path())?.is_file() {
                    if let Some(name) = e.file_name().to_str().filter(|n| !n.starts_with('.')) {
                        out.push((name.to_string(), e.path()));
                    }
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    out.sort();
    Ok(out)
}

/// `scelle export --out BUNDLE.tar`: the case as a BagIt bag in one tar, written to a
/// temporary file beside `out`, synced, then renamed into place. Refuses an artifact that no
/// longer matches its seal, a report that no `report` entry records, and a `key` that is not
/// enrolled and unrevoked in the ledger. The case is locked for the whole export; `key` signs
/// the bag (`tagmanifest-sha256.txt.sig`) and a signed `export` entry records the bundle's
/// hash after the ledger it holds; if that entry cannot be written, the bundle is removed
/// again.
pub fn export(
    case: &CaseDir,
    out: &Path,
    opts: &ExportOptions,
    key: &LoadedKey,
) -> Result<ExportOutcome> {
    export_with(case, out, opts, key, &no_progress)
}

/// The bytes [`export`] with `opts` streams from the artifacts into the bundle (0 without
/// `with_artifacts`), from their seals ([`crate::case::measure::bytes_read`]): the total of
/// the progress of [`export_with`]. For display only.
pub fn export_bytes(case: &CaseDir, opts: &ExportOptions) -> Result<u64> {
    if !opts.with_artifacts {
        return Ok(0);
    }
    Ok(seals(&read_all_lines(case)?)
        .iter()
        .map(|(_, s)| s)
        .filter(|s| opts.exhibits.is_empty() || opts.exhibits.contains(&s.exhibit))
        .map(|s| crate::case::measure::bytes_read(&s.artifact))
        .sum())
}

/// [`export`], telling `progress` the bytes of each artifact as they are streamed into the
/// bundle (they add up to [`export_bytes`] when every artifact is as sealed).
pub fn export_with(
    case: &CaseDir,
    out: &Path,
    opts: &ExportOptions,
    key: &LoadedKey,
    progress: Progress,
) -> Result<ExportOutcome> {
    let mut app = Appender::open(case, key)?;
    // A writer killed between its append and its checkpoint leaves the tail uncheckpointed
    // (docs/SECURITY.md section 8); the proofs of a bundle need a checkpoint covering every
    // seal. Holding the lock and an active key, sign the checkpoint of the ledger as it is
    // (an existing one is kept).
    if app.state().size > 0 && app.state().active_key(&key.id()).is_some() {
        app.checkpoint(key)?;
    }
    let mut outcome = export_unlocked(case, out, opts, key, progress)?;
    let body = Body::Export(ExportBody {
        file: out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: outcome.sha256.clone(),
        size: outcome.size,
        format: "bagit-tar".into(),
        exhibits: outcome.exhibits.clone(),
        artifacts: opts.with_artifacts,
        ledger_size: outcome.ledger_size,
        to: opts.to.clone(),
        purpose: opts.purpose.clone(),
    });
    match app.append_body(&body, key, crate::format::time::now_utc()) {
        Ok(seq) => outcome.entry = Some(seq),
        Err(e) => {
            let _ = fs::remove_file(out);
            return Err(e);
        }
    }
    app.finish(key)?;
    Ok(outcome)
}

fn export_unlocked(
    case: &CaseDir,
    out: &Path,
    opts: &ExportOptions,
    key: &LoadedKey,
    progress: Progress,
) -> Result<ExportOutcome> {
    if out.exists() {
        return Err(Error::input(format!(
            "{}: already exists; give another --out (a bundle is never overwritten)",
            out.display()
        )));
    }
    let report = crate::case::verify::verify(case, Default::default(), &|_| {})?;
    if let Some(f) = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return Err(Error::input(format!(
            "{}: the case does not verify ({}); a bundle of a failing case is not exported. Run `scelle verify`",
            case.root().display(),
            f.describe()
        )));
    }
    // The ledger carried, and everything bag-info.txt says of it, come from these lines (read
    // under the lock), never from case.json or the index.
    let lines = read_all_lines(case)?;
    let state = crate::case::proof::state_of(&lines);
    let signer = match state.active_key(&key.id()) {
        Some(k) if state.case.is_some() => k.record.clone(),
        _ => {
            return Err(Error::input(format!(
                "{}: key {} is not enrolled, or is revoked, in this case; a bundle is signed by a key enrolled and unrevoked in the ledger it carries (`scelle log` lists the keys)",
                key.path.display(),
                key.id()
            )))
        }
    };
    let all = seals(&lines);
    for x in &opts.exhibits {
        if !all.iter().any(|(_, s)| &s.exhibit == x) {
            return Err(Error::input(format!(
                "{x}: no such exhibit in this case; `scelle log` lists them"
            )));
        }
    }
    let chosen: Vec<&(u64, Seal)> = all
        .iter()
        .filter(|(_, s)| opts.exhibits.is_empty() || opts.exhibits.contains(&s.exhibit))
        .collect();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = fsutil::temp_beside(out, "partial");
    // A fresh name of ours: removed if the export is interrupted before its rename.
    let partial = crate::store::interrupt::remove_on_interrupt(&tmp);
    let ledger = Ledger {
        lines: &lines,
        state: &state,
        seals: &all,
    };
    let result = write_bundle(
        case,
        &tmp,
        &chosen,
        opts,
        &ledger,
        key,
        &signer.name,
        progress,
    );
    let (payload_files, payload_bytes) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    fs::rename(&tmp, out).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(out, e)
    })?;
    drop(partial);
    fsutil::fsync_dir(&parent)?;
    let (sha256, size) = sha256_file(out)?;
    Ok(ExportOutcome {
        bundle: out.display().to_string(),
        sha256,
        size,
        payload_files,
        payload_bytes,
        exhibits: chosen.iter().map(|(_, s)| s.exhibit.clone()).collect(),
        entry: None,
        ledger_size: lines.len() as u64,
    })
}

/// The ledger a bundle carries: its lines, the chain state after them, and its seals.
struct Ledger<'a> {
    lines: &'a [SharedLine],
    state: &'a ChainState,
    /// Its seals, by exhibit, with their entries.
    seals: &'a [(u64, Seal)],
}

/// Entry 0's administrator key record (the key that opened the case).
fn first_admin(state: &ChainState) -> Option<&crate::format::chain::EnrolledKey> {
    state.keys.iter().find(|k| k.enrolled_at == 0)
}

/// The fields of bag-info.txt that the bundled ledger determines, in the order export writes
/// them (`Scelle-Signer` and `Scelle-Signer-Fingerprint` are the bag signer's): both verifiers
/// check each against the ledger (docs/FORMAT.md section 14).
fn ledger_fields(
    state: &ChainState,
    size: u64,
    root: &crate::format::merkle::Hash,
) -> Vec<(&'static str, String)> {
    let (case_id, title, origin) = state
        .case
        .as_ref()
        .map(|c| (c.case_id.clone(), c.title.clone(), c.origin.clone()))
        .unwrap_or_default();
    let admin = first_admin(state)
        .and_then(|k| record_public_key(&k.record))
        .map(|pk| keys::fingerprint(&pk))
        .unwrap_or_default();
    vec![
        ("External-Identifier", one_line(&case_id)),
        ("External-Description", one_line(&title)),
        ("Scelle-Origin", one_line(&origin)),
        ("Scelle-Ledger-Size", size.to_string()),
        (
            "Scelle-Ledger-Root",
            crate::format::encoding::b64(root.as_slice()),
        ),
        ("Scelle-Admin-Fingerprint", admin),
    ]
}

/// The SPKI PEM of a public key, without preamble (`bag-signer.pub`).
fn signer_pem(public: &VerifyingKey) -> String {
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        crate::format::encoding::b64(&keys::spki_der(public))
    )
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).at(path)?;
    let mut sha = Sha256::new();
    let n = io::copy(&mut f, &mut sha).at(path)?;
    Ok((hex(&sha.finalize()), n))
}

/// The RFC 3161 timestamps of the checkpoint of `size` (FORMAT.md 8.6, 14): each `.tsq`
/// and `.tsr` pair of a TSA of the carried ledger whose response is granted, holds a token of
/// this checkpoint's text and echoes its request's nonce, as read once (those very bytes are
/// shipped). A planted, foreign or unpaired file states nothing and is not shipped under the
/// exporter's signature.
fn add_timestamps<W: std::io::Write>(
    bag: &mut BagWriter<W>,
    stamps: &[crate::store::timestamps::StoredTimestamp],
    size: u64,
    note_text: &str,
    state: &crate::format::chain::ChainState,
) -> Result<()> {
    use crate::format::timestamp as ts;
    use crate::store::timestamps::{self, Part};
    let digest = ts::checkpoint_imprint(note_text);
    for t in stamps.iter().filter(|t| t.size == size) {
        let Some(query_path) = &t.query else {
            continue;
        };
        if state.tsa(&t.tsa).is_none() {
            continue;
        }
        let (Ok(query), Ok(reply)) = (timestamps::read(query_path), timestamps::read(&t.reply))
        else {
            continue;
        };
        let Ok(req) = ts::parse_request(&query) else {
            continue;
        };
        if req.digest != digest
            || ts::check_response(&reply, &digest, req.nonce.as_deref()).is_err()
        {
            continue;
        }
        // The whole token verification `verify` makes (chain to the TSA's `ca`, signature):
        // a token that does not verify states nothing and is not shipped.
        let anchors: Vec<Vec<u8>> = state
            .tsa(&t.tsa)
            .map(|tsa| {
                tsa.ca
                    .iter()
                    .filter_map(|c| crate::format::encoding::unb64(c))
                    .collect()
            })
            .unwrap_or_default();
        if crate::format::timestamp_token::verify_token(
            &reply,
            note_text.as_bytes(),
            &anchors,
            req.nonce.as_deref(),
        )
        .is_err()
        {
            continue;
        }
        for (part, bytes) in [(Part::Query, &query), (Part::Reply, &reply)] {
            let name = timestamps::file_name(size, &t.tsa, part);
            bag.add_payload_bytes(&format!("data/case/checkpoints/{name}"), bytes)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_bundle(
    case: &CaseDir,
    tmp: &Path,
    chosen: &[&(u64, Seal)],
    opts: &ExportOptions,
    ledger: &Ledger<'_>,
    key: &LoadedKey,
    signer_name: &str,
    progress: Progress,
) -> Result<(u64, u64)> {
    let file = fsutil::create_exclusive(tmp, 0o644)?;
    let mut bag = BagWriter {
        tar: tar::Builder::new(BufWriter::with_capacity(1 << 20, file)),
        payload: BTreeMap::new(),
        payload_bytes: 0,
    };
    // The case: the ledger (the lines read under the lock, which bag-info.txt describes) and
    // the checkpoints are the evidence; public keys, IOC copies and case.json are the
    // conveniences a verifier also reads. Never a private key, never the index.
    bag.add_payload_lines("data/case/ledger.jsonl", ledger.lines)?;
    // case.json and keys/ are copies of what the ledger says, made here from the signed
    // lines, never the files on disk: anyone who can write the case can replace those, and
    // the exporter would then sign the replacement (docs/SECURITY.md 13.1).
    let info =
        ledger.state.case.as_ref().ok_or_else(|| {
            Error::input("the ledger holds no case.open entry: nothing to export")
        })?;
    let mut json = serde_json::to_vec_pretty(info).expect("CaseInfo serialises");
    json.push(b'\n');
    bag.add_payload_bytes("data/case/case.json", &json)?;
    for k in &ledger.state.keys {
        let rec = &k.record;
        let pk = crate::format::chain::record_public_key(rec)
            .ok_or_else(|| Error::input(format!("key {}: not a valid public key", rec.id)))?;
        let pem = crate::format::keys::public_key_pem(&pk, &rec.name, rec.role.as_deref());
        bag.add_payload_bytes(&format!("data/case/keys/{}.pub", rec.id), pem.as_bytes())?;
    }
    // Checkpoints: only those validly signed by a key of the case that may sign their size
    // (a planted or stray file states nothing and is not shipped under the exporter's
    // signature).
    let now = crate::format::cosign::now_secs();
    let stamps = if ledger.state.tsas.is_empty() {
        Vec::new()
    } else {
        crate::store::timestamps::list(case)?
    };
    for (size, path) in crate::store::checkpoints::by_size(case)? {
        let Ok(cp) = crate::store::checkpoints::read_in_case(&path) else {
            continue;
        };
        if crate::store::checkpoints::is_signed(ledger.state, &cp, size, now) {
            let name = crate::store::checkpoints::file_name(size);
            bag.add_payload_file(&format!("data/case/checkpoints/{name}"), &path)?;
            add_timestamps(&mut bag, &stamps, size, &cp.note.text, ledger.state)?;
        }
    }
    // IOC copies are named by their SHA-256: a file whose content is not its name is refused.
    for (name, path) in files_in(&case.ioc_dir())? {
        let sha = bag.add_payload_file(&format!("data/case/ioc/{name}"), &path)?;
        if name != format!("{sha}.stix2") {
            return Err(Error::input(format!(
                "{}: an IOC copy must be named by its SHA-256 ({sha}.stix2); run `scelle verify`",
                path.display()
            )));
        }
    }
    // Member files (FORMAT.md 6.2): each one a seal of the carried ledger names, checked
    // against what the line says as it is copied.
    for (_, s) in ledger.seals {
        let Some(f) = &s.artifact.member_file else {
            continue;
        };
        let path = crate::store::member_file::path_of(case.root(), f);
        let name = format!("data/case/members/{}", f.file_name());
        if bag.payload.contains_key(&name) {
            continue;
        }
        let (sha, size) = bag.add_payload_case_file(&name, &path)?;
        if sha != f.sha256 || size != f.bytes {
            return Err(Error::input(format!(
                "{}: not the member file {} names (SHA-256 {sha}, {size} bytes); the bundle \
                 was not written. Run `scelle verify`",
                path.display(),
                s.exhibit
            )));
        }
    }
    // The proofs: the checkpoint found and the ledger hashed once for all of them.
    let prover = crate::case::proof::Prover::new(case, ledger.lines, ledger.state)?;
    for (seq, s) in chosen {
        let proof = prover.prove(*seq, Some(s.exhibit.clone()))?;
        bag.add_payload_json(&format!("data/proofs/{}.json", s.exhibit), &proof)?;
    }
    let recorded = recorded_reports(ledger.lines);
    // An evidence variant given without its filing variant: the filing variant next to it is
    // carried too (FORMAT.md 6.7), as the evidence variant names it.
    let mut pdfs = opts.reports.clone();
    for pdf in &opts.reports {
        let Some(name) = pdf.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        for filing in recorded_filings(ledger.lines, name) {
            let path = pdf.with_file_name(&filing);
            let given = pdfs
                .iter()
                .any(|p| p.file_name().and_then(|n| n.to_str()) == Some(filing.as_str()));
            if !given && path.is_file() {
                pdfs.push(path);
            }
        }
    }
    for pdf in &pdfs {
        let name = pdf
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::input(format!("{}: not a file name", pdf.display())))?;
        let sha = bag.add_payload_file(&format!("data/reports/{name}"), pdf)?;
        if !recorded.contains(&(name.to_string(), sha.clone())) {
            return Err(Error::input(format!(
                "{}: no `report` entry of this case records this document (file name {name:?}, SHA-256 {sha}); a bundle carries only documents the ledger records. Render it with `scelle report ... --key`, or leave it out",
                pdf.display()
            )));
        }
    }
    bag.add_payload_bytes("data/kit/verify_bundle.py", KIT_BUNDLE_VERIFIER.as_bytes())?;
    bag.add_payload_bytes("data/kit/verify_case.py", KIT_VERIFIER.as_bytes())?;
    bag.add_payload_bytes("data/kit/FORMAT.md", KIT_FORMAT.as_bytes())?;
    bag.add_payload_bytes("data/kit/verify.html", VERIFY_HTML.as_bytes())?;
    if opts.with_artifacts {
        for (_, s) in chosen {
            add_artifact(&mut bag, case.root(), s, progress)?;
        }
    }
    // Tag files.
    let mut tags = BTreeMap::new();
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
    tags.insert(
        "bagit.txt".to_string(),
        bag.add_bytes("bagit.txt", bagit.as_bytes())?,
    );
    let mut bag_info = String::new();
    if let Some(org) = &opts.organization {
        bag_info.push_str(&format!("Source-Organization: {}\n", one_line(org)));
    }
    let root = {
        let mut f = crate::format::merkle::Frontier::new();
        for l in ledger.lines {
            f.push(crate::format::merkle::leaf_hash(l));
        }
        f.root()
    };
    let fields = ledger_fields(ledger.state, ledger.lines.len() as u64, &root);
    let field = |label: &str| {
        fields
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    bag_info.push_str(&format!(
        "External-Identifier: {}\nExternal-Description: {}\nBagging-Date: {}\nBag-Software-Agent: scelle {}\nPayload-Oxum: {}.{}\n",
        field("External-Identifier"),
        field("External-Description"),
        &crate::format::time::now_utc()[..10],
        crate::VERSION,
        bag.payload_bytes,
        bag.payload.len()
    ));
    for (label, value) in fields.iter().filter(|(l, _)| l.starts_with("Scelle-")) {
        bag_info.push_str(&format!("{label}: {value}\n"));
    }
    bag_info.push_str(&format!(
        "Scelle-Signer: {}\nScelle-Signer-Fingerprint: {}\n",
        one_line(signer_name),
        keys::fingerprint(&key.public())
    ));
    tags.insert(
        "bag-info.txt".to_string(),
        bag.add_bytes("bag-info.txt", bag_info.as_bytes())?,
    );
    let manifest = BagWriter::<File>::manifest_text(&bag.payload);
    tags.insert(
        "manifest-sha256.txt".to_string(),
        bag.add_bytes("manifest-sha256.txt", manifest.as_bytes())?,
    );
    tags.insert(
        "VERIFY.md".to_string(),
        bag.add_bytes("VERIFY.md", VERIFY_MD.as_bytes())?,
    );
    tags.insert(
        SIGNER_FILE.to_string(),
        bag.add_bytes(SIGNER_FILE, signer_pem(&key.public()).as_bytes())?,
    );
    let tagmanifest = BagWriter::<File>::manifest_text(&tags);
    bag.add_bytes("tagmanifest-sha256.txt", tagmanifest.as_bytes())?;
    let signature = key.signing.sign(tagmanifest.as_bytes());
    bag.add_bytes(SIGNATURE_FILE, &signature.to_bytes())?;
    let payload_files = bag.payload.len() as u64;
    let payload_bytes = bag.payload_bytes;
    let writer = bag.tar.into_inner().map_err(|e| Error::io(tmp, e))?;
    let file = writer
        .into_inner()
        .map_err(|e| Error::io(tmp, e.into_error()))?;
    file.sync_all().at(tmp)?;
    Ok((payload_files, payload_bytes))
}

/// The `report` bodies of `lines`.
fn report_bodies(
    lines: &[SharedLine],
) -> impl Iterator<Item = crate::format::body::ReportBody> + '_ {
    lines.iter().filter_map(|line| {
        let (e, body) = TypedLine::parse_shared_or_explain(line).ok()?;
        if e.kind != KIND_REPORT {
            return None;
        }
        match body {
            Ok(Body::Report(r)) => Some(r),
            _ => None,
        }
    })
}

/// Every document a `report` entry of `lines` records, evidence and filing variants: (file
/// name, SHA-256).
fn recorded_reports(lines: &[SharedLine]) -> std::collections::BTreeSet<(String, String)> {
    let mut out = std::collections::BTreeSet::new();
    for r in report_bodies(lines) {
        record_documents(r, &mut out);
    }
    out
}

/// Adds the documents a `report` entry records, evidence and filing variants, to `out`: (file
/// name, SHA-256).
fn record_documents(
    r: crate::format::body::ReportBody,
    out: &mut std::collections::BTreeSet<(String, String)>,
) {
    if let Some(f) = &r.filing {
        out.insert((f.file.clone(), f.sha256.clone()));
    }
    out.insert((r.file, r.sha256));
}

/// The file names of the filing variants recorded for the evidence variant named `file`.
fn recorded_filings(lines: &[SharedLine], file: &str) -> Vec<String> {
    report_bodies(lines)
        .filter(|r| r.file == file)
        .filter_map(|r| r.filing.map(|f| f.file))
        .collect()
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The name an artifact is carried under: the last component of its sealed path.
fn artifact_base(s: &Seal) -> String {
    Path::new(&s.artifact.path_resolved)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "artifact".to_string())
}

/// Streams a sealed artifact into the bag under `data/artifacts/EXHIBIT/`, checking that what
/// is shipped has the sealed SHA-256. Members of a directory are opened beneath it without
/// following any link (a member now a link to a secret is refused, not shipped); every file
/// must be a regular file, unchanged while it is read, and is read up to its size only.
/// `case_root` holds the seal's member file, if it has one.
fn add_artifact<W: Write>(
    bag: &mut BagWriter<W>,
    case_root: &Path,
    s: &Seal,
    progress: Progress,
) -> Result<()> {
    use crate::store::nofollow::{self, Kind, StableFile};
    let base = format!("data/artifacts/{}/{}", s.exhibit, artifact_base(s));
    let src = Path::new(&s.artifact.path_resolved);
    let changed = |what: &str| {
        Error::input(format!(
            "{}: {what} no longer matches its seal; the bundle was not written. Run `scelle verify --rehash`",
            s.exhibit
        ))
    };
    if s.artifact.kind == "directory" {
        let (root, _) = nofollow::open_path(src, Kind::Dir)?;
        let members = crate::store::member_file::members_of(case_root, &s.artifact)?;
        for m in members.into_iter().flatten() {
            let m = m?;
            let Some(want) = m.hashes.as_ref().map(|h| h.sha256.as_str()) else {
                continue;
            };
            let path = src.join(&m.path);
            let fd = nofollow::open_beneath(&root, &m.path, false)
                .map_err(|e| changed(&format!("member {:?} ({e})", m.path)))?;
            let file = StableFile::from_fd(fd, &path, None)?;
            let got =
                bag.add_payload_stable(&format!("{base}/{}", m.path), &file, &path, progress)?;
            if got != want {
                return Err(changed(&format!("member {:?}", m.path)));
            }
        }
    } else if s.artifact.kind == "ewf" {
        // Every segment file, beside the first, under its own name.
        let dir = src.parent().unwrap_or(Path::new("."));
        for m in s.artifact.members.iter().flatten() {
            let Some(want) = m.hashes.as_ref().map(|h| h.sha256.as_str()) else {
                continue;
            };
            if m.path.contains('/') {
                return Err(changed(&format!("segment {:?}", m.path)));
            }
            let path = dir.join(&m.path);
            let file = StableFile::open(&path)?;
            let name = format!("data/artifacts/{}/{}", s.exhibit, m.path);
            if bag.add_payload_stable(&name, &file, &path, progress)? != want {
                return Err(changed(&format!("segment {:?}", m.path)));
            }
        }
    } else {
        let file = StableFile::open(src)?;
        let got = bag.add_payload_stable(&base, &file, src, progress)?;
        if got != s.artifact.hashes.sha256 {
            return Err(changed(&src.display().to_string()));
        }
    }
    Ok(())
}

impl<W: Write> BagWriter<W> {
    /// Streams the regular file `file` (named `src` in messages) in as `name`, hashing it on the
    /// way, never reading past its size, refusing it if it changed while read; returns its
    /// SHA-256.
    fn add_payload_stable(
        &mut self,
        name: &str,
        file: &crate::store::nofollow::StableFile,
        src: &Path,
        progress: Progress,
    ) -> Result<String> {
        check_bag_name(name)?;
        let size = file.size();
        let mut h = Self::header(size);
        let mut reader = HashingReader {
            inner: file.reader().take(size),
            sha: Sha256::new(),
            count: 0,
            progress,
        };
        self.tar
            .append_data(&mut h, name, &mut reader)
            .map_err(|e| Error::io(src, e))?;
        file.finish(reader.count)?;
        let sha = hex(&reader.sha.finalize());
        self.payload_bytes += size;
        self.payload.insert(name.to_string(), sha.clone());
        Ok(sha)
    }
}

/// What `verify-bundle` found: the bag's findings first, then the case's.
#[derive(Debug, Clone)]
pub struct BundleReport {
    /// Problems with the bag itself (manifests, Payload-Oxum, artifacts against their seals).
    pub bag: Vec<Finding>,
    /// The verification of `data/case`, when the bag holds one.
    pub case: Option<crate::case::verify::Report>,
    /// Payload files checked.
    pub payload_files: u64,
    /// Who the bundle says it is, from its ledger's entry 0 and the bag's signer: to be
    /// compared out of band ([`OUT_OF_BAND`]). `None` when the bag holds no case.
    pub identity: Option<BundleIdentity>,
    /// Leaf hashes computed over the ledger to check the proofs and `Scelle-Ledger-Root`: the
    /// ledger's size, however many proofs the bag carries (a measure of the work).
    pub leaf_hashes: u64,
}

/// A bundle's identity, as its signed ledger gives it (never case.json).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BundleIdentity {
    /// The case id (entry 0).
    pub case_id: String,
    /// The checkpoint origin (entry 0).
    pub origin: String,
    /// The name of the key that opened the case (entry 0's administrator).
    pub admin: String,
    /// Its fingerprint (hex SHA-256 of the raw public key).
    pub admin_fingerprint: String,
    /// The name of the key that signed the bag, when it is a key of the ledger.
    pub signer: Option<String>,
    /// The fingerprint of `bag-signer.pub`, when it holds an Ed25519 key.
    pub signer_fingerprint: Option<String>,
    /// The entries of the bundled ledger.
    pub ledger_size: u64,
    /// What to do with these fingerprints ([`OUT_OF_BAND`]).
    pub message: String,
}

impl BundleReport {
    /// No error in the bag nor in the case.
    pub fn ok(&self) -> bool {
        self.bag.iter().all(|f| f.severity != Severity::Error)
            && self.case.as_ref().is_some_and(|r| r.ok())
    }
}

fn bag_warning(code: &str, file: &str, message: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Warning,
        ..bag_error(code, file, message)
    }
}

fn bag_error(code: &str, file: &str, message: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Error,
        code: code.into(),
        entry: None,
        exhibit: None,
        file: Some(file.into()),
        member: None,
        message: message.into(),
    }
}

/// Parses a `manifest-sha256.txt` style file: `HEX  NAME` lines.
fn parse_manifest(text: &str, file: &str, out: &mut Vec<Finding>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        match line.split_once("  ") {
            Some((_, name))
                if name.starts_with('/') || name.split('/').any(|c| c == ".." || c.is_empty()) =>
            {
                out.push(bag_error(
                    "bag-format",
                    file,
                    format!(
                        "line {}: {name:?} is not a plain path inside the bag",
                        i + 1
                    ),
                ));
            }
            Some((sha, name)) if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
                if map
                    .insert(name.to_string(), sha.to_ascii_lowercase())
                    .is_some()
                {
                    out.push(bag_error(
                        "bag-format",
                        file,
                        format!("line {}: {name:?} is listed twice", i + 1),
                    ));
                }
            }
            _ => out.push(bag_error(
                "bag-format",
                file,
                format!("line {}: not \"SHA256  PATH\"", i + 1),
            )),
        }
    }
    map
}

/// Every regular file under `dir`, as `/`-separated paths relative to `root`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut empty = true;
    for e in fs::read_dir(dir).at(dir)? {
        empty = false;
        let e = e.at(dir)?;
        let ft = e.file_type().at(e.path())?;
        if ft.is_dir() {
            walk(root, &e.path(), out)?;
        } else {
            let rel = e.path();
            let rel = rel.strip_prefix(root).expect("under root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    // An empty directory comes only from a directory member (export writes none, and no
    // manifest lists one): it is reported as an unlisted path, "DIR/" (FORMAT.md 14).
    if empty && dir != root.join("data") {
        let rel = dir.strip_prefix(root).expect("under root");
        out.push(format!("{}/", rel.to_string_lossy().replace('\\', "/")));
    }
    Ok(())
}

/// Checks the bag in `bag_dir` (RFC 8493 section 3) and, if it holds a case, verifies it.
pub fn check_bag(bag_dir: &Path) -> Result<BundleReport> {
    let mut found = Vec::new();
    let read = |name: &str, found: &mut Vec<Finding>| -> Option<String> {
        match fs::read(bag_dir.join(name)) {
            Ok(b) => match String::from_utf8(b) {
                Ok(s) => Some(s),
                Err(_) => {
                    found.push(bag_error("bag-format", name, "not UTF-8 text"));
                    None
                }
            },
            Err(_) => {
                found.push(bag_error(
                    "bag-missing",
                    name,
                    "missing: this is not a complete BagIt bag",
                ));
                None
            }
        }
    };
    if let Some(b) = read("bagit.txt", &mut found) {
        if b.replace("\r\n", "\n") != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
            found.push(bag_error(
                "bag-format",
                "bagit.txt",
                "is not `BagIt-Version: 1.0` and `Tag-File-Character-Encoding: UTF-8`",
            ));
        }
    }
    let manifest = read("manifest-sha256.txt", &mut found)
        .map(|t| parse_manifest(&t, "manifest-sha256.txt", &mut found))
        .unwrap_or_default();
    let tags = read("tagmanifest-sha256.txt", &mut found)
        .map(|t| parse_manifest(&t, "tagmanifest-sha256.txt", &mut found))
        .unwrap_or_default();
    let mut present = Vec::new();
    if bag_dir.join("data").is_dir() {
        walk(bag_dir, &bag_dir.join("data"), &mut present)?;
    }
    present.sort();
    let mut bytes = 0u64;
    let mut actual = BTreeMap::new();
    for name in &present {
        if name.ends_with('/') {
            // An empty directory (walk): no manifest lists one.
            found.push(bag_error(
                "bag-extra",
                name,
                "an empty directory (a directory member) that no manifest lists",
            ));
            continue;
        }
        let (sha, size) = sha256_file(&bag_dir.join(name))?;
        bytes += size;
        actual.insert(name.clone(), sha.clone());
        match manifest.get(name) {
            None => found.push(bag_error(
                "bag-extra",
                name,
                "a payload file that manifest-sha256.txt does not list",
            )),
            Some(want) if *want != sha => found.push(bag_error(
                "bag-manifest",
                name,
                format!("SHA-256 is {sha}, the manifest says {want}: the file was altered"),
            )),
            Some(_) => {}
        }
    }
    for name in manifest.keys() {
        if present.binary_search(name).is_err() {
            found.push(bag_error(
                "bag-missing",
                name,
                "listed in manifest-sha256.txt but absent from the bag",
            ));
        }
    }
    for required in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "VERIFY.md",
        SIGNER_FILE,
    ] {
        if !tags.is_empty() && !tags.contains_key(required) {
            found.push(bag_error(
                "bag-tagmanifest",
                "tagmanifest-sha256.txt",
                format!("does not list {required}"),
            ));
        }
    }
    // Every file outside data/ is a tag file the tag manifest must list.
    let mut tag_files = Vec::new();
    for e in fs::read_dir(bag_dir).at(bag_dir)? {
        let e = e.at(bag_dir)?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "data" || name == "tagmanifest-sha256.txt" || name == SIGNATURE_FILE {
            continue;
        }
        if e.file_type().at(e.path())?.is_dir() {
            walk(bag_dir, &e.path(), &mut tag_files)?;
        } else {
            tag_files.push(name);
        }
    }
    tag_files.sort();
    for name in tag_files.iter().filter(|n| !tags.contains_key(*n)) {
        found.push(bag_error(
            "bag-extra",
            name,
            "a tag file that tagmanifest-sha256.txt does not list",
        ));
    }
    for (name, want) in &tags {
        match sha256_file(&bag_dir.join(name)) {
            Ok((sha, _)) if sha == *want => {}
            Ok((sha, _)) => found.push(bag_error(
                "bag-tagmanifest",
                name,
                format!("SHA-256 is {sha}, tagmanifest-sha256.txt says {want}: the tag file was altered"),
            )),
            Err(_) => found.push(bag_error(
                "bag-missing",
                name,
                "listed in tagmanifest-sha256.txt but absent",
            )),
        }
    }
    let info = read("bag-info.txt", &mut found);
    if let Some(info) = &info {
        let oxum = info
            .lines()
            .find_map(|l| l.strip_prefix("Payload-Oxum: "))
            .map(str::trim);
        let actual = format!("{bytes}.{}", present.len());
        if oxum != Some(actual.as_str()) {
            found.push(bag_error(
                "bag-oxum",
                "bag-info.txt",
                format!(
                    "Payload-Oxum is {}, the payload is {actual} (bytes.files)",
                    oxum.unwrap_or("missing")
                ),
            ));
        }
    }
    let case_dir = bag_dir.join("data/case");
    let mut identity = None;
    let mut leaf_hashes = 0;
    let case = match CaseDir::open(&case_dir) {
        Ok(c) => {
            let report = crate::case::verify::verify(&c, Default::default(), &|_| {})?;
            let ledger = CarriedLedger::read(&c, bag_dir)?;
            let state = &ledger.state;
            // Two passes over the proofs (each read as a stream, its line hashed, not held):
            // the tree sizes they name, so that the ledger is hashed once for all of them;
            // then each proof.
            let proofs = proof_files(&present);
            let mut sizes = vec![ledger.entries];
            for (name, _) in &proofs {
                sizes.extend(crate::case::proof::proof_tree_size(open_proof(
                    bag_dir, name,
                )?));
            }
            let ctx =
                crate::case::proof::ProofContext::new(ledger.leaves, ledger.seals_at, state, sizes);
            let tagmanifest = fs::read(bag_dir.join("tagmanifest-sha256.txt")).ok();
            let signer = check_signature(bag_dir, tagmanifest.as_deref(), state, &mut found);
            check_bag_info(
                info.as_deref(),
                &ledger_fields(state, ledger.entries, &ctx.ledger_root()),
                signer.as_ref(),
                &mut found,
            );
            check_reports(&ledger.reports, &actual, &mut found);
            check_artifacts(&case_dir, &ledger.carried, &manifest, &present, &mut found)?;
            for (name, exhibit) in &proofs {
                let proof = open_proof(bag_dir, name)?;
                for problem in crate::case::proof::check_inclusion(&ctx, proof, exhibit) {
                    let mut f = bag_error("bundle-proof", name, problem);
                    f.exhibit = Some(exhibit.clone());
                    found.push(f);
                }
            }
            leaf_hashes = ctx.leaf_hashes();
            identity = Some(identify(state, ledger.entries, signer.as_ref()));
            Some(report)
        }
        Err(e) => {
            found.push(bag_error("bag-missing", "data/case", e.to_string()));
            None
        }
    };
    if present.iter().any(|n| n == "data/case/ledger.index") {
        found.push(bag_error(
            "bundle-index",
            "data/case/ledger.index",
            "a ledger index is a writer's cache that is never trusted nor carried (FORMAT.md 10); a bundle that carries one is refused",
        ));
    }
    check_kit(&actual, &present, bag_dir, &mut found)?;
    Ok(BundleReport {
        bag: found,
        case,
        payload_files: present.len() as u64,
        identity,
        leaf_hashes,
    })
}

/// A proof file of the bag, opened for reading as a stream.
fn open_proof(bag_dir: &Path, name: &str) -> Result<io::BufReader<File>> {
    let path = bag_dir.join(name);
    Ok(io::BufReader::with_capacity(
        1 << 16,
        fsutil::open_nofollow(&path, false)?,
    ))
}

/// What checking a bundle needs of the ledger it carries, read once, one line at a time
/// (never the whole ledger in memory): the chain state, each line's leaf hash, the entry of
/// each seal, the documents the `report` entries record, and the seals whose artifacts the
/// bag carries (their members left in their lines).
struct CarriedLedger {
    state: ChainState,
    entries: u64,
    leaves: Vec<crate::format::merkle::Hash>,
    seals_at: std::collections::HashMap<String, u64>,
    reports: std::collections::BTreeSet<(String, String)>,
    carried: Vec<Seal>,
}

impl CarriedLedger {
    fn read(case: &CaseDir, bag_dir: &Path) -> Result<CarriedLedger> {
        let mut out = CarriedLedger {
            state: ChainState::new(),
            entries: 0,
            leaves: Vec::new(),
            seals_at: std::collections::HashMap::new(),
            reports: std::collections::BTreeSet::new(),
            carried: Vec::new(),
        };
        for line in crate::store::ledger::complete_lines(case)? {
            let line = line?;
            out.leaves.push(crate::format::merkle::leaf_hash(&line));
            let seq = out.entries;
            out.entries += 1;
            let applied = out.state.apply_shared(&line, None);
            match applied.body {
                Some(Body::Seal(s)) => {
                    out.seals_at.entry(s.exhibit.clone()).or_insert(seq);
                    if bag_dir
                        .join(format!("data/artifacts/{}", s.exhibit))
                        .exists()
                    {
                        out.carried.push(*s);
                    }
                }
                Some(Body::Report(r)) => record_documents(r, &mut out.reports),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The key that signed the bag, as `bag-signer.pub` gives it, and its enrolment in the
/// bundled ledger.
struct BagSigner {
    public: VerifyingKey,
    /// Its record in the ledger (enrolled, revoked or not), if any.
    name: Option<String>,
}

/// The bag's signature: `tagmanifest-sha256.txt.sig` is a strict Ed25519 signature of the
/// exact bytes of `tagmanifest-sha256.txt` by the key in `bag-signer.pub`, and that key is
/// enrolled and unrevoked at the end of the bundled ledger (`bag-signature`).
fn check_signature(
    bag_dir: &Path,
    tagmanifest: Option<&[u8]>,
    state: &ChainState,
    found: &mut Vec<Finding>,
) -> Option<BagSigner> {
    let public = match fs::read(bag_dir.join(SIGNER_FILE)) {
        Err(_) => {
            found.push(bag_error(
                "bag-signature",
                SIGNER_FILE,
                "missing: the bag is not signed, so nothing it carries is authenticated",
            ));
            return None;
        }
        Ok(b) => match std::str::from_utf8(&b)
            .ok()
            .and_then(|t| keys::parse_public_pem(t).ok())
        {
            Some(pk) => pk,
            None => {
                found.push(bag_error(
                    "bag-signature",
                    SIGNER_FILE,
                    "not an Ed25519 public key (SPKI PEM): the bag's signature cannot be checked",
                ));
                return None;
            }
        },
    };
    let fingerprint = keys::fingerprint(&public);
    match fs::read(bag_dir.join(SIGNATURE_FILE)) {
        Err(_) => found.push(bag_error(
            "bag-signature",
            SIGNATURE_FILE,
            "missing: the bag is not signed, so nothing it carries is authenticated",
        )),
        Ok(sig) => {
            let valid = <[u8; 64]>::try_from(sig.as_slice())
                .ok()
                .map(|s| ed25519_dalek::Signature::from_bytes(&s))
                .zip(tagmanifest)
                .is_some_and(|(s, msg)| public.verify_strict(msg, &s).is_ok());
            if !valid {
                found.push(bag_error(
                    "bag-signature",
                    SIGNATURE_FILE,
                    format!("is not a valid Ed25519 signature of tagmanifest-sha256.txt by the key in {SIGNER_FILE} (fingerprint {fingerprint}): the bag was altered after it was signed"),
                ));
            }
        }
    }
    let records: Vec<_> = state
        .keys
        .iter()
        .filter(|k| record_public_key(&k.record).is_some_and(|pk| pk == public))
        .collect();
    let name = records.first().map(|k| k.record.name.clone());
    match records.iter().find(|k| k.revoked_at.is_none()) {
        Some(_) => {}
        None if records.is_empty() => found.push(bag_error(
            "bag-signature",
            SIGNER_FILE,
            format!("the bag is signed by key {fingerprint}, which the bundled ledger does not enrol: anyone can sign a bag, only a key of the case counts"),
        )),
        None => found.push(bag_error(
            "bag-signature",
            SIGNER_FILE,
            format!(
                "the bag is signed by key {fingerprint}, revoked or rotated out at entry {} of the bundled ledger",
                records[0].revoked_at.unwrap_or_default()
            ),
        )),
    }
    Some(BagSigner { public, name })
}

/// bag-info.txt's fields against the bundled ledger: each field of [`ledger_fields`], and
/// `Scelle-Signer` / `Scelle-Signer-Fingerprint` against the bag's signer, must appear exactly
/// once with exactly that value (`bag-info`).
fn check_bag_info(
    info: Option<&str>,
    expected: &[(&'static str, String)],
    signer: Option<&BagSigner>,
    found: &mut Vec<Finding>,
) {
    let Some(info) = info else { return };
    let mut want: Vec<(&str, Option<String>)> = expected
        .iter()
        .map(|(l, v)| (*l, Some(v.clone())))
        .collect();
    want.push((
        "Scelle-Signer",
        signer.and_then(|s| s.name.as_deref().map(one_line)),
    ));
    want.push((
        "Scelle-Signer-Fingerprint",
        signer.map(|s| keys::fingerprint(&s.public)),
    ));
    for (label, value) in want {
        let said: Vec<&str> = info
            .split('\n')
            .filter_map(|l| l.strip_prefix(label)?.strip_prefix(": "))
            .collect();
        let problem = match (said.as_slice(), &value) {
            ([], _) => Some(format!("{label} is missing")),
            ([_, _, ..], _) => Some(format!("{label} is given {} times", said.len())),
            ([v], Some(want)) if v != want => Some(format!(
                "{label} is {v:?}, the bundled ledger says {want:?}"
            )),
            _ => None,
        };
        if let Some(p) = problem {
            found.push(bag_error("bag-info", "bag-info.txt", p));
        }
    }
}

/// Each carried `data/reports/FILE` must be a document a `report` entry of the bundled ledger
/// records, by file name and SHA-256 (`bundle-report`).
fn check_reports(
    recorded: &std::collections::BTreeSet<(String, String)>,
    actual: &BTreeMap<String, String>,
    found: &mut Vec<Finding>,
) {
    for (name, sha) in actual
        .iter()
        .filter(|(n, _)| n.starts_with("data/reports/"))
    {
        let file = &name["data/reports/".len()..];
        if !recorded.contains(&(file.to_string(), sha.clone())) {
            found.push(bag_error(
                "bundle-report",
                name,
                format!("no `report` entry of the bundled ledger records this document (file name and SHA-256 {sha})"),
            ));
        }
    }
}

/// The carried kit (and VERIFY.md) against the one this scelle ships: a warning naming each
/// file that differs, is missing or is extra (`bundle-kit`).
fn check_kit(
    actual: &BTreeMap<String, String>,
    present: &[String],
    bag_dir: &Path,
    found: &mut Vec<Finding>,
) -> Result<()> {
    let kit = shipped_kit();
    for (name, text) in kit {
        let carried = if name.starts_with("data/") {
            actual.get(name).cloned()
        } else if bag_dir.join(name).is_file() {
            Some(sha256_file(&bag_dir.join(name))?.0)
        } else {
            None
        };
        let ours = hex(&Sha256::digest(text.as_bytes()));
        match carried {
            Some(sha) if sha == ours => {}
            Some(sha) => found.push(bag_warning(
                "bundle-kit",
                name,
                format!("differs from the one this scelle ships (SHA-256 {sha}, ours {ours}): read it, or use scelle's own copy, before running or following it"),
            )),
            None => found.push(bag_warning(
                "bundle-kit",
                name,
                "absent: this scelle ships one",
            )),
        }
    }
    for name in present
        .iter()
        .filter(|n| n.starts_with("data/kit/") && !kit.iter().any(|(k, _)| k == n))
    {
        found.push(bag_warning(
            "bundle-kit",
            name,
            "not part of the kit this scelle ships",
        ));
    }
    Ok(())
}

/// The bundle's identity from its ledger and signer.
fn identify(state: &ChainState, size: u64, signer: Option<&BagSigner>) -> BundleIdentity {
    let admin = first_admin(state);
    BundleIdentity {
        case_id: state
            .case
            .as_ref()
            .map(|c| c.case_id.clone())
            .unwrap_or_default(),
        origin: state
            .case
            .as_ref()
            .map(|c| c.origin.clone())
            .unwrap_or_default(),
        admin: admin.map(|k| k.record.name.clone()).unwrap_or_default(),
        admin_fingerprint: admin
            .and_then(|k| record_public_key(&k.record))
            .map(|pk| keys::fingerprint(&pk))
            .unwrap_or_default(),
        signer: signer.and_then(|s| s.name.clone()),
        signer_fingerprint: signer.map(|s| keys::fingerprint(&s.public)),
        ledger_size: size,
        message: OUT_OF_BAND.to_string(),
    }
}

/// The carried proofs: (bag path, exhibit) of each `data/proofs/EXHIBIT.json`.
fn proof_files(present: &[String]) -> Vec<(String, String)> {
    present
        .iter()
        .filter(|n| n.starts_with("data/proofs/"))
        .map(|name| {
            let exhibit = name
                .strip_prefix("data/proofs/")
                .and_then(|n| n.strip_suffix(".json"))
                .unwrap_or("")
                .to_string();
            (name.clone(), exhibit)
        })
        .collect()
}

/// Carried artifacts against their seals (`seals`: those whose folder `data/artifacts/EXHIBIT/`
/// the bag holds, [`CarriedLedger`]): the files there must be exactly those of the seal, each
/// with the sealed SHA-256 (for a folder, each member's).
fn check_artifacts(
    case_dir: &Path,
    seals: &[Seal],
    manifest: &BTreeMap<String, String>,
    present: &[String],
    found: &mut Vec<Finding>,
) -> Result<()> {
    let mut expected_all = std::collections::BTreeSet::new();
    for s in seals {
        let dir = format!("data/artifacts/{}", s.exhibit);
        let base = format!("{dir}/{}", artifact_base(s));
        let mut expect: Vec<(String, String)> = Vec::new();
        if s.artifact.kind == "directory" {
            // A member file that cannot be read to its end: one finding, its members unsaid.
            let read =
                crate::store::member_file::members_of(case_dir, &s.artifact).and_then(|members| {
                    for m in members.into_iter().flatten() {
                        let m = m?;
                        if let Some(h) = &m.hashes {
                            expect.push((format!("{base}/{}", m.path), h.sha256.clone()));
                        }
                    }
                    Ok(())
                });
            if let Err(e) = read {
                found.push(Finding {
                    exhibit: Some(s.exhibit.clone()),
                    ..bag_error("bundle-artifact", &dir, e.to_string())
                });
                continue;
            }
        } else if s.artifact.kind == "ewf" {
            for m in s.artifact.members.iter().flatten() {
                if let Some(h) = &m.hashes {
                    expect.push((format!("{dir}/{}", m.path), h.sha256.clone()));
                }
            }
        } else {
            expect.push((base, s.artifact.hashes.sha256.clone()));
        }
        for (name, want) in expect {
            expected_all.insert(name.clone());
            let mut f = match manifest.get(&name) {
                None => bag_error(
                    "bundle-artifact",
                    &name,
                    "the sealed file is not in the bundle",
                ),
                Some(sha) if *sha != want => bag_error(
                    "bundle-artifact",
                    &name,
                    format!("SHA-256 {sha} is not the sealed {want}"),
                ),
                Some(_) => continue,
            };
            f.exhibit = Some(s.exhibit.clone());
            found.push(f);
        }
    }
    for name in present
        .iter()
        .filter(|n| n.starts_with("data/artifacts/") && !expected_all.contains(*n))
    {
        found.push(bag_error(
            "bundle-artifact",
            name,
            "a carried file that is not part of the exhibit's seal",
        ));
    }
    Ok(())
}

/// A fresh private directory for a bundle's extraction, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn extract_error(bundle: &Path, e: safeextract::ExtractError) -> Error {
    Error::input(format!("{}: {e}", bundle.display()))
}

fn open_bundle(bundle: &Path) -> Result<File> {
    File::open(bundle).at(bundle)
}

/// A bundle extracted safely into a private temporary directory (removed when this is
/// dropped), with what checking it found.
pub struct ExtractedBundle {
    guard: TempDir,
    /// The bag's and the case's findings.
    pub report: BundleReport,
}

impl ExtractedBundle {
    /// The case inside: `BAG/data/case`.
    pub fn case_dir(&self) -> PathBuf {
        self.guard.0.join("bag/data/case")
    }
}

/// Extracts `bundle` safely into a private temporary directory and checks it
/// ([`check_bag`]); the directory lives as long as the result.
pub fn extract_and_check(bundle: &Path, limits: &Limits) -> Result<ExtractedBundle> {
    extract_and_check_with(bundle, limits, &no_progress)
}

/// [`extract_and_check`], telling `progress` the bytes of the bundle as it is read (once, to
/// extract it): they add up to [`bundle_bytes`]. The checks afterwards read the extracted
/// files, not counted.
pub fn extract_and_check_with(
    bundle: &Path,
    limits: &Limits,
    progress: Progress,
) -> Result<ExtractedBundle> {
    let file = CountingReader {
        inner: open_bundle(bundle)?,
        progress,
    };
    let base = std::env::temp_dir().join(format!(
        "scelle-bundle-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    fs::create_dir(&base).at(&base)?;
    let guard = TempDir(base);
    let target = guard.0.join("bag");
    // A scratch extraction, removed afterwards: no fsync (the checks are the same).
    safeextract::extract_scratch(file, &target, limits).map_err(|e| extract_error(bundle, e))?;
    let report = check_bag(&target)?;
    Ok(ExtractedBundle { guard, report })
}

/// `scelle verify-bundle BUNDLE.tar`: extracts the tar safely into a private temporary
/// directory, checks the bag and verifies the case in it, then removes the directory.
pub fn verify_bundle(bundle: &Path, limits: &Limits) -> Result<BundleReport> {
    verify_bundle_with(bundle, limits, &no_progress)
}

/// The bytes [`verify_bundle_with`] and [`import_with`] read from `bundle` as they extract it
/// (its size): the total of their progress. For display only.
pub fn bundle_bytes(bundle: &Path) -> Result<u64> {
    Ok(fs::metadata(bundle).at(bundle)?.len())
}

/// [`verify_bundle`] with the progress of [`extract_and_check_with`].
pub fn verify_bundle_with(
    bundle: &Path,
    limits: &Limits,
    progress: Progress,
) -> Result<BundleReport> {
    Ok(extract_and_check_with(bundle, limits, progress)?.report)
}

/// `scelle import BUNDLE.tar --into DIR`: extracts the bundle into the new directory `DIR`
/// (all or nothing), checks the bag and verifies its case; if anything fails, `DIR` is
/// removed again and the findings are the error.
pub fn import(bundle: &Path, into: &Path, limits: &Limits) -> Result<BundleReport> {
    import_with(bundle, into, limits, &no_progress)
}

/// [`import`], telling `progress` the bytes of the bundle as it is read (once, to extract it):
/// they add up to [`bundle_bytes`]. The checks afterwards are not counted.
pub fn import_with(
    bundle: &Path,
    into: &Path,
    limits: &Limits,
    progress: Progress,
) -> Result<BundleReport> {
    let file = CountingReader {
        inner: open_bundle(bundle)?,
        progress,
    };
    // The folder the import makes (never one that was there: extraction refuses it) is removed
    // if the import is interrupted before it is checked.
    let _incomplete = (fs::symlink_metadata(into).is_err())
        .then(|| crate::store::interrupt::remove_on_interrupt(into));
    safeextract::extract(file, into, limits).map_err(|e| extract_error(bundle, e))?;
    let report = match check_bag(into) {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(into);
            return Err(e);
        }
    };
    if !report.ok() {
        let _ = fs::remove_dir_all(into);
        let first = report
            .bag
            .iter()
            .chain(report.case.iter().flat_map(|c| c.findings.iter()))
            .find(|f| f.severity == Severity::Error)
            .map(Finding::describe)
            .unwrap_or_else(|| "the bundle holds no case".into());
        return Err(Error::input(format!(
            "{}: the bundle does not verify ({first}); nothing was imported. `scelle verify-bundle {}` lists every problem",
            bundle.display(),
            bundle.display()
        )));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ledger streamed into a bundle is its lines, each with its newline, byte for byte,
    /// whatever sizes the tar writer reads in.
    #[test]
    fn joined_lines_read_as_the_lines_with_their_newlines() {
        let lines: Vec<SharedLine> = [b"alpha".to_vec(), Vec::new(), b"{\"seq\":2}".to_vec()]
            .into_iter()
            .map(SharedLine::new)
            .collect();
        for cap in [1usize, 2, 3, 7, 4096] {
            let mut r = JoinedLines {
                lines: &lines,
                line: 0,
                at: 0,
            };
            let mut out = Vec::new();
            let mut buf = vec![0u8; cap];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, b"alpha\n\n{\"seq\":2}\n", "reads of {cap}");
        }
        let mut none = JoinedLines {
            lines: &[],
            line: 0,
            at: 0,
        };
        assert_eq!(none.read(&mut [0u8; 8]).unwrap(), 0);
    }
}
