#!/usr/bin/env bash
# Time scelle::render::render on a filing with a ROWS-row exhibit table (default 1000), in
# release mode; best of 5 runs, measured inside the process (no process start-up, no disk).
# Target: < 1 s for 1,000 rows. Speed is measured here, never in the test suite.
#
#   bash benches/render.sh [ROWS] [a4|letter] [1b|3b]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000}" paper="${2:-a4}" pdfa="${3:-1b}"
cargo build --release --quiet --example render_sample
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
"${CARGO_TARGET_DIR:-target}/release/examples/render_sample" "$out/sample.pdf" "$rows" "$paper" "$pdfa"
