//! Checkable from what it prints (issue 17): the verification steps a document prints,
//! extracted with `pdftotext` as a reader would copy them, run in the evidence bundle unpacked
//! on a clean folder elsewhere (the case and the artifacts gone), each step succeeding; a
//! byte changed in the bundle makes the steps that check it fail. And a document's size does
//! not grow with the member count of a sealed folder (members are summarised).

mod common;

use common::{key_pair, scelle_with, sh};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "steps passphrase, not a secret";

fn scelle(case: &Path, args: &[&str]) -> Output {
    let o = scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "scelle {args:?}: {}", common::out(&o));
    o
}

fn input(lang: &str) -> String {
    format!(
        "{}/examples/demo/report-{lang}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A case of `jurisdiction` in `dir` with a file and a folder sealed (the folder with a
/// space in a name and a sub-folder), returned with the expert's key.
fn case(dir: &Path, jurisdiction: &str) -> (PathBuf, PathBuf) {
    let key = key_pair(&dir.join("keys"), PASS, "ana", Some("expert"));
    let case = dir.join("case");
    let o = scelle_with(PASS)
        .args(["init", "--case-id", "2026-17", "--title", "Steps"])
        .args(["--jurisdiction", jurisdiction, "--court", "Court"])
        .arg("--key")
        .arg(&key)
        .arg(&case)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::out(&o));
    let art = dir.join("evidence");
    std::fs::create_dir_all(art.join("folder/sub")).unwrap();
    std::fs::write(art.join("image.bin"), b"the image bytes\n").unwrap();
    std::fs::write(art.join("folder/a b.txt"), b"first file\n").unwrap();
    std::fs::write(art.join("folder/sub/c.txt"), b"second file\n").unwrap();
    for a in ["image.bin", "folder"] {
        scelle(
            &case,
            &[
                "seal",
                art.join(a).to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
            ],
        );
    }
    (case, key)
}

/// The printed command block: from the first shell comment line to the last line naming
/// VERIFY.md, the block's lines (indented by one space in `pdftotext -layout`), without the
/// running header and footer of a page break.
fn printed_steps(pdf: &Path) -> Vec<String> {
    let o = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    let text = String::from_utf8(o.stdout).unwrap();
    // (a page's first line starts with the form feed pdftotext puts between pages)
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('\u{c}'))
        .collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# "))
        .expect("no command block in the document");
    let end = lines
        .iter()
        .rposition(|l| l.contains("VERIFY.md"))
        .expect("the command block does not say where VERIFY.md is");
    lines[start..=end]
        .iter()
        .filter(|l| l.starts_with(' ') && !l.trim().is_empty())
        .map(|l| l[1..].to_string())
        .collect()
}

/// The steps: each numbered caption (`# N. …`) and the commands under it, continuation
/// lines joined back by the shell itself.
fn steps(lines: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in lines {
        let numbered = l
            .strip_prefix("# ")
            .and_then(|r| r.split_once(". "))
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
        if numbered {
            out.push((l.clone(), String::new()));
        } else if !l.starts_with('#') {
            let step = out.last_mut().expect("a command before the first step");
            step.1.push_str(l);
            step.1.push('\n');
        }
    }
    out.retain(|(_, cmd)| !cmd.is_empty());
    out
}

fn run_step(dir: &Path, cmd: &str) -> Output {
    Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", cmd])
        .current_dir(dir)
        .output()
        .unwrap()
}

fn tamper(file: &Path) {
    let mut b = std::fs::read(file).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x01;
    std::fs::write(file, b).unwrap();
}

#[test]
fn printed_steps_run_in_the_bundle_on_a_clean_folder_and_catch_a_changed_byte() {
    for (jurisdiction, lang, document) in [
        ("es", "es", "custody"),
        ("fr", "fr", "seals"),
        ("us", "en", "certificate"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let made = tmp.path().join("expert/workstation");
        let (case, key) = case(&made, jurisdiction);
        let pdf = made.join("document.pdf");
        let (pdf_s, key_s) = (pdf.to_str().unwrap(), key.to_str().unwrap());
        scelle(
            &case,
            &[
                "report",
                document,
                "--lang",
                lang,
                "--input",
                &input(lang),
                "--key",
                key_s,
                "--out",
                pdf_s,
            ],
        );
        let tar = made.join("bundle.tar");
        scelle(
            &case,
            &[
                "export",
                "--with-artifacts",
                "--report",
                pdf_s,
                "--key",
                key_s,
                "--out",
                tar.to_str().unwrap(),
            ],
        );
        let lines = printed_steps(&pdf);
        let block = lines.join("\n");
        assert!(
            !block.contains(made.to_str().unwrap())
                && !block.contains(tmp.path().to_str().unwrap()),
            "{lang}: a printed step holds the expert's own path:\n{block}"
        );
        assert!(
            !block.contains('\u{2192}'),
            "{lang}: a printed line was wrapped by the layout:\n{block}"
        );
        for needed in [
            "sha256sum -c",
            "data/kit/verify_case.py data/case",
            "data/kit/verify_bundle.py",
            "data/artifacts/E-0001/",
            "find . -type f",
            "data/reports/document.pdf",
            "pdfdetach",
            "data/kit/FORMAT.md",
        ] {
            assert!(block.contains(needed), "{lang}: no {needed:?} in\n{block}");
        }
        // The bundle on a clean folder elsewhere; what the expert had is gone.
        let clean = tmp.path().join("clerk/received/bundle");
        std::fs::create_dir_all(&clean).unwrap();
        let t = sh(&clean, "tar", &["-xf", tar.to_str().unwrap()]);
        assert!(t.status.success());
        let fresh = tmp.path().join("clerk/copy");
        std::fs::create_dir_all(&fresh).unwrap();
        let t = sh(
            &tmp.path().join("clerk/received"),
            "cp",
            &["-a", "bundle", fresh.to_str().unwrap()],
        );
        assert!(t.status.success());
        std::fs::remove_dir_all(tmp.path().join("expert")).unwrap();
        assert!(
            clean.join("data/kit/FORMAT.md").is_file(),
            "FORMAT.md not shipped"
        );

        // The document cites the ledger size it was made from, and why a later root differs.
        let entries = std::fs::read_to_string(clean.join("data/case/ledger.jsonl"))
            .unwrap()
            .lines()
            .count()
            - 1; // the bundle's ledger ends with the `report` entry recording it
        let labels: toml::Value = std::fs::read_to_string(format!(
            "{}/templates/{lang}/labels.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .parse()
        .unwrap();
        let made_from = labels["verification"]["made_from"]
            .as_str()
            .unwrap()
            .replace("{entries}", &entries.to_string());
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let o = Command::new("pdftotext")
            .arg(clean.join("data/reports/document.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).replace('\u{a0}', " ");
        assert!(
            flat(&text).contains(&flat(&made_from)),
            "{lang}: the ledger size the document was made from is not cited:\n{made_from}"
        );

        let steps = steps(&lines);
        assert!(steps.len() >= 7, "{lang}: steps {steps:?}");
        for (caption, cmd) in &steps {
            let o = run_step(&clean, cmd);
            assert!(
                o.status.success(),
                "{lang}: step {caption} failed:\n{cmd}\n{}",
                common::out(&o)
            );
        }
        let find = |needle: &str| -> &str {
            &steps
                .iter()
                .find(|(_, c)| c.contains(needle))
                .unwrap_or_else(|| panic!("no step with {needle}"))
                .1
        };
        assert_eq!(
            String::from_utf8_lossy(&run_step(&clean, find("sha256sum <")).stdout).trim(),
            "1",
            "{lang}: the document's SHA-256 is not recorded once"
        );
        // A changed byte: in each place, the manifests step and the step checking that
        // place fail.
        let manifests = find("manifest-sha256.txt");
        let e1 = std::fs::read_dir(fresh.join("bundle/data/artifacts/E-0001"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        for (what, file, step) in [
            ("an artifact", e1, find("data/artifacts/E-0001/")),
            (
                "a folder's file",
                fresh.join("bundle/data/artifacts/E-0002/folder/sub/c.txt"),
                find("find . -type f"),
            ),
            (
                "the document",
                fresh.join("bundle/data/reports/document.pdf"),
                find("sha256sum <"),
            ),
            (
                "the ledger",
                fresh.join("bundle/data/case/ledger.jsonl"),
                find("pdfdetach"),
            ),
        ] {
            let copy = tmp.path().join("clerk/tampered");
            let _ = std::fs::remove_dir_all(&copy);
            std::fs::create_dir_all(&copy).unwrap();
            let rel = file
                .strip_prefix(fresh.join("bundle"))
                .unwrap()
                .to_path_buf();
            let t = sh(&fresh, "cp", &["-a", "bundle/.", copy.to_str().unwrap()]);
            assert!(t.status.success());
            tamper(&copy.join(&rel));
            for (name, cmd) in [("manifests", manifests), ("its own", step)] {
                let o = run_step(&copy, cmd);
                assert!(
                    !o.status.success(),
                    "{lang}: {what} changed by one byte, the {name} step still succeeds:\n{cmd}\n{}",
                    common::out(&o)
                );
            }
        }
    }
}

/// The members of a sealed folder are summarised (counts, total size, first paths, the
/// manifest's SHA-256), never listed: a document of a folder of 20,000 files is the size of
/// one of 1,000 files (filing variant, nothing attached), and says how many there are.
#[test]
fn document_size_does_not_grow_with_the_member_count() {
    let mut sizes = Vec::new();
    for n in [1_000usize, 20_000] {
        let tmp = tempfile::tempdir().unwrap();
        let (case, key) = case(tmp.path(), "es");
        let dir = tmp.path().join(format!("ffs-{n}"));
        for i in 0..n {
            let sub = dir.join(format!("d{:03}", i % 100));
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(sub.join(format!("f{i:06}.txt")), format!("{i}\n")).unwrap();
        }
        let key_s = key.to_str().unwrap();
        scelle(&case, &["seal", dir.to_str().unwrap(), "--key", key_s]);
        let pdf = tmp.path().join("custodia.pdf");
        scelle(
            &case,
            &[
                "report",
                "custody",
                "--lang",
                "es",
                "--input",
                &input("es"),
                "--pdfa",
                "1b",
                "--out",
                pdf.to_str().unwrap(),
            ],
        );
        let o = Command::new("pdftotext")
            .args([pdf.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).replace('\n', " ");
        let count = if n == 1_000 { "1.000" } else { "20.000" };
        assert!(
            text.contains(&format!("{count} ficheros")),
            "the member count {count} is not printed:\n{text}"
        );
        assert!(
            !text.contains(&format!("f{:06}.txt", n - 1)),
            "the last member is listed: members must be summarised"
        );
        sizes.push(std::fs::metadata(&pdf).unwrap().len());
    }
    assert!(
        sizes[1] <= sizes[0] + 4096,
        "the document grew with the member count: {sizes:?} bytes for 1,000 and 20,000 members"
    );
}
