//! The documents `scelle report` renders and their PDF/A level, as recorded in `report`
//! entries (`document`, `pdfa`).
//!
//! Adding a document: one line in `for_each_document!` (below) and
//! `templates/<lang>/<code>.jinja` in every language folder (the compiled-in templates are
//! generated from both lists).

use super::codes::code_enum;

/// Passes the list of documents to `$callback`, after the tokens `$head`:
/// `$callback! { $head [ /// doc  Variant = "code", ... ] }`. The one list of documents.
macro_rules! for_each_document {
    ($callback:ident $head:tt) => {
        $callback! { $head [
            /// The expert report.
            ExpertReport = "expert-report",
            /// The FRE 902(14) certificate (28 U.S.C. § 1746 declaration).
            Certificate = "certificate",
            /// The seal traceability table (placing, opening and re-sealing; French CPP art. 163).
            Seals = "seals",
            /// The chain-of-custody record (UNE 71505, ISO/IEC 27037).
            Custody = "custody",
        ] }
    };
}
pub(crate) use for_each_document;

for_each_document!(code_enum {
    /// A document; its code is its template's name (`templates/<lang>/<code>.jinja`).
    pub enum DocumentKind, "a document"
});

impl DocumentKind {
    /// The template name: `expert-report`, `certificate`, `seals`, `custody`.
    pub fn name(self) -> &'static str {
        self.code()
    }
}

code_enum! {
    {
        /// PDF/A conformance level of a PDF. No default: the renderer's callers choose
        /// (`scelle report` writes a 3b evidence variant and a 2b filing variant of each
        /// document, the layout engine's own default is 1b).
        pub enum PdfA, "a PDF/A level"
    }
    [
        /// PDF/A-1b (ISO 19005-1, PDF 1.4): the most widely accepted archival profile. No
        /// attachments.
        A1b = "1b",
        /// PDF/A-2b (ISO 19005-2, PDF 1.7): the filing variant of a document, without
        /// attachments (CM/ECF refuses PDFs with attachments; LexNET asks for PDF/A).
        A2b = "2b",
        /// PDF/A-3b (ISO 19005-3, PDF 1.7): allows embedded files of any type (e.g. the
        /// ledger).
        A3b = "3b",
    ]
}

impl PdfA {
    /// `1b`, `2b` or `3b`.
    pub fn name(self) -> &'static str {
        self.code()
    }

    /// The ISO 19005 part: 1, 2 or 3 (`pdfaid:part` in the XMP metadata).
    pub fn part(self) -> u8 {
        match self {
            PdfA::A1b => 1,
            PdfA::A2b => 2,
            PdfA::A3b => 3,
        }
    }

    /// Whether files may be embedded: PDF/A-3 only.
    pub fn allows_attachments(self) -> bool {
        self == PdfA::A3b
    }
}
