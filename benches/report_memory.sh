#!/usr/bin/env bash
# benches/report_memory.sh — peak memory of `scelle report` on a case with one tar of many
# members (a full-file-system extraction), against `scelle verify` of the same ledger.
#
# A tar of MEMBERS small files (default 124,000, as the FFS tar of issue 17) is generated
# with python3, sealed member by member, then the Spanish custody record is rendered as the
# evidence variant (PDF/A-3b, ledger attached) and as the filing variant (PDF/A-1b). Each
# figure is GNU time -v's "Maximum resident set size". The document summarises the members
# (counts, total size, first paths, the manifest's SHA-256) and never lists them, so its size
# without the ledger attached does not depend on MEMBERS; the evidence variant carries the
# ledger, whose seal line lists every member.
#
# Usage: bash benches/report_memory.sh [MEMBERS]
#   SCELLE=path/to/scelle   the binary to measure (default: target/release/scelle, built)
#   BENCH_NO_BUILD=1        do not build
set -euo pipefail
export LC_ALL=C
MEMBERS=${1:-124000}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${SCELLE:-} ]]; then
    [[ ${BENCH_NO_BUILD:-0} == 1 ]] || (cd "$REPO" && cargo build --release --locked -q)
    SCELLE=$REPO/target/release/scelle
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/scelle-report-memory.XXXXXX")
trap 'rm -rf "$W"' EXIT
export SCELLE_PASSPHRASE="bench passphrase"

# peak resident set of one command, in MiB (GNU time -v); a failing command stops the bench
peak() { # NAME CMD...
    local name=$1; shift
    /usr/bin/time -v -o "$W/time.out" "$@" >/dev/null 2>"$W/err.out" ||
        { echo "report_memory.sh: $name failed: $(cat "$W/err.out")" >&2; exit 1; }
    local kib secs
    kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/time.out")
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$W/time.out")
    printf '  %-28s peak %5d MiB   %s\n' "$name" "$((kib / 1024))" "$secs"
}

echo "## data: a tar of $MEMBERS members, sealed ($("$SCELLE" --version))"
python3 - "$W/ffs.tar" "$MEMBERS" <<'EOF'
import io, sys, tarfile
path, n = sys.argv[1], int(sys.argv[2])
with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
    for i in range(n):
        data = b"%d\n" % i
        info = tarfile.TarInfo("private/var/d%03d/f%06d.txt" % (i % 500, i))
        info.size, info.mtime = len(data), 0
        t.addfile(info, io.BytesIO(data))
EOF
mkdir "$W/keys"
"$SCELLE" key new --name bench --role expert --out "$W/keys" >/dev/null
"$SCELLE" init "$W/case" --case-id DP-1/2026 --title "report memory bench" \
    --jurisdiction es --court "Juzgado Central de Instrucción n.º 1" \
    --key "$W/keys/bench.key" >/dev/null
peak "seal" "$SCELLE" -C "$W/case" seal "$W/ffs.tar" --key "$W/keys/bench.key"
printf '[expert]\nname = "Perito"\nplace = "Madrid"\n[signatories]\nofficer = "Letrada"\n' >"$W/input.toml"
echo "  ledger: $(wc -c <"$W/case/ledger.jsonl") bytes"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## peak memory"
peak "verify" "$SCELLE" -C "$W/case" verify
peak "report custody --pdfa 3b" "$SCELLE" -C "$W/case" report custody --lang es \
    --input "$W/input.toml" --out "$W/evidence.pdf"
peak "report custody --pdfa 1b" "$SCELLE" -C "$W/case" report custody --lang es \
    --input "$W/input.toml" --pdfa 1b --out "$W/filing.pdf"
echo "## document sizes"
echo "  evidence variant (ledger attached): $(wc -c <"$W/evidence.pdf") bytes"
echo "  filing variant (nothing attached):  $(wc -c <"$W/filing.pdf") bytes"
