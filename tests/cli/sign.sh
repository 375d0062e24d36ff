#!/bin/sh
# Electronic signatures through the real binary (issue 11 section 4, docs/part11.md):
# - a signature needs the password again: refused without it and with a wrong one (audited,
#   counted toward the lock-out: five wrong ones lock the account, then even the right one fails);
# - it records the signer's full name, UTC time and meaning; a user without a full name cannot sign;
# - it is invalidated by a later correction of its record, valid again once signed again;
# - another site's investigator, a coordinator, a monitor cannot sign; only an admin or a
#   statistician locks the data;
# - it shows in `signatures`, `list signatures`, the casebook, the audit trail and the ODM export
#   (valid against the ODM 1.3.2 schema);
# - after the lock every write of the trial's data is refused, sign-in records still work, and
#   analyses and exports say they read locked data;
# - a seeded property check over random histories of corrections and signatures: a signature is
#   valid iff its record (for a casebook: any record of the patient) was not changed after it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
XSD="$SHARED/reference/odm-1.3.2/ODM1-3-2.xsd"
ASOF=2025-11-01
PW='correct horse battery staple'
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" Q 2 small_intestine R0
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready S1"
make_patients "$TMP/r.json" R 1 pancreas R1
sed -i 's/"2026-/"2025-/g' "$TMP/r.json"
ready "$TMP/r.json" S2 coord2 inv2 || bad "ready S2"
"$L" user add --name inv3 --role investigator --site S1 --os-user "$ME" --full-name "Carl Locked" >/dev/null || bad "inv3"
for u in inv1 inv2 inv3 coord1 stat1 mon1 admin; do
  printf '%s\n' "$PW" | "$L" user password "$u" --password-stdin --user admin >/dev/null || bad "password $u"
done
# full names: set by the admin (user add --full-name, user name); a change needs a reason
expect_exit 7 -- "$L" user name --name inv1 --full-name "Ada Lovelace" --user inv1
expect_exit 0 -- "$L" user name --name inv1 --full-name "Ada Lovelace"
expect_out "user inv1 is Ada Lovelace"
expect_exit 2 -- "$L" user name --name inv1 --full-name "Ada King"
expect_err "needs a reason"
expect_exit 2 -- "$L" user name --name inv1 --full-name "   "
expect_err "full-name: expected the person's full name"
"$L" user name --name coord1 --full-name "Cora Ordinator" >/dev/null &&
"$L" user name --name stat1 --full-name "Stan Tistician" >/dev/null &&
"$L" user name --name mon1 --full-name "Mona Itor" >/dev/null && ok || bad "full names"

sign() { # sign USER ACT WHAT [options...]: signs with the right password on stdin
  u=$1; shift
  printf '%s\n' "$PW" | "$L" sign "$@" --user "$u" --signer "$u" --password-stdin --json
}

# ---- refused: without the password, with a wrong one, without a full name ----
expect_exit 2 -- sh -c "'$L' sign confirm Q1 --user inv1 --signer inv1 --password-stdin </dev/null"
expect_err "password-stdin: expected one line"
expect_exit 2 -- sh -c "printf '\n' | '$L' sign confirm Q1 --user inv1 --signer inv1 --password-stdin"
expect_err "password: a signature needs your password again"
# no terminal: the password is never taken from the command line
expect_exit 2 -- sh -c "'$L' sign confirm Q1 --user inv1 --signer inv1 </dev/null"
expect_err "no terminal to read the password"
expect_exit 2 -- sh -c "printf 'x\n' | '$L' sign confirm Q1 --user inv1 --password-stdin"
expect_err "needs --signer NAME"
expect_exit 7 -- sh -c "printf 'wrong horse battery staple\n' | '$L' sign confirm Q1 --user inv1 --signer inv1 --password-stdin"
expect_err "wrong user name or password"
# the user name typed must be the acting user's: counted as a failed attempt too
expect_exit 7 -- sh -c "printf '%s\n' '$PW' | '$L' sign confirm Q1 --user inv1 --signer inv3 --password-stdin"
expect_exit 0 -- "$L" audit log --user admin --json
expect_jq '[.[] | select(.action == "signature.refused" and .user == "inv1")] | length == 2'
expect_jq '[.[] | select(.action == "login.failed" and .id == "inv1")] | length == 2'
expect_exit 6 -- sign inv2 confirm R1
expect_err "user 'inv2' has no full name recorded"
"$L" user name --name inv2 --full-name "Iris Vestigator" >/dev/null || bad "inv2 name"

# ---- who may sign ----
expect_exit 7 -- sign coord1 confirm Q1
expect_err "role coordinator cannot sign an eligibility confirmation"
expect_exit 7 -- sign mon1 confirm Q1
expect_exit 5 -- sign inv2 confirm Q1
expect_err "no patient 'Q1'"
expect_exit 7 -- sign inv1 lock
expect_err "cannot sign the data lock"
expect_exit 7 -- sign ustat1 lock
# a refusal by role or site looks at no password and counts nothing
expect_exit 0 -- "$L" audit log --user admin --json
expect_jq '[.[] | select(.action == "login.failed")] | length == 2'

# ---- signed: full name, UTC time, meaning, bound to the screening confirmed ----
expect_exit 0 -- sign inv1 confirm Q1 --comment "checked against source"
expect_jq '.id == "S000001" and .status == "valid" and .act == "confirm" and .meaning == "approval"
           and .signer == "inv1" and .full_name == "Ada Lovelace" and .role == "investigator"
           and (.signed_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))
           and .record.kind == "screening" and .record.id == "Q1/001"
           and (.record.sha256 | length) == 64 and .components == "user name and password"
           and .comment == "checked against source"'
expect_exit 0 -- sign inv2 confirm R1 --meaning review
expect_jq '.meaning == "review" and .full_name == "Iris Vestigator"'
expect_exit 2 -- sign inv1 confirm Q2 --meaning agreement
expect_err "meaning: expected review, approval, responsibility or authorship"
# a success clears the failures counted before it
expect_exit 0 -- "$L" audit log --user admin --json
expect_jq '[.[] | select(.action == "signature.sign")] | length == 2'

# ---- AE and dose decision: invalidated by a correction, valid after signing again ----
for i in 1 2; do "$L" randomise --user coord1 --patient Q$i --date 2025-11-02 >/dev/null || bad "randomise Q$i"; done
expect_exit 0 -- "$L" record ae --user coord1 --patient Q1 --term Nausea --grade 1 --start 2025-11-05 --related possible
expect_exit 0 -- sign inv1 ae Q1/AE001
expect_jq '.id == "S000003" and .meaning == "responsibility" and .record.kind == "adverse_event"'
expect_exit 5 -- sign inv2 ae Q1/AE001
expect_exit 5 -- sign inv1 ae Q1/AE009
expect_exit 0 -- "$L" signatures --user inv1 --patient Q1 --json
expect_jq '[.[] | {id, status}] == [{"id":"S000001","status":"valid"},{"id":"S000003","status":"valid"}]'
"$L" record ae --user inv1 --patient Q1 --term Nausea --grade 2 --start 2025-11-05 --related probable --id AE001 \
    --reason "grade revised at source verification" >/dev/null || bad "ae correction"
expect_exit 0 -- "$L" signatures --user inv1 --patient Q1 --json
expect_jq '[.[] | {id, status}] == [{"id":"S000001","status":"valid"},{"id":"S000003","status":"invalidated"}]'
expect_exit 0 -- "$L" signatures --user mon1
expect_out "S000003 invalidated: ae adverse_event/Q1/AE001 signed by Ada Lovelace \(inv1\)"
expect_exit 0 -- sign inv1 ae Q1/AE001
expect_exit 0 -- "$L" signatures --user inv1 --patient Q1 --json
expect_jq '[.[] | {id, status}] == [{"id":"S000001","status":"valid"},{"id":"S000003","status":"invalidated"},{"id":"S000004","status":"valid"}]'
# another site's investigator sees none of them; R1's is there
expect_exit 0 -- "$L" signatures --user inv2 --json
expect_jq '[.[].id] == ["S000002"]'
# a dose decision
"$L" record anchor --user coord1 --patient Q1 --anchor liver_resection --date 2025-09-10 >/dev/null &&
"$L" record profile --user coord1 --patient Q1 --birth-date 1962-03-14 --sex female --weight 68 >/dev/null || bad "profile"
for a in "hemoglobin 13.1 g/dL 12 16" "wbc 6.2 10^9/L 4 10" "neutrophils 3.9 10^9/L 1.8 7.5" \
         "lymphocytes 1.6 10^9/L 1 4" "platelets 231 10^9/L 150 400" "creatinine 72 umol/L 44 97" \
         "bilirubin 0.6 mg/dL 0.1 1.2" "alt 28 U/L 7 35" "ast 25 U/L 10 35" "albumin 4.1 g/dL 3.5 5.2"; do
  set -- $a
  "$L" record lab --user coord1 --patient Q1 --date 2025-10-28 --analyte "$1" --value "$2" --unit "$3" --lln "$4" --uln "$5" >/dev/null || bad "lab $1"
done
"$L" record decide --user inv1 --patient Q1 --cycle 1 --date 2025-11-03 >/dev/null || bad "decide"
DEC=$("$L" list doses --user inv1 --patient Q1 --json | jq -r '.rows[0].id')
expect_exit 0 -- sign inv1 decision "$DEC"
expect_jq '.act == "decision" and .record.kind == "dose_decision" and .record.id == "'"$DEC"'"'
expect_exit 7 -- sign coord1 decision "$DEC"

# ---- where signatures show: listing, casebook, audit trail, ODM ----
expect_exit 0 -- "$L" list signatures --user mon1 --patient Q1 --json
expect_jq '([.rows[] | select(.id | startswith("S"))] | length == 4)
           and any(.rows[]; .meaning == "approval, electronic signature S000001 of screening Q1/001: valid"
                            and .signer == "Ada Lovelace (inv1)" and .reason == "checked against source")
           and any(.rows[]; .meaning | test("S000003 of adverse_event Q1/AE001: invalidated"))'
expect_exit 0 -- "$L" patient show Q1 --user inv1 --json
expect_jq '[.casebook[] | select(.listing == "signatures" and (.id | startswith("S")))] | length == 4'
expect_exit 0 -- "$L" audit log --user mon1 --patient Q1 --json
expect_jq '[.[] | select(.action == "signature.sign" and .entity == "signature")] | length == 4'
expect_exit 0 -- sign inv1 casebook Q2
expect_jq '.record.kind == "casebook" and .record.id == "Q2" and (.statement | test("casebook of patient Q2"))'
expect_exit 0 -- "$L" export odm --user stat1 --out "$TMP/odm.xml"
xmllint --noout --schema "$XSD" "$TMP/odm.xml" 2>"$TMP/xmllint.txt" && ok || bad "ODM with signatures does not validate: $(tail -3 "$TMP/xmllint.txt")"
n=$(xmllint --xpath 'count(//*[local-name()="SignatureDef"])' "$TMP/odm.xml")
[ "$n" = 4 ] && ok || bad "4 SignatureDefs expected, found $n"
# the valid signatures are Signature elements of what they sign; the invalidated one is not
s=$(xmllint --xpath 'string(//*[local-name()="FormData"][@FormRepeatKey="Q1/AE001"]//*[local-name()="Signature"]/@ID)' "$TMP/odm.xml")
[ "$s" = SG.S000004 ] && ok || bad "AE001's Signature should be S000004, found '$s'"
s=$(xmllint --xpath 'string(//*[local-name()="FormData"][@FormRepeatKey="Q1/001"]//*[local-name()="Signature"]/*[local-name()="SignatureRef"]/@SignatureOID)' "$TMP/odm.xml")
[ "$s" = SD.APPROVAL ] && ok || bad "Q1/001's Signature should mean SD.APPROVAL, found '$s'"
s=$(xmllint --xpath 'string(//*[local-name()="SubjectData"][@SubjectKey="Q2"]/*[local-name()="Signature"]/*[local-name()="UserRef"]/@UserOID)' "$TMP/odm.xml")
[ "$s" = USR.INV1 ] || [ "$s" = USR.inv1 ] && ok || bad "Q2's casebook Signature by inv1 expected, found '$s'"
n=$(xmllint --xpath 'count(//*[local-name()="Signature"][@ID="SG.S000003"])' "$TMP/odm.xml")
[ "$n" = 0 ] && ok || bad "the invalidated S000003 was exported"
n=$(xmllint --xpath 'count(//*[local-name()="FormData"][starts-with(@FormOID, "F.SIGNATURE")])' "$TMP/odm.xml")
[ "$n" = 0 ] && ok || bad "signature records exported as forms"

# ---- lock-out: five wrong passwords lock the account; then even the right one is refused ----
for i in 1 2 3 4 5; do
  printf 'wrong horse battery staple\n' | "$L" sign ae Q1/AE001 --user inv3 --signer inv3 --password-stdin >/dev/null 2>&1
done
expect_exit 7 -- sign inv3 ae Q1/AE001
expect_err "or the account is locked"
expect_exit 0 -- "$L" audit log --user admin --json
expect_jq '[.[] | select(.action == "login.locked" and .id == "inv3")] | length == 1'
expect_jq '[.[] | select(.action == "signature.refused" and .user == "inv3")] | length == 6'

# ---- the property: random histories of corrections and signatures (fixed seed) ----
# Q2 has three adverse events; each step corrects one (grade 1..3, a change or the same grade,
# which writes nothing), signs one, or signs Q2's casebook. The model: a signature is valid
# iff no change to its record (the casebook: to any record of Q2) came after it.
for k in 1 2 3; do
  "$L" record ae --user coord1 --patient Q2 --term Fatigue --grade 1 --start 2025-11-0$((k + 3)) >/dev/null || bad "Q2 AE00$k"
done
seed=20261203
rnd() { seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); r=$(( (seed / 65536) % $1 )); }
step=0
g1=1 g2=1 g3=1 c1=0 c2=0 c3=0 cb=1  # current grade and step of last change per AE; casebook
: >"$TMP/model"
while [ $step -lt 36 ]; do
  step=$((step + 1))
  rnd 3; k=$((r + 1))
  rnd 5
  if [ $r -le 1 ]; then
    rnd 3; g=$((r + 1))
    eval "old=\$g$k"
    "$L" record ae --user coord1 --patient Q2 --term Fatigue --grade $g --start 2025-11-0$((k + 3)) --id AE00$k \
        --reason "step $step" >/dev/null || bad "step $step: correct AE00$k"
    if [ "$g" != "$old" ]; then eval "g$k=$g; c$k=$step"; cb=$step; fi
  elif [ $r -le 3 ]; then
    id=$(sign inv1 ae Q2/AE00$k | jq -r .id) || bad "step $step: sign AE00$k"
    echo "$id ae $k $step" >>"$TMP/model"
  else
    id=$(sign inv1 casebook Q2 | jq -r .id) || bad "step $step: sign casebook"
    echo "$id casebook 0 $step" >>"$TMP/model"
  fi
done
"$L" signatures --user inv1 --patient Q2 --json >"$TMP/sigs.json" || bad "signatures Q2"
nsig=0 mismatch=0
while read -r id what k at; do
  nsig=$((nsig + 1))
  if [ "$what" = casebook ]; then last=$cb; else eval "last=\$c$k"; fi
  want=valid; [ "$last" -gt "$at" ] && want=invalidated
  got=$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' "$TMP/sigs.json")
  [ "$got" = "$want" ] || { mismatch=$((mismatch + 1)); echo "  $id ($what $k signed at step $at, last change $last): $got, expected $want"; }
done <"$TMP/model"
[ $nsig -ge 10 ] && [ $mismatch = 0 ] && ok || bad "property: $mismatch of $nsig signatures disagree with the model"
# both outcomes occur, or the check would not be telling anything
jq -e 'any(.[]; .status == "valid") and any(.[]; .status == "invalidated")' "$TMP/sigs.json" >/dev/null && ok || bad "the random history gave one status only"

# ---- 11.70: a signature cannot be moved to another record, nor its record edited behind the
# engine's back (each on a copy of the database, edited with the sqlite3 tool) ----
tamper() { # NAME SQL
    cp "$LUTETIA_DB" "$TMP/$1.db"
    rm -f "$TMP/$1.db-wal" "$TMP/$1.db-shm"
    sqlite3 "$TMP/$1.db" "$2" || bad "sqlite3 refused: $2"
}
tamper moved "UPDATE record SET data = json_set(data, '\$.record.id', 'Q2/AE001') WHERE kind = 'signature' AND id = 'S000004'"
expect_exit 0 -- "$L" signatures --db "$TMP/moved.db" --user inv1 --json
expect_jq '.[] | select(.id == "S000004") | .record.id == "Q2/AE001" and .status == "invalidated"'
expect_exit 1 -- "$L" audit verify --db "$TMP/moved.db" --user admin
tamper edited "UPDATE record SET data = replace(data, '\"grade\":2', '\"grade\":3') WHERE kind = 'adverse_event' AND id = 'Q1/AE001'"
expect_exit 0 -- "$L" signatures --db "$TMP/edited.db" --user inv1 --patient Q1 --json
expect_jq '.[] | select(.id == "S000004") | .status == "invalidated"'
expect_exit 0 -- "$L" signatures --user inv1 --patient Q1 --json
expect_jq '.[] | select(.id == "S000004") | .status == "valid"'

# ---- the lock ----
expect_exit 0 -- sign stat1 lock --comment "database lock for the primary analysis"
expect_jq '.act == "lock" and .record.kind == "data" and .record.id == "trial" and .patient == null and .full_name == "Stan Tistician"'
LOCKID=$(jq -r .id "$TMP/out")
# refused after the lock: every write of the trial's data, and any further signature
expect_exit 6 -- "$L" record ae --user coord1 --patient Q1 --term Vomiting --grade 1 --start 2025-11-06
expect_err "locked for analysis on .* by Stan Tistician \(signature $LOCKID\): adverse_event records can no longer be changed"
expect_exit 6 -- "$L" consent --user coord1 --patient Q2 --form v2 --date 2025-10-30 --reason "typo"
expect_exit 6 -- "$L" site add --code S3 --name "Site three"
expect_exit 6 -- sign inv1 casebook Q1
expect_err "data locked for analysis"
expect_exit 6 -- sign stat1 lock
# still possible: who signs in (a password, a new user, a second factor), reading; none of it
# invalidates the lock
expect_exit 0 -- sh -c "printf '%s\n' '$PW' | '$L' user password mon1 --password-stdin --user admin"
expect_exit 0 -- "$L" user add --name aud1 --role monitor --site S1 --os-user "$ME"
expect_exit 0 -- "$L" user totp mon1
expect_exit 0 -- "$L" signatures --user mon1 --json
expect_jq '(last | .id == "'"$LOCKID"'" and .status == "valid") and ([.[].id] | length == (unique | length))'
expect_exit 0 -- "$L" signatures --user stat1 --json
expect_jq '([.[] | select(.act == "lock")] | length == 1) and ([.[].id] | length == (unique | length))'
expect_exit 0 -- "$L" analyse km --endpoint DFS --user stat1
expect_err "locked data: data locked for analysis on .* by Stan Tistician \(signature $LOCKID\)"
expect_exit 0 -- "$L" export odm --user stat1 --out "$TMP/locked.xml"
expect_err "locked data"
xmllint --noout --schema "$XSD" "$TMP/locked.xml" 2>"$TMP/xmllint.txt" && ok || bad "locked ODM does not validate: $(tail -3 "$TMP/xmllint.txt")"
s=$(xmllint --xpath 'string(//*[local-name()="ClinicalData"]/*[local-name()="Signatures"]/*[local-name()="Signature"]/@ID)' "$TMP/locked.xml")
[ "$s" = "SG.$LOCKID" ] && ok || bad "the lock's Signature in ClinicalData expected, found '$s'"
expect_exit 0 -- "$L" audit verify --user admin
finish
