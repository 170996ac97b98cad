//! STIX 2.1 bundles of indicators of compromise, as Amnesty International's Security Lab and
//! the MVT project publish them: `indicator` objects whose pattern is one equality comparison
//! (`[domain-name:value = 'example.com']`), linked by `indicates` relationships to the
//! `malware` (or campaign, intrusion set, threat actor, tool) they point to.
//!
//! Every indicator form MVT reads is accepted (see [`IndicatorKind`]). An indicator that
//! cannot be used (another pattern language, a compound or non-equality pattern, an object path
//! no tool matches, an empty or malformed value, a revoked object) is kept in
//! [`Bundle::skipped`] with its reason, never dropped silently. A bundle that is not well formed
//! (not JSON, not a bundle, an object without `type` or `id`, an indicator without a pattern,
//! a relationship without its ends) is an error naming the object.

use std::collections::{BTreeMap, BTreeSet};

/// What an indicator describes, from the object path of its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndicatorKind {
    /// `domain-name:value`: the domain or any subdomain.
    Domain,
    /// `ipv4-addr:value`.
    Ipv4,
    /// `url:value`.
    Url,
    /// `email-addr:value`.
    Email,
    /// `process:name`.
    Process,
    /// `file:name`.
    FileName,
    /// `file:path`.
    FilePath,
    /// `file:hashes.md5` (also `'MD5'`).
    FileMd5,
    /// `file:hashes.sha1` (also `'SHA-1'`).
    FileSha1,
    /// `file:hashes.sha256` (also `'SHA-256'`).
    FileSha256,
    /// `app:id` (Android package name, iOS bundle id).
    AppId,
    /// `app:cert.md5`: the hash of an app's signing certificate.
    AppCertMd5,
    /// `app:cert.sha1`.
    AppCertSha1,
    /// `app:cert.sha256`.
    AppCertSha256,
    /// `configuration-profile:id` (iOS configuration profile UUID).
    ProfileId,
    /// `android-property:name`.
    AndroidProperty,
}

impl IndicatorKind {
    /// Every kind, in a fixed order.
    pub const ALL: [IndicatorKind; 16] = [
        IndicatorKind::Domain,
        IndicatorKind::Ipv4,
        IndicatorKind::Url,
        IndicatorKind::Email,
        IndicatorKind::Process,
        IndicatorKind::FileName,
        IndicatorKind::FilePath,
        IndicatorKind::FileMd5,
        IndicatorKind::FileSha1,
        IndicatorKind::FileSha256,
        IndicatorKind::AppId,
        IndicatorKind::AppCertMd5,
        IndicatorKind::AppCertSha1,
        IndicatorKind::AppCertSha256,
        IndicatorKind::ProfileId,
        IndicatorKind::AndroidProperty,
    ];

    /// The object path as recorded in the ledger (hash names in the lower-case spelling).
    pub fn key(self) -> &'static str {
        match self {
            IndicatorKind::Domain => "domain-name:value",
            IndicatorKind::Ipv4 => "ipv4-addr:value",
            IndicatorKind::Url => "url:value",
            IndicatorKind::Email => "email-addr:value",
            IndicatorKind::Process => "process:name",
            IndicatorKind::FileName => "file:name",
            IndicatorKind::FilePath => "file:path",
            IndicatorKind::FileMd5 => "file:hashes.md5",
            IndicatorKind::FileSha1 => "file:hashes.sha1",
            IndicatorKind::FileSha256 => "file:hashes.sha256",
            IndicatorKind::AppId => "app:id",
            IndicatorKind::AppCertMd5 => "app:cert.md5",
            IndicatorKind::AppCertSha1 => "app:cert.sha1",
            IndicatorKind::AppCertSha256 => "app:cert.sha256",
            IndicatorKind::ProfileId => "configuration-profile:id",
            IndicatorKind::AndroidProperty => "android-property:name",
        }
    }

    /// The kind for an object path, accepting the spellings MVT accepts for hashes
    /// (`file:hashes.sha256`, `file:hashes.'SHA-256'`, `file:hashes.SHA256` ...).
    pub fn from_key(key: &str) -> Option<IndicatorKind> {
        let hash = |prefix: &str| -> Option<&'static str> {
            let rest = key.strip_prefix(prefix)?;
            let name = rest
                .trim_matches('\'')
                .to_ascii_lowercase()
                .replace('-', "");
            match name.as_str() {
                "md5" => Some("md5"),
                "sha1" => Some("sha1"),
                "sha256" => Some("sha256"),
                _ => None,
            }
        };
        if let Some(h) = hash("file:hashes.") {
            return Some(match h {
                "md5" => IndicatorKind::FileMd5,
                "sha1" => IndicatorKind::FileSha1,
                _ => IndicatorKind::FileSha256,
            });
        }
        if let Some(h) = hash("app:cert.") {
            return Some(match h {
                "md5" => IndicatorKind::AppCertMd5,
                "sha1" => IndicatorKind::AppCertSha1,
                _ => IndicatorKind::AppCertSha256,
            });
        }
        IndicatorKind::ALL
            .into_iter()
            .find(|k| k.key() == key && !k.is_hash())
    }

    /// For hash kinds, the digest and its length in hex digits.
    pub fn digest(self) -> Option<(&'static str, usize)> {
        match self {
            IndicatorKind::FileMd5 | IndicatorKind::AppCertMd5 => Some(("md5", 32)),
            IndicatorKind::FileSha1 | IndicatorKind::AppCertSha1 => Some(("sha1", 40)),
            IndicatorKind::FileSha256 | IndicatorKind::AppCertSha256 => Some(("sha256", 64)),
            _ => None,
        }
    }

    /// Whether the indicator is a digest of file content.
    pub fn is_hash(self) -> bool {
        self.digest().is_some()
    }

    /// Whether values compare without regard to ASCII case (domains, URLs, e-mail addresses,
    /// profile UUIDs and hex digests); process, file and app names compare exactly.
    pub fn case_insensitive(self) -> bool {
        matches!(
            self,
            IndicatorKind::Domain
                | IndicatorKind::Ipv4
                | IndicatorKind::Url
                | IndicatorKind::Email
                | IndicatorKind::ProfileId
        ) || self.is_hash()
    }
}

/// One usable indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// The STIX id, `indicator--UUID`.
    pub id: String,
    /// The pattern exactly as in the bundle.
    pub pattern: String,
    /// What it describes.
    pub kind: IndicatorKind,
    /// The value compared: lower-case for case-insensitive kinds, a domain without a final dot.
    pub value: String,
    /// Names of what it indicates (malware, campaign ...), sorted; empty when the bundle links
    /// it to nothing (it is still used).
    pub indicates: Vec<String>,
}

/// An indicator not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The STIX id.
    pub id: String,
    /// The reason, in words; indicators skipped for the same reason share it exactly.
    pub reason: String,
}

/// The indicators of one STIX bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The bundle's id, `bundle--UUID` (empty if the bundle has none, which STIX 2.1 allows
    /// only in a bare object list: such files are accepted).
    pub id: String,
    /// Number of objects in the bundle.
    pub objects: u64,
    /// Number of `indicator` objects.
    pub indicator_objects: u64,
    /// The usable indicators, in bundle order.
    pub indicators: Vec<Indicator>,
    /// The indicators not used, in bundle order.
    pub skipped: Vec<Skipped>,
    /// Names of the malware, campaigns, intrusion sets, threat actors and tools in the bundle.
    pub named: Vec<String>,
}

/// A bundle that cannot be read; the message names the object at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StixError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// JSON, but not a STIX bundle.
    #[error("not a STIX 2.1 bundle: {0}")]
    NotABundle(String),
    /// An object that breaks the STIX rules scelle relies on.
    #[error("object {index} ({id}): {problem}")]
    Object {
        /// Its position in `objects`, from 0.
        index: usize,
        /// Its id, or `no id`.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

/// Object types whose `name` an `indicates` relationship can point to.
const NAMED_TYPES: &[&str] = &[
    "malware",
    "campaign",
    "intrusion-set",
    "threat-actor",
    "tool",
    "attack-pattern",
    "infrastructure",
];

/// Reads a STIX 2.1 bundle.
pub fn parse_bundle(bytes: &[u8]) -> Result<Bundle, StixError> {
    let root: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| StixError::Json(e.to_string()))?;
    let obj = root
        .as_object()
        .ok_or_else(|| StixError::NotABundle("the top level is not a JSON object".into()))?;
    match obj.get("type").and_then(|t| t.as_str()) {
        Some("bundle") => {}
        Some(t) => {
            return Err(StixError::NotABundle(format!(
                "top-level \"type\" is {t:?}, expected \"bundle\""
            )))
        }
        None => {
            return Err(StixError::NotABundle(
                "no top-level \"type\": \"bundle\"".into(),
            ))
        }
    }
    let id = match obj.get("id") {
        None => String::new(),
        Some(serde_json::Value::String(s)) if s.starts_with("bundle--") => s.clone(),
        Some(other) => {
            return Err(StixError::NotABundle(format!(
                "bundle \"id\" {other} is not \"bundle--...\""
            )))
        }
    };
    let objects = obj
        .get("objects")
        .and_then(|o| o.as_array())
        .ok_or_else(|| StixError::NotABundle("no \"objects\" array".into()))?;

    // First pass: every object's type and id; names of what indicators can point to.
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut kinds: Vec<(&str, &str)> = Vec::with_capacity(objects.len());
    for (index, o) in objects.iter().enumerate() {
        let m = o.as_object().ok_or_else(|| StixError::Object {
            index,
            id: "no id".into(),
            problem: "not a JSON object".into(),
        })?;
        let id = m.get("id").and_then(|v| v.as_str());
        let ty = m.get("type").and_then(|v| v.as_str());
        let (Some(id), Some(ty)) = (id, ty) else {
            return Err(StixError::Object {
                index,
                id: id.unwrap_or("no id").to_string(),
                problem: "every STIX object needs a string \"type\" and \"id\"".into(),
            });
        };
        if !id.starts_with(&format!("{ty}--")) {
            return Err(StixError::Object {
                index,
                id: id.into(),
                problem: format!("id does not start with its type {ty:?} followed by \"--\""),
            });
        }
        if NAMED_TYPES.contains(&ty) {
            if let Some(n) = m.get("name").and_then(|v| v.as_str()) {
                names.insert(id, n);
            }
        }
        kinds.push((ty, id));
    }

    // Second pass: relationships, indicator id -> names it indicates.
    let mut indicates: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (index, o) in objects.iter().enumerate() {
        if kinds[index].0 != "relationship" {
            continue;
        }
        let src = o.get("source_ref").and_then(|v| v.as_str());
        let dst = o.get("target_ref").and_then(|v| v.as_str());
        let (Some(src), Some(dst)) = (src, dst) else {
            return Err(StixError::Object {
                index,
                id: kinds[index].1.into(),
                problem: "a relationship needs string \"source_ref\" and \"target_ref\"".into(),
            });
        };
        if o.get("relationship_type").and_then(|v| v.as_str()) != Some("indicates") {
            continue;
        }
        if let Some(n) = names.get(dst) {
            indicates.entry(src).or_default().insert((*n).to_string());
        }
    }

    let mut bundle = Bundle {
        id,
        objects: objects.len() as u64,
        indicator_objects: 0,
        indicators: Vec::new(),
        skipped: Vec::new(),
        named: names
            .values()
            .map(|n| n.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    for (index, o) in objects.iter().enumerate() {
        let (ty, id) = kinds[index];
        if ty != "indicator" {
            continue;
        }
        bundle.indicator_objects += 1;
        let pattern =
            o.get("pattern")
                .and_then(|v| v.as_str())
                .ok_or_else(|| StixError::Object {
                    index,
                    id: id.into(),
                    problem: "an indicator needs a string \"pattern\"".into(),
                })?;
        let skip = |reason: String| Skipped {
            id: id.into(),
            reason,
        };
        if o.get("revoked").and_then(|v| v.as_bool()) == Some(true) {
            bundle.skipped.push(skip("revoked".into()));
            continue;
        }
        // STIX 2.1 requires pattern_type; earlier bundles (2.0) have none and are STIX.
        let pattern_type = o
            .get("pattern_type")
            .and_then(|v| v.as_str())
            .unwrap_or("stix");
        if pattern_type != "stix" {
            bundle.skipped.push(skip(format!(
                "pattern_type {pattern_type:?} is not \"stix\""
            )));
            continue;
        }
        let (key, raw) = match parse_comparison(pattern) {
            Ok(kv) => kv,
            Err(reason) => {
                bundle.skipped.push(skip(reason.into()));
                continue;
            }
        };
        let Some(kind) = IndicatorKind::from_key(&key) else {
            bundle.skipped.push(skip(format!(
                "object path {key:?} is not one scelle (or MVT) matches"
            )));
            continue;
        };
        let value = match normalise(kind, &raw) {
            Ok(v) => v,
            Err(reason) => {
                bundle.skipped.push(skip(reason));
                continue;
            }
        };
        bundle.indicators.push(Indicator {
            id: id.into(),
            pattern: pattern.into(),
            kind,
            value,
            indicates: indicates
                .get(id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        });
    }
    Ok(bundle)
}

/// The reason given for patterns that are not one `[path = 'value']` comparison.
pub const NOT_ONE_EQUALITY: &str =
    "not a single equality comparison [object-path = 'value'] (compound, qualified or other operator)";

/// Splits `[object-path = 'value']` into the path and the unescaped value.
fn parse_comparison(pattern: &str) -> Result<(String, String), &'static str> {
    let p = pattern.trim();
    let inner = p
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or(NOT_ONE_EQUALITY)?;
    let inner = inner.trim();
    // The object path: up to white space or `=`, quotes allowed (file:hashes.'SHA-256').
    let mut key = String::new();
    let mut chars = inner.char_indices().peekable();
    let mut in_quote = false;
    let mut rest_at = inner.len();
    while let Some(&(i, c)) = chars.peek() {
        if !in_quote && (c == '=' || c.is_whitespace() || c == '!' || c == '<' || c == '>') {
            rest_at = i;
            break;
        }
        if c == '\'' {
            in_quote = !in_quote;
        }
        key.push(c);
        chars.next();
    }
    let rest = inner[rest_at..].trim_start();
    let rest = rest.strip_prefix('=').ok_or(NOT_ONE_EQUALITY)?.trim_start();
    let body = rest.strip_prefix('\'').ok_or(NOT_ONE_EQUALITY)?;
    let mut value = String::new();
    let mut escaped = false;
    let mut end = None;
    for (i, c) in body.char_indices() {
        if escaped {
            value.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '\'' {
            end = Some(i);
            break;
        } else {
            value.push(c);
        }
    }
    let end = end.ok_or(NOT_ONE_EQUALITY)?;
    if !body[end + 1..].trim().is_empty() || key.is_empty() {
        return Err(NOT_ONE_EQUALITY);
    }
    Ok((key, value))
}

/// The value as compared, or why it cannot be used.
fn normalise(kind: IndicatorKind, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err("empty value".into());
    }
    if v.contains('\0') {
        return Err("value contains a NUL character".into());
    }
    let mut v = if kind.case_insensitive() {
        v.to_ascii_lowercase()
    } else {
        v.to_string()
    };
    match kind {
        IndicatorKind::Domain => {
            while v.ends_with('.') {
                v.pop();
            }
            if !v.contains('.') || v.starts_with('.') || v.bytes().any(|b| b.is_ascii_whitespace())
            {
                return Err(format!("domain {raw:?} is not a domain name"));
            }
        }
        IndicatorKind::Ipv4 if v.parse::<std::net::Ipv4Addr>().is_err() => {
            return Err(format!(
                "{raw:?} is not an IPv4 address (CIDR ranges are not matched)"
            ));
        }
        IndicatorKind::Email if v.split('@').count() != 2 => {
            return Err(format!("{raw:?} is not an e-mail address"));
        }
        _ => {}
    }
    if let Some((name, len)) = kind.digest() {
        if v.len() != len || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{raw:?} is not a {name} digest ({len} hex digits)"));
        }
    }
    Ok(v)
}

/// Counts of skipped indicators by reason, with the first few ids of each, in first-seen order.
pub fn skipped_by_reason(skipped: &[Skipped], examples: usize) -> Vec<(String, u64, Vec<String>)> {
    let mut out: Vec<(String, u64, Vec<String>)> = Vec::new();
    for s in skipped {
        match out.iter_mut().find(|(r, _, _)| *r == s.reason) {
            Some((_, n, ids)) => {
                *n += 1;
                if ids.len() < examples {
                    ids.push(s.id.clone());
                }
            }
            None => out.push((s.reason.clone(), 1, vec![s.id.clone()])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(objects: &str) -> Vec<u8> {
        format!(r#"{{"type":"bundle","id":"bundle--1","objects":[{objects}]}}"#).into_bytes()
    }

    fn ind(id: &str, pattern: &str) -> String {
        format!(
            r#"{{"type":"indicator","id":"indicator--{id}","pattern":{},"pattern_type":"stix"}}"#,
            serde_json::Value::String(pattern.into())
        )
    }

    #[test]
    fn every_mvt_form_is_read() {
        let forms = [
            ("[domain-name:value='Example.COM.']", IndicatorKind::Domain, "example.com"),
            ("[ipv4-addr:value = '10.1.2.3']", IndicatorKind::Ipv4, "10.1.2.3"),
            ("[url:value='https://x.example/a']", IndicatorKind::Url, "https://x.example/a"),
            ("[email-addr:value='A@B.org']", IndicatorKind::Email, "a@b.org"),
            ("[process:name='roleaccountd']", IndicatorKind::Process, "roleaccountd"),
            ("[file:name='roleaccountd.plist']", IndicatorKind::FileName, "roleaccountd.plist"),
            ("[file:path='/private/var/tmp/hooker']", IndicatorKind::FilePath, "/private/var/tmp/hooker"),
            ("[file:hashes.md5='D41D8CD98F00B204E9800998ECF8427E']", IndicatorKind::FileMd5, "d41d8cd98f00b204e9800998ecf8427e"),
            ("[file:hashes.sha1='da39a3ee5e6b4b0d3255bfef95601890afd80709']", IndicatorKind::FileSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("[file:hashes.sha256='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", IndicatorKind::FileSha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("[file:hashes.'SHA-256'='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", IndicatorKind::FileSha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("[file:hashes.'SHA-1'='da39a3ee5e6b4b0d3255bfef95601890afd80709']", IndicatorKind::FileSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("[app:id='com.bad.app']", IndicatorKind::AppId, "com.bad.app"),
            ("[app:cert.sha256='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", IndicatorKind::AppCertSha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("[app:cert.md5='d41d8cd98f00b204e9800998ecf8427e']", IndicatorKind::AppCertMd5, "d41d8cd98f00b204e9800998ecf8427e"),
            ("[app:cert.sha1='da39a3ee5e6b4b0d3255bfef95601890afd80709']", IndicatorKind::AppCertSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']", IndicatorKind::ProfileId, "76dab334-7e17-475d-a5d6-0794eb5818a5"),
            ("[android-property:name='persist.bad.flag']", IndicatorKind::AndroidProperty, "persist.bad.flag"),
            ("[process:name='it\\'s']", IndicatorKind::Process, "it's"),
        ];
        let objs: Vec<String> = forms
            .iter()
            .enumerate()
            .map(|(i, (p, _, _))| ind(&i.to_string(), p))
            .collect();
        let b = parse_bundle(&bundle(&objs.join(","))).unwrap();
        assert!(b.skipped.is_empty(), "{:?}", b.skipped);
        assert_eq!(b.indicators.len(), forms.len());
        for (i, (p, k, v)) in forms.iter().enumerate() {
            assert_eq!(b.indicators[i].kind, *k, "{p}");
            assert_eq!(b.indicators[i].value, *v, "{p}");
        }
    }

    #[test]
    fn unusable_indicators_are_skipped_with_reasons() {
        let objs = [
            ind("1", "[domain-name:value='a.com'] OR [domain-name:value='b.com']"),
            ind("2", "[domain-name:value='a.com' AND domain-name:value='b.com']"),
            ind("3", "[file:size > 10]"),
            ind("4", "[windows-registry-key:key = 'HKLM\\\\x']"),
            ind("5", "[domain-name:value='']"),
            ind("6", "[file:hashes.sha256='abc']"),
            ind("7", "[ipv4-addr:value='10.0.0.0/8']"),
            r#"{"type":"indicator","id":"indicator--8","pattern":"rule x {}","pattern_type":"yara"}"#.to_string(),
            r#"{"type":"indicator","id":"indicator--9","pattern":"[domain-name:value='c.com']","revoked":true}"#.to_string(),
            ind("10", "[domain-name:value='ok.com']"),
        ];
        let b = parse_bundle(&bundle(&objs.join(","))).unwrap();
        assert_eq!(b.indicators.len(), 1);
        assert_eq!(b.indicator_objects, 10);
        assert_eq!(b.skipped.len(), 9);
        let ids: Vec<&str> = b.skipped.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids[0], "indicator--1");
        assert!(b.skipped[0].reason.contains("single equality"));
        assert!(b.skipped[3].reason.contains("windows-registry-key"));
        assert!(b.skipped[5].reason.contains("sha256"));
        assert!(b.skipped[7].reason.contains("yara"));
        assert_eq!(b.skipped[8].reason, "revoked");
        let grouped = skipped_by_reason(&b.skipped, 2);
        assert_eq!(grouped[0].1, 3, "{grouped:?}");
    }

    #[test]
    fn relationships_name_the_malware() {
        let objs = [
            r#"{"type":"malware","id":"malware--m","name":"Pegasus"}"#.to_string(),
            r#"{"type":"campaign","id":"campaign--c","name":"Catalan"}"#.to_string(),
            ind("1", "[domain-name:value='a.com']"),
            ind("2", "[domain-name:value='b.com']"),
            r#"{"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--m"}"#.to_string(),
            r#"{"type":"relationship","id":"relationship--2","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"campaign--c"}"#.to_string(),
        ];
        let b = parse_bundle(&bundle(&objs.join(","))).unwrap();
        assert_eq!(b.indicators[0].indicates, vec!["Catalan", "Pegasus"]);
        assert!(b.indicators[1].indicates.is_empty());
        assert_eq!(b.named, vec!["Catalan", "Pegasus"]);
    }

    #[test]
    fn malformed_bundles_name_the_object() {
        assert!(matches!(parse_bundle(b"{"), Err(StixError::Json(_))));
        assert!(matches!(parse_bundle(b"[]"), Err(StixError::NotABundle(_))));
        assert!(matches!(
            parse_bundle(br#"{"type":"report","objects":[]}"#),
            Err(StixError::NotABundle(_))
        ));
        assert!(matches!(
            parse_bundle(br#"{"type":"bundle"}"#),
            Err(StixError::NotABundle(_))
        ));
        let e = parse_bundle(&bundle(r#"{"type":"indicator","id":"indicator--x"}"#)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "object 0 (indicator--x): an indicator needs a string \"pattern\""
        );
        let e = parse_bundle(&bundle(r#"{"id":"indicator--x"}"#)).unwrap_err();
        assert!(e.to_string().starts_with("object 0 (indicator--x)"), "{e}");
        let e = parse_bundle(&bundle(r#"{"type":"malware","id":"indicator--x"}"#)).unwrap_err();
        assert!(
            e.to_string().contains("does not start with its type"),
            "{e}"
        );
        let e = parse_bundle(&bundle(
            r#"{"type":"relationship","id":"relationship--1","relationship_type":"indicates"}"#,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("source_ref"), "{e}");
        let e = parse_bundle(&bundle("1")).unwrap_err();
        assert!(e.to_string().contains("not a JSON object"), "{e}");
    }
}
