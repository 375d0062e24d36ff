# Shared by the trial CLI tests (trial.sh, audit.sh, crash.sh): a NELMAS trial with two sites
# and one user per role, and patient files made from the eligible example patient.
# Sourced after lib.sh; uses $TMP, $LUTETIA and $SRC.
export LUTETIA_DB="$TMP/trial.db"
# Run by tests/store/pg-run.sh (LUTETIA_TEST_DB: a throwaway PostgreSQL cluster's maintenance
# database), the same test keeps its trial in a database of its own on that cluster instead,
# its key file in $TMP: the conformance of the two stores from the command line.
if [ -n "${LUTETIA_TEST_DB:-}" ]; then
    LUTETIA_DB=$(printf '%s\n' "$LUTETIA_TEST_DB" |
        sed "s|/postgres?|/lt_$(basename "$TMP" | tr -c 'A-Za-z0-9\n' _ | tr 'A-Z' 'a-z')?|")
    export LUTETIA_KEY_FILE="$TMP/trial.key"
fi
# pg_reset: a PostgreSQL LUTETIA_DB made new and empty (dropped and created again)
pg_reset() {
    name=$(printf '%s\n' "$LUTETIA_DB" | sed -n 's|^postgresql://[^/]*/\([^?]*\).*|\1|p')
    PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 \
        -d "$LUTETIA_TEST_DB" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
}
export LUTETIA_USER=admin
# peer authentication: every trial user of the tests is bound to the account running them
ME=$(id -un)
ASOF=2026-11-01
# a seed for tests that need a known allocation sequence (setup_trial "$TEST_SEED")
TEST_SEED=0000000000000000000000000000000000000000000000000000000000000001
NELMAS="$SRC/protocols/nelmas.json"
EX="$SRC/examples"

# make_patients FILE PREFIX N [SITE_LEVEL [MARGIN]]: N eligible NELMAS patients PREFIX1..N in
# one file (an array), copies of examples/nelmas-01 with the primary site (pancreas or
# small_intestine) and the liver-resection margin (R0 or R1) given; by default they alternate
# so that the patients fall in all four strata.
make_patients() {
    jq --arg p "$2" --argjson n "$3" --arg site "${4:-}" --arg margin "${5:-}" '
      . as $x | [range(1; $n + 1) as $i | $x
        | .id = ($p + ($i | tostring))
        | .diagnoses[0].primary_site =
            (if $site != "" then $site elif $i % 2 == 0 then "pancreas" else "small_intestine" end)
        | (if $margin != "" then $margin elif ($i / 2 | floor) % 2 == 0 then "R0" else "R1" end) as $m
        | .procedures[0].margin = $m | .procedures[0].text = $m]' \
      "$EX/nelmas-01-eligible.json" >"$1"
}

# setup_trial [SEED_HEX]: a fresh trial (with that known seed, when given; at protocol version
# $TRIAL_VERSION when set, else the latest); sites S1, S2; users
# coord1, inv1, nuc1, stat1, mon1 at S1, coord2, inv2 at S2, and ustat1 (unblinded
# statistician), all bound to the OS account running the tests.
setup_trial() {
    case $LUTETIA_DB in
    postgresql://*) pg_reset || return 1; rm -f "${LUTETIA_KEY_FILE:-}" ;;
    *) rm -f "$LUTETIA_DB" "$LUTETIA_DB-wal" "$LUTETIA_DB-shm" "$LUTETIA_DB.key" ;;
    esac
    "$LUTETIA" trial init --protocol "$NELMAS" --user admin ${1:+--seed-hex "$1"} \
        ${TRIAL_VERSION:+--version "$TRIAL_VERSION"} >/dev/null || return 1
    "$LUTETIA" site add --code S1 --name "Site one" >/dev/null &&
    "$LUTETIA" site add --code S2 --name "Site two" >/dev/null &&
    "$LUTETIA" user add --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name nuc1 --role nuclear_medicine --site S1 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name stat1 --role statistician --all-sites --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name mon1 --role monitor --site S1 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name coord2 --role coordinator --site S2 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name inv2 --role investigator --site S2 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name ustat1 --role unblinded_statistician --all-sites --os-user "$ME" >/dev/null
}

# ready PATIENT_FILE SITE COORD INV: enrols, consents and confirms every patient of the file.
ready() {
    "$LUTETIA" enrol --user "$3" --site "$2" --as-of "$ASOF" "$1" >/dev/null || return 1
    for id in $(jq -r '.[].id' "$1"); do
        "$LUTETIA" consent --user "$3" --patient "$id" --form v2 --date "$ASOF" >/dev/null || return 1
        "$LUTETIA" confirm --user "$4" --patient "$id" --date "$ASOF" >/dev/null || return 1
    done
}
