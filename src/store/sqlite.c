/* The SQLite store: one database file in WAL mode with synchronous=FULL (a commit is on disk
 * when it returns) and foreign keys on, versioned schema migrations, and the operations of
 * store_impl.h. The only file besides sqlite_schema.c that speaks SQL. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store_impl.h"

/* 'Lute' in the file header, so that another program's SQLite file is not taken for a trial. */
#define LT_SQLITE_APPLICATION_ID 0x4c757465

/* The migrations, in order; migration i brings the schema from version i to i + 1. Each runs
 * in the same transaction as the version bump, so a failed upgrade leaves the file as it was.
 * Never edit a migration that has shipped: add a new one. */
static const char *const migrations[] = {
    /* 0 -> 1: records, the audit trail, the secret seed */
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL, site TEXT NOT NULL,"
    "  action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
    "  patient TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL,"
    "  reason TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TABLE record ("
    "  kind TEXT NOT NULL, id TEXT NOT NULL, site TEXT, patient TEXT, key TEXT,"
    "  data TEXT NOT NULL, rev INTEGER NOT NULL,"
    "  audit_seq INTEGER NOT NULL REFERENCES audit(seq),"
    "  PRIMARY KEY (kind, id));"
    "CREATE TRIGGER record_no_delete BEFORE DELETE ON record"
    "  BEGIN SELECT RAISE(ABORT, 'records are corrected, never deleted'); END;"
    "CREATE TABLE secret (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seed BLOB NOT NULL CHECK (length(seed) = 32));"
    "CREATE TRIGGER secret_no_update BEFORE UPDATE ON secret"
    "  BEGIN SELECT RAISE(ABORT, 'the seed is set once'); END;",
    /* 1 -> 2: indexes for selecting by key (strata), patient and site */
    "CREATE INDEX record_by_key ON record (kind, key, audit_seq);"
    "CREATE INDEX record_by_patient ON record (patient, kind);"
    "CREATE INDEX record_by_site ON record (kind, site);"
    "CREATE INDEX audit_by_patient ON audit (patient, seq);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int lt__sqlite_latest(void) { return NMIGRATIONS; }

enum {
    S_GET, S_INSERT, S_UPDATE, S_LAST_KEY, S_COUNT, S_COUNT_KEY, S_SEED_SET, S_SEED_GET,
    S_AUDIT_LAST, S_AUDIT_APPEND, S_BEGIN, S_COMMIT, S_ROLLBACK, S_COUNT_ALL
};

static const char *const sql_text[S_COUNT_ALL] = {
    [S_GET] = "SELECT kind, id, site, patient, key, data, rev FROM record WHERE kind=?1 AND id=?2",
    [S_INSERT] = "INSERT INTO record (kind, id, site, patient, key, data, rev, audit_seq)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_UPDATE] = "UPDATE record SET site=?3, patient=?4, key=?5, data=?6, rev=?7, audit_seq=?8"
                 " WHERE kind=?1 AND id=?2",
    [S_LAST_KEY] = "SELECT kind, id, site, patient, key, data, rev FROM record"
                   " WHERE kind=?1 AND key=?2 ORDER BY audit_seq DESC LIMIT 1",
    [S_COUNT] = "SELECT count(*) FROM record WHERE kind=?1",
    [S_COUNT_KEY] = "SELECT count(*) FROM record WHERE kind=?1 AND key=?2",
    [S_SEED_SET] = "INSERT INTO secret (id, seed) VALUES (1, ?1)",
    [S_SEED_GET] = "SELECT seed FROM secret WHERE id=1",
    [S_AUDIT_LAST] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_APPEND] = "INSERT INTO audit (seq, at, user, role, site, action, entity, entity_id,"
                       " patient, old_value, new_value, reason, prev_hash, hash)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    /* IMMEDIATE takes the write lock now, so the checks a caller makes after begin still hold
     * when it writes */
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

typedef struct sq {
    sqlite3 *db;
    char *path;
    int version;
    sqlite3_stmt *stmt[S_COUNT_ALL];
    lt_status fail; /* db_fail's last status: LT_ENOMEM when SQLite ran out of memory */
} sq;

static lt_status db_fail(sq *s, lt_error *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    lt_status st = LT_ESTORE;
    if ((code & 0xff) == SQLITE_CONSTRAINT) st = LT_ECONFLICT;
    if ((code & 0xff) == SQLITE_NOMEM) st = LT_ENOMEM;
    lt_error_set(err, st, s->path, "%s: %s", what, sqlite3_errmsg(s->db));
    s->fail = st;
    return st; /* never LT_OK, visibly: callers rely on it to skip their outputs */
}

/* A cached statement, reset and with no bindings, ready to bind. */
static sqlite3_stmt *stmt(sq *s, int which, lt_error *err)
{
    if (!s->stmt[which]) {
        if (sqlite3_prepare_v3(s->db, sql_text[which], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->stmt[which], NULL) != SQLITE_OK) {
            db_fail(s, err, "preparing a statement");
            return NULL;
        }
    }
    sqlite3_reset(s->stmt[which]);
    sqlite3_clear_bindings(s->stmt[which]);
    return s->stmt[which];
}

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

static const char *col(sqlite3_stmt *q, int i) { return (const char *)sqlite3_column_text(q, i); }

/* sqlite3_column_text returns NULL for a NULL column and when memory runs out: the second must
 * end the read as an error, or a record would be read as empty (and the audit trail reported
 * as edited). */
static bool row_oom(sq *s) { return (sqlite3_errcode(s->db) & 0xff) == SQLITE_NOMEM; }

static lt_record *row_record(sqlite3_stmt *q)
{
    return lt__record_copy(col(q, 0), col(q, 1), col(q, 2), col(q, 3), col(q, 4),
                           col(q, 5) ? col(q, 5) : "", sqlite3_column_int64(q, 6));
}

static lt_status exec(sq *s, const char *sql, lt_error *err, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        lt_status st = lt_error_set(err, LT_ESTORE, s->path, "%s: %s", what,
                                    msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return st;
    }
    return LT_OK;
}

static lt_status pragma_int(sq *s, const char *sql, int *out, lt_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err, "reading the database header");
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return db_fail(s, err, "reading the database header");
    }
    *out = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return LT_OK;
}

static void sq_close(void *impl)
{
    sq *s = impl;
    if (!s) return;
    for (int i = 0; i < S_COUNT_ALL; i++) sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static int sq_schema_version(void *impl) { return ((sq *)impl)->version; }

static lt_status step_done(sq *s, sqlite3_stmt *q, lt_error *err, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return db_fail(s, err, what);
    return LT_OK;
}

static lt_status sq_begin(void *impl, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_BEGIN, err);
    return q ? step_done(s, q, err, "starting a transaction") : s->fail;
}

static void sq_rollback(void *impl)
{
    sq *s = impl;
    if (sqlite3_get_autocommit(s->db)) return;
    sqlite3_stmt *q = stmt(s, S_ROLLBACK, NULL);
    if (q) {
        sqlite3_step(q);
        sqlite3_reset(q);
    }
}

static lt_status sq_commit(void *impl, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_COMMIT, err);
    lt_status rc = q ? step_done(s, q, err, "committing") : s->fail;
    if (rc != LT_OK) sq_rollback(s);
    return rc;
}

/* Steps a bound single-row query and hands its record to *out. LT_ENOTFOUND when there is no
 * row leaves err for the caller, which knows what was looked for; the statement is reset on
 * every path so the cached statement can be reused. */
static lt_status one_record(sq *s, sqlite3_stmt *q, lt_record **out, lt_error *err)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(q);
        return LT_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        lt_status st = db_fail(s, err, "reading a record");
        sqlite3_reset(q);
        return st;
    }
    lt_record *r = row_record(q);
    if (row_oom(s)) {
        lt_record_free(r);
        lt_status st = db_fail(s, err, "reading a record");
        sqlite3_reset(q);
        return st;
    }
    sqlite3_reset(q);
    if (!r) LT_FAIL(err, LT_ENOMEM, "", "out of memory reading a record");
    *out = r;
    return LT_OK;
}

static lt_status sq_get(void *impl, const char *kind, const char *id, lt_record **out,
                        lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_GET, err);
    if (!q) return s->fail;
    bind_text(q, 1, kind);
    bind_text(q, 2, id);
    lt_status st = one_record(s, q, out, err);
    if (st == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, id, "no %s '%s' in this trial", kind, id);
    return st;
}

static lt_status sq_write(void *impl, const lt_record *rec, int64_t audit_seq, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, rec->rev == 1 ? S_INSERT : S_UPDATE, err);
    if (!q) return s->fail;
    bind_text(q, 1, rec->kind);
    bind_text(q, 2, rec->id);
    bind_text(q, 3, rec->site);
    bind_text(q, 4, rec->patient);
    bind_text(q, 5, rec->key);
    bind_text(q, 6, rec->data);
    sqlite3_bind_int64(q, 7, rec->rev);
    sqlite3_bind_int64(q, 8, audit_seq);
    lt_status rc = step_done(s, q, err, "writing a record");
    if (rc == LT_OK && sqlite3_changes(s->db) != 1)
        LT_FAIL(err, LT_ESTORE, s->path, "writing %s '%s' changed %d rows", rec->kind, rec->id,
                sqlite3_changes(s->db));
    return rc;
}

static lt_status sq_each(void *impl, const char *kind, const lt_record_filter *f,
                         lt_record_fn fn, void *ctx, lt_error *err)
{
    sq *s = impl;
    lt_buf sql = LT_BUF_INIT;
    lt_buf_puts(&sql, "SELECT kind, id, site, patient, key, data, rev FROM record WHERE 1");
    int n = 0;
    if (kind) lt_buf_printf(&sql, " AND kind=?%d", ++n);
    if (f && f->patient) lt_buf_printf(&sql, " AND patient=?%d", ++n);
    if (f && f->key) lt_buf_printf(&sql, " AND key=?%d", ++n);
    if (f && f->nsites) {
        lt_buf_puts(&sql, " AND site IN (");
        for (size_t i = 0; i < f->nsites; i++) lt_buf_printf(&sql, "%s?%d", i ? "," : "", ++n);
        lt_buf_putc(&sql, ')');
    }
    lt_buf_puts(&sql, f && f->key ? " ORDER BY audit_seq" : " ORDER BY kind, id");
    if (lt_buf_failed(&sql)) {
        lt_buf_free(&sql);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, lt_buf_str(&sql), -1, &q, NULL) != SQLITE_OK) {
        lt_buf_free(&sql);
        return db_fail(s, err, "listing records");
    }
    lt_buf_free(&sql);
    n = 0;
    if (kind) bind_text(q, ++n, kind);
    if (f && f->patient) bind_text(q, ++n, f->patient);
    if (f && f->key) bind_text(q, ++n, f->key);
    if (f)
        for (size_t i = 0; i < f->nsites; i++) bind_text(q, ++n, f->sites[i]);
    int rc;
    lt_status st = LT_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        lt_record r = {col(q, 0), col(q, 1), col(q, 2), col(q, 3), col(q, 4),
                       col(q, 5) ? col(q, 5) : "", sqlite3_column_int64(q, 6)};
        if (row_oom(s)) {
            st = db_fail(s, err, "listing records");
            break;
        }
        if (fn(&r, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = db_fail(s, err, "listing records");
    sqlite3_finalize(q);
    return st;
}

static lt_status sq_last_by_key(void *impl, const char *kind, const char *key, lt_record **out,
                                lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_LAST_KEY, err);
    if (!q) return s->fail;
    bind_text(q, 1, kind);
    bind_text(q, 2, key);
    lt_status st = one_record(s, q, out, err);
    if (st == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, key, "no %s with key '%s'", kind, key);
    return st;
}

static lt_status sq_count(void *impl, const char *kind, const char *key, int64_t *out,
                          lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, key ? S_COUNT_KEY : S_COUNT, err);
    if (!q) return s->fail;
    bind_text(q, 1, kind);
    if (key) bind_text(q, 2, key);
    if (sqlite3_step(q) != SQLITE_ROW) {
        lt_status st = db_fail(s, err, "counting records");
        sqlite3_reset(q);
        return st;
    }
    *out = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return LT_OK;
}

static lt_status sq_seed_set(void *impl, const unsigned char *seed, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_SEED_SET, err);
    if (!q) return s->fail;
    sqlite3_bind_blob(q, 1, seed, LT_STORE_SEED_BYTES, SQLITE_STATIC);
    return step_done(s, q, err, "storing the seed");
}

static lt_status sq_seed_get(void *impl, unsigned char *seed, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_SEED_GET, err);
    if (!q) return s->fail;
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(q);
        if (rc == SQLITE_DONE)
            LT_FAIL(err, LT_ECORRUPT, s->path, "the trial's randomisation seed is missing");
        return db_fail(s, err, "reading the seed");
    }
    if (sqlite3_column_bytes(q, 0) != LT_STORE_SEED_BYTES) {
        sqlite3_reset(q);
        LT_FAIL(err, LT_ECORRUPT, s->path, "the trial's randomisation seed has the wrong size");
    }
    memcpy(seed, sqlite3_column_blob(q, 0), LT_STORE_SEED_BYTES);
    sqlite3_reset(q);
    return LT_OK;
}

static lt_status sq_audit_last(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                               lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_AUDIT_LAST, err);
    if (!q) return s->fail;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        *seq = 0;
        memset(hash, '0', LT_STORE_HASH_HEX - 1);
        hash[LT_STORE_HASH_HEX - 1] = '\0';
    } else if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(q, 0);
        const char *h = col(q, 1);
        snprintf(hash, LT_STORE_HASH_HEX, "%s", h ? h : "");
    } else {
        lt_status st = db_fail(s, err, "reading the audit trail");
        sqlite3_reset(q);
        return st;
    }
    sqlite3_reset(q);
    return LT_OK;
}

static lt_status sq_audit_append(void *impl, const lt_audit_record *a, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_AUDIT_APPEND, err);
    if (!q) return s->fail;
    sqlite3_bind_int64(q, 1, a->seq);
    const char *v[] = {a->at,        a->user,      a->role,   a->site,      a->action,
                       a->entity,    a->entity_id, a->patient, a->old_value, a->new_value,
                       a->reason,    a->prev_hash, a->hash};
    for (int i = 0; i < 13; i++) bind_text(q, i + 2, v[i]);
    return step_done(s, q, err, "appending to the audit trail");
}

static lt_status sq_audit_each(void *impl, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                               lt_error *err)
{
    sq *s = impl;
    lt_buf sql = LT_BUF_INIT;
    lt_buf_puts(&sql, "SELECT seq, at, user, role, site, action, entity, entity_id, patient,"
                      " old_value, new_value, reason, prev_hash, hash FROM audit WHERE 1");
    int n = 0;
    if (f && f->patient) lt_buf_printf(&sql, " AND patient=?%d", ++n);
    if (f && f->since) lt_buf_printf(&sql, " AND at>=?%d", ++n);
    if (f && f->nsites) {
        lt_buf_puts(&sql, " AND (site='' OR site IN (");
        for (size_t i = 0; i < f->nsites; i++) lt_buf_printf(&sql, "%s?%d", i ? "," : "", ++n);
        lt_buf_puts(&sql, "))");
    }
    lt_buf_puts(&sql, " ORDER BY seq");
    if (lt_buf_failed(&sql)) {
        lt_buf_free(&sql);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, lt_buf_str(&sql), -1, &q, NULL) != SQLITE_OK) {
        lt_buf_free(&sql);
        return db_fail(s, err, "reading the audit trail");
    }
    lt_buf_free(&sql);
    n = 0;
    if (f && f->patient) bind_text(q, ++n, f->patient);
    if (f && f->since) bind_text(q, ++n, f->since);
    if (f)
        for (size_t i = 0; i < f->nsites; i++) bind_text(q, ++n, f->sites[i]);
    int rc;
    lt_status st = LT_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        /* A NULL smuggled into a NOT NULL column (possible only by rebuilding the table)
         * reads as "" and then fails the hash check, never crashes. */
        const char *c[13];
        for (int i = 0; i < 13; i++) c[i] = col(q, i + 1) ? col(q, i + 1) : "";
        if (row_oom(s)) {
            st = db_fail(s, err, "reading the audit trail");
            break;
        }
        lt_audit_record a = {sqlite3_column_int64(q, 0), c[0], c[1], c[2], c[3], c[4], c[5],
                             c[6], c[7], c[8], c[9], c[10], c[11], c[12]};
        if (fn(&a, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = db_fail(s, err, "reading the audit trail");
    sqlite3_finalize(q);
    return st;
}

static const lt__store_ops sqlite_ops = {
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .get = sq_get,
    .write = sq_write,
    .each = sq_each,
    .last_by_key = sq_last_by_key,
    .count = sq_count,
    .seed_set = sq_seed_set,
    .seed_get = sq_seed_get,
    .audit_last = sq_audit_last,
    .audit_append = sq_audit_append,
    .audit_each = sq_audit_each,
};

/* Brings the schema from its current version to target, each step in its own transaction with
 * the version bump, so that an interrupted upgrade leaves a consistent older version. */
static lt_status migrate(sq *s, int target, lt_error *err)
{
    while (s->version < target) {
        char bump[64];
        lt_status rc = exec(s, "BEGIN IMMEDIATE", err, "starting the schema upgrade");
        if (rc != LT_OK) return rc;
        /* re-read under the lock: another process may have upgraded meanwhile */
        int now;
        rc = pragma_int(s, "PRAGMA user_version", &now, err);
        if (rc == LT_OK && now != s->version) {
            s->version = now;
            exec(s, "ROLLBACK", NULL, "");
            continue;
        }
        if (rc == LT_OK) rc = exec(s, migrations[s->version], err, "upgrading the schema");
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", s->version + 1);
        if (rc == LT_OK) rc = exec(s, bump, err, "upgrading the schema");
        if (rc == LT_OK && s->version == 0) {
            snprintf(bump, sizeof bump, "PRAGMA application_id = %d", LT_SQLITE_APPLICATION_ID);
            rc = exec(s, bump, err, "upgrading the schema");
        }
        if (rc == LT_OK) rc = exec(s, "COMMIT", err, "upgrading the schema");
        if (rc != LT_OK) {
            exec(s, "ROLLBACK", NULL, "");
            return rc;
        }
        s->version++;
    }
    return LT_OK;
}

lt_status lt__sqlite_open(const char *path, lt_store_mode mode, int target_version,
                          lt_store **out, lt_error *err)
{
    if (target_version < 0 || target_version > NMIGRATIONS) target_version = NMIGRATIONS;
    bool exists = access(path, F_OK) == 0;
    if (mode == LT_STORE_OPEN && !exists)
        LT_FAIL(err, LT_ENOTFOUND, path,
                "no trial database here (create one with 'lutetia trial init', or name it with "
                "--db or LUTETIA_DB)");
    sq *s = calloc(1, sizeof *s);
    lt_store *st = calloc(1, sizeof *st);
    if (s) s->path = strdup(path);
    if (!s || !st || !s->path) {
        if (s) free(s->path);
        free(s);
        free(st);
        LT_FAIL(err, LT_ENOMEM, path, "out of memory opening the database");
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (mode == LT_STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
    lt_status rc = LT_OK;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = lt_error_set(err, LT_EIO, path, "cannot open the database: %s",
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    /* Wait for another writer instead of failing at once: a coordinator and the server may
     * write at the same moment. */
    sqlite3_busy_timeout(s->db, 10000);
    int appid = 0;
    rc = pragma_int(s, "PRAGMA user_version", &s->version, err);
    if (rc == LT_OK) rc = pragma_int(s, "PRAGMA application_id", &appid, err);
    if (rc != LT_OK) {
        /* "file is not a database" and the like */
        rc = lt_error_set(err, LT_ESTORE, path, "not a Lutetia trial database: %s",
                          sqlite3_errmsg(s->db));
        goto fail;
    }
    if (s->version > 0 && appid != LT_SQLITE_APPLICATION_ID) {
        rc = lt_error_set(err, LT_ESTORE, path,
                          "an SQLite database, but not a Lutetia trial (application id %d)",
                          appid);
        goto fail;
    }
    int ntables = 0;
    if (mode == LT_STORE_CREATE && s->version == 0 &&
        pragma_int(s, "SELECT count(*) FROM sqlite_master", &ntables, err) == LT_OK &&
        ntables > 0) {
        rc = lt_error_set(err, LT_ECONFLICT, path,
                          "this SQLite file already holds another program's tables");
        goto fail;
    }
    if (mode == LT_STORE_CREATE && s->version > 0) {
        rc = lt_error_set(err, LT_ECONFLICT, path, "a trial database already exists here");
        goto fail;
    }
    if (mode == LT_STORE_OPEN && s->version == 0) {
        rc = lt_error_set(err, LT_ESTORE, path, "not a Lutetia trial database (no schema)");
        goto fail;
    }
    if (s->version > NMIGRATIONS) {
        rc = lt_error_set(err, LT_EVERSION, path,
                          "the database has schema version %d, newer than this program "
                          "(which knows up to %d): use a newer lutetia; the file was not changed",
                          s->version, NMIGRATIONS);
        goto fail;
    }
    /* WAL lets readers go on while one writer commits; FULL syncs the WAL on every commit so an
     * acknowledged change survives power loss, not only a process crash. */
    rc = exec(s, "PRAGMA journal_mode=WAL", err, "setting WAL mode");
    if (rc == LT_OK) rc = exec(s, "PRAGMA synchronous=FULL", err, "setting synchronous=FULL");
    if (rc == LT_OK) rc = exec(s, "PRAGMA foreign_keys=ON", err, "enabling foreign keys");
    if (rc == LT_OK) rc = migrate(s, target_version, err);
    if (rc != LT_OK) goto fail;
    st->ops = &sqlite_ops;
    st->impl = s;
    *out = st;
    return LT_OK;
fail:
    sq_close(s);
    free(st);
    return rc;
}
