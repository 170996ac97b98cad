//! Hostile evidence bundles against `scelle::store::safeextract::extract`: tars crafted header
//! by header (the `tar` crate's builder refuses `..` and absolute paths, so the 512-byte
//! headers are written by hand here), each of which must be refused with its own error, leaving
//! no target, no `.scelle-import-*` directory and nothing changed around it (a sentinel tree
//! next to the target, and the directories above, are compared byte for byte); and good
//! bundles (from the `tar` crate and from GNU tar), whose extracted bytes must equal the
//! originals.

mod common;

use common::snapshot_tree as snapshot;
use scelle::store::safeextract::{extract, ExtractError, Extracted, Limits, TEMP_PREFIX};
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// Tars written by hand.

/// Writes `v` in octal, zero-padded, NUL-terminated, filling `field`.
fn octal(field: &mut [u8], v: u64) {
    let s = format!("{v:0w$o}\0", w = field.len() - 1);
    assert_eq!(s.len(), field.len(), "{v} does not fit in octal");
    field.copy_from_slice(s.as_bytes());
}

/// A raw 512-byte header: `name` (at most 100 bytes) and `link` (at most 100) copied as they
/// are, size in octal or, from 8 GiB, in base-256 as GNU tar writes it. `magic` is "ustar"
/// (POSIX), "gnu" or "v7" (none).
fn raw_header(magic: &str, name: &[u8], typ: u8, size: u64, link: &[u8]) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 1000);
    octal(&mut h[116..124], 1000);
    if size < 1 << 33 {
        octal(&mut h[124..136], size);
    } else {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    octal(&mut h[136..148], 1_700_000_000);
    h[156] = typ;
    h[157..157 + link.len()].copy_from_slice(link);
    match magic {
        "ustar" => h[257..265].copy_from_slice(b"ustar\x0000"),
        "gnu" => h[257..265].copy_from_slice(b"ustar  \x00"),
        _ => {}
    }
    if magic != "v7" {
        h[265..270].copy_from_slice(b"root\0");
        h[297..302].copy_from_slice(b"root\0");
        octal(&mut h[329..337], 0);
        octal(&mut h[337..345], 0);
    }
    set_checksum(&mut h);
    h
}

fn set_checksum(h: &mut [u8; 512]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

fn header(name: &[u8], typ: u8, size: u64, link: &[u8]) -> [u8; 512] {
    raw_header("ustar", name, typ, size, link)
}

/// A PAX record `LEN KEY=VALUE\n`.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = 1 + key.len() + 1 + value.len() + 1;
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

/// An archive under construction.
#[derive(Default)]
struct Tar(Vec<u8>);

impl Tar {
    fn new() -> Self {
        Tar::default()
    }
    /// A header and its data, padded to the block.
    fn raw(mut self, h: [u8; 512], data: &[u8]) -> Self {
        self.0.extend_from_slice(&h);
        self.0.extend_from_slice(data);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }
    fn file(self, name: &str, data: &[u8]) -> Self {
        self.raw(header(name.as_bytes(), b'0', data.len() as u64, b""), data)
    }
    fn dir(self, name: &str) -> Self {
        self.raw(header(name.as_bytes(), b'5', 0, b""), b"")
    }
    /// A GNU long name (`L`) for the next member.
    fn long_name(self, name: &[u8]) -> Self {
        let mut data = name.to_vec();
        data.push(0);
        let h = raw_header("gnu", b"././@LongLink", b'L', data.len() as u64, b"");
        self.raw(h, &data)
    }
    /// PAX records (`x`) for the next member.
    fn pax(self, records: &[(&str, &[u8])]) -> Self {
        let data: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
        self.raw(header(b"PaxHeader", b'x', data.len() as u64, b""), &data)
    }
    /// The two zero blocks that end an archive.
    fn end(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0; 1024]);
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// The scene: ROOT/outer/work/{sentinel/..., bundle (the target, absent)}.

struct Scene {
    tmp: tempfile::TempDir,
    parent: PathBuf,
    target: PathBuf,
    sentinel: PathBuf,
}

impl Scene {
    fn new() -> Scene {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join("outer/work");
        let sentinel = parent.join("sentinel");
        fs::create_dir_all(sentinel.join("etc")).unwrap();
        fs::write(sentinel.join("passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
        fs::write(sentinel.join("etc/hosts"), "127.0.0.1 localhost\n").unwrap();
        fs::write(tmp.path().join("outer/keep"), "above the parent\n").unwrap();
        Scene {
            target: parent.join("bundle"),
            tmp,
            parent,
            sentinel,
        }
    }
    fn root(&self) -> &Path {
        self.tmp.path()
    }
}

/// Names of leftover staging directories in `dir`.
fn staging_dirs(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(TEMP_PREFIX))
        .collect()
}

/// Extracts `reader` into a fresh scene and checks the refusal left everything as it was.
fn refused_reader(reader: impl Read, limits: &Limits) -> ExtractError {
    let s = Scene::new();
    let before = snapshot(s.root());
    let e = extract(reader, &s.target, limits).expect_err("the archive must be refused");
    assert!(s.target.symlink_metadata().is_err(), "target created: {e}");
    assert_eq!(staging_dirs(&s.parent), Vec::<String>::new(), "{e}");
    assert_eq!(snapshot(s.root()), before, "something changed: {e}");
    assert!(s.sentinel.join("passwd").is_file());
    let msg = e.to_string();
    assert!(msg.contains("nothing was extracted"), "{msg}");
    e
}

fn refused(data: &[u8]) -> ExtractError {
    refused_reader(data, &Limits::default())
}

fn refused_with(data: &[u8], limits: Limits) -> ExtractError {
    refused_reader(data, &limits)
}

/// Asserts `e` names member `index` with path `path` (as the message prints it).
fn names(e: &ExtractError, index: u64, path: &str) {
    let msg = e.to_string();
    let want = format!("member {index} {path:?}:");
    assert!(msg.starts_with(&want), "{msg}\nshould start with {want}");
}

// ---------------------------------------------------------------------------------------------
// Paths.

#[test]
fn traversal_dotdot() {
    let e = refused(&Tar::new().file("../evil", b"pwned").end());
    assert!(matches!(&e, ExtractError::PathTraversal { index: 0, path } if path == "../evil"));
    names(&e, 0, "../evil");
}

#[test]
fn traversal_inside_a_path_after_good_members() {
    let data = Tar::new()
        .dir("a/")
        .file("a/ok.txt", &[7; 100_000])
        .file("a/../../evil", b"pwned")
        .end();
    let e = refused(&data);
    assert!(matches!(&e, ExtractError::PathTraversal { index: 2, path } if path == "a/../../evil"));
}

#[test]
fn traversal_with_backslashes_long_names_and_pax() {
    let e = refused(&Tar::new().file("a\\..\\..\\evil", b"x").end());
    assert!(
        matches!(e, ExtractError::PathTraversal { index: 0, .. }),
        "{e}"
    );
    let deep = format!("{}evil", "../".repeat(40));
    let e = refused(&Tar::new().long_name(deep.as_bytes()).file("x", b"x").end());
    assert!(
        matches!(&e, ExtractError::PathTraversal { index: 0, path } if *path == deep),
        "{e}"
    );
    let e = refused(
        &Tar::new()
            .pax(&[("path", b"ok/../../../evil")])
            .file("ok/innocent", b"x")
            .end(),
    );
    assert!(
        matches!(&e, ExtractError::PathTraversal { path, .. } if path == "ok/../../../evil"),
        "{e}"
    );
}

#[test]
fn absolute_paths() {
    let e = refused(&Tar::new().file("/etc/evil", b"pwned").end());
    assert!(matches!(&e, ExtractError::AbsolutePath { index: 0, path } if path == "/etc/evil"));
    assert!(!Path::new("/etc/evil").exists());
    names(&e, 0, "/etc/evil");

    // Aimed at the sentinel next to the target (which the scene compares afterwards).
    let s = Scene::new();
    let planted = format!("{}/planted", s.sentinel.display());
    let e = refused(
        &Tar::new()
            .long_name(planted.as_bytes())
            .file("p", b"x")
            .end(),
    );
    assert!(
        matches!(e, ExtractError::AbsolutePath { index: 0, .. }),
        "{e}"
    );
    assert!(!Path::new(&planted).exists());

    for name in [
        "C:\\evil",
        "C:evil",
        "c:/evil",
        "\\\\server\\share\\evil",
        "\\evil",
        "//evil",
    ] {
        let e = refused(&Tar::new().file(name, b"x").end());
        assert!(
            matches!(&e, ExtractError::AbsolutePath { path, .. } if path == name),
            "{name}: {e}"
        );
    }
}

#[test]
fn empty_nul_and_non_utf8_names() {
    let e = refused(&Tar::new().raw(header(b"", b'0', 1, b""), b"x").end());
    assert!(matches!(e, ExtractError::EmptyPath { index: 0, .. }), "{e}");
    let e = refused(&Tar::new().file(".", b"x").end());
    assert!(matches!(e, ExtractError::EmptyPath { index: 0, .. }), "{e}");
    // A NUL inside a long name: GNU tar cuts the name there, the tar crate does not.
    let e = refused(&Tar::new().long_name(b"a\0b").file("ab", b"x").end());
    assert!(
        matches!(&e, ExtractError::HeaderAlias { index: 0, message } if message.contains("after a NUL")),
        "{e}"
    );
    assert!(
        e.to_string().contains(r#""a\0b\0""#),
        "printed escaped: {e}"
    );
    let e = refused(
        &Tar::new()
            .raw(header(b"ok/\xff\xfe", b'0', 1, b""), b"x")
            .end(),
    );
    assert!(
        matches!(&e, ExtractError::NonUtf8Path { index: 0, path } if path == "ok/\u{fffd}\u{fffd}"),
        "{e}"
    );
    // A terminal escape in a name is printed escaped.
    let e = refused(&Tar::new().file("../\x1b[2Jx", b"x").end());
    assert!(!e.to_string().contains('\x1b'), "{e}");
}

#[test]
fn path_too_long() {
    let long = "d/".repeat(2100) + "f";
    assert!(long.len() > 4096);
    let e = refused(&Tar::new().long_name(long.as_bytes()).file("f", b"x").end());
    assert!(
        matches!(
            e,
            ExtractError::PathTooLong {
                index: 0,
                len: 4201,
                limit: 4096,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().len() < 1000, "the path is cut in the message");
    let limits = Limits {
        max_path_len: 10,
        ..Limits::default()
    };
    let e = refused_with(&Tar::new().file("0123456789a", b"x").end(), limits);
    assert!(
        matches!(
            e,
            ExtractError::PathTooLong {
                len: 11,
                limit: 10,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn huge_extension_headers_are_refused_before_they_are_held() {
    // A GNU long name of 8 MiB: refused once the budget (about 1 MiB) has been read.
    let e = refused(
        &Tar::new()
            .long_name(&vec![b'a'; 8 << 20])
            .file("f", b"x")
            .end(),
    );
    assert!(
        matches!(e, ExtractError::HeadersTooLarge { index: 0, limit } if limit == Limits::default().header_budget()),
        "{e}"
    );
    // The same from PAX records, after a good member.
    let data = Tar::new()
        .file("ok", b"fine")
        .pax(&[("comment", &vec![b'c'; 4 << 20])])
        .file("f", b"x")
        .end();
    let e = refused(&data);
    assert!(
        matches!(e, ExtractError::HeadersTooLarge { index: 1, .. }),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Member types.

#[test]
fn symlink_then_a_file_through_it() {
    let data = Tar::new()
        .raw(header(b"link", b'2', 0, b"/etc"), b"")
        .file("link/passwd", b"root::0:0::/:/bin/sh\n")
        .end();
    let e = refused(&data);
    assert!(
        matches!(&e, ExtractError::Symlink { index: 0, path, target } if path == "link" && target == "/etc"),
        "{e}"
    );
    assert!(e.to_string().contains("never contain links"), "{e}");

    // Aimed at the sentinel: it must be unchanged (the scene checks it byte for byte).
    let s = Scene::new();
    let data = Tar::new()
        .long_name(b"link")
        .raw(
            raw_header(
                "gnu",
                b"link",
                b'2',
                0,
                s.sentinel.to_str().unwrap().as_bytes(),
            ),
            b"",
        )
        .file("link/passwd", b"pwned")
        .end();
    let e = refused(&data);
    assert!(matches!(e, ExtractError::Symlink { index: 0, .. }), "{e}");
    assert!(!fs::read_to_string(s.sentinel.join("passwd"))
        .unwrap()
        .contains("pwned"));
}

#[test]
fn hard_link_to_etc_passwd() {
    let data = Tar::new()
        .file("ok", b"fine")
        .raw(header(b"passwd", b'1', 0, b"/etc/passwd"), b"")
        .end();
    let e = refused(&data);
    assert!(
        matches!(&e, ExtractError::HardLink { index: 1, path, target } if path == "passwd" && target == "/etc/passwd"),
        "{e}"
    );
    assert!(e.to_string().contains("never contain links"), "{e}");
}

#[test]
fn devices_fifos_and_other_types() {
    let e = refused(&Tar::new().raw(header(b"dev/null", b'3', 0, b""), b"").end());
    assert!(matches!(&e, ExtractError::CharDevice { index: 0, path } if path == "dev/null"));
    let e = refused(&Tar::new().raw(header(b"dev/sda", b'4', 0, b""), b"").end());
    assert!(
        matches!(e, ExtractError::BlockDevice { index: 0, .. }),
        "{e}"
    );
    let e = refused(&Tar::new().raw(header(b"pipe", b'6', 0, b""), b"").end());
    assert!(matches!(e, ExtractError::Fifo { index: 0, .. }), "{e}");
    let e = refused(
        &Tar::new()
            .raw(raw_header("gnu", b"label", b'V', 0, b""), b"")
            .end(),
    );
    assert!(
        matches!(e, ExtractError::OtherType { kind: b'V', .. }),
        "{e}"
    );
    assert!(e.to_string().contains("type 'V'"), "{e}");
    // A long-name type in a V7 header: an extension for GNU tar, a member for the tar crate.
    let e = refused(
        &Tar::new()
            .raw(raw_header("v7", b"odd", b'L', 3, b""), b"abc")
            .end(),
    );
    assert!(
        matches!(&e, ExtractError::HeaderAlias { index: 0, message } if message.contains("without ustar or GNU magic")),
        "{e}"
    );
    let e = refused(&Tar::new().raw(header(b"odd", 0xff, 0, b""), b"").end());
    assert!(
        matches!(e, ExtractError::OtherType { kind: 0xff, .. }),
        "{e}"
    );
    assert!(e.to_string().contains(r"type '\xff'"), "{e}");
}

#[test]
fn gnu_sparse_members() {
    let mut h = raw_header("gnu", b"sparse", b'S', 512, b"");
    // One sparse block: 512 bytes at offset 3584; real size 4096.
    octal(&mut h[386..398], 3584);
    octal(&mut h[398..410], 512);
    octal(&mut h[483..495], 4096);
    set_checksum(&mut h);
    let e = refused(&Tar::new().raw(h, &[9; 512]).end());
    assert!(
        matches!(&e, ExtractError::Sparse { index: 0, path } if path == "sparse"),
        "{e}"
    );
    // GNU tar's PAX sparse format (a regular member with GNU.sparse records).
    let data = Tar::new()
        .pax(&[
            ("GNU.sparse.major", b"1"),
            ("GNU.sparse.minor", b"0"),
            ("GNU.sparse.name", b"sparse"),
            ("GNU.sparse.realsize", b"4096"),
        ])
        .file("GNUSparseFile.0/sparse", &[0; 1024])
        .end();
    let e = refused(&data);
    assert!(matches!(e, ExtractError::Sparse { index: 0, .. }), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Limits.

/// The same block `count` times, then `tail`: a large archive without holding it.
struct Repeat {
    block: [u8; 512],
    left: u64,
    at: usize,
    tail: io::Cursor<Vec<u8>>,
}

impl Read for Repeat {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return self.tail.read(out);
        }
        let n = out.len().min(512 - self.at);
        out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        if self.at == 512 {
            self.at = 0;
            self.left -= 1;
        }
        Ok(n)
    }
}

#[test]
fn too_many_members_with_the_default_limit() {
    // 100,000 PAX global headers (members that write nothing), then one file.
    let archive = Repeat {
        block: header(b"pax_global_header", b'g', 0, b""),
        left: 100_000,
        at: 0,
        tail: io::Cursor::new(Tar::new().file("one-too-many", b"x").end()),
    };
    let e = refused_reader(archive, &Limits::default());
    assert!(
        matches!(&e, ExtractError::TooManyMembers { index: 100_000, path, limit: 100_000 } if path == "one-too-many"),
        "{e}"
    );
}

#[test]
fn too_many_members_with_a_small_limit() {
    let mut t = Tar::new();
    for i in 0..11 {
        t = t.file(&format!("f{i}"), b"data");
    }
    let limits = Limits {
        max_members: 10,
        ..Limits::default()
    };
    let e = refused_with(&t.end(), limits);
    assert!(
        matches!(&e, ExtractError::TooManyMembers { index: 10, path, limit: 10 } if path == "f10"),
        "{e}"
    );
}

#[test]
fn member_too_large() {
    let limits = Limits {
        max_member_size: 1000,
        ..Limits::default()
    };
    let data = Tar::new()
        .file("small", &[1; 1000])
        .file("big", &[2; 1001])
        .end();
    let e = refused_with(&data, limits);
    assert!(
        matches!(&e, ExtractError::MemberTooLarge { index: 1, path, size: 1001, limit: 1000 } if path == "big"),
        "{e}"
    );
    // The header alone decides: 1 TiB + 1 declared, no data behind it.
    let mut data = Tar::new()
        .raw(header(b"huge", b'0', (1 << 40) + 1, b""), b"")
        .0;
    data.extend_from_slice(&[0; 1024]);
    let e = refused(&data);
    assert!(
        matches!(e, ExtractError::MemberTooLarge { index: 0, size, .. } if size == (1 << 40) + 1),
        "{e}"
    );
}

#[test]
fn total_too_large() {
    let limits = Limits {
        max_total_size: 2000,
        ..Limits::default()
    };
    let data = Tar::new()
        .file("a", &[1; 800])
        .file("b", &[2; 800])
        .file("c", &[3; 800])
        .end();
    let e = refused_with(&data, limits);
    assert!(
        matches!(&e, ExtractError::TotalTooLarge { index: 2, path, total: 2400, limit: 2000 } if path == "c"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Collisions.

#[test]
fn duplicate_paths() {
    let e = refused(&Tar::new().file("a", b"first").file("a", b"second").end());
    assert!(matches!(&e, ExtractError::Duplicate { index: 1, path, first: 0 } if path == "a"));
    names(&e, 1, "a");
    let e = refused(&Tar::new().file("d/a", b"1").file("./d//a", b"2").end());
    assert!(
        matches!(
            e,
            ExtractError::Duplicate {
                index: 1,
                first: 0,
                ..
            }
        ),
        "{e}"
    );
    let e = refused(&Tar::new().dir("d/").dir("d").end());
    assert!(
        matches!(
            e,
            ExtractError::Duplicate {
                index: 1,
                first: 0,
                ..
            }
        ),
        "{e}"
    );
    let e = refused(&Tar::new().file("a", b"1").dir("a/").end());
    assert!(
        matches!(
            e,
            ExtractError::Duplicate {
                index: 1,
                first: 0,
                ..
            }
        ),
        "{e}"
    );
    // A file where a directory was made as a parent.
    let e = refused(&Tar::new().file("d/x", b"1").file("d", b"2").end());
    assert!(
        matches!(
            e,
            ExtractError::Duplicate {
                index: 1,
                first: 0,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn file_then_member_under_it() {
    let e = refused(&Tar::new().file("a", b"file").file("a/b", b"under").end());
    assert!(
        matches!(&e, ExtractError::UnderFile { index: 1, path, file, file_index: 0 } if path == "a/b" && file == "a"),
        "{e}"
    );
    let e = refused(&Tar::new().file("x/a", b"file").dir("x/a/b/c/").end());
    assert!(
        matches!(&e, ExtractError::UnderFile { index: 1, file, .. } if file == "x/a"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Damaged archives, failing readers, existing targets.

#[test]
fn malformed_and_truncated_archives() {
    let good = Tar::new().file("a", &[5; 1000]).end();
    let mut bad_sum = good.clone();
    bad_sum[0] = b'b';
    let e = refused(&bad_sum);
    assert!(
        matches!(&e, ExtractError::Malformed { index: 0, message } if message.contains("checksum")),
        "{e}"
    );
    let e = refused(&b"this is not a tar archive\n".repeat(100));
    assert!(matches!(e, ExtractError::Malformed { index: 0, .. }), "{e}");
    let e = refused(&good[..512 + 600]);
    assert!(
        matches!(&e, ExtractError::Truncated { index: 0, path, got: 600, size: 1000 } if path == "a"),
        "{e}"
    );
    let e = refused(&good[..300]);
    assert!(matches!(e, ExtractError::Malformed { index: 0, .. }), "{e}");
    // An extension header with no member after it.
    let e = refused(&Tar::new().file("ok", b"1").long_name(b"dangling").end());
    assert!(matches!(e, ExtractError::Malformed { index: 1, .. }), "{e}");
    // A regular file with data whose name ends with '/': a directory for GNU tar, which reads
    // no data for it.
    let e = refused(&Tar::new().file("notadir/", b"data").end());
    assert!(
        matches!(e, ExtractError::HeaderAlias { index: 0, .. }),
        "{e}"
    );
}

/// A reader that fails after `ok` bytes.
struct Failing<'a> {
    data: &'a [u8],
    ok: usize,
}

impl Read for Failing<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::other("the disk is on fire"));
        }
        let n = out.len().min(self.ok).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.ok -= n;
        Ok(n)
    }
}

#[test]
fn a_failing_reader_is_a_read_error() {
    let data = Tar::new().file("a", &[1; 10_000]).file("b", b"x").end();
    for ok in [100, 512 + 5000, 512 + 10_240 + 10] {
        let e = refused_reader(Failing { data: &data, ok }, &Limits::default());
        assert!(
            matches!(&e, ExtractError::ReadArchive { source } if source.to_string() == "the disk is on fire"),
            "{ok}: {e}"
        );
    }
}

#[test]
fn an_existing_target_is_never_touched() {
    let data = Tar::new().file("a", b"new").end();
    for kind in ["empty dir", "dir", "file", "dangling link"] {
        let s = Scene::new();
        match kind {
            "empty dir" => fs::create_dir(&s.target).unwrap(),
            "dir" => {
                fs::create_dir(&s.target).unwrap();
                fs::write(s.target.join("a"), b"old").unwrap();
            }
            "file" => fs::write(&s.target, b"old").unwrap(),
            _ => symlink("/nonexistent/scelle", &s.target).unwrap(),
        }
        let before = snapshot(s.root());
        let e = extract(&data[..], &s.target, &Limits::default()).expect_err(kind);
        assert!(
            matches!(&e, ExtractError::TargetExists { target } if *target == s.target),
            "{kind}: {e}"
        );
        assert_eq!(snapshot(s.root()), before, "{kind}");
    }
    // A missing parent: an I/O error naming the staging directory's place.
    let s = Scene::new();
    let target = s.parent.join("missing/bundle");
    let e = extract(&data[..], &target, &Limits::default()).unwrap_err();
    assert!(
        matches!(&e, ExtractError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound),
        "{e}"
    );
    assert!(!target.parent().unwrap().exists());
}

// ---------------------------------------------------------------------------------------------
// Good bundles.

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

/// Extracts into a fresh scene, checks the result is the only change and the modes are
/// private, and returns what was written.
fn extracted(data: &[u8]) -> (Scene, Extracted) {
    let s = Scene::new();
    let before = snapshot(s.root());
    let got = extract(data, &s.target, &Limits::default()).unwrap();
    assert_eq!(staging_dirs(&s.parent), Vec::<String>::new());
    let after = snapshot(s.root());
    let changed: Vec<_> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .filter(|k| !k.starts_with(s.target.strip_prefix(s.root()).unwrap()))
        .collect();
    assert!(
        changed.is_empty(),
        "changed outside the target: {changed:?}"
    );
    assert_eq!(
        before.len() + 1 + got.files.len() + got.directories.len(),
        after.len()
    );
    let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&s.target) & 0o077, 0, "the target is private");
    for f in &got.files {
        assert!(mode(&s.target.join(&f.path)) & 0o7177 == 0, "{:?}", f.path);
    }
    (s, got)
}

#[test]
fn a_good_tar_from_the_tar_crate() {
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "bag/bagit.txt".into(),
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
        ),
        ("bag/data/empty".into(), vec![]),
        ("bag/data/one".into(), b"1".to_vec()),
        ("bag/data/511".into(), pattern(511, 1)),
        ("bag/data/512".into(), pattern(512, 2)),
        ("bag/data/513".into(), pattern(513, 3)),
        ("bag/data/chunk".into(), pattern(65_536, 4)),
        ("bag/data/chunk+1".into(), pattern(65_537, 5)),
        ("bag/data/big.bin".into(), pattern(3_000_001, 6)),
        (
            format!("bag/data/{}/{}", "d".repeat(120), "é".repeat(70)),
            pattern(1000, 7),
        ),
        (
            "bag/data/with space & ünïcode ✓.txt".into(),
            b"names".to_vec(),
        ),
    ];
    let mut b = tar::Builder::new(Vec::new());
    for dir in ["bag/", "bag/data/"] {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o777);
        h.set_size(0);
        b.append_data(&mut h, dir, &[][..]).unwrap();
    }
    for (name, data) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o4777); // setuid and world-writable in the archive: ignored
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    let mut data = b.into_inner().unwrap();
    // A PAX global header first, as `git archive` writes.
    let g = pax_record("comment", b"0123456789abcdef");
    let mut archive = Tar::new()
        .raw(header(b"pax_global_header", b'g', g.len() as u64, b""), &g)
        .0;
    archive.append(&mut data);

    let (s, got) = extracted(&archive);
    let written: Vec<(String, u64)> = got
        .files
        .iter()
        .map(|f| (f.path.to_str().unwrap().to_string(), f.size))
        .collect();
    let want: Vec<(String, u64)> = files
        .iter()
        .map(|(n, d)| (n.clone(), d.len() as u64))
        .collect();
    assert_eq!(written, want);
    for (name, bytes) in &files {
        assert_eq!(&fs::read(s.target.join(name)).unwrap(), bytes, "{name}");
    }
    let dirs: Vec<&str> = got
        .directories
        .iter()
        .map(|d| d.to_str().unwrap())
        .collect();
    assert_eq!(
        dirs,
        ["bag", "bag/data", &format!("bag/data/{}", "d".repeat(120))]
    );
}

#[test]
fn a_good_tar_with_dot_slash_names_and_implicit_directories() {
    let data = Tar::new()
        .dir("./")
        .file("./bagit.txt", b"BagIt-Version: 1.0\n")
        .file("./data//x/y/z.bin", &pattern(70_000, 9))
        .dir("./data/x/")
        .raw(
            raw_header("v7", b"./data/old-style-dir/", b'0', 0, b""),
            b"",
        )
        .end();
    let (s, got) = extracted(&data);
    assert_eq!(
        got.files
            .iter()
            .map(|f| (f.path.to_str().unwrap(), f.size))
            .collect::<Vec<_>>(),
        [("bagit.txt", 19), ("data/x/y/z.bin", 70_000)]
    );
    assert_eq!(
        got.directories,
        ["data", "data/x", "data/x/y", "data/old-style-dir"].map(PathBuf::from)
    );
    assert_eq!(
        fs::read(s.target.join("data/x/y/z.bin")).unwrap(),
        pattern(70_000, 9)
    );
    assert!(s.target.join("data/old-style-dir").is_dir());
}

#[test]
fn an_empty_archive_makes_an_empty_directory() {
    let (s, got) = extracted(&[0; 1024]);
    assert_eq!(got, Extracted::default());
    assert_eq!(fs::read_dir(&s.target).unwrap().count(), 0);
}

#[test]
fn exactly_at_the_limits() {
    let limits = Limits {
        max_members: 3,
        max_member_size: 1000,
        max_total_size: 2000,
        max_path_len: 5,
    };
    let data = Tar::new()
        .dir("d")
        .file("d/abc", &[1; 1000])
        .file("d/xyz", &[2; 1000])
        .end();
    let s = Scene::new();
    let got = extract(&data[..], &s.target, &limits).unwrap();
    assert_eq!(got.files.len(), 2);
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn good_tars_from_gnu_tar_in_every_format() {
    if !have("tar") {
        eprintln!("skipped: no tar");
        return;
    }
    let src = tempfile::tempdir().unwrap();
    let bag = src.path().join("bag");
    let long = format!("data/{}/{}", "l".repeat(110), "n".repeat(90));
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "bagit.txt".into(),
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
        ),
        ("manifest-sha256.txt".into(), b"0000  data/a\n".to_vec()),
        ("data/a".into(), pattern(123_457, 1)),
        ("data/empty".into(), vec![]),
        ("data/sub/b".into(), pattern(512, 2)),
        (long.clone(), b"long".to_vec()),
    ];
    for (name, data) in &files {
        let p = bag.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
    for format in ["gnu", "pax", "oldgnu", "posix"] {
        for (how, args) in [
            ("bag", vec!["-C", src.path().to_str().unwrap(), "bag"]),
            ("dot", vec!["-C", bag.to_str().unwrap(), "."]),
        ] {
            let out = Command::new("tar")
                .arg(format!("--format={format}"))
                .args(["-cf", "-"])
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (s, got) = extracted(&out.stdout);
            let base = if how == "bag" {
                s.target.join("bag")
            } else {
                s.target.clone()
            };
            for (name, data) in &files {
                assert_eq!(
                    &fs::read(base.join(name)).unwrap(),
                    data,
                    "{format} {how} {name}"
                );
            }
            assert_eq!(got.files.len(), files.len(), "{format} {how}");
        }
    }
}
