//! Renders a sample filing with an N-row exhibit table and prints how long `render` took.
//!
//! ```sh
//! cargo run --release --example render_sample -- OUT.pdf [ROWS] [a4|letter] [1b|3b]
//! ```
//!
//! Used by `benches/render.sh` (timing) and to look at the pages (`pdftoppm -png -r 60`).

use std::time::Instant;

use scelle::render::{
    self, AfRelationship, Align, Attachment, Bates, Block, Column, Document, Metadata, Paper, PdfA,
    RenderOptions, Run,
};
use sha2::{Digest, Sha256};
use time::macros::datetime;

fn sample(rows: usize) -> Document {
    let hash = |i: usize| {
        Sha256::digest(format!("exhibit {i}").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let mut blocks = vec![
        Block::Heading { level: 1, text: "Rapport d’expertise — scellés numériques".into() },
        Block::Paragraph {
            runs: vec![
                Run::regular("Nous, soussignée, "),
                Run::bold("Jeanne Martin"),
                Run::regular(", expert près la cour d’appel de Paris, certifions avoir reçu le 12 mars 2025 les scellés énumérés ci-dessous, "),
                Run::italic("intacts et non ouverts"),
                Run::regular(", et avoir calculé l’empreinte SHA-256 de chacun. « Ce rapport répond à la mission ordonnée » (art. 156 du code de procédure pénale, § 2). ¿Preguntas? ¡Ninguna! Señor Núñez, güero, acción."),
            ],
        },
        Block::Heading { level: 2, text: "1. Références de l’affaire".into() },
        Block::KeyValue {
            rows: vec![
                ("Juridiction".into(), "Tribunal judiciaire de Paris — 12e chambre correctionnelle".into()),
                ("N° de parquet".into(), "25/071/00042".into()),
                ("Empreinte du registre".into(), hash(0)),
            ],
            mono_values: false,
        },
        Block::Heading { level: 2, text: "2. Scellés".into() },
        Block::Paragraph { runs: vec![Run::regular("Chaque ligne donne le numéro du scellé, sa description, sa taille et son empreinte SHA-256 complète.")] },
        Block::Table {
            columns: vec![
                Column::text("Scellé", 0.1),
                Column::text("Description", 0.17),
                Column::text("Taille (octets)", 0.1).align(Align::Right),
                Column::mono("SHA-256", 0.63),
            ],
            rows: (1..=rows)
                .map(|i| {
                    vec![
                        format!("E-{i:04}"),
                        if i % 7 == 0 { format!("Extraction iPhone n° {i}, système de fichiers complet") } else { format!("Image disque {i}") },
                        format!("{}", 1_048_576 * i + 17),
                        hash(i),
                    ]
                })
                .collect(),
        },
        Block::Heading { level: 2, text: "3. Point de contrôle signé".into() },
        Block::Preformatted {
            text: format!(
                "scelle.example/case/25-071-00042\n{rows}\n{}\n\n— expert-jmartin 8x3vQ1rB0c3dIEn8f0YfN0sXqg8qj1a3bX2m7JrW4Jm1x5Qv2sYb0A9eFv1dQk3hZr7tUe6mN4pLw2xC9oS5gKj0iHh8=\n$ scelle -C affaire verify --rehash --json | python3 -m json.tool > verification-du-{}.json",
                hash(rows + 1),
                "2025-03-14"
            ),
        },
        Block::Heading { level: 3, text: "Conclusion".into() },
        Block::Paragraph { runs: vec![Run::regular("Les empreintes recalculées sont identiques à celles enregistrées lors de la mise sous scellés.")] },
        Block::SignatureBlock {
            lines: vec!["Jeanne Martin".into(), "Expert près la cour d’appel de Paris".into(), "Fait à Paris, le 14 mars 2025".into()],
        },
    ];
    blocks.insert(2, Block::Spacer);
    Document {
        meta: Metadata {
            title: "Rapport d’expertise — affaire 25/071/00042".into(),
            author: "Jeanne Martin".into(),
            subject: "Empreintes des scellés numériques".into(),
            keywords: vec!["scellés".into(), "SHA-256".into()],
            language: "fr-FR".into(),
            created: datetime!(2025-03-14 09:30 UTC),
        },
        blocks,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("render_sample.pdf");
    let rows: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let paper = if args.get(3).map(String::as_str) == Some("letter") {
        Paper::Letter
    } else {
        Paper::A4
    };
    let pdfa = if args.get(4).map(String::as_str) == Some("3b") {
        PdfA::A3b
    } else {
        PdfA::A1b
    };
    let doc = sample(rows);
    let attachments = if pdfa == PdfA::A3b {
        vec![Attachment {
            name: "ledger.jsonl".into(),
            bytes: b"{\"seq\":0}\n".to_vec(),
            mime: "application/jsonl".into(),
            relationship: AfRelationship::Source,
            description: "Registre des scellés".into(),
            modified: None,
        }]
    } else {
        Vec::new()
    };
    let opts = RenderOptions {
        paper,
        bates: Some(Bates {
            prefix: "SCL".into(),
            start: 1,
            digits: 7,
        }),
        pdfa,
        footer_left: "25/071/00042 — Rapport du 14 mars 2025".into(),
        page_format: "Page {page} sur {pages}".into(),
        attachments,
        ..RenderOptions::default()
    };
    let mut best = f64::MAX;
    let mut result = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = render::render(&doc, &opts)?;
        best = best.min(t.elapsed().as_secs_f64());
        result = Some(r);
    }
    let r = result.ok_or("no run")?;
    std::fs::write(out, &r.bytes)?;
    println!(
        "rows={rows} pages={} bytes={} bates={}..{} render_best_of_5={:.3}s",
        r.pages,
        r.bytes.len(),
        r.bates_first.unwrap_or_default(),
        r.bates_last.unwrap_or_default(),
        best
    );
    Ok(())
}
