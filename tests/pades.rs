//! `report --sign`: PAdES baseline signatures (ETSI EN 319 142-1 B-B) on both variants of a
//! document, checked by third-party validators: pyHanko (`pyhanko sign validate`) for every
//! signature (Ed25519 with the key's self-issued certificate, or a CA's; RSA and ECDSA P-256
//! from PKCS#12 files made here with `openssl`), poppler's `pdfsig` for RSA and ECDSA (it
//! cannot validate Ed25519). A byte changed after signing fails both; the unsigned document
//! is a prefix of the signed one (an incremental update); the signed files keep their PDF/A
//! structure (and pass PDFBox Preflight as PDF/A-1b), their text, and are what the `report`
//! entry records.

mod common;

use lopdf::{Document, Object};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "demo passphrase, not a secret";
const P12_PASS: &str = "p12 passphrase for the test";

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed by this test: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Demo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Demo {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("d");
        let o = common::demo(&dir);
        assert!(o.status.success(), "{}", text(&o));
        Self { _tmp: tmp, dir }
    }

    fn case(&self) -> PathBuf {
        self.dir.join("case")
    }

    fn key(&self) -> String {
        path(&self.dir.join("keys/expert.key")).to_string()
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// `scelle -C case report certificate --lang en --input … ARGS`.
    fn report(&self, args: &[&str]) -> Output {
        let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/report-en.toml");
        common::scelle_with(PASS)
            .env("SCELLE_PKCS12_PASSPHRASE", P12_PASS)
            .arg("-C")
            .arg(self.case())
            .args(["report", "certificate", "--lang", "en", "--input"])
            .arg(input)
            .args(args)
            .output()
            .unwrap()
    }

    fn scelle(&self, args: &[&str]) -> Output {
        common::scelle_with(PASS)
            .arg("-C")
            .arg(self.case())
            .args(args)
            .output()
            .unwrap()
    }
}

/// pyHanko's judgment of the one signature of `pdf`, trusting only `trust`: true when VALID.
fn pyhanko_valid(pdf: &Path, trust: &Path) -> bool {
    let o = Command::new(common::pyenv_bin("pyhanko"))
        .args([
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            path(trust),
            "--executive-summary",
            path(pdf),
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let valid = o.status.success() && out.trim_end().ends_with(":VALID");
    assert_eq!(
        valid,
        out.contains(":VALID"),
        "pyhanko says {out} with status {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    valid
}

/// pdfsig's verdict on the signature's integrity ("Signature is Valid.", "Digest Mismatch.").
fn pdfsig(pdf: &Path) -> String {
    let o = tool("pdfsig", &[path(pdf)]);
    let out = text(&o);
    out.lines()
        .find_map(|l| l.trim().strip_prefix("- Signature Validation: "))
        .unwrap_or_else(|| panic!("pdfsig: {out}"))
        .to_string()
}

fn flipped(pdf: &Path, at: usize) -> PathBuf {
    let mut bytes = std::fs::read(pdf).unwrap();
    bytes[at] ^= 0x01;
    let out = pdf.with_file_name(format!(
        "altered-{}",
        pdf.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::write(&out, bytes).unwrap();
    out
}

fn catalog(doc: &Document) -> &lopdf::Dictionary {
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary(root).unwrap()
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    }
}

/// What a signature added must keep of PDF/A (ISO 19005-2 6.3, 6.4.3; the rest as
/// tests/filing.rs checks it unsigned): qpdf --check, the version and XMP part, the output
/// intent, fonts embedded, nothing encrypted; one signature field whose widget is printable,
/// not hidden, zero-size, with an /AP holding only /N; /SigFlags 3, no /NeedAppearances; the
/// signature dictionary PAdES asks for. Returns the signature dictionary's /Name.
fn check_signed_pdfa(pdf: &Path, part: u8) -> String {
    let what = pdf.display();
    let q = tool("qpdf", &["--check", path(pdf)]);
    assert!(q.status.success(), "{what}: qpdf --check: {}", text(&q));
    let fonts = text(&tool("pdffonts", &[path(pdf)]));
    for row in fonts.lines().skip(2) {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cols[cols.len() - 5],
            "yes",
            "{what}: font not embedded: {row}"
        );
    }
    let bytes = std::fs::read(pdf).unwrap();
    let header = if part == 1 {
        "%PDF-1.4\n"
    } else {
        "%PDF-1.7\n"
    };
    assert!(bytes.starts_with(header.as_bytes()), "{what}: header");
    let doc = Document::load_mem(&bytes).unwrap();
    let cat = catalog(&doc);
    let xmp = doc
        .get_object(cat.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    assert!(
        xmp.contains(&format!("<pdfaid:part>{part}</pdfaid:part>")),
        "{what}: XMP part"
    );
    assert_eq!(
        cat.get(b"OutputIntents").unwrap().as_array().unwrap().len(),
        1
    );
    assert!(doc.trailer.get(b"Encrypt").is_err());
    assert!(
        doc.trailer.get(b"ID").is_ok(),
        "{what}: no /ID in the last trailer"
    );
    for key in [&b"OpenAction"[..], b"AA"] {
        assert!(cat.get(key).is_err(), "{what}: catalog action");
    }
    let form = resolve(&doc, cat.get(b"AcroForm").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    assert!(form.get(b"NeedAppearances").is_err());
    let fields = form.get(b"Fields").unwrap().as_array().unwrap();
    assert_eq!(fields.len(), 1);
    let field_id = fields[0].as_reference().unwrap();
    let field = doc.get_dictionary(field_id).unwrap();
    assert_eq!(field.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
    assert_eq!(field.get(b"Subtype").unwrap().as_name().unwrap(), b"Widget");
    let flags = field.get(b"F").unwrap().as_i64().unwrap();
    assert_eq!(flags & 4, 4, "{what}: widget not printed");
    assert_eq!(flags & (1 | 2 | 32 | 256), 0, "{what}: widget hidden");
    let rect: Vec<f32> = field
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(rect, [0.0; 4], "{what}: a visible widget");
    let ap = field.get(b"AP").unwrap().as_dict().unwrap();
    assert_eq!(ap.len(), 1, "{what}: /AP has more than /N");
    assert!(ap.get(b"N").is_ok());
    // on the first page
    let first = *doc.get_pages().values().next().unwrap();
    let annots = doc.get_dictionary(first).unwrap().get(b"Annots").unwrap();
    assert!(resolve(&doc, annots)
        .as_array()
        .unwrap()
        .contains(&Object::Reference(field_id)));
    let sig = resolve(&doc, field.get(b"V").unwrap()).as_dict().unwrap();
    assert_eq!(
        sig.get(b"Filter").unwrap().as_name().unwrap(),
        b"Adobe.PPKLite"
    );
    assert_eq!(
        sig.get(b"SubFilter").unwrap().as_name().unwrap(),
        b"ETSI.CAdES.detached"
    );
    assert!(sig.get(b"M").is_ok(), "{what}: no /M");
    let range: Vec<i64> = sig
        .get(b"ByteRange")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_i64().unwrap())
        .collect();
    assert_eq!(range[0], 0);
    assert_eq!(
        (range[2] + range[3]) as usize,
        bytes.len(),
        "{what}: the signature does not cover the whole file"
    );
    let name = sig.get(b"Name").unwrap().as_str().unwrap();
    lopdf::decode_text_string(&Object::String(
        name.to_vec(),
        lopdf::StringFormat::Hexadecimal,
    ))
    .unwrap()
}

fn sha256(p: &Path) -> String {
    common::sha256sum(p)
}

fn entry_of(case: &Path, file: &str) -> serde_json::Value {
    std::fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .rfind(|e| e["kind"] == "report" && e["body"]["file"] == file)
        .unwrap_or_else(|| panic!("no report entry records {file}"))["body"]
        .clone()
}

fn squeezed(pdf: &Path) -> String {
    let t = String::from_utf8_lossy(&tool("pdftotext", &[path(pdf), "-"]).stdout).into_owned();
    t.split_whitespace().collect()
}

/// The expert's Ed25519 key signs both variants, with its self-issued certificate written
/// next to them; pyHanko validates both trusting that certificate (and refuses them trusting
/// another); the filing variant prints the signed evidence variant's SHA-256; the entry
/// records the signed files; a byte changed fails; the certificate is deterministic and says
/// who holds the key.
#[test]
fn ed25519_signed_variants_validate_with_pyhanko() {
    let d = Demo::new();
    let out = d.p("signed/cert.pdf");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let o = d.report(&["--out", path(&out), "--key", &d.key(), "--sign"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("signed: PAdES baseline B-B, Ed25519"),
        "{}",
        text(&o)
    );
    let filing = d.p("signed/cert-filing.pdf");
    let cert = d.p("signed/cert-signer.pem");
    for pdf in [&out, &filing] {
        assert!(pyhanko_valid(pdf, &cert), "{}", pdf.display());
        // trusting another certificate: not valid
        assert!(!pyhanko_valid(
            pdf,
            &d.p("signed/other.pem").tap_write_other()
        ));
    }
    assert_eq!(check_signed_pdfa(&out, 3), "Jean-Marc Dupré");
    assert_eq!(check_signed_pdfa(&filing, 2), "Jean-Marc Dupré");
    // the text, accents included, is still extracted
    let t = String::from_utf8_lossy(&tool("pdftotext", &[path(&out), "-"]).stdout).into_owned();
    assert!(t.contains("Dupré"), "{t}");
    // the filing variant prints the SHA-256 of the signed evidence variant, and the entry
    // records what is on disk
    assert!(squeezed(&filing).contains(&sha256(&out)));
    let e = entry_of(&d.case(), "cert.pdf");
    assert_eq!(e["sha256"], sha256(&out));
    assert_eq!(e["filing"]["sha256"], sha256(&filing));
    assert_eq!(e["size"], std::fs::metadata(&out).unwrap().len());
    let v = d.scelle(&["verify"]);
    assert!(v.status.success(), "{}", text(&v));
    for pdf in [&out, &filing] {
        let v = d.scelle(&["verify", "--report", path(pdf)]);
        assert!(v.status.success(), "{}", text(&v));
    }
    // a signed report is carried in a bundle and still matches its entry there
    let bundle = d.p("signed.tar");
    let o = d.scelle(&[
        "export",
        "--out",
        path(&bundle),
        "--organization",
        "Lab",
        "--key",
        &d.key(),
        "--report",
        path(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = common::bin()
        .args(["verify-bundle", path(&bundle)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // the certificate: the key's holder, its id as serial, the usages; the same each time
    let x = text(&tool(
        "openssl",
        &[
            "x509",
            "-in",
            path(&cert),
            "-noout",
            "-text",
            "-nameopt",
            "utf8",
        ],
    ));
    assert!(x.contains("Subject: CN=Jean-Marc Dupré"), "{x}");
    assert!(x.contains("Issuer: CN=Jean-Marc Dupré"), "{x}");
    assert!(x.contains("ED25519"), "{x}");
    assert!(x.contains("Digital Signature, Non Repudiation"), "{x}");
    let pubkey = std::fs::read_to_string(d.p("keys/expert.pub")).unwrap();
    let serial = text(&tool(
        "openssl",
        &["x509", "-in", path(&cert), "-noout", "-serial"],
    ));
    let kid = e_key_id(&d);
    assert!(
        serial.trim().eq_ignore_ascii_case(&format!("serial={kid}")),
        "{serial} vs {kid} ({pubkey})"
    );
    // valid from the key's enrolment (the demo's expert opened the case: entry 0), no expiry
    let ledger = std::fs::read_to_string(d.case().join("ledger.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(ledger.lines().next().unwrap()).unwrap();
    assert_eq!(first["key"].as_str().unwrap(), kid);
    let dates = text(&tool(
        "openssl",
        &[
            "x509",
            "-in",
            path(&cert),
            "-noout",
            "-startdate",
            "-enddate",
            "-dateopt",
            "iso_8601",
        ],
    ));
    assert!(
        dates.contains(&format!(
            "notBefore={}",
            first["time"].as_str().unwrap().replace('T', " ")
        )),
        "{dates}"
    );
    assert!(dates.contains("notAfter=9999-12-31 23:59:59Z"), "{dates}");
    let again = d.p("again/cert.pdf");
    std::fs::create_dir_all(again.parent().unwrap()).unwrap();
    let o = d.report(&["--out", path(&again), "--key", &d.key(), "--sign"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(&cert).unwrap(),
        std::fs::read(d.p("again/cert-signer.pem")).unwrap()
    );
    // a byte changed after signing: invalid, and no longer the recorded document
    let len = std::fs::read(&out).unwrap().len();
    for at in [len / 3, len - 40] {
        let bad = flipped(&out, at);
        assert!(!pyhanko_valid(&bad, &cert), "byte {at} changed");
        let v = d.scelle(&["verify", "--report", path(&bad)]);
        assert_eq!(v.status.code(), Some(1), "{}", text(&v));
    }
}

/// The key id of the demo's expert key, from the ledger.
fn e_key_id(d: &Demo) -> String {
    let ledger = std::fs::read_to_string(d.case().join("ledger.jsonl")).unwrap();
    let e = ledger
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .rfind(|e| e["kind"] == "report")
        .unwrap();
    e["key"].as_str().unwrap().to_string()
}

trait WriteOther {
    fn tap_write_other(self) -> PathBuf;
}

impl WriteOther for PathBuf {
    /// Writes a certificate of a fresh P-256 key here (once), returns the path.
    fn tap_write_other(self) -> PathBuf {
        if !self.exists() {
            let key = self.with_extension("key");
            let o = tool(
                "openssl",
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    path(&key),
                    "-out",
                    path(&self),
                    "-days",
                    "30",
                    "-subj",
                    "/CN=Someone else",
                ],
            );
            assert!(o.status.success(), "{}", text(&o));
        }
        self
    }
}

/// An RSA or ECDSA P-256 key and self-signed certificate in a PKCS#12 file (`legacy`: the
/// 3DES/RC2 encryption of older exports, else PBES2/AES), protected by [`P12_PASS`]; returns
/// (p12, certificate).
fn make_p12(dir: &Path, name: &str, ec: bool, legacy: bool) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.pem"));
    let p12 = dir.join(format!("{name}.p12"));
    let mut args = vec!["req", "-x509", "-newkey"];
    if ec {
        args.extend(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    } else {
        args.push("rsa:2048");
    }
    args.extend([
        "-nodes",
        "-keyout",
        path(&key),
        "-out",
        path(&cert),
        "-days",
        "30",
        "-utf8",
        "-subj",
        "/CN=Jean-Marc Dupré/O=Laboratoire/C=FR",
        "-addext",
        "keyUsage=critical,digitalSignature,nonRepudiation",
    ]);
    let o = tool("openssl", &args);
    assert!(o.status.success(), "{}", text(&o));
    let pass = format!("pass:{P12_PASS}");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        path(&key),
        "-in",
        path(&cert),
        "-out",
        path(&p12),
        "-passout",
        &pass,
    ];
    if legacy {
        args.push("-legacy");
    }
    let o = tool("openssl", &args);
    assert!(o.status.success(), "{}", text(&o));
    (p12, cert)
}

/// RSA (PBES2/AES PKCS#12) and ECDSA P-256 (legacy 3DES PKCS#12): pyHanko and pdfsig
/// validate both variants; a byte changed fails both; the unsigned document is a prefix of
/// the signed one; as PDF/A-1b, a signed document passes PDFBox Preflight.
#[test]
fn pkcs12_rsa_and_ecdsa_validate_with_pyhanko_and_pdfsig() {
    let d = Demo::new();
    for (name, ec, legacy) in [("rsa", false, false), ("ecdsa", true, true)] {
        let (p12, cert) = make_p12(&d.dir, name, ec, legacy);
        // unsigned and not recorded, then signed and not recorded: the same document
        let plain = d.p(&format!("plain-{name}/c.pdf"));
        let signed = d.p(&format!("signed-{name}/c.pdf"));
        for p in [&plain, &signed] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        }
        let o = d.report(&["--out", path(&plain)]);
        assert!(o.status.success(), "{}", text(&o));
        let o = d.report(&["--out", path(&signed), "--sign", "--pkcs12", path(&p12)]);
        assert!(o.status.success(), "{}", text(&o));
        let (u, s) = (
            std::fs::read(&plain).unwrap(),
            std::fs::read(&signed).unwrap(),
        );
        assert!(
            s.len() > u.len() && s.starts_with(&u),
            "{name}: not an incremental update"
        );
        // recorded with the expert's key, signed with the certificate
        let rec = d.p(&format!("rec-{name}/c.pdf"));
        std::fs::create_dir_all(rec.parent().unwrap()).unwrap();
        let o = d.report(&[
            "--out",
            path(&rec),
            "--key",
            &d.key(),
            "--sign",
            "--pkcs12",
            path(&p12),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let filing = rec.with_file_name("c-filing.pdf");
        assert!(!rec.with_file_name("c-signer.pem").exists());
        for pdf in [&signed, &rec, &filing] {
            assert!(pyhanko_valid(pdf, &cert), "{name}: {}", pdf.display());
            assert_eq!(
                pdfsig(pdf),
                "Signature is Valid.",
                "{name}: {}",
                pdf.display()
            );
        }
        assert_eq!(check_signed_pdfa(&rec, 3), "Jean-Marc Dupré");
        check_signed_pdfa(&filing, 2);
        assert!(squeezed(&filing).contains(&sha256(&rec)));
        let e = entry_of(&d.case(), "c.pdf");
        assert_eq!(e["sha256"], sha256(&rec));
        assert_eq!(e["filing"]["sha256"], sha256(&filing));
        let len = s.len();
        for at in [len / 2, 100, len - 30] {
            let bad = flipped(&rec, at.min(std::fs::read(&rec).unwrap().len() - 30));
            assert!(!pyhanko_valid(&bad, &cert), "{name}: byte {at}");
            assert_ne!(pdfsig(&bad), "Signature is Valid.", "{name}: byte {at}");
        }
    }
    let v = d.scelle(&["verify"]);
    assert!(v.status.success(), "{}", text(&v));
    // PDF/A-1b, signed: Apache PDFBox Preflight
    let (p12, _) = make_p12(&d.dir, "a1", false, false);
    let a1 = d.p("a1/c.pdf");
    std::fs::create_dir_all(a1.parent().unwrap()).unwrap();
    for args in [
        vec!["--sign", "--pkcs12", path(&p12)],
        vec!["--sign", "--key", Box::leak(d.key().into_boxed_str())],
    ] {
        let mut all = vec!["--out", path(&a1), "--pdfa", "1b", "--force"];
        all.extend(args);
        let o = d.report(&all);
        assert!(o.status.success(), "{}", text(&o));
        check_signed_pdfa(&a1, 1);
        let cp = [
            "pdfbox2",
            "fontbox2",
            "preflight",
            "xmpbox",
            "commons-logging",
            "javax.activation",
            "jaxb-api",
        ]
        .map(|j| format!("/usr/share/java/{j}.jar"))
        .join(":");
        let o = tool(
            "java",
            &[
                "-cp",
                &cp,
                "org.apache.pdfbox.preflight.Validator_A1b",
                path(&a1),
            ],
        );
        assert!(
            text(&o).contains("is a valid PDF/A-1b file"),
            "{}",
            text(&o)
        );
    }
}

/// The Ed25519 key with a certificate a CA issued for it (`--signer-cert`): pyHanko
/// validates trusting the CA.
#[test]
fn a_ca_issued_certificate_for_the_key() {
    let d = Demo::new();
    // the key's public key, from its self-issued certificate
    let first = d.p("self/c.pdf");
    std::fs::create_dir_all(first.parent().unwrap()).unwrap();
    let o = d.report(&["--out", path(&first), "--key", &d.key(), "--sign"]);
    assert!(o.status.success(), "{}", text(&o));
    let pubkey = d.p("ed.pub.pem");
    let o = tool(
        "openssl",
        &[
            "x509",
            "-in",
            path(&d.p("self/c-signer.pem")),
            "-pubkey",
            "-noout",
            "-out",
            path(&pubkey),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let (ca_key, ca) = (d.p("ca.key"), d.p("ca.pem"));
    let o = tool(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            path(&ca_key),
            "-out",
            path(&ca),
            "-days",
            "30",
            "-subj",
            "/CN=Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let ext = d.p("ext.cnf");
    std::fs::write(&ext, "keyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
    let issued = d.p("issued.pem");
    let o = tool(
        "openssl",
        &[
            "x509",
            "-new",
            "-subj",
            "/CN=Jean-Marc Dupre",
            "-force_pubkey",
            path(&pubkey),
            "-CA",
            path(&ca),
            "-CAkey",
            path(&ca_key),
            "-days",
            "30",
            "-extfile",
            path(&ext),
            "-out",
            path(&issued),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = d.p("ca/c.pdf");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let o = d.report(&[
        "--out",
        path(&out),
        "--key",
        &d.key(),
        "--sign",
        "--signer-cert",
        path(&issued),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!d.p("ca/c-signer.pem").exists());
    for pdf in [&out, &d.p("ca/c-filing.pdf")] {
        assert!(pyhanko_valid(pdf, &ca));
        assert!(!pyhanko_valid(pdf, &d.p("self/c-signer.pem")));
    }
}

/// Bad input is refused with exit 2 and nothing written or recorded: a wrong PKCS#12
/// passphrase, a certificate for another key, --sign without a key, a file that is no
/// certificate.
#[test]
fn bad_signing_input_is_refused_and_nothing_is_written() {
    let d = Demo::new();
    let (p12, rsa_cert) = make_p12(&d.dir, "rsa", false, false);
    let out = d.p("out/c.pdf");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let notcert = d.p("notcert.pem");
    std::fs::write(
        &notcert,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let case_before = common::snapshot_files(&d.case());
    let key = d.key();
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (
            vec!["--key", &key, "--sign", "--pkcs12", path(&p12)],
            Some("wrong passphrase"),
            "cannot open the PKCS#12 file",
        ),
        (
            vec!["--key", &key, "--sign", "--signer-cert", path(&rsa_cert)],
            None,
            "the certificate's public key is not the signing key's",
        ),
        (
            vec!["--key", &key, "--sign", "--signer-cert", path(&notcert)],
            None,
            "not an X.509 certificate",
        ),
        (vec!["--sign"], None, "give --key"),
    ];
    for (args, pass, says) in cases {
        let mut all = vec!["--out", path(&out)];
        all.extend(args.iter().copied());
        let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/report-en.toml");
        let o = common::scelle_with(PASS)
            .env("SCELLE_PKCS12_PASSPHRASE", pass.unwrap_or(P12_PASS))
            .arg("-C")
            .arg(d.case())
            .args(["report", "certificate", "--lang", "en", "--input"])
            .arg(input)
            .args(&all)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
        assert_eq!(
            std::fs::read_dir(out.parent().unwrap()).unwrap().count(),
            0,
            "{args:?}: something was written"
        );
        assert_eq!(
            common::snapshot_files(&d.case()),
            case_before,
            "{args:?}: the case changed"
        );
    }
}

/// pyHanko's full report of the signature of `pdf`, trusting `trust` (repeatable).
fn pyhanko_report(pdf: &Path, trust: &[&Path]) -> (bool, String) {
    let mut c = Command::new(common::pyenv_bin("pyhanko"));
    c.args([
        "sign",
        "validate",
        "--no-revocation-check",
        "--trust-replace",
        "--pretty-print",
    ]);
    for t in trust {
        c.arg("--trust").arg(t);
    }
    let o = c.arg(pdf).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    (
        o.status.success() && out.contains("The signature is judged VALID"),
        out,
    )
}

/// `tsa add URL --name lab-tsa --ca-file CA` in the demo case, signed by the expert.
fn add_tsa(d: &Demo, url: &str, ca: &Path) {
    let o = d.scelle(&[
        "tsa",
        "add",
        url,
        "--name",
        "lab-tsa",
        "--ca-file",
        path(ca),
        "--key",
        &d.key(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

/// PAdES B-T: `--tsa NAME` adds the case TSA's time-stamp token over the signature value
/// (unsigned attribute id-aa-signatureTimeStampToken); pyHanko validates the signature and
/// the timestamp trusting the signer's certificate and the TSA's CA. A TSA that does not
/// answer, or a name the case does not know: exit 2, nothing written.
#[test]
fn a_tsa_timestamps_the_signature() {
    use scelle::ops::localtsa::LocalTsa;
    let d = Demo::new();
    let tsa = LocalTsa::start(&d.p("tsa-pades"), "pades test").unwrap();
    let ca = tsa.ca_file();
    add_tsa(&d, &tsa.url(), &ca);
    let out = d.p("bt/c.pdf");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let o = d.report(&[
        "--out",
        path(&out),
        "--key",
        &d.key(),
        "--sign",
        "--tsa",
        "lab-tsa",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let cert = d.p("bt/c-signer.pem");
    for pdf in [&out, &d.p("bt/c-filing.pdf")] {
        let (valid, report) = pyhanko_report(pdf, &[&cert, &ca]);
        assert!(valid, "{report}");
        for says in [
            "Signature timestamp token:",
            "The timestamp token is cryptographically sound.",
            "The TSA certificate is trusted.",
        ] {
            assert!(report.contains(says), "{says}: {report}");
        }
        check_signed_pdfa(pdf, if pdf == &out { 3 } else { 2 });
        // the TSA's CA not trusted: neither is the timestamp, nor the signature
        let (valid, untrusted) = pyhanko_report(pdf, &[&cert]);
        assert!(!valid, "{untrusted}");
        assert!(
            untrusted.contains("The TSA certificate is untrusted."),
            "{untrusted}"
        );
    }
    let v = d.scelle(&["verify"]);
    assert!(v.status.success(), "{}", text(&v));
    // an unknown TSA name, then the TSA down: refused, nothing written
    let none = d.p("none/c.pdf");
    std::fs::create_dir_all(none.parent().unwrap()).unwrap();
    let before = common::snapshot_files(&d.case());
    let o = d.report(&[
        "--out",
        path(&none),
        "--key",
        &d.key(),
        "--sign",
        "--tsa",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no TSA of that name"), "{}", text(&o));
    tsa.stop();
    let o = d.report(&[
        "--out",
        path(&none),
        "--key",
        &d.key(),
        "--sign",
        "--tsa",
        "lab-tsa",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no signature timestamp"), "{}", text(&o));
    assert_eq!(
        std::fs::read_dir(none.parent().unwrap()).unwrap().count(),
        0
    );
    assert_eq!(common::snapshot_files(&d.case()), before);
}

/// A TSA whose certificate does not chain to the CA its `tsa.add` names answers validly in
/// every other respect (status, imprint of the signature value, nonce): its token is never
/// embedded, as the case would not accept it for a checkpoint (FORMAT.md 8.6). Exit 2,
/// nothing written, nothing recorded.
#[test]
fn a_signature_timestamp_from_an_untrusted_tsa_is_refused() {
    use scelle::ops::localtsa::LocalTsa;
    let d = Demo::new();
    let tsa = LocalTsa::start(&d.p("tsa-real"), "pades test").unwrap();
    let other = LocalTsa::start(&d.p("tsa-other"), "another CA").unwrap();
    // The case names the other TSA's CA for this URL.
    add_tsa(&d, &tsa.url(), &other.ca_file());
    let out = d.p("bad/c.pdf");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let before = common::snapshot_files(&d.case());
    let o = d.report(&[
        "--out",
        path(&out),
        "--key",
        &d.key(),
        "--sign",
        "--tsa",
        "lab-tsa",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("timestamp-untrusted"), "{}", text(&o));
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 0);
    assert_eq!(common::snapshot_files(&d.case()), before);
    tsa.stop();
    other.stop();
}
