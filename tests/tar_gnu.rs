//! Sealed tar member lists against GNU `tar -x` (1.34), and header aliases (issue 15, items 1
//! and 14; FORMAT.md 6.2 and 14, SECURITY.md 13.1 and 13.11).
//!
//! Archives are crafted header by header (no tar library writes conflicting headers). An
//! archive every reader reads alike is sealed, and the tree derived from the recorded member
//! list (FORMAT.md 6.2: later members replace earlier ones, a hard link has its target's
//! content, members with a `..` component are not extracted) must be exactly what `tar -xf`
//! extracts, each file with the SHA-256 `sha256sum` prints. An archive that GNU tar and other
//! readers would read differently (a header alias) is refused: by `seal` (exit 2, the ledger
//! unchanged), by the safe extractor behind `verify-bundle` and `import` (exit 2, nothing
//! written), and by the independent kit (exit 2, `bundle-unsafe`).

mod common;

use common::{key_pair, kit, run as scelle, sh, snapshot_files as snapshot, text, PASS};
use scelle::format::body::Member;
use scelle::store::hashing::{no_progress, HashSelection};
use scelle::store::safeextract::{extract, ExtractError, Limits};
use scelle::store::{tarcrate, tarhash};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Tars written by hand.

fn octal(field: &mut [u8], v: u64) {
    let s = format!("{v:0w$o}\0", w = field.len() - 1);
    field.copy_from_slice(s.as_bytes());
}

/// A raw header. `magic`: "ustar" (`ustar\0` `00`), "gnu" (`ustar  \0`), "v7" (none), or
/// "ustar-badver" (`ustar\0` with version `  `).
fn raw(magic: &str, name: &[u8], typ: u8, size: u64, link: &[u8], prefix: &[u8]) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_700_000_000);
    h[156] = typ;
    h[157..157 + link.len()].copy_from_slice(link);
    match magic {
        "ustar" => h[257..265].copy_from_slice(b"ustar\x0000"),
        "gnu" => h[257..265].copy_from_slice(b"ustar  \x00"),
        "ustar-badver" => h[257..265].copy_from_slice(b"ustar\x00  "),
        _ => {}
    }
    h[345..345 + prefix.len()].copy_from_slice(prefix);
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

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

#[derive(Default, Clone)]
struct Tar(Vec<u8>);

impl Tar {
    fn new() -> Self {
        Tar::default()
    }
    fn block(mut self, h: [u8; 512], data: &[u8]) -> Self {
        self.0.extend_from_slice(&h);
        self.0.extend_from_slice(data);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }
    fn file(self, name: &str, data: &[u8]) -> Self {
        let h = raw("ustar", name.as_bytes(), b'0', data.len() as u64, b"", b"");
        self.block(h, data)
    }
    fn typed(self, name: &str, typ: u8, size: u64, link: &str) -> Self {
        let h = raw("ustar", name.as_bytes(), typ, size, link.as_bytes(), b"");
        self.block(h, &[])
    }
    fn hardlink(self, name: &str, target: &str) -> Self {
        self.typed(name, b'1', 0, target)
    }
    fn ext(self, magic: &str, typ: u8, data: &[u8]) -> Self {
        let h = raw(magic, b"././@LongLink", typ, data.len() as u64, b"", b"");
        self.block(h, data)
    }
    fn long_name(self, name: &str) -> Self {
        self.ext("gnu", b'L', format!("{name}\0").as_bytes())
    }
    fn pax(self, typ: u8, records: &[(&str, &[u8])]) -> Self {
        let data: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
        self.ext("ustar", typ, &data)
    }
    fn end(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0; 1024]);
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// What GNU tar extracts, and what the sealed member list says it extracts.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    File(String),
    Dir,
    Symlink(String),
}

/// `tar -xf` into a fresh directory, then `sha256sum` of every extracted file.
fn gnu_extract(tar: &[u8]) -> BTreeMap<String, Node> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.tar");
    fs::write(&file, tar).unwrap();
    let out = tmp.path().join("x");
    fs::create_dir(&out).unwrap();
    // Exit 2 is expected when tar skips a member (a '..' in its name): what it extracted counts.
    sh(&out, "tar", &["-xf", file.to_str().unwrap()]);
    let mut tree = BTreeMap::new();
    fn walk(dir: &Path, root: &Path, tree: &mut BTreeMap<String, Node>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                let t = fs::read_link(&p).unwrap();
                tree.insert(rel, Node::Symlink(t.to_str().unwrap().into()));
            } else if meta.is_dir() {
                tree.insert(rel, Node::Dir);
                walk(&p, root, tree);
            } else {
                let o = sh(root, "sha256sum", &["--", &rel]);
                assert!(o.status.success());
                let hex = String::from_utf8_lossy(&o.stdout)[..64].to_string();
                tree.insert(rel, Node::File(hex));
            }
        }
    }
    walk(&out, &out, &mut tree);
    tree
}

/// A member path as GNU tar writes it: leading `/` dropped, `.` and empty components dropped;
/// `None` for a member GNU tar does not extract (a `..` component).
fn norm(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

/// The tree FORMAT.md 6.2 derives from a sealed member list.
fn derived(members: &[Member]) -> BTreeMap<String, Node> {
    let mut tree = BTreeMap::new();
    for m in members {
        let Some(p) = norm(&m.path) else { continue };
        if p.is_empty() {
            continue;
        }
        let node = match m.kind.as_str() {
            "file" => Node::File(m.hashes.as_ref().unwrap().sha256.clone()),
            "dir" => Node::Dir,
            "symlink" => Node::Symlink(m.link.clone().unwrap()),
            "hardlink" => {
                let target = m.link.as_deref().and_then(norm).unwrap_or_default();
                match tree.get(&target) {
                    Some(n @ Node::File(_)) => n.clone(),
                    _ => continue,
                }
            }
            _ => continue,
        };
        let mut parent = String::new();
        for c in p.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            parent = if parent.is_empty() {
                c.to_string()
            } else {
                format!("{parent}/{c}")
            };
            tree.insert(parent.clone(), Node::Dir);
        }
        tree.insert(p, node);
    }
    tree
}

fn seal_members(tar: &[u8]) -> Result<Vec<Member>, String> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.tar");
    fs::write(&file, tar).unwrap();
    let sel = HashSelection::default();
    tarhash::hash_tar(&file, false, sel, &no_progress)
        .map(|t| t.members)
        .map_err(|e| e.to_string())
}

/// Sealed (plain and gzip) and checked against `tar -x`.
fn sealed_as_gnu_tar_extracts(what: &str, tar: &[u8]) -> Vec<Member> {
    let members = seal_members(tar).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(derived(&members), gnu_extract(tar), "{what}: {members:#?}");
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("a.tar.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, tar).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let z = tarhash::hash_tar(&gz, true, HashSelection::default(), &no_progress).unwrap();
    assert_eq!(z.members, members, "{what}: gzip");
    members
}

// ---------------------------------------------------------------------------------------------
// Archives every reader reads alike: the record is what `tar -x` extracts.

#[test]
fn duplicates_and_hard_links_are_recorded_as_tar_extracts_them() {
    let tar = Tar::new()
        .file("a", b"one")
        .hardlink("b", "a")
        .file("a", b"two")
        .hardlink("c", "./a")
        .hardlink("d", "b")
        .file("./e", b"e")
        .file("e", b"e, replaced")
        .end();
    let m = sealed_as_gnu_tar_extracts("duplicates", &tar);
    assert_eq!(m.len(), 7, "every member, in archive order");
    // b was linked to the first a; c to the second.
    let x = gnu_extract(&tar);
    assert_ne!(x["b"], x["c"]);
    assert_eq!(x["b"], derived(&m[..1])["a"]);
}

#[test]
fn names_from_every_header_form_are_what_tar_extracts() {
    let long = format!("{}/{}", "d".repeat(120), "f".repeat(120));
    let pax_path = format!("{}/pax-name.txt", "p".repeat(150));
    let tar = Tar::new()
        // A GNU long name, and a PAX path that says the same.
        .long_name(&long)
        .pax(b'x', &[("path", long.as_bytes())])
        .file("trunc", b"long")
        // A PAX path and size (the header says 0 bytes).
        .pax(b'x', &[("path", pax_path.as_bytes()), ("size", b"5")])
        .block(raw("ustar", b"short", b'0', 0, b"", b""), b"12345")
        // The ustar prefix.
        .block(raw("ustar", b"n.txt", b'0', 1, b"", b"pre/fix"), b"n")
        // A PAX global header without names (git archive).
        .pax(b'g', &[("comment", b"0123456789abcdef")])
        // A zero-size regular member named with '/': a directory.
        .file("olddir/", b"")
        .typed("sym", b'2', 0, "n.txt")
        // Leading '/', './', and a '..' member tar does not extract.
        .file("/abs.txt", b"abs")
        .file("./dot.txt", b"dot")
        .file("x/../up.txt", b"up")
        .end();
    let m = sealed_as_gnu_tar_extracts("names", &tar);
    let kinds: Vec<_> = m
        .iter()
        .map(|m| (m.path.as_str(), m.kind.as_str()))
        .collect();
    assert_eq!(kinds[0], (long.as_str(), "file"));
    assert_eq!(kinds[1], (pax_path.as_str(), "file"));
    assert_eq!(kinds[2], ("pre/fix/n.txt", "file"));
    assert_eq!(
        kinds[3],
        ("././@LongLink", "other"),
        "a global header: not extracted"
    );
    assert_eq!(kinds[4], ("olddir/", "dir"));
}

#[test]
fn gnu_tar_archives_with_hard_links_and_appended_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("t");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("b.txt"), b"b").unwrap();
    for format in ["gnu", "pax", "ustar"] {
        let _ = fs::remove_file(root.join("sub/a.txt"));
        let _ = fs::remove_file(root.join("link.txt"));
        fs::write(root.join("sub/a.txt"), b"original").unwrap();
        fs::hard_link(root.join("sub/a.txt"), root.join("link.txt")).unwrap();
        let tar = tmp.path().join(format!("{format}.tar"));
        let t = tar.to_str().unwrap();
        let o = sh(
            &root,
            "tar",
            &[&format!("--format={format}"), "-cf", t, "."],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // Append a changed copy: the archive then holds sub/a.txt twice.
        fs::write(root.join("sub/a.txt"), format!("changed for {format}")).unwrap();
        let o = sh(
            &root,
            "tar",
            &[&format!("--format={format}"), "-rf", t, "./sub/a.txt"],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let data = fs::read(&tar).unwrap();
        let m = sealed_as_gnu_tar_extracts(format, &data);
        assert!(m.iter().any(|m| m.kind == "hardlink"), "{format}");
    }
}

// ---------------------------------------------------------------------------------------------
// Header aliases: refused everywhere.

/// Archives GNU tar reads otherwise than another reader, each with a member `ok` first and
/// a member `c` after the alias.
fn aliases() -> Vec<(&'static str, Vec<u8>)> {
    let ok = || Tar::new().file("ok", b"fine");
    let after = |t: Tar| t.file("c", b"C").end();
    vec![
        (
            "long name then PAX path",
            after(
                ok().long_name("lname")
                    .pax(b'x', &[("path", b"paxname")])
                    .file("h", b"X"),
            ),
        ),
        (
            "PAX path then long name",
            after(
                ok().pax(b'x', &[("path", b"paxname")])
                    .long_name("lname")
                    .file("h", b"X"),
            ),
        ),
        (
            "two long names",
            after(ok().long_name("first").long_name("second").file("h", b"X")),
        ),
        (
            "two PAX headers",
            after(
                ok().pax(b'x', &[("path", b"p1")])
                    .pax(b'x', &[("path", b"p2")])
                    .file("h", b"X"),
            ),
        ),
        (
            "PAX path twice",
            after(
                ok().pax(b'x', &[("path", b"p1"), ("path", b"p2")])
                    .file("h", b"X"),
            ),
        ),
        (
            "long link and PAX linkpath",
            after(
                ok().file("t1", b"1")
                    .file("t2", b"2")
                    .ext("gnu", b'K', b"t1\0")
                    .pax(b'x', &[("linkpath", b"t2")])
                    .hardlink("l", "t1"),
            ),
        ),
        (
            "global PAX path",
            after(ok().pax(b'g', &[("path", b"everything")]).file("a", b"A")),
        ),
        (
            "global PAX size",
            after(ok().pax(b'g', &[("size", b"1")]).file("a", b"AAAA")),
        ),
        (
            "PAX header then a global header",
            after(
                ok().pax(b'x', &[("path", b"xp")])
                    .pax(b'g', &[("comment", b"c")])
                    .file("a", b"A"),
            ),
        ),
        (
            "long name without magic",
            after(ok().ext("v7", b'L', b"lname\0").file("h", b"X")),
        ),
        (
            "PAX header without magic",
            after(
                ok().block(
                    raw("v7", b"P", b'x', 12, b"", b""),
                    &pax_record("path", b"pp"),
                )
                .file("h", b"X"),
            ),
        ),
        (
            "Solaris X header",
            after(ok().pax(b'X', &[("path", b"paxname")]).file("h", b"X")),
        ),
        (
            "long name with bytes after its NUL",
            after(ok().ext("gnu", b'L', b"ab\0cd\0").file("h", b"X")),
        ),
        (
            "PAX path with a NUL",
            after(ok().pax(b'x', &[("path", b"ab\0cd")]).file("h", b"X")),
        ),
        (
            "malformed PAX record",
            after(
                ok().ext("ustar", b'x', b"99 path=x\n14 path=later\n")
                    .file("h", b"X"),
            ),
        ),
        (
            "PAX size not a number",
            after(ok().pax(b'x', &[("size", b"abc")]).file("h", b"XYZ")),
        ),
        (
            "ustar prefix with a non-standard version",
            after(ok().block(raw("ustar-badver", b"n", b'0', 1, b"", b"pre"), b"X")),
        ),
        // GNU tar reads no data after these headers: the `tar` crate skips the next header.
        (
            "hard link with a size",
            after(ok().typed("h", b'1', 512, "ok")),
        ),
        (
            "directory with a size",
            after(ok().typed("d", b'5', 512, "")),
        ),
        (
            "symlink with a size",
            after(ok().typed("s", b'2', 512, "ok")),
        ),
        (
            "hard link with a PAX size",
            after(ok().pax(b'x', &[("size", b"512")]).hardlink("h", "ok")),
        ),
        (
            "regular named with '/' and data",
            after(ok().file("b/", b"DATA")),
        ),
        // GNU tar extracts an unknown type as a regular file; other readers skip it.
        (
            "unknown type",
            after(ok().block(raw("ustar", b"z", b'Z', 5, b"", b""), b"ZDATA")),
        ),
    ]
}

#[test]
fn aliases_are_real_disagreements_with_the_tar_crate() {
    // Before this fix, the seal recorded what the `tar` crate reads: for most of these, not
    // what `tar -x` extracts. (Some the tar crate refuses, or reads alike by chance.)
    let mut differ = 0;
    for (what, tar) in aliases() {
        let by_crate = tarcrate::hash_members(&tar[..], HashSelection::default());
        if let Ok(m) = by_crate {
            if derived(&m) != gnu_extract(&tar) {
                differ += 1;
            }
        } else {
            eprintln!("{what}: the tar crate refuses it");
        }
    }
    assert!(differ >= 10, "{differ}");
}

#[test]
fn seal_refuses_header_aliases() {
    for (what, tar) in aliases() {
        let e = seal_members(&tar).expect_err(what);
        assert!(
            e.contains("refused, nothing was sealed") && e.contains("member "),
            "{what}: {e}"
        );
        assert!(e.contains("--as file"), "{what}: {e}");
    }
}

#[test]
fn safe_extraction_refuses_header_aliases() {
    for (what, tar) in aliases() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let e = extract(&tar[..], &target, &Limits::default()).expect_err(what);
        // An unknown type is refused as such (bundles hold files and directories only).
        assert!(
            matches!(
                &e,
                ExtractError::HeaderAlias { index: 1.., .. }
                    | ExtractError::OtherType { index: 1.., .. }
            ),
            "{what}: {e}"
        );
        assert!(!target.exists(), "{what}");
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{what}: {left:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Through the CLI and the kit.

#[test]
fn cli_seal_refuses_an_alias_and_records_duplicates_faithfully() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    fs::create_dir(&keys).unwrap();
    key_pair(&keys, PASS, "expert", None);
    let case = tmp.path().join("case");
    let o = scelle(&[
        "init",
        case.to_str().unwrap(),
        "--case-id",
        "T-1",
        "--title",
        "t",
        "--key",
        keys.join("expert.key").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let key = keys.join("expert.key");
    let seal = |file: &Path| {
        scelle(&[
            "-C",
            case.to_str().unwrap(),
            "seal",
            file.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ])
    };
    let alias = tmp.path().join("alias.tar");
    fs::write(
        &alias,
        Tar::new()
            .file("ok", b"fine")
            .long_name("lname")
            .pax(b'x', &[("path", b"paxname")])
            .file("h", b"X")
            .end(),
    )
    .unwrap();
    let before = snapshot(&case);
    let o = seal(&alias);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("member 1") && err.contains("PAX path"),
        "{err}"
    );
    assert_eq!(snapshot(&case), before, "nothing written");

    let dup = tmp.path().join("dup.tar");
    fs::write(
        &dup,
        Tar::new()
            .file("a", b"one")
            .hardlink("b", "a")
            .file("a", b"two")
            .end(),
    )
    .unwrap();
    let o = seal(&dup);
    assert!(o.status.success(), "{}", text(&o));
    let ledger = fs::read_to_string(case.join("ledger.jsonl")).unwrap();
    let line = ledger.lines().last().unwrap();
    assert!(
        line.contains(r#""link":"a","mtime":1700000000,"path":"b","type":"hardlink""#),
        "{line}"
    );
    let o = scelle(&["-C", case.to_str().unwrap(), "verify", "--rehash"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn verify_bundle_import_and_the_kit_refuse_aliases() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (what, tar)) in aliases().into_iter().enumerate() {
        // A bag-shaped archive: bagit.txt, then the alias.
        let file = tmp.path().join(format!("alias-{i}.tar"));
        fs::write(&file, &tar).unwrap();
        let o = scelle(&["verify-bundle", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        let t = text(&o);
        assert!(
            t.contains("readers disagree") || t.contains("unsupported member type"),
            "{what}: {t}"
        );
        let into = tmp.path().join(format!("into-{i}"));
        let o = scelle(&[
            "import",
            file.to_str().unwrap(),
            "--into",
            into.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        assert!(!into.exists(), "{what}");
        let o = kit(&file, &[]);
        assert_eq!(o.status.code(), Some(2), "kit, {what}: {}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("ERROR [bundle-unsafe]"), "kit, {what}: {out}");
    }
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().starts_with("alias-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

// ---------------------------------------------------------------------------------------------
// Members written through a link (FORMAT.md 6.2, SECURITY.md 13.11): the member list does not
// say what `tar -x` extracts, so the seal is refused.

/// `sub/`, `sub/x` = GOOD, `d -> sub`, `d/x` = EVIL: `tar -x` writes EVIL into `sub/x`.
fn through_a_link() -> Vec<u8> {
    Tar::new()
        .typed("sub", b'5', 0, "")
        .file("sub/x", b"GOOD\n")
        .typed("d", b'2', 0, "sub")
        .file("d/x", b"EVIL\n")
        .end()
}

/// Archives whose extraction the member list does not describe, with the member refused and
/// the earlier path it passes through (or replaces).
fn written_through_links() -> Vec<(&'static str, Vec<u8>, usize, &'static str)> {
    let sub = || {
        Tar::new()
            .typed("sub", b'5', 0, "")
            .file("sub/x", b"GOOD\n")
    };
    vec![
        ("the reviewer's archive", through_a_link(), 3, "\"d\""),
        (
            "a link out of the extraction directory",
            Tar::new()
                .typed("d", b'2', 0, "/tmp/scelle-tarlink-outside")
                .file("d/x", b"EVIL\n")
                .end(),
            1,
            "\"d\"",
        ),
        (
            "a link with '..'",
            Tar::new()
                .typed("d", b'2', 0, "../elsewhere")
                .file("d/x", b"EVIL\n")
                .end(),
            1,
            "\"d\"",
        ),
        (
            "a regular file, then a member below it",
            Tar::new().file("a", b"A").file("a/b", b"B").end(),
            1,
            "\"a\"",
        ),
        (
            "a chain of two links",
            sub()
                .typed("d1", b'2', 0, "sub")
                .typed("d2", b'2', 0, "d1")
                .file("d2/x", b"EVIL\n")
                .end(),
            4,
            "\"d2\"",
        ),
        (
            "a hard link to a symbolic link",
            sub()
                .typed("d", b'2', 0, "sub")
                .hardlink("h", "d")
                .file("h/x", b"EVIL\n")
                .end(),
            4,
            "\"h\"",
        ),
        (
            "'.' components",
            sub()
                .typed("d", b'2', 0, "sub")
                .file("./d/./x", b"EVIL\n")
                .end(),
            3,
            "\"d\"",
        ),
        (
            "a directory member 'd/.' keeps the link",
            sub()
                .typed("d", b'2', 0, "sub")
                .typed("d/.", b'5', 0, "")
                .file("d/x", b"EVIL\n")
                .end(),
            3,
            "\"d\"",
        ),
        (
            "a hard link to a path through a link",
            sub().typed("d", b'2', 0, "sub").hardlink("h", "d/x").end(),
            3,
            "\"d\"",
        ),
        (
            "a symbolic link replacing a directory with members",
            sub().typed("sub", b'2', 0, "elsewhere").end(),
            2,
            "\"sub\"",
        ),
        (
            "a file replacing a directory with members",
            sub().file("sub", b"F").end(),
            2,
            "\"sub\"",
        ),
        (
            "a hard link replacing a directory with members",
            sub().file("f", b"F").hardlink("sub", "f").end(),
            3,
            "\"sub\"",
        ),
    ]
}

#[test]
fn seal_refuses_members_written_through_a_link() {
    for (what, tar, index, earlier) in written_through_links() {
        // Each is a real disagreement: the list a reader records (the tar crate reads these
        // plain archives as scelle did before) is not what `tar -x` extracts.
        let listed = tarcrate::hash_members(&tar[..], HashSelection::default()).unwrap();
        assert_ne!(derived(&listed), gnu_extract(&tar), "{what}");
        let e = seal_members(&tar).expect_err(what);
        assert!(
            e.contains("refused, nothing was sealed")
                && e.contains(&format!("member {index} "))
                && e.contains(earlier)
                && e.contains("--as file"),
            "{what}: {e}"
        );
    }
}

#[test]
fn members_replacing_links_are_sealed_as_tar_extracts() {
    let sub = || {
        Tar::new()
            .typed("sub", b'5', 0, "")
            .file("sub/x", b"GOOD\n")
    };
    for (what, tar) in [
        (
            "a directory replaces a file",
            Tar::new()
                .file("a", b"A")
                .typed("a", b'5', 0, "")
                .file("a/b", b"B")
                .end(),
        ),
        (
            "a directory replaces a link",
            sub()
                .typed("d", b'2', 0, "sub")
                .typed("d/", b'5', 0, "")
                .file("d/x", b"X")
                .end(),
        ),
        (
            "a directory replaces a dangling link",
            Tar::new()
                .typed("d", b'2', 0, "nowhere")
                .typed("d", b'5', 0, "")
                .file("d/x", b"X")
                .end(),
        ),
        (
            "a file replaces a link",
            sub().typed("d", b'2', 0, "sub/x").file("d", b"NEW").end(),
        ),
        (
            "a link replaces an empty directory",
            sub()
                .typed("e", b'5', 0, "")
                .typed("e", b'2', 0, "sub")
                .end(),
        ),
        (
            "links out of the archive, nothing through them",
            sub()
                .typed("abs", b'2', 0, "/etc")
                .typed("rel", b'2', 0, "sub/x")
                .typed("sub/.", b'5', 0, "")
                .file("./sub/./y", b"Y")
                .end(),
        ),
    ] {
        sealed_as_gnu_tar_extracts(what, &tar);
    }
}

#[test]
fn cli_seal_refuses_a_member_written_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    fs::create_dir(&keys).unwrap();
    key_pair(&keys, PASS, "expert", None);
    let case = tmp.path().join("case");
    let o = scelle(&[
        "init",
        case.to_str().unwrap(),
        "--case-id",
        "T-1",
        "--title",
        "t",
        "--key",
        keys.join("expert.key").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let file = tmp.path().join("a.tar");
    fs::write(&file, through_a_link()).unwrap();
    let before = snapshot(&case);
    let key = keys.join("expert.key");
    let seal = |extra: &[&str]| {
        let mut args = vec![
            "-C",
            case.to_str().unwrap(),
            "seal",
            file.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        scelle(&args)
    };
    let o = seal(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("member 3 \"d/x\"")
            && err.contains("member 2 made a symbolic link")
            && err.contains("--as file"),
        "{err}"
    );
    assert_eq!(snapshot(&case), before, "nothing written");
    let o = seal(&["--as", "file"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn safe_extraction_refuses_the_link_before_a_member_through_it() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out");
    let e = extract(&through_a_link()[..], &target, &Limits::default()).unwrap_err();
    assert!(
        matches!(&e, ExtractError::Symlink { index: 2, path, .. } if path == "d"),
        "{e}"
    );
    assert!(!target.exists());
}

/// A hard link GNU tar cannot make (to a path no earlier member extracted, or to a directory)
/// is not in the extracted tree: a seal that recorded it would describe a file that does not
/// exist (second held-out review). Each is refused; GNU tar fails on each.
#[test]
fn seal_refuses_hard_links_tar_cannot_make() {
    for (what, tar) in [
        (
            "a hard link to nothing",
            Tar::new()
                .file("a", b"A")
                .hardlink("y", "nonexistent")
                .end(),
        ),
        (
            "a hard link to a directory",
            Tar::new().typed("d", b'5', 0, "").hardlink("z", "d").end(),
        ),
        (
            "a hard link to a member extracted later",
            Tar::new().hardlink("h", "later").file("later", b"L").end(),
        ),
    ] {
        let tree = gnu_extract(&tar);
        assert!(
            !tree.contains_key("y") && !tree.contains_key("z") && !tree.contains_key("h"),
            "{what}: GNU tar made the link: {tree:?}"
        );
        let e = seal_members(&tar).expect_err(what);
        assert!(
            e.contains("refused, nothing was sealed") && e.contains("--as file"),
            "{what}: {e}"
        );
    }
    // A hard link to an earlier regular file is what tar makes: sealed.
    let ok = Tar::new().file("a", b"A").hardlink("b", "a").end();
    assert!(gnu_extract(&ok).contains_key("b"));
    sealed_as_gnu_tar_extracts("a hard link to an earlier file", &ok);
}
