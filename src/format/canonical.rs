//! RFC 8785 (JSON Canonicalization Scheme) for the subset of JSON the format uses: objects,
//! arrays, strings, booleans, null and integers of magnitude below 2^53. Floating-point numbers
//! appear nowhere in the format and are rejected.
//!
//! A ledger line is accepted only if its bytes equal the canonical serialisation of what they
//! parse to; this rejects whitespace, unsorted or duplicate keys, needless escapes, and
//! alternative number spellings.

use serde::ser::{self, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;

/// The largest integer magnitude allowed (2^53 - 1, the I-JSON safe range).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value or a byte string is not canonical JSON of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonicalError {
    /// The bytes are not JSON at all (or not UTF-8).
    Syntax(String),
    /// A number is fractional, has an exponent, or is outside the safe integer range.
    Number(String),
    /// The bytes parse, but are not in canonical form.
    NotCanonical,
}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CanonicalError::Syntax(e) => write!(f, "not valid JSON ({e})"),
            CanonicalError::Number(n) => {
                write!(f, "number {n} is not an integer below 2^53 (the format has no floating-point numbers)")
            }
            CanonicalError::NotCanonical => write!(
                f,
                "not in RFC 8785 canonical form (whitespace, key order, duplicate keys or escapes differ)"
            ),
        }
    }
}

/// Serialises `value` in canonical form.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out)?;
    Ok(out)
}

/// Serialises any `Serialize` type in canonical form, straight from the value (no intermediate
/// [`Value`], no clone): the same bytes, and the same errors, as
/// `to_canonical(&serde_json::to_value(value)?)` (the tests below check it).
pub fn to_canonical_of<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write_canonical_of(value, &mut out)?;
    Ok(out)
}

/// Appends the canonical form of `value` to `out` (see [`to_canonical_of`]). On error, `out`
/// is left as it was.
pub fn write_canonical_of<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), CanonicalError> {
    let start = out.len();
    if write_direct(value, out).is_err() {
        // Never on the format's values. The writer meets members in the order they come,
        // canonical form in sorted order: where several are wrong, the `Value` path names the
        // first in canonical order. Its answer is the answer.
        out.truncate(start);
        let v = serde_json::to_value(value).map_err(|e| CanonicalError::Syntax(e.to_string()))?;
        write_value(&v, out).inspect_err(|_| out.truncate(start))?;
    }
    Ok(())
}

/// The direct writer alone: appends the canonical form of `value` to `out`.
fn write_direct<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), WriteError> {
    let mut w = Writer {
        out: std::mem::take(out),
        spans: Vec::new(),
        keys: Vec::new(),
        scratch: Vec::new(),
    };
    let r = value.serialize(&mut w);
    *out = w.out;
    r
}

/// Appends the canonical JSON string literal of `s` to `out`.
pub fn write_canonical_str(s: &str, out: &mut Vec<u8>) {
    write_str_bytes(s.as_bytes(), out);
}

/// Parses `bytes` and checks they are exactly the canonical serialisation of the result.
pub fn parse_canonical(bytes: &[u8]) -> Result<Value, CanonicalError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| CanonicalError::Syntax(e.to_string()))?;
    let again = to_canonical(&value)?;
    if again != bytes {
        return Err(CanonicalError::NotCanonical);
    }
    Ok(value)
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let ok = if let Some(u) = n.as_u64() {
                u <= MAX_SAFE_INTEGER
            } else if let Some(i) = n.as_i64() {
                i.unsigned_abs() <= MAX_SAFE_INTEGER
            } else {
                false
            };
            if !ok {
                return Err(CanonicalError::Number(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // RFC 8785 3.2.3: sort by the UTF-16 code units of the keys.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_value(&map[k.as_str()], out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// RFC 8785 3.2.2.2: only `"`, `\` and control characters are escaped; the short forms
/// `\b \t \n \f \r` are used where they exist, `\u00xx` (lower-case hex) otherwise.
fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

// ---------------------------------------------------------------------------------------------
// The direct canonical writer: a serde `Serializer` writing canonical bytes as it goes.
//
// Members of an object are written in the order they come, each recorded as a span of the
// output (and its name in `keys`); when the object ends, members out of RFC 8785 order are moved
// into place (most structs declare their fields out of order). Sorted objects cost nothing, and
// nothing is allocated per value: `spans`, `keys` and `scratch` are stacks reused by every
// object. The data model follows `serde_json::to_value` exactly (options and units as `null`,
// variants as one-member objects, a repeated member name keeping its last value), so the bytes
// are those of `to_canonical(&serde_json::to_value(value)?)`.

/// A serialisation error, carrying the canonical error it stands for.
#[derive(Debug)]
struct WriteError(CanonicalError);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        // As `serde_json::to_value` reports it.
        WriteError(CanonicalError::Syntax(msg.to_string()))
    }
}

fn syntax(msg: &str) -> WriteError {
    WriteError(CanonicalError::Syntax(msg.to_string()))
}

/// One member of an object being written: its name (`keys[key_start..key_end]`, unescaped) and
/// its bytes (`out[start..end]`, `"name":value`, without the separating comma).
#[derive(Debug, Clone, Copy)]
struct Span {
    key_start: usize,
    key_end: usize,
    start: usize,
    end: usize,
}

struct Writer {
    out: Vec<u8>,
    /// Members of the objects being written, innermost last.
    spans: Vec<Span>,
    /// Their names.
    keys: Vec<u8>,
    /// Members being moved.
    scratch: Vec<u8>,
}

/// Compares member names as RFC 8785 sorts them: by UTF-16 code units. (For ASCII, and for any
/// pair not mixing U+E000..U+FFFF with characters above U+FFFF, that is byte order.)
fn utf16_cmp(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(a), Ok(b)) => a.encode_utf16().cmp(b.encode_utf16()),
        _ => a.cmp(b),
    }
}

/// RFC 8785 3.2.2.2, as [`write_string`], on the bytes of a `str`: every byte to escape is
/// ASCII, and bytes of multi-byte characters are copied as they are.
fn write_str_bytes(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    // Most strings (digests, names) need no escape: one branch-free pass finds out.
    let plain = !s.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.extend_from_slice(s);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in s.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => {
                out.extend_from_slice(&s[run..i]);
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]);
                run = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&s[run..i]);
        out.extend_from_slice(short);
        run = i + 1;
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
}

fn push_u64(mut v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

impl Writer {
    fn u64(&mut self, v: u64) -> Result<(), WriteError> {
        if v > MAX_SAFE_INTEGER {
            return Err(WriteError(CanonicalError::Number(v.to_string())));
        }
        push_u64(v, &mut self.out);
        Ok(())
    }

    fn i64(&mut self, v: i64) -> Result<(), WriteError> {
        if v >= 0 {
            return self.u64(v as u64);
        }
        if v.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(WriteError(CanonicalError::Number(v.to_string())));
        }
        self.out.push(b'-');
        push_u64(v.unsigned_abs(), &mut self.out);
        Ok(())
    }

    /// A float: `serde_json::to_value` makes a non-finite one `null`, and canonical form has
    /// no finite one.
    fn float(&mut self, v: Value) -> Result<(), WriteError> {
        match v {
            Value::Number(n) => Err(WriteError(CanonicalError::Number(n.to_string()))),
            _ => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }

    /// Opens an object.
    fn object(&mut self, variant: bool) -> Object<'_> {
        self.out.push(b'{');
        Object {
            start: self.out.len(),
            spans: self.spans.len(),
            keys: self.keys.len(),
            pending: None,
            variant,
            w: self,
        }
    }

    /// Writes the member named `keys[k0..k1]` with `value`.
    fn member<T: Serialize + ?Sized>(
        &mut self,
        first: bool,
        k0: usize,
        k1: usize,
        value: &T,
    ) -> Result<(), WriteError> {
        if !first {
            self.out.push(b',');
        }
        let start = self.out.len();
        write_str_bytes(&self.keys[k0..k1], &mut self.out);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.spans.push(Span {
            key_start: k0,
            key_end: k1,
            start,
            end: self.out.len(),
        });
        Ok(())
    }

    /// Closes the object whose members start at `start` in `out` and at `base` in `spans`:
    /// sorts its members, keeping the last of any repeated name (as `serde_json::Map` does).
    fn end_object(&mut self, start: usize, base: usize, keys_base: usize) {
        let Writer {
            out,
            spans,
            keys,
            scratch,
        } = self;
        let members = &mut spans[base..];
        let name = |s: &Span| &keys[s.key_start..s.key_end];
        let sorted = members
            .windows(2)
            .all(|p| utf16_cmp(name(&p[0]), name(&p[1])) == Ordering::Less);
        if !sorted {
            members
                .sort_unstable_by(|a, b| utf16_cmp(name(a), name(b)).then(a.start.cmp(&b.start)));
            let n = members.len();
            let mut kept = 0;
            for i in 0..n {
                if i + 1 < n && name(&members[i]) == name(&members[i + 1]) {
                    continue;
                }
                members[kept] = members[i];
                kept += 1;
            }
            let members = &members[..kept];
            // Members already in place (a prefix of the written order) stay.
            let mut p = 0;
            let mut at = start;
            while p < kept && members[p].start == at {
                at = members[p].end + 1;
                p += 1;
            }
            let cut = if p == 0 { start } else { members[p - 1].end };
            let len = |s: &Span| s.end - s.start;
            // The largest member moves once, within `out`; the others go through `scratch`.
            let big = (p..kept).max_by_key(|&q| len(&members[q])).unwrap_or(p);
            scratch.clear();
            let mut big_at = cut;
            for (q, m) in members.iter().enumerate().skip(p) {
                if q < big {
                    big_at += len(m) + usize::from(q > 0);
                }
                if q != big {
                    scratch.extend_from_slice(&out[m.start..m.end]);
                }
            }
            if big < kept {
                big_at += usize::from(big > 0);
                out.copy_within(members[big].start..members[big].end, big_at);
            }
            let mut cursor = cut;
            let mut from = 0;
            for (q, m) in members.iter().enumerate().skip(p) {
                if q > 0 {
                    out[cursor] = b',';
                    cursor += 1;
                }
                let l = len(m);
                if q != big {
                    out[cursor..cursor + l].copy_from_slice(&scratch[from..from + l]);
                    from += l;
                }
                cursor += l;
            }
            out.truncate(cursor);
            if scratch.capacity() > 1 << 20 {
                *scratch = Vec::new();
            }
        }
        out.push(b'}');
        spans.truncate(base);
        keys.truncate(keys_base);
    }
}

/// An array being written.
struct Array<'a> {
    w: &'a mut Writer,
    first: bool,
    /// Inside a one-member variant object, closed after the array.
    variant: bool,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut *self.w)
    }

    fn close(self) {
        self.w.out.push(b']');
        if self.variant {
            self.w.out.push(b'}');
        }
    }
}

/// An object being written.
struct Object<'a> {
    w: &'a mut Writer,
    /// Where its first member starts in `out`.
    start: usize,
    /// Where its members start in `spans`.
    spans: usize,
    /// Where their names start in `keys`.
    keys: usize,
    /// The name of a map member whose value comes next.
    pending: Option<(usize, usize)>,
    /// Inside a one-member variant object, closed after this one.
    variant: bool,
}

impl Object<'_> {
    fn first(&self) -> bool {
        self.w.spans.len() == self.spans
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), WriteError> {
        let k0 = self.w.keys.len();
        self.w.keys.extend_from_slice(name.as_bytes());
        let first = self.first();
        self.w.member(first, k0, self.w.keys.len(), value)
    }

    fn close(self) {
        self.w.end_object(self.start, self.spans, self.keys);
        if self.variant {
            self.w.out.push(b'}');
        }
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        self.i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), WriteError> {
        if let Ok(u) = u64::try_from(v) {
            self.u64(u)
        } else if let Ok(i) = i64::try_from(v) {
            self.i64(i)
        } else {
            Err(syntax("number out of range"))
        }
    }
    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        self.u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), WriteError> {
        match u64::try_from(v) {
            Ok(u) => self.u64(u),
            Err(_) => Err(syntax("number out of range")),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.float(Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.float(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        write_str_bytes(v.encode_utf8(&mut [0u8; 4]).as_bytes(), &mut self.out);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        write_str_bytes(v.as_bytes(), &mut self.out);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), WriteError> {
        self.out.push(b'[');
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            push_u64(u64::from(*b), &mut self.out);
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.out.push(b'{');
        write_str_bytes(variant.as_bytes(), &mut self.out);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a>, WriteError> {
        self.out.push(b'[');
        Ok(Array {
            w: self,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Array<'a>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'a>, WriteError> {
        self.out.push(b'{');
        write_str_bytes(variant.as_bytes(), &mut self.out);
        self.out.extend_from_slice(b":[");
        Ok(Array {
            w: self,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, WriteError> {
        Ok(self.object(false))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Object<'a>, WriteError> {
        Ok(self.object(false))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a>, WriteError> {
        self.out.push(b'{');
        write_str_bytes(variant.as_bytes(), &mut self.out);
        self.out.push(b':');
        Ok(self.object(true))
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        let k0 = self.w.keys.len();
        key.serialize(KeyWriter(&mut self.w.keys))?;
        self.pending = Some((k0, self.w.keys.len()));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let (k0, k1) = self
            .pending
            .take()
            .ok_or_else(|| syntax("serialize_value called before serialize_key"))?;
        let first = self.first();
        self.w.member(first, k0, k1, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close();
        Ok(())
    }
}

/// Writes a map key's name (unescaped) to the names stack. Like `serde_json`'s map keys:
/// strings, characters, booleans, integers and unit variants. Floating-point keys, which
/// `serde_json` also turns into names, are refused: the format has no floating-point number.
struct KeyWriter<'a>(&'a mut Vec<u8>);

fn key_must_be_a_string() -> WriteError {
    syntax("key must be a string")
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = ser::Impossible<(), WriteError>;
    type SerializeTuple = ser::Impossible<(), WriteError>;
    type SerializeTupleStruct = ser::Impossible<(), WriteError>;
    type SerializeTupleVariant = ser::Impossible<(), WriteError>;
    type SerializeMap = ser::Impossible<(), WriteError>;
    type SerializeStruct = ser::Impossible<(), WriteError>;
    type SerializeStructVariant = ser::Impossible<(), WriteError>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        if v < 0 {
            self.0.push(b'-');
        }
        push_u64(v.unsigned_abs(), self.0);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), WriteError> {
        self.0.extend_from_slice(v.to_string().as_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        push_u64(v, self.0);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), WriteError> {
        self.0.extend_from_slice(v.to_string().as_bytes());
        Ok(())
    }
    fn serialize_f32(self, _v: f32) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        self.0
            .extend_from_slice(v.encode_utf8(&mut [0u8; 4]).as_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        self.0.extend_from_slice(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, WriteError> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, WriteError> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v = json!({"b": 1, "a": [true, null, "x"], "é": {"z": -3, "y": "\u{1}\n"}});
        let c = String::from_utf8(to_canonical(&v).unwrap()).unwrap();
        assert_eq!(
            c,
            r#"{"a":[true,null,"x"],"b":1,"é":{"y":"\u0001\n","z":-3}}"#
        );
    }

    #[test]
    fn utf16_key_order_differs_from_code_point_order() {
        // U+FB01 sorts after U+1F600 in UTF-16 (0xD83D < 0xFB01 is false: 0xFB01 > 0xD83D),
        // so the emoji comes first, although its code point is larger.
        let v = json!({"\u{fb01}": 1, "\u{1f600}": 2});
        let c = String::from_utf8(to_canonical(&v).unwrap()).unwrap();
        assert_eq!(c, "{\"\u{1f600}\":2,\"\u{fb01}\":1}");
    }

    #[test]
    fn rejects_floats_and_big_integers() {
        assert!(matches!(
            to_canonical(&json!(1.5)),
            Err(CanonicalError::Number(_))
        ));
        assert!(matches!(
            to_canonical(&json!(1u64 << 53)),
            Err(CanonicalError::Number(_))
        ));
        assert!(parse_canonical(b"1.0").is_err());
        assert!(parse_canonical(b"1e3").is_err());
    }

    #[test]
    fn parse_rejects_every_non_canonical_spelling() {
        assert!(parse_canonical(br#"{"a":1,"b":2}"#).is_ok());
        for bad in [
            &br#"{"b":2,"a":1}"#[..],
            br#"{"a":1, "b":2}"#,
            br#"{"a":1,"a":1}"#,
            br#"{"a":"\u0041"}"#,
            br#"{"a":"\/"}"#,
            br#"{"a":01}"#,
            b" {\"a\":1}",
        ] {
            assert!(
                parse_canonical(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    // ---- The direct writer gives the bytes (and errors) of the Value path ----

    use serde::Serialize;
    use std::collections::{BTreeMap, HashMap};

    /// The previous implementation of `to_canonical_of`: through a `Value`.
    fn via_value<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, CanonicalError> {
        let v = serde_json::to_value(v).map_err(|e| CanonicalError::Syntax(e.to_string()))?;
        to_canonical(&v)
    }

    /// The direct writer, without its fallback to the `Value` path on errors.
    fn direct<T: Serialize + ?Sized>(v: &T) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write_direct(v, &mut out).ok().map(|()| out)
    }

    #[track_caller]
    fn same<T: Serialize + ?Sized + std::fmt::Debug>(v: &T) {
        let old = via_value(v);
        assert_eq!(
            to_canonical_of(v).map(String::from_utf8),
            old.clone().map(String::from_utf8),
            "{v:?}"
        );
        // The writer by itself: the same bytes, and an error exactly when the Value path has one.
        assert_eq!(
            direct(v).map(String::from_utf8),
            old.ok().map(String::from_utf8),
            "{v:?}"
        );
    }

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Characters that matter to escaping and to UTF-16 ordering.
    const CHARS: &[char] = &[
        'a',
        'b',
        'z',
        'A',
        '0',
        '_',
        '-',
        '.',
        '/',
        ' ',
        '"',
        '\\',
        '\u{0}',
        '\u{1}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{1f}',
        '\u{7f}',
        '\u{80}',
        'é',
        'ß',
        '\u{2028}',
        '\u{d7ff}',
        '\u{e000}',
        '\u{fb01}',
        '\u{ff61}',
        '\u{fffd}',
        '\u{ffff}',
        '\u{10000}',
        '\u{1f600}',
        '\u{10ffff}',
    ];

    fn random_string(r: &mut Rng) -> String {
        (0..r.below(7))
            .map(|_| CHARS[r.below(CHARS.len() as u64) as usize])
            .collect()
    }

    fn random_value(r: &mut Rng, depth: u32) -> Value {
        let pick = if depth == 0 { r.below(5) } else { r.below(8) };
        match pick {
            0 => Value::Null,
            1 => Value::Bool(r.below(2) == 1),
            2 => {
                let edges = [
                    0i64,
                    1,
                    -1,
                    MAX_SAFE_INTEGER as i64,
                    -(MAX_SAFE_INTEGER as i64),
                    MAX_SAFE_INTEGER as i64 + 1,
                    -(MAX_SAFE_INTEGER as i64) - 1,
                    i64::MIN,
                    i64::MAX,
                ];
                match r.below(4) {
                    0 => json!(edges[r.below(edges.len() as u64) as usize]),
                    1 => json!(u64::MAX - r.below(3)),
                    // Floats occur only rarely: one makes the whole value an error.
                    2 if r.below(20) == 0 => json!(0.5),
                    _ => json!(r.below(1 << 20) as i64 - (1 << 19)),
                }
            }
            3 | 4 => Value::String(random_string(r)),
            5 | 6 => Value::Object(
                (0..r.below(6))
                    .map(|_| (random_string(r), random_value(r, depth - 1)))
                    .collect(),
            ),
            _ => Value::Array(
                (0..r.below(5))
                    .map(|_| random_value(r, depth - 1))
                    .collect(),
            ),
        }
    }

    #[test]
    fn writer_matches_value_path_on_random_values() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut errors = 0;
        for _ in 0..20_000 {
            let v = random_value(&mut r, 4);
            let old = to_canonical(&v);
            assert_eq!(to_canonical_of(&v), old, "{v:?}");
            assert_eq!(direct(&v), old.clone().ok(), "{v:?}");
            errors += usize::from(old.is_err());
        }
        // Both outcomes were exercised.
        assert!(errors > 100 && errors < 15_000, "{errors}");
    }

    #[test]
    fn writer_escapes_every_character_as_the_value_path() {
        for c in (0u32..0x300).chain(0xd700..0xe100).chain(0xfb00..0x1_0100) {
            let Some(c) = char::from_u32(c) else { continue };
            let s = format!("x{c}y{c}");
            same(&s);
            same(&c);
            let mut m = BTreeMap::new();
            m.insert(s.clone(), c);
            m.insert(format!("{c}"), 'k');
            same(&m);
        }
    }

    #[test]
    fn writer_sorts_names_by_utf16_code_units() {
        // Byte order and UTF-16 order disagree between U+E000..U+FFFF and U+10000.. .
        let names = [
            "\u{fb01}",
            "\u{1f600}",
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "a",
            "",
            "ab",
            "b",
            "\u{7f}",
            "é",
            "\u{d7ff}",
            "aa",
            "\u{1f600}x",
            "\u{fb01}\u{1f600}",
        ];
        let map: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        same(&map);
        let c = String::from_utf8(to_canonical_of(&map).unwrap()).unwrap();
        assert!(c.find("\u{1f600}").unwrap() < c.find("\u{fb01}").unwrap());
        assert!(c.find("\u{10000}").unwrap() < c.find("\u{e000}").unwrap());
    }

    #[derive(Debug, Serialize)]
    struct Unsorted {
        zulu: u64,
        alpha: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        mike: Option<u8>,
        #[serde(rename = "type")]
        kind: &'static str,
        bravo: Vec<Unsorted>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        empty: Vec<u8>,
        nested: BTreeMap<String, Shape>,
        big: String,
    }

    #[derive(Debug, Serialize)]
    #[allow(dead_code)]
    enum Shape {
        Unit,
        Newtype(i32),
        Tuple(u8, String, bool),
        Struct { y: i8, x: Option<char> },
    }

    #[derive(Debug, Serialize)]
    #[serde(tag = "state", rename_all = "kebab-case")]
    enum Tagged {
        InTransit { to: String, release: u64 },
        Sealed,
    }

    #[derive(Debug, Serialize)]
    struct Wrapper(Vec<u32>);

    #[derive(Debug, Serialize)]
    struct Empty {}

    #[derive(Debug, Serialize)]
    struct UnitLike;

    fn unsorted(depth: u32, big: usize) -> Unsorted {
        let mut nested = BTreeMap::new();
        nested.insert("u".to_string(), Shape::Unit);
        nested.insert("n".to_string(), Shape::Newtype(-7));
        nested.insert("t".to_string(), Shape::Tuple(1, "x\ty".into(), true));
        nested.insert(
            "s".to_string(),
            Shape::Struct {
                y: -1,
                x: Some('é'),
            },
        );
        Unsorted {
            zulu: 42,
            alpha: depth
                .is_multiple_of(2)
                .then(|| "\"quoted\" \\ é".to_string()),
            mike: depth.is_multiple_of(3).then_some(3),
            kind: "file",
            bravo: if depth == 0 {
                vec![]
            } else {
                (0..depth).map(|d| unsorted(d, big / 2)).collect()
            },
            empty: vec![],
            nested,
            big: "x".repeat(big),
        }
    }

    #[test]
    fn writer_matches_value_path_on_typed_values() {
        // Structs whose fields are out of order, at every depth, with members of every size
        // (the largest member of an object is moved differently from the others).
        for big in [0, 1, 100, 5000] {
            same(&unsorted(3, big));
        }
        same(&Shape::Unit);
        same(&Shape::Newtype(1));
        same(&Shape::Tuple(0, String::new(), false));
        same(&Shape::Struct { y: 0, x: None });
        same(&Tagged::InTransit {
            to: "k".into(),
            release: 9,
        });
        same(&Tagged::Sealed);
        same(&Wrapper(vec![1, 2, 3]));
        same(&Empty {});
        same(&UnitLike);
        same(&());
        same(&(1u8, "two", [3i16, -4], Some(()), None::<u8>));
        same(&vec![Value::Null; 3]);
        same(&Vec::<Value>::new());
        same(&'\u{1}');
        same(&"");
        // Map keys of other types become names, as in serde_json.
        same(&BTreeMap::from([(-3i64, 1), (10, 2), (2, 3)]));
        same(&BTreeMap::from([(true, 1), (false, 2)]));
        same(&BTreeMap::from([
            ('z', 1),
            ('\u{1f600}', 2),
            ('\u{fb01}', 3),
        ]));
        same(&BTreeMap::from([(u128::MAX, 1), (0, 2)]));
        same(&BTreeMap::from([(i128::MIN, 1)]));
        same(&BTreeMap::from(
            [(Shape::Unit, 1)].map(|(k, v)| (format!("{k:?}"), v)),
        ));
        same(&BTreeMap::from([(vec![1u8], 1)])); // an error in both
        same(&BTreeMap::from([(Some("k"), 1)])); // an error in both
                                                 // Numbers at and beyond the safe range, of every width.
        for n in [0u64, 1, MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, u64::MAX] {
            same(&n);
            same(&(n as i64));
            same(&(n as i64).wrapping_neg());
            same(&(n as u128));
            same(&(n as i128).wrapping_neg());
        }
        same(&u128::MAX);
        same(&i128::MIN);
        same(&(u8::MAX, i8::MIN, u16::MAX, i16::MIN, u32::MAX, i32::MIN));
        // Floats: none is canonical, non-finite ones become null (as in serde_json).
        for f in [
            0.0f64,
            -0.0,
            1.5,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            same(&f);
            same(&(f as f32));
            same(&json!({ "a": 1 }).as_object().map(|_| vec![f]));
        }
    }

    /// Serialises as a map with a repeated name: serde_json's map keeps the last value.
    #[derive(Debug, Clone)]
    struct Repeats(Vec<(&'static str, u32)>);
    impl Serialize for Repeats {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(None)?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }

    /// Serialises bytes (serde_json makes them an array of numbers).
    #[derive(Debug)]
    struct Bytes(&'static [u8]);
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    /// Fails part-way with a custom error.
    #[derive(Debug)]
    struct Fails;
    impl Serialize for Fails {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no, thanks"))
        }
    }

    #[test]
    fn writer_matches_value_path_on_repeats_bytes_and_errors() {
        same(&Repeats(vec![("b", 1), ("a", 2), ("b", 3)]));
        same(&Repeats(vec![("a", 1), ("a", 2)]));
        same(&Repeats(vec![
            ("a", 1),
            ("b", 2),
            ("a", 3),
            ("c", 4),
            ("b", 5),
        ]));
        same(&Repeats(vec![("z", 1), ("z", 2), ("a", 3)]));
        same(&vec![Repeats(vec![("y", 1), ("x", 2), ("y", 0)]); 2]);
        same(&Bytes(b""));
        same(&Bytes(b"\x00\x7f\xff"));
        same(&Fails);
        same(&vec![json!(1), json!("a")]);
        same(&BTreeMap::from([("k", Fails)]));
    }

    /// A value whose objects emit their members in any order, names possibly repeated.
    #[derive(Debug)]
    enum Tree {
        Leaf(Value),
        Map(Vec<(String, Tree)>),
        List(Vec<Tree>),
    }

    impl Serialize for Tree {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{SerializeMap, SerializeSeq};
            match self {
                Tree::Leaf(v) => v.serialize(s),
                Tree::Map(members) => {
                    let mut m = s.serialize_map(Some(members.len()))?;
                    for (k, v) in members {
                        m.serialize_entry(k, v)?;
                    }
                    m.end()
                }
                Tree::List(items) => {
                    let mut l = s.serialize_seq(Some(items.len()))?;
                    for v in items {
                        l.serialize_element(v)?;
                    }
                    l.end()
                }
            }
        }
    }

    fn random_tree(r: &mut Rng, depth: u32) -> Tree {
        match if depth == 0 { 0 } else { r.below(4) } {
            0 => {
                // Leaves of very different sizes: the largest member moves differently.
                Tree::Leaf(match r.below(4) {
                    0 => Value::String("é".repeat(r.below(300) as usize)),
                    1 => random_value(r, 1),
                    2 => json!(r.below(1000)),
                    _ => Value::String(random_string(r)),
                })
            }
            1 => Tree::List((0..r.below(4)).map(|_| random_tree(r, depth - 1)).collect()),
            _ => {
                // Few distinct names, so that some repeat.
                let names = ["a", "b", "c", "d", "\u{e000}", "\u{1f600}", "", "aa"];
                Tree::Map(
                    (0..r.below(9))
                        .map(|_| {
                            let n = names[r.below(names.len() as u64) as usize].to_string();
                            (n, random_tree(r, depth - 1))
                        })
                        .collect(),
                )
            }
        }
    }

    fn repeats_a_name(t: &Tree) -> bool {
        match t {
            Tree::Leaf(_) => false,
            Tree::List(items) => items.iter().any(repeats_a_name),
            Tree::Map(m) => {
                m.iter()
                    .enumerate()
                    .any(|(i, (k, _))| m[..i].iter().any(|(j, _)| j == k))
                    || m.iter().any(|(_, v)| repeats_a_name(v))
            }
        }
    }

    #[test]
    fn writer_matches_value_path_on_members_in_any_order() {
        let mut r = Rng(0x0123_4567_89ab_cdef);
        let mut direct_ok = 0;
        for _ in 0..5_000 {
            let t = random_tree(&mut r, 3);
            let old = via_value(&t);
            assert_eq!(to_canonical_of(&t), old, "{t:?}");
            // The writer alone may also refuse a bad value that a repeated name later replaces
            // (the Value path never sees it); then the Value path's answer is used, as above.
            match direct(&t) {
                Some(d) => {
                    assert_eq!(Ok(d), old, "{t:?}");
                    direct_ok += 1;
                }
                None => assert!(old.is_err() || repeats_a_name(&t), "{t:?}"),
            }
        }
        assert!(direct_ok > 3_000, "{direct_ok}");
    }

    /// A map with a floating-point key, which serde_json turns into a name.
    #[derive(Debug)]
    struct FloatKey;
    impl Serialize for FloatKey {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry(&1.5f64, "x")?;
            m.end()
        }
    }

    #[test]
    fn float_keys_fall_back_to_the_value_path() {
        // The writer refuses them; the result is still the Value path's.
        assert_eq!(direct(&FloatKey), None);
        assert_eq!(to_canonical_of(&FloatKey), via_value(&FloatKey));
        assert!(via_value(&FloatKey).is_ok());
        // And an error leaves what was written before intact.
        let mut out = b"prefix".to_vec();
        assert!(write_canonical_of(&1.5f64, &mut out).is_err());
        assert_eq!(out, b"prefix");
        write_canonical_of(&FloatKey, &mut out).unwrap();
        assert_eq!(out, b"prefix{\"1.5\":\"x\"}");
    }
}
