#!/bin/sh
# Every SDTM and ADaM dataset of the three demonstration trials: each XPT reads back (pandas'
# SAS transport reader) equal to its CSV; the counts are the store's and the protocol's (TI a
# row per criterion, RS an overall response per follow-up tumour assessment, TR a row per
# lesion measured, VS per vital sign screened, SV the calendar `lutetia schedule` shows, ADAE
# and ADLB a row per AE and lab result); the objective responses RS gives are the ones `analyse
# proportion` counts; Kaplan-Meier and Cox from ADTTE equal `lutetia analyse` on the store's
# endpoint dataset for every time-to-event endpoint. And a patient without an endpoint origin
# is left out of ADTTE with a note (exit 6, as the endpoints verb), the rest written. TS's
# codes (TSVALCD) and SEXPOP/AGEMAX from the rules every patient must meet; define.xml beside
# each folder, equal to the XPT headers (define_check.py).
. "$(dirname "$0")/lib.sh"
L="$LUTETIA"
CUT=2025-12-31
DATASETS="adae adlb adsl adtte ae dm ds ex lb qs rs sv ta te ti tr ts tu tv vs"

q() { sqlite3 "$DB" "$1"; }
rows() { /usr/bin/python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' "$1"; }
# rows_where FILE COLUMN VALUE
rows_where() {
  /usr/bin/python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r[sys.argv[2]] == sys.argv[3]))' "$@"
}

# check_trial NAME PROTOCOL DEMO-OPTIONS...
check_trial() {
  name=$1 proto=$2; shift 2
  D="$TMP/$name"; DB="$D/demo.db"; S="$D/sdtm"; A="$D/adam"
  mkdir -p "$S" "$A"
  "$L" demo --db "$DB" --out "$D" --protocol "$proto" "$@" >/dev/null 2>"$TMP/err" ||
    { bad "$name: demo failed: $(tail -2 "$TMP/err")"; return; }
  expect_exit 0 -- "$L" export sdtm --db "$DB" --user statistician --out "$S"
  expect_exit 0 -- "$L" export adam --db "$DB" --user statistician --out "$A" --cutoff $CUT
  for d in $DATASETS; do
    [ -s "$S/$d.xpt" ] || [ -s "$A/$d.xpt" ] || bad "$name: no $d.xpt"
  done
  for dir in "$S" "$A"; do
    /usr/bin/python3 "$SRC/tests/cli/xpt_equals_csv.py" "$dir" >"$TMP/xpt.txt" 2>&1 && ok ||
      bad "$name: XPT and CSV differ: $(grep -v ' 0 differences' "$TMP/xpt.txt")"
  done
  # define.xml beside each folder's datasets: well-formed, and describing exactly the datasets
  # and variables written, with the XPT's own names, labels, types and lengths
  for dir in "$S" "$A"; do
    xmllint --noout "$dir/define.xml" 2>"$TMP/xmllint.txt" && ok || bad "$name: $dir/define.xml: $(head -3 "$TMP/xmllint.txt")"
    n_ig=$(xmllint --xpath 'count(//*[local-name()="ItemGroupDef"])' "$dir/define.xml")
    [ "$n_ig" = "$(ls "$dir"/*.xpt | wc -l)" ] && ok || bad "$name: $n_ig ItemGroupDefs in $dir/define.xml"
    # OIDs are identifiers: NET RETREAT's study OID is ST.NET_RETREAT, as in the ODM export
    grep -Eq 'OID="[^"]*[^A-Za-z0-9._"-]' "$dir/define.xml" && bad "$name: an OID with a space: $(grep -Eo 'OID="[^"]*[^A-Za-z0-9._"-][^"]*"' "$dir/define.xml" | head -2)" || ok
    /usr/bin/python3 "$SRC/tests/cli/define_check.py" "$dir" >"$TMP/def.txt" 2>&1 && ok ||
      bad "$name: define.xml: $(grep -v ' 0 differences' "$TMP/def.txt" | head -5)"
  done
  grep -q 'def:StandardName="SDTM-IG" def:StandardVersion="3.3"' "$S/define.xml" &&
    grep -q 'def:StandardName="ADaM-IG" def:StandardVersion="1.1"' "$A/define.xml" && ok ||
    bad "$name: define.xml's standards"
  # what every history must satisfy: baseline, worst grade, change, treatment-emergence,
  # censoring, the oral drug's periods (each demo a seeded random trial of many patients)
  /usr/bin/python3 "$SRC/tests/cli/export_properties.py" "$S" "$A" >"$TMP/prop.txt" 2>&1 && ok ||
    bad "$name: $(cat "$TMP/prop.txt")"
  # subjects: the patients allocated
  n=$(q "select count(*) from record where kind = 'allocation'")
  [ "$(rows "$S/dm.csv")" = "$n" ] && [ "$(rows "$A/adsl.csv")" = "$n" ] && ok ||
    bad "$name: DM $(rows "$S/dm.csv"), ADSL $(rows "$A/adsl.csv"), allocated $n"
  # TI: every criterion of the protocol, IETEST at most 200 characters
  crit=$(jq '.criteria | length' "$proto")
  [ "$(rows "$S/ti.csv")" = "$crit" ] && ok || bad "$name: TI $(rows "$S/ti.csv") rows, $crit criteria"
  /usr/bin/python3 -c 'import csv,sys; sys.exit(max(len(r["IETEST"]) for r in csv.DictReader(open(sys.argv[1]))) > 200)' "$S/ti.csv" &&
    ok || bad "$name: an IETEST over 200 characters"
  # TS: the title and phase; TA: an arm's elements start with screening and end in follow-up
  title=$(jq -r .title "$proto")
  [ "$(grep -c "TITLE,Trial Title,\"*$title" "$S/ts.csv")" = 1 ] && ok || bad "$name: TS lacks the title"
  # TS: a value from CDISC's terminology carries its C-code and the package's date; a value
  # with a code names its terminology; NCI codes are C and digits
  /usr/bin/python3 -c '
import csv, re, sys
for r in csv.DictReader(open(sys.argv[1])):
    ref, cd, ver = r["TSVCDREF"], r["TSVALCD"], r["TSVCDVER"]
    if ref == "CDISC CT": assert re.fullmatch(r"C[0-9]+", cd) and ver == "2025-03-28", r
    if cd: assert ref, r
    if ref in ("ClinicalTrials.gov", "EudraCT"): assert cd == r["TSVAL"], r
' "$S/ts.csv" 2>"$TMP/ts.txt" && ok || bad "$name: TS codes: $(tail -1 "$TMP/ts.txt")"
  arms=$(jq '.arms | length' "$proto")
  [ "$(rows_where "$S/ta.csv" ETCD SCRN)" = "$arms" ] && [ "$(rows_where "$S/ta.csv" ETCD FU)" = "$arms" ] &&
    ok || bad "$name: TA's arms"
  # RS: an overall response per tumour assessment after each patient's first (the baseline)
  fu=$(q "select count(*) - count(distinct patient) from record where kind = 'assessment'")
  [ "$(rows_where "$S/rs.csv" RSTESTCD OVRLRESP)" = "$fu" ] && ok ||
    bad "$name: RS $(rows_where "$S/rs.csv" RSTESTCD OVRLRESP) overall responses, $fu follow-up assessments"
  # TR: a row per lesion at each assessment, and a sum of diameters where targets are
  lesions=$(q "select coalesce(sum(json_array_length(data, '\$.lesions')), 0) from record where kind = 'assessment'")
  sums=$(q "select count(*) from record where kind = 'assessment' and exists (select 1 from json_each(record.data, '\$.lesions') where json_extract(value, '\$.target'))")
  [ "$(rows "$S/tr.csv")" = "$((lesions + sums))" ] && ok ||
    bad "$name: TR $(rows "$S/tr.csv") rows, $lesions lesions + $sums sums"
  # VS: the vital signs of the allocated patients' screened facts
  vitals=$(q "select coalesce(sum(json_array_length(d.data, '\$.vitals')), 0) from record d where d.kind = 'patient_data' and d.id in (select patient from record where kind = 'allocation')")
  [ "$(rows "$S/vs.csv")" = "$vitals" ] && ok || bad "$name: VS $(rows "$S/vs.csv") rows, $vitals vital signs"
  # LB: every result graded has its LBTOXGR; ADLB and ADAE a row per LB and AE row
  graded=$(q "select count(*) from record where kind = 'lab' and json_extract(data, '\$.grade.grade') is not null")
  [ "$(/usr/bin/python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["LBTOXGR"]))' "$S/lb.csv")" = "$graded" ] &&
    ok || bad "$name: LBTOXGR missing"
  [ "$(rows "$A/adlb.csv")" = "$(rows "$S/lb.csv")" ] && [ "$(rows "$A/adae.csv")" = "$(rows "$S/ae.csv")" ] &&
    ok || bad "$name: ADLB/ADAE rows differ from LB/AE"
  # SV: the first patient's visits are the calendar entries `schedule` shows done
  p=$(q "select patient from record where kind = 'allocation' order by patient limit 1")
  "$L" schedule --db "$DB" --user statistician --patient "$p" --json >"$TMP/cal.json" 2>"$TMP/err"
  done_n=$(jq '[.visits[] | select(.actual != null)] | length' "$TMP/cal.json")
  sv_n=$(rows_where "$S/sv.csv" USUBJID "$(jq -r .name "$proto")-$p")
  [ "$sv_n" = "$done_n" ] && [ "$sv_n" -gt 0 ] && ok || bad "$name: SV $sv_n visits of $p, schedule $done_n"
  # every SV visit is a planned visit of TV (VISITNUM)
  /usr/bin/python3 -c 'import csv,sys; tv={r["VISITNUM"] for r in csv.DictReader(open(sys.argv[1]))}; sys.exit(any(r["VISITNUM"] not in tv for r in csv.DictReader(open(sys.argv[2]))))' "$S/tv.csv" "$S/sv.csv" &&
    ok || bad "$name: an SV visit that TV lacks"
  # ADTTE: each time-to-event endpoint's Kaplan-Meier and Cox equal the store's analysis
  ref=$(jq -r '[.arms | to_entries[] | select(.value.role == "control") | .key][0] // empty' "$proto")
  others=$(jq -r --arg r "$ref" '[.arms | keys[] | select(. != $r)] | join(" ")' "$proto")
  for e in $(jq -r '.endpoints | to_entries[] | select(.value.type != "proportion") | .key' "$proto"); do
    pc=$(printf %.8s "$e")
    /usr/bin/python3 "$SRC/tests/cli/adtte_dataset.py" "$A" "$S" "$pc" $others >"$TMP/tte.csv"
    expect_exit 0 -- "$L" analyse km "$TMP/tte.csv" --time time --event event --group arm --times 6,12,36 --json
    jq -c '[.curves[] | .at.surv]' "$TMP/out" >"$TMP/km-adtte"
    expect_exit 0 -- "$L" analyse km --endpoint "$e" --db "$DB" --user statistician --cutoff $CUT --times 6,12,36 --json
    jq -c '[.curves[] | .at.surv]' "$TMP/out" >"$TMP/km-store"
    cmp -s "$TMP/km-adtte" "$TMP/km-store" && ok || bad "$name $e: KM from ADTTE $(cat "$TMP/km-adtte") vs $(cat "$TMP/km-store")"
    [ -n "$ref" ] || continue
    cov=$(printf 'arm_%s,' $others | sed 's/,$//')
    expect_exit 0 -- "$L" analyse cox "$TMP/tte.csv" --time time --event event --covariates "$cov" --json
    jq -c '[.coefficients[] | .coef]' "$TMP/out" >"$TMP/cox-adtte"
    expect_exit 0 -- "$L" analyse cox --endpoint "$e" --db "$DB" --user statistician --cutoff $CUT --covariates "$cov" --json
    jq -c '[.coefficients[] | .coef]' "$TMP/out" >"$TMP/cox-store"
    # AVAL is written with 15 significant digits: the coefficients agree to 1e-9
    jq -e --slurpfile s "$TMP/cox-store" '[., $s[0]] | transpose | all(((.[0] - .[1]) | fabs) < 1e-9)' "$TMP/cox-adtte" >/dev/null &&
      ok || bad "$name $e: Cox from ADTTE $(cat "$TMP/cox-adtte") vs $(cat "$TMP/cox-store")"
  done
}

check_trial nelmas "$SRC/protocols/nelmas.json" --patients 40
check_trial nct "$SRC/protocols/nct04544098.json"
check_trial retreat "$SRC/protocols/net-retreat.json" --patients 40

# NCT04544098's objective responses: the patients with a CR or PR overall response in RS are
# the ones `analyse proportion` counts for ORR (both evaluate the same assessments)
D="$TMP/nct"
expect_exit 0 -- "$L" analyse proportion --endpoint ORR --db "$D/demo.db" --user statistician --json
orr=$(jq '.x' "$TMP/out")
rs_orr=$(/usr/bin/python3 -c 'import csv,sys; print(len({r["USUBJID"] for r in csv.DictReader(open(sys.argv[1])) if r["RSTESTCD"] == "OVRLRESP" and r["RSORRES"] in ("CR", "PR")}))' "$D/sdtm/rs.csv")
[ "$orr" = "$rs_orr" ] && ok || bad "ORR: analyse proportion $orr, RS $rs_orr responders"
# TS's codes where the trials differ: NCT04544098 is ClinicalTrials.gov's "early phase 1"
# (CDISC's EARLY PHASE I) with one arm; NET RETREAT's control arm gives everolimus (ACTIVE)
grep -q ',TPHASE,Trial Phase Classification,EARLY PHASE I,,CDISC CT,C54721,' "$D/sdtm/ts.csv" &&
  grep -q ',INTMODEL,Intervention Model,SINGLE GROUP,,CDISC CT,C82640,' "$D/sdtm/ts.csv" &&
  grep -q ',RANDOM,Trial is Randomized,N,,CDISC CT,C49487,' "$D/sdtm/ts.csv" &&
  grep -q ',SEXPOP,Sex of Participants,BOTH,,CDISC CT,C49636,' "$D/sdtm/ts.csv" &&
  grep -q ',TCNTRL,Control Type,ACTIVE,,CDISC CT,C49649,' "$TMP/retreat/sdtm/ts.csv" && ok ||
  bad "TS codes of NCT04544098 / NET RETREAT: $(grep -E 'TPHASE|INTMODEL|RANDOM' "$D/sdtm/ts.csv")"
grep -q ',LDIAM,Longest Diameter,[0-9]' "$D/sdtm/tr.csv" && grep -q ',TARGET,TARGET,LIVER,' "$D/sdtm/tu.csv" && ok ||
  bad "TR/TU lack the target lesions"

# a patient whose liver resection date never reached the store (its screened facts without the
# procedure and its anchor record without a date, as a store written before the screened facts
# were kept may hold them; made here behind the engine's back): DFS leaves that patient out
# with a note naming the date to record, OS keeps every patient, and the exit status is the
# endpoints verb's for the same patient
D="$TMP/nelmas"
p=$(sqlite3 "$D/demo.db" "select patient from record where kind = 'allocation' order by patient limit 1")
sqlite3 "$D/demo.db" "update record set data = json_set(data, '\$.procedures', json('[]')) where kind = 'patient_data' and id = '$p'; update record set data = json_remove(data, '\$.date') where kind = 'anchor' and patient = '$p'"
mkdir -p "$D/adam2"
expect_exit 6 -- "$L" export adam --db "$D/demo.db" --user statistician --out "$D/adam2" --cutoff $CUT
expect_err "note: DFS: patient $p left out: no liver_resection date \(record it: lutetia record anchor --patient $p --anchor liver_resection\)"
expect_out 'ADLB: [0-9]+ rows'
n=$(rows "$D/sdtm/dm.csv")
[ "$(rows_where "$D/adam2/adtte.csv" PARAMCD DFS)" = $((n - 1)) ] && [ "$(rows_where "$D/adam2/adtte.csv" PARAMCD OS)" = "$n" ] &&
  ok || bad "ADTTE with $p left out: DFS $(rows_where "$D/adam2/adtte.csv" PARAMCD DFS), OS $(rows_where "$D/adam2/adtte.csv" PARAMCD OS) of $n"
expect_exit 6 -- "$L" analyse km --endpoint DFS --db "$D/demo.db" --user statistician --cutoff $CUT

# an amended trial: TI holds the criteria of the version it began with, and a criterion an
# amendment reworded again with the amendment's version (TIVERS)
jq '.versions[0].changes.criteria = {"I2": {"text": "Patients aged 18 years or older (1.0 wording)"}}' \
  "$SRC/protocols/nelmas.json" >"$TMP/amended.json"
export LUTETIA_DB="$TMP/amended.db" LUTETIA_USER=admin
"$L" trial init --protocol "$TMP/amended.json" --version 1.0 >/dev/null &&
  "$L" trial amend --protocol "$TMP/amended.json" --version 2.0 --effective 2026-01-01 >/dev/null &&
  ok || bad "the amended trial"
mkdir -p "$TMP/amended"
expect_exit 0 -- "$L" export sdtm --out "$TMP/amended"
crit=$(jq '.criteria | length' "$SRC/protocols/nelmas.json")
expect_out "TI: $((crit + 1)) rows"
[ "$(rows_where "$TMP/amended/ti.csv" TIVERS 1.0)" = "$crit" ] && ok || bad "TI of version 1.0: $(rows_where "$TMP/amended/ti.csv" TIVERS 1.0) rows"
grep -q '^NELMAS,TI,I2,Patients aged 18 years or older (1.0 wording),INCLUSION,1.0' "$TMP/amended/ti.csv" &&
  grep -q '^NELMAS,TI,I2,Patients aged 18 years or older,INCLUSION,2.0' "$TMP/amended/ti.csv" && ok ||
  bad "TI's I2: $(grep ',I2,' "$TMP/amended/ti.csv")"
# SEXPOP and AGEMIN/AGEMAX read the rules every patient must meet: a sex or age rule as a
# criterion's rule or a conjunct of its "all" limits who may enter; one inside an "any" (a
# branch: "women of childbearing potential and men must agree to contraception", as
# NCT04544098 has) does not
sexpop() { # RULE-JSON: TS's SEXPOP and AGEMAX values of NELMAS with I2's rule replaced
  jq --argjson r "$1" '.criteria.I2.rule = $r' "$SRC/protocols/nelmas.json" >"$TMP/sex.json"
  rm -rf "$TMP/sex.db" "$TMP/sex.db.key" "$TMP/sex"; mkdir -p "$TMP/sex"
  LUTETIA_DB="$TMP/sex.db" "$L" trial init --protocol "$TMP/sex.json" >/dev/null 2>&1 &&
    LUTETIA_DB="$TMP/sex.db" "$L" export sdtm --out "$TMP/sex" >/dev/null 2>&1 &&
    printf '%s %s\n' "$(grep ',SEXPOP,' "$TMP/sex/ts.csv" | cut -d, -f7,10)" "$(grep ',AGEMAX,' "$TMP/sex/ts.csv" | cut -d, -f7,8)"
}
# TRT's UNII only for the substance terms.c confirmed: 177Lu-DOTATATE (any spelling of its
# name with nuclide Lu-177), not another agent of the same nuclide
trt() { # AGENT: TS's TRT row (value, reference, code) of NELMAS with arm B's agent renamed
  jq --arg a "$1" '.arms.B.interventions.lutathera.agent = $a' "$SRC/protocols/nelmas.json" >"$TMP/trt.json"
  rm -rf "$TMP/trt.db" "$TMP/trt.db.key" "$TMP/trt"; mkdir -p "$TMP/trt"
  LUTETIA_DB="$TMP/trt.db" "$L" trial init --protocol "$TMP/trt.json" >/dev/null 2>&1 &&
    LUTETIA_DB="$TMP/trt.db" "$L" export sdtm --out "$TMP/trt" >/dev/null 2>&1 &&
    grep ',TRT,' "$TMP/trt/ts.csv" | cut -d, -f7,9,10
}
[ "$(trt 'Lutetium Lu 177 dotatate')" = 'Lutetium Lu 177 dotatate,UNII,AE221IM3BB' ] &&
  [ "$(trt '177Lu-PSMA-617')" = '177Lu-PSMA-617,,' ] && ok ||
  bad "TRT's UNII: $(trt 'Lutetium Lu 177 dotatate') / $(trt '177Lu-PSMA-617')"
for case in '{"sex": ["female"]}|F,C16576 ,PINF' \
    '{"all": [{"sex": ["male"]}, {"derived": "age_years", "op": "<=", "value": 75}]}|M,C20197 P75Y,' \
    '{"any": [{"sex": ["female"]}, {"derived": "age_years", "op": "<", "value": 40}]}|BOTH,C49636 ,PINF' \
    '{"not": {"sex": ["female"]}}|BOTH,C49636 ,PINF'; do
  got=$(sexpop "${case%%|*}")
  [ "$got" = "${case#*|}" ] && ok || bad "SEXPOP/AGEMAX of ${case%%|*}: '$got', expected '${case#*|}'"
done
finish
