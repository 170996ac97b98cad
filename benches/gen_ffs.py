#!/usr/bin/env python3
"""benches/gen_ffs.py: a synthetic iOS-like full-file-system extraction, as a tar and/or a zip.

    python3 benches/gen_ffs.py [--members N] [--seed S] [--tar OUT.tar] [--zip OUT.zip]

N small members (default 1,000,000) under the directories of an iOS full-file-system dump
(private/var/mobile/Containers/Data/Application/UUID/Library/..., private/var/mobile/Media/DCIM,
private/var/db, System/Library ...), a few per directory, with sizes from 0 to 16 KiB (log-uniform:
most are small, as on a phone; about 1 in 50 empty), and names that look like what an examiner meets
(*.sqlite, *.sqlite-wal, *.db, *.plist, *.binarycookies, *.ktx, *.jpg ...). SQLite-looking members
start with "SQLite format 3\\0", plist-looking ones with "bplist00" or an XML plist header; the rest
of each member is random bytes (incompressible) or, for logs and text, repeated text.

Deterministic: the same --seed and --members give byte-identical archives (fixed mtimes, uid,
gid, modes; the tar in GNU format, the zip with fixed date_time and deflate level 1 for text-like
members, stored otherwise). Members are written one at a time (tarfile.addfile, ZipFile.open(...,
"w")) from a 1 MiB pool of random bytes, and the tar writer forgets each member once written, so
the tar alone is made in constant memory; the zip writer must keep its central directory (one
ZipInfo a member, about 0.45 KB: 450 MB at 1,000,000) until the end, as every zip writer does.

Standard library only. Prints the members and bytes written on standard error.
"""

import argparse
import io
import random
import sys
import tarfile
import time
import uuid
import zipfile

MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z
MAX_SIZE = 16 * 1024

APP_SUBDIRS = [
    "Library/Preferences",
    "Library/Caches",
    "Library/Caches/com.apple.WebKit.Networking",
    "Library/Application Support",
    "Library/Cookies",
    "Library/WebKit/WebsiteData/LocalStorage",
    "Library/SplashBoard/Snapshots/sceneID:default",
    "Documents",
    "tmp",
]
SYSTEM_DIRS = [
    "private/var/mobile/Library/SMS",
    "private/var/mobile/Library/SMS/Attachments/{a:02x}/{b:02d}",
    "private/var/mobile/Library/CallHistoryDB",
    "private/var/mobile/Library/AddressBook",
    "private/var/mobile/Library/Safari",
    "private/var/mobile/Library/Logs/CrashReporter",
    "private/var/mobile/Media/DCIM/{n:03d}APPLE",
    "private/var/mobile/Media/PhotoData/Thumbnails/V2/DCIM/{n:03d}APPLE",
    "private/var/db/diagnostics/Persist",
    "private/var/db/uuidtext/{a:02X}",
    "private/var/root/Library/Caches/locationd",
    "private/var/containers/Shared/SystemGroup/{u}/Library/Preferences",
    "System/Library/PrivateFrameworks/{fw}.framework",
    "usr/share/zoneinfo/{zone}",
]
FRAMEWORKS = ["CoreSuggestions", "BiomeStreams", "Pegasus", "IMCore", "CloudKitDaemon", "Sharing"]
ZONES = ["Europe", "America", "Asia", "Africa", "Pacific"]
# (name pattern, kind): kind decides the content's first bytes and whether it is text.
FILE_KINDS = [
    ("{w}.sqlite", "sqlite"),
    ("{w}.sqlite-wal", "sqlite"),
    ("{w}.sqlite-shm", "bin"),
    ("{w}.db", "sqlite"),
    ("com.apple.{w}.plist", "bplist"),
    ("group.com.{w}.plist", "xmlplist"),
    ("Cookies.binarycookies", "bin"),
    ("{w}.ktx", "bin"),
    ("IMG_{n:04d}.JPG", "jpeg"),
    ("IMG_{n:04d}.HEIC", "bin"),
    ("{w}.log", "text"),
    ("{w}-{n}.ips", "text"),
    ("{w}.tracev3", "bin"),
    ("{w}.json", "text"),
]
WORDS = ["sms", "CallHistory", "AddressBook", "History", "knowledgeC", "interactionC",
         "DataUsage", "netusage", "Cache", "Manifest", "Photos", "locationd", "cache_encryptedB",
         "consolidated", "TCC", "accounts", "keychain-2", "notes", "ChatStorage", "Preferences"]
TEXT = (b"2026-11-20 14:05:00.123456+0100 0x1f4 Default 0x0 123 0 mobile: (CoreFoundation) "
        b"request https://example.invalid/api/v1/sync?device=iPhone14,2 status=200\n")


def members(n, rng):
    """Yields (path, size, kind) for n members, in directory order."""
    apps = []
    i = 0
    while i < n:
        # One directory, then a few files in it (1-12), like a real tree walk.
        r = rng.random()
        if r < 0.55 or not apps:
            if not apps or rng.random() < 0.08:
                apps.append(str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper())
            app = apps[-1] if rng.random() < 0.7 else rng.choice(apps)
            sub = rng.choice(APP_SUBDIRS)
            d = f"private/var/mobile/Containers/Data/Application/{app}/{sub}"
            if rng.random() < 0.3:
                d += f"/{rng.choice(WORDS)}"
        else:
            d = rng.choice(SYSTEM_DIRS).format(
                a=rng.randrange(256), b=rng.randrange(100), n=100 + rng.randrange(40),
                u=str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
                fw=rng.choice(FRAMEWORKS), zone=rng.choice(ZONES))
        for _ in range(min(1 + rng.randrange(12), n - i)):
            pattern, kind = rng.choice(FILE_KINDS)
            name = pattern.format(w=rng.choice(WORDS), n=i)
            # Log-uniform in [1, 16 KiB]; about 1 in 50 empty.
            size = 0 if rng.random() < 0.02 else min(MAX_SIZE, int(2 ** (rng.random() * 14)))
            # The index keeps every path unique.
            yield f"{d}/{i:07d}-{name}", size, kind
            i += 1


def content(size, kind, rng, pool):
    """The member's bytes: a format's magic, then random bytes or text."""
    if kind == "sqlite":
        head = b"SQLite format 3\x00\x10\x00\x02\x02\x00\x40\x20\x20"
    elif kind == "bplist":
        head = b"bplist00\xd1\x01\x02"
    elif kind == "xmlplist":
        head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC '
                b'"-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
                b'<plist version="1.0">\n<dict>\n')
    elif kind == "jpeg":
        head = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00MM\x00*"
    else:
        head = b""
    if kind in ("text", "xmlplist"):
        body = TEXT * (size // len(TEXT) + 1)
    else:
        off = rng.randrange(len(pool) - MAX_SIZE)
        body = pool[off:off + size]
    return (head + body)[:size]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--tar", help="the tar to write")
    ap.add_argument("--zip", help="the zip to write")
    a = ap.parse_args()
    if not a.tar and not a.zip:
        ap.error("give --tar and/or --zip")
    t0 = time.monotonic()
    pool = random.Random(a.seed).randbytes((1 << 20) + MAX_SIZE)
    tar = tarfile.open(a.tar, "w", format=tarfile.GNU_FORMAT) if a.tar else None
    zf = zipfile.ZipFile(a.zip, "w", allowZip64=True) if a.zip else None
    rng = random.Random(a.seed + 1)
    count = total = 0
    for path, size, kind in members(a.members, rng):
        data = content(size, kind, rng, pool)
        if tar is not None:
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            info.uname, info.gname = "mobile", "mobile"
            info.uid = info.gid = 501
            tar.addfile(info, io.BytesIO(data))
            tar.members.clear()  # TarFile keeps every TarInfo it wrote; not needed to write
        if zf is not None:
            zi = zipfile.ZipInfo(path, date_time=(2023, 11, 14, 22, 13, 20))
            zi.external_attr = 0o100644 << 16
            text = kind in ("text", "xmlplist")
            zi.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
            if text:
                # Level 1 (fast): ZipInfo's private field before 3.13, compress_level since.
                setattr(zi, "compress_level" if hasattr(zi, "compress_level") else "_compresslevel", 1)
            with zf.open(zi, "w") as w:
                w.write(data)
            zf.NameToInfo.clear()  # the names are unique; filelist keeps what close() writes
        count += 1
        total += len(data)
        if count % 100_000 == 0:
            print(f"gen_ffs: {count} members, {total / 2**20:.0f} MiB, "
                  f"{time.monotonic() - t0:.0f} s", file=sys.stderr)
    if tar is not None:
        tar.close()
    if zf is not None:
        zf.close()
    print(f"gen_ffs: wrote {count} members, {total} bytes of content, in "
          f"{time.monotonic() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
