//! C2SP tlog-witnesses over 127.0.0.1: `scelle witness serve|vkey|add|request`, the witness's
//! refusals (403, 409, 422), concurrent writers, a witness killed mid-write, and a case cut
//! back below a size a witness cosigned (FORMAT.md 8.7).

mod common;

use common::{key_pair, scelle, snapshot, stderr, stdout, PASS};
use scelle::format::merkle::{consistency_proof, leaf_hash, root_of, Hash};
use scelle::format::note::{verifier_key, Checkpoint, Note};
use scelle::format::witness::{parse_cosignatures, parse_size, AddCheckpoint};
use scelle::store::keyfile::{load_signing_key, LoadedKey};
use scelle::store::witness::{post_add_checkpoint, Server};
use secrecy::SecretString;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    admin: PathBuf,
    wkey: PathBuf,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (case, admin) = common::init_case(&root, "W-1", "Witnessed", &[]);
        let wkey = key_pair(&root.join("keys"), PASS, "w1", Some("witness"));
        let c = Case {
            _tmp: tmp,
            root: root.clone(),
            case,
            admin,
            wkey,
        };
        c.seal("a.txt");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        scelle()
            .current_dir(&self.root)
            .arg("-C")
            .arg(&self.case)
            .args(args)
            .output()
            .unwrap()
    }

    fn seal(&self, name: &str) -> Output {
        std::fs::write(self.root.join(name), name.as_bytes()).unwrap();
        let o = self.run(&["seal", name, "--key", self.admin.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.case.join("ledger.jsonl"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn key(&self, p: &Path) -> LoadedKey {
        load_signing_key(p, &SecretString::from(PASS.to_string())).unwrap()
    }

    /// A witness server for this case's administrator key, in-process.
    fn serve(&self, state: &Path) -> Server {
        let admin = self.key(&self.admin);
        scelle::ops::witness::serve(
            &self.key(&self.wkey),
            "127.0.0.1:0",
            state,
            &[verifier_key(&admin.name, &admin.public())],
        )
        .unwrap()
    }

    fn add(&self, url: &str) -> Output {
        let vkey = stdout(&self.run(&["witness", "vkey", "--key", self.wkey.to_str().unwrap()]));
        self.run(&[
            "witness",
            "add",
            url,
            "--name",
            "w1",
            "--vkey",
            vkey.trim(),
            "--key",
            self.admin.to_str().unwrap(),
        ])
    }

    fn verify(&self, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
        let mut args = vec!["verify", "--json"];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        let v = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (o.status.code().unwrap(), v)
    }
}

fn state_file(state: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| scelle::store::witness::is_state_file(p))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

fn stored_size(state: &Path) -> u64 {
    let note = Note::parse(&std::fs::read_to_string(state_file(state)).unwrap()).unwrap();
    Checkpoint::parse_text(&note.text).unwrap().size
}

fn refusals(state: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(state.join("refusals.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_witness_cosigns_verify_counts_it_and_a_cut_back_case_is_refused_and_detected() {
    let c = Case::new();
    let state = c.root.join("wstate");
    let server = c.serve(&state);
    // The vkey printed without serving is the witness's alg-0x04 key.
    let vkey = stdout(&c.run(&["witness", "vkey", "--key", c.wkey.to_str().unwrap()]));
    assert_eq!(vkey.trim(), scelle::ops::witness::vkey(&c.key(&c.wkey)));
    // `witness add` appends a signed key.enrol; the witness is then asked automatically.
    let o = c.add(&server.url());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let n = c.lines().len() as u64;
    assert_eq!(stored_size(&state), n);
    // On demand.
    let o = c.run(&["witness", "request"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(&format!("cosigned tree size {n}")),
        "{}",
        stdout(&o)
    );
    let (code, v) = c.verify(&[]);
    assert_eq!(code, 0, "{v:?}");
    assert!(v
        .iter()
        .any(|m| m["type"] == "witness" && m["name"] == "w1" && m["size"] == n));
    // An append: the witness follows with a consistency proof from n.
    c.seal("b.txt");
    let n2 = c.lines().len() as u64;
    assert_eq!(stored_size(&state), n2);
    // verify names, per witness, the largest size it cosigned and when (text and --json).
    let o = c.run(&["verify"]);
    assert!(
        stdout(&o).contains(&format!("witness w1: largest tree size cosigned {n2}, at ")),
        "{}",
        stdout(&o)
    );
    let (_, v) = c.verify(&[]);
    let summary = v.iter().find(|m| m["type"] == "summary").unwrap();
    assert_eq!(summary["witness_latest"][0]["name"], "w1");
    assert_eq!(summary["witness_latest"][0]["size"], n2);
    assert!(summary["witness_latest"][0]["time"].as_u64().unwrap() > 1_700_000_000);
    let kept = c.root.join("witness-copy.txt");
    std::fs::copy(state_file(&state), &kept).unwrap();

    // Cut the case back to n entries, deleting the later checkpoints.
    let lines = c.lines();
    std::fs::write(
        c.case.join("ledger.jsonl"),
        lines[..n as usize]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    for s in n + 1..=n2 {
        let _ = std::fs::remove_file(c.case.join(format!("checkpoints/{s:012}.txt")));
    }
    let _ = std::fs::remove_file(c.case.join("ledger.index"));
    let cp_n = c.case.join(format!("checkpoints/{n:012}.txt"));
    let before = std::fs::read(&cp_n).unwrap();
    // The cut-back case verifies alone...
    assert_eq!(c.verify(&[]).0, 0);
    // ...but the witness refuses it (409 with its size) and `witness request` says rollback.
    let o = c.run(&["witness", "request", "w1"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("ROLLBACK")
            && text.contains(&format!("tree size {n2}"))
            && text.contains(&format!("holds {n} entries")),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&cp_n).unwrap(),
        before,
        "no cosignature added"
    );
    assert_eq!(stored_size(&state), n2, "the witness never goes back");
    assert!(refusals(&state)
        .iter()
        .any(|r| r["status"] == 409 && r["known"] == n2));
    // An append after the cut (a rewritten entry at the witness's size): the entry is kept,
    // the fork is a warning, exit 0; `witness request` reports it and exits 1.
    let o = c.seal("c.txt");
    assert!(
        stderr(&o).contains("warning: witness w1: FORK"),
        "{}",
        stderr(&o)
    );
    assert_eq!(c.lines().len() as u64, n + 1);
    let o = c.run(&["witness", "request"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error: FORK"), "{}", stdout(&o));
    assert_eq!(stored_size(&state), n2);
    // The witness's own copy detects the rollback.
    let (code, v) = c.verify(&["--trusted-checkpoint", kept.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(v.iter().any(|m| m["code"] == "rollback"), "{v:?}");
    // So does the independent verifier, from the same file.
    let py = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/independent/verify_case.py"
        ))
        .arg(&c.case)
        .arg("--trusted-checkpoint")
        .arg(&kept)
        .output()
        .unwrap();
    assert_eq!(py.status.code(), Some(1), "{}", stdout(&py));
    assert!(stdout(&py).contains("[rollback]"), "{}", stdout(&py));
    server.stop();
}

fn note_for(leaves: &[Hash], origin: &str, key: &LoadedKey) -> String {
    let cp = Checkpoint {
        origin: origin.into(),
        size: leaves.len() as u64,
        root: root_of(leaves),
    };
    Note::sign(&cp.text(), &key.name, &key.signing)
        .unwrap()
        .encode()
}

fn body(leaves: &[Hash], old: u64, origin: &str, key: &LoadedKey) -> String {
    AddCheckpoint {
        old,
        proof: if old == 0 || old == leaves.len() as u64 {
            vec![]
        } else {
            consistency_proof(leaves, old as usize).unwrap()
        },
        note: note_for(leaves, origin, key),
    }
    .encode()
}

fn leaves(tag: &str, n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("{tag}{i}").as_bytes()))
        .collect()
}

#[test]
fn an_untrusted_key_is_403_a_fork_is_422_and_both_are_logged() {
    let c = Case::new();
    let state = c.root.join("wstate");
    let server = c.serve(&state);
    let admin = c.key(&c.admin);
    let stranger = c.key(&c.wkey); // a key not given with --log
    let a = leaves("a", 6);
    let r = post_add_checkpoint(&server.url(), &body(&a[..3], 0, "o", &stranger)).unwrap();
    assert_eq!(r.status, 403);
    assert!(std::fs::read_dir(&state)
        .unwrap()
        .all(|e| !scelle::store::witness::is_state_file(&e.unwrap().path())));
    let r = post_add_checkpoint(&server.url(), &body(&a[..3], 0, "o", &admin)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(parse_cosignatures(&r.body).unwrap()[0].name, "w1");
    let before = std::fs::read(state_file(&state)).unwrap();
    // Same prefix size, rewritten leaf 1: the proof from 3 does not verify.
    let mut fork = a.clone();
    fork[1] = leaf_hash(b"rewritten");
    let r = post_add_checkpoint(&server.url(), &body(&fork, 3, "o", &admin)).unwrap();
    assert_eq!(r.status, 422);
    // Behind: old 0 -> 409 text/x.tlog.size 3.
    let r = post_add_checkpoint(&server.url(), &body(&a, 0, "o", &admin)).unwrap();
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (409, "text/x.tlog.size")
    );
    assert_eq!(parse_size(&r.body), Ok(3));
    // Malformed: 400; other paths: 404.
    let r = post_add_checkpoint(&server.url(), "old 1\n").unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(std::fs::read(state_file(&state)).unwrap(), before);
    let log = refusals(&state);
    let statuses: Vec<_> = log.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [403, 422, 409, 400], "{log:?}");
    assert_eq!(log[0]["origin"], "o", "a 403 names the origin it refused");
    assert_eq!(log[0]["size"], 3);
    assert_eq!(log[1]["origin"], "o");
    assert_eq!(
        (log[1]["old"].as_u64(), log[1]["size"].as_u64()),
        (Some(3), Some(6))
    );
    server.stop();
}

#[test]
fn concurrent_writers_never_move_the_witness_back_and_every_200_is_on_one_history() {
    let c = Case::new();
    let state = c.root.join("wstate");
    let server = c.serve(&state);
    let url = server.url();
    let admin = std::sync::Arc::new(c.key(&c.admin));
    // Two writers race on one origin: they share 4 leaves, then diverge (a split view).
    let a = leaves("x", 40);
    let mut b = a.clone();
    for (i, l) in b.iter_mut().enumerate().skip(4) {
        *l = leaf_hash(format!("fork{i}").as_bytes());
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let monitor = {
        let (state, stop) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut last = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                if let Ok(t) = std::fs::read_dir(&state) {
                    for e in t.flatten() {
                        if scelle::store::witness::is_state_file(&e.path()) {
                            let s = stored_size(&state);
                            assert!(s >= last, "the witness went back from {last} to {s}");
                            last = s;
                        }
                    }
                }
            }
        })
    };
    let mut writers = Vec::new();
    for (w, ls) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        let (url, admin) = (url.clone(), admin.clone());
        writers.push(std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut hint = 0u64;
            for n in (1 + w % 2..=ls.len()).step_by(3) {
                for _ in 0..2 {
                    let r = post_add_checkpoint(
                        &url,
                        &body(&ls[..n], hint.min(n as u64), "race", &admin),
                    )
                    .unwrap();
                    match r.status {
                        200 => {
                            got.push((n as u64, root_of(&ls[..n])));
                            hint = n as u64;
                            break;
                        }
                        409 => match parse_size(&r.body) {
                            Ok(k) => hint = k,
                            Err(_) => break,
                        },
                        _ => break,
                    }
                }
            }
            got
        }));
    }
    let cosigned: Vec<(u64, Hash)> = writers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    monitor.join().unwrap();
    assert!(!cosigned.is_empty());
    let final_note = Note::parse(&std::fs::read_to_string(state_file(&state)).unwrap()).unwrap();
    let fin = Checkpoint::parse_text(&final_note.text).unwrap();
    let branch = if root_of(&a[..fin.size as usize]) == fin.root {
        &a
    } else {
        &b
    };
    for (n, root) in &cosigned {
        assert_eq!(
            *root,
            root_of(&branch[..*n as usize]),
            "a 200 for size {n} off the witness's history"
        );
        assert!(*n <= fin.size);
    }
    server.stop();
}

#[test]
fn a_witness_killed_mid_write_restarts_with_its_state_intact() {
    let c = Case::new();
    let state = c.root.join("wstate");
    let admin = c.key(&c.admin);
    let log = verifier_key(&admin.name, &admin.public());
    let spawn = || {
        let mut child = scelle()
            .args(["witness", "serve", "--key"])
            .arg(&c.wkey)
            .args(["--listen", "127.0.0.1:0", "--state"])
            .arg(&state)
            .args(["--log", &log])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Both lines it prints are read, and its stdout kept open (a closed pipe would stop it).
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (mut first, mut second) = (String::new(), String::new());
        out.read_line(&mut first).unwrap();
        out.read_line(&mut second).unwrap();
        assert!(second.starts_with("vkey: w1+"), "{second}");
        let url = first.split_whitespace().last().unwrap().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{first}");
        (child, url, out)
    };
    let all = leaves("k", 400);
    let (mut child, url, _out) = spawn();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let t = {
        let (url, answered, all) = (url.clone(), answered.clone(), all.clone());
        let admin = c.key(&c.admin);
        std::thread::spawn(move || {
            let mut old = 0;
            for n in 1..=all.len() {
                match post_add_checkpoint(&url, &body(&all[..n], old, "crash", &admin)) {
                    Ok(r) if r.status == 200 => {
                        old = n as u64;
                        answered.store(old, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => return,
                }
            }
        })
    };
    while answered.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        assert!(!t.is_finished(), "the writer stopped before 5 cosignatures");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    t.join().unwrap();
    let last_ok = answered.load(std::sync::atomic::Ordering::SeqCst);
    // The state is a whole, verifying cosigned checkpoint, at least what was answered 200.
    let text = std::fs::read_to_string(state_file(&state)).unwrap();
    let note = Note::parse(&text).unwrap();
    let cp = Checkpoint::parse_text(&note.text).unwrap();
    assert!(
        cp.size >= last_ok && cp.size <= last_ok + 1,
        "{} vs {last_ok}",
        cp.size
    );
    assert_eq!(cp.root, root_of(&all[..cp.size as usize]));
    let w = c.key(&c.wkey);
    let cos = note.signatures.iter().find(|s| s.name == "w1").unwrap();
    assert!(scelle::format::cosign::verify_cosignature(cos, &note.text, &w.public()).is_some());
    // Restarted, it holds that size: behind is 409 with it, the next extension is cosigned.
    let (mut child, url, _out2) = spawn();
    let r = post_add_checkpoint(
        &url,
        &body(&all[..cp.size as usize + 1], 0, "crash", &admin),
    )
    .unwrap();
    assert_eq!((r.status, parse_size(&r.body)), (409, Ok(cp.size)));
    let r = post_add_checkpoint(
        &url,
        &body(&all[..cp.size as usize + 1], cp.size, "crash", &admin),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_input_is_refused_with_nothing_changed_and_a_witness_down_is_a_warning() {
    let c = Case::new();
    let before = snapshot(&c.case);
    let vkey = stdout(&c.run(&["witness", "vkey", "--key", c.wkey.to_str().unwrap()]));
    let admin = c.admin.to_str().unwrap();
    let note_vkey = {
        let w = c.key(&c.wkey);
        verifier_key("w1", &w.public())
    };
    for (args, needle) in [
        (
            vec![
                "witness",
                "add",
                "http://127.0.0.1:9",
                "--name",
                "w1",
                "--vkey",
                "w1+00000000+AAAA",
                "--key",
                admin,
            ],
            "--vkey",
        ),
        (
            vec![
                "witness",
                "add",
                "http://127.0.0.1:9",
                "--name",
                "w1",
                "--vkey",
                &note_vkey,
                "--key",
                admin,
            ],
            "alg 0x04",
        ),
        (
            vec![
                "witness",
                "add",
                "http://127.0.0.1:9",
                "--name",
                "w2",
                "--vkey",
                vkey.trim(),
                "--key",
                admin,
            ],
            "--name w1",
        ),
        (
            vec![
                "witness",
                "add",
                "ftp://x",
                "--name",
                "w1",
                "--vkey",
                vkey.trim(),
                "--key",
                admin,
            ],
            "URL",
        ),
        (vec!["witness", "request", "nobody"], "no such witness"),
        (
            vec![
                "witness",
                "serve",
                "--key",
                c.wkey.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--state",
                "s",
                "--log",
                "junk",
            ],
            "--log",
        ),
    ] {
        let o = c.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert_eq!(snapshot(&c.case), before, "{args:?} changed the case");
    }
    // A witness that does not answer: the append succeeds, with a warning; --no-witness skips it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let o = c.add(&url);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: witness w1: no cosignature"),
        "{}",
        stderr(&o)
    );
    let n = c.lines().len();
    let o = c.seal("late.txt");
    assert!(stderr(&o).contains("warning: witness w1"), "{}", stderr(&o));
    assert_eq!(c.lines().len(), n + 1);
    std::fs::write(c.root.join("quiet.txt"), b"q").unwrap();
    let o = c.run(&["--no-witness", "seal", "quiet.txt", "--key", admin]);
    assert!(
        o.status.success() && !stderr(&o).contains("witness"),
        "{}",
        stderr(&o)
    );
    // The unauthenticated list cannot make a witness count: an entry for a key not enrolled.
    std::fs::write(
        c.case.join("witnesses.json"),
        format!("{{\"ghost\": {{\"url\": \"{url}\"}}}}"),
    )
    .unwrap();
    let o = c.run(&["witness", "request", "ghost"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not an enrolled"), "{}", stdout(&o));
}

#[test]
fn a_cosignature_by_another_key_than_the_enrolled_one_is_not_kept() {
    let c = Case::new();
    // The case enrols w1's key; a server under the same name with another key answers 200.
    let o = c.add("http://127.0.0.1:9");
    assert!(o.status.success(), "{}", stderr(&o));
    let impostor_dir = c.root.join("impostor");
    key_pair(&impostor_dir, PASS, "w1", Some("witness"));
    let impostor = c.key(&impostor_dir.join("w1.key"));
    assert_ne!(impostor.public(), c.key(&c.wkey).public());
    let admin = c.key(&c.admin);
    let server = scelle::ops::witness::serve(
        &impostor,
        "127.0.0.1:0",
        &c.root.join("istate"),
        &[verifier_key(&admin.name, &admin.public())],
    )
    .unwrap();
    let cfg = c.case.join("witnesses.json");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("http://127.0.0.1:9", &server.url());
    std::fs::write(&cfg, text).unwrap();
    let before = snapshot(&c.case.join("checkpoints"));
    let o = c.run(&["witness", "request"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("no cosignature by the enrolled witness key verifies"),
        "{}",
        stdout(&o)
    );
    assert_eq!(snapshot(&c.case.join("checkpoints")), before);
    let (code, v) = c.verify(&[]);
    assert_eq!(code, 0);
    assert!(!v.iter().any(|m| m["type"] == "witness"), "{v:?}");
    server.stop();
}

/// Sends raw bytes to the server and returns the status code of its answer.
fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"))
}

#[test]
fn the_server_bounds_and_refuses_malformed_http() {
    let c = Case::new();
    let state = c.root.join("wstate");
    let server = c.serve(&state);
    let a = server.addr();
    assert_eq!(
        raw(a, b"GET /add-checkpoint HTTP/1.1\r\nHost: x\r\n\r\n"),
        405
    );
    assert_eq!(
        raw(a, b"POST /other HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
        404
    );
    assert_eq!(
        raw(
            a,
            b"POST /add-checkpoint HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        411
    );
    assert_eq!(raw(a, b"POST /add-checkpoint HTTP/1.1\r\n\r\n"), 411);
    assert_eq!(
        raw(
            a,
            b"POST /add-checkpoint HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"
        ),
        413
    );
    let mut big = b"POST /add-checkpoint HTTP/1.1\r\nX: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 20_000));
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(raw(a, &big), 431);
    assert_eq!(
        raw(
            a,
            b"POST /add-checkpoint HTTP/1.1\r\nContent-Length: 10\r\n\r\nold"
        ),
        400
    );
    assert_eq!(
        raw(
            a,
            b"POST /add-checkpoint HTTP/1.1\r\nContent-Length: 6\r\n\r\nold 0\n"
        ),
        400
    );
    // Keep-alive: two requests on one connection get two answers (the second closes it).
    {
        use std::io::{Read, Write};
        let mut conn = std::net::TcpStream::connect(a).unwrap();
        conn.write_all(
            b"POST /add-checkpoint HTTP/1.1\r\nContent-Length: 6\r\n\r\nold 0\nPOST /add-checkpoint HTTP/1.1\r\nContent-Length: 6\r\nConnection: close\r\n\r\nold 0\n",
        )
        .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert_eq!(answer.matches("HTTP/1.1 400 ").count(), 2, "{answer}");
        assert!(
            answer.contains("Connection: keep-alive") && answer.ends_with("\n"),
            "{answer}"
        );
    }
    // Nothing was stored.
    assert!(std::fs::read_dir(&state)
        .unwrap()
        .all(|e| !scelle::store::witness::is_state_file(&e.unwrap().path())));
    server.stop();
}
