# Amending a running trial (lutetia trial amend): NELMAS begun under version 1.0 takes version
# 2.0 from a date. Only an admin amends; a version already run, another protocol, or a date
# before the previous amendment is refused; the patients who consented on the old form are
# flagged until they re-consent on the new one, which is a new consent (no reason), while
# consenting again on the same form stays a correction that needs one. Audited; the trail
# verifies.
. "$SRC/tests/cli/lib.sh"
. "$SRC/tests/cli/trial_setup.sh"
. "$SRC/tests/cli/store_sql.sh"

TRIAL_VERSION=1.0 setup_trial && ok || bad "setting up the trial at version 1.0"
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '.version == "1.0" and (.versions | length) == 1'
make_patients "$TMP/p.json" A 3
expect_exit 0 -- "$LUTETIA" enrol --user coord1 --site S1 --as-of 2026-03-01 "$TMP/p.json"
for id in A1 A2; do
    expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient $id --form 1.0 --date 2026-03-02
done
# A3 is screened but has not consented: nothing to re-consent
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1 --json
expect_jq '.reconsent_due == null'

# ---- who may amend, and what ----
expect_exit 7 -- "$LUTETIA" trial amend --user coord1 --protocol "$NELMAS" --version 2.0 --effective 2026-04-01
expect_err 'amend the protocol'
expect_exit 8 -- "$LUTETIA" trial amend --protocol "$NELMAS" --version 1.0 --effective 2026-04-01
expect_err 'already runs under version 1.0'
expect_exit 2 -- "$LUTETIA" trial amend --protocol "$NELMAS" --version 2.0
expect_err -- '--effective are required'
expect_exit 2 -- "$LUTETIA" trial amend --protocol "$SRC/protocols/net-retreat.json" --version 1.0 --effective 2026-04-01
expect_err 'this file is protocol net-retreat; the trial runs protocol nelmas'
expect_exit 5 -- "$LUTETIA" trial amend --protocol "$NELMAS" --version 9.9 --effective 2026-04-01
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '(.versions | length) == 1'

# ---- the amendment ----
expect_exit 0 -- "$LUTETIA" trial amend --protocol "$NELMAS" --version 2.0 --effective 2026-04-01 \
    --reason "amendment 2: first cycle 6 weeks after resection" --json
expect_jq '.version == "2.0" and .effective == "2026-04-01" and .consent_form == "2.0" and .reconsent_due == 2'
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '.version == "2.0" and (.versions | map(.version)) == ["1.0", "2.0"]
           and .versions[1].effective == "2026-04-01" and .versions[0].effective == null'
expect_exit 0 -- "$LUTETIA" trial show
expect_out 'amended: version 2.0 in force from 2026-04-01 .consent form 2.0.'
# amendments come in order
expect_exit 8 -- "$LUTETIA" trial amend --protocol "$NELMAS" --version 2.0 --effective 2026-05-01
jq '.version = "3.0" | .date = "2026-08-01"
    | .versions = [{"version": "2.0", "date": "2026-01-14", "source": "000", "summary": "as 3.0", "changes": {}}] + .versions' \
    "$NELMAS" >"$TMP/nelmas-3.json"
expect_exit 0 -- "$LUTETIA" protocol check "$TMP/nelmas-3.json"
expect_exit 2 -- "$LUTETIA" trial amend --protocol "$TMP/nelmas-3.json" --version 3.0 --effective 2026-03-01
expect_err 'amendments take effect in order: version 2.0 takes effect on 2026-04-01'

# ---- re-consent ----
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1 --json
expect_jq '.reconsent_due == "2.0" and .patient.consent_form == "1.0"'
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1
expect_out 'RE-CONSENT DUE +on form 2.0'
expect_exit 0 -- "$LUTETIA" patient show A3 --user coord1 --json
expect_jq '.reconsent_due == null'
# consent on the new form is a new consent, not a correction: no reason needed
expect_exit 0 -- "$LUTETIA" consent --user coord1 --patient A1 --form 2.0 --date 2026-04-10 --json
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1 --json
expect_jq '.reconsent_due == null and .patient.reconsent_form == "2.0"
           and .patient.reconsent_date == "2026-04-10" and .patient.consent_form == "1.0"'
# consent on the new form dated before the amendment took effect is no re-consent: it would
# correct the first consent, and that needs a reason
expect_exit 2 -- "$LUTETIA" consent --user coord1 --patient A2 --form 2.0 --date 2026-03-20
expect_err 'needs a reason'
expect_exit 0 -- "$LUTETIA" patient show A2 --user coord1 --json
expect_jq '.reconsent_due == "2.0"'
# consenting again on the form already in force corrects it, and that needs a reason
expect_exit 2 -- "$LUTETIA" consent --user coord1 --patient A1 --form 2.0 --date 2026-04-11
expect_err 'needs a reason'
# the trail holds the amendment and the re-consent, and verifies
expect_exit 0 -- "$LUTETIA" audit log --user admin --json
expect_jq '[.[] | select(.action == "trial.amend" and .new.version == "2.0")] | length == 1'
expect_jq '[.[] | select(.action == "consent.reconsent" and .patient == "A1")] | length == 1'
expect_exit 0 -- "$LUTETIA" audit verify --user admin
# a third version later on: both amendments listed, the latest in force
expect_exit 0 -- "$LUTETIA" trial amend --protocol "$TMP/nelmas-3.json" --version 3.0 --effective 2026-09-01 --consent-form 3.0b
expect_exit 0 -- "$LUTETIA" trial show --json
expect_jq '(.versions | map(.version)) == ["1.0", "2.0", "3.0"] and .version == "3.0" and .versions[2].consent_form == "3.0b"'
# A1 re-consented on 2.0 and must now re-consent on 3.0b
expect_exit 0 -- "$LUTETIA" patient show A1 --user coord1 --json
expect_jq '.reconsent_due == "3.0b"'

# ---- each patient's calendar follows the version in force on each entry's date ----
# NELMAS 1.0 gives the first cycle 8±2 weeks after the liver resection, 2.0 6±2. P1 (resected
# 2026-09-10, randomised to B 2026-11-01): under 1.0 C1 is due 2026-11-05 (window opened at
# randomisation, to 11-19); under 2.0 its window closes 2026-11-05.
calendar_with() { # calendar_with EFFECTIVE: a fresh 1.0 trial, P1 in arm B, amended then
    db_use_new cal &&
    "$LUTETIA" trial init --protocol "$NELMAS" --version 1.0 --seed-hex "$TEST_SEED" >/dev/null &&
    "$LUTETIA" site add --code S1 --name one >/dev/null &&
    "$LUTETIA" user add --name c1 --role coordinator --site S1 --os-user "$ME" >/dev/null &&
    "$LUTETIA" user add --name i1 --role investigator --site S1 --os-user "$ME" >/dev/null &&
    jq '.id = "P1"' "$EX/nelmas-01-eligible.json" >"$TMP/p1.json" &&
    "$LUTETIA" enrol --user c1 --site S1 --as-of 2026-11-01 "$TMP/p1.json" >/dev/null &&
    "$LUTETIA" consent --user c1 --patient P1 --form 1.0 --date 2026-11-01 >/dev/null &&
    "$LUTETIA" confirm --user i1 --patient P1 --date 2026-11-01 >/dev/null &&
    "$LUTETIA" randomise --user c1 --patient P1 --date 2026-11-01 >/dev/null &&
    "$LUTETIA" record anchor --user c1 --patient P1 --anchor liver_resection --date 2026-09-10 >/dev/null &&
    { [ -z "$1" ] || "$LUTETIA" trial amend --protocol "$NELMAS" --version 2.0 --effective "$1" >/dev/null; }
}
calendar_with "" && ok || bad "the 1.0 trial"
expect_exit 0 -- "$LUTETIA" schedule P1 --user c1 --as-of 2026-11-01 --json
expect_jq '.visits[] | select(.id == "C1") | .target == "2026-11-05" and .latest == "2026-11-19"'
# amended before C1 was due under 1.0: C1 is 2.0's
calendar_with 2026-11-03 && ok || bad "the trial amended on 2026-11-03"
expect_exit 0 -- "$LUTETIA" schedule P1 --user c1 --as-of 2026-11-01 --json
expect_jq '.visits[] | select(.id == "C1") | .latest == "2026-11-05"'
# amended after C1 was due under 1.0: C1 stays 1.0's; C2, due after the amendment, is 2.0's
calendar_with 2026-11-20 && ok || bad "the trial amended on 2026-11-20"
expect_exit 0 -- "$LUTETIA" schedule P1 --user c1 --as-of 2026-11-01 --json
expect_jq '.visits[] | select(.id == "C1") | .target == "2026-11-05" and .latest == "2026-11-19"'
expect_jq '[.visits[] | select(.id == "C2")] | length == 1'
finish
