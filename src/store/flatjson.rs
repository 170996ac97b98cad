//! A streaming reader of a flat JSON object (strings, non-negative integers, `null`, `true`,
//! `false` and arrays of strings as values) one of whose string members may be far larger
//! than the rest: that member's text is handed, decoded, to a sink as it is read, never held.
//! An inclusion proof carries the ledger line it proves, and the seal line of a
//! full-file-system extraction is tens of MiB: the proof is checked by hashing that line as
//! it is read ([`read_flat_object`]).
//!
//! Anything else (a nested object, a fraction, a negative number, a repeated member, bytes
//! after the object, a string over [`MAX_HELD`] other than the streamed one) is refused.

use std::collections::BTreeMap;
use std::io::{BufRead, ErrorKind};

/// The longest string value held (every member but the streamed one).
pub const MAX_HELD: usize = 1 << 20;
/// The most items of an array value.
pub const MAX_ITEMS: usize = 4096;

/// A member's value, other than the streamed string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlatValue {
    /// A string.
    Str(String),
    /// A non-negative integer.
    Num(u64),
    /// An array of strings.
    Strs(Vec<String>),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Why an object was refused.
#[derive(Debug, thiserror::Error)]
pub enum FlatJsonError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a flat JSON object of the kinds of values read here.
    #[error("not JSON of the expected shape: {0}")]
    Shape(String),
}

fn shape<T>(what: impl Into<String>) -> Result<T, FlatJsonError> {
    Err(FlatJsonError::Shape(what.into()))
}

/// Reads the JSON object `r` holds: its members but `streamed`, whose string value (decoded:
/// escapes resolved, as UTF-8 bytes) goes to `sink` in pieces as it is read. Whether the
/// streamed member was present is the second value.
pub fn read_flat_object<R: BufRead>(
    r: R,
    streamed: &str,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(BTreeMap<String, FlatValue>, bool), FlatJsonError> {
    let mut p = Parser { r };
    let mut members = BTreeMap::new();
    let mut seen_streamed = false;
    p.expect(b'{')?;
    let mut first = true;
    loop {
        match p.peek_token()? {
            Some(b'}') if first => {
                p.bump();
                break;
            }
            _ if first => {}
            Some(b',') => p.bump(),
            Some(b'}') => {
                p.bump();
                break;
            }
            _ => return shape("expected , or }"),
        }
        first = false;
        p.expect(b'"')?;
        let name = p.held_string()?;
        p.expect(b':')?;
        if name == streamed {
            if seen_streamed || members.contains_key(&name) {
                return shape(format!("member {name:?} repeated"));
            }
            seen_streamed = true;
            p.expect(b'"')?;
            p.string(&mut |b| sink(b), usize::MAX)?;
            continue;
        }
        if members.contains_key(&name) || (seen_streamed && name == streamed) {
            return shape(format!("member {name:?} repeated"));
        }
        let value = p.value()?;
        members.insert(name, value);
    }
    if p.peek_token()?.is_some() {
        return shape("bytes after the object");
    }
    Ok((members, seen_streamed))
}

struct Parser<R> {
    r: R,
}

impl<R: BufRead> Parser<R> {
    fn peek(&mut self) -> Result<Option<u8>, FlatJsonError> {
        loop {
            match self.r.fill_buf() {
                Ok(b) => return Ok(b.first().copied()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn bump(&mut self) {
        self.r.consume(1);
    }

    fn next(&mut self) -> Result<u8, FlatJsonError> {
        match self.peek()? {
            Some(b) => {
                self.bump();
                Ok(b)
            }
            None => shape("the text ends early"),
        }
    }

    /// The next byte that is not JSON white space, not consumed.
    fn peek_token(&mut self) -> Result<Option<u8>, FlatJsonError> {
        while let Some(b) = self.peek()? {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(Some(b));
            }
            self.bump();
        }
        Ok(None)
    }

    fn expect(&mut self, want: u8) -> Result<(), FlatJsonError> {
        match self.peek_token()? {
            Some(b) if b == want => {
                self.bump();
                Ok(())
            }
            _ => shape(format!("expected {}", want as char)),
        }
    }

    fn value(&mut self) -> Result<FlatValue, FlatJsonError> {
        match self.peek_token()? {
            Some(b'"') => {
                self.bump();
                Ok(FlatValue::Str(self.held_string()?))
            }
            Some(b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.bump();
                let mut items = Vec::new();
                if self.peek_token()? == Some(b']') {
                    self.bump();
                    return Ok(FlatValue::Strs(items));
                }
                loop {
                    if items.len() == MAX_ITEMS {
                        return shape("an array too long");
                    }
                    self.expect(b'"')?;
                    items.push(self.held_string()?);
                    match self.peek_token()? {
                        Some(b',') => self.bump(),
                        Some(b']') => {
                            self.bump();
                            return Ok(FlatValue::Strs(items));
                        }
                        _ => return shape("expected , or ] in an array"),
                    }
                }
            }
            Some(b't') => self.word(b"true", FlatValue::Bool(true)),
            Some(b'f') => self.word(b"false", FlatValue::Bool(false)),
            Some(b'n') => self.word(b"null", FlatValue::Null),
            _ => shape("a value that is not a string, integer, array of strings or literal"),
        }
    }

    fn word(&mut self, word: &[u8], v: FlatValue) -> Result<FlatValue, FlatJsonError> {
        for &w in word {
            if self.next()? != w {
                return shape("not a literal");
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<FlatValue, FlatJsonError> {
        let mut n: u64 = 0;
        let mut digits = 0;
        while let Some(b @ b'0'..=b'9') = self.peek()? {
            if digits == 1 && n == 0 {
                return shape("a number with a leading zero");
            }
            self.bump();
            digits += 1;
            n = match n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(b - b'0')))
            {
                Some(n) => n,
                None => return shape("a number too large"),
            };
        }
        if matches!(self.peek()?, Some(b'.' | b'e' | b'E')) {
            return shape("a number that is not an integer");
        }
        Ok(FlatValue::Num(n))
    }

    /// A string (its opening quote read), held: at most [`MAX_HELD`] bytes, valid UTF-8.
    fn held_string(&mut self) -> Result<String, FlatJsonError> {
        let mut out = Vec::new();
        self.string(&mut |b| out.extend_from_slice(b), MAX_HELD)?;
        String::from_utf8(out).or_else(|_| shape("a string that is not UTF-8"))
    }

    /// A string's text after its opening quote, decoded, to `sink` in pieces; at most `max`
    /// bytes of it.
    fn string(&mut self, sink: &mut dyn FnMut(&[u8]), max: usize) -> Result<(), FlatJsonError> {
        let mut total = 0usize;
        loop {
            // The plain run of bytes in the buffer, handed on without copying.
            let (run, stop) = {
                let buf = loop {
                    match self.r.fill_buf() {
                        Ok(b) => break b,
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return Err(e.into()),
                    }
                };
                if buf.is_empty() {
                    return shape("a string not closed");
                }
                let run = buf
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .unwrap_or(buf.len());
                total = total.saturating_add(run);
                if total > max {
                    return shape("a string too long");
                }
                sink(&buf[..run]);
                (run, buf.get(run).copied())
            };
            self.r.consume(run);
            match stop {
                None => continue,
                Some(b'"') => {
                    self.bump();
                    return Ok(());
                }
                Some(b'\\') => {
                    self.bump();
                    let mut utf8 = [0u8; 4];
                    let decoded: &[u8] = match self.next()? {
                        b'"' => b"\"",
                        b'\\' => b"\\",
                        b'/' => b"/",
                        b'b' => b"\x08",
                        b'f' => b"\x0c",
                        b'n' => b"\n",
                        b'r' => b"\r",
                        b't' => b"\t",
                        b'u' => {
                            let c = self.escaped_char()?;
                            c.encode_utf8(&mut utf8).as_bytes()
                        }
                        _ => return shape("an unknown escape"),
                    };
                    total = total.saturating_add(decoded.len());
                    if total > max {
                        return shape("a string too long");
                    }
                    sink(decoded);
                }
                Some(_) => return shape("a control character in a string"),
            }
        }
    }

    /// The character of a `\u` escape (its `\u` read), with its low surrogate if it is a
    /// high one; a lone surrogate is refused.
    fn escaped_char(&mut self) -> Result<char, FlatJsonError> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if self.next()? != b'\\' || self.next()? != b'u' {
                    return shape("a lone surrogate");
                }
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return shape("a lone surrogate");
                }
                0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
            }
            0xDC00..=0xDFFF => return shape("a lone surrogate"),
            c => u32::from(c),
        };
        char::from_u32(code).map_or_else(|| shape("not a character"), Ok)
    }

    fn hex4(&mut self) -> Result<u16, FlatJsonError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => return shape("a \\u escape without four hex digits"),
            };
            v = (v << 4) | u16::from(d);
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8], cap: usize) -> Result<(BTreeMap<String, FlatValue>, Vec<u8>), String> {
        let mut streamed = Vec::new();
        let r = std::io::BufReader::with_capacity(cap, text);
        read_flat_object(r, "line", &mut |b| streamed.extend_from_slice(b))
            .map(|(m, _)| (m, streamed))
            .map_err(|e| e.to_string())
    }

    /// What serde_json writes reads back the same, whatever the buffer size, the streamed
    /// member decoded exactly (escapes, surrogate pairs, accents) without being held.
    #[test]
    fn reads_what_serde_json_writes() {
        let line = "{\"body\":{\"note\":\"é \\\"q\\\" \u{1F600} \u{7}\\n\"},\"seq\":3}".repeat(50);
        let v = serde_json::json!({
            "exhibit": "E-0001",
            "leaf_index": 12,
            "tree_size": 18446744073709551615u64,
            "line": line,
            "path": ["ab", "cd"],
            "none": null,
            "yes": true,
            "empty": [],
        });
        for text in [
            serde_json::to_vec(&v).unwrap(),
            serde_json::to_vec_pretty(&v).unwrap(),
        ] {
            for cap in [1, 2, 3, 7, 64, 8192] {
                let (m, streamed) = read(&text, cap).unwrap();
                assert_eq!(streamed, line.as_bytes(), "{cap}");
                assert_eq!(m["exhibit"], FlatValue::Str("E-0001".into()));
                assert_eq!(m["leaf_index"], FlatValue::Num(12));
                assert_eq!(m["tree_size"], FlatValue::Num(u64::MAX));
                assert_eq!(m["path"], FlatValue::Strs(vec!["ab".into(), "cd".into()]));
                assert_eq!(m["none"], FlatValue::Null);
                assert_eq!(m["yes"], FlatValue::Bool(true));
                assert_eq!(m["empty"], FlatValue::Strs(vec![]));
                assert!(!m.contains_key("line"));
            }
        }
        // Escapes serde_json does not write but JSON allows.
        let (_, s) = read(br#"{"line":"\u00e9\/\ud83d\ude00\t"}"#, 3).unwrap();
        assert_eq!(s, "é/\u{1F600}\t".as_bytes());
    }

    /// Whatever is not a flat object of those values is refused, with no panic.
    #[test]
    fn refuses_what_is_not_a_flat_object() {
        for bad in [
            &br#"{"a":{"b":1}}"#[..],
            br#"{"a":1.5}"#,
            br#"{"a":-1}"#,
            br#"{"a":01}"#,
            br#"{"a":18446744073709551616}"#,
            br#"{"a":1,"a":2}"#,
            br#"{"line":"x","line":"y"}"#,
            br#"{"a":1} x"#,
            br#"{"a":1,}"#,
            br#"{"a":"unclosed"#,
            br#"{"line":"\ud800"}"#,
            br#"{"line":"\udc00x"}"#,
            br#"{"line":"\x"}"#,
            b"{\"line\":\"a\x01b\"}",
            br#"{"a":[1]}"#,
            br#"[1]"#,
            b"",
            b"{\"a\":\"\xff\"}",
        ] {
            assert!(read(bad, 4).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_HELD + 1));
        assert!(read(long.as_bytes(), 8192).is_err());
        let streamed_long = format!("{{\"line\":\"{}\"}}", "x".repeat(MAX_HELD + 1));
        assert_eq!(
            read(streamed_long.as_bytes(), 8192).unwrap().1.len(),
            MAX_HELD + 1
        );
    }
}
