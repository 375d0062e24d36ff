#!/bin/sh
# `lutetia export odm`: CDISC ODM 1.3.2 that validates against the schema (offline, xmllint),
# whose counts of subjects, forms and audit records are those of the store; a correction's
# reason (with XML's special characters in it) reaches its AuditRecord; only the roles that
# may export can, a site-bound user exports only its site, and the allocation sequence
# (block, position, block size) never leaves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
XSD="$SHARED/reference/odm-1.3.2/ODM1-3-2.xsd"
ASOF=2025-11-01
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" Q 3 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready S1"
make_patients "$TMP/r.json" R 2 pancreas R1
sed -i 's/"2026-/"2025-/g' "$TMP/r.json"
ready "$TMP/r.json" S2 coord2 inv2 || bad "ready S2"
for i in 1 2 3; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >/dev/null || bad "randomise Q$i"; done
"$L" randomise --user coord2 --patient R1 --date 2025-11-02 >/dev/null || bad "randomise R1"
"$L" record lab --user coord1 --patient Q1 --date 2025-11-03 --analyte platelets --value 62 --unit 10^9/L --lln 150 --uln 400 >/dev/null || bad "lab"
"$L" record lab --user coord1 --patient Q1 --date 2025-11-03 --analyte platelets --value 232 --unit 10^9/L --lln 150 --uln 400 \
    --reason 'tube <A&B> "mixed up"' >/dev/null || bad "lab correction"
"$L" record ae --user coord1 --patient Q1 --term Nausea --grade 1 --start 2025-11-05 --related probable >/dev/null || bad "ae"
# a QLQ-C30 with question 5 unanswered: QS holds the 30 questions, the unanswered one NOT DONE
"$L" record questionnaire --user coord1 --patient Q2 --date 2025-11-04 \
    --items 1,2,1,1,,1,2,3,1,2,1,1,1,2,1,1,1,2,1,1,2,1,1,1,2,1,1,1,6,5 >/dev/null || bad "questionnaire"

# who may export
expect_exit 7 -- "$L" export odm --user coord1
expect_err 'export the trial'
expect_exit 2 -- "$L" export xml --user stat1
expect_err "unknown format 'xml'"
expect_exit 0 -- "$L" export --help
expect_out 'CDISC ODM 1.3.2'

# the statistician's export: valid, and as large as the store
expect_exit 0 -- "$L" export odm --user stat1 --out "$TMP/all.xml"
xmllint --noout --schema "$XSD" "$TMP/all.xml" 2>"$TMP/xmllint.txt" && ok || bad "all.xml does not validate: $(tail -3 "$TMP/xmllint.txt")"
subjects=$(grep -c '<SubjectData ' "$TMP/all.xml")
[ "$subjects" = 5 ] && ok || bad "5 subjects expected, found $subjects"
records=$(sqlite3 "$LUTETIA_DB" "select count(*) from record where coalesce(patient, '') != '' and kind != 'allocation'")
forms=$(grep -c '<FormData ' "$TMP/all.xml")
audits=$(grep -c '<AuditRecord ' "$TMP/all.xml")
[ "$forms" = "$records" ] && [ "$audits" = "$records" ] && ok || bad "records $records, forms $forms, audit records $audits"
# the correction's reason, escaped and read back by an XML parser
reason=$(xmllint --xpath 'string(//*[local-name()="FormData"][@FormRepeatKey="Q1/2025-11-03/platelets"]//*[local-name()="ReasonForChange"])' "$TMP/all.xml")
[ "$reason" = 'tube <A&B> "mixed up"' ] && ok || bad "reason read back as '$reason'"
value=$(xmllint --xpath 'string(//*[local-name()="FormData"][@FormRepeatKey="Q1/2025-11-03/platelets"]//*[local-name()="ItemData"][@ItemOID="IT.LAB.value"]/@Value)' "$TMP/all.xml")
[ "$value" = 232 ] && ok || bad "platelets read back as '$value'"
unit=$(xmllint --xpath 'string(//*[local-name()="MeasurementUnit"][@OID=string(//*[local-name()="FormData"][@FormRepeatKey="Q1/2025-11-03/platelets"]//*[local-name()="ItemData"][@ItemOID="IT.LAB.value"]/*[local-name()="MeasurementUnitRef"]/@MeasurementUnitOID)]/@Name)' "$TMP/all.xml")
[ "$unit" = '10^9/L' ] && ok || bad "unit read back as '$unit'"
# the arm is there, with its code list; the sequence is not
grep -q 'ItemOID="IT.PATIENT.arm"' "$TMP/all.xml" && grep -q 'CodeList OID="CL.ARM"' "$TMP/all.xml" && ok || bad "no arm"
grep -Eq 'block|position' "$TMP/all.xml" && bad "the allocation sequence was exported" || ok
# the audit head the export stands on
head=$("$L" audit head --user admin --json | jq -r .hash)
grep -q "Description=\"$head\"" "$TMP/all.xml" && ok || bad "the export does not name the audit head $head"

# a monitor bound to S1 exports S1 only, and it validates
expect_exit 0 -- "$L" export odm --user mon1 --out "$TMP/s1.xml"
xmllint --noout --schema "$XSD" "$TMP/s1.xml" 2>/dev/null && ok || bad "s1.xml does not validate"
keys=$(grep -o '<SubjectData SubjectKey="[^"]*"' "$TMP/s1.xml" | sed 's/.*="//; s/"//' | tr '\n' ' ')
[ "$keys" = "Q1 Q2 Q3 " ] && ok || bad "S1's monitor exported subjects: $keys"
# standard output when no --out; an --out into a missing folder fails and writes nothing
expect_exit 0 -- "$L" export odm --user stat1
expect_out '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"'
expect_exit 3 -- "$L" export odm --user stat1 --out "$TMP/no/such/dir/x.xml"
[ ! -e "$TMP/no/such/dir/x.xml" ] && ok || bad "wrote into a missing folder"
# SDTM and ADaM: each dataset as CSV and XPT, read back by pandas (SAS transport) equal to the CSV
mkdir -p "$TMP/tab"
expect_exit 2 -- "$L" export sdtm --user stat1
expect_err 'needs --out DIR'
expect_exit 7 -- "$L" export sdtm --user coord1 --out "$TMP/tab"
expect_exit 0 -- "$L" export sdtm --user stat1 --out "$TMP/tab"
expect_out 'DM: 4 rows'
expect_out 'LB: 1 rows'
expect_out 'AE: 1 rows'
expect_out 'define.xml: 16 datasets'
# define.xml describes the SDTM datasets written (ADaM's, written next into the same folder,
# replaces it: export-domains.sh checks both in folders of their own), QS's coded columns
# with CDISC's QLQ-C30 lists
/usr/bin/python3 "$SRC/tests/cli/define_check.py" "$TMP/tab" >"$TMP/def.txt" 2>&1 && ok || bad "define.xml: $(head -5 "$TMP/def.txt")"
for cl in 'CL.EOR01TC" Name="EORTC QLQ-C30 V3.0 Questionnaire Test Code' 'CL.QSCAT" Name="Category of Questionnaire' \
    'CL.DSCAT" Name="Category of Disposition Event'; do
  grep -q "CodeList OID=\"$cl\"" "$TMP/tab/define.xml" && ok || bad "define.xml lacks $cl"
done
grep -A2 '<EnumeratedItem CodedValue="EOR0105">' "$TMP/tab/define.xml" | grep -q 'Name="C161678"' &&
  grep -A2 '<EnumeratedItem CodedValue="EORTC QLQ-C30 V3.0">' "$TMP/tab/define.xml" | grep -q 'Name="C161654"' &&
  grep -A2 '<EnumeratedItem CodedValue="PROTOCOL MILESTONE">' "$TMP/tab/define.xml" | grep -q 'Name="C74588"' &&
  ok || bad "define.xml: the QS terms' NCI codes"
# ADaM's time-to-event datasets need each endpoint's origin: the liver resection of the screened
# procedures (data entered once) until a coordinator corrects it, with a reason
expect_exit 0 -- "$L" export adam --user stat1 --out "$TMP/tab" --cutoff 2025-12-31
for p in Q1 Q2 Q3; do "$L" record anchor --user coord1 --patient $p --anchor liver_resection --date 2025-09-20 --reason "operation note" >/dev/null || bad "anchor $p"; done
"$L" record anchor --user coord2 --patient R1 --anchor liver_resection --date 2025-09-20 --reason "operation note" >/dev/null || bad "anchor R1"
expect_exit 0 -- "$L" export adam --user stat1 --out "$TMP/tab" --cutoff 2025-12-31
expect_out 'ADSL: 4 rows'
expect_out 'ADTTE: 20 rows'
# python3-pandas is installed by make check (Makefile DEBIAN_BUILD): its reader is the peer
/usr/bin/python3 "$SRC/tests/cli/xpt_equals_csv.py" "$TMP/tab" >"$TMP/xpt.txt" 2>&1 && ok ||
    bad "XPT and CSV differ: $(cat "$TMP/xpt.txt")"
[ "$(grep -c ' 0 differences' "$TMP/xpt.txt")" = 20 ] && ok || bad "20 datasets expected: $(cat "$TMP/xpt.txt")"
# the corrected platelet count in LB, with its grade; the subject of S2 is there for stat1
grep -q '^NELMAS,LB,NELMAS-Q1,1,PLAT,Platelets,232,10^9/L,150,400,232,232,10^9/L,0,2025-11-03' "$TMP/tab/lb.csv" &&
    ok || bad "LB row: $(grep PLAT "$TMP/tab/lb.csv")"
grep -q '^NELMAS,DM,NELMAS-R1,R1,' "$TMP/tab/dm.csv" && ok || bad "R1 missing from DM"
expect_exit 0 -- "$L" export sdtm --user stat1 --out "$TMP/tab"
expect_out 'QS: 30 rows'
grep -q '^NELMAS,QS,NELMAS-Q2,5,EOR0105,EOR01-Need Help Eating/Dressing/Washing,EORTC QLQ-C30 V3.0,,,,NOT DONE,2025-11-04' "$TMP/tab/qs.csv" &&
    grep -q '^NELMAS,QS,NELMAS-Q2,30,EOR0130,EOR01-Rate Your Overall Quality of Life,EORTC QLQ-C30 V3.0,5,5,5,,2025-11-04' "$TMP/tab/qs.csv" &&
    ok || bad "QS rows: $(grep -E 'EOR01(05|30)' "$TMP/tab/qs.csv")"
# QS: CDISC's test code and name of each question (QSTEST the EOR01TN term: at most 40
# characters), the same pair on every row, one pair per code, in the questionnaire's order
/usr/bin/python3 - "$TMP/tab/qs.csv" >"$TMP/qs-names.txt" 2>&1 <<'PY' && ok || bad "QS names: $(cat "$TMP/qs-names.txt")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pairs = {}
for r in rows:
    cd, name = r["QSTESTCD"], r["QSTEST"]
    assert name.startswith("EOR01-") and len(name) <= 40 and "Item" not in name, name
    assert pairs.setdefault(cd, name) == name, (cd, name, pairs[cd])
assert [r["QSTESTCD"] for r in rows] == ["EOR01%02d" % k for k in range(1, 31)], "order"
assert len(set(pairs.values())) == 30, "30 distinct names"
assert pairs["EOR0101"] == "EOR01-Trouble Doing Strenuous Activities", pairs["EOR0101"]
assert pairs["EOR0118"] == "EOR01-Were You Tired", pairs["EOR0118"]
PY
# TI and TS from the protocol: every criterion; the trial's phase, age limits and registry
[ "$(grep -c '^NELMAS,TI,' "$TMP/tab/ti.csv")" = "$(jq '.criteria | length' "$SRC/protocols/nelmas.json")" ] && ok || bad "TI rows"
grep -q '^NELMAS,TI,E17,' "$TMP/tab/ti.csv" && grep -q ',EXCLUSION,' "$TMP/tab/ti.csv" && ok || bad "TI lacks E17"
for row in 'TPHASE,Trial Phase Classification,PHASE II TRIAL' 'AGEMIN,Planned Minimum Age of Subjects,P18Y' \
    'AGEMAX,Planned Maximum Age of Subjects,,PINF' 'REGID,Registry Identifier,NCT05987176' 'RANDOM,Trial is Randomized,Y' \
    'PLANSUB,Planned Number of Subjects,106' 'ACTSUB,Actual Number of Subjects,4'; do
  grep -q ",$row," "$TMP/tab/ts.csv" && ok || bad "TS lacks $row"
done
CR=$(printf '\r')
# TSVALCD: the C-code of each CDISC term (SDTM CT, 2025-03-28), the registry's identifier as
# its own code, 177Lu-DOTATATE's UNII; a value without a code (AGEMIN's ISO 8601) has none
for row in 'TPHASE,Trial Phase Classification,PHASE II TRIAL,,CDISC CT,C15601,2025-03-28' \
    'STYPE,Study Type,INTERVENTIONAL,,CDISC CT,C98388,2025-03-28' \
    'RANDOM,Trial is Randomized,Y,,CDISC CT,C49488,2025-03-28' \
    'INTMODEL,Intervention Model,PARALLEL,,CDISC CT,C82639,2025-03-28' \
    'INTTYPE,Intervention Type,DRUG,,CDISC CT,C1909,2025-03-28' \
    'TBLIND,Trial Blinding Schema,OPEN LABEL,,CDISC CT,C49659,2025-03-28' \
    'SEXPOP,Sex of Participants,BOTH,,CDISC CT,C49636,2025-03-28' \
    'AGEMIN,Planned Minimum Age of Subjects,P18Y,,ISO 8601,,' \
    'REGID,Registry Identifier,NCT05987176,,ClinicalTrials.gov,NCT05987176,' \
    'TRT,Investigational Therapy or Treatment,177Lu-DOTATATE (Lutathera),,UNII,AE221IM3BB,'; do
  grep -q ",$row$CR\$" "$TMP/tab/ts.csv" && ok || bad "TS lacks $row: $(grep ",${row%%,*}," "$TMP/tab/ts.csv")"
done
[ "$(grep -c ',INTTYPE,' "$TMP/tab/ts.csv")" = 1 ] && ok || bad "INTTYPE once per type"
# a site's monitor gets its site only
mkdir -p "$TMP/tab1"
expect_exit 0 -- "$L" export sdtm --user mon1 --out "$TMP/tab1"
expect_out 'DM: 3 rows'
finish
