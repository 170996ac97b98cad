//! Oaths, declarations and signatures (issue 17), checked by the text pdftotext extracts from
//! each admitted document of the demo's three cases, in each language:
//!
//! - France (CPP art. 160, 166): the oath with the date of its record, or for an expert on a
//!   list the oath taken at registration; the persons who assisted the expert; « Je certifie
//!   avoir personnellement accompli les opérations … », « Fait à …, le … »; the seals record
//!   signed by the expert, the persons present and the greffier.
//! - Spain (LECrim art. 474, 338; LEC art. 335.2, 343): the criminal oath, the declaration of
//!   tachas, the report's reference, the custody record signed by the letrado de la
//!   Administración de Justicia.
//! - US (28 U.S.C. § 1746; FRCP 26(a)(2)(B); FRE 902(13), 902(14)): the declaration at the end,
//!   executed on a date at a place, signed "/s/ NAME"; the publications; the certificate cites
//!   902(14) for the copies and 902(13) for the ledger, not 902(11).
//! - Every document: the signing keys' whole fingerprints bound to their holders' full names,
//!   accents included, and the witness named.
//!
//! Missing required input is refused naming the field, exit 2, nothing written or recorded.

mod common;

use common::{scelle_with, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "demo passphrase, not a secret";
const EXPERT: &str = "Jean-Marc Dupré";
const COUNSEL: &str = "María José Núñez Peña";
const LANGS: [&str; 3] = ["en", "fr", "es"];

/// The extracted text, white space collapsed to single spaces.
fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    assert!(o.status.success(), "{}", pdf.display());
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn input(lang: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/demo/report-{lang}.toml"))
}

fn report(case: &Path, key: &Path, doc: &str, lang: &str, input: &Path, out: &Path) -> Output {
    scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .args(["report", doc, "--lang", lang, "--input"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--force")
        .arg("--key")
        .arg(key)
        .output()
        .unwrap()
}

/// Renders `doc` of `case` in `lang` with `input`; its text.
fn render(dir: &Path, out_dir: &Path, case: &str, doc: &str, lang: &str, input: &Path) -> String {
    let out = out_dir.join(format!("{case}-{doc}-{lang}.pdf"));
    let o = report(
        &dir.join(case),
        &dir.join("keys/expert.key"),
        doc,
        lang,
        input,
        &out,
    );
    assert!(o.status.success(), "{case} {doc} {lang}: {}", stderr(&o));
    pdf_text(&out)
}

/// The whole fingerprint the demo printed for key `name`.
fn fingerprint(demo_out: &str, name: &str) -> String {
    let line = demo_out
        .lines()
        .find(|l| l.trim_start().starts_with(name) && l.contains("fingerprint "))
        .unwrap_or_else(|| panic!("no fingerprint of {name} in: {demo_out}"));
    let fp = line
        .rsplit("fingerprint ")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(fp.len(), 64, "{line}");
    fp
}

/// `text` holds `fp` whole (a table cell may wrap it: white space is ignored).
fn has_whole(text: &str, fp: &str) -> bool {
    text.replace(' ', "").contains(fp)
}

fn all<'a>(text: &str, what: &str, wants: impl IntoIterator<Item = &'a str>) {
    for w in wants {
        assert!(text.contains(w), "{what}: {w:?} missing from: {text}");
    }
}

#[test]
fn each_document_is_sworn_declared_and_signed_as_its_law_asks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let demo_out = stdout(&o);
    let expert_fp = fingerprint(&demo_out, "expert");
    let counsel_fp = fingerprint(&demo_out, "counsel");
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();

    // Every document of every case in every language: the expert's full name in the
    // signature, the document's reference; where the document lists the keys, each key's whole
    // fingerprint with its holder's full name.
    for (case, juris, docs, case_id) in [
        (
            "case",
            "en",
            ["expert-report", "certificate"],
            "3:21-cv-09078-JD",
        ),
        ("case-fr", "fr", ["expert-report", "seals"], "2123/21/7"),
        ("case-es", "es", ["expert-report", "custody"], "DP 150/2022"),
    ] {
        for doc in docs {
            for lang in LANGS {
                let t = render(&dir, &out_dir, case, doc, lang, &input(juris));
                let what = format!("{case} {doc} {lang}");
                assert!(t.contains(EXPERT), "{what}: {t}");
                let code = match doc {
                    "expert-report" => "IP",
                    "certificate" => "CERT",
                    "seals" => "SCEL",
                    _ => "CC",
                };
                // The reference is derived from what the `report` entry records: the case,
                // the document, its language and the ledger size it reflects.
                let ledger = std::fs::read_to_string(dir.join(case).join("ledger.jsonl")).unwrap();
                let last: serde_json::Value =
                    serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
                assert_eq!(last["kind"], "report", "{what}");
                assert_eq!(last["body"]["document"], doc, "{what}");
                let reference = format!(
                    "{case_id}-{code}-{}-{:04}",
                    lang.to_uppercase(),
                    last["body"]["ledger_size"].as_u64().unwrap()
                );
                assert!(t.contains(&reference), "{what}: {reference:?} missing");
                if matches!(doc, "expert-report" | "custody") {
                    assert!(has_whole(&t, &expert_fp), "{what}: fingerprint of expert");
                    // The key's holder in full, then its key name ("(key expert)"; the
                    // extracted text may put the role cell's "expert" inside).
                    let bound = match lang {
                        "en" => "Jean-Marc Dupré (key ",
                        "fr" => "Jean-Marc Dupré (clé ",
                        _ => "Jean-Marc Dupré (clave ",
                    };
                    assert!(t.contains(bound), "{what}: {bound:?} missing");
                }
            }
        }
    }

    // US: the FRCP 26(a)(2)(B) publications; the § 1746 declaration closes the report and the
    // certificate, executed on a date at a place, signed /s/; the witness named with its key.
    for lang in LANGS {
        let t = render(&dir, &out_dir, "case", "expert-report", lang, &input("en"));
        let what = format!("US expert report {lang}");
        all(
            &t,
            &what,
            ["None in the previous ten years", "/s/ Jean-Marc Dupré"],
        );
        let decl = match lang {
            "en" => "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct. Executed on",
            "fr" => "Je déclare sous peine de parjure, selon les lois des États-Unis d'Amérique, que ce qui précède est vrai et exact",
            _ => "Declaro bajo pena de perjurio, conforme a las leyes de los Estados Unidos de América, que lo anterior es verdadero y exacto",
        };
        let at = t
            .rfind(decl)
            .unwrap_or_else(|| panic!("{what}: no declaration"));
        let limits = t
            .find("The artifacts are synthetic; no real device was examined.")
            .unwrap_or_else(|| panic!("{what}: no limitations"));
        assert!(at > limits, "{what}: the declaration is not at the end");
        let signed = t.rfind("/s/ Jean-Marc Dupré").unwrap();
        assert!(signed > at, "{what}: /s/ before the declaration");
        assert!(
            t[at..].contains("San Francisco, California"),
            "{what}: place"
        );
        // The witness that countersigned the checkpoint, named in full with its key.
        assert!(t.contains(COUNSEL), "{what}: witness");
        assert!(has_whole(&t, &counsel_fp), "{what}: witness fingerprint");

        let c = render(&dir, &out_dir, "case", "certificate", lang, &input("en"));
        let what = format!("US certificate {lang}");
        all(&c, &what, ["902(14)", "902(13)", "/s/ Jean-Marc Dupré"]);
        assert!(
            !c.contains("902(11)"),
            "{what}: 902(11) without the 803(6) elements"
        );
        let executed = match lang {
            "en" => "Executed on",
            "fr" => "Signé le",
            _ => "Firmado el",
        };
        let at = c
            .rfind(executed)
            .unwrap_or_else(|| panic!("{what}: {executed}"));
        assert!(
            c[at..].contains("San Francisco, California"),
            "{what}: place"
        );
        assert!(c.rfind("/s/ Jean-Marc Dupré").unwrap() > at, "{what}");
    }

    // France: the oath with the date of its record, the persons who assisted, the closing
    // certification and « Fait à … »; the seals record signed by each person present and the
    // greffier.
    for lang in LANGS {
        let t = render(
            &dir,
            &out_dir,
            "case-fr",
            "expert-report",
            lang,
            &input("fr"),
        );
        let what = format!("French report {lang}");
        let (oath_date, certify, done) = match lang {
            "en" => (
                "procès-verbal de prestation de serment of July 28, 2021",
                "I certify that I personally carried out the operations entrusted to me (article 166",
                "Done at Paris, on ",
            ),
            "fr" => (
                "selon procès-verbal de prestation de serment du 28 juillet 2021",
                "Je certifie avoir personnellement accompli les opérations qui m'ont été confiées (article 166",
                "Fait à Paris, le ",
            ),
            _ => (
                "(procès-verbal de prestation de serment) de 28 de julio de 2021",
                "Certifico haber realizado personalmente las operaciones que me fueron encomendadas (artículo 166",
                "Hecho en Paris, a ",
            ),
        };
        all(
            &t,
            &what,
            [
                "apporter mon concours à la justice",
                oath_date,
                certify,
                done,
                "Hélène Lefèvre",
            ],
        );
        assert!(
            t.find(certify).unwrap() < t.rfind(EXPERT).unwrap(),
            "{what}: signed after the certification"
        );
        let s = render(&dir, &out_dir, "case-fr", "seals", lang, &input("fr"));
        let what = format!("French seals {lang}");
        all(
            &s,
            &what,
            [
                "Capitaine Élodie Marchal",
                "François Bézier",
                "Greffier du juge d'instruction",
                match lang {
                    "en" => "sworn as recorded in the procès-verbal de prestation de serment of July 28, 2021",
                    "fr" => "serment prêté selon procès-verbal de prestation de serment du 28 juillet 2021",
                    _ => "juramento prestado según acta",
                },
                match lang {
                    "en" => "Drawn up at Paris, on",
                    "fr" => "Tableau arrêté à Paris, le",
                    _ => "Cerrado en Paris, a",
                },
            ],
        );
    }
    // An expert on a court's list: the oath taken at registration, not the formula.
    let listed = std::fs::read_to_string(input("fr")).unwrap().replace(
        "oath_date = \"2021-07-28\"",
        "listed = \"liste de la cour d'appel de Paris\"",
    );
    let listed_file = tmp.path().join("listed.toml");
    std::fs::write(&listed_file, listed).unwrap();
    for (lang, want) in [
        ("fr", "a prêté serment lors de son inscription"),
        ("en", "took the oath on registration"),
        ("es", "prestó juramento al inscribirse"),
    ] {
        let t = render(
            &dir,
            &out_dir,
            "case-fr",
            "expert-report",
            lang,
            &listed_file,
        );
        all(&t, lang, [want, "liste de la cour d'appel de Paris"]);
        assert!(!t.contains("apporter mon concours"), "{lang}: the formula");
    }

    // Spain: the oath of LECrim art. 474 and the promise of LEC art. 335.2, the declaration of
    // tachas (LEC art. 343), the closing place and date with the reference; the custody
    // record signed by the persons present and the letrado de la Administración de Justicia.
    for lang in LANGS {
        let t = render(
            &dir,
            &out_dir,
            "case-es",
            "expert-report",
            lang,
            &input("es"),
        );
        let what = format!("Spanish report {lang}");
        let (tachas, oath) = match lang {
            "en" => ("Declaration of Tachas", "article 474"),
            "fr" => ("Déclaration de tachas", "article 474"),
            _ => ("Declaración de tachas", "artículo 474"),
        };
        all(
            &t,
            &what,
            [
                tachas,
                oath,
                "343",
                "proceder bien y fielmente en sus operaciones",
                "con la mayor objetividad posible",
                "No concurre en el perito ninguna de las causas de tacha",
            ],
        );
        let c = render(&dir, &out_dir, "case-es", "custody", lang, &input("es"));
        all(
            &c,
            &format!("Spanish custody {lang}"),
            [
                "Begoña Sáez Muñoz",
                "Letrado de la Administración de Justicia",
                "Íñigo Martínez Ruiz",
            ],
        );
    }
    let t = render(
        &dir,
        &out_dir,
        "case-es",
        "expert-report",
        "es",
        &input("es"),
    );
    assert!(t.contains("En Madrid, a "), "{t}");
}

#[test]
fn a_missing_declaration_is_named_and_nothing_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let key = dir.join("keys/expert.key");
    for (case, juris, doc, drop, words) in [
        (
            "case-fr",
            "fr",
            "expert-report",
            "oath_date",
            &["expert.oath_date", "CPP art. 160", "expert.listed"][..],
        ),
        (
            "case-fr",
            "fr",
            "seals",
            "oath_date",
            &["expert.oath_date"][..],
        ),
        (
            "case-es",
            "es",
            "expert-report",
            "tachas",
            &["expert.tachas", "LEC art. 343"][..],
        ),
        (
            "case-es",
            "es",
            "custody",
            "officer",
            &["signatories.officer", "LECrim art. 338"][..],
        ),
        (
            "case",
            "en",
            "expert-report",
            "publications",
            &["expert.publications", "26(a)(2)(B)(iv)"][..],
        ),
        ("case", "en", "certificate", "place", &["expert.place"][..]),
    ] {
        let text: String = std::fs::read_to_string(input(juris))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with(&format!("{drop} =")))
            .map(|l| format!("{l}\n"))
            .collect();
        let file = tmp.path().join(format!("{case}-{doc}-{drop}.toml"));
        std::fs::write(&file, text).unwrap();
        let case = dir.join(case);
        let before = std::fs::read(case.join("ledger.jsonl")).unwrap();
        let out = tmp.path().join(format!("{doc}-{drop}.pdf"));
        let o = report(&case, &key, doc, juris, &file, &out);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{doc} without {drop}: {err}");
        for w in words {
            assert!(
                err.contains(w),
                "{doc} without {drop}: {w:?} missing from {err}"
            );
        }
        assert!(!out.exists());
        assert_eq!(std::fs::read(case.join("ledger.jsonl")).unwrap(), before);
    }
}

/// `init --full-name` and `key enrol --full-name` record the holder's full name with the key
/// (accents kept), `key list` shows it; a blank one is refused, exit 2, nothing created.
#[test]
fn a_full_name_is_recorded_with_its_key_and_a_blank_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    for name in ["expert", "counsel"] {
        let o = common::run(&[
            "key",
            "new",
            "--name",
            name,
            "--out",
            keys.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let case = tmp.path().join("case");
    let init = |full: &str| {
        common::run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "1",
            "--title",
            "T",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
            "--full-name",
            full,
        ])
    };
    let o = init("  ");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--full-name"), "{}", stderr(&o));
    assert!(!case.exists());
    let o = init(EXPERT);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = common::run(&[
        "-C",
        case.to_str().unwrap(),
        "key",
        "enrol",
        keys.join("counsel.pub").to_str().unwrap(),
        "--name",
        "counsel",
        "--role",
        "counsel",
        "--full-name",
        COUNSEL,
        "--key",
        keys.join("expert.key").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ledger = std::fs::read_to_string(case.join("ledger.jsonl")).unwrap();
    assert!(
        ledger.contains(&format!("\"full_name\":\"{EXPERT}\"")),
        "{ledger}"
    );
    assert!(
        ledger.contains(&format!("\"full_name\":\"{COUNSEL}\"")),
        "{ledger}"
    );
    let o = common::run(&["-C", case.to_str().unwrap(), "key", "list"]);
    let list = stdout(&o);
    assert!(list.contains(&format!("held by {EXPERT}")), "{list}");
    assert!(list.contains(&format!("held by {COUNSEL}")), "{list}");
}
