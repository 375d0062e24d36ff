/* What the server needs to know about the acting user beyond the CLI's verbs: whether a patient
 * is one the user may see (a patient of another site is answered exactly as a missing one, so
 * that its existence does not leak), who the user is, and switching a user off. */
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

lt_status lt_trial_patient_visible(lt_trial *t, const char *patient, lt_error *err)
{
    lt_record *r = NULL;
    lt_status rc = patient && *patient ? lt_store_get(t->st, "patient", patient, &r, NULL)
                                       : LT_ENOTFOUND;
    bool seen = rc == LT_OK && (t->all_sites || lt__trial_has_site(t, r->site));
    lt_record_free(r);
    if (rc != LT_OK && rc != LT_ENOTFOUND) LT_FAIL(err, rc, "patient", "could not read patient");
    if (!seen)
        LT_FAIL(err, LT_ENOTFOUND, "patient", "no patient '%s' in this trial",
                patient ? patient : "");
    return LT_OK;
}

void lt_trial_whoami(const lt_trial *t, lt_buf *out)
{
    lt_buf_puts(out, "{\"user\":");
    lt_buf_json_str(out, t->user);
    lt_buf_puts(out, ",\"role\":");
    lt_buf_json_str(out, lt_role_name(t->role));
    lt_buf_puts(out, ",\"sites\":[");
    for (size_t i = 0; i < t->nsites; i++) {
        if (i) lt_buf_putc(out, ',');
        lt_buf_json_str(out, t->sites[i]);
    }
    lt_buf_puts(out, "]}");
}

const char *lt_trial_key_file(const lt_trial *t)
{
    return t->key_file;
}

lt_status lt_trial_user_set_active(lt_trial *t, const char *name, bool active, const char *reason,
                                   lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, active ? "reactivate users" : "deactivate users", err);
    if (rc != LT_OK) return rc;
    if (!name || !*name) LT_FAIL(err, LT_EINVAL, "name", "expected a user name");
    if (!active && !strcmp(name, t->user))
        LT_FAIL(err, LT_EINVAL, "name", "an admin cannot deactivate itself (another admin can)");
    lt_actor who = {t->user, lt_role_name(t->role)};
    lt_record *ur = NULL;
    lt_json *uj = NULL, *patch = NULL;
    char *doc = NULL;
    rc = lt_store_begin(t->st, err);
    if (rc == LT_OK) rc = lt_store_get(t->st, "user", name, &ur, err);
    if (rc == LT_ENOTFOUND) lt_error_set(err, LT_ENOTFOUND, "name", "no user '%s'", name);
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    bool was = false;
    if (rc == LT_OK && !lt_json_bool(lt_json_get(uj, "active"), &was))
        rc = lt_error_set(err, LT_ECORRUPT, name, "user '%s' has no valid state", name);
    if (rc == LT_OK && was == active)
        rc = lt_error_set(err, LT_ECONFLICT, "name", "user '%s' is already %s", name,
                          active ? "active" : "deactivated");
    if (rc == LT_OK)
        rc = lt_json_parse(active ? "{\"active\":true}" : "{\"active\":false}",
                           active ? 15 : 16, "patch", &patch, err);
    if (rc == LT_OK) rc = lt_json_merge_patch(&uj, patch, err);
    if (rc == LT_OK && !(doc = lt_json_print(uj)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) {
        lt_record r = {.kind = "user", .id = name, .data = doc};
        rc = lt_store_put(t->st, &r, ur->rev, &who, active ? "user.activate" : "user.deactivate",
                          reason ? reason : "", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK) lt_store_rollback(t->st);
    free(doc);
    lt_json_free(patch);
    lt_json_free(uj);
    lt_record_free(ur);
    return rc;
}

lt_status lt_trial_seed_known(const char *db, bool *known, lt_error *err)
{
    lt_store *st = NULL;
    lt_record *r = NULL;
    lt_json *j = NULL;
    lt_status rc = lt_store_open(db, LT_STORE_READ, &st, err);
    if (rc == LT_OK) rc = lt_store_get(st, "trial", "trial", &r, err);
    if (rc == LT_ENOTFOUND) lt_error_set(err, LT_ECORRUPT, db, "the database holds no trial record");
    if (rc == LT_ENOTFOUND) rc = LT_ECORRUPT;
    if (rc == LT_OK) rc = lt_json_parse(r->data, strlen(r->data), "trial record", &j, err);
    /* "supplied": trial init --seed-hex; "sealed" and "clear" (older trials) are secret */
    if (rc == LT_OK) *known = !strcmp(lt_json_get_str(j, "seed", "clear"), "supplied");
    lt_json_free(j);
    lt_record_free(r);
    lt_store_close(st);
    return rc;
}
