//! Indicators matched in context (FORMAT.md 6.8): the values of structured files (a SQLite
//! cell, a property list or JSON string, the process a log line names), compared with the
//! indicators where their kind means something. Pure: the callers read the files
//! (`store::structured`) and hand over values with where they were read.
//!
//! - Network indicators (domains, IPv4 addresses, URLs, e-mail addresses) are searched inside
//!   the value with the content boundary rules ([`super::iocmatch::Rule`]).
//! - Process names, file names, app ids and Android properties are compared with the whole
//!   value (exactly), profile ids with the whole value in lower case; process and file names
//!   also with the last `/`-separated component of a value holding a `/`, and process names
//!   with the first component of a `NAME/BUNDLE.ID` value (one `/`, not at the start: as
//!   DataUsage.sqlite spells processes, e.g. `bh/com.apple.bh`); not of a value holding `://`
//!   (a URL's path names no process).
//! - File paths are compared with a value starting with `/`: equal to the indicator's path, or
//!   below it when it names a directory.
//!
//! A value is never searched for process or file names as substrings: that is what made a
//! byte search report `payload` in ordinary files.

use super::iocmatch::{printable, Hit, Matcher, On, EXCERPT_CONTEXT};
use super::kinds::ioc_scan::Location;
use super::stix::IndicatorKind;

/// Longest JSON Pointer recorded for a value (bytes): deeper keys are cut there, at a
/// character boundary.
pub const MAX_KEY: usize = 1024;
/// Longest table or column name recorded (bytes), cut likewise.
pub const MAX_NAME: usize = 256;
/// Deepest nesting of a property list read (arrays and dictionaries); JSON is bounded by its
/// parser (128).
pub const MAX_DEPTH: usize = 256;
/// Longest log line examined (bytes); a longer line is skipped by the log reader (its bytes
/// are still searched as content).
pub const MAX_LINE: usize = 64 * 1024;

/// Whether indicators of this kind are network indicators (found inside values and text).
pub fn is_network(kind: IndicatorKind) -> bool {
    matches!(
        kind,
        IndicatorKind::Domain | IndicatorKind::Ipv4 | IndicatorKind::Url | IndicatorKind::Email
    )
}

/// `s` cut to at most `max` bytes at a character boundary.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A JSON Pointer (RFC 6901) reference token: `~` as `~0`, `/` as `~1`.
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The excerpt of a structured hit: the value's bytes from 32 before `start` to 32 after
/// `end`, printable ASCII as is and every other byte as `.`.
fn excerpt(value: &[u8], start: usize, end: usize) -> String {
    let xs = start.saturating_sub(EXCERPT_CONTEXT);
    let xe = (end + EXCERPT_CONTEXT).min(value.len());
    printable(&value[xs..xe])
}

fn hit(indicator: usize, on: On, location: &Location, matched: String, x: String) -> Hit {
    Hit {
        indicator,
        on,
        location: Some(location.clone()),
        matched,
        offset: None,
        occurrences: 1,
        offsets: Vec::new(),
        excerpt_start: None,
        excerpt: Some(x),
    }
}

impl Matcher {
    /// The hits of one structured value read at `on`/`location`: at most one per indicator.
    pub fn value_hits(&self, value: &[u8], on: On, location: &Location) -> Vec<Hit> {
        let mut out: Vec<Hit> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        // Network indicators inside the value, with the content boundary rules.
        if self.any_content_text(value) {
            let mut c = self.content();
            c.update(value);
            for h in c.finish() {
                let kind = self.indicators[h.indicator].1.kind;
                if !is_network(kind) || !seen.insert(h.indicator) {
                    continue;
                }
                let x = h.excerpt.unwrap_or_default();
                out.push(hit(h.indicator, on, location, h.matched, x));
            }
        }
        // Whole values and their path components.
        let Ok(text) = std::str::from_utf8(value) else {
            return out;
        };
        let text = text.trim_end_matches('\0');
        let mut candidates: Vec<(&str, usize, bool)> = vec![(text, 0, true)];
        // Components of paths and NAME/BUNDLE.ID values, not of URLs (`https://h/payload`
        // names no process).
        if let Some(slash) = text.rfind('/').filter(|_| !text.contains("://")) {
            candidates.push((&text[slash + 1..], slash + 1, false));
            if !text.starts_with('/') && text.matches('/').count() == 1 {
                candidates.push((&text[..slash], 0, false));
            }
        }
        for (cand, at, whole) in candidates {
            if cand.is_empty() {
                continue;
            }
            // Exact first; in lower case (profile ids) only when that differs.
            let lower = cand
                .bytes()
                .any(|b| b.is_ascii_uppercase())
                .then(|| cand.to_ascii_lowercase());
            let keys = [Some(cand), lower.as_deref().or(Some(cand))];
            for (n, key) in keys.iter().enumerate() {
                let Some(is) = key.and_then(|k| self.whole.get(k)) else {
                    continue;
                };
                for &i in is {
                    let kind = self.indicators[i].1.kind;
                    let fits = match kind {
                        IndicatorKind::ProfileId => whole && n == 1,
                        IndicatorKind::Process => n == 0,
                        IndicatorKind::FileName => n == 0 && (whole || at > 0),
                        _ => whole && n == 0,
                    };
                    if fits && seen.insert(i) {
                        let x = excerpt(value, at, at + cand.len());
                        out.push(hit(i, on, location, printable(cand.as_bytes()), x));
                    }
                }
            }
        }
        if text.starts_with('/') {
            // A long path is recorded up to MAX_KEY bytes.
            let shown = &text.as_bytes()[..text.len().min(MAX_KEY)];
            for i in self.path_indicators(text) {
                if seen.insert(i) {
                    let x = excerpt(value, 0, shown.len());
                    out.push(hit(i, on, location, printable(shown), x));
                }
            }
        }
        out.sort_by_key(|h| h.indicator);
        out
    }

    /// The hits of a JSON document (every string value, with its JSON Pointer); `line` is the
    /// line where the document starts when a member holds several (JSON Lines, `.ips`).
    pub fn json_hits(&self, doc: &serde_json::Value, line: Option<u64>, out: &mut Vec<Hit>) {
        let mut f = |key: &str, v: &str| {
            let loc = Location {
                key: Some(bounded(key, MAX_KEY)),
                line,
                ..Location::default()
            };
            out.extend(self.value_hits(v.as_bytes(), On::Json, &loc));
        };
        walk_json(doc, &mut String::new(), &mut f);
    }

    /// The hits of a property list, binary or XML, in `bytes` (every string value, with its
    /// JSON Pointer), read at `on` (`plist`, or `sqlite` for a plist in a blob cell, whose
    /// location is `base` plus `key`). Read as a stream of events, without building the tree:
    /// nesting deeper than [`MAX_DEPTH`] ends the reading (the hits so far are kept), as does
    /// malformed input.
    pub fn plist_hits(&self, bytes: &[u8], on: On, base: &Location, out: &mut Vec<Hit>) {
        use plist::stream::{Event, Reader};
        enum Frame {
            Array(usize),
            Dict(Option<String>),
        }
        let pointer = |stack: &[Frame]| {
            let mut p = String::new();
            for f in stack {
                match f {
                    Frame::Array(i) => {
                        p.push('/');
                        p.push_str(&i.to_string());
                    }
                    Frame::Dict(Some(k)) => {
                        p.push('/');
                        p.push_str(&pointer_token(k));
                    }
                    Frame::Dict(None) => {}
                }
            }
            p
        };
        // After a value: the next array index, or a dictionary's next key expected.
        let advance = |stack: &mut Vec<Frame>| match stack.last_mut() {
            Some(Frame::Array(i)) => *i += 1,
            Some(Frame::Dict(k)) => *k = None,
            None => {}
        };
        let mut stack: Vec<Frame> = Vec::new();
        for event in Reader::new(std::io::Cursor::new(bytes)) {
            let Ok(event) = event else { return };
            let is_key = matches!(stack.last(), Some(Frame::Dict(None)));
            match event {
                Event::String(s) if is_key => {
                    if let Some(Frame::Dict(k)) = stack.last_mut() {
                        *k = Some(s.into_owned());
                    }
                }
                Event::StartArray(_) | Event::StartDictionary(_) => {
                    if stack.len() >= MAX_DEPTH {
                        return;
                    }
                    stack.push(if matches!(event, Event::StartArray(_)) {
                        Frame::Array(0)
                    } else {
                        Frame::Dict(None)
                    });
                }
                Event::EndCollection => {
                    stack.pop();
                    advance(&mut stack);
                }
                Event::String(v) => {
                    let loc = Location {
                        key: Some(bounded(&pointer(&stack), MAX_KEY)),
                        ..base.clone()
                    };
                    out.extend(self.value_hits(v.as_bytes(), on, &loc));
                    advance(&mut stack);
                }
                _ => advance(&mut stack),
            }
        }
    }

    /// The hits of one line of a log (`line` from 1): the process it names, if it is one of
    /// the process-naming lines of [`log_process`].
    pub fn log_line_hits(&self, text: &[u8], line: u64) -> Vec<Hit> {
        match log_process(text) {
            Some(value) => self.log_value_hits(value, line),
            None => Vec::new(),
        }
    }

    /// The hits of a line of `ps` output whose header put `COMMAND` at byte `column`
    /// ([`ps_header`]): the command's executable.
    pub fn ps_line_hits(&self, text: &[u8], column: usize, line: u64) -> Vec<Hit> {
        match ps_command(text, column) {
            Some(value) => self.log_value_hits(value, line),
            None => Vec::new(),
        }
    }

    fn log_value_hits(&self, value: &[u8], line: u64) -> Vec<Hit> {
        let loc = Location {
            line: Some(line),
            ..Location::default()
        };
        self.value_hits(value, On::Log, &loc)
            .into_iter()
            .filter(|h| !is_network(self.indicators[h.indicator].1.kind))
            .collect()
    }
}

fn walk_json(v: &serde_json::Value, ptr: &mut String, f: &mut dyn FnMut(&str, &str)) {
    match v {
        serde_json::Value::String(s) => f(ptr, s),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let n = ptr.len();
                ptr.push('/');
                ptr.push_str(&i.to_string());
                walk_json(x, ptr, f);
                ptr.truncate(n);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let n = ptr.len();
                ptr.push('/');
                ptr.push_str(&pointer_token(k));
                walk_json(x, ptr, f);
                ptr.truncate(n);
            }
        }
        _ => {}
    }
}

/// The process a log line names, as iOS logs write them (FORMAT.md 6.8):
///
/// - shutdown.log: `remaining client pid: PID (PATH)` gives PATH;
/// - crash and analytics reports (text): `Process: NAME [PID]`, `Parent Process: NAME [PID]`,
///   `Responsible Process: NAME [PID]` give NAME, `Path: PATH` gives PATH (leading white
///   space and the spaces after the colon ignored).
///
/// (`ps` output is recognised by its header instead: [`ps_header`].)
pub fn log_process(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    const PID: &[u8] = b"remaining client pid: ";
    if let Some(at) = find(line, PID) {
        let rest = &line[at + PID.len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = rest[digits..].strip_prefix(b" (")?;
        let close = rest.iter().rposition(|&b| b == b')')?;
        return (digits > 0 && close > 0).then(|| &rest[..close]);
    }
    let t = trim_start(line);
    for label in [
        &b"Process:"[..],
        b"Parent Process:",
        b"Responsible Process:",
    ] {
        if let Some(rest) = t.strip_prefix(label) {
            let rest = trim_start(rest);
            // NAME [PID]: the name ends before the last " [".
            let end = match rest.iter().rposition(|&b| b == b'[') {
                Some(i) if i > 0 && rest[i - 1] == b' ' => i - 1,
                _ => rest.len(),
            };
            let name = trim_end(&rest[..end]);
            return (!name.is_empty()).then_some(name);
        }
    }
    if let Some(rest) = t.strip_prefix(b"Path:") {
        let p = trim_end(trim_start(rest));
        return p.starts_with(b"/").then_some(p);
    }
    None
}

/// The column of `COMMAND` when `line` is the header of `ps` output (as sysdiagnose's
/// `ps.txt`: white-space separated titles, one of them `PID`, the last `COMMAND`).
pub fn ps_header(line: &[u8]) -> Option<usize> {
    let line = trim_end(line.strip_suffix(b"\r").unwrap_or(line));
    let col = line.len().checked_sub(b"COMMAND".len())?;
    let titled = line.ends_with(b"COMMAND")
        && (col == 0 || matches!(line[col - 1], b' ' | b'\t'))
        && line
            .split(|b| matches!(b, b' ' | b'\t'))
            .any(|w| w == b"PID");
    titled.then_some(col)
}

/// The executable of a `ps` line: its first white-space separated word from `column` on.
pub fn ps_command(line: &[u8], column: usize) -> Option<&[u8]> {
    let rest = trim_start(line.get(column..)?);
    let end = rest
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    &b[n..]
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    &b[..b.len() - n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::iocmatch::tests::matcher;

    fn hits(m: &Matcher, v: &str) -> Vec<(usize, String)> {
        m.value_hits(v.as_bytes(), On::Sqlite, &Location::default())
            .into_iter()
            .map(|h| (h.indicator, h.matched))
            .collect()
    }

    #[test]
    fn process_names_are_whole_values_or_path_components_never_substrings() {
        let m = matcher(&[
            "[process:name='payload']",
            "[process:name='bh']",
            "[file:path='/private/var/db/com.apple.xpc.roleaccountd.staging/']",
            "[domain-name:value='weather4free.com']",
            "[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']",
        ]);
        assert_eq!(hits(&m, "payload"), vec![(0, "payload".into())]);
        assert_eq!(
            hits(&m, "/usr/libexec/payload"),
            vec![(0, "payload".into())]
        );
        assert_eq!(hits(&m, "bh/com.apple.bh"), vec![(1, "bh".into())]);
        assert_eq!(hits(&m, "bh"), vec![(1, "bh".into())]);
        for decoy in [
            "payloads",
            "the payload is",
            "Payload",
            "payload.dylib",
            "x/bh/com.apple.x",
            "/bh/x",
            "kTCCServiceLiverpoolpayload",
            "https://cdn.example.net/payload",
            "file:///x/payload",
        ] {
            assert!(hits(&m, decoy).is_empty(), "{decoy}");
        }
        assert_eq!(
            hits(&m, "/private/var/db/com.apple.xpc.roleaccountd.staging/x/y"),
            vec![(
                2,
                "/private/var/db/com.apple.xpc.roleaccountd.staging/x/y".into()
            )]
        );
        assert_eq!(
            hits(&m, "see https://api.weather4free.com/x"),
            vec![(3, "api.weather4free.com".into())]
        );
        assert!(hits(&m, "myweather4free.com").is_empty());
        assert_eq!(hits(&m, "76dab334-7e17-475d-a5d6-0794eb5818a5").len(), 1);
        let h = m.value_hits(b"/usr/libexec/payload", On::Plist, &Location::default());
        assert_eq!(h[0].excerpt.as_deref(), Some("/usr/libexec/payload"));
    }

    #[test]
    fn log_lines_that_name_processes() {
        assert_eq!(
            log_process(b"\t\tremaining client pid: 123 (/private/var/db/x/bh)"),
            Some(&b"/private/var/db/x/bh"[..])
        );
        assert_eq!(
            log_process(b"Process:             roleaccountd [228]"),
            Some(&b"roleaccountd"[..])
        );
        assert_eq!(
            log_process(b"Parent Process:      launchd [1]\r"),
            Some(&b"launchd"[..])
        );
        assert_eq!(
            log_process(b"Path:                /private/var/x/pcsd"),
            Some(&b"/private/var/x/pcsd"[..])
        );
        assert_eq!(log_process(b"the payload Process: is"), None);
        assert_eq!(log_process(b"remaining client pid: x (/a)"), None);
        let m = matcher(&["[process:name='bh']", "[domain-name:value='x.example']"]);
        let h = m.log_line_hits(b"remaining client pid: 9 (/private/var/tmp/bh)", 7);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].location.as_ref().unwrap().line, Some(7));
        assert!(m.log_line_hits(b"payload bh x.example", 1).is_empty());
        let header = b"USER       UID   PID  PPID  %CPU STARTED      TIME COMMAND";
        let col = ps_header(header).unwrap();
        let row = b"root         0  1433     1   0.0 09:00AM   0:02.10 /private/var/tmp/bh -x";
        assert_eq!(ps_command(row, col), Some(&b"/private/var/tmp/bh"[..]));
        assert_eq!(m.ps_line_hits(row, col, 4)[0].matched, "bh");
        assert_eq!(ps_header(b"the COMMAND"), None);
        assert_eq!(ps_header(b"PID XCOMMAND"), None);
    }

    #[test]
    fn json_and_plist_values_with_their_pointers() {
        let m = matcher(&["[process:name='payload']"]);
        let doc: serde_json::Value =
            serde_json::from_str(r#"{"a/b":[{"procName":"payload"}],"k":"payloadx"}"#).unwrap();
        let mut out = Vec::new();
        m.json_hits(&doc, Some(2), &mut out);
        assert_eq!(out.len(), 1);
        let loc = out[0].location.clone().unwrap();
        assert_eq!(loc.key.as_deref(), Some("/a~1b/0/procName"));
        assert_eq!(loc.line, Some(2));
        let mut d = plist::Dictionary::new();
        d.insert("A".into(), plist::Value::String("payload".into()));
        d.insert(
            "Program".into(),
            plist::Value::Array(vec![
                plist::Value::Integer(1.into()),
                plist::Value::Dictionary(plist::Dictionary::new()),
                plist::Value::String("/x/payload".into()),
            ]),
        );
        d.insert("Z/~".into(), plist::Value::String("payload".into()));
        let v = plist::Value::Dictionary(d);
        for binary in [true, false] {
            let mut bytes = Vec::new();
            if binary {
                v.to_writer_binary(&mut bytes).unwrap();
            } else {
                v.to_writer_xml(&mut bytes).unwrap();
            }
            let mut out = Vec::new();
            m.plist_hits(&bytes, On::Plist, &Location::default(), &mut out);
            let keys: Vec<_> = out
                .iter()
                .map(|h| h.location.as_ref().unwrap().key.clone().unwrap())
                .collect();
            assert_eq!(keys, vec!["/A", "/Program/2", "/Z~1~0"], "binary {binary}");
        }
        // Nesting deeper than MAX_DEPTH stops the reading, without recursion.
        let deep = format!(
            "<plist><array>{}<string>payload</string>{}</array></plist>",
            "<array>".repeat(100_000),
            "</array>".repeat(100_000)
        );
        let mut out = Vec::new();
        m.plist_hits(deep.as_bytes(), On::Plist, &Location::default(), &mut out);
        assert!(out.is_empty());
    }
}
