//! The README's quick start for experts, run as written (issue 21: a README an expert can
//! follow on day one): the shell block after its `quick-start` marker, with `scelle` on the
//! PATH, in a folder holding the acquisitions it names. Every command must succeed, and what
//! it promises must be there: the two exhibits found by seal number, the hand-over accepted,
//! the PDF, the bundle verified, every exhibit re-hashed OK.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

/// The shell block following the README's quick-start marker.
fn quick_start() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let after = &readme[readme.find("<!-- quick-start").expect("the marker")..];
    let start = after.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = after[start..].find("\n```").expect("its end");
    after[start..start + end].to_string()
}

#[test]
fn the_readme_quick_start_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sysdiagnose/logs")).unwrap();
    fs::write(root.join("sysdiagnose/logs/system.log"), "boot\n").unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let data = b"<plist/>";
    let mut h = tar::Header::new_ustar();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(
        &mut h,
        "private/var/mobile/Library/Preferences/x.plist",
        &data[..],
    )
    .unwrap();
    fs::write(root.join("iphone-ffs.tar"), tar.into_inner().unwrap()).unwrap();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ioc/pegasus.stix2"),
        root.join("pegasus.stix2"),
    )
    .unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_scelle")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &quick_start()])
        .current_dir(root)
        .env("PATH", path)
        .env("SCELLE_PASSPHRASE", common::PASS)
        .env_remove("SCELLE_CASE")
        .output()
        .unwrap();
    let out = common::out(&o);
    assert!(o.status.success(), "{out}");
    for expected in [
        "E-0001  seal PV-117-1",
        "E-0002  seal PV-117-2",
        "E-0001  seal PV-117-1  tar ",
        "no indicator matched",
        "accepted (entry 6)",
        "wrote scelles.pdf (",
        "bundle scelles-117.tar: OK",
        "(2 re-hashed, 0 FAILED)",
    ] {
        assert!(out.contains(expected), "{expected:?} not in:\n{out}");
    }
    let ok: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("E-000") && l.ends_with(": OK"))
        .collect();
    assert_eq!(ok.len(), 2, "{out}");
    let pdf = fs::read(root.join("scelles.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(root.join("rapport.toml").exists());
    let log = common::out(
        &Command::new(env!("CARGO_BIN_EXE_scelle"))
            .args(["-C", root.join("affaire-117").to_str().unwrap(), "log"])
            .output()
            .unwrap(),
    );
    assert!(log.contains("accept"), "{log}");
}
