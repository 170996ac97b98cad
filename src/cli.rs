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
    /// The case directory (default: $SCELLE_CASE, else the current directory).
    #[arg(
        short = 'C',
        long = "case",
        global = true,
        env = "SCELLE_CASE",
        value_name = "CASE_DIR"
    )]
    pub case: Option<PathBuf>,
    /// Read the key passphrase from FILE: its whole content, less one final line break (else
    /// $SCELLE_PASSPHRASE, else a prompt on the terminal).
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// After a command that appends, do not ask the case's TSAs to timestamp the new
    /// checkpoint (`scelle timestamp` does it later).
    #[arg(long, global = true)]
    pub no_timestamp: bool,
    /// Do not ask the case's witnesses (`witness add`) to cosign after a command that appends.
    #[arg(long, global = true)]
    pub no_witness: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
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
    Checkpoint,
    /// RFC 6962 inclusion proof of an exhibit or entry against the latest checkpoint.
    Prove(ProveArgs),
    /// Prove that the ledger only grew since an older checkpoint.
    Consistency(ConsistencyArgs),
    /// Move a torn last line (an interrupted append) aside, keeping every complete entry.
    Repair,
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
    #[arg(long, value_delimiter = ',')]
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
    List(JsonFlag),
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
}

/// `tsa`.
#[derive(Debug, Subcommand)]
pub enum TsaCommand {
    /// Add an RFC 3161 TSA to the case (administrator only); its tokens must chain to the CA
    /// certificates given. Public and eIDAS-qualified TSAs: see the README.
    Add(TsaAddArgs),
    /// List the case's TSAs.
    List(JsonFlag),
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
}

/// A `--json` flag alone.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// Exhibits to release (E-0001 ...).
    #[arg(required = true)]
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
}

/// `accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// Exhibits to accept.
    #[arg(required = true)]
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
}

/// `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The exhibit.
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
}

/// `reseal`.
#[derive(Debug, Args)]
pub struct ResealArgs {
    /// The exhibit.
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
}

/// `note`.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The exhibit the note is about (none: about the case).
    pub exhibit: Option<String>,
    /// The text.
    #[arg(long)]
    pub text: String,
    /// Your private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
}

/// `dispose`.
#[derive(Debug, Args)]
pub struct DisposeArgs {
    /// The exhibit.
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
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The exhibit: its id (E-0001, e-0001, 1) or its seal number.
    pub exhibit: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `exhibits`.
#[derive(Debug, Args)]
pub struct ExhibitsArgs {
    /// JSON Lines output: one object per exhibit.
    #[arg(long)]
    pub json: bool,
}

impl Command {
    /// Whether the command appends entries to the ledger (and so writes a new checkpoint)
    /// when it succeeds: `Some` with whether its output is JSON Lines, else `None`. The case's
    /// TSAs are then asked to timestamp the new checkpoint and its witnesses to cosign it
    /// (FORMAT.md 8.6, 8.7). Every command is named, so a new one must be classified here.
    pub fn appends(&self) -> Option<bool> {
        use IocCommand as I;
        use KeyCommand as K;
        use WitnessCommand as W;
        match self {
            Command::Key(K::Enrol(_) | K::Revoke(_) | K::Rotate(_))
            | Command::Release(_)
            | Command::Open(_)
            | Command::Reseal(_)
            | Command::Note(_)
            | Command::Dispose(_)
            | Command::Tsa(TsaCommand::Add(_))
            | Command::Ioc(I::Review(_))
            | Command::Witness(W::Add(_)) => Some(false),
            Command::Seal(a) => Some(a.json),
            Command::Accept(a) => Some(a.json),
            Command::Ioc(I::Scan(a)) => Some(a.json),
            Command::Export(a) => matches!(a.format, ExportFormat::Bagit).then_some(a.json),
            // A report is recorded (appended) only when signed with --key.
            Command::Report(r) => match (&r.action, &r.render) {
                (None, Some(x)) if x.key.is_some() => Some(false),
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
            | Command::Checkpoint
            | Command::Prove(_)
            | Command::Consistency(_)
            | Command::Repair
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
}

/// `witness vkey`.
#[derive(Debug, Args)]
pub struct WitnessVkeyArgs {
    /// The witness's private key file.
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
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
}

/// `witness request`.
#[derive(Debug, Args)]
pub struct WitnessRequestArgs {
    /// The witnesses to ask (default: all the case's).
    pub names: Vec<String>,
}

/// `cosign`.
#[derive(Debug, Args)]
pub struct CosignArgs {
    /// The checkpoint file to countersign.
    pub checkpoint: PathBuf,
    /// The witness's private key file (enrolled in the case).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
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
}

/// `key show`.
#[derive(Debug, Args)]
pub struct KeyShowArgs {
    /// A NAME.pub or NAME.key file (a .key needs its passphrase).
    pub keyfile: PathBuf,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
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
    #[arg(long, help_heading = "Acquisition")]
    pub parent: Option<String>,
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
    #[arg(long, value_delimiter = ',')]
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
}

/// `prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// An exhibit id (E-0001) or an entry's sequence number.
    pub target: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `consistency`.
#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// A checkpoint file held from earlier.
    pub old_checkpoint: PathBuf,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
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

/// The completion script for `shell`, from these definitions.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "scelle", &mut script);
    String::from_utf8_lossy(&script).into_owned()
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
        <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
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
