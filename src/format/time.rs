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

/// The time zone documents print a case's times in: the IANA zone recorded in its `case.open`
/// (`case.timezone`), looked up in the tz database compiled into scelle (jiff's bundled copy,
/// so a document reads the same on every machine). The ledger itself stays in UTC.
#[derive(Debug, Clone)]
pub enum Zone {
    /// No zone recorded: times in UTC.
    Utc,
    /// A zone the database knows.
    Named(String, jiff::tz::TimeZone),
    /// A zone recorded but unknown to this database: times in UTC.
    Unknown(String),
}

impl Zone {
    /// The zone `name` names (`None`: UTC).
    pub fn of(name: Option<&str>) -> Zone {
        match name {
            None => Zone::Utc,
            Some(n) => match jiff::tz::db().get(n) {
                Ok(tz) => Zone::Named(n.to_string(), tz),
                Err(_) => Zone::Unknown(n.to_string()),
            },
        }
    }

    /// Whether `name` is an IANA time zone the compiled-in database knows.
    pub fn known(name: &str) -> bool {
        matches!(Zone::of(Some(name)), Zone::Named(..))
    }

    /// The zone's offset from UTC at `t`.
    pub fn offset_at(&self, t: OffsetDateTime) -> UtcOffset {
        let Zone::Named(_, tz) = self else {
            return UtcOffset::UTC;
        };
        jiff::Timestamp::from_second(t.unix_timestamp())
            .ok()
            .and_then(|ts| UtcOffset::from_whole_seconds(tz.to_offset(ts).seconds()).ok())
            .unwrap_or(UtcOffset::UTC)
    }

    /// `t` in this zone, ISO 8601 with a space: `2026-03-14 10:05:00 +01:00`; in UTC
    /// (no zone, or an unknown one) `2026-03-14 09:05:00 UTC`.
    pub fn stamp(&self, t: OffsetDateTime) -> String {
        let off = self.offset_at(t);
        let l = t.to_offset(off);
        let date = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            l.year(),
            l.month() as u8,
            l.day(),
            l.hour(),
            l.minute(),
            l.second()
        );
        match self {
            Zone::Named(..) => {
                let (h, m, _) = off.as_hms();
                let sign = if off.is_negative() { '-' } else { '+' };
                format!(
                    "{date} {sign}{:02}:{:02}",
                    h.unsigned_abs(),
                    m.unsigned_abs()
                )
            }
            Zone::Utc | Zone::Unknown(_) => format!("{date} UTC"),
        }
    }

    /// `t` in this zone, the date alone (ISO 8601): `2026-03-14`.
    pub fn date(&self, t: OffsetDateTime) -> String {
        let l = t.to_offset(self.offset_at(t));
        format!("{:04}-{:02}-{:02}", l.year(), l.month() as u8, l.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_with_its_offset_and_utc_without_a_zone() {
        let winter = parse_utc("2026-03-14T09:05:00Z").unwrap();
        let summer = parse_utc("2021-08-02T08:00:00Z").unwrap();
        let paris = Zone::of(Some("Europe/Paris"));
        assert_eq!(paris.stamp(winter), "2026-03-14 10:05:00 +01:00");
        assert_eq!(paris.stamp(summer), "2021-08-02 10:00:00 +02:00");
        let la = Zone::of(Some("America/Los_Angeles"));
        // US daylight time began on 8 March 2026, Europe's on 29 March.
        assert_eq!(la.stamp(winter), "2026-03-14 02:05:00 -07:00");
        assert_eq!(
            la.stamp(parse_utc("2026-01-14T09:05:00Z").unwrap()),
            "2026-01-14 01:05:00 -08:00"
        );
        assert_eq!(
            la.date(parse_utc("2026-03-14T05:00:00Z").unwrap()),
            "2026-03-13"
        );
        assert_eq!(Zone::of(None).stamp(winter), "2026-03-14 09:05:00 UTC");
        assert!(matches!(Zone::of(Some("Mars/Olympus")), Zone::Unknown(_)));
        assert_eq!(
            Zone::of(Some("Mars/Olympus")).stamp(winter),
            "2026-03-14 09:05:00 UTC"
        );
        assert!(Zone::known("Europe/Madrid") && !Zone::known("CET+1"));
    }

    #[test]
    fn only_the_exact_form_is_accepted() {
        assert!(parse_utc("2026-11-23T06:30:00Z").is_some());
        assert!(parse_utc("2026-11-23T06:30:00.5Z").is_none());
        assert!(parse_utc("2026-11-23T07:30:00+01:00").is_none());
        assert!(parse_utc("2026-11-23t06:30:00z").is_none());
        assert!(parse_rfc3339("2026-11-23T07:30:00+01:00").is_some());
    }
}
