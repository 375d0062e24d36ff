#!/bin/sh
# Faults during writes on PostgreSQL (run by tests/store/pg-run.sh on a throwaway cluster), the
# client/server counterpart of test_fault.c. On a file store the faults that matter are the
# process's own: an allocation or a disk write failing. On a client/server store the writes
# happen in another process, so the faults are the connection's: the command killed with
# SIGKILL in the middle of its transaction, or its backend terminated (pg_terminate_backend, as
# an administrator or a failover does). The server's own disk filling up is not reproduced: a
# full disk makes PostgreSQL fail the statement or the commit with an error, which reaches the
# engine exactly as a terminated backend's error does, but filling a disk needs a filesystem of
# its own (a loop mount, root), which make check does not have.
#
# How a fault lands at a known place, without timing: a row trigger on every table of the store
# (records, audit, checkpoints, seeds) counts the rows written, and the k-th one waits for an
# advisory lock that the test holds, so the command is stopped inside its transaction, after
# k - 1 rows are written, for as long as the test likes. The test then kills the command, or
# terminates its backend, and releases the lock. k runs over every row the operation writes
# (every one up to 12, beyond that a stride and always the last). After each fault: the command
# ended in a clean error (a terminated backend) or died (SIGKILL); the database holds the same
# rows as before (a digest of every table) or, after SIGKILL only, the whole operation (its
# COMMIT had been sent), never a part; the chain verifies; and the operation then succeeds. In a
# batch of randomisations (one transaction each), every acknowledged allocation is stored, and
# nothing else but at most the one in flight, whole: acknowledged means committed; the batch is
# also stopped by the server crashing (its backend killed with SIGKILL: the postmaster restarts
# through WAL recovery), after which the same holds.
# LT_FAULT_ONLY=OP runs one operation (enrol, randomise, lab, batch), as in test_fault.c.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/cli/store_sql.sh"
[ $STORE = pg ] || { echo "pg-fault.sh runs under tests/store/pg-run.sh"; echo "0 passed, 1 failed"; exit 1; }
L="$LUTETIA"
LOCK="7331, 1" # the advisory lock the k-th row waits for (two keys: no clash with the store's)

# ---- the trial every fault starts from ----
setup_trial "$TEST_SEED" || bad "setting up the trial"
make_patients "$TMP/p.json" P 6
ready "$TMP/p.json" S1 coord1 inv1 || bad "preparing patients"
"$L" randomise --user coord1 --patient P1 >/dev/null || bad "randomising P1"
make_patients "$TMP/e.json" E 1
printf 'P4\nP5\n' >"$TMP/batch"
# the counting trigger, in the trial's database, so that every copy has it
pg_sql -d "$LUTETIA_DB" -c "
CREATE SEQUENCE lt_fault_n;
CREATE TABLE lt_fault_at (k bigint NOT NULL);
INSERT INTO lt_fault_at VALUES (0);
CREATE FUNCTION lt_fault() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF nextval('lt_fault_n') = (SELECT k FROM lt_fault_at) THEN
        PERFORM pg_advisory_xact_lock($LOCK);
    END IF;
    RETURN NULL;
END\$\$;
CREATE TRIGGER lt_fault AFTER INSERT OR UPDATE OR DELETE ON record FOR EACH ROW EXECUTE FUNCTION lt_fault();
CREATE TRIGGER lt_fault AFTER INSERT OR UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION lt_fault();
CREATE TRIGGER lt_fault AFTER INSERT OR UPDATE OR DELETE ON checkpoint FOR EACH ROW EXECUTE FUNCTION lt_fault();
CREATE TRIGGER lt_fault AFTER INSERT OR UPDATE OR DELETE ON sealed_seed FOR EACH ROW EXECUTE FUNCTION lt_fault();
CREATE TRIGGER lt_fault AFTER INSERT OR UPDATE OR DELETE ON secret FOR EACH ROW EXECUTE FUNCTION lt_fault();" >/dev/null ||
    bad "installing the counting trigger"
"$L" audit verify >/dev/null || bad "the trial does not verify before the faults"
PRISTINE=$(pg_name "$LUTETIA_DB")
# rows DB: every row the trial holds, as one digest (the counter's own objects left out: they
# count on); a query, not pg_dump, because it runs after every fault
rows_sum() {
    pg_sql -At -d "$1" -c "SELECT md5(string_agg(t, E'\\n' ORDER BY t)) FROM (
        SELECT 'audit ' || a::text FROM audit a UNION ALL SELECT 'record ' || r::text FROM record r
        UNION ALL SELECT 'checkpoint ' || c::text FROM checkpoint c
        UNION ALL SELECT 'sealed_seed ' || s::text FROM sealed_seed s
        UNION ALL SELECT 'secret ' || x::text FROM secret x
        UNION ALL SELECT 'schema ' || v::text FROM lutetia_schema v) u(t)"
}
SUM0=$(rows_sum "$LUTETIA_DB")

# op OP DB [exec]: the operation OP on DB. With exec, the command replaces the (background)
# subshell running it, so that $! is the command itself and SIGKILL reaches it, not a shell
op() {
    run=${3:-}
    case $1 in
    enrol) $run "$L" enrol --db "$2" --user coord1 --site S1 --as-of "$ASOF" "$TMP/e.json" ;;
    randomise) $run "$L" randomise --db "$2" --user coord1 --patient P2 ;;
    lab) $run "$L" record lab --db "$2" --user coord1 --patient P1 --date 2026-11-03 --analyte platelets \
        --value 200 --unit 10^9/L --lln 150 --uln 400 ;;
    batch) $run "$L" randomise --db "$2" --user coord1 --patients "$TMP/batch" ;;
    esac
}

# work K: a fresh copy of the trial whose K-th written row waits (0: none); prints its URL
work() {
    n="${PRISTINE}_w"
    pg_sql -d "$LUTETIA_TEST_DB" -c "DROP DATABASE IF EXISTS $n WITH (FORCE)" \
        -c "CREATE DATABASE $n TEMPLATE $PRISTINE" >/dev/null || return 1
    u=$(printf '%s\n' "$LUTETIA_DB" | sed "s|/$PRISTINE?|/$n?|")
    pg_sql -d "$u" -c "UPDATE lt_fault_at SET k = $1" >/dev/null && echo "$u"
}
# until_is DB SQL WANT [PID]: asks SQL again until it answers WANT; fails at once when process
# PID (the command waited for) has ended meanwhile, and after a bounded number of questions, so
# a wait that never ends is a failure, not a hang. No sleeping: each question is a round trip.
until_is() {
    i=0
    while [ "$(pg_sql -At -d "$1" -c "$2" 2>/dev/null)" != "$3" ]; do
        i=$((i + 1))
        [ $i -lt 1000 ] || return 1
        [ -z "${4:-}" ] || kill -0 "$4" 2>/dev/null || return 1
    done
}
blocked_pid() {
    pg_sql -At -d "$1" -c "SELECT pid FROM pg_locks WHERE locktype = 'advisory'
        AND classid = ${LOCK%%,*} AND objid = ${LOCK##* } AND objsubid = 2 AND NOT granted"
}

# fault OP K MODE: OP on the database $W, stopped at its K-th row, then MODE: kill (SIGKILL to
# the command), terminate (its backend), or crash (SIGKILL to its backend, which the postmaster
# takes for a crash of the server: every session ends, and it restarts through recovery).
# Leaves the command's status in $RC.
fault() {
    # the count starts again (a sequence does not roll back with the transaction it served)
    pg_sql -d "$W" -c "UPDATE lt_fault_at SET k = $2" -c "SELECT setval('lt_fault_n', 1, false)" \
        >/dev/null || { bad "$1 at row $2: setting k"; return 1; }
    # the test's session takes the lock first, and keeps it until released
    rm -f "$TMP/hold"
    mkfifo "$TMP/hold"
    pg_sql -d "$W" <"$TMP/hold" >/dev/null 2>&1 &
    holder=$!
    exec 4>"$TMP/hold"
    echo "SELECT pg_advisory_lock($LOCK);" >&4
    held="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${LOCK%%,*}
          AND objid = ${LOCK##* } AND objsubid = 2 AND granted"
    until_is "$W" "$held" 1 || bad "$1 at row $2: the test never held its lock"
    op "$1" "$W" exec 4>&- >"$TMP/out" 2>"$TMP/err" &
    cmd=$!
    if until_is "$W" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                      AND classid = ${LOCK%%,*} AND objid = ${LOCK##* } AND objsubid = 2
                      AND NOT granted" 1 $cmd; then
        case $3 in
        kill) kill -9 $cmd ;;
        terminate) pg_sql -At -d "$W" -c "SELECT pg_terminate_backend($(blocked_pid "$W"))" >/dev/null ;;
        # the backend dies: the postmaster ends every session and recovers from the WAL
        crash) kill -9 "$(blocked_pid "$W")" ;;
        esac
    else
        bad "$1 at row $2: the command never reached row $2: $(cat "$TMP/out" "$TMP/err")"
    fi
    exec 4>&- # psql reads the end of its input and leaves: the lock is released
    wait $holder
    wait $cmd
    RC=$?
    # the killed command's backend rolls back when it finds the connection gone
    until_is "$W" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND pid <> pg_backend_pid()" 0 || bad "$1 at row $2: a session stayed"
}

# the command's end after a fault: SIGKILL (137), or the store's error (9) naming the connection
check_end() { # OP K MODE
    if [ "$3" = kill ]; then
        [ $RC = 137 ] && ok || bad "$1 at row $2: killed, yet exit $RC"
    else
        # 9: "storage: the database reported an error" (README's exit codes)
        [ $RC = 9 ] && ok || bad "$1 at row $2: exit $RC after its backend was ${3}d, not 9"
        expect_err 'terminat|connection'
    fi
}

# rows OP: how many rows OP writes (the counter, on a copy where no row waits), and how many
# of them are audit records
rows() {
    W=$(work 0) || return 1
    a0=$(pg_sql -At -d "$W" -c "SELECT count(*) FROM audit")
    op "$1" "$W" >/dev/null 2>&1 || { bad "$1 fails without a fault"; return 1; }
    pg_sql -At -d "$W" -c "SELECT last_value, count(*) - $a0 FROM lt_fault_n, audit GROUP BY 1" | tr '|' ' '
}
N0=$(pg_sql -At -d "$LUTETIA_DB" -c "SELECT count(*) FROM audit")
# places N: the rows to stop at: every one up to 12, then a stride, and always the last
places() {
    [ "$1" -gt 0 ] || return 0
    stride=$((($1 + 11) / 12))
    k=1
    while [ $k -lt "$1" ]; do echo $k; k=$((k + stride)); done
    echo "$1"
}
# One transaction each: after a fault the database holds none of the operation, or (SIGKILL
# only) all of it: the store may send its last statements and COMMIT in one message, which the
# server carries out though the command is gone, and then the command died unacknowledged,
# which is allowed. Never a part. While the database is as it was, the next fault is made on the
# same copy (the digest proves it), else on a fresh one; the operation is finally done whole.
total_runs=0
for o in enrol randomise lab; do
    [ -z "${LT_FAULT_ONLY:-}" ] || [ "$LT_FAULT_ONLY" = $o ] || continue
    set -- $(rows $o) || continue
    n=${1:-0} audits=${2:-0}
    [ "$n" -ge 2 ] && [ "$audits" -ge 1 ] && ok ||
        bad "$o writes $n rows and $audits audit records: at least its record and its audit record"
    W=$(work 0) || { bad "$o: copying the trial"; continue; }
    none=0 whole=0
    for k in $(places "$n"); do
        for mode in kill terminate; do
            fault $o "$k" $mode || continue
            total_runs=$((total_runs + 1))
            check_end $o "$k" $mode
            if [ "$(rows_sum "$W")" = "$SUM0" ]; then
                # the same rows as the trial that verified: nothing half-written, the chain whole
                ok; none=$((none + 1))
            else
                na=$(pg_sql -At -d "$W" -c "SELECT count(*) FROM audit")
                if [ $mode = kill ] && [ "$na" = $((N0 + audits)) ] && "$L" audit verify --db "$W" >/dev/null 2>&1; then
                    ok; whole=$((whole + 1))
                else
                    bad "$o stopped at row $k of $n ($mode): part of it stored ($((na - N0)) audit records of $audits)"
                fi
                W=$(work 0) || bad "$o: copying the trial"
            fi
        done
    done
    # and the operation, done again, succeeds and verifies
    pg_sql -d "$W" -c "UPDATE lt_fault_at SET k = 0" >/dev/null
    op $o "$W" >/dev/null 2>"$TMP/verr" && ok || bad "$o after the faults: $(cat "$TMP/verr")"
    [ "$(rows_sum "$W")" != "$SUM0" ] && ok || bad "$o after the faults: nothing stored"
    "$L" audit verify --db "$W" >/dev/null && ok || bad "$o after the faults: the chain"
    printf '  %-10s %2d rows written, stopped at %s, each killed and terminated: %d times none of it stored, %d times all\n' \
        $o "$n" "$(places "$n" | tr '\n' ' ')" $none $whole
done

# A batch of randomisations, one transaction each: stopped anywhere, every acknowledged
# allocation is stored with its arm, and nothing more (the one in flight did not commit).
allocated() { "$L" patients --db "$1" --user admin --json | jq -c '[.patients[] | select(.allocation != null) | [.id, .arm, .allocation]] | sort'; }
BEFORE=$(allocated "$LUTETIA_DB")
n=0
[ -z "${LT_FAULT_ONLY:-}" ] || [ "$LT_FAULT_ONLY" = batch ] && { set -- $(rows batch); n=${1:-0}; }
for k in $(places "$n"); do
    modes="kill terminate"
    [ $((k % 3)) = 0 ] && modes="$modes crash" # the server crashing: a few places suffice
    for mode in $modes; do
        W=$(work 0) || { bad "batch: copying the trial"; continue; }
        fault batch "$k" $mode || continue
        total_runs=$((total_runs + 1))
        check_end batch "$k" $mode
        # only whole acknowledgements count
        acked=$(grep -E '^ack [0-9]+ P[0-9]+ [AB] [0-9]+$' "$TMP/out" |
            jq -Rnc '[inputs | split(" ") | [.[2], .[3], (.[1] | tonumber)]]' 2>/dev/null)
        [ -n "$acked" ] || acked='[]'
        got=$(allocated "$W")
        want=$(jq -cn --argjson a "$BEFORE" --argjson b "$acked" '$a + $b | sort')
        # what was stored beyond the acknowledged: nothing, or (SIGKILL: see above) the one
        # allocation in flight, whole
        extra=$(jq -cn --argjson g "$got" --argjson w "$want" '($g - $w) as $x
            | if ($w - $g) != [] then "lost" else ($x | length) end')
        if [ "$extra" = 0 ] || { [ $mode = kill ] && [ "$extra" = 1 ]; }; then ok; else
            bad "batch stopped at row $k of $n ($mode): stored $got, acknowledged $acked"
        fi
        "$L" audit verify --db "$W" >/dev/null && ok || bad "batch stopped at row $k ($mode): the chain"
        "$L" randomise --db "$W" --replay --user ustat1 --json >"$TMP/rep" &&
            jq -e '.verified' "$TMP/rep" >/dev/null && ok || bad "batch stopped at row $k ($mode): the replay"
    done
done
[ "$n" = 0 ] ||
    printf '  %-10s %2d rows written, stopped at %s, each killed and terminated; the server crashed at %s\n' \
        batch "$n" "$(places "$n" | tr '\n' ' ')" "$(places "$n" | awk '$1 % 3 == 0' | tr '\n' ' ')"
echo "  $total_runs faults injected"
pg_sql -d "$LUTETIA_TEST_DB" -c "DROP DATABASE IF EXISTS ${PRISTINE}_w WITH (FORCE)" >/dev/null
finish
