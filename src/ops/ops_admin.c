/* Operation rows of running the trial's administration over HTTP as on the command line: a
 * protocol amendment (the protocol's content in the body, where the CLI names a file), binding
 * OS accounts to a user, an admin setting another user's password, changing a user's role and
 * sites, the full name signatures show, and listing API tokens. Each handler calls the library function its CLI verb calls,
 * which checks the role again (src/trial/roles.c: administering is the admin's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/auth.h"
#include "ops_int.h"

#define MAX_LIST 64

/* The strings of the array argument name (at most MAX_LIST); LT_EINVAL naming it otherwise. */
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

static lt_status op_amend(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    /* the document as received, printed back to text: the amendment record keeps the text it
     * parsed (and its SHA-256), as it keeps a file's */
    char *text = lt_json_print(lt_json_get(a, "protocol"));
    if (!text) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_trial_amendment am = {.version = lt__arg_str(a, "version"),
                             .effective = lt__arg_date(a, "effective"),
                             .consent_form = lt__arg_str(a, "consent_form"),
                             .reason = lt__arg_str(a, "reason"),
                             .text = text};
    int due = 0;
    lt_status rc = lt_trial_amend(t, &am, &due, err);
    if (rc == LT_OK) { /* what `lutetia trial amend --json` prints */
        char e[LT_DATE_STR_MAX];
        lt_buf_puts(out, "{\"version\":");
        lt_buf_json_str(out, am.version);
        lt_buf_printf(out, ",\"effective\":\"%s\",\"consent_form\":",
                      lt_date_format(am.effective, e));
        lt_buf_json_str(out, am.consent_form && *am.consent_form ? am.consent_form : am.version);
        lt_buf_printf(out, ",\"reconsent_due\":%d}", due);
    }
    free(text);
    return rc;
}

static lt_status op_bind(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *os[MAX_LIST];
    size_t n = 0;
    lt_status rc = strings(a, "os_users", os, &n, err);
    if (rc == LT_OK) rc = lt_trial_user_bind(t, lt__arg_str(a, "name"), os, n, err);
    if (rc != LT_OK) {
        /* the library's single account is this row's array */
        if (!strcmp(err->where, "os_user")) snprintf(err->where, sizeof err->where, "os_users");
        return rc;
    }
    /* what `lutetia user bind --json` prints: the user as it now is */
    return lt_trial_user_json(t, lt__arg_str(a, "name"), out, err);
}

static lt_status op_set_password(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *name = lt__arg_str(a, "name");
    /* one's own password is changed with the current one (users.password): a session left
     * open must not be enough to take its own account over, an admin's included */
    if (!strcmp(name, lt_trial_user(t)))
        LT_FAIL(err, LT_EPERM, "name",
                "your own password is changed with the current one (users.password)");
    lt_status rc = lt_auth_password_set(t, name, lt__arg_str(a, "password"), err);
    if (rc != LT_OK) {
        if (!strcmp(err->where, "user")) snprintf(err->where, sizeof err->where, "name");
        return rc;
    }
    /* what `lutetia user password NAME --json` prints */
    lt_buf_puts(out, "{\"user\":");
    lt_buf_json_str(out, name);
    lt_buf_puts(out, ",\"password_set\":true}");
    return LT_OK;
}

static lt_status op_user_set(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *name = lt__arg_str(a, "name"), *role_s = lt__arg_str(a, "role");
    lt_role role;
    if (role_s && !lt_role_parse(role_s, &role))
        LT_FAIL(err, LT_EINVAL, "role",
                "expected admin, coordinator, investigator, nuclear_medicine, statistician, "
                "unblinded_statistician, monitor or safety_committee, found \"%s\"",
                role_s);
    bool all = lt__arg_bool(a, "all_sites");
    if (all && lt_json_get(a, "sites"))
        LT_FAIL(err, LT_EINVAL, "sites", "give either sites or all_sites");
    const char *sites[MAX_LIST];
    size_t ns = 0;
    lt_status rc = strings(a, "sites", sites, &ns, err);
    if (rc != LT_OK) return rc;
    if (all) sites[ns++] = "*";
    bool any_sites = all || lt_json_get(a, "sites");
    rc = lt_trial_user_set_access(t, name, role_s ? &role : NULL, any_sites ? sites : NULL, ns,
                                  lt__arg_str(a, "reason"), err);
    /* what `lutetia user set NAME --json` prints: the user as it now is */
    return rc == LT_OK ? lt_trial_user_json(t, name, out, err) : rc;
}

static lt_status op_full_name(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *name = lt__arg_str(a, "name"), *full = lt__arg_str(a, "full_name");
    lt_status rc = lt_trial_user_set_full_name(t, name, full, lt__arg_str(a, "reason"), err);
    if (rc != LT_OK) return rc;
    /* what `lutetia user name --json` prints */
    lt_buf_puts(out, "{\"user\":");
    lt_buf_json_str(out, name);
    lt_buf_puts(out, ",\"full_name\":");
    lt_buf_json_str(out, full);
    lt_buf_putc(out, '}');
    return LT_OK;
}

static lt_status op_tokens(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return lt_auth_token_list(t, lt_trial_now(t), out, err);
}

#define NAME_PATH {"name", LT_OP_STRING, LT_OP_IN_PATH, true, "the user's name"}

static const lt_op rows[] = {
    {"trial.amend", "POST", "/api/v1/trial/amendments",
     "amend the running trial: a new protocol version takes effect on a date",
     "lutetia trial amend --json", R(ADMIN), false, true,
     {{"protocol", LT_OP_OBJECT, LT_OP_IN_BODY, true,
       "the protocol file's content (docs/protocol-format.md), holding the new version"},
      {"version", LT_OP_STRING, LT_OP_IN_BODY, true,
       "the version it brings (the document's latest, or one of its versions)"},
      {"effective", LT_OP_DATE, LT_OP_IN_BODY, true,
       "the day it takes effect (after any earlier amendment's)"},
      {"consent_form", LT_OP_STRING, LT_OP_IN_BODY, false,
       "the consent form patients must re-consent on (default: the version)"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, for the audit trail"}},
     op_amend},
    {"users.bind", "POST", "/api/v1/users/{name}/os-users",
     "bind OS accounts to a user (who may act as it on the command line)",
     "lutetia user bind --json", R(ADMIN), false, true,
     {NAME_PATH,
      {"os_users", LT_OP_ARRAY, LT_OP_IN_BODY, true, "OS account names, as the system spells them"}},
     op_bind},
    {"users.set_password", "PUT", "/api/v1/users/{name}/password",
     "set another user's password (an admin; the user's sessions end)",
     "lutetia user password NAME --json", R(ADMIN), false, true,
     {NAME_PATH,
      {"password", LT_OP_STRING, LT_OP_IN_BODY, true,
       "12 to 128 characters, not a common password"}},
     op_set_password},
    {"users.set", "PUT", "/api/v1/users/{name}",
     "change a user's role or sites (its sessions and tokens act with them at once)",
     "lutetia user set NAME --json", R(ADMIN), false, true,
     {NAME_PATH,
      {"role", LT_OP_STRING, LT_OP_IN_BODY, false, "the new role (default: kept)"},
      {"sites", LT_OP_ARRAY, LT_OP_IN_BODY, false, "the new site codes (default: kept)"},
      {"all_sites", LT_OP_BOOL, LT_OP_IN_BODY, false, "every site"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, for the audit trail"}},
     op_user_set},
    {"users.full_name", "PUT", "/api/v1/users/{name}/full-name",
     "record the full name a user's electronic signatures show (a change needs a reason)",
     "lutetia user name --json", R(ADMIN), false, true,
     {NAME_PATH,
      {"full_name", LT_OP_STRING, LT_OP_IN_BODY, true, "the person's full name, as checked"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, when changing it"}},
     op_full_name},
    {"tokens.list", "GET", "/api/v1/tokens",
     "API tokens: one's own (an admin: everyone's), never their secret",
     "lutetia token list --json", LT_OP_EVERY_ROLE, false, false, {{0}}, op_tokens},
};

const lt_op_group lt__ops_admin = {rows, sizeof rows / sizeof rows[0]};
