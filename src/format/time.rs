//! UTC timestamps as the format writes them: RFC 3339, `YYYY-MM-DDTHH:MM:SSZ`, whole seconds.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is valid");
    t.format(&Rfc3339).expect("UTC times format")
}

/// The current time, formatted.
pub fn now_utc() -> String {
    format_utc(OffsetDateTime::now_utc())
}

/// Parses a format timestamp; `None` if it is not exactly of the form `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_utc(s: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    (format_utc(t) == s).then_some(t)
}

/// Parses any RFC 3339 time (with an offset), as the user may give for acquisition times.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_form_is_accepted() {
        assert!(parse_utc("2026-11-23T06:30:00Z").is_some());
        assert!(parse_utc("2026-11-23T06:30:00.5Z").is_none());
        assert!(parse_utc("2026-11-23T07:30:00+01:00").is_none());
        assert!(parse_utc("2026-11-23t06:30:00z").is_none());
        assert!(parse_rfc3339("2026-11-23T07:30:00+01:00").is_some());
    }
}
