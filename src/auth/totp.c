/* The optional second factor: time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits,
 * 30-second steps from 1970) computed by liboath. A user enrolled by lt_auth_totp_enrol has a
 * record kind "totp" holding the shared secret; sign-in then needs the current code besides the
 * password. A code is accepted one step early or late (a phone's clock drifts) and only once:
 * the last step used is stored, so a code read over a shoulder cannot be replayed during the 90
 * seconds it would otherwise stay valid. */
#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth_int.h"

#define SECRET_BYTES 20 /* 160 bits, RFC 4226 section 4's recommended length */
#define STEP 30
#define WINDOW 1

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;
static void init(void) { init_rc = oath_init(); }

static bool ready(void)
{
    pthread_once(&once, init);
    return init_rc == OATH_OK;
}

lt_status lt_auth_totp_enrol(lt_trial *t, const char *user, int64_t now,
                             char secret_b32[LT_AUTH_TOTP_B32_MAX], char uri[LT_AUTH_TOTP_URI_MAX],
                             lt_error *err)
{
    const char *me = lt_trial_user(t);
    if (lt_trial_role(t) != LT_ROLE_ADMIN && strcmp(me, user ? user : "") != 0)
        LT_FAIL(err, LT_EPERM, "user", "only an admin enrols another user's second factor");
    lt_store *st = lt_trial_store(t);
    char role[32];
    bool active;
    if (!lt__auth_user(st, user, role, &active))
        LT_FAIL(err, LT_ENOTFOUND, "user", "no user '%s' in this trial", user ? user : "");
    if (!ready()) LT_FAIL(err, LT_EIO, "totp", "liboath did not initialise");
    unsigned char key[SECRET_BYTES];
    char hex[2 * SECRET_BYTES + 1], *b32 = NULL;
    size_t b32len = 0;
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    if (oath_base32_encode((const char *)key, sizeof key, &b32, &b32len) != OATH_OK ||
        b32len >= LT_AUTH_TOTP_B32_MAX) {
        free(b32);
        sodium_memzero(key, sizeof key);
        LT_FAIL(err, LT_ENOMEM, "totp", "could not encode the secret");
    }
    lt_buf doc = LT_BUF_INIT;
    lt_buf_puts(&doc, "{\"user\":");
    lt_buf_json_str(&doc, user);
    lt_buf_printf(&doc, ",\"secret_hex\":\"%s\",\"enrolled\":%lld,\"last_step\":0}", hex,
                  (long long)now);
    lt_actor who = {me, lt_role_name(lt_trial_role(t))};
    lt_record *old = NULL;
    lt_status rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                       : lt_store_begin(st, err);
    if (rc == LT_OK) {
        rc = lt_store_get(st, "totp", user, &old, NULL);
        if (rc == LT_ENOTFOUND) rc = LT_OK;
        else if (rc != LT_OK) rc = lt_error_set(err, rc, "totp", "could not read it");
    }
    if (rc == LT_OK) {
        lt_record r = {.kind = "totp", .id = user, .key = user, .data = lt_buf_str(&doc)};
        rc = lt_store_put(st, &r, old ? old->rev : 0, &who, "user.totp",
                          old ? "second factor enrolled again (new secret)" : "", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    if (rc == LT_OK) {
        snprintf(secret_b32, LT_AUTH_TOTP_B32_MAX, "%s", b32);
        /* the otpauth URI authenticator apps read (Key Uri Format): issuer and account label */
        snprintf(uri, LT_AUTH_TOTP_URI_MAX,
                 "otpauth://totp/Lutetia:%s?secret=%s&issuer=Lutetia&algorithm=SHA1&digits=6"
                 "&period=30",
                 user, b32);
    }
    lt_record_free(old);
    lt_buf_free(&doc);
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    if (b32) sodium_memzero(b32, b32len);
    free(b32);
    return rc;
}

lt_status lt__auth_totp_check(lt_store *st, const char *user, const char *code, int64_t now,
                              bool *enrolled, bool *ok, lt_error *err)
{
    *enrolled = false;
    *ok = false;
    lt_json *d = NULL;
    int64_t rev = 0;
    lt_status rc = lt__auth_read(st, "totp", user, &d, &rev, NULL);
    if (rc == LT_ENOTFOUND) return LT_OK;
    if (rc != LT_OK) LT_FAIL(err, rc, "totp", "could not read the second factor");
    /* a removed factor stays as a record without a secret (lt_auth_totp_remove), for the
     * audit trail: the user signs in with the password alone again */
    bool removed = false;
    lt_json_bool(lt_json_get(d, "removed"), &removed);
    if (removed) {
        lt_json_free(d);
        return LT_OK;
    }
    *enrolled = true;
    const char *hex = lt_json_get_str(d, "secret_hex", "");
    unsigned char key[SECRET_BYTES];
    size_t klen = 0;
    int64_t last = (int64_t)lt_json_get_num(d, "last_step", 0);
    int pos = 0;
    bool digits = code && strlen(code) == 6 && strspn(code, "0123456789") == 6;
    if (digits && ready() &&
        sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, &klen, NULL) == 0 &&
        klen == SECRET_BYTES &&
        oath_totp_validate2((const char *)key, klen, (time_t)now, STEP, 0, WINDOW, &pos, code) >= 0) {
        int64_t step = now / STEP + pos;
        /* once only: a step at or before the last one used is a replay */
        if (step > last) {
            lt_buf b = LT_BUF_INIT;
            lt_buf_puts(&b, "{\"user\":");
            lt_buf_json_str(&b, user);
            lt_buf_printf(&b, ",\"secret_hex\":\"%s\",\"enrolled\":%lld,\"last_step\":%lld}", hex,
                          (long long)lt_json_get_num(d, "enrolled", 0), (long long)step);
            char role[32] = "";
            bool active = false;
            lt__auth_user(st, user, role, &active);
            lt_actor who = {user, role};
            lt_record r = {.kind = "totp", .id = user, .key = user, .data = lt_buf_str(&b)};
            /* the caller's transaction: the step is used only if the sign-in commits */
            rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                   : lt_store_put(st, &r, rev, &who, "totp.used", "", NULL, err);
            *ok = rc == LT_OK;
            lt_buf_free(&b);
        }
    }
    sodium_memzero(key, sizeof key);
    lt_json_free(d);
    return rc;
}
