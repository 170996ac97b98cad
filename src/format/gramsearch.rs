//! Finding every occurrence of many patterns (ASCII case-insensitive, overlapping) by their
//! first bytes, without I/O. A pattern of at least eight bytes is keyed by its first eight,
//! a shorter one by its first four: the search reads the eight bytes at each position, folds
//! them, and tests one bit of a small table per key length (32 KiB for the 1,400 domains
//! of the Pegasus bundle); only where a bit is set (about
//! 1 % of the positions of ordinary phone data for the Pegasus indicators, most of them where
//! text starts like a pattern) are the patterns with that key compared. It reports what an
//! Aho-Corasick automaton in overlapping mode reports (every pattern at every place it
//! occurs), several times faster on ordinary data than `aho_corasick`'s DFA with thousands of
//! patterns, whose table does not stay in cache.
//!
//! Patterns shorter than [`GRAM`] bytes cannot be indexed: [`GramSearch::new`] refuses them,
//! and the caller keeps its automaton.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The shortest pattern indexed (bytes of the short key).
pub const GRAM: usize = 4;
/// Bytes of the long key, for patterns at least this long.
const LONG: usize = 8;
/// Table bits per key at least (a position whose key is none of the patterns' then finds its
/// bit set with a chance under 1/[`BITS_PER_KEY`]), the table a power of two between
/// 2^[`MIN_TABLE_BITS`] and 2^[`MAX_TABLE_BITS`] bits: small enough to stay in the first-level
/// cache for the few thousand keys of a real bundle, which the search's speed depends on.
const BITS_PER_KEY: usize = 128;
const MIN_TABLE_BITS: u32 = 12;
const MAX_TABLE_BITS: u32 = 22;
/// Bit 5 of every byte: ASCII letters folded to lower case (other bytes may share a key, and
/// are told apart by the comparison).
const FOLD: u64 = 0x2020_2020_2020_2020;

/// A bit table indexed by a multiplicative hash of the key.
#[derive(Debug, Clone)]
struct Table {
    words: Vec<u64>,
    /// 64 minus the index bits.
    shift: u32,
}

impl Table {
    fn for_keys(keys: usize) -> Table {
        let bits = (keys.max(1) * BITS_PER_KEY)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(MIN_TABLE_BITS, MAX_TABLE_BITS);
        Table {
            words: vec![0; (1usize << bits) / 64],
            shift: 64 - bits,
        }
    }

    #[inline]
    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn set(&mut self, k: u64) {
        let s = self.slot(k);
        self.words[s / 64] |= 1 << (s % 64);
    }

    #[inline]
    fn has(&self, k: u64) -> bool {
        let s = self.slot(k);
        self.words[s / 64] & (1 << (s % 64)) != 0
    }
}

/// A multiplicative hasher for the integer keys.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Starts<K> = HashMap<K, Vec<u32>, BuildHasherDefault<KeyHasher>>;

/// Patterns indexed by their first bytes.
#[derive(Debug, Clone)]
pub struct GramSearch {
    short_table: Table,
    long_table: Table,
    /// Per short key: the patterns of fewer than [`LONG`] bytes starting with it.
    short: Starts<u32>,
    /// Per long key: the longer patterns starting with it.
    long: Starts<u64>,
    /// The patterns, lower case.
    patterns: Vec<Vec<u8>>,
}

impl GramSearch {
    /// Indexes `patterns` (compared ASCII case-insensitively); `None` if one is shorter than
    /// [`GRAM`] bytes. Pattern `i` is reported as `i`.
    pub fn new(patterns: &[Vec<u8>]) -> Option<GramSearch> {
        let mut short: Starts<u32> = HashMap::default();
        let mut long: Starts<u64> = HashMap::default();
        let mut lower = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let i = u32::try_from(i).ok()?;
            if let Some(head) = p.get(..LONG) {
                let k = u64::from_le_bytes(head.try_into().ok()?) | FOLD;
                long.entry(k).or_default().push(i);
            } else {
                let head: [u8; GRAM] = p.get(..GRAM)?.try_into().ok()?;
                short
                    .entry(u32::from_le_bytes(head) | FOLD as u32)
                    .or_default()
                    .push(i);
            }
            lower.push(p.to_ascii_lowercase());
        }
        let mut short_table = Table::for_keys(short.len());
        let mut long_table = Table::for_keys(long.len());
        short.keys().for_each(|&k| short_table.set(u64::from(k)));
        long.keys().for_each(|&k| long_table.set(k));
        Some(GramSearch {
            short_table,
            long_table,
            short,
            long,
            patterns: lower,
        })
    }

    /// Calls `found(start, end, pattern)` for every occurrence of every pattern in `hay`, by
    /// increasing start.
    pub fn each(&self, hay: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let mut check = |p: usize, list: Option<&Vec<u32>>| {
            for &i in list.into_iter().flatten() {
                let pat = &self.patterns[i as usize];
                if let Some(there) = hay.get(p..p + pat.len()) {
                    if there.eq_ignore_ascii_case(pat) {
                        found(p, p + pat.len(), i as usize);
                    }
                }
            }
        };
        let mut p = 0;
        for w in hay.windows(LONG) {
            let k = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]) | FOLD;
            let k4 = k as u32;
            if self.short_table.has(u64::from(k4)) {
                check(p, self.short.get(&k4));
            }
            if self.long_table.has(k) {
                check(p, self.long.get(&k));
            }
            p += 1;
        }
        // The last positions, where only a short pattern fits.
        while p + GRAM <= hay.len() {
            let k4 = u32::from_le_bytes([hay[p], hay[p + 1], hay[p + 2], hay[p + 3]]) | FOLD as u32;
            if self.short_table.has(u64::from(k4)) {
                check(p, self.short.get(&k4));
            }
            p += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// Start, end, pattern.
    type Occurrence = (usize, usize, usize);

    fn both(patterns: &[&str], hay: &[u8]) -> (Vec<Occurrence>, Vec<Occurrence>) {
        let pats: Vec<Vec<u8>> = patterns.iter().map(|p| p.as_bytes().to_vec()).collect();
        let g = GramSearch::new(&pats).expect("long enough");
        let mut ours = Vec::new();
        g.each(hay, |s, e, i| ours.push((s, e, i)));
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&pats)
            .unwrap();
        let mut theirs: Vec<Occurrence> = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        (ours, theirs)
    }

    #[test]
    fn reports_what_an_overlapping_automaton_reports() {
        let patterns = [
            "example.com",
            "www.example.com",
            "xample.com",
            "examples",
            "free247downloads.com",
            "payload",
            "PAYLOADS",
            "a.io",
            "a.iox",
            "exam",
            "examp",
            "example.comx",
        ];
        let hay = b"see WWW.Example.COM and examples.net, https://x.free247downloads.com:443/, \
            payloads PayLoad a.io a.iox\x00\xffpayl\xc1\xe1.io";
        let (ours, theirs) = both(&patterns, hay);
        assert!(!theirs.is_empty());
        assert_eq!(ours, theirs);
    }

    #[test]
    fn agrees_with_the_automaton_on_random_bytes_and_planted_patterns() {
        // A fixed pseudo-random sequence: bytes of every value, with patterns planted in
        // mixed case, at the very start and end too.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let patterns: Vec<String> = (0..300)
            .map(|i| format!("ind{i}.{}", ["com", "net", "io", "fr"][i % 4]))
            // Short patterns too, and patterns of exactly eight bytes.
            .chain(["abcd", "abcde", "bcde", "abcdefgh", "ab.de"].map(String::from))
            .collect();
        let mut hay = b"ABCDE".to_vec();
        let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
        for _ in 0..200_000 {
            let r = next();
            if r % 97 == 0 {
                let p = &patterns[(r as usize / 97) % patterns.len()];
                let mixed: Vec<u8> = p
                    .bytes()
                    .enumerate()
                    .map(|(k, b)| {
                        if (r >> k) & 1 == 1 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })
                    .collect();
                hay.extend_from_slice(&mixed);
            } else {
                hay.push(r as u8);
            }
        }
        hay.extend_from_slice(b"ind7.net");
        let (ours, theirs) = both(&refs, &hay);
        assert!(theirs.len() > 1000, "{}", theirs.len());
        assert_eq!(ours, theirs);
    }

    #[test]
    fn short_patterns_are_refused() {
        assert!(GramSearch::new(&[b"abcd".to_vec(), b"bh".to_vec()]).is_none());
        assert!(GramSearch::new(&[b"abcd".to_vec()]).is_some());
    }
}
