#!/bin/sh
# `lutetia serve` on a real socket: sign-in, lockout, CSRF, tokens of a deactivated user, the
# role x operation x site matrix as a data table, a 10 MB body, malformed and duplicate-member
# JSON, path traversal, SQL metacharacters, the whole enrolment flow over HTTP giving what the
# command line gives, the OpenAPI document against the table, metrics, access log, SIGTERM.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
. "$SRC/tests/server/lib.sh"

setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
PW=trustworthy-horse-42
for u in admin coord1 inv1 nuc1 stat1 mon1 coord2 inv2 ustat1; do
    printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"
    "$L" token create --user "$u" >"$TMP/tokout" || bad "token $u"
    tail -n 1 "$TMP/tokout" >"$TMP/tok.$u"
done
grep -Eq '^ltk_[0-9a-f]{16}_[0-9a-f]{64}$' "$TMP/tok.coord1" && ok || bad "token alone on its last line"

# password rules: length, the common list (case folded), never on the command line
printf 'short-pw\n' | "$L" user password coord1 --password-stdin >"$TMP/out" 2>"$TMP/err"
[ $? -ne 0 ] && ok || bad "a short password was accepted"
expect_err "at least 12 characters"
printf 'Qwerty123456\n' | "$L" user password coord1 --password-stdin >"$TMP/out" 2>"$TMP/err"
[ $? -ne 0 ] && ok || bad "a common password was accepted"
expect_err "common passwords"
expect_exit 2 -- "$L" user password coord1 "$PW"
echo "$PW" | "$L" user password coord2 --user coord1 --password-stdin >"$TMP/out" 2>"$TMP/err"
[ $? = 7 ] && ok || bad "a coordinator set another user's password"
expect_err "only an admin"

# plain HTTP on a non-loopback address is refused
expect_exit 2 -- "$L" serve --db "$LUTETIA_DB" --listen 0.0.0.0:0
expect_err "insecure-http"

# a trial with a supplied (known) seed is not served unless the test says so; a secret one is
expect_exit 7 -- "$L" serve --db "$LUTETIA_DB" --listen 127.0.0.1:0
expect_err "allow-known-seed"
"$L" trial init --protocol "$NELMAS" --user admin --db "$TMP/secret.db" >/dev/null || bad "secret trial"
rm -f "$TMP/srv.out"
"$L" serve --db "$TMP/secret.db" --listen 127.0.0.1:0 >"$TMP/srv.out" 2>"$TMP/srv.log" &
PID=$!
i=0
until grep -q '^listening on' "$TMP/srv.out" 2>/dev/null || [ $i -ge 500 ] || ! kill -0 "$PID" 2>/dev/null; do
    i=$((i + 1))
    sleep 0.02
done
grep -q '^listening on' "$TMP/srv.out" && ok || bad "a trial with a secret seed is not served: $(cat "$TMP/srv.log")"
stop_server || bad "SIGTERM (secret trial)"

# two patients ready (consented, confirmed), one per site
make_patients "$TMP/s1.json" P 1 small_intestine R0
make_patients "$TMP/s2.json" Q 1 small_intestine R0
ready "$TMP/s1.json" S1 coord1 inv1 || bad "ready P1"
ready "$TMP/s2.json" S2 coord2 inv2 || bad "ready Q1"

start_server || { bad "server did not start"; finish; exit 1; }
ok

# ---- sign-in ----
req GET /api/v1/users/me
expect_code 401 "no credentials"
expect_jq '.status == 401 and .title == "not signed in"'
req POST /api/v1/session "{\"user\":\"coord1\",\"password\":\"$PW\"}" -c "$TMP/jar"
expect_code 200 "sign-in"
CSRF=$(jq -r .csrf_token "$TMP/out")
grep -q 'HttpOnly' "$TMP/jar" && ok || bad "session cookie is not HttpOnly"
curl -s -D "$TMP/hdr" -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"user\":\"inv1\",\"password\":\"$PW\"}" "$BASE/api/v1/session"
grep -i '^Set-Cookie:' "$TMP/hdr" | grep -q 'SameSite=Strict' && ok || bad "cookie not SameSite=Strict"
grep -i '^Set-Cookie:' "$TMP/hdr" | grep -q 'Secure' && bad "Secure cookie over plain HTTP" || ok
req GET /api/v1/users/me -b "$TMP/jar"
expect_code 200 "session read"
expect_jq '.user == "coord1" and .role == "coordinator" and .sites == ["S1"]'
# a change with the cookie needs the CSRF token
req POST /api/v1/patients/P1/consent '{"date":"2026-11-01","form":"v2","reason":"re-read"}' -b "$TMP/jar"
expect_code 403 "CSRF missing"
expect_jq '.param == "X-CSRF-Token"'
req POST /api/v1/patients/P1/consent '{"date":"2026-11-01","form":"v2","reason":"re-read"}' -b "$TMP/jar" -H "X-CSRF-Token: $(echo "$CSRF" | tr 0-9a-f a-f0-9)"
expect_code 403 "CSRF wrong"
req POST /api/v1/patients/P1/consent '{"date":"2026-11-01","form":"v2","reason":"corrected after review"}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
expect_code 200 "consent correction with CSRF"
# sign out; the cookie no longer works
req DELETE /api/v1/session -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
expect_code 200 "sign out"
req GET /api/v1/users/me -b "$TMP/jar"
expect_code 401 "after sign-out"

# ---- lockout: 5 wrong passwords lock the name; the message never says whether it exists ----
for i in 1 2 3 4 5; do
    req POST /api/v1/session '{"user":"mon1","password":"wrong-password-123"}'
    [ "$CODE" = 401 ] && ok || bad "wrong password $i: $CODE"
done
cp "$TMP/out" "$TMP/wrong"
req POST /api/v1/session "{\"user\":\"mon1\",\"password\":\"$PW\"}"
expect_code 401 "locked account with the right password"
jq -e --slurpfile w "$TMP/wrong" '.detail == $w[0].detail' "$TMP/out" >/dev/null && ok || bad "locked answer differs"
req POST /api/v1/session '{"user":"nobody-here","password":"wrong-password-123"}'
expect_code 401 "unknown user"
jq -e --slurpfile w "$TMP/wrong" '.detail == $w[0].detail' "$TMP/out" >/dev/null && ok || bad "unknown user's answer differs"
"$L" audit log --json --user admin >"$TMP/audit.json" || bad "audit log"
jq -e '[.[] | select(.action == "login.failed" and .user == "mon1")] | length == 5 and (map(.reason) | index("account locked") == 4)' "$TMP/audit.json" >/dev/null && ok || bad "failed logins audited"
jq -e '[.[] | select(.action == "login.locked")] | length == 1' "$TMP/audit.json" >/dev/null && ok || bad "lockout audited"
jq -e '[.[] | select(.action == "user.password")] | length == 9 and all(.new | tostring | contains("$argon2") | not)' "$TMP/audit.json" >/dev/null && ok || bad "password hash shown in the audit log"

# ---- API tokens: a deactivated user's token, a revoked token ----
"$L" user add --name tok1 --role coordinator --site S1 --os-user "$ME" >/dev/null || bad "tok1"
"$L" token create --user tok1 --expires 7 | tail -n 1 >"$TMP/tok.tok1"
req GET /api/v1/users/me $(as tok1)
expect_code 200 "token works"
expect_jq '.user == "tok1"'
# used again, unchanged store: the server answers from the tokens it keeps (authcache.c); the
# deactivation by another process must still end it at the next request
req GET /api/v1/users/me $(as tok1)
expect_code 200 "token works again"
"$L" user deactivate --name tok1 >/dev/null || bad "deactivate"
req GET /api/v1/users/me $(as tok1)
expect_code 401 "deactivated user's token"
"$L" token create --user inv2 | tail -n 1 >"$TMP/tok.rev"
TID=$(cut -d_ -f2 "$TMP/tok.rev")
# a revocation of a token the server has just accepted (twice: the second from its keeping)
for i in 1 2; do
    req GET /api/v1/users/me -H "Authorization: Bearer $(cat "$TMP/tok.rev")"
    expect_code 200 "token before its revocation ($i)"
done
"$L" token revoke --user inv2 --id "$TID" >/dev/null || bad "revoke"
req GET /api/v1/users/me -H "Authorization: Bearer $(cat "$TMP/tok.rev")"
expect_code 401 "revoked token"
req GET /api/v1/users/me -H "Authorization: Bearer ltk_0000000000000000_$(printf '%064d' 0)"
expect_code 401 "made-up token"

# ---- role x operation x site: every role on its own site's patient and another site's ----
# OP METHOD PATH BODY ALLOWED-ROLES (the roles src/trial/roles.c allows, written out here)
cat >"$TMP/ops" <<'T'
patients.list GET /api/v1/patients - admin,coordinator,investigator,nuclear_medicine,statistician,monitor,unblinded_statistician
patients.show GET /api/v1/patients/@ - admin,coordinator,investigator,nuclear_medicine,statistician,monitor,unblinded_statistician
schedule.show GET /api/v1/patients/@/schedule - admin,coordinator,investigator,nuclear_medicine,statistician,monitor,unblinded_statistician
due.list GET /api/v1/due?from=2026-12-01&to=2026-12-31 - admin,coordinator,investigator,nuclear_medicine,statistician,monitor,unblinded_statistician
patients.consent POST /api/v1/patients/@/consent {"date":"2026-11-01","form":"v2"} coordinator,investigator
patients.confirm POST /api/v1/patients/@/confirm {"date":"2026-11-01"} investigator
patients.randomise POST /api/v1/patients/@/randomise {"date":"2020-01-01"} coordinator,investigator
labs.record POST /api/v1/patients/@/labs {"date":"2026-11-02","analyte":"platelets","value":-1} coordinator,investigator
audit.verify GET /api/v1/audit/verify - admin,monitor
users.me GET /api/v1/users/me - admin,coordinator,investigator,nuclear_medicine,statistician,monitor,unblinded_statistician
T
# USER ROLE SITES (of setup_trial)
cat >"$TMP/users" <<'T'
admin admin *
coord1 coordinator S1
inv1 investigator S1
nuc1 nuclear_medicine S1
stat1 statistician *
mon1 monitor S1
ustat1 unblinded_statistician *
coord2 coordinator S2
inv2 investigator S2
T
# patient P1 is at S1, Q1 at S2; the bodies refuse after the role and site checks (a
# correction without a reason, a date before confirmation, a negative count), so nothing changes
unexpected=0
cases=0
while read -r user role sites; do
    while read -r op method path body roles; do
        for pat in P1:S1 Q1:S2; do
            id=${pat%:*} site=${pat#*:}
            case "$path" in *@*) scoped=1 ;; *) scoped=0 ;; esac
            [ "$scoped" = 0 ] && [ "$id" = Q1 ] && continue
            url=$(echo "$path" | sed "s/@/$id/")
            case ",$roles," in
            *",$role,"*)
                if [ "$scoped" = 1 ] && [ "$sites" != "*" ] && [ "$sites" != "$site" ]; then want=404; else want=allow; fi ;;
            *) want=403 ;;
            esac
            if [ "$body" = - ]; then req "$method" "$url" $(as "$user"); else req "$method" "$url" "$body" $(as "$user"); fi
            cases=$((cases + 1))
            # allowed: anything but a refusal (the bodies are refused later, by the rules of
            # the step); refused: exactly 403 (role) or 404 (site)
            if [ "$want" = allow ]; then
                case "$CODE" in 401 | 403 | 404 | 5*) got=bad ;; *) got=good ;; esac
            elif [ "$CODE" = "$want" ]; then got=good; else got=bad; fi
            if [ "$got" = bad ]; then
                unexpected=$((unexpected + 1))
                echo "  unexpected: $user ($role at $sites) $op $id: want $want, got $CODE $(head -c 200 "$TMP/out")"
            fi
        done
    done <"$TMP/ops"
done <"$TMP/users"
[ "$unexpected" = 0 ] && [ "$cases" -eq 144 ] && ok || bad "matrix: $unexpected unexpected of $cases"
# another site's patient and a missing one get the same answer
req GET /api/v1/patients/Q1 $(as coord1)
sed 's/Q1/X/g' "$TMP/out" >"$TMP/other"
req GET /api/v1/patients/X $(as coord1)
cmp -s "$TMP/other" "$TMP/out" && ok || bad "another site's patient is told apart from a missing one"

# ---- malformed input ----
req POST /api/v1/patients/P1/labs '{"date":"2026-11-02",' $(as coord1)
expect_code 400 "bad JSON"
expect_jq '.title == "malformed input"'
req POST /api/v1/patients/P1/labs '{"date":"2026-11-02","analyte":"platelets","value":90,"colour":"blue"}' $(as coord1)
expect_code 400 "unknown member"
expect_jq '.param == "colour" and (.detail | test("unknown member"))'
req POST /api/v1/patients/P1/labs '{"date":"2026-11-02","analyte":"platelets","value":90,"value":91}' $(as coord1)
expect_code 400 "duplicate member"
expect_jq '.title == "malformed input" and (.detail | test("duplicate member .value."))'
req POST /api/v1/patients/P1/labs '{"date":"2026-13-40","analyte":"platelets","value":90}' $(as coord1)
expect_code 400 "bad date"
expect_jq '.param == "date"'
head -c 10485760 /dev/zero | tr '\0' 'a' >"$TMP/big"
CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' -X POST $(as coord1) -H 'Content-Type: application/json' --data-binary @"$TMP/big" "$BASE/api/v1/patients")
expect_code 413 "10 MB body"
# path traversal and SQL metacharacters
CODE=$(curl -s --path-as-is -o "$TMP/out" -w '%{http_code}' $(as coord1) "$BASE/api/v1/patients/../../../etc/passwd")
expect_code 404 "path traversal"
CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' $(as coord1) "$BASE/api/v1/patients/..%2F..%2Fetc%2Fpasswd")
expect_code 404 "encoded path traversal"
CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' $(as coord1) "$BASE/api/v1/patients/P1'%20OR%20'1'='1")
expect_code 404 "SQL in the patient id"
CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' $(as coord1) "$BASE/api/v1/due?from=2026-12-01&to=2026-12-31&site=S1'%3B%20DROP%20TABLE%20records%3B--")
[ "$CODE" = 200 ] || [ "$CODE" = 403 ] || [ "$CODE" = 404 ] || [ "$CODE" = 400 ] && ok || bad "SQL in site: $CODE"
req POST /api/v1/patients/P1/consent "{\"date\":\"2026-11-01\",\"form\":\"v2'); DELETE FROM records;--\",\"reason\":\"x' OR 1=1--\"}" $(as coord1)
[ "$CODE" != 500 ] && ok || bad "SQL in a form: 500"
req GET /api/v1/audit/verify $(as admin)
expect_code 200 "audit verify"
expect_jq '.ok == true'
req GET /api/v1/patients $(as admin)
expect_jq '[.. | objects | select(has("id")) | .id] | index("P1") != null'

# ---- the whole flow over HTTP gives what the command line gives ----
make_patients "$TMP/h.json" H 2 small_intestine R0
jq '.[0]' "$TMP/h.json" >"$TMP/h1.json"
jq -n --slurpfile p "$TMP/h1.json" '{"site":"S1","as_of":"2026-11-01","patient":$p[0]}' >"$TMP/enrol.json"
req POST /api/v1/patients "$(cat "$TMP/enrol.json")" $(as coord1)
expect_code 200 "enrol over HTTP"
expect_jq '.patient == "H1" and .verdict == "eligible"'
req POST /api/v1/patients/H1/consent '{"date":"2026-11-01","form":"v2"}' $(as coord1)
expect_code 200 "consent over HTTP"
req POST /api/v1/patients/H1/confirm '{"date":"2026-11-01"}' $(as coord1)
expect_code 403 "a coordinator cannot confirm"
req POST /api/v1/patients/H1/confirm '{"date":"2026-11-01"}' $(as inv1)
expect_code 200 "confirm over HTTP"
req POST /api/v1/patients/H1/randomise '{"date":"2026-11-02"}' $(as coord1)
expect_code 200 "randomise over HTTP"
jq -c '{arm, allocation, state}' "$TMP/out" >"$TMP/http.alloc"
jq -e 'keys == ["allocation","arm","patient","state"]' "$TMP/out" >/dev/null && ok || bad "randomise reveals more than arm and number: $(cat "$TMP/out")"
req GET /api/v1/patients/H1 $(as coord1)
jq -e '.allocation | (has("block") or has("position") or has("block_size")) | not' "$TMP/out" >/dev/null && ok || bad "patient show reveals the block"
# the calendar read twice: the second is the answer the server kept (src/server/answers.c),
# the same bytes (a change made meanwhile is tested further down)
req GET /api/v1/patients/H1/schedule $(as coord1)
expect_code 200 "schedule before the lab"
cp "$TMP/out" "$TMP/pre.cal"
req GET /api/v1/patients/H1/schedule $(as coord1)
cmp -s "$TMP/out" "$TMP/pre.cal" && ok || bad "the calendar read again differs"
req POST /api/v1/patients/H1/labs '{"date":"2026-11-18","analyte":"platelets","value":62,"unit":"10^9/L","lln":150,"uln":400}' $(as coord1)
expect_code 200 "lab over HTTP"
cp "$TMP/out" "$TMP/http.lab"
req GET /api/v1/patients/H1/schedule $(as coord1)
expect_code 200 "schedule over HTTP"
cp "$TMP/out" "$TMP/http.cal"
stop_server && ok || bad "SIGTERM: the server did not stop cleanly"
jq -e -s 'length > 100 and all(has("status") and has("ms") and has("route"))' "$TMP/srv.log" >/dev/null && ok || bad "access log lines are not JSON"

# the same steps on the command line, in a trial with the same seed and history
export LUTETIA_DB="$TMP/cli.db"
setup_trial "$TEST_SEED" || bad "setup cli"
ready "$TMP/s1.json" S1 coord1 inv1 || bad "ready P1 cli"
ready "$TMP/s2.json" S2 coord2 inv2 || bad "ready Q1 cli"
"$L" enrol --user coord1 --site S1 --as-of 2026-11-01 "$TMP/h1.json" >/dev/null || bad "enrol cli"
"$L" consent --user coord1 --patient H1 --form v2 --date 2026-11-01 >/dev/null || bad "consent cli"
"$L" confirm --user inv1 --patient H1 --date 2026-11-01 >/dev/null || bad "confirm cli"
"$L" randomise --user coord1 --patient H1 --date 2026-11-02 --json | jq -c '{arm, allocation, state}' >"$TMP/cli.alloc"
cmp -s "$TMP/http.alloc" "$TMP/cli.alloc" && ok || bad "HTTP allocation $(cat "$TMP/http.alloc") differs from the CLI's $(cat "$TMP/cli.alloc")"
"$L" record lab --user coord1 --patient H1 --date 2026-11-18 --analyte platelets --value 62 --unit '10^9/L' --lln 150 --uln 400 --json >"$TMP/cli.lab"
jq -e --slurpfile h "$TMP/http.lab" '. == $h[0]' "$TMP/cli.lab" >/dev/null && ok || bad "HTTP lab grade differs from the CLI's"
"$L" schedule H1 --user coord1 --json >"$TMP/cli.cal"
"$L" token create --user admin | tail -n 1 >"$TMP/tok.admin"
jq -e --slurpfile h "$TMP/http.cal" '. == $h[0]' "$TMP/cli.cal" >/dev/null && ok || bad "HTTP calendar differs from the CLI's"

# ---- the OpenAPI document: kept in docs, every table route in it, every path answers ----
"$L" serve --print-openapi >"$TMP/openapi.json"
if cmp -s "$TMP/openapi.json" "$SRC/docs/openapi.json"; then ok; else bad "docs/openapi.json is stale: run scripts/openapi.sh"; fi
start_server "$TMP/cli.db" || bad "restart"
req GET /api/v1/openapi.json
expect_code 200 "openapi served"
cmp -s "$TMP/out" "$TMP/openapi.json" && ok || { tr -d '\n' <"$TMP/openapi.json" | cmp -s - "$TMP/out" && ok || bad "served document differs"; }
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(.) \($p)"' "$TMP/openapi.json" >"$TMP/routes"
[ "$(wc -l <"$TMP/routes")" -ge 14 ] && ok || bad "too few routes in the document"
while read -r method path; do
    M=$(echo "$method" | tr a-z A-Z)
    grep -qF "| \`$M $path\` |" "$SRC/docs/server.md" && ok || bad "docs/server.md lacks $M $path: run scripts/openapi.sh"
done <"$TMP/routes"
for name in patients.list patients.show patients.enrol patients.consent patients.confirm \
            patients.randomise labs.record schedule.show due.list audit.verify users.me; do
    jq -e --arg n "$name" '[.paths[][] | .operationId] | index($n) != null' "$TMP/openapi.json" >/dev/null && ok || bad "$name missing from the document"
done
# a spare token of the admin's, for the route that revokes one
"$L" token create --user admin | tail -n 1 | cut -d_ -f2 >"$TMP/spare.id"
while read -r method path; do
    M=$(echo "$method" | tr a-z A-Z)
    url=$(echo "$path" | sed "s/{patient}/H1/; s/{endpoint}/DFS/; s/{name}/admin/; s/{id}/$(cat "$TMP/spare.id")/")
    case "$M" in GET | DELETE) req "$M" "$url" $(as admin) ;; *) req "$M" "$url" '{}' $(as admin) ;; esac
    # the router's own 404 (no such route), not an answer of the row (an endpoint the protocol
    # does not have)
    if [ "$CODE" = 404 ] && jq -e '.detail | test("no such route")' "$TMP/out" >/dev/null 2>&1 || [ "$CODE" = 405 ]; then
        bad "$M $path of the document does not answer ($CODE)"
    else ok; fi
done <"$TMP/routes"
# a kept calendar (src/server/answers.c) and a change made by another process: the command
# line corrects H1's randomisation date, which moves every entry; the next read is made afresh
# and is the command line's calendar
req GET /api/v1/patients/H1/schedule $(as admin)
expect_code 200 "calendar read as admin"
cp "$TMP/out" "$TMP/kept.cal"
req GET /api/v1/patients/H1/schedule $(as admin)
cmp -s "$TMP/out" "$TMP/kept.cal" && ok || bad "the calendar read again differs"
"$L" record anchor --user coord1 --patient H1 --anchor randomisation --date 2026-11-09 \
    --reason "clinical date differs from allocation" >/dev/null || bad "record anchor"
req GET /api/v1/patients/H1/schedule $(as admin)
expect_code 200 "calendar after the anchor"
cmp -s "$TMP/out" "$TMP/kept.cal" && bad "a kept calendar outlived a change made on the command line" || ok
"$L" schedule H1 --user coord1 --json >"$TMP/cli.cal2"
jq -e --slurpfile c "$TMP/cli.cal2" '. == $c[0]' "$TMP/out" >/dev/null && ok || bad "the calendar after the anchor differs from the CLI's"
# the DSMB report's figures over HTTP: the command line's report.json (the audit head too:
# reading writes nothing), the closed one only for the unblinded
"$L" token create --user stat1 | tail -n 1 >"$TMP/tok.stat1"
"$L" token create --user ustat1 | tail -n 1 >"$TMP/tok.ustat1"
req GET "/api/v1/reports/dsmb?cutoff=2026-12-01" $(as stat1)
expect_code 200 "DSMB report over HTTP"
cp "$TMP/out" "$TMP/http.dsmb"
"$L" report dsmb --no-pdf --cutoff 2026-12-01 --user stat1 --out "$TMP/dsmb" >/dev/null || bad "report dsmb cli"
jq -e --slurpfile c "$TMP/dsmb/report.json" 'del(.generated_at) == ($c[0] | del(.generated_at)) and .kind == "open"' "$TMP/http.dsmb" >/dev/null &&
    ok || bad "HTTP DSMB report differs from the CLI's report.json"
req GET /api/v1/reports/dsmb/closed $(as stat1)
expect_code 403 "closed DSMB report for a statistician"
req GET /api/v1/reports/dsmb/closed $(as ustat1)
expect_code 200 "closed DSMB report for the unblinded statistician"
expect_jq '.kind == "closed" and (.arms | length) == 2'
req GET /metrics
expect_code 200 "metrics"
grep -q '^lutetia_http_requests_total{route="patients.show",status="200"} ' "$TMP/out" && ok || bad "metrics by route and status"
grep -q '^lutetia_http_request_duration_seconds_bucket{le="+Inf"} ' "$TMP/out" && ok || bad "latency histogram"
# the writes above waited for shared flushes (lt_store_defer_sync): at least one of each, and
# never more flushes than commits
commits=$(sed -n 's/^lutetia_store_commits_total //p' "$TMP/out")
flushes=$(sed -n 's/^lutetia_store_flushes_total //p' "$TMP/out")
[ "${commits:-0}" -ge 1 ] && [ "${flushes:-0}" -ge 1 ] && [ "$flushes" -le "$commits" ] && ok ||
    bad "store flush metrics: $commits commits, $flushes flushes"
stop_server && ok || bad "SIGTERM"

# ---- TLS (GnuTLS): the same API over https, the session cookie marked Secure ----
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
        -days 2 -keyout "$TMP/tls.key" -out "$TMP/tls.crt" >/dev/null 2>&1; then
    expect_exit 2 -- "$L" serve --db "$TMP/cli.db" --listen 127.0.0.1:0 --tls-cert "$TMP/tls.crt"
    expect_err "tls-key"
    start_server "$TMP/cli.db" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" || bad "TLS start"
    case "$BASE" in https://*) ok ;; *) bad "TLS server says $BASE" ;; esac
    printf '%s\n' "$PW" | "$L" user password coord1 --password-stdin >/dev/null || bad "password cli.db"
    curl -sk -D "$TMP/hdr" -o "$TMP/out" -X POST -H 'Content-Type: application/json' \
        --data-binary "{\"user\":\"coord1\",\"password\":\"$PW\"}" "$BASE/api/v1/session"
    grep -i '^Set-Cookie:' "$TMP/hdr" | grep -q '; Secure' && ok || bad "no Secure cookie over TLS"
    CODE=$(curl -s --cacert "$TMP/tls.crt" -o "$TMP/out" -w '%{http_code}' $(as admin) "https://localhost:${BASE##*:}/api/v1/patients/H1")
    expect_code 200 "patient over TLS, certificate checked"
    expect_jq '.patient.id == "H1" and .patient.arm == "B"'
    stop_server && ok || bad "SIGTERM (TLS)"
else
    bad "openssl could not make a test certificate"
fi
finish
