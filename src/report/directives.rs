//! The blocks scelle generates where a template writes `::name [argument]`, with the column
//! titles and words of the language's `labels.toml`.

use super::blocks::{bullet, key_values, Block, Column};
use super::data::{Event, Exhibit, LedgerData};
use crate::error::{Error, Result};
use crate::format::body::{Body, IocMatch};
use crate::format::lang::Lang;
use crate::format::time::Zone;

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

/// Values joined by ", ", `None` when there are none (a repeatable field of the record).
fn joined(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| values.join(", "))
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "\u{2014}".into())
}

/// The time zone the case's documents print times in (its `case.timezone`, else UTC).
fn zone(data: &LedgerData) -> Zone {
    Zone::of(data.case.timezone.as_deref())
}

/// A ledger time (UTC) in the case's zone with its offset: `2026-03-14 10:05:00 +01:00`.
fn stamp(t: &str, z: &Zone) -> String {
    crate::format::time::parse_utc(t)
        .map(|t| z.stamp(t))
        .unwrap_or_else(|| t.to_string())
}

/// The sentence saying which zone the times are in.
fn zone_note(z: &Zone, l: &Labels) -> String {
    match z {
        Zone::Named(name, _) => l.get("time", "zone").replace("{zone}", name),
        Zone::Utc => l.get("time", "utc"),
        Zone::Unknown(name) => l.get("time", "unknown").replace("{zone}", name),
    }
}

/// A duration in days, hours, minutes and seconds, the zero units left out: "2 d 3 h 5 s",
/// "1 d", "0 s".
fn duration(secs: i64, l: &Labels) -> String {
    let s = secs.unsigned_abs();
    let parts: Vec<String> = [
        (s / 86_400, "day"),
        (s / 3_600 % 24, "hour"),
        (s / 60 % 60, "minute"),
        (s % 60, "second"),
    ]
    .iter()
    .filter(|p| p.0 > 0)
    .map(|(n, unit)| format!("{n}\u{a0}{}", l.get("time", unit)))
    .collect();
    if parts.is_empty() {
        format!("0\u{a0}{}", l.get("time", "second"))
    } else {
        parts.join(" ")
    }
}

/// Above this gap between acquisition and sealing a document warns: 24 hours. An acquisition
/// is hashed and sealed where it is made or, at the latest, on return to the laboratory the
/// same day (ISO/IEC 27037 and UNE 71505 ask that the integrity of a copy be preserved from
/// its acquisition on); a copy left unsealed longer than a day has hours that no signed
/// record accounts for, which an opposing expert will ask about. The gap itself is always
/// printed, so a reader can judge a shorter one.
pub const SEAL_GAP_WARN_SECS: i64 = 24 * 3_600;

/// Two custody events of an exhibit this close (seconds) or closer: a hand-over, an opening
/// or a re-sealing signed within one second of the previous act is implausibly quick for
/// people handling a sealed item, and a reader must be told.
pub const QUICK_EVENT_SECS: i64 = 1;

/// The kinds that are acts of custody on an exhibit (a note or a scan is not).
const CUSTODY_KINDS: &[&str] = &["seal", "release", "accept", "open", "reseal", "dispose"];

/// The warnings a custody event carries: a seal long after (or before) its acquisition, an
/// act within [`QUICK_EVENT_SECS`] of the previous act on the exhibit.
fn event_warnings(x: &Exhibit, i: usize, l: &Labels) -> Vec<String> {
    let e = &x.events[i];
    let mut out = Vec::new();
    let at = |t: &str| crate::format::time::parse_utc(t);
    if let Body::Seal(s) = &e.body {
        let acquired = s
            .acquisition
            .as_ref()
            .and_then(|q| q.acquired_at.as_deref())
            .and_then(crate::format::time::parse_rfc3339);
        if let (Some(a), Some(sealed)) = (acquired, at(&e.time)) {
            let gap = (sealed - a).whole_seconds();
            if gap < 0 {
                out.push(
                    l.get("details", "seal_before_acquisition")
                        .replace("{gap}", &duration(gap, l)),
                );
            } else if gap > SEAL_GAP_WARN_SECS {
                out.push(
                    l.get("details", "late_seal")
                        .replace("{gap}", &duration(gap, l))
                        .replace("{limit}", &duration(SEAL_GAP_WARN_SECS, l)),
                );
            }
        }
    }
    if CUSTODY_KINDS.contains(&e.kind.as_str()) && e.kind != "seal" {
        let previous = x.events[..i]
            .iter()
            .rev()
            .find(|p| CUSTODY_KINDS.contains(&p.kind.as_str()));
        if let (Some(p), Some(now)) = (previous, at(&e.time)) {
            if let Some(then) = at(&p.time) {
                let gap = (now - then).whole_seconds();
                if (0..=QUICK_EVENT_SECS).contains(&gap) {
                    out.push(
                        l.get("details", "quick")
                            .replace("{gap}", &duration(gap, l))
                            .replace("{entry}", &p.seq.to_string()),
                    );
                }
            }
        }
    }
    out
}

/// What the ledger records of one custody event beyond its sentence, one "label: value" line
/// each, a missing value printed as such ("not recorded"), never left out: persons present,
/// seal condition, packaging, place, authority, re-hash, and for a seal the acquisition's
/// time (with the gap to the sealing), clock, errors and unavoidable changes.
fn event_details(e: &Event, x: &Exhibit, l: &Labels, z: &Zone) -> Vec<String> {
    let missing = l.get("details", "not_recorded");
    let line = |key: &str, v: Option<String>| {
        format!(
            "{}{}{}",
            l.get("details", key),
            l.get("verification", "colon"),
            v.filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| missing.clone())
        )
    };
    let people =
        |p: &[String]| (!p.is_empty()).then(|| p.join(&l.get("verification", "semicolon")));
    let recheck = |r: &crate::format::body::Recheck| {
        if r.matches {
            l.get("details", "recheck_match")
                .replace("{sha256}", &r.sha256)
        } else {
            // The differences (with full hashes) are listed below the table, full width.
            format!(
                "{} ({})",
                l.get("details", "recheck_mismatch"),
                l.get("details", "see_below")
            )
        }
    };
    match &e.body {
        Body::Seal(s) => {
            let q = s.acquisition.clone().unwrap_or_default();
            let acquired = q.acquired_at.as_ref().map(|a| {
                let Some(t) = crate::format::time::parse_rfc3339(a) else {
                    return a.clone();
                };
                let gap = crate::format::time::parse_utc(&e.time)
                    .map(|sealed| (sealed - t).whole_seconds());
                match gap {
                    Some(g) if g >= 0 => l
                        .get("details", "acquired_gap")
                        .replace("{time}", &z.stamp(t))
                        .replace("{gap}", &duration(g, l)),
                    _ => z.stamp(t),
                }
            });
            vec![
                line("acquired", acquired),
                line("clock", q.clock.clone()),
                line("present", people(&q.present)),
                line("location", q.location.clone()),
                line("authority", q.authority.clone()),
                line("errors", q.errors.clone()),
                line("changes", q.changes.clone()),
            ]
        }
        Body::Open(o) => vec![
            line("seal_no_before", o.seal_no.clone()),
            line("seal_before", o.seal_condition.clone()),
            line("present", people(&o.present)),
            line("location", o.location.clone()),
        ],
        Body::Reseal(r) => vec![
            line("new_seal", r.seal_condition.clone()),
            line("recheck", Some(recheck(&r.recheck))),
            line("present", people(&r.present)),
            line("location", r.location.clone()),
        ],
        Body::Release(r) => vec![
            line("seal_at_release", r.seal_condition.clone()),
            line("packaging", r.packaging.clone()),
            line("location", r.location.clone()),
            line("authority", r.authority.clone()),
        ],
        Body::Accept(a) => vec![
            line("seal_at_receipt", a.seal_condition.clone()),
            line(
                "recheck",
                a.received.iter().find(|r| r.exhibit == x.id).map(recheck),
            ),
            line("location", a.location.clone()),
        ],
        Body::Dispose(_)
        | Body::Note(_)
        | Body::IocScan(_)
        | Body::IocReview(_)
        | Body::CaseOpen(_)
        | Body::KeyEnrol(_)
        | Body::KeyRevoke(_)
        | Body::TsaAdd(_)
        | Body::KeyRotate(_)
        | Body::Report(_)
        | Body::Export(_) => vec![],
    }
}

/// An exhibit's heading: its id, seal number and description, a missing one said so.
fn exhibit_heading(x: &Exhibit, l: &Labels) -> String {
    let missing = l.get("details", "not_recorded");
    let desc = x
        .seal
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| {
            let p = &x.seal.artifact.path_given;
            if p.trim().is_empty() {
                l.get("details", "no_description")
            } else {
                p.clone()
            }
        });
    format!(
        "{} \u{2014} {} {} \u{2014} {desc}",
        x.id,
        l.get("exhibits", "seal_no"),
        x.seal_no
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(missing)
    )
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
        Body::IocReview(r) => template
            .replace("{id}", &r.id())
            .replace("{scan}", &r.scan.to_string())
            .replace("{decision}", &l.get("review", &r.decision))
            .replace("{reason}", &r.reason),
        Body::CaseOpen(_)
        | Body::Seal(_)
        | Body::KeyEnrol(_)
        | Body::KeyRevoke(_)
        | Body::TsaAdd(_)
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
                    // An EWF image: its segment files.
                    Some(n) if a.kind == "ewf" => l
                        .get("kinds", "ewf_segments")
                        .replace("{n}", &super::locale::number(n, lang)),
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
        // An EWF image's chunks that could not be read: its media digests cover zeros there.
        if let Some(e) = x
            .seal
            .artifact
            .ewf
            .as_ref()
            .filter(|e| e.bad_chunk_count > 0)
        {
            rows.push(vec![
                x.id.clone(),
                l.get("ewf", "bad_chunks"),
                l.get("ewf", "bad_chunks_value")
                    .replace("{count}", &e.bad_chunk_count.to_string()),
            ]);
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
            .and_then(|q| q.acquired_at.as_ref())
            .map(|a| {
                crate::format::time::parse_rfc3339(a)
                    .map(|t| zone(data).stamp(t))
                    .unwrap_or_else(|| a.clone())
            })
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
            text: exhibit_heading(x, l),
        });
        out.extend(key_values(rows));
    }
    out
}

fn custody_blocks(data: &LedgerData, only: Option<&str>, l: &Labels) -> Result<Vec<Block>> {
    let chosen: Vec<&Exhibit> =
        match only {
            Some(id) => vec![data.exhibits.iter().find(|x| x.id == id).ok_or_else(|| {
                Error::input(format!("template: ::custody {id}: no such exhibit"))
            })?],
            None => data.exhibits.iter().collect(),
        };
    let z = zone(data);
    let mut out = vec![para(zone_note(&z, l))];
    for x in chosen {
        out.push(Block::Heading {
            level: 3,
            text: exhibit_heading(x, l),
        });
        let mut warnings = Vec::new();
        let rows = x
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut cell = vec![event_text(e, l, data)];
                cell.extend(event_details(e, x, l, &z));
                for w in event_warnings(x, i, l) {
                    let w = format!(
                        "{}{}{w}",
                        l.get("details", "warning"),
                        l.get("verification", "colon")
                    );
                    warnings.push(format!(
                        "{}, {} \u{2014} {w}",
                        x.id,
                        l.get("verification", "at_entry")
                            .replace("{entry}", &e.seq.to_string())
                    ));
                    cell.push(w);
                }
                // A re-hash that failed: each recorded difference below the table.
                let failed = match &e.body {
                    Body::Reseal(r) => Some(&r.recheck),
                    Body::Accept(a) => a.received.iter().find(|r| r.exhibit == x.id),
                    _ => None,
                }
                .filter(|r| !r.matches);
                if let Some(r) = failed {
                    let colon = l.get("verification", "colon");
                    let mut w = format!(
                        "{}{colon}{}{colon}{}",
                        l.get("details", "recheck"),
                        l.get("details", "recheck_mismatch"),
                        if r.discrepancies.is_empty() {
                            l.get("details", "not_recorded")
                        } else {
                            r.discrepancies.join(&l.get("verification", "semicolon"))
                        }
                    );
                    w = format!("{}{colon}{w}", l.get("details", "warning"));
                    warnings.push(format!(
                        "{}, {} \u{2014} {w}",
                        x.id,
                        l.get("verification", "at_entry")
                            .replace("{entry}", &e.seq.to_string())
                    ));
                }
                vec![
                    e.seq.to_string(),
                    stamp(&e.time, &z),
                    cell.join("\n"),
                    format!(
                        "{}{}",
                        person(data, &e.by),
                        e.by_role
                            .as_ref()
                            .map(|r| format!(" ({})", l.vocabulary("roles", r)))
                            .unwrap_or_default()
                    ),
                    format!(
                        "{} \u{2014} {}",
                        person(data, &e.holder),
                        l.get("states", &e.state)
                    ),
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
        // Each warning again below its table, where a reader skimming the tables sees it.
        for w in warnings {
            out.push(bullet(vec![super::markup::Run {
                style: super::markup::Style::Bold,
                text: w,
            }]));
        }
    }
    Ok(out)
}

/// The acquisition facts printed for every exhibit, "not recorded" when missing.
const ALWAYS: &[&str] = &[
    "method",
    "tool",
    "operator",
    "present",
    "acquired_at",
    "clock",
    "location",
    "authority",
    "changes",
    "errors",
];

fn acquisition_blocks(data: &LedgerData, only: Option<&str>, l: &Labels, lang: Lang) -> Vec<Block> {
    let z = zone(data);
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
        // What every acquisition record is read for (ISO/IEC 27037, SWGDE): printed
        // "not recorded" when missing, never left out.
        let missing = Some(l.get("details", "not_recorded"));
        let always = |v: &Option<String>| {
            v.clone()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| missing.clone())
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
                ("seized_seal_no", &i.seized_seal_no),
                ("imei", &joined(&i.imei)),
                ("iccid", &joined(&i.iccid)),
                ("imsi", &joined(&i.imsi)),
                ("phone_number", &joined(&i.phone_number)),
                ("os_version", &i.os_version),
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
                    &(!q.present.is_empty())
                        .then(|| q.present.join(&l.get("verification", "semicolon"))),
                ),
                (
                    "acquired_at",
                    &q.acquired_at.as_ref().map(|a| {
                        crate::format::time::parse_rfc3339(a)
                            .map(|t| z.stamp(t))
                            .unwrap_or_else(|| a.clone())
                    }),
                ),
                ("clock", &q.clock),
                ("location", &q.location),
                ("authority", &q.authority),
                ("reason", &q.reason),
                ("changes", &q.changes),
                ("errors", &q.errors),
            ] {
                let v = if ALWAYS.contains(&k) {
                    always(v)
                } else {
                    v.clone()
                };
                push(k, &v, false);
            }
        } else {
            for k in ALWAYS {
                push(k, &missing, false);
            }
        }
        push(
            "sealed_by",
            &Some(
                l.get("acquisition", "sealed_by_at")
                    .replace("{by}", &person(data, &x.sealed_by))
                    .replace("{time}", &stamp(&x.sealed_at, &z)),
            ),
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
        if let Some(m) = &x.members {
            members_rows(m, x.seal_seq, l, lang, &mut rows);
        }
        if let Some(e) = &a.ewf {
            ewf_rows(e, l, lang, &z, &mut rows);
        }
        out.push(Block::Heading {
            level: 3,
            text: exhibit_heading(x, l),
        });
        out.extend(key_values(rows));
    }
    out
}

/// A sealed directory's or tar's members, summarised (counts, total size, the first paths,
/// the manifest's SHA-256) and where the full list is: the document stays the same size
/// whatever the member count.
fn members_rows(
    m: &super::data::MembersSummary,
    seal_seq: u64,
    l: &Labels,
    lang: Lang,
    rows: &mut Vec<(String, String, bool)>,
) {
    let n = |v: u64| super::locale::number(v, lang);
    rows.push((
        l.get("acquisition", "members"),
        l.get("acquisition", "members_value")
            .replace("{files}", &n(m.files))
            .replace("{count}", &n(m.count))
            .replace("{size}", &n(m.total_size)),
        false,
    ));
    if !m.examples.is_empty() {
        let more = if m.files > m.examples.len() as u64 {
            format!("{}\u{2026}", l.get("verification", "semicolon"))
        } else {
            String::new()
        };
        rows.push((
            l.get("acquisition", "examples"),
            format!(
                "{}{more}",
                m.examples.join(&l.get("verification", "semicolon"))
            ),
            true,
        ));
    }
    if let Some(h) = &m.manifest_sha256 {
        rows.push((l.get("acquisition", "manifest"), h.clone(), true));
    }
    rows.push((
        l.get("acquisition", "members_list"),
        l.get("acquisition", "members_where")
            .replace("{seq}", &seal_seq.to_string()),
        false,
    ));
}

/// An EWF image's facts (FORMAT.md 6.2, EWF images): its media, its header as the acquisition
/// software wrote it, each digest it stores against the media's as read, and the chunks that
/// could not be read.
fn ewf_rows(
    e: &crate::format::body::EwfImage,
    l: &Labels,
    lang: Lang,
    z: &crate::format::time::Zone,
    rows: &mut Vec<(String, String, bool)>,
) {
    let n = |v: u64| super::locale::number(v, lang);
    rows.push((
        l.get("ewf", "image"),
        l.get("ewf", "image_value")
            .replace("{segments}", &n(e.segments))
            .replace("{size}", &n(e.media_size))
            .replace("{sectors}", &n(e.sector_count))
            .replace("{bps}", &n(e.bytes_per_sector)),
        false,
    ));
    let h = &e.header;
    let local = e.header_source != "header2";
    // header2: UTC, shown in the case's zone; header: local time of an unknown zone, shown
    // as it is, said so.
    let date = |d: &Option<String>| {
        d.as_ref().map(|d| {
            if local {
                l.get("ewf", "local_date")
                    .replace("{date}", &d.replacen('T', " ", 1))
            } else {
                crate::format::time::parse_rfc3339(d)
                    .map(|t| z.stamp(t))
                    .unwrap_or_else(|| d.clone())
            }
        })
    };
    for (k, v) in [
        ("case_number", h.case_number.clone()),
        ("evidence_number", h.evidence_number.clone()),
        ("examiner", h.examiner.clone()),
        ("description", h.description.clone()),
        ("notes", h.notes.clone()),
        ("acquisition_date", date(&h.acquisition_date)),
        ("system_date", date(&h.system_date)),
        ("software_version", h.software_version.clone()),
        ("os", h.os.clone()),
    ] {
        if let Some(v) = v {
            rows.push((l.get("ewf", k), v, false));
        }
    }
    for (k, d) in [("md5", &e.md5), ("sha1", &e.sha1)]
        .into_iter()
        .chain(e.sha256.as_ref().map(|d| ("sha256", d)))
    {
        let v = match (&d.stored, d.matches) {
            (Some(st), Some(m)) => l
                .get("ewf", if m { "digest_match" } else { "digest_mismatch" })
                .replace("{stored}", st)
                .replace("{computed}", &d.computed),
            _ => l
                .get("ewf", "digest_none")
                .replace("{computed}", &d.computed),
        };
        rows.push((l.get("ewf", k), v, true));
    }
    if e.bad_chunk_count > 0 {
        let listed: Vec<String> = e
            .bad_chunks
            .iter()
            .take(10)
            .map(|b| {
                l.get("ewf", "bad_chunk")
                    .replace("{chunk}", &n(b.chunk))
                    .replace("{first}", &n(b.sector))
                    .replace("{last}", &n(b.sector + b.sectors.saturating_sub(1)))
                    .replace("{segment}", &n(b.segment))
                    .replace("{problem}", &b.problem)
            })
            .collect();
        let more = if e.bad_chunk_count > listed.len() as u64 {
            format!("{}\u{2026}", l.get("verification", "semicolon"))
        } else {
            String::new()
        };
        rows.push((
            l.get("ewf", "bad_chunks"),
            format!(
                "{}: {}{more}",
                l.get("ewf", "bad_chunks_value")
                    .replace("{count}", &n(e.bad_chunk_count)),
                listed.join(&l.get("verification", "semicolon"))
            ),
            false,
        ));
    }
}

fn seals_table(data: &LedgerData, l: &Labels) -> Block {
    let z = zone(data);
    let date = |t: &str| stamp(t, &z);
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

/// A key's holder: the full name recorded with the key, then the key's name ("Jean-Marc
/// Dupré (key expert)"); the key's name alone if no full name was recorded.
/// A signer or custodian named in a table or a sentence: the full name recorded with the key
/// (the name the keys table binds to the key and its fingerprint, the name the expert signs
/// with), else the key's name.
fn person(data: &LedgerData, key: &str) -> String {
    data.keys
        .iter()
        .find(|k| k.name == key)
        .and_then(|k| k.full_name.clone())
        .unwrap_or_else(|| key.to_string())
}

fn holder(k: &super::data::KeyInfo, l: &Labels) -> String {
    match &k.full_name {
        Some(full) => format!(
            "{full} ({})",
            l.get("keys", "key_named").replace("{name}", &k.name)
        ),
        None => k.name.clone(),
    }
}

/// Every key of the case: its holder (full name and key name), role, key id and whole
/// fingerprint (the SHA-256 of the public key, never shortened; the key id is its first 16
/// digits) and status.
fn keys_table(data: &LedgerData, l: &Labels) -> Block {
    Block::Table {
        columns: vec![
            // (no key id column: the key id is the fingerprint's first 16 digits, as the
            // column's title says, and a 64-digit fingerprint needs the room to print whole)
            col(l.get("keys", "name"), 0.22, false),
            col(l.get("keys", "role"), 0.12, false),
            col(l.get("keys", "fingerprint"), 0.48, true),
            col(l.get("keys", "status"), 0.18, false),
        ],
        rows: data
            .keys
            .iter()
            .map(|k| {
                vec![
                    holder(k, l),
                    k.role
                        .as_deref()
                        .map(|r| l.vocabulary("roles", r))
                        .unwrap_or_else(|| "\u{2014}".into()),
                    k.fingerprint.clone(),
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

/// The warnings of the custody entries (a seal long after its acquisition, an act signed
/// within a second of the previous one), each as "E-0001, entry 5 — WARNING: …".
fn custody_warnings(data: &LedgerData, l: &Labels) -> Vec<String> {
    let mut out = Vec::new();
    for x in &data.exhibits {
        for (i, e) in x.events.iter().enumerate() {
            for w in event_warnings(x, i, l) {
                out.push(format!(
                    "{}, {} \u{2014} {}{}{w}",
                    x.id,
                    l.get("verification", "at_entry")
                        .replace("{entry}", &e.seq.to_string()),
                    l.get("details", "warning"),
                    l.get("verification", "colon")
                ));
            }
        }
    }
    out
}

/// The verification of the ledger. The result never reads "all checks passed" next to a
/// warning: the warnings of the custody entries (which `verify` does not raise: they are
/// read from the entries' times) are counted with the ledger's own, and with the argument
/// `custody` (a document without the custody table) listed below it.
fn verification_block(
    data: &LedgerData,
    arg: Option<&str>,
    l: &Labels,
    lang: Lang,
) -> Result<Vec<Block>> {
    let list_custody = match arg {
        None => false,
        Some("custody") => true,
        Some(a) => {
            return Err(Error::input(format!(
                "template: ::verification {a}: the only argument is `custody`"
            )))
        }
    };
    let v = &data.verification;
    let custody = custody_warnings(data, l);
    let n = |n: usize| super::locale::number(n as u64, lang);
    let mut rows = vec![
        (
            l.get("verification", "result"),
            // The summary follows the result: "all checks passed" only with nothing to read.
            if !v.ok() {
                l.get("verification", "failed")
            } else if v.warnings() + custody.len() > 0 {
                l.get("verification", "warnings_only")
                    .replace("{n}", &n(v.warnings() + custody.len()))
            } else {
                l.get("verification", "ok")
            },
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
            if custody.is_empty() {
                v.warnings().to_string()
            } else {
                l.get("verification", "warnings_split")
                    .replace("{ledger}", &n(v.warnings()))
                    .replace("{custody}", &n(custody.len()))
            },
            false,
        ),
    ];
    for w in &v.witnesses {
        // The witness named in full: its holder and the whole fingerprint of its key.
        let name = match data.keys.iter().find(|k| k.name == w.name) {
            Some(k) => format!("{}, SHA-256 {}", holder(k, l), k.fingerprint),
            None => w.name.clone(),
        };
        rows.push((
            l.get("verification", "witness"),
            l.get("verification", "witnessed")
                .replace("{name}", &name)
                .replace("{size}", &w.size.to_string()),
            false,
        ));
    }
    for t in &v.timestamps {
        // The TSA's time for each checkpoint it timestamped (FORMAT.md 8.6), verified.
        rows.push((
            l.get("verification", "timestamp"),
            l.get("verification", "timestamped")
                .replace("{tsa}", &t.tsa)
                .replace("{size}", &super::locale::number(t.size, lang))
                .replace("{time}", &date_time(&t.time, data))
                .replace("{serial}", &t.serial),
            false,
        ));
    }
    let mut out = key_values(rows);
    // Each document cites the ledger it was made from: a later one, made from a larger
    // ledger, prints another root.
    out.push(para(
        l.get("verification", "made_from")
            .replace("{entries}", &super::locale::number(v.entries, lang)),
    ));
    for f in &v.findings {
        out.push(bullet(vec![super::markup::Run {
            style: super::markup::Style::Regular,
            text: finding_text(f, l),
        }]));
    }
    if list_custody {
        for w in custody {
            out.push(bullet(vec![super::markup::Run {
                style: super::markup::Style::Bold,
                text: w,
            }]));
        }
    }
    Ok(out)
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

/// The widest line of a printed command block, in characters: at 8.5 pt monospace a line
/// this long fits the text width of A4 and US letter, so no command is ever wrapped (a wrapped
/// command breaks when pasted).
pub const COMMAND_COLUMNS: usize = 78;

/// `caption` as shell comment lines of at most [`COMMAND_COLUMNS`] characters (a comment
/// wrapped by the layout would paste as a command).
fn comment_lines(caption: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::from("#");
    for word in caption.split_whitespace() {
        if cur.chars().count() + 1 + word.chars().count() > COMMAND_COLUMNS && cur != "#" {
            out.push(std::mem::replace(&mut cur, String::from("#")));
        }
        cur.push(' ');
        cur.push_str(word);
    }
    out.push(cur);
    out
}

/// `first rest` on one line if it fits [`COMMAND_COLUMNS`], else continued on a second line
/// with a shell-valid ` \` (a pasted line break inside a command is then harmless).
fn fit(lines: &mut Vec<String>, first: &str, rest: &str) {
    if first.chars().count() + 1 + rest.chars().count() <= COMMAND_COLUMNS {
        lines.push(format!("{first} {rest}"));
    } else {
        lines.push(format!("{first} \\"));
        lines.push(format!("  {rest}"));
    }
}

/// `word` quoted for the shell (single quotes), unless it is made only of safe characters.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,+/@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The verification steps, to paste in a shell in the folder where the evidence bundle
/// (`scelle export --with-artifacts --report THIS.pdf`) is unpacked: every path is relative to
/// the bundle (never the expert's own paths), every line fits the page ([`COMMAND_COLUMNS`]),
/// a command too long for one line continues with a shell-valid ` \`. Each step exits
/// non-zero when what it checks does not hold.
fn commands(data: &LedgerData, l: &Labels) -> Block {
    let c = |k: &str| l.get("commands", k);
    let mut lines = comment_lines(&c("intro"));
    lines.push("#   mkdir bundle && tar -xf BUNDLE.tar -C bundle && cd bundle".into());
    let mut step = 0;
    let mut caption = |lines: &mut Vec<String>, key: &str| {
        step += 1;
        lines.extend(comment_lines(&format!("{step}. {}", c(key))));
    };
    caption(&mut lines, "manifests");
    lines.push("sha256sum -c --quiet manifest-sha256.txt".into());
    lines.push("sha256sum -c --quiet tagmanifest-sha256.txt".into());
    caption(&mut lines, "bundle");
    lines.push("python3 data/kit/verify_bundle.py .".into());
    caption(&mut lines, "ledger");
    lines.push("python3 data/kit/verify_case.py data/case".into());
    // An EWF image's sealed SHA-256 is its media's: its segment files are checked one by one,
    // and its media with libewf's ewfverify.
    let (images, exhibits): (Vec<&super::data::Exhibit>, Vec<&super::data::Exhibit>) = data
        .exhibits
        .iter()
        .partition(|x| x.seal.artifact.kind == "ewf");
    let (files, folders): (Vec<&super::data::Exhibit>, Vec<&super::data::Exhibit>) = exhibits
        .into_iter()
        .partition(|x| x.seal.artifact.kind != "directory");
    if !files.is_empty() {
        caption(&mut lines, "rehash");
        for x in files {
            lines.push(format!("h={}", x.seal.artifact.hashes.sha256));
            lines.push(format!(
                "sha256sum data/artifacts/{}/* | grep \"$h\"",
                shell_word(&x.id)
            ));
        }
    }
    if !images.is_empty() {
        caption(&mut lines, "ewf");
        for x in images {
            let members = x
                .seal
                .artifact
                .members
                .as_ref()
                .map(|m| m.to_vec())
                .unwrap_or_default();
            for m in &members {
                if let Some(h) = &m.hashes {
                    lines.push(format!("h={}", h.sha256));
                    lines.push(format!(
                        "sha256sum {} | grep \"$h\"",
                        shell_word(&format!("data/artifacts/{}/{}", x.id, m.path))
                    ));
                }
            }
            if let Some(first) = members.first() {
                lines.push(format!(
                    "ewfverify -d sha1 {}",
                    shell_word(&format!("data/artifacts/{}/{}", x.id, first.path))
                ));
            }
        }
    }
    if !folders.is_empty() {
        caption(&mut lines, "folders");
        for x in folders {
            lines.push(format!("h={}", x.seal.artifact.hashes.sha256));
            lines.push(format!(
                "(cd data/artifacts/{}/* && find . -type f -printf '%P\\0' \\",
                shell_word(&x.id)
            ));
            lines.push(
                "  | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | grep \"$h\"".into(),
            );
        }
    }
    let pdf = data
        .document_file
        .as_deref()
        .map(|f| shell_word(&format!("data/reports/{f}")))
        .unwrap_or_else(|| format!("data/reports/{}", c("this_document")));
    caption(&mut lines, "document");
    fit(
        &mut lines,
        &format!("h=$(sha256sum < {pdf}"),
        "| cut -c1-64)",
    );
    lines.push("grep -c \"\\\"sha256\\\":\\\"$h\\\"\" data/case/ledger.jsonl".into());
    if data.ledger_attached {
        caption(&mut lines, "attached");
        // Written last, as it adds a file to the bag (verify_bundle.py would refuse it).
        fit(
            &mut lines,
            "pdfdetach -savefile ledger.jsonl -o attached-ledger.jsonl",
            &pdf,
        );
        lines.push(format!(
            "head -n {} data/case/ledger.jsonl | cmp - attached-ledger.jsonl",
            data.entries
        ));
    }
    lines.extend(comment_lines(&c("kit")));
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

fn date_time(t: &str, data: &LedgerData) -> String {
    stamp(t, &zone(data))
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

/// The most mentions the annex lists (the rest are counted; `ioc findings --mentions` lists
/// them all).
pub const MAX_ANNEX_MENTIONS: usize = 300;

/// The title of a group of findings (a level-3 heading: kept with what follows it).
fn bold(text: String) -> Block {
    Block::Heading { level: 3, text }
}

/// Where a match is, in words: the member, the place in it (a SQLite cell, a key, a line, a
/// byte offset), the number of occurrences.
fn match_place(m: &IocMatch, l: &Labels, lang: Lang) -> String {
    let mut place = m.member.clone().unwrap_or_default();
    let mut add = |p: String| {
        if !place.is_empty() {
            place.push_str(", ");
        }
        place.push_str(&p);
    };
    if let Some(loc) = &m.location {
        if let Some(t) = &loc.table {
            add(l.get("findings", "at_table").replace("{table}", t));
        }
        if let Some(c) = &loc.column {
            add(l.get("findings", "at_column").replace("{column}", c));
        }
        if let Some(r) = loc.rowid {
            add(l
                .get("findings", "at_rowid")
                .replace("{rowid}", &r.to_string()));
        }
        if let Some(k) = &loc.key {
            add(l.get("findings", "at_key").replace("{key}", k));
        }
        if let Some(n) = loc.line {
            add(l
                .get("findings", "at_line")
                .replace("{line}", &n.to_string()));
        }
    }
    if let Some(off) = m.offset {
        add(l
            .get("findings", "at_byte")
            .replace("{offset}", &off.to_string()));
    }
    if m.occurrences > 1 {
        place.push_str(&format!(
            " ({})",
            l.get("findings", "occurrences")
                .replace("{n}", &super::locale::number(m.occurrences, lang))
        ));
    }
    place
}

/// What was found: the text, with the excerpt around it, or how it matched.
fn match_found(m: &IocMatch, l: &Labels) -> String {
    match &m.excerpt {
        Some(x) => format!("{} \u{2014} \u{ab}{x}\u{bb}", m.matched),
        None => format!("{} ({})", m.matched, l.get("findings", &m.on)),
    }
}

/// The indicator of a match, with what it indicates.
fn match_indicator(m: &IocMatch) -> String {
    if m.indicates.is_empty() {
        format!("{} {}", m.kind, m.value)
    } else {
        format!("{} {} ({})", m.kind, m.value, m.indicates.join(", "))
    }
}

/// The counts of one line of the summary.
#[derive(Default)]
struct Tally {
    findings: u64,
    confirmed: u64,
    dismissed: u64,
    mentions: u64,
}

impl Tally {
    fn row(&self, first: String, lang: Lang) -> Vec<String> {
        let n = |x: u64| super::locale::number(x, lang);
        vec![
            first,
            n(self.findings),
            n(self.confirmed),
            n(self.dismissed),
            n(self.findings - self.confirmed - self.dismissed),
            n(self.mentions),
        ]
    }
}

/// The summary tables, by indicator and by exhibit: findings, confirmed, dismissed,
/// unreviewed, mentions.
fn summary_blocks(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    use std::collections::BTreeMap;
    let mut by_indicator: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_exhibit: BTreeMap<String, Tally> = BTreeMap::new();
    for sd in &data.scans {
        for (i, m) in sd.scan.matches.iter().enumerate() {
            let decision = sd.current(i).map(|r| r.decision.as_str());
            for t in [
                by_indicator.entry(match_indicator(m)).or_default(),
                by_exhibit.entry(m.exhibit.clone()).or_default(),
            ] {
                t.findings += 1;
                match decision {
                    Some("confirmed") => t.confirmed += 1,
                    Some("dismissed") => t.dismissed += 1,
                    _ => {}
                }
            }
        }
        for m in &sd.scan.mentions {
            by_indicator.entry(match_indicator(m)).or_default().mentions += 1;
            by_exhibit.entry(m.exhibit.clone()).or_default().mentions += 1;
        }
    }
    let columns = |first: String, w: f32| {
        let rest = (1.0 - w) / 5.0;
        vec![
            col(first, w, false),
            col(l.get("findings", "n_findings"), rest, false),
            col(l.get("findings", "n_confirmed"), rest, false),
            col(l.get("findings", "n_dismissed"), rest, false),
            col(l.get("findings", "n_unreviewed"), rest, false),
            col(l.get("findings", "n_mentions"), rest, false),
        ]
    };
    vec![
        bold(l.get("findings", "summary")),
        para(l.get("findings", "summary_intro")),
        Block::Table {
            columns: columns(l.get("findings", "indicator"), 0.45),
            rows: by_indicator
                .into_iter()
                .map(|(k, t)| t.row(k, lang))
                .collect(),
        },
        Block::Table {
            columns: columns(l.get("findings", "exhibit"), 0.25),
            rows: by_exhibit
                .into_iter()
                .map(|(k, t)| t.row(k, lang))
                .collect(),
        },
    ]
}

/// Every recorded IOC scan: first the overall result and a summary by indicator and by exhibit,
/// then each scan with its IOC files (pinned by SHA-256, with what was not used and why), then
/// the findings of all scans: confirmed, unreviewed, then dismissed with the reason, reviewer
/// and date; the mentions counted (the annex lists them, `::mentions`).
fn findings_blocks(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    if data.scans.is_empty() {
        return vec![para(l.get("findings", "none"))];
    }
    // The overall result first: a negative sentence below is about its own scan only, and
    // never stands alone when another scan matched.
    let total: usize = data.scans.iter().map(|sd| sd.scan.matches.len()).sum();
    let mentions: usize = data.scans.iter().map(|sd| sd.scan.mentions.len()).sum();
    let matched_in: Vec<String> = data
        .scans
        .iter()
        .filter(|sd| !sd.scan.matches.is_empty())
        .map(|sd| sd.seq.to_string())
        .collect();
    let mut out = vec![para(if total == 0 {
        l.get("findings", "total_none")
    } else {
        l.get("findings", "total")
            .replace("{n}", &super::locale::number(total as u64, lang))
            .replace("{entries}", &matched_in.join(", "))
    })];
    if total + mentions > 0 {
        out.extend(summary_blocks(data, l, lang));
    }
    for sd in &data.scans {
        let s = &sd.scan;
        out.push(para(
            l.get("findings", "scan")
                .replace("{seq}", &sd.seq.to_string())
                .replace("{time}", &date_time(&sd.time, data))
                .replace("{by}", &person(data, &sd.by))
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
            let mut t = l.get("findings", "no_match");
            if total > 0 {
                t.push(' ');
                t.push_str(
                    &l.get("findings", "others_matched")
                        .replace("{entries}", &matched_in.join(", ")),
                );
            }
            out.push(para(t));
        }
    }
    if total > 0 {
        for (group, decision) in [
            ("confirmed_title", Some("confirmed")),
            ("unreviewed_title", None),
            ("dismissed_title", Some("dismissed")),
        ] {
            let rows: Vec<Vec<String>> = data
                .scans
                .iter()
                .flat_map(|sd| {
                    sd.scan
                        .matches
                        .iter()
                        .enumerate()
                        .map(move |(i, m)| (sd, i, m))
                })
                .filter(|(sd, i, _)| sd.current(*i).map(|r| r.decision.as_str()) == decision)
                .map(|(sd, i, m)| {
                    let mut row = vec![
                        crate::format::body::finding_id(sd.seq, i as u64),
                        m.exhibit.clone(),
                        match_indicator(m),
                        match_place(m, l, lang),
                        match_found(m, l),
                    ];
                    if let Some(r) = sd.current(i) {
                        let mut cell = l
                            .get("findings", "reviewed")
                            .replace("{by}", &person(data, &r.by))
                            .replace("{date}", &date_time(&r.time, data))
                            .replace("{entry}", &r.entry.to_string())
                            .replace("{reason}", &r.reason);
                        // The reviews it supersedes stay in the ledger (and the timeline).
                        let earlier: Vec<String> = sd.reviews[i][..sd.reviews[i].len() - 1]
                            .iter()
                            .map(|e| e.entry.to_string())
                            .collect();
                        if !earlier.is_empty() {
                            cell.push_str(" \u{2014} ");
                            cell.push_str(
                                &l.get("findings", "supersedes")
                                    .replace("{entries}", &earlier.join(", ")),
                            );
                        }
                        row.push(cell);
                    }
                    row
                })
                .collect();
            out.push(bold(
                l.get("findings", group)
                    .replace("{n}", &super::locale::number(rows.len() as u64, lang)),
            ));
            if rows.is_empty() {
                out.push(para(l.get("findings", "group_none")));
                continue;
            }
            let mut columns = vec![
                col(l.get("findings", "finding"), 0.08, true),
                col(l.get("findings", "exhibit"), 0.08, true),
                col(l.get("findings", "indicator"), 0.22, false),
                col(l.get("findings", "place"), 0.24, true),
                col(l.get("findings", "found"), 0.38, true),
            ];
            if decision.is_some() {
                columns[3].width_fraction = 0.20;
                columns[4].width_fraction = 0.17;
                columns.push(col(l.get("findings", "review"), 0.25, false));
            }
            out.push(Block::Table { columns, rows });
        }
    }
    out.push(para(if mentions == 0 {
        l.get("findings", "mentions_none")
    } else {
        l.get("findings", "mentions_counted")
            .replace("{n}", &super::locale::number(mentions as u64, lang))
    }));
    out
}

/// The mentions annex: the low-confidence hits of every scan, never findings, at most
/// [`MAX_ANNEX_MENTIONS`] (the rest counted).
fn mentions_blocks(data: &LedgerData, l: &Labels, lang: Lang) -> Vec<Block> {
    let all: Vec<(u64, &IocMatch)> = data
        .scans
        .iter()
        .flat_map(|sd| sd.scan.mentions.iter().map(move |m| (sd.seq, m)))
        .collect();
    if all.is_empty() {
        return vec![para(l.get("findings", "mentions_none"))];
    }
    let mut out = vec![Block::Table {
        columns: vec![
            col(l.get("findings", "scan_entry"), 0.08, true),
            col(l.get("findings", "exhibit"), 0.08, true),
            col(l.get("findings", "indicator"), 0.24, false),
            col(l.get("findings", "place"), 0.25, true),
            col(l.get("findings", "found"), 0.35, true),
        ],
        rows: all
            .iter()
            .take(MAX_ANNEX_MENTIONS)
            .map(|(seq, m)| {
                vec![
                    seq.to_string(),
                    m.exhibit.clone(),
                    match_indicator(m),
                    match_place(m, l, lang),
                    match_found(m, l),
                ]
            })
            .collect(),
    }];
    if all.len() > MAX_ANNEX_MENTIONS {
        out.push(para(l.get("findings", "mentions_more").replace(
            "{n}",
            &super::locale::number((all.len() - MAX_ANNEX_MENTIONS) as u64, lang),
        )));
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
            // (the place in proportional type: a long path breaks after its `/`, never
            // squeezing the type and indicator columns into broken words)
            col(l.get("correlation", "kind"), 0.19, false),
            col(l.get("correlation", "value"), 0.23, true),
            col(l.get("correlation", "indicates"), 0.13, false),
            col(l.get("correlation", "where"), 0.45, false),
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
    signature: &[Vec<String>],
) -> Result<Vec<Block>> {
    Ok(match name {
        "exhibits" => vec![exhibits_table(data, l, lang)],
        "hashes" => vec![hashes_table(data, l)],
        "source-hashes" => source_hash_blocks(data, l),
        "custody" => custody_blocks(data, arg, l)?,
        "timeline" => {
            let legend = super::timeline::Legend::of(|k| l.get("timeline", k));
            super::timeline::timeline_blocks(data, arg, &legend)?
        }
        "acquisition" => acquisition_blocks(data, arg, l, lang),
        "seals" => vec![para(zone_note(&zone(data), l)), seals_table(data, l)],
        "keys" => vec![keys_table(data, l)],
        "verification" => verification_block(data, arg, l, lang)?,
        "checkpoint" => vec![Block::Preformatted {
            text: data.checkpoint.text.trim_end().to_string(),
        }],
        "commands" => vec![commands(data, l)],
        "findings" => findings_blocks(data, l, lang),
        "mentions" => mentions_blocks(data, l, lang),
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
        "signature" => signature
            .iter()
            .map(|lines| Block::SignatureBlock {
                lines: lines.clone(),
            })
            .collect(),
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
                        "case.open" | "key.enrol" | "key.revoke" | "key.rotate" | "tsa.add"
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
