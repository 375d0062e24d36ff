# lutetia protocol check | show | lint on NELMAS and on a file with many errors.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"
BAD="$SRC/tests/protocol/data/bad.json"

expect_exit 0 -- "$LUTETIA" protocol check "$P"
expect_out 'nelmas.json: valid'

# every problem at once, each with line:column and JSON path
expect_exit 1 -- "$LUTETIA" protocol check "$BAD"
expect_out 'bad.json:3:55: date: expected a date YYYY-MM-DD, found "2026-13-01"'
expect_out 'bad.json:10:139: criteria\["E12.3"\]\.rule\.window\.anchor: expected as_of, screening, randomisation or an anchor declared in "anchors", found "surgery"'
expect_out 'bad.json:9:105: criteria\.I1\.rule\.opp: unknown member "opp"'
expect_out 'bad.json:4:146: version 1: criteria\.I1\.rule\.unit: .*"furlongs"'
expect_out '^1[0-9] problems$'
expect_exit 1 -- "$LUTETIA" protocol check --json "$BAD"
expect_jq 'length >= 11'
expect_jq 'any(.[]; .path == "arms.B.ratio" and .line == 6 and .column == 115)'
expect_jq 'any(.[]; .path == "criteria.I1.rule.unit" and .version == "1")'

# not JSON: the syntax error's place, exit 4 (malformed input)
printf '{\n  "format": "lutetia-protocol",\n  "id": }\n' > "$TMP/broken.json"
expect_exit 4 -- "$LUTETIA" protocol check "$TMP/broken.json"
expect_err 'broken.json:3:9'
expect_exit 3 -- "$LUTETIA" protocol check "$TMP/missing.json"
expect_err 'missing.json'
# load-time validation (show) names the first problem and the count
expect_exit 4 -- "$LUTETIA" protocol show "$BAD"
expect_err 'bad.json:3:55: date: .*problems'

# show: a summary a coordinator can read
expect_exit 0 -- "$LUTETIA" protocol show "$P"
expect_out '^NELMAS: '
expect_out 'A  Standard of care \(control, ratio 1\)'
expect_out 'first cycle 6 weeks ± 2 weeks after liver_resection'
expect_out 'cycles every 8 weeks ± 1 weeks, delay allowed up to 16 weeks'
expect_out 'stratified by primary_site'
expect_out 'E8 .* exclusion  "Hb concentration <5.0 mmol/L \(<8.0 g/dL\)"'
expect_out 'rule: any of \(lab hemoglobin < 8.057 g/dL \(5 mmol/L\)'
expect_out '^  consent_written$'
expect_out '^  contraception_agreed$'
expect_out 'DFS .* from liver_resection, read at 36 months'
expect_out 'hb-threshold \(criteria.E8'
expect_out 'control-arm-name'
expect_exit 0 -- "$LUTETIA" protocol show "$P" --version 1.0
expect_out 'version 1.0'
expect_out 'first cycle 8 weeks ± 2 weeks after liver_resection'
expect_exit 5 -- "$LUTETIA" protocol show "$P" --version 7
expect_err 'no version "7" in this protocol \(it holds 2.0, 1.0\)'

# lint: the hazard ratio, the two Hb thresholds, what differs between versions
expect_exit 1 -- "$LUTETIA" protocol lint "$P"
expect_out 'HR_INCONSISTENT: design.hazard_ratio: .*implies HR = ln 0.44 / ln 0.25 = 0.592 .*stated HR is 0.27'
expect_out 'THRESHOLD_MISMATCH: criteria.E8.rule: .*5 mmol/L is 8.057 g/dL'
expect_out 'THRESHOLD_MISMATCH: criteria.E16.rule: .*150 umol/L is 1.697 mg/dL'
expect_out 'VERSION_DIFF: arms.B.interventions.lutathera.first_cycle.offset.weeks: version 1.0 has 8 where version 2.0 has 6'
expect_exit 1 -- "$LUTETIA" protocol lint --json "$P"
expect_jq 'map(.code) | index("HR_INCONSISTENT") != null'
expect_jq 'all(.[]; .line > 0)'

# usage errors
expect_exit 2 -- "$LUTETIA" protocol
expect_exit 2 -- "$LUTETIA" protocol frob "$P"
expect_err "unknown subcommand 'frob'"
expect_exit 2 -- "$LUTETIA" protocol check
expect_exit 0 -- "$LUTETIA" protocol --help
expect_out 'lutetia protocol check FILE'
finish
