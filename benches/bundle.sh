#!/usr/bin/env bash
# benches/bundle.sh — evidence bundles (FORMAT.md section 14) against the standard tools doing
# the same work on the same data, in the same run.
#
#   export --with-artifacts   vs  tar -cf of the same files + sha256sum of each (a hand-made bag)
#   verify-bundle             vs  tar -xf + sha256sum -c manifest-sha256.txt
#   data/kit/verify_bundle.py vs  the same (the independent kit: python3 hashlib)
#   import                    vs  tar -xf
#
# Each figure is the best of BENCH_RUNS runs, the tools taking turns; peak memory is GNU time's
# maximum resident set. The machine may be shared: read the ratios, not the seconds.
#
# Usage: bash benches/bundle.sh            (BENCH_GIB=1 BENCH_RUNS=3 by default)
set -euo pipefail
export LC_ALL=C
BENCH_GIB=${BENCH_GIB:-1}
BENCH_RUNS=${BENCH_RUNS:-3}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ ${BENCH_NO_BUILD:-0} == 1 ]] || (cd "$REPO" && cargo build --release --locked -q)
SCELLE=$REPO/target/release/scelle
W=$(mktemp -d "${TMPDIR:-/tmp}/scelle-bundle-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export SCELLE_PASSPHRASE="bench passphrase"

# seconds and peak KiB of one command (GNU time -o), appended to the named lists; a failing
# command stops the bench
measure() { # NAME CMD...
    local name=$1; shift
    /usr/bin/time -o "$W/time.out" -f '%e %M' "$@" >/dev/null 2>"$W/err.out" ||
        { echo "bundle.sh: $name failed: $(cat "$W/err.out")" >&2; exit 1; }
    local out; out=$(tail -1 "$W/time.out")
    eval "T_$name+=\" ${out% *}\"; M_$name+=\" ${out#* }\""
}
best() { tr ' ' '\n' <<<"$1" | awk 'NF { if (m == "" || $1 < m) m = $1 } END { print m }'; }
peak() { tr ' ' '\n' <<<"$1" | awk 'NF { if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }'; }

echo "## data: one ${BENCH_GIB} GiB file and a folder of 2,000 files of 4 KiB, sealed"
mkdir -p "$W/art/folder"
head -c "$(awk "BEGIN { printf \"%d\", $BENCH_GIB * 1073741824 }")" /dev/urandom >"$W/art/image.bin"
for i in $(seq 1 2000); do head -c 4096 /dev/urandom >"$W/art/folder/f$i.bin"; done
mkdir "$W/keys"
"$SCELLE" key new --name bench --role expert --out "$W/keys" >/dev/null
"$SCELLE" init "$W/case" --case-id BENCH-1 --title "bundle bench" --key "$W/keys/bench.key" >/dev/null
"$SCELLE" -C "$W/case" seal "$W/art/image.bin" --key "$W/keys/bench.key" >/dev/null
"$SCELLE" -C "$W/case" seal "$W/art/folder" --key "$W/keys/bench.key" >/dev/null
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"

cat >"$W/handmade.sh" <<EOF
# the same payload as a bag by hand: sha256sum each file, then tar it all
cd "$W/art" && find . -type f -print0 | sort -z | xargs -0 sha256sum >"$W/hand-manifest.txt"
tar -cf "$W/hand.tar" -C "$W/art" .
EOF
cat >"$W/untarcheck.sh" <<EOF
rm -rf "$W/x" && mkdir "$W/x" && tar -xf "$W/b.tar" -C "$W/x"
cd "$W/x" && sha256sum -c --quiet manifest-sha256.txt
EOF
for r in $(seq 1 "$BENCH_RUNS"); do
    rm -f "$W/b.tar"
    measure export "$SCELLE" -C "$W/case" export --out "$W/b.tar" --with-artifacts
    measure hand bash -e "$W/handmade.sh"
    measure verify "$SCELLE" verify-bundle "$W/b.tar"
    measure untarcheck bash -e "$W/untarcheck.sh"
    rm -rf "$W/x" && mkdir "$W/x" && tar -xf "$W/b.tar" -C "$W/x" data/kit
    measure kit python3 "$W/x/data/kit/verify_bundle.py" "$W/b.tar"
    rm -rf "$W/imp"
    measure import "$SCELLE" import "$W/b.tar" --into "$W/imp"
    rm -rf "$W/x" && mkdir "$W/x"
    measure untar tar -xf "$W/b.tar" -C "$W/x"
done
row() { # LABEL A B
    local a b
    a=$(best "$(eval echo "\$T_$2")"); b=$(best "$(eval echo "\$T_$3")")
    printf '  %-44s %7.2f s vs %7.2f s  = %5.2fx  (peak %s MiB vs %s MiB)\n' "$1" "$a" "$b" \
        "$(awk "BEGIN { print $a / $b }")" "$(peak "$(eval echo "\$M_$2")")" "$(peak "$(eval echo "\$M_$3")")"
}
echo "## best of $BENCH_RUNS (time ratio: scelle / standard tools; below 1 is faster)"
echo "  bundle: $(stat -c %s "$W/b.tar") bytes, $(tar -tf "$W/b.tar" | wc -l) members"
row "export --with-artifacts vs sha256sum+tar" export hand
row "verify-bundle vs tar -xf + sha256sum -c" verify untarcheck
row "verify_bundle.py (kit) vs tar -xf + sha256sum -c" kit untarcheck
row "import vs tar -xf" import untar
echo "  raw seconds: export[$T_export] hand[$T_hand] verify[$T_verify] untar+check[$T_untarcheck] kit[$T_kit] import[$T_import] untar[$T_untar]"
