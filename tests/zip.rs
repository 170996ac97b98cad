//! Zip archives sealed member by member (FORMAT.md 6.2, "Zip members"), checked against
//! Info-ZIP `unzip` (`-Z1`, `-l`, `-p NAME | sha256sum`) and python `zipfile` on archives
//! made in the tests by the `zip` CLI, python and a raw writer here: data descriptors (with
//! and without signature), ZIP64 (forced on small members, and a real member over 4 GiB),
//! and hostile archives (traversal, overlapping entries, a size smaller than the data, a CRC
//! mismatch, local and central names that differ, an unsupported method, an encrypted entry,
//! duplicate names, hidden bytes, two end records), each refused with exit 2 and nothing
//! written. `ioc scan` finds an indicator inside a deflated member; `verify --rehash` sees one
//! changed byte in a member.

mod common;

use common::{key_pair, ok, run, snapshot, text, PASS};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let keys = root.join("keys");
        std::fs::create_dir(&keys).unwrap();
        key_pair(&keys, PASS, "expert", Some("expert"));
        let case = root.join("case");
        ok(&run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "Z-1",
            "--title",
            "Zip test case",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
        ]));
        Case {
            _tmp: tmp,
            root,
            case,
            key: keys.join("expert.key"),
        }
    }

    fn c(&self) -> &str {
        self.case.to_str().unwrap()
    }

    fn seal(&self, path: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["-C", self.c(), "seal", path.to_str().unwrap(), "--key"];
        args.push(self.key.to_str().unwrap());
        args.extend(extra);
        run(&args)
    }

    /// The artifact of the last entry (a seal).
    fn last_artifact(&self) -> Value {
        let ledger = std::fs::read_to_string(self.case.join("ledger.jsonl")).unwrap();
        let last: Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
        assert_eq!(last["kind"], "seal");
        last["body"]["artifact"].clone()
    }
}

fn tool(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (./test installs zip, unzip and python3)"))
}

fn python(script: &str, args: &[&str]) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    assert!(o.status.success(), "python: {}", text(&o));
    String::from_utf8(o.stdout).unwrap()
}

/// Every member as python `zipfile` reads it: name, kind, size, SHA-256 (files), link target
/// (symlinks, by the Unix mode), CRC-checked by `zipfile` as it reads. Names without the UTF-8
/// flag are read as UTF-8, the bytes `unzip` writes on Linux (`zipfile` would take CP437).
const PY_LIST: &str = r#"
import hashlib, json, stat, sys, zipfile
out = []
with zipfile.ZipFile(sys.argv[1], metadata_encoding="utf-8") as z:
    for i in z.infolist():
        mode = i.external_attr >> 16
        if i.is_dir():
            out.append({"path": i.filename, "type": "dir"})
        elif i.create_system == 3 and stat.S_ISLNK(mode):
            out.append({"path": i.filename, "type": "symlink", "link": z.read(i).decode()})
        else:
            h = hashlib.sha256()
            with z.open(i) as f:
                for b in iter(lambda: f.read(1 << 20), b""):
                    h.update(b)
            out.append({"path": i.filename, "type": "file", "size": i.file_size,
                        "sha256": h.hexdigest()})
print(json.dumps(out))
"#;

/// The sealed members as (path, type, size, sha256, link).
fn sealed(a: &Value) -> Vec<Value> {
    a["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let mut v = serde_json::json!({"path": m["path"], "type": m["type"]});
            if m["type"] == "file" {
                v["size"] = m["size"].clone();
                v["sha256"] = m["hashes"]["sha256"].clone();
            }
            if m["type"] == "symlink" {
                v["link"] = m["link"].clone();
            }
            v
        })
        .collect()
}

/// Checks the sealed members of `zip` against python `zipfile`, `unzip -Z1` (names, order),
/// `unzip -l` (sizes) and `unzip -p NAME | sha256sum` (content).
fn check_against_tools(a: &Value, zip: &Path) {
    let z = zip.to_str().unwrap();
    assert_eq!(a["kind"], "zip");
    assert_eq!(a["hashes"]["sha256"], common::sha256sum(zip));
    assert_eq!(a["size"], std::fs::metadata(zip).unwrap().len());
    let py: Vec<Value> = serde_json::from_str(&python(PY_LIST, &[z])).unwrap();
    assert_eq!(sealed(a), py, "sealed members and python zipfile's");
    let names = String::from_utf8(tool("unzip", &["-Z1", z]).stdout).unwrap();
    let paths: Vec<&str> = a["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(names.lines().collect::<Vec<_>>(), paths, "unzip -Z1");
    let listing = String::from_utf8(tool("unzip", &["-l", z]).stdout).unwrap();
    let mut files = 0;
    for m in a["members"].as_array().unwrap() {
        if m["type"] != "file" {
            continue;
        }
        files += 1;
        let name = m["path"].as_str().unwrap();
        let size = m["size"].as_u64().unwrap();
        assert!(
            listing
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{size} ")) && l.ends_with(name)),
            "unzip -l lists {name} with {size} bytes:\n{listing}"
        );
        let o = Command::new("sh")
            .arg("-c")
            .arg(r#"unzip -p -- "$1" "$2" | sha256sum"#)
            .args(["sh", z, name])
            .output()
            .unwrap();
        let hex = String::from_utf8(o.stdout).unwrap();
        assert_eq!(
            m["hashes"]["sha256"].as_str().unwrap(),
            hex.split_whitespace().next().unwrap(),
            "unzip -p {name} | sha256sum"
        );
    }
    assert_eq!(a["file_count"], files);
}

fn independent_verifier_accepts(case: &Path) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/independent/verify_case.py"
    );
    let o = tool("python3", &[script, case.to_str().unwrap()]);
    assert!(o.status.success(), "verify_case.py: {}", text(&o));
}

#[test]
fn zip_cli_and_python_archives_are_sealed_as_unzip_extracts_them() {
    let c = Case::new();
    let src = c.root.join("src");
    std::fs::create_dir_all(src.join("private/var/mobile/Library/SMS")).unwrap();
    std::fs::create_dir_all(src.join("empty dir")).unwrap();
    std::fs::write(src.join("private/var/mobile/Library/SMS/sms.db"), {
        let mut v = Vec::new();
        for i in 0..40_000u32 {
            v.extend_from_slice(format!("row {i} hello\n").as_bytes());
        }
        v
    })
    .unwrap();
    let random: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(src.join("private/var/blob.bin"), &random).unwrap();
    std::fs::write(src.join("empty.txt"), b"").unwrap();
    std::fs::write(src.join("Café Ünïcode.txt"), b"accents").unwrap();
    std::os::unix::fs::symlink("private/var/blob.bin", src.join("link")).unwrap();
    // The zip CLI: deflate and stored (-n .bin), symlinks stored as links (-y), directories.
    let cli = c.root.join("cli.zip");
    let o = Command::new("zip")
        .current_dir(&src)
        .args(["-q", "-r", "-y", "-n", ".bin"])
        .arg(&cli)
        .arg(".")
        .output()
        .unwrap();
    assert!(o.status.success(), "zip: {}", text(&o));
    ok(&c.seal(&cli, &[]));
    check_against_tools(&c.last_artifact(), &cli);
    let kinds: Vec<String> = c.last_artifact()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"symlink".to_string()) && kinds.contains(&"dir".to_string()));

    // python zipfile: stored and deflate, a UTF-8 name (flag bit 11), data descriptors (an
    // unseekable output), ZIP64 forced on small members.
    let py = c.root.join("py.zip");
    python(
        r#"
import sys, zipfile
class Unseekable:
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
with open(sys.argv[1], "wb") as raw:
    with zipfile.ZipFile(Unseekable(raw), "w") as z:
        for i, method in enumerate([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED] * 3):
            info = zipfile.ZipInfo(f"dir/é{i}.txt", date_time=(2024, 1, 2, 3, 4, 5))
            info.compress_type = method
            with z.open(info, "w", force_zip64=(i >= 2)) as f:
                f.write((f"member {i} " * (1000 * i + 1)).encode())
        z.writestr(zipfile.ZipInfo("dir/sub/"), b"")
"#,
        &[py.to_str().unwrap()],
    );
    let ok_py = tool("unzip", &["-tq", py.to_str().unwrap()]);
    assert!(ok_py.status.success(), "unzip -t: {}", text(&ok_py));
    ok(&c.seal(&py, &[]));
    check_against_tools(&c.last_artifact(), &py);
    // ZIP64 everywhere: python's limits lowered, so that offsets past 1 KiB go in ZIP64 extra
    // fields and the archive ends with a ZIP64 end record and locator.
    let py64 = c.root.join("py64.zip");
    python(
        r#"
import sys, zipfile
zipfile.ZIP64_LIMIT = 1024
zipfile.ZIP_FILECOUNT_LIMIT = 2
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(5):
        z.writestr(f"m{i}.bin", bytes(range(256)) * (i + 3))
with open(sys.argv[1], "rb") as f:
    data = f.read()
assert b"PK" in data and b"PK" in data, "no ZIP64 end record"
"#,
        &[py64.to_str().unwrap()],
    );
    ok(&c.seal(&py64, &[]));
    check_against_tools(&c.last_artifact(), &py64);
    assert_eq!(c.last_artifact()["file_count"], 5);
    // `--as zip` whatever the name; `--as file` seals the bytes only.
    let renamed = c.root.join("extraction.bin");
    std::fs::copy(&cli, &renamed).unwrap();
    ok(&c.seal(&renamed, &["--as", "zip"]));
    assert_eq!(c.last_artifact()["kind"], "zip");
    ok(&c.seal(&cli, &["--as", "file"]));
    assert_eq!(c.last_artifact()["kind"], "file");
    independent_verifier_accepts(&c.case);
    let v = run(&["-C", c.c(), "verify", "--rehash"]);
    assert!(v.status.success(), "{}", text(&v));
}

// ---------------------------------------------------------------------------------------------
// A raw zip writer, to make what no tool writes.

#[derive(Clone)]
struct Raw {
    name: Vec<u8>,
    /// The local header's name, when it differs.
    local_name: Option<Vec<u8>>,
    data: Vec<u8>,
    method: u16,
    flags: u16,
    /// The CRC-32 written (else the data's).
    crc: Option<u32>,
    /// The uncompressed size written (else the data's).
    size: Option<u64>,
    /// A data descriptor: `Some(true)` with its signature, `Some(false)` without.
    descriptor: Option<bool>,
    /// The local header offset the central directory gives (else where it was written).
    at: Option<u64>,
    /// Whether the local record is written (not when it is inside another member's data).
    write: bool,
}

fn raw(name: &str, data: &[u8], method: u16) -> Raw {
    Raw {
        name: name.as_bytes().to_vec(),
        local_name: None,
        data: data.to_vec(),
        method,
        flags: 0,
        crc: None,
        size: None,
        descriptor: None,
        at: None,
        write: true,
    }
}

impl Raw {
    fn compressed(&self) -> Vec<u8> {
        if self.method == 8 {
            let mut e =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&self.data).unwrap();
            e.finish().unwrap()
        } else {
            self.data.clone()
        }
    }

    fn crc(&self) -> u32 {
        self.crc.unwrap_or_else(|| crc32fast::hash(&self.data))
    }

    fn flags(&self) -> u16 {
        self.flags | if self.descriptor.is_some() { 8 } else { 0 }
    }

    /// The local header, data and descriptor.
    fn local(&self) -> Vec<u8> {
        let data = self.compressed();
        let size = self.size.unwrap_or(self.data.len() as u64) as u32;
        let name = self.local_name.as_ref().unwrap_or(&self.name);
        let mut v = Vec::new();
        v.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        v.extend_from_slice(&20u16.to_le_bytes());
        v.extend_from_slice(&self.flags().to_le_bytes());
        v.extend_from_slice(&self.method.to_le_bytes());
        v.extend_from_slice(&[0, 0, 0x21, 0]); // time, date: 1980-01-01
        let (crc, csize, usize) = if self.descriptor.is_some() {
            (0, 0, 0)
        } else {
            (self.crc(), data.len() as u32, size)
        };
        v.extend_from_slice(&crc.to_le_bytes());
        v.extend_from_slice(&csize.to_le_bytes());
        v.extend_from_slice(&usize.to_le_bytes());
        v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(name);
        v.extend_from_slice(&data);
        if let Some(sig) = self.descriptor {
            if sig {
                v.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            }
            v.extend_from_slice(&self.crc().to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
        }
        v
    }

    fn central(&self, offset: u64) -> Vec<u8> {
        let data_len = self.compressed().len() as u32;
        let size = self.size.unwrap_or(self.data.len() as u64) as u32;
        let mut v = Vec::new();
        v.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        v.extend_from_slice(&(0x0300u16 | 20).to_le_bytes()); // made by Unix
        v.extend_from_slice(&20u16.to_le_bytes());
        v.extend_from_slice(&self.flags().to_le_bytes());
        v.extend_from_slice(&self.method.to_le_bytes());
        v.extend_from_slice(&[0, 0, 0x21, 0]);
        v.extend_from_slice(&self.crc().to_le_bytes());
        v.extend_from_slice(&data_len.to_le_bytes());
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(&(self.name.len() as u16).to_le_bytes());
        v.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        v.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        v.extend_from_slice(&(self.at.unwrap_or(offset) as u32).to_le_bytes());
        v.extend_from_slice(&self.name);
        v
    }
}

/// A zip of `entries`, `junk` between the last member and the central directory, and the
/// archive comment `comment`.
fn raw_zip(entries: &[Raw], junk: &[u8], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for e in entries {
        offsets.push(out.len() as u64);
        if e.write {
            out.extend_from_slice(&e.local());
        }
    }
    out.extend_from_slice(junk);
    let cd_at = out.len();
    for (e, at) in entries.iter().zip(offsets) {
        out.extend_from_slice(&e.central(at));
    }
    let cd_len = out.len() - cd_at;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd_at as u32).to_le_bytes());
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out
}

#[test]
fn data_descriptors_with_and_without_signature_are_read() {
    let c = Case::new();
    let mut a = raw("a.txt", &b"alpha ".repeat(5000), 8);
    a.descriptor = Some(true);
    let mut b = raw("b.txt", b"bravo", 0);
    b.descriptor = Some(false);
    let mut d = raw("c.txt", &b"charlie ".repeat(300), 8);
    d.descriptor = Some(false);
    let zip = c.root.join("dd.zip");
    std::fs::write(&zip, raw_zip(&[a, b, d], b"", b"")).unwrap();
    ok(&c.seal(&zip, &[]));
    check_against_tools(&c.last_artifact(), &zip);
    independent_verifier_accepts(&c.case);
}

/// Seals `bytes` as a zip: must be refused with exit 2, `expect` in the message, the case
/// unchanged.
fn refused(c: &Case, name: &str, bytes: &[u8], expect: &str) {
    let zip = c.root.join(name);
    std::fs::write(&zip, bytes).unwrap();
    refused_file(c, &zip, expect);
}

fn refused_file(c: &Case, zip: &Path, expect: &str) {
    let before = snapshot(&c.case);
    let o = c.seal(zip, &[]);
    assert_eq!(o.status.code(), Some(2), "{}: {}", zip.display(), text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(expect) && err.contains("--as file"),
        "{}: expected {expect:?} in {err}",
        zip.display()
    );
    assert_eq!(
        snapshot(&c.case),
        before,
        "{}: nothing written",
        zip.display()
    );
}

#[test]
fn hostile_archives_are_refused_naming_the_member_and_nothing_is_written() {
    let c = Case::new();
    let good = raw("ok.txt", b"fine", 0);
    // Traversal and absolute names.
    refused(
        &c,
        "dotdot.zip",
        &raw_zip(&[good.clone(), raw("a/../../evil.sh", b"x", 0)], b"", b""),
        r#"member 1 ("a/../../evil.sh"): a path with a `..` component"#,
    );
    refused(
        &c,
        "abs.zip",
        &raw_zip(&[raw("/etc/cron.d/x", b"x", 0)], b"", b""),
        r#"member 0 ("/etc/cron.d/x"): an absolute path"#,
    );
    // Overlapping entries: the second member's local header is inside the first's data.
    let inner = raw("inner.bin", &[0u8; 1000], 8);
    let mut outer = raw("outer.bin", &inner.local(), 0);
    outer.write = true;
    let mut quoted = inner.clone();
    quoted.write = false;
    quoted.at = Some(30 + outer.name.len() as u64);
    refused(
        &c,
        "overlap.zip",
        &raw_zip(&[outer, quoted], b"", b""),
        r#"member 1 ("inner.bin"): its local header (offset 39) is inside the previous member"#,
    );
    // A bomb: deflated data larger than the size declared (reading stops at the bound).
    let mut bomb = raw("bomb.bin", &vec![0u8; 10 << 20], 8);
    bomb.size = Some(1024);
    refused(
        &c,
        "bomb.zip",
        &raw_zip(&[bomb], b"", b""),
        r#"member 0 ("bomb.bin"): its data inflates to more than its declared size of 1024 bytes"#,
    );
    // A CRC-32 that is not the content's.
    let mut bad = raw("data.txt", b"some content", 8);
    bad.crc = Some(0xdead_beef);
    refused(
        &c,
        "crc.zip",
        &raw_zip(&[bad], b"", b""),
        r#"member 0 ("data.txt"): CRC-32 mismatch (stored deadbeef"#,
    );
    // Local header and central directory names that differ.
    let mut two = raw("report.txt", b"x", 0);
    two.local_name = Some(b"rep0rt.txt".to_vec());
    refused(
        &c,
        "names.zip",
        &raw_zip(&[two], b"", b""),
        r#"member 0 ("report.txt"): its local header and the central directory give different names ("rep0rt.txt" and "report.txt")"#,
    );
    // A data descriptor that disagrees with the central directory.
    let mut dd = raw("dd.txt", b"descriptor", 0);
    dd.descriptor = Some(true);
    let mut bytes = raw_zip(&[dd], b"", b"");
    let at = 30 + 6 + 10 + 4; // the descriptor's CRC-32
    bytes[at] ^= 1;
    refused(
        &c,
        "descriptor.zip",
        &bytes,
        r#"member 0 ("dd.txt"): its data descriptor"#,
    );
    // Duplicate names, and a member below a file.
    refused(
        &c,
        "dup.zip",
        &raw_zip(&[raw("a.txt", b"1", 0), raw("a.txt", b"2", 0)], b"", b""),
        r#"member 1 ("a.txt"): the same path as member 0"#,
    );
    refused(
        &c,
        "below.zip",
        &raw_zip(&[raw("f", b"1", 0), raw("f/g", b"2", 0)], b"", b""),
        r#"member 1 ("f/g"): below member 0, which is not a directory"#,
    );
    // Bytes that belong to no member, and a second end record hidden in the comment.
    refused(
        &c,
        "gap.zip",
        &raw_zip(std::slice::from_ref(&good), b"hidden", b""),
        "6 bytes between the last member and the central directory belong to no member",
    );
    let inner_zip = raw_zip(&[raw("decoy.txt", b"d", 0)], b"", b"");
    let eocd = &inner_zip[inner_zip.len() - 22..];
    let mut comment = eocd.to_vec();
    comment[20..22].copy_from_slice(&0u16.to_le_bytes());
    refused(
        &c,
        "twoends.zip",
        &raw_zip(std::slice::from_ref(&good), b"", &comment),
        "two end of central directory records",
    );
    // Not a zip at all.
    refused(
        &c,
        "plain.zip",
        b"just some text, no zip here",
        "not a valid zip archive (no end of central directory record",
    );
    // Real archives of tools: an unsupported method (bzip2), an encrypted entry.
    let bz = c.root.join("bzip2.zip");
    python(
        r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_BZIP2) as z:
    z.writestr("notes.txt", "compressed with bzip2 " * 100)
"#,
        &[bz.to_str().unwrap()],
    );
    refused_file(
        &c,
        &bz,
        r#"member 0 ("notes.txt"): compressed with method 12 (bzip2)"#,
    );
    let src = c.root.join("secret.txt");
    std::fs::write(&src, b"the password protects this").unwrap();
    let enc = c.root.join("enc.zip");
    let o = tool(
        "zip",
        &[
            "-q",
            "-j",
            "-P",
            "hunter2",
            enc.to_str().unwrap(),
            src.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "zip -P: {}", text(&o));
    refused_file(&c, &enc, r#"member 0 ("secret.txt"): encrypted"#);
    // The ledger holds the case's opening only.
    let ledger = std::fs::read_to_string(c.case.join("ledger.jsonl")).unwrap();
    assert_eq!(ledger.lines().count(), 1);
}

#[test]
fn ioc_scan_finds_an_indicator_inside_a_deflated_member() {
    let c = Case::new();
    let mut text = b"ordinary log line\n".repeat(20_000);
    text.extend_from_slice(b"connect to api.weather4free.com:443\n");
    text.extend_from_slice(&b"ordinary log line\n".repeat(20_000));
    let zip = c.root.join("ffs.zip");
    std::fs::write(
        &zip,
        raw_zip(
            &[
                raw("private/var/log/net.log", &text, 8),
                raw("clean.txt", b"nothing", 8),
            ],
            b"",
            b"",
        ),
    )
    .unwrap();
    ok(&c.seal(&zip, &[]));
    let stix = c.root.join("ioc.stix2");
    let bundle = serde_json::json!({"type": "bundle", "id": "bundle--00000000-0000-0000-0000-0000000000aa", "objects": [
        {"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-0000-0000-000000000001", "name": "TestMalware", "is_family": false},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-0000-0000-000000000001",
         "pattern": "[domain-name:value='weather4free.com']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--00000000-0000-0000-0000-000000000001",
         "relationship_type": "indicates", "source_ref": "indicator--00000000-0000-0000-0000-000000000001",
         "target_ref": "malware--00000000-0000-0000-0000-000000000001"}]});
    std::fs::write(&stix, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let out = ok(&run(&[
        "-C",
        c.c(),
        "ioc",
        "scan",
        "--json",
        "--key",
        c.key.to_str().unwrap(),
        "--stix",
        stix.to_str().unwrap(),
    ]));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let matches = v["scan"]["matches"].as_array().unwrap();
    assert!(
        matches
            .iter()
            .any(|m| m["member"] == "private/var/log/net.log"
                && m["value"].as_str().unwrap().contains("weather4free.com")),
        "{matches:#?}"
    );
    assert!(matches.iter().all(|m| m["member"] != "clean.txt"));
    independent_verifier_accepts(&c.case);
}

#[test]
fn verify_rehash_sees_one_changed_byte_in_a_member() {
    let c = Case::new();
    let body = b"line of evidence\n".repeat(1000);
    let zip = c.root.join("e.zip");
    // Stored, so that the archive keeps its size (the re-hash reads only an artifact of the
    // size sealed).
    let build = |body: &[u8]| {
        raw_zip(
            &[raw("a.txt", b"same", 8), raw("evidence.txt", body, 0)],
            b"",
            b"",
        )
    };
    std::fs::write(&zip, build(&body)).unwrap();
    ok(&c.seal(&zip, &[]));
    ok(&run(&["-C", c.c(), "verify", "--rehash"]));
    // The same archive made again with one byte of a member changed: still a valid zip.
    let mut changed = body.clone();
    changed[5000] ^= 0x20;
    std::fs::write(&zip, build(&changed)).unwrap();
    let o = run(&["-C", c.c(), "verify", "--rehash", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("evidence.txt") && !out.contains("\"member\":\"a.txt\""),
        "{out}"
    );
    // The custody re-check of a re-seal re-reads the zip as sealed: it records the member that
    // no longer matches.
    let key = c.key.to_str().unwrap();
    ok(&run(&[
        "-C",
        c.c(),
        "open",
        "E-0001",
        "--operations",
        "examination",
        "--key",
        key,
    ]));
    let o = run(&[
        "-C",
        c.c(),
        "reseal",
        "E-0001",
        "--new-seal-no",
        "Z-2",
        "--key",
        key,
    ]);
    let ledger = std::fs::read_to_string(c.case.join("ledger.jsonl")).unwrap();
    let last: Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "reseal", "{}", text(&o));
    let recheck = &last["body"]["recheck"];
    assert_eq!(recheck["matches"], false, "{recheck}");
    assert!(
        recheck["discrepancies"]
            .to_string()
            .contains("evidence.txt"),
        "{recheck}"
    );
    // One stored byte flipped in place: the CRC-32 no longer matches, the re-hash says so.
    let stored = raw_zip(&[raw("s.txt", b"stored evidence", 0)], b"", b"");
    let c2 = Case::new();
    let zip2 = c2.root.join("s.zip");
    std::fs::write(&zip2, &stored).unwrap();
    ok(&c2.seal(&zip2, &[]));
    let mut flipped = stored.clone();
    flipped[30 + 5] ^= 1;
    std::fs::write(&zip2, &flipped).unwrap();
    let o = run(&["-C", c2.c(), "verify", "--rehash"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(common::out(&o).contains("CRC-32 mismatch"), "{}", text(&o));
}

/// A real ZIP64 member over 4 GiB: 4.1 GiB of zeros deflated by python `zipfile` (a few MiB of
/// archive), sealed and compared with `unzip -l` and the SHA-256 of the zeros.
#[test]
fn a_member_over_4_gib_is_read_through_zip64() {
    let c = Case::new();
    let zip = c.root.join("big.zip");
    let size: u64 = (4u64 << 30) + (100 << 20);
    python(
        r#"
import sys, zipfile
size = int(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.writestr("small.txt", "before the big one")
    with z.open("zeros.img", "w", force_zip64=True) as f:
        block = bytes(1 << 24)
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
    z.writestr("after.txt", "after the big one")
"#,
        &[zip.to_str().unwrap(), &size.to_string()],
    );
    ok(&c.seal(&zip, &[]));
    let a = c.last_artifact();
    let big = &a["members"][1];
    assert_eq!(big["path"], "zeros.img");
    assert_eq!(big["size"], size);
    let o = Command::new("sh")
        .arg("-c")
        .arg(r#"head -c "$1" /dev/zero | sha256sum"#)
        .args(["sh", &size.to_string()])
        .output()
        .unwrap();
    let hex = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        big["hashes"]["sha256"],
        hex.split_whitespace().next().unwrap()
    );
    let listing = String::from_utf8(tool("unzip", &["-l", zip.to_str().unwrap()]).stdout).unwrap();
    assert!(
        listing
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{size} ")) && l.ends_with("zeros.img")),
        "{listing}"
    );
    assert_eq!(a["members"][2]["path"], "after.txt");
    independent_verifier_accepts(&c.case);
}

/// Every byte of a small archive (a deflated member with a data descriptor, a stored member,
/// a directory) changed in turn, several ways: the reader never panics, and whatever it
/// accepts holds only the original contents (a changed byte of data, name, size, CRC-32 or
/// offset is refused, by the CRC-32 or by the cross-checks).
#[test]
fn one_byte_changed_anywhere_is_refused_or_keeps_the_contents() {
    use scelle::store::hashing::{no_progress, HashSelection};
    let mut a = raw("dir/a.txt", &b"alpha alpha alpha ".repeat(20), 8);
    a.descriptor = Some(true);
    let b = raw("dir/b.bin", b"\x00\x01\x02bravo", 0);
    let mut d = raw("dir/", b"", 0);
    d.name = b"dir/".to_vec();
    let zip = raw_zip(&[d, a.clone(), b.clone()], b"", b"");
    let digest = |data: &[u8]| {
        use sha2::Digest;
        sha2::Sha256::digest(data)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let originals = [digest(&a.data), digest(&b.data)];
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("m.zip");
    // The reader's result does not depend on how the bytes are lent (1-, 7-, 64-byte pieces).
    std::fs::write(&path, &zip).unwrap();
    let whole = scelle::store::ziphash::hash_zip(&path, HashSelection::default(), &no_progress)
        .unwrap()
        .members;
    let file = std::fs::File::open(&path).unwrap();
    let dir = scelle::store::zipstream::read_directory(&file, zip.len() as u64).unwrap();
    for piece in [1, 7, 64] {
        let mut r = std::io::BufReader::with_capacity(piece, &zip[..]);
        let members = scelle::store::zipstream::inspect_members(
            &mut r,
            &dir,
            HashSelection::default(),
            &mut scelle::store::hashing::NoInspection,
        )
        .unwrap();
        assert_eq!(members, whole, "{piece}-byte pieces");
    }
    let (mut accepted, mut refused) = (0, 0);
    for at in 0..zip.len() {
        for change in [0x01u8, 0x80, 0xff] {
            let mut m = zip.clone();
            m[at] ^= change;
            std::fs::write(&path, &m).unwrap();
            match scelle::store::ziphash::hash_zip(&path, HashSelection::default(), &no_progress) {
                Ok(z) => {
                    accepted += 1;
                    for f in z.members.iter().filter(|x| x.kind == "file") {
                        let h = &f.hashes.as_ref().unwrap().sha256;
                        assert!(originals.contains(h), "byte {at} ^ {change:#x}: {f:?}");
                    }
                }
                Err(_) => refused += 1,
            }
        }
    }
    assert!(
        accepted > 0 && refused > accepted,
        "{accepted} accepted, {refused} refused"
    );
}
