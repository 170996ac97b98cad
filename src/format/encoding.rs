//! Hex and base64 helpers used throughout the format.

use base64::Engine;

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Parses lower-case hexadecimal of exactly `N` bytes (upper case is rejected: the format
/// writes lower case only, so any other spelling is not canonical).
pub fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        let d = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = (d(pair[0])? << 4) | d(pair[1])?;
    }
    Some(out)
}

/// Standard base64 with padding (RFC 4648 section 4).
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded base64, rejecting any non-canonical spelling.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    let v = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    (b64(&v) == s).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_rejects_upper_case() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex::<3>("00abff"), Some([0, 0xab, 0xff]));
        assert_eq!(unhex::<3>("00ABff"), None);
        assert_eq!(unhex::<3>("00abf"), None);
    }

    #[test]
    fn base64_rejects_non_canonical_padding_bits() {
        assert_eq!(unb64("AQ=="), Some(vec![1]));
        assert_eq!(unb64("AR=="), None);
        assert_eq!(unb64("AQ"), None);
    }
}
