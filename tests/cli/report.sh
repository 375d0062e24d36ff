#!/bin/sh
# `lutetia report dsmb` and `lutetia report consort` on the three demonstration trials: every
# figure of report.json equals what `lutetia patients --json`, `lutetia list ... --json`,
# `lutetia analyse` and `lutetia endpoints` give; the CONSORT boxes add up; the SVGs are
# well-formed XML; the page has no script and fetches nothing; the PDF has pages; the open
# report names no arm; the closed report is refused to blinded roles.
. "$(dirname "$0")/lib.sh"
L="$LUTETIA"
skipped=0

# weasyprint and pdfinfo: required under CI, else the PDF checks are skipped (and said so)
have_pdf=1
for p in weasyprint pdfinfo; do
  if ! command -v $p >/dev/null 2>&1; then
    have_pdf=0
    if [ "${CI:-}" = true ]; then bad "$p is not installed (Makefile DEBIAN_BUILD)"; fi
  fi
done

# jq -e FILTER over FILE, with jq's --argjson/--arg pairs after it
jqf() { f=$1; filter=$2; shift 2; jq -e "$@" "$filter" "$f" >/dev/null 2>&1; }
check() { # check WHAT FILE FILTER [jq args]: FILTER is true of FILE
  what=$1; shift
  if jqf "$@"; then ok; else bad "$what"; fi
}

# baseline_vs_adsl WHAT REPORT COLUMN KEY ADSL_FIGURES: the report's column COLUMN of the
# baseline tables equals what tests/cli/report_baseline.py counted from ADSL for KEY ("all" or
# an arm's name)
baseline_vs_adsl() {
  check "$1: baseline = ADSL ($4)" "$2" '
    def row($t; $l): .sections[] | select(.id == "baseline").tables[] | select(.id == $t).rows[]
      | select(.label == $l).values[$i];
    $a[0][$k] as $x |
    row("baseline"; "Patients") == $x.n and row("baseline"; "Age < 65 years") == $x.young and
    row("baseline"; "Age >= 65 years") == $x.old and row("baseline"; "Age unknown") == $x.unknown and
    row("baseline"; "Sex: female") == $x.female and row("baseline"; "Sex: male") == $x.male and
    row("baseline"; "Sex: unknown") == $x.sex_unknown and
    row("baseline_age"; "Patients with a known age") == $x.known and
    row("baseline_age"; "Median") == $x.median and row("baseline_age"; "Minimum") == $x.min and
    row("baseline_age"; "Maximum") == $x.max' --argjson i "$3" --arg k "$4" --slurpfile a "$5"
}

# visit_devs DIR PATIENTS_JSON AS_OF ARGS...: DIR/visits.json, each allocated patient's
# deviations by kind as `lutetia schedule PATIENT --as-of AS_OF --json` marks them
visit_devs() {
  vd=$1; vp=$2; va=$3; shift 3
  for id in $(jq -r '.patients[] | select(.arm != null) | .id' "$vp"); do
    "$L" schedule "$id" --as-of "$va" --json "$@" |
      jq -c --arg id "$id" --arg arm "$(jq -r --arg id "$id" '.patients[] | select(.id == $id) | .arm' "$vp")" \
        '[.visits[] | select(.deviation)] | {patient: $id, arm: $arm,
          out_of_window: map(select(.status == "out_of_window")) | length,
          missed: map(select(.status == "overdue")) | length,
          delayed: map(select(.status == "delayed")) | length}'
  done | jq -s . >"$vd/visits.json"
}

# devs_vs_schedule WHAT REPORT VISITS_JSON: the report's visit deviations equal the schedule's,
# patient by patient and in total (the open report: the pooled column)
devs_vs_schedule() {
  check "$1: visit deviations per patient = schedule" "$2" '
    [(.sections[] | select(.id == "deviations").visit_rows[]) | [.patient, .out_of_window, .missed, .delayed]]
    == [$v[0][] | select(.out_of_window + .missed + .delayed > 0) | [.patient, .out_of_window, .missed, .delayed]]' --slurpfile v "$3"
  check "$1: visit deviations by kind = schedule" "$2" '
    def row($l): .sections[] | select(.id == "deviations").tables[] | select(.id == "deviations").rows[]
      | select(.label == $l).values[-1];
    row("Visits out of window") == ([$v[0][].out_of_window] | add // 0) and
    row("Visits missed (overdue)") == ([$v[0][].missed] | add // 0) and
    row("Visits delayed without a reason") == ([$v[0][].delayed] | add // 0)' --slurpfile v "$3"
  check "$1: visit deviations by site add up" "$2" '
    (.sections[] | select(.id == "deviations").tables) as $t |
    ([$t[] | select(.id == "deviations_by_site").rows[].values[-1]] | add // 0) ==
    ([$t[] | select(.id == "deviations").rows[1:][].values[-1]] | add)'
}

# partitions WHAT REPORT: in every column the age groups and the sexes each add up to the
# patients, and in the closed report the total column is the sum of the arms' (baseline and
# deviations)
partitions() {
  check "$1: age groups and sexes add up" "$2" '
    (.sections[] | select(.id == "baseline").tables[0].rows) as $r |
    def v($l): [$r[] | select(.label == $l).values][0];
    [range(0; .columns | length) as $i |
      v("Age < 65 years")[$i] + v("Age >= 65 years")[$i] + v("Age unknown")[$i] == v("Patients")[$i] and
      v("Sex: female")[$i] + v("Sex: male")[$i] + v("Sex: unknown")[$i] == v("Patients")[$i]] | all'
  if jq -e '.kind == "closed"' "$2" >/dev/null; then
    check "$1: totals are the arms' sums" "$2" '
      [.sections[] | select(.id == "baseline" or .id == "deviations").tables[] | select(.unit != "years").rows[].values |
        (.[0:-1] | add) == .[-1]] | all'
  fi
}

trial() { # trial NAME PROTOCOL
  name=$1; proto=$2
  D="$TMP/$name"; mkdir -p "$D"; DB="$D/t.db"
  expect_exit 0 -- "$L" demo --db "$DB" --out "$D/demo" --protocol "$proto"
  expect_exit 0 -- "$L" user add --name dsmb --role safety_committee --all-sites --os-user "$(id -un)" --db "$DB" --user admin
  expect_exit 0 -- "$L" user add --name ustat --role unblinded_statistician --all-sites --os-user "$(id -un)" --db "$DB" --user admin
  S="--db $DB --user statistician"
  # shellcheck disable=SC2086
  {
    "$L" patients --json $S >"$D/patients.json"
    for k in aes labs administrations doses deviations; do "$L" list $k --json $S >"$D/$k.json"; done
  }

  # ---- the open report ----
  expect_exit 0 -- "$L" report dsmb --out "$D/open" $S
  R="$D/open/report.json"
  check "$name: kind open" "$R" '.kind == "open" and .generated_by.role == "statistician"'
  check "$name: header" "$R" '.trial.protocol_version != null and (.audit_head.hash | length) == 64 and .cutoff != null'
  "$L" audit head --db "$DB" >"$D/head.txt" 2>/dev/null
  grep -q "$(jq -r .audit_head.hash "$R")" "$D/head.txt" && ok || bad "$name: audit head differs from audit head"
  # CONSORT: the boxes add up, and equal the patients' flow
  check "$name: consort assessed = screened" "$R" '.consort.assessed == $p[0].flow.screened' --slurpfile p "$D/patients.json"
  check "$name: consort randomised = allocated" "$R" '.consort.randomised == $p[0].flow.allocated' --slurpfile p "$D/patients.json"
  check "$name: assessed = excluded + randomised" "$R" '.consort.assessed == .consort.excluded + .consort.randomised'
  check "$name: excluded = sum of reasons" "$R" '.consort.excluded == ([.consort.excluded_reasons[].n] | add // 0)'
  check "$name: failed criteria" "$R" '.consort.failed_criteria == $p[0].flow.failed_criteria' --slurpfile p "$D/patients.json"
  check "$name: allocated = randomised" "$R" '([.consort.groups[].allocated] | add) == .consort.randomised'
  check "$name: received + not = allocated" "$R" 'all(.consort.groups[]; .received + .not_received == .allocated)'
  check "$name: discontinued = sum of reasons" "$R" 'all(.consort.groups[]; .discontinued == ([.discontinued_reasons[].n] | add // 0))'
  check "$name: discontinued = ended early" "$R" '([.consort.groups[].discontinued] | add) == ([$p[0].patients[] | select(.arm != null and .end_reason != null and .end_reason != "completed")] | length)' --slurpfile p "$D/patients.json"
  check "$name: analysed + not = allocated" "$R" 'all(.consort.groups[]; .analysed + .not_analysed == .allocated)'
  # enrolment by site = the allocated patients of each site
  check "$name: enrolment total" "$R" '.enrolment.total == $p[0].flow.allocated' --slurpfile p "$D/patients.json"
  check "$name: enrolment by site" "$R" '[.enrolment.sites[] | {(.site): .total}] | add == ([$p[0].patients[] | select(.arm != null) | .site] | group_by(.) | map({(.[0]): length}) | add)' --slurpfile p "$D/patients.json"
  check "$name: months add up" "$R" 'all(.enrolment.sites[]; .total == ([.months[].n] | add))'
  # adverse events: patients with any, grade >= 3, serious; and the number of events
  T='(.sections[] | select(.id == "adverse_events"))'
  check "$name: AE events" "$R" "$T.events == \$a[0].count" --slurpfile a "$D/aes.json"
  for pair in 'Any adverse event|true' 'Grade >= 3|.grade >= 3' 'Serious|.serious'; do
    label=${pair%%|*}; cond=${pair#*|}
    check "$name: AE $label" "$R" "($T.tables[] | select(.id == \"ae_summary\").rows[] | select(.label == \"$label\").values[0]) == ([\$a[0].rows[] | select($cond) | .patient] | unique | length)" --slurpfile a "$D/aes.json"
  done
  # exposure: administrations, activity, dose decisions
  T='(.sections[] | select(.id == "exposure"))'
  check "$name: administrations" "$R" "($T.tables[].rows[] | select(.label == \"Administrations (cycles given)\").values[0]) == \$a[0].count" --slurpfile a "$D/administrations.json"
  check "$name: activity" "$R" "(($T.tables[].rows[] | select(.label == \"Total activity administered (GBq)\").values[0]) - ([\$a[0].rows[].administered_mbq] | add // 0) / 1000 | fabs) < 1e-9" --slurpfile a "$D/administrations.json"
  check "$name: treated patients" "$R" "($T.tables[].rows[] | select(.label == \"Patients given at least one cycle\").values[0]) == ([\$a[0].rows[].patient] | unique | length)" --slurpfile a "$D/administrations.json"
  check "$name: dose decisions" "$R" "([$T.tables[] | select(.id == \"dose_decisions\").rows[] | select(.label | startswith(\"Dose decisions: \")).values[0]] | add // 0) == \$a[0].count" --slurpfile a "$D/doses.json"
  check "$name: dose decisions' reasons" "$R" "([$T.tables[] | select(.id == \"dose_decisions\").rows[] | select(.label | contains(\", because of \")).values[0]] | add // 0) == ([\$a[0].rows[] | (.reasons // []) | length] | add // 0)" --slurpfile a "$D/doses.json"
  # laboratory shifts: each table counts the patients with a graded result after their first
  jq -r '.sections[] | select(.id == "lab_shifts").tables[].title' "$R" >"$D/terms.txt"
  while read -r term; do
    want=$(jq --arg t "$term" '[.rows[] | select(.grade != null and .term == $t)] | group_by(.patient) | map(select(length >= 2)) | length' "$D/labs.json")
    got=$(jq --arg t "$term" '.sections[] | select(.id == "lab_shifts").tables[] | select(.title == $t) | [.rows[].values[]] | add' "$R")
    [ "$got" = "$want" ] && ok || bad "$name: shift table $term: $got patients, listing has $want"
  done <"$D/terms.txt"
  [ -s "$D/terms.txt" ] || [ "$(jq '[.rows[] | select(.grade >= 1)] | length' "$D/labs.json")" = 0 ] && ok ||
    bad "$name: graded labs but no shift table"
  check "$name: deviations" "$R" '(.sections[] | select(.id == "deviations").tables[0].rows[0].values[0]) == $d[0].count' --slurpfile d "$D/deviations.json"
  # baseline: age at randomisation and sex equal ADSL's AGE and SEX (lutetia export adam)
  mkdir -p "$D/adam"
  "$L" export adam --out "$D/adam" $S >/dev/null
  python3 "$SRC/tests/cli/report_baseline.py" "$D/adam/adsl.csv" >"$D/adsl-figures.json"
  baseline_vs_adsl "$name" "$R" 0 all "$D/adsl-figures.json"
  partitions "$name" "$R"
  # visit deviations: as `lutetia schedule PATIENT --as-of` the report's cut-off marks them
  visit_devs "$D" "$D/patients.json" "$(jq -r .cutoff "$R")" $S
  devs_vs_schedule "$name" "$R" "$D/visits.json"
  check "$name: the open report lists no visit by name" "$R" '[.sections[] | select(.id == "deviations").visit_rows[] | select(has("entries") or has("arm"))] | length == 0'
  # survival: each endpoint pooled = `lutetia analyse km` on `lutetia endpoints --csv` without a group
  for e in $(jq -r '.survival[].endpoint' "$R"); do
    "$L" endpoints --endpoint "$e" --csv $S >"$D/$e.csv"
    "$L" analyse km "$D/$e.csv" --time time_months --event event --json >"$D/km-$e.json"
    check "$name: $e pooled n, events, median" "$R" '(.survival[] | select(.endpoint == $e).curves[0]) as $c | $c.n == $k[0].curves[0].n and $c.events == $k[0].curves[0].events and $c.median == $k[0].curves[0].median' --arg e "$e" --slurpfile k "$D/km-$e.json"
  done
  # proportions (NCT04544098's): x of n and the interval, pooled
  if jq -e '.proportions | length > 0' "$R" >/dev/null; then
    "$L" analyse proportion --json $S >"$D/prop.json"
    check "$name: proportions" "$R" '[.proportions[] | {(.endpoint): (.groups[0] | [.x, .n, .lower, .upper])}] | add == ([$p[0][] | {(.endpoint): [.x, .n, .lower, .upper]}] | add)' --slurpfile p "$D/prop.json"
  fi
  # no arm anywhere in the open report: no arm member, no arm name, no arm label or column
  check "$name: no arm member" "$R" '[.. | objects | select(has("arm") or has("arms"))] | length == 0'
  jq -r '.arms | to_entries[] | .key, .value.name' "$proto" >"$D/arms.txt"
  while read -r word; do
    if [ "${#word}" -le 2 ]; then
      # an id: as a column, a label, a curve's group or an indicator
      grep -E -q "(arm[=_ ]$word\b|>$word: |\"$word: |Arm $word\b|Allocated to $word\b)" "$D/open/report.html" "$R" "$D"/open/*.svg &&
        bad "$name: the open report names arm $word" || ok
    else
      grep -F -i -q "$word" "$D/open/report.html" "$R" "$D"/open/*.svg &&
        bad "$name: the open report names arm '$word'" || ok
    fi
  done <"$D/arms.txt"
  # the page: self-contained, no script, nothing fetched; every SVG well-formed
  grep -E -i -q '<script|<link|src=|url\(http|@import' "$D/open/report.html" && bad "$name: the page loads something" || ok
  [ "$(grep -E -o 'https?://[^" ]*' "$D/open/report.html" | grep -v -c '^http://www.w3.org/2000/svg$')" = 0 ] && ok ||
    bad "$name: the page names an address"
  for f in "$D"/open/*.svg; do
    xmllint --noout "$f" 2>"$D/xml.err" && ok || { bad "$name: $f is not well-formed"; head -3 "$D/xml.err"; }
  done
  # libxml2's HTML parser knows HTML 4 only: an HTML5 element (section, svg's) is no error
  xmllint --html --noout "$D/open/report.html" 2>&1 | grep 'error' | grep -v 'Tag [a-z]* invalid' >"$D/xml.err"
  [ ! -s "$D/xml.err" ] && ok || { bad "$name: report.html does not parse"; head -3 "$D/xml.err"; }
  if [ $have_pdf = 1 ]; then
    pages=$(pdfinfo "$D/open/report.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    [ "${pages:-0}" -ge 3 ] && ok || bad "$name: report.pdf has ${pages:-no} pages"
  else
    skipped=$((skipped + 1))
  fi

  # ---- the closed report ----
  expect_exit 7 -- "$L" report dsmb --closed --out "$D/nope" $S
  expect_err "a statistician may not have the closed DSMB report"
  coord="coord-$(jq -r '[.patients[].site][0]' "$D/patients.json")"
  expect_exit 7 -- "$L" report dsmb --out "$D/nope" --db "$DB" --user "$coord"
  expect_err "a coordinator may not have the open DSMB report"
  [ ! -e "$D/nope/report.html" ] && ok || bad "$name: a refused report left a page"
  expect_exit 0 -- "$L" report dsmb --closed --no-pdf --out "$D/closed" --db "$DB" --user dsmb
  C="$D/closed/report.json"
  check "$name: closed kind" "$C" '.kind == "closed" and (.arms | length) >= 1'
  check "$name: closed allocated per arm" "$C" '[.consort.groups[] | {(.label | split(":")[0]): .allocated}] | add == $p[0].flow.arms' --slurpfile p "$D/patients.json"
  # baseline per arm = ADSL's arm, the total = all of ADSL
  jq -r '.columns | to_entries[] | "\(.key)|\(.value)"' "$C" >"$D/columns.txt"
  while IFS='|' read -r i col; do
    if [ "$col" = Total ]; then key=all; else key=${col#*: }; fi
    baseline_vs_adsl "$name closed" "$C" "$i" "$key" "$D/adsl-figures.json"
  done <"$D/columns.txt"
  partitions "$name closed" "$C"
  check "$name: closed visit deviations per arm = schedule" "$C" '
    [.arms[].id] as $ids | (.sections[] | select(.id == "deviations").tables[] | select(.id == "deviations").rows[1:]) as $r |
    [$r[] | .values[0:($ids | length)]] ==
    [["out_of_window", "missed", "delayed"][] as $k | [$ids[] as $a | [$v[0][] | select(.arm == $a) | .[$k]] | add // 0]]' --slurpfile v "$D/visits.json"
  check "$name: closed totals = open" "$C" '.consort.randomised == $o[0].consort.randomised and (.consort.groups | map(.analysed) | add) == $o[0].consort.groups[0].analysed' --slurpfile o "$R"
  primary=$(jq -r '.design.primary_endpoint' "$proto")
  if jq -e --arg e "$primary" '.survival[] | select(.endpoint == $e) | .logrank' "$C" >/dev/null 2>&1; then
    A="--endpoint $primary --db $DB --user statistician"
    "$L" analyse km $A --json >"$D/km.json"
    "$L" analyse logrank $A --json >"$D/lr.json"
    cov=$(head -1 "$D/$primary.csv" | tr , '\n' | grep '^arm_' | paste -sd, -)
    "$L" analyse cox $A --covariates "$cov" --json >"$D/cox.json"
    check "$name: closed KM per arm" "$C" '[.survival[] | select(.endpoint == $e).curves[] | [.n, .events, .median]] == [$k[0].curves[] | [.n, .events, .median]]' --arg e "$primary" --slurpfile k "$D/km.json"
    check "$name: closed log-rank" "$C" '(.survival[] | select(.endpoint == $e).logrank) as $l | $l.chisq == $r[0].chisq and $l.p == $r[0].p' --arg e "$primary" --slurpfile r "$D/lr.json"
    check "$name: closed Cox in the design's direction" "$C" '[.survival[] | select(.endpoint == $e).cox[] | [.term, .hr, .lower, .upper, .p]] == [$x[0].coefficients[] | [.name, .["exp(coef)"], .lower, .upper, .p]]' --arg e "$primary" --slurpfile x "$D/cox.json"
  fi
  for f in "$D"/closed/*.svg; do xmllint --noout "$f" 2>/dev/null && ok || bad "$name: $f is not well-formed"; done

  # ---- the CONSORT diagram alone ----
  expect_exit 0 -- "$L" report consort --out "$D/consort.svg" $S
  xmllint --noout "$D/consort.svg" && ok || bad "$name: consort.svg is not well-formed"
  grep -q "Assessed for eligibility (n=$(jq .flow.screened "$D/patients.json"))" "$D/consort.svg" && ok ||
    bad "$name: consort.svg lacks the assessed count"
  cmp -s "$D/consort.svg" "$D/open/consort.svg" && ok || bad "$name: report consort differs from the report's"
}

trial nelmas "$SRC/protocols/nelmas.json"
trial nct04544098 "$SRC/protocols/nct04544098.json"
trial net-retreat "$SRC/protocols/net-retreat.json"

# a cut-off counts only what happened by then: NELMAS's patients randomised by 2021-06-30
D="$TMP/nelmas"
expect_exit 0 -- "$L" report dsmb --no-pdf --cutoff 2021-06-30 --out "$D/cut" --db "$D/t.db" --user statistician
check "cut-off: randomised by then" "$D/cut/report.json" '.consort.randomised == ([$p[0].patients[] | select(.arm != null and .randomised_on <= "2021-06-30")] | length) and .consort.randomised < $p[0].flow.allocated' --slurpfile p "$D/patients.json"
check "cut-off: assessed by then" "$D/cut/report.json" '.consort.assessed == ([$p[0].patients[] | select(.screened_on <= "2021-06-30")] | length) and .consort.failed_criteria == {}' --slurpfile p "$D/patients.json"
# a patient whose origin falls after the cut-off is left out of the endpoint (as `lutetia
# endpoints` does): the curve is drawn from the patients randomised by then
check "cut-off: an endpoint is cut there, later patients left out" "$D/cut/report.json" '.consort.randomised as $r | [.survival[] | select(.endpoint == "DFS" or .endpoint == "OS") | .error == null and .n == $r] == [true, true]'
check "cut-off: AEs by then" "$D/cut/report.json" '(.sections[] | select(.id == "adverse_events").events) == ([$a[0].rows[] | select(.date <= "2021-06-30")] | length)' --slurpfile a "$D/aes.json"

# after accrual the endpoints are cut there too: DFS as `lutetia endpoints --cutoff` gives it
expect_exit 0 -- "$L" report dsmb --no-pdf --cutoff 2024-06-30 --out "$D/cut2" --db "$D/t.db" --user statistician
"$L" endpoints --endpoint DFS --cutoff 2024-06-30 --csv --db "$D/t.db" --user statistician >"$D/dfs-cut.csv"
"$L" analyse km "$D/dfs-cut.csv" --time time_months --event event --json >"$D/km-cut.json"
check "cut-off: DFS cut" "$D/cut2/report.json" '(.survival[] | select(.endpoint == "DFS").curves[0]) as $c | $c.events == $k[0].curves[0].events and $c.median == $k[0].curves[0].median and $c.events < $o[0].survival[0].curves[0].events' --slurpfile k "$D/km-cut.json" --slurpfile o "$D/open/report.json"

# without weasyprint the page is still written, and the message says how to print it
mkdir -p "$TMP/nopath"
ln -s "$(command -v jq)" "$TMP/nopath/jq"
PATH="$TMP/nopath" expect_exit 0 -- "$L" report dsmb --out "$D/nopdf" --db "$D/t.db" --user statistician
expect_err "weasyprint is not installed, so no PDF: install it \(apt-get install weasyprint\)"
[ -s "$D/nopdf/report.html" ] && [ ! -e "$D/nopdf/report.pdf" ] && ok || bad "without weasyprint: page missing or a PDF made"

# a small trial whose figures are known: four NELMAS patients randomised 2025-11-02 (TEST_SEED:
# Q1, Q2 to B; Q3, Q4 to A), aged 75, 55 and 63 (Q3 a man), Q4 born in 1950 with no day known
# (eligible all the same: 18 or older whatever the day), so of unknown age; Q1's safety visit
# after cycle 1 done 16 days after its window, and at the cut-off every entry whose window
# closed with nothing recorded missed
. "$SRC/tests/cli/trial_setup.sh"
setup_trial "$TEST_SEED" || bad "small trial: setup"
make_patients "$TMP/q.json" Q 4 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/q.json"
jq '.[0].birth_date = "1950-05-01" | .[1].birth_date = "1970-02-03" | .[2].sex = "male" |
    .[3].birth_date = "1950"' "$TMP/q.json" >"$TMP/q2.json"
ASOF=2025-11-01
ready "$TMP/q2.json" S1 coord1 inv1 || bad "small trial: ready"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >/dev/null || bad "randomise Q$i"; done
expect_exit 0 -- "$L" record actual --user coord1 --patient Q1 --entry safety_C1 --date 2025-12-30
Q="$TMP/small"; mkdir -p "$Q"
S="--user ustat1"
expect_exit 0 -- "$L" report dsmb --closed --no-pdf --cutoff 2026-01-15 --out "$Q/closed" $S
expect_exit 0 -- "$L" report dsmb --no-pdf --cutoff 2026-01-15 --out "$Q/open" --user stat1
C="$Q/closed/report.json"
# the figures themselves: columns A, B, Total
check "small trial: age groups and sex by arm" "$C" '[.sections[] | select(.id == "baseline").tables[0].rows[0:7][] | .values] ==
  [[2, 2, 4], [1, 1, 2], [0, 1, 1], [1, 0, 1], [1, 2, 3], [1, 0, 1], [0, 0, 0]]'
check "small trial: age median and range" "$C" '[.sections[] | select(.id == "baseline").tables[1].rows[] | [.label, .values]] ==
  [["Patients with a known age", [1, 2, 3]], ["Median", [63, 65, 63]], ["Minimum", [63, 55, 55]], ["Maximum", [63, 75, 75]]]'
check "small trial: open report pools them" "$Q/open/report.json" '[.sections[] | select(.id == "baseline").tables[0].rows[0:7][] | .values[0]] == [4, 2, 1, 1, 3, 1, 0]'
check "small trial: Q1's safety visit out of window" "$C" '.sections[] | select(.id == "deviations").visit_rows[] | select(.patient == "Q1") |
  .out_of_window == 1 and ([.entries[] | select(.kind == "out_of_window") | [.entry, .actual]] == [["safety_C1", "2025-12-30"]])'
check "small trial: one visit out of window, in arm B" "$C" '.sections[] | select(.id == "deviations").tables[0].rows[1] | .values == [0, 1, 1]'
check "small trial: missed visits counted" "$C" '(.sections[] | select(.id == "deviations").tables[0].rows[2].values[2]) > 0'
# the same against the command line: ADSL's AGE and SEX, `lutetia schedule --as-of`
mkdir -p "$Q/adam"
expect_exit 0 -- "$L" export adam --out "$Q/adam" $S
python3 "$SRC/tests/cli/report_baseline.py" "$Q/adam/adsl.csv" >"$Q/adsl-figures.json"
check "small trial: ADSL leaves Q4's age empty" "$Q/adsl-figures.json" '.all.unknown == 1 and .all.known == 3'
baseline_vs_adsl "small trial" "$C" 0 "Standard of care" "$Q/adsl-figures.json"
baseline_vs_adsl "small trial" "$C" 1 "177Lu-DOTATATE" "$Q/adsl-figures.json"
baseline_vs_adsl "small trial" "$C" 2 all "$Q/adsl-figures.json"
baseline_vs_adsl "small trial open" "$Q/open/report.json" 0 all "$Q/adsl-figures.json"
"$L" patients --json $S >"$Q/patients.json"
visit_devs "$Q" "$Q/patients.json" 2026-01-15 $S
devs_vs_schedule "small trial" "$C" "$Q/visits.json"
devs_vs_schedule "small trial open" "$Q/open/report.json" "$Q/visits.json"
partitions "small trial" "$C"
# the open report names no visit (NELMAS's cycles are arm B's alone)
grep -q -e 'safety_C1' -e 'cycle 1' "$Q/open/report.json" "$Q/open/report.html" && bad "small trial: the open report names a visit" || ok
grep -q 'Safety visit after cycle 1' "$Q/closed/report.html" && ok || bad "small trial: the closed page lacks the visit"

# usage
expect_exit 2 -- "$L" report dsmb
expect_err "--out is required"
expect_exit 2 -- "$L" report minutes --out x
expect_err "unknown report 'minutes'"
expect_exit 2 -- "$L" report dsmb --out "$TMP/x" --cutoff 2021-13-01

if [ "$skipped" -gt 0 ]; then
  echo "skipped: $skipped PDF checks (weasyprint or pdfinfo missing)"
  echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]
else
  finish
fi
