#!/bin/sh
# Runs the whole suite in each build folder given (the normal build and the sanitizer build)
# and ends with one line "N passed, N failed" adding up every test program's own closing line,
# with ", N skipped" when some comparison could not run (a program's "N passed, N failed,
# N skipped"): a skip is shown, never counted as a pass. A test program that ends without such
# a line, or exits non-zero, counts one failure more.
set -u
total_pass=0
total_fail=0
total_skip=0
for build in "$@"; do
    echo "== $build"
    meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 >"$build/test-run.txt" 2>&1
    grep -E '^ *[0-9]+/[0-9]+ ' "$build/test-run.txt" | awk '!seen[$0]++' | sed 's/^/  /'
    log="$build/meson-logs/testlog.json"
    if [ ! -s "$log" ]; then
        echo "no test log in $build"; total_fail=$((total_fail + 1)); continue
    fi
    counts=$(jq -rs '
        .[] | . as $t
        | (($t.stdout // "") | split("\n")
           | map(select(test("^[0-9]+ passed, [0-9]+ failed")))) as $lines
        | if ($lines | length) == 0 then "0 1 0 \($t.name)"
          else ($lines[-1] | capture("^(?<p>[0-9]+) passed, (?<f>[0-9]+) failed(, (?<s>[0-9]+) skipped)?")) as $c
               | "\($c.p) \(($c.f | tonumber) + (if $t.result == "OK" or ($c.f | tonumber) > 0 then 0 else 1 end)) \($c.s // "0") \($t.name)"
          end' "$log")
    while read -r p f s name; do
        [ -z "$p" ] && continue
        total_pass=$((total_pass + p))
        total_fail=$((total_fail + f))
        total_skip=$((total_skip + s))
        [ "$f" != 0 ] && echo "  failures in $name: see $build/meson-logs/testlog.txt"
        [ "$s" != 0 ] && echo "  $s skipped in $name: see $build/meson-logs/testlog.txt"
    done <<EOT
$counts
EOT
done
if [ "$total_skip" -gt 0 ]; then
    echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" = 0 ]
