//! `format::timestamp_token::verify_token` on tokens made by OpenSSL's own TSA (`openssl ts
//! -query` / `-reply`) under a CA made in the test: a good token (RSA and ECDSA P-256 TSA
//! keys) verifies, as `openssl ts -verify` agrees; each alteration is refused with its own
//! error (and code), and `openssl ts -verify` refuses it too.

#[path = "common/tsa_pki.rs"]
mod tsa_pki;

use scelle::format::timestamp_token::{parse_request, verify_token, TokenError};
use tsa_pki::{Eku, KeyType, Pki};

const TEXT: &[u8] = b"scelle.example/case/test\n3\nq2Z4f3tV0Zk3y6uE0sX6s6n2o1pYb3m9c5rQ0a7L0eE=\n";
const OTHER: &[u8] = b"scelle.example/case/test\n2\nAAAAf3tV0Zk3y6uE0sX6s6n2o1pYb3m9c5rQ0a7L0eE=\n";

fn pki() -> (tempfile::TempDir, Pki) {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki::new(tmp.path());
    pki.ca("ca");
    (tmp, pki)
}

fn nonce(tsq: &[u8]) -> Vec<u8> {
    parse_request(tsq)
        .unwrap()
        .nonce
        .expect("openssl sends a nonce")
}

fn good(kind: KeyType) {
    let (_tmp, pki) = pki();
    pki.tsa("tsa", "ca", kind, Eku::Critical, None);
    let (tsq, tsr) = pki.stamp("tsa", TEXT, "good");
    let req = parse_request(&tsq).unwrap();
    assert_eq!(req.hash_algorithm, "2.16.840.1.101.3.4.2.1");
    let info = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq)))
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    assert_eq!(info.policy, "1.2.3.4.1");
    assert_eq!(info.signer, "CN=tsa");
    assert_eq!(info.serial, "02"); // openssl increments the serial file before use
    assert_eq!(info.accuracy.as_deref(), Some("1s 500ms 100us"));
    assert_eq!(
        info.nonce.as_deref(),
        Some(&*scelle::format::encoding::hex(&nonce(&tsq)))
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((info.gen_time_unix - now).abs() < 120, "{info:?}");
    assert!(info.gen_time.ends_with('Z') && info.gen_time.len() == 20);
    // openssl's verdict agrees.
    let (ok, out) = pki.openssl_verify("good", "ca", None);
    assert!(
        ok,
        "openssl ts -verify refuses a token scelle accepts: {out}"
    );
    // The TSA's own certificate given as the anchor is accepted too.
    verify_token(&tsr, TEXT, &[pki.der("tsa")], None).unwrap();
    // Without the request, the nonce is not checked.
    verify_token(&tsr, TEXT, &[pki.der("ca")], None).unwrap();
}

#[test]
fn good_token_rsa() {
    good(KeyType::Rsa);
}

#[test]
fn good_token_ecdsa_p256() {
    good(KeyType::P256);
}

#[test]
fn token_of_another_checkpoint_is_refused() {
    let (_tmp, pki) = pki();
    pki.tsa("tsa", "ca", KeyType::P256, Eku::Critical, None);
    let (tsq, tsr) = pki.stamp("tsa", OTHER, "other");
    let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
    assert!(matches!(e, TokenError::ImprintMismatch { .. }), "{e}");
    assert_eq!(e.code(), "timestamp-imprint");
    // It is a good token, of the other text.
    verify_token(&tsr, OTHER, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap();
}

#[test]
fn untrusted_tsa_is_refused() {
    let (_tmp, pki) = pki();
    pki.ca("otherca");
    pki.tsa("tsa", "otherca", KeyType::Rsa, Eku::Critical, None);
    let (tsq, tsr) = pki.stamp("tsa", TEXT, "t");
    let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
    assert!(matches!(e, TokenError::Chain { .. }), "{e}");
    assert_eq!(e.code(), "timestamp-untrusted");
    let (ok, _) = pki.openssl_verify("t", "ca", None);
    assert!(!ok, "openssl ts -verify accepts a TSA outside the CA");
    // Under its own CA it verifies: the refusal is the chain's.
    verify_token(&tsr, TEXT, &[pki.der("otherca")], Some(&nonce(&tsq))).unwrap();
    assert!(pki.openssl_verify("t", "otherca", None).0);
}

#[test]
fn tsa_certificate_without_critical_timestamping_eku_is_refused() {
    for eku in [Eku::NonCritical, Eku::None] {
        let (_tmp, pki) = pki();
        pki.tsa("tsa", "ca", KeyType::P256, eku, None);
        // OpenSSL's TSA itself refuses to sign with such a certificate: sign with a good one,
        // then swap the certificate in the token (same key), as a forger would.
        let (tsq, tsr) = stamp_with_swapped_cert(&pki, eku);
        let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
        assert!(matches!(e, TokenError::Eku(_)), "{eku:?}: {e}");
        assert_eq!(e.code(), "timestamp-untrusted");
        std::fs::write(pki.dir.join("swap.tsr"), &tsr).unwrap();
        assert!(
            !pki.openssl_verify("swap", "ca", None).0,
            "{eku:?}: openssl accepts"
        );
    }
}

/// A token by TSA certificate `good` (critical EKU; same key, issuer and serial as `tsa`)
/// whose certificate, in the token and in the ESSCertIDv2 attribute, is then replaced by
/// `tsa` (EKU `eku`) and whose signed attributes are re-signed with the key: a token
/// genuinely signed by the key, which OpenSSL's TSA itself would refuse to make with `tsa`.
fn stamp_with_swapped_cert(pki: &Pki, eku: Eku) -> (Vec<u8>, Vec<u8>) {
    let dir = &pki.dir;
    let serial = String::from_utf8(tsa_pki::openssl(
        dir,
        &["x509", "-in", "tsa.pem", "-noout", "-serial"],
    ))
    .unwrap();
    std::fs::write(
        dir.join("ca.srl"),
        format!("{}\n", serial.trim().trim_start_matches("serial=")),
    )
    .unwrap();
    tsa_pki::openssl(
        dir,
        &[
            "req", "-new", "-key", "tsa.key", "-subj", "/CN=tsa", "-config", "ext.cnf", "-out",
            "good.csr",
        ],
    );
    std::fs::write(dir.join("index.txt"), "").unwrap();
    tsa_pki::openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "ext.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "good.csr",
            "-out",
            "good.pem",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "tsa_critical",
            "-days",
            "1825",
            "-notext",
        ],
    );
    let cfg = std::fs::read_to_string(dir.join("tsa.tsa.cnf"))
        .unwrap()
        .replace("signer_cert = tsa.pem", "signer_cert = good.pem")
        .replace("serial = tsa.serial", "serial = good.serial");
    std::fs::write(dir.join("good.tsa.cnf"), cfg).unwrap();
    std::fs::write(dir.join("good.serial"), "01\n").unwrap();
    let (tsq, tsr) = pki.stamp("good", TEXT, "swap");
    // The good token verifies: what follows is the only change.
    verify_token(&tsr, TEXT, &[pki.der("ca")], None).unwrap();
    let good_der = pki.der("good");
    let bad_der = pki.der("tsa");
    assert_ne!(good_der, bad_der, "{eku:?}");
    // The certificate in the token's certificates.
    let path = signer_info_path(&tsr);
    let sd = path[3];
    let certs = kids(&tsr, sd)
        .into_iter()
        .find(|p| tsr[*p] == 0xa0)
        .unwrap();
    let at = kids(&tsr, certs)
        .into_iter()
        .find(|p| {
            let (_, h, l) = tlv(&tsr, *p);
            tsr[*p..*p + h + l] == good_der[..]
        })
        .expect("the signer certificate is in the token");
    let swapped = splice(&tsr, &[0, path[1], path[2], sd, certs], at, bad_der.clone());
    // The ESSCertIDv2 hash (SHA-256 of the certificate; same length).
    use sha2::Digest;
    let swapped = replace(
        &swapped,
        &sha2::Sha256::digest(&good_der),
        &sha2::Sha256::digest(&bad_der),
    );
    (tsq, resign(pki, &swapped))
}

/// Replaces the element at `target` (a child of the last of `ancestors`, each a child of
/// the previous one, the first the outermost) by `new` (a whole TLV), re-encoding the
/// lengths of every ancestor.
fn splice(b: &[u8], ancestors: &[usize], target: usize, new: Vec<u8>) -> Vec<u8> {
    let (_, h, l) = tlv(b, target);
    let mut inner = new;
    let mut start = target;
    let mut end = target + h + l;
    for &anc in ancestors.iter().rev() {
        let (tag, ah, al) = tlv(b, anc);
        let mut content = b[anc + ah..start].to_vec();
        content.extend(&inner);
        content.extend(&b[end..anc + ah + al]);
        let mut enc = vec![tag];
        enc.extend(encode_len(content.len()));
        enc.extend(content);
        inner = enc;
        start = anc;
        end = anc + ah + al;
    }
    inner
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = hay
        .windows(from.len())
        .position(|w| w == from)
        .expect("bytes to replace are in the token");
    let mut out = hay.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

/// Re-signs the signed attributes of an ECDSA token with `tsa.key` (openssl pkeyutl), and
/// puts the new signature (of any length) in place, fixing the enclosing DER lengths.
fn resign(pki: &Pki, tsr: &[u8]) -> Vec<u8> {
    let (attrs_at, attrs_len) = signed_attrs_span(tsr);
    let mut to_sign = tsr[attrs_at..attrs_at + attrs_len].to_vec();
    to_sign[0] = 0x31;
    std::fs::write(pki.dir.join("attrs.der"), &to_sign).unwrap();
    let sig = tsa_pki::openssl(
        &pki.dir,
        &["dgst", "-sha256", "-sign", "tsa.key", "attrs.der"],
    );
    rebuild_with_signature(tsr, &sig)
}

/// DER walking for the tests: (tag, header length, content length) at `pos`.
fn tlv(b: &[u8], pos: usize) -> (u8, usize, usize) {
    let first = b[pos + 1];
    if first < 0x80 {
        (b[pos], 2, first as usize)
    } else {
        let n = (first & 0x7f) as usize;
        let len = b[pos + 2..pos + 2 + n]
            .iter()
            .fold(0usize, |a, x| (a << 8) | *x as usize);
        (b[pos], 2 + n, len)
    }
}

fn kids(b: &[u8], pos: usize) -> Vec<usize> {
    let (_, h, l) = tlv(b, pos);
    let mut out = Vec::new();
    let mut p = pos + h;
    while p < pos + h + l {
        out.push(p);
        let (_, h2, l2) = tlv(b, p);
        p += h2 + l2;
    }
    out
}

/// The path TimeStampResp > token ContentInfo > [0] > SignedData > signerInfos > SignerInfo.
fn signer_info_path(tsr: &[u8]) -> Vec<usize> {
    let ci = kids(tsr, 0)[1];
    let explicit = kids(tsr, ci)[1];
    let sd = kids(tsr, explicit)[0];
    let infos = *kids(tsr, sd).last().unwrap();
    let si = kids(tsr, infos)[0];
    vec![0, ci, explicit, sd, infos, si]
}

fn signed_attrs_span(tsr: &[u8]) -> (usize, usize) {
    let si = *signer_info_path(tsr).last().unwrap();
    let at = kids(tsr, si).into_iter().find(|p| tsr[*p] == 0xa0).unwrap();
    let (_, h, l) = tlv(tsr, at);
    (at, h + l)
}

fn encode_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        vec![len as u8]
    } else if len < 0x100 {
        vec![0x81, len as u8]
    } else if len < 0x10000 {
        vec![0x82, (len >> 8) as u8, len as u8]
    } else {
        vec![0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]
    }
}

/// The response with the SignerInfo's signature (its last element: OpenSSL's tokens have
/// no unsigned attributes) replaced by `sig`.
fn rebuild_with_signature(tsr: &[u8], sig: &[u8]) -> Vec<u8> {
    let path = signer_info_path(tsr);
    let si = *path.last().unwrap();
    let sig_at = *kids(tsr, si).last().unwrap();
    let mut new = vec![0x04];
    new.extend(encode_len(sig.len()));
    new.extend(sig);
    splice(tsr, &path, sig_at, new)
}

#[test]
fn tsa_certificate_not_valid_at_gen_time_is_refused() {
    for (what, dates) in [
        ("expired", ("20200101000000Z", "20210101000000Z")),
        ("not yet valid", ("20400101000000Z", "20410101000000Z")),
    ] {
        let (_tmp, pki) = pki();
        pki.tsa("tsa", "ca", KeyType::Rsa, Eku::Critical, Some(dates));
        let (tsq, tsr) = pki.stamp("tsa", TEXT, "t");
        let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
        assert!(
            matches!(e, TokenError::NotValidAtGenTime { .. }),
            "{what}: {e}"
        );
        assert_eq!(e.code(), "timestamp-untrusted");
        assert!(
            !pki.openssl_verify("t", "ca", None).0,
            "{what}: openssl accepts"
        );
    }
}

#[test]
fn flipped_signature_byte_is_refused() {
    for kind in [KeyType::Rsa, KeyType::P256] {
        let (_tmp, pki) = pki();
        pki.tsa("tsa", "ca", kind, Eku::Critical, None);
        let (tsq, mut tsr) = pki.stamp("tsa", TEXT, "t");
        // OpenSSL's tokens end with the SignerInfo's signature (no unsigned attributes).
        let last = tsr.len() - 1;
        tsr[last] ^= 0x01;
        std::fs::write(pki.dir.join("t.tsr"), &tsr).unwrap();
        let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
        assert!(matches!(e, TokenError::BadSignature(_)), "{kind:?}: {e}");
        assert_eq!(e.code(), "timestamp-signature");
        assert!(
            !pki.openssl_verify("t", "ca", None).0,
            "{kind:?}: openssl accepts"
        );
    }
}

#[test]
fn altered_tst_info_is_refused_by_message_digest() {
    let (_tmp, pki) = pki();
    pki.tsa("tsa", "ca", KeyType::P256, Eku::Critical, None);
    let (tsq, tsr) = pki.stamp("tsa", TEXT, "t");
    // The policy OID 1.2.3.4.1 becomes 1.2.3.4.5 in the TSTInfo (the signed attributes,
    // and so the signature, are untouched).
    let altered = replace(
        &tsr,
        &[0x06, 0x04, 0x2a, 0x03, 0x04, 0x01],
        &[0x06, 0x04, 0x2a, 0x03, 0x04, 0x05],
    );
    let e = verify_token(&altered, TEXT, &[pki.der("ca")], Some(&nonce(&tsq))).unwrap_err();
    assert_eq!(e, TokenError::MessageDigest);
    assert_eq!(e.code(), "timestamp-signature");
    std::fs::write(pki.dir.join("t.tsr"), &altered).unwrap();
    assert!(
        !pki.openssl_verify("t", "ca", None).0,
        "openssl accepts an altered TSTInfo"
    );
}

#[test]
fn different_nonce_is_refused() {
    let (_tmp, pki) = pki();
    pki.tsa("tsa", "ca", KeyType::P256, Eku::Critical, None);
    let (_, tsr) = pki.stamp("tsa", TEXT, "t");
    let (other_tsq, _) = pki.stamp("tsa", TEXT, "u");
    let e = verify_token(&tsr, TEXT, &[pki.der("ca")], Some(&nonce(&other_tsq))).unwrap_err();
    assert!(matches!(e, TokenError::NonceMismatch { .. }), "{e}");
    assert_eq!(e.code(), "timestamp-nonce");
    std::fs::copy(pki.dir.join("u.tsq"), pki.dir.join("t.tsq")).unwrap();
    assert!(
        !pki.openssl_verify("t", "ca", None).0,
        "openssl accepts another nonce"
    );
}

#[test]
fn garbage_and_refusals_are_format_errors() {
    let (_tmp, pki) = pki();
    pki.tsa("tsa", "ca", KeyType::P256, Eku::Critical, None);
    let (_, tsr) = pki.stamp("tsa", TEXT, "t");
    for bad in [&b""[..], b"not der", &tsr[..tsr.len() - 1]] {
        let e = verify_token(bad, TEXT, &[pki.der("ca")], None).unwrap_err();
        assert_eq!(e.code(), "timestamp-format", "{e}");
    }
    // A rejection (status 2, "no\x1b!"): refused, its text escaped.
    let rejection = [
        0x30, 0x0d, 0x30, 0x0b, 0x02, 0x01, 0x02, 0x30, 0x06, 0x0c, 0x04, b'n', b'o', 0x1b, b'!',
    ];
    let e = verify_token(&rejection, TEXT, &[pki.der("ca")], None).unwrap_err();
    assert!(matches!(e, TokenError::NotGranted { .. }), "{e}");
    assert_eq!(e.code(), "timestamp-format");
    assert!(!e.to_string().contains('\x1b'), "{e}");
}
