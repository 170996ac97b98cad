//! The blocks scelle generates where a template writes `::name [argument]`, with the column
//! titles and words of the language's `labels.toml`.

use super::blocks::{bullet, key_values, Block, Column};
use super::data::{Event, Exhibit, LedgerData};
use crate::error::{Error, Result};
use crate::format::body::Body;
use crate::format::lang::Lang;

/// The labels of one language, read from `labels.toml`.
pub struct Labels(pub toml::Value);

impl Labels {
    /// `section.key`, or the key itself when missing (so a gap shows, never breaks).
    pub fn get(&self, section: &str, key: &str) -> String {
        self.find(section, key)
            .unwrap_or_else(|| format!("{section}.{key}"))
    }

    /// `section.key`, if the language has it.
    pub fn find(&self, section: &str, key: &str) -> Option<String> {
        self.0
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// A word the expert typed from a common vocabulary (`[item_types]`: "mobile phone",
    /// "laptop" ...; `[methods]`: "logical", "full-file-system" ...) in the document's
    /// language, also before a parenthesis ("logical (sysdiagnose)"); anything else as typed.
    pub fn vocabulary(&self, section: &str, typed: &str) -> String {
        let t = typed.trim();
        if let Some(w) = self.find(section, &t.to_lowercase()) {
            return w;
        }
        if let Some((head, rest)) = t.split_once(" (") {
            if let Some(w) = self.find(section, &head.to_lowercase()) {
                return format!("{w} ({rest}");
            }
        }
        typed.to_string()
    }
}

fn col(title: String, width: f32, mono: bool) -> Column {
    if mono {
        Column::mono(title, width)
    } else {
        Column::text(title, width)
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "\u{2014}".into())
}

/// A one-line description of a custody event.
pub fn event_text(e: &Event, l: &Labels, data: &LedgerData) -> String {
    let key_name = |id: &str| {
        data.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let template = l.get("events", &e.kind);
    let result = |ok: bool| l.get("events", if ok { "match" } else { "mismatch" });
    let filled = match &e.body {
        Body::Release(r) => template
            .replace("{to}", &key_name(&r.to))
            .replace("{purpose}", &r.purpose),
        Body::Accept(a) => {
            template.replace("{result}", &result(a.received.iter().all(|x| x.matches)))
        }
        Body::Open(o) => template.replace("{operations}", &o.operations),
        Body::Reseal(r) => template
            .replace("{seal}", &r.new_seal_no)
            .replace("{result}", &result(r.recheck.matches)),
        Body::Note(n) => template.replace("{text}", &n.text),
        Body::Dispose(d) => template
            .replace("{how}", &d.how)
            .replace("{authority}", &d.authority),
        // A scan re-hashes every exhibit first and refuses one that no longer matches its seal.
        Body::IocScan(s) => template
            .replace("{result}", &result(true))
            .replace("{matches}", &s.matches.len().to_string()),
        Body::CaseOpen(_)
        | Body::Seal(_)
        | Body::KeyEnrol(_)
        | Body::KeyRevoke(_)
        | Body::KeyRotate(_)
        | Body::Report(_)
        | Body::Export(_) => template,
    };
    filled
}

fn exhibits_table(data: &LedgerData, l: &Labels, lang: Lang) -> Block {
    Block::Table {
        columns: vec![
            col(l.get("exhibits", "exhibit"), 0.10, true),
            col(l.get("exhibits", "seal_no"), 0.17, false),
            col(l.get("exhibits", "description"), 0.43, false),
            col(l.get("exhibits", "kind"), 0.14, false),
            col(l.get("exhibits", "size"), 0.16, false),
        ],
        rows: data
            .exhibits
            .iter()
            .map(|x| {
                let a = &x.seal.artifact;
                let kind = match a.file_count {
                    Some(n) => format!(
                        "{} ({} {})",
                        l.get("kinds", &a.kind),
                        super::locale::number(n, lang),
                        l.get("kinds", "files")
                    ),
                    None => l.get("kinds", &a.kind),
                };
                vec![
                    x.id.clone(),
                    opt(&x.seal_no),
                    x.seal
                        .description
                        .clone()
                        .unwrap_or_else(|| a.path_given.clone()),
                    kind,
                    super::locale::number(a.size, lang),
                ]
            })
            .collect(),
    }
}

fn hashes_table(data: &LedgerData, l: &Labels) -> Block {
    let mut rows = Vec::new();
    for x in &data.exhibits {
        let h = &x.seal.artifact.hashes;
        let sha256_label = if x.seal.artifact.kind == "directory" {
            l.get("hashes", "manifest")
        } else {
            "SHA-256".into()
        };
        rows.push(vec![x.id.clone(), sha256_label, h.sha256.clone()]);
        if let Some(v) = &h.sha512 {
            rows.push(vec![x.id.clone(), "SHA-512".into(), v.clone()]);
        }
        if let Some(v) = &h.legacy_md5 {
            rows.push(vec![x.id.clone(), l.get("hashes", "md5"), v.clone()]);
        }
        if let Some(v) = &h.legacy_sha1 {
            rows.push(vec![x.id.clone(), l.get("hashes", "sha1"), v.clone()]);
        }
        // The acquisition tool's hashes of the original, each with its comparison to the
        // sealed value printed above it.
        for c in source_checks(x) {
            let label = l
                .get("source", "row")
                .replace("{algorithm}", c.algorithm)
                .replace("{result}", &source_result(l, c.matches));
            rows.push(vec![x.id.clone(), label, c.source]);
        }
    }
    Block::Table {
        columns: vec![
            col(l.get("hashes", "exhibit"), 0.10, true),
            col(l.get("hashes", "algorithm"), 0.17, false),
            col(l.get("hashes", "value"), 0.73, true),
        ],
        rows,
    }
}

fn source_checks(x: &Exhibit) -> Vec<crate::format::body::SourceHashCheck> {
    x.seal
        .acquisition
        .as_ref()
        .map(|q| q.source_hash_checks(&x.seal.artifact.hashes))
        .unwrap_or_default()
}

fn source_result(l: &Labels, matches: bool) -> String {
    l.get("source", if matches { "match" } else { "mismatch" })
}

/// `::source-hashes`: for each exhibit, the copying (acquisition) tool and its version, the
/// date of the copy, and each hash of the original that tool reported against the copy's as
/// sealed, with MATCH or MISMATCH (FRE 902(14): the copy is authenticated by comparing hash
/// values). An exhibit without a source hash says so.
fn source_hash_blocks(data: &LedgerData, l: &Labels) -> Vec<Block> {
    let mut out = Vec::new();
    let missing = || l.get("source", "not_recorded");
    for x in &data.exhibits {
        let q = x.seal.acquisition.as_ref();
        let tool = q
            .and_then(|q| q.tool.as_ref())
            .map(|t| {
                let version = q.and_then(|q| q.tool_version.clone());
                format!(
                    "{t} {}",
                    version.unwrap_or_else(|| l.get("source", "no_version"))
                )
            })
            .unwrap_or_else(missing);
        let date = q
            .and_then(|q| q.acquired_at.clone())
            .unwrap_or_else(missing);
        let mut rows = vec![
            (l.get("source", "tool"), tool, false),
            (l.get("source", "copied_at"), date, false),
        ];
        let checks = source_checks(x);
        if checks.is_empty() {
            rows.push((
                l.get("source", "comparison"),
                l.get("source", "none"),
                false,
            ));
        }
        for c in checks {
            let with = |key: &str| l.get("source", key).replace("{algorithm}", c.algorithm);
            rows.push((with("original"), c.source.clone(), true));
            rows.push((with("copy"), c.sealed.clone(), true));
            let text = l.get(
                "source",
                if c.matches {
                    "match_text"
                } else {
                    "mismatch_text"
                },
            );
            rows.push((
                with("result"),
                format!("{} \u{2014} {text}", source_result(l, c.matches)),
                false,
            ));
        }
        out.push(Block::Heading {
            level: 3,
            text: format!("{} \u{2014} {}", x.id, opt(&x.seal_no)),
        });
        out.extend(key_values(rows));
    }
    out
}

fn custody_blocks(
    data: &LedgerData,
    only: Option<&str>,
    l: &Labels,
    lang: Lang,
) -> Result<Vec<Block>> {
    let chosen: Vec<&Exhibit> =
        match only {
            Some(id) => vec![data.exhibits.iter().find(|x| x.id == id).ok_or_else(|| {
                Error::input(format!("template: ::custody {id}: no such exhibit"))
            })?],
            None => data.exhibits.iter().collect(),
        };
    let mut out = Vec::new();
    for x in chosen {
        out.push(Block::Heading {
            level: 3,
            text: format!(
                "{} \u{2014} {}",
                x.id,
                x.seal
                    .description
                    .clone()
                    .unwrap_or_else(|| x.seal.artifact.path_given.clone())
            ),
        });
        let rows = x
            .events
            .iter()
            .map(|e| {
                let t = crate::format::time::parse_utc(&e.time)
                    .map(|t| super::locale::short_datetime(t, lang))
                    .unwrap_or_else(|| e.time.clone());
                vec![
                    e.seq.to_string(),
                    t,
                    event_text(e, l, data),
                    format!(
                        "{}{}",
                        e.by,
                        e.by_role
                            .as_ref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    ),
                    format!("{} \u{2014} {}", e.holder, l.get("states", &e.state)),
                ]
            })
            .collect();
        out.push(Block::Table {
            columns: vec![
                col(l.get("custody", "entry"), 0.08, false),
                col(l.get("custody", "time"), 0.20, false),
                col(l.get("custody", "event"), 0.38, false),
                col(l.get("custody", "by"), 0.16, false),
                col(l.get("custody", "holder"), 0.18, false),
            ],
            rows,
        });
    }
    Ok(out)
}

fn acquisition_blocks(data: &LedgerData, only: Option<&str>, l: &Labels, lang: Lang) -> Vec<Block> {
    let mut out = Vec::new();
    for x in data
        .exhibits
        .iter()
        .filter(|x| only.is_none_or(|id| id == x.id))
    {
        let mut rows: Vec<(String, String, bool)> = Vec::new();
        let mut push = |k: &str, v: &Option<String>, mono: bool| {
            if let Some(v) = v {
                rows.push((l.get("acquisition", k), v.clone(), mono));
            }
        };
        let a = &x.seal.artifact;
        push("path", &Some(a.path_resolved.clone()), true);
        if let Some(i) = &x.seal.item {
            for (k, v) in [
                (
                    "item_type",
                    &i.item_type
                        .as_deref()
                        .map(|t| l.vocabulary("item_types", t)),
                ),
                ("make", &i.make),
                ("model", &i.model),
                ("serial", &i.serial),
                ("imei", &i.imei),
                (
                    "capacity",
                    &i.capacity
                        .as_deref()
                        .map(|c| super::locale::capacity(c, lang)),
                ),
                ("condition", &i.condition),
            ] {
                push(k, v, false);
            }
        }
        if let Some(q) = &x.seal.acquisition {
            for (k, v) in [
                (
                    "method",
                    &q.method.as_deref().map(|m| l.vocabulary("methods", m)),
                ),
                (
                    "tool",
                    &q.tool.as_ref().map(|t| {
                        format!("{t} {}", q.tool_version.clone().unwrap_or_default())
                            .trim()
                            .to_string()
                    }),
                ),
                ("write_blocker", &q.write_blocker),
                (
                    "operator",
                    &q.operator.as_ref().map(|o| {
                        let extra: Vec<String> = [&q.operator_role, &q.organisation]
                            .into_iter()
                            .flatten()
                            .cloned()
                            .collect();
                        if extra.is_empty() {
                            o.clone()
                        } else {
                            format!("{o} ({})", extra.join(", "))
                        }
                    }),
                ),
                (
                    "present",
                    &(!q.present.is_empty()).then(|| q.present.join("; ")),
                ),
                ("acquired_at", &q.acquired_at),
                ("clock", &q.clock),
                ("location", &q.location),
                ("authority", &q.authority),
                ("reason", &q.reason),
                ("changes", &q.changes),
                ("errors", &q.errors),
            ] {
                push(k, v, false);
            }
        }
        push(
            "sealed_by",
            &Some(format!("{} ({})", x.sealed_by, x.sealed_at)),
            false,
        );
        push(
            "hashed_by",
            &Some(format!(
                "{} {}",
                x.seal.hashed_by.name, x.seal.hashed_by.version
            )),
            false,
        );
        out.push(Block::Heading {
            level: 3,
            text: format!("{} \u{2014} {}", x.id, opt(&x.seal_no)),
        });
        out.extend(key_values(rows));
    }
    out
}

fn seals_table(data: &LedgerData, l: &Labels, lang: Lang) -> Block {
    let date = |t: &str| {
        crate::format::time::parse_utc(t)
            .map(|t| super::locale::short_datetime(t, lang))
            .unwrap_or_default()
    };
    Block::Table {
        columns: vec![
            col(l.get("seals", "seal_no"), 0.18, false),
            col(l.get("seals", "exhibit"), 0.10, true),
            col(l.get("seals", "placed"), 0.20, false),
            col(l.get("seals", "opened"), 0.20, false),
            col(l.get("seals", "remade"), 0.18, false),
            col(l.get("seals", "state"), 0.14, false),
        ],
        rows: data
            .exhibits
            .iter()
            .map(|x| {
                let opened: Vec<String> = x
                    .events
                    .iter()
                    .filter(|e| e.kind == "open")
                    .map(|e| date(&e.time))
                    .collect();
                let remade: Vec<String> = x
                    .events
                    .iter()
                    .filter(|e| e.kind == "reseal")
                    .filter_map(|e| e.seal_no.clone())
                    .collect();
                vec![
                    x.seal.seal_no.clone().unwrap_or_else(|| "\u{2014}".into()),
                    x.id.clone(),
                    date(&x.sealed_at),
                    if opened.is_empty() {
                        "\u{2014}".into()
                    } else {
                        opened.join(", ")
                    },
                    if remade.is_empty() {
                        "\u{2014}".into()
                    } else {
                        remade.join(", ")
                    },
                    l.get("states", &x.state),
                ]
            })
            .collect(),
    }
}

fn keys_table(data: &LedgerData, l: &Labels) -> Block {
    Block::Table {
        columns: vec![
            col(l.get("keys", "name"), 0.16, false),
            col(l.get("keys", "role"), 0.12, false),
            col(l.get("keys", "id"), 0.22, true),
            col(l.get("keys", "status"), 0.50, false),
        ],
        rows: data
            .keys
            .iter()
            .map(|k| {
                vec![
                    k.name.clone(),
                    opt(&k.role),
                    k.id.clone(),
                    match &k.revoked {
                        Some((at, why)) => l
                            .get("keys", "revoked")
                            .replace("{entry}", &at.to_string())
                            .replace("{reason}", why),
                        None => l
                            .get("keys", "active")
                            .replace("{entry}", &k.enrolled_at.to_string()),
                    },
                ]
            })
            .collect(),
    }
}

fn verification_block(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    let v = &data.verification;
    let mut rows = vec![
        (
            l.get("verification", "result"),
            l.get("verification", if v.ok() { "ok" } else { "failed" }),
            false,
        ),
        (
            l.get("verification", "entries"),
            super::locale::number(v.entries, lang),
            false,
        ),
        (
            l.get("verification", "exhibits"),
            super::locale::number(v.exhibits, lang),
            false,
        ),
        (
            l.get("verification", "checkpoints"),
            super::locale::number(v.checkpoints, lang),
            false,
        ),
        (l.get("verification", "root"), v.root.clone(), true),
        (
            l.get("verification", "errors"),
            v.errors().to_string(),
            false,
        ),
        (
            l.get("verification", "warnings"),
            v.warnings().to_string(),
            false,
        ),
    ];
    for w in &v.witnesses {
        rows.push((
            l.get("verification", "witness"),
            l.get("verification", "witnessed")
                .replace("{name}", &w.name)
                .replace("{size}", &w.size.to_string()),
            false,
        ));
    }
    let mut out = key_values(rows);
    for f in &v.findings {
        out.push(bullet(vec![super::markup::Run {
            style: super::markup::Style::Regular,
            text: finding_text(f, l),
        }]));
    }
    out
}

/// A verification finding in the document's language: its severity, where (entry, exhibit,
/// file), the sentence of its code (`[verify_codes]`) and the code itself; a code without a
/// sentence in this language keeps verify's English sentence.
fn finding_text(f: &crate::format::chain::Finding, l: &Labels) -> String {
    let Some(sentence) = l.find("verify_codes", &f.code) else {
        return f.describe();
    };
    let mut who = Vec::new();
    if let Some(e) = f.entry {
        who.push(
            l.get("verification", "at_entry")
                .replace("{entry}", &e.to_string()),
        );
    }
    if let Some(x) = &f.exhibit {
        who.push(l.get("verification", "at_exhibit").replace("{exhibit}", x));
    }
    if let Some(file) = &f.file {
        who.push(file.clone());
    }
    let sev = l.get(
        "verification",
        match f.severity {
            crate::format::chain::Severity::Error => "error",
            crate::format::chain::Severity::Warning => "warning",
        },
    );
    let mut text = format!("{sev} [{}]", f.code);
    if !who.is_empty() {
        text.push_str(&format!(" {}", who.join(", ")));
    }
    text.push_str(&l.get("verification", "colon"));
    text.push_str(&sentence);
    text
}

fn commands(data: &LedgerData, l: &Labels) -> Block {
    let c = |k: &str| l.get("commands", k);
    let mut lines = vec![format!("# 1. {}", c("rehash"))];
    for x in &data.exhibits {
        if x.seal.artifact.kind != "directory" {
            lines.push(format!(
                "echo '{}  {}' | sha256sum -c",
                x.seal.artifact.hashes.sha256, x.seal.artifact.path_resolved
            ));
        }
    }
    let (case_dir, checkpoint) = (c("case_dir"), c("checkpoint_file"));
    lines.extend([
        format!("# 2. {}", c("ledger")),
        format!("python3 verify_case.py {case_dir}"),
        format!("# 3. {}", c("verify")),
        format!("scelle -C {case_dir} verify --rehash"),
        format!("# 4. {}", c("consistency")),
        format!("scelle -C {case_dir} consistency {checkpoint}"),
    ]);
    Block::Preformatted {
        text: lines.join("\n"),
    }
}

fn para(text: String) -> Block {
    Block::Paragraph {
        runs: vec![super::markup::Run {
            style: super::markup::Style::Regular,
            text,
        }],
    }
}

fn date_time(t: &str, lang: Lang) -> String {
    crate::format::time::parse_utc(t)
        .map(|t| super::locale::short_datetime(t, lang))
        .unwrap_or_else(|| t.to_string())
}

/// Why indicators were not used, as the scan recorded it (src/format/stix.rs, in English), in
/// the document's language (`[skip_reasons]`, `{0}` `{1}` `{2}` for the quoted parts); a
/// reason not listed is printed as recorded.
fn skip_reason(reason: &str, l: &Labels) -> String {
    const RECORDED: &[(&str, &str)] = &[
        ("revoked", "revoked"),
        ("pattern_type", "pattern_type {} is not \"stix\""),
        ("not_one_equality", crate::format::stix::NOT_ONE_EQUALITY),
        (
            "object_path",
            "object path {} is not one scelle (or MVT) matches",
        ),
        ("empty", "empty value"),
        ("nul", "value contains a NUL character"),
        ("domain", "domain {} is not a domain name"),
        (
            "ipv4",
            "{} is not an IPv4 address (CIDR ranges are not matched)",
        ),
        ("email", "{} is not an e-mail address"),
        ("digest", "{} is not a {} digest ({} hex digits)"),
    ];
    for (key, pattern) in RECORDED {
        let Some(parts) = fill_back(pattern, reason) else {
            continue;
        };
        let Some(mut text) = l.find("skip_reasons", key) else {
            break;
        };
        for (i, p) in parts.iter().enumerate() {
            text = text.replace(&format!("{{{i}}}"), p);
        }
        return text;
    }
    reason.to_string()
}

/// The parts of `text` that stand where `pattern` has `{}`, if `text` follows the pattern.
fn fill_back(pattern: &str, text: &str) -> Option<Vec<String>> {
    let literal: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(literal[0])?;
    let mut parts = Vec::new();
    for (i, lit) in literal.iter().enumerate().skip(1) {
        let at = if i == literal.len() - 1 {
            rest.strip_suffix(lit)?.len()
        } else {
            rest.find(lit)?
        };
        parts.push(rest[..at].to_string());
        rest = &rest[at + lit.len()..];
    }
    (literal.len() > 1 || rest.is_empty()).then_some(parts)
}

/// Every recorded IOC scan: the IOC files (pinned by SHA-256, with what was not used and
/// why), then a table of the matches.
fn findings_blocks(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    if data.scans.is_empty() {
        return vec![para(l.get("findings", "none"))];
    }
    let mut out = Vec::new();
    for sd in &data.scans {
        let s = &sd.scan;
        out.push(para(
            l.get("findings", "scan")
                .replace("{seq}", &sd.seq.to_string())
                .replace("{time}", &date_time(&sd.time, lang))
                .replace("{by}", &sd.by)
                .replace(
                    "{exhibits}",
                    &s.exhibits
                        .iter()
                        .map(|e| e.exhibit.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
        ));
        let mut rows = Vec::new();
        for f in &s.ioc_files {
            rows.push((l.get("findings", "ioc_file"), f.file.clone(), false));
            rows.push(("SHA-256".to_string(), f.sha256.clone(), true));
            rows.push((
                l.get("findings", "indicators"),
                l.get("findings", "used")
                    .replace("{used}", &super::locale::number(f.used, lang))
                    .replace("{total}", &super::locale::number(f.indicator_objects, lang))
                    .replace("{names}", &f.names.join(", ")),
                false,
            ));
            for k in &f.skipped {
                rows.push((
                    l.get("findings", "skipped"),
                    format!(
                        "{}: {}",
                        super::locale::number(k.count, lang),
                        skip_reason(&k.reason, l)
                    ),
                    false,
                ));
            }
        }
        out.extend(key_values(rows));
        if s.matches.is_empty() {
            out.push(para(l.get("findings", "no_match")));
            continue;
        }
        out.push(Block::Table {
            columns: vec![
                col(l.get("findings", "exhibit"), 0.09, true),
                col(l.get("findings", "indicator"), 0.25, false),
                col(l.get("findings", "indicates"), 0.11, false),
                col(l.get("findings", "place"), 0.30, true),
                col(l.get("findings", "found"), 0.25, true),
            ],
            rows: s
                .matches
                .iter()
                .map(|m| {
                    let mut place = m.member.clone().unwrap_or_default();
                    if let Some(off) = m.offset {
                        if !place.is_empty() {
                            place.push_str(", ");
                        }
                        place.push_str(
                            &l.get("findings", "at_byte")
                                .replace("{offset}", &off.to_string()),
                        );
                    }
                    if m.occurrences > 1 {
                        place.push_str(&format!(
                            " ({})",
                            l.get("findings", "occurrences")
                                .replace("{n}", &super::locale::number(m.occurrences, lang))
                        ));
                    }
                    let found = match &m.excerpt {
                        Some(x) => format!("{} \u{2014} \u{ab}{x}\u{bb}", m.matched),
                        None => format!("{} ({})", m.matched, l.get("findings", &m.on)),
                    };
                    vec![
                        m.exhibit.clone(),
                        format!("{} {}", m.kind, m.value),
                        if m.indicates.is_empty() {
                            "\u{2014}".into()
                        } else {
                            m.indicates.join(", ")
                        },
                        place,
                        found,
                    ]
                })
                .collect(),
        });
    }
    out
}

/// The correlation annex: the cases compared (pinned by their Merkle roots), then every
/// indicator matched in more than one of them, with where.
fn correlation_blocks(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    let Some(c) = &data.correlation else {
        return vec![para(l.get("correlation", "not_asked"))];
    };
    let mut out = vec![Block::Table {
        columns: vec![
            col(l.get("correlation", "case"), 0.20, false),
            col(l.get("correlation", "title"), 0.30, false),
            col(l.get("correlation", "entries"), 0.10, false),
            col(l.get("correlation", "root"), 0.40, true),
        ],
        rows: c
            .cases
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    format!("{}. {}", i + 1, s.case_id),
                    s.title.clone(),
                    super::locale::number(s.entries, lang),
                    s.root.clone(),
                ]
            })
            .collect(),
    }];
    if c.shared.is_empty() {
        out.push(para(l.get("correlation", "none")));
        return out;
    }
    let mut rows = Vec::new();
    for sh in &c.shared {
        for m in &sh.matches {
            rows.push(vec![
                sh.kind.clone(),
                sh.value.clone(),
                if sh.indicates.is_empty() {
                    "\u{2014}".into()
                } else {
                    sh.indicates.join(", ")
                },
                format!(
                    "{}. {} {}{} ({}, {} {}): {}",
                    m.case + 1,
                    c.cases[m.case].case_id,
                    m.exhibit,
                    m.member
                        .as_ref()
                        .map(|x| format!(" {x}"))
                        .unwrap_or_default(),
                    l.get("findings", &m.on),
                    l.get("correlation", "entry"),
                    m.entry,
                    m.matched
                ),
            ]);
        }
    }
    out.push(Block::Table {
        columns: vec![
            col(l.get("correlation", "kind"), 0.20, false),
            col(l.get("correlation", "value"), 0.20, true),
            col(l.get("correlation", "indicates"), 0.11, false),
            col(l.get("correlation", "where"), 0.49, true),
        ],
        rows,
    });
    out
}

/// Expands one directive.
pub fn expand(
    name: &str,
    arg: Option<&str>,
    data: &LedgerData,
    l: &Labels,
    lang: Lang,
    signature: &[String],
) -> Result<Vec<Block>> {
    Ok(match name {
        "exhibits" => vec![exhibits_table(data, l, lang)],
        "hashes" => vec![hashes_table(data, l)],
        "source-hashes" => source_hash_blocks(data, l),
        "custody" => custody_blocks(data, arg, l, lang)?,
        "acquisition" => acquisition_blocks(data, arg, l, lang),
        "seals" => vec![seals_table(data, l, lang)],
        "keys" => vec![keys_table(data, l)],
        "verification" => verification_block(data, l, lang),
        "checkpoint" => vec![Block::Preformatted {
            text: data.checkpoint.text.trim_end().to_string(),
        }],
        "commands" => vec![commands(data, l)],
        "findings" => findings_blocks(data, l, lang),
        "correlation" => correlation_blocks(data, l, lang),
        "contents" => vec![Block::Contents {
            depth: match arg {
                None => 2,
                Some(d) => d
                    .parse()
                    .ok()
                    .filter(|d| (1..=3).contains(d))
                    .ok_or_else(|| {
                        Error::input(format!(
                            "template: ::contents {d}: the depth must be 1, 2 or 3"
                        ))
                    })?,
            },
        }],
        "signature" => vec![Block::SignatureBlock {
            lines: signature.to_vec(),
        }],
        other => {
            return Err(Error::input(format!(
                "template: unknown directive ::{other}"
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::format::body::Body;
    use crate::format::lang::Lang;

    /// Kinds without a timeline sentence: `report` and `export` never reach a timeline (their
    /// `exhibits()` is empty: they describe exhibits without acting on them). A new kind must
    /// not join this list.
    const WITHOUT_SENTENCE: &[&str] = &["report", "export"];

    /// Every entry kind has its timeline sentence (`[events] KIND`) in every language, so a
    /// new kind cannot reach a document as a raw label key.
    #[test]
    fn every_kind_has_its_event_sentence_in_every_language() {
        for lang in Lang::ALL {
            let rel = format!("{lang}/labels.toml");
            let labels: toml::Value = crate::report::builtin::builtin(&rel)
                .expect("compiled in")
                .parse()
                .expect("labels parse");
            let events = labels.get("events").expect("an [events] table");
            for kind in Body::NAMES {
                let wanted = !WITHOUT_SENTENCE.contains(kind)
                    && !matches!(
                        *kind,
                        "case.open" | "key.enrol" | "key.revoke" | "key.rotate"
                    );
                assert_eq!(
                    events.get(*kind).is_some(),
                    wanted,
                    "templates/{rel} [events] {kind}"
                );
            }
        }
    }

    /// Every verify code of docs/FORMAT.md (section 11) has its sentence in French and Spanish
    /// (`[verify_codes]`), so a discrepancy never reaches a French or Spanish document in English.
    #[test]
    fn every_verify_code_has_its_sentence_in_french_and_spanish() {
        let spec = include_str!("../../docs/FORMAT.md");
        let table = spec
            .split("## 11. `verify --json` output")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("FORMAT.md section 11");
        let mut codes = Vec::new();
        for line in table.lines().filter(|l| l.starts_with("| `")) {
            let first = line.split('|').nth(1).unwrap_or_default();
            codes.extend(first.split('`').skip(1).step_by(2).map(str::to_string));
        }
        assert!(
            codes.len() > 30 && codes.iter().any(|c| c == "rehash-sha1"),
            "{codes:?}"
        );
        for lang in [Lang::Fr, Lang::Es] {
            let rel = format!("{lang}/labels.toml");
            let labels: toml::Value = crate::report::builtin::builtin(&rel)
                .expect("compiled in")
                .parse()
                .expect("labels parse");
            let l = super::Labels(labels);
            for code in &codes {
                assert!(
                    l.find("verify_codes", code).is_some(),
                    "templates/{rel} [verify_codes] {code}"
                );
            }
            let f = crate::format::chain::Finding::entry_error(7, "signature", "bad");
            let text = super::finding_text(&f, &l);
            assert!(text.contains("[signature]") && text.contains('7'), "{text}");
            assert!(!text.contains("bad"), "{text}");
        }
    }

    /// Every label of one language is in the others: a key only English has would print as
    /// `section.key` in French or Spanish, and the reverse. `[item_types]` and `[methods]` (words
    /// translated from English, so none in English) and `[verify_codes]` (English keeps verify's own
    /// sentences) are the exceptions.
    #[test]
    fn every_label_is_in_every_language() {
        let keys = |lang: Lang| {
            let rel = format!("{lang}/labels.toml");
            let labels: toml::Value = crate::report::builtin::builtin(&rel)
                .expect("compiled in")
                .parse()
                .expect("labels parse");
            let mut keys = std::collections::BTreeSet::new();
            for (section, v) in labels.as_table().expect("a table") {
                match v.as_table() {
                    Some(t)
                        if !matches!(
                            section.as_str(),
                            "item_types" | "methods" | "verify_codes" | "skip_reasons"
                        ) =>
                    {
                        keys.extend(t.keys().map(|k| format!("{section}.{k}")))
                    }
                    Some(_) => {}
                    None => {
                        keys.insert(section.clone());
                    }
                }
            }
            keys
        };
        let en = keys(Lang::En);
        assert!(en.contains("events.ioc.scan") && en.contains("commands.rehash"));
        for lang in [Lang::Fr, Lang::Es] {
            let other = keys(lang);
            assert_eq!(
                en.symmetric_difference(&other).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "en and {lang}"
            );
        }
    }

    /// The usual words the expert typed, in the document's language; the rest as typed.
    #[test]
    fn usual_words_are_translated_and_the_rest_kept() {
        let l = |lang: Lang| {
            let rel = format!("{lang}/labels.toml");
            super::Labels(
                crate::report::builtin::builtin(&rel)
                    .expect("compiled in")
                    .parse()
                    .expect("labels parse"),
            )
        };
        let (fr, es, en) = (l(Lang::Fr), l(Lang::Es), l(Lang::En));
        assert_eq!(
            fr.vocabulary("item_types", "Mobile phone"),
            "téléphone mobile"
        );
        assert_eq!(
            es.vocabulary("item_types", "mobile phone"),
            "teléfono móvil"
        );
        assert_eq!(en.vocabulary("item_types", "mobile phone"), "mobile phone");
        assert_eq!(
            fr.vocabulary("methods", "logical (sysdiagnose)"),
            "logique (sysdiagnose)"
        );
        assert_eq!(
            es.vocabulary("methods", "full-file-system"),
            "sistema de archivos completo"
        );
        assert_eq!(
            fr.vocabulary("methods", "Cellebrite UFED 4PC"),
            "Cellebrite UFED 4PC"
        );
    }

    /// Why indicators were not used, in French and Spanish, with the recorded values.
    #[test]
    fn skip_reasons_in_the_language() {
        let l = |lang: Lang| {
            let rel = format!("{lang}/labels.toml");
            super::Labels(
                crate::report::builtin::builtin(&rel)
                    .expect("compiled in")
                    .parse()
                    .expect("labels parse"),
            )
        };
        let (fr, es, en) = (l(Lang::Fr), l(Lang::Es), l(Lang::En));
        let digest = "\"abc\" is not a SHA-256 digest (64 hex digits)";
        assert_eq!(
            super::skip_reason(digest, &fr),
            "\"abc\" n'est pas une empreinte SHA-256 (64 chiffres hexadécimaux)"
        );
        assert_eq!(super::skip_reason(digest, &en), digest);
        assert_eq!(super::skip_reason("revoked", &es), "revocado");
        assert_eq!(
            super::skip_reason(crate::format::stix::NOT_ONE_EQUALITY, &fr),
            fr.get("skip_reasons", "not_one_equality")
        );
        assert_eq!(super::skip_reason("something new", &fr), "something new");
        assert_eq!(super::skip_reason("revoked twice", &fr), "revoked twice");
        for lang in [Lang::Fr, Lang::Es] {
            let t = l(lang);
            for key in [
                "revoked",
                "pattern_type",
                "not_one_equality",
                "object_path",
                "empty",
                "nul",
                "domain",
                "ipv4",
                "email",
                "digest",
            ] {
                assert!(t.find("skip_reasons", key).is_some(), "{lang} {key}");
            }
        }
    }
}
