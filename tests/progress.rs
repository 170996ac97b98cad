//! Progress bars on the commands that read artifacts (issue 20): the total a bar shows is the
//! library's count of the bytes the operation reads (`case::measure::bytes_read`,
//! `case::verify::rehash_bytes`, `ops::ioc::scan_bytes`), equal to what the hashing callbacks
//! report for every kind of artifact; the bar is drawn on a terminal only (a pseudo-terminal
//! from util-linux `script`), never when stderr is a pipe or with `--json`; the result is the
//! same either way.

mod common;

use common::*;
use scelle::case::measure::{bytes_read, measure, ArtifactKind};
use scelle::store::case::CaseDir;
use scelle::store::hashing::HashSelection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

/// `len` pseudo-random (incompressible) bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Measures `path` as `seal` and re-hashing do, counting what the progress callback is told;
/// returns (bytes counted, the library's total for the artifact measured, its kind).
fn counted(path: &Path) -> (u64, u64, String) {
    let n = AtomicU64::new(0);
    let a = measure(path, ArtifactKind::Auto, HashSelection::default(), &|k| {
        n.fetch_add(k, Ordering::Relaxed);
    })
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (n.load(Ordering::Relaxed), bytes_read(&a), a.kind)
}

fn tool(dir: &Path, cmd: &str, args: &[&str]) {
    let o = Command::new(cmd)
        .current_dir(dir)
        .env("TZ", "UTC")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (./test installs the tools)"));
    assert!(o.status.success(), "{cmd}: {}", text(&o));
}

#[test]
fn the_total_is_what_the_callbacks_count_for_every_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("small.bin"), noise(3000, 1)).unwrap();
    // At and over 32 MiB a file is hashed by the pipeline, not in one buffer.
    std::fs::write(d.join("large.bin"), noise((32 << 20) + 12345, 2)).unwrap();
    std::fs::create_dir_all(d.join("folder/sub")).unwrap();
    std::fs::write(d.join("folder/a.log"), noise(1 << 20, 3)).unwrap();
    std::fs::write(d.join("folder/sub/b.log"), b"short").unwrap();
    std::fs::write(d.join("folder/sub/empty"), b"").unwrap();
    std::fs::write(d.join("folder/big.bin"), noise((32 << 20) + 7, 4)).unwrap();
    tool(d, "tar", &["cf", "folder.tar", "folder"]);
    tool(d, "tar", &["czf", "folder.tar.gz", "folder"]);
    tool(
        d,
        pyenv_bin("python").to_str().unwrap(),
        &[
            "-c",
            "import zipfile,os\n\
             with zipfile.ZipFile('folder.zip','w',zipfile.ZIP_DEFLATED) as z:\n\
             \x20for r,_,fs in os.walk('folder'):\n\
             \x20\x20for f in sorted(fs): z.write(os.path.join(r,f))",
        ],
    );
    let mut media = noise(2 << 20, 5);
    media.resize(4 << 20, 0);
    std::fs::write(d.join("media.raw"), media).unwrap();
    tool(
        d,
        "ewfacquire",
        &[
            "-u",
            "-t",
            "disk",
            "-S",
            "1MiB",
            "-c",
            "deflate:fast",
            "-b",
            "64",
            "media.raw",
        ],
    );
    let e01 = ["disk.E01", "disk.e01"]
        .iter()
        .map(|n| d.join(n))
        .find(|p| p.exists())
        .expect("ewfacquire wrote disk.E01");
    let cases: [(PathBuf, &str); 8] = [
        (d.join("small.bin"), "file"),
        (d.join("large.bin"), "file"),
        (d.join("folder"), "directory"),
        (d.join("folder/sub"), "directory"),
        (d.join("folder.tar"), "tar"),
        (d.join("folder.tar.gz"), "tar"),
        (d.join("folder.zip"), "zip"),
        (e01, "ewf"),
    ];
    for (path, kind) in cases {
        let (n, total, got) = counted(&path);
        assert_eq!(got, kind, "{}", path.display());
        assert_eq!(n, total, "{}: counted {n}, total {total}", path.display());
        assert!(n > 0, "{}", path.display());
    }
}

/// A case with three exhibits of a few MiB (a file, a folder, a tar) and a second key,
/// `counsel`, enrolled.
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (case, _) = init_case(&root, "P-1", "Progress", &[]);
        key_pair(&root.join("keys"), PASS, "counsel", Some("counsel"));
        std::fs::write(root.join("disk.bin"), noise(5 << 20, 7)).unwrap();
        std::fs::create_dir(root.join("logs")).unwrap();
        std::fs::write(root.join("logs/a.log"), noise(2 << 20, 8)).unwrap();
        std::fs::write(
            root.join("logs/b.log"),
            b"contacted c2.evil-pegasus-test.example\n",
        )
        .unwrap();
        tool(&root, "tar", &["cf", "logs.tar", "logs"]);
        let f = Fixture {
            _tmp: tmp,
            root,
            case,
        };
        f.ok(&[
            "seal",
            "disk.bin",
            "logs",
            "logs.tar",
            "--key",
            "keys/expert.key",
        ]);
        f.ok(&[
            "key",
            "enrol",
            "keys/counsel.pub",
            "--name",
            "counsel",
            "--role",
            "counsel",
            "--key",
            "keys/expert.key",
        ]);
        f
    }

    fn args(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["-C".to_string(), self.case.display().to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        all
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(
            &self.root,
            PASS,
            &self
                .args(args)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        stdout(&o)
    }

    /// Runs the command under a pseudo-terminal (`script`): what the terminal showed.
    fn on_terminal(&self, args: &[&str]) -> String {
        let line = std::iter::once(env!("CARGO_BIN_EXE_scelle").to_string())
            .chain(self.args(args))
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let o = Command::new("script")
            .current_dir(&self.root)
            .env("SCELLE_PASSPHRASE", PASS)
            .env_remove("SCELLE_CASE")
            .args(["-qfec", &line, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("script (util-linux) is needed");
        assert!(o.status.success(), "{args:?} under script: {}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn case_dir(&self) -> CaseDir {
        CaseDir::open(&self.case).unwrap()
    }
}

fn stix() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ioc/pegasus.stix2")
        .display()
        .to_string()
}

/// No trace of a bar: no carriage return, percentage, bar or byte count.
fn assert_quiet(what: &str, o: &Output) {
    let err = stderr(o);
    for mark in ["\r", "%", "[=", "MiB", "re-hashing", "\x1b["] {
        assert!(!err.contains(mark), "{what}: {mark:?} on stderr: {err:?}");
    }
}

#[test]
fn no_bar_when_stderr_is_not_a_terminal() {
    let f = Fixture::new();
    let s = stix();
    for args in [
        &["verify", "--rehash"][..],
        &["verify", "--rehash", "--json"],
        &["ioc", "scan", "--stix", &s, "--key", "keys/expert.key"],
        &[
            "ioc",
            "scan",
            "--json",
            "--stix",
            &s,
            "--key",
            "keys/expert.key",
            "E-0002",
        ],
        &[
            "release",
            "E-0001",
            "--to",
            "counsel",
            "--purpose",
            "filing",
            "--key",
            "keys/expert.key",
        ],
        &["accept", "E-0001", "--key", "keys/counsel.key"],
        &[
            "open",
            "E-0003",
            "--operations",
            "look",
            "--key",
            "keys/expert.key",
        ],
        &[
            "reseal",
            "E-0003",
            "--new-seal-no",
            "S-2",
            "--key",
            "keys/expert.key",
        ],
    ] {
        let o = f.run(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        assert_quiet(&format!("{args:?}"), &o);
    }
}

#[test]
fn on_a_terminal_the_bar_shows_the_bytes_to_read_and_the_result_is_unchanged() {
    let f = Fixture::new();
    let case = f.case_dir();
    let all = scelle::case::verify::rehash_bytes(&case, None).unwrap();
    let sizes = |p: &str| std::fs::metadata(f.root.join(p)).unwrap().len();
    assert_eq!(
        all,
        sizes("disk.bin") + sizes("logs/a.log") + sizes("logs/b.log") + sizes("logs.tar")
    );
    let total = |n: u64| format!("/{}", indicatif::HumanBytes(n));

    let plain = f.ok(&["verify", "--rehash"]);
    let shown = f.on_terminal(&["verify", "--rehash"]);
    assert!(shown.contains("re-hashing ["), "{shown:?}");
    assert!(shown.contains(&total(all)), "{} in {shown:?}", total(all));
    let result = plain.lines().next().unwrap();
    let head = &result[..result.find(" entries/s").unwrap_or(result.len())];
    let head = &head[..head.rfind(';').unwrap_or(head.len())];
    assert!(shown.contains(head), "{head:?} in {shown:?}");
    // --json: no bar even on a terminal.
    let json = f.on_terminal(&["verify", "--rehash", "--json"]);
    assert!(
        !json.contains("re-hashing") && !json.contains('%'),
        "{json:?}"
    );

    // ioc scan: only the exhibits scanned.
    let s = stix();
    let opts = scelle::ops::ioc::ScanOptions {
        stix: vec![PathBuf::from(&s)],
        exhibits: vec!["E-0002".into()],
        paths: Default::default(),
    };
    let two = scelle::ops::ioc::scan_bytes(&case, &opts).unwrap();
    assert_eq!(two, sizes("logs/a.log") + sizes("logs/b.log"));
    let shown = f.on_terminal(&[
        "ioc",
        "scan",
        "--stix",
        &s,
        "--key",
        "keys/expert.key",
        "E-0002",
    ]);
    assert!(shown.contains("re-hashing and scanning ["), "{shown:?}");
    assert!(shown.contains(&total(two)), "{} in {shown:?}", total(two));
    assert!(shown.contains("E-0002"), "{shown:?}");
    let json = f.on_terminal(&[
        "ioc",
        "scan",
        "--json",
        "--stix",
        &s,
        "--key",
        "keys/expert.key",
        "E-0002",
    ]);
    assert!(
        !json.contains("scanning") && !json.contains('%'),
        "{json:?}"
    );
}

#[test]
fn bundles_show_a_bar_with_the_bytes_they_read_and_only_on_a_terminal() {
    let f = Fixture::new();
    let case = f.case_dir();
    let opts = scelle::case::bundle::ExportOptions {
        exhibits: vec![],
        with_artifacts: true,
        reports: vec![],
        organization: None,
        to: None,
        purpose: None,
    };
    let shipped = scelle::case::bundle::export_bytes(&case, &opts).unwrap();
    assert_eq!(
        shipped,
        scelle::case::verify::rehash_bytes(&case, None).unwrap()
    );
    let without = scelle::case::bundle::ExportOptions {
        with_artifacts: false,
        ..opts.clone()
    };
    assert_eq!(
        scelle::case::bundle::export_bytes(&case, &without).unwrap(),
        0
    );
    let total = |n: u64| format!("/{}", indicatif::HumanBytes(n));

    // Off a terminal: nothing of a bar.
    let export = [
        "export",
        "--with-artifacts",
        "--out",
        "b1.tar",
        "--key",
        "keys/expert.key",
    ];
    let o = f.run(&export);
    assert!(o.status.success(), "{}", text(&o));
    assert_quiet("export", &o);
    let o = run_in(&f.root, PASS, &["verify-bundle", "b1.tar"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_quiet("verify-bundle", &o);
    let plain = stdout(&o);
    let o = run_in(&f.root, PASS, &["import", "b1.tar", "--into", "imported1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_quiet("import", &o);

    // The bundle is read once, to its end, as it is extracted.
    let bundle = f.root.join("b1.tar");
    let size = scelle::case::bundle::bundle_bytes(&bundle).unwrap();
    assert_eq!(size, std::fs::metadata(&bundle).unwrap().len());
    let n = AtomicU64::new(0);
    let report = scelle::case::bundle::verify_bundle_with(&bundle, &Default::default(), &|k| {
        n.fetch_add(k, Ordering::Relaxed);
    })
    .unwrap();
    assert!(report.ok());
    assert_eq!(n.load(Ordering::Relaxed), size);
    let n = AtomicU64::new(0);
    scelle::case::bundle::import_with(
        &bundle,
        &f.root.join("imported2"),
        &Default::default(),
        &|k| {
            n.fetch_add(k, Ordering::Relaxed);
        },
    )
    .unwrap();
    assert_eq!(n.load(Ordering::Relaxed), size);

    // What export streams adds up to its total.
    let key = scelle::store::keyfile::load_signing_key(
        &f.root.join("keys/expert.key"),
        &secrecy::SecretString::from(PASS.to_string()),
    )
    .unwrap();
    let n = AtomicU64::new(0);
    scelle::case::bundle::export_with(&case, &f.root.join("b0.tar"), &opts, &key, &|k| {
        n.fetch_add(k, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(n.load(Ordering::Relaxed), shipped);

    // On a terminal: the bar, its total, the same result.
    let shown = f.on_terminal(&[
        "export",
        "--with-artifacts",
        "--out",
        "b2.tar",
        "--key",
        "keys/expert.key",
    ]);
    assert!(shown.contains("exporting artifacts ["), "{shown:?}");
    assert!(
        shown.contains(&total(shipped)),
        "{} in {shown:?}",
        total(shipped)
    );
    let shown = f.on_terminal(&["verify-bundle", "b1.tar"]);
    assert!(shown.contains("extracting ["), "{shown:?}");
    assert!(shown.contains(&total(size)), "{} in {shown:?}", total(size));
    let first = plain.lines().next().unwrap();
    assert!(shown.contains(first), "{first:?} in {shown:?}");
    let json = f.on_terminal(&["verify-bundle", "--json", "b1.tar"]);
    assert!(
        !json.contains("extracting") && !json.contains('%'),
        "{json:?}"
    );
    let json = f.on_terminal(&[
        "export",
        "--with-artifacts",
        "--json",
        "--out",
        "b3.tar",
        "--key",
        "keys/expert.key",
    ]);
    assert!(
        !json.contains("exporting") && !json.contains('%'),
        "{json:?}"
    );
    let shown = f.on_terminal(&["import", "b1.tar", "--into", "imported3"]);
    assert!(shown.contains("extracting ["), "{shown:?}");
    assert!(f.root.join("imported3/data/case/ledger.jsonl").exists());
}
