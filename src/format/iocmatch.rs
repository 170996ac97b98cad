//! Matching indicators of compromise against exhibit content, paths, names and hashes, without
//! I/O: the caller streams bytes in ([`ContentScan::update`], [`ContentScan::finish`]).
//!
//! Content is searched for every domain, IPv4 address, URL, e-mail address, configuration
//! profile id, Android property, app id, and for process, file names and paths of at least
//! [`MIN_TOKEN`] bytes, all at once (ASCII case-insensitive, by their first four bytes
//! ([`crate::format::gramsearch`]), else with one Aho-Corasick automaton;
//! kinds that compare exactly are re-checked byte for byte). A raw hit counts only if the bytes
//! around it pass the kind's boundary rule (see [`Rule`]), so `weather4free.com` is found in
//! `https://api.weather4free.com/x` (a subdomain, as MVT matches) but not in
//! `myweather4free.com` nor `weather4free.com.evil.net`.
//!
//! Member paths are compared with `file:path` indicators (the path, or a directory above it),
//! member base names with `process:name` and `file:name`, member digests with the hash kinds.

use crate::format::gramsearch::GramSearch;
use crate::format::kinds::ioc_scan::Location;
use crate::format::stix::{Bundle, Indicator, IndicatorKind};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::{BTreeMap, HashMap};

/// Process, file and app names, properties and paths shorter than this are not searched in
/// content (two-letter names such as Pegasus's `bh` would match everywhere in binary data);
/// they are still compared with member names.
pub const MIN_TOKEN: usize = 4;
pub use crate::format::kinds::ioc_scan::{EXCERPT_CONTEXT, MAX_OFFSETS};
/// Longest domain name, for reading a matched subdomain back to its first label.
const MAX_DOMAIN: usize = 253;
/// Bytes kept after the last position searched, for right boundaries and excerpts.
const LOOKAHEAD: usize = EXCERPT_CONTEXT + 2;

/// Where an indicator matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum On {
    /// In the bytes of a file.
    Content,
    /// The member's path.
    Path,
    /// The member's base name.
    Name,
    /// The member's digest.
    Hash,
    /// A value read in a SQLite database (a text cell, or a value of a property list held in
    /// a blob cell).
    Sqlite,
    /// A string value of a property list.
    Plist,
    /// A string value of a JSON document.
    Json,
    /// A process-naming line of a log.
    Log,
}

impl On {
    /// As recorded: `content`, `path`, `name`, `hash`.
    pub fn name(self) -> &'static str {
        match self {
            On::Content => "content",
            On::Path => "path",
            On::Name => "name",
            On::Hash => "hash",
            On::Sqlite => "sqlite",
            On::Plist => "plist",
            On::Json => "json",
            On::Log => "log",
        }
    }

    /// Whether this is a place in a structured file (then a hit has a location).
    pub fn structured(self) -> bool {
        matches!(self, On::Sqlite | On::Plist | On::Json | On::Log)
    }
}

/// The boundary rule a content hit must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Domains: no label character (`A-Z a-z 0-9 - _`) just before (a `.` is allowed: a
    /// subdomain); none just after, and not a `.` followed by one (a longer domain).
    Domain,
    /// IPv4: no digit or `.` just before; no digit just after, and not a `.` followed by a digit.
    Ipv4,
    /// E-mail: no local-part character (`A-Z a-z 0-9 . _ % + -`) before; domain rule after.
    Email,
    /// URL: anything before; after, a byte that cannot continue a URL (white space, control,
    /// `"`, `'`, `<`, `>`, `` ` ``, non-ASCII) or the end.
    Url,
    /// Names and ids: no `A-Z a-z 0-9 _ -` on either side (`.` and `/` separate).
    Token,
    /// Paths: no `A-Z a-z 0-9 _ - . /` before; after, the token rule (a path ending in `/`
    /// matches anything below it).
    Path,
}

impl Rule {
    fn of(kind: IndicatorKind) -> Rule {
        match kind {
            IndicatorKind::Domain => Rule::Domain,
            IndicatorKind::Ipv4 => Rule::Ipv4,
            IndicatorKind::Email => Rule::Email,
            IndicatorKind::Url => Rule::Url,
            IndicatorKind::FilePath => Rule::Path,
            _ => Rule::Token,
        }
    }
}

fn label(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn url_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`')
}

/// Whether the bytes around `hay[start..end]` pass `rule`; the ends of `hay` are the ends of
/// the stream (the caller keeps enough bytes on both sides for this to hold).
fn passes(rule: Rule, hay: &[u8], start: usize, end: usize, needle_ends_slash: bool) -> bool {
    let before = start.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(end).copied();
    let after2 = hay.get(end + 1).copied();
    let domain_after = |a: Option<u8>, a2: Option<u8>| match a {
        None => true,
        Some(b'.') => !a2.is_some_and(label),
        Some(b) => !label(b),
    };
    match rule {
        Rule::Domain => !before.is_some_and(label) && domain_after(after, after2),
        Rule::Ipv4 => {
            !before.is_some_and(|b| b.is_ascii_digit() || b == b'.')
                && match after {
                    None => true,
                    Some(b'.') => !after2.is_some_and(|b| b.is_ascii_digit()),
                    Some(b) => !b.is_ascii_digit(),
                }
        }
        Rule::Email => {
            !before.is_some_and(|b| label(b) || matches!(b, b'.' | b'%' | b'+'))
                && domain_after(after, after2)
        }
        Rule::Url => !after.is_some_and(url_char),
        Rule::Token => !before.is_some_and(label) && !after.is_some_and(label),
        Rule::Path => {
            !before.is_some_and(|b| label(b) || b == b'.' || b == b'/')
                && (needle_ends_slash || !after.is_some_and(label))
        }
    }
}

/// One hit of an indicator, aggregated over a file or member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the indicator in [`Matcher::indicators`].
    pub indicator: usize,
    /// Where.
    pub on: On,
    /// Where in a structured file (`on` is [`On::structured`]).
    pub location: Option<Location>,
    /// The text matched: for a domain, the whole (sub)domain found; for a path or name, the
    /// member's; for a hash, the digest.
    pub matched: String,
    /// Content hits: offset of the first occurrence in the file or member, from 0.
    pub offset: Option<u64>,
    /// Content hits: every occurrence counted.
    pub occurrences: u64,
    /// Content hits: the first [`MAX_OFFSETS`] offsets.
    pub offsets: Vec<u64>,
    /// Content hits: where the excerpt starts.
    pub excerpt_start: Option<u64>,
    /// Content hits: the bytes around the first occurrence, printable ASCII kept and every
    /// other byte shown as `.` (as `hexdump -C` does).
    pub excerpt: Option<String>,
}

/// Indicators of one or more bundles, compiled for matching.
#[derive(Debug)]
pub struct Matcher {
    /// Every usable indicator, with the index of its bundle.
    pub indicators: Vec<(usize, Indicator)>,
    /// Indicators not searched in content because they are shorter than [`MIN_TOKEN`].
    pub too_short_for_content: Vec<usize>,
    ac: Option<AhoCorasick>,
    /// The same patterns indexed by their first bytes, for the content search (when none is
    /// shorter than [`crate::format::gramsearch::GRAM`]; else the automaton searches).
    grams: Option<GramSearch>,
    /// Per automaton pattern: the indicators it stands for.
    candidates: Vec<Vec<usize>>,
    longest: usize,
    names: HashMap<String, Vec<usize>>,
    /// Process and file names, app ids and Android properties (exact) and profile ids (lower
    /// case), compared with whole structured values.
    pub(crate) whole: HashMap<String, Vec<usize>>,
    paths: Vec<usize>,
    digests: HashMap<String, Vec<usize>>,
    legacy: bool,
}

impl Matcher {
    /// Compiles the indicators of `bundles`.
    pub fn new(bundles: &[Bundle]) -> Matcher {
        let mut m = Matcher {
            indicators: Vec::new(),
            too_short_for_content: Vec::new(),
            ac: None,
            grams: None,
            candidates: Vec::new(),
            longest: 0,
            names: HashMap::new(),
            whole: HashMap::new(),
            paths: Vec::new(),
            digests: HashMap::new(),
            legacy: false,
        };
        let mut needles: Vec<Vec<u8>> = Vec::new();
        let mut needle_index: HashMap<Vec<u8>, usize> = HashMap::new();
        for (f, b) in bundles.iter().enumerate() {
            for ind in &b.indicators {
                let i = m.indicators.len();
                m.indicators.push((f, ind.clone()));
                let k = ind.kind;
                if k.is_hash() {
                    m.digests.entry(ind.value.clone()).or_default().push(i);
                    m.legacy |= matches!(k.digest(), Some(("md5" | "sha1", _)));
                    continue;
                }
                if matches!(k, IndicatorKind::Process | IndicatorKind::FileName) {
                    m.names.entry(ind.value.clone()).or_default().push(i);
                }
                if k == IndicatorKind::FilePath {
                    m.paths.push(i);
                }
                if matches!(
                    k,
                    IndicatorKind::Process
                        | IndicatorKind::FileName
                        | IndicatorKind::AppId
                        | IndicatorKind::AndroidProperty
                ) {
                    m.whole.entry(ind.value.clone()).or_default().push(i);
                }
                if k == IndicatorKind::ProfileId {
                    m.whole
                        .entry(ind.value.to_ascii_lowercase())
                        .or_default()
                        .push(i);
                }
                let token_kind = matches!(
                    k,
                    IndicatorKind::Process
                        | IndicatorKind::FileName
                        | IndicatorKind::FilePath
                        | IndicatorKind::AppId
                        | IndicatorKind::AndroidProperty
                );
                if token_kind && ind.value.len() < MIN_TOKEN {
                    m.too_short_for_content.push(i);
                    continue;
                }
                let key = ind.value.to_ascii_lowercase().into_bytes();
                let p = *needle_index.entry(key.clone()).or_insert_with(|| {
                    needles.push(key);
                    m.candidates.push(Vec::new());
                    needles.len() - 1
                });
                m.candidates[p].push(i);
                m.longest = m.longest.max(ind.value.len());
            }
        }
        if !needles.is_empty() {
            m.grams = GramSearch::new(&needles);
            m.ac = Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&needles)
                    .or_else(|_| {
                        AhoCorasick::builder()
                            .ascii_case_insensitive(true)
                            .match_kind(MatchKind::Standard)
                            .build(&needles)
                    })
                    .expect("patterns of bounded length build an automaton"),
            );
        }
        m
    }

    /// Whether MD5 or SHA-1 digests of members are needed (hash indicators of those kinds).
    pub fn needs_legacy_digests(&self) -> bool {
        self.legacy
    }

    /// Whether `bytes` hold any content indicator's text at all (before boundary rules): a
    /// quick test, without allocation, for short values.
    pub(crate) fn any_content_text(&self, bytes: &[u8]) -> bool {
        self.ac.as_ref().is_some_and(|ac| ac.is_match(bytes))
    }

    /// Whether content needs to be read at all (any content indicator).
    pub fn searches_content(&self) -> bool {
        self.ac.is_some()
    }

    /// A streaming content search over one file or member.
    pub fn content(&self) -> ContentScan<'_> {
        ContentScan {
            m: self,
            window: Vec::new(),
            base: 0,
            done: 0,
            hits: BTreeMap::new(),
            raw: Vec::new(),
        }
    }

    /// Whether `path` (absolute, `/`-separated) is, or is below, the value of the `file:path`
    /// indicators; their indexes.
    pub(crate) fn path_indicators(&self, full: &str) -> Vec<usize> {
        self.paths
            .iter()
            .copied()
            .filter(|&i| {
                let p = self.indicators[i].1.value.trim_end_matches('/');
                !p.is_empty()
                    && (full == p || (full.starts_with(p) && full.as_bytes()[p.len()] == b'/'))
            })
            .collect()
    }

    /// Hits on a member's path (`/`-separated, relative to the exhibit) and its base name.
    pub fn path_hits(&self, path: &str) -> Vec<Hit> {
        let rel = path.trim_start_matches("./").trim_start_matches('/');
        let full = format!("/{rel}");
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let mut out = Vec::new();
        if let Some(is) = self.names.get(base) {
            for &i in is {
                out.push(simple_hit(i, On::Name, base));
            }
        }
        for i in self.path_indicators(&full) {
            out.push(simple_hit(i, On::Path, &full));
        }
        out
    }

    /// Hits on a member's digests (lower-case hex).
    pub fn digest_hits(&self, digests: &[&str]) -> Vec<Hit> {
        let mut out = Vec::new();
        for d in digests {
            if let Some(is) = self.digests.get(*d) {
                for &i in is {
                    out.push(simple_hit(i, On::Hash, d));
                }
            }
        }
        out
    }
}

fn simple_hit(indicator: usize, on: On, matched: &str) -> Hit {
    Hit {
        indicator,
        on,
        location: None,
        matched: matched.to_string(),
        offset: None,
        occurrences: 1,
        offsets: Vec::new(),
        excerpt_start: None,
        excerpt: None,
    }
}

/// Shows bytes as `hexdump -C` does: printable ASCII as itself, anything else as `.`.
pub fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

/// The content search of one file or member, fed in pieces of any size. Memory: the longest
/// indicator plus a few hundred bytes, besides the piece being searched.
pub struct ContentScan<'m> {
    m: &'m Matcher,
    /// Bytes kept from earlier pieces, then the current piece.
    window: Vec<u8>,
    /// Stream offset of `window[0]`.
    base: u64,
    /// Hits ending at or before this stream offset have been taken.
    done: u64,
    hits: BTreeMap<(usize, String), Hit>,
    /// The occurrences found in the current piece (kept for its allocation).
    raw: Vec<(usize, usize, usize)>,
}

impl ContentScan<'_> {
    /// Searches the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        if self.m.ac.is_none() || data.is_empty() {
            return;
        }
        self.window.extend_from_slice(data);
        self.search(false);
        let keep_from = usize::try_from(self.done - self.base)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.m.longest + MAX_DOMAIN + EXCERPT_CONTEXT);
        if keep_from > 0 {
            self.window.drain(..keep_from);
            self.base += keep_from as u64;
        }
    }

    /// Searches what is left and returns the hits, by indicator and matched text.
    pub fn finish(mut self) -> Vec<Hit> {
        if self.m.ac.is_some() {
            self.search(true);
        }
        self.hits.into_values().collect()
    }

    fn search(&mut self, last: bool) {
        let Some(ac) = &self.m.ac else { return };
        let len = self.window.len();
        let hi = if last {
            len
        } else {
            len.saturating_sub(LOOKAHEAD)
        };
        let done_rel = (self.done - self.base) as usize;
        if hi <= done_rel {
            return;
        }
        let from = done_rel.saturating_sub(self.m.longest);
        let hay = &self.window[..];
        let at_start = self.base == 0;
        // Every occurrence of every pattern, as (start, end, pattern), whichever search finds
        // them (the same set).
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        match &self.m.grams {
            Some(g) => g.each(&hay[from..], |s, e, p| raw.push((from + s, from + e, p))),
            None => raw.extend(
                ac.find_overlapping_iter(&hay[from..])
                    .map(|m| (from + m.start(), from + m.end(), m.pattern().as_usize())),
            ),
        }
        for &(s, e, pattern) in &raw {
            if e <= done_rel || e > hi {
                continue;
            }
            for &i in &self.m.candidates[pattern] {
                let ind = &self.m.indicators[i].1;
                if !ind.kind.case_insensitive() && &hay[s..e] != ind.value.as_bytes() {
                    continue;
                }
                // At the window's start, the byte before is the previous piece's (kept) or
                // none (start of the stream): the window always keeps it when there is one.
                debug_assert!(s > 0 || at_start);
                let ends_slash = ind.value.ends_with('/');
                if !passes(Rule::of(ind.kind), hay, s, e, ends_slash) {
                    continue;
                }
                let mut ms = s;
                if ind.kind == IndicatorKind::Domain {
                    while ms > 0
                        && s - ms < MAX_DOMAIN
                        && (label(hay[ms - 1]) || hay[ms - 1] == b'.')
                    {
                        ms -= 1;
                    }
                    while ms < s && hay[ms] == b'.' {
                        ms += 1;
                    }
                }
                let matched = if ind.kind == IndicatorKind::Domain {
                    printable(&hay[ms..e]).to_ascii_lowercase()
                } else {
                    printable(&hay[s..e])
                };
                let offset = self.base + s as u64;
                let hit = self.hits.entry((i, matched.clone())).or_insert_with(|| {
                    let xs = s.saturating_sub(EXCERPT_CONTEXT);
                    let xe = (e + EXCERPT_CONTEXT).min(len);
                    Hit {
                        indicator: i,
                        on: On::Content,
                        location: None,
                        matched,
                        offset: Some(offset),
                        occurrences: 0,
                        offsets: Vec::new(),
                        excerpt_start: Some(self.base + xs as u64),
                        excerpt: Some(printable(&hay[xs..xe])),
                    }
                });
                hit.occurrences += 1;
                if hit.offsets.len() < MAX_OFFSETS {
                    hit.offsets.push(offset);
                }
            }
        }
        self.raw = raw;
        self.done = self.base + hi as u64;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::format::stix::parse_bundle;

    /// A matcher of a bundle holding one indicator per pattern (ids `indicator--0`, ...).
    pub(crate) fn matcher(patterns: &[&str]) -> Matcher {
        let objs: Vec<String> = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    r#"{{"type":"indicator","id":"indicator--{i}","pattern":{},"pattern_type":"stix"}}"#,
                    serde_json::Value::String((*p).into())
                )
            })
            .collect();
        let b = parse_bundle(
            format!(
                r#"{{"type":"bundle","id":"bundle--t","objects":[{}]}}"#,
                objs.join(",")
            )
            .as_bytes(),
        )
        .unwrap();
        assert!(b.skipped.is_empty(), "{:?}", b.skipped);
        Matcher::new(&[b])
    }

    /// Content hits as (indicator index, matched, first offset, occurrences), fed in pieces of
    /// `piece` bytes.
    fn scan(m: &Matcher, data: &[u8], piece: usize) -> Vec<(usize, String, u64, u64)> {
        let mut c = m.content();
        for chunk in data.chunks(piece.max(1)) {
            c.update(chunk);
        }
        c.finish()
            .into_iter()
            .map(|h| (h.indicator, h.matched, h.offset.unwrap(), h.occurrences))
            .collect()
    }

    #[test]
    fn domains_match_themselves_and_subdomains_only() {
        let m = matcher(&["[domain-name:value='weather4free.com']"]);
        let t = |s: &str| scan(&m, s.as_bytes(), 1 << 20);
        assert_eq!(
            t("GET https://weather4free.com/x"),
            vec![(0, "weather4free.com".into(), 12, 1)]
        );
        assert_eq!(
            t("host=API.Weather4Free.COM;"),
            vec![(0, "api.weather4free.com".into(), 9, 1)]
        );
        assert_eq!(
            t("end weather4free.com."),
            vec![(0, "weather4free.com".into(), 4, 1)]
        );
        assert!(t("myweather4free.com").is_empty());
        assert!(t("my-weather4free.com").is_empty());
        assert!(t("weather4free.com.evil.net").is_empty());
        assert!(t("weather4free.community").is_empty());
        assert_eq!(t("weather4free.com").len(), 1);
    }

    #[test]
    fn every_content_kind_with_its_boundaries() {
        let m = matcher(&[
            "[ipv4-addr:value='10.1.2.3']",
            "[email-addr:value='bad@mail.example']",
            "[url:value='https://t.example/p']",
            "[process:name='roleaccountd']",
            "[file:name='roleaccountd.plist']",
            "[file:path='/private/var/tmp/hooker']",
            "[app:id='com.bad.app']",
            "[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']",
            "[android-property:name='persist.bad.flag']",
        ]);
        let t = |s: &str| -> Vec<usize> {
            scan(&m, s.as_bytes(), 7).into_iter().map(|h| h.0).collect()
        };
        assert_eq!(t("conn 10.1.2.3:443"), vec![0]);
        assert!(t("110.1.2.3 10.1.2.34 10.1.2.3.5").is_empty());
        assert_eq!(t("From: <BAD@mail.example>"), vec![1]);
        assert!(t("notbad@mail.example").is_empty());
        assert_eq!(t("\"https://t.example/p\""), vec![2]);
        assert!(t("https://t.example/page").is_empty());
        assert_eq!(t("proc /usr/libexec/roleaccountd[12]"), vec![3]);
        assert_eq!(t("com.apple.xpc.roleaccountd.staging"), vec![3]);
        assert!(t("Roleaccountd xroleaccountd roleaccountd_x").is_empty());
        assert_eq!(t("x roleaccountd.plist\n"), vec![3, 4]);
        assert_eq!(t("open(/private/var/tmp/hooker)"), vec![5]);
        assert!(t("/x/private/var/tmp/hooker /private/var/tmp/hookers").is_empty());
        assert_eq!(t("pkg com.bad.app installed"), vec![6]);
        assert_eq!(
            t("<string>76dab334-7e17-475d-a5d6-0794eb5818a5</string>"),
            vec![7]
        );
        assert_eq!(t("[persist.bad.flag]: [1]"), vec![8]);
    }

    #[test]
    fn hits_across_piece_boundaries_are_found_once_with_offsets_and_excerpts() {
        let m = matcher(&[
            "[domain-name:value='weather4free.com']",
            "[process:name='roleaccountd']",
        ]);
        let mut data = vec![0u8; 5000];
        for at in [100usize, 1017, 2040, 2999] {
            data[at..at + 16].copy_from_slice(b"weather4free.com");
        }
        data[4984..4996].copy_from_slice(b"roleaccountd");
        let whole = scan(&m, &data, data.len());
        for piece in [1, 2, 3, 5, 16, 17, 100, 1024, 4096] {
            assert_eq!(scan(&m, &data, piece), whole, "piece {piece}");
        }
        assert_eq!(whole[0].3, 4);
        assert_eq!(whole[0].2, 100);
        assert_eq!(whole[1], (1, "roleaccountd".into(), 4984, 1));
        let mut c = m.content();
        c.update(&data);
        let hits = c.finish();
        assert_eq!(hits[0].offsets, vec![100, 1017, 2040, 2999]);
        assert_eq!(hits[0].excerpt_start, Some(68));
        assert_eq!(
            hits[0].excerpt.as_deref(),
            Some(
                "................................weather4free.com................................"
            )
        );
        assert_eq!(hits[1].excerpt.as_deref().unwrap().len(), 32 + 12 + 4);
    }

    #[test]
    fn short_names_match_member_names_not_content() {
        let m = matcher(&[
            "[process:name='bh']",
            "[file:path='/private/var/db/com.apple.xpc.roleaccountd.staging/']",
        ]);
        assert_eq!(m.too_short_for_content, vec![0]);
        assert!(scan(&m, b" bh ", 2).is_empty());
        let hits = m.path_hits("./private/var/db/com.apple.xpc.roleaccountd.staging/bh");
        let on: Vec<(usize, On)> = hits.iter().map(|h| (h.indicator, h.on)).collect();
        assert_eq!(on, vec![(0, On::Name), (1, On::Path)]);
        assert_eq!(
            hits[1].matched,
            "/private/var/db/com.apple.xpc.roleaccountd.staging/bh"
        );
        assert!(m
            .path_hits("private/var/db/com.apple.xpc.roleaccountd.stagingX/a")
            .is_empty());
        assert_eq!(
            m.path_hits("private/var/db/com.apple.xpc.roleaccountd.staging")
                .len(),
            1
        );
    }

    #[test]
    fn digests_match_in_either_spelling() {
        let m = matcher(&[
            "[file:hashes.'SHA-256'='E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']",
            "[file:hashes.md5='d41d8cd98f00b204e9800998ecf8427e']",
        ]);
        assert!(m.needs_legacy_digests());
        assert!(!m.searches_content());
        let hits = m.digest_hits(&[
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "d41d8cd98f00b204e9800998ecf8427e",
        ]);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].on, On::Hash);
    }

    #[test]
    fn duplicate_values_across_indicators_report_each_indicator() {
        let m = matcher(&[
            "[domain-name:value='a-b.example']",
            "[domain-name:value='A-B.example']",
        ]);
        let hits = scan(&m, b"x a-b.example y", 3);
        assert_eq!(hits.len(), 2);
    }
}
