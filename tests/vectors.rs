//! Known-answer vectors: RFC 6962 hashes and proofs, C2SP signed notes and checkpoints
//! (tests/data/vectors, provenance in PROVENANCE.md).

use ed25519_dalek::SigningKey;
use scelle::format::encoding::{b64, hex, unb64};
use scelle::format::merkle::{self, Hash};
use scelle::format::note::{parse_verifier_key, verifier_key, Checkpoint, Note};
use serde_json::Value;

fn load(name: &str) -> Value {
    let p = format!("{}/tests/data/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

fn h(s: &Value) -> Hash {
    let s = s.as_str().unwrap();
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn leaves(v: &Value) -> Vec<Hash> {
    v["leaf_inputs_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| merkle::leaf_hash(&bytes(x.as_str().unwrap())))
        .collect()
}

#[test]
fn rfc6962_leaf_hashes_and_roots() {
    let v = load("rfc6962.json");
    let l = leaves(&v);
    for (i, want) in v["leaf_hashes_hex"].as_array().unwrap().iter().enumerate() {
        assert_eq!(l[i], h(want), "leaf {i}");
    }
    let mut frontier = merkle::Frontier::new();
    for (size, want) in v["roots_hex_by_size"].as_object().unwrap() {
        let n: usize = size.parse().unwrap();
        assert_eq!(merkle::root_of(&l[..n]), h(want), "root of {n}");
    }
    for (i, leaf) in l.iter().enumerate() {
        frontier.push(*leaf);
        assert_eq!(
            frontier.root(),
            h(&v["roots_hex_by_size"][(i + 1).to_string()])
        );
    }
    let single = &v["single"];
    assert_eq!(
        hex(&merkle::leaf_hash(b"L123456")),
        single["HashLeaf(\"L123456\")"].as_str().unwrap()
    );
    // HashChildren("N123","N456") in the Go tests hashes the ASCII strings as children.
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut hasher, [1u8]);
    sha2::Digest::update(&mut hasher, b"N123");
    sha2::Digest::update(&mut hasher, b"N456");
    let want: [u8; 32] = sha2::Digest::finalize(hasher).into();
    assert_eq!(
        hex(&want),
        single["HashChildren(\"N123\",\"N456\")"].as_str().unwrap()
    );
    // node_hash is the same construction over 32-byte children.
    let (a, b) = (l[0], l[1]);
    assert_eq!(merkle::node_hash(&a, &b), merkle::root_of(&l[..2]));
}

#[test]
fn rfc6962_inclusion_proofs_generate_and_verify() {
    let v = load("rfc6962.json");
    let l = leaves(&v);
    let cases = v["inclusion"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let (i, n) = (
            c["leaf_index"].as_u64().unwrap(),
            c["tree_size"].as_u64().unwrap(),
        );
        let want: Vec<Hash> = c["path_hex"].as_array().unwrap().iter().map(h).collect();
        let got = merkle::inclusion_proof(&l[..n as usize], i as usize).unwrap();
        assert_eq!(got, want, "path of {i} in {n}");
        let root = merkle::root_of(&l[..n as usize]);
        merkle::verify_inclusion(i, n, &l[i as usize], &want, &root).unwrap();
        // Another leaf, or a truncated path, must fail.
        if n > 1 {
            let other = &l[(i as usize + 1) % n as usize];
            assert!(merkle::verify_inclusion(i, n, other, &want, &root).is_err());
        }
        if !want.is_empty() {
            assert!(
                merkle::verify_inclusion(i, n, &l[i as usize], &want[..want.len() - 1], &root)
                    .is_err()
            );
        }
    }
}

#[test]
fn rfc6962_consistency_proofs_generate_and_verify() {
    let v = load("rfc6962.json");
    let l = leaves(&v);
    let cases = v["consistency"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let (m, n) = (c["size1"].as_u64().unwrap(), c["size2"].as_u64().unwrap());
        let want: Vec<Hash> = c["proof_hex"].as_array().unwrap().iter().map(h).collect();
        let got = merkle::consistency_proof(&l[..n as usize], m as usize).unwrap();
        assert_eq!(got, want, "consistency {m} -> {n}");
        let (r1, r2) = (
            merkle::root_of(&l[..m as usize]),
            merkle::root_of(&l[..n as usize]),
        );
        merkle::verify_consistency(m, n, &r1, &r2, &want).unwrap();
        if m != n {
            assert!(merkle::verify_consistency(m, n, &r2, &r1, &want).is_err());
        }
    }
}

/// Decodes a C2SP `PRIVATE+KEY+name+id+base64(0x01 || seed)` string.
fn private_key(s: &str) -> (String, SigningKey) {
    let parts: Vec<&str> = s.splitn(5, '+').collect();
    assert_eq!(&parts[..2], ["PRIVATE", "KEY"]);
    let raw = unb64(parts[4]).unwrap();
    assert_eq!(raw[0], 1);
    (
        parts[2].to_string(),
        SigningKey::from_bytes(&raw[1..].try_into().unwrap()),
    )
}

#[test]
fn c2sp_signed_note_vectors_verify_and_sign_identically() {
    let v = load("signed-note.json");
    let vectors = v["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 4);
    for vec in vectors {
        let what = vec["what"].as_str().unwrap();
        let (name, public) = parse_verifier_key(vec["verifier_key"].as_str().unwrap()).expect(what);
        assert_eq!(
            verifier_key(&name, &public),
            vec["verifier_key"].as_str().unwrap()
        );
        let text = vec["text"].as_str().unwrap();
        let sig_line = vec["signature_line"].as_str().unwrap();
        let note = Note::parse(&format!("{text}\n{sig_line}")).expect(what);
        assert_eq!(note.text, text);
        assert!(
            note.signatures[0].verifies(&note.text, &name, &public),
            "{what}"
        );
        // One changed byte of text no longer verifies.
        assert!(!note.signatures[0].verifies(&text.replacen('e', "E", 1), &name, &public));
        if let Some(pk) = vec["private_key"].as_str() {
            let (pname, key) = private_key(pk);
            assert_eq!(pname, name);
            let signed = Note::sign(text, &name, &key).unwrap();
            assert_eq!(
                signed.signatures[0].line(),
                sig_line,
                "{what}: deterministic signature"
            );
        }
    }
}

#[test]
fn c2sp_checkpoint_vector_matches_rfc6962_root() {
    let notes = load("signed-note.json");
    let tree = load("rfc6962.json");
    let vec = &notes["vectors"][3];
    let cp = Checkpoint::parse_text(vec["text"].as_str().unwrap()).unwrap();
    assert_eq!(cp.origin, "example.com/evidence-ledger");
    assert_eq!(cp.size, 8);
    assert_eq!(cp.root, h(&tree["roots_hex_by_size"]["8"]));
    assert_eq!(cp.text(), vec["text"].as_str().unwrap());
    assert_eq!(
        b64(&cp.root),
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
    );
}

#[test]
fn malformed_notes_and_checkpoints_are_rejected() {
    for bad in [
        "no newline",
        "text\n",
        "text\n\n",
        "text\n\n- name AAAA\n",
        "text\n\n\u{2014} na me AAAAAAAA\n",
        "text\n\n\u{2014} name !!!!\n",
    ] {
        assert!(Note::parse(bad).is_err(), "{bad:?}");
    }
    for bad in [
        "o\n8\n",
        "o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
        "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
        "o\n8\nAAAA\n",
    ] {
        assert!(Checkpoint::parse_text(bad).is_err(), "{bad:?}");
    }
}
