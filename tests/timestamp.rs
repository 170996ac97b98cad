//! RFC 3161 timestamps of checkpoints, end to end over 127.0.0.1 (FORMAT.md 6.10, 8.6):
//! OpenSSL's own TSA (`openssl ts -reply`, under a CA made here, with a certificate carrying
//! the critical timeStamping EKU) served by `scelle::ops::localtsa`; `tsa add`, the timestamp
//! after an append, `timestamp` on demand, two TSAs, a TSA down or lying (a warning, the entry
//! kept, nothing kept from it), bad input refused with exit 2 and nothing changed. Every token
//! written is checked by `openssl ts -verify` against its request and the CA, and a token moved
//! to another checkpoint's name fails it.

mod common;

use common::{key_pair, scelle, snapshot, stderr, stdout, text, PASS};
use scelle::ops::localtsa::{Behaviour, LocalTsa};
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
        let (case, key) = common::init_case(&root, "TS-1", "Timestamps", &[]);
        std::fs::write(root.join("a.txt"), b"evidence\n").unwrap();
        Case {
            _tmp: tmp,
            root,
            case,
            key,
        }
    }

    fn scelle(&self, args: &[&str]) -> Output {
        scelle()
            .current_dir(&self.root)
            .arg("-C")
            .arg(&self.case)
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Output {
        let o = self.scelle(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        o
    }

    fn key(&self) -> &str {
        self.key.to_str().unwrap()
    }

    fn tsa_add(&self, tsa: &LocalTsa, name: &str) -> Output {
        self.ok(&[
            "tsa",
            "add",
            &tsa.url(),
            "--name",
            name,
            "--ca-file",
            tsa.ca_file().to_str().unwrap(),
            "--key",
            self.key(),
        ])
    }

    fn seal(&self) -> Output {
        self.ok(&["seal", "a.txt", "--key", self.key()])
    }

    fn ledger_size(&self) -> u64 {
        std::fs::read_to_string(self.case.join("ledger.jsonl"))
            .unwrap()
            .lines()
            .count() as u64
    }

    fn cp(&self, size: u64) -> PathBuf {
        self.case.join(format!("checkpoints/{size:012}.txt"))
    }

    fn tsq(&self, size: u64, name: &str) -> PathBuf {
        self.case.join(format!("checkpoints/{size:012}.{name}.tsq"))
    }

    fn tsr(&self, size: u64, name: &str) -> PathBuf {
        self.case.join(format!("checkpoints/{size:012}.{name}.tsr"))
    }

    /// The `.tsr` files of the case, sorted.
    fn tokens(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.case.join("checkpoints"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tsr"))
            .collect();
        v.sort();
        v
    }

    fn verify_ok(&self) {
        let o = self.scelle(&["verify"]);
        assert!(o.status.success(), "verify: {}", text(&o));
        assert!(
            !stdout(&o).contains("checkpoint-stray"),
            "timestamp files are not strays: {}",
            text(&o)
        );
    }
}

fn openssl_available() -> bool {
    Command::new("openssl").arg("version").output().is_ok()
}

/// The note text of a checkpoint file (up to the blank line).
fn note_text(cp: &Path) -> Vec<u8> {
    let t = std::fs::read_to_string(cp).unwrap();
    let end = t.find("\n\n").expect("a signed note") + 1;
    t.as_bytes()[..end].to_vec()
}

/// `openssl ts -verify -queryfile Q -in R -CAfile CA`.
fn openssl_verify_query(q: &Path, r: &Path, ca: &Path) -> Output {
    Command::new("openssl")
        .args(["ts", "-verify", "-queryfile"])
        .arg(q)
        .arg("-in")
        .arg(r)
        .arg("-CAfile")
        .arg(ca)
        .output()
        .unwrap()
}

/// `openssl ts -verify -data TEXT -in R -CAfile CA`: the token is over this very text.
fn openssl_verify_data(text: &Path, r: &Path, ca: &Path) -> Output {
    Command::new("openssl")
        .args(["ts", "-verify", "-data"])
        .arg(text)
        .arg("-in")
        .arg(r)
        .arg("-CAfile")
        .arg(ca)
        .output()
        .unwrap()
}

/// Every token of the case passes `openssl ts -verify` against its request and the CA, and
/// against the text of its own checkpoint.
fn assert_openssl_accepts_all(c: &Case, cas: &[(&str, &Path)]) {
    let tokens = c.tokens();
    assert!(!tokens.is_empty());
    for name in tokens {
        let (size, rest) = name.split_at(12);
        let size: u64 = size.parse().unwrap();
        let tsa = rest.trim_start_matches('.').trim_end_matches(".tsr");
        let ca = cas.iter().find(|(n, _)| *n == tsa).expect("a known TSA").1;
        let o = openssl_verify_query(&c.tsq(size, tsa), &c.tsr(size, tsa), ca);
        assert!(
            o.status.success() && stdout(&o).contains("Verification: OK"),
            "openssl ts -verify {name}: {}",
            text(&o)
        );
        let data = c.root.join("note.txt");
        std::fs::write(&data, note_text(&c.cp(size))).unwrap();
        let o = openssl_verify_data(&data, &c.tsr(size, tsa), ca);
        assert!(
            o.status.success(),
            "openssl ts -verify -data {name}: {}",
            text(&o)
        );
    }
}

#[test]
fn an_append_timestamps_its_checkpoint_and_openssl_verifies_every_token() {
    if !openssl_available() {
        panic!("openssl is needed");
    }
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("tsa1"), "test").unwrap();
    // tsa add: its own checkpoint is timestamped by the TSA it adds.
    let o = c.tsa_add(&tsa, "tsa1");
    let size = c.ledger_size();
    assert_eq!(size, 2);
    assert!(c.tsr(size, "tsa1").is_file(), "{}", text(&o));
    assert!(c.tsq(size, "tsa1").is_file());
    assert!(
        stdout(&o).contains("checkpoint 2 timestamped by TSA tsa1 at "),
        "{}",
        text(&o)
    );
    assert!(stderr(&o).is_empty(), "{}", text(&o));
    // An append: its checkpoint is timestamped.
    c.seal();
    assert!(c.tsr(3, "tsa1").is_file());
    // tsa list, text and JSON.
    let l = stdout(&c.ok(&["tsa", "list"]));
    assert!(l.contains("tsa1") && l.contains(&tsa.url()), "{l}");
    let j = stdout(&c.ok(&["tsa", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(j.lines().next().unwrap()).unwrap();
    assert_eq!(v["name"], "tsa1");
    assert_eq!(v["added_at"], 1);
    // `timestamp` on demand: the latest already has a valid token; it is not asked again.
    let served = tsa.served();
    let o = c.ok(&["timestamp"]);
    assert!(
        stdout(&o).contains("checkpoint 3 already timestamped by TSA tsa1"),
        "{}",
        text(&o)
    );
    assert_eq!(
        tsa.served(),
        served,
        "no request for a checkpoint already timestamped"
    );
    c.verify_ok();
    assert_openssl_accepts_all(&c, &[("tsa1", &tsa.ca_file())]);

    // A token moved to another checkpoint's name fails openssl (its imprint is of the other
    // checkpoint's text).
    let data = c.root.join("note3.txt");
    std::fs::write(&data, note_text(&c.cp(3))).unwrap();
    let o = openssl_verify_data(&data, &c.tsr(2, "tsa1"), &tsa.ca_file());
    assert!(
        !o.status.success(),
        "a token of checkpoint 2 verified for 3: {}",
        text(&o)
    );
    let o = openssl_verify_query(&c.tsq(3, "tsa1"), &c.tsr(2, "tsa1"), &tsa.ca_file());
    assert!(!o.status.success(), "{}", text(&o));
    // And a CA that is not the TSA's fails it too.
    let other = LocalTsa::start(&c.root.join("other"), "other").unwrap();
    let o = openssl_verify_query(&c.tsq(3, "tsa1"), &c.tsr(3, "tsa1"), &other.ca_file());
    assert!(!o.status.success(), "{}", text(&o));
}

#[test]
fn two_tsas_and_timestamp_on_demand() {
    let c = Case::new();
    let a = LocalTsa::start(&c.root.join("a"), "a").unwrap();
    let b = LocalTsa::start(&c.root.join("b"), "b").unwrap();
    // Added without timestamps: `timestamp` does it later.
    for (tsa, name) in [(&a, "alpha"), (&b, "beta")] {
        c.ok(&[
            "--no-timestamp",
            "tsa",
            "add",
            &tsa.url(),
            "--name",
            name,
            "--ca-file",
            tsa.ca_file().to_str().unwrap(),
            "--key",
            c.key(),
        ]);
    }
    assert!(c.tokens().is_empty(), "--no-timestamp asks no TSA");
    assert_eq!(a.served() + b.served(), 0);
    // Only beta, on demand.
    let o = c.ok(&["timestamp", "--tsa", "beta"]);
    assert!(
        stdout(&o).contains("timestamped by TSA beta"),
        "{}",
        text(&o)
    );
    assert_eq!(c.tokens(), vec!["000000000003.beta.tsr"]);
    // Both, after an append; JSON of `timestamp`.
    c.seal();
    assert_eq!(
        c.tokens(),
        vec![
            "000000000003.beta.tsr",
            "000000000004.alpha.tsr",
            "000000000004.beta.tsr"
        ]
    );
    let o = c.ok(&["timestamp", "--json"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["type"], "timestamp");
        assert_eq!(l["result"], "already");
        assert_eq!(l["size"], 4);
        assert_eq!(l["policy"], scelle::ops::localtsa::LOCAL_TSA_POLICY);
    }
    c.verify_ok();
    assert_openssl_accepts_all(&c, &[("alpha", &a.ca_file()), ("beta", &b.ca_file())]);
    // The independent verifier accepts the case with its tsa.add and timestamp files.
    let py = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py"))
        .arg(&c.case)
        .output()
        .unwrap();
    assert!(py.status.success(), "verify_case.py: {}", text(&py));
    assert!(!stdout(&py).contains("checkpoint-stray"), "{}", text(&py));
}

#[test]
fn a_tsa_down_or_lying_is_a_warning_and_the_entry_is_kept() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    c.tsa_add(&tsa, "t");
    let good2 = std::fs::read(c.tsr(2, "t")).unwrap();
    // Unavailable (HTTP 503): the seal succeeds, exit 0, a warning names the TSA and the fix.
    tsa.set_behaviour(Behaviour::Unavailable);
    let o = c.seal();
    assert_eq!(c.ledger_size(), 3);
    let e = stderr(&o);
    assert!(
        e.contains("warning: TSA t (")
            && e.contains("HTTP status 503")
            && e.contains("checkpoint 3 not timestamped; run scelle timestamp later"),
        "{}",
        text(&o)
    );
    assert!(!c.tsr(3, "t").exists() && !c.tsq(3, "t").exists());
    // A replayed token (of checkpoint 2) is refused: its imprint is not this checkpoint's.
    tsa.set_behaviour(Behaviour::Fixed(good2.clone()));
    let o = c.seal();
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("message imprint is not SHA-256 of this checkpoint"),
        "{}",
        text(&o)
    );
    assert!(!c.tsr(4, "t").exists(), "a replayed token is not kept");
    // Garbage is refused.
    tsa.set_behaviour(Behaviour::Fixed(b"<html>hello</html>".to_vec()));
    let o = c.seal();
    assert!(
        stderr(&o).contains("not a DER TimeStampResp"),
        "{}",
        text(&o)
    );
    assert!(!c.tsr(5, "t").exists());
    // `timestamp` of a TSA that fails: exit 3, the warning, nothing kept.
    let o = c.scelle(&["timestamp"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(stderr(&o).contains("warning: TSA t ("), "{}", text(&o));
    // The TSA gone altogether (port closed): still a warning, exit 0, the entry kept.
    let url = tsa.url();
    tsa.stop();
    let o = c.seal();
    assert_eq!(c.ledger_size(), 6);
    assert!(
        stderr(&o).contains(&format!("warning: TSA t ({url}): no answer")),
        "{}",
        text(&o)
    );
    // Back up: `timestamp` timestamps the latest checkpoint.
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    // (Same keys, a new port: the case still names the old URL, so add the new one.)
    c.tsa_add(&tsa, "t2");
    assert!(c.tsr(7, "t2").is_file());
    c.verify_ok();
}

#[test]
fn bad_input_is_refused_with_exit_2_and_nothing_changed() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    c.tsa_add(&tsa, "t");
    let before = snapshot(&c.case);
    let ca = tsa.ca_file();
    let not_pem = c.root.join("a.txt");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["tsa", "add", "ftp://x/", "--ca-file", ca.to_str().unwrap()],
            "http://",
        ),
        (
            vec![
                "tsa",
                "add",
                "http://127.0.0.1:1/",
                "--name",
                "Bad Name",
                "--ca-file",
                ca.to_str().unwrap(),
            ],
            "a TSA name is",
        ),
        (vec!["tsa", "add", "http://127.0.0.1:1/"], "--ca-file"),
        (
            vec![
                "tsa",
                "add",
                "http://127.0.0.1:1/",
                "--ca-file",
                not_pem.to_str().unwrap(),
            ],
            "holds no PEM certificate",
        ),
        // A second TSA of a used name: a chain error, refused before writing.
        (
            vec![
                "tsa",
                "add",
                "http://127.0.0.1:1/",
                "--name",
                "t",
                "--ca-file",
                ca.to_str().unwrap(),
            ],
            "a TSA named t was already added at entry 1",
        ),
    ];
    for (mut args, wanted) in cases {
        args.extend(["--key", c.key()]);
        let o = c.scelle(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(stderr(&o).contains(wanted), "{args:?}: {}", text(&o));
        assert_eq!(snapshot(&c.case), before, "{args:?} changed the case");
    }
    // The arguments are checked before the key is opened: no passphrase is asked for a
    // `tsa add` that cannot succeed.
    let o = common::bin()
        .arg("-C")
        .arg(&c.case)
        .args(["tsa", "add", "http://127.0.0.1:1/", "--key", c.key()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("--ca-file"), "{}", text(&o));
    // An unknown TSA for `timestamp`: exit 2, nothing asked.
    let served = tsa.served();
    let o = c.scelle(&["timestamp", "--tsa", "nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("no TSA named \"nope\""), "{}", text(&o));
    assert_eq!(tsa.served(), served);
    assert_eq!(snapshot(&c.case), before);
    // A non-administrator cannot add a TSA.
    let keys = c.root.join("keys");
    key_pair(&keys, PASS, "counsel", Some("counsel"));
    c.ok(&[
        "--no-timestamp",
        "key",
        "enrol",
        keys.join("counsel.pub").to_str().unwrap(),
        "--name",
        "counsel",
        "--role",
        "counsel",
        "--key",
        c.key(),
    ]);
    let before = snapshot(&c.case);
    let o = c.scelle(&[
        "tsa",
        "add",
        &tsa.url(),
        "--name",
        "c",
        "--ca-file",
        ca.to_str().unwrap(),
        "--key",
        keys.join("counsel.key").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("not the case administrator"),
        "{}",
        text(&o)
    );
    assert_eq!(snapshot(&c.case), before);
}

#[test]
fn hostile_files_at_timestamp_names_are_strays_or_ignored() {
    let c = Case::new();
    c.seal();
    let dir = c.case.join("checkpoints");
    // A link at a timestamp name is a stray (never followed); a FIFO too.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("000000000002.x.tsr")).unwrap();
    let fifo = dir.join("000000000002.y.tsq");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let o = c.scelle(&["verify", "--json"]);
    let out = stdout(&o);
    assert!(
        out.contains("000000000002.x.tsr") && out.contains("checkpoint-stray"),
        "{out}"
    );
    assert!(out.contains("000000000002.y.tsq"), "{out}");
    // A bad name is a stray; a regular file at a good name is not.
    std::fs::write(dir.join("000000000002.Bad.tsr"), b"x").unwrap();
    let o = c.scelle(&["verify", "--json"]);
    let out = stdout(&o);
    assert!(out.contains("000000000002.Bad.tsr"), "{out}");
}

/// An `https://` TSA: the TLS client is wired (rustls, webpki roots); a server that does not
/// speak TLS is a warning, never a panic nor a lost entry. (No public TSA is contacted.)
#[test]
fn an_https_tsa_that_fails_the_handshake_is_a_warning() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    let https = tsa.url().replace("http://", "https://");
    let o = c.ok(&[
        "tsa",
        "add",
        &https,
        "--name",
        "tls",
        "--ca-file",
        tsa.ca_file().to_str().unwrap(),
        "--key",
        c.key(),
    ]);
    assert_eq!(c.ledger_size(), 2);
    assert!(
        stderr(&o).contains(&format!("warning: TSA tls ({https}): no answer")),
        "{}",
        text(&o)
    );
    assert!(c.tokens().is_empty());
}

/// Two appends at once by two processes on a case with a TSA: every entry is kept and every
/// token kept is consistent with its request (openssl accepts each pair).
#[test]
fn concurrent_appends_keep_consistent_token_pairs() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    c.tsa_add(&tsa, "t");
    for i in 0..4 {
        std::fs::write(c.root.join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
    }
    let children: Vec<_> = (0..4)
        .map(|i| {
            scelle()
                .current_dir(&c.root)
                .arg("-C")
                .arg(&c.case)
                .args(["seal", &format!("f{i}.txt"), "--key", c.key()])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut ch in children {
        assert!(ch.wait().unwrap().success());
    }
    assert_eq!(c.ledger_size(), 6);
    c.verify_ok();
    assert_openssl_accepts_all(&c, &[("t", &tsa.ca_file())]);
}

/// A token of the right checkpoint but not of our request (another nonce: a replay of an
/// earlier answer, or someone else's request) is refused and not kept; so is one stored
/// beside another request when `timestamp` decides whether to ask again.
#[test]
fn a_token_that_does_not_echo_our_nonce_is_refused() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    c.tsa_add(&tsa, "t");
    let old_tsr = std::fs::read(c.tsr(2, "t")).unwrap();
    let old_tsq = std::fs::read(c.tsq(2, "t")).unwrap();
    // Without a stored token, `timestamp` asks again; the TSA replays the first answer (same
    // checkpoint, same imprint, the first request's nonce).
    std::fs::remove_file(c.tsr(2, "t")).unwrap();
    tsa.set_behaviour(Behaviour::Fixed(old_tsr.clone()));
    let o = c.scelle(&["timestamp"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        stderr(&o).contains("the token's nonce is not the request's"),
        "{}",
        text(&o)
    );
    assert!(!c.tsr(2, "t").exists(), "a replayed answer is not kept");
    // A stored pair whose .tsq is not the .tsr's request does not count as timestamped: the
    // TSA is asked again.
    tsa.set_behaviour(Behaviour::Honest);
    let served = tsa.served();
    std::fs::write(c.tsr(2, "t"), &old_tsr).unwrap();
    let mut other_q = old_tsq.clone();
    let last = other_q.len() - 4; // inside the nonce (the last member but certReq)
    other_q[last] ^= 1;
    std::fs::write(c.tsq(2, "t"), &other_q).unwrap();
    let o = c.ok(&["timestamp"]);
    assert!(
        stdout(&o).contains("checkpoint 2 timestamped by TSA t"),
        "{}",
        text(&o)
    );
    assert_eq!(tsa.served(), served + 1);
    let o = openssl_verify_query(&c.tsq(2, "t"), &c.tsr(2, "t"), &tsa.ca_file());
    assert!(o.status.success(), "{}", text(&o));
}

/// A bundle carries each shipped checkpoint's timestamp pairs (FORMAT.md 14), and only
/// those: a planted `.tsr` of no TSA of the case, or one beside another request, is not
/// shipped. The bundle verifies (scelle and the kit) and openssl accepts the carried pair.
#[test]
fn a_bundle_carries_the_timestamps_of_its_checkpoints() {
    let c = Case::new();
    let tsa = LocalTsa::start(&c.root.join("t"), "t").unwrap();
    c.tsa_add(&tsa, "t");
    c.seal();
    // Planted: checkpoint 3's pair copied under a name no tsa.add made.
    let cps = c.case.join("checkpoints");
    std::fs::copy(c.tsr(3, "t"), cps.join("000000000003.nobody.tsr")).unwrap();
    std::fs::copy(c.tsq(3, "t"), cps.join("000000000003.nobody.tsq")).unwrap();
    let bundle = c.root.join("b.tar");
    c.ok(&[
        "--no-timestamp",
        "export",
        "--out",
        bundle.to_str().unwrap(),
        "--key",
        c.key(),
    ]);
    let o = c.scelle(&["verify-bundle", bundle.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let listing = Command::new("tar").arg("tf").arg(&bundle).output().unwrap();
    let listing = stdout(&listing);
    for name in [
        "000000000002.t.tsq",
        "000000000002.t.tsr",
        "000000000003.t.tsq",
        "000000000003.t.tsr",
    ] {
        assert!(
            listing.contains(&format!("data/case/checkpoints/{name}")),
            "{name}: {listing}"
        );
    }
    assert!(!listing.contains("nobody"), "{listing}");
    let out = c.root.join("x");
    std::fs::create_dir(&out).unwrap();
    assert!(Command::new("tar")
        .arg("xf")
        .arg(&bundle)
        .arg("-C")
        .arg(&out)
        .status()
        .unwrap()
        .success());
    let bag = out.clone();
    let carried = bag.join("data/case/checkpoints");
    let o = openssl_verify_query(
        &carried.join("000000000003.t.tsq"),
        &carried.join("000000000003.t.tsr"),
        &tsa.ca_file(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let kit = Command::new("python3")
        .arg(bag.join("data/kit/verify_bundle.py"))
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(kit.status.success(), "{}", text(&kit));
}
