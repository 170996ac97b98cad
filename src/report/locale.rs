//! Dates and numbers as each language writes them.

use time::OffsetDateTime;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// A long date: "November 23, 2026", "23 novembre 2026", "23 de noviembre de 2026".
pub fn long_date(t: OffsetDateTime, lang: &str) -> String {
    let m = t.month() as usize - 1;
    match lang {
        "fr" => format!(
            "{} {} {}",
            if t.day() == 1 {
                "1er".to_string()
            } else {
                t.day().to_string()
            },
            MONTHS_FR[m],
            t.year()
        ),
        "es" => format!("{} de {} de {}", t.day(), MONTHS_ES[m], t.year()),
        _ => format!("{} {}, {}", MONTHS_EN[m], t.day(), t.year()),
    }
}

/// A short date and time in UTC: "11/23/2026 06:40 UTC" (en), "23/11/2026 06:40 UTC" (fr, es).
pub fn short_datetime(t: OffsetDateTime, lang: &str) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (d, m, y) = (t.day(), t.month() as u8, t.year());
    let date = match lang {
        "fr" | "es" => format!("{d:02}/{m:02}/{y}"),
        _ => format!("{m:02}/{d:02}/{y}"),
    };
    format!(
        "{date} {:02}:{:02}:{:02} UTC",
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// An integer with the language's digit grouping: 1,234,567 / 1 234 567 / 1.234.567.
pub fn number(n: u64, lang: &str) -> String {
    let sep = match lang {
        "fr" => '\u{a0}',
        "es" => '.',
        _ => ',',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_and_numbers_per_language() {
        let t = datetime!(2026-11-01 06:40:44 UTC);
        assert_eq!(long_date(t, "en"), "November 1, 2026");
        assert_eq!(long_date(t, "fr"), "1er novembre 2026");
        assert_eq!(long_date(t, "es"), "1 de noviembre de 2026");
        assert_eq!(short_datetime(t, "en"), "11/01/2026 06:40:44 UTC");
        assert_eq!(short_datetime(t, "fr"), "01/11/2026 06:40:44 UTC");
        assert_eq!(number(1234567, "en"), "1,234,567");
        assert_eq!(number(1234567, "fr"), "1\u{a0}234\u{a0}567");
        assert_eq!(number(1234567, "es"), "1.234.567");
        assert_eq!(number(999, "es"), "999");
    }
}
