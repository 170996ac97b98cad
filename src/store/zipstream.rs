//! A streaming reader of zip archives that records every member as `unzip` (Info-ZIP 6.0)
//! extracts it and hashes its decompressed content in one pass over the archive's bytes,
//! without extracting (FORMAT.md 6.2, "Zip members").
//!
//! A zip is read from both ends: its central directory (CD), at the end, says which members
//! there are, and each member's local header, before its data, says it again. Readers that
//! trust one or the other disagree on an archive where the two differ, or where two entries
//! share bytes (the "overlap" zip bomb), or where bytes hide between members. This reader
//! first reads the end records and the CD with positioned reads ([`read_directory`]: every
//! entry checked, the names sorted on disk to refuse two members of one path or a member below
//! a non-directory), then reads the archive once from its first byte ([`inspect_members`], on
//! the same bytes the archive's digests are computed from), reading the CD again in step with
//! it (the same bytes, by SHA-256, as read first): each
//! local header must be where the previous member ended and agree with its CD entry (name,
//! flags, method, CRC-32, sizes), each member's data is decompressed as it streams, hashed,
//! its CRC-32 checked and its size bounded by the declared one, and the last member must end
//! where the CD starts. Any disagreement is refused ([`Stop`]), naming the member: what this
//! reader accepts, every reader reads alike.
//!
//! Methods: stored (0) and deflate (8). Others (deflate64, bzip2, LZMA, zstd, xz, …) and
//! encrypted entries are refused with the method named. Memory: one 8 MiB run of names while
//! they are sorted (`store::extsort`), a stack as deep as a path while they are compared, and a
//! 64 KiB output buffer; it does not grow with the members. A CD that does not list them in
//! offset order (the order of the pass) is sorted by offset on disk, and the members read are
//! sorted back into its order on disk too.

use crate::format::body::Member;
use crate::store::extsort;
use crate::store::hashing::{HashSelection, MemberInspector, MultiHasher};
pub use crate::store::tarstream::Stop;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const LOCATOR_SIG: u32 = 0x0706_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;

/// Longest symbolic link target read (Linux `PATH_MAX`).
const MAX_LINK: u64 = 4096;

/// General purpose flag bits.
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_STRONG: u16 = 1 << 6;
const FLAG_UTF8: u16 = 1 << 11;
const FLAG_MASKED: u16 = 1 << 13;

/// Host systems whose external attributes Info-ZIP `unzip` reads as Unix modes (symbolic
/// links, directories): Unix, VMS, Atari, QDOS, Acorn, BeOS, Tandem, AtheOS.
const UNIX_MODE_HOSTS: [u16; 8] = [3, 2, 5, 12, 13, 16, 17, 30];

/// What a member is, as `unzip` makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Symlink,
}

/// One central directory entry: what the pass needs to check and record the member.
#[derive(Debug)]
struct Entry {
    raw_name: Vec<u8>,
    host: u16,
    path: String,
    kind: Kind,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
    mtime: Option<u64>,
}

/// A zip's central directory, read and checked before the pass over its bytes. Its entries
/// are not held: the pass reads them again (and checks they are the bytes read first), in step
/// with the members, or sorted by offset on disk when the directory lists them otherwise.
#[derive(Debug)]
pub struct Directory {
    file: File,
    count: usize,
    cd_offset: u64,
    cd_end: u64,
    cd_sha256: [u8; 32],
    /// Whether the central directory lists the members in offset order (else the pass sorts
    /// its entries by offset on disk, [`read_members`]).
    in_offset_order: bool,
}

impl Directory {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the archive has no member.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The central directory, from its first byte.
    fn cd_reader(&self) -> Digested<BufReader<Range<'_>>> {
        Digested::new(BufReader::with_capacity(
            256 * 1024,
            Range {
                file: &self.file,
                pos: self.cd_offset,
                end: self.cd_end,
            },
        ))
    }

    /// Refuses a central directory read again that is not the one first read and checked.
    fn check_unchanged<R>(&self, again: Digested<R>) -> Result<(), Stop> {
        let (_, sha256) = again.finish();
        if sha256 != self.cd_sha256 {
            return Err(invalid(
                "the central directory changed while the archive was read",
            ));
        }
        Ok(())
    }
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// A name or target, quoted with control characters escaped and cut at 200 characters.
fn show(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

fn invalid(msg: impl Into<String>) -> Stop {
    Stop::Invalid(msg.into())
}

fn unsupported(msg: impl Into<String>) -> Stop {
    Stop::Unsupported(msg.into())
}

fn read_at(file: &File, buf: &mut [u8], at: u64, what: &str) -> Result<(), Stop> {
    file.read_exact_at(buf, at)
        .map_err(|e| invalid(format!("cannot read the {what} at offset {at}: {e}")))
}

/// A name of a compression method, for refusals.
fn method_name(m: u16) -> String {
    let name = match m {
        1 => "shrink",
        2..=5 => "reduce",
        6 => "implode",
        9 => "deflate64",
        10 => "PKWARE DCL implode",
        12 => "bzip2",
        14 => "LZMA",
        16 => "IBM z/OS CMPSC",
        18 => "IBM TERSE",
        19 => "IBM LZ77",
        20 | 93 => "zstd",
        94 => "MP3",
        95 => "xz",
        96 => "JPEG",
        97 => "WavPack",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "unknown",
    };
    format!("method {m} ({name})")
}

/// The extra fields of a header, each as (id, data); a field running past the end is refused.
fn extras(x: &[u8]) -> Result<Vec<(u16, &[u8])>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < x.len() {
        if x.len() - i < 4 {
            return Err(format!(
                "{} stray bytes at the end of its extra field",
                x.len() - i
            ));
        }
        let (id, len) = (le16(x, i), le16(x, i + 2) as usize);
        if x.len() - i - 4 < len {
            return Err(format!(
                "extra field 0x{id:04x} runs past the end of the extra field"
            ));
        }
        out.push((id, &x[i + 4..i + 4 + len]));
        i += 4 + len;
    }
    Ok(out)
}

/// The ZIP64 values an extra field 0x0001 gives, in order, for the 32-bit fields at their
/// maximum: uncompressed size, compressed size, local header offset.
fn zip64_values(
    fields: &[(u16, &[u8])],
    usize32: u32,
    csize32: u32,
    offset32: Option<u32>,
) -> Result<(u64, u64, Option<u64>, bool), String> {
    let z = fields.iter().find(|(id, _)| *id == 1).map(|(_, d)| *d);
    let mut at = 0usize;
    let mut take = |wanted: bool, v32: u64| -> Result<u64, String> {
        if !wanted {
            return Ok(v32);
        }
        match z {
            Some(d) if d.len() >= at + 8 => {
                at += 8;
                Ok(le64(d, at - 8))
            }
            Some(_) => Err("its ZIP64 extra field is too short for the values it must hold".into()),
            None => Err("a size or offset of 0xFFFFFFFF without a ZIP64 extra field".into()),
        }
    };
    let u = take(usize32 == u32::MAX, usize32 as u64)?;
    let c = take(csize32 == u32::MAX, csize32 as u64)?;
    let o = match offset32 {
        Some(o) => Some(take(o == u32::MAX, o as u64)?),
        None => None,
    };
    Ok((u, c, o, z.is_some()))
}

/// Code page 437 (the original IBM PC set), bytes 0x80 to 0xFF.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

fn cp437(b: &[u8]) -> String {
    let high: Vec<char> = CP437_HIGH.chars().collect();
    b.iter()
        .map(|&c| {
            if c < 0x80 {
                c as char
            } else {
                high[(c - 0x80) as usize]
            }
        })
        .collect()
}

/// Hosts whose names `unzip` reads in an OEM code page (MS-DOS FAT, OS/2 HPFS, NTFS, VFAT).
const OEM_HOSTS: [u16; 4] = [0, 6, 11, 14];

/// A member's name: UTF-8 if flagged (bit 11), else the Info-ZIP Unicode Path extra field
/// (0x7075) if its CRC-32 is the stored name's, else, for an archive made on an MS-DOS or
/// Windows host, code page 437; else the bytes as they are (what `unzip` writes on Linux),
/// which must then be UTF-8.
fn decode_name(
    raw: &[u8],
    flags: u16,
    fields: &[(u16, &[u8])],
    host: u16,
) -> Result<String, String> {
    if flags & FLAG_UTF8 != 0 {
        return String::from_utf8(raw.to_vec())
            .map_err(|_| "its name is flagged UTF-8 but is not valid UTF-8".to_string());
    }
    if let Some((_, d)) = fields.iter().find(|(id, _)| *id == 0x7075) {
        if d.len() >= 5 && d[0] == 1 && le32(d, 1) == crc32fast::hash(raw) {
            return String::from_utf8(d[5..].to_vec())
                .map_err(|_| "its Unicode Path extra field is not valid UTF-8".to_string());
        }
    }
    if raw.is_ascii() || OEM_HOSTS.contains(&host) {
        return Ok(cp437(raw));
    }
    String::from_utf8(raw.to_vec()).map_err(|_| {
        "its name is not UTF-8 and says no encoding (no UTF-8 flag or Unicode Path field, made on a Unix-like host): it cannot be recorded as the name unzip writes".to_string()
    })
}

/// The modification time of an extended timestamp extra field (0x5455), if it has one.
fn ut_mtime(fields: &[(u16, &[u8])]) -> Option<u64> {
    let (_, d) = fields.iter().find(|(id, _)| *id == 0x5455)?;
    if d.len() >= 5 && d[0] & 1 != 0 {
        u64::try_from(i32::from_le_bytes(d[1..5].try_into().ok()?)).ok()
    } else {
        None
    }
}

/// Refuses a name `unzip` would not extract as named.
fn check_name(path: &str, kind: Kind) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty name".into());
    }
    if path.contains('\0') {
        return Err("a NUL in its name".into());
    }
    if path.contains('\\') {
        return Err("a backslash in its name (unzip may take it as a separator)".into());
    }
    if path.starts_with('/') {
        return Err("an absolute path (unzip strips the leading /)".into());
    }
    let body = if kind == Kind::Dir {
        &path[..path.len() - 1]
    } else {
        path
    };
    for c in body.split('/') {
        match c {
            ".." => return Err("a path with a `..` component (unzip skips the component)".into()),
            "." => return Err("a `.` component in its path".into()),
            "" => return Err("an empty component in its path (`//` or a trailing /)".into()),
            _ => {}
        }
    }
    Ok(())
}

/// A `Read` over a range of a file, by positioned reads.
struct Range<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
}

impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.end - self.pos) as usize;
        if n == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Reads the end records and the central directory of the zip `file` of `size` bytes, and
/// checks each entry's name, type, method and encryption (FORMAT.md 6.2).
pub fn read_directory(file: &File, size: u64) -> Result<Directory, Stop> {
    if size < 22 {
        return Err(invalid(
            "too short for a zip archive (no end of central directory record)",
        ));
    }
    let tail_len = size.min(22 + 65535) as usize;
    let tail_at = size - tail_len as u64;
    let mut tail = vec![0u8; tail_len];
    read_at(file, &mut tail, tail_at, "end of the archive")?;
    let ends: Vec<usize> = (0..=tail_len - 22)
        .rev()
        .filter(|&i| {
            le32(&tail, i) == EOCD_SIG && le16(&tail, i + 20) as usize == tail_len - i - 22
        })
        .collect();
    let i = match ends[..] {
        [] => {
            return Err(invalid(
                "no end of central directory record (not a zip archive, or bytes appended after it)",
            ))
        }
        [i] => i,
        _ => {
            return Err(unsupported(
                "two end of central directory records (one inside the archive comment): readers may take either",
            ))
        }
    };
    let e = &tail[i..i + 22];
    let eocd_at = tail_at + i as u64;
    let (disk, cd_disk) = (le16(e, 4), le16(e, 6));
    let (n_disk, n_total) = (le16(e, 8), le16(e, 10));
    let (cd_size32, cd_off32) = (le32(e, 12), le32(e, 16));
    let mut count = n_total as u64;
    let mut cd_size = cd_size32 as u64;
    let mut cd_offset = cd_off32 as u64;
    let mut cd_end = eocd_at;
    let mut multi = disk != 0 || cd_disk != 0 || n_disk != n_total;
    let mut locator = [0u8; 20];
    if eocd_at >= 20 {
        read_at(file, &mut locator, eocd_at - 20, "ZIP64 end locator")?;
    }
    if eocd_at >= 20 && le32(&locator, 0) == LOCATOR_SIG {
        let at = le64(&locator, 8);
        let disks = le32(&locator, 16);
        if at.checked_add(56).is_none_or(|end| end > eocd_at - 20) {
            return Err(invalid(format!(
                "the ZIP64 end record offset {at} is not before its locator"
            )));
        }
        let mut r = [0u8; 56];
        read_at(file, &mut r, at, "ZIP64 end record")?;
        if le32(&r, 0) != EOCD64_SIG {
            return Err(invalid(format!("no ZIP64 end record at offset {at}")));
        }
        if at.checked_add(12).and_then(|x| x.checked_add(le64(&r, 4))) != Some(eocd_at - 20) {
            return Err(unsupported(
                "the ZIP64 end record does not end where its locator starts",
            ));
        }
        let (d64, cdd64) = (le32(&r, 16), le32(&r, 20));
        let (nd64, nt64) = (le64(&r, 24), le64(&r, 32));
        let (size64, off64) = (le64(&r, 40), le64(&r, 48));
        multi |= d64 != 0 || cdd64 != 0 || nd64 != nt64 || disks > 1;
        let agree = |v32: u64, max: u64, v64: u64| v32 == max || v32 == v64;
        if !agree(n_total as u64, 0xFFFF, nt64)
            || !agree(cd_size32 as u64, 0xFFFF_FFFF, size64)
            || !agree(cd_off32 as u64, 0xFFFF_FFFF, off64)
        {
            return Err(unsupported(
                "the end record and the ZIP64 end record give different central directories",
            ));
        }
        (count, cd_size, cd_offset, cd_end) = (nt64, size64, off64, at);
    }
    if multi {
        return Err(unsupported(
            "a split (multi-disk) archive: join its parts into one file first",
        ));
    }
    if cd_offset.checked_add(cd_size) != Some(cd_end) {
        return Err(unsupported(format!(
            "the central directory (offset {cd_offset}, {cd_size} bytes) does not end where the end record starts ({cd_end})"
        )));
    }
    if count > cd_size / 46 {
        return Err(invalid(format!(
            "{count} entries cannot fit in a central directory of {cd_size} bytes"
        )));
    }
    let cd = Range {
        file,
        pos: cd_offset,
        end: cd_end,
    };
    let mut r = Digested::new(BufReader::with_capacity(256 * 1024, cd));
    let mut tree = TreeCheck::default();
    let mut in_order = true;
    let mut last_offset = None;
    for index in 0..count as usize {
        let e = parse_entry(&mut r, index)?;
        in_order &= last_offset.is_none_or(|last| e.offset > last);
        last_offset = Some(e.offset);
        tree.push(index, &e)
            .map_err(|err| io_stop("sorting the member names", err))?;
    }
    let (used, cd_sha256) = r.finish();
    if used != cd_size {
        return Err(invalid(format!(
            "the central directory is {cd_size} bytes but its {count} entries take {used}"
        )));
    }
    tree.finish()?;
    let file = file
        .try_clone()
        .map_err(|err| io_stop("opening the archive again", err))?;
    Ok(Directory {
        file,
        count: count as usize,
        cd_offset,
        cd_end,
        cd_sha256,
        in_offset_order: in_order,
    })
}

/// Reads and checks central directory entry `index` (FORMAT.md 6.2, "Zip members").
fn parse_entry<R: Read>(r: &mut R, index: usize) -> Result<Entry, Stop> {
    let mut h = [0u8; 46];
    r.read_exact(&mut h).map_err(|_| {
        invalid(format!(
            "central directory entry {index}: runs past the central directory"
        ))
    })?;
    if le32(&h, 0) != CENTRAL_SIG {
        return Err(invalid(format!(
            "central directory entry {index}: no entry signature"
        )));
    }
    let made_by = le16(&h, 4);
    let flags = le16(&h, 8);
    let method = le16(&h, 10);
    let crc = le32(&h, 16);
    let (csize32, usize32) = (le32(&h, 20), le32(&h, 24));
    let (nlen, xlen, clen) = (le16(&h, 28) as usize, le16(&h, 30) as usize, le16(&h, 32));
    let disk = le16(&h, 34);
    let ext_attr = le32(&h, 38);
    let off32 = le32(&h, 42);
    let mut var = vec![0u8; nlen + xlen + clen as usize];
    r.read_exact(&mut var).map_err(|_| {
        invalid(format!(
            "central directory entry {index}: runs past the central directory"
        ))
    })?;
    let raw_name = var[..nlen].to_vec();
    let at = |why: String| {
        let name = String::from_utf8_lossy(&raw_name);
        unsupported(format!("member {index} ({}): {why}", show(&name)))
    };
    let fields = extras(&var[nlen..nlen + xlen]).map_err(at)?;
    let (usize, csize, offset, _) =
        zip64_values(&fields, usize32, csize32, Some(off32)).map_err(at)?;
    let offset = offset.expect("asked for");
    if disk != 0 && disk != 0xFFFF {
        return Err(at("on another disk of a split archive".into()));
    }
    let host = made_by >> 8;
    let path = decode_name(&raw_name, flags, &fields, host).map_err(at)?;
    let at = |why: String| unsupported(format!("member {index} ({}): {why}", show(&path)));
    if flags & (FLAG_ENCRYPTED | FLAG_STRONG | FLAG_MASKED) != 0 || method == 99 {
        return Err(at(
            "encrypted; its content cannot be read without the password".into(),
        ));
    }
    if method != 0 && method != 8 {
        return Err(at(format!(
            "compressed with {}, which scelle does not read (stored and deflate only)",
            method_name(method)
        )));
    }
    if method == 0 && csize != usize {
        return Err(at(format!(
            "stored, but its compressed size {csize} is not its size {usize}"
        )));
    }
    let mode = if UNIX_MODE_HOSTS.contains(&host) {
        ext_attr >> 16
    } else {
        0
    };
    let kind = if path.ends_with('/') {
        Kind::Dir
    } else {
        match mode & 0o170000 {
            0o120000 => Kind::Symlink,
            0 | 0o100000 => Kind::File,
            0o040000 => {
                return Err(at(
                    "its Unix mode says directory but its name does not end with /".into(),
                ))
            }
            _ => {
                return Err(at(format!(
                    "a special file (Unix mode {mode:o}), which unzip does not make as stored"
                )))
            }
        }
    };
    if kind == Kind::Dir && usize != 0 {
        return Err(at(format!(
            "a directory (name ending with /) with {usize} bytes of content"
        )));
    }
    if kind == Kind::Symlink && usize > MAX_LINK {
        return Err(at(format!(
            "a symbolic link whose target is {usize} bytes long"
        )));
    }
    check_name(&path, kind).map_err(at)?;
    Ok(Entry {
        raw_name,
        host,
        path,
        kind,
        flags,
        method,
        crc,
        csize,
        usize,
        offset,
        mtime: ut_mtime(&fields),
    })
}

/// Refuses two members of one path, and a member below a path another member makes a file or
/// a link: `unzip` would ask, overwrite, or write through the link. The paths are sorted on
/// disk ([`extsort`]), so that memory does not grow with the member count; the member named
/// is the one the check in central directory order would name first: the first (in that
/// order) of two members of one path, else the first member below a non-directory.
#[derive(Default)]
struct TreeCheck {
    sorted: extsort::Sorter,
    record: Vec<u8>,
}

/// A non-directory member on the sorted walk, while the paths that follow start with its own.
struct NonDir {
    key: Vec<u8>,
    index: u64,
    /// The first member (central directory order) below it, if any.
    first_below: Option<(u64, Vec<u8>)>,
}

impl TreeCheck {
    /// Record: the path without its final `/`, a NUL (never in a name: [`check_name`]), the
    /// index (big-endian, so that records of one path sort in directory order), the kind.
    fn push(&mut self, index: usize, e: &Entry) -> io::Result<()> {
        self.record.clear();
        self.record
            .extend_from_slice(e.path.trim_end_matches('/').as_bytes());
        self.record.push(0);
        self.record.extend_from_slice(&(index as u64).to_be_bytes());
        self.record.push(match e.kind {
            Kind::Dir => b'd',
            Kind::File => b'f',
            Kind::Symlink => b'l',
        });
        self.sorted.push(&self.record)
    }

    fn finish(self) -> Result<(), Stop> {
        let mut sorted = self
            .sorted
            .finish()
            .map_err(|err| io_stop("sorting the member names", err))?;
        let mut previous: Option<(Vec<u8>, u64)> = None;
        // (member, the earlier member of its path, its path)
        let mut same: Option<(u64, u64, Vec<u8>)> = None;
        // (member below, the non-directory, the non-directory's path length, the member's path)
        let mut below: Option<(u64, u64, usize, Vec<u8>)> = None;
        let mut stack: Vec<NonDir> = Vec::new();
        let close = |n: NonDir, below: &mut Option<(u64, u64, usize, Vec<u8>)>| {
            if let Some((i, path)) = n.first_below {
                let candidate = (i, n.index, n.key.len(), path);
                if below
                    .as_ref()
                    .is_none_or(|b| (candidate.0, candidate.2) < (b.0, b.2))
                {
                    *below = Some(candidate);
                }
            }
        };
        loop {
            let record = sorted
                .next_record()
                .map_err(|err| io_stop("sorting the member names", err))?;
            let Some(record) = record else { break };
            let n = record.len();
            let (key, index, kind) = (
                &record[..n - 10],
                u64::from_be_bytes(record[n - 9..n - 1].try_into().expect("8 bytes")),
                record[n - 1],
            );
            let path = || {
                let mut p = key.to_vec();
                if kind == b'd' {
                    p.push(b'/');
                }
                p
            };
            if let Some((k, j)) = &previous {
                if k == key && same.as_ref().is_none_or(|s| index < s.0) {
                    same = Some((index, *j, path()));
                }
            }
            while stack.last().is_some_and(|top| !key.starts_with(&top.key)) {
                close(stack.pop().expect("not empty"), &mut below);
            }
            for top in &mut stack {
                if key.get(top.key.len()) == Some(&b'/')
                    && top.first_below.as_ref().is_none_or(|(i, _)| index < *i)
                {
                    top.first_below = Some((index, path()));
                }
            }
            if kind != b'd' {
                stack.push(NonDir {
                    key: key.to_vec(),
                    index,
                    first_below: None,
                });
            }
            previous = Some((key.to_vec(), index));
        }
        while let Some(n) = stack.pop() {
            close(n, &mut below);
        }
        let name = |p: &[u8]| show(&String::from_utf8_lossy(p));
        if let Some((i, j, path)) = same {
            return Err(unsupported(format!(
                "member {i} ({}): the same path as member {j}; unzip would ask whether to replace it",
                name(&path)
            )));
        }
        if let Some((i, j, _, path)) = below {
            return Err(unsupported(format!(
                "member {i} ({}): below member {j}, which is not a directory",
                name(&path)
            )));
        }
        Ok(())
    }
}

/// An I/O error while reading the archive's central directory or sorting its names.
fn io_stop(what: &str, err: io::Error) -> Stop {
    invalid(format!("{what}: {err}"))
}

/// A reader that counts and hashes what it reads (the central directory, read twice, must
/// be the same bytes both times).
struct Digested<R> {
    inner: R,
    count: u64,
    sha256: Sha256,
}

impl<R> Digested<R> {
    fn new(inner: R) -> Self {
        Digested {
            inner,
            count: 0,
            sha256: Sha256::new(),
        }
    }

    fn finish(self) -> (u64, [u8; 32]) {
        (self.count, self.sha256.finalize().into())
    }
}

impl<R: Read> Read for Digested<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        self.sha256.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads exactly `buf.len()` bytes, naming what was cut short.
fn fill<R: Read>(r: &mut R, buf: &mut [u8], what: impl FnOnce() -> String) -> Result<(), Stop> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            invalid(format!("{}: the archive ends early", what()))
        } else {
            invalid(format!("{}: {e}", what()))
        }
    })
}

/// Passes the next `n` bytes of `r` to `f` where `r` holds them; returns how many there were.
fn feed<R: BufRead>(r: &mut R, mut n: u64, mut f: impl FnMut(&[u8])) -> io::Result<u64> {
    let mut done = 0;
    while n > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let k = (buf.len() as u64).min(n) as usize;
        f(&buf[..k]);
        r.consume(k);
        n -= k as u64;
        done += k as u64;
    }
    Ok(done)
}

/// Inflates `csize` bytes of raw deflate data from `r`, giving the output to `f`; stops with
/// an error as soon as the output passes `limit` bytes (a bomb is bounded), or if the deflate
/// stream does not end exactly at `csize`.
fn inflate<R: BufRead>(
    r: &mut R,
    csize: u64,
    limit: u64,
    out: &mut [u8],
    mut f: impl FnMut(&[u8]),
) -> Result<u64, String> {
    let mut d = flate2::Decompress::new(false);
    let mut left = csize;
    let mut total = 0u64;
    loop {
        let (used, made, status, avail) = {
            let buf = r.fill_buf().map_err(|e| e.to_string())?;
            let avail = (buf.len() as u64).min(left) as usize;
            let room = (out.len() as u64).min((limit - total).saturating_add(1)) as usize;
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = d
                .decompress(
                    &buf[..avail],
                    &mut out[..room],
                    flate2::FlushDecompress::None,
                )
                .map_err(|e| format!("its deflate data is corrupt ({e})"))?;
            (
                (d.total_in() - in0) as usize,
                (d.total_out() - out0) as usize,
                status,
                avail,
            )
        };
        r.consume(used);
        left -= used as u64;
        if made > 0 {
            total += made as u64;
            if total > limit {
                return Err(format!(
                    "its data inflates to more than its declared size of {limit} bytes"
                ));
            }
            f(&out[..made]);
        }
        match status {
            flate2::Status::StreamEnd => {
                if left != 0 {
                    return Err(format!(
                        "its deflate stream ends {left} bytes before its compressed size"
                    ));
                }
                return Ok(total);
            }
            _ if used == 0 && made == 0 => {
                return Err(if left == 0 {
                    "its compressed data ends before its deflate stream does".into()
                } else if avail == 0 {
                    "the archive ends in its compressed data".into()
                } else {
                    "its deflate data is corrupt".into()
                });
            }
            _ => {}
        }
    }
}

/// Reads the archive `reader` from its first byte, member by member in the order of their
/// local headers, checking each against `dir` and hashing each file's decompressed content
/// (shown to `inspector`). Returns the members in central directory order (the order
/// `unzip -Z1` lists them). Reads up to the central directory and no further.
pub fn inspect_members<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    dir: &Directory,
    sel: HashSelection,
    inspector: &mut I,
) -> Result<Vec<Member>, Stop> {
    let mut kept = Kept {
        inner: inspector,
        members: Vec::new(),
    };
    read_members(reader, dir, Some(sel), &mut kept)?;
    Ok(kept.members)
}

/// An inspector that keeps the members recorded.
struct Kept<'a, I> {
    inner: &'a mut I,
    members: Vec<Member>,
}

impl<I: MemberInspector> MemberInspector for Kept<'_, I> {
    fn begin(&mut self, index: usize, path: &str) {
        self.inner.begin(index, path);
    }
    fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }
    fn end(&mut self, size: u64, hashes: &crate::format::body::Hashes) {
        self.inner.end(size, hashes);
    }
    fn reset(&mut self) {
        self.inner.reset();
        self.members.clear();
    }
    fn wants_bytes(&self) -> bool {
        self.inner.wants_bytes()
    }
    fn record(&mut self, _index: usize, member: Member) {
        self.members.push(member);
    }
}

/// [`inspect_members`], each member given to `inspector.record` (in central directory
/// order) instead of returned; with `sel` `None`, the members' contents are not hashed here
/// (the caller hashes them from what `inspector` sees, on another thread): the files'
/// `hashes` are then empty, and `inspector.end` is given empty hashes. Memory does not grow
/// with the members. Returns how many.
pub(crate) fn read_members<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    dir: &Directory,
    sel: Option<HashSelection>,
    inspector: &mut I,
) -> Result<usize, Stop> {
    let mut out = vec![0u8; 64 * 1024];
    let mut pos = 0u64;
    if dir.in_offset_order {
        let mut cd = dir.cd_reader();
        for index in 0..dir.count {
            let e = parse_entry(&mut cd, index)?;
            let m = read_member(reader, &e, index, &mut pos, sel, inspector, &mut out)?;
            inspector.record(index, m);
        }
        dir.check_unchanged(cd)?;
    } else {
        read_members_sorted(reader, dir, sel, inspector, &mut pos, &mut out)?;
    }
    if pos > dir.cd_offset {
        return Err(unsupported(format!(
            "the last member ends at offset {pos}, inside the central directory (offset {}): overlapping entries",
            dir.cd_offset
        )));
    }
    if pos < dir.cd_offset {
        return Err(unsupported(format!(
            "{} bytes between the last member and the central directory belong to no member",
            dir.cd_offset - pos
        )));
    }
    Ok(dir.count)
}

/// [`read_members`] for a central directory that does not list the members in offset order
/// (the order of the pass): its entries are sorted by offset on disk ([`extsort`]), each with
/// its bytes as read again (and checked unchanged), the members read in that order, and their
/// records sorted back into central directory order on disk for `inspector.record`, so that
/// neither the entries nor the members are held.
fn read_members_sorted<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    dir: &Directory,
    sel: Option<HashSelection>,
    inspector: &mut I,
    pos: &mut u64,
    out: &mut [u8],
) -> Result<(), Stop> {
    let sorting = |err| io_stop("sorting the central directory by offset", err);
    let mut by_offset = extsort::Sorter::default();
    let mut cd = dir.cd_reader();
    let mut record = Vec::new();
    for index in 0..dir.count {
        record.clear();
        let e = parse_entry(&mut Copied(&mut cd, &mut record), index)?;
        let entry = std::mem::take(&mut record);
        record.extend_from_slice(&e.offset.to_be_bytes());
        record.extend_from_slice(&(index as u64).to_be_bytes());
        record.extend_from_slice(&entry);
        by_offset.push(&record).map_err(sorting)?;
    }
    dir.check_unchanged(cd)?;
    let mut entries = by_offset.finish().map_err(sorting)?;
    let mut by_index = extsort::Sorter::default();
    while let Some(r) = entries.next_record().map_err(sorting)? {
        let index = u64::from_be_bytes(r[8..16].try_into().expect("8 bytes")) as usize;
        let e = parse_entry(&mut &r[16..], index)?;
        let m = read_member(reader, &e, index, pos, sel, inspector, out)?;
        by_index.push_numbered(index as u64, &m).map_err(sorting)?;
    }
    let mut members = by_index.finish().map_err(sorting)?;
    while let Some(r) = members.next_record().map_err(sorting)? {
        let (index, m): (u64, Member) = extsort::numbered(r).map_err(sorting)?;
        inspector.record(index as usize, m);
    }
    Ok(())
}

/// A reader that keeps a copy of what it reads.
struct Copied<'a, R>(&'a mut R, &'a mut Vec<u8>);

impl<R: Read> Read for Copied<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Reads member `index`, whose central directory entry is `e`, from its local header at
/// `pos` (which it advances past the member).
fn read_member<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    e: &Entry,
    index: usize,
    pos: &mut u64,
    sel: Option<HashSelection>,
    inspector: &mut I,
    out: &mut [u8],
) -> Result<Member, Stop> {
    let name = || format!("member {index} ({})", show(&e.path));
    if e.offset < *pos {
        return Err(unsupported(format!(
            "{}: its local header (offset {}) is inside the previous member (which ends at {pos}): overlapping entries",
            name(),
            e.offset
        )));
    }
    if e.offset > *pos {
        return Err(unsupported(format!(
            "{}: {} bytes before its local header belong to no member",
            name(),
            e.offset - *pos
        )));
    }
    let mut h = [0u8; 30];
    fill(reader, &mut h, name)?;
    if le32(&h, 0) != LOCAL_SIG {
        return Err(invalid(format!(
            "{}: no local header at offset {pos}",
            name()
        )));
    }
    let (flags, method, crc) = (le16(&h, 6), le16(&h, 8), le32(&h, 14));
    let (csize32, usize32) = (le32(&h, 18), le32(&h, 22));
    let (nlen, xlen) = (le16(&h, 26) as usize, le16(&h, 28) as usize);
    let mut var = vec![0u8; nlen + xlen];
    fill(reader, &mut var, name)?;
    *pos += 30 + var.len() as u64;
    let disagree = |what: &str, local: String, central: String| {
        unsupported(format!(
            "{}: its local header and the central directory give different {what} ({local} and {central})",
            name()
        ))
    };
    if var[..nlen] != e.raw_name[..] {
        return Err(disagree(
            "names",
            show(&String::from_utf8_lossy(&var[..nlen])),
            show(&String::from_utf8_lossy(&e.raw_name)),
        ));
    }
    if flags != e.flags {
        return Err(disagree(
            "flags",
            format!("0x{flags:04x}"),
            format!("0x{:04x}", e.flags),
        ));
    }
    if method != e.method {
        return Err(disagree(
            "methods",
            method_name(method),
            method_name(e.method),
        ));
    }
    let fields = extras(&var[nlen..]).map_err(|why| unsupported(format!("{}: {why}", name())))?;
    let local_path = decode_name(&var[..nlen], flags, &fields, e.host)
        .map_err(|why| unsupported(format!("{}: {why}", name())))?;
    if local_path != e.path {
        return Err(disagree("names", show(&local_path), show(&e.path)));
    }
    let (lusize, lcsize, _, zip64) = zip64_values(&fields, usize32, csize32, None)
        .map_err(|why| unsupported(format!("{}: {why}", name())))?;
    let descriptor = flags & FLAG_DESCRIPTOR != 0;
    // With a data descriptor, the local CRC and sizes may be zero (written before the data).
    let zero_ok = |v: u64| descriptor && v == 0;
    if crc != e.crc && !zero_ok(crc as u64) {
        return Err(disagree(
            "CRC-32s",
            format!("{crc:08x}"),
            format!("{:08x}", e.crc),
        ));
    }
    if (lcsize != e.csize && !zero_ok(lcsize)) || (lusize != e.usize && !zero_ok(lusize)) {
        return Err(disagree(
            "sizes",
            format!("{lcsize}/{lusize}"),
            format!("{}/{}", e.csize, e.usize),
        ));
    }
    // The data, decompressed as it streams.
    let mut crc32 = crc32fast::Hasher::new();
    let mut hasher = sel.map(MultiHasher::new);
    let mut link = Vec::new();
    if e.kind == Kind::File {
        inspector.begin(index, &e.path);
    }
    let mut sink = |b: &[u8]| {
        crc32.update(b);
        match e.kind {
            Kind::File => {
                if let Some(h) = &mut hasher {
                    h.update(b);
                }
                inspector.update(b);
            }
            Kind::Symlink => link.extend_from_slice(b),
            Kind::Dir => {}
        }
    };
    let size = if e.method == 0 {
        let n = feed(reader, e.csize, &mut sink)
            .map_err(|err| invalid(format!("{}: {err}", name())))?;
        if n < e.csize {
            return Err(invalid(format!("{}: the archive ends in its data", name())));
        }
        n
    } else {
        inflate(reader, e.csize, e.usize, out, &mut sink)
            .map_err(|why| unsupported(format!("{}: {why}", name())))?
    };
    *pos += e.csize;
    if size != e.usize {
        return Err(unsupported(format!(
            "{}: its data is {size} bytes, but its declared size is {}",
            name(),
            e.usize
        )));
    }
    let got = crc32.finalize();
    if got != e.crc {
        return Err(unsupported(format!(
            "{}: CRC-32 mismatch (stored {:08x}, content {got:08x}): the member is damaged",
            name(),
            e.crc
        )));
    }
    if descriptor {
        let mut sig = [0u8; 4];
        fill(reader, &mut sig, name)?;
        let mut d = [0u8; 20];
        let wide = if zip64 { 8 } else { 4 };
        let (has_sig, dcrc) = if le32(&sig, 0) == DESCRIPTOR_SIG {
            fill(reader, &mut d[..4 + 2 * wide], name)?;
            (true, le32(&d, 0))
        } else {
            fill(reader, &mut d[..2 * wide], name)?;
            (false, le32(&sig, 0))
        };
        let sizes = if has_sig { &d[4..] } else { &d[..] };
        let (dc, du) = if zip64 {
            (le64(sizes, 0), le64(sizes, 8))
        } else {
            (le32(sizes, 0) as u64, le32(sizes, 4) as u64)
        };
        if dcrc != e.crc || dc != e.csize || du != e.usize {
            return Err(unsupported(format!(
                "{}: its data descriptor (CRC-32 {dcrc:08x}, sizes {dc}/{du}) and the central directory (CRC-32 {:08x}, sizes {}/{}) disagree",
                name(),
                e.crc,
                e.csize,
                e.usize
            )));
        }
        *pos += if has_sig { 4 } else { 0 } + 4 + 2 * wide as u64;
    }
    Ok(match e.kind {
        Kind::File => super::tarmember::file_member(
            e.path.clone(),
            size,
            hasher.map(MultiHasher::finish).unwrap_or_default(),
            e.mtime,
            inspector,
        ),
        Kind::Dir => super::tarmember::non_file_member(e.path.clone(), "dir", None, e.mtime),
        Kind::Symlink => {
            let target = String::from_utf8(link)
                .map_err(|_| unsupported(format!("{}: its link target is not UTF-8", name())))?;
            super::tarmember::non_file_member(e.path.clone(), "symlink", Some(target), e.mtime)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(id: u16, data: &[u8]) -> Vec<u8> {
        let mut v = id.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn names_follow_the_flag_the_unicode_path_field_the_host() {
        let none: Vec<(u16, &[u8])> = Vec::new();
        // Bit 11: UTF-8, and only valid UTF-8.
        assert_eq!(
            decode_name("é".as_bytes(), FLAG_UTF8, &none, 0).unwrap(),
            "é"
        );
        assert!(decode_name(b"\xe9", FLAG_UTF8, &none, 3).is_err());
        // The Unicode Path field, when its CRC-32 is the stored name's; else ignored.
        let mut up = vec![1];
        up.extend_from_slice(&crc32fast::hash(b"caf\x82").to_le_bytes());
        up.extend_from_slice("café".as_bytes());
        let x = field(0x7075, &up);
        let fields = extras(&x).unwrap();
        assert_eq!(decode_name(b"caf\x82", 0, &fields, 0).unwrap(), "café");
        assert_eq!(decode_name(b"cafe", 0, &fields, 0).unwrap(), "cafe");
        // MS-DOS and Windows hosts: code page 437 (0x82 is é, 0x81 ü, 0xE1 ß).
        assert_eq!(decode_name(b"caf\x82", 0, &none, 0).unwrap(), "café");
        assert_eq!(decode_name(b"\x81\xe1", 0, &none, 11).unwrap(), "üß");
        // Unix hosts: the bytes unzip writes, which must be UTF-8.
        assert_eq!(decode_name("é".as_bytes(), 0, &none, 3).unwrap(), "é");
        assert!(decode_name(b"caf\x82", 0, &none, 3)
            .unwrap_err()
            .contains("not UTF-8"));
        assert_eq!(
            cp437(&(0x80..=0xff).collect::<Vec<u8>>()).chars().count(),
            128
        );
    }

    #[test]
    fn extra_fields_must_tile_and_zip64_values_come_in_order() {
        assert!(extras(&[1, 0, 9, 0, 1]).is_err());
        assert!(extras(&[1, 0, 0]).is_err());
        let mut d = 5_000_000_000u64.to_le_bytes().to_vec();
        d.extend_from_slice(&7u64.to_le_bytes());
        let x = field(1, &d);
        let f = extras(&x).unwrap();
        // Only the fields at 0xFFFFFFFF take a ZIP64 value, in the order usize, csize, offset.
        assert_eq!(
            zip64_values(&f, u32::MAX, 10, Some(u32::MAX)).unwrap(),
            (5_000_000_000, 10, Some(7), true)
        );
        assert!(zip64_values(&f, u32::MAX, u32::MAX, Some(u32::MAX)).is_err());
        assert!(zip64_values(&[], u32::MAX, 1, None).is_err());
        // The extended timestamp: its mtime when flagged and not before 1970.
        let ut = field(0x5455, &[1, 0x10, 0x20, 0x30, 0x40]);
        assert_eq!(ut_mtime(&extras(&ut).unwrap()), Some(0x4030_2010));
        let neg = field(0x5455, &[1, 0, 0, 0, 0x80]);
        assert_eq!(ut_mtime(&extras(&neg).unwrap()), None);
        assert_eq!(ut_mtime(&extras(&field(0x5455, &[0])).unwrap()), None);
    }

    #[test]
    fn names_unzip_would_alter_are_refused() {
        for bad in ["", "/a", "a/../b", "..", "./a", "a//b", "a\\b", "a\0b"] {
            assert!(check_name(bad, Kind::File).is_err(), "{bad:?}");
        }
        assert!(check_name("a/b/", Kind::Dir).is_ok());
        assert!(check_name("a//", Kind::Dir).is_err());
        assert!(check_name("a/b c.txt", Kind::File).is_ok());
    }
    /// The check before the paths were sorted on disk: every path held.
    fn check_tree_in_memory(entries: &[(String, Kind)]) -> Result<(), String> {
        use std::collections::{HashMap, HashSet};
        let mut seen: HashMap<&str, (usize, Kind)> = HashMap::new();
        for (i, (path, kind)) in entries.iter().enumerate() {
            let key = path.trim_end_matches('/');
            if let Some((j, _)) = seen.insert(key, (i, *kind)) {
                return Err(format!(
                    "member {i} ({}): the same path as member {j}; unzip would ask whether to replace it",
                    show(path)
                ));
            }
        }
        let mut parents: HashSet<&str> = HashSet::new();
        for (i, (path, _)) in entries.iter().enumerate() {
            let key = path.trim_end_matches('/');
            let mut at = 0;
            while let Some(k) = key[at..].find('/') {
                let parent = &key[..at + k];
                if parents.insert(parent) {
                    if let Some((j, kind)) = seen.get(parent) {
                        if *kind != Kind::Dir {
                            return Err(format!(
                                "member {i} ({}): below member {j}, which is not a directory",
                                show(path)
                            ));
                        }
                    }
                }
                at += k + 1;
            }
        }
        Ok(())
    }

    fn entry(path: &str, kind: Kind) -> Entry {
        Entry {
            raw_name: path.as_bytes().to_vec(),
            host: 3,
            path: path.to_string(),
            kind,
            flags: 0,
            method: 0,
            crc: 0,
            csize: 0,
            usize: 0,
            offset: 0,
            mtime: None,
        }
    }

    #[test]
    fn the_sorted_tree_check_names_the_member_the_in_memory_check_named() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let names = ["a", "b", "a-b", "a.b", "c"];
        let mut outcomes = [0usize; 3];
        for round in 0..3000 {
            let count = 1 + next(9) as usize;
            let entries: Vec<(String, Kind)> = (0..count)
                .map(|_| {
                    let depth = 1 + next(3) as usize;
                    let mut path = (0..depth)
                        .map(|_| names[next(names.len() as u64) as usize])
                        .collect::<Vec<_>>()
                        .join("/");
                    let kind = match next(3) {
                        0 => Kind::Dir,
                        1 => Kind::File,
                        _ => Kind::Symlink,
                    };
                    if kind == Kind::Dir {
                        path.push('/');
                    }
                    (path, kind)
                })
                .collect();
            // Runs of a few records, so that most rounds sort through files and merges.
            let mut tree = TreeCheck {
                sorted: extsort::Sorter::with_run_bytes(1 + round % 40),
                record: Vec::new(),
            };
            for (i, (path, kind)) in entries.iter().enumerate() {
                tree.push(i, &entry(path, *kind)).unwrap();
            }
            let got = tree.finish().map_err(|e| match e {
                Stop::Unsupported(m) => m,
                other => panic!("{other:?}"),
            });
            let want = check_tree_in_memory(&entries);
            assert_eq!(got, want, "{entries:?}");
            outcomes[match &want {
                Ok(()) => 0,
                Err(m) if m.contains("same path") => 1,
                Err(_) => 2,
            }] += 1;
        }
        // Every outcome is met many times.
        assert!(outcomes.iter().all(|&n| n > 300), "{outcomes:?}");
    }

    /// A zip of stored members `(name, data)`: local records in the order given, the
    /// central directory in `cd_order`.
    fn stored_zip(members: &[(&str, &[u8])], cd_order: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut offsets = Vec::new();
        for (name, data) in members {
            offsets.push(out.len() as u32);
            out.extend_from_slice(&LOCAL_SIG.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
            out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
        }
        let cd_at = out.len() as u32;
        for &i in cd_order {
            let (name, data) = members[i];
            out.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            out.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
            out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
            out.extend_from_slice(&offsets[i].to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        let cd_len = out.len() as u32 - cd_at;
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&cd_len.to_le_bytes());
        out.extend_from_slice(&cd_at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn read_zip(bytes: &[u8], between: impl FnOnce(&File)) -> Result<Vec<Member>, Stop> {
        use std::io::{Seek, Write};
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f.rewind().unwrap();
        let dir = read_directory(&f, bytes.len() as u64)?;
        between(&f);
        let mut r = BufReader::new(&f);
        r.rewind().unwrap();
        let sel = HashSelection::default();
        inspect_members(&mut r, &dir, sel, &mut crate::store::hashing::NoInspection)
    }

    #[test]
    fn members_come_in_central_directory_order_whatever_the_offset_order() {
        let members: [(&str, &[u8]); 3] = [("x", b"one"), ("y", b"two"), ("z", b"three")];
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let got = read_zip(&stored_zip(&members, &order), |_| {}).unwrap();
            let names: Vec<&str> = got.iter().map(|m| m.path.as_str()).collect();
            let want: Vec<&str> = order.iter().map(|&i| members[i].0).collect();
            assert_eq!(names, want);
            for (m, &i) in got.iter().zip(&order) {
                let sha = crate::format::encoding::hex(&Sha256::digest(members[i].1));
                assert_eq!(m.hashes.as_ref().unwrap().sha256, sha, "{}", m.path);
            }
        }
    }

    #[test]
    fn a_central_directory_changed_between_its_two_reads_is_refused() {
        let zip = stored_zip(&[("x", b"one"), ("y", b"two")], &[0, 1]);
        let cd_at = zip.len() - 22 - 2 * (46 + 1);
        assert_eq!(read_zip(&zip, |_| {}).unwrap().len(), 2);
        // The second entry's modification time, which nothing else checks, changed after
        // the first read.
        let time_at = (cd_at + 46 + 1 + 12) as u64;
        let got = read_zip(&zip, |f| f.write_all_at(b"\x01", time_at).unwrap());
        match got {
            Err(Stop::Invalid(m)) => assert!(m.contains("central directory changed"), "{m}"),
            other => panic!("{other:?}"),
        }
        // The same with the directory out of offset order, whose entries are sorted by offset
        // from their second read.
        let zip = stored_zip(&[("x", b"one"), ("y", b"two")], &[1, 0]);
        assert_eq!(read_zip(&zip, |_| {}).unwrap().len(), 2);
        let got = read_zip(&zip, |f| f.write_all_at(b"\x01", time_at).unwrap());
        match got {
            Err(Stop::Invalid(m)) => assert!(m.contains("central directory changed"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn many_members_out_of_offset_order_come_in_central_directory_order() {
        // Enough entries for the sorts to leave memory is too slow for a unit test; the order
        // and the content are what the on-disk sort must keep (store::extsort is tested with
        // small runs).
        let names: Vec<String> = (0..300).map(|i| format!("d/{i:03}")).collect();
        let bodies: Vec<Vec<u8>> = (0..300).map(|i| format!("body {i}").into_bytes()).collect();
        let members: Vec<(&str, &[u8])> = names
            .iter()
            .zip(&bodies)
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let order: Vec<usize> = (0..300).map(|i| (i * 7 + 3) % 300).collect();
        let got = read_zip(&stored_zip(&members, &order), |_| {}).unwrap();
        assert_eq!(got.len(), 300);
        for (m, &i) in got.iter().zip(&order) {
            assert_eq!(m.path, names[i]);
            let sha = crate::format::encoding::hex(&Sha256::digest(&bodies[i]));
            assert_eq!(m.hashes.as_ref().unwrap().sha256, sha, "{}", m.path);
        }
    }
}
