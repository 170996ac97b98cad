//! Reading sealed artifacts for indicators of compromise while they are re-hashed: a file's
//! bytes go to the digest threads and to the content search at once; a tar's members are
//! searched as the tar reader hashes them ([`MemberInspector`]), so an archive is read once for
//! its own digest, its members' digests and the search, and never extracted.

use crate::error::{IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::format::iocmatch::{Hit, Matcher};
use crate::store::beside::{inspect_beside, Forward};
use crate::store::dirhash;
use crate::store::hashing::{self, ChunkReader, HashSelection, MemberInspector, Progress};
use crate::store::nofollow::StableFile;
use crate::store::structured::Structured;
use crate::store::tarhash::{self, TarDigest};
use crate::store::ziphash::{self, ZipDigest};
use std::io::BufRead;
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
        hashing::hash_file_with(&file, sel, progress, Some(search)).at(path)?;
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

/// The content search of each regular member of a tar or zip, or file of a folder, as it is
/// hashed, with the hits on its digests.
pub(crate) struct ContentSearch<'m> {
    m: &'m Matcher,
    current: Option<(String, crate::format::iocmatch::ContentScan<'m>)>,
    found: Found,
}

impl<'m> ContentSearch<'m> {
    fn new(m: &'m Matcher) -> ContentSearch<'m> {
        ContentSearch {
            m,
            current: None,
            found: Found::default(),
        }
    }
}

impl MemberInspector for ContentSearch<'_> {
    fn begin(&mut self, _index: usize, path: &str) {
        self.current = Some((path.to_string(), self.m.content()));
    }

    fn update(&mut self, data: &[u8]) {
        if let Some((_, c)) = &mut self.current {
            c.update(data);
        }
    }

    fn end(&mut self, size: u64, hashes: &Hashes) {
        if let Some((path, c)) = self.current.take() {
            self.found.files += 1;
            self.found.bytes += size;
            for h in c.finish().into_iter().chain(digest_hits(self.m, hashes)) {
                self.found.hits.push((Some(path.clone()), h));
            }
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.found = Found::default();
    }
}

/// The structured reading ([`Structured`]) of each regular member or file, as it is hashed.
pub(crate) struct StructuredRead<'m>(Structured<'m>);

impl MemberInspector for StructuredRead<'_> {
    fn begin(&mut self, _index: usize, path: &str) {
        self.0.begin(Some(path.to_string()));
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn end(&mut self, _size: u64, _hashes: &Hashes) {
        self.0.end();
    }

    fn reset(&mut self) {
        self.0 = Structured::new(self.0.matcher());
    }
}

/// Two inspectors seeing the same calls.
pub(crate) struct Both<A, B>(A, B);

impl<A: MemberInspector, B: MemberInspector> MemberInspector for Both<A, B> {
    fn begin(&mut self, index: usize, path: &str) {
        self.0.begin(index, path);
        self.1.begin(index, path);
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
        self.1.update(data);
    }

    fn end(&mut self, size: u64, hashes: &Hashes) {
        self.0.end(size, hashes);
        self.1.end(size, hashes);
    }

    fn reset(&mut self) {
        self.0.reset();
        self.1.reset();
    }
}

/// Runs `read` (an archive reader) with the content search and the structured reading each on
/// a thread of its own, beside the reading and hashing; returns its result and what was found.
pub(crate) fn search_beside<T>(
    m: &Matcher,
    read: impl FnOnce(&mut Both<&mut Forward, &mut Forward>) -> Result<T>,
) -> Result<(T, Found)> {
    let mut content = ContentSearch::new(m);
    let mut structured = StructuredRead(Structured::new(m));
    let out = inspect_beside(&mut content, |c| {
        inspect_beside(&mut structured, |s| read(&mut Both(c, s)))
    })?;
    let mut found = content.found;
    found.hits.extend(structured.0.finish());
    Ok((out, found))
}

/// Hashes a tar (as a whole and member by member) and searches every regular member, in one
/// pass over the archive; the search runs beside the hashing ([`search_beside`]).
pub fn scan_tar(
    path: &Path,
    gzip: bool,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(TarDigest, Found)> {
    search_beside(m, |f| tarhash::inspect_tar(path, gzip, sel, progress, f))
}

/// Hashes a zip (as a whole and member by member) and searches every regular member's
/// decompressed content, in one pass over the archive; the search runs beside the hashing
/// and inflating ([`search_beside`]).
pub fn scan_zip(
    path: &Path,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(ZipDigest, Found)> {
    search_beside(m, |f| ziphash::inspect_zip(path, sel, progress, f))
}

/// Re-hashes a directory (as [`dirhash::hash_directory`] does, on every core) and searches
/// each regular file in the same read: each hashing thread searches the files it hashes. The
/// members are returned with what was found; the caller compares them with the seal before
/// it uses what was found, so that what was searched is what matched the seal.
pub fn scan_directory(
    root: &Path,
    sel: HashSelection,
    m: &Matcher,
    progress: Progress,
) -> Result<(Vec<Member>, Found)> {
    let (members, searches) =
        dirhash::hash_directory_inspected(root, sel, progress, || file_search(m))?;
    Ok((members, found_in(m, searches)))
}

/// What one hashing thread of a folder runs over the files it hashes: the content search and
/// the structured reading.
pub(crate) type FileSearch<'m> = Both<ContentSearch<'m>, StructuredRead<'m>>;

/// A [`FileSearch`] for a hashing thread.
pub(crate) fn file_search(m: &Matcher) -> FileSearch<'_> {
    Both(ContentSearch::new(m), StructuredRead(Structured::new(m)))
}

/// What the hashing threads' searches found, merged in an order that does not depend on which
/// thread read which file.
pub(crate) fn found_in(m: &Matcher, searches: Vec<FileSearch<'_>>) -> Found {
    let mut found = Found::default();
    let mut structured = Structured::new(m);
    for Both(content, read) in searches {
        found.files += content.found.files;
        found.bytes += content.found.bytes;
        found.hits.extend(content.found.hits);
        structured.absorb(read.0);
    }
    found.hits.extend(structured.finish());
    found
}
