#!/bin/sh
# RECIST 1.1 measurements and QLQ-C30 questionnaires recorded in the trial store: a patient whose
# scans go baseline -> PR -> PD by their measurements gets those responses from
# `endpoints --response` on the store, and NET RETREAT's PFS (progression or death) has its
# event at the PD scan; a stored questionnaire is scored as `endpoints --qol` scores files;
# malformed lesions and out-of-range answers are refused naming the option.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
setup_trial || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" R 2 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
"$L" randomise --user coord1 --patient R1 --date 2025-11-02 >/dev/null || bad "randomise"
"$L" record anchor --user coord1 --patient R1 --anchor liver_resection --date 2025-09-10 >/dev/null || bad "anchor"
P="--user coord1 --patient R1 --modality ct"

# malformed lesions: the option and what it expects
expect_exit 2 -- "$L" record assessment $P --date 2025-11-10 --target L1:liver
expect_err -- "--target: expected ID:ORGAN:MM"
expect_exit 2 -- "$L" record assessment $P --date 2025-11-10 --target L1:liver:big
expect_err -- "--target: expected ID:ORGAN:MM .*'big' is not a diameter"
expect_exit 2 -- "$L" record assessment $P --date 2025-11-10 --target N1:lymph_node:20
expect_err -- "use --node ID:MM"
expect_exit 2 -- "$L" record assessment $P --date 2025-11-10 --node N1:20:3
expect_err -- "--node: expected ID:MM"
expect_exit 2 -- "$L" record assessment $P --date 2025-11-10 --non-target B1:bone:growing
expect_err -- "--non-target: expected .*found status 'growing'"
# RECIST's baseline rules: a 6 mm lesion cannot be a target
expect_exit 4 -- "$L" record assessment $P --date 2025-11-10 --target L1:liver:6
expect_err "target lesion L1 measures 6.0 mm; RECIST 1.1 needs >= 10 mm"

# baseline 30 + 20 + node 20 = 70 mm; 20 + 12 + 12 = 44 (-37%: PR); 30 + 15 + 12 = 57
# (+13 mm, +29.5% over the nadir 44: PD)
expect_exit 0 -- "$L" record assessment $P --date 2025-11-10 --target L1:liver:30 --target L2:liver:20 --node N1:20 --non-target B1:bone:present
expect_out "RECIST 1.1: baseline, sum of target diameters 70 mm"
expect_no_out "NE"
expect_exit 0 -- "$L" record assessment $P --date 2026-01-10 --target L1:liver:20 --target L2:liver:12 --node N1:12 --non-target B1:bone:present
expect_out "RECIST 1.1: PR, sum of target diameters 44 mm"
expect_exit 0 -- "$L" record assessment $P --date 2026-03-10 --target L1:liver:30 --target L2:liver:15 --node N1:12 --non-target B1:bone:present
expect_out "RECIST 1.1: PD, sum of target diameters 57 mm"
expect_exit 2 -- "$L" record assessment $P --date 2026-03-10 --target L1:liver:30 --target L2:liver:16 --node N1:12 --non-target B1:bone:present
expect_err "needs a reason"
# a lesion the baseline lacks: refused, nothing stored
expect_exit 4 -- "$L" record assessment $P --date 2026-04-10 --target L7:lung:15
expect_err "not in the baseline"

# the stored record in the outcomes format, and the responses from the store
expect_exit 0 -- "$L" outcomes --user stat1 --patient R1
expect_jq '.patients[0].assessments | length == 3 and (.[0].lesions | length == 4) and .[0].lesions[2].nodal == true and .[2].lesions[0].mm == 30'
cp "$TMP/out" "$TMP/r1.json"
expect_exit 0 -- "$L" endpoints --response --json --user stat1
expect_jq '[.rows[] | select(.patient == "R1") | .overall] == ["baseline", "PR", "PD"]'
expect_jq '[.rows[] | select(.patient == "R1") | .sum_mm] == [70, 44, 57]'
# the same as the file-based verb gives for the exported record
expect_exit 0 -- "$L" endpoints --response --csv --user stat1
cp "$TMP/out" "$TMP/store.csv"
expect_exit 0 -- "$L" endpoints --response --csv --events "$TMP/r1.json"
cmp -s "$TMP/out" "$TMP/store.csv" && ok || bad "store and file responses differ"
expect_exit 2 -- "$L" endpoints --response --events "$TMP/r1.json" --user stat1
expect_err "not both"

# NET RETREAT's PFS (progression or death from randomisation) on the exported record: the
# event is the PD scan, 2025-11-02 -> 2026-03-10 = 128 days
expect_exit 0 -- "$L" endpoints --protocol "$SRC/protocols/net-retreat.json" --events "$TMP/r1.json" --endpoint PFS --json
expect_jq '.rows[0].event == 1 and .rows[0].time == 128 and .rows[0].reason == "progression"'
expect_exit 0 -- "$L" endpoints --protocol "$SRC/protocols/net-retreat.json" --events "$TMP/r1.json" --endpoint PFS --json --cutoff 2026-02-01
expect_jq '.rows[0].event == 0 and .rows[0].end == "2026-01-10"'

# QLQ-C30: items 1-5 all 2 (PF raw 2: (1 - 1/3) x 100 = 66.7), 29 = 5 and 30 = 6 (QL raw 5.5:
# 4.5/6 x 100 = 75), item 11 unanswered (insomnia not scored)
Q="--user coord1 --patient R1 --instrument qlq_c30"
expect_exit 2 -- "$L" record questionnaire $Q --date 2026-01-10 --items 2,2,2,2,5,1,1,1,1,1,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,6
expect_err -- "--items: item 5: expected an answer from 1 to 4"
expect_exit 2 -- "$L" record questionnaire $Q --date 2026-01-10 --items 2,2,2,2,2,1,1,1,1,1,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,8
expect_err -- "item 30: expected an answer from 1 to 7"
expect_exit 2 -- "$L" record questionnaire $Q --date 2026-01-10 --items 2,2,2
expect_err -- "--items: expected 30 comma-separated answers .*found 3"
expect_exit 2 -- "$L" record questionnaire $Q --date 2026-01-10 --instrument eq5d --items 1
expect_err -- "--instrument: expected qlq_c30"
expect_exit 7 -- "$L" record questionnaire --user mon1 --patient R1 --date 2026-01-10 --items 2,2,2,2,2,1,1,1,1,1,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,6
expect_exit 0 -- "$L" record questionnaire $Q --date 2026-01-10 --items 2,2,2,2,2,1,1,1,1,1,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,6
expect_exit 0 -- "$L" endpoints --qol --json --user stat1
expect_jq '.rows[0].patient == "R1" and (.rows[0].PF * 10 | round) == 667 and .rows[0].QL == 75 and .rows[0].SL == null'
expect_exit 0 -- "$L" outcomes --user stat1 --patient R1
expect_jq '.patients[0].questionnaires[0].items[10] == null and .patients[0].questionnaires[0].items[29] == 6'
# the audit trail: one record per stored write, none for the refused ones
expect_exit 0 -- "$L" audit log --user admin
expect_out "coord1 +coordinator +S1 +questionnaire +questionnaire R1/2026-01-10"
[ "$(grep -c ' assessment R1/' "$TMP/out")" = 3 ] && ok || bad "three assessment audit records: $(grep ' assessment R1/' "$TMP/out")"
[ "$(grep -c ' questionnaire R1/' "$TMP/out")" = 1 ] && ok || bad "one questionnaire audit record"
finish
