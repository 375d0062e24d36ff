# The audit trail from the command line: one record per change with who, when, what and why;
# `audit log` filters and access; `audit verify` passes on an untouched trial and, after a row is
# edited, deleted or inserted behind the engine's back, exits 1 naming the first bad record; the
# same edits made with the engine's own access are refused. Also: a newer database is refused
# untouched. The same script runs on an SQLite file (cli-audit: the sqlite3 tool edits) and on
# PostgreSQL (audit-pg, under tests/store/pg-run.sh: psql as the cluster's superuser edits, the
# application role is refused): tests/cli/store_sql.sh holds the two stores' SQL access.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/cli/store_sql.sh"

setup_trial && ok || bad "setting up the trial"
make_patients "$TMP/p.json" P 6
ready "$TMP/p.json" S1 coord1 inv1 && ok || bad "preparing patients"
make_patients "$TMP/q.json" Q 2
ready "$TMP/q.json" S2 coord2 inv2 && ok || bad "preparing patients at S2"
for id in P1 P2 P3 Q1; do
    u=coord1; [ "$id" = Q1 ] && u=coord2
    "$LUTETIA" randomise --user $u --patient $id >/dev/null || bad "randomising $id"
done

# ---- the log ----
expect_exit 0 -- "$LUTETIA" audit verify --json
expect_jq '.verified == true and .records > 40 and (.head | length) == 64 and .seed_checked'
N=$(jq .records "$TMP/out")
expect_exit 0 -- "$LUTETIA" audit log --json
expect_jq 'length == '"$N"' and ([.[].seq] == [range(1; '"$N"' + 1)])
           and .[0].action == "trial.create" and .[0].prev_hash == ("0" * 64)
           and all(.[]; (.hash | length) == 64 and (.at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")))
           and ([.[1:][].prev_hash] == [.[:-1][].hash])'
# one record per change, in order, attributed: P1's life in the trail
expect_exit 0 -- "$LUTETIA" audit log --patient P1 --json
expect_jq '[.[].action] == ["screen", "patient_data", "enrol", "consent", "confirm", "allocate", "randomise"]
           and ([.[].user] == ["coord1", "coord1", "coord1", "coord1", "inv1", "coord1", "coord1"])
           and ([.[].role] | unique) == ["coordinator", "investigator"]
           and all(.[]; .site == "S1" and .patient == "P1")
           and .[1].old == null and .[1].new.id == "P1" and .[1].new.birth_date == "1962-03-14"
           and .[2].old == null and .[2].new.state == "screened"
           and .[3].old.state == "screened" and .[3].new.state == "consented"
           and .[6].old.arm == null and (.[6].new.arm == "A" or .[6].new.arm == "B")'
expect_exit 0 -- "$LUTETIA" audit log --patient P1
expect_out 'coord1 +coordinator +S1 +consent +patient P1'
expect_exit 0 -- "$LUTETIA" audit log --since 2999-01-01 --json
expect_jq 'length == 0'
expect_exit 0 -- "$LUTETIA" audit log --since 2000-01-01 --json
expect_jq 'length == '"$N"
expect_exit 2 -- "$LUTETIA" audit log --since yesterday
# a monitor of S1 sees S1 and trial-wide records, never S2's
expect_exit 0 -- "$LUTETIA" audit log --user mon1 --json
expect_jq 'length > 10 and all(.[]; .site == "" or .site == "S1")'
expect_exit 0 -- "$LUTETIA" audit log --user mon1 --patient Q1 --json
expect_jq 'length == 0'
expect_exit 0 -- "$LUTETIA" audit log --user admin --patient Q1 --json
expect_jq 'length == 7'
expect_exit 7 -- "$LUTETIA" audit log --user stat1
expect_exit 7 -- "$LUTETIA" audit log --user inv1

# ---- tampering: each on a fresh copy of the database, on either store (store_sql.sh) ----
# tamper NAME REFUSED SQL: a copy of the trial in $DB, and SQL done there by whoever can write
# the database outright (on PostgreSQL the cluster's superuser). REFUSED names the table whose
# rules refuse the same edit to the engine's own access (on PostgreSQL: the application role's
# grants, and the triggers even for the owner), shown with the error and the copy unchanged; "-"
# when the engine itself may make such a change (a record is corrected in place, a new record
# inserted), so that only `audit verify` stands guard.
tamper() {
    DB=$(db_copy "$1") || { bad "$1: copying the trial"; return; }
    if [ "$2" != - ]; then
        case $2 in
        audit) trigger='the audit trail is append-only' ;;
        record) trigger='records are corrected, never deleted' ;;
        sealed_seed) trigger='the seed is set once' ;;
        esac
        sum=$(db_sum "$DB")
        if db_app "$DB" "$3"; then bad "$1: the engine's own access made the edit"; else
            if [ $STORE = pg ]; then expect_err "permission denied for table $2"; else expect_err "$trigger"; fi
        fi
        if [ $STORE = pg ]; then # the triggers hold against the owner too
            if db_owner "$DB" "$3"; then bad "$1: the owner made the edit with the triggers on"; else
                expect_err "$trigger"
            fi
        fi
        [ "$(db_sum "$DB")" = "$sum" ] && ok || bad "$1: a refused edit changed the database"
    fi
    db_tamper "$DB" "$3" || bad "$1: the tamperer could not: $3"
}
# the engine's own access cannot switch the rules off either
if [ $STORE = pg ]; then
    DB=$(db_copy rules) || bad "copying the trial"
    db_app "$DB" "SET session_replication_role = replica" && bad "the application role switched triggers off" ||
        expect_err 'permission denied to set parameter "session_replication_role"'
    db_app "$DB" "ALTER TABLE audit DISABLE TRIGGER audit_no_update" && bad "the application role disabled a trigger" ||
        expect_err 'must be owner of table audit'
    db_app "$DB" "TRUNCATE audit" && bad "the application role truncated the trail" ||
        expect_err 'permission denied for table audit'
else
    DB=$(db_copy rules) || bad "copying the trial"
    db_app "$DB" "DELETE FROM audit" && bad "the trail was emptied" || expect_err 'the audit trail is append-only'
fi

# an audit record edited: who did it
tamper edit audit "UPDATE audit SET \"user\" = 'inv1' WHERE seq = 12"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err 'audit verify FAILED: audit record 12: contents do not match its hash'
# an audit record deleted
tamper delete audit "DELETE FROM audit WHERE seq = 20"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB" --json
expect_jq '.verified == false and .where == "audit record 21" and (.problem | test("record 20 was deleted"))'
# an audit record inserted in the middle (with the sequence shifted to make room)
tamper insert audit "UPDATE audit SET seq = seq + 1000 WHERE seq > 15;
               UPDATE audit SET seq = seq - 999 WHERE seq > 1000;
               INSERT INTO audit SELECT 16, at, \"user\", role, site, 'confirm', entity, entity_id,
                 patient, old_value, new_value, 'inserted', hash, hash, form, key FROM audit WHERE seq = 15"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err 'audit record 16'
# a record changed without its audit record: the arm of a randomised patient
tamper arm - "UPDATE record SET data = replace(replace(replace(data, '\"arm\":\"A\"', '\"arm\":\"X\"'), '\"arm\":\"B\"', '\"arm\":\"A\"'), '\"arm\":\"X\"', '\"arm\":\"B\"') WHERE kind = 'patient' AND id = 'P2'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "patient 'P2': the stored record differs from what audit record [0-9]+ wrote"
# a patient moved to another site behind the engine's back
tamper site - "UPDATE record SET site = 'S2' WHERE kind = 'patient' AND id = 'P4'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "patient 'P4'"
# an allocation's audit_seq moved back: the next randomisation in its stratum would reuse a block
tamper seqedit - "UPDATE record SET audit_seq = 1 WHERE kind = 'allocation' AND id = '000000002'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "allocation '000000002': the stored record differs from what audit record [0-9]+ wrote \(audit_seq\)"
# an allocation moved to another stratum (its key) or its revision changed
tamper keyedit - "UPDATE record SET key = 'other' WHERE kind = 'allocation' AND id = '000000003'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "allocation '000000003': .* \(key\)"
tamper revedit - "UPDATE record SET rev = rev + 1 WHERE kind = 'patient' AND id = 'P1'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "patient 'P1': .* \(rev\)"
# a record inserted: an allocation nobody made
tamper row - "INSERT INTO record SELECT kind, '000000099', site, patient, key, data, 1, audit_seq FROM record WHERE kind = 'allocation' AND id = '000000001'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "allocation '000000099': this record has no audit record: it was inserted"
# a record deleted
tamper gone record "DELETE FROM record WHERE kind = 'screening' AND id = 'P5/001'"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "screening 'P5/001' written by audit record [0-9]+ is missing"
# the last audit record cut off: the record it wrote is newer than the trail
tamper tail audit "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB"
expect_err "differs from what audit record"
# the randomisation seed replaced: every allocation to come would change. The seed is sealed,
# so a replacement is either garbage the key does not open, or another trial's sealed seed
# presented with that trial's key; both are caught, and without a key the seed is reported
# as not checked rather than passed.
KEY=${LUTETIA_KEY_FILE:-$LUTETIA_DB.key}
# the seed is stored sealed (72 bytes: nonce, MAC, seed), never in the clear
[ "$(db_value "$LUTETIA_DB" "SELECT count(*) FROM secret")" = 0 ] && ok || bad "a clear seed in the store"
[ "$(db_value "$LUTETIA_DB" "SELECT length(box) FROM sealed_seed")" = 72 ] && ok || bad "no sealed seed"
tamper seed sealed_seed "UPDATE sealed_seed SET box = $(db_blob "$(printf '%0144d' 0)")"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB" --key-file "$KEY"
expect_err "audit verify FAILED: .*$(basename "$KEY"): this key does not open the trial.s sealed seed"
# and no allocation is made from it (trial.sh's case, here on both stores)
expect_exit 10 -- "$LUTETIA" randomise --user coord1 --patient P5 --db "$DB" --key-file "$KEY"
expect_err 'this key does not open'
OTHER=$(db_new other) || bad "a database for another trial"
"$LUTETIA" trial init --protocol "$NELMAS" --db "$OTHER" --key-file "$TMP/other.key" >/dev/null || bad "other trial"
BOX=$(db_value "$OTHER" "SELECT $(db_hex box) FROM sealed_seed")
[ ${#BOX} = 144 ] && ok || bad "the other trial's sealed seed: '$BOX'"
tamper seed2 sealed_seed "UPDATE sealed_seed SET box = $(db_blob "$BOX")"
expect_exit 1 -- "$LUTETIA" audit verify --db "$DB" --key-file "$TMP/other.key"
expect_err 'audit verify FAILED: seed: the stored randomisation seed does not match the commitment'
expect_exit 10 -- "$LUTETIA" randomise --user coord1 --patient P5 --db "$DB" --key-file "$TMP/other.key"
expect_err 'does not match the commitment'
expect_exit 0 -- env -u LUTETIA_KEY_FILE "$LUTETIA" audit verify --db "$DB" --json
expect_jq '.verified and .seed_checked == false'
# the untouched original still verifies
expect_exit 0 -- "$LUTETIA" audit verify
expect_out "audit trail verified: $N records"

# ---- the log cannot be forged: control characters are shown escaped ----
FORGED=$(printf 'typo\n    99 2026-11-01T00:00:00Z admin forged line\033[2J\tend\\n')
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient P6 --form v3 --date "$ASOF" --reason "$FORGED"
expect_exit 0 -- "$LUTETIA" audit log --patient P6
expect_out '\(reason: typo\\n    99 2026-11-01T00:00:00Z admin forged line\\x1b\[2J\\tend\\\\n\)$'
if grep -q "$(printf '\033')" "$TMP/out"; then bad "an ESC reached the terminal"; else ok; fi
[ "$(wc -l <"$TMP/out")" = 6 ] && ok || bad "6 audit records of P6 should be 6 lines, got $(wc -l <"$TMP/out")"
expect_exit 0 -- "$LUTETIA" audit log --patient P6 --json
expect_jq '.[-1].reason == "'"typo\\n    99 2026-11-01T00:00:00Z admin forged line\\u001b[2J\\tend\\\\n"'"'
N=$((N + 1))

# ---- every write to stdout is checked ----
for cmd in "audit log --json" "audit log" "audit verify" "audit verify --json" "audit head"; do
    expect_exit 3 -- sh -c "\"\$0\" $cmd >/dev/full" "$LUTETIA"
    expect_err 'writing the output: No space left on device'
done

# ---- anchors outside the file: the head, signed checkpoints ----
expect_exit 0 -- "$LUTETIA" audit head
expect_out "^$N:[0-9a-f]{64}\$"
HEAD=$(cat "$TMP/out")
expect_exit 0 -- "$LUTETIA" audit head --json
expect_jq '.seq == '"$N"' and .head == "'"$HEAD"'" and (.hash | length) == 64'
expect_exit 0 -- "$LUTETIA" audit verify --expect-head "$HEAD"
expect_out "the chain holds the expected head $HEAD"
expect_exit 2 -- "$LUTETIA" audit verify --expect-head 12:xyz
expect_err 'expected SEQ:HASH'
expect_exit 1 -- "$LUTETIA" audit verify --expect-head "$((N + 5)):${HEAD#*:}"
expect_err 'the trail was cut'
expect_exit 0 -- "$LUTETIA" audit keygen --key "$TMP/audit.key" --public-key "$TMP/audit.pub"
[ "$(stat -c %a "$TMP/audit.key")" = 600 ] && ok || bad "the secret key is readable by others"
expect_exit 8 -- "$LUTETIA" audit keygen --key "$TMP/audit.key" --public-key "$TMP/other.pub"
expect_err 'never overwritten'
expect_exit 1 -- "$LUTETIA" audit verify --public-key "$TMP/audit.pub"
expect_err 'no checkpoint signed by this public key'
expect_exit 4 -- "$LUTETIA" audit checkpoint --key "$TMP/audit.pub"
expect_err 'audit.pub: expected 128 hex digits .*looks like the public key'
expect_exit 0 -- "$LUTETIA" audit checkpoint --key "$TMP/audit.key" --json
expect_jq '.signed == true and .seq == '"$N"' and "\(.seq):\(.hash)" == "'"$HEAD"'"'
expect_exit 0 -- "$LUTETIA" audit verify --public-key "$TMP/audit.pub" --json
expect_jq '.verified == true and .checkpoints == 1'

# A tamperer rewrites the last audit record (who made the last change) and recomputes its hash,
# as anyone can with sqlite3, jq and sha256sum: plain verification passes, the anchors do not.
RW=$(db_copy rewritten) || bad "copying the trial"
db_row "$RW" "SELECT * FROM audit WHERE seq = $N" |
    jq -c '.user = "mallory" | [.seq, .at, .user, .role, .site, .action, .entity,
           .entity_id, .patient, .old_value, .new_value, .reason, .prev_hash, .key]' |
    tr -d '\n' >"$TMP/canon"
NEWHASH=$(sha256sum <"$TMP/canon" | cut -c1-64)
db_tamper "$RW" "UPDATE audit SET \"user\" = 'mallory', hash = '$NEWHASH' WHERE seq = $N" || bad "rewriting"
expect_exit 0 -- "$LUTETIA" audit verify --db "$RW"
expect_exit 1 -- "$LUTETIA" audit verify --db "$RW" --expect-head "$HEAD"
expect_err "audit record $N: the trail holds hash .* not the expected head"
expect_exit 1 -- "$LUTETIA" audit verify --db "$RW" --public-key "$TMP/audit.pub"
expect_err "checkpoint at audit record $N: .*rewritten after it was signed"
# the untouched trial grows on: its checkpoint and the old head still hold
"$LUTETIA" randomise --user coord1 --patient P5 >/dev/null || bad "randomising P5"
expect_exit 0 -- "$LUTETIA" audit verify --expect-head "$HEAD" --public-key "$TMP/audit.pub"

# ---- read-only: verify, head and the reading verbs open the file read-only, change nothing ----
# On PostgreSQL, the same through a role granted SELECT and nothing else (an auditor's or a
# reporting account): reading works, a write is refused by the grants with the cause named.
if [ $STORE = pg ]; then
    "$LUTETIA" user add --name ro1 --role monitor --all-sites --os-user "$ME" --user admin >/dev/null &&
      ok || bad "adding ro1"
    DB=$(db_copy ro) || bad "copying the trial"
    pg_sql -d "$DB" -c "DO \$\$BEGIN CREATE ROLE lt_ro LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" \
        -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO lt_ro" >/dev/null || bad "the reading role"
    RO=$(pg_url "$DB" "$(pg_name "$DB")" lt_ro)
    SUM=$(db_sum "$DB")
    expect_exit 0 -- "$LUTETIA" audit verify --db "$RO"
    expect_out 'audit trail verified'
    expect_exit 0 -- "$LUTETIA" audit head --db "$RO"
    expect_exit 0 -- "$LUTETIA" patients --db "$RO" --user ro1
    expect_exit 0 -- "$LUTETIA" trial show --db "$RO" --user ro1
    expect_exit 0 -- "$LUTETIA" audit log --db "$RO" --user ro1
    expect_out 'randomise'
    expect_exit 7 -- "$LUTETIA" site add --db "$RO" --user admin --code S9 --name nine
    expect_err 'the database role may not do this \(permission denied for table audit\)'
    [ "$(db_sum "$DB")" = "$SUM" ] && ok || bad "reading through the SELECT-only role changed the database"
else
    "$LUTETIA" user add --name ro1 --role monitor --all-sites --os-user nobody --user admin >/dev/null &&
      ok || bad "adding ro1, bound to nobody"
    mkdir "$TMP/ro" && cp "$LUTETIA_DB" "$TMP/ro/trial.db"
    SUM=$(sha256sum <"$TMP/ro/trial.db")
    chmod 444 "$TMP/ro/trial.db" && chmod 555 "$TMP/ro"
    # as root, permissions do not bind: run as nobody, for whom the copy and its folder are read-only
    AS=""
    [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
    chmod o+x "$TMP"
    expect_exit 0 -- $AS "$LUTETIA" audit verify --db "$TMP/ro/trial.db"
    expect_out 'audit trail verified'
    expect_exit 0 -- $AS "$LUTETIA" audit head --db "$TMP/ro/trial.db"
    if [ -n "$AS" ]; then # the reading verbs, as the trial user bound to nobody
        expect_exit 0 -- $AS "$LUTETIA" patients --db "$TMP/ro/trial.db" --user ro1
        expect_exit 0 -- $AS "$LUTETIA" trial show --db "$TMP/ro/trial.db" --user ro1
        expect_exit 0 -- $AS "$LUTETIA" audit log --db "$TMP/ro/trial.db" --user ro1
        expect_out 'randomise'
        expect_exit 0 -- $AS "$LUTETIA" due --db "$TMP/ro/trial.db" --user ro1 --from 2026-01-01 --to 2027-12-31
        # a change through a reading copy is refused with the cause named
        expect_exit 3 -- $AS "$LUTETIA" site add --db "$TMP/ro/trial.db" --user ro1 --code S9 --name nine
        expect_err 'read-only'
    fi
    [ "$(sha256sum <"$TMP/ro/trial.db")" = "$SUM" ] && ok || bad "verify changed a read-only copy"
    [ "$(ls "$TMP/ro")" = trial.db ] && ok || bad "verify left files beside a read-only copy: $(ls "$TMP/ro")"
    chmod 755 "$TMP/ro"
fi

# ---- versions: a newer database is refused and left as it was ----
NEW=$(db_copy new) || bad "copying the trial"
db_schema_version "$NEW" 99
SUM=$(db_sum "$NEW")
expect_exit 11 -- "$LUTETIA" patients --db "$NEW" --user admin
expect_err 'schema version 99, newer than this program'
[ "$(db_sum "$NEW")" = "$SUM" ] && ok || bad "refusing a newer database changed it"
expect_exit 11 -- "$LUTETIA" audit verify --db "$NEW"
finish
