//! Measuring an artifact: its hashes and, for a directory, a tar or a zip, its members, as `seal`
//! records them and as `verify --rehash`, `custody accept` and `ioc scan` re-measure them.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Artifact, Hashes, Member};
use crate::format::validate::manifest_sha256;
use crate::store::dirhash;
use crate::store::ewf;
use crate::store::hashing::{
    ArchiveDigest, HashSelection, MemberInspector, NoInspection, Progress,
};
use crate::store::member_file::MemberSpill;
use crate::store::tarhash;
use crate::store::tarstream::MemberSink;
use crate::store::ziphash;
use std::path::Path;

/// How to treat a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ArtifactKind {
    /// Directory if it is one; tar if named `.tar`, `.tar.gz` or `.tgz`; zip if named `.zip`;
    /// EWF image if named `.E01` (`.Ex01`, `.L01`, `.Lx01`: refused by format); file
    /// otherwise.
    #[default]
    #[value(
        help = "Directory; by name tar (.tar, .tar.gz, .tgz), zip (.zip), EWF (.E01); else file"
    )]
    Auto,
    /// A single file, even if named `.tar`.
    #[value(help = "A single file")]
    File,
    /// A tar archive (gzip if named `.tar.gz` / `.tgz`).
    #[value(help = "A tar archive")]
    Tar,
    /// A zip archive, member by member (FORMAT.md 6.2, "Zip members").
    #[value(help = "A zip archive")]
    Zip,
    /// An EWF disk image set, given by its first segment (`.E01`): all its segments, one
    /// exhibit, its media verified against the digests it stores.
    #[value(help = "An EWF (E01) image set, by its first segment")]
    Ewf,
}

/// An artifact's measured content (hashes and members), without its path fields.
pub fn measure(
    path: &Path,
    kind: ArtifactKind,
    sel: HashSelection,
    progress: Progress,
) -> Result<Artifact> {
    let meta = std::fs::metadata(path).at(path)?;
    let mut a = Artifact {
        kind: String::new(),
        path_given: String::new(),
        path_resolved: String::new(),
        size: 0,
        hashes: Hashes::default(),
        compression: None,
        manifest_sha256: None,
        file_count: None,
        members: None,
        member_file: None,
        ewf: None,
    };
    if meta.is_dir() {
        directory_as_auto(path, kind)?;
        fill_directory(&mut a, dirhash::hash_directory(path, sel, progress)?);
    } else if is_tar(kind, path) {
        let gzip = tarhash::is_gzip_name(path);
        fill_archive(&mut a, "tar", tarhash::hash_tar(path, gzip, sel, progress)?);
        a.compression = gzip.then(|| "gzip".to_string());
    } else if is_zip(kind, path) {
        fill_archive(&mut a, "zip", ziphash::hash_zip(path, sel, progress)?);
    } else if kind == ArtifactKind::Ewf || (kind == ArtifactKind::Auto && ewf::is_ewf_name(path)) {
        let e = ewf::read_ewf(path, sel, progress, &mut |_| {})?;
        fill_ewf(&mut a, e);
    } else if meta.is_file() {
        let (size, hashes) = dirhash::hash_file(path, sel, progress)?;
        a.kind = "file".into();
        a.size = size;
        a.hashes = hashes;
    } else {
        return Err(Error::input(format!(
            "{}: not a regular file, directory, tar or zip (device, socket or fifo); copy it to a file first",
            path.display()
        )));
    }
    Ok(a)
}

/// A directory is measured as one only with `--as` left out.
fn directory_as_auto(path: &Path, kind: ArtifactKind) -> Result<()> {
    if kind != ArtifactKind::Auto {
        return Err(Error::input(format!(
            "{}: is a directory; drop --as",
            path.display()
        )));
    }
    Ok(())
}

/// Whether a path that is not a directory is measured as a tar: `--as tar`, or by its name
/// (`.tar`, `.tar.gz`, `.tgz`).
fn is_tar(kind: ArtifactKind, path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    kind == ArtifactKind::Tar
        || (kind == ArtifactKind::Auto && (name.ends_with(".tar") || tarhash::is_gzip_name(path)))
}

/// Whether a path that is not a directory is measured as a zip: `--as zip`, or by its name.
fn is_zip(kind: ArtifactKind, path: &Path) -> bool {
    kind == ArtifactKind::Zip || (kind == ArtifactKind::Auto && ziphash::is_zip_name(path))
}

/// The archive format `kind` (or, for `auto`, the name) makes of `path`, if any.
fn archive_format(kind: ArtifactKind, path: &Path) -> Option<ArchiveFormat> {
    if is_tar(kind, path) {
        Some(ArchiveFormat::Tar)
    } else if is_zip(kind, path) {
        Some(ArchiveFormat::Zip)
    } else {
        None
    }
}

/// [`measure`] for a seal into the case directory `root`: the members are checked by the
/// value rules of 6.4 one at a time and, when their list is too long for the seal's line,
/// written to a member file of the case (FORMAT.md 6.2) by a [`MemberSpill`], as they are
/// measured (a folder's, a tar's, a zip's: never all held). Then the artifact's rules.
pub fn measure_for_seal(
    path: &Path,
    kind: ArtifactKind,
    sel: HashSelection,
    progress: Progress,
    root: &Path,
) -> Result<Artifact> {
    let meta = std::fs::metadata(path).at(path)?;
    let a = if meta.is_dir() {
        directory_as_auto(path, kind)?;
        measure_directory_for_seal_inspected(path, sel, progress, root, || NoInspection)?.0
    } else if let Some(format) = archive_format(kind, path) {
        measure_archive_inspected(
            format,
            path,
            sel,
            progress,
            root,
            &mut NoInspection,
            &mut |_| {},
        )?
    } else {
        let mut a = measure(path, kind, sel, progress)?;
        // An image's segments stay in its line (FORMAT.md 6.2).
        let listed = a.kind != "ewf";
        if let Some(members) = a.members.take_if(|_| listed) {
            let kept = MemberSpill::keep(root, &a.kind, members.into_vec())?;
            a.members = kept.members.map(Into::into);
            a.member_file = kept.member_file;
        }
        a
    };
    crate::format::validate::artifact(&a)
        .map_err(|e| Error::input(format!("{}: cannot be sealed: {e}", path.display())))?;
    Ok(a)
}

/// A directory measured for a seal into the case directory `root`: its members given to a
/// [`MemberSpill`] in path order as they are hashed (`dirhash::hash_directory_into`), so
/// that they are never all held; each hashing thread shows the files it hashes to its own
/// inspector made by `make` (as `dirhash::hash_directory_inspected`), returned with the
/// artifact. The artifact is the one [`fill_directory`] makes of the same members, with
/// `members` or `member_file` as [`MemberSpill::keep`] keeps them; the artifact's rules are
/// the caller's.
pub fn measure_directory_for_seal_inspected<I, F>(
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    root: &Path,
    make: F,
) -> Result<(Artifact, Vec<I>)>
where
    I: MemberInspector + Send,
    F: Fn() -> I + Sync,
{
    let ((_, inspectors), kept) = spilled(root, "directory", |sink, sink_error| {
        dirhash::hash_directory_into(path, sel, progress, make, sink, sink_error)
    })?;
    let a = Artifact {
        kind: "directory".into(),
        path_given: String::new(),
        path_resolved: String::new(),
        size: kept.size,
        hashes: Hashes {
            sha256: kept.manifest_sha256.clone(),
            ..Hashes::default()
        },
        compression: None,
        manifest_sha256: Some(kept.manifest_sha256),
        file_count: Some(kept.file_count),
        members: kept.members.map(Into::into),
        member_file: kept.member_file,
        ewf: None,
    };
    Ok((a, inspectors))
}

/// Runs `read` with a [`MemberSpill`] of an artifact of `kind` into the case directory `root`:
/// `read` gets the sink that checks and keeps each member (in the line while the list is short,
/// else in a member file), which a reader's threads may share, and the error of the spill when
/// it stopped the read; then the members kept.
fn spilled<T>(
    root: &Path,
    kind: &str,
    read: impl FnOnce(MemberSink<'_>, &mut dyn FnMut() -> Error) -> Result<T>,
) -> Result<(T, crate::store::member_file::Spilled)> {
    let spill = std::sync::Mutex::new(MemberSpill::new(root, kind));
    let lock = || {
        spill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let out = read(&mut |m| lock().push(m), &mut || lock().take_error())?;
    let kept = spill
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .finish()?;
    Ok((out, kept))
}

/// The archive formats whose members are measured as the archive streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// A tar, gzip-compressed if named `.tar.gz` or `.tgz`.
    Tar,
    /// A zip, its members in central directory order.
    Zip,
}

impl ArchiveFormat {
    /// The format of a sealed artifact of `kind` (`tar` or `zip`), if it is an archive.
    pub fn of_kind(kind: &str) -> Option<Self> {
        match kind {
            "tar" => Some(Self::Tar),
            "zip" => Some(Self::Zip),
            _ => None,
        }
    }
}

/// An archive measured for a seal into the case directory `root`: its members given to a
/// [`MemberSpill`] as they are read (a zip's in central directory order), each shown first to
/// `seen` (which may drop hashes not to be kept), each regular member's bytes shown to
/// `inspector` as they are hashed. The value rules of the whole artifact are the caller's
/// ([`measure_for_seal`] checks them).
pub fn measure_archive_inspected<I: MemberInspector + Send>(
    format: ArchiveFormat,
    path: &Path,
    sel: HashSelection,
    progress: Progress,
    root: &Path,
    inspector: &mut I,
    seen: &mut (dyn FnMut(&mut Member) + Send),
) -> Result<Artifact> {
    match format {
        ArchiveFormat::Tar => {
            let gzip = tarhash::is_gzip_name(path);
            let compression = gzip.then(|| "gzip".to_string());
            archive_for_seal(root, "tar", compression, seen, |sink, sink_error| {
                tarhash::inspect_tar_into(path, gzip, sel, progress, inspector, sink, sink_error)
            })
        }
        ArchiveFormat::Zip => archive_for_seal(root, "zip", None, seen, |sink, sink_error| {
            ziphash::inspect_zip_into(path, sel, progress, inspector, sink, sink_error)
        }),
    }
}

/// The artifact of kind `kind` (`tar` or `zip`) that `read` measures, giving each member to
/// the sink it is given (after `seen`), kept by a [`MemberSpill`] into `root`.
fn archive_for_seal(
    root: &Path,
    kind: &str,
    compression: Option<String>,
    seen: &mut (dyn FnMut(&mut Member) + Send),
    read: impl FnOnce(MemberSink<'_>, &mut dyn FnMut() -> Error) -> Result<(u64, Hashes)>,
) -> Result<Artifact> {
    let ((size, hashes), kept) = spilled(root, kind, |sink, sink_error| {
        let mut shown = |mut m: Member| {
            seen(&mut m);
            sink(m)
        };
        read(&mut shown, sink_error)
    })?;
    Ok(Artifact {
        kind: kind.into(),
        path_given: String::new(),
        path_resolved: String::new(),
        size,
        hashes,
        compression,
        manifest_sha256: Some(kept.manifest_sha256),
        file_count: Some(kept.file_count),
        members: kept.members.map(Into::into),
        member_file: kept.member_file,
        ewf: None,
    })
}

/// The bytes re-measuring the artifact recorded as `a` reads and reports to its progress
/// callback, known before reading it (for a bar with a total and time left): a file's, tar's
/// or zip's size on disk (a `.tar.gz` is counted compressed, as read), a directory's files
/// (the sum of its members' sizes, which is its size), an EWF set's segment files (the sum of
/// its members' sizes, not its media's size). If the artifact changed, the count differs (and
/// the re-hash says so).
pub fn bytes_read(a: &Artifact) -> u64 {
    match a.kind.as_str() {
        "directory" => a.size,
        "ewf" => a.members.iter().flatten().filter_map(|m| m.size).sum(),
        _ => a.size,
    }
}

/// Records a hashed directory in `a` as an artifact of kind `directory`: its members, their
/// manifest (which is its SHA-256), the sum of their sizes and the number of files.
pub fn fill_directory(a: &mut Artifact, members: Vec<Member>) {
    let digest = manifest_sha256(&members);
    a.kind = "directory".into();
    a.size = members.iter().filter_map(|m| m.size).sum();
    a.hashes.sha256 = digest.clone();
    a.manifest_sha256 = Some(digest);
    a.file_count = Some(members.iter().filter(|m| m.kind == "file").count() as u64);
    a.members = Some(members.into());
}

/// Records a hashed archive in `a` as an artifact of `kind` (`tar` or `zip`): its size and
/// hashes, its members, their manifest and number of files (the compression is the caller's).
pub fn fill_archive(a: &mut Artifact, kind: &str, d: ArchiveDigest) {
    a.kind = kind.into();
    a.size = d.size;
    a.hashes = d.hashes;
    a.manifest_sha256 = Some(manifest_sha256(&d.members));
    a.file_count = Some(d.members.iter().filter(|m| m.kind == "file").count() as u64);
    a.members = Some(d.members.into());
}

/// Records a read EWF set in `a`: the media's size and hashes, the segments as members.
pub fn fill_ewf(a: &mut Artifact, e: ewf::EwfRead) {
    a.kind = "ewf".into();
    a.size = e.media_size;
    a.hashes = e.media_hashes;
    a.manifest_sha256 = Some(manifest_sha256(&e.members));
    a.file_count = Some(e.members.len() as u64);
    a.members = Some(e.members.into());
    a.ewf = Some(Box::new(e.image));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::hashing::no_progress;
    use crate::store::member_file;

    /// A folder sealed streaming is, byte for byte, what the whole sorted list through
    /// [`MemberSpill::keep`] gives: the same artifact, and the same member file.
    #[test]
    fn a_folder_sealed_streaming_is_the_sorted_list_kept() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("folder");
        for files in [3usize, 10_000] {
            let _ = std::fs::remove_dir_all(&folder);
            for f in 0..files {
                let sub = folder
                    .join(format!("d{}", f % 37))
                    .join(["a", "a-b", "a.b"][f % 3]);
                std::fs::create_dir_all(&sub).unwrap();
                std::fs::write(sub.join(format!("f\u{e9}{f}")), f.to_string()).unwrap();
            }
            std::fs::write(folder.join("a"), b"x").unwrap();
            std::os::unix::fs::symlink("d1", folder.join("d1-")).unwrap();
            let sel = HashSelection::default();
            // As `measure` records it: the whole list, sorted.
            let mut want = measure(&folder, ArtifactKind::Auto, sel, &no_progress).unwrap();
            let members = want.members.take().unwrap().into_vec();
            assert!(members
                .windows(2)
                .all(|w| w[0].path.as_bytes() < w[1].path.as_bytes()));
            let (case_a, case_b) = (dir.path().join("a"), dir.path().join("b"));
            for c in [&case_a, &case_b] {
                let _ = std::fs::remove_dir_all(c);
                std::fs::create_dir(c).unwrap();
            }
            let kept = MemberSpill::keep(&case_a, "directory", members).unwrap();
            want.members = kept.members.map(Into::into);
            want.member_file = kept.member_file;
            let got =
                measure_for_seal(&folder, ArtifactKind::Auto, sel, &no_progress, &case_b).unwrap();
            assert_eq!(
                crate::format::canonical::to_canonical_of(&got).unwrap(),
                crate::format::canonical::to_canonical_of(&want).unwrap()
            );
            assert_eq!(got.member_file.is_some(), files > 1000);
            if let Some(f) = &got.member_file {
                assert_eq!(
                    std::fs::read(member_file::path_of(&case_b, f)).unwrap(),
                    std::fs::read(member_file::path_of(&case_a, f)).unwrap()
                );
            }
        }
    }
}
