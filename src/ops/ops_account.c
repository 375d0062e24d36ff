/* Operation rows of the signed-in user's own account (include/lutetia/auth.h): changing the
 * password, enrolling and removing the second factor. Every role may, for itself only: the
 * path says "me" and the handler acts on the trial's user, never on a name in the request.
 * Passwords and codes travel in the JSON body (never the path or query, which the access log
 * records); the enrolled secret is in the answer once and nowhere else. Setting another user's
 * password stays with the command line (`lutetia user password NAME` by an admin), where the
 * admin is at the server's own terminal rather than a browser. */
#include <sodium.h>
#include "lutetia/auth.h"
#include "ops_int.h"

static lt_status op_password(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    int ended = 0;
    lt_status rc = lt_auth_password_change(t, lt__arg_str(a, "current"), lt__arg_str(a, "new"),
                                           lt_trial_now(t), &ended, err);
    if (rc != LT_OK) return rc;
    lt_buf_puts(out, "{\"user\":");
    lt_buf_json_str(out, lt_trial_user(t));
    lt_buf_printf(out, ",\"password_changed\":true,\"other_sessions_ended\":%d,"
                       "\"this_session\":\"%s\"}",
                  ended, lt_trial_session(t) ? "kept" : "none");
    return LT_OK;
}

static lt_status op_totp_enrol(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    char secret[LT_AUTH_TOTP_B32_MAX], uri[LT_AUTH_TOTP_URI_MAX];
    lt_status rc = lt_auth_totp_setup(t, lt__arg_str(a, "password"), lt__arg_str(a, "code"),
                                      lt_trial_now(t), secret, uri, err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"user\":");
        lt_buf_json_str(out, lt_trial_user(t));
        lt_buf_puts(out, ",\"otpauth_uri\":");
        lt_buf_json_str(out, uri);
        lt_buf_puts(out, ",\"secret\":");
        lt_buf_json_str(out, secret);
        lt_buf_puts(out, ",\"shown_once\":true}");
    }
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(uri, sizeof uri);
    return rc;
}

static lt_status op_totp_remove(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_status rc = lt_auth_totp_remove(t, lt__arg_str(a, "password"), lt__arg_str(a, "code"),
                                       lt_trial_now(t), err);
    if (rc != LT_OK) return rc;
    lt_buf_puts(out, "{\"user\":");
    lt_buf_json_str(out, lt_trial_user(t));
    lt_buf_puts(out, ",\"second_factor\":false}");
    return LT_OK;
}

static const lt_op rows[] = {
    {"users.password", "POST", "/api/v1/users/me/password",
     "change your own password (every other session of yours ends; this one stays)",
     "lutetia user password NAME", LT_OP_EVERY_ROLE, false, true,
     {{"current", LT_OP_STRING, LT_OP_IN_BODY, true, "your password now"},
      {"new", LT_OP_STRING, LT_OP_IN_BODY, true,
       "the new one: 12 to 128 characters, not a common password"}},
     op_password},
    {"users.totp.enrol", "POST", "/api/v1/users/me/totp",
     "enrol (or replace) your second factor: the otpauth URI and secret, shown once",
     "lutetia user totp NAME", LT_OP_EVERY_ROLE, false, true,
     {{"password", LT_OP_STRING, LT_OP_IN_BODY, true, "your password, again"},
      {"code", LT_OP_STRING, LT_OP_IN_BODY, false,
       "the current code of the factor being replaced (required when one is enrolled)"}},
     op_totp_enrol},
    {"users.totp.remove", "DELETE", "/api/v1/users/me/totp",
     "remove your second factor (sign-in needs the password alone again)", "", LT_OP_EVERY_ROLE,
     false, true,
     {{"password", LT_OP_STRING, LT_OP_IN_BODY, true, "your password, again"},
      {"code", LT_OP_STRING, LT_OP_IN_BODY, true, "the current 6-digit code"}},
     op_totp_remove},
};

extern const lt_op_group lt__ops_account;
const lt_op_group lt__ops_account = {rows, sizeof rows / sizeof rows[0]};
