//! The members a seal lists (a directory's files, a tar's or zip's members, an EWF image's
//! segment files), held either one by one or left in the ledger line they were read from.
//!
//! A full-file-system extraction lists 200,000 to 1,000,000 members: its seal line is tens of
//! MiB, and the same members as typed structs take about twice that again. A line parsed by
//! [`TypedLine::parse_shared`](super::entry::TypedLine::parse_shared) keeps its members where
//! they are, in the line (shared, not copied), after checking each one is exactly the
//! canonical JSON of the member it parses to; [`Members::iter`] parses them again one at a
//! time. So reading a case holds the line once and one member at a time, whatever the member
//! count. Members measured by a seal, or parsed any other way, are held ([`Members::from`]).
//!
//! Both forms serialise to the same bytes (a JSON array of the members), compare equal when
//! their members do, and give the same members in the same order.

use super::canonical::write_canonical_of;
use super::member::Member;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A seal's members: held, or in the line they were read from.
#[derive(Clone)]
pub struct Members(Repr);

#[derive(Clone)]
enum Repr {
    /// Held one by one.
    Held(Vec<Member>),
    /// `count` members, the canonical JSON array at `range` of `line`, each member checked
    /// canonical when the line was parsed.
    InLine {
        line: Arc<Vec<u8>>,
        range: Range<usize>,
        count: usize,
    },
}

impl Members {
    /// How many members.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Held(v) => v.len(),
            Repr::InLine { count, .. } => *count,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The members, in the order the seal lists them: borrowed when held, else parsed from
    /// the line one at a time.
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Held(v) => Iter(IterRepr::Held(v.iter())),
            Repr::InLine { line, range, count } => Iter(IterRepr::InLine {
                array: &line[range.clone()],
                pos: 1,
                left: *count,
            }),
        }
    }

    /// The members, owned: the list itself when held, else parsed from the line.
    pub fn into_vec(self) -> Vec<Member> {
        match self.0 {
            Repr::Held(v) => v,
            Repr::InLine { .. } => self.to_vec(),
        }
    }

    /// The members, held (for small lists; a large one is better iterated).
    pub fn to_vec(&self) -> Vec<Member> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// Whether the members are left in their line (not held).
    pub fn is_in_line(&self) -> bool {
        matches!(self.0, Repr::InLine { .. })
    }
}

impl From<Vec<Member>> for Members {
    fn from(v: Vec<Member>) -> Members {
        Members(Repr::Held(v))
    }
}

impl FromIterator<Member> for Members {
    fn from_iter<I: IntoIterator<Item = Member>>(iter: I) -> Members {
        Members(Repr::Held(iter.into_iter().collect()))
    }
}

impl<'a> IntoIterator for &'a Members {
    type Item = Cow<'a, Member>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl PartialEq for Members {
    fn eq(&self, other: &Members) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Eq for Members {}

impl fmt::Debug for Members {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Held(v) => f.debug_list().entries(v).finish(),
            Repr::InLine { range, count, .. } => f
                .debug_struct("Members")
                .field("count", count)
                .field("in_line_at", range)
                .finish(),
        }
    }
}

/// The members of a [`Members`], in order.
pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    /// Held members.
    Held(std::slice::Iter<'a, Member>),
    /// Members in a line: the array's bytes, where the next member starts, how many are left.
    InLine {
        array: &'a [u8],
        pos: usize,
        left: usize,
    },
}

impl<'a> Iterator for Iter<'a> {
    type Item = Cow<'a, Member>;

    fn next(&mut self) -> Option<Cow<'a, Member>> {
        match &mut self.0 {
            IterRepr::Held(it) => it.next().map(Cow::Borrowed),
            IterRepr::InLine { array, pos, left } => {
                if *left == 0 {
                    return None;
                }
                // Checked when the line was parsed ([`check_array`]), so it parses again.
                let (m, used) = member_at(&array[*pos..])?;
                *pos += used + 1;
                *left -= 1;
                Some(Cow::Owned(m))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            IterRepr::Held(it) => it.len(),
            IterRepr::InLine { left, .. } => *left,
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The member starting at the first byte of `bytes` (an object, no space before it), and how
/// many bytes it takes.
fn member_at(bytes: &[u8]) -> Option<(Member, usize)> {
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Member>();
    let m = stream.next()?.ok()?;
    Some((m, stream.byte_offset()))
}

/// The member one line of a member file holds (FORMAT.md 6.2, "Member files"): `bytes` (the
/// line without its newline) must be exactly the member's canonical JSON.
pub fn member_from_line(bytes: &[u8]) -> Result<Member, String> {
    let m: Member = serde_json::from_slice(bytes).map_err(|e| format!("not a member ({e})"))?;
    if !written_canonically(&m, bytes, &mut Vec::with_capacity(bytes.len()))? {
        return Err(format!(
            "member {:?} is not written as its canonical JSON",
            m.path
        ));
    }
    Ok(m)
}

/// Whether `bytes` are exactly the canonical JSON of `m` (`again` is scratch space).
fn written_canonically(m: &Member, bytes: &[u8], again: &mut Vec<u8>) -> Result<bool, String> {
    again.clear();
    write_canonical_of(m, again).map_err(|e| format!("members: {e}"))?;
    Ok(again[..] == *bytes)
}

/// Checks that `array` is exactly `[`, the canonical JSON of each member it lists separated
/// by `,`, then `]` (so the canonical JSON of those members as an array), and counts them.
fn check_array(array: &[u8]) -> Result<usize, String> {
    let bad = |what: &str| Err(format!("members: {what}"));
    if array.first() != Some(&b'[') || array.last() != Some(&b']') {
        return bad("not an array");
    }
    if array.len() == 2 {
        return Ok(0);
    }
    let mut pos = 1;
    let mut count = 0;
    let mut again = Vec::new();
    loop {
        let Some((m, used)) = member_at(&array[pos..]) else {
            return bad(&format!("member {count} is not a member object"));
        };
        if !written_canonically(&m, &array[pos..pos + used], &mut again)? {
            return bad(&format!(
                "member {count} ({}) is not written as its canonical JSON",
                m.path
            ));
        }
        count += 1;
        pos += used;
        match array.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') if pos + 1 == array.len() => return Ok(count),
            _ => return bad("not an array of members"),
        }
    }
}

/// A line being parsed, and the ranges of the member arrays left in it so far.
type Parsing = (Arc<Vec<u8>>, Vec<Range<usize>>);

thread_local! {
    /// The line being parsed by [`parse_in_line`], and the ranges of the member arrays
    /// left in it.
    static LINE: RefCell<Option<Parsing>> = const { RefCell::new(None) };
    /// Whether member arrays left in their line serialise as `[]` ([`skeleton`]).
    static SKELETON: Cell<bool> = const { Cell::new(false) };
}

/// Resets a thread-local when dropped (also when a panic unwinds through it).
struct Reset(fn());

impl Drop for Reset {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// Runs `parse`, which deserialises (with a borrowing deserializer) text taken from `line`:
/// the member arrays it meets are left in `line` ([`Members`] not held) once each member is
/// checked canonical. Returns what `parse` returns and the ranges of `line` those arrays
/// take, in order.
pub(crate) fn parse_in_line<T>(
    line: &Arc<Vec<u8>>,
    parse: impl FnOnce() -> T,
) -> (T, Vec<Range<usize>>) {
    LINE.with(|l| *l.borrow_mut() = Some((line.clone(), Vec::new())));
    let _reset = Reset(|| LINE.with(|l| *l.borrow_mut() = None));
    let out = parse();
    let mut ranges = LINE
        .with(|l| l.borrow_mut().take())
        .map(|(_, r)| r)
        .unwrap_or_default();
    ranges.sort_by_key(|r| r.start);
    (out, ranges)
}

/// Runs `write` with member arrays left in their line serialising as `[]`: the skeleton of a
/// line, which with each array put back in place is the line itself.
pub(crate) fn skeleton<T>(write: impl FnOnce() -> T) -> T {
    SKELETON.with(|s| s.set(true));
    let _reset = Reset(|| SKELETON.with(|s| s.set(false)));
    write()
}

impl Serialize for Members {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_in_line() && SKELETON.with(Cell::get) {
            return s.collect_seq(std::iter::empty::<Member>());
        }
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        let Some(line) = LINE.with(|l| l.borrow().as_ref().map(|(line, _)| line.clone())) else {
            return Vec::<Member>::deserialize(d).map(Members::from);
        };
        let raw = <&'de serde_json::value::RawValue>::deserialize(d)?;
        let bytes = raw.get().as_bytes();
        let start = (bytes.as_ptr() as usize)
            .checked_sub(line.as_ptr() as usize)
            .filter(|s| s + bytes.len() <= line.len())
            .ok_or_else(|| D::Error::custom("members not read from the line being parsed"))?;
        let count = check_array(bytes).map_err(D::Error::custom)?;
        let range = start..start + bytes.len();
        LINE.with(|l| {
            if let Some((_, ranges)) = l.borrow_mut().as_mut() {
                ranges.push(range.clone());
            }
        });
        Ok(Members(Repr::InLine { line, range, count }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::member::Hashes;

    fn member(i: usize) -> Member {
        Member {
            path: format!("private/var/mobile/é/{i:06}.db"),
            kind: "file".into(),
            size: Some(i as u64),
            hashes: Some(Hashes {
                sha256: format!("{i:064x}"),
                ..Hashes::default()
            }),
            link: None,
            mtime: Some(1_700_000_000 + i as u64),
        }
    }

    /// A line holding a `members` array, and where the array starts.
    fn line_of(members: &[Member]) -> (Arc<Vec<u8>>, usize) {
        let mut line = b"{\"members\":".to_vec();
        let at = line.len();
        write_canonical_of(members, &mut line).unwrap();
        line.push(b'}');
        (Arc::new(line), at)
    }

    #[derive(Deserialize, Serialize)]
    struct Holder {
        members: Members,
    }

    fn parse(line: &Arc<Vec<u8>>) -> (Result<Holder, serde_json::Error>, Vec<Range<usize>>) {
        parse_in_line(line, || serde_json::from_slice::<Holder>(line))
    }

    /// Members left in their line give back the same members, in order, serialise to the same
    /// bytes, and equal the held ones; the skeleton writes `[]` in their place.
    #[test]
    fn members_in_a_line_are_the_members_held() {
        let held: Vec<Member> = (0..1000).map(member).collect();
        let (line, at) = line_of(&held);
        let (h, ranges) = parse(&line);
        let h = h.unwrap();
        assert!(h.members.is_in_line());
        assert_eq!(ranges, vec![at..line.len() - 1]);
        assert_eq!(h.members.len(), 1000);
        assert_eq!(h.members.iter().len(), 1000);
        assert_eq!(h.members.to_vec(), held);
        assert_eq!(h.members, Members::from(held.clone()));
        let mut again = Vec::new();
        write_canonical_of(&h, &mut again).unwrap();
        assert_eq!(again, *line);
        let mut skel = Vec::new();
        skeleton(|| write_canonical_of(&h, &mut skel)).unwrap();
        assert_eq!(skel, b"{\"members\":[]}");
        // Parsed without a line, the same text gives held members.
        let plain: Holder = serde_json::from_slice(&line).unwrap();
        assert!(!plain.members.is_in_line());
        assert_eq!(plain.members, h.members);
        // An empty array.
        let (line, _) = line_of(&[]);
        let h = parse(&line).0.unwrap();
        assert!(h.members.is_empty() && h.members.iter().next().is_none());
    }

    /// A member array that is not exactly the canonical JSON of its members is refused:
    /// space, a member's fields out of order, a `null`, an escape canonical JSON does not
    /// use, a trailing comma, a number where a member goes.
    #[test]
    fn a_member_array_not_canonical_is_refused() {
        let held: Vec<Member> = (0..3).map(member).collect();
        let (good, _) = line_of(&held);
        let text = String::from_utf8(good.to_vec()).unwrap();
        for (from, to) in [
            ("},{", "}, {"),
            ("[{", "[ {"),
            ("\"mtime\":", "\"link\":null,\"mtime\":"),
            (
                "\"hashes\":{\"sha256\"",
                "\"hashes\":{\"sha512\":null,\"sha256\"",
            ),
            ("é", "\\u00e9"),
            ("}]", "},]"),
            ("[{", "[1,{"),
        ] {
            assert!(text.contains(from), "{from}");
            let bad = Arc::new(text.replacen(from, to, 1).into_bytes());
            assert!(parse(&bad).0.is_err(), "accepted {from} -> {to}");
        }
        let swapped = text.replacen(
            "\"size\":0,\"type\":\"file\"",
            "\"type\":\"file\",\"size\":0",
            1,
        );
        assert_ne!(swapped, text);
        assert!(parse(&Arc::new(swapped.into_bytes())).0.is_err());
    }
}
