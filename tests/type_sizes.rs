//! Type sizes of every document, as laid out (`report::pdf::pages`, the items the PDF draws):
//! nothing under 8 pt anywhere (ids, hashes, footer included), and for US filings running
//! text (paragraphs, label–value lists, signature lines, headings) at 12 pt at least
//! (N.D. Cal. Civil L.R. 3-4(c)(2)). Every document × jurisdiction × language the demo's
//! cases can build.

mod common;

use scelle::render::{Block, Item, Paper};
use scelle::report::pdf::{pages, PdfOptions};
use scelle::report::{build, data, DocumentKind, ReportRequest};
use scelle::{CaseDir, Jurisdiction, Lang};
use std::path::{Path, PathBuf};

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.join("ledger.jsonl").is_file() {
                out.push(p.clone());
            }
            out.extend(cases(&p));
        }
    }
    out
}

/// The first words of the running text of `b` (what begins its first line), if it has any.
fn running_text(b: &Block) -> Vec<String> {
    let first_words = |s: &str| {
        let w: Vec<&str> = s.split_whitespace().take(2).collect();
        (w.len() == 2 && w.concat().len() >= 6).then(|| w.join(" "))
    };
    match b {
        Block::Paragraph { runs } => runs
            .iter()
            .find(|r| r.text.trim() != "\u{2022}")
            .and_then(|r| r.text.lines().next().and_then(first_words))
            .into_iter()
            .collect(),
        Block::Heading { text, .. } => first_words(text).into_iter().collect(),
        Block::KeyValue {
            rows,
            mono_values: false,
        } => rows.iter().filter_map(|(k, _)| first_words(k)).collect(),
        Block::SignatureBlock { lines } => lines.iter().filter_map(|l| first_words(l)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn nothing_under_8_pt_and_us_running_text_at_12_pt() {
    let tmp = tempfile::tempdir().unwrap();
    let o = common::demo(&tmp.path().join("demo"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let root = env!("CARGO_MANIFEST_DIR");
    let mut built = 0;
    let mut us_checked = 0;
    for case_path in cases(tmp.path()) {
        let case = CaseDir::open(&case_path).unwrap();
        let gathered = data::gather(&case).unwrap();
        for lang in Lang::ALL {
            let input: toml::Value =
                std::fs::read_to_string(format!("{root}/examples/demo/report-{lang}.toml"))
                    .unwrap()
                    .parse()
                    .unwrap();
            for jurisdiction in [Jurisdiction::Us, Jurisdiction::Fr, Jurisdiction::Es] {
                for kind in DocumentKind::ALL {
                    let req = ReportRequest {
                        kind,
                        lang,
                        jurisdiction: Some(jurisdiction),
                        exhibits: Vec::new(),
                        input: Some(input.clone()),
                        templates: Default::default(),
                        correlate: Vec::new(),
                    };
                    // A document that does not fit the case is refused: nothing to measure.
                    let Ok(doc) = build(&gathered, &req) else {
                        continue;
                    };
                    let what = format!("{} {kind:?} {lang} {jurisdiction:?}", case_path.display());
                    let opts = PdfOptions {
                        paper: Some(if jurisdiction == Jurisdiction::Us {
                            Paper::Letter
                        } else {
                            Paper::A4
                        }),
                        ..Default::default()
                    };
                    let laid = pages(&doc, &opts).unwrap();
                    built += 1;
                    let texts: Vec<(f32, &str)> = laid
                        .iter()
                        .flat_map(|p| &p.items)
                        .filter_map(|i| match i {
                            Item::Text { size, text, .. } => Some((*size, text.as_str())),
                            _ => None,
                        })
                        .collect();
                    for (size, text) in &texts {
                        assert!(*size >= 8.0, "{what}: {text:?} at {size} pt");
                    }
                    if jurisdiction != Jurisdiction::Us {
                        continue;
                    }
                    for block in &doc.blocks {
                        for words in running_text(block) {
                            let sizes: Vec<f32> = texts
                                .iter()
                                .filter(|(_, t)| {
                                    t.trim_start_matches(['\u{2022}', ' ']).starts_with(&words)
                                })
                                .map(|(s, _)| *s)
                                .collect();
                            assert!(
                                sizes.iter().any(|s| *s >= 12.0),
                                "{what}: running text {words:?} at {sizes:?} pt"
                            );
                            us_checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(built >= 4, "only {built} documents built");
    assert!(us_checked >= 20, "only {us_checked} US texts checked");
}
