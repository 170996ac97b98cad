//! A streaming reader of uncompressed tar archives that resolves every member as GNU `tar -x`
//! (1.34) does and hashes member data in place: it takes the archive as a [`BufRead`] (in
//! `scelle`, the shared chunks of [`crate::store::hashing::ChunkReader`], or a buffered gzip
//! decoder) and feeds each regular member's bytes straight from the borrowed buffers into a
//! [`MultiHasher`], without the copy a `Read`-based parser makes. The same parser
//! (`Parser`) reads evidence bundles in [`crate::store::safeextract`].
//!
//! Tar readers disagree on archives whose headers say two things at once: GNU tar takes a PAX
//! `path` over a GNU long name (`L`), the last of several long names or PAX headers, the last
//! of repeated PAX records, applies a global PAX header's `path` or `size` to every later
//! member, reads no data after a hard link, directory or link header whatever its size field
//! says, treats `L`/`K`/`x`/`g`/`X` headers as extensions without looking at the magic, and
//! joins the ustar prefix whenever the magic is `ustar\0`; the `tar` crate, Python's `tarfile`
//! and others each decide otherwise on some of these. Such a *header alias* lets an archive
//! show one name or content to one reader and another to `tar -x`. This parser refuses every
//! one of them ([`Stop::Unsupported`], FORMAT.md 6.2): what it accepts, every reader reads alike.
//!
//! What it accepts: 512-byte headers with a valid (unsigned) checksum, decoded by `tar::Header`
//! (sizes in octal or base-256, entry type, mtime); at most one GNU long name (`L`), one long
//! link (`K`) and one PAX extended header (`x`) before a member, in headers with ustar or GNU
//! magic, their data within bounds (1 MiB per long name, 16 MiB of PAX records); PAX records well formed, `path`, `linkpath` and
//! `size` each given once (or repeated with the same value), without NUL; a long name and a
//! PAX `path` (a long link and a PAX `linkpath`) only if they are equal; the PAX `size`
//! replacing the header's; PAX global headers (`g`, returned as members, as `git archive`
//! writes them) without `path`, `linkpath`, `size` or `GNU.sparse.*` records and not between a
//! member's extension headers; a non-regular member (link, directory, device, FIFO) or a
//! regular member whose name ends with `/` (GNU tar makes it a directory) only without data.
//! The first all-zero block, or the end of the stream at a header boundary, ends the archive;
//! whatever follows is not read. Member types are returned as found (sparse members,
//! unknown types): the callers decide.

use crate::format::body::Member;
use crate::store::hashing::{HashSelection, MemberInspector, MultiHasher, NoInspection};
use std::io::{self, BufRead};

const BLOCK: u64 = 512;

/// Why the streaming reader stopped without members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The archive is not a valid tar (the message says where and why).
    Invalid(String),
    /// The archive is a valid tar that GNU tar and other readers would read differently (a
    /// header alias), or holds a member whose content `tar -x` makes differently from its
    /// bytes (a sparse member, an unknown type): nothing is recorded for it. The message names
    /// the member and the reason.
    Unsupported(String),
    /// The sink given the members refused one (its own error says why).
    Sink,
}

/// What a member sink returns when it cannot take a member: the read stops with
/// [`Stop::Sink`], and the sink keeps its own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinkStopped;

/// The sink an archive reader (tar or zip) gives each member to as it reads it (a failing sink
/// stops it).
pub type MemberSink<'a> = &'a mut (dyn FnMut(Member) -> Result<(), SinkStopped> + Send);

/// Runs an archive reader that gives each member to a sink (with the error to return when that
/// sink stops it), keeping every member: the archive's digest.
pub(crate) fn collected(
    read: impl FnOnce(
        MemberSink<'_>,
        &mut dyn FnMut() -> crate::error::Error,
    ) -> crate::error::Result<(u64, crate::format::body::Hashes)>,
) -> crate::error::Result<crate::store::hashing::ArchiveDigest> {
    let mut members = Vec::new();
    let (size, hashes) = read(
        &mut |m| {
            members.push(m);
            Ok(())
        },
        &mut || unreachable!("collecting never fails"),
    )?;
    Ok(crate::store::hashing::ArchiveDigest {
        size,
        hashes,
        members,
    })
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Invalid(m) | Stop::Unsupported(m) => f.write_str(m),
            Stop::Sink => f.write_str("the member list could not be kept"),
        }
    }
}

/// Why [`Parser::next_member`] failed.
#[derive(Debug)]
pub(crate) enum Fault {
    /// Reading the archive failed (the reader's own error).
    Io(io::Error),
    /// Not a valid tar.
    Invalid(String),
    /// A header alias: readers would disagree on the member (the message says how).
    Alias(String),
    /// An extension header declares more data than [`HeaderLimits`] allows.
    TooLarge(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Io(e) => write!(f, "{e}"),
            Fault::Invalid(m) | Fault::Alias(m) | Fault::TooLarge(m) => f.write_str(m),
        }
    }
}

/// The most extension data held in memory for one member.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeaderLimits {
    /// Bytes of data of one GNU long name or long link header.
    pub name: u64,
    /// Bytes of data of one PAX extended (or global) header.
    pub pax: u64,
}

impl HeaderLimits {
    /// For sealing: 1 MiB per long name, 16 MiB of PAX records.
    pub const SEAL: HeaderLimits = HeaderLimits {
        name: 1 << 20,
        pax: 16 << 20,
    };
}

/// The bytes of the archive with their offset, read without copying where possible.
pub(crate) struct Stream<'r, R> {
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

/// One member as GNU `tar -x` resolves it, its data not yet read.
pub(crate) struct Resolved {
    /// The member's own header block.
    pub header: tar::Header,
    /// Its type byte.
    pub typeflag: u8,
    /// Its name: the PAX `path`, else the GNU long name, else the ustar prefix joined to the
    /// name field (each agreeing with the others given).
    pub path: Vec<u8>,
    /// Its link target (`linkpath`, long link or the header's field), for links.
    pub link: Option<Vec<u8>>,
    /// Bytes of data that follow the header (the PAX `size` if given); 0 for a global header,
    /// whose records were read already.
    pub size: u64,
    /// PAX records name it a GNU sparse file (`GNU.sparse.*`).
    pub pax_sparse: bool,
}

impl Resolved {
    /// The name ends with `/`: GNU tar makes a regular member so named a directory.
    pub fn has_trailing_slash(&self) -> bool {
        self.path.ends_with(b"/")
    }
}

/// What the PAX records of one header say about the names and size (FORMAT.md 6.2).
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    sparse: bool,
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    match s.char_indices().nth(200) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// Parses PAX records strictly: `LEN KEY=VALUE\n` each, no malformed record (GNU tar stops
/// reading a header at one, other readers skip it), `path`, `linkpath` and `size` at most once
/// each unless repeated with the same value (GNU tar keeps the last, the `tar` crate the
/// first), without NUL in a name (GNU tar cuts it there), `size` a decimal number.
fn parse_pax(data: &[u8]) -> Result<Pax, Fault> {
    let mut pax = Pax::default();
    let mut rest = data;
    while !rest.is_empty() {
        let bad = |why: &str| {
            Fault::Alias(format!(
                "malformed PAX record ({why}): GNU tar stops reading the header there, other readers skip the record"
            ))
        };
        let sp = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("no length"))?;
        let len_txt = &rest[..sp];
        if len_txt.is_empty() || !len_txt.iter().all(u8::is_ascii_digit) || len_txt.len() > 19 {
            return Err(bad("length not a decimal number"));
        }
        let len: usize = std::str::from_utf8(len_txt)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("length not a decimal number"))?;
        if len <= sp + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(bad("length does not end the record at a newline"));
        }
        let body = &rest[sp + 1..len - 1];
        let eq = body
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad("no '='"))?;
        let (key, value) = (&body[..eq], &body[eq + 1..]);
        rest = &rest[len..];
        let set = |slot: &mut Option<Vec<u8>>, name: &str| -> Result<(), Fault> {
            if value.contains(&0) {
                return Err(Fault::Alias(format!(
                    "PAX {name} {} contains a NUL byte: GNU tar cuts the name there, other readers do not",
                    show(value)
                )));
            }
            match slot {
                Some(old) if old.as_slice() != value => Err(Fault::Alias(format!(
                    "PAX {name} given twice, {} and {}: GNU tar takes the last, other readers the first",
                    show(old),
                    show(value)
                ))),
                _ => {
                    *slot = Some(value.to_vec());
                    Ok(())
                }
            }
        };
        match key {
            b"path" => set(&mut pax.path, "path")?,
            b"linkpath" => set(&mut pax.linkpath, "linkpath")?,
            b"size" => {
                let n = (!value.is_empty() && value.len() <= 19 && value.iter().all(u8::is_ascii_digit))
                    .then(|| std::str::from_utf8(value).ok()?.parse::<u64>().ok())
                    .flatten()
                    .filter(|&n| n <= i64::MAX as u64)
                    .ok_or_else(|| {
                        Fault::Alias(format!(
                            "PAX size {} is not a decimal number: GNU tar ignores it, other readers may not",
                            show(value)
                        ))
                    })?;
                if pax.size.is_some_and(|old| old != n) {
                    return Err(Fault::Alias(
                        "PAX size given twice with two values: GNU tar takes the last, other readers the first".into(),
                    ));
                }
                pax.size = Some(n);
            }
            k if k.starts_with(b"GNU.sparse.") => pax.sparse = true,
            _ => {}
        }
    }
    Ok(pax)
}

/// The data of a GNU long name or long link: the name, then at most one NUL. (GNU tar and
/// Python's `tarfile` cut at the first NUL, the `tar` crate drops one trailing NUL.)
fn long_name(data: Vec<u8>, what: &str) -> Result<Vec<u8>, Fault> {
    let name = data.strip_suffix(&[0]).unwrap_or(&data);
    if name.contains(&0) {
        return Err(Fault::Alias(format!(
            "GNU {what} {} has bytes after a NUL: GNU tar cuts the name at the NUL, the tar crate does not",
            show(&data)
        )));
    }
    Ok(name.to_vec())
}

/// A C string field of a header: up to its first NUL.
fn field(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(n) => &bytes[..n],
        None => bytes,
    }
}

/// The name a header itself gives: the ustar prefix (magic `ustar\0`), `/`, the name field.
fn header_name(h: &tar::Header) -> Result<Vec<u8>, Fault> {
    let b = h.as_bytes();
    let name = field(&b[..100]);
    let prefix = field(&b[345..500]);
    if &b[257..263] != b"ustar\0" || prefix.is_empty() {
        return Ok(name.to_vec());
    }
    if &b[263..265] != b"00" {
        return Err(Fault::Alias(format!(
            "ustar magic with version {:?} and a prefix {}: GNU tar joins the prefix to the name, other readers do not",
            String::from_utf8_lossy(&b[263..265]),
            show(prefix)
        )));
    }
    let mut p = prefix.to_vec();
    p.push(b'/');
    p.extend_from_slice(name);
    Ok(p)
}

fn type_name(t: u8) -> String {
    format!("'{}'", t.escape_ascii())
}

/// The header parser: one member at a time, its data read (or skipped) by the caller.
pub(crate) struct Parser<'r, R> {
    s: Stream<'r, R>,
    /// Offset of the next header.
    next: u64,
    limits: HeaderLimits,
}

impl<'r, R: BufRead> Parser<'r, R> {
    /// A parser at the start of `r`.
    pub fn new(r: &'r mut R, limits: HeaderLimits) -> Self {
        Parser {
            s: Stream { r, pos: 0 },
            next: 0,
            limits,
        }
    }

    /// Passes up to `amt` bytes of the current member's data to `f` (fewer only if the stream
    /// ends); returns how many.
    pub fn data(&mut self, amt: u64, f: impl FnMut(&[u8])) -> io::Result<u64> {
        self.s.feed(amt, f)
    }

    fn skip_to_next(&mut self) -> Result<(), Fault> {
        let delta = self.next.saturating_sub(self.s.pos);
        let skipped = self.s.feed(delta, |_| {}).map_err(Fault::Io)?;
        if skipped < delta {
            return Err(Fault::Invalid(
                "unexpected end of the archive in a member's data".into(),
            ));
        }
        Ok(())
    }

    /// The next header block, its size field decoded; `None` at the end of the archive.
    fn next_block(&mut self) -> Result<Option<(tar::Header, u64, u64)>, Fault> {
        self.skip_to_next()?;
        let offset = self.s.pos;
        let mut header = tar::Header::new_old();
        let n = self.s.read_into(header.as_mut_bytes()).map_err(Fault::Io)?;
        if n == 0 {
            return Ok(None);
        }
        if n < BLOCK as usize {
            return Err(Fault::Invalid(
                "the archive ends inside a header block".into(),
            ));
        }
        if header.as_bytes().iter().all(|&b| b == 0) {
            return Ok(None);
        }
        let bytes = header.as_bytes();
        let sum = bytes[..148]
            .iter()
            .chain(&bytes[156..])
            .fold(0u32, |a, &b| a + u32::from(b))
            + 8 * 32;
        let stored = header
            .cksum()
            .map_err(|e| Fault::Invalid(format!("header checksum field: {e}")))?;
        if sum != stored {
            return Err(Fault::Invalid("archive header checksum mismatch".into()));
        }
        let size = header
            .entry_size()
            .map_err(|e| Fault::Invalid(format!("header size field: {e}")))?;
        self.next = offset + BLOCK;
        self.set_size(size)?;
        Ok(Some((header, size, offset)))
    }

    /// Sets where the next header is, after `size` bytes of data from the current position.
    fn set_size(&mut self, size: u64) -> Result<(), Fault> {
        let padded = size
            .checked_add(BLOCK - 1)
            .ok_or_else(|| Fault::Invalid("size overflow".into()))?;
        self.next = self
            .s
            .pos
            .checked_add(padded & !(BLOCK - 1))
            .ok_or_else(|| Fault::Invalid("size overflow".into()))?;
        Ok(())
    }

    /// The data of an extension header, in memory, within `limit`.
    fn read_ext(&mut self, t: u8, size: u64, limit: u64) -> Result<Vec<u8>, Fault> {
        if size > limit {
            return Err(Fault::TooLarge(format!(
                "extension header {} of {size} bytes, more than the limit of {limit}",
                type_name(t)
            )));
        }
        let mut v = Vec::with_capacity(size as usize);
        let got = self
            .s
            .feed(size, |b| v.extend_from_slice(b))
            .map_err(Fault::Io)?;
        if got < size {
            return Err(Fault::Invalid(
                "unexpected end of the archive in an extension header".into(),
            ));
        }
        Ok(v)
    }

    /// The next member, resolved as GNU tar does (and refused where readers disagree);
    /// `None` at the end of the archive. Its data, `size` bytes, is read with [`Parser::data`]
    /// or skipped by the next call.
    pub fn next_member(&mut self) -> Result<Option<Resolved>, Fault> {
        let mut long_name_data: Option<Vec<u8>> = None;
        let mut long_link_data: Option<Vec<u8>> = None;
        let mut pax: Option<Pax> = None;
        loop {
            let pending = long_name_data.is_some() || long_link_data.is_some() || pax.is_some();
            let Some((header, size, offset)) = self.next_block()? else {
                if pending {
                    return Err(Fault::Invalid(
                        "extension headers describing a member, but no member follows".into(),
                    ));
                }
                return Ok(None);
            };
            let t = header.as_bytes()[156];
            let magic = header.as_gnu().is_some() || header.as_ustar().is_some();
            let extension = matches!(t, b'L' | b'K' | b'x' | b'g' | b'X');
            if extension && !magic {
                return Err(Fault::Alias(format!(
                    "extension header {} without ustar or GNU magic: GNU tar applies it to the next member, other readers list it as a member",
                    type_name(t)
                )));
            }
            match t {
                b'X' => {
                    return Err(Fault::Alias(
                        "Solaris extended header 'X': GNU tar applies it as PAX records, other readers do not".into(),
                    ))
                }
                b'L' | b'K' => {
                    let what = if t == b'L' { "long name" } else { "long link" };
                    let slot = if t == b'L' {
                        &mut long_name_data
                    } else {
                        &mut long_link_data
                    };
                    if slot.is_some() {
                        return Err(Fault::Alias(format!(
                            "two GNU {what} headers for one member: GNU tar takes the last, other readers the first or neither"
                        )));
                    }
                    let data = self.read_ext(t, size, self.limits.name)?;
                    let v = long_name(data, what)?;
                    if t == b'L' {
                        long_name_data = Some(v);
                    } else {
                        long_link_data = Some(v);
                    }
                    continue;
                }
                b'x' => {
                    if pax.is_some() {
                        return Err(Fault::Alias(
                            "two PAX extended headers for one member: GNU tar takes the last, other readers the first or neither".into(),
                        ));
                    }
                    let data = self.read_ext(t, size, self.limits.pax)?;
                    pax = Some(parse_pax(&data)?);
                    continue;
                }
                b'g' => {
                    if pending {
                        return Err(Fault::Alias(
                            "a PAX global header between a member's extension headers: GNU tar applies them to the member after it, other readers to the global header".into(),
                        ));
                    }
                    let data = self.read_ext(t, size, self.limits.pax)?;
                    let g = parse_pax(&data)?;
                    for (given, key) in [
                        (g.path.is_some(), "path"),
                        (g.linkpath.is_some(), "linkpath"),
                        (g.size.is_some(), "size"),
                        (g.sparse, "GNU.sparse.*"),
                    ] {
                        if given {
                            return Err(Fault::Alias(format!(
                                "a PAX global header sets {key}: GNU tar applies it to every later member, other readers ignore it"
                            )));
                        }
                    }
                    let path = header_name(&header)?;
                    return Ok(Some(Resolved {
                        header,
                        typeflag: t,
                        path,
                        link: None,
                        size: 0,
                        pax_sparse: false,
                    }));
                }
                _ => {}
            }
            let pax = pax.unwrap_or_default();
            let path = match (&long_name_data, &pax.path) {
                (_, Some(p)) => p.clone(),
                (Some(l), None) => l.clone(),
                (None, None) => header_name(&header)?,
            };
            if let (Some(l), Some(p)) = (&long_name_data, &pax.path) {
                if l != p {
                    return Err(Fault::Alias(format!(
                        "GNU long name {} and PAX path {} disagree: GNU tar extracts the PAX path, other readers the long name",
                        show(l),
                        show(p)
                    )));
                }
            }
            if let (Some(k), Some(lp)) = (&long_link_data, &pax.linkpath) {
                if k != lp {
                    return Err(Fault::Alias(format!(
                        "GNU long link {} and PAX linkpath {} disagree: GNU tar takes the PAX linkpath, other readers the long link",
                        show(k),
                        show(lp)
                    )));
                }
            }
            let link = match (long_link_data, pax.linkpath) {
                (_, Some(lp)) => lp,
                (Some(k), None) => k,
                (None, None) => field(&header.as_bytes()[157..257]).to_vec(),
            };
            let size = pax.size.unwrap_or(size);
            let regular = matches!(t, b'0' | 0 | b'7');
            let dataless = matches!(t, b'1' | b'2' | b'3' | b'4' | b'5' | b'6')
                || (regular && path.ends_with(b"/"));
            if dataless && size != 0 {
                let what = if regular {
                    "a regular member named with a trailing '/' (a directory for GNU tar)"
                        .to_string()
                } else {
                    format!("a member of type {}", type_name(t))
                };
                return Err(Fault::Alias(format!(
                    "{} {what} declares {size} bytes of data: GNU tar reads none and takes them for the next header, other readers skip them",
                    show(&path)
                )));
            }
            // Where the next header is: after this member's data.
            self.next = offset + BLOCK;
            self.set_size(size)?;
            let link = matches!(t, b'1' | b'2').then_some(link);
            return Ok(Some(Resolved {
                header,
                typeflag: t,
                path,
                link,
                size,
                pax_sparse: pax.sparse,
            }));
        }
    }
}

fn utf8(bytes: &[u8], what: &str, index: usize) -> Result<String, Stop> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Stop::Invalid(format!(
            "member {index}: {what} is not UTF-8 ({:?})",
            String::from_utf8_lossy(bytes)
        ))
    })
}

fn stop(index: usize, f: Fault) -> Stop {
    match f {
        Fault::Alias(m) => Stop::Unsupported(format!(
            "member {index}: readers disagree on this archive: {m}"
        )),
        Fault::Io(e) => Stop::Invalid(format!("member {index}: {e}")),
        Fault::Invalid(m) | Fault::TooLarge(m) => Stop::Invalid(format!("member {index}: {m}")),
    }
}

/// What a sealed member is (FORMAT.md 6.2), or why it is refused.
enum SealKind {
    File,
    NonFile(&'static str),
}

fn seal_kind(m: &Resolved, index: usize) -> Result<SealKind, Stop> {
    let refuse =
        |why: String| Stop::Unsupported(format!("member {index} {}: {why}", show(&m.path)));
    Ok(match m.typeflag {
        b'0' | 0 | b'7' if m.pax_sparse => {
            return Err(refuse(
                "a GNU sparse file (PAX GNU.sparse.* records): tar -x makes a file other than the bytes stored".into(),
            ))
        }
        b'0' | 0 | b'7' if m.has_trailing_slash() => SealKind::NonFile("dir"),
        b'0' | 0 | b'7' => SealKind::File,
        b'1' => SealKind::NonFile("hardlink"),
        b'2' => SealKind::NonFile("symlink"),
        b'5' | b'D' => SealKind::NonFile("dir"),
        b'3' | b'4' | b'6' | b'M' | b'V' | b'g' => SealKind::NonFile("other"),
        b'S' => {
            return Err(refuse(
                "a GNU sparse file (type 'S'): tar -x makes a file other than the bytes stored".into(),
            ))
        }
        t => {
            return Err(refuse(format!(
                "unknown member type {}: GNU tar extracts it as a regular file, other readers skip it",
                type_name(t)
            )))
        }
    })
}

/// What an earlier member left at a path, as `tar -x` extracts it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Made {
    /// A directory (a directory member, or a parent `tar -x` made for a member below it).
    Dir,
    /// A regular file, device, FIFO, or a hard link to one of these.
    File,
    /// A symbolic link, or a hard link to one (`tar -x` links the link itself).
    Link,
}

/// One path of the extracted tree.
struct Node {
    made: Made,
    /// The member that made it so (saturated at `u32::MAX`: only messages read it).
    index: u32,
    /// An earlier member was extracted below it (GNU tar cannot replace it then).
    has_children: bool,
}

/// A member's index as a [`Node`] keeps it.
fn node_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// The key of the extraction directory itself (a keyed hash is never this but with
/// probability 2^-128).
const ROOT: Key = Key(0, 0);

/// The tree `tar -x` builds, member by member, kept to refuse a member whose extraction its
/// record does not describe (FORMAT.md 6.2): one written through an earlier symbolic link or
/// below a non-directory, a non-directory replacing a directory earlier members were
/// extracted into. Memory: one map entry per path component of every extracted member, 24
/// bytes whatever the name's length: a node's state, and its key, a keyed 128-bit hash of its
/// parent's key and its name (the names themselves are not kept: a message names the member's
/// own path). Without the key, chosen at random by each process, no archive can make two
/// paths collide.
struct Extracted {
    /// Keyed hash of (parent's key, component's bytes) → node.
    nodes: std::collections::HashMap<Key, Node, PreHashed>,
    keys: (
        std::collections::hash_map::RandomState,
        std::collections::hash_map::RandomState,
    ),
}

/// A keyed 128-bit hash, as two words (8-byte aligned: a map slot of 24 bytes, not 32).
#[derive(PartialEq, Eq, Clone, Copy)]
struct Key(u64, u64);

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }
}

/// The map of [`Extracted`]'s keys, already keyed hashes: their first word is the hash.
#[derive(Default, Clone, Copy)]
struct PreHashed;

impl std::hash::BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

/// See [`PreHashed`].
struct PreHashedHasher(u64);

impl std::hash::Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only a `Key` is hashed (`write_u64`); any other input still spreads.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A member path as `tar -x` walks it: its components without empty and `.` ones, and
/// whether a `.` follows the last one (which `tar -x` then walks through as a directory);
/// `None` for a path with a `..` component (not extracted).
fn walked(path: &[u8]) -> Option<(Vec<&[u8]>, bool)> {
    let mut names = Vec::new();
    let mut through_last = false;
    for c in path.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        match c {
            b".." => return None,
            b"." => through_last = !names.is_empty(),
            _ => {
                names.push(c);
                through_last = false;
            }
        }
    }
    Some((names, through_last))
}

fn joined(names: &[&[u8]]) -> String {
    show(&names.join(&b'/'))
}

impl Extracted {
    fn new() -> Self {
        let mut nodes = std::collections::HashMap::default();
        nodes.insert(
            ROOT,
            Node {
                made: Made::Dir,
                index: 0,
                has_children: true,
            },
        );
        Extracted {
            nodes,
            keys: Default::default(),
        }
    }

    /// The keyed 128-bit hash of the component `name` below node `parent`.
    fn key(&self, parent: Key, name: &[u8]) -> Key {
        use std::hash::{BuildHasher, Hasher};
        let half = |k: &std::collections::hash_map::RandomState| {
            let mut h = k.build_hasher();
            h.write_u64(parent.0);
            h.write_u64(parent.1);
            h.write(name);
            h.finish()
        };
        Key(half(&self.keys.0), half(&self.keys.1))
    }

    fn child(&self, parent: Key, name: &[u8]) -> Option<Key> {
        let key = self.key(parent, name);
        self.nodes.contains_key(&key).then_some(key)
    }

    fn node(&self, key: Key) -> &Node {
        self.nodes.get(&key).expect("a key the tree gave")
    }

    fn node_mut(&mut self, key: Key) -> &mut Node {
        self.nodes.get_mut(&key).expect("a key the tree gave")
    }

    fn add_child(&mut self, parent: Key, name: &[u8], node: Node) -> Key {
        let key = self.key(parent, name);
        self.nodes.insert(key, node);
        self.node_mut(parent).has_children = true;
        key
    }

    /// Walks `names[..upto]` as directories, `create`-ing missing ones as `tar -x` does for
    /// a member's parents. The node reached (`None`: missing, not created), or the
    /// non-directory found on the way: how many components name it, and what made it.
    fn walk(
        &mut self,
        names: &[&[u8]],
        upto: usize,
        create: Option<usize>,
    ) -> Result<Option<Key>, (usize, Made, usize)> {
        let mut cur = ROOT;
        for (i, name) in names[..upto].iter().enumerate() {
            let n = self.node(cur);
            if n.made != Made::Dir {
                return Err((i, n.made, n.index as usize));
            }
            cur = match (self.child(cur, name), create) {
                (Some(c), _) => c,
                (None, Some(index)) => self.add_child(
                    cur,
                    name,
                    Node {
                        made: Made::Dir,
                        index: node_index(index),
                        has_children: false,
                    },
                ),
                (None, None) => return Ok(None),
            };
        }
        let n = self.node(cur);
        if upto > 0 && n.made != Made::Dir {
            return Err((upto, n.made, n.index as usize));
        }
        Ok(Some(cur))
    }

    /// Records member `index` (type `typeflag`, its name and link target as GNU tar resolves
    /// them), or refuses it: the message says why.
    fn add(&mut self, index: usize, m: &Resolved) -> Result<(), String> {
        let Some((names, through_last)) = walked(&m.path) else {
            return Ok(()); // A '..' component: not extracted.
        };
        let made = match m.typeflag {
            b'g' => return Ok(()), // A global header: not extracted.
            b'5' | b'D' => Made::Dir,
            b'0' | 0 | b'7' if m.has_trailing_slash() => Made::Dir,
            b'2' => Made::Link,
            b'1' => {
                // GNU tar links the path the target names: through the tree as it is.
                match m.link.as_deref().and_then(walked) {
                    Some((t, t_through)) if !t.is_empty() => {
                        match self.walk(&t, t.len() - 1, None) {
                            Err((k, what, j)) => {
                                return Err(through(
                                    &t,
                                    k,
                                    what,
                                    j,
                                    "its link target passes through",
                                ))
                            }
                            Ok(None) => return Err(NO_LINK_TARGET.into()),
                            Ok(Some(parent)) => match self.child(parent, t[t.len() - 1]) {
                                Some(c) if t_through && self.node(c).made != Made::Dir => {
                                    let n = self.node(c);
                                    return Err(through(
                                        &t,
                                        t.len(),
                                        n.made,
                                        n.index as usize,
                                        "its link target passes through",
                                    ));
                                }
                                Some(c) if self.node(c).made == Made::Link => Made::Link,
                                Some(c) if self.node(c).made == Made::Dir => {
                                    return Err("its link target is a directory: GNU tar -x cannot hard-link a directory, so the member list does not say what it extracts".into());
                                }
                                Some(_) => Made::File,
                                None => return Err(NO_LINK_TARGET.into()),
                            },
                        }
                    }
                    _ => return Err(NO_LINK_TARGET.into()),
                }
            }
            _ => Made::File,
        };
        if names.is_empty() {
            return Ok(()); // The extraction directory itself.
        }
        let last = names.len() - 1;
        let parent = self
            .walk(&names, last, Some(index))
            .map_err(|(k, what, j)| through(&names, k, what, j, "it is extracted through"))?
            .unwrap_or(ROOT);
        let existing = self.child(parent, names[last]);
        if through_last {
            // `a/.`: GNU tar walks through `a` as a directory and makes nothing of its own.
            let n = existing.map(|c| self.node(c));
            if let Some(n) = n.filter(|n| n.made != Made::Dir) {
                return Err(through(
                    &names,
                    names.len(),
                    n.made,
                    n.index as usize,
                    "it is extracted through",
                ));
            }
            if made != Made::Dir {
                return Err(
                    "it names a directory ('.' last) but is not one: GNU tar -x cannot extract it"
                        .into(),
                );
            }
            if existing.is_none() {
                self.add_child(
                    parent,
                    names[last],
                    Node {
                        made,
                        index: node_index(index),
                        has_children: false,
                    },
                );
            }
            return Ok(());
        }
        match existing {
            Some(c) => {
                let n = self.node_mut(c);
                if made != Made::Dir && n.has_children {
                    return Err(
                        "it would replace a directory that earlier members were extracted into: GNU tar -x cannot, and keeps the directory".into()
                    );
                }
                // A later member replaces an earlier one (a directory replaces a file or a
                // link; a directory stays one).
                n.made = made;
                n.index = node_index(index);
            }
            None => {
                self.add_child(
                    parent,
                    names[last],
                    Node {
                        made,
                        index: node_index(index),
                        has_children: false,
                    },
                );
            }
        }
        Ok(())
    }
}

/// The refusal of a hard link whose target no earlier member extracted (GNU tar -x fails to
/// make it, so the link is not in the extracted tree).
const NO_LINK_TARGET: &str = "it is a hard link to a path no earlier member extracted: GNU tar -x cannot make it, so the member list does not say what it extracts";

/// The refusal of a member whose `what`-path passes through `names[..k]`, which member `j`
/// made a non-directory.
fn through(names: &[&[u8]], k: usize, made: Made, j: usize, what: &str) -> String {
    let made = match made {
        Made::Link => "a symbolic link (or a hard link to one): GNU tar -x follows it",
        _ => "a file, not a directory: GNU tar -x cannot extract below it",
    };
    format!(
        "{what} {}, which member {j} made {made}, so the member list does not say what it extracts",
        joined(&names[..k])
    )
}

/// Reads an uncompressed tar stream and hashes every regular member's content, hashing the
/// bytes where the reader holds them. Reads up to the end of the archive (its first zero block)
/// and no further. Refuses a member written through an earlier link or below a file (FORMAT.md
/// 6.2). Memory: one header, plus long names and PAX records while they apply (1 MiB per long
/// name, 16 MiB of PAX records), plus one entry per path component of the members so far.
pub fn hash_members<R: BufRead>(reader: &mut R, sel: HashSelection) -> Result<Vec<Member>, Stop> {
    inspect_members(reader, sel, &mut NoInspection)
}

/// [`hash_members`], showing each regular member's bytes to `inspector` as they are hashed.
pub fn inspect_members<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    sel: HashSelection,
    inspector: &mut I,
) -> Result<Vec<Member>, Stop> {
    let mut members = Vec::new();
    inspect_members_into(reader, sel, inspector, &mut |m| {
        members.push(m);
        Ok(())
    })?;
    Ok(members)
}

/// [`inspect_members`], giving each member to `sink` as it is read instead of collecting
/// them (a sink that fails stops the read with [`Stop::Sink`]); returns how many.
pub fn inspect_members_into<R: BufRead, I: MemberInspector>(
    reader: &mut R,
    sel: HashSelection,
    inspector: &mut I,
    sink: &mut dyn FnMut(Member) -> Result<(), SinkStopped>,
) -> Result<usize, Stop> {
    let mut p = Parser::new(reader, HeaderLimits::SEAL);
    let mut count = 0usize;
    let mut tree = Extracted::new();
    loop {
        let index = count;
        let entry = match p.next_member() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(f) => return Err(stop(index, f)),
        };
        let kind = seal_kind(&entry, index)?;
        tree.add(index, &entry).map_err(|why| {
            Stop::Unsupported(format!("member {index} {}: {why}", show(&entry.path)))
        })?;
        let path = utf8(&entry.path, "name", index)?;
        let mtime = entry.header.mtime().ok();
        let link = match &entry.link {
            Some(l) => Some(utf8(l, "link target", index)?),
            None => None,
        };
        let member = match kind {
            SealKind::File => {
                let mut h = MultiHasher::new(sel);
                inspector.begin(index, &path);
                let size = p
                    .data(entry.size, |b| {
                        h.update(b);
                        inspector.update(b);
                    })
                    .map_err(|e| Stop::Invalid(format!("member {index} ({path}): {e}")))?;
                if size < entry.size {
                    return Err(Stop::Invalid(format!(
                        "member {index} ({path}): unexpected end of the archive in the member's data"
                    )));
                }
                super::tarmember::file_member(path, size, h.finish(), mtime, inspector)
            }
            SealKind::NonFile(kind) => super::tarmember::non_file_member(path, kind, link, mtime),
        };
        sink(member).map_err(|SinkStopped| Stop::Sink)?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tarcrate;
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

    /// The streaming reader's result, the same whatever the chunking; when it accepts an
    /// archive, the `tar` crate reads the same members.
    fn check(data: &[u8]) -> std::result::Result<Vec<Member>, String> {
        let want = hash_members(&mut &data[..], ALL);
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
            assert_eq!(want, got, "chunks {sizes:?}");
        }
        if let Ok(m) = &want {
            assert_eq!(
                Ok(m),
                tarcrate::hash_members(data, ALL).as_ref(),
                "the tar crate agrees"
            );
        }
        want.map_err(|e| e.to_string())
    }

    /// An archive refused as a header alias (or an unsupported member): the message.
    fn refused(data: &[u8]) -> String {
        match hash_members(&mut &data[..], ALL) {
            Err(Stop::Unsupported(m)) => m,
            other => panic!("not refused: {other:?}"),
        }
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
            // Only regular members carry data.
            let data = vec![b'a' + i as u8; if i < 3 { 700 * (i + 1) } else { 0 }];
            let mut h = header("ustar", name.as_bytes(), *t, data.len() as u64);
            if *t == b'1' || *t == b'2' {
                // A hard link names an earlier member (GNU tar cannot link to nothing).
                h.set_link_name(if *t == b'1' { "m0" } else { "target" })
                    .unwrap();
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
        assert_eq!(m[2].size, Some(2100));
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
    fn extension_headers_without_magic_are_refused() {
        // GNU tar applies them to the next member; the tar crate lists them as members.
        for t in [b'L', b'K', b'x', b'g'] {
            let mut a = Vec::new();
            push(&mut a, &header("old", b"weird", t, 4), b"name");
            push(&mut a, &header("old", b"f", b'0', 1), b"z");
            let e = refused(&end(a));
            assert!(e.contains("without ustar or GNU magic"), "{e}");
        }
    }

    #[test]
    fn pax_path_linkpath_and_size() {
        let mut a = Vec::new();
        let mut rec = pax_record("path", format!("{}f", "p/".repeat(200)).as_bytes());
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
        assert_eq!(m[0].path, format!("{}f", "p/".repeat(200)));
        assert_eq!(m[0].size, Some(5));
        assert_eq!(m[0].link, None, "a file carries no link");
        assert_eq!(m[0].mtime, Some(1_700_000_000), "the header's mtime");
    }

    #[test]
    fn malformed_pax_records_are_refused() {
        for rec in [
            b"99 path=x\n".to_vec(),
            b"garbage".to_vec(),
            b"9 size=x\n".to_vec(),
            [pax_record("size", b"abc"), pax_record("size", b"3")].concat(),
            [b"6 a=\n".to_vec(), pax_record("path", b"later")].concat(),
            [pax_record("path", b"a"), pax_record("path", b"b")].concat(),
            pax_record("path", b"a\0b"),
        ] {
            let mut a = Vec::new();
            push(&mut a, &header("gnu", b"pax", b'x', rec.len() as u64), &rec);
            push(&mut a, &header("gnu", b"f", b'0', 3), b"abc");
            let e = refused(&end(a));
            assert!(e.contains("PAX"), "{e}");
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
        push(&mut a, &header("ustar", b"f", b'0', 1), b"1");
        push(&mut a, &header("ustar", b"g2", b'g', g.len() as u64), &g);
        let m = check(&end(a)).unwrap();
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.path.as_str(), m.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pax_global_header", "other"),
                ("from-x", "file"),
                ("g2", "other")
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
    fn gnu_sparse_is_refused() {
        let mut h = header("gnu", b"sparse", b'S', 512);
        let g = h.as_gnu_mut().unwrap();
        g.sparse[0].set_offset(3584);
        g.sparse[0].set_length(512);
        g.set_real_size(4096);
        h.set_cksum();
        let mut a = Vec::new();
        push(&mut a, &h, &[9; 512]);
        let a = end(a);
        assert!(refused(&a).contains("sparse"));
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
