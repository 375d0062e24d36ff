#!/bin/sh
# One question, one library function (issue 11): the due list and an endpoint's dataset give the
# same answer from the trial store and from an outcomes file holding the same records. Before,
# each was written twice and they disagreed: a patient whose origin falls after the cutoff was
# left out with a note by the file form (exit 0) while the store form exited 6 asking for an
# anchor date already recorded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"
ASOF=2025-11-01
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" P 4
sed -i 's/"2026-/"2025-/g' "$TMP/p.json"
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
for i in 1 2 3 4; do "$L" randomise --user coord1 --patient P$i --date 2025-11-02 >/dev/null || bad "randomise P$i"; done
# liver resections on both sides of a cutoff of 2025-11-15, after every randomisation (2025-11-02)
"$L" record anchor --user coord1 --patient P1 --anchor liver_resection --date 2025-08-01 --reason "operative report" >/dev/null &&
"$L" record anchor --user coord1 --patient P2 --anchor liver_resection --date 2025-11-20 --reason "operative report" >/dev/null;
"$L" record anchor --user coord1 --patient P3 --anchor liver_resection --date 2025-08-15 --reason "operative report" >/dev/null &&
"$L" record anchor --user coord1 --patient P4 --anchor liver_resection --date 2025-11-25 --reason "operative report" >/dev/null && ok || bad "anchors"
"$L" outcomes --user stat1 >"$TMP/out.json" || bad "outcomes"
P="$SRC/protocols/nelmas.json"

# the endpoint dataset: two patients left out with the same note, the same rows, exit 0 both
for f in json csv; do
    expect_exit 0 -- "$L" endpoints --user stat1 --endpoint DFS --cutoff 2025-11-15 --$f
    expect_err 'note: 2 patients whose liver_resection or randomisation is after the cutoff left out'
    cp "$TMP/out" "$TMP/store.$f"
    expect_exit 0 -- "$L" endpoints --protocol "$P" --events "$TMP/out.json" --endpoint DFS --cutoff 2025-11-15 --$f
    expect_err 'note: 2 patients whose liver_resection or randomisation is after the cutoff left out'
    cmp -s "$TMP/out" "$TMP/store.$f" && ok || bad "endpoint dataset ($f): the file form differs from the store form"
done
jq -e '[.rows[].patient] == ["P1", "P3"]' "$TMP/store.json" >/dev/null && ok || bad "the rows: $(cat "$TMP/store.json")"
# without a cutoff, everyone; the same again
expect_exit 0 -- "$L" endpoints --user stat1 --endpoint DFS --json
cp "$TMP/out" "$TMP/store.all"
expect_exit 0 -- "$L" endpoints --protocol "$P" --events "$TMP/out.json" --endpoint DFS --json
cmp -s "$TMP/out" "$TMP/store.all" && ok || bad "endpoint dataset without cutoff differs"
# an unknown endpoint: one message
expect_exit 5 -- "$L" endpoints --user stat1 --endpoint EFS
cp "$TMP/err" "$TMP/store.err"
expect_exit 5 -- "$L" endpoints --protocol "$P" --events "$TMP/out.json" --endpoint EFS
cmp -s "$TMP/err" "$TMP/store.err" && ok || bad "unknown endpoint: $(cat "$TMP/err") vs $(cat "$TMP/store.err")"

# the due list: the same entries, order and layout, text and JSON
for f in --json ""; do
    expect_exit 0 -- "$L" due --user coord1 --from 2025-11-01 --to 2026-03-01 $f
    cp "$TMP/out" "$TMP/due.store"
    [ -n "$f" ] && cp "$TMP/out" "$TMP/due.json"
    expect_exit 0 -- "$L" due --protocol "$P" --events "$TMP/out.json" --from 2025-11-01 --to 2026-03-01 $f
    cmp -s "$TMP/out" "$TMP/due.store" && ok || { bad "due ${f:-text}: the file form differs from the store form"; diff "$TMP/due.store" "$TMP/out" | head; }
done
jq -e '.count > 4 and ([.entries[].site] | unique) == ["S1"]' "$TMP/due.json" >/dev/null && ok || bad "due: $(head -c 300 "$TMP/due.json")"
expect_exit 2 -- "$L" due --protocol "$P" --events "$TMP/out.json" --from 2026-03-01 --to 2025-11-01
expect_exit 2 -- "$L" due --user coord1 --from 2026-03-01 --to 2025-11-01
finish
