#!/usr/bin/env bash
# Rebuilds vendor/noble.iife.js from the npm registry (run by hand, in a scratch directory; the
# result is committed, and verifier/build.py only inlines it). Check the tarballs' sha256 against
# verifier/README.md before trusting a rebuild.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
cd "$work"
npm init -y >/dev/null
npm install --ignore-scripts @noble/ed25519@3.2.0 @noble/hashes@2.4.0 esbuild@0.28.2
npm pack @noble/ed25519@3.2.0 @noble/hashes@2.4.0 >/dev/null
sha256sum noble-ed25519-3.2.0.tgz noble-hashes-2.4.0.tgz
cp "$here/noble-entry.js" entry.js
npx esbuild entry.js --bundle --format=iife --target=es2020 --legal-comments=inline --outfile=noble.iife.js
# The licence header (the first comment of the committed file) is kept; the code replaced.
awk '/^\*\/$|^ \*\/$/ {print; exit} {print}' "$here/noble.iife.js" > header.txt
cat header.txt noble.iife.js > "$here/noble.iife.js"
echo "rebuilt $here/noble.iife.js"
