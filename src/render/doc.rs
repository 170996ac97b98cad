//! The document model: what a filing says, with no notion of pages or PDF.
//!
//! A [`Document`] is metadata plus a flat list of [`Block`]s laid out top to bottom.
//! Templates build one of these; [`crate::render::render`] turns it into a PDF.

use time::OffsetDateTime;

/// A document to render: metadata and content.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Title, author, dates, language: written to the PDF's /Info and XMP metadata.
    pub meta: Metadata,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

/// Document metadata. Empty strings (and an empty keyword list) are left out of the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// Document title (/Title, dc:title).
    pub title: String,
    /// Author (/Author, dc:creator), e.g. the expert's name.
    pub author: String,
    /// Subject (/Subject, dc:description).
    pub subject: String,
    /// Keywords (/Keywords, pdf:Keywords), joined with ", ".
    pub keywords: Vec<String>,
    /// BCP 47 language tag of the content, e.g. `"fr-FR"`, `"es-ES"`, `"en-US"` (catalog /Lang,
    /// dc:language).
    pub language: String,
    /// Creation time, given by the caller (the renderer never reads the clock). Written in
    /// UTC as /CreationDate and /ModDate and as xmp:CreateDate / xmp:ModifyDate.
    pub created: OffsetDateTime,
}

/// A unit of content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, `level` 1 (largest) to 3. Never left alone at the bottom of a page: it is
    /// kept with the first line (or first table row) of the block after it.
    Heading {
        /// 1, 2 or 3; anything else is [`crate::render::RenderError::InvalidDocument`].
        level: u8,
        /// The heading text.
        text: String,
    },
    /// Running text, word-wrapped. A `'\n'` inside a run forces a line break.
    Paragraph {
        /// Styled pieces of text, concatenated (put the spaces in the text).
        runs: Vec<Run>,
    },
    /// Two-column label/value list (labels in bold, values wrapped).
    KeyValue {
        /// (label, value) pairs.
        rows: Vec<(String, String)>,
        /// Values in the monospace font (for hashes, key ids, paths).
        mono_values: bool,
    },
    /// A ruled table. The header row is repeated at the top of every page the table runs
    /// onto; a row is never split across pages unless it is taller than a whole page.
    Table {
        /// Column definitions; `width_fraction`s are normalised to the text width.
        columns: Vec<Column>,
        /// Cells, one `Vec` per row, each with exactly `columns.len()` cells.
        rows: Vec<Vec<String>>,
    },
    /// Monospace text kept as is (checkpoints, commands). Lines longer than the text width are
    /// broken at character level; a broken line ends with [`crate::render::layout::CONTINUATION_MARK`].
    Preformatted {
        /// The text; `'\n'` separates lines, tabs are expanded to 8-column stops.
        text: String,
    },
    /// Vertical space of one body line.
    Spacer,
    /// A vector drawing (lines, arrows, marks, labels), kept whole on one page.
    Figure(super::figure::Figure),
    /// Start a new page (ignored at the top of a page).
    PageBreak,
    /// A table of contents (índice, sommaire): the headings that follow this block, of level
    /// 1 to `depth`, each with the number of the page it starts on (the number the footer
    /// prints), right-aligned. The numbers are resolved after pagination: the block is laid
    /// out with room for them, the document paginated, then the numbers filled in.
    Contents {
        /// Deepest heading level listed: 1 to 3; anything else is
        /// [`crate::render::RenderError::InvalidDocument`].
        depth: u8,
    },
    /// Signature lines: a rule to sign on, then the given lines (name, capacity, date, place)
    /// under it. Kept together on one page.
    SignatureBlock {
        /// Lines printed under the signature rule.
        lines: Vec<String>,
    },
}

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Its style.
    pub style: Style,
}

impl Run {
    /// Regular text.
    pub fn regular(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Regular,
        }
    }
    /// Bold text.
    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Bold,
        }
    }
    /// Italic text.
    pub fn italic(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Italic,
        }
    }
    /// Monospace text (hashes, identifiers, commands inline).
    pub fn mono(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Mono,
        }
    }
}

/// Text style of a [`Run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// Serif regular.
    Regular,
    /// Serif bold.
    Bold,
    /// Serif italic.
    Italic,
    /// Monospace regular.
    Mono,
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Share of the table width (> 0; the fractions are normalised to sum to 1).
    pub width_fraction: f32,
    /// Cells in the monospace font. A mono column's size is chosen so that a 64-hex-digit
    /// SHA-256 fits on one line: see [`crate::render::layout::mono_cell_size`].
    pub mono: bool,
    /// Horizontal alignment of the cells (the header is always left-aligned).
    pub align: Align,
}

impl Column {
    /// A left-aligned serif column.
    pub fn text(title: impl Into<String>, width_fraction: f32) -> Self {
        Self {
            title: title.into(),
            width_fraction,
            mono: false,
            align: Align::Left,
        }
    }
    /// A left-aligned monospace column.
    pub fn mono(title: impl Into<String>, width_fraction: f32) -> Self {
        Self {
            title: title.into(),
            width_fraction,
            mono: true,
            align: Align::Left,
        }
    }
    /// The same column with another alignment.
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right (numbers, sizes).
    Right,
}
