#!/bin/sh
# A withheld cycle moves the calendar (issue 12: "a lab with platelets 62 makes the next
# decision a withhold and the calendar moves"), through the real binary and the trial store:
# NELMAS arm B, C1 given 2025-11-04; platelets 62 withhold C2 on 2025-12-29, so C2 is planned
# again from the decision (target 2 weeks later, by 2026-02-24 = C1 + 16 weeks) with a lab
# re-check, and what depends on C2 moves with it; a second withhold moves it again; recovered
# labs give 3.7 GBq from the decision; the late administration fixes it as any actual date.
# Each step's dates are checked in `schedule --json`, `due` and the .ics export.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
setup_trial || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" Q 4 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >>"$TMP/alloc" || bad "randomise Q$i"; done
B=$(grep -m1 'arm B' "$TMP/alloc" | cut -d' ' -f1)
[ -n "$B" ] && ok || bad "a patient in arm B: $(cat "$TMP/alloc")"
"$L" record anchor --user coord1 --patient "$B" --anchor liver_resection --date 2025-09-10 >/dev/null &&
"$L" record profile --user coord1 --patient "$B" --birth-date 1962-03-14 --sex female --weight 68 >/dev/null && ok || bad "profile"

panel() { # panel PATIENT DATE PLATELETS
  for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
           "lymphocytes 1.6 10^9/L 1 4" "platelets $3 10^9/L 150 400" "creatinine 72 umol/L 44 97" \
           "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
    set -- "$1" "$2" "$3" $a
    "$L" record lab --user coord1 --patient "$1" --date "$2" --analyte "$4" --value "$5" --unit "$6" --lln "$7" --uln "$8" >/dev/null || return 1
  done
}
adm() {
  echo "--patient $1 --cycle $2 --prescribed $4 --before $5 --before-at ${3}T08:30:00Z
        --residual 150 --residual-at ${3}T09:45:00Z --start ${3}T09:00:00Z --end ${3}T09:30:00Z
        --no-ssa-long --no-ssa-short --amino-start ${3}T08:15:00Z --amino-end ${3}T13:00:00Z"
}
cal() { expect_exit 0 -- "$L" schedule "$B" --as-of "$1" --json --user coord1; }
# v ID FILTER: the entry ID of the last calendar makes FILTER true
v() { expect_jq ".visits[] | select(.id == \"$1\") | $2"; }

panel "$B" 2025-10-28 231 && ok || bad "panel C1"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 1 --date 2025-11-03
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$B" 1 2025-11-04 7400 7550)

# before any withhold: C2 keeps the protocol's window, 8 +- 1 weeks after C1, up to 16 weeks
cal 2025-12-28
cp "$TMP/out" "$TMP/before.json"
v C2 '.target == "2025-12-30" and .earliest == "2025-12-23" and .latest == "2026-01-06" and .latest_delayed == "2026-02-24" and (has("withheld") | not)'
expect_jq '[.visits[] | select(.item == "C2.recheck")] | length == 0'

# platelets 62 (grade 2): the decision withholds C2, and the calendar moves
panel "$B" 2025-12-26 62 && ok || bad "panel C2"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date 2025-12-29 --json
expect_jq '.action == "withhold"'
cal 2025-12-30
v C2 '.status == "planned" and .earliest == "2025-12-29" and .target == "2026-01-12" and .latest == "2026-02-24" and .latest_delayed == null'
v C2 '.withheld.date == "2025-12-29" and .withheld.times == 1 and .withheld.discontinue == false and (.withheld.reason | test("platelets 62"))'
v C2 '.not_before == "2025-12-29" and (.note | test("withheld on 2025-12-29.*labs re-checked by 2026-01-12.*by 2026-02-24"))'
v C2.recheck.1 '.kind == "lab" and .status == "planned" and .earliest == "2026-01-09" and .target == "2026-01-12" and .latest == "2026-01-12"'
# what hangs on C2 moved by the same 13 days; what does not (C1's visits, month-9 visits) did not
v safety_C2 '.target == "2026-02-23" and .earliest == "2026-02-09"'
v safety_recovery '.target == "2026-04-12"'
cp "$TMP/out" "$TMP/held1.json"
expect_exit 0 -- jq -e --slurpfile b "$TMP/before.json" '
  def d: strptime("%Y-%m-%d") | mktime / 86400;
  [.visits[] | select(.anchor == "C2" and .item != "C2.recheck") as $x
   | ($b[0].visits[] | select(.id == $x.id)) as $y | ($x.target | d) - ($y.target | d)] as $s
  | ($s | length) == 5 and ($s | all(. == 13))' "$TMP/held1.json"
for id in safety_C1 prrt_visit.1 mri_year1.2; do
  expect_exit 0 -- jq -e --slurpfile b "$TMP/before.json" --arg id $id '
    (.visits[] | select(.id == $id) | .target) == ($b[0].visits[] | select(.id == $id) | .target)' "$TMP/held1.json"
done
# the due list and the iCalendar file show the moved cycle and its re-check
expect_exit 0 -- "$L" due --from 2026-01-05 --to 2026-01-15 --json --user coord1
expect_out "\"C2.recheck.1\""
expect_out "\"$B\""
expect_exit 0 -- "$L" schedule "$B" --as-of 2025-12-30 --ics "$TMP/held.ics" --user coord1
tr -d '\r' <"$TMP/held.ics" | awk '/^BEGIN:VEVENT/{u=""} /^UID:/{u=$0} /^DTSTART/{print u" "$0}' >"$TMP/ics.txt"
grep -q "^UID:$B.C2@nelmas.lutetia DTSTART;VALUE=DATE:20260112$" "$TMP/ics.txt" && ok || bad "ics C2: $(grep C2 "$TMP/ics.txt")"
grep -q "^UID:$B.C2.recheck.1@nelmas.lutetia DTSTART;VALUE=DATE:20260112$" "$TMP/ics.txt" && ok || bad "ics re-check"
grep -q "^UID:$B.safety_C2@nelmas.lutetia DTSTART;VALUE=DATE:20260223$" "$TMP/ics.txt" && ok || bad "ics safety_C2"

# the re-check on 12 Jan: platelets 70, still grade 2; withheld again, it moves again
panel "$B" 2026-01-12 70 && ok || bad "panel re-check"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date 2026-01-12 --json
expect_jq '.action == "withhold"'
cal 2026-01-13
v C2 '.status == "planned" and .earliest == "2026-01-12" and .target == "2026-01-26" and .latest == "2026-02-24" and .withheld.times == 2 and .withheld.date == "2026-01-12"'
v C2.recheck.1 '.status == "done" and .actual == "2026-01-12"'
v C2.recheck.2 '.status == "planned" and .earliest == "2026-01-23" and .target == "2026-01-26"'
v safety_C2 '.target == "2026-03-09"'
# not recovered by the limit (C1 + 16 weeks): the patient is to discontinue per label
cal 2026-02-25
v C2 '.status == "cancelled" and .withheld.discontinue == true and (.note | test("not given by 2026-02-24.*discontinue per label"))'
v C2.recheck.2 '.status == "cancelled" and (.note | test("discontinue per label"))'
v safety_C2 '.status == "unanchored"'

# recovered on 23 Jan: the decision gives 3.7 GBq and plans C2 from it
panel "$B" 2026-01-23 160 && ok || bad "panel recovered"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date 2026-01-26 --json
expect_jq '.action == "give_reduced" and .activity_mbq == 3700'
cal 2026-01-26
v C2 '.status == "planned" and .earliest == "2026-01-26" and .target == "2026-01-26" and .latest == "2026-02-02" and .withheld.times == 2 and (.note | test("decided on 2026-01-26 to give it"))'
v C2.recheck.2 '.status == "done" and .actual == "2026-01-23"'
v safety_C2 '.target == "2026-03-09"'

# given late on 28 Jan: the administration fixes it as any actual date (delayed for toxicity,
# within the protocol's allowance: no deviation), and what follows counts from it
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-28 3700 3850)
cal 2026-01-29
v C2 '.status == "delayed" and .actual == "2026-01-28" and .actual_reason == "toxicity" and .deviation == false'
v C2 '.earliest == "2025-12-23" and .latest == "2026-01-06" and .latest_delayed == "2026-02-24" and .withheld.times == 2'
v safety_C2 '.target == "2026-03-11" and .anchor_actual == true'
v safety_recovery '.target == "2026-04-28"'
expect_jq '[.visits[] | select(.item == "C2.recheck") | .status] == ["done", "done"]'
# and long after, nothing says to discontinue: C2 was given
cal 2026-06-01
v C2 '.status == "delayed" and .withheld.discontinue == false'
# a re-check done without a lab record of its own takes an actual date like any entry, and the
# calendar still reads; an id that names no re-check is refused
expect_exit 0 -- "$L" record actual --user coord1 --patient "$B" --entry C2.recheck.1 --date 2026-01-12
cal 2026-06-01
v C2.recheck.1 '.status == "done" and .actual == "2026-01-12"'
expect_exit 2 -- "$L" record actual --user coord1 --patient "$B" --entry C1.recheck.1 --date 2026-01-12
expect_err "C1.recheck.1. is not an entry of patient $B.s calendar"
finish
