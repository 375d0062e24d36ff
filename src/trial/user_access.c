/* Changing what a user may do: its role and the sites it is bound to (lutetia user set, the
 * server's PUT /api/v1/users/{name}). The user record is rewritten in one audited transaction
 * ("user.set", the old and new documents in the audit record); every door reads a user's rights
 * from that record when it opens the trial, and the server's kept trials are checked against
 * the record's revision before each request (src/server/pool.c), so open sessions and tokens
 * act with the new rights from their next request. */
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

/* The sites of a user as the store expects them: existing codes, or "*" alone. */
static lt_status check_sites(lt_trial *t, const char *const *sites, size_t n, lt_error *err)
{
    if (n == 0) LT_FAIL(err, LT_EINVAL, "sites", "a user is bound to at least one site (or '*' for all)");
    for (size_t i = 0; i < n; i++) {
        if (!sites[i] || !*sites[i]) LT_FAIL(err, LT_EINVAL, "sites", "expected a site code, found ''");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(sites[k], sites[i]))
                LT_FAIL(err, LT_EINVAL, "sites", "site '%s' given twice", sites[i]);
        if (!strcmp(sites[i], "*")) {
            if (n > 1) LT_FAIL(err, LT_EINVAL, "sites", "'*' (every site) stands alone");
            continue;
        }
        lt_record *s = NULL;
        lt_status rc = lt_store_get(t->st, "site", sites[i], &s, err);
        lt_record_free(s);
        if (rc == LT_ENOTFOUND)
            LT_FAIL(err, LT_ENOTFOUND, "sites", "no site '%s' (an admin adds sites first)", sites[i]);
        if (rc != LT_OK) return rc;
    }
    return LT_OK;
}

/* Whether the stored sites array equals sites[]. */
static bool same_sites(const lt_json *stored, const char *const *sites, size_t n)
{
    if (lt_json_size(stored) != n) return false;
    for (size_t i = 0; i < n; i++) {
        const char *s = lt_json_str(lt_json_at(stored, i));
        if (!s || strcmp(s, sites[i]) != 0) return false;
    }
    return true;
}

lt_status lt_trial_user_set_access(lt_trial *t, const char *name, const lt_role *role,
                                   const char *const *sites, size_t nsites, const char *reason,
                                   lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "change users' roles and sites", err);
    if (rc != LT_OK) return rc;
    if (!name || !*name) LT_FAIL(err, LT_EINVAL, "name", "expected a user name");
    if (!role && !sites) LT_FAIL(err, LT_EINVAL, "role", "give the new role, the new sites, or both");
    if (role && (unsigned)*role >= LT_ROLE_COUNT) LT_FAIL(err, LT_EINVAL, "role", "unknown role");
    /* the last word on administration stays with someone: an admin cannot demote itself, as
     * it cannot deactivate itself (another admin can) */
    if (role && *role != LT_ROLE_ADMIN && !strcmp(name, t->user))
        LT_FAIL(err, LT_EINVAL, "role", "an admin cannot change its own role (another admin can)");
    if (sites && (rc = check_sites(t, sites, nsites, err)) != LT_OK) return rc;
    lt_actor who = {t->user, lt_role_name(t->role)};
    lt_record *ur = NULL;
    lt_json *uj = NULL, *patch = NULL;
    lt_buf pb = LT_BUF_INIT;
    char *doc = NULL;
    rc = lt_store_begin(t->st, err);
    if (rc == LT_OK) rc = lt_store_get(t->st, "user", name, &ur, err);
    if (rc == LT_ENOTFOUND) lt_error_set(err, LT_ENOTFOUND, "name", "no user '%s'", name);
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    lt_role was = LT_ROLE_COUNT;
    if (rc == LT_OK && !lt_role_parse(lt_json_get_str(uj, "role", NULL), &was))
        rc = lt_error_set(err, LT_ECORRUPT, name, "user '%s' has an unknown role", name);
    if (rc == LT_OK && (!role || *role == was) &&
        (!sites || same_sites(lt_json_get(uj, "sites"), sites, nsites)))
        rc = lt_error_set(err, LT_ECONFLICT, "name", "user '%s' already has that role and those sites",
                          name);
    if (rc == LT_OK) {
        /* a merge patch of the members that change: the rest of the record (OS accounts, active,
         * full name) stays as it is */
        lt_buf_putc(&pb, '{');
        if (role) lt_buf_printf(&pb, "\"role\":\"%s\"", lt_role_name(*role));
        if (sites) {
            lt_buf_puts(&pb, role ? ",\"sites\":[" : "\"sites\":[");
            for (size_t i = 0; i < nsites; i++) {
                lt_buf_puts(&pb, i ? "," : "");
                lt_buf_json_str(&pb, sites[i]);
            }
            lt_buf_putc(&pb, ']');
        }
        lt_buf_putc(&pb, '}');
        rc = lt_buf_failed(&pb) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                : lt_json_parse(pb.p, pb.n, "patch", &patch, err);
    }
    if (rc == LT_OK) rc = lt_json_merge_patch(&uj, patch, err);
    if (rc == LT_OK && !(doc = lt_json_print(uj)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) {
        lt_record r = {.kind = "user", .id = name, .data = doc};
        rc = lt_store_put(t->st, &r, ur->rev, &who, "user.set", reason ? reason : "", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK) lt_store_rollback(t->st);
    free(doc);
    lt_buf_free(&pb);
    lt_json_free(patch);
    lt_json_free(uj);
    lt_record_free(ur);
    return rc;
}

lt_status lt_trial_user_json(lt_trial *t, const char *name, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "read users' rights", err);
    if (rc != LT_OK) return rc;
    lt_record *ur = NULL;
    lt_json *uj = NULL;
    rc = lt_store_get(t->st, "user", name ? name : "", &ur, err);
    if (rc == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, "name", "no user '%s'", name ? name : "");
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    if (rc == LT_OK) {
        /* {"user","role","sites","os_users","active"}: what user add and user set answer */
        bool active = false;
        lt_json_bool(lt_json_get(uj, "active"), &active);
        lt_buf_puts(out, "{\"user\":");
        lt_buf_json_str(out, name);
        lt_buf_puts(out, ",\"role\":");
        lt_buf_json_str(out, lt_json_get_str(uj, "role", ""));
        const char *arrays[] = {"sites", "os_users"};
        for (size_t a = 0; a < 2; a++) {
            lt_buf_printf(out, ",\"%s\":[", arrays[a]);
            const lt_json *v = lt_json_get(uj, arrays[a]);
            for (size_t i = 0; i < lt_json_size(v); i++) {
                lt_buf_puts(out, i ? "," : "");
                lt_buf_json_str(out, lt_json_str(lt_json_at(v, i)) ? lt_json_str(lt_json_at(v, i)) : "");
            }
            lt_buf_putc(out, ']');
        }
        lt_buf_printf(out, ",\"active\":%s}", active ? "true" : "false");
    }
    lt_json_free(uj);
    lt_record_free(ur);
    return rc;
}
