#!/usr/bin/env python3
"""verifier/verify.html in headless Chromium, against `scelle verify-bundle` and the independent
verify_bundle.py, on a genuine evidence bundle and on tampered and hostile ones.

For each bundle the page is opened from file://, the bundle is given to its file input, and the
page's verdict (OK / FAILED) must be verify-bundle's; its error codes must be those of
verify_bundle.py (which the page ports) and of verify-bundle. While it runs, the page must make
no network request (Chrome's performance log: only the file:// page and data: URLs) and log no
console error. Screenshots of an OK and a FAILED bundle in English, French and Spanish are
written to the output folder.

Needs: chromium and chromium-driver (Debian packages), selenium (PyPI; the repository's
target/pyenv, as ./test sets it up), python3, tar, openssl, and a scelle binary.

Usage:
    target/pyenv/bin/python tests/browser/test_verify_html.py [--scelle PATH] [--out DIR] [-v]
or with the environment: SCELLE_BIN, BROWSER_TEST_OUT (then unittest's own options work too).
Defaults: target/release/scelle (else `scelle` on PATH), target/browser-test.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "verifier" / "verify.html"
KIT = ROOT / "tests" / "independent" / "verify_bundle.py"
DEMO_PASSPHRASE = "demo passphrase, not a secret"  # src/demo.rs: the demo keys protect nothing

SCELLE = os.environ.get("SCELLE_BIN") or (
    str(ROOT / "target" / "release" / "scelle") if (ROOT / "target" / "release" / "scelle").exists()
    else shutil.which("scelle") or "scelle")
OUT = pathlib.Path(os.environ.get("BROWSER_TEST_OUT") or ROOT / "target" / "browser-test")
# tests/browser.rs timestamp_fixtures: timestamped.tar, backdated.tar and the PKI (pki/) that
# signed their tokens (RFC 3161, FORMAT.md 8.6); without it only the demo's tokens are checked.
TIMESTAMPS = os.environ.get("BROWSER_TEST_TIMESTAMPS")


def sh(args, cwd=None, env=None, check=True):
    done = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and done.returncode != 0:
        raise RuntimeError(f"{args}: exit {done.returncode}\n{done.stdout.decode()}\n{done.stderr.decode()}")
    return done


# ---------------------------------------------------------------------------------------------
# The bundles: scelle's demo case exported, then altered as tests/bundle.rs and tests/kit_hostile.rs do
# ---------------------------------------------------------------------------------------------

def untar(bundle, into):
    into.mkdir(parents=True)
    sh(["tar", "-xf", str(bundle)], cwd=into)


def retar(folder, bundle):
    sh(["tar", "-cf", str(bundle), "."], cwd=folder)


def rehash_manifest(x):
    """What a forger who knows BagIt does: recompute both manifests (tests/bundle.rs)."""
    files = sorted((p.relative_to(x).as_posix() for p in (x / "data").rglob("*") if p.is_file()),
                   key=lambda s: s.encode())
    (x / "manifest-sha256.txt").write_text("".join(
        f"{hashlib.sha256((x / f).read_bytes()).hexdigest()}  {f}\n" for f in files))
    (x / "tagmanifest-sha256.txt").write_text("".join(
        f"{hashlib.sha256((x / f).read_bytes()).hexdigest()}  {f}\n"
        for f in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "VERIFY.md", "bag-signer.pub")
        if (x / f).exists()))


def resign(x, key, passphrase=DEMO_PASSPHRASE):
    sh(["openssl", "pkeyutl", "-sign", "-inkey", str(key), "-passin", f"pass:{passphrase}", "-rawin",
        "-in", "tagmanifest-sha256.txt", "-out", "tagmanifest-sha256.txt.sig"], cwd=x)


def resign_as_stranger(x, work):
    """A key the ledger does not enrol: its public key and fingerprint put in the bag."""
    key = work / "stranger.pem"
    if not key.exists():
        sh(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)])
    sh(["openssl", "pkey", "-in", str(key), "-pubout", "-out", "bag-signer.pub"], cwd=x)
    der = sh(["openssl", "pkey", "-pubin", "-in", "bag-signer.pub", "-outform", "DER"], cwd=x).stdout
    fp = hashlib.sha256(der[-32:]).hexdigest()
    info = x / "bag-info.txt"
    info.write_text("".join(
        "Scelle-Signer: stranger\n" if l.startswith("Scelle-Signer: ")
        else f"Scelle-Signer-Fingerprint: {fp}\n" if l.startswith("Scelle-Signer-Fingerprint: ")
        else l + "\n" for l in info.read_text().split("\n")[:-1]))
    rehash_manifest(x)
    resign(x, key, passphrase="")


def edit(path, f):
    path.write_bytes(f(path.read_bytes()))


def flip(path, at):
    b = bytearray(path.read_bytes())
    b[at if at >= 0 else len(b) + at] ^= 1
    path.write_bytes(bytes(b))


def lines_edit(path, f):
    lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"".join(l + b"\n" for l in f(lines)))


def hostile_tar(kind, out):
    """tests/bundle.rs hostile_bundles_are_refused."""
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
        def add(name, data=b"x", **kw):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            for k, v in kw.items():
                setattr(ti, k, v)
            t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
        add("bagit.txt", b"BagIt-Version: 1.0\n")
        if kind == "traversal":
            add("data/../../escaped.txt")
        if kind == "absolute":
            add("/tmp/scelle-absolute-escape.txt")
        if kind == "symlink":
            add("data/link", type=tarfile.SYMTYPE, linkname="/etc", size=0)
            add("data/link/passwd")
        if kind == "hardlink":
            add("data/h", type=tarfile.LNKTYPE, linkname="/etc/passwd", size=0)
        if kind == "device":
            add("data/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3, size=0)
        if kind == "duplicate":
            add("data/a.txt", b"first")
            add("data/a.txt", b"second")


def make_bundles(work):
    """[(name, path)] of the bundles the test checks; the first is genuine."""
    demo = work / "demo"
    sh([SCELLE, "demo", str(demo)])
    env = dict(os.environ, SCELLE_PASSPHRASE=DEMO_PASSPHRASE)
    key = demo / "keys" / "expert.key"
    good = work / "ok.tar"
    sh([SCELLE, "-C", str(demo / "case"), "export", "--out", str(good), "--with-artifacts",
        "--report", str(demo / "reports" / "us" / "certificate-en.pdf"),
        "--key", str(key), "--no-timestamp", "--no-witness"], env=env)
    # A bundle without artifacts, exported after the first one (its export entry in the ledger).
    light = work / "ok-no-artifacts.tar"
    sh([SCELLE, "-C", str(demo / "case"), "export", "--out", str(light), "--key", str(key),
        "--no-timestamp", "--no-witness"], env=env)
    bundles = [("ok", good), ("ok-no-artifacts", light)]
    led = "data/case/ledger.jsonl"
    art = lambda x: next(p for p in sorted((x / "data/artifacts/E-0003").rglob("*")) if p.is_file())

    def rs(x):  # manifests recomputed and re-signed by the case's administrator
        rehash_manifest(x)
        resign(x, key)

    tampers = [
        ("artifact-byte", lambda x: flip(art(x), 10)),
        ("artifact-replaced-rehashed", lambda x: (art(x).write_bytes(b"forged\n"), rehash_manifest(x))),
        ("ledger-byte", lambda x: flip(x / led, 200)),
        ("ledger-byte-rehashed", lambda x: (edit(x / led, lambda b: b.replace(b"iphone-ffs", b"iphone-fFs", 1)), rehash_manifest(x))),
        ("ledger-byte-resigned", lambda x: (edit(x / led, lambda b: b.replace(b"iphone-ffs", b"iphone-fFs", 1)), rs(x))),
        ("ledger-last-line-dropped-resigned", lambda x: (lines_edit(x / led, lambda l: l[:-1]), rs(x))),
        ("ledger-middle-line-dropped-resigned", lambda x: (lines_edit(x / led, lambda l: l[:3] + l[4:]), rs(x))),
        ("ledger-line-duplicated-resigned", lambda x: (lines_edit(x / led, lambda l: l[:3] + [l[2]] + l[3:]), rs(x))),
        ("ledger-lines-swapped-resigned", lambda x: (lines_edit(x / led, lambda l: [l[0], l[2], l[1]] + l[3:]), rs(x))),
        ("ledger-torn-tail-resigned", lambda x: (edit(x / led, lambda b: b + b'{"body":'), rs(x))),
        ("ledger-whitespace-resigned", lambda x: (edit(x / led, lambda b: b.replace(b'{"body":', b'{ "body":', 1)), rs(x))),
        ("signature-byte", lambda x: flip(x / "tagmanifest-sha256.txt.sig", 3)),
        ("signature-removed", lambda x: (x / "tagmanifest-sha256.txt.sig").unlink()),
        ("signer-key-removed", lambda x: (x / "bag-signer.pub").unlink()),
        ("resigned-by-stranger", lambda x: resign_as_stranger(x, work)),
        ("manifest-byte", lambda x: edit(x / "manifest-sha256.txt", lambda b: (b[:5] + (b"0" if b[5:6] != b"0" else b"1") + b[6:]))),
        ("tagmanifest-byte", lambda x: edit(x / "tagmanifest-sha256.txt", lambda b: (b[:5] + (b"0" if b[5:6] != b"0" else b"1") + b[6:]))),
        ("bag-info-edited", lambda x: edit(x / "bag-info.txt", lambda b: b.replace(b"External-Description: Apple", b"External-Description: Apples"))),
        ("bag-info-identifier-resigned", lambda x: (edit(x / "bag-info.txt", lambda b: b.replace(b"External-Identifier: 3:21", b"External-Identifier: 4:21")), rs(x))),
        ("payload-oxum-resigned", lambda x: (edit(x / "bag-info.txt", lambda b: re.sub(rb"Payload-Oxum: (\d+)", lambda m: b"Payload-Oxum: %d" % (int(m.group(1)) + 1), b)), rs(x))),
        ("ledger-size-resigned", lambda x: (edit(x / "bag-info.txt", lambda b: re.sub(rb"Scelle-Ledger-Size: (\d+)", lambda m: b"Scelle-Ledger-Size: %d" % (int(m.group(1)) + 1), b)), rs(x))),
        ("verify-md-rewritten-rehashed", lambda x: ((x / "VERIFY.md").write_text("Run `sh data/kit/install.sh`.\n"), rehash_manifest(x))),
        ("member-added", lambda x: (x / "data/case/keys/intruder.pub").write_bytes(b"x")),
        ("member-added-resigned", lambda x: ((x / "data/case/keys/intruder.pub").write_bytes(b"x"), rs(x))),
        ("tag-file-added", lambda x: (x / "README.txt").write_bytes(b"trust me\n")),
        ("empty-dir-added", lambda x: (x / "evil").mkdir()),
        ("empty-dir-in-case", lambda x: (x / "data/case/torn").mkdir()),
        ("checkpoint-removed", lambda x: (x / "data/case/checkpoints/000000000003.txt").unlink()),
        ("checkpoint-root-altered-resigned", lambda x: (edit(x / "data/case/checkpoints/000000000002.txt", _alter_root), rs(x))),
        ("checkpoint-signature-altered-resigned", lambda x: (edit(x / "data/case/checkpoints/000000000004.txt", _alter_signature), rs(x))),
        ("checkpoint-removed-resigned", lambda x: ([p.unlink() for p in (x / "data/case/checkpoints").glob("0000000000*") if int(p.name[:12]) > 8], rs(x))),
        ("proof-path-altered-resigned", lambda x: (edit(x / "data/proofs/E-0001.json", _alter_proof_path), rs(x))),
        ("proof-swapped-resigned", lambda x: (shutil.copy(x / "data/proofs/E-0002.json", x / "data/proofs/E-0001.json"), rs(x))),
        ("artifact-removed-resigned", lambda x: (art(x).unlink(), rs(x))),
        ("artifact-file-planted-resigned", lambda x: ((x / "data/artifacts/E-0002/sysdiagnose-logs/planted.log").write_bytes(b"x\n"), rs(x))),
        ("artifact-replaced-resigned", lambda x: (art(x).write_bytes(b"forged\n"), rs(x))),
        ("report-swapped-resigned", lambda x: ((x / "data/reports/certificate-en.pdf").write_bytes(b"%PDF-1.7 forged"), rs(x))),
        ("ledger-index-carried-resigned", lambda x: ((x / "data/case/ledger.index").write_bytes(b"{}"), rs(x))),
        ("ioc-copy-altered-resigned", lambda x: (flip(next((x / "data/case/ioc").iterdir()), 100), rs(x))),
        ("case-json-altered-resigned", lambda x: (edit(x / "data/case/case.json", lambda b: b.replace(b"Apple", b"Pear")), rs(x))),
        ("checkpoint-stray-resigned", lambda x: ((x / "data/case/checkpoints/notes.txt").write_bytes(b"hello\n"), rs(x))),
        # the demo's local TSA: the last byte of a token's ECDSA signature
        ("demo-timestamp-signature-resigned", lambda x: (flip(sorted((x / "data/case/checkpoints").glob("*.tsr"))[0], -1), rs(x))),
    ]
    for name, tamper in tampers:
        x = work / "x" / name
        untar(good, x)
        tamper(x)
        bad = work / f"{name}.tar"
        retar(x, bad)
        bundles.append((name, bad))
    # A seal whose members are in a member file (FORMAT.md 6.2): a folder of 12,000 files sealed
    # in a copy of the case, exported with its artifacts; then the member file altered.
    folder = work / "many" / "dir"
    for i in range(12000):
        sub = folder / f"sub{i % 50:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"file-with-a-longish-name-{i:06d}.txt").write_text(f"content {i}\n")
    many_case = work / "many" / "case"
    shutil.copytree(demo / "case", many_case)
    sh([SCELLE, "-C", str(many_case), "seal", str(folder), "--key", str(key), "--no-timestamp", "--no-witness"], env=env)
    many = work / "member-file.tar"
    sh([SCELLE, "-C", str(many_case), "export", "--out", str(many), "--with-artifacts", "--exhibits", "E-0005",
        "--key", str(key), "--no-timestamp", "--no-witness"], env=env)
    bundles.append(("member-file", many))
    x = work / "x" / "member-file-byte-resigned"
    untar(many, x)
    flip(next((x / "data/case/members").iterdir()), 500)
    rs(x)
    retar(x, work / "member-file-byte-resigned.tar")
    bundles.append(("member-file-byte-resigned", work / "member-file-byte-resigned.tar"))
    for kind in ("traversal", "absolute", "symlink", "hardlink", "device", "duplicate"):
        bad = work / f"hostile-{kind}.tar"
        hostile_tar(kind, bad)
        bundles.append((f"hostile-{kind}", bad))
    if TIMESTAMPS:
        bundles += timestamp_bundles(work, TIMESTAMPS)
    return bundles


def checkpoint_text(x, size):
    """The note text of checkpoint SIZE in bundle folder X: its three lines."""
    note = (x / f"data/case/checkpoints/{size:012}.txt").read_bytes()
    return b"".join(l + b"\n" for l in note.split(b"\n")[:3])


def ts_request(pki, text):
    """A fresh TimeStampReq (SHA-256 of TEXT, a random nonce), made by openssl in PKI."""
    sh(["openssl", "ts", "-query", "-digest", hashlib.sha256(text).hexdigest(), "-sha256", "-cert",
        "-out", "browser.tsq"], cwd=pki)
    return (pki / "browser.tsq").read_bytes()


def ts_stamp(pki, tsa, text):
    """(request, response): TEXT timestamped by PKI certificate TSA (OpenSSL's TSA, its
    configuration TSA.tsa.cnf of tests/common/tsa_pki.rs)."""
    tsq = ts_request(pki, text)
    sh(["openssl", "ts", "-reply", "-config", f"{tsa}.tsa.cnf", "-queryfile", "browser.tsq",
        "-out", "browser.tsr"], cwd=pki)
    return tsq, (pki / "browser.tsr").read_bytes()


def fix_oxum(x):
    files = [p for p in (x / "data").rglob("*") if p.is_file()]
    oxum = f"Payload-Oxum: {sum(p.stat().st_size for p in files)}.{len(files)}".encode()
    edit(x / "bag-info.txt", lambda b: re.sub(rb"Payload-Oxum: [0-9.]+", oxum, b))


# DER walking, to swap a certificate in a token (tests/timestamp_token.rs stamp_with_swapped_cert)
def der_tlv(b, pos):
    first = b[pos + 1]
    if first < 0x80:
        return b[pos], 2, first
    n = first & 0x7f
    return b[pos], 2 + n, int.from_bytes(b[pos + 2:pos + 2 + n], "big")


def der_kids(b, pos):
    _, h, l = der_tlv(b, pos)
    out, p = [], pos + h
    while p < pos + h + l:
        out.append(p)
        _, h2, l2 = der_tlv(b, p)
        p += h2 + l2
    return out


def der_len(n):
    return bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")


def der_splice(b, ancestors, target, new):
    """B with the element at TARGET (a child of the last of ANCESTORS) replaced by NEW (a whole
    TLV), every ancestor's length re-encoded."""
    _, h, l = der_tlv(b, target)
    inner, start, end = new, target, target + h + l
    for anc in reversed(ancestors):
        tag, ah, al = der_tlv(b, anc)
        content = b[anc + ah:start] + inner + b[end:anc + ah + al]
        inner, start, end = bytes([tag]) + der_len(len(content)) + content, anc, anc + ah + al
    return inner


def signer_info_path(tsr):
    """TimeStampResp > ContentInfo > [0] > SignedData > signerInfos > SignerInfo."""
    ci = der_kids(tsr, 0)[1]
    explicit = der_kids(tsr, ci)[1]
    sd = der_kids(tsr, explicit)[0]
    infos = der_kids(tsr, sd)[-1]
    return [0, ci, explicit, sd, infos, der_kids(tsr, infos)[0]]


def stamp_with_swapped_cert(pki, tsa, text):
    """A token of TEXT genuinely signed by the key of PKI certificate TSA (whose timeStamping
    usage is not critical, or absent: OpenSSL's TSA refuses to sign with it), as a forger makes
    it: OpenSSL's TSA signs with a twin certificate (same key, issuer and serial, the usage
    critical), then TSA's certificate replaces the twin in the token and in its ESSCertIDv2,
    and the signed attributes are signed again with the key."""
    serial = sh(["openssl", "x509", "-in", f"{tsa}.pem", "-noout", "-serial"], cwd=pki).stdout.decode().strip()
    (pki / "ca.srl").write_text(serial.split("=", 1)[1] + "\n")
    sh(["openssl", "req", "-new", "-key", f"{tsa}.key", "-subj", f"/CN={tsa}", "-config", "ext.cnf", "-out", "twin.csr"], cwd=pki)
    (pki / "index.txt").write_text("")
    sh(["openssl", "ca", "-batch", "-config", "ext.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "twin.csr",
        "-out", "twin.pem", "-extfile", "ext.cnf", "-extensions", "tsa_critical", "-days", "1825", "-notext"], cwd=pki)
    cfg = (pki / f"{tsa}.tsa.cnf").read_text().replace(f"signer_cert = {tsa}.pem", "signer_cert = twin.pem")
    (pki / "twin.tsa.cnf").write_text(cfg.replace(f"serial = {tsa}.serial", "serial = twin.serial"))
    (pki / "twin.serial").write_text("01\n")
    tsq, tsr = ts_stamp(pki, "twin", text)
    der = lambda name: sh(["openssl", "x509", "-in", name, "-outform", "DER"], cwd=pki).stdout
    twin, cert = der("twin.pem"), der(f"{tsa}.pem")
    path = signer_info_path(tsr)
    sd = path[3]
    certs = next(p for p in der_kids(tsr, sd) if tsr[p] == 0xa0)
    at = next(p for p in der_kids(tsr, certs) if tsr[p:p + len(twin)] == twin)
    tsr = der_splice(tsr, [0, path[1], path[2], sd, certs], at, cert)
    old, new = hashlib.sha256(twin).digest(), hashlib.sha256(cert).digest()
    assert tsr.count(old) == 1
    tsr = tsr.replace(old, new)
    path = signer_info_path(tsr)
    si = path[-1]
    attrs = next(p for p in der_kids(tsr, si) if tsr[p] == 0xa0)
    _, h, l = der_tlv(tsr, attrs)
    (pki / "attrs.der").write_bytes(b"\x31" + tsr[attrs + 1:attrs + h + l])
    sig = sh(["openssl", "dgst", "-sha256", "-sign", f"{tsa}.key", "attrs.der"], cwd=pki).stdout
    tsr = der_splice(tsr, path, der_kids(tsr, si)[-1], b"\x04" + der_len(len(sig)) + sig)
    return tsq, tsr


def put_token(x, size, name, pair):
    cp = x / "data/case/checkpoints"
    (cp / f"{size:012}.{name}.tsq").write_bytes(pair[0])
    (cp / f"{size:012}.{name}.tsr").write_bytes(pair[1])


def timestamp_bundles(work, fixtures):
    """The bundles with RFC 3161 timestamps: genuine, and each defect verify's tests make
    (tests/timestamp_verify.rs, tests/timestamp_token.rs), with the manifests recomputed and
    re-signed by the case's administrator (the case key of tests/common: PASS)."""
    fixtures = pathlib.Path(fixtures)
    pki = fixtures / "pki"
    good = fixtures / "timestamped.tar"
    key = fixtures / "timestamped.key"
    cp = "data/case/checkpoints"
    bundles = [("ts-ok", good), ("ts-intermediate-ca", fixtures / "intermediate.tar")]

    def rs(x):  # a forger who also keeps bag-info.txt's Payload-Oxum right
        fix_oxum(x)
        rehash_manifest(x)
        resign(x, key, passphrase="correct horse battery staple")

    def swap_policy(b):  # TSTInfo policy 1.2.3.4.1 -> 1.2.3.4.5: the messageDigest no longer matches
        assert b.count(bytes.fromhex("06042a030401")) == 1
        return b.replace(bytes.fromhex("06042a030401"), bytes.fromhex("06042a030405"))

    tampers = [
        # a token of checkpoint 3 (request and answer) stored as checkpoint 4's
        ("ts-imprint-resigned", lambda x: (shutil.copy(x / f"{cp}/000000000003.tsa1.tsr", x / f"{cp}/000000000004.tsa1.tsr"),
                                           shutil.copy(x / f"{cp}/000000000003.tsa1.tsq", x / f"{cp}/000000000004.tsa1.tsq"), rs(x))),
        # another request for the same checkpoint (another nonce) beside the answer
        ("ts-nonce-resigned", lambda x: ((x / f"{cp}/000000000004.tsa1.tsq").write_bytes(ts_request(pki, checkpoint_text(x, 4))), rs(x))),
        # the last byte of the signature (RSA, then ECDSA)
        ("ts-signature-byte-rsa-resigned", lambda x: (flip(x / f"{cp}/000000000004.tsa2.tsr", -1), rs(x))),
        ("ts-signature-byte-ecdsa-resigned", lambda x: (flip(x / f"{cp}/000000000004.tsa1.tsr", -1), rs(x))),
        # the TSTInfo altered (its policy): the messageDigest attribute no longer matches
        ("ts-tstinfo-altered-resigned", lambda x: (edit(x / f"{cp}/000000000004.tsa2.tsr", swap_policy), rs(x))),
        # a token by a TSA whose certificate is under another CA than the case's tsa.add names
        ("ts-untrusted-ca-resigned", lambda x: (put_token(x, 4, "tsa1", ts_stamp(pki, "rogue", checkpoint_text(x, 4))), rs(x))),
        # a TSA certificate under the right CA, not valid at genTime (expired, not yet valid)
        ("ts-cert-expired-resigned", lambda x: (put_token(x, 4, "tsa1", ts_stamp(pki, "expired", checkpoint_text(x, 4))), rs(x))),
        ("ts-cert-not-yet-valid-resigned", lambda x: (put_token(x, 4, "tsa2", ts_stamp(pki, "not-yet-valid", checkpoint_text(x, 4))), rs(x))),
        # a TSA certificate whose timeStamping usage is not critical, or absent (RFC 3161 2.3)
        ("ts-eku-noncritical-resigned", lambda x: (put_token(x, 4, "tsa1", stamp_with_swapped_cert(pki, "eku-noncritical", checkpoint_text(x, 4))), rs(x))),
        ("ts-eku-none-resigned", lambda x: (put_token(x, 4, "tsa1", stamp_with_swapped_cert(pki, "eku-none", checkpoint_text(x, 4))), rs(x))),
        # not a token; a refusal (PKIStatus rejection, no token)
        ("ts-garbage-resigned", lambda x: ((x / f"{cp}/000000000004.tsa1.tsr").write_bytes(b"not a timestamp token\n"), rs(x))),
        ("ts-rejection-resigned", lambda x: ((x / f"{cp}/000000000004.tsa2.tsr").write_bytes(bytes.fromhex("3005300302010" "2")), rs(x))),
        # a request that is not one
        ("ts-request-garbage-resigned", lambda x: ((x / f"{cp}/000000000004.tsa2.tsq").write_bytes(b"\x30\x03\x02\x01"), rs(x))),
        # warnings only: a token named for a TSA the case does not name; a token without request
        ("ts-unknown-tsa-resigned", lambda x: ((x / f"{cp}/000000000004.tsa1.tsr").rename(x / f"{cp}/000000000004.nobody.tsr"),
                                               (x / f"{cp}/000000000004.tsa1.tsq").rename(x / f"{cp}/000000000004.nobody.tsq"), rs(x))),
        ("ts-request-removed-resigned", lambda x: ((x / f"{cp}/000000000004.tsa2.tsq").unlink(), rs(x))),
        # a token altered and not re-signed: the bag's manifest catches it first
        ("ts-token-byte", lambda x: flip(x / f"{cp}/000000000003.tsa1.tsr", 100)),
    ]
    for name, tamper in tampers:
        x = work / "x" / name
        untar(good, x)
        tamper(x)
        bad = work / f"{name}.tar"
        retar(x, bad)
        bundles.append((name, bad))
    # An entry dated an hour after the TSA's time for the checkpoint that covers it (export
    # refuses such a case: the token is added to its bundle, re-signed by its administrator).
    x = work / "x" / "ts-backdated"
    untar(fixtures / "backdated.tar", x)
    stamped = fixtures / "backdated" / "case" / "checkpoints"
    put_token(x, 4, "tsa1", ((stamped / "000000000004.tsa1.tsq").read_bytes(), (stamped / "000000000004.tsa1.tsr").read_bytes()))
    fix_oxum(x)
    rehash_manifest(x)
    resign(x, fixtures / "backdated.key", passphrase="correct horse battery staple")
    retar(x, work / "ts-backdated.tar")
    bundles.append(("ts-backdated", work / "ts-backdated.tar"))
    return bundles


def _alter_root(b):
    lines = b.split(b"\n")
    lines[2] = (b"B" if lines[2][:1] == b"A" else b"A") + lines[2][1:]
    return b"\n".join(lines)


def _alter_signature(b):
    head, _, sig = b.rpartition(b" ")
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 1
    return head + b" " + base64.b64encode(bytes(raw)) + b"\n"


def _alter_proof_path(b):
    i = b.index(b'"path": [') + 20
    return b[:i] + (b"1" if b[i:i + 1] == b"0" else b"0") + b[i + 1:]


# ---------------------------------------------------------------------------------------------
# The references
# ---------------------------------------------------------------------------------------------

def scelle_verdict(bundle):
    """(verdict, error codes, exit status, verified timestamps as {(tsa, size, genTime, serial)})."""
    done = sh([SCELLE, "verify-bundle", str(bundle), "--json"], check=False)
    codes, stamps = set(), set()
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if v.get("type") == "finding" and v.get("severity") == "error":
            codes.add(v["code"])
        if v.get("type") == "timestamp":
            stamps.add((v["tsa"], str(v["size"]), v["time"], v["serial"]))
    if done.returncode == 2 and not codes:
        codes.add("bundle-unsafe")
    return ("OK" if done.returncode == 0 else "FAILED"), codes, done.returncode, stamps


def kit_verdict(bundle):
    done = sh([sys.executable if shutil.which("openssl") else "python3", str(KIT), str(bundle)], check=False)
    out = done.stdout.decode("utf-8", "replace")
    codes = set(re.findall(r"^(?:case: )?ERROR \[([a-z0-9-]+)\]", out, re.M))
    return ("OK" if done.returncode == 0 else "FAILED"), codes, done.returncode


# ---------------------------------------------------------------------------------------------
# The page in Chromium
# ---------------------------------------------------------------------------------------------

def chrome(lang="en"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--lang={lang}", "--window-size=1200,900", "--allow-file-access-from-files"):
        options.add_argument(a)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    return webdriver.Chrome(service=service, options=options)


def page_verdict(driver, bundle, timeout=600):
    """Opens the page, gives it the bundle, waits for the verdict: (verdict, error codes,
    warning codes, seconds, timestamps shown as {(tsa, size, genTime, serial)})."""
    from selenium.webdriver.common.by import By
    driver.get(PAGE.as_uri())
    start = time.time()
    driver.find_element(By.ID, "file").send_keys(str(bundle))
    while time.time() - start < timeout:
        if driver.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"{bundle}: no verdict after {timeout} s")
    seconds = time.time() - start
    verdict = driver.find_element(By.ID, "verdict").get_attribute("data-verdict")
    errors = {e.get_attribute("data-code") for e in driver.find_elements(By.CSS_SELECTOR, "li.finding.error")}
    warnings = {e.get_attribute("data-code") for e in driver.find_elements(By.CSS_SELECTOR, "li.finding.warning")}
    stamps = {tuple(e.get_attribute(f"data-{k}") for k in ("tsa", "size", "time", "serial"))
              for e in driver.find_elements(By.CSS_SELECTOR, "ul.timestamps li")}
    return verdict, errors, warnings, seconds, stamps


def requests_made(driver):
    """The URLs of every request the page made (Chrome's performance log), and console errors."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            urls.append(message["params"].get("request", {}).get("url") or message["params"].get("url"))
    console = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    return urls, console


def full_screenshot(driver, path):
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


class VerifyHtml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        OUT.mkdir(parents=True, exist_ok=True)
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="verify-html.", dir=OUT))
        cls.bundles = make_bundles(cls.work)
        cls.driver = chrome("en")

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_page_is_the_build_of_its_sources(self):
        done = sh([sys.executable, str(ROOT / "verifier" / "build.py"), "--check"], check=False)
        self.assertEqual(done.returncode, 0, done.stderr.decode())

    def test_page_loads_nothing_from_outside(self):
        html = PAGE.read_text(encoding="utf-8")
        csp = (r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               r"script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'unsafe-inline'; img-src data:;")
        self.assertIsNotNone(re.search(csp, html), "no strict Content-Security-Policy")
        for what, pattern in (("an external resource", r"<(link|img|iframe|object|embed)\b|\bsrc=|\bhref=|@import|url\("),
                              ("markup written from script", r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write"),
                              ("an inline event handler", r"<[^>]*\bon[a-z]+=\""),
                              ("eval", r"\beval\(|new Function\b")):
            found = re.search(pattern, html)
            self.assertIsNone(found, f"{what} in verify.html: {found.group(0) if found else ''}")
        self.assertEqual(html.count("<script>"), 1)

    def test_verdicts_agree_with_verify_bundle_and_the_kit(self):
        rows = []
        for name, bundle in self.bundles:
            with self.subTest(bundle=name):
                want, scelle_codes, _, scelle_stamps = scelle_verdict(bundle)
                kit, kit_codes, _ = kit_verdict(bundle)
                got, errors, warnings, seconds, stamps = page_verdict(self.driver, bundle)
                urls, console = requests_made(self.driver)
                rows.append({"bundle": name, "page": got, "verify_bundle": want, "kit": kit,
                             "codes_as_verify_bundle": errors == scelle_codes,
                             "page_errors": sorted(errors), "verify_bundle_errors": sorted(scelle_codes),
                             "kit_errors": sorted(kit_codes), "page_warnings": sorted(warnings),
                             "timestamps": len(stamps), "seconds": round(seconds, 2)})
                self.assertEqual(got, want, f"{name}: page {got} {sorted(errors)}, verify-bundle {want} {sorted(scelle_codes)}")
                self.assertEqual(got, kit, f"{name}: page {got}, verify_bundle.py {kit}")
                # The page ports verify_bundle.py: the same error codes. verify-bundle (scelle's
                # own reading) names some problems otherwise (`bundle-proof` for the kit's `proof`,
                # a torn ledger refused as `bundle-unsafe`, follow-on errors): its codes are
                # recorded in verdicts.json, and only its verdict must be the page's.
                self.assertEqual(errors, kit_codes, f"{name}: error codes differ from verify_bundle.py's")
                # Every RFC 3161 token verify-bundle verified, the page verified and shows (TSA,
                # checkpoint, genTime, serial), and no other.
                if "bundle-unsafe" not in scelle_codes:  # (verify-bundle refuses a torn ledger whole)
                    self.assertEqual(stamps, scelle_stamps, f"{name}: timestamps shown differ from verify-bundle's")
                if name.startswith("ts-") and name != "ts-token-byte":
                    self.assertTrue(any(c.startswith("timestamp-") or c == "backdated" for c in errors | warnings) or name in ("ts-ok", "ts-intermediate-ca"),
                                    f"{name}: no timestamp finding: {sorted(errors)} {sorted(warnings)}")
                outside = [u for u in urls if not (u.startswith("file://") or u.startswith("data:"))]
                self.assertEqual(outside, [], f"{name}: the page made network requests")
                self.assertEqual(console, [], f"{name}: console errors")
        (OUT / "verdicts.json").write_text(json.dumps(rows, indent=1) + "\n")
        self.assertGreaterEqual(len(rows), 50)
        ok = {r["bundle"]: r for r in rows}
        self.assertGreater(ok["ok"]["timestamps"], 0, "the demo's tokens are not shown as verified")
        if TIMESTAMPS:
            self.assertEqual(ok["ts-ok"]["timestamps"], 3)

    def test_screenshots_in_three_languages(self):
        named = dict(self.bundles)
        shots = [("ok", named["ok"]), ("failed", named["ledger-byte-resigned"])]
        if TIMESTAMPS:
            shots += [("timestamped", named["ts-ok"]), ("timestamp-failed", named["ts-untrusted-ca-resigned"])]
        for lang in ("en", "fr", "es"):
            driver = chrome(lang)
            try:
                for what, bundle in shots:
                    verdict, _, _, _, _ = page_verdict(driver, bundle)
                    self.assertEqual(verdict, "FAILED" if "failed" in what else "OK")
                    self.assertEqual(driver.execute_script("return document.documentElement.lang"), lang,
                                     "the page's language follows navigator.language")
                    full_screenshot(driver, OUT / f"verify-{what}-{lang}.png")
                    urls, console = requests_made(driver)
                    self.assertEqual([u for u in urls if not u.startswith(("file://", "data:"))], [])
                    self.assertEqual(console, [])
            finally:
                driver.quit()


def main():
    global SCELLE, OUT, TIMESTAMPS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=False)
    parser.add_argument("--scelle", help="the scelle binary (default: $SCELLE_BIN, target/release/scelle)")
    parser.add_argument("--out", help="output folder: screenshots, verdicts.json (default: $BROWSER_TEST_OUT, target/browser-test)")
    parser.add_argument("--timestamps", help="tests/browser.rs's timestamp fixtures (default: $BROWSER_TEST_TIMESTAMPS)")
    args, rest = parser.parse_known_args()
    if args.timestamps:
        TIMESTAMPS = args.timestamps
    if args.scelle:
        SCELLE = args.scelle
    if args.out:
        OUT = pathlib.Path(args.out)
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
