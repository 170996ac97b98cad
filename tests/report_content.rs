//! The documents' content, before layout: every document in every language builds from the
//! demo case, with its jurisdiction's sections, accents, full hashes and the generated tables.

use scelle::report::blocks::Block;
use scelle::report::{build, data, DocumentKind, ReportRequest, TemplateSource};

/// The demo, a module of the binary (it uses only the library's public API).
#[allow(dead_code)]
#[path = "../src/demo.rs"]
mod demo;

fn text_of(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading { text: t, .. } => s += &format!("{t}\n"),
            Block::Paragraph { runs: r } => {
                s += &(r.iter().map(|r| r.text.as_str()).collect::<String>() + "\n")
            }
            Block::KeyValue { rows: kv, .. } => {
                kv.iter().for_each(|(k, v)| s += &format!("{k}: {v}\n"))
            }
            Block::Table { columns, rows } => {
                s += &(columns
                    .iter()
                    .map(|c| c.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
                    + "\n");
                rows.iter().for_each(|r| s += &(r.join(" | ") + "\n"));
            }
            Block::Preformatted { text: t } => s += &format!("{t}\n"),
            Block::SignatureBlock { lines: l } => s += &(l.join("\n") + "\n"),
            Block::Figure(f) => f.shapes.iter().for_each(|sh| {
                if let scelle::render::Shape::Label { text, .. } = sh {
                    s += &format!("{text}\n")
                }
            }),
            Block::Spacer | Block::PageBreak | Block::Contents { .. } => {}
        }
    }
    s
}

#[test]
fn every_document_builds_in_every_language_from_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo::run(&tmp.path().join("demo"), false, &mut |_| {}).unwrap();
    let case = scelle::store::case::CaseDir::open(&demo.case).unwrap();
    let data = data::gather(&case).unwrap();
    let sha = data.exhibits[0].seal.artifact.hashes.sha256.clone();
    let input: toml::Value = toml::from_str(
        r#"
        [expert]
        name = "Dr. Ada Exemple"
        place = "Paris"
        qualifications = "Ingénieure diplômée, expert près la cour d'appel."
        [mission]
        text = "Examiner l'iPhone."
        questions = ["Le téléphone a-t-il été infecté ?"]
        "#,
    )
    .unwrap();
    for kind in DocumentKind::ALL {
        for lang in ["en", "fr", "es"] {
            for jurisdiction in ["us", "fr", "es"] {
                let req = ReportRequest {
                    kind,
                    lang: lang.parse().unwrap(),
                    jurisdiction: Some(jurisdiction.parse().unwrap()),
                    exhibits: vec![],
                    input: Some(input.clone()),
                    templates: TemplateSource::default(),
                    correlate: Vec::new(),
                };
                let doc = build(&data, &req)
                    .unwrap_or_else(|e| panic!("{kind:?} {lang} {jurisdiction}: {e}"));
                let text = text_of(&doc.blocks);
                assert!(text.contains(&sha), "{kind:?} {lang}: full SHA-256 missing");
                assert!(text.contains("3:21-cv-09078-JD"));
                assert!(
                    !text.contains("{{") && !text.contains("::"),
                    "{kind:?} {lang}: unexpanded markup:\n{text}"
                );
                assert!(doc.page_format.contains("{page}") && doc.page_format.contains("{pages}"));
                if kind == DocumentKind::ExpertReport {
                    let wanted = match (lang, jurisdiction) {
                        ("fr", "fr") => "Prestation de serment",
                        ("fr", "us") => "Chaîne de possession et intégrité des preuves",
                        ("es", "es") => "Juramento o promesa de decir verdad",
                        ("es", _) => "Índice",
                        ("en", "us") => "Summary of Opinions",
                        ("en", "fr") => "Inventory and Opening of the Seals",
                        ("en", "es") => "Oath or Promise to Tell the Truth",
                        (_, _) => "",
                    };
                    assert!(
                        text.contains(wanted),
                        "{lang}/{jurisdiction}: {wanted:?} missing:\n{text}"
                    );
                    assert!(text.contains("Dr. Ada Exemple"));
                }
                if lang == "fr" {
                    assert!(text.contains("é"), "accents");
                }
            }
        }
    }
    // Dates follow the language.
    let req = |lang: &str| ReportRequest {
        kind: DocumentKind::Custody,
        lang: lang.parse().unwrap(),
        jurisdiction: None,
        exhibits: vec!["E-0002".into()],
        input: None,
        templates: TemplateSource::default(),
        correlate: Vec::new(),
    };
    let es = text_of(&build(&data, &req("es")).unwrap().blocks);
    assert!(es.contains(" de 20"), "{es}");
    assert!(!es.contains("E-0001 |"), "--exhibits filters: {es}");
    assert!(es.contains("[a completar por el perito]") || es.contains("[nombre del perito]"));
    // Unknown exhibit, language and a user's template folder.
    let mut bad = req("en");
    bad.exhibits = vec!["E-0099".into()];
    assert!(build(&data, &bad).is_err());
    // (An unknown language is refused when parsed: `ReportRequest` takes a `Lang`.)
    assert!("de".parse::<scelle::format::lang::Lang>().is_err());
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(mine.join("en")).unwrap();
    std::fs::write(
        mine.join("en/custody.jinja"),
        "# Custody of {{ case.title }}\n\n::exhibits\n",
    )
    .unwrap();
    let mut custom = req("en");
    custom.templates = TemplateSource { dir: Some(mine) };
    let doc = build(&data, &custom).unwrap();
    assert_eq!(doc.title, "Custody of Apple Inc. v. NSO Group Technologies");
}
