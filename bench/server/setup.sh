# Sourced by bench/server/run.sh and soak.sh: a NELMAS trial in $WORK (on the build's disk, not
# a tmpfs: a durable commit must cost what it costs) with one site, a coordinator and an
# investigator, one randomised patient K1 whose calendar is read, an API token for the
# coordinator in $TOKEN, and start_server / stop_server for `lutetia serve`.
: "${LUTETIA:?}" "${WORK:?}" "${HERE:?}"
export LUTETIA_DB="$WORK/trial.db" LUTETIA_USER=admin
ASOF=2026-11-01
rm -rf "$WORK"
mkdir -p "$WORK"
# a secret seed (no --seed-hex): the server refuses a known one
"$LUTETIA" trial init --protocol "$HERE/protocols/nelmas.json" >/dev/null
"$LUTETIA" site add --code S1 --name "Site one" >/dev/null
"$LUTETIA" user add --name coord --role coordinator --site S1 --os-user "$(id -un)" >/dev/null
"$LUTETIA" user add --name inv --role investigator --site S1 --os-user "$(id -un)" >/dev/null
jq '[.id = "K1"]' "$HERE/examples/nelmas-01-eligible.json" >"$WORK/patients.json"
"$LUTETIA" enrol --user coord --site S1 --as-of $ASOF "$WORK/patients.json" >/dev/null
"$LUTETIA" consent --user coord --patient K1 --form v2 --date $ASOF >/dev/null
"$LUTETIA" confirm --user inv --patient K1 --date $ASOF >/dev/null
"$LUTETIA" randomise --user coord --patient K1 --date 2026-11-02 >/dev/null
TOKEN=$("$LUTETIA" token create --user coord | tail -n 1)
export LT_TOKEN="$TOKEN"

PID=
start_server() {
    rm -f "$WORK/srv.out"
    "$LUTETIA" serve --db "$LUTETIA_DB" --listen "127.0.0.1:${1:-0}" ${THREADS:+--threads "$THREADS"} \
        >"$WORK/srv.out" 2>>"$WORK/srv.log" &
    PID=$!
    i=0
    until grep -q '^listening on' "$WORK/srv.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 500 ] && kill -0 "$PID" 2>/dev/null || { echo "server did not start: $(tail -n 3 "$WORK/srv.log")"; return 1; }
        sleep 0.02
    done
    BASE=$(sed -n 's/^listening on //p' "$WORK/srv.out")
    PORT=${BASE##*:}
    until curl -sf "$BASE/healthz" >/dev/null; do sleep 0.02; done
}
stop_server() {
    [ -n "$PID" ] || return 0
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
    PID=
}
# labs stored for K1
stored_labs() { "$LUTETIA" list labs --user coord --patient K1 --json | jq '.count'; }
