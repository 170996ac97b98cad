//! Dates and numbers as each language writes them, from its compiled-in
//! `templates/<lang>/locale.toml` (month names, date patterns, digit grouping, language tag).

use crate::format::lang::Lang;
use std::sync::OnceLock;
use time::OffsetDateTime;

/// One language's `locale.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locale {
    /// BCP 47 tag of the documents: `en-US`, `fr-FR`, `es-ES`.
    pub tag: String,
    /// Long date pattern: `{day}`, `{month}` (a name), `{year}`.
    pub long_date: String,
    /// `{day}` on the first of a month, when not the number (`1er`).
    #[serde(default)]
    pub first_day: Option<String>,
    /// Between groups of three digits.
    pub thousands: String,
    /// January to December.
    pub months: [String; 12],
}

/// The locale of `lang` (its `locale.toml`, read once).
pub fn of(lang: Lang) -> &'static Locale {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    let all = LOCALES.get_or_init(|| {
        Lang::ALL
            .iter()
            .map(|l| {
                let rel = format!("{l}/locale.toml");
                let text = super::builtin::builtin(&rel)
                    .unwrap_or_else(|| panic!("templates/{rel} is not compiled in"));
                toml::from_str(text).unwrap_or_else(|e| panic!("templates/{rel}: {e}"))
            })
            .collect()
    });
    let i = Lang::ALL
        .iter()
        .position(|l| *l == lang)
        .expect("every language is in Lang::ALL");
    &all[i]
}

/// A long date: "November 23, 2026", "23 novembre 2026", "23 de noviembre de 2026".
pub fn long_date(t: OffsetDateTime, lang: Lang) -> String {
    let l = of(lang);
    let day = match &l.first_day {
        Some(first) if t.day() == 1 => first.clone(),
        _ => t.day().to_string(),
    };
    l.long_date
        .replace("{day}", &day)
        .replace("{month}", &l.months[t.month() as usize - 1])
        .replace("{year}", &t.year().to_string())
}

/// An integer with the language's digit grouping: 1,234,567 / 1 234 567 / 1.234.567.
pub fn number(n: u64, lang: Lang) -> String {
    let sep = &of(lang).thousands;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// French typography: a no-break space (U+00A0) instead of the space before « : ; ! ? » and
/// a closing guillemet, and after an opening one, so that no line of a French document begins
/// with a colon or a guillemet; other languages unchanged.
pub fn typography(text: &str, lang: Lang) -> String {
    if lang != Lang::Fr {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        let glue = c == ' '
            && (prev == Some('\u{ab}')
                || chars
                    .peek()
                    .is_some_and(|n| matches!(n, ':' | ';' | '!' | '?' | '\u{bb}')));
        out.push(if glue { '\u{a0}' } else { c });
        prev = Some(c);
    }
    out
}

/// A capacity as the expert typed it ("128 GB", "1.5 TB"), in the language's units and decimal
/// mark: « 128\u{a0}Go », « 1,5\u{a0}To » in French, "1,5\u{a0}TB" in Spanish; number and unit
/// joined by a no-break space. Anything that is not a number and a known unit is kept as typed.
pub fn capacity(typed: &str, lang: Lang) -> String {
    let t = typed.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let (num, unit) = (&t[..split], t[split..].trim_start());
    let digits_ok = !num.is_empty()
        && num.starts_with(|c: char| c.is_ascii_digit())
        && num.ends_with(|c: char| c.is_ascii_digit())
        && num.matches(['.', ',']).count() <= 1;
    const UNITS: [&str; 11] = [
        "B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB",
    ];
    let Some(unit) = UNITS.iter().find(|u| u.eq_ignore_ascii_case(unit)) else {
        return typed.to_string();
    };
    if !digits_ok {
        return typed.to_string();
    }
    let (num, unit) = match lang {
        Lang::En => (num.replace(',', "."), unit.to_string()),
        // French: octet, kilo-octet ... (ko, Mo, Go, To, Po; Kio, Mio ...).
        Lang::Fr => (
            num.replace('.', ","),
            match *unit {
                "B" => "o".to_string(),
                "KB" => "ko".to_string(),
                u => u.replace('B', "o"),
            },
        ),
        Lang::Es => (num.replace('.', ","), unit.to_string()),
    };
    format!("{num}\u{a0}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_and_numbers_per_language() {
        let t = datetime!(2026-11-01 06:40:44 UTC);
        assert_eq!(long_date(t, Lang::En), "November 1, 2026");
        assert_eq!(long_date(t, Lang::Fr), "1er novembre 2026");
        assert_eq!(long_date(t, Lang::Es), "1 de noviembre de 2026");
        assert_eq!(number(1234567, Lang::En), "1,234,567");
        assert_eq!(number(1234567, Lang::Fr), "1\u{a0}234\u{a0}567");
        assert_eq!(number(1234567, Lang::Es), "1.234.567");
        assert_eq!(number(999, Lang::Es), "999");
    }

    #[test]
    fn french_spaces_before_double_punctuation_do_not_break() {
        assert_eq!(
            typography("Remis à X : ok ; « a » ? !", Lang::Fr),
            "Remis à X\u{a0}: ok\u{a0}; «\u{a0}a\u{a0}»\u{a0}?\u{a0}!"
        );
        assert_eq!(typography("a: b ; c", Lang::Fr), "a: b\u{a0}; c");
        assert_eq!(
            typography("Entregado a X: ok ; « a »", Lang::Es),
            "Entregado a X: ok ; « a »"
        );
        assert_eq!(typography("Note: a ; b", Lang::En), "Note: a ; b");
    }

    #[test]
    fn capacities_in_the_language_s_units() {
        assert_eq!(capacity("128 GB", Lang::Fr), "128\u{a0}Go");
        assert_eq!(capacity("128GB", Lang::Fr), "128\u{a0}Go");
        assert_eq!(capacity("1.5 TB", Lang::Fr), "1,5\u{a0}To");
        assert_eq!(capacity("64 kb", Lang::Fr), "64\u{a0}ko");
        assert_eq!(capacity("256 GiB", Lang::Fr), "256\u{a0}Gio");
        assert_eq!(capacity("128 GB", Lang::Es), "128\u{a0}GB");
        assert_eq!(capacity("1.5 TB", Lang::Es), "1,5\u{a0}TB");
        assert_eq!(capacity("128 GB", Lang::En), "128\u{a0}GB");
        for kept in ["about 128 GB", "128", "GB", "1.2.3 GB", "128 GB SSD", ""] {
            assert_eq!(capacity(kept, Lang::Fr), kept);
        }
    }

    #[test]
    fn every_language_has_a_locale_and_writes_every_month() {
        let t = datetime!(2026-02-23 23:05:09 UTC);
        assert_eq!(long_date(t, Lang::En), "February 23, 2026");
        assert_eq!(long_date(t, Lang::Fr), "23 février 2026");
        assert_eq!(long_date(t, Lang::Es), "23 de febrero de 2026");
        for lang in Lang::ALL {
            let l = of(lang);
            assert!(l.tag.starts_with(lang.code()), "{lang}: {}", l.tag);
            for m in 1..=12u8 {
                let d = time::Date::from_calendar_date(2026, m.try_into().unwrap(), 15).unwrap();
                let s = long_date(d.midnight().assume_utc(), lang);
                assert!(s.contains(&l.months[usize::from(m) - 1]), "{s}");
                assert!(s.contains("15") && s.contains("2026"), "{s}");
            }
        }
        assert_eq!(of(Lang::En).tag, "en-US");
        assert_eq!(of(Lang::Fr).tag, "fr-FR");
        assert_eq!(of(Lang::Es).tag, "es-ES");
    }
}
