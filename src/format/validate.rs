//! Value rules of every body (FORMAT.md §6), beyond its JSON shape: exact representation
//! (no `null`, no empty optional arrays), lower-case hex of the right length, allowed values,
//! and the internal consistency of a seal (manifest, counts, sizes, order, source hash).

use super::body::{
    Acquisition, Artifact, Body, CaseInfo, Hashes, KeyRecord, Member, Recheck, ReportBody,
};
use super::encoding::unb64;
use super::errors::ValueError;
#[cfg(test)]
use super::manifest::manifest_text;
use super::manifest::sha256sum_line;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn is_hex_of(s: &str, bytes: usize) -> bool {
    s.len() == 2 * bytes
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// A file name a body records (report, bundle, IOC file): non-empty, with no `/` or `\\`.
pub(crate) fn bare_file_name(what: &str, name: &str) -> Result<(), ValueError> {
    if name.is_empty() || name.contains('/') || name.contains('\\') {
        return Err(ValueError::Rule(format!(
            "{what} {name:?} must be a bare file name"
        )));
    }
    Ok(())
}

pub(crate) fn hex_of(what: &str, s: &str, bytes: usize) -> Result<(), ValueError> {
    if is_hex_of(s, bytes) {
        Ok(())
    } else {
        Err(ValueError::NotHex {
            what: what.to_string(),
            value: s.to_string(),
            digits: 2 * bytes,
        })
    }
}

pub(crate) fn one_of(what: &str, v: &Option<String>, allowed: &[&str]) -> Result<(), ValueError> {
    match v {
        Some(x) if !allowed.contains(&x.as_str()) => Err(ValueError::NotOneOf {
            what: what.to_string(),
            value: x.clone(),
            allowed: allowed.join(", "),
        }),
        _ => Ok(()),
    }
}

/// Checks the digests of `h`; `what` (made only on error) names whose they are.
fn hashes(what: impl Fn() -> String, h: &Hashes) -> Result<(), ValueError> {
    let digest = |name: &str, x: &str, bytes: usize| {
        if is_hex_of(x, bytes) {
            Ok(())
        } else {
            hex_of(&format!("{}{name}", what()), x, bytes)
        }
    };
    digest("sha256", &h.sha256, 32)?;
    if let Some(x) = &h.sha512 {
        digest("sha512", x, 64)?;
    }
    if let Some(x) = &h.legacy_md5 {
        digest("legacy_md5", x, 16)?;
    }
    if let Some(x) = &h.legacy_sha1 {
        digest("legacy_sha1", x, 20)?;
    }
    Ok(())
}

/// Hex SHA-256 of the manifest text of `members` (FORMAT.md 6.3): the digest of
/// [`manifest_text`](super::manifest::manifest_text), computed without building the text (no
/// allocation per member).
pub fn manifest_sha256<M: std::borrow::Borrow<Member>>(
    members: impl IntoIterator<Item = M>,
) -> String {
    let mut h = ManifestHasher::default();
    for m in members {
        h.add(m.borrow());
    }
    h.finish()
}

/// [`manifest_sha256`] one member at a time, for a pass over members that checks other
/// rules too.
#[derive(Default)]
pub struct ManifestHasher {
    h: Sha256,
    buf: Vec<u8>,
}

impl ManifestHasher {
    /// Adds a member's manifest line (files with a hash only).
    pub fn add(&mut self, m: &Member) {
        if m.kind != "file" {
            return;
        }
        let Some(hs) = &m.hashes else { return };
        let escaped = m.path.bytes().fold(false, |any, b| {
            any | (b == b'\\') | (b == b'\n') | (b == b'\r')
        });
        if escaped {
            // Escaped names, as sha256sum writes them.
            self.buf
                .extend_from_slice(sha256sum_line(&hs.sha256, &m.path).as_bytes());
        } else {
            self.buf.extend_from_slice(hs.sha256.as_bytes());
            self.buf.extend_from_slice(b"  ");
            self.buf.extend_from_slice(m.path.as_bytes());
            self.buf.push(b'\n');
        }
        if self.buf.len() >= 1 << 15 {
            self.h.update(&self.buf);
            self.buf.clear();
        }
    }

    /// The hex SHA-256 of the manifest of the members added.
    pub fn finish(mut self) -> String {
        self.h.update(&self.buf);
        super::encoding::hex(&self.h.finalize())
    }
}

pub(crate) fn key_record(k: &KeyRecord) -> Result<(), ValueError> {
    hex_of("key id", &k.id, 8)?;
    let name_ok = !k.name.is_empty()
        && k.name.len() <= 64
        && !k.name.starts_with('.')
        && k.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !name_ok {
        return Err(ValueError::Rule(format!(
            "key name {:?} is not 1 to 64 of A-Z a-z 0-9 . _ - @, not starting with '.'",
            k.name
        )));
    }
    if unb64(&k.public_key).map(|b| b.len()) != Some(32) {
        return Err(ValueError::Rule(format!(
            "public_key of {} is not 32 bytes of base64",
            k.name
        )));
    }
    Ok(())
}

/// FORMAT.md 6.1: `scelle.case/` + a non-empty ID + `/` + 16 lower-case hex digits, one line.
/// (How ID is derived from the case id is not checked.)
fn origin_form(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("scelle.case/") else {
        return false;
    };
    let Some((id, nonce)) = rest.rsplit_once('/') else {
        return false;
    };
    !id.is_empty() && !origin.contains('\n') && super::encoding::unhex::<8>(nonce).is_some()
}

pub(crate) fn case_info(c: &CaseInfo) -> Result<(), ValueError> {
    one_of(
        "jurisdiction",
        &c.jurisdiction,
        &super::lang::Jurisdiction::CODES,
    )?;
    one_of("lang", &c.lang, &super::lang::Lang::CODES)?;
    if !origin_form(&c.origin) {
        return Err(ValueError::Rule(format!(
            "origin {:?} is not scelle.case/ID/ and 16 lower-case hex digits, on one line",
            c.origin
        )));
    }
    if super::time::parse_utc(&c.created).is_none() {
        return Err(ValueError::Rule(format!(
            "created {:?} is not a UTC time",
            c.created
        )));
    }
    Ok(())
}

fn member(m: &Member) -> Result<(), ValueError> {
    let is_file = m.kind == "file";
    match m.kind.as_str() {
        "file" | "dir" | "other" => {
            if m.link.is_some() {
                return Err(ValueError::Rule(format!(
                    "member {}: a {} has no link",
                    m.path, m.kind
                )));
            }
        }
        "symlink" | "hardlink" => {
            if m.link.is_none() {
                return Err(ValueError::Rule(format!(
                    "member {}: a {} needs its link",
                    m.path, m.kind
                )));
            }
        }
        other => {
            return Err(ValueError::Rule(format!(
                "member {}: type {other:?} is not file, dir, symlink, hardlink or other",
                m.path
            )))
        }
    }
    if is_file != (m.size.is_some() && m.hashes.is_some())
        || (!is_file && (m.size.is_some() || m.hashes.is_some()))
    {
        return Err(ValueError::Rule(format!(
            "member {}: size and hashes go with files, and only with files",
            m.path
        )));
    }
    if let Some(h) = &m.hashes {
        hashes(|| format!("member {}: ", m.path), h)?;
    }
    Ok(())
}

pub(crate) fn artifact(a: &Artifact) -> Result<(), ValueError> {
    hashes(String::new, &a.hashes)?;
    if a.ewf.is_some() != (a.kind == "ewf") {
        return Err(ValueError::Rule(
            "an ewf object goes with an ewf artifact, and only with one".into(),
        ));
    }
    match a.kind.as_str() {
        "ewf" => ewf_artifact(a)?,
        "file" => {
            if a.compression.is_some()
                || a.manifest_sha256.is_some()
                || a.file_count.is_some()
                || a.members.is_some()
                || a.member_file.is_some()
            {
                return Err(ValueError::Rule(
                    "a file artifact has no compression, manifest, file_count or members".into(),
                ));
            }
        }
        "directory" | "tar" | "zip" => {
            let manifest = a
                .manifest_sha256
                .as_ref()
                .ok_or_else(|| ValueError::Rule("manifest_sha256 missing".into()))?;
            let directory = a.kind == "directory";
            match (&a.members, &a.member_file) {
                (Some(members), None) => {
                    // One pass over the members (a seal's members may be parsed from its
                    // line one at a time, never all held).
                    let mut rules = MemberRules::new(&a.kind);
                    for m in members {
                        rules.add(&m)?;
                    }
                    rules.finish(a)?;
                }
                // The members are checked as the member file is read (store::member_file).
                (None, Some(f)) => member_file(f)?,
                (Some(_), Some(_)) => {
                    return Err(ValueError::Rule(
                        "members and member_file: one or the other, not both".into(),
                    ))
                }
                (None, None) => return Err(ValueError::Rule("members missing".into())),
            }
            if directory {
                if a.hashes.sha256 != *manifest
                    || a.hashes.sha512.is_some()
                    || a.hashes.legacy_md5.is_some()
                    || a.hashes.legacy_sha1.is_some()
                {
                    return Err(ValueError::Rule(
                        "a directory's hashes are its manifest's SHA-256 only".into(),
                    ));
                }
                if a.compression.is_some() {
                    return Err(ValueError::Rule("a directory has no compression".into()));
                }
            } else if a.kind == "zip" {
                if a.compression.is_some() {
                    return Err(ValueError::Rule(
                        "a zip has no compression member (its members say theirs)".into(),
                    ));
                }
            } else {
                one_of("compression", &a.compression, &["gzip"])?;
            }
        }
        other => {
            return Err(ValueError::Rule(format!(
                "artifact kind {other:?} is not file, directory, tar, zip or ewf"
            )))
        }
    }
    Ok(())
}

/// A `member_file`'s own values (FORMAT.md 6.2, "Member files"); its members are checked by
/// [`MemberRules`] as the file is read.
fn member_file(f: &super::parts::MemberFile) -> Result<(), ValueError> {
    hex_of("member_file.sha256", &f.sha256, 32)?;
    if f.count == 0 || f.bytes == 0 {
        return Err(ValueError::Rule(
            "member_file: count and bytes are at least 1".into(),
        ));
    }
    Ok(())
}

/// The rules of 6.4 over a directory's, tar's or zip's members, checked in one pass, one
/// member at a time: each member's own values, a directory's order and missing `mtime`, a
/// zip's paths, and at the end the manifest, `file_count` and a directory's size. The same
/// pass serves members in a line and members in a member file.
pub struct MemberRules {
    directory: bool,
    digest: ManifestHasher,
    zip: Option<ZipPaths>,
    files: u64,
    total: u64,
    previous: Option<String>,
}

impl MemberRules {
    /// The rules for the members of an artifact of kind `kind` (a directory, tar or zip).
    pub fn new(kind: &str) -> Self {
        MemberRules {
            directory: kind == "directory",
            digest: ManifestHasher::default(),
            zip: (kind == "zip").then(|| ZipPaths {
                seen: Box::new(HeldPaths::default()),
            }),
            files: 0,
            total: 0,
            previous: None,
        }
    }

    /// [`MemberRules::new`], a zip's paths kept by `paths` (to find two members of one path)
    /// rather than held in memory.
    pub fn with_paths(kind: &str, paths: Box<dyn UniquePaths>) -> Self {
        let mut rules = Self::new(kind);
        if let Some(z) = rules.zip.as_mut() {
            z.seen = paths;
        }
        rules
    }

    /// Checks the next member.
    pub fn add(&mut self, m: &Member) -> Result<(), ValueError> {
        member(m)?;
        self.digest.add(m);
        self.files += u64::from(m.kind == "file");
        self.total = self.total.saturating_add(m.size.unwrap_or(0));
        if let Some(z) = self.zip.as_mut() {
            z.check(m)?;
        }
        if self.directory {
            if self
                .previous
                .as_ref()
                .is_some_and(|p| p.as_bytes() >= m.path.as_bytes())
            {
                return Err(ValueError::Rule(
                    "directory members are not sorted by path bytes, or repeat a path".into(),
                ));
            }
            if m.mtime.is_some() {
                return Err(ValueError::Rule("directory members carry no mtime".into()));
            }
            self.previous = Some(m.path.clone());
        }
        Ok(())
    }

    /// The manifest's SHA-256, the number of files and their total size, of the members
    /// added, once the rules over all of them hold (a zip's paths all differ).
    pub fn totals(self) -> Result<(String, u64, u64), ValueError> {
        if let Some(z) = self.zip {
            z.seen.finish()?;
        }
        Ok((self.digest.finish(), self.files, self.total))
    }

    /// The rules over all the members, against artifact `a`: the manifest, the file count, a
    /// directory's size.
    pub fn finish(self, a: &Artifact) -> Result<(), ValueError> {
        let (digest, files, total) = self.totals()?;
        let manifest = a.manifest_sha256.as_deref().unwrap_or_default();
        if digest != manifest {
            return Err(ValueError::Rule(format!(
                "manifest_sha256 {manifest} is not the SHA-256 of the members' manifest ({digest})"
            )));
        }
        if a.file_count != Some(files) {
            return Err(ValueError::Rule(format!(
                "file_count {:?} but {files} file members",
                a.file_count
            )));
        }
        if a.kind == "directory" && a.size != total {
            return Err(ValueError::Rule(format!(
                "size {} is not the sum of the files' sizes ({total})",
                a.size
            )));
        }
        Ok(())
    }
}

/// The member rules of a zip (FORMAT.md 6.2, "Zip members"): types `file`, `dir` (path ending
/// with `/`) and `symlink` only, no two members of one path, no path with an empty, `.` or
/// `..` component, no absolute path, NUL or backslash.
struct ZipPaths {
    seen: Box<dyn UniquePaths>,
}

/// Where a zip's member paths (without a dir's final `/`) are kept to find two members of one
/// path: in memory ([`HeldPaths`], for members in a line), or where the caller chooses (a
/// member file's are sorted on disk by `store::member_file`, so that memory does not grow
/// with the member count).
pub trait UniquePaths: Send {
    /// The next member's path: an error if it repeats one (or if it cannot be kept).
    fn add(&mut self, path: &str) -> Result<(), ValueError>;
    /// After the last path: an error naming a path given twice, if any.
    fn finish(self: Box<Self>) -> Result<(), ValueError>;
}

/// The error of a zip with two members of path `path`.
pub fn two_members_of_one_path(path: &str) -> ValueError {
    ValueError::Rule(format!("zip member {path}: two members of one path"))
}

/// A keyed 128-bit hash of each path seen: 16 bytes a member rather than its path, and no
/// path an attacker can make collide with another without the key, chosen at random by each
/// process.
#[derive(Default)]
pub struct HeldPaths {
    seen: std::collections::HashSet<u128>,
    keys: (
        std::collections::hash_map::RandomState,
        std::collections::hash_map::RandomState,
    ),
}

impl UniquePaths for HeldPaths {
    fn add(&mut self, path: &str) -> Result<(), ValueError> {
        use std::hash::BuildHasher;
        let key =
            (u128::from(self.keys.0.hash_one(path)) << 64) | u128::from(self.keys.1.hash_one(path));
        if !self.seen.insert(key) {
            return Err(two_members_of_one_path(path));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), ValueError> {
        Ok(())
    }
}

impl ZipPaths {
    /// Checks the member rules for `m`, and that no member before it had its path.
    fn check(&mut self, m: &Member) -> Result<(), ValueError> {
        let dir = m.kind == "dir";
        if !matches!(m.kind.as_str(), "file" | "dir" | "symlink") {
            return Err(ValueError::Rule(format!(
                "zip member {}: type {} is not file, dir or symlink",
                m.path, m.kind
            )));
        }
        if dir != m.path.ends_with('/') {
            return Err(ValueError::Rule(format!(
                "zip member {}: a path ends with / if and only if it is a dir",
                m.path
            )));
        }
        let body = if dir {
            &m.path[..m.path.len() - 1]
        } else {
            &m.path[..]
        };
        if m.path.starts_with('/')
            || m.path.contains(['\\', '\0'])
            || body
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(ValueError::Rule(format!(
                "zip member {}: not a relative path of plain components",
                m.path
            )));
        }
        self.seen.add(body)
    }
}

/// The rules of an `ewf` artifact (FORMAT.md 6.2, EWF images).
fn ewf_artifact(a: &Artifact) -> Result<(), ValueError> {
    let rule = |m: String| Err(ValueError::Rule(m));
    let e = a.ewf.as_deref().expect("checked by the caller");
    let (Some(members), Some(manifest), None) = (&a.members, &a.manifest_sha256, &a.member_file)
    else {
        return rule(
            "an ewf artifact lists its segment files and their manifest, in its line".into(),
        );
    };
    // An image's segment files: a few, held.
    let members = &members.to_vec();
    if a.compression.is_some() {
        return rule("an ewf artifact has no compression (see ewf.compression)".into());
    }
    for m in members {
        member(m)?;
        if m.kind != "file" || m.mtime.is_some() || m.path.contains('/') || m.path.is_empty() {
            return rule(format!(
                "segment {}: a segment is a file named without a folder, with no mtime",
                m.path
            ));
        }
    }
    if members.windows(2).any(|w| w[0].path == w[1].path) || members.is_empty() {
        return rule("segment files are listed once each, at least one".into());
    }
    let digest = manifest_sha256(members);
    if &digest != manifest {
        return rule(format!(
            "manifest_sha256 {manifest} is not the SHA-256 of the members' manifest ({digest})"
        ));
    }
    if a.file_count != Some(members.len() as u64) || e.segments != members.len() as u64 {
        return rule("file_count and ewf.segments are the number of segment files".into());
    }
    if e.format != "ewf1" {
        return rule(format!("ewf.format {:?} is not ewf1", e.format));
    }
    if e.bytes_per_sector == 0
        || e.chunk_size == 0
        || !e.chunk_size.is_multiple_of(e.bytes_per_sector)
    {
        return rule("ewf: a chunk is a whole number of sectors".into());
    }
    if e.sector_count.checked_mul(e.bytes_per_sector) != Some(e.media_size)
        || a.size != e.media_size
    {
        return rule("size and ewf.media_size are sector_count × bytes_per_sector".into());
    }
    // One chunk more than the media needs: a partial last sector stored past the media.
    let needed = e.media_size.div_ceil(e.chunk_size);
    if e.chunk_count < needed || e.chunk_count > needed + 1 || e.compressed_chunks > e.chunk_count {
        return rule(
            "ewf.chunk_count does not hold the media (or one chunk more), or compressed_chunks exceeds it".into(),
        );
    }
    let listed = e.bad_chunks.len() as u64;
    if listed != e.bad_chunk_count.min(1000) {
        return rule("ewf.bad_chunks lists the first 1000 of bad_chunk_count".into());
    }
    for b in &e.bad_chunks {
        if b.chunk >= e.chunk_count
            || b.segment == 0
            || b.segment > e.segments
            || !["checksum", "zlib", "size"].contains(&b.problem.as_str())
        {
            return rule(format!(
                "ewf.bad_chunks: chunk {} is not a chunk of the image",
                b.chunk
            ));
        }
    }
    if e.bad_chunks.windows(2).any(|w| w[0].chunk >= w[1].chunk) {
        return rule("ewf.bad_chunks are in chunk order, once each".into());
    }
    one_of(
        "ewf.header_source",
        &Some(e.header_source.clone()),
        &["header2", "header", "none"],
    )?;
    if e.header_source == "none" && e.header != Default::default() {
        return rule("ewf.header is empty without a header section".into());
    }
    for (what, d) in [
        ("acquisition_date", &e.header.acquisition_date),
        ("system_date", &e.header.system_date),
    ] {
        if let Some(d) = d {
            let ok = if e.header_source == "header2" {
                d.ends_with('Z') && crate::format::time::parse_rfc3339(d).is_some()
            } else {
                d.len() == 19 && crate::format::time::parse_rfc3339(&format!("{d}Z")).is_some()
            };
            if !ok {
                return rule(format!(
                    "ewf.header.{what} {d:?} is not the form its header section gives (header2: UTC with Z; header: local, no offset)"
                ));
            }
        }
    }
    for (name, d, bytes, computed) in [
        ("md5", &e.md5, 16, &a.hashes.legacy_md5),
        ("sha1", &e.sha1, 20, &a.hashes.legacy_sha1),
    ] {
        hex_of(&format!("ewf.{name}.computed"), &d.computed, bytes)?;
        if let Some(s) = &d.stored {
            hex_of(&format!("ewf.{name}.stored"), s, bytes)?;
        }
        if d.matches != d.stored.as_ref().map(|s| *s == d.computed) {
            return rule(format!(
                "ewf.{name}.matches contradicts stored and computed"
            ));
        }
        if computed.as_ref() != Some(&d.computed) {
            return rule(format!(
                "ewf.{name}.computed is the media's legacy_{name} in hashes"
            ));
        }
    }
    if let Some(d) = &e.sha256 {
        hex_of("ewf.sha256.computed", &d.computed, 32)?;
        let Some(st) = &d.stored else {
            return rule("ewf.sha256 is recorded only when the image stores one".into());
        };
        hex_of("ewf.sha256.stored", st, 32)?;
        if d.matches != Some(*st == d.computed) || d.computed != a.hashes.sha256 {
            return rule(
                "ewf.sha256: matches is stored == computed, and computed is the media's sha256"
                    .into(),
            );
        }
    }
    Ok(())
}

pub(crate) fn acquisition(acq: &Acquisition, sealed: &Hashes) -> Result<(), ValueError> {
    let pairs = [
        (
            "source_sha256",
            &acq.source_sha256,
            acq.source_hash_matches,
            "source_hash_matches",
            32,
            "sha256",
            Some(&sealed.sha256),
        ),
        (
            "source_sha1",
            &acq.source_sha1,
            acq.source_sha1_matches,
            "source_sha1_matches",
            20,
            "legacy_sha1",
            sealed.legacy_sha1.as_ref(),
        ),
        (
            "source_md5",
            &acq.source_md5,
            acq.source_md5_matches,
            "source_md5_matches",
            16,
            "legacy_md5",
            sealed.legacy_md5.as_ref(),
        ),
    ];
    for (name, source, matches, flag, bytes, digest, sealed) in pairs {
        match (source, matches) {
            (Some(src), Some(m)) => {
                hex_of(name, src, bytes)?;
                let Some(sealed) = sealed else {
                    return Err(ValueError::Rule(format!(
                        "{name} needs artifact.hashes.{digest} to be compared with"
                    )));
                };
                if m != (src == sealed) {
                    return Err(ValueError::Rule(format!(
                        "{flag} contradicts {name} and the sealed hash"
                    )));
                }
            }
            (None, None) => {}
            _ => return Err(ValueError::Rule(format!("{name} and {flag} go together"))),
        }
    }
    if let Some(t) = &acq.acquired_at {
        if super::time::parse_rfc3339(t).is_none() {
            return Err(ValueError::Rule(format!(
                "acquired_at {t:?} is not an RFC 3339 time"
            )));
        }
    }
    Ok(())
}

pub(crate) fn recheck(r: &Recheck) -> Result<(), ValueError> {
    if !r.sha256.is_empty() {
        hex_of("re-hash sha256", &r.sha256, 32)?;
    }
    if r.matches && !r.discrepancies.is_empty() {
        return Err(ValueError::Rule(format!(
            "{}: a matching re-hash lists discrepancies",
            r.exhibit
        )));
    }
    if !r.matches && r.discrepancies.is_empty() {
        return Err(ValueError::Rule(format!(
            "{}: a failed re-hash must say what differs",
            r.exhibit
        )));
    }
    Ok(())
}

/// The body's canonical value as scelle writes it, to compare with what the line holds.
fn representation(body: &Body) -> Value {
    serde_json::to_value(body).expect("bodies serialise")
}

/// Checks the value rules of `body`, parsed from `raw`.
pub fn validate(body: &Body, raw: &Value) -> Result<(), ValueError> {
    if !is_representation(body, raw) {
        return Err(ValueError::NotRepresentation);
    }
    validate_values(body)
}

/// `raw` is exactly the body's own serialisation.
fn is_representation(body: &Body, raw: &Value) -> bool {
    match body {
        Body::Seal(seal) if seal.artifact.members.is_some() => seal_is_representation(seal, raw),
        _ => &representation(body) == raw,
    }
}

/// `representation(seal) == raw` for a seal listing members, computed member by member: the
/// whole representation of a seal of 100,000 members would hold a second copy of the line's
/// value in memory (about as large as the parsed line itself) only to compare it.
fn seal_is_representation(seal: &super::body::Seal, raw: &Value) -> bool {
    let super::body::Seal {
        exhibit,
        seal_no,
        description,
        item,
        acquisition,
        artifact,
        hashed_by,
    } = seal;
    let Artifact {
        kind,
        path_given,
        path_resolved,
        size,
        hashes,
        compression,
        manifest_sha256,
        file_count,
        members,
        member_file,
        ewf,
    } = artifact;
    let Some(members) = members else {
        return representation(&Body::Seal(Box::new(seal.clone()))) == *raw;
    };
    let (Some(raw_artifact), Some(raw_members)) = (
        raw.get("artifact").and_then(Value::as_object),
        raw.get("artifact")
            .and_then(|a| a.get("members"))
            .and_then(Value::as_array),
    ) else {
        return false;
    };
    if raw_members.len() != members.len()
        || !members
            .iter()
            .zip(raw_members)
            .all(|(m, r)| serde_json::to_value(m).expect("members serialise") == *r)
    {
        return false;
    }
    // The rest of the seal, without its members, against the rest of `raw`.
    let rest = super::body::Seal {
        exhibit: exhibit.clone(),
        seal_no: seal_no.clone(),
        description: description.clone(),
        item: item.clone(),
        acquisition: acquisition.clone(),
        artifact: Artifact {
            kind: kind.clone(),
            path_given: path_given.clone(),
            path_resolved: path_resolved.clone(),
            size: *size,
            hashes: hashes.clone(),
            compression: compression.clone(),
            manifest_sha256: manifest_sha256.clone(),
            file_count: *file_count,
            members: None,
            member_file: member_file.clone(),
            ewf: ewf.clone(),
        },
        hashed_by: hashed_by.clone(),
    };
    let Value::Object(rest) = representation(&Body::Seal(Box::new(rest))) else {
        return false;
    };
    let Some(raw_object) = raw.as_object() else {
        return false;
    };
    raw_object.len() == rest.len()
        && rest.iter().all(|(k, v)| match (k.as_str(), v) {
            ("artifact", Value::Object(a)) => {
                // `members` is the one key more, already compared.
                raw_artifact.len() == a.len() + 1
                    && a.iter().all(|(k, v)| raw_artifact.get(k) == Some(v))
            }
            _ => raw_object.get(k) == Some(v),
        })
}

/// The value rules of a typed body, beyond its representation: what [`validate`] checks once
/// the raw body is known to be exactly `body`'s own serialisation (as it is for a body the
/// append path serialises itself). Each kind's rules are its [`Kind::validate`](super::kinds::Kind::validate).
pub fn validate_values(body: &Body) -> Result<(), ValueError> {
    body.validate()
}

/// The value rules of a `report` body (FORMAT.md 6.7).
pub(crate) fn report(r: &ReportBody) -> Result<(), ValueError> {
    hex_of("report sha256", &r.sha256, 32)?;
    one_of(
        "document",
        &Some(r.document.clone()),
        &super::document::DocumentKind::CODES,
    )?;
    one_of("lang", &Some(r.lang.clone()), &super::lang::Lang::CODES)?;
    one_of(
        "jurisdiction",
        &Some(r.jurisdiction.clone()),
        &super::lang::Jurisdiction::CODES,
    )?;
    one_of("pdfa", &Some(r.pdfa.clone()), &super::document::PdfA::CODES)?;
    bare_file_name("report file", &r.file)?;
    if let Some(f) = &r.filing {
        hex_of("report filing sha256", &f.sha256, 32)?;
        one_of("filing pdfa", &Some(f.pdfa.clone()), &["2b"])?;
        bare_file_name("report filing file", &f.file)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(path: &str, kind: &str, sha256: &str) -> Member {
        Member {
            path: path.into(),
            kind: kind.into(),
            size: (kind == "file").then_some(1),
            hashes: (kind == "file").then(|| Hashes {
                sha256: sha256.into(),
                ..Hashes::default()
            }),
            link: None,
            mtime: None,
        }
    }

    #[test]
    fn manifest_digest_is_that_of_the_manifest_text() {
        let names = [
            "a",
            "a b",
            "dir/é 😀",
            "back\\slash",
            "new\nline",
            "cr\rhere",
            "\\",
            "\n",
            "tab\tx",
            "\"q\"",
            "",
        ];
        let mut members: Vec<Member> = names
            .iter()
            .enumerate()
            .map(|(i, n)| member(n, "file", &format!("{i:064x}")))
            .collect();
        members.push(member("d", "dir", ""));
        members.push(Member {
            hashes: None,
            ..member("odd", "file", "")
        });
        for n in 0..=members.len() {
            let text = manifest_text(&members[..n]);
            let want = super::super::encoding::hex(&Sha256::digest(text.as_bytes()));
            assert_eq!(manifest_sha256(&members[..n]), want, "{n}");
        }
        // Long enough to be hashed in several pieces.
        let many: Vec<Member> = (0..3000)
            .map(|i| {
                let m = &members[i % members.len()];
                Member {
                    path: format!("{i}/{}", m.path),
                    ..m.clone()
                }
            })
            .collect();
        let text = manifest_text(&many);
        assert!(text.len() > 2 << 15);
        let want = super::super::encoding::hex(&Sha256::digest(text.as_bytes()));
        assert_eq!(manifest_sha256(&many), want);
    }

    #[test]
    fn digest_errors_name_their_member() {
        let mut m = member("x/y", "file", "A");
        assert_eq!(
            member_check(&m),
            Err("member x/y: sha256 \"A\" is not 64 lower-case hex digits".to_string())
        );
        m.hashes.as_mut().unwrap().sha256 = "a".repeat(64);
        m.hashes.as_mut().unwrap().legacy_md5 = Some("0".into());
        assert_eq!(
            member_check(&m),
            Err("member x/y: legacy_md5 \"0\" is not 32 lower-case hex digits".to_string())
        );
        assert_eq!(
            hashes(String::new, &Hashes::default()).map_err(|e| e.to_string()),
            Err("sha256 \"\" is not 64 lower-case hex digits".to_string())
        );
    }

    #[test]
    fn recorded_file_names_are_bare() {
        for bad in ["", "a/b", "a\\b", "../x"] {
            assert_eq!(
                bare_file_name("report file", bad).map_err(|e| e.to_string()),
                Err(format!("report file {bad:?} must be a bare file name"))
            );
        }
        assert_eq!(bare_file_name("bundle file", "bundle.tar"), Ok(()));
    }

    fn member_check(m: &Member) -> Result<(), String> {
        super::member(m).map_err(|e| e.to_string())
    }

    /// The member-by-member check of a seal's representation says what comparing the whole
    /// representation says, for the body as written and for each way a line may differ from
    /// it (a member or a field changed, added or taken away).
    #[test]
    fn seal_representation_member_by_member_agrees_with_the_whole() {
        let h = "ab".repeat(32);
        let seal = super::super::body::Seal {
            exhibit: "E-0001".into(),
            seal_no: None,
            description: Some("folder".into()),
            item: None,
            acquisition: None,
            artifact: Artifact {
                kind: "directory".into(),
                path_given: "d".into(),
                path_resolved: "/d".into(),
                size: 2,
                hashes: Hashes {
                    sha256: h.clone(),
                    ..Hashes::default()
                },
                compression: None,
                manifest_sha256: Some(h.clone()),
                file_count: Some(2),
                members: Some(vec![member("a", "file", &h), member("b", "file", &h)].into()),
                member_file: None,
                ewf: None,
            },
            hashed_by: super::super::body::Software {
                name: "scelle".into(),
                version: "0".into(),
            },
        };
        let body = Body::Seal(Box::new(seal));
        let good = representation(&body);
        let mut variants = vec![good.clone()];
        let edits: Vec<fn(&mut Value)> = vec![
            |v| v["artifact"]["members"][1]["size"] = 2.into(),
            |v| v["artifact"]["members"][0]["extra"] = 1.into(),
            |v| {
                v["artifact"]["members"].as_array_mut().unwrap().pop();
            },
            |v| {
                let m = v["artifact"]["members"][0].clone();
                v["artifact"]["members"].as_array_mut().unwrap().push(m);
            },
            |v| v["artifact"]["members"] = Value::Null,
            |v| {
                v["artifact"].as_object_mut().unwrap().remove("members");
            },
            |v| v["artifact"]["extra"] = 1.into(),
            |v| {
                v["artifact"].as_object_mut().unwrap().remove("file_count");
            },
            |v| v["artifact"]["size"] = 3.into(),
            |v| v["extra"] = 1.into(),
            |v| {
                v.as_object_mut().unwrap().remove("description");
            },
            |v| v["description"] = "other".into(),
            |v| v["artifact"] = Value::Null,
        ];
        for edit in edits {
            let mut v = good.clone();
            edit(&mut v);
            variants.push(v);
        }
        for (i, raw) in variants.iter().enumerate() {
            let whole = &good == raw;
            assert_eq!(is_representation(&body, raw), whole, "variant {i}: {raw}");
            assert_eq!(whole, i == 0, "variant {i} is no change");
        }
    }
}
