#!/bin/sh
# NET RETREAT's whole life through the command line: six patients with progressive midgut NET
# after four cycles of PRRT screened and randomised (blocks, seeded); arm 1 retreated with two
# cycles of 7.4 GBq, each after its labs and the label's decision (the ledger counts the four
# prior cycles); arm 2 on everolimus, started, dispensed and returned; CT scans by RECIST 1.1
# every 12 weeks; progressions in both arms; then PFS, its Cox model against the control arm,
# the listings, SDTM and the audit trail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/life_lib.sh"
L="$LUTETIA"
NR="$SRC/protocols/net-retreat.json"
export LUTETIA_DB="$TMP/nr.db" LUTETIA_USER=admin
ME=$(id -un)

expect_exit 0 -- "$L" trial init --protocol "$NR" --seed-hex 0000000000000000000000000000000000000000000000000000000000000003
"$L" site add --code S1 --name "Site one" >/dev/null || bad "site"
for u in "coord coordinator" "inv investigator" "nm nuclear_medicine" "stat statistician"; do
    set -- $u
    "$L" user add --name "$1" --role "$2" --site S1 --os-user "$ME" >/dev/null || bad "user $1"
done
# the eligibility table's base patient, every date a year earlier, six copies
jq '.base as $b | [range(1; 7) as $i | $b | .id = "R\($i)"]' "$SRC/tests/eligibility/net-retreat.cases.json" |
  sed -E 's/"(20[0-9]{2})-([0-9]{2}-[0-9]{2})"/"\1@\2"/g' |
  awk '{ while (match($0, /"20[0-9][0-9]@/)) { y = substr($0, RSTART + 1, 4) - 1;
         $0 = substr($0, 1, RSTART) y "-" substr($0, RSTART + 6) } print }' >"$TMP/nr.json"
expect_exit 0 -- "$L" enrol --user coord --site S1 --as-of 2025-11-01 "$TMP/nr.json"
[ "$(grep -c ': eligible' "$TMP/out")" = 6 ] && ok || bad "six eligible: $(cat "$TMP/out")"
for p in R1 R2 R3 R4 R5 R6; do
    "$L" consent --user coord --patient $p --form 1.0 --date 2025-11-02 >/dev/null &&
    "$L" confirm --user inv --patient $p --date 2025-11-03 >/dev/null &&
    "$L" randomise --user coord --patient $p --date 2025-11-04 >>"$TMP/alloc" || bad "randomise $p"
    [ "$(scan $p 2025-10-28 40 30)" = baseline ] && ok || bad "baseline scan $p"
done
ARM1=$(grep 'arm 1' "$TMP/alloc" | cut -d' ' -f1 | tr '\n' ' ')
ARM2=$(grep 'arm 2' "$TMP/alloc" | cut -d' ' -f1 | tr '\n' ' ')
[ -n "$ARM1" ] && [ -n "$ARM2" ] && ok || bad "both arms: $(cat "$TMP/alloc")"

# ---- arm 1: PRRT retreatment, two cycles (the ledger starts from the four prior ones) ----
for p in $ARM1; do
    cycle $p 1 2025-11-18 intravenous
    cycle $p 2 2026-01-13 intravenous
done
# ---- arm 2: everolimus 10 mg daily, a bottle every 28 days ----
for p in $ARM2; do
    "$L" record oral start --user inv --patient $p --date 2025-11-05 >/dev/null &&
    "$L" record oral dispense --user coord --patient $p --date 2025-11-05 --tablets 30 --strength 10 >/dev/null &&
    "$L" record oral return --user coord --patient $p --date 2025-12-03 --returned 2 >/dev/null &&
    "$L" record oral dispense --user coord --patient $p --date 2025-12-03 --tablets 30 --strength 10 >/dev/null &&
    ok || bad "everolimus $p"
done

# ---- response every 12 weeks; the first patient of each arm progresses ----
first1=${ARM1%% *} first2=${ARM2%% *}
for p in $ARM1 $ARM2; do
    if [ "$p" = "$first2" ]; then
        [ "$(scan $p 2026-01-27 52 40)" = PD ] && ok || bad "$p PD"
        "$L" record event --user coord --patient $p --type progression --date 2026-01-27 >/dev/null || bad "event $p"
        "$L" record oral stop --user inv --patient $p --date 2026-01-28 --cause progression >/dev/null || bad "stop $p"
    else
        [ "$(scan $p 2026-01-27 38 28)" = SD ] && ok || bad "$p SD at 12 weeks"
    fi
done
for p in $ARM1 $ARM2; do
    [ "$p" = "$first2" ] && continue
    if [ "$p" = "$first1" ]; then
        [ "$(scan $p 2026-04-21 50 40)" = PD ] && ok || bad "$p PD"
        "$L" record event --user coord --patient $p --type progression --date 2026-04-21 >/dev/null || bad "event $p"
    else
        [ "$(scan $p 2026-04-21 37 28)" = SD ] && ok || bad "$p SD at 24 weeks"
    fi
done

# ---- reading it back ----
expect_exit 0 -- "$L" list dispensing --user inv --json
expect_jq '[.rows[] | select(.type == "dispense")] | length == 2 * '"$(echo $ARM2 | wc -w)"
expect_exit 0 -- "$L" record oral show --user coord --patient "$first2" --as-of 2026-01-28 --json
expect_jq '.state.stopped == "2026-01-28" and .periods[0].compliance == 1'
expect_exit 0 -- "$L" endpoints --user stat --endpoint PFS --cutoff 2026-06-01 --csv
cp "$TMP/out" "$TMP/pfs.csv"
[ "$(tail -n +2 "$TMP/pfs.csv" | wc -l)" = 6 ] && ok || bad "PFS rows: $(cat "$TMP/pfs.csv")"
[ "$(awk -F, 'NR > 1 && $4 == 1 { n++ } END { print n + 0 }' "$TMP/pfs.csv")" = 2 ] && ok ||
    bad "two PFS events: $(cat "$TMP/pfs.csv")"
# the hazard ratio reads retreatment against everolimus, the design's control arm
head -1 "$TMP/pfs.csv" | grep -q 'arm_1' && ok || bad "no arm_1 column: $(head -1 "$TMP/pfs.csv")"
expect_exit 0 -- "$L" analyse cox --endpoint PFS --cutoff 2026-06-01 --user stat --json
expect_jq '[.coefficients[].name] == ["arm_1"] and .nevent == 2'
expect_exit 0 -- "$L" analyse km "$TMP/pfs.csv" --time time_months --event event --group arm --json
expect_jq '(.curves | length) == 2 and ([.curves[].events] | add) == 2'
mkdir -p "$TMP/sdtm"
expect_exit 0 -- "$L" export sdtm --user stat --out "$TMP/sdtm"
# EX: two infusions per arm 1 patient, and a row per everolimus period at one dose (started,
# resumed or changed)
periods=$(sqlite3 "$LUTETIA_DB" "select count(*) from record where kind = 'oral_event' and json_extract(data, '\$.type') in ('start', 'resume', 'dose')")
expect_out "EX: $(( 2 * $(echo $ARM1 | wc -w) + periods )) rows"
grep -q ',everolimus,10,mg,ORAL,' "$TMP/sdtm/ex.csv" && ok || bad "EX lacks everolimus: $(grep -v Lu "$TMP/sdtm/ex.csv")"
expect_exit 0 -- "$L" audit verify --user admin
finish
