//! An expert's review of IOC findings (`ioc.review`, FORMAT.md 6.11) through the CLI: `ioc
//! findings` names each finding `SCAN#N`, `ioc review` confirms or dismisses one with the
//! reason (a later review supersedes), what does not exist is refused with nothing written,
//! and both verifiers refuse a review forged against the scan.

mod common;

use common::{key_pair, ok, run, snapshot, PASS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let keys = root.join("keys");
        std::fs::create_dir(&keys).unwrap();
        key_pair(&keys, PASS, "expert", Some("expert"));
        let case = root.join("case");
        ok(&run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "R-1",
            "--title",
            "Review test case",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
        ]));
        Case {
            _tmp: tmp,
            root,
            case,
            key: keys.join("expert.key"),
        }
    }

    fn c(&self) -> &str {
        self.case.to_str().unwrap()
    }

    fn k(&self) -> &str {
        self.key.to_str().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["-C", self.c()];
        all.extend(args);
        run(&all)
    }

    fn ledger(&self) -> Vec<u8> {
        std::fs::read(self.case.join("ledger.jsonl")).unwrap()
    }

    /// `ioc findings --json`, parsed.
    fn findings_json(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["ioc", "findings", "--json"];
        args.extend(extra);
        ok(&self.run(&args))
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON Lines"))
            .collect()
    }
}

/// A STIX bundle with one indicator per pattern, all indicating "TestMalware".
fn bundle(path: &Path, patterns: &[&str]) {
    let mut objects = vec![serde_json::json!({
        "type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-0000-0000-000000000001",
        "name": "TestMalware", "is_family": false
    })];
    for (i, p) in patterns.iter().enumerate() {
        let id = format!("indicator--00000000-0000-0000-0000-{i:012}");
        objects.push(serde_json::json!({
            "type": "indicator", "spec_version": "2.1", "id": id, "pattern": p,
            "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"
        }));
        objects.push(serde_json::json!({
            "type": "relationship", "spec_version": "2.1",
            "id": format!("relationship--00000000-0000-0000-0000-{i:012}"),
            "relationship_type": "indicates", "source_ref": id,
            "target_ref": "malware--00000000-0000-0000-0000-000000000001"
        }));
    }
    let b = serde_json::json!({"type": "bundle", "id": "bundle--00000000-0000-0000-0000-0000000000aa", "objects": objects});
    std::fs::write(path, serde_json::to_vec_pretty(&b).unwrap()).unwrap();
}

/// A case with a directory (E-0001) holding a resolver log naming `evil.example.com` and a
/// file named `roleaccountd.plist`, scanned (entry 2) with indicators for both: two findings,
/// 2#0 (the domain in the log) and 2#1 (the file name), in the scan's order (by member).
fn scanned_case() -> Case {
    let c = Case::new();
    let dir = c.root.join("extraction");
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::write(
        dir.join("logs/resolver.log"),
        b"Jul 18 09:12:44 iPhone mDNSResponder[212]: query evil.example.com. A\n",
    )
    .unwrap();
    std::fs::write(dir.join("roleaccountd.plist"), b"<plist/>\n").unwrap();
    ok(&c.run(&["seal", dir.to_str().unwrap(), "--key", c.k()]));
    let stix = c.root.join("iocs.stix2");
    bundle(
        &stix,
        &[
            "[domain-name:value = 'evil.example.com']",
            "[file:name = 'roleaccountd.plist']",
        ],
    );
    ok(&c.run(&[
        "ioc",
        "scan",
        "--stix",
        stix.to_str().unwrap(),
        "--key",
        c.k(),
    ]));
    c
}

/// The finding records of `ioc findings --json`, by id.
fn finding<'a>(records: &'a [Value], id: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["type"] == "finding" && r["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {records:?}"))
}

#[test]
fn findings_are_listed_with_an_id_to_type_back_and_unreviewed_at_first() {
    let c = scanned_case();
    let records = c.findings_json(&[]);
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["scan", "finding", "finding"], "{records:?}");
    assert_eq!(records[0]["seq"], 2);
    assert_eq!(records[0]["findings"], 2);
    assert!(
        records[0]["scan"].get("matches").is_none(),
        "findings apart"
    );
    let name = finding(&records, "2#1");
    assert_eq!(name["scan"], 2);
    assert_eq!(name["index"], 1);
    assert_eq!(name["on"], "name");
    assert_eq!(name["member"], "roleaccountd.plist");
    assert_eq!(name["indicates"], serde_json::json!(["TestMalware"]));
    assert_eq!(name["review"], Value::Null);
    let domain = finding(&records, "2#0");
    assert_eq!(domain["matched"], "evil.example.com");
    assert_eq!(domain["member"], "logs/resolver.log");

    let text = ok(&c.run(&["ioc", "findings"]));
    assert!(text.contains("entry 2 at "), "{text}");
    assert!(
        text.contains(
            "  2#1 UNREVIEWED file:name \"roleaccountd.plist\" [TestMalware] in E-0001 \
             roleaccountd.plist (name): \"roleaccountd.plist\""
        ),
        "{text}"
    );
    assert!(
        text.contains("  2#0 UNREVIEWED domain-name:value \"evil.example.com\" [TestMalware] in E-0001 logs/resolver.log (content at byte "),
        "{text}"
    );
    assert!(text.contains("indicator indicator--00000000-0000-0000-0000-000000000000"));
    // --mentions says there are none (this scan records none), labelled as not findings.
    let text = ok(&c.run(&["ioc", "findings", "--mentions"]));
    assert!(
        text.contains("MENTIONS (low confidence: raw-content hits outside a place"),
        "{text}"
    );
    assert!(text.ends_with("MENTIONS (low confidence: raw-content hits outside a place where the indicator means something; not findings, not reviewed):\n  none\n"), "{text}");
}

#[test]
fn a_dismissed_finding_shows_its_reason_and_a_later_confirmation_supersedes_it() {
    let c = scanned_case();
    let out = c.run(&[
        "ioc",
        "review",
        "--finding",
        "2#0",
        "--dismiss",
        "--reason",
        "the lab's own test query, see note 4",
        "--key",
        c.k(),
    ]);
    let text = ok(&out);
    assert!(
        text.starts_with("finding 2#0 dismissed: domain-name:value \"evil.example.com\""),
        "{text}"
    );
    assert!(
        text.contains(
            "\nreason: the lab's own test query, see note 4\nrecorded: entry 3; checkpoint "
        ),
        "{text}"
    );
    let text = ok(&c.run(&["ioc", "findings"]));
    assert!(text.contains("  2#0 DISMISSED domain-name:value"), "{text}");
    assert!(text.contains("      dismissed by expert ("), "{text}");
    assert!(
        text.contains("(entry 3): the lab's own test query, see note 4\n"),
        "{text}"
    );
    assert!(text.contains("  2#1 UNREVIEWED"), "{text}");

    // A later review, by --scan and --finding N, supersedes it; both stay listed.
    let text = ok(&c.run(&[
        "ioc",
        "review",
        "--scan",
        "2",
        "--finding",
        "0",
        "--confirm",
        "--reason",
        "the query is in the device's own resolver log",
        "--key",
        c.k(),
    ]));
    assert!(
        text.contains("supersedes the review dismissed by expert ("),
        "{text}"
    );
    let text = ok(&c.run(&["ioc", "findings"]));
    assert!(text.contains("  2#0 CONFIRMED domain-name:value"), "{text}");
    assert!(
        text.contains("(entry 4): the query is in the device's own resolver log\n      superseded: dismissed by expert ("),
        "{text}"
    );
    let records = c.findings_json(&[]);
    let f = finding(&records, "2#0");
    assert_eq!(f["review"]["decision"], "confirmed");
    assert_eq!(f["review"]["entry"], 4);
    assert_eq!(f["reviews"].as_array().unwrap().len(), 2);
    assert_eq!(f["reviews"][0]["decision"], "dismissed");
    assert_eq!(
        f["reviews"][0]["reason"],
        "the lab's own test query, see note 4"
    );
    assert_eq!(finding(&records, "2#1")["review"], Value::Null);
    // The ledger verifies; the review is an event of the exhibit's life.
    ok(&c.run(&["verify"]));
    let log = ok(&c.run(&["log"]));
    assert!(
        log.contains("review of finding 2#0 (indicator--00000000-0000-0000-0000-000000000000 in E-0001 logs/resolver.log): confirmed: the query is in the device's own resolver log"),
        "{log}"
    );
}

/// Exit 2, the message on stderr, nothing on stdout, nothing written in the case.
fn refused(c: &Case, args: &[&str], message: &str) {
    let before = snapshot(&c.case);
    let out = c.run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(message), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(snapshot(&c.case), before, "{args:?} wrote");
}

#[test]
fn a_review_of_what_does_not_exist_is_refused_and_nothing_is_written() {
    let c = scanned_case();
    let k = c.k();
    let review = |f: &'static str| {
        vec![
            "ioc",
            "review",
            "--finding",
            f,
            "--confirm",
            "--reason",
            "r",
            "--key",
            k,
        ]
    };
    refused(
        &c,
        &review("1#0"),
        "entry 1 is not an IOC scan of this case (its scans are entries 2); nothing recorded",
    );
    refused(
        &c,
        &review("9#0"),
        "entry 9 is not an IOC scan of this case",
    );
    refused(
        &c,
        &review("2#2"),
        "the scan of entry 2 has no finding 2#2: its findings are 2#0 to 2#1; nothing recorded",
    );
    refused(
        &c,
        &review("2#x"),
        "--finding \"2#x\": give the finding's number N",
    );
    refused(
        &c,
        &review("1"),
        "which scan? give --scan SEQ or --finding SEQ#1",
    );
    refused(
        &c,
        &[
            "ioc",
            "review",
            "--scan",
            "3",
            "--finding",
            "2#0",
            "--confirm",
            "--reason",
            "r",
            "--key",
            k,
        ],
        "--finding 2#0 names scan 2, but --scan is 3",
    );
    refused(
        &c,
        &[
            "ioc",
            "review",
            "--finding",
            "2#0",
            "--confirm",
            "--reason",
            "  ",
            "--key",
            k,
        ],
        "--reason is empty",
    );
    // Neither or both decisions: a usage error, exit 2 too.
    refused(
        &c,
        &[
            "ioc",
            "review",
            "--finding",
            "2#0",
            "--reason",
            "r",
            "--key",
            k,
        ],
        "--dismiss",
    );
    refused(
        &c,
        &[
            "ioc",
            "review",
            "--finding",
            "2#0",
            "--confirm",
            "--dismiss",
            "--reason",
            "r",
            "--key",
            k,
        ],
        "cannot be used with",
    );
}

/// The independent verifier's exit code and output.
fn python_verifier(case: &Path) -> (i32, String) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/independent/verify_case.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(case)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Appends `body` as an `ioc.review` signed by the case's key, without scelle's checks.
fn append_review(c: &Case, body: Value) {
    let text = std::fs::read_to_string(&c.key).unwrap();
    let key = scelle::format::keys::decrypt_private_key(&text, PASS.as_bytes()).unwrap();
    let ledger = String::from_utf8(c.ledger()).unwrap();
    let last = ledger.lines().last().unwrap();
    let last_v: Value = serde_json::from_str(last).unwrap();
    let mut e = scelle::format::entry::Entry {
        body,
        kind: "ioc.review".into(),
        key: scelle::format::keys::key_id(&key.verifying_key()),
        format: 1,
        prev: common::sha256sum_bytes(last.as_bytes()),
        seq: ledger.lines().count() as u64,
        sig: String::new(),
        time: last_v["time"].as_str().unwrap().to_string(),
    };
    e.sign(&key);
    let mut bytes = c.ledger();
    bytes.extend(e.line().unwrap());
    bytes.push(b'\n');
    std::fs::write(c.case.join("ledger.jsonl"), bytes).unwrap();
}

#[test]
fn both_verifiers_refuse_a_review_forged_against_its_scan() {
    let c = scanned_case();
    let pristine = c.ledger();
    let good = serde_json::json!({
        "scan": 2, "finding": 0, "indicator": "indicator--00000000-0000-0000-0000-000000000000",
        "exhibit": "E-0001", "member": "logs/resolver.log", "decision": "dismissed",
        "reason": "a test query",
    });
    append_review(&c, good.clone());
    assert_eq!(python_verifier(&c.case).0, 0);
    let out = c.run(&["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out));
    for (k, v, message) in [
        ("finding", serde_json::json!(2), "findings"),
        (
            "indicator",
            serde_json::json!("indicator--00000000-0000-0000-0000-000000000001"),
            "finding 2#0",
        ),
        (
            "member",
            serde_json::json!("roleaccountd.plist"),
            "finding 2#0",
        ),
        ("scan", serde_json::json!(1), "scan"),
    ] {
        std::fs::write(c.case.join("ledger.jsonl"), &pristine).unwrap();
        let mut body = good.clone();
        body[k] = v;
        append_review(&c, body);
        let (code, output) = python_verifier(&c.case);
        assert_eq!(code, 1, "{k}: {output}");
        assert!(
            output.contains("ERROR [custody] entry 3: ioc.review: "),
            "{k}: {output}"
        );
        assert!(output.contains(message), "{k}: {output}");
        let out = c.run(&["verify"]);
        let text = common::show(&out);
        assert_eq!(out.status.code(), Some(1), "{k}: {text}");
        assert!(text.contains("ioc.review"), "{k}: {text}");
        assert!(text.contains("entry 3"), "{k}: {text}");
    }
}

/// The text of a PDF, by pdftotext, white space folded to single spaces.
fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(o.status.success(), "{}", pdf.display());
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of a PDF as laid out (`pdftotext -layout`), white space folded in each line: a
/// table row is one line.
fn pdf_rows(pdf: &Path) -> Vec<String> {
    let o = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The words each language prints for the findings.
struct Words {
    lang: scelle::Lang,
    jurisdiction: scelle::Jurisdiction,
    summary: &'static str,
    confirmed: &'static str,
    unreviewed: &'static str,
    dismissed: &'static str,
    mentions: &'static str,
    annex: &'static str,
    no_mention: &'static str,
    superseded: &'static str,
}

const WORDS: [Words; 3] = [
    Words {
        lang: scelle::Lang::En,
        jurisdiction: scelle::Jurisdiction::Us,
        summary: "Summary of the findings",
        confirmed: "Confirmed findings (1)",
        unreviewed: "Findings not reviewed (1)",
        dismissed: "Dismissed findings (1), with the reason given",
        mentions: "Mentions (low confidence, not findings): 1, listed in the annex on mentions.",
        annex: "Annex: mentions of indicators (low confidence)",
        no_mention: "No mention (low-confidence hit outside a place where its indicator means something) was recorded.",
        superseded: "fichier témoin — supersedes the earlier review(s) of entry(ies) 5",
    },
    Words {
        lang: scelle::Lang::Fr,
        jurisdiction: scelle::Jurisdiction::Fr,
        summary: "Synthèse des correspondances",
        confirmed: "Correspondances confirmées (1)",
        unreviewed: "Correspondances non examinées (1)",
        dismissed: "Correspondances écartées (1), avec le motif retenu",
        mentions: "Mentions (faible fiabilité, qui ne sont pas des correspondances) : 1, énumérées dans l'annexe consacrée aux mentions.",
        annex: "Annexe : mentions d'indicateurs (faible fiabilité)",
        no_mention: "Aucune mention (occurrence de faible fiabilité hors d'un endroit où son indicateur a un sens) n'a été enregistrée.",
        superseded: "fichier témoin — remplace le ou les examens antérieurs, entrée(s) 5",
    },
    Words {
        lang: scelle::Lang::Es,
        jurisdiction: scelle::Jurisdiction::Es,
        summary: "Resumen de las coincidencias",
        confirmed: "Coincidencias confirmadas (1)",
        unreviewed: "Coincidencias sin revisar (1)",
        dismissed: "Coincidencias descartadas (1), con el motivo expresado",
        mentions: "Menciones (baja fiabilidad, no son coincidencias): 1, relacionadas en el anexo de menciones.",
        annex: "Anexo: menciones de indicadores (baja fiabilidad)",
        no_mention: "No se registró ninguna mención (aparición de baja fiabilidad fuera de un lugar donde su indicador tiene sentido).",
        superseded: "fichier témoin — sustituye a la revisión o revisiones anteriores, asiento(s) 5",
    },
];

/// The expert report of a case whose finding 2#0 is confirmed, 2#1 dismissed (with an accented
/// reason) and 3#0 unreviewed: in each language, the summary first, then the confirmed, the
/// unreviewed and the dismissed findings with the reason, and the mentions counted (none
/// recorded, then, added to the data, counted in the body and listed in the annex).
#[test]
fn the_expert_report_shows_the_summary_then_confirmed_unreviewed_and_dismissed_findings() {
    use scelle::report::pdf::{render, PdfOptions};
    use scelle::report::{build, data, DocumentKind, ReportRequest};
    let c = scanned_case();
    let stix = c.root.join("names.stix2");
    bundle(&stix, &["[file:name = 'resolver.log']"]);
    ok(&c.run(&[
        "ioc",
        "scan",
        "--stix",
        stix.to_str().unwrap(),
        "--key",
        c.k(),
    ])); // 3
    let k = c.k();
    ok(&c.run(&[
        "ioc",
        "review",
        "--finding",
        "2#0",
        "--confirm",
        "--reason",
        "query seen",
        "--key",
        k,
    ]));
    // 2#1 confirmed first (entry 5), then dismissed (entry 6): the report says which
    // review the dismissal supersedes.
    ok(&c.run(&[
        "ioc",
        "review",
        "--finding",
        "2#1",
        "--confirm",
        "--reason",
        "first look",
        "--key",
        k,
    ]));
    ok(&c.run(&[
        "ioc",
        "review",
        "--finding",
        "2#1",
        "--dismiss",
        "--reason",
        "fichier témoin",
        "--key",
        k,
    ]));
    let case = scelle::CaseDir::open(&c.case).unwrap();
    let gathered = data::gather(&case).unwrap();
    let mut with_mention = gathered.clone();
    let mut mention = with_mention.scans[0].scan.matches[0].clone();
    mention.value = "payload".into();
    mention.kind = "process:name".into();
    mention.matched = "payload".into();
    with_mention.scans[0].scan.mentions.push(mention);
    for w in &WORDS {
        let input: toml::Value = std::fs::read_to_string(format!(
            "{}/examples/demo/report-{}.toml",
            env!("CARGO_MANIFEST_DIR"),
            w.lang
        ))
        .unwrap()
        .parse()
        .unwrap();
        let req = ReportRequest {
            kind: DocumentKind::ExpertReport,
            lang: w.lang,
            jurisdiction: Some(w.jurisdiction),
            exhibits: Vec::new(),
            input: Some(input),
            templates: Default::default(),
            correlate: Vec::new(),
        };
        for (d, mentioned) in [(&gathered, false), (&with_mention, true)] {
            let doc = build(d, &req).unwrap();
            let pdf = render(&doc, &PdfOptions::default(), &[], &[], None).unwrap();
            let path = c.root.join(format!("report-{}-{mentioned}.pdf", w.lang));
            std::fs::write(&path, pdf.bytes).unwrap();
            let text = pdf_text(&path);
            let l = w.lang;
            let at = |s: &str| {
                text.find(s)
                    .unwrap_or_else(|| panic!("{l}: {s:?} not in {text}"))
            };
            assert!(at(w.summary) < at(w.confirmed), "{l}");
            assert!(at(w.confirmed) < at(w.unreviewed), "{l}");
            assert!(at(w.unreviewed) < at(w.dismissed), "{l}");
            // The summary by exhibit: 3 findings, 1 confirmed, 1 dismissed, 1 unreviewed.
            let rows = pdf_rows(&path);
            let row = format!("E-0001 3 1 1 1 {}", u8::from(mentioned));
            assert!(rows.contains(&row), "{l}: {row} not in {rows:#?}");
            // The dismissed finding, with its reason and reviewer, after its title.
            let dismissed = &text[at(w.dismissed)..];
            assert!(dismissed.contains("2#1"), "{l}: {dismissed}");
            assert!(dismissed.contains("fichier témoin"), "{l}: {dismissed}");
            assert!(dismissed.contains("expert"), "{l}: {dismissed}");
            assert!(!dismissed.contains("first look"), "{l}: {dismissed}");
            assert!(dismissed.contains(w.superseded), "{l}: {dismissed}");
            if mentioned {
                assert!(text.contains(w.mentions), "{l}: {text}");
                let annex = &text[at(w.annex)..];
                assert!(annex.contains("process:name payload"), "{l}: {annex}");
            } else {
                assert!(text.contains(w.no_mention), "{l}: {text}");
                assert!(!text.contains(w.annex), "{l}");
            }
        }
    }
}

/// A reason holding terminal controls and a bidirectional override is recorded as given, and
/// printed escaped by `ioc review` and `ioc findings` (never a raw control byte on a terminal).
#[test]
fn a_hostile_reason_is_printed_escaped() {
    let c = scanned_case();
    let reason = "ok\u{1b}[2J\u{202e}gnp.exe\nforged line";
    let out = ok(&c.run(&[
        "ioc",
        "review",
        "--finding",
        "2#0",
        "--dismiss",
        "--reason",
        reason,
        "--key",
        c.k(),
    ]));
    let listed = ok(&c.run(&["ioc", "findings"]));
    for text in [&out, &listed] {
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(!text.contains('\u{202e}'), "{text}");
        assert!(!text.contains("\nforged line"), "{text}");
    }
    assert!(listed.contains("(entry 3): ok"), "{listed}");
    // JSON keeps the reason exactly, escaped as JSON.
    let records = c.findings_json(&[]);
    assert_eq!(finding(&records, "2#0")["review"]["reason"], reason);
}
