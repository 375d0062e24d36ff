#!/bin/sh
# docs/deploy.md's examples are checked, not just shown: the systemd unit by
# `systemd-analyze verify` (with ExecStart pointing at the built binary) and the nginx site by
# `nginx -t` in a temporary prefix (with a throw-away certificate in place of Let's Encrypt's).
# Either check says "skipped" when its tool is not installed (nginx is in DEBIAN_BENCH).
. "$SRC/tests/cli/lib.sh"
trap 'rm -rf "$TMP"' EXIT INT TERM
DOC="$SRC/docs/deploy.md"
skipped=0
block() { awk -v lang="$1" '$0 == "```" lang {f = 1; next} /^```$/ {f = 0} f' "$DOC"; }

block ini >"$TMP/lutetia.service"
grep -q '^ExecStart=/usr/local/bin/lutetia serve ' "$TMP/lutetia.service" && ok || bad "no ExecStart in the unit"
grep -q '^TimeoutStopSec=' "$TMP/lutetia.service" && ok || bad "no TimeoutStopSec in the unit"
# systemd must wait longer than the server's own drain (--timeout, 30 s) before it kills
[ "$(sed -n 's/^TimeoutStopSec=//p' "$TMP/lutetia.service")" -gt 30 ] && ok || bad "TimeoutStopSec not above the drain time"
if command -v systemd-analyze >/dev/null; then
    sed -i "s|/usr/local/bin/lutetia|$LUTETIA|" "$TMP/lutetia.service"
    systemd-analyze verify "$TMP/lutetia.service" >"$TMP/err" 2>&1 && ok || bad "systemd-analyze verify: $(cat "$TMP/err")"
else
    skipped=$((skipped + 1))
fi

block nginx >"$TMP/site.conf"
grep -q 'proxy_pass http://127.0.0.1:8080;' "$TMP/site.conf" && ok || bad "no proxy_pass in the nginx example"
grep -q 'proxy_set_header X-Forwarded-Proto https;' "$TMP/site.conf" && ok || bad "the proxy does not say https (the cookie's Secure)"
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
        -days 2 -keyout "$TMP/k.pem" -out "$TMP/c.pem" >/dev/null 2>&1 || bad "test certificate"
    sed -i "s|/etc/letsencrypt/live/trial.example.org/fullchain.pem|$TMP/c.pem|; s|/etc/letsencrypt/live/trial.example.org/privkey.pem|$TMP/k.pem|" "$TMP/site.conf"
    printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n    access_log off;\n    include %s/site.conf;\n}\n' \
        "$TMP" "$TMP" "$TMP" >"$TMP/nginx.conf"
    nginx -t -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/err" 2>&1 && ok || bad "nginx -t: $(cat "$TMP/err")"
else
    skipped=$((skipped + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
