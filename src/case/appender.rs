//! The appender of a case: opening an append transaction on a case whose ledger holds its
//! signed entry 0, and writing entry 0 of a new case.

use crate::error::Result;
use crate::format::body::{Body, CaseOpen, KeyRecord};
use crate::format::encoding::b64;
use crate::store::case::CaseDir;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::Appender;

/// The key record of a loaded key.
pub fn key_record(key: &LoadedKey) -> KeyRecord {
    KeyRecord {
        id: key.id(),
        name: key.name.clone(),
        role: key.role.clone(),
        public_key: b64(key.public().as_bytes()),
        full_name: None,
    }
}

/// A key holder's full name as given on the command line (`--full-name`): trimmed, not blank,
/// one line without control characters.
pub fn full_name(name: Option<&str>) -> Result<Option<String>> {
    let Some(n) = name else { return Ok(None) };
    let n = n.trim();
    if n.is_empty() || n.chars().any(char::is_control) || n.chars().count() > 200 {
        return Err(crate::error::Error::input(format!(
            "--full-name {n:?}: give the key holder's full name as they sign, on one line (1 to 200 characters, no control characters)"
        )));
    }
    Ok(Some(n.to_string()))
}

/// Opens an append transaction on a case whose ledger holds its signed entry 0.
///
/// An empty ledger is refused: the case's identity (case id, title, origin) is signed at
/// `scelle init --key`, from the command line, and is never taken from `case.json`, which
/// anyone who can write the directory can replace (docs/SECURITY.md section 13.11).
pub fn open_appender<'a>(case: &'a CaseDir, key: &LoadedKey) -> Result<Appender<'a>> {
    let app = Appender::open(case, key)?;
    if app.state().size == 0 {
        return Err(crate::error::Error::input(format!(
            "{}: the ledger is empty, so the case has no signed identity (entry 0, case.open); \
             a case's identity is signed by `scelle init CASE --case-id ID --title TEXT --key KEYFILE`: \
             create the case again with --key (scelle never signs the case described by case.json)",
            case.ledger().display()
        )));
    }
    Ok(app)
}

/// Writes entry 0 (`case.open`) of a new case: `info` as given on the command line, `key`
/// enrolled as administrator.
pub fn open_case<'a>(
    case: &'a CaseDir,
    info: crate::format::body::CaseInfo,
    key: &LoadedKey,
    full_name: Option<String>,
) -> Result<Appender<'a>> {
    let mut app = Appender::open(case, key)?;
    let body = CaseOpen {
        case: info,
        admin: KeyRecord {
            full_name,
            ..key_record(key)
        },
    };
    app.append(
        &Body::CaseOpen(Box::new(body)),
        key,
        crate::format::time::now_utc(),
    )?;
    Ok(app)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_full_name_is_one_line_and_not_blank() {
        assert_eq!(
            super::full_name(Some("  Jean-Marc Dupré ")).unwrap(),
            Some("Jean-Marc Dupré".to_string())
        );
        assert_eq!(super::full_name(None).unwrap(), None);
        for bad in ["", "   ", "Jean\nDupré", "Jean\u{7}"] {
            let e = super::full_name(Some(bad)).unwrap_err().to_string();
            assert!(e.contains("--full-name"), "{e}");
        }
    }
}
