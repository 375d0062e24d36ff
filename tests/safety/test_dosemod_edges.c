/* Dose-modification rules at the edge of what the CTCAE grade can tell (make mutate,
 * scripts/mutants.txt): a grade left undetermined by a missing limit is "below" a rule only
 * when even its highest possible grade is below the rule's; when the highest possible grade is
 * the rule's own, the rule cannot be assessed and the decision is undetermined, never "give".
 * The shipped rules never meet this edge (their graded rules start at grades reached by
 * absolute limits), so a rule of grade 1 is written here: platelets 120 x 10^9/L without an
 * LLN are grade 0 or 1. Kept apart from test_safety.c, whose dose tests another change
 * extends. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/safety.h"

static const char RULES[] =
    "{\"format\": \"lutetia-dose-modification\", \"version\": 1, \"source\": \"test\","
    " \"full_activity_mbq\": 7400, \"reduced_activity_mbq\": 3700, \"max_delay_days\": 112,"
    " \"max_delay_label\": \"stop\", \"recurrence_label\": \"stop\","
    " \"toxicities\": [{\"id\": \"platelets_any\", \"action\": \"withhold\", \"label\": \"any "
    "thrombocytopenia\", \"when\": {\"grade\": \"platelets\", \"min\": 1}}]}";

static lt_dose_action decide_with(const lt_dosemod_rules *rules, const lt_ctcae_table *ctcae,
                                  double platelets, double lln)
{
    lt_lab labs[1] = {{"platelets", platelets, lln, NAN}};
    lt_dosemod_input in;
    lt_dosemod_input_init(&in);
    in.labs = labs;
    in.nlabs = 1;
    in.decision_date = lt_date_from_ymd(2026, 5, 1);
    in.first_due = in.decision_date;
    in.age_years = 60;
    in.weight_kg = 80;
    in.sex = LT_SEX_MALE;
    lt_dosemod_decision d;
    lt_error err;
    if (lt_dosemod_decide(rules, ctcae, &in, &d, &err) != LT_OK) {
        CHECK_MSG(0, "decide: %s", err.message);
        return (lt_dose_action)-1;
    }
    return d.action;
}

int main(void)
{
    lt_error err;
    lt_dosemod_rules *rules = NULL;
    lt_ctcae_table *ctcae = NULL;
    CHECK_MSG(lt_dosemod_parse(RULES, strlen(RULES), "rules", &rules, &err) == LT_OK, "%s: %s",
              err.where, err.message);
    CHECK_MSG(lt_ctcae_load(NULL, &ctcae, &err) == LT_OK, "%s", err.message);
    if (rules && ctcae) {
        /* grade 0 or 1, the rule needs 1: cannot be assessed */
        CHECK_STR(lt_dose_action_name(decide_with(rules, ctcae, 120, NAN)),
                  lt_dose_action_name(LT_DOSE_UNDETERMINED));
        /* with the LLN: grade 1, withheld; grade 0, given */
        CHECK_STR(lt_dose_action_name(decide_with(rules, ctcae, 120, 150)),
                  lt_dose_action_name(LT_DOSE_WITHHOLD));
        CHECK_STR(lt_dose_action_name(decide_with(rules, ctcae, 160, 150)),
                  lt_dose_action_name(LT_DOSE_GIVE_FULL));
    }
    lt_dosemod_free(rules);
    lt_ctcae_free(ctcae);
    return lt_test_done();
}
