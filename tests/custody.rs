//! Chain of custody: two-sided hand-overs, examinations, key lifecycle, witnesses. Each rule
//! is checked both ways: the CLI refuses (exit 2, nothing written) and `verify` fails on a
//! ledger where someone with the file inserted the forbidden entry anyway.

mod common;

use common::{key_pair, out, run_in, snapshot_files as snapshot, succeeded};
use std::path::PathBuf;
use std::process::Output;

const PASS: &str = "custody test passphrase";

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
}

impl Case {
    /// Keys expert (administrator), counsel, clerk (court), mallory (never enrolled); a case
    /// with E-0001 (file), E-0002 (directory), E-0003 (file) sealed by the expert; counsel and
    /// clerk enrolled.
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let c = Case {
            case: root.join("case"),
            root,
            _tmp: tmp,
        };
        for n in ["expert", "counsel", "clerk", "mallory", "expert2"] {
            key_pair(&c.root, PASS, n, None);
        }
        c.ok(&[
            "init",
            "case",
            "--case-id",
            "X-1",
            "--title",
            "Custody test",
            "--key",
            "expert.key",
        ]);
        std::fs::write(c.root.join("phone.bin"), b"phone image").unwrap();
        std::fs::create_dir(c.root.join("logs")).unwrap();
        std::fs::write(c.root.join("logs/a.log"), b"log a").unwrap();
        std::fs::write(c.root.join("notes.txt"), b"notes").unwrap();
        c.ok(&[
            "-C",
            "case",
            "seal",
            "phone.bin",
            "logs",
            "notes.txt",
            "--key",
            "expert.key",
        ]);
        c.ok(&[
            "-C",
            "case",
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
        c.ok(&[
            "-C",
            "case",
            "key",
            "enrol",
            "clerk.pub",
            "--name",
            "clerk",
            "--role",
            "court",
            "--key",
            "expert.key",
        ]);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(&self.root, PASS, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        out(&succeeded(args, self.run(args)))
    }

    fn scelle(&self, args: &[&str]) -> Output {
        let mut all = vec!["-C", "case"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Refused with exit 2, the message containing `needle`, the case byte-identical.
    fn refused(&self, args: &[&str], needle: &str) {
        let before = snapshot(&self.case);
        let o = self.scelle(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", out(&o));
        assert!(
            out(&o).contains(needle),
            "{args:?}: expected {needle:?} in {}",
            out(&o)
        );
        assert_eq!(snapshot(&self.case), before, "{args:?} changed the case");
    }

    fn verify_json(&self) -> (i32, Vec<serde_json::Value>) {
        let o = self.scelle(&["verify", "--json"]);
        let lines = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON Lines"))
            .collect();
        (o.status.code().unwrap(), lines)
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.case.join("ledger.jsonl"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn key(&self, name: &str) -> scelle::store::keyfile::LoadedKey {
        let pass = secrecy::SecretString::from(PASS.to_string());
        scelle::store::keyfile::load_signing_key(&self.root.join(format!("{name}.key")), &pass)
            .unwrap()
    }

    /// Appends, as someone with write access to the file would, an entry signed by `signer`.
    fn forge_append(&self, signer: &str, kind: &str, body: serde_json::Value) {
        let lines = self.lines();
        let last = lines.last().unwrap();
        let key = self.key(signer);
        let mut e = scelle::format::entry::Entry {
            body,
            kind: kind.into(),
            key: key.id(),
            format: 1,
            prev: scelle::format::entry::line_hash(last.as_bytes()),
            seq: lines.len() as u64,
            sig: String::new(),
            time: scelle::format::time::now_utc(),
        };
        e.sign(&key.signing);
        let mut all = lines.clone();
        all.push(String::from_utf8(e.line().unwrap()).unwrap());
        std::fs::write(self.case.join("ledger.jsonl"), all.join("\n") + "\n").unwrap();
    }
}

fn errors(v: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    v.iter()
        .filter(|x| x["type"] == "finding" && x["severity"] == "error")
        .collect()
}

#[test]
fn a_hand_over_is_signed_by_both_sides_and_re_hashed_on_receipt() {
    let c = Case::new();
    c.ok(&[
        "-C",
        "case",
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
    let show =
        String::from_utf8_lossy(&c.scelle(&["show", "E-0001", "--json"]).stdout).into_owned();
    let t: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(t["state"], "in-transit");
    let o = c.scelle(&[
        "accept",
        "E-0001",
        "E-0002",
        "--key",
        "counsel.key",
        "--seal-condition",
        "intact",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("E-0001: re-hashed") && out(&o).contains("matches the seal"));
    let accept: serde_json::Value = serde_json::from_str(c.lines().last().unwrap()).unwrap();
    assert_eq!(accept["kind"], "accept");
    assert_eq!(accept["body"]["received"][1]["exhibit"], "E-0002");
    assert_eq!(accept["body"]["received"][1]["matches"], true);
    let t: serde_json::Value =
        serde_json::from_slice(&c.scelle(&["show", "E-0001", "--json"]).stdout).unwrap();
    assert_eq!(t["state"], "sealed");
    assert!(t["holder"].as_str().unwrap().starts_with("counsel ("));
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["seal", "release", "accept"]);
    assert_eq!(c.verify_json().0, 0);
    // Counsel now holds it: the expert can no longer act on it.
    c.refused(
        &["open", "E-0001", "--operations", "x", "--key", "expert.key"],
        "does not hold exhibit E-0001 (held by counsel",
    );
}

#[test]
fn refusals_name_the_rule_and_write_nothing() {
    let c = Case::new();
    c.refused(
        &[
            "release",
            "E-0001",
            "--to",
            "expert",
            "--purpose",
            "x",
            "--key",
            "counsel.key",
        ],
        "counsel (",
    );
    c.refused(
        &[
            "release",
            "E-0001",
            "--to",
            "mallory",
            "--purpose",
            "x",
            "--key",
            "expert.key",
        ],
        "\"mallory\" is neither the id nor the name of an enrolled key",
    );
    c.refused(
        &[
            "release",
            "E-0009",
            "--to",
            "counsel",
            "--purpose",
            "x",
            "--key",
            "expert.key",
        ],
        "no exhibit E-0009 in this case",
    );
    c.refused(
        &[
            "key",
            "enrol",
            "mallory.pub",
            "--name",
            "mallory",
            "--role",
            "expert",
            "--key",
            "counsel.key",
        ],
        "is not the case administrator",
    );
    c.refused(
        &[
            "key",
            "enrol",
            "mallory.pub",
            "--name",
            "mallory",
            "--role",
            "judge",
            "--key",
            "expert.key",
        ],
        "role Some(\"judge\") is not one of",
    );
    c.refused(
        &["seal", "notes.txt", "--key", "mallory.key"],
        "is not enrolled in this case",
    );
    c.refused(
        &[
            "reseal",
            "E-0003",
            "--new-seal-no",
            "S",
            "--key",
            "expert.key",
        ],
        "is not opened",
    );
    c.ok(&[
        "-C",
        "case",
        "release",
        "E-0001",
        "--to",
        "counsel",
        "--purpose",
        "x",
        "--key",
        "expert.key",
    ]);
    c.refused(
        &["accept", "E-0001", "--key", "clerk.key"],
        "was released to counsel",
    );
    c.refused(
        &["open", "E-0001", "--operations", "x", "--key", "expert.key"],
        "in transit to counsel",
    );
    c.refused(
        &[
            "release",
            "E-0001",
            "--to",
            "clerk",
            "--purpose",
            "x",
            "--key",
            "expert.key",
        ],
        "in transit to counsel",
    );
    c.ok(&[
        "-C",
        "case",
        "dispose",
        "E-0003",
        "--how",
        "returned to owner",
        "--authority",
        "court order 12",
        "--key",
        "expert.key",
    ]);
    c.refused(
        &["open", "E-0003", "--operations", "x", "--key", "expert.key"],
        "was disposed of at entry",
    );
    assert_eq!(c.verify_json().0, 0);
}

#[test]
fn a_changed_artifact_on_receipt_is_recorded_as_a_discrepancy() {
    let c = Case::new();
    c.ok(&[
        "-C",
        "case",
        "release",
        "E-0002",
        "--to",
        "counsel",
        "--purpose",
        "review",
        "--key",
        "expert.key",
    ]);
    std::fs::write(c.root.join("logs/a.log"), b"log A").unwrap();
    let o = c.scelle(&["accept", "E-0002", "--key", "counsel.key"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("E-0002: DISCREPANCY") && out(&o).contains("a.log: SHA-256 differs"),
        "{}",
        out(&o)
    );
    let accept: serde_json::Value = serde_json::from_str(c.lines().last().unwrap()).unwrap();
    assert_eq!(accept["body"]["received"][0]["matches"], false);
    assert!(accept["body"]["received"][0]["discrepancies"]
        .to_string()
        .contains("a.log"));
    let (code, v) = c.verify_json();
    assert_eq!(code, 0, "the ledger itself is intact");
    let d = v
        .iter()
        .find(|x| x["code"] == "discrepancy")
        .expect("verify reports the discrepancy");
    assert_eq!(
        (d["severity"].as_str(), d["exhibit"].as_str()),
        (Some("warning"), Some("E-0002"))
    );
    // The receiver's copy elsewhere: --path.
    c.ok(&[
        "-C",
        "case",
        "release",
        "E-0002",
        "--to",
        "expert",
        "--purpose",
        "back",
        "--key",
        "counsel.key",
    ]);
    std::fs::create_dir(c.root.join("copy")).unwrap();
    std::fs::write(c.root.join("copy/a.log"), b"log a").unwrap();
    let o = c.scelle(&[
        "accept",
        "E-0002",
        "--path",
        "E-0002=copy",
        "--key",
        "expert.key",
    ]);
    assert!(o.status.success(), "{}", out(&o));
}

#[test]
fn open_and_reseal_record_the_seal_numbers() {
    let c = Case::new();
    c.ok(&[
        "-C",
        "case",
        "open",
        "E-0001",
        "--operations",
        "imaging of the working copy",
        "--present",
        "counsel",
        "--seal-condition",
        "intact",
        "--key",
        "expert.key",
    ]);
    c.refused(
        &[
            "release",
            "E-0001",
            "--to",
            "counsel",
            "--purpose",
            "x",
            "--key",
            "expert.key",
        ],
        "reseal it first",
    );
    c.ok(&[
        "-C",
        "case",
        "reseal",
        "E-0001",
        "--new-seal-no",
        "S-0001-bis",
        "--key",
        "expert.key",
    ]);
    let t: serde_json::Value =
        serde_json::from_slice(&c.scelle(&["show", "E-0001", "--json"]).stdout).unwrap();
    assert_eq!(t["seal_no"], "S-0001-bis");
    let reseal: serde_json::Value = serde_json::from_str(c.lines().last().unwrap()).unwrap();
    assert_eq!(reseal["body"]["recheck"]["matches"], true);
    c.ok(&[
        "-C",
        "case",
        "note",
        "E-0001",
        "--text",
        "no anomaly",
        "--key",
        "counsel.key",
    ]);
    assert_eq!(c.verify_json().0, 0);
}

#[test]
fn revoked_keys_cannot_sign_and_inserted_entries_fail_verification() {
    let c = Case::new();
    c.ok(&[
        "-C",
        "case",
        "key",
        "revoke",
        "counsel",
        "--reason",
        "laptop stolen",
        "--key",
        "expert.key",
    ]);
    c.refused(
        &["note", "--text", "hello", "--key", "counsel.key"],
        "revoked at entry",
    );
    c.refused(
        &[
            "key",
            "revoke",
            "expert",
            "--reason",
            "x",
            "--key",
            "expert.key",
        ],
        "cannot revoke its own key",
    );
    assert_eq!(c.verify_json().0, 0);
    // The thief, holding the file and the stolen key, appends a note.
    let n = c.lines().len() as u64;
    c.forge_append(
        "counsel",
        "note",
        serde_json::json!({"text": "all is well"}),
    );
    let (code, v) = c.verify_json();
    assert_eq!(code, 1);
    let e = errors(&v);
    assert!(
        e.iter().any(|f| f["code"] == "revoked-key"
            && f["entry"] == n
            && f["message"].as_str().unwrap().contains("laptop stolen")),
        "{e:?}"
    );
    // Someone never enrolled likewise.
    let c2 = Case::new();
    let n = c2.lines().len() as u64;
    c2.forge_append("mallory", "note", serde_json::json!({"text": "x"}));
    let (code, v) = c2.verify_json();
    assert_eq!(code, 1);
    assert!(errors(&v)
        .iter()
        .any(|f| f["code"] == "unknown-key" && f["entry"] == n));
    // And a release by a non-holder, correctly signed by an enrolled key.
    let c3 = Case::new();
    let counsel_id = c3.key("counsel").id();
    let clerk_id = c3.key("clerk").id();
    let _ = counsel_id;
    c3.forge_append(
        "counsel",
        "release",
        serde_json::json!({"exhibits": ["E-0001"], "to": clerk_id, "purpose": "x"}),
    );
    let (code, v) = c3.verify_json();
    assert_eq!(code, 1);
    assert!(
        errors(&v)
            .iter()
            .any(|f| f["code"] == "custody" && f["exhibit"] == "E-0001"),
        "{v:?}"
    );
}

#[test]
fn a_rotated_key_hands_over_its_rights_and_its_exhibits() {
    let c = Case::new();
    c.ok(&[
        "-C",
        "case",
        "release",
        "E-0003",
        "--to",
        "counsel",
        "--purpose",
        "x",
        "--key",
        "expert.key",
    ]);
    c.ok(&[
        "-C",
        "case",
        "key",
        "rotate",
        "--old",
        "expert.key",
        "--new",
        "expert2.pub",
    ]);
    c.refused(
        &["note", "--text", "x", "--key", "expert.key"],
        "revoked at entry",
    );
    // The successor keeps the administrator's rights and the holdings.
    c.ok(&[
        "-C",
        "case",
        "open",
        "E-0001",
        "--operations",
        "x",
        "--key",
        "expert2.key",
    ]);
    c.ok(&[
        "-C",
        "case",
        "key",
        "enrol",
        "mallory.pub",
        "--name",
        "mallory",
        "--role",
        "witness",
        "--key",
        "expert2.key",
    ]);
    c.ok(&["-C", "case", "accept", "E-0003", "--key", "counsel.key"]);
    let keys = c.ok(&["-C", "case", "key", "list"]);
    assert!(
        keys.contains("REVOKED at entry") && keys.contains("rotated to"),
        "{keys}"
    );
    let (code, v) = c.verify_json();
    assert_eq!(code, 0, "{v:?}");
}

#[test]
fn witnesses_cosign_checkpoints_and_verify_reports_them() {
    let c = Case::new();
    let held = c.root.join("held-by-clerk.txt");
    let latest = std::fs::read_dir(c.case.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    std::fs::copy(&latest, &held).unwrap();
    let said = c.ok(&[
        "-C",
        "case",
        "cosign",
        held.to_str().unwrap(),
        "--key",
        "clerk.key",
    ]);
    // A date a clerk reads, not seconds since 1970.
    let at = said
        .split(" at ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        at.len() == 20 && at.starts_with("20") && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{said}"
    );
    let text = std::fs::read_to_string(&latest).unwrap();
    assert_eq!(text.matches("\u{2014} ").count(), 2, "{text}");
    let (code, v) = c.verify_json();
    assert_eq!(code, 0);
    let w = v
        .iter()
        .find(|x| x["type"] == "witness")
        .expect("a witness line");
    assert_eq!(w["name"], "clerk");
    // The cosignature is a C2SP cosignature/v1 that verifies independently.
    let note = scelle::format::note::Note::parse(&text).unwrap();
    let clerk = c.key("clerk");
    let sig = &note.signatures[1];
    assert_eq!(
        sig.key_id,
        scelle::format::note::note_key_id_alg("clerk", &clerk.public(), 0x04)
    );
    assert!(scelle::format::cosign::verify_cosignature(sig, &note.text, &clerk.public()).is_some());
    // A witness refuses a checkpoint that does not match the ledger.
    let forged = c.root.join("forged.txt");
    let mut lines: Vec<String> = std::fs::read_to_string(&held)
        .unwrap()
        .split('\n')
        .map(String::from)
        .collect();
    lines[2] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    std::fs::write(&forged, lines.join("\n")).unwrap();
    c.refused(
        &["cosign", forged.to_str().unwrap(), "--key", "clerk.key"],
        "does not match the ledger",
    );
    // Later, the witness proves nothing it saw was rewritten.
    c.ok(&[
        "-C",
        "case",
        "note",
        "--text",
        "later",
        "--key",
        "expert.key",
    ]);
    let o = c.scelle(&["consistency", held.to_str().unwrap(), "--json"]);
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(p["consistent"], true, "{}", out(&o));
    // A witness not enrolled cannot cosign.
    c.refused(
        &["cosign", held.to_str().unwrap(), "--key", "mallory.key"],
        "witness key is not enrolled",
    );
    // A tampered cosignature fails verification.
    let mut bad = text.clone();
    let pos = bad.rfind("\u{2014} clerk ").unwrap() + "\u{2014} clerk ".len() + 20;
    bad.replace_range(
        pos..pos + 1,
        if &bad[pos..pos + 1] == "A" { "B" } else { "A" },
    );
    std::fs::write(&latest, bad).unwrap();
    let (code, v) = c.verify_json();
    assert_eq!(code, 1);
    assert!(
        errors(&v)
            .iter()
            .any(|f| f["code"] == "checkpoint-signature"),
        "{v:?}"
    );
}
