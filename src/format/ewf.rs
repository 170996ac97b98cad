//! Expert Witness Format (EnCase `.E01`, EWF-E01 version 1) structures, parsed without I/O:
//! the segment file header, section descriptors, the volume, table, hash and digest sections
//! and the header / header2 text (libewf's "Expert Witness Compression Format" documentation).
//! Every value comes from a hostile file: sizes are checked before use and every checksum the
//! format carries (Adler-32) is verified. Reading a segment set is [`crate::store::ewf`].

/// The EWF version 1 segment file signature (`.E01`, `.S01`).
pub const SIGNATURE: [u8; 8] = *b"EVF\x09\x0d\x0a\xff\x00";
/// The EWF version 1 logical evidence signature (`.L01`).
pub const LOGICAL_SIGNATURE: [u8; 8] = *b"LVF\x09\x0d\x0a\xff\x00";
/// The EWF version 2 signature (`.Ex01`).
pub const EWF2_SIGNATURE: [u8; 8] = *b"EVF2\x0d\x0a\x81\x00";
/// The EWF version 2 logical signature (`.Lx01`).
pub const EWF2_LOGICAL_SIGNATURE: [u8; 8] = *b"LEF2\x0d\x0a\x81\x00";
/// Bytes of the segment file header.
pub const FILE_HEADER_LEN: usize = 13;
/// Bytes of a section descriptor.
pub const DESCRIPTOR_LEN: usize = 76;
/// Bytes of an EnCase (EWF-E01) volume section's data.
pub const VOLUME_LEN: usize = 1052;
/// Bytes of a table section's header.
pub const TABLE_HEADER_LEN: usize = 24;
/// Largest chunk accepted (sectors per chunk × bytes per sector): EnCase uses 32 KiB, libewf
/// at most 32 768 sectors of 4 KiB would be more than anything read in one piece here.
pub const MAX_CHUNK: u64 = 64 << 20;

/// Adler-32 (RFC 1950) of `data`, as EWF stores it.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for block in data.chunks(5552) {
        for &x in block {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// EWF version 1 (`.E01`): read here.
    Ewf1,
    /// EWF version 1 logical evidence (`.L01`): not a disk image.
    Logical1,
    /// EWF version 2 (`.Ex01`).
    Ewf2,
    /// EWF version 2 logical evidence (`.Lx01`).
    Logical2,
    /// Not EWF.
    Other,
}

/// The signature of a file from its first 8 bytes.
pub fn signature(first: &[u8]) -> Signature {
    match first.get(..8) {
        Some(s) if s == SIGNATURE => Signature::Ewf1,
        Some(s) if s == LOGICAL_SIGNATURE => Signature::Logical1,
        Some(s) if s == EWF2_SIGNATURE => Signature::Ewf2,
        Some(s) if s == EWF2_LOGICAL_SIGNATURE => Signature::Logical2,
        _ => Signature::Other,
    }
}

/// The segment number a version 1 segment file header gives (1 for `.E01`).
pub fn segment_number(header: &[u8; FILE_HEADER_LEN]) -> Result<u16, String> {
    if signature(header) != Signature::Ewf1 {
        return Err("no EWF signature".into());
    }
    if header[8] != 1 || header[11..13] != [0, 0] {
        return Err("segment file header fields are not 0x01 … 0x0000".into());
    }
    Ok(u16::from_le_bytes([header[9], header[10]]))
}

/// A section descriptor: the section's type, where the next one is and the section's size
/// (descriptor included), all within the segment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The type (`header`, `volume`, `sectors`, `table`, `done` ...), ASCII.
    pub kind: String,
    /// Offset of the next descriptor (equal to this one's for the last: `next` or `done`).
    pub next: u64,
    /// Bytes of the section, its descriptor included (0 for `next` / `done` in some writers).
    pub size: u64,
}

/// Parses a section descriptor, checking its Adler-32.
pub fn section(b: &[u8; DESCRIPTOR_LEN]) -> Result<Section, String> {
    let stored = u32_at(b, 72);
    let computed = adler32(&b[..72]);
    if stored != computed {
        return Err(format!(
            "section descriptor checksum {stored:08x} is not {computed:08x}"
        ));
    }
    let raw = &b[..16];
    let end = raw.iter().position(|&c| c == 0).unwrap_or(16);
    if raw[end..].iter().any(|&c| c != 0) || !raw[..end].iter().all(u8::is_ascii_graphic) {
        return Err("section type is not NUL-padded ASCII".into());
    }
    Ok(Section {
        kind: String::from_utf8_lossy(&raw[..end]).into_owned(),
        next: u64_at(b, 16),
        size: u64_at(b, 24),
    })
}

/// The media description of a `volume` (or `data`) section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Media type byte: 0 removable, 1 fixed, 3 optical, 0x0e logical, 0x10 memory.
    pub media_type: u8,
    /// Chunks in the whole image.
    pub chunk_count: u32,
    /// Sectors per chunk.
    pub sectors_per_chunk: u32,
    /// Bytes per sector.
    pub bytes_per_sector: u32,
    /// Sectors of the media.
    pub sector_count: u64,
    /// Media flags (bit 1: physical device).
    pub media_flags: u8,
    /// Compression level byte: 0 none, 1 fast, 2 best.
    pub compression_level: u8,
    /// Sectors per error granularity unit.
    pub error_granularity: u32,
    /// The set identifier, shared by all its segments.
    pub guid: [u8; 16],
}

impl Volume {
    /// Bytes of a chunk.
    pub fn chunk_size(&self) -> u64 {
        u64::from(self.sectors_per_chunk) * u64::from(self.bytes_per_sector)
    }

    /// Bytes of the media.
    pub fn media_size(&self) -> Option<u64> {
        self.sector_count
            .checked_mul(u64::from(self.bytes_per_sector))
    }

    /// The media type's name.
    pub fn media_type_name(&self) -> String {
        match self.media_type {
            0x00 => "removable".into(),
            0x01 => "fixed".into(),
            0x03 => "optical".into(),
            0x0e => "logical".into(),
            0x10 => "memory".into(),
            n => format!("unknown-0x{n:02x}"),
        }
    }

    /// The compression level's name.
    pub fn compression_name(&self) -> String {
        match self.compression_level {
            0 => "none".into(),
            1 => "fast".into(),
            2 => "best".into(),
            n => format!("unknown-{n}"),
        }
    }
}

/// Parses an EnCase volume section's data (1052 bytes), checking its Adler-32 and that the
/// geometry is one a chunk can be read with.
pub fn volume(b: &[u8]) -> Result<Volume, String> {
    if b.len() < VOLUME_LEN {
        return Err(format!(
            "volume section of {} bytes, not {VOLUME_LEN} (an EWF-S01 / SMART image is not read here)",
            b.len()
        ));
    }
    let stored = u32_at(b, 1048);
    let computed = adler32(&b[..1048]);
    if stored != computed {
        return Err(format!(
            "volume checksum {stored:08x} is not {computed:08x}"
        ));
    }
    let v = Volume {
        media_type: b[0],
        chunk_count: u32_at(b, 4),
        sectors_per_chunk: u32_at(b, 8),
        bytes_per_sector: u32_at(b, 12),
        sector_count: u64_at(b, 16),
        media_flags: b[36],
        compression_level: b[52],
        error_granularity: u32_at(b, 56),
        guid: b[64..80].try_into().expect("16 bytes"),
    };
    if v.sectors_per_chunk == 0 || v.bytes_per_sector == 0 || v.chunk_size() > MAX_CHUNK {
        return Err(format!(
            "chunk of {} sectors of {} bytes is not readable",
            v.sectors_per_chunk, v.bytes_per_sector
        ));
    }
    let size = v
        .media_size()
        .ok_or_else(|| "media size overflows".to_string())?;
    // One chunk more than the media needs is allowed: ewfacquire stores the partial last
    // sector of a source whose size is not a whole number of sectors in a chunk of its own,
    // past the media size (which counts whole sectors only).
    let needed = size.div_ceil(v.chunk_size());
    let count = u64::from(v.chunk_count);
    if count < needed || count > needed + 1 {
        return Err(format!(
            "{} chunks of {} bytes do not hold {size} media bytes",
            v.chunk_count,
            v.chunk_size()
        ));
    }
    Ok(v)
}

/// A table section's header: the number of entries and the base their offsets add to.
pub fn table_header(b: &[u8; TABLE_HEADER_LEN]) -> Result<(u32, u64), String> {
    let stored = u32_at(b, 20);
    let computed = adler32(&b[..20]);
    if stored != computed {
        return Err(format!(
            "table header checksum {stored:08x} is not {computed:08x}"
        ));
    }
    Ok((u32_at(b, 0), u64_at(b, 8)))
}

/// A table entry: the chunk's offset (relative to the table's base) and whether it is
/// zlib-compressed.
pub fn table_entry(raw: u32) -> (u64, bool) {
    (u64::from(raw & 0x7fff_ffff), raw & 0x8000_0000 != 0)
}

/// Checks the Adler-32 that follows a table's entries (`entries` then 4 bytes).
pub fn table_entries_checksum(entries_and_sum: &[u8]) -> Result<(), String> {
    let n = entries_and_sum.len().saturating_sub(4);
    let stored = u32_at(entries_and_sum, n);
    let computed = adler32(&entries_and_sum[..n]);
    if stored != computed {
        return Err(format!(
            "table entries checksum {stored:08x} is not {computed:08x}"
        ));
    }
    Ok(())
}

/// The MD5 a `hash` section stores (MD5, 16 unknown bytes, Adler-32).
pub fn hash_section(b: &[u8]) -> Result<[u8; 16], String> {
    if b.len() < 36 {
        return Err("hash section shorter than 36 bytes".into());
    }
    if u32_at(b, 32) != adler32(&b[..32]) {
        return Err("hash section checksum does not match".into());
    }
    Ok(b[..16].try_into().expect("16 bytes"))
}

/// The MD5 and SHA-1 a `digest` section stores (MD5, SHA-1, 40 padding bytes, Adler-32).
pub fn digest_section(b: &[u8]) -> Result<([u8; 16], [u8; 20]), String> {
    if b.len() < 80 {
        return Err("digest section shorter than 80 bytes".into());
    }
    if u32_at(b, 76) != adler32(&b[..76]) {
        return Err("digest section checksum does not match".into());
    }
    Ok((
        b[..16].try_into().expect("16 bytes"),
        b[16..36].try_into().expect("20 bytes"),
    ))
}

/// The SHA-256 an `xhash` section (libewf's EWF-X extension: zlib-compressed XML, `<SHA256>`)
/// stores, lower-case; `Ok(None)` when it stores none.
pub fn xhash_sha256(xml: &[u8]) -> Result<Option<String>, String> {
    let text = String::from_utf8_lossy(xml).to_ascii_lowercase();
    let Some(start) = text.find("<sha256>") else {
        return Ok(None);
    };
    let rest = &text[start + "<sha256>".len()..];
    let end = rest
        .find("</sha256>")
        .ok_or_else(|| "xhash: <SHA256> is not closed".to_string())?;
    let v = rest[..end].trim();
    if v.len() != 64 || !v.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err("xhash: <SHA256> is not 64 hex digits".into());
    }
    Ok(Some(v.to_string()))
}

/// Decodes a zlib-decompressed header section's text: `header2` is UTF-16 little-endian
/// (with a byte order mark), `header` is 8-bit text, read as ISO 8859-1 (each byte one
/// character: never an error, and what EnCase's default code page gives for letters).
pub fn header_text(raw: &[u8], utf16: bool) -> String {
    if utf16 {
        let body = raw.strip_prefix(b"\xff\xfe").unwrap_or(raw);
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    }
}

/// The `main` category of a header text: (identifier, value) pairs in order. The text is
/// the number of categories, the category name, a tab-separated line of identifiers and one
/// of values.
pub fn header_fields(text: &str) -> Result<Vec<(String, String)>, String> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if lines.len() < 4 || lines[1] != "main" {
        return Err("header text has no main category".into());
    }
    let names: Vec<&str> = lines[2].split('\t').collect();
    let values: Vec<&str> = lines[3].split('\t').collect();
    if names.len() != values.len() {
        return Err(format!(
            "header has {} identifiers but {} values",
            names.len(),
            values.len()
        ));
    }
    Ok(names
        .into_iter()
        .zip(values)
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect())
}

/// A header date as recorded: `header2` holds POSIX seconds (UTC, written as RFC 3339 with
/// `Z`); `header` holds local time without zone, `YYYY M D h m s` (written
/// `YYYY-MM-DDThh:mm:ss`, no offset: the zone is not in the image). `None` if it is neither.
pub fn header_date(value: &str, posix: bool) -> Option<String> {
    let v = value.trim();
    if posix {
        let secs: i64 = v.parse().ok()?;
        if secs <= 0 {
            return None;
        }
        let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
        return Some(crate::format::time::format_utc(t));
    }
    let p: Vec<u32> = v
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [y, mo, d, h, mi, s] = p[..] else {
        return None;
    };
    let month = time::Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?)
        .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// The extension of segment `n` (1-based) in libewf's naming: `E01` … `E99`, then `EAA` …
/// `EZZ`, `FAA` … `ZZZ`; lower case if `lower`. `None` past `ZZZ`.
pub fn segment_extension(n: u32, lower: bool) -> Option<String> {
    let s = if (1..=99).contains(&n) {
        format!("E{n:02}")
    } else if n >= 100 {
        let m = n - 100;
        let first = u32::from(b'E') + m / 676;
        if first > u32::from(b'Z') {
            return None;
        }
        let c = |x: u32| char::from(u8::try_from(x).expect("a letter"));
        format!(
            "{}{}{}",
            c(first),
            c(u32::from(b'A') + (m / 26) % 26),
            c(u32::from(b'A') + m % 26)
        )
    } else {
        return None;
    };
    Some(if lower { s.to_ascii_lowercase() } else { s })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference: zlib's adler32 of 100 000 bytes 0xff.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
    }

    #[test]
    fn segment_names_follow_libewf() {
        assert_eq!(segment_extension(1, false).unwrap(), "E01");
        assert_eq!(segment_extension(99, false).unwrap(), "E99");
        assert_eq!(segment_extension(100, false).unwrap(), "EAA");
        assert_eq!(segment_extension(101, true).unwrap(), "eab");
        assert_eq!(segment_extension(100 + 26, false).unwrap(), "EBA");
        assert_eq!(segment_extension(100 + 676, false).unwrap(), "FAA");
        assert!(segment_extension(0, false).is_none());
        assert!(segment_extension(100 + 676 * 22, false).is_none());
    }

    #[test]
    fn header_dates_are_recorded_with_their_zone_or_none() {
        assert_eq!(
            header_date("1796578019", true).unwrap(),
            "2026-12-06T17:26:59Z"
        );
        assert_eq!(
            header_date("2026 12 6 17 26 59", false).unwrap(),
            "2026-12-06T17:26:59"
        );
        assert!(header_date("2026 13 6 17 26 59", false).is_none());
        assert!(header_date("0", true).is_none());
        assert!(header_date("", false).is_none());
    }

    #[test]
    fn header_fields_pair_identifiers_and_values() {
        let t = "1\r\nmain\r\nc\tn\ta\r\nCASE\tEV\tdisk\r\n\r\n";
        let f = header_fields(t).unwrap();
        assert_eq!(f[0], ("c".into(), "CASE".into()));
        assert_eq!(f[2], ("a".into(), "disk".into()));
        assert!(header_fields("1\nmain\nc\tn\nonly\n").is_err());
        let mut raw = vec![0xff, 0xfe];
        for u in "1\nmain\ne\nJos\u{e9}\n".encode_utf16() {
            raw.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            header_fields(&header_text(&raw, true)).unwrap()[0].1,
            "Jos\u{e9}"
        );
    }

    #[test]
    fn xhash_gives_its_sha256() {
        let x = b"<?xml version=\"1.0\"?>\n<xhash>\n\t<MD5>00</MD5>\n\t<SHA256>6DEE9EF3C6989D6A971AB023732BCAFB9A6D144BC35913AC01531E6621D408E6</SHA256>\n</xhash>";
        assert_eq!(
            xhash_sha256(x).unwrap().unwrap(),
            "6dee9ef3c6989d6a971ab023732bcafb9a6d144bc35913ac01531e6621d408e6"
        );
        assert_eq!(xhash_sha256(b"<xhash><MD5>00</MD5></xhash>").unwrap(), None);
        assert!(xhash_sha256(b"<SHA256>12</SHA256>").is_err());
    }

    #[test]
    fn descriptor_checksum_is_checked() {
        let mut d = [0u8; DESCRIPTOR_LEN];
        d[..4].copy_from_slice(b"done");
        d[16..24].copy_from_slice(&100u64.to_le_bytes());
        let sum = adler32(&d[..72]);
        d[72..].copy_from_slice(&sum.to_le_bytes());
        let s = section(&d).unwrap();
        assert_eq!((s.kind.as_str(), s.next, s.size), ("done", 100, 0));
        d[20] ^= 1;
        assert!(section(&d).unwrap_err().contains("checksum"));
    }
}
