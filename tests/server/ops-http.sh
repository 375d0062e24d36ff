#!/bin/sh
# Every row of the operations table over real HTTP (curl against `lutetia serve` on a loopback
# port): the role x operation x site matrix as a data table covering every row of the table,
# another site's patient answered as a missing one, argument errors naming the member, and the
# HTTP answers equal to the CLI's --json answers for the same operation on the same store
# (record decide and administration, list, endpoints, outcomes, audit log and head).
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
. "$SRC/tests/server/lib.sh"
# here a user's token is a header file (setup below), not lib.sh's curl config
as() { echo "-H @$TMP/hdr.$1"; }
# same JSON: the HTTP answer ($TMP/out) and a file of the CLI's
same_json() { jq -e --slurpfile c "$2" '. == $c[0]' "$TMP/out" >/dev/null && ok || bad "$1: HTTP $(head -c 300 "$TMP/out") differs from the CLI's $(head -c 300 "$2")"; }

ASOF=2025-11-01
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
"$L" user add --name dsmb1 --role safety_committee --all-sites --os-user "$ME" >/dev/null || bad "dsmb1"
# NELMAS patients a year before the example's dates: P1..P4 at S1, Q1 at S2
make_patients "$TMP/p.json" P 4 small_intestine R0
make_patients "$TMP/q.json" Q 1 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json" "$TMP/q.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready P"
ready "$TMP/q.json" S2 coord2 inv2 || bad "ready Q"
for id in P1 P2 P3 P4; do "$L" randomise --user coord1 --patient $id --date 2025-11-02 >>"$TMP/alloc" || bad "randomise $id"; done
"$L" randomise --user coord2 --patient Q1 --date 2025-11-02 >/dev/null || bad "randomise Q1"
# TEST_SEED: P1 and P2 in arm B (the treatment arm), P3 and P4 in arm A (conduct.sh)
grep -q '^P1 randomised to arm B' "$TMP/alloc" && grep -q '^P2 randomised to arm B' "$TMP/alloc" && ok || bad "allocations: $(cat "$TMP/alloc")"
for u in admin coord1 inv1 nuc1 stat1 mon1 coord2 inv2 ustat1 dsmb1; do
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
    printf 'Authorization: Bearer %s\n' "$(cat "$TMP/tok.$u")" >"$TMP/hdr.$u"
done
start_server "$LUTETIA_DB" || { bad "server did not start"; finish; exit 1; }

# ---- records over HTTP, the same steps on the command line for P2: the same answers ----
req POST /api/v1/patients/P1/anchors '{"anchor":"liver_resection","date":"2025-09-10"}' $(as coord1)
expect_code 200 "anchor"
expect_jq '.patient == "P1" and .recorded == "liver_resection" and .date == "2025-09-10"'
"$L" record anchor --user coord1 --patient P2 --anchor liver_resection --date 2025-09-10 >/dev/null || bad "anchor cli"
req POST /api/v1/patients/P1/profile '{"birth_date":"1962-03-14","sex":"female","weight":68}' $(as coord1)
expect_code 200 "profile"
"$L" record profile --user coord1 --patient P2 --birth-date 1962-03-14 --sex female --weight 68 >/dev/null || bad "profile cli"
req POST /api/v1/patients/P1/profile '{"birth_date":"1962-03-14","sex":"other","weight":68}' $(as coord1)
expect_code 400 "profile sex"
expect_jq '.param == "sex"'
for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
         "lymphocytes 1.6 10^9/L 1 4" "platelets 231 10^9/L 150 400" "creatinine 72 umol/L 44 97" \
         "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
    set -- $a
    req POST /api/v1/patients/P1/labs "{\"date\":\"2025-10-28\",\"analyte\":\"$1\",\"value\":$2,\"unit\":\"$3\",\"lln\":$4,\"uln\":$5}" $(as coord1)
    [ "$CODE" = 200 ] || bad "lab $1 over HTTP: $CODE $(cat "$TMP/out")"
    "$L" record lab --user coord1 --patient P2 --date 2025-10-28 --analyte "$1" --value "$2" --unit "$3" --lln "$4" --uln "$5" >/dev/null || bad "lab $1 cli"
done
ok
req POST /api/v1/patients/P1/decisions '{"cycle":1,"date":"2025-11-03"}' $(as inv1)
expect_code 200 "decide"
"$L" record decide --user inv1 --patient P2 --cycle 1 --date 2025-11-03 --json >"$TMP/cli.decide" || bad "decide cli"
same_json "dose decision" "$TMP/cli.decide"
expect_jq '.action == "give_full" and .activity_mbq == 7400'
# an administration: warnings acknowledged, activities decay-corrected to the infusion start
ADM='"cycle":1,"prescribed":7400,"before":7550,"before_at":"2025-11-04T08:30:00Z","residual":150,"residual_at":"2025-11-04T09:45:00Z","start":"2025-11-04T09:00:00Z","end":"2025-11-04T09:30:00Z","no_ssa_long":true,"no_ssa_short":true,"amino_start":"2025-11-04T08:15:00Z","amino_end":"2025-11-04T11:00:00Z"'
req POST /api/v1/patients/P1/administrations "{$ADM}" $(as nuc1)
expect_code 409 "administration with a warning not acknowledged"
expect_jq '.detail | test("amino_acids_short")'
req POST /api/v1/patients/P1/administrations "{$ADM,\"acks\":{\"amino_acids_short\":\"infusion stopped for nausea\"}}" $(as inv1)
expect_code 403 "an investigator records no administration"
req POST /api/v1/patients/P1/administrations "{$(echo "$ADM" | sed 's/"start":"2025-11-04T09:00:00Z"/"start":"2025-11-04T09:00:00"/')}" $(as nuc1)
expect_code 400 "a time without its zone"
expect_jq '.param == "start"'
req POST /api/v1/patients/P1/administrations "{$ADM,\"acks\":{\"amino_acids_short\":\"infusion stopped for nausea\"}}" $(as nuc1)
expect_code 200 "administration"
"$L" record administration --user nuc1 --patient P2 --cycle 1 --prescribed 7400 --before 7550 \
    --before-at 2025-11-04T08:30:00Z --residual 150 --residual-at 2025-11-04T09:45:00Z \
    --start 2025-11-04T09:00:00Z --end 2025-11-04T09:30:00Z --no-ssa-long --no-ssa-short \
    --amino-start 2025-11-04T08:15:00Z --amino-end 2025-11-04T11:00:00Z \
    --ack "amino_acids_short=infusion stopped for nausea" --json >"$TMP/cli.adm" || bad "administration cli"
same_json "administration" "$TMP/cli.adm"
expect_jq '(.administered_mbq - (7550 * pow(2; -0.5 / 159.528) - 150 * pow(2; 0.75 / 159.528)) | fabs) < 1e-6'
# in GBq: the row's unit converts, as --unit does
req POST /api/v1/patients/P1/administrations "{$ADM,\"unit\":\"furlong\"}" $(as nuc1)
expect_code 400 "an unknown activity unit"
expect_jq '.param == "unit"'
req POST /api/v1/patients/P1/deviations '{"cycle":1,"activity":8000,"reason":"the vial ran over"}' $(as inv1)
expect_code 409 "a deviation for a given cycle"
# adverse events: the term coded, a correction needs its reason
req POST /api/v1/patients/P1/aes '{"term":"nausea","grade":1,"start":"2025-11-05","related":"probable"}' $(as coord1)
expect_code 200 "ae"
expect_jq '.id == "AE001" and .term == "Nausea" and .grade == 1'
req POST /api/v1/patients/P1/aes '{"term":"Nausea","grade":"two","start":"2025-11-05"}' $(as coord1)
expect_code 400 "ae wrong type"
expect_jq '.param == "grade" and (.detail | test("expected a number"))'
req POST /api/v1/patients/P1/aes '{"term":"Nausea","grade":2,"start":"2025-11-05","id":"AE001"}' $(as coord1)
expect_code 400 "an update without a reason"
req POST /api/v1/patients/P1/aes '{"term":"Nausea","grade":2,"start":"2025-11-05","id":"AE001","reason":"worse"}' $(as coord1)
expect_code 200 "ae update"
req POST /api/v1/patients/P1/aes '{"term":"Nausea","grade":2,"start":"2025-11-05","severity":"mild"}' $(as coord1)
expect_code 400 "unknown member"
expect_jq '.param == "severity" and (.detail | test("unknown member .severity."))'
# an assessment with lesions (the outcomes format's reader), a questionnaire, an event
req POST /api/v1/patients/P1/assessments '{"date":"2025-11-20","modality":"ct","lesions":[{"id":"L1","organ":"liver","target":true,"mm":42}]}' $(as coord1)
expect_code 200 "assessment"
expect_jq '.recist == "baseline" and .sum_mm == 42'
req POST /api/v1/patients/P1/assessments '{"date":"2025-12-20","modality":"ct","lesions":[{"id":"L1","organ":"liver","target":true,"mm":"big"}]}' $(as coord1)
expect_code 400 "a lesion's diameter"
expect_jq '.param == "lesions[0].mm"'
req POST /api/v1/patients/P1/questionnaires "{\"date\":\"2025-11-21\",\"items\":[$(printf '1,%.0s' $(seq 28))3,null]}" $(as coord1)
expect_code 200 "questionnaire"
req POST /api/v1/patients/P1/questionnaires '{"date":"2025-11-22","items":[1,2]}' $(as coord1)
expect_code 400 "questionnaire of two items"
expect_jq '.param == "items"'
req POST /api/v1/patients/P1/actuals '{"entry":"nope","date":"2025-11-22"}' $(as coord1)
expect_code 400 "an entry not in the calendar"
req POST /api/v1/patients/P1/events '{"type":"recurrence","date":"2026-02-02"}' $(as coord1)
expect_code 400 "recurrence without its site"
req POST /api/v1/patients/P1/events '{"type":"recurrence","date":"2026-02-02","site":"liver"}' $(as coord1)
expect_code 200 "recurrence"
"$L" record event --user coord1 --patient P2 --type recurrence --date 2026-02-02 --site liver >/dev/null || bad "recurrence cli"
req GET /api/v1/patients/P1/casebook $(as coord1)
expect_code 200 "casebook"
"$L" patient show P1 --user coord1 --json >"$TMP/cli.casebook"
same_json "casebook" "$TMP/cli.casebook"
expect_jq '.patient.state == "ended" and .patient.end_reason == "recurrence"'

# ---- reading: the same answers as the CLI's --json on the same store ----
for kind in labs aes administrations doses events assessments questionnaires consents deviations signatures dispensing; do
    req GET "/api/v1/listings/$kind" $(as coord1)
    "$L" list "$kind" --user coord1 --json >"$TMP/cli.list" 2>"$TMP/err"
    if [ "$CODE" = 200 ]; then same_json "list $kind" "$TMP/cli.list"; else bad "list $kind: $CODE $(cat "$TMP/out")"; fi
done
req GET "/api/v1/listings/labs?patient=P1&from=2025-10-28&to=2025-10-28" $(as stat1)
"$L" list labs --user stat1 --patient P1 --from 2025-10-28 --to 2025-10-28 --json >"$TMP/cli.list"
same_json "list labs filtered" "$TMP/cli.list"
expect_jq '.count == 10 and (.rows | length) == 10'
req GET "/api/v1/listings/labs?from=2025-12-01&to=2025-11-01" $(as stat1)
expect_code 400 "from after to"
req GET /api/v1/listings/labs $(as admin)
expect_code 403 "the admin reads no clinical listing"
req GET "/api/v1/listings/labs?patient=Q1" $(as coord1)
cp "$TMP/out" "$TMP/other"
req GET "/api/v1/listings/labs?patient=X9" $(as coord1)
sed 's/X9/Q1/g' "$TMP/out" | cmp -s - "$TMP/other" && [ "$CODE" = 404 ] && ok || bad "a listing of another site's patient differs from a missing one's: $(cat "$TMP/other")"
req GET "/api/v1/endpoints/DFS?cutoff=2026-06-01" $(as stat1)
expect_code 200 "endpoint"
"$L" endpoints --endpoint DFS --cutoff 2026-06-01 --user stat1 --json >"$TMP/cli.ep"
same_json "endpoint DFS" "$TMP/cli.ep"
req GET /api/v1/endpoints/NOPE $(as stat1)
expect_code 404 "unknown endpoint"
# NELMAS has no proportion endpoint: both doors say so alike (404; the CLI's exit 4)
req GET /api/v1/proportions $(as stat1)
expect_code 404 "no proportion endpoint"
expect_exit 5 -- "$L" analyse proportion --user stat1 --json
expect_err "$(jq -r .detail "$TMP/out")"
req GET /api/v1/outcomes $(as stat1)
expect_code 200 "outcomes"
"$L" outcomes --user stat1 >"$TMP/cli.out"
same_json "outcomes" "$TMP/cli.out"
for kind in qol:qol responses:response; do
    req GET "/api/v1/${kind%%:*}" $(as coord1)
    "$L" endpoints --"${kind#*:}" --user coord1 --json >"$TMP/cli.scores"
    if [ "$CODE" = 200 ]; then same_json "${kind%%:*}" "$TMP/cli.scores"; else bad "${kind%%:*}: $CODE $(cat "$TMP/out")"; fi
    expect_jq '(.rows | length) >= 1 and .rows[0].patient == "P1"'
done
req GET "/api/v1/audit/log?patient=P1" $(as mon1)
expect_code 200 "audit log"
"$L" audit log --patient P1 --user mon1 --json >"$TMP/cli.audit"
same_json "audit log" "$TMP/cli.audit"
req GET /api/v1/audit/head $(as mon1)
"$L" audit head --json >"$TMP/cli.head"
same_json "audit head" "$TMP/cli.head"
req GET /api/v1/trial $(as coord1)
"$L" trial show --user coord1 --json >"$TMP/cli.trial"
same_json "trial show" "$TMP/cli.trial"
req GET /api/v1/allocations/replay $(as ustat1)
expect_code 200 "replay"
"$L" randomise --replay --user ustat1 --json >"$TMP/cli.replay"
same_json "replay" "$TMP/cli.replay"

# ---- the patient's later steps, sites, users and tokens ----
req POST /api/v1/patients/P3/treatment '{"date":"2025-11-05"}' $(as coord1)
expect_code 200 "treatment"
expect_jq '.patient.state == "on_treatment"'
req POST /api/v1/patients/P3/follow-up '{"date":"2025-12-05"}' $(as coord1)
expect_code 200 "follow-up"
req POST /api/v1/patients/P3/end '{"why":"finished","date":"2025-12-06"}' $(as coord1)
expect_code 400 "an end reason that is not one"
expect_jq '.param == "why"'
req POST /api/v1/patients/P3/end '{"why":"completed","date":"2025-12-06"}' $(as coord1)
expect_code 200 "end"
expect_jq '.patient.state == "ended" and .patient.end_reason == "completed"'
req POST /api/v1/sites '{"code":"S3","name":"Site three"}' $(as admin)
expect_code 200 "site add"
expect_jq '. == {"site":"S3","name":"Site three"}'
req POST /api/v1/sites '{"code":"S3","name":"Again"}' $(as admin)
expect_code 409 "a site twice"
req POST /api/v1/users '{"name":"coord3","role":"coordinator","sites":["S3"]}' $(as admin)
expect_code 200 "user add"
expect_jq '.user == "coord3" and .role == "coordinator" and .sites == ["S3"] and .os_users == []'
req POST /api/v1/users '{"name":"x","role":"chief","sites":["S3"]}' $(as admin)
expect_code 400 "an unknown role"
expect_jq '.param == "role"'
req POST /api/v1/users '{"name":"x","role":"monitor","sites":"S3"}' $(as admin)
expect_code 400 "sites of the wrong type"
expect_jq '.param == "sites" and (.detail | test("expected an array"))'
req GET /api/v1/trial $(as admin)
expect_jq '[.users[]? | .name // .user] | index("coord3") != null'
# a token for coord3 made by the admin: the secret in this answer only
req POST /api/v1/tokens '{"for":"coord3","expires":7}' $(as admin)
expect_code 200 "token for another user"
expect_jq '.user == "coord3" and .expires_days == 7 and (.token | test("^ltk_[0-9a-f]{16}_[0-9a-f]{64}$")) and (.id as $i | .token | startswith("ltk_" + $i + "_"))'
T3=$(jq -r .token "$TMP/out")
TID3=$(jq -r .id "$TMP/out")
req GET /api/v1/users/me -H "Authorization: Bearer $T3"
expect_code 200 "the new token works"
expect_jq '.user == "coord3"'
req POST /api/v1/tokens '{"for":"admin"}' $(as coord1)
expect_code 403 "a coordinator makes no token for another user"
req GET "/api/v1/audit/log" $(as admin)
grep -q "${T3#ltk_*_}" "$TMP/out" && bad "the token's secret is in the audit log" || ok
req POST /api/v1/users/coord3/deactivate '{"reason":"left the trial"}' $(as admin)
expect_code 200 "deactivate"
req GET /api/v1/users/me -H "Authorization: Bearer $T3"
expect_code 401 "a deactivated user's token"
req POST /api/v1/users/coord3/activate '{}' $(as admin)
expect_code 200 "activate"
req DELETE "/api/v1/tokens/$TID3" -H "Authorization: Bearer $T3"
expect_code 200 "revoke one's own token"
req GET /api/v1/users/me -H "Authorization: Bearer $T3"
expect_code 401 "a revoked token"

# ---- role x operation x site: every row of the table, every role, own and other site ----
# OP METHOD PATH BODY ALLOWED-ROLES [CODE]: @ in the path is the patient (P4 at S1, Q1 at S2);
# the roles are src/trial/roles.c's, src/conduct/access.c's and src/conduct/listing.c's,
# written out here; the bodies pass the row's argument check and are then refused by the rules
# of the step (a future date, a cycle 0, a duplicate site) or only read, so that the matrix
# changes nothing. An allowed role gets CODE when given, otherwise any answer but 401, 403,
# 404 or 5xx; a refused role exactly 403 (its role) or 404 (another site's patient).
SITE=coordinator,investigator,nuclear_medicine
EVERY=admin,$SITE,statistician,monitor,unblinded_statistician,safety_committee
SAFETY=$SITE,monitor,statistician,unblinded_statistician,safety_committee
EFFICACY=$SITE,monitor,statistician,unblinded_statistician
REC=coordinator,investigator
cat >"$TMP/ops" <<T
patients.list GET /api/v1/patients - $EVERY
patients.show GET /api/v1/patients/@ - $EVERY
patients.enrol POST /api/v1/patients {"site":"%","patient":{"id":"Z"},"as_of":"2090-01-01"} $REC
patients.consent POST /api/v1/patients/@/consent {"date":"2090-01-01","form":"v2"} $REC
patients.confirm POST /api/v1/patients/@/confirm {"date":"2090-01-01"} investigator
patients.randomise POST /api/v1/patients/@/randomise {"date":"2020-01-01"} $REC
labs.record POST /api/v1/patients/@/labs {"date":"2025-11-02","analyte":"platelets","value":-1} $REC
schedule.show GET /api/v1/patients/@/schedule - $EVERY
due.list GET /api/v1/due?from=2025-12-01&to=2025-12-31 - $EVERY
audit.verify GET /api/v1/audit/verify - admin,monitor
users.me GET /api/v1/users/me - $EVERY
records.profile POST /api/v1/patients/@/profile {"birth_date":"2090-01-01","sex":"female","weight":68} $REC
records.anchor POST /api/v1/patients/@/anchors {"anchor":"surgery","date":"2025-09-10"} $REC
records.actual POST /api/v1/patients/@/actuals {"entry":"nope","date":"2025-11-22"} $REC
records.ae POST /api/v1/patients/@/aes {"term":"Nausea","grade":7,"start":"2025-11-05"} $REC
records.assessment POST /api/v1/patients/@/assessments {"date":"2090-01-01","modality":"ct"} $REC
records.questionnaire POST /api/v1/patients/@/questionnaires {"date":"2025-11-22","items":[1]} $REC
records.event POST /api/v1/patients/@/events {"type":"recurrence","date":"2090-01-01","site":"liver"} $REC
doses.decide POST /api/v1/patients/@/decisions {"cycle":0,"date":"2025-11-03"} investigator,nuclear_medicine
doses.administration POST /api/v1/patients/@/administrations {"cycle":0,"prescribed":1,"before":1,"before_at":"2025-11-04T08:30:00Z","residual":0,"residual_at":"2025-11-04T09:45:00Z","start":"2025-11-04T09:00:00Z","end":"2025-11-04T09:30:00Z"} nuclear_medicine
doses.deviation POST /api/v1/patients/@/deviations {"cycle":0,"activity":8000,"reason":"x"} investigator
oral.show GET /api/v1/patients/@/oral - $EVERY
oral.start POST /api/v1/patients/@/oral/start {"date":"2090-01-01"} investigator
oral.dose POST /api/v1/patients/@/oral/dose {"date":"2090-01-01","dose":5,"cause":"x"} investigator
oral.interrupt POST /api/v1/patients/@/oral/interrupt {"date":"2090-01-01","cause":"x"} investigator
oral.resume POST /api/v1/patients/@/oral/resume {"date":"2090-01-01"} investigator
oral.stop POST /api/v1/patients/@/oral/stop {"date":"2090-01-01","cause":"x"} investigator
oral.dispense POST /api/v1/patients/@/oral/dispense {"date":"2090-01-01","tablets":0,"strength":10} $REC
oral.return POST /api/v1/patients/@/oral/return {"date":"2090-01-01","returned":1} $REC
oral.decide POST /api/v1/patients/@/oral/decide {"date":"2090-01-01"} investigator
list.labs GET /api/v1/listings/labs?patient=@ - $SAFETY
list.aes GET /api/v1/listings/aes?patient=@ - $SAFETY
list.administrations GET /api/v1/listings/administrations?patient=@ - $SAFETY
list.doses GET /api/v1/listings/doses?patient=@ - $SAFETY
list.dispensing GET /api/v1/listings/dispensing?patient=@ - $SAFETY
list.events GET /api/v1/listings/events?patient=@ - $SAFETY
list.assessments GET /api/v1/listings/assessments?patient=@ - $EFFICACY
list.questionnaires GET /api/v1/listings/questionnaires?patient=@ - $EFFICACY
list.consents GET /api/v1/listings/consents?patient=@ - coordinator,investigator,monitor,nuclear_medicine
list.deviations GET /api/v1/listings/deviations?patient=@ - $SAFETY
list.signatures GET /api/v1/listings/signatures?patient=@ - coordinator,investigator,monitor
outcomes.list GET /api/v1/outcomes?patient=@ - $EVERY
patients.casebook GET /api/v1/patients/@/casebook - $EVERY
endpoints.dataset GET /api/v1/endpoints/DFS - $EVERY
analyse.proportion GET /api/v1/proportions - $EVERY 404
analyse.km GET /api/v1/endpoints/DFS/km?times=6,12 - $EVERY
analyse.logrank GET /api/v1/endpoints/DFS/logrank - $EVERY
analyse.cox GET /api/v1/endpoints/DFS/cox - $EVERY
analyse.rmst GET /api/v1/endpoints/DFS/rmst?tau=24 - $EVERY
audit.log GET /api/v1/audit/log?since=2090-01-01 - admin,monitor
audit.head GET /api/v1/audit/head - admin,monitor
trial.show GET /api/v1/trial - $EVERY
allocations.replay GET /api/v1/allocations/replay - admin,unblinded_statistician
patients.treat POST /api/v1/patients/@/treatment {"date":"2020-01-01"} $SITE
patients.follow_up POST /api/v1/patients/@/follow-up {"date":"2020-01-01"} $REC
patients.end POST /api/v1/patients/@/end {"why":"completed","date":"2020-01-01"} $REC
patients.strata POST /api/v1/patients/@/strata {"strata":{"primary_site":"pancreas"}} $REC
sites.add POST /api/v1/sites {"code":"S1","name":"again"} admin 409
users.add POST /api/v1/users {"name":"coord1","role":"coordinator","sites":["S1"]} admin 409
users.deactivate POST /api/v1/users/admin/deactivate {"reason":"x"} admin 400
users.activate POST /api/v1/users/coord1/activate {} admin 409
tokens.create POST /api/v1/tokens {"expires":5000} $EVERY 400
tokens.revoke DELETE /api/v1/tokens/0000000000000000 - $EVERY 404
signatures.confirm POST /api/v1/patients/@/signatures/confirm {"password":"x","meaning":"bogus"} investigator 400
signatures.casebook POST /api/v1/patients/@/signatures/casebook {"password":"x","meaning":"bogus"} investigator 400
signatures.decision POST /api/v1/signatures/decision {"record":"x","password":"x","meaning":"bogus"} investigator 400
signatures.ae POST /api/v1/signatures/ae {"record":"x","password":"x","meaning":"bogus"} investigator 400
signatures.lock POST /api/v1/signatures/lock {"password":"x","meaning":"bogus"} admin,statistician 400
signatures.list GET /api/v1/signatures?patient=@ - $EVERY
reports.dsmb GET /api/v1/reports/dsmb?cutoff=2025-12-31 - statistician,monitor,unblinded_statistician,safety_committee
reports.dsmb_closed GET /api/v1/reports/dsmb/closed?cutoff=2025-12-31 - unblinded_statistician,safety_committee
users.password POST /api/v1/users/me/password {"current":"","new":"long-enough-and-rare-77"} $EVERY 400
users.totp.enrol POST /api/v1/users/me/totp {"password":""} $EVERY 400
users.totp.remove DELETE /api/v1/users/me/totp {"password":"","code":"123456"} $EVERY 400
trial.amend POST /api/v1/trial/amendments {"protocol":{},"version":"9.9","effective":"2090-01-01"} admin 422
users.bind POST /api/v1/users/nobody/os-users {"os_users":["x"]} admin 404
users.set_password PUT /api/v1/users/coord1/password {"password":""} admin 400
users.set PUT /api/v1/users/coord1 {"role":"coordinator","sites":["S1"]} admin 409
tokens.list GET /api/v1/tokens - $EVERY
schedule.ics GET /api/v1/patients/@/schedule.ics - $EVERY
users.full_name PUT /api/v1/users/nobody/full-name {"full_name":"Nobody"} admin 404
reports.consort GET /api/v1/reports/dsmb/consort.svg?cutoff=2025-12-31 - statistician,monitor,unblinded_statistician,safety_committee
reports.consort_closed GET /api/v1/reports/dsmb/closed/consort.svg?cutoff=2025-12-31 - unblinded_statistician,safety_committee
reports.dsmb_page GET /api/v1/reports/dsmb/report.html?cutoff=2025-12-31 - statistician,monitor,unblinded_statistician,safety_committee
reports.dsmb_closed_page GET /api/v1/reports/dsmb/closed/report.html?cutoff=2025-12-31 - unblinded_statistician,safety_committee
exports.odm GET /api/v1/exports/odm.xml - admin,monitor,statistician,unblinded_statistician
outcomes.qol GET /api/v1/qol - $EVERY
outcomes.responses GET /api/v1/responses - $EVERY
T
# USER ROLE SITES
cat >"$TMP/users" <<'T'
admin admin *
coord1 coordinator S1
inv1 investigator S1
nuc1 nuclear_medicine S1
stat1 statistician *
mon1 monitor S1
ustat1 unblinded_statistician *
dsmb1 safety_committee *
coord2 coordinator S2
inv2 investigator S2
T
# every row of the table is in the matrix
"$L" serve --print-openapi | jq -r '[.paths[][] | .operationId | select(. != null)] | .[]' | sort >"$TMP/rows"
awk '{print $1}' "$TMP/ops" | sort >"$TMP/matrix"
grep -vxF -f "$TMP/matrix" "$TMP/rows" | grep -v '^session\.\|^healthz$\|^metrics$\|^openapi$' >"$TMP/missing"
[ -s "$TMP/missing" ] && bad "rows missing from the matrix: $(tr '\n' ' ' <"$TMP/missing")" || ok
# a token's first use of the day is audited (docs/server.md): use each once before the head
while read -r user role sites; do req GET /api/v1/users/me $(as "$user"); done <"$TMP/users"
"$L" audit head --json | jq -r .head >"$TMP/head.before"
unexpected=0
cases=0
while read -r user role sites; do
    while read -r op method path body roles want_code; do
        for pat in P4:S1 Q1:S2; do
            id=${pat%:*} site=${pat#*:}
            # @: a patient of the site; %: the site itself (enrolment at a site)
            case "$path$body" in *@*) scoped=404 ;; *%*) scoped=403 ;; *) scoped=0 ;; esac
            [ "$scoped" = 0 ] && [ "$id" = Q1 ] && continue
            url=$(echo "$path" | sed "s/@/$id/")
            b=$(echo "$body" | sed "s/%/$site/")
            case ",$roles," in
            *",$role,"*)
                if [ "$scoped" != 0 ] && [ "$sites" != "*" ] && [ "$sites" != "$site" ]; then want=$scoped; else want=${want_code:-allow}; fi ;;
            *) want=403 ;;
            esac
            if [ "$b" = - ]; then req "$method" "$url" $(as "$user"); else req "$method" "$url" "$b" $(as "$user"); fi
            cases=$((cases + 1))
            if [ "$want" = allow ]; then
                case "$CODE" in 401 | 403 | 404 | 5* | 000) got=bad ;; *) got=good ;; esac
            elif [ "$CODE" = "$want" ]; then got=good; else got=bad; fi
            if [ "$got" = bad ]; then
                unexpected=$((unexpected + 1))
                echo "  unexpected: $user ($role at $sites) $op $id: want $want, got $CODE $(head -c 200 "$TMP/out")"
            fi
        done
    done <"$TMP/ops"
done <"$TMP/users"
echo "  matrix: $cases cases, $unexpected unexpected"
[ "$unexpected" = 0 ] && [ "$cases" -ge 900 ] && ok || bad "matrix: $unexpected unexpected of $cases"
# the matrix changed nothing: the audit head is where it was
"$L" audit head --json | jq -r .head | cmp -s - "$TMP/head.before" && ok || bad "the matrix wrote to the store"
# another site's patient and a missing one get the same answer, on a write as on a read
while IFS='|' read -r user method route body; do
    for id in Q1 X; do
        if [ "$body" = - ]; then req "$method" "/api/v1/patients/$id/$route" $(as "$user"); else
            req "$method" "/api/v1/patients/$id/$route" "$body" $(as "$user"); fi
        sed "s/$id/PATIENT/g" "$TMP/out" >"$TMP/ans.$id"
        printf '\n%s\n' "$CODE" >>"$TMP/ans.$id"
    done
    cmp -s "$TMP/ans.Q1" "$TMP/ans.X" && grep -qx 404 "$TMP/ans.Q1" && ok || bad "$method $route: another site's patient ($(cat "$TMP/ans.Q1")) told apart from a missing one ($(cat "$TMP/ans.X"))"
done <<'T'
coord1|POST|aes|{"term":"Nausea","grade":1,"start":"2025-11-05"}
inv1|POST|decisions|{"cycle":1,"date":"2025-11-05"}
nuc1|POST|administrations|{"cycle":1,"prescribed":1,"before":1,"before_at":"2025-11-04T08:30:00Z","residual":0,"residual_at":"2025-11-04T09:45:00Z","start":"2025-11-04T09:00:00Z","end":"2025-11-04T09:30:00Z"}
mon1|GET|casebook|-
mon1|GET|oral|-
coord1|POST|oral/dispense|{"date":"2025-11-05","tablets":1,"strength":10}
T
stop_server && ok || bad "SIGTERM"

# ---- an oral drug's course over HTTP (NET RETREAT arm 2, everolimus), the same on the command
# line for a second patient of the arm: the same decisions and the same course ----
NR="$SRC/protocols/net-retreat.json"
export LUTETIA_DB="$TMP/nr.db"
jq '.base as $b | [range(1; 5) as $i | $b | .id = "N\($i)"]' \
   "$SRC/tests/eligibility/net-retreat.cases.json" |
  sed -E 's/"(20[0-9]{2})-([0-9]{2}-[0-9]{2})"/"\1@\2"/g' |
  awk '{ while (match($0, /"20[0-9][0-9]@/)) { y = substr($0, RSTART + 1, 4) - 1;
         $0 = substr($0, 1, RSTART) y "-" substr($0, RSTART + 6) } print }' >"$TMP/nr.json"
"$L" trial init --protocol "$NR" --user admin --seed-hex "$TEST_SEED" >/dev/null &&
"$L" site add --code S1 --name "Site one" >/dev/null &&
"$L" user add --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
"$L" user add --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null &&
"$L" enrol --user coord1 --site S1 --as-of 2025-11-01 "$TMP/nr.json" >/dev/null && ok || bad "NET RETREAT setup"
: >"$TMP/nralloc"
for i in 1 2 3 4; do
  "$L" consent --user coord1 --patient N$i --form v2 --date 2025-11-02 >/dev/null &&
  "$L" confirm --user inv1 --patient N$i --date 2025-11-03 >/dev/null &&
  "$L" randomise --user coord1 --patient N$i --date 2025-11-04 >>"$TMP/nralloc" || bad "randomise N$i"
done
H=$(grep 'arm 2' "$TMP/nralloc" | sed -n 1p | cut -d' ' -f1)
C=$(grep 'arm 2' "$TMP/nralloc" | sed -n 2p | cut -d' ' -f1)
[ -n "$H" ] && [ -n "$C" ] && ok || bad "two patients in arm 2: $(cat "$TMP/nralloc")"
for u in coord1 inv1; do
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u"
    printf 'Authorization: Bearer %s\n' "$(cat "$TMP/tok.$u")" >"$TMP/hdr.$u"
done
start_server "$LUTETIA_DB" || { bad "server (NET RETREAT)"; finish; exit 1; }
# one step over HTTP for H and on the command line for C: STEP USER HTTP-PATH BODY -- CLI ARGS
step() {
    u=$1 path=$2 body=$3
    shift 4
    req POST "/api/v1/patients/$H/$path" "$body" $(as "$u")
    [ "$CODE" = 200 ] && ok || bad "$path over HTTP: $CODE $(cat "$TMP/out")"
    "$L" "$@" --user "$u" --patient "$C" >"$TMP/cli.step" 2>"$TMP/err" || bad "$* on the command line: $(cat "$TMP/err")"
}
# a decision, over both doors: the same document
decide() {
    req POST "/api/v1/patients/$H/oral/decide" "{\"date\":\"$1\"}" $(as inv1)
    "$L" record decide --user inv1 --patient "$C" --date "$1" --json >"$TMP/cli.dec"
    same_json "oral decision on $1" "$TMP/cli.dec"
}
step inv1 oral/start '{"date":"2025-11-05"}' -- record oral start --date 2025-11-05
expect_jq '.state.started == "2025-11-05" and .state.daily_dose_mg == 10'
step coord1 oral/dispense '{"date":"2025-11-05","tablets":30,"strength":10}' -- record oral dispense --date 2025-11-05 --tablets 30 --strength 10
req POST "/api/v1/patients/$H/oral/dispense" '{"date":"2025-11-06","tablets":3,"strength":4}' $(as coord1)
expect_code 400 "a strength the protocol does not name"
req POST "/api/v1/patients/$H/oral/return" '{"date":"2025-12-03","returned":31}' $(as coord1)
expect_code 400 "more returned than dispensed"
step coord1 oral/return '{"date":"2025-12-03","returned":2}' -- record oral return --date 2025-12-03 --returned 2
step coord1 oral/dispense '{"date":"2025-12-03","tablets":30,"strength":10}' -- record oral dispense --date 2025-12-03 --tablets 30 --strength 10
decide 2025-12-05
expect_jq '.action == "continue" and .dose_mg == 10'
step coord1 aes '{"term":"Stomatitis","grade":3,"start":"2025-12-10"}' -- record ae --term Stomatitis --grade 3 --start 2025-12-10
decide 2025-12-10
expect_jq '.action == "interrupt" and .category == "stomatitis"'
step inv1 oral/interrupt '{"date":"2025-12-10","cause":"stomatitis grade 3"}' -- record oral interrupt --date 2025-12-10 --cause "stomatitis grade 3"
req POST "/api/v1/patients/$H/oral/resume" '{"date":"2025-12-15"}' $(as inv1)
expect_code 409 "a resumption the table does not allow yet"
step coord1 aes '{"term":"Stomatitis","grade":3,"start":"2025-12-10","end":"2025-12-20","id":"AE001","reason":"resolved to grade 1"}' -- record ae --id AE001 --term Stomatitis --grade 3 --start 2025-12-10 --end 2025-12-20 --reason "resolved to grade 1"
decide 2025-12-21
expect_jq '.action == "resume_reduced" and .dose_mg == 5'
req POST "/api/v1/patients/$H/oral/resume" '{"date":"2025-12-21","dose":10}' $(as inv1)
expect_code 409 "a dose above what the table allows"
step inv1 oral/resume '{"date":"2025-12-21"}' -- record oral resume --date 2025-12-21
step inv1 oral/stop '{"date":"2026-01-10","cause":"patient wish"}' -- record oral stop --date 2026-01-10 --cause "patient wish"
req GET "/api/v1/patients/$H/oral?as_of=2026-01-11" $(as coord1)
expect_code 200 "oral show"
sed "s/\"$H\"/\"PATIENT\"/g" "$TMP/out" >"$TMP/http.oral"
"$L" record oral show --user coord1 --patient "$C" --as-of 2026-01-11 --json | sed "s/\"$C\"/\"PATIENT\"/g" >"$TMP/cli.oral"
jq -e --slurpfile c "$TMP/cli.oral" '. == $c[0] and .state.stopped == "2026-01-10" and (.periods | length) == 2' "$TMP/http.oral" >/dev/null && ok || bad "the oral course over HTTP differs from the CLI's: $(head -c 300 "$TMP/http.oral") vs $(head -c 300 "$TMP/cli.oral")"
req GET "/api/v1/listings/dispensing?patient=$H" $(as coord1)
expect_jq '.count == 7 and [.rows[].type] == ["start","dispense","return","dispense","interrupt","resume","stop"]'
stop_server && ok || bad "SIGTERM (NET RETREAT)"
finish
