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
