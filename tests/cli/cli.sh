#!/bin/sh
# The command line as people type it (issue 10, section 7): other spellings of the verbs, a
# suggestion for a mistyped one, `help VERB` equal to `VERB --help`, one documented table of
# exit codes with the same code for the same situation in every verb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trial_setup.sh"
L="$LUTETIA"

# ---- spellings and suggestions ----
for pair in randomize:randomise enroll:enrol analyze:analyse screening:screen; do
  alias=${pair%%:*} verb=${pair#*:}
  expect_exit 0 -- sh -c '"$1" "$2" --help >"$3/a.txt" 2>&1; "$1" "$4" --help >"$3/b.txt" 2>&1; cmp "$3/a.txt" "$3/b.txt"' \
      - "$L" "$alias" "$TMP" "$verb"
  grep -q "lutetia $verb" "$TMP/a.txt" && ok || bad "$alias --help does not describe $verb"
done
expect_exit 2 -- "$L" scren --protocol x
expect_err "unknown verb 'scren'; did you mean 'screen'\?"
expect_exit 2 -- "$L" randomse
expect_err "did you mean 'randomise'\?"
expect_exit 2 -- "$L" enrolll
expect_err "did you mean 'enrol'\?"
expect_exit 2 -- "$L" record labs --patient X
expect_err "unknown record kind 'labs'; did you mean 'lab'\?"
expect_exit 2 -- "$L" xyzzy
expect_err "unknown verb 'xyzzy'"
expect_exit 0 -- sh -c '! grep -q "did you mean" "$1"' - "$TMP/err"

# ---- help VERB is VERB --help ----
for verb in record enrol randomize schedule analyse; do
  "$L" "$verb" --help >"$TMP/h1.txt" 2>&1; r1=$?
  "$L" help "$verb" >"$TMP/h2.txt" 2>&1; r2=$?
  if cmp -s "$TMP/h1.txt" "$TMP/h2.txt" && [ "$r1" = "$r2" ]; then ok; else bad "help $verb differs from $verb --help"; fi
  grep -q 'verbs:' "$TMP/h2.txt" && bad "help $verb printed the general help" || ok
done
expect_exit 2 -- "$L" help scren
expect_err "did you mean 'screen'"

# ---- one table of exit codes, in help and in the README ----
expect_exit 0 -- "$L" help exit-codes
expect_out '^ +6  ESTATE +refused by state'
expect_out '^ +7  EPERM +refused by role'
# code, status and meaning of every row, spaces squeezed, compared whole
sed -n 's/^ *\([0-9][0-9]*\)  /\1 /p' "$TMP/out" | tr -s ' ' >"$TMP/help-table"
sed -n 's/^| *\([0-9][0-9]*\) | \(.*\) | \(.*\) |$/\1 \2 \3/p' "$SRC/README.md" | tr -s ' ' >"$TMP/readme-table"
if [ -s "$TMP/help-table" ] && cmp -s "$TMP/help-table" "$TMP/readme-table"; then ok; else
  bad "the README's exit-code table differs from 'lutetia help exit-codes'"
  diff "$TMP/help-table" "$TMP/readme-table" | sed 's/^/  | /'
fi
for code in 2 5 6 7 8 9; do grep -q "^$code " "$TMP/help-table" && ok || bad "no exit code $code in the table"; done

# ---- the same situation, the same code: a correction without a reason is usage (2) ----
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }
make_patients "$TMP/p.json" R 2
ready "$TMP/p.json" S1 coord1 inv1 || bad "ready"
expect_exit 2 -- "$L" consent --user coord1 --patient R1 --form v3 --date "$ASOF"
expect_err 'needs a reason'
expect_exit 0 -- "$L" randomise --user coord1 --patient R1 --date "$ASOF"
expect_exit 0 -- "$L" record lab --user coord1 --patient R1 --date 2026-11-03 --analyte platelets --value 200 --unit 10^9/L --lln 150 --uln 400
expect_exit 2 -- "$L" record lab --user coord1 --patient R1 --date 2026-11-03 --analyte platelets --value 210 --unit 10^9/L --lln 150 --uln 400
expect_err 'needs a reason'
# G/L (giga per litre) is accepted for a cell count, stored as 10^9/L
expect_exit 0 -- "$L" record lab --user coord1 --patient R1 --date 2026-11-04 --analyte neutrophils --value 0.9 --unit G/L --lln 1.8 --uln 7.5 --json
expect_jq '.analyte == "neutrophils" and .value == 0.9 and .grade == 3'
# a time without a zone: refused, saying which zone to add
expect_exit 2 -- env TZ=Europe/Paris "$L" record administration --user coord1 --patient R1 --cycle 1 --prescribed 7400 --before 7550 --before-at 2026-11-05T08:30 \
    --residual 150 --residual-at 2026-11-05T09:45:00Z --start 2026-11-05T09:00:00Z --end 2026-11-05T09:30:00Z \
    --no-ssa-long --no-ssa-short --amino-start 2026-11-05T08:15:00Z --amino-end 2026-11-05T13:00:00Z
expect_err -- "--before-at: '2026-11-05T08:30' has no time zone.*'2026-11-05T08:30\+01:00'"
# a state refusal stays 6, a role refusal 7, an unknown patient 5
expect_exit 6 -- "$L" randomise --user coord1 --patient R1 --date "$ASOF"
expect_exit 7 -- "$L" confirm --user coord1 --patient R2 --date "$ASOF"
expect_exit 5 -- "$L" consent --user coord1 --patient NOSUCH --form v3 --date "$ASOF"
finish
