#!/bin/sh
# Writes docs/openapi.json from the operations table (the server test fails while it is stale).
# Usage: sh scripts/openapi.sh [BUILD_DIR]
set -e
"${1:-build}/cli/lutetia" serve --print-openapi >"$(dirname "$0")/../docs/openapi.json"
