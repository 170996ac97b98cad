//! The bodies of the fuzz targets, one function per parser of outside input. The cargo-fuzz
//! binaries (`fuzz/fuzz_targets/*.rs`) and the stable replay test (`tests/fuzz_corpus.rs`)
//! both include this file, so the replay runs exactly the code that was fuzzed. Each function
//! takes any bytes and must not panic; the few `assert!`s state properties every parsed input
//! must have (a canonical line writes back to itself, a parsed note re-parses to itself, the
//! streaming tar reader agrees with the `tar` crate, an unsigned bag is never OK), so a broken
//! property is a crash too.
#![allow(dead_code)]

use scelle::format::{body::Body, canonical, chain::ChainState, cosign, entry::Entry};
use scelle::format::{entry::TypedLine, ValueError};
use scelle::format::{iocmatch, keys, note, stix, validate};
use scelle::report::{self, data::LedgerData, DocumentKind, ReportRequest, TemplateSource};
use scelle::store::case::CaseDir;
use scelle::store::hashing::HashSelection;
use scelle::store::{keyfile, safeextract, tarcrate, tarstream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The target names, which are also the corpus directories `fuzz/corpus/<name>/`.
pub const TARGETS: [&str; 9] = [
    "ledger_line",
    "ledger_index",
    "checkpoint",
    "key_files",
    "stix_bundle",
    "tar_import",
    "report_input",
    "ewf_image",
    "zip_archive",
];

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "ledger_line" => ledger_line(data),
        "ledger_index" => ledger_index(data),
        "checkpoint" => checkpoint(data),
        "key_files" => key_files(data),
        "stix_bundle" => stix_bundle(data),
        "tar_import" => tar_import(data),
        "report_input" => report_input(data),
        "ewf_image" => ewf_image(data),
        "zip_archive" => zip_archive(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// `fuzz/`, whether this file is compiled in the fuzz crate or in the main crate's tests.
pub fn fuzz_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("targets.rs").is_file() {
        manifest.to_path_buf()
    } else {
        manifest.join("fuzz")
    }
}

/// The demo case (ledger, checkpoints, enrolled keys; no artifacts), committed under
/// `fuzz/fixtures/case`, copied to a temporary directory so that nothing is written in the tree.
fn fixture_case() -> (tempfile::TempDir, CaseDir) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("fixture copy");
        for e in std::fs::read_dir(from).expect("fixture case") {
            let e = e.expect("fixture case");
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if src.is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).expect("fixture copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("case");
    copy(&fuzz_dir().join("fixtures/case"), &root);
    let case = CaseDir::open(&root).expect("fixture case opens");
    (dir, case)
}

/// The chain state after the fixture case's ledger: its enrolled keys check signatures.
fn fixture_state() -> &'static ChainState {
    static STATE: OnceLock<ChainState> = OnceLock::new();
    STATE.get_or_init(|| {
        let ledger =
            std::fs::read(fuzz_dir().join("fixtures/case/ledger.jsonl")).expect("fixture ledger");
        let mut state = ChainState::new();
        for line in ledger
            .strip_suffix(b"\n")
            .unwrap_or(&ledger)
            .split(|&b| b == b'\n')
        {
            let _ = state.apply(line);
        }
        state
    })
}

/// What a report is built from: the fixture case, gathered once.
fn fixture_data() -> &'static LedgerData {
    static DATA: OnceLock<LedgerData> = OnceLock::new();
    DATA.get_or_init(|| {
        let (_dir, case) = fixture_case();
        report::data::gather(&case).expect("fixture case gathers")
    })
}

/// The demo expert's public key (`keys/demo/expert.pub`).
fn demo_key() -> &'static ed25519_dalek::VerifyingKey {
    static KEY: OnceLock<ed25519_dalek::VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let path = fuzz_dir().join("../keys/demo/expert.pub");
        keyfile::load_public_key(&path).expect("demo key").public
    })
}

/// Ledger lines: canonical JSON, the entry envelope, typed bodies and their value rules, and
/// the chain rules over the input taken as a whole ledger (one line per `\n`).
pub fn ledger_line(data: &[u8]) {
    if let Ok(value) = canonical::parse_canonical(data) {
        let again = canonical::to_canonical(&value).expect("a parsed canonical value writes");
        assert_eq!(again, data, "canonical JSON writes back to its own bytes");
    }
    if let Ok(entry) = Entry::parse_line(data) {
        assert_eq!(
            entry.line().expect("a parsed entry writes"),
            data,
            "an entry writes back to its line"
        );
        let _ = entry.signature_valid(demo_key());
        if let Ok(body) = Body::parse(&entry.kind, &entry.body) {
            let _ = validate::validate(&body, &entry.body);
            let _ = body.exhibits();
            let _ = scelle::format::chain::body_kind(&body);
        }
    }
    // The typed path takes exactly the lines the Value path parses with a body that is its
    // own representation, to the same body and signed bytes.
    let by_value = Entry::parse_line(data).ok().and_then(|e| {
        let body = Body::parse(&e.kind, &e.body).ok()?;
        let own = !matches!(
            validate::validate(&body, &e.body),
            Err(ValueError::NotRepresentation)
        );
        own.then(|| (body, e.signed_bytes()))
    });
    let signed = |t: TypedLine| {
        let (before, after) = t.signed_parts(data);
        (t.body, [before, after].concat())
    };
    assert_eq!(
        TypedLine::parse(data).map(signed),
        by_value,
        "typed and Value parsing agree"
    );
    // Members left in the line: the same answer.
    assert_eq!(
        TypedLine::parse_shared(&std::sync::Arc::new(data.to_vec())).map(signed),
        by_value,
        "typed parsing with members in the line agrees"
    );
    let mut fresh = ChainState::new();
    let mut after_fixture = fixture_state().clone();
    for line in data.split(|&b| b == b'\n') {
        for f in fresh.apply(line).findings {
            let _ = f.describe();
        }
        let _ = after_fixture.apply(line);
    }
}

/// Signed notes and checkpoints: the note structure, the checkpoint text, verifier keys, and
/// every signature line checked (as signature and as cosignature) against the fixture case's
/// keys.
pub fn checkpoint(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = note::parse_verifier_key(&text);
    for line in text.lines() {
        let _ = note::parse_verifier_key(line);
    }
    let _ = note::Checkpoint::parse_text(&text);
    let Ok(parsed) = note::Note::parse(&text) else {
        return;
    };
    if let Ok(cp) = note::Checkpoint::parse_text(&parsed.text) {
        assert_eq!(
            note::Checkpoint::parse_text(&cp.text()).as_ref(),
            Ok(&cp),
            "a checkpoint re-parses to itself"
        );
    }
    let size = note::Checkpoint::parse_text(&parsed.text).map_or(1, |cp| cp.size);
    let check = cosign::check_note(fixture_state(), &parsed, size, 0);
    let _ = (
        check.signed_by,
        check.cosigned_by,
        check.invalid,
        check.misplaced,
        check.future,
        check.unknown,
    );
    for sig in &parsed.signatures {
        let _ = sig.verifies(&parsed.text, &sig.name, demo_key());
        let _ = cosign::verify_cosignature(sig, &parsed.text, demo_key());
    }
    assert_eq!(
        note::Note::parse(&parsed.encode()).as_ref(),
        Ok(&parsed),
        "a note re-parses to itself"
    );
}

/// The passphrase of the key files in `fuzz/corpus/key_files/`.
pub const FUZZ_PASSPHRASE: &str = "fuzz passphrase";
/// The most PBKDF2 iterations (scrypt: `N × r × p`) a fuzzed key file may ask for: real key
/// files ask for 600,000, which would take the fuzzer half a second an input. The seeds use
/// 1,000 (and scrypt N = 1024, r = 8, p = 1), so mutations of them are tried in full.
pub const FUZZ_MAX_KDF_WORK: u64 = 10_000;

/// Key files: public key PEM and preamble, and encrypted PKCS#8 private keys, decrypted with
/// the right passphrase, a wrong one and an empty one, through the loaders' own code.
pub fn key_files(data: &[u8]) {
    let path = Path::new("fuzz.key");
    if let Ok(k) = keyfile::public_key_from_bytes(data, path) {
        let pem = keys::public_key_pem(&k.public, &k.name, k.role.as_deref());
        assert_eq!(
            keys::parse_public_pem(&pem),
            Ok(k.public),
            "public key round trip"
        );
    }
    let right = secrecy::SecretString::from(FUZZ_PASSPHRASE);
    let wrong = secrecy::SecretString::from("not the passphrase");
    let loaded = keyfile::signing_key_from_bytes(data, &right, path, FUZZ_MAX_KDF_WORK);
    let _ = keyfile::signing_key_from_bytes(data, &wrong, path, FUZZ_MAX_KDF_WORK);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keys::parse_public_pem(text);
        let _ = keys::read_preamble(text);
        let _ = keys::decrypt_private_key_within(text, b"", FUZZ_MAX_KDF_WORK);
    }
    if let Ok(k) = loaded {
        let pem = keys::encrypt_private_key(&k.signing, b"again", 1, &k.name, k.role.as_deref())
            .expect("a loaded key encrypts");
        let back = keys::decrypt_private_key(&pem, b"again").expect("and decrypts");
        assert_eq!(
            back.to_bytes(),
            k.signing.to_bytes(),
            "private key round trip"
        );
    }
}

/// STIX bundles: the bundle reader, then the indicators compiled into the matcher and run on
/// the paths, digests and contents they describe (the bundle's own bytes, in pieces).
pub fn stix_bundle(data: &[u8]) {
    let Ok(bundle) = stix::parse_bundle(data) else {
        return;
    };
    let _ = stix::skipped_by_reason(&bundle.skipped, 3);
    let matcher = iocmatch::Matcher::new(&[bundle.clone(), bundle]);
    let _ = (matcher.needs_legacy_digests(), matcher.searches_content());
    for (_, ind) in &matcher.indicators {
        let _ = matcher.path_hits(&ind.value);
        let _ = matcher.path_hits(&format!("./{}/x", ind.value));
        let _ = matcher.digest_hits(&[ind.value.as_str()]);
    }
    for piece in [1, 7, 4096] {
        let mut scan = matcher.content();
        for chunk in data.chunks(piece) {
            scan.update(chunk);
        }
        for hit in scan.finish() {
            assert!(
                hit.indicator < matcher.indicators.len(),
                "hit names an indicator"
            );
        }
        if data.len() > 4096 {
            break;
        }
    }
    let _ = iocmatch::printable(data);
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, std::fs::FileType)>) {
    for e in std::fs::read_dir(dir).expect("read the extraction sandbox") {
        let e = e.expect("read the extraction sandbox");
        let t = e.file_type().expect("file type");
        out.push((e.path(), t));
        if t.is_dir() {
            walk(&e.path(), out);
        }
    }
}

/// Tar archives: the streaming reader (lent whole and in 7-byte pieces) against the `tar`
/// crate path on what it accepts, and the safe extractor into a fresh directory three levels down a sandbox,
/// after which the sandbox must hold nothing but the extracted tree (or nothing on failure).
pub fn tar_import(data: &[u8]) {
    let sel = HashSelection {
        sha512: true,
        legacy: true,
    };
    let whole = tarstream::hash_members(&mut &data[..], sel);
    let pieces = tarstream::hash_members(&mut std::io::BufReader::with_capacity(7, data), sel);
    assert_eq!(
        whole, pieces,
        "the streaming reader ignores how the bytes are lent"
    );
    // Whatever the streaming reader accepts, the tar crate reads alike (archives that readers
    // would read differently are refused), but for a regular member named with a trailing
    // '/' (a directory for GNU tar) and the link field of a non-link member.
    if let Ok(ours) = &whole {
        let by_crate: Vec<_> = tarcrate::hash_members(data, sel)
            .expect("the tar crate reads what the streaming reader accepts")
            .into_iter()
            .map(|mut x| {
                if x.kind != "symlink" && x.kind != "hardlink" {
                    x.link = None;
                }
                if x.kind == "file" && x.path.ends_with('/') {
                    x.kind = "dir".into();
                    (x.size, x.hashes) = (None, None);
                }
                x
            })
            .collect();
        // A GNU dumpdir ('D') is a directory for GNU tar, "other" for the tar crate.
        assert_eq!(
            by_crate.len(),
            ours.len(),
            "as many members as the tar crate"
        );
        let by_crate: Vec<_> = by_crate
            .into_iter()
            .zip(ours)
            .map(|(mut x, o)| {
                if o.kind == "dir" && x.kind == "other" {
                    x.kind = "dir".into();
                }
                x
            })
            .collect();
        assert_eq!(ours, &by_crate, "same members as the tar crate");
    }

    let sandbox = tempfile::tempdir().expect("temporary directory");
    let parent = sandbox.path().join("a/b/c");
    std::fs::create_dir_all(&parent).expect("sandbox");
    let target = parent.join("out");
    let result = safeextract::extract(data, &target, &safeextract::Limits::default());
    let mut found = Vec::new();
    walk(sandbox.path(), &mut found);
    for (path, t) in &found {
        let rel = path
            .strip_prefix(sandbox.path())
            .expect("inside the sandbox");
        let ours = [Path::new("a"), Path::new("a/b"), Path::new("a/b/c")].contains(&rel);
        assert!(
            ours || (result.is_ok() && path.starts_with(&target)),
            "extraction left {} ({result:?})",
            rel.display()
        );
        assert!(
            t.is_dir() || t.is_file(),
            "{} is neither file nor directory",
            rel.display()
        );
    }
    if let Ok(x) = result {
        for f in &x.files {
            let meta = std::fs::symlink_metadata(target.join(&f.path)).expect("extracted file");
            assert!(meta.is_file(), "{} is a file", f.path.display());
        }
        // What was extracted, read as an evidence bundle: bagit.txt, bag-info.txt, both
        // manifests, the bag's signature and signer key, carried reports, proofs and the case
        // are all hostile input here. A bag without a valid signature by a key of its own
        // ledger is never OK.
        if let Ok(report) = scelle::case::bundle::check_bag(&target) {
            assert!(
                !report.ok() || target.join("tagmanifest-sha256.txt.sig").is_file(),
                "an unsigned bag is never OK"
            );
        }
    }
}

/// The expert's report input (TOML), built into every document of the fixture case (the
/// document and language chosen from the input's length), and the report markup parser on
/// the same text.
pub fn report_input(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = report::markup::parse(&text);
    let _ = report::markup::runs(&text);
    let Ok(input) = report::parse_input(&text, "fuzz.toml") else {
        return;
    };
    let req = ReportRequest {
        kind: DocumentKind::ALL[data.len() % 4],
        lang: scelle::format::lang::Lang::ALL
            [data.len() / 4 % scelle::format::lang::Lang::ALL.len()],
        jurisdiction: None,
        exhibits: Vec::new(),
        input: Some(input),
        templates: TemplateSource { dir: None },
        correlate: Vec::new(),
    };
    let _ = report::build(fixture_data(), &req);
}

/// A fixed key that is not the fixture case's: a writer holding it must never trust an index
/// it did not sign.
fn fuzz_key() -> &'static keyfile::LoadedKey {
    static KEY: OnceLock<keyfile::LoadedKey> = OnceLock::new();
    KEY.get_or_init(|| keyfile::LoadedKey {
        signing: ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]),
        name: "fuzz".into(),
        role: None,
        path: PathBuf::from("fuzz.key"),
    })
}

/// The fixture case's state rebuilt from its ledger.
fn rebuilt_fixture() -> &'static ChainState {
    static STATE: OnceLock<ChainState> = OnceLock::new();
    STATE.get_or_init(|| {
        let (_dir, case) = fixture_case();
        scelle::store::ledger::rebuild_state(&case).expect("the fixture ledger rebuilds")
    })
}

/// `ledger.index` is hostile input (FORMAT.md section 10): whatever it holds, reading it
/// must not panic, and the state a writer takes as authenticated ([`trusted_state`]) is the
/// one the ledger itself gives.
///
/// [`trusted_state`]: scelle::store::ledger::trusted_state
pub fn ledger_index(data: &[u8]) {
    let (_dir, case) = fixture_case();
    std::fs::write(case.index(), data).expect("index written");
    let _ = scelle::store::ledger::current_state(&case);
    let trusted = scelle::store::ledger::trusted_state(&case, fuzz_key())
        .expect("the fixture ledger gives a state");
    let rebuilt = rebuilt_fixture();
    assert_eq!(trusted.size, rebuilt.size, "size from the ledger");
    assert_eq!(
        trusted.frontier.root(),
        rebuilt.frontier.root(),
        "root from the ledger"
    );
    assert_eq!(trusted.keys, rebuilt.keys, "keys from the ledger");
    assert_eq!(trusted.custody, rebuilt.custody, "custody from the ledger");
    assert_eq!(trusted.case, rebuilt.case, "case from entry 0");
}

/// An EWF (E01) image of one segment, read as `seal` reads it: refused or read, never a panic,
/// and what is read is consistent (the media's MD5 and SHA-1 computed, a match flag exactly
/// where a digest is stored, bad chunks counted as listed).
pub fn ewf_image(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("image.E01");
    std::fs::write(&path, data).expect("the image written");
    let sel = HashSelection {
        sha512: false,
        legacy: true,
    };
    let mut seen = 0u64;
    let read =
        scelle::store::ewf::read_ewf(&path, sel, &scelle::store::hashing::no_progress, &mut |b| {
            seen += b.len() as u64
        });
    if let Ok(e) = read {
        assert_eq!(seen, e.media_size, "every media byte shown once");
        assert_eq!(e.image.md5.matches.is_some(), e.image.md5.stored.is_some());
        assert!(e.image.bad_chunks.len() as u64 <= e.image.bad_chunk_count);
        assert_eq!(e.members.len(), 1);
    }
}

/// Zip archives: the central directory read and checked (names sorted on disk), then the
/// members read in step with it, inflated and hashed. An archive accepted has members whose
/// paths all differ and obey the value rules, and the bytes of its regular members are shown
/// exactly once.
pub fn zip_archive(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("archive.zip");
    std::fs::write(&path, data).expect("the archive written");
    let sel = HashSelection::default();
    let mut shown = Shown::default();
    let read = scelle::store::ziphash::inspect_zip(
        &path,
        sel,
        &scelle::store::hashing::no_progress,
        &mut shown,
    );
    if let Ok(z) = read {
        assert_eq!(z.size, data.len() as u64);
        let mut rules = validate::MemberRules::new("zip");
        let mut files = 0u64;
        for m in &z.members {
            rules
                .add(m)
                .expect("an accepted zip's members obey the value rules");
            if m.kind == "file" {
                files += 1;
                assert!(m.hashes.as_ref().is_some_and(|h| !h.sha256.is_empty()));
            }
        }
        rules.totals().expect("no two members of one path");
        assert_eq!(shown.ended, files, "every file shown once");
        assert_eq!(
            shown.bytes,
            z.members.iter().filter_map(|m| m.size).sum::<u64>()
        );
    }
}

/// Counts what an archive reader shows of its members.
#[derive(Default)]
struct Shown {
    bytes: u64,
    ended: u64,
}

impl scelle::store::hashing::MemberInspector for Shown {
    fn begin(&mut self, _: usize, _: &str) {}
    fn update(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
    }
    fn end(&mut self, _: u64, _: &scelle::format::body::Hashes) {
        self.ended += 1;
    }
    fn reset(&mut self) {
        *self = Shown::default();
    }
}
