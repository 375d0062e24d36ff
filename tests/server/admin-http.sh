#!/bin/sh
# The steps of running a trial that were command-line only, over HTTP (src/ops/ops_admin.c,
# src/ops/ops_calendar.c), each answering byte for byte what the CLI's --json prints for the
# same step on an identical trial (A is served, B is changed on the command line):
# - a protocol amendment with the protocol's content in the body (trial.amend);
# - binding OS accounts (users.bind); an admin setting another user's password
#   (users.set_password: the user's sessions end, never one's own); a user's role and sites
#   (users.set: an open session and a token act with the new rights at their next request);
# - listing tokens (tokens.list: an admin everyone's, a user its own, never the secret or its
#   hash); the full name signatures show (users.full_name); the calendar as iCalendar
#   (schedule.ics, text/calendar, the CLI's --ics file) and the CONSORT diagram
#   (reports.consort, image/svg+xml, the CLI's report consort file) and the report's page
#   (reports.dsmb_page, text/html under a sandboxing Content-Security-Policy); the ODM export
#   (exports.odm, application/xml);
# - audit verify against an expected head and a checkpoint key given in the query;
# - the wrong role is refused (403), another site's patient answered as a missing one (404).
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/server/lib.sh"
L="$LUTETIA"
# the HTTP answer ($TMP/out) and the CLI's output (a file) are the same bytes (the CLI ends
# the document with a newline)
same_bytes() { { cat "$TMP/out"; echo; } | cmp -s - "$2" && ok || bad "$1: HTTP $(head -c 300 "$TMP/out") differs from the CLI's $(head -c 300 "$2")"; }
PW=first-kettle-harbour-31
NEW=second-lantern-meadow-58

# two identical trials at NELMAS 1.0: P1, P2 at S1 and Q1 at S2, consented and confirmed
make_patients "$TMP/p.json" P 2
make_patients "$TMP/q.json" Q 1
for db in B A; do
    export LUTETIA_DB="$TMP/$db.db"
    TRIAL_VERSION=1.0 setup_trial "$TEST_SEED" && ready "$TMP/p.json" S1 coord1 inv1 &&
        ready "$TMP/q.json" S2 coord2 inv2 || { bad "setup $db"; finish; exit 1; }
done
B="$TMP/B.db"
# P1's calendar: the liver resection of its screened data, allocated
"$L" randomise --user coord1 --patient P1 --date 2026-11-02 >/dev/null || bad "randomise P1"
for u in coord1 mon1; do printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"; done
for u in admin coord1 coord2 inv1 mon1; do
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
done
start_server "$LUTETIA_DB" || { bad "server did not start"; finish; exit 1; }
# a token's first use of the day writes its last_used: use each once before listing
for u in admin coord1 coord2 inv1 mon1; do req GET /api/v1/users/me $(as "$u"); done

# ---- the calendar as iCalendar ----
req GET "/api/v1/patients/P1/schedule.ics?as_of=2026-11-20" $(as coord1) -D "$TMP/hdr"
expect_code 200 "schedule.ics"
grep -qi '^content-type: text/calendar; charset=utf-8' "$TMP/hdr" && ok || bad "schedule.ics content type: $(grep -i content-type "$TMP/hdr")"
cp "$TMP/out" "$TMP/http.ics"
"$L" schedule P1 --as-of 2026-11-20 --ics "$TMP/cli.ics" --user coord1 >/dev/null || bad "schedule --ics"
cp "$TMP/http.ics" "$TMP/out"
# the same file but for DTSTAMP, the moment each was made
grep -c '^DTSTAMP:' "$TMP/out" >"$TMP/n.http"
grep -v '^DTSTAMP:' "$TMP/out" >"$TMP/http.ics.x"
grep -v '^DTSTAMP:' "$TMP/cli.ics" >"$TMP/cli.ics.x"
cmp -s "$TMP/http.ics.x" "$TMP/cli.ics.x" && ok || bad "the iCalendar over HTTP differs from the CLI's --ics: $(diff "$TMP/http.ics.x" "$TMP/cli.ics.x" | head -5)"
n=$(grep -c '^BEGIN:VEVENT' "$TMP/out")
[ "$n" -gt 3 ] && [ "$(cat "$TMP/n.http")" = "$n" ] && head -n 1 "$TMP/out" | grep -q '^BEGIN:VCALENDAR' && ok || bad "schedule.ics: $n events, $(cat "$TMP/n.http") stamps"
req GET /api/v1/patients/P1/schedule.ics $(as coord2)
sed 's/P1/PATIENT/g' "$TMP/out" >"$TMP/other"
expect_code 404 "another site's patient's calendar"
req GET /api/v1/patients/X9/schedule.ics $(as coord2)
sed 's/X9/PATIENT/g' "$TMP/out" | cmp -s - "$TMP/other" && ok || bad "another site's calendar told apart from a missing one's: $(cat "$TMP/other")"
req GET "/api/v1/patients/P1/schedule.ics?as_of=2026-02-30" $(as coord1)
expect_code 400 "a bad as_of"
expect_jq '.param == "as_of"'
req GET /api/v1/openapi.json
expect_jq '.paths["/api/v1/patients/{patient}/schedule.ics"].get.responses["200"].content | has("text/calendar")'

# ---- listing tokens ----
req GET /api/v1/tokens $(as admin)
expect_code 200 "tokens as admin"
"$L" token list --user admin --json >"$TMP/cli.tokens"
same_bytes "tokens.list (admin)" "$TMP/cli.tokens"
expect_jq '.count == 5 and ([.tokens[].user] | sort) == ["admin","coord1","coord2","inv1","mon1"]
           and all(.tokens[]; .state == "active" and (.last_used | test("^[0-9]{4}-")) and (.created | test("Z$")))'
for u in admin coord1 coord2 inv1 mon1; do
    secret=$(sed 's/^ltk_[0-9a-f]*_//' "$TMP/tok.$u")
    hash=$(printf '%s' "$secret" | sha256sum | cut -c1-64)
    grep -qF -e "$secret" -e "$hash" "$TMP/out" && bad "the list holds $u's token secret or its hash" || ok
done
req GET /api/v1/tokens $(as coord1)
"$L" token list --user coord1 --json >"$TMP/cli.tokens"
same_bytes "tokens.list (a coordinator)" "$TMP/cli.tokens"
expect_jq '.count == 1 and .tokens[0].user == "coord1"'
TID2=$(sed 's/^ltk_\([0-9a-f]*\)_.*/\1/' "$TMP/tok.coord2")
req DELETE "/api/v1/tokens/$TID2" $(as admin)
expect_code 200 "the admin revokes coord2's token"
req GET /api/v1/tokens $(as admin)
expect_jq '[.tokens[] | select(.id == "'"$TID2"'") | .state] == ["revoked"]'
expect_exit 0 -- "$L" token list --user admin
expect_out "$TID2  coord2 "
expect_exit 2 -- "$L" token list --user admin --for coord1
"$L" token create --user coord2 | tail -n 1 >"$TMP/tok.coord2"

# ---- a user's role and sites; the same session sees them at once ----
req POST /api/v1/session "{\"user\":\"coord1\",\"password\":\"$PW\"}" -c "$TMP/jar"
expect_code 200 "coord1 signs in"
CSRF=$(jq -r .csrf_token "$TMP/out")
req GET /api/v1/patients/P1 -b "$TMP/jar"
expect_code 200 "coord1 reads its site's P1"
req GET /api/v1/patients/Q1 -b "$TMP/jar"
expect_code 404 "coord1 does not see S2's Q1"
req PUT /api/v1/users/coord1 '{"sites":["S2"],"reason":"moved to site two"}' $(as coord2)
expect_code 403 "a coordinator changes no one's sites"
req PUT /api/v1/users/coord1 '{"sites":["S2"],"reason":"moved to site two"}' $(as admin)
expect_code 200 "users.set sites"
"$L" user set coord1 --sites S2 --reason "moved to site two" --json --db "$B" >"$TMP/cli.set"
same_bytes "users.set" "$TMP/cli.set"
expect_jq '. == {"user":"coord1","role":"coordinator","sites":["S2"],"os_users":["'"$ME"'"],"active":true}'
req GET /api/v1/patients/P1 -b "$TMP/jar"
expect_code 404 "the same session no longer sees S1's P1"
req GET /api/v1/patients/Q1 -b "$TMP/jar"
expect_code 200 "the same session sees S2's Q1"
req GET /api/v1/patients/Q1 $(as coord1)
expect_code 200 "coord1's token sees S2's Q1"
req PUT /api/v1/users/coord1 '{"role":"monitor"}' $(as admin)
expect_code 200 "users.set role"
expect_jq '.role == "monitor" and .sites == ["S2"]'
req POST /api/v1/patients/Q1/labs '{"date":"2026-11-02","analyte":"platelets","value":200}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
expect_code 403 "a monitor now: no lab"
req GET /api/v1/users/me -b "$TMP/jar"
expect_jq '.role == "monitor" and .sites == ["S2"]'
req PUT /api/v1/users/coord1 '{"role":"monitor"}' $(as admin)
expect_code 409 "nothing to change"
req PUT /api/v1/users/coord1 '{"role":"chief"}' $(as admin)
expect_code 400 "an unknown role"
expect_jq '.param == "role"'
req PUT /api/v1/users/coord1 '{"sites":["S9"]}' $(as admin)
expect_code 404 "an unknown site"
expect_jq '.param == "sites"'
req PUT /api/v1/users/coord1 '{"sites":"S1"}' $(as admin)
expect_code 400 "sites not an array"
expect_jq '.param == "sites"'
req PUT /api/v1/users/nobody '{"role":"monitor"}' $(as admin)
expect_code 404 "no such user"
expect_jq '.param == "name"'
req PUT /api/v1/users/admin '{"role":"monitor"}' $(as admin)
expect_code 400 "an admin demoting itself"
req PUT /api/v1/users/coord1 '{"role":"coordinator","sites":["S1"],"reason":"back"}' $(as admin)
expect_code 200 "back to coordinator at S1"
req GET /api/v1/patients/P1 -b "$TMP/jar"
expect_code 200 "the same session sees P1 again"
expect_exit 0 -- "$L" audit log --json --user admin
expect_jq '[.[] | select(.action == "user.set" and .id == "coord1")] | length == 3 and .[0].reason == "moved to site two"'
expect_exit 0 -- "$L" user set inv1 --all-sites --db "$B"
expect_out "user inv1 is now investigator at every site"
expect_exit 2 -- "$L" user set inv1 --db "$B"
expect_err "give --role"
expect_exit 7 -- "$L" user set inv1 --role monitor --user coord1 --db "$B"

# ---- an admin sets another user's password ----
req POST /api/v1/session "{\"user\":\"mon1\",\"password\":\"$PW\"}" -c "$TMP/jar.mon"
expect_code 200 "mon1 signs in"
req PUT /api/v1/users/mon1/password "{\"password\":\"$NEW\"}" $(as coord1)
expect_code 403 "a coordinator sets no password"
req PUT /api/v1/users/mon1/password '{"password":"short-pw"}' $(as admin)
expect_code 400 "a short password"
expect_jq '.param == "password" and (.detail | test("at least 12"))'
req PUT /api/v1/users/admin/password "{\"password\":\"$NEW\"}" $(as admin)
expect_code 403 "one's own password needs the current one"
expect_jq '.param == "name"'
req PUT /api/v1/users/nobody/password "{\"password\":\"$NEW\"}" $(as admin)
expect_code 404 "no such user"
req PUT /api/v1/users/mon1/password "{\"password\":\"$NEW\"}" $(as admin)
expect_code 200 "users.set_password"
printf '%s\n' "$NEW" | "$L" user password mon1 --password-stdin --json --db "$B" >"$TMP/cli.pw"
same_bytes "users.set_password" "$TMP/cli.pw"
req GET /api/v1/users/me -b "$TMP/jar.mon"
expect_code 401 "mon1's session ended with the new password"
req POST /api/v1/session "{\"user\":\"mon1\",\"password\":\"$PW\"}"
expect_code 401 "the old password"
req POST /api/v1/session "{\"user\":\"mon1\",\"password\":\"$NEW\"}"
expect_code 200 "the new password"
"$L" audit log --json --user admin >"$TMP/audit"
jq -e '[.[] | select(.action == "user.password" and .id == "mon1" and .user == "admin")] | length == 2' "$TMP/audit" >/dev/null && ok || bad "user.password by the admin not audited"
grep -qF "$NEW" "$TMP/audit" "$TMP/srv.log" && bad "the password is in the audit or access log" || ok

# ---- binding OS accounts ----
req POST /api/v1/users/inv2/os-users '{"os_users":["lt-bind-test"]}' $(as coord2)
expect_code 403 "a coordinator binds no account"
req POST /api/v1/users/inv2/os-users '{"os_users":["lt-bind-test"]}' $(as admin)
expect_code 200 "users.bind"
"$L" user bind --name inv2 --os-user lt-bind-test --json --db "$B" >"$TMP/cli.bind"
same_bytes "users.bind" "$TMP/cli.bind"
expect_jq '.user == "inv2" and .os_users == ["'"$ME"'","lt-bind-test"]'
req POST /api/v1/users/inv2/os-users '{"os_users":["lt-bind-test"]}' $(as admin)
expect_code 409 "bound already"
req POST /api/v1/users/inv2/os-users '{"os_users":["no such; account"]}' $(as admin)
expect_code 400 "not an account name"
expect_jq '.param == "os_users"'
req POST /api/v1/users/nobody/os-users '{"os_users":["x"]}' $(as admin)
expect_code 404 "no such user"

# ---- the full name signatures show ----
req PUT /api/v1/users/inv1/full-name '{"full_name":"Ines Varga"}' $(as coord1)
expect_code 403 "a coordinator names no one"
req PUT /api/v1/users/inv1/full-name '{"full_name":"Ines Varga"}' $(as admin)
expect_code 200 "users.full_name"
"$L" user name --name inv1 --full-name "Ines Varga" --json --db "$B" >"$TMP/cli.name"
same_bytes "users.full_name" "$TMP/cli.name"
req PUT /api/v1/users/inv1/full-name '{"full_name":"Ines Varga-Horn"}' $(as admin)
expect_code 400 "a change without its reason"
expect_jq '.param == "reason"'
req PUT /api/v1/users/inv1/full-name '{"full_name":"Ines Varga-Horn","reason":"married"}' $(as admin)
expect_code 200 "a change with its reason"

# ---- the CONSORT diagram, open and closed ----
"$L" user add --name stat9 --role statistician --all-sites --os-user "$ME" >/dev/null &&
"$L" user add --name ustat9 --role unblinded_statistician --all-sites --os-user "$ME" >/dev/null || bad "report users"
for u in stat9 ustat9; do "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u"; done
req GET "/api/v1/reports/dsmb/consort.svg?cutoff=2026-12-31" $(as stat9) -D "$TMP/hdr"
expect_code 200 "reports.consort"
grep -qi '^content-type: image/svg+xml' "$TMP/hdr" && ok || bad "consort content type: $(grep -i content-type "$TMP/hdr")"
"$L" report consort --out "$TMP/cli.svg" --cutoff 2026-12-31 --user stat9 >/dev/null || bad "report consort"
cmp -s "$TMP/out" "$TMP/cli.svg" && grep -q 'Assessed for eligibility (n=3)' "$TMP/out" && ok || bad "the CONSORT diagram over HTTP differs from the CLI's"
req GET "/api/v1/reports/dsmb/closed/consort.svg?cutoff=2026-12-31" $(as stat9)
expect_code 403 "a blinded statistician sees no closed diagram"
req GET "/api/v1/reports/dsmb/consort.svg" $(as coord2)
expect_code 403 "a coordinator sees no report"
req GET "/api/v1/reports/dsmb/closed/consort.svg?cutoff=2026-12-31" $(as ustat9)
expect_code 200 "reports.consort_closed"
"$L" report consort --closed --out "$TMP/cli.svg" --cutoff 2026-12-31 --user ustat9 >/dev/null || bad "report consort --closed"
cmp -s "$TMP/out" "$TMP/cli.svg" && grep -q 'Allocated to' "$TMP/out" && ok || bad "the closed CONSORT diagram over HTTP differs from the CLI's"

# ---- the report's page, open and closed (the moment it was made masked: it differs) ----
mask() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$1"; }
req GET "/api/v1/reports/dsmb/report.html?cutoff=2026-12-31" $(as stat9) -D "$TMP/hdr"
expect_code 200 "reports.dsmb_page"
grep -qi '^content-type: text/html; charset=utf-8' "$TMP/hdr" && ok || bad "page content type: $(grep -i content-type "$TMP/hdr")"
grep -i '^content-security-policy:' "$TMP/hdr" | grep -q "default-src 'none'.*sandbox" && ok || bad "the page has no sandboxing policy: $(grep -i content-security "$TMP/hdr")"
cp "$TMP/out" "$TMP/http.html"
"$L" report dsmb --out "$TMP/rep" --no-pdf --cutoff 2026-12-31 --user stat9 >/dev/null || bad "report dsmb"
mask "$TMP/http.html" >"$TMP/a.html"
mask "$TMP/rep/report.html" >"$TMP/b.html"
cmp -s "$TMP/a.html" "$TMP/b.html" && grep -q '<svg' "$TMP/a.html" && ok || bad "the report's page over HTTP differs from the CLI's: $(diff "$TMP/a.html" "$TMP/b.html" | head -5)"
req GET "/api/v1/reports/dsmb/closed/report.html?cutoff=2026-12-31" $(as stat9)
expect_code 403 "a blinded statistician gets no closed page"
req GET "/api/v1/reports/dsmb/report.html" $(as admin)
expect_code 403 "the admin gets no report"
req GET "/api/v1/reports/dsmb/closed/report.html?cutoff=2026-12-31" $(as ustat9)
expect_code 200 "reports.dsmb_closed_page"
cp "$TMP/out" "$TMP/http.html"
"$L" report dsmb --closed --out "$TMP/repc" --no-pdf --cutoff 2026-12-31 --user ustat9 >/dev/null || bad "report dsmb --closed"
mask "$TMP/http.html" >"$TMP/a.html"
mask "$TMP/repc/report.html" >"$TMP/b.html"
cmp -s "$TMP/a.html" "$TMP/b.html" && ok || bad "the closed page over HTTP differs from the CLI's: $(diff "$TMP/a.html" "$TMP/b.html" | head -5)"

# ---- the ODM export (its CreationDateTime masked) ----
req GET /api/v1/exports/odm.xml $(as mon1) -D "$TMP/hdr"
expect_code 200 "exports.odm"
grep -qi '^content-type: application/xml' "$TMP/hdr" && ok || bad "ODM content type: $(grep -i content-type "$TMP/hdr")"
cp "$TMP/out" "$TMP/http.xml"
"$L" export odm --out "$TMP/cli.xml" --user mon1 >/dev/null || bad "export odm"
mask "$TMP/http.xml" | sed -E 's/CreationDateTime="[^"]*"/CreationDateTime=""/' >"$TMP/a.xml"
mask "$TMP/cli.xml" | sed -E 's/CreationDateTime="[^"]*"/CreationDateTime=""/' >"$TMP/b.xml"
cmp -s "$TMP/a.xml" "$TMP/b.xml" && grep -q '<ODM ' "$TMP/a.xml" && ok || bad "the ODM over HTTP differs from the CLI's: $(diff "$TMP/a.xml" "$TMP/b.xml" | head -5)"
req GET /api/v1/exports/odm.xml $(as coord2)
expect_code 403 "a coordinator exports nothing"

# ---- a protocol amendment, the protocol in the body ----
jq -n --slurpfile p "$NELMAS" '{protocol: $p[0], version: "2.0", effective: "2026-12-01", reason: "amendment 2"}' >"$TMP/amend.json"
req POST /api/v1/trial/amendments "$(cat "$TMP/amend.json")" $(as inv1)
expect_code 403 "an investigator amends nothing"
req POST /api/v1/trial/amendments '{"protocol":"protocols/nelmas.json","version":"2.0","effective":"2026-12-01"}' $(as admin)
expect_code 400 "a path instead of the protocol"
expect_jq '.param == "protocol" and (.detail | test("expected an object"))'
jq -n --slurpfile p "$SRC/protocols/net-retreat.json" '{protocol: $p[0], version: "1.0", effective: "2026-12-01"}' >"$TMP/nr.json"
req POST /api/v1/trial/amendments "$(cat "$TMP/nr.json")" $(as admin)
expect_code 400 "another trial's protocol"
expect_jq '.param == "protocol" and (.detail | test("this document is protocol net-retreat"))'
req POST /api/v1/trial/amendments "$(jq '.version = "9.9"' "$TMP/amend.json")" $(as admin)
expect_code 404 "a version the document lacks"
expect_jq '.detail | test("9.9")'
req POST /api/v1/trial/amendments "$(cat "$TMP/amend.json")" $(as admin)
expect_code 200 "trial.amend"
"$L" trial amend --protocol "$NELMAS" --version 2.0 --effective 2026-12-01 --reason "amendment 2" --json --db "$B" >"$TMP/cli.amend"
same_bytes "trial.amend" "$TMP/cli.amend"
expect_jq '.version == "2.0" and .effective == "2026-12-01" and .reconsent_due == 3'
req POST /api/v1/trial/amendments "$(cat "$TMP/amend.json")" $(as admin)
expect_code 409 "the same version again"
expect_jq '.param == "version"'
req GET /api/v1/trial $(as coord1)
"$L" trial show --user coord1 --json >"$TMP/cli.trial"
cmp -s "$TMP/out" "$TMP/cli.trial" && ok || bad "trial.show after the amendment differs from the CLI's"
expect_jq '(.versions | map(.version)) == ["1.0","2.0"] and .versions[1].effective == "2026-12-01"'
"$L" audit log --json --user admin | jq -e '[.[] | select(.action == "trial.amend" and .reason == "amendment 2")] | length == 1' >/dev/null && ok || bad "trial.amend not audited"
expect_exit 0 -- "$L" audit verify

# ---- audit verify against anchors kept outside the store ----
"$L" audit keygen --key "$TMP/ck.key" --public-key "$TMP/ck.pub" >/dev/null &&
"$L" audit checkpoint --key "$TMP/ck.key" >/dev/null || bad "a signed checkpoint"
HEAD=$("$L" audit head --json | jq -r '"\(.seq):\(.hash)"')
PUB=$(tr -d '\n' <"$TMP/ck.pub")
req GET "/api/v1/audit/verify?expect_head=$HEAD&public_key=$PUB" $(as admin)
expect_code 200 "audit verify with anchors"
expect_jq '.ok == true and .expected_head == "'"$HEAD"'" and .checkpoints == 1'
"$L" audit verify --expect-head "$HEAD" --public-key "$TMP/ck.pub" --json >"$TMP/cli.verify" || bad "audit verify --expect-head"
jq -e --slurpfile h "$TMP/out" '.records == $h[0].records and .head == $h[0].head and .checkpoints == $h[0].checkpoints' "$TMP/cli.verify" >/dev/null && ok || bad "the anchored verification differs from the CLI's: $(cat "$TMP/out") vs $(cat "$TMP/cli.verify")"
req GET "/api/v1/audit/verify?expect_head=${HEAD%%:*}:$(printf '%064d' 0)" $(as mon1)
expect_code 200 "a head the chain does not hold"
expect_jq '.ok == false and (.problem.message | length) > 0'
req GET "/api/v1/audit/verify?expect_head=nonsense" $(as admin)
expect_code 400 "a malformed head"
expect_jq '.param == "expect_head"'
req GET "/api/v1/audit/verify?public_key=abc" $(as admin)
expect_code 400 "a malformed key"
expect_jq '.param == "public_key"'
stop_server && ok || bad "SIGTERM"
finish
