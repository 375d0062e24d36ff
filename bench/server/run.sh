#!/bin/sh
# Server load benchmark (issue 11, section 7), not part of `make check`: at 32 connections,
#  - authenticated reads of a patient's calendar (GET .../schedule, Bearer token) by wrk, beside
#    nginx serving the same response bytes as a static file in the same run (the HTTP ceiling);
#  - writes (POST .../labs, one durable transaction each) by wrk, beside SQLite's raw durable
#    commit rate on the same disk (one-row INSERTs, each its own transaction, WAL and
#    synchronous=FULL as the store uses: the storage ceiling);
# then checks that every acknowledged write is stored and the audit chain verifies, and writes
# its section of docs/BENCHMARKS.md.
# usage: sh bench/server/run.sh [BUILD] [SECONDS]   (defaults: build, 20)
set -eu
BUILD=${1:-build}
DUR=${2:-20}
CONNS=32
HERE=$(cd "$(dirname "$0")/../.." && pwd)
LUTETIA="$(cd "$BUILD" && pwd)/cli/lutetia"
[ -x "$LUTETIA" ] || { echo "bench/server/run.sh: no $LUTETIA (build first)"; exit 2; }
for t in wrk nginx sqlite3 jq curl; do
    command -v $t >/dev/null || { echo "bench/server/run.sh: needs $t (make bench-deps)"; exit 2; }
done
WORK="$(cd "$BUILD" && pwd)/bench-server"
. "$HERE/bench/server/setup.sh"
trap 'stop_server; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; true' EXIT INT TERM

start_server
CAL=/api/v1/patients/K1/schedule
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE$CAL" >"$WORK/calendar.json"
[ -s "$WORK/calendar.json" ] || { echo "no calendar"; exit 1; }

# nginx: the same bytes at the same path, 2 workers (one per core), access log off as a
# proxy in front would keep its own
mkdir -p "$WORK/nginx/www/api/v1/patients/K1" "$WORK/nginx/logs"
cp "$WORK/calendar.json" "$WORK/nginx/www/api/v1/patients/K1/schedule"
# a port of its own: tried from a pseudo-random start until one is free (another program may
# hold the first)
NPORT=$((20000 + $$ % 20000))
tries=0
while :; do
    cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NPORT;
        root $WORK/nginx/www;
        add_header Cache-Control no-store;
    }
}
NGINX
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/start.err" && break
    tries=$((tries + 1))
    [ $tries -lt 20 ] || { cat "$WORK/nginx/start.err"; exit 1; }
    NPORT=$((20000 + (NPORT + 7919) % 20000))
done
until curl -sf "http://127.0.0.1:$NPORT$CAL" >/dev/null; do sleep 0.02; done
curl -sf "http://127.0.0.1:$NPORT$CAL" | cmp -s - "$WORK/calendar.json" || { echo "nginx serves other bytes"; exit 1; }

# CPU time (user + system, clock ticks) used so far by the server processes SERVING names (the
# server, or nginx's master and workers): the machine is shared, so requests/s move with the
# load; the CPU time a request costs moves much less
cpu_ticks() {
    for p in $SERVING; do cat /proc/"$p"/stat 2>/dev/null; done | awk '{t += $14 + $15} END {print t + 0}'
}
TICKS=$(getconf CLK_TCK)
bench() { # bench NAME URL [METHOD]: wrk at $CONNS connections; the RESULT line into $WORK/NAME
    c0=$(cpu_ticks)
    LT_METHOD=${3:-GET} LT_THREADS=2 wrk -t2 -c$CONNS -d${DUR}s --latency -s "$HERE/bench/server/wrk.lua" "$2" \
        >"$WORK/res.$1.wrk" 2>&1
    c1=$(cpu_ticks)
    grep '^RESULT' "$WORK/res.$1.wrk" >"$WORK/res.$1" || { cat "$WORK/res.$1.wrk"; exit 1; }
    # per request answered or not (wrk's count of all requests is ok + other)
    n=$(sed -n 's/.* ok=\([0-9]*\) other=\([0-9]*\).*/\1 \2/p' "$WORK/res.$1" | awk '{print $1 + $2}')
    cpu=$(echo "$c0 $c1 $n $TICKS" | awk '{printf "%.3f", $3 ? ($2 - $1) * 1000 / $4 / $3 : 0}')
    echo "$(cat "$WORK/res.$1") cpu_ms=$cpu" >"$WORK/res.$1.cpu" && mv "$WORK/res.$1.cpu" "$WORK/res.$1"
    echo "$1: $(cat "$WORK/res.$1")"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$WORK/res.$1"; }
# the raw durable commit rate, measured right before and right after the writes (the disk's
# rate moves with the machine's other work; the writes are compared with the two's mean)
raw_rate() {
    N=3000
    rm -f "$WORK/raw.db" "$WORK/raw.db-wal" "$WORK/raw.db-shm"
    awk -v n="$N" 'BEGIN {
        print "PRAGMA journal_mode=WAL;"; print "PRAGMA synchronous=FULL;";
        print "CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT);";
        for (i = 0; i < n; i++) print "INSERT INTO t (v) VALUES (\x27x\x27);" }' >"$WORK/raw.sql"
    s=$(date +%s.%N)
    sqlite3 "$WORK/raw.db" <"$WORK/raw.sql" >/dev/null
    e=$(date +%s.%N)
    echo "$s $e $N" | awk '{printf "%.0f", $3 / ($2 - $1)}'
}


SERVING="$(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')"
bench nginx "http://127.0.0.1:$NPORT$CAL"
kill "$(cat "$WORK/nginx.pid")"
SERVING=$PID
bench reads "$BASE$CAL"
BEFORE=$(stored_labs)
RAW1=$(raw_rate)
bench writes "$BASE/api/v1/patients/K1/labs" POST
# how many writes each flush of the WAL served (docs/store.md, "Durability")
curl -sf "$BASE/metrics" >"$WORK/metrics"
COMMITS=$(sed -n 's/^lutetia_store_commits_total //p' "$WORK/metrics")
FLUSHES=$(sed -n 's/^lutetia_store_flushes_total //p' "$WORK/metrics")
stop_server
AFTER=$(stored_labs)
ACKED=$(field writes ok)
# wrk may close a connection whose write was committed but not yet answered: stored may exceed
# acknowledged by at most the connections, never fall below it
[ $((AFTER - BEFORE)) -ge "$ACKED" ] || { echo "LOST WRITES: $ACKED acknowledged, $((AFTER - BEFORE)) stored"; exit 1; }
[ $((AFTER - BEFORE)) -le $((ACKED + CONNS)) ] || { echo "more stored than sent"; exit 1; }
"$LUTETIA" audit verify >/dev/null || { echo "audit verify failed"; exit 1; }
echo "writes: $ACKED acknowledged, $((AFTER - BEFORE)) stored; audit verifies"


RAW2=$(raw_rate)
RAW=$(( (RAW1 + RAW2) / 2 ))
echo "raw SQLite durable commits: $RAW1/s before the writes, $RAW2/s after, mean $RAW/s"

NG=$(field nginx rps) RD=$(field reads rps) WR=$(field writes rps)
pct() { echo "$1 $2" | awk '{printf "%.0f", 100 * $1 / $2}'; }
MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
FS=$(df -T "$WORK" | awk 'NR == 2 {print $2}')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
verdict() { if [ "$1" = 1 ]; then echo met; else echo "**missed**"; fi; }
R_OK=$(echo "$RD $NG" | awk '{print ($1 >= 0.3 * $2)}')
P_OK=$(echo "$(field reads p99_ms) $(field writes p99_ms)" | awk '{print ($1 < 50 && $2 < 50)}')
W_OK=$(echo "$WR $RAW" | awk '{print ($1 >= 0.8 * $2)}')
E_OK=$(( $(field reads other) + $(field reads socket_errors) + $(field writes other) + $(field writes socket_errors) == 0 ))

SECTION="$WORK/section.md"
cat >"$SECTION" <<MD
<!-- server:begin -->
## Server: reads and writes over HTTP at $CONNS connections (\`bench/server/run.sh\`)

\`lutetia serve\` (default 12 threads, plain HTTP on loopback, access log to a file) driven by
\`wrk -t2 -c$CONNS -d${DUR}s\` with \`bench/server/wrk.lua\` (every request carries an API token:
\`Authorization: Bearer\`); the writes go to $NPAT randomised patients in turn, each a new lab.
Beside it in the same run: nginx (2 workers, access log off) serving
the same calendar bytes as a static file, the HTTP ceiling of this machine; and SQLite's raw
durable commit rate on the same disk (one-row INSERTs by the \`sqlite3\` tool, each its own
transaction, WAL and \`synchronous=FULL\` as the store), the storage ceiling.
Measured $(date -u +%Y-%m-%d) on $MACHINE, file system $FS; wrk and the servers share the
cores (load average $LOAD at the end of the run: other work on the machine).
The last column is the server's own CPU time (user and system, from /proc) over the run divided
by the requests wrk completed: steadier than requests/s on a shared machine.

| run | requests/s | p50 ms | p99 ms | max ms | answered 200 | other answers | socket errors | server CPU ms per request |
|---|---|---|---|---|---|---|---|---|
| nginx, static calendar | $NG | $(field nginx p50_ms) | $(field nginx p99_ms) | $(field nginx max_ms) | $(field nginx ok) | $(field nginx other) | $(field nginx socket_errors) | $(field nginx cpu_ms) |
| lutetia, \`GET /api/v1/patients/K1/schedule\` | $RD | $(field reads p50_ms) | $(field reads p99_ms) | $(field reads max_ms) | $(field reads ok) | $(field reads other) | $(field reads socket_errors) | $(field reads cpu_ms) |
| lutetia, \`POST /api/v1/patients/{K1..K$NPAT}/labs\` | $WR | $(field writes p50_ms) | $(field writes p99_ms) | $(field writes max_ms) | $(field writes ok) | $(field writes other) | $(field writes socket_errors) | $(field writes cpu_ms) |
| SQLite raw durable commits (sqlite3, one connection; before and after the writes, mean) | $RAW ($RAW1, $RAW2) | | | | | | | |

| goal (issue 11) | figure | |
|---|---|---|
| calendar reads >= 30% of nginx | $(pct "$RD" "$NG")% | $(verdict "$R_OK") |
| p99 < 50 ms at $CONNS connections | reads $(field reads p99_ms) ms, writes $(field writes p99_ms) ms | $(verdict "$P_OK") |
| writes >= 80% of the raw durable commit rate | $(pct "$WR" "$RAW")% | $(verdict "$W_OK") |
| 0 errors | $(( $(field reads other) + $(field reads socket_errors) + $(field writes other) + $(field writes socket_errors) )) | $(verdict "$E_OK") |

The writes' commits did not wait for the disk under the server's write lock; each request
waited after it for a flush of the WAL shared with the others (docs/store.md, "Durability"):
$COMMITS commits were made durable by $FLUSHES flushes, $(echo "$COMMITS $FLUSHES" | awk '{printf "%.1f", $2 ? $1 / $2 : 0}') commits per flush.

After the writes: $ACKED acknowledged, $((AFTER - BEFORE)) stored (every acknowledged one is
found; wrk may drop a connection whose write committed before its answer), and \`audit verify\`
passes; the figures are written only then.
<!-- server:end -->
MD
DOC="$HERE/docs/BENCHMARKS.md"
if grep -q '<!-- server:begin -->' "$DOC"; then
    awk -v f="$SECTION" '
        /<!-- server:begin -->/ {while ((getline l < f) > 0) print l; skip = 1; next}
        /<!-- server:end -->/ {skip = 0; next}
        !skip' "$DOC" >"$WORK/doc" && cat "$WORK/doc" >"$DOC"
else
    { echo; cat "$SECTION"; } >>"$DOC"
fi
echo "wrote the server section of docs/BENCHMARKS.md"
