//! Page geometry, line breaking and pagination.
//!
//! # Page geometry
//!
//! | | A4 (595.3 × 841.9 pt) | Letter (612 × 792 pt) |
//! |---|---|---|
//! | top margin, **left blank** for the court's header stamp (filing number, date, judge) | 108 pt = 1.5 in = 38.1 mm | same |
//! | left / right margins | 72 pt = 1 in = 25.4 mm | same |
//! | bottom margin (text stops here) | 72 pt | same |
//! | footer baseline (document id, "Page X of Y", Bates number) | 36 pt from the bottom edge | same |
//! | text width | 451.3 pt | 468 pt |
//!
//! Nothing is ever drawn in the top 108 pt: courts (and e-filing systems such as CM/ECF)
//! stamp their header there.
//!
//! # Type
//!
//! Running text follows a [`TypeScale`]: [`TypeScale::STANDARD`] sets body text in
//! Liberation Serif 11 pt on a 14.3 pt line, label–value lists and signature lines 10 pt,
//! headings 16 / 13 / 11 pt bold; [`TypeScale::US_FILING`] sets all running text at 12 pt
//! (N.D. Cal. Civil L.R. 3-4(c): text, footnotes and quotations in at least 12-point type).
//! Tables 8.5 pt; preformatted text 8.5 pt Liberation Mono; footer 8 to 10 pt. Nothing is ever
//! drawn under [`MIN_TEXT_PT`] (8 pt). Widths are measured from the fonts' own glyph advances
//! (`hmtx`), without kerning (none is applied when drawing either).
//!
//! # Hashes in tables
//!
//! A monospace table cell is set at [`mono_cell_size`] of its inner width: 8.5 pt when a
//! 64-hex-digit SHA-256 fits at that size, 8 pt otherwise, so that a SHA-256 stays on one line
//! in any mono column at least [`MIN_HASH_COLUMN_PT`] wide (0.70 of the A4 text width, 0.68
//! of Letter's). A mono column narrower than what its longest word (up to 64 characters)
//! needs at 8 pt is widened to it, the other columns sharing the rest, so a SHA-256 is never
//! broken; only longer values (SHA-512), or a table whose mono columns cannot all fit, wrap
//! at character level.
//!
//! # Line breaking
//!
//! Lines break at spaces (U+0020, tabs), never at a no-break space, and never before a time
//! zone ("11:27:33 UTC"), between a number and its unit ("128 GB") or after "§" / "n°". A
//! word wider than the line (a seal number, a path, a domain) is broken after a `/` or `-`
//! (failing that after `.` `_` `:` `@`), the broken part ending with [`CONTINUATION_MARK`];
//! a hash (32 or more hex digits) is never broken inside: it moves whole to the next line,
//! and only when wider than a whole line is it cut in groups of 32 digits, each marked.
//!
//! # Pagination rules
//!
//! - a heading is kept with the first line / row of what follows it, and so is a paragraph
//!   ending with ":" (a label introducing what follows);
//! - a paragraph never leaves its first or last line alone on a page, a label–value list its
//!   first or last row;
//! - a table's header row is repeated at the top of each page it continues on, a table never
//!   leaves fewer than [`TABLE_MIN_ROWS`] rows at the bottom of a page or at the top of the
//!   next (a shorter table is kept whole), and a row is split only when it is taller than a
//!   page;
//! - a signature block is kept whole, with the line before it;
//! - a group kept together is at most [`KEEP_TOGETHER_MAX`] of a page: of a longer one, a
//!   unit keeps the short units after it (at most `SHORT_UNIT`, 30 pt, tall: a heading, a header
//!   row, a line) with the first tall one (a table row, a figure), and those are placed
//!   without a check of their own; a tall unit goes alone. So no heading ends a page and no
//!   page is left largely blank.

use super::doc::{Align, Block, Column, Document, Run, Style};
use super::fonts::{Face, Fonts};
use super::options::RenderError;

crate::format::codes::code_enum! {
    {
        /// Paper size: `a4` (the default) or `letter`.
        #[derive(Default)]
        pub enum Paper, "a paper size"
    }
    [
        /// ISO A4, 210 × 297 mm (courts in France, Spain, the EU).
        #[default]
        A4 = "a4",
        /// US Letter, 8.5 × 11 in (US courts).
        Letter = "letter",
    ]
}

impl Paper {
    /// Width and height in points (1/72 in).
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// Width of the text block in points.
    pub fn text_width(self) -> f32 {
        self.size_pt().0 - MARGIN_LEFT - MARGIN_RIGHT
    }
}

/// Top margin, kept clear for the court's header stamp: 1.5 in (38.1 mm).
pub const MARGIN_TOP: f32 = 108.0;
/// Left margin: 1 in.
pub const MARGIN_LEFT: f32 = 72.0;
/// Right margin: 1 in.
pub const MARGIN_RIGHT: f32 = 72.0;
/// Bottom margin (text stops here; the footer is below it): 1 in.
pub const MARGIN_BOTTOM: f32 = 72.0;
/// Baseline of the footer line, from the bottom edge of the page.
pub const FOOTER_BASELINE: f32 = 36.0;

/// Marks a preformatted line broken because it was longer than the text width; it ends the
/// broken part, and the line continues on the next one. (U+2192: the embedded mono face
/// has no ↵ or ↪.)
pub const CONTINUATION_MARK: char = '→';

/// Characters in a SHA-256 written in hex.
pub const HASH_HEX_CHARS: usize = 64;
/// The smallest type drawn anywhere (footer, table cells, hashes, ids).
pub const MIN_TEXT_PT: f32 = 8.0;
/// Largest size of monospace text in table cells and key/value lists.
pub const MONO_CELL_MAX_PT: f32 = 8.5;
/// Smallest size monospace cell text is shrunk to before it wraps: [`MIN_TEXT_PT`].
pub const MONO_CELL_MIN_PT: f32 = MIN_TEXT_PT;
/// Advance of every Liberation Mono glyph, in em (1229 units of 2048).
pub const MONO_ADVANCE_EM: f32 = 1229.0 / 2048.0;
/// Horizontal padding inside a table cell, each side.
pub const CELL_PAD_X: f32 = 3.0;
/// Narrowest mono column (padding included) that holds a SHA-256 on one line.
pub const MIN_HASH_COLUMN_PT: f32 =
    HASH_HEX_CHARS as f32 * MONO_ADVANCE_EM * MONO_CELL_MIN_PT + 2.0 * CELL_PAD_X + 0.5;

/// Size of monospace text in a cell whose inner width (padding excluded) is `inner_width`
/// points: the largest size up to [`MONO_CELL_MAX_PT`] at which 64 hex digits fit, never below
/// [`MONO_CELL_MIN_PT`].
pub fn mono_cell_size(inner_width: f32) -> f32 {
    let fit = inner_width / (HASH_HEX_CHARS as f32 * MONO_ADVANCE_EM);
    // a hair under the exact fit, so rounding never pushes the last digit over
    ((fit * 100.0).floor() / 100.0).clamp(MONO_CELL_MIN_PT, MONO_CELL_MAX_PT)
}

/// Sizes of running text, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeScale {
    /// Paragraphs (and the height of a spacer's line).
    pub body: f32,
    /// Labels and serif values of label–value lists.
    pub key_value: f32,
    /// Lines under a signature rule.
    pub signature: f32,
    /// Headings of levels 1, 2 and 3 (bold).
    pub headings: [f32; 3],
}

impl TypeScale {
    /// Body 11 pt, lists and signatures 10 pt, headings 16 / 13 / 11 pt.
    pub const STANDARD: TypeScale = TypeScale {
        body: 11.0,
        key_value: 10.0,
        signature: 10.0,
        headings: [16.0, 13.0, 11.0],
    };
    /// For US courts: every piece of running text at 12 pt at least (N.D. Cal. Civil
    /// L.R. 3-4(c)(2), and most district courts' rules), headings 16 / 14 / 12 pt.
    pub const US_FILING: TypeScale = TypeScale {
        body: 12.0,
        key_value: 12.0,
        signature: 12.0,
        headings: [16.0, 14.0, 12.0],
    };
}

impl Default for TypeScale {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// Fewest table rows left at the bottom of a page or carried to the top of the next.
pub const TABLE_MIN_ROWS: usize = 3;
/// Largest share of a page a group of units kept together (keep-with-next) may take; a
/// longer group is split, so that no page is left largely blank.
pub const KEEP_TOGETHER_MAX: f32 = 0.35;

const BODY_LEADING: f32 = 1.3;
/// A unit at most this tall (pt) is short: a heading, a line, a table's header row. Of a
/// group too long to keep whole, the short units stay with the first tall one after them.
const SHORT_UNIT: f32 = 30.0;
const TABLE_PT: f32 = 8.5;
const TABLE_LEADING: f32 = 1.25;
const CELL_PAD_Y: f32 = 2.5;
const KV_LABEL_FRACTION: f32 = 0.3;
const KV_MONO_MAX_PT: f32 = 8.5;
const PRE_PT: f32 = 8.5;
const PRE_PAD: f32 = 4.0;
const PARA_GAP: f32 = 6.0;
const RULE_PT: f32 = 0.5;
const GRID_GRAY: f32 = 0.35;
const HEADER_FILL: f32 = 0.88;
const PRE_FILL: f32 = 0.95;

/// Something drawn on a page. Coordinates are in points, in PDF space (origin lower left).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text; `(x, y)` is the start of its baseline.
    Text {
        /// Left end of the baseline.
        x: f32,
        /// Baseline height.
        y: f32,
        /// Face.
        face: Face,
        /// Size in points.
        size: f32,
        /// The text (every character has a glyph in `face`).
        text: String,
    },
    /// A straight line.
    Rule {
        /// Start.
        x1: f32,
        /// Start.
        y1: f32,
        /// End.
        x2: f32,
        /// End.
        y2: f32,
        /// Thickness in points.
        width: f32,
        /// Gray level, 0 = black.
        gray: f32,
    },
    /// A filled rectangle, `(x, y)` its lower-left corner.
    Fill {
        /// Left.
        x: f32,
        /// Bottom.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Gray level.
        gray: f32,
    },
    /// A polyline or polygon (figures): stroked and/or filled in one gray.
    Path {
        /// The points, in order.
        points: Vec<(f32, f32)>,
        /// Whether the last point joins the first.
        closed: bool,
        /// Stroke thickness in points, if stroked.
        stroke: Option<f32>,
        /// Whether it is filled (closed paths).
        fill: bool,
        /// Gray level of stroke and fill, 0 = black.
        gray: f32,
        /// Dash and gap length in points, if dashed.
        dash: Option<f32>,
    },
}

impl Item {
    /// Moves an item laid out in unit space (x from the text block's left, y downward from
    /// the unit's top) to page space.
    fn placed(&self, left: f32, top: f32) -> Item {
        match self {
            Item::Text {
                x,
                y,
                face,
                size,
                text,
            } => Item::Text {
                x: left + x,
                y: top - y,
                face: *face,
                size: *size,
                text: text.clone(),
            },
            Item::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => Item::Rule {
                x1: left + x1,
                y1: top - y1,
                x2: left + x2,
                y2: top - y2,
                width: *width,
                gray: *gray,
            },
            Item::Fill { x, y, w, h, gray } => Item::Fill {
                x: left + x,
                y: top - y - h,
                w: *w,
                h: *h,
                gray: *gray,
            },
            Item::Path {
                points,
                closed,
                stroke,
                fill,
                gray,
                dash,
            } => Item::Path {
                points: points.iter().map(|(x, y)| (left + x, top - y)).collect(),
                closed: *closed,
                stroke: *stroke,
                fill: *fill,
                gray: *gray,
                dash: *dash,
            },
        }
    }
}

/// One laid-out page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// What is drawn, in drawing order.
    pub items: Vec<Item>,
}

/// What the footer of every page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Footer<'a> {
    /// Left: the document id (shrunk to fit a third of the width).
    pub left: &'a str,
    /// Centre: `{page}` and `{pages}` are replaced, e.g. `"Page {page} of {pages}"`.
    pub page_format: &'a str,
    /// Right: the page's Bates number, if any (already formatted, one per page).
    pub bates: Option<&'a [String]>,
}

/// An unbreakable vertical slice of content.
#[derive(Debug, Default)]
struct Unit {
    space_before: f32,
    height: f32,
    items: Vec<Item>,
    keep_with_next: bool,
    /// Index of the unit to repeat first when this one starts a page (a table header).
    header: Option<usize>,
    page_break: bool,
}

/// A piece of a line: text in one face at a horizontal offset.
#[derive(Debug, Clone)]
struct Seg {
    x: f32,
    face: Face,
    text: String,
}

#[derive(Debug, Clone, Default)]
struct Line {
    segs: Vec<Seg>,
    width: f32,
}

fn face_of(style: Style, mono: Face) -> Face {
    match style {
        Style::Regular => Face::Serif,
        Style::Bold => Face::SerifBold,
        Style::Italic => Face::SerifItalic,
        Style::Mono => mono,
    }
}

/// Word-wraps styled runs into lines no wider than `max` at `size` points (`mono_size` for
/// mono runs is the same size here). Breaks at spaces; a word wider than a line is broken
/// between characters. `'\n'` forces a break; tabs count as spaces.
fn wrap(
    fonts: &mut Fonts,
    runs: &[(Face, &str)],
    size: f32,
    max: f32,
) -> Result<Vec<Line>, RenderError> {
    // tokens: words (several faces possible), spaces, newlines
    enum Tok {
        Word(Vec<(Face, String)>),
        Space(Face),
        Newline,
    }
    let mut toks: Vec<Tok> = Vec::new();
    for &(face, text) in runs {
        for c in text.chars() {
            match c {
                '\n' => toks.push(Tok::Newline),
                ' ' | '\t' => toks.push(Tok::Space(face)),
                '\r' => {}
                _ => {
                    fonts.advance(face, c)?;
                    match toks.last_mut() {
                        Some(Tok::Word(parts)) => match parts.last_mut() {
                            Some((f, s)) if *f == face => s.push(c),
                            _ => parts.push((face, c.to_string())),
                        },
                        _ => toks.push(Tok::Word(vec![(face, c.to_string())])),
                    }
                }
            }
        }
    }
    // short units stay together: the space before a glued word becomes part of one word
    let text_of =
        |parts: &[(Face, String)]| parts.iter().map(|(_, s)| s.as_str()).collect::<String>();
    let mut glued: Vec<Tok> = Vec::with_capacity(toks.len());
    for tok in toks {
        if let Tok::Word(parts) = &tok {
            if let [.., Tok::Word(prev), Tok::Space(sf)] = glued.as_slice() {
                let prev_text = text_of(prev);
                let last_word = prev_text.rsplit(' ').next().unwrap_or("");
                if super::breaks::glues(last_word, &text_of(parts)) {
                    let sf = *sf;
                    glued.pop();
                    if let Some(Tok::Word(prev)) = glued.last_mut() {
                        prev.push((sf, " ".to_string()));
                        prev.extend(parts.iter().cloned());
                    }
                    continue;
                }
            }
        }
        glued.push(tok);
    }
    let toks = glued;

    let mut lines = Vec::new();
    let mut line = Line::default();
    let mut pending_space: Option<Face> = None;
    let push_text = |line: &mut Line, face: Face, text: &str, w: f32| {
        match line.segs.last_mut() {
            Some(seg) if seg.face == face => seg.text.push_str(text),
            _ => line.segs.push(Seg {
                x: line.width,
                face,
                text: text.to_string(),
            }),
        }
        line.width += w;
    };
    for tok in toks {
        match tok {
            Tok::Newline => {
                lines.push(std::mem::take(&mut line));
                pending_space = None;
            }
            Tok::Space(face) => {
                if !line.segs.is_empty() {
                    pending_space = Some(face);
                }
            }
            Tok::Word(parts) => {
                let mut word_w = 0.0;
                for (f, s) in &parts {
                    word_w += fonts.width(*f, s, size)?;
                }
                let space_w = match pending_space {
                    Some(f) => fonts.width(f, " ", size)?,
                    None => 0.0,
                };
                if !line.segs.is_empty() && line.width + space_w + word_w > max {
                    lines.push(std::mem::take(&mut line));
                    pending_space = None;
                }
                if let Some(f) = pending_space.take() {
                    if !line.segs.is_empty() {
                        push_text(&mut line, f, " ", space_w);
                    }
                }
                if line.width + word_w <= max {
                    for (f, s) in &parts {
                        let w = fonts.width(*f, s, size)?;
                        push_text(&mut line, *f, s, w);
                    }
                } else {
                    // longer than a line: break by the rules of `breaks` (after `/` or `-`,
                    // never inside a hash), each broken part ending with the mark
                    let chars: Vec<(Face, char)> = parts
                        .iter()
                        .flat_map(|(f, s)| s.chars().map(move |c| (*f, c)))
                        .collect();
                    let mut ws = Vec::with_capacity(chars.len());
                    for &(f, c) in &chars {
                        ws.push(fonts.advance(f, c)? * size);
                    }
                    let plain: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
                    let prio = super::breaks::priorities(&plain);
                    let mut start = 0;
                    while start < chars.len() {
                        let rest: f32 = ws[start..].iter().sum();
                        let end = if line.width + rest <= max {
                            chars.len()
                        } else {
                            let mark = fonts.advance(chars[start].0, CONTINUATION_MARK)? * size;
                            let mut fits = start + 1; // furthest end that fits with the mark
                            let mut w = line.width + ws[start];
                            while fits < chars.len() && w + ws[fits] + mark <= max {
                                w += ws[fits];
                                fits += 1;
                            }
                            let best = (1..=5u8).find_map(|level| {
                                (start + 1..=fits).rev().find(|&e| prio[e] <= level)
                            });
                            best.unwrap_or(fits)
                        };
                        for &(f, c) in &chars[start..end] {
                            let mut buf = [0u8; 4];
                            let w = fonts.advance(f, c)? * size;
                            push_text(&mut line, f, c.encode_utf8(&mut buf), w);
                        }
                        if end < chars.len() {
                            let f = chars[end - 1].0;
                            let w = fonts.advance(f, CONTINUATION_MARK)? * size;
                            let mut buf = [0u8; 4];
                            push_text(&mut line, f, CONTINUATION_MARK.encode_utf8(&mut buf), w);
                            lines.push(std::mem::take(&mut line));
                        }
                        start = end;
                    }
                }
            }
        }
    }
    if !line.segs.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Lays `doc` out on pages of `paper`, then adds the footer to each page.
pub(crate) fn layout(
    doc: &Document,
    paper: Paper,
    footer: &FooterSpec<'_>,
    scale: &TypeScale,
    fonts: &mut Fonts,
) -> Result<Vec<Page>, RenderError> {
    let (page_w, page_h) = paper.size_pt();
    let width = paper.text_width();
    let avail = page_h - MARGIN_TOP - MARGIN_BOTTOM;
    let sizes = [
        scale.body,
        scale.key_value,
        scale.signature,
        scale.headings[0],
        scale.headings[1],
        scale.headings[2],
    ];
    if sizes.iter().any(|s| !(MIN_TEXT_PT..=36.0).contains(s)) {
        return Err(invalid(format!(
            "type sizes {sizes:?}: each must be {MIN_TEXT_PT} to 36 pt"
        )));
    }
    let mut units = Vec::new();
    let mut first_unit = Vec::with_capacity(doc.blocks.len()); // of each block
    let mut contents = Vec::new(); // (first unit, entries) of each table of contents
    for (b, block) in doc.blocks.iter().enumerate() {
        first_unit.push(units.len());
        if let Block::Contents { depth } = block {
            let entries = contents_entries(&doc.blocks, b, *depth)?;
            contents.push((units.len(), entries));
            let entries = &contents[contents.len() - 1].1;
            contents_units(entries, None, width, scale, fonts, &mut units)?;
            continue;
        }
        block_units(block, width, avail, scale, fonts, &mut units)?;
    }
    let (mut pages, unit_page) = paginate(&units, avail, page_h - MARGIN_TOP);
    if !contents.is_empty() {
        // second pass: the same units (room was left for the numbers), numbers filled in
        for (start, entries) in &contents {
            let numbers: Vec<usize> = entries
                .iter()
                .map(|e| unit_page[first_unit[e.block]] + 1)
                .collect();
            let mut filled = Vec::new();
            contents_units(entries, Some(&numbers), width, scale, fonts, &mut filled)?;
            let n = filled.len();
            units.splice(*start..*start + n, filled);
        }
        pages = paginate(&units, avail, page_h - MARGIN_TOP).0;
    }
    if pages.is_empty() {
        pages.push(Page::default());
    }
    let n = pages.len();
    let bates = footer.bates_numbers(n)?;
    let f = Footer {
        left: footer.left,
        page_format: footer.page_format,
        bates: bates.as_deref(),
    };
    for (i, page) in pages.iter_mut().enumerate() {
        draw_footer(page, &f, i, n, page_w, fonts)?;
    }
    Ok(pages)
}

/// Footer settings, before the page count is known.
pub(crate) struct FooterSpec<'a> {
    pub left: &'a str,
    pub page_format: &'a str,
    pub bates: Option<&'a super::options::Bates>,
}

impl FooterSpec<'_> {
    fn bates_numbers(&self, pages: usize) -> Result<Option<Vec<String>>, RenderError> {
        self.bates
            .map(|b| (0..pages as u64).map(|i| b.number(i)).collect())
            .transpose()
    }
}

fn draw_footer(
    page: &mut Page,
    f: &Footer<'_>,
    index: usize,
    pages: usize,
    page_w: f32,
    fonts: &mut Fonts,
) -> Result<(), RenderError> {
    let y = FOOTER_BASELINE;
    let right = page_w - MARGIN_RIGHT;
    page.items.push(Item::Rule {
        x1: MARGIN_LEFT,
        y1: y + 11.0,
        x2: right,
        y2: y + 11.0,
        width: 0.4,
        gray: 0.5,
    });
    let third = (right - MARGIN_LEFT) / 3.0;
    let mut left_end = MARGIN_LEFT; // right edge of the document id
    let mut left_lines = 0;
    if !f.left.is_empty() {
        // 8 pt (never smaller), on up to two lines in the left third; what the second line
        // cannot hold ends with "…" (the full title is on the first page).
        let size = MIN_TEXT_PT;
        let max = third - 6.0;
        let mut lines = wrap(fonts, &[(Face::Serif, f.left)], size, max)?;
        if lines.len() > 2 {
            let ell = fonts.width(Face::Serif, "\u{2026}", size)?;
            let mut rest: String = lines[1..]
                .iter()
                .map(|l| l.segs.iter().map(|s| s.text.as_str()).collect::<String>())
                .collect::<Vec<_>>()
                .join(" ");
            while !rest.is_empty() && fonts.width(Face::Serif, &rest, size)? + ell > max {
                rest.pop();
            }
            lines.truncate(1);
            let text = format!("{}\u{2026}", rest.trim_end());
            let width = fonts.width(Face::Serif, &text, size)?;
            lines.push(Line {
                segs: vec![Seg {
                    x: 0.0,
                    face: Face::Serif,
                    text,
                }],
                width,
            });
        }
        left_lines = lines.len();
        for (k, line) in lines.iter().enumerate() {
            left_end = left_end.max(MARGIN_LEFT + line.width);
            for seg in &line.segs {
                page.items.push(Item::Text {
                    x: MARGIN_LEFT + seg.x,
                    y: y - k as f32 * size * 1.15,
                    face: seg.face,
                    size,
                    text: seg.text.clone(),
                });
            }
        }
    }
    let centre = f
        .page_format
        .replace("{page}", &(index + 1).to_string())
        .replace("{pages}", &pages.to_string());
    let mut right_start = right; // left edge of the Bates number
    if let Some(bates) = f.bates {
        let text = &bates[index];
        let w = fonts.width(Face::SerifBold, text, 10.0)?;
        right_start = right - w;
        page.items.push(Item::Text {
            x: right - w,
            y,
            face: Face::SerifBold,
            size: 10.0,
            text: text.clone(),
        });
    }
    if !centre.is_empty() {
        // centred between the document id and the Bates number, never over either: moved
        // right of the id if need be, or under both when the line has no room for it
        const GAP: f32 = 6.0;
        let w = fonts.width(Face::Serif, &centre, 9.0)?;
        let mut x = (page_w - w) / 2.0;
        let mut yc = y;
        if x < left_end + GAP {
            x = left_end + GAP;
        }
        if x + w > right_start - GAP {
            x = (page_w - w) / 2.0;
            yc = y - left_lines.max(1) as f32 * MIN_TEXT_PT * 1.15 - 1.0;
        }
        page.items.push(Item::Text {
            x,
            y: yc,
            face: Face::Serif,
            size: 9.0,
            text: centre,
        });
    }
    Ok(())
}

/// Places units on pages, and tells the page (from 0) each unit starts on. `top` is the y of
/// the text block's top edge.
fn paginate(units: &[Unit], avail: f32, top: f32) -> (Vec<Page>, Vec<usize>) {
    let mut unit_page = Vec::with_capacity(units.len());
    let mut pages = Vec::new();
    let mut cur = Page::default();
    let mut used = 0.0f32;
    let mut fresh = true; // nothing placed on this page yet
                          // units up to this index were given room by a kept group before them
    let mut reserved_until: Option<usize> = None;
    let place = |page: &mut Page, u: &Unit, at: f32| {
        page.items
            .extend(u.items.iter().map(|it| it.placed(MARGIN_LEFT, top - at)));
    };
    for (i, u) in units.iter().enumerate() {
        unit_page.push(pages.len());
        if u.page_break {
            if !fresh {
                pages.push(std::mem::take(&mut cur));
                used = 0.0;
                fresh = true;
            }
            continue;
        }
        let sb = if fresh { 0.0 } else { u.space_before };
        // height of this unit and of those it must stay with
        let mut need = sb + u.height;
        let mut j = i;
        let mut linked = Vec::new(); // heights of the units kept with this one, in order
        while units[j].keep_with_next && j + 1 < units.len() && !units[j + 1].page_break {
            j += 1;
            linked.push(units[j].space_before + units[j].height);
            need += units[j].space_before + units[j].height;
            if need > avail {
                break;
            }
        }
        // only a small group is kept whole; of a longer one, this unit stays with the short
        // units after it (a heading, a table's header row, the lines of an introduction) up
        // to the first tall one (a table row, a figure) included; a tall unit goes alone. Those
        // are then placed here
        // without a check of their own, so none of them is left alone at a page's end.
        let reserved = reserved_until.is_some_and(|r| i <= r);
        if need > avail * KEEP_TOGETHER_MAX {
            let mut kept = 0;
            need = sb + u.height;
            // (a tall unit, e.g. a table row of many lines, is substantial on its own)
            for h in linked.iter().take_while(|_| u.height <= SHORT_UNIT) {
                kept += 1;
                need += h;
                if *h > SHORT_UNIT {
                    break;
                }
            }
            if !reserved {
                reserved_until = Some(i + kept);
            }
        }
        let need = if reserved { sb + u.height } else { need }.min(avail);
        if !fresh && used + need > avail + 0.01 {
            pages.push(std::mem::take(&mut cur));
            used = 0.0;
            fresh = true;
            if let Some(h) = u.header {
                place(&mut cur, &units[h], 0.0);
                used = units[h].height;
                fresh = false;
            }
        }
        let sb = if fresh { 0.0 } else { u.space_before };
        unit_page[i] = pages.len();
        place(&mut cur, u, used + sb);
        used += sb + u.height;
        fresh = false;
    }
    if !fresh {
        pages.push(cur);
    }
    (pages, unit_page)
}

/// One line of a table of contents.
struct ContentsEntry {
    level: u8,
    text: String,
    /// Index of the heading's block.
    block: usize,
}

/// The headings after block `at`, of level 1 to `depth`.
fn contents_entries(
    blocks: &[Block],
    at: usize,
    depth: u8,
) -> Result<Vec<ContentsEntry>, RenderError> {
    if !(1..=3).contains(&depth) {
        return Err(invalid(format!(
            "contents depth {depth} (must be 1, 2 or 3)"
        )));
    }
    Ok(blocks
        .iter()
        .enumerate()
        .skip(at + 1)
        .filter_map(|(b, block)| match block {
            Block::Heading { level, text } if *level <= depth => Some(ContentsEntry {
                level: *level,
                text: text.clone(),
                block: b,
            }),
            _ => None,
        })
        .collect())
}

/// Room on the right of a contents line for its page number.
const CONTENTS_NUMBER_PT: f32 = 36.0;
/// Indent of each level below the shallowest in a table of contents.
const CONTENTS_INDENT_PT: f32 = 14.0;

/// One unit per entry: the heading's text (wrapped short of the number column), and its page
/// number flush right on the entry's last line, once known. The height does not depend on the
/// numbers, so filling them in changes no page break.
fn contents_units(
    entries: &[ContentsEntry],
    numbers: Option<&[usize]>,
    width: f32,
    scale: &TypeScale,
    fonts: &mut Fonts,
    out: &mut Vec<Unit>,
) -> Result<(), RenderError> {
    let size = scale.body;
    let leading = size * BODY_LEADING;
    let asc = fonts.ascent(Face::Serif) * size;
    let top = entries.iter().map(|e| e.level).min().unwrap_or(1);
    for (k, e) in entries.iter().enumerate() {
        let indent = f32::from(e.level - top) * CONTENTS_INDENT_PT;
        let lines = wrap(
            fonts,
            &[(Face::Serif, &e.text)],
            size,
            width - indent - CONTENTS_NUMBER_PT,
        )?;
        let mut items = Vec::new();
        text_items(&lines, indent, asc, size, leading, &mut items);
        if let Some(n) = numbers.and_then(|n| n.get(k)) {
            let text = n.to_string();
            let w = fonts.width(Face::Serif, &text, size)?;
            items.push(Item::Text {
                x: width - w,
                y: asc + (lines.len() - 1) as f32 * leading,
                face: Face::Serif,
                size,
                text,
            });
        }
        out.push(Unit {
            space_before: if k == 0 { PARA_GAP } else { 0.0 },
            height: lines.len() as f32 * leading,
            items,
            keep_with_next: (k == 0 || k + 2 == entries.len()) && k + 1 < entries.len(),
            ..Unit::default()
        });
    }
    Ok(())
}

fn text_items(lines: &[Line], x0: f32, y0: f32, size: f32, leading: f32, items: &mut Vec<Item>) {
    for (k, line) in lines.iter().enumerate() {
        for seg in &line.segs {
            items.push(Item::Text {
                x: x0 + seg.x,
                y: y0 + k as f32 * leading,
                face: seg.face,
                size,
                text: seg.text.clone(),
            });
        }
    }
}

fn invalid(msg: impl Into<String>) -> RenderError {
    RenderError::InvalidDocument(msg.into())
}

fn block_units(
    block: &Block,
    width: f32,
    avail: f32,
    scale: &TypeScale,
    fonts: &mut Fonts,
    out: &mut Vec<Unit>,
) -> Result<(), RenderError> {
    match block {
        Block::Heading { level, text } => {
            let (size, before) = match level {
                1 => (scale.headings[0], 18.0),
                2 => (scale.headings[1], 14.0),
                3 => (scale.headings[2], 10.0),
                _ => {
                    return Err(invalid(format!(
                        "heading level {level} (must be 1, 2 or 3)"
                    )))
                }
            };
            let leading = size * 1.2;
            let lines = wrap(fonts, &[(Face::SerifBold, text)], size, width)?;
            let mut items = Vec::new();
            let asc = fonts.ascent(Face::SerifBold) * size;
            text_items(&lines, 0.0, asc, size, leading, &mut items);
            let mut height = lines.len() as f32 * leading;
            if *level == 1 {
                height += 3.0;
                items.push(Item::Rule {
                    x1: 0.0,
                    y1: height,
                    x2: width,
                    y2: height,
                    width: 0.75,
                    gray: 0.0,
                });
            }
            height += 4.0;
            out.push(Unit {
                space_before: before,
                height,
                items,
                keep_with_next: true,
                ..Unit::default()
            });
        }
        Block::Paragraph { runs } => {
            let parts: Vec<(Face, &str)> = runs
                .iter()
                .map(|r: &Run| (face_of(r.style, Face::Mono), r.text.as_str()))
                .collect();
            let lines = wrap(fonts, &parts, scale.body, width)?;
            line_units(
                &lines,
                scale.body,
                scale.body * BODY_LEADING,
                PARA_GAP,
                fonts,
                out,
            );
            // a paragraph that introduces what follows ("Hashed by:") stays with it
            let ends = runs.iter().rev().find(|r| !r.text.trim().is_empty());
            if ends.is_some_and(|r| r.text.trim_end().ends_with(':')) {
                if let Some(last) = out.last_mut() {
                    last.keep_with_next = true;
                }
            }
        }
        Block::KeyValue { rows, mono_values } => {
            let label_w = width * KV_LABEL_FRACTION;
            let value_w = width - label_w;
            let leading = scale.key_value * 1.25;
            let (vface, vsize) = if *mono_values {
                (Face::Mono, mono_cell_size(value_w).min(KV_MONO_MAX_PT))
            } else {
                (Face::Serif, scale.key_value)
            };
            for (r, (label, value)) in rows.iter().enumerate() {
                let l = wrap(
                    fonts,
                    &[(Face::SerifBold, label)],
                    scale.key_value,
                    label_w - 8.0,
                )?;
                let v = wrap(fonts, &[(vface, value)], vsize, value_w)?;
                let asc = fonts.ascent(Face::SerifBold) * scale.key_value;
                let mut items = Vec::new();
                text_items(&l, 0.0, asc, scale.key_value, leading, &mut items);
                text_items(&v, label_w, asc, vsize, leading, &mut items);
                let height = l.len().max(v.len()) as f32 * leading + 3.0;
                out.push(Unit {
                    space_before: if r == 0 { PARA_GAP } else { 0.0 },
                    height,
                    items,
                    // neither the first nor the last row alone on a page
                    keep_with_next: r == 0 || r + 2 == rows.len(),
                    ..Unit::default()
                });
            }
            if let Some(last) = out.last_mut() {
                last.keep_with_next = false;
            }
        }
        Block::Table { columns, rows } => table_units(columns, rows, width, avail, fonts, out)?,
        Block::Preformatted { text } => {
            let size = PRE_PT;
            let inner = width - 2.0 * PRE_PAD;
            let leading_of = |s: f32| s * 1.25;
            let mut lines: Vec<String> = Vec::new();
            let mark_w = fonts.advance(Face::Mono, CONTINUATION_MARK)?;
            let text = text.strip_suffix('\n').unwrap_or(text);
            for raw in text.split('\n') {
                let raw = expand_tabs(raw.strip_suffix('\r').unwrap_or(raw));
                let mut cur = String::new();
                let mut w = 0.0;
                let mut chars = raw.chars().peekable();
                while let Some(c) = chars.next() {
                    let a = fonts.advance(Face::Mono, c)? * size;
                    let rest_fits = chars.peek().is_none() && w + a <= inner;
                    if !rest_fits && w + a + mark_w * size > inner && !cur.is_empty() {
                        cur.push(CONTINUATION_MARK);
                        lines.push(std::mem::take(&mut cur));
                        w = 0.0;
                    }
                    cur.push(c);
                    w += a;
                }
                lines.push(cur);
            }
            if lines.is_empty() {
                lines.push(String::new());
            }
            let leading = leading_of(size);
            let asc = fonts.ascent(Face::Mono) * size;
            let n = lines.len();
            for (k, l) in lines.into_iter().enumerate() {
                let top_pad = if k == 0 { PRE_PAD } else { 0.0 };
                let bottom_pad = if k + 1 == n { PRE_PAD } else { 0.0 };
                let height = top_pad + leading + bottom_pad;
                let mut items = vec![Item::Fill {
                    x: 0.0,
                    y: 0.0,
                    w: width,
                    h: height,
                    gray: PRE_FILL,
                }];
                items.push(Item::Rule {
                    x1: 0.0,
                    y1: 0.0,
                    x2: 0.0,
                    y2: height,
                    width: 1.5,
                    gray: 0.6,
                });
                if !l.is_empty() {
                    items.push(Item::Text {
                        x: PRE_PAD,
                        y: top_pad + asc,
                        face: Face::Mono,
                        size,
                        text: l,
                    });
                }
                out.push(Unit {
                    space_before: if k == 0 { PARA_GAP } else { 0.0 },
                    height,
                    items,
                    keep_with_next: n > 2 && (k == 0 || k + 2 == n),
                    ..Unit::default()
                });
            }
        }
        Block::Spacer => out.push(Unit {
            height: scale.body * BODY_LEADING,
            ..Unit::default()
        }),
        Block::Figure(figure) => {
            // kept with the line before it (its caption or introduction)
            if let Some(prev) = out.last_mut() {
                prev.keep_with_next = true;
            }
            out.push(Unit {
                space_before: PARA_GAP,
                height: figure.height,
                items: figure.items(width, avail, fonts)?,
                ..Unit::default()
            })
        }
        // laid out by `layout`, which knows the headings after it
        Block::Contents { .. } => {}
        Block::PageBreak => out.push(Unit {
            page_break: true,
            ..Unit::default()
        }),
        Block::SignatureBlock { lines } => {
            let x0 = width * 0.5;
            let w = width - x0;
            let size = scale.signature;
            let leading = size * 1.3;
            let sign_space = 42.0;
            let mut items = vec![Item::Rule {
                x1: x0,
                y1: sign_space,
                x2: width,
                y2: sign_space,
                width: 0.6,
                gray: 0.0,
            }];
            let mut y = sign_space + 4.0 + fonts.ascent(Face::Serif) * size;
            let mut n = 0;
            for l in lines {
                let wrapped = wrap(fonts, &[(Face::Serif, l)], size, w)?;
                text_items(&wrapped, x0, y, size, leading, &mut items);
                y += wrapped.len() as f32 * leading;
                n += wrapped.len();
            }
            let height = sign_space + 4.0 + n as f32 * leading + 4.0;
            // never a signature alone on its page: keep it with the text before it
            if let Some(prev) = out.last_mut() {
                prev.keep_with_next = true;
            }
            out.push(Unit {
                space_before: 24.0,
                height,
                items,
                ..Unit::default()
            });
        }
    }
    Ok(())
}

fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut col = 0;
    for c in s.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// One unit per line, with orphan and widow control.
fn line_units(
    lines: &[Line],
    size: f32,
    leading: f32,
    gap: f32,
    fonts: &Fonts,
    out: &mut Vec<Unit>,
) {
    let asc = fonts.ascent(Face::Serif) * size;
    let n = lines.len();
    for (k, line) in lines.iter().enumerate() {
        let mut items = Vec::new();
        text_items(
            std::slice::from_ref(line),
            0.0,
            asc,
            size,
            leading,
            &mut items,
        );
        out.push(Unit {
            space_before: if k == 0 { gap } else { 0.0 },
            height: leading,
            items,
            keep_with_next: n > 2 && (k == 0 || k + 2 == n) || n == 2 && k == 0,
            ..Unit::default()
        });
    }
}

/// Narrowest a column is made to give a mono column room: about four characters.
const MIN_COLUMN_PT: f32 = 30.0;
/// Widest a serif column is made to hold its longest word, as a share of the table.
const TEXT_COLUMN_MAX: f32 = 0.3;

/// Widens each mono column narrower than its longest word (up to [`HASH_HEX_CHARS`]
/// characters) needs at [`MONO_CELL_MIN_PT`], and each serif column narrower than
/// `text_need`, taking the room from the other columns in proportion to what each has above
/// its own need. When there is not room enough: with `partial`, what there is is shared in
/// proportion; without, the widths are left as they are (a hash column half widened would
/// still break its hash, and would squeeze the others for nothing).
fn widen_mono_columns(
    columns: &[Column],
    rows: &[Vec<String>],
    widths: &mut [f32],
    text_need: &[f32],
    partial: bool,
) {
    let need: Vec<f32> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            if !c.mono {
                return text_need[k];
            }
            let longest = rows
                .iter()
                .flat_map(|r| r[k].split_whitespace())
                .map(|w| w.chars().count().min(HASH_HEX_CHARS))
                .max()
                .unwrap_or(0);
            (longest as f32 * MONO_ADVANCE_EM * MONO_CELL_MIN_PT + 2.0 * CELL_PAD_X + 0.5)
                .max(MIN_COLUMN_PT)
        })
        .collect();
    let short: f32 = widths
        .iter()
        .zip(&need)
        .map(|(w, n)| (n - w).max(0.0))
        .sum();
    if short <= 0.0 {
        return;
    }
    let spare: Vec<f32> = widths
        .iter()
        .zip(&need)
        .map(|(w, n)| (w - n).max(0.0))
        .collect();
    let spare_total: f32 = spare.iter().sum();
    if spare_total <= 0.0 || !partial && spare_total < short {
        return;
    }
    // all the room needed if it is there, else what there is, shared in proportion
    let given = short.min(spare_total);
    for (k, w) in widths.iter_mut().enumerate() {
        if *w < need[k] {
            *w += (need[k] - *w) * given / short;
        } else {
            *w -= spare[k] * given / spare_total;
        }
    }
}

fn table_units(
    columns: &[Column],
    rows: &[Vec<String>],
    width: f32,
    avail: f32,
    fonts: &mut Fonts,
    out: &mut Vec<Unit>,
) -> Result<(), RenderError> {
    if columns.is_empty() {
        return Err(invalid("table without columns"));
    }
    if columns
        .iter()
        .any(|c| !(c.width_fraction.is_finite() && c.width_fraction > 0.0))
    {
        return Err(invalid("table column width_fraction must be > 0"));
    }
    if let Some((i, r)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != columns.len())
    {
        return Err(invalid(format!(
            "table row {i} has {} cells for {} columns",
            r.len(),
            columns.len()
        )));
    }
    let total: f32 = columns.iter().map(|c| c.width_fraction).sum();
    let mut widths: Vec<f32> = columns
        .iter()
        .map(|c| width * c.width_fraction / total)
        .collect();
    // a serif column is widened to its longest word (a seal number, a date, a word of its
    // title), up to
    // TEXT_COLUMN_MAX of the table, so that an identifier is broken only when it must be
    let mut text_need = Vec::with_capacity(columns.len());
    for (k, c) in columns.iter().enumerate() {
        let mut longest = 0.0f32;
        for word in c.title.split(' ') {
            longest = longest.max(fonts.width(Face::SerifBold, word, TABLE_PT)?);
        }
        if !c.mono {
            for r in rows {
                for word in r[k].split([' ', '\n', '\t']) {
                    longest = longest.max(fonts.width(Face::Serif, word, TABLE_PT)?);
                }
            }
        }
        let need = (longest + 2.0 * CELL_PAD_X + 0.5).min(width * TEXT_COLUMN_MAX);
        text_need.push(need.max(MIN_COLUMN_PT));
    }
    // hashes first (serif columns giving room down to MIN_COLUMN_PT), then serif words
    let least = vec![MIN_COLUMN_PT; columns.len()];
    widen_mono_columns(columns, rows, &mut widths, &least, false);
    widen_mono_columns(columns, rows, &mut widths, &text_need, true);
    let mut xs = vec![0.0f32];
    for w in &widths {
        xs.push(xs.last().copied().unwrap_or(0.0) + w);
    }
    let sizes: Vec<(Face, f32)> = columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| {
            if c.mono {
                (Face::Mono, mono_cell_size(w - 2.0 * CELL_PAD_X))
            } else {
                (Face::Serif, TABLE_PT)
            }
        })
        .collect();

    let grid = |items: &mut Vec<Item>, height: f32, top_rule: bool| {
        for &x in &xs {
            items.push(Item::Rule {
                x1: x,
                y1: 0.0,
                x2: x,
                y2: height,
                width: RULE_PT,
                gray: GRID_GRAY,
            });
        }
        items.push(Item::Rule {
            x1: 0.0,
            y1: height,
            x2: width,
            y2: height,
            width: RULE_PT,
            gray: GRID_GRAY,
        });
        if top_rule {
            items.push(Item::Rule {
                x1: 0.0,
                y1: 0.0,
                x2: width,
                y2: 0.0,
                width: RULE_PT,
                gray: GRID_GRAY,
            });
        }
    };

    // header
    let leading = TABLE_PT * TABLE_LEADING;
    let mut header_lines = Vec::new();
    for (c, w) in columns.iter().zip(&widths) {
        header_lines.push(wrap(
            fonts,
            &[(Face::SerifBold, &c.title)],
            TABLE_PT,
            w - 2.0 * CELL_PAD_X,
        )?);
    }
    let hn = header_lines.iter().map(Vec::len).max().unwrap_or(1);
    let hheight = hn as f32 * leading + 2.0 * CELL_PAD_Y;
    let mut items = vec![Item::Fill {
        x: 0.0,
        y: 0.0,
        w: width,
        h: hheight,
        gray: HEADER_FILL,
    }];
    grid(&mut items, hheight, true);
    let asc = fonts.ascent(Face::SerifBold) * TABLE_PT;
    for (k, lines) in header_lines.iter().enumerate() {
        text_items(
            lines,
            xs[k] + CELL_PAD_X,
            CELL_PAD_Y + asc,
            TABLE_PT,
            leading,
            &mut items,
        );
    }
    let header_index = out.len();
    out.push(Unit {
        space_before: PARA_GAP + 2.0,
        height: hheight,
        items,
        keep_with_next: !rows.is_empty(),
        ..Unit::default()
    });

    // rows
    let max_row = (avail - hheight - 1.0).max(leading + 2.0 * CELL_PAD_Y);
    for row in rows {
        let mut cells = Vec::with_capacity(row.len());
        for (k, text) in row.iter().enumerate() {
            let (face, size) = sizes[k];
            cells.push(wrap(
                fonts,
                &[(face, text)],
                size,
                widths[k] - 2.0 * CELL_PAD_X,
            )?);
        }
        // mono cells (smaller) share the serif line step, centred on it
        let line_step = leading;
        let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        // split rows taller than a page into slices of `per` lines
        let per = (((max_row - 2.0 * CELL_PAD_Y) / line_step).floor() as usize).max(1);
        let mut start = 0;
        while start < n {
            let end = (start + per).min(n);
            let height = (end - start) as f32 * line_step + 2.0 * CELL_PAD_Y;
            let mut items = Vec::new();
            grid(&mut items, height, false);
            // one baseline per line across the row: the serif one (mono cells are smaller)
            let asc = fonts.ascent(Face::Serif) * TABLE_PT;
            for (k, lines) in cells.iter().enumerate() {
                let size = sizes[k].1;
                let slice = &lines[start.min(lines.len())..end.min(lines.len())];
                for (j, line) in slice.iter().enumerate() {
                    let cw = widths[k] - 2.0 * CELL_PAD_X;
                    let dx = match columns[k].align {
                        Align::Left => 0.0,
                        Align::Center => (cw - line.width) / 2.0,
                        Align::Right => cw - line.width,
                    };
                    for seg in &line.segs {
                        items.push(Item::Text {
                            x: xs[k] + CELL_PAD_X + dx + seg.x,
                            y: CELL_PAD_Y + j as f32 * line_step + asc,
                            face: seg.face,
                            size,
                            text: seg.text.clone(),
                        });
                    }
                }
            }
            out.push(Unit {
                height,
                items,
                header: Some(header_index),
                ..Unit::default()
            });
            start = end;
        }
    }
    // never fewer than TABLE_MIN_ROWS rows (or the whole table) at a page's bottom or top
    let first = header_index + 1;
    let n = out.len() - first;
    let keep = TABLE_MIN_ROWS.min(n);
    for k in (0..keep.saturating_sub(1)).chain(n - keep..n.saturating_sub(1)) {
        out[first + k].keep_with_next = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_fits_a_mono_column_of_the_documented_minimum() {
        let mut fonts = Fonts::load().unwrap();
        let hash = "f".repeat(64);
        for w in [MIN_HASH_COLUMN_PT, 320.0, 350.0, 400.0] {
            let inner = w - 2.0 * CELL_PAD_X;
            let size = mono_cell_size(inner);
            let lines = wrap(&mut fonts, &[(Face::Mono, &hash)], size, inner).unwrap();
            assert_eq!(lines.len(), 1, "column {w} pt, size {size}");
        }
        assert_eq!(mono_cell_size(1000.0), MONO_CELL_MAX_PT);
        assert_eq!(mono_cell_size(10.0), MONO_CELL_MIN_PT);
        // documented: 0.70 of A4's text width, 0.68 of Letter's
        assert!(MIN_HASH_COLUMN_PT / Paper::A4.text_width() < 0.70);
        assert!(MIN_HASH_COLUMN_PT / Paper::Letter.text_width() < 0.68);
    }

    #[test]
    fn a_narrow_hash_column_is_widened_and_the_hash_kept_whole_at_8_pt_or_more() {
        let hash = "0123456789abcdef".repeat(4);
        let d = doc(vec![Block::Table {
            columns: vec![
                Column::mono("Exhibit", 0.1),
                Column::text("Description", 0.4),
                Column::mono("SHA-256", 0.3),
                Column::text("Size", 0.2),
            ],
            rows: vec![vec![
                "E-0001".into(),
                "A phone image, sealed in the lab".into(),
                hash.clone(),
                "128 GB".into(),
            ]],
        }]);
        for paper in [Paper::A4, Paper::Letter] {
            let mut fonts = Fonts::load().unwrap();
            let pages = layout(&d, paper, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
            let mut found = false;
            for item in &pages[0].items {
                if let Item::Text { size, text, .. } = item {
                    assert!(*size >= MIN_TEXT_PT, "{text:?} at {size} pt");
                    found |= text == &hash;
                }
            }
            assert!(found, "{paper:?}: the hash is not one piece of text");
        }
    }

    #[test]
    fn a_us_filing_sets_running_text_at_12_pt() {
        let d = doc(vec![
            Block::Heading {
                level: 3,
                text: "Opinions".into(),
            },
            Block::Paragraph {
                runs: vec![Run::regular("I declare "), Run::mono("sha256sum")],
            },
            Block::KeyValue {
                rows: vec![("Expert".into(), "Jean-Marc Dupré".into())],
                mono_values: false,
            },
            Block::SignatureBlock {
                lines: vec!["/s/ Jean-Marc Dupré".into()],
            },
        ]);
        let mut fonts = Fonts::load().unwrap();
        let pages = layout(
            &d,
            Paper::Letter,
            &NO_FOOTER,
            &TypeScale::US_FILING,
            &mut fonts,
        )
        .unwrap();
        let sizes: Vec<f32> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { size, .. } => Some(*size),
                _ => None,
            })
            .collect();
        assert!(sizes.len() >= 5);
        assert!(sizes.iter().all(|s| *s >= 12.0), "{sizes:?}");
        let bad = TypeScale {
            body: 7.0,
            ..TypeScale::STANDARD
        };
        assert!(layout(&d, Paper::A4, &NO_FOOTER, &bad, &mut fonts).is_err());
    }

    #[test]
    fn a_long_footer_id_wraps_at_8_pt_and_is_cut_with_an_ellipsis() {
        let mut fonts = Fonts::load().unwrap();
        let left = "3:21-cv-09078-JD — Declaration of the expert on the chain of custody of the exhibits sealed and examined in the matter";
        let footer = FooterSpec {
            left,
            page_format: "Page {page} of {pages}",
            bates: None,
        };
        let pages = layout(
            &doc(vec![]),
            Paper::A4,
            &footer,
            &TypeScale::STANDARD,
            &mut fonts,
        )
        .unwrap();
        let third = Paper::A4.text_width() / 3.0;
        let left_items: Vec<(&str, f32, f32)> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, size, text, .. } if *x < MARGIN_LEFT + 1.0 => Some((
                    text.as_str(),
                    *size,
                    fonts.width(Face::Serif, text, *size).unwrap(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(left_items.len(), 2, "{left_items:?}");
        for (t, size, w) in &left_items {
            assert!(*size >= MIN_TEXT_PT && *w <= third, "{t:?} {size} {w}");
        }
        assert!(left_items[0].0.starts_with("3:21-cv-09078-JD"));
        assert!(left_items[1].0.ends_with('\u{2026}'));
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_overlong_words() {
        let mut fonts = Fonts::load().unwrap();
        let lines = wrap(&mut fonts, &[(Face::Serif, "aaa bbb ccc")], 10.0, 40.0).unwrap();
        let texts: Vec<String> = lines
            .iter()
            .map(|l| l.segs.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(texts, ["aaa bbb", "ccc"]);
        for l in &lines {
            assert!(l.width <= 40.0);
        }
        let long = "x".repeat(50);
        let lines = wrap(&mut fonts, &[(Face::Mono, &long)], 10.0, 60.1).unwrap();
        // 9 chars of 6.001 pt and the mark per line, the rest on the last
        assert_eq!(lines.len(), 6);
        let texts = line_texts(&lines);
        assert!(texts[..5].iter().all(|t| t.ends_with(CONTINUATION_MARK)));
        assert_eq!(texts.concat().replace(CONTINUATION_MARK, ""), long);
        assert!(lines.iter().all(|l| l.width <= 60.1));
    }

    fn line_texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.segs.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn a_time_zone_a_unit_or_a_sign_never_starts_a_line() {
        let mut fonts = Fonts::load().unwrap();
        for (text, glued) in [
            ("Sealed on 06/12/2026 at 11:27:33 UTC", "11:27:33 UTC"),
            ("Heure 10:00 (UTC+01:00)", "10:00 (UTC+01:00)"),
            ("a phone of 128 GB", "128 GB"),
            ("under 28 U.S.C. § 1746", "§ 1746"),
            ("le scellé n°\u{a0}7 ouvert", "n°\u{a0}7"),
        ] {
            // every width from very narrow to one line: the glued unit is never split
            let least = fonts.width(Face::Serif, glued, 10.0).unwrap().ceil() as usize;
            for max in (least..200).step_by(3) {
                let lines = wrap(&mut fonts, &[(Face::Serif, text)], 10.0, max as f32).unwrap();
                let texts = line_texts(&lines);
                let (a, b) = glued.split_once([' ', '\u{a0}']).unwrap();
                for (k, t) in texts.iter().enumerate() {
                    assert!(
                        !(t.trim_end().ends_with(a)
                            && texts.get(k + 1).is_some_and(|n| n.starts_with(b))),
                        "{text:?} at {max} pt: {texts:?}"
                    );
                    assert_ne!(t.trim(), "UTC", "{text:?} at {max} pt: {texts:?}");
                }
            }
        }
    }

    #[test]
    fn identifiers_break_after_a_dash_or_slash_with_the_mark_and_hashes_never() {
        let mut fonts = Fonts::load().unwrap();
        let seal = "NSO-DEMO-001-R1";
        let full = fonts.width(Face::Serif, seal, 10.0).unwrap();
        let lines = wrap(&mut fonts, &[(Face::Serif, seal)], 10.0, full - 1.0).unwrap();
        assert_eq!(
            line_texts(&lines),
            [
                format!("NSO-DEMO-001-{CONTINUATION_MARK}"),
                "R1".to_string()
            ]
        );
        let path = "/tmp/case/artifacts/sysdiagnose-logs/system_logs.logarchive";
        for max in [110.0, 150.0, 200.0] {
            let lines = wrap(&mut fonts, &[(Face::Mono, path)], 8.0, max).unwrap();
            let texts = line_texts(&lines);
            for t in &texts[..texts.len() - 1] {
                let cut = t.strip_suffix(CONTINUATION_MARK).expect("the mark");
                assert!(cut.ends_with(['/', '-']), "{max}: {texts:?}");
            }
            assert_eq!(texts.concat().replace(CONTINUATION_MARK, ""), path);
        }
        // a hash moves whole to the next line, after a path that breaks at '/'
        let hash = "0123456789abcdef".repeat(4);
        let text = format!("see sha256/{hash}");
        let hash_w = fonts.width(Face::Mono, &hash, 8.0).unwrap();
        let lines = wrap(&mut fonts, &[(Face::Mono, &text)], 8.0, hash_w + 10.0).unwrap();
        let texts = line_texts(&lines);
        assert!(texts.iter().any(|t| t == &hash), "{texts:?}");
        // narrower than a hash: cut in halves of 32 digits, each marked
        let lines = wrap(&mut fonts, &[(Face::Mono, &hash)], 8.0, hash_w * 0.6).unwrap();
        assert_eq!(
            line_texts(&lines),
            [
                format!("{}{CONTINUATION_MARK}", &hash[..32]),
                hash[32..].to_string()
            ]
        );
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            meta: crate::render::doc::Metadata {
                title: String::new(),
                author: String::new(),
                subject: String::new(),
                keywords: vec![],
                language: String::new(),
                created: time::macros::datetime!(2025-01-01 0:00 UTC),
            },
            blocks,
        }
    }

    const NO_FOOTER: FooterSpec<'static> = FooterSpec {
        left: "",
        page_format: "",
        bates: None,
    };

    #[test]
    fn a_row_taller_than_a_page_is_split_and_the_header_repeated() {
        let mut fonts = Fonts::load().unwrap();
        let tall: String = (0..150).map(|i| format!("line {i}\n")).collect();
        let d = doc(vec![Block::Table {
            columns: vec![Column::text("Head", 1.0)],
            rows: vec![vec!["short".into()], vec![tall], vec!["after".into()]],
        }]);
        let pages = layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
        assert!(pages.len() >= 3, "{}", pages.len());
        for (k, p) in pages.iter().enumerate() {
            let t = texts(p);
            assert_eq!(t.first(), Some(&"Head"), "page {k} starts with the header");
            for it in &p.items {
                if let Item::Text { y, .. } = it {
                    assert!(*y >= MARGIN_BOTTOM && *y <= Paper::A4.size_pt().1 - MARGIN_TOP);
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(texts).collect();
        assert_eq!(all.iter().filter(|t| t.starts_with("line ")).count(), 150);
    }

    fn filler(lines: usize) -> Block {
        // one line each: short words, forced breaks
        let text: String = (0..lines).map(|i| format!("filler {i}\n")).collect();
        Block::Paragraph {
            runs: vec![Run::regular(text.trim_end().to_string())],
        }
    }

    fn lowest_text_y(page: &Page) -> f32 {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { y, .. } => Some(*y),
                _ => None,
            })
            .fold(f32::MAX, f32::min)
    }

    #[test]
    fn a_table_leaves_at_least_three_rows_at_a_page_bottom_and_top() {
        let rows: Vec<Vec<String>> = (0..8).map(|i| vec![format!("row {i}")]).collect();
        let table = Block::Table {
            columns: vec![Column::text("Head", 1.0)],
            rows,
        };
        // push the table down line by line: wherever the page ends, 0 or >= 3 rows per page
        for before in 30..48 {
            let d = doc(vec![filler(before), table.clone()]);
            let mut fonts = Fonts::load().unwrap();
            let pages =
                layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
            let mut counts = Vec::new();
            for p in &pages {
                let t = texts(p);
                let rows = t.iter().filter(|s| s.starts_with("row ")).count();
                if rows > 0 {
                    assert!(
                        t.contains(&"Head"),
                        "{before}: a page of rows without header"
                    );
                }
                counts.push(rows);
            }
            assert_eq!(counts.iter().sum::<usize>(), 8);
            assert!(
                counts.iter().all(|&c| c == 0 || c >= TABLE_MIN_ROWS),
                "{before} lines before: rows per page {counts:?}"
            );
        }
    }

    #[test]
    fn a_heading_or_a_label_is_never_the_last_line_of_a_page() {
        for before in 40..48 {
            let d = doc(vec![
                filler(before),
                Block::Heading {
                    level: 2,
                    text: "Section".into(),
                },
                Block::Paragraph {
                    runs: vec![Run::regular("Hashed by:")],
                },
                Block::KeyValue {
                    rows: (0..4).map(|i| (format!("L{i}"), format!("v{i}"))).collect(),
                    mono_values: false,
                },
                filler(3),
            ]);
            let mut fonts = Fonts::load().unwrap();
            let pages =
                layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
            for p in &pages {
                let t = texts(p);
                let last = t.last().copied().unwrap_or("");
                assert!(
                    !["Section", "Hashed by:", "L0", "v0"].contains(&last),
                    "{before}: page ends with {last:?}"
                );
                let first = t.first().copied().unwrap_or("");
                assert!(!["L3", "v3"].contains(&first), "{before}: {t:?}");
            }
        }
    }

    #[test]
    fn a_long_block_kept_together_does_not_leave_a_page_largely_blank() {
        // a table of 5 rows of 12 lines each (kept whole if it were small)
        let tall: String = (0..12).map(|i| format!("l{i}\n")).collect();
        let d = doc(vec![
            filler(20),
            Block::Table {
                columns: vec![Column::text("Head", 1.0)],
                rows: vec![vec![tall]; 5],
            },
        ]);
        let mut fonts = Fonts::load().unwrap();
        let pages = layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
        let (_, h) = Paper::A4.size_pt();
        let avail = h - MARGIN_TOP - MARGIN_BOTTOM;
        let used = h - MARGIN_TOP - lowest_text_y(&pages[0]);
        assert!(
            used / avail > 0.6,
            "first page {:.0} % used",
            100.0 * used / avail
        );
    }

    #[test]
    fn a_heading_stays_with_a_table_of_tall_rows_and_no_page_is_left_largely_blank() {
        // a heading, then a table whose rows are 12 lines each (too long to keep whole):
        // wherever the page ends, the heading is followed on its page by the header row and
        // the first row, and no page but the last is more than 40 % blank
        let tall: String = (0..12).map(|i| format!("l{i}\n")).collect();
        let (_, h) = Paper::A4.size_pt();
        let avail = h - MARGIN_TOP - MARGIN_BOTTOM;
        for before in 20..48 {
            let d = doc(vec![
                filler(before),
                Block::Heading {
                    level: 3,
                    text: "Section".into(),
                },
                Block::Table {
                    columns: vec![Column::text("Head", 1.0)],
                    rows: vec![vec![tall.clone()]; 6],
                },
            ]);
            let mut fonts = Fonts::load().unwrap();
            let pages =
                layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
            for (k, p) in pages.iter().enumerate() {
                let t = texts(p);
                if let Some(at) = t.iter().position(|s| *s == "Section") {
                    assert_eq!(
                        t.get(at + 1..at + 3),
                        Some(&["Head", "l0"][..]),
                        "{before}: {t:?}"
                    );
                }
                assert_ne!(t.last().copied(), Some("Head"), "{before}: {t:?}");
                if k + 1 < pages.len() {
                    let used = h - MARGIN_TOP - lowest_text_y(p);
                    assert!(
                        used / avail > 0.6,
                        "{before}: page {k} {:.0} % used",
                        100.0 * used / avail
                    );
                }
            }
        }
    }

    #[test]
    fn contents_list_each_heading_with_the_page_it_starts_on() {
        let mut blocks = vec![
            Block::Heading {
                level: 1,
                text: "Informe".into(),
            },
            Block::Contents { depth: 2 },
        ];
        // sections of varying length, one starting after an explicit page break
        for (k, len) in [5usize, 60, 10, 45, 3].iter().enumerate() {
            if k == 3 {
                blocks.push(Block::PageBreak);
            }
            blocks.push(Block::Heading {
                level: 2,
                text: format!("{}. Section {k}", k + 1),
            });
            blocks.push(filler(*len));
            blocks.push(Block::Heading {
                level: 3,
                text: format!("Sub {k}"),
            });
            blocks.push(filler(2));
        }
        let d = doc(blocks);
        let mut fonts = Fonts::load().unwrap();
        let pages = layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
        assert!(pages.len() >= 4);
        // the page where the heading itself is drawn (bold; the contents line is regular)
        let page_of = |title: &str| {
            let is_heading = |i: &Item| matches!(i, Item::Text { face: Face::SerifBold, text, .. } if text == title);
            let at = pages.iter().position(|p| p.items.iter().any(is_heading));
            at.map(|i| i + 1).unwrap()
        };
        let first = texts(&pages[0]);
        for k in 0..5 {
            let title = format!("{}. Section {k}", k + 1);
            let at = first.iter().position(|t| *t == title).expect("listed");
            let number: usize = first[at + 1].parse().expect("a page number after it");
            assert_eq!(number, page_of(&title), "{title}");
        }
        let subs = pages
            .iter()
            .flat_map(texts)
            .filter(|t| *t == "Sub 0")
            .count();
        assert_eq!(
            subs, 1,
            "level 3 is deeper than asked: only the heading itself"
        );
        let bad = doc(vec![Block::Contents { depth: 4 }]);
        assert!(layout(
            &bad,
            Paper::A4,
            &NO_FOOTER,
            &TypeScale::STANDARD,
            &mut fonts
        )
        .is_err());
    }

    #[test]
    fn footer_words_never_overlap() {
        let mut fonts = Fonts::load().unwrap();
        let bates = super::super::options::Bates {
            prefix: "PEG-ES-PRODUCCION-".into(),
            start: 1,
            digits: 6,
        };
        for (left, format) in [
            (
                "3:21-cv-09078-JD — Certification of the records",
                "Page {page} of {pages}",
            ),
            (
                "DP 150/2022 — Registro de cadena de custodia de los efectos",
                "Página {page} de {pages}",
            ),
            (
                "2123/21/7",
                "Page {page} sur {pages} du tableau de traçabilité des scellés",
            ),
            (
                "W",
                "Página {page} de {pages} del informe pericial del perito designado",
            ),
        ] {
            for b in [None, Some(&bates)] {
                let footer = FooterSpec {
                    left,
                    page_format: format,
                    bates: b,
                };
                let pages = layout(
                    &doc(vec![]),
                    Paper::A4,
                    &footer,
                    &TypeScale::STANDARD,
                    &mut fonts,
                )
                .unwrap();
                let mut boxes = Vec::new();
                for it in &pages[0].items {
                    if let Item::Text {
                        x,
                        y,
                        face,
                        size,
                        text,
                    } = it
                    {
                        let w = fonts.width(*face, text, *size).unwrap();
                        assert!(*y > 0.0 && x + w <= Paper::A4.size_pt().0 - MARGIN_RIGHT + 0.01);
                        boxes.push((*x, x + w, y - 0.25 * size, y + 0.75 * size, text.clone()));
                    }
                }
                for (i, a) in boxes.iter().enumerate() {
                    for c in &boxes[i + 1..] {
                        let apart = a.1 <= c.0 || c.1 <= a.0 || a.3 <= c.2 || c.3 <= a.2;
                        assert!(apart, "{left:?} / {format:?}: {:?} over {:?}", a.4, c.4);
                    }
                }
            }
        }
    }

    #[test]
    fn a_serif_column_is_widened_to_its_seal_number_without_narrowing_the_hash_column() {
        let hash = "0123456789abcdef".repeat(4);
        let seal = "NSO-DEMO-001-R1";
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let desc = "Full file system extraction of the iPhone";
        let d = doc(vec![
            Block::Table {
                columns: vec![
                    Column::mono("Exhibit", 0.1),
                    Column::text("Seal no.", 0.1),
                    Column::text("Description", 0.6),
                    Column::text("Size", 0.2),
                ],
                rows: vec![row(&["E-0001", seal, desc, "11,264"])],
            },
            // no room for both: the hash keeps its width, the seal number breaks at '-'
            Block::Table {
                columns: vec![
                    Column::mono("Exhibit", 0.1),
                    Column::text("Seal no.", 0.1),
                    Column::mono("SHA-256", 0.7),
                    Column::text("Kind", 0.1),
                ],
                rows: vec![row(&["E-0001", seal, &hash, "tar"])],
            },
        ]);
        let mut fonts = Fonts::load().unwrap();
        let pages = layout(&d, Paper::A4, &NO_FOOTER, &TypeScale::STANDARD, &mut fonts).unwrap();
        let t = texts(&pages[0]);
        assert_eq!(t.iter().filter(|s| **s == seal).count(), 1, "{t:?}");
        assert!(t.contains(&hash.as_str()), "{t:?}");
        let at = t.iter().position(|s| *s == hash).unwrap();
        let pieces: Vec<&str> = t[..at]
            .iter()
            .rev()
            .take_while(|s| **s != "E-0001")
            .copied()
            .collect();
        assert!(
            pieces
                .iter()
                .all(|p| !p.ends_with(CONTINUATION_MARK) || p.ends_with("-\u{2192}")),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_short_row_moves_whole_to_the_next_page() {
        let mut fonts = Fonts::load().unwrap();
        let rows = (0..80)
            .map(|i| vec![format!("r{i}"), format!("a{i}\nb{i}\nc{i}")])
            .collect();
        let d = doc(vec![Block::Table {
            columns: vec![Column::text("K", 0.3), Column::text("V", 0.7)],
            rows,
        }]);
        let pages = layout(
            &d,
            Paper::Letter,
            &NO_FOOTER,
            &TypeScale::STANDARD,
            &mut fonts,
        )
        .unwrap();
        assert!(pages.len() > 1);
        for p in &pages {
            let t = texts(p);
            for i in 0..80 {
                let a = t.contains(&format!("a{i}").as_str());
                let c = t.contains(&format!("c{i}").as_str());
                assert_eq!(a, c, "row {i} split");
            }
        }
    }

    #[test]
    fn a_signature_never_stands_alone() {
        let mut fonts = Fonts::load().unwrap();
        for n in 20..40 {
            let mut blocks: Vec<Block> = (0..n)
                .map(|i| Block::Paragraph {
                    runs: vec![Run::regular(format!("p{i}"))],
                })
                .collect();
            blocks.push(Block::SignatureBlock {
                lines: vec!["Signed".into()],
            });
            let pages = layout(
                &doc(blocks),
                Paper::A4,
                &NO_FOOTER,
                &TypeScale::STANDARD,
                &mut fonts,
            )
            .unwrap();
            let last = texts(pages.last().unwrap());
            assert!(last.len() >= 2, "n={n}: {last:?}");
        }
    }

    #[test]
    fn preformatted_long_line_is_marked() {
        let mut fonts = Fonts::load().unwrap();
        let mut out = Vec::new();
        let text = "y".repeat(200);
        block_units(
            &Block::Preformatted { text },
            300.0,
            600.0,
            &TypeScale::STANDARD,
            &mut fonts,
            &mut out,
        )
        .unwrap();
        let texts: Vec<&str> = out
            .iter()
            .flat_map(|u| &u.items)
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.len() > 1);
        assert!(texts[..texts.len() - 1]
            .iter()
            .all(|t| t.ends_with(CONTINUATION_MARK)));
        let joined: String = texts.concat().replace(CONTINUATION_MARK, "");
        assert_eq!(joined, "y".repeat(200));
    }
}
