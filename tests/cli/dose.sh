# lutetia dose: decay, volume to draw and administered activity, text and --json, and the
# errors a user can make. Reference numbers: DOMAIN.md's check value (7,400 MBq one day after
# calibration is 6,667 MBq) and Python's 7400 * 2 ** (-t / 6.647).
. "$SRC/tests/cli/lib.sh"
D="$LUTETIA dose"
F=2026-01-01T08:00Z
T=2026-01-02T08:00Z

# the brief's example: 7,400 MBq one day later is 6,667 MBq
expect_exit 0 -- $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from $F --to $T
expect_out '6667\.2 MBq'
# a time without a zone is refused, saying which zone to add (TZ's offset that day, or Z)
expect_exit 2 -- env TZ=Europe/Paris $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from 2026-01-01T08:00 --to $T
expect_err -- "--from: '2026-01-01T08:00' has no time zone.*'2026-01-01T08:00\+01:00'.*'2026-01-01T08:00Z' for UTC"
expect_exit 2 -- env TZ=America/New_York $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from $F --to 2026-07-02T08:00:00
expect_err -- "--to: .*'2026-07-02T08:00:00-04:00' \(this computer's zone on that day\)"
expect_exit 2 -- env TZ=UTC $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from 2026-01-01T08:00 --to $T
expect_err -- "'2026-01-01T08:00Z' \(UTC"
expect_exit 0 -- $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from $F --to $T --json
expect_jq '.activity_to > 6667.2021 and .activity_to < 6667.2022'
expect_jq '.nuclide == "Lu-177" and .elapsed_days == 1 and .half_life_days == 6.647'
# aliases, other units, time zones: 7.4 GBq from 10:00+02:00 (= 08:00Z) is the same
expect_exit 0 -- $D decay --nuclide 177Lu --activity 7.4 --unit GBq --from 2026-01-01T10:00+02:00 --to $T --json
expect_jq '.activity_to > 6.6672020 and .activity_to < 6.6672022 and .unit == "GBq"'
expect_exit 0 -- $D decay --nuclide Lu-177 --activity 200 --unit mCi --from $F --to $F --json
expect_jq '.activity_to == 200'

# volume to draw: vial 7,585 MBq in 20.5 mL at 12:00, 7,000 MBq wanted at 18:00
# (Python: 7000 / (7585 * 2 ** (-0.25 / 6.647) / 20.5) = 19.4186189975024 mL)
expect_exit 0 -- $D volume --nuclide Lu-177 --activity 7585 --volume 20.5 --unit MBq \
    --from 2026-03-02T12:00Z --to 2026-03-02T18:00Z --activity-at 7000 --json
expect_jq '(.volume_to_draw_ml - 19.4186189975024 | fabs) < 1e-9'
expect_exit 0 -- $D decay --nuclide Lu-177 --activity 7585 --volume 20.5 --unit MBq \
    --from 2026-03-02T12:00Z --to 2026-03-02T18:00Z --activity-at 7000
expect_out 'draw 19\.42 mL for 7000 MBq'
# more than the vial holds: an error naming the option
expect_exit 6 -- $D volume --nuclide Lu-177 --activity 7585 --volume 20.5 --unit MBq \
    --from 2026-03-02T12:00Z --to 2026-03-03T09:00Z --activity-at 7400
expect_err 'activity-at: the vial holds only'
expect_exit 2 -- $D volume --nuclide Lu-177 --activity 7585 --unit MBq --from $F --to $T --activity-at 7000
expect_err 'volume .* is required'

# administered: 7,600 MBq at 09:00, infusion 09:30-10:00, residual 150 MBq at 10:30
# (Python: 7583.50696914129 - 150.653166110518 = 7432.85380303077 MBq, +0.44%)
A="--nuclide Lu-177 --unit MBq --prescribed 7400 --before-at 2026-03-03T09:00Z --residual 150
   --residual-at 2026-03-03T10:30Z --start 2026-03-03T09:30Z --end 2026-03-03T10:00Z"
expect_exit 0 -- $D administered $A --before 7600 --json
expect_jq '(.administered - 7432.85380303077 | fabs) < 1e-8 and .deviation_flagged == false'
expect_exit 0 -- $D administered $A --before 6500
expect_out 'administered 6[0-9]{3}\.[0-9] MBq'
expect_out 'FLAGGED'
expect_exit 0 -- $D administered $A --before 6500 --tolerance 0.2 --json
expect_jq '.deviation_flagged == false and .tolerance == 0.2'
# a residual above the activity before is impossible
expect_exit 4 -- $D administered $A --before 100
expect_err 'residual_mbq: the residual'

# usage errors
expect_exit 2 -- $D decay --nuclide Lu-177 --activity 7400 --unit MBq --from $F --to tomorrow
expect_err "--to: expected an RFC 3339 time"
expect_exit 2 -- $D decay --nuclide Lu-177 --activity 7400 --unit mSv --from $F --to $T
expect_err "--unit: expected Bq, kBq, MBq"
expect_exit 2 -- $D decay --nuclide Lu-177 --activity lots --unit MBq --from $F --to $T
expect_err "--activity: expected a number, found 'lots'"
expect_exit 2 -- $D decay --activity 7400 --unit MBq --from $F --to $T
expect_err "--nuclide is required"
expect_exit 5 -- $D decay --nuclide I-131 --activity 7400 --unit MBq --from $F --to $T
expect_err "unknown nuclide 'I-131'; the table has Lu-177"
expect_exit 2 -- $D frobnicate
expect_err "unknown subcommand 'frobnicate'"
expect_exit 0 -- $D --help
expect_out 'usage: lutetia dose decay'
# another nuclide table, and a broken one named with its place
printf '{"nuclides": [{"id": "I-131", "half_life": 8.0252, "half_life_unit": "d"}]}' >"$TMP/n.json"
expect_exit 0 -- $D decay --nuclides "$TMP/n.json" --nuclide I-131 --activity 100 --unit MBq --from $F --to 2026-01-09T08:00Z --json
expect_jq '.activity_to > 50.1089 and .activity_to < 50.1090'  # 100 * 2 ** (-8 / 8.0252)
printf '{"nuclides": [{"id": "X", "half_life": 0, "half_life_unit": "d"}]}' >"$TMP/bad.json"
expect_exit 4 -- $D decay --nuclides "$TMP/bad.json" --nuclide X --activity 1 --unit MBq --from $F --to $T
expect_err 'bad.json:1:[0-9]+ \(nuclides\[0\]\.half_life\): expected a positive number'
# the data folder can be moved with LUTETIA_DATA_DIR; an empty one is an error
expect_exit 5 -- env LUTETIA_DATA_DIR="$TMP" $D decay --nuclide Lu-177 --activity 1 --unit MBq --from $F --to $T
expect_err 'LUTETIA_DATA_DIR is set but holds no nuclides.json'
# dose decide: the label's dose-modification table applied to a request file
cat >"$TMP/req.json" <<'JSON'
{
  "decision_date": "2026-05-08",
  "first_due": "2026-05-01",
  "patient": {"age": 62, "sex": "female", "weight_kg": 68},
  "labs": [
    {"analyte": "platelets", "value": 74000, "unit": "/uL", "lln": 150000, "uln": 400000},
    {"analyte": "hemoglobin", "value": 118, "unit": "g/L", "lln": 120, "uln": 160},
    {"analyte": "neutrophils", "value": 2.9, "unit": "10^9/L", "lln": 1.8, "uln": 7.5},
    {"analyte": "wbc", "value": 4.8, "unit": "10^9/L", "lln": 4.0, "uln": 11.0},
    {"analyte": "lymphocytes", "value": 0.4, "unit": "10^9/L", "lln": 1.0, "uln": 4.0},
    {"analyte": "creatinine", "value": 80, "unit": "umol/L", "lln": 45, "uln": 90},
    {"analyte": "bilirubin", "value": 9, "unit": "umol/L", "lln": 3, "uln": 21},
    {"analyte": "alt", "value": 25, "unit": "U/L", "lln": 7, "uln": 35},
    {"analyte": "ast", "value": 22, "unit": "U/L", "lln": 8, "uln": 35},
    {"analyte": "albumin", "value": 39, "unit": "g/L", "lln": 35, "uln": 50},
    {"analyte": "inr", "value": 1.0, "unit": "INR", "lln": 0.8, "uln": 1.2}
  ],
  "baseline": [{"analyte": "creatinine", "value": 75, "unit": "umol/L"}],
  "history": {"withheld": false, "last_dose_reduced": false, "reduced_for": []},
  "adverse_events": [
    {"term": "Nausea", "grade": 1, "related": "probable", "start": "2026-04-20", "end": "2026-04-22"}
  ]
}
JSON
# platelets 74,000/uL (grade 2) withholds; lymphopenia grade 3 is said but changes nothing
expect_exit 0 -- $D decide "$TMP/req.json"
expect_out '^decision: withhold; cycle delayed 7 days$'
expect_out 'thrombocytopenia: platelets 74 10\^9/L: CTCAE grade 2'
expect_out 'lymphopenia: .*no modification'
expect_exit 0 -- $D decide "$TMP/req.json" --json
expect_jq '.action == "withhold" and .activity_mbq == 0 and .toxic == ["thrombocytopenia"]'
# the same patient resolved after being withheld: 3.7 GBq; then, no recurrence: 7.4 GBq
jq '.labs[0].value = 160000 | .history.withheld = true' "$TMP/req.json" >"$TMP/r2.json"
expect_exit 0 -- $D decide "$TMP/r2.json" --json
expect_jq '.action == "give_reduced" and .activity_mbq == 3700'
jq '.labs[0].value = 160000 | .history.last_dose_reduced = true | .history.reduced_for = ["thrombocytopenia"]' "$TMP/req.json" >"$TMP/r3.json"
expect_exit 0 -- $D decide "$TMP/r3.json" --json
expect_jq '.action == "give_full" and .activity_mbq == 7400'
# recurrence at the reduced dose: discontinue
jq '.history.last_dose_reduced = true | .history.reduced_for = ["thrombocytopenia"]' "$TMP/req.json" >"$TMP/r4.json"
expect_exit 0 -- $D decide "$TMP/r4.json"
expect_out '^decision: discontinue'
expect_out 'recurrence: thrombocytopenia recurred'
# 16 weeks (112 days) of delay while withheld: discontinue
jq '.decision_date = "2026-08-21" | .history.withheld = true' "$TMP/req.json" >"$TMP/r5.json"
expect_exit 0 -- $D decide "$TMP/r5.json" --json
expect_jq '.action == "discontinue" and .delay_days == 112 and (.reasons | map(.rule) | index("delay"))'
# a missing lab: undetermined, naming it
jq '.labs |= map(select(.analyte != "neutrophils")) | .labs[0].value = 160000' "$TMP/req.json" >"$TMP/r6.json"
expect_exit 0 -- $D decide "$TMP/r6.json"
expect_out '^decision: undetermined'
expect_out 'neutropenia: cannot be assessed: no current neutrophils result'
# every missing lab is named at once (issue 10), not the first of each rule per round
jq '.labs |= map(select(.analyte | IN("bilirubin", "albumin", "inr", "alt", "ast") | not)) | .labs[0].value = 160000' "$TMP/req.json" >"$TMP/r6b.json"
expect_exit 0 -- $D decide "$TMP/r6b.json"
expect_out '^decision: undetermined'
expect_out 'hepatic: cannot be assessed: no current bilirubin result; no current albumin result; no current inr result$'
expect_out 'other: cannot be assessed: .*no current alt result; no current ast result'
# bad requests name the entry
jq '.labs[0].unit = "furlongs"' "$TMP/req.json" >"$TMP/bad1.json"
expect_exit 4 -- $D decide "$TMP/bad1.json"
expect_err "bad1.json: labs\[0\]: cannot convert platelets from 'furlongs'"
jq 'del(.decision_date)' "$TMP/req.json" >"$TMP/bad2.json"
expect_exit 4 -- $D decide "$TMP/bad2.json"
expect_err 'bad2.json: decision_date: expected a date'
jq '.first_due = "2026-06-01"' "$TMP/req.json" >"$TMP/bad3.json"
expect_exit 2 -- $D decide "$TMP/bad3.json"
expect_err 'first_due: the cycle was first due 2026-06-01, after the decision date'
expect_exit 3 -- $D decide "$TMP/nonexistent.json"
expect_exit 2 -- $D decide
expect_err 'expected the request file'
finish
