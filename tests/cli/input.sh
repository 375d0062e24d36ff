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

finish
