#!/bin/sh
# A user's own account over HTTP (src/ops/ops_account.c, src/auth/account.c):
# - POST /api/v1/users/me/password: a wrong current password is refused, counted toward the
#   lock-out and audited; a short or common new password is refused naming the rule; a change
#   ends every other session of the user (their cookies answer 401) and keeps this one; the old
#   password no longer signs in, the new one does; a cookie needs the CSRF token;
# - POST/DELETE /api/v1/users/me/totp: enrolment answers the otpauth URI and secret once, then
#   sign-in needs a code (oathtool at the server's test clock); replacing needs the current code;
#   removal needs password and code, after which the password alone signs in;
# - no password or secret in the access log or the audit log.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/server/lib.sh"
L="$LUTETIA"
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
PW=first-kettle-harbour-31
NEW=second-lantern-meadow-58
for u in coord1 mon1; do
    printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin >/dev/null || bad "password $u"
done
CLOCK="$TMP/clock"
T0=2026-12-01T08:00:00Z
echo "$T0" >"$CLOCK"
at() { date -u -d "$T0 + $1 seconds" +%Y-%m-%dT%H:%M:%SZ >"$CLOCK"; }
start_server "$LUTETIA_DB" --test-clock "$CLOCK" || { bad "server did not start"; finish; exit 1; }

signin() { # signin USER PASSWORD JAR [TOTP]: $CSRF gets the session's token
    if [ -n "${4:-}" ]; then
        req POST /api/v1/session "{\"user\":\"$1\",\"password\":\"$2\",\"totp\":\"$4\"}" -c "$3"
    else
        req POST /api/v1/session "{\"user\":\"$1\",\"password\":\"$2\"}" -c "$3"
    fi
    CSRF=$(jq -r .csrf_token "$TMP/out")
}
failures() { "$L" audit log --json --user admin | jq '[.[] | select(.action == "login.failed" and .id == "coord1")] | length'; }

# ---- changing the password ----
signin coord1 "$PW" "$TMP/a"
expect_code 200 "sign-in a"
CA=$CSRF
signin coord1 "$PW" "$TMP/b"
expect_code 200 "sign-in b (another browser)"
CB=$CSRF
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"$NEW\"}" -b "$TMP/a"
expect_code 403 "a change with the cookie but no CSRF token"
expect_jq '.title == "CSRF token missing or wrong"'
before=$(failures)
req POST /api/v1/users/me/password "{\"current\":\"not-my-password-9\",\"new\":\"$NEW\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 403 "a wrong current password"
expect_jq '.param == "current" and (.detail | test("counts as a failed sign-in"))'
[ "$(failures)" = $((before + 1)) ] && ok || bad "the wrong current password was not counted ($before, then $(failures))"
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"short-pw\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 400 "a short new password"
expect_jq '.param == "new" and (.detail | test("at least 12 characters, found 8"))'
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"QAZWSXEDCRFV\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 400 "a common new password"
expect_jq '.param == "new" and (.detail | test("common passwords"))'
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"$PW\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 400 "the current password as the new one"
expect_jq '.param == "new" and (.detail | test("is the current one"))'
req POST /api/v1/users/me/password "{\"current\":\"$PW\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 400 "no new password"
expect_jq '.param == "new"'
# nothing refused above changed anything: both sessions still stand
req GET /api/v1/users/me -b "$TMP/b"
expect_code 200 "session b before the change"
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"$NEW\"}" -b "$TMP/a" -H "X-CSRF-Token: $CA"
expect_code 200 "the change"
expect_jq '.user == "coord1" and .password_changed and .other_sessions_ended == 1 and .this_session == "kept"'
req GET /api/v1/users/me -b "$TMP/a"
expect_code 200 "the session of the change is kept"
req GET /api/v1/users/me -b "$TMP/b"
expect_code 401 "the other session ended"
req POST /api/v1/users/me/password "{\"current\":\"$NEW\",\"new\":\"$PW\"}" -b "$TMP/b" -H "X-CSRF-Token: $CB"
expect_code 401 "the ended session cannot change it back"
signin coord1 "$PW" "$TMP/c"
expect_code 401 "the old password"
signin coord1 "$NEW" "$TMP/c"
expect_code 200 "the new password"
"$L" audit log --json --user admin >"$TMP/audit.json" || bad "audit log"
jq -e '[.[] | select(.action == "user.password" and .user == "coord1")] | length == 1 and (.[0].reason | test("current password verified"))' "$TMP/audit.json" >/dev/null \
    && ok || bad "user.password of the change: $(jq -c '[.[] | select(.action == "user.password" and .user == "coord1")]' "$TMP/audit.json")"
jq -e '[.[] | select(.action == "session.logout" and .reason == "password changed" and .user == "coord1")] | length == 1' "$TMP/audit.json" >/dev/null \
    && ok || bad "the other session's end not audited"

# a bearer token has no session to keep: every session ends, the token goes on
"$L" token create --user mon1 | tail -n 1 >"$TMP/tok.mon1" || bad "token mon1"
signin mon1 "$PW" "$TMP/m"
req POST /api/v1/users/me/password "{\"current\":\"$PW\",\"new\":\"$NEW\"}" $(as mon1)
expect_code 200 "a change with a bearer token (no CSRF needed)"
expect_jq '.other_sessions_ended == 1 and .this_session == "none"'
req GET /api/v1/users/me -b "$TMP/m"
expect_code 401 "mon1's session"

# ---- second factor ----
signin coord1 "$NEW" "$TMP/t"
CT=$CSRF
req POST /api/v1/users/me/totp "{\"password\":\"$NEW\"}" -b "$TMP/t"
expect_code 403 "enrolment without the CSRF token"
req POST /api/v1/users/me/totp '{"password":"not-my-password-9"}' -b "$TMP/t" -H "X-CSRF-Token: $CT"
expect_code 403 "enrolment with a wrong password"
expect_jq '.param == "password"'
at 60
req POST /api/v1/users/me/totp "{\"password\":\"$NEW\"}" -b "$TMP/t" -H "X-CSRF-Token: $CT"
expect_code 200 "enrolment"
SECRET=$(jq -r .secret "$TMP/out")
expect_jq '.secret as $s | .user == "coord1" and .shown_once and (.otpauth_uri | startswith("otpauth://totp/Lutetia:coord1?secret=" + $s + "&issuer=Lutetia"))'
[ ${#SECRET} = 32 ] && ok || bad "secret '$SECRET'"
code_at() { oathtool --totp -b -N "$(date -u -d "$T0 + $1 seconds" '+%Y-%m-%d %H:%M:%S UTC')" "$SECRET"; }
at 600
signin coord1 "$NEW" "$TMP/u"
expect_code 401 "sign-in without a code after enrolment"
signin coord1 "$NEW" "$TMP/u" "$(code_at 600)"
expect_code 200 "sign-in with oathtool's code at the test clock"
CU=$CSRF
# replacing needs the current code
at 660
req POST /api/v1/users/me/totp "{\"password\":\"$NEW\"}" -b "$TMP/u" -H "X-CSRF-Token: $CU"
expect_code 403 "replacing without the code"
expect_jq '.param == "code"'
req POST /api/v1/users/me/totp "{\"password\":\"$NEW\",\"code\":\"$(code_at 660)\"}" -b "$TMP/u" -H "X-CSRF-Token: $CU"
expect_code 200 "replacing with the code"
OLD_SECRET=$SECRET
SECRET=$(jq -r .secret "$TMP/out")
[ "$SECRET" != "$OLD_SECRET" ] && ok || bad "the replacement kept the secret"
# removing: password and the current code, used once
at 900
req DELETE /api/v1/users/me/totp "{\"password\":\"$NEW\",\"code\":\"000000\"}" -b "$TMP/u" -H "X-CSRF-Token: $CU"
[ "$(code_at 900)" = 000000 ] || { expect_code 403 "removal with a wrong code"; expect_jq '.param == "code"'; }
req DELETE /api/v1/users/me/totp "{\"password\":\"$NEW\",\"code\":\"$(code_at 900)\"}" -b "$TMP/u"
expect_code 403 "removal without the CSRF token"
C900=$(code_at 900)
req DELETE /api/v1/users/me/totp "{\"password\":\"$NEW\",\"code\":\"$C900\"}" -b "$TMP/u" -H "X-CSRF-Token: $CU"
expect_code 200 "removal"
expect_jq '.second_factor == false'
req DELETE /api/v1/users/me/totp "{\"password\":\"$NEW\",\"code\":\"$C900\"}" -b "$TMP/u" -H "X-CSRF-Token: $CU"
expect_code 404 "nothing left to remove"
signin coord1 "$NEW" "$TMP/v"
expect_code 200 "the password alone signs in again"
at 0

# ---- no password or secret in the access log, the audit log or an answer's header ----
"$L" audit log --json --user admin >"$TMP/audit.json" || bad "audit log"
for s in "$PW" "$NEW" "$SECRET" "$OLD_SECRET"; do
    grep -q -- "$s" "$TMP/srv.log" && bad "'$s' in the access log" || ok
    grep -q -- "$s" "$TMP/audit.json" && bad "'$s' in the audit log" || ok
done
jq -e '[.[] | select(.entity == "totp")] | length >= 3 and all(.new.secret_hex == null or .new.secret_hex == "(hidden)")' "$TMP/audit.json" >/dev/null \
    && ok || bad "a TOTP secret in the audit log"
jq -e '[.[] | select(.action == "user.totp.remove" and .user == "coord1")] | length == 1' "$TMP/audit.json" >/dev/null \
    && ok || bad "the removal not audited"
grep -q '"route":"users.password"' "$TMP/srv.log" && ok || bad "no access-log line of users.password"
stop_server && ok || bad "SIGTERM"
finish
