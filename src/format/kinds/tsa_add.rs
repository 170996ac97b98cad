//! `tsa.add`: the administrator adds an RFC 3161 time-stamping authority to the case
//! (FORMAT.md 6.10, 8.6): its name in the case, its URL, and the CA certificates its tokens
//! must chain to.

use super::{At, Kind, Reads};
use crate::format::encoding::unb64;
use crate::format::errors::{CustodyError, ValueError};
use crate::format::state::{CaseTsa, ChainState};
use serde::{Deserialize, Serialize};

/// The administrator adds a time-stamping authority.
pub const KIND_TSA_ADD: &str = "tsa.add";

/// The longest TSA name.
pub const MAX_TSA_NAME: usize = 32;
/// The longest TSA URL, in bytes.
pub const MAX_TSA_URL: usize = 2048;
/// The most CA certificates of one TSA.
pub const MAX_TSA_CA: usize = 16;
/// The largest CA certificate, in DER bytes.
pub const MAX_TSA_CA_BYTES: usize = 64 * 1024;

/// Body of `tsa.add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TsaAdd {
    /// The TSA's name in the case ([`is_tsa_name`]): it names its token files.
    pub name: String,
    /// Where its RFC 3161 service answers: `http://` or `https://`.
    pub url: String,
    /// The trust anchors for its tokens: base64 (standard, padded) DER X.509 certificates.
    pub ca: Vec<String>,
}

/// Whether `name` is a TSA name: 1 to [`MAX_TSA_NAME`] characters of `[a-z0-9-]`, the first
/// not `-`.
pub fn is_tsa_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TSA_NAME
        && b[0] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// The value rule of a TSA URL: `http://` or `https://` then a non-empty rest, at most
/// [`MAX_TSA_URL`] bytes of printable ASCII (no space).
pub fn check_tsa_url(url: &str) -> Result<(), ValueError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) {
        return Err(ValueError::Rule(format!(
            "tsa url {url:?} must start with http:// or https:// and name a host"
        )));
    }
    if url.len() > MAX_TSA_URL || !url.bytes().all(|c| c.is_ascii_graphic()) {
        return Err(ValueError::Rule(format!(
            "tsa url must be at most {MAX_TSA_URL} bytes of printable ASCII without spaces"
        )));
    }
    Ok(())
}

/// Whether `der` is one DER SEQUENCE (tag 0x30, a definite length in its shortest form)
/// spanning exactly these bytes: the outer shape of an X.509 certificate. Whether it is a
/// certificate that anchors a token is for the token's verification (FORMAT.md 8.6).
pub fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = der else {
        return false;
    };
    let (len, body) = match *first {
        n @ 0..=0x7f => (n as usize, rest),
        0x81..=0x84 => {
            let k = (*first & 0x7f) as usize;
            if rest.len() < k || rest[0] == 0 {
                return false;
            }
            let len = rest[..k].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
            // Shortest form: a long form only for 128 and more.
            if len < 0x80 {
                return false;
            }
            (len, &rest[k..])
        }
        _ => return false,
    };
    body.len() == len
}

impl Kind for TsaAdd {
    const NAME: &'static str = KIND_TSA_ADD;

    fn exhibits(&self) -> Vec<&str> {
        vec![]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::nothing()
    }

    fn validate(&self) -> Result<(), ValueError> {
        if !is_tsa_name(&self.name) {
            return Err(ValueError::Rule(format!(
                "tsa name {:?} must be 1 to {MAX_TSA_NAME} characters of a-z, 0-9 and '-', not starting with '-'",
                self.name
            )));
        }
        check_tsa_url(&self.url)?;
        if self.ca.is_empty() || self.ca.len() > MAX_TSA_CA {
            return Err(ValueError::Rule(format!(
                "tsa ca must list 1 to {MAX_TSA_CA} certificates, not {}",
                self.ca.len()
            )));
        }
        for (i, c) in self.ca.iter().enumerate() {
            let der = unb64(c).ok_or_else(|| {
                ValueError::Rule(format!("tsa ca[{i}] is not standard padded base64"))
            })?;
            if der.len() > MAX_TSA_CA_BYTES {
                return Err(ValueError::Rule(format!(
                    "tsa ca[{i}] is {} bytes, more than {MAX_TSA_CA_BYTES}",
                    der.len()
                )));
            }
            if !is_der_sequence(&der) {
                return Err(ValueError::Rule(format!(
                    "tsa ca[{i}] is not a DER certificate (one DER SEQUENCE)"
                )));
            }
        }
        Ok(())
    }

    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        state.check_admin(at.signer, "add TSAs")?;
        if let Some(t) = state.tsa(&self.name) {
            return Err(CustodyError::TsaNameTaken {
                name: self.name.clone(),
                at: t.added_at,
            });
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        state.tsas.push(CaseTsa {
            name: self.name.clone(),
            url: self.url.clone(),
            ca: self.ca.clone(),
            added_at: at.seq,
        });
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "added TSA {} ({}, {} CA certificate{})",
            self.name,
            self.url,
            self.ca.len(),
            if self.ca.len() == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "freetsa-org", "tsa1", &"a".repeat(32)] {
            assert!(is_tsa_name(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a.b", "a b", "é", &"a".repeat(33), "a_b"] {
            assert!(!is_tsa_name(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(check_tsa_url("http://127.0.0.1:8080/tsa").is_ok());
        assert!(check_tsa_url("https://freetsa.org/tsr").is_ok());
        for bad in [
            "ftp://x",
            "http://",
            "https:///x",
            "http://a b",
            "http://a\u{e9}",
            "HTTP://x",
        ] {
            assert!(check_tsa_url(bad).is_err(), "{bad}");
        }
        assert!(check_tsa_url(&format!("http://{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn der_sequences() {
        assert!(is_der_sequence(&[0x30, 0x00]));
        assert!(is_der_sequence(&[0x30, 0x01, 0x05]));
        assert!(!is_der_sequence(&[0x30, 0x02, 0x05]));
        assert!(!is_der_sequence(&[0x31, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x81, 0x01, 0x05]), "not shortest");
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert!(is_der_sequence(&long));
        long.push(0);
        assert!(!is_der_sequence(&long), "trailing byte");
        assert!(!is_der_sequence(&[0x30, 0x80]), "indefinite length");
    }
}
