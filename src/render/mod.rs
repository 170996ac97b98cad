//! PDF rendering for court filings: a small document model in, a PDF/A file out.
//!
//! This module knows nothing of ledgers: templates (reports, custody forms, exhibit lists)
//! build a [`Document`] and call [`render`]:
//!
//! ```no_run
//! use scelle::render::{self, Block, Column, Document, Metadata, RenderOptions, Run};
//! use time::macros::datetime;
//!
//! let doc = Document {
//!     meta: Metadata {
//!         title: "Rapport d’expertise".into(),
//!         author: "Jeanne Martin".into(),
//!         subject: "Scellés n° 1 à 3".into(),
//!         keywords: vec!["scellés".into()],
//!         language: "fr-FR".into(),
//!         created: datetime!(2025-03-14 09:30 UTC),
//!     },
//!     blocks: vec![
//!         Block::Heading { level: 1, text: "Rapport d’expertise".into() },
//!         Block::Paragraph { runs: vec![Run::regular("Empreinte : "), Run::mono("e3b0c442…")] },
//!         Block::Table {
//!             columns: vec![Column::text("Scellé", 0.2), Column::mono("SHA-256", 0.8)],
//!             rows: vec![vec!["E-0001".into(), "e3b0c442".repeat(8)]],
//!         },
//!     ],
//! };
//! let opts = RenderOptions { page_format: "Page {page} sur {pages}".into(), ..RenderOptions::default() };
//! let out = render::render(&doc, &opts)?;
//! std::fs::write("rapport.pdf", &out.bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What the output guarantees (each is tested in `tests/render.rs` with poppler, qpdf and
//! PDFBox):
//! - text-searchable, fonts embedded and subset (Liberation Serif / Mono, SIL OFL), a
//!   character the fonts lack is an error ([`RenderError::MissingGlyph`]), never a blank box;
//! - the top 1.5 in of every page left blank for the court's stamp ([`layout`]);
//! - footer: document id, "Page X of Y" in the caller's words, optional Bates number; PDF
//!   page labels equal to the printed page numbers (or the Bates numbers);
//! - PDF/A-1b or PDF/A-3b (with attachments), /Info and XMP metadata equal, dates with a
//!   numeric offset, sRGB output intent, no encryption, annotations, links or forms;
//! - deterministic: the same input gives the same bytes, and /ID is derived from them.
//!
//! Modules: `doc` (the model), [`figure`] (vector drawings: lines, arrows, marks, labels),
//! [`layout`] (geometry, line breaking, pagination),
//! `pdf` (drawing with printpdf), `pdfa` (PDF/A post-processing with lopdf).

mod breaks;
pub(crate) mod doc;
pub mod figure;
mod fonts;
pub mod layout;
mod options;
pub(crate) mod pdf;
pub(crate) mod pdfa;
pub mod sign;

pub use crate::format::document::PdfA;
pub use doc::{Align, Block, Column, Document, Metadata, Run, Style};
pub use figure::{Anchor, Figure, MarkShape, Shape};
pub use fonts::{Face, Fonts};
pub use layout::{Item, Page, Paper, TypeScale};
pub use options::{AfRelationship, Attachment, Bates, PageLabels, RenderError};

/// How to render.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// A4 or Letter.
    pub paper: Paper,
    /// Bates numbering, lower right of every page.
    pub bates: Option<Bates>,
    /// PDF/A-1b, PDF/A-2b or PDF/A-3b.
    pub pdfa: PdfA,
    /// Footer, lower left: the document's id (e.g. `"3:21-cv-09078-JD — Report of 2025-03-14"`).
    pub footer_left: String,
    /// Footer, centre: `{page}` and `{pages}` are replaced, e.g. `"Page {page} of {pages}"`,
    /// `"Page {page} sur {pages}"`, `"Página {page} de {pages}"`.
    pub page_format: String,
    /// Page labels shown by viewers.
    pub page_labels: PageLabels,
    /// Embedded files (PDF/A-3b only).
    pub attachments: Vec<Attachment>,
    /// Sizes of running text ([`TypeScale::US_FILING`] for US courts).
    pub type_scale: TypeScale,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            paper: Paper::A4,
            bates: None,
            pdfa: PdfA::A1b,
            footer_left: String::new(),
            page_format: "Page {page} of {pages}".into(),
            page_labels: PageLabels::Numbers,
            attachments: Vec::new(),
            type_scale: TypeScale::STANDARD,
        }
    }
}

/// A rendered PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: u32,
    /// Bates number of the first page.
    pub bates_first: Option<String>,
    /// Bates number of the last page.
    pub bates_last: Option<String>,
}

/// The pages of `doc` as laid out for `opts`, footer included: what [`render`] draws, for
/// checks (type sizes, positions) without reading the PDF back.
pub fn pages(doc: &Document, opts: &RenderOptions) -> Result<Vec<Page>, RenderError> {
    pages_with(doc, opts, &mut fonts::Fonts::load()?)
}

fn pages_with(
    doc: &Document,
    opts: &RenderOptions,
    fonts: &mut fonts::Fonts,
) -> Result<Vec<Page>, RenderError> {
    let footer = layout::FooterSpec {
        left: &opts.footer_left,
        page_format: &opts.page_format,
        bates: opts.bates.as_ref(),
    };
    layout::layout(doc, opts.paper, &footer, &opts.type_scale, fonts)
}

/// Lays out and writes `doc` as a PDF/A file.
pub fn render(doc: &Document, opts: &RenderOptions) -> Result<Rendered, RenderError> {
    if !opts.pdfa.allows_attachments() && !opts.attachments.is_empty() {
        return Err(RenderError::Attachment(format!(
            "PDF/A-{} allows no attachments; use PdfA::A3b",
            opts.pdfa.name()
        )));
    }
    let mut fonts = fonts::Fonts::load()?;
    let pages = pages_with(doc, opts, &mut fonts)?;
    let n = pages.len() as u64;
    let bates: Option<Vec<String>> = opts
        .bates
        .as_ref()
        .map(|b| (0..n).map(|i| b.number(i)).collect())
        .transpose()?;
    let labels = match (&bates, opts.page_labels) {
        (Some(b), PageLabels::Bates) => pdfa::Labels::Each(b.clone()),
        _ => pdfa::Labels::Decimal,
    };
    let lo = pdf::write(&pages, opts.paper, &fonts)?;
    let bytes = pdfa::finish(lo, &doc.meta, opts.pdfa, &labels, &opts.attachments)?;
    Ok(Rendered {
        bytes,
        pages: pages.len() as u32,
        bates_first: bates.as_ref().and_then(|b| b.first().cloned()),
        bates_last: bates.as_ref().and_then(|b| b.last().cloned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bates_numbers_are_zero_padded_and_bounded() {
        let b = Bates {
            prefix: "SCL".into(),
            start: 7,
            digits: 6,
        };
        assert_eq!(b.number(0).unwrap(), "SCL000007");
        assert_eq!(b.number(993).unwrap(), "SCL001000");
        let full = Bates {
            prefix: String::new(),
            start: 999_999,
            digits: 6,
        };
        assert_eq!(full.number(0).unwrap(), "999999");
        assert!(matches!(full.number(1), Err(RenderError::Bates(_))));
        assert!(Bates {
            prefix: "X".into(),
            start: 1,
            digits: 0
        }
        .number(0)
        .is_err());
    }
}
