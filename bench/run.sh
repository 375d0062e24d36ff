#!/bin/sh
# Runs every benchmark in turn against the build folder given (default build), each beside its
# peer tool in the same run, and lets each script update its own section of docs/BENCHMARKS.md.
# Run on a quiet machine: the figures are wall-clock times.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
status=0
for b in screen stats simulate randomise export; do
    echo "== bench/$b.sh"
    case $b in simulate) extra=100000;; *) extra=;; esac
    sh "bench/$b.sh" "$build" $extra || { echo "bench/$b.sh failed" >&2; status=1; }
done
exit $status
