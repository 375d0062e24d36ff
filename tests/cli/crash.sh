# Crash test: a batch of randomisations (one durable transaction each) is killed with SIGKILL in
# the middle, twice; after each kill the trial is reopened and checked: every acknowledged
# allocation is there with the arm that was acknowledged, at most the one in flight was added
# beyond them, the numbers run without gap or repeat and replay from the seed (so no allocation
# was used twice or skipped), and the audit chain verifies. The batch then finishes the rest.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"

TOTAL=120
setup_trial && ok || bad "setting up the trial"
make_patients "$TMP/k.json" K $TOTAL
ready "$TMP/k.json" S1 coord1 inv1 && ok || bad "preparing $TOTAL patients"

allocated() { "$LUTETIA" patients --user admin --json | jq '.flow.allocated'; }

# kill_batch ROUND AFTER: starts a batch over the patients not yet allocated and kills it with
# SIGKILL as soon as AFTER acknowledgements have been read. The acknowledgements come through a
# FIFO read line by line, so the kill lands in the middle of the batch however fast the disk
# commits; whatever the batch wrote before it died is still read to the end.
kill_batch() {
    "$LUTETIA" patients --user admin --json |
        jq -r '.patients[] | select(.allocation == null) | .id' >"$TMP/todo$1"
    : >"$TMP/ack$1"
    rm -f "$TMP/fifo$1"
    mkfifo "$TMP/fifo$1"
    "$LUTETIA" randomise --user coord1 --patients "$TMP/todo$1" >"$TMP/fifo$1" 2>"$TMP/err$1" &
    pid=$!
    exec 3<"$TMP/fifo$1"
    n=0
    killed=0
    while IFS= read -r line <&3; do
        printf '%s\n' "$line" >>"$TMP/ack$1"
        case $line in "ack "*) n=$((n + 1)) ;; esac
        if [ "$n" -ge "$2" ]; then
            kill -9 $pid 2>/dev/null && killed=1
            break
        fi
    done
    cat <&3 >>"$TMP/ack$1"
    exec 3<&-
    if [ $killed = 1 ]; then ok; else bad "round $1: the batch ended before it was killed"; fi
    wait $pid 2>/dev/null
    # only whole lines count: a line cut by the kill was not an acknowledgement
    grep -E '^ack [0-9]+ K[0-9]+ [AB] [0-9]+$' "$TMP/ack$1" >"$TMP/acked$1"
}

check_after() { # ROUND BEFORE: BEFORE = allocations that existed before the round
    n_ack=$(wc -l <"$TMP/acked$1")
    n=$(allocated)
    [ "$n_ack" -gt 0 ] && [ "$n_ack" -lt "$(wc -l <"$TMP/todo$1")" ] && ok ||
        bad "round $1: $n_ack acknowledgements is not the middle of the batch"
    # every acknowledged allocation is stored; at most one more (committed, not yet printed)
    [ "$n" -ge $(($2 + n_ack)) ] && [ "$n" -le $(($2 + n_ack + 1)) ] && ok ||
        bad "round $1: $n allocations stored, $2 before and $n_ack acknowledged"
    "$LUTETIA" patients --user admin --json >"$TMP/state$1"
    # one pass for the whole list, and only when every acknowledgement was found as stored
    stored=1
    while read -r _ number id arm _; do
        jq -e --arg id "$id" --arg arm "$arm" --argjson n "$number" \
            '.patients[] | select(.id == $id) | .arm == $arm and .allocation == $n' \
            "$TMP/state$1" >/dev/null || { bad "round $1: $id acknowledged as $number $arm, not stored so"; stored=0; break; }
    done <"$TMP/acked$1"
    [ $stored = 1 ] && ok
    expect_exit 0 -- "$LUTETIA" randomise --replay --user ustat1 --json
    expect_jq '.verified and .allocations == '"$n"' and ([.sequence[].number] == [range(1; '"$n"' + 1)])'
    expect_exit 0 -- "$LUTETIA" audit verify
}

kill_batch 1 15
check_after 1 0
before=$(allocated)
kill_batch 2 20
check_after 2 "$before"

# the rest, to the end
"$LUTETIA" patients --user admin --json | jq -r '.patients[] | select(.allocation == null) | .id' >"$TMP/rest"
expect_exit 0 -- "$LUTETIA" randomise --user coord1 --patients "$TMP/rest"
expect_exit 0 -- "$LUTETIA" patients --user admin --json
expect_jq '.flow.allocated == '$TOTAL' and (.flow.arms.A + .flow.arms.B) == '$TOTAL
expect_exit 0 -- "$LUTETIA" randomise --replay --user ustat1 --json
expect_jq '.allocations == '$TOTAL' and ([.sequence[].patient] | unique | length) == '$TOTAL
expect_exit 0 -- "$LUTETIA" audit verify
# each allocation wrote exactly two audit records (the allocation and the patient)
expect_exit 0 -- "$LUTETIA" audit log --json
expect_jq '([.[] | select(.action == "allocate")] | length) == '$TOTAL'
           and ([.[] | select(.action == "randomise")] | length) == '$TOTAL
finish
