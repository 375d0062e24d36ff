#!/bin/sh
# Randomisation benchmark: N confirmed NELMAS patients randomised by one `lutetia randomise
# --patients` batch, each allocation its own durable transaction (WAL, synchronous=FULL) with its
# two audit records; the rate and the latency percentiles of one allocation, beside the raw
# durable-commit rate of SQLite itself (one-row INSERTs, each its own transaction, same pragmas,
# same folder, same disk) measured in the same run. Writes its section of docs/BENCHMARKS.md.
# usage: sh bench/randomise.sh [BUILD] [N]   (defaults: build, 1000)
set -eu
BUILD=${1:-build}
N=${2:-1000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
LUTETIA="$BUILD/cli/lutetia"
[ -x "$LUTETIA" ] || { echo "bench/randomise.sh: no $LUTETIA (build first: make build)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench/randomise.sh: needs the sqlite3 tool"; exit 2; }
# on the disk the build lives on (not a tmpfs, where a durable commit costs nothing)
WORK="$BUILD/bench-randomise"
rm -rf "$WORK"
mkdir -p "$WORK"
export LUTETIA_DB="$WORK/trial.db" LUTETIA_USER=admin
ASOF=2026-11-01

"$LUTETIA" trial init --protocol "$HERE/protocols/nelmas.json" >/dev/null
"$LUTETIA" site add --code S1 --name "Site one" >/dev/null
"$LUTETIA" user add --name coord --role coordinator --site S1 --os-user "$(id -un)" >/dev/null
"$LUTETIA" user add --name inv --role investigator --site S1 --os-user "$(id -un)" >/dev/null
# N eligible patients spread over the four strata, copies of examples/nelmas-01
jq --argjson n "$N" '. as $x | [range(1; $n + 1) as $i | $x | .id = ("K" + ($i | tostring))
    | .diagnoses[0].primary_site = (if $i % 2 == 0 then "pancreas" else "small_intestine" end)
    | (if ($i / 2 | floor) % 2 == 0 then "R0" else "R1" end) as $m
    | .procedures[0].margin = $m | .procedures[0].text = $m]' \
    "$HERE/examples/nelmas-01-eligible.json" >"$WORK/patients.json"
echo "preparing $N patients (screen, consent, confirm)..."
"$LUTETIA" enrol --user coord --site S1 --as-of $ASOF "$WORK/patients.json" >/dev/null
jq -r '.[].id' "$WORK/patients.json" >"$WORK/ids"
while read -r id; do
    "$LUTETIA" consent --user coord --patient "$id" --form v2 --date $ASOF >/dev/null
    "$LUTETIA" confirm --user inv --patient "$id" --date $ASOF >/dev/null
done <"$WORK/ids"

echo "randomising..."
s=$(date +%s.%N)
"$LUTETIA" randomise --user coord --patients "$WORK/ids" >"$WORK/acks"
e=$(date +%s.%N)
[ "$(grep -c '^ack ' "$WORK/acks")" = "$N" ] || { echo "bench/randomise.sh: not every allocation was acknowledged"; exit 1; }
"$LUTETIA" randomise --replay --user admin >/dev/null || { echo "bench/randomise.sh: replay failed"; exit 1; }
"$LUTETIA" audit verify >/dev/null || { echo "bench/randomise.sh: audit verify failed"; exit 1; }
RATE=$(echo "$s $e $N" | awk '{printf "%.0f", $3 / ($2 - $1)}')
# per-allocation latency (microseconds, measured around lt_trial_randomise: read, allocate,
# write, durable commit), nearest-rank percentiles
awk '{print $5}' "$WORK/acks" | sort -n >"$WORK/lat"
pct() { awk -v p="$1" '{a[NR] = $1} END {k = int(p * NR + 0.999999); if (k < 1) k = 1; printf "%.2f", a[k] / 1000}' "$WORK/lat"; }
P50=$(pct 0.50)
P99=$(pct 0.99)
MAX=$(pct 1.0)

echo "raw SQLite commits..."
awk -v n="$N" 'BEGIN {
    print "PRAGMA journal_mode=WAL;"; print "PRAGMA synchronous=FULL;";
    print "CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT);";
    for (i = 0; i < n; i++) print "INSERT INTO t (v) VALUES (\x27x\x27);" }' >"$WORK/raw.sql"
s=$(date +%s.%N)
sqlite3 "$WORK/raw.db" <"$WORK/raw.sql" >/dev/null
e=$(date +%s.%N)
RAW=$(echo "$s $e $N" | awk '{printf "%.0f", $3 / ($2 - $1)}')

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
FS=$(df -T "$WORK" | awk 'NR == 2 {print $2}')
echo "randomisations: $RATE/s; latency p50 $P50 ms, p99 $P99 ms, max $MAX ms; raw SQLite durable commits: $RAW/s"

SECTION="$WORK/section.md"
cat >"$SECTION" <<EOF
<!-- randomise:begin -->
## Randomisation: durable allocations per second (\`bench/randomise.sh\`)

$N confirmed NELMAS patients in four strata, randomised by one \`lutetia randomise --patients\`
batch: each allocation is its own transaction (read the patient and the stratum's last
allocation, draw from the seed, write the allocation and the patient with their two audit
records, commit with WAL and \`synchronous=FULL\`). Beside it, the same disk's raw durable-commit
rate: one-row INSERTs by the \`sqlite3\` tool, each its own transaction, same pragmas, same folder.
Measured $(date -u +%Y-%m-%d) on $MACHINE, file system $FS.

| measure | value |
|---|---|
| randomisations per second (batch wall time) | $RATE |
| latency of one randomisation, median | $P50 ms |
| latency of one randomisation, p99 | $P99 ms |
| latency of one randomisation, max | $MAX ms |
| raw SQLite durable commits per second | $RAW |

Every allocation is then replayed from the seed and the audit chain verified (both must pass
for the figures to be written). The rate is bounded by the disk's fsync: each randomisation is
one durable commit, so it cannot exceed the raw commit rate.
<!-- randomise:end -->
EOF
DOC="$HERE/docs/BENCHMARKS.md"
if grep -q '<!-- randomise:begin -->' "$DOC"; then
    awk -v f="$SECTION" '
        /<!-- randomise:begin -->/ {while ((getline l < f) > 0) print l; skip = 1; next}
        /<!-- randomise:end -->/ {skip = 0; next}
        !skip' "$DOC" >"$WORK/doc" && cat "$WORK/doc" >"$DOC"
else
    { echo; cat "$SECTION"; } >>"$DOC"
fi
echo "wrote the randomisation section of docs/BENCHMARKS.md"
rm -rf "$WORK"
