//! The command-line definitions (clap). Kept apart from `main.rs` so that man pages and
//! completions can be generated from them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use scelle::case::measure::ArtifactKind;
use scelle::format::body::{Acquisition, Item};
use scelle::format::document::{DocumentKind, PdfA};
use scelle::format::lang::{Jurisdiction, Lang};
use scelle::ops::seal::SealOptions;
use scelle::render::Paper;
use scelle::store::hashing::HashSelection;
use scelle::store::safeextract::Limits;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Chain of custody for digital evidence: seal artifacts into a signed, append-only,
/// RFC 6962 evidence ledger and verify it.
#[derive(Debug, Parser)]
#[command(name = "scelle", version = concat!(env!("CARGO_PKG_VERSION"), " (ledger format 1)"),
    after_help = "Exit codes: 0 success; 1 verification found a problem; 2 bad usage or bad input \
(nothing changed on disk); 3 I/O or internal error.")]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

// The options several commands share (-C, --passphrase-file, --no-timestamp, --no-witness)
// are each defined once, in the three structs below, and a command has one exactly when its
// arguments flatten the struct: that declaration is the only classification. The code that
// reads an option reads it from the command's own arguments (`a.case`, `a.pass`, the
// `Appending` of [`Command::appends`]), so a command that uses an option and does not
// declare it does not compile. Its `--help`, its man page and its completions show the
// option exactly where it is declared ([`command`]). The options may also be written before
// the command (`scelle -C CASE seal ...`, as scripts and the README do): [`command`] gives the
// root a global copy of each, so clap carries a value given there down to the command; a
// command that does not declare the option gets a hidden copy. Given on the command line to
// such a command, --passphrase-file, --no-timestamp and --no-witness are refused (exit 2,
// [`parse`]); -C is ignored there, as $SCELLE_CASE is ([`Elsewhere`]).

/// `-C/--case`: every command that works in a case declares it.
#[derive(Debug, Clone, Default, Args)]
pub struct CaseOpt {
    /// The case directory (default: $SCELLE_CASE, else the current directory).
    #[arg(
        id = "case",
        short = 'C',
        long = "case",
        env = "SCELLE_CASE",
        value_name = "CASE_DIR"
    )]
    pub dir: Option<PathBuf>,
}

/// `--passphrase-file`: every command that unlocks a private key declares it.
#[derive(Debug, Clone, Default, Args)]
pub struct PassphraseOpt {
    /// Read the key passphrase from FILE: its whole content, less one final line break (else
    /// $SCELLE_PASSPHRASE, else a prompt on the terminal).
    #[arg(id = "passphrase_file", long = "passphrase-file", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `--no-timestamp` and `--no-witness`: every command that may append to the ledger
/// declares them (and [`Command::appends`] returns them).
#[derive(Debug, Clone, Default, Args)]
pub struct AppendOpts {
    /// After a command that appends, do not ask the case's TSAs to timestamp the new
    /// checkpoint (`scelle timestamp` does it later).
    #[arg(long)]
    pub no_timestamp: bool,
    /// Do not ask the case's witnesses (`witness add`) to cosign after a command that appends.
    #[arg(long)]
    pub no_witness: bool,
}

/// What a shared option given on the command line to a command that does not declare it
/// does there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elsewhere {
    /// Nothing: `-C` names the case of the session, as $SCELLE_CASE does, and harnesses and
    /// aliases (`alias sc='scelle -C ~/affaire-117'`) give it to every command.
    Ignored,
    /// A usage error: an instruction to a command that cannot follow it is a mistake to say.
    Refused,
}

/// The shared options, from their one definition each (the structs above), in the order the
/// root's help lists them, each with what it does given to a command that does not declare it.
fn shared_options() -> Vec<(clap::Arg, Elsewhere)> {
    let of = |c: clap::Command, e: Elsewhere| -> Vec<(clap::Arg, Elsewhere)> {
        c.get_arguments().map(|a| (a.clone(), e)).collect()
    };
    let new = || clap::Command::new("shared");
    [
        of(CaseOpt::augment_args(new()), Elsewhere::Ignored),
        of(PassphraseOpt::augment_args(new()), Elsewhere::Refused),
        of(AppendOpts::augment_args(new()), Elsewhere::Refused),
    ]
    .concat()
}

/// The command line as `scelle` parses it and documents it (`--help`, man pages,
/// completions): the derived definitions, the shared options global at the root and, in each
/// command that does not declare one, a hidden copy of it (so clap does not propagate the
/// visible one there, and [`parse`] can tell it was not declared).
pub fn command() -> clap::Command {
    fn scope(cmd: clap::Command, shared: &[(clap::Arg, Elsewhere)]) -> clap::Command {
        let mut cmd = cmd;
        for (a, _) in shared {
            if !cmd.get_arguments().any(|b| b.get_id() == a.get_id()) {
                cmd = cmd.arg(a.clone().global(true).hide(true));
            }
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(&name, |s| scope(s, shared));
        }
        cmd
    }
    // The root has them all (visible): only its subcommands get hidden copies.
    scope(with_shared(true), &shared_options())
}

/// The derived definitions with the shared options at the root, `global` or not. Not global,
/// clap does not propagate them: what the completion scripts are made from, since
/// `clap_complete` would offer hidden options too.
fn with_shared(global: bool) -> clap::Command {
    let mut root = <Cli as clap::CommandFactory>::command();
    for (a, _) in shared_options() {
        root = root.arg(a.global(global));
    }
    root
}

/// Parses `args` (the program's name first): a shared option [`Elsewhere::Refused`] given on
/// the command line to a command that does not declare it is a usage error naming both,
/// reported before any other (a missing argument, say).
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = with_examples(command());
    match cmd.try_get_matches_from_mut(&args) {
        Ok(matches) => match misplaced(&cmd, &matches) {
            Some(e) => Err(e),
            None => <Cli as clap::FromArgMatches>::from_arg_matches(&matches),
        },
        Err(e) => {
            // What was given, read past the error, may hold a misplaced option.
            let mut lenient = command().ignore_errors(true);
            match lenient.try_get_matches_from_mut(&args) {
                Ok(m) => Err(misplaced(&lenient, &m).unwrap_or(e)),
                Err(_) => Err(e),
            }
        }
    }
}

/// The usage error for a shared option [`Elsewhere::Refused`] given on the command line to the
/// command `matches` names, which does not declare it (it has only the hidden copy [`command`]
/// gave it).
fn misplaced(cmd: &clap::Command, matches: &clap::ArgMatches) -> Option<clap::Error> {
    let (mut leaf, mut m, mut path) = (cmd, matches, vec!["scelle"]);
    while let Some((name, sub)) = m.subcommand() {
        let Some(s) = leaf.find_subcommand(name) else {
            break;
        };
        (leaf, m, path) = (s, sub, [path, vec![s.get_name()]].concat());
    }
    let shared = shared_options();
    let a = leaf.get_arguments().find(|a| {
        a.is_global_set()
            && shared
                .iter()
                .any(|(s, e)| s.get_id() == a.get_id() && *e == Elsewhere::Refused)
            && m.value_source(a.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine)
    })?;
    let name = match (a.get_short(), a.get_long()) {
        (Some(s), Some(l)) => format!("-{s}/--{l}"),
        (_, l) => format!("--{}", l.unwrap_or_default()),
    };
    let path = path.join(" ");
    Some(leaf.clone().error(
        clap::error::ErrorKind::ArgumentConflict,
        format!("{name} does not apply to `{path}` (`{path} --help` lists its options)"),
    ))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a case directory.
    Init(InitArgs),
    /// Make and inspect keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Hash and sign artifacts (files, directories, tar and zip archives) into the ledger.
    Seal(Box<SealArgs>),
    /// List the ledger's entries.
    Log(LogArgs),
    /// Verify signatures, chain, checkpoints and (with --rehash) the artifacts.
    Verify(VerifyArgs),
    /// Print the latest signed checkpoint.
    Checkpoint(CaseOpt),
    /// RFC 6962 inclusion proof of an exhibit or entry against the latest checkpoint.
    Prove(ProveArgs),
    /// Prove that the ledger only grew since an older checkpoint.
    Consistency(ConsistencyArgs),
    /// Move a torn last line (an interrupted append) aside, keeping every complete entry.
    Repair(CaseOpt),
    /// Release exhibits to another enrolled key (the receiver then accepts them).
    Release(ReleaseArgs),
    /// Accept exhibits released to you, re-hashing each before signing.
    Accept(AcceptArgs),
    /// Open a sealed exhibit for examination (CPP art. 163).
    Open(OpenArgs),
    /// Re-seal an opened exhibit under a new seal number (re-hashes it).
    Reseal(ResealArgs),
    /// Record a signed note, about an exhibit or the case.
    Note(NoteArgs),
    /// Dispose of an exhibit (returned, destroyed, archived).
    Dispose(DisposeArgs),
    /// An exhibit's custody timeline: who held it when.
    Show(ShowArgs),
    /// List the exhibits: seal number, state, holder, what was sealed and its SHA-256.
    Exhibits(ExhibitsArgs),
    /// Countersign a checkpoint as a witness (C2SP cosignature).
    Cosign(CosignArgs),
    /// The case's RFC 3161 time-stamping authorities (TSAs): add one, list them.
    #[command(subcommand)]
    Tsa(TsaCommand),
    /// Timestamp the latest checkpoint now by the case's TSAs (RFC 3161).
    Timestamp(TimestampArgs),
    /// C2SP tlog-witnesses: run one (`serve`), print its key (`vkey`), enrol one in the case
    /// (`add`), ask the case's witnesses to cosign the latest checkpoint (`request`).
    #[command(subcommand)]
    Witness(WitnessCommand),
    /// Render a court document (PDF/A) from the ledger and record its SHA-256 (`report
    /// init-input`: write the commented blank input file of a document, to fill in).
    Report(Box<ReportCommand>),
    /// Indicators of compromise: scan sealed exhibits with STIX 2.1 files, list the findings,
    /// correlate cases.
    #[command(subcommand)]
    Ioc(IocCommand),
    /// Build the demo case (Apple Inc. v. NSO Group Technologies) from the bundled examples.
    Demo(DemoArgs),
    /// Write the case as an evidence bundle: a BagIt 1.0 bag in one tar, with a verification kit.
    Export(ExportArgs),
    /// Check an evidence bundle (read as hostile input): the bag's manifests, then its case.
    VerifyBundle(VerifyBundleArgs),
    /// Extract an evidence bundle into a new directory, only if it verifies.
    Import(ImportArgs),
    /// Print the shell completion script for SHELL on standard output.
    Completions(CompletionsArgs),
    /// Write the man pages, one per command (scelle.1, scelle-seal.1, ...), into a directory.
    Man(ManArgs),
    /// Write the browser verifier (one offline HTML file): open it, drop a bundle onto it.
    Verifier(VerifierArgs),
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `bash`: `scelle completions bash > /etc/bash_completion.d/scelle`.
    pub shell: clap_complete::Shell,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (created if missing; existing pages are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `verifier`.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// The HTML file to write (must not exist).
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bundle to write (must not exist).
    #[arg(long)]
    pub out: PathBuf,
    /// `bagit` (the evidence bundle) or `case-uco` (the chain of custody as CASE/UCO JSON-LD).
    #[arg(long, value_enum, default_value = "bagit")]
    pub format: ExportFormat,
    /// Carry the artifacts themselves (streamed from their sealed paths, checked against their seals).
    #[arg(long)]
    pub with_artifacts: bool,
    /// Only these exhibits' proofs and artifacts (comma-separated), default all.
    #[arg(long, value_delimiter = ',', value_name = "EXHIBIT")]
    pub exhibits: Vec<String>,
    /// A rendered document to include under data/reports/ (repeatable); an evidence variant's
    /// filing variant next to it is included too.
    #[arg(long = "report")]
    pub reports: Vec<PathBuf>,
    /// Source-Organization of bag-info.txt.
    #[arg(long)]
    pub organization: Option<String>,
    /// The key that signs the bundle (required for `bagit`): enrolled and unrevoked in the
    /// case; it also signs an `export` entry recording the bundle's SHA-256.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// To whom the bundle is sent (party, authority, EIO reference).
    #[arg(long)]
    pub to: Option<String>,
    /// Why.
    #[arg(long)]
    pub purpose: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// What `export` writes. (The variants have no doc comment: `--help` lists the values alone.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum ExportFormat {
    Bagit,
    CaseUco,
}

/// `verify-bundle`.
#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The bundle (tar).
    pub bundle: PathBuf,
    /// JSON Lines output, as `verify --json`.
    #[arg(long)]
    pub json: bool,
    /// Limits on the hostile archive.
    #[command(flatten)]
    pub limits: ExtractLimitArgs,
}

/// Limits on a bundle read as hostile input (docs/FORMAT.md section 14).
#[derive(Debug, Args)]
pub struct ExtractLimitArgs {
    /// Most members (files, directories, headers) the archive may hold.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_members: u64,
    /// Most bytes of one file.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 40)]
    pub max_member_size: u64,
    /// Most bytes of all files together.
    #[arg(long, value_name = "BYTES", default_value_t = 4 << 40)]
    pub max_total_size: u64,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle (tar).
    pub bundle: PathBuf,
    /// The new directory to extract it into (must not exist).
    #[arg(long)]
    pub into: PathBuf,
    /// Limits on the hostile archive.
    #[command(flatten)]
    pub limits: ExtractLimitArgs,
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to create.
    pub case_dir: PathBuf,
    /// Case or docket number, e.g. 3:21-cv-09078-JD.
    #[arg(long)]
    pub case_id: String,
    /// Case title, e.g. "Apple Inc. v. NSO Group Technologies".
    #[arg(long)]
    pub title: String,
    /// Court or authority.
    #[arg(long)]
    pub court: Option<String>,
    /// us, fr or es.
    #[arg(long, hide_possible_values = true)]
    pub jurisdiction: Option<Jurisdiction>,
    /// Default document language: en, fr or es.
    #[arg(long, hide_possible_values = true)]
    pub lang: Option<Lang>,
    /// IANA time zone documents print times in, e.g. Europe/Paris (default: UTC, and they say so).
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// The administrator's private key file: it signs the case's identity (entry 0) now.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// The administrator's full name as they sign, e.g. "Jean-Marc Dupré": recorded with the
    /// key and printed with its fingerprint in documents.
    #[arg(long, value_name = "NAME")]
    pub full_name: Option<String>,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `key`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an Ed25519 key pair: NAME.key (encrypted PKCS#8) and NAME.pub (SPKI PEM).
    New(KeyNewArgs),
    /// Show a key's id, fingerprint and C2SP verifier key.
    Show(KeyShowArgs),
    /// Enrol a public key in the case (administrator only).
    Enrol(KeyEnrolArgs),
    /// Revoke a key of the case (administrator only).
    Revoke(KeyRevokeArgs),
    /// Replace your key by a new one, signed by the old key.
    Rotate(KeyRotateArgs),
    /// List the case's keys, their roles and revocations.
    List(ListArgs),
}

/// `key enrol`.
#[derive(Debug, Args)]
pub struct KeyEnrolArgs {
    /// The signer's public key file (NAME.pub).
    pub pubkey: PathBuf,
    /// The signer's name in this case.
    #[arg(long)]
    pub name: String,
    /// expert, counsel, examiner, court or witness.
    #[arg(long)]
    pub role: String,
    /// The key holder's full name as they sign, e.g. "María José Núñez": recorded with the
    /// key and printed with its fingerprint in documents.
    #[arg(long, value_name = "NAME")]
    pub full_name: Option<String>,
    /// The administrator's private key file.
    #[arg(long, value_name = "ADMINKEY")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `key revoke`.
#[derive(Debug, Args)]
pub struct KeyRevokeArgs {
    /// The key id (or name) to revoke.
    pub keyid: String,
    /// Why (lost, compromised, left the case ...).
    #[arg(long)]
    pub reason: String,
    /// The administrator's private key file.
    #[arg(long, value_name = "ADMINKEY")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `key rotate`.
#[derive(Debug, Args)]
pub struct KeyRotateArgs {
    /// The current private key file (signs the rotation).
    #[arg(long, value_name = "KEYFILE")]
    pub old: PathBuf,
    /// The new public key file.
    #[arg(long, value_name = "PUBKEY")]
    pub new: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `tsa`.
#[derive(Debug, Subcommand)]
pub enum TsaCommand {
    /// Add an RFC 3161 TSA to the case (administrator only); its tokens must chain to the CA
    /// certificates given. Public and eIDAS-qualified TSAs: see the README.
    Add(TsaAddArgs),
    /// List the case's TSAs.
    List(ListArgs),
}

/// `tsa add`.
#[derive(Debug, Args)]
pub struct TsaAddArgs {
    /// The TSA's RFC 3161 URL (http:// or https://).
    pub url: String,
    /// The TSA's name in the case (1-32 of a-z, 0-9, '-'; default: from the URL's host).
    #[arg(long)]
    pub name: Option<String>,
    /// The CA certificate(s) its tokens chain to, PEM (for a qualified TSA: from the EU
    /// trusted list). Required.
    #[arg(long, value_name = "CERTS.pem")]
    pub ca_file: Option<PathBuf>,
    /// The administrator's private key file.
    #[arg(long, value_name = "ADMINKEY")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `timestamp`.
#[derive(Debug, Args)]
pub struct TimestampArgs {
    /// Only this TSA (repeatable; default: every TSA of the case).
    #[arg(long = "tsa", value_name = "NAME")]
    pub tsa: Vec<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `key list`, `tsa list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// Exhibits to release (E-0001 ...).
    #[arg(required = true, value_name = "EXHIBIT")]
    pub exhibits: Vec<String>,
    /// The receiver: an enrolled key id or name.
    #[arg(long, value_name = "KEYID")]
    pub to: String,
    /// Why.
    #[arg(long)]
    pub purpose: String,
    /// Your private key file (you must hold the exhibits).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Packaging and transport.
    #[arg(long)]
    pub packaging: Option<String>,
    /// Seal condition at release.
    #[arg(long)]
    pub seal_condition: Option<String>,
    /// From where.
    #[arg(long)]
    pub location: Option<String>,
    /// Legal authority for the transfer.
    #[arg(long)]
    pub authority: Option<String>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// Exhibits to accept.
    #[arg(required = true, value_name = "EXHIBIT")]
    pub exhibits: Vec<String>,
    /// Your private key file (you must be the receiver).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Seal condition at receipt.
    #[arg(long)]
    pub seal_condition: Option<String>,
    /// Where received.
    #[arg(long)]
    pub location: Option<String>,
    /// Where your copy of an exhibit is, if not at its sealed path: EXHIBIT=PATH (repeat).
    #[arg(long = "path", value_name = "EXHIBIT=PATH")]
    pub paths: Vec<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The exhibit.
    #[arg(value_name = "EXHIBIT")]
    pub exhibit: String,
    /// Your private key file (you must hold the exhibit).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// The operations to be carried out.
    #[arg(long)]
    pub operations: String,
    /// A person present (repeat for each).
    #[arg(long)]
    pub present: Vec<String>,
    /// State of the seal before opening.
    #[arg(long)]
    pub seal_condition: Option<String>,
    /// Where it is opened.
    #[arg(long)]
    pub location: Option<String>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `reseal`.
#[derive(Debug, Args)]
pub struct ResealArgs {
    /// The exhibit.
    #[arg(value_name = "EXHIBIT")]
    pub exhibit: String,
    /// The new seal number.
    #[arg(long)]
    pub new_seal_no: String,
    /// Your private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Where the artifact is, if not at its sealed path.
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// A person present (repeat for each).
    #[arg(long)]
    pub present: Vec<String>,
    /// Where it is re-sealed.
    #[arg(long)]
    pub location: Option<String>,
    /// State of the new seal (packaging, seal placed, signatures on it).
    #[arg(long)]
    pub seal_condition: Option<String>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `note`.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The exhibit the note is about (none: about the case).
    #[arg(value_name = "EXHIBIT")]
    pub exhibit: Option<String>,
    /// The text.
    #[arg(long)]
    pub text: String,
    /// Your private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `dispose`.
#[derive(Debug, Args)]
pub struct DisposeArgs {
    /// The exhibit.
    #[arg(value_name = "EXHIBIT")]
    pub exhibit: String,
    /// How (returned to owner, destroyed, archived ...).
    #[arg(long)]
    pub how: String,
    /// On whose authority.
    #[arg(long)]
    pub authority: String,
    /// Your private key file (you must hold the exhibit).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The exhibit: its id (E-0001, e-0001, 1) or its seal number.
    #[arg(value_name = "EXHIBIT")]
    pub exhibit: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `exhibits`.
#[derive(Debug, Args)]
pub struct ExhibitsArgs {
    /// JSON Lines output: one object per exhibit.
    #[arg(long)]
    pub json: bool,
    /// Only the exhibit ids (E-0001), one a line: what the shell completions offer.
    #[arg(long, conflicts_with = "json")]
    pub ids: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// What [`Command::appends`] gives for a command that appends: whether its output is JSON
/// Lines, its case and its `--no-timestamp`/`--no-witness`.
#[derive(Debug, Clone, Copy)]
pub struct Appending<'a> {
    /// The command's output is JSON Lines (`--json`).
    pub json: bool,
    /// The case it appended to.
    pub case: &'a CaseOpt,
    /// Its `--no-timestamp` and `--no-witness`.
    pub opts: &'a AppendOpts,
}

impl Command {
    /// Whether the command appends entries to the ledger (and so writes a new checkpoint)
    /// when it succeeds: `Some` with its case, options and whether its output is JSON Lines,
    /// else `None`. The case's TSAs are then asked to timestamp the new checkpoint and its
    /// witnesses to cosign it (FORMAT.md 8.6, 8.7). Every command is named, so a new one must
    /// be classified here; one that appends must declare [`AppendOpts`] to give them.
    pub fn appends(&self) -> Option<Appending<'_>> {
        use IocCommand as I;
        use KeyCommand as K;
        use WitnessCommand as W;
        fn on<'a>(json: bool, case: &'a CaseOpt, opts: &'a AppendOpts) -> Option<Appending<'a>> {
            Some(Appending { json, case, opts })
        }
        match self {
            Command::Key(K::Enrol(a)) => on(false, &a.case, &a.append),
            Command::Key(K::Revoke(a)) => on(false, &a.case, &a.append),
            Command::Key(K::Rotate(a)) => on(false, &a.case, &a.append),
            Command::Release(a) => on(false, &a.case, &a.append),
            Command::Open(a) => on(false, &a.case, &a.append),
            Command::Reseal(a) => on(false, &a.case, &a.append),
            Command::Note(a) => on(false, &a.case, &a.append),
            Command::Dispose(a) => on(false, &a.case, &a.append),
            Command::Tsa(TsaCommand::Add(a)) => on(false, &a.case, &a.append),
            Command::Ioc(I::Review(a)) => on(false, &a.case, &a.append),
            Command::Witness(W::Add(a)) => on(false, &a.case, &a.append),
            Command::Seal(a) => on(a.json, &a.case, &a.append),
            Command::Accept(a) => on(a.json, &a.case, &a.append),
            Command::Ioc(I::Scan(a)) => on(a.json, &a.case, &a.append),
            Command::Export(a) => match a.format {
                ExportFormat::Bagit => on(a.json, &a.case, &a.append),
                ExportFormat::CaseUco => None,
            },
            // A report is recorded (appended) only when signed with --key.
            Command::Report(r) => match (&r.action, &r.render) {
                (None, Some(x)) if x.key.is_some() => on(false, &r.case, &r.append),
                _ => None,
            },
            // `init` writes entry 0 of a case that has no TSA or witness yet.
            Command::Init(_)
            | Command::Key(K::New(_) | K::Show(_) | K::List(_))
            | Command::Tsa(TsaCommand::List(_))
            | Command::Witness(W::Serve(_) | W::Vkey(_) | W::Request(_))
            | Command::Ioc(I::Findings(_) | I::Correlate(_))
            | Command::Log(_)
            | Command::Verify(_)
            | Command::Checkpoint(_)
            | Command::Prove(_)
            | Command::Consistency(_)
            | Command::Repair(_)
            | Command::Show(_)
            | Command::Exhibits(_)
            | Command::Cosign(_)
            | Command::Timestamp(_)
            | Command::Demo(_)
            | Command::VerifyBundle(_)
            | Command::Import(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Verifier(_) => None,
        }
    }
}

/// `witness`.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Run a C2SP tlog-witness over HTTP (POST /add-checkpoint) until killed: it cosigns a
    /// checkpoint signed by a --log key only if it extends, consistently, the last one it
    /// cosigned for that origin (kept durably in --state), and logs every refusal.
    Serve(WitnessServeArgs),
    /// Print a witness key's cosignature verifier key (alg 0x04), for `witness add --vkey`.
    Vkey(WitnessVkeyArgs),
    /// Enrol a witness in the case (a signed `key.enrol` of role witness) and record its URL.
    Add(WitnessAddArgs),
    /// Ask the case's witnesses (all, or those named) to cosign the latest checkpoint.
    Request(WitnessRequestArgs),
}

/// `witness serve`.
#[derive(Debug, Args)]
pub struct WitnessServeArgs {
    /// The witness's private key file (its name is the name of its cosignatures).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// The address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: String,
    /// The state directory: per origin, the latest checkpoint cosigned; refusals.jsonl.
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// A note verifier key (`scelle key show`) whose checkpoints it cosigns; repeatable.
    #[arg(long = "log", value_name = "VERIFIER_KEY")]
    pub logs: Vec<String>,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `witness vkey`.
#[derive(Debug, Args)]
pub struct WitnessVkeyArgs {
    /// The witness's private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `witness add`.
#[derive(Debug, Args)]
pub struct WitnessAddArgs {
    /// The witness's URL (its submission prefix: /add-checkpoint is appended).
    pub url: String,
    /// The witness's name: the name in its verifier key.
    #[arg(long)]
    pub name: String,
    /// Its cosignature verifier key, as `scelle witness vkey` prints it.
    #[arg(long, value_name = "WITNESS_VKEY")]
    pub vkey: String,
    /// The administrator's private key file (signs the enrolment).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `witness request`.
#[derive(Debug, Args)]
pub struct WitnessRequestArgs {
    /// The witnesses to ask (default: all the case's).
    pub names: Vec<String>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `cosign`.
#[derive(Debug, Args)]
pub struct CosignArgs {
    /// The checkpoint file to countersign.
    pub checkpoint: PathBuf,
    /// The witness's private key file (enrolled in the case).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `key new`.
#[derive(Debug, Args)]
pub struct KeyNewArgs {
    /// The signer's name (letters, digits, . _ - @), used in checkpoint signatures.
    #[arg(long)]
    pub name: String,
    /// The signer's role (expert, counsel, examiner, court, witness).
    #[arg(long)]
    pub role: Option<String>,
    /// The directory to write the two files to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `key show`.
#[derive(Debug, Args)]
pub struct KeyShowArgs {
    /// A NAME.pub or NAME.key file (a .key needs its passphrase).
    pub keyfile: PathBuf,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
}

/// `seal`.
#[derive(Debug, Args)]
pub struct SealArgs {
    /// Files, directories, tar or zip archives; each becomes one exhibit.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The signer's private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Seal number (scellé n°, número de precinto, bag id); one path only.
    #[arg(long)]
    pub seal_no: Option<String>,
    /// Description of the exhibit.
    #[arg(long)]
    pub description: Option<String>,
    /// Also compute SHA-512.
    #[arg(long)]
    pub sha512: bool,
    /// Also compute MD5 and SHA-1, recorded as labelled legacy values.
    #[arg(long)]
    pub legacy_hashes: bool,
    /// Treat the paths as this kind.
    #[arg(long = "as", value_enum, default_value = "auto")]
    pub r#as: ArtifactKind,
    /// JSON Lines output.
    #[arg(long)]
    pub json: bool,
    /// Item type (phone, laptop, disk ...).
    #[arg(long, help_heading = "Item as found")]
    pub item_type: Option<String>,
    /// Make.
    #[arg(long, help_heading = "Item as found")]
    pub make: Option<String>,
    /// Model.
    #[arg(long, help_heading = "Item as found")]
    pub model: Option<String>,
    /// Serial number.
    #[arg(long, help_heading = "Item as found")]
    pub serial: Option<String>,
    /// IMEI, digits only (repeat for a dual-SIM phone); its check digit is verified.
    #[arg(long, help_heading = "Item as found")]
    pub imei: Vec<String>,
    /// ICCID of a SIM card found in it (repeat); its check digit is verified.
    #[arg(long, help_heading = "Item as found")]
    pub iccid: Vec<String>,
    /// IMSI of a subscription (repeat).
    #[arg(long, help_heading = "Item as found")]
    pub imsi: Vec<String>,
    /// Phone number (repeat), e.g. +33612345678.
    #[arg(long, help_heading = "Item as found")]
    pub phone_number: Vec<String>,
    /// Operating system and version as found, e.g. "iOS 17.4.1".
    #[arg(long, help_heading = "Item as found")]
    pub os_version: Option<String>,
    /// The seal number the seizing officer (OPJ, police) gave the item.
    #[arg(long, help_heading = "Item as found")]
    pub seized_seal_no: Option<String>,
    /// Capacity.
    #[arg(long, help_heading = "Item as found")]
    pub capacity: Option<String>,
    /// Condition as found.
    #[arg(long, help_heading = "Item as found")]
    pub condition: Option<String>,
    /// Acquisition method (logical, full-file-system, physical ...).
    #[arg(long, help_heading = "Acquisition")]
    pub method: Option<String>,
    /// Acquisition tool.
    #[arg(long, help_heading = "Acquisition")]
    pub tool: Option<String>,
    /// Acquisition tool version.
    #[arg(long, help_heading = "Acquisition")]
    pub tool_version: Option<String>,
    /// Write-blocker used.
    #[arg(long, help_heading = "Acquisition")]
    pub write_blocker: Option<String>,
    /// Tool parameters.
    #[arg(long, help_heading = "Acquisition")]
    pub parameters: Option<String>,
    /// Errors during acquisition.
    #[arg(long, help_heading = "Acquisition")]
    pub errors: Option<String>,
    /// Unavoidable changes to the source, and why.
    #[arg(long, help_heading = "Acquisition")]
    pub changes: Option<String>,
    /// Who acquired it.
    #[arg(long, help_heading = "Acquisition")]
    pub operator: Option<String>,
    /// The operator's role.
    #[arg(long, help_heading = "Acquisition")]
    pub operator_role: Option<String>,
    /// The operator's organisation.
    #[arg(long, help_heading = "Acquisition")]
    pub organisation: Option<String>,
    /// A person present (repeat for each).
    #[arg(long, help_heading = "Acquisition")]
    pub present: Vec<String>,
    /// When acquired, RFC 3339 with local offset (2026-11-20T14:05:00+01:00).
    #[arg(long, help_heading = "Acquisition")]
    pub acquired_at: Option<String>,
    /// Which clock that time comes from.
    #[arg(long, help_heading = "Acquisition")]
    pub clock: Option<String>,
    /// Where.
    #[arg(long, help_heading = "Acquisition")]
    pub location: Option<String>,
    /// Legal authority (warrant, ordonnance, auto judicial, EIO reference).
    #[arg(long, help_heading = "Acquisition")]
    pub authority: Option<String>,
    /// Why it was acquired.
    #[arg(long, help_heading = "Acquisition")]
    pub reason: Option<String>,
    /// SHA-256 of the source reported by the acquisition tool (compared and recorded).
    #[arg(long, help_heading = "Acquisition")]
    pub source_sha256: Option<String>,
    /// MD5 of the source reported by the acquisition tool (Guymager, FTK Imager); the seal
    /// computes MD5 and SHA-1 too, in the same pass, to compare it.
    #[arg(long, help_heading = "Acquisition")]
    pub source_md5: Option<String>,
    /// SHA-1 of the source reported by the acquisition tool; the seal computes MD5 and SHA-1
    /// too, in the same pass, to compare it.
    #[arg(long, help_heading = "Acquisition")]
    pub source_sha1: Option<String>,
    /// Exhibit id of the original, for a working copy.
    #[arg(long, help_heading = "Acquisition", value_name = "EXHIBIT")]
    pub parent: Option<String>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `ioc`.
#[derive(Debug, Subcommand)]
pub enum IocCommand {
    /// Re-hash exhibits and search them (every tar member too) for the indicators of STIX 2.1
    /// files; record what matched, or that nothing did, as a signed entry.
    Scan(IocScanArgs),
    /// List every finding of every recorded scan, as SCAN#N, with where it is and its current
    /// review; `--mentions` adds the low-confidence mentions.
    Findings(IocFindingsArgs),
    /// Record your decision about a finding (`ioc findings` lists them): confirmed or
    /// dismissed, with the reason, as a signed `ioc.review` entry; a later review supersedes
    /// an earlier one.
    Review(IocReviewArgs),
    /// The indicators matched in two or more cases, and where: the infrastructure they share.
    Correlate(IocCorrelateArgs),
}

/// `ioc scan`.
#[derive(Debug, Args)]
pub struct IocScanArgs {
    /// A STIX 2.1 bundle of indicators (repeat for several), e.g. Amnesty's pegasus.stix2.
    #[arg(long = "stix", value_name = "FILE.stix2", required = true)]
    pub stix: Vec<PathBuf>,
    /// Exhibits to scan (default: every exhibit not disposed of).
    #[arg(value_name = "EXHIBIT")]
    pub exhibits: Vec<String>,
    /// Your private key file, to sign the scan.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// Where an exhibit is, if not at its sealed path: EXHIBIT=PATH (repeat).
    #[arg(long = "path", value_name = "EXHIBIT=PATH")]
    pub paths: Vec<String>,
    /// JSON output: the recorded entry's body.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `ioc findings`.
#[derive(Debug, Args)]
pub struct IocFindingsArgs {
    /// Also list the mentions: low-confidence raw-content hits, never findings.
    #[arg(long)]
    pub mentions: bool,
    /// JSON Lines output: a `scan` record per scan, then a `finding` record per finding (and
    /// with --mentions a `mention` record per mention).
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `ioc review`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["confirm", "dismiss"])))]
pub struct IocReviewArgs {
    /// The scan's entry (the SCAN of SCAN#N in `ioc findings`); optional when --finding is
    /// given as SCAN#N.
    #[arg(long, value_name = "SEQ")]
    pub scan: Option<u64>,
    /// The finding: its number N in the scan (from 0), or SCAN#N as `ioc findings` prints it.
    #[arg(long, value_name = "N")]
    pub finding: String,
    /// The finding is confirmed.
    #[arg(long)]
    pub confirm: bool,
    /// The finding is dismissed (a false positive).
    #[arg(long)]
    pub dismiss: bool,
    /// Why (required: the documents print it with the decision).
    #[arg(long)]
    pub reason: String,
    /// Your private key file, to sign the review.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// `ioc correlate`.
#[derive(Debug, Args)]
pub struct IocCorrelateArgs {
    /// Two or more case directories or evidence bundles (BUNDLE.tar, checked as by
    /// `verify-bundle`).
    #[arg(required = true, num_args = 2.., value_name = "CASE|BUNDLE")]
    pub cases: Vec<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Print the ledger's lines themselves (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `report`: render a document (`report DOCUMENT --lang …`), or `report init-input`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportCommand {
    /// `init-input`.
    #[command(subcommand)]
    pub action: Option<ReportAction>,
    /// Rendering a document.
    #[command(flatten)]
    pub render: Option<ReportArgs>,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
    /// `--passphrase-file`.
    #[command(flatten)]
    pub pass: PassphraseOpt,
    /// `--no-timestamp`, `--no-witness`.
    #[command(flatten)]
    pub append: AppendOpts,
}

/// The subcommands of `report`.
#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Write the commented blank input file (REPORT.toml) of a document: every key it reads,
    /// each with what it is for; fill it in, then `report DOCUMENT --input REPORT.toml`.
    InitInput(InitInputArgs),
}

/// `report init-input`.
#[derive(Debug, Args)]
pub struct InitInputArgs {
    /// expert-report, certificate, seals (procès-verbal) or custody (cadena de custodia).
    #[arg(long, hide_possible_values = true)]
    pub document: DocumentKind,
    /// Language of the comments (the document's): en, fr or es.
    #[arg(long, hide_possible_values = true)]
    pub lang: Lang,
    /// Sections of this jurisdiction: us, fr or es (default: the case's if there is one, else
    /// en us, fr fr, es es).
    #[arg(long, hide_possible_values = true)]
    pub jurisdiction: Option<Jurisdiction>,
    /// The file to write (default: standard output).
    #[arg(long, value_name = "REPORT.toml")]
    pub out: Option<PathBuf>,
    /// Replace REPORT.toml if it exists.
    #[arg(long)]
    pub force: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `report DOCUMENT`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// expert-report, certificate, seals (seal traceability table) or custody (chain of custody).
    #[arg(hide_possible_values = true)]
    pub document: DocumentKind,
    /// Language of the document: en, fr or es.
    #[arg(long, hide_possible_values = true)]
    pub lang: Lang,
    /// The PDF to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Record the PDF's SHA-256 in the ledger, signed with this key.
    #[arg(long, value_name = "KEYFILE")]
    pub key: Option<PathBuf>,
    /// Sections of this jurisdiction, for a case opened without one (a case's recorded
    /// jurisdiction cannot be overridden): us, fr or es.
    #[arg(long, hide_possible_values = true)]
    pub jurisdiction: Option<Jurisdiction>,
    /// Bates prefix (enables Bates numbering, lower right). Numbers continue the case's
    /// production: the first page follows the highest number recorded with this prefix in the
    /// ledger. Refused if it ends with a digit, or if a seal number of the case starts with it
    /// followed by a digit (the Bates numbers would read as seal numbers).
    #[arg(long)]
    pub bates_prefix: Option<String>,
    /// First Bates number (default: after the last one recorded with the prefix, or 1).
    /// Refused if the pages would overlap a range already recorded with the prefix.
    #[arg(long, requires = "bates_prefix")]
    pub bates_start: Option<u64>,
    /// Digits of the Bates counter (default: as many as the last number recorded with the
    /// prefix, so a production keeps one width and sorts as text; else 6).
    #[arg(long, requires = "bates_prefix")]
    pub bates_digits: Option<u32>,
    /// a4 or letter (default: letter for a US case, a4 otherwise).
    #[arg(long, hide_possible_values = true)]
    pub paper: Option<Paper>,
    /// PDF/A level. 3b (default): two files, FILE.pdf the evidence variant (PDF/A-3b, the
    /// ledger and checkpoint attached) and FILE-filing.pdf the filing variant (PDF/A-2b, no
    /// attachments, as CM/ECF and LexNET accept), both recorded by one entry; 2b or 1b: one
    /// file without attachments.
    #[arg(long, default_value = "3b", hide_possible_values = true)]
    pub pdfa: PdfA,
    /// Only these exhibits, comma-separated (E-0001,E-0003).
    #[arg(long, value_delimiter = ',', value_name = "EXHIBIT")]
    pub exhibits: Vec<String>,
    /// The expert's narrative and parameters (TOML; see templates/README.md).
    #[arg(long, value_name = "REPORT.toml")]
    pub input: Option<PathBuf>,
    /// A folder of templates overriding the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Another case to correlate IOC findings with (expert report's correlation annex; repeat).
    #[arg(long, value_name = "CASE")]
    pub correlate: Vec<PathBuf>,
    /// Replace FILE.pdf if it exists.
    #[arg(long)]
    pub force: bool,
    /// Sign each PDF written (PAdES baseline B-B, an incremental update that keeps PDF/A):
    /// by default with the --key's Ed25519 key and a certificate made for it from its key
    /// record, written next to the PDF as FILE-signer.pem for validators to trust.
    #[arg(long)]
    pub sign: bool,
    /// With --sign: the certificate a CA issued for the --key's Ed25519 key (PEM or DER),
    /// instead of the self-issued one.
    #[arg(
        long,
        value_name = "CERT.pem",
        requires = "sign",
        conflicts_with = "pkcs12"
    )]
    pub signer_cert: Option<PathBuf>,
    /// With --sign: sign with the RSA or ECDSA P-256 key and X.509 certificate of this PKCS#12
    /// file (e.g. a qualified certificate); passphrase from SCELLE_PKCS12_PASSPHRASE, else a
    /// prompt.
    #[arg(long, value_name = "FILE.p12", requires = "sign")]
    pub pkcs12: Option<PathBuf>,
    /// With --sign: the case's TSA (`tsa add`) that timestamps each signature (PAdES B-T); if
    /// it does not answer, nothing is written.
    #[arg(long, value_name = "NAME", requires = "sign")]
    pub tsa: Option<String>,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Check that this PDF is a document recorded in the ledger (by its SHA-256).
    #[arg(long, value_name = "FILE.pdf")]
    pub report: Option<PathBuf>,
    /// Re-hash every artifact and tar member against its record, printing OK or FAILED for
    /// each exhibit and each differing file (a case imported from a bundle: the copies it
    /// carries under data/artifacts/).
    #[arg(long)]
    pub rehash: bool,
    /// With --rehash: where an exhibit is now, if it moved since its seal: EXHIBIT=PATH
    /// (repeat).
    #[arg(long = "path", value_name = "EXHIBIT=PATH", requires = "rehash")]
    pub paths: Vec<String>,
    /// A checkpoint kept from earlier (by counsel, the court, a witness): fail with `rollback`
    /// if the case is behind it or inconsistent with it (repeat for several).
    #[arg(long, value_name = "FILE")]
    pub trusted_checkpoint: Vec<PathBuf>,
    /// JSON Lines output (see docs/FORMAT.md).
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// An exhibit id (E-0001) or an entry's sequence number.
    #[arg(value_name = "EXHIBIT|SEQ")]
    pub target: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `consistency`.
#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// A checkpoint file held from earlier.
    pub old_checkpoint: PathBuf,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// `-C/--case`.
    #[command(flatten)]
    pub case: CaseOpt,
}

/// `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build it (default ./scelle-demo).
    pub dir: Option<PathBuf>,
    /// Replace an earlier demo in DIR (only a directory made by `scelle demo`).
    #[arg(long)]
    pub force: bool,
}

/// What an argument that takes exhibit ids takes, from its value name (the one place it is
/// said: EXHIBIT, EXHIBIT|SEQ, EXHIBIT=PATH), for the completions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExhibitValue {
    /// An id (a `--exhibits` list: ids separated by commas).
    Id,
    /// `EXHIBIT=PATH`: an id then `=`.
    IdPath,
}

fn exhibit_value(a: &clap::Arg) -> Option<ExhibitValue> {
    match a.get_value_names()?.first()?.as_str() {
        "EXHIBIT=PATH" => Some(ExhibitValue::IdPath),
        n if n.starts_with("EXHIBIT") => Some(ExhibitValue::Id),
        _ => None,
    }
}

/// A command's arguments, as the bash completion needs them: its path (`ioc scan`), whether
/// its positional arguments take exhibit ids, its options that take ids, that take
/// `EXHIBIT=PATH`, and all its options that take a value.
struct CompletionSpec {
    path: Vec<String>,
    positional_ids: bool,
    id_options: Vec<String>,
    id_path_options: Vec<String>,
    value_options: Vec<String>,
}

fn completion_specs(cmd: &clap::Command, path: &[String], out: &mut Vec<CompletionSpec>) {
    let names = |a: &clap::Arg| {
        let mut n: Vec<String> = a.get_long().map(|l| format!("--{l}")).into_iter().collect();
        n.extend(a.get_short().map(|s| format!("-{s}")));
        n
    };
    let mut spec = CompletionSpec {
        path: path.to_vec(),
        positional_ids: false,
        id_options: Vec::new(),
        id_path_options: Vec::new(),
        value_options: Vec::new(),
    };
    for a in cmd.get_arguments() {
        let takes_value = a.get_num_args().is_some_and(|n| n.takes_values())
            || matches!(
                a.get_action(),
                clap::ArgAction::Set | clap::ArgAction::Append
            );
        match (a.is_positional(), exhibit_value(a)) {
            (true, Some(_)) => spec.positional_ids = true,
            (true, None) => {}
            (false, Some(ExhibitValue::Id)) => spec.id_options.extend(names(a)),
            (false, Some(ExhibitValue::IdPath)) => spec.id_path_options.extend(names(a)),
            (false, None) => {}
        }
        if !a.is_positional() && takes_value {
            spec.value_options.extend(names(a));
        }
    }
    out.push(spec);
    for sub in cmd.get_subcommands() {
        let sub_path = [path, &[sub.get_name().to_string()]].concat();
        completion_specs(sub, &sub_path, out);
    }
}

/// The completion script for `shell`, from these definitions: clap_complete's, with the
/// exhibit ids of the case in use offered wherever an argument takes one (see
/// [`exhibit_value`]): the script runs `scelle exhibits --ids` (with the -C/--case of the
/// command line being completed, else $SCELLE_CASE, else the current directory). For zsh and
/// fish, such an argument is given a value hint scelle uses nowhere else (Username: ids;
/// Hostname: EXHIBIT=PATH) whose action is then replaced by scelle's; for bash (which
/// clap_complete gives no hints) and for fish's positional arguments, the script adds its own
/// rules, from the same definitions.
pub fn completions(shell: clap_complete::Shell) -> String {
    use clap_complete::Shell;
    fn hint(cmd: clap::Command) -> clap::Command {
        let ids: Vec<(clap::Id, ExhibitValue)> = cmd
            .get_arguments()
            .filter_map(|a| exhibit_value(a).map(|v| (a.get_id().clone(), v)))
            .collect();
        let mut cmd = cmd;
        for (id, v) in ids {
            cmd = cmd.mut_arg(id, |a| {
                a.value_hint(match v {
                    ExhibitValue::Id => clap::ValueHint::Username,
                    ExhibitValue::IdPath => clap::ValueHint::Hostname,
                })
            });
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(&name, hint);
        }
        cmd
    }
    let mut cmd = hint(with_shared(false));
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "scelle", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        Shell::Bash => {
            let mut specs = Vec::new();
            completion_specs(&cmd, &[], &mut specs);
            let registered = "complete -F _scelle ";
            debug_assert_eq!(script.matches(registered).count(), 2);
            let script = script.replace(registered, "complete -F _scelle_with_exhibits ");
            format!("{script}\n{}", bash_exhibits(&specs))
        }
        Shell::Zsh => {
            let script = script
                .replace(":_users'", ":_scelle_exhibits'")
                .replace(":_hosts'", ":_scelle_exhibits ='");
            // The helper goes before the `compdef` line (or the autoload call) at the end.
            let at = script
                .rfind("if [ \"$funcstack[1]\" = \"_scelle\" ]")
                .unwrap_or(script.len());
            format!("{}{}{}", &script[..at], ZSH_EXHIBITS, &script[at..])
        }
        Shell::Fish => {
            let script = script
                .replace("\"(__fish_complete_users)\"", "\"(__scelle_exhibits)\"")
                .replace("\"(__fish_print_hostnames)\"", "\"(__scelle_exhibits =)\"");
            let mut specs = Vec::new();
            completion_specs(&cmd, &[], &mut specs);
            let mut rules = String::from(FISH_EXHIBITS);
            for spec in specs.iter().filter(|s| s.positional_ids) {
                let cond: Vec<String> = spec
                    .path
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        if i == 0 {
                            format!("__fish_scelle_using_subcommand {p}")
                        } else {
                            format!("__fish_seen_subcommand_from {p}")
                        }
                    })
                    .collect();
                rules.push_str(&format!(
                    "complete -c scelle -n \"{}\" -f -a \"(__scelle_exhibits)\"\n",
                    cond.join("; and ")
                ));
            }
            format!("{script}\n{rules}")
        }
        _ => script,
    }
}

/// The case named on the command line being completed, else none (scelle then takes
/// $SCELLE_CASE, else the current directory), and its exhibit ids: zsh.
const ZSH_EXHIBITS: &str = r#"(( $+functions[_scelle_exhibits] )) ||
_scelle_exhibits() {
    # The whole command line up to the cursor: `words` holds only the subcommand's words.
    local i dir suffix=$1
    local -a line ids
    line=(${(Q)${(z)LBUFFER}})
    for (( i = 2; i <= $#line; i++ )); do
        case ${line[i]} in
            -C|--case) dir=${line[i+1]} ;;
            --case=*) dir=${line[i]#--case=} ;;
            -C?*) dir=${line[i]#-C} ;;
        esac
    done
    [[ $dir == '~'* ]] && dir=$HOME${dir#'~'}
    ids=(${(f)"$(${line[1]} exhibits --ids ${dir:+-C} ${dir:+$dir} 2>/dev/null)"})
    compset -P '*,'
    compadd -S "$suffix" -- $ids
}

"#;

/// As [`ZSH_EXHIBITS`], for fish: the ids (with `=` after each given `=`), after the ids
/// already written before a comma of the current token.
const FISH_EXHIBITS: &str = r#"function __scelle_exhibits
    set -l tokens (commandline -opc)
    set -l dir
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case -C --case
                set -l j (math $i + 1)
                set -q tokens[$j]; and set dir $tokens[$j]
            case '--case=*'
                set dir (string replace -- '--case=' '' $tokens[$i])
            case '-C?*'
                set dir (string sub -s 3 -- $tokens[$i])
        end
    end
    set dir (string replace -r '^~' $HOME -- $dir)
    set -l before (string match -r '^.*,' -- (commandline -ct))
    set -l ids
    if test -n "$dir"
        set ids ($tokens[1] exhibits --ids -C $dir 2>/dev/null)
    else
        set ids ($tokens[1] exhibits --ids 2>/dev/null)
    end
    for id in $ids
        echo "$before$id$argv[1]"
    end
end
"#;

/// The bash rules: after clap_complete's `_scelle`, the exhibit ids of the case replace what
/// it offered for an argument that takes them.
fn bash_exhibits(specs: &[CompletionSpec]) -> String {
    let mut paths = String::new();
    let mut rules = String::new();
    for spec in specs {
        let path = spec.path.join("/");
        if let Some((last, parent)) = spec.path.split_last() {
            paths.push_str(&format!(
                "            \"{}/{last}\") path=\"{path}\" ;;\n",
                parent.join("/")
            ));
        }
        rules.push_str(&format!(
            "        \"{path}\") pos={} ids=\" {} \" idpaths=\" {} \" values=\" {} \" ;;\n",
            u8::from(spec.positional_ids),
            spec.id_options.join(" "),
            spec.id_path_options.join(" "),
            spec.value_options.join(" ")
        ));
    }
    // The root's options that take a value (-C CASE_DIR, --passphrase-file FILE).
    let roots = specs
        .first()
        .map(|s| s.value_options.join(" "))
        .unwrap_or_default();
    format!(
        r#"# The exhibit ids of the case named on the command line (-C/--case), else of $SCELLE_CASE,
# else of the current directory.
_scelle_exhibit_ids() {{
    local i dir=""
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "${{COMP_WORDS[i]}}" in
            -C|--case) dir="${{COMP_WORDS[i+1]}}"; [[ $dir == "=" ]] && dir="${{COMP_WORDS[i+2]}}" ;;
            -C?*) dir="${{COMP_WORDS[i]#-C}}" ;;
        esac
    done
    [[ $dir == "~"* ]] && dir="$HOME${{dir#"~"}}"
    if [[ -n $dir ]]; then
        "${{COMP_WORDS[0]}}" exhibits --ids -C "$dir" 2>/dev/null
    else
        "${{COMP_WORDS[0]}}" exhibits --ids 2>/dev/null
    fi
}}

# clap_complete's completion, then the exhibit ids where an argument takes them.
_scelle_with_exhibits() {{
    _scelle "$@"
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local i path="" pos=0 ids="" idpaths="" values=""
    [[ $prev == "=" ]] && prev="${{COMP_WORDS[COMP_CWORD-2]}}"
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "$path/${{COMP_WORDS[i]}}" in
{paths}        esac
    done
    case "$path" in
{rules}    esac
    local roots=" {roots} "
    if [[ $ids == *" $prev "* ]]; then
        local before=""
        [[ $cur == *,* ]] && before="${{cur%,*}},"
        COMPREPLY=( $(compgen -P "$before" -W "$(_scelle_exhibit_ids)" -- "${{cur##*,}}") )
    elif [[ $idpaths == *" $prev "* ]]; then
        COMPREPLY=( $(compgen -S = -W "$(_scelle_exhibit_ids)" -- "$cur") )
        compopt -o nospace 2>/dev/null
    elif [[ $pos == 1 && $cur != -* && $values != *" $prev "* && $roots != *" $prev "* ]]; then
        COMPREPLY=( $(compgen -W "$(_scelle_exhibit_ids)" -- "$cur") )
    fi
    return 0
}}
"#,
    )
}

/// The man pages of every command and subcommand, rendered from these definitions, as
/// (file name, roff bytes), the way `clap_mangen::generate_to` names them (`scelle-key-new.1`).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(
        cmd: clap::Command,
        path: &str,
        out: &mut Vec<(String, Vec<u8>)>,
    ) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            let sub_path = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &sub_path, out)?;
        }
        let has_subcommands = cmd.has_subcommands();
        let has_version = cmd.get_version().is_some() || cmd.get_long_version().is_some();
        let has_extra = cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some();
        let man = clap_mangen::Man::new(cmd);
        let mut page = Vec::new();
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;
        if has_subcommands {
            man.render_subcommands_section(&mut page)?;
        }
        if has_extra {
            man.render_extra_section(&mut page)?;
        }
        page.extend_from_slice(examples_roff(path).as_bytes());
        if has_version {
            man.render_version_section(&mut page)?;
        }
        out.push((man.get_filename(), page));
        Ok(())
    }
    let mut cmd =
        // The examples go to their own section (EXAMPLES), not after the help (EXTRA).
        command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    walk(cmd, "", &mut pages)?;
    pages.sort();
    Ok(pages)
}

/// Examples of each command (its path: `seal`, `key new`), each a sentence and a command line:
/// shown after `--help` and as the EXAMPLES section of its man page. The real workflow, as the
/// README's quick start runs it.
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    ("init", &[
        ("A French case, its documents in French, times printed in Paris time:", "scelle init affaire-117 --case-id 2026/117 --title \"Ministère public c. X\" --court \"Tribunal judiciaire de Paris\" --jurisdiction fr --lang fr --timezone Europe/Paris --full-name \"Jean-Marc Dupré\" --key keys/dupre.key"),
    ]),
    ("key new", &[
        ("Your key pair (asks for a passphrase of at least 15 characters, twice):", "scelle key new --name dupre --role expert --out keys"),
    ]),
    ("key enrol", &[
        ("Counsel's public key, with the full name printed in listings and documents:", "scelle key enrol keys/avocat.pub --name avocat --role counsel --full-name \"Maître Inès Martín\" --key keys/dupre.key"),
    ]),
    ("seal", &[
        ("A phone extraction, with the fields an acquisition log records:", "scelle seal iphone-ffs.tar --seal-no PV-117-1 --item-type phone --make Apple --model \"iPhone 14\" --imei 356789104512346 --method full-file-system --tool GrayKey --tool-version 1.9 --acquired-at 2026-12-01T10:30:00+01:00 --key keys/dupre.key"),
        ("A disk image, comparing the MD5 the imaging tool logged:", "scelle seal disk.E01 --seal-no PV-117-3 --source-md5 9e107d9d372bb6826bd81d3542a419d6 --key keys/dupre.key"),
        ("A folder of logs:", "scelle seal sysdiagnose --seal-no PV-117-2 --description \"sysdiagnose logs\" --key keys/dupre.key"),
    ]),
    ("exhibits", &[
        ("Every exhibit, its seal number, state, holder and SHA-256:", "scelle exhibits"),
    ]),
    ("show", &[
        ("An exhibit by its seal number (or E-0001, or 1):", "scelle show PV-117-1"),
    ]),
    ("verify", &[
        ("Everything, re-hashing every exhibit (OK or FAILED per exhibit and per file):", "scelle verify --rehash"),
        ("Evidence moved since it was sealed:", "scelle verify --rehash --path E-0001=/mnt/evidence/iphone-ffs.tar"),
        ("Against a checkpoint kept from an earlier hand-over:", "scelle verify --trusted-checkpoint received/000000000017.txt"),
    ]),
    ("release", &[
        ("Hand two exhibits over to counsel:", "scelle release E-0001 E-0002 --to avocat --purpose \"contre-expertise\" --key keys/dupre.key"),
    ]),
    ("accept", &[
        ("Counsel re-hashes them, then signs the acceptance:", "scelle accept E-0001 E-0002 --key keys/avocat.key"),
    ]),
    ("ioc scan", &[
        ("Every exhibit with Amnesty's Pegasus indicators (the result is signed, \"no match\" included):", "scelle ioc scan --stix pegasus.stix2 --key keys/dupre.key"),
    ]),
    ("report", &[
        ("The French tableau des scellés, from its filled-in input:", "scelle report seals --lang fr --input scelles.toml --key keys/dupre.key --out scelles.pdf"),
    ]),
    ("export", &[
        ("The bundle for the other parties, with the artifacts:", "scelle export --out scelles-117.tar --with-artifacts --key keys/dupre.key"),
    ]),
    ("verify-bundle", &[
        ("What the receiving party runs (then compares the fingerprints out of band):", "scelle verify-bundle scelles-117.tar"),
    ]),
    ("import", &[
        ("Extract a bundle only if it verifies:", "scelle import scelles-117.tar --into received-117"),
    ]),
    ("verifier", &[
        ("The browser verifier, for counsel (open it, drop the bundle onto it):", "scelle verifier --out verify.html"),
    ]),
];

/// The examples of the command at `path`.
fn examples_of(path: &str) -> &'static [(&'static str, &'static str)] {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[], |(_, e)| e)
}

/// `cmd` and its subcommands with their examples after their long help (`--help`).
pub fn with_examples(cmd: clap::Command) -> clap::Command {
    fn add(cmd: clap::Command, path: &str) -> clap::Command {
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        let mut cmd = cmd;
        for name in names {
            let sub_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path} {name}")
            };
            cmd = cmd.mut_subcommand(&name, |s| add(s, &sub_path));
        }
        let examples = examples_of(path);
        if examples.is_empty() {
            return cmd;
        }
        let mut text = cmd
            .get_after_long_help()
            .or_else(|| cmd.get_after_help())
            .map(|t| format!("{t}\n\n"))
            .unwrap_or_default();
        text.push_str("Examples:\n");
        for (what, line) in examples {
            text.push_str(&format!("  {what}\n    {line}\n"));
        }
        cmd.after_long_help(text)
    }
    add(cmd, "")
}

/// The EXAMPLES section of the man page of the command at `path` (roff), empty without any.
fn examples_roff(path: &str) -> String {
    let escape = |s: &str| {
        let s = s.replace('\\', "\\e").replace('-', "\\-");
        if s.starts_with('.') || s.starts_with('\'') {
            format!("\\&{s}")
        } else {
            s
        }
    };
    let examples = examples_of(path);
    if examples.is_empty() {
        return String::new();
    }
    let mut roff = String::from(".SH EXAMPLES\n");
    for (what, line) in examples {
        roff.push_str(&format!(
            ".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
            escape(what),
            escape(line)
        ));
    }
    roff
}

/// Parses repeated `EXHIBIT=PATH` arguments (`--path`).
pub fn exhibit_paths(args: &[String]) -> scelle::Result<BTreeMap<String, PathBuf>> {
    let mut paths = BTreeMap::new();
    for p in args {
        let (ex, path) = p
            .split_once('=')
            .ok_or_else(|| scelle::Error::input(format!("--path {p:?}: write EXHIBIT=PATH")))?;
        paths.insert(ex.to_string(), PathBuf::from(path));
    }
    Ok(paths)
}

impl From<&ExtractLimitArgs> for Limits {
    fn from(a: &ExtractLimitArgs) -> Self {
        Limits {
            max_members: a.max_members,
            max_member_size: a.max_member_size,
            max_total_size: a.max_total_size,
            ..Default::default()
        }
    }
}

/// The one place `seal`'s arguments become the library's options: each field of the item and
/// the acquisition next to the argument declared above.
impl From<&SealArgs> for SealOptions {
    fn from(a: &SealArgs) -> Self {
        SealOptions {
            seal_no: a.seal_no.clone(),
            description: a.description.clone(),
            hashes: HashSelection {
                sha512: a.sha512,
                legacy: a.legacy_hashes,
            },
            kind: a.r#as,
            item: Item {
                item_type: a.item_type.clone(),
                make: a.make.clone(),
                model: a.model.clone(),
                serial: a.serial.clone(),
                imei: a.imei.clone(),
                iccid: a.iccid.clone(),
                imsi: a.imsi.clone(),
                phone_number: a.phone_number.clone(),
                os_version: a.os_version.clone(),
                seized_seal_no: a.seized_seal_no.clone(),
                capacity: a.capacity.clone(),
                condition: a.condition.clone(),
            },
            acquisition: Acquisition {
                method: a.method.clone(),
                tool: a.tool.clone(),
                tool_version: a.tool_version.clone(),
                write_blocker: a.write_blocker.clone(),
                parameters: a.parameters.clone(),
                errors: a.errors.clone(),
                changes: a.changes.clone(),
                operator: a.operator.clone(),
                operator_role: a.operator_role.clone(),
                organisation: a.organisation.clone(),
                present: a.present.clone(),
                acquired_at: a.acquired_at.clone(),
                clock: a.clock.clone(),
                location: a.location.clone(),
                authority: a.authority.clone(),
                reason: a.reason.clone(),
                source_sha256: a.source_sha256.clone(),
                source_hash_matches: None,
                source_md5: a.source_md5.clone(),
                source_md5_matches: None,
                source_sha1: a.source_sha1.clone(),
                source_sha1_matches: None,
                parent: a.parent.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own checks of every command and argument (ids, shorts, globals), as built with
    /// the shared options scoped; and as the completion scripts are made.
    #[test]
    fn the_command_line_is_consistent() {
        super::command().debug_assert();
        super::with_shared(false).debug_assert();
    }
}
