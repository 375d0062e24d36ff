#!/bin/sh
# `lutetia demo`: the whole NELMAS trial runs, is the same for the same seed, its audit trail
# verifies, and its DFS dataset gives the same figures through `lutetia analyse` (and R's
# survival package when it is installed) as the report states.
. "$(dirname "$0")/lib.sh"
L="$LUTETIA"
skipped=0
P="$SRC/protocols/nelmas.json"

expect_exit 0 -- "$L" demo --help
expect_out "--seed S"
expect_exit 2 -- "$L" demo --seed minus-one

# the full demonstration, as `make demo` runs it
expect_exit 0 -- "$L" demo --db "$TMP/full/demo.db" --out "$TMP/full" --protocol "$P"
cp "$TMP/out" "$TMP/full.txt"
expect_out "Screening: [0-9]+ screened, [0-9]+ ineligible, 0 needs review, 106 randomised \(A 52, B 54\)"
expect_out "failed criteria: .*E1 x"
expect_out "1 cycle withheld and 1 reduced to 3.7 GBq by the label's rules"
expect_out "1 warning acknowledged with a reason"
expect_out "hash chain and every record verified"
for f in demo.db dfs.csv km-dfs.svg outcomes.json; do
  [ -s "$TMP/full/$f" ] && ok || bad "missing $TMP/full/$f"
done
grep -q '^<svg' "$TMP/full/km-dfs.svg" && ok || bad "km-dfs.svg is not an SVG document"
expect_exit 0 -- "$L" audit verify --db "$TMP/full/demo.db"
# the whole demonstration trial as CDISC ODM 1.3.2: valid against the schema, a subject per
# patient, an audit record per exported record
expect_exit 0 -- "$L" export odm --db "$TMP/full/demo.db" --user statistician --out "$TMP/full/demo-odm.xml"
xmllint --noout --schema "$SHARED/reference/odm-1.3.2/ODM1-3-2.xsd" "$TMP/full/demo-odm.xml" 2>/dev/null &&
  ok || bad "the demo's ODM export does not validate"
[ "$(grep -c '<SubjectData ' "$TMP/full/demo-odm.xml")" = "$(sqlite3 "$TMP/full/demo.db" "select count(*) from record where kind = 'patient'")" ] &&
  ok || bad "the demo's ODM export lacks subjects"
expect_exit 0 -- "$L" patients --db "$TMP/full/demo.db" --user monitor --json
expect_jq '.flow.allocated == 106 and .flow.arms.A == 52 and .flow.arms.B == 54 and .flow.states.screened == .flow.verdicts.ineligible'
# the database is kept; a second run refuses to overwrite it
expect_exit 8 -- "$L" demo --db "$TMP/full/demo.db" --out "$TMP/full" --protocol "$P"
expect_err "exists already"

# the report's figures from the dataset, through `lutetia analyse`
D="$TMP/full/dfs.csv"
expect_exit 0 -- "$L" analyse km "$D" --time time_months --event event --group arm --times 36 --json
cp "$TMP/out" "$TMP/km.json"
for arm in A B; do
  want=$(grep "arm=$arm " "$TMP/full.txt" | sed 's/.*36-month DFS \([0-9.]*\)%.*/\1/')
  got=$(jq -r --arg a "arm=$arm" '.curves[] | select(.strata == $a) | .at.surv[0] * 100 | . * 10 | round / 10' "$TMP/km.json")
  [ "$(printf '%.1f' "$got")" = "$want" ] && ok || bad "arm $arm: 36-month DFS $got, report $want"
done
expect_exit 0 -- "$L" analyse logrank "$D" --time time_months --event event --group arm --json
want=$(sed -n 's/.*log-rank chi-square \([0-9.]*\) .*/\1/p' "$TMP/full.txt")
expect_jq "((.chisq * 1000 | round) / 1000) == $want"
expect_exit 0 -- "$L" analyse cox "$D" --time time_months --event event --covariates arm_B --json
want=$(sed -n 's/.*hazard ratio B vs A \([0-9.]*\) .*/\1/p' "$TMP/full.txt")
expect_jq "((.coefficients[0][\"exp(coef)\"] * 1000 | round) / 1000) == $want"
# and straight from the trial store, as the statistician reads it
expect_exit 0 -- "$L" analyse logrank --endpoint DFS --cutoff 2025-12-31 --db "$TMP/full/demo.db" --user statistician --json
want=$(sed -n 's/.*log-rank chi-square \([0-9.]*\) .*/\1/p' "$TMP/full.txt")
expect_jq "((.chisq * 1000 | round) / 1000) == $want"
expect_exit 7 -- "$L" record lab --db "$TMP/full/demo.db" --user monitor --patient NEL-002 --date 2025-01-01 --analyte platelets --value 100
# R's survival package, the outside reference, when it is there (tolerance 1e-6)
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(survival)' >/dev/null 2>&1; then
  Rscript -e "library(survival); d <- read.csv('$D'); d\$m <- d\$time / 30.4375
    s <- summary(survfit(Surv(m, event) ~ arm, d), times = 36)\$surv
    c <- coef(coxph(Surv(m, event) ~ I(arm == 'B'), d))
    cat(sprintf('%.9f %.9f %.9f %.9f\n', s[1], s[2], survdiff(Surv(m, event) ~ arm, d)\$chisq, exp(c)))" \
    >"$TMP/r.txt" 2>/dev/null
  jq -r '[.curves[].at.surv[0]] | map(tostring) | join(" ")' "$TMP/km.json" >"$TMP/k.txt"
  "$L" analyse logrank "$D" --time time_months --event event --group arm --json | jq -r .chisq >>"$TMP/k.txt"
  "$L" analyse cox "$D" --time time_months --event event --covariates arm_B --json |
    jq -r '.coefficients[0]["exp(coef)"]' >>"$TMP/k.txt"
  set -- $(cat "$TMP/r.txt") $(cat "$TMP/k.txt")
  if [ $# = 8 ] && awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v e="$5" -v f="$6" -v g="$7" -v h="$8" \
       'function ok(x, y) { return (x - y) ^ 2 < 1e-12 * (1 + y ^ 2) }
        BEGIN { exit !(ok(e, a) && ok(f, b) && ok(g, c) && ok(h, d)) }'; then ok; else bad "R: $*"; fi
else
  # not a pass: the closing line says the comparison did not run
  skipped=$((skipped + 1))
  echo "SKIP R's survival package is not installed: the comparison with R did not run"
fi

# the same seed, the same trial and report; another seed, another trial
expect_exit 0 -- "$L" demo --db "$TMP/s1/demo.db" --patients 24 --seed 7 --protocol "$P"
sed "s|$TMP/s1|DIR|g" "$TMP/out" >"$TMP/a.txt"
expect_exit 0 -- "$L" demo --db "$TMP/s2/demo.db" --patients 24 --seed 7 --protocol "$P"
sed "s|$TMP/s2|DIR|g" "$TMP/out" >"$TMP/b.txt"
cmp -s "$TMP/a.txt" "$TMP/b.txt" && ok || { bad "same seed, different reports"; diff "$TMP/a.txt" "$TMP/b.txt" | head; }
cmp -s "$TMP/s1/dfs.csv" "$TMP/s2/dfs.csv" && ok || bad "same seed, different DFS datasets"
expect_exit 0 -- "$L" demo --db "$TMP/s3/demo.db" --patients 24 --seed 8 --protocol "$P"
sed "s|$TMP/s3|DIR|g" "$TMP/out" >"$TMP/c.txt"
cmp -s "$TMP/a.txt" "$TMP/c.txt" && bad "seeds 7 and 8 gave the same report" || ok
# built directly on the target file, the trial is the same
expect_exit 0 -- "$L" demo --db "$TMP/s4/demo.db" --patients 24 --seed 7 --protocol "$P" --direct
sed "s|$TMP/s4|DIR|g" "$TMP/out" >"$TMP/d.txt"
cmp -s "$TMP/a.txt" "$TMP/d.txt" && ok || bad "--direct gave another report"
# ---- NCT04544098: the single-arm feasibility study, its 10 patients, both routes, and the
# safety and feasibility proportions with their exact intervals as `lutetia analyse` gives them
N="$SRC/protocols/nct04544098.json"
ND="$TMP/nct/nct04544098.db"
expect_exit 0 -- "$L" demo --db "$ND" --out "$TMP/nct" --protocol "$N"
cp "$TMP/out" "$TMP/nct.txt"
expect_out "^NCT04544098 demonstration trial, seed 1"
expect_out "Screening: [0-9]+ screened, [0-9]+ ineligible, 0 needs review, 10 registered"
expect_out "1 cycle withheld and 1 reduced to 3.7 GBq by the label's rules \(patient MSK-"
expect_out "patient MSK-[0-9]+ stopped before cycle 4: progression"
expect_out "hash chain and every record verified"
expect_exit 0 -- "$L" audit verify --db "$ND"
# the CONSORT flow: every screened candidate, 10 registered to the single arm
screened=$(sed -n 's/^Screening: \([0-9]*\) screened.*/\1/p' "$TMP/nct.txt")
expect_exit 0 -- "$L" patients --db "$ND" --user monitor --json
expect_jq ".flow.screened == $screened and .flow.allocated == 10 and .flow.arms.A == 10 and .flow.verdicts.needs_review == null"
# both routes: cycles 1-2 into the hepatic artery, 3-4 into a vein, as the report counts them
ia=$(sed -n 's/.*(\([0-9]*\) intra-arterial, \([0-9]*\) intravenous).*/\1/p' "$TMP/nct.txt")
iv=$(sed -n 's/.*(\([0-9]*\) intra-arterial, \([0-9]*\) intravenous).*/\2/p' "$TMP/nct.txt")
[ "$(sqlite3 "$ND" "select count(*) from record where kind = 'administration' and json_extract(data, '\$.record.route') = 'intra_arterial' and json_extract(data, '\$.cycle') <= 2")" = "$ia" ] &&
  ok || bad "intra-arterial administrations: the store does not hold the report's $ia in cycles 1-2"
[ "$(sqlite3 "$ND" "select count(*) from record where kind = 'administration' and json_extract(data, '\$.record.route') = 'intravenous' and json_extract(data, '\$.cycle') >= 3")" = "$iv" ] &&
  ok || bad "intravenous administrations: the store does not hold the report's $iv in cycles 3-4"
[ "$ia" -ge 18 ] && [ "$iv" -ge 17 ] && ok || bad "too few administrations by route: $ia, $iv"
# the reduced cycle was decided so: a stored decision to give 3.7 GBq after one to withhold
[ "$(sqlite3 "$ND" "select count(*) from record where kind = 'dose_decision' and json_extract(data, '\$.decision.action') = 'withhold'")" = 1 ] &&
  ok || bad "the store holds no single withhold decision"
# each endpoint's figures as the statistician gets them from the store
for e in TOX_G3 COMPLETED_4 ORR; do
  line=$(grep "^  $e " "$TMP/nct.txt")
  expect_exit 0 -- "$L" analyse proportion --endpoint "$e" --cutoff 2025-06-30 --db "$ND" --user statistician --json
  want=$(printf '%s\n' "$line" | sed 's/.* \([0-9]*\) of \([0-9]*\) = \([0-9.]*\)% (exact 95% CI \([0-9.]*\)% to \([0-9.]*\)%).*/\1 \2 \4 \5/')
  got=$(jq -r '"\(.x) \(.n) \(.lower * 1000 | round / 10) \(.upper * 1000 | round / 10)"' "$TMP/out")
  set -- $got
  [ "$(printf '%s %s %.1f %.1f' "$1" "$2" "$3" "$4")" = "$want" ] && ok || bad "$e: analyse gives $got, the report $want"
done
grep -Eq "^  TOX_G3 +[1-9][0-9]* of 10 " "$TMP/nct.txt" && ok || bad "no grade >= 3 toxicity in the demo"
grep -Eq "^  COMPLETED_4 +9 of 10 " "$TMP/nct.txt" && ok || bad "the patient stopping before cycle 4 is not the only one"
# the same seed, the same trial and report; another seed, another
expect_exit 0 -- "$L" demo --db "$TMP/n1/t.db" --seed 5 --protocol "$N"
sed "s|$TMP/n1|DIR|g" "$TMP/out" >"$TMP/na.txt"
expect_exit 0 -- "$L" demo --db "$TMP/n2/t.db" --seed 5 --protocol "$N"
sed "s|$TMP/n2|DIR|g" "$TMP/out" >"$TMP/nb.txt"
cmp -s "$TMP/na.txt" "$TMP/nb.txt" && ok || { bad "NCT04544098: same seed, different reports"; diff "$TMP/na.txt" "$TMP/nb.txt" | head; }
sed "s|$TMP/nct|DIR|g; s/seed 1/seed 5/" "$TMP/nct.txt" | cmp -s - "$TMP/na.txt" && bad "NCT04544098: seeds 1 and 5 gave the same report" || ok
# a protocol the demonstration does not know is refused, naming its id
sed 's/"id": "nct04544098"/"id": "other-trial"/' "$N" >"$TMP/other.json"
expect_exit 13 -- "$L" demo --db "$TMP/o/t.db" --protocol "$TMP/other.json"
expect_err "found id 'other-trial'"
[ ! -e "$TMP/o/t.db" ] && ok || bad "a refused demo left a database"

# lib.sh's closing line, with the comparisons that could not run counted apart
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]
else
  finish
fi
