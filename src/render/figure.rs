//! Vector figures: lines, arrows, marks and text labels placed in points, drawn in black and
//! grays only (legible in black and white, no transparency) with the embedded fonts.
//!
//! A [`Figure`] is one [`crate::render::Block::Figure`]: it is kept whole on one page, as wide
//! as the text block at most. Coordinates are in points from the figure's top-left corner,
//! x to the right and y downward. The renderer knows nothing of what a figure shows.

use super::fonts::{Face, Fonts};
use super::layout::{Item, MIN_TEXT_PT};
use super::options::RenderError;

/// A drawing kept whole on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Width in points (at most the text width of the paper it is drawn on).
    pub width: f32,
    /// Height in points (at most a page's text height).
    pub height: f32,
    /// What is drawn, in order (later shapes over earlier ones).
    pub shapes: Vec<Shape>,
}

/// Where a label's anchor point is on its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    /// The text starts at the point.
    #[default]
    Start,
    /// The text is centred on the point.
    Middle,
    /// The text ends at the point.
    End,
}

/// A mark drawn centred on a point, `size` points across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkShape {
    /// A filled square ■.
    FilledSquare,
    /// An outlined square □.
    OpenSquare,
    /// A filled diamond ◆.
    FilledDiamond,
    /// An outlined circle ○ (an octagon).
    OpenCircle,
    /// A diagonal cross ×.
    Cross,
    /// A filled triangle pointing down ▼.
    FilledTriangle,
}

/// One thing drawn in a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A straight line, `gray` 0 (black) to 1 (white), optionally dashed (dash = gap length).
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// Thickness in points.
        width: f32,
        /// Gray level.
        gray: f32,
        /// Dash and gap length in points; `None` for a solid line.
        dash: Option<f32>,
    },
    /// A black line ending in a filled arrowhead at `to`.
    Arrow {
        /// Tail.
        from: (f32, f32),
        /// Tip.
        to: (f32, f32),
        /// Thickness of the shaft in points.
        width: f32,
        /// Length of the head in points.
        head: f32,
        /// Dash and gap length of the shaft; `None` for a solid shaft.
        dash: Option<f32>,
    },
    /// A black mark centred on `at`.
    Mark {
        /// Centre.
        at: (f32, f32),
        /// Which mark.
        shape: MarkShape,
        /// Width and height in points.
        size: f32,
    },
    /// A filled rectangle, `at` its top-left corner.
    Rect {
        /// Top-left corner.
        at: (f32, f32),
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Gray level.
        gray: f32,
    },
    /// A line of black text; `at` is a point of its baseline.
    Label {
        /// Anchor point on the baseline.
        at: (f32, f32),
        /// The text (every character must have a glyph in `face`).
        text: String,
        /// Face.
        face: Face,
        /// Size in points, at least [`MIN_TEXT_PT`].
        size: f32,
        /// Where `at` is along the text.
        anchor: Anchor,
    },
}

impl Figure {
    /// The figure's items in its own space (x from its left, y downward from its top), for
    /// the layout to place. Errors if it is wider than `max_width`, taller than `max_height`,
    /// has text under [`MIN_TEXT_PT`] or a character the fonts lack.
    pub(crate) fn items(
        &self,
        max_width: f32,
        max_height: f32,
        fonts: &mut Fonts,
    ) -> Result<Vec<Item>, RenderError> {
        let bad = |m: String| RenderError::InvalidDocument(m);
        if !(self.width > 0.0 && self.width <= max_width + 0.01) {
            return Err(bad(format!(
                "figure {} pt wide: must be 0 to {max_width} pt (the text width)",
                self.width
            )));
        }
        if !(self.height > 0.0 && self.height <= max_height + 0.01) {
            return Err(bad(format!(
                "figure {} pt high: must fit on one page ({max_height} pt)",
                self.height
            )));
        }
        let mut items = Vec::new();
        for s in &self.shapes {
            match s {
                Shape::Line {
                    from,
                    to,
                    width,
                    gray,
                    dash,
                } => items.push(Item::Path {
                    points: vec![*from, *to],
                    closed: false,
                    stroke: Some(*width),
                    fill: false,
                    gray: *gray,
                    dash: *dash,
                }),
                Shape::Arrow {
                    from,
                    to,
                    width,
                    head,
                    dash,
                } => {
                    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
                    let len = (dx * dx + dy * dy).sqrt().max(0.001);
                    let (ux, uy) = (dx / len, dy / len);
                    let head = head.min(len);
                    let base = (to.0 - ux * head, to.1 - uy * head);
                    let half = head * 0.4;
                    items.push(Item::Path {
                        points: vec![*from, base],
                        closed: false,
                        stroke: Some(*width),
                        fill: false,
                        gray: 0.0,
                        dash: *dash,
                    });
                    items.push(Item::Path {
                        points: vec![
                            *to,
                            (base.0 - uy * half, base.1 + ux * half),
                            (base.0 + uy * half, base.1 - ux * half),
                        ],
                        closed: true,
                        stroke: None,
                        fill: true,
                        gray: 0.0,
                        dash: None,
                    });
                }
                Shape::Mark { at, shape, size } => items.extend(mark(*at, *shape, *size)),
                Shape::Rect { at, w, h, gray } => items.push(Item::Fill {
                    x: at.0,
                    y: at.1,
                    w: *w,
                    h: *h,
                    gray: *gray,
                }),
                Shape::Label {
                    at,
                    text,
                    face,
                    size,
                    anchor,
                } => {
                    if *size < MIN_TEXT_PT {
                        return Err(bad(format!(
                            "figure label {text:?} at {size} pt: at least {MIN_TEXT_PT} pt"
                        )));
                    }
                    let w = fonts.width(*face, text, *size)?;
                    let x = match anchor {
                        Anchor::Start => at.0,
                        Anchor::Middle => at.0 - w / 2.0,
                        Anchor::End => at.0 - w,
                    };
                    items.push(Item::Text {
                        x,
                        y: at.1,
                        face: *face,
                        size: *size,
                        text: text.clone(),
                    });
                }
            }
        }
        Ok(items)
    }
}

fn mark((x, y): (f32, f32), shape: MarkShape, size: f32) -> Vec<Item> {
    let h = size / 2.0;
    let path = |points: Vec<(f32, f32)>, fill: bool| Item::Path {
        points,
        closed: true,
        stroke: (!fill).then_some(1.0),
        fill,
        gray: 0.0,
        dash: None,
    };
    let square = vec![
        (x - h, y - h),
        (x + h, y - h),
        (x + h, y + h),
        (x - h, y + h),
    ];
    match shape {
        MarkShape::FilledSquare => vec![path(square, true)],
        MarkShape::OpenSquare => vec![path(square, false)],
        MarkShape::FilledDiamond => vec![path(
            vec![
                (x, y - h * 1.2),
                (x + h * 1.2, y),
                (x, y + h * 1.2),
                (x - h * 1.2, y),
            ],
            true,
        )],
        MarkShape::OpenCircle => {
            let pts = (0..8)
                .map(|k| {
                    let a = std::f32::consts::PI * (k as f32 / 4.0 + 0.125);
                    (x + h * a.cos(), y + h * a.sin())
                })
                .collect();
            vec![path(pts, false)]
        }
        MarkShape::Cross => [(-h, -h, h, h), (-h, h, h, -h)]
            .iter()
            .map(|(x1, y1, x2, y2)| Item::Path {
                points: vec![(x + x1, y + y1), (x + x2, y + y2)],
                closed: false,
                stroke: Some(1.5),
                fill: false,
                gray: 0.0,
                dash: None,
            })
            .collect(),
        MarkShape::FilledTriangle => {
            vec![path(vec![(x - h, y - h), (x + h, y - h), (x, y + h)], true)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(size: f32) -> Shape {
        Shape::Label {
            at: (10.0, 10.0),
            text: "Dépôt".into(),
            face: Face::Serif,
            size,
            anchor: Anchor::Middle,
        }
    }

    #[test]
    fn a_figure_too_wide_too_tall_or_with_text_under_8_pt_is_refused() {
        let mut fonts = Fonts::load().unwrap();
        let fig = |w: f32, h: f32, size: f32| Figure {
            width: w,
            height: h,
            shapes: vec![label(size)],
        };
        assert!(fig(400.0, 300.0, 8.0)
            .items(450.0, 600.0, &mut fonts)
            .is_ok());
        for (f, what) in [
            (fig(460.0, 300.0, 8.0), "wide"),
            (fig(400.0, 700.0, 8.0), "high"),
            (fig(400.0, 300.0, 7.5), "8 pt"),
        ] {
            let e = f.items(450.0, 600.0, &mut fonts).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
    }

    #[test]
    fn an_arrow_ends_in_a_head_at_its_tip_and_a_middle_label_is_centred() {
        let mut fonts = Fonts::load().unwrap();
        let f = Figure {
            width: 100.0,
            height: 50.0,
            shapes: vec![
                Shape::Arrow {
                    from: (0.0, 0.0),
                    to: (40.0, 30.0),
                    width: 1.0,
                    head: 5.0,
                    dash: None,
                },
                label(8.0),
            ],
        };
        let items = f.items(100.0, 100.0, &mut fonts).unwrap();
        let Item::Path { points, .. } = &items[0] else {
            panic!("{items:?}")
        };
        // the shaft stops where the head begins, 5 pt before the tip, on the same line
        assert!((points[1].0 - 36.0).abs() < 0.01 && (points[1].1 - 27.0).abs() < 0.01);
        let Item::Path {
            points, fill: true, ..
        } = &items[1]
        else {
            panic!("{items:?}")
        };
        assert_eq!(points[0], (40.0, 30.0));
        let Item::Text { x, .. } = &items[2] else {
            panic!("{items:?}")
        };
        let w = fonts.width(Face::Serif, "Dépôt", 8.0).unwrap();
        assert!((x + w / 2.0 - 10.0).abs() < 0.01);
    }
}
