//! The `scelle` command line. It parses arguments, calls the library, prints; it holds no
//! logic of its own.
//!
//! Exit codes (also in the README):
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success; for `verify`, no error found (warnings may be printed) |
//! | 1    | verification found a problem (`verify`, or `consistency` showing a rewrite) |
//! | 2    | bad usage or bad input: wrong argument, missing path, wrong passphrase, not a key, not a case, corrupt ledger line; nothing was changed on disk |
//! | 3    | an I/O or internal error (disk full, permission lost mid-way, ...) |
//! | 141  | standard output or error was closed by its reader (a pipe); stopped quietly |

/// One line of human output to standard output: every control and bidirectional character
/// of what is formatted, newlines included, is shown escaped ([`term`]).
macro_rules! println {
    () => { $crate::term::out_line("") };
    ($($arg:tt)*) => { $crate::term::out_line(&format!($($arg)*)) };
}
/// Human output to standard output, newlines kept, other control characters escaped
/// ([`term`]).
macro_rules! print {
    ($($arg:tt)*) => { $crate::term::out(&format!($($arg)*)) };
}
/// One line of human output to standard error, escaped as `println!` ([`term`]).
macro_rules! eprintln {
    ($($arg:tt)*) => { $crate::term::err_line(&format!($($arg)*)) };
}

mod cli;
mod demo;
mod term;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, IocCommand, KeyCommand};
use scelle::ops;
use scelle::store::case::CaseDir;
use scelle::store::hashing::HashSelection;
use scelle::store::keyfile::{self, LoadedKey};
use scelle::{Error, ErrorClass};
use secrecy::SecretString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code: success.
const EXIT_OK: u8 = 0;
/// Exit code: verification found a problem.
const EXIT_VERIFY_FAILED: u8 = 1;
/// Exit code: bad usage or bad input, nothing changed.
const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: I/O or internal error.
const EXIT_IO: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("scelle: error: {e:#}");
            let class = e.downcast_ref::<Error>().map(Error::class);
            ExitCode::from(match class {
                Some(ErrorClass::BadInput) => EXIT_BAD_INPUT,
                _ => EXIT_IO,
            })
        }
    }
}

/// The case directory: -C, then SCELLE_CASE (clap reads it), then the current directory.
fn case_dir(cli: &Cli) -> anyhow::Result<CaseDir> {
    let root = cli.case.clone().unwrap_or_else(|| PathBuf::from("."));
    Ok(CaseDir::open(&root)?)
}

/// The passphrase: --passphrase-file, else SCELLE_PASSPHRASE, else a prompt on a terminal.
fn passphrase(file: Option<&Path>, confirm: bool) -> scelle::Result<SecretString> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Ok(SecretString::from(line.to_string()));
    }
    if let Ok(p) = std::env::var("SCELLE_PASSPHRASE") {
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::input(
            "a passphrase is needed: set SCELLE_PASSPHRASE, give --passphrase-file FILE, or run on a terminal",
        ));
    }
    let p = rpassword::prompt_password("Passphrase: ").map_err(|e| Error::io("/dev/tty", e))?;
    if confirm {
        let again = rpassword::prompt_password("Passphrase (again): ")
            .map_err(|e| Error::io("/dev/tty", e))?;
        if again != p {
            return Err(Error::input(
                "the two passphrases differ; nothing was written",
            ));
        }
    }
    Ok(SecretString::from(p))
}

fn load_key(path: &Path, pass_file: Option<&Path>) -> anyhow::Result<LoadedKey> {
    let pass = passphrase(pass_file, false)?;
    Ok(keyfile::load_signing_key(path, &pass)?)
}

/// A progress bar on stderr when it is a terminal and output is not JSON.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A spinner with bytes and rate, for work of unknown size (directories, re-hashing).
    fn new(enabled: bool, message: &str) -> Self {
        Self::with_total(enabled, message, None)
    }

    /// A bar with percentage and time left when `total` bytes are known, else a spinner.
    fn with_total(enabled: bool, message: &str, total: Option<u64>) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let (b, template) = match total {
                Some(n) => (
                    indicatif::ProgressBar::new(n),
                    "{msg} [{bar:40}] {percent:>3}% {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                ),
                None => (indicatif::ProgressBar::new_spinner(), "{spinner} {msg} {bytes} ({bytes_per_sec})"),
            };
            b.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            b.set_message(message.to_string());
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            b
        });
        Progress { bar }
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn print_appended(out: &ops::custody::Appended, what: &str) {
    let seqs: Vec<String> = out.entries.iter().map(|e| e.seq.to_string()).collect();
    println!("{what} (entry {})", seqs.join(", "));
    if let Some(cp) = &out.checkpoint {
        println!("checkpoint: {}", cp.display());
    }
}

fn print_json<T: serde::Serialize>(v: &T) {
    term::json_line(&serde_json::to_string(v).expect("serialises"));
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let pass_file = cli.passphrase_file.clone();
    match &cli.command {
        Command::Init(a) => {
            let key = load_key(&a.key, pass_file.as_deref())?;
            let params = ops::init::CaseParams {
                case_id: a.case_id.clone(),
                title: a.title.clone(),
                court: a.court.clone(),
                jurisdiction: a.jurisdiction.clone(),
                lang: a.lang.clone(),
            };
            let out = ops::init::init(&a.case_dir, &params, &key)?;
            println!(
                "created case {} in {}",
                a.case_id,
                out.case.root().display()
            );
            println!("origin: {}", out.origin);
            println!("checkpoint: {}", out.checkpoint.display());
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::New(a)) => {
            let pass = passphrase(pass_file.as_deref(), true)?;
            let k = ops::keys::key_new(&a.out, &a.name, a.role.as_deref(), &pass)?;
            println!(
                "private key: {} (encrypted, mode 0600)",
                k.private_path.display()
            );
            println!("public key:  {}", k.public_path.display());
            println!("key id:      {}", k.info.key_id);
            println!("fingerprint: {}", k.info.fingerprint);
            println!("verifier:    {}", k.info.verifier_key);
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::Show(a)) => {
            let info = ops::keys::key_show(&a.keyfile, || passphrase(pass_file.as_deref(), false))?;
            if a.json {
                print_json(&info);
            } else {
                println!("name:        {}", info.name);
                if let Some(r) = &info.role {
                    println!("role:        {r}");
                }
                println!("key id:      {}", info.key_id);
                println!("fingerprint: {}", info.fingerprint);
                println!("verifier:    {}", info.verifier_key);
                print!("{}", info.public_pem);
            }
            Ok(EXIT_OK)
        }
        Command::Seal(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let opts = a.options();
            // A bar when every path is a regular file (or tar) of known size.
            let total = a
                .paths
                .iter()
                .map(|p| {
                    std::fs::metadata(p)
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len())
                })
                .sum::<Option<u64>>();
            let progress = Progress::with_total(!a.json, "hashing", total);
            let out = ops::seal::seal(&case, &a.paths, &key, &opts, &|n| progress.advance(n))?;
            drop(progress);
            for s in &out.sealed {
                if a.json {
                    print_json(&serde_json::json!({
                        "exhibit": s.exhibit, "entry": s.seq, "kind": s.artifact.kind,
                        "path": s.artifact.path_given, "size": s.artifact.size, "hashes": s.artifact.hashes,
                        "file_count": s.artifact.file_count,
                    }));
                } else {
                    println!(
                        "sealed {} (entry {}): {} {} — {} bytes",
                        s.exhibit, s.seq, s.artifact.kind, s.artifact.path_given, s.artifact.size
                    );
                    println!("  sha256 {}", s.artifact.hashes.sha256);
                    if let Some(h) = &s.artifact.hashes.sha512 {
                        println!("  sha512 {h}");
                    }
                    if let Some(h) = &s.artifact.hashes.legacy_md5 {
                        println!("  md5 (legacy) {h}");
                    }
                    if let Some(h) = &s.artifact.hashes.legacy_sha1 {
                        println!("  sha1 (legacy) {h}");
                    }
                    if let Some(n) = s.artifact.file_count {
                        println!(
                            "  {n} files, manifest sha256 {}",
                            s.artifact.manifest_sha256.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            if let (false, Some(cp)) = (a.json, &out.checkpoint) {
                println!("checkpoint: {}", cp.display());
            }
            Ok(EXIT_OK)
        }
        Command::Log(a) => {
            let case = case_dir(&cli)?;
            for item in ops::log::log(&case)? {
                if a.json {
                    term::json_line(&item.line);
                } else {
                    println!(
                        "{:>5}  {}  {:<10} {:<12} {}",
                        item.seq,
                        item.time,
                        item.kind,
                        item.signer.as_deref().unwrap_or(&item.key),
                        item.summary
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Verify(a) if a.report.is_some() => {
            let case = case_dir(&cli)?;
            let pdf = a.report.as_deref().expect("guarded");
            let (sha, found) = ops::report::check_report(&case, pdf)?;
            if a.json {
                print_json(&serde_json::json!({
                    "type": "report", "file": pdf.display().to_string(), "sha256": sha,
                    "recorded": found.iter().map(|(seq, time, r)| serde_json::json!({"entry": seq, "time": time, "body": r})).collect::<Vec<_>>(),
                }));
            } else if found.is_empty() {
                println!(
                    "{}: sha256 {sha} is NOT recorded in this case's ledger",
                    pdf.display()
                );
            } else {
                for (seq, time, r) in &found {
                    println!(
                        "{}: recorded at entry {seq} ({time}): {} in {}, {} pages, sha256 {sha}",
                        pdf.display(),
                        r.document,
                        r.lang,
                        r.pages
                    );
                }
            }
            Ok(if found.is_empty() {
                EXIT_VERIFY_FAILED
            } else {
                EXIT_OK
            })
        }
        Command::Report(a) => {
            let case = case_dir(&cli)?;
            let key = match &a.key {
                Some(k) => Some(load_key(k, pass_file.as_deref())?),
                None => None,
            };
            let input = match &a.input {
                Some(p) => {
                    let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                    Some(scelle::report::parse_input(
                        &text,
                        &p.display().to_string(),
                    )?)
                }
                None => None,
            };
            let req = scelle::report::ReportRequest {
                kind: scelle::report::DocumentKind::parse(&a.document)?,
                lang: a.lang.clone(),
                jurisdiction: a.jurisdiction.clone(),
                exhibits: a.exhibits.clone(),
                input,
                templates: scelle::report::TemplateSource {
                    dir: a.templates.clone(),
                },
                correlate: a.correlate.clone(),
            };
            let opts = scelle::report::pdf::PdfOptions {
                paper: scelle::report::pdf::Paper::parse(&a.paper)?,
                pdfa: scelle::report::pdf::PdfA::parse(&a.pdfa)?,
                bates: a.bates_prefix.as_ref().map(|p| scelle::report::pdf::Bates {
                    prefix: p.clone(),
                    start: a.bates_start,
                    digits: a.bates_digits,
                }),
            };
            let out = ops::report::report(&case, &req, &opts, &a.out, a.force, key.as_ref())?;
            println!(
                "wrote {} ({} pages, {} bytes)",
                out.path.display(),
                out.pages,
                out.size
            );
            println!("sha256 {}", out.sha256);
            if let Some((first, last)) = &out.bates {
                println!("Bates {first} to {last}");
            }
            match &out.entry {
                Some(e) => println!("recorded at entry {}", e.seq),
                None => println!("not recorded in the ledger: give --key to record it"),
            }
            if let Some(cp) = &out.checkpoint {
                println!("checkpoint: {}", cp.display());
            }
            Ok(EXIT_OK)
        }
        Command::Verify(a) => {
            let case = case_dir(&cli)?;
            let progress = Progress::new(!a.json && a.rehash, "re-hashing");
            let report = scelle::case::verify::verify_with(
                &case,
                scelle::case::verify::VerifyOptions { rehash: a.rehash },
                &a.trusted_checkpoint,
                &|n| progress.advance(n),
            )?;
            drop(progress);
            print_verify_report(&report, a.json, a.rehash);
            Ok(if report.ok() {
                EXIT_OK
            } else {
                EXIT_VERIFY_FAILED
            })
        }
        Command::Checkpoint => {
            let case = case_dir(&cli)?;
            let (_, text) = ops::latest_checkpoint(&case)?;
            print!("{text}");
            Ok(EXIT_OK)
        }
        Command::Prove(a) => {
            let case = case_dir(&cli)?;
            let p = scelle::case::proof::prove(&case, &a.target)?;
            if a.json {
                print_json(&p);
            } else {
                if let Some(x) = &p.exhibit {
                    println!("exhibit:    {x}");
                }
                println!("leaf index: {}", p.leaf_index);
                println!("tree size:  {}", p.tree_size);
                println!("leaf hash:  {}", p.leaf_hash);
                println!("root:       {}", p.root);
                println!("audit path (leaf to root):");
                for h in &p.path {
                    println!("  {h}");
                }
                println!("verified against {}:", p.checkpoint_file);
                print!("{}", p.checkpoint);
            }
            Ok(EXIT_OK)
        }
        Command::Consistency(a) => {
            let case = case_dir(&cli)?;
            let p = scelle::case::proof::consistency(&case, &a.old_checkpoint)?;
            if a.json {
                print_json(&p);
            } else {
                println!(
                    "old: size {} root {} (signed by {})",
                    p.old_size,
                    p.old_root,
                    if p.old_signed_by.is_empty() {
                        "no key of this case".to_string()
                    } else {
                        p.old_signed_by.join(", ")
                    }
                );
                println!("new: size {} root {}", p.new_size, p.new_root);
                println!("proof:");
                for h in &p.proof {
                    println!("  {h}");
                }
                if p.consistent {
                    println!("CONSISTENT: the ledger only grew since the old checkpoint");
                } else {
                    println!("INCONSISTENT: the ledger was rewritten since the old checkpoint");
                }
            }
            Ok(if p.consistent {
                EXIT_OK
            } else {
                EXIT_VERIFY_FAILED
            })
        }
        Command::Repair => {
            let case = case_dir(&cli)?;
            let out = ops::repair(&case)?;
            if out.newline_restored {
                println!(
                    "restored the newline of the last entry, which was complete and valid; {} complete entries kept",
                    out.entries
                );
                return Ok(EXIT_OK);
            }
            match out.saved_to {
                Some(p) => println!(
                    "moved a torn last line ({} bytes) to {}; {} complete entries kept",
                    out.torn_bytes,
                    p.display(),
                    out.entries
                ),
                None => println!(
                    "nothing to repair: {} complete entries, no torn line",
                    out.entries
                ),
            }
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::Enrol(a)) => {
            let case = case_dir(&cli)?;
            let admin = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::custody::enrol(&case, &a.pubkey, &a.name, &a.role, &admin)?;
            print_appended(&out, &format!("enrolled {} as {}", a.name, a.role));
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::Revoke(a)) => {
            let case = case_dir(&cli)?;
            let admin = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::custody::revoke(&case, &a.keyid, &a.reason, &admin)?;
            print_appended(&out, &format!("revoked {}", a.keyid));
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::Rotate(a)) => {
            let case = case_dir(&cli)?;
            let old = load_key(&a.old, pass_file.as_deref())?;
            let out = ops::custody::rotate(&case, &old, &a.new)?;
            print_appended(&out, &format!("rotated key {}", old.id()));
            Ok(EXIT_OK)
        }
        Command::Key(KeyCommand::List(a)) => {
            let case = case_dir(&cli)?;
            for k in ops::custody::list_keys(&case)? {
                if a.json {
                    print_json(&k);
                } else {
                    println!(
                        "{}  {:<12} {:<9} enrolled at entry {}{}{}",
                        k.record.id,
                        k.record.name,
                        k.record.role.as_deref().unwrap_or("-"),
                        k.enrolled_at,
                        if k.admin { ", administrator" } else { "" },
                        k.revoked_at
                            .map(|at| format!(
                                ", REVOKED at entry {at} ({})",
                                k.revoked_reason.as_deref().unwrap_or("")
                            ))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Release(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let d = ops::custody::ReleaseDetails {
                to: a.to.clone(),
                purpose: a.purpose.clone(),
                packaging: a.packaging.clone(),
                seal_condition: a.seal_condition.clone(),
                location: a.location.clone(),
                authority: a.authority.clone(),
            };
            let out = ops::custody::release(&case, &a.exhibits, &d, &key)?;
            print_appended(
                &out,
                &format!(
                    "released {} to {} (in transit until accepted)",
                    a.exhibits.join(", "),
                    a.to
                ),
            );
            Ok(EXIT_OK)
        }
        Command::Accept(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let d = ops::custody::AcceptDetails {
                seal_condition: a.seal_condition.clone(),
                location: a.location.clone(),
                paths: exhibit_paths(&a.paths)?,
            };
            let progress = Progress::new(!a.json, "re-hashing");
            let (out, checks) =
                ops::custody::accept(&case, &a.exhibits, &d, &key, &|n| progress.advance(n))?;
            drop(progress);
            let mut all_match = true;
            for r in &checks {
                all_match &= r.matches;
                if a.json {
                    print_json(r);
                } else if r.matches {
                    println!(
                        "{}: re-hashed {}: matches the seal (sha256 {})",
                        r.exhibit, r.path, r.sha256
                    );
                } else {
                    println!(
                        "{}: DISCREPANCY on re-hashing {} (recorded in the ledger):",
                        r.exhibit, r.path
                    );
                    for d in &r.discrepancies {
                        println!("  {d}");
                    }
                }
            }
            if !a.json {
                print_appended(&out, "accepted");
            }
            Ok(if all_match {
                EXIT_OK
            } else {
                EXIT_VERIFY_FAILED
            })
        }
        Command::Open(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::custody::open(
                &case,
                &a.exhibit,
                &a.operations,
                &a.present,
                a.seal_condition.as_deref(),
                &key,
            )?;
            print_appended(&out, &format!("opened {}", a.exhibit));
            Ok(EXIT_OK)
        }
        Command::Reseal(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let progress = Progress::new(true, "re-hashing");
            let (out, r) = ops::custody::reseal(
                &case,
                &a.exhibit,
                &a.new_seal_no,
                a.path.as_deref(),
                &key,
                &|n| progress.advance(n),
            )?;
            drop(progress);
            if !r.matches {
                println!(
                    "{}: DISCREPANCY on re-hashing {} (recorded in the ledger):",
                    r.exhibit, r.path
                );
                for d in &r.discrepancies {
                    println!("  {d}");
                }
            }
            print_appended(
                &out,
                &format!("re-sealed {} under seal {}", a.exhibit, a.new_seal_no),
            );
            Ok(if r.matches {
                EXIT_OK
            } else {
                EXIT_VERIFY_FAILED
            })
        }
        Command::Note(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::custody::note(&case, a.exhibit.as_deref(), &a.text, &key)?;
            print_appended(&out, "noted");
            Ok(EXIT_OK)
        }
        Command::Dispose(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::custody::dispose(&case, &a.exhibit, &a.how, &a.authority, &key)?;
            print_appended(&out, &format!("disposed of {}", a.exhibit));
            Ok(EXIT_OK)
        }
        Command::Show(a) => {
            let case = case_dir(&cli)?;
            let t = ops::custody::show(&case, &a.exhibit)?;
            if a.json {
                print_json(&t);
            } else {
                println!(
                    "{}  seal {}  {}",
                    t.exhibit,
                    t.seal_no.as_deref().unwrap_or("-"),
                    t.artifact
                );
                println!("now: {} by {}", t.state, t.holder);
                for e in &t.events {
                    println!(
                        "{:>5}  {}  {:<8} by {:<28} {}  -> {} by {}",
                        e.seq, e.time, e.kind, e.by, e.summary, e.state, e.holder
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Cosign(a) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let out = ops::cosign::cosign(&case, &a.checkpoint, &key)?;
            println!(
                "cosigned tree size {} at {} in {}",
                out.size,
                out.time,
                out.path.display()
            );
            Ok(EXIT_OK)
        }
        Command::Ioc(IocCommand::Scan(a)) => {
            let case = case_dir(&cli)?;
            let key = load_key(&a.key, pass_file.as_deref())?;
            let opts = ops::ioc::ScanOptions {
                stix: a.stix.clone(),
                exhibits: a.exhibits.clone(),
                paths: exhibit_paths(&a.paths)?,
            };
            let progress = Progress::new(!a.json, "re-hashing and scanning");
            let out = ops::ioc::scan(&case, &opts, &key, &|n| progress.advance(n))?;
            drop(progress);
            if a.json {
                print_json(&serde_json::json!({
                    "seq": out.seq,
                    "checkpoint": out.checkpoint.as_ref().map(|p| p.display().to_string()),
                    "scan": out.scan,
                }));
            } else {
                print_scan(&out.scan);
                println!(
                    "recorded: entry {}{}",
                    out.seq,
                    out.checkpoint
                        .as_ref()
                        .map(|p| format!("; checkpoint {}", p.display()))
                        .unwrap_or_default()
                );
            }
            Ok(EXIT_OK)
        }
        Command::Ioc(IocCommand::Findings(a)) => {
            let case = case_dir(&cli)?;
            let scans = scelle::case::scans::findings(&case)?;
            if a.json {
                for s in &scans {
                    print_json(s);
                }
            } else if scans.is_empty() {
                println!("no IOC scan recorded in this case");
            } else {
                for s in &scans {
                    println!("entry {} at {} by {}:", s.seq, s.time, s.by);
                    print_scan(&s.scan);
                    println!();
                }
            }
            Ok(EXIT_OK)
        }
        Command::Ioc(IocCommand::Correlate(a)) => {
            let c = scelle::case::correlate::correlate(&a.cases)?;
            if a.json {
                print_json(&c);
            } else {
                print_correlation(&c);
            }
            Ok(EXIT_OK)
        }
        Command::Export(a) if a.format == "case-uco" => {
            let case = case_dir(&cli)?;
            if a.out.exists() {
                anyhow::bail!(Error::input(format!(
                    "{}: already exists; give another --out",
                    a.out.display()
                )));
            }
            let doc = ops::caseuco::export_case_uco(&case)?;
            let mut bytes = serde_json::to_vec_pretty(&doc).expect("serialises");
            bytes.push(b'\n');
            scelle::store::fsutil::atomic_write(&a.out, &bytes, 0o644)?;
            println!(
                "{}: CASE/UCO JSON-LD of the chain of custody",
                a.out.display()
            );
            Ok(EXIT_OK)
        }
        Command::Export(a) => {
            let case = case_dir(&cli)?;
            let Some(key) = &a.key else {
                anyhow::bail!(Error::input(
                    "export needs --key: the bundle is signed by a key enrolled in the case (and an `export` entry records it)"
                ));
            };
            let key = load_key(key, cli.passphrase_file.as_deref())?;
            let out = scelle::case::bundle::export(
                &case,
                &a.out,
                &scelle::case::bundle::ExportOptions {
                    exhibits: a.exhibits.clone(),
                    with_artifacts: a.with_artifacts,
                    reports: a.reports.clone(),
                    organization: a.organization.clone(),
                    to: a.to.clone(),
                    purpose: a.purpose.clone(),
                },
                &key,
            )?;
            if a.json {
                print_json(&out);
            } else {
                println!(
                    "{}: evidence bundle (BagIt 1.0 in tar), {} bytes, sha256 {}",
                    out.bundle, out.size, out.sha256
                );
                println!(
                    "payload: {} files, {} bytes; exhibits {}",
                    out.payload_files,
                    out.payload_bytes,
                    out.exhibits.join(", ")
                );
                if let Some(seq) = out.entry {
                    println!("recorded as entry {seq} (export), with its SHA-256");
                }
            }
            Ok(EXIT_OK)
        }
        Command::VerifyBundle(a) => {
            let r = scelle::case::bundle::verify_bundle(&a.bundle, &limits(&a.limits))?;
            print_bundle_identity(&r, a.json);
            print_bundle_findings(&r, a.json);
            if let Some(report) = &r.case {
                print_verify_report(report, a.json, false);
            }
            if !a.json {
                println!(
                    "bundle {}: {} ({} payload files checked against manifest-sha256.txt)",
                    a.bundle.display(),
                    if r.ok() { "OK" } else { "FAILED" },
                    r.payload_files
                );
            }
            Ok(if r.ok() { EXIT_OK } else { EXIT_VERIFY_FAILED })
        }
        Command::Import(a) => {
            let r = scelle::case::bundle::import(&a.bundle, &a.into, &limits(&a.limits))?;
            let report = r.case.as_ref().expect("import verified a case");
            print_bundle_identity(&r, false);
            for f in r
                .bag
                .iter()
                .filter(|f| f.severity != scelle::format::chain::Severity::Error)
            {
                println!("{}", f.describe());
            }
            println!(
                "imported {} into {}: {} payload files, case {} entries, {} exhibits, root {}",
                a.bundle.display(),
                a.into.display(),
                r.payload_files,
                report.entries,
                report.exhibits,
                report.root
            );
            println!("the case is {}", a.into.join("data/case").display());
            Ok(EXIT_OK)
        }
        Command::Completions(a) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "scelle", &mut script);
            term::out(&String::from_utf8_lossy(&script));
            Ok(EXIT_OK)
        }
        Command::Man(a) => {
            let pages = man_pages()?;
            std::fs::create_dir_all(&a.out)
                .with_context(|| format!("cannot create {}", a.out.display()))?;
            for (name, page) in &pages {
                scelle::store::fsutil::atomic_write(&a.out.join(name), page, 0o644)?;
            }
            println!("{} man pages written to {}", pages.len(), a.out.display());
            Ok(EXIT_OK)
        }
        Command::Demo(a) => {
            let dir = a
                .dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("scelle-demo"));
            let out = demo::run(&dir, a.force, &mut |line| {
                // The demo's own lines may span several (a seal and its hash).
                print!("{line}\n");
                let _ = std::io::stdout().flush();
            })
            .context("demo failed")?;
            Ok(if out.verified {
                EXIT_OK
            } else {
                EXIT_VERIFY_FAILED
            })
        }
    }
}

/// The man pages of every command and subcommand, rendered from the clap definitions, as
/// (file name, roff bytes), the way `clap_mangen::generate_to` names them (`scelle-key-new.1`).
fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, out)?;
        }
        let man = clap_mangen::Man::new(cmd);
        let mut page = Vec::new();
        man.render(&mut page)?;
        out.push((man.get_filename(), page));
        Ok(())
    }
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    walk(cmd, &mut pages)?;
    pages.sort();
    Ok(pages)
}

/// The extraction limits given on the command line.
fn limits(a: &cli::ExtractLimitArgs) -> scelle::store::safeextract::Limits {
    scelle::store::safeextract::Limits {
        max_members: a.max_members,
        max_member_size: a.max_member_size,
        max_total_size: a.max_total_size,
        ..Default::default()
    }
}

/// Parses repeated `EXHIBIT=PATH` arguments.
fn exhibit_paths(args: &[String]) -> scelle::Result<std::collections::BTreeMap<String, PathBuf>> {
    let mut paths = std::collections::BTreeMap::new();
    for p in args {
        let (ex, path) = p
            .split_once('=')
            .ok_or_else(|| Error::input(format!("--path {p:?}: write EXHIBIT=PATH")))?;
        paths.insert(ex.to_string(), PathBuf::from(path));
    }
    Ok(paths)
}

/// Prints a scan: the IOC files (with what was skipped and why), the exhibits, every match.
fn print_scan(scan: &scelle::format::body::IocScan) {
    for f in &scan.ioc_files {
        println!(
            "IOC file {} (sha256 {}): {} indicators, {} used{}{}",
            f.file,
            f.sha256,
            f.indicator_objects,
            f.used,
            if f.names_only > 0 {
                format!(
                    " ({} too short to search in content: compared with file names only)",
                    f.names_only
                )
            } else {
                String::new()
            },
            if f.names.is_empty() {
                String::new()
            } else {
                format!("; indicates {}", f.names.join(", "))
            }
        );
        for s in &f.skipped {
            println!(
                "  skipped {}: {} (e.g. {})",
                s.count,
                s.reason,
                s.examples.join(", ")
            );
        }
    }
    for e in &scan.exhibits {
        println!(
            "{}: {} re-hashed, matches its seal (sha256 {}); {} files, {} bytes searched; {} {}",
            e.exhibit,
            e.path,
            e.sha256,
            e.files,
            e.bytes,
            e.matches,
            if e.matches == 1 { "match" } else { "matches" }
        );
    }
    for m in &scan.matches {
        let place = match (&m.member, m.offset) {
            (Some(mem), Some(off)) => format!("{mem} at byte {off}"),
            (Some(mem), None) => mem.clone(),
            (None, Some(off)) => format!("at byte {off}"),
            (None, None) => String::new(),
        };
        println!(
            "  MATCH {} {:?}{} in {} {} ({}{}): {:?}{}",
            m.kind,
            m.value,
            if m.indicates.is_empty() {
                String::new()
            } else {
                format!(" [{}]", m.indicates.join(", "))
            },
            m.exhibit,
            place,
            m.on,
            if m.occurrences > 1 {
                format!(", {} occurrences", m.occurrences)
            } else {
                String::new()
            },
            m.matched,
            m.excerpt
                .as_ref()
                .map(|x| format!(" \u{2014} {x:?}"))
                .unwrap_or_default()
        );
    }
    if scan.matches.is_empty() {
        println!("no indicator matched (recorded: a negative result is a result)");
    }
}

/// Prints a correlation: the cases, then each shared indicator with every match, case by case.
fn print_correlation(c: &scelle::case::correlate::Correlation) {
    for (i, s) in c.cases.iter().enumerate() {
        println!(
            "case {}: {} \u{2014} {} ({}): {} entries, root {}, {} scans, {} matches",
            i + 1,
            s.case_id,
            s.title,
            s.path,
            s.entries,
            s.root,
            s.scans,
            s.matches
        );
        for (name, sha) in &s.ioc_files {
            println!("  IOC file {name} (sha256 {sha})");
        }
    }
    if !c.shared_ioc_files.is_empty() {
        println!(
            "IOC files used by several cases: {}",
            c.shared_ioc_files.join(", ")
        );
    }
    if c.shared.is_empty() {
        println!("no indicator matched in more than one case");
        return;
    }
    println!(
        "{} indicators matched in more than one case:",
        c.shared.len()
    );
    for s in &c.shared {
        println!(
            "SHARED {} {:?}{} in cases {}{}",
            s.kind,
            s.value,
            if s.indicates.is_empty() {
                String::new()
            } else {
                format!(" [{}]", s.indicates.join(", "))
            },
            s.cases
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if s.same_text.is_empty() {
                String::new()
            } else {
                format!("; same text found: {}", s.same_text.join(", "))
            }
        );
        for m in &s.matches {
            println!(
                "  case {} {} {}{} ({}, entry {}): {:?}",
                m.case + 1,
                c.cases[m.case].case_id,
                m.exhibit,
                m.member
                    .as_ref()
                    .map(|x| format!(" {x}"))
                    .unwrap_or_default(),
                m.on,
                m.entry,
                m.matched
            );
        }
    }
}

impl cli::SealArgs {
    fn options(&self) -> ops::seal::SealOptions {
        use scelle::format::body::{Acquisition, Item};
        ops::seal::SealOptions {
            seal_no: self.seal_no.clone(),
            description: self.description.clone(),
            hashes: HashSelection {
                sha512: self.sha512,
                legacy: self.legacy_hashes,
            },
            kind: match self.r#as {
                cli::AsKind::Auto => scelle::case::measure::ArtifactKind::Auto,
                cli::AsKind::File => scelle::case::measure::ArtifactKind::File,
                cli::AsKind::Tar => scelle::case::measure::ArtifactKind::Tar,
            },
            item: Item {
                item_type: self.item_type.clone(),
                make: self.make.clone(),
                model: self.model.clone(),
                serial: self.serial.clone(),
                imei: self.imei.clone(),
                capacity: self.capacity.clone(),
                condition: self.condition.clone(),
            },
            acquisition: Acquisition {
                method: self.method.clone(),
                tool: self.tool.clone(),
                tool_version: self.tool_version.clone(),
                write_blocker: self.write_blocker.clone(),
                parameters: self.parameters.clone(),
                errors: self.errors.clone(),
                changes: self.changes.clone(),
                operator: self.operator.clone(),
                operator_role: self.operator_role.clone(),
                organisation: self.organisation.clone(),
                present: self.present.clone(),
                acquired_at: self.acquired_at.clone(),
                clock: self.clock.clone(),
                location: self.location.clone(),
                authority: self.authority.clone(),
                reason: self.reason.clone(),
                source_sha256: self.source_sha256.clone(),
                source_hash_matches: None,
                parent: self.parent.clone(),
            },
        }
    }
}

/// Prints a verification report as `verify` does (text, or JSON Lines with `json`).
fn print_verify_report(report: &scelle::case::verify::Report, json: bool, rehash: bool) {
    if json {
        for w in &report.witnesses {
            let mut v = serde_json::to_value(w).expect("serialises");
            v["type"] = "witness".into();
            print_json(&v);
        }
        for f in &report.findings {
            let mut v = serde_json::to_value(f).expect("serialises");
            v["type"] = "finding".into();
            print_json(&v);
        }
        let mut v = serde_json::to_value(report).expect("serialises");
        v.as_object_mut().expect("object").remove("findings");
        v["type"] = "summary".into();
        v["ok"] = report.ok().into();
        v["errors"] = report.errors().into();
        v["warnings"] = report.warnings().into();
        print_json(&v);
    } else {
        for f in &report.findings {
            println!("{}", f.describe());
        }
        for w in &report.witnesses {
            println!(
                "witness {} has seen tree size {} (cosigned at {})",
                w.name, w.size, w.time
            );
        }
        println!(
                    "{}: {} entries, {} exhibits{}, {} checkpoints (largest size {}), root {}; {} errors, {} warnings; {} entries/s",
                    if report.ok() { "OK" } else { "FAILED" },
                    report.entries,
                    report.exhibits,
                    if rehash { format!(" ({} re-hashed)", report.rehashed) } else { String::new() },
                    report.checkpoints,
                    report.checkpointed_size,
                    report.root,
                    report.errors(),
                    report.warnings(),
                    report.entries_per_second
                );
    }
}

/// Prints who the bundle says it is (from its signed ledger) and that the fingerprints must be
/// compared out of band; in JSON, one `"type":"identity"` object.
fn print_bundle_identity(r: &scelle::case::bundle::BundleReport, json: bool) {
    let Some(id) = &r.identity else { return };
    if json {
        let mut v = serde_json::to_value(id).expect("serialises");
        v["type"] = "identity".into();
        print_json(&v);
    } else {
        println!(
            "case {:?}, origin {:?}, {} entries",
            id.case_id, id.origin, id.ledger_size
        );
        println!(
            "administrator (entry 0): {:?}, fingerprint {}",
            id.admin, id.admin_fingerprint
        );
        match (&id.signer, &id.signer_fingerprint) {
            (Some(name), Some(fp)) => println!("bag signed by {name:?}, fingerprint {fp}"),
            (None, Some(fp)) => println!("bag signed by a key not of this case, fingerprint {fp}"),
            _ => println!("bag not signed"),
        }
        println!("{}", id.message);
    }
}

/// Prints the bag's own findings (manifests, Payload-Oxum, carried artifacts).
fn print_bundle_findings(r: &scelle::case::bundle::BundleReport, json: bool) {
    for f in &r.bag {
        if json {
            let mut v = serde_json::to_value(f).expect("serialises");
            v["type"] = "finding".into();
            print_json(&v);
        } else {
            println!("{}", f.describe());
        }
    }
}
