# Shared by the server tests: start
# `lutetia serve` on a free loopback port, stop it, and make requests with curl.
# Sourced after tests/cli/lib.sh and trial_setup.sh; uses $TMP and $LUTETIA.
PID=
stop_server() {
    [ -n "$PID" ] || return 0
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
    rc=$?
    PID=
    return $rc
}
trap 'stop_server; rm -rf "$TMP"' EXIT INT TERM

# start_server [DB [SERVE ARGS...]]: on a free loopback port (port 0); waits for the port line,
# then /healthz, polling with a bound, never a fixed sleep. Sets BASE and PORT.
start_server() {
    sdb=${1:-$LUTETIA_DB}
    [ $# -gt 0 ] && shift
    rm -f "$TMP/srv.out"
    "$LUTETIA" serve --db "$sdb" --listen 127.0.0.1:0 --allow-known-seed "$@" >"$TMP/srv.out" 2>"$TMP/srv.log" &
    PID=$!
    i=0
    while ! grep -q '^listening on' "$TMP/srv.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 500 ] && kill -0 "$PID" 2>/dev/null || { echo "server: $(cat "$TMP/srv.log")"; return 1; }
        sleep 0.02
    done
    BASE=$(sed -n 's/^listening on //p' "$TMP/srv.out")
    PORT=${BASE##*:}
    i=0
    until curl -sfk "$BASE/healthz" >/dev/null; do
        i=$((i + 1))
        [ $i -lt 500 ] || return 1
        sleep 0.02
    done
}

# req METHOD PATH [BODY] [CURL ARGS...]: the answer's body in $TMP/out, its status in $CODE
req() {
    m=$1 p=$2
    shift 2
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        b=$1
        shift
        CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' -X "$m" -H 'Content-Type: application/json' \
            --data-binary "$b" "$@" "$BASE$p")
    else
        CODE=$(curl -s -o "$TMP/out" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
    fi
}
expect_code() { if [ "$CODE" = "$1" ]; then ok; else bad "expected HTTP $1, got $CODE ($2)"; head -c 400 "$TMP/out"; echo; fi; }

# as USER: curl arguments acting as USER through its API token in $TMP/tok.USER
as() {
    printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TMP/tok.$1")" >"$TMP/curl.$1"
    echo "-K $TMP/curl.$1"
}
