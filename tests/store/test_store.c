/* Tests of the store: records and revisions, one audit record per change in the same
 * transaction, rollback leaving nothing, the hash chain checked against sha256sum, tampering
 * found by verification (rows edited, deleted, inserted with the sqlite3 tool behind the
 * engine's back), and schema migrations (upgrade keeps data, a newer file is refused untouched). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/store.h"
#include "store_impl.h"

static char dir[] = "/tmp/lt_store_XXXXXX";

static void path(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static int sql(const char *db, const char *statement)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\" >/dev/null 2>&1", db, statement);
    return system(cmd);
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
    path(db, sizeof db, "records.db");
    lt_store *st = NULL;
    lt_error err;
    lt_record *r = NULL;
    CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_ENOTFOUND);
    CHECK(strstr(err.message, "trial init") != NULL);
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
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
    CHECK(lt_store_open("postgresql://x/y", LT_STORE_OPEN, &st, &err) == LT_EUNSUPPORTED);
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
    path(db, sizeof db, "hash.db");
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
             "\"S1\",\"\",\"null\",\"{\\\"code\\\":\\\"S1\\\"}\",\"\",\"%s\"]' | sha256sum",
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
    path(db, sizeof db, "filters.db");
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

static void expect_tamper(const char *name, const char *statement, const char *want_where,
                          const char *want_msg)
{
    char db[512];
    path(db, sizeof db, name);
    fill(db);
    lt_error err;
    CHECK(verify(db, &err) == LT_OK);
    CHECK_MSG(sql(db, statement) == 0, "sqlite3 failed on %s", statement);
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
    path(db, sizeof db, "trigger.db");
    fill(db);
    CHECK(sql(db, "UPDATE audit SET reason='x' WHERE seq=3") != 0);
    CHECK(sql(db, "DELETE FROM audit WHERE seq=3") != 0);
    CHECK(sql(db, "DELETE FROM record WHERE id='P3'") != 0);
    lt_error err;
    CHECK(verify(db, &err) == LT_OK);

    expect_tamper("t1.db", "DROP TRIGGER audit_no_update; UPDATE audit SET reason='none' WHERE seq=6",
                  "audit record 6", "edited");
    expect_tamper("t2.db", "DROP TRIGGER audit_no_update; UPDATE audit SET user='bob' WHERE seq=2",
                  "audit record 2", "edited");
    expect_tamper("t3.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=4",
                  "audit record 5", "record 4 was deleted");
    expect_tamper("t4.db",
                  "INSERT INTO audit SELECT 7, at, user, role, site, action, entity, entity_id,"
                  " patient, old_value, new_value, reason, hash, hash FROM audit WHERE seq=6",
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
    /* deleting the last audit record leaves a record newer than its trail */
    expect_tamper("t9.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=6",
                  "patient 'P1'", "changed behind");
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
    char back[64];
    snprintf(back, sizeof back, "PRAGMA user_version=%d", lt_store_schema_latest());
    CHECK(sql(db, back) == 0);
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

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    test_records();
    test_hash_reference();
    test_filters();
    test_tamper();
    test_migrations();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return lt_test_done();
}
