//! What an expert sees, pinned line by line (issue 21, "an expert adopts it on day one"):
//! `verify --rehash` prints OK or FAILED per exhibit and per differing file as `sha256sum -c`
//! does, reads moved evidence with `--path EXHIBIT=PATH` and an imported case's carried
//! copies; exhibits are found by id in any case, by number or by seal number, with a "did you
//! mean" on a miss; `exhibits` lists them; sealing the same content or the same seal number
//! twice warns, naming the earlier exhibit.

mod common;

use common::{init_case, ok, stderr, stdout, PASS};
use std::fs;
use std::path::{Path, PathBuf};

struct Scenario {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Scenario {
    /// A case with a file (E-0001, seal PV-117), a folder (E-0002) and a tar (E-0003).
    fn new() -> Scenario {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        let (case, key) = init_case(&root, "X-1", "Scenarios", &[]);
        let ev = root.join("ev");
        fs::create_dir_all(ev.join("folder/sub")).unwrap();
        fs::write(ev.join("folder/a.txt"), "a\n").unwrap();
        fs::write(ev.join("folder/sub/b.txt"), "b\n").unwrap();
        fs::write(ev.join("one.bin"), "one\n").unwrap();
        let mut tar = tar::Builder::new(Vec::new());
        for (name, data) in [("folder/a.txt", "a\n"), ("folder/sub/b.txt", "b\n")] {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, name, data.as_bytes()).unwrap();
        }
        fs::write(ev.join("ffs.tar"), tar.into_inner().unwrap()).unwrap();
        let s = Scenario {
            _tmp: tmp,
            root,
            case,
            key,
        };
        ok(&s.run(&[
            "seal",
            "ev/one.bin",
            "--seal-no",
            "PV-117",
            "--key",
            s.key(),
        ]));
        ok(&s.run(&["seal", "ev/folder", "--key", s.key()]));
        ok(&s.run(&["seal", "ev/ffs.tar", "--key", s.key()]));
        s
    }

    fn key(&self) -> &str {
        self.key.to_str().unwrap()
    }

    /// `scelle -C CASE ARGS...` in the scenario's folder.
    fn run(&self, args: &[&str]) -> std::process::Output {
        self.run_on(&self.case, args)
    }

    fn run_on(&self, case: &Path, args: &[&str]) -> std::process::Output {
        let mut all = vec!["-C", case.to_str().unwrap()];
        all.extend_from_slice(args);
        common::run_in(&self.root, PASS, &all)
    }

    /// Output with the scenario's folder written ROOT, and the verify summary's variable
    /// tail (root hash, speed) cut.
    fn text(&self, s: &str) -> String {
        s.replace(self.root.to_str().unwrap(), "ROOT")
            .lines()
            .map(|l| match l.find(", root ") {
                Some(i) if l.starts_with("OK: ") || l.starts_with("FAILED: ") => &l[..i],
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The lines of `verify --rehash` that are not findings (the per-exhibit report and the
    /// summary).
    fn rehash_report(&self, case: &Path, extra: &[&str]) -> (Option<i32>, String) {
        let mut args = vec!["verify", "--rehash"];
        args.extend_from_slice(extra);
        let o = self.run_on(case, &args);
        let lines: Vec<String> = self
            .text(&stdout(&o))
            .lines()
            .filter(|l| !l.starts_with("exhibit "))
            .map(String::from)
            .collect();
        (o.status.code(), lines.join("\n"))
    }
}

#[test]
fn rehash_says_ok_or_failed_per_exhibit_and_per_differing_file() {
    let s = Scenario::new();
    assert_eq!(
        s.rehash_report(&s.case, &[]),
        (
            Some(0),
            "E-0001 ROOT/ev/one.bin: OK\n\
             E-0002 ROOT/ev/folder: OK\n\
             E-0003 ROOT/ev/ffs.tar: OK\n\
             OK: 4 entries, 3 exhibits (3 re-hashed, 0 FAILED), 4 checkpoints (largest size 4)"
                .into()
        )
    );
    let ev = s.root.join("ev");
    fs::write(ev.join("one.bin"), "two\n").unwrap();
    fs::write(ev.join("folder/sub/b.txt"), "B\n").unwrap();
    fs::write(ev.join("folder/new.txt"), "x\n").unwrap();
    fs::remove_file(ev.join("folder/a.txt")).unwrap();
    fs::remove_file(ev.join("ffs.tar")).unwrap();
    assert_eq!(
        s.rehash_report(&s.case, &[]),
        (
            Some(1),
            "E-0001 ROOT/ev/one.bin: FAILED (SHA-256 differs)\n\
             E-0002 ROOT/ev/folder: FAILED (SHA-256 differs)\n\
             E-0002 ROOT/ev/folder/a.txt: FAILED (missing)\n\
             E-0002 ROOT/ev/folder/sub/b.txt: FAILED (SHA-256 differs)\n\
             E-0002 ROOT/ev/folder/new.txt: FAILED (not in the seal)\n\
             E-0003 ROOT/ev/ffs.tar: FAILED (cannot be read); if it was moved, give --path E-0003=PATH\n\
             FAILED: 4 entries, 3 exhibits (3 re-hashed, 3 FAILED), 4 checkpoints (largest size 4)"
                .into()
        )
    );
    // The JSON Lines: one `rehash` record per exhibit, the member named on its findings.
    let o = s.run(&["verify", "--rehash", "--json"]);
    let records: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rehash: Vec<(String, bool, String)> = records
        .iter()
        .filter(|r| r["type"] == "rehash")
        .map(|r| {
            (
                r["exhibit"].as_str().unwrap().to_string(),
                r["ok"].as_bool().unwrap(),
                r["read_from"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rehash,
        [
            ("E-0001".into(), false, "sealed".into()),
            ("E-0002".into(), false, "sealed".into()),
            ("E-0003".into(), false, "sealed".into())
        ]
    );
    let members: Vec<&str> = records
        .iter()
        .filter_map(|r| r["member"].as_str())
        .collect();
    assert_eq!(members, ["a.txt", "sub/b.txt", "new.txt"]);
}

#[test]
fn moved_evidence_is_read_with_path_and_an_imported_case_reads_its_carried_copies() {
    let s = Scenario::new();
    fs::rename(s.root.join("ev/ffs.tar"), s.root.join("moved.tar")).unwrap();
    let (code, report) = s.rehash_report(&s.case, &["--path", "3=moved.tar"]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("E-0003 moved.tar: OK"), "{report}");
    let o = s.run(&["verify", "--rehash", "--path", "E-0009=moved.tar"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "scelle: error: --path E-0009=...: no exhibit E-0009 in this case (neither an exhibit \
         id nor a seal number). Did you mean E-0001? `scelle exhibits` lists them\n"
    );
    fs::rename(s.root.join("moved.tar"), s.root.join("ev/ffs.tar")).unwrap();

    // Exported with two exhibits' artifacts, imported, the originals gone: the carried
    // copies are re-hashed, the others say where to look.
    ok(&s.run(&[
        "export",
        "--out",
        "b.tar",
        "--with-artifacts",
        "--exhibits",
        "E-0001,E-0002",
        "--key",
        s.key(),
    ]));
    ok(&common::run_in(
        &s.root,
        PASS,
        &["import", "b.tar", "--into", "imported"],
    ));
    fs::rename(s.root.join("ev"), s.root.join("ev.gone")).unwrap();
    let imported = s.root.join("imported/data/case");
    let (code, report) = s.rehash_report(&imported, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        report,
        "E-0001 ROOT/imported/data/artifacts/E-0001/one.bin (the copy the bundle carries): OK\n\
         E-0002 ROOT/imported/data/artifacts/E-0002/folder (the copy the bundle carries): OK\n\
         E-0003 ROOT/ev/ffs.tar: FAILED (cannot be read); if it was moved, give --path E-0003=PATH\n\
         FAILED: 4 entries, 3 exhibits (3 re-hashed, 1 FAILED), 4 checkpoints (largest size 4)"
    );
    // A carried copy changed is named like any other.
    fs::write(
        s.root
            .join("imported/data/artifacts/E-0002/folder/sub/b.txt"),
        "B\n",
    )
    .unwrap();
    let (_, report) = s.rehash_report(&imported, &["--path", "e-0003=ev.gone/ffs.tar"]);
    assert_eq!(
        report,
        "E-0001 ROOT/imported/data/artifacts/E-0001/one.bin (the copy the bundle carries): OK\n\
         E-0002 ROOT/imported/data/artifacts/E-0002/folder (the copy the bundle carries): FAILED (SHA-256 differs)\n\
         E-0002 ROOT/imported/data/artifacts/E-0002/folder/sub/b.txt: FAILED (SHA-256 differs)\n\
         E-0003 ev.gone/ffs.tar: OK\n\
         FAILED: 4 entries, 3 exhibits (3 re-hashed, 1 FAILED), 4 checkpoints (largest size 4)"
    );
}

#[test]
fn exhibits_are_listed_and_found_by_id_number_or_seal_number() {
    let s = Scenario::new();
    let o = s.run(&["exhibits"]);
    let listed = s.text(&ok(&o));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 4, "{listed}");
    assert!(
        lines[0].starts_with("E-0001  seal PV-117  sealed     expert ("),
        "{listed}"
    );
    assert!(
        lines[0].ends_with(
            "file 4 bytes  sha256 2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806  ROOT/ev/one.bin"
        ),
        "{listed}"
    );
    assert!(
        lines[1].starts_with("E-0002  seal -       sealed "),
        "{listed}"
    );
    assert!(
        lines[1].contains(" directory 4 bytes, 2 files  sha256 "),
        "{listed}"
    );
    assert!(
        lines[2].contains(" tar 3072 bytes, 2 files  sha256 "),
        "{listed}"
    );
    assert_eq!(lines[3], "3 exhibits");

    // `show` by id in any case, by number, by seal number: the same exhibit.
    let first = |o: std::process::Output| ok(&o).lines().next().unwrap().to_string();
    let by_id = first(s.run(&["show", "E-0001"]));
    assert!(by_id.starts_with("E-0001  seal PV-117  file "), "{by_id}");
    for token in ["e-0001", "1", "E-1", "PV-117", "pv-117"] {
        assert_eq!(first(s.run(&["show", token])), by_id, "{token}");
    }
    // A miss names the closest.
    let o = s.run(&["show", "PV-171"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "scelle: error: no exhibit PV-171 in this case (neither an exhibit id nor a seal \
         number). Did you mean E-0001 (seal PV-117)? `scelle exhibits` lists them\n"
    );
    // A note by seal number records the exhibit id.
    ok(&s.run(&["note", "pv-117", "--text", "seal intact", "--key", s.key()]));
    let log = ok(&s.run(&["log"]));
    assert!(
        log.lines()
            .last()
            .unwrap()
            .ends_with("note       expert       E-0001: seal intact"),
        "{log}"
    );
}

#[test]
fn sealing_the_same_content_or_seal_number_twice_warns_naming_the_earlier_exhibit() {
    let s = Scenario::new();
    fs::write(s.root.join("copy.bin"), "one\n").unwrap();
    let o = s.run(&["seal", "copy.bin", "--seal-no", "PV-117", "--key", s.key()]);
    let out = s.text(&ok(&o));
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "sealed E-0004 (entry 4): file copy.bin — 4 bytes",
            "  sha256 2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806",
            "  warning: E-0004 has the same SHA-256 as E-0001 (entry 1): the same content sealed twice",
            "  warning: E-0004 has the same seal number as E-0001 (entry 1): check the number on the seal",
            "checkpoint: ROOT/case/checkpoints/000000000005.txt",
        ]
    );
    // Sealed all the same: a warning, not a refusal; and in the JSON.
    let o = s.run(&["seal", "copy.bin", "--json", "--key", s.key()]);
    let v: serde_json::Value = serde_json::from_str(ok(&o).trim()).unwrap();
    assert_eq!(
        v["duplicates"],
        serde_json::json!([
            {"same": "sha256", "exhibit": "E-0001", "entry": 1},
            {"same": "sha256", "exhibit": "E-0004", "entry": 4}
        ])
    );
}

#[test]
fn show_reads_like_an_acquisition_log_with_source_hashes_and_seal_numbers() {
    let s = Scenario::new();
    fs::write(s.root.join("phone.bin"), "extraction\n").unwrap();
    let sha256 = common::sha256sum_bytes(b"extraction\n");
    // Sealed, and exit status 1: the acquisition tool's MD5 is not the copy's.
    let o = s.run(&[
        "seal",
        "phone.bin",
        "--seal-no",
        "PV-2",
        "--legacy-hashes",
        "--item-type",
        "phone",
        "--make",
        "Apple",
        "--model",
        "iPhone 14",
        "--imei",
        "356789104512346",
        "--imei",
        "490154203237518",
        "--iccid",
        "89330123456789012342",
        "--phone-number",
        "+33 6 12 34 56 78",
        "--os-version",
        "iOS 17.4.1",
        "--seized-seal-no",
        "OPJ scellé n° 1",
        "--method",
        "full-file-system",
        "--tool",
        "GrayKey",
        "--tool-version",
        "1.9",
        "--operator",
        "Jean-Marc Dupré",
        "--source-sha256",
        &sha256,
        "--source-md5",
        "00000000000000000000000000000000",
        "--key",
        s.key(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", common::out(&o));
    // A mistyped IMEI (its check digit) is refused before anything is read or written.
    let o = s.run(&[
        "seal",
        "phone.bin",
        "--imei",
        "356789104512345",
        "--key",
        s.key(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("scelle: error: --imei \"356789104512345\": an IMEI is 15 digits whose last is a check digit"),
        "{}",
        stderr(&o)
    );
    ok(&s.run(&[
        "open",
        "PV-2",
        "--operations",
        "examination",
        "--key",
        s.key(),
    ]));
    ok(&s.run(&[
        "reseal",
        "e-0004",
        "--new-seal-no",
        "PV-2 BIS",
        "--key",
        s.key(),
    ]));
    let shown = s.text(&ok(&s.run(&["show", "PV-2 BIS"])));
    let md5 = shown
        .lines()
        .find_map(|l| l.strip_prefix("  MD5 (legacy):    "))
        .unwrap_or_else(|| panic!("{shown}"))
        .to_string();
    let head: Vec<&str> = shown
        .lines()
        .skip(2)
        .take_while(|l| *l != "Custody")
        .collect();
    let entry_time = |seq: &str| {
        shown
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{seq}  ")))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_else(|| panic!("{shown}"))
            .to_string()
    };
    let sha1 = {
        let o = common::sh(&s.root, "sha1sum", &["phone.bin"]);
        stdout(&o).split_whitespace().next().unwrap().to_string()
    };
    let expected = format!(
        "Item\n\
         \x20 Type:            phone\n\
         \x20 Make:            Apple\n\
         \x20 Model:           iPhone 14\n\
         \x20 Seized as seal:  OPJ scellé n° 1\n\
         \x20 IMEI:            356789104512346, 490154203237518\n\
         \x20 ICCID:           89330123456789012342\n\
         \x20 Phone number:    +33 6 12 34 56 78\n\
         \x20 OS version:      iOS 17.4.1\n\
         Acquisition\n\
         \x20 Method:          full-file-system\n\
         \x20 Tool:            GrayKey 1.9\n\
         \x20 Operator:        Jean-Marc Dupré\n\
         Artifact\n\
         \x20 Kind:            file, 11 bytes\n\
         \x20 Path:            ROOT/phone.bin\n\
         \x20 SHA-256:         {sha256}\n\
         \x20 MD5 (legacy):    {md5}\n\
         \x20 SHA-1 (legacy):  {sha1}\n\
         \x20 Source SHA-256:  MATCH ({sha256})\n\
         \x20 Source MD5:      MISMATCH (the tool reported 00000000000000000000000000000000, the seal has {md5})\n\
         Seal numbers\n\
         \x20 PV-2             entry 4, {}\n\
         \x20 PV-2 BIS         entry 6, {}",
        entry_time("4"),
        entry_time("6"),
    );
    assert_eq!(head.join("\n"), expected);
}

/// Drives `scelle ARGS` on a pseudo-terminal (as a person at the keyboard), typing each of
/// `answers` at each `Passphrase: ` prompt; returns what the terminal showed and the exit code.
fn at_terminal(dir: &Path, args: &[&str], answers: &[&str]) -> (String, i32) {
    const DRIVER: &str = r#"
import os, pty, sys, select
answers = sys.argv[2].split("\n") if sys.argv[2] else []
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], [sys.argv[1]] + sys.argv[3:])
seen = b""
while True:
    r, _, _ = select.select([fd], [], [], 120)
    if not r:
        break
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if seen.endswith(b"Passphrase: ") and answers:
        os.write(fd, answers.pop(0).encode() + b"\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let o = std::process::Command::new("python3")
        .current_dir(dir)
        .env_remove("SCELLE_PASSPHRASE")
        .arg("-c")
        .arg(DRIVER)
        .arg(env!("CARGO_BIN_EXE_scelle"))
        .arg(answers.join("\n"))
        .args(args)
        .output()
        .unwrap();
    (
        stdout(&o).replace("\r\n", "\n"),
        o.status.code().unwrap_or(-1),
    )
}

#[test]
fn a_mistyped_passphrase_gets_a_second_try_and_a_weak_new_one_is_refused() {
    let s = Scenario::new();
    let case = s.case.to_str().unwrap();
    fs::write(s.root.join("note.txt"), "n\n").unwrap();
    let args = ["-C", case, "seal", "note.txt", "--key", s.key()];
    let (shown, code) = at_terminal(&s.root, &args, &["mistyped", PASS]);
    assert_eq!(code, 0, "{shown}");
    let key = s.key.display().to_string();
    assert!(
        shown.contains(&format!("scelle: wrong passphrase for {key}; try again\n")),
        "{shown}"
    );
    assert!(shown.contains("sealed E-0004 (entry 4)"), "{shown}");
    // Two wrong: refused, nothing written.
    let before = fs::read(s.case.join("ledger.jsonl")).unwrap();
    let (shown, code) = at_terminal(&s.root, &args, &["mistyped", "again"]);
    assert_eq!(code, 2, "{shown}");
    assert!(
        shown.contains(&format!(
            "scelle: error: {key}: wrong passphrase (or the encrypted key is damaged)"
        )),
        "{shown}"
    );
    assert_eq!(fs::read(s.case.join("ledger.jsonl")).unwrap(), before);

    // A new key's passphrase: at least 15 characters, not one character repeated.
    fs::create_dir_all(s.root.join("k2")).unwrap();
    for (weak, why) in [
        (
            "short one",
            "the passphrase has 9 characters; a key's passphrase needs at least 15",
        ),
        (
            "aaaaaaaaaaaaaaaaaaaa",
            "the passphrase repeats the same few characters",
        ),
    ] {
        let o = common::scelle_with(weak)
            .current_dir(&s.root)
            .args(["key", "new", "--name", "clerk", "--out", "k2"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{weak}");
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
        assert_eq!(fs::read_dir(s.root.join("k2")).unwrap().count(), 0);
    }
}

/// Starts `scelle ARGS` in `dir`, waits until `ready` holds (or the command ends), then sends
/// it SIGINT as Ctrl-C does; its exit code and stderr.
fn interrupted(dir: &Path, args: &[&str], ready: impl Fn() -> bool) -> (Option<i32>, String) {
    let mut child = common::scelle_with(PASS)
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !ready() && start.elapsed() < std::time::Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = common::sh(dir, "kill", &["-INT", &child.id().to_string()]);
    assert!(o.status.success(), "{}", common::out(&o));
    let out = child.wait_with_output().unwrap();
    (out.status.code(), stderr_of(&out))
}

fn stderr_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ctrl_c_says_nothing_was_left_half_written_and_removes_a_partial_bundle() {
    let s = Scenario::new();
    // An artifact large enough to take a while to hash and to bundle (sparse: no disk used).
    let big = s.root.join("disk.img");
    fs::File::create(&big).unwrap().set_len(3 << 30).unwrap();
    let ledger = || fs::read(s.case.join("ledger.jsonl")).unwrap();
    let before = ledger();
    let case = s.case.to_str().unwrap();
    let (code, err) = interrupted(
        &s.root,
        &["-C", case, "seal", "disk.img", "--key", s.key()],
        || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            true
        },
    );
    assert_eq!(code, Some(130), "{err}");
    assert!(
        err.ends_with(
            "scelle: interrupted: nothing was left half-written; `scelle log` shows every entry recorded\n"
        ),
        "{err}"
    );
    assert_eq!(ledger(), before, "nothing recorded");

    // Sealed, then exported with its artifact, interrupted while the bundle is written: the
    // partial file beside it is removed, and no bundle is left.
    let o = s.run(&["seal", "disk.img", "--key", s.key()]);
    assert!(o.status.success(), "{}", common::out(&o));
    let partial = || {
        fs::read_dir(&s.root)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("partial"))
    };
    let args = [
        "-C",
        case,
        "export",
        "--out",
        "b.tar",
        "--with-artifacts",
        "--key",
        s.key(),
    ];
    let (code, err) = interrupted(&s.root, &args, || {
        partial() && fs::metadata(s.root.join("..")).is_ok()
    });
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("(removed what was incomplete: "), "{err}");
    assert!(!partial(), "the partial bundle is gone");
    assert!(!s.root.join("b.tar").exists());
}
