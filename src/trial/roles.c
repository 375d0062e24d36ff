/* Roles, enrolment states and end reasons by name, and the one table saying which role may do
 * what. The server will check requests against this same table, so the CLI and the server
 * refuse exactly the same things. */
#include <stdio.h>
#include <string.h>
#include "trial_int.h"

static const char *const role_names[LT_ROLE_COUNT] = {
    [LT_ROLE_ADMIN] = "admin",
    [LT_ROLE_COORDINATOR] = "coordinator",
    [LT_ROLE_INVESTIGATOR] = "investigator",
    [LT_ROLE_NUCLEAR_MEDICINE] = "nuclear_medicine",
    [LT_ROLE_STATISTICIAN] = "statistician",
    [LT_ROLE_MONITOR] = "monitor",
    [LT_ROLE_UNBLINDED_STATISTICIAN] = "unblinded_statistician",
    [LT_ROLE_SAFETY_COMMITTEE] = "safety_committee",
};

static const char *const state_names[LT_STATE_COUNT] = {
    [LT_STATE_SCREENED] = "screened",         [LT_STATE_CONSENTED] = "consented",
    [LT_STATE_CONFIRMED] = "confirmed",       [LT_STATE_RANDOMISED] = "randomised",
    [LT_STATE_REGISTERED] = "registered",     [LT_STATE_ON_TREATMENT] = "on_treatment",
    [LT_STATE_FOLLOW_UP] = "follow_up",       [LT_STATE_ENDED] = "ended",
};

static const char *const end_names[LT_END_COUNT] = {
    [LT_END_COMPLETED] = "completed",
    [LT_END_RECURRENCE] = "recurrence",
    [LT_END_DEATH] = "death",
    [LT_END_WITHDRAWAL] = "withdrawal",
    [LT_END_LOST_TO_FOLLOW_UP] = "lost_to_follow_up",
    [LT_END_TRIAL_TERMINATED] = "trial_terminated",
};

#define R(x) (1u << (x))
/* Which roles may do what (ICH E6(R3) 3.16: access is role-based; a monitor verifies but does
 * not enter data, so a monitor can neither screen nor randomise). After randomisation each
 * entry is made by the person responsible for it: nuclear-medicine staff record what they
 * administered, the investigator or nuclear-medicine physician decides a dose, coordinators and
 * investigators enter dates, labs, adverse events and outcomes; statisticians only read.
 * Allocation concealment (ICH E9 2.3.2, CONSORT 2010 item 9): whoever enrols must not be able
 * to foresee the next arm, and with permuted blocks a block's size, the place in it and the
 * arms already given reveal its last arms. So site roles, monitors and the blinded statistician
 * see each patient's arm and date only; the sequence itself (blocks, positions, sizes,
 * minimisation imbalance) and its replay are for the admin and an unblinded statistician, who
 * enrol no one. */
static const unsigned allowed[LT_DO_COUNT] = {
    [LT_DO_ADMINISTER] = R(LT_ROLE_ADMIN),
    [LT_DO_ENROL] = R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR),
    [LT_DO_CONFIRM] = R(LT_ROLE_INVESTIGATOR),
    [LT_DO_TREAT] = R(LT_ROLE_NUCLEAR_MEDICINE) | R(LT_ROLE_INVESTIGATOR) |
                    R(LT_ROLE_COORDINATOR),
    [LT_DO_READ] = R(LT_ROLE_ADMIN) | R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR) |
                   R(LT_ROLE_NUCLEAR_MEDICINE) | R(LT_ROLE_STATISTICIAN) | R(LT_ROLE_MONITOR) |
                   R(LT_ROLE_UNBLINDED_STATISTICIAN) | R(LT_ROLE_SAFETY_COMMITTEE),
    [LT_DO_AUDIT] = R(LT_ROLE_ADMIN) | R(LT_ROLE_MONITOR),
    [LT_DO_REPLAY] = R(LT_ROLE_ADMIN) | R(LT_ROLE_UNBLINDED_STATISTICIAN),
    [LT_DO_RECORD] = R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR),
    [LT_DO_DECIDE_DOSE] = R(LT_ROLE_INVESTIGATOR) | R(LT_ROLE_NUCLEAR_MEDICINE),
    [LT_DO_GIVE_DOSE] = R(LT_ROLE_NUCLEAR_MEDICINE),
    [LT_DO_SEE_SEQUENCE] = R(LT_ROLE_ADMIN) | R(LT_ROLE_UNBLINDED_STATISTICIAN),
    /* an export carries every record with its audit record: for those who read the trail or
     * analyse the data, never the allocation sequence (not exported) */
    [LT_DO_EXPORT] = R(LT_ROLE_ADMIN) | R(LT_ROLE_MONITOR) | R(LT_ROLE_STATISTICIAN) |
                     R(LT_ROLE_UNBLINDED_STATISTICIAN),
    /* an oral drug taken at home: the investigator prescribes and changes it (the label's
     * modifications are a medical decision); there is no pharmacy role, so the site staff who
     * record visits (coordinators, investigators) count what is dispensed and returned */
    [LT_DO_PRESCRIBE] = R(LT_ROLE_INVESTIGATOR),
    [LT_DO_DISPENSE] = R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR),
};

bool lt__role_allowed(lt_role role, lt__action what)
{
    if ((unsigned)what >= LT_DO_COUNT || (unsigned)role >= LT_ROLE_COUNT) return false;
    return (allowed[what] & R(role)) != 0;
}

const char *lt_role_name(lt_role r)
{
    return (unsigned)r < LT_ROLE_COUNT ? role_names[r] : "unknown";
}

bool lt_role_parse(const char *s, lt_role *out)
{
    for (int i = 0; s && i < LT_ROLE_COUNT; i++)
        if (!strcmp(s, role_names[i])) {
            *out = (lt_role)i;
            return true;
        }
    return false;
}

const char *lt_enrol_state_name(lt_enrol_state s)
{
    return (unsigned)s < LT_STATE_COUNT ? state_names[s] : "unknown";
}

bool lt__enrol_state_parse(const char *s, lt_enrol_state *out);
bool lt__enrol_state_parse(const char *s, lt_enrol_state *out)
{
    for (int i = 0; s && i < LT_STATE_COUNT; i++)
        if (!strcmp(s, state_names[i])) {
            *out = (lt_enrol_state)i;
            return true;
        }
    return false;
}

const char *lt_end_reason_name(lt_end_reason r)
{
    return (unsigned)r < LT_END_COUNT ? end_names[r] : "unknown";
}

bool lt_end_reason_parse(const char *s, lt_end_reason *out)
{
    for (int i = 0; s && i < LT_END_COUNT; i++)
        if (!strcmp(s, end_names[i])) {
            *out = (lt_end_reason)i;
            return true;
        }
    return false;
}

lt_status lt__trial_allow(const lt_trial *t, lt__action what, const char *verb, lt_error *err)
{
    if (lt__role_allowed(t->role, what)) return LT_OK;
    char roles[160] = "";
    size_t n = 0;
    for (int i = 0; i < LT_ROLE_COUNT; i++)
        if (allowed[what] & R(i))
            n += (size_t)snprintf(roles + n, n < sizeof roles ? sizeof roles - n : 0, "%s%s",
                                  n ? ", " : "", role_names[i]);
    const char *name = lt_role_name(t->role);
    LT_FAIL(err, LT_EPERM, t->user, "%s %s cannot %s (allowed: %s)",
            strchr("aeiou", name[0]) ? "an" : "a", name, verb, roles);
}

bool lt__trial_has_site(const lt_trial *t, const char *site)
{
    if (t->all_sites) return true;
    for (size_t i = 0; site && i < t->nsites; i++)
        if (!strcmp(t->sites[i], site)) return true;
    return false;
}

lt_status lt__trial_site_ok(const lt_trial *t, const char *site, lt_error *err)
{
    if (lt__trial_has_site(t, site)) return LT_OK;
    LT_FAIL(err, LT_EPERM, t->user, "user '%s' is not bound to site '%s'", t->user,
            site ? site : "(none)");
}
