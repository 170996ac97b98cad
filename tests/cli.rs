//! CLI scenario tests: tampering is detected with exit 1 and the right entry named; bad input
//! gets a clear message, exit 2, and changes nothing on disk.

mod common;

use common::{bin, key_pair, run, scelle, snapshot, stderr, stdout, PASS};
use std::path::PathBuf;
use std::process::{Command, Output};

/// A case with four entries: case.open, a file, a directory, a tar.
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let keys = root.join("keys");
        key_pair(&keys, PASS, "expert", Some("expert"));
        let case = root.join("case");
        let o = run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "3:21-cv-09078-JD",
            "--title",
            "Apple Inc. v. NSO Group Technologies",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let art = root.join("art");
        std::fs::create_dir_all(art.join("logs/sub")).unwrap();
        std::fs::write(art.join("report.txt"), b"acquisition report\n").unwrap();
        std::fs::write(art.join("logs/system.log"), b"kernel: boot\n").unwrap();
        std::fs::write(art.join("logs/sub/app.log"), b"app started\n").unwrap();
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in [
            ("private/var/mobile/a.plist", &b"<plist/>"[..]),
            ("private/var/db/b.db", b"SQLite format 3\0"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data).unwrap();
        }
        std::fs::write(art.join("ffs.tar"), b.into_inner().unwrap()).unwrap();
        let f = Fixture {
            _tmp: tmp,
            root: root.clone(),
            case,
            key: keys.join("expert.key"),
        };
        let o = f.scelle(&[
            "seal",
            "art/report.txt",
            "art/logs",
            "art/ffs.tar",
            "--key",
            f.key.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        f
    }

    fn scelle(&self, args: &[&str]) -> Output {
        let mut c = scelle();
        c.current_dir(&self.root)
            .arg("-C")
            .arg(&self.case)
            .args(args);
        c.output().unwrap()
    }

    fn ledger(&self) -> PathBuf {
        self.case.join("ledger.jsonl")
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.ledger())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn write_lines(&self, lines: &[String]) {
        let mut s = lines.join("\n");
        s.push('\n');
        std::fs::write(self.ledger(), s).unwrap();
    }

    /// Runs `verify --json`, returning the exit code and the error findings.
    fn verify(&self, rehash: bool) -> (i32, Vec<serde_json::Value>) {
        let mut args = vec!["verify", "--json"];
        if rehash {
            args.push("--rehash");
        }
        let o = self.scelle(&args);
        let mut errors = Vec::new();
        let mut summary = None;
        for line in stdout(&o).lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).expect("verify --json prints JSON Lines");
            match v["type"].as_str() {
                Some("finding") if v["severity"] == "error" => errors.push(v),
                Some("summary") => summary = Some(v),
                _ => {}
            }
        }
        let summary = summary.expect("a summary line");
        assert_eq!(summary["errors"].as_u64().unwrap() as usize, errors.len());
        (o.status.code().unwrap(), errors)
    }
}

fn has(errors: &[serde_json::Value], code: &str, entry: Option<u64>) -> bool {
    errors
        .iter()
        .any(|e| e["code"] == code && (entry.is_none() || e["entry"].as_u64() == entry))
}

#[test]
fn a_fresh_case_verifies_with_rehash() {
    let f = Fixture::new();
    let (code, errors) = f.verify(true);
    assert_eq!((code, errors.len()), (0, 0), "{errors:?}");
    let o = f.scelle(&["verify", "--rehash"]);
    assert!(
        stdout(&o).contains("OK: 4 entries, 3 exhibits (3 re-hashed, 0 FAILED)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_single_byte_change_in_the_ledger_is_detected() {
    let f = Fixture::new();
    let original = std::fs::read(f.ledger()).unwrap();
    let case = scelle::store::case::CaseDir::open(&f.case).unwrap();
    let mut missed = Vec::new();
    for i in 0..original.len() {
        let mut bytes = original.clone();
        bytes[i] ^= if bytes[i] == b'\n' { 0x20 } else { 0x01 };
        std::fs::write(f.ledger(), &bytes).unwrap();
        let report = scelle::case::verify::verify(&case, Default::default(), &|_| {}).unwrap();
        if report.ok() {
            missed.push(i);
        }
    }
    std::fs::write(f.ledger(), &original).unwrap();
    assert!(
        missed.is_empty(),
        "undetected single-byte changes at offsets {missed:?}"
    );
    assert_eq!(f.verify(false).0, 0);
}

#[test]
fn a_changed_byte_is_reported_at_its_entry() {
    let f = Fixture::new();
    let mut lines = f.lines();
    lines[2] = lines[2].replacen("\"size\":", "\"size\":1", 1);
    f.write_lines(&lines);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "signature", Some(2)), "{errors:?}");
    assert!(has(&errors, "chain", Some(3)), "{errors:?}");
    let o = f.scelle(&["verify"]);
    assert!(
        stdout(&o).contains("entry 2: signature does not verify with key"),
        "{}",
        stdout(&o)
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn deleted_duplicated_and_reordered_entries_are_detected() {
    let f = Fixture::new();
    let lines = f.lines();

    let mut deleted = lines.clone();
    deleted.remove(2);
    f.write_lines(&deleted);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(
        has(&errors, "sequence", Some(2)) && has(&errors, "chain", Some(2)),
        "{errors:?}"
    );

    let mut duplicated = lines.clone();
    duplicated.insert(2, lines[1].clone());
    f.write_lines(&duplicated);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "sequence", Some(2)), "{errors:?}");

    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    f.write_lines(&swapped);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(
        has(&errors, "sequence", Some(1)) && has(&errors, "chain", Some(1)),
        "{errors:?}"
    );

    f.write_lines(&lines);
    assert_eq!(f.verify(false).0, 0);
}

#[test]
fn a_truncated_tail_is_detected_against_the_checkpoints() {
    let f = Fixture::new();
    let lines = f.lines();
    f.write_lines(&lines[..3]);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    let t = errors
        .iter()
        .find(|e| e["code"] == "truncated")
        .expect("truncated finding");
    assert!(t["message"]
        .as_str()
        .unwrap()
        .contains("for 4 entries but the ledger has only 3"));
}

#[test]
fn an_entry_re_signed_with_another_key_is_detected() {
    let f = Fixture::new();
    let o = run(&[
        "key",
        "new",
        "--name",
        "mallory",
        "--out",
        f.root.join("keys").to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let pass = secrecy::SecretString::from(PASS.to_string());
    let mallory =
        scelle::store::keyfile::load_signing_key(&f.root.join("keys/mallory.key"), &pass).unwrap();
    let lines = f.lines();

    // Re-signed under mallory's own key id: not enrolled.
    let mut e = scelle::format::entry::Entry::parse_line(lines[2].as_bytes()).unwrap();
    e.key = mallory.id();
    e.sign(&mallory.signing);
    let mut forged = lines.clone();
    forged[2] = String::from_utf8(e.line().unwrap()).unwrap();
    f.write_lines(&forged);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "unknown-key", Some(2)), "{errors:?}");

    // Re-signed by mallory but claiming the expert's key id.
    let mut e = scelle::format::entry::Entry::parse_line(lines[2].as_bytes()).unwrap();
    e.sign(&mallory.signing);
    forged[2] = String::from_utf8(e.line().unwrap()).unwrap();
    f.write_lines(&forged);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "signature", Some(2)), "{errors:?}");
}

#[test]
fn an_edited_checkpoint_is_detected() {
    let f = Fixture::new();
    let cp = f.case.join("checkpoints/000000000004.txt");
    let text = std::fs::read_to_string(&cp).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    // Another valid-looking root.
    let mut root = lines[2].to_string();
    root.replace_range(0..1, if root.starts_with('A') { "B" } else { "A" });
    std::fs::write(&cp, text.replacen(lines[2], &root, 1)).unwrap();
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    // Its signature no longer verifies, so it states nothing: its root is not compared
    // (FORMAT.md 8.2), and no one is accused of rewriting the ledger.
    assert!(
        has(&errors, "checkpoint-unsigned", None)
            && has(&errors, "checkpoint-signature", None)
            && !has(&errors, "checkpoint-root", None),
        "{errors:?}"
    );
    // A checkpoint whose signature was removed.
    std::fs::write(&cp, format!("{}\n{}\n{}\n\n", lines[0], lines[1], lines[2])).unwrap();
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "checkpoint-format", None), "{errors:?}");
}

#[test]
fn a_changed_artifact_is_detected_with_rehash() {
    let f = Fixture::new();
    assert_eq!(f.verify(true).0, 0);
    let report = f.root.join("art/report.txt");
    let mut bytes = std::fs::read(&report).unwrap();
    bytes[3] ^= 1;
    std::fs::write(&report, &bytes).unwrap();
    std::fs::write(f.root.join("art/logs/sub/app.log"), b"app started!\n").unwrap();
    std::fs::write(f.root.join("art/logs/new.log"), b"planted\n").unwrap();
    // Without --rehash the ledger itself is intact.
    assert_eq!(f.verify(false).0, 0);
    let (code, errors) = f.verify(true);
    assert_eq!(code, 1);
    let e1 = errors
        .iter()
        .find(|e| e["exhibit"] == "E-0001" && e["code"] == "rehash-sha256")
        .expect("E-0001 differs");
    assert!(
        e1["message"]
            .as_str()
            .unwrap()
            .starts_with("SHA-256 differs: recorded "),
        "{e1}"
    );
    assert!(
        errors.iter().any(|e| e["exhibit"] == "E-0002"
            && e["code"] == "rehash-size"
            && e["message"].as_str().unwrap().contains("sub/app.log")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e["exhibit"] == "E-0002"
            && e["code"] == "rehash-extra"
            && e["message"].as_str().unwrap().contains("new.log")),
        "{errors:?}"
    );
    let o = f.scelle(&["verify", "--rehash"]);
    assert!(
        stdout(&o).contains("exhibit E-0001: SHA-256 differs: recorded "),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_changed_tar_member_is_named() {
    let f = Fixture::new();
    let tar_path = f.root.join("art/ffs.tar");
    let mut bytes = std::fs::read(&tar_path).unwrap();
    let pos = bytes.windows(8).position(|w| w == b"<plist/>").unwrap();
    bytes[pos + 1] = b'P';
    std::fs::write(&tar_path, &bytes).unwrap();
    let (code, errors) = f.verify(true);
    assert_eq!(code, 1);
    assert!(has(&errors, "rehash-sha256", None));
    assert!(
        errors.iter().any(|e| e["exhibit"] == "E-0003"
            && e["message"]
                .as_str()
                .unwrap()
                .starts_with("private/var/mobile/a.plist: SHA-256 differs")),
        "{errors:?}"
    );
}

// ---- bad input: clear message, exit 2, nothing changed ----

fn assert_refused(f: &Fixture, args: &[&str], needle: &str) {
    let before = snapshot(&f.case);
    let o = f.scelle(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(
        stderr(&o).contains(needle),
        "{args:?}: expected {needle:?} in {}",
        stderr(&o)
    );
    assert_eq!(
        snapshot(&f.case),
        before,
        "{args:?} changed the case directory"
    );
}

#[test]
fn a_missing_path_is_refused() {
    let f = Fixture::new();
    let key = f.key.to_str().unwrap().to_string();
    assert_refused(
        &f,
        &["seal", "art/report.txt", "art/nope.bin", "--key", &key],
        "art/nope.bin: No such file",
    );
}

#[test]
fn a_wrong_passphrase_is_refused() {
    let f = Fixture::new();
    let before = snapshot(&f.case);
    let o = scelle()
        .current_dir(&f.root)
        .env("SCELLE_PASSPHRASE", "wrong")
        .args([
            "-C",
            f.case.to_str().unwrap(),
            "seal",
            "art/report.txt",
            "--key",
            f.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expert.key: wrong passphrase"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&f.case), before);
}

#[test]
fn a_passphrase_file_is_read_and_no_passphrase_is_an_error() {
    let f = Fixture::new();
    let pf = f.root.join("pass.txt");
    std::fs::write(&pf, format!("{PASS}\n")).unwrap();
    let o = bin()
        .current_dir(&f.root)
        .env_remove("SCELLE_PASSPHRASE")
        .args([
            "-C",
            f.case.to_str().unwrap(),
            "--passphrase-file",
            pf.to_str().unwrap(),
            "seal",
            "art/report.txt",
            "--key",
            f.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&f.case);
    let o = bin()
        .current_dir(&f.root)
        .env_remove("SCELLE_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .args([
            "-C",
            f.case.to_str().unwrap(),
            "seal",
            "art/report.txt",
            "--key",
            f.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a passphrase is needed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&f.case), before);
}

#[test]
fn a_file_that_is_not_a_key_is_refused() {
    let f = Fixture::new();
    assert_refused(
        &f,
        &["seal", "art/report.txt", "--key", "art/report.txt"],
        "report.txt: no '-----BEGIN ENCRYPTED PRIVATE KEY-----' block",
    );
    let public = f.root.join("keys/expert.pub");
    assert_refused(
        &f,
        &["seal", "art/report.txt", "--key", public.to_str().unwrap()],
        "expert.pub",
    );
    let o = run(&[
        "key",
        "show",
        f.root.join("art/report.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_missing_case_directory_is_refused() {
    let f = Fixture::new();
    let o = scelle()
        .current_dir(&f.root)
        .args([
            "-C",
            "no-such-case",
            "seal",
            "art/report.txt",
            "--key",
            f.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-such-case: no such case directory"),
        "{}",
        stderr(&o)
    );
    assert!(!f.root.join("no-such-case").exists());
    // SCELLE_CASE is honoured.
    let o = scelle()
        .current_dir(&f.root)
        .env("SCELLE_CASE", &f.case)
        .args(["verify"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_corrupt_ledger_line_refuses_appends() {
    let f = Fixture::new();
    let mut lines = f.lines();
    lines[1] = lines[1].replacen('{', "{ ", 1);
    f.write_lines(&lines);
    let key = f.key.to_str().unwrap().to_string();
    assert_refused(
        &f,
        &["seal", "art/report.txt", "--key", &key],
        "entry 1: not in RFC 8785 canonical form",
    );
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(has(&errors, "format", Some(1)));
}

#[test]
fn an_unreadable_file_is_refused() {
    let f = Fixture::new();
    let secret = f.root.join("art/secret.bin");
    std::fs::write(&secret, b"x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: run as nobody then, with the tree opened to it.
    let as_root = unsafe_geteuid() == 0;
    let before = snapshot(&f.case);
    let mut c = if as_root {
        for p in [&f.root, &f.root.join("art"), &f.root.join("keys")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(&f.key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_scelle"),
        ]);
        c
    } else {
        bin()
    };
    let o = c
        .current_dir(&f.root)
        .env("SCELLE_PASSPHRASE", PASS)
        .args([
            "-C",
            f.case.to_str().unwrap(),
            "seal",
            "art/secret.bin",
            "--key",
            f.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("secret.bin: Permission denied"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&f.case), before);
}

fn unsafe_geteuid() -> u32 {
    // /proc/self/status "Uid:" line: real, effective, saved, fs.
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn prove_and_consistency_round_trip() {
    let f = Fixture::new();
    let old = f.root.join("held-by-counsel.txt");
    std::fs::copy(f.case.join("checkpoints/000000000004.txt"), &old).unwrap();
    let o = f.scelle(&["seal", "art/report.txt", "--key", f.key.to_str().unwrap()]);
    assert!(o.status.success());
    let o = f.scelle(&["prove", "E-0002", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (p["leaf_index"].as_u64(), p["tree_size"].as_u64()),
        (Some(2), Some(5))
    );
    let o = f.scelle(&["consistency", old.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(c["consistent"], true);
    assert_eq!(c["old_signed_by"], serde_json::json!(["expert"]));
    // Rewrite history (drop E-0001, re-sign the rest as the expert would have to): the old
    // checkpoint no longer fits.
    let pass = secrecy::SecretString::from(PASS.to_string());
    let key = scelle::store::keyfile::load_signing_key(&f.key, &pass).unwrap();
    let lines = f.lines();
    let mut rewritten = vec![lines[0].clone()];
    let mut prev = scelle::format::entry::line_hash(lines[0].as_bytes());
    for (i, l) in lines[2..].iter().enumerate() {
        let mut e = scelle::format::entry::Entry::parse_line(l.as_bytes()).unwrap();
        e.seq = i as u64 + 1;
        e.prev = prev.clone();
        let mut body: scelle::format::body::Seal = serde_json::from_value(e.body.clone()).unwrap();
        body.exhibit = scelle::format::body::exhibit_id(i as u64 + 1);
        e.body = serde_json::to_value(body).unwrap();
        e.sign(&key.signing);
        let line = String::from_utf8(e.line().unwrap()).unwrap();
        prev = scelle::format::entry::line_hash(line.as_bytes());
        rewritten.push(line);
    }
    f.write_lines(&rewritten);
    for e in std::fs::read_dir(f.case.join("checkpoints")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::remove_file(f.case.join("ledger.index")).unwrap();
    let o = f.scelle(&["seal", "art/report.txt", "--key", f.key.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The forger's own ledger verifies on its own...
    assert_eq!(f.verify(false).0, 0);
    // ...but not against the checkpoint counsel held.
    let o = f.scelle(&["consistency", old.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("INCONSISTENT"));
}

/// Re-signs entry `i` (same key, chain re-linked after it) after `edit` changed its body, as
/// the expert's own later self could.
fn resign_body(f: &Fixture, i: usize, edit: impl Fn(&mut serde_json::Value)) {
    let pass = secrecy::SecretString::from(PASS.to_string());
    let key = scelle::store::keyfile::load_signing_key(&f.key, &pass).unwrap();
    let mut lines = f.lines();
    let mut prev = scelle::format::entry::line_hash(lines[i - 1].as_bytes());
    for (j, line) in lines.iter_mut().enumerate().skip(i) {
        let mut e = scelle::format::entry::Entry::parse_line(line.as_bytes()).unwrap();
        if j == i {
            edit(&mut e.body);
        }
        e.prev = prev.clone();
        e.sign(&key.signing);
        *line = String::from_utf8(e.line().unwrap()).unwrap();
        prev = scelle::format::entry::line_hash(line.as_bytes());
    }
    f.write_lines(&lines);
}

#[test]
fn signed_but_inconsistent_bodies_fail_verification() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, usize, Edit); 7] = [
        ("upper-case hex", 1, |b| {
            let h = b["artifact"]["hashes"]["sha256"]
                .as_str()
                .unwrap()
                .to_uppercase();
            b["artifact"]["hashes"]["sha256"] = h.into();
        }),
        ("dangling parent", 1, |b| {
            b["acquisition"] = serde_json::json!({"parent": "E-0042"})
        }),
        ("manifest of other members", 2, |b| {
            b["artifact"]["members"][2]["path"] = "system.txt".into()
        }),
        ("wrong file count", 2, |b| {
            b["artifact"]["file_count"] = 7.into()
        }),
        ("directory size not the sum", 2, |b| {
            b["artifact"]["size"] = 1.into()
        }),
        ("unknown compression", 3, |b| {
            b["artifact"]["compression"] = "bzip2".into()
        }),
        ("empty optional list", 1, |b| {
            b["acquisition"] = serde_json::json!({"present": []})
        }),
    ];
    for (what, entry, edit) in cases {
        let f = Fixture::new();
        resign_body(&f, entry, edit);
        let (code, errors) = f.verify(false);
        assert_eq!(code, 1, "{what}: not detected");
        assert!(
            errors
                .iter()
                .any(|e| e["entry"] == entry as u64
                    && (e["code"] == "body" || e["code"] == "custody")),
            "{what}: {errors:?}"
        );
        // Reported once: no cascade onto the entries after it.
        assert!(
            errors
                .iter()
                .all(|e| e["entry"] == entry as u64 || e["file"].is_string()),
            "{what}: cascade {errors:?}"
        );
    }
}

#[test]
fn a_bad_seal_or_a_bad_entry_zero_is_reported_once() {
    let f = Fixture::new();
    let mut lines = f.lines();
    // Entry 1's exhibit renumbered without re-signing: its signature and the chain break.
    lines[1] = lines[1].replacen("\"exhibit\":\"E-0001\"", "\"exhibit\":\"E-0009\"", 1);
    f.write_lines(&lines);
    let (_, errors) = f.verify(false);
    assert!(
        errors.iter().all(|e| e["entry"] != 3u64),
        "the seals after it are still in order: {errors:?}"
    );
    // A broken signature on entry 0 does not make every later signer unknown.
    let f = Fixture::new();
    let mut lines = f.lines();
    lines[0] = lines[0].replacen("\"title\":\"Apple", "\"title\":\"Apricot", 1);
    f.write_lines(&lines);
    let (code, errors) = f.verify(false);
    assert_eq!(code, 1);
    assert!(
        errors
            .iter()
            .any(|e| e["entry"] == 0u64 && e["code"] == "signature"),
        "{errors:?}"
    );
    assert!(
        !errors.iter().any(|e| e["code"] == "unknown-key"),
        "{errors:?}"
    );
}
