# Running a trial from the command line: creating it, sites and users, screening (failures
# kept), the enrolment steps in order, role and site checks, corrections with a reason,
# stratification complete before randomisation, concealment of the next allocation, balance
# within strata, replay from the seed, the design simulation, and the steps after randomisation.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"

# ---- creating the trial ----
expect_exit 5 -- "$LUTETIA" patients --user admin
expect_err 'trial init'
expect_exit 0 -- "$LUTETIA" trial init --protocol "$NELMAS" --user admin --json
expect_jq '.protocol == "nelmas" and .admin == "admin" and .os_user == "'"$ME"'"
           and .key_file == "'"$LUTETIA_DB"'.key" and .seed == "sealed"'
# the key is created for its owner alone (so is the database: docs/store.md)
[ "$(stat -c %a "$LUTETIA_DB.key")" = 600 ] && ok || bad "key file mode $(stat -c %a "$LUTETIA_DB.key")"
expect_exit 8 -- "$LUTETIA" trial init --protocol "$NELMAS" --user admin
expect_err 'already exists'
# a key file already there is never overwritten, and no database is left behind
: >"$TMP/k.db.key"
expect_exit 8 -- "$LUTETIA" trial init --protocol "$NELMAS" --db "$TMP/k.db"
expect_err 'k.db.key: a key file already exists'
[ ! -e "$TMP/k.db" ] && [ ! -s "$TMP/k.db.key" ] && ok || bad "a refused init left a database or wrote the key"
expect_exit 2 -- "$LUTETIA" trial init --protocol "$NELMAS" --db "$TMP/k2.db" --seed-hex 12ab
expect_err -- '--seed-hex: expected 64 hex digits'
[ ! -e "$TMP/k2.db" ] && [ ! -e "$TMP/k2.db.key" ] && ok || bad "a refused init left files"
expect_exit 3 -- "$LUTETIA" trial init --protocol "$TMP/none.json" --db "$TMP/other.db"
[ ! -e "$TMP/other.db" ] && ok || bad "a failed init left a database behind"
expect_exit 0 -- "$LUTETIA" trial init --help
expect_out 'first user, an admin'
setup_trial && ok || bad "setting up the trial"
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '.version == "2.0" and .randomisation == "permuted_blocks" and (.sites | length) == 2
           and ([.users[] | select(.name == "coord1")][0].role == "coordinator")'

# ---- sites and users: admin only, checked ----
expect_exit 7 -- "$LUTETIA" site add --user coord1 --code S3 --name "Site three"
expect_err 'a coordinator cannot add sites'
expect_exit 7 -- "$LUTETIA" user add --user mon1 --name x --role monitor --site S1
expect_exit 2 -- "$LUTETIA" user add --name x --role surgeon --site S1
expect_err 'expected admin, coordinator'
expect_exit 5 -- "$LUTETIA" user add --name x --role monitor --site S9
expect_err "no site 'S9'"
expect_exit 8 -- "$LUTETIA" site add --code S1 --name "again"
expect_exit 0 -- "$LUTETIA" site add --code S3 --name "Site three" --json
expect_jq '. == {"site": "S3", "name": "Site three"}'
expect_exit 0 -- "$LUTETIA" user add --name mon13 --role monitor --site S1,S3 --json
expect_jq '. == {"user": "mon13", "role": "monitor", "sites": ["S1", "S3"], "os_users": []}'
expect_exit 2 -- "$LUTETIA" user add --name mon4 --role monitor --site S1 --all-sites
expect_exit 2 -- "$LUTETIA" site add --code "S 4" --name four
expect_err 'expected a site code'
expect_exit 7 -- "$LUTETIA" patients --user nobody
expect_err "no user 'nobody'"

# ---- screening: every result stored, failures too ----
make_patients "$TMP/a.json" A 4
jq '.id = "R1" | .procedures[0].text = "R0"' "$EX/nelmas-06-missing-bilirubin.json" >"$TMP/review.json"
jq '.[0] | .id = "X1" | .procedures[0].margin = "R2" | .procedures[0].text = "R2"' "$TMP/a.json" >"$TMP/inel.json"
expect_exit 7 -- "$LUTETIA" enrol --user mon1 --site S1 --as-of $ASOF "$TMP/a.json"
expect_exit 7 -- "$LUTETIA" enrol --user admin --site S1 --as-of $ASOF "$TMP/a.json"
expect_exit 7 -- "$LUTETIA" enrol --user coord2 --site S1 --as-of $ASOF "$TMP/a.json"
expect_err "not bound to site 'S1'"
expect_exit 0 -- "$LUTETIA" enrol --user coord1 --site S1 --as-of $ASOF --json "$TMP/a.json"
expect_jq 'length == 4 and all(.[]; .verdict == "eligible")'
expect_exit 0 -- "$LUTETIA" enrol --user coord1 --site S1 --as-of $ASOF "$TMP/review.json" "$TMP/inel.json"
expect_out 'R1 screened at S1: needs_review'
expect_out 'X1 screened at S1: ineligible'
expect_exit 0 -- "$LUTETIA" patients --user coord1 --json
expect_jq '.flow.screened == 6 and .flow.verdicts.eligible == 4 and .flow.verdicts.ineligible == 1
           and .flow.verdicts.needs_review == 1 and .flow.failed_criteria.I5 == 1
           and .flow.unknown_criteria["E11"] == 1 and .flow.allocated == 0'
expect_exit 0 -- "$LUTETIA" patient show X1 --user coord1 --json
expect_jq '.patient.state == "screened" and .patient.verdict == "ineligible"
           and (.screenings[0].failed | index("I5")) != null and .screenings[0].protocol_version == "2.0"'
# a patient of site S1 cannot be screened again at S2
expect_exit 0 -- "$LUTETIA" user add --name coordx --role coordinator --site S1,S2 --os-user "$ME"
expect_exit 8 -- "$LUTETIA" enrol --user coordx --site S2 --as-of $ASOF "$TMP/a.json"
expect_err "already enrolled at site 'S1'"
expect_exit 7 -- "$LUTETIA" enrol --user coord2 --site S2 --as-of $ASOF "$TMP/a.json"

# ---- the steps in order ----
expect_exit 6 -- "$LUTETIA" randomise --user coord1 --patient A1
expect_err 'no consent is recorded'
expect_exit 6 -- "$LUTETIA" confirm --user inv1 --patient A1 --date $ASOF
expect_err 'no consent is recorded'
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient A1 --form v2 --date $ASOF --json
expect_jq '.patient.state == "consented" and .patient.consent_form == "v2"'
expect_exit 6 -- "$LUTETIA" randomise --user coord1 --patient A1
expect_err 'not confirmed: an investigator'
expect_exit 7 -- "$LUTETIA" confirm --user coord1 --patient A1 --date $ASOF
expect_err 'a coordinator cannot confirm eligibility'
expect_exit 2 -- "$LUTETIA" consent --user coord1 --patient A1 --form v2 --date 2026-13-01
expect_exit 2 -- "$LUTETIA" consent --user coord1 --patient A1 --form v2 --date 2999-01-01
expect_err 'in the future'
# a verdict that is not eligible cannot be confirmed
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient R1 --form v2 --date $ASOF
expect_exit 6 -- "$LUTETIA" confirm --user inv1 --patient R1 --date $ASOF
expect_err 'needs_review \(unknown: .*E11'
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient X1 --form v2 --date $ASOF
expect_exit 6 -- "$LUTETIA" confirm --user inv1 --patient X1 --date $ASOF
expect_err 'ineligible \(failed: .*I5'
expect_exit 0 -- "$LUTETIA" confirm --user inv1 --patient A1 --date $ASOF --json
expect_jq '.patient.state == "confirmed" and .patient.confirmed_by == "inv1"'
expect_exit 6 -- "$LUTETIA" enrol --user coord1 --site S1 --as-of $ASOF --patient A1 "$TMP/a.json"
expect_err 'is not screened again'

# ---- corrections need a reason ----
expect_exit 2 -- "$LUTETIA" consent --user coord1 --patient A1 --form v3 --date $ASOF
expect_err 'needs a reason'
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient A1 --form v3 --date $ASOF --reason "wrong form version entered"
expect_exit 0 -- "$LUTETIA" audit log --patient A1 --json
expect_jq '[.[] | select(.action == "consent.correct")] | length == 1'
expect_jq '[.[] | select(.action == "consent.correct")][0] | .reason == "wrong form version entered"
           and .old.consent_form == "v2" and .new.consent_form == "v3"'

# ---- role and site checks on reading and changing ----
# another site's patient: the answer a patient who does not exist gets
expect_exit 5 -- "$LUTETIA" patient show A1 --user coord2
expect_err "no patient 'A1' among the patients you may read"
cp "$TMP/err" "$TMP/err-other-site"
expect_exit 5 -- "$LUTETIA" patient show A99 --user coord2
sed 's/A99/A1/g' "$TMP/err" | cmp -s - "$TMP/err-other-site" && ok || bad "another site's patient and no patient differ"
expect_exit 7 -- "$LUTETIA" consent --user coord2 --patient A2 --form v2 --date $ASOF
expect_exit 0 -- "$LUTETIA" patients --user coord2 --json
expect_jq '(.patients | length) == 0 and .flow.screened == 0'
expect_exit 0 -- "$LUTETIA" patients --user stat1 --json
expect_jq '(.patients | length) == 6'
expect_exit 7 -- "$LUTETIA" randomise --user mon1 --patient A1
expect_err 'a monitor cannot randomise'
expect_exit 7 -- "$LUTETIA" randomise --user nuc1 --patient A1
expect_exit 7 -- "$LUTETIA" randomise --user coord2 --patient A1
expect_exit 7 -- "$LUTETIA" audit log --user coord1
expect_err 'cannot read the audit trail'

# ---- concealment: nothing shows an allocation before it is made, nothing shows the seed ----
# the seed is in the file only sealed: no clear seed, a 72-byte box (nonce, MAC, seed)
[ "$(sqlite3 "$LUTETIA_DB" "SELECT count(*) FROM secret")" = 0 ] && ok || bad "a clear seed in the store"
[ "$(sqlite3 "$LUTETIA_DB" "SELECT length(box) FROM sealed_seed")" = 72 ] && ok || bad "no sealed seed"
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '.seed == "sealed"'
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1 --json
expect_jq '.patient.arm == null and .patient.allocation == null and .allocation == null'
# a trial whose seed the test knows, to look for it in every output
KSEED=00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978
KDB="$TMP/known.db"
expect_exit 0 -- "$LUTETIA" trial init --protocol "$NELMAS" --db "$KDB" --seed-hex $KSEED
expect_out 'seed supplied, not secret'
LUTETIA_DB="$KDB" "$LUTETIA" site add --code S1 --name one >/dev/null
LUTETIA_DB="$KDB" "$LUTETIA" user add --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null
LUTETIA_DB="$KDB" "$LUTETIA" user add --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null
make_patients "$TMP/k.json" K 1
LUTETIA_DB="$KDB" ready "$TMP/k.json" S1 coord1 inv1 && ok || bad "preparing K1"
: >"$TMP/all-out"
for cmd in "patients --json" "patient show K1 --json" "trial show --json" "audit log --json" \
           "audit log" "randomise --replay --json" "trial show" "patients" "audit verify --json"; do
    # shellcheck disable=SC2086
    "$LUTETIA" $cmd --db "$KDB" --user admin >>"$TMP/all-out" 2>&1
done
grep -q '"arm":"[AB]"' "$TMP/all-out" && bad "an arm appears before any allocation" || ok
"$LUTETIA" randomise --db "$KDB" --user coord1 --patient K1 >>"$TMP/all-out" 2>&1 || bad "randomising K1"
for cmd in "patients --json" "patient show K1 --json" "trial show --json" "audit log --json" \
           "audit log" "randomise --replay --json" "trial show" "patients" "audit verify --json"; do
    # shellcheck disable=SC2086
    "$LUTETIA" $cmd --db "$KDB" --user admin >>"$TMP/all-out" 2>&1
done
grep -qi "$KSEED" "$TMP/all-out" && bad "the seed appears in a command's output" || ok
grep -qi "$(tr -d '\n' <"$KDB.key")" "$TMP/all-out" && bad "the key appears in a command's output" || ok
# the supplied seed is on record as such
expect_exit 0 -- "$LUTETIA" audit log --db "$KDB" --user admin --json
expect_jq '.[0].action == "trial.create" and .[0].reason == "seed supplied, not secret"'
expect_exit 0 -- "$LUTETIA" trial show --db "$KDB" --user admin --json
expect_jq '.seed == "supplied"'
# a copy of the database without the key predicts nothing: randomising and replaying refuse
cp "$KDB" "$TMP/copy.db"
expect_exit 5 -- "$LUTETIA" randomise --db "$TMP/copy.db" --user coord1 --patient K1
expect_err 'copy.db.key: no key file here'
expect_exit 5 -- "$LUTETIA" randomise --replay --db "$TMP/copy.db" --user admin
# the key named elsewhere (option, environment); another trial's key does not open the seed;
# a key others can read is refused
expect_exit 0 -- "$LUTETIA" randomise --replay --db "$TMP/copy.db" --user admin --key-file "$KDB.key"
expect_exit 0 -- env LUTETIA_KEY_FILE="$KDB.key" "$LUTETIA" randomise --replay --db "$TMP/copy.db" --user admin
expect_exit 10 -- "$LUTETIA" randomise --replay --db "$TMP/copy.db" --user admin --key-file "$LUTETIA_DB.key"
expect_err 'this key does not open the trial.s sealed seed'
cp "$KDB.key" "$TMP/open.key" && chmod 644 "$TMP/open.key"
expect_exit 7 -- "$LUTETIA" randomise --replay --db "$TMP/copy.db" --user admin --key-file "$TMP/open.key"
expect_err 'open to other accounts \(mode 0644, expected 0600\)'
# site roles see the arm and the date, never the block, its size or the place in it; the admin
# and an unblinded statistician see them; only those two replay
LUTETIA_DB="$KDB" "$LUTETIA" user add --name mon1 --role monitor --site S1 --os-user "$ME" >/dev/null
LUTETIA_DB="$KDB" "$LUTETIA" user add --name stat1 --role statistician --all-sites --os-user "$ME" >/dev/null
LUTETIA_DB="$KDB" "$LUTETIA" user add --name ustat1 --role unblinded_statistician --all-sites --os-user "$ME" >/dev/null
for u in coord1 inv1 mon1 stat1; do
    expect_exit 0 -- "$LUTETIA" patient show K1 --db "$KDB" --user $u --json
    expect_jq '(.allocation.arm | test("^[AB]$")) and .allocation.date != null
               and ([.allocation | has("block", "position", "block_size")] | any | not)'
    expect_no_out '"(block|block_size|position)"'
    expect_exit 7 -- "$LUTETIA" randomise --replay --db "$KDB" --user $u
done
expect_exit 0 -- "$LUTETIA" audit log --db "$KDB" --user mon1 --json
expect_jq '[.[] | select(.entity == "allocation")] | length == 1
           and all(.[]; .new | (.arm | test("^[AB]$")) and ([has("block", "position", "block_size")] | any | not))'
for u in admin ustat1; do
    expect_exit 0 -- "$LUTETIA" patient show K1 --db "$KDB" --user $u --json
    expect_jq '.allocation.block == 0 and .allocation.position == 0 and (.allocation.block_size | IN(2, 4))'
    expect_exit 0 -- "$LUTETIA" randomise --replay --db "$KDB" --user $u --json
    expect_jq '.verified and .allocations == 1'
done

# ---- who is acting: the OS account, not the name typed ----
# a user bound to another OS account cannot be acted as, whatever --user says
LUTETIA_DB="$KDB" "$LUTETIA" user add --name ghost --role coordinator --site S1 --os-user "not-$ME" >/dev/null
expect_exit 7 -- "$LUTETIA" patients --db "$KDB" --user ghost
expect_err "trial user 'ghost' is not bound to the OS account '$ME'"
# a user bound to no OS account cannot act on the command line either
expect_exit 0 -- "$LUTETIA" user add --db "$KDB" --name unbound --role investigator --site S1
expect_out 'bound to no OS account'
expect_exit 7 -- "$LUTETIA" patients --db "$KDB" --user unbound
# several users on one account: --user (or LUTETIA_USER) chooses, none chosen is refused
expect_exit 2 -- env -u LUTETIA_USER "$LUTETIA" patients --db "$KDB"
expect_err "the OS account '$ME' acts as 6 trial users \(admin, coord1, inv1, mon1, stat1, ustat1\)"
# an admin binds an existing user to more accounts (audited); a coordinator cannot
expect_exit 7 -- "$LUTETIA" user bind --db "$KDB" --user coord1 --name unbound --os-user "$ME"
expect_exit 0 -- "$LUTETIA" user bind --db "$KDB" --user admin --name unbound --os-user "$ME"
expect_out "bound user unbound to OS account $ME"
expect_exit 0 -- "$LUTETIA" patients --db "$KDB" --user unbound
expect_exit 8 -- "$LUTETIA" user bind --db "$KDB" --user admin --name unbound --os-user "$ME"
expect_exit 0 -- "$LUTETIA" audit log --db "$KDB" --user admin --json
expect_jq '.[-1].action == "user.bind" and .[-1].new.os_users == ["'"$ME"'"] and .[-1].old.os_users == null'
# with one user bound, that user acts
expect_exit 0 -- "$LUTETIA" trial init --protocol "$NELMAS" --db "$TMP/solo.db" --user solo
expect_exit 0 -- env -u LUTETIA_USER "$LUTETIA" site add --db "$TMP/solo.db" --code S1 --name one
expect_exit 0 -- env -u LUTETIA_USER "$LUTETIA" audit log --db "$TMP/solo.db" --json
expect_jq '.[-1].action == "site.add" and .[-1].user == "solo"'
expect_exit 2 -- "$LUTETIA" user add --db "$TMP/solo.db" --user solo --name x --role monitor --site S1 --os-user "a b"
expect_err -- "--os-user: expected an OS account name"

# ---- stratification must be complete before randomisation ----
# NELMAS with a third factor read from an attestation the example patients do not have
jq '.randomisation.stratification.centre = {"name": "Centre volume", "fact": "attestation",
      "code": "high_volume_centre", "attr": "$value", "levels": {"high": ["1"], "low": ["0"]}}' \
   "$NELMAS" >"$TMP/strat.json"
SDB="$TMP/strat.db"
expect_exit 0 -- "$LUTETIA" trial init --protocol "$TMP/strat.json" --db "$SDB"
"$LUTETIA" site add --db "$SDB" --code S1 --name one >/dev/null &&
"$LUTETIA" user add --db "$SDB" --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
"$LUTETIA" user add --db "$SDB" --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null && ok || bad "site S1 and its users in $SDB"
jq '.[0] | .id = "M1"' "$TMP/a.json" | jq -s . >"$TMP/m.json"
LUTETIA_DB="$SDB" ready "$TMP/m.json" S1 coord1 inv1 && ok || bad "preparing M1"
expect_exit 6 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1
expect_err 'stratification factor\(s\) not recorded for .M1.: centre'
expect_exit 2 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1 --factor centre
expect_exit 2 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1 --factor centre=huge
expect_err "no level 'huge' \(expected one of: high, low\)"
expect_exit 0 -- "$LUTETIA" patient show M1 --db "$SDB" --user coord1 --json
expect_jq '.patient.strata.centre.level == null and .patient.state == "confirmed"
           and .patient.strata.primary_site == {"level": "other", "from": "data"}'
expect_exit 0 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1 --factor centre=high --json
expect_jq '.allocation == 1 and (.arm == "A" or .arm == "B") and .state == "randomised"'
expect_exit 0 -- "$LUTETIA" patient show M1 --db "$SDB" --user admin --json
expect_jq '.patient.strata.centre == {"level": "high", "from": "recorded"}
           and .allocation.stratum == "primary_site=other;resection_margin=R0;centre=high"
           and .allocation.number == 1 and .allocation.block == 0 and .allocation.position == 0'
expect_exit 6 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1
expect_err 'already randomised'
expect_exit 6 -- "$LUTETIA" randomise --db "$SDB" --user coord1 --patient M1 --factor centre=low --reason typo
expect_err 'stratification is fixed at randomisation'

# ---- balance within strata: 2 strata x 20 patients, blocks of 2 and 4 ----
make_patients "$TMP/b.json" B 20 pancreas R1
make_patients "$TMP/c.json" C 20 small_intestine R1
ready "$TMP/b.json" S1 coord1 inv1 && ready "$TMP/c.json" S1 coord1 inv1 && ok || bad "preparing B, C"
# two coordinators randomising at the same moment: the write lock orders them, so no
# allocation number or block place is used twice (the replay below checks it)
jq -r '.[].id' "$TMP/b.json" >"$TMP/b.txt"
jq -r '.[].id' "$TMP/c.json" >"$TMP/c.txt"
"$LUTETIA" randomise --user coord1 --patients "$TMP/b.txt" >"$TMP/ackb" 2>&1 &
pidb=$!
"$LUTETIA" randomise --user inv1 --patients "$TMP/c.txt" >"$TMP/ackc" 2>&1
wait $pidb && ok || bad "the first concurrent batch failed: $(cat "$TMP/ackb")"
[ "$(cat "$TMP/ackb" "$TMP/ackc" | grep -c '^ack ')" = 40 ] && ok || bad "40 acknowledgements expected"
[ "$(cat "$TMP/ackb" "$TMP/ackc" | awk '{print $2}' | sort -n | uniq | wc -l)" = 40 ] && ok ||
    bad "allocation numbers repeated between the concurrent batches"
expect_exit 0 -- "$LUTETIA" patients --user coord1 --json
# 20 patients per stratum in blocks of 2 and 4: after any full block the arms are level, and a
# partial block leaves them at most 2 apart
expect_jq '[.patients[] | select(.id | startswith("B")) | .arm] | (map(select(. == "A")) | length) as $a
           | ($a - (20 - $a)) | fabs <= 2'
expect_jq '[.patients[] | select(.id | startswith("C")) | .arm] | (map(select(. == "A")) | length) as $a
           | ($a - (20 - $a)) | fabs <= 2'
# running balance inside a stratum never drifts more than 2 apart (half the largest block)
expect_jq '[.patients[] | select(.id | startswith("B"))] | sort_by(.allocation)
           | reduce .[] as $p ({d: 0, worst: 0}; .d += (if $p.arm == "A" then 1 else -1 end)
             | .worst = ([.worst, (.d | fabs)] | max)) | .worst <= 2'

# ---- replay from the seed ----
expect_exit 7 -- "$LUTETIA" randomise --replay --user coord1
expect_exit 7 -- "$LUTETIA" randomise --replay --user stat1
expect_err 'a statistician cannot replay the allocation sequence \(allowed: admin, unblinded_statistician\)'
expect_exit 7 -- "$LUTETIA" randomise --replay --user mon1
expect_exit 0 -- "$LUTETIA" randomise --replay --user ustat1 --json
expect_jq '.verified and .allocations == 40 and ([.sequence[].number] == [range(1; 41)])'
# a seed replaced behind the engine's back is caught before it allocates anything: another
# trial's sealed seed, with that trial's key
cp "$LUTETIA_DB" "$TMP/swap.db"
sqlite3 "$TMP/swap.db" "DROP TRIGGER sealed_seed_no_update; ATTACH '$KDB' AS k;
                        UPDATE sealed_seed SET box = (SELECT box FROM k.sealed_seed)"
expect_exit 10 -- "$LUTETIA" randomise --replay --user ustat1 --db "$TMP/swap.db" --key-file "$KDB.key"
expect_err 'does not match the commitment'
expect_exit 10 -- "$LUTETIA" randomise --user coord1 --patient A1 --db "$TMP/swap.db" --key-file "$KDB.key"
# ... or garbage, which the trial's own key does not open
cp "$LUTETIA_DB" "$TMP/swap2.db"
sqlite3 "$TMP/swap2.db" "DROP TRIGGER sealed_seed_no_update; UPDATE sealed_seed SET box = randomblob(72)"
expect_exit 10 -- "$LUTETIA" randomise --user coord1 --patient A1 --db "$TMP/swap2.db" --key-file "$LUTETIA_DB.key"
expect_err 'this key does not open'


# ---- a minimisation trial: counts come from the store, replay recomputes them apart ----
jq '.randomisation.method = "minimisation" | .randomisation.p_preferred = 1
    | .randomisation.imbalance = "range" | del(.randomisation.block_sizes)' "$NELMAS" >"$TMP/min1.json"
NDB="$TMP/min.db"
expect_exit 0 -- "$LUTETIA" trial init --protocol "$TMP/min1.json" --db "$NDB"
"$LUTETIA" site add --db "$NDB" --code S1 --name one >/dev/null &&
"$LUTETIA" user add --db "$NDB" --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
"$LUTETIA" user add --db "$NDB" --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null && ok || bad "site S1 and its users in $NDB"
make_patients "$TMP/n.json" N 24
LUTETIA_DB="$NDB" ready "$TMP/n.json" S1 coord1 inv1 && ok || bad "preparing N"
jq -r '.[].id' "$TMP/n.json" >"$TMP/n.txt"
expect_exit 0 -- "$LUTETIA" randomise --db "$NDB" --user coord1 --patients "$TMP/n.txt"
expect_exit 0 -- "$LUTETIA" randomise --replay --db "$NDB" --user admin --json
expect_jq '.allocations == 24 and .verified'
expect_exit 0 -- "$LUTETIA" patients --db "$NDB" --user admin --json
# with the preferred arm always taken, every factor level stays within 2 of an even split
expect_jq '[.patients[] | {s: .strata.primary_site.level, m: .strata.resection_margin.level, arm}] as $p
           | [($p | group_by(.s)[]), ($p | group_by(.m)[])]
           | all(.[]; ((map(select(.arm == "A")) | length) - (map(select(.arm == "B")) | length)) | fabs <= 2)'
expect_exit 0 -- "$LUTETIA" patient show N5 --db "$NDB" --user admin --json
expect_jq '.allocation.method == "minimisation" and (.allocation.imbalance | keys) == ["A", "B"]
           and .allocation.preferred == true'
# the minimisation's imbalance would tell a coordinator the preferred arm of the next patient
expect_exit 0 -- "$LUTETIA" patient show N5 --db "$NDB" --user coord1 --json
expect_jq '.allocation.method == "minimisation" and ([.allocation | has("imbalance", "preferred")] | any | not)'

# ---- a single-arm trial registers instead of randomising ----
# (arm A's own calendar items go with it: the protocol check refuses items of an arm that is gone)
jq '.randomisation = {"method": "none"} | del(.arms.A)
    | .schedule.items |= with_entries(select((.value.arms // ["B"]) | map(select(. != "A")) | length > 0))
    | .schedule.items |= map_values(if .arms then .arms |= map(select(. != "A")) else . end)' \
    "$NELMAS" >"$TMP/single.json"
GDB="$TMP/single.db"
expect_exit 0 -- "$LUTETIA" trial init --protocol "$TMP/single.json" --db "$GDB"
"$LUTETIA" site add --db "$GDB" --code S1 --name one >/dev/null &&
"$LUTETIA" user add --db "$GDB" --name coord1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
"$LUTETIA" user add --db "$GDB" --name inv1 --role investigator --site S1 --os-user "$ME" >/dev/null && ok || bad "site S1 and its users in $GDB"
make_patients "$TMP/g.json" G 3
LUTETIA_DB="$GDB" ready "$TMP/g.json" S1 coord1 inv1 && ok || bad "preparing G"
expect_exit 0 -- "$LUTETIA" randomise --db "$GDB" --user coord1 --patient G2 --json
expect_jq '. == {"patient": "G2", "arm": "B", "allocation": 1, "state": "registered"}'
expect_exit 0 -- "$LUTETIA" randomise --db "$GDB" --user coord1 --patient G1
expect_out 'G1 registered to arm B \(allocation 2\)'
expect_exit 0 -- "$LUTETIA" randomise --replay --db "$GDB" --user admin --json
expect_jq '.allocations == 2 and .verified'
expect_exit 0 -- "$LUTETIA" patient treat G1 --db "$GDB" --user coord1 --json
expect_jq '.patient.state == "on_treatment" and .allocation.method == "none"'

# ---- after randomisation ----
expect_exit 6 -- "$LUTETIA" patient treat A1 --user nuc1 --date $ASOF
expect_err 'treatment starts after randomisation'
expect_exit 0 -- "$LUTETIA" patient treat B1 --user nuc1 --json
expect_jq '.patient.state == "on_treatment"'
expect_exit 6 -- "$LUTETIA" patient end B1 --why completed --user coord1
expect_err "'completed' ends a patient in follow-up"
expect_exit 7 -- "$LUTETIA" patient follow-up B1 --user mon1
expect_exit 0 -- "$LUTETIA" patient follow-up B1 --user coord1
expect_exit 0 -- "$LUTETIA" patient end B1 --why completed --user coord1
expect_exit 6 -- "$LUTETIA" consent --user coord1 --patient B1 --form v4 --date $ASOF --reason x
expect_err 'has ended the trial'
expect_exit 0 -- "$LUTETIA" patient end B2 --why withdrawal --reason "patient's wish" --user inv1
expect_exit 6 -- "$LUTETIA" patient end A2 --why withdrawal --user inv1
expect_err 'only screened'
expect_exit 2 -- "$LUTETIA" patient end B3 --why bored --user inv1
expect_exit 0 -- "$LUTETIA" patients --user admin --json
expect_jq '.flow.ended.completed == 1 and .flow.ended.withdrawal == 1 and .flow.allocated == 40
           and (.flow.arms.A + .flow.arms.B) == 40 and .flow.consented == 43 and .flow.confirmed == 41'

# ---- the design simulation touches no trial ----
mkdir "$TMP/empty" && cd "$TMP/empty" || exit 1
SIMSEED=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
expect_exit 0 -- env -u LUTETIA_DB "$LUTETIA" randomise --simulate 1000 --protocol "$NELMAS" --seed $SIMSEED --json
expect_jq '(.arms.A + .arms.B) == 1000 and .max_stratum_imbalance <= 1 and (.strata | length) == 4
           and .method == "permuted_blocks"'
cp "$TMP/out" "$TMP/sim1"
expect_exit 0 -- env -u LUTETIA_DB "$LUTETIA" randomise --simulate 1000 --protocol "$NELMAS" --seed $SIMSEED --json
cmp -s "$TMP/out" "$TMP/sim1" && ok || bad "the same seed gave another simulation"
[ -z "$(ls "$TMP/empty")" ] && ok || bad "the simulation created files"
expect_exit 0 -- "$LUTETIA" randomise --simulate 200 --protocol "$NELMAS"
expect_out 'primary_site=pancreas;resection_margin=R0'
expect_exit 2 -- "$LUTETIA" randomise --simulate 0 --protocol "$NELMAS"
expect_exit 2 -- "$LUTETIA" randomise --simulate 10
expect_exit 2 -- "$LUTETIA" randomise --simulate 10 --protocol "$NELMAS" --seed 12
# a minimisation design, from the NELMAS file with its method changed
jq '.randomisation.method = "minimisation" | .randomisation.p_preferred = 0.8
    | .randomisation.imbalance = "range" | del(.randomisation.block_sizes)' "$NELMAS" >"$TMP/min.json"
expect_exit 0 -- "$LUTETIA" randomise --simulate 2000 --protocol "$TMP/min.json" --seed $SIMSEED --json
expect_jq '.method == "minimisation" and (.arms.A + .arms.B) == 2000 and .max_level_imbalance <= 10'
cd "$TMP" || exit 1
finish
