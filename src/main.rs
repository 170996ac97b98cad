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
/// of what is formatted, newlines included, is shown escaped ([`term`]). (Commands print their
/// result with `print!`: the library's `Display` escapes each line as this does; this stays so
/// that no `println!` here can bypass the escaping.)
#[allow(unused_macros)]
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
use cli::{Cli, Command, ExportFormat, IocCommand, KeyCommand, TsaCommand};
use scelle::ops;
use scelle::ops::caseuco::CaseUcoWritten;
use scelle::ops::man::ManPages;
use scelle::output::bundle::{BundleChecked, Imported};
use scelle::output::custody::{Accepted, Action, KeyList, Recorded, Resealed};
use scelle::output::ioc::Findings;
use scelle::output::ledger::{Checkpoint, Initialised, LogRow};
use scelle::output::message::Outcome;
use scelle::output::report::ReportCheck;
use scelle::output::timestamp::TsaList;
use scelle::output::verify::Verified;
use scelle::store::case::CaseDir;
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

/// Exit code of a command interrupted by Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: i32 = 130;

/// On Ctrl-C (SIGINT): what a command was writing in several steps is removed
/// (`store::interrupt`), a ledger line is never half-written, and the user is told so.
fn on_interrupt() {
    let removed = scelle::store::interrupt::clean_up();
    let removed = if removed.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
        format!(" (removed what was incomplete: {})", names.join(", "))
    };
    eprintln!(
        "\nscelle: interrupted: nothing was left half-written{}; `scelle log` shows every entry recorded",
        scelle::format::printable::field(&removed)
    );
    std::process::exit(EXIT_INTERRUPTED);
}

fn main() -> ExitCode {
    // Without a handler (no signal support), Ctrl-C still stops the process as before.
    let _ = ctrlc::set_handler(on_interrupt);
    let cli = match cli::parse(std::env::args_os()) {
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
            ExitCode::from(exit_code(e.downcast_ref::<Error>().map(Error::class)))
        }
    }
}

/// The case directory: -C, then SCELLE_CASE (clap reads it), then the current directory.
fn case_dir(o: &cli::CaseOpt) -> anyhow::Result<CaseDir> {
    let root = o.dir.clone().unwrap_or_else(|| PathBuf::from("."));
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
    if let Some(p) = env_passphrase() {
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
    match keyfile::load_signing_key(path, &pass) {
        // Typed at the prompt: one more try, as sudo and ssh give.
        Err(Error::WrongPassphrase(_)) if prompted(pass_file) => {
            eprintln!("scelle: wrong passphrase for {}; try again", path.display());
            let pass = passphrase(pass_file, false)?;
            Ok(keyfile::load_signing_key(path, &pass)?)
        }
        other => Ok(other?),
    }
}

/// Whether [`passphrase`] reads from the terminal's prompt (no file, no environment).
fn prompted(file: Option<&Path>) -> bool {
    file.is_none() && env_passphrase().is_none() && std::io::stdin().is_terminal()
}

/// `$SCELLE_PASSPHRASE`, when set (and Unicode).
fn env_passphrase() -> Option<String> {
    std::env::var("SCELLE_PASSPHRASE").ok()
}

/// A progress bar on stderr when it is a terminal and output is not JSON.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar with percentage and time left when `total` bytes are known, else a spinner.
    fn with_total(enabled: bool, message: &str, total: Option<u64>) -> Self {
        Self::with_total_of(enabled, message, || total)
    }

    /// As [`Progress::with_total`], the total computed (by the library, from the ledger) only
    /// when a bar is shown; a total that cannot be computed gives a spinner.
    fn with_total_of(enabled: bool, message: &str, total: impl FnOnce() -> Option<u64>) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let total = total();
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

/// Prints a command's result: its text, or with `json` its JSON Lines; the exit code says
/// whether it found a problem.
fn show(out: &dyn Outcome, json: bool) -> u8 {
    if json {
        for m in out.messages() {
            term::json_line(&m.to_json());
        }
    } else {
        print!("{out}");
    }
    if out.ok() {
        EXIT_OK
    } else {
        EXIT_VERIFY_FAILED
    }
}

/// Runs the command, then, after a command that appended (and so wrote a checkpoint), asks
/// the case's TSAs to timestamp the new checkpoint ([`timestamp_after_append`]), then its
/// witnesses to cosign it ([`witness_after_append`]).
fn run(cli: Cli) -> anyhow::Result<u8> {
    let code = dispatch(&cli)?;
    if let Some(a) = cli.command.appends() {
        timestamp_after_append(&a);
        if !a.opts.no_witness {
            witness_after_append(a.case);
        }
    }
    Ok(code)
}

/// The timestamp after an append (FORMAT.md 8.6): unless `--no-timestamp`, the new
/// checkpoint is sent to each TSA of the case. Never an error and never a change of exit
/// code: each failure is a warning on standard error; each token kept is a line of text
/// (none with `--json`, whose records stay the command's own).
fn timestamp_after_append(a: &cli::Appending<'_>) {
    if a.opts.no_timestamp {
        return;
    }
    let Ok(case) = case_dir(a.case) else {
        return;
    };
    let t = ops::timestamp::after_append(&case);
    if !a.json {
        print!("{t}");
    }
    for w in t.warnings() {
        eprintln!("warning: {w}");
    }
}

/// The dispatch: one arm per command. Each command's function below (or its `ops` call) loads
/// what it needs (case, key, passphrase, progress bar) and returns a typed result from the
/// library ([`Outcome`]), which [`show`] prints as text or JSON Lines.
fn dispatch(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Init(a) => Ok(show(&init(a)?, false)),
        Command::Key(KeyCommand::New(a)) => Ok(show(&key_new(a)?, false)),
        Command::Key(KeyCommand::Show(a)) => Ok(show(&key_show(a)?, a.json)),
        Command::Key(KeyCommand::Enrol(a)) => Ok(show(&enrol(a)?, false)),
        Command::Key(KeyCommand::Revoke(a)) => Ok(show(&revoke(a)?, false)),
        Command::Key(KeyCommand::Rotate(a)) => Ok(show(&rotate(a)?, false)),
        Command::Key(KeyCommand::List(a)) => {
            let keys = ops::custody::list_keys(&case_dir(&a.case)?)?;
            Ok(show(&KeyList(keys), a.json))
        }
        Command::Seal(a) => Ok(show(&seal(a)?, a.json)),
        Command::Log(a) => {
            // Each entry printed as it is read: memory does not grow with the ledger.
            ops::log::each(&case_dir(&a.case)?, |item| {
                show(&LogRow(item), a.json);
                Ok(())
            })?;
            Ok(EXIT_OK)
        }
        Command::Verify(a) => match &a.report {
            Some(pdf) => Ok(show(&check_report(&a.case, pdf)?, a.json)),
            None => Ok(show(&verify(a)?, a.json)),
        },
        Command::Report(a) => match (&a.action, &a.render) {
            (Some(cli::ReportAction::InitInput(i)), _) => Ok(show(
                &ops::report::init_input(
                    init_input_case(&i.case)?.as_ref(),
                    i.document,
                    i.lang,
                    i.jurisdiction,
                    i.out.as_deref(),
                    i.force,
                )?,
                false,
            )),
            (None, Some(r)) => Ok(show(&report(a, r)?, false)),
            (None, None) => Err(anyhow::anyhow!("report: give a DOCUMENT or init-input")),
        },
        Command::Checkpoint(o) => Ok(show(&checkpoint(o)?, false)),
        Command::Prove(a) => Ok(show(
            &scelle::case::proof::prove(&case_dir(&a.case)?, &a.target)?,
            a.json,
        )),
        Command::Consistency(a) => {
            let p = scelle::case::proof::consistency(&case_dir(&a.case)?, &a.old_checkpoint)?;
            Ok(show(&p, a.json))
        }
        Command::Repair(o) => Ok(show(&ops::repair(&case_dir(o)?)?, false)),
        Command::Release(a) => Ok(show(&release(a)?, false)),
        Command::Accept(a) => Ok(show(&accept(a)?, a.json)),
        Command::Open(a) => Ok(show(&open(a)?, false)),
        Command::Reseal(a) => Ok(show(&reseal(a)?, false)),
        Command::Note(a) => Ok(show(&note(a)?, false)),
        Command::Dispose(a) => Ok(show(&dispose(a)?, false)),
        Command::Show(a) => Ok(show(
            &ops::custody::show(&case_dir(&a.case)?, &a.exhibit)?,
            a.json,
        )),
        Command::Exhibits(a) if a.ids => Ok(show(
            &scelle::output::custody::ExhibitIds(ops::custody::exhibit_ids(&case_dir(&a.case)?)?),
            false,
        )),
        Command::Exhibits(a) => Ok(show(
            &scelle::output::custody::ExhibitList(ops::custody::exhibits(&case_dir(&a.case)?)?),
            a.json,
        )),
        Command::Cosign(a) => Ok(show(&cosign(a)?, false)),
        Command::Tsa(TsaCommand::Add(a)) => Ok(show(&tsa_add(a)?, false)),
        Command::Tsa(TsaCommand::List(a)) => {
            Ok(show(&TsaList(ops::tsa::list(&case_dir(&a.case)?)?), a.json))
        }
        Command::Timestamp(a) => {
            let t = ops::timestamp::timestamp(&case_dir(&a.case)?, &a.tsa)?;
            show(&t, a.json);
            for w in t.warnings() {
                eprintln!("warning: {w}");
            }
            // A TSA that did not give a token: an I/O failure (the network), exit 3.
            Ok(if t.complete() { EXIT_OK } else { EXIT_IO })
        }
        Command::Witness(w) => witness(w),
        Command::Ioc(IocCommand::Scan(a)) => Ok(show(&ioc_scan(a)?, a.json)),
        Command::Ioc(IocCommand::Findings(a)) => {
            let scans = scelle::case::scans::findings(&case_dir(&a.case)?)?;
            Ok(show(
                &Findings {
                    scans,
                    mentions: a.mentions,
                },
                a.json,
            ))
        }
        Command::Ioc(IocCommand::Review(a)) => Ok(show(&ioc_review(a)?, false)),
        Command::Ioc(IocCommand::Correlate(a)) => {
            Ok(show(&scelle::case::correlate::correlate(&a.cases)?, a.json))
        }
        Command::Export(a) => match a.format {
            ExportFormat::CaseUco => Ok(show(&export_case_uco(a)?, false)),
            ExportFormat::Bagit => Ok(show(&export(a)?, a.json)),
        },
        Command::VerifyBundle(a) => Ok(show(&verify_bundle(a)?, a.json)),
        Command::Import(a) => Ok(show(&import(a)?, false)),
        Command::Completions(a) => {
            print!("{}", cli::completions(a.shell));
            Ok(EXIT_OK)
        }
        Command::Man(a) => Ok(show(&man(a)?, false)),
        Command::Verifier(a) => Ok(show(&ops::verifier::write(&a.out)?, false)),
        Command::Demo(a) => demo(a),
    }
}

fn init(a: &cli::InitArgs) -> anyhow::Result<Initialised> {
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let params = ops::init::CaseParams {
        case_id: a.case_id.clone(),
        title: a.title.clone(),
        court: a.court.clone(),
        jurisdiction: a.jurisdiction,
        lang: a.lang,
        timezone: a.timezone.clone(),
        full_name: a.full_name.clone(),
    };
    let outcome = ops::init::init(&a.case_dir, &params, &key)?;
    Ok(Initialised {
        case_id: a.case_id.clone(),
        outcome,
    })
}

fn key_new(a: &cli::KeyNewArgs) -> anyhow::Result<ops::keys::NewKey> {
    let pass = passphrase(a.pass.file.as_deref(), true)?;
    Ok(ops::keys::key_new(
        &a.out,
        &a.name,
        a.role.as_deref(),
        &pass,
    )?)
}

fn key_show(a: &cli::KeyShowArgs) -> anyhow::Result<ops::keys::KeyInfo> {
    let pass_file = a.pass.file.as_deref();
    Ok(ops::keys::key_show(&a.keyfile, || {
        passphrase(pass_file, false)
    })?)
}

fn enrol(a: &cli::KeyEnrolArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let admin = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(Recorded {
        appended: ops::custody::enrol(
            &case,
            &a.pubkey,
            &a.name,
            &a.role,
            a.full_name.as_deref(),
            &admin,
        )?,
        action: Action::Enrolled {
            name: a.name.clone(),
            role: a.role.clone(),
        },
    })
}

fn revoke(a: &cli::KeyRevokeArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let admin = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(Recorded {
        appended: ops::custody::revoke(&case, &a.keyid, &a.reason, &admin)?,
        action: Action::Revoked {
            key: a.keyid.clone(),
        },
    })
}

fn rotate(a: &cli::KeyRotateArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let old = load_key(&a.old, a.pass.file.as_deref())?;
    Ok(Recorded {
        appended: ops::custody::rotate(&case, &old, &a.new)?,
        action: Action::Rotated { key: old.id() },
    })
}

fn seal(a: &cli::SealArgs) -> anyhow::Result<ops::seal::SealOutcome> {
    let case = case_dir(&a.case)?;
    let opts = ops::seal::SealOptions::from(a);
    ops::seal::check_options(&a.paths, &opts)?;
    let key = PendingKey::start(&a.key, a.pass.file.as_deref())?;
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
    Ok(ops::seal::seal_with_key(
        &case,
        &a.paths,
        || Ok(key.wait()),
        &opts,
        &|n| progress.advance(n),
    )?)
}

/// A signing key being decrypted on its own thread while a command hashes (PBKDF2 takes a
/// core for about 70 ms, which a seal of one file would otherwise add to its hashing).
enum PendingKey {
    /// Decrypted already: typed at the prompt, where a wrong passphrase is asked again.
    Ready(Box<LoadedKey>),
    /// Being decrypted. A wrong passphrase (from a file or `$SCELLE_PASSPHRASE`) stops the
    /// command as Ctrl-C does, at once rather than after the hashing: what was being written
    /// is removed, nothing is recorded, and the error is the one it would have been.
    Decrypting(std::thread::JoinHandle<LoadedKey>),
}

impl PendingKey {
    fn start(path: &Path, pass_file: Option<&Path>) -> anyhow::Result<PendingKey> {
        if prompted(pass_file) {
            return Ok(PendingKey::Ready(Box::new(load_key(path, pass_file)?)));
        }
        let pass = passphrase(pass_file, false)?;
        let path = path.to_path_buf();
        Ok(PendingKey::Decrypting(std::thread::spawn(move || {
            keyfile::load_signing_key(&path, &pass).unwrap_or_else(|e| stop_for(&e))
        })))
    }

    /// The key, once decrypted (a key that fails has ended the process).
    fn wait(self) -> LoadedKey {
        match self {
            PendingKey::Ready(k) => *k,
            PendingKey::Decrypting(h) => h.join().expect("the key thread returns or exits"),
        }
    }
}

/// Ends the process on `e`, found on a thread while the command works: as Ctrl-C does, what
/// was being written in several steps is removed first; the message and exit code are those
/// `main` gives the same error.
fn stop_for(e: &Error) -> ! {
    let _ = scelle::store::interrupt::clean_up();
    eprintln!("scelle: error: {e}");
    std::process::exit(i32::from(exit_code(Some(e.class()))))
}

/// The exit code of an error of `class` (`None`: not one of the library's).
fn exit_code(class: Option<ErrorClass>) -> u8 {
    match class {
        Some(ErrorClass::BadInput) => EXIT_BAD_INPUT,
        _ => EXIT_IO,
    }
}

fn check_report(o: &cli::CaseOpt, pdf: &Path) -> anyhow::Result<ReportCheck> {
    let (sha256, found) = ops::report::check_report(&case_dir(o)?, pdf)?;
    Ok(ReportCheck {
        file: pdf.to_path_buf(),
        sha256,
        found,
    })
}

fn verify(a: &cli::VerifyArgs) -> anyhow::Result<Verified> {
    let case = case_dir(&a.case)?;
    let progress = Progress::with_total_of(!a.json && a.rehash, "re-hashing", || {
        scelle::case::verify::rehash_bytes(&case, None).ok()
    });
    let report = scelle::case::verify::verify_with(
        &case,
        scelle::case::verify::VerifyOptions {
            rehash: a.rehash,
            paths: cli::exhibit_paths(&a.paths)?,
        },
        &a.trusted_checkpoint,
        &|n| progress.advance(n),
    )?;
    Ok(Verified {
        report,
        rehash: a.rehash,
    })
}

fn report(
    r: &cli::ReportCommand,
    a: &cli::ReportArgs,
) -> anyhow::Result<ops::report::ReportOutcome> {
    let case = case_dir(&r.case)?;
    let key = match &a.key {
        Some(k) => Some(load_key(k, r.pass.file.as_deref())?),
        None => None,
    };
    let input = match &a.input {
        Some(p) => Some(scelle::report::read_input(p)?),
        None => None,
    };
    let req = scelle::report::ReportRequest {
        kind: a.document,
        lang: a.lang,
        jurisdiction: a.jurisdiction,
        exhibits: a.exhibits.clone(),
        input,
        templates: scelle::report::TemplateSource {
            dir: a.templates.clone(),
        },
        correlate: a.correlate.clone(),
    };
    let opts = scelle::report::pdf::PdfOptions {
        paper: a.paper,
        pdfa: a.pdfa,
        bates: a.bates_prefix.as_ref().map(|p| scelle::report::pdf::Bates {
            prefix: p.clone(),
            start: a.bates_start,
            digits: a.bates_digits,
        }),
    };
    let sign = if a.sign {
        Some(ops::report::SignOptions {
            with: match (&a.signer_cert, &a.pkcs12) {
                (Some(cert), _) => ops::report::SignWith::Certificate(cert.clone()),
                (None, Some(p12)) => {
                    ops::report::SignWith::Pkcs12(p12.clone(), pkcs12_passphrase()?)
                }
                (None, None) => ops::report::SignWith::CaseKey,
            },
            tsa: a.tsa.clone(),
        })
    } else {
        None
    };
    Ok(ops::report::report(
        &case,
        &req,
        &opts,
        &a.out,
        a.force,
        key.as_ref(),
        sign.as_ref(),
    )?)
}

/// The passphrase of a PKCS#12 file: SCELLE_PKCS12_PASSPHRASE, else a prompt on a terminal.
fn pkcs12_passphrase() -> scelle::Result<SecretString> {
    if let Ok(p) = std::env::var("SCELLE_PKCS12_PASSPHRASE") {
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::input(
            "--pkcs12: a passphrase is needed: set SCELLE_PKCS12_PASSPHRASE or run on a terminal; nothing was written",
        ));
    }
    let p =
        rpassword::prompt_password("PKCS#12 passphrase: ").map_err(|e| Error::io("/dev/tty", e))?;
    Ok(SecretString::from(p))
}

/// The case whose jurisdiction `report init-input` follows by default: the one given (-C or
/// SCELLE_CASE, which must open), else the current directory if it is one.
fn init_input_case(o: &cli::CaseOpt) -> anyhow::Result<Option<CaseDir>> {
    match &o.dir {
        Some(_) => Ok(Some(case_dir(o)?)),
        None => Ok(case_dir(o).ok()),
    }
}

fn checkpoint(o: &cli::CaseOpt) -> anyhow::Result<Checkpoint> {
    let (path, note) = ops::latest_checkpoint(&case_dir(o)?)?;
    Ok(Checkpoint { path, note })
}

fn release(a: &cli::ReleaseArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let d = ops::custody::ReleaseDetails {
        to: a.to.clone(),
        purpose: a.purpose.clone(),
        packaging: a.packaging.clone(),
        seal_condition: a.seal_condition.clone(),
        location: a.location.clone(),
        authority: a.authority.clone(),
    };
    Ok(Recorded {
        appended: ops::custody::release(&case, &a.exhibits, &d, &key)?,
        action: Action::Released {
            exhibits: a.exhibits.clone(),
            to: a.to.clone(),
        },
    })
}

fn accept(a: &cli::AcceptArgs) -> anyhow::Result<Accepted> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let d = ops::custody::AcceptDetails {
        seal_condition: a.seal_condition.clone(),
        location: a.location.clone(),
        paths: cli::exhibit_paths(&a.paths)?,
    };
    let progress = Progress::with_total_of(!a.json, "re-hashing", || {
        scelle::case::verify::rehash_bytes(&case, Some(&a.exhibits)).ok()
    });
    let (appended, checks) =
        ops::custody::accept(&case, &a.exhibits, &d, &key, &|n| progress.advance(n))?;
    Ok(Accepted { appended, checks })
}

fn open(a: &cli::OpenArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let appended = ops::custody::open(
        &case,
        &a.exhibit,
        &a.operations,
        &ops::custody::Circumstances {
            present: a.present.clone(),
            location: a.location.clone(),
            seal_condition: a.seal_condition.clone(),
        },
        &key,
    )?;
    Ok(Recorded {
        appended,
        action: Action::Opened {
            exhibit: a.exhibit.clone(),
        },
    })
}

fn reseal(a: &cli::ResealArgs) -> anyhow::Result<Resealed> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let progress = Progress::with_total_of(true, "re-hashing", || {
        scelle::case::verify::rehash_bytes(&case, Some(std::slice::from_ref(&a.exhibit))).ok()
    });
    let (appended, check) = ops::custody::reseal(
        &case,
        &a.exhibit,
        &a.new_seal_no,
        a.path.as_deref(),
        &ops::custody::Circumstances {
            present: a.present.clone(),
            location: a.location.clone(),
            seal_condition: a.seal_condition.clone(),
        },
        &key,
        &|n| progress.advance(n),
    )?;
    Ok(Resealed {
        exhibit: a.exhibit.clone(),
        seal_no: a.new_seal_no.clone(),
        appended,
        check,
    })
}

fn note(a: &cli::NoteArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(Recorded {
        appended: ops::custody::note(&case, a.exhibit.as_deref(), &a.text, &key)?,
        action: Action::Noted,
    })
}

fn dispose(a: &cli::DisposeArgs) -> anyhow::Result<Recorded> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(Recorded {
        appended: ops::custody::dispose(&case, &a.exhibit, &a.how, &a.authority, &key)?,
        action: Action::Disposed {
            exhibit: a.exhibit.clone(),
        },
    })
}

fn cosign(a: &cli::CosignArgs) -> anyhow::Result<ops::cosign::Cosigned> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(ops::cosign::cosign(&case, &a.checkpoint, &key)?)
}

fn tsa_add(a: &cli::TsaAddArgs) -> anyhow::Result<ops::tsa::TsaAdded> {
    let case = case_dir(&a.case)?;
    let body = ops::tsa::prepare(&a.url, a.name.as_deref(), a.ca_file.as_deref())?;
    let admin = load_key(&a.key, a.pass.file.as_deref())?;
    Ok(ops::tsa::add(&case, body, &admin)?)
}

fn witness(w: &cli::WitnessCommand) -> anyhow::Result<u8> {
    use cli::WitnessCommand as W;
    match w {
        W::Serve(a) => {
            let key = load_key(&a.key, a.pass.file.as_deref())?;
            let server = ops::witness::serve(&key, &a.listen, &a.state, &a.logs)?;
            println!("witness {} listening on {}", key.name, server.url());
            println!("vkey: {}", ops::witness::vkey(&key));
            let _ = std::io::stdout().flush();
            server.wait();
            Ok(EXIT_OK)
        }
        W::Vkey(a) => {
            let key = load_key(&a.key, a.pass.file.as_deref())?;
            println!("{}", ops::witness::vkey(&key));
            Ok(EXIT_OK)
        }
        W::Add(a) => {
            let case = case_dir(&a.case)?;
            let admin = load_key(&a.key, a.pass.file.as_deref())?;
            let out = ops::witness::add(&case, &a.url, &a.name, &a.vkey, &admin)?;
            Ok(show(&out, false))
        }
        W::Request(a) => {
            let out = ops::witness::request(&case_dir(&a.case)?, &a.names)?;
            Ok(show(&out, false))
        }
    }
}

/// After an appending command: the case's witnesses are asked to cosign; what goes wrong is a
/// warning on stderr, never a changed exit code (the entries are appended).
fn witness_after_append(o: &cli::CaseOpt) {
    let Ok(case) = case_dir(o) else { return };
    for w in ops::witness::after_append(&case) {
        eprintln!("scelle: warning: {w}");
    }
}

fn ioc_scan(a: &cli::IocScanArgs) -> anyhow::Result<ops::ioc::ScanOutcome> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let opts = ops::ioc::ScanOptions {
        stix: a.stix.clone(),
        exhibits: a.exhibits.clone(),
        paths: cli::exhibit_paths(&a.paths)?,
    };
    let progress = Progress::with_total_of(!a.json, "re-hashing and scanning", || {
        ops::ioc::scan_bytes(&case, &opts).ok()
    });
    Ok(ops::ioc::scan(&case, &opts, &key, &|n| {
        progress.advance(n)
    })?)
}

fn ioc_review(a: &cli::IocReviewArgs) -> anyhow::Result<ops::ioc_review::ReviewOutcome> {
    let case = case_dir(&a.case)?;
    let key = load_key(&a.key, a.pass.file.as_deref())?;
    let req = ops::ioc_review::ReviewRequest {
        scan: a.scan,
        finding: a.finding.clone(),
        confirmed: a.confirm,
        reason: a.reason.clone(),
    };
    Ok(ops::ioc_review::review(&case, &req, &key)?)
}

fn export_case_uco(a: &cli::ExportArgs) -> anyhow::Result<CaseUcoWritten> {
    Ok(ops::caseuco::write_case_uco(&case_dir(&a.case)?, &a.out)?)
}

fn export(a: &cli::ExportArgs) -> anyhow::Result<scelle::case::bundle::ExportOutcome> {
    let case = case_dir(&a.case)?;
    let Some(key) = &a.key else {
        anyhow::bail!(Error::input(
            "export needs --key: the bundle is signed by a key enrolled in the case (and an `export` entry records it)"
        ));
    };
    let key = load_key(key, a.pass.file.as_deref())?;
    let opts = scelle::case::bundle::ExportOptions {
        exhibits: a.exhibits.clone(),
        with_artifacts: a.with_artifacts,
        reports: a.reports.clone(),
        organization: a.organization.clone(),
        to: a.to.clone(),
        purpose: a.purpose.clone(),
    };
    let progress =
        Progress::with_total_of(a.with_artifacts && !a.json, "exporting artifacts", || {
            scelle::case::bundle::export_bytes(&case, &opts).ok()
        });
    Ok(scelle::case::bundle::export_with(
        &case,
        &a.out,
        &opts,
        &key,
        &|n| progress.advance(n),
    )?)
}

fn verify_bundle(a: &cli::VerifyBundleArgs) -> anyhow::Result<BundleChecked> {
    let progress = Progress::with_total_of(!a.json, "extracting", || {
        scelle::case::bundle::bundle_bytes(&a.bundle).ok()
    });
    let report = scelle::case::bundle::verify_bundle_with(&a.bundle, &(&a.limits).into(), &|n| {
        progress.advance(n)
    });
    drop(progress);
    Ok(BundleChecked {
        report: report?,
        bundle: a.bundle.clone(),
    })
}

fn import(a: &cli::ImportArgs) -> anyhow::Result<Imported> {
    let progress = Progress::with_total_of(true, "extracting", || {
        scelle::case::bundle::bundle_bytes(&a.bundle).ok()
    });
    let report = scelle::case::bundle::import_with(&a.bundle, &a.into, &(&a.limits).into(), &|n| {
        progress.advance(n)
    });
    drop(progress);
    Ok(Imported {
        report: report?,
        bundle: a.bundle.clone(),
        into: a.into.clone(),
    })
}

fn man(a: &cli::ManArgs) -> anyhow::Result<ManPages> {
    let pages = cli::man_pages()?;
    // A page not written is a scelle::Error (its exit code by its class); a directory not
    // created, exit code 3, as before.
    ops::man::write_pages(&a.out, &pages).map_err(|e| match e {
        ops::man::ManError::Write(e) => anyhow::Error::from(e),
        e => anyhow::Error::from(e),
    })
}

fn demo(a: &cli::DemoArgs) -> anyhow::Result<u8> {
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
