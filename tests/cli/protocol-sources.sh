# The protocol files against their source documents: every criterion's `text` is a quotation of
# the seed its `source` names (whitespace and the registry's backslash escapes aside; a sub-item
# written "heading: N. item" is checked as its two parts), the criterion ids follow the seeds'
# numbering in their order, and each file is valid and lint-clean where it should be.
. "$SRC/tests/cli/lib.sh"
P="$SRC/protocols"
S="$SHARED/seeds"

# One line of text: the registry's "\>" and "\[" escapes removed, whitespace runs made one space.
flat() { sed 's/\\\([^A-Za-z0-9]\)/\1/g' | tr -s ' \t\r\n' '    ' | tr -s ' '; echo; }

# quoted FILE: each criterion's text (or each part of a sub-item) occurs in its seed
quoted() {
    jq -r '.criteria | to_entries[] | "\(.key)\t\(.value.source)\t\(.value.text)"' "$1" >"$TMP/crit"
    n=0
    while IFS="$(printf '\t')" read -r id src text; do
        seed=$(ls "$S/${src}_"*.txt 2>/dev/null | head -n 1)
        if [ -z "$seed" ]; then bad "$1: $id names source \"$src\", which is not a seed in $S"; continue; fi
        flat <"$seed" >"$TMP/seed"
        # "Deteriorated bone marrow function: 3. ANC<1500/mm3;" -> the heading and the item
        printf '%s\n' "$text" | flat | sed 's/: \([0-9][0-9]*\. \)/:\n\1/' >"$TMP/parts"
        while read -r part; do
            [ -z "$part" ] && continue
            if grep -qF -- "$part" "$TMP/seed"; then n=$((n + 1)); else bad "$1: $id: not in $seed: $part"; fi
        done <"$TMP/parts"
    done <"$TMP/crit"
    [ "$n" -gt 0 ] && ok || bad "$1: no criterion text was checked"
}

# ids FILE EXPECTED: the criterion ids, in file order, joined by spaces
ids() {
    got=$(jq -r '.criteria | keys_unsorted | join(" ")' "$1")
    if [ "$got" = "$2" ]; then ok; else bad "$1: criterion ids are \"$got\", expected \"$2\""; fi
}

for f in "$P/nelmas.json" "$P/nct04544098.json" "$P/net-retreat.json"; do
    quoted "$f"
    expect_exit 0 -- "$LUTETIA" protocol check "$f"
    expect_out 'valid'
done

ids "$P/nct04544098.json" "I1 I2 I3 I4 I5 I6 I7 I8 I9 I10 I11 I12 E1 E2 E3 E4 E5 E6 E7 E8 E9.1 E9.2 E9.3 E9.4 E10 E11.1 E11.2 E12.1 E12.2 E12.3 E12.4 E13.1 E13.2 E13.3 E13.4 E14 E15 E16 E17 E18 E19 E20 E21 E22"
ids "$P/net-retreat.json" "I1 I2 I3 I4 I5 I6 I7 I8 I9 I10 I11 I12 I13 I14 I15 I16 I17 I18 I19 I20 I21 I22 I23 I24 E1 E2 E3 E4 E5 E6"

# NCT04544098 and NET RETREAT have no internal inconsistency lint can point at (their conflicts
# are resolved and recorded in choices); every choice's `about` names a member of the file.
for f in "$P/nct04544098.json" "$P/net-retreat.json"; do
    expect_exit 0 -- "$LUTETIA" protocol lint "$f"
    expect_out '^0 findings'
    expect_exit 0 -- "$LUTETIA" protocol show "$f"
    for c in $(jq -r '.choices[].id' "$f"); do
        grep -qF -- "$c" "$TMP/out" && ok || bad "$f: protocol show does not list choice $c"
    done
done

# The seeds' conflicts the brief names are recorded as choices.
for c in lead-bullet i6-sub-items platelets-separator; do
    jq -e --arg c "$c" '.choices | any(.id == $c)' "$P/nct04544098.json" >/dev/null && ok || bad "nct04544098.json lacks choice $c"
done
for c in nyha-iib prrt-exposure gilbert-limit everolimus-dose retreatment-regimen; do
    jq -e --arg c "$c" '.choices | any(.id == $c)' "$P/net-retreat.json" >/dev/null && ok || bad "net-retreat.json lacks choice $c"
done

# A quotation that is not in the seed is caught (the check above can fail).
jq '.criteria.I2.text = "Aged 21 years or older"' "$P/nct04544098.json" >"$TMP/altered.json"
before=$failed
quoted "$TMP/altered.json" >/dev/null
if [ "$failed" = $((before + 1)) ]; then failed=$before; ok; else failed=$before; bad "an altered quotation was not caught"; fi

finish
