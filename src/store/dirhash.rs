//! Directories hashed file by file on all cores, symbolic links recorded and never followed.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Hashes, Member};
use crate::store::hashing::{self, HashSelection, Progress};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Files larger than this are hashed with the overlapped reader pipeline.
const LARGE_FILE: u64 = 32 << 20;

/// A file's index in the walk and its size and hashes (or why it could not be read).
type HashedFile = (usize, Result<(u64, Hashes)>);

/// Lists every member under `root` (not following symbolic links), sorted by path bytes.
/// Files get their size; hashes are filled by [`hash_directory`].
fn walk(root: &Path) -> Result<Vec<(Member, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for item in std::fs::read_dir(&dir).at(&dir)? {
            let item = item.at(&dir)?;
            let name = item.file_name();
            let name = name.to_str().ok_or_else(|| {
                Error::input(format!(
                    "{}: file name is not UTF-8; rename it or seal the folder as a tar",
                    item.path().display()
                ))
            })?;
            let relpath = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let full = item.path();
            let meta = std::fs::symlink_metadata(&full).at(&full)?;
            let ft = meta.file_type();
            let mut m = Member {
                path: relpath.clone(),
                kind: String::new(),
                size: None,
                hashes: None,
                link: None,
                mtime: None,
            };
            if ft.is_symlink() {
                let target = std::fs::read_link(&full).at(&full)?;
                m.kind = "symlink".into();
                m.link = Some(target.to_string_lossy().into_owned());
            } else if ft.is_dir() {
                m.kind = "dir".into();
                stack.push((full.clone(), relpath));
            } else if ft.is_file() {
                m.kind = "file".into();
                m.size = Some(meta.len());
            } else {
                m.kind = "other".into();
            }
            out.push((m, full));
        }
    }
    out.sort_by(|a, b| a.0.path.as_bytes().cmp(b.0.path.as_bytes()));
    Ok(out)
}

/// Hashes one file, choosing the pipeline for large files.
pub fn hash_file(path: &Path, sel: HashSelection, progress: Progress) -> Result<(u64, Hashes)> {
    let file = std::fs::File::open(path).at(path)?;
    let len = file.metadata().at(path)?.len();
    if len >= LARGE_FILE {
        hashing::hash_stream(file, sel, progress).at(path)
    } else {
        let r = hashing::hash_reader_simple(file, sel).at(path)?;
        progress(r.0);
        Ok(r)
    }
}

/// Every member of a directory, sorted by path bytes, regular files hashed in parallel.
pub fn hash_directory(root: &Path, sel: HashSelection, progress: Progress) -> Result<Vec<Member>> {
    let mut items = walk(root)?;
    let files: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].0.kind == "file")
        .collect();
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 16);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<HashedFile>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut local = Vec::new();
                loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = files.get(k) else { break };
                    let r = hash_file(&items[i].1, sel, progress);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    local.push((i, r));
                }
                results.lock().expect("no panics while held").extend(local);
            });
        }
    });
    let mut results = results.into_inner().expect("no panics while held");
    results.sort_by_key(|r| r.0);
    for (i, r) in results {
        let (size, hashes) = r?;
        items[i].0.size = Some(size);
        items[i].0.hashes = Some(hashes);
    }
    Ok(items.into_iter().map(|(m, _)| m).collect())
}
