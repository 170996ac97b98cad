//! CASE/UCO export: a case built through the CLI (a file and a folder sealed, one with
//! SHA-512, a second key enrolled, a release and its acceptance, an open and a re-seal) is
//! exported by `scelle::ops::caseuco::export_case_uco`, and `case_validate` (case-utils, in the
//! venv ./test makes) finds it conformant; a deliberately broken copy is refused, so the
//! validator can fail.

mod common;

use common::{key_pair, ok_in as ok, pyenv_bin, text, PASS};
use scelle::store::case::CaseDir;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn validate(file: &Path) -> Output {
    Command::new(pyenv_bin("case_validate"))
        .arg(file)
        .output()
        .unwrap()
}

/// The case: expert (administrator) seals image.bin (with SHA-512) and the logs folder,
/// enrols counsel, releases both to counsel, who accepts them; counsel opens and re-seals
/// E-0001.
fn build_case(root: &Path) -> PathBuf {
    for n in ["expert", "counsel"] {
        key_pair(root, PASS, n, Some(n));
    }
    ok(
        root,
        &[
            "init",
            "case",
            "--case-id",
            "DP 150/2022",
            "--title",
            "Sumario — teléfono móvil",
            "--key",
            "expert.key",
        ],
    );
    fs::create_dir_all(root.join("logs/sub")).unwrap();
    fs::write(root.join("image.bin"), vec![7u8; 100_000]).unwrap();
    fs::write(root.join("logs/a.log"), b"first log\n").unwrap();
    fs::write(root.join("logs/sub/b é.log"), b"second log\n").unwrap();
    let c = |args: &[&str]| {
        let mut all = vec!["-C", "case"];
        all.extend_from_slice(args);
        ok(root, &all)
    };
    c(&["seal", "image.bin", "--sha512", "--key", "expert.key"]);
    c(&["seal", "logs", "--key", "expert.key"]);
    c(&[
        "key",
        "enrol",
        "counsel.pub",
        "--name",
        "counsel",
        "--role",
        "counsel",
        "--key",
        "expert.key",
    ]);
    c(&[
        "release",
        "E-0001",
        "E-0002",
        "--to",
        "counsel",
        "--purpose",
        "filing",
        "--packaging",
        "sealed bag",
        "--key",
        "expert.key",
    ]);
    c(&[
        "accept",
        "E-0001",
        "E-0002",
        "--key",
        "counsel.key",
        "--seal-condition",
        "intact",
    ]);
    c(&[
        "open",
        "E-0001",
        "--operations",
        "imaging",
        "--key",
        "counsel.key",
    ]);
    c(&[
        "reseal",
        "E-0001",
        "--new-seal-no",
        "S-2",
        "--present",
        "Ana López",
        "--location",
        "Laboratorio, Madrid",
        "--key",
        "counsel.key",
    ]);
    root.join("case")
}

/// The `seal` bodies of the ledger, in order.
fn seals(case: &Path) -> Vec<Value> {
    fs::read_to_string(CaseDir::open(case).unwrap().ledger())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["kind"] == "seal")
        .map(|e| e["body"].clone())
        .collect()
}

fn nodes_of<'a>(doc: &'a Value, ty: &str) -> Vec<&'a Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["@type"] == ty)
        .collect()
}

#[test]
fn the_export_of_a_custody_chain_conforms_to_case_and_a_broken_copy_does_not() {
    let validator = pyenv_bin("case_validate");
    let tmp = tempfile::tempdir().unwrap();
    let case = build_case(tmp.path());
    let dir = CaseDir::open(&case).unwrap();
    let doc = scelle::ops::caseuco::export_case_uco(&dir).unwrap();
    // Deterministic.
    assert_eq!(doc, scelle::ops::caseuco::export_case_uco(&dir).unwrap());

    let out = tmp.path().join("custody.jsonld");
    fs::write(&out, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    if let Some(keep) = std::env::var_os("SCELLE_CASEUCO_KEEP") {
        fs::copy(&out, keep).unwrap();
    }
    let o = validate(&out);
    assert!(
        o.status.success(),
        "{} refused the export: {}",
        validator.display(),
        text(&o)
    );

    let s = serde_json::to_string(&doc).unwrap();
    let sealed = seals(&case);
    assert_eq!(sealed.len(), 2);
    for b in &sealed {
        let sha = b["artifact"]["hashes"]["sha256"].as_str().unwrap();
        assert!(s.contains(sha), "SHA-256 {sha} missing");
        assert!(s.contains(b["exhibit"].as_str().unwrap()));
    }
    let sha512 = sealed[0]["artifact"]["hashes"]["sha512"].as_str().unwrap();
    assert!(s.contains(sha512) && s.contains("\"SHA512\""));

    assert_eq!(nodes_of(&doc, "uco-observable:File").len(), 2);
    assert_eq!(nodes_of(&doc, "uco-identity:Identity").len(), 2);
    let inv = nodes_of(&doc, "case-investigation:Investigation");
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0]["uco-core:name"], "DP 150/2022");
    // seal, seal, release, accept, open, reseal.
    let actions = nodes_of(&doc, "case-investigation:InvestigativeAction");
    let names: Vec<&str> = actions
        .iter()
        .map(|a| a["uco-core:name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "seal E-0001",
            "seal E-0002",
            "release E-0001 E-0002",
            "accept E-0001 E-0002",
            "open E-0001",
            "reseal E-0001"
        ]
    );
    // The re-sealing's persons present and place, as recorded.
    let reseal = actions[5]["uco-core:description"].as_str().unwrap();
    assert!(
        reseal.contains("present: Ana López") && reseal.contains("location: Laboratorio, Madrid"),
        "{reseal}"
    );
    // 2 seals + 2 released + 2 accepted + open + reseal.
    let records = nodes_of(&doc, "case-investigation:ProvenanceRecord");
    assert_eq!(records.len(), 8);
    assert!(records.iter().all(|r| r["uco-core:description"]
        .as_str()
        .unwrap()
        .contains("(ledger entry ")));
    assert_eq!(records[0]["case-investigation:exhibitNumber"], "E-0001");
    // The accept takes the release's records and the receiver is the performer.
    let counsel = nodes_of(&doc, "uco-identity:Identity")
        .into_iter()
        .find(|i| i["uco-core:name"] == "counsel")
        .unwrap()["@id"]
        .clone();
    assert_eq!(actions[2]["uco-action:participant"]["@id"], counsel);
    assert_eq!(actions[3]["uco-action:performer"]["@id"], counsel);
    assert_eq!(
        actions[3]["uco-action:object"],
        actions[2]["uco-action:result"]
    );

    // The validator can fail: a hash method outside HashNameVocab, and a hash value that is
    // not hexadecimal.
    let bogus = s.replacen("\"SHA256\"", "\"SHA-256-bogus\"", 1);
    assert_ne!(bogus, s);
    let bad = tmp.path().join("bogus-method.jsonld");
    fs::write(&bad, &bogus).unwrap();
    let o = validate(&bad);
    assert!(
        !o.status.success(),
        "bogus hash method accepted: {}",
        text(&o)
    );
    assert!(text(&o).contains("SHA-256-bogus"), "{}", text(&o));

    let sha = sealed[1]["artifact"]["hashes"]["sha256"].as_str().unwrap();
    let bad = tmp.path().join("bogus-value.jsonld");
    fs::write(&bad, s.replacen(sha, "not-hex", 1)).unwrap();
    let o = validate(&bad);
    assert!(
        !o.status.success(),
        "non-hex hash value accepted: {}",
        text(&o)
    );
}
