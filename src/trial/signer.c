/* What an electronic signature needs of the trial (src/sign/ signs): the signer's full name,
 * kept in the user record, and the server session a request came in, by which the sign module
 * tells a session's first signing (user name and password) from the later ones (password). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/date.h"
#include "trial_int.h"

lt_status lt_trial_user_set_full_name(lt_trial *t, const char *name, const char *full_name,
                                      const char *reason, lt_error *err)
{
    /* 11.100(b): the organisation verifies a person's identity before an account signs; the
     * admin who issues accounts is the one who records the name that was verified */
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "set users' full names", err);
    if (rc != LT_OK) return rc;
    if (!name || !*name) LT_FAIL(err, LT_EINVAL, "name", "expected a user name");
    size_t n = full_name ? strlen(full_name) : 0;
    while (n && (full_name[n - 1] == ' ' || full_name[n - 1] == '\t')) n--;
    if (!full_name || !n || full_name[0] == ' ' || full_name[0] == '\t')
        LT_FAIL(err, LT_EINVAL, "full_name",
                "expected the person's full name as it is printed with a signature, found '%s'",
                full_name ? full_name : "");
    if (n > 120) LT_FAIL(err, LT_EINVAL, "full_name", "expected at most 120 characters, found %zu", n);
    for (const char *p = full_name; *p; p++)
        if ((unsigned char)*p < 0x20)
            LT_FAIL(err, LT_EINVAL, "full_name", "a full name holds no control characters");
    lt_actor who = {t->user, lt_role_name(t->role)};
    lt_record *ur = NULL;
    lt_json *uj = NULL, *patch = NULL;
    char *doc = NULL;
    lt_buf pb = LT_BUF_INIT;
    lt_buf_puts(&pb, "{\"full_name\":");
    lt_buf_json_str(&pb, full_name);
    lt_buf_putc(&pb, '}');
    rc = lt_buf_failed(&pb) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                            : lt_store_begin(t->st, err);
    bool open = rc == LT_OK;
    if (rc == LT_OK) rc = lt_store_get(t->st, "user", name, &ur, err);
    if (rc == LT_ENOTFOUND) lt_error_set(err, LT_ENOTFOUND, "name", "no user '%s'", name);
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    const char *was = rc == LT_OK ? lt_json_get_str(uj, "full_name", NULL) : NULL;
    if (rc == LT_OK && was && !strcmp(was, full_name))
        rc = lt_error_set(err, LT_ECONFLICT, "full_name", "user '%s' already has this full name",
                          name);
    if (rc == LT_OK && was && (!reason || !*reason))
        rc = lt_error_set(err, LT_EINVAL, "reason",
                          "user '%s' is named '%s': changing the name needs a reason", name, was);
    if (rc == LT_OK) rc = lt_json_parse(pb.p, pb.n, "patch", &patch, err);
    if (rc == LT_OK) rc = lt_json_merge_patch(&uj, patch, err);
    if (rc == LT_OK && !(doc = lt_json_print(uj)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) {
        lt_record r = {.kind = "user", .id = name, .data = doc};
        rc = lt_store_put(t->st, &r, ur->rev, &who, "user.full_name", reason ? reason : "", NULL,
                          err);
    }
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK && open) lt_store_rollback(t->st);
    free(doc);
    lt_json_free(patch);
    lt_json_free(uj);
    lt_record_free(ur);
    lt_buf_free(&pb);
    return rc;
}

void lt_trial_set_session(lt_trial *t, const char *session_id)
{
    t->sign_session[0] = '\0';
    if (!session_id || !*session_id) return;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)session_id, strlen(session_id));
    sodium_bin2hex(t->sign_session, sizeof t->sign_session, h, sizeof h);
}

const char *lt_trial_session(const lt_trial *t)
{
    return t->sign_session[0] ? t->sign_session : NULL;
}

void lt_trial_set_clock(lt_trial *t, int64_t now)
{
    t->clock = now;
}

int64_t lt_trial_now(const lt_trial *t)
{
    return t->clock ? t->clock : lt_time_now();
}
