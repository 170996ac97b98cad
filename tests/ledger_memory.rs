//! The memory a seal line listing many members takes to check, counted by the allocator (no
//! timing): a valid line is parsed straight into its typed form, never into a
//! `serde_json::Value` of the whole line (issue 17: a 124,000-member FFS tar).
//!
//! One test in this binary: the allocator's counters are global.

use scelle::format::body::{
    Artifact, Body, CaseInfo, CaseOpen, Hashes, KeyRecord, Member, Seal, Software,
};
use scelle::format::encoding::{b64, hex};
use scelle::format::keys::key_id;
use scelle::format::validate::manifest_sha256;
use scelle::ChainState;

#[path = "common/counting.rs"]
mod counting;
use counting::{line, peak_of, TIME};

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

#[test]
fn a_seal_line_of_many_members_is_checked_in_about_its_own_size() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let mut state = ChainState::new();
    let open = Body::CaseOpen(Box::new(CaseOpen {
        case: CaseInfo {
            case_id: "M-1".into(),
            title: "memory".into(),
            court: None,
            jurisdiction: Some("es".into()),
            lang: None,
            timezone: None,
            origin: "scelle.case/M-1/0123456789abcdef".into(),
            created: TIME.into(),
        },
        admin: KeyRecord {
            id: key_id(&key.verifying_key()),
            name: "admin".into(),
            role: Some("expert".into()),
            public_key: b64(key.verifying_key().as_bytes()),
            full_name: None,
        },
    }));
    let l = line(&key, &state, &open);
    assert_eq!(state.apply(&l).findings, []);

    let n = 20_000usize;
    let members: Vec<Member> = (0..n)
        .map(|i| Member {
            path: format!("private/var/d{:03}/f{i:06}.txt", i % 500),
            kind: "file".into(),
            size: Some(3),
            hashes: Some(Hashes {
                sha256: hex(&(i as u64).to_be_bytes()).repeat(4),
                ..Hashes::default()
            }),
            link: None,
            mtime: Some(0),
        })
        .collect();
    let seal = Body::Seal(Box::new(Seal {
        exhibit: "E-0001".into(),
        seal_no: None,
        description: None,
        item: None,
        acquisition: None,
        artifact: Artifact {
            kind: "tar".into(),
            path_given: "ffs.tar".into(),
            path_resolved: "/ffs.tar".into(),
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
    }));
    let seal_line = line(&key, &state, &seal);
    drop(seal);
    let len = seal_line.len();
    assert!(len > 3 << 20, "{len}");

    // What a Value of the line alone takes: several times the line.
    let (value, value_peak) = peak_of(|| serde_json::from_slice::<serde_json::Value>(&seal_line));
    assert!(value.is_ok());
    drop(value);

    // Checking the line: the typed members it keeps (about twice the line, with the spare
    // capacity of their vector) and the signed bytes (the line's size) while the signature is
    // checked; a Value of the line on top would more than double it.
    let before = state.clone();
    let (applied, peak) = peak_of(|| state.apply(&seal_line));
    assert_eq!(applied.findings, []);
    assert!(
        matches!(&applied.body, Some(Body::Seal(s)) if s.artifact.members.as_ref().map(|m| m.len()) == Some(n))
    );
    drop(applied);

    // Checking the line shared with the body (as every command reading a ledger does): the
    // members are checked in place, one at a time, and left there; the signature is checked
    // over the line itself. Beyond the line, a small fraction of it.
    let mut shared_state = before;
    let shared = std::sync::Arc::new(seal_line.clone());
    let (applied, shared_peak) = peak_of(|| shared_state.apply_shared(&shared, None));
    assert_eq!(applied.findings, []);
    assert_eq!(shared_state, state);
    let Some(Body::Seal(s)) = &applied.body else {
        panic!("a seal")
    };
    let in_line = s.artifact.members.as_ref().unwrap();
    assert_eq!(in_line.len(), n);
    // Read back one at a time: the same members, in memory that does not grow with them.
    let (paths, iter_peak) = peak_of(|| {
        in_line
            .iter()
            .enumerate()
            .all(|(i, m)| m.path == format!("private/var/d{:03}/f{i:06}.txt", i % 500))
    });
    assert!(paths);
    eprintln!("members in the line: apply peak {shared_peak} bytes, iteration peak {iter_peak}");
    assert!(
        shared_peak < len / 16,
        "checking a {len}-byte seal line in place took {shared_peak} bytes beyond it"
    );
    assert!(iter_peak < 64 << 10, "iterating took {iter_peak} bytes");
    eprintln!("line {len} bytes; apply peak {peak} bytes; a Value of the line {value_peak} bytes");
    assert!(
        peak < 4 * len,
        "checking a {len}-byte seal line took {peak} bytes at its peak (a Value of it takes {value_peak})"
    );
    assert!(
        2 * peak < value_peak,
        "{peak} is not under half of {value_peak}"
    );
}
