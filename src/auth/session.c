/* Sign-in, sessions and API tokens over the store. A session is a record kind "session" whose
 * id is the SHA-256 of the cookie value; failures are counted per account name in a record kind
 * "login", whether or not the user exists, so that locking says nothing about existence. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth_int.h"
#include "lutetia/date.h"

static const char refused[] =
    "sign-in refused: wrong user name, password or one-time code, or the account is locked";
/* a signature asks for the user name and password again, never for a one-time code */
static const char refused_again[] =
    "wrong user name or password, or the account is locked";

static void session_doc(lt_buf *b, const char *user, const char *role, int64_t created,
                        int64_t seen, const char *csrf_hash, bool ended)
{
    lt_buf_puts(b, "{\"user\":");
    lt_buf_json_str(b, user);
    lt_buf_puts(b, ",\"role\":");
    lt_buf_json_str(b, role);
    lt_buf_printf(b, ",\"created\":%lld,\"seen\":%lld,\"csrf_sha256\":", (long long)created,
                  (long long)seen);
    lt_buf_json_str(b, csrf_hash);
    lt_buf_printf(b, ",\"ended\":%s}", ended ? "true" : "false");
}

/* Rewrites session `hash` (already read in this transaction or not) with seen or ended. */
static lt_status session_write(lt_store *st, const char *hash, const lt_actor *who, int64_t seen,
                               bool end, const char *action, const char *reason, lt_error *err)
{
    lt_json *d = NULL;
    int64_t rev = 0;
    lt_status rc = lt__auth_read(st, "session", hash, &d, &rev, err);
    if (rc != LT_OK) return rc;
    const char *user = lt_json_get_str(d, "user", "");
    lt_buf b = LT_BUF_INIT;
    session_doc(&b, user, lt_json_get_str(d, "role", ""),
                (int64_t)lt_json_get_num(d, "created", 0),
                seen ? seen : (int64_t)lt_json_get_num(d, "seen", 0),
                lt_json_get_str(d, "csrf_sha256", ""), end);
    lt_record r = {.kind = "session", .id = hash, .key = user, .data = lt_buf_str(&b)};
    rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                           : lt_store_put(st, &r, rev, who, action, reason, NULL, err);
    lt_buf_free(&b);
    lt_json_free(d);
    return rc;
}

lt_status lt__auth_session_end(lt_store *st, const char *hash, const lt_actor *who,
                               const char *action, const char *reason, lt_error *err);
lt_status lt__auth_session_end(lt_store *st, const char *hash, const lt_actor *who,
                               const char *action, const char *reason, lt_error *err)
{
    return session_write(st, hash, who, 0, true, action, reason, err);
}

/* Counts a failed sign-in of name (a syntactically possible name: anything else is refused
 * without a trace, as it can name no user). */
static lt_status count_failure(lt_store *st, const char *name, const lt_auth_policy *p,
                               int64_t now, int *failures, lt_error *err)
{
    lt_status rc = lt_store_begin(st, err);
    lt_json *d = NULL;
    int64_t rev = 0;
    if (rc == LT_OK) {
        rc = lt__auth_read(st, "login", name, &d, &rev, NULL);
        if (rc == LT_ENOTFOUND) rc = LT_OK;
        else if (rc != LT_OK) rc = lt_error_set(err, rc, "login", "could not read it");
    }
    int n = d ? (int)lt_json_get_num(d, "failures", 0) : 0;
    int64_t until = d ? (int64_t)lt_json_get_num(d, "locked_until", 0) : 0;
    bool locked_now = until > now;
    /* an attempt while locked is audited but not counted: the count starts afresh when the
     * lock ends */
    if (!locked_now) n++;
    bool lock = !locked_now && n >= p->max_failures;
    if (lock) until = now + p->lock_seconds;
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b, "{\"failures\":%d,\"locked_until\":%lld,\"last_failure\":%lld}",
                  lock ? 0 : n, (long long)until, (long long)now);
    lt_actor who = {name, "none"};
    lt_record r = {.kind = "login", .id = name, .key = name, .data = lt_buf_str(&b)};
    if (rc == LT_OK)
        rc = lt_store_put(st, &r, rev, &who, lock ? "login.locked" : "login.failed",
                          locked_now ? "account locked" : "wrong user name or password", NULL,
                          err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    if (failures) *failures = n;
    lt_buf_free(&b);
    lt_json_free(d);
    return rc;
}

lt_status lt_auth_login(lt_store *st, const char *user, const char *password,
                        const lt_auth_policy *p, int64_t now, lt_auth_session *out,
                        int *failures, lt_error *err)
{
    return lt_auth_login_totp(st, user, password, NULL, p, now, out, failures, err);
}

lt_status lt_auth_login_totp(lt_store *st, const char *user, const char *password,
                             const char *totp, const lt_auth_policy *p, int64_t now,
                             lt_auth_session *out, int *failures, lt_error *err)
{
    if (failures) *failures = 0;
    size_t plen = password ? strlen(password) : 0;
    bool name_ok = lt__auth_name_ok(user);
    char role[32] = "";
    bool active = false, exists = name_ok && lt__auth_user(st, user, role, &active);
    lt_json *cred = NULL, *login = NULL;
    if (exists && lt__auth_read(st, "credential", user, &cred, NULL, NULL) != LT_OK) cred = NULL;
    if (name_ok && lt__auth_read(st, "login", user, &login, NULL, NULL) != LT_OK) login = NULL;
    bool locked = login && (int64_t)lt_json_get_num(login, "locked_until", 0) > now;
    int had = login ? (int)lt_json_get_num(login, "failures", 0) : 0;
    lt_json_free(login);
    const char *hash = cred ? lt_json_get_str(cred, "argon2id", NULL) : NULL;
    bool ok = false;
    if (hash && password && plen <= LT_AUTH_PASSWORD_MAX) {
        ok = crypto_pwhash_str_verify(hash, password, plen) == 0;
    } else if (password && plen <= LT_AUTH_PASSWORD_MAX) {
        /* no such user or no password: spend the time a verification takes, so that the
         * answer's timing does not tell either */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str_alg(dummy, password, plen,
                                  crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0)
            dummy[0] = '\0';
    }
    lt_json_free(cred);
    if (!ok || locked || !active) {
        lt_status rc = name_ok ? count_failure(st, user, p, now, failures, err) : LT_OK;
        if (rc != LT_OK) return rc;
        LT_FAIL(err, LT_EPERM, "user", "%s", refused);
    }
    lt_auth_session s;
    memset(&s, 0, sizeof s);
    lt__auth_random_hex(s.id);
    lt__auth_random_hex(s.csrf);
    snprintf(s.user, sizeof s.user, "%s", user);
    char id_hash[LT_AUTH_SECRET_HEX], csrf_hash[LT_AUTH_SECRET_HEX];
    lt__auth_sha256_hex(s.id, id_hash);
    lt__auth_sha256_hex(s.csrf, csrf_hash);
    lt_buf b = LT_BUF_INIT;
    session_doc(&b, user, role, now, now, csrf_hash, false);
    lt_actor who = {user, role};
    lt_status rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                     : lt_store_begin(st, err);
    lt_record r = {.kind = "session", .id = id_hash, .key = user, .data = lt_buf_str(&b)};
    /* the second factor, for a user enrolled: checked only after the password, so that a
     * wrong code says nothing about the password to whoever does not know it either */
    bool enrolled = false, code_ok = false;
    if (rc == LT_OK) rc = lt__auth_totp_check(st, user, totp, now, &enrolled, &code_ok, err);
    if (rc == LT_OK && enrolled && !code_ok) {
        lt_store_rollback(st);
        lt_buf_free(&b);
        sodium_memzero(&s, sizeof s);
        rc = count_failure(st, user, p, now, failures, err);
        if (rc != LT_OK) return rc;
        LT_FAIL(err, LT_EPERM, "user", "%s", refused);
    }
    if (rc == LT_OK) rc = lt_store_put(st, &r, 0, &who, "session.login", "", NULL, err);
    if (rc == LT_OK && had > 0) {
        /* a success clears the count of failures before it */
        lt_json *d = NULL;
        int64_t rev = 0;
        rc = lt__auth_read(st, "login", user, &d, &rev, err);
        lt_json_free(d);
        lt_record z = {.kind = "login", .id = user, .key = user,
                       .data = "{\"failures\":0,\"locked_until\":0}"};
        if (rc == LT_OK) rc = lt_store_put(st, &z, rev, &who, "login.reset", "", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    lt_buf_free(&b);
    if (rc == LT_OK) *out = s;
    sodium_memzero(&s, sizeof s);
    return rc;
}

static bool hex64(const char *s)
{
    if (!s || strlen(s) != 64) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

lt_status lt__auth_session_judge(const lt__session_facts *f, bool changes, const char *csrf,
                                const lt_auth_policy *p, int64_t now, lt_error *err)
{
    char csrf_hash[LT_AUTH_SECRET_HEX] = "";
    if (csrf) lt__auth_sha256_hex(csrf, csrf_hash);
    bool csrf_ok = csrf && lt__auth_same_hash(csrf_hash, f->csrf_sha256);
    if (f->ended) LT_FAIL(err, LT_EPERM, "session", "the session has ended: sign in");
    if (!f->user_ok)
        /* checked here too, not only when the trial is opened as the user: a deactivation
         * ends the session at once, whatever the caller does next */
        LT_FAIL(err, LT_EPERM, "session", "the session's user is deactivated");
    if (now - f->created > p->absolute_seconds)
        LT_FAIL(err, LT_EPERM, "session", "the session is too old: sign in again");
    if (now - f->seen > p->idle_seconds)
        LT_FAIL(err, LT_EPERM, "session", "the session was idle too long: sign in again");
    if (changes && !csrf_ok)
        LT_FAIL(err, LT_EPERM, "csrf",
                "a change made with a session cookie needs the X-CSRF-Token header given at "
                "sign-in");
    return LT_OK;
}

lt_status lt_auth_session_check(lt_store *st, const char *id, bool changes, const char *csrf,
                                const lt_auth_policy *p, int64_t now,
                                char user[LT_AUTH_USER_MAX], lt_error *err)
{
    lt__session_facts f;
    bool touched;
    return lt__auth_session_check(st, id, changes, csrf, p, now, user, &f, &touched, err);
}

lt_status lt__auth_session_check(lt_store *st, const char *id, bool changes, const char *csrf,
                                 const lt_auth_policy *p, int64_t now,
                                 char user[LT_AUTH_USER_MAX], lt__session_facts *f,
                                 bool *touched, lt_error *err)
{
    memset(f, 0, sizeof *f);
    *touched = false;
    user[0] = '\0';
    if (!hex64(id)) LT_FAIL(err, LT_EPERM, "session", "no open session: sign in");
    char hash[LT_AUTH_SECRET_HEX];
    lt__auth_sha256_hex(id, hash);
    lt_json *d = NULL;
    lt_status rc = lt__auth_read(st, "session", hash, &d, NULL, NULL);
    if (rc == LT_ENOTFOUND) LT_FAIL(err, LT_EPERM, "session", "no open session: sign in");
    if (rc != LT_OK) LT_FAIL(err, rc, "session", "could not read the session");
    lt_json_bool(lt_json_get(d, "ended"), &f->ended);
    f->created = (int64_t)lt_json_get_num(d, "created", 0);
    f->seen = (int64_t)lt_json_get_num(d, "seen", 0);
    snprintf(f->csrf_sha256, sizeof f->csrf_sha256, "%s", lt_json_get_str(d, "csrf_sha256", ""));
    snprintf(f->user, sizeof f->user, "%s", lt_json_get_str(d, "user", ""));
    snprintf(user, LT_AUTH_USER_MAX, "%s", f->user);
    lt_actor who = {user, lt_json_get_str(d, "role", "")};
    char urole[32] = "";
    bool active = false;
    f->user_ok = lt__auth_user(st, user, urole, &active) && active;
    rc = lt__auth_session_judge(f, changes, csrf, p, now, err);
    if (rc == LT_OK && now - f->seen >= p->touch_seconds) {
        rc = lt_store_begin(st, err);
        if (rc == LT_OK) rc = session_write(st, hash, &who, now, false, "session.touch", "", err);
        if (rc == LT_OK) rc = lt_store_commit(st, err);
        if (rc != LT_OK) lt_store_rollback(st);
        if (rc == LT_OK) {
            *touched = true;
            f->seen = now;
        }
    }
    lt_json_free(d);
    if (rc != LT_OK) user[0] = '\0';
    return rc;
}

lt_status lt_auth_logout(lt_store *st, const char *id, int64_t now, lt_error *err)
{
    (void)now;
    if (!hex64(id)) LT_FAIL(err, LT_EPERM, "session", "no open session");
    char hash[LT_AUTH_SECRET_HEX];
    lt__auth_sha256_hex(id, hash);
    lt_json *d = NULL;
    lt_status rc = lt__auth_read(st, "session", hash, &d, NULL, NULL);
    if (rc != LT_OK) LT_FAIL(err, LT_EPERM, "session", "no open session");
    bool ended = false;
    lt_json_bool(lt_json_get(d, "ended"), &ended);
    lt_actor who = {lt_json_get_str(d, "user", ""), lt_json_get_str(d, "role", "")};
    if (ended) rc = lt_error_set(err, LT_EPERM, "session", "no open session");
    if (rc == LT_OK) rc = lt_store_begin(st, err);
    if (rc == LT_OK) {
        rc = session_write(st, hash, &who, 0, true, "session.logout", "", err);
        if (rc == LT_OK) rc = lt_store_commit(st, err);
        if (rc != LT_OK) lt_store_rollback(st);
    }
    lt_json_free(d);
    return rc;
}

lt_status lt_auth_logout_all(lt_store *st, const char *id, int64_t now, int *ended,
                             lt_error *err)
{
    (void)now;
    if (!hex64(id)) LT_FAIL(err, LT_EPERM, "session", "no open session");
    char hash[LT_AUTH_SECRET_HEX];
    lt__auth_sha256_hex(id, hash);
    lt_json *d = NULL;
    lt_status rc = lt__auth_read(st, "session", hash, &d, NULL, NULL);
    if (rc != LT_OK) LT_FAIL(err, LT_EPERM, "session", "no open session");
    bool was_ended = false;
    lt_json_bool(lt_json_get(d, "ended"), &was_ended);
    lt_actor who = {lt_json_get_str(d, "user", ""), lt_json_get_str(d, "role", "")};
    if (was_ended) rc = lt_error_set(err, LT_EPERM, "session", "no open session");
    if (rc == LT_OK) rc = lt_store_begin(st, err);
    if (rc == LT_OK) {
        rc = lt__auth_sessions_end_all(st, who.user, &who, "signed out everywhere", ended, err);
        if (rc == LT_OK) rc = lt_store_commit(st, err);
        if (rc != LT_OK) lt_store_rollback(st);
    }
    lt_json_free(d);
    return rc;
}

/* ---- API tokens ---- */

lt_status lt_auth_token_create(lt_trial *t, const char *user, int64_t expires_days, int64_t now,
                               char token[LT_AUTH_TOKEN_MAX], char id[LT_AUTH_TOKEN_ID_HEX],
                               lt_error *err)
{
    const char *me = lt_trial_user(t);
    if (lt_trial_role(t) != LT_ROLE_ADMIN && strcmp(me, user ? user : "") != 0)
        LT_FAIL(err, LT_EPERM, "user", "only an admin creates a token for another user");
    if (expires_days < 0 || expires_days > 3650)
        LT_FAIL(err, LT_EINVAL, "expires", "expected 0 (never) to 3650 days, found %lld",
                (long long)expires_days);
    lt_store *st = lt_trial_store(t);
    char role[32];
    bool active;
    if (!lt__auth_user(st, user, role, &active))
        LT_FAIL(err, LT_ENOTFOUND, "user", "no user '%s' in this trial", user ? user : "");
    unsigned char idb[8];
    randombytes_buf(idb, sizeof idb);
    char tid[LT_AUTH_TOKEN_ID_HEX], secret[LT_AUTH_SECRET_HEX], hash[LT_AUTH_SECRET_HEX];
    sodium_bin2hex(tid, sizeof tid, idb, sizeof idb);
    lt__auth_random_hex(secret);
    lt__auth_sha256_hex(secret, hash);
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"user\":");
    lt_buf_json_str(&b, user);
    lt_buf_printf(&b, ",\"created\":%lld,\"expires\":%lld,\"secret_sha256\":\"%s\","
                      "\"revoked\":false}",
                  (long long)now, (long long)(expires_days ? now + expires_days * 86400 : 0),
                  hash);
    lt_actor who = {me, lt_role_name(lt_trial_role(t))};
    lt_record r = {.kind = "token", .id = tid, .key = user, .data = lt_buf_str(&b)};
    lt_status rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                     : lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, 0, &who, "token.create", "", NULL, err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    lt_buf_free(&b);
    if (rc == LT_OK) {
        snprintf(token, LT_AUTH_TOKEN_MAX, "ltk_%s_%s", tid, secret);
        snprintf(id, LT_AUTH_TOKEN_ID_HEX, "%s", tid);
    }
    sodium_memzero(secret, sizeof secret);
    return rc;
}

lt_status lt_auth_token_revoke(lt_trial *t, const char *id, lt_error *err)
{
    lt_store *st = lt_trial_store(t);
    const char *me = lt_trial_user(t);
    lt_json *d = NULL;
    int64_t rev = 0;
    lt_status rc = id && strlen(id) == 16 ? lt__auth_read(st, "token", id, &d, &rev, NULL)
                                          : LT_ENOTFOUND;
    if (rc != LT_OK) LT_FAIL(err, LT_ENOTFOUND, "id", "no token '%s'", id ? id : "");
    const char *owner = lt_json_get_str(d, "user", "");
    bool revoked = false;
    lt_json_bool(lt_json_get(d, "revoked"), &revoked);
    if (lt_trial_role(t) != LT_ROLE_ADMIN && strcmp(me, owner) != 0)
        rc = lt_error_set(err, LT_ENOTFOUND, "id", "no token '%s'", id);
    else if (revoked)
        rc = lt_error_set(err, LT_ECONFLICT, "id", "token '%s' is already revoked", id);
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"user\":");
    lt_buf_json_str(&b, owner);
    lt_buf_printf(&b, ",\"created\":%lld,\"expires\":%lld,\"secret_sha256\":",
                  (long long)lt_json_get_num(d, "created", 0),
                  (long long)lt_json_get_num(d, "expires", 0));
    lt_buf_json_str(&b, lt_json_get_str(d, "secret_sha256", ""));
    lt_buf_puts(&b, ",\"revoked\":true}");
    lt_actor who = {me, lt_role_name(lt_trial_role(t))};
    lt_record r = {.kind = "token", .id = id, .key = owner, .data = lt_buf_str(&b)};
    if (rc == LT_OK) rc = lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, rev, &who, "token.revoke", "", NULL, err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    lt_buf_free(&b);
    lt_json_free(d);
    return rc;
}

/* Writes the token's first use on today's date (UTC): record kind "token" gains last_used, and
 * the audit trail a "token.use". Once per token per day, not per request: a script polling
 * every second would otherwise add 86,400 audit records a day and the trail would grow with
 * the load instead of with the trial; this way it grows by at most one record per token and
 * day, and still says on which days each token acted (what each request did is audited by
 * the operation itself, under the token's user). The read is inside the transaction, so two
 * first uses at once write one record. */
static lt_status token_used(lt_store *st, const char *tid, const char *user, const char *role,
                            int64_t now, lt_error *err)
{
    char day[LT_DATE_STR_MAX];
    lt_date_format(lt_time_date(now), day);
    lt_status rc = lt_store_begin(st, err);
    if (rc != LT_OK) return rc;
    lt_json *d = NULL;
    int64_t rev = 0;
    rc = lt__auth_read(st, "token", tid, &d, &rev, err);
    bool revoked = false;
    if (rc == LT_OK) lt_json_bool(lt_json_get(d, "revoked"), &revoked);
    if (rc == LT_OK && !revoked && strcmp(lt_json_get_str(d, "last_used", ""), day) != 0) {
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"user\":");
        lt_buf_json_str(&b, lt_json_get_str(d, "user", ""));
        lt_buf_printf(&b, ",\"created\":%lld,\"expires\":%lld,\"secret_sha256\":",
                      (long long)lt_json_get_num(d, "created", 0),
                      (long long)lt_json_get_num(d, "expires", 0));
        lt_buf_json_str(&b, lt_json_get_str(d, "secret_sha256", ""));
        lt_buf_printf(&b, ",\"revoked\":false,\"last_used\":\"%s\"}", day);
        lt_actor who = {user, role};
        lt_record r = {.kind = "token", .id = tid, .key = user, .data = lt_buf_str(&b)};
        rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                               : lt_store_put(st, &r, rev, &who, "token.use", "first use today",
                                              NULL, err);
        lt_buf_free(&b);
    }
    lt_json_free(d);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

lt_status lt_auth_token_check(lt_store *st, const char *token, int64_t now,
                              char user[LT_AUTH_USER_MAX], lt_error *err)
{
    int64_t expires;
    return lt__auth_token_check(st, token, now, user, &expires, err);
}

lt_status lt__auth_token_check(lt_store *st, const char *token, int64_t now,
                               char user[LT_AUTH_USER_MAX], int64_t *expires_out, lt_error *err)
{
    user[0] = '\0';
    *expires_out = 0;
    char tid[LT_AUTH_TOKEN_ID_HEX];
    if (!token || strlen(token) != 4 + 16 + 1 + 64 || strncmp(token, "ltk_", 4) != 0 ||
        token[20] != '_' || !hex64(token + 21))
        LT_FAIL(err, LT_EPERM, "token", "the token is not valid");
    memcpy(tid, token + 4, 16);
    tid[16] = '\0';
    char hash[LT_AUTH_SECRET_HEX];
    lt__auth_sha256_hex(token + 21, hash);
    lt_json *d = NULL;
    if (lt__auth_read(st, "token", tid, &d, NULL, NULL) != LT_OK)
        LT_FAIL(err, LT_EPERM, "token", "the token is not valid");
    bool revoked = false;
    lt_json_bool(lt_json_get(d, "revoked"), &revoked);
    int64_t expires = (int64_t)lt_json_get_num(d, "expires", 0);
    char owner[LT_AUTH_USER_MAX], role[32] = "", day[LT_DATE_STR_MAX];
    snprintf(owner, sizeof owner, "%s", lt_json_get_str(d, "user", ""));
    lt_date_format(lt_time_date(now), day);
    /* the day's later requests write nothing (and take no write lock) */
    bool first_today = strcmp(lt_json_get_str(d, "last_used", ""), day) != 0;
    bool active = false;
    /* a deactivated user's token stands for no one, whatever the caller does next */
    bool ok = lt__auth_same_hash(hash, lt_json_get_str(d, "secret_sha256", "")) && !revoked &&
              (!expires || now < expires) && lt__auth_user(st, owner, role, &active) && active;
    lt_json_free(d);
    if (!ok) LT_FAIL(err, LT_EPERM, "token", "the token is not valid (revoked or expired?)");
    lt_status rc = first_today ? token_used(st, tid, owner, role, now, err) : LT_OK;
    if (rc != LT_OK) return rc;
    snprintf(user, LT_AUTH_USER_MAX, "%s", owner);
    *expires_out = expires;
    return LT_OK;
}

/* Re-authentication for an electronic signature (21 CFR 11.200(a)): the password of an active
 * user, verified as a sign-in verifies it but opening no session. A wrong password counts
 * toward the same lock-out as failed sign-ins ("login.failed" on the user's "login" record),
 * and a locked account cannot sign either. Kept beside lt_auth_login rather than sharing its
 * body, so that sign-in (and a second factor added to it) stays as it is. */
lt_status lt_auth_reauthenticate(lt_store *st, const char *user, const char *password,
                                 const lt_auth_policy *p, int64_t now, int *failures,
                                 lt_error *err)
{
    if (failures) *failures = 0;
    size_t plen = password ? strlen(password) : 0;
    char role[32] = "";
    bool active = false;
    bool exists = lt__auth_name_ok(user) && lt__auth_user(st, user, role, &active);
    if (!exists) LT_FAIL(err, LT_EPERM, "user", "%s", refused_again);
    lt_json *cred = NULL, *login = NULL;
    if (lt__auth_read(st, "credential", user, &cred, NULL, NULL) != LT_OK) cred = NULL;
    if (lt__auth_read(st, "login", user, &login, NULL, NULL) != LT_OK) login = NULL;
    bool locked = login && (int64_t)lt_json_get_num(login, "locked_until", 0) > now;
    lt_json_free(login);
    const char *hash = cred ? lt_json_get_str(cred, "argon2id", NULL) : NULL;
    bool ok = hash && password && plen <= LT_AUTH_PASSWORD_MAX &&
              crypto_pwhash_str_verify(hash, password, plen) == 0;
    lt_json_free(cred);
    if (!ok || locked || !active) {
        lt_status rc = count_failure(st, user, p, now, failures, err);
        if (rc != LT_OK) return rc;
        LT_FAIL(err, LT_EPERM, "password", "%s", refused_again);
    }
    return LT_OK;
}
