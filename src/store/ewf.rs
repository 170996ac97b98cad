//! EWF (`.E01`) segment sets read as one exhibit (FORMAT.md 6.2, EWF images): every segment
//! file hashed as a member, the media stream decoded chunk by chunk and hashed, the header
//! and the stored MD5 / SHA-1 read, in bounded memory.
//!
//! Each segment is read twice, differently: a structural pass reads only its section
//! descriptors and small sections (header, volume, tables, hash, digest) at their offsets, to
//! learn where every chunk lies (a table follows the chunks it lists); then one streaming pass
//! reads the whole file in order, hashing it on digest threads while a parser thread decodes
//! each chunk where it passes and feeds the media digests. The streaming pass hashes again
//! every byte the structural pass used and refuses the set if they differ (the file changed in
//! between), and the stable-file check (`store::nofollow`) refuses a file that changed while read. Memory: one chunk, and
//! one segment's chunk list (4 bytes per chunk in the image, 16 here), like a tar's members.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{EwfBadChunk, EwfDigest, EwfHeader, EwfImage, Hashes, Member};
use crate::format::encoding::hex;
use crate::format::ewf::{self as fmt, Signature, Volume};
use crate::store::hashing::{self, ChunkReader, HashSelection, Progress};
use crate::store::nofollow::StableFile;
use sha2::Digest;
use std::io::{BufRead, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// Bad chunks listed in the record at most (all are counted).
pub const MAX_BAD_CHUNKS_LISTED: usize = 1000;
/// Largest header section accepted, compressed and decompressed.
const MAX_HEADER: u64 = 1 << 20;
/// Largest table accepted (entries): 4 bytes each.
const MAX_TABLE_ENTRIES: u64 = 1 << 24;

/// Whether the name says EWF: `.E01`, `.Ex01`, `.L01`, `.Lx01` (any case). A `.Ex01` / `.L01`
/// is then refused by name of its format rather than sealed as an opaque file.
pub fn is_ewf_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["e01", "ex01", "l01", "lx01"].contains(&e.to_ascii_lowercase().as_str()))
}

/// A read segment set.
pub struct EwfRead {
    /// The media's bytes.
    pub media_size: u64,
    /// Hashes of the media stream (SHA-256, SHA-512 if selected, MD5 and SHA-1 always).
    pub media_hashes: Hashes,
    /// Every segment file, in order: name, size, hashes of its bytes.
    pub members: Vec<Member>,
    /// The image's facts.
    pub image: EwfImage,
}

fn refuse(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::input(format!(
        "{}: not a readable EWF (E01) image ({why}); nothing was sealed. To seal the segment \
         files as plain files, use --as file on each",
        path.display()
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// Structure, hashed in both passes.
    Meta,
    /// A chunk: its number, whether zlib-compressed.
    Chunk(u64, bool),
}

#[derive(Debug, Clone, Copy)]
struct Region {
    offset: u64,
    len: u64,
    what: What,
}

#[derive(Default)]
struct Stored {
    md5: Option<[u8; 16]>,
    sha1: Option<[u8; 20]>,
    sha256: Option<String>,
}

/// What the structural pass learnt of one segment.
struct Plan {
    number: u32,
    path: PathBuf,
    file: StableFile,
    regions: Vec<Region>,
    meta: [u8; 32],
    done: bool,
}

/// The header fields, the header they came from.
type HeaderFields = (Vec<(String, String)>, bool);

struct SetState {
    volume: Option<Volume>,
    header2: Option<HeaderFields>,
    header: Option<HeaderFields>,
    stored: Stored,
    next_chunk: u64,
}

fn read_at(file: &std::fs::File, offset: u64, len: u64, size: u64) -> std::io::Result<Vec<u8>> {
    if offset.checked_add(len).is_none_or(|e| e > size) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("{len} bytes at offset {offset} are past the end of the file ({size} bytes)"),
        ));
    }
    let mut b = vec![0u8; usize::try_from(len).expect("bounded by the caller")];
    file.read_exact_at(&mut b, offset)?;
    Ok(b)
}

fn inflate_bounded(data: &[u8], max: u64) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("zlib: {e}"))?;
    if out.len() as u64 > max {
        return Err(format!("decompresses to more than {max} bytes"));
    }
    Ok(out)
}

/// The structural pass over segment `number` (1-based).
fn plan_segment(path: &Path, number: u32, set: &mut SetState) -> Result<Plan> {
    let file = StableFile::open(path)?;
    let size = file.size();
    let f: &std::fs::File = file.reader().into_inner();
    let bad = |why: String| refuse(path, why);
    let head = read_at(f, 0, fmt::FILE_HEADER_LEN as u64, size).map_err(|e| bad(e.to_string()))?;
    match fmt::signature(&head) {
        Signature::Ewf1 => {}
        Signature::Ewf2 | Signature::Logical2 => {
            return Err(Error::input(format!(
                "{}: an EWF version 2 image (Ex01 / Lx01), which scelle does not read yet; \
                 nothing was sealed. Convert it with `ewfexport -f encase6` to an E01 set and \
                 seal that, or seal each segment with --as file",
                path.display()
            )))
        }
        Signature::Logical1 => {
            return Err(Error::input(format!(
                "{}: an EWF logical evidence file (L01: files, not a disk image), which scelle \
                 does not read; nothing was sealed. Seal each segment with --as file",
                path.display()
            )))
        }
        Signature::Other => {
            return Err(bad(
                "no EWF signature \"EVF\\x09\\x0d\\x0a\\xff\\x00\"".into()
            ))
        }
    }
    let head: [u8; fmt::FILE_HEADER_LEN] = head.try_into().expect("13 bytes");
    let found = fmt::segment_number(&head).map_err(bad)?;
    if u32::from(found) != number {
        return Err(bad(format!(
            "its header says segment {found}, its name segment {number}: the set is mixed up"
        )));
    }
    let mut meta = sha2::Sha256::new();
    let mut regions = vec![Region {
        offset: 0,
        len: fmt::FILE_HEADER_LEN as u64,
        what: What::Meta,
    }];
    meta.update(head);
    let mut off = fmt::FILE_HEADER_LEN as u64;
    let mut sectors: Option<(u64, u64)> = None;
    let mut table_failed: Option<String> = None;
    let done;
    loop {
        let d = read_at(f, off, fmt::DESCRIPTOR_LEN as u64, size)
            .map_err(|e| bad(format!("section at {off}: {e}")))?;
        meta.update(&d);
        regions.push(Region {
            offset: off,
            len: fmt::DESCRIPTOR_LEN as u64,
            what: What::Meta,
        });
        let s = fmt::section(&d.try_into().expect("76 bytes"))
            .map_err(|e| bad(format!("section at {off}: {e}")))?;
        let data_off = off + fmt::DESCRIPTOR_LEN as u64;
        let data_len = s.size.saturating_sub(fmt::DESCRIPTOR_LEN as u64);
        if s.size != 0 && s.size < fmt::DESCRIPTOR_LEN as u64 {
            return Err(bad(format!(
                "section {:?} at {off} is {} bytes",
                s.kind, s.size
            )));
        }
        if data_off.checked_add(data_len).is_none_or(|e| e > size) {
            return Err(bad(format!(
                "section {:?} at {off} ends past the end of the file (truncated?)",
                s.kind
            )));
        }
        let kind = s.kind.as_str();
        let mut read_meta = |max: u64, regions: &mut Vec<Region>| -> Result<Vec<u8>> {
            if data_len > max {
                return Err(bad(format!(
                    "section {kind:?} of {data_len} bytes is too large"
                )));
            }
            let b = read_at(f, data_off, data_len, size).map_err(|e| bad(e.to_string()))?;
            meta.update(&b);
            regions.push(Region {
                offset: data_off,
                len: data_len,
                what: What::Meta,
            });
            Ok(b)
        };
        match s.kind.as_str() {
            "header" | "header2" => {
                let raw = read_meta(MAX_HEADER, &mut regions)?;
                let utf16 = s.kind == "header2";
                let slot = if utf16 {
                    &mut set.header2
                } else {
                    &mut set.header
                };
                if slot.is_none() {
                    let text = inflate_bounded(&raw, MAX_HEADER)
                        .map_err(|e| bad(format!("{} section: {e}", s.kind)))?;
                    let fields = fmt::header_fields(&fmt::header_text(&text, utf16))
                        .map_err(|e| bad(format!("{} section: {e}", s.kind)))?;
                    *slot = Some((fields, utf16));
                }
            }
            "volume" | "data" | "disk" => {
                let b = read_meta(64 * 1024, &mut regions)?;
                let v = fmt::volume(&b).map_err(|e| bad(format!("{} section: {e}", s.kind)))?;
                match &set.volume {
                    None if number == 1 => set.volume = Some(v),
                    None => return Err(bad("the first segment has no volume section".into())),
                    Some(first)
                        if first.guid != v.guid
                            || first.chunk_size() != v.chunk_size()
                            || first.sector_count != v.sector_count
                            || first.chunk_count != v.chunk_count =>
                    {
                        return Err(bad(format!(
                            "segment {number} belongs to another image (its set identifier or media geometry differs from the first segment's)"
                        )))
                    }
                    Some(_) => {}
                }
            }
            "sectors" => sectors = Some((data_off, data_off + data_len)),
            "table" | "table2" => {
                let b = read_meta(
                    fmt::TABLE_HEADER_LEN as u64 + 4 * MAX_TABLE_ENTRIES + 4,
                    &mut regions,
                )?;
                if s.kind == "table2" && table_failed.is_none() {
                    // The mirror of a table already read.
                } else {
                    let Some(vol) = &set.volume else {
                        return Err(bad("a table before any volume section".into()));
                    };
                    match table_chunks(&b, sectors, vol, set.next_chunk) {
                        Ok(chunks) => {
                            set.next_chunk += chunks.len() as u64;
                            regions.extend(chunks);
                            table_failed = None;
                        }
                        Err(e) if s.kind == "table" => table_failed = Some(e),
                        Err(e) => {
                            return Err(bad(format!(
                                "table and table2 both unreadable: {}; {e}",
                                table_failed.take().unwrap_or_default()
                            )))
                        }
                    }
                }
            }
            "hash" => {
                let b = read_meta(4096, &mut regions)?;
                let md5 = fmt::hash_section(&b).map_err(bad)?;
                set.stored.md5.get_or_insert(md5);
            }
            "xhash" => {
                let raw = read_meta(MAX_HEADER, &mut regions)?;
                let xml = inflate_bounded(&raw, MAX_HEADER)
                    .map_err(|e| bad(format!("xhash section: {e}")))?;
                if let Some(v) = fmt::xhash_sha256(&xml).map_err(bad)? {
                    set.stored.sha256 = Some(v);
                }
            }
            "digest" => {
                let b = read_meta(4096, &mut regions)?;
                let (md5, sha1) = fmt::digest_section(&b).map_err(bad)?;
                set.stored.md5 = Some(md5);
                set.stored.sha1 = Some(sha1);
            }
            _ => {}
        }
        if s.kind == "next" || s.kind == "done" {
            done = s.kind == "done";
            break;
        }
        if s.kind != "table" {
            if let Some(e) = table_failed.take() {
                // A table that fails its checksum is read from its mirror, table2, next.
                return Err(bad(e));
            }
        }
        if s.next <= off {
            return Err(bad(format!(
                "section {:?} at {off} points back to {} (a loop)",
                s.kind, s.next
            )));
        }
        off = s.next;
    }
    if let Some(e) = table_failed {
        return Err(bad(e));
    }
    regions.sort_by_key(|r| r.offset);
    let mut end = 0u64;
    let mut expect_chunk: Option<u64> = None;
    for r in &regions {
        if r.offset < end {
            return Err(bad(format!(
                "overlapping sections or chunks at offset {}",
                r.offset
            )));
        }
        end = r.offset + r.len;
        if let What::Chunk(n, _) = r.what {
            if expect_chunk.is_some_and(|e| e != n) {
                return Err(bad(
                    "chunks are not stored in media order; scelle reads an image in one pass and does not read this layout".into(),
                ));
            }
            expect_chunk = Some(n + 1);
        }
    }
    Ok(Plan {
        number,
        path: path.to_path_buf(),
        file,
        regions,
        meta: meta.finalize().into(),
        done,
    })
}

/// The chunks a table lists, numbered from `first`.
fn table_chunks(
    b: &[u8],
    sectors: Option<(u64, u64)>,
    vol: &Volume,
    first: u64,
) -> std::result::Result<Vec<Region>, String> {
    if b.len() < fmt::TABLE_HEADER_LEN {
        return Err("table section shorter than its header".into());
    }
    let (count, base) = fmt::table_header(&b[..fmt::TABLE_HEADER_LEN].try_into().expect("24"))?;
    let entries_end = fmt::TABLE_HEADER_LEN + 4 * count as usize;
    if b.len() < entries_end {
        return Err(format!(
            "table of {count} entries is longer than its section"
        ));
    }
    if b.len() >= entries_end + 4 {
        fmt::table_entries_checksum(&b[fmt::TABLE_HEADER_LEN..entries_end + 4])?;
    }
    let Some((s_start, s_end)) = sectors else {
        return Err(
            "a table with no sectors section before it: chunks stored inside the table section \
             (the EnCase 1 layout), which scelle does not read; convert the image with \
             `ewfexport -f encase6`"
                .into(),
        );
    };
    let starts: Vec<(u64, bool)> = b[fmt::TABLE_HEADER_LEN..entries_end]
        .chunks_exact(4)
        .map(|e| {
            let (o, c) = fmt::table_entry(u32::from_le_bytes(e.try_into().expect("4")));
            (base.saturating_add(o), c)
        })
        .collect();
    let chunk = vol.chunk_size();
    let max_stored = chunk + chunk / 64 + 64;
    let mut out = Vec::with_capacity(starts.len());
    for (i, &(start, compressed)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(s_end, |n| n.0);
        if start < s_start || end > s_end || end <= start || end - start > max_stored {
            return Err(format!(
                "chunk {} lies at {start}..{end}, outside its sectors section {s_start}..{s_end} or too large",
                first + i as u64
            ));
        }
        out.push(Region {
            offset: start,
            len: end - start,
            what: What::Chunk(first + i as u64, compressed),
        });
    }
    Ok(out)
}

/// What the streaming pass of one segment found.
struct Streamed {
    meta: [u8; 32],
    bad: Vec<(u64, &'static str)>,
    compressed: u64,
}

fn skip<R: BufRead>(r: &mut R, mut n: u64) -> std::io::Result<()> {
    while n > 0 {
        let b = r.fill_buf()?;
        if b.is_empty() {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let k = b.len().min(usize::try_from(n).unwrap_or(usize::MAX));
        r.consume(k);
        n -= k as u64;
    }
    Ok(())
}

/// Decodes one stored chunk into `out`, or says what is wrong: it must hold at least
/// `expected` bytes (the media's part of it) and at most `chunk_size` (the last chunk may hold
/// bytes past the media: the partial sector of a source that is not a whole number of
/// sectors; they are checked, not hashed).
fn decode_chunk(
    stored: &[u8],
    compressed: bool,
    expected: usize,
    chunk_size: usize,
    out: &mut Vec<u8>,
) -> std::result::Result<(), &'static str> {
    out.clear();
    if compressed {
        let mut z = flate2::read::ZlibDecoder::new(stored).take(chunk_size as u64 + 1);
        if z.read_to_end(out).is_err() {
            return Err("zlib");
        }
    } else {
        let Some(n) = stored.len().checked_sub(4) else {
            return Err("size");
        };
        let (data, sum) = stored.split_at(n);
        if n >= expected && n <= chunk_size && fmt::adler32(data).to_le_bytes() != sum {
            return Err("checksum");
        }
        out.extend_from_slice(data);
    }
    if out.len() < expected || out.len() > chunk_size {
        return Err("size");
    }
    Ok(())
}

/// Media bytes gathered into 1 MiB blocks, each handed to every digest thread (the digests of
/// an image's media run in parallel, as a file's do); at most [`MEDIA_QUEUE`] blocks wait per
/// digest.
struct MediaFeed {
    block: Vec<u8>,
    senders: Vec<SyncSender<Arc<Vec<u8>>>>,
}

/// Media blocks queued per digest thread.
const MEDIA_QUEUE: usize = 4;

impl MediaFeed {
    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = hashing::CHUNK_SIZE - self.block.len();
            let n = room.min(data.len());
            self.block.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.block.len() == hashing::CHUNK_SIZE {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if self.block.is_empty() {
            return;
        }
        let block = Arc::new(std::mem::replace(
            &mut self.block,
            Vec::with_capacity(hashing::CHUNK_SIZE),
        ));
        for tx in &self.senders {
            // A digest thread ends only when the feed is dropped.
            let _ = tx.send(block.clone());
        }
    }
}

fn media_digest<D: Digest>(rx: Receiver<Arc<Vec<u8>>>) -> String {
    let mut h = D::new();
    for b in rx {
        h.update(&b[..]);
    }
    hex(&h.finalize())
}

fn stream_segment(
    r: &mut ChunkReader,
    regions: &[Region],
    vol: &Volume,
    media: &mut MediaFeed,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> std::io::Result<Streamed> {
    let media_size = vol.media_size().unwrap_or(0);
    let chunk_size = vol.chunk_size();
    let mut meta = sha2::Sha256::new();
    let mut pos = 0u64;
    let (mut stored, mut out) = (Vec::new(), Vec::new());
    let mut found = Streamed {
        meta: [0; 32],
        bad: Vec::new(),
        compressed: 0,
    };
    for reg in regions {
        skip(r, reg.offset - pos)?;
        stored.clear();
        stored.resize(usize::try_from(reg.len).expect("bounded by the plan"), 0);
        r.read_exact(&mut stored)?;
        pos = reg.offset + reg.len;
        match reg.what {
            What::Meta => meta.update(&stored),
            What::Chunk(n, compressed) => {
                found.compressed += u64::from(compressed);
                let start = n * chunk_size;
                let expected = usize::try_from(chunk_size.min(media_size.saturating_sub(start)))
                    .expect("a chunk fits in memory");
                let whole = usize::try_from(chunk_size).expect("a chunk fits in memory");
                match decode_chunk(&stored, compressed, expected, whole, &mut out) {
                    Ok(()) => {
                        media.update(&out[..expected]);
                        sink(&out[..expected]);
                    }
                    Err(problem) => {
                        found.bad.push((n, problem));
                        out.clear();
                        out.resize(expected, 0);
                        media.update(&out);
                        sink(&out);
                    }
                }
            }
        }
    }
    found.meta = meta.finalize().into();
    Ok(found)
}

fn segment_path(first: &Path, n: u32) -> Option<PathBuf> {
    let ext = first.extension()?.to_str()?;
    let lower = ext.starts_with('e');
    Some(first.with_extension(fmt::segment_extension(n, lower)?))
}

/// Reads the set whose first segment is `path` (`.E01`): every segment hashed with `sel`,
/// the media decoded and hashed (MD5 and SHA-1 always, to compare with the stored ones), each
/// decoded media byte also shown to `sink` in order.
pub fn read_ewf(
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<EwfRead> {
    let ext_ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("e01"));
    let mut set = SetState {
        volume: None,
        header2: None,
        header: None,
        stored: Stored::default(),
        next_chunk: 0,
    };
    let mut plans = Vec::new();
    let mut n = 1u32;
    loop {
        let p = if n == 1 {
            path.to_path_buf()
        } else {
            let Some(p) = segment_path(path, n).filter(|_| ext_ok) else {
                return Err(refuse(
                    path,
                    "its first segment does not say it is the last, and segment files are found by name only from a .E01",
                ));
            };
            if std::fs::symlink_metadata(&p).is_err() {
                return Err(Error::input(format!(
                    "{}: segment {n} of this EWF image, {}, is missing; nothing was sealed. \
                     Put every segment file of the set beside the first one",
                    path.display(),
                    p.display()
                )));
            }
            p
        };
        let plan = plan_segment(&p, n, &mut set)?;
        let done = plan.done;
        plans.push(plan);
        if done {
            break;
        }
        n += 1;
    }
    let vol = set
        .volume
        .clone()
        .ok_or_else(|| refuse(path, "no volume section"))?;
    if set.next_chunk != u64::from(vol.chunk_count) {
        return Err(refuse(
            path,
            format!(
                "the tables list {} chunks, the volume {}",
                set.next_chunk, vol.chunk_count
            ),
        ));
    }
    std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut spawn = |f: fn(Receiver<Arc<Vec<u8>>>) -> String| {
            let (tx, rx) = sync_channel(MEDIA_QUEUE);
            senders.push(tx);
            scope.spawn(move || f(rx))
        };
        let sha256 = spawn(media_digest::<sha2::Sha256>);
        let sha512 = sel.sha512.then(|| spawn(media_digest::<sha2::Sha512>));
        let md5 = spawn(media_digest::<md5::Md5>);
        let sha1 = spawn(media_digest::<sha1::Sha1>);
        let mut media = MediaFeed {
            block: Vec::with_capacity(hashing::CHUNK_SIZE),
            senders,
        };
        let read = stream_set(&plans, &vol, sel, progress, &mut media, sink);
        media.flush();
        drop(media);
        let join = |h: std::thread::ScopedJoinHandle<'_, String>| h.join().expect("digest thread");
        let media_hashes = Hashes {
            sha256: join(sha256),
            sha512: sha512.map(join),
            legacy_md5: Some(join(md5)),
            legacy_sha1: Some(join(sha1)),
        };
        let (members, bad, bad_count, compressed) = read?;
        Ok(finish(
            set,
            &vol,
            plans.len(),
            media_hashes,
            members,
            bad,
            bad_count,
            compressed,
        ))
    })
}

/// What streaming the segments found: members, bad chunks listed, bad chunks, compressed chunks.
type SetRead = (Vec<Member>, Vec<EwfBadChunk>, u64, u64);

/// Streams every segment of the set in order: each hashed as a member, its chunks decoded
/// into `media` and `sink`.
fn stream_set(
    plans: &[Plan],
    vol: &Volume,
    sel: HashSelection,
    progress: Progress,
    media: &mut MediaFeed,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<SetRead> {
    let mut members = Vec::new();
    let mut bad: Vec<EwfBadChunk> = Vec::new();
    let (mut bad_count, mut compressed) = (0u64, 0u64);
    for plan in plans {
        let regions = &plan.regions;
        let (media_ref, vol_ref, sink_ref) = (&mut *media, vol, &mut *sink);
        let parse =
            move |r: &mut ChunkReader| stream_segment(r, regions, vol_ref, media_ref, sink_ref);
        let (size, hashes, streamed) =
            hashing::hash_file_with(&plan.file, sel, progress, Some(parse)).at(&plan.path)?;
        plan.file.finish(size)?;
        let streamed = streamed
            .expect("a parser was given")
            .map_err(|e| refuse(&plan.path, format!("reading it: {e}")))?;
        if streamed.meta != plan.meta {
            return Err(crate::store::nofollow::changed(
                &plan.path,
                "its structure changed between the two reads",
            ));
        }
        compressed += streamed.compressed;
        for (chunk, problem) in streamed.bad {
            bad_count += 1;
            if bad.len() < MAX_BAD_CHUNKS_LISTED {
                let spc = u64::from(vol.sectors_per_chunk);
                let sector = chunk * spc;
                bad.push(EwfBadChunk {
                    chunk,
                    sector,
                    sectors: spc.min(vol.sector_count.saturating_sub(sector)),
                    segment: u64::from(plan.number),
                    problem: problem.into(),
                });
            }
        }
        let name = plan
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                Error::input(format!(
                    "{}: name is not UTF-8; rename it",
                    plan.path.display()
                ))
            })?;
        members.push(Member {
            path: name.to_string(),
            kind: "file".into(),
            size: Some(size),
            hashes: Some(hashes),
            link: None,
            mtime: None,
        });
    }
    Ok((members, bad, bad_count, compressed))
}

/// The read set's record.
#[allow(clippy::too_many_arguments)]
fn finish(
    mut set: SetState,
    vol: &Volume,
    segments: usize,
    media_hashes: Hashes,
    members: Vec<Member>,
    bad: Vec<EwfBadChunk>,
    bad_count: u64,
    compressed: u64,
) -> EwfRead {
    let digest = |stored: Option<String>, computed: &str| EwfDigest {
        matches: stored.as_ref().map(|s| s == computed),
        stored,
        computed: computed.to_string(),
    };
    let md5 = media_hashes.legacy_md5.clone().expect("legacy selected");
    let sha1 = media_hashes.legacy_sha1.clone().expect("legacy selected");
    let (header_source, header) = match set.header2.take().or(set.header.take()) {
        Some((fields, utf16)) => (
            if utf16 { "header2" } else { "header" },
            header_of(&fields, utf16),
        ),
        None => ("none", EwfHeader::default()),
    };
    let image = EwfImage {
        format: "ewf1".into(),
        segments: segments as u64,
        media_size: vol.media_size().unwrap_or(0),
        bytes_per_sector: u64::from(vol.bytes_per_sector),
        sector_count: vol.sector_count,
        chunk_size: vol.chunk_size(),
        chunk_count: u64::from(vol.chunk_count),
        compressed_chunks: compressed,
        compression: vol.compression_name(),
        media_type: vol.media_type_name(),
        physical: vol.media_flags & 0x02 != 0,
        header_source: header_source.into(),
        header,
        md5: digest(set.stored.md5.map(|d| hex(&d)), &md5),
        sha1: digest(set.stored.sha1.map(|d| hex(&d)), &sha1),
        sha256: set
            .stored
            .sha256
            .take()
            .map(|st| digest(Some(st), &media_hashes.sha256)),
        bad_chunks: bad,
        bad_chunk_count: bad_count,
    };
    EwfRead {
        media_size: image.media_size,
        media_hashes,
        members,
        image,
    }
}

/// The recorded header fields: empty values dropped, dates converted (`utf16`: header2).
fn header_of(fields: &[(String, String)], utf16: bool) -> EwfHeader {
    let get = |id: &str| {
        fields
            .iter()
            .find(|(n, _)| n == id)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let date = |id: &str| get(id).and_then(|v| fmt::header_date(&v, utf16));
    EwfHeader {
        case_number: get("c"),
        evidence_number: get("n"),
        description: get("a"),
        examiner: get("e"),
        notes: get("t"),
        acquisition_date: date("m"),
        system_date: date("u"),
        software_version: get("av"),
        os: get("ov"),
        model: get("md"),
        serial: get("sn"),
    }
}
