//! `ioc.scan`: a scan of sealed exhibits for indicators of compromise, with what it found (or
//! that it found nothing) (FORMAT.md 6.8).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::Software;
use crate::format::state::{ChainState, CustodyStatus, FindingDigest};
use crate::format::validate::{self, hex_of, one_of};
use serde::{Deserialize, Serialize};

/// A scan of sealed exhibits for indicators of compromise, with what it found (or that it found
/// nothing).
pub const KIND_IOC_SCAN: &str = "ioc.scan";

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
    /// Number of entries in `mentions` for this exhibit (omitted when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mentions: u64,
    /// The mention records left out per indicator, as `omitted` for matches (omitted when
    /// empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted_mentions: Vec<OmittedMatches>,
}

/// Bytes of context each side of a hit in its excerpt (FORMAT.md 6.8).
pub const EXCERPT_CONTEXT: usize = 32;
/// Offsets listed per indicator, member and matched text (all are counted).
pub const MAX_OFFSETS: usize = 16;

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

/// Where inside a structured file (a SQLite database, a property list, a JSON document, a log)
/// a value was read (FORMAT.md 6.8): the members that apply to the file's format.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// SQLite: the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// SQLite: the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// SQLite: the row's rowid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rowid: Option<i64>,
    /// Property list or JSON: the JSON Pointer (RFC 6901) of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Log: the line number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
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
    /// `content`, `path`, `name`, `hash`, or where in a structured file: `sqlite`, `plist`,
    /// `json`, `log` (then with `location`).
    pub on: String,
    /// Where in the structured file (`on` is `sqlite`, `plist`, `json` or `log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
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
    /// Every finding; empty when nothing matched (a negative result is recorded too).
    pub matches: Vec<IocMatch>,
    /// Low-confidence mentions: raw-content hits of an indicator outside a place where its
    /// kind means something (a process name in arbitrary bytes). Never findings; omitted when
    /// empty (FORMAT.md 6.8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<IocMatch>,
    /// The software that scanned.
    pub scanned_by: Software,
}

impl IocScan {
    /// Every record of the scan, findings then mentions, each with its label for messages
    /// (`match N`, `mention N`, N its index in its list).
    pub fn records(&self) -> impl Iterator<Item = (String, &IocMatch)> {
        let label = |kind: &'static str| move |(i, m)| (format!("{kind} {i}"), m);
        self.matches
            .iter()
            .enumerate()
            .map(label("match"))
            .chain(self.mentions.iter().enumerate().map(label("mention")))
    }
}

impl Kind for IocScan {
    const NAME: &'static str = KIND_IOC_SCAN;

    fn exhibits(&self) -> Vec<&str> {
        // A scan reads exhibits without acting on them, but it is an event of their lives.
        self.exhibits.iter().map(|e| e.exhibit.as_str()).collect()
    }

    fn reads(&self) -> Reads<'_> {
        Reads::exhibits(self.exhibits())
    }

    fn validate(&self) -> Result<(), ValueError> {
        ioc_scan(self)
    }

    fn check(&self, state: &ChainState, _at: At<'_>) -> Result<(), CustodyError> {
        for e in &self.exhibits {
            let c = state.exhibit(&e.exhibit)?;
            if matches!(c.status, CustodyStatus::Disposed { .. }) {
                return Err(CustodyError::ScanDisposed {
                    exhibit: e.exhibit.clone(),
                });
            }
            if e.sha256 != c.sealed_sha256 {
                return Err(CustodyError::ScanHashDiffers {
                    exhibit: e.exhibit.clone(),
                    read: e.sha256.clone(),
                    sealed: c.sealed_sha256.clone(),
                });
            }
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        // What an `ioc.review` of one of its findings is checked against (FORMAT.md 6.11).
        let findings = self
            .matches
            .iter()
            .map(|m| FindingDigest::of(&m.indicator, &m.exhibit, m.member.as_deref()))
            .collect();
        state.scans.insert(at.seq, findings);
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "IOC scan of {} with {}: {}",
            self.exhibits
                .iter()
                .map(|e| e.exhibit.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            self.ioc_files
                .iter()
                .map(|f| format!("{} ({} indicators)", f.file, f.used))
                .collect::<Vec<_>>()
                .join(", "),
            if self.matches.is_empty() {
                "no match".to_string()
            } else {
                format!("{} matches", self.matches.len())
            }
        )
    }
}

/// The value rules of an `ioc.scan` body (FORMAT.md 6.8).
fn ioc_scan(scan: &IocScan) -> Result<(), ValueError> {
    if scan.ioc_files.is_empty() {
        return Err(ValueError::Rule(
            "a scan names at least one IOC file".into(),
        ));
    }
    if scan.exhibits.is_empty() {
        return Err(ValueError::Rule("a scan names at least one exhibit".into()));
    }
    let mut files = std::collections::BTreeSet::new();
    for f in &scan.ioc_files {
        hex_of("IOC file sha256", &f.sha256, 32)?;
        if !files.insert(f.sha256.as_str()) {
            return Err(ValueError::Rule(format!(
                "IOC file {} is listed twice",
                f.sha256
            )));
        }
        validate::bare_file_name("IOC file name", &f.file)?;
        let skipped: u64 = f.skipped.iter().map(|s| s.count).sum();
        if f.used + skipped != f.indicator_objects || f.names_only > f.used {
            return Err(ValueError::Rule(format!(
                "IOC file {}: {} used + {skipped} skipped is not its {} indicators",
                f.file, f.used, f.indicator_objects
            )));
        }
        if f.skipped
            .iter()
            .any(|s| s.count == 0 || s.examples.is_empty() || s.examples.len() > 5)
        {
            return Err(ValueError::Rule(format!(
                "IOC file {}: each skipped reason has a count and 1 to 5 examples",
                f.file
            )));
        }
    }
    let mut exhibits = std::collections::BTreeMap::new();
    for e in &scan.exhibits {
        hex_of("scanned sha256", &e.sha256, 32)?;
        if exhibits.insert(e.exhibit.as_str(), (0u64, 0u64)).is_some() {
            return Err(ValueError::Rule(format!(
                "exhibit {} is listed twice",
                e.exhibit
            )));
        }
    }
    for (m, mention) in scan
        .matches
        .iter()
        .map(|m| (m, false))
        .chain(scan.mentions.iter().map(|m| (m, true)))
    {
        let what = if mention { "mention" } else { "match" };
        if !files.contains(m.ioc_file.as_str()) {
            return Err(ValueError::Rule(format!(
                "{what} of {} cites IOC file {}, not one of the scan's",
                m.indicator, m.ioc_file
            )));
        }
        match exhibits.get_mut(m.exhibit.as_str()) {
            Some((n, k)) => *(if mention { k } else { n }) += 1,
            None => {
                return Err(ValueError::Rule(format!(
                    "{what} of {} is in {}, not one of the exhibits scanned",
                    m.indicator, m.exhibit
                )))
            }
        }
        if mention && m.on != "content" {
            return Err(ValueError::Rule(format!(
                "mention of {} in {}: a mention is a content hit (on \"content\"), not {:?}",
                m.indicator, m.exhibit, m.on
            )));
        }
        one_of(
            "match place",
            &Some(m.on.clone()),
            &[
                "content", "path", "name", "hash", "sqlite", "plist", "json", "log",
            ],
        )?;
        check_location(m)?;
        let content = m.on == "content";
        let structured = m.location.is_some();
        if m.occurrences == 0
            || (!content && m.occurrences != 1)
            || content != m.offset.is_some()
            || (content || structured) != m.excerpt.is_some()
            || content != m.excerpt_start.is_some()
            || (!content && !m.offsets.is_empty())
        {
            return Err(ValueError::Rule(format!(
                "{what} of {} in {}: content matches (only) give occurrences, offset and \
                 excerpt start; content and structured matches (only) an excerpt",
                m.indicator, m.exhibit
            )));
        }
        if structured {
            let x = m.excerpt.as_deref().unwrap_or_default();
            if !printable_ascii(&m.matched)
                || !printable_ascii(x)
                || x.len() > m.matched.len() + 2 * EXCERPT_CONTEXT
            {
                return Err(ValueError::Rule(format!(
                    "{what} of {} in {}: a structured match's text and excerpt are printable \
                     ASCII, the excerpt at most 32 bytes each side of the text",
                    m.indicator, m.exhibit
                )));
            }
        }
        if let (Some(off), Some(start), Some(x)) = (m.offset, m.excerpt_start, &m.excerpt) {
            let listed = m.occurrences.min(MAX_OFFSETS as u64);
            let offsets_ok = if m.occurrences == 1 {
                m.offsets.is_empty()
            } else {
                m.offsets.len() as u64 == listed
                    && m.offsets[0] == off
                    && m.offsets.windows(2).all(|w| w[0] < w[1])
            };
            if !offsets_ok
                || start > off
                || off - start > EXCERPT_CONTEXT as u64
                || !x.bytes().all(|b| (0x20..0x7f).contains(&b))
            {
                return Err(ValueError::Rule(format!(
                    "{what} of {} in {}: offsets, excerpt start or excerpt bytes break FORMAT.md 6.8",
                    m.indicator, m.exhibit
                )));
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
            return Err(ValueError::Rule(format!(
                "{what} of {}: a {} value is compared in lower case",
                m.indicator, m.kind
            )));
        }
    }
    for e in &scan.exhibits {
        let (n, k) = exhibits[e.exhibit.as_str()];
        if n != e.matches || k != e.mentions {
            return Err(ValueError::Rule(format!(
                "exhibit {} says {} matches and {} mentions, the scan lists {n} and {k}",
                e.exhibit, e.matches, e.mentions
            )));
        }
    }
    check_match_caps(scan, &scan.matches, |e| &e.omitted, "match")?;
    check_match_caps(scan, &scan.mentions, |e| &e.omitted_mentions, "mention")
}

fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// FORMAT.md 6.8: `location` is present exactly when `on` is `sqlite`, `plist`, `json` or
/// `log`, with the members of that format: `table` and `column` (and `rowid` unless the table
/// has none, `key` for a property list held in a blob cell) for sqlite; `key` for plist;
/// `key` (and `line` when the member holds several documents) for json; `line` for log. A
/// `key` is empty or starts with `/`; a `line` is at least 1; a table or column is not empty.
fn check_location(m: &IocMatch) -> Result<(), ValueError> {
    let bad = |why: &str| {
        Err(ValueError::Rule(format!(
            "match of {} in {} on {:?}: {why}",
            m.indicator, m.exhibit, m.on
        )))
    };
    let structured = matches!(m.on.as_str(), "sqlite" | "plist" | "json" | "log");
    let Some(l) = &m.location else {
        return if structured {
            bad("a match in a structured file says where (location)")
        } else {
            Ok(())
        };
    };
    if !structured {
        return bad("only sqlite, plist, json and log matches have a location");
    }
    let (table, column, rowid, key, line) = (
        l.table.is_some(),
        l.column.is_some(),
        l.rowid.is_some(),
        l.key.is_some(),
        l.line.is_some(),
    );
    let fits = match m.on.as_str() {
        "sqlite" => table && column && !line,
        "plist" => key && !table && !column && !rowid && !line,
        "json" => key && !table && !column && !rowid,
        _ => line && !table && !column && !rowid && !key,
    };
    if !fits {
        return bad("its location does not have the members of that format");
    }
    if l.key
        .as_deref()
        .is_some_and(|k| !k.is_empty() && !k.starts_with('/'))
        || l.line == Some(0)
        || l.table.as_deref() == Some("")
        || l.column.as_deref() == Some("")
    {
        return bad("a key is a JSON Pointer (empty or from /), a line counts from 1, a table and column are named");
    }
    Ok(())
}

/// FORMAT.md 6.8: at most [`MAX_MATCHES_PER_INDICATOR`] match records per indicator and
/// exhibit; an exhibit's `omitted` entries are sorted by (IOC file, indicator) without repeats,
/// each names one of the IOC files, counts at least 1, and is for an indicator with exactly the
/// maximum of records in that exhibit.
fn check_match_caps(
    scan: &IocScan,
    records: &[IocMatch],
    omitted_of: fn(&ScannedExhibit) -> &Vec<OmittedMatches>,
    what: &str,
) -> Result<(), ValueError> {
    use super::MAX_MATCHES_PER_INDICATOR as MAX;
    use std::collections::HashMap;
    let mut per: HashMap<(&str, &str, &str), u64> = HashMap::new();
    for m in records {
        *per.entry((
            m.exhibit.as_str(),
            m.ioc_file.as_str(),
            m.indicator.as_str(),
        ))
        .or_default() += 1;
    }
    if let Some(((e, _, i), n)) = per.iter().find(|(_, &n)| n > MAX) {
        return Err(ValueError::Rule(format!(
            "indicator {i:?} has {n} {what} records in exhibit {e}, more than {MAX}"
        )));
    }
    for e in &scan.exhibits {
        let omitted = omitted_of(e);
        for (k, o) in omitted.iter().enumerate() {
            if k > 0 {
                let p = &omitted[k - 1];
                if (p.ioc_file.as_str(), p.indicator.as_str())
                    >= (o.ioc_file.as_str(), o.indicator.as_str())
                {
                    return Err(ValueError::Rule(format!(
                        "exhibit {}: omitted is not sorted by IOC file and indicator without repeats",
                        e.exhibit
                    )));
                }
            }
            if !scan.ioc_files.iter().any(|f| f.sha256 == o.ioc_file) {
                return Err(ValueError::Rule(format!(
                    "exhibit {}: omitted names IOC file {}, none of the scan's",
                    e.exhibit, o.ioc_file
                )));
            }
            if o.matches == 0 {
                return Err(ValueError::Rule(format!(
                    "exhibit {}: omitted matches of {:?} must be at least 1",
                    e.exhibit, o.indicator
                )));
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
                return Err(ValueError::Rule(format!(
                    "exhibit {}: {what} records of {:?} were omitted, but {kept} are recorded, not {MAX}",
                    e.exhibit, o.indicator
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "df1bcaa78abc7b85781b1ebc2daa3cc225371e2024d9ef96e84f80f927256586";

    fn rec(on: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut m = serde_json::json!({
            "ioc_file": F, "indicator": "indicator--1", "pattern": "[process:name='bh']",
            "type": "process:name", "value": "bh", "exhibit": "E-0001", "member": "a.db",
            "on": on, "matched": "bh", "occurrences": 1
        });
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        m
    }

    fn scan(matches: Vec<serde_json::Value>, mentions: Vec<serde_json::Value>) -> IocScan {
        let (n, k) = (matches.len(), mentions.len());
        let mut body = serde_json::json!({
            "ioc_files": [{"file": "p.stix2", "sha256": F, "size": 1, "indicator_objects": 1,
                           "used": 1}],
            "exhibits": [{"exhibit": "E-0001", "path": "/x", "sha256": F, "files": 1,
                          "bytes": 1, "matches": n}],
            "matches": matches,
            "scanned_by": {"name": "scelle", "version": "0"}
        });
        if k > 0 {
            body["mentions"] = mentions.into();
            body["exhibits"][0]["mentions"] = k.into();
        }
        serde_json::from_value(body).unwrap()
    }

    fn content() -> serde_json::Value {
        serde_json::json!({"offset": 40, "excerpt_start": 8, "excerpt": "x bh y"})
    }

    #[test]
    fn locations_fit_their_place_and_mentions_are_content_only() {
        let sqlite = serde_json::json!({"location": {"table": "t", "column": "c", "rowid": 2},
                                        "excerpt": "bh/com.apple.bh"});
        assert!(ioc_scan(&scan(vec![rec("sqlite", sqlite.clone())], vec![])).is_ok());
        let ok_places = [
            (
                "plist",
                serde_json::json!({"location": {"key": "/a/0"}, "excerpt": "bh"}),
            ),
            (
                "json",
                serde_json::json!({"location": {"key": "", "line": 2}, "excerpt": "bh"}),
            ),
            (
                "log",
                serde_json::json!({"location": {"line": 3}, "excerpt": "/x/bh"}),
            ),
        ];
        for (on, extra) in ok_places {
            assert!(
                ioc_scan(&scan(vec![rec(on, extra)], vec![])).is_ok(),
                "{on}"
            );
        }
        let refused = [
            ("sqlite", serde_json::json!({"excerpt": "bh"})),
            (
                "sqlite",
                serde_json::json!({"location": {"table": "t"}, "excerpt": "bh"}),
            ),
            (
                "sqlite",
                serde_json::json!({"location": {"table": "t", "column": "c", "line": 1}, "excerpt": "bh"}),
            ),
            (
                "plist",
                serde_json::json!({"location": {"key": "a"}, "excerpt": "bh"}),
            ),
            (
                "plist",
                serde_json::json!({"location": {"key": "/a", "line": 1}, "excerpt": "bh"}),
            ),
            (
                "log",
                serde_json::json!({"location": {"line": 0}, "excerpt": "bh"}),
            ),
            ("log", serde_json::json!({"location": {"line": 1}})),
            (
                "log",
                serde_json::json!({"location": {"line": 1}, "excerpt": "x".repeat(67)}),
            ),
            (
                "log",
                serde_json::json!({"location": {"line": 1}, "excerpt": "b\u{e9}"}),
            ),
            ("name", serde_json::json!({"location": {"line": 1}})),
            ("name", serde_json::json!({"excerpt": "bh"})),
            ("table", serde_json::json!({})),
        ];
        for (on, extra) in refused {
            assert!(
                ioc_scan(&scan(vec![rec(on, extra.clone())], vec![])).is_err(),
                "{on} {extra}"
            );
        }
        // Mentions: content records only, counted exactly, capped like matches.
        let mention = rec("content", content());
        assert!(ioc_scan(&scan(vec![], vec![mention.clone()])).is_ok());
        assert!(ioc_scan(&scan(vec![], vec![rec("sqlite", sqlite)])).is_err());
        let mut s = scan(vec![], vec![mention.clone()]);
        s.exhibits[0].mentions = 2;
        assert!(ioc_scan(&s).is_err());
        let many: Vec<_> = (0..101).map(|_| mention.clone()).collect();
        assert!(ioc_scan(&scan(vec![], many)).is_err());
        let hundred: Vec<_> = (0..100).map(|_| mention.clone()).collect();
        let mut s = scan(vec![], hundred);
        s.exhibits[0].omitted_mentions = vec![OmittedMatches {
            ioc_file: F.into(),
            indicator: "indicator--1".into(),
            matches: 5,
        }];
        assert!(ioc_scan(&s).is_ok());
        s.exhibits[0].omitted_mentions[0].indicator = "indicator--2".into();
        assert!(ioc_scan(&s).is_err());
    }
}
