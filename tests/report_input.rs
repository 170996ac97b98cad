//! The expert's input file: `report --input` refuses unknown keys and wrong types, naming the
//! key and the line (exit 2, nothing written or recorded); `report init-input` writes a
//! commented blank file, in the chosen language, that validates once filled and renders.

mod common;

use common::{key_pair, run, scelle, snapshot, stderr, stdout, text, PASS};
use scelle::report::input::{key, SCHEMA};
use scelle::report::DocumentKind;
use scelle::{Jurisdiction, Lang};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A case with one sealed file and its expert's key.
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Fixture {
    fn new(jurisdiction: &str) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        key_pair(&root.join("keys"), PASS, "expert", Some("expert"));
        let key = root.join("keys/expert.key");
        let case = root.join("case");
        let o = run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "3:21-cv-09078-JD",
            "--title",
            "Apple Inc. v. NSO Group Technologies",
            "--jurisdiction",
            jurisdiction,
            "--key",
            key.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        std::fs::write(root.join("report.txt"), b"acquisition report\n").unwrap();
        let f = Fixture {
            _tmp: tmp,
            root,
            case,
            key,
        };
        let o = f.scelle(&["seal", "report.txt", "--key", f.key.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        f
    }

    fn scelle(&self, args: &[&str]) -> Output {
        scelle()
            .current_dir(&self.root)
            .arg("-C")
            .arg(&self.case)
            .args(args)
            .output()
            .unwrap()
    }

    /// `report expert-report --lang en` with `input` as the input file, recorded with the key.
    fn report_with(&self, input: &str, lang: &str) -> Output {
        std::fs::write(self.root.join("in.toml"), input).unwrap();
        self.scelle(&[
            "report",
            "expert-report",
            "--lang",
            lang,
            "--input",
            "in.toml",
            "--out",
            "doc.pdf",
            "--key",
            self.key.to_str().unwrap(),
        ])
    }
}

/// Refused with exit 2 and every `needle` in the message; nothing written, nothing recorded.
fn refused(input: &str, needles: &[&str]) {
    let f = Fixture::new("us");
    let before = snapshot(&f.case);
    let o = f.report_with(input, "en");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    for n in needles {
        assert!(stderr(&o).contains(n), "expected {n:?} in {}", stderr(&o));
    }
    assert_eq!(snapshot(&f.case), before, "the case changed");
    assert!(!f.root.join("doc.pdf").exists(), "a PDF was written");
}

#[test]
fn a_string_where_a_list_is_expected_is_refused_with_key_and_line() {
    refused(
        "[expert]\nname = \"Jane Roe\"\n\n[mission]\nquestions = \"Was the device compromised?\"\n",
        &["in.toml:5: key \"mission.questions\": expected a list of strings, found a string"],
    );
}

#[test]
fn an_unknown_key_is_refused_with_a_suggestion() {
    refused(
        "[expert]\nname = \"Jane Roe\"\nqualification = \"Fifteen years\"\n",
        &[
            "in.toml:3: key \"expert.qualification\" is not a key of the report input",
            "did you mean \"expert.qualifications\"?",
        ],
    );
}

#[test]
fn a_wrong_nested_type_is_refused_with_key_and_line() {
    refused(
        "[mission]\nanswers = [\"No.\", 42]\n\n[sections]\nfindings = [\"one\"]\n",
        &[
            "in.toml:2: key \"mission.answers\": expected a list of strings, found an integer",
            "in.toml:5: key \"sections.findings\": expected a string, found a list",
        ],
    );
}

#[test]
fn the_demo_inputs_validate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    for lang in ["en", "fr", "es"] {
        let p = dir.join(format!("report-{lang}.toml"));
        scelle::report::read_input(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
}

/// Fills every blank of an `init-input` file: each `""` and `[]` gets a value naming its key.
fn fill(blank: &str) -> String {
    blank
        .lines()
        .map(|l| match l.split_once(" = ") {
            // A date field takes a date (expert.oath_date is checked as one).
            Some((k, "\"\"")) if !l.starts_with('#') && k.ends_with("_date") => {
                format!("{k} = \"2026-01-14\"")
            }
            Some((k, "\"\"")) if !l.starts_with('#') => format!("{k} = \"Valeur {k} é\""),
            Some((k, "[]")) if !l.starts_with('#') => format!("{k} = [\"Élément {k}\"]"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn init_input(f: &Fixture, lang: Lang, doc: DocumentKind, j: Jurisdiction, out: &str) -> Output {
    f.scelle(&[
        "report",
        "init-input",
        "--lang",
        lang.code(),
        "--document",
        doc.name(),
        "--jurisdiction",
        j.code(),
        "--out",
        out,
    ])
}

#[test]
fn init_input_writes_every_key_of_the_document_commented_in_its_language() {
    let f = Fixture::new("us");
    for lang in Lang::ALL {
        for doc in DocumentKind::ALL {
            for j in Jurisdiction::ALL {
                let name = format!("{}-{}-{}.toml", doc.name(), lang.code(), j.code());
                let o = init_input(&f, lang, doc, j, &name);
                assert!(o.status.success(), "{}", text(&o));
                let blank = std::fs::read_to_string(f.root.join(&name)).unwrap();
                let parsed: toml::Value = blank.parse().unwrap_or_else(|e| panic!("{e}\n{blank}"));
                // Every key the document reads, each after its comment in this language.
                for k in SCHEMA.iter().filter(|k| k.used_by(doc, j)) {
                    let (table, leaf) = match k.path.split_once('.') {
                        Some((t, l)) => (t, Some(l)),
                        None => (k.path, None),
                    };
                    if table == "params" {
                        assert!(blank.contains(&format!("# {}\n", k.doc(lang))), "{blank}");
                        continue;
                    }
                    let line = match leaf {
                        Some(l) => format!("# {}\n{l} = ", k.doc(lang)),
                        None => format!("# {}\n[{table}]\n", k.doc(lang)),
                    };
                    assert!(blank.contains(&line), "{name}: no {line:?} in\n{blank}");
                    let v = leaf.map_or(parsed.get(table), |l| {
                        parsed.get(table).and_then(|t| t.get(l))
                    });
                    assert!(v.is_some(), "{name}: {} missing", k.path);
                }
                // A key the document does not read is left out.
                for k in SCHEMA.iter().filter(|k| !k.used_by(doc, j)) {
                    if let Some((t, l)) = k.path.split_once('.') {
                        assert!(
                            parsed.get(t).and_then(|t| t.get(l)).is_none(),
                            "{name}: {} is not read by the document",
                            k.path
                        );
                    }
                }
                if lang != Lang::En {
                    for k in SCHEMA {
                        assert!(
                            !blank.contains(&format!("# {}\n", k.doc(Lang::En))),
                            "{name}: English comment for {}",
                            k.path
                        );
                    }
                }
                let filled = fill(&blank);
                scelle::report::parse_input(&filled, &name)
                    .unwrap_or_else(|e| panic!("{name} filled: {e}\n{filled}"));
            }
        }
    }
    let fr = std::fs::read_to_string(f.root.join("expert-report-fr-fr.toml")).unwrap();
    for words in [
        "# Données de l'expert pour le document expert-report (juridiction fr).",
        "# Lieu où le document est signé (« Fait à »).",
        "# Personnes qui ont assisté l'expert, une chaîne par personne (art. 166 du CPP).",
        "# Les questions posées à l'expert, une chaîne par question.",
        "# code = \"code de procédure pénale\"",
    ] {
        assert!(fr.contains(words), "{words:?} not in\n{fr}");
    }
    let es = std::fs::read_to_string(f.root.join("expert-report-es-es.toml")).unwrap();
    for words in [
        "# Datos del perito para el documento expert-report (jurisdicción es).",
        "# Las preguntas planteadas al perito, una cadena por pregunta.",
        "# Metodología, herramientas empleadas y su validación.",
    ] {
        assert!(es.contains(words), "{words:?} not in\n{es}");
    }
    let en = std::fs::read_to_string(f.root.join("expert-report-en-us.toml")).unwrap();
    assert!(
        en.contains("(FRCP 26(a)(2)(B)(vi)).\ncompensation = \"\""),
        "{en}"
    );
    assert!(!fr.contains("compensation"), "{fr}");
    assert!(!en.contains("assisted_by"), "{en}");
}

#[test]
fn a_filled_init_input_renders_its_values() {
    let f = Fixture::new("fr");
    let o = init_input(
        &f,
        Lang::Fr,
        DocumentKind::ExpertReport,
        Jurisdiction::Fr,
        "fr.toml",
    );
    assert!(o.status.success(), "{}", text(&o));
    let filled = fill(&std::fs::read_to_string(f.root.join("fr.toml")).unwrap());
    let o = f.report_with(&filled, "fr");
    assert!(o.status.success(), "{}", text(&o));
    let pdf = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(f.root.join("doc.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    let words = String::from_utf8(pdf.stdout).unwrap();
    for v in [
        "Valeur name é",
        "Élément questions",
        "Valeur methodology é",
        "Élément assisted_by",
    ] {
        assert!(words.contains(v), "{v:?} not in\n{words}");
    }
    // Without --jurisdiction, the case's (French) sections, whatever the language.
    let o = f.scelle(&[
        "report",
        "init-input",
        "--lang",
        "en",
        "--document",
        "expert-report",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let en = stdout(&o);
    assert!(en.contains("expert-report (fr jurisdiction)"), "{en}");
    assert!(en.contains("\nassisted_by = []"), "{en}");
    assert!(!en.contains("compensation"), "{en}");
}

#[test]
fn init_input_refuses_to_overwrite_without_force_and_prints_without_out() {
    let f = Fixture::new("us");
    std::fs::write(f.root.join("mine.toml"), "kept").unwrap();
    let args = |force: bool| {
        let mut a = vec![
            "report",
            "init-input",
            "--lang",
            "es",
            "--document",
            "certificate",
            "--out",
            "mine.toml",
        ];
        if force {
            a.push("--force");
        }
        a
    };
    let o = f.scelle(&args(false));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("mine.toml already exists"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(f.root.join("mine.toml")).unwrap(), b"kept");
    let o = f.scelle(&args(true));
    assert!(o.status.success(), "{}", text(&o));
    let written = std::fs::read_to_string(f.root.join("mine.toml")).unwrap();
    assert!(written.contains("[expert]"), "{written}");
    assert!(key("expert.qualifications").is_some());
    assert!(written.contains("qualifications = \"\""), "{written}");
    assert!(!written.contains("[mission]"), "{written}");
    let o = f.scelle(&[
        "report",
        "init-input",
        "--lang",
        "es",
        "--document",
        "certificate",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(stdout(&o), written);
}
