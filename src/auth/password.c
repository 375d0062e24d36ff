/* Passwords: the rules a new one must meet, its argon2id string in a "credential" record, and
 * the helpers the rest of the module shares.
 * Parameters: libsodium's OPSLIMIT_INTERACTIVE and MEMLIMIT_INTERACTIVE for argon2id (2 passes
 * over 64 MiB). The server verifies a password on a request thread of a small machine; MODERATE
 * (256 MiB, about 0.7 s) would let a handful of simultaneous sign-ins exhaust its memory, while
 * INTERACTIVE already exceeds OWASP's minimum for argon2id (19 MiB, 2 passes). */
#include <ctype.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "auth_int.h"
#include "lutetia/file.h"

void lt__auth_random_hex(char out[LT_AUTH_SECRET_HEX])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, LT_AUTH_SECRET_HEX, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

void lt__auth_sha256_hex(const char *s, char out[LT_AUTH_SECRET_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, LT_AUTH_SECRET_HEX, h, sizeof h);
}

bool lt__auth_same_hash(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 64 || strlen(b) != 64) return false;
    return sodium_memcmp(a, b, 64) == 0;
}

bool lt__auth_name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64) return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == '@'))
            return false;
    return true;
}

lt_status lt__auth_read(lt_store *st, const char *kind, const char *id, lt_json **doc,
                        int64_t *rev, lt_error *err)
{
    lt_record *r = NULL;
    lt_status rc = lt_store_get(st, kind, id, &r, err);
    if (rc != LT_OK) return rc;
    rc = lt_json_parse(r->data, strlen(r->data), kind, doc, err);
    if (rc == LT_OK && rev) *rev = r->rev;
    lt_record_free(r);
    return rc;
}

bool lt__auth_user(lt_store *st, const char *user, char role[32], bool *active)
{
    lt_json *u = NULL;
    if (!lt__auth_name_ok(user) || lt__auth_read(st, "user", user, &u, NULL, NULL) != LT_OK)
        return false;
    snprintf(role, 32, "%s", lt_json_get_str(u, "role", ""));
    *active = false;
    lt_json_bool(lt_json_get(u, "active"), active);
    lt_json_free(u);
    return true;
}

void lt_auth_policy_default(lt_auth_policy *p)
{
    *p = (lt_auth_policy){.max_failures = 5,
                          .lock_seconds = 900,
                          .idle_seconds = 1800,
                          .absolute_seconds = 43200,
                          .touch_seconds = 60,
                          .delay_ms_per_failure = 100,
                          .delay_ms_max = 1000};
}

int lt_auth_failure_delay_ms(const lt_auth_policy *p, int failures)
{
    long d = (long)p->delay_ms_per_failure * (failures > 0 ? failures : 0);
    return d > p->delay_ms_max ? p->delay_ms_max : (int)d;
}

/* Whether password is a line of the shipped list (case folded). */
static lt_status is_common(const char *password, bool *common, lt_error *err)
{
    char *data = NULL, used[512];
    size_t len = 0;
    lt_status rc = lt_data_read(NULL, "common-passwords.txt", &data, &len, used, sizeof used, err);
    if (rc != LT_OK) return rc;
    *common = false;
    for (char *save = NULL, *line = strtok_r(data, "\r\n", &save); line && !*common;
         line = strtok_r(NULL, "\r\n", &save))
        if (line[0] != '#' && !strcasecmp(line, password)) *common = true;
    free(data);
    return LT_OK;
}

lt_status lt_auth_password_acceptable(const char *password, lt_error *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < LT_AUTH_PASSWORD_MIN)
        LT_FAIL(err, LT_EINVAL, "password", "expected at least %d characters, found %zu",
                LT_AUTH_PASSWORD_MIN, n);
    if (n > LT_AUTH_PASSWORD_MAX)
        LT_FAIL(err, LT_EINVAL, "password", "expected at most %d characters, found %zu",
                LT_AUTH_PASSWORD_MAX, n);
    bool common = false;
    lt_status rc = is_common(password, &common, err);
    if (rc != LT_OK) return rc;
    if (common)
        LT_FAIL(err, LT_EINVAL, "password",
                "this password is in the list of common passwords (data/common-passwords.txt): "
                "choose another");
    return LT_OK;
}

typedef struct ids {
    char (*v)[LT_AUTH_SECRET_HEX];
    size_t n, cap;
    bool failed;
    const char *keep; /* the one session left open (NULL: none) */
} ids;

static int collect_open(const lt_record *r, void *ctx)
{
    ids *s = ctx;
    lt_json *d = NULL;
    bool ended = false;
    if (lt_json_parse(r->data, strlen(r->data), "session", &d, NULL) == LT_OK)
        lt_json_bool(lt_json_get(d, "ended"), &ended);
    lt_json_free(d);
    if (ended || (s->keep && !strcmp(s->keep, r->id))) return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        void *p = realloc(s->v, cap * sizeof *s->v);
        if (!p) {
            s->failed = true;
            return 1;
        }
        s->v = p;
        s->cap = cap;
    }
    snprintf(s->v[s->n++], LT_AUTH_SECRET_HEX, "%s", r->id);
    return 0;
}

lt_status lt__auth_session_end(lt_store *st, const char *hash, const lt_actor *who,
                               const char *action, const char *reason, lt_error *err);

lt_status lt__auth_sessions_end_all(lt_store *st, const char *user, const lt_actor *who,
                                    const char *reason, int *ended, lt_error *err)
{
    return lt__auth_sessions_end_others(st, user, NULL, who, reason, ended, err);
}

lt_status lt__auth_sessions_end_others(lt_store *st, const char *user, const char *keep,
                                       const lt_actor *who, const char *reason, int *ended,
                                       lt_error *err)
{
    ids open = {.keep = keep};
    lt_record_filter f = {.key = user};
    lt_status rc = lt_store_each(st, "session", &f, collect_open, &open, err);
    if (rc == LT_OK && open.failed) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; rc == LT_OK && i < open.n; i++)
        rc = lt__auth_session_end(st, open.v[i], who, "session.logout", reason, err);
    if (rc == LT_OK && ended) *ended = (int)open.n;
    free(open.v);
    return rc;
}

lt_status lt_auth_password_set(lt_trial *t, const char *user, const char *password,
                               lt_error *err)
{
    const char *me = lt_trial_user(t);
    if (lt_trial_role(t) != LT_ROLE_ADMIN && strcmp(me, user ? user : "") != 0)
        LT_FAIL(err, LT_EPERM, "user", "only an admin sets another user's password");
    lt_status rc = lt_auth_password_acceptable(password, err);
    if (rc != LT_OK) return rc;
    return lt__auth_password_store(t, user, password, NULL, "", NULL, err);
}

lt_status lt__auth_password_store(lt_trial *t, const char *user, const char *password,
                                  const char *keep, const char *reason, int *ended,
                                  lt_error *err)
{
    const char *me = lt_trial_user(t);
    lt_status rc;
    lt_store *st = lt_trial_store(t);
    char role[32];
    bool active;
    if (!lt__auth_user(st, user, role, &active))
        LT_FAIL(err, LT_ENOTFOUND, "user", "no user '%s' in this trial", user ? user : "");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, password, strlen(password),
                              crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        LT_FAIL(err, LT_ENOMEM, "password", "out of memory while hashing the password");
    lt_buf doc = LT_BUF_INIT;
    lt_buf_puts(&doc, "{\"user\":");
    lt_buf_json_str(&doc, user);
    lt_buf_puts(&doc, ",\"argon2id\":");
    lt_buf_json_str(&doc, hash);
    lt_buf_puts(&doc, "}");
    lt_actor who = {me, lt_role_name(lt_trial_role(t))};
    lt_record *old = NULL;
    rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                             : lt_store_begin(st, err);
    if (rc == LT_OK) {
        rc = lt_store_get(st, "credential", user, &old, NULL);
        if (rc == LT_ENOTFOUND) rc = LT_OK;
        else if (rc != LT_OK) rc = lt_error_set(err, rc, "credential", "could not read it");
    }
    if (rc == LT_OK) {
        lt_record r = {.kind = "credential", .id = user, .key = user, .data = lt_buf_str(&doc)};
        rc = lt_store_put(st, &r, old ? old->rev : 0, &who, "user.password", reason, NULL, err);
    }
    /* a new password ends every session opened with the old one (but keep, the one the
     * user changed it in, lt_auth_password_change) */
    if (rc == LT_OK)
        rc = lt__auth_sessions_end_others(st, user, keep, &who, "password changed", ended, err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    sodium_memzero(hash, sizeof hash);
    lt_record_free(old);
    lt_buf_free(&doc);
    return rc;
}
