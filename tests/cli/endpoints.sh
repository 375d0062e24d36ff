# lutetia endpoints on NELMAS: DFS, liver DFS, OS, time to recurrence and to next therapy from
# an outcomes file; censoring; the CSV that lutetia analyse reads; errors.
# Reference day counts come from GNU date at run time (days between two civil dates).
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"
days() { echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 )); }

cat > "$TMP/events.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "protocol": "nelmas",
 "patients": [
  {"id": "N1", "arm": "B", "strata": {"primary_site": "pancreas", "resection_margin": "R0"},
   "anchors": {"liver_resection": "2026-01-10", "randomisation": "2026-01-20"},
   "assessments": [{"date": "2026-04-10"}, {"date": "2026-07-10"}, {"date": "2026-10-09"}],
   "events": [{"type": "recurrence", "date": "2027-03-15", "site": "liver"},
              {"type": "next_therapy", "date": "2027-04-01", "therapy": "repeat resection"}],
   "last_contact": "2027-06-01"},
  {"id": "N2", "arm": "A", "strata": {"primary_site": "other", "resection_margin": "R1"},
   "anchors": {"liver_resection": "2026-01-10", "randomisation": "2026-01-20"},
   "assessments": [{"date": "2026-04-10"}, {"date": "2026-10-09"}], "last_contact": "2026-12-01"},
  {"id": "N3", "arm": "A", "strata": {"primary_site": "other", "resection_margin": "R0"},
   "anchors": {"liver_resection": "2026-02-01", "randomisation": "2026-02-10"},
   "assessments": [{"date": "2026-05-01"}, {"date": "2026-09-01"}],
   "events": [{"type": "recurrence", "date": "2026-09-01", "site": "extrahepatic"},
              {"type": "death", "date": "2028-12-20", "cause": "disease"}]},
  {"id": "N4", "arm": "B", "strata": {"primary_site": "pancreas", "resection_margin": "R1"},
   "anchors": {"liver_resection": "2026-03-03", "randomisation": "2026-03-10"},
   "assessments": [{"date": "2026-06-01"}],
   "events": [{"type": "death", "date": "2026-08-15", "cause": "other"}]},
  {"id": "N5", "arm": "B", "strata": {"primary_site": "other, unknown", "resection_margin": "R0"},
   "anchors": {"liver_resection": "2026-03-03", "randomisation": "2026-03-10"}},
  {"id": "N6", "arm": "A", "anchors": {"liver_resection": "2026-01-05", "randomisation": "2026-01-15"},
   "assessments": [{"date": "2026-04-01"}, {"date": "2026-07-01"}],
   "events": [{"type": "withdrawal", "date": "2026-08-01"}]}
 ]}
JSON

expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS --csv
# the last column, arm_B, is the 0/1 column of the second arm for a Cox model
expect_out '^patient,arm,primary_site,resection_margin,time,event,time_months,origin,end,reason,arm_B$'
expect_out "^N1,B,pancreas,R0,$(days 2026-01-10 2027-03-15),1,[0-9.]+,2026-01-10,2027-03-15,recurrence,1$"
expect_out "^N2,A,other,R1,$(days 2026-01-10 2026-10-09),0,[0-9.]+,2026-01-10,2026-10-09,last_assessment,0$"
expect_out "^N3,A,other,R0,$(days 2026-02-01 2026-09-01),1,"
expect_out "^N4,B,pancreas,R1,$(days 2026-03-03 2026-08-15),1,.*,death,1$"
expect_out '^N5,B,"other, unknown",R0,0,0,0.0000,2026-03-03,2026-03-03,no_assessment,1$'
expect_out "^N6,A,,,$(days 2026-01-05 2026-07-01),0,.*,last_assessment,0$"
cp "$TMP/out" "$TMP/dfs.csv"
# months = days / 30.4375
expect_out "^N1,B,pancreas,R0,429,1,14.0945,"

# liver DFS: N3's extrahepatic recurrence is not an event; the death is
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS_LIVER --json
expect_jq '.endpoint == "DFS_LIVER" and .origin == "liver_resection" and .n == 6'
expect_jq ".rows[] | select(.patient == \"N3\") | .event == 1 and .time == $(days 2026-02-01 2028-12-20) and .reason == \"death\""
expect_jq '.rows[] | select(.patient == "N1") | .strata.primary_site == "pancreas"'
# OS: from randomisation (protocols/nelmas.json, choices: os-ttnt-origin), censored at the
# last contact
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint os --json
expect_jq '.origin == "randomisation"'
expect_jq ".rows[] | select(.patient == \"N1\") | .event == 0 and .time == $(days 2026-01-20 2027-06-01) and .reason == \"last_contact\""
expect_jq ".rows[] | select(.patient == \"N6\") | .event == 0 and .time == $(days 2026-01-15 2026-08-01)"
expect_jq '.events == 2'
# TTR: a death without recurrence is censored at the last assessment
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint TTR --json
expect_jq ".rows[] | select(.patient == \"N4\") | .event == 0 and .time == $(days 2026-03-03 2026-06-01)"
# TTNT
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint TTNT --json
expect_jq ".rows[] | select(.patient == \"N1\") | .event == 1 and .time == $(days 2026-01-20 2027-04-01)"
# a data cut-off: N1's recurrence is after it
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS --cutoff 2027-01-01 --json
expect_jq '.cutoff == "2027-01-01"'
expect_jq ".rows[] | select(.patient == \"N1\") | .event == 0 and .time == $(days 2026-01-10 2026-10-09)"
# patients whose origin is after the cutoff are left out, and the output says so
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS --cutoff 2026-02-15 --csv
expect_err 'note: 2 patients whose liver_resection or randomisation is after the cutoff left out'
expect_no_out '^N(4|5),'
expect_out '^N3,A,other,R0,0,0,0.0000,2026-02-01,2026-02-01,no_assessment,0$'
expect_out '^N2,A,other,R1,0,0,0.0000,2026-01-10,2026-01-10,no_assessment,0$'
# resected by the cutoff but randomised after it: not in the study then, left out of DFS as of
# OS (N1 and N2: resected 2026-01-10, randomised 2026-01-20; N6 randomised 2026-01-15)
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS --cutoff 2026-01-16 --csv
expect_err 'note: 5 patients whose liver_resection or randomisation is after the cutoff left out'
expect_out '^N6,'
expect_no_out '^N(1|2|3|4|5),'
# the text table
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint DFS
expect_out 'endpoint DFS from liver_resection: 6 patients, 3 events'
expect_out 'N2 +A +2026-01-10 +2026-10-09 +272 +8.94  censored \(last_assessment\)'

# the CSV is what lutetia analyse reads
expect_exit 0 -- "$LUTETIA" analyse km "$TMP/dfs.csv" --time time --event event --group arm --json
expect_out '"n.event"'
expect_exit 0 -- "$LUTETIA" analyse logrank "$TMP/dfs.csv" --time time --event event --group arm --json
expect_jq '.chisq >= 0'

# NET RETREAT PFS: progression computed by RECIST 1.1 from the lesion measurements
cat > "$TMP/retreat.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "protocol": "net-retreat",
 "patients": [
  {"id": "R1", "arm": "1", "anchors": {"randomisation": "2026-01-20"},
   "assessments": [
    {"date": "2026-01-15", "lesions": [{"id": "L1", "organ": "liver", "target": true, "mm": 40},
                                       {"id": "L2", "organ": "liver", "target": true, "mm": 20}]},
    {"date": "2026-04-15", "lesions": [{"id": "L1", "target": true, "mm": 30}, {"id": "L2", "target": true, "mm": 12}]},
    {"date": "2026-07-15", "lesions": [{"id": "L1", "target": true, "mm": 36}, {"id": "L2", "target": true, "mm": 14}]},
    {"date": "2026-10-15", "lesions": [{"id": "L1", "target": true, "mm": 38}, {"id": "L2", "target": true, "mm": 13}]}]},
  {"id": "R2", "arm": "2", "anchors": {"randomisation": "2026-02-01"},
   "assessments": [
    {"date": "2026-01-25", "lesions": [{"id": "L1", "organ": "liver", "target": true, "mm": 10},
                                       {"id": "L2", "organ": "lung", "target": true, "mm": 10}]},
    {"date": "2026-05-01", "lesions": [{"id": "L1", "target": true, "mm": 12}, {"id": "L2", "target": true, "mm": 12}]}]},
  {"id": "R3", "arm": "2", "anchors": {"randomisation": "2026-02-01"},
   "assessments": [
    {"date": "2026-01-25", "lesions": [{"id": "L1", "organ": "liver", "target": true, "mm": 25}]},
    {"date": "2026-05-01", "new_lesions": true, "lesions": [{"id": "L1", "target": true, "mm": 20}]}]}
 ]}
JSON
expect_exit 0 -- "$LUTETIA" endpoints --protocol "$SRC/protocols/net-retreat.json" --events "$TMP/retreat.json" --endpoint PFS --json
# R1: sums 60, 42 (PR, the nadir), 50 (+19%: SD), 51 (+21.4% and +9 mm over 42: PD)
expect_jq ".rows[] | select(.patient == \"R1\") | .event == 1 and .reason == \"progression\" and .time == $(days 2026-01-20 2026-10-15)"
# R2: 20 -> 24 is +20% but only +4 mm: SD, censored at that assessment
expect_jq ".rows[] | select(.patient == \"R2\") | .event == 0 and .time == $(days 2026-02-01 2026-05-01)"
# R3: a new lesion is PD even though the sum fell
expect_jq ".rows[] | select(.patient == \"R3\") | .event == 1 and .time == $(days 2026-02-01 2026-05-01)"
expect_jq '.events == 2 and .n == 3'
# an 8 mm baseline target is not measurable under RECIST 1.1: refused, not ignored, even with
# no follow-up assessment yet
cat > "$TMP/r4.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "patients": [
  {"id": "R4", "arm": "1", "anchors": {"randomisation": "2026-02-01"},
   "assessments": [{"date": "2026-01-25", "lesions": [{"id": "L1", "organ": "liver", "target": true, "mm": 8}]}]}]}
JSON
expect_exit 4 -- "$LUTETIA" endpoints --protocol "$SRC/protocols/net-retreat.json" --events "$TMP/r4.json" --endpoint PFS
expect_err 'patient R4.assessments\[0\].lesions\[0\]: target lesion L1 measures 8.0 mm; RECIST 1.1 needs >= 10 mm'

# the RECIST responses behind it, visit by visit
expect_exit 0 -- "$LUTETIA" endpoints --events "$TMP/retreat.json" --response --csv
expect_out '^patient,arm,date,sum_mm,nadir_mm,target,nontarget,overall$'
expect_out '^R1,1,2026-01-15,60.0000,60.0000,,,baseline$'
expect_out '^R1,1,2026-04-15,42.0000,60.0000,PR,NED,PR$'
expect_out '^R1,1,2026-07-15,50.0000,42.0000,SD,NED,SD$'
expect_out '^R1,1,2026-10-15,51.0000,42.0000,PD,NED,PD$'
expect_out '^R3,2,2026-05-01,20.0000,25.0000,SD,NED,PD$'
expect_exit 0 -- "$LUTETIA" endpoints --events "$TMP/retreat.json" --response --json
expect_jq '[.rows[] | select(.patient == "R2")][1].overall == "SD"'

# QLQ-C30 scores (scoring manual formulas, worked by hand): PF items 1,1,2,1,1 -> 93.3333;
# QL 6,5 -> 75; FA 2,2,2 -> 33.3333; PA 2,1 -> 16.6667; EF 2,2,1,1 -> 83.3333; DY missing
cat > "$TMP/qol.json" <<'JSON'
{"format": "lutetia-outcomes", "format_version": 1, "patients": [
  {"id": "Q1", "arm": "B", "questionnaires": [{"date": "2026-01-18", "instrument": "qlq_c30",
   "items": [1,1,2,1,1, 1,1, null,2,2,1,2,1,1,1,1,1,2,1,1,2,2,1,1,1,1,1,1,6,5]}]}]}
JSON
expect_exit 0 -- "$LUTETIA" endpoints --events "$TMP/qol.json" --qol --csv
expect_out '^patient,arm,date,QL,PF,RF,EF,CF,SF,FA,NV,PA,DY,SL,AP,CO,DI,FI$'
expect_out '^Q1,B,2026-01-18,75.0000,93.3333,100.0000,83.3333,100.0000,100.0000,33.3333,0.0000,16.6667,,0.0000,'
expect_exit 0 -- "$LUTETIA" endpoints --events "$TMP/qol.json" --qol --json
expect_jq '.rows[0].DY == null and .rows[0].QL == 75'
expect_exit 2 -- "$LUTETIA" endpoints --events "$TMP/qol.json" --qol --endpoint DFS
expect_err 'takes no --endpoint'

# errors
expect_exit 5 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json" --endpoint EFS
expect_err "no endpoint 'EFS' in the protocol \\(endpoints: DFS, DFS_LIVER, OS, TTR, TTNT\\)"
expect_exit 2 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/events.json"
expect_err 'are required'
printf '{"format": "lutetia-outcomes", "format_version": 1, "patients": [{"id": "X1", "anchors": {"randomisation": "2026-01-01"}}]}' > "$TMP/noorigin.json"
expect_exit 6 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/noorigin.json" --endpoint DFS
expect_err 'noorigin.json: patient X1: DFS counts from liver_resection, which has no date'
printf '{"format": "lutetia-outcomes", "format_version": 1, "patients": [{"id": "X2", "anchors": {"liver_resection": "2026-01-10", "randomisation": "2026-01-20"}, "events": [{"type": "death", "date": "2025-12-01"}]}]}' > "$TMP/before.json"
expect_exit 4 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/before.json" --endpoint OS
expect_err 'death on 2025-12-01 precedes OS.s origin randomisation on 2026-01-20'
printf '{"format": "lutetia-outcomes", "format_version": 1, "patients": [{"id": "X3", "events": [{"type": "death", "date": "2026-01-01", "cause": "heart"}]}]}' > "$TMP/cause.json"
expect_exit 4 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/cause.json" --endpoint OS
expect_err 'cause.json: patients\[0\].events\[0\].cause: expected one of disease, treatment, other, unknown, found "heart"'
printf '{"format": "lutetia-outcomes", "format_version": 1, "patients": [' > "$TMP/trunc.json"
expect_exit 4 -- "$LUTETIA" endpoints --protocol "$P" --events "$TMP/trunc.json" --endpoint OS
expect_err 'trunc.json:1:'
finish
