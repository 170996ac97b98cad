//! RFC 8785 (JSON Canonicalization Scheme) for the subset of JSON the format uses: objects,
//! arrays, strings, booleans, null and integers of magnitude below 2^53. Floating-point numbers
//! appear nowhere in the format and are rejected.
//!
//! A ledger line is accepted only if its bytes equal the canonical serialisation of what they
//! parse to; this rejects whitespace, unsorted or duplicate keys, needless escapes, and
//! alternative number spellings.

use serde_json::Value;
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

/// Serialises any `Serialize` type in canonical form.
pub fn to_canonical_of<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let v = serde_json::to_value(value).map_err(|e| CanonicalError::Syntax(e.to_string()))?;
    to_canonical(&v)
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
}
