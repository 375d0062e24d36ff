#!/bin/sh
# NCT04544098's whole life through the command line: a single-arm trial that registers (no
# randomisation). Five candidates screened (one with platelets of 50 x 10^9/L fails E12.4),
# four registered; four cycles of 7.4 GBq each, the first two intra-arterial and the last two
# intravenous, two months apart, each after its labs and the label's dose decision; a grade 3
# thrombocytopenia withholds one patient's third cycle and the next decision reduces it; one
# patient progresses after two cycles and stops; RECIST 1.1 scans every 12 weeks; then the
# calendar, the PFS dataset and its Kaplan-Meier, the audit trail and the ODM export.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/life_lib.sh"
L="$LUTETIA"
NCT="$SRC/protocols/nct04544098.json"
BASE="$SRC/tests/cli/life/nct04544098-base.json"
export LUTETIA_DB="$TMP/nct.db" LUTETIA_USER=admin
ME=$(id -un)
SEED=0000000000000000000000000000000000000000000000000000000000000002

expect_exit 0 -- "$L" trial init --protocol "$NCT" --seed-hex "$SEED"
"$L" site add --code ST --name "Stanford" >/dev/null || bad "site"
for u in "coord coordinator" "inv investigator" "nm nuclear_medicine" "stat statistician" "mon monitor"; do
    set -- $u
    "$L" user add --name "$1" --role "$2" --site ST --os-user "$ME" >/dev/null || bad "user $1"
done

# ---- screening: four eligible copies of the base patient and one with low platelets ----
jq '[range(1; 5) as $i | .id = ("N" + ($i | tostring))] +
    [.id = "N5" | .labs = [.labs[] | if .code == "platelets" then .value = 50 else . end]]' \
    "$BASE" >"$TMP/cands.json"
expect_exit 0 -- "$L" enrol --user coord --site ST --as-of 2025-11-01 "$TMP/cands.json"
expect_out 'N1 screened at ST: eligible'
expect_out 'N5 screened at ST: ineligible'
expect_exit 0 -- "$L" patient show N5 --user coord --json
expect_jq '.screenings[0].failed == ["E12.4"]'
for p in N1 N2 N3 N4; do
    "$L" consent --user coord --patient $p --form 1.0 --date 2025-11-01 >/dev/null || bad "consent $p"
    "$L" confirm --user inv --patient $p --date 2025-11-01 >/dev/null || bad "confirm $p"
done
# single arm: registration, not randomisation
expect_exit 0 -- "$L" randomise --user coord --patient N1 --date 2025-11-02 --json
expect_jq '.arm == "A"'
for p in N2 N3 N4; do "$L" randomise --user coord --patient $p --date 2025-11-02 >/dev/null || bad "register $p"; done
expect_exit 0 -- "$L" patient show N1 --user coord --json
expect_jq '.patient.state == "registered"'
for p in N1 N2 N3 N4; do
    "$L" record profile --user coord --patient $p --birth-date 1960-05-10 --sex male --weight 75 >/dev/null || bad "profile $p"
done

# ---- treatment ----
for p in N1 N2 N3 N4; do
    [ "$(scan $p 2025-10-28 40 30)" = baseline ] && ok || bad "baseline $p"
    cycle $p 1 2025-11-15 intra_arterial
    cycle $p 2 2026-01-15 intra_arterial
done
jq -e '.administered_mbq > 7300 and .administered_mbq < 7500' "$TMP/adm" >/dev/null && ok ||
    bad "administered: $(cat "$TMP/adm")"
# RECIST 1.1 at 12 weeks: N1 -36% (PR), N2 -9% (SD), N4 +27% with the same targets (PD)
[ "$(scan N1 2026-01-27 25 20)" = PR ] && ok || bad "N1 PR"
[ "$(scan N2 2026-01-27 36 28)" = SD ] && ok || bad "N2 SD"
[ "$(scan N3 2026-01-27 38 29)" = SD ] && ok || bad "N3 SD"
[ "$(scan N4 2026-01-27 50 39)" = PD ] && ok || bad "N4 PD"
expect_exit 0 -- "$L" record event --user coord --patient N4 --type progression --date 2026-01-27
for p in N1 N2; do cycle $p 3 2026-03-15 intravenous; done
# N3: platelets 45 (grade 3) before cycle 3: the label withholds; recovered to 110, reduced
panel N3 2026-03-12 45 || bad "N3 labs"
expect_exit 0 -- "$L" record decide --user inv --patient N3 --cycle 3 --date 2026-03-13 --json
expect_jq '.action == "withhold"'
panel N3 2026-04-02 110 || bad "N3 labs again"
expect_exit 0 -- "$L" record decide --user inv --patient N3 --cycle 3 --date 2026-04-03 --json
expect_jq '.action == "give_reduced" and .activity_mbq == 3700'
give N3 3 2026-04-05 intravenous 3700 >"$TMP/adm" && ok || bad "N3 C3 reduced: $(cat "$TMP/adm")"
for p in N1 N2; do cycle $p 4 2026-05-15 intravenous; done
[ "$(scan N1 2026-04-21 24 18)" = PR ] && ok || bad "N1 PR at 24 weeks"

# ---- reading it back ----
expect_exit 0 -- "$L" schedule N1 --user coord --as-of 2026-06-01 --json
expect_jq '[.visits[] | select(.id | test("^C[1-4]$")) | .status] == ["done", "done", "done", "done"]'
# the scans satisfied their calendar entries without a separate 'record actual'
expect_jq '[.visits[] | select(.kind == "imaging" and .status == "done")] | length >= 3'
expect_exit 0 -- "$L" endpoints --user stat --endpoint PFS --cutoff 2026-08-01 --csv
cp "$TMP/out" "$TMP/pfs.csv"
[ "$(tail -n +2 "$TMP/pfs.csv" | wc -l)" = 4 ] && ok || bad "PFS rows: $(cat "$TMP/pfs.csv")"
[ "$(awk -F, 'NR > 1 && $1 == "N4" { print $0 }' "$TMP/pfs.csv" | grep -c ',1,')" = 1 ] && ok ||
    bad "N4's progression is no PFS event: $(cat "$TMP/pfs.csv")"
expect_exit 0 -- "$L" analyse km "$TMP/pfs.csv" --time time_months --event event --json
expect_jq '.curves[0].n == 4 and .curves[0].events == 1'
# from the store alike (lt_conduct_survival); one arm: no arm indicator for a Cox model
expect_exit 0 -- "$L" analyse km --endpoint PFS --cutoff 2026-08-01 --user stat --json
expect_jq '.arms | length == 1' && expect_jq '.curves[0].n == 4 and .curves[0].events == 1'
expect_exit 2 -- "$L" analyse cox --endpoint PFS --cutoff 2026-08-01 --user stat --json
expect_err "cox needs covariates: the trial has one arm"
# exposure by route, as SDTM's EX gives it: cycles 1-2 intra-arterial, 3-4 intravenous; N3's
# third cycle reduced, N4 stopped after two
mkdir -p "$TMP/sdtm"
expect_exit 0 -- "$L" export sdtm --user stat --out "$TMP/sdtm"
awk -F, 'NR > 1 { print $3, $5, $9, (($7 + 0 > 7000) ? "full" : "reduced") }' "$TMP/sdtm/ex.csv" | sort >"$TMP/ex.txt"
cat >"$TMP/ex.want" <<'WANT'
NCT04544098-N1 C1 INTRA-ARTERIAL full
NCT04544098-N1 C2 INTRA-ARTERIAL full
NCT04544098-N1 C3 INTRAVENOUS full
NCT04544098-N1 C4 INTRAVENOUS full
NCT04544098-N2 C1 INTRA-ARTERIAL full
NCT04544098-N2 C2 INTRA-ARTERIAL full
NCT04544098-N2 C3 INTRAVENOUS full
NCT04544098-N2 C4 INTRAVENOUS full
NCT04544098-N3 C1 INTRA-ARTERIAL full
NCT04544098-N3 C2 INTRA-ARTERIAL full
NCT04544098-N3 C3 INTRAVENOUS reduced
NCT04544098-N4 C1 INTRA-ARTERIAL full
NCT04544098-N4 C2 INTRA-ARTERIAL full
WANT
cmp -s "$TMP/ex.txt" "$TMP/ex.want" && ok || bad "EX: $(diff "$TMP/ex.want" "$TMP/ex.txt")"
expect_exit 0 -- "$L" audit verify --user admin
expect_exit 0 -- "$L" export odm --user stat --out "$TMP/nct.xml"
xmllint --noout --schema "$SHARED/reference/odm-1.3.2/ODM1-3-2.xsd" "$TMP/nct.xml" 2>/dev/null && ok || bad "ODM"
finish
