//! CASE/UCO JSON-LD export of the chain of custody.
//!
//! [`export_case_uco`] maps a case's ledger onto the CASE 1.x / UCO 1.x ontologies
//! (<https://caseontology.org>), in the shape the CASE examples use:
//!
//! - the case is a `case-investigation:Investigation` (name = case id, description = title);
//! - each enrolled key (the administrator's in `case.open`, each `key.enrol` and each
//!   `key.rotate` successor) is a `uco-identity:Identity` with the signer's name;
//! - each exhibit is a `uco-observable:File` with a `uco-observable:FileFacet` (name, path,
//!   size, directory or not) and a `uco-observable:ContentDataFacet` carrying its size and its
//!   `uco-types:Hash`es (method `SHA256`, and `SHA512`, `MD5`, `SHA1` when recorded, as
//!   `xsd:string` members of `uco-vocabulary:HashNameVocab`; value `xsd:hexBinary`). For a
//!   sealed directory the hash is that of its sha256sum-format manifest, as in the ledger;
//! - each `seal`, `release`, `accept`, `open`, `reseal` and `dispose` entry is a
//!   `case-investigation:InvestigativeAction` with its performer (the signing key's identity),
//!   start and end time (the entry's `time`), instrument (the `uco-tool:Tool` that hashed the
//!   exhibit, and the acquisition tool when recorded) for seals, the receiver as
//!   `uco-action:participant` for releases, the exhibit's previous
//!   `case-investigation:ProvenanceRecord` as `uco-action:object` and a new one as
//!   `uco-action:result`;
//! - each provenance record names one exhibit (`case-investigation:exhibitNumber`, which the
//!   ontology allows once per record), lists it in `uco-core:object`, and its description
//!   cites the ledger entry (`ledger entry 3`).
//!
//! Node IRIs are `kb:` + a class name + a UUID (version 5, derived from the case origin and
//! the node's role), so two exports of the same ledger are identical and every IRI ends in a
//! UUID as UCO advises. `kb:` is `urn:scelle:` + the case origin (percent-encoded) + `/`.
//!
//! The export reads the ledger as it is; it does not check signatures or the chain (run
//! `verify` for that).

use crate::error::{Error, Result};
use crate::format::body::{Artifact, Body, KeyRecord, Recheck};
use crate::format::entry::{Head, TypedLine};
use crate::store::case::CaseDir;
use crate::store::ledger;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use std::collections::HashMap;

/// The RFC 4122 URL namespace, under which node UUIDs are derived.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// A version-5 UUID of `name` in the URL namespace.
fn uuid_v5(name: &str) -> String {
    let mut h = Sha1::new();
    h.update(NAMESPACE_URL);
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// Percent-encodes everything but unreserved characters and `/`.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn xsd(ty: &str, v: impl Into<Value>) -> Value {
    json!({"@type": format!("xsd:{ty}"), "@value": v.into()})
}

fn id_ref(iri: &str) -> Value {
    json!({"@id": iri})
}

/// The graph under construction.
struct Graph {
    origin: String,
    nodes: Vec<Value>,
    /// Every top-level node's IRI except the investigation's, for its `uco-core:object`.
    members: Vec<String>,
    /// Key id to identity IRI.
    identities: HashMap<String, String>,
    /// `name version` to tool IRI.
    tools: HashMap<String, String>,
    /// Exhibit id to its `File` IRI.
    exhibits: HashMap<String, String>,
    /// Exhibit id to its latest provenance record IRI.
    latest: HashMap<String, String>,
}

impl Graph {
    /// `kb:` + `class` + `-` + a UUID derived from the origin, `class` and `role`.
    fn iri(&self, class: &str, role: &str) -> String {
        format!(
            "kb:{class}-{}",
            uuid_v5(&format!("urn:scelle:{}#{class}/{role}", self.origin))
        )
    }

    fn push(&mut self, node: Value) {
        if let Some(id) = node["@id"].as_str() {
            self.members.push(id.to_string());
        }
        self.nodes.push(node);
    }

    fn identity(&mut self, key: &KeyRecord) {
        if self.identities.contains_key(&key.id) {
            return;
        }
        let iri = self.iri("Identity", &format!("key/{}", key.id));
        let mut desc = format!("Ed25519 key {}", key.id);
        if let Some(role) = &key.role {
            desc.push_str(&format!(", role {role}"));
        }
        self.push(json!({
            "@id": iri,
            "@type": "uco-identity:Identity",
            "uco-core:name": key.name,
            "uco-core:description": desc,
        }));
        self.identities.insert(key.id.clone(), iri);
    }

    fn performer(&self, e: &Head) -> Result<String> {
        self.identities.get(&e.key).cloned().ok_or_else(|| {
            Error::input(format!(
                "ledger entry {}: signed by key {}, which is not enrolled",
                e.seq, e.key
            ))
        })
    }

    fn tool(&mut self, name: &str, version: Option<&str>, kind: &str) -> String {
        let label = format!("{name} {}", version.unwrap_or(""));
        if let Some(iri) = self.tools.get(&label) {
            return iri.clone();
        }
        let iri = self.iri("Tool", &format!("tool/{label}"));
        let mut node = json!({
            "@id": iri,
            "@type": "uco-tool:Tool",
            "uco-core:name": name,
            "uco-tool:toolType": kind,
        });
        if let Some(v) = version {
            node["uco-tool:version"] = json!(v);
        }
        self.push(node);
        self.tools.insert(label, iri.clone());
        iri
    }

    fn exhibit_iri(&self, seq: u64, exhibit: &str) -> Result<String> {
        self.exhibits.get(exhibit).cloned().ok_or_else(|| {
            Error::input(format!(
                "ledger entry {seq}: names exhibit {exhibit}, which was never sealed"
            ))
        })
    }

    /// A new provenance record of `exhibit` for ledger entry `seq`; becomes its latest.
    fn record(&mut self, seq: u64, exhibit: &str, what: &str) -> Result<String> {
        let file = self.exhibit_iri(seq, exhibit)?;
        let iri = self.iri("ProvenanceRecord", &format!("entry/{seq}/{exhibit}"));
        self.push(json!({
            "@id": iri,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": exhibit,
            "uco-core:description": format!("{exhibit} {what} (ledger entry {seq})"),
            "uco-core:object": [id_ref(&file)],
        }));
        self.latest.insert(exhibit.to_string(), iri.clone());
        Ok(iri)
    }

    /// The latest provenance records of `exhibits`, in order.
    fn previous(&self, seq: u64, exhibits: &[&str]) -> Result<Vec<Value>> {
        exhibits
            .iter()
            .map(|x| {
                self.latest.get(*x).map(|i| id_ref(i)).ok_or_else(|| {
                    Error::input(format!(
                        "ledger entry {seq}: names exhibit {x}, which was never sealed"
                    ))
                })
            })
            .collect()
    }

    /// An investigative action of entry `e`.
    fn action(&mut self, e: &Head, name: &str, description: String, extra: Map<String, Value>) {
        let iri = self.iri("InvestigativeAction", &format!("entry/{}", e.seq));
        let mut node = json!({
            "@id": iri,
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": name,
            "uco-core:description": format!("{description} (ledger entry {})", e.seq),
            "uco-action:startTime": xsd("dateTime", e.time.clone()),
            "uco-action:endTime": xsd("dateTime", e.time.clone()),
        });
        let obj = node.as_object_mut().expect("object");
        obj.extend(extra);
        self.push(node);
    }

    fn file(&mut self, seq: u64, exhibit: &str, a: &Artifact, description: Option<&str>) {
        let iri = self.iri("File", &format!("exhibit/{exhibit}"));
        let file_name = a
            .path_resolved
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(&a.path_resolved)
            .to_string();
        let mut hashes = vec![("SHA256", a.hashes.sha256.as_str())];
        if let Some(h) = &a.hashes.sha512 {
            hashes.push(("SHA512", h));
        }
        if let Some(h) = &a.hashes.legacy_md5 {
            hashes.push(("MD5", h));
        }
        if let Some(h) = &a.hashes.legacy_sha1 {
            hashes.push(("SHA1", h));
        }
        let hashes: Vec<Value> = hashes
            .into_iter()
            .map(|(method, value)| {
                json!({
                    "@id": self.iri("Hash", &format!("exhibit/{exhibit}/{method}")),
                    "@type": "uco-types:Hash",
                    // UCO 1.4.0 and later: an xsd:string from HashNameVocab (the
                    // vocabulary-typed literal draws a warning, an error in UCO 2).
                    "uco-types:hashMethod": method,
                    "uco-types:hashValue": xsd("hexBinary", value.to_ascii_lowercase()),
                })
            })
            .collect();
        let is_dir = a.kind == "directory";
        let mut desc = format!(
            "Exhibit {exhibit}: {} {} as sealed in ledger entry {seq}",
            a.kind, a.path_given
        );
        if is_dir {
            desc.push_str(&format!(
                "; its hash is that of the sha256sum manifest of its {} files, its size their sum",
                a.file_count.unwrap_or(0)
            ));
        }
        if let Some(e) = &a.ewf {
            desc.push_str(&format!(
                "; an EWF (E01) image: its hashes and size are those of the media read from its {} segment files",
                e.segments
            ));
        }
        if let Some(c) = &a.compression {
            desc.push_str(&format!("; {c}-compressed, hashes of the compressed bytes"));
        }
        if let Some(d) = description {
            desc.push_str(&format!("; {d}"));
        }
        let node = json!({
            "@id": iri,
            "@type": "uco-observable:File",
            "uco-core:name": exhibit,
            "uco-core:description": desc,
            "uco-core:hasFacet": [
                {
                    "@id": self.iri("FileFacet", &format!("exhibit/{exhibit}")),
                    "@type": "uco-observable:FileFacet",
                    "uco-observable:fileName": file_name,
                    "uco-observable:filePath": a.path_resolved,
                    "uco-observable:isDirectory": xsd("boolean", is_dir),
                    "uco-observable:sizeInBytes": xsd("integer", a.size),
                },
                {
                    "@id": self.iri("ContentDataFacet", &format!("exhibit/{exhibit}")),
                    "@type": "uco-observable:ContentDataFacet",
                    "uco-observable:sizeInBytes": xsd("integer", a.size),
                    "uco-observable:hash": hashes,
                },
            ],
        });
        self.push(node);
        self.exhibits.insert(exhibit.to_string(), iri);
    }
}

fn recheck_words(r: &Recheck) -> String {
    if r.matches {
        format!("re-hashed, matches the seal (SHA-256 {})", r.sha256)
    } else if r.discrepancies.is_empty() {
        "re-hashed, DOES NOT match the seal".to_string()
    } else {
        format!(
            "re-hashed, DOES NOT match the seal: {}",
            r.discrepancies.join("; ")
        )
    }
}

fn refs(iris: &[String]) -> Value {
    Value::Array(iris.iter().map(|i| id_ref(i)).collect())
}

/// The `@context` of the export, with `kb:` for the case's own nodes.
fn context(kb: &str) -> Value {
    json!({
        "kb": kb,
        "case-investigation": "https://ontology.caseontology.org/case/investigation/",
        "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
        "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
        "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
        "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
        "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
        "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
        "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    })
}

/// `export --format case-uco`: writes [`export_case_uco`]'s document to `out` (pretty JSON and
/// a final newline, written atomically, mode 0644).
///
/// Errors: `out` exists, or as [`export_case_uco`].
pub fn write_case_uco(case: &CaseDir, out: &std::path::Path) -> Result<CaseUcoWritten> {
    if out.exists() {
        return Err(Error::input(format!(
            "{}: already exists; give another --out",
            out.display()
        )));
    }
    let doc = export_case_uco(case)?;
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("serialises");
    bytes.push(b'\n');
    crate::store::fsutil::atomic_write(out, &bytes, 0o644)?;
    Ok(CaseUcoWritten {
        path: out.to_path_buf(),
    })
}

/// Exports the chain of custody of `case` as one CASE/UCO JSON-LD document (`@context` and
/// `@graph`): the investigation, the signers' identities, the tools, each exhibit with its
/// size and hashes, each custody entry (seal, release, accept, open, reseal, dispose) as an
/// investigative action, and a provenance record per exhibit per entry, citing the ledger
/// entry. Deterministic: the same ledger gives the same document.
///
/// Errors: the ledger is empty, has a torn or unparsable line, or names a key or exhibit it
/// never introduced.
pub fn export_case_uco(case: &CaseDir) -> Result<Value> {
    let lines = ledger::read_all_lines(case)?;
    let mut entries = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let (e, body) = TypedLine::parse_shared_or_explain(line)
            .map_err(|err| Error::input(format!("ledger line {}: {err}", i + 1)))?;
        let body = body.map_err(|err| Error::input(format!("ledger entry {}: {err}", e.seq)))?;
        entries.push((e, body));
    }
    let info = match entries.first() {
        Some((_, Body::CaseOpen(o))) => o.case.clone(),
        Some((e, _)) => {
            return Err(Error::input(format!(
                "ledger entry {}: the first entry is {}, not case.open",
                e.seq, e.kind
            )))
        }
        None => {
            return Err(Error::input(format!(
                "{}: the ledger is empty; nothing to export",
                case.ledger().display()
            )))
        }
    };
    let kb = format!("urn:scelle:{}/", pct(&info.origin));
    let mut g = Graph {
        origin: info.origin.clone(),
        nodes: Vec::new(),
        members: Vec::new(),
        identities: HashMap::new(),
        tools: HashMap::new(),
        exhibits: HashMap::new(),
        latest: HashMap::new(),
    };

    for (e, body) in &entries {
        match body {
            Body::CaseOpen(o) => g.identity(&o.admin),
            Body::KeyEnrol(k) => g.identity(&k.key),
            Body::KeyRotate(r) => g.identity(&r.new),
            Body::Seal(s) => {
                let performer = g.performer(e)?;
                g.file(e.seq, &s.exhibit, &s.artifact, s.description.as_deref());
                let mut instruments = vec![g.tool(
                    &s.hashed_by.name,
                    Some(&s.hashed_by.version),
                    "chain-of-custody ledger: hashing and sealing",
                )];
                let acq = s.acquisition.clone().unwrap_or_default();
                if let Some(t) = &acq.tool {
                    instruments.push(g.tool(t, acq.tool_version.as_deref(), "acquisition"));
                }
                let mut what = format!("sealed, SHA-256 {}", s.artifact.hashes.sha256);
                if let Some(n) = &s.seal_no {
                    what.push_str(&format!(", seal no. {n}"));
                }
                let record = g.record(e.seq, &s.exhibit, &what)?;
                let file = g.exhibit_iri(e.seq, &s.exhibit)?;
                let mut desc = format!(
                    "Acquisition and sealing of {} as exhibit {}",
                    s.artifact.path_given, s.exhibit
                );
                for (label, v) in [
                    ("method", &acq.method),
                    ("acquired at", &acq.acquired_at),
                    ("location", &acq.location),
                    ("authority", &acq.authority),
                    ("reason", &acq.reason),
                    ("operator", &acq.operator),
                ] {
                    if let Some(v) = v {
                        desc.push_str(&format!("; {label}: {v}"));
                    }
                }
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:instrument".into(), refs(&instruments));
                extra.insert("uco-action:result".into(), refs(&[file, record]));
                g.action(e, &format!("seal {}", s.exhibit), desc, extra);
            }
            Body::Release(r) => {
                let performer = g.performer(e)?;
                let to = g.identities.get(&r.to).cloned().ok_or_else(|| {
                    Error::input(format!(
                        "ledger entry {}: released to key {}, which is not enrolled",
                        e.seq, r.to
                    ))
                })?;
                let xs: Vec<&str> = r.exhibits.iter().map(String::as_str).collect();
                let before = g.previous(e.seq, &xs)?;
                let mut results = Vec::new();
                for x in &xs {
                    results.push(g.record(e.seq, x, &format!("released for {}", r.purpose))?);
                }
                let mut desc = format!("Release of {} for {}", xs.join(", "), r.purpose);
                for (label, v) in [
                    ("packaging", &r.packaging),
                    ("seal condition", &r.seal_condition),
                    ("location", &r.location),
                    ("authority", &r.authority),
                ] {
                    if let Some(v) = v {
                        desc.push_str(&format!("; {label}: {v}"));
                    }
                }
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:participant".into(), id_ref(&to));
                extra.insert("uco-action:object".into(), Value::Array(before));
                extra.insert("uco-action:result".into(), refs(&results));
                g.action(e, &format!("release {}", xs.join(" ")), desc, extra);
            }
            Body::Accept(a) => {
                let performer = g.performer(e)?;
                let xs: Vec<&str> = a.received.iter().map(|r| r.exhibit.as_str()).collect();
                let before = g.previous(e.seq, &xs)?;
                let mut results = Vec::new();
                for r in &a.received {
                    let what = format!(
                        "accepted from the release in ledger entry {}, {}",
                        a.release,
                        recheck_words(r)
                    );
                    results.push(g.record(e.seq, &r.exhibit, &what)?);
                }
                let mut desc = format!(
                    "Receipt of {} released in ledger entry {}",
                    xs.join(", "),
                    a.release
                );
                for (label, v) in [
                    ("seal condition", &a.seal_condition),
                    ("location", &a.location),
                ] {
                    if let Some(v) = v {
                        desc.push_str(&format!("; {label}: {v}"));
                    }
                }
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:object".into(), Value::Array(before));
                extra.insert("uco-action:result".into(), refs(&results));
                g.action(e, &format!("accept {}", xs.join(" ")), desc, extra);
            }
            Body::Open(o) => {
                let performer = g.performer(e)?;
                let before = g.previous(e.seq, &[&o.exhibit])?;
                let what = format!("opened for: {}", o.operations);
                let result = g.record(e.seq, &o.exhibit, &what)?;
                let mut desc = format!("Opening of exhibit {} for: {}", o.exhibit, o.operations);
                if let Some(n) = &o.seal_no {
                    desc.push_str(&format!("; seal no. {n}"));
                }
                if let Some(c) = &o.seal_condition {
                    desc.push_str(&format!("; seal condition: {c}"));
                }
                if !o.present.is_empty() {
                    desc.push_str(&format!("; present: {}", o.present.join(", ")));
                }
                if let Some(l) = &o.location {
                    desc.push_str(&format!("; location: {l}"));
                }
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:object".into(), Value::Array(before));
                extra.insert("uco-action:result".into(), refs(&[result]));
                g.action(e, &format!("open {}", o.exhibit), desc, extra);
            }
            Body::Reseal(r) => {
                let performer = g.performer(e)?;
                let before = g.previous(e.seq, &[&r.exhibit])?;
                let what = format!(
                    "re-sealed under seal no. {}, {}",
                    r.new_seal_no,
                    recheck_words(&r.recheck)
                );
                let result = g.record(e.seq, &r.exhibit, &what)?;
                let mut desc = format!(
                    "Re-sealing of exhibit {} under seal no. {}",
                    r.exhibit, r.new_seal_no
                );
                if let Some(c) = &r.seal_condition {
                    desc.push_str(&format!("; seal condition: {c}"));
                }
                if !r.present.is_empty() {
                    desc.push_str(&format!("; present: {}", r.present.join(", ")));
                }
                if let Some(l) = &r.location {
                    desc.push_str(&format!("; location: {l}"));
                }
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:object".into(), Value::Array(before));
                extra.insert("uco-action:result".into(), refs(&[result]));
                g.action(e, &format!("reseal {}", r.exhibit), desc, extra);
            }
            Body::Dispose(d) => {
                let performer = g.performer(e)?;
                let before = g.previous(e.seq, &[&d.exhibit])?;
                let what = format!("disposed of: {}", d.how);
                let result = g.record(e.seq, &d.exhibit, &what)?;
                let desc = format!(
                    "Disposal of exhibit {}: {}; authority: {}",
                    d.exhibit, d.how, d.authority
                );
                let mut extra = Map::new();
                extra.insert("uco-action:performer".into(), id_ref(&performer));
                extra.insert("uco-action:object".into(), Value::Array(before));
                extra.insert("uco-action:result".into(), refs(&[result]));
                g.action(e, &format!("dispose {}", d.exhibit), desc, extra);
            }
            // Revocations, notes, reports, scans and exports are not custody events.
            Body::KeyRevoke(_)
            | Body::TsaAdd(_)
            | Body::Note(_)
            | Body::Report(_)
            | Body::IocScan(_)
            | Body::IocReview(_)
            | Body::Export(_) => {}
        }
    }

    let mut desc = info.title.clone();
    if let Some(c) = &info.court {
        desc.push_str(&format!("; {c}"));
    }
    let inv_iri = g.iri("Investigation", "case");
    let mut inv = json!({
        "@id": inv_iri,
        "@type": "case-investigation:Investigation",
        "uco-core:name": info.case_id,
        "uco-core:description": desc,
        "case-investigation:investigationForm": "case",
        "uco-core:startTime": xsd("dateTime", entries[0].0.time.clone()),
        "uco-core:object": refs(&g.members),
    });
    if let Some(j) = &info.jurisdiction {
        inv["case-investigation:focus"] = json!(format!("jurisdiction: {j}"));
    }
    let mut graph = vec![inv];
    graph.append(&mut g.nodes);
    Ok(json!({
        "@context": context(&kb),
        "@graph": graph,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_matches_rfc_4122() {
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/")
        assert_eq!(
            uuid_v5("https://example.org/"),
            "527dda32-a0de-5105-a042-cb475b5f7d11"
        );
    }

    #[test]
    fn pct_keeps_unreserved_and_slash() {
        assert_eq!(pct("scelle.case/DP 150/é"), "scelle.case/DP%20150/%C3%A9");
    }
}

/// `export --format case-uco`: the JSON-LD file written.
#[derive(Debug)]
pub struct CaseUcoWritten {
    /// The file.
    pub path: std::path::PathBuf,
}
