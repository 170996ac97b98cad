//! Court documents from the ledger: the expert report (US, French or Spanish sections), the
//! FRE 902(14) certificate, the seal traceability table (French CPP art. 163), the
//! chain-of-custody record, in English, French or Spanish. Templates hold every fixed word (`template`); the
//! ledger fills in the rest (`data`); `directives` generate the tables; the result is a list
//! of [`blocks::Block`] (the layout engine's) for `pdf`.

pub mod bates;
pub mod blocks;
pub(crate) mod builtin;
pub mod data;
pub(crate) mod directives;
pub mod input;
pub(crate) mod locale;
pub mod markup;
pub mod pdf;
pub mod requirements;
pub(crate) mod template;
pub(crate) mod timeline;

use crate::error::{Error, Result};
pub use crate::format::document::DocumentKind;
use crate::format::lang::{Jurisdiction, Lang};
use blocks::Block;
use data::LedgerData;
use directives::Labels;
use markup::Markup;
use minijinja::Value;
pub use template::TemplateSource;

/// What a document is built from.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Which document.
    pub kind: DocumentKind,
    /// The language of the document.
    pub lang: Lang,
    /// The jurisdiction whose sections to follow (default: the case's).
    pub jurisdiction: Option<Jurisdiction>,
    /// Only these exhibits (default: all).
    pub exhibits: Vec<String>,
    /// The expert's narrative and parameters (TOML).
    pub input: Option<toml::Value>,
    /// Templates.
    pub templates: TemplateSource,
    /// Other cases to correlate IOC findings with (the expert report's correlation annex).
    pub correlate: Vec<std::path::PathBuf>,
}

/// A built document, ready for layout.
#[derive(Debug, Clone)]
pub struct BuiltDocument {
    /// Its title (first heading).
    pub title: String,
    /// The blocks.
    pub blocks: Vec<Block>,
    /// The "Page X of Y" pattern of the language (`{page}`, `{pages}`).
    pub page_format: String,
    /// Language tag for the PDF metadata (`en-US`, `fr-FR`, `es-ES`).
    pub lang_tag: String,
    /// Date of the document: the last ledger entry's time (RFC 3339).
    pub as_of: String,
    /// The exhibits it covers.
    pub exhibits: Vec<String>,
    /// The jurisdiction whose sections it follows.
    pub jurisdiction: Jurisdiction,
    /// The case, for the PDF metadata and the footer.
    pub case_title: String,
    /// The case number.
    pub case_id: String,
    /// The document's reference ([`report_id`], which begins with the case number), in the
    /// footer of every page: UNE 197001 asks that every page identify the report.
    pub reference: String,
    /// The author (the expert's name from the input, else the case's administrator).
    pub author: String,
    /// The document kind.
    pub kind: DocumentKind,
    /// Whether the rendered text still holds the language's placeholder (a field the template
    /// needs was not given): such a document is a draft, never written by `scelle report`.
    pub unfinished: bool,
}

/// Merges `b` into `a` (tables recursively, `b` wins).
/// The exhibits (ids) of the document by how the copy compares with the original: `compared`
/// (the acquisition tool reported a hash of the source), `matching` (all of those equal the
/// sealed values), `mismatch` (one of those differs from the sealed value), `unchecked` (no source hash recorded). Templates state the FRE 902(14)
/// comparison from it.
fn source_hash_summary(data: &LedgerData) -> serde_json::Value {
    let (mut compared, mut matching, mut mismatch, mut unchecked) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for x in &data.exhibits {
        let checks = x
            .seal
            .acquisition
            .as_ref()
            .map(|q| q.source_hash_checks(&x.seal.artifact.hashes))
            .unwrap_or_default();
        if checks.is_empty() {
            unchecked.push(x.id.clone());
        } else {
            compared.push(x.id.clone());
            if checks.iter().all(|c| c.matches) {
                matching.push(x.id.clone());
            } else {
                mismatch.push(x.id.clone());
            }
        }
    }
    serde_json::json!({
        "compared": compared, "matching": matching, "mismatch": mismatch, "unchecked": unchecked,
    })
}

fn merge(a: &mut toml::Value, b: &toml::Value) {
    match (a, b) {
        (toml::Value::Table(x), toml::Value::Table(y)) => {
            for (k, v) in y {
                match x.get_mut(k) {
                    Some(old) => merge(old, v),
                    None => {
                        x.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (a, b) => *a = b.clone(),
    }
}

/// Parses the expert's report input (`report --input FILE`: TOML), named `origin` in messages,
/// and validates it against [`input::SCHEMA`] (unknown keys and wrong types are errors naming
/// the key and the line).
pub fn parse_input(text: &str, origin: &str) -> Result<toml::Value> {
    input::parse(text, origin)
}

/// Reads and parses the expert's input file (`report --input FILE.toml`).
pub fn read_input(path: &std::path::Path) -> Result<toml::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_input(&text, &path.display().to_string())
}

/// The document's reference: unique per case, document, language and ledger size, derived
/// from them alone (`DP 150/2022-IP-ES-0012`), so that the `report` entry that records the
/// document (its `document`, `lang` and `ledger_size`) also records its reference.
pub fn report_id(case_id: &str, kind: DocumentKind, lang: Lang, ledger_size: u64) -> String {
    let code = match kind {
        DocumentKind::ExpertReport => "IP",
        DocumentKind::Certificate => "CERT",
        DocumentKind::Seals => "SCEL",
        DocumentKind::Custody => "CC",
    };
    format!(
        "{case_id}-{code}-{}-{ledger_size:04}",
        lang.code().to_uppercase()
    )
}

/// The signature blocks of a document, one per person who signs it, each as its lines (name,
/// capacity, place and date; the rule above them is the signature line): the expert; for the
/// seals and custody records, each person present (`signatories.present`) and the officer
/// who attests them (`signatories.officer`: OPJ or greffier in France, letrado de la
/// Administración de Justicia in Spain). A US signature is the conformed `/s/ NAME`.
fn signers(
    input: &toml::Value,
    labels: &Labels,
    jurisdiction: Jurisdiction,
    kind: DocumentKind,
    as_of: &str,
    lang: Lang,
) -> Vec<Vec<String>> {
    let s = |section: &str, k: &str| {
        input
            .get(section)
            .and_then(|e| e.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .filter(|v| !v.trim().is_empty())
    };
    let date = crate::format::time::parse_utc(as_of)
        .map(|t| locale::long_date(t, lang))
        .unwrap_or_default();
    let name = s("expert", "name").unwrap_or_else(|| labels.get("signature", "name"));
    let place = s("expert", "place").unwrap_or_else(|| labels.get("signature", "place"));
    let mut expert = Vec::new();
    if jurisdiction == Jurisdiction::Us {
        expert.push(format!("/s/ {name}"));
    }
    expert.push(name);
    expert.extend(s("expert", "title"));
    expert.push(format!("{place}, {date}"));
    let mut out = vec![expert];
    if matches!(kind, DocumentKind::Seals | DocumentKind::Custody) {
        let present = input
            .get("signatories")
            .and_then(|t| t.get("present"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        // The others sign when they sign: their date is left for them to write (the
        // document's date is the expert's).
        let blank = labels.get("signature", "date_blank");
        for p in present {
            out.push(vec![p, labels.get("signature", "present"), blank.clone()]);
        }
        if let Some(officer) = s("signatories", "officer") {
            let role = s("signatories", "officer_role").unwrap_or_else(|| {
                labels.get("signature", &format!("officer_{}", jurisdiction.code()))
            });
            out.push(vec![officer, role, blank]);
        }
    }
    out
}

/// Builds a document from the gathered ledger data.
pub fn build(data: &LedgerData, req: &ReportRequest) -> Result<BuiltDocument> {
    let jurisdiction = match (req.jurisdiction, &data.case.jurisdiction) {
        (Some(j), _) => j,
        (None, Some(j)) => j.parse().map_err(|_| {
            Error::input(format!(
                "jurisdiction {j:?}: choose {}",
                Jurisdiction::choices()
            ))
        })?,
        (None, None) => Jurisdiction::Us,
    };
    let mut data = data.clone();
    if !req.exhibits.is_empty() {
        for id in &req.exhibits {
            if !data.exhibits.iter().any(|x| &x.id == id) {
                return Err(Error::input(format!(
                    "--exhibits: {id} is not an exhibit of this case"
                )));
            }
        }
        data.exhibits.retain(|x| req.exhibits.contains(&x.id));
    }
    let labels_value = req.templates.toml(&format!("{}/labels.toml", req.lang))?;
    let labels = Labels(labels_value.clone());
    let all_params = req.templates.toml("params.toml")?;
    let mut params = all_params
        .get(jurisdiction.code())
        .cloned()
        .unwrap_or(toml::Value::Table(Default::default()));
    let input = req
        .input
        .clone()
        .unwrap_or(toml::Value::Table(Default::default()));
    if let Some(p) = input.get("params") {
        merge(&mut params, p);
    }
    // A case opened without a court may name it in the input (`[case] court`).
    if data.case.court.is_none() {
        data.case.court = input
            .get("case")
            .and_then(|c| c.get("court"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
    }
    let context = Value::from_serialize(serde_json::json!({
        "lang": req.lang,
        "doc": req.kind.name(),
        "jurisdiction": jurisdiction,
        "case": data.case,
        "exhibits": data.exhibits,
        "keys": data.keys,
        "checkpoint": data.checkpoint,
        "verification": {
            "ok": data.verification.ok(),
            "errors": data.verification.errors(),
            "warnings": data.verification.warnings(),
            "entries": data.verification.entries,
            "root": data.verification.root,
            "witnesses": data.verification.witnesses,
            "timestamps": data.verification.timestamps,
        },
        "as_of": data.as_of,
        "report_id": report_id(&data.case.case_id, req.kind, req.lang, data.entries),
        "source_hashes": source_hash_summary(&data),
        "entries": data.entries,
        "scans": data.scans.len(),
        "ioc_matches": data.scans.iter().map(|s| s.scan.matches.len()).sum::<usize>(),
        "ioc_mentions": data.scans.iter().map(|s| s.scan.mentions.len()).sum::<usize>(),
        "correlation": data.correlation.as_ref().map(|c| serde_json::json!({
            "cases": c.cases.len(),
            "shared": c.shared.len(),
        })),
        "tool": { "name": "scelle", "version": crate::VERSION, "format": crate::format::entry::FORMAT_VERSION },
        "input": input,
        "params": params,
        "labels": labels_value,
    }));
    let text = template::render(&req.templates, req.lang, req.kind, context)?;
    let unfinished = labels_value
        .get("placeholder")
        .and_then(|p| p.as_str())
        .is_some_and(|p| text.contains(p));
    let signature = signers(
        &input,
        &labels,
        jurisdiction,
        req.kind,
        &data.as_of,
        req.lang,
    );
    let mut blocks = Vec::new();
    for m in markup::parse(&text) {
        match m {
            Markup::Heading(level, text) => blocks.push(Block::Heading { level, text }),
            Markup::Paragraph(runs) => blocks.push(Block::Paragraph { runs }),
            Markup::Bullet(runs) => blocks.push(blocks::bullet(runs)),
            Markup::KeyValue(kv) => blocks.extend(blocks::key_values(kv)),
            Markup::PageBreak => blocks.push(Block::PageBreak),
            Markup::Directive(name, arg) => blocks.extend(directives::expand(
                &name,
                arg.as_deref(),
                &data,
                &labels,
                req.lang,
                &signature,
            )?),
        }
    }
    blocks::typography(&mut blocks, req.lang);
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_else(|| req.kind.name().into());
    Ok(BuiltDocument {
        title,
        blocks,
        page_format: labels.get("page", "format"),
        lang_tag: locale::of(req.lang).tag.clone(),
        as_of: data.as_of.clone(),
        exhibits: data.exhibits.iter().map(|x| x.id.clone()).collect(),
        jurisdiction,
        case_title: data.case.title.clone(),
        case_id: data.case.case_id.clone(),
        reference: report_id(&data.case.case_id, req.kind, req.lang, data.entries),
        author: input
            .get("expert")
            .and_then(|e| e.get("name"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .or_else(|| data.keys.first().map(|k| k.name.clone()))
            .unwrap_or_default(),
        kind: req.kind,
        unfinished,
    })
}
