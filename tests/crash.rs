//! Crash safety of the ledger (docs/FORMAT.md sections 1, 4, 7, 8, 10).
//!
//! These tests run the real `scelle` binary, kill it with SIGKILL at many different moments,
//! and check after every kill that no entry a completed command reported is ever lost or
//! changed, that the ledger either verifies or fails only with a `torn-tail` finding that
//! `scelle repair` fixes, and that concurrent writers serialise correctly.

mod common;

use common::{exec as run, key_pair, run_ok, scelle, show, PASS};
use serde_json::Value;
use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A key, a case directory, and a scratch directory for artifacts.
struct Fixture {
    dir: TempDir,
    key: PathBuf,
    case: PathBuf,
}

impl Fixture {
    /// A new key `expert` and a case made with `scelle init --key` (entry 0, `case.open`).
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = dir.path().join("keys");
        key_pair(&keys, PASS, "expert", None);
        let case = dir.path().join("case");
        run_ok(scelle().arg("init").arg(&case).args([
            "--case-id",
            "C-crash",
            "--title",
            "Crash test",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
        ]));
        std::fs::create_dir(dir.path().join("files")).unwrap();
        // What the certificate needs from its signer (report::requirements).
        std::fs::write(
            dir.path().join("certificate.toml"),
            "[case]\ncourt = \"Test court\"\n[expert]\nname = \"Expert\"\nplace = \"Paris\"\nqualifications = \"Digital forensics.\"\n",
        )
        .expect("write the report input");
        Fixture {
            key: keys.join("expert.key"),
            case,
            dir,
        }
    }

    fn ledger_path(&self) -> PathBuf {
        self.case.join("ledger.jsonl")
    }

    fn ledger(&self) -> Vec<u8> {
        std::fs::read(self.ledger_path()).expect("read ledger")
    }

    fn index_path(&self) -> PathBuf {
        self.case.join("ledger.index")
    }

    fn torn_dir(&self) -> PathBuf {
        self.case.join("torn")
    }

    /// Writes a small artifact file and returns its path.
    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.dir.path().join("files").join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn seal_cmd(&self, paths: &[PathBuf]) -> Command {
        let mut c = scelle();
        c.arg("-C")
            .arg(&self.case)
            .arg("seal")
            .args(paths)
            .arg("--key")
            .arg(&self.key)
            .arg("--json");
        c
    }

    fn seal_ok(&self, paths: &[PathBuf]) -> Vec<Value> {
        let out = run_ok(&mut self.seal_cmd(paths));
        parse_json_lines(&out.stdout)
    }

    fn verify(&self) -> Verify {
        let out = run(scelle()
            .arg("-C")
            .arg(&self.case)
            .args(["verify", "--json"]));
        let lines = parse_json_lines(&out.stdout);
        let findings: Vec<Value> = lines
            .iter()
            .filter(|v| v["type"] == "finding")
            .cloned()
            .collect();
        let summary = lines
            .iter()
            .find(|v| v["type"] == "summary")
            .cloned()
            .unwrap_or_else(|| panic!("verify printed no summary: {}", show(&out)));
        Verify {
            code: out.status.code(),
            findings,
            summary,
            output: show(&out),
        }
    }

    fn verify_ok(&self) -> Verify {
        let v = self.verify();
        assert_eq!(v.code, Some(0), "verify failed: {}", v.output);
        assert_eq!(v.summary["ok"], true, "{}", v.output);
        assert!(v.errors().is_empty(), "{}", v.output);
        v
    }

    fn repair(&self) -> Output {
        run(scelle().arg("-C").arg(&self.case).arg("repair"))
    }

    fn torn_files(&self) -> BTreeSet<PathBuf> {
        match std::fs::read_dir(self.torn_dir()) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => BTreeSet::new(),
        }
    }
}

struct Verify {
    code: Option<i32>,
    findings: Vec<Value>,
    summary: Value,
    output: String,
}

impl Verify {
    fn errors(&self) -> Vec<&Value> {
        self.findings
            .iter()
            .filter(|f| f["severity"] == "error")
            .collect()
    }
    fn has_code(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f["code"] == code)
    }
}

fn parse_json_lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .expect("UTF-8 output")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A torn tail: its byte offset and its bytes.
type Torn = (usize, Vec<u8>);

/// The ledger split into its complete lines (without newline) and the torn tail, if any.
fn split_ledger(bytes: &[u8]) -> (Vec<Vec<u8>>, Option<Torn>) {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            lines.push(bytes[start..i].to_vec());
            start = i + 1;
        }
    }
    let torn = (start < bytes.len()).then(|| (start, bytes[start..].to_vec()));
    (lines, torn)
}

fn entry(line: &[u8]) -> Value {
    serde_json::from_slice(line).expect("ledger line is JSON")
}

/// Checks that `prefix` (lines kept from an earlier state) is a prefix of `lines`, byte for
/// byte.
fn assert_prefix(prefix: &[Vec<u8>], lines: &[Vec<u8>], when: &str) {
    assert!(
        lines.len() >= prefix.len(),
        "{when}: the ledger lost entries: had {} complete lines, now {}",
        prefix.len(),
        lines.len()
    );
    for (i, (a, b)) in prefix.iter().zip(lines).enumerate() {
        assert_eq!(
            a,
            b,
            "{when}: line {i} changed:\nwas: {}\nnow: {}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }
}

/// Checks what a completed `seal --json` printed against the ledger: each reported exhibit is
/// the entry it names, with the path it names.
fn assert_reported_in_ledger(reported: &[Value], lines: &[Vec<u8>]) {
    for r in reported {
        let seq = r["entry"].as_u64().expect("entry number") as usize;
        assert!(
            seq < lines.len(),
            "reported entry {seq} is not in the ledger"
        );
        let e = entry(&lines[seq]);
        assert_eq!(e["seq"].as_u64(), Some(seq as u64));
        assert_eq!(e["kind"], "seal");
        assert_eq!(e["body"]["exhibit"], r["exhibit"], "entry {seq}");
        assert_eq!(
            e["body"]["artifact"]["path_given"], r["path"],
            "entry {seq}"
        );
        assert_eq!(
            e["body"]["artifact"]["hashes"]["sha256"], r["hashes"]["sha256"],
            "entry {seq}"
        );
    }
}

/// SplitMix64: a small deterministic PRNG (no extra crate).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5ce1_1e00_c0ff_ee00)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn spin_for(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// Spins until the ledger's length differs from `before` (an append has begun), the child
/// exits, or a generous deadline passes.
fn wait_for_growth(child: &mut Child, ledger: &std::path::Path, before: u64, typical: Duration) {
    let deadline = Instant::now() + typical * 10 + Duration::from_secs(2);
    loop {
        let len = std::fs::metadata(ledger).map(|m| m.len()).unwrap_or(0);
        if len != before
            || Instant::now() > deadline
            || child.try_wait().expect("try_wait").is_some()
        {
            return;
        }
        std::hint::spin_loop();
    }
}

/// Kills `child` with SIGKILL (if still running) and collects its output.
fn kill_and_wait(mut child: Child) -> (bool, Output) {
    let running = child.try_wait().expect("try_wait").is_none();
    if running {
        // The process may exit between try_wait and kill; kill then fails harmlessly.
        let _ = child.kill();
    }
    (running, child.wait_with_output().expect("wait"))
}

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL at random moments
// ---------------------------------------------------------------------------------------------

#[test]
fn sigkill_during_appends_never_loses_a_completed_entry() {
    const ITERATIONS: u64 = 50;
    let started = Instant::now();
    let fx = Fixture::new();

    // A directory whose seal is one large line (about 70 KiB, many pages): a SIGKILL that
    // lands during its write(2) can leave a genuinely torn tail.
    let big = fx.dir.path().join("files").join("big-dir");
    std::fs::create_dir(&big).unwrap();
    for i in 0..300 {
        let name = format!("{i:04}-{}", "x".repeat(150));
        std::fs::write(big.join(name), format!("member {i}\n")).unwrap();
    }

    // Every line seen after a completed command or a repair: must stay, byte for byte.
    let mut kept: Vec<Vec<u8>> = Vec::new();
    // Every exhibit a completed command reported.
    let mut reported: Vec<Value> = Vec::new();

    // Calibrate: how long one uninterrupted seal takes (key decryption dominates).
    let mut durations = Vec::new();
    for i in 0..3 {
        let f = fx.file(
            &format!("calib-{i}"),
            format!("calibration {i}\n").as_bytes(),
        );
        let t = Instant::now();
        let out = fx.seal_ok(&[f]);
        durations.push(t.elapsed());
        reported.extend(out);
        let (lines, torn) = split_ledger(&fx.ledger());
        assert!(torn.is_none());
        assert_prefix(&kept, &lines, "calibration");
        assert_reported_in_ledger(&reported, &lines);
        kept = lines;
    }
    durations.sort();
    let typical = durations[1];
    eprintln!("crash: one seal takes about {typical:?}");

    let mut counts = Counts::default();

    for iter in 0..ITERATIONS {
        let mut rng = Rng::new(iter);
        // 1 to 4 small files with varying content, sometimes the large directory.
        let n = 1 + rng.below(4) as usize;
        let mut paths: Vec<PathBuf> = (0..n)
            .map(|j| {
                let len = rng.below(3000) as usize;
                let content: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                fx.file(&format!("it{iter:03}-{j}.bin"), &content)
            })
            .collect();
        let mode = iter % 5;
        if mode == 3 {
            // Usually first, so the trigger below fires as its write begins.
            let at = if rng.below(3) == 0 {
                rng.below(n as u64 + 1) as usize
            } else {
                0
            };
            paths.insert(at, big.clone());
        }

        let before = fx.ledger().len() as u64;
        let mut child = fx
            .seal_cmd(&paths)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn seal");
        let t = typical.as_micros() as u64;
        match mode {
            // Anywhere in the command's life, including the key decryption.
            0 => std::thread::sleep(Duration::from_micros(rng.below(t * 13 / 10))),
            // Around the end of the typical run, where the appends happen.
            1 => std::thread::sleep(Duration::from_micros(t * 8 / 10 + rng.below(t * 4 / 10))),
            // Triggered: as soon as the ledger grows, plus a short random delay (0-4 ms), so
            // the kill lands between entries, before the index, or before the checkpoint.
            2 => {
                wait_for_growth(&mut child, &fx.ledger_path(), before, typical);
                spin_for(Duration::from_micros(rng.below(4000)));
            }
            // Triggered, no delay, while the large line is being written.
            3 => wait_for_growth(&mut child, &fx.ledger_path(), before, typical),
            // Late: the command has usually completed (its entries must then stay forever).
            _ => std::thread::sleep(Duration::from_micros(t * 3 / 2 + rng.below(t * 3 / 2))),
        }
        let (running, out) = kill_and_wait(child);
        check_after(
            &fx,
            iter,
            running,
            out,
            &mut kept,
            &mut reported,
            &mut counts,
            before,
            paths.len(),
        );
    }

    // After all that, an ordinary seal works and the whole ledger verifies, fully
    // checkpointed.
    let last = fx.file("final.bin", b"after the storm\n");
    reported.extend(fx.seal_ok(&[last]));
    let (lines, torn) = split_ledger(&fx.ledger());
    assert!(torn.is_none());
    assert_prefix(&kept, &lines, "final seal");
    assert_reported_in_ledger(&reported, &lines);
    let v = fx.verify_ok();
    assert!(
        !v.has_code("uncheckpointed") && !v.has_code("no-checkpoint"),
        "the final checkpoint must cover the whole ledger: {}",
        v.output
    );
    assert_eq!(v.summary["entries"].as_u64(), Some(lines.len() as u64));
    // Exhibits are numbered without gaps or repeats, in ledger order.
    let exhibits: Vec<String> = lines
        .iter()
        .skip(1)
        .map(|l| entry(l)["body"]["exhibit"].as_str().unwrap().to_string())
        .collect();
    for (i, x) in exhibits.iter().enumerate() {
        assert_eq!(*x, format!("E-{:04}", i + 1));
    }

    let c = &counts;
    eprintln!(
        "crash: {ITERATIONS} iterations in {:?}; ledger now {} entries\n\
         crash:   killed while running:             {}\n\
         crash:     before appending anything:      {}\n\
         crash:     mid-append (torn tail, repaired): {}\n\
         crash:     between entries of one seal:    {}\n\
         crash:     leaving an un-checkpointed tail: {}\n\
         crash:     after the checkpoint:           {}\n\
         crash:   completed before the kill:        {}",
        started.elapsed(),
        lines.len(),
        c.killed_running,
        c.killed_early,
        c.torn,
        c.partial_seals,
        c.uncheckpointed,
        c.after_checkpoint,
        c.completed
    );
    assert!(
        c.killed_running >= ITERATIONS as u32 / 4,
        "too few kills landed while scelle was running ({}): the test does not exercise interruption",
        c.killed_running
    );
    assert!(
        c.uncheckpointed + c.partial_seals + c.torn > 0,
        "no kill landed between an append and its checkpoint: the test misses the append window"
    );
}

/// What the kills of test 1 hit.
#[derive(Default)]
struct Counts {
    /// The process was still running when killed.
    killed_running: u32,
    /// Killed before appending anything (key decryption, hashing, waiting for the lock).
    killed_early: u32,
    /// Killed mid-append: a torn tail, reported and repaired.
    torn: u32,
    /// Killed after some but not all of its entries were appended.
    partial_seals: u32,
    /// Killed after appending, before the checkpoint covering its entries.
    uncheckpointed: u32,
    /// Killed after the checkpoint, before exiting.
    after_checkpoint: u32,
    /// Exited 0 before the kill.
    completed: u32,
}

/// Everything checked after one killed (or completed) seal.
#[allow(clippy::too_many_arguments)]
fn check_after(
    fx: &Fixture,
    iter: u64,
    running: bool,
    out: Output,
    kept: &mut Vec<Vec<u8>>,
    reported: &mut Vec<Value>,
    counts: &mut Counts,
    before: u64,
    n_paths: usize,
) {
    let when = format!("iteration {iter}");
    let finished_ok = out.status.success();
    let killed = running && !finished_ok;
    if killed {
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{when}: seal neither completed nor died of SIGKILL: {}",
            show(&out)
        );
        counts.killed_running += 1;
    } else {
        assert!(
            finished_ok,
            "{when}: seal failed on its own: {}",
            show(&out)
        );
    }

    let bytes = fx.ledger();
    let (lines, torn) = split_ledger(&bytes);
    // Nothing a completed command reported, nor any complete line seen before, is lost.
    assert_prefix(kept, &lines, &when);
    assert_reported_in_ledger(reported, &lines);
    // Entries this command appended (its case.open, if the ledger was empty, aside).
    let mut appended = lines.len() - kept.len();
    if kept.is_empty() && appended > 0 {
        appended -= 1;
    }

    let v = fx.verify();
    let mut tail_uncheckpointed = v.has_code("uncheckpointed") || v.has_code("no-checkpoint");
    match v.code {
        Some(0) => {
            assert!(
                torn.is_none(),
                "{when}: verify passed a torn ledger: {}",
                v.output
            );
            assert!(v.errors().is_empty(), "{}", v.output);
        }
        Some(1) => {
            for e in v.errors() {
                assert_eq!(
                    e["code"], "torn-tail",
                    "{when}: after a kill, the only acceptable error is a torn tail: {}",
                    v.output
                );
            }
            let (offset, tail) = torn.clone().unwrap_or_else(|| {
                panic!("{when}: verify failed without a torn tail: {}", v.output)
            });
            assert!(killed, "{when}: a torn tail without a kill");
            let msg = v.errors()[0]["message"].as_str().unwrap().to_string();
            assert!(
                msg.contains(&format!("byte {offset}")),
                "{when}: torn-tail finding must name the offset {offset}: {msg}"
            );
            counts.torn += 1;
            eprintln!(
                "crash: iteration {iter}: torn tail of {} bytes at offset {offset}",
                tail.len()
            );

            // A new seal is refused, changing nothing.
            let probe = fx.file(&format!("probe-{iter}"), b"probe\n");
            let refused = run(&mut fx.seal_cmd(&[probe]));
            assert_eq!(refused.status.code(), Some(2), "{when}: {}", show(&refused));
            assert!(String::from_utf8_lossy(&refused.stderr).contains("scelle repair"));
            assert_eq!(
                fx.ledger(),
                bytes,
                "{when}: a refused seal changed the ledger"
            );

            let torn_before = fx.torn_files();
            let rep = fx.repair();
            assert!(
                rep.status.success(),
                "{when}: repair failed: {}",
                show(&rep)
            );
            let saved: Vec<PathBuf> = fx.torn_files().difference(&torn_before).cloned().collect();
            assert_eq!(saved.len(), 1, "{when}: repair must save exactly one file");
            assert_eq!(
                std::fs::read(&saved[0]).unwrap(),
                tail,
                "{when}: torn bytes"
            );
            assert_eq!(fx.ledger(), bytes[..offset].to_vec(), "{when}: repair kept");
            let v2 = fx.verify_ok();
            tail_uncheckpointed = v2.has_code("uncheckpointed") || v2.has_code("no-checkpoint");
        }
        other => panic!("{when}: verify exited {other:?}: {}", v.output),
    }

    if finished_ok {
        counts.completed += 1;
        let printed = parse_json_lines(&out.stdout);
        assert_eq!(printed.len(), n_paths, "{when}: one line per exhibit");
        assert_eq!(appended, n_paths, "{when}: one entry per path");
        reported.extend(printed);
        assert_reported_in_ledger(reported, &lines);
        assert!(
            !tail_uncheckpointed,
            "{when}: a completed seal must leave a checkpoint covering the ledger: {}",
            v.output
        );
    } else if killed {
        if bytes.len() as u64 == before {
            counts.killed_early += 1;
        } else if torn.is_none() && appended == n_paths && !tail_uncheckpointed {
            counts.after_checkpoint += 1;
        } else {
            if appended > 0 && appended < n_paths {
                counts.partial_seals += 1;
            }
            if tail_uncheckpointed && appended > 0 {
                counts.uncheckpointed += 1;
            }
        }
    }
    *kept = split_ledger(&fx.ledger()).0;
}

// ---------------------------------------------------------------------------------------------
// 2. A torn tail is reported, blocks appends, and is repaired
// ---------------------------------------------------------------------------------------------

#[test]
fn torn_tail_is_reported_and_repaired() {
    let fx = Fixture::new();
    let a = fx.file("a.bin", b"alpha\n");
    let b = fx.file("b.bin", b"bravo\n");
    let reported = fx.seal_ok(&[a, b]);
    let good = fx.ledger();
    let (lines, torn) = split_ledger(&good);
    assert_eq!(lines.len(), 3);
    assert!(torn.is_none());
    assert_reported_in_ledger(&reported, &lines);

    // Half of a real line, without its newline: what an interrupted append leaves.
    let last = lines.last().unwrap();
    let partial = last[..last.len() / 2].to_vec();
    let offset = good.len();
    let mut damaged = good.clone();
    damaged.extend_from_slice(&partial);
    std::fs::write(fx.ledger_path(), &damaged).unwrap();

    let v = fx.verify();
    assert_eq!(v.code, Some(1), "{}", v.output);
    assert_eq!(v.summary["ok"], false);
    let errors = v.errors();
    assert_eq!(errors.len(), 1, "{}", v.output);
    assert_eq!(errors[0]["code"], "torn-tail");
    let msg = errors[0]["message"].as_str().unwrap();
    assert!(msg.contains(&format!("byte {offset}")), "{msg}");
    assert!(msg.contains(&format!("{} bytes", partial.len())), "{msg}");
    assert_eq!(
        v.summary["entries"].as_u64(),
        Some(3),
        "a torn tail is not an entry"
    );

    // A new seal is refused (exit 2), pointing at repair, and changes nothing.
    let c = fx.file("c.bin", b"charlie\n");
    let refused = run(&mut fx.seal_cmd(std::slice::from_ref(&c)));
    assert_eq!(refused.status.code(), Some(2), "{}", show(&refused));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("scelle repair"), "{err}");
    assert!(refused.stdout.is_empty(), "{}", show(&refused));
    assert_eq!(fx.ledger(), damaged, "the refused seal changed the ledger");

    // Repair moves exactly the torn bytes aside.
    assert!(fx.torn_files().is_empty());
    let rep = fx.repair();
    assert!(rep.status.success(), "{}", show(&rep));
    let saved: Vec<PathBuf> = fx.torn_files().into_iter().collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("ledger-torn-at-{offset}-")) && name.ends_with(".bin"),
        "{name}"
    );
    assert_eq!(std::fs::read(&saved[0]).unwrap(), partial);
    assert_eq!(
        fx.ledger(),
        good,
        "repair must keep every complete entry, unchanged"
    );
    let v = fx.verify_ok();
    assert_eq!(v.summary["entries"].as_u64(), Some(3));
    assert!(!v.has_code("uncheckpointed"), "{}", v.output);

    // Repairing again is a no-op.
    let rep = fx.repair();
    assert!(rep.status.success(), "{}", show(&rep));
    assert_eq!(fx.ledger(), good);
    assert_eq!(fx.torn_files().len(), 1);

    // Appends work again, after the intact entries.
    let more = fx.seal_ok(&[c]);
    assert_eq!(more[0]["exhibit"], "E-0003");
    let (now, torn) = split_ledger(&fx.ledger());
    assert!(torn.is_none());
    assert_eq!(now.len(), 4);
    assert_prefix(&lines, &now, "after repair");
    fx.verify_ok();
}

/// Two torn tails at the same offset, repaired in quick succession (a retried command killed
/// at the same place twice, or a repair killed after saving the torn bytes and run again):
/// the second repair must not fail because the first one's saved file has the same name.
///
/// Exposes a scelle bug (as of writing): `store::ledger::repair` names the saved file
/// `ledger-torn-at-OFFSET-TIME.bin` with one-second resolution and creates it with
/// `create_new`, so the second repair within the same second fails with "File exists".
#[test]
fn repeated_torn_tail_at_same_offset_is_repaired() {
    let fx = Fixture::new();
    fx.seal_ok(&[fx.file("a.bin", b"alpha\n")]);
    let good = fx.ledger();
    let offset = good.len();
    // Three rounds within well under a second: at least two share the same clock second.
    // The third repeats the first tail (as when a repair is killed after saving the bytes
    // and before truncating, then run again).
    let tails: [&[u8]; 3] = [
        b"{\"body\":{\"art",
        b"{\"body\":{\"artifact\"",
        b"{\"body\":{\"art",
    ];
    for (round, tail) in tails.into_iter().enumerate() {
        let mut damaged = good.clone();
        damaged.extend_from_slice(tail);
        std::fs::write(fx.ledger_path(), &damaged).unwrap();
        let before = fx.torn_files();
        let rep = fx.repair();
        if !rep.status.success() {
            // Whatever the failure, it must not have lost or changed anything.
            assert_eq!(
                fx.ledger(),
                damaged,
                "round {round}: a failed repair changed the ledger"
            );
        }
        assert!(
            rep.status.success(),
            "round {round}: repair of a torn tail at offset {offset} failed: {}",
            show(&rep)
        );
        assert_eq!(fx.ledger(), good, "round {round}");
        // Every earlier saved tail is still there, and these bytes are saved (in a new file,
        // or in an existing one holding exactly them).
        let after = fx.torn_files();
        assert!(
            after.is_superset(&before),
            "round {round}: a saved tail vanished"
        );
        assert!(after.len() <= before.len() + 1, "round {round}: {after:?}");
        assert!(
            after.iter().any(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&format!("ledger-torn-at-{offset}-"))
                    && std::fs::read(p).unwrap() == tail
            }),
            "round {round}: the torn bytes were not saved: {after:?}"
        );
    }
    assert!(fx.torn_files().len() >= 2, "two distinct tails were saved");
    fx.verify_ok();
}

// ---------------------------------------------------------------------------------------------
// 3. Repair does not hide tampering
// ---------------------------------------------------------------------------------------------

#[test]
fn repair_refuses_to_hide_tampering() {
    let fx = Fixture::new();
    for name in ["a", "b", "c"] {
        fx.seal_ok(&[fx.file(&format!("{name}.bin"), name.as_bytes())]);
    }
    let good = fx.ledger();
    let (lines, _) = split_ledger(&good);
    assert_eq!(lines.len(), 4);

    // Alter entry 2 (a middle line): one hex digit of its sha256, still canonical JSON.
    let mut altered_line = String::from_utf8(lines[2].clone()).unwrap();
    let e = entry(&lines[2]);
    let sha = e["body"]["artifact"]["hashes"]["sha256"].as_str().unwrap();
    let first = sha.as_bytes()[0];
    let forged = format!("{}{}", if first == b'0' { '1' } else { '0' }, &sha[1..]);
    altered_line = altered_line.replacen(sha, &forged, 1);
    assert_ne!(altered_line.as_bytes(), &lines[2][..]);
    let mut tampered = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        tampered.extend_from_slice(if i == 2 { altered_line.as_bytes() } else { l });
        tampered.push(b'\n');
    }

    // Alone, and with a torn tail after it: repair must change nothing in either case.
    let mut with_tail = tampered.clone();
    with_tail.extend_from_slice(&lines[3][..40]);
    for (label, bytes) in [
        ("tampered", &tampered),
        ("tampered + torn tail", &with_tail),
    ] {
        std::fs::write(fx.ledger_path(), bytes).unwrap();
        let index_before = std::fs::read(fx.index_path()).ok();

        let v = fx.verify();
        assert_eq!(v.code, Some(1), "{label}: {}", v.output);
        assert!(
            v.errors().iter().any(|f| f["code"] != "torn-tail"),
            "{label}: tampering must be reported as more than a torn tail: {}",
            v.output
        );
        assert!(
            v.errors()
                .iter()
                .any(|f| f["code"] == "signature" && f["entry"] == 2),
            "{label}: {}",
            v.output
        );

        let rep = fx.repair();
        assert_eq!(rep.status.code(), Some(2), "{label}: {}", show(&rep));
        let err = String::from_utf8_lossy(&rep.stderr);
        assert!(err.contains("verify"), "{label}: {err}");
        assert_eq!(&fx.ledger(), bytes, "{label}: repair changed the ledger");
        assert!(
            fx.torn_files().is_empty(),
            "{label}: repair moved bytes aside"
        );
        assert_eq!(
            std::fs::read(fx.index_path()).ok(),
            index_before,
            "{label}: repair rewrote the index"
        );

        // And a seal that has to rebuild its state (no index: section 10) refuses to build on
        // it. (With a current index, an append does not re-read earlier lines, by design.)
        let _ = std::fs::remove_file(fx.index_path());
        let refused = run(&mut fx.seal_cmd(&[fx.file("d.bin", b"d")]));
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{label}: {}",
            show(&refused)
        );
        assert_eq!(
            &fx.ledger(),
            bytes,
            "{label}: a refused seal changed the ledger"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. A stale, missing or corrupt index is rebuilt
// ---------------------------------------------------------------------------------------------

fn assert_index_matches_ledger(fx: &Fixture, when: &str) {
    let ledger = fx.ledger();
    let (lines, torn) = split_ledger(&ledger);
    assert!(torn.is_none());
    assert!(
        fx.index_path().is_file(),
        "{when}: no ledger.index after a seal"
    );
    let index = common::index_head(&fx.case);
    assert_eq!(index["size"].as_u64(), Some(lines.len() as u64), "{when}");
    assert_eq!(index["bytes"].as_u64(), Some(ledger.len() as u64), "{when}");
    let last = lines.last().unwrap();
    assert_eq!(
        index["last_line_len"].as_u64(),
        Some(last.len() as u64),
        "{when}"
    );
    assert_eq!(
        index["exhibits"].as_u64(),
        Some(lines.len() as u64 - 1),
        "{when}"
    );
}

#[test]
fn stale_index_is_rebuilt() {
    let fx = Fixture::new();
    fx.seal_ok(&[fx.file("a.bin", b"a")]);
    assert_index_matches_ledger(&fx, "first seal");
    let old_index = std::fs::read(fx.index_path()).unwrap();
    fx.seal_ok(&[fx.file("b.bin", b"b")]);
    assert_index_matches_ledger(&fx, "second seal");

    type Damage = fn(&Fixture, &[u8]);
    let cases: [(&str, Damage); 5] = [
        ("deleted", |fx, _| {
            std::fs::remove_file(fx.index_path()).unwrap()
        }),
        ("garbage", |fx, _| {
            std::fs::write(fx.index_path(), b"\x00not an index{").unwrap()
        }),
        ("truncated", |fx, _| {
            let b = std::fs::read(fx.index_path()).unwrap();
            std::fs::write(fx.index_path(), &b[..b.len() / 2]).unwrap()
        }),
        ("empty", |fx, _| {
            std::fs::write(fx.index_path(), b"").unwrap()
        }),
        // An older, well-formed index (e.g. a crash between the ledger append and the index
        // replacement): trusting it would fork the chain.
        ("stale", |fx, old| {
            std::fs::write(fx.index_path(), old).unwrap()
        }),
    ];
    for (i, (label, damage)) in cases.into_iter().enumerate() {
        let before = split_ledger(&fx.ledger()).0;
        damage(&fx, &old_index);
        let out = fx.seal_ok(&[fx.file(&format!("x{i}.bin"), label.as_bytes())]);
        let (now, torn) = split_ledger(&fx.ledger());
        assert!(torn.is_none());
        assert_eq!(now.len(), before.len() + 1, "{label}");
        assert_prefix(&before, &now, label);
        assert_reported_in_ledger(&out, &now);
        assert_eq!(
            out[0]["exhibit"],
            format!("E-{:04}", now.len() - 1),
            "{label}"
        );
        assert_index_matches_ledger(&fx, label);
        let v = fx.verify_ok();
        assert!(!v.has_code("uncheckpointed"), "{label}: {}", v.output);
    }

    // A repair also leaves a current index: the next seal uses it and all verifies.
    std::fs::remove_file(fx.index_path()).unwrap();
    assert!(fx.repair().status.success());
    assert_index_matches_ledger(&fx, "after repair");
    fx.seal_ok(&[fx.file("y.bin", b"y")]);
    assert_index_matches_ledger(&fx, "seal after repair");
    fx.verify_ok();
}

// ---------------------------------------------------------------------------------------------
// 5. Concurrent writers serialise on the case lock
// ---------------------------------------------------------------------------------------------

#[test]
fn concurrent_writers_lose_nothing() {
    const WRITERS: usize = 4;
    const FILES: usize = 3;
    // A few rounds, each on a fresh case: the first writer to get the lock also writes
    // case.open, so the race on an empty ledger is exercised each time.
    for round in 0..3 {
        let fx = Fixture::new();
        let mut all_paths = BTreeSet::new();
        let children: Vec<(Vec<PathBuf>, Child)> = (0..WRITERS)
            .map(|w| {
                let paths: Vec<PathBuf> = (0..FILES)
                    .map(|f| {
                        fx.file(
                            &format!("r{round}-w{w}-f{f}.bin"),
                            format!("round {round} writer {w} file {f}\n").as_bytes(),
                        )
                    })
                    .collect();
                all_paths.extend(paths.iter().map(|p| p.to_str().unwrap().to_string()));
                let child = fx
                    .seal_cmd(&paths)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn");
                (paths, child)
            })
            .collect();
        let mut reported = Vec::new();
        for (paths, child) in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", show(&out));
            let printed = parse_json_lines(&out.stdout);
            assert_eq!(printed.len(), FILES);
            for (p, r) in paths.iter().zip(&printed) {
                assert_eq!(r["path"].as_str(), p.to_str());
            }
            reported.extend(printed);
        }

        let (lines, torn) = split_ledger(&fx.ledger());
        assert!(torn.is_none());
        assert_eq!(lines.len(), 1 + WRITERS * FILES, "round {round}");
        assert_reported_in_ledger(&reported, &lines);
        let entries: Vec<Value> = lines.iter().map(|l| entry(l)).collect();
        assert_eq!(entries[0]["kind"], "case.open");
        assert!(entries[1..].iter().all(|e| e["kind"] == "seal"));
        let exhibits: Vec<&str> = entries[1..]
            .iter()
            .map(|e| e["body"]["exhibit"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = (1..=WRITERS * FILES).map(|n| format!("E-{n:04}")).collect();
        assert_eq!(exhibits, expected, "round {round}");
        let sealed: BTreeSet<String> = entries[1..]
            .iter()
            .map(|e| e["body"]["artifact"]["path_given"].as_str().unwrap().into())
            .collect();
        assert_eq!(
            sealed, all_paths,
            "round {round}: every file sealed exactly once"
        );
        let reported_ex: BTreeSet<&str> = reported
            .iter()
            .map(|r| r["exhibit"].as_str().unwrap())
            .collect();
        assert_eq!(
            reported_ex.len(),
            WRITERS * FILES,
            "no exhibit reported twice"
        );

        let v = fx.verify_ok();
        assert_eq!(v.summary["entries"].as_u64(), Some(13));
        assert_eq!(v.summary["exhibits"].as_u64(), Some(12));
        assert_eq!(v.summary["checkpointed_size"].as_u64(), Some(13));
        assert!(v.findings.is_empty(), "round {round}: {}", v.output);
        assert_index_matches_ledger(&fx, "concurrent");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. SIGKILL campaign over seal, release, accept, report and export
// ---------------------------------------------------------------------------------------------

/// The commands the campaign kills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmd {
    Seal,
    Release,
    Accept,
    Report,
    Export,
}

const CMDS: [Cmd; 5] = [
    Cmd::Seal,
    Cmd::Release,
    Cmd::Accept,
    Cmd::Report,
    Cmd::Export,
];

impl Cmd {
    fn name(self) -> &'static str {
        match self {
            Cmd::Seal => "seal",
            Cmd::Release => "release",
            Cmd::Accept => "accept",
            Cmd::Report => "report",
            Cmd::Export => "export",
        }
    }
}

/// Per command: what the kills found.
#[derive(Default, Clone)]
struct Tally {
    /// Runs of the command (killed or not).
    runs: u32,
    /// Killed while running.
    kills: u32,
    /// Completed (exit 0) before the kill landed.
    completed: u32,
    /// After the kill, `verify` passed (warnings such as `uncheckpointed` allowed).
    verified_clean: u32,
    /// After the kill, `verify` reported exactly a torn tail, and `repair` restored a
    /// verifying ledger.
    torn_repaired: u32,
    /// The kill landed after the command's entry was appended.
    entry_written: u32,
    /// A complete PDF or bundle at the target path that no entry records (killed between the
    /// rename and the append).
    unrecorded_file: u32,
    /// Complete lines seen earlier that were lost or changed (goal 0).
    lost_entries: u32,
    /// Anything else (goal 0): the messages.
    failures: Vec<String>,
    /// Temporary files left by a kill (documented: `.NAME.tmp-RANDOM`, `.NAME.partial-RANDOM`).
    temp_files: u32,
    /// Their kinds, the process id replaced by `PID` and numbers by `N`.
    temp_kinds: BTreeSet<String>,
}

/// The campaign's case: the fixture's `expert` (administrator) and an enrolled `counsel`.
struct World {
    fx: Fixture,
    /// A directory of 300 files with long names (see test 1).
    big: PathBuf,
    counsel: PathBuf,
    out: PathBuf,
    n: u64,
    /// Every complete line seen after a completed command or a repair.
    kept: Vec<Vec<u8>>,
}

/// Each exhibit's holder (key name) and whether it is in transit (to whom).
fn custody(lines: &[Vec<u8>]) -> Vec<(String, String, Option<String>)> {
    let mut names = std::collections::BTreeMap::new();
    let mut ex: Vec<(String, String, Option<String>)> = Vec::new();
    for l in lines {
        let e = entry(l);
        let signer = e["key"].as_str().unwrap().to_string();
        match e["kind"].as_str().unwrap() {
            "case.open" => {
                let a = &e["body"]["admin"];
                names.insert(
                    a["id"].as_str().unwrap().to_string(),
                    a["name"].as_str().unwrap().to_string(),
                );
            }
            "key.enrol" => {
                let k = &e["body"]["key"];
                names.insert(
                    k["id"].as_str().unwrap().to_string(),
                    k["name"].as_str().unwrap().to_string(),
                );
            }
            "seal" => ex.push((
                e["body"]["exhibit"].as_str().unwrap().into(),
                names[&signer].clone(),
                None,
            )),
            "release" => {
                let to = names[e["body"]["to"].as_str().unwrap()].clone();
                for x in e["body"]["exhibits"].as_array().unwrap() {
                    let x = ex
                        .iter_mut()
                        .find(|(id, _, _)| id == x.as_str().unwrap())
                        .unwrap();
                    x.2 = Some(to.clone());
                }
            }
            "accept" => {
                for r in e["body"]["received"].as_array().unwrap() {
                    let x = ex
                        .iter_mut()
                        .find(|(id, _, _)| id == r["exhibit"].as_str().unwrap())
                        .unwrap();
                    x.1 = names[&signer].clone();
                    x.2 = None;
                }
            }
            _ => {}
        }
    }
    ex
}

impl World {
    fn new() -> World {
        let fx = Fixture::new();
        let keys = fx.dir.path().join("keys");
        key_pair(&keys, PASS, "counsel", None);
        // The first seal writes case.open; then counsel is enrolled.
        fx.seal_ok(&[fx.file("first.bin", b"first\n")]);
        run_ok(
            scelle()
                .arg("-C")
                .arg(&fx.case)
                .args([
                    "key", "enrol", "--name", "counsel", "--role", "counsel", "--key",
                ])
                .arg(&fx.key)
                .arg(keys.join("counsel.pub")),
        );
        let out = fx.dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let kept = split_ledger(&fx.ledger()).0;
        let big = fx.dir.path().join("files").join("big-dir");
        std::fs::create_dir(&big).unwrap();
        for i in 0..300 {
            let name = format!("{i:04}-{}", "x".repeat(150));
            std::fs::write(big.join(name), format!("member {i}\n")).unwrap();
        }
        World {
            big,
            counsel: keys.join("counsel.key"),
            out,
            n: 0,
            kept,
            fx,
        }
    }

    fn key_of(&self, name: &str) -> &PathBuf {
        if name == "expert" {
            &self.fx.key
        } else {
            &self.counsel
        }
    }

    fn other(name: &str) -> &'static str {
        if name == "expert" {
            "counsel"
        } else {
            "expert"
        }
    }

    /// The command line for one run of `cmd`, doing first (uninterrupted) whatever custody
    /// step it needs; and the output file it writes, if any.
    fn command(&mut self, cmd: Cmd) -> (Command, Option<PathBuf>) {
        self.n += 1;
        let n = self.n;
        let mut c = scelle();
        c.arg("-C").arg(&self.fx.case);
        match cmd {
            Cmd::Seal => {
                let f = self
                    .fx
                    .file(&format!("c{n}.bin"), format!("campaign {n}\n").as_bytes());
                c.arg("seal");
                // Every other seal starts with the large directory: its entry is one line of
                // about 70 KiB, so a kill can land inside its write(2) and tear it.
                if n.is_multiple_of(2) {
                    c.arg(&self.big);
                }
                c.arg(f).arg("--key").arg(&self.fx.key);
                (c, None)
            }
            Cmd::Release | Cmd::Accept => {
                let want_transit = cmd == Cmd::Accept;
                let lines = split_ledger(&self.fx.ledger()).0;
                let state = custody(&lines);
                let pick = state
                    .iter()
                    .rev()
                    .find(|x| x.2.is_some() == want_transit)
                    .cloned();
                let (exhibit, holder, to) = match pick {
                    Some(x) => x,
                    None => {
                        // Prepare one: release a sealed exhibit, or accept one in transit.
                        let x = state.last().unwrap().clone();
                        self.step_ok(&x, want_transit);
                        let lines = split_ledger(&self.fx.ledger()).0;
                        custody(&lines).into_iter().find(|y| y.0 == x.0).unwrap()
                    }
                };
                if cmd == Cmd::Release {
                    c.args([
                        "release",
                        &exhibit,
                        "--to",
                        World::other(&holder),
                        "--purpose",
                        "crash campaign",
                        "--key",
                    ])
                    .arg(self.key_of(&holder));
                } else {
                    let to = to.unwrap();
                    c.args(["accept", &exhibit, "--key"]).arg(self.key_of(&to));
                }
                (c, None)
            }
            Cmd::Report => {
                let out = self.out.join(format!("report-{n}.pdf"));
                c.args(["report", "certificate", "--lang", "en", "--input"])
                    .arg(self.fx.dir.path().join("certificate.toml"))
                    .arg("--out")
                    .arg(&out)
                    .arg("--key")
                    .arg(&self.fx.key);
                (c, Some(out))
            }
            Cmd::Export => {
                let out = self.out.join(format!("bundle-{n}.tar"));
                c.arg("export")
                    .arg("--out")
                    .arg(&out)
                    .arg("--key")
                    .arg(&self.fx.key);
                (c, Some(out))
            }
        }
    }

    /// An uninterrupted release (`release` true) or accept of exhibit `x`.
    fn step_ok(&mut self, x: &(String, String, Option<String>), release: bool) {
        let mut c = scelle();
        c.arg("-C").arg(&self.fx.case);
        if release {
            c.args([
                "release",
                &x.0,
                "--to",
                World::other(&x.1),
                "--purpose",
                "set-up",
                "--key",
            ])
            .arg(self.key_of(&x.1));
        } else {
            c.args(["accept", &x.0, "--key"])
                .arg(self.key_of(x.2.as_ref().unwrap()));
        }
        run_ok(&mut c);
        self.kept = split_ledger(&self.fx.ledger()).0;
    }
}

/// Files in `dir` whose names start with `.` (temporary files of atomic writes).
fn temp_files(dir: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name().to_string_lossy().starts_with('.') && e.file_name() != ".lock"
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Spins until the ledger's length changes or a file appears in `out`, the child exits, or
/// a deadline passes.
fn wait_for_change(
    child: &mut Child,
    w: &World,
    before: u64,
    files_before: usize,
    typical: Duration,
) {
    let deadline = Instant::now() + typical * 10 + Duration::from_secs(2);
    loop {
        let len = std::fs::metadata(w.fx.ledger_path())
            .map(|m| m.len())
            .unwrap_or(0);
        let files = std::fs::read_dir(&w.out).map(|r| r.count()).unwrap_or(0);
        if len != before
            || files != files_before
            || Instant::now() > deadline
            || child.try_wait().expect("try_wait").is_some()
        {
            return;
        }
        std::hint::spin_loop();
    }
}

/// One run of `cmd`, killed at a moment chosen by `mode`, and every check after it.
/// Waits until `deadline` or the child's exit; returns how long it ran if it exited.
fn wait_until(child: &mut Child, started: Instant, deadline: Duration) -> Option<Duration> {
    while started.elapsed() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}

/// One run of `cmd`, killed at a moment chosen by `mode`, and every check after it. `typical`
/// (the command's duration) follows the runs: commands slow down as the case grows.
fn crash_once(
    w: &mut World,
    cmd: Cmd,
    mode: u64,
    rng: &mut Rng,
    typical: &mut Duration,
    t: &mut Tally,
) {
    let (mut c, out) = w.command(cmd);
    let before = w.fx.ledger().len() as u64;
    let files_before = std::fs::read_dir(&w.out).unwrap().count();
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let _pid = child.id();
    let started = Instant::now();
    let us = typical.as_micros() as u64;
    let ran = match mode {
        0 => wait_until(
            &mut child,
            started,
            Duration::from_micros(rng.below(us * 13 / 10)),
        ),
        1 => wait_until(
            &mut child,
            started,
            Duration::from_micros(us * 8 / 10 + rng.below(us * 4 / 10)),
        ),
        2 => {
            wait_for_change(&mut child, w, before, files_before, *typical);
            spin_for(Duration::from_micros(rng.below(4000)));
            None
        }
        3 => {
            wait_for_change(&mut child, w, before, files_before, *typical);
            None
        }
        _ => {
            let ran = wait_until(
                &mut child,
                started,
                Duration::from_micros(us * 3 / 2 + rng.below(us * 3 / 2)),
            );
            if ran.is_none() {
                // Still running long after its typical duration: it has slowed down.
                *typical = *typical * 5 / 4;
            }
            ran
        }
    };
    if let Some(d) = ran {
        *typical = (*typical * 3 + d) / 4;
    }
    let (running, output) = kill_and_wait(child);
    t.runs += 1;
    let when = format!("{} run {}", cmd.name(), t.runs);
    let fail = |t: &mut Tally, msg: String| {
        if t.failures.len() < 10 {
            t.failures.push(format!("{when}: {msg}"));
        } else {
            t.failures.push(String::new());
        }
    };
    let finished_ok = output.status.success();
    if running && !finished_ok {
        if output.status.signal() != Some(9) {
            return fail(
                t,
                format!("neither completed nor killed: {}", show(&output)),
            );
        }
        t.kills += 1;
    } else if finished_ok {
        t.completed += 1;
    } else {
        return fail(t, format!("failed on its own: {}", show(&output)));
    }

    // No complete line seen before is lost or changed.
    let bytes = w.fx.ledger();
    let (lines, torn) = split_ledger(&bytes);
    let lost = w
        .kept
        .iter()
        .enumerate()
        .filter(|(i, l)| lines.get(*i) != Some(l))
        .count() as u32;
    if lost > 0 {
        t.lost_entries += lost;
        return fail(t, format!("{lost} complete lines lost or changed"));
    }

    // verify: passes, or fails with exactly a torn tail that repair removes.
    let v = w.fx.verify();
    match v.code {
        Some(0) if torn.is_none() => t.verified_clean += 1,
        Some(1) if torn.is_some() && v.errors().iter().all(|e| e["code"] == "torn-tail") => {
            let (offset, tail) = torn.clone().unwrap();
            let saved_before = w.fx.torn_files();
            let rep = w.fx.repair();
            let saved: Vec<PathBuf> =
                w.fx.torn_files()
                    .difference(&saved_before)
                    .cloned()
                    .collect();
            if !rep.status.success() {
                return fail(t, format!("repair failed: {}", show(&rep)));
            }
            if w.fx.ledger() != bytes[..offset] {
                return fail(t, "repair did not keep exactly the complete lines".into());
            }
            if saved.len() != 1 || std::fs::read(&saved[0]).unwrap() != tail {
                return fail(t, format!("repair did not save the torn bytes: {saved:?}"));
            }
            let v2 = w.fx.verify();
            if v2.code != Some(0) {
                return fail(t, format!("verify fails after repair: {}", v2.output));
            }
            t.torn_repaired += 1;
        }
        _ => return fail(t, format!("after the kill, verify: {}", v.output)),
    }

    // At most this command's entries were appended (one, or two for a seal of the large
    // directory and a file), of its kind; all of them if it completed.
    let lines = split_ledger(&w.fx.ledger()).0;
    let appended = &lines[w.kept.len()..];
    let kind = cmd.name();
    let expected = if cmd == Cmd::Seal && w.n.is_multiple_of(2) {
        2
    } else {
        1
    };
    if appended.len() > expected || appended.iter().any(|l| entry(l)["kind"] != kind) {
        return fail(t, format!("{} unexpected entries appended", appended.len()));
    }
    if finished_ok && appended.len() != expected {
        return fail(t, "completed without appending its entries".into());
    }
    let new_entry = appended.last().map(|l| entry(l));
    if new_entry.is_some() {
        t.entry_written += 1;
    }

    // The file it writes: none, or complete; with an entry, the one the entry records.
    if let Some(out) = &out {
        let sha = std::fs::read(out).ok().map(|b| {
            use sha2::Digest;
            scelle::format::encoding::hex(&sha2::Sha256::digest(&b))
        });
        match (&new_entry, &sha) {
            (Some(e), Some(s)) if e["body"]["sha256"] != *s => {
                return fail(
                    t,
                    format!("{} is not the file its entry records", out.display()),
                )
            }
            (Some(_), None) => {
                return fail(t, format!("entry recorded, {} missing", out.display()))
            }
            _ => {}
        }
        if sha.is_some() {
            let complete = match cmd {
                Cmd::Export => scelle::case::bundle::verify_bundle(out, &Default::default())
                    .map(|r| r.ok())
                    .unwrap_or(false),
                _ => {
                    let b = std::fs::read(out).unwrap();
                    b.starts_with(b"%PDF-") && b.trim_ascii_end().ends_with(b"%%EOF")
                }
            };
            if !complete {
                return fail(t, format!("{} is half-written", out.display()));
            }
            if new_entry.is_none() {
                t.unrecorded_file += 1;
            }
        }
    }
    // Temporary files: only those of the killed process, named as documented; removed here so
    // that they are counted once.
    for dir in [
        w.out.clone(),
        w.fx.case.clone(),
        w.fx.case.join("checkpoints"),
    ] {
        for p in temp_files(&dir) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // `.NAME.tmp-RANDOM` / `.NAME.partial-RANDOM`: 16 random hex digits, never the
            // PID (a predictable name is a place to plant a link: docs/SECURITY.md 13.4).
            let random = |what: &str| {
                name.rsplit_once(what)
                    .is_some_and(|(_, r)| r.len() == 16 && r.bytes().all(|b| b.is_ascii_hexdigit()))
            };
            if !(random(".tmp-") || random(".partial-")) {
                return fail(t, format!("unexpected file {}", p.display()));
            }
            t.temp_files += 1;
            let parent = p.parent().unwrap().file_name().unwrap().to_string_lossy();
            let suffix = name.rsplit_once('-').map(|(_, r)| r.to_string()).unwrap();
            let kind: String = name
                .replace(&suffix, "RANDOM")
                .chars()
                .map(|c| if c.is_ascii_digit() { 'N' } else { c })
                .collect();
            t.temp_kinds.insert(format!("{parent}/{kind}"));
            std::fs::remove_file(&p).unwrap();
        }
    }
    w.kept = lines;
}

/// Runs `iterations` killed runs of each command, round-robin; returns the tallies.
fn crash_campaign(iterations: u32, seed: u64) -> Vec<(Cmd, Tally)> {
    let mut w = World::new();
    // Calibrate: one uninterrupted run of each command.
    let mut typical = Vec::new();
    for cmd in CMDS {
        let (mut c, _) = w.command(cmd);
        let t0 = Instant::now();
        run_ok(&mut c);
        typical.push(t0.elapsed());
        w.kept = split_ledger(&w.fx.ledger()).0;
    }
    eprintln!(
        "crash campaign: typical durations {}",
        CMDS.iter()
            .zip(&typical)
            .map(|(c, d)| format!("{} {d:?}", c.name()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut tallies: Vec<(Cmd, Tally)> = CMDS.iter().map(|c| (*c, Tally::default())).collect();
    let mut rng = Rng::new(seed);
    for i in 0..iterations as u64 {
        for (k, cmd) in CMDS.iter().enumerate() {
            let mode = (i + k as u64) % 5;
            let t = &mut tallies[k].1;
            crash_once(&mut w, *cmd, mode, &mut rng, &mut typical[k], t);
            assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
        }
    }
    // An ordinary command afterwards covers the whole ledger with a checkpoint.
    w.fx.seal_ok(&[w.fx.file("final.bin", b"final\n")]);
    let lines = split_ledger(&w.fx.ledger()).0;
    assert!(w.kept.iter().zip(&lines).all(|(a, b)| a == b));
    let v = w.fx.verify_ok();
    assert!(!v.has_code("uncheckpointed"), "{}", v.output);
    tallies
}

fn print_tallies(tallies: &[(Cmd, Tally)], elapsed: Duration) -> String {
    let mut s = String::from(
        "| command | runs | kills | completed first | verified clean | torn tail, repaired | entry written | file, no entry | lost entries | other failures | temp files left |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (c, t) in tallies {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.name(),
            t.runs,
            t.kills,
            t.completed,
            t.verified_clean,
            t.torn_repaired,
            t.entry_written,
            t.unrecorded_file,
            t.lost_entries,
            t.failures.len(),
            t.temp_files
        ));
    }
    for (c, t) in tallies {
        if !t.temp_kinds.is_empty() {
            s.push_str(&format!(
                "{}: temporary files left by kills: {}\n",
                c.name(),
                t.temp_kinds.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    s.push_str(&format!("({:.0} s)\n", elapsed.as_secs_f64()));
    s
}

/// A few killed runs of each command, in the ordinary test suite.
#[test]
fn sigkill_during_custody_report_and_export_loses_nothing() {
    let started = Instant::now();
    let tallies = crash_campaign(6, 7);
    eprintln!("{}", print_tallies(&tallies, started.elapsed()));
    let kills: u32 = tallies.iter().map(|(_, t)| t.kills).sum();
    assert!(kills >= 5, "too few kills landed while the commands ran");
}

/// The crash campaign: `SCELLE_CRASH_ITERATIONS` (default 200) killed runs of each command.
/// `campaigns/crash.sh` runs it in release mode.
#[test]
#[ignore]
fn crash_campaign_many_iterations() {
    let n: u32 = std::env::var("SCELLE_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("SCELLE_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let started = Instant::now();
    let tallies = crash_campaign(n, seed);
    println!("crash campaign: {n} iterations per command, seed {seed}");
    print!("{}", print_tallies(&tallies, started.elapsed()));
}

/// A writer killed while replacing a checkpoint or the index leaves its temporary file
/// (`.NAME.tmp-PID`, possibly half-written) in the case. A later export must not carry it into
/// the evidence bundle. (Regression: `export` copied every file of `checkpoints/`, `keys/` and
/// `ioc/`, hidden ones included.)
#[test]
fn export_does_not_carry_temporary_files_left_by_a_kill() {
    let fx = Fixture::new();
    fx.seal_ok(&[fx.file("a.bin", b"alpha\n")]);
    let planted = [
        fx.case.join("checkpoints/.000000000003.txt.tmp-4242"),
        fx.case.join("keys/.stray.pub.tmp-4242"),
    ];
    for p in &planted {
        std::fs::write(p, b"half-written").unwrap();
    }
    let out = fx.dir.path().join("bundle.tar");
    run_ok(
        scelle()
            .arg("-C")
            .arg(&fx.case)
            .arg("export")
            .arg("--out")
            .arg(&out)
            .arg("--key")
            .arg(&fx.key),
    );
    let mut archive = tar::Archive::new(std::fs::File::open(&out).unwrap());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n == "data/case/checkpoints/000000000002.txt"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains(".tmp-")),
        "the bundle carries a temporary file: {names:?}"
    );
    let report = scelle::case::bundle::verify_bundle(&out, &Default::default()).unwrap();
    assert!(report.ok());
}

/// A writer killed after its append and before its checkpoint leaves an uncheckpointed seal;
/// `export --key` must still export (signing the missing checkpoint under the lock), not fail
/// because no checkpoint covers the seal's proof. (Regression, found by the crash campaign:
/// "entry N is newer than the latest checkpoint".)
#[test]
fn export_with_key_after_a_kill_before_the_checkpoint() {
    let fx = Fixture::new();
    fx.seal_ok(&[fx.file("a.bin", b"alpha\n")]);
    fx.seal_ok(&[fx.file("b.bin", b"bravo\n")]);
    // The state a kill between the append of entry 2 and its checkpoint leaves.
    let latest = fx.case.join("checkpoints/000000000003.txt");
    std::fs::remove_file(&latest).unwrap();
    let v = fx.verify_ok();
    assert!(v.has_code("uncheckpointed"), "{}", v.output);
    let out = fx.dir.path().join("bundle.tar");
    run_ok(
        scelle()
            .arg("-C")
            .arg(&fx.case)
            .arg("export")
            .arg("--out")
            .arg(&out)
            .arg("--key")
            .arg(&fx.key),
    );
    let report = scelle::case::bundle::verify_bundle(&out, &Default::default()).unwrap();
    assert!(report.ok());
    assert!(latest.is_file(), "the missing checkpoint was written");
    let v = fx.verify_ok();
    assert!(!v.has_code("uncheckpointed"), "{}", v.output);
    assert_eq!(v.summary["entries"].as_u64(), Some(4));
}
