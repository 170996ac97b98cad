//! Layout of the documents, read back from the PDFs with poppler (`pdftotext -bbox-layout`
//! for word boxes in points, `pdftohtml -xml` for bold text): for the demo's documents and for
//! every document × jurisdiction × language the demo's cases can build,
//! - no two footer words overlap (document id, "Page X of Y", Bates number);
//! - no line is only a time zone ("UTC");
//! - no hash is split across lines (each exhibit's SHA-256 extracts whole on one line), a
//!   seal number is broken only after a `-` or `/` and with the continuation mark;
//! - no page but the last is left more than 40 % blank;
//! - no page ends with a heading, a table header or a lone label (an all-bold last line);
//! - the index of the expert report for a Spanish court (UNE 197001), in each language, lists
//!   each section with the page where its heading actually is.

mod common;

use scelle::render::Paper;
use scelle::report::pdf::{render, Bates, PdfOptions};
use scelle::report::{build, data, DocumentKind, ReportRequest};
use scelle::{CaseDir, Jurisdiction, Lang};
use std::path::{Path, PathBuf};
use std::process::Command;

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

fn pdfs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            pdfs(&p, out);
        } else if p.extension().is_some_and(|x| x == "pdf") {
            out.push(p);
        }
    }
}

fn tool(name: &str, args: &[&str], pdf: &Path) -> String {
    let o = Command::new(name).args(args).arg(pdf).arg("-").output();
    let o = o.unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(o.status.success(), "{name} {}", pdf.display());
    String::from_utf8(o.stdout).unwrap()
}

fn attr(tag: &str, name: &str) -> f32 {
    let key = format!(" {name}=\"");
    let at = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A word: x0, y0, x1, y1 (points, y down), text.
type Word = (f32, f32, f32, f32, String);

/// Per page: its height and its lines of words, from `pdftotext -bbox-layout`.
fn bbox_pages(pdf: &Path) -> Vec<(f32, Vec<Vec<Word>>)> {
    let xml = tool("pdftotext", &["-bbox-layout"], pdf);
    let mut pages = Vec::new();
    for part in xml.split("<page ").skip(1) {
        let height = attr(part.split('>').next().unwrap(), "height");
        let mut lines = Vec::new();
        for line in part.split("<line").skip(1) {
            let line = line.split("</line>").next().unwrap();
            let words: Vec<Word> = line
                .split("<word ")
                .skip(1)
                .map(|w| {
                    let (tag, rest) = w.split_once('>').unwrap();
                    let text = unescape(rest.split("</word>").next().unwrap());
                    let a = |n| attr(&format!(" {tag}"), n);
                    (a("xMin"), a("yMin"), a("xMax"), a("yMax"), text)
                })
                .collect();
            if !words.is_empty() {
                lines.push(words);
            }
        }
        pages.push((height, lines));
    }
    pages
}

/// A piece of text from `pdftohtml -xml` (zoom 1.5): top, text, bold, left, height.
type Piece = (f32, String, bool, f32, f32);

/// Per page: its text pieces, footer excluded, sorted top to bottom.
fn html_pages(pdf: &Path) -> Vec<Vec<Piece>> {
    let xml = tool("pdftohtml", &["-xml", "-i", "-stdout"], pdf);
    let mut pages = Vec::new();
    for part in xml.split("<page ").skip(1) {
        let height = attr(part.split('>').next().unwrap(), "height");
        let mut texts = Vec::new();
        for t in part.split("<text ").skip(1) {
            let (tag, rest) = t.split_once('>').unwrap();
            let inner = rest.split("</text>").next().unwrap();
            let top = attr(&format!(" {tag}"), "top");
            if top >= height - 72.0 * 1.5 {
                continue; // footer
            }
            let bold = inner.starts_with("<b>");
            let plain = inner.replace("<b>", "").replace("</b>", "");
            let plain = plain.replace("<i>", "").replace("</i>", "");
            let (left, h) = (
                attr(&format!(" {tag}"), "left"),
                attr(&format!(" {tag}"), "height"),
            );
            texts.push((top, unescape(&plain), bold, left, h));
        }
        texts.sort_by(|a, b| a.0.total_cmp(&b.0));
        pages.push(texts);
    }
    pages
}

fn check(pdf: &Path, what: &str, hashes: &[String], seals: &[String]) {
    let pages = bbox_pages(pdf);
    let mut all_lines = Vec::new();
    for (k, (height, lines)) in pages.iter().enumerate() {
        // no page but the last left largely blank (a block kept together pushed over)
        let bottom = lines
            .iter()
            .flatten()
            .filter(|w| w.1 < height - 72.0)
            .map(|w| w.3)
            .fold(0.0f32, f32::max);
        let used = (bottom - 108.0) / (height - 108.0 - 72.0);
        if k + 1 < pages.len() {
            assert!(used > 0.6, "{what} p{}: {:.0} % used", k + 1, used * 100.0);
        }
        let footer: Vec<&Word> = lines
            .iter()
            .flatten()
            .filter(|w| w.1 >= height - 72.0)
            .collect();
        assert!(footer.len() >= 3, "{what} p{}: footer {footer:?}", k + 1);
        for (i, a) in footer.iter().enumerate() {
            for b in &footer[i + 1..] {
                let apart =
                    a.2 <= b.0 + 0.5 || b.2 <= a.0 + 0.5 || a.3 <= b.1 + 0.5 || b.3 <= a.1 + 0.5;
                assert!(apart, "{what} p{}: footer {:?} over {:?}", k + 1, a.4, b.4);
            }
        }
        for l in lines.iter().filter(|l| l[0].1 < height - 72.0) {
            let text: Vec<&str> = l.iter().map(|w| w.4.as_str()).collect();
            let text = text.join(" ");
            assert!(
                !["UTC", "(UTC)", "UTC)", "GMT"].contains(&text.trim()),
                "{what} p{}: a line that is only {text:?}",
                k + 1
            );
            // a seal number is broken only after a '-' or '/', with the mark (any word of
            // the line: a line runs across a table's cells)
            for w in l {
                let cut = w.4.strip_suffix('\u{2192}');
                let head = cut.unwrap_or(&w.4);
                let whole = seals.iter().any(|o| o == head); // NSO-1 before NSO-1-R1
                for s in seals {
                    let part = cut.is_some() || !whole;
                    if part && head.len() >= 5 && head.len() < s.len() && s.starts_with(head) {
                        assert!(
                            cut.is_some() && head.ends_with(['-', '/']),
                            "{what} p{}: seal number {s} broken as {:?}",
                            k + 1,
                            w.4
                        );
                    }
                }
            }
            all_lines.push(text);
        }
    }
    // every hash the document prints extracts whole on one line
    let text = all_lines.join("\n");
    for h in hashes {
        if text.contains(&h[..16]) || text.contains(&h[48..]) {
            assert!(
                all_lines.iter().any(|l| l.contains(h.as_str())),
                "{what}: {h} split across lines"
            );
        }
    }
    // no page ends with a line all in bold (a heading, a table header, a lone label)
    let html = html_pages(pdf);
    for (k, texts) in html.iter().enumerate().take(html.len().saturating_sub(1)) {
        let Some(last) = texts.last() else { continue };
        let line: Vec<&Piece> = texts
            .iter()
            .filter(|t| (t.0 - last.0).abs() < 3.0)
            .collect();
        // the second line of a wrapped label goes with the row above (its value is there)
        let continues = texts.iter().any(|t| {
            t.2 && (t.3 - last.3).abs() < 1.0 && last.0 - t.0 > 3.0 && last.0 - t.0 < 1.3 * last.4
        });
        // the last line of a bold paragraph (a warning) whose line above is a full bold line
        // (a heading is never that long): a paragraph broken at the page, not a heading left
        // alone. Its own length varies with the text (a seal's gap to its acquisition, in
        // days, hours, minutes and seconds, depends on when the demo ran), so it is not asked.
        let bold_paragraph = texts.iter().any(|t| {
            t.2 && t.1.chars().count() > 60 && last.0 - t.0 > 3.0 && last.0 - t.0 < 1.3 * last.4
        });
        assert!(
            continues || bold_paragraph || !line.iter().all(|t| t.2),
            "{what} p{}: the page ends with {:?}",
            k + 1,
            line.iter().map(|t| t.1.as_str()).collect::<Vec<_>>()
        );
    }
}

/// Checks each (title, page) entry of the index after `heading` against the page where the
/// title is printed in bold (the heading itself); returns the number of entries.
fn check_index(pdf: &Path, heading: &str) -> usize {
    let html = html_pages(pdf);
    let mut entries: Vec<(String, usize)> = Vec::new();
    let mut in_index = false;
    'pages: for texts in &html {
        let mut i = 0;
        while i < texts.len() {
            let (top, text, bold, _, _) = &texts[i];
            if *bold && text == heading {
                in_index = true;
            } else if in_index && *bold {
                break 'pages; // the next heading ends the index
            } else if in_index {
                // title, then its page number on the same line
                let number = texts.get(i + 1).filter(|n| (n.0 - top).abs() < 3.0);
                let number = number.and_then(|n| n.1.trim().parse::<usize>().ok());
                let number = number.unwrap_or_else(|| panic!("{text:?}: no page number"));
                entries.push((text.clone(), number));
                i += 1;
            }
            i += 1;
        }
    }
    assert!(entries.len() >= 10, "{}: index {entries:?}", pdf.display());
    for (title, number) in &entries {
        let at = html
            .iter()
            .position(|texts| texts.iter().any(|t| t.2 && &t.1 == title))
            .unwrap_or_else(|| panic!("{title:?}: no heading"));
        assert_eq!(at + 1, *number, "{}: {title:?}", pdf.display());
    }
    entries.len()
}

#[test]
fn footers_breaks_keeps_and_the_index_as_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    let o = common::demo(&demo);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut hashes = Vec::new();
    let mut seals = Vec::new();
    let mut gathered = Vec::new();
    for case_path in cases(tmp.path()) {
        let case = CaseDir::open(&case_path).unwrap();
        let g = data::gather(&case).unwrap();
        hashes.extend(
            g.exhibits
                .iter()
                .map(|x| x.seal.artifact.hashes.sha256.clone()),
        );
        for x in &g.exhibits {
            seals.extend(x.events.iter().filter_map(|e| e.seal_no.clone()));
        }
        let ledger = std::fs::read(case_path.join("ledger.jsonl")).unwrap();
        gathered.push((case_path, g, ledger));
    }

    // the demo's own documents
    let mut demo_pdfs = Vec::new();
    pdfs(&demo.join("reports"), &mut demo_pdfs);
    assert!(demo_pdfs.len() >= 6);
    for pdf in &demo_pdfs {
        check(pdf, &pdf.display().to_string(), &hashes, &seals);
    }
    let es = demo.join("reports/es/expert-report-es.pdf");
    assert!(check_index(&es, "Índice") >= 12);

    // every document × jurisdiction × language the cases can build, with Bates numbers
    let root = env!("CARGO_MANIFEST_DIR");
    let mut rendered = 0;
    let mut indexes = 0;
    for (case_path, g, ledger) in &gathered {
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
                    // a document that does not fit the case is refused: nothing to lay out
                    let Ok(doc) = build(g, &req) else { continue };
                    let opts = PdfOptions {
                        paper: Some(if jurisdiction == Jurisdiction::Us {
                            Paper::Letter
                        } else {
                            Paper::A4
                        }),
                        bates: Some(Bates {
                            prefix: "PRODUCTION-".into(),
                            start: Some(1),
                            digits: Some(7),
                        }),
                        ..Default::default()
                    };
                    let out = render(&doc, &opts, ledger, b"checkpoint", None).unwrap();
                    let what = format!("{} {kind:?} {lang} {jurisdiction:?}", case_path.display());
                    let pdf = tmp.path().join(format!("{rendered}.pdf"));
                    std::fs::write(&pdf, &out.bytes).unwrap();
                    check(&pdf, &what, &hashes, &seals);
                    // the report for a Spanish court carries its index (UNE 197001) in every
                    // language
                    if kind == DocumentKind::ExpertReport && jurisdiction == Jurisdiction::Es {
                        let heading = match lang {
                            Lang::Es => "Índice",
                            Lang::Fr => "Sommaire",
                            Lang::En => "Contents",
                        };
                        assert!(check_index(&pdf, heading) >= 12, "{what}");
                        indexes += 1;
                    }
                    rendered += 1;
                }
            }
        }
    }
    assert!(rendered >= 12, "{rendered} documents rendered");
    assert!(indexes >= 3, "{indexes} indexes checked");
}
