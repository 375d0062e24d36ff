# `protocol check` and `trial init` also validate the members other modules own: design,
# schedule, endpoints and dosing, in every version; a trial is never created from a protocol
# whose calendar or endpoints would fail only after patients were randomised.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols/nelmas.json"

for f in nelmas nct04544098 net-retreat; do
    expect_exit 0 -- "$LUTETIA" protocol check "$SRC/protocols/$f.json"
    expect_out ': valid$'
done

jq '.design.alpha = 1.5 | .schedule.items.C1.anchor = "nowhere"
    | .endpoints.DFS.events = ["recurrence", "teleportation"] | .dosing.cycles = -2' "$P" >"$TMP/bad.json"
expect_exit 1 -- "$LUTETIA" protocol check "$TMP/bad.json"
expect_out '^.*/bad.json:[0-9]+:[0-9]+: design\.alpha: expected a number between 0 and 1, found 1\.5$'
expect_out 'schedule\.items\.C1\.anchor: expected an anchor event .* found "nowhere"'
expect_out 'endpoints\.DFS\.events\[1\]: expected recurrence.* found "teleportation"'
expect_out 'dosing\.cycles: expected a number from 1 to 16'
expect_out '^4 problems$'
# the line and column point at the offending value in the file
line=$(grep -n '"alpha": 1.5' "$TMP/bad.json" | cut -d: -f1)
expect_out "bad.json:$line:[0-9]+: design.alpha"
expect_exit 1 -- "$LUTETIA" protocol check --json "$TMP/bad.json"
expect_jq 'length == 4 and ([.[].path] | sort) == ["design.alpha", "dosing.cycles", "endpoints.DFS.events[1]", "schedule.items.C1.anchor"]'

# a problem only an older version has is reported with that version
jq '.versions[0].changes.schedule.items.C1.anchor = "nowhere"' "$P" >"$TMP/old.json"
expect_exit 1 -- "$LUTETIA" protocol check --json "$TMP/old.json"
expect_jq 'length == 1 and .[0].version == "1.0" and (.[0].path | startswith("schedule.items.C1"))'

expect_exit 4 -- "$LUTETIA" trial init --protocol "$TMP/bad.json" --db "$TMP/t.db" --user ana
expect_err 'design\.alpha: expected a number between 0 and 1'
expect_err '4 problems: no trial created'
[ ! -e "$TMP/t.db" ] && ok || bad "trial init left a database behind"
expect_exit 0 -- "$LUTETIA" trial init --protocol "$P" --db "$TMP/t.db" --user ana
finish
