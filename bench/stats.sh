#!/bin/sh
# Survival estimation benchmark: Lutetia against R's survival package on the same synthetic
# trials (n = 10^6 and 10^7 rows, 3 covariates), same machine, same run.
# usage: sh bench/stats.sh [BUILD] [SIZES]     e.g. sh bench/stats.sh build "1000000 10000000"
# Prints one table per size; R is skipped with a message when Rscript or survival is absent.
set -eu
BUILD=${1:-build}
SIZES=${2:-"1000000 10000000"}
HERE=$(cd "$(dirname "$0")" && pwd)
LUTETIA="$BUILD/cli/lutetia"
[ -x "$LUTETIA" ] || { echo "bench/stats.sh: no $LUTETIA (build first: make build)"; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
have_r=1
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(survival)' >/dev/null 2>&1; then
    have_r=0
    echo "R with the survival package is not installed: timing Lutetia only"
    echo "(apt-get install r-base-core r-cran-survival, or make bench-deps)"
fi
# wall-clock seconds of a command, its output to $TMP/out and its stderr to $TMP/err
wall() {
    s=$(date +%s.%N)
    "$@" >"$TMP/out" 2>"$TMP/err"
    e=$(date +%s.%N)
    echo "$s $e" | awk '{printf "%.3f", $2 - $1}'
}
field() { sed -n "s/.*$1 \([0-9.]*\) s.*/\1/p" "$TMP/err"; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1fx", $1 / $2; else print "-" }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "lutetia: $("$LUTETIA" version); $(Rscript --version 2>&1 | head -1 || true)"
for n in $SIZES; do
    data="$TMP/trial_$n.csv"
    awk -v n="$n" -v seed=20261121 -f "$HERE/stats_gen.awk" >"$data"
    echo
    echo "== n = $n rows ($(du -m "$data" | cut -f1) MB CSV), covariates arm, x1, x2"
    common="--time time --event event"
    t_cox=$(wall "$LUTETIA" analyse cox "$data" $common --covariates arm,x1,x2 --timing)
    f_cox=$(field cox); r_cox=$(field read)
    coef=$(awk '$1 == "arm" || $1 == "x1" || $1 == "x2" {print $2; if (++k == 3) exit}' "$TMP/out" | tr '\n' ' ')
    t_km=$(wall "$LUTETIA" analyse km "$data" $common --group arm --timing)
    f_km=$(field km)
    t_lr=$(wall "$LUTETIA" analyse logrank "$data" $common --group arm --timing)
    f_lr=$(field logrank)
    chisq=$(sed -n 's/.*Chisq= *\([^ ]*\).*/\1/p' "$TMP/out")
    echo "Lutetia coefficients: $coef  log-rank chisq $chisq"
    if [ "$have_r" = 1 ]; then
        Rscript "$HERE/stats.R" "$data" >"$TMP/r.txt"
        rv() { awk -v k="$1" '$1 == k {print $2}' "$TMP/r.txt"; }
        R_read=$(rv read.csv); R_cox=$(rv coxph); R_fit=$(rv coxph.fit)
        R_km=$(rv survfit); R_lr=$(rv survdiff)
        R_user=$(echo "$R_read $R_cox" | awk '{printf "%.3f", $1 + $2}')
        echo "R coefficients:       $(sed -n 's/^coef //p' "$TMP/r.txt")  survdiff chisq $(sed -n 's/^chisq //p' "$TMP/r.txt")"
    else
        R_read=-; R_cox=-; R_fit=-; R_km=-; R_lr=-; R_user=-
    fi
    printf '%-44s %10s %10s %9s\n' "step" "Lutetia s" "R s" "speed-up"
    printf '%-44s %10s %10s %9s\n' "whole command: read CSV + Cox fit + print" "$t_cox" "$R_user" "$(ratio "$R_user" "$t_cox")"
    printf '%-44s %10s %10s %9s\n' "  read the CSV (read.csv)" "$r_cox" "$R_read" "$(ratio "$R_read" "$r_cox")"
    printf '%-44s %10s %10s %9s\n' "Cox fit alone, Efron (coxph.fit)" "$f_cox" "$R_fit" "$(ratio "$R_fit" "$f_cox")"
    printf '%-44s %10s %10s %9s\n' "Kaplan-Meier by arm (survfit)" "$f_km" "$R_km" "$(ratio "$R_km" "$f_km")"
    printf '%-44s %10s %10s %9s\n' "log-rank by arm (survdiff)" "$f_lr" "$R_lr" "$(ratio "$R_lr" "$f_lr")"
    printf '%-44s %10s\n' "whole km command (read + fit + print)" "$t_km"
    printf '%-44s %10s\n' "whole logrank command" "$t_lr"
done
