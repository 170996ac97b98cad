//! Member files (FORMAT.md 6.2, "Member files"): a seal whose member list would make its line
//! longer than [`MAX_IN_LINE`] keeps the list in `members/SHA256.jsonl` of the case, one
//! member's canonical JSON per line, and names the file by its length, line count and
//! SHA-256 in `member_file`. The line stays small however many members an extraction has.
//!
//! A member file is not trusted for what it is: [`MemberFileReader`] reads it one line at a
//! time (never the whole file), checks each line is a member's canonical JSON, and at its end
//! that the file had the length, number of lines and SHA-256 the signed line names; anything
//! else is an error naming the file. [`check`] runs the value rules of 6.4 over it in the same
//! pass.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Artifact, Member};
use crate::format::errors::ValueError;
use crate::format::members::{member_from_line, Iter as InLineIter};
use crate::format::parts::MemberFile;
use crate::format::validate::{two_members_of_one_path, MemberRules, UniquePaths};
use crate::store::extsort;
use crate::store::fsutil;
use crate::store::tarstream::SinkStopped;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The longest member array a seal's line holds (its canonical JSON, in bytes): a longer
/// list goes to a member file.
pub const MAX_IN_LINE: usize = 1 << 20;

/// The longest line of a member file, without its newline.
pub const MAX_MEMBER_LINE: usize = 1 << 20;

/// `members/` of the case (or bag case) directory `root`.
pub fn dir_of(root: &Path) -> PathBuf {
    root.join("members")
}

/// The path of `f` in the case directory `root`.
pub fn path_of(root: &Path, f: &MemberFile) -> PathBuf {
    dir_of(root).join(f.file_name())
}

/// `members/` of the case directory `root`, created if missing (never through a link).
fn members_dir(root: &Path) -> Result<PathBuf> {
    let dir = dir_of(root);
    match std::fs::symlink_metadata(&dir) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(m) if m.file_type().is_symlink() => return Err(fsutil::link_refused(&dir)),
        Ok(_) => return Err(fsutil::not_regular(&dir, "file, not a directory,")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(&dir).at(&dir)?;
            fsutil::fsync_dir(root)?;
        }
        Err(e) => return Err(Error::io(&dir, e)),
    }
    Ok(dir)
}

/// The canonical JSON of `m`, as a line of a member file holds it (without its newline).
fn member_line(m: &Member, line: &mut Vec<u8>) -> Result<()> {
    line.clear();
    crate::format::canonical::write_canonical_of(m, line)
        .map_err(|e| Error::input(format!("member {:?}: {e}", m.path)))
}

/// A member file being written: a temporary file in `members/`, renamed to its SHA-256 by
/// [`NewMemberFile::finish`], removed if dropped before.
struct NewMemberFile {
    dir: PathBuf,
    tmp: PathBuf,
    /// The temporary file is removed on Ctrl-C (or a key that fails while members are read).
    _interrupt: crate::store::interrupt::RemoveOnInterrupt,
    out: Option<BufWriter<File>>,
    hash: Sha256,
    count: u64,
    bytes: u64,
}

impl NewMemberFile {
    fn create(root: &Path) -> Result<Self> {
        let dir = members_dir(root)?;
        let tmp = fsutil::temp_beside(&dir.join("members.jsonl"), "tmp");
        let file = fsutil::create_exclusive(&tmp, 0o644)?;
        Ok(NewMemberFile {
            _interrupt: crate::store::interrupt::remove_on_interrupt(&tmp),
            dir,
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            hash: Sha256::new(),
            count: 0,
            bytes: 0,
        })
    }

    /// Appends one member's line (`line`, its canonical JSON, at most [`MAX_MEMBER_LINE`]).
    fn add(&mut self, line: &[u8]) -> Result<()> {
        let out = self.out.as_mut().expect("open until finished");
        self.hash.update(line);
        self.hash.update(b"\n");
        out.write_all(line)
            .and_then(|()| out.write_all(b"\n"))
            .at(&self.tmp)?;
        self.count += 1;
        self.bytes += line.len() as u64 + 1;
        Ok(())
    }

    /// Fsyncs the file, renames it to its SHA-256 and fsyncs `members/`.
    fn finish(mut self) -> Result<MemberFile> {
        let out = self.out.take().expect("open until finished");
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.sync_all().at(&self.tmp)?;
        let f = MemberFile {
            bytes: self.bytes,
            count: self.count,
            sha256: crate::format::encoding::hex(&self.hash.clone().finalize()),
        };
        let path = self.dir.join(f.file_name());
        std::fs::rename(&self.tmp, &path).at(&path)?;
        fsutil::fsync_dir(&self.dir)?;
        self.tmp = PathBuf::new();
        Ok(f)
    }

    /// The members written so far, read back (the file is then removed).
    fn read_back(mut self) -> Result<Vec<Member>> {
        let out = self.out.take().expect("open until finished");
        drop(
            out.into_inner()
                .map_err(|e| Error::io(&self.tmp, e.into_error()))?,
        );
        let mut r = BufReader::new(File::open(&self.tmp).at(&self.tmp)?);
        let mut v = Vec::new();
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).at(&self.tmp)? > 0 {
            line.pop();
            v.push(member_from_line(&line).map_err(Error::input)?);
            line.clear();
        }
        Ok(v)
    }
}

impl Drop for NewMemberFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Members given one at a time as an artifact is measured (a tar's in archive order, a
/// folder's in path order), for a seal: held while their array fits a line ([`MAX_IN_LINE`]),
/// else written to a new member file of the case as they come, so that memory does not grow
/// with their number (FORMAT.md 6.2). Each is checked by the value rules of 6.4 as it comes.
pub struct MemberSpill {
    root: PathBuf,
    rules: MemberRules,
    held: Vec<Member>,
    array: usize,
    file: Option<NewMemberFile>,
    /// A member too long for a line of a member file came: the list stays in the line.
    in_line: bool,
    line: Vec<u8>,
    error: Option<Error>,
}

/// What a [`MemberSpill`] kept: the members (held) or their member file, and their totals.
pub struct Spilled {
    /// The members, when their array fits the line.
    pub members: Option<Vec<Member>>,
    /// Their member file, when it does not.
    pub member_file: Option<MemberFile>,
    /// The manifest's SHA-256 (FORMAT.md 6.3).
    pub manifest_sha256: String,
    /// How many are files.
    pub file_count: u64,
    /// The sum of their sizes (a directory's size).
    pub size: u64,
}

impl MemberSpill {
    /// A spill into the case directory `root`, for an artifact of kind `kind`.
    pub fn new(root: &Path, kind: &str) -> Self {
        MemberSpill {
            root: root.to_path_buf(),
            rules: MemberRules::with_paths(kind, Box::new(SortedPaths::default())),
            held: Vec::new(),
            array: 2,
            file: None,
            in_line: false,
            line: Vec::new(),
            error: None,
        }
    }

    /// Takes the next member; on an error, keeps it for [`MemberSpill::take_error`].
    pub fn push(&mut self, m: Member) -> std::result::Result<(), SinkStopped> {
        self.try_push(m).map_err(|e| {
            self.error = Some(e);
            SinkStopped
        })
    }

    fn try_push(&mut self, m: Member) -> Result<()> {
        self.rules
            .add(&m)
            .map_err(|e| Error::input(format!("refused, nothing was sealed: {e}")))?;
        member_line(&m, &mut self.line)?;
        let long = self.line.len() > MAX_MEMBER_LINE;
        if let Some(file) = self.file.as_mut() {
            if !long {
                return file.add(&self.line);
            }
            // Back into the line: the file cannot hold this member.
            self.held = self.file.take().expect("spilling").read_back()?;
        }
        self.in_line |= long;
        self.array += self.line.len() + usize::from(!self.held.is_empty());
        self.held.push(m);
        if self.array > MAX_IN_LINE && !self.in_line {
            let mut file = NewMemberFile::create(&self.root)?;
            for m in self.held.drain(..) {
                member_line(&m, &mut self.line)?;
                file.add(&self.line)?;
            }
            self.held = Vec::new();
            self.file = Some(file);
        }
        Ok(())
    }

    /// Every member of `members` through a new spill into `root` for an artifact of kind
    /// `kind`, then [`MemberSpill::finish`].
    pub fn keep(
        root: &Path,
        kind: &str,
        members: impl IntoIterator<Item = Member>,
    ) -> Result<Spilled> {
        let mut spill = MemberSpill::new(root, kind);
        for m in members {
            if spill.push(m).is_err() {
                return Err(spill.take_error());
            }
        }
        spill.finish()
    }

    /// The error that stopped the spill.
    pub fn take_error(&mut self) -> Error {
        self.error
            .take()
            .unwrap_or_else(|| Error::input("the member list could not be kept"))
    }

    /// The members kept: the member file fsynced and named by its SHA-256, or the list held.
    pub fn finish(self) -> Result<Spilled> {
        let (manifest_sha256, file_count, size) = self
            .rules
            .totals()
            .map_err(|e| Error::input(format!("refused, nothing was sealed: {e}")))?;
        Ok(match self.file {
            Some(file) => Spilled {
                members: None,
                member_file: Some(file.finish()?),
                manifest_sha256,
                file_count,
                size,
            },
            None => Spilled {
                members: Some(self.held),
                member_file: None,
                manifest_sha256,
                file_count,
                size,
            },
        })
    }
}

/// A zip's member paths sorted on disk ([`extsort`]) to find two members of one path at the
/// end, so that memory does not grow with the member count (a path given twice is then
/// named at the end of the list rather than where it repeats).
#[derive(Default)]
struct SortedPaths {
    sorted: extsort::Sorter,
}

impl UniquePaths for SortedPaths {
    fn add(&mut self, path: &str) -> std::result::Result<(), ValueError> {
        self.sorted.push(path.as_bytes()).map_err(sorting)
    }

    fn finish(self: Box<Self>) -> std::result::Result<(), ValueError> {
        let mut sorted = self.sorted.finish().map_err(sorting)?;
        let mut previous: Option<Vec<u8>> = None;
        while let Some(path) = sorted.next_record().map_err(sorting)? {
            if previous.as_deref() == Some(path) {
                return Err(two_members_of_one_path(&String::from_utf8_lossy(path)));
            }
            match previous.as_mut() {
                Some(p) => {
                    p.clear();
                    p.extend_from_slice(path);
                }
                None => previous = Some(path.to_vec()),
            }
        }
        Ok(())
    }
}

fn sorting(e: std::io::Error) -> ValueError {
    ValueError::Rule(format!("sorting the zip's member paths: {e}"))
}

/// One line read from a member file.
enum Line {
    /// A line (its newline removed) is in the buffer.
    Full,
    /// The file ended.
    End,
    /// Bytes after the last newline.
    Partial,
    /// A line longer than [`MAX_MEMBER_LINE`] (not read further).
    TooLong,
}

/// Reads the next line into `buf` (cleared first), holding at most one read buffer more than
/// `MAX_MEMBER_LINE` bytes of it; the bytes consumed (newline included) are hashed into `hash`.
fn next_line(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    hash: &mut Sha256,
) -> std::io::Result<(Line, u64)> {
    buf.clear();
    let mut read = 0u64;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok((
                if buf.is_empty() {
                    Line::End
                } else {
                    Line::Partial
                },
                read,
            ));
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        hash.update(&chunk[..take]);
        buf.extend_from_slice(&chunk[..take]);
        r.consume(take);
        read += take as u64;
        if done {
            buf.pop();
            let line = if buf.len() > MAX_MEMBER_LINE {
                Line::TooLong
            } else {
                Line::Full
            };
            return Ok((line, read));
        }
        if buf.len() > MAX_MEMBER_LINE {
            return Ok((Line::TooLong, read));
        }
    }
}

/// A member file read one member at a time and checked as it is read (see the module).
/// Yields each member, then an error at the place the file stops being the one `member_file`
/// names; nothing after an error.
pub struct MemberFileReader {
    path: PathBuf,
    want: MemberFile,
    reader: BufReader<File>,
    hash: Sha256,
    count: u64,
    bytes: u64,
    line: Vec<u8>,
    done: bool,
}

impl MemberFileReader {
    /// Opens the member file `f` of the case directory `root` (no symbolic link, a regular
    /// file, of the length `f` names).
    pub fn open(root: &Path, f: &MemberFile) -> Result<Self> {
        let path = path_of(root, f);
        let file = match fsutil::open_nofollow(&path, false) {
            Err(Error::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::input(format!(
                    "{}: missing: the seal's members are in this file (FORMAT.md 6.2, \"Member \
                     files\"); restore it from a copy of the case",
                    path.display()
                )))
            }
            other => other?,
        };
        let size = file.metadata().at(&path)?.len();
        if size != f.bytes {
            return Err(Error::input(format!(
                "{}: {size} bytes, but the seal's member_file says {}; it is not the sealed member file",
                path.display(),
                f.bytes
            )));
        }
        Ok(MemberFileReader {
            path,
            want: f.clone(),
            reader: BufReader::with_capacity(1 << 16, file),
            hash: Sha256::new(),
            count: 0,
            bytes: 0,
            line: Vec::new(),
            done: false,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&mut self, what: String) -> Option<Result<Member>> {
        self.done = true;
        Some(Err(Error::input(format!(
            "{}: {what}; it is not the sealed member file (FORMAT.md 6.2, \"Member files\")",
            self.path.display()
        ))))
    }
}

impl Iterator for MemberFileReader {
    type Item = Result<Member>;

    fn next(&mut self) -> Option<Result<Member>> {
        if self.done {
            return None;
        }
        let (line, read) = match next_line(&mut self.reader, &mut self.line, &mut self.hash) {
            Ok(x) => x,
            Err(e) => {
                self.done = true;
                return Some(Err(Error::io(&self.path, e)));
            }
        };
        self.bytes += read;
        let n = self.count + 1;
        match line {
            Line::Full => {}
            Line::End => {
                self.done = true;
                let digest = crate::format::encoding::hex(&self.hash.clone().finalize());
                if self.count != self.want.count {
                    return self.fail(format!(
                        "{} members, but the seal's member_file says {}",
                        self.count, self.want.count
                    ));
                }
                if self.bytes != self.want.bytes {
                    return self.fail(format!(
                        "{} bytes read, but the seal's member_file says {}",
                        self.bytes, self.want.bytes
                    ));
                }
                if digest != self.want.sha256 {
                    return self.fail(format!("its SHA-256 is {digest}"));
                }
                return None;
            }
            Line::Partial => return self.fail(format!("line {n} has no final newline")),
            Line::TooLong => {
                return self.fail(format!("line {n} is longer than {MAX_MEMBER_LINE} bytes"))
            }
        }
        self.count = n;
        if self.count > self.want.count {
            return self.fail(format!(
                "line {n}: more than the {} members the seal's member_file says",
                self.want.count
            ));
        }
        match member_from_line(&self.line) {
            Ok(m) => Some(Ok(m)),
            Err(e) => self.fail(format!("line {n}: {e}")),
        }
    }
}

/// Checks the member file of `a` (which has one) as FORMAT.md 6.2 says: the file the line
/// names, each line a member, and the value rules of 6.4 over its members, in one pass.
/// The error is the finding's message (`member-file`).
pub fn check(root: &Path, a: &Artifact) -> std::result::Result<(), String> {
    let Some(f) = &a.member_file else {
        return Ok(());
    };
    let broken = |e| format!("{}: {e} (FORMAT.md 6.4)", path_of(root, f).display());
    let mut rules = MemberRules::with_paths(&a.kind, Box::new(SortedPaths::default()));
    for m in MemberFileReader::open(root, f).map_err(|e| e.to_string())? {
        let m = m.map_err(|e| e.to_string())?;
        rules.add(&m).map_err(broken)?;
    }
    rules.finish(a).map_err(broken)
}

/// A seal's members, wherever they are: in its line, or in its member file (read and checked
/// as they are given; an error ends them).
pub enum SealMembers<'a> {
    /// In the seal's line.
    InLine(InLineIter<'a>),
    /// In a member file.
    File(Box<MemberFileReader>),
}

impl<'a> Iterator for SealMembers<'a> {
    type Item = Result<Cow<'a, Member>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            SealMembers::InLine(i) => i.next().map(Ok),
            SealMembers::File(r) => r.next().map(|m| m.map(Cow::Owned)),
        }
    }
}

/// The members of artifact `a` of the case directory `root`, or `None` for an artifact
/// without members (a file).
pub fn members_of<'a>(root: &Path, a: &'a Artifact) -> Result<Option<SealMembers<'a>>> {
    Ok(match (&a.members, &a.member_file) {
        (Some(m), _) => Some(SealMembers::InLine(m.iter())),
        (None, Some(f)) => Some(SealMembers::File(Box::new(MemberFileReader::open(
            root, f,
        )?))),
        (None, None) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::body::Hashes;

    /// `members` written as one member file of `root`, whatever their number.
    fn write<M: std::borrow::Borrow<Member>>(
        root: &Path,
        members: impl IntoIterator<Item = M>,
    ) -> Result<MemberFile> {
        let mut file = NewMemberFile::create(root)?;
        let mut line = Vec::new();
        for m in members {
            let m = m.borrow();
            member_line(m, &mut line)?;
            if line.len() > MAX_MEMBER_LINE {
                return Err(Error::input(format!(
                    "refused, nothing written: member {:?} would be a {}-byte line of the member \
                     file, more than {MAX_MEMBER_LINE} (FORMAT.md 6.2)",
                    m.path,
                    line.len()
                )));
            }
            file.add(&line)?;
        }
        file.finish()
    }

    fn member(i: usize) -> Member {
        Member {
            path: format!("dir/file-{i:06}"),
            kind: "file".into(),
            size: Some(i as u64),
            hashes: Some(Hashes {
                sha256: format!("{:064x}", i),
                ..Default::default()
            }),
            link: None,
            mtime: Some(1_700_000_000),
        }
    }

    #[test]
    fn a_list_goes_to_a_file_over_one_mib_unless_a_member_is_too_long_for_a_line() {
        let t = tempfile::tempdir().unwrap();
        // About 150 bytes a member: 5,000 fit in 1 MiB, 10,000 do not.
        let kept = MemberSpill::keep(t.path(), "tar", (0..5_000).map(member)).unwrap();
        assert!(kept.members.is_some() && kept.member_file.is_none());
        let kept = MemberSpill::keep(t.path(), "tar", (0..10_000).map(member)).unwrap();
        let f = kept.member_file.clone().expect("moved out");
        assert!(kept.members.is_none());
        assert_eq!(
            read_all(t.path(), &f).unwrap(),
            (0..10_000).map(member).collect::<Vec<_>>()
        );
        // One member whose path alone is over 1 MiB keeps the list in the line.
        let mut list: Vec<Member> = (0..10_000).map(member).collect();
        list[3].path = "p/".repeat(MAX_MEMBER_LINE / 2 + 1);
        let kept = MemberSpill::keep(t.path(), "tar", list).unwrap();
        assert!(kept.members.is_some() && kept.member_file.is_none());
    }

    #[test]
    fn a_spill_writes_the_same_file_as_a_list_and_takes_back_a_member_too_long_for_it() {
        let t = tempfile::tempdir().unwrap();
        let list: Vec<Member> = (0..10_000).map(member).collect();
        let mut spill = MemberSpill::new(t.path(), "tar");
        for m in list.clone() {
            spill.push(m).unwrap();
        }
        let kept = spill.finish().unwrap();
        let f = kept.member_file.expect("spilled");
        assert!(kept.members.is_none());
        assert_eq!(kept.file_count, 10_000);
        assert_eq!(
            kept.manifest_sha256,
            crate::format::validate::manifest_sha256(&list)
        );
        let again = write(&t.path().join("other"), &list);
        assert!(again.is_err(), "no case folder there");
        std::fs::create_dir(t.path().join("other")).unwrap();
        assert_eq!(write(&t.path().join("other"), &list).unwrap(), f);
        assert_eq!(read_all(t.path(), &f).unwrap(), list);

        // A member too long for a line of the file, after the spill began: all back in line,
        // and no temporary file left.
        let mut long = list.clone();
        long.push(Member {
            path: "p/".repeat(MAX_MEMBER_LINE / 2 + 1),
            ..member(10_000)
        });
        let u = tempfile::tempdir().unwrap();
        let mut spill = MemberSpill::new(u.path(), "tar");
        for m in long.clone() {
            spill.push(m).unwrap();
        }
        let kept = spill.finish().unwrap();
        assert!(kept.member_file.is_none());
        assert_eq!(kept.members.unwrap(), long);
        assert_eq!(std::fs::read_dir(dir_of(u.path())).unwrap().count(), 0);

        // A member that breaks a rule stops it, and nothing is left.
        let mut spill = MemberSpill::new(u.path(), "tar");
        for m in list.iter().take(9_000).cloned() {
            spill.push(m).unwrap();
        }
        assert!(spill
            .push(Member {
                hashes: None,
                ..member(1)
            })
            .is_err());
        assert!(spill.take_error().to_string().contains("size and hashes"));
        drop(spill);
        assert_eq!(std::fs::read_dir(dir_of(u.path())).unwrap().count(), 0);
    }

    #[test]
    fn a_zip_member_file_with_two_members_of_one_path_far_apart_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let mut list: Vec<Member> = (0..20_000).map(member).collect();
        // The spill refuses it at its end (the paths are sorted on disk, not held).
        let mut spill = MemberSpill::new(t.path(), "zip");
        for m in list.iter().cloned() {
            spill.push(m).unwrap();
        }
        assert!(spill.finish().is_ok());
        list[17_000].path = list[3].path.clone();
        let mut spill = MemberSpill::new(t.path(), "zip");
        for m in list.iter().cloned() {
            spill.push(m).unwrap();
        }
        let err = spill.finish().err().expect("refused").to_string();
        assert!(
            err.contains("zip member dir/file-000003: two members of one path"),
            "{err}"
        );
        // And so does the check of a member file that says so.
        let f = write(t.path(), &list).unwrap();
        let a = Artifact {
            kind: "zip".into(),
            path_given: String::new(),
            path_resolved: String::new(),
            size: 1,
            hashes: Hashes::default(),
            compression: None,
            manifest_sha256: Some(crate::format::validate::manifest_sha256(&list)),
            file_count: Some(list.len() as u64),
            members: None,
            member_file: Some(f),
            ewf: None,
        };
        let err = check(t.path(), &a).unwrap_err();
        assert!(err.contains("two members of one path"), "{err}");
    }

    fn read_all(root: &Path, f: &MemberFile) -> Result<Vec<Member>> {
        MemberFileReader::open(root, f)?.collect()
    }

    #[test]
    fn a_written_file_reads_back_and_any_change_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let members: Vec<Member> = (0..500).map(member).collect();
        let f = write(t.path(), &members).unwrap();
        assert_eq!(f.count, 500);
        let path = path_of(t.path(), &f);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), f.bytes);
        assert_eq!(read_all(t.path(), &f).unwrap(), members);
        let good = std::fs::read(&path).unwrap();

        let refused = |bytes: &[u8], want: &str| {
            std::fs::write(&path, bytes).unwrap();
            let mut wf = f.clone();
            wf.bytes = bytes.len() as u64;
            let e = read_all(t.path(), &wf).unwrap_err().to_string();
            assert!(e.contains(want), "{want}: {e}");
        };
        // One byte of a hash changed, the length kept.
        let mut b = good.clone();
        let at = b.iter().position(|&c| c == b'0').unwrap() + 40;
        b[at] = if b[at] == b'1' { b'2' } else { b'1' };
        refused(&b, "its SHA-256 is");
        // A member dropped: fewer lines.
        let cut = good.iter().position(|&c| c == b'\n').unwrap() + 1;
        refused(&good[cut..], "499 members");
        // A space inside a member: not canonical.
        let s = String::from_utf8(good.clone())
            .unwrap()
            .replacen("\":", "\": ", 1);
        refused(s.as_bytes(), "canonical");
        // No final newline.
        refused(&good[..good.len() - 1], "no final newline");
        // An empty line.
        let mut b = good.clone();
        b.push(b'\n');
        refused(&b, "line 501");
        // Not a member.
        let mut b = b"{\"x\":1}\n".to_vec();
        b.extend_from_slice(&good[cut..]);
        refused(&b, "not a member");
        // A line too long.
        let mut b = vec![b'a'; MAX_MEMBER_LINE + 2];
        b.push(b'\n');
        refused(&b, "longer than");

        // Another length than the line says: refused before reading.
        std::fs::write(&path, &good[cut..]).unwrap();
        let e = read_all(t.path(), &f).unwrap_err().to_string();
        assert!(e.contains("bytes, but the seal's member_file says"), "{e}");
        // Missing, and a link in its place.
        std::fs::remove_file(&path).unwrap();
        let e = read_all(t.path(), &f).unwrap_err().to_string();
        assert!(e.contains("missing"), "{e}");
        let other = t.path().join("elsewhere");
        std::fs::write(&other, &good).unwrap();
        std::os::unix::fs::symlink(&other, &path).unwrap();
        let e = read_all(t.path(), &f).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
    }
}
