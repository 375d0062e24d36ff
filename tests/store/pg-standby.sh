#!/bin/sh
# `lutetia serve --db-read` on a real streaming-replication standby (run by pg-run.sh, which
# gives a throwaway primary in LUTETIA_TEST_DB): the test makes the standby from the primary
# with pg_basebackup -R (pg-cluster.sh standby, a second data directory and socket). With the
# standby's replay paused, a randomisation through the server is stored on the primary (the
# standby refuses every write) while a read through the same server still shows the patient
# as before it: the read was served by the standby. Once replay resumes and catches up, the
# read shows the allocation the write acknowledged.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
base="$LUTETIA_TEST_DB"
here="$SRC/tests/store"
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
primary_dir=$(printf '%s\n' "$base" | sed -n 's/.*[?&]host=\([^&]*\).*/\1/p')
standby_dir=$(mktemp -u /tmp/lt-pgs-XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && { kill -TERM "$PID" 2>/dev/null; wait "$PID"; }
    sh "$here/pg-cluster.sh" stop "$standby_dir"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q -d "$base" -c "DROP DATABASE IF EXISTS lt_rep" -c "CREATE DATABASE lt_rep" >/dev/null ||
    { bad "creating the database"; finish; exit 1; }
PG=$(printf '%s\n' "$base" | sed "s|/postgres?|/lt_rep?|")
export LUTETIA_DB="$PG" LUTETIA_KEY_FILE="$TMP/pg.key"
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/a.json" A 2
ready "$TMP/a.json" S1 coord1 inv1 || bad "ready"
"$L" token create --user coord1 | tail -n 1 >"$TMP/tok" || bad "token"
printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TMP/tok")" >"$TMP/curl"

SBASE=$(sh "$here/pg-cluster.sh" standby "$standby_dir" "$primary_dir") ||
    { bad "starting the standby"; finish; exit 1; }
STANDBY=$(printf '%s\n' "$SBASE" | sed "s|/postgres?|/lt_rep?|")
[ "$(psql_q -d "$SBASE" -c 'SELECT pg_is_in_recovery()')" = t ] && ok || bad "not a standby"

# caught_up: the standby has replayed everything the primary has written (bounded polling)
caught_up() {
    i=0
    while [ $i -lt 500 ]; do
        lsn=$(psql_q -d "$base" -c 'SELECT pg_current_wal_lsn()')
        [ "$(psql_q -d "$SBASE" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
        i=$((i + 1))
        sleep 0.02
    done
    return 1
}
caught_up && ok || bad "the standby did not catch up"
# a write on the standby is refused by it, whatever asks
expect_exit 3 -- "$L" site add --db "$STANDBY" --code S3 --name "Site three"
expect_err "read-only"

# the server: changes to the primary, reads to the standby
rm -f "$TMP/srv.out"
"$L" serve --db "$PG" --db-read "$STANDBY" --listen 127.0.0.1:0 --allow-known-seed \
    >"$TMP/srv.out" 2>"$TMP/srv.log" &
PID=$!
i=0
while ! grep -q '^listening on' "$TMP/srv.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 500 ] && kill -0 "$PID" 2>/dev/null || { bad "server: $(cat "$TMP/srv.log")"; finish; exit 1; }
    sleep 0.02
done
BASE=$(sed -n 's/^listening on //p' "$TMP/srv.out")
get() { curl -s -o "$TMP/out" -w '%{http_code}' -K "$TMP/curl" "$BASE$1"; }
post() {
    curl -s -o "$TMP/out" -w '%{http_code}' -K "$TMP/curl" -X POST \
        -H 'Content-Type: application/json' --data-binary "$2" "$BASE$1"
}
[ "$(get /api/v1/patients/A1)" = 200 ] && ok || bad "a read: $(cat "$TMP/out")"
before=$(jq -c '.allocation' "$TMP/out")
[ "$before" = null ] && ok || bad "A1 allocated before the test: $before"

psql_q -d "$SBASE" -c 'SELECT pg_wal_replay_pause()' >/dev/null || bad "pausing replay"
i=0
until [ "$(psql_q -d "$SBASE" -c 'SELECT pg_get_wal_replay_pause_state()')" = paused ] ||
    [ $i -ge 500 ]; do i=$((i + 1)); sleep 0.02; done
[ "$(post /api/v1/patients/A1/randomise '{"date":"2026-11-02"}')" = 200 ] && ok ||
    bad "the write did not go to the primary: $(cat "$TMP/out")"
arm=$(jq -r '.arm' "$TMP/out")
# the primary has it; the read through the server, served by the paused standby, does not
"$L" patient show A1 --user coord1 --json >"$TMP/primary.json" 2>&1 || bad "patient show"
[ "$(jq -r '.allocation.arm' "$TMP/primary.json")" = "$arm" ] && ok ||
    bad "the primary lacks the allocation: $(cat "$TMP/primary.json")"
[ "$(get /api/v1/patients/A1)" = 200 ] && ok || bad "a read during the pause"
[ "$(jq -c '.allocation' "$TMP/out")" = null ] && ok ||
    bad "the read was not served by the standby: $(head -c 300 "$TMP/out")"
[ "$(get /api/v1/patients)" = 200 ] && ok || bad "a listing during the pause"

psql_q -d "$SBASE" -c 'SELECT pg_wal_replay_resume()' >/dev/null || bad "resuming replay"
caught_up && ok || bad "the standby did not catch up after the pause"
[ "$(get /api/v1/patients/A1)" = 200 ] && ok || bad "a read after the pause"
[ "$(jq -r '.allocation.arm' "$TMP/out")" = "$arm" ] && ok ||
    bad "the standby does not show the acknowledged allocation: $(cat "$TMP/out")"
[ "$(get /api/v1/audit/verify)" != 500 ] && ok || bad "verify on the standby: $(cat "$TMP/out")"
kill -TERM "$PID"
wait "$PID" && ok || bad "the server did not stop cleanly"
PID=
# a --db-read that is not a trial stops the server before it listens
expect_exit 5 -- "$L" serve --db "$PG" --db-read "$SBASE" --listen 127.0.0.1:0 --allow-known-seed
expect_err "no trial in this database"
finish
