/* Who may record what after randomisation: the conduct actions map onto rows of the trial
 * module's one role table (src/trial/roles.c), so the CLI, the demo and the server check the
 * same place. */
#include "conduct_int.h"

static const lt__action as_trial_action[LT_CONDUCT_ACTION_COUNT] = {
    [LT_CONDUCT_RECORD] = LT_DO_RECORD,
    [LT_CONDUCT_DECIDE] = LT_DO_DECIDE_DOSE,
    [LT_CONDUCT_ADMINISTER] = LT_DO_GIVE_DOSE,
    [LT_CONDUCT_READ] = LT_DO_READ,
    [LT_CONDUCT_PRESCRIBE] = LT_DO_PRESCRIBE,
    [LT_CONDUCT_DISPENSE] = LT_DO_DISPENSE,
};

bool lt_conduct_allowed(lt_role role, lt_conduct_action action)
{
    if ((unsigned)action >= LT_CONDUCT_ACTION_COUNT) return false;
    return lt__role_allowed(role, as_trial_action[action]);
}

lt_status lt__conduct_allow(const lt_conduct *c, lt_conduct_action a, const char *verb,
                            lt_error *err)
{
    if ((unsigned)a >= LT_CONDUCT_ACTION_COUNT)
        LT_FAIL(err, LT_EINVAL, "", "unknown conduct action %d", (int)a);
    return lt__trial_allow(c->t, as_trial_action[a], verb, err);
}
