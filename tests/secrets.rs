//! Secrets (docs/SECURITY.md): the passphrase is never taken from the command line itself; a
//! wrong passphrase changes nothing on disk and leaves no trace of the key; no output of scelle
//! ever holds the private key (its 32-byte seed, extracted here with `openssl pkey`) or the
//! passphrase; key files are created with mode 0600.

mod common;

use common::{scelle_with, snapshot_meta as snapshot, text};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "a passphrase that must never be printed";

fn scelle(tmp: &Path, pass: &str, args: &[&str]) -> Output {
    scelle_with(pass)
        .env("TMPDIR", tmp.join("tmp"))
        .args(args)
        .output()
        .unwrap()
}

/// The Ed25519 seed of an encrypted PKCS#8 key file, by openssl: the last 32 bytes of the
/// unencrypted DER PrivateKeyInfo (RFC 8410).
fn seed_of(key: &Path) -> Vec<u8> {
    let o = Command::new("openssl")
        .args(["pkey", "-in"])
        .arg(key)
        .args(["-passin", &format!("pass:{PASS}"), "-outform", "DER"])
        .output()
        .unwrap();
    assert!(o.status.success(), "openssl pkey: {}", text(&o));
    assert_eq!(o.stdout.len(), 48, "an Ed25519 PrivateKeyInfo is 48 bytes");
    o.stdout[16..].to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The forms in which a seed could leak into output: raw, hex (both cases), base64 with and
/// without padding, base64url.
fn leaks(seed: &[u8], out: &[u8]) -> Vec<&'static str> {
    let b64 = |alphabet: &[u8; 64], pad: bool| -> String {
        let mut s = String::new();
        for c in seed.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..=c.len() {
                s.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
            if pad {
                s.push_str(&"=".repeat(3 - c.len()));
            }
        }
        s
    };
    let std64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let url64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let forms: [(&'static str, Vec<u8>); 5] = [
        ("raw", seed.to_vec()),
        ("hex", hex(seed).into_bytes()),
        ("HEX", hex(seed).to_uppercase().into_bytes()),
        ("base64", b64(std64, true).into_bytes()),
        ("base64url", b64(url64, false).into_bytes()),
    ];
    forms
        .into_iter()
        .filter(|(_, f)| out.windows(f.len()).any(|w| w == &f[..]))
        .map(|(n, _)| n)
        .collect()
}

struct Fixture {
    tmp: tempfile::TempDir,
    key: PathBuf,
    case: PathBuf,
    file: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir(root.join("tmp")).unwrap();
        fs::create_dir(root.join("keys")).unwrap();
        let o = scelle(
            root,
            PASS,
            &[
                "key",
                "new",
                "--name",
                "expert",
                "--role",
                "expert",
                "--out",
                root.join("keys").to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let case = root.join("case");
        let o = scelle(
            root,
            PASS,
            &[
                "init",
                case.to_str().unwrap(),
                "--case-id",
                "S-1",
                "--title",
                "secrets",
                "--key",
                root.join("keys/expert.key").to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let file = root.join("evidence.bin");
        fs::write(&file, b"evidence\n").unwrap();
        Fixture {
            key: root.join("keys/expert.key"),
            case,
            file,
            tmp,
        }
    }
    fn root(&self) -> &Path {
        self.tmp.path()
    }
}

#[test]
fn the_passphrase_is_not_accepted_as_an_argument() {
    let f = Fixture::new();
    for args in [
        vec!["--passphrase", PASS, "key", "show", f.key.to_str().unwrap()],
        vec!["key", "show", f.key.to_str().unwrap(), "--passphrase", PASS],
        vec![
            "key",
            "show",
            f.key.to_str().unwrap(),
            &format!("--passphrase={PASS}"),
        ],
        vec!["-p", PASS, "key", "show", f.key.to_str().unwrap()],
    ] {
        let o = scelle(f.root(), "", &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", text(&o));
    }
    // The help names the ways that are accepted, and no --passphrase option.
    let o = scelle(f.root(), "", &["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("--passphrase-file"), "{help}");
    assert!(!help.contains("--passphrase "), "{help}");
}

#[test]
fn key_files_are_private_and_wrong_passphrases_leave_nothing() {
    let f = Fixture::new();
    let mode = fs::metadata(&f.key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", f.key.display());
    let seed = seed_of(&f.key);
    // The detector finds each form (base64 as python3's base64 module writes it).
    let b64 = Command::new("python3")
        .args([
            "-c",
            "import base64, sys; sys.stdout.write(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())",
            &hex(&seed),
        ])
        .output()
        .unwrap()
        .stdout;
    // A seed whose base64 has no `+` or `/` (about one key in four) is spelled the same in
    // base64url: the detector then rightly names both forms.
    let expected = if b64.iter().any(|&b| b == b'+' || b == b'/') {
        vec!["base64"]
    } else {
        vec!["base64", "base64url"]
    };
    assert_eq!(leaks(&seed, &[b"x", &b64[..], b"y"].concat()), expected);
    assert_eq!(
        leaks(&seed, format!("x{}y", hex(&seed)).as_bytes()),
        vec!["hex"]
    );
    assert_eq!(leaks(&seed, &[b"x", &seed[..], b"y"].concat()), vec!["raw"]);
    let seal = |pass: &str| {
        scelle(
            f.root(),
            pass,
            &[
                "-C",
                f.case.to_str().unwrap(),
                "seal",
                f.file.to_str().unwrap(),
                "--key",
                f.key.to_str().unwrap(),
            ],
        )
    };
    let before = snapshot(f.root());
    let wrong = ["wrong", "", &PASS[..PASS.len() - 1], &format!("{PASS} ")];
    for w in wrong {
        let o = seal(w);
        assert_eq!(o.status.code(), Some(2), "{w:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("expert.key"), "names the key file: {err}");
        assert!(err.to_lowercase().contains("passphrase"), "{err}");
        let all = [&o.stdout[..], &o.stderr[..]].concat();
        assert_eq!(leaks(&seed, &all), Vec::<&str>::new(), "{w:?}");
        assert!(!String::from_utf8_lossy(&all).contains(PASS), "{w:?}");
        // Nothing changed or was added anywhere: case, key, temporary directory.
        assert_eq!(snapshot(f.root()), before, "{w:?} changed the disk");
    }
    // The right passphrase works, and nothing scelle prints holds the seed or passphrase.
    let mut outputs = Vec::new();
    let o = seal(PASS);
    assert!(o.status.success(), "{}", text(&o));
    outputs.push(o);
    for args in [
        vec!["key", "show", f.key.to_str().unwrap()],
        vec!["key", "show", f.key.to_str().unwrap(), "--json"],
        vec!["-C", f.case.to_str().unwrap(), "log"],
        vec!["-C", f.case.to_str().unwrap(), "log", "--json"],
        vec!["-C", f.case.to_str().unwrap(), "verify", "--json"],
    ] {
        let o = scelle(f.root(), PASS, &args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        outputs.push(o);
    }
    for o in &outputs {
        let all = [&o.stdout[..], &o.stderr[..]].concat();
        assert_eq!(leaks(&seed, &all), Vec::<&str>::new(), "{}", text(o));
        assert!(!String::from_utf8_lossy(&all).contains(PASS));
    }
    // Nor does any file scelle wrote other than the encrypted key itself.
    for (p, (bytes, _, _)) in snapshot(f.root()) {
        if p != f.key {
            assert_eq!(leaks(&seed, &bytes), Vec::<&str>::new(), "{}", p.display());
            assert!(
                !bytes.windows(PASS.len()).any(|w| w == PASS.as_bytes()),
                "{}",
                p.display()
            );
        }
    }
    assert_eq!(fs::read_dir(f.root().join("tmp")).unwrap().count(), 0);
}
