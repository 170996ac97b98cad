//! Every kind's chain rule and effect against a chain state built in memory: entries signed
//! with fixed Ed25519 keys (no key file, no key derivation) and applied line by line as
//! `verify` applies them. Each refusal FORMAT.md §6 and §7 rule 6 list is asserted by its
//! [`CustodyError`] variant, and each kind's effect on keys and custody by the state after it.
//!
//! Checklist (FORMAT.md §6.1–6.9, §7 rule 6):
//! - case.open: only entry 0; entry 0 is case.open; admin id matches its key.
//! - seal: k-th seal is E-k (a bad seal still counts); a parent exists; makes the signer holder.
//! - key.enrol: by the administrator; new key not enrolled; id matches key; role one of ROLES;
//!   name unique; key name valid.
//! - key.revoke: by the administrator; key enrolled; not already revoked; not its own.
//! - key.rotate: signed by the old key; successor keeps name and role; successor not enrolled;
//!   moves administrator right, exhibits held and releases addressed.
//! - release: non-empty, no repeats; signer holds each; each sealed (not in transit, opened,
//!   disposed); receiver enrolled and unrevoked; not to the signer.
//! - accept: non-empty, no repeats; each in transit under that release; to the signer; partial.
//! - open: holder; sealed; seal_no equals the current one.
//! - reseal: holder; opened; new seal number non-empty; re-check of the same exhibit.
//! - note: exhibit, if given, exists.
//! - dispose: holder; sealed or opened; nothing after it.
//! - report, export: exhibits exist; ledger_size at most the entry's seq.
//! - ioc.scan: exhibits exist, not disposed, read at their sealed SHA-256.
//! - tsa.add: by the administrator; name unique; value rules (name, url, ca).
//! - re-checks: a matching re-check with another SHA-256 is refused; a failed one is a warning.

use super::*;
use crate::format::chain::{Applied, ChainState, CustodyStatus, Severity};
use crate::format::encoding::b64;
use crate::format::entry::{Entry, FORMAT_VERSION};
use crate::format::errors::{CustodyError, StateWhy, Who};
use crate::format::keys::key_id;
use crate::format::parts::{Artifact, CaseInfo, Hashes, KeyRecord, Member, Recheck, Software};
use ed25519_dalek::SigningKey;

const ADMIN: u8 = 1;
const BOB: u8 = 2;
const CAROL: u8 = 3;
const DAVE: u8 = 4;
const SHA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn signing(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn id(n: u8) -> String {
    key_id(&signing(n).verifying_key())
}

fn record(n: u8, name: &str, role: Option<&str>) -> KeyRecord {
    KeyRecord {
        id: id(n),
        name: name.into(),
        role: role.map(Into::into),
        public_key: b64(signing(n).verifying_key().as_bytes()),
        full_name: None,
    }
}

fn case_open(admin: KeyRecord) -> Body {
    Body::CaseOpen(Box::new(CaseOpen {
        case: CaseInfo {
            case_id: "T-1".into(),
            title: "Test".into(),
            court: None,
            jurisdiction: Some("fr".into()),
            lang: None,
            timezone: None,
            origin: "scelle.case/T-1/0123456789abcdef".into(),
            created: "2026-01-01T00:00:00Z".into(),
        },
        admin,
    }))
}

fn seal(exhibit: &str, seal_no: Option<&str>) -> Body {
    Body::Seal(Box::new(Seal {
        exhibit: exhibit.into(),
        seal_no: seal_no.map(Into::into),
        description: None,
        item: None,
        acquisition: None,
        artifact: Artifact {
            kind: "file".into(),
            path_given: "f".into(),
            path_resolved: "/f".into(),
            size: 1,
            hashes: Hashes {
                sha256: SHA.into(),
                ..Hashes::default()
            },
            compression: None,
            manifest_sha256: None,
            file_count: None,
            members: None,
            member_file: None,
            ewf: None,
        },
        hashed_by: Software {
            name: "scelle".into(),
            version: "0".into(),
        },
    }))
}

fn enrol(n: u8, name: &str) -> Body {
    Body::KeyEnrol(KeyEnrol {
        key: record(n, name, Some("expert")),
    })
}

fn release(exhibits: &[&str], to: u8) -> Body {
    Body::Release(Release {
        exhibits: exhibits.iter().map(|s| s.to_string()).collect(),
        to: id(to),
        purpose: "examination".into(),
        packaging: None,
        seal_condition: None,
        location: None,
        authority: None,
    })
}

fn recheck(exhibit: &str, sha256: &str, matches: bool) -> Recheck {
    Recheck {
        exhibit: exhibit.into(),
        path: "/f".into(),
        sha256: sha256.into(),
        matches,
        discrepancies: if matches {
            vec![]
        } else {
            vec!["hashes differ".into()]
        },
    }
}

fn accept(release: u64, exhibits: &[&str]) -> Body {
    Body::Accept(Accept {
        release,
        received: exhibits.iter().map(|x| recheck(x, SHA, true)).collect(),
        seal_condition: None,
        location: None,
    })
}

fn open(exhibit: &str, seal_no: Option<&str>) -> Body {
    Body::Open(Open {
        exhibit: exhibit.into(),
        seal_no: seal_no.map(Into::into),
        seal_condition: None,
        operations: "imaging".into(),
        present: vec![],
        location: None,
    })
}

fn reseal(exhibit: &str, new_seal_no: &str) -> Body {
    Body::Reseal(Reseal {
        exhibit: exhibit.into(),
        new_seal_no: new_seal_no.into(),
        recheck: recheck(exhibit, SHA, true),
        present: vec![],
        location: None,
        seal_condition: None,
    })
}

fn dispose(exhibit: &str) -> Body {
    Body::Dispose(Dispose {
        exhibit: exhibit.into(),
        how: "returned".into(),
        authority: "court order".into(),
    })
}

fn note(exhibit: Option<&str>) -> Body {
    Body::Note(NoteBody {
        exhibit: exhibit.map(Into::into),
        text: "a note".into(),
    })
}

fn report(exhibits: &[&str], ledger_size: u64) -> Body {
    Body::Report(ReportBody {
        document: "custody".into(),
        lang: "en".into(),
        jurisdiction: "fr".into(),
        file: "custody.pdf".into(),
        sha256: SHA.into(),
        size: 1,
        pages: 1,
        pdfa: "1b".into(),
        exhibits: exhibits.iter().map(|s| s.to_string()).collect(),
        ledger_size,
        bates_first: None,
        bates_last: None,
        filing: None,
    })
}

fn export(exhibits: &[&str], ledger_size: u64) -> Body {
    Body::Export(ExportBody {
        file: "bundle.tar".into(),
        sha256: SHA.into(),
        size: 1,
        format: "bagit-tar".into(),
        exhibits: exhibits.iter().map(|s| s.to_string()).collect(),
        artifacts: false,
        ledger_size,
        to: None,
        purpose: None,
    })
}

fn scan(exhibit: &str, sha256: &str) -> Body {
    Body::IocScan(Box::new(IocScan {
        ioc_files: vec![IocFileRecord {
            file: "iocs.stix2".into(),
            sha256: SHA.into(),
            size: 1,
            bundle: None,
            indicator_objects: 1,
            used: 1,
            names_only: 0,
            skipped: vec![],
            names: vec![],
        }],
        exhibits: vec![ScannedExhibit {
            exhibit: exhibit.into(),
            path: "/f".into(),
            sha256: sha256.into(),
            files: 1,
            bytes: 1,
            matches: 0,
            omitted: vec![],
            mentions: 0,
            omitted_mentions: vec![],
        }],
        matches: vec![],
        mentions: vec![],
        scanned_by: Software {
            name: "scelle".into(),
            version: "0".into(),
        },
    }))
}

/// A ledger in memory: signed lines applied to a chain state.
struct Chain {
    state: ChainState,
}

impl Chain {
    /// Entry 0 by the administrator (key 1), then Bob (key 2) and Carol (key 3) enrolled.
    fn new() -> Chain {
        let mut c = Chain {
            state: ChainState::new(),
        };
        c.ok(ADMIN, case_open(record(ADMIN, "admin", Some("expert"))));
        c.ok(ADMIN, enrol(BOB, "bob"));
        c.ok(ADMIN, enrol(CAROL, "carol"));
        c
    }

    /// [`Chain::new`] and E-0001 sealed by the administrator, under seal `S-1`.
    fn sealed() -> Chain {
        let mut c = Chain::new();
        c.ok(ADMIN, seal("E-0001", Some("S-1")));
        c
    }

    fn line(&self, signer: u8, body: &Body) -> Vec<u8> {
        let mut e = Entry {
            body: serde_json::to_value(body).unwrap(),
            kind: body.kind().into(),
            key: id(signer),
            format: FORMAT_VERSION,
            prev: self.state.last_line_hash.clone(),
            seq: self.state.size,
            sig: String::new(),
            time: "2026-01-01T00:00:00Z".into(),
        };
        e.sign(&signing(signer));
        e.line().unwrap()
    }

    /// Signs and applies an entry, whatever its findings.
    fn push(&mut self, signer: u8, body: Body) -> Applied {
        let line = self.line(signer, &body);
        self.state.apply(&line)
    }

    /// Signs and applies an entry that must be valid.
    fn ok(&mut self, signer: u8, body: Body) {
        let applied = self.push(signer, body);
        assert!(applied.findings.is_empty(), "{:?}", applied.findings);
    }

    /// The kind rule's refusal of `body` as the next entry, signed by `signer`; also checks
    /// that applying it reports the refusal as a `custody` finding and changes no custody.
    fn refused(&self, signer: u8, body: Body) -> CustodyError {
        let signer_id = id(signer);
        let at = At {
            seq: self.state.size,
            signer: &signer_id,
        };
        let err = body.check(&self.state, at).unwrap_err();
        let mut after = self.state.clone();
        let line = self.line(signer, &body);
        let applied = after.apply(&line);
        let custody: Vec<_> = applied
            .findings
            .iter()
            .filter(|f| f.code == "custody")
            .map(|f| f.message.clone())
            .collect();
        assert_eq!(custody, [err.to_string()], "{:?}", applied.findings);
        assert_eq!(
            after.custody, self.state.custody,
            "a refused entry moves nothing"
        );
        assert_eq!(
            after.keys, self.state.keys,
            "a refused entry enrols nothing"
        );
        err
    }

    fn status(&self, exhibit: &str) -> &CustodyStatus {
        &self.state.custody[exhibit].status
    }

    fn holder(&self, exhibit: &str) -> &str {
        &self.state.custody[exhibit].holder
    }
}

fn who(n: u8, name: &str) -> Who {
    Who {
        id: id(n),
        name: Some(name.into()),
    }
}

// case.open

#[test]
fn case_open_defines_the_case_and_its_administrator() {
    let c = Chain::new();
    assert_eq!(c.state.case.as_ref().unwrap().case_id, "T-1");
    let admin = c.state.key(&id(ADMIN)).unwrap();
    assert!(admin.admin);
    assert_eq!(admin.enrolled_at, 0);
}

#[test]
fn case_open_is_only_entry_0() {
    let c = Chain::new();
    let err = c.refused(ADMIN, case_open(record(ADMIN, "admin", None)));
    assert_eq!(err, CustodyError::CaseOpenNotFirst);
}

#[test]
fn entry_0_must_be_case_open() {
    let mut c = Chain {
        state: ChainState::new(),
    };
    let applied = c.push(ADMIN, note(None));
    let custody: Vec<_> = applied
        .findings
        .iter()
        .filter(|f| f.code == "custody")
        .collect();
    assert_eq!(
        custody[0].message,
        CustodyError::FirstNotCaseOpen {
            kind: "note".into()
        }
        .to_string()
    );
    assert_eq!(
        custody[0].message,
        "the first entry must be case.open, not note"
    );
}

#[test]
fn case_open_admin_id_must_match_its_key() {
    let mut admin = record(ADMIN, "admin", None);
    admin.id = id(BOB);
    let body = case_open(admin);
    let err = body
        .check(
            &ChainState::new(),
            At {
                seq: 0,
                signer: &id(BOB),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        CustodyError::AdminKeyIdMismatch {
            id: id(BOB),
            actual: id(ADMIN)
        }
    );
    let mut admin = record(ADMIN, "admin", None);
    admin.public_key = b64(&[0u8; 5]);
    let err = case_open(admin)
        .check(
            &ChainState::new(),
            At {
                seq: 0,
                signer: &id(ADMIN),
            },
        )
        .unwrap_err();
    assert_eq!(err, CustodyError::AdminNotEd25519);
}

#[test]
fn a_bad_entry_0_still_defines_the_case() {
    let mut c = Chain {
        state: ChainState::new(),
    };
    let mut admin = record(ADMIN, "admin", None);
    admin.id = id(BOB);
    let applied = c.push(ADMIN, case_open(admin));
    assert!(applied.first_error().is_some());
    assert!(c.state.case.is_some());
    assert_eq!(c.state.keys.len(), 1);
}

// seal

#[test]
fn seal_makes_its_signer_the_holder() {
    let mut c = Chain::new();
    c.ok(BOB, seal("E-0001", Some("S-1")));
    let custody = &c.state.custody["E-0001"];
    assert_eq!(custody.holder, id(BOB));
    assert_eq!(custody.status, CustodyStatus::Sealed);
    assert_eq!(custody.seal_no.as_deref(), Some("S-1"));
    assert_eq!(custody.seal_seq, 3);
    assert_eq!(custody.sealed_sha256, SHA);
    assert_eq!(c.state.exhibits, 1);
}

#[test]
fn seals_are_numbered_in_order_and_a_bad_seal_still_counts() {
    let mut c = Chain::sealed();
    let err = c.refused(ADMIN, seal("E-0003", None));
    assert_eq!(
        err,
        CustodyError::ExhibitOutOfOrder {
            exhibit: "E-0003".into(),
            expected: "E-0002".into()
        }
    );
    // The refused seal takes number 2: the next is E-0003.
    assert!(c.push(ADMIN, seal("E-0001", None)).first_error().is_some());
    assert_eq!(c.state.exhibits, 2);
    c.ok(ADMIN, seal("E-0003", None));
}

#[test]
fn a_seal_parent_must_exist() {
    let c = Chain::sealed();
    let Body::Seal(mut s) = seal("E-0002", None) else {
        unreachable!()
    };
    s.acquisition = Some(crate::format::parts::Acquisition {
        parent: Some("E-0009".into()),
        ..Default::default()
    });
    let err = c.refused(ADMIN, Body::Seal(s));
    assert_eq!(
        err,
        CustodyError::NoSuchExhibit {
            exhibit: "E-0009".into()
        }
    );
}

// key.enrol

#[test]
fn key_enrol_adds_a_key_that_is_not_administrator() {
    let c = Chain::new();
    let bob = c.state.key(&id(BOB)).unwrap();
    assert!(!bob.admin);
    assert_eq!(bob.enrolled_at, 1);
    assert_eq!(bob.revoked_at, None);
}

#[test]
fn only_the_administrator_enrols() {
    let c = Chain::new();
    let err = c.refused(BOB, enrol(DAVE, "dave"));
    assert_eq!(
        err,
        CustodyError::NotAdmin {
            signer: who(BOB, "bob"),
            action: "enrol keys"
        }
    );
}

#[test]
fn an_enrolled_key_is_not_enrolled_again() {
    let c = Chain::new();
    let err = c.refused(ADMIN, enrol(BOB, "bob2"));
    assert_eq!(
        err,
        CustodyError::AlreadyEnrolled {
            id: id(BOB),
            name: "bob".into(),
            at: 1
        }
    );
}

#[test]
fn an_enrolled_key_id_matches_its_key() {
    let c = Chain::new();
    let mut key = record(DAVE, "dave", Some("expert"));
    key.id = "00000000000000ff".into();
    let err = c.refused(ADMIN, Body::KeyEnrol(KeyEnrol { key }));
    assert_eq!(
        err,
        CustodyError::KeyIdMismatch {
            id: "00000000000000ff".into(),
            actual: id(DAVE)
        }
    );
}

#[test]
fn an_enrolled_role_is_one_of_the_roles() {
    let c = Chain::new();
    let key = record(DAVE, "dave", Some("judge"));
    let err = c.refused(ADMIN, Body::KeyEnrol(KeyEnrol { key }));
    assert_eq!(
        err,
        CustodyError::BadRole {
            role: Some("judge".into())
        }
    );
    assert!(err
        .to_string()
        .contains("expert, counsel, examiner, court, witness"));
}

#[test]
fn enrolled_names_are_unique() {
    let c = Chain::new();
    let err = c.refused(ADMIN, enrol(DAVE, "bob"));
    assert_eq!(
        err,
        CustodyError::NameTaken {
            name: "bob".into(),
            id: id(BOB)
        }
    );
}

#[test]
fn an_enrolled_name_is_a_signature_key_name() {
    let c = Chain::new();
    let err = c.refused(ADMIN, enrol(DAVE, "da ve")).to_string();
    assert_eq!(err, "key name \"da ve\" has white space or '+'");
}

// key.revoke

fn revoke(n: u8) -> Body {
    Body::KeyRevoke(KeyRevoke {
        key: id(n),
        reason: "left".into(),
    })
}

#[test]
fn key_revoke_retires_a_key() {
    let mut c = Chain::new();
    c.ok(ADMIN, revoke(BOB));
    let bob = c.state.key(&id(BOB)).unwrap();
    assert_eq!(bob.revoked_at, Some(3));
    assert_eq!(bob.revoked_reason.as_deref(), Some("left"));
    assert!(c.state.active_key(&id(BOB)).is_none());
}

#[test]
fn key_revoke_refusals() {
    let mut c = Chain::new();
    assert_eq!(
        c.refused(BOB, revoke(CAROL)),
        CustodyError::NotAdmin {
            signer: who(BOB, "bob"),
            action: "revoke keys"
        }
    );
    assert_eq!(
        c.refused(ADMIN, revoke(DAVE)),
        CustodyError::NotEnrolled { key: id(DAVE) }
    );
    assert_eq!(c.refused(ADMIN, revoke(ADMIN)), CustodyError::RevokeOwnKey);
    c.ok(ADMIN, revoke(BOB));
    assert_eq!(
        c.refused(ADMIN, revoke(BOB)),
        CustodyError::AlreadyRevoked {
            key: who(BOB, "bob"),
            at: 3
        }
    );
}

// tsa.add

fn tsa_add(name: &str) -> Body {
    Body::TsaAdd(TsaAdd {
        name: name.into(),
        url: "http://127.0.0.1:3161/tsa".into(),
        ca: vec![b64(&[0x30, 0x03, 0x02, 0x01, 0x01])],
    })
}

#[test]
fn tsa_add_records_a_tsa() {
    let mut c = Chain::new();
    c.ok(ADMIN, tsa_add("tsa1"));
    let t = c.state.tsa("tsa1").unwrap();
    assert_eq!(t.url, "http://127.0.0.1:3161/tsa");
    assert_eq!(t.added_at, c.state.size - 1);
    c.ok(ADMIN, tsa_add("tsa2"));
    assert_eq!(c.state.tsas.len(), 2);
}

#[test]
fn tsa_add_refusals() {
    let mut c = Chain::new();
    assert_eq!(
        c.refused(BOB, tsa_add("tsa1")),
        CustodyError::NotAdmin {
            signer: who(BOB, "bob"),
            action: "add TSAs"
        }
    );
    c.ok(ADMIN, tsa_add("tsa1"));
    let at = c.state.size - 1;
    assert_eq!(
        c.refused(ADMIN, tsa_add("tsa1")),
        CustodyError::TsaNameTaken {
            name: "tsa1".into(),
            at
        }
    );
}

#[test]
fn tsa_add_value_rules() {
    let Body::TsaAdd(good) = tsa_add("tsa1") else {
        unreachable!()
    };
    assert_eq!(good.validate(), Ok(()));
    let bad = |f: &dyn Fn(&mut TsaAdd)| {
        let mut b = good.clone();
        f(&mut b);
        Body::TsaAdd(b).validate().unwrap_err().to_string()
    };
    assert!(bad(&|b| b.name = "TSA".into()).contains("tsa name"));
    assert!(bad(&|b| b.url = "ftp://x".into()).contains("http://"));
    assert!(bad(&|b| b.ca.clear()).contains("1 to 16"));
    assert!(bad(&|b| b.ca = vec![b.ca[0].clone(); 17]).contains("1 to 16"));
    assert!(bad(&|b| b.ca = vec!["MAMCAQE".into()]).contains("base64"));
    assert!(bad(&|b| b.ca = vec![b64(&[0x31, 0])]).contains("DER"));
    assert!(bad(&|b| {
        let mut der = vec![0x30, 0x83, 0x01, 0x00, 0x01];
        der.resize(5 + 0x10001, 0);
        b.ca = vec![b64(&der)];
    })
    .contains("more than"));
}

// key.rotate

fn rotate(old: u8, new: u8, name: &str, role: Option<&str>) -> Body {
    Body::KeyRotate(KeyRotate {
        old: id(old),
        new: record(new, name, role),
    })
}

#[test]
fn key_rotate_moves_administration_exhibits_and_releases() {
    let mut c = Chain::new();
    c.ok(ADMIN, seal("E-0001", None));
    c.ok(ADMIN, seal("E-0002", None));
    c.ok(ADMIN, release(&["E-0002"], BOB));
    c.ok(BOB, seal("E-0003", None));
    c.ok(BOB, release(&["E-0003"], ADMIN));
    c.ok(ADMIN, rotate(ADMIN, DAVE, "admin", Some("expert")));
    let old = c.state.key(&id(ADMIN)).unwrap();
    assert!(!old.admin);
    assert_eq!(old.revoked_at, Some(c.state.size - 1));
    assert_eq!(
        old.revoked_reason.as_deref(),
        Some(format!("rotated to {}", id(DAVE)).as_str())
    );
    assert!(c.state.key(&id(DAVE)).unwrap().admin);
    assert_eq!(c.holder("E-0001"), id(DAVE));
    assert_eq!(c.holder("E-0002"), id(DAVE));
    assert!(matches!(c.status("E-0003"), CustodyStatus::InTransit { to, .. } if *to == id(DAVE)));
    // The successor administers.
    c.ok(DAVE, enrol(5, "erin"));
}

#[test]
fn key_rotate_refusals() {
    let c = Chain::new();
    assert_eq!(
        c.refused(BOB, rotate(CAROL, DAVE, "carol", Some("expert"))),
        CustodyError::RotateNotByOld {
            old: id(CAROL),
            signer: id(BOB)
        }
    );
    assert_eq!(
        c.refused(BOB, rotate(BOB, DAVE, "robert", Some("expert"))),
        CustodyError::SuccessorDiffers {
            name: "bob".into(),
            role: Some("expert".into())
        }
    );
    assert_eq!(
        c.refused(BOB, rotate(BOB, DAVE, "bob", Some("court"))),
        CustodyError::SuccessorDiffers {
            name: "bob".into(),
            role: Some("expert".into())
        }
    );
    assert_eq!(
        c.refused(BOB, rotate(BOB, CAROL, "bob", Some("expert"))),
        CustodyError::AlreadyEnrolled {
            id: id(CAROL),
            name: "carol".into(),
            at: 2
        }
    );
}

// release

#[test]
fn release_puts_exhibits_in_transit() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, release(&["E-0001"], BOB));
    assert_eq!(
        c.status("E-0001"),
        &CustodyStatus::InTransit {
            to: id(BOB),
            release: 4
        }
    );
    assert_eq!(
        c.holder("E-0001"),
        id(ADMIN),
        "the releasing holder until accepted"
    );
}

#[test]
fn release_refusals() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(ADMIN, release(&[], BOB)),
        CustodyError::EmptyRelease
    );
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001", "E-0001"], BOB)),
        CustodyError::ListedTwice {
            exhibit: "E-0001".into()
        }
    );
    assert_eq!(
        c.refused(ADMIN, release(&["E-0009"], BOB)),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0009".into()
        }
    );
    assert_eq!(
        c.refused(BOB, release(&["E-0001"], CAROL)),
        CustodyError::NotHolder {
            exhibit: "E-0001".into(),
            holder: Box::new(who(ADMIN, "admin")),
            signer: Box::new(who(BOB, "bob")),
            action: "released"
        }
    );
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001"], DAVE)),
        CustodyError::ReceiverNotActive {
            to: Who {
                id: id(DAVE),
                name: None
            }
        }
    );
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001"], ADMIN)),
        CustodyError::ReleaseToHolder
    );
    c.ok(ADMIN, revoke(CAROL));
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001"], CAROL)),
        CustodyError::ReceiverNotActive {
            to: who(CAROL, "carol")
        }
    );
    c.ok(ADMIN, release(&["E-0001"], BOB));
    let err = c.refused(ADMIN, release(&["E-0001"], BOB));
    assert_eq!(
        err,
        CustodyError::WrongState {
            exhibit: "E-0001".into(),
            action: "released",
            why: StateWhy::InTransit {
                to: who(BOB, "bob"),
                release: 5
            }
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "exhibit E-0001 cannot be released: it is in transit to bob ({}) since entry 5",
            id(BOB)
        )
    );
}

#[test]
fn an_opened_or_disposed_exhibit_is_not_released() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001"], BOB)),
        CustodyError::WrongState {
            exhibit: "E-0001".into(),
            action: "released",
            why: StateWhy::Opened { open: 4 }
        }
    );
    c.ok(ADMIN, dispose("E-0001"));
    assert_eq!(
        c.refused(ADMIN, release(&["E-0001"], BOB)),
        CustodyError::Disposed {
            exhibit: "E-0001".into(),
            at: 5,
            action: "released"
        }
    );
}

// accept

#[test]
fn accept_makes_the_receiver_holder_and_may_be_partial() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, seal("E-0002", None));
    c.ok(ADMIN, release(&["E-0001", "E-0002"], BOB));
    c.ok(BOB, accept(5, &["E-0002"]));
    assert_eq!(c.holder("E-0002"), id(BOB));
    assert_eq!(c.status("E-0002"), &CustodyStatus::Sealed);
    assert_eq!(
        c.status("E-0001"),
        &CustodyStatus::InTransit {
            to: id(BOB),
            release: 5
        }
    );
    c.ok(BOB, accept(5, &["E-0001"]));
    assert_eq!(c.holder("E-0001"), id(BOB));
}

#[test]
fn accept_refusals() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(BOB, accept(4, &["E-0001"])),
        CustodyError::NotInTransit {
            exhibit: "E-0001".into(),
            release: 4
        }
    );
    c.ok(ADMIN, release(&["E-0001"], BOB));
    assert_eq!(c.refused(BOB, accept(4, &[])), CustodyError::EmptyAccept);
    assert_eq!(
        c.refused(BOB, accept(4, &["E-0001", "E-0001"])),
        CustodyError::ListedTwice {
            exhibit: "E-0001".into()
        }
    );
    assert_eq!(
        c.refused(BOB, accept(3, &["E-0001"])),
        CustodyError::NotInTransit {
            exhibit: "E-0001".into(),
            release: 3
        }
    );
    assert_eq!(
        c.refused(CAROL, accept(4, &["E-0001"])),
        CustodyError::NotReceiver {
            exhibit: "E-0001".into(),
            to: who(BOB, "bob"),
            signer: who(CAROL, "carol")
        }
    );
    assert_eq!(
        c.refused(BOB, accept(4, &["E-0009"])),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0009".into()
        }
    );
}

// open, reseal

#[test]
fn open_then_reseal_changes_state_and_seal_number() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    assert_eq!(c.status("E-0001"), &CustodyStatus::Opened { open: 4 });
    c.ok(ADMIN, reseal("E-0001", "S-2"));
    assert_eq!(c.status("E-0001"), &CustodyStatus::Sealed);
    assert_eq!(c.state.custody["E-0001"].seal_no.as_deref(), Some("S-2"));
    c.ok(ADMIN, open("E-0001", Some("S-2")));
}

#[test]
fn open_refusals() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(BOB, open("E-0001", Some("S-1"))),
        CustodyError::NotHolder {
            exhibit: "E-0001".into(),
            holder: Box::new(who(ADMIN, "admin")),
            signer: Box::new(who(BOB, "bob")),
            action: "opened"
        }
    );
    for named in [None, Some("S-9")] {
        assert_eq!(
            c.refused(ADMIN, open("E-0001", named)),
            CustodyError::SealMismatch {
                exhibit: "E-0001".into(),
                named: named.map(Into::into),
                current: Some("S-1".into())
            }
        );
    }
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    assert_eq!(
        c.refused(ADMIN, open("E-0001", Some("S-1"))),
        CustodyError::WrongState {
            exhibit: "E-0001".into(),
            action: "opened",
            why: StateWhy::Opened { open: 4 }
        }
    );
}

#[test]
fn reseal_refusals() {
    let mut c = Chain::sealed();
    let err = c.refused(ADMIN, reseal("E-0001", "S-2"));
    assert_eq!(
        err,
        CustodyError::WrongState {
            exhibit: "E-0001".into(),
            action: "re-sealed",
            why: StateWhy::Sealed
        }
    );
    assert_eq!(
        err.to_string(),
        "exhibit E-0001 cannot be re-sealed: it is sealed; open it first"
    );
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    assert_eq!(
        c.refused(ADMIN, reseal("E-0001", "")),
        CustodyError::EmptySealNo
    );
    let Body::Reseal(mut r) = reseal("E-0001", "S-2") else {
        unreachable!()
    };
    r.recheck.exhibit = "E-0002".into();
    assert_eq!(
        c.refused(ADMIN, Body::Reseal(r)),
        CustodyError::RecheckOfAnother
    );
    assert!(matches!(
        c.refused(BOB, reseal("E-0001", "S-2")),
        CustodyError::NotHolder {
            action: "re-sealed",
            ..
        }
    ));
}

// re-checks

#[test]
fn a_matching_recheck_must_have_the_sealed_sha256() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    let Body::Reseal(mut r) = reseal("E-0001", "S-2") else {
        unreachable!()
    };
    r.recheck.sha256 = "b".repeat(64);
    let applied = c.push(ADMIN, Body::Reseal(r));
    let f = applied.first_error().unwrap();
    assert_eq!(f.code, "custody");
    assert!(
        f.message.contains("the re-check says it matches"),
        "{}",
        f.message
    );
    assert_eq!(c.status("E-0001"), &CustodyStatus::Opened { open: 4 });
}

#[test]
fn a_failed_recheck_is_recorded_with_a_warning() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    let Body::Reseal(mut r) = reseal("E-0001", "S-2") else {
        unreachable!()
    };
    r.recheck = recheck("E-0001", &"b".repeat(64), false);
    let applied = c.push(ADMIN, Body::Reseal(r));
    assert_eq!(applied.findings.len(), 1, "{:?}", applied.findings);
    assert_eq!(applied.findings[0].code, "discrepancy");
    assert_eq!(applied.findings[0].severity, Severity::Warning);
    assert_eq!(
        c.status("E-0001"),
        &CustodyStatus::Sealed,
        "recorded, not refused"
    );
}

// note

#[test]
fn a_note_names_an_existing_exhibit_and_changes_nothing() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(BOB, note(Some("E-0002"))),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0002".into()
        }
    );
    let before = c.state.custody.clone();
    c.ok(BOB, note(Some("E-0001")));
    c.ok(CAROL, note(None));
    assert_eq!(c.state.custody, before);
}

// dispose

#[test]
fn dispose_ends_an_exhibit() {
    let mut c = Chain::sealed();
    c.ok(ADMIN, dispose("E-0001"));
    assert_eq!(c.status("E-0001"), &CustodyStatus::Disposed { at: 4 });
    for body in [
        open("E-0001", Some("S-1")),
        dispose("E-0001"),
        release(&["E-0001"], BOB),
    ] {
        assert!(matches!(
            c.refused(ADMIN, body),
            CustodyError::Disposed { at: 4, .. }
        ));
    }
    assert!(matches!(
        c.refused(ADMIN, reseal("E-0001", "S-2")),
        CustodyError::Disposed {
            action: "re-sealed",
            ..
        }
    ));
}

#[test]
fn dispose_refusals() {
    let mut c = Chain::sealed();
    assert!(matches!(
        c.refused(BOB, dispose("E-0001")),
        CustodyError::NotHolder {
            action: "disposed of",
            ..
        }
    ));
    c.ok(ADMIN, open("E-0001", Some("S-1")));
    c.ok(ADMIN, dispose("E-0001"));
    let mut c = Chain::sealed();
    c.ok(ADMIN, release(&["E-0001"], BOB));
    assert!(matches!(
        c.refused(ADMIN, dispose("E-0001")),
        CustodyError::WrongState {
            action: "disposed of",
            why: StateWhy::InTransit { release: 4, .. },
            ..
        }
    ));
}

// report, export

#[test]
fn report_and_export_name_existing_exhibits_and_past_entries() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(BOB, report(&["E-0002"], 4)),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0002".into()
        }
    );
    assert_eq!(
        c.refused(BOB, report(&["E-0001"], 5)),
        CustodyError::ReportBeyond { seq: 4, size: 5 }
    );
    assert_eq!(
        c.refused(BOB, export(&["E-0002"], 4)),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0002".into()
        }
    );
    assert_eq!(
        c.refused(BOB, export(&["E-0001"], 5)),
        CustodyError::ExportBeyond { seq: 4, size: 5 }
    );
    let before = c.state.custody.clone();
    c.ok(BOB, report(&["E-0001"], 4));
    c.ok(BOB, export(&["E-0001"], 5));
    assert_eq!(c.state.custody, before);
}

// ioc.scan

#[test]
fn a_scan_reads_existing_undisposed_exhibits_at_their_sealed_hash() {
    let mut c = Chain::sealed();
    assert_eq!(
        c.refused(BOB, scan("E-0002", SHA)),
        CustodyError::NoSuchExhibit {
            exhibit: "E-0002".into()
        }
    );
    let other = "b".repeat(64);
    assert_eq!(
        c.refused(BOB, scan("E-0001", &other)),
        CustodyError::ScanHashDiffers {
            exhibit: "E-0001".into(),
            read: other.clone(),
            sealed: SHA.into()
        }
    );
    let before = c.state.custody.clone();
    c.ok(BOB, scan("E-0001", SHA));
    assert_eq!(c.state.custody, before);
    c.ok(ADMIN, dispose("E-0001"));
    assert_eq!(
        c.refused(BOB, scan("E-0001", SHA)),
        CustodyError::ScanDisposed {
            exhibit: "E-0001".into()
        }
    );
}

// ioc.review

/// A scan of E-0001 with one finding of `indicator--1` in member `a/b`.
fn scan_with_finding() -> Body {
    let Body::IocScan(mut s) = scan("E-0001", SHA) else {
        unreachable!()
    };
    s.exhibits[0].matches = 1;
    s.matches.push(IocMatch {
        ioc_file: SHA.into(),
        indicator: "indicator--1".into(),
        pattern: "[domain-name:value = 'x.com']".into(),
        kind: "domain-name:value".into(),
        value: "x.com".into(),
        indicates: vec![],
        exhibit: "E-0001".into(),
        member: Some("a/b".into()),
        on: "path".into(),
        location: None,
        matched: "x.com".into(),
        occurrences: 1,
        offset: None,
        offsets: vec![],
        excerpt_start: None,
        excerpt: None,
    });
    Body::IocScan(s)
}

fn review(scan: u64, finding: u64, indicator: &str, member: Option<&str>, decision: &str) -> Body {
    Body::IocReview(IocReview {
        scan,
        finding,
        indicator: indicator.into(),
        exhibit: "E-0001".into(),
        member: member.map(String::from),
        decision: decision.into(),
        reason: "seen in the device's DNS cache".into(),
    })
}

#[test]
fn a_review_names_an_existing_finding_and_repeats_it() {
    let mut c = Chain::sealed();
    // Entry 4 is the scan; entry 3 (the seal) is not one.
    c.ok(BOB, scan_with_finding());
    assert_eq!(
        c.refused(BOB, review(3, 0, "indicator--1", Some("a/b"), "confirmed")),
        CustodyError::ReviewNoScan { scan: 3 }
    );
    assert_eq!(
        c.refused(BOB, review(4, 1, "indicator--1", Some("a/b"), "confirmed")),
        CustodyError::ReviewNoFinding {
            id: "4#1".into(),
            count: 1
        }
    );
    for wrong in [
        review(4, 0, "indicator--2", Some("a/b"), "confirmed"),
        review(4, 0, "indicator--1", None, "confirmed"),
        review(4, 0, "indicator--1", Some("a/c"), "confirmed"),
    ] {
        assert_eq!(
            c.refused(BOB, wrong),
            CustodyError::ReviewDiffers { id: "4#0".into() }
        );
    }
    let before = c.state.clone();
    c.ok(
        CAROL,
        review(4, 0, "indicator--1", Some("a/b"), "dismissed"),
    );
    c.ok(BOB, review(4, 0, "indicator--1", Some("a/b"), "confirmed"));
    assert_eq!(
        c.state.custody, before.custody,
        "a review acts on no custody"
    );
    // A scan refused (of a disposed exhibit) records no findings to review.
    c.ok(ADMIN, dispose("E-0001"));
    let seq = c.state.size;
    c.push(BOB, scan_with_finding());
    assert_eq!(
        c.refused(
            BOB,
            review(seq, 0, "indicator--1", Some("a/b"), "confirmed")
        ),
        CustodyError::ReviewNoScan { scan: seq }
    );
}

#[test]
fn a_review_has_a_decision_and_a_reason() {
    use crate::format::errors::ValueError;
    assert!(matches!(
        review(4, 0, "i", None, "maybe").validate(),
        Err(ValueError::NotOneOf { .. })
    ));
    let Body::IocReview(mut r) = review(4, 0, "i", None, "dismissed") else {
        unreachable!()
    };
    assert!(r.validate().is_ok());
    r.reason = " \n".into();
    assert!(r.validate().is_err());
}

// The registry.

#[test]
fn every_kind_parses_back_by_its_name() {
    let bodies = [
        case_open(record(ADMIN, "admin", None)),
        seal("E-0001", None),
        enrol(BOB, "bob"),
        revoke(BOB),
        rotate(BOB, DAVE, "bob", None),
        release(&["E-0001"], BOB),
        accept(1, &["E-0001"]),
        open("E-0001", None),
        reseal("E-0001", "S"),
        note(None),
        dispose("E-0001"),
        report(&[], 0),
        scan("E-0001", SHA),
        export(&["E-0001"], 0),
        tsa_add("tsa1"),
        review(2, 0, "indicator--1", None, "confirmed"),
    ];
    let names: Vec<&str> = bodies.iter().map(Body::kind).collect();
    assert_eq!(names, Body::NAMES);
    for b in &bodies {
        let value = serde_json::to_value(b).unwrap();
        assert_eq!(&Body::parse(b.kind(), &value).unwrap(), b);
        let json = serde_json::to_string(b).unwrap();
        assert_eq!(&Body::parse_json(b.kind(), &json).unwrap(), b);
    }
    assert!(Body::parse_json("nope", "{}").is_err());
    assert!(Body::parse_json("note", "{}").is_err());
    assert_eq!(
        Body::parse("nope", &serde_json::json!({}))
            .unwrap_err()
            .to_string(),
        "unknown entry kind \"nope\""
    );
    assert!(Body::parse("note", &serde_json::json!({}))
        .unwrap_err()
        .to_string()
        .starts_with("bad note body: "));
}

// Value rules, typed.

#[test]
fn value_rules_are_typed() {
    use crate::format::errors::ValueError;
    assert_eq!(
        Body::KeyRevoke(KeyRevoke {
            key: "XYZ".into(),
            reason: "r".into()
        })
        .validate(),
        Err(ValueError::NotHex {
            what: "key id".into(),
            value: "XYZ".into(),
            digits: 16
        })
    );
    let Body::Report(mut r) = report(&[], 0) else {
        unreachable!()
    };
    r.pdfa = "2c".into();
    let err = Body::Report(r).validate().unwrap_err();
    assert_eq!(
        err,
        ValueError::NotOneOf {
            what: "pdfa".into(),
            value: "2c".into(),
            allowed: "1b, 2b, 3b".into()
        }
    );
    assert_eq!(err.to_string(), "pdfa \"2c\" is not one of 1b, 2b, 3b");
    let body = note(None);
    let mut raw = serde_json::to_value(&body).unwrap();
    raw["exhibit"] = serde_json::Value::Null;
    assert_eq!(
        crate::format::validate::validate(&body, &raw),
        Err(ValueError::NotRepresentation)
    );
    assert!(seal("E-1", None).validate().is_err());
    assert_eq!(seal("E-0001", None).validate(), Ok(()));
}

// A seal listing many members: parsed straight into its typed form, every check kept.

/// A tar seal of `n` file members, as an FFS extraction lists them.
fn tar_seal(exhibit: &str, n: usize) -> Body {
    let members: Vec<Member> = (0..n)
        .map(|i| Member {
            path: format!("private/var/d{:03}/f{i:06}.txt", i % 500),
            kind: "file".into(),
            size: Some(i as u64 % 7),
            hashes: Some(Hashes {
                sha256: crate::format::encoding::hex(&(i as u64).to_be_bytes()).repeat(4),
                ..Hashes::default()
            }),
            link: None,
            mtime: Some(0),
        })
        .collect();
    let Body::Seal(mut s) = seal(exhibit, Some("S-1")) else {
        unreachable!()
    };
    s.artifact.kind = "tar".into();
    s.artifact.manifest_sha256 = Some(crate::format::validate::manifest_sha256(&members));
    s.artifact.file_count = Some(n as u64);
    s.artifact.members = Some(members.into());
    Body::Seal(s)
}

/// The codes of `line` applied after `c`, and whether the typed path took it.
fn applied_codes(c: &Chain, line: &[u8]) -> (Vec<String>, bool) {
    let typed = crate::format::entry::TypedLine::parse(line).is_some();
    let mut state = c.state.clone();
    let applied = state.apply(line);
    let codes: Vec<String> = applied.findings.iter().map(|f| f.code.clone()).collect();
    // The line shared (its members left in it): the same findings, body and state.
    let mut shared_state = c.state.clone();
    let shared = shared_state.apply_shared(&std::sync::Arc::new(line.to_vec()), None);
    let shared_codes: Vec<String> = shared.findings.iter().map(|f| f.code.clone()).collect();
    assert_eq!(shared_codes, codes);
    assert_eq!(shared.body, applied.body);
    assert_eq!(shared_state, state);
    (codes, typed)
}

#[test]
fn a_large_seal_line_is_parsed_typed_and_every_check_holds() {
    use crate::format::entry::TypedLine;
    let mut c = Chain::new();
    // Over 1 MiB: debug builds do not also apply it through a Value, so what is checked here
    // is the typed path by itself.
    let body = tar_seal("E-0001", 8_000);
    let line = c.line(ADMIN, &body);
    assert!(line.len() > 1 << 20, "{}", line.len());
    let replace = |from: &str, to: &str| {
        let text = String::from_utf8(line.clone()).unwrap();
        assert!(text.contains(from), "{from}");
        text.replacen(from, to, 1).into_bytes()
    };

    // The valid line: typed, its body exactly the one written, no finding.
    let typed = TypedLine::parse(&line).expect("a valid line is parsed typed");
    assert_eq!(typed.body, body);
    assert_eq!(typed.head.seq, c.state.size);
    assert_eq!(applied_codes(&c, &line), (vec![], true));

    // Not canonical: a space, an escaped letter, a repeated key. Refused as before.
    let member = "{\"hashes\":{\"sha256\":\"0000000000000bb8";
    for bad in [
        replace(
            "\"path\":\"private/var/d000/f003000.txt\"",
            "\"path\": \"private/var/d000/f003000.txt\"",
        ),
        replace("\"type\":\"file\"}]", "\"type\":\"fil\\u0065\"}]"),
        replace(
            member,
            "{\"mtime\":0,\"hashes\":{\"sha256\":\"0000000000000bb8",
        ),
    ] {
        let (codes, typed) = applied_codes(&c, &bad);
        assert!(!typed);
        assert_eq!(
            codes,
            ["format"],
            "{}",
            String::from_utf8_lossy(&bad[..200])
        );
    }
    // Canonical, but not the body's own representation (an explicit null), or an unknown
    // member field: the body is refused, as before.
    for bad in [
        replace(
            "\"mtime\":0,\"path\":\"private/var/d000/f003000.txt\"",
            "\"link\":null,\"mtime\":0,\"path\":\"private/var/d000/f003000.txt\"",
        ),
        replace("\"type\":\"file\"}]", "\"type\":\"file\",\"zz\":1}]"),
    ] {
        let (codes, typed) = applied_codes(&c, &bad);
        assert!(!typed);
        assert!(codes.contains(&"body".to_string()), "{codes:?}");
        assert!(codes.contains(&"signature".to_string()), "{codes:?}");
    }
    // A member's hash changed: typed (canonical, its own representation), but the manifest
    // and the signature no longer hold.
    let bad = replace(
        "\"sha256\":\"0000000000000bb8",
        "\"sha256\":\"1000000000000bb8",
    );
    let (codes, typed) = applied_codes(&c, &bad);
    assert!(typed);
    assert_eq!(codes, ["body", "signature"]);
    // Another signature of the right form: typed, refused by the signature check.
    let other = c.line(BOB, &body);
    let sig = |l: &[u8]| {
        let text = String::from_utf8(l.to_vec()).unwrap();
        let at = text.find(",\"sig\":\"").unwrap() + 8;
        text[at..at + 88].to_string()
    };
    let bad = replace(&sig(&line), &sig(&other));
    let (codes, typed) = applied_codes(&c, &bad);
    assert!(typed);
    assert_eq!(codes, ["signature"]);

    c.ok(ADMIN, body);
    assert_eq!(c.state.exhibits, 1);
}

/// A signature checked ahead ([`crate::format::chain::presign`]) counts only as the check it
/// is: with the key the chain rules choose. A verdict claiming "valid" for a forged signature
/// but made with another key is ignored (the signature is checked and refused); a verdict
/// made with the right key gives the same findings as checking in order, for good and bad
/// signatures alike.
#[test]
fn a_verdict_counts_only_when_made_with_the_key_the_chain_chooses() {
    use crate::format::chain::{presign, Verdict};
    use crate::format::state::record_public_key;
    let c = Chain::sealed();
    let good = c.line(ADMIN, &note(Some("E-0001")));
    // Signed by Bob, but naming the administrator's key.
    let mut forged: Entry = serde_json::from_slice(&good).unwrap();
    forged.sign(&signing(BOB));
    forged.key = id(ADMIN);
    let forged = forged.line().unwrap();
    let public = |n: u8| signing(n).verifying_key();
    for (line, ok) in [(&good, true), (&forged, false)] {
        let in_order = c.state.clone().apply(line).findings;
        assert_eq!(in_order.is_empty(), ok, "{in_order:?}");
        // The verdict a worker makes with the named key: the same findings.
        let v = presign(line, |k| (k == id(ADMIN)).then(|| public(ADMIN))).unwrap();
        assert_eq!(v.valid, ok);
        assert_eq!(
            c.state.clone().apply_checked(line, Some(&v)).findings,
            in_order
        );
        // A lying verdict made with another key: ignored.
        let lie = Verdict {
            public: public(BOB).to_bytes(),
            valid: true,
        };
        assert_eq!(
            c.state.clone().apply_checked(line, Some(&lie)).findings,
            in_order
        );
        // No key known: no verdict.
        assert_eq!(presign(line, |_| None), None);
    }
    // A verdict is taken as given when made with the chosen key: it is the worker's check.
    let admin = record_public_key(&c.state.key(&id(ADMIN)).unwrap().record).unwrap();
    let refused = Verdict {
        public: admin.to_bytes(),
        valid: false,
    };
    let f = c
        .state
        .clone()
        .apply_checked(&good, Some(&refused))
        .findings;
    assert!(f.iter().any(|f| f.code == "signature"), "{f:?}");
}
