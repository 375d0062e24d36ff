#!/bin/sh
# The survival analyses over HTTP (rows analyse.km, analyse.logrank, analyse.cox, analyse.rmst):
# on the demonstration trial's store, each answer is byte for byte what `lutetia analyse ...
# --endpoint ID --json` prints for the same user, options and cut-off (both call
# lt_conduct_survival); site staff get their sites' patients only, on both doors alike; a bad
# option is refused naming its parameter, and an unknown endpoint as the CLI refuses it.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/server/lib.sh"
L="$LUTETIA"
DB="$TMP/demo/demo.db"
mkdir -p "$TMP/demo"
"$L" demo --db "$DB" --out "$TMP/demo" --protocol "$SRC/protocols/nelmas.json" >"$TMP/demo.log" 2>&1 ||
  { bad "demo: $(tail -3 "$TMP/demo.log")"; finish; exit 1; }
export LUTETIA_DB="$DB"
for u in statistician coord-S01 monitor; do
    "$L" token create --user "$u" | tail -n 1 >"$TMP/tok.$u" || bad "token $u"
done
start_server "$DB" || { bad "server start"; finish; exit 1; }

# same USER "CLI ARGS" "HTTP PATH": the HTTP answer is the CLI's --json, byte for byte
same() {
    "$L" analyse $2 --user "$1" --json >"$TMP/cli.json" 2>"$TMP/cli.err" || bad "CLI $2: $(cat "$TMP/cli.err")"
    req GET "$3" $(as "$1")
    if [ "$CODE" = 200 ] && cmp -s "$TMP/out" "$TMP/cli.json"; then ok; else
        bad "$3 as $1: HTTP $CODE $(head -c 300 "$TMP/out") differs from 'analyse $2 --json' $(head -c 300 "$TMP/cli.json")"
    fi
}
CUT=2025-12-31
same statistician "km --endpoint DFS" "/api/v1/endpoints/DFS/km"
same statistician "km --endpoint DFS --cutoff $CUT --times 6,12,24" "/api/v1/endpoints/DFS/km?cutoff=$CUT&times=6,12,24"
same statistician "km --endpoint OS --conf-type log-log --conf-level 0.9" "/api/v1/endpoints/OS/km?conf_type=log-log&conf_level=0.9"
same statistician "km --endpoint DFS --strata primary_site" "/api/v1/endpoints/DFS/km?strata=primary_site"
same statistician "logrank --endpoint DFS --cutoff $CUT" "/api/v1/endpoints/DFS/logrank?cutoff=$CUT"
same statistician "logrank --endpoint OS --strata primary_site" "/api/v1/endpoints/OS/logrank?strata=primary_site"
same statistician "cox --endpoint DFS" "/api/v1/endpoints/DFS/cox"
same statistician "cox --endpoint DFS --cutoff $CUT --ties breslow --robust --conf-level 0.9" "/api/v1/endpoints/DFS/cox?cutoff=$CUT&ties=breslow&robust=true&conf_level=0.9"
same statistician "rmst --endpoint DFS --tau 24" "/api/v1/endpoints/DFS/rmst?tau=24"
same statistician "rmst --endpoint OS --cutoff $CUT" "/api/v1/endpoints/OS/rmst?cutoff=$CUT"
same monitor "logrank --endpoint DFS" "/api/v1/endpoints/DFS/logrank"
# the figures are the arms' (Cox's hazard ratio is experimental against the reference)
req GET /api/v1/endpoints/DFS/cox $(as statistician)
jq -e '.arms[0].reference and .arms[0].role == "control" and .coefficients[0].name == "arm_\(.arms[1].id)"
  and (.coefficients[0]["exp(coef)"] > .coefficients[0].lower) and (.coefficients[0]["exp(coef)"] < .coefficients[0].upper)' \
  "$TMP/out" >/dev/null && ok || bad "cox: arms and hazard ratio $(head -c 400 "$TMP/out")"
req GET /api/v1/endpoints/DFS/km $(as statistician)
jq -e '.curves | length == 2 and all(.[]; (.time | length) == (.surv | length) and (.["n.risk"] | length) == (.time | length))' \
  "$TMP/out" >/dev/null && ok || bad "km: two curves with their steps $(head -c 300 "$TMP/out")"
n_all=$(jq .n "$TMP/out")
# a coordinator reads its own site's patients, on both doors alike
same coord-S01 "km --endpoint DFS" "/api/v1/endpoints/DFS/km"
n_site=$(jq .n "$TMP/out")
[ "$n_site" -gt 0 ] && [ "$n_site" -lt "$n_all" ] && ok || bad "coord-S01 sees $n_site of $n_all patients"
same coord-S01 "cox --endpoint DFS" "/api/v1/endpoints/DFS/cox"

# refusals: each names its parameter; an unknown endpoint is the CLI's error
refused() { # refused PATH PARAM
    req GET "$1" $(as statistician)
    [ "$CODE" = 400 ] && [ "$(jq -r .param "$TMP/out")" = "$2" ] && ok || bad "$1: expected 400 naming $2, got $CODE $(cat "$TMP/out")"
}
refused "/api/v1/endpoints/DFS/km?times=12,6" times
refused "/api/v1/endpoints/DFS/km?times=6,x" times
refused "/api/v1/endpoints/DFS/km?conf_type=linear" conf_type
refused "/api/v1/endpoints/DFS/km?conf_level=1.5" conf_level
refused "/api/v1/endpoints/DFS/cox?ties=exact" ties
refused "/api/v1/endpoints/DFS/cox?robust=yes" robust
refused "/api/v1/endpoints/DFS/rmst?tau=-1" tau
refused "/api/v1/endpoints/DFS/km?cutoff=2025-13-01" cutoff
refused "/api/v1/endpoints/DFS/logrank?tau=24" tau
expect_exit 5 -- "$L" analyse km --endpoint PFS --user statistician --json
req GET /api/v1/endpoints/PFS/km $(as statistician)
[ "$CODE" = 404 ] && grep -qF "$(jq -r .detail "$TMP/out")" "$TMP/err" && ok || bad "unknown endpoint: HTTP $CODE $(cat "$TMP/out") vs CLI $(cat "$TMP/err")"
stop_server && ok || bad "SIGTERM"
finish
