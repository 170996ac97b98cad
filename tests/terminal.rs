//! What scelle prints cannot be turned against the reader (issue 15, items 6, 12, 13):
//! control and bidirectional characters from a case, a bundle or a file name are shown
//! escaped in every human-readable output (errors included) while JSON output stays exact; a
//! closed output pipe ends the command quietly with the documented code; `case.json` is only
//! an informative copy.

mod common;

use common::{key_pair, ok_utf8 as ok, run, scelle, PASS};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// Text planted by whoever can write the case: it clears the screen, returns the cursor,
/// paints a forged summary on a line of its own, uses a C1 CSI, reverses the text, and hides
/// an isolate.
const HOSTILE: &str = "x\u{1b}[2J\u{1b}[H\rOK: 0 errors\nOK: 9 entries, 0 errors, 0 warnings\u{9b}1A\u{202e}fdp.exe\u{2066}\u{7f}";

/// Fails if `out` holds a character that acts on a terminal, or a line that starts with the
/// forged summary.
fn assert_terminal_safe(what: &str, out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    for c in text.chars() {
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(bidi || c.is_control() && c != '\n'),
            "{what}: U+{:04X} reaches the terminal:\n{text}",
            c as u32
        );
    }
    for line in text.lines() {
        assert!(
            !line.starts_with("OK: 0 errors") && !line.starts_with("OK: 9 entries"),
            "{what}: a planted line stands on its own:\n{text}"
        );
    }
}

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
        key_pair(&keys, PASS, "expert", None);
        let case = root.join("case");
        ok(&run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "T-1",
            "--title",
            "Terminal safety",
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

    fn k(&self) -> &str {
        self.key.to_str().unwrap()
    }

    fn scelle(&self, args: &[&str]) -> Output {
        scelle()
            .arg("-C")
            .arg(&self.case)
            .args(args)
            .output()
            .unwrap()
    }
}

#[test]
fn hostile_text_in_a_case_is_shown_escaped_everywhere_and_exact_in_json() {
    let c = Case::new();
    let f = c.root.join("a.bin");
    std::fs::write(&f, b"evidence").unwrap();
    ok(&c.scelle(&[
        "seal",
        f.to_str().unwrap(),
        "--seal-no",
        HOSTILE,
        "--description",
        HOSTILE,
        "--key",
        c.k(),
    ]));
    ok(&c.scelle(&["note", "E-0001", "--text", HOSTILE, "--key", c.k()]));

    for args in [
        &["log"][..],
        &["show", "E-0001"],
        &["verify"],
        &["verify", "--rehash"],
    ] {
        let o = c.scelle(args);
        assert!(o.status.success(), "{args:?}");
        assert_terminal_safe(&format!("{args:?} stdout"), &o.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &o.stderr);
    }
    // The escaped note is still recognisable.
    let log = ok(&c.scelle(&["log"]));
    assert!(log.contains("\\x1b[2J"), "{log}");
    assert!(log.contains("\\u{202e}fdp.exe"), "{log}");

    // A finding that names a hostile file: a checkpoint whose text was edited to carry the
    // sequences, then an error naming it.
    let cp = std::fs::read_dir(c.case.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let text = std::fs::read_to_string(&cp).unwrap();
    std::fs::write(&cp, text.replacen('\n', &format!("{HOSTILE}\n"), 1)).unwrap();
    let o = c.scelle(&["verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert_terminal_safe("verify of an edited checkpoint", &o.stdout);
    assert_terminal_safe("verify of an edited checkpoint (stderr)", &o.stderr);
    let o = c.scelle(&["checkpoint"]);
    assert_terminal_safe("checkpoint", &o.stdout);
    assert_terminal_safe("checkpoint (stderr)", &o.stderr);

    // JSON output is exact: `log --json` prints the ledger's lines byte for byte.
    let ledger = std::fs::read(c.case.join("ledger.jsonl")).unwrap();
    let o = c.scelle(&["log", "--json"]);
    assert!(o.status.success());
    assert_eq!(o.stdout, ledger);
    // And `show --json` parses back to the planted text, exactly.
    let shown = ok(&c.scelle(&["show", "E-0001", "--json"]));
    let values: Vec<serde_json::Value> = shown
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        values.iter().any(|v| v
            .to_string()
            .contains(&serde_json::to_string(HOSTILE).unwrap()[1..20])),
        "{shown}"
    );
}

#[test]
fn errors_naming_hostile_paths_are_escaped() {
    let c = Case::new();
    let missing = c.root.join(format!("gone{HOSTILE}"));
    let o = c.scelle(&["seal", missing.to_str().unwrap(), "--key", c.k()]);
    assert_eq!(o.status.code(), Some(2));
    assert_terminal_safe("seal error", &o.stderr);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("gonex\\x1b[2J"), "{err}");
    // A case directory named with the sequences.
    let o = run(&["-C", missing.to_str().unwrap(), "log"]);
    assert_eq!(o.status.code(), Some(2));
    assert_terminal_safe("log error", &o.stderr);
}

#[test]
fn a_closed_output_pipe_ends_the_command_quietly_with_the_documented_code() {
    let c = Case::new();
    let f = c.root.join("a.bin");
    std::fs::write(&f, b"evidence").unwrap();
    ok(&c.scelle(&["seal", f.to_str().unwrap(), "--key", c.k()]));
    for args in [
        &["log"][..],
        &["log", "--json"],
        &["verify"],
        &["verify", "--json"],
    ] {
        // The reading end is closed before scelle writes anything: every write fails with
        // EPIPE (Rust ignores SIGPIPE, so the write returns the error).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = scelle()
            .arg("-C")
            .arg(&c.case)
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
    // Completions too (written by clap_complete).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = scelle()
        .args(["completions", "bash"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(141));
    assert!(o.stderr.is_empty());
}

fn verify_json(case: &Path) -> (i32, Vec<serde_json::Value>) {
    let o = scelle()
        .args(["-C", case.to_str().unwrap(), "verify", "--json"])
        .output()
        .unwrap();
    let lines = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (o.status.code().unwrap(), lines)
}

#[test]
fn case_json_is_an_informative_copy_missing_or_damaged_is_a_warning() {
    let c = Case::new();
    let f = c.root.join("a.bin");
    std::fs::write(&f, b"evidence").unwrap();
    ok(&c.scelle(&["seal", f.to_str().unwrap(), "--key", c.k()]));
    let json = c.case.join("case.json");
    for damage in [Some(&b"{not json"[..]), None] {
        match damage {
            Some(bytes) => std::fs::write(&json, bytes).unwrap(),
            None => std::fs::remove_file(&json).unwrap(),
        }
        let (code, lines) = verify_json(&c.case);
        assert_eq!(code, 0, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|v| v["code"] == "case-file" && v["severity"] == "warning"),
            "{lines:?}"
        );
        // Other commands still find the case.
        let log = ok(&c.scelle(&["log"]));
        assert!(log.contains("seal"), "{log}");
    }
    let _ = c.c();
}
