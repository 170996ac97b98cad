//! Line-break rules: where a line may end, besides at a space.
//!
//! - **Short units stay together.** A time zone never starts a line ("11:27:33 UTC",
//!   "10:00 (UTC+02:00)"), a unit never leaves its number ("128 GB", "128 Go", "90 %"), and a
//!   sign never leaves the number after it ("§ 1746", "n° 7", "art. 160"): the space between
//!   them is treated as a no-break space. No-break spaces (U+00A0, U+202F, U+2007) are
//!   honoured: the layout only breaks at U+0020 and tabs.
//! - **Identifiers** (seal numbers, paths, domains, URIs) wider than the line are broken only
//!   after a `/` or a `-`, and the broken part ends with
//!   [`CONTINUATION_MARK`](super::layout::CONTINUATION_MARK) so a reader sees the identifier
//!   goes on. A part with no `/` or `-` where it could break (a domain name in a narrow
//!   column) is broken after a `.`, `_`, `:` or `@`, and only failing that between any two
//!   characters (still with the mark).
//! - **Hashes** (a run of 32 or more hex digits: MD5, SHA-1, SHA-256, SHA-512) are never
//!   broken inside: a hash moves whole to the next line, and the table columns that hold them
//!   are sized for 64 digits (see [`super::layout`]). Only a hash wider than the whole line
//!   (a SHA-512 in a SHA-256 column) is cut, in fixed groups of 32 digits (halves of a
//!   SHA-256, quarters of a SHA-512), each ending with the mark, so the groups are easy to
//!   compare; a hash is cut between any two digits only when not even 32 digits fit.

/// Fewest hex digits that make a run of hex a hash (an MD5).
pub const HASH_MIN_HEX: usize = 32;
/// Digits per group when a hash wider than the line must be cut.
pub const HASH_GROUP: usize = 32;

/// Words that follow a number and stay on its line (units of size, percent, time).
const UNITS: &[&str] = &[
    "B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "o", "ko", "Ko", "Mo", "Go",
    "To", "bytes", "octets", "%", "h", "min", "s", "ms", "pt", "mm", "cm",
];
/// Signs that precede a number and stay on its line.
const SIGNS: &[&str] = &[
    "§", "§§", "n°", "N°", "nº", "Nº", "n.º", "N.º", "No.", "no.", "art.", "Art.", "arts.", "p.",
    "pp.", "Rule", "R.",
];

fn trim_punct(s: &str) -> &str {
    s.trim_end_matches([',', '.', ';', ':', ')', ']'])
}

/// A time-zone designator: `UTC`, `GMT`, `Z`, `CET`, `CEST`, `UTC+02:00`, `+01:00`,
/// `(UTC)`, `(UTC−05:00)`, with closing punctuation.
pub fn is_zone(word: &str) -> bool {
    let w = trim_punct(word.strip_prefix('(').unwrap_or(word));
    let offset = |s: &str| {
        let s = s
            .strip_prefix(['+', '-', '\u{2212}'])
            .filter(|r| !r.is_empty());
        s.is_some_and(|r| {
            let digits: String = r.chars().filter(|c| *c != ':').collect();
            (r.chars().all(|c| c.is_ascii_digit() || c == ':'))
                && (digits.len() == 2 || digits.len() == 4)
        })
    };
    for z in [
        "UTC", "GMT", "CET", "CEST", "WET", "WEST", "PST", "PDT", "EST", "EDT",
    ] {
        if let Some(rest) = w.strip_prefix(z) {
            if rest.is_empty() || offset(rest) {
                return true;
            }
        }
    }
    offset(w)
}

fn is_number(word: &str) -> bool {
    let w = trim_punct(word);
    w.chars().any(|c| c.is_ascii_digit())
        && w.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | ':' | '\u{a0}' | '\u{202f}' | '/' | '-')
        })
}

/// Whether the space between `prev` and `word` must not break: a zone after anything, a unit
/// after a number, a number after a sign.
pub fn glues(prev: &str, word: &str) -> bool {
    if is_zone(word) {
        return true;
    }
    if is_number(prev) && UNITS.contains(&trim_punct(word)) {
        return true;
    }
    SIGNS.contains(&prev) && word.starts_with(|c: char| c.is_ascii_digit())
}

/// Break priority before each character of a word: `out[i]` is for a break between
/// `chars[i - 1]` and `chars[i]` (`out[0]` is unused), lower first. 1: after `/` or `-`, or at
/// the edge of a hash; 2: between two groups of [`HASH_GROUP`] digits of a hash; 3: after `.`,
/// `_`, `:` or `@`; 4: anywhere else; 5: inside a hash group (last resort).
pub fn priorities(chars: &[char]) -> Vec<u8> {
    let n = chars.len();
    // hash runs: [start, end)
    let mut in_hash = vec![None::<usize>; n]; // start of the run a char belongs to
    let mut i = 0;
    while i < n {
        if chars[i].is_ascii_hexdigit() {
            let s = i;
            while i < n && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
            if i - s >= HASH_MIN_HEX {
                for slot in &mut in_hash[s..i] {
                    *slot = Some(s);
                }
            }
        } else {
            i += 1;
        }
    }
    let mut out = vec![4u8; n];
    for i in 1..n {
        out[i] = match (in_hash[i - 1], in_hash[i]) {
            (Some(a), Some(b)) if a == b => {
                if (i - a) % HASH_GROUP == 0 {
                    2
                } else {
                    5
                }
            }
            (Some(_), _) | (_, Some(_)) => 1,
            _ if matches!(chars[i - 1], '/' | '-') => 1,
            _ if matches!(chars[i - 1], '.' | '_' | ':' | '@') => 3,
            _ => 4,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_units_and_signs_glue() {
        for z in [
            "UTC",
            "UTC,",
            "(UTC)",
            "UTC+02:00",
            "(UTC−05:00)",
            "+01:00",
            "GMT.",
        ] {
            assert!(glues("11:27:33", z), "{z}");
        }
        assert!(glues("128", "GB") && glues("128", "Go") && glues("1\u{202f}549", "%"));
        assert!(glues("§", "1746") && glues("n°", "7") && glues("art.", "160"));
        for (a, b) in [
            ("the", "UTC-based"),
            ("128", "phones"),
            ("n°", "du"),
            ("a", "b"),
        ] {
            assert!(!glues(a, b), "{a} {b}");
        }
        assert!(!is_zone("+1") && !is_zone("UTCX") && !is_zone("-"));
    }

    #[test]
    fn identifiers_break_after_slash_or_dash_and_hashes_only_in_groups() {
        let p = priorities(&"NSO-DEMO-001-R1".chars().collect::<Vec<_>>());
        let ones: Vec<usize> = (1..p.len()).filter(|&i| p[i] == 1).collect();
        assert_eq!(ones, vec![4, 9, 13]); // after each '-'
        let h = "ab".repeat(32);
        let path: Vec<char> = format!("sha256/{h}/x").chars().collect();
        let p = priorities(&path);
        assert_eq!(p[7], 1, "before the hash");
        assert_eq!(p[7 + 64], 1, "after the hash");
        assert_eq!(p[7 + 32], 2, "between its halves");
        assert!((8..7 + 64).filter(|&i| i != 39).all(|i| p[i] == 5));
        // 31 hex digits are not a hash
        let short: Vec<char> = "a".repeat(31).chars().collect();
        assert!(priorities(&short)[1..].iter().all(|&x| x == 4));
        let p = priorities(&"x2k7q.jm0dd.com".chars().collect::<Vec<_>>());
        assert_eq!(
            (1..p.len()).filter(|&i| p[i] == 3).collect::<Vec<_>>(),
            [6, 12]
        );
    }
}
