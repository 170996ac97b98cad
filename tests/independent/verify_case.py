#!/usr/bin/env python3
"""Independent verifier for scelle case directories (ledger format 1).

This program was written from docs/FORMAT.md alone, without reading scelle's source code.
It uses only python3's standard library and the `openssl` command (for Ed25519 signatures),
so that anyone can check a scelle case without trusting scelle itself.

Usage:
    python3 verify_case.py CASE_DIR
    python3 verify_case.py CASE_DIR --prove PROOF.json       (also check `scelle prove --json`)
    python3 verify_case.py --prove PROOF.json --vkey VERIFIER_KEY   (a proof alone)

VERIFIER_KEY is the C2SP verifier key printed by `scelle key show NAME.pub`, for example
`expert+566e41aa+AXTWVPu21K6YY56aD7Z47qtLWlkr8QzNDfCvMX1CS6fB`.

What is checked (the section numbers are those of docs/FORMAT.md):
  - every ledger line (section 7): canonical JSON, envelope members and types, `seq`, the
    `prev` hash chain, time order (warning), the body of each entry kind, the genesis entry,
    exhibit numbering, the signer and the Ed25519 signature;
  - the RFC 6962 Merkle root (section 8.1) at the size of every checkpoint;
  - every checkpoint file in CASE_DIR/checkpoints/ (section 8.2): origin, size, root and
    signatures;
  - with --prove, an inclusion proof (section 8.3) with the algorithm of RFC 9162 2.1.3.2,
    the checkpoint it is proved against, and the signature of the proved entry.

Beyond the chain rules of section 7, the bodies are checked against what sections 2 and 6 say
of them (lower-case hex, the listed values, a directory's sha256 equal to its manifest's, the
manifest rebuilt from the members, file_count, a directory's size and member order, `parent`
naming an earlier exhibit...), reported with the code `body`. Ed25519 verification is strict
(section 5.2): public keys and signature points of small order are refused here, because
`openssl pkeyutl` (3.0) does not refuse them.

Output: one line per problem, `ERROR [code] where: message` or `WARNING [code] where: message`
(the codes are those of section 11, plus `no-entry` (warning: an empty ledger), `proof` (an
inclusion proof that does not check) and `cannot-verify`), then a summary line, then a last
line `OK` or `FAILED`.
Exit status: 0 when there is no error (warnings allowed), 1 otherwise (including when the
verification could not be carried out, e.g. `openssl` is missing).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# ---------------------------------------------------------------------------------------------
# Constants from the specification
# ---------------------------------------------------------------------------------------------

LEDGER_FORMAT = 1  # section 13: a verifier must reject any other format
ZERO_HASH_HEX = "0" * 64  # section 5.1: `prev` of entry 0
# Section 3.2: DER SubjectPublicKeyInfo of an Ed25519 key = these 12 bytes + the 32-byte key.
SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")
# Section 3.3: the C2SP signature type byte for Ed25519.
C2SP_ED25519 = b"\x01"
EM_DASH = "\u2014"  # section 8.2: a signature line starts with U+2014 and a space
MAX_SAFE_INTEGER = 2**53 - 1  # section 2: integers of magnitude at most 2^53 - 1

HEX_RE = re.compile(r"[0-9a-f]*")  # lower case only (section 2)
# Section 2, "time": UTC, whole seconds. ([0-9] rather than \d, which matches other digits.)
UTC_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# Section 2: acquisition times are RFC 3339 with an offset, kept as the user gave them. RFC 3339
# (section 5.6) allows `t`/`z` in lower case, fractional seconds and, in a note, a space for `T`.
RFC3339_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
KEY_NAME_RE = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}")  # section 3.3
CHECKPOINT_FILE_RE = re.compile(r"([0-9]{12})\.txt")  # section 8.2
DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")  # section 8.2: no leading zeros

# Section 6.2: digests that may appear in a `hashes` object, with their lengths in bytes.
HASH_LENGTHS = {"sha256": 32, "sha512": 64, "legacy_md5": 16, "legacy_sha1": 20}


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


class Report:
    """Collects findings and prints one line per finding as soon as it is found."""

    def __init__(self):
        self.errors = 0
        self.warnings = 0

    def error(self, where, code, message):
        self.errors += 1
        print(f"ERROR [{code}] {where}: {message}", flush=True)

    def warning(self, where, code, message):
        self.warnings += 1
        print(f"WARNING [{code}] {where}: {message}", flush=True)


class Fatal(Exception):
    """Verification cannot be carried out at all (missing tool, unreadable input)."""


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


class Signer:
    """A public key enrolled in the case (format 1: only the administrator, from entry 0)."""

    def __init__(self, name, public_key, role=None):
        self.name = name
        self.public_key = public_key
        self.role = role
        self.key_id = key_id(public_key)
        self.note_key_id = note_key_id(name, public_key)


def parse_verifier_key(text):
    """C2SP verifier key `name+hex(note key id)+base64(0x01 || public key)`. Returns a Signer
    or raises ValueError."""
    parts = text.strip().split("+", 2)  # the name has no "+"; base64 may
    if len(parts) != 3:
        raise ValueError("a verifier key has three `+`-separated parts")
    name, id_hex, key_b64 = parts
    blob = b64decode_canonical(key_b64)
    if not name or any(c.isspace() for c in name):  # C2SP: no space, and no "+" (split)
        raise ValueError(f"bad key name {name!r}")
    if blob is None or len(blob) != 33 or blob[:1] != C2SP_ED25519:
        raise ValueError("the key part is not base64 of 0x01 and a 32-byte Ed25519 key")
    signer = Signer(name, blob[1:])
    if not is_hex(id_hex, 4) or bytes.fromhex(id_hex) != signer.note_key_id:
        raise ValueError("the key id does not match the name and key")
    return signer


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

# Section 6.1: a key record, and the case.open body.
KEY_RECORD = t_object(
    {"id": t_hex(8), "name": t_key_name, "public_key": t_base64(32)},
    {"role": t_str},
)
CASE_OPEN_BODY = t_object({
    "case": t_object(
        {"case_id": t_str, "title": t_str, "origin": t_str, "created": t_utc_time},
        {"court": t_str, "jurisdiction": t_one_of("us", "fr", "es"),
         "lang": t_one_of("en", "fr", "es")},
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
ARTIFACT = t_object(
    {"kind": t_one_of("file", "directory", "tar"), "path_given": t_str, "path_resolved": t_str,
     "size": t_uint, "hashes": HASHES},
    {"compression": t_one_of("gzip"), "manifest_sha256": t_hex(32), "file_count": t_uint,
     "members": t_array(MEMBER)},
)
ITEM = t_object({}, {name: t_str for name in (
    "item_type", "make", "model", "serial", "imei", "capacity", "condition")})
ACQUISITION = t_object({}, dict(
    {name: t_str for name in (
        "method", "tool", "tool_version", "write_blocker", "parameters", "errors", "changes",
        "operator", "operator_role", "organisation", "clock", "location", "authority",
        "reason", "parent")},
    present=t_array(t_str, non_empty=True),
    acquired_at=t_rfc3339,
    source_sha256=t_hex(32),
    source_hash_matches=t_bool,
))
SEAL_BODY = t_object(
    {"exhibit": t_str, "artifact": ARTIFACT,
     "hashed_by": t_object({"name": t_str, "version": t_str})},
    {"seal_no": t_str, "description": t_str, "item": ITEM, "acquisition": ACQUISITION},
)


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


def check_artifact(artifact):
    """Consistency of an artifact whose schema is already known to be right."""
    problems = []
    kind = artifact["kind"]
    has = {name: name in artifact for name in ("manifest_sha256", "file_count", "members")}
    if kind == "file":
        for name in ("manifest_sha256", "file_count", "members", "compression"):
            if name in artifact:
                problems.append(f"body.artifact: a file has no {name!r}")
        return problems
    for name, present in has.items():
        if not present:
            problems.append(f"body.artifact: a {kind} needs {name!r}")
    if problems:
        return problems
    members = artifact["members"]
    if kind == "directory":
        if "compression" in artifact:
            problems.append("body.artifact: a directory has no 'compression'")
        if set(artifact["hashes"]) != {"sha256"}:
            problems.append("body.artifact.hashes: a directory has sha256 only")
        if artifact["hashes"]["sha256"] != artifact["manifest_sha256"]:
            problems.append("body.artifact.hashes.sha256 differs from manifest_sha256")
        paths = [m["path"].encode("utf-8", "surrogatepass") for m in members]
        if any(a >= b for a, b in zip(paths, paths[1:])):
            problems.append("body.artifact.members: not sorted by the bytes of path")
    for i, m in enumerate(members):
        where = f"body.artifact.members[{i}]"
        mtype = m["type"]
        expect = {
            "size": mtype == "file",
            "hashes": mtype == "file",
            "link": mtype in ("symlink", "hardlink"),
        }
        for name, wanted in expect.items():
            if wanted and name not in m:
                problems.append(f"{where}: a {mtype} member needs {name!r}")
            if not wanted and name in m:
                problems.append(f"{where}: a {mtype} member has no {name!r}")
        if kind == "directory" and "mtime" in m:
            problems.append(f"{where}: directory members carry no 'mtime'")
        if kind == "directory":
            parts = m["path"].split("/")
            if m["path"].startswith("/") or any(p in ("", ".", "..") for p in parts):
                problems.append(f"{where}: path {m['path']!r} is not a clean relative path")
    if problems:
        return problems
    files = [m for m in members if m["type"] == "file"]
    if artifact["file_count"] != len(files):
        problems.append(f"body.artifact.file_count is {artifact['file_count']}, "
                        f"but there are {len(files)} file members")
    if kind == "directory" and artifact["size"] != sum(m["size"] for m in files):
        problems.append("body.artifact.size is not the sum of the file members' sizes")
    manifest = manifest_text(members).encode("utf-8", "surrogatepass")
    if sha256(manifest).hex() != artifact["manifest_sha256"]:
        problems.append("body.artifact.manifest_sha256 is not SHA-256 of the manifest "
                        "rebuilt from the members")
    return problems


def check_acquisition(acquisition, artifact, earlier_exhibits):
    problems = []
    if "source_hash_matches" in acquisition:
        if "source_sha256" not in acquisition:
            problems.append("body.acquisition: source_hash_matches without source_sha256")
        elif acquisition["source_hash_matches"] != (
                acquisition["source_sha256"] == artifact["hashes"]["sha256"]):
            problems.append("body.acquisition.source_hash_matches contradicts the hashes")
    if "parent" in acquisition and acquisition["parent"] not in earlier_exhibits:
        problems.append(f"body.acquisition.parent {acquisition['parent']!r} "
                        "names no earlier exhibit")
    return problems


def origin_for(case_id):
    """The documented prefix of a case's origin (section 6.1): white space replaced by `-`.
    (Each white-space character is replaced; the spec does not define "white space" further.)"""
    return "scelle.case/" + re.sub(r"\s", "-", case_id) + "/"


# ---------------------------------------------------------------------------------------------
# The ledger (sections 4, 5, 6, 7)
# ---------------------------------------------------------------------------------------------


def read_ledger(path, report):
    """Split the ledger into lines (without newlines); report a torn tail (section 4.2)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline ("" when the file ends with one)
    if tail:
        report.error("ledger.jsonl", "torn-tail",
                     f"{len(tail)} bytes after the last newline (an interrupted append); "
                     "not treated as an entry")
    return lines


class LedgerState:
    """What the chain rules carry from one line to the next."""

    def __init__(self):
        self.signers = {}  # key id -> Signer (format 1: the administrator only)
        self.case = None  # entry 0's body.case
        self.origin = None
        self.exhibits = []  # exhibit ids, in ledger order
        self.seal_count = 0
        self.previous_time = None


def check_entry(n, line, previous_line, state, verifier, report):
    """Apply the rules of section 7 to line n. Every problem is reported; the line still
    counts as present (its bytes feed the chain and the tree) whatever happens here."""
    where = f"entry {n}"

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

    # Rules 5 and 6: the body, the genesis entry and exhibit numbering.
    kind, body = entry["kind"], entry["body"]
    if kind == "case.open":
        if n != 0:
            report.error(where, "genesis", "case.open is only entry 0")
        for problem in CASE_OPEN_BODY(body, "body"):
            report.error(where, "body", problem)
        # The administrator's key record and the case are used even when another member of the
        # body is wrong, so that one bad member is reported once and not at every later entry.
        admin = body.get("admin")
        if not KEY_RECORD(admin, "admin"):
            public_key = base64.b64decode(admin["public_key"])
            if admin["id"] != key_id(public_key):
                report.error(where, "genesis", f"admin id {admin['id']} is not the key id "
                             f"{key_id(public_key)} of its public key")
            elif n == 0:
                # Enrol the administrator, the signer of every entry in format 1.
                state.signers[admin["id"]] = Signer(admin["name"], public_key,
                                                    admin.get("role"))
        case = body.get("case")
        if n == 0 and isinstance(case, dict):
            state.case = case
            if isinstance(case.get("origin"), str):
                state.origin = case["origin"]
                if isinstance(case.get("case_id"), str):
                    check_origin(case, where, report)
    elif kind == "seal":
        if n == 0:
            report.error(where, "genesis", "entry 0 must be case.open")
        state.seal_count += 1
        expected_exhibit = f"E-{state.seal_count:04d}"
        problems = SEAL_BODY(body, "body")
        if not problems:
            problems = check_artifact(body["artifact"])
        if not problems and "acquisition" in body:
            problems = check_acquisition(body["acquisition"], body["artifact"],
                                         state.exhibits)
        for problem in problems:
            report.error(where, "body", problem)
        exhibit = body.get("exhibit")
        if exhibit != expected_exhibit:
            report.error(where, "exhibit-id",
                         f"exhibit is {exhibit!r}, expected {expected_exhibit!r}")
        if isinstance(exhibit, str):
            state.exhibits.append(exhibit)
    else:
        report.error(where, "body", f"unknown entry kind {kind!r}")
        if n == 0:
            report.error(where, "genesis", "entry 0 must be case.open")

    # Rule 7: the signer is enrolled, and the signature verifies.
    signer = state.signers.get(entry["key"])
    if signer is None:
        report.error(where, "unknown-key", f"key {entry['key']} is not enrolled in the case")
        return
    try:
        message = signed_message(entry)
    except NotCanonical as e:
        report.error(where, "signature", f"no canonical message to verify: {e}")
        return
    reason = verifier.verify(signer.public_key, message, base64.b64decode(entry["sig"]))
    if reason is not None:
        report.error(where, "signature", f"{reason} (key {signer.name} {signer.key_id})")


def check_origin(case, where, report):
    """Section 6.1: the origin's form. It must be one line (it is the first line of every
    checkpoint); its exact derivation from the case id is only warned about."""
    origin = case["origin"]
    if "\n" in origin or not origin:
        report.error(where, "body", "body.case.origin must be one non-empty line")
        return
    head, _, random_part = origin.rpartition("/")
    if not (origin.startswith("scelle.case/") and is_hex(random_part, 8)):
        report.error(where, "body", f"body.case.origin {origin!r} is not "
                     "scelle.case/CASE-ID/16-hex-digits")
    elif head + "/" != origin_for(case["case_id"]):
        report.warning(where, "body", f"body.case.origin {origin!r} is not derived from the "
                       "case id as documented")


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
    if DECIMAL_RE.fullmatch(size_text) is None:
        raise ValueError(f"size {size_text!r} is not a decimal number without leading zeros")
    root = b64decode_canonical(root_text)
    if root is None or len(root) != 32:
        raise ValueError("the root is not canonical base64 of 32 bytes")
    signatures = []
    for line in signature_block.split("\n")[:-1]:
        fields = line.split(" ")
        if len(fields) != 3 or fields[0] != EM_DASH or not fields[1] or "+" in fields[1]:
            raise ValueError(f"bad signature line {line!r}")
        blob = b64decode_canonical(fields[2])
        if blob is None or len(blob) < 5:
            raise ValueError(f"bad signature in line {line!r}")
        signatures.append((fields[1], blob))
    if not signatures:
        raise ValueError("no signature line")
    return Note(text, origin, int(size_text), root, signatures)


def check_note_signatures(note, where, signers, verifier, report):
    """Section 8.2: each signature by an enrolled name verifies with its key and carries its
    note key id; at least one does. Other names are warned about and not checked."""
    by_name = {signer.name: signer for signer in signers}
    good = 0
    for name, blob in note.signatures:
        signer = by_name.get(name)
        if signer is None:
            report.warning(where, "checkpoint-unknown-signer",
                           f"signature by {name!r}, not a signer of this case (not checked)")
            continue
        if blob[:4] != signer.note_key_id:
            report.error(where, "checkpoint-signature",
                         f"signature by {name!r} has key id {blob[:4].hex()}, "
                         f"expected {signer.note_key_id.hex()}")
            continue
        if len(blob) != 4 + 64:
            report.error(where, "checkpoint-signature",
                         f"signature by {name!r} is not 4 + 64 bytes")
            continue
        reason = verifier.verify(signer.public_key, note.text.encode("utf-8"), blob[4:])
        if reason is not None:
            report.error(where, "checkpoint-signature", f"signature by {name!r}: {reason}")
            continue
        good += 1
    if good == 0:
        report.error(where, "checkpoint-unsigned", "no valid signature by a key of the case")


def check_checkpoints(case_dir, lines, state, verifier, report):
    """Check every file of CASE/checkpoints/. Returns (number checked, largest valid size)."""
    directory = os.path.join(case_dir, "checkpoints")
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    notes = []
    files = 0
    for file_name in names:
        where = f"checkpoints/{file_name}"
        match = CHECKPOINT_FILE_RE.fullmatch(file_name)
        if match is None:
            report.warning(where, "checkpoint-format", "not a checkpoint file name; ignored")
            continue
        files += 1
        with open(os.path.join(directory, file_name), "rb") as f:
            data = f.read()
        try:
            note = parse_checkpoint(data)
        except ValueError as e:
            report.error(where, "checkpoint-format", str(e))
            continue
        notes.append((where, int(match.group(1)), note))

    roots = merkle_roots(lines, [note.size for _, _, note in notes if note.size <= len(lines)])
    largest = 0
    for where, file_size, note in notes:
        if state.origin is None or note.origin != state.origin:
            report.error(where, "checkpoint-origin",
                         f"origin {note.origin!r} is not the case's {state.origin!r}")
        if file_size != note.size:
            report.error(where, "checkpoint-size",
                         f"the file name says size {file_size}, the note {note.size}")
        if note.size > len(lines):
            report.error(where, "truncated",
                         f"checkpoint of size {note.size}, but the ledger has only "
                         f"{len(lines)} entries: the ledger was truncated")
        elif roots[note.size] != note.root:
            report.error(where, "checkpoint-root",
                         f"root {base64.b64encode(note.root).decode()} is not the Merkle root "
                         f"{base64.b64encode(roots[note.size]).decode()} of the first "
                         f"{note.size} ledger lines")
        else:
            largest = max(largest, note.size)
        check_note_signatures(note, where, state.signers.values(), verifier, report)
    if lines and not files:
        report.warning("checkpoints/", "no-checkpoint", "the case has no checkpoint")
    elif largest < len(lines):
        report.warning("checkpoints/", "uncheckpointed",
                       f"entries {largest} to {len(lines) - 1} are in no valid checkpoint")
    return files, largest


def check_case_file(case_dir, state, report):
    """case.json is an informative copy of entry 0's case: a difference is a warning."""
    path = os.path.join(case_dir, "case.json")
    if state.case is None or not os.path.exists(path):
        return
    try:
        with open(path, encoding="utf-8") as f:
            copy = json.load(f)
    except (ValueError, OSError) as e:
        report.warning("case.json", "case-file", f"unreadable: {e}")
        return
    if copy != state.case:
        report.warning("case.json", "case-file", "differs from entry 0's case")


# ---------------------------------------------------------------------------------------------
# Inclusion proofs (section 8.3): `scelle prove --json`
# ---------------------------------------------------------------------------------------------

PROOF = t_object(
    {"leaf_index": t_uint, "tree_size": t_uint, "line": t_str, "leaf_hash": t_hex(32),
     "path": t_array(t_hex(32)), "root": t_str, "checkpoint_file": t_str, "checkpoint": t_str},
    {"exhibit": t_str},
)


def check_proof(file_name, signers, origin, lines, verifier, report):
    """Check a proof file against the given signers (and the case's origin and ledger lines,
    when a case directory was given)."""
    where = f"proof {file_name}"
    try:
        with open(file_name, encoding="utf-8") as f:
            proof = json.load(f)
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
        check_note_signatures(note, where, signers, verifier, report)

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
        report.error(where, "exhibit-id", f"the entry is not exhibit {proof['exhibit']}")
    if lines is not None and (proof["leaf_index"] >= len(lines)
                              or lines[proof["leaf_index"]] != line):
        report.error(where, "proof", "line is not the ledger's line at leaf_index")
    signer = next((s for s in signers if s.key_id == entry["key"]), None)
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
    lines, state = None, LedgerState()
    if args.case_dir is not None:
        ledger_path = os.path.join(args.case_dir, "ledger.jsonl")
        if not os.path.isfile(ledger_path):
            raise Fatal(f"{ledger_path}: no ledger (is {args.case_dir} a scelle case?)")
        lines = read_ledger(ledger_path, report)
        if not lines:
            report.warning("ledger.jsonl", "no-entry", "the ledger is empty")
        previous = None
        for n, line in enumerate(lines):
            check_entry(n, line, previous, state, verifier, report)
            previous = line
        check_case_file(args.case_dir, state, report)
        checkpoints, largest = check_checkpoints(args.case_dir, lines, state, verifier, report)
        root = merkle_roots(lines, [len(lines)])[len(lines)]
        print(f"{len(lines)} entries, {len(state.exhibits)} exhibits, {checkpoints} checkpoints "
              f"(largest valid size {largest}), root {base64.b64encode(root).decode()}; "
              f"{report.errors} errors, {report.warnings} warnings")

    if args.prove:
        signers = list(state.signers.values())
        for text in args.vkey:
            try:
                signers.append(parse_verifier_key(text))
            except ValueError as e:
                raise Fatal(f"--vkey {text}: {e}") from e
        if not signers:
            raise Fatal("--prove needs a case directory or --vkey to know the signers' keys")
        for file_name in args.prove:
            check_proof(file_name, signers, state.origin, lines, verifier, report)


def main():
    parser = argparse.ArgumentParser(
        description="Independent verifier of a scelle case (ledger format 1).")
    parser.add_argument("case_dir", metavar="CASE_DIR", nargs="?",
                        help="the case directory (holding ledger.jsonl and checkpoints/)")
    parser.add_argument("--prove", metavar="FILE.json", action="append", default=[],
                        help="also check this output of `scelle prove --json` (repeatable)")
    parser.add_argument("--vkey", metavar="VERIFIER_KEY", action="append", default=[],
                        help="a C2SP verifier key (from `scelle key show`) trusted for "
                             "--prove (repeatable)")
    args = parser.parse_args()
    if args.case_dir is None and not args.prove:
        parser.error("give CASE_DIR, or --prove FILE.json with --vkey")

    report = Report()
    try:
        with tempfile.TemporaryDirectory(prefix="verify_case.") as workdir:
            verify(args, report, Ed25519Verifier(workdir))
    except (Fatal, OSError) as e:
        print(f"ERROR [cannot-verify] {e}")
        print("FAILED")
        return 1
    if report.errors:
        print("FAILED")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
