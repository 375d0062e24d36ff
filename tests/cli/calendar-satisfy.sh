#!/bin/sh
# Work recorded is work done (issue 10): a lab panel, a tumour assessment or a questionnaire
# recorded inside a calendar entry's window satisfies it without `record actual`; outside it,
# the entry is overdue once its window has closed; `schedule` and `due` judge as of today
# unless told otherwise (dates computed from `date -u +%F`, so the test does not age);
# NELMAS arm B's blood tests before cycle 1 never open before the randomisation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" S 2 small_intestine R0
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
# with the test seed both patients of this stratum are allocated arm B
"$L" randomise --user coord1 --patient S1 --date 2026-11-02 >"$TMP/out" || bad "randomise S1"
expect_out "arm B"
"$L" randomise --user coord1 --patient S2 --date 2026-11-02 >"$TMP/out" || bad "randomise S2"
expect_out "arm B"

panel() { # panel PATIENT DATE: the label's pre-dose panel, all on one day
    for a in "hemoglobin 13 g/dL" "wbc 6 10^9/L" "platelets 230 10^9/L" "creatinine 0.9 mg/dL" \
             "alt 20 U/L" "ast 22 U/L" "albumin 4.1 g/dL" "bilirubin 0.6 mg/dL"; do
        set -- "$1" "$2" $a
        "$L" record lab --user coord1 --patient "$1" --date "$2" --analyte "$3" --value "$4" \
            --unit "$5" >/dev/null || { bad "lab $3 on $2"; return 1; }
        set -- "$1" "$2"
    done
}

# S1: resection 2026-09-28, randomised 2026-11-02 (5 weeks later). C1 is due 6 weeks after the
# resection (2026-11-09, window from 2026-10-26); its blood tests 3 weeks before it would be
# 2026-10-12..2026-10-26, before the randomisation: the window opens on 2026-11-02 and closes a
# week later (2026-11-09, never after C1).
"$L" record anchor --user coord1 --patient S1 --anchor liver_resection --date 2026-09-28 --reason "operation note" >/dev/null || bad "anchor"
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20 --json
expect_jq '[.visits[] | select(.id == "labs_C1")][0] | .kind == "lab" and .earliest == "2026-11-02" and .latest == "2026-11-09" and .clamped == true and .not_before_by == "randomisation"'
expect_jq '[.visits[] | select(.id == "C1")][0] | .earliest == "2026-11-02" and .latest == "2026-11-23"'
# a panel inside the protocol's own window but before the randomisation does not count
panel S1 2026-10-20
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20 --json
expect_jq '[.visits[] | select(.id == "labs_C1")][0] | .status == "overdue" and .record == null and .deviation == true'
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20
expect_out '^labs_C1 +lab +2026-11-02  2026-11-02\.\.2026-11-09  - +overdue'
expect_out 'labs_C1 overdue: overdue: nothing recorded and its window closed on 2026-11-09'
# one analyte missing from the panel: not yet done
"$L" record lab --user coord1 --patient S1 --date 2026-11-04 --analyte platelets --value 210 --unit 10^9/L >/dev/null || bad "lab"
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20 --json
expect_jq '[.visits[] | select(.id == "labs_C1")][0].status == "overdue"'
# the whole panel that day: done by it, without `record actual`
panel S1 2026-11-05
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20 --json
expect_jq '[.visits[] | select(.id == "labs_C1")][0] | .status == "done" and .actual == "2026-11-05" and (.record | startswith("S1/2026-11-05/")) and .deviation == false'
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20
expect_out '^labs_C1 +lab .* done +Blood tests before cycle 1; by S1/2026-11-05/'
expect_out 'labs_C1 done: its protocol window 2026-10-12\.\.2026-10-26 opened before randomisation on 2026-11-02'
# a questionnaire inside the baseline window (randomisation +-14 days) is the baseline QLQ-C30
ITEMS=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,6,6
"$L" record questionnaire --user coord1 --patient S1 --date 2026-11-06 --items "$ITEMS" >/dev/null || bad "questionnaire"
expect_exit 0 -- "$L" schedule S1 --user coord1 --as-of 2026-11-20 --json
expect_jq '[.visits[] | select(.id == "qol_baseline")][0] | .status == "done" and .record == "S1/2026-11-06"'
# a visit has no record of its own: `record actual` stays for it
expect_jq '[.visits[] | select(.id == "screening")][0] | .status == "overdue" and .record == null'

# S2, dated from today: resection 120 days ago, so the first liver MRI (3 months after, +-14
# days) closed about two weeks ago and the second is two months ahead.
TODAY=$(date -u +%F)
RES=$(date -u -d "$TODAY - 120 days" +%F)
MRI1=$(date -u -d "$RES + 3 months" +%F)
MRI1_OPEN=$(date -u -d "$MRI1 - 14 days" +%F)
"$L" record anchor --user coord1 --patient S2 --anchor liver_resection --date "$RES" --reason "operation note" >/dev/null || bad "anchor S2"
# without --as-of: today; the MRI whose window closed is overdue, the next one planned
expect_exit 0 -- "$L" schedule S2 --user coord1 --json
expect_jq '[.visits[] | select(.id == "mri_year1.1")][0].status == "overdue"'
expect_jq '[.visits[] | select(.id == "mri_year1.2")][0].status == "planned"'
expect_jq '.deviations | index("mri_year1.1") != null'
# the same as of a day its window was open: planned, no deviation
expect_exit 0 -- "$L" schedule S2 --user coord1 --as-of "$MRI1_OPEN" --json
expect_jq '[.visits[] | select(.id == "mri_year1.1")][0].status == "planned"'
expect_jq '.deviations | index("mri_year1.1") == null'
# a scan outside the window (a week before it opens) leaves it overdue
BEFORE=$(date -u -d "$MRI1_OPEN - 7 days" +%F)
"$L" record assessment --user coord1 --patient S2 --date "$BEFORE" --modality mri_liver --target L1:liver:20 >/dev/null || bad "scan before"
expect_exit 0 -- "$L" schedule S2 --user coord1 --json
expect_jq '[.visits[] | select(.id == "mri_year1.1")][0] | .status == "overdue" and .record == null'
# a liver MRI inside the window is the entry done, without `record actual`
"$L" record assessment --user coord1 --patient S2 --date "$MRI1" --modality mri_liver --target L1:liver:20 >/dev/null || bad "scan"
expect_exit 0 -- "$L" schedule S2 --user coord1 --json
expect_jq "[.visits[] | select(.id == \"mri_year1.1\")][0] | .status == \"done\" and .actual == \"$MRI1\" and .record == \"S2/$MRI1\""
expect_jq '.deviations | index("mri_year1.1") == null'
# the PET of that month is another modality: the MRI does not satisfy it
expect_jq '[.visits[] | select(.kind == "imaging" and .record != null)] | length == 1'

# due: from today, four weeks, unless told; overdue entries are listed as such
END=$(date -u -d "$TODAY + 27 days" +%F)
expect_exit 0 -- "$L" due --user coord1
expect_out "due from $TODAY to $END"
expect_out '^  S1 +screening .* OVERDUE'
expect_exit 0 -- "$L" due --user coord1 --json
expect_jq "[.entries[] | select(.patient == \"S2\" and .entry == \"mri_year1.2\")] | length == 0 or (.[0].status == \"planned\")"
expect_jq '[.entries[] | select(.patient == "S1" and .entry == "labs_C1")] | length == 0'
expect_jq '[.entries[] | select(.patient == "S2" and .entry == "mri_year1.1")] | length == 0'
# a bad period is still refused
expect_exit 2 -- "$L" due --user coord1 --from 2026-12-10 --to 2026-12-01

# protocol show lists the calendar, with what satisfies each entry and the choices made
expect_exit 0 -- "$L" protocol show "$SRC/protocols/nelmas.json"
expect_out '^  labs_C1 +lab +arm B only: C1 - 3 weeks, window -1 weeks / \+1 weeks; panel: hemoglobin, wbc, platelets'
expect_out '^  labs_nadir_C2 +lab +arm B only: C2 \+ 6 weeks, window -2 weeks / \+2 weeks'
expect_out '^  safety_C1 +visit +arm B only: C1 \+ 5 weeks'
expect_out '^  pet +imaging .*modalities: ga68, pet'
expect_out '^  schedule.items.safety_C2 \(post-cycle-safety\): arm B: a safety visit 4-6 weeks after C1'
expect_exit 0 -- "$L" protocol show "$SRC/protocols/net-retreat.json"
expect_out '^  response +imaging +randomisation \+ 12 weeks, window -1 weeks / \+1 weeks, every 12 weeks until 156 weeks; modalities: ct, mri'
expect_out '^  qol +questionnaire +randomisation \+ 12 weeks'
expect_out '^  survival +visit +progression \+ 3 months'
expect_out '^  a recorded progression stops: treatment lab imaging questionnaire$'
expect_out '^  schedule.items.response \(schedule-response\)'
expect_exit 0 -- "$L" protocol show "$SRC/protocols/nct04544098.json"
expect_out '^  pet_baseline +imaging +randomisation \+ 0 days, window -12 weeks'
expect_out '^  labs_C1 +lab +C1 - 3 weeks, window -1 weeks / \+1 weeks; not before randomisation'
expect_out '^  schedule.items.survival \(schedule-survival\)'
# a progression is an event, not an anchor a coordinator types in
expect_exit 2 -- "$L" record anchor --user coord1 --patient S1 --anchor progression --date 2026-11-10
expect_err "'progression' is an outcome event"
finish
