//! How a command's result prints: text through [`std::fmt::Display`], JSON Lines through one
//! message enum ([`message::Message`]), one file per group of commands. This layer sits above
//! the commands ([`crate::ops`]) and the case services ([`crate::case`]) whose results it
//! renders, and below the binary, which only chooses text or JSON and writes it.

pub mod message;

pub mod bundle;
pub mod custody;
pub mod ioc;
pub mod keys;
pub mod ledger;
pub mod report;
pub mod seal;
pub mod timestamp;
pub mod verify;
pub mod witness;

/// `n` and the noun for it, singular for one: "1 file", "2 files", "0 files".
pub fn count(n: impl Into<u64>, singular: &str, plural: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn utc(t: u64) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(crate::format::time::format_utc)
        .unwrap_or_else(|| "out of range".to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(super::count(1u64, "file", "files"), "1 file");
        assert_eq!(super::count(0u64, "file", "files"), "0 files");
        assert_eq!(super::count(2u64, "entry", "entries"), "2 entries");
    }
}
