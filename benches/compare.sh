#!/usr/bin/env bash
# benches/compare.sh — scelle against standard tools, on the same data, in the same run.
#
# The machine may be shared and noisy, so every comparison is interleaved (the tools take turns,
# in a rotating order), each tool's figure is the best (minimum) of BENCH_RUNS runs, and every raw
# figure is printed as well. Speed is measured here, never in the test suite.
#
# Usage:   bash benches/compare.sh [| tee benches/results-DATE.txt]
# Quick:   BENCH_BIG_GIB=0.25 BENCH_SMALL_FILES=5000 BENCH_LEDGER_ENTRIES=10000 BENCH_RUNS=3 \
#            bash benches/compare.sh
# See benches/README.md for the variables and the meaning of each row.

set -euo pipefail
export LC_ALL=C

BENCH_BIG_GIB=${BENCH_BIG_GIB:-2}                  # size of the big file and of the tar (GiB, may be fractional)
BENCH_TAR_MEMBERS=${BENCH_TAR_MEMBERS:-200}        # members in the tar (BENCH_BIG_GIB split evenly)
BENCH_SMALL_FILES=${BENCH_SMALL_FILES:-50000}      # files of 1-16 KiB in the directory of case 2
BENCH_LEDGER_ENTRIES=${BENCH_LEDGER_ENTRIES:-100000} # entries of the big ledger (case 5, 6)
BENCH_SMALL_LEDGER=${BENCH_SMALL_LEDGER:-1000}     # entries of the small ledger (case 5)
BENCH_BATCH=${BENCH_BATCH:-1000}                   # paths per `scelle seal` while building ledgers
BENCH_RUNS=${BENCH_RUNS:-5}                        # runs per tool (best is kept)
BENCH_APPEND_RUNS=${BENCH_APPEND_RUNS:-5}          # runs of the single appends of case 5
BENCH_VERIFY_RUNS=${BENCH_VERIFY_RUNS:-3}          # runs of verify (case 6)
BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}      # where the data goes
BENCH_KEEP=${BENCH_KEEP:-0}                        # 1: keep the temp dir
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}                # 1: use target/release/scelle as is

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
START_US=${EPOCHREALTIME/./}

log() { printf '%s\n' "$*"; }
# section TITLE : a section heading, with the load average (other users of the machine)
section() { printf '## %s\n  load average: %s\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"; }
note() { printf '  %s\n' "$*"; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

for tool in openssl sha256sum find xargs tar split perl awk df; do
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

# Disk: big file + tar + the split pieces the tar is built from, small files (~12 KiB on disk
# each), ledgers (~600 bytes an entry, plus a directory entry of ~150 bytes a member per run).
need_kb=$(( (3 * BIG_BYTES + BENCH_SMALL_FILES * 12288 + BENCH_LEDGER_ENTRIES * 1024
             + BENCH_SMALL_FILES * 200 * (BENCH_RUNS + 1)) / 1024 + 262144 ))
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
log "settings:    BENCH_BIG_GIB=$BENCH_BIG_GIB BENCH_TAR_MEMBERS=$BENCH_TAR_MEMBERS BENCH_SMALL_FILES=$BENCH_SMALL_FILES BENCH_LEDGER_ENTRIES=$BENCH_LEDGER_ENTRIES"
log "             BENCH_SMALL_LEDGER=$BENCH_SMALL_LEDGER BENCH_BATCH=$BENCH_BATCH BENCH_RUNS=$BENCH_RUNS BENCH_APPEND_RUNS=$BENCH_APPEND_RUNS BENCH_VERIFY_RUNS=$BENCH_VERIFY_RUNS"
log ""

log "## build"
if [[ $BENCH_NO_BUILD == 1 ]]; then
    note "BENCH_NO_BUILD=1: using target/release/scelle as is"
elif ! (cd "$REPO" && cargo build --release --quiet 2>"$TMP/build.txt"); then
    tail -n 20 "$TMP/build.txt"
    [[ -x $REPO/target/release/scelle ]] || die "cargo build --release failed"
    note "WARNING: cargo build --release failed; benchmarking the existing target/release/scelle"
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

section "1. one large file: $GIB GiB, in page cache"
BIG=$TMP/big.bin
t0=${EPOCHREALTIME/./}
# AES-CTR keystream: incompressible, generated at ~1-2 GB/s.
{ openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:scelle-bench -in /dev/zero 2>/dev/null || true; } \
    | head -c "$BIG_BYTES" >"$BIG"
[[ $(stat -c %s "$BIG") == "$BIG_BYTES" ]] || die "could not generate $BIG"
note "generated in $(fmt "$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")" 1) s"
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
interleave "$BENCH_RUNS" t_scelle_big t_openssl_big t_sha256sum_big

# The fixed cost of a seal (key decryption: PBKDF2 600,000 iterations, signing, checkpoint),
# measured on a 1-byte file in a fresh case, to tell it apart from hashing.
printf 'x' >"$TMP/one.bin"
FIXED_N=0
t_fixed() { FIXED_N=$((FIXED_N + 1)); new_case "$TMP/case-fixed-$FIXED_N"; measure scelle_seal_1byte "$SCELLE" -C "$TMP/case-fixed-$FIXED_N" seal "$TMP/one.bin" --key "$KEY"; }
note "fixed cost of a seal (1-byte file, fresh case):"
interleave "$BENCH_RUNS" t_fixed

S1=$(best scelle_seal_big); O1=$(best openssl_dgst); H1=$(best sha256sum); F1=$(best scelle_seal_1byte)
log ""
row_header
row "1a big file: scelle seal vs openssl dgst -sha256 ($GIB GiB)" "$S1" "$O1" "$(fmt "$(calc "$O1 / $S1")" 2)x" ">= 1.00x" "$(verdict "$O1 / $S1 >= 1")"
row "1b big file: scelle seal vs sha256sum ($GIB GiB)" "$S1" "$H1" "$(fmt "$(calc "$H1 / $S1")" 2)x" ">= 4.00x" "$(verdict "$H1 / $S1 >= 4")"
row "   info: throughput GiB/s (scelle | openssl)" "$(fmt "$(calc "$BIG_BYTES / 1073741824 / $S1")" 2)" "$(fmt "$(calc "$BIG_BYTES / 1073741824 / $O1")" 2)" "" "" "info"
row "   info: fixed cost of a seal (1-byte file, fresh case)" "$F1" "" "" "" "info"
row "   info: scelle seal minus fixed cost vs openssl" "$(fmt "$(calc "$S1 - $F1")" 4)" "$O1" "$(fmt "$(calc "$O1 / ($S1 - $F1)")" 2)x" "" "info"
log ""

# The tar of case 3 is cut from the big file, which then goes.
TARSRC=$TMP/tarsrc
mkdir -p "$TARSRC/evidence"
piece=$(( (BIG_BYTES + BENCH_TAR_MEMBERS - 1) / BENCH_TAR_MEMBERS ))
split -b "$piece" -d -a 5 "$BIG" "$TARSRC/evidence/part-"
TAR=$TMP/evidence.tar
tar -C "$TARSRC" -cf "$TAR" evidence
rm -rf "$TARSRC" "$BIG"
TAR_BYTES=$(stat -c %s "$TAR")
TAR_FILES=$(tar -tf "$TAR" | grep -vc '/$' || true)

# ----------------------------------------------------------------------------------------------
# 2. Many small files

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
interleave "$BENCH_RUNS" t_scelle_small t_xargs_small t_xargsP_small

S2=$(best scelle_seal_dir); X2=$(best find_xargs_sha256sum); P2=$(best "find_xargs_P${NPROC}_sha256sum")
U2=$(nth_of "${RAW_UTIL[scelle_seal_dir]}" "$(argmin_of "${RAW_WALL[scelle_seal_dir]}")")
UGOAL=$(awk -v n="$NPROC" 'BEGIN { printf "%.2f", (n >= 2 ? 0.75 * n : 0.9) }')
log ""
row_header
row "2a small files: scelle seal DIR vs find|xargs sha256sum" "$S2" "$X2" "$(fmt "$(calc "$X2 / $S2")" 2)x" "> 1.00x" "$(verdict "$X2 / $S2 > 1")"
row "2b small files: scelle (user+sys)/wall, best run, $NPROC CPUs" "$U2" "" "" "> $UGOAL" "$(verdict "$U2 > $UGOAL")"
row "   info: vs find|xargs -P$NPROC sha256sum (parallel)" "$S2" "$P2" "$(fmt "$(calc "$P2 / $S2")" 2)x" "" "info"
row "   info: peak RSS of scelle seal DIR (MiB)" "$(peak_rss scelle_seal_dir)" "" "" "" "info"
log ""
rm -rf "$SMALL" "$TMP/case-small"

# ----------------------------------------------------------------------------------------------
# 3. A tar with many members

section "3. a tar of $(fmt "$(calc "$TAR_BYTES / 1073741824")" 2) GiB with $TAR_FILES members of $(fmt "$(calc "$piece / 1048576")" 1) MiB, in page cache"
cat "$TAR" >/dev/null
new_case "$TMP/case-tar"
t_scelle_tar()  { measure scelle_seal_tar "$SCELLE" -C "$TMP/case-tar" seal "$TAR" --key "$KEY"; }
t_scelle_file() { measure scelle_seal_as_file "$SCELLE" -C "$TMP/case-tar" seal --as file "$TAR" --key "$KEY"; }
t_openssl_tar() { measure openssl_dgst_tar "$(command -v openssl)" dgst -sha256 "$TAR"; }
t_scelle_tar
grep -q "^ *$TAR_FILES files, manifest" "$TMP/out.txt" || die "the tar seal did not report $TAR_FILES member files: $(cat "$TMP/out.txt")"
note "the tar seal reports $(grep -o '[0-9]* files, manifest' "$TMP/out.txt" | cut -d' ' -f1-2 | tr -d ,) (one pass: archive and members)"
unset 'RAW_WALL[scelle_seal_tar]' 'RAW_CPU[scelle_seal_tar]' 'RAW_RSS[scelle_seal_tar]' 'RAW_UTIL[scelle_seal_tar]'
note "(that run was a warm-up and is discarded)"
interleave "$BENCH_RUNS" t_scelle_tar t_scelle_file t_openssl_tar

S3=$(best scelle_seal_tar); F3=$(best scelle_seal_as_file); O3=$(best openssl_dgst_tar)
log ""
row_header
row "3  tar: speed of seal X.tar / speed of seal --as file X.tar" "$S3" "$F3" "$(fmt "$(calc "$F3 / $S3")" 2)" ">= 0.90" "$(verdict "$F3 / $S3 >= 0.9")"
row "   info: seal X.tar vs openssl dgst -sha256 X.tar" "$S3" "$O3" "$(fmt "$(calc "$O3 / $S3")" 2)x" "" "info"
row "   info: seal X.tar (user+sys)/wall, best run" "$(nth_of "${RAW_UTIL[scelle_seal_tar]}" "$(argmin_of "${RAW_WALL[scelle_seal_tar]}")")" "" "" "" "info"
log ""
rm -f "$TAR"

# ----------------------------------------------------------------------------------------------
# 4. Peak memory

section "4. peak memory (max RSS over all runs)"
row_header
if [[ $HAVE_GNU_TIME == 1 ]]; then
    R1=$(peak_rss scelle_seal_big); R3=$(peak_rss scelle_seal_tar); R3f=$(peak_rss scelle_seal_as_file)
    row "4a max RSS MiB: scelle seal big file (ref: openssl)" "$R1" "$(peak_rss openssl_dgst)" "" "< 64" "$(verdict "$R1 < 64")"
    row "4b max RSS MiB: scelle seal X.tar (ref: seal --as file)" "$R3" "$R3f" "" "< 64" "$(verdict "$R3 < 64")"
else
    row "4  max RSS: /usr/bin/time unavailable" "NA" "" "" "< 64" "n/a"
fi
log ""

# ----------------------------------------------------------------------------------------------
# 5. Ledger append at scale

section "5. ledger append at scale: one more 1-file seal into ledgers of $BENCH_SMALL_LEDGER and $BENCH_LEDGER_ENTRIES entries"
TINY=$TMP/tiny
mkdir -p "$TINY"
TINY_NAMES=()
for ((i = 1; i <= BENCH_BATCH; i++)); do
    n=$(printf 'f%06d' "$i"); printf '%d\n' "$i" >"$TINY/$n"; TINY_NAMES+=("$n")
done

# build_ledger CASE ENTRIES : a case whose ledger has ENTRIES lines (case.open + seals), sealed in
# batches of BENCH_BATCH paths per command.
build_ledger() {
    local case=$1 want=$2 have=0 k t0 secs
    new_case "$case"
    t0=${EPOCHREALTIME/./}
    while (( have < want )); do
        (( have == 0 )) && k=$(( want - 1 )) || k=$(( want - have ))
        (( k > BENCH_BATCH )) && k=$BENCH_BATCH
        (( k >= 1 )) || k=1
        (cd "$TINY" && "$SCELLE" -C "$case" seal "${TINY_NAMES[@]:0:k}" --key "$KEY" >/dev/null)
        (( have == 0 )) && have=$(( k + 1 )) || have=$(( have + k ))
        if (( have % (BENCH_BATCH * 20) < BENCH_BATCH && have < want )); then note "  $have entries"; fi
    done
    secs=$(calc "(${EPOCHREALTIME/./} - $t0) / 1000000")
    note "built $case: $(wc -l <"$case/ledger.jsonl") entries, $(( $(stat -c %s "$case/ledger.jsonl") / 1048576 )) MiB, in $(fmt "$secs" 1) s ($(fmt "$(calc "$want / $secs")" 0) entries/s in batches of $BENCH_BATCH)"
}
CASE_S=$TMP/case-ledger-small
CASE_L=$TMP/case-ledger-big
build_ledger "$CASE_S" "$BENCH_SMALL_LEDGER"
build_ledger "$CASE_L" "$BENCH_LEDGER_ENTRIES"

APPEND_N=0
t_append_empty() { APPEND_N=$((APPEND_N + 1)); new_case "$TMP/case-empty-$APPEND_N"; measure append_empty_case "$SCELLE" -C "$TMP/case-empty-$APPEND_N" seal "$TINY/f000001" --key "$KEY"; }
t_append_small() { measure "append_${BENCH_SMALL_LEDGER}" "$SCELLE" -C "$CASE_S" seal "$TINY/f000001" --key "$KEY"; }
t_append_big()   { measure "append_${BENCH_LEDGER_ENTRIES}" "$SCELLE" -C "$CASE_L" seal "$TINY/f000001" --key "$KEY"; }
interleave "$BENCH_APPEND_RUNS" t_append_empty t_append_small t_append_big

A0=$(best append_empty_case); A1=$(best "append_${BENCH_SMALL_LEDGER}"); A2=$(best "append_${BENCH_LEDGER_ENTRIES}")
log ""
row_header
row "5a one seal into an empty case (baseline)" "$A0" "" "" "" "info"
row "5b one seal into a ${BENCH_SMALL_LEDGER}-entry case" "$A1" "" "" "" "info"
row "5c one seal into a ${BENCH_LEDGER_ENTRIES}-entry case; ratio 5c/5b" "$A2" "$A1" "$(fmt "$(calc "$A2 / $A1")" 2)" "< 2.00" "$(verdict "$A2 / $A1 < 2")"
row "   info: above baseline, ms (5b-5a | 5c-5a)" "$(fmt "$(calc "($A1 - $A0) * 1000")" 1)" "$(fmt "$(calc "($A2 - $A0) * 1000")" 1)" "" "" "info"
log ""

# ----------------------------------------------------------------------------------------------
# 6. verify on the big ledger

section "6. scelle verify --json on the $BENCH_LEDGER_ENTRIES-entry ledger"
EPS_RAW=""
t_verify() {
    measure verify_big "$SCELLE" -C "$CASE_L" verify --json
    local summary; summary=$(grep '"type":"summary"' "$TMP/out.txt" | tail -n 1)
    [[ $summary == *'"ok":true'* ]] || die "verify did not succeed: $summary"
    EPS_RAW+="$(grep -o '"entries_per_second":[0-9]*' <<<"$summary" | cut -d: -f2) "
    note "  summary: $summary"
}
interleave "$BENCH_VERIFY_RUNS" t_verify
V6=$(best verify_big); E6=$(max_of "$EPS_RAW")
log ""
row_header
row "6  verify --json, $(wc -l <"$CASE_L/ledger.jsonl") entries: wall s | entries/s" "$V6" "" "$E6" "" "info"
row "   info: peak RSS of verify (MiB)" "$(peak_rss verify_big)" "" "" "" "info"
log ""

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
printf '  %-24s entries/s: %s\n' "verify_big" "$EPS_RAW"
log ""
log "total benchmark time: $(fmt "$(calc "(${EPOCHREALTIME/./} - $START_US) / 1000000")" 0) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
