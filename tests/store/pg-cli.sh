#!/bin/sh
# The command line on PostgreSQL (run by pg-run.sh, which gives a throwaway cluster in
# LUTETIA_TEST_DB): a trial created and conducted there; twelve patients randomised by twelve
# processes at once (every allocation number once, none skipped, the replay agrees, the chain
# verifies); an edit by the owner behind the triggers found by `audit verify`; and `lutetia
# migrate` moving a trial made on an SQLite file into PostgreSQL, both verifying with one head.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
base="$LUTETIA_TEST_DB"
# url NAME: the URL of database NAME on the test cluster (a new, empty one)
url() {
    PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -d "$base" \
        -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null &&
    printf '%s\n' "$base" | sed "s|/postgres?|/$1?|"
}
PG=$(url lt_cli) || { bad "creating the database"; finish; exit 1; }

# a trial in PostgreSQL needs its key file named
export LUTETIA_DB="$PG"
unset LUTETIA_KEY_FILE
expect_exit 2 -- "$L" trial init --protocol "$NELMAS" --user admin
expect_err "key file named"
export LUTETIA_KEY_FILE="$TMP/pg.key"
setup_trial "$TEST_SEED" && ok || bad "setup_trial on PostgreSQL"
expect_exit 8 -- "$L" trial init --protocol "$NELMAS" --user admin --key-file "$TMP/other.key"
expect_err "already exists"

# three `trial init` at once on one new database, three times: exactly one trial is made
for round in 1 2 3; do
    DB3=$(url "lt_init$round")
    pids=""
    for k in 1 2 3; do
        "$L" trial init --db "$DB3" --protocol "$NELMAS" --user admin \
            --key-file "$TMP/init$round.$k.key" >"$TMP/init.$k" 2>&1 &
        pids="$pids $!"
    done
    made=0
    for p in $pids; do wait "$p" && made=$((made + 1)); done
    keys=$(ls "$TMP"/init"$round".*.key 2>/dev/null | wc -l)
    [ "$made" = 1 ] && [ "$keys" = 1 ] && ok ||
        bad "round $round: $made inits succeeded, $keys key files: $(cat "$TMP"/init.*)"
    expect_exit 0 -- "$L" audit verify --db "$DB3" --key-file "$(ls "$TMP"/init"$round".*.key)" --json
    expect_jq '.verified and .seed_checked'
done

# twelve patients, one stratum, randomised by twelve processes at once
make_patients "$TMP/p.json" R 12 small_intestine R0
ready "$TMP/p.json" S1 coord1 inv1 && ok || bad "ready"
pids=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    "$L" randomise --user coord1 --patient "R$i" >"$TMP/alloc.$i" 2>&1 &
    pids="$pids $!"
done
failed_procs=0
for p in $pids; do wait "$p" || failed_procs=$((failed_procs + 1)); done
[ "$failed_procs" = 0 ] && ok || bad "$failed_procs randomisations failed: $(cat "$TMP"/alloc.*)"
numbers=$(cat "$TMP"/alloc.* | grep -o 'allocation [0-9]*' | awk '{print $2}' | sort -n | tr '\n' ' ')
[ "$numbers" = "1 2 3 4 5 6 7 8 9 10 11 12 " ] && ok || bad "allocation numbers: $numbers"
expect_exit 0 -- "$L" randomise --replay --user admin
expect_exit 0 -- "$L" audit verify --json
expect_jq '.verified and .records > 12'
expect_exit 0 -- "$L" patients --user coord1 --json
HEAD=$("$L" audit head) || bad "audit head"

# the owner edits the trail behind the triggers: verify names the record
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "UPDATE audit SET reason='x' WHERE seq=5" >/dev/null 2>&1 &&
    bad "the audit trigger let an UPDATE through" || ok
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" \
    -c "ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET reason='x' WHERE seq=5" >/dev/null 2>&1 &&
    ok || bad "the owner could not disable the triggers"
expect_exit 1 -- "$L" audit verify
expect_err "audit record 5: contents do not match its hash"
expect_exit 1 -- "$L" audit verify --expect-head "$HEAD"

# migrate: a trial made on an SQLite file, moved with its trail; both verify with one head
export LUTETIA_DB="$TMP/trial.db"
unset LUTETIA_KEY_FILE
setup_trial "$TEST_SEED" && ok || bad "setup_trial on SQLite"
make_patients "$TMP/q.json" Q 5 small_intestine R0
ready "$TMP/q.json" S1 coord1 inv1 || bad "ready on SQLite"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient "Q$i" >/dev/null || bad "randomise Q$i"; done
FILE_HEAD=$("$L" audit head)
PG2=$(url lt_moved)
expect_exit 2 -- "$L" migrate --from "$TMP/trial.db"
expect_err -- "--to DB is required"
expect_exit 0 -- "$L" migrate --from "$TMP/trial.db" --to "$PG2" --json
expect_jq ".verified and .head == \"$FILE_HEAD\""
expect_exit 0 -- "$L" audit verify --db "$TMP/trial.db" --expect-head "$FILE_HEAD"
expect_exit 0 -- "$L" audit verify --db "$PG2" --expect-head "$FILE_HEAD" --key-file "$TMP/trial.db.key" --json
expect_jq ".verified and .seed_checked and .head == \"${FILE_HEAD#*:}\""
[ "$("$L" audit head --db "$PG2")" = "$FILE_HEAD" ] && ok || bad "the heads differ"
# the trial goes on in PostgreSQL with the same key: the next allocation follows the moved ones
export LUTETIA_DB="$PG2" LUTETIA_KEY_FILE="$TMP/trial.db.key"
expect_exit 0 -- "$L" randomise --user coord1 --patient Q5
expect_out "allocation 5"
expect_exit 0 -- "$L" randomise --replay --user admin
expect_exit 0 -- "$L" audit verify
# the SQLite file is left as it was
[ "$("$L" audit head --db "$TMP/trial.db")" = "$FILE_HEAD" ] && ok || bad "the source changed"
# a target that holds a trail is refused and left alone; so is a source that does not verify
NOW=$("$L" audit head)
expect_exit 8 -- "$L" migrate --from "$TMP/trial.db" --to "$PG2"
expect_err "a trial database already exists here"
[ "$("$L" audit head)" = "$NOW" ] && ok || bad "the refused target changed"
sqlite3 "$TMP/trial.db" "DROP TRIGGER audit_no_update; UPDATE audit SET reason='x' WHERE seq=3"
PG3=$(url lt_refused)
expect_exit 10 -- "$L" migrate --from "$TMP/trial.db" --to "$PG3"
expect_err "audit record 3"
expect_exit 5 -- "$L" audit head --db "$PG3"
expect_err "no trial in this database"
# the demo trial (`lutetia demo`: enrolment, randomisation, doses, labs, adverse events, every
# step audited) moved whole: the same number of audit records, the same head, both verify
unset LUTETIA_DB LUTETIA_KEY_FILE
"$L" demo --db "$TMP/demo.db" --out "$TMP/demo" >"$TMP/demo.log" 2>&1 || bad "lutetia demo: $(tail -3 "$TMP/demo.log")"
DEMO_HEAD=$("$L" audit head --db "$TMP/demo.db")
DEMO_N=$("$L" audit verify --db "$TMP/demo.db" --json | jq '.records')
[ "$DEMO_N" -gt 100 ] && ok || bad "the demo trail has $DEMO_N records"
PG4=$(url lt_demo)
expect_exit 0 -- "$L" migrate --from "$TMP/demo.db" --to "$PG4" --json
expect_jq ".verified and .head == \"$DEMO_HEAD\""
expect_exit 0 -- "$L" audit verify --db "$PG4" --key-file "$TMP/demo.db.key" --expect-head "$DEMO_HEAD" --json
expect_jq ".verified and .seed_checked and .records == $DEMO_N"
expect_exit 0 -- "$L" audit verify --db "$TMP/demo.db" --expect-head "$DEMO_HEAD"
finish
