//! Directories hashed file by file on all cores while they are walked, symbolic links recorded
//! and never followed: every member is opened beneath the folder without following a link,
//! and must be, before and after it is read, the file the walk listed ([`nofollow`]).

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::hashing::{
    self, ChunkReader, HashSelection, MemberInspector, MultiHasher, NoInspection, Progress,
};
use crate::store::nofollow::{self, Identity, Kind, StableFile};
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;

/// Files larger than this are hashed with the overlapped reader pipeline.
const LARGE_FILE: u64 = 32 << 20;

/// Each hashing thread's read buffer: a file that fits is read without a `stat`.
const READ_BUFFER: usize = 256 * 1024;

/// Files handed to a hashing thread at a time: few enough to share the work evenly, enough
/// that threads rarely wait on each other or wake each other up.
const BATCH: usize = 32;

/// Batches found by the walk and not yet taken by a hashing thread, at most.
const QUEUE: usize = 128;

/// A file's index in the walk and its size and hashes (or why it could not be read).
type HashedFile = (usize, Result<(u64, Hashes)>);

/// Files to hash: each one's index in the walk, path relative to the root, and identity as
/// listed (`lstat`).
type Batch = Vec<(usize, String, Identity)>;

/// Hashes one regular file (the path the user gave: links in it are followed), choosing the
/// pipeline for large files. Refuses anything but a regular file, and a file that changed
/// while it was read (type, device, inode, size, modification or change time, or a byte count
/// other than its size); never reads more than its size when opened and one byte.
pub fn hash_file(path: &Path, sel: HashSelection, progress: Progress) -> Result<(u64, Hashes)> {
    let file = StableFile::open(path)?;
    let r = if file.size() >= LARGE_FILE {
        hashing::hash_stream(file.reader(), sel, progress).at(path)?
    } else {
        let r = hashing::hash_reader_simple(file.reader(), sel).at(path)?;
        progress(r.0);
        r
    };
    file.finish(r.0)?;
    Ok(r)
}

/// The error for a member that could not be opened beneath its folder: a link met on the way
/// (`ELOOP`, `ENOTDIR`) means the folder changed since it was listed.
fn member_open_error(full: &Path, e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(code)
            if code == rustix::io::Errno::LOOP.raw_os_error()
                || code == rustix::io::Errno::NOTDIR.raw_os_error() =>
        {
            nofollow::changed(
                full,
                "a symbolic link now stands in its path; links are never followed",
            )
        }
        _ => Error::io(full, e),
    }
}

/// Hashes the member `rel` of the open folder `root` (`full` names it in messages) with the
/// caller's buffer (one per hashing thread), opening it beneath the folder without following
/// any link and checking it is the regular file the walk listed (`listed`) before and after
/// reading it. A file that fits in the buffer costs an `open`, two `fstat`s, the reads up to
/// its end and a `close`. Same sizes, digests and progress as [`hash_file`].
///
/// `inspector` sees the file's bytes as they are hashed (`begin` with `index` and `rel`, then
/// `update`s, then `end`); on a large file it reads them on a thread of its own.
#[allow(clippy::too_many_arguments)]
fn hash_member_file<I: MemberInspector + Send>(
    root: &File,
    rel: &str,
    full: &Path,
    listed: &Identity,
    sel: HashSelection,
    progress: Progress,
    buf: &mut [u8],
    index: usize,
    inspector: &mut I,
) -> Result<(u64, Hashes)> {
    nofollow::debug_hook("before-open", full);
    let fd = nofollow::open_beneath(root, rel, false).map_err(|e| member_open_error(full, e))?;
    let file = StableFile::from_fd(fd, full, Some(listed))?;
    let mut reader = file.reader();
    let first = hashing::read_full(&mut reader, buf).at(full)?;
    inspector.begin(index, rel);
    if first == buf.len() && file.size() >= LARGE_FILE {
        // The pipeline reads the bytes already read, then the rest of the file.
        let stream = (&buf[..first]).chain(reader);
        let (size, hashes) = if inspector.wants_bytes() {
            let feed = |r: &mut ChunkReader| -> io::Result<()> {
                loop {
                    let n = {
                        let b = r.fill_buf()?;
                        if b.is_empty() {
                            return Ok(());
                        }
                        inspector.update(b);
                        b.len()
                    };
                    r.consume(n);
                }
            };
            let (size, hashes, fed) =
                hashing::hash_stream_with(stream, sel, progress, Some(feed)).at(full)?;
            fed.unwrap_or(Ok(())).at(full)?;
            (size, hashes)
        } else {
            hashing::hash_stream(stream, sel, progress).at(full)?
        };
        file.finish(size)?;
        inspector.end(size, &hashes);
        return Ok((size, hashes));
    }
    let mut h = MultiHasher::new(sel);
    h.update(&buf[..first]);
    inspector.update(&buf[..first]);
    let mut total = first as u64;
    if first == buf.len() {
        loop {
            let n = match reader.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(full, e)),
            };
            h.update(&buf[..n]);
            inspector.update(&buf[..n]);
            total += n as u64;
        }
    }
    file.finish(total)?;
    progress(total);
    let hashes = h.finish();
    inspector.end(total, &hashes);
    Ok((total, hashes))
}

/// Lists every member under the open folder `root` (named `root_path`), in the order found,
/// and sends the regular files (index, relative path and identity) to the hashing threads in
/// batches as they are found. Each directory is opened beneath `root` without following links
/// and must be the directory listed; each entry's type and identity come from `lstat` on the
/// open directory, and a link's target from `readlinkat`: a link is recorded, never followed.
fn walk(root: &File, root_path: &Path, files: &SyncSender<Batch>) -> Result<Vec<Member>> {
    let mut out = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    // Sending only fails if every hashing thread is gone, which the scope then reports.
    let send = |batch: &mut Batch| {
        let _ = files.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
    };
    let mut stack: Vec<(String, Option<Identity>)> = vec![(String::new(), None)];
    while let Some((rel, listed)) = stack.pop() {
        let dir_path = if rel.is_empty() {
            root_path.to_path_buf()
        } else {
            root_path.join(&rel)
        };
        let fd: OwnedFd = if rel.is_empty() {
            root.try_clone().at(&dir_path)?.into()
        } else {
            nofollow::open_beneath(root, &rel, true).map_err(|e| member_open_error(&dir_path, e))?
        };
        if let Some(listed) = listed {
            let now = nofollow::fstat(&fd).at(&dir_path)?;
            if !listed.same_object(&now) {
                return Err(nofollow::changed(
                    &dir_path,
                    "replaced by another directory",
                ));
            }
        }
        let mut dir = rustix::fs::Dir::new(fd)
            .map_err(io::Error::from)
            .at(&dir_path)?;
        while let Some(item) = dir.read() {
            let item = item.map_err(io::Error::from).at(&dir_path)?;
            let name = item.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = std::str::from_utf8(name).map_err(|_| {
                Error::input(format!(
                    "{}: file name is not UTF-8; rename it or seal the folder as a tar",
                    dir_path.join(std::ffi::OsStr::from_bytes(name)).display()
                ))
            })?;
            let relpath = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let dirfd = dir.fd().map_err(io::Error::from).at(&dir_path)?;
            let full = dir_path.join(name);
            let id = nofollow::lstat_at(dirfd, name).at(&full)?;
            let mut m = Member {
                path: String::new(),
                kind: String::new(),
                size: None,
                hashes: None,
                link: None,
                mtime: None,
            };
            match id.kind {
                Kind::Symlink => {
                    let target = rustix::fs::readlinkat(dirfd, name, Vec::new())
                        .map_err(io::Error::from)
                        .map_err(|e| match e.raw_os_error() {
                            Some(c) if c == rustix::io::Errno::INVAL.raw_os_error() => {
                                nofollow::changed(&full, "no longer a symbolic link")
                            }
                            _ => Error::io(&full, e),
                        })?;
                    m.kind = "symlink".into();
                    m.link = Some(String::from_utf8_lossy(target.to_bytes()).into_owned());
                }
                Kind::Dir => {
                    m.kind = "dir".into();
                    stack.push((relpath.clone(), Some(id)));
                }
                Kind::File => {
                    m.kind = "file".into();
                    batch.push((out.len(), relpath.clone(), id));
                    if batch.len() == BATCH {
                        send(&mut batch);
                    }
                }
                Kind::Other(_) => m.kind = "other".into(),
            }
            m.path = relpath;
            out.push(m);
        }
    }
    if !batch.is_empty() {
        send(&mut batch);
    }
    Ok(out)
}

/// Every member of a directory, sorted by path bytes, regular files hashed in parallel while
/// the directory is still being walked.
///
/// On failure, the error is the walk's if it failed, else that of the unreadable file with the
/// smallest path (the same answer whatever the order of the work): after a failure, only files
/// before it in path order are still hashed.
pub fn hash_directory(root: &Path, sel: HashSelection, progress: Progress) -> Result<Vec<Member>> {
    hash_directory_inspected(root, sel, progress, || NoInspection).map(|(members, _)| members)
}

/// [`hash_directory`], each hashing thread showing the bytes of the files it hashes, as it
/// hashes them, to its own inspector made by `make`; returns the inspectors with the members.
/// Which thread sees which file is not fixed: an inspector's results are to be merged, in an
/// order that does not depend on it.
pub fn hash_directory_inspected<I, F>(
    root: &Path,
    sel: HashSelection,
    progress: Progress,
    make: F,
) -> Result<(Vec<Member>, Vec<I>)>
where
    I: MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    let (root_dir, _) = nofollow::open_path(root, Kind::Dir)?;
    let root_dir = &root_dir;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 16);
    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let rx = Mutex::new(rx);
    let failed = AtomicBool::new(false);
    // The smallest path (bytes) of a file that could not be hashed.
    let first_failure: Mutex<Option<PathBuf>> = Mutex::new(None);
    let results: Mutex<Vec<HashedFile>> = Mutex::new(Vec::new());
    let inspectors: Mutex<Vec<I>> = Mutex::new(Vec::new());
    let walked = std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut buf = vec![0u8; READ_BUFFER];
                let mut inspector = make();
                let mut local = Vec::new();
                loop {
                    let batch = rx.lock().expect("no panics while held").recv();
                    let Ok(batch) = batch else { break };
                    for (i, rel, listed) in batch {
                        let path = root.join(&rel);
                        if failed.load(Ordering::Relaxed) {
                            let first = first_failure.lock().expect("no panics while held");
                            let after = first.as_ref().is_some_and(|f| {
                                path.as_os_str().as_encoded_bytes()
                                    >= f.as_os_str().as_encoded_bytes()
                            });
                            if after {
                                continue;
                            }
                        }
                        let r = hash_member_file(
                            root_dir,
                            &rel,
                            &path,
                            &listed,
                            sel,
                            progress,
                            &mut buf,
                            i,
                            &mut inspector,
                        );
                        if r.is_err() {
                            let mut first = first_failure.lock().expect("no panics while held");
                            let before = first.as_ref().is_none_or(|f| {
                                path.as_os_str().as_encoded_bytes()
                                    < f.as_os_str().as_encoded_bytes()
                            });
                            if before {
                                *first = Some(path);
                            }
                            failed.store(true, Ordering::Relaxed);
                        }
                        local.push((i, r));
                    }
                }
                results.lock().expect("no panics while held").extend(local);
                inspectors
                    .lock()
                    .expect("no panics while held")
                    .push(inspector);
            });
        }
        let walked = walk(root_dir, root, &tx);
        drop(tx);
        match walked {
            Ok(items) => {
                // While the files are being hashed: the order of the members by path bytes.
                let mut order: Vec<usize> = (0..items.len()).collect();
                order.sort_unstable_by(|&a, &b| {
                    items[a].path.as_bytes().cmp(items[b].path.as_bytes())
                });
                Ok((items, order))
            }
            Err(e) => {
                // Nothing more is needed from the hashing threads.
                failed.store(true, Ordering::Relaxed);
                *first_failure.lock().expect("no panics while held") = Some(PathBuf::new());
                Err(e)
            }
        }
    });
    let (mut items, order) = walked?;
    let mut results = results.into_inner().expect("no panics while held");
    let mut error = None;
    for (i, r) in results.drain(..) {
        match r {
            Ok((size, hashes)) => {
                items[i].size = Some(size);
                items[i].hashes = Some(hashes);
            }
            Err(e) => {
                let smaller = error
                    .as_ref()
                    .is_none_or(|(j, _): &(usize, Error)| items[i].path < items[*j].path);
                if smaller {
                    error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = error {
        return Err(e);
    }
    permute(&mut items, order);
    Ok((
        items,
        inspectors.into_inner().expect("no panics while held"),
    ))
}

/// Reorders `items` in place so that the `k`-th becomes the one that was at `order[k]`
/// (`order` a permutation), following its cycles: no second vector of items.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for i in 0..items.len() {
        let mut j = i;
        while order[j] != DONE {
            let k = order[j];
            order[j] = DONE;
            if k == i {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::hashing::no_progress;
    use std::sync::atomic::AtomicU64;

    fn sel() -> HashSelection {
        HashSelection {
            sha512: true,
            legacy: true,
        }
    }

    /// [`hash_member_file`] on `rel` beneath `root`, as the walk would list it.
    fn member(
        root: &Path,
        rel: &str,
        sel: HashSelection,
        progress: Progress,
        buf: &mut [u8],
    ) -> Result<(u64, Hashes)> {
        let (dir, _) = nofollow::open_path(root, Kind::Dir)?;
        let listed = nofollow::lstat_at(&dir, rel).unwrap();
        hash_member_file(
            &dir,
            rel,
            &root.join(rel),
            &listed,
            sel,
            progress,
            buf,
            0,
            &mut NoInspection,
        )
    }

    #[test]
    fn permute_applies_any_order() {
        let mut x = 7u64;
        for n in [0usize, 1, 2, 3, 10, 257] {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items;
            permute(&mut got, order);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn member_hashing_agrees_with_hash_file_at_every_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = vec![0u8; 1000];
        for len in [0usize, 1, 999, 1000, 1001, 2000, 2001, 5555] {
            let p = dir.path().join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            std::fs::write(&p, &data).unwrap();
            let counted = AtomicU64::new(0);
            let count = |n: u64| {
                counted.fetch_add(n, Ordering::Relaxed);
            };
            let got = member(dir.path(), &format!("f{len}"), sel(), &count, &mut buf).unwrap();
            assert_eq!(got, hash_file(&p, sel(), &no_progress).unwrap(), "{len}");
            assert_eq!(got.0, len as u64);
            assert_eq!(counted.load(Ordering::Relaxed), len as u64);
        }
    }

    #[test]
    fn large_files_take_the_pipeline_with_the_bytes_already_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        let data: Vec<u8> = (0..LARGE_FILE as usize + 12345)
            .map(|i| (i % 253) as u8)
            .collect();
        std::fs::write(&p, &data).unwrap();
        let mut buf = vec![0u8; READ_BUFFER];
        let got = member(
            dir.path(),
            "big",
            HashSelection::default(),
            &no_progress,
            &mut buf,
        )
        .unwrap();
        let want = hashing::hash_reader_simple(&data[..], HashSelection::default()).unwrap();
        assert_eq!(got, want);
    }

    #[test]
    fn directory_members_sorted_by_bytes_with_links_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("d");
        for d in ["a", "a/b", "a.b", "z"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for (i, f) in ["a/b/x", "a/y", "a.b/z", "a-", "z/\u{e9}", "top"]
            .iter()
            .enumerate()
        {
            std::fs::write(root.join(f), vec![i as u8; i * 1000]).unwrap();
        }
        std::os::unix::fs::symlink("top", root.join("link")).unwrap();
        let members = hash_directory(&root, HashSelection::default(), &no_progress).unwrap();
        let paths: Vec<&str> = members.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            ["a", "a-", "a.b", "a.b/z", "a/b", "a/b/x", "a/y", "link", "top", "z", "z/\u{e9}"]
        );
        for m in &members {
            let full = root.join(&m.path);
            match m.kind.as_str() {
                "file" => {
                    let (size, hashes) =
                        hash_file(&full, HashSelection::default(), &no_progress).unwrap();
                    assert_eq!((m.size, m.hashes.as_ref()), (Some(size), Some(&hashes)));
                }
                "symlink" => assert_eq!(m.link.as_deref(), Some("top")),
                kind => {
                    assert_eq!(kind, "dir");
                    assert!(m.size.is_none() && m.hashes.is_none());
                }
            }
        }
    }

    #[test]
    fn unreadable_files_name_the_first_in_path_order() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..300 {
            std::fs::write(root.join(format!("f{i:03}")), [1u8; 10]).unwrap();
        }
        for bad in ["f150", "f299", "f151"] {
            let p = root.join(bad);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        }
        if std::fs::File::open(root.join("f150")).is_ok() {
            return; // running as root: permissions do not stop reads
        }
        for _ in 0..5 {
            let err = hash_directory(root, HashSelection::default(), &no_progress).unwrap_err();
            assert!(err.to_string().contains("f150"), "{err}");
        }
    }
}
