#!/bin/sh
# Data entered once (issue 10, section 3): the screened facts are kept with the patient, and a
# re-screening adds its facts to them (audited, old facts kept, a repeated fact not doubled)
# instead of screening on the new file alone (seen: a CSV with one new lab dropped every other
# fact and 16 criteria went unknown).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/a.json" A 1
expect_exit 0 -- "$L" enrol --user coord1 --site S1 --as-of "$ASOF" "$TMP/a.json" --json
expect_jq '.. | objects | select(has("verdict")) | .verdict == "eligible"'
NLABS=$(jq '.[0].labs | length' "$TMP/a.json")

# the first screening stored the facts: an audited patient_data record
expect_exit 0 -- "$L" audit log --patient A1 --json
expect_jq '[.[] | select(.entity == "patient_data")] | length == 1'
expect_jq '[.[] | select(.entity == "patient_data")][0] | .old == null and .new.birth_date == "1962-03-14"
           and (.new.labs | length) == '"$NLABS"' and (.new.procedures | length) >= 1'

# a CSV with one new lab: screened on everything known, not on that lab alone
cat >"$TMP/new.csv" <<CSV
patient,date,analyte,value,unit,low,high,comparator,status
A1,2026-10-30,platelets,251,10^9/L,150,400,,final
CSV
expect_exit 0 -- "$L" enrol --user coord1 --site S1 --as-of "$ASOF" --patient A1 "$TMP/new.csv" --json
expect_jq '[.. | objects | select(has("verdict"))][0] | .verdict == "eligible"'
expect_no_out '"status": *"unknown"'
expect_exit 0 -- "$L" audit log --patient A1 --json
expect_jq '[.[] | select(.entity == "patient_data")] | length == 2'
expect_jq '[.[] | select(.entity == "patient_data")][1] | .action == "patient_data.add"
           and (.old.labs | length) == '"$NLABS"' and (.new.labs | length) == '"$NLABS"' + 1
           and ([.new.labs[] | select(.value == 251 and .date == "2026-10-30")] | length) == 1
           and ([.new.labs[] | select(.source | test("new.csv"))] | length) == 1
           and .new.birth_date == "1962-03-14"'
# the same lab again (and the first file again): nothing doubled, nothing new to audit
expect_exit 0 -- "$L" enrol --user coord1 --site S1 --as-of "$ASOF" --patient A1 "$TMP/new.csv"
expect_exit 0 -- "$L" enrol --user coord1 --site S1 --as-of "$ASOF" "$TMP/a.json"
expect_exit 0 -- "$L" audit log --patient A1 --json
expect_jq '[.[] | select(.entity == "patient_data")] | length == 2'
expect_jq '[.[] | select(.entity == "screening")] | length == 4'

# a file saying another birth date conflicts with the stored one: refused, nothing changed
jq '.[0].birth_date = "1970-01-01"' "$TMP/a.json" >"$TMP/b.json"
expect_exit 8 -- "$L" enrol --user coord1 --site S1 --as-of "$ASOF" "$TMP/b.json"
expect_err 'birth date 1970-01-01 here but 1962-03-14 in stored facts of A1'
expect_exit 0 -- "$L" audit log --patient A1 --json
expect_jq '[.[] | select(.entity == "screening")] | length == 4'

# the calendar and the dose rules read the stored facts: nothing entered twice
make_patients "$TMP/c.json" C 1
ready "$TMP/c.json" S1 coord1 inv1 || bad "ready C1"
expect_exit 0 -- "$L" randomise --user coord1 --patient C1 --date 2026-11-02
expect_out 'arm B'
# the liver resection of the screened procedures (2026-09-10) anchors the calendar
expect_exit 0 -- "$L" schedule --patient C1 --user coord1
expect_out '^biobank_pre +sample +2026-09-10 '
expect_no_out 'unanchored'
# age, sex and weight (68 kg) and the screening labs of 2026-10-22: cycle 1 decided at once
expect_exit 0 -- "$L" record decide --user inv1 --patient C1 --cycle 1 --date 2026-11-03 --json
expect_jq '.action == "give_full" and .activity_mbq == 7400'
# a recorded correction wins over the screened fact: platelets 62 on the same day withhold
expect_exit 0 -- "$L" record lab --user coord1 --patient C1 --date 2026-10-22 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400
expect_exit 0 -- "$L" record decide --user inv1 --patient C1 --cycle 1 --date 2026-11-04 --json
expect_jq '.action == "withhold" and .toxic == ["thrombocytopenia"]'
# `record anchor` corrects the screened anchor, with a reason
expect_exit 2 -- "$L" record anchor --user coord1 --patient C1 --anchor liver_resection --date 2026-09-17
expect_err 'the screened data give liver_resection on 2026-09-10; correcting it to 2026-09-17 needs a reason'
expect_exit 0 -- "$L" record anchor --user coord1 --patient C1 --anchor liver_resection --date 2026-09-10
expect_exit 0 -- "$L" record anchor --user coord1 --patient C1 --anchor liver_resection --date 2026-09-17 --reason "operation note: resected on the 17th"
expect_exit 0 -- "$L" schedule --patient C1 --user coord1
expect_out '^biobank_pre +sample +2026-09-17 '
finish
