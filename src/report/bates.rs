//! Bates numbering across a production: what the case's ledger already numbered.
//!
//! Every recorded document (`report` entry) keeps its first and last Bates numbers
//! (`bates_first`, `bates_last`). For a prefix `P`, the numbers of a production are the
//! strings `P` followed by a decimal counter; a recorded range belongs to `P` when both of its
//! numbers are `P` (ignoring ASCII case) followed by ASCII digits only. Since no prefix ends
//! with a digit, a number belongs to one prefix only. From that:
//!
//! - without an explicit start, a document continues the production: its first page is the
//!   highest recorded counter of `P`, plus one (1 when `P` was never used in this case);
//! - without an explicit number of digits, it keeps the width of that highest number (so the
//!   numbers of a production sort as text), 6 for a new prefix;
//! - a range (explicit start or not) that overlaps a recorded range of `P` is refused, naming
//!   the earlier entry, before anything is written;
//! - a prefix is refused when it would make a Bates number identical to, or the beginning of,
//!   a seal number recorded in the case (`seal_no` of a `seal`, `new_seal_no` of a `reseal`,
//!   compared ignoring ASCII case): that is, when a seal number starts with `P` followed by a
//!   digit. This holds for any counter width, since a reader does not count zeros: with seals
//!   `NSO-DEMO-001`, the prefix `NSO-DEMO-` is refused (`NSO-DEMO-000001` and seal
//!   `NSO-DEMO-001` read as one series), `NSO-` is accepted;
//! - a prefix is never empty, never contains a space or control character, and never ends
//!   with a digit (`ABC1` then `000001` reads as `ABC1000001`, counter unknown).

use crate::error::{Error, Result};
use crate::format::body::{Body, KIND_REPORT, KIND_RESEAL, KIND_SEAL};
use crate::format::entry::TypedLine;
use crate::store::case::CaseDir;
use crate::store::ledger::{LineReader, RawLine};

/// A Bates range recorded by a `report` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRange {
    /// Sequence number of the `report` entry.
    pub seq: u64,
    /// The document (`expert-report`, …) and the file it was written to.
    pub document: String,
    /// File name recorded.
    pub file: String,
    /// First and last Bates numbers, as printed.
    pub first: String,
    /// Last Bates number, as printed.
    pub last: String,
}

/// A seal number recorded in the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSeal {
    /// Sequence number of the `seal` or `reseal` entry.
    pub seq: u64,
    /// `seal` or `reseal`.
    pub kind: String,
    /// The exhibit.
    pub exhibit: String,
    /// The seal number.
    pub number: String,
}

/// What a case's ledger says about Bates numbers: the ranges already printed, the seal
/// numbers a prefix must not imitate.
#[derive(Debug, Clone, Default)]
pub struct Production {
    /// Recorded ranges, in ledger order.
    pub ranges: Vec<RecordedRange>,
    /// Recorded seal numbers, in ledger order.
    pub seals: Vec<RecordedSeal>,
}

/// The counter of `number` under `prefix`: `Some` when `number` is `prefix` (ignoring ASCII
/// case: a reader does not tell `SMITH-000001` from `smith-000001`) followed by one or more
/// ASCII digits (at most 19, the range of `u64`).
pub fn counter(prefix: &str, number: &str) -> Option<u64> {
    let head = number.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &number[prefix.len()..];
    if rest.is_empty() || rest.len() > 19 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// Checks the form of a prefix (not its collisions): not empty, no space or control
/// character, not ending with a digit.
pub fn check_prefix_form(prefix: &str) -> Result<()> {
    if prefix.is_empty() {
        return Err(Error::input(
            "--bates-prefix is empty: give the producing party's prefix, e.g. SMITH-",
        ));
    }
    if prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::input(format!(
            "--bates-prefix {prefix:?}: a Bates number is one word; remove the spaces and control characters"
        )));
    }
    if prefix.ends_with(|c: char| c.is_ascii_digit()) {
        return Err(Error::input(format!(
            "--bates-prefix {prefix}: ends with a digit, so its numbers would not show where the counter starts ({prefix}000001); end it with a letter or a separator, e.g. {prefix}-"
        )));
    }
    Ok(())
}

impl Production {
    /// Reads the ranges and seal numbers recorded in `case`'s ledger (lines that do not parse
    /// are `verify`'s business and skipped here).
    pub fn read(case: &CaseDir) -> Result<Self> {
        let mut p = Production::default();
        for raw in LineReader::open(&case.ledger())? {
            let RawLine::Line { bytes, .. } = raw? else {
                return Err(Error::input(format!(
                    "{}: incomplete or overlong line; run `scelle repair` (or `scelle verify`) before reporting",
                    case.ledger().display()
                )));
            };
            let Ok((e, body)) = TypedLine::parse_shared_or_explain(&bytes.into()) else {
                continue;
            };
            if ![KIND_SEAL, KIND_RESEAL, KIND_REPORT].contains(&e.kind.as_str()) {
                continue;
            }
            match body {
                Ok(Body::Report(r)) => {
                    if let (Some(first), Some(last)) = (r.bates_first, r.bates_last) {
                        p.ranges.push(RecordedRange {
                            seq: e.seq,
                            document: r.document,
                            file: r.file,
                            first,
                            last,
                        });
                    }
                }
                Ok(Body::Seal(s)) => {
                    if let Some(n) = &s.seal_no {
                        p.seals.push(RecordedSeal {
                            seq: e.seq,
                            kind: e.kind.clone(),
                            exhibit: s.exhibit.clone(),
                            number: n.clone(),
                        });
                    }
                }
                Ok(Body::Reseal(s)) => p.seals.push(RecordedSeal {
                    seq: e.seq,
                    kind: e.kind.clone(),
                    exhibit: s.exhibit.clone(),
                    number: s.new_seal_no.clone(),
                }),
                _ => {}
            }
        }
        Ok(p)
    }

    /// Refuses a prefix of the wrong form or one whose numbers would read as a recorded
    /// seal number (see the module documentation).
    pub fn check_prefix(&self, prefix: &str) -> Result<()> {
        check_prefix_form(prefix)?;
        let upper = prefix.to_ascii_uppercase();
        for s in &self.seals {
            let n = s.number.to_ascii_uppercase();
            if n.strip_prefix(&upper)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            {
                return Err(Error::input(format!(
                    "--bates-prefix {prefix}: its Bates numbers would read as the seal number {} (entry #{}, {} of {}); choose a prefix that no seal number of the case starts with followed by a digit",
                    s.number, s.seq, s.kind, s.exhibit
                )));
            }
        }
        Ok(())
    }

    /// The recorded ranges of `prefix`, with their counters.
    fn ranges_of<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a RecordedRange, u64, u64)> + 'a {
        self.ranges
            .iter()
            .filter_map(move |r| Some((r, counter(prefix, &r.first)?, counter(prefix, &r.last)?)))
    }

    /// The first counter of the next document numbered with `prefix`: the highest recorded,
    /// plus one; 1 if none.
    pub fn next_start(&self, prefix: &str) -> u64 {
        self.ranges_of(prefix)
            .map(|(_, a, b)| a.max(b))
            .max()
            .map_or(1, |m| m.saturating_add(1))
    }

    /// The highest number recorded with `prefix`, as printed.
    fn highest<'a>(&'a self, prefix: &'a str) -> Option<&'a str> {
        self.ranges_of(prefix)
            .flat_map(|(r, a, b)| [(a, r.first.as_str()), (b, r.last.as_str())])
            .max_by_key(|(n, _)| *n)
            .map(|(_, s)| s)
    }

    /// The number of digits of the highest number recorded with `prefix`: the width the
    /// production was numbered with.
    pub fn width(&self, prefix: &str) -> Option<u32> {
        self.highest(prefix)
            .and_then(|n| u32::try_from(n.len() - prefix.len()).ok())
    }

    /// Refuses the range `first..=last` (counters) of `prefix` if it overlaps a recorded one.
    /// `printed` is the first and last numbers as printed, for the message.
    pub fn check_range(
        &self,
        prefix: &str,
        first: u64,
        last: u64,
        printed: (&str, &str),
    ) -> Result<()> {
        for (r, a, b) in self.ranges_of(prefix) {
            let (lo, hi) = (a.min(b), a.max(b));
            if first <= hi && lo <= last {
                return Err(Error::input(format!(
                    "--bates-start {first}: pages {} to {} would overlap {} to {}, already numbered by the report entry #{} ({}, {}); start after {}, or leave out --bates-start to continue after the highest number recorded ({})",
                    printed.0,
                    printed.1,
                    r.first,
                    r.last,
                    r.seq,
                    r.document,
                    r.file,
                    r.last,
                    self.highest(prefix).unwrap_or(&r.last),
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(seq: u64, first: &str, last: &str) -> RecordedRange {
        RecordedRange {
            seq,
            document: "certificate".into(),
            file: format!("c{seq}.pdf"),
            first: first.into(),
            last: last.into(),
        }
    }

    fn seal(number: &str) -> RecordedSeal {
        RecordedSeal {
            seq: 3,
            kind: "seal".into(),
            exhibit: "E-0001".into(),
            number: number.into(),
        }
    }

    #[test]
    fn counters_belong_to_their_prefix_only() {
        assert_eq!(counter("NSO-", "NSO-000041"), Some(41));
        assert_eq!(counter("NSO-", "NSO-PROD-000041"), None);
        assert_eq!(counter("NSO-", "NSO-"), None);
        assert_eq!(counter("NSO-", "nso-000041"), Some(41));
        assert_eq!(counter("NSO-É", "NSO-É1"), Some(1));
        assert_eq!(counter("NSO-", "NS"), None);
        assert_eq!(counter("NSO-", "NSO-12a"), None);
    }

    #[test]
    fn the_next_document_starts_after_the_highest_recorded_number() {
        let p = Production {
            ranges: vec![
                range(5, "A-000001", "A-000004"),
                range(6, "B-000001", "B-000090"),
                range(7, "A-000010", "A-000012"),
                range(8, "A-000005", "A-000009"),
            ],
            seals: vec![],
        };
        assert_eq!(p.next_start("A-"), 13);
        assert_eq!(p.next_start("B-"), 91);
        assert_eq!(p.next_start("C-"), 1);
        assert_eq!(p.width("A-"), Some(6));
        assert_eq!(p.width("C-"), None);
    }

    #[test]
    fn an_overlapping_range_names_the_earlier_entry() {
        let p = Production {
            ranges: vec![range(7, "A-000010", "A-000012")],
            seals: vec![],
        };
        assert!(p.check_range("A-", 1, 9, ("A-000001", "A-000009")).is_ok());
        assert!(p
            .check_range("A-", 13, 20, ("A-000013", "A-000020"))
            .is_ok());
        assert!(p
            .check_range("B-", 10, 12, ("B-000010", "B-000012"))
            .is_ok());
        for (a, b) in [(12, 14), (8, 10), (11, 11), (1, 100)] {
            let e = p
                .check_range("A-", a, b, ("x", "y"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("entry #7") && e.contains("A-000010 to A-000012"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_prefix_whose_numbers_read_as_a_seal_number_is_refused() {
        let p = Production {
            ranges: vec![],
            seals: vec![seal("NSO-DEMO-001"), seal("DP150-001-R1")],
        };
        for bad in ["NSO-DEMO-", "nso-demo-", "DP150-", "DP"] {
            let e = p.check_prefix(bad).unwrap_err().to_string();
            assert!(e.contains("entry #3"), "{bad}: {e}");
        }
        for good in ["NSO-", "NSO-PROD-", "DP-", "SMITH_"] {
            assert!(p.check_prefix(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_prefix_is_one_word_not_ending_with_a_digit() {
        for bad in ["", "A B-", "ABC1", "A\t"] {
            assert!(check_prefix_form(bad).is_err(), "{bad:?}");
        }
        assert!(check_prefix_form("ABC").is_ok());
    }
}
