//! Evidence bundles end to end through the CLI: `export` writes a BagIt bag in a tar that
//! `sha256sum -c`, `bagit.py --validate` (PyPI bagit, in the venv ./test makes) and the bundled
//! independent verifier accept; `verify-bundle` and `import` detect tampering inside a bundle
//! and refuse hostile tars, writing nothing.

mod common;

use common::{key_pair, kit, ok, pyenv_bin, run, sh, text, PASS};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

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
        key_pair(&keys, PASS, "expert", Some("expert"));
        let case = root.join("case");
        ok(&run(&[
            "init",
            case.to_str().unwrap(),
            "--case-id",
            "DP 150/2022",
            "--title",
            "Sumario — teléfono móvil",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
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

    /// The administrator's key (it opened the case and signs the bundles).
    fn key(&self) -> PathBuf {
        self.path("keys/expert.key")
    }

    /// `scelle -C CASE ARGS... --key KEY`.
    fn signed(&self, args: &[&str], key: &Path) -> Output {
        let mut all = vec!["-C", self.case.to_str().unwrap()];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--key", key.to_str().unwrap()]);
        run(&all)
    }

    fn export(&self, out: &Path, extra: &[&str]) -> Output {
        let key = self.key();
        let mut args = vec![
            "-C",
            self.case.to_str().unwrap(),
            "export",
            "--out",
            out.to_str().unwrap(),
            "--organization",
            "Laboratorio pericial",
            "--key",
            key.to_str().unwrap(),
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
    // bag-info.txt states the ledger it carries and who signed the bag; the signature is over
    // the tag manifest's exact bytes, by the key in bag-signer.pub (openssl checks it).
    let field = |label: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{label}: ")).map(String::from))
            .unwrap_or_else(|| panic!("{label} not in {info}"))
    };
    assert_eq!(
        field("Scelle-Ledger-Size"),
        fs::read_to_string(x.join("data/case/ledger.jsonl"))
            .unwrap()
            .lines()
            .count()
            .to_string()
    );
    assert!(field("Scelle-Origin").starts_with("scelle.case/DP-150/2022/"));
    assert_eq!(field("Scelle-Signer"), "expert");
    assert_eq!(field("Scelle-Ledger-Root").len(), 44);
    assert_eq!(
        field("Scelle-Admin-Fingerprint"),
        field("Scelle-Signer-Fingerprint")
    );
    let tags = fs::read_to_string(x.join("tagmanifest-sha256.txt")).unwrap();
    assert!(tags.contains("  bag-signer.pub\n"), "{tags}");
    let o = sh(
        &x,
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "bag-signer.pub",
            "-rawin",
            "-in",
            "tagmanifest-sha256.txt",
            "-sigfile",
            "tagmanifest-sha256.txt.sig",
        ],
    );
    assert!(o.status.success(), "openssl: {}", text(&o));

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
    let admin_fp = field("Scelle-Admin-Fingerprint");
    assert!(out.contains(&admin_fp), "{out}");
    assert!(out.contains("out of band"), "{out}");
    assert!(out.contains("origin \"scelle.case/DP-150/2022/"), "{out}");

    let into = f.path("imported");
    let out = ok(&run(&[
        "import",
        bundle.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]));
    assert!(out.contains("imported"), "{out}");
    assert!(
        out.contains(&admin_fp) && out.contains("out of band"),
        "{out}"
    );
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
            "a proof's line altered (a member's digest), manifest recomputed",
            |x| {
                // The line is checked by its leaf hash as it is read, never held.
                edit(&x.join("data/proofs/E-0001.json"), |s| {
                    let line = s.find("\"line\": \"").unwrap();
                    let i = line + s[line..].find("sha256").unwrap() + 20;
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
        refused_by_all(&f, &bad, what, code, kit_code);
    }
}

/// `verify-bundle --json` of `bundle`: (exit status, the findings as (severity, code, file)).
fn verify_bundle_json(bundle: &Path) -> (Option<i32>, Vec<(String, String, String)>, Output) {
    let o = run(&["verify-bundle", bundle.to_str().unwrap(), "--json"]);
    let found = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["severity"].as_str().unwrap().to_string(),
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (o.status.code(), found, o)
}

/// `bad` is refused by `verify-bundle` (exit 1, an error `code`), by the independent kit (the
/// repository's copy: exit 1, `ERROR [kit_code]`) and by `import` (exit 2, nothing left).
fn refused_by_all(f: &Fixture, bad: &Path, what: &str, code: &str, kit_code: &str) {
    let (status, found, o) = verify_bundle_json(bad);
    assert_eq!(status, Some(1), "{what}: {}", text(&o));
    assert!(
        found.iter().any(|(s, c, _)| s == "error" && c == code),
        "{what}: expected {code} in {found:?}"
    );
    let o = kit(bad, &[]);
    assert_eq!(o.status.code(), Some(1), "kit, {what}: {}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("ERROR [{kit_code}]")) && out.ends_with("FAILED\n"),
        "kit, {what}: expected [{kit_code}] in {out}"
    );
    let into = f.path(&format!(
        "imp-{}",
        bad.file_stem().unwrap().to_string_lossy()
    ));
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

/// What an insider holding `key` (a key file of the case's parties) does after
/// [`rehash_manifest`]: signs the recomputed tag manifest with openssl and ships its public key.
fn resign(x: &Path, key: &Path) {
    let pass = format!("pass:{PASS}");
    let o = sh(
        x,
        "openssl",
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-passin",
            &pass,
            "-rawin",
            "-in",
            "tagmanifest-sha256.txt",
            "-out",
            "tagmanifest-sha256.txt.sig",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// Replaces `bag-signer.pub` with `key`'s public key (openssl) and the signer fields of
/// bag-info.txt with `name` and its fingerprint, so that only what a test means to break is
/// broken; then rehashes the manifests and signs with `key`.
fn resign_as(x: &Path, key: &Path, name: &str) {
    let pass = format!("pass:{PASS}");
    let o = sh(
        x,
        "openssl",
        &[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-passin",
            &pass,
            "-pubout",
            "-out",
            "bag-signer.pub",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = sh(
        x,
        "sh",
        &[
            "-c",
            "openssl pkey -pubin -in bag-signer.pub -outform DER | tail -c 32 | sha256sum",
        ],
    );
    let fp = String::from_utf8_lossy(&o.stdout)[..64].to_string();
    edit(&x.join("bag-info.txt"), |s| {
        s.lines()
            .map(|l| {
                if l.starts_with("Scelle-Signer: ") {
                    format!("Scelle-Signer: {name}\n")
                } else if l.starts_with("Scelle-Signer-Fingerprint: ") {
                    format!("Scelle-Signer-Fingerprint: {fp}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect()
    });
    rehash_manifest(x);
    resign(x, key);
}

/// The certificate's required fields, for a case opened without a court.
const CERTIFICATE_INPUT: &str = "[case]\ncourt = \"Juzgado Central de Instrucción n.º 4\"\n[expert]\nname = \"Expert\"\nplace = \"Madrid\"\nqualifications = \"Digital forensics.\"\n";

/// The attacker classes of issue 15: with every manifest and the tag manifest recomputed, a
/// bundle whose carried report, VERIFY.md or kit was swapped, whose proof or artifact was
/// removed, whose ledger was rolled back (proofs rebuilt against an older genuine
/// checkpoint), whose signature was removed, or that was re-signed by a key the bundled ledger
/// does not enrol or has revoked, is refused by `verify-bundle` (exit 1), `import` (exit 2,
/// nothing left) and the independent kit. A report swapped by an insider who re-signs with an
/// enrolled key is still refused (`bundle-report`), and so is a carried ledger index.
#[test]
fn bundles_authenticate_everything_they_carry() {
    let f = Fixture::new();
    // A second key, enrolled and then revoked; a third never enrolled.
    let keys = f.path("keys");
    for name in ["counsel", "stranger"] {
        key_pair(&keys, PASS, name, Some("counsel"));
    }
    let admin = f.key();
    let counsel_pub = keys.join("counsel.pub");
    ok(&f.signed(
        &[
            "key",
            "enrol",
            counsel_pub.to_str().unwrap(),
            "--name",
            "counsel",
            "--role",
            "counsel",
        ],
        &admin,
    ));
    let pdf = f.path("certificate.pdf");
    // What the certificate needs from its signer (report::requirements).
    let input = f.path("certificate.toml");
    fs::write(&input, CERTIFICATE_INPUT).unwrap();
    ok(&f.signed(
        &[
            "report",
            "certificate",
            "--lang",
            "en",
            "--input",
            input.to_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
        ],
        &admin,
    ));
    let bundle = f.path("bundle.tar");
    ok(&f.export(
        &bundle,
        &["--with-artifacts", "--report", pdf.to_str().unwrap()],
    ));
    // The same case after counsel's key was revoked.
    let log = run(&["-C", f.case.to_str().unwrap(), "log", "--json"]);
    let counsel_id = String::from_utf8_lossy(&log.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["kind"] == "key.enrol")
        .map(|v| v["body"]["key"]["id"].as_str().unwrap().to_string())
        .expect("the enrolment in `log --json`");
    ok(&f.signed(
        &["key", "revoke", &counsel_id, "--reason", "left the case"],
        &admin,
    ));
    let revoked_bundle = f.path("after-revocation.tar");
    ok(&f.export(&revoked_bundle, &[]));
    // The genuine bundle verifies, and says who it is.
    let (status, found, o) = verify_bundle_json(&bundle);
    assert_eq!(status, Some(0), "{}", text(&o));
    assert!(found.is_empty(), "{found:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    let identity: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["type"] == "identity")
        .expect("an identity object");
    assert_eq!(identity["admin"], "expert");
    assert!(identity["message"]
        .as_str()
        .unwrap()
        .contains("out of band"));
    assert!(identity["origin"]
        .as_str()
        .unwrap()
        .starts_with("scelle.case/DP-150/2022/"));
    ok(&kit(&bundle, &[]));

    let stranger = keys.join("stranger.key");
    let counsel = keys.join("counsel.key");
    type Tamper<'a> = Box<dyn Fn(&Path) + 'a>;
    let rollback_case = f.path("rollback-case");
    let cases: Vec<(&str, &Path, Tamper, &str, &str)> = vec![
        (
            "a carried report PDF swapped, manifests recomputed",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("data/reports/certificate.pdf"), b"%PDF-1.7 forged").unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "a carried report PDF swapped, re-signed by an enrolled key",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("data/reports/certificate.pdf"), b"%PDF-1.7 forged").unwrap();
                rehash_manifest(x);
                resign(x, &f.key());
            }),
            "bundle-report",
            "bundle-report",
        ),
        (
            "a carried report renamed, re-signed by an enrolled key",
            &bundle,
            Box::new(|x: &Path| {
                fs::rename(
                    x.join("data/reports/certificate.pdf"),
                    x.join("data/reports/expert-report.pdf"),
                )
                .unwrap();
                rehash_manifest(x);
                resign(x, &f.key());
            }),
            "bundle-report",
            "bundle-report",
        ),
        (
            "VERIFY.md rewritten, tag manifest recomputed",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("VERIFY.md"), "Run `sh data/kit/install.sh`.\n").unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "the kit's verify_bundle.py replaced, manifests recomputed",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("data/kit/verify_bundle.py"), "print('OK')\n").unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "a proof removed, manifests recomputed",
            &bundle,
            Box::new(|x: &Path| {
                fs::remove_file(x.join("data/proofs/E-0002.json")).unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "an artifact removed, manifests recomputed",
            &bundle,
            Box::new(|x: &Path| {
                fs::remove_file(x.join("data/artifacts/E-0001/image.bin")).unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "the ledger rolled back to a checkpointed prefix, proofs rebuilt, manifests recomputed",
            &bundle,
            Box::new(|x: &Path| {
                // The state after the first seal: two entries, and the genuine checkpoint of
                // size 2 the case signed then.
                let case = x.join("data/case");
                edit(&case.join("ledger.jsonl"), |s| {
                    s.lines().take(2).map(|l| format!("{l}\n")).collect()
                });
                for e in fs::read_dir(case.join("checkpoints")).unwrap() {
                    let p = e.unwrap().path();
                    if p.file_name().unwrap() != "000000000002.txt" {
                        fs::remove_file(p).unwrap();
                    }
                }
                let _ = fs::remove_dir_all(&rollback_case);
                let o = sh(
                    x,
                    "cp",
                    &[
                        "-r",
                        case.to_str().unwrap(),
                        rollback_case.to_str().unwrap(),
                    ],
                );
                assert!(o.status.success(), "{}", text(&o));
                let proof = run(&[
                    "-C",
                    rollback_case.to_str().unwrap(),
                    "prove",
                    "E-0001",
                    "--json",
                ]);
                fs::write(x.join("data/proofs/E-0001.json"), ok(&proof)).unwrap();
                fs::remove_file(x.join("data/proofs/E-0002.json")).unwrap();
                fs::remove_dir_all(x.join("data/artifacts/E-0002")).unwrap();
                fs::remove_dir_all(x.join("data/reports")).unwrap();
                rehash_manifest(x);
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "the signature removed",
            &bundle,
            Box::new(|x: &Path| fs::remove_file(x.join("tagmanifest-sha256.txt.sig")).unwrap()),
            "bag-signature",
            "bag-signature",
        ),
        (
            "the signer's public key removed",
            &bundle,
            Box::new(|x: &Path| fs::remove_file(x.join("bag-signer.pub")).unwrap()),
            "bag-signature",
            "bag-signature",
        ),
        (
            "a report swapped, re-signed by a key the ledger does not enrol",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("data/reports/certificate.pdf"), b"%PDF-1.7 forged").unwrap();
                resign_as(x, &stranger, "stranger");
            }),
            "bag-signature",
            "bag-signature",
        ),
        (
            "re-signed by a key the bundled ledger has revoked",
            &revoked_bundle,
            Box::new(|x: &Path| resign_as(x, &counsel, "counsel")),
            "bag-signature",
            "bag-signature",
        ),
        (
            "Scelle-Ledger-Size edited, re-signed by an enrolled key",
            &bundle,
            Box::new(|x: &Path| {
                edit(&x.join("bag-info.txt"), |s| {
                    s.lines()
                        .map(|l| match l.strip_prefix("Scelle-Ledger-Size: ") {
                            Some(n) => {
                                format!("Scelle-Ledger-Size: {}\n", n.parse::<u64>().unwrap() + 1)
                            }
                            None => format!("{l}\n"),
                        })
                        .collect()
                });
                rehash_manifest(x);
                resign(x, &f.key());
            }),
            "bag-info",
            "bag-info",
        ),
        (
            "a ledger index carried, re-signed by an enrolled key",
            &bundle,
            Box::new(|x: &Path| {
                fs::write(x.join("data/case/ledger.index"), b"{}").unwrap();
                rehash_manifest(x);
                resign(x, &f.key());
            }),
            "bundle-index",
            "bundle-index",
        ),
    ];
    for (i, (what, source, tamper, code, kit_code)) in cases.into_iter().enumerate() {
        let x = f.path(&format!("a{i}"));
        untar(source, &x);
        tamper(&x);
        let bad = f.path(&format!("attack{i}.tar"));
        retar(&x, &bad);
        refused_by_all(&f, &bad, what, code, kit_code);
        if what.contains("verify_bundle.py") {
            let (_, found, _) = verify_bundle_json(&bad);
            assert!(
                found.iter().any(|(s, c, file)| s == "warning"
                    && c == "bundle-kit"
                    && file == "data/kit/verify_bundle.py"),
                "{what}: no bundle-kit warning naming the kit file in {found:?}"
            );
            let o = kit(&bad, &[]);
            assert!(
                String::from_utf8_lossy(&o.stdout)
                    .contains("WARNING [bundle-kit] data/kit/verify_bundle.py"),
                "{}",
                text(&o)
            );
        }
    }
}

/// VERIFY.md's first step, run exactly as written (openssl, tar and sha256sum only): it
/// prints the signer's fingerprint and `Signature Verified Successfully` for the genuine
/// bundle, and fails for one whose VERIFY.md was rewritten with the manifests recomputed.
#[test]
fn verify_md_first_step_checks_the_signature_with_openssl_alone() {
    let f = Fixture::new();
    let bundle = f.path("bundle.tar");
    ok(&f.export(&bundle, &[]));
    let x = f.path("x");
    untar(&bundle, &x);
    let verify_md = fs::read_to_string(x.join("VERIFY.md")).unwrap();
    // The first shell block of the English section.
    let english = &verify_md[verify_md.find("## English").unwrap()..];
    let block = english
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap()
        .to_string();
    assert!(block.contains("openssl pkeyutl -verify"), "{block}");
    let before_script = &english[..english.find("python3").unwrap()];
    assert!(
        before_script.contains("openssl pkeyutl -verify"),
        "the signature check must come before any script"
    );
    let fp = fs::read_to_string(x.join("bag-info.txt"))
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("Scelle-Signer-Fingerprint: ")
                .map(String::from)
        })
        .unwrap();
    let run_block = |tar: &Path, dir: &str| {
        let d = f.path(dir);
        fs::create_dir(&d).unwrap();
        fs::copy(tar, d.join("BUNDLE.tar")).unwrap();
        sh(&d, "sh", &["-e", "-c", &block])
    };
    let o = run_block(&bundle, "good");
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&fp), "{out}");
    assert!(out.contains("Signature Verified Successfully"), "{out}");

    fs::write(x.join("VERIFY.md"), "Run `sh data/kit/install.sh`.\n").unwrap();
    rehash_manifest(&x);
    let bad = f.path("bad.tar");
    retar(&x, &bad);
    let o = run_block(&bad, "bad");
    assert!(!o.status.success(), "{}", text(&o));
}

/// Export ships only public keys from `CASE/keys/`, takes the bundle's identity from entry 0
/// (a forged case.json changes nothing in bag-info.txt), and signs with an enrolled key only.
#[test]
fn export_ships_no_private_key_and_takes_identity_from_the_ledger() {
    let f = Fixture::new();
    fs::copy(f.key(), f.case.join("keys/expert.key")).unwrap();
    fs::write(f.case.join("keys/stray-secret"), b"not a key").unwrap();
    // A keyless attacker replaces the expert's public key copy and plants files: the bundle
    // carries the keys and case.json as the ledger says, and no stray checkpoint file.
    let pubs: Vec<PathBuf> = fs::read_dir(f.case.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pub"))
        .collect();
    assert_eq!(pubs.len(), 1, "{pubs:?}");
    let genuine_pub = fs::read(&pubs[0]).unwrap();
    key_pair(&f.path("keys"), PASS, "mallory", None);
    fs::copy(f.path("keys/mallory.pub"), &pubs[0]).unwrap();
    fs::write(f.case.join("keys/ffffffffffffffff.pub"), b"planted").unwrap();
    fs::write(f.case.join("checkpoints/notes.txt"), b"planted").unwrap();
    edit(&f.case.join("case.json"), |s| {
        s.replace("DP 150/2022", "FORGED 1/2000")
            .replace("Sumario", "Forged")
    });
    let bundle = f.path("bundle.tar");
    ok(&f.export(&bundle, &[]));
    let x = f.path("x");
    untar(&bundle, &x);
    let manifest = fs::read_to_string(x.join("manifest-sha256.txt")).unwrap();
    assert!(manifest.contains("data/case/keys/"), "{manifest}");
    for l in manifest.lines().filter(|l| l.contains("data/case/keys/")) {
        assert!(l.ends_with(".pub"), "{l}");
    }
    assert!(!x.join("data/case/keys/expert.key").exists());
    let carried = x.join("data/case/keys").join(pubs[0].file_name().unwrap());
    assert_eq!(fs::read(&carried).unwrap(), genuine_pub, "the ledger's key");
    assert!(!x.join("data/case/keys/ffffffffffffffff.pub").exists());
    assert!(!x.join("data/case/checkpoints/notes.txt").exists());
    let json = fs::read_to_string(x.join("data/case/case.json")).unwrap();
    assert!(
        json.contains("DP 150/2022") && !json.contains("FORGED"),
        "{json}"
    );
    let info = fs::read_to_string(x.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("External-Identifier: DP 150/2022\n"),
        "{info}"
    );
    assert!(
        info.contains("External-Description: Sumario — teléfono móvil\n"),
        "{info}"
    );
    assert!(!info.contains("FORGED"), "{info}");
    // Without --key, or with a key the case does not enrol, nothing is exported.
    let out = f.path("nokey.tar");
    let o = run(&[
        "-C",
        f.case.to_str().unwrap(),
        "export",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!out.exists());
    key_pair(&f.path("keys"), PASS, "stranger", None);
    let o = run(&[
        "-C",
        f.case.to_str().unwrap(),
        "export",
        "--out",
        out.to_str().unwrap(),
        "--key",
        f.path("keys/stranger.key").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!out.exists());
    // A report that no `report` entry records is not carried.
    let pdf = f.path("unrecorded.pdf");
    fs::write(&pdf, b"%PDF-1.7 not recorded").unwrap();
    let o = f.export(&out, &["--report", pdf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!out.exists());
}

/// Checking the proofs of a bundle is linear in the ledger: with 400 proofs over a ledger of
/// several thousand (junk) lines, each naming another tree size, the ledger's leaves are
/// hashed once, not once per proof.
#[test]
fn bundle_proof_checking_hashes_the_ledger_once() {
    let f = Fixture::new();
    let bundle = f.path("bundle.tar");
    ok(&f.export(&bundle, &[]));
    let x = f.path("x");
    untar(&bundle, &x);
    let ledger = x.join("data/case/ledger.jsonl");
    let mut text = fs::read_to_string(&ledger).unwrap();
    for i in 0..5000 {
        text.push_str(&format!("{{\"junk\":{i}}}\n"));
    }
    fs::write(&ledger, &text).unwrap();
    let lines = text.lines().count() as u64;
    let proof: serde_json::Value =
        serde_json::from_slice(&fs::read(x.join("data/proofs/E-0001.json")).unwrap()).unwrap();
    for i in 0..400u64 {
        let mut p = proof.clone();
        p["tree_size"] = (10 + i * 12).into();
        fs::write(
            x.join(format!("data/proofs/E-{:04}.json", i + 3)),
            serde_json::to_vec(&p).unwrap(),
        )
        .unwrap();
    }
    rehash_manifest(&x);
    let report = scelle::case::bundle::check_bag(&x).unwrap();
    assert!(!report.ok());
    assert_eq!(
        report
            .bag
            .iter()
            .filter(|f| f.code == "bundle-proof")
            .map(|f| f.file.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        400
    );
    assert_eq!(report.leaf_hashes, lines, "the ledger is hashed once");
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
             sha256sum bagit.txt bag-info.txt manifest-sha256.txt VERIFY.md bag-signer.pub > tagmanifest-sha256.txt",
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

/// Directory members are in no manifest: an empty directory added to a signed bundle (at the
/// top, or in the carried case) is an unlisted path for both verifiers (second review).
#[test]
fn empty_directories_added_to_a_signed_bundle_are_refused() {
    let f = Fixture::new();
    let bundle = f.path("bundle.tar");
    ok(&f.export(&bundle, &[]));
    for planted in [
        "evil",
        "data/case/torn",
        "data/case/checkpoints/000000000099.txt",
    ] {
        let x = f.path(&format!("x-{}", planted.replace('/', "_")));
        untar(&bundle, &x);
        fs::create_dir_all(x.join(planted)).unwrap();
        let bad = f.path(&format!("bad-{}.tar", planted.replace('/', "_")));
        retar(&x, &bad);
        let o = run(&["verify-bundle", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{planted}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("{planted}/")),
            "{planted}: {}",
            text(&o)
        );
        let k = kit(&bad, &[]);
        assert_eq!(k.status.code(), Some(1), "{planted}: {}", text(&k));
        assert!(text(&k).contains("bag-extra"), "{planted}: {}", text(&k));
    }
}
