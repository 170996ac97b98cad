//! `::timeline [EXHIBIT]`: the custody of each exhibit drawn, for a reader who would rather
//! look than read. One lane per custodian; time runs left to right, one column per ledger
//! entry (numbered as in the custody table above it), dates in ISO 8601 (UTC) under the axis;
//! a gray bar while a custodian holds the exhibit; each hand-over an arrow from the
//! releaser's lane (at the release) to the receiver's (at the acceptance), with the result
//! of the receiver's re-hash at its tip ("=" or "≠", a sign, not a colour); seals, openings,
//! re-seals and disposals as black marks, explained by a legend in the document's language.
//! Exhibits that went through the very same entries (sealed by the same person, then
//! released, accepted, opened together) share one figure. Each figure is kept on one page.

use super::blocks::Block;
use super::data::{Exhibit, LedgerData};
use crate::error::{Error, Result};
use crate::format::body::Body;
use crate::render::{Anchor, Face, Figure, Fonts, MarkShape, Paper, Shape};

/// A column of the time axis: one ledger entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Moment {
    /// Entry number.
    pub seq: u64,
    /// Its time, RFC 3339 UTC.
    pub time: String,
}

/// Something drawn on the timeline; `at` is a column, `lane` a custodian.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// Sealed by the custodian of `lane`.
    Seal { at: usize, lane: usize },
    /// Seal opened.
    Open { at: usize, lane: usize },
    /// Re-sealed, with the re-hash result.
    Reseal { at: usize, lane: usize, ok: bool },
    /// Disposed of (custody ends).
    Dispose { at: usize, lane: usize },
    /// Any other entry naming the exhibit (a note, a scan).
    Other { at: usize, lane: usize },
    /// Released at column `released` by `from` to `to`; accepted at a later column with the
    /// re-hash result, or not yet.
    Handover {
        from: usize,
        to: usize,
        released: usize,
        accepted: Option<(usize, bool)>,
    },
}

/// The custody path of one exhibit or group of exhibits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Track {
    /// The exhibits' ids, joined.
    pub title: String,
    /// Custodians' names, one lane each, in order of appearance.
    pub lanes: Vec<String>,
    /// The columns, in ledger (time) order.
    pub moments: Vec<Moment>,
    /// What happened.
    pub steps: Vec<Step>,
    /// The lane holding the exhibits before the first column (a continued figure).
    pub held_at_start: Option<usize>,
}

/// The legend's words, from `[timeline]` of `labels.toml`.
pub(crate) struct Legend {
    exhibit: String,
    exhibits: String,
    seal: String,
    open: String,
    reseal: String,
    dispose: String,
    other: String,
    handover: String,
    pending: String,
    held: String,
    matches: String,
    mismatch: String,
    axis: String,
}

impl Legend {
    /// The words `word(key)` gives for each key of `[timeline]`.
    pub(crate) fn of(word: impl Fn(&str) -> String) -> Self {
        let g = word;
        Self {
            exhibit: g("exhibit"),
            exhibits: g("exhibits"),
            seal: g("seal"),
            open: g("open"),
            reseal: g("reseal"),
            dispose: g("dispose"),
            other: g("other"),
            handover: g("handover"),
            pending: g("pending"),
            held: g("held"),
            matches: g("match"),
            mismatch: g("mismatch"),
            axis: g("axis"),
        }
    }
}

/// The exhibits' groups: those whose entries after the seal are the very same (and sealed
/// by the same person) share a figure. In order of the first exhibit of each group.
fn groups<'a>(exhibits: &[&'a Exhibit]) -> Vec<Vec<&'a Exhibit>> {
    let key = |x: &Exhibit| {
        (
            x.sealed_by.clone(),
            x.events
                .iter()
                .filter(|e| e.kind != "seal")
                .map(|e| e.seq)
                .collect::<Vec<_>>(),
        )
    };
    let mut out: Vec<(_, Vec<&Exhibit>)> = Vec::new();
    for x in exhibits {
        let k = key(x);
        match out.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(x),
            None => out.push((k, vec![x])),
        }
    }
    out.into_iter().map(|(_, v)| v).collect()
}

/// The track of a group of exhibits (same entries after their seals).
fn track(group: &[&Exhibit], data: &LedgerData, l: &Legend) -> Track {
    let mut lanes: Vec<String> = Vec::new();
    let mut lane = |name: &str| match lanes.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            lanes.push(name.to_string());
            lanes.len() - 1
        }
    };
    let mut events: Vec<&super::data::Event> = group.iter().flat_map(|x| &x.events).collect();
    events.sort_by_key(|e| e.seq);
    events.dedup_by_key(|e| e.seq);
    let moments: Vec<Moment> = events
        .iter()
        .map(|e| Moment {
            seq: e.seq,
            time: e.time.clone(),
        })
        .collect();
    let ids: Vec<&str> = group.iter().map(|x| x.id.as_str()).collect();
    let key_name = |id: &str| {
        data.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut steps = Vec::new();
    // open hand-overs: release seq -> index in steps
    let mut pending: Vec<(u64, usize)> = Vec::new();
    for (at, e) in events.iter().enumerate() {
        let me = lane(&e.by);
        match &e.body {
            Body::Seal(_) => steps.push(Step::Seal { at, lane: me }),
            Body::Release(r) => {
                let to = lane(&key_name(&r.to));
                pending.push((e.seq, steps.len()));
                steps.push(Step::Handover {
                    from: me,
                    to,
                    released: at,
                    accepted: None,
                });
            }
            Body::Accept(a) => {
                let ok = a
                    .received
                    .iter()
                    .filter(|r| ids.contains(&r.exhibit.as_str()))
                    .all(|r| r.matches);
                match pending.iter().position(|(seq, _)| *seq == a.release) {
                    Some(p) => {
                        let (_, i) = pending.remove(p);
                        if let Step::Handover { to, accepted, .. } = &mut steps[i] {
                            *to = me;
                            *accepted = Some((at, ok));
                        }
                    }
                    None => steps.push(Step::Other { at, lane: me }),
                }
            }
            Body::Open(_) => steps.push(Step::Open { at, lane: me }),
            Body::Reseal(r) => steps.push(Step::Reseal {
                at,
                lane: me,
                ok: r.recheck.matches,
            }),
            Body::Dispose(_) => steps.push(Step::Dispose { at, lane: me }),
            _ => steps.push(Step::Other { at, lane: me }),
        }
    }
    Track {
        title: format!(
            "{} {}",
            if ids.len() == 1 {
                &l.exhibit
            } else {
                &l.exhibits
            },
            ids.join(", ")
        ),
        // Each lane named as the custody tables name its custodian: the full name recorded
        // with the key, else the key's name.
        lanes: lanes
            .iter()
            .map(|n| {
                data.keys
                    .iter()
                    .find(|k| &k.name == n)
                    .and_then(|k| k.full_name.clone())
                    .unwrap_or_else(|| n.clone())
            })
            .collect(),
        moments,
        steps,
        held_at_start: None,
    }
}

/// Columns a figure shows before it continues in another: beyond that, marks crowd.
const MAX_COLS: usize = 18;
/// Columns a figure may reach to avoid cutting a hand-over in two.
const HARD_MAX_COLS: usize = 28;

/// Changes of custody, in column order: `(column, 0 = custody ends / 1 = begins, lane)`.
fn custody_changes(steps: &[Step]) -> Vec<(usize, u8, usize)> {
    let mut out = Vec::new();
    for st in steps {
        match st {
            Step::Seal { at, lane } => out.push((*at, 1, *lane)),
            Step::Dispose { at, lane } => out.push((*at, 0, *lane)),
            Step::Handover {
                from,
                to,
                released,
                accepted,
            } => {
                out.push((*released, 0, *from));
                if let Some((a, _)) = accepted {
                    out.push((*a, 1, *to));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

/// A long track as several figures of at most [`MAX_COLS`] columns, cut where no hand-over
/// is under way (up to [`HARD_MAX_COLS`] to find such a place); each part knows who held the
/// exhibits when it starts, and its title says "(1/2)".
fn split(t: Track) -> Vec<Track> {
    let n = t.moments.len();
    if n <= MAX_COLS {
        return vec![t];
    }
    let in_flight = |c: usize| {
        t.steps.iter().any(|s| {
            matches!(s, Step::Handover { released, accepted: Some((a, _)), .. }
                if *released < c && c <= *a)
        })
    };
    let mut cuts = vec![0];
    let mut start = 0;
    while n - start > MAX_COLS {
        let c = (start + 1..=start + MAX_COLS)
            .rev()
            .find(|&c| !in_flight(c))
            .or_else(|| {
                (start + MAX_COLS + 1..(start + HARD_MAX_COLS).min(n)).find(|&c| !in_flight(c))
            })
            .unwrap_or(start + MAX_COLS);
        cuts.push(c);
        start = c;
    }
    cuts.push(n);
    let changes = custody_changes(&t.steps);
    let parts = cuts.len() - 1;
    cuts.windows(2)
        .enumerate()
        .map(|(k, w)| {
            let (a, b) = (w[0], w[1]);
            let inside = |c: usize| (a..b).contains(&c);
            let mut held = None;
            for &(_, kind, lane) in changes.iter().filter(|c| c.0 < a) {
                if kind == 0 {
                    held = None;
                } else if held.is_none() {
                    held = Some(lane);
                }
            }
            let steps = t
                .steps
                .iter()
                .filter_map(|s| {
                    Some(match s.clone() {
                        Step::Handover {
                            from,
                            to,
                            released,
                            accepted,
                        } => Step::Handover {
                            from,
                            to,
                            released: inside(released).then(|| released - a)?,
                            accepted: accepted
                                .filter(|(c, _)| inside(*c))
                                .map(|(c, ok)| (c - a, ok)),
                        },
                        Step::Seal { at, lane } => Step::Seal {
                            at: inside(at).then(|| at - a)?,
                            lane,
                        },
                        Step::Open { at, lane } => Step::Open {
                            at: inside(at).then(|| at - a)?,
                            lane,
                        },
                        Step::Reseal { at, lane, ok } => Step::Reseal {
                            at: inside(at).then(|| at - a)?,
                            lane,
                            ok,
                        },
                        Step::Dispose { at, lane } => Step::Dispose {
                            at: inside(at).then(|| at - a)?,
                            lane,
                        },
                        Step::Other { at, lane } => Step::Other {
                            at: inside(at).then(|| at - a)?,
                            lane,
                        },
                    })
                })
                .collect();
            Track {
                title: format!("{} ({}/{parts})", t.title, k + 1),
                lanes: t.lanes.clone(),
                moments: t.moments[a..b].to_vec(),
                steps,
                held_at_start: held,
            }
        })
        .collect()
}

/// `::timeline [EXHIBIT]`: one figure per group of exhibits sharing a custody path.
pub(crate) fn timeline_blocks(
    data: &LedgerData,
    only: Option<&str>,
    legend: &Legend,
) -> Result<Vec<Block>> {
    let chosen: Vec<&Exhibit> =
        match only {
            Some(id) => vec![data.exhibits.iter().find(|x| x.id == id).ok_or_else(|| {
                Error::input(format!("template: ::timeline {id}: no such exhibit"))
            })?],
            None => data.exhibits.iter().collect(),
        };
    let mut fonts = Fonts::load().map_err(|e| Error::input(format!("fonts: {e}")))?;
    let mut out = Vec::new();
    for g in groups(&chosen) {
        for t in split(track(&g, data, legend)) {
            out.push(Block::Figure(draw(&t, legend, &mut fonts)));
        }
    }
    Ok(out)
}

const NAME_PT: f32 = 9.0;
const SMALL_PT: f32 = 8.0;
/// Height of a lane, and the least it is made to fit many custodians on one page.
const LANE_H: f32 = 24.0;
const LANE_MIN_H: f32 = 12.0;
/// Height the lanes may take together before they are made narrower.
const LANES_BUDGET: f32 = 440.0;
const ROW_H: f32 = 9.5;
const MARK: f32 = 7.0;
const BAR_GRAY: f32 = 0.6;

/// Text width, or a generous estimate for a character the fonts lack (the render reports it).
fn width(fonts: &mut Fonts, face: Face, text: &str, size: f32) -> f32 {
    fonts
        .width(face, text, size)
        .unwrap_or(text.chars().count() as f32 * size * 0.6)
}

/// `text` cut with "…" to fit `max` points.
fn fit(fonts: &mut Fonts, face: Face, text: &str, size: f32, max: f32) -> String {
    if width(fonts, face, text, size) <= max {
        return text.to_string();
    }
    let mut s: String = text.to_string();
    while !s.is_empty() && width(fonts, face, &format!("{s}\u{2026}"), size) > max {
        s.pop();
    }
    format!("{}\u{2026}", s.trim_end())
}

/// Places labels `(x_centre, width)` left to right on the first of `rows` rows where each
/// clears the previous one; `None` where none has room.
fn stagger(labels: &[(f32, f32)], rows: usize) -> Vec<Option<usize>> {
    let mut right = vec![f32::MIN; rows];
    labels
        .iter()
        .map(|(x, w)| {
            let r = (0..rows).find(|&r| x - w / 2.0 >= right[r] + 3.0)?;
            right[r] = x + w / 2.0;
            Some(r)
        })
        .collect()
}

/// The figure of a track, as wide as the narrower text block (A4's).
pub(crate) fn draw(t: &Track, l: &Legend, fonts: &mut Fonts) -> Figure {
    let w = Paper::A4
        .text_width()
        .min(Paper::Letter.text_width())
        .floor();
    let mut s: Vec<Shape> = Vec::new();
    let label = |at: (f32, f32), text: &str, face: Face, size: f32, anchor: Anchor| Shape::Label {
        at,
        text: text.to_string(),
        face,
        size,
        anchor,
    };
    s.push(label(
        (0.0, 10.0),
        &t.title,
        Face::SerifBold,
        NAME_PT,
        Anchor::Start,
    ));
    // lane names' column
    let name_w = t
        .lanes
        .iter()
        .map(|n| width(fonts, Face::Serif, n, NAME_PT))
        .fold(40.0f32, f32::max)
        .min(w * 0.3);
    let x0 = name_w + 10.0;
    let x1 = w - 8.0;
    let n = t.moments.len().max(1);
    let col = |i: usize| x0 + (i as f32 + 0.5) * (x1 - x0) / n as f32;
    // entry numbers above the lanes
    let nums: Vec<(f32, f32, String)> = t
        .moments
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = m.seq.to_string();
            (col(i), width(fonts, Face::Serif, &text, SMALL_PT), text)
        })
        .collect();
    let rows = stagger(
        &nums.iter().map(|(x, w, _)| (*x, *w)).collect::<Vec<_>>(),
        2,
    );
    let num_rows = rows.iter().flatten().max().map_or(1, |r| r + 1);
    let top = 16.0;
    for ((x, _, text), r) in nums.iter().zip(&rows) {
        if let Some(r) = r {
            s.push(label(
                (*x, top + ROW_H * (*r as f32 + 1.0)),
                text,
                Face::Serif,
                SMALL_PT,
                Anchor::Middle,
            ));
        }
    }
    let lanes_top = top + ROW_H * num_rows as f32 + 4.0;
    let lane_h = (LANES_BUDGET / t.lanes.len().max(1) as f32).clamp(LANE_MIN_H, LANE_H);
    let lane_y = |i: usize| lanes_top + lane_h * (i as f32 + 0.5);
    for (i, name) in t.lanes.iter().enumerate() {
        let y = lane_y(i);
        s.push(Shape::Line {
            from: (x0 - 4.0, y),
            to: (x1, y),
            width: 0.4,
            gray: 0.55,
            dash: Some(1.5),
        });
        let shown = fit(fonts, Face::Serif, name, NAME_PT, name_w);
        s.push(label(
            (0.0, y + 3.0),
            &shown,
            Face::Serif,
            NAME_PT,
            Anchor::Start,
        ));
    }
    let lanes_bottom = lanes_top + lane_h * t.lanes.len() as f32;
    // light guides at each column, then custody bars
    for i in 0..t.moments.len() {
        s.push(Shape::Line {
            from: (col(i), lanes_top),
            to: (col(i), lanes_bottom + 3.0),
            width: 0.3,
            gray: 0.8,
            dash: None,
        });
    }
    let bar = |lane: usize, from: f32, to: f32| Shape::Line {
        from: (from, lane_y(lane)),
        to: (to.max(from + 1.0), lane_y(lane)),
        width: 5.0,
        gray: BAR_GRAY,
        dash: None,
    };
    let mut holder: Option<(usize, f32)> = t.held_at_start.map(|h| (h, x0));
    let mut bars = Vec::new();
    let events = custody_changes(&t.steps);
    for (at, kind, lane) in events {
        if kind == 0 {
            if let Some((h, from)) = holder.take() {
                bars.push(bar(h, from, col(at)));
            }
        } else if holder.is_none() {
            holder = Some((lane, col(at)));
        }
    }
    if let Some((h, from)) = holder {
        bars.push(bar(h, from, x1));
    }
    s.extend(bars);
    // marks and arrows
    // the re-hash result by a sign, not a colour: "=", or "≠" boxed so it stands out
    let sign = |s: &mut Vec<Shape>, at: (f32, f32), ok: bool| {
        let text = if ok { "=" } else { "\u{2260}" };
        s.push(Shape::Rect {
            at: (at.0 - 2.0, at.1 - 10.0),
            w: 11.0,
            h: 12.5,
            gray: 1.0,
        });
        if !ok {
            s.push(Shape::Mark {
                at: (at.0 + 3.5, at.1 - 3.75),
                shape: MarkShape::OpenSquare,
                size: 11.0,
            });
        }
        s.push(label(
            (at.0 + 3.5, at.1),
            text,
            Face::SerifBold,
            11.0,
            Anchor::Middle,
        ));
    };
    let mut pending = false;
    for st in &t.steps {
        match st {
            Step::Seal { at, lane } => s.push(Shape::Mark {
                at: (col(*at), lane_y(*lane)),
                shape: MarkShape::FilledSquare,
                size: MARK,
            }),
            Step::Open { at, lane } => {
                s.push(Shape::Rect {
                    at: (col(*at) - MARK / 2.0, lane_y(*lane) - MARK / 2.0),
                    w: MARK,
                    h: MARK,
                    gray: 1.0,
                });
                s.push(Shape::Mark {
                    at: (col(*at), lane_y(*lane)),
                    shape: MarkShape::OpenSquare,
                    size: MARK,
                })
            }
            Step::Reseal { at, lane, ok } => {
                s.push(Shape::Mark {
                    at: (col(*at), lane_y(*lane)),
                    shape: MarkShape::FilledDiamond,
                    size: MARK,
                });
                sign(&mut s, (col(*at) + 6.0, lane_y(*lane) - 4.0), *ok);
            }
            Step::Dispose { at, lane } => s.push(Shape::Mark {
                at: (col(*at), lane_y(*lane)),
                shape: MarkShape::Cross,
                size: MARK,
            }),
            Step::Other { at, lane } => s.push(Shape::Mark {
                at: (col(*at), lane_y(*lane)),
                shape: MarkShape::OpenCircle,
                size: MARK - 1.0,
            }),
            Step::Handover {
                from,
                to,
                released,
                accepted,
            } => {
                let tail = (col(*released), lane_y(*from));
                match accepted {
                    Some((a, ok)) => {
                        let tip = (col(*a), lane_y(*to));
                        s.push(Shape::Arrow {
                            from: tail,
                            to: (tip.0, tip.1 + if to > from { -3.0 } else { 3.0 }),
                            width: 1.0,
                            head: 6.0,
                            dash: None,
                        });
                        sign(&mut s, (tip.0 + 5.0, tip.1 - 6.0), *ok);
                    }
                    None => {
                        pending = true;
                        s.push(Shape::Arrow {
                            from: tail,
                            to: (x1, lane_y(*to)),
                            width: 1.0,
                            head: 6.0,
                            dash: Some(2.5),
                        });
                    }
                }
            }
        }
    }
    // time axis: a tick per column, the date (ISO 8601) where it changes
    let axis = lanes_bottom + 4.0;
    s.push(Shape::Line {
        from: (x0, axis),
        to: (x1, axis),
        width: 0.6,
        gray: 0.0,
        dash: None,
    });
    let mut dates: Vec<(f32, f32, String)> = Vec::new();
    for (i, m) in t.moments.iter().enumerate() {
        s.push(Shape::Line {
            from: (col(i), axis),
            to: (col(i), axis + 3.0),
            width: 0.6,
            gray: 0.0,
            dash: None,
        });
        let d = m.time.get(..10).unwrap_or(&m.time).to_string();
        if dates.last().map(|(_, _, p)| p) != Some(&d) {
            let dw = width(fonts, Face::Serif, &d, SMALL_PT);
            dates.push((col(i), dw, d));
        }
    }
    let placed = stagger(
        &dates.iter().map(|(x, w, _)| (*x, *w)).collect::<Vec<_>>(),
        3,
    );
    let date_rows = placed.iter().flatten().max().map_or(0, |r| r + 1);
    for ((x, dw, d), r) in dates.iter().zip(&placed) {
        if let Some(r) = r {
            // keep a date inside the figure
            let x = x.clamp(dw / 2.0, w - dw / 2.0);
            s.push(label(
                (x, axis + 3.0 + ROW_H * (*r as f32 + 1.0)),
                d,
                Face::Serif,
                SMALL_PT,
                Anchor::Middle,
            ));
        }
    }
    // legend, flowing in rows: each key drawn, then its words
    let mut y = axis + 3.0 + ROW_H * date_rows as f32 + 14.0;
    let mut x = 0.0;
    let mut entries: Vec<(Key, String)> = vec![
        (Key::Bar, l.held.clone()),
        (Key::Mark(MarkShape::FilledSquare), l.seal.clone()),
        (Key::Mark(MarkShape::OpenSquare), l.open.clone()),
        (Key::Mark(MarkShape::FilledDiamond), l.reseal.clone()),
        (Key::Mark(MarkShape::Cross), l.dispose.clone()),
        (Key::Mark(MarkShape::OpenCircle), l.other.clone()),
        (Key::Arrow(false), l.handover.clone()),
    ];
    if pending {
        entries.push((Key::Arrow(true), l.pending.clone()));
    }
    entries.push((Key::Sign(true), l.matches.clone()));
    entries.push((Key::Sign(false), l.mismatch.clone()));
    for (key, text) in entries {
        let key_w = match key {
            Key::Bar => 16.0,
            Key::Mark(_) => 12.0,
            Key::Arrow(_) => 22.0,
            Key::Sign(_) => 15.0,
        };
        let tw = width(fonts, Face::Serif, &text, SMALL_PT);
        if x > 0.0 && x + key_w + tw > w {
            x = 0.0;
            y += 12.0;
        }
        match key {
            Key::Bar => s.push(Shape::Line {
                from: (x, y - 3.0),
                to: (x + 12.0, y - 3.0),
                width: 5.0,
                gray: BAR_GRAY,
                dash: None,
            }),
            Key::Mark(shape) => s.push(Shape::Mark {
                at: (x + 4.0, y - 3.0),
                shape,
                size: if shape == MarkShape::OpenCircle {
                    MARK - 1.0
                } else {
                    MARK
                },
            }),
            Key::Arrow(dashed) => s.push(Shape::Arrow {
                from: (x, y - 3.0),
                to: (x + 18.0, y - 3.0),
                width: 1.0,
                head: 6.0,
                dash: dashed.then_some(2.5),
            }),
            Key::Sign(ok) => sign(&mut s, (x + 1.0, y), ok),
        }
        s.push(label(
            (x + key_w, y),
            &text,
            Face::Serif,
            SMALL_PT,
            Anchor::Start,
        ));
        x += key_w + tw + 12.0;
    }
    y += 12.0;
    s.push(label(
        (0.0, y),
        &l.axis,
        Face::SerifItalic,
        SMALL_PT,
        Anchor::Start,
    ));
    Figure {
        width: w,
        height: y + 4.0,
        shapes: s,
    }
}

/// What a legend entry shows before its words.
#[derive(Clone, Copy)]
enum Key {
    /// The custody bar.
    Bar,
    /// A mark.
    Mark(MarkShape),
    /// A hand-over arrow, dashed when not yet accepted.
    Arrow(bool),
    /// The re-hash result's sign, as drawn at a hand-over's tip.
    Sign(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legend() -> Legend {
        let w = |s: &str| s.to_string();
        Legend {
            exhibit: w("Exhibit"),
            exhibits: w("Exhibits"),
            seal: w("sealed"),
            open: w("opened"),
            reseal: w("re-sealed"),
            dispose: w("disposed"),
            other: w("other"),
            handover: w("hand-over"),
            pending: w("pending"),
            held: w("held"),
            matches: w("same"),
            mismatch: w("differs"),
            axis: w("axis"),
        }
    }

    fn moment(seq: u64, day: u32) -> Moment {
        Moment {
            seq,
            time: format!("2025-03-{day:02}T10:00:00Z"),
        }
    }

    /// Alice seals (entry 1) and hands over to Bob (2 → 3, re-hash matches), who hands over to
    /// Carol (5 → 6, re-hash differs); Carol has not yet accepted a third release (7).
    fn track() -> Track {
        Track {
            title: "Exhibits E-0001, E-0002".into(),
            lanes: vec!["Alice".into(), "Bob".into(), "Carol".into()],
            moments: vec![
                moment(1, 1),
                moment(2, 2),
                moment(3, 2),
                moment(5, 4),
                moment(6, 5),
                moment(7, 6),
            ],
            steps: vec![
                Step::Seal { at: 0, lane: 0 },
                Step::Handover {
                    from: 0,
                    to: 1,
                    released: 1,
                    accepted: Some((2, true)),
                },
                Step::Handover {
                    from: 1,
                    to: 2,
                    released: 3,
                    accepted: Some((4, false)),
                },
                Step::Handover {
                    from: 2,
                    to: 0,
                    released: 5,
                    accepted: None,
                },
            ],
            held_at_start: None,
        }
    }

    fn labels(f: &Figure) -> Vec<(&str, (f32, f32), f32)> {
        f.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Label { text, at, size, .. } => Some((text.as_str(), *at, *size)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn arrows_go_from_the_releasers_lane_to_the_receivers_left_to_right_in_time() {
        let mut fonts = Fonts::load().unwrap();
        let f = draw(&track(), &legend(), &mut fonts);
        let ls = labels(&f);
        // each lane's name, its baseline just under the lane's line
        let lane_y = |name: &str| ls.iter().find(|(t, ..)| *t == name).unwrap().1 .1 - 3.0;
        let (a, b, c) = (lane_y("Alice"), lane_y("Bob"), lane_y("Carol"));
        assert!(a < b && b < c, "lanes top to bottom in order: {a} {b} {c}");
        type Arrow = ((f32, f32), (f32, f32), bool);
        let arrows: Vec<Arrow> = f
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Arrow { from, to, dash, .. } => Some((*from, *to, dash.is_some())),
                _ => None,
            })
            .collect();
        let near = |y: f32, lane: f32| (y - lane).abs() <= 3.5;
        // figure arrows first (the legend's come after the axis, lower down)
        let drawn: Vec<_> = arrows.iter().filter(|(f, ..)| f.1 <= c + 1.0).collect();
        assert_eq!(drawn.len(), 3, "{arrows:?}");
        let (f1, t1, d1) = drawn[0];
        assert!(
            near(f1.1, a) && near(t1.1, b) && !d1,
            "Alice → Bob: {drawn:?}"
        );
        let (f2, t2, d2) = drawn[1];
        assert!(
            near(f2.1, b) && near(t2.1, c) && !d2,
            "Bob → Carol: {drawn:?}"
        );
        let (f3, t3, d3) = drawn[2];
        assert!(
            near(f3.1, c) && near(t3.1, a) && *d3,
            "Carol → Alice, pending: {drawn:?}"
        );
        // time runs left to right: release before acceptance, one hand-over after the other
        assert!(f1.0 < t1.0 && t1.0 < f2.0 && f2.0 < t2.0 && t2.0 < f3.0 && f3.0 < t3.0);
        // the seal (entry 1) is left of the first release, in Alice's lane
        let seal = f
            .shapes
            .iter()
            .find_map(|s| match s {
                Shape::Mark {
                    at,
                    shape: MarkShape::FilledSquare,
                    ..
                } => Some(*at),
                _ => None,
            })
            .unwrap();
        assert!(seal.0 < f1.0 && near(seal.1, a), "{seal:?}");
        // the re-hash results by sign at each tip: "=" at Bob's, "≠" at Carol's
        let sign_at = |tip: (f32, f32)| {
            ls.iter()
                .filter(|(t, ..)| *t == "=" || *t == "\u{2260}")
                .min_by(|x, y| {
                    let d = |p: (f32, f32)| (p.0 - tip.0).abs() + (p.1 - tip.1).abs();
                    d(x.1).total_cmp(&d(y.1))
                })
                .map(|(t, ..)| *t)
        };
        assert_eq!(sign_at(*t1), Some("="));
        assert_eq!(sign_at(*t2), Some("\u{2260}"));
        // entry numbers left to right, dates in ISO 8601, legend words, nothing under 8 pt
        let xs: Vec<f32> = ["1", "2", "3", "5", "6", "7"]
            .iter()
            .map(|n| ls.iter().find(|(t, ..)| t == n).unwrap().1 .0)
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        for word in [
            "2025-03-01",
            "2025-03-02",
            "sealed",
            "hand-over",
            "pending",
            "same",
        ] {
            assert!(ls.iter().any(|(t, ..)| t.contains(word)), "{word}");
        }
        assert!(ls
            .iter()
            .all(|(.., s)| *s >= crate::render::layout::MIN_TEXT_PT));
        // the figure is as wide as the text block and fits on one page
        assert!(f.width <= Paper::A4.text_width());
        let doc = crate::render::Document {
            meta: crate::render::Metadata {
                title: "t".into(),
                author: String::new(),
                subject: String::new(),
                keywords: vec![],
                language: "en".into(),
                created: time::OffsetDateTime::UNIX_EPOCH,
            },
            blocks: vec![Block::Figure(f)],
        };
        let pages = crate::render::pages(&doc, &Default::default()).unwrap();
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn a_long_name_is_cut_to_its_column_and_the_lanes_keep_their_order() {
        let mut fonts = Fonts::load().unwrap();
        let mut t = track();
        t.lanes[1] = "Officier de police judiciaire Jean-Baptiste de La Fontaine-Dupont".into();
        let f = draw(&t, &legend(), &mut fonts);
        let ls = labels(&f);
        let cut = ls.iter().find(|(s, ..)| s.starts_with("Officier")).unwrap();
        assert!(cut.0.ends_with('\u{2026}'), "{cut:?}");
        let w = fonts.width(Face::Serif, cut.0, NAME_PT).unwrap();
        let first_col = ls.iter().find(|(s, ..)| *s == "1").unwrap().1 .0;
        assert!(w < first_col, "{w} {first_col}");
    }

    /// A long custody path is drawn as several figures, cut where no hand-over is under way;
    /// the part after a hand-over starts with the receiver holding the exhibits.
    #[test]
    fn a_long_path_continues_in_another_figure_without_cutting_a_hand_over() {
        let mut t = track();
        // 40 columns: sealed by Alice, checked (notes) until a hand-over to Bob released at
        // column 17 and accepted at 19, across the first possible cut (18)
        t.moments = (0..40).map(|i| moment(i + 1, 1 + i as u32 / 2)).collect();
        t.steps = vec![Step::Seal { at: 0, lane: 0 }];
        t.steps
            .extend((1..17).map(|at| Step::Other { at, lane: 0 }));
        t.steps.push(Step::Handover {
            from: 0,
            to: 1,
            released: 17,
            accepted: Some((19, true)),
        });
        t.steps
            .extend((20..40).map(|at| Step::Other { at, lane: 1 }));
        let parts = split(t);
        assert!(parts.len() >= 3, "{}", parts.len());
        let cols: Vec<usize> = parts.iter().map(|p| p.moments.len()).collect();
        assert_eq!(cols.iter().sum::<usize>(), 40);
        assert!(cols.iter().all(|c| *c <= MAX_COLS), "{cols:?}");
        // the hand-over is whole in the first part: cut before its release
        let whole = parts.iter().find_map(|p| {
            p.steps.iter().find_map(|s| match s {
                Step::Handover {
                    released,
                    accepted: Some((a, true)),
                    ..
                } => Some((p.title.clone(), p.moments[*released].seq, p.moments[*a].seq)),
                _ => None,
            })
        });
        let (title, released, accepted) = whole.expect("the hand-over is drawn whole");
        assert_eq!((released, accepted), (18, 20));
        assert!(title.ends_with(&format!("/{})", parts.len())), "{title}");
        assert_eq!(parts[0].held_at_start, None);
        assert_eq!(
            parts[1].held_at_start,
            Some(0),
            "Alice holds it after part 1"
        );
        assert_eq!(parts.last().unwrap().held_at_start, Some(1), "then Bob");
        let mut fonts = Fonts::load().unwrap();
        for p in &parts {
            let f = draw(p, &legend(), &mut fonts);
            assert!(labels(&f).iter().any(|(t, ..)| t.ends_with(')')));
        }
    }

    /// Many custodians: the lanes get narrower so that the figure still fits on a page.
    #[test]
    fn many_custodians_still_fit_on_one_page() {
        let mut fonts = Fonts::load().unwrap();
        let mut t = track();
        t.lanes = (0..30).map(|i| format!("Custodian {i}")).collect();
        t.steps.push(Step::Other { at: 5, lane: 29 });
        let f = draw(&t, &legend(), &mut fonts);
        let (_, page_h) = Paper::Letter.size_pt();
        let avail =
            page_h - crate::render::layout::MARGIN_TOP - crate::render::layout::MARGIN_BOTTOM;
        assert!(f.height <= avail, "{} > {avail}", f.height);
    }
}
