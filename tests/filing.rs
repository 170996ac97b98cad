//! Filing formats: every document is written twice, the filing variant (PDF/A-2b, no
//! attachments: CM/ECF refuses PDFs with attachments, LexNET asks for PDF/A) and the evidence
//! variant (PDF/A-3b, the ledger and checkpoint attached), each saying which it is and naming
//! the other; one `report` entry records both hashes. US cases on letter paper, A4 elsewhere.
//!
//! No PDF/A-2/3 validator is installable here (veraPDF is not packaged for Debian, PyPI or npm;
//! Apache PDFBox Preflight, tested in tests/render.rs, knows PDF/A-1b only), so the PDF/A-2b and
//! 3b requirements are checked one by one: qpdf --check, the header version, the XMP
//! identification (part, conformance B), the sRGB output intent with its ICC profile, fonts
//! embedded (pdffonts), no embedded file in 2b, and in 3b each embedded file in the catalog's
//! /AF with an /AFRelationship, a MIME /Subtype and /Params.

mod common;

use lopdf::{Dictionary, Document, Object};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "demo passphrase, not a secret";

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed by this test (poppler-utils, qpdf): {e}"))
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sha256(p: &Path) -> String {
    Sha256::digest(std::fs::read(p).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn scelle(case: &Path, args: &[&str]) -> Output {
    common::scelle_with(PASS)
        .arg("-C")
        .arg(case)
        .args(args)
        .output()
        .unwrap()
}

fn demo(dir: &Path) {
    let o = common::demo(dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The text, whitespace removed (a hash or a file name may be wrapped).
fn squeezed(pdf: &Path) -> String {
    let t = out(&tool("pdftotext", &[path(pdf), "-"]));
    t.split_whitespace().collect()
}

/// The `report` entry body recording `file`, from the case's ledger.
fn entry_of(case: &Path, file: &str) -> serde_json::Value {
    std::fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .rfind(|e| e["kind"] == "report" && e["body"]["file"] == file)
        .unwrap_or_else(|| panic!("no report entry records {file}"))["body"]
        .clone()
}

fn catalog(doc: &Document) -> &Dictionary {
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary(root).unwrap()
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    }
}

/// The PDF/A requirements common to parts 2 and 3 (conformance B), checked on `pdf`; returns
/// the parsed document.
fn check_pdfa(pdf: &Path, part: u8) -> Document {
    let bytes = std::fs::read(pdf).unwrap();
    let what = pdf.display();
    assert!(
        bytes.starts_with(b"%PDF-1.7\n"),
        "{what}: not a PDF 1.7 header"
    );
    let q = tool("qpdf", &["--check", path(pdf)]);
    assert!(q.status.success(), "{what}: qpdf --check: {}", out(&q));
    let info = out(&tool("pdfinfo", &[path(pdf)]));
    assert!(info.contains("PDF version:     1.7"), "{what}: {info}");
    assert!(!info.contains("Encrypted:       yes"), "{what}: encrypted");
    // Every font embedded (pdffonts' "emb" column).
    let fonts = out(&tool("pdffonts", &[path(pdf)]));
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{what}: no fonts");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cols[cols.len() - 5],
            "yes",
            "{what}: font not embedded: {row}"
        );
    }
    let doc = Document::load_mem(&bytes).unwrap();
    let cat = catalog(&doc);
    // XMP identification: this part, conformance B.
    let meta = cat.get(b"Metadata").unwrap().as_reference().unwrap();
    let xmp = doc.get_object(meta).unwrap().as_stream().unwrap();
    assert!(
        xmp.dict.get(b"Filter").is_err(),
        "{what}: XMP metadata compressed"
    );
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    assert!(
        xmp.contains(&format!(
            "<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        )),
        "{what}: XMP does not declare PDF/A-{part}b: {xmp}"
    );
    // One output intent, GTS_PDFA1, with an embedded RGB ICC profile.
    let intents = cat.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1, "{what}: output intents");
    let intent = resolve(&doc, &intents[0]).as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let icc = intent
        .get(b"DestOutputProfile")
        .unwrap()
        .as_reference()
        .unwrap();
    let icc = doc.get_object(icc).unwrap().as_stream().unwrap();
    assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    // Nothing PDF/A forbids: encryption, JavaScript, actions, forms.
    assert!(doc.trailer.get(b"Encrypt").is_err(), "{what}: encrypted");
    for key in [&b"OpenAction"[..], b"AA"] {
        assert!(
            cat.get(key).is_err(),
            "{what}: catalog has /{}",
            String::from_utf8_lossy(key)
        );
    }
    // A form only for a PDF signature (`report --sign`, checked in tests/pades.rs): every
    // field a signature field.
    if let Ok(form) = cat.get(b"AcroForm") {
        let form = resolve(&doc, form).as_dict().unwrap();
        for field in form.get(b"Fields").unwrap().as_array().unwrap() {
            let field = resolve(&doc, field).as_dict().unwrap();
            assert_eq!(
                field.get(b"FT").unwrap().as_name().unwrap(),
                b"Sig",
                "{what}: a form field"
            );
        }
    }
    doc
}

/// The filing variant: PDF/A-2b, no embedded file at all.
fn check_filing(pdf: &Path) {
    let doc = check_pdfa(pdf, 2);
    let cat = catalog(&doc);
    assert!(
        cat.get(b"AF").is_err(),
        "{}: /AF in a filing variant",
        pdf.display()
    );
    assert!(
        cat.get(b"Names").is_err(),
        "{}: a /Names tree",
        pdf.display()
    );
    for o in doc.objects.values() {
        if let Ok(d) = o.as_dict().or_else(|_| o.as_stream().map(|s| &s.dict)) {
            let t = d.get(b"Type").and_then(Object::as_name).unwrap_or(b"");
            assert!(
                t != b"EmbeddedFile" && t != b"Filespec",
                "{}: an embedded file in a filing variant",
                pdf.display()
            );
        }
    }
    let list = out(&tool("pdfdetach", &["-list", path(pdf)]));
    assert!(
        list.starts_with("0 embedded files"),
        "{}: {list}",
        pdf.display()
    );
}

/// The evidence variant: PDF/A-3b, each embedded file associated (/AF) with a relationship,
/// a MIME type and its parameters. Returns the names embedded.
fn check_evidence(pdf: &Path) -> Vec<String> {
    let doc = check_pdfa(pdf, 3);
    let cat = catalog(&doc);
    let af = cat.get(b"AF").unwrap().as_array().unwrap();
    let mut names = Vec::new();
    for spec in af {
        let spec = resolve(&doc, spec).as_dict().unwrap();
        assert_eq!(spec.get(b"Type").unwrap().as_name().unwrap(), b"Filespec");
        assert_eq!(
            spec.get(b"AFRelationship").unwrap().as_name().unwrap(),
            b"Source"
        );
        let uf = spec.get(b"UF").unwrap().as_str().unwrap();
        names.push(String::from_utf8(uf.to_vec()).unwrap());
        let ef = spec.get(b"EF").unwrap().as_dict().unwrap();
        let file = resolve(&doc, ef.get(b"F").unwrap()).as_stream().unwrap();
        assert!(file.dict.get(b"Subtype").unwrap().as_name().is_ok());
        let params = file.dict.get(b"Params").unwrap().as_dict().unwrap();
        assert!(params.get(b"ModDate").is_ok() && params.get(b"Size").is_ok());
    }
    names.sort();
    names
}

/// Paper as pdfinfo prints it, for the jurisdiction of the case.
fn paper(pdf: &Path) -> String {
    let info = out(&tool("pdfinfo", &[path(pdf)]));
    info.lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap()
        .to_string()
}

#[test]
fn every_document_of_the_demo_has_a_filing_and_an_evidence_variant_naming_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo(&dir);
    let scratch = tmp.path().join("detached");
    // (reports folder, case, paper, the words naming each variant, saying both are recorded)
    for (folder, case, paper_name, filing_words, evidence_words, recorded_words) in [
        (
            "us",
            "case",
            "(letter)",
            "Filing version:",
            "Evidence version:",
            "records the SHA-256 of both files",
        ),
        (
            "fr",
            "case-fr",
            "(A4)",
            "Version de dépôt\u{a0}:",
            "Version probante\u{a0}:",
            "consigne l'empreinte SHA-256 des deux fichiers",
        ),
        (
            "es",
            "case-es",
            "(A4)",
            "Versión para presentación:",
            "Versión probatoria:",
            "consigna el SHA-256 de ambos ficheros",
        ),
    ] {
        let case = dir.join(case);
        let reports = dir.join("reports").join(folder);
        let mut evidence_files: Vec<PathBuf> = std::fs::read_dir(&reports)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "pdf")
                    && !p.to_str().unwrap().ends_with("-filing.pdf")
            })
            .collect();
        evidence_files.sort();
        assert!(evidence_files.len() >= 2, "{folder}: {evidence_files:?}");
        for evidence in evidence_files {
            let name = evidence.file_name().unwrap().to_str().unwrap().to_string();
            let filing = evidence.with_file_name(name.replace(".pdf", "-filing.pdf"));
            let filing_name = filing.file_name().unwrap().to_str().unwrap().to_string();
            assert!(filing.is_file(), "{name}: no filing variant {filing_name}");

            check_filing(&filing);
            assert_eq!(
                check_evidence(&evidence),
                ["checkpoint.txt", "ledger.jsonl"],
                "{name}"
            );

            // Paper of the jurisdiction, both variants.
            for pdf in [&evidence, &filing] {
                assert!(
                    paper(pdf).contains(paper_name),
                    "{}: {}",
                    pdf.display(),
                    paper(pdf)
                );
            }

            // Each says which it is and names the other; the filing variant prints the
            // evidence variant's SHA-256.
            let (e_text, f_text) = (squeezed(&evidence), squeezed(&filing));
            let sq = |s: &str| s.split_whitespace().collect::<String>();
            assert!(e_text.contains(&sq(evidence_words)), "{name}: {e_text}");
            assert!(!e_text.contains(&sq(filing_words)), "{name}");
            assert!(
                e_text.contains(&filing_name),
                "{name} does not name {filing_name}"
            );
            assert!(
                f_text.contains(&sq(filing_words)),
                "{filing_name}: {f_text}"
            );
            assert!(!f_text.contains(&sq(evidence_words)), "{filing_name}");
            assert!(
                f_text.contains(&format!("{name},")),
                "{filing_name} does not name {name}"
            );
            assert!(
                f_text.contains(&sha256(&evidence)),
                "{filing_name} does not print {name}'s SHA-256"
            );
            for t in [&e_text, &f_text] {
                assert!(t.contains(&sq(recorded_words)), "{name}: {t}");
            }

            // One entry records both; the same Bates start; verify --report knows both.
            let body = entry_of(&case, &name);
            assert_eq!(body["sha256"], sha256(&evidence));
            assert_eq!(body["pdfa"], "3b");
            assert_eq!(body["filing"]["file"], filing_name.as_str());
            assert_eq!(body["filing"]["sha256"], sha256(&filing));
            assert_eq!(body["filing"]["pdfa"], "2b");
            assert_eq!(
                body["filing"]["size"],
                std::fs::metadata(&filing).unwrap().len()
            );
            let first = body["bates_first"].as_str().unwrap();
            assert!(
                e_text.contains(first) && f_text.contains(first),
                "{name}: {first}"
            );
            for pdf in [&evidence, &filing] {
                let o = scelle(&case, &["verify", "--report", path(pdf)]);
                assert!(o.status.success(), "{}: {}", pdf.display(), out(&o));
            }

            // The attachments are the case's ledger as it was (its first `ledger_size`
            // entries) and the checkpoint of that size, byte for byte.
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch).unwrap();
            assert!(tool(
                "pdfdetach",
                &["-saveall", "-o", path(&scratch), path(&evidence)]
            )
            .status
            .success());
            let size = body["ledger_size"].as_u64().unwrap() as usize;
            let ledger = std::fs::read_to_string(case.join("ledger.jsonl")).unwrap();
            let prefix: String = ledger.split_inclusive('\n').take(size).collect();
            assert_eq!(
                std::fs::read_to_string(scratch.join("ledger.jsonl")).unwrap(),
                prefix,
                "{name}: attached ledger"
            );
            assert_eq!(
                std::fs::read(scratch.join("checkpoint.txt")).unwrap(),
                std::fs::read(case.join(format!("checkpoints/{size:012}.txt"))).unwrap(),
                "{name}: attached checkpoint"
            );
        }
    }
    // The bundle carries both variants of the documents it carries.
    let listing = out(&tool("tar", &["tf", path(&dir.join("bundle.tar"))]));
    for doc in ["expert-report-en", "certificate-en"] {
        for file in [format!("{doc}.pdf"), format!("{doc}-filing.pdf")] {
            assert!(
                listing.contains(&format!("data/reports/{file}")),
                "bundle lacks {file}: {listing}"
            );
        }
    }
}

#[test]
fn paper_follows_the_case_unless_given_and_single_files_have_no_variant() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo(&dir);
    let input = |lang: &str| {
        format!(
            "{}/examples/demo/report-{lang}.toml",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let key = dir.join("keys/expert.key");
    // --paper a4 on the US case: both variants A4.
    let a4 = tmp.path().join("cert.pdf");
    let o = scelle(
        &dir.join("case"),
        &[
            "report",
            "certificate",
            "--lang",
            "en",
            "--input",
            &input("en"),
            "--paper",
            "a4",
            "--key",
            path(&key),
            "--out",
            path(&a4),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let filing = tmp.path().join("cert-filing.pdf");
    assert!(out(&o).contains(path(&filing)), "{}", out(&o));
    assert!(paper(&a4).contains("(A4)") && paper(&filing).contains("(A4)"));
    // --paper letter on the Spanish case.
    let letter = tmp.path().join("custodia.pdf");
    let o = scelle(
        &dir.join("case-es"),
        &[
            "report",
            "custody",
            "--lang",
            "es",
            "--input",
            &input("es"),
            "--paper",
            "letter",
            "--out",
            path(&letter),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(paper(&letter).contains("(letter)"));
    // Not recorded (no key): neither variant says the ledger records them.
    for pdf in [&letter, &tmp.path().join("custodia-filing.pdf")] {
        let t = squeezed(pdf);
        assert!(t.contains("Versión"), "{t}");
        assert!(!t.contains("consignaelSHA-256"), "{t}");
    }
    assert!(paper(&tmp.path().join("custodia-filing.pdf")).contains("(letter)"));

    // The filing variant is not overwritten without --force; nothing is written.
    let other = tmp.path().join("other.pdf");
    std::fs::write(tmp.path().join("other-filing.pdf"), b"kept").unwrap();
    let o = scelle(
        &dir.join("case-es"),
        &[
            "report",
            "custody",
            "--lang",
            "es",
            "--input",
            &input("es"),
            "--out",
            path(&other),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("other-filing.pdf"));
    assert!(!other.exists());
    assert_eq!(
        std::fs::read(tmp.path().join("other-filing.pdf")).unwrap(),
        b"kept"
    );

    // export --report with the evidence variant alone carries its filing variant too, and
    // the bundle verifies.
    let bundle = tmp.path().join("b.tar");
    let o = scelle(
        &dir.join("case"),
        &[
            "export",
            "--out",
            path(&bundle),
            "--report",
            path(&a4),
            "--key",
            path(&key),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listing = out(&tool("tar", &["tf", path(&bundle)]));
    assert!(listing.contains("data/reports/cert.pdf"), "{listing}");
    assert!(
        listing.contains("data/reports/cert-filing.pdf"),
        "{listing}"
    );
    let o = common::scelle_with(PASS)
        .args(["verify-bundle", path(&bundle)])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        out(&o),
        String::from_utf8_lossy(&o.stderr)
    );

    // --pdfa 2b: one file, PDF/A-2b, no attachment, no variant statement, recorded as 2b.
    let single = tmp.path().join("single.pdf");
    let o = scelle(
        &dir.join("case-fr"),
        &[
            "report",
            "seals",
            "--lang",
            "fr",
            "--input",
            &input("fr"),
            "--pdfa",
            "2b",
            "--key",
            path(&key),
            "--out",
            path(&single),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check_filing(&single);
    assert!(!tmp.path().join("single-filing.pdf").exists());
    assert!(paper(&single).contains("(A4)"));
    let text = squeezed(&single);
    assert!(!text.contains("Versiondedépôt") && !text.contains("Versionprobante"));
    let body = entry_of(&dir.join("case-fr"), "single.pdf");
    assert_eq!(body["pdfa"], "2b");
    assert!(body.get("filing").is_none());
}

/// The `filing` member of a `report` body (FORMAT.md 6.7): scelle and the independent
/// verifier accept and refuse the same values.
#[test]
fn both_verifiers_agree_on_the_filing_member() {
    let good = serde_json::json!({
        "document": "certificate", "lang": "en", "jurisdiction": "us",
        "file": "certificate-en.pdf", "sha256": "ab".repeat(32), "size": 1, "pages": 1,
        "pdfa": "3b", "exhibits": [], "ledger_size": 1,
        "filing": {"file": "certificate-en-filing.pdf", "sha256": "cd".repeat(32),
                   "size": 1, "pages": 1, "pdfa": "2b"},
    });
    let variants: Vec<(&str, serde_json::Value)> = vec![
        ("good", good.clone()),
        ("filing pdfa 3b", {
            let mut b = good.clone();
            b["filing"]["pdfa"] = "3b".into();
            b
        }),
        ("filing sha256 upper case", {
            let mut b = good.clone();
            b["filing"]["sha256"] = "CD".repeat(32).into();
            b
        }),
        ("filing file with a directory", {
            let mut b = good.clone();
            b["filing"]["file"] = "out/x.pdf".into();
            b
        }),
        ("filing without pages", {
            let mut b = good.clone();
            b["filing"].as_object_mut().unwrap().remove("pages");
            b
        }),
        ("filing with an unknown member", {
            let mut b = good.clone();
            b["filing"]["bates_last"] = "X-000001".into();
            b
        }),
        ("a 2b document without filing", {
            let mut b = good.clone();
            b["pdfa"] = "2b".into();
            b.as_object_mut().unwrap().remove("filing");
            b
        }),
    ];
    let script = "import sys, json\nsys.path.insert(0, sys.argv[1])\nimport verify_case as v\n\
                  for line in sys.stdin:\n    print('ok' if not v.REPORT_BODY(json.loads(line), 'body') else 'bad')\n";
    let input: String = variants.iter().map(|(_, b)| format!("{b}\n")).collect();
    let mut child = Command::new("python3")
        .args([
            "-c",
            script,
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/independent"),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is needed by this test");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let python: Vec<bool> = out(&o).lines().map(|l| l == "ok").collect();
    assert_eq!(python.len(), variants.len());
    for ((what, body), py_ok) in variants.iter().zip(python) {
        let rust_ok = scelle::format::body::Body::parse("report", body)
            .is_ok_and(|b| scelle::format::validate::validate_values(&b).is_ok());
        assert_eq!(
            rust_ok, py_ok,
            "{what}: scelle {rust_ok}, verify_case.py {py_ok}"
        );
        assert_eq!(
            rust_ok,
            *what == "good" || what.starts_with("a 2b"),
            "{what}"
        );
    }
}
