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
    // One file name in two folders: the document prints its own name (its verification step)
    // and its other variant's.
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
    // The entry it is recorded as: the next after the demo's last.
    let next = std::fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .count();
    let recorded = format!("recorded at entry {next}");
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
    assert!(text(&o).contains(&recorded), "{}", text(&o));
    let o = scelle(&case, &["verify", "--report", rec.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&recorded) && text(&o).contains("expert-report in en"));
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
                    // The copy's date (acquired 2026-11-20T14:05:00+01:00) in the case's
                    // time zone: none recorded, so UTC.
                    "2026-11-20 13:05:00 UTC",
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

/// The custodians of a case's exhibits: the full names (else the names) of the keys that
/// signed a seal, release or acceptance, read from the ledger.
fn custodians(case: &Path) -> Vec<String> {
    let ledger = std::fs::read_to_string(case.join("ledger.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = ledger
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut names = std::collections::BTreeMap::new();
    for e in &lines {
        for k in [&e["body"]["admin"], &e["body"]["key"]] {
            // a lane is named by its custodian's full name, else by the key's name
            let name = k["full_name"].as_str().or(k["name"].as_str());
            if let (Some(id), Some(name)) = (k["id"].as_str(), name) {
                names.insert(id.to_string(), name.to_string());
            }
        }
    }
    let mut out: Vec<String> = lines
        .iter()
        .filter(|e| matches!(e["kind"].as_str(), Some("seal" | "release" | "accept")))
        .map(|e| names[e["key"].as_str().unwrap()].clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The custody timeline (`::timeline`) in the expert report and the custody record, in every
/// language: under its heading, the figure's text extracts with the exhibits' ids, every
/// custodian's name (a lane each), the seal's date in ISO 8601 and the legend's words from
/// the language's `labels.toml`; the document stays qpdf-clean with its fonts embedded.
#[test]
fn the_custody_timeline_is_drawn_with_its_legend_in_every_language() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    demo(&demo_dir);
    let norm = |s: &str| {
        s.replace(['\u{a0}', '\u{202f}'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut with_handover = 0;
    // (document, language, case, input): the US case has a hand-over (expert to counsel)
    for (doc, lang, case_dir, input_lang) in [
        ("expert-report", "en", "case", "en"),
        ("expert-report", "fr", "case", "en"),
        ("expert-report", "es", "case", "en"),
        ("expert-report", "fr", "case-fr", "fr"),
        ("expert-report", "es", "case-es", "es"),
        ("custody", "en", "case-es", "es"),
        ("custody", "fr", "case-es", "es"),
        ("custody", "es", "case-es", "es"),
    ] {
        let what = format!("{doc} {lang} {case_dir}");
        let case = demo_dir.join(case_dir);
        let pdf = tmp.path().join(format!("{doc}-{lang}-{case_dir}.pdf"));
        let o = scelle(
            &case,
            &[
                "report",
                doc,
                "--lang",
                lang,
                "--input",
                &input(input_lang),
                "--out",
                pdf.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let t = norm(&text(&tool("pdftotext", &[pdf.to_str().unwrap(), "-"])));
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("templates/{lang}/labels.toml"));
        let labels: toml::Value = std::fs::read_to_string(path).unwrap().parse().unwrap();
        let word = |k: &str| norm(labels["timeline"][k].as_str().unwrap());
        // the figure: from its title (exhibits' ids) to the axis note
        // E-0001 alone in every demo case: its figure's title is in the singular
        let start = t
            .find(&format!("{} E-0001", word("exhibit")))
            .unwrap_or_else(|| panic!("{what}: no timeline title in {t}"));
        let end = start
            + t[start..]
                .find(&word("axis"))
                .unwrap_or_else(|| panic!("{what}: no axis note after the title"));
        let fig = &t[start..end];
        if case_dir == "case" {
            // sealed by the same person, scanned, released and accepted together: one figure
            // (E-0003 has its own: a finding in it was reviewed)
            let group = format!("{} E-0002, E-0004", word("exhibits"));
            assert!(t.contains(&group), "{what}: no {group:?} figure");
        }
        let names = custodians(&case);
        for name in &names {
            assert!(
                fig.contains(name.as_str()),
                "{what}: lane {name:?} not in {fig}"
            );
        }
        if names.len() > 1 {
            with_handover += 1;
        }
        let ledger = std::fs::read_to_string(case.join("ledger.jsonl")).unwrap();
        let seal: serde_json::Value = ledger
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|e| e["kind"] == "seal")
            .unwrap();
        let date = &seal["time"].as_str().unwrap()[..10];
        assert!(fig.contains(date), "{what}: ISO date {date} not in {fig}");
        for k in [
            "held", "seal", "open", "reseal", "dispose", "other", "handover",
        ] {
            assert!(fig.contains(&word(k)), "{what}: legend {k:?} not in {fig}");
        }
        for k in ["match", "mismatch"] {
            assert!(fig.contains(&word(k)), "{what}: legend {k:?} not in {fig}");
        }
        // no release is pending in the demo: that key is not shown
        assert!(!fig.contains(&word("pending")), "{what}");
        let q = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert!(q.status.success(), "{what}: {}", text(&q));
        let fonts = text(&tool("pdffonts", &[pdf.to_str().unwrap()]));
        for r in fonts.lines().skip(2) {
            let cols: Vec<&str> = r.split_whitespace().collect();
            let n = cols.len();
            assert_eq!((cols[n - 5], cols[n - 4]), ("yes", "yes"), "{what}: {r}");
        }
    }
    assert!(with_handover >= 3, "no document drew a hand-over");
}

/// The timeline on a case with a discrepancy and a hand-over not yet accepted: E-0001 and
/// E-0002 are released together to counsel, whose re-hash of E-0002 differs (the file was
/// changed); counsel then releases E-0001 back, not yet accepted. The two exhibits no longer
/// share a path: E-0002's figure shows "≠" at the tip of its hand-over (besides the legend's),
/// E-0001's does not but shows the legend of a pending hand-over; the receiver's lane is
/// named. The report, as PDF/A-1b, passes PDFBox Preflight.
#[test]
fn the_timeline_shows_a_discrepancy_and_a_pending_hand_over_in_every_language() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    let keys = tmp.path().join("keys");
    let expert = common::key_pair(&keys, PASS, "expert", Some("expert"));
    let counsel = common::key_pair(&keys, PASS, "counsel", Some("counsel"));
    let (expert, counsel) = (expert.to_str().unwrap(), counsel.to_str().unwrap());
    let o = scelle_with(PASS)
        .arg("init")
        .arg(&case)
        .args([
            "--case-id",
            "TL-1",
            "--title",
            "Timeline",
            "--court",
            "Test Court",
        ])
        .args(["--key", expert])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let name = "maitre.nunez-lefevre";
    let (a, b) = (tmp.path().join("a.bin"), tmp.path().join("b.bin"));
    std::fs::write(&a, b"image a").unwrap();
    std::fs::write(&b, b"image b").unwrap();
    let pub_key = keys.join("counsel.pub");
    for (args, code) in [
        (
            vec![
                "seal",
                a.to_str().unwrap(),
                b.to_str().unwrap(),
                "--key",
                expert,
            ],
            0,
        ),
        (
            vec![
                "key",
                "enrol",
                pub_key.to_str().unwrap(),
                "--name",
                name,
                "--role",
                "counsel",
                "--key",
                expert,
            ],
            0,
        ),
        (
            vec![
                "release",
                "E-0001",
                "E-0002",
                "--to",
                name,
                "--purpose",
                "review",
                "--key",
                expert,
            ],
            0,
        ),
        (vec!["accept", "E-0001", "E-0002", "--key", counsel], 1),
        (
            vec![
                "release",
                "E-0001",
                "--to",
                "expert",
                "--purpose",
                "back",
                "--key",
                counsel,
            ],
            0,
        ),
    ] {
        if args[0] == "accept" {
            std::fs::write(&b, b"image B").unwrap();
        }
        let o = scelle(&case, &args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{args:?}: {}{}",
            text(&o),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let norm = |s: &str| {
        s.replace(['\u{a0}', '\u{202f}'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for lang in ["en", "fr", "es"] {
        let pdf = tmp.path().join(format!("report-{lang}.pdf"));
        let o = scelle(
            &case,
            &[
                "report",
                "expert-report",
                "--lang",
                lang,
                "--jurisdiction",
                "us",
                "--input",
                &input("en"),
                "--out",
                pdf.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "{lang}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let t = norm(&text(&tool("pdftotext", &[pdf.to_str().unwrap(), "-"])));
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("templates/{lang}/labels.toml"));
        let labels: toml::Value = std::fs::read_to_string(path).unwrap().parse().unwrap();
        let word = |k: &str| norm(labels["timeline"][k].as_str().unwrap());
        let figure = |id: &str| {
            let start = t
                .find(&format!("{} {id}", word("exhibit")))
                .unwrap_or_else(|| panic!("{lang}: no figure for {id} in {t}"));
            let end = start + t[start..].find(&word("axis")).unwrap();
            t[start..end].to_string()
        };
        let (one, two) = (figure("E-0001"), figure("E-0002"));
        for f in [&one, &two] {
            assert!(
                f.contains(name) && f.contains("expert"),
                "{lang}: lanes in {f}"
            );
        }
        assert_eq!(two.matches('\u{2260}').count(), 2, "{lang}: E-0002 {two}");
        assert_eq!(one.matches('\u{2260}').count(), 1, "{lang}: E-0001 {one}");
        assert!(one.contains(&word("pending")), "{lang}: {one}");
        assert!(!two.contains(&word("pending")), "{lang}: {two}");
        // the same report as PDF/A-1b passes Apache PDFBox Preflight, figures included
        let a1b = tmp.path().join(format!("report-{lang}-1b.pdf"));
        let o = scelle(
            &case,
            &[
                "report",
                "expert-report",
                "--lang",
                lang,
                "--jurisdiction",
                "us",
                "--input",
                &input("en"),
                "--pdfa",
                "1b",
                "--out",
                a1b.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "{lang}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let cp = [
            "pdfbox2.jar",
            "fontbox2.jar",
            "preflight.jar",
            "xmpbox.jar",
            "commons-logging.jar",
            "javax.activation.jar",
            "jaxb-api.jar",
        ]
        .map(|j| format!("/usr/share/java/{j}"))
        .join(":");
        let v = tool(
            "java",
            &[
                "-cp",
                &cp,
                "org.apache.pdfbox.preflight.Validator_A1b",
                a1b.to_str().unwrap(),
            ],
        );
        assert!(
            text(&v).contains("is a valid PDF/A-1b file"),
            "{lang}: {}{}",
            text(&v),
            String::from_utf8_lossy(&v.stderr)
        );
    }
}
