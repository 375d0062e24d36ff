#!/bin/sh
# The web page in a real browser: a NELMAS trial made with the command line (two sites, one user
# per role, a password each, a patient with five years of records), `lutetia serve` on a free
# loopback port, then Playwright (tests/web/node_modules, `make web-deps`) driving Debian's
# chromium through the scenarios of web.spec.mjs. Screenshots and the report go to $WEB_OUT.
# Without node, its modules or chromium the test fails under CI=true and is skipped otherwise
# (its closing line says "1 skipped", which tests/run.sh shows; never a silent pass). WEB_GREP=PATTERN runs only the
# scenarios whose title matches (while working on one).
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
HERE="$SRC/tests/web"
OUT=${WEB_OUT:-$TMP/out-web}
PID= NRPID=
trap 'for p in $PID $NRPID; do kill -TERM "$p" 2>/dev/null; done; wait; rm -rf "$TMP"' EXIT INT TERM

missing=
command -v node >/dev/null 2>&1 || missing="node (Debian package nodejs)"
[ -x /usr/bin/chromium ] || missing="$missing /usr/bin/chromium (Debian package chromium)"
[ -f "$HERE/node_modules/@playwright/test/package.json" ] || missing="$missing tests/web/node_modules (make web-deps)"
if [ -n "$missing" ]; then
    echo "cannot run the browser tests: missing $missing"
    if [ "${CI:-}" = true ]; then bad "browser tests need $missing"; finish; exit 1; fi
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
export WEB_PASSWORD=trustworthy-horse-42
for u in admin coord1 inv1 nuc1 stat1 mon1 coord2 inv2 ustat1; do
    printf '%s\n' "$WEB_PASSWORD" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"
done
# the full name an electronic signature shows (where the command line can set one)
if "$L" user name --help >/dev/null 2>&1; then
    "$L" user name --name inv1 --full-name "Irene Investigator" >/dev/null &&
    "$L" user name --name admin --full-name "Adam Administrator" >/dev/null || bad "full name"
fi

# the patient files the scenarios upload: the eligible native example under new ids
export WEB_FILES="$TMP/files"
mkdir -p "$WEB_FILES"
for id in W1 W2 W3; do
    jq --arg id "$id" '.id = $id' "$EX/nelmas-01-eligible.json" >"$WEB_FILES/$id.json"
done
cp "$EX/nelmas-09-fhir-bundle.json" "$WEB_FILES/fhir.json"

# LONG: a patient with five years of records (randomised in 2021, monthly blood counts to 2026,
# four cycles given), for the page's speed on a full casebook
jq '.id = "LONG"' "$EX/nelmas-01-eligible.json" | sed 's/"2026-/"2021-/g' >"$TMP/long.json"
"$L" enrol --user coord1 --site S1 --as-of 2021-11-01 "$TMP/long.json" >/dev/null &&
"$L" consent --user coord1 --patient LONG --form v2 --date 2021-11-01 >/dev/null &&
"$L" confirm --user inv1 --patient LONG --date 2021-11-01 >/dev/null &&
"$L" randomise --user coord1 --patient LONG --date 2021-11-02 >/dev/null &&
"$L" record anchor --user coord1 --patient LONG --anchor liver_resection --date 2021-09-10 >/dev/null &&
"$L" record profile --user coord1 --patient LONG --birth-date 1962-03-14 --sex female --weight 68 >/dev/null ||
    bad "the five-year patient"
y=2021 m=11 n=0
while [ $n -lt 60 ]; do
    d=$(printf '%04d-%02d-15' $y $m)
    "$L" record lab --user coord1 --patient LONG --date "$d" --analyte platelets --value $((180 + n % 7 * 10)) >/dev/null &&
    "$L" record lab --user coord1 --patient LONG --date "$d" --analyte neutrophils --value 3.$((n % 9)) >/dev/null || bad "labs $d"
    m=$((m + 1)); [ $m -gt 12 ] && { m=1; y=$((y + 1)); }
    n=$((n + 1))
done
ok

# DOSE: a patient of the 177Lu arm whose first cycle was decided (full activity) in 2025, for
# nuclear medicine to record its administration and the investigator to decide cycle 2
make_patients "$TMP/d.json" D 4 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/d.json"
export DOSE_PATIENT=
for id in D1 D2 D3 D4; do
    jq --arg id "$id" '.[] | select(.id == $id)' "$TMP/d.json" >"$TMP/$id.json"
    "$L" enrol --user coord1 --site S1 --as-of 2025-11-01 "$TMP/$id.json" >/dev/null &&
    "$L" consent --user coord1 --patient $id --form v2 --date 2025-11-01 >/dev/null &&
    "$L" confirm --user inv1 --patient $id --date 2025-11-01 >/dev/null &&
    "$L" randomise --user coord1 --patient $id --date 2025-11-02 >"$TMP/alloc" || bad "dose patient $id"
    if grep -q 'arm B' "$TMP/alloc"; then DOSE_PATIENT=$id; break; fi
done
[ -n "$DOSE_PATIENT" ] && ok || bad "no patient in arm B"
D=$DOSE_PATIENT
"$L" record anchor --user coord1 --patient $D --anchor liver_resection --date 2025-09-10 >/dev/null &&
"$L" record profile --user coord1 --patient $D --birth-date 1962-03-14 --sex female --weight 68 >/dev/null || bad "dose profile"
for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
         "lymphocytes 1.6 10^9/L 1 4" "platelets 231 10^9/L 150 400" "creatinine 72 umol/L 44 97" \
         "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
    set -- $a
    "$L" record lab --user coord1 --patient $D --date 2025-10-28 --analyte $1 --value $2 --unit $3 --lln $4 --uln $5 >/dev/null || bad "lab $1"
done
"$L" record decide --user inv1 --patient $D --cycle 1 --date 2025-11-03 >/dev/null || bad "decide cycle 1"

# K1..K12: patients of site S2 randomised in November 2024, the first four of each arm dead
# since (sooner in arm A), the others alive at a later scan, for the statistics page's overall
# survival by arm (OS: from randomisation, so the patients randomised without a liver resection
# date above and in the scenarios count too)
make_patients "$TMP/k.json" K 12 small_intestine R0
sed -i 's/"2026-/"2024-/g' "$TMP/k.json"
"$L" enrol --user coord2 --site S2 --as-of 2024-11-01 "$TMP/k.json" >/dev/null || bad "enrol K"
na=0 nb=0
for id in $(jq -r '.[].id' "$TMP/k.json"); do
    "$L" consent --user coord2 --patient $id --form v2 --date 2024-11-01 >/dev/null &&
    "$L" confirm --user inv2 --patient $id --date 2024-11-01 >/dev/null &&
    "$L" randomise --user coord2 --patient $id --date 2024-11-02 >"$TMP/alloc" &&
    "$L" record anchor --user coord2 --patient $id --anchor liver_resection --date 2024-09-10 >/dev/null || bad "K patient $id"
    # the k-th patient of its arm: dead after k times 50 (arm A) or 80 days (arm B), or alive
    if grep -q 'arm B' "$TMP/alloc"; then nb=$((nb + 1)) k=$nb gap=80; else na=$((na + 1)) k=$na gap=50; fi
    if [ $k -le 4 ]; then
        "$L" record event --user coord2 --patient $id --type death --date "$(date -u -d "2024-11-02 + $((gap * k)) days" +%F)" --cause disease >/dev/null || bad "K death $id"
    else
        "$L" record assessment --user coord2 --patient $id --date "$(date -u -d "2025-03-01 + $((40 * k)) days" +%F)" --modality ct >/dev/null || bad "K assessment $id"
    fi
done

# NR: a NET RETREAT trial in a database of its own (one server serves one trial), whose arm 2
# takes everolimus by mouth: the eligibility table's base patient a year earlier, four copies
# E1..E4 randomised in November 2025; the first of arm 2 is the page's everolimus patient
NRDB="$TMP/nr.db"
jq '.base as $b | [range(1; 5) as $i | $b | .id = "E\($i)"]' "$SRC/tests/eligibility/net-retreat.cases.json" |
  sed -E 's/"(20[0-9]{2})-([0-9]{2}-[0-9]{2})"/"\1@\2"/g' |
  awk '{ while (match($0, /"20[0-9][0-9]@/)) { y = substr($0, RSTART + 1, 4) - 1;
         $0 = substr($0, 1, RSTART) y "-" substr($0, RSTART + 6) } print }' >"$TMP/nr.json"
export ORAL_PATIENT=$(
    export LUTETIA_DB="$NRDB"
    "$L" trial init --protocol "$SRC/protocols/net-retreat.json" --user admin --seed-hex "$TEST_SEED" >/dev/null &&
    "$L" site add --code S1 --name "Site one" >/dev/null &&
    "$L" user add --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
    "$L" user add --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null &&
    "$L" user name --name inv1 --full-name "Irene Investigator" >/dev/null &&
    for u in coord1 inv1; do printf '%s\n' "$WEB_PASSWORD" | "$L" user password "$u" --password-stdin >/dev/null || exit 1; done &&
    "$L" enrol --user coord1 --site S1 --as-of 2025-11-01 "$TMP/nr.json" >/dev/null || exit 1
    for i in 1 2 3 4; do
        "$L" consent --user coord1 --patient E$i --form v2 --date 2025-11-02 >/dev/null &&
        "$L" confirm --user inv1 --patient E$i --date 2025-11-03 >/dev/null &&
        "$L" randomise --user coord1 --patient E$i --date 2025-11-04 || exit 1
    done | awk '/arm 2/ && !n { print $1; n = 1 }')
[ -n "$ORAL_PATIENT" ] && ok || bad "no NET RETREAT patient in arm 2"

# start_server DB NAME: `lutetia serve` of that database on a free loopback port, in this shell
# (so that it can be waited for); SRV_PID and, once it answers /healthz, SRV_URL
start_server() {
    SRV_URL=
    LUTETIA_DB="$1" "$L" serve --listen 127.0.0.1:0 --allow-known-seed >"$TMP/$2.out" 2>"$TMP/$2.log" &
    SRV_PID=$!
    i=0
    until grep -q '^listening on' "$TMP/$2.out" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 500 ] && kill -0 "$SRV_PID" 2>/dev/null || { bad "server $2: $(cat "$TMP/$2.log")"; return 1; }
        sleep 0.02
    done
    url=$(sed -n 's/^listening on //p' "$TMP/$2.out")
    i=0
    until curl -sf "$url/healthz" >/dev/null; do
        i=$((i + 1)); [ $i -lt 500 ] || { bad "server $2: no healthz"; return 1; }
        sleep 0.02
    done
    SRV_URL=$url
}
start_server "$LUTETIA_DB" srv; PID=$SRV_PID BASE_URL=$SRV_URL
[ -n "$BASE_URL" ] || { finish; exit 1; }
start_server "$NRDB" nr; NRPID=$SRV_PID NR_URL=$SRV_URL
[ -n "$NR_URL" ] || { finish; exit 1; }
export BASE_URL NR_URL

rm -rf "$OUT"
mkdir -p "$OUT/screenshots"
export WEB_OUT="$OUT"
( cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 node node_modules/@playwright/test/cli.js test \
    --config playwright.config.mjs ${WEB_GREP:+--grep "$WEB_GREP"} ) >"$OUT/playwright.txt" 2>&1
rc=$?
cat "$OUT/playwright.txt"
kill -TERM "$PID" && wait "$PID" && ok || bad "server stop"
kill -TERM "$NRPID" && wait "$NRPID" && ok || bad "NET RETREAT server stop"
PID= NRPID=
if [ -s "$OUT/report.json" ]; then
    p=$(jq '.stats.expected' "$OUT/report.json")
    f=$(jq '.stats.unexpected + .stats.flaky' "$OUT/report.json")
    s=$(jq '.stats.skipped' "$OUT/report.json")
    passed=$((passed + p)) failed=$((failed + f))
    [ "$s" != 0 ] && echo "$s browser tests skipped"
else
    bad "no Playwright report"
fi
[ $rc = 0 ] || [ "$failed" != 0 ] || bad "playwright exited $rc"
finish
