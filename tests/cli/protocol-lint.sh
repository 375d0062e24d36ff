# lutetia protocol lint on the clinical review's findings (r1): the control arm's two names, and
# the cycle timing held twice (arms.*.interventions and schedule.items) disagreeing in a copy of
# NELMAS, each finding at the schedule item's line:column.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"

# INDEX.md's known conflict: 002 calls arm A both "standard of care" and "best supportive care"
expect_exit 1 -- "$LUTETIA" protocol lint "$P"
expect_out 'ARM_NAMES: arms.A.also_called\[0\]: arm A is called "Standard of care" in this file but "Best supportive care" in source 002'
expect_no_out 'SCHEDULE_MISMATCH'
expect_exit 0 -- "$LUTETIA" protocol show "$P"
expect_out 'also called "Best supportive care" \(source 002\)'

# the shipped files agree
for f in "$SRC"/protocols/*.json; do
    "$LUTETIA" protocol lint "$f" >"$TMP/out" 2>"$TMP/err"
    grep -Eq ' findings?$' "$TMP/out" && ok || bad "lint $f did not run"
    expect_no_out 'SCHEDULE_MISMATCH'
done

# C2 nine weeks after C1 in the schedule, eight in the arm
jq '.schedule.items.C2.offset = {"weeks": 9}' "$P" >"$TMP/c2.json"
expect_exit 1 -- "$LUTETIA" protocol lint "$TMP/c2.json"
line=$(grep -n '"C2": {' "$TMP/c2.json" | head -n 1 | cut -d: -f1)
expect_out "c2.json:[0-9]+:[0-9]+: SCHEDULE_MISMATCH: schedule.items.C2.offset: arms.B.interventions.lutathera.interval.offset is 8 weeks, but schedule item C2 is 9 weeks after C1"
[ "$(grep -c SCHEDULE_MISMATCH "$TMP/out")" = 1 ] && ok || bad "expected one SCHEDULE_MISMATCH, got $(grep -c SCHEDULE_MISMATCH "$TMP/out")"
# the finding points at or after C2's line
fl=$(grep SCHEDULE_MISMATCH "$TMP/out" | sed 's/^[^:]*:\([0-9]*\):.*/\1/')
[ -n "$line" ] && [ "$fl" -ge "$line" ] && ok || bad "finding at line $fl, C2 starts at line $line"

# a third schedule cycle the arm does not give, and a first cycle anchored elsewhere
jq '.schedule.items.C3 = (.schedule.items.C2 | .anchor = "C2" | .label = "cycle 3")
    | .schedule.items.C1.anchor = "randomisation"' "$P" >"$TMP/c3.json"
expect_exit 1 -- "$LUTETIA" protocol lint --json "$TMP/c3.json"
expect_jq 'map(select(.code == "SCHEDULE_MISMATCH")) | length == 2'
expect_jq 'any(.[]; .path == "arms.B.interventions.lutathera.cycles" and (.message | test("2 cycles, but the schedule chains 3 treatment items")))'
expect_jq 'any(.[]; .path == "schedule.items.C1.anchor" and (.message | test("is \"liver_resection\", but schedule item C1 .* anchored on \"randomisation\"")) and .line > 0)'
finish
