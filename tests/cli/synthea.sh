# All 94 Synthea FHIR bundles screen without error against all three protocols, and none comes
# out eligible (none has a neuroendocrine tumour); a few labs reach the evidence with the value
# and unit jq reads from the same files. Also the examples/ demo verdicts.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols"
D="$SHARED/data/synthea-r4"
ALL="--protocol $P/nelmas.json --protocol $P/nct04544098.json --protocol $P/net-retreat.json"

expect_exit 0 -- "$LUTETIA" screen $ALL --as-of 2026-11-01 --json "$D"
expect_no_out '"verdict": *"eligible"'
# one document per patient and protocol: 94 x 3, each with a verdict, none eligible
cp "$TMP/out" "$TMP/all.json"
if [ "$(jq -s 'length' "$TMP/all.json")" = 282 ]; then ok; else bad "expected 282 documents"; fi
n=$(jq -s '[.[] | select(.verdict == "eligible")] | length' "$TMP/all.json")
if [ "$n" = 0 ]; then ok; else bad "$n Synthea screens came out eligible"; fi
n=$(jq -s '[.[] | select(.verdict == "ineligible" or .verdict == "needs_review")] | length' "$TMP/all.json")
if [ "$n" = 282 ]; then ok; else bad "$n of 282 screens have a verdict ineligible or needs_review"; fi
n=$(jq -s '[.[].patient] | unique | length' "$TMP/all.json")
if [ "$n" = 94 ]; then ok; else bad "$n distinct patients, expected 94"; fi
n=$(jq -s '[.[].protocol] | unique | length' "$TMP/all.json")
if [ "$n" = 3 ]; then ok; else bad "$n distinct protocols, expected 3"; fi
if [ ! -s "$TMP/err" ]; then ok; else bad "stderr is not empty"; head -5 "$TMP/err"; fi

# Avril Hane's labs of 2012-07-30 as the evidence shows them, against jq's reading of the
# bundle: the most recent value of each analyte before the screening date
avril=$(ls "$D"/Avril_Hane_*.json)
want_alb=$(jq '[.entry[].resource | select(.resourceType == "Observation" and .code.coding[0].code == "1751-7")] | sort_by(.effectiveDateTime) | last | .valueQuantity.value' "$avril")
got_alb=$(jq -s --arg p "$(jq -r '.entry[].resource | select(.resourceType == "Patient") | .id' "$avril")" \
  '[.[] | select(.patient == $p) | .criteria[].evidence[]? | select(.concept == "albumin")] | first | "\(.value) \(.unit)"' "$TMP/all.json")
if [ "$got_alb" = "\"$want_alb g/dL\"" ]; then ok; else bad "Avril Hane's albumin: $got_alb, jq reads $want_alb g/dL"; fi

# the same with a summary: three lines of counts, 0 eligible each
expect_exit 0 -- "$LUTETIA" screen $ALL --as-of 2026-11-01 --summary "$D"
expect_out '^NELMAS .*94 patients: 0 eligible'
expect_out '^NCT04544098 .*94 patients: 0 eligible'
expect_out '^NET RETREAT .*94 patients: 0 eligible'

# the demo patients: what examples/README.md says each shows
expect_exit 0 -- "$LUTETIA" screen --protocol "$P/nelmas.json" --as-of 2026-11-01 --json "$SRC/examples"
cp "$TMP/out" "$TMP/ex.json"
for want in nelmas-01:eligible nelmas-02:ineligible nelmas-03:ineligible nelmas-04:ineligible \
            nelmas-05:ineligible nelmas-06:needs_review nelmas-07:eligible nelmas-08:needs_review \
            nelmas-09:needs_review nelmas-10:eligible; do
    id=${want%%:*}; v=${want#*:}
    got=$(jq -rs --arg id "$id" '.[] | select(.patient == $id) | .verdict' "$TMP/ex.json")
    if [ "$got" = "$v" ]; then ok; else bad "$id: $got, expected $v"; fi
done
# the reasons the README gives
reason() { jq -rs --arg id "$1" --arg c "$2" '.[] | select(.patient == $id) | .criteria[] | select(.id == $c) | .status' "$TMP/ex.json"; }
[ "$(reason nelmas-02 E3)" = met ] && ok || bad "nelmas-02: E3 (R2 resection) is not met"
[ "$(reason nelmas-05 E10)" = met ] && ok || bad "nelmas-05: E10 (platelets) is not met"
[ "$(reason nelmas-06 E11)" = unknown ] && ok || bad "nelmas-06: E11 (no bilirubin) is not unknown"
[ "$(reason nelmas-08 E16)" = unknown ] && ok || bad "nelmas-08: E16 (creatinine in umol) is not unknown"
[ "$(reason nelmas-04 E7)" = met ] && ok || bad "nelmas-04: E7 (prior everolimus) is not met"

# bad patient input reaches the user with the file, the place and what was expected
printf '{"id": "x",\n "diagnoses": [{"code": "net", "grade": "G4"}]}\n' >"$TMP/bad.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P/nelmas.json" "$TMP/bad.json"
expect_err 'bad.json:2:41: diagnoses\[0\]\.grade: expected one of G1, G2, G3; found "G4"'
printf 'patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,12,g/dL\nx,2026-01-02,hemoglobin,abc,g/dL\n' >"$TMP/bad.csv"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P/nelmas.json" "$TMP/bad.csv"
expect_err 'bad.csv:3: column value: expected a number, found "abc"'
finish
