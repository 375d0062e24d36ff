#!/bin/sh
# Mutation testing of the clinical modules (`make mutate`; not part of `make check`): each
# mutant of scripts/mutants.txt is applied, one at a time, to a scratch copy of the tree, the
# library and the tests it names are rebuilt, and those tests are run: a mutant is killed when
# one of them fails. A mutant nobody notices is a different clinical answer no test checks.
# Ends with the score; exits non-zero when a mutant survived or a line no longer applies.
#
# Usage: sh scripts/mutate.sh [LIST]     (LIST defaults to scripts/mutants.txt)
#        MUTANTS=endpoints sh scripts/mutate.sh    only the lines matching that pattern
#        MUTATE_DIR=/tmp/m sh scripts/mutate.sh    keep the scratch copy there (reused)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIST=${1:-$ROOT/scripts/mutants.txt}
case $LIST in /*) ;; *) LIST=$(pwd)/$LIST ;; esac
WORK=${MUTATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lutetia-mutate.XXXXXX")}
TREE=$WORK/lutetia
BUILD=$WORK/build
JOBS=${JOBS:-2}

for tool in meson ninja jq perl; do
    command -v $tool >/dev/null 2>&1 || { echo "mutate: $tool is needed (make deps)"; exit 2; }
done
[ -r "$LIST" ] || { echo "mutate: no list of mutants at $LIST"; exit 2; }

# The scratch copy: the files git knows (tracked and new), never a build folder. The tests find
# the shared data beside the tree, as they do beside the worktree.
mkdir -p "$TREE"
if git -C "$ROOT" rev-parse >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
        tar -C "$TREE" -xf -
else
    (cd "$ROOT" && tar --exclude='./build*' --exclude=./out -cf - .) | tar -C "$TREE" -xf -
fi
[ -e "$WORK/shared" ] || ln -s "$ROOT/../shared" "$WORK/shared"

echo "mutate: scratch copy in $WORK"
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$TREE" --buildtype=debug -Dwerror=false >"$WORK/setup.log" 2>&1 ||
        { echo "mutate: meson setup failed, see $WORK/setup.log"; exit 2; }
fi
ninja -C "$BUILD" -j"$JOBS" >"$WORK/build.log" 2>&1 ||
    { echo "mutate: the unmutated tree does not build, see $WORK/build.log"; exit 2; }
meson introspect "$BUILD" --tests >"$WORK/tests.json"

# targets NAME...: what ninja must rebuild for these tests (the test program, or the CLI
# binary that a shell test runs)
targets() {
    for t in "$@"; do
        jq -r --arg t "$t" --arg b "$BUILD/" '.[] | select(.name == $t) | .cmd[0] as $c
            | if ($c | endswith("/sh")) then "cli/lutetia" else ($c | ltrimstr($b)) end' \
            "$WORK/tests.json"
    done | sort -u
}

# run_tests NAME...: 0 when every one passes
run_tests() {
    meson test -C "$BUILD" --no-rebuild --num-processes "$JOBS" "$@" </dev/null >"$WORK/test.log" 2>&1
}

# the unmutated tree must pass what the mutants are judged by, or every mutant looks killed
all_tests=$(grep -v '^#' "$LIST" | grep -v '^$' | cut -f2 | tr ' ' '\n' | sort -u | tr '\n' ' ')
for t in $all_tests; do
    [ -n "$(targets "$t")" ] || { echo "mutate: no test named $t (mutants.txt)"; exit 2; }
done
# shellcheck disable=SC2086
run_tests $all_tests || { echo "mutate: the unmutated tree fails its tests, see $WORK/test.log"; exit 2; }

n=0 killed=0 survived=0 stale=0 nobuild=0
TAB=$(printf '\t')
while IFS="$TAB" read -r file tests from to why; do
    case $file in '#'* | '') continue ;; esac
    if [ -n "${MUTANTS:-}" ] && ! printf '%s\t%s\t%s\n' "$file" "$from" "$why" | grep -q -- "$MUTANTS"; then
        continue
    fi
    n=$((n + 1))
    f=$TREE/$file
    cp "$f" "$WORK/original"
    # the fragment and the mutant go through the environment: no quoting of C in the shell
    FROM=$from TO=$to perl -0777 -e '
        my $s = do { local $/; <STDIN> };
        my $n = () = $s =~ /\Q$ENV{FROM}\E/g;
        exit 3 if $n != 1;
        $s =~ s/\Q$ENV{FROM}\E/$ENV{TO}/;
        print $s;' <"$WORK/original" >"$WORK/mutant"
    if [ $? != 0 ]; then
        stale=$((stale + 1))
        printf 'STALE     %s: "%s" does not occur exactly once\n' "$file" "$from"
        continue
    fi
    cp "$WORK/mutant" "$f"
    # shellcheck disable=SC2086,SC2046  # a list of targets, split on purpose
    if ! ninja -C "$BUILD" -j"$JOBS" $(targets $tests) </dev/null >"$WORK/mutant-build.log" 2>&1; then
        nobuild=$((nobuild + 1))
        printf 'NO BUILD  %s: %s\n' "$file" "$why"
    elif run_tests $tests; then
        survived=$((survived + 1))
        printf 'SURVIVED  %s: %s\n          %s  ->  %s\n' "$file" "$why" "$from" "$to"
    else
        killed=$((killed + 1))
        failing=$(grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR)' "$WORK/test.log" |
            sed -E 's/.* \/ ([^ ]+) .*/\1/' | tr '\n' ' ')
        printf 'killed    %s: %s (by %s)\n' "$file" "$why" "$failing"
    fi
    cp "$WORK/original" "$f"
done <"$LIST"
# leave the scratch build as the tree is, for a rerun with MUTATE_DIR
ninja -C "$BUILD" -j"$JOBS" >/dev/null 2>&1

viable=$((n - stale - nobuild))
echo "mutation score: $killed of $viable mutants killed ($survived survived, $stale stale, $nobuild not built)"
[ -z "${MUTATE_DIR:-}" ] && rm -rf "$WORK"
[ "$survived" = 0 ] && [ "$stale" = 0 ]
