#!/usr/bin/env bash
# benches/ewf.sh — sealing an EWF (E01) set against ewfverify, on the same image, in the same run.
#
# Data: BENCH_EWF_GIB GiB of media (half incompressible, half text), acquired by ewfacquire
# (deflate:fast, 256 MiB segments, MD5 and SHA-1 stored). Compared, interleaved, best of
# BENCH_RUNS runs each:
#   ewfverify  ewfverify -q -d sha1 IMAGE.E01  (decodes the media, MD5 + SHA-1, no segment hash)
#   scelle     scelle seal IMAGE.E01           (decodes the media, MD5 + SHA-1 + SHA-256 of the
#              media, SHA-256 of every segment file, the header, the signed entry; a new case
#              each run; includes ~70 ms of key decryption)
# A ratio > 1 means scelle is faster. Speed is measured here, never in the test suite.
#
# Usage: bash benches/ewf.sh [| tee -a benches/results-DATE.txt]
# Quick: BENCH_EWF_GIB=0.25 BENCH_RUNS=2 bash benches/ewf.sh
# Needs: ewf-tools (ewfacquire, ewfverify). BENCH_SCELLE=PATH measures another binary.

set -euo pipefail
export LC_ALL=C
BENCH_EWF_GIB=${BENCH_EWF_GIB:-1}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ $BENCH_NO_BUILD != 1 ]]; then
    (cd "$REPO" && cargo build --release --quiet)
fi
W=$(mktemp -d "$BENCH_TMPDIR/scelle-ewf-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cp "${BENCH_SCELLE:-$REPO/target/release/scelle}" "$W/scelle"
SCELLE=$W/scelle
export SCELLE_PASSPHRASE="bench passphrase"

echo "## EWF: ${BENCH_EWF_GIB} GiB of media, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$W/media.raw" "$BENCH_EWF_GIB" <<'EOF'
import random, sys
path, gib = sys.argv[1], float(sys.argv[2])
total = int(gib * (1 << 30)) // 512 * 512
rnd = random.Random(20261206)
noise = rnd.randbytes(8 << 20)
text = (b"2021-08-30 10:00:00 localhost kernel[0]: wifi connection to gateway.icloud.com ok\n"
        * 200000)[: 8 << 20]
with open(path, "wb") as f:
    written, n = 0, 0
    while written < total:
        block = (noise if n % 2 == 0 else text)[: total - written]
        f.write(block)
        written += len(block)
        n += 1
EOF
(cd "$W" && ewfacquire -q -u -t image -S 256MiB -c deflate:fast -d sha1 media.raw >/dev/null)
rm "$W/media.raw"
cat "$W"/image.E* >/dev/null
mkdir "$W/keys"
"$SCELLE" key new --name bench --out "$W/keys" >/dev/null
echo "segments: $(ls "$W"/image.E* | wc -l), $(du -cb "$W"/image.E* | tail -1 | cut -f1) bytes"

best_ewfverify=
best_scelle=
secs() { # prints the wall seconds of "$@"
    local t0=$EPOCHREALTIME
    "$@" >"$W/out.txt" 2>&1
    echo "$EPOCHREALTIME - $t0" | bc
}
min() { if [[ -z $1 ]] || (( $(echo "$2 < $1" | bc) )); then echo "$2"; else echo "$1"; fi; }
for ((r = 0; r < BENCH_RUNS; r++)); do
    rm -rf "$W/case"
    "$SCELLE" init "$W/case" --case-id B --title bench --key "$W/keys/bench.key" >/dev/null
    if (( r % 2 == 0 )); then
        a=$(secs ewfverify -q -d sha1 "$W/image.E01")
        b=$(secs "$SCELLE" -C "$W/case" seal --key "$W/keys/bench.key" "$W/image.E01")
    else
        b=$(secs "$SCELLE" -C "$W/case" seal --key "$W/keys/bench.key" "$W/image.E01")
        a=$(secs ewfverify -q -d sha1 "$W/image.E01")
    fi
    echo "run $r: ewfverify ${a}s, scelle seal ${b}s"
    best_ewfverify=$(min "$best_ewfverify" "$a")
    best_scelle=$(min "$best_scelle" "$b")
done
echo "best: ewfverify ${best_ewfverify}s, scelle seal ${best_scelle}s," \
    "ratio ewfverify/scelle $(echo "scale=2; $best_ewfverify / $best_scelle" | bc)"
