//! The bodies of the entry kinds, as typed structs. Every struct refuses unknown fields, and
//! optional fields are omitted (never `null`) when absent.

use serde::{Deserialize, Serialize};

/// Entry kind of the first entry of every ledger.
pub const KIND_CASE_OPEN: &str = "case.open";
/// Entry kind recording one sealed artifact.
pub const KIND_SEAL: &str = "seal";
/// The administrator enrols a signer's key.
pub const KIND_KEY_ENROL: &str = "key.enrol";
/// The administrator revokes a key.
pub const KIND_KEY_REVOKE: &str = "key.revoke";
/// A key hands over to its successor (signed by the old key).
pub const KIND_KEY_ROTATE: &str = "key.rotate";
/// The holder releases exhibits to a named receiver.
pub const KIND_RELEASE: &str = "release";
/// The receiver accepts released exhibits after re-hashing them.
pub const KIND_ACCEPT: &str = "accept";
/// The holder opens a sealed exhibit for examination (CPP art. 163).
pub const KIND_OPEN: &str = "open";
/// The holder re-seals an opened exhibit under a new seal number.
pub const KIND_RESEAL: &str = "reseal";
/// A signed note, about an exhibit or the case.
pub const KIND_NOTE: &str = "note";
/// The holder disposes of an exhibit (returned, destroyed, ...).
pub const KIND_DISPOSE: &str = "dispose";

/// A rendered document (report, certificate, procès-verbal) recorded by its hash.
pub const KIND_REPORT: &str = "report";

/// A scan of sealed exhibits for indicators of compromise, with what it found (or that it found
/// nothing).
pub const KIND_IOC_SCAN: &str = "ioc.scan";

/// An evidence bundle exported from the case, recorded by its hash (FORMAT.md 6.9).
pub const KIND_EXPORT: &str = "export";

/// The roles a key may be enrolled with.
pub const ROLES: &[&str] = &["expert", "counsel", "examiner", "court", "witness"];

/// The case, as recorded in the `case.open` entry and in `case.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInfo {
    /// Docket or case number, e.g. `3:21-cv-09078-JD`.
    pub case_id: String,
    /// Title, e.g. `Apple Inc. v. NSO Group Technologies`.
    pub title: String,
    /// Court or authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// `us`, `fr` or `es`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Default language of documents: `en`, `fr` or `es`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The checkpoint origin line, unique to this case.
    pub origin: String,
    /// When the case directory was created (UTC).
    pub created: String,
}

/// A signer's public key as recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecord {
    /// The key id (16 hex digits).
    pub id: String,
    /// The signer's name, also the key name in checkpoint signatures.
    pub name: String,
    /// The signer's role (expert, counsel, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Base64 of the 32 raw Ed25519 public key bytes.
    pub public_key: String,
}

/// Body of `case.open`: the case and its administrator key, who signs this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOpen {
    /// The case.
    pub case: CaseInfo,
    /// The administrator's key.
    pub admin: KeyRecord,
}

/// The hashes of one byte stream. SHA-256 always; the others on request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hashes {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// SHA-512, lower-case hex (`--sha512`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha512: Option<String>,
    /// MD5, legacy value only (`--legacy-hashes`), to match older acquisition logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_md5: Option<String>,
    /// SHA-1, legacy value only (`--legacy-hashes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_sha1: Option<String>,
}

/// One file, directory or link inside a sealed directory or tar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Path relative to the sealed directory, or the member name in the tar, `/`-separated.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink` or `other` (device, fifo, socket).
    #[serde(rename = "type")]
    pub kind: String,
    /// Content size in bytes (files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Content hashes (files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<Hashes>,
    /// Link target (symlinks and hard links), recorded, never followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Modification time from the tar header, seconds since 1970 (tar members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtime: Option<u64>,
}

/// The sealed artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// `file`, `directory` or `tar`.
    pub kind: String,
    /// The path as the user gave it.
    pub path_given: String,
    /// The absolute path it resolved to (symbolic links in the path resolved).
    pub path_resolved: String,
    /// File: its size. Tar: the archive's size. Directory: the sum of its files' sizes.
    pub size: u64,
    /// File: hashes of its bytes. Tar: hashes of the archive's bytes as a whole.
    /// Directory: SHA-256 of its manifest (see `manifest_sha256`), same value.
    pub hashes: Hashes,
    /// `gzip` for a `.tar.gz` (hashes above are of the compressed bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Directory and tar: SHA-256 of the sha256sum-format manifest of the regular files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
    /// Directory and tar: the number of regular files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_count: Option<u64>,
    /// Directory (sorted by path bytes) and tar (archive order): every member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
}

/// The device or item as found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Type of item (phone, laptop, disk, cloud account ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// Make.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// IMEI (phones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imei: Option<String>,
    /// Capacity as marked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// Condition as found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// How, when, where, why and by whom the artifact was acquired (ISO/IEC 27037, SWGDE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acquisition {
    /// logical, full-file-system, physical, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Acquisition tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Acquisition tool version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// Write-blocker used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_blocker: Option<String>,
    /// Tool parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<String>,
    /// Errors during acquisition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
    /// Unavoidable changes made to the source, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<String>,
    /// Who acquired it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The operator's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_role: Option<String>,
    /// The operator's organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Persons present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<String>,
    /// When it was acquired, RFC 3339 with the local offset as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_at: Option<String>,
    /// Which clock that time was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Legal authority (warrant, ordonnance, auto, EIO reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SHA-256 of the source as reported by the acquisition tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    /// Whether `source_sha256` equals the artifact's SHA-256 as sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hash_matches: Option<bool>,
    /// Exhibit id of the original, when this artifact is a working copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The software that made the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// `scelle`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Body of `seal`: one artifact sealed as one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Exhibit id, `E-` and four or more digits, assigned in order.
    pub exhibit: String,
    /// Seal number (scellé n°, número de precinto, bag id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// Free description of the exhibit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The item as found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// The acquisition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition: Option<Acquisition>,
    /// The artifact and its hashes.
    pub artifact: Artifact,
    /// The software that hashed it.
    pub hashed_by: Software,
}

/// The exhibit id for the `n`-th seal (1-based): `E-0001`.
pub fn exhibit_id(n: u64) -> String {
    format!("E-{n:04}")
}

/// Body of `key.enrol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEnrol {
    /// The key enrolled; its `role` is one of [`ROLES`].
    pub key: KeyRecord,
}

/// Body of `key.revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRevoke {
    /// The key id revoked.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// Body of `key.rotate`, signed by the old key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRotate {
    /// The old key id (the signer), retired by this entry.
    pub old: String,
    /// The successor, with the same name and role.
    pub new: KeyRecord,
}

/// Body of `release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The exhibits released, all held by the signer.
    pub exhibits: Vec<String>,
    /// The receiver's key id.
    pub to: String,
    /// Why.
    pub purpose: String,
    /// Packaging and transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging: Option<String>,
    /// Seal condition at release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// From where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Legal authority for the transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
}

/// The result of re-hashing an exhibit against its seal record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recheck {
    /// The exhibit.
    pub exhibit: String,
    /// The path re-hashed (the receiver's copy may be elsewhere than the sealed path).
    pub path: String,
    /// SHA-256 found now (the artifact's `hashes.sha256` as re-computed; empty if unreadable).
    pub sha256: String,
    /// Whether everything re-hashed matches the seal record.
    pub matches: bool,
    /// Each difference found (file, member, hash), in words; omitted when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discrepancies: Vec<String>,
}

/// Body of `accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// The `seq` of the release entry accepted.
    pub release: u64,
    /// Each exhibit received and its re-hash on receipt.
    pub received: Vec<Recheck>,
    /// Seal condition at receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// Where received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Body of `open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// The exhibit.
    pub exhibit: String,
    /// Its seal number before opening, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// State of the seal before opening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_condition: Option<String>,
    /// The operations to be carried out.
    pub operations: String,
    /// Persons present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<String>,
}

/// Body of `reseal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reseal {
    /// The exhibit.
    pub exhibit: String,
    /// Its new seal number.
    pub new_seal_no: String,
    /// Re-hash at re-sealing.
    pub recheck: Recheck,
}

/// Body of `note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// The exhibit, if the note is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhibit: Option<String>,
    /// The text.
    pub text: String,
}

/// Body of `dispose`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dispose {
    /// The exhibit.
    pub exhibit: String,
    /// How (returned to owner, destroyed, archived ...).
    pub how: String,
    /// On whose authority.
    pub authority: String,
}

/// Body of `report`: a rendered document, pinned by its SHA-256, so that anyone holding the
/// PDF can check it is the one the signer issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// `expert-report`, `certificate`, `seals` or `custody`.
    pub document: String,
    /// `en`, `fr` or `es`.
    pub lang: String,
    /// The jurisdiction whose sections it follows: `us`, `fr` or `es`.
    pub jurisdiction: String,
    /// The file name it was written to (no directory).
    pub file: String,
    /// SHA-256 of the PDF's bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its number of pages.
    pub pages: u64,
    /// `1b` or `3b`.
    pub pdfa: String,
    /// The exhibits it covers.
    pub exhibits: Vec<String>,
    /// The ledger size it reflects (its data are those of the first `ledger_size` entries).
    pub ledger_size: u64,
    /// First Bates number printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bates_first: Option<String>,
    /// Last Bates number printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bates_last: Option<String>,
}

/// Body of `export`: an evidence bundle written from the case (FORMAT.md 6.9, section 14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// The bundle's file name (no directory).
    pub file: String,
    /// SHA-256 of the bundle's bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// `bagit-tar`: a BagIt 1.0 bag in a tar.
    pub format: String,
    /// The exhibits whose proofs (and artifacts) it carries.
    pub exhibits: Vec<String>,
    /// Whether the artifacts themselves are in it.
    pub artifacts: bool,
    /// The number of ledger entries it holds (the entries before this one).
    pub ledger_size: u64,
    /// To whom it is sent (a party, an authority, an EIO reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// Indicators not used from an IOC file, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippedIndicators {
    /// Why they were not used.
    pub reason: String,
    /// How many.
    pub count: u64,
    /// The first few indicator ids (at most 5).
    pub examples: Vec<String>,
}

/// One IOC file (a STIX 2.1 bundle) used by a scan, pinned by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IocFileRecord {
    /// Its file name as given (no directory).
    pub file: String,
    /// SHA-256 of its bytes; the case keeps a copy as `ioc/SHA256.stix2`.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The bundle's id, `bundle--UUID`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Number of `indicator` objects in it.
    pub indicator_objects: u64,
    /// Number of indicators used.
    pub used: u64,
    /// Of those used, the names too short to search in content, compared with file names
    /// only.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub names_only: u64,
    /// The indicators not used, by reason; omitted when all were used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedIndicators>,
    /// Names of the malware, campaigns, intrusion sets ... the bundle describes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One exhibit scanned: re-hashed first, and found to match its seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannedExhibit {
    /// The exhibit.
    pub exhibit: String,
    /// The path read.
    pub path: String,
    /// Its SHA-256 as re-computed during the scan (equal to the sealed one).
    pub sha256: String,
    /// Regular files read (1 for a single file).
    pub files: u64,
    /// Bytes of content read (the archive's members, not the archive).
    pub bytes: u64,
    /// Number of entries in `matches` for this exhibit.
    pub matches: u64,
    /// Indicators that matched in this exhibit more than [`MAX_MATCHES_PER_INDICATOR`] times:
    /// the match records left out, per indicator (FORMAT.md 6.8), sorted by IOC file and
    /// indicator. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<OmittedMatches>,
}

/// The most match records of one indicator in one exhibit a scan records (FORMAT.md 6.8): the
/// first ones in the order of `matches`; the rest are counted in the exhibit's `omitted`.
pub const MAX_MATCHES_PER_INDICATOR: u64 = 100;

/// Match records of one indicator in one exhibit left out of a scan (beyond
/// [`MAX_MATCHES_PER_INDICATOR`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmittedMatches {
    /// The `sha256` of the IOC file of the indicator.
    pub ioc_file: String,
    /// The indicator's STIX id.
    pub indicator: String,
    /// How many match records were left out (at least 1).
    pub matches: u64,
}

/// One indicator matched in one place of one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IocMatch {
    /// SHA-256 of the IOC file the indicator comes from (one of `ioc_files`).
    pub ioc_file: String,
    /// The indicator's STIX id.
    pub indicator: String,
    /// Its pattern, exactly as in the IOC file.
    pub pattern: String,
    /// Its object path, e.g. `domain-name:value` (hashes spelt `file:hashes.sha256`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The value compared (lower case for domains, addresses, URLs, profile ids and hashes).
    pub value: String,
    /// What the IOC file says it indicates (malware, campaign ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicates: Vec<String>,
    /// The exhibit.
    pub exhibit: String,
    /// The member (directory or tar exhibits): its path as recorded in the seal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// `content`, `path`, `name` or `hash`.
    pub on: String,
    /// The text found: the whole (sub)domain, the member path or name, or the digest.
    pub matched: String,
    /// Occurrences in this file or member (1 for path, name and hash matches).
    pub occurrences: u64,
    /// Content: byte offset of the first occurrence in the file or member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Content: offsets of the first occurrences (at most 16), when there are several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offsets: Vec<u64>,
    /// Content: byte offset where `excerpt` starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt_start: Option<u64>,
    /// Content: the bytes around the first occurrence, printable ASCII as is, others as `.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// Body of `ioc.scan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IocScan {
    /// The IOC files used.
    pub ioc_files: Vec<IocFileRecord>,
    /// The exhibits scanned.
    pub exhibits: Vec<ScannedExhibit>,
    /// Every match; empty when nothing matched (a negative result is recorded too).
    pub matches: Vec<IocMatch>,
    /// The software that scanned.
    pub scanned_by: Software,
}

/// A typed body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `case.open`.
    CaseOpen(Box<CaseOpen>),
    /// `seal`.
    Seal(Box<Seal>),
    /// `key.enrol`.
    KeyEnrol(KeyEnrol),
    /// `key.revoke`.
    KeyRevoke(KeyRevoke),
    /// `key.rotate`.
    KeyRotate(KeyRotate),
    /// `release`.
    Release(Release),
    /// `accept`.
    Accept(Accept),
    /// `open`.
    Open(Open),
    /// `reseal`.
    Reseal(Reseal),
    /// `note`.
    Note(NoteBody),
    /// `dispose`.
    Dispose(Dispose),
    /// `report`.
    Report(ReportBody),
    /// `ioc.scan`.
    IocScan(Box<IocScan>),
    /// `export`.
    Export(ExportBody),
}

impl Body {
    /// Parses `body` according to `kind`; unknown kinds are an error.
    pub fn parse(kind: &str, body: &serde_json::Value) -> Result<Body, String> {
        match kind {
            KIND_CASE_OPEN => serde_json::from_value(body.clone())
                .map(|o| Body::CaseOpen(Box::new(o)))
                .map_err(|e| format!("bad case.open body: {e}")),
            KIND_SEAL => serde_json::from_value(body.clone())
                .map(|s| Body::Seal(Box::new(s)))
                .map_err(|e| format!("bad seal body: {e}")),
            KIND_KEY_ENROL => typed(kind, body, Body::KeyEnrol),
            KIND_KEY_REVOKE => typed(kind, body, Body::KeyRevoke),
            KIND_KEY_ROTATE => typed(kind, body, Body::KeyRotate),
            KIND_RELEASE => typed(kind, body, Body::Release),
            KIND_ACCEPT => typed(kind, body, Body::Accept),
            KIND_OPEN => typed(kind, body, Body::Open),
            KIND_RESEAL => typed(kind, body, Body::Reseal),
            KIND_NOTE => typed(kind, body, Body::Note),
            KIND_DISPOSE => typed(kind, body, Body::Dispose),
            KIND_REPORT => typed(kind, body, Body::Report),
            KIND_IOC_SCAN => serde_json::from_value(body.clone())
                .map(|s| Body::IocScan(Box::new(s)))
                .map_err(|e| format!("bad ioc.scan body: {e}")),
            KIND_EXPORT => typed(kind, body, Body::Export),
            other => Err(format!("unknown entry kind {other:?}")),
        }
    }

    /// The exhibits this entry acts on.
    pub fn exhibits(&self) -> Vec<&str> {
        match self {
            Body::CaseOpen(_) | Body::KeyEnrol(_) | Body::KeyRevoke(_) | Body::KeyRotate(_) => {
                vec![]
            }
            Body::Seal(s) => vec![s.exhibit.as_str()],
            Body::Release(r) => r.exhibits.iter().map(String::as_str).collect(),
            Body::Accept(a) => a.received.iter().map(|r| r.exhibit.as_str()).collect(),
            Body::Open(o) => vec![o.exhibit.as_str()],
            Body::Reseal(r) => vec![r.exhibit.as_str()],
            Body::Note(n) => n.exhibit.iter().map(String::as_str).collect(),
            Body::Dispose(d) => vec![d.exhibit.as_str()],
            // A report describes exhibits without acting on them: not in their timelines.
            Body::Report(_) => vec![],
            // An export copies exhibits' records without acting on them.
            Body::Export(_) => vec![],
            // A scan reads exhibits without acting on them, but it is an event of their lives.
            Body::IocScan(s) => s.exhibits.iter().map(|e| e.exhibit.as_str()).collect(),
        }
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    kind: &str,
    body: &serde_json::Value,
    wrap: fn(T) -> Body,
) -> Result<Body, String> {
    serde_json::from_value(body.clone())
        .map(wrap)
        .map_err(|e| format!("bad {kind} body: {e}"))
}
