#!/bin/sh
# Writes docs/openapi.json from the operations table, and the routes table of docs/server.md
# (between its "routes:" markers) from that document; tests/server/server.sh fails while either
# is stale. Usage: sh scripts/openapi.sh [BUILD_DIR]
set -e
root="$(dirname "$0")/.."
"${1:-build}/cli/lutetia" serve --print-openapi >"$root/docs/openapi.json"
table=$(mktemp)
trap 'rm -f "$table"' EXIT
jq -r '"| route | operation | what | who |", "|---|---|---|---|",
  (.paths | to_entries[] | .key as $p | .value | to_entries[]
   | "| `\(.key | ascii_upcase) \($p)` | `\(.value.operationId)` | \(.value.summary) | \(
       if .value["x-roles"] then .value["x-roles"] | join(", ")
       elif .value.security == [] then "anyone (no sign-in)" else "the session holder" end) |")' \
   "$root/docs/openapi.json" >"$table"
awk -v t="$table" '
  /^<!-- routes: generated/ { print; while ((getline line < t) > 0) print line; skip = 1; next }
  /^<!-- end of routes -->/ { skip = 0 }
  !skip' "$root/docs/server.md" >"$root/docs/server.md.new"
mv "$root/docs/server.md.new" "$root/docs/server.md"
