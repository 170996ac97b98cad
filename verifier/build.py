#!/usr/bin/env python3
"""Assembles verifier/verify.html, one self-contained file, from verifier/src/page.html, the
vendored libraries (verifier/vendor/noble.iife.js) and verifier/src/*.js (in name order).

The script is inlined whole, and the page's Content-Security-Policy allows exactly that script
by its SHA-256 ('sha256-...'): no other script, no eval, no network (default-src 'none').

Usage:
    python3 verifier/build.py            write verifier/verify.html
    python3 verifier/build.py --check    exit 1 if verifier/verify.html is not what the sources give
"""

import base64
import hashlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
VENDOR = ["vendor/noble.iife.js"]
VERSIONS = "@noble/ed25519 3.2.0 and @noble/hashes 2.4.0 (MIT licence, inlined)"


def assemble():
    sources = sorted((HERE / "src").glob("*.js"))
    digest = hashlib.sha256()
    parts = []
    for path in [HERE / v for v in VENDOR]:
        text = path.read_text(encoding="utf-8")
        parts.append(text)
    app = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        app.append(f"// ---- {path.name} ----\n{text}")
    parts.append("(() => {\n\"use strict\";\n" + "\n".join(app) + "\n})();\n")
    script = "\n" + "\n".join(parts)
    for forbidden in ("</script", "<!--", "eval(", "new Function"):
        if forbidden in script.lower() if forbidden.startswith("<") else forbidden in script:
            raise SystemExit(f"build.py: the script holds {forbidden!r}; refusing to inline it")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    page = (HERE / "src" / "page.html").read_text(encoding="utf-8")
    info = (f"Built by verifier/build.py from verifier/src (SHA-256 of the sources "
            f"{digest.hexdigest()[:16]}) with {VERSIONS}.")
    page = page.replace("@SCRIPT_HASH@", f"sha256-{script_hash}").replace("@BUILD_INFO@", info)
    head, tail = page.split("@SCRIPT@")
    return head + script + tail


def main():
    html = assemble()
    out = HERE / "verify.html"
    if sys.argv[1:] == ["--check"]:
        if not out.exists() or out.read_text(encoding="utf-8") != html:
            print("verifier/verify.html is out of date: run python3 verifier/build.py", file=sys.stderr)
            return 1
        print("verifier/verify.html is up to date")
        return 0
    out.write_text(html, encoding="utf-8")
    print(f"wrote {out} ({len(html.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
