//! The PDF renderer checked with third-party tools: poppler-utils (pdftotext, pdffonts,
//! pdfinfo, pdfdetach), qpdf, and Apache PDFBox Preflight for PDF/A-1b (Debian packages
//! poppler-utils, qpdf, libpdfbox2-java, libactivation-java, libjaxb-api-java,
//! default-jre-headless; `./test` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

use scelle::render::{
    self, layout, AfRelationship, Align, Anchor, Attachment, Bates, Block, Column, Document, Face,
    Figure, MarkShape, Metadata, PageLabels, Paper, PdfA, RenderError, RenderOptions, Rendered,
    Run, Shape,
};
use sha2::{Digest, Sha256};
use time::macros::datetime;

const ACCENTS: &str = "é è ê à ç ñ á í ó ú ü « » ¿ ¡ § —";

fn hash(i: usize) -> String {
    Sha256::digest(format!("exhibit {i}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn meta() -> Metadata {
    Metadata {
        title: "Rapport d’expertise — scellés".into(),
        author: "Jeanne Martin".into(),
        subject: "Empreintes SHA-256".into(),
        keywords: vec!["scellés".into(), "SHA-256".into()],
        language: "fr-FR".into(),
        created: datetime!(2025-03-14 10:30:05 +01:00),
    }
}

fn table(rows: usize, hash_fraction: f32) -> Block {
    let rest = (1.0 - hash_fraction) / 3.0;
    Block::Table {
        columns: vec![
            Column::text("Scellé", rest),
            Column::text("Description", rest),
            Column::text("Taille", rest).align(Align::Right),
            Column::mono("SHA-256", hash_fraction),
        ],
        rows: (1..=rows)
            .map(|i| {
                let desc = if i % 9 == 0 {
                    format!("Extraction n° {i} système de fichiers complet, téléphone saisi")
                } else {
                    format!("Image {i}")
                };
                vec![format!("E-{i:04}"), desc, format!("{}", 1000 * i), hash(i)]
            })
            .collect(),
    }
}

/// A multi-page filing with every kind of block and a `rows`-row hash table.
fn filing(rows: usize) -> Document {
    Document {
        meta: meta(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "Rapport d’expertise".into(),
            },
            Block::Paragraph {
                runs: vec![
                    Run::regular("Texte accentué : "),
                    Run::bold(ACCENTS),
                    Run::regular(" ; "),
                    Run::italic("¿Señor Núñez? ¡Acción! « güero » § 2 — fin."),
                ],
            },
            Block::KeyValue {
                rows: vec![
                    ("Affaire".into(), "25/071/00042".into()),
                    ("Empreinte du registre".into(), hash(0)),
                ],
                mono_values: true,
            },
            Block::Heading {
                level: 2,
                text: "Scellés".into(),
            },
            table(rows, 0.64),
            Block::Heading {
                level: 3,
                text: "Point de contrôle".into(),
            },
            Block::Preformatted {
                text: format!("scelle.example/case/1\n{rows}\n{}", "A".repeat(200)),
            },
            Block::Spacer,
            Block::Figure(figure()),
            Block::Paragraph {
                runs: vec![Run::regular("Fin du rapport.")],
            },
            Block::SignatureBlock {
                lines: vec!["Jeanne Martin".into(), "Expert".into()],
            },
        ],
    }
}

/// A drawing with every shape: lanes (dashed gray lines), a gray bar, an arrow, a dashed
/// arrow, each mark, a white box and labels with accents anchored three ways.
fn figure() -> Figure {
    let mut shapes = vec![
        Shape::Line {
            from: (60.0, 30.0),
            to: (440.0, 30.0),
            width: 0.4,
            gray: 0.55,
            dash: Some(1.5),
        },
        Shape::Line {
            from: (60.0, 60.0),
            to: (440.0, 60.0),
            width: 0.4,
            gray: 0.55,
            dash: Some(1.5),
        },
        Shape::Line {
            from: (80.0, 30.0),
            to: (200.0, 30.0),
            width: 5.0,
            gray: 0.6,
            dash: None,
        },
        Shape::Arrow {
            from: (200.0, 30.0),
            to: (260.0, 57.0),
            width: 1.0,
            head: 6.0,
            dash: None,
        },
        Shape::Arrow {
            from: (300.0, 60.0),
            to: (440.0, 33.0),
            width: 1.0,
            head: 6.0,
            dash: Some(2.5),
        },
        Shape::Rect {
            at: (263.0, 43.0),
            w: 9.0,
            h: 11.0,
            gray: 1.0,
        },
    ];
    for (k, shape) in [
        MarkShape::FilledSquare,
        MarkShape::OpenSquare,
        MarkShape::FilledDiamond,
        MarkShape::OpenCircle,
        MarkShape::Cross,
        MarkShape::FilledTriangle,
    ]
    .into_iter()
    .enumerate()
    {
        shapes.push(Shape::Mark {
            at: (80.0 + 20.0 * k as f32, 80.0),
            shape,
            size: 7.0,
        });
    }
    for (at, text, anchor) in [
        ((0.0, 33.0), "Gardienne Núñez", Anchor::Start),
        ((0.0, 63.0), "Expert Hervé", Anchor::Start),
        ((267.0, 52.0), "\u{2260}", Anchor::Middle),
        (
            (440.0, 100.0),
            "empreinte recalculée différente",
            Anchor::End,
        ),
    ] {
        shapes.push(Shape::Label {
            at,
            text: text.into(),
            face: Face::Serif,
            size: 8.0,
            anchor,
        });
    }
    Figure {
        width: 445.0,
        height: 110.0,
        shapes,
    }
}

fn opts(paper: Paper, pdfa: PdfA) -> RenderOptions {
    RenderOptions {
        paper,
        bates: Some(Bates {
            prefix: "SCL".into(),
            start: 42,
            digits: 7,
        }),
        pdfa,
        footer_left: "25/071/00042 — Rapport".into(),
        page_format: "Page {page} sur {pages}".into(),
        ..RenderOptions::default()
    }
}

fn write(dir: &Path, name: &str, r: &Rendered) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, &r.bytes).unwrap();
    p
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("{cmd} not runnable ({e}); install poppler-utils, qpdf and PDFBox (see ./test)")
    });
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn pages_text(path: &Path, layout: bool) -> Vec<String> {
    let mut args = vec![];
    if layout {
        args.push("-layout");
    }
    args.extend([p(path), "-"]);
    let text = run("pdftotext", &args);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|s| s.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn pdfinfo(path: &Path) -> String {
    run("pdfinfo", &[p(path)])
}

fn info_field<'a>(info: &'a str, key: &str) -> &'a str {
    info.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
        .unwrap_or_else(|| panic!("{key} not in pdfinfo output:\n{info}"))
}

#[test]
fn long_table_extracts_accents_full_hashes_headers_page_numbers_and_bates() {
    let dir = tempfile::tempdir().unwrap();
    let r = render::render(&filing(300), &opts(Paper::A4, PdfA::A1b)).unwrap();
    let path = write(dir.path(), "long.pdf", &r);
    let n = r.pages as usize;
    assert!(n >= 8, "300 rows should take several pages, got {n}");
    assert_eq!(r.bates_first.as_deref(), Some("SCL0000042"));
    assert_eq!(r.bates_last, Some(format!("SCL{:07}", 42 + n - 1)));

    let pages = pages_text(&path, true);
    assert_eq!(pages.len(), n);
    let all = pages.concat();
    for word in ACCENTS.split(' ') {
        assert!(all.contains(word), "{word:?} not extracted");
    }
    assert!(all.contains("¿Señor Núñez? ¡Acción! « güero » § 2 — fin."));

    // every hash, whole, on one line
    for i in 0..=300 {
        let h = hash(i);
        assert!(
            all.lines().any(|l| l.contains(&h)),
            "hash of row {i} not on one line"
        );
    }
    let table_pages: Vec<usize> = (0..n)
        .filter(|&k| pages[k].lines().any(|l| l.trim_start().starts_with("E-0")))
        .collect();
    assert!(table_pages.len() >= 7);
    for (k, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} sur {n}", k + 1)),
            "page {} number",
            k + 1
        );
        assert!(
            page.contains(&format!("SCL{:07}", 42 + k)),
            "page {} Bates",
            k + 1
        );
        assert!(page.contains("25/071/00042 — Rapport"));
        if table_pages.contains(&k) {
            // the header row, repeated on each page of the table
            assert!(
                page.lines()
                    .any(|l| l.contains("Scellé") && l.contains("SHA-256")),
                "no table header on page {}",
                k + 1
            );
        }
    }
    // multi-line rows are never split: first and last word of the cell on the same page
    for (k, page) in pages.iter().enumerate() {
        let starts = page.matches("Extraction").count();
        let ends = page.matches("saisi").count();
        assert!(
            starts > 0 || k + 1 == n || !table_pages.contains(&k),
            "page {}",
            k + 1
        );
        assert_eq!(starts, ends, "a row split across pages at page {}", k + 1);
    }
    // Bates numbers sequential and zero-padded, read back from the pages
    let bates: Vec<String> = pages
        .iter()
        .map(|pg| {
            pg.split_whitespace()
                .find(|w| w.starts_with("SCL"))
                .unwrap()
                .to_string()
        })
        .collect();
    let want: Vec<String> = (0..n).map(|k| format!("SCL{:07}", 42 + k)).collect();
    assert_eq!(bates, want);
}

#[test]
fn preformatted_long_lines_wrap_with_a_continuation_mark() {
    let dir = tempfile::tempdir().unwrap();
    let r = render::render(&filing(3), &opts(Paper::A4, PdfA::A1b)).unwrap();
    let path = write(dir.path(), "pre.pdf", &r);
    let all = pages_text(&path, true).concat();
    let mark = layout::CONTINUATION_MARK;
    let lines: Vec<&str> = all
        .lines()
        .filter(|l| l.trim_start().starts_with("AAAA"))
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    assert!(lines[0].trim_end().ends_with(mark));
    let joined: String = lines
        .iter()
        .map(|l| l.trim().trim_end_matches(mark))
        .collect();
    assert_eq!(joined, "A".repeat(200));
}

#[test]
fn every_font_is_embedded_and_subset() {
    let dir = tempfile::tempdir().unwrap();
    let r = render::render(&filing(20), &opts(Paper::A4, PdfA::A1b)).unwrap();
    let path = write(dir.path(), "fonts.pdf", &r);
    let out = run("pdffonts", &[p(&path)]);
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        rows.len(),
        4,
        "serif regular, bold, italic and mono:\n{out}"
    );
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type... encoding emb sub uni object ID
        let k = cols.len();
        assert_eq!(
            &cols[k - 5..k - 2],
            &["yes", "yes", "yes"],
            "emb/sub/uni: {row}"
        );
        assert!(
            cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
            "subset tag: {row}"
        );
    }
}

#[test]
fn qpdf_check_is_clean_and_pdfinfo_reports_no_encryption_and_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    for (paper, size, pdfa, version) in [
        (Paper::A4, "595.276 x 841.89 pts (A4)", PdfA::A1b, "1.4"),
        (Paper::Letter, "612 x 792 pts (letter)", PdfA::A3b, "1.7"),
        (Paper::Letter, "612 x 792 pts (letter)", PdfA::A2b, "1.7"),
    ] {
        let r = render::render(&filing(120), &opts(paper, pdfa)).unwrap();
        let path = write(dir.path(), "check.pdf", &r);
        let check = run("qpdf", &["--check", p(&path)]);
        assert!(
            check.contains("No syntax or stream encoding errors found"),
            "{check}"
        );
        let info = pdfinfo(&path);
        assert_eq!(info_field(&info, "Encrypted"), "no");
        assert_eq!(info_field(&info, "Pages"), r.pages.to_string());
        assert_eq!(info_field(&info, "Page size"), size);
        assert_eq!(info_field(&info, "PDF version"), version);
        assert_eq!(info_field(&info, "Form"), "none");
        assert_eq!(info_field(&info, "JavaScript"), "no");
        assert_eq!(info_field(&info, "Title"), "Rapport d’expertise — scellés");
        assert_eq!(info_field(&info, "Author"), "Jeanne Martin");
        // no annotations (links) on any page
        let json = run("qpdf", &["--json", "--json-key=pages", p(&path)]);
        assert!(
            !json.contains("/Annots") && !json.contains("\"annotations\": [\n        {"),
            "{json}"
        );
    }
}

fn pdfbox_classpath() -> String {
    let jars = [
        "pdfbox2.jar",
        "fontbox2.jar",
        "preflight.jar",
        "xmpbox.jar",
        "commons-logging.jar",
        "javax.activation.jar",
        "jaxb-api.jar",
    ];
    jars.iter()
        .map(|j| format!("/usr/share/java/{j}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn pdfa_1b_passes_pdfbox_preflight() {
    let dir = tempfile::tempdir().unwrap();
    for paper in [Paper::A4, Paper::Letter] {
        let r = render::render(&filing(60), &opts(paper, PdfA::A1b)).unwrap();
        let path = write(dir.path(), "a1b.pdf", &r);
        let cp = pdfbox_classpath();
        let out = run(
            "java",
            &[
                "-cp",
                &cp,
                "org.apache.pdfbox.preflight.Validator_A1b",
                p(&path),
            ],
        );
        assert!(out.contains("is a valid PDF/A-1b file"), "{out}");
    }
}

#[test]
fn pdfa_3b_attachments_extract_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let ledger = b"{\"seq\":0,\"kind\":\"init\"}\n{\"seq\":1,\"kind\":\"seal\"}\n".to_vec();
    let mut o = opts(Paper::A4, PdfA::A3b);
    o.attachments = vec![
        Attachment {
            name: "ledger.jsonl".into(),
            bytes: ledger.clone(),
            mime: "application/jsonl".into(),
            relationship: AfRelationship::Source,
            description: "Registre des scellés".into(),
            modified: Some(datetime!(2025-03-13 18:00 UTC)),
        },
        Attachment {
            name: "exhibits.bin".into(),
            bytes: binary.clone(),
            mime: "application/octet-stream".into(),
            relationship: AfRelationship::Data,
            description: String::new(),
            modified: None,
        },
    ];
    let r = render::render(&filing(10), &o).unwrap();
    let path = write(dir.path(), "a3b.pdf", &r);
    let list = run("pdfdetach", &["-list", p(&path)]);
    assert!(list.starts_with("2 embedded files"), "{list}");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    run("pdfdetach", &["-saveall", "-o", p(&out), p(&path)]);
    assert_eq!(std::fs::read(out.join("ledger.jsonl")).unwrap(), ledger);
    assert_eq!(std::fs::read(out.join("exhibits.bin")).unwrap(), binary);

    // PDF/A-3 structure: /AF on the catalog, /AFRelationship, MIME /Subtype, /Params
    let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    let af = catalog.get(b"AF").unwrap().as_array().unwrap();
    assert_eq!(af.len(), 2);
    let mut rels = Vec::new();
    for spec in af {
        let spec = doc.get_dictionary(spec.as_reference().unwrap()).unwrap();
        rels.push(
            spec.get(b"AFRelationship")
                .unwrap()
                .as_name()
                .unwrap()
                .to_vec(),
        );
        let ef = spec.get(b"EF").unwrap().as_dict().unwrap();
        let file = doc
            .get_object(ef.get(b"F").unwrap().as_reference().unwrap())
            .unwrap()
            .as_stream()
            .unwrap();
        let subtype = file.dict.get(b"Subtype").unwrap().as_name().unwrap();
        assert!(subtype == b"application/jsonl" || subtype == b"application/octet-stream");
        let params = file.dict.get(b"Params").unwrap().as_dict().unwrap();
        let size = params.get(b"Size").unwrap().as_i64().unwrap();
        assert!(size == ledger.len() as i64 || size == binary.len() as i64);
        let moddate = params.get(b"ModDate").unwrap().as_str().unwrap();
        assert!(moddate.ends_with(b"+00'00'"));
    }
    rels.sort();
    assert_eq!(rels, vec![b"Data".to_vec(), b"Source".to_vec()]);
    assert!(catalog
        .get(b"Names")
        .unwrap()
        .as_dict()
        .unwrap()
        .has(b"EmbeddedFiles"));
    let xmp = xmp_of(&doc);
    assert!(
        xmp.contains("<pdfaid:part>3</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>")
    );
}

#[test]
fn attachments_are_refused_in_pdfa_1b_and_2b() {
    for pdfa in [PdfA::A1b, PdfA::A2b] {
        let mut o = opts(Paper::A4, pdfa);
        o.attachments = vec![Attachment {
            name: "x.txt".into(),
            bytes: vec![1],
            mime: "text/plain".into(),
            relationship: AfRelationship::Data,
            description: String::new(),
            modified: None,
        }];
        assert!(matches!(
            render::render(&filing(1), &o),
            Err(RenderError::Attachment(_))
        ));
    }
}

fn xmp_of(doc: &lopdf::Document) -> String {
    let id = doc
        .catalog()
        .unwrap()
        .get(b"Metadata")
        .unwrap()
        .as_reference()
        .unwrap();
    let s = doc.get_object(id).unwrap().as_stream().unwrap();
    assert!(s.dict.get(b"Filter").is_err(), "XMP must not be compressed");
    String::from_utf8(s.content.clone()).unwrap()
}

fn xmp_value(xmp: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xmp.find(&open).unwrap_or_else(|| panic!("{tag} missing")) + open.len();
    let end = start + xmp[start..].find('<').unwrap();
    xmp[start..end].to_string()
}

/// `D:YYYYMMDDHHmmSS+hh'mm'` → `YYYY-MM-DDTHH:mm:SS+hh:mm`.
fn pdf_to_xmp_date(d: &str) -> String {
    let d = d.strip_prefix("D:").unwrap();
    format!(
        "{}-{}-{}T{}:{}:{}{}:{}",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14],
        &d[14..17],
        &d[18..20]
    )
}

#[test]
fn xmp_metadata_matches_info_exactly() {
    for pdfa in [PdfA::A1b, PdfA::A2b, PdfA::A3b] {
        let r = render::render(&filing(5), &opts(Paper::A4, pdfa)).unwrap();
        let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
        let xmp = xmp_of(&doc);
        let part = &pdfa.name()[..1];
        assert!(
            xmp.contains(&format!(
                "<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
            )),
            "{xmp}"
        );
        let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let info = doc.get_dictionary(info_id).unwrap();
        let date =
            |k: &[u8]| String::from_utf8(info.get(k).unwrap().as_str().unwrap().to_vec()).unwrap();
        let created = date(b"CreationDate");
        let modified = date(b"ModDate");
        // 10:30:05 at +01:00, written in UTC with a numeric offset
        assert_eq!(created, "D:20250314093005+00'00'");
        assert_eq!(modified, created);
        for k in [&b"GTS_PDFXVersion"[..], b"Trapped", b"Identifier"] {
            assert!(
                info.get(k).is_err(),
                "printpdf's {} left in /Info",
                String::from_utf8_lossy(k)
            );
        }
        let xmp = xmp_of(&doc);
        assert_eq!(xmp_value(&xmp, "xmp:CreateDate"), pdf_to_xmp_date(&created));
        assert_eq!(
            xmp_value(&xmp, "xmp:ModifyDate"),
            pdf_to_xmp_date(&modified)
        );
        let text = |k: &[u8]| lopdf::decode_text_string(info.get(k).unwrap()).unwrap();
        assert_eq!(xmp_value(&xmp, "pdf:Producer"), text(b"Producer"));
        assert_eq!(xmp_value(&xmp, "xmp:CreatorTool"), text(b"Creator"));
        assert_eq!(xmp_value(&xmp, "pdf:Keywords"), text(b"Keywords"));
        assert_eq!(
            xmp_value(&xmp, "rdf:li xml:lang=\"x-default\""),
            text(b"Title")
        );
        assert!(xmp.contains(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li>",
            text(b"Author")
        )));
        assert!(xmp.contains(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li>",
            text(b"Subject")
        )));
        // sRGB output intent, not printpdf's PDF/X one
        let catalog = doc.catalog().unwrap();
        let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
        assert_eq!(intents.len(), 1);
        let intent = intents[0].as_dict().unwrap();
        assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
        let icc = doc
            .get_object(
                intent
                    .get(b"DestOutputProfile")
                    .unwrap()
                    .as_reference()
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(
            icc.as_stream()
                .unwrap()
                .dict
                .get(b"N")
                .unwrap()
                .as_i64()
                .unwrap(),
            3
        );
        assert!(!r.bytes.windows(8).any(|w| w == b"GTS_PDFX"));
        assert_eq!(
            lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap(),
            "fr-FR"
        );
        assert!(catalog.get(b"Encrypt").is_err() && doc.trailer.get(b"Encrypt").is_err());
        assert!(catalog.get(b"AcroForm").is_err());
    }
}

#[test]
fn same_input_gives_identical_bytes_and_id_follows_content() {
    let o = opts(Paper::A4, PdfA::A1b);
    let a = render::render(&filing(50), &o).unwrap();
    let b = render::render(&filing(50), &o).unwrap();
    assert!(a.bytes == b.bytes, "two renders of the same input differ");
    let c = render::render(&filing(51), &o).unwrap();
    let id = |r: &Rendered| {
        let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
        let ids = doc.trailer.get(b"ID").unwrap().as_array().unwrap().clone();
        assert_eq!(ids[0], ids[1]);
        ids[0].as_str().unwrap().to_vec()
    };
    assert_eq!(id(&a).len(), 16);
    assert_ne!(id(&a), id(&c));
    assert_eq!(id(&a), id(&b));
}

#[test]
fn a_character_missing_from_the_fonts_is_an_error_naming_it() {
    let mut doc = filing(1);
    doc.blocks.push(Block::Paragraph {
        runs: vec![Run::regular("Témoin : 李")],
    });
    match render::render(&doc, &RenderOptions::default()) {
        Err(RenderError::MissingGlyph { ch, font }) => {
            assert_eq!(ch, '李');
            assert!(font.contains("Liberation"));
        }
        other => panic!("expected MissingGlyph, got {other:?}"),
    }
    let msg = RenderError::MissingGlyph {
        ch: '李',
        font: "Liberation Serif Regular",
    }
    .to_string();
    assert!(msg.contains("U+674E") && msg.contains('李'), "{msg}");
    // in the footer too
    let o = RenderOptions {
        footer_left: "☃".into(),
        ..RenderOptions::default()
    };
    assert!(matches!(
        render::render(&filing(1), &o),
        Err(RenderError::MissingGlyph { ch: '☃', .. })
    ));
}

#[test]
fn page_labels_match_the_printed_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(Paper::Letter, PdfA::A1b);
    let r = render::render(&filing(100), &o).unwrap();
    let path = write(dir.path(), "labels.pdf", &r);
    let json = run("qpdf", &["--json", "--json-key=pagelabels", p(&path)]);
    assert!(
        json.contains("\"/S\": \"/D\"") && json.contains("\"index\": 0"),
        "{json}"
    );
    o.page_labels = PageLabels::Bates;
    let r = render::render(&filing(100), &o).unwrap();
    let path = write(dir.path(), "labels-bates.pdf", &r);
    let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
    let nums = doc
        .catalog()
        .unwrap()
        .get(b"PageLabels")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap();
    let nums = nums.as_array().unwrap();
    assert_eq!(nums.len(), 2 * r.pages as usize);
    let pages = pages_text(&path, true);
    for (k, page) in pages.iter().enumerate() {
        assert_eq!(nums[2 * k].as_i64().unwrap(), k as i64);
        let label =
            lopdf::decode_text_string(nums[2 * k + 1].as_dict().unwrap().get(b"P").unwrap())
                .unwrap();
        assert_eq!(label, format!("SCL{:07}", 42 + k));
        assert!(page.contains(&label));
    }
}

/// Word boxes of a page from `pdftotext -bbox`: (word, yMin, yMax), y from the top.
fn words_with_boxes(path: &Path) -> Vec<Vec<(String, f32, f32)>> {
    let html = run("pdftotext", &["-bbox", p(path), "-"]);
    let mut pages = Vec::new();
    for chunk in html.split("<page ").skip(1) {
        let mut words = Vec::new();
        for w in chunk.split("<word ").skip(1) {
            let attr = |name: &str| -> f32 {
                let s = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                w[s..s + w[s..].find('"').unwrap()].parse().unwrap()
            };
            let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
            words.push((text.to_string(), attr("yMin"), attr("yMax")));
        }
        pages.push(words);
    }
    pages
}

#[test]
fn the_top_margin_is_left_clear_for_the_court_stamp() {
    let dir = tempfile::tempdir().unwrap();
    for paper in [Paper::A4, Paper::Letter] {
        let r = render::render(&filing(150), &opts(paper, PdfA::A1b)).unwrap();
        let path = write(dir.path(), "margin.pdf", &r);
        let (_, h) = paper.size_pt();
        for (k, words) in words_with_boxes(&path).iter().enumerate() {
            assert!(!words.is_empty());
            for (w, ymin, ymax) in words {
                assert!(
                    *ymin >= layout::MARGIN_TOP - 0.5,
                    "page {}: {w:?} at {ymin} in the stamp area",
                    k + 1
                );
                assert!(*ymax <= h - 20.0, "page {}: {w:?} below the footer", k + 1);
            }
        }
    }
}

#[test]
fn a_heading_is_never_left_alone_at_the_bottom_of_a_page() {
    let dir = tempfile::tempdir().unwrap();
    // move a heading + table down the page one line at a time, across the page end
    for filler in 30..48 {
        let mut blocks: Vec<Block> = (0..filler)
            .map(|i| Block::Paragraph {
                runs: vec![Run::regular(format!("Ligne de remplissage {i}."))],
            })
            .collect();
        blocks.push(Block::Heading {
            level: 2,
            text: "Titre gardé".into(),
        });
        blocks.push(table(5, 0.6));
        let doc = Document {
            meta: meta(),
            blocks,
        };
        let r = render::render(&doc, &RenderOptions::default()).unwrap();
        let path = write(dir.path(), "keep.pdf", &r);
        let pages = pages_text(&path, false);
        let heading_page = pages
            .iter()
            .position(|pg| pg.contains("Titre gardé"))
            .unwrap();
        assert!(
            pages[heading_page].contains("E-0001"),
            "filler {filler}: heading on page {} without the first table row",
            heading_page + 1
        );
    }
}

#[test]
fn sha256_stays_on_one_line_in_the_narrowest_documented_mono_column() {
    let dir = tempfile::tempdir().unwrap();
    for paper in [Paper::A4, Paper::Letter] {
        let fraction = layout::MIN_HASH_COLUMN_PT / paper.text_width();
        let doc = Document {
            meta: meta(),
            blocks: vec![Block::Table {
                columns: vec![
                    Column::mono("SHA-256", fraction),
                    Column::text("Note", 1.0 - fraction),
                ],
                rows: (0..30).map(|i| vec![hash(i), "ok".into()]).collect(),
            }],
        };
        let r = render::render(
            &doc,
            &RenderOptions {
                paper,
                ..RenderOptions::default()
            },
        )
        .unwrap();
        let path = write(dir.path(), "narrow.pdf", &r);
        let text = pages_text(&path, true).concat();
        for i in 0..30 {
            assert!(
                text.lines().any(|l| l.contains(&hash(i))),
                "{paper:?}: hash {i} broken"
            );
        }
    }
}

#[test]
fn invalid_documents_are_refused() {
    let bad = |b: Block| Document {
        meta: meta(),
        blocks: vec![b],
    };
    let o = RenderOptions::default();
    assert!(matches!(
        render::render(
            &bad(Block::Heading {
                level: 4,
                text: "x".into()
            }),
            &o
        ),
        Err(RenderError::InvalidDocument(_))
    ));
    let t = Block::Table {
        columns: vec![Column::text("a", 1.0)],
        rows: vec![vec!["1".into(), "2".into()]],
    };
    assert!(matches!(
        render::render(&bad(t), &o),
        Err(RenderError::InvalidDocument(_))
    ));
    let t = Block::Table {
        columns: vec![Column::text("a", 0.0)],
        rows: vec![],
    };
    assert!(matches!(
        render::render(&bad(t), &o),
        Err(RenderError::InvalidDocument(_))
    ));
    // an empty document is one page with its footer
    let r = render::render(
        &Document {
            meta: meta(),
            blocks: vec![],
        },
        &o,
    )
    .unwrap();
    assert_eq!(r.pages, 1);
}

/// A figure's labels extract (accents and "≠" included) and the figure is never split: where
/// the pages break around it, all its labels are on one page.
#[test]
fn a_figure_extracts_its_labels_and_is_kept_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let labels = [
        "Gardienne Núñez",
        "Expert Hervé",
        "\u{2260}",
        "empreinte recalculée différente",
    ];
    let mut splits_tried = 0;
    for rows in (20..60).step_by(3) {
        let r = render::render(&filing(rows), &opts(Paper::A4, PdfA::A1b)).unwrap();
        let path = write(dir.path(), &format!("fig{rows}.pdf"), &r);
        let pages = pages_text(&path, false);
        let on: Vec<usize> = labels
            .iter()
            .map(|l| {
                let found: Vec<usize> =
                    (0..pages.len()).filter(|&i| pages[i].contains(l)).collect();
                assert_eq!(found.len(), 1, "{rows} rows: {l:?} on pages {found:?}");
                found[0]
            })
            .collect();
        assert!(on.iter().all(|p| *p == on[0]), "{rows} rows: {on:?}");
        // the figure did not start its page although other content came before it there
        if !pages[on[0]].contains("Point de contrôle") && !pages[on[0]].contains("E-0") {
            splits_tried += 1;
        }
    }
    assert!(
        splits_tried > 0,
        "no row count pushed the figure to a new page"
    );
}
