#!/bin/sh
# Two `lutetia serve` instances on one PostgreSQL database (run by pg-run.sh, which gives a
# throwaway cluster in LUTETIA_TEST_DB), driven at once: 24 patients of two sites, each taken
# through consent, confirmation, randomisation and two labs by its site's users, every request
# of a patient going to the other server than the one before, all patients at once. Then: every
# request acknowledged, allocations 1-24 each once (none duplicated, none skipped), the replay
# from the seed agrees, every acknowledged lab and consent is stored, the chain verifies.
# Before that, the connection pool: a server keeps its connection between requests (the same
# backend answers the next one), and after every backend is terminated (pg_terminate_backend)
# between requests the next write is stored once and the next read answers.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
base="$LUTETIA_TEST_DB"
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
psql_q -d "$base" -c "DROP DATABASE IF EXISTS lt_two" -c "CREATE DATABASE lt_two" >/dev/null ||
    { bad "creating the database"; finish; exit 1; }
PG=$(printf '%s\n' "$base" | sed "s|/postgres?|/lt_two?|")
export LUTETIA_DB="$PG" LUTETIA_KEY_FILE="$TMP/pg.key"

PIDS=""
stop_servers() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p"; done
    PIDS=""
}
trap 'stop_servers; rm -rf "$TMP"' EXIT INT TERM

# serve NAME [ARGS...]: lutetia serve on a free loopback port (port 0), its URL in $TMP/NAME.url;
# waits for the port line and /healthz by bounded polling, never a fixed sleep
serve() {
    n=$1
    shift
    "$L" serve --db "$PG" --listen 127.0.0.1:0 --allow-known-seed --threads 4 "$@" \
        >"$TMP/$n.out" 2>"$TMP/$n.log" &
    PIDS="$PIDS $!"
    i=0
    while ! grep -q '^listening on' "$TMP/$n.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 500 ] || { echo "server $n: $(cat "$TMP/$n.log")"; return 1; }
        sleep 0.02
    done
    sed -n 's/^listening on //p' "$TMP/$n.out" >"$TMP/$n.url"
    i=0
    until curl -sf "$(cat "$TMP/$n.url")/healthz" >/dev/null; do
        i=$((i + 1))
        [ $i -lt 500 ] || return 1
        sleep 0.02
    done
}

# call SERVER USER METHOD PATH BODY OUT: the answer's body in OUT, its HTTP status printed
call() {
    curl -s -o "$6" -w '%{http_code}' -X "$3" -H 'Content-Type: application/json' \
        -K "$TMP/curl.$2" --data-binary "$5" "$(cat "$TMP/$1.url")$4"
}
# the backends of this database that lutetia holds open, by process id
backends() {
    psql_q -d "$base" -c "SELECT pid FROM pg_stat_activity WHERE datname = 'lt_two'
        AND application_name = 'lutetia' ORDER BY pid" | tr '\n' ' '
}

setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
for u in coord1 inv1 coord2 inv2 admin; do
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
    printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TMP/tok.$u")" >"$TMP/curl.$u"
done
make_patients "$TMP/a.json" A 12
make_patients "$TMP/b.json" B 12
"$L" enrol --user coord1 --site S1 --as-of "$ASOF" "$TMP/a.json" >/dev/null || bad "enrol at S1"
"$L" enrol --user coord2 --site S2 --as-of "$ASOF" "$TMP/b.json" >/dev/null || bad "enrol at S2"

# ---- the pool: one server, its connection kept; every backend terminated between requests ----
make_patients "$TMP/z.json" Z 2
"$L" enrol --user coord1 --site S1 --as-of "$ASOF" "$TMP/z.json" >/dev/null || bad "enrol Z"
audit_rows() { psql_q -d "$PG" -c "SELECT count(*) FROM audit WHERE patient = '$1' AND seq > $Z0"; }
Z0=$(psql_q -d "$PG" -c "SELECT max(seq) FROM audit")
serve one || { bad "starting the first server"; finish; exit 1; }
[ "$(call one coord1 POST /api/v1/patients/Z2/consent '{"date":"2026-11-01","form":"v2"}' "$TMP/o")" = 200 ] &&
    ok || bad "a consent: $(cat "$TMP/o")"
per_consent=$(audit_rows Z2)
[ "$per_consent" -ge 1 ] && ok || bad "a consent wrote $per_consent audit records"
[ "$(call one coord1 GET /api/v1/patients/A1 '' "$TMP/o")" = 200 ] && ok || bad "a read"
kept=$(backends)
[ -n "$kept" ] && ok || bad "no connection kept open between requests"
[ "$(call one coord1 GET /api/v1/patients/A2 '' "$TMP/o")" = 200 ] && ok || bad "a read"
[ "$(backends)" = "$kept" ] && ok || bad "the next request did not reuse the connection: $kept -> $(backends)"
psql_q -d "$base" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = 'lt_two' AND application_name = 'lutetia'" >/dev/null || bad "terminating"
i=0
while [ -n "$(backends)" ] && [ $i -lt 500 ]; do i=$((i + 1)); sleep 0.02; done
[ -z "$(backends)" ] && ok || bad "the backends were not terminated"
# the next write: the pooled connections are dead; it reconnects and stores the consent once
# (as many audit records as the same consent of another patient before the termination)
code=$(call one coord1 POST /api/v1/patients/Z1/consent '{"date":"2026-11-01","form":"v2"}' "$TMP/o")
[ "$code" = 200 ] && ok || bad "a write after the backends were terminated: $code $(cat "$TMP/o")"
[ "$(audit_rows Z1)" = "$per_consent" ] && ok ||
    bad "the consent wrote $(audit_rows Z1) audit records, one consent writes $per_consent"
[ "$(call one coord1 GET /api/v1/patients/A1 '' "$TMP/o")" = 200 ] && ok || bad "a read after"
expect_exit 0 -- "$L" audit verify

# ---- two servers at once ----
serve two || { bad "starting the second server"; finish; exit 1; }
[ "$(cat "$TMP/one.url")" != "$(cat "$TMP/two.url")" ] && ok || bad "one port for both"
# drive PATIENT COORD INV FIRST OTHER: the patient's steps in order, alternating servers; each
# answer's status and body appended to $TMP/log.PATIENT
drive() {
    p=$1 c=$2 v=$3 s1=$4 s2=$5 f="$TMP/log.$1"
    : >"$f"
    step() { printf '%s %s %s\n' "$1" "$(call "$2" "$3" POST "/api/v1/patients/$p/$1" "$4" "$TMP/b.$p")" \
        "$(tr -d '\n' <"$TMP/b.$p")" >>"$f"; }
    step consent "$s1" "$c" '{"date":"2026-11-01","form":"v2"}'
    step confirm "$s2" "$v" '{"date":"2026-11-01"}'
    step randomise "$s1" "$c" '{"date":"2026-11-02"}'
    step labs "$s2" "$c" '{"date":"2026-11-03","analyte":"platelets","value":180,"unit":"10^9/L","lln":150,"uln":400}'
    step labs "$s1" "$c" '{"date":"2026-11-04","analyte":"neutrophils","value":2.5,"unit":"10^9/L","lln":1.5,"uln":7}'
}
jobs_=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    if [ $((i % 2)) = 0 ]; then a=one b=two; else a=two b=one; fi
    drive "A$i" coord1 inv1 $a $b &
    jobs_="$jobs_ $!"
    drive "B$i" coord2 inv2 $b $a &
    jobs_="$jobs_ $!"
done
for j in $jobs_; do wait "$j"; done
acked=$(cat "$TMP"/log.* | awk '$2 == 200' | wc -l)
[ "$acked" = 120 ] && ok || bad "$acked of 120 requests acknowledged: $(cat "$TMP"/log.* | awk '$2 != 200' | head -5)"
numbers=$(cat "$TMP"/log.* | awk '$1 == "randomise" && $2 == 200 { print $3 }' |
    jq -r '.allocation' | sort -n | tr '\n' ' ')
want=$(seq 1 24 | tr '\n' ' ')
[ "$numbers" = "$want" ] && ok || bad "allocation numbers: $numbers"
expect_exit 0 -- "$L" randomise --replay --user admin
# every acknowledged allocation stored with the arm that was acknowledged
"$L" patients --user admin --json >"$TMP/pts.json" || bad "patients"
for f in "$TMP"/log.*; do
    p=${f##*/log.}
    arm=$(awk '$1 == "randomise" { print $3 }' "$f" | jq -r '.arm')
    stored=$(jq -r --arg p "$p" '.. | objects | select(.id? == $p) | .arm // empty' "$TMP/pts.json" | head -n 1)
    [ -n "$arm" ] && [ "$stored" = "$arm" ] && continue
    bad "$p: acknowledged arm '$arm', stored '$stored'"
done
ok
labs=$("$L" list labs --user stat1 --json | jq '[.rows[] | select(.patient | test("^[AB]"))] | length')
[ "$labs" = 48 ] && ok || bad "labs stored: $labs, 48 acknowledged"
consented=$("$L" patients --user stat1 --json | jq '[.patients[] | select(.id | test("^[AB]")) | select(.consent_date == "2026-11-01")] | length')
[ "$consented" = 24 ] && ok || bad "patients with their consent stored: $consented of 24"
expect_exit 0 -- "$L" audit verify --json
expect_jq '.verified and .seed_checked'
stop_servers
finish
