#!/usr/bin/env bash
# benches/ioc.sh — IOC scan throughput against grep, on the same data, in the same run.
#
# Data: BENCH_IOC_GIB GiB of mixed content (log lines with host names, SQLite-like records,
# random binary), a few real Pegasus indicators planted in it. One file, sealed once.
# Compared, interleaved, best of BENCH_RUNS runs each:
#   grep      LC_ALL=C grep -F -c -f domains.txt DATA   (the 1,438 Pegasus domains only; no hashing)
#   scelle    scelle ioc scan --stix pegasus.stix2      (all 1,549 indicators with the domain,
#             e-mail, process rules, AND the SHA-256 re-hash of the exhibit, AND the signed entry;
#             includes ~70 ms of key decryption)
#   sha256sum, openssl dgst -sha256: the hashing alone, for reference.
# Ratios > 1 mean scelle is faster. Every tool writes its output to a file (see secs below). Speed is measured here, never in the test suite.
#
# Usage: bash benches/ioc.sh [| tee -a benches/results-DATE.txt]
# Quick: BENCH_IOC_GIB=0.25 BENCH_RUNS=2 bash benches/ioc.sh
#
# Second part (issue 19), unless BENCH_IOC_MIX_MIB=0: a full-file-system-like folder of
# BENCH_IOC_MIX_MIB MiB (benches/ioc_mix.py: SQLite databases, binary and XML plists, JSON, logs,
# binary files, whose text uses the ordinary words Pegasus process names collide with, plus 4
# real positives in context), sealed as a folder and scanned; compared with
# `grep -r -F -c -f domains.txt` on the same folder; prints the precision: findings (true and
# false positives) and mentions. BENCH_SCELLE=PATH uses that binary (and skips the build).

set -euo pipefail
export LC_ALL=C
BENCH_IOC_GIB=${BENCH_IOC_GIB:-1}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STIX=$REPO/examples/demo/ioc/pegasus.stix2

BENCH_IOC_MIX_MIB=${BENCH_IOC_MIX_MIB:-256}
if [[ -n ${BENCH_SCELLE:-} ]]; then
    SCELLE=$BENCH_SCELLE
else
    if [[ $BENCH_NO_BUILD != 1 ]]; then
        (cd "$REPO" && cargo build --release --quiet)
    fi
    SCELLE=$REPO/target/release/scelle
fi
W=$(mktemp -d "$BENCH_TMPDIR/scelle-ioc-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export SCELLE_PASSPHRASE="bench passphrase"

echo "## IOC scan: ${BENCH_IOC_GIB} GiB mixed data, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$W/data.bin" "$BENCH_IOC_GIB" <<'EOF'
import random, sys
path, gib = sys.argv[1], float(sys.argv[2])
total = int(gib * (1 << 30))
rnd = random.Random(20261123)
words = [w.encode() for w in "the kernel process started connection wifi safari message "
         "photos backup sync cellular location daemon service request response error ok".split()]
hosts = [b"www.example.org", b"api.apple.com", b"fr.wikipedia.org", b"cdn.example.net",
         b"mail.example.com", b"gateway.icloud.com"]
# One 16 MiB block of mixed content, varied per repetition by a rotating byte offset.
lines = []
for i in range(60000):
    lines.append(b"2021-08-30 10:%02d:%02d.%03d +0200 localhost %s[%d]: %s %s %s\n" % (
        i % 60, i % 60, i % 1000, rnd.choice(words), rnd.randrange(99, 3000),
        rnd.choice(words), rnd.choice(hosts), rnd.choice(words)))
text = b"".join(lines)
records = b"".join(b"\x0d\x04\x00\x17" + rnd.choice(words) + b"com.apple." + rnd.choice(words)
                   + bytes(rnd.randrange(256) for _ in range(12)) for _ in range(40000))
binary = rnd.randbytes(16 << 20)
block = (text + records + binary)[: 16 << 20]
planted = [b"hostname: bun54l2b67.get1tn0w.free247downloads.com\n",
           b"proc /private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd\n",
           b"From: bogaardlisa803@gmail.com\n"]
with open(path, "wb") as f:
    written, n = 0, 0
    while written < total:
        k = n % len(block)
        chunk = block[k:] + block[:k]
        chunk = chunk[: total - written]
        if n % 8 == 3 and len(chunk) > 4096:
            # Inserted after a line of the log text, the block keeping its length.
            p = planted[n % len(planted)]
            at = chunk.index(b"\n", 1000) + 1
            chunk = (chunk[:at] + p + chunk[at:])[: len(chunk)]
        f.write(chunk)
        written += len(chunk)
        n += 1
EOF
python3 - "$STIX" > "$W/domains.txt" <<'EOF'
import json, sys
for o in json.load(open(sys.argv[1]))["objects"]:
    p = o.get("pattern", "")
    if p.startswith("[domain-name:value="):
        print(p.split("'")[1].lower())
EOF
echo "  data $(stat -c %s "$W/data.bin") bytes; $(wc -l < "$W/domains.txt") domains for grep"

"$SCELLE" key new --name bench --role expert --out "$W" >/dev/null
"$SCELLE" init "$W/case" --case-id BENCH --title "IOC bench" --key "$W/bench.key" >/dev/null
"$SCELLE" -C "$W/case" seal "$W/data.bin" --key "$W/bench.key" >/dev/null
cat "$W/data.bin" > /dev/null   # warm the page cache for everyone

# Output goes to a file, not /dev/null: GNU grep stops at the first match when it writes to
# /dev/null (it then behaves as -q), which would time nothing.
secs() { local s=${EPOCHREALTIME/./}; "$@" >"$W/out.txt" 2>&1 || true; local e=${EPOCHREALTIME/./}; awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", (b-a)/1e6}'; }
best() { tr ' ' '\n' <<<"$1" | awk 'NF{if(m==""||$1<m)m=$1}END{print m}'; }

g="" s="" h="" o=""
for r in $(seq 1 "$BENCH_RUNS"); do
    g+=" $(secs grep -F -c -f "$W/domains.txt" "$W/data.bin")"
    s+=" $(secs "$SCELLE" -C "$W/case" ioc scan --stix "$STIX" --key "$W/bench.key")"
    h+=" $(secs sha256sum "$W/data.bin")"
    o+=" $(secs openssl dgst -sha256 "$W/data.bin")"
done
echo "  raw seconds: grep [$g ] scelle [$s ] sha256sum [$h ] openssl [$o ]"
G=$(best "$g"); S=$(best "$s"); H=$(best "$h"); O=$(best "$o")
GIB=$(awk -v b="$(stat -c %s "$W/data.bin")" 'BEGIN{print b/1073741824}')
awk -v g="$G" -v s="$S" -v h="$H" -v o="$O" -v gib="$GIB" 'BEGIN{
  printf "  grep -F -c -f domains.txt   %7.3f s  %6.2f GiB/s\n", g, gib/g;
  printf "  scelle ioc scan (+SHA-256)  %7.3f s  %6.2f GiB/s   grep/scelle = %.2f (goal > 1)\n", s, gib/s, g/s;
  printf "  sha256sum                   %7.3f s  %6.2f GiB/s\n", h, gib/h;
  printf "  openssl dgst -sha256        %7.3f s  %6.2f GiB/s   openssl/scelle = %.2f\n", o, gib/o, o/s;
}'
echo "  grep counted $(grep -F -c -f "$W/domains.txt" "$W/data.bin" || true) lines; scelle recorded:"
"$SCELLE" -C "$W/case" ioc scan --stix "$STIX" --key "$W/bench.key" --json | tail -1 | python3 -c '
import json,sys
v=json.loads(sys.stdin.read())["scan"]
print("   ", len(v["matches"]), "findings:", ", ".join(sorted({m["value"]+" x"+str(m["occurrences"]) for m in v["matches"]})),
      "|", len(v.get("mentions", [])), "mentions:", ", ".join(sorted({m["value"] for m in v.get("mentions", [])})))'

[[ $BENCH_IOC_MIX_MIB == 0 ]] && exit 0
echo "## IOC scan in context: ${BENCH_IOC_MIX_MIB} MiB full-file-system-like folder (SQLite, plists, JSON, logs, binary)"
python3 "$REPO/benches/ioc_mix.py" "$W/ffs" "$BENCH_IOC_MIX_MIB" > "$W/positives.tsv"
echo "  $(find "$W/ffs" -type f | wc -l) files, $(du -sb "$W/ffs" | cut -f1) bytes; $(find "$W/ffs" -name '*.sqlite' -o -name '*.db' | wc -l) SQLite databases, $(find "$W/ffs" -name '*.plist' | wc -l) plists"
"$SCELLE" -C "$W/case" seal "$W/ffs" --key "$W/bench.key" >/dev/null
# The same folder as a tar (one pass: hashed, searched and read as data member by member).
tar -cf "$W/ffs.tar" -C "$W/ffs" .
"$SCELLE" -C "$W/case" seal "$W/ffs.tar" --key "$W/bench.key" >/dev/null
cat $(find "$W/ffs" -type f) "$W/ffs.tar" > /dev/null
g="" s="" gt="" st=""
for r in $(seq 1 "$BENCH_RUNS"); do
    gt+=" $(secs grep -a -F -c -f "$W/domains.txt" "$W/ffs.tar")"
    st+=" $(secs "$SCELLE" -C "$W/case" ioc scan --stix "$STIX" --key "$W/bench.key" --json E-0003)"
    g+=" $(secs grep -r -F -c -f "$W/domains.txt" "$W/ffs")"
    s+=" $(secs "$SCELLE" -C "$W/case" ioc scan --stix "$STIX" --key "$W/bench.key" --json E-0002)"
done
cp "$W/out.txt" "$W/scan.json"
echo "  raw seconds: folder: grep -r [$g ] scelle [$s ]; tar: grep -a [$gt ] scelle [$st ]"
G=$(best "$g"); S=$(best "$s"); GT=$(best "$gt"); ST=$(best "$st")
awk -v g="$G" -v s="$S" -v gt="$GT" -v st="$ST" 'BEGIN{
  printf "  folder: grep -r -F -c -f domains.txt %7.3f s; scelle ioc scan %7.3f s   grep/scelle = %.2f (goal > 1; one read per file, on every core: hashed, searched and read as data)\n", g, s, g/s;
  printf "  tar:    grep -a -F -c -f domains.txt %7.3f s; scelle ioc scan %7.3f s   grep/scelle = %.2f (goal > 1; one pass, SHA-256 of the tar and of each member)\n", gt, st, gt/st;
}'
python3 - "$W/scan.json" "$W/positives.tsv" <<'PY'
import json, sys
scan = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["scan"]
truth = {tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[2]) if l.strip()}
found = {(m["member"], m["value"]) for m in scan["matches"]}
tp = found & truth
fp = found - truth
print(f"  findings: {len(scan['matches'])} records, {len(found)} (member, indicator) pairs: "
      f"{len(tp)} of {len(truth)} planted positives found, {len(fp)} false positives")
for m, v in sorted(fp)[:10]:
    print(f"    false positive: {v} in {m}")
ments = scan.get("mentions", [])
omitted = sum(o["matches"] for e in scan["exhibits"] for o in e.get("omitted_mentions", []))
print(f"  mentions (low confidence, not findings): {len(ments)} records (+{omitted} omitted), "
      f"values: {', '.join(sorted({m['value'] for m in ments}))}")
print(f"  precision of findings: {len(tp)}/{len(found)}; before issue 19 every mention was a "
      f"MATCH: precision then {len(tp)}/{len(found) + len(ments) + omitted}")
PY
