//! Drawing laid-out pages with printpdf's low-level operations.
//!
//! Each [`super::layout::Page`] becomes one PDF page: text as CID-keyed TrueType text
//! (printpdf subsets each face to the glyphs used and writes a /ToUnicode map, so the text
//! extracts and searches), rules and fills in DeviceGray. The fonts get fixed resource names
//! (see `fonts::Face::resource_id`) instead of printpdf's random ones, so the output is
//! reproducible. The result is an in-memory [`lopdf::Document`] for [`super::pdfa`] to finish.

use printpdf::{
    Color, FontId, Greyscale, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, PdfDocument,
    PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon,
    PolygonRing, Pt, Rect, TextItem, WindingOrder,
};

use super::fonts::{Face, Fonts};
use super::layout::{Item, Page, Paper};
use super::options::RenderError;

fn gray(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

fn pt(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

/// Content-stream operations for one page.
fn page_ops(page: &Page) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.items.len() * 3);
    let mut in_text = false;
    // text line start (Td is relative to it), current font, current colours
    let mut origin = (0.0f32, 0.0f32);
    let mut font: Option<(Face, f32)> = None;
    let mut fill: Option<f32> = None;
    let mut stroke: Option<(f32, f32)> = None;
    for item in &page.items {
        match item {
            Item::Text {
                x,
                y,
                face,
                size,
                text,
            } => {
                if fill != Some(0.0) {
                    ops.push(Op::SetFillColor { col: gray(0.0) });
                    fill = Some(0.0);
                }
                if !in_text {
                    ops.push(Op::StartTextSection);
                    in_text = true;
                    origin = (0.0, 0.0);
                }
                if font != Some((*face, *size)) {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(FontId(face.resource_id().into())),
                        size: Pt(*size),
                    });
                    font = Some((*face, *size));
                }
                ops.push(Op::SetTextCursor {
                    pos: Point {
                        x: Pt(x - origin.0),
                        y: Pt(y - origin.1),
                    },
                });
                origin = (*x, *y);
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                });
            }
            Item::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
                gray: g,
            } => {
                if in_text {
                    ops.push(Op::EndTextSection);
                    in_text = false;
                }
                if stroke != Some((*g, *width)) {
                    ops.push(Op::SetOutlineColor { col: gray(*g) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    stroke = Some((*g, *width));
                }
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![pt(*x1, *y1), pt(*x2, *y2)],
                        is_closed: false,
                    },
                });
            }
            Item::Fill {
                x,
                y,
                w,
                h,
                gray: g,
            } => {
                if in_text {
                    ops.push(Op::EndTextSection);
                    in_text = false;
                }
                if fill != Some(*g) {
                    ops.push(Op::SetFillColor { col: gray(*g) });
                    fill = Some(*g);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(*y),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Path {
                points,
                closed,
                stroke: thickness,
                fill: filled,
                gray: g,
                dash,
            } => {
                if in_text {
                    ops.push(Op::EndTextSection);
                    in_text = false;
                }
                if *filled && fill != Some(*g) {
                    ops.push(Op::SetFillColor { col: gray(*g) });
                    fill = Some(*g);
                }
                if let Some(w) = thickness {
                    if stroke != Some((*g, *w)) {
                        ops.push(Op::SetOutlineColor { col: gray(*g) });
                        ops.push(Op::SetOutlineThickness { pt: Pt(*w) });
                        stroke = Some((*g, *w));
                    }
                }
                if let Some(d) = dash {
                    ops.push(Op::SetLineDashPattern {
                        dash: LineDashPattern::new(0.0, &[*d, *d]),
                    });
                }
                let pts: Vec<LinePoint> = points.iter().map(|(x, y)| pt(*x, *y)).collect();
                match (thickness.is_some(), *filled) {
                    (true, false) if !closed => ops.push(Op::DrawLine {
                        line: Line {
                            points: pts,
                            is_closed: false,
                        },
                    }),
                    (stroked, _) => ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![PolygonRing { points: pts }],
                            mode: match (stroked, *filled) {
                                (true, true) => PaintMode::FillStroke,
                                (true, false) => PaintMode::Stroke,
                                _ => PaintMode::Fill,
                            },
                            winding_order: WindingOrder::NonZero,
                        },
                    }),
                }
                if dash.is_some() {
                    ops.push(Op::SetLineDashPattern {
                        dash: LineDashPattern::solid(),
                    });
                }
            }
        }
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops
}

/// Builds the PDF objects of `pages` (fonts embedded and subset, not yet PDF/A).
pub(crate) fn write(
    pages: &[Page],
    paper: Paper,
    fonts: &Fonts,
) -> Result<lopdf::Document, RenderError> {
    let (w, h) = paper.size_pt();
    let mut pdf = PdfDocument::new("");
    for face in Face::ALL {
        pdf.resources.fonts.map.insert(
            FontId(face.resource_id().into()),
            PdfFont::new(fonts.parsed(face).clone()),
        );
    }
    let to_mm = |p: f32| Mm(p * 25.4 / 72.0);
    pdf.pages = pages
        .iter()
        .map(|p| PdfPage::new(to_mm(w), to_mm(h), page_ops(p)))
        .collect();
    // unused faces are not embedded: drop them so no empty font dictionary is written
    let used: std::collections::BTreeSet<Face> = pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Text { face, .. } => Some(*face),
            _ => None,
        })
        .collect();
    pdf.resources
        .fonts
        .map
        .retain(|id, _| used.iter().any(|f| f.resource_id() == id.0));
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let doc = printpdf::to_lopdf_doc(&pdf, &opts, &mut warnings);
    // printpdf reports font subsetting/embedding failures as errors and carries on; an
    // unembedded or empty font is not acceptable in a filing
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(RenderError::Pdf(format!("printpdf: {}", w.msg)));
    }
    Ok(doc)
}
