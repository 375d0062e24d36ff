#!/bin/sh
# Screening benchmark: the 94 Synthea FHIR bundles (99 MB) read and screened against all three
# protocols by `lutetia screen --summary`, beside a bare JSON parse of the same files by node
# (JSON.parse) and by jq, in the same run on the same machine. Goal: lutetia <= 0.35 s wall.
# usage: sh bench/screen.sh [BUILD] [DATA]   (defaults: build, ../shared/data/synthea-r4)
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")/.." && pwd)
DATA=${2:-$HERE/../shared/data/synthea-r4}
LUTETIA="$BUILD/cli/lutetia"
[ -x "$LUTETIA" ] || { echo "bench/screen.sh: no $LUTETIA (build first: make build)"; exit 2; }
[ -d "$DATA" ] || { echo "bench/screen.sh: no folder $DATA"; exit 2; }
P="$HERE/protocols"
set -- "$DATA"/*.json
[ "$#" = 94 ] || echo "note: $# bundles in $DATA (the figures in docs/BENCHMARKS.md are for 94)"
SCREEN="$LUTETIA screen --protocol $P/nelmas.json --protocol $P/nct04544098.json \
--protocol $P/net-retreat.json --as-of 2026-11-01 --summary $DATA"
# node and jq read the same files: the glob below is expanded by the shell that runs them
NODE='const fs = require("fs"); for (const f of process.argv.slice(1)) JSON.parse(fs.readFileSync(f, "utf8"));'

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "data: $# files, $(du -sm "$DATA" | cut -f1) MB"
# The screen must succeed before it is timed: a fast failure is no result.
$SCREEN >/dev/null || { echo "bench/screen.sh: lutetia screen failed"; exit 1; }
case "$DATA" in *[[:space:]]*) echo "bench/screen.sh: the data path must not hold spaces"; exit 2;; esac
if command -v hyperfine >/dev/null 2>&1; then
    # each command runs through hyperfine's shell (its start-up time is subtracted), which
    # expands the same glob for node and jq
    set -- -n "lutetia screen x3" "$SCREEN"
    command -v node >/dev/null 2>&1 && set -- "$@" -n "node JSON.parse" "node -e '$NODE' $DATA/*.json"
    set -- "$@" -n "jq -c ." "jq -c . $DATA/*.json >/dev/null"
    hyperfine --warmup 2 --runs 10 --style basic "$@"
else
    # no hyperfine: best of 5 wall-clock runs
    best() {
        b=999
        for i in 1 2 3 4 5; do
            s=$(date +%s.%N); sh -c "$1" >/dev/null; e=$(date +%s.%N)
            b=$(echo "$s $e $b" | awk '{t = $2 - $1; print (t < $3) ? t : $3}')
        done
        printf "%.3f s" "$b"
    }
    echo "lutetia screen x3:  $(best "$SCREEN")"
    command -v node >/dev/null 2>&1 && echo "node JSON.parse:    $(best "node -e '$NODE' $DATA/*.json")"
    echo "jq -c .:            $(best "jq -c . $DATA/*.json")"
fi
