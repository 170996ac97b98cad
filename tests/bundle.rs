//! Evidence bundles end to end through the CLI: `export` writes a BagIt bag in a tar that
//! `sha256sum -c`, `bagit.py --validate` (PyPI bagit, in the venv .ci/run makes) and the bundled
//! independent verifier accept; `verify-bundle` and `import` detect tampering inside a bundle
//! and refuse hostile tars, writing nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "correct horse battery staple";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scelle"))
        .env("SCELLE_PASSPHRASE", PASS)
        .env_remove("SCELLE_CASE")
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The repository's copy of the independent bundle verifier: the trusted copy a distrustful
/// party would use (`--verifier` points it at the repository's case verifier too).
fn kit(target: &Path, extra: &[&str]) -> Output {
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

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sh(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// The venv .ci/run creates with bagit and case-utils.
fn pyenv_bin(tool: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/pyenv/bin")
        .join(tool);
    assert!(
        p.exists(),
        "{} missing: run .ci/run (it makes the venv with `pip install bagit case-utils`)",
        p.display()
    );
    p
}

/// A case with a sealed file and a sealed folder.
struct Fixture {
    tmp: tempfile::TempDir,
    case: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let keys = root.join("keys");
        fs::create_dir(&keys).unwrap();
        ok(&run(&[
            "key",
            "new",
            "--name",
            "expert",
            "--role",
            "expert",
            "--out",
            keys.to_str().unwrap(),
        ]));
        let case = root.join("case");
        ok(&run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "DP 150/2022",
            "--title",
            "Sumario — teléfono móvil",
        ]));
        let art = root.join("art");
        fs::create_dir_all(art.join("logs/sub")).unwrap();
        fs::write(art.join("image.bin"), vec![7u8; 100_000]).unwrap();
        fs::write(art.join("logs/a.log"), b"first log\n").unwrap();
        fs::write(art.join("logs/sub/b é.log"), b"second log\n").unwrap();
        let key = keys.join("expert.key");
        for p in ["image.bin", "logs"] {
            ok(&run(&[
                "-C",
                case.to_str().unwrap(),
                "seal",
                art.join(p).to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
            ]));
        }
        Fixture { tmp, case }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }

    fn export(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "-C",
            self.case.to_str().unwrap(),
            "export",
            "--out",
            out.to_str().unwrap(),
            "--organization",
            "Laboratorio pericial",
        ];
        args.extend_from_slice(extra);
        run(&args)
    }
}

fn untar(bundle: &Path, dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let o = sh(dir, "tar", &["-xf", bundle.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

fn retar(dir: &Path, bundle: &Path) {
    let o = sh(dir, "tar", &["-cf", bundle.to_str().unwrap(), "."]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn exported_bundle_is_a_valid_bag_that_independent_tools_verify() {
    let f = Fixture::new();
    let bundle = f.path("bundle.tar");
    let out = ok(&f.export(&bundle, &["--with-artifacts", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed = sh(f.tmp.path(), "sha256sum", &[bundle.to_str().unwrap()]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(v["sha256"].as_str().unwrap(), &listed[..64]);
    assert_eq!(v["exhibits"], serde_json::json!(["E-0001", "E-0002"]));

    let x = f.path("x");
    untar(&bundle, &x);
    for m in ["tagmanifest-sha256.txt", "manifest-sha256.txt"] {
        let o = sh(&x, "sha256sum", &["-c", "--strict", m]);
        assert!(o.status.success(), "sha256sum -c {m}: {}", text(&o));
    }
    let manifest = fs::read_to_string(x.join("manifest-sha256.txt")).unwrap();
    for name in [
        "data/case/ledger.jsonl",
        "data/case/checkpoints/000000000003.txt",
        "data/proofs/E-0001.json",
        "data/kit/verify_case.py",
        "data/kit/verify_bundle.py",
        "data/artifacts/E-0001/image.bin",
        "data/artifacts/E-0002/logs/sub/b é.log",
    ] {
        assert!(
            manifest.contains(&format!("  {name}\n")),
            "{name} not in\n{manifest}"
        );
    }
    let info = fs::read_to_string(x.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("External-Identifier: DP 150/2022\n"),
        "{info}"
    );
    assert!(info.contains("Source-Organization: Laboratorio pericial\n"));
    assert!(x.join("VERIFY.md").is_file());

    let o = sh(
        &x,
        pyenv_bin("bagit.py").to_str().unwrap(),
        &["--validate", "."],
    );
    assert!(o.status.success(), "bagit.py --validate: {}", text(&o));

    // The kit verifies the case and each proof without scelle.
    let o = sh(&x, "python3", &["data/kit/verify_case.py", "data/case"]);
    assert!(o.status.success(), "kit: {}", text(&o));
    for e in ["E-0001", "E-0002"] {
        let proof = format!("data/proofs/{e}.json");
        let o = sh(
            &x,
            "python3",
            &["data/kit/verify_case.py", "data/case", "--prove", &proof],
        );
        assert!(o.status.success(), "kit --prove {e}: {}", text(&o));
    }

    // The bundle's own kit checks the whole bundle, on the tar and on the extracted bag; the
    // kit in the bundle is the repository's, byte for byte.
    for script in ["verify_bundle.py", "verify_case.py"] {
        assert_eq!(
            fs::read(x.join("data/kit").join(script)).unwrap(),
            fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/independent")
                    .join(script)
            )
            .unwrap(),
            "{script}"
        );
    }
    for target in [bundle.to_str().unwrap(), "."] {
        let o = sh(&x, "python3", &["data/kit/verify_bundle.py", target]);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success(),
            "verify_bundle.py {target}: {}",
            text(&o)
        );
        assert!(out.ends_with("\nOK\n"), "{out}");
        let summary = format!(
            "bag: {} payload files, 2 exhibits carried, 2 proofs, 0 problems",
            manifest.lines().count()
        );
        assert!(out.contains(&summary), "{summary} not in {out}");
        assert!(out.contains("case: OK"), "{out}");
    }

    let o = run(&["verify-bundle", bundle.to_str().unwrap()]);
    let out = ok(&o);
    assert!(out.contains("OK"), "{out}");

    let into = f.path("imported");
    let out = ok(&run(&[
        "import",
        bundle.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]));
    assert!(out.contains("imported"), "{out}");
    ok(&run(&[
        "-C",
        into.join("data/case").to_str().unwrap(),
        "verify",
    ]));
    assert_eq!(
        fs::read(into.join("data/artifacts/E-0001/image.bin")).unwrap(),
        vec![7u8; 100_000]
    );
}

/// Each tampering inside a bundle: `verify-bundle` exits 1 naming it, `import` exits 2 and
/// leaves no directory, and the independent kit (`verify_bundle.py`, the repository's copy)
/// exits 1 naming it too. The code is the same for both, or (scelle's, the kit's) where the
/// kit's case verifier names it otherwise.
#[test]
fn tampering_inside_a_bundle_is_detected_and_import_refuses() {
    let f = Fixture::new();
    let bundle = f.path("bundle.tar");
    ok(&f.export(&bundle, &["--with-artifacts"]));
    type Tamper = fn(&Path);
    let cases: Vec<(&str, Tamper, (&str, &str))> = vec![
        (
            "artifact byte",
            |x| {
                let p = x.join("data/artifacts/E-0001/image.bin");
                let mut b = fs::read(&p).unwrap();
                b[5000] ^= 1;
                fs::write(p, b).unwrap();
            },
            ("bag-manifest", "bag-manifest"),
        ),
        (
            "ledger byte, manifest recomputed",
            |x| {
                let p = x.join("data/case/ledger.jsonl");
                let s = fs::read_to_string(&p)
                    .unwrap()
                    .replace("image.bin", "imagE.bin");
                fs::write(&p, s).unwrap();
                rehash_manifest(x);
            },
            ("signature", "signature"),
        ),
        (
            "artifact replaced, manifest recomputed",
            |x| {
                fs::write(x.join("data/artifacts/E-0002/logs/a.log"), b"forged\n").unwrap();
                rehash_manifest(x);
            },
            ("bundle-artifact", "bundle-artifact"),
        ),
        (
            "checkpoint removed",
            |x| fs::remove_file(x.join("data/case/checkpoints/000000000003.txt")).unwrap(),
            ("bag-missing", "bag-missing"),
        ),
        (
            "extra payload file",
            |x| fs::write(x.join("data/case/keys/intruder.pub"), b"x").unwrap(),
            ("bag-extra", "bag-extra"),
        ),
        (
            "bag-info altered",
            |x| {
                let p = x.join("bag-info.txt");
                let s = fs::read_to_string(&p).unwrap().replace("DP 150", "DP 151");
                fs::write(p, s).unwrap();
            },
            ("bag-tagmanifest", "bag-tagmanifest"),
        ),
        (
            "last entry deleted, manifest recomputed",
            |x| {
                let p = x.join("data/case/ledger.jsonl");
                let s = fs::read_to_string(&p).unwrap();
                let cut: Vec<&str> = s.lines().collect();
                fs::write(&p, format!("{}\n", cut[..cut.len() - 1].join("\n"))).unwrap();
                rehash_manifest(x);
            },
            ("truncated", "truncated"),
        ),
        (
            "an entry deleted from the middle, manifest recomputed",
            |x| {
                edit(&x.join("data/case/ledger.jsonl"), |s| {
                    let mut l: Vec<&str> = s.lines().collect();
                    l.remove(1);
                    format!("{}\n", l.join("\n"))
                });
                rehash_manifest(x);
            },
            ("sequence", "sequence"),
        ),
        (
            "an entry duplicated, manifest recomputed",
            |x| {
                edit(&x.join("data/case/ledger.jsonl"), |s| {
                    let mut l: Vec<&str> = s.lines().collect();
                    l.insert(2, l[1]);
                    format!("{}\n", l.join("\n"))
                });
                rehash_manifest(x);
            },
            ("sequence", "sequence"),
        ),
        (
            "a checkpoint's root edited, manifest recomputed",
            |x| {
                edit(&x.join("data/case/checkpoints/000000000002.txt"), |s| {
                    let mut l: Vec<String> = s.split('\n').map(String::from).collect();
                    let c = if l[2].starts_with('A') { "B" } else { "A" };
                    l[2] = format!("{c}{}", &l[2][1..]);
                    l.join("\n")
                });
                rehash_manifest(x);
            },
            ("checkpoint-signature", "checkpoint-signature"),
        ),
        (
            "Payload-Oxum edited, tag manifest recomputed",
            |x| {
                edit(&x.join("bag-info.txt"), |s| {
                    let (head, oxum) = s.split_once("Payload-Oxum: ").unwrap();
                    let bytes: u64 = oxum.split('.').next().unwrap().parse().unwrap();
                    let files = oxum.trim().split('.').nth(1).unwrap();
                    format!("{head}Payload-Oxum: {}.{files}\n", bytes + 1)
                });
                rehash_manifest(x);
            },
            ("bag-oxum", "bag-oxum"),
        ),
        (
            "External-Identifier edited, tag manifest recomputed",
            |x| {
                edit(&x.join("bag-info.txt"), |s| {
                    s.replace("DP 150/2022", "DP 151/2022")
                });
                rehash_manifest(x);
            },
            ("bag-info", "bag-info"),
        ),
        (
            "two entries swapped, manifest recomputed",
            |x| {
                edit(&x.join("data/case/ledger.jsonl"), |s| {
                    let mut l: Vec<&str> = s.lines().collect();
                    l.swap(1, 2);
                    format!("{}\n", l.join("\n"))
                });
                rehash_manifest(x);
            },
            ("sequence", "sequence"),
        ),
        (
            "a hash of a proof's audit path changed, manifest recomputed",
            |x| {
                edit(&x.join("data/proofs/E-0001.json"), |s| {
                    let i = s.find("\"path\": [").unwrap() + 20;
                    let c = if &s[i..=i] == "0" { "1" } else { "0" };
                    format!("{}{c}{}", &s[..i], &s[i + 1..])
                });
                rehash_manifest(x);
            },
            ("bundle-proof", "proof"),
        ),
        (
            "one exhibit's proof under another's name, manifest recomputed",
            |x| {
                fs::copy(
                    x.join("data/proofs/E-0002.json"),
                    x.join("data/proofs/E-0001.json"),
                )
                .unwrap();
                rehash_manifest(x);
            },
            ("bundle-proof", "bundle-proof"),
        ),
        (
            "a file added to a carried folder, manifest recomputed",
            |x| {
                fs::write(x.join("data/artifacts/E-0002/logs/planted.log"), b"x\n").unwrap();
                rehash_manifest(x);
            },
            ("bundle-artifact", "bundle-artifact"),
        ),
        (
            "an unlisted tag file at the bag's root",
            |x| fs::write(x.join("README.txt"), b"trust me\n").unwrap(),
            ("bag-extra", "bag-extra"),
        ),
    ];
    for (i, (what, tamper, (code, kit_code))) in cases.into_iter().enumerate() {
        let x = f.path(&format!("t{i}"));
        untar(&bundle, &x);
        tamper(&x);
        let bad = f.path(&format!("bad{i}.tar"));
        retar(&x, &bad);
        let o = run(&["verify-bundle", bad.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        let codes: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "finding" && v["severity"] == "error")
            .map(|v| v["code"].as_str().unwrap().to_string())
            .collect();
        assert!(
            codes.iter().any(|c| c == code),
            "{what}: expected {code} in {codes:?}"
        );
        let o = kit(&bad, &[]);
        assert_eq!(o.status.code(), Some(1), "kit, {what}: {}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(&format!("ERROR [{kit_code}]")) && out.ends_with("FAILED\n"),
            "kit, {what}: expected [{kit_code}] in {out}"
        );
        let into = f.path(&format!("imp{i}"));
        let o = run(&[
            "import",
            bad.to_str().unwrap(),
            "--into",
            into.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        assert!(!into.exists(), "{what}: import left {}", into.display());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("nothing was imported"),
            "{what}: {}",
            text(&o)
        );
    }
}

fn edit(p: &Path, f: impl Fn(&str) -> String) {
    let s = fs::read_to_string(p).unwrap();
    fs::write(p, f(&s)).unwrap();
}

/// What a forger who knows BagIt does: recompute manifest-sha256.txt and the tag manifest.
fn rehash_manifest(x: &Path) {
    let o = sh(
        x,
        "sh",
        &[
            "-c",
            "find data -type f | LC_ALL=C sort | xargs -d '\\n' sha256sum > manifest-sha256.txt && \
             sha256sum bagit.txt bag-info.txt manifest-sha256.txt VERIFY.md > tagmanifest-sha256.txt",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// Hostile tars through the CLI: refused with exit 2, nothing written outside or at the target.
#[test]
fn hostile_bundles_are_refused() {
    let f = Fixture::new();
    let script = r#"
import io, sys, tarfile
kind, out = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
    def add(name, data=b"x", **kw):
        ti = tarfile.TarInfo(name); ti.size = len(data)
        for k, v in kw.items(): setattr(ti, k, v)
        t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    add("bagit.txt", b"BagIt-Version: 1.0\n")
    if kind == "traversal": add("data/../../escaped.txt")
    if kind == "absolute": add("/tmp/scelle-absolute-escape.txt")
    if kind == "symlink":
        add("data/link", type=tarfile.SYMTYPE, linkname="/etc"); add("data/link/passwd")
    if kind == "hardlink": add("data/h", type=tarfile.LNKTYPE, linkname="/etc/passwd")
    if kind == "device": add("data/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
    if kind == "duplicate": add("data/a.txt", b"first"); add("data/a.txt", b"second")
    if kind == "members":
        for i in range(100_001): add(f"data/m/{i}", b"")
    if kind == "members-1001":
        for i in range(1_001): add(f"data/m/{i}", b"")
"#;
    for kind in [
        "traversal",
        "absolute",
        "symlink",
        "hardlink",
        "device",
        "duplicate",
        "members",
        "members-1001",
    ] {
        // The default limit (100,000 members) is exercised by `import`; verify-bundle and the
        // kit are given a limit of 1,000 for the 1,001-member archive, to stay quick.
        let limit: &[&str] = match kind {
            "members" => &["--max-members", "100000"],
            _ => &["--max-members", "1000"],
        };
        let tar = f.path(&format!("{kind}.tar"));
        let o = sh(
            f.tmp.path(),
            "python3",
            &["-c", script, kind, tar.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", text(&o));
        if kind != "members" {
            let mut args = vec!["verify-bundle", tar.to_str().unwrap()];
            args.extend_from_slice(limit);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{kind}: {}", text(&o));
            if kind == "members-1001" {
                assert!(text(&o).contains("--max-members"), "{}", text(&o));
            }
        }
        let into = f.path(&format!("into-{kind}"));
        let o = run(&[
            "import",
            tar.to_str().unwrap(),
            "--into",
            into.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{kind}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(tar.to_str().unwrap()), "{kind}: {err}");
        assert!(!into.exists(), "{kind}");
        if kind == "members" {
            continue;
        }
        let o = kit(&tar, limit);
        assert_eq!(o.status.code(), Some(2), "kit, {kind}: {}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("ERROR [bundle-unsafe]"), "kit, {kind}: {out}");
    }
    assert!(!f.path("escaped.txt").exists());
    assert!(!Path::new("/tmp/scelle-absolute-escape.txt").exists());
}

/// An artifact changed since its seal is not exported, and nothing is left behind.
#[test]
fn export_refuses_a_changed_artifact_and_writes_nothing() {
    let f = Fixture::new();
    fs::write(f.path("art/logs/a.log"), b"changed\n").unwrap();
    let bundle = f.path("bundle.tar");
    let o = f.export(&bundle, &["--with-artifacts"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E-0002"));
    assert!(!bundle.exists());
    let left: Vec<_> = fs::read_dir(f.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Without the artifacts, the same case exports (its ledger verifies).
    ok(&f.export(&bundle, &[]));
    let o = f.export(&bundle, &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an existing bundle is never overwritten"
    );
}
