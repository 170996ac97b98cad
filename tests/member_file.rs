//! Member files (FORMAT.md 6.2): a folder or tar whose member list would make its seal line
//! longer than 1 MiB keeps the list in `members/SHA256.jsonl`, named by the line. End to
//! end through the CLI: the line stays small, `verify`, `verify --rehash`, `export`,
//! `verify-bundle`, `import` and the independent python verifiers read the file, and every
//! change to it (a byte, a missing file, a link in its place) is an error `member-file` for
//! scelle and for the python verifier alike.

mod common;

use common::{init_case, kit, ok, run, sh, text};
use std::fs;
use std::path::{Path, PathBuf};

/// Members enough for a list over 1 MiB: 6,000 files with 90-byte paths.
const FILES: usize = 6_000;

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
    folder: PathBuf,
}

impl Fixture {
    /// A case with a folder of [`FILES`] files sealed as E-0001 and its tar as E-0002.
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (case, key) = init_case(&root, "MF-1", "Member files", &[]);
        let folder = root.join("extraction");
        for i in 0..FILES {
            let dir = folder.join(format!(
                "private/var/mobile/Containers/Data/Application/{:02}",
                i % 40
            ));
            fs::create_dir_all(&dir).unwrap();
            fs::write(
                dir.join(format!("Library-Caches-com.example.app-{i:06}.db")),
                format!("{i}"),
            )
            .unwrap();
        }
        let o = sh(&root, "tar", &["-cf", "extraction.tar", "extraction"]);
        assert!(o.status.success(), "{}", text(&o));
        let f = Fixture {
            _tmp: tmp,
            root,
            case,
            key,
            folder,
        };
        for artifact in ["extraction", "extraction.tar"] {
            let path = f.root.join(artifact);
            ok(&f.run(&["seal", path.to_str().unwrap(), "--key", f.key_str()]));
        }
        f
    }

    fn key_str(&self) -> &str {
        self.key.to_str().unwrap()
    }

    /// `scelle -C CASE ARGS...`.
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["-C", self.case.to_str().unwrap()];
        all.extend_from_slice(args);
        run(&all)
    }

    fn member_files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(self.case.join("members"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }
}

/// The codes of the errors `scelle verify --json` reports for `case`.
fn error_codes(case: &Path) -> Vec<String> {
    let o = run(&["-C", case.to_str().unwrap(), "verify", "--json"]);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "finding" && v["severity"] == "error")
        .map(|v| v["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `tests/independent/verify_case.py CASE`: its exit status and output.
fn python_verify(case: &Path) -> (i32, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py");
    let o = sh(
        Path::new("."),
        "python3",
        &[script.to_str().unwrap(), case.to_str().unwrap()],
    );
    (o.status.code().unwrap_or(-1), text(&o))
}

#[test]
fn a_long_member_list_goes_to_a_member_file_that_every_verifier_reads() {
    let f = Fixture::new();
    let files = f.member_files();
    assert_eq!(files.len(), 2, "one member file per seal: {files:?}");
    for file in &files {
        let bytes = fs::read(file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, format!("{}.jsonl", common::sha256sum_bytes(&bytes)));
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), {
            // The folder lists its directories too; the tar its directory members.
            let text = String::from_utf8(bytes.clone()).unwrap();
            text.lines().count()
        });
        assert!(bytes.len() > 1 << 20, "{} bytes", bytes.len());
    }
    // The lines stay small: the ledger is a few KiB, not the members' MiBs.
    let ledger = fs::read_to_string(f.case.join("ledger.jsonl")).unwrap();
    assert!(ledger.len() < 16 << 10, "{} bytes", ledger.len());
    let seals: Vec<serde_json::Value> = ledger
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["kind"] == "seal")
        .collect();
    for s in &seals {
        let mf = &s["body"]["artifact"]["member_file"];
        assert!(s["body"]["artifact"].get("members").is_none(), "{s}");
        assert!(mf["count"].as_u64().unwrap() > FILES as u64, "{s}");
        let path = f
            .case
            .join(format!("members/{}.jsonl", mf["sha256"].as_str().unwrap()));
        assert_eq!(
            fs::metadata(path).unwrap().len(),
            mf["bytes"].as_u64().unwrap()
        );
    }
    assert_eq!(
        seals[0]["body"]["artifact"]["file_count"].as_u64(),
        Some(FILES as u64)
    );

    // Both verifiers read the member files.
    let out = ok(&f.run(&["verify", "--rehash"]));
    assert!(out.contains("OK"), "{out}");
    let (rc, out) = python_verify(&f.case);
    assert_eq!(rc, 0, "{out}");

    // A re-hash compares with the members of the file: one changed file is named.
    let changed = f
        .folder
        .join("private/var/mobile/Containers/Data/Application/07/Library-Caches-com.example.app-000007.db");
    fs::write(&changed, "tampered").unwrap();
    let o = f.run(&["verify", "--rehash"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("Library-Caches-com.example.app-000007.db"),
        "{}",
        text(&o)
    );
    // The same for the tar (its members re-read into a private member file, compared by
    // its SHA-256, then member by member): one byte of one member, the tar's size unchanged.
    let tar = f.root.join("extraction.tar");
    let sealed_tar = fs::read(&tar).unwrap();
    fs::write(&changed, "X").unwrap();
    let o = sh(&f.root, "tar", &["-cf", "extraction.tar", "extraction"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = f.run(&["verify", "--rehash", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let tar_findings: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains("\"E-0002\"") && l.contains("\"type\":\"finding\""))
        .map(String::from)
        .collect();
    assert!(
        tar_findings
            .iter()
            .any(|l| l.contains("rehash-sha256") && l.contains("app-000007.db")),
        "{tar_findings:?}"
    );
    // Only that member differs (the tar's own SHA-256 aside).
    assert_eq!(tar_findings.len(), 2, "{tar_findings:?}");
    fs::write(&changed, "7").unwrap();
    fs::write(&tar, sealed_tar).unwrap();

    // A bundle carries them; verify-bundle, import and the python kit check them.
    let bundle = f.root.join("bundle.tar");
    ok(&f.run(&[
        "export",
        "--out",
        bundle.to_str().unwrap(),
        "--with-artifacts",
        "--key",
        f.key_str(),
    ]));
    let listing = text(&sh(&f.root, "tar", &["-tf", bundle.to_str().unwrap()]));
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            listing.contains(&format!("data/case/members/{name}")),
            "{listing}"
        );
    }
    ok(&run(&["verify-bundle", bundle.to_str().unwrap()]));
    let o = kit(&bundle, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let into = f.root.join("imported");
    ok(&run(&[
        "import",
        bundle.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]));
    ok(&run(&[
        "-C",
        into.join("data/case").to_str().unwrap(),
        "verify",
    ]));
}

#[test]
fn a_zip_with_a_member_file_is_sealed_and_re_hashed_member_by_member() {
    let f = Fixture::new();
    // Stored (-0), so that one changed byte keeps the archive's size.
    let zip = f.root.join("extraction.zip");
    let o = sh(
        &f.root,
        "zip",
        &["-q", "-0", "-r", "-X", "extraction.zip", "extraction"],
    );
    assert!(o.status.success(), "{}", text(&o));
    ok(&f.run(&["seal", zip.to_str().unwrap(), "--key", f.key_str()]));
    let ledger = fs::read_to_string(f.case.join("ledger.jsonl")).unwrap();
    let seal: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    let artifact = &seal["body"]["artifact"];
    assert_eq!(artifact["kind"], "zip", "{seal}");
    assert!(artifact.get("members").is_none(), "{seal}");
    assert_eq!(artifact["file_count"].as_u64(), Some(FILES as u64));
    // Its members in the order `unzip -Z1` lists them.
    let o = sh(&f.root, "unzip", &["-Z1", zip.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let listed = String::from_utf8(o.stdout).unwrap();
    let mf = artifact["member_file"]["sha256"].as_str().unwrap();
    let kept = fs::read_to_string(f.case.join(format!("members/{mf}.jsonl"))).unwrap();
    let paths: Vec<String> = kept
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let listed: Vec<&str> = listed.lines().collect();
    assert!(
        paths == listed,
        "{} members kept, {} listed",
        paths.len(),
        listed.len()
    );
    let out = ok(&f.run(&["verify", "--rehash"]));
    assert!(out.contains("E-0003") && out.contains("OK"), "{out}");
    let (rc, out) = python_verify(&f.case);
    assert_eq!(rc, 0, "{out}");

    // One byte of one member: named, and only it (the zip's own SHA-256 aside).
    let changed = f
        .folder
        .join("private/var/mobile/Containers/Data/Application/07/Library-Caches-com.example.app-000007.db");
    fs::write(&changed, "X").unwrap();
    fs::remove_file(&zip).unwrap();
    let o = sh(
        &f.root,
        "zip",
        &["-q", "-0", "-r", "-X", "extraction.zip", "extraction"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = f.run(&["verify", "--rehash", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let findings: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains("\"E-0003\"") && l.contains("\"type\":\"finding\""))
        .map(String::from)
        .collect();
    assert!(
        findings
            .iter()
            .any(|l| l.contains("rehash-sha256") && l.contains("app-000007.db")),
        "{findings:?}"
    );
    assert_eq!(findings.len(), 2, "{findings:?}");
}

#[test]
fn a_member_file_changed_missing_or_replaced_is_an_error_for_both_verifiers() {
    let f = Fixture::new();
    let target = f.member_files()[0].clone();
    let name = target.file_name().unwrap().to_owned();
    let good = fs::read(&target).unwrap();
    let other = f.root.join("elsewhere.jsonl");
    fs::write(&other, &good).unwrap();

    type Change = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "one byte of a member's hash",
            Box::new({
                let good = good.clone();
                move |p: &Path| {
                    let mut b = good.clone();
                    let at = b.windows(10).position(|w| w == b"\"sha256\":\"").unwrap() + 12;
                    b[at] = if b[at] == b'0' { b'1' } else { b'0' };
                    fs::write(p, b).unwrap();
                }
            }),
        ),
        (
            "a member dropped",
            Box::new({
                let good = good.clone();
                move |p: &Path| {
                    let cut = good.iter().position(|&b| b == b'\n').unwrap() + 1;
                    fs::write(p, &good[cut..]).unwrap();
                }
            }),
        ),
        ("missing", Box::new(|p: &Path| fs::remove_file(p).unwrap())),
        (
            "a symbolic link to an identical copy",
            Box::new({
                let other = other.clone();
                move |p: &Path| {
                    fs::remove_file(p).unwrap();
                    std::os::unix::fs::symlink(&other, p).unwrap();
                }
            }),
        ),
    ];
    for (what, change) in cases {
        let copy = f.root.join("copy");
        let _ = fs::remove_dir_all(&copy);
        let o = sh(
            &f.root,
            "cp",
            &["-a", f.case.to_str().unwrap(), copy.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", text(&o));
        change(&copy.join("members").join(&name));
        let codes = error_codes(&copy);
        assert_eq!(codes, ["member-file"], "{what}");
        let (rc, out) = python_verify(&copy);
        assert_eq!(rc, 1, "{what}: {out}");
        assert!(out.contains("ERROR [member-file]"), "{what}: {out}");
        // Nothing is exported from such a case.
        let bundle = copy.join("../copy-bundle.tar");
        let o = run(&[
            "-C",
            copy.to_str().unwrap(),
            "export",
            "--out",
            bundle.to_str().unwrap(),
            "--key",
            f.key_str(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        assert!(!bundle.exists(), "{what}");
    }
}

/// The python verifiers' own tests of their member-file reader (every corruption, the
/// rules of 6.4 over the file's members, bounded memory).
#[test]
fn the_python_member_file_checks_pass_their_tests() {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/test_member_file.py");
    let o = sh(Path::new("."), "python3", &[script.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

/// `ioc scan` of a tar whose members are in a member file: the members found are compared
/// with the file as they are read (never all held), and what it finds in that tar is what it
/// finds in the same files sealed as a folder (members read in line): a name, a SHA-256 and an
/// MD5 (a digest the seal does not record, computed for the scan only). A tar changed since
/// its seal is refused, naming the member, and nothing is written.
#[test]
fn ioc_scan_reads_a_tar_or_zip_with_a_member_file_as_the_folder_it_holds() {
    use md5::Digest;
    let f = Fixture::new();
    let name = "Library-Caches-com.example.app-004242.db";
    let md5: String = md5::Md5::digest(b"4243")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sha256 = common::sha256sum_bytes(b"4244");
    let stix = f.root.join("test.stix2");
    let patterns = [
        format!("[file:name='{name}']"),
        format!("[file:hashes.md5='{md5}']"),
        format!("[file:hashes.sha256='{sha256}']"),
    ];
    let mut objects = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        objects.push(serde_json::json!({
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--00000000-0000-0000-0000-{i:012}"), "pattern": p,
            "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"
        }));
    }
    let b = serde_json::json!({"type": "bundle",
        "id": "bundle--00000000-0000-0000-0000-0000000000aa", "objects": objects});
    fs::write(&stix, serde_json::to_vec(&b).unwrap()).unwrap();
    let scan = |exhibit: &str| {
        f.run(&[
            "ioc",
            "scan",
            "--json",
            "--key",
            f.key_str(),
            "--stix",
            stix.to_str().unwrap(),
            exhibit,
        ])
    };
    // (value, on, member path below the extraction folder) of every finding.
    let findings = |o: &std::process::Output| -> Vec<(String, String, String)> {
        let v: serde_json::Value = serde_json::from_str(ok(o).trim()).unwrap();
        let mut got: Vec<_> = v["scan"]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let member = m["member"].as_str().unwrap();
                (
                    m["value"].as_str().unwrap().to_string(),
                    m["on"].as_str().unwrap().to_string(),
                    member
                        .strip_prefix("extraction/")
                        .unwrap_or(member)
                        .to_string(),
                )
            })
            .collect();
        got.sort();
        got
    };
    // The zip of the same folder, sealed as E-0003 (its list in a member file too).
    let o = sh(
        &f.root,
        "zip",
        &["-q", "-r", "-X", "extraction.zip", "extraction"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let zip = f.root.join("extraction.zip");
    ok(&f.run(&["seal", zip.to_str().unwrap(), "--key", f.key_str()]));
    let folder = findings(&scan("E-0001"));
    let tar = findings(&scan("E-0002"));
    let zipped = findings(&scan("E-0003"));
    let dir = "private/var/mobile/Containers/Data/Application";
    let expected = vec![
        (
            md5.clone(),
            "hash".into(),
            format!("{dir}/03/Library-Caches-com.example.app-004243.db"),
        ),
        (name.into(), "name".into(), format!("{dir}/02/{name}")),
        (
            sha256.clone(),
            "hash".into(),
            format!("{dir}/04/Library-Caches-com.example.app-004244.db"),
        ),
    ];
    assert_eq!(folder, expected);
    assert_eq!(tar, expected);
    assert_eq!(zipped, expected);
    // The seals' member files are the only ones: the scans' were private and are gone.
    assert_eq!(f.member_files().len(), 3);
    let o = ok(&f.run(&["verify", "--rehash"]));
    assert!(o.contains("OK"), "{o}");

    // One byte of one member changed, the tar re-made at the same size: refused, named.
    let changed = f
        .folder
        .join(format!("{dir}/07/Library-Caches-com.example.app-000007.db"));
    fs::write(&changed, "X").unwrap();
    let o = sh(&f.root, "tar", &["-cf", "extraction.tar", "extraction"]);
    assert!(o.status.success(), "{}", text(&o));
    let before = fs::read(f.case.join("ledger.jsonl")).unwrap();
    let o = scan("E-0002");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("app-000007.db"), "{}", text(&o));
    assert!(
        text(&o).contains("scan refused, nothing recorded"),
        "{}",
        text(&o)
    );
    assert_eq!(fs::read(f.case.join("ledger.jsonl")).unwrap(), before);
}
