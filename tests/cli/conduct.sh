#!/bin/sh
# `lutetia record ...` and `lutetia outcomes` on a real trial database: who may record what,
# corrections with reasons, the dose decision from the stored labs, an administration that
# needs its warnings acknowledged, a recurrence ending the patient, and the stored records
# read back by the file-based schedule and endpoints verbs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
# a known seed (trial init --seed-hex): the allocations below are known in advance, so that no
# assertion of this script depends on chance
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
# four NELMAS patients a year before the example's dates (same intervals)
make_patients "$TMP/p.json" Q 4 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
expect_exit 2 -- "$L" randomise --user coord1 --patient Q1 --date 2025-10-30
expect_err "before the eligibility confirmation"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >>"$TMP/alloc" || bad "randomise Q$i"; done
# TEST_SEED puts the four (one stratum) in one block of 4, B B A A (docs/store.md: the block's
# bytes come from SHA-256(seed || "lutetia/permuted-block/v1" ...)): a change to how a seed
# becomes arms fails here, where "both arms appear" held for any seed
[ "$(grep -o 'arm [AB] (allocation [0-9])' "$TMP/alloc" | tr '\n' ' ')" = \
  "arm B (allocation 1) arm B (allocation 2) arm A (allocation 3) arm A (allocation 4) " ] &&
    ok || bad "TEST_SEED's allocations: $(cat "$TMP/alloc")"
expect_exit 0 -- "$L" patient show Q4 --user admin --json
expect_jq '.allocation | [.block, .position, .block_size] == [0, 3, 4]'
B=Q1
A=Q3

# help and usage
expect_exit 0 -- "$L" record --help
expect_out "administration --cycle N"
expect_exit 2 -- "$L" record lab --user coord1 --patient "$B" --date 2025-11-02 --analyte platelets
expect_err -- "--value is required"
expect_exit 2 -- "$L" record vitals --user coord1 --patient "$B"
expect_exit 2 -- "$L" record lab --user coord1 --patient "$B" --date 2025-11-02 --analyte platelets --value 1 --colour blue
expect_err "unknown option --colour"

# roles and sites
expect_exit 7 -- "$L" record lab --user mon1 --patient "$B" --date 2025-11-02 --analyte platelets --value 200
expect_err "a monitor cannot record laboratory results"
expect_exit 7 -- "$L" record lab --user coord2 --patient "$B" --date 2025-11-02 --analyte platelets --value 200
expect_err "not bound to site 'S1'"

for id in Q1 Q2 Q3 Q4; do
  expect_exit 0 -- "$L" record anchor --user coord1 --patient "$id" --anchor liver_resection --date 2025-09-10
  expect_exit 0 -- "$L" record profile --user coord1 --patient "$id" --birth-date 1962-03-14 --sex female --weight 68
done
expect_exit 2 -- "$L" record anchor --user coord1 --patient "$B" --anchor surgery --date 2025-09-10
expect_err "not an anchor of the protocol"

# labs graded by CTCAE v5.0 (platelets 62 with LLN 150: grade 2), SI units converted
panel() { # panel PATIENT DATE PLATELETS
  for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
           "lymphocytes 1.6 10^9/L 1 4" "platelets $3 10^9/L 150 400" "creatinine 72 umol/L 44 97" \
           "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
    set -- "$1" "$2" "$3" $a
    "$L" record lab --user coord1 --patient "$1" --date "$2" --analyte "$4" --value "$5" --unit "$6" --lln "$7" --uln "$8" >/dev/null || return 1
  done
}
panel "$B" 2025-10-28 231 && ok || bad "panel"
expect_exit 0 -- "$L" record lab --user coord1 --patient "$B" --date 2025-10-29 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400 --json
expect_jq '.grade == 2 and .term == "Platelet count decreased"'
expect_exit 2 -- "$L" record lab --user coord1 --patient "$B" --date 2025-10-29 --analyte platelets --value 63 --unit 10^9/L --lln 150 --uln 400
expect_err "a correction needs a reason"
expect_exit 0 -- "$L" record lab --user coord1 --patient "$B" --date 2025-10-29 --analyte platelets --value 232 --unit 10^9/L --lln 150 --uln 400 --reason "wrong tube"
expect_out "grade 0"
expect_exit 2 -- "$L" record lab --user coord1 --patient "$B" --date 2025-10-29 --analyte platelets --value 62 --unit g/L
expect_err "unit 'g/L' is not accepted for platelets"

# the dose decision reads the stored history; the administration needs it
expect_exit 6 -- "$L" record administration --user nuc1 --patient "$B" --cycle 1 --prescribed 7400 \
   --before 7550 --before-at 2025-11-04T08:30:00Z --residual 150 --residual-at 2025-11-04T09:45:00Z \
   --start 2025-11-04T09:00:00Z --end 2025-11-04T09:30:00Z --no-ssa-long --no-ssa-short \
   --amino-start 2025-11-04T08:15:00Z --amino-end 2025-11-04T13:00:00Z
expect_err "no dose decision for cycle 1"
expect_exit 7 -- "$L" record decide --user coord1 --patient "$B" --cycle 1 --date 2025-11-03
expect_exit 0 -- "$L" record decide --user inv1 --patient "$B" --cycle 1 --date 2025-11-03 --json
expect_jq '.action == "give_full" and .activity_mbq == 7400'
expect_exit 2 -- "$L" record decide --user inv1 --patient "$A" --cycle 1 --date 2025-11-03
expect_err "arm A of patient $A has no treatment cycle 1"
# warnings must be acknowledged: the amino acids stopped too early
ADM="--patient $B --cycle 1 --prescribed 7400 --before 7550 --before-at 2025-11-04T08:30:00Z
     --residual 150 --residual-at 2025-11-04T09:45:00Z --start 2025-11-04T09:00:00Z
     --end 2025-11-04T09:30:00Z --no-ssa-long --no-ssa-short --amino-start 2025-11-04T08:15:00Z
     --amino-end 2025-11-04T11:00:00Z"
expect_exit 6 -- "$L" record administration --user nuc1 $ADM
expect_err "amino_acids_short"
expect_exit 7 -- "$L" record administration --user inv1 $ADM --ack "amino_acids_short=infusion stopped for nausea"
expect_exit 0 -- "$L" record administration --user nuc1 $ADM --ack "amino_acids_short=infusion stopped for nausea" --json
# Lu-177 (6.647 d): 7550 MBq at 08:30 and 150 MBq at 09:45, both at 09:00
expect_jq '(.administered_mbq - (7550 * pow(2; -0.5 / 159.528) - 150 * pow(2; 0.75 / 159.528)) | fabs) < 1e-6'
expect_jq '.warnings[0].code == "amino_acids_short" and .warnings[0].acknowledged'
expect_exit 0 -- "$L" patient show --user coord1 "$B" --json
expect_jq '.patient.state == "on_treatment" and .patient.treatment_on == "2025-11-04"'

# events: recurrence ends the patient and stops treatment; death is still recorded
expect_exit 2 -- "$L" record event --user coord1 --patient "$B" --type recurrence --date 2026-02-02
expect_err "needs its site"
expect_exit 0 -- "$L" record assessment --user coord1 --patient "$B" --date 2026-02-02 --modality mri_liver --new-lesions
expect_exit 0 -- "$L" record event --user coord1 --patient "$B" --type recurrence --date 2026-02-02 --site liver
expect_exit 0 -- "$L" patient show --user coord1 "$B" --json
expect_jq '.patient.state == "ended" and .patient.end_reason == "recurrence" and .patient.end_on == "2026-02-02"'
expect_exit 6 -- "$L" record decide --user inv1 --patient "$B" --cycle 2 --date 2026-02-10
expect_err "stopped: recurrence on 2026-02-02"
expect_exit 0 -- "$L" record event --user coord1 --patient "$B" --type death --date 2026-05-01 --cause disease
expect_exit 6 -- "$L" record event --user coord1 --patient "$B" --type next_therapy --date 2026-05-03 --therapy everolimus
expect_err "died on 2026-05-01"
expect_exit 0 -- "$L" record ae --user coord1 --patient "$B" --term Nausea --grade 1 --start 2025-11-05 --related probable
expect_out "adverse event AE001"
expect_exit 2 -- "$L" record ae --user coord1 --patient "$B" --term Nausea --grade 7 --start 2025-11-05
# the term comes from CTCAE v5.0's list (data/ctcae-v5-terms.json): a misspelling is refused
# with the nearest term; a word the list maps (stomatitis) is coded, its words kept; a class's
# "Other, specify" needs the event's words
expect_exit 2 -- "$L" record ae --user coord1 --patient "$B" --term Nausae --grade 1 --start 2025-11-05
expect_err "'Nausae' is not a CTCAE v5.0 term.*did you mean 'Nausea'"
expect_exit 0 -- "$L" record ae --user coord1 --patient "$B" --term "platelet COUNT decreased" --grade 1 --start 2025-11-06
expect_out 'recorded \(Platelet count decreased, grade 1\)'
expect_exit 0 -- "$L" record ae --user coord1 --patient "$B" --term stomatitis --grade 1 --start 2025-11-06
expect_out 'recorded \(Mucositis oral, grade 1\)'
expect_exit 2 -- "$L" record ae --user coord1 --patient "$B" --term "Gastrointestinal disorders - Other, specify" --grade 1 --start 2025-11-06
expect_err 'needs the event.s own words \(--specify TEXT\)'
expect_exit 0 -- "$L" record ae --user coord1 --patient "$B" --term "Gastrointestinal disorders - Other, specify" \
    --specify "bile reflux" --grade 1 --start 2025-11-06
expect_exit 0 -- "$L" list aes --user coord1 --patient "$B" --json
expect_jq '[.rows[] | .term] | index("Mucositis oral") != null and index("Gastrointestinal disorders - Other, specify") != null'
expect_exit 0 -- "$L" audit log --user admin --patient "$B" --json
expect_jq '[.[] | select(.entity == "adverse_event") | .new] | map(select(.term == "Mucositis oral")) | .[0] | .verbatim == "stomatitis" and .meddra == "10028130" and .soc == "Gastrointestinal disorders"'
expect_jq '[.[] | select(.entity == "adverse_event") | .new] | map(select(.term == "Nausea")) | .[0] | .meddra == "10028813"'

# the control patient's follow-up
expect_exit 0 -- "$L" record actual --user coord1 --patient "$A" --entry mri_year1.1 --date 2025-12-12
expect_exit 0 -- "$L" record assessment --user coord1 --patient "$A" --date 2025-12-12 --modality mri_liver
expect_exit 2 -- "$L" record actual --user coord1 --patient "$A" --entry mri_year9.1 --date 2025-12-12
expect_err "not an entry of patient $A's calendar"

# read back: the outcomes file the file-based verbs read
expect_exit 0 -- "$L" outcomes --user stat1
cp "$TMP/out" "$TMP/outcomes.json"
expect_jq '.format == "lutetia-outcomes" and (.patients | length) == 4'
expect_jq '[.patients[].anchors.randomisation] == ["2025-11-02", "2025-11-02", "2025-11-02", "2025-11-02"]'
expect_jq "(.patients[] | select(.id == \"$B\") | .visits.C1) == \"2025-11-04\""
expect_jq "(.patients[] | select(.id == \"$B\") | [.events[].type]) == [\"recurrence\", \"death\"]"
expect_exit 0 -- "$L" outcomes --user coord2
expect_jq '(.patients | length) == 0'
expect_exit 0 -- "$L" endpoints --protocol "$NELMAS" --events "$TMP/outcomes.json" --endpoint DFS --csv
expect_out "^$B,B,other,R0,145,1,4.7639,2025-09-10,2026-02-02,recurrence,1$"
expect_out "^$A,A,other,R0,93,0,3.0554,2025-09-10,2025-12-12,last_assessment,0$"
expect_exit 0 -- "$L" schedule --protocol "$NELMAS" --events "$TMP/outcomes.json" "$B" --json
expect_jq '.stopped != null and ([.visits[] | select(.id == "mri_year1.2") | .status] == ["cancelled"])'

# the same straight from the trial store: calendar, .ics, due list, endpoint dataset, analysis
expect_exit 0 -- "$L" schedule "$B" --user coord1 --json
expect_jq '.stopped == "2026-02-02" and ([.visits[] | select(.id == "mri_year1.2") | .status] == ["cancelled"])'
expect_jq '[.visits[] | select(.id == "C1") | .actual] == ["2025-11-04"]'
expect_exit 0 -- "$L" schedule "$A" --user coord1
expect_out "patient $A, arm A"
expect_exit 0 -- "$L" schedule "$A" --user coord1 --ics "$TMP/a.ics"
grep -q "^BEGIN:VCALENDAR" "$TMP/a.ics" && grep -q "UID:$A.mri_year1.2@nelmas.lutetia" "$TMP/a.ics" && ok || bad "ics"
expect_exit 7 -- "$L" schedule "$A" --user coord2
expect_exit 0 -- "$L" due --from 2026-03-01 --to 2026-03-05 --user coord1 --json
expect_jq "[.entries[] | select(.patient == \"$A\" and .entry == \"mri_year1.2\")] | length == 1"
expect_jq "[.entries[] | select(.patient == \"$B\" and .entry == \"mri_year1.2\")] | length == 0"
expect_exit 0 -- "$L" due --from 2026-03-01 --to 2026-03-05 --user coord2
expect_out "^0 entries"
expect_exit 2 -- "$L" due --from 2026-03-05 --to 2026-03-01 --user coord1
expect_exit 0 -- "$L" endpoints --endpoint DFS --user stat1 --csv
expect_out "^patient,arm,primary_site,resection_margin,time,event,time_months,origin,end,reason,arm_B$"
expect_out "^$B,B,other,R0,145,1,4.7639,2025-09-10,2026-02-02,recurrence,1$"
expect_exit 0 -- "$L" endpoints --endpoint os --user stat1 --json
expect_jq ".endpoint == \"OS\" and .events == 1 and ([.rows[] | select(.patient == \"$B\") | .end] == [\"2026-05-01\"])"
expect_exit 5 -- "$L" endpoints --endpoint PFS --user stat1
expect_err "no endpoint 'PFS' in the protocol \(endpoints: DFS, DFS_LIVER, OS, TTR, TTNT\)"
expect_exit 0 -- "$L" analyse km --endpoint DFS --user stat1 --json
expect_jq '.n == 4 and ([.curves[].strata] == ["arm=A", "arm=B"])'
expect_exit 0 -- "$L" analyse logrank --endpoint DFS --user stat1 --json
expect_jq '.N == [2, 2] and .observed == [0, 1]'
# (the one event's risk set holds arm B only: the model is not estimable, and says so)
expect_exit 12 -- "$L" analyse cox --endpoint DFS --user stat1 --covariates arm_B --json
expect_err "singular"
expect_exit 2 -- "$L" analyse km "$TMP/outcomes.json" --endpoint DFS --time time --event event
expect_exit 2 -- "$L" analyse km x.csv --time time --event event --cutoff 2026-01-01

# the audit trail holds every record and verifies
expect_exit 0 -- "$L" audit log --user admin --json --patient "$B"
expect_out '"action":"lab.correct"'
expect_out '"action":"event.recurrence"'
expect_out '"reason":"wrong tube"'
expect_exit 0 -- "$L" audit verify
finish
