//! Replays the fuzz corpora on stable Rust: every file of `fuzz/corpus/<target>/` and of
//! `fuzz/regressions/<target>/` (inputs that once crashed a target, kept after the fix) goes
//! through the same target function the fuzzer ran (`fuzz/targets.rs`), which must not panic.
//! `fuzz/run.sh` runs the fuzzer itself (nightly features, through `RUSTC_BOOTSTRAP=1`).

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    out.sort();
    out
}

/// Replays `dir`'s files through `target`; returns how many ran.
fn replay(target: &str, dir: &Path) -> usize {
    let mut ran = 0;
    for path in files(dir) {
        let data = std::fs::read(&path).expect("corpus file");
        let outcome = std::panic::catch_unwind(|| targets::run(target, &data));
        assert!(outcome.is_ok(), "{target} panics on {}", path.display());
        ran += 1;
    }
    ran
}

fn check_target(target: &str) {
    let fuzz = targets::fuzz_dir();
    let corpus = fuzz.join("corpus").join(target);
    let regressions = fuzz.join("regressions").join(target);
    let expected = files(&corpus).len() + files(&regressions).len();
    assert!(
        !files(&corpus).is_empty(),
        "{}: the corpus of {target} is empty",
        corpus.display()
    );
    let ran = replay(target, &corpus) + replay(target, &regressions);
    assert_eq!(ran, expected, "{target}: every corpus file replayed");
    eprintln!("{target}: {ran} inputs replayed");
}

#[test]
fn ledger_line() {
    check_target("ledger_line");
}

#[test]
fn ledger_index() {
    check_target("ledger_index");
}

#[test]
fn checkpoint() {
    check_target("checkpoint");
}

#[test]
fn key_files() {
    check_target("key_files");
}

#[test]
fn stix_bundle() {
    check_target("stix_bundle");
}

#[test]
fn tar_import() {
    check_target("tar_import");
}

#[test]
fn report_input() {
    check_target("report_input");
}

#[test]
fn zip_archive() {
    check_target("zip_archive");
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let fuzz = targets::fuzz_dir();
    let mut binaries: Vec<String> = files(&fuzz.join("fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    binaries.sort();
    let mut names: Vec<String> = targets::TARGETS.iter().map(|s| s.to_string()).collect();
    names.sort();
    assert_eq!(
        binaries, names,
        "fuzz/fuzz_targets/ and targets::TARGETS agree"
    );
    for dir in ["corpus", "regressions"] {
        for d in std::fs::read_dir(fuzz.join(dir)).expect(dir) {
            let name = d.expect(dir).file_name().into_string().expect("UTF-8 name");
            assert!(names.contains(&name), "fuzz/{dir}/{name} is no target");
        }
    }
}

/// The key files with hostile key derivation parameters (`fuzz/regressions/key_files/kdf-*`:
/// scrypt asking for terabytes or gigabytes of memory, which aborted the process before the
/// limit) are refused by the default loader, before any derivation.
#[test]
fn hostile_kdf_parameters_are_refused() {
    let dir = targets::fuzz_dir().join("regressions/key_files");
    let hostile: Vec<PathBuf> = files(&dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("kdf-"))
        })
        .collect();
    assert!(!hostile.is_empty(), "{}: no kdf-* inputs", dir.display());
    for path in hostile {
        let text = std::fs::read_to_string(&path).expect("key file");
        let err =
            scelle::format::keys::decrypt_private_key(&text, targets::FUZZ_PASSPHRASE.as_bytes())
                .expect_err("refused");
        assert!(
            matches!(err, scelle::format::keys::KeyError::KdfTooCostly(_)),
            "{}: {err}",
            path.display()
        );
    }
}

#[test]
fn ewf_image() {
    check_target("ewf_image");
}
