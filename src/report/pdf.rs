//! From a built document to PDF bytes: maps report blocks onto the layout engine
//! (`crate::render`), with the footer (document id, "Page X of Y" in the language, Bates
//! numbers), PDF/A conformance and, for PDF/A-3b, the ledger and checkpoint attached.
//!
//! `scelle report` writes each document twice ([`Variant`]): the evidence variant (PDF/A-3b,
//! the ledger and checkpoint attached) and the filing variant (PDF/A-2b, no attachments: CM/ECF
//! refuses PDFs with attachments, LexNET asks for PDF/A). Each says under its title which one it
//! is and names the other; the filing variant also prints the evidence variant's SHA-256 (the
//! evidence variant cannot print the filing variant's: it would depend on itself).

use super::blocks::{Block, Run};
use super::BuiltDocument;
use crate::error::{Error, Result};
use crate::format::lang::{Jurisdiction, Lang};
use crate::render;
use crate::render::{Paper, PdfA};

/// Bates numbering: PREFIX + zero-padded counter, lower right of every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bates {
    /// Prefix, e.g. `APPLE-NSO-`.
    pub prefix: String,
    /// First number; `None` continues the production: [`crate::ops::report::report`] sets it
    /// to the highest number recorded with this prefix in the case, plus one (see
    /// [`super::bates`]); rendered alone, 1.
    pub start: Option<u64>,
    /// Digits, 6 or 7 usually; `None`: as many as the last number recorded with this prefix
    /// (set by [`crate::ops::report::report`]), else 6.
    pub digits: Option<u32>,
}

/// Rendering options.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Paper size; `None`: by the document's jurisdiction ([`default_paper`]).
    pub paper: Option<Paper>,
    /// PDF/A level.
    pub pdfa: PdfA,
    /// Bates numbering, if any.
    pub bates: Option<Bates>,
}

impl Default for PdfOptions {
    /// The jurisdiction's paper, PDF/A-3b (the ledger and checkpoint attached), no Bates
    /// numbers.
    fn default() -> Self {
        Self {
            paper: None,
            pdfa: PdfA::A3b,
            bates: None,
        }
    }
}

/// A rendered PDF.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Pages.
    pub pages: u64,
    /// First and last Bates numbers printed.
    pub bates: Option<(String, String)>,
}

/// US letter paper for US courts (N.D. Cal. Civil L.R. 3-4(c), FRCP 5), A4 elsewhere.
pub fn default_paper(jurisdiction: Jurisdiction) -> Paper {
    match jurisdiction {
        Jurisdiction::Us => Paper::Letter,
        _ => Paper::A4,
    }
}

/// Which of the two files of a document a PDF is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variant {
    /// PDF/A-2b without attachments, for filing; names the evidence variant and its SHA-256.
    Filing {
        /// The evidence variant's file name.
        evidence_file: String,
        /// The evidence variant's SHA-256.
        evidence_sha256: String,
    },
    /// PDF/A-3b with the ledger and checkpoint attached; names the filing variant.
    Evidence {
        /// The filing variant's file name.
        filing_file: String,
    },
}

impl Variant {
    /// The PDF/A level of this variant.
    pub fn pdfa(&self) -> PdfA {
        match self {
            Variant::Filing { .. } => PdfA::A2b,
            Variant::Evidence { .. } => PdfA::A3b,
        }
    }

    /// The paragraph printed under the title, in `lang` from `labels` (the language's
    /// `labels.toml`, its `[variant]` table): the variant's name in bold, the file name and the
    /// hash in monospace; with `recorded`, that the ledger records the SHA-256 of both files.
    pub fn statement(&self, labels: &toml::Value, lang: Lang, recorded: bool) -> Result<Block> {
        let (name_key, text_key, file, sha) = match self {
            Variant::Filing {
                evidence_file,
                evidence_sha256,
            } => (
                "filing_name",
                "filing",
                evidence_file,
                evidence_sha256.as_str(),
            ),
            Variant::Evidence { filing_file } => ("evidence_name", "evidence", filing_file, ""),
        };
        let label = |key: &str| {
            labels
                .get("variant")
                .and_then(|t| t.get(key))
                .and_then(toml::Value::as_str)
                .ok_or_else(|| {
                    Error::input(format!(
                        "labels.toml: [variant] {key} is missing (the text saying which variant a PDF is)"
                    ))
                })
        };
        let mut runs = vec![Run::bold(format!("{} ", label(name_key)?))];
        let text = if recorded {
            format!("{} {}", label(text_key)?, label("recorded")?)
        } else {
            label(text_key)?.to_string()
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find('{') {
            let (before, after) = rest.split_at(at);
            let (value, skip) = if after.starts_with("{file}") {
                (file.as_str(), "{file}".len())
            } else if after.starts_with("{sha256}") {
                (sha, "{sha256}".len())
            } else {
                (&after[..1], 1)
            };
            if !before.is_empty() {
                runs.push(Run::regular(before));
            }
            if skip == 1 {
                runs.push(Run::regular(value));
            } else {
                runs.push(Run::mono(value));
            }
            rest = &after[skip..];
        }
        if !rest.is_empty() {
            runs.push(Run::regular(rest));
        }
        let mut block = [Block::Paragraph { runs }];
        super::blocks::typography(&mut block, lang);
        let [block] = block;
        Ok(block)
    }
}

/// Renders `doc`; for PDF/A-3b attaches `ledger` (ledger.jsonl) and `checkpoint`. With a
/// `statement` (a [`Variant::statement`]), prints it under the title.
pub fn render(
    doc: &BuiltDocument,
    opts: &PdfOptions,
    ledger: &[u8],
    checkpoint: &[u8],
    statement: Option<Block>,
) -> Result<RenderedPdf> {
    let (mut document, options) = prepare(doc, opts, ledger, checkpoint)?;
    if let Some(block) = statement {
        // under the title (the first heading), else first
        let at = document
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading { .. }))
            .map_or(0, |i| i + 1);
        document.blocks.insert(at, block);
    }
    let out = render::render(&document, &options)
        .map_err(|e| Error::input(format!("cannot render the document: {e}")))?;
    Ok(RenderedPdf {
        bytes: out.bytes,
        pages: u64::from(out.pages),
        bates: out.bates_first.zip(out.bates_last),
    })
}

/// The pages [`render()`] would draw for `doc` (footer included, nothing attached), for checks
/// of what is printed (type sizes, positions) without reading a PDF back.
pub fn pages(doc: &BuiltDocument, opts: &PdfOptions) -> Result<Vec<render::Page>> {
    let (document, options) = prepare(doc, opts, &[], &[])?;
    render::pages(&document, &options)
        .map_err(|e| Error::input(format!("cannot lay out the document: {e}")))
}

/// Type sizes by jurisdiction: 12 pt running text for US courts, the standard scale elsewhere.
pub fn type_scale(jurisdiction: Jurisdiction) -> render::TypeScale {
    match jurisdiction {
        Jurisdiction::Us => render::TypeScale::US_FILING,
        _ => render::TypeScale::STANDARD,
    }
}

fn prepare(
    doc: &BuiltDocument,
    opts: &PdfOptions,
    ledger: &[u8],
    checkpoint: &[u8],
) -> Result<(render::Document, render::RenderOptions)> {
    let created = crate::format::time::parse_utc(&doc.as_of).ok_or_else(|| {
        Error::input(format!(
            "the ledger's last time {:?} is not a UTC time",
            doc.as_of
        ))
    })?;
    let document = render::Document {
        meta: render::Metadata {
            title: doc.title.clone(),
            author: doc.author.clone(),
            subject: format!("{} \u{2014} {}", doc.case_id, doc.case_title),
            keywords: vec![doc.case_id.clone(), doc.kind.name().into(), "scelle".into()],
            language: doc.lang_tag.clone(),
            created,
        },
        blocks: doc.blocks.clone(),
    };
    let attachments = match opts.pdfa {
        PdfA::A1b | PdfA::A2b => Vec::new(),
        PdfA::A3b => vec![
            render::Attachment {
                name: "ledger.jsonl".into(),
                bytes: ledger.to_vec(),
                mime: "application/x-ndjson".into(),
                relationship: render::AfRelationship::Source,
                description: "The evidence ledger this document was rendered from (docs/FORMAT.md)"
                    .into(),
                modified: Some(created),
            },
            render::Attachment {
                name: "checkpoint.txt".into(),
                bytes: checkpoint.to_vec(),
                mime: "text/plain".into(),
                relationship: render::AfRelationship::Source,
                description: "The latest signed checkpoint of the ledger (C2SP signed note)".into(),
                modified: Some(created),
            },
        ],
    };
    let options = render::RenderOptions {
        paper: opts.paper.unwrap_or(default_paper(doc.jurisdiction)),
        bates: match &opts.bates {
            None => None,
            Some(b) => Some(render::Bates {
                prefix: b.prefix.clone(),
                start: b.start.unwrap_or(1),
                digits: {
                    let d = b.digits.unwrap_or(6);
                    u8::try_from(d)
                        .ok()
                        .filter(|d| (1..=12).contains(d))
                        .ok_or_else(|| {
                            Error::input(format!("--bates-digits {d}: choose 1 to 12"))
                        })?
                },
            }),
        },
        pdfa: opts.pdfa,
        footer_left: format!("{} \u{2014} {}", doc.reference, doc.title),
        page_format: doc.page_format.clone(),
        page_labels: if opts.bates.is_some() {
            render::PageLabels::Bates
        } else {
            render::PageLabels::Numbers
        },
        attachments,
        type_scale: type_scale(doc.jurisdiction),
    };
    Ok((document, options))
}
