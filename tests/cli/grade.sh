# lutetia grade: CTCAE v5.0 grades of one value, with unit conversion, undetermined grades and
# the errors a user can make. Vectors from DOMAIN.md and admiral's test-derive_var_atoxgr.R.
. "$SRC/tests/cli/lib.sh"
G="$LUTETIA grade"

# the brief's example: platelets 74 x 10^9/L with LLN 100 is grade 2
expect_exit 0 -- $G --analyte platelets --value 74 --unit 10^9/L --lln 100
expect_out '^Platelet count decreased: grade 2$'
expect_out '74 10\^9/L < 75 10\^9/L'
# every DOMAIN.md platelet vector, as JSON
for pair in 24:4 25:3 49:3 50:2 74:2 75:1 99:1 100:0; do
    v=${pair%:*}; g=${pair#*:}
    expect_exit 0 -- $G --analyte platelets --value "$v" --unit 10^9/L --lln 100 --json
    expect_jq ".grade == $g"
done
for pair in 0.49:4 0.5:3 0.99:3 1.0:2 1.49:2 1.5:1 2.0:0; do
    v=${pair%:*}; g=${pair#*:}
    expect_exit 0 -- $G --analyte neutrophils --value "$v" --unit 10^9/L --lln 2.0 --json
    expect_jq ".grade == $g"
done
# units are converted first: 74,000/uL = 74 x 10^9/L; 79 g/L haemoglobin = 7.9 g/dL (grade 3)
expect_exit 0 -- $G --analyte platelets --value 74000 --unit /uL --lln 100000 --json
expect_jq '.grade == 2 and .value == 74 and .unit == "10^9/L"'
expect_exit 0 -- $G --analyte hemoglobin --value 79 --unit g/L --lln 140
expect_out '^Anemia: grade 3$'
expect_out '79 g/L = 7\.9 g/dL'
# G/L (giga per litre) is 10^9/L for cell counts; g/L (grams) is not a count
expect_exit 0 -- $G --analyte platelets --value 60 --unit G/L --lln 150 --json
expect_jq '.grade == 2 and .value == 60 and .unit == "10^9/L"'
expect_exit 2 -- $G --analyte platelets --value 60 --unit g/L --lln 150
expect_exit 2 -- $G --analyte neutrophils --value 0.9 --unit g/l --lln 1.8
# undetermined when the limit a grade needs is missing, with the reason
expect_exit 0 -- $G --analyte platelets --value 120 --unit 10^9/L
expect_out 'undetermined \(grade 0 to 1\)'
expect_out 'grade 1 needs the LLN'
expect_exit 0 -- $G --analyte alt --value 100 --unit U/L --json
expect_jq '.grade == "undetermined" and .min_grade == 0 and .max_grade == 4'
# baseline-aware: ALT 60 U/L with an abnormal baseline of 40 (ULN 39) is grade 1, 59 is 0
expect_exit 0 -- $G --analyte alt --value 60 --unit U/L --uln 39 --baseline 40 --json
expect_jq '.grade == 1'
expect_exit 0 -- $G --analyte alt --value 59 --unit U/L --uln 39 --baseline 40 --json
expect_jq '.grade == 0'
expect_exit 0 -- $G --analyte alt --value 121 --unit U/L --uln 40
expect_out 'note: no baseline given'
# creatinine in umol/L with a baseline: > 3 x baseline but no ULN: grade 3 or 4
expect_exit 0 -- $G --analyte creatinine --value 400 --unit umol/L --baseline 80 --json
expect_jq '.grade == "undetermined" and .min_grade == 3 and .max_grade == 4'
expect_exit 0 -- $G --analyte creatinine --value 400 --unit umol/L --baseline 80 --uln 100 --json
expect_jq '.grade == 3'
# INR on anticoagulation: multiples of the baseline
expect_exit 0 -- $G --analyte inr --value 3.1 --unit INR --json
expect_jq '.grade == 3'
expect_exit 0 -- $G --analyte inr --value 3.1 --unit INR --baseline 2.0 --anticoagulated --json
expect_jq '.grade == 2'

# errors
expect_exit 2 -- $G --analyte platelets --value 74 --unit 10^6/L
expect_err "cannot convert '10\^6/L' to platelets's unit 10\^9/L"
expect_exit 5 -- $G --analyte sodium --value 120 --unit mmol/L
expect_err 'no CTCAE grading for "sodium"; graded: hemoglobin, platelets'
expect_exit 2 -- $G --analyte platelets --value many --unit 10^9/L
expect_err "--value: expected a number, found 'many'"
expect_exit 2 -- $G --analyte platelets --unit 10^9/L
expect_err '--value is required'
expect_exit 2 -- $G --analyte platelets --value 1 --unit 10^9/L --frob 2
expect_err "unknown option '--frob'"
printf '{"analytes": [{"analyte": "platelets", "term": "P", "unit": "/uL", "direction": "low",\n "grades": [{"grade": 1, "any": [{"op": "<", "value": 1}]}]}]}' >"$TMP/t.json"
expect_exit 4 -- $G --table "$TMP/t.json" --analyte platelets --value 1 --unit 10^9/L
expect_err 't.json:1:[0-9]+ \(analytes\[0\]\): the thresholds of platelets must be in its canonical unit'
expect_exit 0 -- $G --help
expect_out 'usage: lutetia grade'
finish
