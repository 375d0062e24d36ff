#!/bin/sh
# Electronic signatures on PostgreSQL (run by tests/store/pg-run.sh, which gives a throwaway
# cluster in LUTETIA_TEST_DB; "skipped" without PostgreSQL): a signature invalidated by a
# correction, a casebook and the data lock signed, a write refused after the lock by the same
# store-level check as on SQLite, and the chain verifying; then a signed record edited and a
# signature moved behind the engine's back, as sign.sh does on a file.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
base="$LUTETIA_TEST_DB"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -d "$base" -c "DROP DATABASE IF EXISTS lt_sign" -c "CREATE DATABASE lt_sign" >/dev/null
export LUTETIA_DB=$(printf '%s\n' "$base" | sed "s|/postgres?|/lt_sign?|")
export LUTETIA_KEY_FILE="$TMP/pg.key"
ASOF=2025-11-01
setup_trial "$TEST_SEED" || bad setup
make_patients "$TMP/p.json" Q 1 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad ready
PW='correct horse battery staple'
for u in inv1 stat1; do printf '%s\n' "$PW" | $L user password $u --password-stdin >/dev/null; $L user name --name $u --full-name "Name $u" >/dev/null; done
$L randomise --user coord1 --patient Q1 --date 2025-11-02 >/dev/null || bad rand
$L record ae --user coord1 --patient Q1 --term Nausea --grade 1 --start 2025-11-05 >/dev/null || bad ae
expect_exit 0 -- sh -c "printf '%s\n' '$PW' | $L sign ae Q1/AE001 --user inv1 --signer inv1 --password-stdin --json"
$L record ae --user coord1 --patient Q1 --term Nausea --grade 2 --start 2025-11-05 --id AE001 --reason x >/dev/null || bad corr
expect_exit 0 -- $L signatures --user inv1 --json
expect_jq '.[0].status == "invalidated"'
expect_exit 0 -- sh -c "printf '%s\n' '$PW' | $L sign casebook Q1 --user inv1 --signer inv1 --password-stdin --json"
expect_exit 0 -- sh -c "printf '%s\n' '$PW' | $L sign lock --user stat1 --signer stat1 --password-stdin --json"
expect_exit 6 -- $L record ae --user coord1 --patient Q1 --term Nausea --grade 3 --start 2025-11-05 --id AE001 --reason y
expect_err "locked for analysis"
expect_exit 0 -- $L signatures --user inv1 --json
expect_jq '[.[].status] == ["invalidated","valid","valid"]'
expect_exit 0 -- $L audit verify --user admin
# sign.sh's tampering cases here too (tests/cli/store_sql.sh: the cluster's superuser edits a copy
# behind the triggers): a signed record edited, a signature moved to another record; each shows
# the signature invalidated and fails verification, while the untouched trial keeps it valid
. "$SRC/tests/cli/store_sql.sh"
DB=$(db_copy edited) || bad "copying the trial"
db_tamper "$DB" "UPDATE record SET data = replace(data, '\"grade\":2', '\"grade\":1') WHERE kind = 'adverse_event' AND id = 'Q1/AE001'" || bad "editing"
expect_exit 0 -- $L signatures --db "$DB" --user inv1 --json
expect_jq '.[] | select(.act == "casebook") | .status == "invalidated"'
expect_exit 1 -- $L audit verify --db "$DB" --user admin
expect_err "adverse_event 'Q1/AE001': the stored record differs"
DB=$(db_copy moved) || bad "copying the trial"
db_tamper "$DB" "UPDATE record SET data = replace(data, '\"kind\":\"casebook\",\"id\":\"Q1\"', '\"kind\":\"casebook\",\"id\":\"Q2\"') WHERE kind = 'signature' AND data LIKE '%\"act\":\"casebook\"%'" || bad "moving"
expect_exit 0 -- $L signatures --db "$DB" --user inv1 --json
expect_jq '.[] | select(.act == "casebook") | .record.id == "Q2" and .status == "invalidated"'
expect_exit 1 -- $L audit verify --db "$DB" --user admin
expect_err "signature '.*': the stored record differs"
expect_exit 0 -- $L signatures --user inv1 --json
expect_jq '.[] | select(.act == "casebook") | .status == "valid"'
finish
