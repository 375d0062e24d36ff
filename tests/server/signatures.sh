#!/bin/sh
# Electronic signatures over HTTP (issue 11 sections 4 and 6, docs/part11.md), on a real socket:
# - the first signature of a sign-in session needs the user name and the password, later ones in
#   the same session the password alone; a new session, or a bearer token (no session), asks for
#   both again (21 CFR 11.200(a)(1));
# - refused without the password, with a wrong one, with another user's name; a coordinator and
#   another site's investigator cannot sign; only an admin or statistician locks;
# - recorded with name, time, meaning; invalidated by a later correction, valid once signed again;
# - the password is in no answer, no access-log line, no audit record and not in the database;
# - after the lock a write answers 409.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/server/lib.sh"
L="$LUTETIA"
ASOF=2025-11-01
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" Q 3 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready S1"
make_patients "$TMP/r.json" R 1 pancreas R1
sed -i 's/"2026-/"2025-/g' "$TMP/r.json"
ready "$TMP/r.json" S2 coord2 inv2 || bad "ready S2"
PW=signing-horse-battery-42
for u in inv1 inv2 coord1 stat1; do
    printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"
    "$L" user name --name "$u" --full-name "Full Name of $u" >/dev/null || bad "full name $u"
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
done
"$L" randomise --user coord1 --patient Q1 --date 2025-11-02 >/dev/null || bad "randomise"
"$L" record ae --user coord1 --patient Q1 --term Nausea --grade 1 --start 2025-11-05 >/dev/null || bad "ae"
start_server || { bad "server start"; finish; exit 1; }
# bearer USER: curl arguments acting as USER through its API token (a curl config file holding
# the header, so that the arguments split into words safely)
bearer() {
    printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TMP/tok.$1")" >"$TMP/curl.$1"
    echo "-K $TMP/curl.$1"
}

signin() { # signin USER JAR: a session; $CSRF its token
    req POST /api/v1/session "{\"user\":\"$1\",\"password\":\"$PW\"}" -c "$2"
    expect_code 200 "sign-in $1"
    CSRF=$(jq -r .csrf_token "$TMP/out")
}

# ---- a session: the first signature needs both components, later ones the password ----
signin inv1 "$TMP/jar"
S="-b $TMP/jar"
req POST /api/v1/patients/Q1/signatures/confirm "{\"password\":\"$PW\"}" $S -H "X-CSRF-Token: $CSRF"
expect_code 400 "first signature of a session without the user name"
expect_jq '.param == "user" and (.detail | test("first signature of a session needs your user name"))'
req POST /api/v1/patients/Q1/signatures/confirm '{"user":"inv1"}' $S -H "X-CSRF-Token: $CSRF"
expect_code 400 "no password"
expect_jq '.param == "password"'
req POST /api/v1/patients/Q1/signatures/confirm '{"user":"inv1","password":"not-the-password-1"}' $S -H "X-CSRF-Token: $CSRF"
expect_code 403 "wrong password"
expect_jq '.detail | test("wrong user name")'
req POST /api/v1/patients/Q1/signatures/confirm "{\"user\":\"inv2\",\"password\":\"$PW\"}" $S -H "X-CSRF-Token: $CSRF"
expect_code 403 "another user's name"
req POST /api/v1/patients/Q1/signatures/confirm "{\"user\":\"inv1\",\"password\":\"$PW\"}" $S
expect_code 403 "a signature with the cookie needs the CSRF token"
req POST /api/v1/patients/Q1/signatures/confirm "{\"user\":\"inv1\",\"password\":\"$PW\",\"meaning\":\"approval\",\"comment\":\"source verified\"}" $S -H "X-CSRF-Token: $CSRF"
expect_code 200 "first signature"
expect_jq '.status == "valid" and .signer == "inv1" and .full_name == "Full Name of inv1" and .meaning == "approval"
           and .components == "user name and password" and .record.kind == "screening" and (.signed_at | endswith("Z"))'
req POST /api/v1/patients/Q2/signatures/confirm "{\"password\":\"$PW\"}" $S -H "X-CSRF-Token: $CSRF"
expect_code 200 "a later signature of the same session: the password alone"
expect_jq '.components == "password"'
req POST /api/v1/patients/Q3/signatures/confirm '{"password":"not-the-password-1"}' $S -H "X-CSRF-Token: $CSRF"
expect_code 403 "a later signature with a wrong password"
# another session of the same user starts afresh
signin inv1 "$TMP/jar2"
req POST /api/v1/patients/Q3/signatures/confirm "{\"password\":\"$PW\"}" -b "$TMP/jar2" -H "X-CSRF-Token: $CSRF"
expect_code 400 "a new session's first signature needs the user name"
# a bearer token has no session: both components every time
req POST /api/v1/patients/Q3/signatures/confirm "{\"password\":\"$PW\"}" $(bearer inv1)
expect_code 400 "token without the user name"
req POST /api/v1/patients/Q3/signatures/confirm "{\"user\":\"inv1\",\"password\":\"$PW\"}" $(bearer inv1)
expect_code 200 "token with both"
expect_jq '.components == "user name and password"'

# ---- who may sign ----
req POST /api/v1/patients/Q1/signatures/confirm "{\"user\":\"coord1\",\"password\":\"$PW\"}" $(bearer coord1)
expect_code 403 "a coordinator cannot sign a confirmation"
req POST /api/v1/patients/Q1/signatures/confirm "{\"user\":\"inv2\",\"password\":\"$PW\"}" $(bearer inv2)
expect_code 404 "another site's investigator: as a missing patient"
req POST /api/v1/signatures/ae "{\"record\":\"Q1/AE001\",\"user\":\"inv2\",\"password\":\"$PW\"}" $(bearer inv2)
expect_code 404 "another site's AE"
req POST /api/v1/signatures/lock "{\"user\":\"inv1\",\"password\":\"$PW\"}" $(bearer inv1)
expect_code 403 "an investigator cannot lock"

# ---- invalidated by a correction, valid again when signed again ----
req POST /api/v1/signatures/ae "{\"record\":\"Q1/AE001\",\"user\":\"inv1\",\"password\":\"$PW\"}" $(bearer inv1)
expect_code 200 "AE signed"
AE1=$(jq -r .id "$TMP/out")
expect_jq '.meaning == "responsibility" and .record.kind == "adverse_event"'
"$L" record ae --user coord1 --patient Q1 --term Nausea --grade 2 --start 2025-11-05 --id AE001 --reason "grade at source" >/dev/null || bad "AE correction"
req GET "/api/v1/signatures?patient=Q1" $(bearer inv1)
expect_code 200 "list"
expect_jq "any(.[]; .id == \"$AE1\" and .status == \"invalidated\")"
req POST /api/v1/signatures/ae "{\"record\":\"Q1/AE001\",\"user\":\"inv1\",\"password\":\"$PW\"}" $(bearer inv1)
expect_code 200 "AE signed again"
AE2=$(jq -r .id "$TMP/out")
req GET "/api/v1/signatures?patient=Q1" $(bearer inv1)
expect_jq "any(.[]; .id == \"$AE1\" and .status == \"invalidated\") and any(.[]; .id == \"$AE2\" and .status == \"valid\")"
req GET /api/v1/signatures $(bearer inv2)
expect_jq 'all(.[]; .site == "S2") and length == 0'

# ---- the lock: then a write is a conflict ----
req POST /api/v1/signatures/lock "{\"user\":\"stat1\",\"password\":\"$PW\",\"comment\":\"final lock\"}" $(bearer stat1)
expect_code 200 "lock"
expect_jq '.act == "lock" and .record.kind == "data"'
req POST /api/v1/patients/Q1/labs '{"date":"2025-11-03","analyte":"platelets","value":200}' $(bearer inv1)
expect_code 409 "a lab after the lock"
expect_jq '.detail | test("locked for analysis")'
req POST /api/v1/patients/Q1/signatures/casebook "{\"user\":\"inv1\",\"password\":\"$PW\"}" $(bearer inv1)
expect_code 409 "a signature after the lock"

# ---- the password is nowhere: answers, access log, audit trail, database ----
stop_server || bad "server stop"
grep -q "$PW" "$TMP/srv.log" && bad "the password is in the access log" || ok
grep -q '"route":"signatures.confirm"' "$TMP/srv.log" && ok || bad "signatures in the access log"
"$L" audit log --user admin --json >"$TMP/audit.json" || bad "audit log"
grep -q "$PW" "$TMP/audit.json" && bad "the password is in the audit trail" || ok
cat "$LUTETIA_DB"* | grep -aq "$PW" && bad "the password is in the database" || ok
jq -e '[.[] | select(.action == "signature.refused")] | length == 3' "$TMP/audit.json" >/dev/null && ok || bad "3 refused signatures audited"
finish
