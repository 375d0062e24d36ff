# lutetia schedule and lutetia due on the real protocol files: calendars, versions, deviations,
# stop events, JSON, iCalendar, outcomes files, and clear errors for bad input.
# Week arithmetic checked with GNU date ("2026-01-10 + 6 weeks" is 2026-02-21).
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"

# the latest version (seed 002): cycle 1 at 6 +- 2 weeks after liver resection
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resection=2026-01-10 --json
expect_jq '.arm == "B"'
expect_jq '[.visits[] | select(.id == "C1")][0] | .target == "2026-02-21" and .earliest == "2026-02-07" and .latest == "2026-03-07"'
expect_jq '[.visits[] | select(.id == "C2")][0] | .target == "2026-04-18" and .latest_delayed == "2026-06-13" and .anchor_actual == false'
expect_jq '[.visits[] | select(.kind == "treatment")] | length == 2'
# 36 entries, and (issue 9) the safety visits after each cycle with their nadir and recovery
# panels (5) and the blood tests of the 10 post-PRRT visits
expect_jq '.visits | length == 51'
expect_jq '[.visits[] | select(.kind == "lab") | .id] | index("labs_nadir_C2") != null and index("prrt_labs.10") != null'
expect_jq '[.visits[] | select(.id == "safety_C2")][0] | .target == "2026-05-30" and .earliest == "2026-05-16" and .latest == "2026-06-13"'
# version 1.0 (seed 000): 8 +- 2 weeks
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --version 1.0 --arm B --anchor liver_resection=2026-01-10 --json
expect_jq '[.visits[] | select(.id == "C1")][0] | .target == "2026-03-07" and .earliest == "2026-02-21" and .latest == "2026-03-21"'
# arm A: visits every 3 months, no cycles
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm A --anchor liver_resection=2026-01-10 --json
expect_jq '[.visits[] | select(.kind == "treatment")] | length == 0'
expect_jq '[.visits[] | select(.item == "soc_visit")] | length == 12'
expect_jq '[.visits[] | select(.item == "soc_visit")][-1].target == "2029-01-10"'

# the actual cycle 1 moves cycle 2; a delay for toxicity is allowed up to 16 weeks
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resection=2026-01-10 \
    --actual C1=2026-03-01 --actual C2=2026-06-21:toxicity --json
expect_jq '[.visits[] | select(.id == "C2")][0] | .target == "2026-04-26" and .status == "delayed" and .deviation == false and .actual_reason == "toxicity"'
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resection=2026-01-10 \
    --actual C1=2026-03-01 --actual C2=2026-06-22
expect_out 'C2 +treatment +2026-04-26 +2026-04-19\.\.2026-05-03 +2026-06-22 +out_of_window'
expect_out 'deviations:'
expect_out 'C2 out_of_window: 50 days after its window \(2026-04-19 to 2026-05-03\) and beyond the delay allowed for toxicity up to 2026-06-21'

# a recurrence stops treatment and assessments, brings the end of study forward
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm A --anchor liver_resection=2026-01-10 \
    --event recurrence=2026-08-01 --as-of 2026-06-01 --json
expect_jq '.stopped == "2026-08-01" and .stopped_by == "recurrence"'
expect_jq '[.visits[] | select(.id == "mri_year1.3")][0].status == "cancelled"'
expect_jq '[.visits[] | select(.id == "mri_year1.2")][0].status == "planned"'
expect_jq '[.visits[] | select(.id == "end_of_study")][0].target == "2026-08-01"'
# overdue entries at the as-of date are deviations
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm A --anchor liver_resection=2026-01-10 \
    --actual mri_year1.1=2026-04-09 --as-of 2026-05-01 --json
expect_jq '[.visits[] | select(.id == "mri_year1.1")][0].status == "done"'
expect_jq '[.visits[] | select(.id == "soc_visit.1")][0].status == "overdue"'
expect_jq '.deviations | index("soc_visit.1") != null'

# iCalendar: CRLF lines of at most 75 octets, one VEVENT per dated entry
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resection=2026-01-10 \
    --patient NEL-001 --ics "$TMP/cal.ics"
expect_out 'wrote 49 events to'
if [ "$(grep -c 'BEGIN:VEVENT' "$TMP/cal.ics")" = 49 ]; then ok; else bad "49 VEVENTs"; fi
if grep -q 'DTSTART;VALUE=DATE:20260221' "$TMP/cal.ics"; then ok; else bad "C1 on 20260221"; fi
if grep -q 'UID:NEL-001.C1@nelmas.lutetia' "$TMP/cal.ics"; then ok; else bad "UID"; fi
if [ "$(tr -d '\r' < "$TMP/cal.ics" | wc -l)" = "$(grep -c "$(printf '\r')\$" "$TMP/cal.ics")" ]; then ok; else bad "every line ends in CRLF"; fi
if awk '{ if (length($0) > 76) exit 1 }' "$TMP/cal.ics"; then ok; else bad "a line longer than 75 octets"; fi

# errors: a clear message and the right exit code
expect_exit 2 -- "$LUTETIA" schedule --protocol "$P" --arm B
expect_err 'give the anchor dates'
expect_exit 2 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resection=2026-02-30
expect_err 'expected a date YYYY-MM-DD, found "2026-02-30"'
expect_exit 2 -- "$LUTETIA" schedule --protocol "$P" --arm B --anchor liver_resecton=2026-01-10
expect_err '--anchor liver_resecton: the schedule.s anchors are liver_resection, randomisation'
expect_exit 2 -- "$LUTETIA" schedule --protocol "$P" --arm Z --anchor liver_resection=2026-01-10
expect_err 'expected an arm of the protocol \(A, B\), found "Z"'
expect_exit 2 -- "$LUTETIA" schedule --protocol "$P" --arm A --anchor liver_resection=2026-01-10 --actual C1=2026-03-01
expect_err '"C1" is not in the calendar of arm A'
expect_exit 3 -- "$LUTETIA" schedule --protocol "$TMP/none.json" --arm A --anchor liver_resection=2026-01-10
expect_err 'none.json'

# the other protocols
expect_exit 0 -- "$LUTETIA" schedule --protocol "$SRC/protocols/nct04544098.json" --arm A --anchor randomisation=2026-01-05 --json
expect_jq '[.visits[] | select(.kind == "treatment") | .target] == ["2026-01-19", "2026-03-19", "2026-05-19", "2026-07-19"]'
expect_exit 0 -- "$LUTETIA" schedule --protocol "$SRC/protocols/net-retreat.json" --arm 2 --anchor randomisation=2026-01-05 --json
expect_jq '[.visits[] | select(.kind == "treatment") | .id] == ["everolimus_start"]'

# from an outcomes file, and what is due
cat > "$TMP/events.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "protocol": "nelmas",
 "patients": [
  {"id": "NEL-001", "site": "london", "arm": "B",
   "anchors": {"liver_resection": "2026-01-10", "randomisation": "2026-01-20"},
   "visits": {"C1": "2026-03-01"}},
  {"id": "NEL-002", "site": "paris", "arm": "A",
   "anchors": {"liver_resection": "2026-02-02", "randomisation": "2026-02-10"}},
  {"id": "NEL-003", "site": "london", "arm": "A",
   "anchors": {"liver_resection": "2025-10-01", "randomisation": "2025-10-08"},
   "events": [{"type": "recurrence", "date": "2026-03-01", "site": "liver"}]}
 ]}
JSON
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --events "$TMP/events.json" NEL-001 --json
expect_jq '[.visits[] | select(.id == "C2")][0].target == "2026-04-26"'
expect_exit 5 -- "$LUTETIA" schedule --protocol "$P" --events "$TMP/events.json" NEL-009
expect_err 'no patient "NEL-009"'
expect_exit 0 -- "$LUTETIA" due --protocol "$P" --events "$TMP/events.json" --from 2026-04-20 --to 2026-05-10 --json
expect_jq '[.entries[] | select(.patient == "NEL-001" and .entry == "C2")] | length == 1'
expect_jq '[.entries[] | select(.patient == "NEL-002" and .entry == "mri_year1.1")][0].target == "2026-05-02"'
# NEL-003's recurrence cancelled what was planned; only overdue entries remain, the end of
# study brought forward to the recurrence (2026-03-01, window to 2026-03-15) among them
expect_jq '[.entries[] | select(.patient == "NEL-003" and .status != "overdue")] | length == 0'
expect_jq '[.entries[] | select(.patient == "NEL-003" and .entry == "end_of_study")][0].latest == "2026-03-15"'
expect_jq '[.entries[] | select(.patient == "NEL-003" and .entry == "mri_year1.3")] | length == 0'
expect_jq '.count == (.entries | length)'
expect_exit 0 -- "$LUTETIA" due --protocol "$P" --events "$TMP/events.json" --from 2026-04-20 --to 2026-05-10
if [ "$(grep -c '^site london$' "$TMP/out")" = 1 ] && [ "$(grep -c '^site paris$' "$TMP/out")" = 1 ]; then ok; else bad "one heading per site"; fi
expect_out '^  NEL-001 +C2 +2026-04-26  \(2026-04-19\.\.2026-06-21\)  177Lu-DOTATATE cycle 2'
# 21 before the safety visit after C1 (overdue since 2026-04-12) was added
expect_out '^  NEL-001 +safety_C1 +2026-04-05  \(2026-03-29\.\.2026-04-12\) OVERDUE'
expect_out '^22 entries$'
expect_exit 0 -- "$LUTETIA" due --protocol "$P" --events "$TMP/events.json" --from 2026-04-20 --to 2026-05-10 --site paris
expect_out '^site paris'
expect_no_out 'NEL-001'
expect_exit 2 -- "$LUTETIA" due --protocol "$P" --events "$TMP/events.json" --from 2026-05-10 --to 2026-04-20
expect_err '--to is before --from'
printf '{"format": "lutetia-outcomes", "format_version": 1, "patients": [{"id": "x", "events": [{"type": "recurrence", "date": "2026-01-01"}]}]}' > "$TMP/bad.json"
expect_exit 4 -- "$LUTETIA" due --protocol "$P" --events "$TMP/bad.json" --from 2026-04-20 --to 2026-05-10
expect_err 'bad.json: patients\[0\].events\[0\].site: a recurrence needs its site'

# the file form counts the file's scans and questionnaires as the store form does: a liver MRI
# inside mri_year1.1's window (2026-04-18..2026-05-16 for NEL-002) is that entry done, a PET is
# not an MRI, and a questionnaire on the randomisation day is the baseline QLQ-C30
cat > "$TMP/work.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "protocol": "nelmas",
 "patients": [
  {"id": "NEL-002", "site": "paris", "arm": "A",
   "anchors": {"liver_resection": "2026-02-02", "randomisation": "2026-02-10"},
   "assessments": [{"date": "2026-04-20", "modality": "ga68_dotatate_pet"},
                   {"date": "2026-05-04", "modality": "mri_liver"}],
   "questionnaires": [{"date": "2026-02-10", "instrument": "qlq_c30",
                       "items": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,6,6]}]}]}
JSON
expect_exit 0 -- "$LUTETIA" schedule --protocol "$P" --events "$TMP/work.json" NEL-002 --as-of 2026-06-01 --json
expect_jq '[.visits[] | select(.id == "mri_year1.1")][0] | .status == "done" and .actual == "2026-05-04" and .record == "assessment"'
expect_jq '[.visits[] | select(.id == "qol_baseline")][0] | .status == "done" and .actual == "2026-02-10"'
expect_jq '[.visits[] | select(.id == "soc_visit.1")][0].status == "overdue"'
# due without a period: from today, for four weeks
expect_exit 0 -- "$LUTETIA" due --protocol "$P" --events "$TMP/work.json"
expect_out "due from $(date -u +%F) to $(date -u -d "$(date -u +%F) + 27 days" +%F)"
finish
