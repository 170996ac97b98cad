#!/usr/bin/env bash
# benches/compare.sh — scelle against standard tools, on the same data, in the same run.
#
# The machine may be shared and noisy, so every comparison is interleaved (the tools take turns,
# in a rotating order), each tool's figure is the best (minimum) of BENCH_RUNS runs, and every raw
# figure is printed as well. Speed is measured here, never in the test suite.
#
# Usage:   bash benches/compare.sh [| tee benches/results-DATE.txt]
# Quick:   BENCH_BIG_GIB=0.25 BENCH_SMALL_FILES=5000 BENCH_LEDGER_ENTRIES=10000 \
#            BENCH_LEDGER_EXHIBITS=1000 BENCH_FFS_MEMBERS=10000 BENCH_RUNS=3 bash benches/compare.sh
# One row: BENCH_SECTIONS="5 6" bash benches/compare.sh   (the sections to run, 1-7)
# See benches/README.md for the variables and the meaning of each row.

set -euo pipefail
export LC_ALL=C

BENCH_BIG_GIB=${BENCH_BIG_GIB:-2}                  # size of the big file and of the tar (GiB, may be fractional)
BENCH_TAR_MEMBERS=${BENCH_TAR_MEMBERS:-200}        # members in the tar (BENCH_BIG_GIB split evenly)
BENCH_SMALL_FILES=${BENCH_SMALL_FILES:-50000}      # files of 1-16 KiB in the directory of case 2
BENCH_LEDGER_ENTRIES=${BENCH_LEDGER_ENTRIES:-1000000} # entries of the big ledger (case 5, 6)
BENCH_LEDGER_EXHIBITS=${BENCH_LEDGER_EXHIBITS:-100000} # exhibits of the big ledger (the rest are notes)
BENCH_FFS_MEMBERS=${BENCH_FFS_MEMBERS:-200000}     # members of the full-file-system tar/zip (case 7)
BENCH_FFS_RUNS=${BENCH_FFS_RUNS:-1}                # runs of each command of case 7
BENCH_FFS_ZIP=${BENCH_FFS_ZIP:-1}                  # 1: also seal the zip twin of the FFS tar (case 7)
BENCH_SPEED_SECS=${BENCH_SPEED_SECS:-3}            # seconds per block size of `openssl speed` (case 1)
BENCH_SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7}    # the sections to run
BENCH_PREPARE=${BENCH_PREPARE:-0}                  # 1: only make the cached data of sections 5-7, then stop
BENCH_SMALL_LEDGER=${BENCH_SMALL_LEDGER:-1000}     # entries of the small ledger (case 5)
BENCH_BATCH=${BENCH_BATCH:-1000}                   # paths per `scelle seal` while building ledgers
BENCH_RUNS=${BENCH_RUNS:-5}                        # runs per tool (best is kept)
BENCH_APPEND_RUNS=${BENCH_APPEND_RUNS:-5}          # runs of the single appends of case 5
BENCH_VERIFY_RUNS=${BENCH_VERIFY_RUNS:-3}          # runs of verify (case 6)
BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}      # where the data goes
BENCH_CACHE=${BENCH_CACHE:-$BENCH_TMPDIR/scelle-bench-cache} # generated big ledger and FFS archives, kept across runs
BENCH_KEEP=${BENCH_KEEP:-0}                        # 1: keep the temp dir
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}                # 1: use target/release/scelle as is

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
START_US=${EPOCHREALTIME/./}

log() { printf '%s\n' "$*"; }
# section TITLE : a section heading, with the load average (other users of the machine)
section() { printf '## %s\n  load average: %s\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"; }
note() { printf '  %s\n' "$*"; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }
# want N : whether section N is to run (BENCH_SECTIONS; with BENCH_PREPARE=1, only 5-7)
want() { [[ " $BENCH_SECTIONS " == *" $1 "* ]] && { [[ $BENCH_PREPARE != 1 ]] || (( $1 >= 5 )); }; }

for tool in openssl sha256sum find xargs tar split perl awk df python3; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    HAVE_GNU_TIME=1
else
    HAVE_GNU_TIME=0   # fall back to bash's `time`: no peak RSS
fi
NPROC=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)

# ----------------------------------------------------------------------------------------------
# Arithmetic helpers (awk: bash has integers only)

calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
fmt() { awk -v x="$1" -v d="${2:-3}" 'BEGIN { printf "%.*f", d, x }'; }
min_of() { tr ' ' '\n' <<<"$1" | awk 'NF { if (m == "" || $1 < m) m = $1 } END { print m }'; }
max_of() { tr ' ' '\n' <<<"$1" | awk 'NF { if (m == "" || $1 > m) m = $1 } END { print m }'; }
# index (0-based) of the minimum of a space-separated list
argmin_of() { tr ' ' '\n' <<<"$1" | awk 'NF { if (m == "" || $1 < m) { m = $1; i = n } n++ } END { print i }'; }
nth_of() { local a; read -r -a a <<<"$1"; printf '%s' "${a[$2]}"; }
is_true() { awk "BEGIN { exit !($*) }"; }

# ----------------------------------------------------------------------------------------------
# Measuring: wall time from $EPOCHREALTIME (microseconds), user/sys/peak RSS from /usr/bin/time -v.

declare -A RAW_WALL RAW_CPU RAW_RSS RAW_UTIL
LAST_WALL=0 LAST_CPU=0 LAST_RSS=0

# measure KEY CMD... : runs CMD once (stdout kept in $TMP/out.txt), records its figures under KEY.
measure() {
    local key=$1; shift
    local t0 t1 rc=0 u s rss
    t0=${EPOCHREALTIME/./}
    if [[ $HAVE_GNU_TIME == 1 ]]; then
        /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$TMP/out.txt" 2>"$TMP/err.txt" || rc=$?
    else
        { TIMEFORMAT='%3U %3S'; time "$@" >"$TMP/out.txt" 2>"$TMP/err.txt" || rc=$?; } 2>"$TMP/time.txt"
    fi
    t1=${EPOCHREALTIME/./}
    if [[ $rc != 0 ]]; then
        log "FAILED ($rc): $*"; tail -n 20 "$TMP/err.txt"; exit 1
    fi
    if [[ $HAVE_GNU_TIME == 1 ]]; then
        read -r u s rss < <(awk -F': ' '/User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 }
            /Maximum resident set size/ { m = $2 } END { print u, s, m }' "$TMP/time.txt")
        LAST_RSS=$(fmt "$(calc "$rss / 1024")" 1)
    else
        read -r u s < "$TMP/time.txt"
        LAST_RSS=NA
    fi
    LAST_WALL=$(fmt "$(calc "($t1 - $t0) / 1000000")" 4)
    LAST_CPU=$(fmt "$(calc "$u + $s")" 2)
    local util; util=$(fmt "$(calc "($u + $s) / (($t1 - $t0) / 1000000)")" 2)
    RAW_WALL[$key]+="$LAST_WALL "
    RAW_CPU[$key]+="$LAST_CPU "
    RAW_RSS[$key]+="$LAST_RSS "
    RAW_UTIL[$key]+="$util "
    printf '    %-22s wall %8.4f s   user+sys %7.2f s   cpu/wall %5.2f   max RSS %8s MiB\n' \
        "$key" "$LAST_WALL" "$LAST_CPU" "$util" "$LAST_RSS"
}

# interleave N FUNC... : N rounds; each round calls every FUNC once, the order rotating per round.
interleave() {
    local n=$1; shift
    local fns=("$@") k=${#@} r i
    for ((r = 0; r < n; r++)); do
        note "round $((r + 1))/$n"
        for ((i = 0; i < k; i++)); do
            "${fns[$(((i + r) % k))]}"
        done
    done
}

best() { min_of "${RAW_WALL[$1]}"; }
peak_rss() { max_of "${RAW_RSS[$1]}"; }

# ----------------------------------------------------------------------------------------------
# Result rows

SUMMARY=()
row_header() { printf '%-58s %10s %10s %9s  %-9s %s\n' "measurement" "scelle" "reference" "ratio" "goal" "result"; }
# row WHAT SCELLE REF RATIO GOAL RESULT
row() {
    local line; line=$(printf '%-58s %10s %10s %9s  %-9s %s' "$@")
    SUMMARY+=("$line")
    printf '%s\n' "$line"
}
verdict() { if is_true "$1"; then echo PASS; else echo MISS; fi; }

# ----------------------------------------------------------------------------------------------
# Setup

mkdir -p "$BENCH_TMPDIR"
TMP=$(mktemp -d "$BENCH_TMPDIR/scelle-bench.XXXXXX")
cleanup() {
    if [[ $BENCH_KEEP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

BIG_BYTES=$(awk -v g="$BENCH_BIG_GIB" 'BEGIN { printf "%.0f", g * 1073741824 }')
(( BIG_BYTES >= 1048576 )) || die "BENCH_BIG_GIB too small"
GIB=$(fmt "$(calc "$BIG_BYTES / 1073741824")" 2)

# Disk, for the sections that run: big file + tar + the split pieces the tar is built from;
# small files (~12 KiB on disk each) and a directory entry of ~150 bytes a member per run; the
# big ledger (~600 bytes an entry) and its working copy; the FFS tar (~3.2 KiB a member), zip
# (~1.6 KiB) and the ledgers, bundle and import of case 7 (~1.5 KiB a member).
need_kb=262144
if want 1 || want 3; then need_kb=$(( need_kb + 3 * BIG_BYTES / 1024 )); fi
if want 2; then need_kb=$(( need_kb + (BENCH_SMALL_FILES * 12288 + BENCH_SMALL_FILES * 200 * (BENCH_RUNS + 1)) / 1024 )); fi
if want 5 || want 6; then need_kb=$(( need_kb + BENCH_LEDGER_ENTRIES * 1200 / 1024 )); fi
if want 7; then need_kb=$(( need_kb + BENCH_FFS_MEMBERS * (3277 + 1638 * BENCH_FFS_ZIP + 1536) / 1024 )); fi
avail_kb=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
(( avail_kb > need_kb )) || die "$TMP: need ~$((need_kb / 1024)) MiB free, have $((avail_kb / 1024)) MiB"

log "# scelle benchmark: scelle against standard tools, same data, same run"
log "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "host:        $(uname -srm); $NPROC CPUs; $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
log "cpu flags:   sha_ni=$(grep -qw sha_ni /proc/cpuinfo 2>/dev/null && echo yes || echo no) avx2=$(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo yes || echo no)"
log "memory:      $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
log "tools:       $(openssl version); $(sha256sum --version | head -n 1)"
log "timer:       wall from \$EPOCHREALTIME; CPU and peak RSS from $([[ $HAVE_GNU_TIME == 1 ]] && echo '/usr/bin/time -v' || echo "bash time (no RSS: /usr/bin/time missing)")"
log "data dir:    $TMP (free $((avail_kb / 1048576)) GiB, need ~$((need_kb / 1048576 + 1)) GiB)"
log "settings:    BENCH_SECTIONS=\"$BENCH_SECTIONS\" BENCH_BIG_GIB=$BENCH_BIG_GIB BENCH_TAR_MEMBERS=$BENCH_TAR_MEMBERS BENCH_SMALL_FILES=$BENCH_SMALL_FILES"
log "             BENCH_LEDGER_ENTRIES=$BENCH_LEDGER_ENTRIES BENCH_LEDGER_EXHIBITS=$BENCH_LEDGER_EXHIBITS BENCH_SMALL_LEDGER=$BENCH_SMALL_LEDGER BENCH_BATCH=$BENCH_BATCH"
log "             BENCH_FFS_MEMBERS=$BENCH_FFS_MEMBERS BENCH_FFS_ZIP=$BENCH_FFS_ZIP BENCH_FFS_RUNS=$BENCH_FFS_RUNS BENCH_SPEED_SECS=$BENCH_SPEED_SECS"
log "             BENCH_RUNS=$BENCH_RUNS BENCH_APPEND_RUNS=$BENCH_APPEND_RUNS BENCH_VERIFY_RUNS=$BENCH_VERIFY_RUNS BENCH_CACHE=$BENCH_CACHE"
log ""

log "## build"
if [[ $BENCH_NO_BUILD == 1 ]]; then
    note "BENCH_NO_BUILD=1: using target/release/scelle as is"
elif ! (cd "$REPO" && cargo build --release --locked --quiet 2>"$TMP/build.txt"); then
    tail -n 20 "$TMP/build.txt"
    [[ -x $REPO/target/release/scelle ]] || die "cargo build --release failed"
    note "WARNING: cargo build --release failed; benchmarking the existing target/release/scelle"
fi
# The big ledger's notes are appended by an example (examples/gen_ledger.rs): needed only when
# the ledger is not in the cache yet.
GEN_LEDGER=$REPO/target/release/examples/gen_ledger
if (want 5 || want 6) && [[ ! -f $BENCH_CACHE/ledger-$BENCH_LEDGER_ENTRIES-$BENCH_LEDGER_EXHIBITS/done ]] \
    && { [[ $BENCH_NO_BUILD != 1 ]] || [[ ! -x $GEN_LEDGER ]]; }; then
    (cd "$REPO" && cargo build --release --locked --quiet --example gen_ledger) || die "cargo build --release --example gen_ledger failed"
fi
# A private copy: the release binary may be rebuilt while the benchmark runs.
cp "$REPO/target/release/scelle" "$TMP/scelle"
SCELLE=$TMP/scelle
note "binary:  $("$SCELLE" --version) built $(date -u -r "$REPO/target/release/scelle" +%Y-%m-%dT%H:%M:%SZ), copied to $SCELLE"
if git -C "$REPO" rev-parse --short HEAD >/dev/null 2>&1; then
    note "source:  commit $(git -C "$REPO" rev-parse --short HEAD), $(git -C "$REPO" status --porcelain -- src Cargo.toml Cargo.lock | wc -l) uncommitted change(s) under src/ Cargo.*"
fi

export SCELLE_PASSPHRASE=scelle-bench-passphrase
unset SCELLE_CASE
mkdir -p "$TMP/keys"
"$SCELLE" key new --name bench --out "$TMP/keys" >/dev/null
KEY=$TMP/keys/bench.key
new_case() { "$SCELLE" init "$1" --case-id BENCH --title Bench --key "$KEY" >/dev/null; }
log ""

# ----------------------------------------------------------------------------------------------
# 1. One large file

# The big file: AES-CTR keystream (incompressible, generated at ~1-2 GB/s). Case 3 cuts its tar
# from it.
BIG=$TMP/big.bin
if want 1 || want 3; then
    t0=${EPOCHREALTIME/./}
    { openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:scelle-bench -in /dev/zero 2>/dev/null || true; } \
        | head -c "$BIG_BYTES" >"$BIG"
    [[ $(stat -c %s "$BIG") == "$BIG_BYTES" ]] || die "could not generate $BIG"
    note "generated $BIG ($GIB GiB) in $(fmt "$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")" 1) s"
fi

# openssl_speed : one core's SHA-256 speed on this machine now, in bytes/s: `openssl speed -evp
# sha256`'s 16384-byte column (its figures are in 1000s of bytes per second).
openssl_speed() {
    openssl speed -seconds "$BENCH_SPEED_SECS" -evp sha256 2>/dev/null | awk '
        /^type/ { for (i = 2; i <= NF; i++) if ($i == "16384") col = (i - 2) / 2 + 1 }
        /^(sha256|SHA256|SHA2-256)/ && col { v = $(col + 1); sub(/k$/, "", v); printf "%.0f", v * 1000 }'
}

if want 1; then
section "1. one large file: $GIB GiB, in page cache"
cat "$BIG" >/dev/null
new_case "$TMP/case-big"

t_scelle_big()  { measure scelle_seal_big "$SCELLE" -C "$TMP/case-big" seal "$BIG" --key "$KEY"; }
t_openssl_big() { measure openssl_dgst "$(command -v openssl)" dgst -sha256 "$BIG"; }
t_sha256sum_big() { measure sha256sum "$(command -v sha256sum)" "$BIG"; }

# Sanity: the three tools agree on the digest.
t_scelle_big;     h1=$(grep -o 'sha256 [0-9a-f]\{64\}' "$TMP/out.txt" | head -n 1 | cut -d' ' -f2)
t_openssl_big;    h2=$(grep -o '[0-9a-f]\{64\}' "$TMP/out.txt" | head -n 1)
t_sha256sum_big;  h3=$(grep -o '^[0-9a-f]\{64\}' "$TMP/out.txt" | head -n 1)
[[ -n $h1 && $h1 == "$h2" && $h2 == "$h3" ]] || die "digests differ: scelle $h1, openssl $h2, sha256sum $h3"
note "digests agree ($h1); the run above was a warm-up and is discarded"
unset 'RAW_WALL[scelle_seal_big]' 'RAW_WALL[openssl_dgst]' 'RAW_WALL[sha256sum]'
unset 'RAW_CPU[scelle_seal_big]' 'RAW_CPU[openssl_dgst]' 'RAW_CPU[sha256sum]'
unset 'RAW_RSS[scelle_seal_big]' 'RAW_RSS[openssl_dgst]' 'RAW_RSS[sha256sum]'
unset 'RAW_UTIL[scelle_seal_big]' 'RAW_UTIL[openssl_dgst]' 'RAW_UTIL[sha256sum]'
# One core's SHA-256 limit, measured before and after the runs (the best is kept).
SPEED_RAW="$(openssl_speed) "
note "openssl speed -evp sha256 (16384-byte blocks, one core): $(fmt "$(calc "${SPEED_RAW% } / 1e9")" 3) GB/s"
interleave "$BENCH_RUNS" t_scelle_big t_openssl_big t_sha256sum_big
SPEED_RAW+="$(openssl_speed) "
note "openssl speed -evp sha256 again: $(fmt "$(calc "$(nth_of "$SPEED_RAW" 1) / 1e9")" 3) GB/s"
SPEED=$(max_of "$SPEED_RAW")

# The fixed cost of a seal (key decryption: PBKDF2 600,000 iterations, signing, checkpoint),
# measured on a 1-byte file in a fresh case, to tell it apart from hashing.
printf 'x' >"$TMP/one.bin"
FIXED_N=0
t_fixed() { FIXED_N=$((FIXED_N + 1)); new_case "$TMP/case-fixed-$FIXED_N"; measure scelle_seal_1byte "$SCELLE" -C "$TMP/case-fixed-$FIXED_N" seal "$TMP/one.bin" --key "$KEY"; }
note "fixed cost of a seal (1-byte file, fresh case):"
interleave "$BENCH_RUNS" t_fixed

S1=$(best scelle_seal_big); O1=$(best openssl_dgst); H1=$(best sha256sum); F1=$(best scelle_seal_1byte)
FRAC1=$(calc "$BIG_BYTES / $S1 / $SPEED")
log ""
row_header
row "1a big file: scelle seal vs openssl dgst -sha256 ($GIB GiB)" "$S1" "$O1" "$(fmt "$(calc "$O1 / $S1")" 2)x" ">= 1.00x" "$(verdict "$O1 / $S1 >= 1")"
row "1b big file: scelle seal vs sha256sum ($GIB GiB)" "$S1" "$H1" "$(fmt "$(calc "$H1 / $S1")" 2)x" ">= 4.00x" "$(verdict "$H1 / $S1 >= 4")"
row "1c seal GB/s vs one core's openssl speed -evp sha256 GB/s" "$(fmt "$(calc "$BIG_BYTES / $S1 / 1e9")" 3)" "$(fmt "$(calc "$SPEED / 1e9")" 3)" "$(fmt "$(calc "100 * $FRAC1")" 1)%" ">= 97%" "$(verdict "$FRAC1 >= 0.97")"
row "   info: throughput GiB/s (scelle | openssl dgst)" "$(fmt "$(calc "$BIG_BYTES / 1073741824 / $S1")" 2)" "$(fmt "$(calc "$BIG_BYTES / 1073741824 / $O1")" 2)" "" "" "info"
row "   info: fixed cost of a seal (1-byte file, fresh case)" "$F1" "" "" "" "info"
row "   info: scelle seal minus fixed cost vs openssl" "$(fmt "$(calc "$S1 - $F1")" 4)" "$O1" "$(fmt "$(calc "$O1 / ($S1 - $F1)")" 2)x" "" "info"
row "   info: (seal minus fixed cost) vs openssl speed" "$(fmt "$(calc "$BIG_BYTES / ($S1 - $F1) / 1e9")" 3)" "$(fmt "$(calc "$SPEED / 1e9")" 3)" "$(fmt "$(calc "100 * $BIG_BYTES / ($S1 - $F1) / $SPEED")" 1)%" "" "info"
log ""
fi

# The tar of case 3 is cut from the big file, which then goes.
if want 3; then
TARSRC=$TMP/tarsrc
mkdir -p "$TARSRC/evidence"
piece=$(( (BIG_BYTES + BENCH_TAR_MEMBERS - 1) / BENCH_TAR_MEMBERS ))
split -b "$piece" -d -a 5 "$BIG" "$TARSRC/evidence/part-"
TAR=$TMP/evidence.tar
tar -C "$TARSRC" -cf "$TAR" evidence
rm -rf "$TARSRC"
TAR_BYTES=$(stat -c %s "$TAR")
TAR_FILES=$(tar -tf "$TAR" | grep -vc '/$' || true)
fi
rm -f "$BIG"

# ----------------------------------------------------------------------------------------------
# 2. Many small files

if want 2; then
section "2. many small files: $BENCH_SMALL_FILES files of 1-16 KiB in nested directories"
SMALL=$TMP/small
t0=${EPOCHREALTIME/./}
perl -e '
    use strict; use File::Path qw(make_path);
    my ($root, $n) = @ARGV; srand(42);
    open(my $r, "<:raw", "/dev/urandom") or die; read($r, my $pool, (1 << 20) + 16384) == (1 << 20) + 16384 or die; close $r;
    my %made;
    for my $i (0 .. $n - 1) {
        my $d = sprintf("%s/d%03d/s%02d", $root, int($i / 1000), int($i / 50) % 20);
        make_path($d) unless $made{$d}++;
        my $size = 1024 + int(rand(15 * 1024 + 1));
        open(my $f, ">:raw", sprintf("%s/f%06d.bin", $d, $i)) or die "$d: $!";
        print $f substr($pool, int(rand(1 << 20)), $size); close $f or die;
    }' "$SMALL" "$BENCH_SMALL_FILES"
SMALL_BYTES=$(find "$SMALL" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
note "generated $(find "$SMALL" -type f | wc -l) files, $(fmt "$(calc "$SMALL_BYTES / 1048576")" 1) MiB, $(find "$SMALL" -type d | wc -l) directories, in $(fmt "$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")" 1) s"
find "$SMALL" -type f -print0 | xargs -0 cat >/dev/null
new_case "$TMP/case-small"

t_scelle_small() { measure scelle_seal_dir "$SCELLE" -C "$TMP/case-small" seal "$SMALL" --key "$KEY"; }
t_xargs_small()  { measure find_xargs_sha256sum bash -c 'find "$1" -type f -print0 | xargs -0 sha256sum >/dev/null' _ "$SMALL"; }
t_xargsP_small() { measure "find_xargs_P${NPROC}_sha256sum" bash -c 'find "$1" -type f -print0 | xargs -0 -n 2000 -P "$2" sha256sum >/dev/null' _ "$SMALL" "$NPROC"; }
# hashdeep (Debian package `hashdeep`) with one thread per CPU, its output to a file.
t_hashdeep_small() { measure "hashdeep_j${NPROC}" bash -c 'hashdeep -c sha256 -r -j "$2" "$1" >"$3"' _ "$SMALL" "$NPROC" "$TMP/hashdeep.txt"; }
SMALL_TOOLS=(t_scelle_small t_xargs_small t_xargsP_small)
if command -v hashdeep >/dev/null; then
    SMALL_TOOLS+=(t_hashdeep_small)
else
    note "hashdeep not installed (apt-get install hashdeep): its row is skipped"
fi
interleave "$BENCH_RUNS" "${SMALL_TOOLS[@]}"

S2=$(best scelle_seal_dir); X2=$(best find_xargs_sha256sum); P2=$(best "find_xargs_P${NPROC}_sha256sum")
U2=$(nth_of "${RAW_UTIL[scelle_seal_dir]}" "$(argmin_of "${RAW_WALL[scelle_seal_dir]}")")
UGOAL=$(awk -v n="$NPROC" 'BEGIN { printf "%.2f", (n >= 2 ? 0.75 * n : 0.9) }')
log ""
row_header
row "2a small files: scelle seal DIR vs find|xargs sha256sum" "$S2" "$X2" "$(fmt "$(calc "$X2 / $S2")" 2)x" "> 1.00x" "$(verdict "$X2 / $S2 > 1")"
row "2b small files: scelle (user+sys)/wall, best run, $NPROC CPUs" "$U2" "" "" "> $UGOAL" "$(verdict "$U2 > $UGOAL")"
if command -v hashdeep >/dev/null; then
    D2=$(best "hashdeep_j${NPROC}")
    row "2c small files: scelle seal DIR vs hashdeep -c sha256 -r -j$NPROC" "$S2" "$D2" "$(fmt "$(calc "$D2 / $S2")" 2)x" ">= 4.00x" "$(verdict "$D2 / $S2 >= 4")"
else
    row "2c small files: vs hashdeep: not installed, skipped" "$S2" "NA" "" ">= 4.00x" "n/a"
fi
row "2d small files: vs find|xargs -P$NPROC sha256sum (parallel)" "$S2" "$P2" "$(fmt "$(calc "$P2 / $S2")" 2)x" "" "info"
row "   info: peak RSS of scelle seal DIR (MiB)" "$(peak_rss scelle_seal_dir)" "" "" "" "info"
log ""
rm -rf "$SMALL" "$TMP/case-small"
fi

# ----------------------------------------------------------------------------------------------
# 3. A tar with many members

if want 3; then
section "3. a tar of $(fmt "$(calc "$TAR_BYTES / 1073741824")" 2) GiB with $TAR_FILES members of $(fmt "$(calc "$piece / 1048576")" 1) MiB, in page cache"
cat "$TAR" >/dev/null
new_case "$TMP/case-tar"
t_scelle_tar()  { measure scelle_seal_tar "$SCELLE" -C "$TMP/case-tar" seal "$TAR" --key "$KEY"; }
t_scelle_file() { measure scelle_seal_as_file "$SCELLE" -C "$TMP/case-tar" seal --as file "$TAR" --key "$KEY"; }
t_openssl_tar() { measure openssl_dgst_tar "$(command -v openssl)" dgst -sha256 "$TAR"; }
# The machine's own limit for what a tar seal does (two SHA-256 passes over the same bytes, the
# archive's and the members'): two `openssl dgst` at once, one per core.
t_openssl_two() { measure openssl_dgst_two bash -c 'o=$(command -v openssl); "$o" dgst -sha256 "$1" >/dev/null & "$o" dgst -sha256 "$1" >/dev/null; wait' two "$TAR"; }
t_scelle_tar
grep -q "^ *$TAR_FILES files, manifest" "$TMP/out.txt" || die "the tar seal did not report $TAR_FILES member files: $(cat "$TMP/out.txt")"
note "the tar seal reports $(grep -o '[0-9]* files, manifest' "$TMP/out.txt" | cut -d' ' -f1-2 | tr -d ,) (one pass: archive and members)"
unset 'RAW_WALL[scelle_seal_tar]' 'RAW_CPU[scelle_seal_tar]' 'RAW_RSS[scelle_seal_tar]' 'RAW_UTIL[scelle_seal_tar]'
note "(that run was a warm-up and is discarded)"
interleave "$BENCH_RUNS" t_scelle_tar t_scelle_file t_openssl_tar t_openssl_two

S3=$(best scelle_seal_tar); F3=$(best scelle_seal_as_file); O3=$(best openssl_dgst_tar)
T3=$(best openssl_dgst_two)
log ""
row_header
row "3  tar: wall of seal X.tar / wall of seal --as file X.tar" "$S3" "$F3" "$(fmt "$(calc "$S3 / $F3")" 3)" "<= 1.05" "$(verdict "$S3 / $F3 <= 1.05")"
row "   info: seal X.tar vs openssl dgst -sha256 X.tar" "$S3" "$O3" "$(fmt "$(calc "$O3 / $S3")" 2)x" "" "info"
row "3m the machine's limit: two openssl dgst at once / one" "$T3" "$O3" "$(fmt "$(calc "$T3 / $O3")" 3)" "" "info"
row "   info: row 3's ratio against that limit" "$(fmt "$(calc "$S3 / $F3")" 3)" "$(fmt "$(calc "$T3 / $O3")" 3)" "$(fmt "$(calc "($S3 / $F3) / ($T3 / $O3)")" 3)" "" "info"
row "   info: seal X.tar (user+sys)/wall, best run" "$(nth_of "${RAW_UTIL[scelle_seal_tar]}" "$(argmin_of "${RAW_WALL[scelle_seal_tar]}")")" "" "" "" "info"
log ""
rm -f "$TAR"
fi

# ----------------------------------------------------------------------------------------------
# 4. Peak memory

if want 4 && (want 1 || want 3); then
section "4. peak memory (max RSS over all runs of cases 1 and 3)"
row_header
if [[ $HAVE_GNU_TIME == 1 ]]; then
    if want 1; then
        R1=$(peak_rss scelle_seal_big)
        row "4a max RSS MiB: scelle seal big file (ref: openssl)" "$R1" "$(peak_rss openssl_dgst)" "" "< 16" "$(verdict "$R1 < 16")"
    fi
    if want 3; then
        R3=$(peak_rss scelle_seal_tar); R3f=$(peak_rss scelle_seal_as_file)
        row "4b max RSS MiB: scelle seal X.tar (ref: seal --as file)" "$R3" "$R3f" "" "< 64" "$(verdict "$R3 < 64")"
    fi
else
    row "4  max RSS: /usr/bin/time unavailable" "NA" "" "" "< 64" "n/a"
fi
log ""
fi

# ----------------------------------------------------------------------------------------------
# The big ledger (cases 5 and 6): BENCH_LEDGER_EXHIBITS exhibits sealed with `scelle seal`
# (BENCH_BATCH paths per command), then `note` entries up to BENCH_LEDGER_ENTRIES appended by
# examples/gen_ledger.rs (one CLI command per note would take days). Kept in BENCH_CACHE with
# its own key; every run works on a copy.

TINY=$TMP/tiny
mkdir -p "$TINY"
TINY_NAMES=()
for ((i = 1; i <= BENCH_BATCH; i++)); do
    n=$(printf 'f%06d' "$i"); printf '%d\n' "$i" >"$TINY/$n"; TINY_NAMES+=("$n")
done

# The commands that build a ledger run under WRAP: empty, or `eatmydata` while the cached big
# ledger is made (no fdatasync: each costs ~3 ms on this disk, an hour for a million entries;
# a benchmark's ledger needs no durability). The timed commands never run under it.
WRAP=()
# build_ledger CASE ENTRIES [KEYFILE] : a case whose ledger has ENTRIES lines (case.open +
# seals), sealed in batches of BENCH_BATCH paths per command.
build_ledger() {
    local case=$1 want=$2 key=${3:-$KEY} have=0 k t0 secs
    "$SCELLE" init "$case" --case-id BENCH --title Bench --key "$key" >/dev/null
    t0=${EPOCHREALTIME/./}
    while (( have < want )); do
        (( have == 0 )) && k=$(( want - 1 )) || k=$(( want - have ))
        (( k > BENCH_BATCH )) && k=$BENCH_BATCH
        (( k >= 1 )) || k=1
        (cd "$TINY" && "${WRAP[@]}" "$SCELLE" -C "$case" seal "${TINY_NAMES[@]:0:k}" --key "$key" >/dev/null)
        (( have == 0 )) && have=$(( k + 1 )) || have=$(( have + k ))
        if (( have % (BENCH_BATCH * 20) < BENCH_BATCH && have < want )); then note "  $have entries"; fi
    done
    secs=$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")
    note "built $case: $(wc -l <"$case/ledger.jsonl") entries, $(( $(stat -c %s "$case/ledger.jsonl") / 1048576 )) MiB, in $(fmt "$secs" 1) s ($(fmt "$(calc "$want / $secs")" 0) entries/s in batches of $BENCH_BATCH)"
}

LEDGER_CACHE=$BENCH_CACHE/ledger-$BENCH_LEDGER_ENTRIES-$BENCH_LEDGER_EXHIBITS
CASE_L=$TMP/case-ledger-big
BIG_KEY=$LEDGER_CACHE/keys/bench.key
# big_ledger : the cached big ledger (made if missing), copied to CASE_L.
big_ledger() {
    [[ -d $CASE_L ]] && return 0
    (( BENCH_LEDGER_EXHIBITS >= 1 && BENCH_LEDGER_EXHIBITS < BENCH_LEDGER_ENTRIES )) \
        || die "BENCH_LEDGER_EXHIBITS must be between 1 and BENCH_LEDGER_ENTRIES - 1"
    if [[ ! -f $LEDGER_CACHE/done ]]; then
        log "## the big ledger: $BENCH_LEDGER_ENTRIES entries, $BENCH_LEDGER_EXHIBITS exhibits (made once, kept in $LEDGER_CACHE)"
        rm -rf "$LEDGER_CACHE"
        mkdir -p "$LEDGER_CACHE/keys"
        "$SCELLE" key new --name bench --out "$LEDGER_CACHE/keys" >/dev/null
        if command -v eatmydata >/dev/null; then
            WRAP=(eatmydata)
            note "built under eatmydata (no fdatasync; the timed commands never are)"
        else
            note "eatmydata not installed (apt-get install eatmydata): every entry is fdatasync'ed, ~3 ms each"
        fi
        local t0=${EPOCHREALTIME/./}
        build_ledger "$LEDGER_CACHE/case" $(( BENCH_LEDGER_EXHIBITS + 1 )) "$BIG_KEY"
        local t1=${EPOCHREALTIME/./}
        "${WRAP[@]}" "$GEN_LEDGER" "$LEDGER_CACHE/case" "$BIG_KEY" "$BENCH_LEDGER_ENTRIES" "$BENCH_LEDGER_EXHIBITS" 2>&1 \
            | sed 's/^/    /' || die "gen_ledger failed"
        WRAP=()
        sync -f "$LEDGER_CACHE/case/ledger.jsonl"
        local t2=${EPOCHREALTIME/./}
        [[ $(wc -l <"$LEDGER_CACHE/case/ledger.jsonl") == "$BENCH_LEDGER_ENTRIES" ]] || die "the big ledger does not have $BENCH_LEDGER_ENTRIES entries"
        note "generated: seals $(fmt "$(calc "($t1 - $t0) / 1000000")" 0) s, notes $(fmt "$(calc "($t2 - $t1) / 1000000")" 0) s, $(( $(stat -c %s "$LEDGER_CACHE/case/ledger.jsonl") / 1048576 )) MiB"
        touch "$LEDGER_CACHE/done"
    else
        note "the big ledger: reusing $LEDGER_CACHE ($(wc -l <"$LEDGER_CACHE/case/ledger.jsonl") entries)"
    fi
    [[ $BENCH_PREPARE == 1 ]] && return 0
    cp -a "$LEDGER_CACHE/case" "$CASE_L"
    # The first append after the copy may rebuild the index (a binary of another index format):
    # done once here, not timed.
    local t0=${EPOCHREALTIME/./}
    "$SCELLE" -C "$CASE_L" note --text "warm-up" --key "$BIG_KEY" >/dev/null
    note "copied to $CASE_L; a first note (warm-up, not counted) took $(fmt "$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")" 2) s"
}

# make_ffs : the full-file-system tar (and zip) of case 7, made by benches/gen_ffs.py if not
# in the cache.
FFS_TAR=$BENCH_CACHE/ffs-$BENCH_FFS_MEMBERS.tar
FFS_ZIP=$BENCH_CACHE/ffs-$BENCH_FFS_MEMBERS.zip
make_ffs() {
    mkdir -p "$BENCH_CACHE"
    if [[ ! -f $FFS_TAR.done || ( $BENCH_FFS_ZIP == 1 && ! -f $FFS_ZIP.done ) ]]; then
        log "## the FFS archives: $BENCH_FFS_MEMBERS members (made once, kept in $BENCH_CACHE)"
        local t0=${EPOCHREALTIME/./} gen
        gen=(python3 "$REPO/benches/gen_ffs.py" --members "$BENCH_FFS_MEMBERS" --tar "$FFS_TAR")
        [[ $BENCH_FFS_ZIP == 1 ]] && gen+=(--zip "$FFS_ZIP")
        "${gen[@]}" 2>&1 | sed 's/^/    /' || die "gen_ffs.py failed"
        touch "$FFS_TAR.done"; [[ $BENCH_FFS_ZIP == 1 ]] && touch "$FFS_ZIP.done"
        note "generated the FFS archives in $(fmt "$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")" 1) s"
    fi
    return 0
}

if [[ $BENCH_PREPARE == 1 ]]; then
    if want 5 || want 6; then big_ledger; fi
    if want 7; then make_ffs; fi
    log "BENCH_PREPARE=1: the data of sections 5-7 is ready in $BENCH_CACHE"
    exit 0
fi

# ----------------------------------------------------------------------------------------------
# 5. Ledger append at scale

if want 5; then
section "5. ledger append at scale: ledgers of $BENCH_SMALL_LEDGER entries and of $BENCH_LEDGER_ENTRIES entries / $BENCH_LEDGER_EXHIBITS exhibits"
CASE_S=$TMP/case-ledger-small
build_ledger "$CASE_S" "$BENCH_SMALL_LEDGER"
big_ledger

APPEND_N=0
NOTE_TEXT="Seal intact, photographed before opening."
t_append_empty() { APPEND_N=$((APPEND_N + 1)); new_case "$TMP/case-empty-$APPEND_N"; measure append_empty_case "$SCELLE" -C "$TMP/case-empty-$APPEND_N" seal "$TINY/f000001" --key "$KEY"; }
t_append_small() { measure "append_${BENCH_SMALL_LEDGER}" "$SCELLE" -C "$CASE_S" seal "$TINY/f000001" --key "$KEY"; }
t_append_big()   { measure "append_${BENCH_LEDGER_ENTRIES}" "$SCELLE" -C "$CASE_L" seal "$TINY/f000001" --key "$BIG_KEY"; }
t_note_fresh()   { APPEND_N=$((APPEND_N + 1)); new_case "$TMP/case-empty-$APPEND_N"; measure note_fresh_case "$SCELLE" -C "$TMP/case-empty-$APPEND_N" note --text "$NOTE_TEXT" --key "$KEY"; }
t_note_big()     { measure "note_${BENCH_LEDGER_ENTRIES}" "$SCELLE" -C "$CASE_L" note --text "$NOTE_TEXT" --key "$BIG_KEY"; }
interleave "$BENCH_APPEND_RUNS" t_append_empty t_append_small t_append_big t_note_fresh t_note_big

A0=$(best append_empty_case); A1=$(best "append_${BENCH_SMALL_LEDGER}"); A2=$(best "append_${BENCH_LEDGER_ENTRIES}")
N0=$(best note_fresh_case); N1=$(best "note_${BENCH_LEDGER_ENTRIES}"); NR=$(peak_rss "note_${BENCH_LEDGER_ENTRIES}")
log ""
row_header
row "5a one seal into an empty case (baseline)" "$A0" "" "" "" "info"
row "5b one seal into a ${BENCH_SMALL_LEDGER}-entry case" "$A1" "" "" "" "info"
row "5c one seal into a ${BENCH_LEDGER_ENTRIES}-entry case; ratio 5c/5b" "$A2" "$A1" "$(fmt "$(calc "$A2 / $A1")" 2)" "< 2.00" "$(verdict "$A2 / $A1 < 2")"
row "   info: above baseline, ms (5b-5a | 5c-5a)" "$(fmt "$(calc "($A1 - $A0) * 1000")" 1)" "$(fmt "$(calc "($A2 - $A0) * 1000")" 1)" "" "" "info"
row "5d note: ${BENCH_LEDGER_ENTRIES} entries/${BENCH_LEDGER_EXHIBITS} exhibits vs fresh case" "$N1" "$N0" "$(fmt "$(calc "$N1 / $N0")" 2)" "<= 1.20" "$(verdict "$N1 / $N0 <= 1.2")"
row "5e note into the big case: max RSS MiB (ref: fresh case)" "$NR" "$(peak_rss note_fresh_case)" "" "< 32" "$(verdict "$NR < 32")"
log ""
fi

# ----------------------------------------------------------------------------------------------
# 6. verify on the big ledger

if want 6; then
big_ledger
V_ENTRIES=$(wc -l <"$CASE_L/ledger.jsonl")
section "6. scelle verify --json on the big ledger: $V_ENTRIES entries, $BENCH_LEDGER_EXHIBITS+ exhibits"
EPS_RAW=""
t_verify() {
    measure verify_big "$SCELLE" -C "$CASE_L" verify --json
    local summary; summary=$(grep '"type":"summary"' "$TMP/out.txt" | tail -n 1)
    [[ $summary == *'"ok":true'* ]] || die "verify did not succeed: $summary"
    EPS_RAW+="$(grep -o '"entries_per_second":[0-9]*' <<<"$summary" | cut -d: -f2) "
    note "  summary: $summary"
}
interleave "$BENCH_VERIFY_RUNS" t_verify
V6=$(best verify_big); E6=$(calc "$V_ENTRIES / $V6")
# The machine's own limit: Ed25519 verify_strict per second with every core busy (the check
# verify makes on every entry), by examples/ed25519_speed.rs in the same run.
if [[ -x $REPO/target/release/examples/ed25519_speed ]] || (cd "$REPO" && cargo build --release --locked --quiet --example ed25519_speed); then
    ED_RATE=$("$REPO/target/release/examples/ed25519_speed" 3 600 | awk '{ print $3 }')
else
    ED_RATE=""
fi
log ""
row_header
row "6a verify --json: entries / best wall s, $NPROC CPUs" "$(fmt "$E6" 0)" "" "" ">= 100000" "$(verdict "$E6 >= 100000")"
row "   info: best wall s | entries/s its summary reports" "$V6" "" "$(max_of "$EPS_RAW")" "" "info"
row "   info: verify (user+sys)/wall, best run" "$(nth_of "${RAW_UTIL[verify_big]}" "$(argmin_of "${RAW_WALL[verify_big]}")")" "" "" "" "info"
if [[ -n $ED_RATE ]]; then
    row "6c verify entries/s vs Ed25519 verify_strict/s, $NPROC CPUs (the limit)" "$(fmt "$E6" 0)" "$ED_RATE" "$(fmt "$(calc "100 * $E6 / $ED_RATE")" 1)%" "" "info"
fi
row "6b peak RSS of verify (MiB)" "$(peak_rss verify_big)" "" "" "" "info"
log ""
fi

# ----------------------------------------------------------------------------------------------
# 7. A full-file-system extraction: one tar of many small members

if want 7; then
make_ffs
FFS_BYTES=$(stat -c %s "$FFS_TAR")
section "7. a full-file-system tar: $BENCH_FFS_MEMBERS small members, $(fmt "$(calc "$FFS_BYTES / 1048576")" 0) MiB (benches/gen_ffs.py)"
cat "$FFS_TAR" >/dev/null
CASE_F=$TMP/case-ffs
new_case "$CASE_F"
measure ffs_seal_tar "$SCELLE" -C "$CASE_F" seal "$FFS_TAR" --key "$KEY"
grep -q "^ *$BENCH_FFS_MEMBERS files, manifest" "$TMP/out.txt" || die "the FFS tar seal did not report $BENCH_FFS_MEMBERS member files: $(cat "$TMP/out.txt")"
FFS_EX=$(grep -o 'E-[0-9]\{4,\}' "$TMP/out.txt" | head -n 1)
[[ -n $FFS_EX ]] || die "no exhibit id in the seal's output: $(head -n 5 "$TMP/out.txt")"
note "sealed as $FFS_EX; ledger $(( $(stat -c %s "$CASE_F/ledger.jsonl") / 1048576 )) MiB"
if [[ $BENCH_FFS_ZIP == 1 ]]; then
    cat "$FFS_ZIP" >/dev/null
    new_case "$TMP/case-ffs-zip"
    measure ffs_seal_zip "$SCELLE" -C "$TMP/case-ffs-zip" seal "$FFS_ZIP" --key "$KEY"
    measure ffs_openssl_zip "$(command -v openssl)" dgst -sha256 "$FFS_ZIP"
    measure ffs_verify_zip "$SCELLE" -C "$TMP/case-ffs-zip" verify
    measure ffs_rehash_zip "$SCELLE" -C "$TMP/case-ffs-zip" verify --rehash
fi
measure ffs_openssl_tar "$(command -v openssl)" dgst -sha256 "$FFS_TAR"

# The expert report of a US case (the case has no jurisdiction): its required input.
cat >"$TMP/report.toml" <<'TOML'
[expert]
name = "Bench Expert"
place = "San Francisco"
qualifications = "Benchmark"
compensation = "None"
prior_testimony = "None"
publications = "None"
[case]
court = "Bench Court"
[mission]
text = "Hash and seal the full-file-system extraction."
[sections]
methodology = "SHA-256 of the archive and of every member."
findings = "None."
basis = "The ledger."
opinions = "None."
limitations = "Synthetic data."
TOML
IMPORT_N=0
t_ffs_log()    { measure ffs_log "$SCELLE" -C "$CASE_F" log; }
t_ffs_show()   { measure ffs_show "$SCELLE" -C "$CASE_F" show "$FFS_EX"; }
t_ffs_report() { measure ffs_report "$SCELLE" -C "$CASE_F" report expert-report --lang en --input "$TMP/report.toml" --out "$TMP/ffs-report.pdf" --force; }
t_ffs_verify() { measure ffs_verify "$SCELLE" -C "$CASE_F" verify; }
interleave "$BENCH_FFS_RUNS" t_ffs_log t_ffs_show t_ffs_report t_ffs_verify
# The bundle (the case, without the artifacts: the member lists are in member files), then the
# bundle checked and imported. The export appends an `export` entry.
measure ffs_export "$SCELLE" -C "$CASE_F" export --out "$TMP/ffs-bundle.tar" --key "$KEY"
t_ffs_vbundle() { measure ffs_verify_bundle "$SCELLE" verify-bundle "$TMP/ffs-bundle.tar"; }
t_ffs_import()  { IMPORT_N=$((IMPORT_N + 1)); measure ffs_import "$SCELLE" import "$TMP/ffs-bundle.tar" --into "$TMP/ffs-import-$IMPORT_N"; rm -rf "$TMP/ffs-import-$IMPORT_N"; }
interleave "$BENCH_FFS_RUNS" t_ffs_vbundle t_ffs_import

log ""
row_header
M=$BENCH_FFS_MEMBERS
row "7a FFS tar ($M members): log, max RSS MiB (wall s)" "$(peak_rss ffs_log)" "$(best ffs_log)" "" "< 64" "$(verdict "$(peak_rss ffs_log) < 64")"
row "7b FFS tar: show $FFS_EX, max RSS MiB (wall s)" "$(peak_rss ffs_show)" "$(best ffs_show)" "" "< 64" "$(verdict "$(peak_rss ffs_show) < 64")"
row "7c FFS tar: report expert-report, max RSS MiB (wall s)" "$(peak_rss ffs_report)" "$(best ffs_report)" "" "< 200" "$(verdict "$(peak_rss ffs_report) < 200")"
row "7d FFS tar: verify, max RSS MiB (wall s)" "$(peak_rss ffs_verify)" "$(best ffs_verify)" "" "< 64" "$(verdict "$(peak_rss ffs_verify) < 64")"
row "7e FFS tar: verify-bundle, max RSS MiB (wall s)" "$(peak_rss ffs_verify_bundle)" "$(best ffs_verify_bundle)" "" "< 64" "$(verdict "$(peak_rss ffs_verify_bundle) < 64")"
row "7f FFS tar: import, max RSS MiB (wall s)" "$(peak_rss ffs_import)" "$(best ffs_import)" "" "< 64" "$(verdict "$(peak_rss ffs_import) < 64")"
row "   info: export (no artifacts), max RSS MiB (wall s)" "$(peak_rss ffs_export)" "$(best ffs_export)" "" "" "info"
row "   info: seal the FFS tar vs openssl dgst, wall s" "$(best ffs_seal_tar)" "$(best ffs_openssl_tar)" "$(fmt "$(calc "$(best ffs_openssl_tar) / $(best ffs_seal_tar)")" 2)x" "" "info"
row "   info: seal the FFS tar, max RSS MiB" "$(peak_rss ffs_seal_tar)" "" "" "" "info"
if [[ $BENCH_FFS_ZIP == 1 ]]; then
    row "   info: seal the FFS zip vs openssl dgst, wall s" "$(best ffs_seal_zip)" "$(best ffs_openssl_zip)" "$(fmt "$(calc "$(best ffs_openssl_zip) / $(best ffs_seal_zip)")" 2)x" "" "info"
    row "7g FFS zip: seal, max RSS MiB (wall s)" "$(peak_rss ffs_seal_zip)" "$(best ffs_seal_zip)" "" "< 64" "$(verdict "$(peak_rss ffs_seal_zip) < 64")"
    row "7h FFS zip: verify, max RSS MiB (wall s)" "$(peak_rss ffs_verify_zip)" "$(best ffs_verify_zip)" "" "< 64" "$(verdict "$(peak_rss ffs_verify_zip) < 64")"
    row "7i FFS zip: verify --rehash, max RSS MiB (wall s)" "$(peak_rss ffs_rehash_zip)" "$(best ffs_rehash_zip)" "" "< 64" "$(verdict "$(peak_rss ffs_rehash_zip) < 64")"
fi
log ""
fi

# ----------------------------------------------------------------------------------------------
# Summary

log "## summary (times in seconds, best of the runs; ratio > 1 means scelle faster unless noted)"
row_header
printf '%s\n' "${SUMMARY[@]}"
log ""
log "## raw figures (every run, in run order)"
for key in $(printf '%s\n' "${!RAW_WALL[@]}" | sort); do
    printf '  %-24s wall s:   %s\n' "$key" "${RAW_WALL[$key]}"
    printf '  %-24s cpu s:    %s\n' "" "${RAW_CPU[$key]}"
    printf '  %-24s cpu/wall: %s\n' "" "${RAW_UTIL[$key]}"
    printf '  %-24s RSS MiB:  %s\n' "" "${RAW_RSS[$key]}"
done
if want 1; then printf '  %-24s bytes/s:  %s\n' "openssl_speed_sha256" "$SPEED_RAW"; fi
if want 6; then printf '  %-24s entries/s: %s\n' "verify_big" "$EPS_RAW"; fi
log ""
log "total benchmark time: $(fmt "$(calc "(${EPOCHREALTIME/./} - $START_US) / 1000000")" 0) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
