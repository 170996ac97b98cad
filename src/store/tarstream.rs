//! A streaming reader of uncompressed tar archives that hashes member data in place: it takes
//! the archive as a [`BufRead`] (in `scelle`, the shared chunks of
//! [`crate::store::hashing::ChunkReader`]) and feeds each regular member's bytes straight from
//! the borrowed buffers into a [`MultiHasher`], without the copy a `Read`-based parser makes.
//!
//! It gives exactly the members that the `tar` crate path ([`crate::store::tarhash::hash_members`])
//! gives, because it follows the same steps as `tar::Archive::entries` (version 0.4): the
//! 512-byte headers are decoded by `tar::Header` itself (checksum field, sizes in octal or
//! base-256, ustar prefix joined to the name, link name, mtime, entry type); GNU long names
//! (`L`) and long links (`K`) and PAX extended headers (`x`: `path`, `linkpath`, `size`, read
//! with `tar::PaxExtensions`) apply to the next member, only in headers with a ustar or GNU
//! magic; a PAX global header (`g`) is an ordinary member, as the `tar` crate returns it; the
//! first all-zero block, or the end of the stream at a header boundary, ends the archive;
//! whatever follows is not read.
//!
//! GNU sparse members (`S`) are not handled here: the reader stops with [`Stop::Unsupported`]
//! and the caller falls back to the `tar` crate.

use crate::format::body::Member;
use crate::store::hashing::{HashSelection, MemberInspector, MultiHasher, NoInspection};
use std::io::{self, BufRead};

const BLOCK: u64 = 512;

/// Why the streaming reader stopped without members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The archive is not a valid tar (the message says where and why).
    Invalid(String),
    /// The archive uses something this reader leaves to the `tar` crate (GNU sparse members).
    Unsupported(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Invalid(m) => f.write_str(m),
            Stop::Unsupported(m) => write!(f, "unsupported by the streaming reader: {m}"),
        }
    }
}

/// The bytes of the archive with their offset, read without copying where possible.
struct Stream<'r, R> {
    r: &'r mut R,
    pos: u64,
}

impl<R: BufRead> Stream<'_, R> {
    /// Passes up to `amt` bytes to `f`, slice by slice as the reader lends them; fewer only at
    /// the end of the stream. Returns how many.
    fn feed(&mut self, amt: u64, mut f: impl FnMut(&[u8])) -> io::Result<u64> {
        let mut left = amt;
        while left > 0 {
            let buf = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            f(&buf[..n]);
            self.r.consume(n);
            left -= n as u64;
        }
        let done = amt - left;
        self.pos += done;
        Ok(done)
    }

    /// Copies up to `out.len()` bytes (a header, which may straddle buffers); fewer only at the
    /// end of the stream. Returns how many.
    fn read_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        self.feed(out.len() as u64, |b| {
            out[filled..filled + b.len()].copy_from_slice(b);
            filled += b.len();
        })?;
        Ok(filled)
    }
}

/// A header with its data size (the PAX `size` if given), before long names are applied.
struct Raw {
    header: tar::Header,
    size: u64,
}

/// A member as the `tar` crate's `Entry` sees it.
struct Entry {
    header: tar::Header,
    size: u64,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
}

fn strip_nul(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(&[0]).unwrap_or(bytes)
}

fn pax_bytes<'a>(pax: &'a Option<Vec<u8>>, key: &[u8]) -> Option<&'a [u8]> {
    let pax = pax.as_deref()?;
    tar::PaxExtensions::new(pax)
        .filter_map(|f| f.ok())
        .find(|f| f.key_bytes() == key)
        .map(|f| f.value_bytes())
}

/// A numeric PAX value as the `tar` crate reads it: the first record with that key, and none
/// if a record before it is malformed or the value is not a number.
fn pax_number(pax: &[u8], key: &str) -> Option<u64> {
    for ext in tar::PaxExtensions::new(pax) {
        let ext = ext.ok()?;
        if ext.key() != Ok(key) {
            continue;
        }
        return ext.value().ok()?.parse::<u64>().ok();
    }
    None
}

impl Entry {
    fn path_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.long_name {
            Some(b) => strip_nul(b).into(),
            None => match pax_bytes(&self.pax, b"path") {
                Some(p) => p.into(),
                None => self.header.path_bytes(),
            },
        }
    }

    fn link_name_bytes(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        match &self.long_link {
            Some(b) => Some(strip_nul(b).into()),
            None => match pax_bytes(&self.pax, b"linkpath") {
                Some(p) => Some(p.into()),
                None => self.header.link_name_bytes(),
            },
        }
    }
}

fn invalid(msg: impl std::fmt::Display) -> Stop {
    Stop::Invalid(msg.to_string())
}

struct Parser<'r, R> {
    s: Stream<'r, R>,
    /// Offset of the next header.
    next: u64,
}

impl<R: BufRead> Parser<'_, R> {
    fn skip_to_next(&mut self) -> Result<(), Stop> {
        let delta = self.next.saturating_sub(self.s.pos);
        let skipped = self.s.feed(delta, |_| {}).map_err(invalid)?;
        if skipped < delta {
            return Err(invalid("unexpected EOF during skip"));
        }
        Ok(())
    }

    fn next_raw(&mut self, pax: Option<&[u8]>) -> Result<Option<Raw>, Stop> {
        self.skip_to_next()?;
        let mut header = tar::Header::new_old();
        let n = self.s.read_into(header.as_mut_bytes()).map_err(invalid)?;
        if n == 0 {
            return Ok(None);
        }
        if n < BLOCK as usize {
            return Err(invalid("failed to read entire block"));
        }
        if header.as_bytes().iter().all(|&b| b == 0) {
            return Ok(None);
        }
        self.next += BLOCK;

        let bytes = header.as_bytes();
        let sum = bytes[..148]
            .iter()
            .chain(&bytes[156..])
            .fold(0u32, |a, &b| a + u32::from(b))
            + 8 * 32;
        if sum != header.cksum().map_err(invalid)? {
            return Err(invalid("archive header checksum mismatch"));
        }

        let t = header.entry_type();
        let is_extension = t.is_gnu_longname()
            || t.is_gnu_longlink()
            || t.is_pax_local_extensions()
            || t.is_pax_global_extensions();
        let pax_size = pax
            .filter(|_| !is_extension)
            .and_then(|p| pax_number(p, "size"));
        let mut size = header.entry_size().map_err(invalid)?;
        if let Some(s) = pax_size {
            size = s;
        }
        let padded = size
            .checked_add(BLOCK - 1)
            .ok_or_else(|| invalid("size overflow"))?;
        self.next = self
            .next
            .checked_add(padded & !(BLOCK - 1))
            .ok_or_else(|| invalid("size overflow"))?;
        Ok(Some(Raw { header, size }))
    }

    /// The data of an extension header (long name, long link, PAX records), in memory.
    fn read_all(&mut self, size: u64) -> Result<Vec<u8>, Stop> {
        let mut v = Vec::with_capacity(size.min(128 * 1024) as usize);
        self.s
            .feed(size, |b| v.extend_from_slice(b))
            .map_err(invalid)?;
        Ok(v)
    }

    fn next_entry(&mut self) -> Result<Option<Entry>, Stop> {
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax: Option<Vec<u8>> = None;
        let mut first = true;
        loop {
            let raw = match self.next_raw(pax.as_deref())? {
                Some(raw) => raw,
                None if !first => {
                    return Err(invalid(
                        "members found describing a future member but no future member found",
                    ))
                }
                None => return Ok(None),
            };
            first = false;
            let recognized = raw.header.as_gnu().is_some() || raw.header.as_ustar().is_some();
            let t = raw.header.entry_type();
            if recognized && t.is_gnu_longname() {
                if long_name.is_some() {
                    return Err(invalid("two long name entries describing the same member"));
                }
                long_name = Some(self.read_all(raw.size)?);
                continue;
            }
            if recognized && t.is_gnu_longlink() {
                if long_link.is_some() {
                    return Err(invalid("two long name entries describing the same member"));
                }
                long_link = Some(self.read_all(raw.size)?);
                continue;
            }
            if recognized && t.is_pax_local_extensions() {
                if pax.is_some() {
                    return Err(invalid(
                        "two pax extensions entries describing the same member",
                    ));
                }
                pax = Some(self.read_all(raw.size)?);
                continue;
            }
            if t.is_gnu_sparse() {
                return Err(Stop::Unsupported("GNU sparse member".into()));
            }
            return Ok(Some(Entry {
                header: raw.header,
                size: raw.size,
                long_name,
                long_link,
                pax,
            }));
        }
    }
}

fn utf8(bytes: &[u8], what: &str, index: usize) -> Result<String, Stop> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        invalid(format!(
            "member {index}: {what} is not UTF-8 ({:?})",
            String::from_utf8_lossy(bytes)
        ))
    })
}

/// Reads an uncompressed tar stream and hashes every regular member's content, hashing the
/// bytes where the reader holds them. Reads up to the end of the archive (its first zero block)
/// and no further. Memory: one header, plus long names and PAX records while they apply.
pub fn hash_members<R: BufRead>(reader: &mut R, sel: HashSelection) -> Result<Vec<Member>, Stop> {
    inspect_members(reader, sel, &mut NoInspection)
}

/// [`hash_members`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_members<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    sel: HashSelection,
    inspector: &mut I,
) -> Result<Vec<Member>, Stop> {
    let mut p = Parser {
        s: Stream { r: reader, pos: 0 },
        next: 0,
    };
    let mut members = Vec::new();
    loop {
        let index = members.len();
        let entry = match p.next_entry() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(Stop::Invalid(m)) => return Err(Stop::Invalid(format!("member {index}: {m}"))),
            Err(e) => return Err(e),
        };
        let path = utf8(&entry.path_bytes(), "name", index)?;
        let mtime = entry.header.mtime().ok();
        let link = match entry.link_name_bytes() {
            Some(l) => Some(utf8(&l, "link target", index)?),
            None => None,
        };
        let t = entry.header.entry_type();
        let member = if t.is_file() || t.is_contiguous() {
            let mut h = MultiHasher::new(sel);
            inspector.begin(index, &path);
            // Short only if the stream ends inside the data: then the next header read fails,
            // as with the `tar` crate.
            let size =
                p.s.feed(entry.size, |b| {
                    h.update(b);
                    inspector.update(b);
                })
                .map_err(|e| invalid(format!("member {index} ({path}): {e}")))?;
            super::tarhash::file_member(path, size, h.finish(), mtime, inspector)
        } else {
            super::tarhash::non_file_member(path, t, link, mtime)
        };
        members.push(member);
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tarhash;
    use std::io::Read;

    /// A `BufRead` lending `data` in pieces of the given sizes (cycled), like chunks.
    struct Chunked<'a> {
        data: &'a [u8],
        sizes: &'a [usize],
        k: usize,
        pos: usize,
        end: usize,
    }

    impl<'a> Chunked<'a> {
        fn new(data: &'a [u8], sizes: &'a [usize]) -> Self {
            Chunked {
                data,
                sizes,
                k: 0,
                pos: 0,
                end: 0,
            }
        }
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let b = self.fill_buf()?;
            let n = b.len().min(out.len());
            out[..n].copy_from_slice(&b[..n]);
            self.consume(n);
            Ok(n)
        }
    }

    impl BufRead for Chunked<'_> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            if self.pos == self.end && self.pos < self.data.len() {
                let n = self.sizes[self.k % self.sizes.len()];
                self.k += 1;
                self.end = (self.pos + n).min(self.data.len());
            }
            Ok(&self.data[self.pos..self.end])
        }
        fn consume(&mut self, amt: usize) {
            self.pos = (self.pos + amt).min(self.end);
        }
    }

    const ALL: HashSelection = HashSelection {
        sha512: true,
        legacy: true,
    };

    /// The `tar` crate's result, after checking the streaming reader gives the same (members,
    /// or error message) whatever the chunking.
    fn check(data: &[u8]) -> std::result::Result<Vec<Member>, String> {
        let want = tarhash::hash_members(data, ALL);
        let chunkings: [&[usize]; 8] = [
            &[1],
            &[3],
            &[511],
            &[512],
            &[513],
            &[100, 7, 1000, 1],
            &[1 << 20],
            &[usize::MAX / 2],
        ];
        for sizes in chunkings {
            let got = hash_members(&mut Chunked::new(data, sizes), ALL);
            match (&want, &got) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "chunks {sizes:?}"),
                (Err(a), Err(Stop::Invalid(b))) => assert_eq!(a, b, "chunks {sizes:?}"),
                _ => panic!("chunks {sizes:?}: tar crate {want:?}, streaming {got:?}"),
            }
        }
        want
    }

    fn header(kind: &str, name: &[u8], typ: u8, size: u64) -> tar::Header {
        let mut h = match kind {
            "gnu" => tar::Header::new_gnu(),
            "ustar" => tar::Header::new_ustar(),
            _ => tar::Header::new_old(),
        };
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(tar::EntryType::new(typ));
        h.set_size(size);
        h.set_mtime(1_700_000_000);
        h.set_mode(0o644);
        h.set_cksum();
        h
    }

    fn push(out: &mut Vec<u8>, h: &tar::Header, data: &[u8]) {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }

    fn end(mut out: Vec<u8>) -> Vec<u8> {
        out.extend_from_slice(&[0; 1024]);
        out
    }

    fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
        let body_len = 1 + key.len() + 1 + value.len() + 1;
        let mut len = body_len + 1;
        while len != body_len + len.to_string().len() {
            len = body_len + len.to_string().len();
        }
        let mut r = format!("{len} {key}=").into_bytes();
        r.extend_from_slice(value);
        r.push(b'\n');
        r
    }

    #[test]
    fn plain_members_of_every_type() {
        let mut a = Vec::new();
        for (i, t) in b"0\x007123456".iter().enumerate() {
            let name = format!("m{i}");
            let data = vec![b'a' + i as u8; 700 * i];
            let mut h = header("ustar", name.as_bytes(), *t, data.len() as u64);
            if *t == b'1' || *t == b'2' {
                h.set_link_name("target").unwrap();
                h.set_cksum();
            }
            push(&mut a, &h, &data);
        }
        let m = check(&end(a)).unwrap();
        let kinds: Vec<_> = m.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["file", "file", "file", "hardlink", "symlink", "other", "other", "dir", "other"]
        );
        assert_eq!(m[2].size, Some(1400));
        assert_eq!(m[4].link.as_deref(), Some("target"));
        assert!(m.iter().all(|m| m.mtime == Some(1_700_000_000)));
    }

    #[test]
    fn base256_size_and_mtime() {
        let data = vec![7u8; 1000];
        let mut h = header("gnu", b"big", b'0', 0);
        let mut size = [0u8; 12];
        size[0] = 0x80;
        size[10..].copy_from_slice(&1000u16.to_be_bytes());
        h.as_old_mut().size = size;
        let mut mtime = [0u8; 12];
        mtime[0] = 0x80;
        mtime[4..].copy_from_slice(&20_000_000_000u64.to_be_bytes());
        h.as_old_mut().mtime = mtime;
        h.set_cksum();
        let mut a = Vec::new();
        push(&mut a, &h, &data);
        let m = check(&end(a)).unwrap();
        assert_eq!((m[0].size, m[0].mtime), (Some(1000), Some(20_000_000_000)));
    }

    #[test]
    fn ustar_prefix_and_backslash_names() {
        let mut a = Vec::new();
        let mut h = header("ustar", b"file.txt", b'0', 3);
        h.as_ustar_mut().unwrap().prefix[..5].copy_from_slice(b"a/b/c");
        h.set_cksum();
        push(&mut a, &h, b"abc");
        push(&mut a, &header("ustar", b"back\\slash", b'0', 1), b"x");
        // No ustar magic: the prefix field is not a prefix.
        let mut h = header("old", b"plain", b'0', 0);
        h.as_mut_bytes()[345..350].copy_from_slice(b"zzzzz");
        h.set_cksum();
        push(&mut a, &h, b"");
        let m = check(&end(a)).unwrap();
        assert_eq!(m[0].path, "a/b/c/file.txt");
        assert_eq!(m[1].path, "back\\slash");
        assert_eq!(m[2].path, "plain");
    }

    #[test]
    fn gnu_long_name_and_link() {
        let long = "n".repeat(300);
        let target = "t".repeat(200);
        let mut a = Vec::new();
        let mut name = long.clone().into_bytes();
        name.push(0);
        push(
            &mut a,
            &header("gnu", b"././@LongLink", b'L', name.len() as u64),
            &name,
        );
        push(
            &mut a,
            &header("gnu", b"././@LongLink", b'K', target.len() as u64),
            target.as_bytes(),
        );
        push(&mut a, &header("gnu", b"short", b'2', 0), b"");
        let m = check(&end(a)).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].path.as_str(), m[0].link.as_deref()),
            (&*long, Some(&*target))
        );
    }

    #[test]
    fn long_name_in_a_v7_header_is_a_member() {
        let mut a = Vec::new();
        push(&mut a, &header("old", b"weird", b'L', 4), b"name");
        push(&mut a, &header("old", b"f", b'0', 1), b"z");
        let m = check(&end(a)).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].path.as_str(), m[0].kind.as_str()), ("weird", "other"));
    }

    #[test]
    fn pax_path_linkpath_and_size() {
        let mut a = Vec::new();
        let mut rec = pax_record("path", "p/".repeat(200).as_bytes());
        rec.extend(pax_record("linkpath", "héllo".as_bytes()));
        rec.extend(pax_record("size", b"5"));
        rec.extend(pax_record("mtime", b"1234.5"));
        push(
            &mut a,
            &header("ustar", b"PaxHeader", b'x', rec.len() as u64),
            &rec,
        );
        // The header says 0 bytes; the PAX size (5) wins.
        push(&mut a, &header("ustar", b"short", b'0', 0), b"12345");
        let m = check(&end(a)).unwrap();
        assert_eq!(m[0].path, "p/".repeat(200));
        assert_eq!(m[0].size, Some(5));
        assert_eq!(m[0].link, None, "a file carries no link");
        assert_eq!(m[0].mtime, Some(1_700_000_000), "the header's mtime");
    }

    #[test]
    fn malformed_pax_records_are_ignored_like_the_tar_crate() {
        for rec in [
            b"99 path=x\n".to_vec(),
            b"garbage".to_vec(),
            b"9 size=x\n".to_vec(),
            [pax_record("size", b"abc"), pax_record("size", b"3")].concat(),
            [b"5 a=\n".to_vec(), pax_record("path", b"later")].concat(),
        ] {
            let mut a = Vec::new();
            push(&mut a, &header("gnu", b"pax", b'x', rec.len() as u64), &rec);
            push(&mut a, &header("gnu", b"f", b'0', 3), b"abc");
            let _ = check(&end(a));
        }
    }

    #[test]
    fn pax_global_header_is_an_other_member() {
        let mut a = Vec::new();
        let g = pax_record("comment", b"hi");
        push(
            &mut a,
            &header("ustar", b"pax_global_header", b'g', g.len() as u64),
            &g,
        );
        let x = pax_record("path", b"from-x");
        push(&mut a, &header("ustar", b"x", b'x', x.len() as u64), &x);
        push(&mut a, &header("ustar", b"g2", b'g', g.len() as u64), &g);
        push(&mut a, &header("ustar", b"f", b'0', 1), b"1");
        let m = check(&end(a)).unwrap();
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.path.as_str(), m.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pax_global_header", "other"),
                ("from-x", "other"),
                ("f", "file")
            ]
        );
    }

    #[test]
    fn end_of_archive() {
        let mut a = Vec::new();
        push(&mut a, &header("gnu", b"f", b'0', 2), b"ab");
        // Exactly at a header boundary, without zero blocks: the end.
        assert_eq!(check(&a).unwrap().len(), 1);
        // One zero block ends it; what follows is not read.
        let mut b = a.clone();
        b.extend_from_slice(&[0; 512]);
        b.extend_from_slice(b"garbage that is not a header");
        assert_eq!(check(&b).unwrap().len(), 1);
        assert_eq!(check(&[]).unwrap().len(), 0);
        assert_eq!(check(&[0; 512]).unwrap().len(), 0);
    }

    #[test]
    fn invalid_archives_are_errors() {
        let mut good = Vec::new();
        push(&mut good, &header("gnu", b"f", b'0', 600), &[1; 600]);
        let good = end(good);
        let mut bad_sum = good.clone();
        bad_sum[0] = b'g';
        let mut bad_field = good.clone();
        bad_field[148..156].copy_from_slice(b"zzzzzzz\0");
        let mut x_then_end = Vec::new();
        push(
            &mut x_then_end,
            &header("ustar", b"x", b'x', 9),
            b"9 a=bcd\n\n",
        );
        let mut two_long = Vec::new();
        push(&mut two_long, &header("gnu", b"L", b'L', 2), b"a\0");
        push(&mut two_long, &header("gnu", b"L", b'L', 2), b"b\0");
        let mut huge = header("gnu", b"huge", b'0', 0);
        huge.as_old_mut().size = [0xff; 12];
        huge.set_cksum();
        let mut bad_name = Vec::new();
        push(&mut bad_name, &header("gnu", b"\xff\xfe", b'0', 0), b"");
        let mut bad_link = Vec::new();
        let mut h = header("gnu", b"l", b'2', 0);
        h.as_old_mut().linkname[..2].copy_from_slice(b"\xc3\x28");
        h.set_cksum();
        push(&mut bad_link, &h, b"");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("checksum", bad_sum),
            ("checksum field", bad_field),
            ("partial header", good[..300].to_vec()),
            ("truncated data", good[..512 + 100].to_vec()),
            ("truncated padding", good[..512 + 600].to_vec()),
            ("extension without member", end(x_then_end)),
            ("two long names", end(two_long)),
            ("size overflow", end(huge.as_bytes().to_vec())),
            ("name not utf-8", end(bad_name)),
            ("link not utf-8", end(bad_link)),
            ("text", b"this is not a tar archive at all\n".repeat(40)),
        ];
        for (what, data) in cases {
            let e = check(&data).expect_err(what);
            assert!(e.starts_with("member "), "{what}: {e}");
        }
    }

    #[test]
    fn gnu_sparse_is_left_to_the_tar_crate() {
        let mut h = header("gnu", b"sparse", b'S', 512);
        let g = h.as_gnu_mut().unwrap();
        g.sparse[0].set_offset(3584);
        g.sparse[0].set_length(512);
        g.set_real_size(4096);
        h.set_cksum();
        let mut a = Vec::new();
        push(&mut a, &h, &[9; 512]);
        let a = end(a);
        assert!(matches!(
            hash_members(&mut &a[..], ALL),
            Err(Stop::Unsupported(_))
        ));
        let m = tarhash::hash_members(&a[..], ALL).unwrap();
        assert_eq!(m[0].kind, "other");
    }

    #[test]
    fn tar_crate_builder_archives() {
        let mut b = tar::Builder::new(Vec::new());
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 241) as u8).collect();
        for (name, data) in [
            ("empty", &[][..]),
            ("one", &b"1"[..]),
            ("block", &[5; 512][..]),
            ("big.bin", &big[..]),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o600);
            h.set_mtime(42);
            b.append_data(&mut h, name, data).unwrap();
        }
        let long = format!("{}/{}", "d".repeat(150), "é".repeat(60));
        let mut h = tar::Header::new_gnu();
        h.set_size(4);
        b.append_data(&mut h, &long, &b"long"[..]).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "link", "t".repeat(300)).unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        b.append_data(&mut h, "dir/", &[][..]).unwrap();
        let a = b.into_inner().unwrap();
        let m = check(&a).unwrap();
        assert_eq!(m.len(), 7);
        assert_eq!(m[3].size, Some(3_000_000));
        assert_eq!(m[4].path, long);
        assert_eq!(m[5].link, Some("t".repeat(300)));
    }
}
