/* Changing a user's role and sites (lt_trial_user_set_access, src/trial/user_access.c) as a
 * seeded property check over many random sequences of changes: after every change, accepted or
 * refused, the user opened afresh has exactly the role and sites of a model kept beside it;
 * an accepted change adds one audit record and a refused one none (nothing half done); the
 * rest of the user record (OS accounts, full name, active) is kept; the chain verifies. Then
 * the fixed refusals: not an admin, an admin demoting itself, an unknown user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"

static const char *const site_codes[] = {"S1", "S2", "S3"};

/* xorshift64: a fixed sequence per seed, whatever the platform's rand() */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct model {
    lt_role role;
    const char *sites[4];
    size_t n;
} model;

static int64_t audit_count(lt_trial *t)
{
    int64_t n = -1;
    char head[LT_STORE_HASH_HEX];
    lt_error err;
    if (lt_store_audit_verify(lt_trial_store(t), &n, head, &err) != LT_OK) return -1;
    return n;
}

/* {"user","role","sites"} of name opened afresh, as every door opens it */
static void whoami(const char *db, const char *name, lt_buf *out)
{
    lt_trial *u = NULL;
    lt_error err;
    if (lt_trial_open(db, name, &u, &err) == LT_OK) lt_trial_whoami(u, out);
    else lt_buf_printf(out, "open: %s", err.message);
    lt_trial_close(u);
}

static void model_json(const model *m, const char *name, lt_buf *out)
{
    lt_buf_printf(out, "{\"user\":\"%s\",\"role\":\"%s\",\"sites\":[", name, lt_role_name(m->role));
    for (size_t i = 0; i < m->n; i++) lt_buf_printf(out, "%s\"%s\"", i ? "," : "", m->sites[i]);
    lt_buf_puts(out, "]}");
}

/* m: the user's rights before the sequence (each sequence goes on from the last) */
static void test_random_changes(const char *db, lt_trial *admin, uint64_t seed, model *mp)
{
    model m = *mp;
    int accepted = 0, refused = 0;
    for (int step = 0; step < 150; step++) {
        /* what to change: the role, the sites, or both; sites valid or not */
        uint64_t r = next(&seed);
        int what = (int)(r % 3);
        lt_role role = (lt_role)((r >> 8) % LT_ROLE_COUNT);
        const char *sites[5];
        size_t n = 0;
        lt_status want = LT_OK;
        int kind = (int)((r >> 16) % 10);
        if (what != 0) {
            if (kind == 0) {
                sites[n++] = "*";
            } else if (kind == 1) { /* a site that does not exist */
                sites[n++] = "S1";
                sites[n++] = "S9";
                want = LT_ENOTFOUND;
            } else if (kind == 2) { /* every site stands alone */
                sites[n++] = "*";
                sites[n++] = "S2";
                want = LT_EINVAL;
            } else if (kind == 3) { /* a site twice */
                sites[n++] = "S3";
                sites[n++] = "S3";
                want = LT_EINVAL;
            } else { /* a non-empty subset of S1..S3, in a random order */
                unsigned mask = (unsigned)((r >> 24) % 7) + 1;
                for (size_t k = 0; k < 3; k++) {
                    size_t i = (k + (size_t)(r >> 40)) % 3;
                    if (mask & (1u << i)) sites[n++] = site_codes[i];
                }
            }
        }
        bool change_role = what != 1, change_sites = what != 0;
        if (want == LT_OK) {
            bool same_sites = !change_sites || n == m.n;
            for (size_t i = 0; same_sites && change_sites && i < n; i++)
                same_sites = !strcmp(sites[i], m.sites[i]);
            if ((!change_role || role == m.role) && same_sites) want = LT_ECONFLICT;
        }
        int64_t before = audit_count(admin);
        lt_error err;
        lt_error_clear(&err);
        lt_status rc = lt_trial_user_set_access(admin, "u", change_role ? &role : NULL,
                                                change_sites ? sites : NULL, n, "test", &err);
        CHECK_MSG(rc == want, "seed step %d: status %s, expected %s (%s: %s)", step,
                  lt_strerror(rc), lt_strerror(want), err.where, err.message);
        if (rc == LT_OK) {
            accepted++;
            if (change_role) m.role = role;
            if (change_sites) {
                m.n = n;
                for (size_t i = 0; i < n; i++) m.sites[i] = sites[i];
            }
        } else {
            refused++;
        }
        CHECK_MSG(audit_count(admin) == before + (rc == LT_OK), "step %d: audit records %lld -> %lld",
                  step, (long long)before, (long long)audit_count(admin));
        lt_buf got = LT_BUF_INIT, exp = LT_BUF_INIT;
        whoami(db, "u", &got);
        model_json(&m, "u", &exp);
        CHECK_MSG(!strcmp(lt_buf_str(&got), lt_buf_str(&exp)), "step %d: %s, expected %s", step,
                  lt_buf_str(&got), lt_buf_str(&exp));
        lt_buf_free(&got);
        lt_buf_free(&exp);
    }
    *mp = m;
    /* the sequence exercised both sides */
    CHECK_MSG(accepted > 30 && refused > 30, "accepted %d, refused %d", accepted, refused);
    /* the rest of the record is kept */
    lt_buf u = LT_BUF_INIT;
    lt_error err;
    CHECK(lt_trial_user_json(admin, "u", &u, &err) == LT_OK);
    CHECK_MSG(strstr(lt_buf_str(&u), "\"os_users\":[\"someone\"],\"active\":true") != NULL, "%s",
              lt_buf_str(&u));
    lt_buf_free(&u);
}

static void test_refusals(const char *db, lt_trial *admin)
{
    lt_error err;
    lt_role monitor = LT_ROLE_MONITOR;
    const char *s1[] = {"S1"};
    lt_trial *other = NULL;
    CHECK(lt_trial_user_add(admin, "c", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_open(db, "c", &other, &err) == LT_OK);
    int64_t before = audit_count(admin);
    CHECK(lt_trial_user_set_access(other, "c", &monitor, NULL, 0, NULL, &err) == LT_EPERM);
    CHECK(lt_trial_user_set_access(admin, "admin", &monitor, NULL, 0, NULL, &err) == LT_EINVAL);
    CHECK_STR(err.where, "role");
    CHECK(lt_trial_user_set_access(admin, "nobody", &monitor, NULL, 0, NULL, &err) == LT_ENOTFOUND);
    CHECK_STR(err.where, "name");
    CHECK(lt_trial_user_set_access(admin, "c", NULL, NULL, 0, NULL, &err) == LT_EINVAL);
    CHECK(lt_trial_user_set_access(admin, "c", NULL, s1, 0, NULL, &err) == LT_EINVAL);
    CHECK_STR(err.where, "sites");
    CHECK(audit_count(admin) == before);
    /* an admin may still give itself other sites, and another admin its role */
    const char *all[] = {"*"};
    CHECK(lt_trial_user_set_access(admin, "admin", NULL, all, 1, NULL, &err) == LT_ECONFLICT);
    lt_trial_close(other);
}

int main(void)
{
    const char *src = getenv("SRC");
    char dir[] = "/tmp/lt_access_XXXXXX", db[64], protocol[512];
    if (!src || !mkdtemp(dir)) {
        CHECK_MSG(false, "SRC not set or no temporary folder");
        return lt_test_done();
    }
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    lt_error err;
    lt_error_clear(&err);
    lt_trial *admin = NULL;
    const char *s1[] = {"S1"}, *os[] = {"someone"};
    bool ok = lt_trial_create(db, protocol, NULL, "admin", &err) == LT_OK &&
              lt_trial_open(db, "admin", &admin, &err) == LT_OK;
    for (size_t i = 0; ok && i < 3; i++) ok = lt_trial_site_add(admin, site_codes[i], "a site", &err) == LT_OK;
    ok = ok && lt_trial_user_add_bound(admin, "u", LT_ROLE_COORDINATOR, s1, 1, os, 1, &err) == LT_OK;
    CHECK_MSG(ok, "setup: %s: %s", err.where, err.message);
    if (ok) {
        /* three sequences, each from its own fixed seed */
        const uint64_t seeds[] = {0x9e3779b97f4a7c15u, 42u, 0xdeadbeefu};
        model m = {LT_ROLE_COORDINATOR, {"S1"}, 1};
        for (size_t i = 0; i < 3; i++) test_random_changes(db, admin, seeds[i], &m);
        test_refusals(db, admin);
    }
    lt_trial_close(admin);
    char path[128];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return lt_test_done();
}
