//! Interoperability tests: scelle's output checked with third-party tools only.
//!
//! Every assertion about keys, signatures, hashes and the ledger is made with `openssl`,
//! `sha256sum`, `tar` or the independent verifier `tests/independent/verify_case.py` (python3
//! standard library + openssl, written from docs/FORMAT.md alone). scelle is only used to
//! produce the artifacts under test, as a second opinion on tampered cases (the custody tests
//! require both verifiers to reach the same findings), and, as its library, to sign entries
//! the way anyone holding a key file could.
//!
//! Nothing is skipped: when a tool is missing, the test fails and says which one.

mod common;

use common::{
    exec as run, key_pair, run_ok, scelle, sha256sum, sha256sum_bytes, succeeded,
    PASS as PASSPHRASE,
};
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;

/// Section 3.2 of docs/FORMAT.md: DER prefix of an Ed25519 SubjectPublicKeyInfo.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// Section 3.1: the version-1 PKCS#8 PrivateKeyInfo of an Ed25519 key, before the 32-byte seed.
const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const FILE_NAME: &str = "report final é.txt";
const DIR_NAME: &str = "evidence dir";
const TAR_NAME: &str = "bundle.tar";
const TGZ_NAME: &str = "bundle.tar.gz";

// ---------------------------------------------------------------------------------------------
// Running tools
// ---------------------------------------------------------------------------------------------

/// Fails the test (never skips) when a third-party tool is not installed.
fn require(tool: &str, version_args: &[&str]) {
    let ok = Command::new(tool)
        .args(version_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "required third-party tool `{tool}` is not available on PATH: install it \
         (these interoperability tests never skip)"
    );
}

fn require_openssl() {
    require("openssl", &["version"]);
}
fn require_sha256sum() {
    require("sha256sum", &["--version"]);
}
fn require_python3() {
    require("python3", &["--version"]);
}
fn require_tar() {
    require("tar", &["--version"]);
    require("gzip", &["--version"]); // for .tar.gz
}

fn stdout_text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("tool output is UTF-8")
}

fn openssl() -> Command {
    Command::new("openssl")
}

fn python_verifier() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py")
}

/// Runs the independent verifier: (exit code, stdout).
fn verify_case_py<A: AsRef<std::ffi::OsStr>>(args: &[A]) -> (i32, String) {
    require_python3();
    require_openssl();
    let out = run(Command::new("python3").arg(python_verifier()).args(args));
    assert!(
        out.stderr.is_empty(),
        "verify_case.py wrote to stderr (a crash?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("exit code"), stdout_text(&out))
}

fn verify_case_dir(case: &Path) -> (i32, String) {
    verify_case_py(&[case.as_os_str()])
}

// ---------------------------------------------------------------------------------------------
// The fixture: a key, a case, and one artifact of every kind
// ---------------------------------------------------------------------------------------------

struct Fixture {
    _dir: tempfile::TempDir,
    /// Where the key files are.
    keys: PathBuf,
    /// The case directory.
    case: PathBuf,
    /// The directory holding the artifacts (and the seal commands' working directory).
    art: PathBuf,
}

impl Fixture {
    /// Key `expert`, a case, then two seal commands (so two checkpoints, sizes 3 and 5):
    /// entry 1 a file whose name has spaces and é, entry 2 a directory (symlink,
    /// subdirectory, `sub.txt` next to `sub/`, a backslash, a long name), entry 3 a tar and
    /// entry 4 a .tar.gz of that directory made by GNU tar.
    fn new() -> Fixture {
        require_tar();
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let case = dir.path().join("case");
        let art = dir.path().join("artifacts");
        fs::create_dir_all(&keys).unwrap();
        fs::create_dir_all(&art).unwrap();
        key_pair(&keys, PASSPHRASE, "expert", Some("expert"));
        run_ok(scelle().arg("init").arg(&case).args([
            "--case-id",
            "3:21-cv-09078-JD",
            "--title",
            "Interop v. Tests",
            "--key",
            keys.join("expert.key").to_str().unwrap(),
        ]));

        fs::write(art.join(FILE_NAME), "Rapport d'expertise, pièce 1\n").unwrap();
        let d = art.join(DIR_NAME);
        fs::create_dir_all(d.join("sub/deeper")).unwrap();
        fs::write(d.join("a.txt"), "alpha\n").unwrap();
        fs::write(d.join("sub.txt"), "sorted before sub/ by bytes\n").unwrap();
        fs::write(d.join("sub/b é.bin"), [0u8, 1, 2, 3, 255, 254]).unwrap();
        fs::write(d.join("sub/back\\slash.txt"), "escaped in the manifest\n").unwrap();
        let long = format!("sub/deeper/{}.txt", "long-name-".repeat(12));
        fs::write(d.join(long), "a tar member name longer than 100 bytes\n").unwrap();
        fs::write(d.join("empty"), "").unwrap();
        symlink("a.txt", d.join("link to a")).unwrap();
        run_ok(
            Command::new("tar")
                .args(["cf", TAR_NAME, DIR_NAME])
                .current_dir(&art),
        );
        run_ok(
            Command::new("tar")
                .args(["czf", TGZ_NAME, DIR_NAME])
                .current_dir(&art),
        );

        let fx = Fixture {
            _dir: dir,
            keys,
            case,
            art,
        };
        fx.seal(&[FILE_NAME, DIR_NAME]);
        fx.seal(&[TAR_NAME, TGZ_NAME]);
        fx
    }

    fn seal(&self, paths: &[&str]) {
        run_ok(
            scelle()
                .arg("-C")
                .arg(&self.case)
                .arg("seal")
                .args(paths)
                .arg("--key")
                .arg(self.key_file())
                .current_dir(&self.art),
        );
    }

    fn key_file(&self) -> PathBuf {
        self.keys.join("expert.key")
    }

    fn pub_file(&self) -> PathBuf {
        self.keys.join("expert.pub")
    }

    fn ledger(&self) -> PathBuf {
        self.case.join("ledger.jsonl")
    }

    fn checkpoint(&self, size: u64) -> PathBuf {
        self.case.join(format!("checkpoints/{size:012}.txt"))
    }

    /// The ledger's lines, without their newlines.
    fn lines(&self) -> Vec<String> {
        let text = fs::read_to_string(self.ledger()).unwrap();
        assert!(text.ends_with('\n'), "ledger ends with a newline");
        text.lines().map(str::to_string).collect()
    }

    fn entries(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The `artifact` of the seal whose `path_given` is `name`.
    fn artifact(&self, name: &str) -> Value {
        self.entries()
            .into_iter()
            .filter(|e| e["kind"] == "seal")
            .map(|e| e["body"]["artifact"].clone())
            .find(|a| a["path_given"] == name)
            .unwrap_or_else(|| panic!("no seal of {name}"))
    }

    fn write_lines<L: AsRef<[u8]>>(&self, lines: &[L]) {
        let mut bytes = Vec::new();
        for l in lines {
            bytes.extend_from_slice(l.as_ref());
            bytes.push(b'\n');
        }
        fs::write(self.ledger(), bytes).unwrap();
    }

    /// The raw 32-byte public key, as openssl reads it from expert.pub.
    fn raw_public_key(&self) -> Vec<u8> {
        let out = run_ok(
            openssl()
                .args(["pkey", "-pubin", "-outform", "DER", "-in"])
                .arg(self.pub_file()),
        );
        assert_eq!(
            out.stdout.len(),
            44,
            "SPKI DER of an Ed25519 key is 44 bytes"
        );
        assert_eq!(
            out.stdout[..12],
            SPKI_PREFIX,
            "the SPKI prefix of section 3.2"
        );
        out.stdout[12..].to_vec()
    }

    /// `scelle verify` exit code, as a second opinion.
    fn scelle_verify_code(&self) -> i32 {
        run(scelle().arg("-C").arg(&self.case).arg("verify"))
            .status
            .code()
            .unwrap()
    }
}

/// The message an entry's signature covers (section 5.2), derived textually: the line with
/// `,"sig":"…"` removed. Returns (message, signature bytes).
fn split_signature(line: &str) -> (Vec<u8>, Vec<u8>) {
    let start = line.find(",\"sig\":\"").expect("a sig member");
    let value_start = start + ",\"sig\":\"".len();
    let value_len = line[value_start..].find('"').unwrap();
    let sig_b64 = &line[value_start..value_start + value_len];
    let message = format!("{}{}", &line[..start], &line[value_start + value_len + 1..]);
    (message.into_bytes(), B64.decode(sig_b64).unwrap())
}

/// `openssl pkeyutl -verify -rawin` with the given PEM public key file.
fn openssl_verify(pub_pem: &Path, message: &[u8], signature: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let msg = dir.path().join("msg.bin");
    let sig = dir.path().join("sig.bin");
    fs::write(&msg, message).unwrap();
    fs::write(&sig, signature).unwrap();
    let out = run(openssl()
        .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
        .arg(pub_pem)
        .arg("-in")
        .arg(&msg)
        .arg("-sigfile")
        .arg(&sig));
    let said_ok = stdout_text(&out).contains("Signature Verified Successfully");
    assert_eq!(
        out.status.success(),
        said_ok,
        "openssl exit status and message disagree"
    );
    out.status.success()
}

/// A checkpoint note split into (signed text, [(key name, signature blob)]).
fn parse_note(note: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let split = note.rfind("\n\n").expect("a blank line");
    let text = note[..split + 1].to_string();
    let sigs = note[split + 2..]
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("\u{2014} ")
                .expect("signature line starts with —");
            let (name, b64) = rest.split_once(' ').unwrap();
            (name.to_string(), B64.decode(b64).unwrap())
        })
        .collect();
    (text, sigs)
}

fn all_checkpoints(case: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(case.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Line text of each problem the python verifier reported with `[code] where`.
fn has_finding(output: &str, code: &str, location: &str) -> bool {
    let needle = format!("ERROR [{code}] {location}:");
    output.lines().any(|l| l.starts_with(&needle))
}

fn assert_failed_with(output: &str, code: i32, findings: &[(&str, &str)]) {
    assert_eq!(code, 1, "verify_case.py must fail:\n{output}");
    assert_eq!(output.lines().last(), Some("FAILED"), "{output}");
    for (code, location) in findings {
        assert!(
            has_finding(output, code, location),
            "expected `ERROR [{code}] {location}:` in:\n{output}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Keys (section 3)
// ---------------------------------------------------------------------------------------------

#[test]
fn openssl_reads_the_encrypted_private_key_and_the_public_key() {
    require_openssl();
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        scelle()
            .args([
                "key", "new", "--name", "expert", "--role", "expert", "--out",
            ])
            .arg(dir.path()),
    );
    let key = dir.path().join("expert.key");
    let public = dir.path().join("expert.pub");

    let mode = fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "private key file mode is {mode:o}");

    // The right passphrase opens it; the public key openssl derives is the one in expert.pub.
    let derived = run_ok(
        openssl()
            .args(["pkey", "-pubout", "-passin"])
            .arg(format!("pass:{PASSPHRASE}"))
            .arg("-in")
            .arg(&key),
    );
    let from_pub = run_ok(openssl().args(["pkey", "-pubin", "-in"]).arg(&public));
    assert!(stdout_text(&from_pub).starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(
        stdout_text(&derived),
        stdout_text(&from_pub),
        "the public key of expert.key is not expert.pub's"
    );
    // The PEM block in expert.pub is byte-for-byte what openssl writes.
    let pub_text = fs::read_to_string(&public).unwrap();
    assert!(pub_text.ends_with(&stdout_text(&from_pub)), "{pub_text}");
    assert!(
        pub_text.starts_with("Name: expert\nRole: expert\n"),
        "{pub_text}"
    );

    // A wrong passphrase is refused.
    let wrong = run(openssl()
        .args(["pkey", "-passin", "pass:not the passphrase", "-in"])
        .arg(&key));
    assert!(
        !wrong.status.success(),
        "openssl opened the key with a wrong passphrase"
    );
    // And an empty one.
    let empty = run(openssl()
        .args(["pkey", "-passin", "pass:", "-in"])
        .arg(&key));
    assert!(
        !empty.status.success(),
        "openssl opened the key with an empty passphrase"
    );
}

/// Section 3.1: PBES2 with PBKDF2-HMAC-SHA256 (600000 iterations, 16-byte salt) and
/// AES-256-CBC (16-byte IV), holding a version-1 PKCS#8 PrivateKeyInfo. The encrypted bytes
/// are decrypted with `openssl kdf` and `openssl enc` directly, so the check is on the very
/// bytes scelle wrote, not on openssl's re-encoding of the key.
#[test]
fn private_key_is_pbes2_pbkdf2_sha256_aes256cbc_over_pkcs8_v1() {
    require_openssl();
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        scelle()
            .args(["key", "new", "--name", "expert", "--out"])
            .arg(dir.path()),
    );
    let key = dir.path().join("expert.key");
    let text = fs::read_to_string(&key).unwrap();
    assert!(text.starts_with("Name: expert\n"), "{text}");
    assert!(
        text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
        "{text}"
    );

    let parsed = stdout_text(&run_ok(openssl().args(["asn1parse", "-in"]).arg(&key)));
    let lines: Vec<&str> = parsed.lines().collect();
    // The algorithm identifiers, in this order.
    let mut at = 0;
    for oid in [":PBES2", ":PBKDF2", ":hmacWithSHA256", ":aes-256-cbc"] {
        let found = lines[at..]
            .iter()
            .position(|l| l.contains("prim: OBJECT") && l.trim_end().ends_with(oid))
            .unwrap_or_else(|| panic!("no {oid} after line {at} in:\n{parsed}"));
        at += found + 1;
    }
    // Salt (16 bytes), iterations (600000 = 0x0927C0), IV (16 bytes), encrypted data.
    let hex_dump = |line: &str| -> Vec<u8> {
        let hex = line.split("[HEX DUMP]:").nth(1).expect("a hex dump");
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    };
    let octets: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("prim: OCTET STRING"))
        .collect();
    assert_eq!(octets.len(), 3, "salt, IV and encrypted data:\n{parsed}");
    let salt = hex_dump(octets[0]);
    let iv = hex_dump(octets[1]);
    let encrypted = hex_dump(octets[2]);
    assert_eq!(salt.len(), 16, "PBKDF2 salt length");
    assert_eq!(iv.len(), 16, "AES-CBC IV length");
    let iterations: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("prim: INTEGER"))
        .collect();
    assert_eq!(
        iterations.len(),
        1,
        "one INTEGER (no key length):\n{parsed}"
    );
    assert!(
        iterations[0].trim_end().ends_with(":0927C0"),
        "600000 iterations:\n{parsed}"
    );

    // Derive the AES key with PBKDF2-HMAC-SHA256 and decrypt the encrypted data.
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let kdf = run_ok(openssl().args([
        "kdf",
        "-keylen",
        "32",
        "-kdfopt",
        "digest:SHA256",
        "-kdfopt",
        &format!("pass:{PASSPHRASE}"),
        "-kdfopt",
        &format!("hexsalt:{}", hex(&salt)),
        "-kdfopt",
        "iter:600000",
        "PBKDF2",
    ]));
    let aes_key = stdout_text(&kdf).trim().replace(':', "");
    assert_eq!(aes_key.len(), 64, "openssl kdf output: {aes_key}");
    let enc_file = dir.path().join("encrypted.bin");
    fs::write(&enc_file, &encrypted).unwrap();
    let plain = run_ok(
        openssl()
            .args([
                "enc",
                "-d",
                "-aes-256-cbc",
                "-K",
                &aes_key,
                "-iv",
                &hex(&iv),
                "-in",
            ])
            .arg(&enc_file),
    )
    .stdout;
    // Exactly a v1 PrivateKeyInfo: version 0, id-Ed25519, the seed; no [1] public key.
    assert_eq!(
        plain.len(),
        48,
        "PKCS#8 v1 Ed25519 is 48 bytes, got {}",
        plain.len()
    );
    assert_eq!(
        plain[..16],
        PKCS8_V1_PREFIX,
        "PKCS#8 v1 header: {}",
        hex(&plain)
    );

    // The same seed as openssl's own decryption of the key.
    let der = run_ok(
        openssl()
            .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-passin"])
            .arg(format!("pass:{PASSPHRASE}"))
            .arg("-in")
            .arg(&key),
    )
    .stdout;
    assert_eq!(
        der[der.len() - 32..],
        plain[16..],
        "openssl reads another seed"
    );
    let der_file = dir.path().join("pkcs8.der");
    fs::write(&der_file, &der).unwrap();
    let parsed = stdout_text(&run_ok(
        openssl()
            .args(["asn1parse", "-inform", "DER", "-in"])
            .arg(&der_file),
    ));
    assert!(
        parsed
            .lines()
            .nth(1)
            .unwrap()
            .contains("prim: INTEGER           :00"),
        "version 0:\n{parsed}"
    );
    assert!(parsed.contains(":ED25519"), "{parsed}");
    assert!(
        !parsed.contains("cont [ 1 ]"),
        "a public key field [1]:\n{parsed}"
    );
}

/// Section 3.3: fingerprint = SHA-256 of the raw public key; key id = its first 16 digits.
#[test]
fn key_fingerprint_and_id_match_openssl_and_sha256sum() {
    require_openssl();
    require_sha256sum();
    let fx = Fixture::new();
    let raw = fx.raw_public_key();
    let fingerprint = sha256sum_bytes(&raw);
    let show: Value = serde_json::from_slice(
        &run_ok(scelle().args(["key", "show", "--json"]).arg(fx.pub_file())).stdout,
    )
    .unwrap();
    assert_eq!(show["fingerprint"], fingerprint.as_str());
    assert_eq!(show["key_id"], &fingerprint[..16]);
    // Entry 0 enrols that key, and every entry names it.
    let entries = fx.entries();
    let admin = &entries[0]["body"]["admin"];
    assert_eq!(admin["public_key"], B64.encode(&raw).as_str());
    assert_eq!(admin["id"], &fingerprint[..16]);
    assert_eq!(admin["name"], "expert");
    for e in &entries {
        assert_eq!(e["key"], &fingerprint[..16]);
    }
}

// ---------------------------------------------------------------------------------------------
// Entry signatures (section 5.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn openssl_verifies_every_entry_signature_and_rejects_a_changed_byte() {
    require_openssl();
    let fx = Fixture::new();
    let lines = fx.lines();
    assert_eq!(lines.len(), 5);
    for (n, line) in lines.iter().enumerate() {
        let (message, signature) = split_signature(line);
        assert_eq!(signature.len(), 64);
        assert!(
            openssl_verify(&fx.pub_file(), &message, &signature),
            "openssl rejects entry {n}'s signature"
        );
        // One byte changed anywhere (first, middle, last): the signature no longer verifies.
        for at in [0, message.len() / 2, message.len() - 1] {
            let mut altered = message.clone();
            altered[at] ^= 0x01;
            assert!(
                !openssl_verify(&fx.pub_file(), &altered, &signature),
                "entry {n}: signature still verifies with byte {at} changed"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Artifact hashes (sections 6.2, 6.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn sha256sum_agrees_with_sealed_file_and_archive_hashes() {
    require_sha256sum();
    let fx = Fixture::new();
    for (name, kind) in [(FILE_NAME, "file"), (TAR_NAME, "tar"), (TGZ_NAME, "tar")] {
        let artifact = fx.artifact(name);
        let path = fx.art.join(name);
        assert_eq!(artifact["kind"], kind, "{name}");
        assert_eq!(
            artifact["hashes"]["sha256"],
            sha256sum(&path).as_str(),
            "{name}"
        );
        assert_eq!(
            artifact["size"],
            fs::metadata(&path).unwrap().len(),
            "{name}"
        );
        let resolved = fs::canonicalize(&path).unwrap();
        assert_eq!(
            artifact["path_resolved"],
            resolved.to_str().unwrap(),
            "{name}"
        );
    }
    assert_eq!(fx.artifact(TGZ_NAME)["compression"], "gzip");
    assert!(fx.artifact(TAR_NAME).get("compression").is_none());
}

/// The manifest rebuilt from the entry's members, as section 6.3 defines it.
fn manifest_from_members(artifact: &Value) -> String {
    let mut text = String::new();
    for m in artifact["members"].as_array().unwrap() {
        if m["type"] != "file" {
            continue;
        }
        let path = m["path"].as_str().unwrap();
        let hex = m["hashes"]["sha256"].as_str().unwrap();
        if path.contains(['\\', '\n', '\r']) {
            let escaped = path
                .replace('\\', "\\\\")
                .replace('\n', "\\n")
                .replace('\r', "\\r");
            text.push_str(&format!("\\{hex}  {escaped}\n"));
        } else {
            text.push_str(&format!("{hex}  {path}\n"));
        }
    }
    text
}

#[test]
fn sealed_directory_manifest_passes_sha256sum_check() {
    require_sha256sum();
    let fx = Fixture::new();
    let artifact = fx.artifact(DIR_NAME);
    assert_eq!(artifact["kind"], "directory");
    let members = artifact["members"].as_array().unwrap();

    // The members: a symlink recorded as such, the subdirectories, every regular file.
    let link = members.iter().find(|m| m["path"] == "link to a").unwrap();
    assert_eq!(link["type"], "symlink");
    assert_eq!(link["link"], "a.txt");
    assert!(link.get("hashes").is_none());
    for sub in ["sub", "sub/deeper"] {
        let m = members.iter().find(|m| m["path"] == sub).unwrap();
        assert_eq!(m["type"], "dir", "{sub}");
    }
    let files: Vec<&Value> = members.iter().filter(|m| m["type"] == "file").collect();
    assert_eq!(files.len(), 6);
    assert_eq!(artifact["file_count"], 6);
    let total: u64 = files.iter().map(|m| m["size"].as_u64().unwrap()).sum();
    assert_eq!(artifact["size"], total);
    // Sorted by the bytes of path: `sub.txt` (0x2e) before `sub/…` (0x2f).
    let paths: Vec<&str> = members
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(paths, sorted);

    // `sha256sum -c` accepts the manifest in the sealed directory, file by file.
    let manifest = manifest_from_members(&artifact);
    let manifest_file = fx.art.join("manifest.sha256");
    fs::write(&manifest_file, &manifest).unwrap();
    let check = run_ok(
        Command::new("sha256sum")
            .arg("-c")
            .arg(&manifest_file)
            .current_dir(fx.art.join(DIR_NAME)),
    );
    let report = stdout_text(&check);
    assert_eq!(
        report.lines().filter(|l| l.ends_with(": OK")).count(),
        6,
        "{report}"
    );

    // It hashes to manifest_sha256, which is the directory's sha256.
    let digest = sha256sum(&manifest_file);
    assert_eq!(artifact["manifest_sha256"], digest.as_str());
    assert_eq!(artifact["hashes"]["sha256"], digest.as_str());

    // A changed file makes `sha256sum -c` fail: the check is real.
    fs::write(fx.art.join(DIR_NAME).join("a.txt"), "altered\n").unwrap();
    let failed = run(Command::new("sha256sum")
        .arg("-c")
        .arg(&manifest_file)
        .current_dir(fx.art.join(DIR_NAME)));
    assert!(!failed.status.success());
}

#[test]
fn tar_members_match_sha256sum_of_files_extracted_by_tar() {
    require_sha256sum();
    require_tar();
    let fx = Fixture::new();
    for archive in [TAR_NAME, TGZ_NAME] {
        let artifact = fx.artifact(archive);
        assert_eq!(artifact["kind"], "tar");
        let members = artifact["members"].as_array().unwrap();

        // Archive order, long names resolved: the same list as `tar tf`.
        let listing = run_ok(
            Command::new("tar")
                .args(["tf", archive, "--quoting-style=literal"])
                .env("LC_ALL", "C")
                .current_dir(&fx.art),
        );
        let listed: Vec<String> = stdout_text(&listing).lines().map(String::from).collect();
        let paths: Vec<String> = members
            .iter()
            .map(|m| m["path"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(paths, listed, "{archive}: members are not tar's listing");
        assert!(
            paths.iter().any(|p| p.len() > 100),
            "a long name is in the archive"
        );

        let out = tempfile::tempdir().unwrap();
        run_ok(
            Command::new("tar")
                .arg("xf")
                .arg(fx.art.join(archive))
                .arg("-C")
                .arg(out.path()),
        );
        let mut files = 0;
        for m in members {
            let extracted = out.path().join(m["path"].as_str().unwrap());
            match m["type"].as_str().unwrap() {
                "file" => {
                    files += 1;
                    assert_eq!(m["hashes"]["sha256"], sha256sum(&extracted).as_str(), "{m}");
                    assert_eq!(m["size"], fs::metadata(&extracted).unwrap().len(), "{m}");
                    assert!(m["mtime"].is_i64(), "tar members carry mtime: {m}");
                }
                "symlink" => {
                    assert_eq!(
                        fs::read_link(&extracted).unwrap().to_str().unwrap(),
                        m["link"].as_str().unwrap()
                    );
                }
                "dir" => assert!(extracted.is_dir(), "{m}"),
                other => panic!("unexpected member type {other}: {m}"),
            }
        }
        assert_eq!(files, 6);
        assert_eq!(artifact["file_count"], 6);
        // The manifest of the members hashes to manifest_sha256, and checks the extraction.
        let manifest = manifest_from_members(&artifact);
        assert_eq!(
            artifact["manifest_sha256"],
            sha256sum_bytes(manifest.as_bytes()).as_str()
        );
        let manifest_file = fx.art.join(format!("{archive}.sha256"));
        fs::write(&manifest_file, &manifest).unwrap();
        run_ok(
            Command::new("sha256sum")
                .arg("-c")
                .arg(&manifest_file)
                .current_dir(out.path()),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The independent verifier on good and tampered cases (sections 7, 8, 9)
// ---------------------------------------------------------------------------------------------

#[test]
fn independent_verifier_accepts_a_good_case() {
    let fx = Fixture::new();
    let (code, output) = verify_case_dir(&fx.case);
    assert_eq!(code, 0, "verify_case.py rejects a good case:\n{output}");
    assert_eq!(output.lines().last(), Some("OK"), "{output}");
    assert!(!output.contains("ERROR"), "{output}");
    assert!(!output.contains("WARNING"), "{output}");
    assert!(
        output.contains("5 entries, 4 exhibits, 3 checkpoints"),
        "{output}"
    );

    // Both verifiers compute the same Merkle root of the whole ledger.
    let out = run_ok(scelle().arg("-C").arg(&fx.case).args(["verify", "--json"]));
    let summary: Value = stdout_text(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["type"] == "summary")
        .unwrap();
    assert_eq!(summary["ok"], true);
    let root = summary["root"].as_str().unwrap();
    assert!(
        output.contains(&format!("root {root};")),
        "root {root} not in:\n{output}"
    );
    // That root is the one the last checkpoint signs.
    let note = fs::read_to_string(fx.checkpoint(5)).unwrap();
    assert_eq!(note.lines().nth(2), Some(root));
}

#[test]
fn independent_verifier_detects_a_changed_byte_in_a_ledger_line() {
    let fx = Fixture::new();
    let pristine = fx.lines();
    // Entry 1 seals the file: change one hex digit of its sha256 (the line stays canonical).
    let mut lines = pristine.clone();
    let at = lines[1].find("\"sha256\":\"").unwrap() + "\"sha256\":\"".len();
    let mut bytes = lines[1].clone().into_bytes();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    lines[1] = String::from_utf8(bytes).unwrap();
    fx.write_lines(&lines);
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[
            ("signature", "entry 1"),
            ("chain", "entry 2"),
            ("checkpoint-root", "checkpoints/000000000003.txt"),
            ("checkpoint-root", "checkpoints/000000000005.txt"),
        ],
    );
    assert_eq!(fx.scelle_verify_code(), 1, "scelle verify accepts it");

    // White space added to the last line: the entry means the same and its signature still
    // verifies, but the line is not canonical (and its bytes no longer make the signed root).
    let mut lines = pristine.clone();
    lines[4] = lines[4].replacen("{\"body\":", "{\"body\": ", 1);
    fx.write_lines(&lines);
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[
            ("format", "entry 4"),
            ("checkpoint-root", "checkpoints/000000000005.txt"),
        ],
    );
    assert!(!output.contains("[signature]"), "{output}");

    // Any single byte changed, anywhere in the line, is reported at entry 2, and the chain
    // breaks at entry 3.
    let line = pristine[2].as_bytes();
    for at in (0..line.len()).step_by(line.len() / 12 + 1) {
        let mut lines: Vec<Vec<u8>> = pristine.iter().map(|l| l.clone().into_bytes()).collect();
        lines[2][at] = if line[at] == b'x' { b'y' } else { b'x' };
        fx.write_lines(&lines);
        let (code, output) = verify_case_dir(&fx.case);
        assert_eq!(
            code, 1,
            "byte {at} of entry 2 changed, not detected:\n{output}"
        );
        assert!(
            output
                .lines()
                .any(|l| l.starts_with("ERROR") && l.contains("] entry 2:")),
            "byte {at}: no error at entry 2:\n{output}"
        );
        assert!(
            has_finding(&output, "chain", "entry 3"),
            "byte {at}:\n{output}"
        );
    }
}

/// Re-signs the ledger from line `from` on with the fixture's own key (decrypted by openssl):
/// each line's `prev` is recomputed and its signature replaced, as someone holding the key
/// could do. The checkpoints are removed (the Merkle root changes).
fn re_sign(fx: &Fixture, lines: &mut [String], from: usize) {
    let dir = tempfile::tempdir().unwrap();
    let plain_key = dir.path().join("plain.pem");
    run_ok(
        openssl()
            .args(["pkey", "-passin"])
            .arg(format!("pass:{PASSPHRASE}"))
            .arg("-in")
            .arg(fx.key_file())
            .arg("-out")
            .arg(&plain_key),
    );
    for n in from..lines.len() {
        if n > 0 {
            let prev = sha256sum_bytes(lines[n - 1].as_bytes());
            let at = lines[n].find("\"prev\":\"").unwrap() + "\"prev\":\"".len();
            lines[n].replace_range(at..at + 64, &prev);
        }
        let (message, old_sig) = split_signature(&lines[n]);
        let msg_file = dir.path().join("msg.bin");
        fs::write(&msg_file, &message).unwrap();
        let sig = run_ok(
            openssl()
                .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
                .arg(&plain_key)
                .arg("-in")
                .arg(&msg_file),
        )
        .stdout;
        assert_eq!(sig.len(), 64);
        lines[n] = lines[n].replacen(&B64.encode(&old_sig), &B64.encode(&sig), 1);
    }
    fx.write_lines(lines);
    for cp in all_checkpoints(&fx.case) {
        fs::remove_file(cp).unwrap();
    }
}

/// Entries that are properly signed and chained but whose bodies break section 6.2 (an
/// upper-case hex digest, a wrong file count, an unknown compression) are refused: the
/// verifier checks what the signer wrote, not only that it was signed.
#[test]
fn independent_verifier_rejects_re_signed_inconsistent_bodies() {
    require_openssl();
    require_sha256sum();
    let fx = Fixture::new();
    let pristine = fx.lines();

    // Control: re-signing the unchanged ledger gives a valid ledger (no checkpoint left).
    let mut lines = pristine.clone();
    re_sign(&fx, &mut lines, 0);
    let (code, output) = verify_case_dir(&fx.case);
    assert_eq!(code, 0, "re-signing alone breaks the ledger:\n{output}");
    assert!(output.contains("[no-checkpoint]"), "{output}");

    let mut lines = pristine.clone();
    let digest = fx.artifact(FILE_NAME)["hashes"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    lines[1] = lines[1].replacen(&digest, &digest.to_uppercase(), 1);
    lines[2] = lines[2].replacen("\"file_count\":6", "\"file_count\":7", 1);
    lines[4] = lines[4].replacen("\"compression\":\"gzip\"", "\"compression\":\"bzip2\"", 1);
    assert!(lines.iter().zip(&pristine).filter(|(a, b)| a != b).count() == 3);
    re_sign(&fx, &mut lines, 1);
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[
            ("body", "entry 1"),
            ("body", "entry 2"),
            ("body", "entry 4"),
        ],
    );
    assert!(output.contains("body.artifact.hashes.sha256: expected 64 lower-case hex"));
    assert!(output.contains("body.artifact.file_count is 7"), "{output}");
    assert!(output.contains("body.artifact.compression"), "{output}");
    for code in ["signature", "chain", "sequence", "format"] {
        assert!(!output.contains(&format!("[{code}]")), "{output}");
    }
}

#[test]
fn independent_verifier_detects_a_deleted_entry() {
    let fx = Fixture::new();
    let mut lines = fx.lines();
    lines.remove(2); // the directory's seal, E-0002
    fx.write_lines(&lines);
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[
            ("sequence", "entry 2"),
            ("chain", "entry 2"),
            ("custody", "entry 2"),
            ("checkpoint-root", "checkpoints/000000000003.txt"),
            ("truncated", "checkpoints/000000000005.txt"),
        ],
    );
    assert_eq!(fx.scelle_verify_code(), 1, "scelle verify accepts it");
}

#[test]
fn independent_verifier_detects_a_truncated_tail_through_the_checkpoint() {
    let fx = Fixture::new();
    let mut lines = fx.lines();
    lines.pop();
    fx.write_lines(&lines);
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[("truncated", "checkpoints/000000000005.txt")],
    );
    // The remaining lines are intact: only the checkpoint shows the truncation.
    let errors: Vec<&str> = output.lines().filter(|l| l.starts_with("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{output}");
    assert_eq!(fx.scelle_verify_code(), 1, "scelle verify accepts it");
}

#[test]
fn independent_verifier_detects_an_edited_checkpoint_root() {
    let fx = Fixture::new();
    // Put the (valid, well-formed) root of size 3 into the checkpoint of size 5.
    let old = fs::read_to_string(fx.checkpoint(3)).unwrap();
    let new = fs::read_to_string(fx.checkpoint(5)).unwrap();
    let old_root = old.lines().nth(2).unwrap();
    let new_root = new.lines().nth(2).unwrap();
    assert_ne!(old_root, new_root);
    fs::write(fx.checkpoint(5), new.replacen(new_root, old_root, 1)).unwrap();
    let (code, output) = verify_case_dir(&fx.case);
    // The signature no longer verifies, so the checkpoint states nothing (FORMAT.md 8.2): its
    // root is not compared with the ledger, and nobody is accused of rewriting it.
    assert_failed_with(
        &output,
        code,
        &[
            ("checkpoint-signature", "checkpoints/000000000005.txt"),
            ("checkpoint-unsigned", "checkpoints/000000000005.txt"),
        ],
    );
    assert!(!output.contains("[checkpoint-root]"), "{output}");
    // The ledger itself is untouched: no entry is blamed.
    assert!(!output.contains("] entry "), "{output}");
    assert_eq!(fx.scelle_verify_code(), 1, "scelle verify accepts it");
}

#[test]
fn independent_verifier_reports_a_torn_tail() {
    let fx = Fixture::new();
    let mut text = fs::read(fx.ledger()).unwrap();
    text.extend_from_slice(b"{\"body\":{\"art");
    fs::write(fx.ledger(), text).unwrap();
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(&output, code, &[("torn-tail", "ledger.jsonl")]);
    assert!(
        output.contains("5 entries"),
        "the torn tail is no entry:\n{output}"
    );
}

/// Section 5.2 asks for strict verification. An entry "signed" by a small-order public key
/// (the identity point, R = identity, S = 0) verifies for any message under plain Ed25519
/// (OpenSSL 3.0's pkeyutl accepts it); a re-written ledger using such a key must be refused.
#[test]
fn independent_verifier_rejects_a_small_order_key_forgery() {
    require_openssl();
    require_sha256sum();
    let fx = Fixture::new();
    let real = fx.raw_public_key();
    let real_id = &sha256sum_bytes(&real)[..16];
    let mut forged_key = vec![1u8];
    forged_key.extend_from_slice(&[0; 31]);
    let forged_id = sha256sum_bytes(&forged_key)[..16].to_string();
    let mut forged_sig = vec![1u8];
    forged_sig.extend_from_slice(&[0; 63]);

    // Re-write every entry with the forged key and signature, re-chained.
    let mut prev = "0".repeat(64);
    let mut lines = Vec::new();
    for line in fx.lines() {
        let (_, sig) = split_signature(&line);
        let line = line
            .replace(&B64.encode(&real), &B64.encode(&forged_key))
            .replace(real_id, &forged_id)
            .replace(&B64.encode(&sig), &B64.encode(&forged_sig));
        let at = line.find("\"prev\":\"").unwrap() + 8;
        let line = format!("{}{}{}", &line[..at], prev, &line[at + 64..]);
        prev = sha256sum_bytes(line.as_bytes());
        lines.push(line);
    }
    fx.write_lines(&lines);
    for cp in all_checkpoints(&fx.case) {
        fs::remove_file(cp).unwrap();
    }

    // Whether or not openssl alone would accept it, both verifiers must refuse it.
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("forged.pem");
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(&forged_key);
    fs::write(
        &pem,
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            B64.encode(&der)
        ),
    )
    .unwrap();
    let (message, sig) = split_signature(&lines[1]);
    if openssl_verify(&pem, &message, &sig) {
        eprintln!("note: openssl pkeyutl alone accepts the small-order forgery");
    }
    let (code, output) = verify_case_dir(&fx.case);
    assert_failed_with(
        &output,
        code,
        &[("signature", "entry 0"), ("signature", "entry 4")],
    );
    assert!(
        output.contains("public key is not a valid point of large order"),
        "{output}"
    );
    assert_eq!(
        fx.scelle_verify_code(),
        1,
        "scelle verify accepts the forgery"
    );
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and proofs (section 8)
// ---------------------------------------------------------------------------------------------

/// The C2SP verifier key printed by `scelle key show` parses, and its key id is the one in the
/// signature line of every checkpoint, whose signature openssl verifies over the note text.
#[test]
fn c2sp_verifier_key_matches_checkpoint_signature_lines() {
    require_openssl();
    require_sha256sum();
    let fx = Fixture::new();
    let show = stdout_text(&run_ok(scelle().args(["key", "show"]).arg(fx.pub_file())));
    let vkey = show
        .lines()
        .find_map(|l| l.strip_prefix("verifier:"))
        .expect("a verifier: line")
        .trim()
        .to_string();
    // The key name has no `+` (section 3.3); the base64 part may.
    let parts: Vec<&str> = vkey.splitn(3, '+').collect();
    assert_eq!(parts.len(), 3, "{vkey}");
    let (name, id_hex, key_b64) = (parts[0], parts[1], parts[2]);
    assert_eq!(name, "expert");
    let blob = B64.decode(key_b64).unwrap();
    assert_eq!(B64.encode(&blob), key_b64, "canonical base64");
    assert_eq!(blob.len(), 33);
    assert_eq!(blob[0], 0x01, "Ed25519 signature type");
    let raw = fx.raw_public_key();
    assert_eq!(blob[1..], raw[..], "the verifier key's key is expert.pub's");
    // Key id = SHA-256(name || 0x0A || 0x01 || public key)[:4].
    let mut preimage = name.as_bytes().to_vec();
    preimage.push(b'\n');
    preimage.extend_from_slice(&blob);
    assert_eq!(id_hex, &sha256sum_bytes(&preimage)[..8]);

    let checkpoints = all_checkpoints(&fx.case);
    assert_eq!(checkpoints.len(), 3, "{checkpoints:?}");
    for cp in checkpoints {
        let note = fs::read_to_string(&cp).unwrap();
        let (text, sigs) = parse_note(&note);
        assert_eq!(text.lines().count(), 3, "{note}");
        assert_eq!(sigs.len(), 1, "{note}");
        let (signer, sig) = &sigs[0];
        assert_eq!(signer, name);
        assert_eq!(sig.len(), 68);
        let id: String = sig[..4].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(id, id_hex, "{}: key id", cp.display());
        assert!(
            openssl_verify(&fx.pub_file(), text.as_bytes(), &sig[4..]),
            "{}: openssl rejects the note signature",
            cp.display()
        );
        let mut altered = text.clone().into_bytes();
        altered[0] ^= 1;
        assert!(!openssl_verify(&fx.pub_file(), &altered, &sig[4..]));
    }

    // The JSON form gives the same verifier key.
    let json: Value = serde_json::from_slice(
        &run_ok(scelle().args(["key", "show", "--json"]).arg(fx.pub_file())).stdout,
    )
    .unwrap();
    assert_eq!(json["verifier_key"], vkey.as_str());
}

/// `scelle prove --json` checked by the independent verifier with the RFC 9162 algorithm, from
/// the proof file and the published verifier key alone, then against the case.
#[test]
fn independent_verifier_checks_inclusion_proofs() {
    let fx = Fixture::new();
    let show: Value = serde_json::from_slice(
        &run_ok(scelle().args(["key", "show", "--json"]).arg(fx.pub_file())).stdout,
    )
    .unwrap();
    let vkey = show["verifier_key"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for target in ["0", "E-0001", "E-0002", "E-0003", "E-0004"] {
        let out = run_ok(
            scelle()
                .arg("-C")
                .arg(&fx.case)
                .args(["prove", target, "--json"]),
        );
        let proof: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(proof["tree_size"], 5, "{target}");
        assert!(!proof["path"].as_array().unwrap().is_empty(), "{target}");
        let file = dir.path().join(format!("{target}.json"));
        fs::write(&file, &out.stdout).unwrap();
        good.push(file);

        // One hex digit of the first path hash changed: the proof no longer reaches the root.
        let mut altered = proof.clone();
        let first = altered["path"][0].as_str().unwrap().to_string();
        let digit = if first.starts_with('0') { "1" } else { "0" };
        altered["path"][0] = Value::String(format!("{digit}{}", &first[1..]));
        let file = dir.path().join(format!("{target}.altered.json"));
        fs::write(&file, serde_json::to_vec(&altered).unwrap()).unwrap();
        bad.push(file);
    }
    let with_prove = |files: &[PathBuf]| -> Vec<std::ffi::OsString> {
        files
            .iter()
            .flat_map(|f| ["--prove".into(), f.clone().into_os_string()])
            .collect()
    };

    // From the proofs and the verifier key alone.
    let mut args = with_prove(&good);
    args.extend(["--vkey".into(), vkey.into()]);
    let (code, output) = verify_case_py(&args);
    assert_eq!(code, 0, "{output}");
    assert_eq!(output.lines().last(), Some("OK"), "{output}");
    // Against the case (its keys, origin and ledger lines).
    let mut args = vec![fx.case.clone().into_os_string()];
    args.extend(with_prove(&good));
    let (code, output) = verify_case_py(&args);
    assert_eq!(code, 0, "{output}");
    // Every altered proof is refused, each by name.
    let mut args = with_prove(&bad);
    args.extend(["--vkey".into(), vkey.into()]);
    let (code, output) = verify_case_py(&args);
    let expected: Vec<String> = bad
        .iter()
        .map(|f| format!("proof {}", f.display()))
        .collect();
    let findings: Vec<(&str, &str)> = expected.iter().map(|w| ("proof", w.as_str())).collect();
    assert_failed_with(&output, code, &findings);
}

// ---------------------------------------------------------------------------------------------
// The specification's own worked example (docs/FORMAT.md section 12)
// ---------------------------------------------------------------------------------------------

/// The fenced blocks of docs/FORMAT.md with the given info string, in order.
fn spec_blocks(info: &str) -> Vec<String> {
    let spec = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMAT.md"))
        .expect("docs/FORMAT.md");
    let fence = format!("```{info}\n");
    let mut blocks = Vec::new();
    let mut rest = spec.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("a closed block");
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

/// The example entries, key and checkpoint of section 12 check out with the independent
/// verifier, openssl and sha256sum: the specification is consistent with itself.
#[test]
fn spec_worked_example_verifies_independently() {
    require_openssl();
    require_sha256sum();
    let entries = spec_blocks("json");
    assert_eq!(entries.len(), 2, "section 12 has entries 0 and 1");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    fs::create_dir_all(case.join("checkpoints")).unwrap();
    let ledger = entries.concat();
    fs::write(case.join("ledger.jsonl"), &ledger).unwrap();
    let (code, output) = verify_case_dir(&case);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("2 entries, 1 exhibits"), "{output}");
    let findings: Vec<&str> = output
        .lines()
        .filter(|l| l.starts_with("ERROR") || l.starts_with("WARNING"))
        .collect();
    // No case.json: a warning, as scelle gives (section 1).
    assert_eq!(
        findings,
        [
            "WARNING [case-file] case.json: is missing; it is an informative copy of entry 0, \
             which is authoritative",
            "WARNING [no-checkpoint] checkpoints/: the case has no checkpoint"
        ]
    );

    // The public key file, and the example checkpoint's signature over its three lines.
    let texts = spec_blocks("text");
    let pub_pem = texts
        .iter()
        .find(|t| t.contains("-----BEGIN PUBLIC KEY-----"))
        .expect("the example public key file");
    let pub_file = dir.path().join("expert.pub");
    fs::write(&pub_file, pub_pem).unwrap();
    let der = run_ok(
        openssl()
            .args(["pkey", "-pubin", "-outform", "DER", "-in"])
            .arg(&pub_file),
    )
    .stdout;
    assert_eq!(
        sha256sum_bytes(&der[12..]),
        "e4aa7f2da13beb35e8cc7170b7a8c73a22ef77b2a822cb832f436b9f3e475b54"
    );
    let note = texts
        .iter()
        .find(|t| t.contains("\u{2014} expert "))
        .expect("the example checkpoint");
    let (text, sigs) = parse_note(note);
    assert_eq!(sigs.len(), 1);
    let mut preimage = b"expert\n\x01".to_vec();
    preimage.extend_from_slice(&der[12..]);
    assert_eq!(sigs[0].1[..4], [0x56, 0x6e, 0x41, 0xaa]);
    assert_eq!(&sha256sum_bytes(&preimage)[..8], "566e41aa");
    assert!(openssl_verify(&pub_file, text.as_bytes(), &sigs[0].1[4..]));
}

/// The independent verifier's Merkle tree, RFC 9162 inclusion check and C2SP note code agree
/// with the known-answer vectors in tests/data/vectors (RFC 6962 hashes from
/// transparency-dev/merkle; C2SP signed-note and golang.org/x/mod/sumdb/note examples).
#[test]
fn independent_verifier_agrees_with_known_answer_vectors() {
    require_python3();
    require_openssl();
    const SCRIPT: &str = r#"
import base64, json, sys, tempfile
sys.path.insert(0, sys.argv[1])
import verify_case as v

tree = json.load(open(sys.argv[2]))
leaves = [bytes.fromhex(h) for h in tree["leaf_inputs_hex"]]
assert [v.leaf_hash(l).hex() for l in leaves] == tree["leaf_hashes_hex"]
sizes = [int(s) for s in tree["roots_hex_by_size"]]
roots = v.merkle_roots(leaves, sizes)
for size, root in tree["roots_hex_by_size"].items():
    assert roots[int(size)].hex() == root, size
checked = 0
for case in tree["inclusion"]:
    i, n = case["leaf_index"], case["tree_size"]
    path = [bytes.fromhex(h) for h in case["path_hex"]]
    root = bytes.fromhex(tree["roots_hex_by_size"][str(n)])
    assert v.verify_inclusion(i, n, v.leaf_hash(leaves[i]), path, root), case
    assert not v.verify_inclusion(i, n, v.leaf_hash(b"other"), path, root), case
    assert not v.verify_inclusion(n, n, v.leaf_hash(leaves[i]), path, root), case
    if path:
        bad = [bytes([path[0][0] ^ 1]) + path[0][1:]] + path[1:]
        assert not v.verify_inclusion(i, n, v.leaf_hash(leaves[i]), bad, root), case
        assert not v.verify_inclusion(i, n, v.leaf_hash(leaves[i]), path[:-1], root), case
    checked += 1

notes = json.load(open(sys.argv[3]))
with tempfile.TemporaryDirectory() as d:
    ed = v.Ed25519Verifier(d)
    for case in notes["vectors"]:
        signer = v.parse_verifier_key(case["verifier_key"])
        line = case["signature_line"]
        assert line.startswith("\u2014 " + signer.name + " "), case["what"]
        blob = base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1])
        assert blob[:4] == signer.note_key_id, case["what"]
        text = case["text"].encode()
        assert ed.verify(signer.public_key, text, blob[4:]) is None, case["what"]
        assert ed.verify(signer.public_key, text + b"x", blob[4:]) is not None, case["what"]
        if "tlog-checkpoint" in case["what"]:
            note = v.parse_checkpoint(text + b"\n" + line.encode())
            assert note.root == roots[note.size], "checkpoint root"
            report = v.Report()
            v.check_note_signatures(note, "vector", [signer], ed, report)
            assert report.errors == 0
            # The same note with another key id in its signature line is refused.
            other = bytes([blob[0] ^ 1]) + blob[1:]
            forged = line.rsplit(" ", 1)[0] + " " + base64.b64encode(other).decode() + "\n"
            note = v.parse_checkpoint(text + b"\n" + forged.encode())
            v.check_note_signatures(note, "vector", [signer], ed, report)
            assert report.errors == 2, "wrong key id accepted"
        checked += 1
print(f"{checked} vectors OK")
"#;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // PYTHONDONTWRITEBYTECODE: no __pycache__ left in the source tree.
    let out = run(Command::new("python3")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(["-c", SCRIPT])
        .arg(root.join("tests/independent"))
        .arg(root.join("tests/data/vectors/rfc6962.json"))
        .arg(root.join("tests/data/vectors/signed-note.json")));
    let text = stdout_text(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = text.lines().last().unwrap_or_default();
    assert!(last.ends_with(" vectors OK"), "{text}");
    let count: usize = last.split_whitespace().next().unwrap().parse().unwrap();
    assert!(count >= 10, "too few vectors checked: {text}");
}

// ---------------------------------------------------------------------------------------------
// Key lifecycle, custody and witness cosignatures (sections 6.5, 6.6, 7, 8.2, 8.3)
// ---------------------------------------------------------------------------------------------
//
// Cases made with the CLI, and entries appended by someone who holds a key file (signed with
// scelle's library, as anyone could with openssl). Each verdict is required of *both*
// verifiers: the independent one and `scelle verify --json` must reach the same exit status,
// the same errors and warnings (code and place) and the same witnesses.

/// What a verifier concluded about a case. A place is `entry N`, `checkpoints/FILE`,
/// `checkpoints/` (the directory), `ioc/FILE` (an IOC file's copy), `ledger.jsonl` or
/// `case.json`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    exit: i32,
    /// (code, place) of each error.
    errors: BTreeSet<(String, String)>,
    /// (code, place) of each warning.
    warnings: BTreeSet<(String, String)>,
    /// (name, tree size, time) of each verified witness cosignature.
    witnesses: BTreeSet<(String, u64, u64)>,
    /// (TSA name, tree size, time, serial) of each verified RFC 3161 timestamp (8.6).
    timestamps: BTreeSet<(String, u64, String, String)>,
}

fn pair(code: &str, place: &str) -> (String, String) {
    (code.to_string(), place.to_string())
}

/// The independent verifier's verdict, from its `ERROR [code] place: …`, `WARNING [code] place:
/// …` and `WITNESS place: witness NAME has seen tree size N (cosigned at …, time T)` lines.
fn python_verdict(case: &Path, trusted: &[&Path]) -> (Verdict, String) {
    let mut args = vec![case.as_os_str().to_owned()];
    for t in trusted {
        args.push("--trusted-checkpoint".into());
        args.push(t.as_os_str().to_owned());
    }
    let (exit, output) = verify_case_py(&args);
    let mut verdict = Verdict {
        exit,
        ..Verdict::default()
    };
    for line in output.lines() {
        let finding = |rest: &str| -> (String, String) {
            let (code, rest) = rest.split_once("] ").expect("[code] place: message");
            let (place, _) = rest.split_once(": ").expect("place: message");
            // A file outside the case (a trusted checkpoint) is named by its file name.
            match Path::new(place) {
                p if p.is_absolute() => pair(code, p.file_name().unwrap().to_str().unwrap()),
                _ => pair(code, place),
            }
        };
        if let Some(rest) = line.strip_prefix("ERROR [") {
            verdict.errors.insert(finding(rest));
        } else if let Some(rest) = line.strip_prefix("WARNING [") {
            verdict.warnings.insert(finding(rest));
        } else if line.starts_with("TIMESTAMP ") {
            let (_, said) = line.split_once(": checkpoint ").expect("a timestamp line");
            let (size, rest) = said.split_once(" timestamped by ").unwrap();
            let (name, rest) = rest.split_once(" at ").unwrap();
            let (time, serial) = rest.split_once(" (serial ").unwrap();
            verdict.timestamps.insert((
                name.to_string(),
                size.parse().unwrap(),
                time.to_string(),
                serial.trim_end_matches(')').to_string(),
            ));
        } else if line.starts_with("WITNESS ") {
            let (_, said) = line.split_once(": witness ").expect("a witness line");
            let (name, rest) = said.split_once(" has seen tree size ").unwrap();
            let (size, rest) = rest.split_once(" (cosigned at ").unwrap();
            let time = rest.rsplit_once(", time ").unwrap().1.trim_end_matches(')');
            verdict.witnesses.insert((
                name.to_string(),
                size.parse().unwrap(),
                time.parse().unwrap(),
            ));
        }
    }
    assert_eq!(
        output.lines().last(),
        Some(if exit == 0 { "OK" } else { "FAILED" }),
        "{output}"
    );
    (verdict, output)
}

/// `scelle verify --json`'s verdict (section 11).
fn scelle_verdict(case: &Path, trusted: &[&Path]) -> Verdict {
    let mut cmd = scelle();
    cmd.arg("-C").arg(case).args(["verify", "--json"]);
    for t in trusted {
        cmd.arg("--trusted-checkpoint").arg(t);
    }
    let out = run(&mut cmd);
    let mut verdict = Verdict {
        exit: out.status.code().expect("exit code"),
        ..Verdict::default()
    };
    for line in stdout_text(&out).lines() {
        let v: Value = serde_json::from_str(line).expect("JSON Lines");
        match v["type"].as_str() {
            Some("finding") => {
                let place = if let Some(n) = v["entry"].as_u64() {
                    format!("entry {n}")
                } else if let Some(file) = v["file"].as_str() {
                    let file = Path::new(file);
                    let name = file.file_name().unwrap().to_str().unwrap();
                    if name == "checkpoints" {
                        "checkpoints/".to_string()
                    } else if file.parent().unwrap().ends_with("checkpoints") {
                        format!("checkpoints/{name}")
                    } else if file.parent().unwrap().ends_with("ioc") {
                        format!("ioc/{name}")
                    } else {
                        name.to_string()
                    }
                } else {
                    format!("exhibit {}", v["exhibit"].as_str().unwrap())
                };
                let finding = pair(v["code"].as_str().unwrap(), &place);
                match v["severity"].as_str() {
                    Some("error") => verdict.errors.insert(finding),
                    Some("warning") => verdict.warnings.insert(finding),
                    other => panic!("severity {other:?} in {line}"),
                };
            }
            Some("witness") => {
                verdict.witnesses.insert((
                    v["name"].as_str().unwrap().to_string(),
                    v["size"].as_u64().unwrap(),
                    v["time"].as_u64().unwrap(),
                ));
            }
            Some("timestamp") => {
                verdict.timestamps.insert((
                    v["tsa"].as_str().unwrap().to_string(),
                    v["size"].as_u64().unwrap(),
                    v["time"].as_str().unwrap().to_string(),
                    v["serial"].as_str().unwrap().to_string(),
                ));
            }
            Some("summary") => assert_eq!(v["ok"], verdict.exit == 0, "{line}"),
            other => panic!("unexpected object type {other:?}: {line}"),
        }
    }
    verdict
}

/// Both verifiers' verdicts, required to be the same. Returns it with the independent
/// verifier's output.
fn both_verdicts(case: &Path) -> (Verdict, String) {
    both_verdicts_trusting(case, &[])
}

/// [`both_verdicts`] with `--trusted-checkpoint` for each of `trusted` (FORMAT.md 8.5).
fn both_verdicts_trusting(case: &Path, trusted: &[&Path]) -> (Verdict, String) {
    let (python, output) = python_verdict(case, trusted);
    let scelle = scelle_verdict(case, trusted);
    assert_eq!(
        python, scelle,
        "the verifiers disagree (left: verify_case.py, right: scelle verify):\n{output}"
    );
    (python, output)
}

/// A case with several keys: `keys/NAME.key` and `.pub` for each (name, role) given, the
/// first being the administrator; `a.txt` and `b.txt` sealed by it as E-0001 and E-0002
/// (entries 0 to 2), then every other key enrolled (entries 3, 4, ...).
struct CustodyCase {
    _dir: tempfile::TempDir,
    keys: PathBuf,
    case: PathBuf,
    art: PathBuf,
}

impl CustodyCase {
    fn new(people: &[(&str, &str)]) -> CustodyCase {
        let dir = tempfile::tempdir().unwrap();
        let cc = CustodyCase {
            keys: dir.path().join("keys"),
            case: dir.path().join("case"),
            art: dir.path().join("artifacts"),
            _dir: dir,
        };
        fs::create_dir_all(&cc.art).unwrap();
        for (name, role) in people {
            cc.new_key(&cc.keys, name, role);
        }
        run_ok(scelle().arg("init").arg(&cc.case).args([
            "--case-id",
            "CUSTODY-1",
            "--title",
            "Custody v. Tests",
            "--key",
            &cc.key(people[0].0),
        ]));
        fs::write(cc.art.join("a.txt"), "exhibit one\n").unwrap();
        fs::write(cc.art.join("b.txt"), "exhibit two\n").unwrap();
        let admin = cc.key(people[0].0);
        cc.ok(&["seal", "a.txt", "b.txt", "--key", &admin]);
        for (name, role) in &people[1..] {
            let public = cc.public(name);
            cc.ok(&[
                "key", "enrol", &public, "--name", name, "--role", role, "--key", &admin,
            ]);
        }
        cc
    }

    /// Makes NAME.key and NAME.pub in `dir`.
    fn new_key(&self, dir: &Path, name: &str, role: &str) {
        key_pair(dir, PASSPHRASE, name, Some(role));
    }

    fn key(&self, name: &str) -> String {
        self.keys.join(format!("{name}.key")).display().to_string()
    }

    fn public(&self, name: &str) -> String {
        self.keys.join(format!("{name}.pub")).display().to_string()
    }

    /// The key id of a public key file (section 3.3), from openssl and sha256sum.
    fn key_id(public: &str) -> String {
        let der = run_ok(openssl().args(["pkey", "-pubin", "-outform", "DER", "-in", public]));
        sha256sum_bytes(&der.stdout[12..])[..16].to_string()
    }

    /// `scelle -C CASE ARGS...` in the artifacts directory.
    fn run(&self, args: &[&str]) -> Output {
        run(scelle()
            .arg("-C")
            .arg(&self.case)
            .args(args)
            .current_dir(&self.art))
    }

    fn ok(&self, args: &[&str]) -> Output {
        succeeded(args, self.run(args))
    }

    /// The CLI refuses the action (exit 2) and writes nothing.
    fn refused(&self, args: &[&str]) {
        let before = fs::read(self.ledger()).unwrap();
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "scelle {args:?} was not refused:\n{}{}",
            stdout_text(&out),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(fs::read(self.ledger()).unwrap(), before, "{args:?} wrote");
    }

    fn ledger(&self) -> PathBuf {
        self.case.join("ledger.jsonl")
    }

    fn lines(&self) -> Vec<String> {
        let text = fs::read_to_string(self.ledger()).unwrap();
        text.lines().map(str::to_string).collect()
    }

    fn entries(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn kinds(&self) -> Vec<String> {
        self.entries()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect()
    }

    /// The sealed SHA-256 of an exhibit.
    fn sealed_sha256(&self, exhibit: &str) -> String {
        self.entries()
            .iter()
            .find(|e| e["kind"] == "seal" && e["body"]["exhibit"] == exhibit)
            .map(|e| {
                e["body"]["artifact"]["hashes"]["sha256"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .unwrap()
    }

    /// Appends an entry as someone holding `key_file` could, without scelle's checks: the
    /// next `seq`, `prev` chained (by sha256sum), the last entry's time, signed with the key
    /// (checked by openssl against `public`). Returns its seq.
    fn append_signed(&self, key_file: &str, public: &str, kind: &str, body: Value) -> u64 {
        let text = fs::read_to_string(key_file).unwrap();
        let key = scelle::format::keys::decrypt_private_key(&text, PASSPHRASE.as_bytes())
            .expect("the key file opens");
        let lines = self.lines();
        let last: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
        let mut entry = scelle::format::entry::Entry {
            body,
            kind: kind.to_string(),
            key: scelle::format::keys::key_id(&key.verifying_key()),
            format: 1,
            prev: sha256sum_bytes(lines.last().unwrap().as_bytes()),
            seq: lines.len() as u64,
            sig: String::new(),
            time: last["time"].as_str().unwrap().to_string(),
        };
        assert_eq!(entry.key, Self::key_id(public));
        entry.sign(&key);
        let line = String::from_utf8(entry.line().unwrap()).unwrap();
        let (message, signature) = split_signature(&line);
        assert!(
            openssl_verify(Path::new(public), &message, &signature),
            "openssl rejects the appended entry's signature"
        );
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(self.ledger())
            .unwrap();
        writeln!(file, "{line}").unwrap();
        entry.seq
    }
}

/// The demo case (`scelle demo`: enrol, open, reseal, release, accept, and counsel's
/// cosignature of the expert's checkpoint) passes both verifiers, which see the same witness.
#[test]
fn both_verifiers_accept_the_demo_case_and_its_witness() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    run_ok(scelle().arg("demo").arg(&demo));
    let case = demo.join("case");
    let kinds: BTreeSet<String> = fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for kind in [
        "case.open",
        "seal",
        "key.enrol",
        "open",
        "reseal",
        "release",
        "accept",
    ] {
        assert!(kinds.contains(kind), "the demo has no {kind}: {kinds:?}");
    }

    let (verdict, output) = both_verdicts(&case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict.errors.is_empty() && verdict.warnings.is_empty(),
        "{output}"
    );
    // Counsel's `cosign` of the expert's checkpoint, and the cosignature counsel's witness
    // server (C2SP tlog-witness) gave the latest checkpoint over HTTP.
    assert_eq!(verdict.witnesses.len(), 2, "{output}");
    for (name, size, _) in &verdict.witnesses {
        assert_eq!(name, "counsel");
        assert!(
            output.contains(&format!("witness counsel has seen tree size {size} ")),
            "{output}"
        );
    }
    let entries = fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    assert!(verdict.witnesses.iter().any(|w| w.1 == entries), "{output}");
    // The demo's French case (a scellé opened and re-made) and Spanish case, with their
    // recorded documents, pass both verifiers too.
    for other in ["case-fr", "case-es"] {
        let (verdict, output) = both_verdicts(&demo.join(other));
        assert_eq!(verdict.exit, 0, "{other}: {output}");
        assert!(
            verdict.errors.is_empty() && verdict.warnings.is_empty(),
            "{other}: {output}"
        );
    }
}

/// Revocation, rotation of a holder and of the administrator (each successor then acting with
/// the rights, holdings and pending releases it took over), a note, a disposal, witness
/// cosignatures by a key later rotated out and by its successor, and an accept whose re-hash
/// found the artifact changed since its release: valid, with one `discrepancy` warning.
#[test]
fn both_verifiers_accept_key_lifecycle_and_custody_with_a_recorded_discrepancy() {
    let cc = CustodyCase::new(&[
        ("expert", "expert"),
        ("counsel", "counsel"),
        ("examiner", "examiner"),
    ]); // entries 0 to 4
    let next = cc.keys.join("next");
    cc.new_key(&next, "counsel", "counsel");
    cc.new_key(&next, "expert", "expert");
    cc.new_key(&cc.keys, "court", "court");
    let (expert, counsel, examiner) = (cc.key("expert"), cc.key("counsel"), cc.key("examiner"));
    let key2 = |name: &str| next.join(format!("{name}.key")).display().to_string();
    let pub2 = |name: &str| next.join(format!("{name}.pub")).display().to_string();

    cc.ok(&[
        "release",
        "E-0001",
        "--to",
        "counsel",
        "--purpose",
        "review",
        "--key",
        &expert,
    ]); // 5
    fs::write(cc.art.join("a.txt"), "exhibit one, altered in transit\n").unwrap();
    let accept = cc.run(&["accept", "E-0001", "--key", &counsel]); // 6
    assert_eq!(
        accept.status.code(),
        Some(1),
        "an accept that found a discrepancy records it and exits 1:\n{}",
        stdout_text(&accept)
    );
    cc.ok(&[
        "release",
        "E-0002",
        "--to",
        "counsel",
        "--purpose",
        "review",
        "--key",
        &expert,
    ]); // 7
    let seen = cc
        .case
        .join("checkpoints/000000000008.txt")
        .display()
        .to_string();
    cc.ok(&["cosign", &seen, "--key", &counsel]);
    cc.ok(&[
        "note",
        "E-0001",
        "--text",
        "photographed the bag",
        "--key",
        &examiner,
    ]); // 8
    cc.ok(&[
        "key",
        "revoke",
        "examiner",
        "--reason",
        "left the case",
        "--key",
        &expert,
    ]); // 9
    cc.refused(&["note", "--text", "still here", "--key", &examiner]);
    cc.ok(&[
        "key",
        "rotate",
        "--old",
        &counsel,
        "--new",
        &pub2("counsel"),
    ]); // 10
    cc.refused(&["note", "--text", "old key", "--key", &counsel]);
    cc.ok(&["accept", "E-0002", "--key", &key2("counsel")]); // 11: the release moved to it
    cc.ok(&[
        "dispose",
        "E-0001",
        "--how",
        "destroyed",
        "--authority",
        "order 12",
        "--key",
        &key2("counsel"),
    ]); // 12: it holds what counsel held
    cc.ok(&["key", "rotate", "--old", &expert, "--new", &pub2("expert")]); // 13
    let court_pub = cc.public("court");
    cc.refused(&[
        "key", "enrol", &court_pub, "--name", "court", "--role", "court", "--key", &expert,
    ]);
    cc.ok(&[
        "key",
        "enrol",
        &court_pub,
        "--name",
        "court",
        "--role",
        "court",
        "--key",
        &key2("expert"),
    ]); // 14: the administrator right moved to the successor
    cc.ok(&["note", "--text", "hearing set", "--key", &cc.key("court")]); // 15
    let last = cc
        .case
        .join("checkpoints/000000000016.txt")
        .display()
        .to_string();
    cc.ok(&["cosign", &last, "--key", &key2("counsel")]);

    assert_eq!(
        cc.kinds(),
        [
            "case.open",
            "seal",
            "seal",
            "key.enrol",
            "key.enrol",
            "release",
            "accept",
            "release",
            "note",
            "key.revoke",
            "key.rotate",
            "accept",
            "dispose",
            "key.rotate",
            "key.enrol",
            "note",
        ]
    );
    let accepted = &cc.entries()[6]["body"]["received"][0];
    assert_eq!(accepted["matches"], false, "{accepted}");
    assert!(!accepted["discrepancies"].as_array().unwrap().is_empty());

    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");
    assert_eq!(
        verdict.warnings,
        BTreeSet::from([pair("discrepancy", "entry 6")]),
        "{output}"
    );
    let witnessed: Vec<(&str, u64)> = verdict
        .witnesses
        .iter()
        .map(|(name, size, _)| (name.as_str(), *size))
        .collect();
    assert_eq!(witnessed, [("counsel", 8), ("counsel", 16)], "{output}");
    // Two keys named counsel: the cosignature of size 8 is by the key rotated out since
    // (still matched, section 8.2: "revoked or not"), that of size 16 by its successor.
    let cosignature_key_id = |file: &str| {
        let (_, sigs) = parse_note(&fs::read_to_string(file).unwrap());
        assert_eq!(sigs.len(), 2, "{file}");
        assert_eq!(sigs[1].0, "counsel", "{file}");
        sigs[1].1[..4].to_vec()
    };
    assert_ne!(cosignature_key_id(&seen), cosignature_key_id(&last));
    assert!(output.contains("16 entries, 2 exhibits,"), "{output}");
}

/// A revoked key's holder appends a (well-formed, validly signed) note to the ledger file:
/// `revoked-key` at that entry. The same note by an unrevoked key is valid.
#[test]
fn both_verifiers_reject_an_entry_signed_by_a_revoked_key() {
    let cc = CustodyCase::new(&[
        ("expert", "expert"),
        ("counsel", "counsel"),
        ("examiner", "examiner"),
    ]);
    cc.ok(&[
        "key",
        "revoke",
        "examiner",
        "--reason",
        "lost",
        "--key",
        &cc.key("expert"),
    ]); // 5
    cc.refused(&[
        "note",
        "E-0001",
        "--text",
        "after revocation",
        "--key",
        &cc.key("examiner"),
    ]);
    let pristine = fs::read(cc.ledger()).unwrap();
    let body = serde_json::json!({"exhibit": "E-0001", "text": "after revocation"});

    // Control: the same note by counsel is valid (only not yet checkpointed).
    let seq = cc.append_signed(
        &cc.key("counsel"),
        &cc.public("counsel"),
        "note",
        body.clone(),
    );
    assert_eq!(seq, 6);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert_eq!(
        verdict.warnings,
        BTreeSet::from([pair("uncheckpointed", "checkpoints/")])
    );

    fs::write(cc.ledger(), &pristine).unwrap();
    let seq = cc.append_signed(&cc.key("examiner"), &cc.public("examiner"), "note", body);
    assert_eq!(seq, 6);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("revoked-key", "entry 6")]),
        "{output}"
    );
    assert!(output.contains("revoked at entry 5"), "{output}");
}

/// An enrolled key that does not hold E-0001 releases it: `custody` at that entry. The same
/// release by the holder is valid.
#[test]
fn both_verifiers_reject_a_release_by_an_enrolled_non_holder() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]);
    cc.refused(&[
        "release",
        "E-0001",
        "--to",
        "expert",
        "--purpose",
        "take it",
        "--key",
        &cc.key("counsel"),
    ]);
    let pristine = fs::read(cc.ledger()).unwrap();
    let release = |to: &str| {
        serde_json::json!({
            "exhibits": ["E-0001"],
            "purpose": "take it",
            "to": CustodyCase::key_id(&cc.public(to)),
        })
    };

    // Control: the holder (expert) releasing it to counsel.
    let seq = cc.append_signed(
        &cc.key("expert"),
        &cc.public("expert"),
        "release",
        release("counsel"),
    );
    assert_eq!(seq, 4);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");

    fs::write(cc.ledger(), &pristine).unwrap();
    cc.append_signed(
        &cc.key("counsel"),
        &cc.public("counsel"),
        "release",
        release("expert"),
    );
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("custody", "entry 4")]),
        "{output}"
    );
    assert!(output.contains("held by expert"), "{output}");
}

/// E-0001 is released to counsel; another enrolled key (examiner) signs the accept:
/// `custody` at that entry. The same accept by counsel is valid.
#[test]
fn both_verifiers_reject_an_accept_by_a_key_other_than_the_receiver() {
    let cc = CustodyCase::new(&[
        ("expert", "expert"),
        ("counsel", "counsel"),
        ("examiner", "examiner"),
    ]);
    let expert = cc.key("expert");
    cc.ok(&[
        "release",
        "E-0001",
        "--to",
        "counsel",
        "--purpose",
        "review",
        "--key",
        &expert,
    ]); // 5
    cc.refused(&["accept", "E-0001", "--key", &cc.key("examiner")]);
    let pristine = fs::read(cc.ledger()).unwrap();
    let accept = serde_json::json!({
        "release": 5,
        "received": [{
            "exhibit": "E-0001",
            "matches": true,
            "path": cc.art.join("a.txt").display().to_string(),
            "sha256": sha256sum(&cc.art.join("a.txt")),
        }],
    });
    assert_eq!(accept["received"][0]["sha256"], cc.sealed_sha256("E-0001"));

    // Control: the receiver's accept.
    let seq = cc.append_signed(
        &cc.key("counsel"),
        &cc.public("counsel"),
        "accept",
        accept.clone(),
    );
    assert_eq!(seq, 6);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");

    fs::write(cc.ledger(), &pristine).unwrap();
    cc.append_signed(
        &cc.key("examiner"),
        &cc.public("examiner"),
        "accept",
        accept,
    );
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("custody", "entry 6")]),
        "{output}"
    );
    assert!(output.contains("released to counsel"), "{output}");
}

/// Section 8.3: counsel's cosignature line is checked with openssl (key id with alg 0x04,
/// 8-byte big-endian timestamp, signature over `cosignature/v1\ntime T\n` + the checkpoint
/// text), and both verifiers report the witness. Any byte of it changed (key id, timestamp,
/// R, S): `checkpoint-signature` on that file, and no witness.
#[test]
fn both_verifiers_reject_a_tampered_cosignature() {
    require_openssl();
    require_sha256sum();
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]);
    let file = cc.case.join("checkpoints/000000000004.txt");
    let place = "checkpoints/000000000004.txt";
    cc.ok(&[
        "cosign",
        &file.display().to_string(),
        "--key",
        &cc.key("counsel"),
    ]);
    let note = fs::read_to_string(&file).unwrap();
    let (text, sigs) = parse_note(&note);
    assert_eq!(sigs.len(), 2, "{note}");
    assert_eq!(sigs[0].0, "expert");
    let (name, blob) = &sigs[1];
    assert_eq!(name, "counsel");
    assert_eq!(blob.len(), 4 + 8 + 64, "{note}");

    // The cosignature key id: SHA-256("counsel" || 0x0A || 0x04 || public key)[:4].
    let der = run_ok(openssl().args([
        "pkey",
        "-pubin",
        "-outform",
        "DER",
        "-in",
        &cc.public("counsel"),
    ]));
    let mut preimage = b"counsel\n\x04".to_vec();
    preimage.extend_from_slice(&der.stdout[12..]);
    let id: String = blob[..4].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(id, sha256sum_bytes(&preimage)[..8]);
    let time = u64::from_be_bytes(blob[4..12].try_into().unwrap());
    let message = format!("cosignature/v1\ntime {time}\n{text}");
    assert!(openssl_verify(
        Path::new(&cc.public("counsel")),
        message.as_bytes(),
        &blob[12..]
    ));

    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert_eq!(
        verdict.witnesses,
        BTreeSet::from([("counsel".to_string(), 4, time)]),
        "{output}"
    );
    assert!(
        output.contains("witness counsel has seen tree size 4 "),
        "{output}"
    );

    let line_start = note.rfind("\u{2014} counsel ").unwrap();
    for (at, what) in [(0, "key id"), (11, "timestamp"), (12, "R"), (75, "S")] {
        let mut altered = blob.clone();
        altered[at] ^= 0x01;
        let forged = format!(
            "{}\u{2014} counsel {}\n",
            &note[..line_start],
            B64.encode(&altered)
        );
        fs::write(&file, forged).unwrap();
        let (verdict, output) = both_verdicts(&cc.case);
        assert_eq!(verdict.exit, 1, "{what}: {output}");
        assert_eq!(
            verdict.errors,
            BTreeSet::from([pair("checkpoint-signature", place)]),
            "{what}: {output}"
        );
        assert!(verdict.witnesses.is_empty(), "{what}: {output}");
    }
}

/// A signature line whose key name holds a character that one verifier might take for white
/// space and the other not (FORMAT.md 8.2: a key name has no white space, the Unicode
/// White_Space property, as Rust's `char::is_whitespace`; not python's `str.isspace`, which
/// also takes U+001C..U+001F). Appended by anyone who can write the case (no key needed), it
/// must get the same verdict from both verifiers: a name with white space makes the file a
/// `checkpoint-format` error; any other name is a signature by no key of the case.
#[test]
fn both_verifiers_agree_on_white_space_in_a_signature_line_name() {
    require_openssl();
    let cc = CustodyCase::new(&[("expert", "expert")]);
    let file = all_checkpoints(&cc.case).pop().unwrap();
    let place = format!(
        "checkpoints/{}",
        file.file_name().unwrap().to_str().unwrap()
    );
    let honest = fs::read_to_string(&file).unwrap();
    let blob = B64.encode([0u8; 68]);
    let white = [
        '\t', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{1680}', '\u{2007}', '\u{2028}', '\u{2029}',
        '\u{3000}',
    ];
    let not_white = [
        '\u{1c}', '\u{1d}', '\u{1e}', '\u{1f}', '\u{200b}', '\u{180e}',
    ];
    for c in white.iter().chain(&not_white) {
        fs::write(&file, format!("{honest}\u{2014} a{c}b {blob}\n")).unwrap();
        let (verdict, output) = both_verdicts(&cc.case);
        let format_error = verdict.errors.contains(&pair("checkpoint-format", &place));
        assert_eq!(
            format_error,
            white.contains(c),
            "name a{c:?}b: {verdict:?}\n{output}"
        );
    }
    fs::write(&file, honest).unwrap();
}

// ---------------------------------------------------------------------------------------------
// IOC scans (section 6.8)
// ---------------------------------------------------------------------------------------------
//
// A real scan made with the CLI against Amnesty's Pegasus indicators (the demo's copy), then
// ioc.scan entries forged by the key's holder: each verifier must reach the same verdict, and
// both check the case's copy of the IOC file.

/// The demo's STIX 2.1 bundle of Pegasus indicators.
fn pegasus_stix() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/demo/ioc/pegasus.stix2")
        .display()
        .to_string()
}

/// A line of a resolver log naming a subdomain of `free247downloads.com`, a Pegasus domain.
const IOC_LOG_LINE: &str = "Jul 18 09:12:44 iPhone mDNSResponder[212]: query \
                            bun54l2b67.get1tn0w.free247downloads.com. A\n";
/// The Pegasus indicator `[domain-name:value='free247downloads.com']`.
const IOC_DOMAIN: &str = "free247downloads.com";
/// A tar member named `roleaccountd.plist`, the Pegasus indicator
/// `[file:name='roleaccountd.plist']`.
const IOC_TAR_MEMBER: &str = "private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd.plist";

/// The expert's case (entries 0 to 2: the clean files a.txt = E-0001 and b.txt = E-0002),
/// then entry 3 seals a directory `sysdiag` holding `logs/net.log` (E-0003) and entry 4 a tar
/// made by GNU tar holding `IOC_TAR_MEMBER` (E-0004); entry 5 is `scelle ioc scan` of E-0003
/// and E-0004 with pegasus.stix2, entry 6 the same scan of E-0001, which matches nothing.
fn ioc_case() -> CustodyCase {
    require_tar();
    let cc = CustodyCase::new(&[("expert", "expert")]);
    let logs = cc.art.join("sysdiag/logs");
    fs::create_dir_all(&logs).unwrap();
    fs::write(
        logs.join("net.log"),
        format!("Jul 18 09:12:40 iPhone kernel: boot\n{IOC_LOG_LINE}"),
    )
    .unwrap();
    let tree = cc.art.join("tree");
    let member = tree.join(IOC_TAR_MEMBER);
    fs::create_dir_all(member.parent().unwrap()).unwrap();
    fs::write(&member, "<plist version=\"1.0\"><dict/></plist>\n").unwrap();
    run_ok(
        Command::new("tar")
            .args(["cf", "backup.tar", "-C", "tree", "private"])
            .current_dir(&cc.art),
    );
    let expert = cc.key("expert");
    let stix = pegasus_stix();
    cc.ok(&["seal", "sysdiag", "backup.tar", "--key", &expert]); // 3, 4
    cc.ok(&[
        "ioc", "scan", "--stix", &stix, "--key", &expert, "E-0003", "E-0004",
    ]); // 5
    cc.ok(&["ioc", "scan", "--stix", &stix, "--key", &expert, "E-0001"]); // 6
    assert_eq!(
        cc.kinds(),
        [
            "case.open",
            "seal",
            "seal",
            "seal",
            "seal",
            "ioc.scan",
            "ioc.scan"
        ]
    );
    cc
}

/// The case's copy of an IOC file (section 1: `ioc/SHA256.stix2`).
fn ioc_copy(cc: &CustodyCase, sha256: &str) -> PathBuf {
    cc.case.join(format!("ioc/{sha256}.stix2"))
}

/// The record of `exhibit` in a scan body's `exhibits`.
fn scanned<'a>(body: &'a mut Value, exhibit: &str) -> &'a mut Value {
    body["exhibits"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["exhibit"] == exhibit)
        .unwrap_or_else(|| panic!("{exhibit} was not scanned"))
}

/// The first match record whose `on` is `on`.
fn match_on<'a>(body: &'a mut Value, on: &str) -> &'a mut Value {
    body["matches"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["on"] == on)
        .unwrap_or_else(|| panic!("no {on} match"))
}

/// A scan that found the Pegasus domain in a log of a directory and the Pegasus file name in
/// a tar, and a scan of a clean file that found nothing: both verifiers accept them. The
/// recorded values are checked against the artifacts with sha256sum and the file's bytes.
#[test]
fn both_verifiers_accept_an_ioc_scan_with_matches_and_one_without() {
    require_sha256sum();
    let cc = ioc_case();
    let entries = cc.entries();
    let stix_sha256 = sha256sum(Path::new(&pegasus_stix()));

    let scan = &entries[5]["body"];
    assert_eq!(scan["ioc_files"].as_array().unwrap().len(), 1, "{scan}");
    let ioc = &scan["ioc_files"][0];
    assert_eq!(ioc["file"], "pegasus.stix2");
    assert_eq!(ioc["sha256"], stix_sha256.as_str());
    assert_eq!(
        ioc["size"],
        fs::metadata(pegasus_stix()).unwrap().len(),
        "{ioc}"
    );
    let skipped: u64 = ioc["skipped"]
        .as_array()
        .map(|s| s.iter().map(|r| r["count"].as_u64().unwrap()).sum())
        .unwrap_or(0);
    assert_eq!(
        ioc["used"].as_u64().unwrap() + skipped,
        ioc["indicator_objects"].as_u64().unwrap(),
        "{ioc}"
    );
    for (exhibit, path) in [("E-0003", "sysdiag"), ("E-0004", "backup.tar")] {
        let record = scan["exhibits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["exhibit"] == exhibit)
            .unwrap();
        assert_eq!(record["sha256"], cc.sealed_sha256(exhibit).as_str());
        assert_eq!(record["matches"], 1, "{record}");
        assert!(record["path"].as_str().unwrap().ends_with(path), "{record}");
    }
    assert_eq!(
        cc.sealed_sha256("E-0004"),
        sha256sum(&cc.art.join("backup.tar"))
    );

    let matches = scan["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2, "{scan}");
    let content = matches.iter().find(|m| m["on"] == "content").unwrap();
    assert_eq!(content["exhibit"], "E-0003");
    assert_eq!(content["member"], "logs/net.log");
    assert_eq!(content["type"], "domain-name:value");
    assert_eq!(content["value"], IOC_DOMAIN);
    assert_eq!(
        content["matched"],
        "bun54l2b67.get1tn0w.free247downloads.com"
    );
    assert_eq!(content["ioc_file"], stix_sha256.as_str());
    assert_eq!(content["occurrences"], 1);
    // The offset and the excerpt, read back from the file itself.
    let log = fs::read(cc.art.join("sysdiag/logs/net.log")).unwrap();
    let offset = content["offset"].as_u64().unwrap() as usize;
    let start = content["excerpt_start"].as_u64().unwrap() as usize;
    assert_eq!(
        &log[offset..offset + IOC_DOMAIN.len()],
        IOC_DOMAIN.as_bytes()
    );
    assert!(start <= offset && offset - start <= 32, "{content}");
    let excerpt: String = log[start..]
        .iter()
        .take(content["excerpt"].as_str().unwrap().len())
        .map(|&b| {
            if (0x20..=0x7e).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    assert_eq!(content["excerpt"], excerpt.as_str());
    let name = matches.iter().find(|m| m["on"] == "name").unwrap();
    assert_eq!(name["exhibit"], "E-0004");
    assert_eq!(name["member"], IOC_TAR_MEMBER);
    assert_eq!(name["type"], "file:name");
    assert_eq!(name["value"], "roleaccountd.plist");
    assert_eq!(name["matched"], "roleaccountd.plist");
    for m in matches {
        assert!(m.get("offset").is_none() || m["on"] == "content", "{m}");
    }
    let tar_members = stdout_text(&run_ok(
        Command::new("tar")
            .args(["tf", "backup.tar"])
            .current_dir(&cc.art),
    ));
    assert!(
        tar_members.lines().any(|l| l == IOC_TAR_MEMBER),
        "{tar_members}"
    );

    let clean = &entries[6]["body"];
    assert_eq!(clean["matches"], serde_json::json!([]), "{clean}");
    assert_eq!(clean["exhibits"][0]["exhibit"], "E-0001");
    assert_eq!(clean["exhibits"][0]["matches"], 0);
    assert_eq!(
        clean["exhibits"][0]["sha256"],
        sha256sum(&cc.art.join("a.txt")).as_str()
    );

    // The case keeps one copy of the IOC file, under its SHA-256.
    let copies: Vec<PathBuf> = fs::read_dir(cc.case.join("ioc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(copies, [ioc_copy(&cc, &stix_sha256)]);
    assert_eq!(sha256sum(&copies[0]), stix_sha256);

    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict.errors.is_empty() && verdict.warnings.is_empty(),
        "{output}"
    );
    assert!(output.contains("7 entries, 4 exhibits,"), "{output}");
}

/// ioc.scan entries appended and signed by the expert, each breaking one rule of section 6.8:
/// both verifiers reject each at that entry, with the same code (`custody` for the chain rule,
/// `body` for the others). The unchanged scans, appended again, are valid.
#[test]
fn both_verifiers_reject_forged_ioc_scans() {
    let cc = ioc_case();
    let (expert, expert_pub) = (cc.key("expert"), cc.public("expert"));
    cc.ok(&[
        "dispose",
        "E-0002",
        "--how",
        "destroyed",
        "--authority",
        "order 7",
        "--key",
        &expert,
    ]); // 7
    let pristine = fs::read(cc.ledger()).unwrap();
    let entries = cc.entries();
    let scan = entries[5]["body"].clone();
    let clean = entries[6]["body"].clone();
    let forge = |body: Value| {
        fs::write(cc.ledger(), &pristine).unwrap();
        let seq = cc.append_signed(&expert, &expert_pub, "ioc.scan", body);
        assert_eq!(seq, 8);
        both_verdicts(&cc.case)
    };

    // Controls: the recorded scans, signed again, are valid (only not yet checkpointed).
    for body in [&scan, &clean] {
        let (verdict, output) = forge(body.clone());
        assert_eq!(verdict.exit, 0, "{output}");
        assert!(verdict.errors.is_empty(), "{output}");
        assert_eq!(
            verdict.warnings,
            BTreeSet::from([pair("uncheckpointed", "checkpoints/")]),
            "{output}"
        );
    }

    let mut forgeries: Vec<(&str, Value, &str, &str)> = Vec::new();

    let mut body = scan.clone();
    scanned(&mut body, "E-0003")["sha256"] = cc.sealed_sha256("E-0001").into();
    forgeries.push((
        "scanned sha256 is not the sealed one",
        body,
        "custody",
        "is not E-0003's sealed",
    ));

    let mut body = clean.clone();
    let record = scanned(&mut body, "E-0001");
    record["exhibit"] = "E-0002".into();
    record["sha256"] = cc.sealed_sha256("E-0002").into();
    record["path"] = cc.art.join("b.txt").display().to_string().into();
    forgeries.push((
        "a disposed exhibit scanned",
        body,
        "custody",
        "E-0002 is disposed of",
    ));

    let mut body = scan.clone();
    scanned(&mut body, "E-0003")["matches"] = 2.into();
    forgeries.push((
        "an exhibit's match count is wrong",
        body,
        "body",
        "body.exhibits[0].matches is 2, but 1 match records name E-0003",
    ));

    let mut body = scan.clone();
    match_on(&mut body, "name")["ioc_file"] = cc.sealed_sha256("E-0001").into();
    forgeries.push((
        "a match cites an IOC file the scan does not list",
        body,
        "body",
        "is the sha256 of none of ioc_files",
    ));

    let mut body = scan.clone();
    match_on(&mut body, "content")
        .as_object_mut()
        .unwrap()
        .remove("offset")
        .expect("a content match has an offset");
    forgeries.push((
        "a content match without offset",
        body,
        "body",
        "a content match needs 'offset'",
    ));

    let mut body = scan.clone();
    match_on(&mut body, "name")["confidence"] = 100.into();
    forgeries.push((
        "an unknown member",
        body,
        "body",
        "unknown member 'confidence'",
    ));

    let mut body = scan.clone();
    let used = body["ioc_files"][0]["used"].as_u64().unwrap();
    body["ioc_files"][0]["used"] = (used - 1).into();
    forgeries.push((
        "used + skipped is not indicator_objects",
        body,
        "body",
        "not indicator_objects",
    ));

    // Issue 19: structured places and mentions. Control: a match read in a SQLite table and a
    // content hit recorded as a mention are valid for both verifiers.
    let mut structured = scan.clone();
    {
        let m = match_on(&mut structured, "name");
        m["on"] = "sqlite".into();
        m["location"] = serde_json::json!({"table": "access", "column": "client", "rowid": 2});
        m["excerpt"] = m["matched"].clone();
    }
    let mention = match_on(&mut structured, "content").clone();
    let ex = mention["exhibit"].as_str().unwrap().to_string();
    structured["mentions"] = serde_json::json!([mention]);
    scanned(&mut structured, &ex)["mentions"] = 1.into();
    let (verdict, output) = forge(structured.clone());
    assert!(verdict.errors.is_empty(), "{output}");

    let mut body = structured.clone();
    match_on(&mut body, "sqlite")["location"] = serde_json::json!({"table": "access"});
    forgeries.push((
        "a sqlite location without its column",
        body,
        "body",
        "location",
    ));
    let mut body = scan.clone();
    match_on(&mut body, "name")["location"] = serde_json::json!({"line": 1});
    forgeries.push((
        "a name match with a location",
        body,
        "body",
        "'location' is present exactly for sqlite, plist, json and log",
    ));
    let mut body = structured.clone();
    body["mentions"][0]["on"] = "name".into();
    for k in ["offset", "excerpt_start", "excerpt"] {
        body["mentions"][0].as_object_mut().unwrap().remove(k);
    }
    forgeries.push((
        "a mention that is not a content hit",
        body,
        "body",
        "a mention is a content hit",
    ));
    let mut body = structured.clone();
    scanned(&mut body, &ex)["mentions"] = 2.into();
    forgeries.push((
        "an exhibit's mention count is wrong",
        body,
        "body",
        "mention records name",
    ));

    for (what, body, code, message) in forgeries {
        let (verdict, output) = forge(body);
        assert_eq!(verdict.exit, 1, "{what}: {output}");
        assert_eq!(
            verdict.errors,
            BTreeSet::from([pair(code, "entry 8")]),
            "{what}: {output}"
        );
        assert!(output.contains(message), "{what}: {output}");
        for other in ["signature", "chain", "sequence", "format"] {
            assert!(!output.contains(&format!("[{other}]")), "{what}: {output}");
        }
    }
}

/// Section 6.11: reviews made with the CLI (finding 5#0 dismissed, then 5#1 confirmed) are
/// accepted by both verifiers; reviews forged by the key's holder, naming a finding that does
/// not exist or repeating another indicator, exhibit or member than the finding's (`custody`),
/// or with a decision or reason breaking a value rule (`body`), are refused by both at that
/// entry with the same code. The recorded review, signed again, is valid.
#[test]
fn both_verifiers_check_ioc_reviews() {
    let cc = ioc_case();
    let (expert, expert_pub) = (cc.key("expert"), cc.public("expert"));
    cc.ok(&[
        "ioc",
        "review",
        "--finding",
        "5#0",
        "--dismiss",
        "--reason",
        "a test",
        "--key",
        &expert,
    ]); // 7
    cc.ok(&[
        "ioc",
        "review",
        "--scan",
        "5",
        "--finding",
        "1",
        "--confirm",
        "--reason",
        "seen",
        "--key",
        &expert,
    ]); // 8
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");
    // The CLI refuses what does not exist, writing nothing.
    cc.refused(&[
        "ioc",
        "review",
        "--finding",
        "5#2",
        "--confirm",
        "--reason",
        "x",
        "--key",
        &expert,
    ]);
    cc.refused(&[
        "ioc",
        "review",
        "--finding",
        "4#0",
        "--confirm",
        "--reason",
        "x",
        "--key",
        &expert,
    ]);

    let pristine = fs::read(cc.ledger()).unwrap();
    let entries = cc.entries();
    let review = entries[7]["body"].clone();
    let other = entries[5]["body"]["matches"][1].clone();
    let forge = |body: Value| {
        fs::write(cc.ledger(), &pristine).unwrap();
        let seq = cc.append_signed(&expert, &expert_pub, "ioc.review", body);
        assert_eq!(seq, 9);
        both_verdicts(&cc.case)
    };
    let (verdict, output) = forge(review.clone());
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");

    let with = |k: &str, v: Value| {
        let mut b = review.clone();
        b[k] = v;
        b
    };
    let mut forgeries: Vec<(&str, Value, &str)> = vec![
        (
            "a finding beyond the scan's",
            with("finding", 2.into()),
            "custody",
        ),
        (
            "an entry that is no scan",
            with("scan", 4.into()),
            "custody",
        ),
        ("a later entry", with("scan", 9.into()), "custody"),
        (
            "a scan that found nothing",
            with("scan", 6.into()),
            "custody",
        ),
        (
            "another indicator",
            with("indicator", other["indicator"].clone()),
            "custody",
        ),
        (
            "another exhibit",
            with("exhibit", other["exhibit"].clone()),
            "custody",
        ),
        (
            "an unknown decision",
            with("decision", "maybe".into()),
            "body",
        ),
        ("a blank reason", with("reason", " \t\r\n".into()), "body"),
        ("an unknown member", with("confidence", 1.into()), "body"),
    ];
    let mut b = review.clone();
    match b.as_object_mut().unwrap().remove("member") {
        Some(_) => forgeries.push(("the member left out", b, "custody")),
        None => {
            b["member"] = "elsewhere".into();
            forgeries.push(("a member added", b, "custody"));
        }
    }
    for (what, body, code) in forgeries {
        let (verdict, output) = forge(body);
        assert_eq!(verdict.exit, 1, "{what}: {output}");
        assert_eq!(
            verdict.errors,
            BTreeSet::from([pair(code, "entry 9")]),
            "{what}: {output}"
        );
    }
}

/// Section 6.8: the case's copy of the IOC file a scan used must have the SHA-256 the scan
/// recorded. One byte of it changed: `ioc-file` (an error) from both verifiers; the copy
/// deleted: `ioc-file-missing` (a warning: the ledger itself is intact).
#[test]
fn both_verifiers_check_the_case_copy_of_an_ioc_file() {
    require_sha256sum();
    let cc = ioc_case();
    let sha256 = cc.entries()[5]["body"]["ioc_files"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let copy = ioc_copy(&cc, &sha256);
    let place = format!("ioc/{sha256}.stix2");
    let original = fs::read(&copy).unwrap();
    assert_eq!(sha256sum(&copy), sha256);

    let mut altered = original.clone();
    let at = altered.len() / 2;
    altered[at] ^= 0x20;
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(&copy, &altered).unwrap();
    assert_ne!(sha256sum(&copy), sha256);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("ioc-file", &place)]),
        "{output}"
    );
    assert!(verdict.warnings.is_empty(), "{output}");

    fs::write(&copy, &original).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "restored: {output}");
    assert!(
        verdict.errors.is_empty() && verdict.warnings.is_empty(),
        "{output}"
    );

    fs::remove_file(&copy).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");
    assert_eq!(
        verdict.warnings,
        BTreeSet::from([pair("ioc-file-missing", &place)]),
        "{output}"
    );
}

// ---------------------------------------------------------------------------------------------
// Who may sign which checkpoint (section 8.2), cosignature times (8.3), the checkpoints
// directory, and rollback against a kept checkpoint (8.5)
// ---------------------------------------------------------------------------------------------

/// The signing key in a key file, as its holder has it.
fn holder_key(key_file: &str) -> ed25519_dalek::SigningKey {
    let text = fs::read_to_string(key_file).unwrap();
    scelle::format::keys::decrypt_private_key(&text, PASSPHRASE.as_bytes()).expect("the key opens")
}

/// The checkpoint file `file` with a signature (alg 0x01) by `name`'s key added.
fn add_note_signature(file: &Path, name: &str, key: &ed25519_dalek::SigningKey) {
    let mut note = scelle::format::note::Note::parse(&fs::read_to_string(file).unwrap()).unwrap();
    note.add_signature(name, key);
    fs::write(file, note.encode()).unwrap();
}

/// A checkpoint note of this case's origin for (`size`, `root`), signed by `name`'s key only.
fn signed_checkpoint(
    origin: &str,
    size: u64,
    root: [u8; 32],
    name: &str,
    key: &ed25519_dalek::SigningKey,
) -> String {
    let cp = scelle::format::note::Checkpoint {
        origin: origin.to_string(),
        size,
        root,
    };
    scelle::format::note::Note::sign(&cp.text(), name, key)
        .unwrap()
        .encode()
}

/// The case's origin (entry 0).
fn origin_of(cc: &CustodyCase) -> String {
    cc.entries()[0]["body"]["case"]["origin"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Section 8.2: a signature counts only by a key that may sign a checkpoint of that size (by
/// ledger position), and every finding about a checkpoint's size or root names its signers.
/// Counsel's key, enrolled by entry 3, signing the checkpoint of size 3 (entries 0..2):
/// `checkpoint-key`; the expert's key rotated out at entry 4 signing size 6: `checkpoint-key`;
/// the same key may sign size 5 (the rotation is its own last entry), as `key rotate` does.
/// A checkpoint signed by counsel alone that claims more entries than the ledger has is
/// `truncated`, and says it is counsel's claim. Both verifiers agree on each.
#[test]
fn both_verifiers_count_checkpoint_signatures_by_ledger_position() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]); // 0..3
    let next = cc.keys.join("next");
    cc.new_key(&next, "expert", "expert");
    let new_expert_pub = next.join("expert.pub").display().to_string();
    cc.ok(&[
        "key",
        "rotate",
        "--old",
        &cc.key("expert"),
        "--new",
        &new_expert_pub,
    ]); // 4
    cc.ok(&["note", "--text", "received", "--key", &cc.key("counsel")]); // 5
    let cp = |n: u64| cc.case.join(format!("checkpoints/{n:012}.txt"));
    let place = |n: u64| format!("checkpoints/{n:012}.txt");
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict.errors.is_empty() && verdict.warnings.is_empty(),
        "{output}"
    );
    // The checkpoint after the rotation is signed by the old key, which may sign it.
    let (_, sigs) = parse_note(&fs::read_to_string(cp(5)).unwrap());
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].0, "expert");

    let counsel = holder_key(&cc.key("counsel"));
    let old_expert = holder_key(&cc.key("expert"));
    for (size, name, key, why) in [
        (3, "counsel", &counsel, "was enrolled at entry 3"),
        (6, "expert", &old_expert, "rotated out at entry 4"),
    ] {
        let original = fs::read(cp(size)).unwrap();
        add_note_signature(&cp(size), name, key);
        let (verdict, output) = both_verdicts(&cc.case);
        assert_eq!(verdict.exit, 1, "{size}: {output}");
        assert_eq!(
            verdict.errors,
            BTreeSet::from([pair("checkpoint-key", &place(size))]),
            "{size}: {output}"
        );
        assert!(output.contains(why), "{size}: {output}");
        fs::write(cp(size), original).unwrap();
    }

    // A checkpoint signed by counsel alone, for 12 entries: counsel's claim, named as such.
    let root = [7u8; 32];
    fs::write(
        cp(12),
        signed_checkpoint(&origin_of(&cc), 12, root, "counsel", &counsel),
    )
    .unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("truncated", &place(12))]),
        "{output}"
    );
    let counsel_id = CustodyCase::key_id(&cc.public("counsel"));
    let named = format!("signed by counsel (key {counsel_id}, role counsel)");
    let scelle_out = stdout_text(&run(scelle()
        .arg("-C")
        .arg(&cc.case)
        .args(["verify", "--json"])));
    for out in [&output, &scelle_out] {
        assert!(out.contains(&named), "the signer is not named:\n{out}");
    }
    // Signed by the rotated-out expert key instead, it is no one's claim: not compared.
    fs::write(
        cp(12),
        signed_checkpoint(&origin_of(&cc), 12, root, "expert", &old_expert),
    )
    .unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(
        verdict.errors,
        BTreeSet::from([
            pair("checkpoint-key", &place(12)),
            pair("checkpoint-unsigned", &place(12))
        ]),
        "{output}"
    );
}

/// Section 8.2: a checkpoint of size 0 is refused (`checkpoint-size`), as is a file whose
/// name is not its size; anything in `checkpoints/` other than a regular file named
/// NNNNNNNNNNNN.txt is a `checkpoint-stray` warning and is not read. Section 8.3: a
/// cosignature dated beyond now + 300 s (here in 2100) is refused (`checkpoint-future`) and
/// is no witness. Both verifiers agree on each.
#[test]
fn both_verifiers_refuse_size_zero_misnamed_stray_and_future_checkpoints() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]); // 0..3
    let dir = cc.case.join("checkpoints");
    let expert = holder_key(&cc.key("expert"));
    let empty_root: [u8; 32] = {
        use sha2::Digest;
        sha2::Sha256::digest(b"").into()
    };
    fs::write(
        dir.join("000000000000.txt"),
        signed_checkpoint(&origin_of(&cc), 0, empty_root, "expert", &expert),
    )
    .unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("checkpoint-size", "checkpoints/000000000000.txt")]),
        "{output}"
    );
    fs::remove_file(dir.join("000000000000.txt")).unwrap();

    fs::copy(dir.join("000000000003.txt"), dir.join("000000000002.txt")).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("checkpoint-size", "checkpoints/000000000002.txt")]),
        "{output}"
    );
    fs::remove_file(dir.join("000000000002.txt")).unwrap();

    // Strays: a note, a leftover temporary file, a directory with a checkpoint's name, and a
    // forged "checkpoint" under another name: warnings only, none of them read.
    fs::write(dir.join("README"), "notes\n").unwrap();
    fs::write(dir.join("000000000009.txt.tmp"), "partial").unwrap();
    fs::create_dir(dir.join("000000000008.txt")).unwrap();
    fs::write(
        dir.join("9.txt"),
        signed_checkpoint(&origin_of(&cc), 9, [1; 32], "expert", &expert),
    )
    .unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert_eq!(
        verdict.warnings,
        [
            "README",
            "000000000009.txt.tmp",
            "000000000008.txt",
            "9.txt"
        ]
        .iter()
        .map(|n| pair("checkpoint-stray", &format!("checkpoints/{n}")))
        .collect(),
        "{output}"
    );
    for n in ["README", "000000000009.txt.tmp", "9.txt"] {
        fs::remove_file(dir.join(n)).unwrap();
    }
    fs::remove_dir(dir.join("000000000008.txt")).unwrap();

    // Counsel's cosignature of the latest checkpoint, dated 2100-01-01.
    let file = dir.join("000000000004.txt");
    let mut note = scelle::format::note::Note::parse(&fs::read_to_string(&file).unwrap()).unwrap();
    let counsel = holder_key(&cc.key("counsel"));
    let in_2100 = 4_102_444_800;
    note.signatures.push(scelle::format::cosign::cosign(
        &note, "counsel", &counsel, in_2100,
    ));
    fs::write(&file, note.encode()).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("checkpoint-future", "checkpoints/000000000004.txt")]),
        "{output}"
    );
    assert!(verdict.witnesses.is_empty(), "{output}");
    // Dated now, the same cosignature is a witness.
    note.signatures.pop();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    note.signatures.push(scelle::format::cosign::cosign(
        &note, "counsel", &counsel, now,
    ));
    fs::write(&file, note.encode()).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert_eq!(
        verdict.witnesses,
        BTreeSet::from([("counsel".to_string(), 4, now)]),
        "{output}"
    );
}

/// Section 8.5: the examiner's key is revoked (entry 4); whoever can write the case cuts the
/// ledger back to 4 entries and deletes the later checkpoint: the examiner is "un-revoked" and
/// the case alone verifies. The checkpoint of size 5 that counsel kept exposes it: `rollback`
/// from both verifiers. The examiner then appends a note at entry 4 and signs its checkpoint:
/// the case is now inconsistent with the kept checkpoint, `rollback` again.
#[test]
fn both_verifiers_detect_a_rollback_with_a_trusted_checkpoint() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("examiner", "examiner")]); // 0..3
    cc.ok(&[
        "key",
        "revoke",
        "examiner",
        "--reason",
        "left the case",
        "--key",
        &cc.key("expert"),
    ]); // 4
    let kept_dir = tempfile::tempdir().unwrap();
    let kept = kept_dir.path().join("kept-by-counsel.txt");
    fs::copy(cc.case.join("checkpoints/000000000005.txt"), &kept).unwrap();
    let (verdict, output) = both_verdicts_trusting(&cc.case, &[&kept]);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict.errors.is_empty() && verdict.warnings.is_empty(),
        "{output}"
    );

    // Cut back: the revocation and its checkpoint are gone.
    let lines = cc.lines();
    fs::write(cc.ledger(), lines[..4].join("\n") + "\n").unwrap();
    fs::remove_file(cc.case.join("checkpoints/000000000005.txt")).unwrap();
    fs::remove_file(cc.case.join("ledger.index")).ok();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(
        verdict.exit, 0,
        "undetectable without a kept checkpoint: {output}"
    );
    let (verdict, output) = both_verdicts_trusting(&cc.case, &[&kept]);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("rollback", "kept-by-counsel.txt")]),
        "{output}"
    );
    assert!(output.contains("signed by expert (key "), "{output}");

    // The "un-revoked" examiner writes on.
    cc.ok(&["note", "--text", "still here", "--key", &cc.key("examiner")]); // 4
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    let (verdict, output) = both_verdicts_trusting(&cc.case, &[&kept]);
    assert_eq!(verdict.exit, 1, "{output}");
    assert_eq!(
        verdict.errors,
        BTreeSet::from([pair("rollback", "kept-by-counsel.txt")]),
        "{output}"
    );
    // A kept checkpoint that is not the case's own signature proves nothing: refused.
    let forged = kept_dir.path().join("forged.txt");
    let examiner = holder_key(&cc.key("examiner"));
    fs::write(
        &forged,
        signed_checkpoint(&origin_of(&cc), 9, [3; 32], "stranger", &examiner),
    )
    .unwrap();
    let (verdict, output) = both_verdicts_trusting(&cc.case, &[&forged]);
    assert_eq!(verdict.exit, 1, "{output}");
    assert!(
        verdict
            .errors
            .contains(&pair("checkpoint-unsigned", "forged.txt")),
        "{output}"
    );
    assert!(
        !verdict.errors.iter().any(|(c, _)| c == "rollback"),
        "{output}"
    );
}

/// Section 6.8, `ioc-match`: a scan appended and signed by the expert is checked against the
/// case's copy of the IOC file it pins and against the seals. A pattern or an indicator id
/// not in the file, a `size` or `indicator_objects` that is not the file's, a `member` not in
/// the seal, a member given for a file exhibit or missing for a tar: each is an error at that
/// entry, from both verifiers. The recorded scan, appended again, is valid; without the copy
/// (only `ioc-file-missing`) the file-dependent checks cannot be made.
#[test]
fn both_verifiers_check_ioc_matches_against_the_pinned_file_and_the_seal() {
    let cc = ioc_case(); // 0..6
    let expert = cc.key("expert");
    let expert_pub = cc.public("expert");
    let pristine = fs::read(cc.ledger()).unwrap();
    let entries = cc.entries();
    let scan = entries[5]["body"].clone();
    let clean = entries[6]["body"].clone();
    let forge = |body: Value| {
        fs::write(cc.ledger(), &pristine).unwrap();
        assert_eq!(cc.append_signed(&expert, &expert_pub, "ioc.scan", body), 7);
        both_verdicts(&cc.case)
    };
    let (verdict, output) = forge(scan.clone());
    assert_eq!(verdict.exit, 0, "control: {output}");

    let mut forgeries: Vec<(&str, Value)> = Vec::new();
    let mut body = scan.clone();
    match_on(&mut body, "content")["pattern"] = "[domain-name:value = 'example.org']".into();
    forgeries.push(("a pattern not in the file", body));
    let mut body = scan.clone();
    match_on(&mut body, "name")["indicator"] =
        "indicator--00000000-0000-4000-8000-000000000000".into();
    forgeries.push(("an indicator id not in the file", body));
    let mut body = scan.clone();
    let size = body["ioc_files"][0]["size"].as_u64().unwrap();
    body["ioc_files"][0]["size"] = (size + 1).into();
    forgeries.push(("a size that is not the file's", body));
    let mut body = scan.clone();
    for member in ["indicator_objects", "used"] {
        let n = body["ioc_files"][0][member].as_u64().unwrap();
        body["ioc_files"][0][member] = (n + 1).into();
    }
    forgeries.push(("indicator_objects that is not the file's", body));
    let mut body = scan.clone();
    match_on(&mut body, "name")["member"] = "private/var/db/not-sealed.plist".into();
    forgeries.push(("a member not in the seal", body));
    let mut body = scan.clone();
    match_on(&mut body, "name")
        .as_object_mut()
        .unwrap()
        .remove("member");
    forgeries.push(("no member for a tar exhibit", body));
    let mut body = clean.clone();
    let mut m = match_on(&mut scan.clone(), "name").clone();
    m["exhibit"] = "E-0001".into();
    body["matches"] = serde_json::json!([m]);
    body["exhibits"][0]["matches"] = 1.into();
    forgeries.push(("a member for a file exhibit", body));

    for (what, body) in forgeries {
        let (verdict, output) = forge(body.clone());
        assert_eq!(verdict.exit, 1, "{what}: {output}");
        assert_eq!(
            verdict.errors,
            BTreeSet::from([pair("ioc-match", "entry 7")]),
            "{what}: {output}"
        );
        assert!(verdict
            .warnings
            .contains(&pair("uncheckpointed", "checkpoints/")));
    }

    // Without the case's copy, a pattern not in the file cannot be seen (section 6.8).
    let digest = scan["ioc_files"][0]["sha256"].as_str().unwrap();
    fs::remove_file(ioc_copy(&cc, digest)).unwrap();
    let mut body = scan.clone();
    match_on(&mut body, "content")["pattern"] = "[domain-name:value = 'example.org']".into();
    let (verdict, output) = forge(body);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict
            .warnings
            .contains(&pair("ioc-file-missing", &format!("ioc/{digest}.stix2"))),
        "{output}"
    );
}

/// A key counts once per checkpoint: signature and cosignature lines repeated by a keyless
/// attacker are a `checkpoint-duplicate` warning for both verifiers, and the witness is
/// listed once (second held-out review: three copies were three witness cosignatures).
#[test]
fn both_verifiers_count_a_key_once_per_checkpoint() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]); // 0..3
    let cp = cc.case.join("checkpoints/000000000004.txt");
    cc.ok(&[
        "cosign",
        &cp.display().to_string(),
        "--key",
        &cc.key("counsel"),
    ]);
    let note = fs::read_to_string(&cp).unwrap();
    let lines: Vec<&str> = note.lines().collect();
    let (expert_line, counsel_line) = (lines[4], lines[5]);
    fs::write(
        &cp,
        format!("{note}{counsel_line}\n{counsel_line}\n{expert_line}\n"),
    )
    .unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");
    assert!(
        verdict
            .warnings
            .iter()
            .any(|(code, _)| code == "checkpoint-duplicate"),
        "{output}"
    );
    let o = scelle()
        .args(["-C", cc.case.to_str().unwrap(), "verify"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        text.matches("witness counsel has seen").count(),
        1,
        "{text}"
    );
    let (_, py) = verify_case_py(&[cc.case.as_os_str().to_owned()]);
    assert_eq!(py.matches("witness counsel has seen").count(), 1, "{py}");
}

/// The first hex word `tool` (`md5sum`, `sha1sum`, `sha256sum`) prints for `path`.
fn digest_of(tool: &str, path: &Path) -> String {
    require(tool, &["--version"]);
    let out = run_ok(Command::new(tool).arg("--").arg(path));
    stdout_text(&out)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The acquisition tool's source hashes (FORMAT.md 6.2), with md5sum, sha1sum and sha256sum as
/// the reference: a matching one is recorded `matches: true`; a mismatching one is recorded
/// all the same (exit 1, MISMATCH naming the exhibit and both values), and both verifiers warn
/// `source-hash` at that entry, with no error; a value that is not hex is refused.
#[test]
fn source_hashes_are_compared_recorded_and_mismatches_warned_by_both_verifiers() {
    let cc = CustodyCase::new(&[("expert", "expert")]); // entries 0-2, E-0001 and E-0002
    let key = cc.key("expert");
    fs::write(cc.art.join("image.dd"), "the disk image\n".repeat(1000)).unwrap();
    let image = cc.art.join("image.dd");
    let (md5, sha1, sha256) = (
        digest_of("md5sum", &image),
        digest_of("sha1sum", &image),
        digest_of("sha256sum", &image),
    );
    let other = |h: &str| h.replace(&h[..1], if h.starts_with('0') { "1" } else { "0" });

    // Entry 3: every source hash matches (given in upper case, as some tools print them).
    let out = cc.ok(&[
        "seal",
        "image.dd",
        "--key",
        &key,
        "--tool",
        "Guymager",
        "--tool-version",
        "0.8.13",
        "--source-md5",
        &md5.to_uppercase(),
        "--source-sha1",
        &sha1,
        "--source-sha256",
        &sha256,
    ]);
    let text = stdout_text(&out);
    assert!(!text.contains("MISMATCH"), "{text}");
    for (alg, h) in [("MD5", &md5), ("SHA-1", &sha1), ("SHA-256", &sha256)] {
        assert!(text.contains(&format!("source {alg} MATCH")), "{text}");
        assert!(text.contains(h.as_str()), "{text}");
    }
    let entry = &cc.entries()[3];
    let (acq, hashes) = (
        &entry["body"]["acquisition"],
        &entry["body"]["artifact"]["hashes"],
    );
    assert_eq!(acq["source_md5"], md5.as_str(), "{entry}");
    assert_eq!(acq["source_md5_matches"], true, "{entry}");
    assert_eq!(acq["source_sha1"], sha1.as_str(), "{entry}");
    assert_eq!(acq["source_sha1_matches"], true, "{entry}");
    assert_eq!(acq["source_hash_matches"], true, "{entry}");
    // Computed in the same pass to compare them, and recorded.
    assert_eq!(hashes["legacy_md5"], md5.as_str(), "{entry}");
    assert_eq!(hashes["legacy_sha1"], sha1.as_str(), "{entry}");

    // Entries 4, 5, 6: one mismatching digest each; exit 1, recorded all the same.
    for (n, flag, good, tool) in [
        (4, "--source-sha256", &sha256, "sha256"),
        (5, "--source-md5", &md5, "md5"),
        (6, "--source-sha1", &sha1, "sha1"),
    ] {
        let bad = other(good);
        let out = cc.run(&["seal", "image.dd", "--key", &key, flag, &bad]);
        let text = stdout_text(&out);
        assert_eq!(out.status.code(), Some(1), "{flag}: {text}");
        let exhibit = format!("E-{:04}", n);
        assert!(
            text.contains(&format!("MISMATCH for {exhibit}"))
                && text.contains(&bad)
                && text.contains(good.as_str()),
            "{flag}: {text}"
        );
        let entries = cc.entries();
        assert_eq!(entries.len(), n + 1, "{flag}: the entry is recorded");
        let acq = &entries[n]["body"]["acquisition"];
        let (source, matches) = match tool {
            "sha256" => ("source_sha256", "source_hash_matches"),
            "md5" => ("source_md5", "source_md5_matches"),
            _ => ("source_sha1", "source_sha1_matches"),
        };
        assert_eq!(acq[source], bad.as_str(), "{acq}");
        assert_eq!(acq[matches], false, "{acq}");
    }

    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(verdict.errors.is_empty(), "{output}");
    assert_eq!(
        verdict.warnings,
        BTreeSet::from([
            pair("source-hash", "entry 4"),
            pair("source-hash", "entry 5"),
            pair("source-hash", "entry 6"),
        ]),
        "{output}"
    );
    let text = stdout_text(&run_ok(scelle().arg("-C").arg(&cc.case).arg("verify")));
    assert!(
        text.contains("3 warnings") || text.contains("warnings: 3"),
        "{text}"
    );

    // Not hex, or the wrong length: refused, nothing recorded.
    for (flag, value) in [
        ("--source-sha256", &sha256[1..]),
        ("--source-md5", "zz"),
        ("--source-sha1", &format!("{}g", &sha1[1..])),
        ("--source-md5", sha1.as_str()),
    ] {
        cc.refused(&["seal", "image.dd", "--key", &key, flag, value]);
    }
    // A directory has no MD5 or SHA-1 of its own: refused.
    fs::create_dir(cc.art.join("dir")).unwrap();
    fs::write(cc.art.join("dir/f"), "f").unwrap();
    cc.refused(&["seal", "dir", "--key", &key, "--source-md5", &md5]);

    // `--json`: the comparison in the record printed, exit 1 all the same.
    let bad = other(&sha1);
    let out = cc.run(&[
        "seal",
        "image.dd",
        "--key",
        &key,
        "--json",
        "--source-sha1",
        &bad,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout_text(&out));
    let v: Value = serde_json::from_str(stdout_text(&out).trim()).unwrap();
    assert_eq!(v["exhibit"], "E-0007", "{v}");
    assert_eq!(
        v["source_hashes"],
        serde_json::json!([{"algorithm": "SHA-1", "source": bad, "sealed": sha1, "matches": false}]),
        "{v}"
    );
}

/// A source MD5 without the sealed MD5 to compare it with, or a `matches` flag that
/// contradicts the values: `body` at that entry, for both verifiers (FORMAT.md 6.4).
#[test]
fn both_verifiers_reject_a_source_hash_without_its_sealed_digest_or_a_false_flag() {
    let cc = CustodyCase::new(&[("expert", "expert")]);
    let pristine = fs::read(cc.ledger()).unwrap();
    let mut seal = cc.entries()[2]["body"].clone();
    seal["exhibit"] = "E-0003".into();
    let md5 = "0123456789abcdef0123456789abcdef";
    seal["acquisition"] = serde_json::json!({"source_md5": md5, "source_md5_matches": false});
    let seq = cc.append_signed(
        &cc.key("expert"),
        &cc.public("expert"),
        "seal",
        seal.clone(),
    );
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert!(
        verdict
            .errors
            .contains(&pair("body", &format!("entry {seq}"))),
        "{output}"
    );

    // With the sealed MD5 and a flag saying they match, which they do not.
    fs::write(cc.ledger(), &pristine).unwrap();
    seal["artifact"]["hashes"]["legacy_md5"] = "f".repeat(32).into();
    seal["artifact"]["hashes"]["legacy_sha1"] = "f".repeat(40).into();
    seal["acquisition"]["source_md5_matches"] = true.into();
    let seq = cc.append_signed(
        &cc.key("expert"),
        &cc.public("expert"),
        "seal",
        seal.clone(),
    );
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 1, "{output}");
    assert!(
        verdict
            .errors
            .contains(&pair("body", &format!("entry {seq}"))),
        "{output}"
    );

    // Control: the flag false is true to the values; a warning only.
    fs::write(cc.ledger(), &pristine).unwrap();
    seal["acquisition"]["source_md5_matches"] = false.into();
    let seq = cc.append_signed(&cc.key("expert"), &cc.public("expert"), "seal", seal);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    assert!(
        verdict
            .warnings
            .contains(&pair("source-hash", &format!("entry {seq}"))),
        "{output}"
    );
}

/// FORMAT.md 6.1: a key record's optional `full_name` (the holder's full name, accents
/// included) is a string. Both verifiers accept it and agree; both refuse another type as a
/// body error of that entry.
#[test]
fn both_verifiers_agree_on_a_key_records_full_name() {
    require_openssl();
    require_sha256sum();
    require_python3();
    let fx = Fixture::new();
    let pristine = fx.lines();
    for (value, valid) in [("\"Jean-Marc Dupré\"", true), ("7", false)] {
        let mut lines = pristine.clone();
        lines[0] = lines[0].replacen(
            "\"admin\":{",
            &format!("\"admin\":{{\"full_name\":{value},"),
            1,
        );
        assert_ne!(lines[0], pristine[0]);
        re_sign(&fx, &mut lines, 0);
        let (verdict, output) = both_verdicts(&fx.case);
        if valid {
            assert_eq!(verdict.exit, 0, "{output}");
            assert!(verdict.errors.is_empty(), "{output}");
        } else {
            assert_ne!(verdict.exit, 0, "{output}");
            assert!(
                verdict.errors.contains(&pair("body", "entry 0")),
                "{output}"
            );
        }
    }
}

/// `tsa.add` (FORMAT.md 6.10) and the timestamp file names of `checkpoints/` (8.2, 8.6): both
/// verifiers accept a valid TSA, refuse a second one of the same name and one signed by
/// another than the administrator (`custody`) and every value-rule breach (`body`), and agree
/// on which files at timestamp names are strays.
#[test]
fn both_verifiers_agree_on_tsa_add_and_timestamp_file_names() {
    let cc = CustodyCase::new(&[("expert", "expert"), ("counsel", "counsel")]);
    let (admin, admin_pub) = (cc.key("expert"), cc.public("expert"));
    // One DER SEQUENCE (the outer shape of a certificate; FORMAT.md 6.10).
    let ca = scelle::format::encoding::b64(&[0x30, 0x03, 0x02, 0x01, 0x01]);
    let tsa =
        |name: &str, url: &str, ca: Value| serde_json::json!({"name": name, "url": url, "ca": ca});
    let n = cc.append_signed(
        &admin,
        &admin_pub,
        "tsa.add",
        tsa("tsa1", "https://tsa.example/tsr", serde_json::json!([ca])),
    );
    let (verdict, output) = both_verdicts(&cc.case);
    assert!(verdict.errors.is_empty(), "{output}");
    let good = cc.lines();
    let entry = format!("entry {}", n + 1);
    let long = "a".repeat(33);
    let refused: Vec<(&str, &str, Value, &str)> = vec![
        ("expert", "tsa1", serde_json::json!([ca]), "custody"),
        ("counsel", "tsa2", serde_json::json!([ca]), "custody"),
        ("expert", "TSA2", serde_json::json!([ca]), "body"),
        ("expert", "-tsa2", serde_json::json!([ca]), "body"),
        ("expert", &long, serde_json::json!([ca]), "body"),
        ("expert", "tsa2", serde_json::json!([]), "body"),
        (
            "expert",
            "tsa2",
            serde_json::json!(vec![ca.clone(); 17]),
            "body",
        ),
        ("expert", "tsa2", serde_json::json!(["MAMCAQE"]), "body"),
        (
            "expert",
            "tsa2",
            serde_json::json!([scelle::format::encoding::b64(&[0x31, 0x00])]),
            "body",
        ),
        (
            "expert",
            "tsa2",
            serde_json::json!([scelle::format::encoding::b64(&[0x30, 0x81, 0x01, 0x00])]),
            "body",
        ),
    ];
    for (signer, name, ca_value, code) in refused {
        cc.append_signed(
            &cc.key(signer),
            &cc.public(signer),
            "tsa.add",
            tsa(name, "https://tsa.example/tsr", ca_value.clone()),
        );
        let (verdict, output) = both_verdicts(&cc.case);
        assert!(
            verdict.errors.contains(&pair(code, &entry)),
            "{signer} {name} {ca_value}: {output}"
        );
        cc_write_lines(&cc, &good);
    }
    for url in ["ftp://x", "http://", "https:///x", "http://a b", "HTTP://x"] {
        cc.append_signed(
            &admin,
            &admin_pub,
            "tsa.add",
            tsa("tsa2", url, serde_json::json!([ca])),
        );
        let (verdict, output) = both_verdicts(&cc.case);
        assert!(
            verdict.errors.contains(&pair("body", &entry)),
            "{url}: {output}"
        );
        cc_write_lines(&cc, &good);
    }
    // Timestamp names: regular files are part of the directory; a link, a FIFO or another
    // name is a stray.
    let dir = cc.case.join("checkpoints");
    fs::write(dir.join("000000000003.tsa1.tsr"), b"x").unwrap();
    fs::write(dir.join("000000000003.tsa1.tsq"), b"x").unwrap();
    fs::write(dir.join("000000000003.TSA1.tsr"), b"x").unwrap();
    fs::write(dir.join("000000000003.tsa1.tsr.tmp"), b"x").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("000000000003.x.tsr")).unwrap();
    let (verdict, output) = both_verdicts(&cc.case);
    for stray in [
        "000000000003.TSA1.tsr",
        "000000000003.tsa1.tsr.tmp",
        "000000000003.x.tsr",
    ] {
        assert!(
            verdict
                .warnings
                .contains(&pair("checkpoint-stray", &format!("checkpoints/{stray}"))),
            "{stray}: {output}"
        );
    }
    for part in ["tsr", "tsq"] {
        assert!(
            !output.contains(&format!(
                "[checkpoint-stray] checkpoints/000000000003.tsa1.{part}:"
            )),
            "a regular file at a timestamp name is not a stray: {output}"
        );
    }
    // It is checked as a timestamp (8.6), and "x" is no RFC 3161 response; the link at
    // another TSA's name is a stray only, never read as a token.
    assert!(
        verdict.errors.contains(&pair(
            "timestamp-format",
            "checkpoints/000000000003.tsa1.tsr"
        )),
        "{output}"
    );
    assert!(!output.contains("timestamp-unknown-tsa"), "{output}");
}

fn cc_write_lines(cc: &CustodyCase, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(cc.ledger(), text).unwrap();
}

/// FORMAT.md 6.2, zip members: a sealed zip passes both verifiers; a signed seal whose zip
/// members break the zip rules (a dir without its `/`, a `..` component, an `other` member,
/// two members of one path, a `compression`) is a `body` error at that entry for both, while
/// the same members as a tar's are valid.
#[test]
fn both_verifiers_apply_the_zip_member_rules() {
    require_python3();
    let cc = CustodyCase::new(&[("expert", "expert")]);
    let src = cc.art.join("src");
    fs::create_dir_all(src.join("d/e")).unwrap();
    fs::write(src.join("d/e/f.txt"), "in a zip\n").unwrap();
    fs::write(src.join("g.txt"), "top\n").unwrap();
    run_ok(
        Command::new("zip")
            .args(["-q", "-r", "../x.zip", "."])
            .current_dir(&src),
    );
    cc.ok(&["seal", "x.zip", "--key", &cc.key("expert")]);
    let (verdict, output) = both_verdicts(&cc.case);
    assert_eq!(verdict.exit, 0, "{output}");
    let pristine = fs::read(cc.ledger()).unwrap();
    let entries = cc.entries();
    let mut seal = entries.last().unwrap()["body"].clone();
    assert_eq!(seal["artifact"]["kind"], "zip");
    seal["exhibit"] = format!("E-{:04}", entries.len()).into();
    let dir_at = seal["artifact"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["type"] == "dir")
        .unwrap();
    type Mutation<'a> = Box<dyn Fn(&mut Value) + 'a>;
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "dir without /",
            Box::new(|a| a["members"][dir_at]["path"] = "d".into()),
        ),
        (
            "dotdot",
            Box::new(|a| a["members"][dir_at]["path"] = "d/../".into()),
        ),
        (
            "other",
            Box::new(|a| a["members"][dir_at]["type"] = "other".into()),
        ),
        (
            "two of one path",
            Box::new(|a| {
                let m = a["members"][dir_at].clone();
                a["members"].as_array_mut().unwrap().push(m);
            }),
        ),
        (
            "compression",
            Box::new(|a| a["compression"] = "gzip".into()),
        ),
    ];
    for (what, mutate) in &mutations {
        for kind in ["zip", "tar"] {
            fs::write(cc.ledger(), &pristine).unwrap();
            let mut body = seal.clone();
            body["artifact"]["kind"] = kind.into();
            mutate(&mut body["artifact"]);
            let seq = cc.append_signed(&cc.key("expert"), &cc.public("expert"), "seal", body);
            let (verdict, output) = both_verdicts(&cc.case);
            let body_error = verdict
                .errors
                .contains(&pair("body", &format!("entry {seq}")));
            if kind == "zip" {
                assert!(body_error, "{what} in a zip: {output}");
            } else {
                assert!(
                    !body_error && verdict.exit == 0,
                    "{what} in a tar: {output}"
                );
            }
        }
    }
}
