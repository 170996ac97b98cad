//! The parts that the bodies of several entry kinds share (the case, key records, hashes,
//! artifacts, re-hashes), as typed structs. Every struct refuses unknown fields, and optional
//! fields are omitted (never `null`) when absent. Each kind's own body lives with the kind,
//! in [`super::kinds`]; [`super::body`] gathers both at one path.

use serde::{Deserialize, Serialize};

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
    /// IANA time zone the case's documents print times in (`Europe/Paris`); UTC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
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
    /// The key holder's full name, as they sign (accents and spaces allowed: "Jean-Marc
    /// Dupré"), which documents print next to the key's fingerprint. Informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
}

pub use super::member::{Hashes, Member};

/// The sealed artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// `file`, `directory`, `tar` or `ewf`.
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
    pub members: Option<super::members::Members>,
    /// Directory, tar and zip, instead of `members` when the list is too long for a line: the
    /// member file holding them (FORMAT.md 6.2, "Member files").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_file: Option<MemberFile>,
    /// EWF image (`ewf`): what the image's sections say and what reading its media found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ewf: Option<Box<EwfImage>>,
}

/// Where a seal's members are when they are not in its line (FORMAT.md 6.2, "Member
/// files"): `members/SHA256.jsonl` of the case, each member's canonical JSON and a newline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberFile {
    /// The file's length in bytes.
    pub bytes: u64,
    /// Its number of lines: the number of members.
    pub count: u64,
    /// Hex SHA-256 of its bytes, which is also its name.
    pub sha256: String,
}

impl MemberFile {
    /// The file's name in a case's `members/` directory.
    pub fn file_name(&self) -> String {
        format!("{}.jsonl", self.sha256)
    }
}

/// An EWF (`.E01`) image's facts (FORMAT.md 6.2, EWF images): its header, its media, and the
/// digests it stores against those of the media as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwfImage {
    /// `ewf1` (EWF-E01 segment files, signature `EVF`).
    pub format: String,
    /// Segment files in the set.
    pub segments: u64,
    /// Media bytes (sector_count × bytes_per_sector).
    pub media_size: u64,
    /// Bytes per sector.
    pub bytes_per_sector: u64,
    /// Sectors of the media.
    pub sector_count: u64,
    /// Bytes per chunk.
    pub chunk_size: u64,
    /// Chunks of the media.
    pub chunk_count: u64,
    /// Chunks stored zlib-compressed.
    pub compressed_chunks: u64,
    /// Compression level the volume section states: `none`, `fast`, `best`.
    pub compression: String,
    /// Media type: `fixed`, `removable`, `optical`, `memory`, `logical` or `unknown-0xNN`.
    pub media_type: String,
    /// Whether the volume flags the media as a physical device.
    pub physical: bool,
    /// Which header section the fields come from: `header2` (UTF-16, dates in UTC) or
    /// `header` (8-bit text, dates in local time without a zone).
    pub header_source: String,
    /// The header's fields, as written by the acquisition software.
    pub header: EwfHeader,
    /// The media MD5: stored in the image (hash / digest section) and computed.
    pub md5: EwfDigest,
    /// The media SHA-1: stored (digest section) and computed.
    pub sha1: EwfDigest,
    /// The media SHA-256, only when the image stores one (libewf's EWF-X `xhash` section; an
    /// EnCase E01 stores none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<EwfDigest>,
    /// Chunks that could not be read (checksum error, zlib error, wrong size): their sectors
    /// are hashed as zeros, as libewf reads them. At most 1000 listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bad_chunks: Vec<EwfBadChunk>,
    /// Number of bad chunks (all of them, listed or not).
    pub bad_chunk_count: u64,
}

/// The EWF header fields scelle records (absent when empty in the image).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwfHeader {
    /// `c`: case number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// `n`: evidence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_number: Option<String>,
    /// `a`: description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `e`: examiner name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examiner: Option<String>,
    /// `t`: notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// `m`: acquisition date: RFC 3339 UTC (`Z`) from header2, local time without offset
    /// from header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_date: Option<String>,
    /// `u`: system date, same form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_date: Option<String>,
    /// `av`: acquiry software version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// `ov`: acquiry operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// `md`: media model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `sn`: media serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

/// One media digest: stored in the image, computed over the media as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwfDigest {
    /// Lower-case hex as the image stores it (absent: the image stores none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<String>,
    /// Lower-case hex over the media stream.
    pub computed: String,
    /// stored == computed (absent when nothing is stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<bool>,
}

/// A chunk that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwfBadChunk {
    /// Chunk number (0-based).
    pub chunk: u64,
    /// Its first sector.
    pub sector: u64,
    /// Its sectors.
    pub sectors: u64,
    /// Segment file number (1 for `.E01`).
    pub segment: u64,
    /// `checksum` (Adler-32 of a stored chunk), `zlib` (not a valid zlib stream) or `size`
    /// (not the chunk's size once read).
    pub problem: String,
}

impl EwfImage {
    /// Whether every stored digest matches and every chunk was read.
    pub fn intact(&self) -> bool {
        self.bad_chunk_count == 0
            && self.md5.matches != Some(false)
            && self.sha1.matches != Some(false)
            && self
                .sha256
                .as_ref()
                .is_none_or(|d| d.matches != Some(false))
    }
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
    /// IMEIs (phones; two for a dual-SIM phone), digits only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imei: Vec<String>,
    /// ICCIDs of the SIM cards found in it, digits only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iccid: Vec<String>,
    /// IMSIs of its subscriptions, digits only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imsi: Vec<String>,
    /// Its phone numbers, as given (E.164 recommended: +33612345678).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// Its operating system and version as found (iOS 17.4.1, Android 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// The seal number the seizing officer gave the item (an OPJ's scellé, a police bag
    /// number), before this seal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seized_seal_no: Option<String>,
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
    /// MD5 of the source as reported by the acquisition tool (Guymager, FTK Imager logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_md5: Option<String>,
    /// Whether `source_md5` equals the artifact's MD5 as sealed (`hashes.legacy_md5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_md5_matches: Option<bool>,
    /// SHA-1 of the source as reported by the acquisition tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha1: Option<String>,
    /// Whether `source_sha1` equals the artifact's SHA-1 as sealed (`hashes.legacy_sha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha1_matches: Option<bool>,
    /// Exhibit id of the original, when this artifact is a working copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// One hash of the source reported by the acquisition tool, against the same digest of the
/// artifact as sealed (FORMAT.md 6.2): the copy is the original when they are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHashCheck {
    /// `SHA-256`, `SHA-1` or `MD5`.
    pub algorithm: &'static str,
    /// The acquisition tool's value (lower-case hex).
    pub source: String,
    /// The sealed value (empty when the seal holds no such digest).
    pub sealed: String,
    /// Whether they are equal.
    pub matches: bool,
}

impl Acquisition {
    /// The source hashes recorded, each against the sealed digest `sealed` holds: SHA-256,
    /// then SHA-1, then MD5 (those recorded only).
    pub fn source_hash_checks(&self, sealed: &Hashes) -> Vec<SourceHashCheck> {
        [
            ("SHA-256", &self.source_sha256, Some(&sealed.sha256)),
            ("SHA-1", &self.source_sha1, sealed.legacy_sha1.as_ref()),
            ("MD5", &self.source_md5, sealed.legacy_md5.as_ref()),
        ]
        .into_iter()
        .filter_map(|(algorithm, source, sealed)| {
            let source = source.as_ref()?;
            let sealed = sealed.cloned().unwrap_or_default();
            Some(SourceHashCheck {
                algorithm,
                matches: *source == sealed,
                source: source.clone(),
                sealed,
            })
        })
        .collect()
    }
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
