//! What a writer signs comes from authenticated data only, consistency proves against the
//! ledger, case files are never written through links, and repair never removes a complete
//! entry (issue 15, items 2, 3, 4, 8; docs/SECURITY.md 13.2, 13.3, 13.4, 13.8).
//!
//! Every test runs the real binary the way an attacker with write access to the case (but no
//! key) would set it up, then the honest expert's next routine command.

mod common;

use common::{key_pair, run_in, show as out, snapshot_links as snapshot, succeeded};
use scelle::format::encoding::hex;
use scelle::format::merkle::{self, leaf_hash, Frontier, Hash};
use scelle::format::note::{Checkpoint, Note};
use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;

const PASS: &str = "writer trust passphrase";

struct Fx {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
}

impl Fx {
    /// Keys `expert` and `counsel`; a case with E-0001 and E-0002 sealed by the expert.
    fn new() -> Fx {
        Fx::with_id("W-1")
    }

    fn with_id(id: &str) -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let f = Fx {
            case: root.join("case"),
            root,
            _tmp: tmp,
        };
        for n in ["expert", "counsel"] {
            key_pair(&f.root, PASS, n, None);
        }
        f.init_and_seal(id, "case");
        f
    }

    fn init_and_seal(&self, id: &str, dir: &str) {
        self.ok(&[
            "init",
            dir,
            "--case-id",
            id,
            "--title",
            "Writer trust",
            "--key",
            "expert.key",
        ]);
        std::fs::write(self.root.join("a.bin"), b"alpha").unwrap();
        std::fs::write(self.root.join("b.bin"), b"bravo").unwrap();
        self.ok(&["-C", dir, "seal", "a.bin", "b.bin", "--key", "expert.key"]);
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(&self.root, PASS, args)
    }

    fn ok(&self, args: &[&str]) -> Output {
        succeeded(args, self.run(args))
    }

    /// A command on the case.
    fn scelle(&self, args: &[&str]) -> Output {
        let mut all = vec!["-C", "case"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    fn ledger(&self) -> Vec<u8> {
        std::fs::read(self.case.join("ledger.jsonl")).unwrap()
    }

    fn lines(&self) -> Vec<Vec<u8>> {
        let l = self.ledger();
        assert_eq!(l.last(), Some(&b'\n'));
        l[..l.len() - 1]
            .split(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn origin(&self) -> String {
        let v: Value =
            serde_json::from_slice(&std::fs::read(self.case.join("case.json")).unwrap()).unwrap();
        v["origin"].as_str().unwrap().to_string()
    }

    /// The expert enrols counsel's key.
    fn enrol_counsel(&self) {
        self.ok(&[
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
    }

    /// The expert releases E-0001 to counsel.
    fn release_e1_to_counsel(&self) {
        self.ok(&[
            "-C",
            "case",
            "release",
            "E-0001",
            "--to",
            "counsel",
            "--purpose",
            "filing",
            "--key",
            "expert.key",
        ]);
    }

    /// The expert tries to open E-0001 for imaging.
    fn open_e1(&self) -> Output {
        self.scelle(&[
            "open",
            "E-0001",
            "--operations",
            "imaging",
            "--key",
            "expert.key",
        ])
    }

    /// The head of the index (FORMAT.md section 10).
    fn index(&self) -> Value {
        common::index_head(&self.case)
    }

    /// Replaces the head of the index with `v`, as anyone who can write the case can.
    fn write_index(&self, v: &Value) {
        self.sql(
            "UPDATE head SET json = ?1 WHERE id = 1",
            &[&serde_json::to_string(v).unwrap()],
        );
    }

    /// Runs one statement on the index with SQLite, as anyone who can write the case can.
    fn sql(&self, statement: &str, params: &[&dyn rusqlite::ToSql]) {
        let db = rusqlite::Connection::open(self.case.join("ledger.index")).unwrap();
        db.execute(statement, params).unwrap();
    }

    /// The stored custody row of `exhibit` (canonical JSON).
    fn custody_row(&self, exhibit: &str) -> String {
        common::index_db(&self.case)
            .query_row(
                "SELECT row FROM custody WHERE exhibit = ?1",
                [exhibit],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn verify_ok(&self) {
        let o = self.scelle(&["verify"]);
        assert_eq!(o.status.code(), Some(0), "verify: {}", out(&o));
    }

    /// Every checkpoint file holds this case's origin and the ledger's own root at its size,
    /// and every entry's `seq` is its position: nothing false was signed.
    fn assert_nothing_false_signed(&self, when: &str) {
        let lines = self.lines();
        for (i, l) in lines.iter().enumerate() {
            let e: Value = serde_json::from_slice(l).unwrap();
            assert_eq!(e["seq"].as_u64(), Some(i as u64), "{when}: entry {i}");
        }
        let leaves: Vec<Hash> = lines.iter().map(|l| leaf_hash(l)).collect();
        for e in std::fs::read_dir(self.case.join("checkpoints")).unwrap() {
            let p = e.unwrap().path();
            let note = Note::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let cp = Checkpoint::parse_text(&note.text).unwrap();
            assert_eq!(cp.origin, self.origin(), "{when}: {}", p.display());
            assert!(
                cp.size as usize <= lines.len(),
                "{when}: {} beyond the ledger",
                p.display()
            );
            assert_eq!(
                cp.root,
                merkle::root_of(&leaves[..cp.size as usize]),
                "{when}: {} signs a root that is not the ledger's",
                p.display()
            );
        }
    }
}

/// The frontier nodes (as the index stores them) of a tree over `leaves`.
fn frontier_json(leaves: &[Hash]) -> Value {
    let mut f = Frontier::new();
    for l in leaves {
        f.push(*l);
    }
    Value::Array(
        f.nodes()
            .iter()
            .map(|(h, x)| serde_json::json!({"height": h, "hash": hex(x)}))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Item 2: the ledger index is never trusted for what a writer signs
// ---------------------------------------------------------------------------------------------

/// A forged index, then the expert's routine `note`: nothing false is signed, and the case
/// verifies afterwards.
#[test]
fn a_forged_index_never_leads_to_a_false_signature() {
    type Forge = fn(&Fx, &mut Value);
    let forgeries: [(&str, Forge); 4] = [
        ("foreign origin", |_, v| {
            v["case"]["origin"] = "attacker.example/other-case".into();
        }),
        ("false root", |_, v| {
            let nodes = v["frontier"].as_array_mut().unwrap();
            let last = nodes.last_mut().unwrap();
            last["hash"] = "00".repeat(32).into();
        }),
        ("false size", |fx, v| {
            // One more leaf than the ledger has, with a consistent frontier.
            let mut leaves: Vec<Hash> = fx.lines().iter().map(|l| leaf_hash(l)).collect();
            leaves.push([7u8; 32]);
            v["size"] = (leaves.len() as u64).into();
            v["frontier"] = frontier_json(&leaves);
        }),
        ("false frontier of another ledger", |_, v| {
            let leaves: Vec<Hash> = (0..v["size"].as_u64().unwrap())
                .map(|i| [i as u8 + 40; 32])
                .collect();
            v["frontier"] = frontier_json(&leaves);
        }),
    ];
    for (label, forge) in forgeries {
        let f = Fx::new();
        let mut v = f.index();
        forge(&f, &mut v);
        f.write_index(&v);
        let o = f.scelle(&["note", "--text", "routine", "--key", "expert.key"]);
        // Either it rebuilt and signed the truth, or it refused; never a false signature.
        f.assert_nothing_false_signed(label);
        assert!(o.status.success(), "{label}: {}", out(&o));
        f.verify_ok();
    }
}

/// A forged custody holder: E-0001 is in transit to counsel, but the index says the expert
/// still holds it sealed. The expert's `open` must not be signed on that false ground.
#[test]
fn a_forged_custody_holder_is_not_believed() {
    let f = Fx::new();
    f.enrol_counsel();
    f.release_e1_to_counsel();
    // The row of E-0001 says what E-0002's says: sealed, held by the expert.
    let held = f.custody_row("E-0002").replace("E-0002", "E-0001");
    assert_ne!(f.custody_row("E-0001"), held);
    f.sql(
        "UPDATE custody SET row = ?1 WHERE exhibit = 'E-0001'",
        &[&held],
    );
    let before = f.ledger();
    let o = f.open_e1();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert_eq!(
        f.ledger(),
        before,
        "an entry was signed on a forged custody"
    );
    f.assert_nothing_false_signed("custody");
    f.verify_ok();
}

/// E-0001's custody row rolled back to what it was before its release (sealed, held by the
/// expert), with every node of the custody tree as it was then, under the current signed
/// head: each piece is one the expert's own writer stored, but the row no longer leads to the
/// head's root, so an `open` of an exhibit in transit is not signed.
#[test]
fn a_custody_row_rolled_back_with_its_path_is_not_believed() {
    let f = Fx::new();
    f.enrol_counsel();
    let old_row = f.custody_row("E-0001");
    let old_nodes: Vec<(i64, i64, Vec<u8>)> = {
        let db = common::index_db(&f.case);
        let mut q = db
            .prepare("SELECT level, pos, hash FROM nodes WHERE tree = 0")
            .unwrap();
        let rows = q
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert!(!old_nodes.is_empty());
    f.release_e1_to_counsel();
    assert_ne!(f.custody_row("E-0001"), old_row);
    f.sql(
        "UPDATE custody SET row = ?1 WHERE exhibit = 'E-0001'",
        &[&old_row],
    );
    f.sql("DELETE FROM nodes WHERE tree = 0", &[]);
    for (level, pos, hash) in &old_nodes {
        f.sql(
            "INSERT INTO nodes (tree, level, pos, hash) VALUES (0, ?1, ?2, ?3)",
            &[level, pos, hash],
        );
    }
    let before = f.ledger();
    let o = f.open_e1();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("in-transit") || out(&o).contains("transit"),
        "{}",
        out(&o)
    );
    assert_eq!(
        f.ledger(),
        before,
        "an entry was signed on a rolled-back row"
    );
    f.assert_nothing_false_signed("rolled-back row");
    f.verify_ok();
    // The expert's next append rewrote the index whole, from the ledger: rows check again.
    f.ok(&[
        "-C",
        "case",
        "note",
        "E-0002",
        "--text",
        "routine",
        "--key",
        "expert.key",
    ]);
    assert_ne!(f.custody_row("E-0001"), old_row);
}

/// An index with a schema of its own (here a trigger that would empty the custody table at
/// the writer's next update) is not opened as an index: the writer rebuilds from the ledger
/// and replaces the file with one of exactly the documented schema.
#[test]
fn an_index_with_a_planted_trigger_is_replaced_not_run() {
    let f = Fx::new();
    f.sql(
        "CREATE TRIGGER planted AFTER UPDATE ON head BEGIN DELETE FROM custody; END",
        &[],
    );
    f.ok(&[
        "-C",
        "case",
        "note",
        "E-0001",
        "--text",
        "routine",
        "--key",
        "expert.key",
    ]);
    let db = common::index_db(&f.case);
    let triggers: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0, "the planted trigger is still in the index");
    let rows: i64 = db
        .query_row("SELECT count(*) FROM custody", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
    f.assert_nothing_false_signed("planted trigger");
    f.verify_ok();
}

/// An index copied from another case of the same expert (same key), adjusted by the attacker
/// to match this ledger's length and last line: the expert must not sign a checkpoint of the
/// other case (origin and root of the other case, framing the expert there).
#[test]
fn an_index_from_another_case_with_the_same_key_is_not_used() {
    let f = Fx::with_id("W-A");
    f.init_and_seal("W-B", "other");
    std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
    f.ok(&["-C", "other", "seal", "c.bin", "--key", "expert.key"]);
    let mine = f.index();
    std::fs::copy(
        f.root.join("other/ledger.index"),
        f.case.join("ledger.index"),
    )
    .unwrap();
    let mut v = f.index();
    for k in ["bytes", "last_line_len", "last_line_sha256"] {
        v[k] = mine[k].clone();
    }
    f.write_index(&v);
    let other_checkpoints = snapshot(&f.root.join("other/checkpoints"));
    let o = f.scelle(&["note", "--text", "routine", "--key", "expert.key"]);
    assert!(o.status.success(), "{}", out(&o));
    f.assert_nothing_false_signed("copied index");
    f.verify_ok();
    assert_eq!(
        snapshot(&f.root.join("other/checkpoints")),
        other_checkpoints
    );
}

// ---------------------------------------------------------------------------------------------
// Item 3: consistency proves against the ledger
// ---------------------------------------------------------------------------------------------

/// Rewrites the ledger from entry 1 on, re-signed by the expert (as in tests/cli.rs), drops
/// the checkpoints and the index, and has the expert seal once more (a fresh checkpoint over
/// the rewritten ledger).
fn rewrite_history(f: &Fx) {
    let pass = secrecy::SecretString::from(PASS.to_string());
    let key = scelle::store::keyfile::load_signing_key(&f.root.join("expert.key"), &pass).unwrap();
    let lines = f.lines();
    let mut rewritten = vec![lines[0].clone()];
    let mut prev = scelle::format::entry::line_hash(&lines[0]);
    for (i, l) in lines[2..].iter().enumerate() {
        let mut e = scelle::format::entry::Entry::parse_line(l).unwrap();
        e.seq = i as u64 + 1;
        e.prev = prev.clone();
        let mut body: scelle::format::body::Seal = serde_json::from_value(e.body.clone()).unwrap();
        body.exhibit = scelle::format::body::exhibit_id(i as u64 + 1);
        e.body = serde_json::to_value(body).unwrap();
        e.sign(&key.signing);
        let line = e.line().unwrap();
        prev = scelle::format::entry::line_hash(&line);
        rewritten.push(line);
    }
    let mut bytes = rewritten.join(&b'\n');
    bytes.push(b'\n');
    std::fs::write(f.case.join("ledger.jsonl"), bytes).unwrap();
    for e in std::fs::read_dir(f.case.join("checkpoints")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::remove_file(f.case.join("ledger.index")).unwrap();
    std::fs::write(f.root.join("z.bin"), b"zulu").unwrap();
    f.ok(&["-C", "case", "seal", "z.bin", "--key", "expert.key"]);
    std::fs::write(f.root.join("y.bin"), b"yankee").unwrap();
    f.ok(&["-C", "case", "seal", "y.bin", "--key", "expert.key"]);
}

#[test]
fn consistency_ignores_an_old_checkpoint_copied_to_a_name_that_sorts_last() {
    for name in ["zzzz.txt", "999999999999.txt"] {
        let f = Fx::new();
        let held = f.root.join("held.txt");
        std::fs::copy(f.case.join("checkpoints/000000000003.txt"), &held).unwrap();
        let o = f.scelle(&["consistency", "held.txt"]);
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
        rewrite_history(&f);
        std::fs::copy(&held, f.case.join("checkpoints").join(name)).unwrap();
        let o = f.scelle(&["consistency", "held.txt", "--json"]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", out(&o));
        let p: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(p["consistent"], false, "{name}");
    }
}

/// For a power-of-two old size, a planted "latest" checkpoint whose root is built from the
/// old root and the proof nodes of the rewritten ledger.
#[test]
fn consistency_detects_a_planted_latest_root() {
    let f = Fx::new();
    std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
    f.ok(&["-C", "case", "seal", "c.bin", "--key", "expert.key"]);
    let held = f.root.join("held.txt");
    std::fs::copy(f.case.join("checkpoints/000000000004.txt"), &held).unwrap();
    let old_leaves: Vec<Hash> = f.lines().iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(old_leaves.len(), 4);
    rewrite_history(&f);
    let lines = f.lines();
    let n = lines.len();
    // What a verifier reconstructs from the old root and the rewritten ledger's proof nodes,
    // planted over the latest checkpoint (signed by a key that is not the case's).
    let mut hybrid = old_leaves.clone();
    hybrid.extend(lines[4..].iter().map(|l| leaf_hash(l)));
    let root = merkle::root_of(&hybrid);
    let mallory = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let cp = Checkpoint {
        origin: f.origin(),
        size: n as u64,
        root,
    };
    let note = Note::sign(&cp.text(), "expert", &mallory).unwrap();
    std::fs::write(
        f.case.join("checkpoints").join(format!("{n:012}.txt")),
        note.encode(),
    )
    .unwrap();
    let o = f.scelle(&["consistency", "held.txt", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let p: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(p["consistent"], false);
}

/// An old checkpoint not signed by a key of the case proves nothing.
#[test]
fn consistency_refuses_an_unsigned_old_checkpoint() {
    let f = Fx::new();
    let text = std::fs::read_to_string(f.case.join("checkpoints/000000000003.txt")).unwrap();
    let note = Note::parse(&text).unwrap();
    let mallory = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let forged = Note::sign(&note.text, "expert", &mallory).unwrap();
    std::fs::write(f.root.join("forged.txt"), forged.encode()).unwrap();
    let o = f.scelle(&["consistency", "forged.txt"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("not signed by a key of this case"),
        "{}",
        out(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// Item 4: atomic writes never follow links
// ---------------------------------------------------------------------------------------------

/// Links planted at every temporary name scelle used to derive from a PID (`.NAME.tmp-PID`),
/// for the PIDs the next command can get, pointing at a copy of the expert's key.
#[test]
fn planted_links_at_temporary_names_are_never_written_through() {
    let f = Fx::new();
    let victim = f.root.join("victim-key-copy.key");
    std::fs::copy(f.root.join("expert.key"), &victim).unwrap();
    let want = std::fs::read(&victim).unwrap();
    let last: u64 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    let keys_before: Vec<_> = std::fs::read_dir(f.case.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let names = [
        (f.case.clone(), "ledger.index".to_string()),
        (f.case.join("checkpoints"), "000000000004.txt".to_string()),
    ];
    for pid in last..last + 3000 {
        for (dir, name) in &names {
            symlink(&victim, dir.join(format!(".{name}.tmp-{pid}"))).unwrap();
        }
    }
    std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
    let o = f.scelle(&["seal", "c.bin", "--key", "expert.key"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        std::fs::read(&victim).unwrap() == want,
        "a file was written through a planted link"
    );
    for p in [
        f.case.join("ledger.index"),
        f.case.join("checkpoints/000000000004.txt"),
    ] {
        let m = std::fs::symlink_metadata(&p).unwrap();
        assert!(
            m.file_type().is_file(),
            "{} is not a plain file",
            p.display()
        );
    }
    assert_eq!(
        std::fs::read_dir(f.case.join("keys")).unwrap().count(),
        keys_before.len()
    );
    // The planted links are for `verify` to report; clean them away to check the case.
    for dir in [f.case.clone(), f.case.join("checkpoints")] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_symlink() {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    }
    f.verify_ok();
}

/// The ledger, the index or a checkpoint replaced by a link (to a copy outside the case):
/// refused with exit 2, nothing changed, the link's target untouched.
#[test]
fn case_files_that_are_links_are_refused() {
    for rel in [
        "ledger.jsonl",
        "ledger.index",
        "checkpoints/000000000003.txt",
    ] {
        let f = Fx::new();
        let inside = f.case.join(rel);
        let outside = f.root.join("outside-copy");
        std::fs::copy(&inside, &outside).unwrap();
        std::fs::remove_file(&inside).unwrap();
        symlink(&outside, &inside).unwrap();
        let before = snapshot(&f.case);
        let target = std::fs::read(&outside).unwrap();
        std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
        let o = f.scelle(&["seal", "c.bin", "--key", "expert.key"]);
        assert_eq!(o.status.code(), Some(2), "{rel}: {}", out(&o));
        assert!(out(&o).contains("symbolic link"), "{rel}: {}", out(&o));
        assert!(snapshot(&f.case) == before, "{rel}: the case changed");
        assert!(std::fs::read(&outside).unwrap() == target, "{rel}");
        if !rel.starts_with("checkpoints/") {
            // `verify` refuses the case too, and so does the independent verifier.
            let o = f.scelle(&["verify"]);
            assert_eq!(o.status.code(), Some(2), "{rel}: {}", out(&o));
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py");
            let o = std::process::Command::new("python3")
                .arg(&script)
                .arg(&f.case)
                .output()
                .unwrap();
            assert!(!o.status.success(), "{rel}: {}", out(&o));
            assert!(out(&o).contains("symbolic link"), "{rel}: {}", out(&o));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Item 8: repair never removes a complete entry
// ---------------------------------------------------------------------------------------------

/// The last entry (valid, signed, checkpointed) lost only its final newline: appends are
/// refused until repair, which restores the newline and keeps the entry; the next append gets
/// the next `seq`, and no checkpoint contradicts the ledger.
#[test]
fn repair_restores_a_lost_final_newline() {
    let f = Fx::new();
    let good = f.ledger();
    std::fs::write(f.case.join("ledger.jsonl"), &good[..good.len() - 1]).unwrap();
    std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
    let o = f.scelle(&["seal", "c.bin", "--key", "expert.key"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("scelle repair"), "{}", out(&o));
    let o = f.scelle(&["repair"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(f.ledger() == good, "repair removed a complete entry");
    assert!(!f.case.join("torn").exists() || snapshot(&f.case.join("torn")).is_empty());
    f.verify_ok();
    f.ok(&["-C", "case", "seal", "c.bin", "--key", "expert.key"]);
    assert_eq!(f.lines().len(), 4);
    f.assert_nothing_false_signed("after repair and seal");
    f.verify_ok();
}

/// A torn tail that is not a valid entry, but a checkpoint covers the entry it was: repair
/// refuses (it would leave that checkpoint contradicting the ledger), changing nothing.
#[test]
fn repair_refuses_to_remove_a_checkpointed_entry() {
    let f = Fx::new();
    let good = f.ledger();
    let mut bad = good[..good.len() - 1].to_vec();
    let n = bad.len();
    bad[n - 3] ^= 1;
    std::fs::write(f.case.join("ledger.jsonl"), &bad).unwrap();
    let before = snapshot(&f.case);
    let o = f.scelle(&["repair"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("000000000003.txt"), "{}", out(&o));
    assert!(snapshot(&f.case) == before, "repair changed the case");
}

/// The ledger lost its last entry (truncated at a line boundary, or by an older repair) and a
/// checkpoint of the longer ledger remains: an append is refused rather than reusing the lost
/// entry's `seq` and leaving a checkpoint that contradicts the ledger for ever.
#[test]
fn an_append_never_leaves_a_contradicting_checkpoint() {
    let f = Fx::new();
    let lines = f.lines();
    let mut shorter = lines[..2].join(&b'\n');
    shorter.push(b'\n');
    std::fs::write(f.case.join("ledger.jsonl"), &shorter).unwrap();
    std::fs::remove_file(f.case.join("ledger.index")).unwrap();
    let before = snapshot(&f.case);
    std::fs::write(f.root.join("c.bin"), b"charlie").unwrap();
    let o = f.scelle(&["seal", "c.bin", "--key", "expert.key"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("000000000003.txt"), "{}", out(&o));
    assert!(
        snapshot(&f.case) == before,
        "the refused seal changed the case"
    );
}

/// The case's identity is signed at `init --key`, never built from `case.json` (found by the
/// held-out review: the first `seal` of a keyless `init` signed whatever `case.json` said,
/// origin included, so a copied `case.json` made the expert sign another case's identity).
#[test]
fn a_writer_never_signs_the_case_described_by_case_json() {
    let f = Fx::new();
    // `init` without a key is refused: entry 0 is signed at creation.
    let o = f.run(&["init", "keyless", "--case-id", "K-1", "--title", "no key"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(!f.root.join("keyless").exists());
    // A second case B whose ledger is emptied and whose case.json is A's (an attacker without
    // a key): the expert's routine seal signs nothing.
    f.ok(&[
        "init",
        "b",
        "--case-id",
        "B-1",
        "--title",
        "Case B",
        "--key",
        "expert.key",
    ]);
    let b = f.root.join("b");
    std::fs::write(b.join("ledger.jsonl"), b"").unwrap();
    for e in std::fs::read_dir(b.join("checkpoints")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let _ = std::fs::remove_file(b.join("ledger.index"));
    std::fs::copy(f.case.join("case.json"), b.join("case.json")).unwrap();
    let before = snapshot(&b);
    let o = f.run(&["-C", "b", "seal", "a.bin", "--key", "expert.key"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no signed identity"),
        "{}",
        out(&o)
    );
    assert_eq!(snapshot(&b), before, "nothing written");
    // The genuine case A never sees a checkpoint of its origin signed elsewhere.
    let o = f.scelle(&["verify"]);
    assert!(o.status.success(), "{}", out(&o));
}
