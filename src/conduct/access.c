/* Who may record what after randomisation. ICH E6(R3) 3.16: access is role-based, and each
 * entry is made by the person responsible for it: nuclear-medicine staff record what they
 * administered, the treating physician (investigator) or nuclear-medicine physician decides a
 * dose, coordinators and investigators enter dates, labs, adverse events and outcomes, and a
 * monitor or statistician only reads. */
#include <stdio.h>
#include <string.h>
#include "conduct_int.h"

#define R(x) (1u << (x))
static const unsigned allowed[LT_CONDUCT_ACTION_COUNT] = {
    [LT_CONDUCT_RECORD] = R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR),
    [LT_CONDUCT_DECIDE] = R(LT_ROLE_INVESTIGATOR) | R(LT_ROLE_NUCLEAR_MEDICINE),
    [LT_CONDUCT_ADMINISTER] = R(LT_ROLE_NUCLEAR_MEDICINE),
    [LT_CONDUCT_READ] = R(LT_ROLE_ADMIN) | R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR) |
                        R(LT_ROLE_NUCLEAR_MEDICINE) | R(LT_ROLE_STATISTICIAN) |
                        R(LT_ROLE_MONITOR),
};

bool lt_conduct_allowed(lt_role role, lt_conduct_action action)
{
    if ((unsigned)action >= LT_CONDUCT_ACTION_COUNT || (unsigned)role >= LT_ROLE_COUNT)
        return false;
    return (allowed[action] & R(role)) != 0;
}

lt_status lt__conduct_allow(const lt_conduct *c, lt_conduct_action a, const char *verb,
                            lt_error *err)
{
    lt_role role = lt_trial_role(c->t);
    if (lt_conduct_allowed(role, a)) return LT_OK;
    char roles[160] = "";
    size_t n = 0;
    for (int i = 0; i < LT_ROLE_COUNT; i++)
        if (allowed[a] & R(i))
            n += (size_t)snprintf(roles + n, n < sizeof roles ? sizeof roles - n : 0, "%s%s",
                                  n ? ", " : "", lt_role_name((lt_role)i));
    const char *name = lt_role_name(role);
    LT_FAIL(err, LT_EPERM, lt_trial_user(c->t), "%s %s cannot %s (allowed: %s)",
            strchr("aeiou", name[0]) ? "an" : "a", name, verb, roles);
}
