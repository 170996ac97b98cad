//! Report blocks: what the layout engine receives ([`crate::render::Block`]), and the
//! shorthands for the report's bulleted paragraphs and label-value rows.

pub use crate::render::{Block, Column, Run};

/// A bulleted paragraph: "• " then `runs`.
pub fn bullet(runs: Vec<Run>) -> Block {
    let mut r = vec![Run::regular("\u{2022} ")];
    r.extend(runs);
    Block::Paragraph { runs: r }
}

/// Label-value rows, `true` for a monospace value: one block per run of rows of the same
/// style (the engine sets monospace per block).
pub fn key_values(rows: Vec<(String, String, bool)>) -> Vec<Block> {
    rows.chunk_by(|a, b| a.2 == b.2)
        .map(|group| Block::KeyValue {
            rows: group
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect(),
            mono_values: group[0].2,
        })
        .collect()
}

/// The language's typography on every text the serif fonts print (headings, paragraphs,
/// labels, cells, signature lines); monospace text (hashes, paths, commands, excerpts) is
/// kept byte for byte. French: a no-break space before « : ; ! ? » and inside guillemets.
pub fn typography(blocks: &mut [Block], lang: crate::format::lang::Lang) {
    let t = |s: &mut String| *s = super::locale::typography(s, lang);
    for b in blocks {
        match b {
            Block::Heading { text, .. } => t(text),
            Block::Paragraph { runs } => runs
                .iter_mut()
                .filter(|r| r.style != crate::render::Style::Mono)
                .for_each(|r| t(&mut r.text)),
            Block::KeyValue { rows, mono_values } => {
                for (k, v) in rows {
                    t(k);
                    if !*mono_values {
                        t(v);
                    }
                }
            }
            Block::Table { columns, rows } => {
                for c in columns.iter_mut() {
                    t(&mut c.title);
                }
                for row in rows {
                    for (cell, c) in row.iter_mut().zip(columns.iter()) {
                        if !c.mono {
                            t(cell);
                        }
                    }
                }
            }
            Block::SignatureBlock { lines } => lines.iter_mut().for_each(t),
            Block::Figure(f) => {
                for s in &mut f.shapes {
                    if let crate::render::Shape::Label { text, face, .. } = s {
                        if *face != crate::render::Face::Mono {
                            t(text);
                        }
                    }
                }
            }
            Block::Preformatted { .. } | Block::Spacer | Block::PageBreak => {}
            // its entries are the headings, already set
            Block::Contents { .. } => {}
        }
    }
}
