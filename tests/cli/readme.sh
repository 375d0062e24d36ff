# The README's tour, run as written: every `lutetia ...` line of its code blocks, in order, in a
# fresh folder holding protocols/ and examples/, so that the tour never shows a command that
# does not work. Exit 0, or 1 for the verbs whose 1 means "findings" (lint, design check).
. "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1
ln -s "$SRC/protocols" protocols
ln -s "$SRC/examples" examples
# continuation lines (ending in a backslash) are joined; ../shared is the shared folder
awk '/^```/ { inb = !inb; next }
     inb && /^lutetia / || cont { line = line $0; cont = sub(/\\$/, " ", line);
                                  if (!cont) { print line; line = "" } }' "$SRC/README.md" |
    sed "s|\.\./shared|$SHARED|g; s|^lutetia |\"\$LUTETIA\" |" >tour.sh
n=$(wc -l <tour.sh)
[ "$n" -ge 30 ] && ok || bad "expected at least 30 commands in the README's tour, found $n"
while IFS= read -r cmd; do
    sh -c "$cmd" >out.txt 2>err.txt
    rc=$?
    case "$rc:$cmd" in
    0:*) ok ;;
    1:*" protocol lint "* | 1:*" design check "*) ok ;;
    # the allocation is random: a dose decision needs arm B, whose calendar has the cycles
    2:*" record decide "*) grep -q 'arm A .* has no treatment cycle' err.txt && ok ||
        { bad "exit 2: $cmd"; head -3 err.txt | sed 's/^/  | /'; } ;;
    *) bad "exit $rc: $cmd"; head -3 err.txt | sed 's/^/  | /' ;;
    esac
done <tour.sh
finish
