#!/bin/sh
# Survival estimation benchmark: Lutetia against R's survival package on the same synthetic
# trials (n = 10^6 and 10^7 rows, 3 covariates), same machine, same run.
# usage: sh bench/stats.sh [BUILD] [SIZES]     e.g. sh bench/stats.sh build "1000000 10000000"
# Prints one table per size with wall and CPU (user + system, all threads) seconds. Lutetia's
# steps come from `lutetia analyse ... --timing`; R's from system.time() in bench/stats.R.
# R is skipped with a message when Rscript or the survival package is absent.
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
# runs a command; sets W (wall) and C (CPU, user + system of the process and its threads)
run() {
    /usr/bin/time -f '%e %U %S' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
    W=$(awk '{print $1}' "$TMP/time")
    C=$(awk '{printf "%.3f", $2 + $3}' "$TMP/time")
}
# a phase from --timing: "name W s cpu C s"
phase() { sed -n "s/.* $1 \([0-9.]*\) s cpu \([0-9.]*\) s.*/\1 \2/p" "$TMP/err"; }
ratio() { echo "$1 $2" | awk '{ if ($1 != "-" && $2 > 0) printf "%.1fx", $1 / $2; else print "-" }'; }
row() { # label lutetia_wall lutetia_cpu r_wall r_cpu
    printf '%-40s %8s %8s %9s %9s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$(ratio "$4" "$2")" "$(ratio "$5" "$3")"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lutetia: $("$LUTETIA" version); $(Rscript --version 2>&1 | head -1 || true)"
for n in $SIZES; do
    data="$TMP/trial_$n.csv"
    awk -v n="$n" -v seed=20261121 -f "$HERE/stats_gen.awk" >"$data"
    echo
    echo "== n = $n rows ($(du -m "$data" | cut -f1) MB CSV), covariates arm, x1, x2"
    common="--time time --event event --timing"
    run "$LUTETIA" analyse cox "$data" $common --covariates arm,x1,x2
    cox_w=$W; cox_c=$C; set -- $(phase read); rd_w=$1; rd_c=$2; set -- $(phase cox); fit_w=$1; fit_c=$2
    coef=$(awk '$1 == "arm" || $1 == "x1" || $1 == "x2" {print $2; if (++k == 3) exit}' "$TMP/out" | tr '\n' ' ')
    run "$LUTETIA" analyse km "$data" $common --group arm
    kmc_w=$W; kmc_c=$C; set -- $(phase km); km_w=$1; km_c=$2
    median=$(awk '$1 ~ /^arm=/ {printf "%s ", $4}' "$TMP/out")
    run "$LUTETIA" analyse logrank "$data" $common --group arm
    lrc_w=$W; lrc_c=$C; set -- $(phase logrank); lr_w=$1; lr_c=$2
    chisq=$(sed -n 's/.*Chisq= *\([^ ]*\).*/\1/p' "$TMP/out")
    echo "Lutetia: coefficients $coef; log-rank chisq $chisq; medians $median"
    R_read="- -"; R_cox="- -"; R_fit="- -"; R_km="- -"; R_lr="- -"; R_user="- -"
    if [ "$have_r" = 1 ]; then
        Rscript "$HERE/stats.R" "$data" >"$TMP/r.txt"
        rv() { awk -v k="$1" '$1 == k {print $2, $3}' "$TMP/r.txt"; }
        R_read=$(rv read.csv); R_cox=$(rv coxph); R_fit=$(rv coxph.fit)
        R_km=$(rv survfit); R_lr=$(rv survdiff)
        R_user=$(echo "$R_read $R_cox" | awk '{printf "%.3f %.3f", $1 + $3, $2 + $4}')
        echo "R:       coefficients $(sed -n 's/^coef //p' "$TMP/r.txt"); survdiff chisq $(sed -n 's/^chisq //p' "$TMP/r.txt"); medians $(sed -n 's/^median //p' "$TMP/r.txt")"
    fi
    printf '%-40s %8s %8s %9s %9s %8s %8s\n' "step (seconds)" "Lt wall" "Lt cpu" "R wall" "R cpu" "wall x" "cpu x"
    row "whole command vs read.csv + coxph" "$cox_w" "$cox_c" $R_user
    row "  reading the CSV vs read.csv" "$rd_w" "$rd_c" $R_read
    row "Cox fit alone vs coxph.fit" "$fit_w" "$fit_c" $R_fit
    row "KM by arm vs survfit" "$km_w" "$km_c" $R_km
    row "log-rank by arm vs survdiff" "$lr_w" "$lr_c" $R_lr
    row "whole km command" "$kmc_w" "$kmc_c" - -
    row "whole logrank command" "$lrc_w" "$lrc_c" - -
done
