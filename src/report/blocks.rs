//! Report blocks: what the layout engine receives. Markup blocks plus the generated ones
//! (tables, preformatted text, signature).

use super::markup::Run;

/// A table column: title, share of the text width, monospace or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Fraction of the text width (the columns of a table add up to 1).
    pub width: f32,
    /// Monospace cells (hashes, ids, paths).
    pub mono: bool,
}

/// One block of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Heading, level 1 to 3.
    Heading(u8, String),
    /// Paragraph.
    Paragraph(Vec<Run>),
    /// Bulleted paragraph.
    Bullet(Vec<Run>),
    /// Label-value rows; `true` for a monospace value.
    KeyValue(Vec<(String, String, bool)>),
    /// A table whose header row repeats on every page.
    Table {
        /// Columns.
        columns: Vec<Column>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Monospace text, line by line.
    Preformatted(String),
    /// A signature block.
    Signature(Vec<String>),
    /// A new page.
    PageBreak,
}
