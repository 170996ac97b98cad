//! `scelle report`: renders a document from the ledger to PDF, writes it atomically, and (with
//! a key) records its SHA-256 as a signed `report` entry; `verify --report FILE` checks a PDF
//! against those entries.
//!
//! With PDF/A-3b (the default) it writes two files of the document (`report::pdf::Variant`):
//! the evidence variant at `--out` (the ledger and checkpoint attached) and the filing variant
//! (PDF/A-2b, no attachments) next to it, `NAME-filing.pdf`; one `report` entry records both
//! hashes (`filing`), so `verify --report` knows either file.
//!
//! Bates numbers continue the case's production (`report::bates`): the start is found in the
//! ledger and the range checked against the recorded ones while the case is locked (with a
//! key), so two documents rendered at once cannot take the same numbers.

use crate::error::{Error, IoContext, Result};
use crate::format::body::{Body, FilingVariant, ReportBody, KIND_REPORT};
use crate::format::document::PdfA;
use crate::format::encoding::hex;
use crate::format::entry::{Entry, TypedLine};
use crate::format::lang::{Jurisdiction, Lang};
use crate::format::pades::{self, Signer};
use crate::render::sign::{sign_pdf, SignatureFields};
use crate::report::bates::{self, Production};
use crate::report::pdf::{self, PdfOptions, Variant};
use crate::report::{build, data, input, DocumentKind, ReportRequest};
use crate::store::case::CaseDir;
use crate::store::fsutil;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::{read_all_lines, Appender};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Whose key and certificate sign the PDF (`report --sign`).
#[derive(Debug)]
pub enum SignWith {
    /// The recording key (`--key`), with the self-issued certificate made for it from its
    /// key record ([`pades::self_issued_certificate`]), also written next to the report as
    /// `NAME-signer.pem` so a validator can be told to trust it.
    CaseKey,
    /// The recording key, with this certificate issued for it by a CA (PEM or DER).
    Certificate(PathBuf),
    /// The key and certificate chain of this PKCS#12 file (RSA or ECDSA P-256), opened with
    /// the passphrase.
    Pkcs12(PathBuf, SecretString),
}

/// `report --sign`: a PAdES signature on each PDF written.
#[derive(Debug)]
pub struct SignOptions {
    /// The key and certificate.
    pub with: SignWith,
    /// The case's TSA (`tsa add`) that timestamps the signature (PAdES B-T), by name.
    pub tsa: Option<String>,
}

/// What a signature says, and with which key.
struct PreparedSigner {
    signer: Signer,
    fields: SignatureFields,
    /// The self-issued certificate to write next to the report (PEM).
    certificate_out: Option<(PathBuf, String)>,
    /// The TSA timestamping the signature (B-T).
    tsa: Option<crate::format::state::CaseTsa>,
}

/// Where the self-issued certificate of the signing key goes: `NAME-signer.pem` next to
/// `NAME.pdf`.
pub fn signer_certificate_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!("{stem}-signer.pem"))
}

/// The time of the entry `seq`.
fn entry_time(case: &CaseDir, seq: u64) -> Result<String> {
    for line in read_all_lines(case)? {
        if let Ok((e, _)) = TypedLine::parse_shared_or_explain(&line) {
            if e.seq == seq {
                return Ok(e.time.clone());
            }
        }
    }
    Err(Error::input(format!(
        "the ledger has no entry {seq}; run `scelle verify`"
    )))
}

fn prepare_signer(
    case: &CaseDir,
    opts: &SignOptions,
    key: Option<&LoadedKey>,
    req: &ReportRequest,
    out: &Path,
) -> Result<PreparedSigner> {
    let case_key = || -> Result<(&LoadedKey, crate::format::state::EnrolledKey)> {
        let k = key.ok_or_else(|| {
            Error::input(
                "--sign without --pkcs12 signs with the recording key: give --key KEYFILE; nothing was written",
            )
        })?;
        let state = crate::store::ledger::current_state(case)?;
        let enrolled = state.active_key(&k.id()).cloned().ok_or_else(|| {
            Error::input(format!(
                "{}: this key is not enrolled (or is revoked) in the case; nothing was written",
                k.path.display()
            ))
        })?;
        Ok((k, enrolled))
    };
    let (signer, certificate_out) = match &opts.with {
        SignWith::CaseKey => {
            let (k, enrolled) = case_key()?;
            let time = entry_time(case, enrolled.enrolled_at)?;
            let enrolled_time = crate::format::time::parse_utc(&time).ok_or_else(|| {
                Error::input(format!("entry {}: time {time:?}", enrolled.enrolled_at))
            })?;
            let rec = &enrolled.record;
            let cert = pades::self_issued_certificate(
                &k.signing,
                &pades::Holder {
                    key_id: &rec.id,
                    common_name: rec.full_name.as_deref().unwrap_or(&rec.name),
                    enrolled: enrolled_time,
                },
            )?;
            let pem = pades::certificate_pem(&cert);
            (
                Signer::ed25519(k.signing.clone(), cert, &k.path.display().to_string())?,
                Some((signer_certificate_path(out), pem)),
            )
        }
        SignWith::Certificate(path) => {
            let (k, _) = case_key()?;
            let bytes = fsutil::read_user_file(path, 1 << 20)?;
            let what = format!("--signer-cert {}", path.display());
            let cert = pades::parse_certificate(&bytes, &what)?;
            (Signer::ed25519(k.signing.clone(), cert, &what)?, None)
        }
        SignWith::Pkcs12(path, pass) => {
            let bytes = fsutil::read_user_file(path, 1 << 20)?;
            let what = format!("--pkcs12 {}", path.display());
            (Signer::pkcs12(&bytes, pass.expose_secret(), &what)?, None)
        }
    };
    let tsa = match &opts.tsa {
        None => None,
        Some(name) => {
            let state = crate::store::ledger::current_state(case)?;
            let found = state.tsas.iter().find(|t| &t.name == name).cloned();
            Some(found.ok_or_else(|| {
                Error::input(format!(
                    "--tsa {}: the case has no TSA of that name (`scelle tsa list`; add one with `scelle tsa add URL --name NAME --ca-file CA.pem`); nothing was written",
                    crate::format::printable::field(name)
                ))
            })?)
        }
    };
    let input = |path: &[&str]| -> Option<String> {
        let mut v = req.input.as_ref()?;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str()
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
    };
    let name = match &opts.with {
        SignWith::Pkcs12(..) => signer.common_name(),
        _ => key.and_then(|k| {
            crate::store::ledger::current_state(case)
                .ok()?
                .active_key(&k.id())
                .map(|e| e.record.full_name.clone().unwrap_or(e.record.name.clone()))
        }),
    }
    .or_else(|| input(&["expert", "name"]))
    .unwrap_or_else(|| "scelle".into());
    let reason = match req.lang {
        Lang::En => "I am the author of this document",
        Lang::Fr => "Je suis l'auteur de ce document",
        Lang::Es => "Soy el autor de este documento",
    };
    Ok(PreparedSigner {
        signer,
        fields: SignatureFields {
            name,
            reason: Some(reason.into()),
            location: input(&["expert", "place"]),
            time: time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .expect("0 ns"),
            field_name: "Signature1".into(),
        },
        certificate_out,
        tsa,
    })
}

impl PreparedSigner {
    /// `pdf` signed (PAdES B-B, an incremental update; B-T with a TSA).
    fn sign(&self, pdf: &[u8]) -> Result<Vec<u8>> {
        // room for the CMS: its size over nothing, plus margin (ECDSA's DER varies by a few
        // bytes), plus a time-stamp token's (its certificates included)
        let token_room = if self.tsa.is_some() { 24 * 1024 } else { 0 };
        let reserve = self.signer.cms(&[b""], None)?.len() + 256 + token_room;
        let timestamp = |sig: &[u8]| self.signature_timestamp(sig);
        let unsigned: Option<pades::UnsignedAttrs<'_>> = match self.tsa {
            Some(_) => Some(&timestamp),
            None => None,
        };
        let cms = |parts: &[&[u8]]| -> std::result::Result<Vec<u8>, String> {
            self.signer.cms(parts, unsigned).map_err(|e| e.to_string())
        };
        Ok(sign_pdf(pdf, &self.fields, reserve, &cms)?)
    }

    /// The signature time-stamp token (ETSI EN 319 122-1 5.3, RFC 3161) of the signature
    /// value `sig`, from the case's TSA: the SHA-256 of the value is sent with a nonce; the
    /// answer must be granted, with the imprint and nonce echoed.
    fn signature_timestamp(
        &self,
        sig: &[u8],
    ) -> std::result::Result<Vec<x509_cert::attr::Attribute>, pades::SignError> {
        use crate::format::timestamp as ts;
        use der::{Decode, Encode};
        use rand_core::RngCore;
        let Some(tsa) = &self.tsa else {
            return Ok(Vec::new());
        };
        let fail = |detail: String| pades::SignError::Timestamp {
            tsa: tsa.name.clone(),
            detail,
        };
        let digest: [u8; 32] = Sha256::digest(sig).into();
        let query = ts::request(&digest, ts::nonce_from(rand_core::OsRng.next_u64()));
        let sent = ts::parse_request(&query).ok().and_then(|p| p.nonce);
        let reply = crate::store::timestamps::ask(&tsa.url, &query).map_err(|e| {
            fail(format!(
                "{}: {e}",
                crate::format::printable::field(&tsa.url)
            ))
        })?;
        ts::check_response(&reply, &digest, sent.as_deref()).map_err(|e| fail(e.to_string()))?;
        // The whole token, as `verify` checks a checkpoint's (FORMAT.md 8.6): the imprint of
        // the signature value, the nonce, the TSA's chain to the CA certificates of its
        // `tsa.add`, the timeStamping usage and the token's signature. A token the case would
        // not accept is never embedded.
        let anchors: Vec<Vec<u8>> = tsa
            .ca
            .iter()
            .filter_map(|c| crate::format::encoding::unb64(c))
            .collect();
        crate::format::timestamp_token::verify_token(&reply, sig, &anchors, sent.as_deref())
            .map_err(|e| fail(format!("{e} ({})", e.code())))?;
        let token = x509_tsp::TimeStampResp::from_der(&reply)
            .ok()
            .and_then(|r| r.time_stamp_token)
            .ok_or_else(|| fail("no token".into()))?
            .to_der()
            .map_err(|e| fail(e.to_string()))?;
        Ok(vec![pades::signature_timestamp_attribute(&token)?])
    }
}

/// The filing variant written with an evidence variant.
#[derive(Debug)]
pub struct FilingWritten {
    /// The PDF written.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Pages.
    pub pages: u64,
}

/// What `report` did.
#[derive(Debug)]
pub struct ReportOutcome {
    /// The PDF written.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Pages.
    pub pages: u64,
    /// First and last Bates numbers printed.
    pub bates: Option<(String, String)>,
    /// The filing variant (PDF/A-2b, no attachments) written next to it, when the PDF is the
    /// evidence variant (PDF/A-3b).
    pub filing: Option<FilingWritten>,
    /// The `report` entry recording it (with a key).
    pub entry: Option<Entry>,
    /// The checkpoint written after the entry.
    pub checkpoint: Option<PathBuf>,
    /// With `--sign` and the case key: the self-issued certificate written next to the PDF.
    pub signer_certificate: Option<PathBuf>,
    /// With `--sign`: the PAdES level and the signature algorithm (`B-B, Ed25519`, `B-T, RSA
    /// (timestamped by NAME)`).
    pub signed: Option<String>,
}

/// The document is signed with the input's `expert.name` and recorded with the key: when
/// the key records its holder's full name, the two must be the same person, or the
/// document would bear one name and be recorded by another's key. Spaces aside, the names
/// must match exactly (accents included).
fn signer_is_the_expert(req: &ReportRequest, key: &crate::format::parts::KeyRecord) -> Result<()> {
    let given = req
        .input
        .as_ref()
        .and_then(|i| i.get("expert"))
        .and_then(|e| e.get("name"))
        .and_then(|v| v.as_str());
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match (given, key.full_name.as_deref()) {
        (Some(given), Some(full)) if norm(given) != norm(full) => Err(Error::input(format!(
            "report input: expert.name is \"{given}\", but the signing key {} ({}) records the full name \"{full}\"; \
             set expert.name to the key holder's full name, or record the document with the expert's own key; nothing was written or recorded",
            key.name,
            key.id
        ))),
        _ => Ok(()),
    }
}

/// Renders `req` to `out`; with `key`, records it in the ledger.
pub fn report(
    case: &CaseDir,
    req: &ReportRequest,
    pdf_opts: &PdfOptions,
    out: &Path,
    overwrite: bool,
    key: Option<&LoadedKey>,
    sign: Option<&SignOptions>,
) -> Result<ReportOutcome> {
    let file = out
        .file_name()
        .and_then(|f| f.to_str())
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            Error::input(format!(
                "--out {}: give a file name ending in .pdf",
                out.display()
            ))
        })?
        .to_string();
    if out.exists() && !overwrite {
        return Err(Error::input(format!(
            "{} already exists; choose another --out or add --force",
            out.display()
        )));
    }
    // PDF/A-3b: the evidence variant, and its filing variant next to it.
    let filing_out = (pdf_opts.pdfa == PdfA::A3b).then(|| filing_path(out));
    if let Some(f) = &filing_out {
        if f.exists() && !overwrite {
            return Err(Error::input(format!(
                "{} (the filing variant of {}) already exists; choose another --out or add --force",
                f.display(),
                out.display()
            )));
        }
    }
    if let Some(k) = key {
        let state = crate::store::ledger::current_state(case)?;
        let Some(enrolled) = state.active_key(&k.id()) else {
            return Err(Error::input(format!(
                "{}: this key is not enrolled (or is revoked) in the case; the report would not be recorded",
                k.path.display()
            )));
        };
        signer_is_the_expert(req, &enrolled.record)?;
    }
    // The signer first: a wrong passphrase or certificate stops here, before anything is
    // written.
    let signer = match sign {
        Some(o) => Some(prepare_signer(case, o, key, req, out)?),
        None => None,
    };
    let sign_bytes = |bytes: Vec<u8>| -> Result<Vec<u8>> {
        match &signer {
            Some(s) => s.sign(&bytes),
            None => Ok(bytes),
        }
    };
    // With a key, the case stays locked from reading the production to recording the range.
    let app = match key {
        Some(k) => Some(Appender::open(case, k)?),
        None => None,
    };
    let mut pdf_opts = pdf_opts.clone();
    let production = match &mut pdf_opts.bates {
        None => None,
        Some(b) => {
            let p = Production::read(case)?;
            p.check_prefix(&b.prefix)?;
            b.start.get_or_insert_with(|| p.next_start(&b.prefix));
            if b.digits.is_none() {
                b.digits = p.width(&b.prefix);
            }
            Some(p)
        }
    };
    let pdf_opts = &pdf_opts;
    let mut gathered = data::gather(case)?;
    gathered.document_file = Some(file.clone());
    gathered.ledger_attached = matches!(pdf_opts.pdfa, crate::format::document::PdfA::A3b);
    // Admitted in the case's jurisdiction, every required field given: else nothing is
    // written or recorded.
    crate::report::requirements::check(&gathered.case, req)?;
    if !req.correlate.is_empty() {
        let mut cases = vec![case.root().to_path_buf()];
        cases.extend(req.correlate.iter().cloned());
        gathered.correlation = Some(crate::case::correlate::correlate(&cases)?);
    }
    let doc = build(&gathered, req)?;
    if doc.unfinished {
        return Err(Error::input(format!(
            "{}: the rendered document still shows a placeholder (a field its template prints is not in the report input); nothing was written or recorded",
            req.kind.name()
        )));
    }
    // Read only for the variant that attaches it: the lines the document was made from (an
    // entry appended since, without the lock, is not attached), as the printed step checks.
    let ledger_bytes = if gathered.ledger_attached {
        ledger_prefix(case, gathered.entries)?
    } else {
        Vec::new()
    };
    let checkpoint_text = gathered.checkpoint.text.clone().into_bytes();
    let (rendered, filing) = match &filing_out {
        None => {
            let mut rendered = pdf::render(&doc, pdf_opts, &ledger_bytes, &checkpoint_text, None)?;
            rendered.bytes = sign_bytes(std::mem::take(&mut rendered.bytes))?;
            (rendered, None)
        }
        Some(filing_path) => {
            let labels = variant_labels(req)?;
            let filing_file = file_name_of(filing_path)?;
            let evidence = Variant::Evidence {
                filing_file: filing_file.clone(),
            };
            let mut rendered = pdf::render(
                &doc,
                pdf_opts,
                &ledger_bytes,
                &checkpoint_text,
                Some(evidence.statement(&labels, req.lang, key.is_some())?),
            )?;
            // signed before the filing variant prints its SHA-256: the hash printed is the
            // file's on disk
            rendered.bytes = sign_bytes(std::mem::take(&mut rendered.bytes))?;
            let filing = Variant::Filing {
                evidence_file: file.clone(),
                evidence_sha256: hex(&Sha256::digest(&rendered.bytes)),
            };
            let filing_opts = PdfOptions {
                pdfa: filing.pdfa(),
                ..pdf_opts.clone()
            };
            let mut filing_pdf = pdf::render(
                &doc,
                &filing_opts,
                &[],
                &[],
                Some(filing.statement(&labels, req.lang, key.is_some())?),
            )?;
            filing_pdf.bytes = sign_bytes(std::mem::take(&mut filing_pdf.bytes))?;
            (
                rendered,
                Some((filing_path.clone(), filing_file, filing_pdf)),
            )
        }
    };
    // The Bates range of the document: both variants start at the same number; the range
    // recorded ends at the later of their last numbers.
    let bates = match (
        &rendered.bates,
        filing.as_ref().and_then(|f| f.2.bates.clone()),
    ) {
        (Some((first, last)), Some((_, filing_last))) => {
            Some((first.clone(), std::cmp::max(last.clone(), filing_last)))
        }
        (b, _) => b.clone(),
    };
    if let (Some(p), Some(b), Some((first, last))) = (&production, &pdf_opts.bates, &bates) {
        let n = |s: &str| {
            bates::counter(&b.prefix, s)
                .ok_or_else(|| Error::input(format!("Bates number {s} does not parse")))
        };
        p.check_range(&b.prefix, n(first)?, n(last)?, (first, last))?;
    }
    let filing = match filing {
        None => None,
        Some((path, name, pdf)) => {
            fsutil::atomic_write(&path, &pdf.bytes, 0o644)?;
            Some((
                name,
                FilingWritten {
                    path,
                    sha256: hex(&Sha256::digest(&pdf.bytes)),
                    size: pdf.bytes.len() as u64,
                    pages: pdf.pages,
                },
            ))
        }
    };
    fsutil::atomic_write(out, &rendered.bytes, 0o644)?;
    let signed = signer.as_ref().map(|s| match &s.tsa {
        None => format!("B-B, {}", s.signer.algorithm()),
        Some(t) => format!(
            "B-T, {} (timestamped by {})",
            s.signer.algorithm(),
            crate::format::printable::field(&t.name)
        ),
    });
    let signer_certificate = match signer.and_then(|s| s.certificate_out) {
        Some((path, pem)) => {
            fsutil::atomic_write(&path, pem.as_bytes(), 0o644)?;
            Some(path)
        }
        None => None,
    };
    let sha256 = hex(&Sha256::digest(&rendered.bytes));
    let size = rendered.bytes.len() as u64;
    let (entry, checkpoint) = match (key, app) {
        (Some(k), Some(mut app)) => {
            let body = ReportBody {
                document: req.kind.name().into(),
                lang: req.lang.code().into(),
                jurisdiction: doc.jurisdiction.code().into(),
                file,
                sha256: sha256.clone(),
                size,
                pages: rendered.pages,
                pdfa: pdf_opts.pdfa.name().into(),
                exhibits: doc.exhibits.clone(),
                ledger_size: gathered.entries,
                bates_first: bates.as_ref().map(|b| b.0.clone()),
                bates_last: bates.as_ref().map(|b| b.1.clone()),
                filing: filing.as_ref().map(|(name, f)| FilingVariant {
                    file: name.clone(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                    pages: f.pages,
                    pdfa: PdfA::A2b.name().into(),
                }),
            };
            let e = app.append(&Body::Report(body), k, crate::format::time::now_utc())?;
            (Some(e), app.finish(k)?)
        }
        _ => (None, None),
    };
    Ok(ReportOutcome {
        path: out.to_path_buf(),
        sha256,
        size,
        pages: rendered.pages,
        bates,
        filing: filing.map(|(_, f)| f),
        entry,
        checkpoint,
        signer_certificate,
        signed,
    })
}

/// Where the filing variant of the evidence variant `out` goes: `NAME-filing.pdf` next to
/// `NAME.pdf`.
pub fn filing_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pdf".into());
    out.with_file_name(format!("{stem}-filing.{ext}"))
}

fn file_name_of(p: &Path) -> Result<String> {
    p.file_name()
        .and_then(|f| f.to_str())
        .map(str::to_string)
        .ok_or_else(|| Error::input(format!("{}: not a UTF-8 file name", p.display())))
}

/// The language's `[variant]` labels: the `--templates` folder's labels.toml if it has them,
/// else the built-in ones.
fn variant_labels(req: &ReportRequest) -> Result<toml::Value> {
    let rel = format!("{}/labels.toml", req.lang.code());
    let labels = req.templates.toml(&rel)?;
    if labels.get("variant").is_some() {
        return Ok(labels);
    }
    crate::report::TemplateSource::default().toml(&rel)
}

/// The first `lines` lines of the case's ledger, each with its newline.
fn ledger_prefix(case: &CaseDir, lines: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for raw in crate::store::ledger::LineReader::open(&case.ledger())?.take(lines as usize) {
        match raw? {
            crate::store::ledger::RawLine::Line { bytes, .. } => {
                out.extend_from_slice(&bytes);
                out.push(b'\n');
            }
            _ => {
                return Err(Error::input(format!(
                "{}: an incomplete or overlong line among the first {lines}; run `scelle verify`",
                case.ledger().display()
            )))
            }
        }
    }
    Ok(out)
}

/// What `report init-input` wrote.
#[derive(Debug)]
pub struct InitInput {
    /// The file written (none: the text goes to standard output).
    pub path: Option<PathBuf>,
    /// The commented blank input (TOML).
    pub text: String,
    /// The document it is for.
    pub document: DocumentKind,
    /// The language of its comments.
    pub lang: Lang,
    /// The jurisdiction whose sections it follows.
    pub jurisdiction: Jurisdiction,
}

/// `report init-input`: the commented blank input file of `document` (comments in `lang`,
/// keys of `jurisdiction`'s sections, default the `case`'s as `report` follows it, else without
/// a case the language's country), written to `out` (refused if it exists, unless `overwrite`) or returned for
/// standard output.
pub fn init_input(
    case: Option<&CaseDir>,
    document: DocumentKind,
    lang: Lang,
    jurisdiction: Option<Jurisdiction>,
    out: Option<&Path>,
    overwrite: bool,
) -> Result<InitInput> {
    // As `report` does: the case's jurisdiction, US if it records none.
    let of_case = match (jurisdiction, case) {
        (None, Some(case)) => Some(
            crate::store::ledger::recorded_case(case)?
                .jurisdiction
                .and_then(|j| j.parse::<Jurisdiction>().ok())
                .unwrap_or(Jurisdiction::Us),
        ),
        _ => None,
    };
    let jurisdiction = jurisdiction.or(of_case).unwrap_or(match lang {
        Lang::En => Jurisdiction::Us,
        Lang::Fr => Jurisdiction::Fr,
        Lang::Es => Jurisdiction::Es,
    });
    let params = crate::report::TemplateSource::default().toml("params.toml")?;
    let text = input::blank(document, lang, jurisdiction, &params);
    if let Some(out) = out {
        if out.exists() && !overwrite {
            return Err(Error::input(format!(
                "{} already exists; choose another --out or add --force",
                out.display()
            )));
        }
        fsutil::atomic_write(out, text.as_bytes(), 0o644)?;
    }
    Ok(InitInput {
        path: out.map(Path::to_path_buf),
        text,
        document,
        lang,
        jurisdiction,
    })
}

/// A `report` entry found for a PDF: its sequence number, time and body.
pub type RecordedReport = (u64, String, ReportBody);

/// Every `report` entry recording a PDF with the SHA-256 of `pdf_path` (as its evidence or its
/// filing variant).
pub fn check_report(case: &CaseDir, pdf_path: &Path) -> Result<(String, Vec<RecordedReport>)> {
    let bytes = std::fs::read(pdf_path).at(pdf_path)?;
    let sha = hex(&Sha256::digest(&bytes));
    let mut found = Vec::new();
    for line in read_all_lines(case)? {
        let Ok((e, body)) = TypedLine::parse_shared_or_explain(&line) else {
            continue;
        };
        if e.kind != KIND_REPORT {
            continue;
        }
        if let Ok(Body::Report(r)) = body {
            if r.sha256 == sha || r.filing.as_ref().is_some_and(|f| f.sha256 == sha) {
                found.push((e.seq, e.time.clone(), r));
            }
        }
    }
    Ok((sha, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filing_variant_sits_next_to_the_evidence_variant() {
        assert_eq!(
            filing_path(Path::new("out/expert-report-fr.pdf")),
            Path::new("out/expert-report-fr-filing.pdf")
        );
        assert_eq!(
            filing_path(Path::new("a.b.PDF")),
            Path::new("a.b-filing.PDF")
        );
        assert_eq!(
            filing_path(Path::new("report")),
            Path::new("report-filing.pdf")
        );
    }
}
