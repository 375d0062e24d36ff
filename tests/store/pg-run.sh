#!/bin/sh
# Runs one test program against a throwaway PostgreSQL cluster (pg-cluster.sh): starts it,
# passes its maintenance database's URL in LUTETIA_TEST_DB, and stops and removes it at the
# end, also when the test fails or is interrupted. Without PostgreSQL installed the test is
# reported as skipped in the closing line, never as passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGBIN
dir=$(mktemp -d /tmp/lt-pg-XXXXXX)
trap 'sh "$here/pg-cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM
url=$(sh "$here/pg-cluster.sh" start "$dir")
rc=$?
if [ "$rc" = 77 ]; then
    echo "PostgreSQL is not installed ($PGBIN/initdb): the PostgreSQL store tests did not run"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if [ "$rc" != 0 ]; then
    echo "could not start the test cluster"
    echo "0 passed, 1 failed"
    exit 1
fi
export LUTETIA_TEST_DB="$url"
PATH="$PGBIN:$PATH" "$@"
