//! The browser verifier (`verifier/verify.html`, FORMAT.md 14): `scelle verifier` writes the
//! page this scelle ships and every bundle carries it as `data/kit/verify.html`, byte for byte;
//! then the page itself, in headless Chromium through selenium
//! (`tests/browser/test_verify_html.py`): on a genuine bundle and on every tampered and hostile
//! one of the bundle tests, its verdict is `verify-bundle`'s and its error codes
//! `verify_bundle.py`'s; it makes no network request and logs no console error; screenshots in
//! English, French and Spanish land in `target/browser-test/`.

mod common;

use common::{ok, run_in, sha256sum, PASS};
use std::path::Path;

#[test]
fn scelle_writes_the_page_every_bundle_carries() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = ok(&run_in(root, PASS, &["verifier", "--out", "verify.html"]));
    let page = root.join("verify.html");
    let sha = sha256sum(&page);
    assert!(out.contains(&format!("sha256 {sha}")), "{out}");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("verifier/verify.html");
    assert_eq!(
        std::fs::read(&page).unwrap(),
        std::fs::read(&source).unwrap()
    );
    // It never overwrites.
    let o = run_in(root, PASS, &["verifier", "--out", "verify.html"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::out(&o));

    // A bundle carries the same page, listed in its signed manifest.
    let (case, key) = common::init_case(root, "B-1", "Browser", &[]);
    std::fs::write(root.join("a.txt"), "a\n").unwrap();
    let c = case.to_str().unwrap();
    let k = key.to_str().unwrap();
    ok(&run_in(root, PASS, &["-C", c, "seal", "a.txt", "--key", k]));
    ok(&run_in(
        root,
        PASS,
        &["-C", c, "export", "--out", "b.tar", "--key", k],
    ));
    let x = root.join("x");
    std::fs::create_dir(&x).unwrap();
    let o = common::sh(&x, "tar", &["-xf", "../b.tar"]);
    assert!(o.status.success(), "{}", common::out(&o));
    assert_eq!(sha256sum(&x.join("data/kit/verify.html")), sha);
    let manifest = std::fs::read_to_string(x.join("manifest-sha256.txt")).unwrap();
    assert!(
        manifest.contains(&format!("{sha}  data/kit/verify.html\n")),
        "{manifest}"
    );
}

#[test]
fn the_page_agrees_with_verify_bundle_in_headless_chromium() {
    let python = common::pyenv_bin("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/test_verify_html.py");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-test");
    let o = std::process::Command::new(python)
        .arg(script)
        .arg("--scelle")
        .arg(env!("CARGO_BIN_EXE_scelle"))
        .arg("--out")
        .arg(&out)
        .arg("-v")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::out(&o));
}
