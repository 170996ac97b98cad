#!/bin/sh
# The crash campaign (issue 7): SIGKILL at random moments during seal, release, accept,
# report and export --key, ITERATIONS killed runs of each (default 200), in release mode. After
# each kill: no complete entry lost or changed, verify passes or reports exactly a torn tail
# that `scelle repair` removes, at most the command's own entry appended, no half-written PDF
# or bundle at the target path, temporary files only as documented (docs/SECURITY.md 8).
# Prints per command: runs, kills, completed first, verified clean, torn tail then repaired,
# entry written, lost entries (goal 0), other failures (goal 0), temporary files left.
#   campaigns/crash.sh [ITERATIONS] [SEED]
set -eu
cd "$(dirname "$0")/.."
iterations=${1:-200}
seed=${2:-1}
echo "crash campaign, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
start=$(date +%s)
SCELLE_CRASH_ITERATIONS=$iterations SCELLE_CRASH_SEED=$seed \
  cargo test --release --locked --test crash crash_campaign_many_iterations -- --ignored --nocapture
echo "wall time: $(( $(date +%s) - start )) s"
