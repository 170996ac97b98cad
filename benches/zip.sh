#!/usr/bin/env bash
# benches/zip.sh — sealing a zip member by member (FORMAT.md 6.2, "Zip members": the archive's
# digests, every member inflated, hashed and CRC-checked, in one pass) against sealing the same
# bytes as one file (`--as file`: the archive's digests only), in the same run. Goal (issue 19):
# seal X.zip >= 0.9x the speed of seal --as file X.zip.
#
# The archive is made by Info-ZIP `zip` (deflate, level 6, as extraction tools write) from
# BENCH_GIB GiB of phone-like data: BENCH_MEDIA_PCT % incompressible files of 1-8 MiB (photos,
# videos: `zip` deflates them to stored blocks, or stores them), the rest text-like records
# (logs, SQLite-like rows) that deflate about 4:1. `unzip -tq` (inflate and CRC-32 of every
# member, no hash) and `openssl dgst -sha256` of the archive are given for reference.
#
# Each figure is the best of BENCH_RUNS runs, the tools taking turns; the machine may be
# shared: read the ratios, not the seconds.
#
# Usage: bash benches/zip.sh            (BENCH_GIB=1 BENCH_RUNS=3 BENCH_MEDIA_PCT=80)
#        SCELLE=target/debug/scelle BENCH_NO_BUILD=1 bash benches/zip.sh   (another binary)
set -euo pipefail
export LC_ALL=C
BENCH_GIB=${BENCH_GIB:-1}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_MEDIA_PCT=${BENCH_MEDIA_PCT:-80}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ ${BENCH_NO_BUILD:-0} == 1 ]] || (cd "$REPO" && cargo build --release --locked -q)
SCELLE=${SCELLE:-$REPO/target/release/scelle}
[[ $SCELLE == /* ]] || SCELLE=$REPO/$SCELLE
for tool in zip unzip openssl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "zip.sh: missing $tool" >&2; exit 1; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/scelle-zip-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export SCELLE_PASSPHRASE="bench passphrase"

measure() { # NAME CMD...
    local name=$1; shift
    /usr/bin/time -o "$W/time.out" -f '%e %M %U %S' "$@" >"$W/out.txt" 2>"$W/err.out" ||
        { echo "zip.sh: $name failed: $(cat "$W/err.out")" >&2; exit 1; }
    local e m u s; read -r e m u s < <(tail -1 "$W/time.out")
    eval "T_$name+=\" $e\"; M_$name+=\" $m\"; C_$name+=\" $(awk "BEGIN { print $u + $s }")\""
}
best() { tr ' ' '\n' <<<"$1" | awk 'NF { if (m == "" || $1 < m) m = $1 } END { print m }'; }
peak() { tr ' ' '\n' <<<"$1" | awk 'NF { if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }'; }

total=$(awk "BEGIN { printf \"%d\", $BENCH_GIB * 1073741824 }")
media=$((total * BENCH_MEDIA_PCT / 100))
mkdir -p "$W/ffs/private/var/mobile/Media/DCIM" "$W/ffs/private/var/mobile/Library/Logs"
made=0 i=0
while ((made < media)); do
    n=$(( (1 + i % 8) * 1048576 ))
    head -c "$n" /dev/urandom >"$W/ffs/private/var/mobile/Media/DCIM/IMG_$i.HEIC"
    made=$((made + n)) i=$((i + 1))
done
i=0
while ((made < total)); do
    # text-like: log lines and rows with varying numbers, about 4:1 under deflate
    perl -e 'my ($n, $i) = @ARGV; my $s = 0; while ($s < $n) {
        my $l = sprintf("2021-09-%02d %02d:%02d:%02d.%06d pid %d com.apple.process%d: event %x for %s\n",
            1 + $i % 28, rand(24), rand(60), rand(60), rand(1e6), rand(65536), rand(400), rand(2**32),
            ("identityservicesd", "imagent", "CommCenter", "mDNSResponder")[rand 4]);
        print $l; $s += length $l; }' 4194304 "$i" >"$W/ffs/private/var/mobile/Library/Logs/log_$i.txt"
    made=$((made + $(stat -c %s "$W/ffs/private/var/mobile/Library/Logs/log_$i.txt"))) i=$((i + 1))
done
(cd "$W/ffs" && zip -q -r -6 "$W/ffs.zip" .)
Z=$W/ffs.zip
mkdir "$W/keys"
"$SCELLE" key new --name bench --role expert --out "$W/keys" >/dev/null
"$SCELLE" init "$W/case" --case-id BENCH-ZIP --title "zip bench" --key "$W/keys/bench.key" >/dev/null
files=$(unzip -Z1 "$Z" | grep -vc '/$')
echo "## data: $(stat -c %s "$Z") bytes of zip ($((total / 1048576)) MiB inflated, ${BENCH_MEDIA_PCT}% incompressible), $files files"
echo "  binary: $SCELLE ($("$SCELLE" --version))"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$BENCH_RUNS"); do
    measure zip "$SCELLE" -C "$W/case" seal "$Z" --key "$W/keys/bench.key"
    grep -q "^ *$files files, manifest" "$W/out.txt" || { echo "zip.sh: the zip seal did not report $files files: $(cat "$W/out.txt")" >&2; exit 1; }
    measure file "$SCELLE" -C "$W/case" seal --as file "$Z" --key "$W/keys/bench.key"
    measure unzip unzip -tq "$Z"
    measure openssl openssl dgst -sha256 "$Z"
done
row() { # LABEL A B
    local a b
    a=$(best "$(eval echo "\$T_$2")"); b=$(best "$(eval echo "\$T_$3")")
    ca=$(best "$(eval echo "\$C_$2")"); cb=$(best "$(eval echo "\$C_$3")")
    printf '  %-46s %7.2f s vs %7.2f s  speed ratio %5.2f  (cpu %.2f s vs %.2f s; peak %s MiB vs %s MiB)\n' "$1" "$a" "$b" \
        "$(awk "BEGIN { print $b / $a }")" "$ca" "$cb" "$(peak "$(eval echo "\$M_$2")")" "$(peak "$(eval echo "\$M_$3")")"
}
echo "## best of $BENCH_RUNS (speed ratio: time of the second / time of the first; goal >= 0.90 on the first row)"
row "seal X.zip vs seal --as file X.zip" zip file
row "info: seal X.zip vs unzip -tq X.zip" zip unzip
row "info: seal X.zip vs openssl dgst -sha256" zip openssl
echo "  raw seconds: zip[$T_zip] file[$T_file] unzip-t[$T_unzip] openssl[$T_openssl]"
echo "  raw cpu (user+sys): zip[$C_zip] file[$C_file]"
