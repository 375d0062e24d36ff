/* Passwords, sessions, lockout and API tokens (src/auth) against a real trial store, with the
 * clock given explicitly: the idle and absolute timeouts, the end of a lock and a token's
 * expiry are checked at exact instants, without waiting. */
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"

#define PW "trustworthy-horse-42"
#define T0 1800000000 /* 2027-01-15, the clock of these tests */

static char dir[] = "/tmp/lt-auth-XXXXXX";
static char db[256];

static lt_store *open_store(void)
{
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    return st;
}

/* Password rules as rows: the password and whether it is accepted. */
static void test_password_rules(void)
{
    static const struct {
        const char *pw;
        bool ok;
        const char *why;
    } rows[] = {
        {"", false, "at least 12"},
        {"eleven-char", false, "at least 12"},
        {"twelve-chars", true, NULL},
        {"qwerty123456", false, "common"},
        {"QWERTY123456", false, "common"},      /* compared without regard to case */
        {"1qaz2wsx3edc", false, "common"},
        {"correct horse battery staple", true, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_error err;
        lt_error_clear(&err);
        lt_status rc = lt_auth_password_acceptable(rows[i].pw, &err);
        CHECK_MSG((rc == LT_OK) == rows[i].ok, "row %zu '%s': %s", i, rows[i].pw, err.message);
        if (!rows[i].ok) {
            CHECK_MSG(strstr(err.message, rows[i].why) != NULL, "row %zu: %s", i, err.message);
            CHECK_STR(err.where, "password");
        }
    }
    char longpw[LT_AUTH_PASSWORD_MAX + 2];
    memset(longpw, 'x', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    CHECK(lt_auth_password_acceptable(longpw, NULL) == LT_EINVAL);
}

static void test_sessions(lt_auth_policy *p)
{
    lt_store *st = open_store();
    lt_auth_session s;
    lt_error err;
    char user[LT_AUTH_USER_MAX];
    CHECK(lt_auth_login(st, "cole", PW, p, T0, &s, NULL, &err) == LT_OK);
    CHECK_STR(s.user, "cole");
    CHECK_INT((long)strlen(s.id), 64);
    CHECK(strcmp(s.id, s.csrf) != 0);
    /* the id itself is nowhere in the store, only its hash */
    lt_record *r = NULL;
    CHECK(lt_store_get(st, "session", s.id, &r, NULL) == LT_ENOTFOUND);
    /* reads need no CSRF token; changes need the right one */
    CHECK(lt_auth_session_check(st, s.id, false, NULL, p, T0 + 10, user, &err) == LT_OK);
    CHECK_STR(user, "cole");
    CHECK(lt_auth_session_check(st, s.id, true, NULL, p, T0 + 10, user, &err) == LT_EPERM);
    CHECK_STR(err.where, "csrf");
    CHECK(lt_auth_session_check(st, s.id, true, s.id, p, T0 + 10, user, &err) == LT_EPERM);
    CHECK(lt_auth_session_check(st, s.id, true, s.csrf, p, T0 + 10, user, &err) == LT_OK);
    /* idle: unused for longer than idle_seconds ends it ... */
    CHECK(lt_auth_session_check(st, s.id, false, NULL, p, T0 + p->idle_seconds + 1, user, &err) ==
          LT_EPERM);
    CHECK(strstr(err.message, "idle") != NULL);
    /* ... but each use (written at most every touch_seconds) moves it on */
    lt_auth_session s2;
    CHECK(lt_auth_login(st, "cole", PW, p, T0, &s2, NULL, &err) == LT_OK);
    int64_t t = T0;
    for (int i = 0; i < 20; i++) {
        t += p->idle_seconds - 1;
        if (t - T0 > p->absolute_seconds) break;
        CHECK_MSG(lt_auth_session_check(st, s2.id, false, NULL, p, t, user, &err) == LT_OK,
                  "use %d at +%lld: %s", i, (long long)(t - T0), err.message);
    }
    /* absolute: however used, it ends absolute_seconds after sign-in */
    CHECK(lt_auth_session_check(st, s2.id, false, NULL, p, T0 + p->absolute_seconds + 1, user,
                                &err) == LT_EPERM);
    CHECK(strstr(err.message, "too old") != NULL);
    /* sign-out ends it; a second sign-out is refused */
    lt_auth_session s3;
    CHECK(lt_auth_login(st, "cole", PW, p, T0, &s3, NULL, &err) == LT_OK);
    CHECK(lt_auth_logout(st, s3.id, T0 + 5, &err) == LT_OK);
    CHECK(lt_auth_session_check(st, s3.id, false, NULL, p, T0 + 6, user, &err) == LT_EPERM);
    CHECK(lt_auth_logout(st, s3.id, T0 + 7, &err) == LT_EPERM);
    CHECK(lt_auth_session_check(st, "not-a-session", false, NULL, p, T0, user, &err) == LT_EPERM);
    lt_store_close(st);
}

static void test_lockout(lt_auth_policy *p)
{
    lt_store *st = open_store();
    lt_auth_session s;
    lt_error err, first;
    int failures = 0;
    for (int i = 1; i <= p->max_failures; i++) {
        CHECK(lt_auth_login(st, "iris", "wrong-password-1", p, T0 + i, &s, &failures, &err) ==
              LT_EPERM);
        CHECK_INT(failures, i);
        if (i == 1) first = err;
    }
    CHECK(lt_auth_failure_delay_ms(p, failures) == p->delay_ms_per_failure * failures ||
          lt_auth_failure_delay_ms(p, failures) == p->delay_ms_max);
    /* locked: the right password is refused with the same message */
    CHECK(lt_auth_login(st, "iris", PW, p, T0 + 100, &s, NULL, &err) == LT_EPERM);
    CHECK_STR(err.message, first.message);
    /* an unknown name and a user without a password get that message too */
    CHECK(lt_auth_login(st, "nobody", PW, p, T0 + 100, &s, NULL, &err) == LT_EPERM);
    CHECK_STR(err.message, first.message);
    CHECK(lt_auth_login(st, "nopass", PW, p, T0 + 100, &s, NULL, &err) == LT_EPERM);
    CHECK_STR(err.message, first.message);
    CHECK(lt_auth_login(st, "bad name;--", PW, p, T0 + 100, &s, NULL, &err) == LT_EPERM);
    CHECK_STR(err.message, first.message);
    /* the lock runs from the failure that set it */
    int64_t locked_at = T0 + p->max_failures;
    CHECK(lt_auth_login(st, "iris", PW, p, locked_at + p->lock_seconds - 1, &s, NULL, &err) ==
          LT_EPERM);
    CHECK(lt_auth_login(st, "iris", PW, p, locked_at + p->lock_seconds + 1, &s, NULL, &err) ==
          LT_OK);
    /* after a success the count starts again from zero */
    CHECK(lt_auth_login(st, "iris", "wrong-password-1", p, T0 + 5000, &s, &failures, &err) ==
          LT_EPERM);
    CHECK_INT(failures, 1);
    lt_store_close(st);
}

static void test_tokens(lt_trial *admin, lt_trial *cole, lt_auth_policy *p)
{
    (void)p;
    char token[LT_AUTH_TOKEN_MAX], id[LT_AUTH_TOKEN_ID_HEX], user[LT_AUTH_USER_MAX];
    lt_error err;
    CHECK(lt_auth_token_create(cole, "cole", 1, T0, token, id, &err) == LT_OK);
    CHECK(strncmp(token, "ltk_", 4) == 0 && strstr(token, id) == token + 4);
    lt_store *st = open_store();
    CHECK(lt_auth_token_check(st, token, T0 + 86399, user, &err) == LT_OK);
    CHECK_STR(user, "cole");
    CHECK(lt_auth_token_check(st, token, T0 + 86400, user, &err) == LT_EPERM);
    /* one changed character of the secret */
    char forged[LT_AUTH_TOKEN_MAX];
    snprintf(forged, sizeof forged, "%s", token);
    forged[30] = forged[30] == 'a' ? 'b' : 'a';
    CHECK(lt_auth_token_check(st, forged, T0, user, &err) == LT_EPERM);
    /* a coordinator makes no token for someone else; an admin may */
    CHECK(lt_auth_token_create(cole, "iris", 0, T0, token, id, &err) == LT_EPERM);
    CHECK(lt_auth_token_create(admin, "iris", 0, T0, token, id, &err) == LT_OK);
    CHECK(lt_auth_token_check(st, token, T0 + 10 * 86400, user, &err) == LT_OK);
    CHECK_STR(user, "iris");
    /* revoked: refused; revoking twice is a conflict; cole cannot see iris's token */
    CHECK(lt_auth_token_revoke(cole, id, &err) == LT_ENOTFOUND);
    CHECK(lt_auth_token_revoke(admin, id, &err) == LT_OK);
    CHECK(lt_auth_token_check(st, token, T0, user, &err) == LT_EPERM);
    CHECK(lt_auth_token_revoke(admin, id, &err) == LT_ECONFLICT);
    CHECK(lt_auth_token_create(cole, "cole", -1, T0, token, id, &err) == LT_EINVAL);
    lt_store_close(st);
}

static void test_password_change_ends_sessions(lt_trial *cole, lt_auth_policy *p)
{
    lt_store *st = open_store();
    lt_auth_session s;
    lt_error err;
    char user[LT_AUTH_USER_MAX];
    CHECK(lt_auth_login(st, "cole", PW, p, T0, &s, NULL, &err) == LT_OK);
    lt_store_close(st);
    CHECK(lt_auth_password_set(cole, "cole", "another-good-phrase", &err) == LT_OK);
    CHECK(lt_auth_password_set(cole, "iris", "another-good-phrase", &err) == LT_EPERM);
    st = open_store();
    CHECK(lt_auth_session_check(st, s.id, false, NULL, p, T0 + 1, user, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "cole", PW, p, T0 + 2, &s, NULL, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "cole", "another-good-phrase", p, T0 + 3, &s, NULL, &err) == LT_OK);
    lt_store_close(st);
}

/* The second factor: codes computed by liboath from the enrolled secret at instants the test
 * chooses, as rows (when the code is made, when it is given, whether sign-in succeeds), in
 * order: each row's success uses its step, so the replay rows follow the rows they replay. */
static void test_totp(lt_trial *admin, lt_trial *cole, const lt_auth_policy *p0)
{
    lt_auth_policy p = *p0;
    p.max_failures = 1000; /* the refusals here are the subject, not the lockout */
    const char *pw = "another-good-phrase";
    char b32[LT_AUTH_TOTP_B32_MAX], uri[LT_AUTH_TOTP_URI_MAX];
    lt_error err;
    CHECK(lt_auth_totp_enrol(cole, "iris", T0, b32, uri, &err) == LT_EPERM);
    CHECK(lt_auth_totp_enrol(admin, "ghost", T0, b32, uri, &err) == LT_ENOTFOUND);
    CHECK(lt_auth_totp_enrol(cole, "cole", T0, b32, uri, &err) == LT_OK);
    CHECK(strlen(b32) == 32);
    CHECK(strncmp(uri, "otpauth://totp/Lutetia:cole?secret=", 35) == 0 && strstr(uri, b32));
    char *key = NULL;
    size_t klen = 0;
    CHECK(oath_init() == OATH_OK);
    CHECK(oath_base32_decode(b32, strlen(b32), &key, &klen) == OATH_OK && klen == 20);
    static const struct {
        int64_t made, given; /* seconds after T0 */
        const char *password;
        bool ok;
        const char *why;
    } rows[] = {
        {0, 0, NULL, true, "the current code"},
        {0, 1, NULL, false, "the same code again (replay)"},
        {30, 30, NULL, true, "the next step's code"},
        {60, 89, "wrong-password-123", false, "the right code with a wrong password"},
        {60, 89, NULL, true, "the same code with the password: the failure did not use it"},
        {90, 125, NULL, true, "a code one step old (a slow phone)"},
        {300, 130, NULL, false, "a code from 3 steps ahead"},
        {100, 400, NULL, false, "a code from 10 steps ago"},
    };
    lt_store *st = open_store();
    lt_auth_session s;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char code[10];
        CHECK(oath_totp_generate(key, klen, (time_t)(T0 + rows[i].made), 30, 0, 6, code) == OATH_OK);
        lt_status rc = lt_auth_login_totp(st, "cole", rows[i].password ? rows[i].password : pw,
                                          code, &p, T0 + rows[i].given, &s, NULL, &err);
        CHECK_MSG((rc == LT_OK) == rows[i].ok, "row %zu (%s): %s", i, rows[i].why, err.message);
    }
    /* no code, a code that is not 6 digits, and the plain lt_auth_login: refused alike */
    CHECK(lt_auth_login_totp(st, "cole", pw, NULL, &p, T0 + 600, &s, NULL, &err) == LT_EPERM);
    CHECK(strstr(err.message, "one-time code") != NULL);
    CHECK(lt_auth_login_totp(st, "cole", pw, "12345x", &p, T0 + 600, &s, NULL, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "cole", pw, &p, T0 + 600, &s, NULL, &err) == LT_EPERM);
    /* a user not enrolled signs in without a code, and a code given is ignored */
    CHECK(lt_auth_login_totp(st, "iris", PW, "000000", &p, T0 + 20000, &s, NULL, &err) == LT_OK);
    /* enrolling again replaces the secret: the old one's code no longer works */
    char old[10];
    CHECK(oath_totp_generate(key, klen, (time_t)(T0 + 900), 30, 0, 6, old) == OATH_OK);
    CHECK(lt_auth_totp_enrol(cole, "cole", T0 + 890, b32, uri, &err) == LT_OK);
    char *key2 = NULL;
    size_t k2 = 0;
    CHECK(oath_base32_decode(b32, strlen(b32), &key2, &k2) == OATH_OK);
    char fresh[10];
    CHECK(oath_totp_generate(key2, k2, (time_t)(T0 + 900), 30, 0, 6, fresh) == OATH_OK);
    if (strcmp(old, fresh) != 0)
        CHECK(lt_auth_login_totp(st, "cole", pw, old, &p, T0 + 900, &s, NULL, &err) == LT_EPERM);
    CHECK(lt_auth_login_totp(st, "cole", pw, fresh, &p, T0 + 900, &s, NULL, &err) == LT_OK);
    lt_store_close(st);
    free(key);
    free(key2);
}

/* The signed-in user's own account (src/auth/account.c), in order: a change of password keeps
 * the session it came in and ends the others; refusals name the field and only a wrong
 * password counts; the second factor is enrolled with the password, replaced and removed only
 * with the current code, after which the password alone signs in. */
static void test_account(lt_trial *admin, lt_auth_policy *p)
{
    const char *s1[] = {"S1"}, *pw2 = "dora-second-phrase-9";
    lt_error err;
    CHECK(lt_trial_user_add(admin, "dora", LT_ROLE_MONITOR, s1, 1, &err) == LT_OK);
    CHECK(lt_auth_password_set(admin, "dora", PW, &err) == LT_OK);
    lt_trial *dora = NULL;
    CHECK(lt_trial_open(db, "dora", &dora, &err) == LT_OK);
    int64_t t = T0 + 30000;
    lt_store *st = open_store();
    lt_auth_session here, there;
    char user[LT_AUTH_USER_MAX];
    CHECK(lt_auth_login(st, "dora", PW, p, t, &here, NULL, &err) == LT_OK);
    CHECK(lt_auth_login(st, "dora", PW, p, t, &there, NULL, &err) == LT_OK);
    lt_trial_set_session(dora, here.id);
    int ended = -1, failures = 0;
    /* refusals: (current, new, where, status, whether it counts as a failed sign-in) */
    static const struct {
        const char *current, *next, *where;
        lt_status rc;
        bool counted;
    } rows[] = {
        {PW, "short", "new", LT_EINVAL, false},
        {PW, "qazwsxedcrfv", "new", LT_EINVAL, false},
        {PW, PW, "new", LT_EINVAL, false},
        {"", "dora-second-phrase-9", "current", LT_EINVAL, false},
        {"not-the-password-1", "dora-second-phrase-9", "current", LT_EPERM, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_record *r = NULL;
        int64_t before = lt_store_get(st, "login", "dora", &r, NULL) == LT_OK ? r->rev : 0;
        lt_record_free(r);
        lt_error_clear(&err);
        CHECK_MSG(lt_auth_password_change(dora, rows[i].current, rows[i].next, t, &ended, &err) ==
                      rows[i].rc && !strcmp(err.where, rows[i].where),
                  "row %zu: %s: %s", i, err.where, err.message);
        int64_t after = lt_store_get(st, "login", "dora", &r, NULL) == LT_OK ? r->rev : 0;
        lt_record_free(r);
        CHECK_MSG((after != before) == rows[i].counted, "row %zu counted: %lld -> %lld", i,
                  (long long)before, (long long)after);
    }
    CHECK(lt_auth_password_change(dora, PW, pw2, t + 1, &ended, &err) == LT_OK && ended == 1);
    CHECK(lt_auth_session_check(st, here.id, false, NULL, p, t + 2, user, &err) == LT_OK);
    CHECK(lt_auth_session_check(st, there.id, false, NULL, p, t + 2, user, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "dora", PW, p, t + 3, &there, &failures, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "dora", pw2, p, t + 4, &there, NULL, &err) == LT_OK);
    /* the second factor */
    char b32[LT_AUTH_TOTP_B32_MAX], uri[LT_AUTH_TOTP_URI_MAX], code[10];
    char *key = NULL;
    size_t klen = 0;
    CHECK(lt_auth_totp_remove(dora, pw2, "123456", t + 10, &err) == LT_ENOTFOUND);
    CHECK(lt_auth_totp_setup(dora, PW, NULL, t + 10, b32, uri, &err) == LT_EPERM &&
          !strcmp(err.where, "password"));
    CHECK(lt_auth_totp_setup(dora, pw2, NULL, t + 10, b32, uri, &err) == LT_OK);
    CHECK(oath_base32_decode(b32, strlen(b32), &key, &klen) == OATH_OK && klen == 20);
    CHECK(lt_auth_login(st, "dora", pw2, p, t + 40, &there, NULL, &err) == LT_EPERM);
    /* replacing: not without the current code */
    CHECK(lt_auth_totp_setup(dora, pw2, NULL, t + 70, b32, uri, &err) == LT_EPERM &&
          !strcmp(err.where, "code"));
    CHECK(oath_totp_generate(key, klen, (time_t)(t + 70), 30, 0, 6, code) == OATH_OK);
    CHECK(lt_auth_totp_setup(dora, pw2, code, t + 70, b32, uri, &err) == LT_OK);
    free(key);
    key = NULL;
    CHECK(oath_base32_decode(b32, strlen(b32), &key, &klen) == OATH_OK && klen == 20);
    /* removing: the password and the current code, the code once only */
    CHECK(oath_totp_generate(key, klen, (time_t)(t + 130), 30, 0, 6, code) == OATH_OK);
    CHECK(lt_auth_totp_remove(dora, PW, code, t + 130, &err) == LT_EPERM &&
          !strcmp(err.where, "password"));
    CHECK(lt_auth_login_totp(st, "dora", pw2, code, p, t + 130, &there, NULL, &err) == LT_OK);
    CHECK(lt_auth_totp_remove(dora, pw2, code, t + 131, &err) == LT_EPERM &&
          !strcmp(err.where, "code"));
    CHECK(oath_totp_generate(key, klen, (time_t)(t + 160), 30, 0, 6, code) == OATH_OK);
    CHECK(lt_auth_totp_remove(dora, pw2, code, t + 160, &err) == LT_OK);
    CHECK(lt_auth_login(st, "dora", pw2, p, t + 200, &there, NULL, &err) == LT_OK);
    CHECK(lt_auth_totp_remove(dora, pw2, code, t + 200, &err) == LT_ENOTFOUND);
    /* enrolling again after a removal needs no code: there is none to give */
    CHECK(lt_auth_totp_setup(dora, pw2, NULL, t + 230, b32, uri, &err) == LT_OK);
    free(key);
    lt_store_close(st);
    lt_trial_close(dora);
}

int main(void)
{
    test_password_rules();
    if (!mkdtemp(dir)) return 1;
    snprintf(db, sizeof db, "%s/trial.db", dir);
    char proto[512];
    snprintf(proto, sizeof proto, "%s/protocols/nelmas.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_error err;
    lt_trial_init init = {.protocol = proto, .admin = "ana"};
    lt_trial *admin = NULL, *cole = NULL;
    CHECK_MSG(lt_trial_create_with(db, &init, &err) == LT_OK, "%s", err.message);
    CHECK(lt_trial_open(db, "ana", &admin, &err) == LT_OK);
    const char *s1[] = {"S1"};
    CHECK(lt_trial_site_add(admin, "S1", "Site one", &err) == LT_OK);
    CHECK(lt_trial_user_add(admin, "cole", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add(admin, "iris", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add(admin, "nopass", LT_ROLE_MONITOR, s1, 1, &err) == LT_OK);
    CHECK(lt_auth_password_set(admin, "cole", PW, &err) == LT_OK);
    CHECK(lt_auth_password_set(admin, "iris", PW, &err) == LT_OK);
    CHECK(lt_auth_password_set(admin, "ghost", PW, &err) == LT_ENOTFOUND);
    CHECK(lt_trial_open(db, "cole", &cole, &err) == LT_OK);
    lt_auth_policy p;
    lt_auth_policy_default(&p);
    test_sessions(&p);
    test_lockout(&p);
    test_tokens(admin, cole, &p);
    test_password_change_ends_sessions(cole, &p);
    test_totp(admin, cole, &p);
    test_account(admin, &p);
    /* a deactivated user cannot sign in (and cannot open the trial, which the server does
     * for every request made with its token) */
    lt_store *st = open_store();
    lt_auth_session s, live;
    char who[LT_AUTH_USER_MAX];
    CHECK(lt_auth_login(st, "iris", PW, &p, T0 + 8990, &live, NULL, &err) == LT_OK);
    CHECK(lt_auth_session_check(st, live.id, false, NULL, &p, T0 + 8995, who, &err) == LT_OK);
    CHECK(lt_trial_user_set_active(admin, "iris", false, "left the site", &err) == LT_OK);
    /* a session opened before the deactivation ends with it */
    CHECK(lt_auth_session_check(st, live.id, false, NULL, &p, T0 + 8996, who, &err) == LT_EPERM);
    CHECK(strstr(err.message, "deactivated") != NULL);
    CHECK(lt_trial_user_set_active(admin, "iris", false, NULL, &err) == LT_ECONFLICT);
    CHECK(lt_trial_user_set_active(cole, "iris", true, NULL, &err) == LT_EPERM);
    CHECK(lt_auth_login(st, "iris", PW, &p, T0 + 9000, &s, NULL, &err) == LT_EPERM);
    lt_trial *iris = NULL;
    CHECK(lt_trial_open(db, "iris", &iris, &err) == LT_EPERM);
    lt_store_close(st);
    /* every change above left the audit chain whole */
    st = open_store();
    int64_t n = 0;
    CHECK(lt_store_audit_verify(st, &n, NULL, &err) == LT_OK);
    CHECK(n > 20);
    lt_store_close(st);
    lt_trial_close(cole);
    lt_trial_close(admin);
    lt_store_remove_files(db);
    char key[300];
    snprintf(key, sizeof key, "%s.key", db);
    unlink(key);
    rmdir(dir);
    return lt_test_done();
}
