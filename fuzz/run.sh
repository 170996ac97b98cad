#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a bounded time, then minimises its corpus and
# prints, per target: seconds, executions, corpus files (after minimising), crashes found.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 seconds, every target)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain may be stable: libFuzzer's
# instrumentation needs nightly flags, which RUSTC_BOOTSTRAP=1 allows. No sanitizer: the code
# is safe Rust, and panics (debug assertions and overflow checks are on) are what is sought.
# Crashing inputs land in fuzz/artifacts/<target>/ (not committed); once fixed, copy them to
# fuzz/regressions/<target>/, which tests/fuzz_corpus.rs replays with the corpora.
set -euo pipefail
cd "$(dirname "$0")"

secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(ledger_line ledger_index checkpoint key_files stix_bundle tar_import report_input ewf_image zip_archive)
fi

export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
flags=(--sanitizer=none)
cargo fuzz build "${flags[@]}" >&2

logs=target/run-logs
mkdir -p "$logs"
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(find "artifacts/$t" -type f | wc -l)
    log="$logs/$t.log"
    echo "== $t: ${secs}s" >&2
    # A failing run (a crash) is reported below, not fatal to the others.
    # Inputs no longer than needed, so that the kept corpus stays small.
    case "$t" in
    ledger_line | checkpoint | key_files | report_input) max_len=4096 ;;
    stix_bundle) max_len=16384 ;;
    tar_import | zip_archive) max_len=24576 ;;
    esac
    cargo fuzz run "${flags[@]}" "$t" "corpus/$t" -- -max_len="$max_len" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || true
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    # Keep the corpus small: only inputs that add coverage.
    if [ -n "$(ls -A "corpus/$t")" ]; then
        rm -rf "target/cmin-$t" && mkdir -p "target/cmin-$t"
        cargo fuzz run "${flags[@]}" "$t" "target/cmin-$t" "corpus/$t" -- -merge=1 -max_len="$max_len" \
            -timeout=10 -rss_limit_mb=2048 >"$logs/$t-cmin.log" 2>&1 &&
            [ -n "$(ls -A "target/cmin-$t")" ] &&
            rm -rf "corpus/$t" && mv "target/cmin-$t" "corpus/$t"
    fi
    files=$(find "corpus/$t" -type f | wc -l)
    crashes=$(($(find "artifacts/$t" -type f | wc -l) - before))
    summary+=("$(printf '%-14s %6ss %12s execs %6s corpus files %4s crashes' \
        "$t" "$secs" "${execs:-?}" "$files" "$crashes")")
    if [ "$crashes" -gt 0 ]; then
        ls -t "artifacts/$t" | head -"$crashes" | sed "s|^|  artifacts/$t/|" >&2
    fi
done
echo "fuzz run $(date -u +%Y-%m-%dT%H:%M:%SZ), $(cargo fuzz --version 2>/dev/null || true)"
printf '%s\n' "${summary[@]}"
