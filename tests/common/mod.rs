//! The harness every tests/*.rs shares (`mod common;`): the CLI runner, its assertions, the
//! key fixtures, `sha256sum`, snapshots of a folder, the tools of the venv `./test` makes.
//! A test file that needs a different runner (another passphrase, a deadline, a working
//! directory) builds it from [`scelle_with`] rather than copying one.
//!
//! `tests/common/mutate.rs` (the mutation campaign) is a separate module, shared with
//! `examples/mutation_campaign.rs`.

// Each test binary uses part of the harness.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The passphrase of the keys most tests make (`SCELLE_PASSPHRASE` of [`scelle`]).
pub const PASS: &str = "correct horse battery staple";

/// The binary with an environment of its own: no `SCELLE_CASE`, `SCELLE_PASSPHRASE` or
/// `SCELLE_DEBUG_HOOK` inherited from the caller, and no stdin (a test that feeds stdin sets
/// it).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scelle"));
    c.stdin(std::process::Stdio::null())
        .env_remove("SCELLE_CASE")
        .env_remove("SCELLE_PASSPHRASE")
        .env_remove("SCELLE_DEBUG_HOOK");
    c
}

/// [`bin`] with `SCELLE_PASSPHRASE` set to `pass`.
pub fn scelle_with(pass: &str) -> Command {
    let mut c = bin();
    c.env("SCELLE_PASSPHRASE", pass);
    c
}

/// [`bin`] with `SCELLE_PASSPHRASE` set to [`PASS`].
pub fn scelle() -> Command {
    scelle_with(PASS)
}

/// Runs [`scelle`] with `args`.
pub fn run(args: &[&str]) -> Output {
    scelle().args(args).output().unwrap()
}

/// Exit code, stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Status, stdout and stderr under headings, for assertion messages.
pub fn show(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts the command succeeded; returns its stdout.
pub fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts the command succeeded; returns its stdout, which must be UTF-8.
pub fn ok_utf8(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// Stdout, lossily decoded.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sha256sum FILE`, the hex digest.
pub fn sha256sum(path: &Path) -> String {
    let o = Command::new("sha256sum")
        .arg("--")
        .arg(path)
        .output()
        .expect("sha256sum is installed");
    assert!(o.status.success(), "sha256sum {path:?}: {}", text(&o));
    let text = String::from_utf8(o.stdout).expect("sha256sum output is UTF-8");
    // A name with a backslash or newline makes sha256sum prefix the line with `\`.
    let text = text.strip_prefix('\\').unwrap_or(&text);
    let hex = text
        .split_whitespace()
        .next()
        .expect("sha256sum output")
        .to_string();
    assert_eq!(hex.len(), 64, "sha256sum output: {text}");
    hex
}

/// SHA-256 of bytes, computed by `sha256sum` (through a temporary file).
pub fn sha256sum_bytes(bytes: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    sha256sum(file.path())
}

/// A tool of the venv `./test` makes at target/pyenv (PyPI bagit and case-utils).
pub fn pyenv_bin(tool: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/pyenv/bin")
        .join(tool);
    assert!(
        p.exists(),
        "{} missing: run ./test (it makes the venv with `pip install bagit case-utils`)",
        p.display()
    );
    p
}

/// Every file under `dir` with its bytes, directories as `<dir>`, to prove a refused
/// command wrote nothing.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir, true)
}

/// Every file under `dir` with its bytes (directories left out).
pub fn snapshot_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir, false)
}

fn walk(dir: &Path, dirs: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if dirs {
                    out.insert(p.clone(), b"<dir>".to_vec());
                }
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The folder of the key pairs [`key_pair`] made in this test binary.
static STORE: OnceLock<tempfile::TempDir> = OnceLock::new();

extern "C" fn remove_store() {
    if let Some(store) = STORE.get() {
        let _ = std::fs::remove_dir_all(store.path());
    }
}

/// Copies the key pair `NAME.key` and `NAME.pub` (passphrase `pass`, role `role` or none)
/// into `dir`, creating `dir`. The pairs are made by `scelle key new` (its key derivation is
/// the slow part of most fixtures) once per test binary and copied, mode included, into each
/// test's folder: the n-th pair a test asks for with the same passphrase, name and role is
/// the n-th pair made for them, so within one test (one thread) every pair is a new key, as
/// with `key new` (a rotation gets a new key), while tests share them. Tests of `key new`
/// itself run it directly.
pub fn key_pair(dir: &Path, pass: &str, name: &str, role: Option<&str>) -> PathBuf {
    /// (passphrase, name, role) of a key pair.
    type Holder = (String, String, Option<String>);
    /// The n-th pair of a holder.
    type Which = (Holder, usize);
    /// The folder holding that pair, once made.
    type Made = Arc<OnceLock<PathBuf>>;
    static MADE: OnceLock<Mutex<HashMap<Which, Made>>> = OnceLock::new();
    thread_local! {
        /// How many pairs this thread (test) got, by (passphrase, name, role).
        static ASKED: RefCell<HashMap<Holder, usize>> = RefCell::default();
    }
    let store = STORE.get_or_init(|| {
        // A static is never dropped: the folder goes when the test binary exits.
        unsafe { libc::atexit(remove_store) };
        tempfile::Builder::new()
            .prefix("keys")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
    });
    let which = (pass.to_string(), name.to_string(), role.map(String::from));
    let n = ASKED.with(|a| {
        let mut a = a.borrow_mut();
        let n = a.entry(which.clone()).or_default();
        *n += 1;
        *n - 1
    });
    let made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry((which, n))
        .or_default()
        .clone();
    let from = made.get_or_init(|| {
        static N: AtomicUsize = AtomicUsize::new(0);
        let out = store
            .path()
            .join(N.fetch_add(1, Ordering::Relaxed).to_string());
        std::fs::create_dir(&out).unwrap();
        let mut c = scelle_with(pass);
        c.args(["key", "new", "--name", name, "--out"]).arg(&out);
        if let Some(role) = role {
            c.args(["--role", role]);
        }
        ok(&c.output().unwrap());
        out
    });
    std::fs::create_dir_all(dir).unwrap();
    for ext in ["key", "pub"] {
        let file = format!("{name}.{ext}");
        std::fs::copy(from.join(&file), dir.join(&file)).unwrap();
    }
    dir.join(format!("{name}.key"))
}

/// A new case at `root/case` whose entry 0 is signed by a new administrator key,
/// `root/keys/expert.key` (role expert, passphrase [`PASS`]), with `extra` arguments to
/// `init`; returns the case and the key.
pub fn init_case(root: &Path, case_id: &str, title: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let key = key_pair(&root.join("keys"), PASS, "expert", Some("expert"));
    let case = root.join("case");
    run_ok(
        scelle()
            .arg("init")
            .arg(&case)
            .args(["--case-id", case_id, "--title", title])
            .args(extra)
            .arg("--key")
            .arg(&key),
    );
    (case, key)
}

/// Stdout followed by stderr, lossily decoded (what a user sees).
pub fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs [`scelle_with`]`(pass)` with `args` in the working directory `dir`.
pub fn run_in(dir: &Path, pass: &str, args: &[&str]) -> Output {
    scelle_with(pass)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `cmd` with `args` in `dir` (a third-party tool: tar, sha256sum...).
pub fn sh(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (GNU tar and coreutils are needed)"))
}

/// Runs `cmd`, which must start; returns its output.
pub fn exec(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs `cmd`, which must succeed; returns its output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = exec(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every file under `dir` (links as their target path, `.lock` left out), for "nothing
/// changed" checks on a case a command may lock.
pub fn snapshot_links(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            let target = std::fs::read_link(&p).unwrap();
            m.insert(p, target.to_string_lossy().as_bytes().to_vec());
        } else if t.is_dir() {
            m.extend(snapshot_links(&p));
        } else if e.file_name() != ".lock" {
            m.insert(p.clone(), std::fs::read(&p).unwrap());
        }
    }
    m
}

/// Every path under `root` (links not followed) with what it is: directory, file bytes, link
/// target, mode.
pub fn snapshot_tree(root: &Path) -> BTreeMap<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let mode = md.permissions().mode();
            let what = if md.file_type().is_symlink() {
                format!("link -> {:?}", std::fs::read_link(&p).unwrap())
            } else if md.is_dir() {
                walk(&p, root, out);
                format!("dir {mode:o}")
            } else {
                format!("file {mode:o} {:?}", std::fs::read(&p).unwrap())
            };
            out.insert(p.strip_prefix(root).unwrap().to_path_buf(), what);
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A file's bytes, mode and modification time.
pub type Meta = (Vec<u8>, u32, std::time::SystemTime);

/// Every file under `dir` with its bytes, mode and modification time.
pub fn snapshot_meta(dir: &Path) -> BTreeMap<PathBuf, Meta> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p.clone());
            }
            let bytes = if m.is_file() {
                std::fs::read(&p).unwrap()
            } else {
                Vec::new()
            };
            out.insert(p, (bytes, m.permissions().mode(), m.modified().unwrap()));
        }
    }
    out
}

/// The repository's copy of the independent bundle verifier, `tests/independent/
/// verify_bundle.py TARGET --verifier verify_case.py EXTRA...`: the trusted copy a
/// distrustful party would use.
pub fn kit(target: &Path, extra: &[&str]) -> Output {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent");
    Command::new("python3")
        .arg(dir.join("verify_bundle.py"))
        .arg(target)
        .arg("--verifier")
        .arg(dir.join("verify_case.py"))
        .args(extra)
        .output()
        .unwrap()
}

/// `scelle demo DIR` (the demo sets its own passphrase).
pub fn demo(dir: &Path) -> Output {
    bin().arg("demo").arg(dir).output().unwrap()
}

/// Runs [`scelle`] with `args` in the working directory `dir`; asserts success; returns its
/// stdout.
pub fn ok_in(dir: &Path, args: &[&str]) -> String {
    let o = run_in(dir, PASS, args);
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts that the command run with `args` succeeded; returns its output.
pub fn succeeded(args: &[&str], o: Output) -> Output {
    assert!(o.status.success(), "{args:?} failed: {}", show(&o));
    o
}

/// The head of a case's `ledger.index` (an SQLite database: FORMAT.md section 10), read with
/// SQLite itself, read-only: the case-wide state, the trees' heads, `signer` and `sig`.
pub fn index_head(case: &Path) -> serde_json::Value {
    let db = index_db(case);
    let json: String = db
        .query_row("SELECT json FROM head WHERE id = 1", [], |r| r.get(0))
        .expect("the index has a head");
    serde_json::from_str(&json).expect("the head is JSON")
}

/// The case's `ledger.index`, opened read-only with SQLite.
pub fn index_db(case: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(
        case.join("ledger.index"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap_or_else(|e| panic!("{}: not an SQLite index: {e}", case.display()))
}
