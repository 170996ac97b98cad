//! The browser verifier (`verifier/verify.html`, FORMAT.md 14): `scelle verifier` writes the
//! page this scelle ships and every bundle carries it as `data/kit/verify.html`, byte for byte;
//! then the page itself, in headless Chromium through selenium
//! (`tests/browser/test_verify_html.py`): on a genuine bundle and on every tampered and hostile
//! one of the bundle tests, its verdict is `verify-bundle`'s and its error codes
//! `verify_bundle.py`'s; it makes no network request and logs no console error; screenshots in
//! English, French and Spanish land in `target/browser-test/`.
//!
//! The RFC 3161 timestamps (FORMAT.md 8.6): besides the demo's bundle (its checkpoints carry
//! tokens of the demo's local TSA), [`timestamp_fixtures`] makes here what the python script
//! cannot make with the command line: a case with two TSAs (ECDSA P-256 and RSA, OpenSSL's
//! TSA under a CA of `tests/common/tsa_pki.rs`) and a case with an entry dated an hour after
//! the token that covers it (`backdated`), both exported, and the PKI (a rogue CA, a TSA
//! certificate expired, one not yet valid) the script tampers their tokens with.

mod common;
#[path = "common/tsa_pki.rs"]
mod tsa_pki;

use common::{ok, run_in, sha256sum, PASS};
use scelle::format::body::{Body, NoteBody, TsaAdd};
use std::path::{Path, PathBuf};
use tsa_pki::{Eku, KeyType, Pki};

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
    let fixtures = tempfile::tempdir().unwrap();
    timestamp_fixtures(fixtures.path());
    let o = std::process::Command::new(python)
        .arg(script)
        .arg("--scelle")
        .arg(env!("CARGO_BIN_EXE_scelle"))
        .arg("--out")
        .arg(&out)
        .arg("--timestamps")
        .arg(fixtures.path())
        .arg("-v")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::out(&o));
}

fn b64(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// Appends `body` to `case`, signed by `key`, dated `time` (or now), with its checkpoint.
fn append(case: &Path, key: &Path, body: Body, time: Option<String>) {
    let case = scelle::CaseDir::open(case).unwrap();
    let key = scelle::load_signing_key(key, &PASS.to_string().into()).unwrap();
    let mut app = scelle::Appender::open(&case, &key).unwrap();
    app.append(
        &body,
        &key,
        time.unwrap_or_else(scelle::format::time::now_utc),
    )
    .unwrap();
    app.finish(&key).unwrap();
}

/// The note text of checkpoint `size` of `case` (its three lines).
fn checkpoint_text(case: &Path, size: u64) -> Vec<u8> {
    let note = std::fs::read_to_string(case.join(format!("checkpoints/{size:012}.txt"))).unwrap();
    note.split_inclusive('\n')
        .take(3)
        .collect::<String>()
        .into_bytes()
}

/// Stamps checkpoint `size` of `case` by PKI TSA `tsa`, stored under the case's TSA `name`.
fn stamp(pki: &Pki, case: &Path, size: u64, tsa: &str, name: &str) {
    let (tsq, tsr) = pki.stamp(tsa, &checkpoint_text(case, size), "req");
    let base = format!("checkpoints/{size:012}.{name}");
    std::fs::write(case.join(format!("{base}.tsq")), tsq).unwrap();
    std::fs::write(case.join(format!("{base}.tsr")), tsr).unwrap();
}

/// A case `id` in `root` (entry 0, a seal) whose administrator added TSAs `tsas` (name, PKI
/// TSA certificate) under the PKI's CA `ca`: its case folder and key.
fn timestamped_case(root: &Path, id: &str, pki: &Pki, tsas: &[&str]) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(root).unwrap();
    let (case, key) = common::init_case(root, id, "Timestamps", &["--court", "Test Court"]);
    std::fs::write(root.join("a.txt"), "evidence\n").unwrap();
    let c = case.to_str().unwrap();
    let k = key.to_str().unwrap();
    ok(&run_in(
        root,
        PASS,
        &[
            "-C",
            c,
            "seal",
            "a.txt",
            "--key",
            k,
            "--no-timestamp",
            "--no-witness",
        ],
    ));
    for name in tsas {
        append(
            &case,
            &key,
            Body::TsaAdd(TsaAdd {
                name: (*name).into(),
                url: "http://127.0.0.1:9/tsa".into(),
                ca: vec![b64(&pki.der("ca"))],
            }),
            None,
        );
    }
    (case, key)
}

fn export(root: &Path, case: &Path, key: &Path, out: &Path) {
    ok(&run_in(
        root,
        PASS,
        &[
            "-C",
            case.to_str().unwrap(),
            "export",
            "--out",
            out.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--no-timestamp",
            "--no-witness",
        ],
    ));
}

/// In `dir`: `pki/` (CA `ca`; TSAs `tsa-ec` (P-256) and `tsa-rsa` (RSA 2048) under it, each
/// with its `openssl ts` configuration `NAME.tsa.cnf`; `rogue` under `rogue-ca`; `expired`,
/// `not-yet-valid`, `eku-noncritical` and `eku-none` (P-256, the timeStamping usage not
/// critical, absent) under `ca`); `timestamped.tar`, a case whose TSAs `tsa1` (tsa-ec) and
/// `tsa2` (tsa-rsa) timestamped checkpoints 3 and 4 (the TSAs were added at entries 2 and 3);
/// `backdated.tar`, a case with TSA `tsa1` whose entry 3 is dated an hour in the future, and
/// `backdated/case/checkpoints/000000000004.tsa1.ts{q,r}`, a token of checkpoint 4 made now,
/// which covers that entry; `intermediate.tar`, a case whose TSA `tsa1` (`tsa-sub`, issued by
/// the intermediate CA `sub` of `ca`, which has no extendedKeyUsage) timestamped checkpoint 3.
/// `timestamped.key` and `backdated.key`: their administrators' keys (passphrase `common::PASS`).
fn timestamp_fixtures(dir: &Path) {
    let pki = Pki::new(&dir.join("pki"));
    pki.ca("ca");
    pki.tsa("tsa-ec", "ca", KeyType::P256, Eku::Critical, None);
    pki.tsa("tsa-rsa", "ca", KeyType::Rsa, Eku::Critical, None);
    pki.tsa(
        "expired",
        "ca",
        KeyType::P256,
        Eku::Critical,
        Some(("20200101000000Z", "20210101000000Z")),
    );
    pki.tsa(
        "not-yet-valid",
        "ca",
        KeyType::Rsa,
        Eku::Critical,
        Some(("20400101000000Z", "20410101000000Z")),
    );
    pki.tsa(
        "eku-noncritical",
        "ca",
        KeyType::P256,
        Eku::NonCritical,
        None,
    );
    pki.tsa("eku-none", "ca", KeyType::P256, Eku::None, None);
    pki.ca("rogue-ca");
    pki.tsa("rogue", "rogue-ca", KeyType::P256, Eku::Critical, None);

    let root = dir.join("timestamped");
    let (case, key) = timestamped_case(&root, "TS-1", &pki, &["tsa1", "tsa2"]);
    stamp(&pki, &case, 3, "tsa-ec", "tsa1");
    stamp(&pki, &case, 4, "tsa-ec", "tsa1");
    stamp(&pki, &case, 4, "tsa-rsa", "tsa2");
    export(&root, &case, &key, &dir.join("timestamped.tar"));
    std::fs::copy(&key, dir.join("timestamped.key")).unwrap();

    // A TSA whose certificate an intermediate CA without extendedKeyUsage issued (as
    // commercial TSAs' are), under the case's root `ca`.
    pki.sub_ca("sub", "ca", false);
    pki.tsa("tsa-sub", "sub", KeyType::P256, Eku::Critical, None);
    let root = dir.join("intermediate");
    let (case, key) = timestamped_case(&root, "TS-3", &pki, &["tsa1"]);
    stamp(&pki, &case, 3, "tsa-sub", "tsa1");
    export(&root, &case, &key, &dir.join("intermediate.tar"));

    let root = dir.join("backdated");
    let (case, key) = timestamped_case(&root, "TS-2", &pki, &["tsa1"]);
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    append(
        &case,
        &key,
        Body::Note(NoteBody {
            text: "dated an hour after the TSA saw it".into(),
            exhibit: None,
        }),
        Some(scelle::format::time::format_utc(later)),
    );
    // `export` refuses a case that does not verify: the bundle is made before the token,
    // which the script then adds to it (re-signed by the administrator).
    export(&root, &case, &key, &dir.join("backdated.tar"));
    std::fs::copy(&key, dir.join("backdated.key")).unwrap();
    stamp(&pki, &case, 4, "tsa-ec", "tsa1");
}
