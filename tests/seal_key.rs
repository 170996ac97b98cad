//! `seal` decrypts its signing key while the artifacts are hashed (the key's PBKDF2 would
//! otherwise add its time to every seal). A wrong passphrase from the environment or a file
//! stops the hashing at once, with the error and exit code it always gave, and leaves the case
//! as it was; an interrupted seal leaves no temporary member file behind either.
//!
//! The debug build's hook (`SCELLE_DEBUG_HOOK`, run before each file of a folder is opened)
//! logs each file, and slows the walk down or interrupts it.

mod common;

use common::{init_case, scelle_with, text, PASS};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A folder of `n` files whose names are long enough for their members to go to a member file
/// (FORMAT.md 6.2) after the first thousand or so.
fn folder(root: &Path, n: usize) -> PathBuf {
    let dir = root.join("evidence");
    std::fs::create_dir_all(&dir).unwrap();
    let long = "x".repeat(240);
    for i in 0..n {
        std::fs::write(dir.join(format!("{i:05}-{long}")), i.to_string()).unwrap();
    }
    dir
}

/// Every file under `members/` of the case (the member files and anything temporary).
fn members(case: &Path) -> Vec<String> {
    match std::fs::read_dir(case.join("members")) {
        Ok(d) => d
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// `scelle -C CASE seal EVIDENCE --key KEY` with the passphrase `pass` and, if given, the debug
/// hook `hook`.
fn seal(case: &Path, evidence: &Path, key: &Path, pass: &str, hook: Option<&str>) -> Output {
    let mut c = scelle_with(pass);
    c.arg("-C")
        .arg(case)
        .arg("seal")
        .arg(evidence)
        .arg("--key")
        .arg(key);
    if let Some(hook) = hook {
        c.env("SCELLE_DEBUG_HOOK", hook);
    }
    c.output().unwrap()
}

fn lines(log: &Path) -> usize {
    std::fs::read_to_string(log).map_or(0, |s| s.lines().count())
}

#[test]
fn a_wrong_passphrase_stops_the_hashing_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (case, key) = init_case(dir.path(), "K-1", "Key", &[]);
    let n = 3000;
    let evidence = folder(dir.path(), n);
    let ledger = std::fs::read(case.join("ledger.jsonl")).unwrap();
    let before = members(&case);
    let log = dir.path().join("opened.log");
    // 20 ms a file: a minute for the walk, far longer than decrypting the key.
    let hook = format!("echo \"$2\" >> '{}'; sleep 0.02", log.display());
    let o = seal(
        &case,
        &evidence,
        &key,
        "not the passphrase at all",
        Some(&hook),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "scelle: error: {}: wrong passphrase (or the encrypted key is damaged); check \
             SCELLE_PASSPHRASE or --passphrase-file\n",
            key.display()
        ),
        "the message main gives a wrong passphrase"
    );
    assert!(o.stdout.is_empty(), "{}", text(&o));
    let opened = lines(&log);
    assert!(
        opened < n / 2,
        "the walk went on after the key failed: {opened} of {n} files opened"
    );
    assert_eq!(
        std::fs::read(case.join("ledger.jsonl")).unwrap(),
        ledger,
        "nothing recorded"
    );
    assert_eq!(members(&case), before, "no member file, whole or partial");

    // The right passphrase seals the same folder.
    let o = seal(&case, &evidence, &key, PASS, None);
    assert!(o.status.success(), "{}", text(&o));
    let after = members(&case);
    assert!(after.iter().all(|f| f.ends_with(".jsonl")), "{after:?}");
}

#[test]
fn an_interrupted_seal_leaves_no_temporary_member_file() {
    let dir = tempfile::tempdir().unwrap();
    let (case, key) = init_case(dir.path(), "K-2", "Interrupted", &[]);
    // Members of about 350 bytes: a member file from about the 3,000th on, which the
    // in-order sink may reach a few thousand files after they are opened.
    let n = 8000;
    let evidence = folder(dir.path(), n);
    let ledger = std::fs::read(case.join("ledger.jsonl")).unwrap();
    let log = dir.path().join("opened.log");
    // Ctrl-C (SIGINT to scelle, the hook's parent) as soon as a member file is being written.
    let hook = format!(
        "echo x >> '{log}'; ls -A '{members}' 2>/dev/null | grep -q tmp && kill -INT $PPID; true",
        log = log.display(),
        members = case.join("members").display()
    );
    let o = seal(&case, &evidence, &key, PASS, Some(&hook));
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("interrupted") && err.contains("removed what was incomplete"),
        "the temporary member file is named as removed: {err}"
    );
    assert!(lines(&log) < n, "interrupted before the end of the walk");
    assert_eq!(
        std::fs::read(case.join("ledger.jsonl")).unwrap(),
        ledger,
        "nothing recorded"
    );
    assert_eq!(
        members(&case),
        Vec::<String>::new(),
        "nothing left in members/"
    );
}
