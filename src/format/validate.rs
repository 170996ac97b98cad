//! Value rules of every body (FORMAT.md §6), beyond its JSON shape: exact representation
//! (no `null`, no empty optional arrays), lower-case hex of the right length, allowed values,
//! and the internal consistency of a seal (manifest, counts, sizes, order, source hash).

use super::body::{
    Acquisition, Artifact, Body, CaseInfo, Hashes, IocScan, KeyRecord, Member, Recheck,
};
use super::encoding::unb64;
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

fn hex_of(what: &str, s: &str, bytes: usize) -> Result<(), String> {
    if is_hex_of(s, bytes) {
        Ok(())
    } else {
        Err(format!(
            "{what} {s:?} is not {} lower-case hex digits",
            2 * bytes
        ))
    }
}

fn one_of(what: &str, v: &Option<String>, allowed: &[&str]) -> Result<(), String> {
    match v {
        Some(x) if !allowed.contains(&x.as_str()) => {
            Err(format!("{what} {x:?} is not one of {}", allowed.join(", ")))
        }
        _ => Ok(()),
    }
}

/// Checks the digests of `h`; `what` (made only on error) names whose they are.
fn hashes(what: impl Fn() -> String, h: &Hashes) -> Result<(), String> {
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
pub fn manifest_sha256(members: &[Member]) -> String {
    let mut h = Sha256::new();
    let mut buf = Vec::with_capacity(1 << 16);
    for m in members {
        if m.kind != "file" {
            continue;
        }
        let Some(hs) = &m.hashes else { continue };
        let escaped = m.path.bytes().fold(false, |any, b| {
            any | (b == b'\\') | (b == b'\n') | (b == b'\r')
        });
        if escaped {
            // Escaped names, as sha256sum writes them.
            buf.extend_from_slice(sha256sum_line(&hs.sha256, &m.path).as_bytes());
        } else {
            buf.extend_from_slice(hs.sha256.as_bytes());
            buf.extend_from_slice(b"  ");
            buf.extend_from_slice(m.path.as_bytes());
            buf.push(b'\n');
        }
        if buf.len() >= 1 << 15 {
            h.update(&buf);
            buf.clear();
        }
    }
    h.update(&buf);
    super::encoding::hex(&h.finalize())
}

fn key_record(k: &KeyRecord) -> Result<(), String> {
    hex_of("key id", &k.id, 8)?;
    let name_ok = !k.name.is_empty()
        && k.name.len() <= 64
        && !k.name.starts_with('.')
        && k.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !name_ok {
        return Err(format!(
            "key name {:?} is not 1 to 64 of A-Z a-z 0-9 . _ - @, not starting with '.'",
            k.name
        ));
    }
    if unb64(&k.public_key).map(|b| b.len()) != Some(32) {
        return Err(format!(
            "public_key of {} is not 32 bytes of base64",
            k.name
        ));
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

fn case_info(c: &CaseInfo) -> Result<(), String> {
    one_of(
        "jurisdiction",
        &c.jurisdiction,
        &super::lang::Jurisdiction::CODES,
    )?;
    one_of("lang", &c.lang, &super::lang::Lang::CODES)?;
    if !origin_form(&c.origin) {
        return Err(format!(
            "origin {:?} is not scelle.case/ID/ and 16 lower-case hex digits, on one line",
            c.origin
        ));
    }
    if super::time::parse_utc(&c.created).is_none() {
        return Err(format!("created {:?} is not a UTC time", c.created));
    }
    Ok(())
}

fn member(m: &Member) -> Result<(), String> {
    let is_file = m.kind == "file";
    match m.kind.as_str() {
        "file" | "dir" | "other" => {
            if m.link.is_some() {
                return Err(format!("member {}: a {} has no link", m.path, m.kind));
            }
        }
        "symlink" | "hardlink" => {
            if m.link.is_none() {
                return Err(format!("member {}: a {} needs its link", m.path, m.kind));
            }
        }
        other => {
            return Err(format!(
                "member {}: type {other:?} is not file, dir, symlink, hardlink or other",
                m.path
            ))
        }
    }
    if is_file != (m.size.is_some() && m.hashes.is_some())
        || (!is_file && (m.size.is_some() || m.hashes.is_some()))
    {
        return Err(format!(
            "member {}: size and hashes go with files, and only with files",
            m.path
        ));
    }
    if let Some(h) = &m.hashes {
        hashes(|| format!("member {}: ", m.path), h)?;
    }
    Ok(())
}

fn artifact(a: &Artifact) -> Result<(), String> {
    hashes(String::new, &a.hashes)?;
    match a.kind.as_str() {
        "file" => {
            if a.compression.is_some()
                || a.manifest_sha256.is_some()
                || a.file_count.is_some()
                || a.members.is_some()
            {
                return Err(
                    "a file artifact has no compression, manifest, file_count or members".into(),
                );
            }
        }
        "directory" | "tar" => {
            let members = a.members.as_ref().ok_or("members missing")?;
            let manifest = a
                .manifest_sha256
                .as_ref()
                .ok_or("manifest_sha256 missing")?;
            for m in members {
                member(m)?;
            }
            let digest = manifest_sha256(members);
            if &digest != manifest {
                return Err(format!("manifest_sha256 {manifest} is not the SHA-256 of the members' manifest ({digest})"));
            }
            let files = members.iter().filter(|m| m.kind == "file").count() as u64;
            if a.file_count != Some(files) {
                return Err(format!(
                    "file_count {:?} but {files} file members",
                    a.file_count
                ));
            }
            if a.kind == "directory" {
                if a.hashes.sha256 != *manifest
                    || a.hashes.sha512.is_some()
                    || a.hashes.legacy_md5.is_some()
                    || a.hashes.legacy_sha1.is_some()
                {
                    return Err("a directory's hashes are its manifest's SHA-256 only".into());
                }
                if a.compression.is_some() {
                    return Err("a directory has no compression".into());
                }
                let total: u64 = members.iter().filter_map(|m| m.size).sum();
                if a.size != total {
                    return Err(format!(
                        "size {} is not the sum of the files' sizes ({total})",
                        a.size
                    ));
                }
                if members
                    .windows(2)
                    .any(|w| w[0].path.as_bytes() >= w[1].path.as_bytes())
                {
                    return Err(
                        "directory members are not sorted by path bytes, or repeat a path".into(),
                    );
                }
                if members.iter().any(|m| m.mtime.is_some()) {
                    return Err("directory members carry no mtime".into());
                }
            } else {
                one_of("compression", &a.compression, &["gzip"])?;
            }
        }
        other => {
            return Err(format!(
                "artifact kind {other:?} is not file, directory or tar"
            ))
        }
    }
    Ok(())
}

fn acquisition(acq: &Acquisition, sealed_sha256: &str) -> Result<(), String> {
    match (&acq.source_sha256, acq.source_hash_matches) {
        (Some(src), Some(m)) => {
            hex_of("source_sha256", src, 32)?;
            if m != (src == sealed_sha256) {
                return Err(
                    "source_hash_matches contradicts source_sha256 and the sealed hash".into(),
                );
            }
        }
        (None, None) => {}
        _ => return Err("source_sha256 and source_hash_matches go together".into()),
    }
    if let Some(t) = &acq.acquired_at {
        if super::time::parse_rfc3339(t).is_none() {
            return Err(format!("acquired_at {t:?} is not an RFC 3339 time"));
        }
    }
    Ok(())
}

fn recheck(r: &Recheck) -> Result<(), String> {
    if !r.sha256.is_empty() {
        hex_of("re-hash sha256", &r.sha256, 32)?;
    }
    if r.matches && !r.discrepancies.is_empty() {
        return Err(format!(
            "{}: a matching re-hash lists discrepancies",
            r.exhibit
        ));
    }
    if !r.matches && r.discrepancies.is_empty() {
        return Err(format!(
            "{}: a failed re-hash must say what differs",
            r.exhibit
        ));
    }
    Ok(())
}

/// The body's canonical value as scelle writes it, to compare with what the line holds.
fn representation(body: &Body) -> Value {
    let v = match body {
        Body::CaseOpen(b) => serde_json::to_value(b),
        Body::Seal(b) => serde_json::to_value(b),
        Body::KeyEnrol(b) => serde_json::to_value(b),
        Body::KeyRevoke(b) => serde_json::to_value(b),
        Body::KeyRotate(b) => serde_json::to_value(b),
        Body::Release(b) => serde_json::to_value(b),
        Body::Accept(b) => serde_json::to_value(b),
        Body::Open(b) => serde_json::to_value(b),
        Body::Reseal(b) => serde_json::to_value(b),
        Body::Note(b) => serde_json::to_value(b),
        Body::Dispose(b) => serde_json::to_value(b),
        Body::Report(b) => serde_json::to_value(b),
        Body::IocScan(b) => serde_json::to_value(b),
        Body::Export(b) => serde_json::to_value(b),
    };
    v.expect("bodies serialise")
}

/// Checks the value rules of `body`, parsed from `raw`.
pub fn validate(body: &Body, raw: &Value) -> Result<(), String> {
    if &representation(body) != raw {
        return Err("body is not in scelle's exact representation (a null, an empty optional list, or a value of another form)".into());
    }
    validate_values(body)
}

/// The value rules of a typed body, beyond its representation: what [`validate`] checks once
/// the raw body is known to be exactly `body`'s own serialisation (as it is for a body the
/// append path serialises itself).
pub fn validate_values(body: &Body) -> Result<(), String> {
    match body {
        Body::CaseOpen(o) => {
            case_info(&o.case)?;
            key_record(&o.admin)
        }
        Body::Seal(s) => {
            let digits = s.exhibit.strip_prefix("E-").unwrap_or("");
            if digits.len() < 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "exhibit id {:?} is not E- and four or more digits",
                    s.exhibit
                ));
            }
            artifact(&s.artifact)?;
            if let Some(a) = &s.acquisition {
                acquisition(a, &s.artifact.hashes.sha256)?;
            }
            Ok(())
        }
        Body::KeyEnrol(k) => key_record(&k.key),
        Body::KeyRotate(r) => {
            hex_of("old key id", &r.old, 8)?;
            key_record(&r.new)
        }
        Body::KeyRevoke(r) => hex_of("key id", &r.key, 8),
        Body::Release(r) => hex_of("receiver key id", &r.to, 8),
        Body::Accept(a) => a.received.iter().try_for_each(recheck),
        Body::Reseal(r) => recheck(&r.recheck),
        Body::Open(_) | Body::Note(_) | Body::Dispose(_) => Ok(()),
        Body::Report(r) => {
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
            if r.file.is_empty() || r.file.contains('/') || r.file.contains('\\') {
                return Err(format!("report file {:?} must be a bare file name", r.file));
            }
            Ok(())
        }
        Body::IocScan(scan) => ioc_scan(scan),
        Body::Export(x) => {
            hex_of("bundle sha256", &x.sha256, 32)?;
            one_of("export format", &Some(x.format.clone()), &["bagit-tar"])?;
            if x.file.is_empty() || x.file.contains('/') || x.file.contains('\\') {
                return Err(format!("bundle file {:?} must be a bare file name", x.file));
            }
            if x.exhibits.is_empty() {
                return Err("an export names at least one exhibit".into());
            }
            let mut seen = std::collections::BTreeSet::new();
            if let Some(dup) = x.exhibits.iter().find(|e| !seen.insert(e.as_str())) {
                return Err(format!("exhibit {dup} is listed twice in the export"));
            }
            for v in [&x.to, &x.purpose].into_iter().flatten() {
                if v.is_empty() {
                    return Err("an export's to and purpose are omitted, never empty".into());
                }
            }
            Ok(())
        }
    }
}

/// The value rules of an `ioc.scan` body (FORMAT.md 6.8).
fn ioc_scan(scan: &IocScan) -> Result<(), String> {
    if scan.ioc_files.is_empty() {
        return Err("a scan names at least one IOC file".into());
    }
    if scan.exhibits.is_empty() {
        return Err("a scan names at least one exhibit".into());
    }
    let mut files = std::collections::BTreeSet::new();
    for f in &scan.ioc_files {
        hex_of("IOC file sha256", &f.sha256, 32)?;
        if !files.insert(f.sha256.as_str()) {
            return Err(format!("IOC file {} is listed twice", f.sha256));
        }
        if f.file.is_empty() || f.file.contains('/') || f.file.contains('\\') {
            return Err(format!(
                "IOC file name {:?} must be a bare file name",
                f.file
            ));
        }
        let skipped: u64 = f.skipped.iter().map(|s| s.count).sum();
        if f.used + skipped != f.indicator_objects || f.names_only > f.used {
            return Err(format!(
                "IOC file {}: {} used + {skipped} skipped is not its {} indicators",
                f.file, f.used, f.indicator_objects
            ));
        }
        if f.skipped
            .iter()
            .any(|s| s.count == 0 || s.examples.is_empty() || s.examples.len() > 5)
        {
            return Err(format!(
                "IOC file {}: each skipped reason has a count and 1 to 5 examples",
                f.file
            ));
        }
    }
    let mut exhibits = std::collections::BTreeMap::new();
    for e in &scan.exhibits {
        hex_of("scanned sha256", &e.sha256, 32)?;
        if exhibits.insert(e.exhibit.as_str(), 0u64).is_some() {
            return Err(format!("exhibit {} is listed twice", e.exhibit));
        }
    }
    for m in &scan.matches {
        if !files.contains(m.ioc_file.as_str()) {
            return Err(format!(
                "match of {} cites IOC file {}, not one of the scan's",
                m.indicator, m.ioc_file
            ));
        }
        match exhibits.get_mut(m.exhibit.as_str()) {
            Some(n) => *n += 1,
            None => {
                return Err(format!(
                    "match of {} is in {}, not one of the exhibits scanned",
                    m.indicator, m.exhibit
                ))
            }
        }
        one_of(
            "match place",
            &Some(m.on.clone()),
            &["content", "path", "name", "hash"],
        )?;
        let content = m.on == "content";
        if m.occurrences == 0
            || (!content && m.occurrences != 1)
            || content != m.offset.is_some()
            || content != m.excerpt.is_some()
            || content != m.excerpt_start.is_some()
            || (!content && !m.offsets.is_empty())
        {
            return Err(format!(
                "match of {} in {}: content matches (only) give occurrences, offset and excerpt",
                m.indicator, m.exhibit
            ));
        }
        if let (Some(off), Some(start), Some(x)) = (m.offset, m.excerpt_start, &m.excerpt) {
            let listed = m
                .occurrences
                .min(crate::format::iocmatch::MAX_OFFSETS as u64);
            let offsets_ok = if m.occurrences == 1 {
                m.offsets.is_empty()
            } else {
                m.offsets.len() as u64 == listed
                    && m.offsets[0] == off
                    && m.offsets.windows(2).all(|w| w[0] < w[1])
            };
            if !offsets_ok
                || start > off
                || off - start > crate::format::iocmatch::EXCERPT_CONTEXT as u64
                || !x.bytes().all(|b| (0x20..0x7f).contains(&b))
            {
                return Err(format!(
                    "match of {} in {}: offsets, excerpt start or excerpt bytes break FORMAT.md 6.8",
                    m.indicator, m.exhibit
                ));
            }
        }
        let lower_kinds = [
            "domain-name:value",
            "ipv4-addr:value",
            "url:value",
            "email-addr:value",
            "configuration-profile:id",
        ];
        if (lower_kinds.contains(&m.kind.as_str())
            || m.kind.starts_with("file:hashes.")
            || m.kind.starts_with("app:cert."))
            && m.value != m.value.to_ascii_lowercase()
        {
            return Err(format!(
                "match of {}: a {} value is compared in lower case",
                m.indicator, m.kind
            ));
        }
    }
    for e in &scan.exhibits {
        if exhibits[e.exhibit.as_str()] != e.matches {
            return Err(format!(
                "exhibit {} says {} matches, the scan lists {}",
                e.exhibit,
                e.matches,
                exhibits[e.exhibit.as_str()]
            ));
        }
    }
    check_match_caps(scan)
}

/// FORMAT.md 6.8: at most [`MAX_MATCHES_PER_INDICATOR`] match records per indicator and
/// exhibit; an exhibit's `omitted` entries are sorted by (IOC file, indicator) without repeats,
/// each names one of the IOC files, counts at least 1, and is for an indicator with exactly the
/// maximum of records in that exhibit.
fn check_match_caps(scan: &IocScan) -> Result<(), String> {
    use crate::format::body::MAX_MATCHES_PER_INDICATOR as MAX;
    use std::collections::HashMap;
    let mut per: HashMap<(&str, &str, &str), u64> = HashMap::new();
    for m in &scan.matches {
        *per.entry((
            m.exhibit.as_str(),
            m.ioc_file.as_str(),
            m.indicator.as_str(),
        ))
        .or_default() += 1;
    }
    if let Some(((e, _, i), n)) = per.iter().find(|(_, &n)| n > MAX) {
        return Err(format!(
            "indicator {i:?} has {n} match records in exhibit {e}, more than {MAX}"
        ));
    }
    for e in &scan.exhibits {
        for (k, o) in e.omitted.iter().enumerate() {
            if k > 0 {
                let p = &e.omitted[k - 1];
                if (p.ioc_file.as_str(), p.indicator.as_str())
                    >= (o.ioc_file.as_str(), o.indicator.as_str())
                {
                    return Err(format!(
                        "exhibit {}: omitted is not sorted by IOC file and indicator without repeats",
                        e.exhibit
                    ));
                }
            }
            if !scan.ioc_files.iter().any(|f| f.sha256 == o.ioc_file) {
                return Err(format!(
                    "exhibit {}: omitted names IOC file {}, none of the scan's",
                    e.exhibit, o.ioc_file
                ));
            }
            if o.matches == 0 {
                return Err(format!(
                    "exhibit {}: omitted matches of {:?} must be at least 1",
                    e.exhibit, o.indicator
                ));
            }
            let kept = per
                .get(&(
                    e.exhibit.as_str(),
                    o.ioc_file.as_str(),
                    o.indicator.as_str(),
                ))
                .copied()
                .unwrap_or(0);
            if kept != MAX {
                return Err(format!(
                    "exhibit {}: matches of {:?} were omitted, but {kept} are recorded, not {MAX}",
                    e.exhibit, o.indicator
                ));
            }
        }
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
            hashes(String::new, &Hashes::default()),
            Err("sha256 \"\" is not 64 lower-case hex digits".to_string())
        );
    }

    fn member_check(m: &Member) -> Result<(), String> {
        super::member(m)
    }
}
