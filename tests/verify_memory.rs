//! The memory `verify` takes on a case of several seals listing many members (a lab's case of
//! several full-file-system extractions), counted by the allocator (no timing): it must not
//! grow with the number of such seals. Verify keeps a large seal as its place in the ledger
//! (case/keptseal.rs), reads lines ahead within a byte budget, and lets no worker parse a large
//! line at the same time as the chain does (case/presign.rs) — issue 20.
//!
//! One test in this binary: the allocator's counters are global.

use scelle::format::body::{
    Artifact, Body, CaseInfo, CaseOpen, Hashes, KeyRecord, Member, Seal, Software,
};
use scelle::format::encoding::{b64, hex};
use scelle::format::keys::key_id;
use scelle::format::validate::manifest_sha256;
use scelle::store::case::CaseDir;
use scelle::ChainState;

#[path = "common/counting.rs"]
mod counting;
use counting::{line, peak_of, TIME};

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

fn open_body(key: &ed25519_dalek::SigningKey) -> Body {
    Body::CaseOpen(Box::new(CaseOpen {
        case: CaseInfo {
            case_id: "V-1".into(),
            title: "verify memory".into(),
            court: None,
            jurisdiction: Some("fr".into()),
            lang: None,
            timezone: None,
            origin: "scelle.case/V-1/0123456789abcdef".into(),
            created: TIME.into(),
        },
        admin: KeyRecord {
            id: key_id(&key.verifying_key()),
            name: "admin".into(),
            role: Some("expert".into()),
            public_key: b64(key.verifying_key().as_bytes()),
            full_name: None,
        },
    }))
}

fn seal_body(exhibit: u64, n: usize) -> Body {
    let members: Vec<Member> = (0..n)
        .map(|i| Member {
            path: format!("private/var/mobile/d{:03}/f{i:06}.db", i % 500),
            kind: "file".into(),
            size: Some(3),
            hashes: Some(Hashes {
                sha256: hex(&(i as u64 ^ exhibit << 32).to_be_bytes()).repeat(4),
                ..Hashes::default()
            }),
            link: None,
            mtime: Some(0),
        })
        .collect();
    Body::Seal(Box::new(Seal {
        exhibit: format!("E-{exhibit:04}"),
        seal_no: None,
        description: None,
        item: None,
        acquisition: None,
        artifact: Artifact {
            kind: "tar".into(),
            path_given: format!("ffs{exhibit}.tar"),
            path_resolved: format!("/evidence/ffs{exhibit}.tar"),
            size: 1,
            hashes: Hashes {
                sha256: "ab".repeat(32),
                ..Hashes::default()
            },
            compression: None,
            manifest_sha256: Some(manifest_sha256(&members)),
            file_count: Some(n as u64),
            members: Some(members.into()),
            member_file: None,
            ewf: None,
        },
        hashed_by: Software {
            name: "scelle".into(),
            version: "0".into(),
        },
    }))
}

/// A case directory whose ledger is entry 0 and `seals` seals of `n` members each.
fn case_with(dir: &std::path::Path, seals: u64, n: usize) -> (CaseDir, usize) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let mut state = ChainState::new();
    let mut ledger = Vec::new();
    let mut longest = 0;
    for body in std::iter::once(open_body(&key)).chain((1..=seals).map(|x| seal_body(x, n))) {
        let l = line(&key, &state, &body);
        assert_eq!(state.apply(&l).findings, []);
        longest = longest.max(l.len());
        ledger.extend_from_slice(&l);
        ledger.push(b'\n');
    }
    std::fs::create_dir_all(dir.join("checkpoints")).unwrap();
    std::fs::write(dir.join("ledger.jsonl"), ledger).unwrap();
    (CaseDir::open(dir).unwrap(), longest)
}

/// The peak bytes of `verify` on `case`, and its errors.
fn verify_peak(case: &CaseDir) -> (usize, Vec<String>) {
    let (report, peak) = peak_of(|| {
        scelle::case::verify::verify(
            case,
            scelle::case::verify::VerifyOptions::default(),
            &scelle::store::hashing::no_progress,
        )
        .unwrap()
    });
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == scelle::format::chain::Severity::Error)
        .map(|f| f.describe())
        .collect();
    (peak, errors)
}

#[test]
fn verify_holds_one_large_seal_at_a_time_whatever_their_number() {
    let dir = tempfile::tempdir().unwrap();
    // Lines of about 4 MiB: six of them are more than the read-ahead budget (16 MiB).
    let n = 25_000;
    let (one, line_len) = case_with(&dir.path().join("one"), 1, n);
    let (six, _) = case_with(&dir.path().join("six"), 6, n);
    let (twelve, _) = case_with(&dir.path().join("twelve"), 12, n);
    assert!(line_len > 3 << 20, "{line_len}");
    let mut peaks = Vec::new();
    for case in [&one, &six, &twelve] {
        let (peak, errors) = verify_peak(case);
        assert_eq!(errors, Vec::<String>::new());
        peaks.push(peak);
    }
    let [p1, p6, p12] = peaks[..] else {
        unreachable!()
    };
    eprintln!(
        "seal line {line_len} bytes; verify peak: 1 seal {p1}, 6 seals {p6}, 12 seals {p12} bytes"
    );
    // One seal's members and at most the read-ahead budget of lines (plus the line being
    // read): nothing more for six seals, and nothing more for twelve than for six. Before,
    // every seal's members were kept to the end and lines read ahead without a byte bound.
    const READ_AHEAD: usize = 16 << 20;
    assert!(
        p6 < p1 + READ_AHEAD + 2 * line_len,
        "six {line_len}-byte seal lines: {p6} bytes at the peak, one: {p1}"
    );
    // (Whether one more line is in flight at the peak depends on the threads' timing.)
    assert!(
        p12 < p6 + 2 * line_len,
        "twelve seal lines: {p12} bytes at the peak, six: {p6}: verify grows with the seals"
    );
}
