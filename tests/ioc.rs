//! IOC scans end to end through the CLI: every indicator form MVT reads, the subdomain rule,
//! tar members, the refusal to scan a changed exhibit, malformed bundles, negative results,
//! the recorded entry pinning the IOC file's hash (checked with sha256sum), correlation.

mod common;

use common::{key_pair, ok, run, sha256sum, PASS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const PEGASUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/demo/ioc/pegasus.stix2"
);

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Case {
    fn new(id: &str) -> Case {
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
            id,
            "--title",
            "Pegasus test case",
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

    fn seal(&self, path: &Path) {
        ok(&run(&[
            "-C",
            self.c(),
            "seal",
            path.to_str().unwrap(),
            "--key",
            self.key.to_str().unwrap(),
        ]));
    }

    fn scan(&self, stix: &[&Path], exhibits: &[&str]) -> Output {
        let mut args = vec!["-C", self.c(), "ioc", "scan", "--json", "--key"];
        args.push(self.key.to_str().unwrap());
        for s in stix {
            args.push("--stix");
            args.push(s.to_str().unwrap());
        }
        args.extend(exhibits);
        run(&args)
    }

    fn ledger(&self) -> Vec<u8> {
        std::fs::read(self.case.join("ledger.jsonl")).unwrap()
    }
}

fn tar_of(path: &Path, members: &[(&str, &[u8])]) {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    std::fs::write(path, b.into_inner().unwrap()).unwrap();
}

/// A STIX bundle with one indicator per pattern, all indicating "TestMalware".
fn bundle(path: &Path, patterns: &[&str]) {
    let mut objects = vec![serde_json::json!({
        "type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-0000-0000-000000000001",
        "name": "TestMalware", "is_family": false
    })];
    for (i, p) in patterns.iter().enumerate() {
        let id = format!("indicator--00000000-0000-0000-0000-{:012}", i);
        objects.push(serde_json::json!({
            "type": "indicator", "spec_version": "2.1", "id": id, "pattern": p,
            "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"
        }));
        objects.push(serde_json::json!({
            "type": "relationship", "spec_version": "2.1",
            "id": format!("relationship--00000000-0000-0000-0000-{:012}", i),
            "relationship_type": "indicates", "source_ref": id,
            "target_ref": "malware--00000000-0000-0000-0000-000000000001"
        }));
    }
    let b = serde_json::json!({"type": "bundle", "id": "bundle--00000000-0000-0000-0000-0000000000aa", "objects": objects});
    std::fs::write(path, serde_json::to_vec_pretty(&b).unwrap()).unwrap();
}

fn scan_body(stdout: &str) -> Value {
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    v["scan"].clone()
}

/// (indicator value, on, member) of every match (finding).
fn matched(scan: &Value) -> Vec<(String, String, String)> {
    records(scan, "matches")
}

/// (indicator value, on, member) of every mention (FORMAT.md 6.8: not findings).
fn mentioned(scan: &Value) -> Vec<(String, String, String)> {
    records(scan, "mentions")
}

fn records(scan: &Value, what: &str) -> Vec<(String, String, String)> {
    scan[what]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["value"].as_str().unwrap().to_string(),
                m["on"].as_str().unwrap().to_string(),
                m["member"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_indicator_form_matches_in_tar_members_and_nothing_else_does() {
    let c = Case::new("T-1");
    let cert = b"a DER certificate, as the acquisition tool extracted it";
    let sha256_of = |b: &[u8]| {
        use sha2::Digest;
        hex(&sha2::Sha256::digest(b))
    };
    let clean: &[u8] =
        b"nothing to see: myweather4free.com notroleaccountd 10.1.2.34 weather4free.com.evil.net";
    let members: Vec<(&str, &[u8])> = vec![
        (
            "private/var/log/dns.log",
            b"resolve api.Weather4Free.com\nconnect 10.1.2.3:443\n",
        ),
        (
            "private/var/log/mail.txt",
            b"From: <bad@mail.example>\nhttps://t.example/p\n",
        ),
        (
            "private/var/log/ps.txt",
            b"501 1433 /usr/libexec/launchrexd\n",
        ),
        (
            "private/var/root/Library/Preferences/roleaccountd.plist",
            b"<plist/>",
        ),
        ("private/var/tmp/hooker", b"\x7fELF"),
        (
            "private/var/apps.txt",
            b"installed com.bad.app\n[persist.bad.flag]: [1]\n",
        ),
        (
            "private/var/profiles.plist",
            b"<string>76dab334-7e17-475d-a5d6-0794eb5818a5</string>",
        ),
        ("private/var/blob.bin", b"known bad content"),
        ("private/var/cert.der", cert),
        ("private/var/clean.txt", clean),
    ];
    let tar = c.root.join("ffs.tar");
    tar_of(&tar, &members);
    c.seal(&tar);
    let blob_sha256 = sha256_of(b"known bad content");
    let blob_md5 = {
        use md5::Digest;
        hex(&md5::Md5::digest(b"known bad content"))
    };
    let patterns = [
        "[domain-name:value='weather4free.com']".to_string(),
        "[ipv4-addr:value='10.1.2.3']".into(),
        "[email-addr:value='bad@mail.example']".into(),
        "[url:value='https://t.example/p']".into(),
        "[process:name='launchrexd']".into(),
        "[file:name='roleaccountd.plist']".into(),
        "[file:path='/private/var/tmp/hooker']".into(),
        "[app:id='com.bad.app']".into(),
        "[android-property:name='persist.bad.flag']".into(),
        "[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']".into(),
        format!("[file:hashes.sha256='{blob_sha256}']"),
        format!("[file:hashes.'SHA-256'='{}']", blob_sha256.to_uppercase()),
        format!("[file:hashes.md5='{blob_md5}']"),
        format!("[app:cert.sha256='{}']", sha256_of(cert)),
        "[process:name='notpresentd']".into(),
        "[domain-name:value='a.com'] OR [domain-name:value='b.com']".into(),
    ];
    let stix = c.root.join("test.stix2");
    let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
    bundle(&stix, &refs);
    let scan = scan_body(&ok(&c.scan(&[&stix], &[])));
    let got = matched(&scan);
    let expect = |value: &str, on: &str, member: &str| {
        assert!(
            got.iter()
                .any(|g| g.0 == value && g.1 == on && g.2 == member),
            "{value} on {on} in {member} not found in {got:#?}"
        );
    };
    expect("weather4free.com", "content", "private/var/log/dns.log");
    expect("10.1.2.3", "content", "private/var/log/dns.log");
    expect("bad@mail.example", "content", "private/var/log/mail.txt");
    expect("https://t.example/p", "content", "private/var/log/mail.txt");
    // Process names, app ids, properties and profile ids in raw text are mentions only
    // (FORMAT.md 6.8): not in a place where their kind means something.
    let mentions = mentioned(&scan);
    for (value, member) in [
        ("launchrexd", "private/var/log/ps.txt"),
        ("com.bad.app", "private/var/apps.txt"),
        ("persist.bad.flag", "private/var/apps.txt"),
        (
            "76dab334-7e17-475d-a5d6-0794eb5818a5",
            "private/var/profiles.plist",
        ),
    ] {
        assert!(
            mentions
                .iter()
                .any(|g| g.0 == value && g.1 == "content" && g.2 == member),
            "{value} in {member} not a mention: {mentions:#?}"
        );
        assert!(got.iter().all(|g| g.0 != value), "{value} is no finding");
    }
    assert_eq!(mentions.len(), 4, "{mentions:#?}");
    expect(
        "roleaccountd.plist",
        "name",
        "private/var/root/Library/Preferences/roleaccountd.plist",
    );
    expect("/private/var/tmp/hooker", "path", "private/var/tmp/hooker");
    expect(&blob_sha256, "hash", "private/var/blob.bin");
    expect(&blob_md5, "hash", "private/var/blob.bin");
    expect(&sha256_of(cert), "hash", "private/var/cert.der");
    // Both spellings of the SHA-256 indicator matched: two indicators, one digest.
    assert_eq!(got.iter().filter(|g| g.0 == blob_sha256).count(), 2);
    // The subdomain was read back whole; the clean member gave nothing.
    let dns = scan["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == "weather4free.com")
        .unwrap();
    assert_eq!(dns["matched"], "api.weather4free.com");
    assert_eq!(
        dns["offset"], 12,
        "the offset of the value itself, after \"api.\""
    );
    assert_eq!(dns["indicates"], serde_json::json!(["TestMalware"]));
    assert!(
        got.iter().all(|g| g.2 != "private/var/clean.txt"),
        "{got:#?}"
    );
    assert_eq!(got.len(), 10, "{got:#?}");
    // The skipped compound pattern is counted with its reason, not dropped.
    let f = &scan["ioc_files"][0];
    assert_eq!(f["indicator_objects"], 16);
    assert_eq!(f["used"], 15);
    assert_eq!(f["skipped"][0]["count"], 1);
    assert!(f["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("single equality"));
    // The entry pins the IOC file's hash, as sha256sum computes it; the case keeps a copy.
    let sum = sha256sum(&stix);
    assert_eq!(f["sha256"], sum.as_str());
    let copy = c.case.join("ioc").join(format!("{sum}.stix2"));
    assert_eq!(sha256sum(&copy), sum);
    let v = run(&["-C", c.c(), "verify"]);
    ok(&v);
    // Altering the copy is an error of verification.
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&copy, bytes).unwrap();
    let v = run(&["-C", c.c(), "verify", "--json"]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stdout).contains("\"code\":\"ioc-file\""));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn real_pegasus_indicators_in_a_directory_and_a_negative_result() {
    let c = Case::new("T-2");
    let logs = c.root.join("logs");
    std::fs::create_dir_all(logs.join("sub")).unwrap();
    std::fs::write(
        logs.join("sub/system_logs.txt"),
        b"mDNSResponder: getaddrinfo start -- hostname: bun54l2b67.get1tn0w.free247downloads.com\n",
    )
    .unwrap();
    std::fs::write(logs.join("ps.txt"), b"/usr/libexec/mediaserverd\n").unwrap();
    c.seal(&logs);
    let clean = c.root.join("notes.txt");
    std::fs::write(&clean, b"acquisition notes, nothing else\n").unwrap();
    c.seal(&clean);
    let peg = Path::new(PEGASUS);
    let scan = scan_body(&ok(&c.scan(&[peg], &["E-0001"])));
    let got = matched(&scan);
    assert_eq!(
        got,
        vec![(
            "free247downloads.com".to_string(),
            "content".to_string(),
            "sub/system_logs.txt".to_string()
        )]
    );
    assert_eq!(scan["ioc_files"][0]["used"], 1549);
    assert_eq!(
        scan["ioc_files"][0]["names_only"], 1,
        "the two-letter process name bh"
    );
    assert_eq!(scan["exhibits"][0]["files"], 2);
    // A scan that matches nothing is recorded too.
    let scan = scan_body(&ok(&c.scan(&[peg], &["E-0002"])));
    assert_eq!(scan["matches"], serde_json::json!([]));
    assert_eq!(scan["exhibits"][0]["matches"], 0);
    let text = ok(&run(&["-C", c.c(), "ioc", "findings"]));
    assert!(text.contains("entry 3 at"), "{text}");
    assert!(text.contains("entry 4 at"), "{text}");
    assert!(text.contains("no indicator matched"), "{text}");
    let lines = ok(&run(&["-C", c.c(), "ioc", "findings", "--json"]));
    let scans: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "scan")
        .collect();
    assert_eq!(scans.len(), 2);
    for v in scans {
        assert_eq!(v["scan"]["ioc_files"][0]["sha256"], sha256sum(peg).as_str());
    }
}

#[test]
fn a_changed_exhibit_is_not_scanned_and_nothing_is_written() {
    let c = Case::new("T-3");
    let tar = c.root.join("ffs.tar");
    tar_of(
        &tar,
        &[("a.log", b"free247downloads.com"), ("b.log", b"clean")],
    );
    c.seal(&tar);
    // One byte of a member changes after sealing.
    let mut bytes = std::fs::read(&tar).unwrap();
    let at = bytes.windows(5).position(|w| w == b"clean").unwrap();
    bytes[at] = b'C';
    std::fs::write(&tar, bytes).unwrap();
    let before = c.ledger();
    let o = c.scan(&[Path::new(PEGASUS)], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E-0001"), "{err}");
    assert!(err.contains("no longer matches its seal"), "{err}");
    assert!(err.contains("b.log"), "{err}");
    assert!(err.contains("nothing recorded"), "{err}");
    assert_eq!(c.ledger(), before);
    assert!(!c.case.join("ioc").exists());
    // A missing exhibit is refused the same way.
    std::fs::remove_file(&tar).unwrap();
    let o = c.scan(&[Path::new(PEGASUS)], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(c.ledger(), before);
}

#[test]
fn malformed_bundles_are_refused_naming_the_object() {
    let c = Case::new("T-4");
    let f = c.root.join("a.txt");
    std::fs::write(&f, b"x").unwrap();
    c.seal(&f);
    let before = c.ledger();
    let cases: &[(&str, &str)] = &[
        ("{\"type\": \"bundle\", \"objects\": [", "not JSON"),
        ("{\"type\": \"report\", \"objects\": []}", "not a STIX 2.1 bundle"),
        (
            "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--1\"}]}",
            "object 0 (indicator--1): an indicator needs a string \"pattern\"",
        ),
        (
            "{\"type\":\"bundle\",\"objects\":[{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"x\"},{\"type\":\"relationship\",\"id\":\"relationship--1\",\"relationship_type\":\"indicates\"}]}",
            "object 1 (relationship--1)",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = c.root.join(format!("bad{i}.stix2"));
        std::fs::write(&p, text).unwrap();
        let o = c.scan(&[&p], &[]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(p.to_str().unwrap()), "{err}");
        assert!(err.contains(want), "{want} not in {err}");
        assert_eq!(c.ledger(), before);
    }
    // Unknown exhibit, disposed exhibit: refused, nothing written.
    let o = c.scan(&[Path::new(PEGASUS)], &["E-0009"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(c.ledger(), before);
}

#[test]
fn correlation_names_the_shared_infrastructure_on_each_side() {
    let fr = Case::new("FR-1");
    let es = Case::new("ES-1");
    let a = fr.root.join("fr.log");
    std::fs::write(
        &a,
        b"hostname: aaa.free247downloads.com\nProcess:   roleaccountd [228]\n",
    )
    .unwrap();
    fr.seal(&a);
    let b = es.root.join("es-logs");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(b.join("shutdown.log"), b"remaining client pid: 12 (/usr/libexec/roleaccountd)\nbbb.free247downloads.com\nweather4free.com\n").unwrap();
    es.seal(&b);
    ok(&fr.scan(&[Path::new(PEGASUS)], &[]));
    ok(&es.scan(&[Path::new(PEGASUS)], &[]));
    let o = ok(&run(&["ioc", "correlate", fr.c(), es.c(), "--json"]));
    let v: Value = serde_json::from_str(o.trim()).unwrap();
    let shared: Vec<(&str, &str)> = v["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shared,
        vec![
            ("domain-name:value", "free247downloads.com"),
            ("process:name", "roleaccountd")
        ]
    );
    assert_eq!(v["cases"][0]["case_id"], "FR-1");
    assert_eq!(v["cases"][1]["case_id"], "ES-1");
    assert_eq!(
        v["shared_ioc_files"][0],
        sha256sum(Path::new(PEGASUS)).as_str()
    );
    // The case's identity is the signed entry 0's: an edited case.json changes nothing, and a
    // missing one does not make the directory "not a case".
    let json = es.case.join("case.json");
    let genuine = std::fs::read(&json).unwrap();
    let forged = String::from_utf8(genuine.clone())
        .unwrap()
        .replace("\"ES-1\"", "\"FORGED-9\"");
    std::fs::write(&json, forged).unwrap();
    let o = ok(&run(&["ioc", "correlate", fr.c(), es.c(), "--json"]));
    let f: Value = serde_json::from_str(o.trim()).unwrap();
    assert_eq!(f["cases"][1]["case_id"], "ES-1", "{o}");
    assert!(!o.contains("FORGED"), "{o}");
    std::fs::remove_file(&json).unwrap();
    let o = ok(&run(&["ioc", "correlate", fr.c(), es.c(), "--json"]));
    let f: Value = serde_json::from_str(o.trim()).unwrap();
    assert_eq!(f["cases"][1]["case_id"], "ES-1", "{o}");
    std::fs::write(&json, genuine).unwrap();
    let dom = &v["shared"][0]["matches"];
    assert_eq!(dom[0]["matched"], "aaa.free247downloads.com");
    assert_eq!(dom[1]["matched"], "bbb.free247downloads.com");
    assert_eq!(dom[1]["member"], "shutdown.log");
    // weather4free.com matched only in one case: not shared.
    let text = ok(&run(&["ioc", "correlate", fr.c(), es.c()]));
    assert!(
        text.contains("2 indicators matched in more than one case"),
        "{text}"
    );
    assert!(
        !text.contains("SHARED domain-name:value \"weather4free.com\""),
        "{text}"
    );
    // The Spanish side as the evidence bundle France receives: the same correlation, the
    // bundle named as the side; a tampered bundle is refused.
    let bundle = es.root.join("es-bundle.tar");
    ok(&run(&[
        "-C",
        es.c(),
        "export",
        "--out",
        bundle.to_str().unwrap(),
        "--key",
        es.key.to_str().unwrap(),
    ]));
    let o = ok(&run(&[
        "ioc",
        "correlate",
        fr.c(),
        bundle.to_str().unwrap(),
        "--json",
    ]));
    let w: Value = serde_json::from_str(o.trim()).unwrap();
    assert_eq!(w["shared"], v["shared"]);
    assert_eq!(w["cases"][1]["case_id"], "ES-1");
    assert_eq!(w["cases"][1]["path"], bundle.to_str().unwrap());
    let mut t = std::fs::read(&bundle).unwrap();
    let at = t.windows(4).position(|w| w == b"\"seq").unwrap() + 2;
    t[at] ^= 1;
    let bad = es.root.join("bad-bundle.tar");
    std::fs::write(&bad, t).unwrap();
    let o = run(&["ioc", "correlate", fr.c(), bad.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not verify"));
    // A case that does not verify is not correlated.
    let mut l = std::fs::read(es.case.join("ledger.jsonl")).unwrap();
    let at = l.len() - 20;
    l[at] ^= 1;
    std::fs::write(es.case.join("ledger.jsonl"), l).unwrap();
    let o = run(&["ioc", "correlate", fr.c(), es.c()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not verify"));
}
