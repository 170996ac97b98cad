//! What a reader of the demo's documents (a clerk, an opposing expert) checks page by page,
//! by the text pdftotext extracts, for every document of the US, French and Spanish cases
//! in both variants: each page names the document's reference (UNE 197001 asks that every
//! page identify the report); the verification never reads "all checks passed" in a
//! document that prints a warning, and the certificate (which has no custody table) lists
//! the custody warnings it counts; signers and custodians are named by the full name bound
//! to their key (the name the expert signs with), their role in the document's language.

mod common;

use common::stderr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pages of a PDF, as pdftotext extracts them (form feed between pages).
fn pages(pdf: &Path) -> Vec<String> {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    assert!(o.status.success(), "{}", pdf.display());
    let text = String::from_utf8(o.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Every PDF the demo wrote, with its case number and language.
fn documents(dir: &Path) -> Vec<(PathBuf, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (sub, case, lang) in [
        ("us", "3:21-cv-09078-JD", "en"),
        ("fr", "2123/21/7", "fr"),
        ("es", "DP 150/2022", "es"),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("reports").join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
        files.sort();
        assert!(files.len() >= 4, "{sub}: {files:?}");
        out.extend(files.into_iter().map(|f| (f, case, lang)));
    }
    out
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    (tmp, dir)
}

#[test]
fn every_page_names_the_document_and_no_all_clear_sits_next_to_a_warning() {
    let (_tmp, dir) = demo();
    for (pdf, case, lang) in documents(&dir) {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let code = match name.split('-').next().unwrap() {
            "expert" => "IP",
            "certificate" => "CERT",
            "seals" => "SCEL",
            "custody" => "CC",
            other => panic!("{other}: unknown document"),
        };
        let pages = pages(&pdf);
        assert!(pages.len() > 1, "{name}: {} page(s)", pages.len());

        // The reference as the first page's heading table prints it.
        let prefix = format!("{case}-{code}-{}-", lang.to_uppercase());
        let at = pages[0]
            .find(&prefix)
            .unwrap_or_else(|| panic!("{name}: no reference {prefix}… on page 1"));
        let digits: String = pages[0][at + prefix.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(digits.len() >= 4, "{name}: reference {prefix}{digits}");
        let reference = format!("{prefix}{digits}");
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains(&reference),
                "{name}, page {}: the reference {reference} is missing:\n{page}",
                i + 1
            );
        }

        // No all-clear in a document that prints a warning.
        let text = pages.concat();
        let (all_clear, warning) = match lang {
            "en" => ("all checks passed", "WARNING"),
            "fr" => ("toutes les vérifications sont conformes", "AVERTISSEMENT"),
            _ => ("todas las comprobaciones son correctas", "ADVERTENCIA"),
        };
        // Signers by their full name and translated role, never by the key's name alone
        // ("expert (expert)", "Sealed by: expert, 2026-…").
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let role = if lang == "es" { "perito" } else { "expert" };
        for bad in [
            "expert (expert)",
            "counsel (counsel)",
            "expert, 20",
            "expert, le 20",
            "expert, el 20",
            "firmada por expert",
            "signée par expert",
            "signed by expert",
        ] {
            assert!(!flat.contains(bad), "{name}: {bad:?} in {flat}");
        }
        if code != "CERT" {
            let signer = format!("Jean-Marc Dupré ({role})");
            assert!(flat.contains(&signer), "{name}: no {signer:?} in {flat}");
        }
        // French typography: a space before « ; » in lists too (files, persons present).
        if lang == "fr" {
            assert!(
                !flat.contains(".txt;") && !flat.contains("(fictive);"),
                "{name}: « ; » without its space in {flat}"
            );
        }
        // Numbers agree with their words: no "match(es)", "scan(s)", "entry(ies)",
        // « correspondance(s) », « la(s) búsqueda(s) ».
        for hack in ["(s)", "(es)", "(ies)", "la ou les"] {
            assert!(!flat.contains(hack), "{name}: {hack:?} in {flat}");
        }
        // A missing fact, in words that agree with any label: « information non consignée »
        // (never « Horloge : non consigné »), « no consta » (never « Herramienta: no
        // consignado »).
        match lang {
            "fr" => {
                // One name for the ledger throughout.
                assert!(!flat.contains("registre de preuve "), "{name}");
                assert!(flat.contains("registre de preuves"), "{name}");
                assert_eq!(
                    flat.matches("non consigné").count(),
                    flat.matches("non consignée").count(),
                    "{name}: « non consigné » after a label it may not agree with: {flat}"
                );
                assert!(flat.contains("information non consignée"), "{name}");
            }
            "es" => {
                // One name for the ledger, « asiento » for its entries, throughout.
                assert!(!flat.contains("registro de evidencias"), "{name}");
                assert!(flat.contains("registro de pruebas"), "{name}");
                assert!(!flat.contains("entrada"), "{name}: « entrada » in {flat}");
                assert!(!flat.contains("no consignado"), "{name}: {flat}");
                assert!(flat.contains("no consta"), "{name}");
            }
            _ => {}
        }
        if text.contains(warning) {
            assert!(
                !text.contains(all_clear),
                "{name}: « {all_clear} » next to a {warning}"
            );
        }
    }

    // The US certificate has no custody table: it lists the custody warnings it counts (the
    // demo signs its acts within a second, and seals years after the acquisition).
    let cert = pages(&dir.join("reports/us/certificate-en.pdf")).concat();
    for w in ["WARNING", "implausibly quick", "after the acquisition"] {
        assert!(cert.contains(w), "certificate-en.pdf: no {w:?}");
    }
    // One person, one name: the demo's acquisition was made by the expert who signs the
    // report, before the counsel whose key accepted the exhibits, both by their full names.
    let flat = cert.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Jean-Marc Dupré (forensic expert, Example Forensics LLC)",
        "María José Núñez Peña (counsel for plaintiff)",
    ] {
        assert!(flat.contains(want), "certificate-en.pdf: no {want:?}");
    }
    // The persons who sign the French seals record are those the ledger records as present
    // at the opening and re-sealing (art. 163 and 166).
    let seals = pages(&dir.join("reports/fr/seals-fr.pdf")).concat();
    let flat = seals.split_whitespace().collect::<Vec<_>>().join(" ");
    // (French typography: a space before « ; », as before « : ».)
    let present = "Personnes présentes : Capitaine Élodie Marchal, officier de police judiciaire (fictive) ; Hélène Lefèvre";
    assert!(flat.contains(present), "seals-fr.pdf: {flat}");
    // Each of them and the greffier signs the record, with a date of their own to write
    // (the document's date is the expert's).
    for signs in [
        "Capitaine Élodie Marchal, officier de police judiciaire (fictive) Personne présente Date de la signature : ____",
        "Hélène Lefèvre, technicienne du laboratoire (fictive) Personne présente Date de la signature : ____",
        "Greffier du juge d'instruction Date de la signature : ____",
    ] {
        assert!(flat.contains(signs), "seals-fr.pdf: no {signs:?} in {flat}");
    }
    let custody = pages(&dir.join("reports/es/custody-es.pdf")).concat();
    let flat = custody.split_whitespace().collect::<Vec<_>>().join(" ");
    for signs in [
        "Persona presente Fecha de la firma: ____",
        "Letrado de la Administración de Justicia Fecha de la firma: ____",
    ] {
        assert!(
            flat.contains(signs),
            "custody-es.pdf: no {signs:?} in {flat}"
        );
    }
    // Three exhibits without a source hash: "these copies with their originals".
    let flat_cert = cert.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat_cert.contains("does not compare these copies with their originals"),
        "certificate-en.pdf: {flat_cert}"
    );
    // The counsel who accepted the exhibits, by the full name bound to the counsel key.
    let report = pages(&dir.join("reports/us/expert-report-en.pdf")).concat();
    let flat = report.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("María José Núñez Peña (counsel)"),
        "expert-report-en.pdf: {flat}"
    );
    // The drawn timeline names its lanes as the tables name the custodians.
    let drawn = flat
        .split("Custody timeline")
        .nth(1)
        .and_then(|t| t.split("Numbers above").next())
        .expect("expert-report-en.pdf: a custody timeline");
    for want in ["Jean-Marc Dupré", "María José Núñez Peña"] {
        assert!(drawn.contains(want), "timeline: no {want:?} in {drawn}");
    }
    assert!(
        !drawn.contains("counsel"),
        "timeline: a key's name in {drawn}"
    );
}

/// A document signed with one name and recorded by another person's key is refused (exit 2,
/// both names in the message, no file, the ledger unchanged); with the key holder's own full
/// name it is written.
#[test]
fn the_input_expert_name_must_be_the_signing_key_holder_full_name() {
    let (tmp, dir) = demo();
    let case = dir.join("case");
    let key = dir.join("keys/expert.key");
    let input = std::fs::read_to_string(format!(
        "{}/examples/demo/report-en.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(input.contains("name = \"Jean-Marc Dupré\""));
    let other = tmp.path().join("other.toml");
    std::fs::write(
        &other,
        input.replacen(
            "name = \"Jean-Marc Dupré\"",
            "name = \"Jean Marc Dupre\"",
            1,
        ),
    )
    .unwrap();
    let run = |file: &Path, out: &Path| {
        common::scelle_with("demo passphrase, not a secret")
            .arg("-C")
            .arg(&case)
            .args(["report", "expert-report", "--lang", "en", "--input"])
            .arg(file)
            .arg("--out")
            .arg(out)
            .arg("--key")
            .arg(&key)
            .output()
            .unwrap()
    };
    let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
    let out = tmp.path().join("other.pdf");
    let o = run(&other, &out);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for w in ["expert.name", "Jean Marc Dupre", "Jean-Marc Dupré"] {
        assert!(err.contains(w), "{w:?} missing from: {err}");
    }
    assert!(!out.exists(), "written");
    assert!(
        !tmp.path().join("other-filing.pdf").exists(),
        "filing variant written"
    );
    assert_eq!(
        std::fs::read(case.join("ledger.jsonl")).unwrap(),
        before,
        "recorded"
    );
    // Control: the key holder's own name (spaces aside) is accepted.
    std::fs::write(
        &other,
        input.replacen(
            "name = \"Jean-Marc Dupré\"",
            "name = \"Jean-Marc  Dupré \"",
            1,
        ),
    )
    .unwrap();
    let o = run(&other, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.exists());
}

/// A rotated key keeps its holder's full name: after `key rotate`, the keys table names the
/// successor as it named the old key ("Jean-Marc Dupré (key expert)", twice), and a report
/// recorded with the successor is still checked against that name.
#[test]
fn a_rotated_key_keeps_its_holders_full_name() {
    let (tmp, dir) = demo();
    let case = dir.join("case");
    let pass = "demo passphrase, not a secret";
    let new = common::key_pair(&tmp.path().join("new"), pass, "expert", Some("expert"));
    let o = common::scelle_with(pass)
        .arg("-C")
        .arg(&case)
        .args(["key", "rotate", "--old"])
        .arg(dir.join("keys/expert.key"))
        .arg("--new")
        .arg(new.with_extension("pub"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("after-rotation.pdf");
    let o = common::scelle_with(pass)
        .arg("-C")
        .arg(&case)
        .args(["report", "expert-report", "--lang", "en", "--input"])
        .arg(format!(
            "{}/examples/demo/report-en.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg("--out")
        .arg(&out)
        .arg("--key")
        .arg(&new)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let flat = pages(&out)
        .concat()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // The name cell may wrap after "Jean-Marc" (the columns' widths follow the random new
    // key's fingerprint), and pdftotext then reads the role cell ("expert") in between.
    let named = flat.matches("Jean-Marc Dupré (key expert)").count()
        + flat.matches("Jean-Marc expert Dupré (key expert)").count();
    assert_eq!(named, 2, "the old key and its successor: {flat}");
}
