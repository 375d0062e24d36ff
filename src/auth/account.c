/* What signed-in users do to their own credentials over the server (POST
 * /api/v1/users/me/password, /users/me/totp): change the password, enrol or remove the second
 * factor. Each first proves the user is who the session says by the password again, verified
 * as lt_auth_reauthenticate verifies it, so that a session left open on a shared computer is
 * not enough to take the account over; a wrong password (or code) counts toward the sign-in
 * lock-out and is audited "login.failed". The storing itself is lt_auth_password_set's and
 * lt_auth_totp_enrol's, which the command line calls. */
#include <stdio.h>
#include <string.h>
#include "auth_int.h"

/* The acting user's password, again: LT_EPERM with where, counted, when it is wrong. */
static lt_status prove(lt_trial *t, const char *password, const char *where, int64_t now,
                       lt_error *err)
{
    /* nothing given is a malformed request, not an attempt: refused before it is counted */
    if (!password || !*password) LT_FAIL(err, LT_EINVAL, where, "give your password");
    lt_auth_policy p;
    lt_auth_policy_default(&p);
    lt_status rc = lt_auth_reauthenticate(lt_trial_store(t), lt_trial_user(t), password, &p, now,
                                          NULL, err);
    if (rc == LT_EPERM)
        LT_FAIL(err, LT_EPERM, where,
                "the password is wrong, or the account is locked after too many failures "
                "(this attempt counts as a failed sign-in)");
    return rc;
}

/* The acting user's one-time code at now, used once (lt__auth_totp_check) in a transaction of
 * its own. *enrolled: whether there is a factor to check; a wrong code counts as a failed
 * sign-in and gives LT_EPERM (where "code"). */
static lt_status prove_code(lt_trial *t, const char *code, int64_t now, bool *enrolled,
                            lt_error *err)
{
    lt_store *st = lt_trial_store(t);
    bool ok = false;
    lt_status rc = lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt__auth_totp_check(st, lt_trial_user(t), code, now, enrolled, &ok, err);
    if (rc == LT_OK && ok) rc = lt_store_commit(st, err);
    else lt_store_rollback(st);
    if (rc != LT_OK || !*enrolled || ok) return rc;
    /* verifying no password is a counted failure of the same account */
    lt_auth_policy p;
    lt_auth_policy_default(&p);
    rc = lt_auth_reauthenticate(st, lt_trial_user(t), NULL, &p, now, NULL, err);
    if (rc != LT_EPERM) return rc;
    LT_FAIL(err, LT_EPERM, "code",
            "expected the current 6-digit code of your authenticator app, not one used before "
            "(this attempt counts as a failed sign-in)");
}

lt_status lt_auth_password_change(lt_trial *t, const char *current, const char *new_password,
                                  int64_t now, int *ended, lt_error *err)
{
    if (ended) *ended = 0;
    /* the new password's rules first: a refusal of its shape is no attempt on the account */
    lt_status rc = lt_auth_password_acceptable(new_password, err);
    if (rc != LT_OK) {
        snprintf(err->where, sizeof err->where, "new");
        return rc;
    }
    rc = prove(t, current, "current", now, err);
    if (rc != LT_OK) return rc;
    if (!strcmp(current, new_password))
        LT_FAIL(err, LT_EINVAL, "new", "the new password is the current one: choose another");
    /* the session the change came in stays open: the user just proved the password in it, and
     * ending it would sign them out of the page they are using. Every other one ends. */
    return lt__auth_password_store(t, lt_trial_user(t), new_password, lt_trial_session(t),
                                   "changed by the user (current password verified)", ended, err);
}

lt_status lt_auth_totp_setup(lt_trial *t, const char *password, const char *code, int64_t now,
                             char secret_b32[LT_AUTH_TOTP_B32_MAX],
                             char uri[LT_AUTH_TOTP_URI_MAX], lt_error *err)
{
    lt_status rc = prove(t, password, "password", now, err);
    if (rc != LT_OK) return rc;
    /* replacing a factor needs its current code, as removing it does: the password alone must
     * not be enough to move the second factor to another phone */
    bool enrolled = false;
    rc = prove_code(t, code, now, &enrolled, err);
    if (rc != LT_OK) return rc;
    return lt_auth_totp_enrol(t, lt_trial_user(t), now, secret_b32, uri, err);
}

lt_status lt_auth_totp_remove(lt_trial *t, const char *password, const char *code, int64_t now,
                              lt_error *err)
{
    lt_status rc = prove(t, password, "password", now, err);
    if (rc != LT_OK) return rc;
    bool enrolled = false;
    rc = prove_code(t, code, now, &enrolled, err);
    if (rc != LT_OK) return rc;
    if (!enrolled)
        LT_FAIL(err, LT_ENOTFOUND, "code", "you have no second factor to remove");
    lt_store *st = lt_trial_store(t);
    const char *me = lt_trial_user(t);
    lt_actor who = {me, lt_role_name(lt_trial_role(t))};
    lt_buf doc = LT_BUF_INIT;
    lt_buf_puts(&doc, "{\"user\":");
    lt_buf_json_str(&doc, me);
    lt_buf_printf(&doc, ",\"removed\":true,\"removed_at\":%lld}", (long long)now);
    lt_record *old = NULL;
    rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                             : lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_get(st, "totp", me, &old, err);
    if (rc == LT_OK) {
        /* the secret is overwritten, not kept: the record stays for the trail's sake */
        lt_record r = {.kind = "totp", .id = me, .key = me, .data = lt_buf_str(&doc)};
        rc = lt_store_put(st, &r, old->rev, &who, "user.totp.remove",
                          "removed by the user (password and code verified)", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    lt_record_free(old);
    lt_buf_free(&doc);
    return rc;
}
