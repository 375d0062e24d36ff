#!/bin/sh
# The store under load: randomisations/s and lab records/s at 1, 8 and 32 concurrent clients on
# PostgreSQL (a throwaway cluster, fsync on), beside pgbench's simple-update (-N) at the same
# client counts on the same cluster in the same run, and beside the SQLite store. Each client is
# a thread acting as a server's request thread (bench/store/bench_store.c: open the trial as the
# user, run the operation, close; connections pooled as in `lutetia serve`). After each run the
# replay of every allocation from the seed and the audit chain are verified; the figures are
# written only when both pass. Writes its section of docs/BENCHMARKS.md. Not part of make check.
# usage: sh bench/store/run.sh [BUILD] [N]   (defaults: build, 400 patients per run)
# REPORT_ONLY=1 writes the section again from the last run's figures (after editing notes.md).
set -eu
BUILD=${1:-build}
N=${2:-400}
CLIENTS=${CLIENTS:-1 8 32}
SECONDS_PGBENCH=${SECONDS_PGBENCH:-10}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
L="$BUILD/cli/lutetia"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGBIN
WORK=$(cd "$BUILD" && pwd)/bench-store
ROWS="$WORK/rows"
if [ -z "${REPORT_ONLY:-}" ]; then
ninja -C "$BUILD" bench/store/bench_store >/dev/null
B="$BUILD/bench/store/bench_store"
[ -x "$L" ] && [ -x "$B" ] || { echo "bench/store/run.sh: build first (make build)"; exit 2; }
command -v pgbench >/dev/null || { echo "bench/store/run.sh: needs pgbench (postgresql-client)"; exit 2; }
# on the disk the build lives on (not a tmpfs, where a durable commit costs nothing)
rm -rf "$WORK"
mkdir -p "$WORK"
chmod 755 "$WORK"
PGDIR="$WORK/pg"
trap 'sh "$HERE/tests/store/pg-cluster.sh" stop "$PGDIR"' EXIT
BASE=$(LT_PG_FSYNC=on LT_PG_MAX_CONNECTIONS=100 sh "$HERE/tests/store/pg-cluster.sh" start "$PGDIR")
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
url() { printf '%s\n' "$BASE" | sed "s|/postgres?|/$1?|"; }
export LUTETIA_USER=admin

# pgbench's tables at scale 32 (one branch per client at 32: -N updates no branch anyway)
psql_q -d "$BASE" -c "CREATE DATABASE pgbench" >/dev/null
pgbench -i -q -s 32 "$(url pgbench)" >"$WORK/pgbench-init.log" 2>&1

# a trial with N enrolled patients P1..PN at S1, consented and confirmed (not timed)
prepare() { # DB KEY CLIENTS
    "$L" trial init --db "$1" --key-file "$2" --protocol "$HERE/protocols/nelmas.json" >/dev/null
    "$L" site add --db "$1" --code S1 --name "Site one" >/dev/null
    "$L" user add --db "$1" --name coord --role coordinator --site S1 --os-user "$(id -un)" >/dev/null
    "$L" user add --db "$1" --name inv --role investigator --site S1 --os-user "$(id -un)" >/dev/null
    jq --argjson n "$N" '. as $x | [range(1; $n + 1) as $i | $x | .id = ("P" + ($i | tostring))
        | .diagnoses[0].primary_site = (if $i % 2 == 0 then "pancreas" else "small_intestine" end)
        | (if ($i / 2 | floor) % 2 == 0 then "R0" else "R1" end) as $m
        | .procedures[0].margin = $m | .procedures[0].text = $m]' \
        "$HERE/examples/nelmas-01-eligible.json" >"$WORK/patients.json"
    "$L" enrol --db "$1" --user coord --site S1 --as-of 2026-11-01 "$WORK/patients.json" >/dev/null
    "$B" "$1" "$2" prepare "$N" "$3" >/dev/null
}
# the figures of one store at one client count: "RANDOMISATIONS_PER_S LABS_PER_S"
measure() { # DB KEY CLIENTS
    prepare "$1" "$2" "$3"
    r=$("$B" "$1" "$2" randomise "$N" "$3" | awk '{print $5}')
    l=$("$B" "$1" "$2" labs "$N" "$3" | awk '{print $5}')
    "$L" randomise --db "$1" --key-file "$2" --replay --user admin >/dev/null
    "$L" audit verify --db "$1" --key-file "$2" >/dev/null
    echo "$r $l"
}

: >"$ROWS"
for c in $CLIENTS; do
    echo "== $c clients" >&2
    tps=$(pgbench -N -n -c "$c" -j "$c" -T "$SECONDS_PGBENCH" "$(url pgbench)" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\).*without initial.*/\1/p')
    psql_q -d "$BASE" -c "CREATE DATABASE lt_bench_$c" >/dev/null
    pg=$(measure "$(url "lt_bench_$c")" "$WORK/pg$c.key" "$c")
    sq=$(measure "$WORK/trial$c.db" "$WORK/trial$c.db.key" "$c")
    echo "$c $tps $pg $sq" | tee -a "$ROWS" >&2
done

psql_q -d "$BASE" -c "SHOW server_version" | cut -d' ' -f1 >"$WORK/pgv"
uptime | sed 's/.*load average: //' >"$WORK/load"
date -u +%Y-%m-%d >"$WORK/date"
fi
[ -s "$ROWS" ] || { echo "bench/store/run.sh: no figures in $ROWS: run it without REPORT_ONLY"; exit 2; }
PGV=$(cat "$WORK/pgv")
FS=$(df -T "$WORK" | awk 'NR == 2 {print $2}')
SECTION="$WORK/section.md"
{
    cat <<EOF
<!-- store:begin -->
## The store under load: PostgreSQL beside pgbench and SQLite (\`bench/store/run.sh\`)

$N confirmed NELMAS patients per run, randomised and then given one lab each by C concurrent
clients: each client is a thread doing what a \`lutetia serve\` request thread does (open the
trial as the user, run the operation of the operations table, close), PostgreSQL connections
pooled. Every write is one transaction with its audit records; on PostgreSQL a patient's step
locks its patient, randomisation the trial's allocation sequence, and the one audit chain is
held only for the step's commit (docs/store.md, "Patients' steps side by side"); SQLite runs
one writer at a time. Beside it, in the same run on the same cluster,
\`pgbench -N\` (simple-update: three statements and an insert per transaction) with the same
client counts for ${SECONDS_PGBENCH}s; and the same load on the SQLite store (WAL,
\`synchronous=FULL\`). Cluster: PostgreSQL $PGV from Debian, fsync on, on the build's disk ($FS).
After each run every allocation is replayed from the seed and the audit chain verified.
Measured $(cat "$WORK/date") on $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1),
shared with other work (load average at the end: $(cat "$WORK/load")).

| clients | pgbench -N TPS | PG randomisations/s | % of pgbench | PG labs/s | % of pgbench | SQLite randomisations/s | SQLite labs/s |
|---|---|---|---|---|---|---|---|
EOF
    awk '{ printf "| %s | %.0f | %.0f | %.0f%% | %.0f | %.0f%% | %.0f | %.0f |\n", $1, $2, $3, 100 * $3 / $2, $4, 100 * $4 / $2, $5, $6 }' "$ROWS"
    cat <<'EOF'

Command: `sh bench/store/run.sh build 400` (after `make build`; needs Debian's postgresql and
postgresql-client). CLIENTS="1 8 32" and SECONDS_PGBENCH=10 are its defaults.
EOF
    if [ -f "$HERE/bench/store/notes.md" ]; then echo; cat "$HERE/bench/store/notes.md"; fi
    echo "<!-- store:end -->"
} >"$SECTION"
DOC="$HERE/docs/BENCHMARKS.md"
if grep -q '<!-- store:begin -->' "$DOC"; then
    awk -v f="$SECTION" '
        /<!-- store:begin -->/ {while ((getline l < f) > 0) print l; skip = 1; next}
        /<!-- store:end -->/ {skip = 0; next}
        !skip' "$DOC" >"$WORK/doc" && cat "$WORK/doc" >"$DOC"
else
    { echo; cat "$SECTION"; } >>"$DOC"
fi
cat "$ROWS"
echo "wrote the store section of docs/BENCHMARKS.md"
