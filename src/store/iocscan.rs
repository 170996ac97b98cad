//! Reading sealed artifacts for indicators of compromise while they are re-hashed: a file's
//! bytes go to the digest threads and to the content search at once; a tar's members are
//! searched as the tar reader hashes them ([`MemberInspector`]), so an archive is read once for
//! its own digest, its members' digests and the search, and never extracted.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::format::iocmatch::{Hit, Matcher};
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, Progress,
};
use crate::store::nofollow::{self, Kind, StableFile};
use crate::store::structured::Structured;
use crate::store::tarhash::{self, TarDigest};
use crate::store::ziphash::{self, ZipDigest};
use std::io::{BufRead, Read};
use std::path::Path;

/// Hits with the member they are in (`None` for a single file).
pub type MemberHits = Vec<(Option<String>, Hit)>;

/// What the search found in one artifact, and how much it read.
#[derive(Debug, Default)]
pub struct Found {
    /// Hits with the member they are in (`None` for a single file).
    pub hits: Vec<(Option<String>, Hit)>,
    /// Regular files read.
    pub files: u64,
    /// Bytes of content read.
    pub bytes: u64,
}

/// The hits on a file's or member's digests.
fn digest_hits(m: &Matcher, h: &Hashes) -> Vec<Hit> {
    let mut ds: Vec<&str> = vec![h.sha256.as_str()];
    ds.extend(h.legacy_md5.as_deref());
    ds.extend(h.legacy_sha1.as_deref());
    m.digest_hits(&ds)
}

/// Searches a [`BufRead`]'s bytes where it holds them, and reads them as structured data.
fn search_reader<R: BufRead>(m: &Matcher, r: &mut R) -> std::io::Result<(Vec<Hit>, MemberHits)> {
    let mut c = m.content();
    let mut s = Structured::new(m);
    s.begin(None);
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        c.update(buf);
        s.update(buf);
        let n = buf.len();
        r.consume(n);
    }
    s.end();
    Ok((c.finish(), s.finish()))
}

/// Hashes one file with the digests of `sel` and searches its content, in one read.
pub fn scan_file(
    path: &Path,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(u64, Hashes, Found)> {
    let file = StableFile::open(path)?;
    let search = |r: &mut ChunkReader| search_reader(m, r);
    let (size, hashes, hits) =
        hashing::hash_stream_with(file.reader(), sel, progress, Some(search)).at(path)?;
    file.finish(size)?;
    let mut found = Found {
        files: 1,
        bytes: size,
        ..Found::default()
    };
    if let Some(hits) = hits {
        let (content, structured) = hits.at(path)?;
        found.hits.extend(content.into_iter().map(|h| (None, h)));
        found.hits.extend(structured);
    }
    found
        .hits
        .extend(digest_hits(m, &hashes).into_iter().map(|h| (None, h)));
    Ok((size, hashes, found))
}

/// Reads an EWF image set (its segments hashed, its media decoded and hashed) and searches
/// its media stream, in one pass: the media is one content, like a file's (its hits name no
/// member).
pub fn scan_ewf(
    path: &Path,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(crate::store::ewf::EwfRead, Found)> {
    let mut content = m.searches_content().then(|| m.content());
    let mut sink = |d: &[u8]| {
        if let Some(c) = &mut content {
            c.update(d);
        }
    };
    let e = crate::store::ewf::read_ewf(path, sel, progress, &mut sink)?;
    let mut found = Found {
        files: 1,
        bytes: e.media_size,
        ..Found::default()
    };
    if let Some(c) = content {
        found.hits.extend(c.finish().into_iter().map(|h| (None, h)));
    }
    found.hits.extend(
        digest_hits(m, &e.media_hashes)
            .into_iter()
            .map(|h| (None, h)),
    );
    Ok((e, found))
}

/// Searches each regular member of a tar as the tar reader hashes it.
struct TarSearch<'m> {
    m: &'m Matcher,
    current: Option<(String, crate::format::iocmatch::ContentScan<'m>)>,
    structured: Structured<'m>,
    found: Found,
}

impl MemberInspector for TarSearch<'_> {
    fn begin(&mut self, _index: usize, path: &str) {
        self.current = Some((path.to_string(), self.m.content()));
        self.structured.begin(Some(path.to_string()));
    }

    fn update(&mut self, data: &[u8]) {
        if let Some((_, c)) = &mut self.current {
            c.update(data);
            self.structured.update(data);
        }
    }

    fn end(&mut self, size: u64, hashes: &Hashes) {
        if let Some((path, c)) = self.current.take() {
            self.structured.end();
            self.found.files += 1;
            self.found.bytes += size;
            for h in c.finish().into_iter().chain(digest_hits(self.m, hashes)) {
                self.found.hits.push((Some(path.clone()), h));
            }
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.structured = Structured::new(self.m);
        self.found = Found::default();
    }
}

/// Hashes a tar (as a whole and member by member) and searches every regular member, in one
/// pass over the archive.
pub fn scan_tar(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(TarDigest, Found)> {
    let mut search = TarSearch {
        m,
        current: None,
        structured: Structured::new(m),
        found: Found::default(),
    };
    let t = tarhash::inspect_tar(path, gzip, sel, progress, &mut search)?;
    let mut found = search.found;
    found.hits.extend(search.structured.finish());
    Ok((t, found))
}

/// Hashes a zip (as a whole and member by member) and searches every regular member's
/// decompressed content, in one pass over the archive.
pub fn scan_zip(
    path: &Path,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(ZipDigest, Found)> {
    let mut search = TarSearch {
        m,
        current: None,
        structured: Structured::new(m),
        found: Found::default(),
    };
    let z = ziphash::inspect_zip(path, sel, progress, &mut search)?;
    let mut found = search.found;
    found.hits.extend(search.structured.finish());
    Ok((z, found))
}

/// Searches the regular files of a directory already re-hashed (`members`, as found), checking
/// that each file still has the digest just found, so that what is searched is what matched
/// the seal.
pub fn scan_directory_files(
    root: &Path,
    members: &[Member],
    sel: HashSelection,
    m: &Matcher,
) -> Result<Found> {
    let mut found = Found::default();
    let mut structured = Structured::new(m);
    let mut buf = vec![0u8; 256 * 1024];
    let (dir, _) = nofollow::open_path(root, Kind::Dir)?;
    for member in members.iter().filter(|x| x.kind == "file") {
        let path = root.join(&member.path);
        // Beneath the folder, no link followed, a regular file read up to its size only.
        let fd = nofollow::open_beneath(&dir, &member.path, false).at(&path)?;
        let file = StableFile::from_fd(fd, &path, None)?;
        let mut f = file.reader();
        let mut h = MultiHasher::new(sel);
        let mut c = m.content();
        structured.begin(Some(member.path.clone()));
        let mut size = 0u64;
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&path, e)),
            };
            h.update(&buf[..n]);
            c.update(&buf[..n]);
            structured.update(&buf[..n]);
            size += n as u64;
        }
        let hashes = h.finish();
        file.finish(size)?;
        if Some(&hashes) != member.hashes.as_ref() || Some(size) != member.size {
            return Err(Error::input(format!(
                "{}: changed while it was being scanned; scan again once the exhibit is stable",
                path.display()
            )));
        }
        // Parsed once its bytes are known to be the sealed ones.
        structured.end();
        found.files += 1;
        found.bytes += size;
        for hit in c.finish().into_iter().chain(digest_hits(m, &hashes)) {
            found.hits.push((Some(member.path.clone()), hit));
        }
    }
    found.hits.extend(structured.finish());
    Ok(found)
}
