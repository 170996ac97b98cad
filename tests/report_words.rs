//! The words of the French and Spanish documents, read back with `pdftotext`: every document
//! of the demo's cases, in French and Spanish, under every jurisdiction's sections, prints no
//! raw label key (`events.ioc.scan`) and none of the English words scelle itself once wrote
//! there (command captions, verify's sentences, "mobile phone", "128 GB"); the titles are those
//! a court of the country expects, and the PDF's title (Info) follows.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const PASS: &str = "demo passphrase, not a secret";

fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed by this test (poppler-utils): {e}"));
    assert!(o.status.success(), "{name} {args:?}");
    String::from_utf8(o.stdout).unwrap()
}

/// The expert's input: every field the templates print.
const INPUT: &str = r#"
[expert]
name = "Jean-Marc Dupré"
place = "Paris"
qualifications = "Ingénieur, expert inscrit sur la liste de la cour d'appel de Paris."
organisation = "Laboratoire Exemple"
assisted_by = ["Claire Martin, technicienne"]
compensation = "350 EUR/h"
prior_testimony = "Néant."
publications = "Néant."
oath_date = "2026-03-04"
tachas = "No concurre ninguna."
[signatories]
present = ["Élodie Marchal, OPJ"]
officer = "Begoña Sáez"
[mission]
order = "Ordonnance de commission d'expert"
order_date = "2026-03-02"
magistrate = "Mme la juge d'instruction"
text = "Examiner le téléphone."
questions = ["Le téléphone a-t-il été compromis ?"]
answers = ["Oui."]
[sections]
methodology = "Méthode."
findings = "Constatations."
basis = "Fondements."
opinions = "Avis."
limitations = "Réserves."
"#;

/// Renders `doc` of `case` in `lang` under `jurisdiction`: its text (whitespace, no-break
/// spaces included, as single spaces) and its PDF title; `None` when scelle refuses the
/// combination with a clear error (exit 2: a document that does not fit the case).
fn render(
    case: &Path,
    doc: &str,
    lang: &str,
    jurisdiction: &str,
    out: &Path,
) -> Option<(String, String)> {
    let pdf = out.join(format!("{doc}-{lang}-{jurisdiction}.pdf"));
    let input = out.join("input.toml");
    std::fs::write(&input, INPUT).unwrap();
    let o = common::scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .args([
            "report",
            doc,
            "--lang",
            lang,
            "--jurisdiction",
            jurisdiction,
        ])
        .arg("--input")
        .arg(&input)
        .arg("--out")
        .arg(&pdf)
        .arg("--force")
        .output()
        .unwrap();
    if o.status.code() == Some(2) {
        eprintln!("refused: {doc} {lang} {jurisdiction}: {}", common::text(&o));
        return None;
    }
    assert!(
        o.status.success(),
        "{doc} {lang} {jurisdiction}: {}",
        common::text(&o)
    );
    let p = pdf.to_str().unwrap();
    let raw = tool("pdftotext", &[p, "-"]);
    if lang == "fr" {
        // French typography: a no-break space before « : ; ! ? » and inside guillemets, so
        // no line starts with one of them.
        for line in raw.lines() {
            assert!(
                !line
                    .trim_start()
                    .starts_with([':', ';', '!', '?', '\u{bb}']),
                "{doc} {lang} {jurisdiction}: a line starts with double punctuation: {line:?}"
            );
        }
    }
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = tool("pdfinfo", &[p])
        .lines()
        .find_map(|l| l.strip_prefix("Title:"))
        .unwrap_or_default()
        .trim()
        .to_string();
    Some((text, title))
}

/// Every `section.key` of a `labels.toml` (the keys a gap would print).
fn label_keys(labels: &toml::Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (section, v) in labels.as_table().unwrap() {
        if let Some(t) = v.as_table() {
            keys.extend(t.keys().map(|k| format!("{section}.{k}")));
        }
    }
    keys
}

/// English that scelle itself wrote into French and Spanish documents before they were
/// translated (none of it is in the demo's own data).
const ENGLISH: &[&str] = &[
    "Every artifact",
    "against its sealed",
    "without scelle",
    "re-hashed, with scelle",
    "checkpoint you hold",
    "CASE_DIR",
    "YOUR_CHECKPOINT",
    "warning:",
    "mobile phone",
    "full-file-system",
    "Scanned for",
    "Sealed (hashed",
    "Released to",
    "Accepted after",
    "Re-sealed under",
    "DISCREPANCY",
    "all checks passed",
    "(legacy)",
    "Hashed by",
    "Key id",
    "Record of Seals",
    "Chain of Custody",
];

#[test]
fn french_and_spanish_documents_print_no_label_key_and_no_english() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", common::text(&o));
    // A warning in the documents: the copy of the IOC file the scan pinned is gone.
    let case = dir.join("case");
    for f in std::fs::read_dir(case.join("ioc")).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut keys = BTreeSet::new();
    for lang in ["en", "fr", "es"] {
        let rel = format!("templates/{lang}/labels.toml");
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel)).unwrap();
        keys.extend(label_keys(&text.parse().unwrap()));
    }
    assert!(keys.contains("events.ioc.scan") && keys.contains("exhibits.seal_no"));
    let key_like = regex_lite_keys();
    // Every case the demo builds (the US one and the others).
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("ledger.jsonl").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 2, "{cases:?}");
    let mut rendered = BTreeSet::new();
    for case in &cases {
        let ledger = std::fs::read_to_string(case.join("ledger.jsonl")).unwrap();
        let here = out.join(case.file_name().unwrap());
        std::fs::create_dir_all(&here).unwrap();
        for doc in ["expert-report", "certificate", "seals", "custody"] {
            for lang in ["fr", "es"] {
                for jurisdiction in ["us", "fr", "es"] {
                    let Some((text, title)) = render(case, doc, lang, jurisdiction, &here) else {
                        continue;
                    };
                    rendered.insert((doc, lang));
                    let what = format!("{} {doc} {lang} {jurisdiction}", case.display());
                    for k in key_like(&text) {
                        assert!(!keys.contains(&k), "{what}: raw label key {k:?}:\n{text}");
                    }
                    for w in ENGLISH {
                        assert!(!text.contains(w), "{what}: English {w:?}:\n{text}");
                    }
                    // Article ranges of another country's code, in this language's words
                    // ("articles 456 à 485", "artículos 56 y 97"), never the other's.
                    let foreign: &[&str] = if lang == "fr" {
                        &["a", "y"]
                    } else {
                        &["à", "et"]
                    };
                    for w in foreign {
                        assert!(
                            !between_numbers(&text, w),
                            "{what}: {w:?} between article numbers:\n{text}"
                        );
                    }
                    assert!(
                        !text.contains("de la code"),
                        "{what}: a French code in Spanish"
                    );
                    if doc == "seals" && jurisdiction == "fr" {
                        let basis = match lang {
                            "fr" => "articles 56, 97 et 163 du code de procédure pénale",
                            _ => "artículos 56, 97 y 163 del código procesal penal francés",
                        };
                        assert!(text.contains(basis), "{what}: {basis:?} missing:\n{text}");
                    }
                    // The PDF's title is the document's own.
                    assert!(
                        !title.is_empty() && text.starts_with(&title),
                        "{what}: {title:?}"
                    );
                    // The expert's record never calls itself a procès-verbal (an OPJ's, a
                    // judge's or a greffier's act).
                    assert!(
                        !title.to_lowercase().contains("procès-verbal"),
                        "{what}: {title}"
                    );
                    let wanted_title = match (doc, lang, jurisdiction) {
                        ("seals", "fr", _) => "Tableau de traçabilité des scellés",
                        ("seals", "es", _) => "Acta de desprecinto y nuevo precintado",
                        ("custody", "fr", _) => "Registre de la chaîne de possession",
                        ("custody", "es", _) => "Registro de cadena de custodia",
                        ("expert-report", "fr", _) => "Rapport d'expertise",
                        ("expert-report", "es", _) => "Informe pericial",
                        _ => "",
                    };
                    assert!(title.starts_with(wanted_title), "{what}: {title:?}");
                    if doc == "custody" && lang == "es" {
                        for cite in ["UNE 71505", "ISO/IEC 27037"] {
                            assert!(text.contains(cite), "{what}: {cite} not cited");
                        }
                        assert!(
                            !text.contains("UNE 197001"),
                            "{what}: UNE 197001 is for reports"
                        );
                    }
                    if doc == "expert-report" && jurisdiction == "es" {
                        assert!(text.contains("UNE 197001"), "{what}: UNE 197001 not cited");
                    }
                    // The exhibits' custody timelines: the IOC scan in words.
                    if doc != "certificate" {
                        let scan = match lang {
                            "fr" => "Recherche d'indicateurs de compromission après recalcul",
                            _ => "Búsqueda de indicadores de compromiso tras recalcular",
                        };
                        // In drawing order: a table cell wrapped on narrower (letter) paper
                        // reads interleaved with the row's other cells.
                        assert!(
                            words_in_order(&text, scan),
                            "{what}: no ioc.scan sentence:\n{text}"
                        );
                    }
                    // What the expert typed from the usual words, in the language.
                    if ledger.contains("\"mobile phone\"") && doc != "seals" {
                        let phone = if lang == "fr" {
                            "téléphone mobile"
                        } else {
                            "teléfono móvil"
                        };
                        assert!(text.contains(phone), "{what}: {phone:?} missing:\n{text}");
                    }
                    if ledger.contains("\"full-file-system\"") && doc != "seals" {
                        let m = if lang == "fr" {
                            "système de fichiers complet"
                        } else {
                            "sistema de archivos completo"
                        };
                        assert!(text.contains(m), "{what}: {m:?} missing:\n{text}");
                    }
                    if ledger.contains("\"128 GB\"") && doc != "seals" {
                        let size = if lang == "fr" { "128 Go" } else { "128 GB" };
                        assert!(text.contains(size), "{what}: {size:?} missing:\n{text}");
                    }
                    if lang == "fr" {
                        assert!(!text.contains(" GB"), "{what}: GB in French");
                    }
                    // A verification warning, in the language.
                    if case.ends_with("case") {
                        let warn = match lang {
                            "fr" => "AVERTISSEMENT [ioc-file-missing]",
                            _ => "ADVERTENCIA [ioc-file-missing]",
                        };
                        assert!(text.contains(warn), "{what}: {warn:?} missing:\n{text}");
                    }
                }
            }
        }
    }
    for doc in ["expert-report", "certificate", "seals", "custody"] {
        for lang in ["fr", "es"] {
            assert!(
                rendered.contains(&(doc, lang)),
                "{doc} {lang}: never rendered"
            );
        }
    }
}

/// Whether `word` stands between two numbers ("456 a 485").
fn between_numbers(text: &str, word: &str) -> bool {
    let pattern = format!(" {word} ");
    text.match_indices(&pattern).any(|(i, m)| {
        text[..i].ends_with(|c: char| c.is_ascii_digit())
            && text[i + m.len()..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Every `word.word...` in a text: what an untranslated label key looks like.
fn regex_lite_keys() -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        text.split(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.' || c == '-'))
            .map(|w| w.trim_matches('.'))
            .filter(|w| {
                w.contains('.')
                    && w.split('.').all(|p| {
                        !p.is_empty()
                            && p.chars()
                                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
                    })
            })
            .map(str::to_string)
            .collect()
    }
}

/// Whether the words of `sentence` appear in `text` in order (other words may come between:
/// the cells of a table row are extracted line by line).
fn words_in_order(text: &str, sentence: &str) -> bool {
    let mut words = text.split_whitespace();
    sentence
        .split_whitespace()
        .all(|w| words.by_ref().any(|t| t == w))
}
