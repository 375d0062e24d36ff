#!/bin/sh
# Patients' steps side by side on PostgreSQL (run by pg-run.sh; docs/store.md, "One chain under
# concurrency"): a step locks its patient, randomisation also the trial's allocation sequence,
# and the audit chain only from its first write to its commit. Many processes at once, on
# different patients, on the same patient, in the same stratum, with a whole-trial writer among
# them; then every patient randomised once, every allocation number once (none reused or
# skipped), the replay from the seed agrees, every acknowledged lab is stored as acknowledged,
# every refused one left nothing, and the chain verifies.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
base="$LUTETIA_TEST_DB"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -d "$base" \
    -c "DROP DATABASE IF EXISTS lt_steps" -c "CREATE DATABASE lt_steps" >/dev/null ||
    { bad "creating the database"; finish; exit 1; }
export LUTETIA_DB
LUTETIA_DB=$(printf '%s\n' "$base" | sed "s|/postgres?|/lt_steps?|")
export LUTETIA_KEY_FILE="$TMP/pg.key"
# a loaded machine must not turn a wait into a refusal: the busy limit is a minute
export LUTETIA_BUSY_TIMEOUT_MS=60000
setup_trial "$TEST_SEED" && ok || bad "setup_trial on PostgreSQL"
N=16
make_patients "$TMP/p.json" R "$N" # the four strata in turn: four patients in each
ready "$TMP/p.json" S1 coord1 inv1 && ok || bad "ready"
audit_records() { "$L" audit verify --json | jq '.records'; }
before=$(audit_records)

# every patient randomised by one process, R1 to R3 by three more each, and a whole-trial
# writer (a new site) among them
pids=""
for i in $(seq 1 "$N"); do
    "$L" randomise --user coord1 --patient "R$i" >"$TMP/alloc.$i.0" 2>&1 &
    pids="$pids $!"
done
for i in 1 2 3; do
    for k in 1 2 3; do
        "$L" randomise --user coord1 --patient "R$i" >"$TMP/alloc.$i.$k" 2>&1 &
        pids="$pids $!"
    done
done
"$L" site add --code S3 --name "Site three" >"$TMP/site.out" 2>&1 &
pids="$pids $!"
for p in $pids; do wait "$p"; done
# each patient exactly once; the other tries refused as already randomised
for i in $(seq 1 "$N"); do
    n=$(cat "$TMP"/alloc."$i".* | grep -c 'randomised to arm')
    [ "$n" = 1 ] && ok || bad "R$i randomised $n times: $(cat "$TMP"/alloc."$i".*)"
done
refused=$(cat "$TMP"/alloc.* | grep -c 'already randomised')
[ "$refused" = 9 ] && ok || bad "$refused of 9 second randomisations refused: $(cat "$TMP"/alloc.*)"
numbers=$(cat "$TMP"/alloc.* | grep 'randomised to arm' | grep -o 'allocation [0-9]*' | awk '{print $2}' | sort -n | tr '\n' ' ')
[ "$numbers" = "$(seq 1 "$N" | tr '\n' ' ')" ] && ok || bad "allocation numbers: $numbers"
grep -q . "$TMP/site.out" && ! grep -qi error "$TMP/site.out" && ok || bad "site add: $(cat "$TMP/site.out")"
expect_exit 0 -- "$L" randomise --replay --user admin
expect_exit 0 -- "$L" audit verify --json
expect_jq '.verified'
# two records per randomisation (the allocation and the patient), one for the site
after=$(audit_records)
[ "$after" = $((before + 2 * N + 1)) ] && ok || bad "audit records $before -> $after"

# labs: two dates of every patient at once, and R1's first lab sent three times with three
# values (one is stored; the others are corrections without a reason, refused)
pids=""
for i in $(seq 1 "$N"); do
    for day in 03 04; do
        "$L" record lab --user coord1 --patient "R$i" --date "2026-11-$day" --analyte platelets \
            --value "$((200 + i))" --unit 10^9/L >"$TMP/lab.$i.$day" 2>&1 &
        pids="$pids $!"
    done
done
for v in 301 302 303; do
    "$L" record lab --user coord1 --patient R1 --date 2026-11-05 --analyte platelets \
        --value "$v" --unit 10^9/L >"$TMP/dup.$v" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
acked=0
for f in "$TMP"/lab.*; do grep -q 'platelets recorded' "$f" && acked=$((acked + 1)); done
[ "$acked" = $((2 * N)) ] && ok || bad "$acked of $((2 * N)) labs acknowledged: $(cat "$TMP"/lab.*)"
won=$(grep -l 'platelets recorded' "$TMP"/dup.* | sed 's/.*dup\.//')
[ "$(echo "$won" | wc -w)" = 1 ] && ok || bad "R1's repeated lab stored by: $won"
[ "$(grep -l 'correction needs a reason' "$TMP"/dup.* | wc -l)" = 2 ] && ok ||
    bad "R1's other labs: $(cat "$TMP"/dup.*)"
expect_exit 0 -- "$L" list labs --user stat1 --json
for i in $(seq 1 "$N"); do
    for day in 03 04; do
        jq -e --arg p "R$i" --arg d "2026-11-$day" --argjson v "$((200 + i))" \
            '[.. | objects | select(.patient == $p and .date == $d and .value == $v)] | length == 1' \
            "$TMP/out" >/dev/null && ok || bad "lab of R$i on 2026-11-$day not stored as acknowledged"
    done
done
jq -e --argjson v "${won:-0}" \
    '[.. | objects | select(.patient == "R1" and .date == "2026-11-05")] | length == 1 and .[0].value == $v' \
    "$TMP/out" >/dev/null && ok || bad "R1's lab of 2026-11-05 is not the acknowledged $won"
expect_exit 0 -- "$L" audit verify --json
expect_jq '.verified'
final=$(audit_records)
[ "$final" = $((after + 2 * N + 1)) ] && ok || bad "audit records $after -> $final"
finish
