#!/bin/sh
# `lutetia op NAME`: any row of the operations table from the command line, read from the same
# row as the server's route: the help generated from the row, --birth-date as birth_date, the
# row's checks (unknown option, wrong type, role) and the same answer as the verb's --json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" P 2 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
for i in 1 2; do "$L" randomise --user coord1 --patient P$i --date 2025-11-02 >/dev/null || bad "randomise P$i"; done

expect_exit 0 -- "$L" op --help
expect_out 'records\.profile +record what the dose rules need'
expect_out 'list\.labs'
expect_exit 0 -- "$L" op records.profile --help
expect_out 'usage: lutetia op records.profile --patient TEXT --birth-date YYYY-MM-DD --sex TEXT --weight N \[--confirm\] \[--reason TEXT\]'
expect_out 'Over HTTP: POST /api/v1/patients/\{patient\}/profile'
expect_out 'Who may: coordinator investigator\.'
expect_exit 2 -- "$L" op records.profil
expect_err "did you mean 'records.profile'"

# the row's checks, named as this door's options
expect_exit 2 -- "$L" op records.profile --user coord1 --patient P1 --birth-date 1962-03-14 --sex female --weight 68 --colour blue
expect_err 'unknown option --colour'
expect_exit 2 -- "$L" op records.profile --user coord1 --patient P1 --birth-date 1962-03-14 --sex female --weight heavy
expect_err -- '--weight: expected a number'
expect_exit 2 -- "$L" op records.profile --user coord1 --patient P1 --birth-date 1962-02-30 --sex female --weight 68
expect_err -- '--birth-date: expected a date YYYY-MM-DD'
expect_exit 2 -- "$L" op records.profile --user coord1 --patient P1 --sex female --weight 68
expect_err -- "--birth-date: 'birth_date' is required"
expect_exit 7 -- "$L" op records.profile --user mon1 --patient P1 --birth-date 1962-03-14 --sex female --weight 68
expect_err 'a user with the role monitor cannot'
expect_exit 5 -- "$L" op records.profile --user coord2 --patient P1 --birth-date 1962-03-14 --sex female --weight 68
expect_err "no patient 'P1' in this trial"

# a write through the row, read back by the verbs
expect_exit 0 -- "$L" op records.profile --user coord1 --patient P1 --birth-date 1962-03-14 --sex female --weight 68
expect_jq '. == {"patient":"P1","recorded":"profile"}'
expect_exit 0 -- "$L" op labs.record --user coord1 --patient P1 --date 2025-10-29 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400
cp "$TMP/out" "$TMP/op.lab"
expect_exit 0 -- "$L" record lab --user coord1 --patient P2 --date 2025-10-29 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400 --json
jq -e --slurpfile o "$TMP/op.lab" '. == $o[0] and .grade == 2' "$TMP/out" >/dev/null && ok || bad "op labs.record differs from record lab --json"
# reading: the same documents as the verbs' --json
expect_exit 0 -- "$L" op list.labs --user coord1 --from 2025-10-29
cp "$TMP/out" "$TMP/op.list"
expect_exit 0 -- "$L" list labs --user coord1 --from 2025-10-29 --json
cmp -s "$TMP/out" "$TMP/op.list" && ok || bad "op list.labs differs from list labs --json"
expect_exit 0 -- "$L" op schedule.show --user coord1 --patient P1 --as-of 2025-12-01
cp "$TMP/out" "$TMP/op.cal"
expect_exit 0 -- "$L" schedule P1 --user coord1 --as-of 2025-12-01 --json
jq -e --slurpfile o "$TMP/op.cal" '. == $o[0]' "$TMP/out" >/dev/null && ok || bad "op schedule.show differs from schedule --json"
# an array argument as JSON text; a JSON value that does not parse
expect_exit 0 -- "$L" op records.questionnaire --user coord1 --patient P1 --date 2025-11-21 --items "[$(printf '1,%.0s' $(seq 29))null]"
expect_jq '.recorded == "qlq_c30"'
expect_exit 2 -- "$L" op records.questionnaire --user coord1 --patient P1 --date 2025-11-22 --items '[1,'
expect_err 'does not parse'
finish
