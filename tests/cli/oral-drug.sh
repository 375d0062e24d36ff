#!/bin/sh
# NET RETREAT arm 2 takes everolimus, an oral drug taken continuously (issue 10, section 1),
# through the real binary: the start (which is the calendar's everolimus_start), dispensing
# visits, a grade 3 stomatitis that interrupts, resumption 50% lower once it resolves, its
# recurrence that discontinues, the stop, returns and compliance per dispensing period; and the
# hostile cases (more returned than dispensed, a stop before the start, negative tablets,
# another site's patient, the wrong role, a dose of 1e400, a dose raised again).
. "$(dirname "$0")/lib.sh"
L="$LUTETIA"
NR="$SRC/protocols/net-retreat.json"
ME=$(id -un)
export LUTETIA_DB="$TMP/nr.db"
export LUTETIA_USER=admin

# the eligibility table's base patient, every date a year earlier, four copies
jq '.base as $b | [range(1; 5) as $i | $b | .id = "N\($i)"]' \
   "$SRC/tests/eligibility/net-retreat.cases.json" |
  sed -E 's/"(20[0-9]{2})-([0-9]{2}-[0-9]{2})"/"\1@\2"/g' |
  awk '{ while (match($0, /"20[0-9][0-9]@/)) { y = substr($0, RSTART + 1, 4) - 1;
         $0 = substr($0, 1, RSTART) y "-" substr($0, RSTART + 6) } print }' >"$TMP/nr.json"
"$L" trial init --protocol "$NR" --user admin \
    --seed-hex 0000000000000000000000000000000000000000000000000000000000000001 >/dev/null &&
"$L" site add --code S1 --name "Site one" >/dev/null &&
"$L" site add --code S2 --name "Site two" >/dev/null &&
"$L" user add --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
"$L" user add --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null &&
"$L" user add --name nuc1 --role nuclear_medicine --site S1 --os-user "$ME" >/dev/null &&
"$L" user add --name inv2 --role investigator --site S2 --os-user "$ME" >/dev/null &&
"$L" enrol --user coord1 --site S1 --as-of 2025-11-01 "$TMP/nr.json" >/dev/null && ok || bad "setup"
for i in 1 2 3 4; do
  "$L" consent --user coord1 --patient N$i --form v2 --date 2025-11-02 >/dev/null &&
  "$L" confirm --user inv1 --patient N$i --date 2025-11-03 >/dev/null &&
  "$L" randomise --user coord1 --patient N$i --date 2025-11-04 >>"$TMP/alloc" || bad "randomise N$i"
done
P=$(grep 'arm 2' "$TMP/alloc" | sed -n 1p | cut -d' ' -f1)
Q=$(grep 'arm 2' "$TMP/alloc" | sed -n 2p | cut -d' ' -f1)
A1=$(grep -m1 'arm 1' "$TMP/alloc" | cut -d' ' -f1)
[ -n "$P" ] && [ -n "$Q" ] && [ -n "$A1" ] && ok || bad "two patients in arm 2, one in arm 1: $(cat "$TMP/alloc")"

# ---- the protocol: the table as data, shown, and checked ----
expect_exit 0 -- "$L" protocol show "$NR"
expect_out 'oral drug: everolimus 10 mg daily, tablets of 2.5 5 7.5 10 mg; dispensed every 28 days'
expect_out 'stomatitis grade 3: resume_reduced, on recurrence discontinue; resume at grade <= 1'
expect_out 'oral-floor'
jq '.arms["2"].oral_drug.modifications.stomatitis["3"].first = "halve"' "$NR" >"$TMP/bad.json"
expect_exit 1 -- "$L" protocol check "$TMP/bad.json"
expect_out 'arms.2.oral_drug.modifications.stomatitis.3.first: expected continue, resume_same, resume_reduced or discontinue, found "halve"'
jq '.arms["2"].oral_drug.tablet_strengths_mg = [5, 2.5]' "$NR" >"$TMP/bad.json"
expect_exit 1 -- "$L" protocol check "$TMP/bad.json"
expect_out 'arms.2.oral_drug.tablet_strengths_mg: expected ascending strengths'
jq '.arms["2"].oral_drug.modifications.stomatitis["3"].recurrence = "resume_same"' "$NR" >"$TMP/bad.json"
expect_exit 1 -- "$L" protocol check "$TMP/bad.json"
expect_out 'recurrence step at least as strict as the first'
jq '.arms["2"].oral_drug.dispensing_entry = "dispensing"' "$NR" >"$TMP/bad.json"
expect_exit 1 -- "$L" protocol check "$TMP/bad.json"
expect_out 'arms.2.oral_drug.dispensing_entry: expected an item of schedule.items, found "dispensing"'

expect_exit 0 -- "$L" record --help
expect_out 'oral dispense --date D --tablets N --strength MG'
expect_exit 2 -- "$L" record oral swallow --patient "$P"
expect_err "expected start, dose, interrupt, resume, stop, dispense, return or show, found 'swallow'"

# ---- what the issue saw: the cycle verbs say which records an oral arm takes ----
expect_exit 2 -- "$L" record decide --user inv1 --patient "$P" --cycle 1 --date 2025-11-05
expect_err "arm 2 of patient $P takes everolimus, an oral drug taken continuously, not in cycles"
expect_exit 2 -- "$L" record administration --user nuc1 --patient "$P" --cycle 1 --prescribed 7400 \
    --before 7550 --before-at 2025-11-05T08:30:00Z --residual 150 --residual-at 2025-11-05T09:45:00Z \
    --start 2025-11-05T09:00:00Z --end 2025-11-05T09:30:00Z --no-ssa-long --no-ssa-short \
    --amino-start 2025-11-05T08:15:00Z --amino-end 2025-11-05T13:00:00Z
expect_err "takes everolimus, an oral drug taken continuously, not in cycles: decide without a cycle"
expect_exit 2 -- "$L" record actual --user coord1 --patient "$P" --entry everolimus_start --date 2025-11-05
expect_err "its date comes from the oral drug's start record"
expect_exit 2 -- "$L" record oral start --user inv1 --patient "$A1" --date 2025-11-05
expect_err "arm 1 of patient $A1 takes no oral drug"

# ---- who may: investigators prescribe; coordinators and investigators dispense ----
expect_exit 7 -- "$L" record oral start --user coord1 --patient "$P" --date 2025-11-05
expect_err "a coordinator cannot start an oral drug \(allowed: investigator\)"
expect_exit 7 -- "$L" record oral start --user inv2 --patient "$P" --date 2025-11-05
expect_err "not bound to site 'S1'"
expect_exit 2 -- "$L" record oral start --user inv1 --patient "$P" --date 2025-11-05 --dose 1e400
expect_err -- "--dose: expected a number, found '1e400'"
expect_exit 2 -- "$L" record oral start --user inv1 --patient "$P" --date 2025-11-05 --dose 12.5
expect_err "at most 10 mg"
# a stop (or anything else) before the start
expect_exit 6 -- "$L" record oral stop --user inv1 --patient "$Q" --date 2025-11-05 --cause "patient's wish"
expect_err "cannot be recorded: the drug has not been started"
expect_exit 6 -- "$L" record decide --user inv1 --patient "$Q" --date 2025-11-05
expect_err "everolimus has not been started"

# ---- start: the calendar's everolimus_start is done, the dispensing visits follow ----
expect_exit 0 -- "$L" record oral start --user inv1 --patient "$P" --date 2025-11-05
expect_out "start on 2025-11-05, 10 mg daily"
expect_exit 0 -- "$L" schedule "$P" --user coord1 --as-of 2025-11-06 --json
expect_jq '.visits[] | select(.id == "everolimus_start") | .actual == "2025-11-05" and .status == "done"'
expect_jq '.visits[] | select(.id == "everolimus_dispensing.1") | .target == "2025-12-03" and .earliest == "2025-11-30" and .latest == "2025-12-06"'
expect_jq '[.visits[] | select(.id | startswith("everolimus_dispensing."))] | length == 26'
# the stop before the start, dated before it: records are kept in date order
expect_exit 6 -- "$L" record oral stop --user inv1 --patient "$P" --date 2025-11-04 --cause x
expect_err "reach 2025-11-05 already"
expect_exit 0 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2025-11-05 --tablets 30 --strength 10
expect_exit 2 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2025-11-06 --tablets -3 --strength 10
expect_err -- "--tablets: expected a whole number of tablets"
expect_exit 2 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2025-11-06 --tablets 3 --strength 4
expect_err "expected one of the protocol's tablet strengths of everolimus, found 4 mg"
expect_exit 7 -- "$L" record oral dispense --user nuc1 --patient "$P" --date 2025-11-06 --tablets 3 --strength 10
# more back than went out
expect_exit 2 -- "$L" record oral return --user coord1 --patient "$P" --date 2025-12-03 --returned 31
expect_err "31 returned and 0 lost are more than the 30 tablets dispensed on 2025-11-05"
expect_exit 0 -- "$L" record oral return --user coord1 --patient "$P" --date 2025-12-03 --returned 2
expect_exit 0 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2025-12-03 --tablets 30 --strength 10
expect_out "visit everolimus_dispensing.1"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --date 2025-12-05 --json
expect_jq '.action == "continue" and .dose_mg == 10'

# ---- grade 3 stomatitis: interrupt, however often it is decided ----
expect_exit 0 -- "$L" record ae --user coord1 --patient "$P" --term Stomatitis --grade 3 --start 2025-12-10
for i in 1 2; do
  expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --date 2025-12-10 --json
  expect_jq '.action == "interrupt" and .category == "stomatitis" and .grade == 3 and .recurrence == false and .step == "resume_reduced"'
done
expect_exit 0 -- "$L" record oral interrupt --user inv1 --patient "$P" --date 2025-12-10 --cause "stomatitis grade 3"
expect_out "interrupted on 2025-12-10 for stomatitis grade 3"
# still grade 3: no resumption yet
expect_exit 6 -- "$L" record oral resume --user inv1 --patient "$P" --date 2025-12-15
expect_err "cannot resume on 2025-12-15: the label's table says interrupt"
expect_exit 0 -- "$L" record ae --user coord1 --patient "$P" --id AE001 --term Stomatitis --grade 3 \
    --start 2025-12-10 --end 2025-12-20 --reason "resolved to grade 1"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --date 2025-12-21 --json
expect_jq '.action == "resume_reduced" and .dose_mg == 5'
# never above what the table allows
expect_exit 8 -- "$L" record oral resume --user inv1 --patient "$P" --date 2025-12-21 --dose 10
expect_err "10 mg daily is above what the label's table allows on 2025-12-21: 5 mg"
expect_exit 0 -- "$L" record oral resume --user inv1 --patient "$P" --date 2025-12-21
expect_out "resume on 2025-12-21, 5 mg daily"
expect_exit 8 -- "$L" record oral dose --user inv1 --patient "$P" --date 2025-12-22 --dose 10 --cause better
expect_err "do not raise the dose again"
# the bottle of the period before comes back after the new one is dispensed, same visit
expect_exit 0 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2025-12-31 --tablets 28 --strength 5
expect_out "visit everolimus_dispensing.2"
expect_exit 0 -- "$L" record oral return --user coord1 --patient "$P" --date 2025-12-31 --returned 17 --lost 1

# ---- it recurs at grade 3: discontinue ----
expect_exit 0 -- "$L" record ae --user coord1 --patient "$P" --term stomatitis --grade 3 --start 2026-01-10
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --date 2026-01-10 --json
expect_jq '.action == "discontinue" and .category == "stomatitis" and .recurrence == true'
expect_exit 0 -- "$L" record oral stop --user inv1 --patient "$P" --date 2026-01-10 --cause "stomatitis grade 3 recurred"
expect_exit 6 -- "$L" record oral dispense --user coord1 --patient "$P" --date 2026-01-11 --tablets 28 --strength 5
expect_err "the drug was stopped"
expect_exit 6 -- "$L" record decide --user inv1 --patient "$P" --date 2026-01-11
expect_err "everolimus was stopped on 2026-01-10"
expect_exit 0 -- "$L" record oral return --user coord1 --patient "$P" --date 2026-01-12 --returned 26
# nothing is dispensed after the stop: the later dispensing visits are cancelled, not missed
expect_exit 0 -- "$L" schedule "$P" --user coord1 --as-of 2026-06-01 --json
expect_jq '.visits[] | select(.id == "everolimus_dispensing.3") | .target == "2026-01-28" and .status == "cancelled" and .deviation == false'
expect_jq '.visits[] | select(.id == "everolimus_dispensing.2") | .status == "done"'
expect_jq '[.visits[] | select(.item == "everolimus_dispensing" and .status == "missed")] | length == 0'
expect_exit 0 -- "$L" due --user coord1 --from 2026-01-20 --to 2026-03-31 --json
expect_jq '[.entries[] | select(.patient == "'"$P"'" and (.entry | startswith("everolimus_dispensing")))] | length == 0'

# ---- compliance per dispensing period: taken / prescribed ----
expect_exit 0 -- "$L" record oral show --user coord1 --patient "$P" --as-of 2026-01-12 --json
expect_jq '.state.stopped == "2026-01-10" and (.events | length) == 10'
# 11-05..12-03: 28 days of one 10 mg tablet, 30 - 2 back = 28 taken
expect_jq '.periods[0] | .to == "2025-12-03" and .days == 28 and .prescribed == 28 and .taken == 28 and .compliance == 1'
# 12-03..12-31: 7 days of 10 mg, 11 days interrupted, 10 days of 5 mg (half a 10 mg tablet)
expect_jq '.periods[1] | .interruption_days == 11 and .prescribed == 12 and .taken == 12 and .lost == 1 and .compliance == 1'
# 12-31..01-12: 10 days of one 5 mg tablet before the stop, 2 taken
expect_jq '.periods[2] | .prescribed == 10 and .taken == 2 and .compliance == 0.2'
expect_exit 0 -- "$L" record oral show --user coord1 --patient "$P" --as-of 2026-01-12
expect_out "stopped on 2026-01-10"
expect_out '2025-12-31 .. 2026-01-12 +12 +0 +5 mg +28 +26 +0 +2 +10 +20.0%'

# ---- the audit trail holds every record ----
expect_exit 0 -- "$L" audit verify
expect_exit 0 -- "$L" audit log --patient "$P" --json --user admin
expect_out '"action":"oral.start"'
expect_out '"action":"oral.decide"'
expect_out '"action":"oral.return"'
finish
