#!/usr/bin/env python3
"""Independent verifier for scelle evidence bundles (BagIt 1.0 bags in a tar).

This program was written from docs/FORMAT.md section 14 and RFC 8493 (BagIt 1.0), without
reading scelle's source code. It needs only python3's standard library and the `openssl`
command, and it runs verify_case.py (the case verifier, kept beside it) on the case inside the
bundle, so that a party who does not trust scelle's binary can check a bundle end to end.

Usage:
    python3 verify_bundle.py BUNDLE.tar          (extracts safely into a temporary directory)
    python3 verify_bundle.py BAG_DIR             (a bundle extracted already)
    python3 verify_bundle.py BUNDLE.tar --verifier /trusted/copy/of/verify_case.py

What is checked, in this order:
  1. The tar is read as hostile input: every member must be a regular file or a directory
     (no symbolic or hard link, device, FIFO or sparse member), with a relative path without
     a `..` component, a backslash, a NUL or a drive prefix, not seen before, within the
     limits on member count and sizes. Anything else stops the check before a byte is
     written (exit status 2). Files are created new (O_EXCL, O_NOFOLLOW) under a fresh
     temporary directory that is removed afterwards.
  2. The bag (RFC 8493 section 3): bagit.txt declares version 1.0 and UTF-8 (`bag-format`);
     both manifests are well formed, name only relative paths inside the bag, and list each
     path once (`bag-format`); tagmanifest-sha256.txt lists bagit.txt, bag-info.txt,
     manifest-sha256.txt, VERIFY.md and bag-signer.pub, and every file it lists has that
     SHA-256 (`bag-tagmanifest`); every payload file under data/ has the SHA-256
     manifest-sha256.txt gives it (`bag-manifest`); none is missing (`bag-missing`) or
     unlisted (`bag-extra`), and no tag file at the bag's root other than the signature is
     unlisted (`bag-extra`); Payload-Oxum is the payload's byte count and file count
     (`bag-oxum`).
  3. The signature (`bag-signature`): tagmanifest-sha256.txt.sig is a strict Ed25519
     signature (openssl, plus the small-order and S < L checks openssl 3.0 lacks) of the exact
     bytes of tagmanifest-sha256.txt by the key in bag-signer.pub, and that key is enrolled and
     not revoked or rotated out at the end of the bundled ledger. bag-info.txt's fields
     External-Identifier, External-Description, Scelle-Origin, Scelle-Ledger-Size,
     Scelle-Ledger-Root, Scelle-Admin-Fingerprint, Scelle-Signer and Scelle-Signer-Fingerprint
     each appear once, with exactly the value the bundled ledger gives (`bag-info`). Each
     data/reports/FILE is recorded by a `report` entry (or its `filing`), by file name and SHA-256
     (`bundle-report`); no data/case/ledger.index is carried (`bundle-index`). The carried
     kit is compared with this script and the case verifier it runs: a warning names each
     that differs (`WARNING [bundle-kit]`).
  4. Carried artifacts (FORMAT.md section 14): under data/artifacts/EXHIBIT/, the files are
     exactly those of the exhibit's seal entry, each with the sealed SHA-256 (a file or tar
     exhibit: NAME, the last component of `path_resolved`; a directory: NAME/MEMBER for each
     member with hashes) (`bundle-artifact`). A seal whose members are in a member file
     (FORMAT.md 6.2) has them read from data/case/members/SHA256.jsonl as a stream, one line at
     a time; a member file that is missing or not the one the seal names leaves the carried
     files unchecked, one `bundle-artifact` error (verify_case.py says why: `member-file`).
  5. Proofs: each data/proofs/EXHIBIT.json is the proof of that exhibit's seal entry
     (`bundle-proof`), and checks (below).
  6. The case: `verify_case.py data/case --prove data/proofs/...`: every signature with openssl,
     the hash chain, the RFC 6962 root of every checkpoint, witness cosignatures, the custody
     rules, and each inclusion proof. Its output is printed as it comes.

The signature proves that a key of the bundle's own ledger signed it, not whose case it is: the
case id, origin, administrator's and signer's fingerprints are printed, to be compared out of
band with ones already held (a report of the case, the sender by another channel).

Which verify_case.py runs: by default the one in this script's own directory (inside a bundle,
data/kit/verify_case.py, which the bundle's manifest covers but whose author is the bundle's
author). A party that does not trust the sender gives its own copy with --verifier; the SHA-256
of the script used is printed either way, to be compared with a published one.

Output: one line per problem, `ERROR [code] where: message` (`where` is the bag-relative path),
`WARNING [code] where: message` lines, the identity lines, a summary of the bag, verify_case.py's lines prefixed with `case: `, then `OK` or `FAILED`.
Exit status: 0 when nothing is wrong; 1 when a problem was found; 2 when the input cannot be
checked at all (not a tar or directory, an unsafe member, a limit exceeded, python3 or openssl
missing).
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

# Limits on a hostile tar (the same defaults as `scelle verify-bundle`).
MAX_MEMBERS = 100_000
MAX_MEMBER_SIZE = 1 << 40  # 1 TiB
MAX_TOTAL_SIZE = 4 << 40  # 4 TiB
MAX_PATH_LEN = 4096
MAX_LINE = 64 * 1024 * 1024  # FORMAT.md 4.1: bytes of a ledger line, without its newline

CHUNK = 1 << 20
HEX64_RE = re.compile(r"[0-9a-fA-F]{64}")
EXHIBIT_RE = re.compile(r"E-[0-9]{4,}")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TAGMANIFEST = "tagmanifest-sha256.txt"
MANIFEST = "manifest-sha256.txt"
SIGNATURE = "tagmanifest-sha256.txt.sig"  # raw 64-byte Ed25519 signature of TAGMANIFEST
SIGNER = "bag-signer.pub"  # the signer's public key, SPKI PEM
REQUIRED_TAGS = ("bagit.txt", "bag-info.txt", MANIFEST, "VERIFY.md", SIGNER)
SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")
OUT_OF_BAND = ("compare the administrator's fingerprint (and the signer's) out of band, with "
               "one you already hold (a report of this case, or one the sender gave you through "
               "another channel): a bundle proves that a key of its own ledger signed it, not "
               "whose case it is")


# The most bytes read of a bag's files that are read whole (FORMAT.md section 14); a payload
# file is hashed in pieces and never held.
MAX_MANIFEST = 64 << 20  # manifest-sha256.txt, tagmanifest-sha256.txt
MAX_TAG = 1 << 20  # bagit.txt, bag-info.txt, the signature, bag-signer.pub
MAX_PROOF = 64 << 20  # data/proofs/EXHIBIT.json


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
# Reading the bag's files: regular files only, never through a link, never past a bound
# ---------------------------------------------------------------------------------------------


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


class Unsafe(Exception):
    """The input cannot be checked: stop before writing anything more."""


class Report:
    def __init__(self):
        self.errors = 0

    def error(self, where, code, message):
        self.errors += 1
        emit(f"ERROR [{code}] {where}: {message}")

    def warning(self, where, code, message):
        emit(f"WARNING [{code}] {where}: {message}")


def sha256_file(path):
    h = hashlib.sha256()
    size = 0
    f, _ = open_regular(path)
    with f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


# ---------------------------------------------------------------------------------------------
# 1. Safe extraction
# ---------------------------------------------------------------------------------------------


def safe_parts(name):
    """The plain components of a member path, or Unsafe. `.` and empty components (repeated or
    trailing slashes) are dropped; the bag's root itself (`./`) gives an empty list."""
    if not name:
        raise Unsafe("a member with an empty name")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_PATH_LEN:
        raise Unsafe(f"{name[:80]!r}...: a path longer than {MAX_PATH_LEN} bytes")
    if "\x00" in name or "\\" in name:
        raise Unsafe(f"{name!r}: a NUL or a backslash in a member name")
    if name.startswith("/"):
        raise Unsafe(f"{name!r}: an absolute path")
    if re.match(r"[A-Za-z]:", name):
        raise Unsafe(f"{name!r}: a drive prefix")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Unsafe(f"{name!r}: a `..` component would leave the bundle")
    return parts


PAX_BUDGET = 1 << 20
TAR_MAGICS = (b"ustar\x0000", b"ustar  \x00")


def _tar_number(field, what):
    """A numeric header field: octal (NUL- or space-terminated), or base-256 (high bit set)."""
    if field[0] & 0x80:
        if field[0] != 0x80 or any(field[1:-8]):
            raise Unsafe(f"a header {what} in base-256 out of range")
        return int.from_bytes(field[-8:], "big")
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not text or any(c not in b"01234567" for c in text):
        raise Unsafe(f"a damaged header {what} field {field!r}")
    return int(text, 8)


def _pax_records(data):
    """Section 14: PAX records, strictly: `LEN KEY=VALUE\n`; path, linkpath and size once each
    (or repeated with the same value), no NUL in a name, size a decimal number."""
    out = {}
    rest = data
    while rest:
        sp = rest.find(b" ")
        head = rest[:max(sp, 0)]
        if sp <= 0 or not head.isdigit() or len(head) > 19:
            raise Unsafe("a malformed PAX record (GNU tar stops there, other readers skip it)")
        n = int(head)
        if n <= sp + 1 or n > len(rest) or rest[n - 1:n] != b"\n" or b"=" not in rest[sp + 1:n]:
            raise Unsafe("a malformed PAX record (GNU tar stops there, other readers skip it)")
        key, _, value = rest[sp + 1:n - 1].partition(b"=")
        rest = rest[n:]
        if key in (b"path", b"linkpath"):
            if b"\0" in value:
                raise Unsafe(f"a PAX {key.decode()} with a NUL (GNU tar cuts it there)")
        elif key == b"size":
            if not value.isdigit() or len(value) > 19 or int(value) >= 1 << 63:
                raise Unsafe(f"a PAX size {value[:40]!r} that is not a decimal number")
            value = int(value)
        elif key.startswith(b"GNU.sparse."):
            key, value = b"sparse", True
        else:
            continue
        if key in out and out[key] != value:
            raise Unsafe(f"a PAX {key.decode()} given twice with two values "
                         "(GNU tar takes the last, other readers the first)")
        out[key] = value
    return out


def tar_headers(tar_path):
    """Section 14: the members of a tar as GNU tar resolves their names, read from the raw
    512-byte headers; refuses (Unsafe) every header alias, where GNU tar and other readers
    (python's tarfile among them) would read another name, size or member. Returns a list of
    (name bytes, type byte, data size), PAX global headers left out."""
    out = []
    with open(tar_path, "rb") as f:
        end = os.fstat(f.fileno()).st_size
        pos = 0
        ext = {}
        while True:
            f.seek(pos)
            h = f.read(512)
            if not h or h == bytes(512):
                if ext:
                    raise Unsafe("extension headers with no member after them")
                return out
            if len(h) < 512:
                raise Unsafe("the archive ends inside a header")
            chk = _tar_number(h[148:156], "checksum")
            if chk != sum(h[:148]) + sum(h[156:]) + 8 * 32:
                raise Unsafe(f"a header checksum mismatch after {len(out)} members")
            size = _tar_number(h[124:136], "size")
            t = h[156:157]
            data_at = pos + 512
            if t in (b"L", b"K", b"x", b"g", b"X"):
                if h[257:265] not in TAR_MAGICS:
                    raise Unsafe(f"an extension header {t!r} without ustar magic "
                                 "(GNU tar applies it, other readers list it as a member)")
                if t == b"X":
                    raise Unsafe("a Solaris 'X' header (GNU tar applies it as PAX, others do not)")
                cap = MAX_PATH_LEN + 1 if t in (b"L", b"K") else PAX_BUDGET
                if size > cap:
                    raise Unsafe(f"an extension header {t!r} of {size} bytes (limit {cap})")
                data = f.read(size)
                if len(data) < size:
                    raise Unsafe("the archive ends inside an extension header")
                pos = data_at + (size + 511) // 512 * 512
                if t == b"g":
                    if ext:
                        raise Unsafe("a PAX global header between a member's extension headers")
                    g = _pax_records(data)
                    if g:
                        raise Unsafe(f"a PAX global header setting {sorted(k.decode() for k in g)}"
                                     " (GNU tar applies it to every later member)")
                    continue
                if t in ext:
                    raise Unsafe(f"two {t!r} headers for one member "
                                 "(GNU tar takes the last, other readers the first or neither)")
                if t in (b"L", b"K"):
                    name = data[:-1] if data.endswith(b"\0") else data
                    if b"\0" in name:
                        raise Unsafe("a GNU long name with bytes after a NUL")
                    ext[t] = name
                else:
                    ext[t] = _pax_records(data)
                continue
            pax = ext.get(b"x", {})
            name = h[:100].split(b"\0", 1)[0]
            prefix = h[345:500].split(b"\0", 1)[0]
            if b"path" not in pax and b"L" not in ext and prefix and h[257:263] == b"ustar\0":
                if h[263:265] != b"00":
                    raise Unsafe("a ustar prefix with a non-standard version "
                                 "(GNU tar joins it, other readers do not)")
                name = prefix + b"/" + name
            for long_key, pax_key in ((b"L", b"path"), (b"K", b"linkpath")):
                if long_key in ext and pax_key in pax and ext[long_key] != pax[pax_key]:
                    raise Unsafe(f"a GNU long name {ext[long_key][:80]!r} and a PAX "
                                 f"{pax_key.decode()} {pax[pax_key][:80]!r} that disagree "
                                 "(GNU tar takes the PAX one, other readers the long one)")
            name = pax.get(b"path", ext.get(b"L", name))
            size = pax.get(b"size", size)
            regular = t in (b"0", b"\0", b"7")
            if size and (t in (b"1", b"2", b"3", b"4", b"5", b"6")
                         or (regular and name.endswith(b"/"))):
                raise Unsafe(f"{name[:80]!r}: a member of type {t!r} declaring {size} bytes of "
                             "data (GNU tar reads none, other readers skip them)")
            pos = data_at + (size + 511) // 512 * 512
            if pos > end:
                raise Unsafe(f"{name[:80]!r}: the archive ends inside its data")
            out.append((name, t, size))
            ext = {}


def safe_extract(tar_path, dest):
    """Extracts the regular files and directories of `tar_path` into the new directory
    `dest`, refusing every other member and every path that is not plainly inside, and every
    archive whose headers GNU tar would read otherwise than python's tarfile does."""
    seen = set()
    members = 0
    total = 0
    try:
        expected = tar_headers(tar_path)
    except OSError as e:
        raise Unsafe(f"{tar_path}: not a readable tar archive ({e})")
    except Unsafe as e:
        raise Unsafe(f"{tar_path}: refused, readers disagree on this archive: {e}")
    os.mkdir(dest, 0o700)
    try:
        archive = tarfile.open(tar_path, mode="r:")
    except (tarfile.TarError, OSError) as e:
        raise Unsafe(f"{tar_path}: not a readable tar archive ({e})")
    with archive:
        while True:
            try:
                member = archive.next()
            except tarfile.TarError as e:
                raise Unsafe(f"{tar_path}: a damaged tar header after {members} members ({e})")
            if member is None:
                if members != len(expected):
                    raise Unsafe(f"{tar_path}: tarfile reads {members} members, GNU tar "
                                 f"{len(expected)}; refused")
                break
            members += 1
            if members > MAX_MEMBERS:
                raise Unsafe(f"{tar_path}: more than {MAX_MEMBERS} members (--max-members)")
            name = member.name
            parts = safe_parts(name)
            # The same member as GNU tar reads there: the same name and data size.
            if members > len(expected):
                raise Unsafe(f"{name!r}: a member GNU tar does not read; refused")
            gnu_name, gnu_type, gnu_size = expected[members - 1]
            gnu_name = gnu_name.decode("utf-8", "surrogateescape")
            if safe_parts(gnu_name) != parts or (member.isreg() and gnu_size != member.size):
                raise Unsafe(f"{name!r}: GNU tar reads this member as {gnu_name!r} "
                             f"({gnu_size} bytes); refused")
            if member.issym() or member.islnk():
                raise Unsafe(f"{name!r}: a link (to {member.linkname!r}); bundles hold none")
            if member.isdir() or (member.isreg() and member.size == 0 and name.endswith("/")):
                is_dir = True
            elif member.isreg() and not member.issparse():
                is_dir = False
            else:
                raise Unsafe(f"{name!r}: not a regular file or a directory (type {member.type!r})")
            if not parts:
                continue  # the root, `./`
            key = "/".join(parts)
            if key in seen:
                raise Unsafe(f"{name!r}: a second member with the same path")
            seen.add(key)
            # The parents: directories we created (never links: we create none).
            parent = dest
            for p in parts[:-1]:
                parent = os.path.join(parent, p)
                if not os.path.lexists(parent):
                    os.mkdir(parent, 0o755)
                elif os.path.islink(parent) or not os.path.isdir(parent):
                    raise Unsafe(f"{name!r}: under {p!r}, which is a file")
            target = os.path.join(dest, *parts)
            if is_dir:
                if os.path.lexists(target):
                    if not os.path.isdir(target) or os.path.islink(target):
                        raise Unsafe(f"{name!r}: a directory where a file is")
                else:
                    os.mkdir(target, 0o755)
                continue
            if member.size > MAX_MEMBER_SIZE:
                raise Unsafe(f"{name!r}: {member.size} bytes, more than {MAX_MEMBER_SIZE}")
            total += member.size
            if total > MAX_TOTAL_SIZE:
                raise Unsafe(f"{tar_path}: more than {MAX_TOTAL_SIZE} bytes of files")
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(target, flags, 0o644)
            except FileExistsError:
                raise Unsafe(f"{name!r}: a file where a directory is")
            source = archive.extractfile(member)
            written = 0
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = source.read(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    out.write(chunk)
            if written != member.size:
                raise Unsafe(f"{name!r}: truncated ({written} of {member.size} bytes)")


# ---------------------------------------------------------------------------------------------
# 2. The bag
# ---------------------------------------------------------------------------------------------


def read_text(bag, name, report):
    path = os.path.join(bag, name)
    try:
        data = read_bounded(path, MAX_MANIFEST if name in (MANIFEST, TAGMANIFEST) else MAX_TAG)
    except FileNotFoundError:
        report.error(name, "bag-missing", "missing: this is not a complete BagIt bag")
        return None
    except (NotRegular, TooLarge) as e:
        report.error(name, "bag-format", f"{e}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        report.error(name, "bag-format", "not UTF-8 text")
        return None


def parse_manifest(text, file_name, report, under_data):
    """RFC 8493 section 2.1.3 as FORMAT.md section 14 narrows it: `SHA256  PATH` lines (two
    spaces, as sha256sum writes them), and never a `%` in a path, so a percent-encoded path is
    refused rather than decoded."""
    entries = {}
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        where = f"{file_name} line {n}"
        m = re.fullmatch(r"([0-9a-fA-F]{64})  (.+)", line)
        if not m:
            report.error(where, "bag-format", 'not "SHA256  PATH"')
            continue
        digest, path = m.group(1).lower(), m.group(2)
        if "%" in path or "\r" in path:
            report.error(where, "bag-format", f"{path!r}: a `%` or CR in a path (FORMAT.md 14)")
            continue
        try:
            parts = safe_parts(path)
        except Unsafe as e:
            report.error(where, "bag-format", f"a path outside the bag: {e}")
            continue
        path = "/".join(parts)
        if under_data != (parts[:1] == ["data"]) or (under_data and len(parts) < 2):
            report.error(where, "bag-format", f"{path!r}: " + (
                "a manifest lists payload files, under data/" if under_data
                else "a tag manifest lists tag files, outside data/"))
            continue
        if path in entries:
            report.error(where, "bag-format", f"{path!r} is listed twice")
            continue
        entries[path] = digest
    return entries


def walk_files(bag, top):
    """Every file under bag/top, as bag-relative `/` paths; anything but a file or a directory
    (a link planted in an extracted bag) is reported by the caller as unsafe."""
    found = []
    for root, dirs, files in os.walk(os.path.join(bag, top)):
        # An empty directory comes only from a directory member (scelle writes none, and no
        # manifest lists one): it is reported as an unlisted path, "DIR/".
        if not dirs and not files and os.path.relpath(root, bag) != "data":
            found.append(os.path.relpath(root, bag).replace(os.sep, "/") + "/")
        for d in dirs:
            if os.path.islink(os.path.join(root, d)):
                raise Unsafe(f"{os.path.relpath(os.path.join(root, d), bag)}: a symbolic link")
        for f in files:
            full = os.path.join(root, f)
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                raise Unsafe(f"{os.path.relpath(full, bag)}: not a regular file")
            found.append(os.path.relpath(full, bag).replace(os.sep, "/"))
    return sorted(found)


def check_bag(bag, report):
    """Returns the payload manifest (path -> sha256) and the payload's actual hashes."""
    text = read_text(bag, "bagit.txt", report)
    if text is not None and text.replace("\r\n", "\n") != BAGIT_TXT:
        report.error("bagit.txt", "bag-format",
                     "is not `BagIt-Version: 1.0` and `Tag-File-Character-Encoding: UTF-8`")
    manifest = {}
    text = read_text(bag, MANIFEST, report)
    if text is not None:
        manifest = parse_manifest(text, MANIFEST, report, under_data=True)
    tags = {}
    text = read_text(bag, TAGMANIFEST, report)
    if text is not None:
        tags = parse_manifest(text, TAGMANIFEST, report, under_data=False)
        for required in REQUIRED_TAGS:
            if required not in tags:
                report.error(TAGMANIFEST, "bag-tagmanifest", f"does not list {required}")

    # Tag files: each listed one has its hash; none at the root is unlisted.
    for name, want in sorted(tags.items()):
        path = os.path.join(bag, *name.split("/"))
        if not os.path.isfile(path) or os.path.islink(path):
            report.error(name, "bag-missing", f"listed in {TAGMANIFEST} but absent")
            continue
        limit = MAX_MANIFEST if name == MANIFEST else MAX_TAG
        if os.lstat(path).st_size > limit:
            report.error(name, "bag-format", f"larger than the limit of {limit} bytes for a "
                         "tag file: not read")
            continue
        got, _ = sha256_file(path)
        if got != want:
            report.error(name, "bag-tagmanifest",
                         f"SHA-256 is {got}, {TAGMANIFEST} says {want}: the tag file was altered")
    for entry in sorted(os.listdir(bag)):
        full = os.path.join(bag, entry)
        if entry == "data" and os.path.isdir(full) and not os.path.islink(full):
            continue
        if entry in (TAGMANIFEST, SIGNATURE):
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            for f in walk_files(bag, entry):
                if f not in tags:
                    report.error(f, "bag-extra", f"a tag file that {TAGMANIFEST} does not list")
        elif entry not in tags:
            report.error(entry, "bag-extra", f"a tag file that {TAGMANIFEST} does not list")

    # Payload: every file against the manifest; Payload-Oxum.
    present = walk_files(bag, "data") if os.path.isdir(os.path.join(bag, "data")) else []
    actual = {}
    total = 0
    for name in present:
        if name.endswith("/"):
            report.error(name, "bag-extra", "an empty directory (a directory member) that no "
                         "manifest lists")
            continue
        got, size = sha256_file(os.path.join(bag, *name.split("/")))
        actual[name] = got
        total += size
        want = manifest.get(name)
        if want is None:
            report.error(name, "bag-extra", f"a payload file that {MANIFEST} does not list")
        elif want != got:
            report.error(name, "bag-manifest",
                         f"SHA-256 is {got}, the manifest says {want}: the file was altered")
    for name in sorted(set(manifest) - set(actual)):
        report.error(name, "bag-missing", f"listed in {MANIFEST} but absent from the bag")

    info = read_text(bag, "bag-info.txt", report)
    if info is not None:
        oxum = next((line[len("Payload-Oxum:"):].strip()
                     for line in info.replace("\r\n", "\n").split("\n")
                     if line.startswith("Payload-Oxum:")), None)
        want = f"{total}.{len(present)}"
        if oxum != want:
            report.error("bag-info.txt", "bag-oxum",
                         f"Payload-Oxum is {oxum or 'missing'}, the payload is {want} "
                         "(bytes.files)")
    return manifest, actual, info


# ---------------------------------------------------------------------------------------------
# 3. and 4. Artifacts and proofs against the ledger
# ---------------------------------------------------------------------------------------------


def read_entries(bag):
    """The ledger's entries as parsed JSON (None for a line that does not parse; verify_case.py
    reports it). Only reads: every rule is verify_case.py's."""
    path = os.path.join(bag, "data", "case", "ledger.jsonl")
    entries = []
    f, _ = open_regular(path)
    with f:
        while True:
            # FORMAT.md 4.1: a line longer than MAX_LINE is not parsed, and not held whole
            # (verify_case.py reports it as line-too-long).
            raw = f.readline(MAX_LINE + 1)
            if not raw:
                break
            if len(raw) == MAX_LINE + 1 and not raw.endswith(b"\n"):
                raw = None
                while True:
                    piece = f.readline(1 << 20)
                    if not piece or piece.endswith(b"\n"):
                        break
                entries.append(None)
                continue
            raw = raw.rstrip(b"\n")
            if not raw:
                continue
            try:
                entries.append(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, ValueError):
                entries.append(None)
    return entries


def seal_entries(entries):
    """exhibit id -> (sequence number, seal body), for the `seal` entries (FORMAT.md 6.4)."""
    seals = {}
    for seq, e in enumerate(entries):
        if isinstance(e, dict) and e.get("kind") == "seal" and isinstance(e.get("body"), dict):
            exhibit = e["body"].get("exhibit")
            if isinstance(exhibit, str) and exhibit not in seals:
                seals[exhibit] = (seq, e["body"])
    return seals


def artifact_base(exhibit, artifact):
    """data/artifacts/EXHIBIT/NAME, NAME the last component of `path_resolved` (FORMAT.md 14)."""
    resolved = str(artifact.get("path_resolved", "")).rstrip("/")
    name = resolved.rsplit("/", 1)[-1] or "artifact"
    return f"data/artifacts/{exhibit}/{name}"


def expected_artifact_files(exhibit, body):
    """bag path -> sealed sha256 of what data/artifacts/EXHIBIT/ must hold (FORMAT.md 14), for
    a seal whose members are in-line (`members`); a seal with a `member_file` is read from its
    member file by `member_file_artifact_files`."""
    artifact = body.get("artifact") or {}
    base = artifact_base(exhibit, artifact)
    if artifact.get("kind") == "directory":
        files = {}
        for m in artifact.get("members") or []:
            if isinstance(m, dict) and isinstance(m.get("hashes"), dict):
                files[f"{base}/{m.get('path')}"] = str(m["hashes"].get("sha256"))
        return files
    if artifact.get("kind") == "ewf":
        # Each segment file beside the others, under its own name.
        files = {}
        for m in artifact.get("members") or []:
            if isinstance(m, dict) and isinstance(m.get("hashes"), dict):
                files[f"data/artifacts/{exhibit}/{m.get('path')}"] = str(m["hashes"].get("sha256"))
        return files
    return {base: str((artifact.get("hashes") or {}).get("sha256"))}


# FORMAT.md 6.2, "Member files": the bytes of a line of a member file, without its newline.
MAX_MEMBER_LINE = 1 << 20
HEX64_LOWER_RE = re.compile(r"[0-9a-f]{64}")


class MemberFileError(Exception):
    """A member file that is not the one its seal names (verify_case.py says why, as
    `member-file`): the carried files cannot be checked against it."""


def member_file_members(bag, member_file):
    """The members of a seal's member file, data/case/members/SHA256.jsonl (FORMAT.md 6.2 and
    14), read as a stream, one line at a time (never the whole file): yields each line's JSON
    value. Raises MemberFileError, once the members yielded so far are read, if the file is
    missing, not a regular file, of another length, holds a line too long, empty or not JSON,
    does not end with a newline, or has another number of lines or SHA-256: a caller keeps
    what it found until the end, and trusts it only then."""
    spec = member_file if isinstance(member_file, dict) else {}
    digest, size, count = spec.get("sha256"), spec.get("bytes"), spec.get("count")
    if not (isinstance(digest, str) and HEX64_LOWER_RE.fullmatch(digest)
            and isinstance(size, int) and not isinstance(size, bool)
            and isinstance(count, int) and not isinstance(count, bool)):
        raise MemberFileError("the seal's member_file is not {bytes, count, sha256}")
    name = f"data/case/members/{digest}.jsonl"
    try:
        f, actual = open_regular(os.path.join(bag, *name.split("/")))
    except FileNotFoundError:
        raise MemberFileError(f"{name} is missing")
    except OSError as e:  # a link (ELOOP), not a regular file
        raise MemberFileError(f"{name} cannot be read: {e}")
    with f:
        if actual != size:
            raise MemberFileError(f"{name} is {actual} bytes, member_file.bytes is {size}")
        h, read, lines = hashlib.sha256(), 0, 0
        while True:
            raw = f.readline(MAX_MEMBER_LINE + 1)
            if not raw:
                break
            read += len(raw)
            h.update(raw)
            if read > size:
                raise MemberFileError(f"{name} grew while it was read")
            if not raw.endswith(b"\n"):
                raise MemberFileError(f"{name}: line {lines + 1} is too long or not ended "
                                      "by a newline")
            lines += 1
            try:
                value = json.loads(raw[:-1].decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise MemberFileError(f"{name}: line {lines} is not JSON")
            yield value
        if read != size or lines != count or h.hexdigest() != digest:
            raise MemberFileError(f"{name} is not the member file its seal names (length, "
                                  "number of lines or SHA-256)")


def check_artifacts(actual, seals, report, bag=None):
    carried = {}
    for name in actual:
        parts = name.split("/")
        if parts[:2] == ["data", "artifacts"]:
            carried.setdefault(parts[2] if len(parts) > 3 else "", []).append(name)
    for exhibit, names in sorted(carried.items()):
        if exhibit not in seals:
            for name in names:
                report.error(name, "bundle-artifact", "not under a sealed exhibit's directory")
            continue
        artifact = seals[exhibit][1].get("artifact")
        if isinstance(artifact, dict) and "member_file" in artifact and bag is not None:
            check_member_file_artifacts(bag, actual, exhibit, artifact, names, report)
            continue
        expected = expected_artifact_files(exhibit, seals[exhibit][1])
        for name in sorted(set(expected) | set(names)):
            if name not in actual:
                report.error(name, "bundle-artifact",
                             f"{exhibit}: a sealed file that the bundle does not carry")
            elif name not in expected:
                report.error(name, "bundle-artifact",
                             f"{exhibit}: a file that is not part of the seal")
            elif actual[name] != expected[name].lower():
                report.error(name, "bundle-artifact",
                             f"{exhibit}: SHA-256 {actual[name]} is not the sealed "
                             f"{expected[name]}")
    return sorted(carried)


MEMBER_FILE_PROBLEMS = 20  # the most carried-file problems shown for one member file


def check_member_file_artifacts(bag, actual, exhibit, artifact, names, report):
    """Step 4 for a seal whose members are in a member file (FORMAT.md 6.2): a directory's
    carried files are NAME/MEMBER for each member with hashes, read from the member file
    data/case/members/SHA256.jsonl as a stream; a tar or zip is carried as NAME, with its
    sealed SHA-256, as with in-line members. What is kept: the carried files matched (at most
    those the bag holds) and the first problems found, reported only once the whole member
    file is known to be the one the seal names (otherwise one `bundle-artifact` error says the
    files could not be checked; verify_case.py reports the member file as `member-file`)."""
    base = artifact_base(exhibit, artifact)
    problems, more, matched = [], 0, set()

    def compare(name, want):
        nonlocal more
        if name not in actual:
            problem = f"{exhibit}: a sealed file that the bundle does not carry"
        elif actual[name] != want.lower():
            problem = f"{exhibit}: SHA-256 {actual[name]} is not the sealed {want}"
        else:
            problem = None
        matched.add(name)
        if problem is None:
            return
        if len(problems) < MEMBER_FILE_PROBLEMS:
            problems.append((name, problem))
        else:
            more += 1

    if artifact.get("kind") == "directory":
        try:
            for m in member_file_members(bag, artifact.get("member_file")):
                if isinstance(m, dict) and isinstance(m.get("hashes"), dict):
                    compare(f"{base}/{m.get('path')}", str(m["hashes"].get("sha256")))
        except MemberFileError as e:
            report.error(f"data/artifacts/{exhibit}", "bundle-artifact",
                         f"{exhibit}: the carried files cannot be checked against the seal: "
                         f"{e} (the case verifier reports it as member-file)")
            return
    else:
        compare(base, str((artifact.get("hashes") or {}).get("sha256")))
    for name in sorted(set(names) - matched):
        if len(problems) < MEMBER_FILE_PROBLEMS:
            problems.append((name, f"{exhibit}: a file that is not part of the seal"))
        else:
            more += 1
    for name, message in sorted(problems):
        report.error(name, "bundle-artifact", message)
    if more:
        report.error(f"data/artifacts/{exhibit}", "bundle-artifact",
                     f"{exhibit}: {more} more problems with the carried files not shown")


def check_proofs(bag, actual, seals, report):
    proofs = sorted(n for n in actual if n.startswith("data/proofs/"))
    for name in proofs:
        stem = name[len("data/proofs/"):]
        exhibit = stem[:-5] if stem.endswith(".json") else None
        if exhibit is None or not EXHIBIT_RE.fullmatch(exhibit):
            report.error(name, "bundle-proof", "not data/proofs/EXHIBIT.json")
            continue
        try:
            proof = json.loads(read_bounded(os.path.join(bag, *name.split("/")),
                                            MAX_PROOF).decode("utf-8"))
        except TooLarge:
            report.error(name, "bundle-proof", f"larger than the limit of {MAX_PROOF} bytes "
                         "for a proof: not read")
            continue
        except (UnicodeDecodeError, ValueError) as e:
            report.error(name, "bundle-proof", f"not JSON ({e})")
            continue
        if exhibit not in seals:
            report.error(name, "bundle-proof", f"{exhibit} has no seal entry in the ledger")
        elif not isinstance(proof, dict) or proof.get("exhibit") != exhibit \
                or proof.get("leaf_index") != seals[exhibit][0]:
            report.error(name, "bundle-proof",
                         f"is not the proof of {exhibit}'s seal (entry {seals[exhibit][0]})")
    return proofs


# ---------------------------------------------------------------------------------------------
# The bag's signature and what bag-info.txt says of the ledger (FORMAT.md section 14)
# ---------------------------------------------------------------------------------------------

# Curve constants of RFC 8032 section 5.1 (the same strict checks as verify_case.py: OpenSSL 3.0
# accepts a small-order public key or R, so they are refused here before openssl runs).
ED_P = 2**255 - 19
ED_L = 2**252 + 27742317777372353535851937790883648493
ED_D = (-121665 * pow(121666, ED_P - 2, ED_P)) % ED_P
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)


def _ed_decode_point(encoded):
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
    (x1, y1), (x2, y2) = p1, p2
    t = ED_D * x1 * x2 * y1 * y2 % ED_P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, ED_P - 2, ED_P) % ED_P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, ED_P - 2, ED_P) % ED_P
    return (x3, y3)


def ed25519_point_ok(encoded):
    """A canonical curve point not of small order ([8]P is not the identity)."""
    point = _ed_decode_point(encoded)
    if point is None:
        return False
    for _ in range(3):
        point = _ed_add(point, point)
    return point != (0, 1)


def ed25519_verify(public_key, message, signature, workdir):
    """Strict Ed25519 verification (FORMAT.md 5.2) with `openssl pkeyutl`; None if valid, else
    the reason."""
    if len(public_key) != 32 or len(signature) != 64:
        return "wrong length of key or signature"
    if not ed25519_point_ok(public_key):
        return "the public key is not a valid point of large order"
    if not ed25519_point_ok(signature[:32]):
        return "the signature's R is not a valid point of large order"
    if int.from_bytes(signature[32:], "little") >= ED_L:
        return "the signature's S is not canonical (S >= L)"
    if shutil.which("openssl") is None:
        raise OSError("the `openssl` command is needed and was not found on PATH")
    pem, msg, sig = (os.path.join(workdir, n) for n in ("signer.pem", "msg.bin", "sig.bin"))
    with open(pem, "w", encoding="ascii") as f:
        f.write("-----BEGIN PUBLIC KEY-----\n"
                + base64.b64encode(SPKI_ED25519_PREFIX + public_key).decode("ascii")
                + "\n-----END PUBLIC KEY-----\n")
    with open(msg, "wb") as f:
        f.write(message)
    with open(sig, "wb") as f:
        f.write(signature)
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin",
                           "-in", msg, "-sigfile", sig],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return None if done.returncode == 0 else "the Ed25519 signature does not verify (openssl)"


def parse_spki_pem(data):
    """The 32-byte Ed25519 key of an SPKI PEM `PUBLIC KEY` block (text before the block, such
    as scelle's `Name:` lines, is allowed), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("-----BEGIN PUBLIC KEY-----"))
    except StopIteration:
        return None
    rest = "\n".join(lines[start:])[len("-----BEGIN PUBLIC KEY-----"):]
    end = rest.find("-----END PUBLIC KEY-----")
    if end < 0:
        return None
    text64 = "".join(rest[:end].split())
    try:
        der = base64.b64decode(text64, validate=True)
    except ValueError:
        return None
    if base64.b64encode(der).decode("ascii") != text64:
        return None  # not the canonical spelling (FORMAT.md 2)
    if len(der) != 44 or der[:12] != SPKI_ED25519_PREFIX:
        return None
    return der[12:]


def b64_key(value):
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def ledger_keys(entries):
    """The case's key records with their lifecycle (FORMAT.md 6.5), replayed from the ledger:
    a list of [name, raw public key, ended at seq or None, enrolled at seq]. Only reads: the
    lifecycle rules themselves are verify_case.py's."""
    keys = []
    for seq, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("body"), dict):
            continue
        kind, body = e.get("kind"), e["body"]
        new = None
        if kind == "case.open" and seq == 0:
            new = body.get("admin")
        elif kind == "key.enrol":
            new = body.get("key")
        elif kind == "key.rotate":
            new = body.get("new")
        if kind in ("key.revoke", "key.rotate"):
            gone = body.get("key") if kind == "key.revoke" else body.get("old")
            for k in keys:
                pk = k[1]
                if pk is not None and hashlib.sha256(pk).hexdigest()[:16] == gone \
                        and k[2] is None:
                    k[2] = seq
        if isinstance(new, dict):
            keys.append([new.get("name"), b64_key(new.get("public_key")), None, seq])
    return keys


def one_line(value):
    return str(value).replace("\n", " ").replace("\r", " ")


def merkle_root(lines):
    """RFC 6962 Merkle Tree Hash of all `lines` (FORMAT.md 8.1), in one pass."""
    stack = []
    for line in lines:
        height, node = 0, hashlib.sha256(b"\x00" + line).digest()
        while stack and stack[-1][0] == height:
            node = hashlib.sha256(b"\x01" + stack.pop()[1] + node).digest()
            height += 1
        stack.append((height, node))
    if not stack:
        return hashlib.sha256(b"").digest()
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = hashlib.sha256(b"\x01" + left + root).digest()
    return root


def check_signature(bag, entries, report, workdir):
    """`tagmanifest-sha256.txt.sig` is a strict Ed25519 signature of the exact bytes of
    tagmanifest-sha256.txt by the key in bag-signer.pub, a key enrolled and not revoked or
    rotated out at the end of the bundled ledger (`bag-signature`). Returns (signer's name in
    the ledger or None, its raw public key) or None."""
    def read(name):
        try:
            return read_bounded(os.path.join(bag, name), MAX_TAG)
        except FileNotFoundError:
            return None
        except OSError as e:  # not a regular file, larger than the bound
            report.error(name, "bag-signature", f"{e}")
            return b""
    pem = read(SIGNER)
    if pem is None:
        report.error(SIGNER, "bag-signature",
                     "missing: the bag is not signed, so nothing it carries is authenticated")
        return None
    public_key = parse_spki_pem(pem)
    if public_key is None:
        report.error(SIGNER, "bag-signature", "not an Ed25519 public key (SPKI PEM)")
        return None
    fingerprint = hashlib.sha256(public_key).hexdigest()
    signature, message = read(SIGNATURE), read(TAGMANIFEST)
    if signature is None:
        report.error(SIGNATURE, "bag-signature",
                     "missing: the bag is not signed, so nothing it carries is authenticated")
    elif message is None:
        report.error(SIGNATURE, "bag-signature", f"{TAGMANIFEST} is missing")
    else:
        why = ed25519_verify(public_key, message, signature, workdir)
        if why is not None:
            report.error(SIGNATURE, "bag-signature",
                         f"not a valid signature of {TAGMANIFEST} by the key in {SIGNER} "
                         f"(fingerprint {fingerprint}): {why}; the bag was altered after it "
                         "was signed")
    records = [k for k in ledger_keys(entries) if k[1] == public_key]
    if not records:
        report.error(SIGNER, "bag-signature",
                     f"the bag is signed by key {fingerprint}, which the bundled ledger does "
                     "not enrol")
    elif all(k[2] is not None for k in records):
        report.error(SIGNER, "bag-signature",
                     f"the bag is signed by key {fingerprint}, revoked or rotated out at entry "
                     f"{records[0][2]} of the bundled ledger")
    return (records[0][0] if records else None, public_key)


def check_bag_info(info, entries, lines, signer, report):
    """Each field bag-info.txt states about the bundled ledger appears once, with exactly the
    value the ledger gives (`bag-info`)."""
    first = entries[0] if entries and isinstance(entries[0], dict) else {}
    body = first.get("body") if isinstance(first.get("body"), dict) else {}
    case = body.get("case") if isinstance(body.get("case"), dict) else {}
    admin = body.get("admin") if isinstance(body.get("admin"), dict) else {}
    admin_key = b64_key(admin.get("public_key"))
    expected = [
        ("External-Identifier", one_line(case.get("case_id", ""))),
        ("External-Description", one_line(case.get("title", ""))),
        ("Scelle-Origin", one_line(case.get("origin", ""))),
        ("Scelle-Ledger-Size", str(len(lines))),
        ("Scelle-Ledger-Root", base64.b64encode(merkle_root(lines)).decode("ascii")),
        ("Scelle-Admin-Fingerprint",
         hashlib.sha256(admin_key).hexdigest() if admin_key else ""),
        ("Scelle-Signer", one_line(signer[0]) if signer and signer[0] is not None else None),
        ("Scelle-Signer-Fingerprint", hashlib.sha256(signer[1]).hexdigest() if signer else None),
    ]
    for label, want in expected:
        said = [l[len(label) + 2:] for l in info.split("\n") if l.startswith(label + ": ")]
        if not said:
            report.error("bag-info.txt", "bag-info", f"{label} is missing")
        elif len(said) > 1:
            report.error("bag-info.txt", "bag-info", f"{label} is given {len(said)} times")
        elif want is not None and said[0] != want:
            report.error("bag-info.txt", "bag-info",
                         f"{label} is {said[0]!r}, the bundled ledger says {want!r}")
    return admin, admin_key


def check_reports(actual, entries, report):
    """Each data/reports/FILE is a document a `report` entry records: file name and SHA-256
    (`bundle-report`)."""
    recorded = set()
    for e in entries:
        if isinstance(e, dict) and e.get("kind") == "report" and isinstance(e.get("body"), dict):
            recorded.add((e["body"].get("file"), e["body"].get("sha256")))
            filing = e["body"].get("filing")
            if isinstance(filing, dict):
                # FORMAT.md 6.7: the filing variant written with the evidence variant.
                recorded.add((filing.get("file"), filing.get("sha256")))
    for name, digest in sorted(actual.items()):
        if name.startswith("data/reports/"):
            if (name[len("data/reports/"):], digest) not in recorded:
                report.error(name, "bundle-report",
                             "no `report` entry of the bundled ledger records this document "
                             f"(file name and SHA-256 {digest})")


def check_kit(bag, verifier, report):
    """The carried kit against the copies this check runs with: this script and the case
    verifier (`--verifier`). A difference is a warning naming the file (`bundle-kit`)."""
    for carried, ours in (("data/kit/verify_bundle.py", os.path.abspath(__file__)),
                          ("data/kit/verify_case.py", os.path.abspath(verifier))):
        path = os.path.join(bag, *carried.split("/"))
        if not os.path.isfile(path):
            report.warning(carried, "bundle-kit", "absent")
        elif sha256_file(path)[0] != sha256_file(ours)[0]:
            report.warning(carried, "bundle-kit",
                           f"differs from {ours}, the copy this check runs: read it before "
                           "running it")


# ---------------------------------------------------------------------------------------------
# 5. The case, by verify_case.py
# ---------------------------------------------------------------------------------------------


def run_case_verifier(verifier, bag, proofs, report):
    args = [sys.executable, verifier, os.path.join(bag, "data", "case")]
    for p in proofs:
        args += ["--prove", os.path.join(bag, *p.split("/"))]
    digest, _ = sha256_file(verifier)
    emit(f"case verifier: {verifier} (SHA-256 {digest})")
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = done.stdout.decode("utf-8", "replace").replace(bag + os.sep, "")
    for line in out.split("\n")[:-1] if out.endswith("\n") else out.split("\n"):
        emit(f"case: {line}")  # escaped again: a verifier given with --verifier may not be
    if done.returncode != 0:
        report.errors += 1


def read_lines(bag):
    """The complete lines of the bundled ledger (the bytes after the last newline are a torn
    tail, not an entry)."""
    f, _ = open_regular(os.path.join(bag, "data", "case", "ledger.jsonl"))
    with f:
        return f.read().split(b"\n")[:-1]


def verify_bag(bag, verifier, report, workdir):
    manifest, actual, info = check_bag(bag, report)
    case_dir = os.path.join(bag, "data", "case")
    if not os.path.isfile(os.path.join(case_dir, "ledger.jsonl")):
        report.error("data/case", "bag-missing", "the bundle holds no case (data/case/ledger.jsonl)")
        return
    entries = read_entries(bag)
    lines = read_lines(bag)
    signer = check_signature(bag, entries, report, workdir)
    admin = ({}, None)
    if info is not None:
        admin = check_bag_info(info, entries, lines, signer, report)
    check_reports(actual, entries, report)
    if "data/case/ledger.index" in actual:
        report.error("data/case/ledger.index", "bundle-index",
                     "a ledger index is a writer's cache, never trusted nor carried "
                     "(FORMAT.md 10); a bundle that carries one is refused")
    check_kit(bag, verifier, report)
    seals = seal_entries(entries)
    carried = check_artifacts(actual, seals, report, bag)
    proofs = check_proofs(bag, actual, seals, report)
    first = entries[0] if entries and isinstance(entries[0], dict) else {}
    case = (first.get("body") or {}).get("case") if isinstance(first.get("body"), dict) else None
    case = case if isinstance(case, dict) else {}
    emit(f"identity: case {case.get('case_id')!r}, origin {case.get('origin')!r}, "
         f"{len(lines)} entries")
    emit(f"administrator (entry 0): {admin[0].get('name')!r}, fingerprint "
         f"{hashlib.sha256(admin[1]).hexdigest() if admin[1] else None}")
    if signer:
        emit(f"bag signed by {signer[0]!r}, fingerprint "
             f"{hashlib.sha256(signer[1]).hexdigest()}")
    emit(OUT_OF_BAND)
    emit(f"bag: {len(actual)} payload files, {len(carried)} exhibits carried, "
         f"{len(proofs)} proofs, {report.errors} problems in the bag")
    run_case_verifier(verifier, bag, proofs, report)


def main():
    global MAX_MEMBERS, MAX_MEMBER_SIZE, MAX_TOTAL_SIZE
    parser = argparse.ArgumentParser(
        description="Independent verifier of a scelle evidence bundle (FORMAT.md section 14).")
    parser.add_argument("bundle", metavar="BUNDLE", help="BUNDLE.tar, or an extracted bag")
    parser.add_argument("--verifier", metavar="verify_case.py",
                        default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "verify_case.py"),
                        help="the case verifier to run (default: the one beside this script)")
    parser.add_argument("--max-members", type=int, default=MAX_MEMBERS, metavar="N",
                        help=f"most members the tar may hold (default {MAX_MEMBERS})")
    parser.add_argument("--max-member-size", type=int, default=MAX_MEMBER_SIZE, metavar="BYTES",
                        help="most bytes of one file (default 1 TiB)")
    parser.add_argument("--max-total-size", type=int, default=MAX_TOTAL_SIZE, metavar="BYTES",
                        help="most bytes of all files (default 4 TiB)")
    args = parser.parse_args()
    MAX_MEMBERS, MAX_MEMBER_SIZE = args.max_members, args.max_member_size
    MAX_TOTAL_SIZE = args.max_total_size
    if not os.path.isfile(args.verifier):
        emit(f"ERROR [cannot-verify] {args.verifier}: no case verifier; give --verifier")
        emit("FAILED")
        return 2
    report = Report()
    try:
        with tempfile.TemporaryDirectory(prefix="verify_bundle.") as work:
            scratch = os.path.join(work, "scratch")
            os.mkdir(scratch, 0o700)
            if os.path.isdir(args.bundle):
                verify_bag(os.path.abspath(args.bundle), args.verifier, report, scratch)
            else:
                bag = os.path.join(work, "bag")
                safe_extract(args.bundle, bag)
                verify_bag(bag, args.verifier, report, scratch)
    except Unsafe as e:
        emit(f"ERROR [bundle-unsafe] {e}; nothing was checked")
        emit("FAILED")
        return 2
    except OSError as e:
        emit(f"ERROR [cannot-verify] {e}")
        emit("FAILED")
        return 2
    if report.errors:
        emit("FAILED")
        return 1
    emit("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
