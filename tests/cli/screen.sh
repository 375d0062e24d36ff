# lutetia screen: text and JSON output, folders, standard input, several protocols, summaries,
# and the errors that are not verdicts.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"
D="$SRC/tests/eligibility/patients"

expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 "$D"
expect_out '^t-eligible: ELIGIBLE \(NELMAS version 2.0, as of 2026-11-01\)'
expect_out '^t-low-platelets: INELIGIBLE'
expect_out '^t-no-bilirubin: NEEDS REVIEW'
expect_out 'E10 +excl +met +FAILS +THRESHOLD'
expect_out 'platelets 62 10\^9/L on 2026-10-22: threshold < 75 10\^9/L'

expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 --json "$D"
expect_jq '.patient and .protocol == "NELMAS" and .version == "2.0" and .as_of == "2026-11-01"'
expect_jq '(.criteria | length) == 25'
expect_jq 'all(.criteria[]; has("id") and has("kind") and has("status") and has("reason") and has("evidence"))'
jq -s 'map({(.patient): .verdict}) | add' "$TMP/out" > "$TMP/verdicts"
if [ "$(jq -c . "$TMP/verdicts")" = '{"t-eligible":"eligible","t-low-platelets":"ineligible","t-no-bilirubin":"needs_review"}' ]; then ok; else bad "verdicts: $(cat "$TMP/verdicts")"; fi
jq -s '.[] | select(.patient == "t-low-platelets") | .criteria[] | select(.id == "E10")' "$TMP/out" > "$TMP/e10"
if jq -e '.status == "met" and .reason == "THRESHOLD" and .evidence[0].value == 62 and .evidence[0].date == "2026-10-22"' "$TMP/e10" >/dev/null; then ok; else bad "E10: $(cat "$TMP/e10")"; fi
jq -s '.[] | select(.patient == "t-no-bilirubin") | .criteria[] | select(.id == "E11")' "$TMP/out" > "$TMP/e11"
if jq -e '.status == "unknown" and .reason == "MISSING"' "$TMP/e11" >/dev/null; then ok; else bad "E11: $(cat "$TMP/e11")"; fi

# standard input, and a single file
"$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 --json - < "$D/low-platelets.json" > "$TMP/out" 2>"$TMP/err"
if [ $? = 0 ]; then ok; else bad "stdin: exit $?"; fi
expect_jq '.patient == "t-low-platelets" and .verdict == "ineligible"'
# the as-of date matters: one year earlier the labs lie in the future and are not seen
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2025-11-01 --json "$D/eligible.json"
expect_jq '.verdict != "eligible"'
expect_jq '.criteria[] | select(.id == "E8") | .status == "unknown"'

# several protocols (here one protocol at two versions), and summaries
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --protocol "$P" --as-of 2026-11-01 --json "$D/eligible.json"
if [ "$(grep -c '"patient"' "$TMP/out")" = 2 ]; then ok; else bad "expected two documents"; fi
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --protocol-version 1.0 --as-of 2026-11-01 --json "$D/eligible.json"
expect_jq '.version == "1.0" and .verdict == "eligible"'
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 --summary "$D"
expect_out '^NELMAS version 2.0: 3 patients: 1 eligible, 1 ineligible, 1 needs review$'
expect_out 'most frequent failing criteria: E10 \(1\)'
expect_out 'most frequent unknown criteria: E11 \(1\)'
expect_exit 0 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-11-01 --summary --json "$D"
expect_jq '.patients == 3 and .verdicts.eligible == 1 and .verdicts.ineligible == 1 and .verdicts.needs_review == 1'
expect_jq '.failing[0].id == "E10" and .unknown[0].id == "E11"'

# text output stays valid UTF-8 when long criterion texts are shortened (µmol/L, ≥ in the seeds)
for f in "$SRC"/protocols/*.json; do
    "$LUTETIA" screen --protocol "$f" --as-of 2026-11-01 "$D" > "$TMP/utf" 2>/dev/null
    if iconv -f UTF-8 -t UTF-8 "$TMP/utf" >/dev/null 2>&1; then ok; else bad "invalid UTF-8 screening against $f"; fi
done

# errors: exit non-zero, the message names the file
expect_exit 2 -- "$LUTETIA" screen "$D"
expect_err 'expected --protocol FILE'
expect_exit 2 -- "$LUTETIA" screen --protocol "$P"
expect_exit 2 -- "$LUTETIA" screen --protocol "$P" --as-of 2026-02-30 "$D"
expect_err "--as-of expects YYYY-MM-DD, found '2026-02-30'"
expect_exit 3 -- "$LUTETIA" screen --protocol "$P" "$TMP/nobody.json"
expect_err 'nobody.json'
printf '{"id": "x", "labs": [{"code": "hemoglobin"' > "$TMP/cut.json"
expect_exit 4 -- "$LUTETIA" screen --protocol "$P" "$TMP/cut.json"
expect_err 'cut.json'
expect_exit 4 -- "$LUTETIA" screen --protocol "$SRC/tests/protocol/data/bad.json" "$D"
expect_err 'bad.json:3:55'
expect_exit 5 -- "$LUTETIA" screen --protocol "$P" --protocol-version 0.1 "$D"
expect_exit 0 -- "$LUTETIA" screen --help
# a usage error after the patient paths: the paths gathered so far are freed (the sanitizer build
# runs with leak detection, which turns a leak into a different exit status)
expect_exit 2 -- "$LUTETIA" screen --protocol "$P" "$D" --as-of 2026-13-01
expect_err 'as-of expects YYYY-MM-DD'
expect_exit 2 -- "$LUTETIA" screen "$D" --threads 0
expect_exit 2 -- "$LUTETIA" screen "$D" --bogus
expect_exit 0 -- "$LUTETIA" screen "$D" --help
finish
