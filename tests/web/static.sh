#!/bin/sh
# The web page's files as lutetia serve sends them (src/server/static.c): types, security
# headers, revalidation by ETag, and every way out of the web root refused: "..", its encoded
# and doubly encoded forms, dot files, backslashes, a symbolic link leading out, methods other
# than GET and HEAD; the API beside it untouched; --web naming no folder refused.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
L="$LUTETIA"
PID=
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; wait; rm -rf "$TMP"' EXIT INT TERM
setup_trial "$TEST_SEED" || { bad "setup"; finish; exit 1; }

# a web root of our own beside a secret outside it, with a link from inside to the secret
W="$TMP/web"
mkdir -p "$W/js" "$TMP/outside"
printf '<!doctype html><title>t</title>\n' >"$W/index.html"
printf 'export const x = 1;\n' >"$W/js/a.js"
printf 'body{}\n' >"$W/style.css"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$W/i.svg"
printf 'secret\n' >"$TMP/outside/secret.js"
printf 'hidden\n' >"$W/.env.js"
printf 'odd\n' >"$W/a.exe"
ln -s "$TMP/outside/secret.js" "$W/js/link.js"
ln -s "$TMP/outside" "$W/out"
ln -s a.js "$W/js/inside.js"

expect_exit 2 -- "$L" serve --listen 127.0.0.1:0 --allow-known-seed --web "$TMP/none"
expect_err -- "--web: '.*none' is not a folder"

"$L" serve --listen 127.0.0.1:0 --allow-known-seed --web "$W" >"$TMP/srv.out" 2>"$TMP/srv.log" &
PID=$!
i=0
until grep -q '^listening on' "$TMP/srv.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 500 ] && kill -0 "$PID" 2>/dev/null || { bad "server: $(cat "$TMP/srv.log")"; finish; exit 1; }
    sleep 0.02
done
B=$(sed -n 's/^listening on //p' "$TMP/srv.out")
until curl -sf "$B/healthz" >/dev/null; do sleep 0.02; done

# get PATH: status in $CODE, headers in $TMP/h, body in $TMP/out (the path sent as it is)
get() { CODE=$(curl -s --path-as-is -D "$TMP/h" -o "$TMP/out" -w '%{http_code}' "$@"); }
code() { if [ "$CODE" = "$1" ]; then ok; else bad "expected $1, got $CODE: $2"; fi; }
hdr() { if grep -qi "^$1" "$TMP/h"; then ok; else bad "no header /$1/ for $2"; sed 's/^/  | /' "$TMP/h"; fi; }

get "$B/"; code 200 "/ is index.html"
hdr 'Content-Type: text/html; charset=utf-8' /
hdr "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'" /
hdr 'X-Content-Type-Options: nosniff' /
hdr 'X-Frame-Options: DENY' /
hdr 'Cache-Control: no-cache' /
grep -q '<title>t</title>' "$TMP/out" && ok || bad "index body"
get "$B/js/a.js"; code 200 js; hdr 'Content-Type: text/javascript; charset=utf-8' js
get "$B/style.css"; code 200 css; hdr 'Content-Type: text/css; charset=utf-8' css
get "$B/i.svg"; code 200 svg; hdr 'Content-Type: image/svg+xml' svg
get "$B/js/inside.js"; code 200 "a link inside the root"

# revalidation: the ETag answers 304 while the file is unchanged, 200 once it changes
get "$B/js/a.js"
tag=$(sed -n 's/^[Ee][Tt]ag: *//p' "$TMP/h" | tr -d '\r')
[ -n "$tag" ] && ok || bad "no ETag"
get -H "If-None-Match: $tag" "$B/js/a.js"; code 304 "unchanged file"
printf 'export const x = 22;\n' >"$W/js/a.js"
touch -d '2030-01-01' "$W/js/a.js"
get -H "If-None-Match: $tag" "$B/js/a.js"; code 200 "changed file"
grep -q 'x = 22' "$TMP/out" && ok || bad "new contents"
get -I "$B/js/a.js"; code 200 HEAD

# ways out of the root, and names that are not plain
for p in /../outside/secret.js /js/../../outside/secret.js /js/%2e%2e/%2e%2e/outside/secret.js \
         /js/%2E%2E/index.html /%252e%252e/outside/secret.js /js/..%2f..%2foutside/secret.js \
         '/js/..\..\outside\secret.js' /.env.js /js/./a.js //etc/passwd /js//a.js /js/ \
         /js/link.js /out/secret.js /a.exe /missing.js; do
    get "$B$p"; code 404 "$p"
    grep -q secret "$TMP/out" && bad "$p leaked the file outside" || ok
done
# libmicrohttpd decodes %00 and ends the path there: what is served is the file named before it,
# with that file's own type (never the type the suffix after the NUL claims)
get "$B/index.html%00.js"
grep -qi '^Content-Type: text/html' "$TMP/h" && ok || bad "a NUL cannot change a file's type"
get -X POST "$B/index.html"; code 405 "POST on a file"
get -X DELETE "$B/js/a.js"; code 405 "DELETE on a file"
grep -q '"type":"about:blank"' "$TMP/out" && ok || bad "a refusal is a problem document"

# the API is not shadowed by the files: an unknown API route stays a JSON 404
get "$B/api/v1/nothing"; code 404 "unknown API route"
hdr 'Content-Type: application/problem+json' "API 404"
get "$B/api/v1/users/me"; code 401 "API without sign-in"

# the access log names the web route
grep -q '"route":"web"' "$TMP/srv.log" && ok || bad "access log route web"
finish
