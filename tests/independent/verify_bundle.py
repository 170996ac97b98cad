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
     path once (`bag-format`); every file tagmanifest-sha256.txt lists has that SHA-256
     (`bag-tagmanifest`); every payload file under data/ has the SHA-256 manifest-sha256.txt
     gives it (`bag-manifest`); none is missing (`bag-missing`) or unlisted (`bag-extra`),
     and no tag file at the bag's root is unlisted (`bag-extra`); Payload-Oxum in
     bag-info.txt is the payload's byte count and file count (`bag-oxum`); External-Identifier
     is the case id of the ledger's entry 0 (`bag-info`).
  3. Carried artifacts (FORMAT.md section 14): under data/artifacts/EXHIBIT/, the files are
     exactly those of the exhibit's seal entry, each with the sealed SHA-256 (a file or tar
     exhibit: NAME, the last component of `path_resolved`; a directory: NAME/MEMBER for each
     member with hashes) (`bundle-artifact`).
  4. Proofs: each data/proofs/EXHIBIT.json is the proof of that exhibit's seal entry
     (`bundle-proof`), and checks (below).
  5. The case: `verify_case.py data/case --prove data/proofs/...`: every signature with openssl,
     the hash chain, the RFC 6962 root of every checkpoint, witness cosignatures, the custody
     rules, and each inclusion proof. Its output is printed as it comes.

Which verify_case.py runs: by default the one in this script's own directory (inside a bundle,
data/kit/verify_case.py, which the bundle's manifest covers but whose author is the bundle's
author). A party that does not trust the sender gives its own copy with --verifier; the SHA-256
of the script used is printed either way, to be compared with a published one.

Output: one line per problem, `ERROR [code] where: message` (`where` is the bag-relative path),
a summary of the bag, verify_case.py's lines prefixed with `case: `, then `OK` or `FAILED`.
Exit status: 0 when nothing is wrong; 1 when a problem was found; 2 when the input cannot be
checked at all (not a tar or directory, an unsafe member, a limit exceeded, python3 or openssl
missing).
"""

import argparse
import hashlib
import json
import os
import re
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


class Unsafe(Exception):
    """The input cannot be checked: stop before writing anything more."""


class Report:
    def __init__(self):
        self.errors = 0

    def error(self, where, code, message):
        self.errors += 1
        print(f"ERROR [{code}] {where}: {message}", flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
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
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        report.error(name, "bag-missing", "missing: this is not a complete BagIt bag")
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
        for required in ("bagit.txt", "bag-info.txt", MANIFEST):
            if required not in tags:
                report.error(TAGMANIFEST, "bag-tagmanifest", f"does not list {required}")

    # Tag files: each listed one has its hash; none at the root is unlisted.
    for name, want in sorted(tags.items()):
        path = os.path.join(bag, *name.split("/"))
        if not os.path.isfile(path) or os.path.islink(path):
            report.error(name, "bag-missing", f"listed in {TAGMANIFEST} but absent")
            continue
        got, _ = sha256_file(path)
        if got != want:
            report.error(name, "bag-tagmanifest",
                         f"SHA-256 is {got}, {TAGMANIFEST} says {want}: the tag file was altered")
    for entry in sorted(os.listdir(bag)):
        full = os.path.join(bag, entry)
        if entry == "data" and os.path.isdir(full) and not os.path.islink(full):
            continue
        if entry == TAGMANIFEST:
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
    fields = {}
    if info is not None:
        for line in info.replace("\r\n", "\n").split("\n"):
            if ":" in line and not line[:1].isspace():
                label, value = line.split(":", 1)
                fields.setdefault(label.strip(), value.strip())
        oxum = fields.get("Payload-Oxum")
        want = f"{total}.{len(present)}"
        if oxum != want:
            report.error("bag-info.txt", "bag-oxum",
                         f"Payload-Oxum is {oxum or 'missing'}, the payload is {want} "
                         "(bytes.files)")
    return manifest, actual, fields


# ---------------------------------------------------------------------------------------------
# 3. and 4. Artifacts and proofs against the ledger
# ---------------------------------------------------------------------------------------------


def read_entries(bag):
    """The ledger's entries as parsed JSON (None for a line that does not parse; verify_case.py
    reports it). Only reads: every rule is verify_case.py's."""
    path = os.path.join(bag, "data", "case", "ledger.jsonl")
    entries = []
    with open(path, "rb") as f:
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


def expected_artifact_files(exhibit, body):
    """bag path -> sealed sha256 of what data/artifacts/EXHIBIT/ must hold (FORMAT.md 14)."""
    artifact = body.get("artifact") or {}
    resolved = str(artifact.get("path_resolved", "")).rstrip("/")
    name = resolved.rsplit("/", 1)[-1] or "artifact"
    base = f"data/artifacts/{exhibit}/{name}"
    if artifact.get("kind") == "directory":
        files = {}
        for m in artifact.get("members") or []:
            if isinstance(m, dict) and isinstance(m.get("hashes"), dict):
                files[f"{base}/{m.get('path')}"] = str(m["hashes"].get("sha256"))
        return files
    return {base: str((artifact.get("hashes") or {}).get("sha256"))}


def check_artifacts(actual, seals, report):
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


def check_proofs(bag, actual, seals, report):
    proofs = sorted(n for n in actual if n.startswith("data/proofs/"))
    for name in proofs:
        stem = name[len("data/proofs/"):]
        exhibit = stem[:-5] if stem.endswith(".json") else None
        if exhibit is None or not EXHIBIT_RE.fullmatch(exhibit):
            report.error(name, "bundle-proof", "not data/proofs/EXHIBIT.json")
            continue
        try:
            with open(os.path.join(bag, *name.split("/")), "rb") as f:
                proof = json.loads(f.read().decode("utf-8"))
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
# 5. The case, by verify_case.py
# ---------------------------------------------------------------------------------------------


def run_case_verifier(verifier, bag, proofs, report):
    args = [sys.executable, verifier, os.path.join(bag, "data", "case")]
    for p in proofs:
        args += ["--prove", os.path.join(bag, *p.split("/"))]
    digest, _ = sha256_file(verifier)
    print(f"case verifier: {verifier} (SHA-256 {digest})", flush=True)
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = done.stdout.decode("utf-8", "replace").replace(bag + os.sep, "")
    for line in out.splitlines():
        print(f"case: {line}")
    if done.returncode != 0:
        report.errors += 1


def verify_bag(bag, verifier, report):
    manifest, actual, fields = check_bag(bag, report)
    case_dir = os.path.join(bag, "data", "case")
    if not os.path.isfile(os.path.join(case_dir, "ledger.jsonl")):
        report.error("data/case", "bag-missing", "the bundle holds no case (data/case/ledger.jsonl)")
        return
    entries = read_entries(bag)
    if entries and isinstance(entries[0], dict) and isinstance(entries[0].get("body"), dict):
        case = entries[0]["body"].get("case")
        case_id = case.get("case_id") if isinstance(case, dict) else None
        if fields.get("External-Identifier") != case_id:
            report.error("bag-info.txt", "bag-info",
                         f"External-Identifier is {fields.get('External-Identifier')!r}, the "
                         f"case in data/case is {case_id!r}")
    seals = seal_entries(entries)
    carried = check_artifacts(actual, seals, report)
    proofs = check_proofs(bag, actual, seals, report)
    print(f"bag: {len(actual)} payload files, {len(carried)} exhibits carried, "
          f"{len(proofs)} proofs, {report.errors} problems in the bag", flush=True)
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
        print(f"ERROR [cannot-verify] {args.verifier}: no case verifier; give --verifier")
        print("FAILED")
        return 2
    report = Report()
    try:
        if os.path.isdir(args.bundle):
            verify_bag(os.path.abspath(args.bundle), args.verifier, report)
        else:
            with tempfile.TemporaryDirectory(prefix="verify_bundle.") as work:
                bag = os.path.join(work, "bag")
                safe_extract(args.bundle, bag)
                verify_bag(bag, args.verifier, report)
    except Unsafe as e:
        print(f"ERROR [bundle-unsafe] {e}; nothing was checked")
        print("FAILED")
        return 2
    except OSError as e:
        print(f"ERROR [cannot-verify] {e}")
        print("FAILED")
        return 2
    if report.errors:
        print("FAILED")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
