//! Issue 15, items 5 and 7 (file system side): what is sealed is what was there, and a sealed
//! path that now leads to a FIFO, a device or a link is refused promptly, never read forever.
//!
//! Races are made deterministic by the debug-build hook `SCELLE_DEBUG_HOOK` (a shell command
//! run with the hook point and the file's path: `before-open`, `before-read`), which release
//! builds do not have.

mod common;

use common::{key_pair, scelle_with, succeeded, text};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "hostile fs test passphrase";

/// Runs `c`, killing it and failing the test if it has not finished within `limit`.
fn run_within(mut c: Command, limit: Duration) -> Output {
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("still running after {limit:?}, killed:\n{}", text(&o));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let c = Case {
            root: tmp.path().to_path_buf(),
            _tmp: tmp,
        };
        for n in ["expert", "counsel"] {
            key_pair(&c.root, PASS, n, None);
        }
        c.ok(&[
            "init",
            "case",
            "--case-id",
            "H-1",
            "--title",
            "Hostile fs",
            "--key",
            "expert.key",
        ]);
        std::fs::write(c.root.join("secret.key"), b"-----BEGIN PRIVATE KEY-----\n").unwrap();
        c
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = scelle_with(PASS);
        c.current_dir(&self.root).args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        run_within(self.cmd(args), Duration::from_secs(120))
    }

    fn ok(&self, args: &[&str]) -> String {
        text(&succeeded(args, self.run(args)))
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn ledger(&self) -> Vec<u8> {
        std::fs::read(self.p("case/ledger.jsonl")).unwrap()
    }

    /// `seal` with the debug hook `hook`: must be refused with exit 2, naming `victim` and
    /// saying it changed, the case untouched.
    fn seal_refused_with_hook(&self, path: &str, hook: &str, victim: &str) {
        let before = self.ledger();
        let mut c = self.cmd(&["-C", "case", "seal", path, "--key", "expert.key"]);
        c.env("SCELLE_DEBUG_HOOK", hook);
        let o = run_within(c, Duration::from_secs(120));
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains(victim) && t.contains("changed"), "{t}");
        assert_eq!(self.ledger(), before, "nothing written");
    }

    fn tar(&self, rel: &str) {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(5);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "m/a.txt", &b"hello"[..]).unwrap();
        std::fs::write(self.p(rel), b.into_inner().unwrap()).unwrap();
    }

    fn mkfifo(&self, rel: &str) {
        let st = Command::new("mkfifo").arg(self.p(rel)).status().unwrap();
        assert!(st.success());
    }

    /// Replaces `rel` (a file) with a symbolic link to `target`.
    fn link(&self, rel: &str, target: &str) {
        std::fs::remove_file(self.p(rel)).unwrap();
        std::os::unix::fs::symlink(target, self.p(rel)).unwrap();
    }
}

#[test]
fn a_member_swapped_for_a_link_while_sealing_is_refused() {
    let c = Case::new();
    std::fs::create_dir_all(c.p("dump/sub")).unwrap();
    std::fs::write(c.p("dump/a.txt"), b"a").unwrap();
    std::fs::write(c.p("dump/sub/victim"), b"harmless").unwrap();
    // After the walk listed `victim` as a regular file, and before it is opened, it becomes a
    // link to the private key.
    let hook = r#"[ "$1" = before-open ] && case "$2" in */victim) rm -f "$2" && ln -s ../../secret.key "$2";; esac; true"#;
    c.seal_refused_with_hook("dump", hook, "victim");
    // And a directory on the way replaced by a link to a folder holding a same-named file.
    std::fs::remove_file(c.p("dump/sub/victim")).unwrap();
    std::fs::write(c.p("dump/sub/victim"), b"harmless").unwrap();
    std::fs::create_dir(c.p("elsewhere")).unwrap();
    std::fs::copy(c.p("secret.key"), c.p("elsewhere/victim")).unwrap();
    let hook = r#"[ "$1" = before-open ] && case "$2" in */sub/victim) d=$(dirname "$2"); mv "$d" "$d.orig" && ln -s ../elsewhere "$d";; esac; true"#;
    c.seal_refused_with_hook("dump", hook, "victim");
}

#[test]
fn a_file_written_while_it_is_hashed_is_refused() {
    let c = Case::new();
    std::fs::write(c.p("phone.bin"), b"phone image, version one").unwrap();
    // Grows after it was opened and measured.
    let hook = r#"[ "$1" = before-read ] && printf ' and more' >> "$2"; true"#;
    c.seal_refused_with_hook("phone.bin", hook, "phone.bin");
    // A folder member overwritten in place, same size (only the times tell).
    std::fs::create_dir(c.p("dump")).unwrap();
    std::fs::write(c.p("dump/log.txt"), b"original content").unwrap();
    let hook = r#"[ "$1" = before-read ] && case "$2" in */log.txt) printf 'X' | dd of="$2" bs=1 count=1 conv=notrunc 2>/dev/null;; esac; true"#;
    c.seal_refused_with_hook("dump", hook, "log.txt");
    // A tar grown while it is hashed.
    c.tar("img.tar");
    let hook = r#"[ "$1" = before-read ] && head -c 1024 /dev/zero >> "$2"; true"#;
    c.seal_refused_with_hook("img.tar", hook, "img.tar");
    // A tar cut short while it is hashed (its members' reads and the archive's are shared).
    let hook = r#"[ "$1" = before-read ] && truncate -s 1000 "$2"; true"#;
    c.seal_refused_with_hook("img.tar", hook, "img.tar");
    c.tar("img.tar");
    // Without interference all three seal.
    c.ok(&[
        "-C",
        "case",
        "seal",
        "phone.bin",
        "dump",
        "img.tar",
        "--key",
        "expert.key",
    ]);
}

/// A large file is read through a memory mapping (src/store/mapped.rs): cut short after it
/// was opened, its lost pages fault when read. The seal must be refused with a message and exit
/// 2 like any changed file, not killed by SIGBUS (which it would be without the guard).
#[test]
fn a_large_file_cut_short_while_mapped_is_refused_not_a_crash() {
    let c = Case::new();
    let content: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "dump/big.bin", &content[..]).unwrap();
    let tar = b.into_inner().unwrap();
    for cut in ["1048576", "1000", "0"] {
        std::fs::write(c.p("big.tar"), &tar).unwrap();
        let hook = format!(r#"[ "$1" = before-read ] && truncate -s {cut} "$2"; true"#);
        c.seal_refused_with_hook("big.tar", &hook, "big.tar");
        // A plain file is mapped when more than one digest reads it.
        std::fs::write(c.p("big.bin"), &content).unwrap();
        let before = c.ledger();
        let mut cmd = c.cmd(&[
            "-C",
            "case",
            "seal",
            "big.bin",
            "--sha512",
            "--key",
            "expert.key",
        ]);
        cmd.env("SCELLE_DEBUG_HOOK", &hook);
        let o = run_within(cmd, Duration::from_secs(120));
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "cut at {cut}: {t}");
        assert!(t.contains("big.bin") && t.contains("changed"), "{t}");
        assert_eq!(c.ledger(), before, "nothing written");
    }
    // Left alone, both seal.
    std::fs::write(c.p("big.tar"), &tar).unwrap();
    c.ok(&[
        "-C",
        "case",
        "seal",
        "big.tar",
        "big.bin",
        "--sha512",
        "--key",
        "expert.key",
    ]);
}

#[test]
fn export_never_ships_what_a_member_link_points_to() {
    let c = Case::new();
    std::fs::create_dir_all(c.p("dump/sub")).unwrap();
    std::fs::write(c.p("dump/a.txt"), b"a").unwrap();
    // The member's sealed bytes are the key's bytes (as a seal racing a swap once recorded):
    // a link to the key would pass a hash check; it must be refused as a link.
    std::fs::copy(c.p("secret.key"), c.p("dump/sub/victim")).unwrap();
    c.ok(&["-C", "case", "seal", "dump", "--key", "expert.key"]);
    c.link("dump/sub/victim", "../../secret.key");
    let o = c.run(&[
        "-C",
        "case",
        "export",
        "--out",
        "out.tar",
        "--with-artifacts",
        "--key",
        "expert.key",
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("victim"), "{t}");
    assert!(!c.p("out.tar").exists(), "no bundle written");
    // A directory on the way made a link: refused too.
    std::fs::remove_file(c.p("dump/sub/victim")).unwrap();
    std::fs::rename(c.p("dump/sub"), c.p("sub.orig")).unwrap();
    std::fs::create_dir(c.p("elsewhere")).unwrap();
    std::fs::copy(c.p("secret.key"), c.p("elsewhere/victim")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", c.p("dump/sub")).unwrap();
    let o = c.run(&[
        "-C",
        "case",
        "export",
        "--out",
        "out.tar",
        "--with-artifacts",
        "--key",
        "expert.key",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!c.p("out.tar").exists(), "no bundle written");
}

/// A tar exhibit and a file exhibit, sealed; then their paths replaced by `replace`.
fn sealed_then_replaced(c: &Case, replace: impl Fn(&Case, &str)) {
    c.tar("img.tar");
    std::fs::write(c.p("phone.bin"), b"phone image").unwrap();
    c.ok(&[
        "-C",
        "case",
        "seal",
        "img.tar",
        "phone.bin",
        "--key",
        "expert.key",
    ]);
    replace(c, "img.tar");
    replace(c, "phone.bin");
}

/// How a sealed path is replaced, and its name.
type Replacement = (&'static str, Box<dyn Fn(&Case, &str)>);

fn replacements() -> Vec<Replacement> {
    vec![
        (
            "link to /dev/zero",
            Box::new(|c: &Case, rel: &str| c.link(rel, "/dev/zero")),
        ),
        (
            "FIFO",
            Box::new(|c: &Case, rel: &str| {
                std::fs::remove_file(c.p(rel)).unwrap();
                c.mkfifo(rel);
            }),
        ),
    ]
}

#[test]
fn rehash_of_a_path_now_a_device_or_fifo_ends_promptly_with_an_error() {
    for (what, replace) in replacements() {
        let c = Case::new();
        sealed_then_replaced(&c, replace);
        let o = run_within(
            c.cmd(&["-C", "case", "verify", "--rehash", "--json"]),
            Duration::from_secs(60),
        );
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {t}");
        for ex in ["E-0001", "E-0002"] {
            assert!(
                t.lines()
                    .any(|l| l.contains(ex) && l.contains("\"rehash-kind\"")),
                "{what}: {ex}: {t}"
            );
        }
    }
}

#[test]
fn ioc_scan_and_accept_of_a_path_now_a_device_or_fifo_are_refused_promptly() {
    for (what, replace) in replacements() {
        let c = Case::new();
        sealed_then_replaced(&c, replace);
        std::fs::write(
            c.p("iocs.stix2"),
            r#"{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1","pattern":"[domain-name:value = 'example.org']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}"#,
        )
        .unwrap();
        let before = c.ledger();
        for ex in ["E-0001", "E-0002"] {
            let o = run_within(
                c.cmd(&[
                    "-C",
                    "case",
                    "ioc",
                    "scan",
                    "--stix",
                    "iocs.stix2",
                    "--key",
                    "expert.key",
                    ex,
                ]),
                Duration::from_secs(60),
            );
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{what}: {ex}: {t}");
            assert!(t.contains("rehash-kind"), "{what}: {ex}: {t}");
            assert_eq!(c.ledger(), before, "{what}: nothing recorded");
        }
        // A hand-over whose receiver names a FIFO / device as its copy.
        c.ok(&[
            "-C",
            "case",
            "key",
            "enrol",
            "counsel.pub",
            "--name",
            "counsel",
            "--role",
            "counsel",
            "--key",
            "expert.key",
        ]);
        c.ok(&[
            "-C",
            "case",
            "release",
            "E-0001",
            "--to",
            "counsel",
            "--purpose",
            "review",
            "--key",
            "expert.key",
        ]);
        let o = run_within(
            c.cmd(&[
                "-C",
                "case",
                "accept",
                "E-0001",
                "--key",
                "counsel.key",
                "--path",
                "E-0001=img.tar",
            ]),
            Duration::from_secs(60),
        );
        let t = text(&o);
        assert!(
            t.contains("rehash-kind") || t.contains("is now a"),
            "{what}: {t}"
        );
    }
}

/// The independent verifier, run on `case`.
fn verify_case_py(case: &std::path::Path) -> Output {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py");
    let mut c = Command::new("python3");
    c.arg(script).arg(case);
    run_within(c, Duration::from_secs(120))
}

#[test]
fn a_ledger_line_over_the_maximum_is_reported_unread_by_both_verifiers() {
    let c = Case::new();
    std::fs::write(c.p("phone.bin"), b"phone image").unwrap();
    c.ok(&["-C", "case", "seal", "phone.bin", "--key", "expert.key"]);
    let max = 64usize << 20;
    // One line of 102 MB (valid JSON, never signed), then a torn tail over the maximum too.
    let mut line = Vec::with_capacity(102_000_000);
    line.extend_from_slice(b"{\"pad\":\"");
    line.resize(102_000_000 - 2, b'x');
    line.extend_from_slice(b"\"}");
    let mut ledger = c.ledger();
    ledger.extend_from_slice(&line);
    ledger.push(b'\n');
    std::fs::write(c.p("case/ledger.jsonl"), &ledger).unwrap();
    let o = c.run(&["-C", "case", "verify", "--json"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains("\"line-too-long\"")
                && l.contains(&format!("is {} bytes", line.len()))),
        "{t}"
    );
    let o = verify_case_py(&c.p("case"));
    let t = text(&o);
    assert_ne!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("line-too-long"), "{t}");
    // Exactly the maximum is a line (it fails as an entry, not for its length); one more byte
    // is too long, with or without its newline.
    for (len, newline, too_long) in [
        (max, true, false),
        (max + 1, true, true),
        (max + 1, false, true),
    ] {
        let mut ledger = ledger[..ledger.len() - line.len() - 1].to_vec();
        ledger.resize(ledger.len() + len, b' ');
        if newline {
            ledger.push(b'\n');
        }
        std::fs::write(c.p("case/ledger.jsonl"), &ledger).unwrap();
        let o = c.run(&["-C", "case", "verify", "--json"]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{t}");
        assert_eq!(
            t.contains("\"line-too-long\""),
            too_long,
            "{len} {newline}: {t}"
        );
        let o = verify_case_py(&c.p("case"));
        let t = text(&o);
        assert_eq!(
            t.contains("line-too-long"),
            too_long,
            "{len} {newline}: {t}"
        );
    }
}

#[test]
fn one_indicator_matching_400000_times_records_100_and_counts_the_rest() {
    let c = Case::new();
    let mut evidence = String::with_capacity(400_000 * 28);
    for i in 0..400_000 {
        evidence.push_str(&format!("GET s{i}.pegasus-test.com\n"));
    }
    std::fs::write(c.p("dns.log"), evidence).unwrap();
    c.ok(&["-C", "case", "seal", "dns.log", "--key", "expert.key"]);
    std::fs::write(
        c.p("iocs.stix2"),
        r#"{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1","pattern":"[domain-name:value = 'pegasus-test.com']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}"#,
    )
    .unwrap();
    c.ok(&[
        "-C",
        "case",
        "ioc",
        "scan",
        "--stix",
        "iocs.stix2",
        "--key",
        "expert.key",
    ]);
    let ledger = c.ledger();
    let last = ledger[..ledger.len() - 1]
        .rsplit(|&b| b == b'\n')
        .next()
        .unwrap();
    assert!(last.len() < 200_000, "scan line of {} bytes", last.len());
    let e: serde_json::Value = serde_json::from_slice(last).unwrap();
    let ex = &e["body"]["exhibits"][0];
    assert_eq!(ex["matches"], 100, "{ex}");
    assert_eq!(ex["omitted"][0]["indicator"], "indicator--1", "{ex}");
    assert_eq!(ex["omitted"][0]["matches"], 400_000 - 100, "{ex}");
    assert_eq!(e["body"]["matches"].as_array().unwrap().len(), 100);
    c.ok(&["-C", "case", "verify"]);
    let o = verify_case_py(&c.p("case"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
