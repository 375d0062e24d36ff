#!/bin/sh
# `lutetia list KIND` and the casebook of `patient show`: every listing with --patient, --site,
# --from/--to, --csv and --json; who recorded each row; a monitor of site S1 gets for a
# patient or site of S2 the answer a patient or site that does not exist gets; a role that may
# not read a listing is refused; the casebook in date order with the recorder.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
# NELMAS with NCT04544098's proportion endpoints as its file defines them (TOX_G3,
# COMPLETED_4, ORR), so that one trial with two arms shows them overall and per arm
jq --slurpfile n "$SRC/protocols/nct04544098.json" \
   '.endpoints += ($n[0].endpoints | {TOX_G3, COMPLETED_4, ORR})' "$NELMAS" >"$TMP/nelmas-prop.json"
NELMAS="$TMP/nelmas-prop.json"
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
"$L" user add --name dsmc1 --role safety_committee --all-sites --os-user "$ME" >/dev/null || bad "dsmc1"
make_patients "$TMP/p.json" Q 4 small_intestine R0
make_patients "$TMP/r.json" R 1 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json" "$TMP/r.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready S1"
ready "$TMP/r.json" S2 coord2 inv2 || bad "ready S2"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >/dev/null || bad "randomise Q$i"; done
"$L" randomise --user coord2 --patient R1 --date 2025-11-02 >/dev/null || bad "randomise R1"
# TEST_SEED: Q1 and Q2 are in arm B (tests/cli/conduct.sh)
for id in Q1 Q2; do
  "$L" record anchor --user coord1 --patient $id --anchor liver_resection --date 2025-09-10 >/dev/null &&
  "$L" record profile --user coord1 --patient $id --birth-date 1962-03-14 --sex female --weight 68 >/dev/null || bad "profile $id"
done
for id in Q3 Q4; do
  "$L" record anchor --user coord1 --patient $id --anchor liver_resection --date 2025-09-10 >/dev/null || bad "anchor $id"
done
"$L" record anchor --user coord2 --patient R1 --anchor liver_resection --date 2025-09-10 >/dev/null || bad "anchor R1"
panel() { # panel USER PATIENT DATE PLATELETS
  for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
           "lymphocytes 1.6 10^9/L 1 4" "platelets $4 10^9/L 150 400" "creatinine 0.8 mg/dL 0.5 1.1" \
           "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
    set -- "$1" "$2" "$3" "$4" $a
    "$L" record lab --user "$1" --patient "$2" --date "$3" --analyte "$5" --value "$6" --unit "$7" --lln "$8" --uln "$9" >/dev/null || return 1
  done
}
panel coord1 Q1 2025-10-28 231 && panel inv1 Q2 2025-10-29 240 && panel coord2 R1 2025-10-28 250 || bad "panels"
"$L" record lab --user coord1 --patient Q1 --date 2025-11-10 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400 >/dev/null || bad "lab"
"$L" record lab --user inv1 --patient Q1 --date 2025-11-10 --analyte platelets --value 64 --unit 10^9/L --lln 150 --uln 400 --reason "transcription" >/dev/null || bad "lab correction"
"$L" record ae --user inv1 --patient Q1 --term Nausea --grade 1 --start 2025-11-05 --related probable >/dev/null || bad "ae Q1"
"$L" record ae --user coord2 --patient R1 --term Fatigue --grade 2 --start 2025-11-06 --related possible >/dev/null || bad "ae R1"
"$L" record decide --user inv1 --patient Q1 --cycle 1 --date 2025-11-03 >/dev/null || bad "decide Q1"
"$L" record decide --user nuc1 --patient Q2 --cycle 1 --date 2025-11-03 >/dev/null || bad "decide Q2"
"$L" record deviation --user inv1 --patient Q2 --cycle 1 --activity 7700 --reason "vial overfilled" >/dev/null || bad "deviation"
"$L" record administration --user nuc1 --patient Q1 --cycle 1 --prescribed 7400 --before 7550 \
   --before-at 2025-11-04T08:30:00Z --residual 150 --residual-at 2025-11-04T09:45:00Z \
   --start 2025-11-04T09:00:00Z --end 2025-11-04T09:30:00Z --no-ssa-long --no-ssa-short \
   --amino-start 2025-11-04T08:15:00Z --amino-end 2025-11-04T13:00:00Z >/dev/null || bad "administration"
"$L" record administration --user nuc1 --patient Q2 --cycle 1 --prescribed 7400 --before 7550 \
   --before-at 2025-11-04T08:30:00Z --residual 150 --residual-at 2025-11-04T09:45:00Z \
   --start 2025-11-04T09:00:00Z --end 2025-11-04T09:30:00Z --no-ssa-long --no-ssa-short \
   --amino-start 2025-11-04T08:15:00Z --amino-end 2025-11-04T13:00:00Z >/dev/null || bad "administration Q2"
# Q1: grade 3 thrombocytopenia after C1; a partial response (40 -> 26 mm, -35%)
"$L" record lab --user coord1 --patient Q1 --date 2025-11-12 --analyte platelets --value 40 --unit 10^9/L --lln 150 --uln 400 >/dev/null || bad "lab g3"
"$L" record assessment --user coord1 --patient Q1 --date 2025-10-30 --modality mri_liver --target L1:liver:40 >/dev/null || bad "baseline"
"$L" record assessment --user coord1 --patient Q1 --date 2025-12-01 --modality mri_liver --target L1:liver:26 >/dev/null || bad "assessment"
"$L" record assessment --user coord2 --patient R1 --date 2025-12-02 --modality mri_liver >/dev/null || bad "assessment R1"
"$L" record questionnaire --user coord1 --patient Q1 --date 2025-11-20 \
   --items 1,1,2,1,1,1,1,1,2,2,1,2,1,1,1,1,1,2,1,1,2,2,1,1,1,1,1,1,6,5 >/dev/null || bad "questionnaire"
"$L" record event --user coord1 --patient Q1 --type recurrence --date 2026-02-02 --site liver >/dev/null || bad "event"
"$L" record event --user coord2 --patient R1 --type death --date 2026-03-01 --cause other >/dev/null || bad "event R1"

# help and usage
expect_exit 0 -- "$L" list --help
expect_out "labs, aes, administrations, doses, dispensing, events, assessments, questionnaires, consents, deviations, signatures"
expect_exit 2 -- "$L" list vitals --user coord1
expect_err "no listing 'vitals'"
expect_exit 2 -- "$L" list labs --user coord1 --from 2025-12-01 --to 2025-11-01
expect_exit 2 -- "$L" list labs --user coord1 --csv --json

# labs: every filter, each row with who recorded it
expect_exit 0 -- "$L" list labs --user stat1 --json
expect_jq '.listing == "labs" and .count == 32 and (.rows | length) == 32'
expect_jq '[.rows[].date] == ([.rows[].date] | sort)'
expect_exit 0 -- "$L" list labs --user stat1 --patient Q1 --from 2025-11-01 --to 2025-11-11 --json
expect_jq '.count == 1 and .rows[0].analyte == "platelets" and .rows[0].value == 64 and .rows[0].grade == 2
           and .rows[0].recorded_by == "inv1" and .rows[0].role == "investigator" and .rows[0].rev == 2'
expect_exit 0 -- "$L" list labs --user stat1 --site S2 --csv
expect_out "^patient,site,date,analyte,value,unit,lln,uln,grade,term,recorded_by,role,recorded_at,rev,id$"
[ "$(grep -c '^R1,S2,2025-10-28,' "$TMP/out")" = 10 ] && ok || bad "S2's labs"
expect_no_out "^Q"
expect_exit 0 -- "$L" list labs --user coord1 --from 2025-10-29 --to 2025-10-29
expect_out "^labs: 10 rows$"
expect_out "Q2 +analyte=platelets +value=240 .*\(recorded by inv1, investigator, "
expect_exit 0 -- "$L" list labs --user coord1
expect_out "^labs: 22 rows$"
expect_no_out "R1"

# a monitor of S1: S2's rows are never read; S2's patient and site answer as ones that do not exist
expect_exit 0 -- "$L" list labs --user mon1 --json
expect_jq '.count == 22 and ([.rows[].site] | unique) == ["S1"]'
expect_exit 5 -- "$L" list labs --user mon1 --patient R1
expect_err "no patient 'R1' among the patients you may read"
cp "$TMP/err" "$TMP/err-r1"
expect_exit 5 -- "$L" list labs --user mon1 --patient R9
sed 's/R9/R1/g' "$TMP/err" | cmp -s - "$TMP/err-r1" && ok || bad "another site's patient and no patient differ"
expect_exit 5 -- "$L" list aes --user mon1 --site S2
expect_err "no site 'S2' among the sites you may read"
cp "$TMP/err" "$TMP/err-s2"
expect_exit 5 -- "$L" list aes --user mon1 --site S9
sed 's/S9/S2/g' "$TMP/err" | cmp -s - "$TMP/err-s2" && ok || bad "another site and no site differ"
expect_exit 5 -- "$L" list labs --user coord1 --patient R1 --site S1
expect_exit 5 -- "$L" patient show R1 --user mon1
expect_err "no patient 'R1' among the patients you may read"

# roles: the admin reads no clinical listing; the safety committee no consents or signatures
expect_exit 7 -- "$L" list labs --user admin
expect_err "an admin cannot read the labs listing"
expect_exit 7 -- "$L" list consents --user dsmc1
expect_err "a safety_committee cannot read the consents listing"
expect_exit 7 -- "$L" list signatures --user stat1
expect_exit 7 -- "$L" list questionnaires --user dsmc1
expect_exit 0 -- "$L" list aes --user dsmc1 --json
expect_jq '.count == 2 and ([.rows[].term] == ["Nausea", "Fatigue"])'

# the other listings
expect_exit 0 -- "$L" list aes --user coord1 --patient Q1 --csv
expect_out "^Q1,S1,2025-11-05,Nausea,1,false,probable,2025-11-05,,inv1,investigator,"
expect_exit 0 -- "$L" list aes --user dsmc1 --from 2025-11-06 --json
expect_jq '.count == 1 and .rows[0].patient == "R1" and .rows[0].recorded_by == "coord2"'
expect_exit 0 -- "$L" list doses --user stat1 --json
expect_jq '[.rows[] | [.patient, .cycle, .action, .recorded_by]] == [["Q1", 1, "give_full", "inv1"], ["Q2", 1, "give_full", "nuc1"]]'
expect_exit 0 -- "$L" list doses --user stat1 --patient Q2 --csv
expect_out "^Q2,S1,2025-11-03,1,give_full,7400,"
expect_exit 0 -- "$L" list administrations --user mon1 --json
expect_jq '.count == 2 and .rows[0].cycle == 1 and .rows[0].recorded_by == "nuc1" and .rows[0].role == "nuclear_medicine"
           and (.rows[0].administered_mbq - 7383.1 | fabs) < 0.1'
expect_exit 0 -- "$L" list administrations --user mon1 --from 2025-11-05
expect_out "^administrations: 0 rows$"
expect_exit 0 -- "$L" list administrations --user stat1 --site S1 --patient Q2 --csv
expect_out "^Q2,S1,2025-11-04,1,give_full,Lu-177,7400,"
expect_no_out "^Q1,"
expect_exit 0 -- "$L" list events --user stat1 --json
expect_jq '[.rows[] | [.patient, .date, .type]] == [["Q1", "2026-02-02", "recurrence"], ["R1", "2026-03-01", "death"]]'
expect_exit 0 -- "$L" list events --user stat1 --site S2 --from 2026-01-01 --to 2026-12-31 --csv
expect_out "^R1,S2,2026-03-01,death,,other,,coord2,coordinator,"
expect_exit 0 -- "$L" list assessments --user coord1 --json
expect_jq '.count == 2 and ([.rows[].patient] | unique) == ["Q1"] and .rows[1].modality == "mri_liver"
           and .rows[0].lesions[0].mm == 40'
expect_exit 0 -- "$L" list assessments --user stat1 --patient R1 --from 2025-12-02 --to 2025-12-02 --csv
expect_out "^R1,S2,2025-12-02,mri_liver,false,,coord2,"
expect_exit 0 -- "$L" list questionnaires --user inv1 --patient Q1 --json
expect_jq '.count == 1 and .rows[0].instrument == "qlq_c30" and (.rows[0].items | length) == 30'
expect_exit 0 -- "$L" list questionnaires --user inv1 --to 2025-11-19 --csv
[ "$(wc -l <"$TMP/out")" = 1 ] && ok || bad "questionnaires before the 20th"
expect_exit 0 -- "$L" list consents --user mon1 --json
expect_jq '[.rows[].patient] == ["Q1", "Q2", "Q3", "Q4"] and ([.rows[].recorded_by] | unique) == ["coord1"]'
expect_exit 0 -- "$L" list consents --user coord2 --patient R1 --csv
expect_out "^R1,S2,2025-11-01,v2,consent,,coord2,coordinator,"
expect_exit 0 -- "$L" list deviations --user stat1 --json
expect_jq '.count == 1 and .rows[0].patient == "Q2" and .rows[0].activity_mbq == 7700 and .rows[0].investigator == "inv1"'
expect_exit 0 -- "$L" list deviations --user coord1 --site S1 --to 2000-01-01
expect_out "^deviations: 0 rows$"
expect_exit 0 -- "$L" list signatures --user mon1 --json
expect_jq '[.rows[] | .meaning] | (map(select(. == "eligibility confirmed")) | length) == 4 and index("dose deviation acknowledged") != null'
expect_exit 0 -- "$L" list signatures --user inv2 --patient R1 --csv
expect_out "^R1,S2,2025-11-01,eligibility confirmed,inv2,,inv2,investigator,"
expect_exit 13 -- "$L" list dispensing --user coord1
expect_err "no oral-drug records exist in this store version"

# every listing with every filter at once, as JSON and as CSV: each row is the patient's, of
# the site, inside the range, with who recorded it; the CSV has the same rows
TODAY=$(date -u +%F)
for kp in labs:Q1 aes:Q1 administrations:Q2 doses:Q2 events:Q1 assessments:Q1 questionnaires:Q1 \
          consents:Q1 deviations:Q2 signatures:Q2; do
  k=${kp%:*} p=${kp#*:}
  expect_exit 0 -- "$L" list "$k" --user mon1 --patient "$p" --site S1 --from 2025-10-29 --to "$TODAY" --json
  expect_jq ".count > 0 and .count == (.rows | length) and .patient == \"$p\" and .site == \"S1\"
             and all(.rows[]; .patient == \"$p\" and .site == \"S1\" and .date >= \"2025-10-29\"
                              and .date <= \"$TODAY\" and (.recorded_by | length) > 0 and .rev >= 1)"
  n=$(jq .count "$TMP/out")
  expect_exit 0 -- "$L" list "$k" --user mon1 --patient "$p" --site S1 --from 2025-10-29 --to "$TODAY" --csv
  [ "$(wc -l <"$TMP/out")" = $((n + 1)) ] && [ "$(grep -c "^$p,S1," "$TMP/out")" = "$n" ] && ok ||
      bad "list $k --csv: not the $n rows of the JSON"
  expect_exit 0 -- "$L" list "$k" --user mon1 --patient "$p" --from 2030-01-01 --json
  expect_jq '.count == 0'
done

# the casebook: everything recorded for Q1, in date order, with who recorded it
expect_exit 0 -- "$L" patient show Q1 --user coord1 --json
expect_jq '.patient.id == "Q1" and (.casebook | length) > 15'
expect_jq '[.casebook[].date] == ([.casebook[].date] | sort)'
expect_jq '[.casebook[].listing] | index("labs") != null and index("aes") != null and index("doses") != null
           and index("administrations") != null and index("events") != null and index("consents") != null
           and index("questionnaires") != null and index("anchors") != null'
expect_jq '.casebook | map(select(.listing == "administrations"))[0] | .recorded_by == "nuc1" and .date == "2025-11-04"'
expect_jq '.casebook | map(select(.listing == "labs" and .date == "2025-11-10"))[0] | .recorded_by == "inv1" and .rev == 2'
expect_exit 0 -- "$L" patient show Q1 --user coord1
expect_out "^casebook \([0-9]+ entries, in date order\):$"
expect_out "^2025-11-05  Q1 +aes +term=Nausea .*\(recorded by inv1, investigator, "
expect_exit 0 -- "$L" patient show Q1 --user dsmc1
expect_out "kinds of record your role does not read left out"
expect_no_out "consents"

# NCT04544098's endpoints: proportions with exact (Clopper-Pearson) 95% intervals. Closed forms
# of binom.test's interval: 1 of 2 is [1 - sqrt(0.975), sqrt(0.975)], 0 of n has upper bound
# 1 - 0.025^(1/n); tolerance 1e-7
expect_exit 0 -- "$L" analyse proportion --endpoint TOX_G3 --user stat1 --json
expect_jq '.endpoint == "TOX_G3" and .method == "Clopper-Pearson exact" and .level == 0.95 and .x == 1 and .n == 2
           and (.lower - (1 - (0.975 | sqrt)) | fabs) < 1e-7 and (.upper - (0.975 | sqrt) | fabs) < 1e-7'
expect_jq '[.rows[] | select(.counted == 1) | .patient] == ["Q1"] and ([.rows[] | select(.in_population) | .patient] == ["Q1", "Q2"])'
expect_jq '[.arms[] | [.arm, .arm_name, .x, .n]] == [["A", "Standard of care", 0, 0], ["B", "177Lu-DOTATATE", 1, 2]]'
expect_exit 0 -- "$L" analyse proportion --endpoint TOX_G3 --user stat1 --cutoff 2025-11-11 --json
expect_jq '.x == 0 and .n == 2 and .lower == 0 and (.upper - (1 - pow(0.025; 0.5)) | fabs) < 1e-7'
expect_exit 0 -- "$L" analyse proportion --endpoint completed_4 --user stat1 --json
expect_jq '.x == 0 and .n == 5 and (.upper - (1 - pow(0.025; 0.2)) | fabs) < 1e-7 and ([.arms[].n] | add) == 5'
expect_exit 0 -- "$L" analyse proportion --endpoint ORR --user stat1 --json
expect_jq '.x == 1 and .n == 2 and ([.rows[] | select(.counted == 1) | .why] == ["best response PR on 2025-12-01"])'
expect_exit 0 -- "$L" analyse proportion --user stat1
expect_out "^TOX_G3 \(Patients with a grade >= 3 toxicity\): 1 of 2 = 50.0% \(exact 95% CI 1.3% to 98.7%\)$"
expect_out "^  arm B \(177Lu-DOTATATE\): 1 of 2"
expect_out "^COMPLETED_4 "
expect_out "^ORR "
# coordinators of S2 see S2's patients only
expect_exit 0 -- "$L" analyse proportion --endpoint COMPLETED_4 --user coord2 --json
expect_jq '.n == 1 and .rows[0].patient == "R1"'
expect_exit 5 -- "$L" analyse proportion --endpoint DFS --user stat1
expect_err "'DFS' is not a proportion endpoint of the protocol \(proportions: TOX_G3, COMPLETED_4, ORR\)"
expect_exit 2 -- "$L" endpoints --endpoint TOX_G3 --user stat1
expect_err "a proportion of patients, not a time to an event"

# arms by name; the control arm is the reference of every comparison
expect_exit 0 -- "$L" analyse km --endpoint DFS --user stat1 --json
expect_jq '.arms == [{"id": "A", "name": "Standard of care", "role": "control", "reference": true},
                     {"id": "B", "name": "177Lu-DOTATATE", "role": "experimental", "reference": false}]'
expect_exit 0 -- "$L" endpoints --endpoint DFS --user stat1
expect_out "^arms: A = Standard of care \(the reference\); B = 177Lu-DOTATATE$"

# NET RETREAT: arm 1 (177Lu-DOTATATE retreatment) is listed first, arm 2 (everolimus) is the
# control: the dataset's indicator is arm_1 and the hazard ratio is retreatment against
# everolimus (seen: '1' and '2' without names, and the HR of control against treatment)
NR="$SRC/protocols/net-retreat.json"
jq -n '{format: "lutetia-outcomes", format_version: 1, protocol: "net-retreat",
        patients: [
          [1, "1", 120], [2, "1", 300], [3, "1", 400], [4, "1", 500],
          [5, "2", 100], [6, "2", 150], [7, "2", 350], [8, "2", 200]]
        | map(.[2] as $days | {id: ("N" + (.[0] | tostring)), arm: .[1],
               anchors: {randomisation: "2025-01-01"},
               events: [{type: "progression",
                         date: ("2025-01-01" | strptime("%Y-%m-%d") | mktime + $days * 86400 | strftime("%Y-%m-%d"))}]})}' \
   >"$TMP/nr.json"
expect_exit 0 -- "$L" endpoints --protocol "$NR" --events "$TMP/nr.json" --endpoint PFS --csv
expect_out "^patient,arm,time,event,time_months,origin,end,reason,arm_1$"
expect_out "^N1,1,120,1,[0-9.]+,2025-01-01,2025-05-01,progression,1$"
expect_out "^N5,2,100,1,[0-9.]+,2025-01-01,2025-04-11,progression,0$"
cp "$TMP/out" "$TMP/nr.csv"
expect_exit 0 -- "$L" endpoints --protocol "$NR" --events "$TMP/nr.json" --endpoint PFS --json
expect_jq '.arms == [{"id": "2", "name": "Everolimus", "reference": true},
                     {"id": "1", "name": "177Lu-DOTATATE retreatment", "reference": false}]'
expect_exit 0 -- "$L" endpoints --protocol "$NR" --events "$TMP/nr.json" --endpoint PFS
expect_out "^arms: 2 = Everolimus \(the reference\); 1 = 177Lu-DOTATATE retreatment$"
expect_exit 0 -- "$L" analyse cox "$TMP/nr.csv" --time time --event event --covariates arm_1 --json
expect_jq '.coefficients[0].name == "arm_1" and .coefficients[0]["exp(coef)"] < 1'
finish
