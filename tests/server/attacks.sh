#!/bin/sh
# Attacks on `lutetia serve` beyond server.sh's: slow clients (silent connections and headers
# sent a byte at a time) beside a normal request; an expired session (idle, absolute) on a test
# clock; session fixation; CSRF on every state-changing route of the OpenAPI document; a
# password change ending every session of its user; token use audited once per token and day;
# SIGTERM with a request in flight, which is finished while new connections are refused.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/server/lib.sh"
L="$LUTETIA"
trap 'stop_server; rm -rf "$TMP"' EXIT INT TERM
PY=python3
command -v /usr/bin/python3 >/dev/null && PY=/usr/bin/python3

setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
PW=trustworthy-horse-42
PW_INV=$PW
for u in admin coord1 inv1; do
    printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
done
make_patients "$TMP/s1.json" P 1 small_intestine R0
ready "$TMP/s1.json" S1 coord1 inv1 || bad "ready P1"
"$L" randomise --user coord1 --patient P1 --date 2026-11-02 >/dev/null || bad "randomise P1"

# the test clock: sessions and tokens are judged at the time this file holds
CLOCK="$TMP/clock"
T0=2026-12-01T08:00:00Z
echo "$T0" >"$CLOCK"
at() { date -u -d "$T0 + $1 seconds" +%Y-%m-%dT%H:%M:%SZ >"$CLOCK"; }

# the clock is a test's: refused without --allow-known-seed
expect_exit 2 -- "$L" serve --db "$LUTETIA_DB" --listen 127.0.0.1:0 --test-clock "$CLOCK"
expect_err "allow-known-seed"

start_server "$LUTETIA_DB" --test-clock "$CLOCK" --timeout 2 --threads 2 || { bad "server did not start"; finish; exit 1; }
ok
signin() { # signin JAR [CURL ARGS]: signs coord1 in; CSRF gets the token
    j=$1
    shift
    req POST /api/v1/session "{\"user\":\"coord1\",\"password\":\"$PW\"}" -c "$j" "$@"
    CSRF=$(jq -r .csrf_token "$TMP/out")
}
cookie_of() { awk '$6 == "lutetia_session" { print $7 }' "$1"; }

# ---- expired sessions: idle 30 minutes, absolute 12 hours (docs/server.md) ----
signin "$TMP/j1"
expect_code 200 "sign-in"
at 1799
req GET /api/v1/users/me -b "$TMP/j1"
expect_code 200 "used before the idle timeout"
at $((1799 + 1801))
req GET /api/v1/users/me -b "$TMP/j1"
expect_code 401 "idle session"
expect_jq '.title == "not signed in" and .param == "session" and (.detail | test("idle too long"))'
# used every 25 minutes, a session still ends 12 hours after sign-in
at 0
signin "$TMP/j2"
t=0
while [ $t -le 50000 ]; do
    at $t
    req GET /api/v1/users/me -b "$TMP/j2"
    [ "$CODE" = 200 ] || break
    t=$((t + 1500))
done
[ $t -gt 42000 ] && [ $t -le 44700 ] && ok || bad "absolute timeout at $t s, expected just past 43200"
expect_code 401 "session past its absolute timeout"
expect_jq '.detail | test("too old")'
at 0

# ---- session fixation: an id the client chose is never accepted, and sign-in gives a new one ----
CHOSEN=$(printf '%064d' 7)
req GET /api/v1/users/me -b "lutetia_session=$CHOSEN"
expect_code 401 "a session id the client made up"
signin "$TMP/j3" -b "lutetia_session=$CHOSEN"
expect_code 200 "sign-in while sending a chosen id"
NEW=$(cookie_of "$TMP/j3")
[ -n "$NEW" ] && [ "$NEW" != "$CHOSEN" ] && ok || bad "sign-in kept the client's session id"
req GET /api/v1/users/me -b "lutetia_session=$CHOSEN"
expect_code 401 "the chosen id after sign-in"
signin "$TMP/j4"
[ "$(cookie_of "$TMP/j4")" != "$NEW" ] && ok || bad "two sign-ins gave one session id"
# behind a TLS-terminating proxy (X-Forwarded-Proto: https) the cookie is Secure too
curl -s -D "$TMP/hdr" -o /dev/null -X POST -H 'Content-Type: application/json' -H 'X-Forwarded-Proto: https' \
    --data-binary "{\"user\":\"coord1\",\"password\":\"$PW\"}" "$BASE/api/v1/session"
grep -i '^Set-Cookie:' "$TMP/hdr" | grep -q '; Secure' && ok || bad "no Secure cookie behind a TLS proxy"

# ---- CSRF: every route that changes something refuses a cookie without the token ----
signin "$TMP/jc"
CSRF_C=$CSRF
# used twice with the clock standing still: the server now judges this session from the facts
# it keeps (src/server/authcache.c) until something is committed; every refusal below and the
# sign-out must hold all the same
for i in 1 2; do
    req GET /api/v1/users/me -b "$TMP/jc"
    expect_code 200 "the session in use ($i)"
done
req GET /api/v1/openapi.json
jq -r '.paths | to_entries[] | .key as $p | .value | to_entries[] | select(.key != "get") | "\(.key) \($p)"' \
    "$TMP/out" | grep -v ' /api/v1/session$' >"$TMP/changes"
[ "$(wc -l <"$TMP/changes")" -ge 5 ] && ok || bad "too few changing routes in the document"
n=0
while read -r method path; do
    M=$(echo "$method" | tr a-z A-Z)
    url=$(echo "$path" | sed 's/{[a-z_]*}/P1/')
    req "$M" "$url" '{}' -b "$TMP/jc"
    if [ "$CODE" = 403 ] && jq -e '.param == "X-CSRF-Token"' "$TMP/out" >/dev/null; then
        n=$((n + 1))
    else
        bad "$M $path with a cookie and no CSRF token: $CODE $(head -c 200 "$TMP/out")"
    fi
    req "$M" "$url" '{}' -b "$TMP/jc" -H "X-CSRF-Token: $(printf '%064d' 1)"
    [ "$CODE" = 403 ] || bad "$M $path with a wrong CSRF token: $CODE"
done <"$TMP/changes"
[ "$n" -eq "$(wc -l <"$TMP/changes")" ] && ok || bad "CSRF: $n of $(wc -l <"$TMP/changes") routes refused"
# signing out is a change too
req DELETE /api/v1/session -b "$TMP/jc"
expect_code 403 "sign-out without the CSRF token"
req DELETE /api/v1/session -b "$TMP/jc" -H "X-CSRF-Token: $CSRF_C"
expect_code 200 "sign-out with it"
req GET /api/v1/users/me -b "$TMP/jc"
expect_code 401 "after sign-out"

# ---- a password change ends every session of its user ----
signin "$TMP/ja"
signin "$TMP/jb"
req GET /api/v1/users/me -b "$TMP/ja"
expect_code 200 "first session"
printf '%s\n' "another-horse-staple-9" | "$L" user password coord1 --password-stdin >/dev/null || bad "password change"
for j in ja jb j4; do
    req GET /api/v1/users/me -b "$TMP/$j"
    expect_code 401 "session $j after a password change"
    expect_jq '.detail | test("ended")'
done
PW=another-horse-staple-9

# ---- signing out everywhere ends every session of the user, the one used and the others ----
signin "$TMP/je1"
CSRF_E=$CSRF
signin "$TMP/je2"
req DELETE "/api/v1/session?everywhere=maybe" -b "$TMP/je1" -H "X-CSRF-Token: $CSRF_E"
expect_code 400 "everywhere=maybe"
expect_jq '.param == "everywhere"'
req DELETE "/api/v1/session?everywhere=true" -b "$TMP/je1"
expect_code 403 "signing out everywhere without the CSRF token"
req GET /api/v1/users/me -b "$TMP/je2"
expect_code 200 "the other session, before"
req DELETE "/api/v1/session?everywhere=true" -b "$TMP/je1" -H "X-CSRF-Token: $CSRF_E"
expect_code 200 "signing out everywhere"
expect_jq '.signed_out == true and .sessions_ended == 2'
for j in je1 je2; do
    req GET /api/v1/users/me -b "$TMP/$j"
    expect_code 401 "session $j after signing out everywhere"
done

# ---- token use: audited on the first use of each day, not on every request ----
for i in 1 2 3; do
    req GET /api/v1/users/me $(as inv1)
    expect_code 200 "token use $i"
done
at 86400
req GET /api/v1/users/me $(as inv1)
expect_code 200 "token use the next day"
at 0
"$L" audit log --json --user admin >"$TMP/audit.json" || bad "audit log"
TID=$(cut -d_ -f2 "$TMP/tok.inv1")
jq -e --arg id "$TID" '[.[] | select(.action == "token.use" and .id == $id)] | length == 2' "$TMP/audit.json" >/dev/null \
    && ok || bad "token.use records of inv1's token: $(jq -c --arg id "$TID" '[.[] | select(.action == "token.use" and .id == $id)]' "$TMP/audit.json")"
jq -e '[.[] | select(.action == "token.use")] | all(.user != null)' "$TMP/audit.json" >/dev/null && ok || bad "token.use without its user"

# ---- second factor (TOTP): codes made by oathtool for the test clock's time ----
"$L" user totp inv1 >"$TMP/totp.out" || bad "totp enrol"
SECRET=$(tail -n 1 "$TMP/totp.out")
grep -q "^otpauth://totp/Lutetia:inv1?secret=$SECRET&issuer=Lutetia" "$TMP/totp.out" && ok || bad "otpauth URI: $(cat "$TMP/totp.out")"
expect_exit 7 -- "$L" user totp inv1 --user coord1
at 3600
code_at() { oathtool --totp -b -N "$(date -u -d "$T0 + $1 seconds" '+%Y-%m-%d %H:%M:%S UTC')" "$SECRET"; }
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"$PW_INV\"}"
expect_code 401 "sign-in without the code"
cp "$TMP/out" "$TMP/nocode"
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"wrong-password-77\",\"totp\":\"$(code_at 3600)\"}"
expect_code 401 "the code with a wrong password"
jq -e --slurpfile w "$TMP/nocode" '.detail == $w[0].detail' "$TMP/out" >/dev/null && ok || bad "a missing code is told apart from a wrong password"
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"$PW_INV\",\"totp\":\"$(code_at 3600)\"}" -c "$TMP/jt"
expect_code 200 "sign-in with the code"
req GET /api/v1/users/me -b "$TMP/jt"
expect_jq '.user == "inv1"'
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"$PW_INV\",\"totp\":\"$(code_at 3600)\"}"
expect_code 401 "the same code again"
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"$PW_INV\",\"totp\":\"$(code_at 7200)\"}"
expect_code 401 "a code of another hour"
at 3630
req POST /api/v1/session "{\"user\":\"inv1\",\"password\":\"$PW_INV\",\"totp\":\"$(code_at 3630)\"}"
expect_code 200 "the next step's code"
# the server keeps opened trials between requests (src/server/pool.c): a deactivation made
# meanwhile on the command line still applies to the next request of a live session
at 3700
req GET /api/v1/users/me -b "$TMP/jt"
expect_code 200 "inv1's session before deactivation"
req GET /api/v1/users/me -b "$TMP/jt"
expect_code 200 "inv1's session, its trial kept"
"$L" user deactivate --name inv1 >/dev/null || bad "deactivate inv1"
req GET /api/v1/users/me -b "$TMP/jt"
expect_code 401 "a deactivated user's live session"
"$L" user activate --name inv1 >/dev/null || bad "activate inv1"
req GET /api/v1/users/me -b "$TMP/jt"
expect_code 200 "inv1 active again"
at 0
"$L" audit log --json --user admin >"$TMP/audit.json" || bad "audit log"
jq -e '[.[] | select(.entity == "totp")] | length == 3 and all(.new.secret_hex == "(hidden)")' "$TMP/audit.json" >/dev/null \
    && ok || bad "the TOTP secret shown in the audit log"
grep -q "$SECRET" "$TMP/audit.json" && bad "base32 secret in the audit log" || ok

# ---- slow clients: 2 threads, 40 connections that say nothing or dribble half a header ----
"$PY" "$SRC/tests/server/slow_client.py" slow "$PORT" 20 20 >"$TMP/slow.out" 2>&1 && ok || bad "slow clients: $(cat "$TMP/slow.out")"
grep -q 'closed by the server' "$TMP/slow.out" && ok || bad "slow connections not closed"
req GET /healthz
expect_code 200 "healthz after the slow clients"
# a header larger than the connection's buffer is refused, not buffered without end
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" "$BASE/healthz")
expect_code 431 "a 40 kB header"
stop_server && ok || bad "SIGTERM"

# ---- SIGTERM with a request in flight: it is answered, new connections are refused ----
start_server "$LUTETIA_DB" || { bad "restart"; finish; exit 1; }
"$PY" "$SRC/tests/server/slow_client.py" inflight "$PORT" "$PID" "$TMP/srv.log" "$(cat "$TMP/tok.coord1")" \
    /api/v1/patients/P1/labs '{"date":"2026-11-18","analyte":"platelets","value":61,"unit":"10^9/L","lln":150,"uln":400}' \
    >"$TMP/inflight.out" 2>&1 && ok || bad "in-flight client: $(cat "$TMP/inflight.out")"
grep -q '^answer: HTTP/1.1 200' "$TMP/inflight.out" && ok || bad "the request in flight was not answered: $(cat "$TMP/inflight.out")"
grep -q 'refused while stopping' "$TMP/inflight.out" && ok || bad "new connections accepted while stopping"
wait "$PID"
[ $? = 0 ] && ok || bad "server exit status after SIGTERM"
PID=
jq -e -s '[.[] | select(.event == "stopped")] | length == 1 and .[0].in_flight == 0' "$TMP/srv.log" >/dev/null && ok || bad "stopped with requests in flight"
"$L" list labs --user coord1 --patient P1 --json >"$TMP/labs.json" 2>"$TMP/err" || bad "list labs: $(cat "$TMP/err")"
grep -q '61' "$TMP/labs.json" && ok || bad "the lab sent in flight is not stored"
"$L" audit verify --user admin >/dev/null && ok || bad "audit verify"
finish
