#!/usr/bin/env python3
"""Independent verifier for scelle case directories (ledger format 1).

This program was written from docs/FORMAT.md alone, without reading scelle's source code.
It uses only python3's standard library and the `openssl` command (for Ed25519 signatures),
so that anyone can check a scelle case without trusting scelle itself.

Usage:
    python3 verify_case.py CASE_DIR
    python3 verify_case.py CASE_DIR --prove PROOF.json       (also check `scelle prove --json`)
    python3 verify_case.py CASE_DIR --trusted-checkpoint KEPT.txt   (detect a rollback, 8.5)
    python3 verify_case.py --prove PROOF.json --vkey VERIFIER_KEY   (a proof alone)

VERIFIER_KEY is the C2SP verifier key printed by `scelle key show NAME.pub`, for example
`expert+566e41aa+AXTWVPu21K6YY56aD7Z47qtLWlkr8QzNDfCvMX1CS6fB`.

What is checked (the section numbers are those of docs/FORMAT.md):
  - every ledger line (section 7): canonical JSON, envelope members and types, `seq`, the
    `prev` hash chain, time order (warning), the body of each entry kind with the value rules
    of section 6.4, the kind rules (entry 0, exhibit numbering, the key lifecycle of section
    6.5 and the custody state machine of section 6.6), the signer (enrolled, not revoked or
    rotated out) and the Ed25519 signature; re-checks that do not match their seal are
    reported as `discrepancy` warnings (rule 8); a scan (`ioc.scan`, section 6.8) is checked
    against its own counts and references and against the exhibits it names; a `tsa.add`
    (section 6.10) is signed by the administrator under a name not used before; a review
    (`ioc.review`, section 6.11) names a finding of an earlier valid scan and repeats its
    indicator, exhibit and member;
  - the member file of every seal whose members are in one, CASE/members/SHA256.jsonl
    (section 6.2, "Member files"), read as a stream, one line at a time: a regular file, not a
    link, of the `bytes`, `count` and `sha256` its `member_file` gives, each line a member's
    canonical JSON (at most 1 MiB) and a newline, and its members under every rule of 6.4 as
    in-line `members` (`member-file`, on the seal's entry, which still makes its exhibit);
  - the case's copy of every IOC file a scan used, CASE/ioc/SHA256.stix2 (section 6.8): its
    SHA-256 (`ioc-file`), or a warning when it is missing (`ioc-file-missing`);
  - the RFC 6962 Merkle root (section 8.1) at the size of every checkpoint;
  - every checkpoint file in CASE_DIR/checkpoints/ (section 8.2): origin, size, root, and each
    signature line, matched to a key of the case by name and key id: a note signature
    (alg 0x01) or a witness cosignature (C2SP tlog-cosignature v1, alg 0x04, section 8.3);
    regular files named NNNNNNNNNNNN.NAME.tsq/.tsr are RFC 3161 timestamps (section 8.6), not
    strays;
  - every RFC 3161 timestamp of a checkpoint that counts, CASE_DIR/checkpoints/N.NAME.tsr
    (section 8.6), with `openssl ts` alone: the TSA named by a `tsa.add`, the imprint (SHA-256
    of the checkpoint's text), the nonce of N.NAME.tsq, `openssl ts -verify` against the
    `tsa.add`'s CA certificates at the token's time, then no covered entry dated later than
    the token's time + 300 s (`backdated`);
  - each pinned IOC file's copy against the scans that cite it, and each match's `member`
    against the seal (section 6.8, `ioc-match`);
  - with --trusted-checkpoint, a checkpoint kept from earlier: the case must be neither behind
    it nor inconsistent with it (section 8.5, `rollback`);
  - with --prove, an inclusion proof (section 8.4) with the algorithm of RFC 9162 2.1.3.2,
    the checkpoint it is proved against, and the signature of the proved entry.

How the ledger is checked (section 7). The lines are read in order, and a state is carried
from one to the next:
  - the key registry: every key enrolled by entry 0, `key.enrol` or `key.rotate`, with its
    name, role and public key, the ledger position at which it was revoked or rotated out (if
    it was), and which key is the administrator;
  - the custody of each exhibit: its holder (a key id), its state (`sealed`, `in-transit`,
    `opened` or `disposed`), for an exhibit in transit the release entry and the receiver, and
    its current seal number.
Each line is checked against the state left by the lines before it. A line with an error
changes neither the keys nor the custody (section 7, last paragraph), except that entry 0
always defines the case and its administrator, and that a seal whose only errors are its
member file's (`member-file`) still makes its exhibit (section 6.2); the next lines are still
checked.

Beyond the chain rules, the bodies are checked against what sections 2 and 6 say of them
(lower-case hex, the listed values, a directory's sha256 equal to its manifest's, the manifest
rebuilt from the members, file_count, a directory's size and member order...), reported with
the code `body` (`member-file` for a member file and its members); rules that need the
ledger's state (entry 0, exhibit numbering, `parent`, key lifecycle, custody, a matching
re-check against its seal record) are reported with the code `custody`. Ed25519 verification
is strict (section 5.2): public keys and signature points of small order are refused here,
because `openssl pkeyutl` (3.0) does not refuse them.

Output: one line per problem, `ERROR [code] where: message` or `WARNING [code] where: message`
(the codes are those of section 11, plus `no-entry` (warning: an empty ledger), `proof` (an
inclusion proof that does not check) and `cannot-verify`); one line per verified witness
cosignature (section 8.3),
`WITNESS where: witness NAME has seen tree size N (cosigned at UTC-TIME, time SECONDS)`;
one line per verified timestamp token (section 8.6),
`TIMESTAMP where: checkpoint N timestamped by NAME at UTC-TIME (serial HEX)`;
then a summary line, then a last line `OK` or `FAILED`.
Exit status: 0 when there is no error (warnings allowed), 1 otherwise (including when the
verification could not be carried out, e.g. `openssl` is missing).
"""

import argparse
import base64
import datetime
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

# ---------------------------------------------------------------------------------------------
# Constants from the specification
# ---------------------------------------------------------------------------------------------

LEDGER_FORMAT = 1  # section 13: a verifier must reject any other format
ZERO_HASH_HEX = "0" * 64  # section 5.1: `prev` of entry 0
# Section 3.2: DER SubjectPublicKeyInfo of an Ed25519 key = these 12 bytes + the 32-byte key.
SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")
# Section 3.3: the C2SP signature type bytes: an Ed25519 note signature, and an Ed25519
# tlog-cosignature v1 (the same key used as a witness, section 8.3).
C2SP_ED25519 = b"\x01"
C2SP_COSIGNATURE_V1 = b"\x04"
EM_DASH = "\u2014"  # section 8.2: a signature line starts with U+2014 and a space
MAX_SAFE_INTEGER = 2**53 - 1  # section 2: integers of magnitude at most 2^53 - 1
MAX_LINE = 64 * 1024 * 1024  # section 4.1: bytes of a ledger line, without its newline

HEX_RE = re.compile(r"[0-9a-f]*")  # lower case only (section 2)
# Section 2, "time": UTC, whole seconds. ([0-9] rather than \d, which matches other digits.)
UTC_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# Section 2: acquisition times are RFC 3339 `date-time`s, kept as the user gave them. RFC 3339
# (section 5.6) allows `t`/`z` in lower case and fractional seconds; a space for `T` is allowed
# by its note (section 5.6, NOTE) and accepted here as well.
RFC3339_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
KEY_NAME_RE = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}")  # section 3.3
EXHIBIT_RE = re.compile(r"E-[0-9]{4,}")  # section 6.4: `E-` and four or more digits
CHECKPOINT_FILE_RE = re.compile(r"([0-9]{12})\.txt")  # section 8.2
# Section 8.6: an RFC 3161 timestamp of a checkpoint, NNNNNNNNNNNN.NAME.tsq / .tsr, NAME a
# `tsa.add` name (section 6.10).
TSA_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
TIMESTAMP_FILE_RE = re.compile(r"([0-9]{12})\.([a-z0-9][a-z0-9-]{0,31})\.(tsq|tsr)")
DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")  # section 8.2: no leading zeros
MAX_U64 = 2**64 - 1  # section 8.2: a tree size is an unsigned 64-bit number
# White space as scelle (Rust's char::is_whitespace, the Unicode White_Space property) sees it
# in a key name (section 3.3). Not python's str.isspace, which also takes U+001C-U+001F (file,
# group, record and unit separators) for white space: the two verifiers would disagree on a
# signature line naming `a\x1cb`.
WHITE_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") \
    | frozenset(map(chr, range(0x2000, 0x200B)))

# Section 6.2: digests that may appear in a `hashes` object, with their lengths in bytes.
HASH_LENGTHS = {"sha256": 32, "sha512": 64, "legacy_md5": 16, "legacy_sha1": 20}

# Section 6.5: the roles a key enrolled by `key.enrol` may have (entry 0's administrator may
# have any role, and a successor has its predecessor's).
ROLES = ("expert", "counsel", "examiner", "court", "witness")

# Section 6.6: the states of an exhibit.
SEALED, IN_TRANSIT, OPENED, DISPOSED = "sealed", "in-transit", "opened", "disposed"

# Section 8.3: the first line of the message a tlog-cosignature v1 signs.
COSIGNATURE_HEADER = b"cosignature/v1\n"
# Section 8.3: a cosignature dated more than this many seconds after the verifier's clock is
# refused (`checkpoint-future`).
COSIGNATURE_SKEW_SECONDS = 300


# ---------------------------------------------------------------------------------------------
# Output: everything printed goes through emit()
# ---------------------------------------------------------------------------------------------

# Bidirectional formatting characters (as scelle's src/format/printable.rs): ALM, LRM, RLM,
# the embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f") | frozenset(map(chr, range(0x202A, 0x202F))) \
    | frozenset(map(chr, range(0x2066, 0x206A)))


def shown(value):
    """`value` made safe for a terminal, as scelle shows a value: every control character (C0
    including newline, CR and tab, DEL, C1) and every bidirectional formatting character as a
    visible escape (`\\x1b`, `\\n`, `\\u{202e}`); a lone surrogate (a file name that is not
    UTF-8) as `\\u{dcNN}`. A value so shown cannot start a line or rewrite the screen."""
    text = str(value)
    out = []
    for c in text:
        o = ord(c)
        if o < 0x20 or 0x7F <= o <= 0x9F or c in BIDI_CONTROLS or 0xD800 <= o <= 0xDFFF:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
                c, f"\\x{o:02x}" if o < 0x100 else f"\\u{{{o:04x}}}"))
        else:
            out.append(c)
    return "".join(out)


def emit(line):
    """The one way this program prints: one line, escaped by shown() whole, so no value from
    the case (a file name, a key name, a note) can reach the terminal raw, whichever message
    carries it. Written as UTF-8 whatever the locale."""
    sys.stdout.flush()
    sys.stdout.buffer.write(shown(line).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


# ---------------------------------------------------------------------------------------------
# Reading a case's files: regular files only, never through a link, never past a bound
# ---------------------------------------------------------------------------------------------

# The most bytes read of a case's files other than the ledger (the same limits as scelle).
MAX_CHECKPOINT = 1 << 20  # a checkpoint file (section 8.2)
MAX_CASE_JSON = 1 << 20  # case.json (section 1)
MAX_IOC_COPY = 256 << 20  # a copy CASE/ioc/SHA256.stix2 (section 6.8)
MAX_PROOF = 64 << 20  # a proof file (`scelle prove --json`)


class NotRegular(OSError):
    """A path that is not a regular file (a FIFO, a device, a directory, a socket)."""


class TooLarge(OSError):
    """A file larger than its bound: not read."""


def open_regular(path, follow=False):
    """Open `path` for reading without blocking (O_NONBLOCK: a FIFO opens at once and is never
    read) and, unless `follow`, without following a symbolic link (O_NOFOLLOW: ELOOP); raise
    NotRegular unless what was opened is a regular file. Returns (binary file, its size)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{path}: not a regular file: not read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path, limit, follow=False):
    """The bytes of the regular file `path`, at most `limit`: its size is checked before a byte
    is read (TooLarge), and a file that grows meanwhile is not read past the bound."""
    f, size = open_regular(path, follow)
    with f:
        if size > limit:
            raise TooLarge(f"{path}: {size} bytes, more than the limit of {limit}: not read")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path}: more than the limit of {limit} bytes: not read")
    return data


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


class Report:
    """Collects findings and prints one line per finding as soon as it is found."""

    def __init__(self):
        self.errors = 0
        self.warnings = 0
        self.witnesses = 0
        self.timestamps = 0

    def error(self, where, code, message):
        self.errors += 1
        emit(f"ERROR [{code}] {where}: {message}")

    def warning(self, where, code, message):
        self.warnings += 1
        emit(f"WARNING [{code}] {where}: {message}")

    def timestamp(self, where, size, tsa, seconds, serial):
        """Section 8.6: a verified RFC 3161 token of a checkpoint."""
        self.timestamps += 1
        emit(f"TIMESTAMP {where}: checkpoint {size} timestamped by {tsa} at "
             f"{format_timestamp(seconds)} (serial {serial})")

    def witness(self, where, name, size, timestamp):
        """Section 8.3: a verified cosignature, "witness NAME has seen tree size N"."""
        self.witnesses += 1
        emit(f"WITNESS {where}: witness {name} has seen tree size {size} "
             f"(cosigned at {format_timestamp(timestamp)}, time {timestamp})")


class Fatal(Exception):
    """Verification cannot be carried out at all (missing tool, unreadable input)."""


def format_timestamp(seconds):
    """Seconds since 1970 as RFC 3339 UTC, or the bare number when out of datetime's range."""
    try:
        moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"{seconds} s since 1970"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

# ---------------------------------------------------------------------------------------------
# Encodings (section 2)
# ---------------------------------------------------------------------------------------------


def sha256(data):
    return hashlib.sha256(data).digest()


def is_hex(value, nbytes):
    """Lower-case hex of exactly nbytes bytes."""
    return (
        isinstance(value, str)
        and len(value) == 2 * nbytes
        and HEX_RE.fullmatch(value) is not None
    )


def b64decode_canonical(value):
    """Decode RFC 4648 base64 (standard alphabet, padded); None unless `value` is the one
    canonical spelling of its bytes (re-encoding gives it back exactly)."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if base64.b64encode(raw).decode("ascii") != value:
        return None  # e.g. missing padding or non-zero unused bits
    return raw


def is_utc_time(value):
    """`YYYY-MM-DDTHH:MM:SSZ`, a real calendar date and time."""
    if not isinstance(value, str) or UTC_TIME_RE.fullmatch(value) is None:
        return False
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


class NotCanonical(Exception):
    pass


def _refuse_duplicates(pairs):
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise NotCanonical("duplicate member name")
    for name in names:
        # Format 1 uses ASCII member names only. Python sorts names by code point, RFC 8785 by
        # UTF-16 code unit; the two orders agree for ASCII, so refusing other names keeps the
        # canonical-form check below exact.
        if not name.isascii():
            raise NotCanonical(f"non-ASCII member name {name!r}")
    return dict(pairs)


def _refuse_float(text):
    raise NotCanonical(f"number {text} is not an integer (the format has no floats)")


def _refuse_constant(text):
    raise NotCanonical(f"{text} is not JSON")


def _check_integers(value):
    """Section 2: integers of magnitude at most 2^53 - 1 (bool is not an integer here)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"integer {value} exceeds 2^53-1")
    elif isinstance(value, list):
        for item in value:
            _check_integers(item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_integers(item)


def canonical_bytes(value):
    """RFC 8785 canonical JSON of a value made of the types the format uses (section 2)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate written as \udXXX in the input
        raise NotCanonical("string is not valid Unicode") from e


def signed_message(entry):
    """Section 5.2: the signed message is the canonical JSON of the entry without `sig`."""
    return canonical_bytes({name: value for name, value in entry.items() if name != "sig"})


def parse_canonical(data):
    """Parse bytes that must be canonical JSON. Returns the value; raises NotCanonical."""
    try:
        text = data.decode("utf-8")  # strict: rejects invalid UTF-8
    except UnicodeDecodeError as e:
        raise NotCanonical(f"not valid UTF-8 ({e.reason} at byte {e.start})") from e
    try:
        value = json.loads(
            text,
            object_pairs_hook=_refuse_duplicates,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except NotCanonical:
        raise
    except (ValueError, RecursionError) as e:
        raise NotCanonical(f"not JSON ({e})") from e
    _check_integers(value)
    canon = canonical_bytes(value)
    if canon != data:
        at = next(
            (i for i, (a, b) in enumerate(zip(canon, data)) if a != b),
            min(len(canon), len(data)),
        )
        raise NotCanonical(f"not in canonical form (first difference at byte {at})")
    return value


# ---------------------------------------------------------------------------------------------
# Ed25519 (section 5.2): strict verification, with openssl doing the signature arithmetic
# ---------------------------------------------------------------------------------------------

# Curve constants of RFC 8032 section 5.1.
ED_P = 2**255 - 19
ED_L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
ED_D = (-121665 * pow(121666, ED_P - 2, ED_P)) % ED_P
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)


def _ed_decode_point(encoded):
    """RFC 8032 section 5.1.3 point decoding; None when the encoding is not a curve point
    (including a y coordinate >= p, which is a non-canonical encoding)."""
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= ED_P:
        return None
    u = (y * y - 1) % ED_P
    v = (ED_D * y * y + 1) % ED_P
    x2 = u * pow(v, ED_P - 2, ED_P) % ED_P
    x = pow(x2, (ED_P + 3) // 8, ED_P)
    if (x * x - x2) % ED_P != 0:
        x = x * ED_SQRT_M1 % ED_P
    if (x * x - x2) % ED_P != 0:
        return None
    if x == 0 and sign == 1:
        return None
    if x % 2 != sign:
        x = ED_P - x
    return (x, y)


def _ed_add(p1, p2):
    """Twisted Edwards addition (a = -1), complete for the curve's points."""
    (x1, y1), (x2, y2) = p1, p2
    t = ED_D * x1 * x2 * y1 * y2 % ED_P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, ED_P - 2, ED_P) % ED_P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, ED_P - 2, ED_P) % ED_P
    return (x3, y3)


def ed25519_point_ok(encoded):
    """True if `encoded` is a canonical curve point that is not of small order (i.e. [8]P is
    not the identity). Small-order keys would make a signature valid for many messages."""
    point = _ed_decode_point(encoded)
    if point is None:
        return False
    for _ in range(3):  # [8]P by three doublings
        point = _ed_add(point, point)
    return point != (0, 1)


class Ed25519Verifier:
    """Verifies Ed25519 signatures with `openssl pkeyutl -verify -rawin`.

    Section 5.2 requires strict verification (reject non-canonical S and small-order keys).
    OpenSSL checks S < L but, at least in OpenSSL 3.0, accepts a small-order public key (with
    the identity as public key, R = identity and S = 0 "verify" for every message), so this
    class checks the public key and R itself before calling openssl, as strict verifiers do.
    """

    def __init__(self, workdir):
        if shutil.which("openssl") is None:
            raise Fatal("the `openssl` command is needed and was not found on PATH")
        self.workdir = workdir
        self.pem_files = {}  # public key bytes -> path of its PEM file

    def pem_path(self, public_key):
        """Write (once) the SPKI PEM of a raw 32-byte public key (section 3.2)."""
        if public_key not in self.pem_files:
            der = SPKI_ED25519_PREFIX + public_key
            pem = (
                "-----BEGIN PUBLIC KEY-----\n"
                + base64.b64encode(der).decode("ascii")
                + "\n-----END PUBLIC KEY-----\n"
            )
            path = os.path.join(self.workdir, f"key{len(self.pem_files)}.pem")
            with open(path, "w", encoding="ascii") as f:
                f.write(pem)
            self.pem_files[public_key] = path
        return self.pem_files[public_key]

    def verify(self, public_key, message, signature):
        """Returns None if the signature verifies, else the reason it does not."""
        if len(public_key) != 32 or len(signature) != 64:
            return "wrong length of key or signature"
        if not ed25519_point_ok(public_key):
            return "public key is not a valid point of large order"
        if not ed25519_point_ok(signature[:32]):
            return "signature R is not a valid point of large order"
        if int.from_bytes(signature[32:], "little") >= ED_L:
            return "signature S is not canonical (S >= L)"
        msg_path = os.path.join(self.workdir, "msg.bin")
        sig_path = os.path.join(self.workdir, "sig.bin")
        with open(msg_path, "wb") as f:
            f.write(message)
        with open(sig_path, "wb") as f:
            f.write(signature)
        result = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", self.pem_path(public_key),
             "-rawin", "-in", msg_path, "-sigfile", sig_path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if result.returncode == 0:
            return None
        return "Ed25519 signature does not verify (openssl pkeyutl)"


# ---------------------------------------------------------------------------------------------
# Keys (section 3.3)
# ---------------------------------------------------------------------------------------------


def key_id(public_key):
    """First 16 hex digits of SHA-256 of the raw public key."""
    return sha256(public_key).hex()[:16]


def note_key_id(name, public_key):
    """C2SP note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return sha256(name.encode("utf-8") + b"\n" + C2SP_ED25519 + public_key)[:4]


def cosignature_key_id(name, public_key):
    """C2SP tlog-cosignature key id: SHA-256(name || 0x0A || 0x04 || public key)[:4]."""
    return sha256(name.encode("utf-8") + b"\n" + C2SP_COSIGNATURE_V1 + public_key)[:4]


class Key:
    """A public key known to the verifier: a key of the case (enrolled by entry 0, a
    `key.enrol` or a `key.rotate`, section 6.5), or a verifier key given with --vkey.

    `ended_at` is the seq of the entry that revoked the key or rotated it out, `ended_how`
    says which; a key may not sign any entry after that one (section 6.5)."""

    def __init__(self, name, public_key, role=None, enrolled_at=None, recorded_id=None):
        self.name = name
        self.public_key = public_key
        self.role = role
        # The id entries name the key by: its key id, or for entry 0's administrator the id
        # its record gives (a mismatch is an error, but entry 0 still defines the
        # administrator: section 7).
        self.key_id = recorded_id or key_id(public_key)
        self.note_key_id = note_key_id(name, public_key)
        self.cosignature_key_id = cosignature_key_id(name, public_key)
        self.enrolled_at = enrolled_at
        self.ended_at = None
        self.ended_how = None

    @property
    def active(self):
        """Neither revoked nor rotated out."""
        return self.ended_at is None

    def __str__(self):
        return f"{self.name} ({self.key_id})"


def parse_verifier_key(text):
    """C2SP verifier key `name+hex(note key id)+base64(0x01 || public key)`. Returns a Key or
    raises ValueError."""
    parts = text.strip("".join(WHITE_SPACE)).split("+", 2)  # the name has no "+" (3.3)
    if len(parts) != 3:
        raise ValueError("a verifier key has three `+`-separated parts")
    name, id_hex, key_b64 = parts
    blob = b64decode_canonical(key_b64)
    if not name or any(c in WHITE_SPACE for c in name):  # C2SP: no space, no "+" (split)
        raise ValueError(f"bad key name {name!r}")
    if blob is None or len(blob) != 33 or blob[:1] != C2SP_ED25519:
        raise ValueError("the key part is not base64 of 0x01 and a 32-byte Ed25519 key")
    key = Key(name, blob[1:])
    if not is_hex(id_hex, 4) or bytes.fromhex(id_hex) != key.note_key_id:
        raise ValueError("the key id does not match the name and key")
    return key


# ---------------------------------------------------------------------------------------------
# A small schema language for the entry bodies (sections 5 and 6)
# ---------------------------------------------------------------------------------------------
# A checker is a function (value, path) -> list of problem strings (empty when fine).


def t_str(value, path):
    return [] if isinstance(value, str) else [f"{path}: expected a string"]


def t_bool(value, path):
    return [] if isinstance(value, bool) else [f"{path}: expected true or false"]


def t_uint(value, path):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return []
    return [f"{path}: expected a non-negative integer"]


def t_positive(value, path):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return []
    return [f"{path}: expected an integer >= 1"]


def t_int(value, path):
    if isinstance(value, int) and not isinstance(value, bool):
        return []
    return [f"{path}: expected an integer"]


def t_hex(nbytes):
    def check(value, path):
        if is_hex(value, nbytes):
            return []
        return [f"{path}: expected {2 * nbytes} lower-case hex digits"]
    return check


def t_one_of(*choices):
    def check(value, path):
        return [] if value in choices else [f"{path}: expected one of {', '.join(choices)}"]
    return check


def t_utc_time(value, path):
    return [] if is_utc_time(value) else [f"{path}: expected YYYY-MM-DDTHH:MM:SSZ"]


def is_rfc3339(value):
    """An RFC 3339 date-time with offset, with a real date and in-range fields."""
    match = RFC3339_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    off_hour, off_minute = match.group(9), match.group(10)
    return (hour < 24 and minute < 60 and second <= 60  # 60: a leap second (RFC 3339 5.7)
            and (off_hour is None or (int(off_hour) < 24 and int(off_minute) < 60)))


def t_rfc3339(value, path):
    return [] if is_rfc3339(value) else [f"{path}: expected an RFC 3339 time with offset"]


def t_key_name(value, path):
    if isinstance(value, str) and KEY_NAME_RE.fullmatch(value):
        return []
    return [f"{path}: not a valid key name (1-64 of A-Z a-z 0-9 . _ - @, not starting with .)"]


def t_base64(nbytes):
    def check(value, path):
        raw = b64decode_canonical(value)
        if raw is not None and len(raw) == nbytes:
            return []
        return [f"{path}: expected canonical base64 of {nbytes} bytes"]
    return check


def t_array(item_checker, non_empty=False):
    def check(value, path):
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        if non_empty and not value:
            return [f"{path}: must be omitted rather than empty"]
        problems = []
        for i, item in enumerate(value):
            problems += item_checker(item, f"{path}[{i}]")
        return problems
    return check


def t_object(required, optional=None):
    """An object with all `required` members, any of `optional`, and nothing else."""
    optional = optional or {}

    def check(value, path):
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        problems = []
        for name in sorted(set(value) - set(required) - set(optional)):
            problems.append(f"{path}: unknown member {name!r}")
        for name, checker in required.items():
            if name not in value:
                problems.append(f"{path}: missing member {name!r}")
            else:
                problems += checker(value[name], f"{path}.{name}")
        for name, checker in optional.items():
            if name in value:
                problems += checker(value[name], f"{path}.{name}")
        return problems
    return check


def t_object_any(value, path):
    return [] if isinstance(value, dict) else [f"{path}: expected an object"]


def t_non_empty_str(value, path):
    if isinstance(value, str) and value:
        return []
    return [f"{path}: expected a non-empty string"]


def t_exhibit_id(value, path):
    """Section 6.4: `exhibit` is `E-` and four or more digits."""
    if isinstance(value, str) and EXHIBIT_RE.fullmatch(value):
        return []
    return [f"{path}: expected an exhibit id (E- and four or more digits)"]


def t_hex_or_empty(nbytes):
    """Section 6.6: a re-check's `sha256`, empty when the artifact could not be read."""
    def check(value, path):
        if value == "" or is_hex(value, nbytes):
            return []
        return [f"{path}: expected {2 * nbytes} lower-case hex digits, or empty"]
    return check


def t_no_repeats(item_checker):
    """A non-empty array without repeated items (section 6.6, `release.exhibits`)."""
    array = t_array(item_checker)

    def check(value, path):
        problems = array(value, path)
        if problems:
            return problems
        if not value:
            return [f"{path}: must not be empty"]
        repeated = sorted({item for item in value if value.count(item) > 1})
        return [f"{path}: {item} is listed more than once" for item in repeated]
    return check


def t_non_empty_array(item_checker):
    """A non-empty array (section 6.6, `accept.received`)."""
    array = t_array(item_checker)

    def check(value, path):
        problems = array(value, path)
        if not problems and not value:
            problems.append(f"{path}: must not be empty")
        return problems
    return check


# Section 5.1: the envelope.
ENVELOPE = t_object({
    "body": t_object_any,
    "format": t_int,
    "key": t_hex(8),
    "kind": t_str,
    "prev": t_hex(32),
    "seq": t_uint,
    "sig": t_base64(64),
    "time": t_utc_time,
})

# Section 6.1: a key record (the administrator's role is optional and may be any string; the
# holder's full name is optional and informative), and the case.open body.
KEY_RECORD = t_object(
    {"id": t_hex(8), "name": t_key_name, "public_key": t_base64(32)},
    {"role": t_str, "full_name": t_str},
)
CASE_OPEN_BODY = t_object({
    "case": t_object(
        {"case_id": t_str, "title": t_str, "origin": t_str, "created": t_utc_time},
        {"court": t_str, "jurisdiction": t_one_of("us", "fr", "es"),
         "lang": t_one_of("en", "fr", "es"), "timezone": t_str},
    ),
    "admin": KEY_RECORD,
})

# Section 6.2: the seal body.
HASHES = t_object({"sha256": t_hex(32)},
                  {name: t_hex(n) for name, n in HASH_LENGTHS.items() if name != "sha256"})
MEMBER = t_object(
    {"path": t_str, "type": t_one_of("file", "dir", "symlink", "hardlink", "other")},
    {"size": t_uint, "hashes": HASHES, "link": t_str, "mtime": t_int},
)
# Section 6.2, EWF images: what an `ewf` artifact's `ewf` object holds.
EWF_DIGEST = lambda n: t_object({"computed": t_hex(n)}, {"stored": t_hex(n), "matches": t_bool})
EWF_HEADER = t_object({}, {name: t_str for name in (
    "case_number", "evidence_number", "description", "examiner", "notes", "acquisition_date",
    "system_date", "software_version", "os", "model", "serial")})
EWF_BAD_CHUNK = t_object({"chunk": t_uint, "sector": t_uint, "sectors": t_uint,
                          "segment": t_uint,
                          "problem": t_one_of("checksum", "zlib", "size")})
EWF = t_object(
    {"format": t_one_of("ewf1"), "segments": t_uint, "media_size": t_uint,
     "bytes_per_sector": t_uint, "sector_count": t_uint, "chunk_size": t_uint,
     "chunk_count": t_uint, "compressed_chunks": t_uint, "compression": t_non_empty_str,
     "media_type": t_non_empty_str, "physical": t_bool,
     "header_source": t_one_of("header2", "header", "none"), "header": EWF_HEADER,
     "md5": EWF_DIGEST(16), "sha1": EWF_DIGEST(20), "bad_chunk_count": t_uint},
    {"bad_chunks": t_array(EWF_BAD_CHUNK, non_empty=True), "sha256": EWF_DIGEST(32)},
)
# Section 6.2, "Member files": the members of a directory, tar or zip may be in a member file
# of `bytes` bytes, `count` lines and SHA-256 `sha256`, instead of in `members`.
MEMBER_FILE = t_object({"bytes": t_positive, "count": t_positive, "sha256": t_hex(32)})
ARTIFACT = t_object(
    {"kind": t_one_of("file", "directory", "tar", "zip", "ewf"), "path_given": t_str,
     "path_resolved": t_str, "size": t_uint, "hashes": HASHES},
    {"compression": t_one_of("gzip"), "manifest_sha256": t_hex(32), "file_count": t_uint,
     "members": t_array(MEMBER), "member_file": MEMBER_FILE, "ewf": EWF},
)
ITEM = t_object({}, dict(
    {name: t_str for name in (
        "item_type", "make", "model", "serial", "capacity", "condition", "os_version",
        "seized_seal_no")},
    **{name: t_array(t_str, non_empty=True) for name in (
        "imei", "iccid", "imsi", "phone_number")}))
ACQUISITION = t_object({}, dict(
    {name: t_str for name in (
        "method", "tool", "tool_version", "write_blocker", "parameters", "errors", "changes",
        "operator", "operator_role", "organisation", "clock", "location", "authority",
        "reason", "parent")},
    present=t_array(t_str, non_empty=True),
    acquired_at=t_rfc3339,
    source_sha256=t_hex(32),
    source_hash_matches=t_bool,
    source_sha1=t_hex(20),
    source_sha1_matches=t_bool,
    source_md5=t_hex(16),
    source_md5_matches=t_bool,
))
SEAL_BODY = t_object(
    {"exhibit": t_exhibit_id, "artifact": ARTIFACT,
     "hashed_by": t_object({"name": t_str, "version": t_str})},
    {"seal_no": t_str, "description": t_str, "item": ITEM, "acquisition": ACQUISITION},
)

# Section 6.5: the key lifecycle. A key enrolled by `key.enrol` has one of the five roles; a
# successor's record has its predecessor's name and role (checked with the ledger's state).
KEY_ENROL_BODY = t_object({
    "key": t_object(
        {"id": t_hex(8), "name": t_key_name, "public_key": t_base64(32),
         "role": t_one_of(*ROLES)},
        {"full_name": t_str},
    ),
})
KEY_REVOKE_BODY = t_object({"key": t_hex(8), "reason": t_str})
KEY_ROTATE_BODY = t_object({"old": t_hex(8), "new": KEY_RECORD})

# Section 6.6: custody. A re-check records the re-hash of an exhibit before signing.
RECHECK = t_object(
    {"exhibit": t_exhibit_id, "path": t_str, "sha256": t_hex_or_empty(32), "matches": t_bool},
    {"discrepancies": t_array(t_str, non_empty=True)},
)
RELEASE_BODY = t_object(
    {"exhibits": t_no_repeats(t_exhibit_id), "to": t_hex(8), "purpose": t_str},
    {"packaging": t_str, "seal_condition": t_str, "location": t_str, "authority": t_str},
)
ACCEPT_BODY = t_object(
    {"release": t_uint, "received": t_non_empty_array(RECHECK)},
    {"seal_condition": t_str, "location": t_str},
)
OPEN_BODY = t_object(
    {"exhibit": t_exhibit_id, "operations": t_str},
    {"seal_no": t_str, "seal_condition": t_str, "present": t_array(t_str, non_empty=True),
     "location": t_str},
)
RESEAL_BODY = t_object(
    {"exhibit": t_exhibit_id, "new_seal_no": t_non_empty_str, "recheck": RECHECK},
    {"present": t_array(t_str, non_empty=True), "location": t_str, "seal_condition": t_str},
)
NOTE_BODY = t_object({"text": t_str}, {"exhibit": t_exhibit_id})
DISPOSE_BODY = t_object({"exhibit": t_exhibit_id, "how": t_str, "authority": t_str})


def t_tsa_name(value, path):
    """Section 6.10: 1-32 of a-z 0-9 '-', not starting with '-'."""
    if isinstance(value, str) and TSA_NAME_RE.fullmatch(value):
        return []
    return [f"{path}: expected a TSA name (1-32 of a-z, 0-9 and '-', not starting with '-')"]


def t_tsa_url(value, path):
    """Section 6.10: http:// or https://, then a host; at most 2048 bytes of printable ASCII
    without spaces."""
    if (isinstance(value, str) and len(value) <= 2048
            and all(0x21 <= ord(c) <= 0x7e for c in value)
            and re.fullmatch(r"https?://[^/].*", value, re.S)):
        return []
    return [f"{path}: expected an http:// or https:// URL of at most 2048 printable ASCII bytes"]


def is_der_sequence(der):
    """One DER SEQUENCE (tag 0x30, a definite length in its shortest form) spanning exactly
    these bytes: the outer shape of an X.509 certificate (section 6.10)."""
    if len(der) < 2 or der[0] != 0x30:
        return False
    first = der[1]
    if first < 0x80:
        return len(der) - 2 == first
    k = first & 0x7f
    if not 1 <= k <= 4 or len(der) < 2 + k or der[2] == 0:
        return False
    length = int.from_bytes(der[2:2 + k], "big")
    return length >= 0x80 and len(der) - 2 - k == length


def t_tsa_ca(value, path):
    """Section 6.10: 1 to 16 canonical base64 DER certificates of at most 64 KiB each."""
    if not isinstance(value, list) or not 1 <= len(value) <= 16:
        return [f"{path}: expected an array of 1 to 16 certificates"]
    problems = []
    for i, item in enumerate(value):
        der = b64decode_canonical(item)
        if der is None or len(der) > 65536 or not is_der_sequence(der):
            problems.append(f"{path}[{i}]: expected canonical base64 of one DER certificate "
                            "of at most 65536 bytes")
    return problems


TSA_ADD_BODY = t_object({"name": t_tsa_name, "url": t_tsa_url, "ca": t_tsa_ca})


def t_bare_file_name(value, path):
    """Section 6.7: a file name without directory."""
    if isinstance(value, str) and value and "/" not in value and "\\" not in value:
        return []
    return [f"{path}: expected a file name without directory"]


# Section 6.7: a rendered document, pinned by the SHA-256 of its PDF.
REPORT_BODY = t_object(
    {
        "document": t_one_of("expert-report", "certificate", "seals", "custody"),
        "lang": t_one_of("en", "fr", "es"),
        "jurisdiction": t_one_of("us", "fr", "es"),
        "file": t_bare_file_name,
        "sha256": t_hex(32),
        "size": t_uint,
        "pages": t_uint,
        "pdfa": t_one_of("1b", "2b", "3b"),
        "exhibits": t_array(t_exhibit_id),
        "ledger_size": t_uint,
    },
    {
        "bates_first": t_str,
        "bates_last": t_str,
        # The filing variant (PDF/A-2b, no attachments) written with the evidence variant.
        "filing": t_object(
            {
                "file": t_bare_file_name,
                "sha256": t_hex(32),
                "size": t_uint,
                "pages": t_uint,
                "pdfa": t_one_of("2b"),
            },
            {},
        ),
    },
)


def t_absent_or_non_empty(value, path):
    """Section 6.9: optional strings are omitted, never empty."""
    return t_non_empty_str(value, path)


# Section 6.9: an evidence bundle exported from the case, pinned by the SHA-256 of its tar.
EXPORT_BODY = t_object(
    {
        "file": t_bare_file_name,
        "sha256": t_hex(32),
        "size": t_uint,
        "format": t_one_of("bagit-tar"),
        "exhibits": t_no_repeats(t_exhibit_id),
        "artifacts": t_bool,
        "ledger_size": t_uint,
    },
    {"to": t_absent_or_non_empty, "purpose": t_absent_or_non_empty},
)


# Section 6.8: a scan for indicators of compromise. The schema first; the rules tying the
# records to each other (counts, references) in `check_ioc_scan_body`, and those needing the
# ledger's state (the exhibits scanned) in `KindRules.ioc_scan`.

# The match kinds of a match record (`on`), and the members present exactly when `on` is
# `content`.
IOC_ON = ("content", "path", "name", "hash", "sqlite", "plist", "json", "log")
# A value read in a structured file: `location` present exactly for these, with the members of
# each format (required, optional).
IOC_LOCATION = {
    "sqlite": ({"table", "column"}, {"rowid", "key"}),
    "plist": ({"key"}, set()),
    "json": ({"key"}, {"line"}),
    "log": ({"line"}, set()),
}
IOC_CONTENT_ONLY = ("offset", "excerpt_start", "excerpt")
# `value` is lower case for domains, IPs, URLs, e-mail addresses, profile ids and digests.
IOC_LOWER_CASE_TYPES = ("domain-name:value", "ipv4-addr:value", "url:value",
                        "email-addr:value", "configuration-profile:id")
IOC_DIGEST_TYPE_RE = re.compile(r"(file:hashes|app:cert)\..+")
IOC_EXCERPT_RE = re.compile(r"[\x20-\x7e]*")  # every other byte is shown as `.`
IOC_EXCERPT_SIDE = 32  # up to 32 bytes each side of the occurrence
IOC_MAX_OFFSETS = 16  # `offsets`: the first 16
IOC_MAX_EXAMPLES = 5  # `skipped.examples`: 1 to 5 indicator ids


def t_ioc_examples(value, path):
    problems = t_array(t_str)(value, path)
    if not problems and not 1 <= len(value) <= IOC_MAX_EXAMPLES:
        problems.append(f"{path}: expected 1 to {IOC_MAX_EXAMPLES} example indicator ids, "
                        f"not {len(value)}")
    return problems


IOC_SKIPPED = t_object({"reason": t_str, "count": t_positive, "examples": t_ioc_examples})
IOC_FILE = t_object(
    {"file": t_bare_file_name, "sha256": t_hex(32), "size": t_uint,
     "indicator_objects": t_uint, "used": t_uint},
    {"bundle": t_str, "names_only": t_positive,  # omitted when 0
     "skipped": t_array(IOC_SKIPPED, non_empty=True),  # omitted when empty
     # 6.8 only says "optional"; an empty one is refused as 6.4 refuses an empty `present`
     # (optional members are omitted instead). Likewise `indicates` below.
     "names": t_array(t_str, non_empty=True)},
)
MAX_MATCHES_PER_INDICATOR = 100  # section 6.8: match records per indicator and exhibit
IOC_OMITTED = t_object({"ioc_file": t_hex(32), "indicator": t_str, "matches": t_positive})
IOC_EXHIBIT = t_object(
    {"exhibit": t_exhibit_id, "path": t_str, "sha256": t_hex(32), "files": t_uint,
     "bytes": t_uint, "matches": t_uint},
    {"omitted": t_array(IOC_OMITTED, non_empty=True),  # omitted when empty
     "mentions": t_positive,  # omitted when 0
     "omitted_mentions": t_array(IOC_OMITTED, non_empty=True)},
)
IOC_LOCATION_SCHEMA = t_object(
    {}, {"table": t_str, "column": t_str, "rowid": t_int, "key": t_str, "line": t_positive})
IOC_MATCH = t_object(
    {"ioc_file": t_hex(32), "indicator": t_str, "pattern": t_str, "type": t_str,
     "value": t_str, "exhibit": t_exhibit_id, "on": t_one_of(*IOC_ON), "matched": t_str,
     "occurrences": t_positive},
    {"indicates": t_array(t_str, non_empty=True), "member": t_str, "offset": t_uint,
     "excerpt_start": t_uint, "excerpt": t_str, "offsets": t_array(t_uint),
     "location": IOC_LOCATION_SCHEMA},
)
IOC_SCAN_BODY = t_object(
    {"ioc_files": t_non_empty_array(IOC_FILE),
     "exhibits": t_non_empty_array(IOC_EXHIBIT),
     "matches": t_array(IOC_MATCH),
     "scanned_by": t_object({"name": t_str, "version": t_str})},
    {"mentions": t_array(IOC_MATCH, non_empty=True)},  # omitted when empty
)
IOC_MATCH_SHAPE = t_object(
    {"ioc_file": t_str, "indicator": t_str, "pattern": t_str, "type": t_str,
     "value": t_str, "exhibit": t_str, "on": t_str, "matched": t_str,
     "occurrences": t_uint},
    {"indicates": t_array(t_str), "member": t_str, "offset": t_uint,
     "excerpt_start": t_uint, "excerpt": t_str, "offsets": t_array(t_uint),
     "location": t_object_any})
# The same records with their members' types only (no value rules): a body of this shape is
# still checked against the exhibits it names (rule 6) and its IOC files' copies, even when it
# breaks a value rule, so that each problem is reported where it is.
IOC_SCAN_SHAPE = t_object({
    "ioc_files": t_array(t_object(
        {"file": t_str, "sha256": t_str, "size": t_uint, "indicator_objects": t_uint,
         "used": t_uint},
        {"bundle": t_str, "names_only": t_uint, "names": t_array(t_str),
         "skipped": t_array(t_object(
             {"reason": t_str, "count": t_uint, "examples": t_array(t_str)}))})),
    "exhibits": t_array(t_object(
        {"exhibit": t_str, "path": t_str, "sha256": t_str, "files": t_uint, "bytes": t_uint,
         "matches": t_uint},
        {"omitted": t_array(t_object_any), "mentions": t_uint,
         "omitted_mentions": t_array(t_object_any)})),
    "matches": t_array(IOC_MATCH_SHAPE),
    "scanned_by": t_object({"name": t_str, "version": t_str}),
}, {"mentions": t_array(IOC_MATCH_SHAPE)})


def t_reason(value, path):
    """Section 6.11: a reason is a string with a character other than space, tab, LF and CR."""
    if isinstance(value, str) and value.strip(" \t\n\r"):
        return []
    return [f"{path}: expected a reason (not empty, not only spaces, tabs and line breaks)"]


# Section 6.11: an expert's decision about one finding of an earlier scan. The exhibit's form is
# not checked here: the chain rule compares it with the finding's.
IOC_REVIEW_BODY = t_object(
    {"scan": t_uint, "finding": t_uint, "indicator": t_non_empty_str, "exhibit": t_str,
     "decision": t_one_of("confirmed", "dismissed"), "reason": t_reason},
    {"member": t_non_empty_str},
)


def check_ioc_file(record, path):
    """Section 6.8: an IOC file record's counts agree with each other."""
    problems = []
    skipped = record.get("skipped", [])
    reasons = [s["reason"] for s in skipped]
    for reason in sorted({r for r in reasons if reasons.count(r) > 1}):
        problems.append(f"{path}.skipped: reason {reason!r} is listed more than once (one "
                        "record per reason)")
    for i, s in enumerate(skipped):
        if len(s["examples"]) > s["count"]:
            problems.append(f"{path}.skipped[{i}]: {len(s['examples'])} examples of "
                            f"{s['count']} skipped indicators")
    total = record["used"] + sum(s["count"] for s in skipped)
    if total != record["indicator_objects"]:
        problems.append(f"{path}: used {record['used']} + skipped "
                        f"{total - record['used']} = {total}, not indicator_objects "
                        f"{record['indicator_objects']}")
    if record.get("names_only", 0) > record["used"]:
        problems.append(f"{path}: names_only {record['names_only']} is more than used "
                        f"{record['used']}")
    return problems


def check_ioc_match(match, path):
    """Section 6.8: the members of a match record that depend on `on`."""
    problems = []
    content = match["on"] == "content"
    structured = match["on"] in IOC_LOCATION
    for name in IOC_CONTENT_ONLY:
        needed = content or (structured and name == "excerpt")
        if needed and name not in match:
            problems.append(f"{path}: a {match['on']} match needs {name!r}")
        if not needed and name in match:
            problems.append(f"{path}: a {match['on']} match has no {name!r}")
    location = match.get("location")
    if structured != (location is not None):
        problems.append(f"{path}: 'location' is present exactly for sqlite, plist, json and "
                        f"log matches, not on {match['on']!r}")
    elif structured:
        required, optional = IOC_LOCATION[match["on"]]
        present = set(location)
        if not required <= present or present - required - optional:
            problems.append(f"{path}.location: a {match['on']} location has "
                            f"{sorted(required)} (and optionally {sorted(optional)}), not "
                            f"{sorted(present)}")
        key = location.get("key")
        if key is not None and key != "" and not key.startswith("/"):
            problems.append(f"{path}.location.key: not a JSON Pointer")
        if location.get("table") == "" or location.get("column") == "":
            problems.append(f"{path}.location: an empty table or column name")
        excerpt = match.get("excerpt", "")
        if (IOC_EXCERPT_RE.fullmatch(match["matched"]) is None
                or IOC_EXCERPT_RE.fullmatch(excerpt) is None
                or len(excerpt) > len(match["matched"]) + 2 * IOC_EXCERPT_SIDE):
            problems.append(f"{path}: a structured match's text and excerpt are printable "
                            "ASCII, the excerpt at most 32 bytes each side of the text")
    if not content and match["occurrences"] != 1:
        problems.append(f"{path}: a {match['on']} match has occurrences 1, not "
                        f"{match['occurrences']}")
    if "offsets" in match:
        offsets = match["offsets"]
        if not content:
            problems.append(f"{path}: a {match['on']} match has no 'offsets' (content only)")
        elif match["occurrences"] < 2:
            problems.append(f"{path}: 'offsets' with a single occurrence")
        elif len(offsets) != min(match["occurrences"], IOC_MAX_OFFSETS):
            problems.append(f"{path}.offsets: {len(offsets)} offsets for "
                            f"{match['occurrences']} occurrences (the first "
                            f"{IOC_MAX_OFFSETS} are listed)")
        elif offsets[0] != match.get("offset") or any(
                a >= b for a, b in zip(offsets, offsets[1:])):
            problems.append(f"{path}.offsets: not the increasing offsets of the occurrences, "
                            "starting at 'offset'")
    if content and not problems:
        if match["excerpt_start"] > match["offset"] or (
                match["offset"] - match["excerpt_start"] > IOC_EXCERPT_SIDE):
            problems.append(f"{path}: excerpt_start {match['excerpt_start']} is not within "
                            f"{IOC_EXCERPT_SIDE} bytes before offset {match['offset']}")
        if IOC_EXCERPT_RE.fullmatch(match["excerpt"]) is None:
            problems.append(f"{path}.excerpt: a byte outside 0x20-0x7E is not shown as '.'")
    kind = match["type"]
    if ((kind in IOC_LOWER_CASE_TYPES or IOC_DIGEST_TYPE_RE.fullmatch(kind))
            and re.search(r"[A-Z]", match["value"])):
        problems.append(f"{path}.value: a {kind} value is compared in lower case")
    return problems


def check_ioc_scan_body(body):
    """Section 6.8: the schema, then how the records refer to each other."""
    problems = IOC_SCAN_BODY(body, "body")
    if problems:
        return problems
    digests = [f["sha256"] for f in body["ioc_files"]]
    for digest in sorted({d for d in digests if digests.count(d) > 1}):
        problems.append(f"body.ioc_files: sha256 {digest} is listed more than once")
    for i, record in enumerate(body["ioc_files"]):
        problems += check_ioc_file(record, f"body.ioc_files[{i}]")
    scanned = [e["exhibit"] for e in body["exhibits"]]
    for exhibit in sorted({e for e in scanned if scanned.count(e) > 1}):
        problems.append(f"body.exhibits: {exhibit} is scanned more than once")
    mentions = body.get("mentions", [])
    for what, records in (("matches", body["matches"]), ("mentions", mentions)):
        for i, match in enumerate(records):
            path = f"body.{what}[{i}]"
            if match["ioc_file"] not in digests:
                problems.append(f"{path}.ioc_file {match['ioc_file']} is the sha256 of none "
                                "of ioc_files")
            if match["exhibit"] not in scanned:
                problems.append(f"{path}.exhibit {match['exhibit']} is none of the exhibits "
                                "scanned")
            if what == "mentions" and match["on"] != "content":
                problems.append(f"{path}.on: a mention is a content hit, not {match['on']!r}")
            problems += check_ioc_match(match, path)
    for i, record in enumerate(body["exhibits"]):
        count = sum(1 for m in body["matches"] if m["exhibit"] == record["exhibit"])
        if record["matches"] != count:
            problems.append(f"body.exhibits[{i}].matches is {record['matches']}, but "
                            f"{count} match records name {record['exhibit']}")
        count = sum(1 for m in mentions if m["exhibit"] == record["exhibit"])
        if record.get("mentions", 0) != count:
            problems.append(f"body.exhibits[{i}].mentions is {record.get('mentions', 0)}, "
                            f"but {count} mention records name {record['exhibit']}")
    problems += check_match_caps(body, digests, body["matches"], "omitted", "match")
    problems += check_match_caps(body, digests, mentions, "omitted_mentions", "mention")
    return problems


def check_match_caps(body, digests, records, omitted_member, what):
    """Section 6.8: at most MAX_MATCHES_PER_INDICATOR match records per indicator and exhibit;
    `omitted` sorted by (ioc_file, indicator) without repeats, each naming one of ioc_files,
    for an indicator with exactly the maximum of records in that exhibit."""
    problems = []
    per = {}
    for m in records:
        key = (m["exhibit"], m["ioc_file"], m["indicator"])
        per[key] = per.get(key, 0) + 1
    for (exhibit, _, indicator), n in sorted(per.items()):
        if n > MAX_MATCHES_PER_INDICATOR:
            problems.append(f"indicator {indicator!r} has {n} {what} records in exhibit "
                            f"{exhibit}, more than {MAX_MATCHES_PER_INDICATOR}")
    for i, record in enumerate(body["exhibits"]):
        omitted = record.get(omitted_member, [])
        keys = [(o["ioc_file"], o["indicator"]) for o in omitted]
        where = f"body.exhibits[{i}].{omitted_member}"
        if any(a >= b for a, b in zip(keys, keys[1:])):
            problems.append(f"{where} is not sorted by IOC file and indicator without repeats")
        for o in omitted:
            if o["ioc_file"] not in digests:
                problems.append(f"{where}: IOC file {o['ioc_file']} is none of ioc_files")
            kept = per.get((record["exhibit"], o["ioc_file"], o["indicator"]), 0)
            if kept != MAX_MATCHES_PER_INDICATOR:
                problems.append(f"{where}: {what} records of {o['indicator']!r} were omitted, "
                                f"but {kept} are recorded, not {MAX_MATCHES_PER_INDICATOR}")
    return problems


def check_recheck(recheck, path):
    """Section 6.6: `discrepancies` is present exactly when `matches` is false. (The rule
    that a matching re-check has the sealed SHA-256 needs the seal record: see
    `CustodyRules.recheck_against_seal`.)"""
    if recheck["matches"] and "discrepancies" in recheck:
        return [f"{path}: a matching re-check has no 'discrepancies'"]
    if not recheck["matches"] and "discrepancies" not in recheck:
        return [f"{path}: a re-check that does not match lists its 'discrepancies'"]
    return []


def check_seal_body(body):
    """Section 6.2, 6.3 and 6.4: the seal body's schema, then its internal consistency."""
    problems = SEAL_BODY(body, "body")
    if not problems:
        problems = check_artifact(body["artifact"])
    if not problems and "acquisition" in body:
        problems = check_acquisition(body["acquisition"], body["artifact"])
    return problems


def member_file_checkable(body):
    """A seal body whose artifact names a member file and is otherwise right (its schema and
    `check_artifact`), so that the file can be checked against it."""
    artifact = body.get("artifact") if isinstance(body, dict) else None
    return (isinstance(artifact, dict) and "member_file" in artifact
            and not ARTIFACT(artifact, "body.artifact") and not check_artifact(artifact))


def check_accept_body(body):
    problems = ACCEPT_BODY(body, "body")
    if not problems:
        for i, recheck in enumerate(body["received"]):
            problems += check_recheck(recheck, f"body.received[{i}]")
    return problems


def check_reseal_body(body):
    problems = RESEAL_BODY(body, "body")
    if not problems:
        problems = check_recheck(body["recheck"], "body.recheck")
        if body["recheck"]["exhibit"] != body["exhibit"]:
            problems.append(f"body.recheck.exhibit {body['recheck']['exhibit']} is not the "
                            f"exhibit re-sealed, {body['exhibit']}")
    return problems


# Rule 5 of section 7: the body checker of every entry kind of format 1 (section 5.1). A kind
# not in this table is an error: a verifier must not guess (section 13).
BODY_CHECKERS = {
    "case.open": lambda body: CASE_OPEN_BODY(body, "body"),
    "seal": check_seal_body,
    "key.enrol": lambda body: KEY_ENROL_BODY(body, "body"),
    "key.revoke": lambda body: KEY_REVOKE_BODY(body, "body"),
    "key.rotate": lambda body: KEY_ROTATE_BODY(body, "body"),
    "release": lambda body: RELEASE_BODY(body, "body"),
    "accept": check_accept_body,
    "open": lambda body: OPEN_BODY(body, "body"),
    "reseal": check_reseal_body,
    "note": lambda body: NOTE_BODY(body, "body"),
    "dispose": lambda body: DISPOSE_BODY(body, "body"),
    "report": lambda body: REPORT_BODY(body, "body"),
    "export": lambda body: EXPORT_BODY(body, "body"),
    "ioc.scan": check_ioc_scan_body,
    "tsa.add": lambda body: TSA_ADD_BODY(body, "body"),
    "ioc.review": lambda body: IOC_REVIEW_BODY(body, "body"),
}


# ---------------------------------------------------------------------------------------------
# Semantic rules of the seal body that a schema cannot express (section 6.2, 6.3)
# ---------------------------------------------------------------------------------------------


def manifest_text(members):
    """Section 6.3: the GNU sha256sum text of the members of type `file`, in members order."""
    lines = []
    for m in members:
        if m.get("type") != "file":
            continue
        path = m["path"]
        digest = m["hashes"]["sha256"]
        if "\\" in path or "\n" in path or "\r" in path:
            escaped = path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            lines.append(f"\\{digest}  {escaped}\n")
        else:
            lines.append(f"{digest}  {path}\n")
    return "".join(lines)


def check_zip_member(where, m):
    """Section 6.2, zip members: a file, dir or symlink; a path ending with '/' exactly for a
    dir; relative, of plain components (no empty, '.' or '..' one), without NUL or backslash."""
    mtype, path = m["type"], m["path"]
    if mtype not in ("file", "dir", "symlink"):
        return [f"{where}: a zip member is a file, dir or symlink, not a {mtype}"]
    if (mtype == "dir") != path.endswith("/"):
        return [f"{where}: a zip member's path ends with '/' exactly when it is a dir"]
    body = path[:-1] if mtype == "dir" else path
    if (path.startswith("/") or "\\" in path or "\0" in path
            or any(p in ("", ".", "..") for p in body.split("/"))):
        return [f"{where}: zip member path {path!r} is not a clean relative path"]
    return []
EWF_HEADER2_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
EWF_HEADER_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def check_ewf(artifact):
    """Section 6.2, EWF images: the segments are plain file members named without a folder,
    counted by `file_count` and `ewf.segments`; the media's size and chunk geometry agree; the
    computed MD5 / SHA-1 are the media's `legacy_md5` / `legacy_sha1`; each `matches` is
    exactly stored == computed; bad chunks are the first 1000 of `bad_chunk_count`, in chunk
    order; header dates have the form their header section gives."""
    problems = []
    e = artifact["ewf"]
    members = artifact["members"]
    if "compression" in artifact:
        problems.append("body.artifact: an ewf image has no 'compression' (see ewf.compression)")
    for i, m in enumerate(members):
        if (m["type"] != "file" or "mtime" in m or "/" in m["path"] or not m["path"]):
            problems.append(f"body.artifact.members[{i}]: a segment is a file named without "
                            "a folder, with no mtime")
    paths = [m["path"] for m in members]
    if not members or len(set(paths)) != len(paths):
        problems.append("body.artifact.members: segment files are listed once each, at least one")
    if e["segments"] != len(members):
        problems.append("body.artifact.ewf.segments is not the number of segment files")
    bps, chunk = e["bytes_per_sector"], e["chunk_size"]
    if bps == 0 or chunk == 0 or chunk % bps:
        problems.append("body.artifact.ewf: a chunk is a whole number of sectors")
    elif e["sector_count"] * bps != e["media_size"] or artifact["size"] != e["media_size"]:
        problems.append("body.artifact.size and ewf.media_size are sector_count x bytes_per_sector")
    elif (not 0 <= e["chunk_count"] - -(-e["media_size"] // chunk) <= 1
          or e["compressed_chunks"] > e["chunk_count"]):
        problems.append("body.artifact.ewf.chunk_count does not hold the media (or one "
                        "chunk more), or compressed_chunks exceeds it")
    bad = e.get("bad_chunks", [])
    if len(bad) != min(e["bad_chunk_count"], 1000):
        problems.append("body.artifact.ewf.bad_chunks lists the first 1000 of bad_chunk_count")
    chunks = [b["chunk"] for b in bad]
    if any(a >= b for a, b in zip(chunks, chunks[1:])):
        problems.append("body.artifact.ewf.bad_chunks are in chunk order, once each")
    for b in bad:
        if b["chunk"] >= e["chunk_count"] or not 1 <= b["segment"] <= e["segments"]:
            problems.append(f"body.artifact.ewf.bad_chunks: chunk {b['chunk']} is not a chunk "
                            "of the image")
    if e["header_source"] == "none" and e["header"]:
        problems.append("body.artifact.ewf.header is empty without a header section")
    date_re = EWF_HEADER2_DATE_RE if e["header_source"] == "header2" else EWF_HEADER_DATE_RE
    for name in ("acquisition_date", "system_date"):
        if name in e["header"] and not date_re.fullmatch(e["header"][name]):
            problems.append(f"body.artifact.ewf.header.{name} is not the form its header "
                            "section gives")
    for name, legacy in (("md5", "legacy_md5"), ("sha1", "legacy_sha1")):
        d = e[name]
        if ("matches" in d) != ("stored" in d) or (
                "stored" in d and d["matches"] != (d["stored"] == d["computed"])):
            problems.append(f"body.artifact.ewf.{name}.matches contradicts stored and computed")
        if artifact["hashes"].get(legacy) != d["computed"]:
            problems.append(f"body.artifact.ewf.{name}.computed is not the media's "
                            f"hashes.{legacy}")
    if "sha256" in e:
        d = e["sha256"]
        if ("stored" not in d or d.get("matches") != (d["stored"] == d["computed"])
                or d["computed"] != artifact["hashes"]["sha256"]):
            problems.append("body.artifact.ewf.sha256: recorded only when stored, matches is "
                            "stored == computed, computed is the media's sha256")
    return problems


def check_artifact(artifact):
    """Consistency of an artifact whose schema is already known to be right (section 6.4):
    the members the kind has, the artifact's own values, and the rules over in-line `members`
    (`MemberRules`). A `member_file`'s members are checked from the file, with the case
    directory, by `check_member_file`: here only that it is where it may be."""
    problems = []
    kind = artifact["kind"]
    if ("ewf" in artifact) != (kind == "ewf"):
        return ["body.artifact: an 'ewf' object goes with an ewf artifact, and only with one"]
    if kind == "file":
        for name in ("manifest_sha256", "file_count", "members", "member_file", "compression"):
            if name in artifact:
                problems.append(f"body.artifact: a file has no {name!r}")
        return problems
    for name in ("manifest_sha256", "file_count"):
        if name not in artifact:
            problems.append(f"body.artifact: a {kind} needs {name!r}")
    if kind == "ewf":
        if "member_file" in artifact:
            problems.append("body.artifact: an ewf has 'members', never 'member_file'")
        elif "members" not in artifact:
            problems.append("body.artifact: an ewf needs 'members'")
    elif "members" in artifact and "member_file" in artifact:
        problems.append(f"body.artifact: a {kind} has 'members' or 'member_file', not both")
    elif "members" not in artifact and "member_file" not in artifact:
        problems.append(f"body.artifact: a {kind} needs 'members' or 'member_file'")
    if problems:
        return problems
    if kind == "directory":
        if "compression" in artifact:
            problems.append("body.artifact: a directory has no 'compression'")
        if set(artifact["hashes"]) != {"sha256"}:
            problems.append("body.artifact.hashes: a directory has sha256 only")
        if artifact["hashes"]["sha256"] != artifact["manifest_sha256"]:
            problems.append("body.artifact.hashes.sha256 differs from manifest_sha256")
    if kind == "zip" and "compression" in artifact:
        problems.append("body.artifact: a zip has no 'compression'")
    if kind == "ewf":
        problems += check_ewf(artifact)
    if "members" in artifact:
        rules = MemberRules(artifact)
        for m in artifact["members"]:
            rules.add(m)
        # The counts, size and manifest only of members that are otherwise right (as before).
        problems += rules.finish(totals=not problems)
    return problems


class MemberRules:
    """Section 6.4's rules over a seal's members, checked in one pass, one member at a time,
    for in-line `members` and for the members of a member file alike (section 6.2, "Member
    files": every rule applies to the file's members as if they were the array). What is kept
    between members: the previous path (a directory's order), the counts, the size sum and the
    running SHA-256 of the manifest (6.3); for a zip, a 16-byte digest of each member's path
    (no two members of one path). Never the members themselves.

    `label` is None for in-line members (problems name `body.artifact.members[i]`), else the
    member file's name (problems name its line numbers). With `schema`, each member is first
    checked against the member schema (a member file's lines are not part of the body the
    schema checked). With `limit`, at most that many problems are kept (a member file may hold
    a million members); the others are counted."""

    def __init__(self, artifact, label=None, schema=False, limit=None):
        self.artifact = artifact
        self.kind = artifact["kind"]
        self.label = label
        self.schema = schema
        self.limit = limit
        self.problems = []
        self.more = 0  # problems beyond `limit`
        self.broken = False  # a member failed its schema, or a rule: no totals
        self.count = 0
        self.files = 0
        self.size = 0
        self.previous = None  # directory: the previous member's path, as bytes
        self.unsorted = False
        self.zip_keys = set()
        self.zip_twice = False
        self.manifest = hashlib.sha256()

    def where(self, i):
        if self.label is None:
            return f"body.artifact.members[{i}]"
        return f"{self.label} line {i + 1}"

    @property
    def where_all(self):
        return "body.artifact.members" if self.label is None else self.label

    def fail(self, message):
        self.broken = True
        if self.limit is not None and len(self.problems) >= self.limit:
            self.more += 1
        else:
            self.problems.append(message)

    def add(self, m):
        """One more member, in order."""
        i = self.count
        self.count += 1
        where = self.where(i)
        if self.schema:
            problems = MEMBER(m, "member")
            if problems:
                for problem in problems:
                    self.fail(f"{where}: not a member ({problem})")
                return
        kind, mtype, path = self.kind, m["type"], m["path"]
        expect = {
            "size": mtype == "file",
            "hashes": mtype == "file",
            "link": mtype in ("symlink", "hardlink"),
        }
        for name, wanted in expect.items():
            if wanted and name not in m:
                self.fail(f"{where}: a {mtype} member needs {name!r}")
            if not wanted and name in m:
                self.fail(f"{where}: a {mtype} member has no {name!r}")
        if kind == "directory":
            if "mtime" in m:
                self.fail(f"{where}: directory members carry no 'mtime'")
            parts = path.split("/")
            if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
                self.fail(f"{where}: path {path!r} is not a clean relative path")
            key = path.encode("utf-8", "surrogatepass")
            if self.previous is not None and self.previous >= key and not self.unsorted:
                self.unsorted = True
                self.fail(f"{self.where_all}: not sorted by the bytes of path (from "
                          f"{'member' if self.label is None else 'line'} "
                          f"{i if self.label is None else i + 1})")
            self.previous = key
        if kind == "zip":
            for problem in check_zip_member(where, m):
                self.fail(problem)
            key = path[:-1] if mtype == "dir" else path
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:16]
            if digest in self.zip_keys and not self.zip_twice:
                self.zip_twice = True
                self.fail(f"{self.where_all}: two zip members of one path ({key!r})")
            self.zip_keys.add(digest)
        if mtype == "file" and "hashes" in m and "size" in m:
            self.files += 1
            self.size += m["size"]
            self.manifest.update(manifest_text([m]).encode("utf-8", "surrogatepass"))

    def finish(self, totals=True):
        """The problems found, then, if there were none (and `totals`), the rules over all the
        members: `file_count`, a directory's `size`, `manifest_sha256`."""
        problems = list(self.problems)
        if self.more:
            problems.append(f"{self.where_all}: {self.more} more problems not shown")
        if self.broken or not totals:
            return problems
        artifact = self.artifact
        holds = "there are" if self.label is None else f"{self.label} holds"
        if artifact["file_count"] != self.files:
            problems.append(f"body.artifact.file_count is {artifact['file_count']}, "
                            f"but {holds} {self.files} file members")
        if self.kind == "directory" and artifact["size"] != self.size:
            problems.append(f"body.artifact.size is {artifact['size']}, but the file members' "
                            f"sizes{'' if self.label is None else ' in ' + self.label} sum "
                            f"to {self.size}")
        if self.manifest.hexdigest() != artifact["manifest_sha256"]:
            problems.append("body.artifact.manifest_sha256 is not SHA-256 of the manifest "
                            "rebuilt from the members"
                            + ("" if self.label is None else f" of {self.label}"))
        return problems


# ---------------------------------------------------------------------------------------------
# Member files (section 6.2, "Member files"): members/SHA256.jsonl, read as a stream
# ---------------------------------------------------------------------------------------------

MAX_MEMBER_LINE = 1 << 20  # bytes of a member file's line, without its newline
MEMBER_FILE_PROBLEMS = 20  # the most problems of one member file's lines or members shown


def member_file_name(member_file):
    """The member file's name in the case directory, `members/SHA256.jsonl` (the schema checked
    that `sha256` is 64 lower-case hex digits: never another path)."""
    return f"members/{member_file['sha256']}.jsonl"


class MemberFileReader:
    """Reads a member file as a stream (section 6.2): `members()` yields (index, member) for
    each line that is canonical JSON, holding one line at a time (at most MAX_MEMBER_LINE + 1
    bytes). What is wrong with the file is in `problems` once `members()` is exhausted: missing,
    a symbolic link or not a regular file, another length (then nothing is read), a line too
    long, empty, not canonical JSON, or not ended by a newline, another number of lines or
    SHA-256. After a line that is wrong no more member is yielded (`complete` is then False:
    the rules over all the members are not checked), but the file is still read to its end
    for its SHA-256 and its lines."""

    def __init__(self, path, member_file, label=None):
        self.path = path
        self.spec = member_file
        self.label = label or member_file_name(member_file)
        self.problems = []  # the file's own problems: missing, length, lines, SHA-256
        self.line_problems = []  # lines that are not members' canonical JSON
        self.more = 0
        self.complete = False  # every line was read and yielded as a member

    def line_fail(self, message):
        self.complete = False
        if len(self.line_problems) < MEMBER_FILE_PROBLEMS:
            self.line_problems.append(message)
        else:
            self.more += 1

    def all_problems(self):
        problems = self.problems + self.line_problems
        if self.more:
            problems.append(f"{self.label}: {self.more} more wrong lines not shown")
        return problems

    def members(self):
        label, spec = self.label, self.spec
        try:
            f, size = open_regular(self.path)
        except FileNotFoundError:
            self.problems.append(f"{label}: missing (the member file of this seal)")
            return
        except NotRegular:
            self.problems.append(f"{label}: not a regular file (a directory, a FIFO, a "
                                 "device...): not read")
            return
        except OSError as e:
            if e.errno == errno.ELOOP or os.path.islink(self.path):
                self.problems.append(f"{label}: a symbolic link: a case's files are never "
                                     "read through a link")
            else:
                self.problems.append(f"{label}: cannot be opened: {e.strerror or e}")
            return
        with f:
            if size != spec["bytes"]:
                self.problems.append(f"{label}: {size} bytes, but member_file.bytes is "
                                     f"{spec['bytes']}: not read")
                return
            h = hashlib.sha256()
            lines = 0  # complete lines (ended by a newline)
            read = 0
            self.complete = True
            while True:
                raw = f.readline(MAX_MEMBER_LINE + 1)
                if not raw:
                    break
                read += len(raw)
                h.update(raw)
                if read > spec["bytes"]:
                    self.problems.append(f"{label}: grew while it was read (more than "
                                         f"member_file.bytes {spec['bytes']}): not the file "
                                         "the seal names")
                    self.complete = False
                    return
                if not raw.endswith(b"\n"):
                    if len(raw) <= MAX_MEMBER_LINE:  # end of file: a trailing partial line
                        self.line_fail(f"{label}: {len(raw)} bytes after the last newline "
                                       "(a member file ends with a newline)")
                        continue
                    # Longer than a line may be: skip the rest in pieces, never held whole.
                    length, ended = len(raw), False
                    while True:
                        piece = f.readline(1 << 20)
                        if not piece:
                            break
                        read += len(piece)
                        h.update(piece)
                        if read > spec["bytes"]:
                            break
                        if piece.endswith(b"\n"):
                            length, ended = length + len(piece) - 1, True
                            break
                        length += len(piece)
                    if ended:
                        lines += 1
                    self.line_fail(f"{label} line {lines if ended else lines + 1}: "
                                   f"{length}{'' if ended else ' or more'} bytes, longer than "
                                   f"the {MAX_MEMBER_LINE} bytes a line may have")
                    if read > spec["bytes"]:
                        self.problems.append(f"{label}: grew while it was read (more than "
                                             f"member_file.bytes {spec['bytes']})")
                        return
                    continue
                lines += 1
                line = raw[:-1]
                if not line:
                    self.line_fail(f"{label} line {lines}: an empty line")
                    continue
                try:
                    member = parse_canonical(line)
                except NotCanonical as e:
                    self.line_fail(f"{label} line {lines}: not a member's canonical JSON: {e}")
                    continue
                if self.complete:
                    yield lines - 1, member
            if read != spec["bytes"]:  # shrank while read
                self.problems.append(f"{label}: {read} bytes read, but member_file.bytes is "
                                     f"{spec['bytes']}")
            if lines != spec["count"]:
                self.problems.append(f"{label}: {lines} lines, but member_file.count is "
                                     f"{spec['count']}")
            if h.hexdigest() != spec["sha256"]:
                self.problems.append(f"{label}: SHA-256 is {h.hexdigest()}: not the file "
                                     "member_file.sha256 names (altered)")
        if self.problems:
            self.complete = False


def check_member_file(case_dir, artifact):
    """Section 6.2, "Member files", and 7 rule 5 (`member-file`): the member file a seal's
    `member_file` names (its artifact already checked by `check_artifact`) is a regular file of
    `bytes` bytes, `count` lines and SHA-256 `sha256`, each line a member's canonical JSON and
    a newline, and its members follow the rules of 6.4 as in-line `members` would. Streams
    the file: never holds more than one line. Returns the problems (empty when fine)."""
    member_file = artifact["member_file"]
    label = member_file_name(member_file)
    reader = MemberFileReader(os.path.join(case_dir, *label.split("/")), member_file, label)
    rules = MemberRules(artifact, label=label, schema=True, limit=MEMBER_FILE_PROBLEMS)
    for _, member in reader.members():
        rules.add(member)
    problems = reader.all_problems()
    # The counts, size and manifest only when every line was read as a member.
    problems += rules.finish(totals=reader.complete)
    return problems


def member_paths_in_file(case_dir, member_file, wanted):
    """Which of the paths `wanted` are members in a seal's member file, the file read as a
    stream (its problems are `check_member_file`'s to report)."""
    found = set()
    reader = MemberFileReader(os.path.join(case_dir, *member_file_name(member_file).split("/")),
                              member_file)
    for _, member in reader.members():
        if isinstance(member, dict) and member.get("path") in wanted:
            found.add(member["path"])
    return found


# Section 6.2: each hash of the source the acquisition tool reported, its `matches` flag, and
# the digest of the artifact it is compared with.
SOURCE_HASHES = (
    ("SHA-256", "source_sha256", "source_hash_matches", "sha256"),
    ("SHA-1", "source_sha1", "source_sha1_matches", "legacy_sha1"),
    ("MD5", "source_md5", "source_md5_matches", "legacy_md5"),
)


def check_acquisition(acquisition, artifact):
    """Section 6.4: each source hash (`source_sha256`, `source_sha1`, `source_md5`) and its
    `matches` flag go together, the artifact holds the digest it is compared with, and the flag
    is true exactly when the two are equal. (`parent` names an existing exhibit: a kind rule,
    checked with the ledger's state in `KindRules.seal`.)"""
    problems = []
    for _, source, flag, digest in SOURCE_HASHES:
        has_source = source in acquisition
        has_matches = flag in acquisition
        if has_matches and not has_source:
            problems.append(f"body.acquisition: {flag} without {source}")
        elif has_source and not has_matches:
            problems.append(f"body.acquisition: {source} without {flag}")
        elif has_source and digest not in artifact["hashes"]:
            problems.append(f"body.acquisition.{source}: no artifact.hashes.{digest} "
                            "to compare it with")
        elif has_source and acquisition[flag] != (
                acquisition[source] == artifact["hashes"][digest]):
            problems.append(f"body.acquisition.{flag} contradicts the hashes")
    return problems


def source_hash_mismatches(body):
    """Section 6.2: the source hashes of a seal that differ from the sealed copy's, as
    (algorithm, source value, sealed value)."""
    acquisition = body.get("acquisition", {})
    hashes = body["artifact"]["hashes"]
    return [(name, acquisition[source], hashes[digest])
            for name, source, _, digest in SOURCE_HASHES
            if source in acquisition and acquisition[source] != hashes[digest]]


# ---------------------------------------------------------------------------------------------
# The state carried along the ledger: the case, its keys and the custody of its exhibits
# (sections 6.1, 6.5, 6.6)
# ---------------------------------------------------------------------------------------------


class Exhibit:
    """The custody of one exhibit (section 6.6)."""

    def __init__(self, exhibit_id, holder, seal_no, artifact):
        self.id = exhibit_id
        self.holder = holder  # key id
        self.state = SEALED
        self.seal_no = seal_no  # the current seal number; None if the seal entry had none
        # The sealed artifact's SHA-256, for re-checks and scans.
        self.sha256 = artifact["hashes"]["sha256"]
        self.kind = artifact["kind"]  # file, directory, tar, zip or ewf
        # The member paths as sealed (directory, tar, zip and ewf), which a scan's matches name:
        # those of in-line `members`; with a `member_file` (section 6.2), the file is read
        # again as a stream when a scan names members (`check_ioc_matches`), not held here.
        self.member_paths = {m["path"] for m in artifact.get("members", [])}
        self.member_file = artifact.get("member_file")
        self.member_file_ok = True  # no `member-file` error on the seal's line
        self.release = None  # in transit: the seq of the release entry
        self.receiver = None  # in transit: the receiver's key id


class CaseState:
    """What the chain rules carry from one line to the next."""

    def __init__(self):
        self.case = None  # entry 0's body.case
        self.origin = None
        self.keys = {}  # key id -> Key: every key ever enrolled, in enrolment order
        self.admin = None  # key id of the administrator (section 6.5)
        self.exhibits = {}  # exhibit id -> Exhibit, in ledger order
        self.seal_count = 0  # lines of kind `seal` so far, valid or not (section 7, rule 6)
        # Section 6.8: the IOC files pinned by scans, sha256 -> (entry seq, file name), whose
        # copies CASE/ioc/SHA256.stix2 are checked after the ledger.
        self.ioc_files = {}
        self.ioc_scans = []  # (seq, body) of every ioc.scan entry without error
        # Section 6.11: seq of each of those scans -> its findings' (indicator, exhibit, member).
        self.ioc_findings = {}
        self.previous_time = None
        self.tsas = {}  # section 6.10: TSA name -> (entry seq, body) of its tsa.add
        self.case_dir = None  # where members/SHA256.jsonl are read (section 6.2)

    def describe(self, key_id):
        """A key id with its name, for messages."""
        key = self.keys.get(key_id)
        return str(key) if key is not None else f"{key_id} (not a key of the case)"

    def enrol(self, record, n):
        """Add the key of a key record (already checked) to the registry, under its id."""
        key = Key(record["name"], base64.b64decode(record["public_key"]), record.get("role"),
                  enrolled_at=n, recorded_id=record["id"])
        self.keys[key.key_id] = key
        return key


def describe_custody(state, exhibit):
    """An exhibit's state, for messages."""
    if exhibit.state == IN_TRANSIT:
        return (f"in transit to {state.describe(exhibit.receiver)} under the release of "
                f"entry {exhibit.release}")
    return f"{exhibit.state}, held by {state.describe(exhibit.holder)}"


class KindRules:
    """Rule 6 of section 7 for one entry: the kind rules of sections 6.1 to 6.6, checked
    against the state left by the previous lines.

    Each method named after a kind (`key.enrol` -> `key_enrol`) records the entry's problems
    (reported with the code `custody`) and returns the entry's effect on the state, a function
    that `check_entry` calls only if the entry has no error at all (section 7: an entry with an
    error changes neither the keys nor the custody). The body was already checked against its
    schema (rule 5), so the methods may rely on its members and their types."""

    def __init__(self, state, n, signer):
        self.state = state
        self.n = n
        self.signer = signer  # the entry's `key`: the key id that claims to have signed it
        self.problems = []

    def fail(self, message):
        self.problems.append(message)

    # -- helpers shared by the kinds ------------------------------------------------------

    def exhibit(self, exhibit_id):
        """The exhibit, or None (a problem) if no valid seal made it."""
        exhibit = self.state.exhibits.get(exhibit_id)
        if exhibit is None:
            self.fail(f"{exhibit_id} is not an exhibit of the case")
        return exhibit

    def held_by_signer(self, exhibit):
        """Section 6.6: the holder signs release, open, reseal and dispose."""
        if exhibit.holder != self.signer:
            self.fail(f"{exhibit.id} is held by {self.state.describe(exhibit.holder)}, not by "
                      f"the signer {self.state.describe(self.signer)}")
            return False
        return True

    def in_state(self, exhibit, *states):
        if exhibit.state not in states:
            self.fail(f"{exhibit.id} is {describe_custody(self.state, exhibit)}; it must be "
                      f"{' or '.join(states)}")
            return False
        return True

    def signed_by_admin(self):
        """Section 6.5: key.enrol and key.revoke are signed by the administrator."""
        if self.signer != self.state.admin:
            admin = self.state.describe(self.state.admin) if self.state.admin else "none"
            self.fail(f"signed by {self.state.describe(self.signer)}, not by the "
                      f"administrator {admin}")

    def new_key_ok(self, record, what):
        """Section 7, rule 6: a key enrolled or rotated to has an `id` matching its
        `public_key` and is not already enrolled (revoked or not)."""
        computed = key_id(base64.b64decode(record["public_key"]))
        if record["id"] != computed:
            self.fail(f"{what}: id {record['id']} is not the key id {computed} of its "
                      "public_key")
            return False
        if record["id"] in self.state.keys:
            self.fail(f"{what}: key {self.state.describe(record['id'])} is already enrolled "
                      f"(since entry {self.state.keys[record['id']].enrolled_at})")
            return False
        return True

    def recheck_against_seal(self, recheck, path):
        """Section 6.6: `matches` means that everything re-hashed equals the seal record, so a
        matching re-check has the sealed SHA-256."""
        exhibit = self.state.exhibits.get(recheck["exhibit"])
        if exhibit is not None and recheck["matches"] and recheck["sha256"] != exhibit.sha256:
            self.fail(f"{path} says {exhibit.id} matches its seal, but its sha256 "
                      f"{recheck['sha256'] or '(empty)'} is not the sealed {exhibit.sha256}")

    # -- section 6.2: seal ----------------------------------------------------------------

    def seal(self, body):
        """The exhibit numbering is checked by `check_entry` for every seal line; here the
        parent, and the effect: the signer holds the new exhibit, sealed."""
        parent = body.get("acquisition", {}).get("parent")
        if parent is not None and parent not in self.state.exhibits:
            self.fail(f"body.acquisition.parent {parent!r} names no earlier exhibit")
        exhibit = Exhibit(body["exhibit"], self.signer, body.get("seal_no"), body["artifact"])

        def effect():
            self.state.exhibits[exhibit.id] = exhibit
        return effect

    # -- section 6.5: the key lifecycle ---------------------------------------------------

    def key_enrol(self, body):
        self.signed_by_admin()
        record = body["key"]
        if not self.new_key_ok(record, "body.key"):
            return None
        taken = [k for k in self.state.keys.values() if k.name == record["name"]]
        if taken:
            self.fail(f"body.key.name {record['name']!r} is already the name of "
                      f"{', '.join(map(str, taken))}: enrolled names are unique")
        return lambda: self.state.enrol(record, self.n)

    def key_revoke(self, body):
        self.signed_by_admin()
        target = self.state.keys.get(body["key"])
        if target is None:
            self.fail(f"body.key {body['key']} is not a key of the case")
            return None
        if not target.active:
            self.fail(f"key {target} is already {target.ended_how}")
            return None

        def effect():
            target.ended_at = self.n
            target.ended_how = f"revoked at entry {self.n} ({body['reason']})"
        return effect

    def key_rotate(self, body):
        old = self.state.keys.get(body["old"])
        if body["old"] != self.signer:
            self.fail(f"body.old {self.state.describe(body['old'])} is not the signer "
                      f"{self.state.describe(self.signer)}: a key rotates only itself")
            return None
        if old is None:
            return None  # an unknown signer: `unknown-key` (rule 7)
        record = body["new"]
        if not self.new_key_ok(record, "body.new"):
            return None
        if record["name"] != old.name:
            self.fail(f"body.new.name {record['name']!r} is not the old key's name "
                      f"{old.name!r}")
        if record.get("role") != old.role:
            self.fail(f"body.new.role {record.get('role')!r} is not the old key's role "
                      f"{old.role!r}")

        def effect():
            # Section 6.5: the old key may sign no more; the successor takes the
            # administrator right, every exhibit held and every release addressed to the
            # old key.
            new = self.state.enrol(record, self.n)
            old.ended_at = self.n
            old.ended_how = f"rotated out at entry {self.n} (successor {new.key_id})"
            if self.state.admin == old.key_id:
                self.state.admin = new.key_id
            for exhibit in self.state.exhibits.values():
                if exhibit.holder == old.key_id:
                    exhibit.holder = new.key_id
                if exhibit.state == IN_TRANSIT and exhibit.receiver == old.key_id:
                    exhibit.receiver = new.key_id
        return effect

    # -- section 6.6: custody -------------------------------------------------------------

    def release(self, body):
        exhibits = []
        for exhibit_id in body["exhibits"]:
            exhibit = self.exhibit(exhibit_id)
            if exhibit is not None:
                self.held_by_signer(exhibit)
                self.in_state(exhibit, SEALED)
                exhibits.append(exhibit)
        receiver = self.state.keys.get(body["to"])
        if receiver is None:
            self.fail(f"body.to {body['to']} is not an enrolled key")
        elif not receiver.active:
            self.fail(f"body.to {receiver} is {receiver.ended_how}")
        elif receiver.key_id == self.signer:
            self.fail(f"body.to {receiver} is the signer: a release is to another key")

        def effect():
            for exhibit in exhibits:
                exhibit.state = IN_TRANSIT
                exhibit.release = self.n
                exhibit.receiver = body["to"]
        return effect

    def accept(self, body):
        release = body["release"]
        exhibits = []
        seen = set()
        for i, recheck in enumerate(body["received"]):
            if recheck["exhibit"] in seen:
                self.fail(f"{recheck['exhibit']} is listed twice")
            seen.add(recheck["exhibit"])
            exhibit = self.exhibit(recheck["exhibit"])
            if exhibit is None:
                continue
            exhibits.append(exhibit)
            if exhibit.state != IN_TRANSIT:
                self.fail(f"{exhibit.id} is {describe_custody(self.state, exhibit)}, not in "
                          f"transit under the release of entry {release}")
            elif exhibit.release != release:
                self.fail(f"{exhibit.id} is in transit under the release of entry "
                          f"{exhibit.release}, not of entry {release}")
            elif exhibit.receiver != self.signer:
                self.fail(f"{exhibit.id} was released to {self.state.describe(exhibit.receiver)}"
                          f", not to the signer {self.state.describe(self.signer)}")
            self.recheck_against_seal(recheck, f"body.received[{i}]")

        def effect():
            for exhibit in exhibits:
                exhibit.holder = self.signer
                exhibit.state = SEALED
                exhibit.release = exhibit.receiver = None
        return effect

    def open(self, body):
        exhibit = self.exhibit(body["exhibit"])
        if exhibit is None:
            return None
        self.held_by_signer(exhibit)
        if self.in_state(exhibit, SEALED) and body.get("seal_no") != exhibit.seal_no:
            self.fail(f"body.seal_no {body.get('seal_no')!r} is not {exhibit.id}'s current "
                      f"seal number {exhibit.seal_no!r}")

        def effect():
            exhibit.state = OPENED
        return effect

    def reseal(self, body):
        exhibit = self.exhibit(body["exhibit"])
        if exhibit is None:
            return None
        self.held_by_signer(exhibit)
        self.in_state(exhibit, OPENED)
        if body["recheck"]["exhibit"] != exhibit.id:
            self.fail(f"body.recheck.exhibit {body['recheck']['exhibit']!r} is not "
                      f"body.exhibit {exhibit.id!r}")
        self.recheck_against_seal(body["recheck"], "body.recheck")

        def effect():
            exhibit.state = SEALED
            exhibit.seal_no = body["new_seal_no"]
        return effect

    def note(self, body):
        # The signer (any enrolled, unrevoked key) is checked by rule 7.
        if "exhibit" in body:
            self.exhibit(body["exhibit"])
        return None

    def tsa_add(self, body):
        """Section 6.10: the administrator adds a TSA under a name not used before."""
        self.signed_by_admin()
        if body["name"] in self.state.tsas:
            self.fail(f"a TSA named {body['name']} was already added at entry "
                      f"{self.state.tsas[body['name']][0]}")
            return None

        def effect():
            self.state.tsas[body["name"]] = (self.n, body)
        return effect

    def dispose(self, body):
        exhibit = self.exhibit(body["exhibit"])
        if exhibit is None:
            return None
        self.held_by_signer(exhibit)
        self.in_state(exhibit, SEALED, OPENED)

        def effect():
            exhibit.state = DISPOSED
        return effect


def _report_rules(self, body):
    """Section 6.7: a report names existing exhibits and reflects at most the earlier entries."""
    for exhibit_id in body["exhibits"]:
        self.exhibit(exhibit_id)
    if body["ledger_size"] > self.n:
        self.fail(f"a report at entry {self.n} cannot reflect {body['ledger_size']} entries")
    return None


KindRules.report = _report_rules


def _export_rules(self, body):
    """Section 6.9: an export names existing exhibits and holds at most the earlier entries."""
    for exhibit in body["exhibits"]:
        self.exhibit(exhibit)
    if body["ledger_size"] > self.n:
        self.fail(f"an export at entry {self.n} cannot hold {body['ledger_size']} entries")


KindRules.export = _export_rules


def _ioc_scan_rules(self, body):
    """Section 6.8, chain rule (`custody`): each exhibit scanned exists, is not disposed of,
    and was scanned with its sealed SHA-256. (A match's `member` is checked after the ledger,
    by `check_ioc_matches`.) A scan changes no custody. The body may break a
    value rule: only its shape (`IOC_SCAN_SHAPE`) is relied on."""
    exhibits = {}
    for i, record in enumerate(body["exhibits"]):
        exhibit = self.exhibit(record["exhibit"])
        if exhibit is None:
            continue
        exhibits[exhibit.id] = exhibit
        if exhibit.state == DISPOSED:
            self.fail(f"{exhibit.id} is disposed of: it cannot be scanned")
        if record["sha256"] != exhibit.sha256:
            self.fail(f"body.exhibits[{i}].sha256 {record['sha256']} is not {exhibit.id}'s "
                      f"sealed {exhibit.sha256}")
    return None


KindRules.ioc_scan = _ioc_scan_rules


def _ioc_review_rules(self, body):
    """Section 6.11, chain rule (`custody`): `scan` is an earlier ioc.scan entry without
    error, `finding` an index into its matches, and the indicator, exhibit and member are that
    match's. A review changes no custody."""
    findings = self.state.ioc_findings.get(body["scan"])
    if findings is None:
        self.fail(f"body.scan {body['scan']} is not an earlier ioc.scan entry without error")
        return None
    if body["finding"] >= len(findings):
        self.fail(f"body.finding {body['finding']}: scan {body['scan']} records "
                  f"{len(findings)} findings")
        return None
    if (body["indicator"], body["exhibit"], body.get("member")) != findings[body["finding"]]:
        self.fail(f"finding {body['scan']}#{body['finding']} is "
                  f"{findings[body['finding']]!r}, not the indicator, exhibit and member "
                  "the review repeats")
    return None


KindRules.ioc_review = _ioc_review_rules


# The kind rules of every kind but case.open (entry 0 is handled by `define_case`).
KIND_RULES = {
    "seal": KindRules.seal,
    "key.enrol": KindRules.key_enrol,
    "key.revoke": KindRules.key_revoke,
    "key.rotate": KindRules.key_rotate,
    "release": KindRules.release,
    "accept": KindRules.accept,
    "open": KindRules.open,
    "reseal": KindRules.reseal,
    "note": KindRules.note,
    "dispose": KindRules.dispose,
    "report": KindRules.report,
    "export": KindRules.export,
    "ioc.scan": KindRules.ioc_scan,
    "tsa.add": KindRules.tsa_add,
    "ioc.review": KindRules.ioc_review,
}


def rechecks_of(kind, body):
    """The re-checks an entry records (section 6.6), with where they are in the body."""
    if kind == "accept":
        return [(f"body.received[{i}]", r) for i, r in enumerate(body["received"])]
    if kind == "reseal":
        return [("body.recheck", body["recheck"])]
    return []


# ---------------------------------------------------------------------------------------------
# The ledger (sections 4, 5, 6, 7)
# ---------------------------------------------------------------------------------------------


def bounded_lines(f):
    """Yield (offset, bytes or None, length, complete) for each line of the binary file f:
    the line without its newline (None if longer than MAX_LINE, section 4.1), its length
    without the newline, and whether it ended with one. At most MAX_LINE + 1 bytes of a line
    are ever held: a longer line is skipped in 1 MiB pieces, never parsed."""
    offset = 0
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        length, complete = len(line), line.endswith(b"\n")
        if not complete and length == MAX_LINE + 1:
            line = None
            while True:
                piece = f.readline(1 << 20)
                if not piece:
                    break
                length += len(piece)
                if piece.endswith(b"\n"):
                    complete = True
                    break
        content = length - (1 if complete else 0)
        if content > MAX_LINE:
            yield offset, None, content, complete
        else:
            yield offset, (line[:-1] if complete else line), content, complete
        offset += length


def read_ledger(path, report):
    """Split the ledger into lines (without newlines); report a line longer than MAX_LINE
    (section 4.1: not parsed, not an entry) and a torn tail (section 4.2)."""
    lines = []
    try:
        f, _ = open_regular(path)
    except NotRegular as e:
        raise Fatal(f"{path}: not a regular file (a FIFO, a device...): the ledger cannot be "
                    "read, and is not opened") from e
    with f:
        for offset, line, length, complete in bounded_lines(f):
            if line is None:
                report.error("ledger.jsonl", "line-too-long",
                             f"the {'line' if complete else 'incomplete last line'} at byte "
                             f"{offset} is {length} bytes, more than the maximum line length "
                             f"{MAX_LINE}: not read, not an entry")
            elif not complete:
                report.error("ledger.jsonl", "torn-tail",
                             f"{length} bytes after the last newline (an interrupted append); "
                             "not treated as an entry")
            else:
                lines.append(line)
    return lines


def define_case(body, where, state, report):
    """Entry 0 defines the case and its administrator, even when it has an error (section 7),
    so that one bad member is reported once and not at every later entry."""
    admin = body.get("admin")
    if not KEY_RECORD(admin, "admin"):
        public_key = base64.b64decode(admin["public_key"])
        if admin["id"] != key_id(public_key):
            report.error(where, "custody", f"admin id {admin['id']} is not the key id "
                         f"{key_id(public_key)} of its public key")
        state.enrol(admin, 0)
        state.admin = admin["id"]
    case = body.get("case")
    if isinstance(case, dict):
        state.case = case
        if isinstance(case.get("origin"), str):
            state.origin = case["origin"]
            if isinstance(case.get("case_id"), str):
                check_origin(case, where, report)


def check_entry(n, line, previous_line, state, verifier, report):
    """Apply the rules of section 7 to line n. Every problem is reported; the line still
    counts as present (its bytes feed the chain and the tree) whatever happens here, and it
    changes the keys and custody only if it has no error."""
    where = f"entry {n}"
    errors_before = report.errors

    # Rule 1: canonical JSON and the envelope (`format`).
    try:
        entry = parse_canonical(line)
    except NotCanonical as e:
        report.error(where, "format", str(e))
        # Go on if it is still JSON, so that the other rules are checked too.
        try:
            entry = json.loads(line.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            return
    if not isinstance(entry, dict):
        report.error(where, "format", "an entry is a JSON object")
        return
    if entry.get("kind") == "seal":
        state.seal_count += 1  # rule 6 counts every line of kind seal, valid or not
    problems = ENVELOPE(entry, "entry")
    if problems:
        for problem in problems:
            report.error(where, "format", problem)
        return  # the other rules need a well-formed envelope
    if entry["format"] != LEDGER_FORMAT:
        report.error(where, "format", f"unknown ledger format {entry['format']}")
        return

    # Rule 2: seq = n.
    if entry["seq"] != n:
        report.error(where, "sequence", f"seq is {entry['seq']}, expected {n}")

    # Rule 3: prev = SHA-256 of the previous line's bytes, or 64 zeros for entry 0.
    expected_prev = ZERO_HASH_HEX if previous_line is None else sha256(previous_line).hex()
    if entry["prev"] != expected_prev:
        report.error(where, "chain", f"prev is {entry['prev']}, but the previous line "
                     f"hashes to {expected_prev}")

    # Rule 4: time order is only a warning.
    if state.previous_time is not None and entry["time"] < state.previous_time:
        report.warning(where, "time-order",
                       f"time {entry['time']} is before the previous entry's "
                       f"{state.previous_time}")
    state.previous_time = entry["time"]

    # Rule 5: the body parses for the kind and follows the value rules (`body`).
    kind, body = entry["kind"], entry["body"]
    body_checker = BODY_CHECKERS.get(kind)
    if body_checker is None:
        report.error(where, "body", f"unknown entry kind {kind!r}")
        body_ok = False
    else:
        problems = body_checker(body)
        for problem in problems:
            report.error(where, "body", problem)
        body_ok = not problems

    # Rule 5, a seal's member file (section 6.2, "Member files"): its errors (`member-file`) do
    # not stop the seal's effect: the exhibit still exists (6.2).
    member_file_errors = 0
    if kind == "seal" and state.case_dir is not None and member_file_checkable(body):
        for problem in check_member_file(state.case_dir, body["artifact"]):
            report.error(where, "member-file", problem)
            member_file_errors += 1

    # Rule 6: the kind rules (`custody`): entry 0, exhibit numbering, keys and custody.
    effect = None
    if n == 0 and kind != "case.open":
        report.error(where, "custody", "entry 0 must be case.open")
    if n != 0 and kind == "case.open":
        report.error(where, "custody", "case.open is only entry 0")
    if n == 0 and kind == "case.open":
        define_case(body, where, state, report)
    if kind == "seal":
        expected_exhibit = f"E-{state.seal_count:04d}"
        if body.get("exhibit") != expected_exhibit:
            report.error(where, "custody", f"exhibit is {body.get('exhibit')!r}, but this is "
                         f"seal line {state.seal_count}: expected {expected_exhibit!r}")
    # An ioc.scan body of the right shape is checked against the ledger even when it breaks a
    # value rule of 6.8 (its chain rule does not depend on them).
    shape_ok = body_ok or (kind == "ioc.scan" and not IOC_SCAN_SHAPE(body, "body"))
    if shape_ok and kind in KIND_RULES:
        rules = KindRules(state, n, entry["key"])
        effect = KIND_RULES[kind](rules, body)
        for problem in rules.problems:
            report.error(where, "custody", f"{kind}: {problem}")

    # Rule 7: the signer is enrolled and not revoked or rotated out, and the signature
    # verifies.
    check_signer(n, entry, state, verifier, report)

    # Rule 8: a re-check that does not match is a warning (it is evidence, not an error).
    if body_ok:
        for path, recheck in rechecks_of(kind, body):
            if not recheck["matches"]:
                report.warning(where, "discrepancy",
                               f"{path}: {recheck['exhibit']} re-hashed at "
                               f"{recheck['path']!r} by {state.describe(entry['key'])} does "
                               f"not match its seal: {'; '.join(recheck['discrepancies'])}")

    # Section 6.2: a source hash that differs from the sealed copy's is a warning.
    if body_ok and kind == "seal":
        for name, source, sealed in source_hash_mismatches(body):
            report.warning(where, "source-hash",
                           f"{body['exhibit']}: the acquisition tool's {name} of the source is "
                           f"{source}, the sealed copy's is {sealed}")

    # Section 6.8: the IOC files a scan pinned (their copies are checked after the ledger).
    if shape_ok and kind == "ioc.scan":
        for record in body["ioc_files"]:
            if is_hex(record["sha256"], 32):  # the copy's name: never another path
                state.ioc_files.setdefault(record["sha256"], (n, record["file"]))

    # Section 6.8: a scan without error is checked against its seals and its pinned IOC files
    # after the ledger (`check_ioc_matches`).
    if kind == "ioc.scan" and report.errors == errors_before:
        state.ioc_scans.append((n, body))
        state.ioc_findings[n] = [(m["indicator"], m["exhibit"], m.get("member"))
                                 for m in body["matches"]]

    # Section 7: only an entry without error changes the keys and custody; section 6.2: a seal
    # whose only errors are its member file's still makes its exhibit.
    if effect is not None and report.errors - member_file_errors == errors_before:
        effect()
        if member_file_errors and kind == "seal":
            state.exhibits[body["exhibit"]].member_file_ok = False


def check_signer(n, entry, state, verifier, report):
    """Rule 7: for entry 0, the key record in its body (enrolled by `define_case`), whose id
    `key` must be; for every later entry, a key enrolled by an earlier entry, not revoked or
    rotated out at an earlier entry; the signature verifies strictly."""
    where = f"entry {n}"
    key = state.keys.get(entry["key"])
    if key is None:
        if n == 0 and state.admin is not None:
            report.error(where, "unknown-key", f"key {entry['key']} is not the id "
                         f"{state.admin} of the administrator's key record")
        else:
            report.error(where, "unknown-key", f"key {entry['key']} is not enrolled in the "
                         "case")
        return
    if key.ended_at is not None and key.ended_at < n:
        report.error(where, "revoked-key", f"signed by {key}, {key.ended_how}")
    try:
        message = signed_message(entry)
    except NotCanonical as e:
        report.error(where, "signature", f"no canonical message to verify: {e}")
        return
    reason = verifier.verify(key.public_key, message, base64.b64decode(entry["sig"]))
    if reason is not None:
        report.error(where, "signature", f"{reason} (key {key})")


def check_origin(case, where, report):
    """Section 6.1: the origin's form, `scelle.case/` + a non-empty ID + `/` + 16 lower-case
    hex digits, on one line (it is the first line of every checkpoint). How ID is derived from
    the case id is not checked (section 6.1)."""
    origin = case["origin"]
    rest = origin[len("scelle.case/"):] if origin.startswith("scelle.case/") else None
    ident, _, nonce = (rest or "").rpartition("/")
    if rest is None or not ident or "\n" in origin or not is_hex(nonce, 8):
        report.error(where, "body", f"body.case.origin {origin!r} is not "
                     "scelle.case/ID/ and 16 lower-case hex digits, on one line")


# ---------------------------------------------------------------------------------------------
# The Merkle tree (section 8.1)
# ---------------------------------------------------------------------------------------------


def leaf_hash(line):
    return sha256(b"\x00" + line)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def merkle_roots(lines, sizes):
    """RFC 6962 Merkle Tree Hash of the first `size` lines for each size in `sizes`.

    MTH(n) splits n leaves as k + (n - k), k the largest power of two below n. Unfolding that
    recursion, MTH(n) is a right fold of the roots of the perfect subtrees that make up the
    first n leaves (one per bit of n, largest first): with roots R1 > R2 > ... > Rm,
        MTH(n) = node(R1, node(R2, ... node(Rm-1, Rm)))
    The stack below holds those perfect-subtree roots as leaves are added, so that the root at
    every size costs O(log n) instead of re-hashing the whole tree.
    """
    wanted = set(sizes)
    roots = {}
    if 0 in wanted:
        roots[0] = sha256(b"")  # MTH of zero leaves
    stack = []  # (height, hash) of the perfect subtrees, largest first
    for count, line in enumerate(lines, start=1):
        height, current = 0, leaf_hash(line)
        while stack and stack[-1][0] == height:  # merge equal-height subtrees
            current = node_hash(stack.pop()[1], current)
            height += 1
        stack.append((height, current))
        if count in wanted:
            root = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                root = node_hash(left, root)
            roots[count] = root
    return roots


def verify_inclusion(leaf_index, tree_size, leaf, path, root):
    """RFC 9162 section 2.1.3.2: verify an inclusion proof (audit path, leaf to root)."""
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# ---------------------------------------------------------------------------------------------
# Checkpoints: C2SP signed notes holding tlog-checkpoints (section 8.2)
# ---------------------------------------------------------------------------------------------


class Note:
    """A parsed signed note: the checkpoint's three fields and its signature lines."""

    def __init__(self, text, origin, size, root, signatures):
        self.text = text  # the signed text: the three lines with their newlines
        self.origin = origin
        self.size = size
        self.root = root
        self.signatures = signatures  # list of (name, blob bytes)


def parse_checkpoint(data):
    """Parse a signed checkpoint; raises ValueError naming the problem."""
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError("not valid UTF-8") from e
    if not note.endswith("\n"):
        raise ValueError("does not end with a newline")
    split = note.rfind("\n\n")  # the text is everything up to the last blank line
    if split < 0:
        raise ValueError("no blank line before the signatures")
    text, signature_block = note[: split + 1], note[split + 2:]
    lines = text.split("\n")[:-1]
    if len(lines) != 3:
        raise ValueError(f"the text has {len(lines)} lines, a format-1 checkpoint has 3 "
                         "(origin, size, root)")
    origin, size_text, root_text = lines
    if not origin:
        raise ValueError("empty origin")
    if DECIMAL_RE.fullmatch(size_text) is None or int(size_text) > MAX_U64:
        raise ValueError(f"size {size_text!r} is not a decimal number without leading zeros")
    root = b64decode_canonical(root_text)
    if root is None or len(root) != 32:
        raise ValueError("the root is not canonical base64 of 32 bytes")
    signatures = []
    for line in signature_block.split("\n")[:-1]:
        fields = line.split(" ")
        # C2SP signed-note: a key name is non-empty, with no white space and no "+".
        name = fields[1] if len(fields) == 3 else ""
        if (len(fields) != 3 or fields[0] != EM_DASH or not name or "+" in name
                or any(c in WHITE_SPACE for c in name)):
            raise ValueError(f"bad signature line {line!r}")
        blob = b64decode_canonical(fields[2])
        if blob is None or len(blob) < 5:
            raise ValueError(f"bad signature in line {line!r}")
        signatures.append((fields[1], blob))
    if not signatures:
        raise ValueError("no signature line")
    return Note(text, origin, int(size_text), root, signatures)


def cosigned_message(timestamp, text):
    """Section 8.3 (C2SP tlog-cosignature v1): the message a witness signs."""
    return COSIGNATURE_HEADER + f"time {timestamp}\n".encode("ascii") + text


def check_signature_line(note, name, blob, candidates, verifier):
    """Check one signature line against the keys of its name (section 8.2).

    `candidates` are the keys with that name (a key and its successors). The line's first 4
    bytes select the key and the signature type: a key's note key id (alg 0x01: 4 + 64 bytes,
    over the checkpoint text) or its cosignature key id (alg 0x04: 4 + 8 + 64 bytes, over the
    cosignature message of section 8.3). Returns (alg, timestamp or None, None, key) when the
    line verifies, else (None, None, reason, None)."""
    text = note.text.encode("utf-8")
    reasons = []
    for key in candidates:
        if blob[:4] == key.note_key_id:
            if len(blob) != 4 + 64:
                reasons.append(f"a note signature (alg 0x01) by {key} is 4 + 64 bytes, not "
                               f"{len(blob)}")
            else:
                reason = verifier.verify(key.public_key, text, blob[4:])
                if reason is None:
                    return 0x01, None, None, key
                reasons.append(f"note signature by {key}: {reason}")
        if blob[:4] == key.cosignature_key_id:
            if len(blob) != 4 + 8 + 64:
                reasons.append(f"a cosignature (alg 0x04) by {key} is 4 + 8 + 64 bytes, not "
                               f"{len(blob)}")
            else:
                timestamp = int.from_bytes(blob[4:12], "big")
                reason = verifier.verify(key.public_key, cosigned_message(timestamp, text),
                                         blob[12:])
                if reason is None:
                    return 0x04, timestamp, None, key
                reasons.append(f"cosignature by {key}: {reason}")
    if not reasons:
        ids = ", ".join(f"{k.note_key_id.hex()} (0x01) / {k.cosignature_key_id.hex()} (0x04)"
                        for k in candidates)
        reasons.append(f"key id {blob[:4].hex()} is none of {name}'s keys: {ids}")
    return None, None, "; ".join(reasons), None


def may_sign_checkpoint(key, size, keys):
    """Section 8.2: whether a key of the case may sign (or cosign) a checkpoint of tree size
    `size`. It must have been enrolled by one of the first `size` entries and not revoked or
    rotated out by one of them, except that a key rotated out by entry size-1 itself may sign
    (it signed that entry). No key may sign size 0. `keys` are all the case's keys (a
    rotation enrols the successor at the entry that ends the old key). Returns None, or why
    not. A key given with --vkey (not from a case) has no position and is not restricted."""
    if key.enrolled_at is None:
        return None
    if size == 0:
        return f"{key} cannot sign a checkpoint of size 0"
    last = size - 1
    if key.enrolled_at > last:
        return (f"{key} was enrolled at entry {key.enrolled_at}, after the {size} entries this "
                "checkpoint covers")
    if key.ended_at is not None:
        if key.ended_at < last:
            return (f"{key} was {key.ended_how}, before entry {last} that this checkpoint ends "
                    "with")
        rotated = any(k is not key and k.enrolled_at == key.ended_at for k in keys)
        if key.ended_at == last and not rotated:
            return f"{key} was {key.ended_how}, the last entry this checkpoint covers"
    return None


def describe_signer(key):
    """`name (key ID, role ROLE)`, for checkpoint findings."""
    if key.role is not None:
        return f"{key.name} (key {key.key_id}, role {key.role})"
    return f"{key.name} (key {key.key_id})"


def check_note_signatures(note, where, keys, verifier, report, now=None, witnesses=True):
    """Sections 8.2 and 8.3: each signature line is matched to a key (revoked or not) with the
    same name whose note key id (alg 0x01) or cosignature key id (alg 0x04) is the line's
    first 4 bytes, and must verify strictly; a name that is a key's but an id that is none of
    its keys is an error; a name of no key is a warning (not checked). A line that verifies
    counts only if its key may sign a checkpoint of this size (`checkpoint-key` otherwise),
    and a cosignature only if it is not dated more than COSIGNATURE_SKEW_SECONDS after `now`
    (`checkpoint-future`). At least one counted alg-0x01 signature is required
    (`checkpoint-unsigned`). Each counted cosignature is reported as a witness (section 8.3)
    when `witnesses`. Returns the descriptions of the keys whose note signatures count."""
    if now is None:
        now = int(time.time())
    by_name = {}
    for key in keys:
        by_name.setdefault(key.name, []).append(key)
    signers = []
    seen = set()
    for name, blob in note.signatures:
        # Section 8.3: a key counts once per checkpoint; a second line with the same name and
        # key id is a warning, not counted again.
        if (name, bytes(blob[:4])) in seen:
            report.warning(where, "checkpoint-duplicate",
                           f"a second signature line by {name!r} with key id "
                           f"{bytes(blob[:4]).hex()}: a key counts once per checkpoint; "
                           "not counted again")
            continue
        seen.add((name, bytes(blob[:4])))
        candidates = by_name.get(name)
        if not candidates:
            report.warning(where, "checkpoint-unknown-signer",
                           f"signature by {name!r}, not a key name of this case (not checked)")
            continue
        alg, timestamp, reason, key = check_signature_line(note, name, blob, candidates,
                                                           verifier)
        if reason is not None:
            report.error(where, "checkpoint-signature", f"signature line of {name!r}: {reason}")
            continue
        why_not = may_sign_checkpoint(key, note.size, keys)
        if why_not is not None:
            report.error(where, "checkpoint-key", f"the {'' if alg == 0x01 else 'co'}signature "
                         f"verifies but does not count: {why_not}")
        elif alg == 0x01:
            signers.append(describe_signer(key))
        elif timestamp > now + COSIGNATURE_SKEW_SECONDS:
            report.error(where, "checkpoint-future",
                         f"cosignature by {describe_signer(key)} dated "
                         f"{format_timestamp(timestamp)} (time {timestamp}), more than "
                         f"{COSIGNATURE_SKEW_SECONDS} s after now ({now}): not counted")
        elif witnesses:
            report.witness(where, name, note.size, timestamp)
    if not signers:
        report.error(where, "checkpoint-unsigned",
                     "no valid note signature (alg 0x01) by a key of the case that may sign "
                     f"a checkpoint of size {note.size}: its size and root say nothing and are "
                     "not compared with the ledger")
    return signers


def check_checkpoints(case_dir, lines, state, verifier, report, now, counting=None):
    """Check every file of CASE/checkpoints/ (section 8.2). Only regular files named
    NNNNNNNNNNNN.txt are checkpoints; anything else (a symbolic link, a FIFO, a device, a
    directory, another name) is a `checkpoint-stray` warning, not read; a checkpoint file of
    more than MAX_CHECKPOINT bytes is `checkpoint-format`, not read.
    A checkpoint of size 0 is refused (`checkpoint-size`) and not checked further. Its size
    and root are compared with the ledger only if a key of the case validly signed it, and
    those findings name the signers. Returns (number of checkpoint files, largest size of a
    valid checkpoint: of the case's origin, its size in its file name, its root that of the
    ledger's first lines, and signed by a key of the case that may sign it; an invalid
    cosignature line does not make the checkpoint itself invalid)."""
    directory = os.path.join(case_dir, "checkpoints")
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    notes = []
    files = 0
    for file_name in names:
        where = f"checkpoints/{file_name}"
        match = CHECKPOINT_FILE_RE.fullmatch(file_name)
        if match is None and TIMESTAMP_FILE_RE.fullmatch(file_name):
            # Section 8.6: a timestamp file, part of the directory when it is a regular file
            # (by its own type: a link is not followed); checked with its checkpoint.
            try:
                regular = stat.S_ISREG(os.lstat(os.path.join(directory, file_name)).st_mode)
            except OSError:
                regular = False
            if regular:
                continue
        stray = match is None
        if not stray:
            try:
                data = read_bounded(os.path.join(directory, file_name), MAX_CHECKPOINT)
            except (NotRegular, FileNotFoundError):
                stray = True  # a FIFO, a device, a directory: opened without blocking, not read
            except TooLarge:
                files += 1
                report.error(where, "checkpoint-format", "larger than the limit of "
                             f"{MAX_CHECKPOINT} bytes for a checkpoint file (section 8.2): "
                             "not read")
                continue
            except OSError as e:
                if e.errno == errno.ELOOP:
                    stray = True  # a symbolic link (O_NOFOLLOW): not followed, not read
                else:
                    files += 1
                    report.error(where, "checkpoint-format", f"unreadable: {e}")
                    continue
        if stray:
            report.warning(where, "checkpoint-stray", "not a checkpoint file (checkpoints/ "
                           "holds only regular files named NNNNNNNNNNNN.txt, and timestamps "
                           "NNNNNNNNNNNN.NAME.tsq/.tsr): not read")
            continue
        files += 1
        try:
            note = parse_checkpoint(data)
        except ValueError as e:
            report.error(where, "checkpoint-format", str(e))
            continue
        notes.append((where, int(match.group(1)), note))

    roots = merkle_roots(lines, [note.size for _, _, note in notes if note.size <= len(lines)])
    largest = 0
    for where, file_size, note in notes:
        valid = file_size == note.size
        if not valid:
            report.error(where, "checkpoint-size",
                         f"the file name says size {file_size}, the note {note.size}")
        if check_one_checkpoint(note, where, lines, roots, state, verifier, report, now,
                                trusted=False) and valid:
            largest = max(largest, note.size)
            if counting is not None:
                counting[note.size] = (where, note)  # a checkpoint that counts (8.2, 8.6)
    if lines and not files:
        report.warning("checkpoints/", "no-checkpoint", "the case has no checkpoint")
    elif largest < len(lines):
        report.warning("checkpoints/", "uncheckpointed",
                       f"entries {largest} to {len(lines) - 1} are in no valid checkpoint")
    return files, largest


def check_one_checkpoint(note, where, lines, roots, state, verifier, report, now, trusted):
    """Section 8.2 for one checkpoint (a stored one, or with `trusted` one given with
    --trusted-checkpoint, section 8.5): size 0 refused; origin; signatures; then, only if a
    key of the case that may sign it did, its size and root against the ledger: `truncated`
    or `checkpoint-root` for a stored checkpoint, `rollback` for a trusted one. Returns whether
    it is valid."""
    if note.size == 0:
        report.error(where, "checkpoint-size", "a checkpoint of size 0 commits to no entry and "
                     "no key may sign it")
        return False
    valid = True
    if state.origin is None or note.origin != state.origin:
        valid = False
        report.error(where, "checkpoint-origin",
                     f"origin {note.origin!r} is not the case's {state.origin!r}")
    keys = list(state.keys.values())
    signers = check_note_signatures(note, where, keys, verifier, report, now,
                                    witnesses=not trusted)
    if not signers:
        return False
    by = "signed by " + " and ".join(signers)
    if note.size > len(lines):
        if trusted:
            report.error(where, "rollback",
                         f"trusted checkpoint {by} is for {note.size} entries but the case has "
                         f"only {len(lines)}: the ledger was cut back after that checkpoint was "
                         f"issued (entries {len(lines)} to {note.size - 1} are missing)")
            return valid
        report.error(where, "truncated",
                     f"checkpoint {by} is for {note.size} entries, but the ledger has only "
                     f"{len(lines)}: entries from {len(lines)} on were removed, or the signer "
                     "signed a tree head this ledger never had")
        return False
    if roots[note.size] != note.root:
        report.error(where, "rollback" if trusted else "checkpoint-root",
                     f"{'trusted ' if trusted else ''}checkpoint {by} has root "
                     f"{base64.b64encode(note.root).decode()} for the first {note.size} "
                     f"entries, the ledger {base64.b64encode(roots[note.size]).decode()}: the "
                     "ledger was rewritten after it was issued, or the signer signed a tree "
                     "head this ledger never had")
        return False
    return valid


# ---------------------------------------------------------------------------------------------
# RFC 3161 timestamps of checkpoints (section 8.6), checked with `openssl ts` alone
# ---------------------------------------------------------------------------------------------

MAX_TIMESTAMP_FILE = 1 << 20  # a .tsq or .tsr file (section 8.6)
# Section 8.6: an entry covered by a timestamped checkpoint may be dated at most this many
# seconds after the token's genTime (the skew of section 8.3).
BACKDATING_SKEW_SECONDS = 300
MONTHS = {m: i + 1 for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}
OPENSSL_TIME_RE = re.compile(
    r"([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)? ([0-9]{4}) GMT")


def openssl_text(args, data_files, workdir):
    """Run `openssl ARGS` in WORKDIR after writing DATA_FILES ({name: bytes}) there; return
    (exit status, stdout + stderr as text)."""
    for name, data in data_files.items():
        with open(os.path.join(workdir, name), "wb") as f:
            f.write(data)
    try:
        result = subprocess.run(["openssl", *args], cwd=workdir, capture_output=True,
                                timeout=60)
    except FileNotFoundError as e:
        raise Fatal("`openssl` is needed to check RFC 3161 timestamps") from e
    return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace")


def parse_tst_text(text):
    """The fields of `openssl ts -reply -text` (or `ts -query -text`) this verifier uses:
    {status, hash, digest (bytes), serial, time (seconds), time_text, policy, nonce}."""
    fields = {}
    digest_hex = None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        key, _, value = line.partition(": ")
        value = value.strip()
        if key == "Status":
            fields["status"] = value
        elif key == "Hash Algorithm":
            fields["hash"] = value
        elif key == "Serial number":
            fields["serial"] = value
        elif key == "Policy OID":
            fields["policy"] = value
        elif key == "Nonce" and value != "unspecified":
            fields["nonce"] = value
        elif key == "Time stamp":
            fields["time_text"] = value
        elif line.strip() == "Message data:":
            digest_hex = ""
            for dump in lines[i + 1:]:
                m = re.match(r"\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})", dump)
                if not m:
                    break
                digest_hex += re.sub(r"[ -]", "", m.group(1))
    if digest_hex is not None:
        fields["digest"] = bytes.fromhex(digest_hex)
    m = OPENSSL_TIME_RE.fullmatch(fields.get("time_text", ""))
    if m:
        moment = datetime.datetime(int(m.group(7)), MONTHS[m.group(1)], int(m.group(2)),
                                   int(m.group(3)), int(m.group(4)), int(m.group(5)),
                                   tzinfo=datetime.timezone.utc)
        fields["time"] = int(moment.timestamp())  # fractions of a second dropped
    return fields


def integer_hex(value):
    """`0x2A` (openssl's print of an INTEGER) as lowercase hex of whole bytes: `2a`."""
    digits = value[2:].lower() if value.startswith("0x") else value.lower()
    return digits if len(digits) % 2 == 0 else "0" + digits


def der_to_pem(der):
    body = base64.b64encode(der).decode("ascii")
    return ("-----BEGIN CERTIFICATE-----\n"
            + "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
            + "\n-----END CERTIFICATE-----\n")


def check_timestamp(where, note, tsa_name, anchors, tsr, tsq, lines, report, workdir):
    """Section 8.6, steps 2 to 5, for one .tsr of a checkpoint that counts (NOTE), by TSA
    TSA_NAME with trust anchors ANCHORS (DER certificates from its tsa.add entry); TSQ is the
    request's bytes or None. Reports findings, and the TSA's time when the token verifies."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        status, text = openssl_text(["ts", "-reply", "-in", "token.tsr", "-text"],
                                    {"token.tsr": tsr}, tmp)
        fields = parse_tst_text(text) if status == 0 else {}
        if fields.get("status") not in ("Granted.", "Granted with modifications."):
            report.error(where, "timestamp-format",
                         "not a DER RFC 3161 response granted with a token (`openssl ts "
                         "-reply -text` cannot read it, or its status is "
                         f"{shown(fields.get('status', 'unreadable'))})")
            return
        if "time" not in fields or "digest" not in fields or "serial" not in fields:
            report.error(where, "timestamp-format",
                         "the token's TSTInfo cannot be read (genTime, imprint or serial)")
            return
        expected = sha256(note.text.encode("utf-8"))
        if fields.get("hash") != "sha256" or fields["digest"] != expected:
            report.error(where, "timestamp-imprint",
                         f"the message imprint ({shown(fields.get('hash'))} "
                         f"{fields['digest'].hex()}) is not the SHA-256 of this checkpoint's "
                         f"text ({expected.hex()}): a token of another checkpoint")
            return
        if tsq is None:
            report.warning(where, "timestamp-nonce",
                           "no request (.tsq) beside the token: its nonce is not checked")
        else:
            status, qtext = openssl_text(["ts", "-query", "-in", "request.tsq", "-text"],
                                         {"request.tsq": tsq}, tmp)
            request = parse_tst_text(qtext) if status == 0 else None
            if request is None or "digest" not in request:
                report.error(where, "timestamp-format",
                             "the request (.tsq) is not a DER RFC 3161 TimeStampReq")
                return
            # A request without a nonce has none to compare (as `openssl ts -verify`).
            if "nonce" in request and request.get("nonce") != fields.get("nonce"):
                report.error(where, "timestamp-nonce",
                             f"the token's nonce {shown(fields.get('nonce', 'none'))} is not "
                             f"the request's {shown(request.get('nonce', 'none'))}")
                return
        with open(os.path.join(tmp, "anchors.pem"), "w", encoding="ascii") as f:
            f.write("".join(der_to_pem(der) for der in anchors))
        args = ["ts", "-verify", "-in", "token.tsr", "-CAfile", "anchors.pem",
                # the chain judged at genTime, not now; the TSA's own certificate may be an
                # anchor (section 8.6)
                "-attime", str(fields["time"]), "-partial_chain"]
        if tsq is None:
            args += ["-digest", expected.hex()]
        else:
            args += ["-queryfile", "request.tsq"]
        status, out = openssl_text(args, {}, tmp)
        if status != 0 or "Verification: OK" not in out:
            # openssl's error lines: PID:error:CODE:LIBRARY:FUNCTION:REASON:FILE:LINE:DETAIL
            reasons = [":".join([parts[5]] + [p for p in parts[8:] if p])
                       for parts in (l.split(":") for l in out.split("\n") if ":error:" in l)
                       if len(parts) > 5]
            problem = "; ".join(dict.fromkeys(reasons)) or "verification failed"
            signature = ("signature failure" in out or "digest failure" in out
                         or "message digest" in out)
            report.error(where, "timestamp-signature" if signature else "timestamp-untrusted",
                         f"`openssl ts -verify` refuses the token by TSA {tsa_name}: "
                         f"{shown(problem.strip())}"
                         + ("" if signature else " (its certificate does not chain to the "
                            "TSA's trust anchors, is not valid at genTime, or lacks the "
                            "critical timeStamping extended key usage)"))
            return
    report.timestamp(where, note.size, tsa_name, fields["time"], integer_hex(fields["serial"]))
    limit = fields["time"] + BACKDATING_SKEW_SECONDS
    for n, line in enumerate(lines[: note.size]):
        try:
            entry_time = json.loads(line).get("time")
            moment = datetime.datetime.strptime(entry_time, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
        except (ValueError, TypeError, AttributeError):
            continue  # an unreadable entry is reported by the ledger checks
        if int(moment.timestamp()) > limit:
            report.error(where, "backdated",
                         f"entry {n} is dated {entry_time}, later than TSA {tsa_name}'s time "
                         f"{format_timestamp(fields['time'])} for checkpoint {note.size}, which "
                         f"covers it (+{BACKDATING_SKEW_SECONDS} s): it was written after that "
                         "time, or dated falsely")


def is_regular_file(path):
    """Whether PATH is a regular file by its own type (a link is not followed)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def check_timestamps(case_dir, notes, tsas, lines, report, workdir):
    """Section 8.6: every NNNNNNNNNNNN.NAME.tsr of CASE/checkpoints/ whose checkpoint counts
    (NOTES: {size: (where, note)}); TSAS: {name: [DER anchors]} from the tsa.add entries."""
    directory = os.path.join(case_dir, "checkpoints")
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    for file_name in names:
        match = TIMESTAMP_FILE_RE.fullmatch(file_name)
        if match is None or match.group(3) != "tsr":
            continue
        where = f"checkpoints/{file_name}"
        size, tsa_name = int(match.group(1)), match.group(2)
        if size not in notes:
            continue  # its checkpoint does not count: nothing is timestamped
        if not is_regular_file(os.path.join(directory, file_name)):
            continue  # a link, FIFO or directory at a timestamp name: a checkpoint-stray
        if tsa_name not in tsas:
            report.warning(where, "timestamp-unknown-tsa",
                           f"no tsa.add entry names a TSA {tsa_name}: not checked")
            continue
        try:
            tsr = read_bounded(os.path.join(directory, file_name), MAX_TIMESTAMP_FILE)
        except TooLarge:
            report.error(where, "timestamp-format",
                         f"larger than the limit of {MAX_TIMESTAMP_FILE} bytes: not read")
            continue
        except (NotRegular, OSError) as e:
            report.error(where, "timestamp-format", f"not a regular file, not read ({e})")
            continue
        tsq_path = os.path.join(directory, f"{match.group(1)}.{tsa_name}.tsq")
        tsq = None
        if is_regular_file(tsq_path):  # otherwise a stray, and the token has no request
            try:
                tsq = read_bounded(tsq_path, MAX_TIMESTAMP_FILE)
            except (TooLarge, NotRegular, OSError) as e:
                report.error(where, "timestamp-format", f"its request cannot be read ({e})")
                continue
        check_timestamp(where, notes[size][1], tsa_name, tsas[tsa_name], tsr, tsq, lines,
                        report, workdir)


def check_case_file(case_dir, state, report):
    """case.json is an informative copy of entry 0's case: a difference is a warning."""
    path = os.path.join(case_dir, "case.json")
    if state.case is None:
        return
    if not os.path.lexists(path):
        report.warning("case.json", "case-file", "is missing; it is an informative copy of "
                       "entry 0, which is authoritative")
        return
    try:
        copy = json.loads(read_bounded(path, MAX_CASE_JSON).decode("utf-8"))
    except NotRegular:
        report.warning("case.json", "case-file", "not a regular file (a FIFO, a device...): "
                       "not read")
        return
    except TooLarge:
        report.warning("case.json", "case-file", f"larger than the limit of {MAX_CASE_JSON} "
                       "bytes (section 1): not read")
        return
    except (ValueError, OSError) as e:
        report.warning("case.json", "case-file", f"unreadable: {e}")
        return
    if copy != state.case:
        report.warning("case.json", "case-file", "differs from entry 0's case")


def check_ioc_copies(case_dir, state, report):
    """Section 6.8: the case's copy of each IOC file a scan used, CASE/ioc/SHA256.stix2, has
    that SHA-256 (`ioc-file`); a missing copy is not an error of the ledger, only a warning
    (`ioc-file-missing`)."""
    for digest, (n, name) in sorted(state.ioc_files.items()):
        where = f"ioc/{digest}.stix2"
        path = os.path.join(case_dir, "ioc", f"{digest}.stix2")
        if not os.path.lexists(path):
            report.warning(where, "ioc-file-missing",
                           f"no copy of the IOC file {name!r} used by entry {n}")
            continue
        try:
            f, size = open_regular(path)
        except NotRegular:
            report.error(where, "ioc-file", f"the copy of {name!r} is not a regular file (a "
                         "FIFO, a device...): not read")
            continue
        except OSError as e:
            report.error(where, "ioc-file", f"the copy of {name!r} is unreadable: {e}")
            continue
        with f:
            if size > MAX_IOC_COPY:
                report.error(where, "ioc-file", f"the copy of {name!r} is {size} bytes, more "
                             f"than the limit of {MAX_IOC_COPY}: not read")
                continue
            h, left = hashlib.sha256(), MAX_IOC_COPY + 1
            while left > 0:
                chunk = f.read(min(1 << 20, left))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            actual = h.hexdigest()
        if left <= 0:
            report.error(where, "ioc-file", f"the copy of {name!r} is more than the limit of "
                         f"{MAX_IOC_COPY} bytes: not read")
            continue
        if actual != digest:
            report.error(where, "ioc-file", f"the copy of the IOC file {name!r} (entry {n}) "
                         f"has SHA-256 {actual}, not {digest}")


def check_trusted_checkpoints(file_names, lines, state, verifier, report, now):
    """Section 8.5: each checkpoint given with --trusted-checkpoint (one kept by counsel, the
    court, a witness) must be a checkpoint of this case validly signed by a key of the case
    that may sign it; the case must not be behind it (its size is at most the number of
    ledger lines) or inconsistent with it (its root is the ledger's root at its size):
    otherwise `rollback`. A file that cannot be read stops the verification."""
    parsed = []
    for file_name in file_names:
        try:
            data = read_bounded(file_name, MAX_CHECKPOINT, follow=True)
        except (NotRegular, TooLarge) as e:  # a FIFO or a device is never read, nor waited on
            report.error(file_name, "checkpoint-format", f"{e}")
            continue
        except OSError as e:
            raise Fatal(f"--trusted-checkpoint {file_name}: {e}") from e
        try:
            parsed.append((file_name, parse_checkpoint(data)))
        except ValueError as e:
            report.error(file_name, "checkpoint-format", str(e))
    roots = merkle_roots(lines, [note.size for _, note in parsed if note.size <= len(lines)])
    for file_name, note in parsed:
        check_one_checkpoint(note, file_name, lines, roots, state, verifier, report, now,
                             trusted=True)


def check_ioc_matches(case_dir, state, report):
    """Section 6.8, checks of a scan against its seals and its pinned IOC files (`ioc-match`),
    for each ioc.scan entry without error: each match's `member` is a member of its exhibit as
    sealed, given exactly when that exhibit is a directory or tar; and where the case's copy
    of an IOC file is present and intact, the record's `size`, `indicator_objects` and
    `bundle` are the file's, and each match citing it names an `indicator` object of the file
    by `indicator` (its id) with exactly its `pattern`."""
    copies = {}
    # The members named of exhibits whose members are in a member file (section 6.2): each file
    # read once, as a stream, for the names asked (an exhibit whose member file has an error,
    # already reported as `member-file`, is not looked into).
    wanted = {}
    for _, body in state.ioc_scans:
        for match in body["matches"] + body.get("mentions", []):
            exhibit = state.exhibits.get(match["exhibit"])
            if (exhibit is not None and exhibit.member_file is not None
                    and match.get("member") is not None):
                wanted.setdefault(exhibit.id, set()).add(match["member"])
    in_files = {}
    for exhibit_id, names in wanted.items():
        exhibit = state.exhibits[exhibit_id]
        if exhibit.member_file_ok:
            in_files[exhibit_id] = member_paths_in_file(case_dir, exhibit.member_file, names)
    for n, body in state.ioc_scans:
        where = f"entry {n}"
        records = [(f"match {i}", m) for i, m in enumerate(body["matches"])]
        records += [(f"mention {i}", m) for i, m in enumerate(body.get("mentions", []))]
        for label, match in records:
            exhibit = state.exhibits.get(match["exhibit"])
            if exhibit is None:
                continue
            member = match.get("member")
            if exhibit.member_file is not None and exhibit.id not in in_files:
                member_paths = None  # its member file is wrong: `member-file`
            elif exhibit.member_file is not None:
                member_paths = in_files[exhibit.id]
            else:
                member_paths = exhibit.member_paths
            if exhibit.kind == "file" and member is not None:
                report.error(where, "ioc-match", f"{label} names a member, but "
                             f"{exhibit.id} is a file with no members")
            elif exhibit.kind not in ("file", "ewf") and member is None:
                report.error(where, "ioc-match", f"{label} names no member, but "
                             f"{exhibit.id} is a {exhibit.kind}")
            elif member is not None and member_paths is not None \
                    and member not in member_paths:
                report.error(where, "ioc-match", f"{label}: member {member!r} is not a "
                             f"member of {exhibit.id} as sealed")
        for record in body["ioc_files"]:
            digest = record["sha256"]
            if digest not in copies:
                copies[digest] = read_pinned_ioc(case_dir, digest)
            pinned = copies[digest]
            if pinned is None:
                continue  # missing or altered: `ioc-file-missing` or `ioc-file`
            size, bundle_id, indicator_objects, patterns, problem = pinned
            if problem is not None:
                report.error(where, "ioc-match", f"the pinned IOC file {record['file']!r} "
                             f"({digest}) is not a STIX bundle: {problem}")
                continue
            if record["size"] != size:
                report.error(where, "ioc-match", f"IOC file {record['file']!r}: size "
                             f"{record['size']} recorded, the pinned file has {size} bytes")
            if record["indicator_objects"] != indicator_objects:
                report.error(where, "ioc-match", f"IOC file {record['file']!r}: "
                             f"indicator_objects {record['indicator_objects']} recorded, the "
                             f"pinned file has {indicator_objects}")
            if record.get("bundle", "") != bundle_id:
                report.error(where, "ioc-match", f"IOC file {record['file']!r}: bundle "
                             f"{record.get('bundle', '')!r} recorded, the pinned file's id is "
                             f"{bundle_id!r}")
            for label, match in records:
                if (match["ioc_file"] == digest
                        and (match["indicator"], match["pattern"]) not in patterns):
                    report.error(where, "ioc-match", f"{label}: indicator "
                                 f"{match['indicator']!r} with pattern {match['pattern']!r} is "
                                 f"not an indicator of the pinned IOC file {record['file']!r}")


def read_pinned_ioc(case_dir, digest):
    """The case's copy CASE/ioc/SHA256.stix2 of a pinned IOC file, read as a STIX 2.1 bundle
    by the rules of section 6.8: None when missing, unreadable or altered; else (size, bundle
    id or "", number of `indicator` objects, set of (id, pattern) of the indicators, None), or
    (..., problem) when it is not a bundle: not a JSON object of "type" "bundle" with an "id"
    (if any) starting with "bundle--" and an "objects" array of objects, each with string
    "type" and "id", the id starting with the type and "--"; a relationship with string
    "source_ref" and "target_ref"; an indicator with a string "pattern"."""
    if not is_hex(digest, 32):
        return None
    try:
        data = read_bounded(os.path.join(case_dir, "ioc", f"{digest}.stix2"), MAX_IOC_COPY)
    except OSError:  # missing, not a regular file, too large: reported by check_ioc_copies
        return None
    if sha256(data).hex() != digest:
        return None

    def bad(problem):
        return len(data), "", 0, set(), problem
    try:
        root = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return bad(f"not JSON: {e}")
    if not isinstance(root, dict) or root.get("type") != "bundle":
        return bad("not an object of type bundle")
    bundle_id = root.get("id", "")
    if "id" in root and not (isinstance(bundle_id, str) and bundle_id.startswith("bundle--")):
        return bad("the bundle id is not bundle--...")
    objects = root.get("objects")
    if not isinstance(objects, list):
        return bad("no objects array")
    count, patterns = 0, set()
    for index, o in enumerate(objects):
        if not isinstance(o, dict):
            return bad(f"object {index} is not a JSON object")
        kind, object_id = o.get("type"), o.get("id")
        if not isinstance(kind, str) or not isinstance(object_id, str):
            return bad(f"object {index} has no string type and id")
        if not object_id.startswith(f"{kind}--"):
            return bad(f"object {index}: id does not start with its type")
        if kind == "relationship" and not (isinstance(o.get("source_ref"), str)
                                           and isinstance(o.get("target_ref"), str)):
            return bad(f"object {index}: a relationship needs source_ref and target_ref")
        if kind == "indicator":
            if not isinstance(o.get("pattern"), str):
                return bad(f"object {index}: an indicator needs a string pattern")
            count += 1
            patterns.add((object_id, o["pattern"]))
    return len(data), bundle_id, count, patterns, None


# ---------------------------------------------------------------------------------------------
# Inclusion proofs (section 8.4): `scelle prove --json`
# ---------------------------------------------------------------------------------------------

PROOF = t_object(
    {"leaf_index": t_uint, "tree_size": t_uint, "line": t_str, "leaf_hash": t_hex(32),
     "path": t_array(t_hex(32)), "root": t_str, "checkpoint_file": t_str, "checkpoint": t_str},
    {"exhibit": t_str},
)


def check_proof(file_name, keys, origin, lines, verifier, report):
    """Check a proof file against the given keys (and the case's origin and ledger lines,
    when a case directory was given). Whether the entry's key was revoked is a matter for the
    whole ledger: it is checked with the case directory, by `check_entry`."""
    where = f"proof {file_name}"
    try:
        proof = json.loads(read_bounded(file_name, MAX_PROOF, follow=True).decode("utf-8"))
    except (OSError, ValueError) as e:
        report.error(where, "proof", f"unreadable: {e}")
        return
    problems = PROOF(proof, "proof")
    for problem in problems:
        report.error(where, "proof", problem)
    if problems:
        return
    line = proof["line"].encode("utf-8")
    if leaf_hash(line).hex() != proof["leaf_hash"]:
        report.error(where, "proof", "leaf_hash is not SHA-256(0x00 || line)")
    root = b64decode_canonical(proof["root"])
    path = [bytes.fromhex(h) for h in proof["path"]]
    if root is None or len(root) != 32:
        report.error(where, "proof", "root is not canonical base64 of 32 bytes")
    elif not verify_inclusion(proof["leaf_index"], proof["tree_size"], leaf_hash(line), path,
                              root):
        report.error(where, "proof", "the inclusion proof does not lead to the root "
                     "(RFC 9162 2.1.3.2)")

    # The checkpoint proved against: its size and root, its origin, its signatures.
    try:
        note = parse_checkpoint(proof["checkpoint"].encode("utf-8"))
    except ValueError as e:
        report.error(where, "checkpoint-format", str(e))
    else:
        if note.size != proof["tree_size"] or note.root != root:
            report.error(where, "proof", "the checkpoint's size or root is not the proof's")
        if origin is not None and note.origin != origin:
            report.error(where, "checkpoint-origin", f"origin {note.origin!r} is not the "
                         f"case's {origin!r}")
        check_note_signatures(note, where, keys, verifier, report, int(time.time()))

    # The entry itself: canonical, at the right place, signed by a known key.
    try:
        entry = parse_canonical(line)
    except NotCanonical as e:
        report.error(where, "format", f"line: {e}")
        return
    if not isinstance(entry, dict) or ENVELOPE(entry, "entry"):
        report.error(where, "format", "line is not a well-formed entry")
        return
    if entry["seq"] != proof["leaf_index"]:
        report.error(where, "sequence", "the entry's seq is not leaf_index")
    body = entry["body"]
    if "exhibit" in proof and (entry["kind"] != "seal" or body.get("exhibit") != proof["exhibit"]):
        report.error(where, "proof", f"the entry is not the seal of exhibit {proof['exhibit']}")
    if lines is not None and (proof["leaf_index"] >= len(lines)
                              or lines[proof["leaf_index"]] != line):
        report.error(where, "proof", "line is not the ledger's line at leaf_index")
    signer = next((k for k in keys if k.key_id == entry["key"]), None)
    if signer is None:
        report.error(where, "unknown-key", f"the entry's key {entry['key']} is not known")
        return
    reason = verifier.verify(signer.public_key, signed_message(entry),
                             base64.b64decode(entry["sig"]))
    if reason is not None:
        report.error(where, "signature", f"the entry's signature: {reason}")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def verify(args, report, verifier):
    lines, state = None, CaseState()
    if args.case_dir is not None:
        ledger_path = os.path.join(args.case_dir, "ledger.jsonl")
        # Section 1: none of a case's own names may be a symbolic link (scelle refuses such a
        # case: someone may have planted the link).
        for name in ("case.json", "ledger.jsonl", "ledger.index", "checkpoints", "keys",
                     "members"):
            if os.path.islink(os.path.join(args.case_dir, name)):
                raise Fatal(f"{os.path.join(args.case_dir, name)}: is a symbolic link; "
                            "a case's files are never read through a link")
        if not os.path.lexists(ledger_path):
            raise Fatal(f"{ledger_path}: no ledger (is {args.case_dir} a scelle case?)")
        state.case_dir = args.case_dir
        lines = read_ledger(ledger_path, report)
        if not lines:
            report.warning("ledger.jsonl", "no-entry", "the ledger is empty")
        previous = None
        for n, line in enumerate(lines):
            check_entry(n, line, previous, state, verifier, report)
            previous = line
        check_case_file(args.case_dir, state, report)
        check_ioc_copies(args.case_dir, state, report)
        check_ioc_matches(args.case_dir, state, report)
        now = int(time.time())
        counting = {}
        checkpoints, largest = check_checkpoints(args.case_dir, lines, state, verifier, report,
                                                 now, counting)
        tsas = {name: [base64.b64decode(c) for c in body["ca"]]
                for name, (_, body) in state.tsas.items()}
        check_timestamps(args.case_dir, counting, tsas, lines, report, verifier.workdir)
        check_trusted_checkpoints(args.trusted_checkpoint, lines, state, verifier, report, now)
        root = merkle_roots(lines, [len(lines)])[len(lines)]
        ended = sum(1 for key in state.keys.values() if not key.active)
        emit(f"{len(lines)} entries, {len(state.exhibits)} exhibits, {checkpoints} checkpoints "
             f"(largest valid size {largest}), {len(state.keys)} keys ({ended} revoked or "
             f"rotated out), {report.witnesses} witness cosignatures, "
             f"{report.timestamps} timestamps, "
             f"root {base64.b64encode(root).decode()}; "
             f"{report.errors} errors, {report.warnings} warnings")

    if args.prove:
        keys = list(state.keys.values())
        for text in args.vkey:
            try:
                keys.append(parse_verifier_key(text))
            except ValueError as e:
                raise Fatal(f"--vkey {text}: {e}") from e
        if not keys:
            raise Fatal("--prove needs a case directory or --vkey to know the signers' keys")
        for file_name in args.prove:
            check_proof(file_name, keys, state.origin, lines, verifier, report)


def main():
    parser = argparse.ArgumentParser(
        description="Independent verifier of a scelle case (ledger format 1).")
    parser.add_argument("case_dir", metavar="CASE_DIR", nargs="?",
                        help="the case directory (holding ledger.jsonl and checkpoints/)")
    parser.add_argument("--prove", metavar="FILE.json", action="append", default=[],
                        help="also check this output of `scelle prove --json` (repeatable)")
    parser.add_argument("--trusted-checkpoint", metavar="FILE", action="append", default=[],
                        help="a checkpoint kept from earlier (by counsel, the court, a "
                             "witness): fail with `rollback` if the case is behind it or "
                             "inconsistent with it (repeatable; needs CASE_DIR)")
    parser.add_argument("--vkey", metavar="VERIFIER_KEY", action="append", default=[],
                        help="a C2SP verifier key (from `scelle key show`) trusted for "
                             "--prove (repeatable)")
    args = parser.parse_args()
    if args.case_dir is None and not args.prove:
        parser.error("give CASE_DIR, or --prove FILE.json with --vkey")
    if args.case_dir is None and args.trusted_checkpoint:
        parser.error("--trusted-checkpoint needs CASE_DIR")

    report = Report()
    try:
        with tempfile.TemporaryDirectory(prefix="verify_case.") as workdir:
            verify(args, report, Ed25519Verifier(workdir))
    except (Fatal, OSError) as e:
        emit(f"ERROR [cannot-verify] {e}")
        emit("FAILED")
        return 1
    if report.errors:
        emit("FAILED")
        return 1
    emit("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
