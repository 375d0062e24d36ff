# Shared by the whole-life tests (life-*.sh): a pre-dose lab panel, an administration with its
# route, and a CT with two liver targets giving its RECIST 1.1 response. Sourced after lib.sh;
# uses $L, $TMP and the trial users coord (labs, scans), inv (decisions) and nm (administrations).
panel() { # panel PATIENT DATE PLATELETS
    for a in "hemoglobin 12.8 g/dL 12 16" "wbc 6.0 10^9/L 4 10" "neutrophils 3.5 10^9/L 1.8 7.5" \
             "lymphocytes 1.5 10^9/L 1 4" "platelets $3 10^9/L 150 400" "creatinine 0.9 mg/dL 0.6 1.2" \
             "bilirubin 0.6 mg/dL 0.1 1.2" "alt 25 U/L 7 35" "ast 24 U/L 10 35" "albumin 4.0 g/dL 3.5 5.2"; do
        set -- "$1" "$2" "$3" $a
        "$L" record lab --user coord --patient "$1" --date "$2" --analyte "$4" --value "$5" --unit "$6" \
            --lln "$7" --uln "$8" >/dev/null || return 1
    done
}
give() { # give PATIENT CYCLE DAY ROUTE MBQ
    "$L" record administration --user nm --patient "$1" --cycle "$2" --prescribed "$5" --route "$4" \
        --before "$(echo "$5 * 1.02" | bc)" --before-at "$3T08:30:00Z" \
        --residual "$(echo "$5 * 0.02" | bc)" --residual-at "$3T09:45:00Z" \
        --start "$3T09:00:00Z" --end "$3T09:30:00Z" --amino-start "$3T08:15:00Z" --amino-end "$3T13:00:00Z" \
        --no-ssa-long --no-ssa-short --json
}
scan() { # scan PATIENT DATE LIVER1_MM LIVER2_MM: a CT with two liver targets, its response
    "$L" record assessment --user coord --patient "$1" --date "$2" --modality ct \
        --target "T1:liver:$3" --target "T2:liver:$4" | sed 's/.*RECIST 1.1: \([A-Za-z]*\).*/\1/'
}
cycle() { # cycle PATIENT CYCLE DAY ROUTE [PLATELETS]: labs 3 days before, the decision, the dose
    panel "$1" "$(date -u -d "$3 - 3 days" +%F)" "${5:-220}" || { bad "labs $1 C$2"; return 1; }
    "$L" record decide --user inv --patient "$1" --cycle "$2" --date "$(date -u -d "$3 - 2 days" +%F)" --json >"$TMP/dec" ||
        { bad "decide $1 C$2"; return 1; }
    [ "$(jq -r .action "$TMP/dec")" = give_full ] || { bad "$1 C$2: $(cat "$TMP/dec")"; return 1; }
    give "$1" "$2" "$3" "$4" 7400 >"$TMP/adm" || { bad "administration $1 C$2: $(cat "$TMP/adm")"; return 1; }
    ok
}
