//! Special and oversized files among a case's own files, and planted unsigned checkpoints
//! (issue 15 review; docs/SECURITY.md 13.7 and 13.2, docs/FORMAT.md §1).
//!
//! Someone with write access to the case but no key plants a FIFO, a huge sparse file or an
//! unsigned checkpoint; `verify` must report it (never hang, never read it whole) and the
//! honest expert's next routine command must not hang, exhaust memory or refuse with a false
//! accusation. Every command runs with a 60 s deadline (a hang fails the test instead of the
//! suite) and its peak resident memory is measured (`wait4`): a 300 MiB sparse file read whole
//! shows as more than 300 MB.

mod common;

use common::{key_pair, scelle_with, show as out, succeeded};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "case files passphrase";
/// Apparent size of the sparse files planted (no disk used): over every limit.
const SPARSE: u64 = 300 << 20;
/// Peak resident memory a command on the small case may use, in kB.
const MAX_RSS_KB: i64 = 150 << 10;

struct Fx {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
}

fn mkfifo(p: &Path) {
    let _ = std::fs::remove_file(p);
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {p:?}"
    );
}

fn sparse(p: &Path) {
    let _ = std::fs::remove_file(p);
    std::fs::File::create(p).unwrap().set_len(SPARSE).unwrap();
}

impl Fx {
    /// Key `expert`; a case with E-0001 and E-0002 sealed and one note (3 checkpoints).
    fn new() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let f = Fx {
            case: root.join("case"),
            root,
            _tmp: tmp,
        };
        key_pair(&f.root, PASS, "expert", None);
        f.ok(&[
            "init",
            "case",
            "--case-id",
            "F-1",
            "--title",
            "Case files",
            "--key",
            "expert.key",
        ]);
        std::fs::write(f.root.join("a.bin"), b"alpha").unwrap();
        std::fs::write(f.root.join("b.bin"), b"bravo").unwrap();
        f.ok(&["-C", "case", "seal", "a.bin", "--key", "expert.key"]);
        f.ok(&["-C", "case", "seal", "b.bin", "--key", "expert.key"]);
        f
    }

    /// Runs the binary with a deadline; a command still running after 60 s is killed and the
    /// test fails naming it, as does one whose peak resident memory exceeds [`MAX_RSS_KB`].
    // The child is reaped by `wait4` (for its resource usage), which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    fn run(&self, args: &[&str]) -> Output {
        use std::io::Read;
        use std::os::unix::process::ExitStatusExt;
        let mut child = scelle_with(PASS)
            .current_dir(&self.root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut so = child.stdout.take().unwrap();
        let mut se = child.stderr.take().unwrap();
        let t1 = std::thread::spawn(move || {
            let mut v = Vec::new();
            so.read_to_end(&mut v).unwrap();
            v
        });
        let t2 = std::thread::spawn(move || {
            let mut v = Vec::new();
            se.read_to_end(&mut v).unwrap();
            v
        });
        let pid = child.id() as libc::pid_t;
        let start = Instant::now();
        let (status, rss) = loop {
            let mut status = 0;
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
            if r == pid {
                break (status, ru.ru_maxrss);
            }
            if start.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                let _ = child.wait();
                let o = Output {
                    status: std::process::ExitStatus::from_raw(9),
                    stdout: t1.join().unwrap(),
                    stderr: t2.join().unwrap(),
                };
                panic!("{args:?} still running after 60 s (hung): {}", out(&o));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let o = Output {
            status: std::process::ExitStatus::from_raw(status),
            stdout: t1.join().unwrap(),
            stderr: t2.join().unwrap(),
        };
        assert!(
            rss <= MAX_RSS_KB,
            "{args:?} peaked at {rss} kB resident: {}",
            out(&o)
        );
        o
    }

    fn ok(&self, args: &[&str]) -> Output {
        succeeded(args, self.run(args))
    }

    /// A command on the case.
    fn scelle(&self, args: &[&str]) -> Output {
        let mut all = vec!["-C", "case"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    fn note(&self) -> Output {
        self.scelle(&["note", "--text", "routine note", "--key", "expert.key"])
    }

    /// `verify --json`: the exit code and every finding's (code, file).
    fn verify(&self, extra: &[&str]) -> (Option<i32>, Vec<(String, String)>, Output) {
        let mut args = vec!["verify", "--json"];
        args.extend_from_slice(extra);
        let o = self.scelle(&args);
        let mut found = Vec::new();
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let mut all = vec![v.clone()];
            if let Some(a) = v["findings"].as_array() {
                all.extend(a.iter().cloned());
            }
            for f in all {
                if let Some(code) = f["code"].as_str() {
                    found.push((
                        code.to_string(),
                        f["file"].as_str().unwrap_or("").to_string(),
                    ));
                }
            }
        }
        (o.status.code(), found, o)
    }

    fn has(found: &[(String, String)], code: &str, file_end: &str) -> bool {
        found
            .iter()
            .any(|(c, f)| c == code && f.ends_with(file_end))
    }
}

#[test]
fn fifo_at_case_json_is_a_case_file_warning_not_a_hang() {
    let f = Fx::new();
    mkfifo(&f.case.join("case.json"));
    let (code, found, o) = f.verify(&[]);
    assert_eq!(code, Some(0), "{}", out(&o));
    assert!(Fx::has(&found, "case-file", "case.json"), "{}", out(&o));
}

#[test]
fn fifo_at_ledger_index_is_ignored_and_replaced_by_writers() {
    let f = Fx::new();
    let index = f.case.join("ledger.index");
    mkfifo(&index);
    f.note();
    assert!(std::fs::symlink_metadata(&index).unwrap().is_file());
    // Display commands rebuild the state too.
    mkfifo(&index);
    let o = f.scelle(&["log"]);
    assert!(o.status.success(), "{}", out(&o));
    let (code, _, o) = f.verify(&[]);
    assert_eq!(code, Some(0), "{}", out(&o));
}

#[test]
fn fifo_at_a_checkpoint_name_is_a_stray_never_read() {
    let f = Fx::new();
    let cp = f.case.join("checkpoints/000000000009.txt");
    mkfifo(&cp);
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
    let o = f.scelle(&["prove", "E-0001"]);
    assert!(o.status.success(), "{}", out(&o));
    let (code, found, o) = f.verify(&[]);
    assert_eq!(code, Some(0), "{}", out(&o));
    assert!(
        Fx::has(&found, "checkpoint-stray", "000000000009.txt"),
        "{}",
        out(&o)
    );
    // A FIFO at the name of the next checkpoint: the writer replaces it, never reads it.
    mkfifo(&f.case.join("checkpoints/000000000005.txt"));
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
    f.verify(&[]);
}

#[test]
fn fifo_at_lock_or_ledger_is_an_input_error_naming_it() {
    let f = Fx::new();
    let ledger_before = std::fs::read(f.case.join("ledger.jsonl")).unwrap();
    mkfifo(&f.case.join(".lock"));
    let o = f.note();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(".lock"),
        "{}",
        out(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("FIFO"),
        "{}",
        out(&o)
    );
    assert_eq!(
        std::fs::read(f.case.join("ledger.jsonl")).unwrap(),
        ledger_before
    );
    std::fs::remove_file(f.case.join(".lock")).unwrap();
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
    mkfifo(&f.case.join("ledger.jsonl"));
    for args in [vec!["verify"], vec!["log"]] {
        let o = f.scelle(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", out(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("ledger.jsonl"),
            "{}",
            out(&o)
        );
    }
    let o = f.note();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}

#[test]
fn fifo_or_huge_user_files_are_refused_not_waited_on() {
    let f = Fx::new();
    // A FIFO or a huge file as --trusted-checkpoint: a checkpoint-format finding.
    mkfifo(&f.root.join("trusted.txt"));
    let (code, found, o) = f.verify(&["--trusted-checkpoint", "trusted.txt"]);
    assert_eq!(code, Some(1), "{}", out(&o));
    assert!(
        Fx::has(&found, "checkpoint-format", "trusted.txt"),
        "{}",
        out(&o)
    );
    sparse(&f.root.join("trusted.txt"));
    let (code, found, o) = f.verify(&["--trusted-checkpoint", "trusted.txt"]);
    assert_eq!(code, Some(1), "{}", out(&o));
    assert!(
        Fx::has(&found, "checkpoint-format", "trusted.txt"),
        "{}",
        out(&o)
    );
    // consistency OLD, and key files.
    for (file, args) in [
        ("old.txt", vec!["-C", "case", "consistency", "old.txt"]),
        (
            "fifo.key",
            vec!["-C", "case", "note", "--text", "x", "--key", "fifo.key"],
        ),
        ("fifo.pub", vec!["key", "show", "fifo.pub"]),
    ] {
        for plant in [mkfifo as fn(&Path), sparse] {
            plant(&f.root.join(file));
            let o = f.run(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", out(&o));
            assert!(
                String::from_utf8_lossy(&o.stderr).contains(file),
                "{}",
                out(&o)
            );
        }
    }
}

#[test]
fn sparse_checkpoint_is_a_format_error_not_read() {
    let f = Fx::new();
    sparse(&f.case.join("checkpoints/000000000007.txt"));
    let (code, found, o) = f.verify(&[]);
    assert_eq!(code, Some(1), "{}", out(&o));
    assert!(
        Fx::has(&found, "checkpoint-format", "000000000007.txt"),
        "{}",
        out(&o)
    );
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
}

#[test]
fn sparse_case_json_is_a_case_file_warning_not_read() {
    let f = Fx::new();
    sparse(&f.case.join("case.json"));
    let (code, found, o) = f.verify(&[]);
    assert_eq!(code, Some(0), "{}", out(&o));
    assert!(Fx::has(&found, "case-file", "case.json"), "{}", out(&o));
}

#[test]
fn sparse_ledger_index_is_ignored_and_rebuilt() {
    let f = Fx::new();
    let index = f.case.join("ledger.index");
    sparse(&index);
    let o = f.scelle(&["log"]);
    assert!(o.status.success(), "{}", out(&o));
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
    assert!(std::fs::metadata(&index).unwrap().len() < 1 << 20);
    let (code, _, o) = f.verify(&[]);
    assert_eq!(code, Some(0), "{}", out(&o));
}

#[test]
fn fifo_or_sparse_ioc_copy_is_an_ioc_file_error() {
    let f = Fx::new();
    let stix = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/ioc/pegasus.stix2");
    let o = f.scelle(&[
        "ioc",
        "scan",
        "--key",
        "expert.key",
        "--stix",
        stix.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let copy = std::fs::read_dir(f.case.join("ioc"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for plant in [mkfifo as fn(&Path), sparse] {
        plant(&copy);
        let (code, found, o) = f.verify(&[]);
        assert_eq!(code, Some(1), "{}", out(&o));
        assert!(Fx::has(&found, "ioc-file", ".stix2"), "{}", out(&o));
    }
}

/// The attack of review script 07: a keyless attacker plants checkpoints/000000000099.txt with
/// the case's public origin and a garbage signature line.
fn plant_unsigned(f: &Fx, size: u64) -> PathBuf {
    let first = std::fs::read_to_string(f.case.join("checkpoints/000000000002.txt")).unwrap();
    let origin = first.lines().next().unwrap();
    let b64 = |n: usize| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(vec![0u8; n])
    };
    let p = f.case.join(format!("checkpoints/{size:012}.txt"));
    std::fs::write(
        &p,
        format!(
            "{origin}\n{size}\n{}\n\n\u{2014} expert {}\n",
            b64(32),
            b64(68)
        ),
    )
    .unwrap();
    p
}

#[test]
fn unsigned_planted_checkpoint_blocks_no_writer_nor_proof() {
    let f = Fx::new();
    plant_unsigned(&f, 99);
    let (code, found, o) = f.verify(&[]);
    assert_eq!(code, Some(1), "{}", out(&o));
    assert!(
        Fx::has(&found, "checkpoint-unsigned", "000000000099.txt"),
        "{}",
        out(&o)
    );
    let o = f.note();
    assert!(o.status.success(), "note: {}", out(&o));
    let o = f.scelle(&["prove", "E-0001"]);
    assert!(o.status.success(), "prove: {}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("000000000004.txt"),
        "{}",
        out(&o)
    );
    let o = f.scelle(&["consistency", "case/checkpoints/000000000002.txt"]);
    assert!(o.status.success(), "consistency: {}", out(&o));
    let o = f.scelle(&["checkpoint"]);
    assert!(o.status.success(), "checkpoint: {}", out(&o));
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("\n99\n"),
        "{}",
        out(&o)
    );
    // An unsigned file at the name of the next checkpoint, with another root, is replaced by
    // the writer's signed checkpoint instead of making the append fail half-way.
    let next = plant_unsigned(&f, 5);
    let o = f.note();
    assert!(o.status.success(), "note: {}", out(&o));
    let text = std::fs::read_to_string(&next).unwrap();
    assert!(
        !text.contains("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        "{text}"
    );
}

#[test]
fn signed_checkpoint_beyond_the_ledger_still_blocks_appends() {
    let f = Fx::new();
    let o = f.note();
    assert!(o.status.success(), "{}", out(&o));
    // Remove the last entry: checkpoint 3 (signed) is now beyond the ledger's end.
    let ledger = f.case.join("ledger.jsonl");
    let bytes = std::fs::read(&ledger).unwrap();
    let cut = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    std::fs::write(&ledger, &bytes[..cut]).unwrap();
    let _ = std::fs::remove_file(f.case.join("ledger.index"));
    let o = f.note();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("entries were removed"),
        "{}",
        out(&o)
    );
    let o = f.scelle(&["prove", "E-0001"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}

/// `repair` takes the case's origin from entry 0, not from `case.json`, and an unsigned file
/// planted in `checkpoints/` does not stop it from removing a torn tail.
#[test]
fn repair_ignores_planted_unsigned_checkpoints_and_needs_no_case_json() {
    let f = Fx::new();
    plant_unsigned(&f, 99);
    std::fs::remove_file(f.case.join("case.json")).unwrap();
    let ledger = f.case.join("ledger.jsonl");
    let mut bytes = std::fs::read(&ledger).unwrap();
    let entries = bytes.iter().filter(|&&b| b == b'\n').count();
    bytes.extend_from_slice(b"{\"body\":{},\"torn");
    std::fs::write(&ledger, &bytes).unwrap();
    let o = f.scelle(&["repair"]);
    assert!(o.status.success(), "repair: {}", out(&o));
    let after = std::fs::read(&ledger).unwrap();
    assert_eq!(after.iter().filter(|&&b| b == b'\n').count(), entries);
    assert_eq!(after.last(), Some(&b'\n'));
}
