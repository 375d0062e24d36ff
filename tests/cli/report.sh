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
