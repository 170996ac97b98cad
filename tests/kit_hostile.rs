//! The independent verifiers that every bundle ships as its kit (`tests/independent/
//! verify_case.py`, `verify_bundle.py`, python3 standard library + openssl) against hostile
//! cases and bags (docs/SECURITY.md 13.7, "The kit's output and hostile case files"):
//!
//! - nothing they print can rewrite the screen: control and bidirectional characters in
//!   member names, file names and messages are shown as visible escapes, and a planted line
//!   (`OK`) never stands alone;
//! - a FIFO or a special file at a case's or a bag's own file name is never opened for
//!   reading (the verifier does not hang);
//! - a case's files other than the ledger, and a bag's tag files and proofs, are read only
//!   within a bound checked before reading (a sparse file of many GiB costs no memory).
//!
//! Each run is cut after a time limit (a verifier that blocks fails the test) and runs under
//! an address-space limit (a verifier that reads a sparse file whole fails the test).

mod common;

use common::{key_pair, run_ok, scelle, PASS};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A verifier run that takes longer than this is blocked (on a FIFO).
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// The address space (KiB) a verifier run may use: far below the sparse files' sizes.
const MEMORY_LIMIT_KIB: u64 = 768 * 1024;

fn kit(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/independent")
        .join(script)
}

/// Runs `python3 SCRIPT ARGS` under the memory limit; fails the test if it is still running
/// after TIME_LIMIT (it is killed). Returns (exit code, stdout bytes, stderr).
fn run_kit(script: &str, args: &[&Path]) -> (i32, Vec<u8>, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec python3 \"$@\""
        ))
        .arg("sh")
        .arg(kit(script))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("python3 and sh are needed");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        stderr.read_to_end(&mut s).unwrap();
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "{script} {args:?} still running after {TIME_LIMIT:?}: blocked on a file it \
                 should never have opened for reading; output so far:\n{}",
                String::from_utf8_lossy(&out_reader.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = out_reader.join().unwrap();
    let err = err_reader.join().unwrap();
    (status.code().expect("exit code"), out, err)
}

/// The output holds no raw control character but newline (one per line), no DEL, no C1
/// control and no bidirectional formatting character; it is UTF-8.
fn assert_terminal_safe(out: &[u8]) -> String {
    let text = String::from_utf8(out.to_vec()).expect("the kit prints UTF-8");
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "raw {c:?} in the kit's output:\n{}",
            text.escape_debug()
        );
    }
    text
}

/// A case made with scelle: entry 0, then E-0001 (f.bin) and E-0002 (directory d); a scan of
/// E-0001 with the demo's STIX file (an IOC copy in CASE/ioc/). Returns (temp dir, case, key).
fn small_case(with_ioc: bool) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let case = dir.path().join("case");
    let ev = dir.path().join("ev");
    fs::create_dir_all(ev.join("d")).unwrap();
    fs::create_dir_all(&keys).unwrap();
    fs::write(ev.join("f.bin"), "hello\n").unwrap();
    fs::write(ev.join("d/a"), "a\n").unwrap();
    fs::write(ev.join("d/b"), "b\n").unwrap();
    key_pair(&keys, PASS, "expert", None);
    let key = keys.join("expert.key");
    run_ok(
        scelle()
            .arg("init")
            .arg(&case)
            .args(["--case-id", "X-1", "--title", "T", "--key"])
            .arg(&key),
    );
    for e in ["f.bin", "d"] {
        run_ok(
            scelle()
                .arg("-C")
                .arg(&case)
                .arg("seal")
                .arg(ev.join(e))
                .arg("--key")
                .arg(&key),
        );
    }
    if with_ioc {
        let stix = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/ioc/pegasus.stix2");
        run_ok(
            scelle()
                .arg("-C")
                .arg(&case)
                .args(["ioc", "scan", "--stix"])
                .arg(stix)
                .arg("--key")
                .arg(&key)
                .arg("E-0001"),
        );
    }
    (dir, case, key)
}

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    run_ok(Command::new("mkfifo").arg(path));
}

/// A sparse file of `size` bytes (no disk used): reading it whole would need `size` bytes.
fn sparse(path: &Path, size: u64) {
    let _ = fs::remove_file(path);
    fs::File::create(path).unwrap().set_len(size).unwrap();
}

fn ioc_copy(case: &Path) -> PathBuf {
    let mut copies: Vec<PathBuf> = fs::read_dir(case.join("ioc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    copies.pop().unwrap()
}

fn has_line(text: &str, prefix: &str) -> bool {
    text.lines().any(|l| l.starts_with(prefix))
}

#[test]
fn kit_escapes_hostile_member_names_and_checkpoint_file_names() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, case, key) = small_case(false);
    let bundle = dir.path().join("b.tar");
    run_ok(
        scelle()
            .arg("-C")
            .arg(&case)
            .arg("export")
            .arg("--out")
            .arg(&bundle)
            .arg("--key")
            .arg(&key),
    );
    // A member whose name clears the screen, paints "OK" on a line of its own and conceals
    // (SGR 8) all that follows; and one whose name reverses the text after it.
    run_ok(
        Command::new("python3")
            .arg("-c")
            .arg(
                r#"
import tarfile, io, sys
with tarfile.open(sys.argv[1], "a", format=tarfile.GNU_FORMAT) as t:
    for name in ("data/\x1b[2J\x1b[HOK\n\x1b[8m", "data/\u202egpj.exe\u2066\x7f\x9b1m\r"):
        ti = tarfile.TarInfo(name); ti.size = 1; ti.mtime = 0
        t.addfile(ti, io.BytesIO(b"x"))
"#,
            )
            .arg(&bundle),
    );
    let (code, out, err) = run_kit("verify_bundle.py", &[&bundle]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr: {err}\n{text}");
    assert_eq!(code, 1, "{text}");
    assert_eq!(text.lines().last(), Some("FAILED"), "{text}");
    assert!(
        !text.lines().any(|l| l.trim() == "OK"),
        "a planted OK line:\n{text}"
    );
    assert!(
        text.contains(r"data/\x1b[2J\x1b[HOK\n\x1b[8m"),
        "the member is named, escaped:\n{text}"
    );
    assert!(
        text.contains(r"\u{202e}gpj.exe\u{2066}\x7f\x9b1m\r"),
        "{text}"
    );

    // Stray files in checkpoints/: escape sequences, a bidi override, and a name that is not
    // UTF-8 (python sees a lone surrogate).
    let cps = case.join("checkpoints");
    fs::write(cps.join("\x1b[1A\x1b[2K\rOK\x1b[8m"), "").unwrap();
    fs::write(cps.join("x\u{202e}txt.exe\n\x1b]0;title\x07"), "").unwrap();
    fs::write(
        cps.join(std::ffi::OsStr::from_bytes(b"\xff\x1b[31mred.txt")),
        "",
    )
    .unwrap();
    let (code, out, err) = run_kit("verify_case.py", &[&case]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr: {err}\n{text}");
    assert_eq!(code, 0, "strays are warnings:\n{text}");
    assert_eq!(text.lines().filter(|l| *l == "OK").count(), 1, "{text}");
    assert_eq!(text.lines().last(), Some("OK"), "{text}");
    assert!(
        text.contains(r"WARNING [checkpoint-stray] checkpoints/\x1b[1A\x1b[2K\rOK\x1b[8m:"),
        "{text}"
    );
    assert!(
        text.contains(r"checkpoints/x\u{202e}txt.exe\n\x1b]0;title\x07:"),
        "{text}"
    );
    assert!(text.contains(r"\x1b[31mred.txt"), "{text}");
}

#[test]
fn kit_never_opens_a_fifo_in_a_case() {
    let (_dir, case, _) = small_case(true);
    // case.json: the `case-file` warning, as scelle.
    let case_json = case.join("case.json");
    let saved = fs::read(&case_json).unwrap();
    mkfifo(&case_json);
    // A FIFO at a checkpoint's name: a stray, never read.
    mkfifo(&case.join("checkpoints/000000000009.txt"));
    // A FIFO at the IOC copy: `ioc-file`, never read.
    let ioc = ioc_copy(&case);
    let ioc_saved = fs::read(&ioc).unwrap();
    mkfifo(&ioc);
    let (code, out, err) = run_kit("verify_case.py", &[&case]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr: {err}\n{text}");
    assert!(has_line(&text, "WARNING [case-file] case.json: "), "{text}");
    assert!(
        has_line(
            &text,
            "WARNING [checkpoint-stray] checkpoints/000000000009.txt: "
        ),
        "{text}"
    );
    let ioc_name = ioc.file_name().unwrap().to_str().unwrap();
    assert!(
        has_line(&text, &format!("ERROR [ioc-file] ioc/{ioc_name}: ")),
        "{text}"
    );
    assert_eq!(code, 1, "{text}");
    fs::remove_file(&case_json).unwrap();
    fs::write(&case_json, saved).unwrap();
    fs::remove_file(&ioc).unwrap();
    fs::write(&ioc, ioc_saved).unwrap();

    // The ledger itself: the verification cannot be carried out, and says so.
    let ledger = case.join("ledger.jsonl");
    mkfifo(&ledger);
    let (code, out, err) = run_kit("verify_case.py", &[&case]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr: {err}\n{text}");
    assert!(has_line(&text, "ERROR [cannot-verify] "), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
    assert_eq!(text.lines().last(), Some("FAILED"), "{text}");
    assert_eq!(code, 1, "{text}");
}

#[test]
fn kit_reads_case_files_within_their_bounds() {
    let (_dir, case, _) = small_case(true);
    // Sparse files far larger than the memory the verifier may use.
    sparse(&case.join("checkpoints/000000000007.txt"), 4 << 30);
    let case_json = case.join("case.json");
    sparse(&case_json, 4 << 30);
    let ioc = ioc_copy(&case);
    sparse(&ioc, 2 << 30);
    let (code, out, err) = run_kit("verify_case.py", &[&case]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr (out of memory?): {err}\n{text}");
    assert!(
        has_line(
            &text,
            "ERROR [checkpoint-format] checkpoints/000000000007.txt: larger than the limit of \
             1048576 bytes"
        ),
        "{text}"
    );
    assert!(
        has_line(
            &text,
            "WARNING [case-file] case.json: larger than the limit of 1048576 bytes"
        ),
        "{text}"
    );
    let ioc_name = ioc.file_name().unwrap().to_str().unwrap();
    assert!(
        has_line(&text, &format!("ERROR [ioc-file] ioc/{ioc_name}: ")),
        "{text}"
    );
    assert!(text.contains("more than the limit of 268435456"), "{text}");
    assert_eq!(code, 1, "{text}");

    // One byte over each bound is refused; the bound itself is not (a checkpoint of exactly
    // 1 MiB is read, and is not a checkpoint: `checkpoint-format` all the same, but parsed).
    sparse(&case.join("checkpoints/000000000007.txt"), 1 << 20);
    let (_, out, _) = run_kit("verify_case.py", &[&case]);
    let text = assert_terminal_safe(&out);
    assert!(
        has_line(
            &text,
            "ERROR [checkpoint-format] checkpoints/000000000007.txt: "
        ) && !text.contains("000000000007.txt: larger than"),
        "{text}"
    );
}

#[test]
fn kit_reads_a_hostile_bag_directory_within_bounds_and_never_opens_a_fifo() {
    let (dir, case, key) = small_case(false);
    let bundle = dir.path().join("b.tar");
    run_ok(
        scelle()
            .arg("-C")
            .arg(&case)
            .arg("export")
            .arg("--out")
            .arg(&bundle)
            .arg("--key")
            .arg(&key),
    );
    let bag = dir.path().join("bag");
    fs::create_dir(&bag).unwrap();
    run_ok(
        Command::new("tar")
            .arg("-xf")
            .arg(&bundle)
            .arg("-C")
            .arg(&bag),
    );
    let root = bag.clone(); // the bag is at the tar's root
    assert!(root.join("bagit.txt").exists(), "no bag in {bundle:?}");
    mkfifo(&root.join("bagit.txt"));
    sparse(&root.join("bag-info.txt"), 2 << 30);
    sparse(&root.join("manifest-sha256.txt"), 2 << 30);
    sparse(&root.join("bag-signer.pub"), 2 << 30);
    let (code, out, err) = run_kit("verify_bundle.py", &[&root]);
    let text = assert_terminal_safe(&out);
    assert!(err.is_empty(), "stderr (out of memory?): {err}\n{text}");
    assert!(has_line(&text, "ERROR [bag-format] bagit.txt: "), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
    assert!(
        has_line(&text, "ERROR [bag-format] bag-info.txt: ")
            && has_line(&text, "ERROR [bag-format] manifest-sha256.txt: ")
            && has_line(&text, "ERROR [bag-signature] bag-signer.pub: "),
        "{text}"
    );
    assert!(text.contains("more than the limit of"), "{text}");
    assert_eq!(code, 1, "{text}");
    assert_eq!(text.lines().last(), Some("FAILED"), "{text}");
}
