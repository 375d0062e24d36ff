# lutetia design: sample size and power against rpact (tests/design/rpact_*.csv), the NELMAS
# check the issue asks for, and clear errors for bad input.
. "$SRC/tests/cli/lib.sh"
L="$LUTETIA"

# NELMAS from its survival figures: rpact getSampleSizeSurvival gives 114.39 events, 152.72
# patients (tests/design/rpact_sample_size.csv row 1)
expect_exit 0 -- "$L" design sample-size --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --power 0.8 --accrual-time 24 --follow-up 36 --json
expect_jq '.events == 115 and .patients == 153 and .method == "schoenfeld"'
expect_jq '(.hazard_ratio - 0.5922122855687137 | fabs) < 1e-12'
expect_jq '(.events_exact - 114.389787448259 | fabs) < 1e-6 and (.patients_exact - 152.724143446358 | fabs) < 1e-6'
# the same in text
expect_exit 0 -- "$L" design sample-size --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --power 0.8 --accrual-time 24 --follow-up 36
expect_out '^events +115$'
expect_out '^patients +153$'
expect_out '^hazard_ratio +0\.59221'
# Freedman, medians, dropout, allocation 1:1 (rpact row 4: 154.56 events, 209.56 patients)
expect_exit 0 -- "$L" design sample-size --control-median 10 --treatment-median 15 --alpha 0.05 \
    --sides 1 --power 0.8 --accrual-time 12 --follow-up 24 --dropout-rate 0.1 --dropout-time 12 \
    --method freedman --json
expect_jq '(.events_exact - 154.563930800494 | fabs) < 1e-6 and (.patients_exact - 209.561706397342 | fabs) < 1e-6'
# HR with the control arm's hazard, ratio 2 (rpact row 3: 371.68 events, 638.30 patients)
expect_exit 0 -- "$L" design sample-size --hr 0.7 --control-median 12 --alpha 0.025 --sides 1 \
    --power 0.9 --accrual-time 18 --follow-up 12 --dropout-rate 0.05 --dropout-time 12 \
    --allocation-ratio 2 --json
expect_jq '(.events_exact - 371.675153209286 | fabs) < 1e-6 and (.patients_exact - 638.297968489958 | fabs) < 1e-6'
# HR alone: events, and patients unknown (null), said so in text
expect_exit 0 -- "$L" design sample-size --hr 0.7 --alpha 0.05 --sides 2 --power 0.8 \
    --accrual-time 12 --follow-up 12 --json
expect_jq '.events == 247 and .patients == null'
# Lachin-Foulkes: SAS PROC SEQDESIGN 197.1 patients, 87.5 events (gsDesign's test, tolerance 2)
expect_exit 0 -- "$L" design sample-size --hr 0.5 --control-median 20 --alpha 0.025 --sides 1 \
    --power 0.9 --accrual-time 24 --follow-up 12 --method lachin-foulkes --json
expect_jq '(.patients_exact - 197.1152 | fabs) < 2 and (.events_exact - 87.4793 | fabs) < 2'

# power from events: rpact getPowerSurvival 0.5275 (rpact_power.csv row 1)
expect_exit 0 -- "$L" design power --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.025 --sides 1 --events 60 --accrual-time 24 --json
expect_jq '(.power - 0.527526569352542 | fabs) < 1e-9'
# power from patients: East 6.5 via gsDesign, 48 patients -> 39.0212 events, power 0.58120
expect_exit 0 -- "$L" design power --hr 0.5 --control-median 10 --alpha 0.025 --sides 1 \
    --patients 48 --accrual-time 12 --follow-up 30 --json
expect_jq '(.power - 0.58120457 | fabs) < 1e-6 and (.events - 39.02121789 | fabs) < 1e-6'

# check: HR 0.592 not 0.27; 106 patients only at one-sided 0.10; exit 1 for findings
expect_exit 1 -- "$L" design check "$SRC/protocols/nelmas.json"
expect_out 'HR 0\.592'
expect_out 'not the stated 0\.27'
expect_out 'needs one-sided alpha >= 0\.068 \(the smallest of the conventional 0\.025, 0\.05, 0\.10 that suffices: 0\.1\)'
# NET RETREAT's design (chosen and recorded in its choices) holds together; NCT04544098 is single-arm
expect_exit 0 -- "$L" design check "$SRC/protocols/net-retreat.json"
expect_out '^0 findings$'
expect_out 'medians 11 vs 19 months are HR 0\.579'
expect_exit 0 -- "$L" design check "$SRC/protocols/nct04544098.json" --json
expect_jq '.comparative == false and .stated_patients == 10 and .findings == 0'
expect_exit 2 -- "$L" simulate --protocol "$SRC/protocols/nct04544098.json" --iterations 10 --seed 1
expect_err 'single-arm'
expect_exit 1 -- "$L" design check "$SRC/protocols/nelmas.json" --json
expect_jq '.hazard_ratio_conflict == true and .events == 115 and .patients == 153'
expect_jq '.conventional_alpha_one_sided == 0.1 and .findings == 3'

# an amendment: NELMAS 1.0 has the same design; an unknown version is named
expect_exit 1 -- "$L" design check "$SRC/protocols/nelmas.json" --version 1.0 --json
expect_jq '.events == 115 and .findings == 3'
expect_exit 5 -- "$L" design check "$SRC/protocols/nelmas.json" --version 9.9
expect_err 'no version "9\.9"'

# bad input: clear messages naming the option or the JSON path, never a crash
expect_exit 2 -- "$L" design sample-size --hr 0.7 --alpha 5 --sides 2 --power 0.8 --accrual-time 12 --follow-up 12
expect_err '--alpha: expected a number between 0 and 1, found 5'
expect_exit 2 -- "$L" design sample-size --hr abc --alpha 0.05 --sides 2 --power 0.8 --accrual-time 12 --follow-up 12
expect_err "--hr: expected a number, found 'abc'"
expect_exit 2 -- "$L" design sample-size --alpha 0.05 --sides 2 --power 0.8 --accrual-time 12 --follow-up 12
expect_err 'give the effect'
expect_exit 2 -- "$L" design sample-size --hr 0.7 --alpha 0.05 --sides 3 --power 0.8 --accrual-time 12 --follow-up 12
expect_err "--sides: expected 1 or 2, found '3'"
expect_exit 2 -- "$L" design sample-size --hr 0.7 --alpha 0.05 --sides 2 --power 0.8 --accrual-time 12
expect_err '--follow-up is required'
expect_exit 2 -- "$L" design sample-size --control-survival 0.25 --treatment-survival 0.25 --at 36 \
    --alpha 0.05 --sides 2 --power 0.8 --accrual-time 12 --follow-up 12
expect_err 'no effect to detect'
expect_exit 2 -- "$L" design power --hr 0.7 --alpha 0.05 --sides 2 --accrual-time 12 --follow-up 12
expect_err 'give --patients N or --events D'
expect_exit 2 -- "$L" design frobnicate
expect_err "unknown subcommand 'frobnicate'"
# the options both calculators share: --help, an unknown option named with its subcommand
expect_exit 0 -- "$L" design sample-size --hr 0.7 --help
expect_out '^usage: lutetia design sample-size'
expect_exit 0 -- "$L" design power --help
expect_out 'lutetia design power EFFECT'
expect_exit 2 -- "$L" design power --hr 0.7 --bogus 1
expect_err "lutetia design power: unknown option '--bogus'"
expect_exit 2 -- "$L" design sample-size --bogus
expect_err "lutetia design sample-size: unknown option '--bogus'"
expect_exit 2 -- "$L" design power --alpha
expect_err 'alpha'
sed 's/"alpha": 0.05/"alpha": 5/' "$SRC/protocols/nelmas.json" >"$TMP/bad.json"
expect_exit 4 -- "$L" design check "$TMP/bad.json"
expect_err 'bad\.json:[0-9]+:[0-9]+: design\.alpha: expected a number between 0 and 1, found 5'
printf '{"design": {"alpha": 0.05,' >"$TMP/broken.json"
expect_exit 4 -- "$L" design check "$TMP/broken.json"
expect_err 'broken\.json:1:'
expect_exit 3 -- "$L" design check "$TMP/missing.json"
expect_err 'missing\.json'
finish
