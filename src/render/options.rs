//! What the engine's callers give and get besides the document: its errors, Bates numbering,
//! page labels and attached files.

use time::OffsetDateTime;

/// Errors of [`render`](super::render).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The embedded fonts have no glyph for a character of the document.
    #[error("character {ch:?} (U+{code:04X}) has no glyph in the font {font}", code = *ch as u32)]
    MissingGlyph {
        /// The character.
        ch: char,
        /// The face that lacks it.
        font: &'static str,
    },
    /// The document is not well formed (heading level, table shape, …).
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// Bates numbering does not fit the requested number of digits.
    #[error("Bates numbering: {0}")]
    Bates(String),
    /// An attachment is not acceptable (PDF/A-1b, duplicate or empty name, bad MIME type).
    #[error("attachment: {0}")]
    Attachment(String),
    /// An embedded font could not be read (a build defect).
    #[error("font: {0}")]
    Font(String),
    /// Writing the PDF failed.
    #[error("PDF writing: {0}")]
    Pdf(String),
}

/// Bates numbering: `prefix` followed by a counter zero-padded to `digits`, starting at
/// `start` on the first page and incremented by one per page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bates {
    /// E.g. `"SCELLE-"` or `"ABC"`.
    pub prefix: String,
    /// Number of the first page (continue a production by passing the previous last + 1).
    pub start: u64,
    /// Width of the zero-padded counter (6 or 7 usually; 1 to 12).
    pub digits: u8,
}

impl Bates {
    /// The Bates number of the page at `index` (0-based) in this document.
    pub fn number(&self, index: u64) -> Result<String, RenderError> {
        if !(1..=12).contains(&self.digits) {
            return Err(RenderError::Bates(format!(
                "{} digits (must be 1 to 12)",
                self.digits
            )));
        }
        let n = self.start.saturating_add(index);
        if n >= 10u64.pow(u32::from(self.digits)) {
            return Err(RenderError::Bates(format!(
                "page {} would be number {n}, more than {} digits",
                index + 1,
                self.digits
            )));
        }
        Ok(format!(
            "{}{:0width$}",
            self.prefix,
            n,
            width = usize::from(self.digits)
        ))
    }
}

/// What the PDF page labels (the page "numbers" a viewer shows) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageLabels {
    /// 1, 2, 3 …, as printed in "Page X of Y".
    #[default]
    Numbers,
    /// The printed Bates numbers (falls back to `Numbers` without Bates numbering).
    Bates,
}

/// The relationship of an attachment to the document (PDF/A-3 /AFRelationship).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfRelationship {
    /// The source the document was made from (e.g. the evidence ledger).
    #[default]
    Source,
    /// Data the document shows (e.g. a CSV of the exhibit table).
    Data,
    /// An alternative representation of the content.
    Alternative,
    /// A supplement to the content.
    Supplement,
    /// Unspecified.
    Unspecified,
}

impl AfRelationship {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AfRelationship::Source => "Source",
            AfRelationship::Data => "Data",
            AfRelationship::Alternative => "Alternative",
            AfRelationship::Supplement => "Supplement",
            AfRelationship::Unspecified => "Unspecified",
        }
    }
}

/// A file embedded in a PDF/A-3b document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown by viewers and used by `pdfdetach` (e.g. `"ledger.jsonl"`).
    pub name: String,
    /// Contents, embedded byte for byte.
    pub bytes: Vec<u8>,
    /// MIME type, e.g. `"application/jsonl"`, `"text/csv"`.
    pub mime: String,
    /// How it relates to the document.
    pub relationship: AfRelationship,
    /// Short description (/Desc), may be empty.
    pub description: String,
    /// Modification date of the file (/Params /ModDate); the document's creation time if
    /// `None`.
    pub modified: Option<OffsetDateTime>,
}
