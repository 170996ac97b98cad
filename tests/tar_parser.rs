//! Differential tests of the streaming tar reader (`scelle::store::tarstream`, which hashes
//! member data in the shared read buffers) against the `tar` crate path
//! (`scelle::store::tarcrate::hash_members`): archives written by GNU tar in every format and by
//! the `tar` crate, lent to the reader in pieces of many sizes (headers straddling pieces), the
//! whole `hash_tar` pipeline (1 MiB chunks), and damaged archives (truncated, mutated, garbage),
//! which must give an error, never a panic. Whatever the streaming reader accepts, the `tar`
//! crate reads alike (archives readers would read differently are refused: tests/tar_gnu.rs).

use scelle::format::body::Member;
use scelle::store::hashing::{no_progress, HashSelection, CHUNK_SIZE};
use scelle::store::tarstream::{self, Stop};
use scelle::store::{tarcrate, tarhash};
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::process::Command;

const ALL: HashSelection = HashSelection {
    sha512: true,
    legacy: true,
};

/// A `BufRead` lending `data` in pieces of the given sizes (cycled), like the hashing chunks.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    k: usize,
    pos: usize,
    end: usize,
}

impl<'a> Chunked<'a> {
    fn new(data: &'a [u8], sizes: &'a [usize]) -> Self {
        Chunked {
            data,
            sizes,
            k: 0,
            pos: 0,
            end: 0,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let b = self.fill_buf()?;
        let n = b.len().min(out.len());
        out[..n].copy_from_slice(&b[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Chunked<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end && self.pos < self.data.len() {
            let n = self.sizes[self.k % self.sizes.len()];
            self.k += 1;
            self.end = (self.pos + n).min(self.data.len());
        }
        Ok(&self.data[self.pos..self.end])
    }
    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.end);
    }
}

const MANY: [&[usize]; 9] = [
    &[1],
    &[7],
    &[511],
    &[512],
    &[513],
    &[100, 3, 1000, 1, 4096],
    &[65536 + 1],
    &[CHUNK_SIZE],
    &[usize::MAX / 2],
];
/// For archives with multi-MiB members (pieces of a byte would be slow to hash).
const LARGE: [&[usize]; 5] = [
    &[511],
    &[513],
    &[100, 3, 1000, 1, 4096],
    &[CHUNK_SIZE],
    &[usize::MAX / 2],
];
const FEW: [&[usize]; 3] = [&[CHUNK_SIZE], &[513], &[61, 1000]];

/// The streaming reader's result for `data`, after checking that it is the same for every
/// chunking and, when the archive is accepted, that the `tar` crate reads the same members
/// (an archive readers would read differently is refused: FORMAT.md 6.2).
fn check(data: &[u8], chunkings: &[&[usize]], sel: HashSelection) -> Result<Vec<Member>, String> {
    let want = tarstream::hash_members(&mut &data[..], sel);
    for sizes in chunkings {
        let got = tarstream::hash_members(&mut Chunked::new(data, sizes), sel);
        assert_eq!(want, got, "chunks {sizes:?}");
    }
    if let Ok(m) = &want {
        let by_crate = tarcrate::hash_members(data, sel).expect("the tar crate reads it too");
        // A regular member named with a trailing '/' is a directory for GNU tar; only links
        // carry a link (the tar crate gives any non-empty link field).
        let fix = |mut x: Member| {
            if x.kind != "symlink" && x.kind != "hardlink" {
                x.link = None;
            }
            if x.kind == "file" && x.path.ends_with('/') {
                x.kind = "dir".into();
                (x.size, x.hashes) = (None, None);
            }
            x
        };
        // A GNU dumpdir ('D') is a directory for GNU tar, "other" for the tar crate.
        assert_eq!(by_crate.len(), m.len(), "as many members as the tar crate");
        let by_crate: Vec<Member> = by_crate
            .into_iter()
            .map(fix)
            .zip(m)
            .map(|(mut x, o)| {
                if o.kind == "dir" && x.kind == "other" {
                    x.kind = "dir".into();
                }
                x
            })
            .collect();
        assert_eq!(m, &by_crate, "the tar crate reads the same members");
    }
    want.map_err(|e: Stop| e.to_string())
}

fn gnu_tar() -> bool {
    let ok = Command::new("tar")
        .arg("--version")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("GNU tar"));
    assert!(
        matches!(ok, Ok(true)),
        "these tests need GNU tar on PATH (package `tar`)"
    );
    true
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn touch(path: &Path, date: &str) {
    let st = Command::new("touch")
        .args(["-h", "-d", date])
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success(), "touch {date}");
}

/// Level 0 fits v7 (names < 100 bytes), 1 fits ustar (name split into prefix and name), 2 needs
/// GNU or PAX (longer names and links, times out of the octal range). `big` adds files of more
/// than one 1 MiB chunk.
fn make_tree(root: &Path, level: u8, big: bool) {
    use std::fs;
    use std::os::unix::fs::symlink;
    fs::create_dir_all(root.join("dir/empty_dir")).unwrap();
    fs::create_dir_all(root.join("café")).unwrap();
    fs::write(root.join("empty"), b"").unwrap();
    fs::write(root.join("small.txt"), b"hello, tar\n").unwrap();
    fs::write(root.join("block512"), pseudo_random(512, 1)).unwrap();
    fs::write(root.join("dir/odd.bin"), pseudo_random(1537, 2)).unwrap();
    fs::write(root.join("café/日本語.txt"), "non-ASCII".as_bytes()).unwrap();
    fs::write(root.join("Ñandú.bin"), pseudo_random(100, 3)).unwrap();
    fs::write(root.join("back\\slash"), b"\\").unwrap();
    symlink("small.txt", root.join("sym")).unwrap();
    symlink("nowhere/at/all", root.join("dangling")).unwrap();
    fs::hard_link(root.join("small.txt"), root.join("hard")).unwrap();
    if big {
        fs::write(
            root.join("one_chunk_plus.bin"),
            pseudo_random(CHUNK_SIZE + 123, 4),
        )
        .unwrap();
        fs::write(
            root.join("dir/three_chunks.bin"),
            pseudo_random(3 * CHUNK_SIZE - 700, 5),
        )
        .unwrap();
    }
    if level >= 1 {
        let p = root.join("p".repeat(60)).join("q".repeat(60));
        fs::create_dir_all(&p).unwrap();
        fs::write(p.join("name.txt"), b"in a ustar prefix").unwrap();
        let _ = Command::new("mkfifo").arg(root.join("fifo")).status();
    }
    if level >= 2 {
        fs::write(root.join("l".repeat(120)), b"long name").unwrap();
        let deep = root.join("d".repeat(100)).join("e".repeat(100));
        fs::create_dir_all(&deep).unwrap();
        fs::write(deep.join("f".repeat(100)), pseudo_random(2000, 6)).unwrap();
        fs::write(root.join("é".repeat(60)), b"120 bytes of name").unwrap();
        symlink("t".repeat(150), root.join("long_target")).unwrap();
        fs::hard_link(deep.join("f".repeat(100)), root.join("hard_to_long")).unwrap();
        fs::write(root.join("future"), b"2300").unwrap();
        touch(&root.join("future"), "2300-01-01 00:00:00 UTC");
        fs::write(root.join("past"), b"1960").unwrap();
        touch(&root.join("past"), "1960-01-01 00:00:00 UTC");
    }
}

fn tar_create(root: &Path, out: &Path, args: &[&str]) {
    let o = Command::new("tar")
        .args(args)
        .arg("--sort=name")
        .arg("-cf")
        .arg(out)
        .arg("-C")
        .arg(root)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "tar {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Checks the whole pipeline (1 MiB chunks, archive digests) against the `tar` crate path.
fn check_file(path: &Path, sel: HashSelection) -> tarhash::TarDigest {
    let fast = tarhash::hash_tar(path, false, sel, &no_progress).unwrap();
    let slow = tarhash::hash_tar_with_tar_crate(path, false, sel, &no_progress).unwrap();
    assert_eq!(fast.size, slow.size);
    assert_eq!(fast.hashes, slow.hashes);
    assert_eq!(fast.members, slow.members);
    fast
}

#[test]
fn gnu_tar_archives_in_every_format() {
    gnu_tar();
    let dir = tempfile::tempdir().unwrap();
    for (format, level) in [
        ("v7", 0),
        ("ustar", 1),
        ("oldgnu", 2),
        ("gnu", 2),
        ("pax", 2),
        ("posix", 2),
    ] {
        // Without the multi-MiB files, in pieces down to one byte.
        let root = dir.path().join(format!("small-{format}"));
        make_tree(&root, level, false);
        let out = dir.path().join(format!("small-{format}.tar"));
        tar_create(&root, &out, &[&format!("--format={format}")]);
        let data = std::fs::read(&out).unwrap();
        check(&data, &MANY, ALL).unwrap();
        check(&data, &FEW, HashSelection::default()).unwrap();
        check_file(&out, ALL);

        let root = dir.path().join(format!("tree-{format}"));
        make_tree(&root, level, true);
        let out = dir.path().join(format!("{format}.tar"));
        tar_create(&root, &out, &[&format!("--format={format}")]);
        let data = std::fs::read(&out).unwrap();
        // SHA-256 only: every digest was checked above; here, the chunk boundaries.
        let members = check(&data, &LARGE, HashSelection::default()).unwrap();
        let fast = check_file(&out, HashSelection::default());
        assert_eq!(fast.members, members);

        let find = |p: &str| {
            members
                .iter()
                .find(|m| m.path == p)
                .unwrap_or_else(|| panic!("{format}: no member {p}"))
        };
        assert_eq!(
            find("./one_chunk_plus.bin").size,
            Some(CHUNK_SIZE as u64 + 123)
        );
        assert_eq!(find("./dir/three_chunks.bin").kind, "file");
        assert_eq!(find("./empty").size, Some(0));
        assert_eq!(find("./sym").link.as_deref(), Some("small.txt"));
        assert_eq!(find("./café/日本語.txt").size, Some(9));
        let hard = [find("./small.txt"), find("./hard")];
        assert_eq!(
            hard.iter().filter(|m| m.kind == "hardlink").count(),
            1,
            "{format}: {hard:?}"
        );
        if level >= 1 {
            let p = format!("./{}/{}/name.txt", "p".repeat(60), "q".repeat(60));
            assert_eq!(find(&p).kind, "file");
        }
        if level >= 2 {
            let deep = format!(
                "./{}/{}/{}",
                "d".repeat(100),
                "e".repeat(100),
                "f".repeat(100)
            );
            assert_eq!(find(&deep).size, Some(2000));
            assert_eq!(find("./long_target").link, Some("t".repeat(150)));
            assert_eq!(find(&format!("./{}", "é".repeat(60))).kind, "file");
            if format.ends_with("gnu") {
                // Base-256 in the header. (PAX keeps such a time in a record; the header's
                // field, which is what a member records, then holds 0.)
                assert_eq!(find("./future").mtime, Some(10_413_792_000));
            }
        }
    }
}

#[test]
fn tar_crate_builder_archive() {
    let mut b = tar::Builder::new(Vec::new());
    for (i, len) in [0, 1, 511, 512, 513, CHUNK_SIZE - 512, CHUNK_SIZE + 1]
        .into_iter()
        .enumerate()
    {
        let mut h = tar::Header::new_gnu();
        h.set_size(len as u64);
        h.set_mode(0o644);
        h.set_mtime(1_000_000 + i as u64);
        let name = format!("a{}/f{i}", "x".repeat(40 * i));
        b.append_data(&mut h, name, &pseudo_random(len, i as u64)[..])
            .unwrap();
    }
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, "s", "ü/".repeat(100)).unwrap();
    let data = b.into_inner().unwrap();
    let m = check(&data, &LARGE, ALL).unwrap();
    assert_eq!(m.len(), 8);
    assert_eq!(m[7].link, Some("ü/".repeat(100)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("builder.tar");
    std::fs::write(&path, &data).unwrap();
    check_file(&path, ALL);
}

#[test]
fn sparse_archives_are_refused() {
    gnu_tar();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    std::fs::create_dir(&root).unwrap();
    let f = std::fs::File::create(root.join("sparse.img")).unwrap();
    f.set_len(5 * CHUNK_SIZE as u64).unwrap();
    {
        use std::os::unix::fs::FileExt;
        f.write_all_at(b"start", 0).unwrap();
        f.write_all_at(b"middle", 3 * CHUNK_SIZE as u64).unwrap();
    }
    std::fs::write(root.join("after"), b"a member after the sparse one").unwrap();
    for format in ["gnu", "pax"] {
        let out = dir.path().join(format!("sparse-{format}.tar"));
        tar_create(&root, &out, &["--sparse", &format!("--format={format}")]);
        let data = std::fs::read(&out).unwrap();
        let e = check(&data, &FEW, ALL).unwrap_err();
        assert!(e.contains("sparse"), "{e}");
        let e = match tarhash::hash_tar(&out, false, ALL, &no_progress) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("sparse archive sealed"),
        };
        assert!(e.contains("sparse") && e.contains("--as file"), "{e}");
    }
}

#[test]
fn truncated_archives_are_errors_like_the_tar_crate() {
    gnu_tar();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    make_tree(&root, 2, false);
    let out = dir.path().join("t.tar");
    tar_create(&root, &out, &["--format=pax"]);
    let data = std::fs::read(&out).unwrap();
    let full = check(&data, &FEW, HashSelection::default()).unwrap().len();
    // Where the end-of-archive block starts: before it, a cut off a block boundary is an error.
    let end = tar::Archive::new(&data[..])
        .entries()
        .unwrap()
        .raw(true)
        .map(|e| {
            let e = e.unwrap();
            e.raw_header_position() + 512 + e.size().div_ceil(512) * 512
        })
        .last()
        .unwrap() as usize;
    let mut errors = 0;
    for cut in (0..data.len()).filter(|c| c % 512 < 3 || c % 512 > 509 || c % 97 == 0) {
        match check(&data[..cut], &FEW, HashSelection::default()) {
            Err(_) => errors += 1,
            Ok(m) => assert!(
                (cut % 512 == 0 || cut >= end + 512) && m.len() <= full,
                "cut {cut}"
            ),
        }
    }
    assert!(errors > 100, "{errors}");
}

fn fix_checksum(block: &mut [u8]) {
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

#[test]
fn mutated_headers_give_the_same_result_or_the_same_error() {
    gnu_tar();
    let dir = tempfile::tempdir().unwrap();
    let mut archives = Vec::new();
    for format in ["gnu", "pax", "ustar"] {
        let root = dir.path().join(format!("tree-{format}"));
        make_tree(&root, if format == "ustar" { 1 } else { 2 }, false);
        let out = dir.path().join(format!("{format}.tar"));
        tar_create(&root, &out, &[&format!("--format={format}")]);
        archives.push(std::fs::read(&out).unwrap());
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let interesting = b"\0\x80\xff 07xgLKS5123/=\n";
    let (mut ok, mut err) = (0, 0);
    for round in 0..3000 {
        let mut data = archives[round % archives.len()].clone();
        // Headers are where parsing happens: aim at block starts (the raw header positions).
        let headers: Vec<usize> = tar::Archive::new(&data[..])
            .entries()
            .unwrap()
            .raw(true)
            .map(|e| e.unwrap().raw_header_position() as usize)
            .collect();
        let at = headers[next(headers.len())];
        for _ in 0..1 + next(3) {
            let i = at + next(512);
            data[i] = if next(2) == 0 {
                interesting[next(interesting.len())]
            } else {
                next(256) as u8
            };
        }
        if next(4) != 0 {
            fix_checksum(&mut data[at..at + 512]);
        }
        match check(&data, &FEW, HashSelection::default()) {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        }
    }
    assert!(ok > 100 && err > 100, "ok {ok}, errors {err}");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for (len, seed) in [(1, 1), (100, 2), (511, 3), (512, 4), (513, 5), (5000, 6)] {
        let data = pseudo_random(len, seed);
        assert!(check(&data, &MANY, ALL).is_err(), "len {len}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.tar");
    std::fs::write(&path, pseudo_random(3 * CHUNK_SIZE, 7)).unwrap();
    let e = match tarhash::hash_tar(&path, false, ALL, &no_progress) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("garbage accepted"),
    };
    assert!(e.contains("not a valid tar archive"), "{e}");
    assert!(e.contains("cksum") || e.contains("checksum"), "{e}");
}
