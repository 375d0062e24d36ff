# Input that is not what it seems (issue 8, sections 3 and 4): duplicate JSON members, numbers
# beyond a double, implausible values, impossible dates and ids, through the real binary.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"
D="$SRC/tests/eligibility/patients"
E="$D/eligible.json"

# ---- duplicate members: refused with the path and the line:column of the second one
# the eligible patient with a second "value" after platelets 231: jq and Python read 20
sed 's/"value": 231,/"value": 231, "value": 20,/' "$E" > "$TMP/dup-value.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/dup-value.json"
expect_err 'dup-value.json:24:18: labs\[2\]\.value: duplicate member "value" \(first at line 24, column 4\)'
# "labs": [] before the real labs would have dropped them
sed 's/^ "labs": \[/ "labs": [], "labs": [/' "$E" > "$TMP/dup-labs.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/dup-labs.json"
expect_err 'dup-labs.json:6:14: labs: duplicate member "labs"'
# a protocol with two "method" members
sed 's/"method": "permuted_blocks",/"method": "permuted_blocks", "method": "minimisation",/' "$P" > "$TMP/dup-method.json"
expect_exit 4 -- "$LUTETIA" protocol check "$TMP/dup-method.json"
expect_err 'dup-method\.json:[0-9]+:[0-9]+: randomisation\.method: duplicate member "method"'
# a FHIR bundle: a second valueQuantity.value
cat > "$TMP/dup-fhir.json" <<'J'
{"resourceType": "Bundle", "type": "collection", "entry": [
 {"resource": {"resourceType": "Patient", "id": "f1", "birthDate": "1960-01-01"}},
 {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
   "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
   "subject": {"reference": "Patient/f1"}, "effectiveDateTime": "2026-10-20",
   "valueQuantity": {"value": 231, "unit": "10*3/uL", "value": 20}}}]}
J
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/dup-fhir.json"
expect_err 'dup-fhir.json:6:55: entry\[1\]\.resource\.valueQuantity\.value: duplicate member'

# ---- numbers beyond a double: 1e400 would be read as infinity
sed 's/"value": 0.82,/"value": 1e400,/' "$E" > "$TMP/inf.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/inf.json"
expect_err 'inf.json:30:13: labs\[3\]\.value: expected a finite number, found 1e400'
sed 's/"value": 231, "unit": "10\*3\/uL", "value": 20/"value": 1e400, "unit": "mg\/dL"/; s/777-3/2160-0/' "$TMP/dup-fhir.json" > "$TMP/inf-fhir.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/inf-fhir.json"
expect_err 'inf-fhir.json:6:31: entry\[1\]\.resource\.valueQuantity\.value: expected a finite number, found 1e400'
printf 'patient,date,analyte,value,unit\nc1,2026-10-20,creatinine,1e400,mg/dL\n' > "$TMP/inf.csv"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/inf.csv"
expect_err 'inf.csv:2: column value: expected a number, found "1e400"'

# ---- values no body has: screening does not decide on them (IMPLAUSIBLE)
sed 's/"value": 0.82,/"value": 71,/' "$E" > "$TMP/creat71.json"
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 --json "$TMP/creat71.json"
expect_jq '.verdict == "needs_review" and (.criteria[] | select(.id == "E16") | .status == "unknown" and .reason == "IMPLAUSIBLE")'
sed 's/"value": 231,/"value": 1e308,/' "$E" > "$TMP/plt.json"
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/plt.json"
expect_out '^t-eligible: NEEDS REVIEW'
expect_out 'E10 +excl +unknown +.*IMPLAUSIBLE'
# a bound: platelets reported as "< 50" fail NET RETREAT's I10 (>= 80) instead of meeting it
R="$SRC/protocols/net-retreat.json"
jq '.base | .labs |= map(if .code == "platelets" then .value = 50 | .comparator = "<" else . end)' \
  "$SRC/tests/eligibility/net-retreat.cases.json" > "$TMP/bound.json"
expect_exit 0 -- "$LUTETIA" screen --protocol "$R" --as-of 2026-11-01 --json "$TMP/bound.json"
expect_jq '.verdict == "ineligible" and (.criteria[] | select(.id == "I10") | .status == "not_met")'

# ---- a birth date after the screening date is an error, not an age of -1
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 1961-01-01 "$E"
expect_err 'eligible.json: birth_date: patient t-eligible: expected a birth date on or before the as-of date 1961-01-01, found 1962-03-14'
sed 's/"birth_date": "1962-03-14"/"birth_date": "1862-03-14"/' "$E" > "$TMP/old.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/old.json"
expect_err 'old.json:4:16: birth_date: expected a date from 1900-01-01 on; found "1862-03-14"'
sed 's/"id": "t-eligible"/"id": "t-eli\\u0000gible"/' "$E" > "$TMP/nul.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$TMP/nul.json"
expect_err 'nul.json:2:14: expected a string without NUL characters'

# ---- recording: implausible values refused unless confirmed with a reason; birth dates
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
setup_trial || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" R 2
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
"$L" randomise --user coord1 --patient R1 --date 2026-11-02 >/dev/null || bad "randomise R1"
rec() { "$L" record "$@" --user coord1 --patient R1; }
expect_exit 2 -- rec profile --birth-date 1899-12-31 --sex female --weight 68
expect_err '--birth-date: expected a (birth )?date from 1900-01-01 on, found 1899-12-31'
expect_exit 2 -- rec profile --birth-date 2030-01-01 --sex female --weight 68
expect_err 'in the future'
# screened as born 1962-03-14 (examples/nelmas-01): another date is another patient
expect_exit 8 -- rec profile --birth-date 1962-03-15 --sex female --weight 68
expect_err "--birth-date: patient 'R1' was screened with birth date 1962-03-14, not 1962-03-15"
expect_exit 2 -- rec profile --birth-date 1962-03-14 --sex female --weight 0.001
expect_err '--weight: weight 0.001 kg is outside the plausible range 20 to 400 kg'
expect_exit 2 -- rec profile --birth-date 1962-03-14 --sex female --weight 0.001 --confirm
expect_err '--reason: a confirmed implausible weight needs a reason'
expect_exit 2 -- rec profile --birth-date 1962-03-14 --sex female --weight 68 --weight 86
expect_err '--weight is given twice'
expect_exit 0 -- rec profile --birth-date 1962-03-14 --sex female --weight 68
# a very light patient, checked: recorded as a correction with its reason
expect_exit 0 -- rec profile --birth-date 1962-03-14 --sex female --weight 19 --confirm --reason "weighed again: 19 kg"
# creatinine 71 "mg/dL" is 71 umol/L typed with the wrong unit
expect_exit 2 -- rec lab --date 2026-11-03 --analyte creatinine --value 71 --unit mg/dL
expect_err '--value: creatinine 71 mg/dL is outside the plausible range 0.05 to 40 mg/dL \(data/plausible-ranges.json\)'
expect_exit 0 -- rec lab --date 2026-11-03 --analyte creatinine --value 71 --unit umol/L
expect_exit 2 -- rec lab --date 2026-11-03 --analyte hemoglobin --value -3 --unit g/dL
expect_err '--value: hemoglobin -3 g/dL is outside the plausible range'
expect_exit 2 -- rec lab --date 2026-11-03 --analyte platelets --value 200 --unit 10^9/L --lln 400 --uln 150
expect_err '--lln: platelets: the LLN 400 is above the ULN 150'
expect_exit 2 -- rec lab --date 2026-11-03 --analyte platelets --value 200 --unit 10^9/L --uln 1e300
expect_err '--uln: ULN: platelets 1e\+300 10\^9/L is outside the plausible range'
expect_exit 2 -- rec lab --date 2026-11-03 --analyte weight --value 0.001 --unit kg
expect_err 'weight 0.001 kg is outside the plausible range'
expect_exit 2 -- rec lab --date 2026-11-03 --analyte platelets --value 1e400
expect_err "--value: expected a number, found '1e400'"
expect_exit 2 -- rec lab --date 2026-11-03 --analyte platelets --value 231 --value 20
expect_err "--value is given twice \('231' and '20'\)"
# dates no patient of the trial has: before 1900, or after today
expect_exit 2 -- rec lab --date 1890-06-18 --analyte platelets --value 62 --unit 10^9/L
expect_err -- '--date: expected a date from 1900-01-01 on, found 1890-06-18'
expect_exit 2 -- rec lab --date 2999-06-18 --analyte platelets --value 62 --unit 10^9/L
expect_err -- '--date: 2999-06-18 is in the future'
expect_exit 2 -- rec lab --date 2026-11-03 --analyte bilirubin --value 85 --unit mg/dL --confirm
expect_err '--reason: a confirmed implausible result needs a reason'
expect_exit 0 -- rec lab --date 2026-11-03 --analyte bilirubin --value 85 --unit mg/dL --confirm --reason "repeated on a fresh sample"
sqlite3 "$LUTETIA_DB" "select data from records where kind = 'lab'" > "$TMP/labs" 2>/dev/null ||
  sqlite3 "$LUTETIA_DB" .dump > "$TMP/labs"
if grep -q '"analyte":"bilirubin","value":85.*"implausible_confirmed":true' "$TMP/labs"; then ok; else bad "confirmed lab not marked: $(grep bilirubin "$TMP/labs" | head -2)"; fi

finish
