/* Operation rows of reading and running a trial beyond enrolment: the listings (`lutetia list
 * KIND`), the outcomes records, a patient's casebook, the endpoint datasets and proportions,
 * the audit log and head, the trial's description and allocation replay; the patient's later
 * steps (treatment, follow-up, end, strata); sites, users and API tokens. Each handler calls
 * the function the CLI verb named in its row calls; roles and sites are the library's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/auth.h"
#include "lutetia/conduct.h"
#include "lutetia/store.h"
#include "ops_int.h"

/* The listing table's readers (src/conduct/listing.c): site staff and monitors read their
 * sites' records, statisticians what feeds an analysis, a safety committee what bears on
 * safety; consents and signatures only those who give or verify them; the admin none. */
#define SITE_STAFF (R(COORDINATOR) | R(INVESTIGATOR) | R(NUCLEAR_MEDICINE))
#define STATS (R(STATISTICIAN) | R(UNBLINDED_STATISTICIAN))
#define SAFETY (SITE_STAFF | R(MONITOR) | STATS | R(SAFETY_COMMITTEE))
#define EFFICACY (SITE_STAFF | R(MONITOR) | STATS)
#define ATTESTED (R(COORDINATOR) | R(INVESTIGATOR) | R(MONITOR))
#define ENROLERS (R(COORDINATOR) | R(INVESTIGATOR))                     /* LT_DO_ENROL */
#define TREATERS (R(COORDINATOR) | R(INVESTIGATOR) | R(NUCLEAR_MEDICINE)) /* LT_DO_TREAT */
#define AUDITORS (R(ADMIN) | R(MONITOR))                                /* LT_DO_AUDIT */
#define SEQUENCE (R(ADMIN) | R(UNBLINDED_STATISTICIAN))                 /* LT_DO_REPLAY */

static lt_status with_conduct(lt_trial *t, lt_conduct **c, lt_error *err)
{
    return lt_conduct_new(t, NULL, c, err);
}

/* ---- listings: one row per kind, so that each row's roles are exactly its listing's ---- */

static lt_status listing(lt_trial *t, const lt_json *a, lt_listing kind, lt_buf *out,
                         lt_error *err)
{
    lt_list_query q = {.listing = kind,
                       .patient = lt__arg_str(a, "patient"),
                       .site = lt__arg_str(a, "site"),
                       .from = lt__arg_date(a, "from"),
                       .to = lt__arg_date(a, "to")};
    if (q.from != LT_DATE_NONE && q.to != LT_DATE_NONE && q.from > q.to)
        LT_FAIL(err, LT_EINVAL, "from", "from comes after to");
    lt_conduct *c = NULL;
    lt_status rc = with_conduct(t, &c, err);
    if (rc == LT_OK) rc = lt_conduct_list(c, &q, LT_CONDUCT_JSON, out, NULL, err);
    lt_conduct_free(c);
    return rc;
}

#define LISTING(fn, kind)                                                          \
    static lt_status fn(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err) \
    {                                                                              \
        return listing(t, a, kind, out, err);                                      \
    }
LISTING(op_list_labs, LT_LIST_LABS)
LISTING(op_list_aes, LT_LIST_AES)
LISTING(op_list_administrations, LT_LIST_ADMINISTRATIONS)
LISTING(op_list_doses, LT_LIST_DOSES)
LISTING(op_list_dispensing, LT_LIST_DISPENSING)
LISTING(op_list_events, LT_LIST_EVENTS)
LISTING(op_list_assessments, LT_LIST_ASSESSMENTS)
LISTING(op_list_questionnaires, LT_LIST_QUESTIONNAIRES)
LISTING(op_list_consents, LT_LIST_CONSENTS)
LISTING(op_list_deviations, LT_LIST_DEVIATIONS)
LISTING(op_list_signatures, LT_LIST_SIGNATURES)

/* ---- reading ---- */

static lt_status op_outcomes(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    /* another site's patient is answered as a missing one, as on a {patient} path (the
     * library's outcomes answer the command line that the user is not bound to its site) */
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = p ? lt_trial_patient_visible(t, p, err) : LT_OK;
    lt_conduct *c = NULL;
    if (rc == LT_OK) rc = with_conduct(t, &c, err);
    if (rc == LT_OK) rc = lt_conduct_outcomes(c, p, out, NULL, err);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_casebook(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = with_conduct(t, &c, err);
    if (rc == LT_OK) rc = lt_conduct_patient_show(c, lt__arg_str(a, "patient"), true, out, err);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_endpoint(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = with_conduct(t, &c, err);
    if (rc == LT_OK)
        rc = lt_conduct_endpoint(c, lt__arg_str(a, "endpoint"), lt__arg_date(a, "cutoff"),
                                 LT_CONDUCT_JSON, out, err);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_proportion(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = with_conduct(t, &c, err);
    if (rc == LT_OK)
        rc = lt_conduct_proportion(c, lt__arg_str(a, "endpoint"), lt__arg_date(a, "cutoff"), true,
                                   out, err);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_audit_log(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return lt_trial_audit_log(t, lt__arg_str(a, "patient"), lt__arg_date(a, "since"), true, out,
                              err);
}

static lt_status op_audit_head(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    int64_t seq = 0;
    char hash[LT_STORE_HASH_HEX];
    lt_status rc = lt_store_audit_head(lt_trial_store(t), &seq, hash, err);
    /* what `lutetia audit head --json` prints */
    if (rc == LT_OK)
        lt_buf_printf(out, "{\"seq\":%lld,\"hash\":\"%s\",\"head\":\"%lld:%s\"}", (long long)seq,
                      hash, (long long)seq, hash);
    return rc;
}

static lt_status op_trial(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return lt_trial_describe(t, true, out, err);
}

static lt_status op_replay(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return lt_trial_replay(t, true, out, err);
}

/* ---- a patient's later steps (`lutetia patient treat|follow-up|end`, `randomise --strata`) ---- */

static lt_status op_treat(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_trial_start_treatment(t, p, lt__arg_date(a, "date"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

static lt_status op_follow_up(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_trial_start_follow_up(t, p, lt__arg_date(a, "date"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

static lt_status op_end(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient"), *why = lt__arg_str(a, "why");
    lt_end_reason r;
    if (!lt_end_reason_parse(why, &r))
        LT_FAIL(err, LT_EINVAL, "why",
                "expected completed, recurrence, death, withdrawal, lost_to_follow_up or "
                "trial_terminated, found \"%s\"",
                why);
    lt_status rc = lt_trial_end(t, p, r, lt__arg_date(a, "date"), lt__arg_str(a, "reason"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

#define MAX_LIST 64

static lt_status op_strata(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    const char *factors[MAX_LIST], *levels[MAX_LIST];
    size_t n = 0;
    for (const lt_json *m = lt_json_first(lt_json_get(a, "strata")); m; m = lt_json_next(m)) {
        if (!lt_json_str(m) || n == MAX_LIST)
            LT_FAIL(err, LT_EINVAL, "strata",
                    "expected {\"factor\": \"level\"} (at most %d), found %s for %s", MAX_LIST,
                    lt_json_kind(m), lt_json_key(m));
        factors[n] = lt_json_key(m);
        levels[n++] = lt_json_str(m);
    }
    lt_status rc = lt_trial_set_strata(t, p, factors, levels, n, lt__arg_str(a, "reason"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

/* ---- sites, users, tokens ---- */

static lt_status op_site_add(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *code = lt__arg_str(a, "code"), *name = lt__arg_str(a, "name");
    lt_status rc = lt_trial_site_add(t, code, name, err);
    if (rc == LT_OK) { /* what `lutetia site add --json` prints */
        lt_buf_puts(out, "{\"site\":");
        lt_buf_json_str(out, code);
        lt_buf_puts(out, ",\"name\":");
        lt_buf_json_str(out, name);
        lt_buf_putc(out, '}');
    }
    return rc;
}

/* The strings of an array argument; LT_EINVAL naming it for anything else. */
static lt_status strings(const lt_json *a, const char *name, const char **out, size_t *n,
                         lt_error *err)
{
    *n = 0;
    for (const lt_json *m = lt_json_first(lt_json_get(a, name)); m; m = lt_json_next(m)) {
        if (!lt_json_str(m) || *n == MAX_LIST)
            LT_FAIL(err, LT_EINVAL, name, "expected an array of at most %d strings, found %s",
                    MAX_LIST, lt_json_kind(m));
        out[(*n)++] = lt_json_str(m);
    }
    return LT_OK;
}

static void json_strings(lt_buf *out, const char *const *s, size_t n)
{
    lt_buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
        lt_buf_puts(out, i ? "," : "");
        lt_buf_json_str(out, s[i]);
    }
    lt_buf_putc(out, ']');
}

static lt_status op_user_add(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *name = lt__arg_str(a, "name"), *role_s = lt__arg_str(a, "role");
    lt_role role;
    if (!lt_role_parse(role_s, &role))
        LT_FAIL(err, LT_EINVAL, "role",
                "expected admin, coordinator, investigator, nuclear_medicine, statistician, "
                "unblinded_statistician, monitor or safety_committee, found \"%s\"",
                role_s);
    const char *sites[MAX_LIST], *os[MAX_LIST];
    size_t ns = 0, nos = 0;
    bool all = lt__arg_bool(a, "all_sites");
    if (all == (lt_json_get(a, "sites") != NULL))
        LT_FAIL(err, LT_EINVAL, "sites", "give either sites or all_sites");
    lt_status rc = all ? LT_OK : strings(a, "sites", sites, &ns, err);
    if (rc == LT_OK) rc = strings(a, "os_users", os, &nos, err);
    if (rc != LT_OK) return rc;
    if (all) sites[ns++] = "*";
    rc = lt_trial_user_add_bound(t, name, role, sites, ns, os, nos, err);
    if (rc == LT_OK) { /* what `lutetia user add --json` prints */
        lt_buf_puts(out, "{\"user\":");
        lt_buf_json_str(out, name);
        lt_buf_printf(out, ",\"role\":\"%s\",\"sites\":", lt_role_name(role));
        json_strings(out, sites, ns);
        lt_buf_puts(out, ",\"os_users\":");
        json_strings(out, os, nos);
        lt_buf_putc(out, '}');
    }
    return rc;
}

static lt_status user_state(lt_trial *t, const lt_json *a, bool active, lt_buf *out,
                            lt_error *err)
{
    const char *name = lt__arg_str(a, "name");
    lt_status rc = lt_trial_user_set_active(t, name, active, lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"user\":");
        lt_buf_json_str(out, name);
        lt_buf_printf(out, ",\"active\":%s}", active ? "true" : "false");
    }
    return rc;
}

static lt_status op_user_deactivate(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return user_state(t, a, false, out, err);
}

static lt_status op_user_activate(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return user_state(t, a, true, out, err);
}

/* The token's secret is in this answer only: the store keeps its SHA-256. */
static lt_status op_token_create(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *user = lt__arg_str(a, "for");
    if (!user) user = lt_trial_user(t);
    double days = lt__arg_num(a, "expires", 90);
    if (!(days == (double)(long)days && days >= 0 && days <= 3650))
        LT_FAIL(err, LT_EINVAL, "expires", "expected 0 to 3650 days, found %g", days);
    char token[LT_AUTH_TOKEN_MAX], id[LT_AUTH_TOKEN_ID_HEX];
    lt_status rc = lt_auth_token_create(t, user, (int64_t)days, lt_time_now(), token, id, err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"id\":");
        lt_buf_json_str(out, id);
        lt_buf_puts(out, ",\"user\":");
        lt_buf_json_str(out, user);
        lt_buf_printf(out, ",\"expires_days\":%ld,\"token\":", (long)days);
        lt_buf_json_str(out, token);
        lt_buf_putc(out, '}');
    }
    return rc;
}

static lt_status op_token_revoke(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *id = lt__arg_str(a, "id");
    lt_status rc = lt_auth_token_revoke(t, id, err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"id\":");
        lt_buf_json_str(out, id);
        lt_buf_puts(out, ",\"revoked\":true}");
    }
    return rc;
}

/* ---- the rows ---- */

#define LIST_ARGS                                                                           \
    {{"patient", LT_OP_STRING, LT_OP_IN_QUERY, false, "one patient"},                       \
     {"site", LT_OP_STRING, LT_OP_IN_QUERY, false, "one site"},                             \
     {"from", LT_OP_DATE, LT_OP_IN_QUERY, false, "first day (inclusive)"},                  \
     {"to", LT_OP_DATE, LT_OP_IN_QUERY, false, "last day (inclusive)"}}
#define LIST_ROW(kind, what, roles, fn)                                                     \
    {"list." kind, "GET", "/api/v1/listings/" kind, what, "lutetia list " kind " --json",   \
     roles, false, false, LIST_ARGS, fn}
#define DATE_OPT(what) {"date", LT_OP_DATE, LT_OP_IN_BODY, false, what}

static const lt_op rows[] = {
    LIST_ROW("labs", "laboratory results with their grades, and who recorded them", SAFETY,
             op_list_labs),
    LIST_ROW("aes", "adverse events", SAFETY, op_list_aes),
    LIST_ROW("administrations", "administrations with their decay-corrected activity", SAFETY,
             op_list_administrations),
    LIST_ROW("doses", "dose decisions", SAFETY, op_list_doses),
    LIST_ROW("dispensing", "an oral drug's course: start, changes, tablets", SAFETY,
             op_list_dispensing),
    LIST_ROW("events", "outcome events", SAFETY, op_list_events),
    LIST_ROW("assessments", "tumour assessments", EFFICACY, op_list_assessments),
    LIST_ROW("questionnaires", "questionnaires", EFFICACY, op_list_questionnaires),
    LIST_ROW("consents", "every consent and correction", ATTESTED | R(NUCLEAR_MEDICINE),
             op_list_consents),
    LIST_ROW("deviations", "investigators' acknowledged dose deviations", SAFETY,
             op_list_deviations),
    LIST_ROW("signatures", "attestations: eligibility confirmed, deviation acknowledged",
             ATTESTED, op_list_signatures),
    {"outcomes.list", "GET", "/api/v1/outcomes",
     "the stored outcomes records (docs/outcomes-format.md)", "lutetia outcomes",
     LT_OP_EVERY_ROLE, false, false,
     {{"patient", LT_OP_STRING, LT_OP_IN_QUERY, false, "one patient"}}, op_outcomes},
    {"patients.casebook", "GET", "/api/v1/patients/{patient}/casebook",
     "the patient and everything recorded of it the role may read, with who recorded it",
     "lutetia patient show ID --json", LT_OP_EVERY_ROLE, true, false, {PATIENT_PATH},
     op_casebook},
    {"endpoints.dataset", "GET", "/api/v1/endpoints/{endpoint}",
     "an endpoint's analysis dataset: time, event, arm, strata per patient",
     "lutetia endpoints --endpoint ID --json", LT_OP_EVERY_ROLE, false, false,
     {{"endpoint", LT_OP_STRING, LT_OP_IN_PATH, true, "the protocol's endpoint id (DFS, OS)"},
      {"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "follow-up cut at this day"}},
     op_endpoint},
    {"analyse.proportion", "GET", "/api/v1/proportions",
     "proportion endpoints: x of n with the exact interval, by arm",
     "lutetia analyse proportion --endpoint ID --json", LT_OP_EVERY_ROLE, false, false,
     {{"endpoint", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "one proportion endpoint's id (default: every one, as an array)"},
      {"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "follow-up cut at this day"}},
     op_proportion},
    {"audit.log", "GET", "/api/v1/audit/log", "the audit trail the user may read",
     "lutetia audit log --json", AUDITORS, false, false,
     {{"patient", LT_OP_STRING, LT_OP_IN_QUERY, false, "one patient"},
      {"since", LT_OP_DATE, LT_OP_IN_QUERY, false, "from this day"}},
     op_audit_log},
    {"audit.head", "GET", "/api/v1/audit/head",
     "the audit chain's head (count and hash), to anchor outside", "lutetia audit head --json",
     AUDITORS, false, false, {{0}}, op_audit_head},
    {"trial.show", "GET", "/api/v1/trial", "the trial: protocol, versions, sites, users, counts",
     "lutetia trial show --json", LT_OP_EVERY_ROLE, false, false, {{0}}, op_trial},
    {"allocations.replay", "GET", "/api/v1/allocations/replay",
     "replay every allocation from the secret seed and check the stored ones",
     "lutetia randomise --replay --json", SEQUENCE, false, false, {{0}}, op_replay},
    {"patients.treat", "POST", "/api/v1/patients/{patient}/treatment", "start treatment",
     "lutetia patient treat ID --json", TREATERS, true, true,
     {PATIENT_PATH, DATE_OPT("the first day of treatment (default today)")}, op_treat},
    {"patients.follow_up", "POST", "/api/v1/patients/{patient}/follow-up", "start follow-up",
     "lutetia patient follow-up ID --json", ENROLERS, true, true,
     {PATIENT_PATH, DATE_OPT("the first day of follow-up (default today)")}, op_follow_up},
    {"patients.end", "POST", "/api/v1/patients/{patient}/end", "end a patient's participation",
     "lutetia patient end ID --json", ENROLERS, true, true,
     {PATIENT_PATH,
      {"why", LT_OP_STRING, LT_OP_IN_BODY, true,
       "completed, recurrence, death, withdrawal, lost_to_follow_up or trial_terminated"},
      DATE_OPT("the last day (default today)"),
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, in words"}},
     op_end},
    {"patients.strata", "POST", "/api/v1/patients/{patient}/strata",
     "record stratification levels not found in the patient's data",
     "lutetia randomise --strata F=L", ENROLERS, true, true,
     {PATIENT_PATH,
      {"strata", LT_OP_OBJECT, LT_OP_IN_BODY, true, "{\"factor\": \"level\"}"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, when changing a level"}},
     op_strata},
    {"sites.add", "POST", "/api/v1/sites", "add a site", "lutetia site add --json", R(ADMIN),
     false, true,
     {{"code", LT_OP_STRING, LT_OP_IN_BODY, true, "short code (S01)"},
      {"name", LT_OP_STRING, LT_OP_IN_BODY, true, "the site's name"}},
     op_site_add},
    {"users.add", "POST", "/api/v1/users", "add a user with one role, bound to sites",
     "lutetia user add --json", R(ADMIN), false, true,
     {{"name", LT_OP_STRING, LT_OP_IN_BODY, true, "user name"},
      {"role", LT_OP_STRING, LT_OP_IN_BODY, true, "coordinator, investigator, ..."},
      {"sites", LT_OP_ARRAY, LT_OP_IN_BODY, false, "site codes (or all_sites)"},
      {"all_sites", LT_OP_BOOL, LT_OP_IN_BODY, false, "every site"},
      {"os_users", LT_OP_ARRAY, LT_OP_IN_BODY, false, "OS accounts that may act as the user"}},
     op_user_add},
    {"users.deactivate", "POST", "/api/v1/users/{name}/deactivate",
     "switch a user off: its sessions and tokens stop at once", "lutetia user deactivate",
     R(ADMIN), false, true,
     {{"name", LT_OP_STRING, LT_OP_IN_PATH, true, "user name"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why"}},
     op_user_deactivate},
    {"users.activate", "POST", "/api/v1/users/{name}/activate", "switch a user on again",
     "lutetia user activate", R(ADMIN), false, true,
     {{"name", LT_OP_STRING, LT_OP_IN_PATH, true, "user name"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why"}},
     op_user_activate},
    {"tokens.create", "POST", "/api/v1/tokens",
     "an API token for oneself (or, for an admin, another user); the secret is shown once",
     "lutetia token create", LT_OP_EVERY_ROLE, false, true,
     {{"for", LT_OP_STRING, LT_OP_IN_BODY, false, "another user (admin only)"},
      {"expires", LT_OP_NUMBER, LT_OP_IN_BODY, false, "days (default 90; 0: until revoked)"}},
     op_token_create},
    {"tokens.revoke", "DELETE", "/api/v1/tokens/{id}",
     "revoke a token: one's own, or any for an admin", "lutetia token revoke", LT_OP_EVERY_ROLE,
     false, true, {{"id", LT_OP_STRING, LT_OP_IN_PATH, true, "the token's public id"}},
     op_token_revoke},
};

const lt_op_group lt__ops_reads = {rows, sizeof rows / sizeof rows[0]};
