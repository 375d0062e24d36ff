# lutetia analyse: R's numbers on lung.csv through the real binary (text and JSON), the plot,
# and the errors a user meets (bad CSV line, unknown column, bad options).
# Numbers are R's (tests/stats/data/reference.txt, made by tests/stats/make_reference.R).
. "$SRC/tests/cli/lib.sh"
LUNG="$SHARED/reference/lung.csv"
SIM="$SRC/tests/stats/data/sim.csv"
A="$LUTETIA analyse"
# |a - b| <= 1e-6 |b| for jq
near() { echo "(($1) - ($2) | fabs) <= 1e-6 * (($2) | fabs)"; }

expect_exit 0 -- $A --help
expect_out 'usage: lutetia analyse km\|logrank\|cox\|rmst'
expect_exit 0 -- "$LUTETIA" help
expect_out 'analyse'

# Kaplan-Meier: R's print(survfit) medians and summary(times=) rows (lung_R.txt)
expect_exit 0 -- $A km "$LUNG" --time time --event event --group sex --times 180,365,730
expect_out '^sex=1 +138 +112 +270 +212 +310$'
expect_out '^sex=2 +90 +53 +426 +348 +550$'
expect_out '^ +365 +35 +36 +0\.3361 +0\.04342 +0\.2609 +0\.4329$'
expect_exit 0 -- $A km "$LUNG" --time time --event event --group sex --times 180,365 --json
expect_jq '.curves | length == 2'
expect_jq '.curves[0].strata == "sex=1" and .curves[0].median == 270'
expect_jq "$(near '.curves[1].at.surv[1]' 0.52646303018590557)"
expect_jq '.curves[0]["n.risk"][0] == 138 and (.curves[0]["std.err"] | length) == (.curves[0].time | length)'
expect_jq '.curves[1]["median.lower"] == 348 and .curves[1]["median.upper"] == 550'
expect_exit 0 -- $A km "$LUNG" --time time --event event --group sex --conf-type log-log --json
expect_jq '.["conf.type"] == "log-log"'
expect_jq '.curves[0]["median.lower"] == 210'

# log-rank: survdiff
expect_exit 0 -- $A logrank "$LUNG" --time time --event event --group sex
expect_out 'Chisq= 10\.3 +on 1 degrees of freedom'
expect_exit 0 -- $A logrank "$LUNG" --time time --event event --group sex --json
expect_jq "$(near .chisq 10.326741954885632)"
expect_jq '.df == 1 and .observed == [112, 53]'
expect_jq "(.expected[0] - 91.6 | fabs) < 0.05 and (.var[0][0] + .var[0][1] | fabs) < 1e-9"
expect_exit 0 -- $A logrank "$LUNG" --time time --event event --group sex --strata ph.ecog --json
expect_jq '.stratified == true and .n == 227 and .dropped == 1'

# Cox: coxph on sex + age, Efron and Breslow (lung_R.txt)
expect_exit 0 -- $A cox "$LUNG" --time time --event event --covariates sex,age --json
expect_jq "$(near '.coefficients[0].coef' -0.5132185171083844)"
expect_jq '.coefficients[0].name == "sex" and .n == 228 and .nevent == 165'
expect_jq '.coefficients[0] | has("exp(coef)") and has("se") and has("z") and has("p") and has("lower") and has("upper")'
expect_jq '(.lr_test.chisq - 14.12 | fabs) < 0.01 and (.wald_test.chisq - 13.47 | fabs) < 0.01 and (.score_test.chisq - 13.72 | fabs) < 0.01'
expect_jq '.loglik | length == 2'
expect_exit 0 -- $A cox "$LUNG" --time time --event event --covariates sex,age --ties breslow
expect_out '^sex +-0\.512565 '
expect_exit 0 -- $A cox "$LUNG" --time time --event event --covariates sex,age,ph.ecog
expect_out '1 observation deleted due to missingness'
expect_out '^ph\.ecog +0\.463728 '
expect_exit 0 -- $A cox "$SIM" --time time --event event --covariates age,ki67 --cluster site --json
expect_jq '.robust == true and (.coefficients[0].robust_se > 0)'

# RMST
expect_exit 0 -- $A rmst "$LUNG" --time time --event event --group sex --tau 365 --json
expect_jq '.tau == 365 and (.curves | length) == 2 and (.differences | length) == 1'
expect_jq '(.differences[0].diff - (.curves[1].rmean - .curves[0].rmean) | fabs) < 1e-9'

# the plot
expect_exit 0 -- $A km "$LUNG" --time time --event event --group sex --plot "$TMP/km.svg" --bands --title 'OS <by> sex'
if grep -q '</svg>' "$TMP/km.svg" && grep -q 'OS &lt;by&gt; sex' "$TMP/km.svg" && grep -q 'Number at risk' "$TMP/km.svg"; then ok; else bad "km.svg incomplete"; fi

# errors: unknown column lists the columns; a bad line is named with its column
expect_exit 5 -- $A km "$LUNG" --time days --event event
expect_err 'no column "days" for the time; the columns are: "time", "event", "sex", "age", "ph.ecog"'
printf 'time,event,arm\n10,1,a\n12,yes,b\n' >"$TMP/bad.csv"
expect_exit 4 -- $A km "$TMP/bad.csv" --time time --event event --group arm
expect_err 'bad.csv:3: event: expected an event flag \(0/1, 1/2 or TRUE/FALSE\), found "yes"'
printf 'time,event,arm\n10,1,a\n12,0\n' >"$TMP/short.csv"
expect_exit 4 -- $A km "$TMP/short.csv" --time time --event event
expect_err 'short.csv:3: expected 3 fields as in the header, found 2'
expect_exit 3 -- $A km "$TMP/missing.csv" --time time --event event
expect_err 'missing.csv: cannot open'
expect_exit 2 -- $A logrank "$LUNG" --time time --event event
expect_err 'logrank needs --group'
expect_exit 2 -- $A cox "$LUNG" --time time --event event --covariates sex --ties exact
expect_err '--ties: expected efron or breslow, found "exact"'
expect_exit 2 -- $A survival "$LUNG"
expect_err 'expected km, logrank, cox or rmst, found "survival"'
expect_exit 2 -- $A km "$LUNG" --time time --event event --times 365,180
expect_err 'increasing'
printf 'time,event,x\n1,1,1\n2,1,1\n3,0,1\n' >"$TMP/const.csv"
expect_exit 12 -- $A cox "$TMP/const.csv" --time time --event event --covariates x
expect_err 'singular'
finish
