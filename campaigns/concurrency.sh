#!/usr/bin/env bash
# campaigns/concurrency.sh [WRITERS] [OPS_PER_WRITER] — several writers on one case at once.
#
# WRITERS processes (default 8) each run OPS_PER_WRITER (default 25) scelle commands against
# the same case as fast as they can, alternating `seal` of a file of its own and `note`, each
# with a unique text. Every command signs with the same key file (600,000 PBKDF2 iterations
# per command), so the cores are saturated while the appends race for the ledger lock.
# Afterwards: every command that reported success must have exactly one entry (its note text,
# its sealed path), no entry may be there twice or be unexplained, and `scelle verify` must
# pass (sequence, chain, signatures, checkpoints). Prints the figures; exit 1 if any is wrong.
set -euo pipefail
WRITERS=${1:-8}
OPS=${2:-25}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ ${CAMPAIGN_NO_BUILD:-0} == 1 ]] || (cd "$REPO" && cargo build --release --locked -q)
export S=$REPO/target/release/scelle
W=$(mktemp -d "${TMPDIR:-/tmp}/scelle-concurrency.XXXXXX")
W=$(cd "$W" && pwd -P)
trap 'rm -rf "$W"' EXIT
export SCELLE_PASSPHRASE="concurrency campaign"
mkdir "$W/keys" "$W/files" "$W/out"
"$S" key new --name expert --role expert --out "$W/keys" >/dev/null
"$S" init "$W/case" --case-id CONC-1 --title "concurrency campaign" --key "$W/keys/expert.key" >/dev/null

writer() { # N
    local n=$1 i ok=0 fail=0
    for ((i = 0; i < OPS; i++)); do
        if ((i % 2 == 0)); then
            printf 'writer %d op %d\n' "$n" "$i" >"$W/files/w$n-$i.bin"
            if "$S" -C "$W/case" seal "$W/files/w$n-$i.bin" --key "$W/keys/expert.key" --json \
                >>"$W/out/w$n.seals" 2>>"$W/out/w$n.err"; then
                echo "seal $W/files/w$n-$i.bin" >>"$W/out/w$n.done"
            else
                echo "seal w$n-$i exit $?" >>"$W/out/w$n.failed"
            fi
        else
            if "$S" -C "$W/case" note --text "note of writer $n op $i" --key "$W/keys/expert.key" \
                >/dev/null 2>>"$W/out/w$n.err"; then
                echo "note note of writer $n op $i" >>"$W/out/w$n.done"
            else
                echo "note w$n-$i exit $?" >>"$W/out/w$n.failed"
            fi
        fi
    done
}
echo "## $WRITERS writers x $OPS commands on one case, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
start=${EPOCHREALTIME/./}
for ((w = 0; w < WRITERS; w++)); do writer "$w" & done
wait
end=${EPOCHREALTIME/./}

python3 - "$W" "$WRITERS" "$OPS" "$(( (end - start) / 1000 ))" <<'PY'
import glob, json, os, subprocess, sys
w, writers, ops, ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
done = [l.rstrip("\n") for f in glob.glob(f"{w}/out/*.done") for l in open(f)]
failed = [l.rstrip("\n") for f in glob.glob(f"{w}/out/*.failed") for l in open(f)]
lines = open(f"{w}/case/ledger.jsonl", "rb").read().split(b"\n")
torn = lines[-1] != b""
entries = [json.loads(l) for l in lines if l]
seen = {}
for e in entries[1:]:
    if e["kind"] == "seal":
        key = "seal " + e["body"]["artifact"]["path_resolved"]
    elif e["kind"] == "note":
        key = "note " + e["body"]["text"]
    else:
        key = e["kind"]
    seen[key] = seen.get(key, 0) + 1
missing = [d for d in done if seen.get(d, 0) == 0]
twice = [k for k, n in seen.items() if n > 1]
unexplained = [k for k in seen if k not in set(done)]
seqs_ok = [e["seq"] for e in entries] == list(range(len(entries)))
v = subprocess.run([f"{os.environ['S']}", "-C", f"{w}/case", "verify"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
print(f"  commands: {writers * ops}, succeeded {len(done)}, failed {len(failed)}")
print(f"  entries: {len(entries)} (1 case.open + {len(entries) - 1}), expected {1 + len(done)}")
print(f"  missing: {len(missing)}, duplicated: {len(twice)}, unexplained: {len(unexplained)}, "
      f"seq 0..n-1: {seqs_ok}, torn tail: {torn}")
print(f"  verify: exit {v.returncode}: {v.stdout.decode().strip().splitlines()[-1]}")
print(f"  {ms / 1000:.1f} s, {len(done) / (ms / 1000):.1f} committed commands/s")
for f in failed[:5]:
    print("  failed:", f)
for f in glob.glob(f"{w}/out/*.err"):
    for l in list(open(f))[:2]:
        print("  stderr:", l.rstrip())
bad = failed or missing or twice or unexplained or not seqs_ok or torn or v.returncode != 0 \
    or len(entries) != 1 + len(done)
print("RESULT:", "FAILED" if bad else "OK")
sys.exit(1 if bad else 0)
PY
