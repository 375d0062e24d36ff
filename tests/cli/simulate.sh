# lutetia simulate: reproducible whatever the thread count, power within Monte Carlo error of
# rpact's getSimulationSurvival (tests/design/rpact_simulation.csv), protocol and option forms,
# and clear errors.
. "$SRC/tests/cli/lib.sh"
L="$LUTETIA"
N=20000

# the NELMAS design from its protocol file, rpact's even accrual
expect_exit 0 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations $N --seed 42 \
    --threads 1 --accrual even --json
cp "$TMP/out" "$TMP/one.json"
expect_jq '.iterations == 20000 and .patients == 106 and .events == 60 and .mean_events == 60'
# rpact: power 0.52388 with 1e5 iterations; SE of the difference sqrt(.25 (1/2e4 + 1/1e5)) = 0.0039
expect_jq '(.power - 0.52388 | fabs) < 4 * 0.0039'
# rpact's mean analysis time 40.68 months
expect_jq '(.mean_duration - 40.6821 | fabs) < 0.15'
expect_jq '.hr_quantiles."0.5" > 0.57 and .hr_quantiles."0.5" < 0.61'
expect_jq '.hr_quantiles."0.025" < .hr_quantiles."0.25" and .hr_quantiles."0.75" < .hr_quantiles."0.975"'
# byte-identical with 2 and 3 threads
expect_exit 0 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations $N --seed 42 \
    --threads 2 --accrual even --json
if cmp -s "$TMP/out" "$TMP/one.json"; then ok; else bad "2 threads differ from 1"; fi
expect_exit 0 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations $N --seed 42 \
    --threads 3 --accrual even --json
if cmp -s "$TMP/out" "$TMP/one.json"; then ok; else bad "3 threads differ from 1"; fi
# another seed, other numbers
expect_exit 0 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations $N --seed 43 \
    --threads 2 --accrual even --json
if cmp -s "$TMP/out" "$TMP/one.json"; then bad "seed 43 gave seed 42's numbers"; else ok; fi

# the same design from options, uniform accrual (the default): same power within MC error
expect_exit 0 -- "$L" simulate --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --accrual-time 24 --patients 106 --events 60 --iterations $N --seed 1 --json
expect_jq '(.power - 0.52388 | fabs) < 4 * 0.0039 and .accrual == "uniform"'
# a `design sample-size` command line with --patients/--events added works as it is
expect_exit 0 -- "$L" simulate --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --power 0.8 --accrual-time 24 --follow-up 36 --method schoenfeld \
    --patients 106 --events 60 --iterations 2000 --seed 1 --json
expect_jq '.events == 60 and .patients == 106'
# text output
expect_exit 0 -- "$L" simulate --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --accrual-time 24 --patients 106 --events 60 --iterations 2000 --seed 1
expect_out '^power +0\.[0-9]{4} \(Monte Carlo SE'
expect_out '^mean_events +60\.00$'
expect_out '^hr_quantiles +2\.5%: '
# calendar-time analysis: the mean events are N x omega = 106 x 0.749 = 79.39 (design
# check's expected events), the duration is the analysis time
expect_exit 0 -- "$L" simulate --control-survival 0.25 --treatment-survival 0.44 --at 36 \
    --alpha 0.05 --sides 2 --accrual-time 24 --patients 106 --analysis-time 60 --iterations $N --seed 5 --json
expect_jq '(.mean_events - 79.3936 | fabs) < 0.2 and .mean_duration == 60 and .events == null'
# piecewise hazards: equal pieces are the constant hazard
expect_exit 0 -- "$L" simulate --control-hazards 0:0.0385081766977747,12:0.0385081766977747 \
    --treatment-hazards 0:0.0228050153352731 --hr 0.592 --alpha 0.05 --sides 2 --accrual-time 24 \
    --patients 106 --events 60 --iterations $N --seed 42 --accrual even --json
expect_jq '(.power - 0.52388 | fabs) < 4 * 0.0039'

# no progress bar when stderr is not a terminal; one when it is (script gives a pseudo-terminal)
expect_exit 0 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations 2000 --seed 1
if [ -s "$TMP/err" ]; then bad "stderr is not empty without a terminal"; else ok; fi
if command -v script >/dev/null 2>&1; then
    script -qec "'$L' simulate --protocol '$SRC/protocols/nelmas.json' --iterations 20000 --seed 1" \
        /dev/null >"$TMP/tty" 2>&1
    if tr '\r' '\n' <"$TMP/tty" | grep -Eq '^\[#* *\] +[0-9]+% [0-9]+/20000'; then ok
    else bad "no progress bar on a terminal"; head -c 300 "$TMP/tty"; fi
    if grep -Eq '^power +0\.[0-9]{4}' "$TMP/tty"; then ok; else bad "no result on a terminal"; fi
fi

# errors
expect_exit 2 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --seed 1
expect_err '--iterations is required'
expect_exit 2 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations 10
expect_err '--seed is required'
expect_exit 2 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations 0 --seed 1
expect_err "--iterations: expected 1 to 20000000, found '0'"
expect_exit 2 -- "$L" simulate --protocol "$SRC/protocols/nelmas.json" --iterations 10 --seed -1
expect_err '--seed: expected a whole number'
expect_exit 2 -- "$L" simulate --hr 0.6 --alpha 0.05 --sides 2 --accrual-time 24 --patients 100 \
    --events 60 --iterations 10 --seed 1
expect_err "needs the control arm's hazard"
expect_exit 2 -- "$L" simulate --control-median 10 --treatment-median 15 --alpha 0.05 --sides 2 \
    --accrual-time 24 --patients 100 --events 160 --iterations 10 --seed 1
expect_err 'events: expected at most as many events as patients \(100\), found 160'
expect_exit 2 -- "$L" simulate --control-hazards 0:x --treatment-hazards 0:0.1 --hr 0.6 \
    --alpha 0.05 --sides 2 --accrual-time 24 --patients 100 --events 60 --iterations 10 --seed 1
expect_err "--control-hazards: expected START:HAZARD pairs"
expect_exit 2 -- "$L" simulate --control-hazards 5:0.1 --treatment-hazards 0:0.1 --hr 0.6 \
    --alpha 0.05 --sides 2 --accrual-time 24 --patients 100 --events 60 --iterations 10 --seed 1
expect_err 'control hazards: piece 1: expected the first piece to start at 0'
finish
