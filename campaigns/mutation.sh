#!/bin/sh
# The mutation campaign (issue 7): every single-byte change, entry deletion, swap and
# duplication and every truncation of the demo case's ledger, every byte of its checkpoints,
# and the bundle's payload and tag bytes and members; then the untouched files, many times.
# Release mode. Prints a table (class, mutations, detected, undetectable by design, undetected,
# false alarms, seconds); exit 0 when all detectable mutations were detected and no untouched
# run failed. Arguments go to the example (see examples/mutation_campaign.rs), e.g.
#   campaigns/mutation.sh                   # the full campaign (about 20 minutes on one core)
#   campaigns/mutation.sh --stride 50       # every 50th position, for a quick look
set -eu
cd "$(dirname "$0")/.."
echo "mutation campaign, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
cargo build --release --locked --example mutation_campaign
start=$(date +%s)
status=0
target/release/examples/mutation_campaign "$@" || status=$?
echo "wall time: $(( $(date +%s) - start )) s"
exit $status
