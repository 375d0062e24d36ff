/* Who is who on the server: passwords (argon2id), sign-in sessions and API tokens. Everything is
 * kept in the trial store as records written through lt_store_put, so every change has its audit
 * record and any number of server processes can share one store (the server keeps no session
 * state of its own). Secrets never reach the store: a session id, its CSRF token and an API
 * token's secret are 256-bit random values of which only the SHA-256 is stored; a password only
 * as its argon2id string (libsodium crypto_pwhash_str, OPSLIMIT and MEMLIMIT INTERACTIVE). */
#ifndef LUTETIA_AUTH_H
#define LUTETIA_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include "status.h"
#include "store.h"
#include "trial.h"

#define LT_AUTH_PASSWORD_MIN 12   /* characters (bytes of UTF-8), OWASP ASVS 2.1.1 */
#define LT_AUTH_PASSWORD_MAX 128
#define LT_AUTH_SECRET_HEX 65     /* a 256-bit secret as 64 hex digits and a NUL */
#define LT_AUTH_TOKEN_MAX 96      /* "ltk_" + 16 hex id + "_" + 64 hex secret + NUL */
#define LT_AUTH_TOKEN_ID_HEX 17
#define LT_AUTH_USER_MAX 65

/* Sign-in rules; lt_auth_policy_default fills the values docs/server.md states. */
typedef struct lt_auth_policy {
    int max_failures;          /* consecutive failures that lock an account name (5) */
    int64_t lock_seconds;      /* how long it stays locked (900) */
    int64_t idle_seconds;      /* a session unused this long ends (1800) */
    int64_t absolute_seconds;  /* a session ends this long after sign-in, used or not (43200) */
    int64_t touch_seconds;     /* a session's last use is written at most this often (60) */
    int delay_ms_per_failure;  /* the answer to a failed sign-in waits this much per failure
                                  so far, up to delay_ms_max (100, 1000) */
    int delay_ms_max;
} lt_auth_policy;
LT_API void lt_auth_policy_default(lt_auth_policy *p);

/* LT_OK when password may be used: LT_AUTH_PASSWORD_MIN to LT_AUTH_PASSWORD_MAX bytes and not
 * in data/common-passwords.txt (compared without regard to case). LT_EINVAL says which rule. */
LT_API lt_status lt_auth_password_acceptable(const char *password, lt_error *err);

/* Sets user's password (the acting user's own, or anyone's for an admin), stored as a record
 * kind "credential" (audited "user.password"; the audit log shows its value redacted), and
 * ends the user's open sessions. */
LT_API lt_status lt_auth_password_set(lt_trial *t, const char *user, const char *password,
                                      lt_error *err);

/* A new session: the cookie value and the CSRF token, both given once. */
typedef struct lt_auth_session {
    char id[LT_AUTH_SECRET_HEX];
    char csrf[LT_AUTH_SECRET_HEX];
    char user[LT_AUTH_USER_MAX];
} lt_auth_session;

/* Signs user in at time now (seconds since 1970). A wrong name, a wrong password, a user
 * without a password, a deactivated user and a locked name all give LT_EPERM with the one
 * message "sign-in refused: wrong user name or password, or the account is locked", so that the
 * answer never says whether the user exists. Each failure is counted (record kind "login",
 * audited "login.failed"; "login.locked" when it locks); success writes a record kind
 * "session" (audited "session.login") and clears the count. *failures (may be NULL) receives
 * the count after a failure, to slow the answer (lt_auth_failure_delay_ms). */
LT_API lt_status lt_auth_login(lt_store *st, const char *user, const char *password,
                               const lt_auth_policy *p, int64_t now, lt_auth_session *out,
                               int *failures, lt_error *err);
LT_API int lt_auth_failure_delay_ms(const lt_auth_policy *p, int failures);
/* As lt_auth_login, with the one-time code (TOTP, 6 digits; NULL for none) a user enrolled by
 * lt_auth_totp_enrol must also give. A missing, wrong or already used code is a failure like a
 * wrong password, with the same message; it is checked only once the password is right. */
LT_API lt_status lt_auth_login_totp(lt_store *st, const char *user, const char *password,
                                    const char *totp, const lt_auth_policy *p, int64_t now,
                                    lt_auth_session *out, int *failures, lt_error *err);

#define LT_AUTH_TOTP_B32_MAX 64   /* a 160-bit secret in base32 (32 characters) + NUL */
#define LT_AUTH_TOTP_URI_MAX 256
/* Enrols user (the acting user, or anyone for an admin) in the second factor: a new 160-bit
 * secret in a record kind "totp" (audited "user.totp"; the audit log hides the secret), given
 * once as base32 and as the otpauth:// URI an authenticator app reads. Enrolling again replaces
 * the secret. From then on sign-in needs the code (RFC 6238: SHA-1, 6 digits, 30 s). */
LT_API lt_status lt_auth_totp_enrol(lt_trial *t, const char *user, int64_t now,
                                    char secret_b32[LT_AUTH_TOTP_B32_MAX],
                                    char uri[LT_AUTH_TOTP_URI_MAX], lt_error *err);

/* The user of session id at now, or LT_EPERM when it is unknown, ended, idle too long or too
 * old. csrf: the X-CSRF-Token a state-changing request carries (NULL for a request that changes
 * nothing); a state-changing request whose token does not match is refused with LT_EPERM
 * (where "csrf"). Writes the time of use at most every touch_seconds ("session.touch"). */
LT_API lt_status lt_auth_session_check(lt_store *st, const char *id, bool changes,
                                       const char *csrf, const lt_auth_policy *p, int64_t now,
                                       char user[LT_AUTH_USER_MAX], lt_error *err);
/* Ends session id ("session.logout"). LT_EPERM when it is not an open session. */
LT_API lt_status lt_auth_logout(lt_store *st, const char *id, int64_t now, lt_error *err);
/* Ends every open session of the user of session id (signing out everywhere: a lost laptop,
 * a shared computer), each audited "session.logout"; *ended (may be NULL) receives how many.
 * LT_EPERM when id is not an open session. */
LT_API lt_status lt_auth_logout_all(lt_store *st, const char *id, int64_t now, int *ended,
                                    lt_error *err);

/* A new API token for user (the acting user's own, or anyone's for an admin), valid for
 * expires_days days (0: until revoked), stored as a record kind "token" (audited
 * "token.create") holding the secret's SHA-256. token receives the whole token (shown once),
 * id its public part, by which it is revoked. */
LT_API lt_status lt_auth_token_create(lt_trial *t, const char *user, int64_t expires_days,
                                      int64_t now, char token[LT_AUTH_TOKEN_MAX],
                                      char id[LT_AUTH_TOKEN_ID_HEX], lt_error *err);
/* Revokes token id (its owner or an admin; "token.revoke"). */
LT_API lt_status lt_auth_token_revoke(lt_trial *t, const char *id, lt_error *err);
/* The API tokens the acting user may see (an admin: everyone's; anyone else: its own), as
 * {"tokens":[{"id","user","created","expires","last_used","state"}],"count"} appended to out:
 * times RFC 3339 UTC (expires null: until revoked), last_used the UTC day of the last use or
 * null, state "active", "revoked" or "expired" at now. Never the secret or its hash
 * (src/auth/tokens.c). */
LT_API lt_status lt_auth_token_list(lt_trial *t, int64_t now, lt_buf *out, lt_error *err);
/* The user a bearer token stands for at now; LT_EPERM when it is malformed, unknown, revoked or
 * expired (one message). The caller then opens the trial as that user, which refuses a
 * deactivated one. */
LT_API lt_status lt_auth_token_check(lt_store *st, const char *token, int64_t now,
                                     char user[LT_AUTH_USER_MAX], lt_error *err);

/* Verifies user's password again for an electronic signature, without opening a session: an
 * active, unlocked user with this password gives LT_OK. Anything else is LT_EPERM with the
 * sign-in's one message, and a failure counts toward the lock-out as a failed sign-in does
 * (*failures, if not NULL, receives the count). */
LT_API lt_status lt_auth_reauthenticate(lt_store *st, const char *user, const char *password,
                                        const lt_auth_policy *p, int64_t now, int *failures,
                                        lt_error *err);

/* The acting user changes their own password (POST /api/v1/users/me/password): current is
 * verified as lt_auth_reauthenticate verifies it (wrong: LT_EPERM where "current", counted
 * toward the lock-out), new_password must pass lt_auth_password_acceptable (LT_EINVAL where
 * "new") and differ from current. Stored as lt_auth_password_set stores it; every session of the
 * user ends except the one the request came in (lt_trial_session; none on the command line).
 * *ended (may be NULL) receives how many ended. now: lt_trial_now. */
LT_API lt_status lt_auth_password_change(lt_trial *t, const char *current,
                                         const char *new_password, int64_t now, int *ended,
                                         lt_error *err);
/* The acting user enrols in the second factor (POST /api/v1/users/me/totp): password again
 * (where "password"), and when a factor is already enrolled its current code too (where
 * "code"), a wrong one counted as a failed sign-in; then lt_auth_totp_enrol. */
LT_API lt_status lt_auth_totp_setup(lt_trial *t, const char *password, const char *code,
                                    int64_t now, char secret_b32[LT_AUTH_TOTP_B32_MAX],
                                    char uri[LT_AUTH_TOTP_URI_MAX], lt_error *err);
/* The acting user removes the second factor (DELETE /api/v1/users/me/totp) with the password
 * and the current code, checked as lt_auth_totp_setup checks them; the "totp" record keeps no
 * secret after it (audited "user.totp.remove"). LT_ENOTFOUND when none is enrolled. */
LT_API lt_status lt_auth_totp_remove(lt_trial *t, const char *password, const char *code,
                                     int64_t now, lt_error *err);

#endif
