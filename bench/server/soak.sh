#!/bin/sh
# Soak (issue 11, section 7): SECONDS (300) of mixed load on `lutetia serve` (wrk reading a
# patient's calendar at 16 connections, two curl loops recording labs one after another), with a
# kill -9 of the server halfway and a restart on the same port. Each acknowledged write (HTTP 200)
# is logged with the record id of its answer; at the end every one of them must be in the store
# and the audit chain must verify. Prints the figures for docs/BENCHMARKS.md.
# usage: sh bench/server/soak.sh [BUILD] [SECONDS]
set -eu
BUILD=${1:-build}
DUR=${2:-300}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
LUTETIA="$(cd "$BUILD" && pwd)/cli/lutetia"
[ -x "$LUTETIA" ] || { echo "bench/server/soak.sh: no $LUTETIA (build first)"; exit 2; }
for t in wrk sqlite3 jq curl; do
    command -v $t >/dev/null || { echo "bench/server/soak.sh: needs $t (make bench-deps)"; exit 2; }
done
WORK="$(cd "$BUILD" && pwd)/bench-soak"
. "$HERE/bench/server/setup.sh"
LOOPS=
trap 'stop_server; for p in $LOOPS; do kill $p 2>/dev/null; done; true' EXIT INT TERM
start_server
FIXED=$PORT
END=$(($(date +%s) + DUR))

# writer N ANALYTE VALUE: records labs of its own analyte, one day after another from 1990, until
# END; each 200 is logged by the lab's record id (K1/DAY/ANALYTE) in acked.N, each failure
# (refused connection while the server is down, 5xx) in failed.N
writer() {
    : >"$WORK/acked.$1"
    : >"$WORK/failed.$1"
    k=0
    while [ "$(date +%s)" -lt "$END" ]; do
        day=$(date -u -d "1990-01-01 + $k days" +%Y-%m-%d)
        k=$((k + 1))
        code=$(curl -s -o "$WORK/w.$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data-binary "{\"date\":\"$day\",\"analyte\":\"$2\",\"value\":$3}" \
            "http://127.0.0.1:$FIXED/api/v1/patients/K1/labs" || true)
        if [ "$code" = 200 ]; then echo "K1/$day/$2" >>"$WORK/acked.$1"; else echo "$day $code" >>"$WORK/failed.$1"; fi
    done
}
writer 1 neutrophils 3.1 & LOOPS="$LOOPS $!"
writer 2 hemoglobin 12.5 & LOOPS="$LOOPS $!"
LT_METHOD=GET wrk -t1 -c16 -d${DUR}s -s "$HERE/bench/server/wrk.lua" "http://127.0.0.1:$FIXED/api/v1/patients/K1/schedule" \
    >"$WORK/reads.wrk" 2>&1 & LOOPS="$LOOPS $!"

sleep $((DUR / 2))
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
KILLED_AT=$(date -u +%H:%M:%S)
PID=
# the same port, so that the clients carry on: a restart is what systemd's Restart= does
start_server "$FIXED"
echo "killed -9 at $KILLED_AT and restarted"
for p in $LOOPS; do wait "$p" || true; done
LOOPS=
stop_server

cat "$WORK/acked.1" "$WORK/acked.2" | sort >"$WORK/acked"
"$LUTETIA" list labs --user coord --patient K1 --json | jq -r '.rows[].id' | sort >"$WORK/stored"
ACKED=$(wc -l <"$WORK/acked")
STORED=$(wc -l <"$WORK/stored")
LOST=$(comm -23 "$WORK/acked" "$WORK/stored" | wc -l)
FAILED=$(cat "$WORK/failed.1" "$WORK/failed.2" | wc -l)
"$LUTETIA" audit verify >/dev/null && AUDIT=verifies || AUDIT=FAILS
grep '^RESULT' "$WORK/reads.wrk" || true
echo "soak ${DUR}s: writes acknowledged $ACKED, stored $STORED, acknowledged but lost $LOST;" \
     "writes refused or failed (server down) $FAILED; audit chain $AUDIT"
[ "$LOST" = 0 ] && [ "$AUDIT" = verifies ]
