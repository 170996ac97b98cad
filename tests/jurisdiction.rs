//! Each document follows its case's jurisdiction: the demo renders the US, French and Spanish
//! documents for the US, French and Spanish cases; a document of another jurisdiction is
//! refused; a document missing a required field is refused and names it. Refused means exit 2,
//! no file written, nothing recorded. Checked by the text pdftotext extracts.

mod common;

use common::{scelle_with, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "demo passphrase, not a secret";

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    assert!(o.status.success(), "{}", pdf.display());
    String::from_utf8(o.stdout).unwrap()
}

fn input(lang: &str) -> String {
    format!(
        "{}/examples/demo/report-{lang}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn report(case: &Path, key: &Path, args: &[&str]) -> Output {
    scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .arg("report")
        .args(args)
        .arg("--key")
        .arg(key)
        .output()
        .unwrap()
}

/// A refusal: exit 2, each of `words` in the message, no PDF, the ledger unchanged.
fn refused(o: &Output, out: &Path, ledger_before: &[u8], case: &Path, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{}{err}", stdout(o));
    for w in words {
        assert!(err.contains(w), "{w:?} missing from: {err}");
    }
    assert!(!out.exists(), "{} written", out.display());
    assert_eq!(
        std::fs::read(case.join("ledger.jsonl")).unwrap(),
        ledger_before,
        "recorded"
    );
}

struct Demo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    Demo { _tmp: tmp, dir }
}

/// What marks a document of each jurisdiction, and what must never appear in another's.
const US_MARKS: &[&str] = &[
    "U.S.C.",
    "3:21-cv-09078-JD",
    "Northern District of California",
];
const FR_MARKS: &[&str] = &[
    "2123/21/7",
    "Tribunal judiciaire de Paris",
    "juge d'instruction",
];
const ES_MARKS: &[&str] = &[
    "DP 150/2022",
    "Audiencia Nacional",
    "Juzgado Central de Instrucción",
];
/// Placeholders and sample markers that never reach a recorded document.
const UNFINISHED: &[&str] = &[
    "[to be completed",
    "[à compléter",
    "[a completar",
    "(demo)",
    "(démonstration)",
    "(demostración)",
    "Rule: and",
    "under .",
];

#[test]
fn the_demo_renders_each_case_in_its_jurisdiction_and_refuses_the_others() {
    let d = demo();
    let key = d.dir.join("keys/expert.key");
    let docs = [
        ("us/expert-report-en.pdf", US_MARKS, [FR_MARKS, ES_MARKS]),
        ("us/certificate-en.pdf", US_MARKS, [FR_MARKS, ES_MARKS]),
        ("fr/expert-report-fr.pdf", FR_MARKS, [US_MARKS, ES_MARKS]),
        ("fr/seals-fr.pdf", FR_MARKS, [US_MARKS, ES_MARKS]),
        ("es/expert-report-es.pdf", ES_MARKS, [US_MARKS, FR_MARKS]),
        ("es/custody-es.pdf", ES_MARKS, [US_MARKS, FR_MARKS]),
    ];
    for (file, own, others) in docs {
        let t = pdf_text(&d.dir.join("reports").join(file));
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        for m in own {
            assert!(flat.contains(m), "{file}: {m:?} missing");
        }
        // The US report's correlation annex names the Spanish case it was compared with;
        // nothing before it belongs to another jurisdiction.
        let body = flat
            .split("Annex: correlation of indicators across cases")
            .next()
            .unwrap();
        for m in others.iter().flat_map(|o| o.iter()) {
            assert!(!body.contains(m), "{file}: {m:?} of another jurisdiction");
        }
        for m in UNFINISHED {
            assert!(!flat.contains(m), "{file}: {m:?}");
        }
    }
    // The French elements: the commission with its date and magistrate; the Spanish: the
    // Juzgado Central and the DP number.
    let fr = pdf_text(&d.dir.join("reports/fr/expert-report-fr.pdf"));
    let fr = fr.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "N° d'instruction 2123/21/7",
        "Ordonnance de commission d'expert du 26 juillet 2021, Mme Claire Exemple, juge d'instruction au tribunal judiciaire de Paris",
        "code de procédure pénale",
        // CPP art. 160: the oath of an expert not on a list, in full.
        "apporter mon concours à la justice, d'accomplir ma mission, de faire mon rapport et de donner mon avis en mon honneur et en ma conscience",
    ] {
        assert!(fr.contains(want), "{want:?} missing from the French report");
    }
    let seals = pdf_text(&d.dir.join("reports/fr/seals-fr.pdf"));
    let seals = seals.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        seals.contains(
            "Ordonnance de commission Ordonnance de commission d'expert du 26 juillet 2021"
        ),
        "{seals}"
    );
    assert!(seals.contains("UN BIS"), "the re-made scellé");
    let es = pdf_text(&d.dir.join("reports/es/expert-report-es.pdf"));
    let es = es.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "N.º de procedimiento DP 150/2022",
        "Juzgado Central de Instrucción n.º 4, Audiencia Nacional",
        "Ley de Enjuiciamiento Criminal",
        // LEC art. 335.2, stated of the expert in the third person.
        "El perito manifiesta, bajo juramento o promesa de decir verdad, que ha actuado y, en su caso, actuará con la mayor objetividad posible",
    ] {
        assert!(
            es.contains(want),
            "{want:?} missing from the Spanish report"
        );
    }

    // Documents of another jurisdiction are refused, whatever the language, nothing written or
    // recorded; the message names the document, the case's jurisdiction and what to use.
    let tmp = tempfile::tempdir().unwrap();
    for (case, doc, lang, words) in [
        (
            "case-fr",
            "certificate",
            "en",
            &["certificate", "FRE 902(14)", "French case", "seals"][..],
        ),
        (
            "case-fr",
            "certificate",
            "fr",
            &["certificate", "French case"][..],
        ),
        (
            "case-fr",
            "custody",
            "fr",
            &["custody", "French case", "seals"][..],
        ),
        (
            "case-es",
            "seals",
            "es",
            &["seals", "Spanish case", "custody"][..],
        ),
        (
            "case-es",
            "certificate",
            "es",
            &["certificate", "Spanish case"][..],
        ),
        (
            "case",
            "seals",
            "en",
            &["seals", "US case", "certificate"][..],
        ),
        (
            "case",
            "custody",
            "en",
            &["custody", "US case", "certificate"][..],
        ),
    ] {
        let case = d.dir.join(case);
        let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
        let out = tmp.path().join(format!("{doc}-{lang}.pdf"));
        let o = report(
            &case,
            &key,
            &[
                doc,
                "--lang",
                lang,
                "--input",
                &input(lang),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        refused(&o, &out, &before, &case, words);
    }
    // --jurisdiction cannot make a French case's document a US one.
    let case = d.dir.join("case-fr");
    let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
    let out = tmp.path().join("override.pdf");
    let o = report(
        &case,
        &key,
        &[
            "expert-report",
            "--lang",
            "en",
            "--jurisdiction",
            "us",
            "--input",
            &input("en"),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    refused(
        &o,
        &out,
        &before,
        &case,
        &["--jurisdiction us", "French case"],
    );

    // The language is free: an English translation of the French case's report is the French
    // jurisdiction's document, fully filled, and recorded.
    let out = tmp.path().join("fr-in-english.pdf");
    let o = report(
        &case,
        &key,
        &[
            "expert-report",
            "--lang",
            "en",
            "--input",
            &input("fr"),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = pdf_text(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "2123/21/7",
        "July 26, 2021",
        "Claire Exemple",
        "Tribunal judiciaire de Paris",
    ] {
        assert!(
            t.contains(want),
            "{want:?} missing from the English translation"
        );
    }
    for m in US_MARKS.iter().chain(UNFINISHED) {
        assert!(
            !t.contains(m),
            "{m:?} in the English translation of the French report"
        );
    }
    // Every admitted document of every case, in every language: its case's elements, none of
    // another jurisdiction's, no placeholder, recorded.
    for (case, juris_input, own, others, docs) in [
        (
            "case",
            "en",
            US_MARKS,
            [FR_MARKS, ES_MARKS],
            ["expert-report", "certificate"],
        ),
        (
            "case-fr",
            "fr",
            FR_MARKS,
            [US_MARKS, ES_MARKS],
            ["expert-report", "seals"],
        ),
        (
            "case-es",
            "es",
            ES_MARKS,
            [US_MARKS, FR_MARKS],
            ["expert-report", "custody"],
        ),
    ] {
        let case = d.dir.join(case);
        for doc in docs {
            for lang in ["en", "fr", "es"] {
                let out = tmp
                    .path()
                    .join(format!("all-{juris_input}-{doc}-{lang}.pdf"));
                let o = report(
                    &case,
                    &key,
                    &[
                        doc,
                        "--lang",
                        lang,
                        "--input",
                        &input(juris_input),
                        "--out",
                        out.to_str().unwrap(),
                    ],
                );
                assert!(o.status.success(), "{doc} {lang}: {}", stderr(&o));
                assert!(stdout(&o).contains("recorded at entry"), "{}", stdout(&o));
                let t = pdf_text(&out)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                for m in own {
                    assert!(t.contains(m), "{juris_input} {doc} {lang}: {m:?} missing");
                }
                // (No --correlate: no annex naming another case.)
                for m in others.iter().flat_map(|o| o.iter()).chain(UNFINISHED) {
                    assert!(!t.contains(m), "{juris_input} {doc} {lang}: {m:?}");
                }
            }
        }
    }
}

#[test]
fn a_missing_or_placeholder_field_is_named_and_nothing_is_recorded() {
    let d = demo();
    let key = d.dir.join("keys/expert.key");
    let tmp = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(input("fr")).unwrap();
    let case = d.dir.join("case-fr");
    // Without the magistrate, the order's date and the place of signature.
    let cut: String = full
        .lines()
        .filter(|l| {
            !l.starts_with("magistrate") && !l.starts_with("order_date") && !l.starts_with("place")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let demo_marked = full.replace(
        "order = \"Ordonnance de commission d'expert\"",
        "order = \"Ordonnance de commission d'expert (démonstration)\"",
    );
    let placeholder = full.replace(
        "qualifications = \"Quinze ans",
        "qualifications = \"[à compléter par l'expert] Quinze ans",
    );
    for (name, text, doc, words) in [
        (
            "cut",
            &cut,
            "seals",
            &[
                "mission.magistrate",
                "mission.order_date",
                "expert.place",
                "nothing was rendered or recorded",
            ][..],
        ),
        (
            "cut",
            &cut,
            "expert-report",
            &["mission.magistrate", "mission.order_date"][..],
        ),
        (
            "demo",
            &demo_marked,
            "seals",
            &["mission.order", "placeholder or demo text"][..],
        ),
        (
            "placeholder",
            &placeholder,
            "expert-report",
            &["expert.qualifications"][..],
        ),
        (
            "empty",
            &String::new(),
            "expert-report",
            &["expert.name", "sections.findings", "mission.questions"][..],
        ),
    ] {
        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
        let out = tmp.path().join(format!("{name}-{doc}.pdf"));
        let o = report(
            &case,
            &key,
            &[
                doc,
                "--lang",
                "fr",
                "--input",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        refused(&o, &out, &before, &case, words);
    }
    // A US case: the FRCP 26(a)(2)(B) items are required of the expert report, the
    // qualification of the certificate.
    let case = d.dir.join("case");
    let en = std::fs::read_to_string(input("en")).unwrap();
    let cut: String = en
        .lines()
        .filter(|l| !l.starts_with("compensation") && !l.starts_with("qualifications"))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = tmp.path().join("us-cut.toml");
    std::fs::write(&file, cut).unwrap();
    for (doc, words) in [
        (
            "expert-report",
            &[
                "expert.compensation",
                "26(a)(2)(B)",
                "expert.qualifications",
            ][..],
        ),
        ("certificate", &["expert.qualifications", "902(14)"][..]),
    ] {
        let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
        let out = tmp.path().join(format!("us-{doc}.pdf"));
        let o = report(
            &case,
            &key,
            &[
                doc,
                "--lang",
                "en",
                "--input",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        refused(&o, &out, &before, &case, words);
    }
}
