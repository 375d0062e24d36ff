# Files, locks and disks, from the command line: `backup --to FILE` is a consistent, verified
# copy even while the -wal file holds commits (copying the file is not); `trial init` creates
# its file exclusively, so concurrent inits on one path leave exactly one trial, whole; a
# locked database, a full disk (the file size limit), a read-only copy and a file that is not
# a trial each get an error naming the cause; --ics and --to never write through a symbolic
# link, a device or a pipe, and stdout write errors are not exit 0.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"

setup_trial && ok || bad "setting up the trial"
make_patients "$TMP/p.json" P 6
ready "$TMP/p.json" S1 coord1 inv1 && ok || bad "preparing patients"
allocations() { sqlite3 "$1" "SELECT count(*) FROM record WHERE kind = 'allocation'"; }

# A helper connection (the sqlite3 tool reading its commands from a fifo) that keeps the
# database open; start_holder waits until it has read the trial, by reading its answer.
start_holder() { # DB
    rm -f "$TMP/hin" "$TMP/hout"; mkfifo "$TMP/hin" "$TMP/hout"
    sqlite3 "$1" <"$TMP/hin" >"$TMP/hout" 2>&1 &
    HOLDER=$!
    exec 7>"$TMP/hin" 8<"$TMP/hout"
}
ask_holder() { echo "$1" >&7; read -r answer <&8; echo "$answer"; }
stop_holder() { exec 7>&- 8<&-; wait "$HOLDER"; }

# ---- backup while the -wal file holds commits ----
start_holder "$LUTETIA_DB"
[ "$(ask_holder "SELECT count(*) > 0 FROM audit;")" = 1 ] && ok || bad "the holder did not read the trial"
for id in P1 P2 P3; do "$LUTETIA" randomise --user coord1 --patient $id >/dev/null || bad "randomising $id"; done
[ -s "$LUTETIA_DB-wal" ] && ok || bad "the commits should be in the -wal file"
HEAD=$("$LUTETIA" audit head)
# copying the file alone loses the allocations still in the -wal, and the copy still verifies
cp "$LUTETIA_DB" "$TMP/cp.db"
[ "$(allocations "$TMP/cp.db")" -lt 3 ] && ok || bad "the plain copy has every allocation: nothing shown"
expect_exit 0 -- "$LUTETIA" audit verify --db "$TMP/cp.db"
expect_exit 1 -- "$LUTETIA" audit verify --db "$TMP/cp.db" --expect-head "$HEAD"
# the backup has them all, and says which head it verified
expect_exit 0 -- "$LUTETIA" backup --to "$TMP/b.db" --json
expect_jq '.verified == true and .head == "'"$HEAD"'" and .records == '"${HEAD%%:*}"
[ "$(allocations "$TMP/b.db")" = 3 ] && ok || bad "the backup lacks allocations"
expect_exit 0 -- "$LUTETIA" audit verify --db "$TMP/b.db" --expect-head "$HEAD"
[ "$(stat -c %a "$TMP/b.db")" = 600 ] && ok || bad "the backup is readable by others"
[ "$(ls "$TMP" | grep -c partial)" = 0 ] && ok || bad "a partial copy was left: $(ls "$TMP")"
# a second backup over the first, from a read-only source, is whole too
"$LUTETIA" randomise --user coord1 --patient P4 >/dev/null || bad "randomising P4"
expect_exit 0 -- "$LUTETIA" backup --to "$TMP/b.db"
expect_out "verified, [0-9]+ audit records, head $("$LUTETIA" audit head)"
[ "$(allocations "$TMP/b.db")" = 4 ] && ok || bad "the second backup lacks allocations"
stop_holder

# ---- targets that are not regular files are refused, and left alone ----
echo "keep me" >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/link.db"
mkfifo "$TMP/pipe.db"
expect_exit 3 -- "$LUTETIA" backup --to "$TMP/link.db"
expect_err 'symbolic link: refused'
expect_exit 3 -- "$LUTETIA" backup --to "$TMP/pipe.db"
expect_err 'not a regular file'
expect_exit 3 -- "$LUTETIA" backup --to "$TMP"
[ "$(cat "$TMP/victim")" = "keep me" ] && [ -L "$TMP/link.db" ] && [ -p "$TMP/pipe.db" ] && ok || bad "a refused target was changed"
expect_exit 2 -- "$LUTETIA" backup
expect_exit 3 -- sh -c '"$0" backup --to "$1" >/dev/full' "$LUTETIA" "$TMP/b2.db"
expect_err 'writing the output: No space left on device'
# --ics: the same rule, through the one output helper
ICS="schedule --protocol $NELMAS --arm B --anchor liver_resection=2026-01-10 --patient NEL-001 --ics"
expect_exit 3 -- "$LUTETIA" $ICS "$TMP/link.db"
expect_err 'symbolic link: refused'
expect_exit 3 -- "$LUTETIA" $ICS "$TMP/pipe.db"
[ "$(cat "$TMP/victim")" = "keep me" ] && [ -L "$TMP/link.db" ] && ok || bad "--ics wrote through a link"
echo old >"$TMP/cal.ics"
expect_exit 0 -- "$LUTETIA" $ICS "$TMP/cal.ics"
grep -q 'BEGIN:VCALENDAR' "$TMP/cal.ics" && ok || bad "--ics did not replace the regular file"
[ "$(ls -a "$TMP" | grep -c '^\.cal\.ics\.')" = 0 ] && ok || bad "a temporary calendar was left"
expect_exit 3 -- sh -c '"$0" $1 "$2" >/dev/full' "$LUTETIA" "$ICS" "$TMP/cal2.ics"

# ---- trial init creates its file exclusively ----
: >"$TMP/empty.db"
expect_exit 8 -- "$LUTETIA" trial init --protocol "$NELMAS" --user ana --db "$TMP/empty.db"
expect_err 'already exists'
[ -f "$TMP/empty.db" ] && [ ! -s "$TMP/empty.db" ] && ok || bad "init changed a file it did not create"
# three inits at once on one path, ten times: exactly one wins each time, and its trial is whole
round=1
while [ $round -le 10 ]; do
    db="$TMP/race$round.db"
    for u in u1 u2 u3; do
        ( "$LUTETIA" trial init --protocol "$NELMAS" --user $u --db "$db" >/dev/null 2>"$TMP/init-$u.err"
          echo $? >"$TMP/init-$u.rc" ) &
    done
    wait
    winners=""
    for u in u1 u2 u3; do [ "$(cat "$TMP/init-$u.rc")" = 0 ] && winners="$winners $u"; done
    set -- $winners
    if [ $# = 1 ]; then
        ok
        # the acknowledged trial is there: its admin is the winner, and it verifies
        [ "$(sqlite3 "$db" "SELECT user FROM audit WHERE seq = 1")" = "$1" ] && ok || bad "round $round: the trial of $1 is gone"
        "$LUTETIA" audit verify --db "$db" >/dev/null && ok || bad "round $round: the trial does not verify"
        for u in u1 u2 u3; do
            [ "$u" = "$1" ] || grep -q 'already exists' "$TMP/init-$u.err" && ok || bad "round $round: $u: $(cat "$TMP/init-$u.err")"
        done
    else
        bad "round $round: $# inits succeeded:$winners"
    fi
    round=$((round + 1))
done

# ---- locked: a clear error, retrying is safe ----
start_holder "$LUTETIA_DB"
[ "$(ask_holder "BEGIN IMMEDIATE; SELECT 'locked';")" = locked ] && ok || bad "the holder did not take the lock"
export LUTETIA_BUSY_TIMEOUT_MS=200
expect_exit 9 -- "$LUTETIA" site add --code S9 --name "Site nine"
expect_err 'locked by another process \(waited 200 ms\); nothing was changed, retrying is safe'
[ "$(ask_holder "COMMIT; SELECT 'released';")" = released ] && ok || bad "the holder did not release"
expect_exit 0 -- "$LUTETIA" site add --code S9 --name "Site nine"
unset LUTETIA_BUSY_TIMEOUT_MS
stop_holder

# ---- disk full (the file size limit stands in for it): an error, nothing half-done ----
N=$("$LUTETIA" audit head)
make_patients "$TMP/q.json" Q 3
expect_exit 3 -- sh -c 'ulimit -f 8; "$0" enrol --user coord1 --site S1 --as-of 2026-11-01 "$1"' "$LUTETIA" "$TMP/q.json"
expect_err 'the disk is full \(or the file size limit was reached'
expect_exit 0 -- "$LUTETIA" audit verify --expect-head "$N"
[ "$("$LUTETIA" audit head)" = "$N" ] && ok || bad "a failed write changed the trail"
# files too: the target is left as it was, no temporary file stays
SUM=$(sha256sum <"$TMP/b.db")
expect_exit 3 -- sh -c 'ulimit -f 8; "$0" backup --to "$1"' "$LUTETIA" "$TMP/b.db"
expect_err 'disk is full \(or the file size limit was reached'
[ "$(sha256sum <"$TMP/b.db")" = "$SUM" ] && ok || bad "a failed backup changed the previous one"
expect_exit 3 -- sh -c 'ulimit -f 8; "$0" $1 "$2"' "$LUTETIA" "$ICS" "$TMP/cal.ics"
expect_err 'the file size limit was reached\); the file was not changed'
grep -q 'BEGIN:VCALENDAR' "$TMP/cal.ics" && ok || bad "a failed --ics changed the calendar"
[ "$(ls -a "$TMP" | grep -c 'partial\|^\.cal\.ics\.')" = 0 ] && ok || bad "a temporary file was left: $(ls -a "$TMP")"

# ---- read-only and not a trial: named ----
mkdir "$TMP/ro" && cp "$LUTETIA_DB" "$TMP/ro/trial.db"
chmod 444 "$TMP/ro/trial.db" && chmod 555 "$TMP/ro" && chmod o+x "$TMP"
AS=""
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
expect_exit 3 -- $AS "$LUTETIA" site add --code S8 --name x --db "$TMP/ro/trial.db"
expect_err 'read-only'
chmod 755 "$TMP/ro"
# ---- a new trial file (and its -wal and -shm, which SQLite gives the file's mode) is 0600:
# it holds patient data, readable by its owner only (docs/store.md says who should read it) ----
(umask 022; "$LUTETIA" trial init --protocol "$NELMAS" --user ana --db "$TMP/mode.db" >/dev/null) && ok || bad "init mode.db"
"$LUTETIA" site add --db "$TMP/mode.db" --user ana --code S1 --name one >/dev/null && ok || bad "site add mode.db"
for f in "$TMP/mode.db" "$TMP/mode.db.key"; do
    m=$(stat -c %a "$f"); [ "$m" = 600 ] && ok || bad "$f has mode $m, expected 600"
done
for f in "$TMP/mode.db-wal" "$TMP/mode.db-shm"; do
    [ -e "$f" ] || continue
    m=$(stat -c %a "$f"); [ "$m" = 600 ] && ok || bad "$f has mode $m, expected 600"
done
echo "a text file, long enough to be read as a database header, but not SQLite at all" >"$TMP/text.db"
expect_exit 9 -- "$LUTETIA" audit verify --db "$TMP/text.db"
expect_err 'not a Lutetia trial database'
finish
