/* Tests of the store: records and revisions, one audit record per change in the same
 * transaction, rollback leaving nothing, the hash chain checked against sha256sum, tampering
 * found by verification (rows edited, deleted, inserted with the sqlite3 tool behind the
 * engine's back), and schema migrations (upgrade keeps data, a newer file is refused untouched).
 * One conformance suite for both stores: with LUTETIA_TEST_DB set to a PostgreSQL maintenance
 * database (tests/store/pg-run.sh starts a throwaway cluster and sets it), every test that is
 * not about files runs against PostgreSQL instead, each on a database of its own, with the
 * tamperer's statements given to psql; the PostgreSQL-only tests (roles, a lost connection)
 * run there too. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/store.h"
#include "store_impl.h"

static char dir[] = "/tmp/lt_store_XXXXXX";

static void path(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

/* LUTETIA_TEST_DB: the URL of a PostgreSQL maintenance database, through which each test
 * creates its own database; NULL: the tests run on SQLite files in dir. */
static const char *pg_base;

/* The URL of database `name` on pg_base's server: the base with its database name replaced. */
static void pg_url(char *out, size_t n, const char *name)
{
    const char *scheme = strstr(pg_base, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (!slash) {
        snprintf(out, n, "%s", pg_base);
        return;
    }
    const char *query = strchr(slash, '?');
    snprintf(out, n, "%.*s/%s%s", (int)(slash - pg_base), pg_base, name, query ? query : "");
}

/* Runs a statement in the database at location: the sqlite3 tool on a file, psql on a
 * PostgreSQL database. The tamperer's statements are written in SQLite's dialect; for
 * PostgreSQL, dropping a guarding trigger becomes what the owner role can do there: disabling
 * the table's triggers. */
static int sql(const char *db, const char *statement)
{
    char cmd[8192];
    if (!lt__store_is_pg(db)) {
        snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\" >/dev/null 2>&1", db, statement);
        return system(cmd);
    }
    static const char *const drops[][2] = {
        {"DROP TRIGGER audit_no_update;", "ALTER TABLE audit DISABLE TRIGGER USER;"},
        /* ALL: the foreign key from record.audit_seq guards a deletion too (superuser) */
        {"DROP TRIGGER audit_no_delete;", "ALTER TABLE audit DISABLE TRIGGER ALL;"},
        {"DROP TRIGGER record_no_delete;", "ALTER TABLE record DISABLE TRIGGER USER;"},
        {"DROP TRIGGER checkpoint_no_update;", "ALTER TABLE checkpoint DISABLE TRIGGER USER;"},
        {"DROP TRIGGER checkpoint_no_delete;", "ALTER TABLE checkpoint DISABLE TRIGGER USER;"},
    };
    char stmt[6000];
    snprintf(stmt, sizeof stmt, "%s", statement);
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        char *at = strstr(stmt, drops[i][0]);
        if (!at) continue;
        size_t a = strlen(drops[i][0]), b = strlen(drops[i][1]);
        if (strlen(stmt) + b - a >= sizeof stmt) return -1;
        memmove(at + b, at + a, strlen(at + a) + 1);
        memcpy(at, drops[i][1], b);
    }
    snprintf(cmd, sizeof cmd, "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"%s\" >/dev/null 2>&1",
             db, stmt);
    return system(cmd);
}

/* A new, empty database for test `name`: a path in dir for SQLite (the file does not exist
 * yet), or a PostgreSQL database made (anew) for it. */
static void dbloc(char *out, size_t n, const char *name)
{
    if (!pg_base) {
        path(out, n, name);
        return;
    }
    char db[64], cmd[1024];
    size_t k = 0;
    k += (size_t)snprintf(db, sizeof db, "lt_");
    for (const char *c = name; *c && k + 1 < sizeof db; c++)
        db[k++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '_');
    db[k] = '\0';
    snprintf(cmd, sizeof cmd,
             "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c 'DROP DATABASE IF EXISTS %s' "
             "-c 'CREATE DATABASE %s' >/dev/null 2>&1",
             pg_base, db, db);
    CHECK_MSG(system(cmd) == 0, "cannot create the PostgreSQL database %s", db);
    pg_url(out, n, db);
}

/* The first line psql (or sqlite3) prints for a query, in line. */
static void query(const char *db, const char *q, char *line, size_t n)
{
    char cmd[2048];
    if (pg_base)
        snprintf(cmd, sizeof cmd, "psql -X -At -d '%s' -c \"%s\" 2>&1", db, q);
    else
        snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\" 2>&1", db, q);
    line[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p) return;
    if (!fgets(line, (int)n, p)) line[0] = '\0';
    pclose(p);
}

static lt_actor who = {"alice", "coordinator"};

static lt_status put(lt_store *st, const char *kind, const char *id, const char *site,
                     const char *data, int64_t expect, const char *reason)
{
    lt_error err;
    lt_record r = {.kind = kind, .id = id, .site = site, .patient = !strcmp(kind, "patient") ? id : NULL,
                   .key = site, .data = data};
    lt_status rc = lt_store_begin(st, &err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, expect, &who, "test.put", reason, NULL, &err);
    if (rc == LT_OK) rc = lt_store_commit(st, &err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

static int count_audit(const lt_audit_record *a, void *ctx)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

static int audit_rows(lt_store *st, const lt_audit_filter *f)
{
    int n = 0;
    lt_store_audit_each(st, f, count_audit, &n, NULL);
    return n;
}

/* One more write, from a fresh handle. */
static lt_status put_at(const char *db, const char *kind, const char *id, const char *data)
{
    lt_store *st = NULL;
    lt_error err;
    lt_status rc = lt_store_open(db, LT_STORE_OPEN, &st, &err);
    if (rc == LT_OK) rc = put(st, kind, id, "S1", data, 0, "");
    lt_store_close(st);
    return rc;
}

static lt_status verify(const char *db, lt_error *err)
{
    lt_store *st = NULL;
    lt_status rc = lt_store_open(db, LT_STORE_OPEN, &st, err);
    if (rc == LT_OK) rc = lt_store_audit_verify(st, NULL, NULL, err);
    lt_store_close(st);
    return rc;
}

/* A small trial-like database: two sites, three patients, one corrected. */
static void fill(const char *db)
{
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(put(st, "site", "S1", "S1", "{\"code\":\"S1\"}", 0, "") == LT_OK);
    CHECK(put(st, "site", "S2", "S2", "{\"code\":\"S2\"}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P2", "S2", "{\"state\":\"screened\"}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P3", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"state\":\"consented\"}", 1, "typo") == LT_OK);
    lt_store_close(st);
}

static void test_records(void)
{
    char db[512];
    dbloc(db, sizeof db, "records.db");
    lt_store *st = NULL;
    lt_error err;
    lt_record *r = NULL;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_ENOTFOUND);
    CHECK(strstr(err.message, "trial init") != NULL);
    CHECK_MSG(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK, "%s: %s", err.where,
              err.message);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), lt_store_schema_latest());
    CHECK(put(st, "site", "S1", "S1", "{\"a\":1}", 0, "") == LT_OK);
    /* creating twice is a conflict, and leaves no second audit record */
    CHECK(put(st, "site", "S1", "S1", "{\"a\":2}", 0, "") == LT_ECONFLICT);
    CHECK_INT(audit_rows(st, NULL), 1);
    /* an update must name the revision it read */
    CHECK(put(st, "site", "S1", "S1", "{\"a\":3}", 7, "") == LT_ECONFLICT);
    CHECK(put(st, "site", "S1", "S1", "{\"a\":3}", 1, "fix") == LT_OK);
    CHECK(lt_store_get(st, "site", "S1", &r, &err) == LT_OK);
    if (r) {
        CHECK_STR(r->data, "{\"a\":3}");
        CHECK_INT(r->rev, 2);
        CHECK_STR(r->site, "S1");
    }
    lt_record_free(r);
    CHECK(lt_store_get(st, "site", "S9", &r, &err) == LT_ENOTFOUND);
    CHECK(strstr(err.message, "S9") != NULL);
    /* a put outside a transaction is refused */
    lt_record rec = {.kind = "site", .id = "S2", .data = "{}"};
    CHECK(lt_store_put(st, &rec, 0, &who, "x", "", NULL, &err) == LT_EINVAL);
    /* rollback leaves neither the record nor its audit record */
    CHECK(lt_store_begin(st, &err) == LT_OK);
    CHECK(lt_store_put(st, &rec, 0, &who, "x", "", NULL, &err) == LT_OK);
    lt_store_rollback(st);
    CHECK(lt_store_get(st, "site", "S2", &r, &err) == LT_ENOTFOUND);
    CHECK_INT(audit_rows(st, NULL), 2);
    /* keys, counts, filters */
    CHECK(put(st, "alloc", "1", "S1", "{}", 0, "") == LT_OK);
    CHECK(put(st, "alloc", "2", "S2", "{}", 0, "") == LT_OK);
    CHECK(put(st, "alloc", "3", "S1", "{\"n\":3}", 0, "") == LT_OK);
    int64_t n = -1;
    CHECK(lt_store_count(st, "alloc", NULL, &n, &err) == LT_OK && n == 3);
    CHECK(lt_store_count(st, "alloc", "S1", &n, &err) == LT_OK && n == 2);
    CHECK(lt_store_last_by_key(st, "alloc", "S1", &r, &err) == LT_OK);
    if (r) CHECK_STR(r->id, "3");
    lt_record_free(r);
    CHECK(lt_store_last_by_key(st, "alloc", "S7", &r, &err) == LT_ENOTFOUND);
    /* the seed: set once inside a transaction, never twice */
    unsigned char seed[32], back[32];
    for (int i = 0; i < 32; i++) seed[i] = (unsigned char)(i * 7 + 1);
    CHECK(lt_store_seed_get(st, back, &err) == LT_ECORRUPT);
    CHECK(lt_store_seed_set(st, seed, &err) == LT_EINVAL);
    CHECK(lt_store_begin(st, &err) == LT_OK);
    CHECK(lt_store_seed_set(st, seed, &err) == LT_OK);
    CHECK(lt_store_commit(st, &err) == LT_OK);
    CHECK(lt_store_seed_get(st, back, &err) == LT_OK && !memcmp(seed, back, 32));
    CHECK(lt_store_begin(st, &err) == LT_OK);
    CHECK(lt_store_seed_set(st, seed, &err) != LT_OK);
    lt_store_rollback(st);
    int64_t nrec = 0;
    char head[LT_STORE_HASH_HEX];
    CHECK(lt_store_audit_verify(st, &nrec, head, &err) == LT_OK);
    CHECK_INT(nrec, 5);
    lt_store_close(st);
    /* creating over an existing trial is refused */
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_ECONFLICT);
    /* a PostgreSQL server that cannot be reached is named as such */
    CHECK(lt_store_open("postgresql:///nodb?host=/nonexistent-lutetia-socket", LT_STORE_OPEN,
                        &st, &err) == LT_ESTORE);
    CHECK_MSG(strstr(err.message, "cannot connect") != NULL, "%s", err.message);
    CHECK_MSG(strstr(err.where, "nonexistent-lutetia-socket") != NULL, "%s", err.where);
}

typedef struct first_ctx {
    lt_audit_record a;
    char buf[8][512];
    int n;
} first_ctx;

static int grab_first(const lt_audit_record *a, void *ctx)
{
    first_ctx *c = ctx;
    if (c->n++) return 1;
    c->a = *a;
    const char *src[8] = {a->at, a->old_value, a->new_value, a->prev_hash, a->hash, a->user,
                          a->action, a->entity_id};
    for (int i = 0; i < 8; i++) snprintf(c->buf[i], sizeof c->buf[i], "%s", src[i]);
    return 0;
}

/* The hash is SHA-256 of the canonical JSON array: checked against coreutils' sha256sum. */
static void test_hash_reference(void)
{
    char db[512], cmd[2048];
    dbloc(db, sizeof db, "hash.db");
    fill(db);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    first_ctx c = {.n = 0};
    lt_store_audit_each(st, NULL, grab_first, &c, &err);
    lt_store_close(st);
    CHECK_INT(c.n, 2);
    CHECK_STR(c.buf[3], "0000000000000000000000000000000000000000000000000000000000000000");
    /* record 1: site S1 created by alice, coordinator */
    snprintf(cmd, sizeof cmd,
             "printf '%%s' '[1,\"%s\",\"alice\",\"coordinator\",\"S1\",\"test.put\",\"site\","
             "\"S1\",\"\",\"null\",\"{\\\"code\\\":\\\"S1\\\"}\",\"\",\"%s\",\"S1\"]' | sha256sum",
             c.buf[0], c.buf[3]);
    FILE *p = popen(cmd, "r");
    char line[128] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = '\0';
        pclose(p);
    }
    line[64] = '\0';
    CHECK_STR(line, c.buf[4]);
}

static void test_filters(void)
{
    char db[512];
    dbloc(db, sizeof db, "filters.db");
    fill(db);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    lt_audit_filter f = {.patient = "P1"};
    CHECK_INT(audit_rows(st, &f), 2);
    const char *s2[] = {"S2"};
    lt_audit_filter g = {.sites = s2, .nsites = 1};
    CHECK_INT(audit_rows(st, &g), 2); /* site S2 and patient P2 */
    lt_audit_filter h = {.since = "2999-01-01T00:00:00Z"};
    CHECK_INT(audit_rows(st, &h), 0);
    lt_store_close(st);
}

/* lt_store_first_of_patient: the lowest id (byte order) of a patient's records of a kind and
 * key, whatever order they were written in; lt_store_stamp: count and last audit record of a
 * kind's records, or of one. */
static lt_status put_rec(lt_store *st, const char *kind, const char *id, const char *patient,
                         const char *key, const char *data, int64_t expect, const char *reason)
{
    lt_error err;
    lt_record r = {.kind = kind, .id = id, .site = "S1", .patient = patient, .key = key,
                   .data = data};
    lt_status rc = lt_store_begin(st, &err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, expect, &who, "test.put", reason, NULL, &err);
    if (rc == LT_OK) rc = lt_store_commit(st, &err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

static void test_first_and_revs(void)
{
    char db[512];
    dbloc(db, sizeof db, "first.db");
    lt_store *st = NULL;
    lt_error err;
    CHECK_MSG(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK, "%s", err.message);
    if (!st) return;
    /* written out of date order, two analytes, two patients; "P1/2024-..." and "P10/..." */
    const char *ids[] = {"P1/2024-03-01/hb", "P1/2023-12-31/hb", "P1/2023-01-05/plt",
                         "P1/2024-01-15/hb", "P10/2020-01-01/hb"};
    const char *pats[] = {"P1", "P1", "P1", "P1", "P10"};
    const char *keys[] = {"hb", "hb", "plt", "hb", "hb"};
    for (int i = 0; i < 5; i++) CHECK(put_rec(st, "lab", ids[i], pats[i], keys[i], "{}", 0, "") == LT_OK);
    lt_record *r = NULL;
    CHECK(lt_store_first_of_patient(st, "lab", "P1", "hb", &r, &err) == LT_OK);
    if (r) CHECK_STR(r->id, "P1/2023-12-31/hb");
    lt_record_free(r);
    r = NULL;
    CHECK(lt_store_first_of_patient(st, "lab", "P10", "hb", &r, &err) == LT_OK);
    if (r) CHECK_STR(r->id, "P10/2020-01-01/hb");
    lt_record_free(r);
    r = NULL;
    CHECK(lt_store_first_of_patient(st, "lab", "P1", "wbc", &r, &err) == LT_ENOTFOUND);
    CHECK(strstr(err.message, "P1") != NULL);
    CHECK(lt_store_first_of_patient(st, "lab", "P2", "hb", &r, &err) == LT_ENOTFOUND);
    CHECK(r == NULL);
    /* a kind's count and last change, and one record's; a correction moves the last */
    int64_t n = -1, last = -1, before = 0;
    CHECK(lt_store_stamp(st, "user", NULL, &n, &last, &err) == LT_OK);
    CHECK_INT(n, 0);
    CHECK_INT(last, 0);
    CHECK(put_rec(st, "user", "ann", NULL, NULL, "{\"a\":1}", 0, "") == LT_OK);
    CHECK(put_rec(st, "user", "bob", NULL, NULL, "{\"a\":1}", 0, "") == LT_OK);
    CHECK(lt_store_stamp(st, "user", NULL, &n, &before, &err) == LT_OK);
    CHECK_INT(n, 2);
    CHECK(put_rec(st, "user", "bob", NULL, NULL, "{\"a\":2}", 1, "fix") == LT_OK);
    CHECK(lt_store_stamp(st, "user", NULL, &n, &last, &err) == LT_OK);
    CHECK_INT(n, 2);
    CHECK(last > before);
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX];
    CHECK(lt_store_audit_head(st, &seq, head, &err) == LT_OK);
    CHECK_INT(last, seq); /* bob's correction was the last audit record */
    CHECK(lt_store_stamp(st, "user", "bob", &n, &last, &err) == LT_OK);
    CHECK_INT(n, 1);
    CHECK_INT(last, seq);
    CHECK(lt_store_stamp(st, "user", "ann", &n, &last, &err) == LT_OK);
    CHECK(n == 1 && last < seq);
    CHECK(lt_store_stamp(st, "user", "cat", &n, &last, &err) == LT_OK);
    CHECK_INT(n, 0);
    CHECK(lt_store_stamp(st, "lab", NULL, &n, &last, &err) == LT_OK);
    CHECK_INT(n, 5);
    lt_store_close(st);
}

/* One kind of one patient is read through a statement the store keeps prepared between
 * listings; a listing made inside another's callback must get its own, or the outer one would
 * be reset under its feet and read its first rows again. */
typedef struct nested_ctx {
    lt_store *st;
    int outer, inner;
} nested_ctx;

static int count_inner(const lt_record *r, void *ctx)
{
    (void)r;
    ((nested_ctx *)ctx)->inner++;
    return 0;
}

static int list_inside(const lt_record *r, void *ctx)
{
    nested_ctx *n = ctx;
    (void)r;
    lt_error err;
    lt_record_filter f = {.patient = "P1"};
    CHECK(lt_store_each(n->st, "lab", &f, count_inner, n, &err) == LT_OK);
    return ++n->outer >= 10; /* a reset outer listing would never end: stop it */
}

static void test_each_nested(void)
{
    char db[512];
    dbloc(db, sizeof db, "nested.db");
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
    if (!st) return;
    static const char *const ids[] = {"P1/L1", "P1/L2", "P1/L3", "P2/L1"};
    for (size_t i = 0; i < 4; i++) {
        lt_record r = {.kind = "lab", .id = ids[i], .site = "S1",
                       .patient = i < 3 ? "P1" : "P2", .key = ids[i], .data = "{}"};
        lt_status rc = lt_store_begin(st, &err);
        if (rc == LT_OK) rc = lt_store_put(st, &r, 0, &who, "test.put", "", NULL, &err);
        if (rc == LT_OK) rc = lt_store_commit(st, &err);
        CHECK(rc == LT_OK);
    }
    for (int round = 0; round < 2; round++) { /* the second round reuses the kept statement */
        nested_ctx n = {st, 0, 0};
        lt_record_filter f = {.patient = "P1"};
        CHECK(lt_store_each(st, "lab", &f, list_inside, &n, &err) == LT_OK);
        CHECK_INT(n.outer, 3);
        CHECK_INT(n.inner, 9);
    }
    nested_ctx m = {st, 0, 0};
    lt_record_filter g = {.patient = "P2"};
    CHECK(lt_store_each(st, "lab", &g, count_inner, &m, &err) == LT_OK);
    CHECK_INT(m.inner, 1);
    lt_store_close(st);
}

static void expect_tamper(const char *name, const char *statement, const char *want_where,
                          const char *want_msg)
{
    char db[512];
    dbloc(db, sizeof db, name);
    fill(db);
    lt_error err;
    CHECK(verify(db, &err) == LT_OK);
    CHECK_MSG(sql(db, statement) == 0, "the SQL tool failed on %s", statement);
    lt_status rc = verify(db, &err);
    CHECK_MSG(rc == LT_ECORRUPT, "%s: verify gave %d", name, rc);
    CHECK_MSG(strstr(err.where, want_where) != NULL, "%s: where '%s', expected '%s'", name,
              err.where, want_where);
    CHECK_MSG(strstr(err.message, want_msg) != NULL, "%s: message '%s', expected '%s'", name,
              err.message, want_msg);
}

static void test_tamper(void)
{
    /* the triggers refuse plain edits of the trail; a tamperer drops them first */
    char db[512];
    dbloc(db, sizeof db, "trigger.db");
    fill(db);
    CHECK(sql(db, "UPDATE audit SET reason='x' WHERE seq=3") != 0);
    CHECK(sql(db, "DELETE FROM audit WHERE seq=3") != 0);
    CHECK(sql(db, "DELETE FROM record WHERE id='P3'") != 0);
    lt_error err;
    CHECK(verify(db, &err) == LT_OK);

    expect_tamper("t1.db", "DROP TRIGGER audit_no_update; UPDATE audit SET reason='none' WHERE seq=6",
                  "audit record 6", "edited");
    expect_tamper("t2.db", "DROP TRIGGER audit_no_update; UPDATE audit SET \\\"user\\\"='bob' WHERE seq=2",
                  "audit record 2", "edited");
    expect_tamper("t3.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=4",
                  "audit record 5", "record 4 was deleted");
    expect_tamper("t4.db",
                  "INSERT INTO audit SELECT 7, at, \\\"user\\\", role, site, action, entity, entity_id,"
                  " patient, old_value, new_value, reason, hash, hash, form, key FROM audit WHERE seq=6",
                  "audit record 7", "edited");
    /* records changed without the trail */
    expect_tamper("t5.db", "UPDATE record SET data='{\\\"state\\\":\\\"randomised\\\"}' WHERE id='P2'",
                  "patient 'P2'", "changed behind");
    expect_tamper("t6.db", "UPDATE record SET site='S2' WHERE id='P3'", "patient 'P3'",
                  "changed behind");
    expect_tamper("t7.db",
                  "INSERT INTO record VALUES ('patient','P9','S1','P9',NULL,'{}',1,6)",
                  "patient 'P9'", "inserted behind");
    expect_tamper("t8.db", "DROP TRIGGER record_no_delete; DELETE FROM record WHERE id='P2'",
                  "patient", "P2' written by audit record 4 is missing");
    /* every stored column is checked: audit_seq orders a stratum's allocations, so an edited
     * one would make the next randomisation reuse a block; rev counts the writes; the key
     * selects the stratum */
    expect_tamper("t10.db", "UPDATE record SET audit_seq=1 WHERE id='P1'", "patient 'P1'",
                  "(audit_seq)");
    expect_tamper("t11.db", "UPDATE record SET rev=7 WHERE id='P3'", "patient 'P3'", "(rev)");
    expect_tamper("t12.db", "UPDATE record SET key='S2' WHERE id='P3'", "patient 'P3'", "(key)");
    expect_tamper("t13.db", "UPDATE record SET key=NULL WHERE id='S1'", "site 'S1'", "(key)");
    expect_tamper("t14.db", "DROP TRIGGER audit_no_update; UPDATE audit SET form=3 WHERE seq=2",
                  "audit record 2", "unknown hashed form 3");
    /* deleting the last audit record leaves a record newer than its trail */
    expect_tamper("t9.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=6",
                  "patient 'P1'", "changed behind");
}

/* A tamperer who can write the file: changes audit record `seq` (its time, when at is given;
 * else its user) and recomputes the hash of every record from there on, as anyone with
 * sha256sum can. Plain verification cannot see this; the time order, an outside head and
 * signed checkpoints can. */
typedef struct chain_copy {
    lt_audit_record a[64];
    char s[64][14][96];
    int n;
} chain_copy;

static int copy_audit(const lt_audit_record *a, void *ctx)
{
    chain_copy *c = ctx;
    if (c->n == 64) return 1;
    lt_audit_record *d = &c->a[c->n];
    *d = *a;
    const char *src[] = {a->at,     a->user,      a->role,      a->site,   a->action,
                         a->entity, a->entity_id, a->patient,   a->old_value,
                         a->new_value, a->reason, a->prev_hash, a->hash, a->key ? a->key : ""};
    const char **dst[] = {&d->at,     &d->user,      &d->role,      &d->site,   &d->action,
                          &d->entity, &d->entity_id, &d->patient,   &d->old_value,
                          &d->new_value, &d->reason, &d->prev_hash, &d->hash, &d->key};
    for (int i = 0; i < 14; i++) {
        snprintf(c->s[c->n][i], sizeof c->s[c->n][i], "%s", src[i]);
        *dst[i] = c->s[c->n][i];
    }
    if (!a->key) d->key = NULL;
    c->n++;
    return 0;
}

static void rewrite_chain(const char *db, int64_t seq, const char *at)
{
    static chain_copy c;
    c.n = 0;
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    lt_store_audit_each(st, NULL, copy_audit, &c, &err);
    lt_store_close(st);
    char stmt[8192];
    int n = snprintf(stmt, sizeof stmt, "DROP TRIGGER audit_no_update;");
    for (int i = 0; i < c.n; i++) {
        lt_audit_record *a = &c.a[i];
        if (a->seq < seq) continue;
        if (a->seq == seq && at) snprintf(c.s[i][0], sizeof c.s[i][0], "%s", at);
        if (a->seq == seq && !at) snprintf(c.s[i][1], sizeof c.s[i][1], "mallory");
        if (i) snprintf(c.s[i][11], sizeof c.s[i][11], "%s", c.a[i - 1].hash);
        lt_audit_hash(a, c.s[i][12]);
        n += snprintf(stmt + n, sizeof stmt - (size_t)n,
                      "UPDATE audit SET at='%s', \\\"user\\\"='%s', prev_hash='%s', hash='%s' WHERE "
                      "seq=%lld;",
                      a->at, a->user, a->prev_hash, a->hash, (long long)a->seq);
    }
    CHECK_MSG(sql(db, stmt) == 0, "rewriting the chain: %s", stmt);
}

static void test_rewritten_chain(void)
{
    char db[512];
    lt_error err;
    /* a time moved back, every later hash recomputed */
    dbloc(db, sizeof db, "back.db");
    fill(db);
    rewrite_chain(db, 3, "2001-01-01T00:00:00Z");
    CHECK(verify(db, &err) == LT_ECORRUPT);
    CHECK_STR(err.where, "audit record 3");
    CHECK_MSG(strstr(err.message, "before the previous record's") != NULL, "%s", err.message);
    /* the last record rewritten in the old hashed form (no key) to escape the key check */
    dbloc(db, sizeof db, "oldform.db");
    fill(db);
    {
        static chain_copy c;
        c.n = 0;
        lt_store *st = NULL;
        CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
        if (st) lt_store_audit_each(st, NULL, copy_audit, &c, &err);
        lt_store_close(st);
        CHECK_INT(c.n, 6);
        if (c.n == 6) {
            lt_audit_record *a = &c.a[5];
            a->form = 1;
            lt_audit_hash(a, c.s[5][12]);
            char stmt[512];
            snprintf(stmt, sizeof stmt,
                     "DROP TRIGGER audit_no_update; UPDATE audit SET form=1, key=NULL, "
                     "hash='%s' WHERE seq=6; UPDATE record SET key='S9' WHERE id='P1'",
                     a->hash);
            CHECK(sql(db, stmt) == 0);
            CHECK(verify(db, &err) == LT_ECORRUPT);
            CHECK_STR(err.where, "audit record 6");
            CHECK_MSG(strstr(err.message, "form 1 after records in form 2") != NULL, "%s",
                      err.message);
        }
    }
    /* the rewrite itself is sound: the same rewrite keeping the times verifies */
    dbloc(db, sizeof db, "rewritten.db");
    fill(db);
    rewrite_chain(db, 2, NULL);
    CHECK(verify(db, &err) == LT_OK);
}

static off_t file_size(const char *p)
{
    struct stat s;
    return stat(p, &s) == 0 ? s.st_size : -1;
}

static void test_migrations(void)
{
    char db[512];
    path(db, sizeof db, "old.db");
    lt_store *st = NULL;
    lt_error err;
    /* a database as version 1 of the program left it */
    CHECK(lt__sqlite_open(db, LT_STORE_CREATE, 1, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), 1);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":1}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":2}", 1, "corrected") == LT_OK);
    lt_store_close(st);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), lt_store_schema_latest());
    CHECK(lt_store_schema_latest() >= 2);
    lt_record *r = NULL;
    CHECK(lt_store_get(st, "patient", "P1", &r, &err) == LT_OK);
    if (r) CHECK_STR(r->data, "{\"v\":2}");
    lt_record_free(r);
    CHECK_INT(audit_rows(st, NULL), 2);
    CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    lt_store_close(st);
    /* the new index exists after the upgrade */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"SELECT count(*) FROM sqlite_master WHERE name='record_by_key'\"", db);
    FILE *p = popen(cmd, "r");
    char line[32] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = '\0';
        pclose(p);
    }
    CHECK_STR(line, "1\n");

    /* a newer file is refused, and left exactly as it was */
    CHECK(sql(db, "PRAGMA journal_mode=DELETE; PRAGMA user_version=99") == 0);
    off_t before = file_size(db);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_EVERSION);
    CHECK(strstr(err.message, "schema version 99") != NULL);
    CHECK(strstr(err.message, "newer") != NULL);
    CHECK(file_size(db) == before);
    snprintf(cmd, sizeof cmd, "PRAGMA user_version=%d", lt_store_schema_latest());
    CHECK(sql(db, cmd) == 0);
    CHECK(verify(db, &err) == LT_OK);

    /* another program's SQLite file, and a file that is not SQLite at all */
    char other[512];
    path(other, sizeof other, "other.db");
    CHECK(sql(other, "CREATE TABLE t(x); PRAGMA user_version=3") == 0);
    CHECK(lt_store_open(other, LT_STORE_OPEN, &st, &err) == LT_ESTORE);
    CHECK(strstr(err.message, "not a Lutetia trial") != NULL);
    path(other, sizeof other, "text.db");
    FILE *f = fopen(other, "w");
    if (f) {
        fputs("this is not a database, just some text that is long enough to be a header.....\n", f);
        fclose(f);
    }
    CHECK(lt_store_open(other, LT_STORE_OPEN, &st, &err) == LT_ESTORE);
}

/* One writer process: records labs, each in its own transaction, signalling on `ready` after its
 * first commit, until the parent closes `stop` (or a bound is reached). Exits 0 if every write
 * committed. */
static int writer(const char *db, int id, int ready, int stop)
{
    lt_store *st = NULL;
    lt_error err;
    if (lt_store_open(db, LT_STORE_OPEN, &st, &err) != LT_OK) return 2;
    int rc = 0;
    for (int n = 0; n < 20000; n++) {
        char rid[32], data[64];
        snprintf(rid, sizeof rid, "W%d-%05d", id, n);
        snprintf(data, sizeof data, "{\"writer\":%d,\"n\":%d}", id, n);
        lt_record r = {.kind = "lab", .id = rid, .site = "S1", .patient = "P1", .key = "lab",
                       .data = data};
        if (lt_store_begin(st, &err) != LT_OK ||
            lt_store_put(st, &r, 0, &who, "record.lab", "", NULL, &err) != LT_OK ||
            lt_store_commit(st, &err) != LT_OK) {
            fprintf(stderr, "writer %d: %s\n", id, err.message);
            lt_store_rollback(st);
            rc = 3;
            break;
        }
        if (n == 0 && write(ready, "w", 1) != 1) rc = 4;
        struct pollfd p = {.fd = stop, .events = POLLIN};
        if (poll(&p, 1, 0) > 0) break; /* the parent closed its end: stop */
    }
    lt_store_close(st);
    return rc;
}

/* `audit verify` while writers record labs: verification reads the trail and the records in one
 * read transaction, so a commit between the two reads is not taken for a record "inserted behind
 * the engine's back". The writers run until the parent has verified NVERIFY times; the parent
 * starts only once every writer has committed (a pipe, no sleeps). */
static void test_verify_under_writers(void)
{
    enum { NWRITERS = 4, NVERIFY = 20 };
    char db[512];
    dbloc(db, sizeof db, "busy.db");
    fill(db);
    int ready[2], stop[2];
    if (pipe(ready) != 0 || pipe(stop) != 0) {
        CHECK(!"pipe");
        return;
    }
    pid_t pids[NWRITERS];
    for (int i = 0; i < NWRITERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(ready[0]);
            close(stop[1]);
            _exit(writer(db, i, ready[1], stop[0]));
        }
    }
    close(ready[1]);
    close(stop[0]);
    char c;
    int started = 0;
    while (started < NWRITERS && read(ready[0], &c, 1) == 1) started++;
    CHECK_INT(started, NWRITERS);
    /* one writer killed outright, as a crash would, wherever it is in its transaction: the
     * others go on and the trail stays whole */
    kill(pids[0], SIGKILL);
    int alarms = 0;
    lt_error first;
    lt_error_clear(&first);
    for (int i = 0; i < NVERIFY; i++) {
        lt_error err;
        lt_status rc = verify(db, &err);
        if (rc != LT_OK && !alarms++) first = err;
    }
    close(stop[1]); /* tells the writers to stop */
    int failed_writers = 0;
    int status = 0;
    waitpid(pids[0], &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    for (int i = 1; i < NWRITERS; i++) {
        status = 0;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed_writers++;
    }
    close(ready[0]);
    CHECK_INT(failed_writers, 0);
    CHECK_MSG(alarms == 0, "%d of %d verifications under load failed; first: %s: %s", alarms,
              NVERIFY, first.where, first.message);
    lt_error err;
    CHECK(verify(db, &err) == LT_OK);
}

static int file_sha(const char *p, char out[80])
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "sha256sum < '%s'", p);
    FILE *f = popen(cmd, "r");
    out[0] = '\0';
    if (!f) return -1;
    if (!fgets(out, 80, f)) out[0] = '\0';
    return pclose(f);
}

/* `trial init` on one path from several processes: a creator never proceeds over a file it did
 * not make (seen: a file made by one init was taken over by another, whose failure then
 * deleted an acknowledged trial). Deterministic form: whatever is at the path already (an
 * empty file as another creator has just made, a link), creating fails and leaves it alone. */
static void test_create_exclusive(void)
{
    char db[512], target[512];
    lt_store *st = NULL;
    lt_error err;
    path(db, sizeof db, "claimed.db");
    FILE *f = fopen(db, "w");
    if (f) fclose(f);
    struct stat before, after;
    CHECK(stat(db, &before) == 0);
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_ECONFLICT);
    CHECK(st == NULL);
    CHECK_MSG(strstr(err.message, "already exists") != NULL, "%s", err.message);
    CHECK(stat(db, &after) == 0 && after.st_ino == before.st_ino && after.st_size == 0);
    /* a symbolic link is not followed into another file */
    path(target, sizeof target, "elsewhere.db");
    path(db, sizeof db, "link.db");
    CHECK(symlink(target, db) == 0);
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_ECONFLICT);
    CHECK(access(target, F_OK) != 0);
    /* a failed creation removes what it made, and only that */
    path(db, sizeof db, "fresh.db");
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
    lt_store_close(st);
    CHECK(access(db, F_OK) == 0);
}

/* Read-only verbs open read-only and run no migration: an older file is verified as it is,
 * byte for byte unchanged, and a write through a read-only store says so. */
static void test_read_only(void)
{
    char db[512], sum1[80], sum2[80];
    path(db, sizeof db, "v2.db");
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt__sqlite_open(db, LT_STORE_CREATE, 2, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":1}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":2}", 1, "corrected") == LT_OK);
    lt_store_close(st);
    file_sha(db, sum1);
    CHECK(lt_store_open(db, LT_STORE_READ, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), 2);
    CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    CHECK(put(st, "patient", "P2", "S1", "{}", 0, "") != LT_OK);
    CHECK(lt_store_begin(st, &err) != LT_OK);
    CHECK_MSG(strstr(err.message, "read-only") != NULL, "%s", err.message);
    lt_store_close(st);
    file_sha(db, sum2);
    CHECK_STR(sum2, sum1);
    /* a newer file is refused read-only too */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "PRAGMA user_version=%d", lt_store_schema_latest() + 1);
    CHECK(sql(db, cmd) == 0);
    CHECK(lt_store_open(db, LT_STORE_READ, &st, &err) == LT_EVERSION);
}

/* Locked: another writer holds the lock beyond the limit; the error says so and that
 * retrying is safe, and the retry after the lock is gone succeeds. */
static void test_locked(void)
{
    char db[512];
    dbloc(db, sizeof db, "locked.db");
    fill(db);
    lt_store *a = NULL, *b = NULL;
    lt_error err;
    setenv("LUTETIA_BUSY_TIMEOUT_MS", "50", 1);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &a, &err) == LT_OK);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &b, &err) == LT_OK);
    unsetenv("LUTETIA_BUSY_TIMEOUT_MS");
    if (!a || !b) return;
    CHECK(lt_store_begin(a, &err) == LT_OK);
    CHECK(put(b, "site", "S3", "S3", "{}", 0, "") == LT_ESTORE);
    CHECK(lt_store_begin(b, &err) == LT_ESTORE);
    CHECK_MSG(strstr(err.message, "locked by another process") != NULL &&
                  strstr(err.message, "retrying is safe") != NULL,
              "%s", err.message);
    lt_store_rollback(a);
    CHECK(put(b, "site", "S3", "S3", "{}", 0, "") == LT_OK);
    lt_store_close(a);
    lt_store_close(b);
    CHECK(verify(db, &err) == LT_OK);
}

/* One lab of patient in a patient's step (lt_store_begin_patient), after the named lock when
 * one is given: committed, or rolled back leaving nothing. */
static lt_status step(lt_store *st, const char *patient, const char *lock, const char *id,
                      lt_error *err)
{
    lt_record r = {.kind = "lab", .id = id, .site = "S1", .patient = patient, .key = "lab",
                   .data = "{\"value\":1}"};
    lt_status rc = lt_store_begin_patient(st, patient, err);
    if (rc == LT_OK && lock) rc = lt_store_lock(st, lock, err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, 0, &who, "test.lab", "", NULL, err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

static bool locked_msg(const lt_error *err)
{
    return strstr(err->message, "locked by another process") &&
           strstr(err->message, "retrying is safe");
}

/* Patients' steps side by side (docs/store.md, "One chain under concurrency"), with two
 * handles of one process and a short busy limit, so each wait ends in the refusal it would
 * meet: on PostgreSQL a step open for P1 holds up P1's steps and every whole-trial writer but
 * not P2's, even once it has written (its audit record is appended at its commit, after what
 * was committed meanwhile); a named lock holds up the steps taking that name. A step reads its
 * own writes; a step rolled back leaves nothing. On SQLite every step still runs alone, as any
 * write transaction. The chain verifies throughout. */
static void test_patient_steps(void)
{
    char db[512];
    dbloc(db, sizeof db, "steps.db");
    fill(db);
    lt_store *a = NULL, *b = NULL;
    lt_error err;
    lt_record *r = NULL;
    setenv("LUTETIA_BUSY_TIMEOUT_MS", "100", 1);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &a, &err) == LT_OK);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &b, &err) == LT_OK);
    unsetenv("LUTETIA_BUSY_TIMEOUT_MS");
    if (!a || !b) return;
    int before = audit_rows(a, NULL);
    bool side_by_side = pg_base != NULL;

    /* a step of P1 open, nothing written yet */
    CHECK(lt_store_begin_patient(a, "P1", &err) == LT_OK);
    CHECK(lt_store_get(a, "patient", "P1", &r, &err) == LT_OK);
    lt_record_free(r);
    CHECK_INT(step(b, "P2", NULL, "P2/1", &err), side_by_side ? LT_OK : LT_ESTORE);
    CHECK_INT(step(b, "P1", NULL, "P1/1", &err), LT_ESTORE);
    CHECK_MSG(locked_msg(&err), "%s", err.message);
    CHECK_INT(put(b, "site", "S3", "S3", "{}", 0, ""), LT_ESTORE);
    CHECK(lt_store_begin(b, &err) == LT_ESTORE && locked_msg(&err));
    /* the same name held: the step of P3 taking it waits; another name does not */
    CHECK(lt_store_lock(a, "allocation", &err) == LT_OK);
    CHECK_INT(step(b, "P3", "allocation", "P3/1", &err), LT_ESTORE);
    CHECK_INT(step(b, "P3", "other", "P3/2", &err), side_by_side ? LT_OK : LT_ESTORE);
    /* P1 writes: two records, one of them twice; the step reads what it wrote */
    lt_record w = {.kind = "lab", .id = "P1/0", .site = "S1", .patient = "P1", .key = "lab",
                   .data = "{\"value\":0}"};
    int64_t rev = 0;
    CHECK(lt_store_put(a, &w, 0, &who, "test.lab", "", &rev, &err) == LT_OK && rev == 1);
    w.data = "{\"value\":10}";
    CHECK(lt_store_put(a, &w, 1, &who, "test.lab.correct", "typo", &rev, &err) == LT_OK &&
          rev == 2);
    CHECK(lt_store_get(a, "lab", "P1/0", &r, &err) == LT_OK && r && r->rev == 2 &&
          !strcmp(r->data, "{\"value\":10}"));
    lt_record_free(r);
    r = NULL;
    lt_record pw = {.kind = "patient", .id = "P1", .site = "S1", .patient = "P1",
                    .data = "{\"state\":\"randomised\"}"};
    CHECK(lt_store_put(a, &pw, 2, &who, "test.patient", "", NULL, &err) == LT_OK);
    CHECK(lt_store_lock(a, "late", &err) == LT_EINVAL); /* named locks come before writes */
    /* ... while P2's step goes through beside it (its audit record comes first) */
    CHECK_INT(step(b, "P2", NULL, "P2/2", &err), side_by_side ? LT_OK : LT_ESTORE);
    CHECK(lt_store_get(b, "lab", "P1/0", &r, &err) == LT_ENOTFOUND); /* not committed yet */
    CHECK(lt_store_commit(a, &err) == LT_OK);
    CHECK(lt_store_get(b, "lab", "P1/0", &r, &err) == LT_OK && r && r->rev == 2);
    lt_record_free(r);
    r = NULL;

    /* after the commit everything goes on, in one chain */
    CHECK_INT(step(b, "P1", NULL, "P1/1", &err), LT_OK);
    CHECK_INT(step(b, "P3", "allocation", "P3/1", &err), LT_OK);
    CHECK_INT(put(b, "site", "S3", "S3", "{}", 0, ""), LT_OK);
    /* a step that exists already, or one rolled back, leaves nothing */
    CHECK_INT(step(b, "P1", NULL, "P1/1", &err), LT_ECONFLICT);
    CHECK_MSG(strstr(err.message, "lab 'P1/1' already exists") != NULL, "%s", err.message);
    CHECK(lt_store_begin_patient(a, "P2", &err) == LT_OK);
    lt_record gone = {.kind = "lab", .id = "P2/9", .site = "S1", .patient = "P2", .key = "lab",
                      .data = "{}"};
    CHECK(lt_store_put(a, &gone, 0, &who, "test.lab", "", NULL, &err) == LT_OK);
    lt_store_rollback(a);
    CHECK(lt_store_get(b, "lab", "P2/9", &r, &err) == LT_ENOTFOUND);
    /* a plain transaction is not a patient's step: lt_store_lock changes nothing in it */
    CHECK(lt_store_begin(a, &err) == LT_OK);
    CHECK(lt_store_lock(a, "allocation", &err) == LT_OK);
    lt_store_rollback(a);
    /* P1's three audit records, P1/1, P3/1, the site; P2/1, P3/2, P2/2 beside P1's step */
    CHECK_INT(audit_rows(a, NULL), before + 6 + (side_by_side ? 3 : 0));
    /* the data locked for analysis: a step's write is refused, with or without a named lock */
    CHECK_INT(put(b, "lock", "trial", "", "{\"locked\":true,\"open_kinds\":[\"user\"]}", 0, ""),
              LT_OK);
    CHECK_INT(step(b, "P1", NULL, "P1/2", &err), LT_ESTATE);
    CHECK_MSG(strstr(err.message, "locked for analysis") != NULL, "%s", err.message);
    CHECK_INT(step(b, "P1", "allocation", "P1/2", &err), LT_ESTATE);
    CHECK(lt_store_get(b, "lab", "P1/2", &r, &err) == LT_ENOTFOUND);
    lt_store_close(a);
    lt_store_close(b);
    CHECK(verify(db, &err) == LT_OK);
}

/* One process of test_steps_at_once: NOPS steps drawn from its seed on patients P1..P4 (a new
 * lab, a correction of the patient record, an allocation numbered by counting under the named
 * lock), each in lt_store_begin_patient's transaction; what was acknowledged goes to `out`,
 * one line each. Exits 0 when every step was committed. */
static int step_writer(const char *db, unsigned seed, FILE *out)
{
    enum { NOPS = 30 };
    lt_store *st = NULL;
    lt_error err;
    if (lt_store_open(db, LT_STORE_OPEN, &st, &err) != LT_OK) return 2;
    int rc = 0;
    for (int n = 0; n < NOPS && rc == 0; n++) {
        seed = seed * 1103515245u + 12345u;
        unsigned pick = (seed >> 16) % 3, k = 1 + (seed >> 8) % 4;
        char pid[8], id[64], data[96];
        snprintf(pid, sizeof pid, "P%u", k);
        lt_status s = lt_store_begin_patient(st, pid, &err);
        int64_t number = 0;
        lt_record *r = NULL;
        if (s == LT_OK && pick == 0) {
            snprintf(id, sizeof id, "%s/w%u-%02d", pid, seed % 100000, n);
            lt_record lab = {.kind = "lab", .id = id, .site = "S1", .patient = pid, .key = "w",
                             .data = "{}"};
            s = lt_store_put(st, &lab, 0, &who, "test.lab", "", NULL, &err);
        } else if (s == LT_OK && pick == 1) {
            s = lt_store_get(st, "patient", pid, &r, &err);
            snprintf(data, sizeof data, "{\"by\":%u,\"n\":%d}", seed % 100000, n);
            lt_record p = {.kind = "patient", .id = pid, .site = "S1", .patient = pid,
                           .data = data};
            if (s == LT_OK) s = lt_store_put(st, &p, r->rev, &who, "test.patient", "x", NULL, &err);
            lt_record_free(r);
        } else if (s == LT_OK) {
            s = lt_store_lock(st, "allocation", &err);
            if (s == LT_OK) s = lt_store_count(st, "alloc", NULL, &number, &err);
            number++;
            snprintf(id, sizeof id, "%06lld", (long long)number);
            lt_record a = {.kind = "alloc", .id = id, .site = "S1", .patient = pid, .key = "s",
                           .data = "{}"};
            if (s == LT_OK) s = lt_store_put(st, &a, 0, &who, "test.alloc", "", NULL, &err);
        }
        if (s == LT_OK) s = lt_store_commit(st, &err);
        if (s != LT_OK) {
            fprintf(stderr, "step writer: %s\n", err.message);
            lt_store_rollback(st);
            rc = 3;
        } else if (pick == 0) {
            fprintf(out, "lab %s\n", id);
        } else if (pick == 1) {
            fprintf(out, "patient %s\n", pid);
        } else {
            fprintf(out, "alloc %lld\n", (long long)number);
        }
        fflush(out);
    }
    lt_store_close(st);
    return rc;
}

/* Many processes at once on four patients (so on the same patient and on different ones), each
 * step drawn from a fixed seed per process: afterwards every acknowledged lab is stored and no
 * other, every acknowledged correction counted in its patient's revision, the allocations
 * numbered 1..N once each (none reused or skipped), and the chain verifies. */
static void test_steps_at_once(void)
{
    enum { NPROC = 6 };
    char db[512], outs[NPROC][512];
    dbloc(db, sizeof db, "atonce.db");
    fill(db);
    {
        lt_store *st = NULL;
        lt_error err;
        CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
        CHECK(put(st, "patient", "P4", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);
        lt_store_close(st);
    }
    /* no wait may end in a refusal however loaded the machine: outcomes, not timing */
    setenv("LUTETIA_BUSY_TIMEOUT_MS", "600000", 1);
    pid_t pids[NPROC];
    for (int i = 0; i < NPROC; i++) {
        snprintf(outs[i], sizeof outs[i], "%s/acked.%d", dir, i);
        pids[i] = fork();
        if (pids[i] == 0) {
            FILE *f = fopen(outs[i], "w");
            _exit(f ? step_writer(db, 1000u + (unsigned)i, f) : 2);
        }
    }
    unsetenv("LUTETIA_BUSY_TIMEOUT_MS");
    int failed = 0;
    for (int i = 0; i < NPROC; i++) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    CHECK_INT(failed, 0);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    int64_t revs[5] = {0, 2, 1, 1, 1}; /* fill: P1 corrected once */
    int64_t labs = 0, allocs = 0, amax = 0, seen_alloc[NPROC * 40 + 1] = {0};
    bool all_labs = true;
    for (int i = 0; i < NPROC; i++) {
        FILE *f = fopen(outs[i], "r");
        char line[128], what[16], arg[96];
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "%15s %95s", what, arg) == 2) {
                lt_record *r = NULL;
                if (!strcmp(what, "lab")) {
                    labs++;
                    if (lt_store_get(st, "lab", arg, &r, &err) != LT_OK) all_labs = false;
                    lt_record_free(r);
                } else if (!strcmp(what, "patient")) {
                    revs[arg[1] - '0']++;
                } else {
                    long long a = atoll(arg);
                    allocs++;
                    if (a >= 1 && a <= NPROC * 40) seen_alloc[a]++;
                    if (a > amax) amax = a;
                }
            }
        if (f) fclose(f);
    }
    CHECK_MSG(all_labs, "an acknowledged lab is missing");
    int64_t stored = 0;
    CHECK(lt_store_count(st, "lab", "w", &stored, &err) == LT_OK);
    CHECK_INT(stored, labs);
    CHECK(lt_store_count(st, "alloc", NULL, &stored, &err) == LT_OK);
    CHECK_INT(stored, allocs);
    CHECK_INT(amax, allocs);
    bool once = true;
    for (int64_t a = 1; a <= allocs; a++) once = once && seen_alloc[a] == 1;
    CHECK_MSG(once, "an allocation number was reused or skipped");
    for (int k = 1; k <= 4; k++) {
        char pid[8];
        lt_record *r = NULL;
        snprintf(pid, sizeof pid, "P%d", k);
        CHECK(lt_store_get(st, "patient", pid, &r, &err) == LT_OK);
        CHECK_MSG(r && r->rev == revs[k], "%s at revision %lld, expected %lld", pid,
                  r ? (long long)r->rev : -1LL, (long long)revs[k]);
        lt_record_free(r);
    }
    CHECK(labs > 0 && allocs > 0);
    lt_store_close(st);
    CHECK(verify(db, &err) == LT_OK);
}

static lt_status verify_with(const char *db, const lt_audit_anchors *a, lt_audit_verified *v,
                             lt_error *err)
{
    lt_store *st = NULL;
    lt_status rc = lt_store_open(db, LT_STORE_READ, &st, err);
    if (rc == LT_OK) rc = lt_store_audit_verify_anchored(st, a, v, err);
    lt_store_close(st);
    return rc;
}

/* Anchors outside the file: a head kept elsewhere and Ed25519-signed checkpoints find a chain
 * rewritten with recomputed hashes, which plain verification passes. */
static void test_anchors(void)
{
    char db[512], sk_path[512], pk_path[512], pk2_path[512], sk2_path[512];
    dbloc(db, sizeof db, "anchored.db");
    path(sk_path, sizeof sk_path, "audit.key");
    path(pk_path, sizeof pk_path, "audit.pub");
    path(sk2_path, sizeof sk2_path, "other.key");
    path(pk2_path, sizeof pk2_path, "other.pub");
    fill(db);
    lt_error err;
    CHECK(lt_store_keygen(sk_path, pk_path, &err) == LT_OK);
    CHECK(lt_store_keygen(sk_path, pk2_path, &err) == LT_ECONFLICT); /* never overwritten */
    CHECK(lt_store_keygen(sk2_path, pk2_path, &err) == LT_OK);
    struct stat sb;
    CHECK(stat(sk_path, &sb) == 0 && (sb.st_mode & 077) == 0);
    unsigned char sk[LT_STORE_SIGN_SECRET_BYTES], pk[LT_STORE_SIGN_PUBLIC_BYTES],
        pk2[LT_STORE_SIGN_PUBLIC_BYTES];
    CHECK(lt_store_key_read(sk_path, true, sk, &err) == LT_OK);
    CHECK(lt_store_key_read(pk_path, false, pk, &err) == LT_OK);
    CHECK(lt_store_key_read(pk2_path, false, pk2, &err) == LT_OK);
    CHECK(lt_store_key_read(pk_path, true, sk, &err) == LT_EPARSE);
    CHECK_MSG(strstr(err.message, "expected 128 hex digits") != NULL &&
                  strstr(err.message, "public key") != NULL,
              "%s", err.message);
    CHECK(lt_store_key_read(sk_path, true, sk, &err) == LT_OK);

    lt_store *st = NULL;
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX], now[LT_STORE_HASH_HEX];
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(lt_store_audit_checkpoint(st, sk, &seq, head, &err) == LT_OK);
    CHECK_INT(seq, 6);
    int64_t hs = 0;
    CHECK(lt_store_audit_head(st, &hs, now, &err) == LT_OK);
    CHECK_INT(hs, 6);
    CHECK_STR(now, head);
    CHECK(lt_store_audit_checkpoint(st, sk, &seq, head, &err) == LT_ECONFLICT);
    lt_store_close(st);
    CHECK(put_at(db, "patient", "P4", "{\"state\":\"screened\"}") == LT_OK);

    lt_audit_verified v;
    lt_audit_anchors with_key = {.public_key = pk};
    CHECK(verify_with(db, &with_key, &v, &err) == LT_OK);
    CHECK_INT(v.checkpoints, 1);
    CHECK_INT(v.records, 7);
    lt_audit_anchors with_head = {.expect_seq = 6, .expect_hash = head};
    CHECK(verify_with(db, &with_head, &v, &err) == LT_OK);
    lt_audit_anchors other_key = {.public_key = pk2};
    CHECK(verify_with(db, &other_key, &v, &err) == LT_ECORRUPT);
    CHECK_MSG(strstr(err.message, "no checkpoint signed by this public key") != NULL, "%s",
              err.message);

    /* the chain rewritten from record 2 on, every hash recomputed: plain verification passes */
    rewrite_chain(db, 2, NULL);
    CHECK(verify(db, &err) == LT_OK);
    CHECK(verify_with(db, &with_key, &v, &err) == LT_ECORRUPT);
    CHECK_STR(err.where, "checkpoint at audit record 6");
    CHECK_MSG(strstr(err.message, "rewritten after it was signed") != NULL, "%s", err.message);
    CHECK(verify_with(db, &with_head, &v, &err) == LT_ECORRUPT);
    CHECK_STR(err.where, "audit record 6");
    CHECK_MSG(strstr(err.message, "not the expected head") != NULL, "%s", err.message);

    /* a forged signature (its first hex digit changed, whatever it was: replacing the first two
     * by "ff" left one signature in 256 unchanged), and checkpoints deleted */
    dbloc(db, sizeof db, "forged.db");
    fill(db);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(lt_store_audit_checkpoint(st, sk, &seq, head, &err) == LT_OK);
    lt_store_close(st);
    CHECK(sql(db, "DROP TRIGGER checkpoint_no_update; UPDATE checkpoint SET "
                  "signature=(CASE substr(signature, 1, 1) WHEN 'f' THEN '0' ELSE 'f' END) "
                  "|| substr(signature, 2)") == 0);
    CHECK(verify_with(db, &with_key, &v, &err) == LT_ECORRUPT);
    CHECK_MSG(strstr(err.message, "does not verify with this public key") != NULL, "%s",
              err.message);
    CHECK(sql(db, "DROP TRIGGER checkpoint_no_delete; DELETE FROM checkpoint") == 0);
    CHECK(verify_with(db, &with_key, &v, &err) == LT_ECORRUPT);
    /* a trail cut below the head expected */
    lt_audit_anchors beyond = {.expect_seq = 99, .expect_hash = head};
    CHECK(verify_with(db, &beyond, &v, &err) == LT_ECORRUPT);
    CHECK_MSG(strstr(err.message, "cut") != NULL, "%s", err.message);
}

/* A backup while the -wal file holds commits (another connection keeps the database open, so
 * nothing is checkpointed into the main file): copying the file alone loses them, the online
 * backup has them all and verifies with the same head. */
static void test_backup(void)
{
    char db[512], copy[512], bak[512], link[512], cmd[1200];
    path(db, sizeof db, "live.db");
    path(copy, sizeof copy, "cp.db");
    path(bak, sizeof bak, "backup.db");
    path(link, sizeof link, "backup-link.db");
    fill(db);
    lt_store *keep = NULL, *w = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_READ, &keep, &err) == LT_OK);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &w, &err) == LT_OK);
    if (!keep || !w) return;
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "%09d", i + 1);
        CHECK(put(w, "allocation", id, "S1", "{\"arm\":\"A\"}", 0, "") == LT_OK);
    }
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX];
    CHECK(lt_store_audit_head(w, &seq, head, &err) == LT_OK);
    lt_store_close(w);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db, copy);
    CHECK(system(cmd) == 0);
    lt_store *c = NULL;
    int64_t n = -1;
    if (lt_store_open(copy, LT_STORE_READ, &c, &err) == LT_OK)
        lt_store_count(c, "allocation", NULL, &n, &err);
    lt_store_close(c);
    CHECK_MSG(n < 3, "the plain copy has %lld allocations: the -wal was checkpointed", (long long)n);

    lt_audit_verified v;
    CHECK(lt_store_backup(keep, bak, &v, &err) == LT_OK);
    CHECK_INT(v.records, seq);
    CHECK_STR(v.head, head);
    n = -1;
    if (lt_store_open(bak, LT_STORE_READ, &c, &err) == LT_OK)
        lt_store_count(c, "allocation", NULL, &n, &err);
    lt_store_close(c);
    CHECK_INT(n, 3);
    lt_audit_anchors a = {.expect_seq = seq, .expect_hash = head};
    CHECK(verify_with(bak, &a, &v, &err) == LT_OK);
    /* a second backup replaces the first only once verified; a link is refused */
    CHECK(lt_store_backup(keep, bak, &v, &err) == LT_OK);
    CHECK(symlink(copy, link) == 0);
    char before[80], after[80];
    file_sha(copy, before);
    CHECK(lt_store_backup(keep, link, &v, &err) == LT_EIO);
    CHECK_MSG(strstr(err.message, "symbolic link") != NULL, "%s", err.message);
    file_sha(copy, after);
    CHECK_STR(after, before);
    lt_store_close(keep);
    /* nothing else was left beside the backups */
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c partial", dir);
    FILE *p = popen(cmd, "r");
    char line[16] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = '\0';
        pclose(p);
    }
    CHECK_STR(line, "0\n");
}

static int count_form1(const lt_audit_record *a, void *ctx)
{
    if (a->form == 1 && a->key == NULL) (*(int *)ctx)++;
    return 0;
}

/* lt_store_copy (lutetia migrate): an SQLite trial moved into a new store (another file, or on
 * the PostgreSQL run a PostgreSQL database) with its trail as stored, its sealed seed and its
 * signed checkpoint: the copy verifies on its own at the same head, and a signature made on
 * the file checks in the copy. A target that holds a trail and a source that does not verify
 * are refused, leaving the target without a trail; records from before schema 3 (hashed form 1)
 * keep their form. */
static void test_copy(void)
{
    char src[512], dst[512], old[512], sk_path[512], pk_path[512];
    path(src, sizeof src, "copy-src.db");
    path(sk_path, sizeof sk_path, "copy.key");
    path(pk_path, sizeof pk_path, "copy.pub");
    fill(src);
    lt_store *from = NULL, *to = NULL;
    lt_error err;
    unsigned char box[LT_STORE_SEALED_SEED_BYTES], back[LT_STORE_SEALED_SEED_BYTES];
    unsigned char sk[LT_STORE_SIGN_SECRET_BYTES], pk[LT_STORE_SIGN_PUBLIC_BYTES];
    for (int i = 0; i < LT_STORE_SEALED_SEED_BYTES; i++) box[i] = (unsigned char)(i * 5 + 3);
    CHECK(lt_store_keygen(sk_path, pk_path, &err) == LT_OK);
    CHECK(lt_store_key_read(sk_path, true, sk, &err) == LT_OK);
    CHECK(lt_store_key_read(pk_path, false, pk, &err) == LT_OK);
    CHECK(lt_store_open(src, LT_STORE_OPEN, &from, &err) == LT_OK);
    if (!from) return;
    CHECK(lt_store_begin(from, &err) == LT_OK);
    CHECK(lt_store_sealed_seed_set(from, box, &err) == LT_OK);
    CHECK(lt_store_commit(from, &err) == LT_OK);
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX];
    CHECK(lt_store_audit_checkpoint(from, sk, &seq, head, &err) == LT_OK);
    lt_store_close(from);

    dbloc(dst, sizeof dst, "copy-dst.db");
    CHECK(lt_store_open(src, LT_STORE_READ, &from, &err) == LT_OK);
    CHECK(lt_store_open(dst, LT_STORE_CREATE, &to, &err) == LT_OK);
    if (!from || !to) return;
    lt_audit_verified v = {0};
    CHECK_MSG(lt_store_copy(from, to, &v, &err) == LT_OK, "%s: %s", err.where, err.message);
    CHECK_INT(v.records, 6);
    CHECK_STR(v.head, head);
    lt_record *r = NULL;
    CHECK(lt_store_get(to, "patient", "P1", &r, &err) == LT_OK);
    if (r) {
        CHECK_STR(r->data, "{\"state\":\"consented\"}");
        CHECK_INT(r->rev, 2);
        CHECK_INT(r->audit_seq, 6);
    }
    lt_record_free(r);
    CHECK(lt_store_sealed_seed_get(to, back, &err) == LT_OK && !memcmp(box, back, sizeof box));
    lt_audit_anchors with_key = {.public_key = pk};
    CHECK(lt_store_audit_verify_anchored(to, &with_key, &v, &err) == LT_OK);
    CHECK_INT(v.checkpoints, 1);
    /* again into the same store: refused, nothing added */
    CHECK(lt_store_copy(from, to, &v, &err) == LT_ECONFLICT);
    CHECK_MSG(strstr(err.message, "already holds a trail") != NULL, "%s", err.message);
    CHECK_INT(audit_rows(to, NULL), 6);
    lt_store_close(to);
    lt_store_close(from);

    /* a source edited behind the engine's back is not carried over */
    CHECK(sql(src, "DROP TRIGGER audit_no_update; UPDATE audit SET reason='x' WHERE seq=2") == 0);
    dbloc(dst, sizeof dst, "copy-bad.db");
    CHECK(lt_store_open(src, LT_STORE_READ, &from, &err) == LT_OK);
    CHECK(lt_store_open(dst, LT_STORE_CREATE, &to, &err) == LT_OK);
    if (!from || !to) return;
    CHECK(lt_store_copy(from, to, &v, &err) == LT_ECORRUPT);
    CHECK_STR(err.where, "audit record 2");
    CHECK_INT(audit_rows(to, NULL), 0);
    CHECK(lt_store_get(to, "patient", "P1", &r, &err) == LT_ENOTFOUND);
    lt_store_close(to);
    lt_store_close(from);
    if (pg_base) {
        /* a server database left with an empty schema can be created in again */
        CHECK(lt_store_open(dst, LT_STORE_CREATE, &to, &err) == LT_OK);
        lt_store_close(to);
    }

    /* a trail from before schema 3 keeps its form-1 hashes */
    path(old, sizeof old, "copy-v2.db");
    CHECK(lt__sqlite_open(old, LT_STORE_CREATE, 2, &from, &err) == LT_OK);
    if (!from) return;
    CHECK(put(from, "patient", "P1", "S1", "{\"v\":1}", 0, "") == LT_OK);
    CHECK(put(from, "patient", "P1", "S1", "{\"v\":2}", 1, "corrected") == LT_OK);
    lt_store_close(from);
    dbloc(dst, sizeof dst, "copy-old.db");
    CHECK(lt_store_open(old, LT_STORE_READ, &from, &err) == LT_OK);
    CHECK(lt_store_open(dst, LT_STORE_CREATE, &to, &err) == LT_OK);
    if (!from || !to) return;
    CHECK_MSG(lt_store_copy(from, to, &v, &err) == LT_OK, "%s: %s", err.where, err.message);
    int form1 = 0;
    lt_store_audit_each(to, NULL, count_form1, &form1, &err);
    CHECK_INT(form1, 2);
    CHECK(lt_store_audit_verify(to, NULL, NULL, &err) == LT_OK);
    lt_store_close(to);
    lt_store_close(from);
}

/* ---- PostgreSQL only ---- */

/* The same schema versions as SQLite: a database left at version 1 is upgraded with its data
 * and chain; one newer than the program is refused and left as it is; a database of another
 * program is not taken for a trial. */
static void test_pg_migrations(void)
{
    char db[512], other[512], line[64], cmd[128];
    lt_store *st = NULL;
    lt_error err;
    CHECK_INT(lt__pg_latest(), lt__sqlite_latest());
    dbloc(db, sizeof db, "old.db");
    CHECK(lt__pg_open(db, LT_STORE_CREATE, 1, 1000, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), 1);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":1}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":2}", 1, "corrected") == LT_OK);
    lt_store_close(st);
    query(db, "SELECT count(*) FROM pg_indexes WHERE indexname='record_by_key'", line, sizeof line);
    CHECK_STR(line, "0\n");
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), lt_store_schema_latest());
    lt_record *r = NULL;
    CHECK(lt_store_get(st, "patient", "P1", &r, &err) == LT_OK);
    if (r) CHECK_STR(r->data, "{\"v\":2}");
    lt_record_free(r);
    CHECK_INT(audit_rows(st, NULL), 2);
    CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    lt_store_close(st);
    query(db, "SELECT count(*) FROM pg_indexes WHERE indexname='record_by_key'", line, sizeof line);
    CHECK_STR(line, "1\n");
    snprintf(cmd, sizeof cmd, "%d\n", lt_store_schema_latest());
    query(db, "SELECT version FROM lutetia_schema", line, sizeof line);
    CHECK_STR(line, cmd);

    CHECK(sql(db, "UPDATE lutetia_schema SET version=99") == 0);
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_EVERSION);
    CHECK(strstr(err.message, "schema version 99") != NULL);
    CHECK(strstr(err.message, "newer") != NULL);
    query(db, "SELECT version FROM lutetia_schema", line, sizeof line);
    CHECK_STR(line, "99\n");
    snprintf(cmd, sizeof cmd, "UPDATE lutetia_schema SET version=%d", lt_store_schema_latest());
    CHECK(sql(db, cmd) == 0);
    CHECK(verify(db, &err) == LT_OK);

    dbloc(other, sizeof other, "other.db");
    CHECK(sql(other, "CREATE TABLE t (x integer)") == 0);
    CHECK(lt_store_open(other, LT_STORE_OPEN, &st, &err) == LT_ENOTFOUND);
    CHECK(lt_store_open(other, LT_STORE_CREATE, &st, &err) == LT_ECONFLICT);
    CHECK_MSG(strstr(err.message, "another program's tables") != NULL, "%s", err.message);
}

/* A read-only open runs no migration and writes nothing; a newer schema is refused. */
static void test_pg_read_only(void)
{
    char db[512], line[64], cmd[128];
    dbloc(db, sizeof db, "v2.db");
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt__pg_open(db, LT_STORE_CREATE, 2, 1000, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":1}", 0, "") == LT_OK);
    CHECK(put(st, "patient", "P1", "S1", "{\"v\":2}", 1, "corrected") == LT_OK);
    lt_store_close(st);
    CHECK(lt_store_open(db, LT_STORE_READ, &st, &err) == LT_OK);
    if (!st) return;
    CHECK_INT(lt_store_schema_version(st), 2);
    CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    CHECK(put(st, "patient", "P2", "S1", "{}", 0, "") != LT_OK);
    CHECK(lt_store_begin(st, &err) != LT_OK);
    CHECK_MSG(strstr(err.message, "read-only") != NULL, "%s", err.message);
    lt_store_close(st);
    query(db, "SELECT version FROM lutetia_schema", line, sizeof line);
    CHECK_STR(line, "2\n");
    query(db, "SELECT count(*) FROM audit", line, sizeof line);
    CHECK_STR(line, "2\n");
    snprintf(cmd, sizeof cmd, "UPDATE lutetia_schema SET version=%d", lt_store_schema_latest() + 1);
    CHECK(sql(db, cmd) == 0);
    CHECK(lt_store_open(db, LT_STORE_READ, &st, &err) == LT_EVERSION);
}

/* The two-role setup of docs/store.md: the owner runs the migrations, the application role
 * writes through lutetia and holds no UPDATE, DELETE or TRUNCATE of the trail, so it cannot
 * even disable the triggers; TRUNCATE is refused to the owner too. */
static const char grants[] =
    "GRANT SELECT, INSERT ON audit, checkpoint, secret, sealed_seed TO lt_app;"
    "GRANT SELECT, INSERT, UPDATE ON record TO lt_app;"
    "GRANT SELECT ON lutetia_schema TO lt_app";

static void app_url(const char *db, char *out, size_t n)
{
    const char *at = strstr(db, "lt_owner@");
    if (!at) {
        snprintf(out, n, "%s", db);
        return;
    }
    snprintf(out, n, "%.*slt_app@%s", (int)(at - db), db, at + strlen("lt_owner@"));
}

static void test_pg_roles(void)
{
    char db[512], app[600], line[64];
    dbloc(db, sizeof db, "roles.db");
    fill(db);
    sql(db, "CREATE ROLE lt_app LOGIN"); /* once per cluster: fails harmlessly after */
    CHECK(sql(db, grants) == 0);
    app_url(db, app, sizeof app);
    CHECK_MSG(strstr(app, "lt_app@") != NULL, "%s", app);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(app, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (st) {
        CHECK(put(st, "patient", "P7", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);
        CHECK(put(st, "patient", "P7", "S1", "{\"state\":\"consented\"}", 1, "") == LT_OK);
        CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    }
    lt_store_close(st);
    query(app, "SELECT has_table_privilege('audit', 'UPDATE') OR has_table_privilege('audit', "
               "'DELETE') OR has_table_privilege('audit', 'TRUNCATE') OR "
               "has_table_privilege('record', 'DELETE')",
          line, sizeof line);
    CHECK_STR(line, "f\n");
    CHECK(sql(app, "UPDATE audit SET reason='x' WHERE seq=3") != 0);
    CHECK(sql(app, "DROP TRIGGER audit_no_update; UPDATE audit SET reason='x' WHERE seq=3") != 0);
    CHECK(sql(app, "DELETE FROM record WHERE id='P1'") != 0);
    CHECK(sql(app, "TRUNCATE audit CASCADE") != 0);
    CHECK(sql(db, "TRUNCATE audit CASCADE") != 0);
    CHECK(sql(db, "TRUNCATE record") != 0);
    CHECK(verify(db, &err) == LT_OK);
    query(db, "SELECT count(*) FROM audit", line, sizeof line);
    CHECK_STR(line, "8\n");

    /* the application role cannot upgrade a schema: the owner must */
    dbloc(db, sizeof db, "roles-old.db");
    CHECK(lt__pg_open(db, LT_STORE_CREATE, 3, 1000, &st, &err) == LT_OK);
    lt_store_close(st);
    CHECK(sql(db, "GRANT SELECT ON lutetia_schema TO lt_app") == 0);
    app_url(db, app, sizeof app);
    CHECK(lt_store_open(app, LT_STORE_OPEN, &st, &err) == LT_EPERM);
    CHECK_MSG(strstr(err.message, "owner role") != NULL, "%s", err.message);
}

/* Ends lutetia's connections to database `name` as a failing network or a restarted server
 * would, and waits until they are gone. */
static void drop_connections(const char *name)
{
    char q[512], line[64];
    snprintf(q, sizeof q,
             "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE "
             "datname='%s' AND application_name='lutetia'",
             name);
    query(pg_base, q, line, sizeof line);
    CHECK_STR(line, "1\n");
}

/* A lost connection: a read or a new transaction reconnects and goes on; a transaction it cut
 * says that nothing was changed and that retrying is safe, and retrying stores the change
 * once. */
static void test_pg_reconnect(void)
{
    char db[512];
    dbloc(db, sizeof db, "reconnect.db");
    fill(db);
    lt_store *st = NULL;
    lt_error err;
    lt_record *r = NULL;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (!st) return;
    drop_connections("lt_reconnect_db");
    CHECK(lt_store_get(st, "patient", "P1", &r, &err) == LT_OK);
    lt_record_free(r);
    r = NULL;

    /* cut after the change, before the commit */
    lt_record rec = {.kind = "patient", .id = "P8", .site = "S1", .patient = "P8",
                     .data = "{\"state\":\"screened\"}"};
    CHECK(lt_store_begin(st, &err) == LT_OK);
    CHECK(lt_store_put(st, &rec, 0, &who, "test.put", "", NULL, &err) == LT_OK);
    drop_connections("lt_reconnect_db");
    CHECK(lt_store_commit(st, &err) == LT_ESTORE);
    CHECK_MSG(strstr(err.message, "nothing was changed") != NULL &&
                  strstr(err.message, "retrying is safe") != NULL,
              "%s", err.message);
    CHECK(lt_store_get(st, "patient", "P8", &r, &err) == LT_ENOTFOUND);
    CHECK(put(st, "patient", "P8", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);

    /* cut inside the transaction, before the change */
    CHECK(lt_store_begin(st, &err) == LT_OK);
    drop_connections("lt_reconnect_db");
    rec.id = rec.patient = "P9";
    CHECK(lt_store_put(st, &rec, 0, &who, "test.put", "", NULL, &err) == LT_ESTORE);
    CHECK_MSG(strstr(err.message, "connection to the database server was lost") != NULL &&
                  strstr(err.message, "retrying is safe") != NULL,
              "%s", err.message);
    lt_store_rollback(st);
    CHECK(put(st, "patient", "P9", "S1", "{\"state\":\"screened\"}", 0, "") == LT_OK);
    CHECK_INT(audit_rows(st, NULL), 8);
    CHECK(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK);
    lt_store_close(st);
}

/* A PostgreSQL trial is backed up with the server's tools: lutetia's file backup says so and
 * leaves nothing behind. */
static void test_pg_backup(void)
{
    char db[512], bak[512];
    dbloc(db, sizeof db, "backup.db");
    fill(db);
    path(bak, sizeof bak, "pg-backup.db");
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_READ, &st, &err) == LT_OK);
    if (!st) return;
    CHECK(lt_store_backup(st, bak, NULL, &err) == LT_EUNSUPPORTED);
    CHECK_MSG(strstr(err.message, "pg_dump") != NULL, "%s", err.message);
    CHECK(access(bak, F_OK) != 0);
    lt_store_close(st);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    const char *env = getenv("LUTETIA_TEST_DB");
    if (env && lt__store_is_pg(env)) pg_base = env;
    printf("store: %s\n", pg_base ? "PostgreSQL" : "SQLite");
    test_records();
    test_hash_reference();
    test_filters();
    test_first_and_revs();
    test_each_nested();
    test_tamper();
    if (pg_base) {
        test_pg_migrations();
        test_pg_read_only();
        test_pg_roles();
        test_pg_reconnect();
        test_pg_backup();
    } else {
        test_migrations();
        test_create_exclusive();
        test_read_only();
        test_backup();
    }
    test_rewritten_chain();
    test_locked();
    test_patient_steps();
    test_steps_at_once();
    test_anchors();
    test_copy();
    test_verify_under_writers();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return lt_test_done();
}
