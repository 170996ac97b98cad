//! A test PKI for RFC 3161 tokens, made with the openssl CLI: a CA, TSA certificates under it
//! (RSA or ECDSA P-256 keys; critical, non-critical or no timeStamping EKU; chosen validity
//! dates), and tokens made by `openssl ts -query` / `openssl ts -reply` (OpenSSL's own TSA).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs openssl with `args` in `dir`; panics with its stderr if it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether `openssl` exits 0, and its stdout + stderr.
pub fn openssl_ok(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The key type of a certificate made here.
#[derive(Clone, Copy, Debug)]
pub enum KeyType {
    /// RSA 2048.
    Rsa,
    /// ECDSA P-256.
    P256,
}

/// The timeStamping EKU a TSA certificate gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eku {
    /// extendedKeyUsage = critical, timeStamping (RFC 3161 §2.3).
    Critical,
    /// extendedKeyUsage = timeStamping, not critical.
    NonCritical,
    /// No extendedKeyUsage.
    None,
}

const EXT: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_sub]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_sub_tls]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_critical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_noncritical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_none]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca]
default_ca = testca
[testca]
database = index.txt
new_certs_dir = .
serial = ca.srl
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
copy_extensions = none
[anything]
commonName = supplied
";

/// A directory with a CA (`NAME.pem`, `NAME.key`).
pub struct Pki {
    /// Where every file is.
    pub dir: PathBuf,
}

fn keygen(dir: &Path, key: &str, kind: KeyType) {
    match kind {
        KeyType::Rsa => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                key,
            ],
        ),
        KeyType::P256 => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                key,
            ],
        ),
    };
}

impl Pki {
    /// A PKI in `dir` (created).
    pub fn new(dir: &Path) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("ext.cnf"), EXT).unwrap();
        Pki {
            dir: dir.to_path_buf(),
        }
    }

    /// A self-signed CA `name` (ECDSA P-256), 10 years from now.
    pub fn ca(&self, name: &str) {
        let key = format!("{name}.key");
        keygen(&self.dir, &key, KeyType::P256);
        openssl(
            &self.dir,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                &key,
                "-subj",
                &format!("/CN={name}"),
                "-days",
                "3650",
                "-config",
                "ext.cnf",
                "-extensions",
                "v3_ca",
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }

    /// A key `name.key` of `kind` and a certificate request `name.csr` for `/CN=name`; the
    /// request's file name.
    fn csr(&self, name: &str, kind: KeyType) -> String {
        let key = format!("{name}.key");
        keygen(&self.dir, &key, kind);
        let csr = format!("{name}.csr");
        openssl(
            &self.dir,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-subj",
                &format!("/CN={name}"),
                "-config",
                "ext.cnf",
                "-out",
                &csr,
            ],
        );
        csr
    }

    /// An intermediate CA `name` (ECDSA P-256) issued by CA `parent`, 5 years from now:
    /// without an extendedKeyUsage, or (`tls_only`) with one that allows serverAuth alone.
    pub fn sub_ca(&self, name: &str, parent: &str, tls_only: bool) {
        let csr = self.csr(name, KeyType::P256);
        let (cert, cakey, out) = (
            format!("{parent}.pem"),
            format!("{parent}.key"),
            format!("{name}.pem"),
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &cert,
                "-CAkey",
                &cakey,
                "-set_serial",
                "4096",
                "-days",
                "1825",
                "-extfile",
                "ext.cnf",
                "-extensions",
                if tls_only { "v3_sub_tls" } else { "v3_sub" },
                "-out",
                &out,
            ],
        );
    }

    /// A TSA certificate `name` issued by CA `ca`, with a key of `kind`, the EKU `eku`, valid
    /// from `start` to `end` (`YYYYMMDDHHMMSSZ`; `None`: now to 5 years from now).
    pub fn tsa(&self, name: &str, ca: &str, kind: KeyType, eku: Eku, dates: Option<(&str, &str)>) {
        let csr = self.csr(name, kind);
        std::fs::write(self.dir.join("index.txt"), "").unwrap();
        if !self.dir.join("ca.srl").exists() {
            std::fs::write(self.dir.join("ca.srl"), "1000\n").unwrap();
        }
        let ext = match eku {
            Eku::Critical => "tsa_critical",
            Eku::NonCritical => "tsa_noncritical",
            Eku::None => "tsa_none",
        };
        let (cert, cakey, out) = (
            format!("{ca}.pem"),
            format!("{ca}.key"),
            format!("{name}.pem"),
        );
        let mut args = vec![
            "ca",
            "-batch",
            "-config",
            "ext.cnf",
            "-cert",
            &cert,
            "-keyfile",
            &cakey,
            "-in",
            &csr,
            "-out",
            &out,
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-notext",
        ];
        match dates {
            Some((start, end)) => args.extend(["-startdate", start, "-enddate", end]),
            None => args.extend(["-days", "1825"]),
        }
        openssl(&self.dir, &args);
        let cfg = format!(
            "[tsa]\ndefault_tsa = t\n[t]\nserial = {name}.serial\ncrypto_device = builtin\n\
             signer_cert = {name}.pem\ncerts = {ca}.pem\nsigner_key = {name}.key\n\
             signer_digest = sha256\ndefault_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.5\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1, millisecs:500, microsecs:100\n\
             clock_precision_digits = 0\nordering = no\ntsa_name = no\ness_cert_id_chain = no\n\
             ess_cert_id_alg = sha256\n"
        );
        std::fs::write(self.dir.join(format!("{name}.tsa.cnf")), cfg).unwrap();
        std::fs::write(self.dir.join(format!("{name}.serial")), "01\n").unwrap();
    }

    /// The DER of certificate `name` (`NAME.pem`).
    pub fn der(&self, name: &str) -> Vec<u8> {
        openssl(
            &self.dir,
            &["x509", "-in", &format!("{name}.pem"), "-outform", "DER"],
        )
    }

    /// A request (`out.tsq`) for SHA-256 of `data`, with a nonce; then the reply of TSA
    /// `tsa` (`out.tsr`). Returns (request DER, response DER).
    pub fn stamp(&self, tsa: &str, data: &[u8], out: &str) -> (Vec<u8>, Vec<u8>) {
        use sha2::Digest;
        let digest = scelle::format::encoding::hex(&sha2::Sha256::digest(data));
        let tsq = format!("{out}.tsq");
        let tsr = format!("{out}.tsr");
        openssl(
            &self.dir,
            &[
                "ts", "-query", "-digest", &digest, "-sha256", "-cert", "-out", &tsq,
            ],
        );
        openssl(
            &self.dir,
            &[
                "ts",
                "-reply",
                "-config",
                &format!("{tsa}.tsa.cnf"),
                "-queryfile",
                &tsq,
                "-out",
                &tsr,
            ],
        );
        (
            std::fs::read(self.dir.join(&tsq)).unwrap(),
            std::fs::read(self.dir.join(&tsr)).unwrap(),
        )
    }

    /// `openssl ts -verify -queryfile OUT.tsq -in OUT.tsr -CAfile CA.pem` (at genTime with
    /// `-attime` when `at` is given): whether it verifies, and what it printed.
    pub fn openssl_verify(&self, out: &str, ca: &str, at: Option<i64>) -> (bool, String) {
        let tsq = format!("{out}.tsq");
        let tsr = format!("{out}.tsr");
        let cafile = format!("{ca}.pem");
        let at = at.map(|t| t.to_string());
        let mut args = vec![
            "ts",
            "-verify",
            "-queryfile",
            &tsq,
            "-in",
            &tsr,
            "-CAfile",
            &cafile,
        ];
        if let Some(t) = &at {
            args.extend(["-attime", t]);
        }
        openssl_ok(&self.dir, &args)
    }
}
