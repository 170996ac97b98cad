//! The documents as a filing clerk and an opposing expert check them, with poppler-utils and
//! qpdf: text extractable with accents, fonts embedded and subset, qpdf clean, "Page X of Y"
//! and sequential Bates numbers on every page, the ledger attached byte for byte, the same
//! bytes for the same ledger, and the PDF's hash recorded in the ledger and checked by verify.

mod common;

use common::{scelle_with, stdout as text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "demo passphrase, not a secret";

fn tool(name: &str, args: &[&str]) -> Output {
    let o = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed by this test (poppler-utils, qpdf): {e}"));
    o
}

fn scelle(case: &Path, args: &[&str]) -> Output {
    scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .args(args)
        .output()
        .unwrap()
}

/// The demo's report input for `lang` (each case's documents need their expert's fields).
fn input(lang: &str) -> String {
    format!(
        "{}/examples/demo/report-{lang}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn demo(dir: &Path) -> PathBuf {
    let o = common::demo(dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir.join("case")
}

#[test]
fn documents_pass_the_filing_checks_in_every_language() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    demo(&demo_dir);
    // Each document on the demo case of its jurisdiction (the French case, the Spanish case,
    // the US case).
    for (doc, lang, accents, page_word, case_dir) in [
        (
            "expert-report",
            "fr",
            "Réception et reconstitution",
            "sur",
            "case-fr",
        ),
        (
            "seals",
            "fr",
            "Tableau de traçabilité des scellés",
            "sur",
            "case-fr",
        ),
        (
            "custody",
            "es",
            "Registro de cadena de custodia",
            "de",
            "case-es",
        ),
        (
            "certificate",
            "en",
            "Certification of Authenticity",
            "of",
            "case",
        ),
    ] {
        let case = demo_dir.join(case_dir);
        let sha = String::from_utf8(std::fs::read(case.join("ledger.jsonl")).unwrap())
            .unwrap()
            .lines()
            .nth(1)
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["body"]["artifact"]["hashes"]
                    ["sha256"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .unwrap();
        let pdf = tmp.path().join(format!("{doc}-{lang}.pdf"));
        let o = scelle(
            &case,
            &[
                "report",
                doc,
                "--lang",
                lang,
                "--input",
                &input(lang),
                "--out",
                pdf.to_str().unwrap(),
                "--bates-prefix",
                "NSO-",
                "--bates-start",
                "41",
            ],
        );
        assert!(
            o.status.success(),
            "{doc} {lang}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let said = text(&o);
        let pages: usize = said
            .split(" pages")
            .next()
            .unwrap()
            .rsplit('(')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            said.contains(&format!("Bates NSO-000041 to NSO-{:06}", 40 + pages)),
            "{said}"
        );
        // Text, accents, full hash on one line.
        let t = text(&tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]));
        assert!(
            t.contains(accents),
            "{doc} {lang}: {accents:?} not extracted"
        );
        assert!(
            t.lines().any(|l| l.contains(&sha)),
            "{doc} {lang}: full SHA-256 not on one line"
        );
        // Every page: "Page X <word> N" and its Bates number, in order.
        let per_page: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
        assert_eq!(per_page.len(), pages);
        for (i, p) in per_page.iter().enumerate() {
            let label = if lang == "es" { "Página" } else { "Page" };
            assert!(
                p.contains(&format!("{label} {} {page_word} {pages}", i + 1)),
                "{doc} {lang} page {}",
                i + 1
            );
            assert!(
                p.contains(&format!("NSO-{:06}", 41 + i)),
                "{doc} {lang} page {} Bates",
                i + 1
            );
        }
        // Fonts embedded and subset.
        let fonts = text(&tool("pdffonts", &[pdf.to_str().unwrap()]));
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty());
        for r in rows {
            let cols: Vec<&str> = r.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(
                (cols[n - 5], cols[n - 4]),
                ("yes", "yes"),
                "{doc}: font not embedded+subset: {r}"
            );
        }
        // qpdf structure check; no encryption.
        let q = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert!(q.status.success(), "{doc} {lang}: {}", text(&q));
        let info = text(&tool("pdfinfo", &[pdf.to_str().unwrap()]));
        assert!(info.contains("Encrypted:       no"), "{info}");
        // The ledger is attached (PDF/A-3b), byte for byte.
        let out = tmp.path().join(format!("detach-{doc}-{lang}"));
        std::fs::create_dir(&out).unwrap();
        assert!(tool(
            "pdfdetach",
            &[
                "-saveall",
                "-o",
                out.to_str().unwrap(),
                pdf.to_str().unwrap()
            ]
        )
        .status
        .success());
        assert_eq!(
            std::fs::read(out.join("ledger.jsonl")).unwrap(),
            std::fs::read(case.join("ledger.jsonl")).unwrap()
        );
    }
}

#[test]
fn the_same_ledger_gives_the_same_bytes_and_the_recorded_hash_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo(&tmp.path().join("demo"));
    let es_case = tmp.path().join("demo/case-es");
    // One file name in two folders: the document prints its own name (its verification step).
    let (a, b) = (tmp.path().join("a/doc.pdf"), tmp.path().join("b/doc.pdf"));
    for p in [&a, &b] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let o = scelle(
            &es_case,
            &[
                "report",
                "custody",
                "--lang",
                "es",
                "--input",
                &input("es"),
                "--out",
                p.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(text(&o).contains("not recorded in the ledger"));
    }
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "rendering is not deterministic"
    );
    // Refuses to overwrite without --force.
    let o = scelle(
        &es_case,
        &[
            "report",
            "custody",
            "--lang",
            "es",
            "--input",
            &input("es"),
            "--out",
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    // Recorded with a key: verify --report finds it; a changed byte is not recorded.
    let key = tmp.path().join("demo/keys/expert.key");
    let rec = tmp.path().join("recorded.pdf");
    let o = scelle(
        &case,
        &[
            "report",
            "expert-report",
            "--lang",
            "en",
            "--input",
            &input("en"),
            "--out",
            rec.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--pdfa",
            "1b",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text(&o).contains("recorded at entry 13"), "{}", text(&o));
    let o = scelle(&case, &["verify", "--report", rec.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("recorded at entry 13") && text(&o).contains("expert-report in en"));
    let mut bytes = std::fs::read(&rec).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    let bad = tmp.path().join("altered.pdf");
    std::fs::write(&bad, &bytes).unwrap();
    let o = scelle(&case, &["verify", "--report", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("NOT recorded"));
    // The ledger still verifies with the report entry in it.
    assert!(scelle(&case, &["verify"]).status.success());
    // A PDF/A-1b carries no attachment, and passes Apache PDFBox Preflight.
    let list = text(&tool("pdfdetach", &["-list", rec.to_str().unwrap()]));
    assert!(list.starts_with("0 embedded files"), "{list}");
    let cp = [
        "pdfbox2",
        "fontbox2",
        "preflight",
        "xmpbox",
        "commons-logging",
        "javax.activation",
        "jaxb-api",
    ]
    .map(|j| format!("/usr/share/java/{j}.jar"))
    .join(":");
    let o = tool(
        "java",
        &[
            "-cp",
            &cp,
            "org.apache.pdfbox.preflight.Validator_A1b",
            rec.to_str().unwrap(),
        ],
    );
    assert!(
        text(&o).contains("is a valid PDF/A-1b file"),
        "{}{}",
        text(&o),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The value of `[source] key` in `templates/LANG/labels.toml`.
fn source_label(lang: &str, key: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("templates/{lang}/labels.toml"));
    let labels: toml::Value = std::fs::read_to_string(path).unwrap().parse().unwrap();
    labels["source"][key].as_str().unwrap().to_string()
}

/// The acquisition tool's hashes of the original against the sealed copy (FRE 902(14)): every
/// document that describes exhibits prints MATCH or MISMATCH (in its language) with both
/// values; the certificate names the copying tool, its version and the date of the copy, and
/// says which copies match their original, which do not and which were not compared. The
/// reference values come from md5sum and sha256sum.
#[test]
fn documents_show_the_source_hash_comparison_in_every_language() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    let key = common::key_pair(&tmp.path().join("keys"), PASS, "expert", Some("expert"));
    let key = key.to_str().unwrap();
    let o = scelle_with(PASS)
        .arg("init")
        .arg(&case)
        .args([
            "--case-id",
            "SRC-1",
            "--title",
            "Source v. Copy",
            "--court",
            "Test Court",
            "--key",
            key,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let image = tmp.path().join("image.dd");
    std::fs::write(&image, "a disk image\n".repeat(500)).unwrap();
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "no source hash for this one\n").unwrap();
    let digest = |tool_name: &str| {
        let o = tool(tool_name, &[image.to_str().unwrap()]);
        let out = String::from_utf8(o.stdout).unwrap();
        out.split_whitespace().next().unwrap().to_string()
    };
    let (md5, sha256) = (digest("md5sum"), digest("sha256sum"));
    let wrong_md5: String = md5.chars().rev().collect();
    assert_ne!(wrong_md5, md5);
    // E-0001: SHA-256 matches, MD5 does not (exit 1, recorded); E-0002: no source hash.
    let o = scelle(
        &case,
        &[
            "seal",
            image.to_str().unwrap(),
            "--key",
            key,
            "--tool",
            "Guymager",
            "--tool-version",
            "0.8.13",
            "--acquired-at",
            "2026-11-20T14:05:00+01:00",
            "--source-sha256",
            &sha256,
            "--source-md5",
            &wrong_md5,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("MISMATCH for E-0001"), "{}", text(&o));
    let o = scelle(&case, &["seal", notes.to_str().unwrap(), "--key", key]);
    assert!(o.status.success(), "{}", text(&o));

    for lang in ["en", "fr", "es"] {
        let (matched, mismatched) = (source_label(lang, "match"), source_label(lang, "mismatch"));
        // Each document in a jurisdiction that admits it (the case records none, so
        // --jurisdiction chooses), with the demo input of that jurisdiction for its
        // required fields.
        for (doc, jurisdiction, input) in [
            ("certificate", "us", "report-en.toml"),
            ("custody", "es", "report-es.toml"),
            ("seals", "fr", "report-fr.toml"),
            ("expert-report", "us", "report-en.toml"),
        ] {
            let pdf = tmp.path().join(format!("{doc}-{lang}.pdf"));
            let input = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/demo")
                .join(input);
            let o = scelle(
                &case,
                &[
                    "report",
                    doc,
                    "--lang",
                    lang,
                    "--jurisdiction",
                    jurisdiction,
                    "--input",
                    input.to_str().unwrap(),
                    "--out",
                    pdf.to_str().unwrap(),
                ],
            );
            assert!(
                o.status.success(),
                "{doc} {lang}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let t = text(&tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]));
            for value in [&sha256, &md5, &wrong_md5] {
                assert!(
                    t.contains(value.as_str()),
                    "{doc} {lang}: {value} missing:\n{t}"
                );
            }
            // Table cells may wrap: compare the text in drawing order (a cell's lines together,
            // not interleaved with the next column's) with runs of spaces collapsed.
            let raw = text(&tool("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]));
            let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            let has = |needle: &str| {
                flat.contains(&needle.split_whitespace().collect::<Vec<_>>().join(" "))
            };
            // Each result word printed on its own (MATCH is also inside MISMATCH).
            let mismatches = flat.matches(mismatched.as_str()).count();
            let inside = if mismatched.contains(matched.as_str()) {
                mismatches
            } else {
                0
            };
            assert!(
                flat.matches(matched.as_str()).count() > inside && mismatches > 0,
                "{doc} {lang}: {matched} / {mismatched} missing:\n{t}"
            );
            if doc == "certificate" {
                for needle in [
                    "Guymager 0.8.13",
                    "2026-11-20T14:05:00+01:00",
                    &source_label(lang, "match_text"),
                    &source_label(lang, "mismatch_text"),
                    &source_label(lang, "none"),
                ] {
                    assert!(has(needle), "certificate {lang}: {needle:?} missing:\n{t}");
                }
                assert!(
                    !t.contains("copied and identified with the tool scelle"),
                    "{t}"
                );
            }
        }
    }
}
