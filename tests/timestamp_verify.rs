//! RFC 3161 timestamps of checkpoints in `verify` and in the independent verifier (FORMAT.md
//! 8.6): a case whose administrator added a TSA (`tsa.add`, its CA made here with openssl),
//! whose checkpoints carry tokens of OpenSSL's own TSA (`openssl ts -reply`). Both verifiers
//! accept the good case and list the TSA's time, and both detect each alteration with the
//! same code: a token of another checkpoint, a token from a TSA outside the case's CA, a
//! back-dated entry, a flipped byte, another request's nonce, an unknown TSA name.

mod common;
#[path = "common/tsa_pki.rs"]
mod tsa_pki;

use common::{run_ok, scelle, PASS};
use scelle::format::body::{Body, NoteBody, TsaAdd};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tsa_pki::{Eku, KeyType, Pki};

struct Fixture {
    _dir: tempfile::TempDir,
    case: PathBuf,
    key: PathBuf,
    pki: Pki,
}

fn b64(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

impl Fixture {
    /// A case (entry 0, a seal), a TSA `tsa1` (ECDSA P-256 under CA `ca`) added by the
    /// administrator: three entries, checkpoints 2 and 3.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let (case, key) =
            common::init_case(dir.path(), "TS-1", "Timestamps", &["--court", "Test Court"]);
        fs::write(dir.path().join("a.txt"), "evidence\n").unwrap();
        run_ok(
            scelle()
                .arg("-C")
                .arg(&case)
                .args(["seal", "a.txt", "--key"])
                .arg(&key)
                .current_dir(dir.path()),
        );
        let pki = Pki::new(&dir.path().join("pki"));
        pki.ca("ca");
        pki.tsa("tsa1", "ca", KeyType::P256, Eku::Critical, None);
        let fx = Fixture {
            _dir: dir,
            case,
            key,
            pki,
        };
        let ca = fx.pki.der("ca");
        fx.append(
            Body::TsaAdd(TsaAdd {
                name: "tsa1".into(),
                url: "http://127.0.0.1:9/tsa".into(),
                ca: vec![b64(&ca)],
            }),
            None,
        );
        fx
    }

    /// Appends `body` signed by the expert (dated `time`, or now) and writes its checkpoint.
    fn append(&self, body: Body, time: Option<&str>) {
        let case = scelle::CaseDir::open(&self.case).unwrap();
        let key = scelle::load_signing_key(&self.key, &PASS.to_string().into()).unwrap();
        let mut app = scelle::Appender::open(&case, &key).unwrap();
        let time = time
            .map(String::from)
            .unwrap_or_else(scelle::format::time::now_utc);
        app.append(&body, &key, time).unwrap();
        app.finish(&key).unwrap();
    }

    fn checkpoint(&self, size: u64) -> PathBuf {
        self.case.join(format!("checkpoints/{size:012}.txt"))
    }

    /// The note text of checkpoint `size`: its three lines.
    fn text(&self, size: u64) -> Vec<u8> {
        let note = fs::read_to_string(self.checkpoint(size)).unwrap();
        let text: String = note.split_inclusive('\n').take(3).collect();
        text.into_bytes()
    }

    /// Timestamps `data` with TSA certificate `tsa` of the PKI and stores the request and
    /// response as checkpoint `size`'s timestamp by `name`.
    fn stamp(&self, tsa: &str, data: &[u8], size: u64, name: &str) -> PathBuf {
        let (tsq, tsr) = self.pki.stamp(tsa, data, "req");
        let tsr_path = self.case.join(format!("checkpoints/{size:012}.{name}.tsr"));
        fs::write(
            self.case.join(format!("checkpoints/{size:012}.{name}.tsq")),
            &tsq,
        )
        .unwrap();
        fs::write(&tsr_path, &tsr).unwrap();
        tsr_path
    }

    /// `scelle verify --json`: (ok, findings as (code, file, entry, is error), timestamps).
    #[allow(clippy::type_complexity)]
    fn scelle_verify(&self) -> (bool, Vec<(String, String, Option<u64>, bool)>, Vec<Value>) {
        let o = scelle()
            .arg("-C")
            .arg(&self.case)
            .args(["verify", "--json"])
            .output()
            .unwrap();
        let mut findings = Vec::new();
        let mut stamps = Vec::new();
        let mut ok = None;
        for line in String::from_utf8(o.stdout).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            match v["type"].as_str() {
                Some("finding") => findings.push((
                    v["code"].as_str().unwrap().to_string(),
                    v["file"].as_str().unwrap_or("").to_string(),
                    v["entry"].as_u64(),
                    v["severity"] == "error",
                )),
                Some("timestamp") => stamps.push(v),
                Some("summary") => ok = v["ok"].as_bool(),
                _ => {}
            }
        }
        assert_eq!(ok, Some(o.status.success()));
        (o.status.success(), findings, stamps)
    }

    /// verify_case.py: (ok, its output).
    fn python_verify(&self) -> (bool, String) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py");
        let o = Command::new("python3")
            .arg(script)
            .arg(&self.case)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        (o.status.success(), out)
    }

    /// Both verifiers fail, each with `code` (an error) at `file` and no other error code.
    fn both_refuse(&self, code: &str, file: &str) {
        let (ok, findings, _) = self.scelle_verify();
        assert!(!ok, "scelle verify accepts: {findings:?}");
        assert!(
            findings
                .iter()
                .any(|(c, f, _, _)| c == code && f.ends_with(file)),
            "scelle verify: no {code} at {file}: {findings:?}"
        );
        let (ok, out) = self.python_verify();
        assert!(!ok, "verify_case.py accepts:\n{out}");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("ERROR [{code}] ")) && l.contains(file)),
            "verify_case.py: no {code} at {file}:\n{out}"
        );
        // The same error codes, nothing else.
        let scelle_codes: std::collections::BTreeSet<&str> = findings
            .iter()
            .filter(|f| f.3)
            .map(|f| f.0.as_str())
            .collect();
        let python_codes: std::collections::BTreeSet<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("ERROR ["))
            .filter_map(|l| l.split(']').next())
            .collect();
        assert_eq!(scelle_codes, python_codes, "{findings:?}\n{out}");
    }
}

#[test]
fn a_good_timestamp_verifies_in_both_and_its_time_is_listed() {
    let fx = Fixture::new();
    let size = 3;
    let text = fx.text(size);
    fx.stamp("tsa1", &text, size, "tsa1");
    let (ok, findings, stamps) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(stamps.len(), 1, "{stamps:?}");
    let t = &stamps[0];
    assert_eq!(t["tsa"], "tsa1");
    assert_eq!(t["size"], 3);
    assert_eq!(t["serial"], "02");
    assert_eq!(t["policy"], "1.2.3.4.1");
    assert_eq!(t["signer"], "CN=tsa1");
    let time = t["time"].as_str().unwrap().to_string();
    // The text output lists it.
    let o = scelle()
        .arg("-C")
        .arg(&fx.case)
        .arg("verify")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "checkpoint 3 timestamped by tsa1 at {time} (serial 02)"
        )),
        "{out}"
    );
    let (ok, out) = fx.python_verify();
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!(
            "TIMESTAMP checkpoints/000000000003.tsa1.tsr: checkpoint 3 timestamped by tsa1 at {time} (serial 02)"
        )),
        "{out}"
    );
    // openssl ts -verify agrees.
    let dir = fx.case.join("checkpoints");
    let ca = fx.pki.dir.join("ca.pem");
    let o = Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-queryfile",
            "000000000003.tsa1.tsq",
            "-in",
            "000000000003.tsa1.tsr",
            "-CAfile",
        ])
        .arg(&ca)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_token_of_another_checkpoint_is_refused_by_both() {
    let fx = Fixture::new();
    let other = fx.text(2);
    fx.stamp("tsa1", &other, 3, "tsa1");
    fx.both_refuse("timestamp-imprint", "000000000003.tsa1.tsr");
}

#[test]
fn a_token_from_a_tsa_outside_the_case_ca_is_refused_by_both() {
    let fx = Fixture::new();
    fx.pki.ca("rogue-ca");
    fx.pki
        .tsa("rogue", "rogue-ca", KeyType::Rsa, Eku::Critical, None);
    let text = fx.text(3);
    fx.stamp("rogue", &text, 3, "tsa1");
    fx.both_refuse("timestamp-untrusted", "000000000003.tsa1.tsr");
}

#[test]
fn a_tsa_under_an_intermediate_ca_without_extended_key_usage_verifies_in_both() {
    // Commercial TSAs sign with a certificate issued by an intermediate CA, which often has no
    // extendedKeyUsage (unrestricted, RFC 5280 4.2.1.12): the case names the root.
    let fx = Fixture::new();
    fx.pki.sub_ca("sub", "ca", false);
    fx.pki
        .tsa("tsa-sub", "sub", KeyType::P256, Eku::Critical, None);
    let text = fx.text(3);
    fx.stamp("tsa-sub", &text, 3, "tsa1");
    let (ok, findings, stamps) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert_eq!(stamps.len(), 1, "{stamps:?}");
    assert_eq!(stamps[0]["signer"], "CN=tsa-sub");
    let (ok, out) = fx.python_verify();
    assert!(ok, "{out}");
    assert!(out.contains("timestamped by tsa1"), "{out}");

    // An intermediate whose extendedKeyUsage allows TLS servers only is not a timestamping
    // authority's: `verify` refuses it. `openssl ts -verify` (so the python verifier) reads no
    // extendedKeyUsage but the TSA's own and accepts it: the one difference, SECURITY.md 13.16.
    fx.pki.sub_ca("sub-tls", "ca", true);
    fx.pki
        .tsa("tsa-tls", "sub-tls", KeyType::P256, Eku::Critical, None);
    fx.stamp("tsa-tls", &text, 3, "tsa1");
    let (ok, findings, _) = fx.scelle_verify();
    assert!(!ok);
    assert!(
        findings
            .iter()
            .any(|(c, f, _, e)| c == "timestamp-untrusted"
                && f.ends_with("000000000003.tsa1.tsr")
                && *e),
        "{findings:?}"
    );
    let (ok, out) = fx.python_verify();
    assert!(ok, "{out}");
}

#[test]
fn a_flipped_byte_in_the_token_is_refused_by_both() {
    let fx = Fixture::new();
    let text = fx.text(3);
    let tsr = fx.stamp("tsa1", &text, 3, "tsa1");
    let mut bytes = fs::read(&tsr).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01; // the signature's last byte
    fs::write(&tsr, bytes).unwrap();
    fx.both_refuse("timestamp-signature", "000000000003.tsa1.tsr");
}

#[test]
fn another_requests_nonce_is_refused_by_both() {
    let fx = Fixture::new();
    let text = fx.text(3);
    fx.stamp("tsa1", &text, 3, "tsa1");
    let tsr = fs::read(fx.case.join("checkpoints/000000000003.tsa1.tsr")).unwrap();
    fx.stamp("tsa1", &text, 3, "tsa1"); // a second request and answer
    fs::write(fx.case.join("checkpoints/000000000003.tsa1.tsr"), tsr).unwrap(); // first answer
    fx.both_refuse("timestamp-nonce", "000000000003.tsa1.tsr");
}

#[test]
fn a_back_dated_entry_is_refused_by_both() {
    let fx = Fixture::new();
    // An entry dated an hour after the TSA saw the checkpoint that covers it: its date is
    // false (it claims to be later than a time by which it provably existed).
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    fx.append(
        Body::Note(NoteBody {
            text: "dated in the future".into(),
            exhibit: None,
        }),
        Some(&scelle::format::time::format_utc(later)),
    );
    let text = fx.text(4);
    fx.stamp("tsa1", &text, 4, "tsa1");
    fx.both_refuse("backdated", "000000000004.tsa1.tsr");
    let (_, findings, _) = fx.scelle_verify();
    let backdated: Vec<_> = findings.iter().filter(|f| f.0 == "backdated").collect();
    assert_eq!(backdated.len(), 1, "{findings:?}");
    assert_eq!(backdated[0].2, Some(3));
    // Within the 300 s skew: accepted.
    let fx = Fixture::new();
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(200);
    fx.append(
        Body::Note(NoteBody {
            text: "clock a little ahead".into(),
            exhibit: None,
        }),
        Some(&scelle::format::time::format_utc(soon)),
    );
    let text = fx.text(4);
    fx.stamp("tsa1", &text, 4, "tsa1");
    let (ok, findings, _) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert!(fx.python_verify().0);
}

#[test]
fn a_token_named_for_no_tsa_of_the_case_is_a_warning_in_both() {
    let fx = Fixture::new();
    let text = fx.text(3);
    fx.stamp("tsa1", &text, 3, "nobody");
    let (ok, findings, stamps) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert!(stamps.is_empty());
    assert!(
        findings
            .iter()
            .any(|(c, f, _, _)| c == "timestamp-unknown-tsa"
                && f.ends_with("000000000003.nobody.tsr"))
    );
    let (ok, out) = fx.python_verify();
    assert!(ok, "{out}");
    assert!(
        out.contains("WARNING [timestamp-unknown-tsa] checkpoints/000000000003.nobody.tsr"),
        "{out}"
    );
}

/// Reports print, for each timestamped checkpoint, the TSA, its time and the token's serial
/// (read back with pdftotext), in each language.
#[test]
fn reports_print_the_tsa_time_and_serial() {
    let fx = Fixture::new();
    let text = fx.text(3);
    fx.stamp("tsa1", &text, 3, "tsa1");
    let (_, _, stamps) = fx.scelle_verify();
    let time = stamps[0]["time"].as_str().unwrap().to_string();
    for (lang, words) in [
        ("en", "tsa1 (RFC 3161) timestamped tree size 3 at"),
        (
            "fr",
            "tsa1 (RFC 3161) a horodaté l'état du registre à 3 entrées le",
        ),
        ("es", "tsa1 (RFC 3161) selló el registro con 3 asientos el"),
    ] {
        let pdf = fx.pki.dir.join(format!("report-{lang}.pdf"));
        let input = format!(
            "{}/examples/demo/report-{lang}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let o = scelle()
            .arg("-C")
            .arg(&fx.case)
            .args([
                "report",
                "certificate",
                "--lang",
                lang,
                "--input",
                &input,
                "--key",
            ])
            .arg(&fx.key)
            .arg("--out")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::out(&o));
        let o = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(o.status.success());
        // Joined lines: a table cell may wrap.
        let printed = String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(printed.contains(words), "{lang}: {printed}");
        // In the case's zone (this case has none: UTC), as every time a document prints.
        assert!(
            printed.contains(&time[..10]) && printed.contains(&time[11..19]),
            "{lang}: no {time}: {printed}"
        );
        assert!(
            printed.contains("serial 02")
                || printed.contains("n° 02")
                || printed.contains("n.º 02"),
            "{lang}: {printed}"
        );
    }
}

/// The client keeps only a token `verify` would accept: a TSA whose certificate does not
/// chain to the CA the case names for it answers validly in every other respect (status,
/// imprint, nonce), and its token is refused with a warning naming `timestamp-untrusted`;
/// nothing is kept, the append stands. With its own CA the same TSA's token is kept.
#[test]
fn the_client_keeps_no_token_that_does_not_verify() {
    use scelle::ops::localtsa::LocalTsa;
    let fx = Fixture::new();
    let root = fx.pki.dir.parent().unwrap().to_path_buf();
    let tsa = LocalTsa::start(&root.join("local-a"), "local-a").unwrap();
    let other = LocalTsa::start(&root.join("local-b"), "local-b").unwrap();
    let add = |name: &str, ca: &Path| {
        scelle()
            .arg("-C")
            .arg(&fx.case)
            .args(["tsa", "add", &tsa.url(), "--name", name, "--ca-file"])
            .arg(ca)
            .arg("--key")
            .arg(&fx.key)
            .output()
            .unwrap()
    };
    let o = add("wrong-ca", &other.ca_file());
    assert!(o.status.success(), "{}", common::out(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("timestamp-untrusted"), "{err}");
    let kept: Vec<_> = fs::read_dir(fx.case.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".wrong-ca.tsr"))
        .collect();
    assert!(kept.is_empty(), "{kept:?}");
    let o = add("right-ca", &tsa.ca_file());
    assert!(o.status.success(), "{}", common::out(&o));
    assert!(fx
        .case
        .join("checkpoints/000000000005.right-ca.tsr")
        .exists());
    let (ok, findings, stamps) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert!(stamps.iter().any(|s| s["tsa"] == "right-ca"), "{stamps:?}");
    assert!(fx.python_verify().0);
    tsa.stop();
    other.stop();
}

/// A bundle carries each checkpoint's verified timestamps with their requests (FORMAT.md 14),
/// not a planted one; `verify-bundle` and verify_bundle.py (through verify_case.py) check them.
#[test]
fn bundles_carry_verified_timestamps() {
    let fx = Fixture::new();
    let text = fx.text(3);
    fx.stamp("tsa1", &text, 3, "tsa1");
    // A token named for no TSA of the case (a warning: export refuses a case with errors,
    // such as a token of another checkpoint): not carried.
    fx.stamp("tsa1", &text, 3, "nobody");
    let bundle = fx.pki.dir.join("bundle.tar");
    let o = scelle()
        .arg("-C")
        .arg(&fx.case)
        .args(["export", "--out"])
        .arg(&bundle)
        .args(["--organization", "Lab", "--key"])
        .arg(&fx.key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::out(&o));
    let o = Command::new("tar").arg("tf").arg(&bundle).output().unwrap();
    let names = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        names.contains("data/case/checkpoints/000000000003.tsa1.tsr"),
        "{names}"
    );
    assert!(
        names.contains("data/case/checkpoints/000000000003.tsa1.tsq"),
        "{names}"
    );
    assert!(!names.contains("nobody"), "{names}");
    let o = scelle().arg("verify-bundle").arg(&bundle).output().unwrap();
    assert!(o.status.success(), "{}", common::out(&o));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_bundle.py");
    let o = Command::new("python3")
        .arg(script)
        .arg(&bundle)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains(
            "TIMESTAMP checkpoints/000000000003.tsa1.tsr: checkpoint 3 timestamped by tsa1"
        ),
        "{out}"
    );
}

/// A serial number whose first byte is 0x80 or more (DER adds a 0x00) is printed by both
/// verifiers as `openssl ts -reply -text` prints it.
#[test]
fn both_verifiers_print_a_high_serial_alike() {
    let fx = Fixture::new();
    fs::write(fx.pki.dir.join("tsa1.serial"), "80\n").unwrap();
    let text = fx.text(3);
    fx.stamp("tsa1", &text, 3, "tsa1");
    let (ok, findings, stamps) = fx.scelle_verify();
    assert!(ok, "{findings:?}");
    assert_eq!(stamps[0]["serial"], "81", "{stamps:?}");
    let (ok, out) = fx.python_verify();
    assert!(ok && out.contains("(serial 81)"), "{out}");
}
