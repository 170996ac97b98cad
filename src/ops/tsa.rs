//! `scelle tsa add` and `scelle tsa list`: the case's RFC 3161 time-stamping authorities
//! (FORMAT.md 6.10, 8.6).

use crate::case::appender::open_appender;
use crate::error::{Error, Result};
use crate::format::body::{Body, TsaAdd};
use crate::format::chain::CaseTsa;
use crate::format::encoding::b64;
use crate::format::kinds::{check_tsa_url, is_tsa_name, MAX_TSA_CA, MAX_TSA_NAME};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger;
use der::Decode;
use std::path::{Path, PathBuf};

/// What `tsa add` recorded.
#[derive(Debug, Clone)]
pub struct TsaAdded {
    /// The TSA as recorded.
    pub tsa: TsaAdd,
    /// The `tsa.add` entry.
    pub seq: u64,
    /// The checkpoint written after it.
    pub checkpoint: Option<PathBuf>,
}

/// The largest `--ca-file` read.
const MAX_CA_FILE: u64 = 1 << 20;

/// The default name of a TSA: the URL's host (no user, no port), lower-cased, every
/// character other than `a-z0-9-` turned into `-`, leading `-` dropped, at most
/// [`MAX_TSA_NAME`] characters.
pub fn default_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host.split(':').next()?
    };
    let name: String = host
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_start_matches('-');
    let name: String = name.chars().take(MAX_TSA_NAME).collect();
    is_tsa_name(&name).then_some(name)
}

/// The DER certificates of a PEM file (every `CERTIFICATE` block), each checked to be an
/// X.509 certificate.
pub fn read_ca_file(path: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes = fsutil::read_user_file(path, MAX_CA_FILE)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::input(format!(
            "{}: not a PEM file (not text); give the TSA's CA certificate(s) in PEM",
            path.display()
        ))
    })?;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let end = after.find(END).ok_or_else(|| {
            Error::input(format!(
                "{}: a certificate block has no {END} line",
                path.display()
            ))
        })?;
        let b64text: String = after[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = crate::format::encoding::unb64(&b64text).ok_or_else(|| {
            Error::input(format!(
                "{}: certificate {} is not valid base64",
                path.display(),
                certs.len() + 1
            ))
        })?;
        cms::cert::x509::Certificate::from_der(&der).map_err(|e| {
            Error::input(format!(
                "{}: certificate {} is not an X.509 certificate: {e}",
                path.display(),
                certs.len() + 1
            ))
        })?;
        certs.push(der);
        rest = &after[end + END.len()..];
    }
    if certs.is_empty() {
        return Err(Error::input(format!(
            "{}: holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the TSA's CA certificate",
            path.display()
        )));
    }
    if certs.len() > MAX_TSA_CA {
        return Err(Error::input(format!(
            "{}: {} certificates, more than the {MAX_TSA_CA} a TSA may have; keep the CA certificates its tokens chain to",
            path.display(),
            certs.len()
        )));
    }
    Ok(certs)
}

/// The body of `tsa add` from its arguments, checked before any key is loaded (FORMAT.md
/// 6.10): the URL, the name (default: from the URL's host), and the CA file, which is
/// required: a token is only as trustworthy as the anchor it is checked against.
pub fn prepare(url: &str, name: Option<&str>, ca_file: Option<&Path>) -> Result<TsaAdd> {
    check_tsa_url(url).map_err(|e| Error::input(format!("{e}: give the TSA's RFC 3161 URL")))?;
    let name = match name {
        Some(n) if is_tsa_name(n) => n.to_string(),
        Some(n) => {
            return Err(Error::input(format!(
                "--name {:?}: a TSA name is 1 to {MAX_TSA_NAME} characters of a-z, 0-9 and '-', not starting with '-'",
                crate::format::printable::field(n)
            )))
        }
        None => default_name(url).ok_or_else(|| {
            Error::input(format!(
                "{url}: no TSA name can be made from this URL's host; give --name NAME"
            ))
        })?,
    };
    let Some(ca_file) = ca_file else {
        return Err(Error::input(
            "tsa add needs --ca-file CERTS.pem: the CA certificate(s) the TSA's tokens chain to \
             (for a qualified TSA, its CA certificate from the EU trusted list; otherwise from \
             the TSA's own site). Without it no token could be verified",
        ));
    };
    let ca: Vec<String> = read_ca_file(ca_file)?.iter().map(|d| b64(d)).collect();
    Ok(TsaAdd {
        name,
        url: url.to_string(),
        ca,
    })
}

/// `tsa add`: the administrator records `body` ([`prepare`]) as a `tsa.add` entry.
pub fn add(case: &CaseDir, body: TsaAdd, admin: &LoadedKey) -> Result<TsaAdded> {
    let mut app = open_appender(case, admin)?;
    let entry = app.append(
        &Body::TsaAdd(body.clone()),
        admin,
        crate::format::time::now_utc(),
    )?;
    let checkpoint = app.finish(admin)?;
    Ok(TsaAdded {
        tsa: body,
        seq: entry.seq,
        checkpoint,
    })
}

/// `tsa list`: the case's TSAs, in the order they were added (from the ledger).
pub fn list(case: &CaseDir) -> Result<Vec<CaseTsa>> {
    Ok(ledger::current_head(case)?.tsas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        assert_eq!(
            default_name("https://freetsa.org/tsr").as_deref(),
            Some("freetsa-org")
        );
        assert_eq!(
            default_name("http://user@TSA.Example.COM:8080/x").as_deref(),
            Some("tsa-example-com")
        );
        assert_eq!(
            default_name("http://127.0.0.1:3161").as_deref(),
            Some("127-0-0-1")
        );
        assert_eq!(default_name("http://[::1]:80/").as_deref(), Some("1"));
        assert_eq!(default_name("http://--/").as_deref(), None);
    }
}
