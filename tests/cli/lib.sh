# Shell helpers for tests that run the real lutetia binary.
# Usage: . lib.sh; then expect_* calls; end with `finish`.
# LUTETIA (the binary) and SRC (the source tree) come from the environment meson sets.
passed=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# expect_exit CODE -- command...: the command's exit status is CODE
expect_exit() {
    want=$1; shift; [ "$1" = "--" ] && shift
    "$@" >"$TMP/out" 2>"$TMP/err"; got=$?
    if [ "$got" = "$want" ]; then ok; else bad "exit $got, expected $want: $*"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}
# expect_out PATTERN: the last command's stdout matches the extended regex
expect_out() { [ "$1" = -- ] && shift; if grep -Eq -- "$1" "$TMP/out"; then ok; else bad "stdout lacks /$1/"; head -20 "$TMP/out" | sed 's/^/  | /'; fi; }
# expect_err [--] PATTERN: the last command's stderr matches the extended regex PATTERN
expect_err() { [ "$1" = -- ] && shift; if grep -Eq -- "$1" "$TMP/err"; then ok; else bad "stderr lacks /$1/"; head -20 "$TMP/err" | sed 's/^/  | /'; fi; }
expect_no_out() { if grep -Eq -- "$1" "$TMP/out"; then bad "stdout has /$1/"; else ok; fi; }
# expect_jq FILTER: the last command's stdout, read as JSON, makes jq -e FILTER true
expect_jq() { if jq -e "$1" "$TMP/out" >/dev/null 2>&1; then ok; else bad "jq '$1' is not true"; head -c 600 "$TMP/out" | sed 's/^/  | /'; echo; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }
