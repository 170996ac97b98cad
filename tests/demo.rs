//! The README's main command: `scelle demo DIR` builds and verifies the demo case.

mod common;

use common::{bin, demo, sha256sum};
use std::path::PathBuf;
use std::process::Command;

/// The demo, a module of the binary (it uses only the library's public API).
#[allow(dead_code)]
#[path = "../src/demo.rs"]
mod bin_demo;

#[test]
fn demo_builds_a_verified_case_and_its_zip_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = demo(&dir);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains(
            "verify --rehash: OK (17 entries, 4 exhibits re-hashed, 0 errors, 0 warnings)"
        ),
        "{out}"
    );
    assert!(
        out.contains("witness counsel has seen tree size 10"),
        "{out}"
    );
    // Counsel's witness server (C2SP tlog-witness) cosigned the latest checkpoint, and the
    // final verification counts that cosignature (checked against counsel's enrolled key).
    let size = out
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("witness counsel: cosigned tree size ")
        })
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no cosignature from the demo's witness server:\n{out}"));
    assert!(
        out.contains(&format!("witness counsel has seen tree size {size}")),
        "{out}"
    );
    assert!(out.contains("witness stopped"), "{out}");
    assert!(tmp
        .path()
        .join("demo/witness-state")
        .read_dir()
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".txt")));
    for step in [
        "opened and re-sealed E-0001 as NSO-DEMO-001-R1 (re-hash matches)",
        "counsel re-hashed E-0003: matches the seal",
        // Real Pegasus indicators planted among clean data: a domain in a log and in Safari
        // history (a subdomain), process names in data-usage records (read as a database:
        // table, column, rowid), a file name.
        "1549 of 1549 indicators used, 7 findings",
        "Pegasus domain-name:value \"free247downloads.com\" in E-0001 private/var/mobile/Library/Safari/History-export.tsv (content at byte 200)",
        "Pegasus file:name \"roleaccountd.plist\" in E-0001 private/var/root/Library/Preferences/roleaccountd.plist (name)",
        "Pegasus process:name \"roleaccountd\" in E-0001 private/var/wireless/Library/Databases/DataUsage.sqlite (sqlite table \"ZPROCESS\" column \"ZPROCNAME\" rowid 4)",
        "Pegasus process:name \"bh\" in E-0001 private/var/wireless/Library/Databases/DataUsage.sqlite (sqlite table \"ZPROCESS\" column \"ZPROCNAME\" rowid 5)",
        "Pegasus domain-name:value \"free247downloads.com\" in E-0002 logs/system_logs.txt (content at byte 119)",
        // The examiner's own notes name the domain to look for: a finding, then dismissed.
        "Pegasus domain-name:value \"free247downloads.com\" in E-0003 (content at byte",
        "expert confirmed finding 8#0 (entry 11)",
        "expert dismissed finding 8#5 (entry 12): E-0003 is the examiner's own acquisition notes",
        // The disk image, an E01 set: its media searched as one content.
        "Pegasus domain-name:value \"weather4free.com\" in E-0004 (content at byte",
        "counsel re-hashed E-0004: matches the seal",
        // The second case and the correlation.
        "1549 of 1549 indicators used, 3 findings",
        "Pegasus process:name \"roleaccountd\" in E-0001 shutdown.log (log line 2)",
        "2 indicators matched in both",
        "shared domain-name:value free247downloads.com [Pegasus]",
        "shared process:name roleaccountd [Pegasus]",
    ] {
        assert!(out.contains(step), "{step} missing from:\n{out}");
    }
    for exhibit in [
        "E-0001 [NSO-DEMO-001] zip",
        "E-0002 [NSO-DEMO-002] directory",
        "E-0003 [NSO-DEMO-003] file",
        "E-0004 [NSO-DEMO-004] ewf",
    ] {
        assert!(out.contains(exhibit), "{exhibit} missing from:\n{out}");
    }
    // The sealed hashes are what sha256sum says.
    let ios_zip = dir.join("artifacts/iphone-ffs.zip");
    let ledger = std::fs::read_to_string(dir.join("case/ledger.jsonl")).unwrap();
    let kinds: Vec<String> = ledger
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut expected = vec![
        "case.open",
        "seal",
        "seal",
        "seal",
        "seal",
        "key.enrol",
        "open",
        "reseal",
        "ioc.scan",
        "release",
        "accept",
        // The expert confirms one finding and dismisses another (FORMAT.md 6.11).
        "ioc.review",
        "ioc.review",
    ];
    // The demo's local TSA (FORMAT.md 6.10), added before the documents, which print the
    // timestamps of the checkpoints they cite and whose signatures it timestamps (PAdES B-T).
    expected.push("tsa.add");
    expected.extend(["report"; 2]);
    expected.push("export");
    assert_eq!(kinds, expected);
    // Each case's checkpoint of its tsa.add is timestamped by the demo's local TSA (OpenSSL's):
    // `openssl ts -verify` accepts each token against its request and the TSA's CA, and against
    // the checkpoint's own text (FORMAT.md 8.6).
    let ca = dir.join("tsa/ca.pem");
    for case in ["case", "case-fr", "case-es"] {
        let cps = dir.join(case).join("checkpoints");
        let size = std::fs::read_to_string(dir.join(case).join("ledger.jsonl"))
            .unwrap()
            .lines()
            .count();
        let tsq = cps.join(format!("{size:012}.demo-tsa.tsq"));
        let tsr = cps.join(format!("{size:012}.demo-tsa.tsr"));
        let o = Command::new("openssl")
            .args(["ts", "-verify", "-queryfile"])
            .arg(&tsq)
            .arg("-in")
            .arg(&tsr)
            .arg("-CAfile")
            .arg(&ca)
            .output()
            .expect("openssl is installed");
        assert!(
            o.status.success(),
            "{case}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let note = std::fs::read_to_string(cps.join(format!("{size:012}.txt"))).unwrap();
        let text = &note[..note.find("\n\n").unwrap() + 1];
        let data = tmp.path().join(format!("{case}.note"));
        std::fs::write(&data, text).unwrap();
        let o = Command::new("openssl")
            .args(["ts", "-verify", "-data"])
            .arg(&data)
            .arg("-in")
            .arg(&tsr)
            .arg("-CAfile")
            .arg(&ca)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{case}: the token is of its checkpoint's text"
        );
    }
    assert!(out.contains("timestamped by TSA demo-tsa at "), "{out}");
    // verify checked the token (FORMAT.md 8.6) and lists the TSA's time and serial.
    let size = std::fs::read_to_string(dir.join("case/ledger.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(
        out.contains(&format!("  checkpoint {size} timestamped by demo-tsa at ")),
        "{out}"
    );
    // The export entry, the last, pins the bundle's bytes and holds the 16 entries before it.
    let ledger = std::fs::read_to_string(dir.join("case/ledger.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "export");
    assert_eq!(
        last["body"]["sha256"].as_str().unwrap(),
        sha256sum(&dir.join("bundle.tar"))
    );
    assert_eq!(last["body"]["ledger_size"], 16);
    // Each case's documents, in its jurisdiction and language, rendered under
    // reports/<jurisdiction>/ and recorded in that case's ledger (and in no other).
    for (case, juris, lang, docs) in [
        ("case", "us", "en", ["expert-report", "certificate"]),
        ("case-fr", "fr", "fr", ["expert-report", "seals"]),
        ("case-es", "es", "es", ["expert-report", "custody"]),
    ] {
        let own = std::fs::read_to_string(dir.join(case).join("ledger.jsonl")).unwrap();
        for doc in docs {
            let pdf = dir.join(format!("reports/{juris}/{doc}-{lang}.pdf"));
            assert!(
                std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"),
                "{}",
                pdf.display()
            );
            let sha = sha256sum(&pdf);
            assert!(own.contains(&sha), "{doc}-{lang} not recorded in {case}");
            assert_eq!(case == "case", ledger.contains(&sha), "{doc}-{lang}");
        }
    }
    assert!(ledger.contains(&sha256sum(&ios_zip)));
    // The iOS extraction arrives as a zip: unzip tests it, and E-0001's members are what
    // `unzip -Z1` lists, each with the SHA-256 of what `unzip -p` writes.
    let z = ios_zip.to_str().unwrap();
    let t = std::process::Command::new("unzip")
        .args(["-tq", z])
        .output()
        .unwrap();
    assert!(t.status.success(), "unzip -t {z}");
    let seal: serde_json::Value = serde_json::from_str(ledger.lines().nth(1).unwrap()).unwrap();
    let members = seal["body"]["artifact"]["members"].as_array().unwrap();
    assert_eq!(seal["body"]["artifact"]["kind"], "zip");
    let listed = std::process::Command::new("unzip")
        .args(["-Z1", z])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        members
            .iter()
            .map(|m| m["path"].as_str().unwrap())
            .collect::<Vec<_>>()
    );
    for m in members {
        let data = std::process::Command::new("unzip")
            .args(["-p", z, m["path"].as_str().unwrap()])
            .output()
            .unwrap()
            .stdout;
        assert_eq!(m["hashes"]["sha256"], common::sha256sum_bytes(&data), "{m}");
        assert_eq!(m["mtime"], 1_631_032_200u64, "{m}");
    }
    // The documents are signed (PAdES B-T: the expert's Ed25519 key, the signature timestamped
    // by the demo's TSA): pyHanko validates one, trusting the certificate written next to it
    // and the TSA's CA, and finds the signature timestamp; without the TSA's CA it refuses.
    let signed = dir.join("reports/us/expert-report-en.pdf");
    let pyhanko = |trust: &[PathBuf]| {
        let mut c = Command::new(common::pyenv_bin("pyhanko"));
        c.args([
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
        ]);
        for t in trust {
            c.arg("--trust").arg(t);
        }
        let o = c.arg("--pretty-print").arg(&signed).output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let signer = dir.join("reports/us/expert-report-en-signer.pem");
    let (valid, verdict) = pyhanko(&[signer.clone(), dir.join("tsa/ca.pem")]);
    assert!(
        valid && verdict.contains("The signature is judged VALID"),
        "{verdict}"
    );
    assert!(verdict.contains("timestamp"), "{verdict}");
    let (valid, verdict) = pyhanko(&[signer]);
    assert!(
        !valid,
        "the signature timestamp of an untrusted TSA: {verdict}"
    );
    // The FRE 902(14) certificate compares the acquisition tool's hash of the original with
    // the sealed copy's: the demo gives the tool's hash of the zip, as sha256sum computes it.
    let cert = Command::new("pdftotext")
        .arg(dir.join("reports/us/certificate-en.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    let cert = String::from_utf8_lossy(&cert.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        cert.contains("SHA-256 of the original")
            && cert.matches(&sha256sum(&ios_zip)).count() >= 2
            && cert.contains("MATCH — the hash value of the copy is identical"),
        "{cert}"
    );
    // The scan pins the IOC file as sha256sum sees it; the expert report shows the findings
    // and the correlation annex.
    assert!(ledger.contains(&sha256sum(&dir.join("ioc/pegasus.stix2"))));
    let text = Command::new("pdftotext")
        .arg(dir.join("reports/us/expert-report-en.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    for want in [
        "Indicators of compromise",
        "bun54l2b67.get1tn0w.free247do",
        "Annex: correlation of indicators across cases",
        "DP 150/2022",
    ] {
        assert!(text.contains(want), "{want} missing from the expert report");
    }
    // The indicator types print whole in the findings (2 rows) and in the correlation annex
    // (3 rows): the annex's long paths break after their `/`, not the type column's words.
    assert!(
        text.matches("domain-name:value").count() >= 5,
        "an indicator type broken: {text}"
    );
    assert!(ledger.contains(&sha256sum(&dir.join("artifacts/acquisition-notes.txt"))));
    // The case verifies with the CLI too, and the keys are the documented ones.
    let o = bin()
        .args([
            "-C",
            dir.join("case").to_str().unwrap(),
            "verify",
            "--rehash",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = bin()
        .args(["key", "show", dir.join("keys/expert.key").to_str().unwrap()])
        .env("SCELLE_PASSPHRASE", bin_demo::DEMO_PASSPHRASE)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The bundle: exported, verified, imported into a second directory that third-party tools
    // accept as it is.
    assert!(out.contains("verify-bundle: OK"), "{out}");
    let imported = dir.join("imported");
    for args in [
        vec!["sha256sum", "-c", "--quiet", "tagmanifest-sha256.txt"],
        vec!["sha256sum", "-c", "--quiet", "manifest-sha256.txt"],
        vec!["python3", "data/kit/verify_case.py", "data/case"],
        vec!["python3", "data/kit/verify_bundle.py", "../bundle.tar"],
        vec!["python3", "data/kit/verify_bundle.py", "."],
        vec![
            "python3",
            "data/kit/verify_case.py",
            "data/case",
            "--prove",
            "data/proofs/E-0001.json",
        ],
    ] {
        let o = Command::new(args[0])
            .args(&args[1..])
            .current_dir(&imported)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(imported.join("data/reports/expert-report-en.pdf").is_file());
    assert!(imported.join("data/reports/certificate-en.pdf").is_file());
    // The US bundle carries the US case's documents only.
    assert!(!imported.join("data/reports/expert-report-fr.pdf").exists());
    assert_eq!(
        sha256sum(&imported.join("data/artifacts/E-0001/iphone-ffs.zip")),
        sha256sum(&dir.join("artifacts/iphone-ffs.zip"))
    );
    assert_eq!(
        sha256sum(&imported.join("data/artifacts/E-0004/usb-stick.E01")),
        sha256sum(&dir.join("artifacts/usb-stick.E01"))
    );
    // A second demo elsewhere packs the same zip bytes.
    let dir2 = tmp.path().join("demo2");
    assert!(demo(&dir2).status.success());
    assert_eq!(
        sha256sum(&ios_zip),
        sha256sum(&dir2.join("artifacts/iphone-ffs.zip"))
    );
    // Re-running into an existing demo is refused without --force, replaced with it.
    let o = demo(&dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let o = bin().args(["demo", "--force"]).arg(&dir).output().unwrap();
    assert!(o.status.success());
    // --force never deletes a directory the demo did not make.
    let other = tmp.path().join("precious");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("evidence.bin"), b"keep me").unwrap();
    let o = bin()
        .args(["demo", "--force"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read(other.join("evidence.bin")).unwrap(),
        b"keep me"
    );
}
