#!/bin/sh
# Dose decisions and administrations as rules over the stored history, through the real
# binary (issue 8, sections 1 and 2):
# - NELMAS: cycle 2 withheld for platelets 62 (grade 2) resumes at 3.7 GBq however many times
#   the decision is taken again, and 7.4 GBq is refused unless an investigator acknowledges
#   the deviation with a reason;
# - NET RETREAT: 4 x 8.0 GBq prior PRRT plus the trial's cycles against the protocol's
#   45.88 GBq limit, which counts prior PRRT: refused with the arithmetic shown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
. "$(dirname "$0")/store_sql.sh"
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
# adm PATIENT CYCLE DAY PRESCRIBED BEFORE: an infusion 09:00-09:30 with residual 150 MBq
adm() {
  echo "--patient $1 --cycle $2 --prescribed $4 --before $5 --before-at ${3}T08:30:00Z
        --residual 150 --residual-at ${3}T09:45:00Z --start ${3}T09:00:00Z --end ${3}T09:30:00Z
        --no-ssa-long --no-ssa-short --amino-start ${3}T08:15:00Z --amino-end ${3}T13:00:00Z"
}

panel "$B" 2025-10-28 231 && ok || bad "panel C1"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 1 --date 2025-11-03 --json
expect_jq '.action == "give_full" and .activity_mbq == 7400'
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$B" 1 2025-11-04 7400 7550)

# cycle 2 (due 2025-12-30): platelets 62 (grade 2) withhold it, again and again
panel "$B" 2025-12-26 62 && ok || bad "panel C2"
for day in 2025-12-29 2025-12-29 2026-01-02; do
  expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date $day --json
  expect_jq '.action == "withhold" and .toxic == ["thrombocytopenia"]'
done
# a decision dated before the latest one of the cycle would decide on a later history
expect_exit 6 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date 2025-12-30
expect_err "cycle 2 of $B was decided on 2026-01-02"
# recovered: resume at 3.7 GBq; deciding again (that day, a week later) gives the same
panel "$B" 2026-01-08 160 && ok || bad "panel recovered"
for day in 2026-01-09 2026-01-09 2026-01-16 2026-01-16; do
  expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date $day --json
  expect_jq '.action == "give_reduced" and .activity_mbq == 3700'
done
# 7,400 MBq is refused: as the prescription, and as the activity given against 3,700
expect_exit 8 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-17 7400 7550)
expect_err 'prescription \(7400 MBq\) differs from the decision of 2026-01-16 \(give_reduced, 3700 MBq\)'
expect_exit 8 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-17 3700 7550) \
    --ack "activity_deviation=vial mix-up"
expect_err 'administered activity 7[0-9]{3} MBq is [0-9.]+% above the decision of 2026-01-16 \(give_reduced, 3700 MBq\).*an investigator must acknowledge it as a deviation'
# only an investigator acknowledges a deviation, always with a reason
expect_exit 7 -- "$L" record deviation --user nuc1 --patient "$B" --cycle 2 --activity 7500 --reason "vial mix-up"
expect_err "only an investigator may acknowledge a dose deviation"
expect_exit 2 -- "$L" record deviation --user inv1 --patient "$B" --cycle 2 --activity 7500
expect_err "a deviation needs its reason"
expect_exit 2 -- "$L" record deviation --user inv1 --patient "$B" --cycle 2 --activity 0 --reason "x"
expect_err "activity: expected a positive activity in MBq"
expect_exit 2 -- "$L" record deviation --user inv1 --patient "$B" --cycle 0 --activity 7500 --reason "x"
expect_err "cycle: expected 1 to"
expect_exit 6 -- "$L" record deviation --user inv1 --patient "$B" --cycle 1 --activity 7500 --reason "x"
expect_err "cycle 1 of $B was given on 2025-11-04"
expect_exit 0 -- "$L" record deviation --user inv1 --patient "$B" --cycle 2 --activity 7500 --reason "vial mix-up, patient informed"
expect_out "deviation acknowledged up to 7500 MBq"
# the deviation covers up to what was acknowledged, and the warning still needs its ack
expect_exit 8 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-17 3700 7800) \
    --ack "activity_deviation=vial mix-up"
expect_err 'the acknowledged deviation allows less'
expect_exit 6 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-17 3700 7550)
expect_err "activity_deviation"
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$B" 2 2026-01-17 3700 7550) \
    --ack "activity_deviation=vial mix-up" --json
expect_jq '.administered_mbq > 7300 and .administered_mbq < 7500'
expect_exit 6 -- "$L" record deviation --user inv1 --patient "$B" --cycle 2 --activity 7500 --reason "late"
expect_err "cycle 2 of $B was given on 2026-01-17"
expect_exit 7 -- "$L" record deviation --user coord1 --patient "$B" --cycle 2 --activity 7500 --reason "late"
expect_exit 0 -- "$L" audit verify
db_value "$LUTETIA_DB" "select data from record where kind='dose_deviation'" >"$TMP/out" && ok || bad "reading the deviation"
expect_out '"investigator":"inv1","reason":"vial mix-up, patient informed"'

# ---- NET RETREAT: the cumulative limit counts prior PRRT (dosing.includes_prior_prrt) ----
NR="$SRC/protocols/net-retreat.json"
# the eligibility table's base patient with 4 x 8.0 GBq of prior PRRT, every date a year
# earlier (so that the trial's dates are not in the future), four copies in one stratum
jq '.base as $b | [range(1; 5) as $i | $b | .id = "N\($i)"
      | .treatments |= map(if .code == "prrt" then .value = 8.0 | .unit = "GBq" else . end)]' \
   "$SRC/tests/eligibility/net-retreat.cases.json" |
  sed -E 's/"(20[0-9]{2})-([0-9]{2}-[0-9]{2})"/"\1@\2"/g' |
  awk '{ while (match($0, /"20[0-9][0-9]@/)) { y = substr($0, RSTART + 1, 4) - 1;
         $0 = substr($0, 1, RSTART) y "-" substr($0, RSTART + 6) } print }' >"$TMP/nr.json"
nr_trial() { # nr_trial PROTOCOL [PATIENTS]: a NET RETREAT trial with four patients randomised
  rm -f "$TMP/nralloc"
  db_use_new nr &&
  "$L" trial init --protocol "$1" --user admin >/dev/null &&
  "$L" site add --code S1 --name "Site one" >/dev/null &&
  "$L" user add --name coord1 --role coordinator --site S1 --os-user "$(id -un)" >/dev/null &&
  "$L" user add --name inv1 --role investigator --site S1 --os-user "$(id -un)" >/dev/null &&
  "$L" user add --name nuc1 --role nuclear_medicine --site S1 --os-user "$(id -un)" >/dev/null &&
  "$L" enrol --user coord1 --site S1 --as-of 2025-11-01 "${2:-$TMP/nr.json}" >/dev/null || return 1
  for i in 1 2 3 4; do
    "$L" consent --user coord1 --patient N$i --form v2 --date 2025-11-02 >/dev/null &&
    "$L" confirm --user inv1 --patient N$i --date 2025-11-03 >/dev/null &&
    "$L" randomise --user coord1 --patient N$i --date 2025-11-04 >>"$TMP/nralloc" || return 1
  done
  P=$(grep -m1 'arm 1' "$TMP/nralloc" | cut -d' ' -f1)
  [ -n "$P" ] &&
  "$L" record profile --user coord1 --patient "$P" --birth-date 1958-02-01 --sex male --weight 80 >/dev/null &&
  panel "$P" 2025-11-10 231
}
nr_trial "$NR" && ok || bad "NET RETREAT trial: $(cat "$TMP/nralloc" 2>/dev/null)"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --cycle 1 --date 2025-11-17 --json
expect_jq '.action == "give_full"'
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$P" 1 2025-11-18 7400 7630) --json
expect_jq '.administered_mbq > 7450 and .administered_mbq < 7500'
panel "$P" 2026-01-05 231 && ok || bad "panel NR C2"
# 32,000 prior + ~7,463 + 7,400 planned > 45,880: the decision to give is refused
expect_exit 8 -- "$L" record decide --user inv1 --patient "$P" --cycle 2 --date 2026-01-12
expect_err "cycle 2 of $P would pass the protocol's cumulative limit: 4 x 8000 MBq prior \+ 74[0-9]{2} \+ 7400 planned = 46[0-9]{3} MBq > 45880 MBq limit \(the limit counts prior PRRT\)"
expect_exit 0 -- "$L" audit verify
# the same trial with a protocol whose limit is the trial's own cycles: allowed
jq '.dosing.includes_prior_prrt = false' "$NR" >"$TMP/nr-own.json"
nr_trial "$TMP/nr-own.json" && ok || bad "NET RETREAT trial without prior PRRT in the limit"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --cycle 1 --date 2025-11-17
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$P" 1 2025-11-18 7400 7630)
panel "$P" 2026-01-05 231 && ok || bad "panel NR C2"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --cycle 2 --date 2026-01-12 --json
expect_jq '.action == "give_full"'
# a protocol that lets an investigator acknowledge passing the limit: the decision is kept
# with the arithmetic, the administration waits for the acknowledgement
jq '.dosing.cumulative_limit_acknowledgeable = true' "$NR" >"$TMP/nr-ack.json"
nr_trial "$TMP/nr-ack.json" && ok || bad "NET RETREAT trial with acknowledgeable limit"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --cycle 1 --date 2025-11-17
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$P" 1 2025-11-18 7400 7630)
panel "$P" 2026-01-05 231 && ok || bad "panel NR C2"
expect_exit 0 -- "$L" record decide --user inv1 --patient "$P" --cycle 2 --date 2026-01-12 --json
expect_jq '.action == "give_full" and (.reasons | map(select(.rule == "cumulative_limit")) | length == 1)'
expect_out '4 x 8000 MBq prior \+ 74[0-9]{2} \+ 7400 planned = 46[0-9]{3} MBq > 45880 MBq limit'
expect_exit 8 -- "$L" record administration --user nuc1 $(adm "$P" 2 2026-01-13 7400 7550)
expect_err "4 x 8000 MBq prior \+ 74[0-9]{2} \+ 73[0-9]{2} this administration = 46[0-9]{3} MBq > 45880 MBq limit.*an investigator may acknowledge it"
# an acknowledgement of the activity alone does not pass the limit
expect_exit 0 -- "$L" record deviation --user inv1 --patient "$P" --cycle 2 --activity 7500 --reason "activity only"
expect_exit 8 -- "$L" record administration --user nuc1 $(adm "$P" 2 2026-01-13 7400 7550)
expect_err "would pass the protocol's cumulative limit"
expect_exit 0 -- "$L" record deviation --user inv1 --patient "$P" --cycle 2 --activity 7500 \
    --past-cumulative-limit yes --reason "tumour board: full second cycle despite 32 GBq prior" 
expect_out "past the cumulative limit"
expect_exit 0 -- "$L" record administration --user nuc1 $(adm "$P" 2 2026-01-13 7400 7550)
expect_exit 2 -- "$L" record deviation --user inv1 --patient "$P" --cycle 2 --activity 7500 \
    --past-cumulative-limit maybe --reason "x"
expect_err "past-cumulative-limit: expected yes or no, found 'maybe'"
expect_exit 0 -- "$L" audit verify
# a prior PRRT without an activity (screening then needs the investigator's review of I3, which
# confirmation gives): the limit cannot be checked, and nothing is given
jq 'map(.treatments[1] |= del(.value, .unit))' "$TMP/nr.json" >"$TMP/nr-gap.json"
nr_trial "$NR" "$TMP/nr-gap.json" 2>"$TMP/err" && bad "a patient whose PRRT exposure is unknown was randomised"
expect_err "the screening verdict of 'N1' is needs_review \(unknown: I3\)"
# and should a protocol let such a patient in (here without I3's whole-history bound), the
# dose side still refuses to go ahead
jq '.criteria.I3.rule.all |= map(select(.derived != "prrt_activity" or .op != "<="))' "$NR" \
   >"$TMP/nr-nobound.json"
nr_trial "$TMP/nr-nobound.json" "$TMP/nr-gap.json" 2>"$TMP/err" && ok ||
  bad "NET RETREAT trial with a PRRT gap: $(cat "$TMP/err")"
expect_exit 6 -- "$L" record decide --user inv1 --patient "$P" --cycle 1 --date 2025-11-17
expect_err "nr-gap.json: \[[0-3]\]\.treatments\[1\]: prior PRRT of $P on 2022-10-02 has no activity in MBq \(found no value\).*cannot be checked"
# a mistyped member is named
jq '.dosing.includes_prior_prrt = "yes"' "$NR" >"$TMP/nr-bad.json"
expect_exit 1 -- "$L" protocol check "$TMP/nr-bad.json"
expect_out "nr-bad.json:[0-9]+:[0-9]+: dosing.includes_prior_prrt: expected true or false"
finish
