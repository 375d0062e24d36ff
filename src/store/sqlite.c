/* The SQLite store: one database file in WAL mode with synchronous=FULL (a commit is on disk
 * when it returns; for a server, lt_store_defer_sync moves that wait to lt_store_sync, shared
 * with the process's other connections: flush.c) and foreign keys on, versioned schema migrations, and the operations of
 * store_impl.h. The only file besides sqlite_schema.c that speaks SQL. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lutetia/date.h"
#include "flush.h"
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
    /* 2 -> 3: the record's key in its audit record (hashed form 2, so that verification checks
     * the key too); signed checkpoints of the audit head, append-only like the trail */
    "ALTER TABLE audit ADD COLUMN form INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE audit ADD COLUMN key TEXT;"
    "CREATE TABLE checkpoint ("
    "  seq INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL,"
    "  public_key TEXT NOT NULL, signature TEXT NOT NULL,"
    "  PRIMARY KEY (seq, public_key));"
    "CREATE TRIGGER checkpoint_no_update BEFORE UPDATE ON checkpoint"
    "  BEGIN SELECT RAISE(ABORT, 'checkpoints are never changed'); END;"
    "CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint"
    "  BEGIN SELECT RAISE(ABORT, 'checkpoints are never changed'); END;",
    /* 3 -> 4: the seed sealed (libsodium secretbox: nonce then box) under a key kept outside
     * the file, so that a copy of the file predicts nothing; the clear `secret` table stays
     * only for trials created before, and new trials leave it empty */
    "CREATE TABLE sealed_seed (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  box BLOB NOT NULL CHECK (length(box) = 72));"
    "CREATE TRIGGER sealed_seed_no_update BEFORE UPDATE ON sealed_seed"
    "  BEGIN SELECT RAISE(ABORT, 'the seed is set once'); END;"
    "CREATE TRIGGER sealed_seed_no_delete BEFORE DELETE ON sealed_seed"
    "  BEGIN SELECT RAISE(ABORT, 'the seed is set once'); END;",
    /* 4 -> 5: a patient's records by kind, key and id (was by kind only), so that the first of
     * them (a lab's baseline: ids are PATIENT/DATE/ANALYTE) is one read, not a scan of the
     * patient's history */
    "DROP INDEX record_by_patient;"
    "CREATE INDEX record_by_patient ON record (patient, kind, key, id);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int lt__sqlite_latest(void) { return NMIGRATIONS; }

enum {
    S_GET, S_INSERT, S_UPDATE, S_LAST_KEY, S_FIRST_OF_PATIENT, S_STAMP, S_STAMP_ID, S_COUNT, S_COUNT_KEY, S_SEED_SET, S_SEED_GET,
    S_SEALED_SET, S_SEALED_GET, S_AUDIT_LAST, S_AUDIT_APPEND, S_AUDIT_APPEND_V1, S_AUDIT_HASH_AT,
    S_CHECKPOINT_ADD, S_BEGIN, S_COMMIT, S_ROLLBACK, S_COUNT_ALL
};

static const char *const sql_text[S_COUNT_ALL] = {
    [S_GET] = "SELECT kind, id, site, patient, key, data, rev, audit_seq FROM record"
              " WHERE kind=?1 AND id=?2",
    [S_INSERT] = "INSERT INTO record (kind, id, site, patient, key, data, rev, audit_seq)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_UPDATE] = "UPDATE record SET site=?3, patient=?4, key=?5, data=?6, rev=?7, audit_seq=?8"
                 " WHERE kind=?1 AND id=?2",
    [S_LAST_KEY] = "SELECT kind, id, site, patient, key, data, rev, audit_seq FROM record"
                   " WHERE kind=?1 AND key=?2 ORDER BY audit_seq DESC LIMIT 1",
    [S_FIRST_OF_PATIENT] = "SELECT kind, id, site, patient, key, data, rev, audit_seq FROM record"
                           " WHERE patient=?2 AND kind=?1 AND key=?3 ORDER BY id LIMIT 1",
    /* a kind's from record_by_key (kind, key, audit_seq) alone, without the records' rows */
    [S_STAMP] = "SELECT count(*), coalesce(max(audit_seq), 0) FROM record WHERE kind=?1",
    [S_STAMP_ID] = "SELECT count(*), coalesce(max(audit_seq), 0) FROM record WHERE kind=?1 AND id=?2",
    [S_COUNT] = "SELECT count(*) FROM record WHERE kind=?1",
    [S_COUNT_KEY] = "SELECT count(*) FROM record WHERE kind=?1 AND key=?2",
    [S_SEED_SET] = "INSERT INTO secret (id, seed) VALUES (1, ?1)",
    [S_SEED_GET] = "SELECT seed FROM secret WHERE id=1",
    [S_SEALED_SET] = "INSERT INTO sealed_seed (id, box) VALUES (1, ?1)",
    [S_SEALED_GET] = "SELECT box FROM sealed_seed WHERE id=1",
    [S_AUDIT_LAST] = "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_APPEND] = "INSERT INTO audit (seq, at, user, role, site, action, entity, entity_id,"
                       " patient, old_value, new_value, reason, prev_hash, hash, form, key)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                       " ?15, ?16)",
    /* the form-1 record a schema before 3 holds (a store kept at an old version by a test) */
    [S_AUDIT_APPEND_V1] = "INSERT INTO audit (seq, at, user, role, site, action, entity,"
                          " entity_id, patient, old_value, new_value, reason, prev_hash, hash)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [S_AUDIT_HASH_AT] = "SELECT hash FROM audit WHERE seq=?1",
    [S_CHECKPOINT_ADD] = "INSERT INTO checkpoint (seq, hash, at, public_key, signature)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* IMMEDIATE takes the write lock now, so the checks a caller makes after begin still hold
     * when it writes */
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

#define LT__SQ_EACH_KEPT 12

typedef struct sq {
    sqlite3 *db;
    char *path;
    int version;
    int busy_ms;
    bool readonly;
    /* sq_each's statements kept prepared, by their SQL text (a calendar or a write lists a
     * dozen kinds of one patient's records; parsing each query again was a tenth of a short
     * request); busy while stepped, so that a listing inside another's callback prepares its
     * own */
    struct {
        char *sql;
        sqlite3_stmt *q;
        bool busy;
    } each[LT__SQ_EACH_KEPT];
    unsigned each_next; /* the slot the next new statement replaces */
    struct timespec busy_since; /* when the current wait for a lock began */
    uint32_t jitter;            /* xorshift state spreading the waiters' retries */
    sqlite3_stmt *stmt[S_COUNT_ALL];
    /* the read side's small statements kept prepared (K_...): a server request begins and
     * ends a read snapshot and reads the change stamp; parsing them each time was a
     * fourteenth of a calendar read (profiled under wrk) */
    sqlite3_stmt *kept[4];
    lt_status fail; /* db_fail's last status: LT_ENOMEM when SQLite ran out of memory */
    /* lt_store_defer_sync: commits do not wait for the disk (synchronous=NORMAL); ticket is
     * the flush group's ticket still to wait for (0: none), taken at each commit; changes is
     * SQLite's count of rows changed by the connection when the last ticket was taken */
    lt__flush_group *flush;
    sqlite3_int64 changes;
    uint64_t ticket;
} sq;

enum { K_BEGIN, K_FIRST_READ, K_ROLLBACK, K_DATA_VERSION };

/* The cause of an SQLite error in words a coordinator can act on, and its status. Nothing is
 * half-done after any of them: the transaction was rolled back. */
static lt_status cause(sqlite3 *db, int busy_ms, char *msg, size_t n)
{
    int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    int sys = db ? sqlite3_system_errno(db) : 0;
    const char *text = db ? sqlite3_errmsg(db) : "out of memory";
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(msg, n,
                 "the database is locked by another process (waited %d ms); nothing was "
                 "changed, retrying is safe",
                 busy_ms);
        return LT_ESTORE;
    case SQLITE_FULL:
        snprintf(msg, n, "the disk is full (or the file size limit was reached); nothing was "
                         "changed: free space and retry");
        return LT_EIO;
    case SQLITE_READONLY:
        snprintf(msg, n, "the database is read-only (its file, folder or mount cannot be "
                         "written); nothing was changed");
        return LT_EIO;
    case SQLITE_NOTADB:
        snprintf(msg, n, "not a Lutetia trial database (%s)", text);
        return LT_ESTORE;
    case SQLITE_CORRUPT:
        snprintf(msg, n, "the database file is damaged (%s)", text);
        return LT_ECORRUPT;
    case SQLITE_CONSTRAINT: snprintf(msg, n, "%s", text); return LT_ECONFLICT;
    case SQLITE_NOMEM: snprintf(msg, n, "out of memory"); return LT_ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT) {
            snprintf(msg, n, "the disk is full (or the file size limit was reached: %s); "
                             "nothing was changed: free space and retry",
                     strerror(sys));
            return LT_EIO;
        }
        if (sys == EROFS || sys == EACCES || sys == EPERM) {
            snprintf(msg, n, "the database is read-only or not accessible (%s); nothing was "
                             "changed",
                     strerror(sys));
            return LT_EIO;
        }
        snprintf(msg, n, "%s%s%s", text, sys ? ": " : "", sys ? strerror(sys) : "");
        return LT_EIO;
    default: snprintf(msg, n, "%s", text); return LT_ESTORE;
    }
}

static lt_status db_fail(sq *s, lt_error *err, const char *what)
{
    char msg[LT_ERROR_MESSAGE_MAX];
    lt_status st = cause(s->db, s->busy_ms, msg, sizeof msg);
    lt_error_set(err, st, s->path, "%s: %s", what, msg);
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
                           col(q, 5) ? col(q, 5) : "", sqlite3_column_int64(q, 6),
                           sqlite3_column_int64(q, 7));
}

static lt_status exec(sq *s, const char *sql, lt_error *err, const char *what)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_fail(s, err, what);
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
    for (size_t i = 0; i < sizeof s->kept / sizeof s->kept[0]; i++) sqlite3_finalize(s->kept[i]);
    for (int i = 0; i < LT__SQ_EACH_KEPT; i++) {
        sqlite3_finalize(s->each[i].q);
        free(s->each[i].sql);
    }
    sqlite3_close(s->db);
    lt__flush_leave(s->flush);
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
    if (s->readonly)
        LT_FAIL(err, LT_EINVAL, s->path,
                "the database was opened read-only (to verify or copy it): no change is made");
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

/* Steps kept statement k (prepared from sql on first use) once; its first column, if it gives
 * a row, into *out (may be NULL). */
static lt_status kept_step(sq *s, int k, const char *sql, int64_t *out, lt_error *err,
                           const char *what)
{
    if (!s->kept[k] && sqlite3_prepare_v2(s->db, sql, -1, &s->kept[k], NULL) != SQLITE_OK) {
        s->kept[k] = NULL;
        return db_fail(s, err, what);
    }
    int rc = sqlite3_step(s->kept[k]);
    if (rc == SQLITE_ROW && out) *out = sqlite3_column_int64(s->kept[k], 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(s->kept[k]);
        return db_fail(s, err, what);
    }
    sqlite3_reset(s->kept[k]);
    return LT_OK;
}

/* In WAL mode a deferred BEGIN followed by a first read fixes the snapshot the whole
 * transaction reads (SQLite: "isolation"); the first read is made here, so the snapshot does not
 * depend on which table the caller reads first. */
static lt_status sq_read_begin(void *impl, lt_error *err)
{
    sq *s = impl;
    lt_status rc = kept_step(s, K_BEGIN, "BEGIN DEFERRED", NULL, err, "starting a read transaction");
    if (rc != LT_OK) return rc;
    int64_t n;
    rc = kept_step(s, K_FIRST_READ, "SELECT count(*) FROM sqlite_master", &n, err,
                   "reading the database header");
    if (rc != LT_OK) kept_step(s, K_ROLLBACK, "ROLLBACK", NULL, NULL, "");
    return rc;
}

/* SQLite's PRAGMA data_version: changes when another connection commits, never for this
 * connection's own commits. */
static lt_status sq_data_version(void *impl, int64_t *out, lt_error *err)
{
    return kept_step(impl, K_DATA_VERSION, "PRAGMA data_version", out, err,
                     "reading the database header");
}

static void sq_read_end(void *impl)
{
    sq *s = impl;
    if (!sqlite3_get_autocommit(s->db)) kept_step(s, K_ROLLBACK, "ROLLBACK", NULL, NULL, "");
}

static lt_status sq_commit(void *impl, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_COMMIT, err);
    lt_status rc = q ? step_done(s, q, err, "committing") : s->fail;
    if (rc != LT_OK) sq_rollback(s);
    if (rc == LT_OK && s->flush) { /* a ticket now: a flush begun after this covers it */
        s->ticket = lt__flush_ticket(s->flush);
        s->changes = sqlite3_total_changes64(s->db);
    }
    return rc;
}

/* ---- deferred durability (flush.h) ---- */

static lt_status sq_defer_sync(void *impl, lt_error *err)
{
    sq *s = impl;
    if (s->flush || s->readonly) return LT_OK;
    struct stat sb;
    if (stat(s->path, &sb) != 0)
        LT_FAIL(err, LT_EIO, s->path, "cannot read the database file: %s", strerror(errno));
    /* NORMAL in WAL mode: a commit writes its pages to the WAL without waiting for the disk;
     * the WAL is still synced before every checkpoint copies it into the database */
    lt_status rc = exec(s, "PRAGMA synchronous=NORMAL", err, "setting synchronous=NORMAL");
    if (rc != LT_OK) return rc;
    if (!(s->flush = lt__flush_join(sb.st_dev, sb.st_ino))) {
        exec(s, "PRAGMA synchronous=FULL", NULL, "setting synchronous=FULL");
        LT_FAIL(err, LT_ENOMEM, s->path, "out of memory");
    }
    /* what was committed before waited for the disk */
    s->changes = sqlite3_total_changes64(s->db);
    return LT_OK;
}

/* Flushes the WAL through SQLite's own handle of it (the same file every connection of the
 * process writes): its VFS's sync, fdatasync on Linux. */
static int flush_wal(void *ctx)
{
    sq *s = ctx;
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods)
        return EBADF;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : EIO;
}

static lt_status sq_sync(void *impl, lt_error *err)
{
    sq *s = impl;
    if (!s->flush) return LT_OK;
    /* a change since the last commit's ticket, made outside a transaction: it is written (to
     * the WAL, not yet to the disk) before the ticket taken now, so the flush covers it */
    sqlite3_int64 changes = sqlite3_total_changes64(s->db);
    if (changes != s->changes) {
        s->changes = changes;
        s->ticket = lt__flush_ticket(s->flush);
    }
    if (!s->ticket) return LT_OK;
    lt_status rc = lt__flush_wait(s->flush, s->ticket, flush_wal, s, s->path, err);
    if (rc == LT_OK) s->ticket = 0;
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

static lt_status sq_load(void *impl, const lt_record *rec, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_INSERT, err);
    if (!q) return s->fail;
    bind_text(q, 1, rec->kind);
    bind_text(q, 2, rec->id);
    bind_text(q, 3, rec->site);
    bind_text(q, 4, rec->patient);
    bind_text(q, 5, rec->key);
    bind_text(q, 6, rec->data);
    sqlite3_bind_int64(q, 7, rec->rev);
    sqlite3_bind_int64(q, 8, rec->audit_seq);
    return step_done(s, q, err, "writing a record");
}

static lt_status sq_each(void *impl, const char *kind, const lt_record_filter *f,
                         lt_record_fn fn, void *ctx, lt_error *err)
{
    sq *s = impl;
    lt_buf sql = LT_BUF_INIT;
    bool authors = f && f->authors;
    sqlite3_stmt *q = NULL;
    int n = 0;
    lt_buf_puts(&sql, "SELECT r.kind, r.id, r.site, r.patient, r.key, r.data, r.rev, r.audit_seq");
    /* the author of a revision is its audit record's: joined here so that a listing reads
     * records and authors in one query (and one snapshot) */
    lt_buf_puts(&sql, authors ? ", a.user, a.role, a.at FROM record r" : " FROM record r");
    /* One patient's records: through the (patient, kind) index. Left to itself the planner
     * takes the primary key, which gives the ORDER BY for free but reads every record of the
     * kind (seen: 0.9 s to derive one endpoint of 106 patients, for ~1,000 such reads). */
    if (f && f->patient && s->version >= 2) lt_buf_puts(&sql, " INDEXED BY record_by_patient");
    if (authors) lt_buf_puts(&sql, " JOIN audit a ON a.seq = r.audit_seq");
    lt_buf_puts(&sql, " WHERE 1");
    if (kind) lt_buf_printf(&sql, " AND r.kind=?%d", ++n);
    if (f && f->patient) lt_buf_printf(&sql, " AND r.patient=?%d", ++n);
    if (f && f->key) lt_buf_printf(&sql, " AND r.key=?%d", ++n);
    if (f && f->nsites) {
        lt_buf_puts(&sql, " AND r.site IN (");
        for (size_t i = 0; i < f->nsites; i++) lt_buf_printf(&sql, "%s?%d", i ? "," : "", ++n);
        lt_buf_putc(&sql, ')');
    }
    lt_buf_puts(&sql, f && f->key ? " ORDER BY r.audit_seq" : " ORDER BY r.kind, r.id");
    if (lt_buf_failed(&sql)) {
        lt_buf_free(&sql);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    int kept = -1; /* the slot of s->each the statement is kept in */
    for (int i = 0; i < LT__SQ_EACH_KEPT && kept < 0; i++)
        if (s->each[i].sql && !s->each[i].busy && !strcmp(s->each[i].sql, lt_buf_str(&sql))) {
            kept = i;
            q = s->each[i].q;
            sqlite3_clear_bindings(q);
        }
    if (kept < 0) {
        if (sqlite3_prepare_v3(s->db, lt_buf_str(&sql), -1, SQLITE_PREPARE_PERSISTENT, &q,
                               NULL) != SQLITE_OK) {
            lt_buf_free(&sql);
            return db_fail(s, err, "listing records");
        }
        /* kept in the next slot whose statement is not being stepped (else used once) */
        for (unsigned k = 0; k < LT__SQ_EACH_KEPT && kept < 0; k++) {
            unsigned i = (s->each_next + k) % LT__SQ_EACH_KEPT;
            if (s->each[i].busy) continue;
            char *text = strdup(lt_buf_str(&sql));
            if (!text) break; /* not kept: finalized after use */
            sqlite3_finalize(s->each[i].q);
            free(s->each[i].sql);
            s->each[i].sql = text;
            s->each[i].q = q;
            s->each_next = (i + 1) % LT__SQ_EACH_KEPT;
            kept = (int)i;
        }
    }
    lt_buf_free(&sql);
    if (kept >= 0) s->each[kept].busy = true;
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
                       col(q, 5) ? col(q, 5) : "", sqlite3_column_int64(q, 6),
                       sqlite3_column_int64(q, 7), NULL, NULL, NULL};
        if (authors) {
            r.author = col(q, 8);
            r.author_role = col(q, 9);
            r.written_at = col(q, 10);
        }
        if (row_oom(s)) {
            st = db_fail(s, err, "listing records");
            break;
        }
        if (fn(&r, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = db_fail(s, err, "listing records");
    if (kept >= 0) {
        /* reset now: a statement left mid-read would hold its read snapshot open */
        sqlite3_reset(q);
        s->each[kept].busy = false;
    } else {
        sqlite3_finalize(q);
    }
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

static lt_status sq_first_of_patient(void *impl, const char *kind, const char *patient,
                                    const char *key, lt_record **out, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_FIRST_OF_PATIENT, err);
    if (!q) return s->fail;
    bind_text(q, 1, kind);
    bind_text(q, 2, patient);
    bind_text(q, 3, key);
    lt_status st = one_record(s, q, out, err);
    if (st == LT_ENOTFOUND)
        LT_FAIL(err, LT_ENOTFOUND, key, "patient %s has no %s with key '%s'", patient, kind, key);
    return st;
}

static lt_status sq_stamp(void *impl, const char *kind, const char *id, int64_t *n,
                          int64_t *last, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, id ? S_STAMP_ID : S_STAMP, err);
    if (!q) return s->fail;
    bind_text(q, 1, kind);
    if (id) bind_text(q, 2, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        lt_status st = db_fail(s, err, "reading the records' last changes");
        sqlite3_reset(q);
        return st;
    }
    *n = sqlite3_column_int64(q, 0);
    *last = sqlite3_column_int64(q, 1);
    sqlite3_reset(q);
    return LT_OK;
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

static lt_status sq_sealed_seed_set(void *impl, const unsigned char *box, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_SEALED_SET, err);
    if (!q) return s->fail;
    sqlite3_bind_blob(q, 1, box, LT_STORE_SEALED_SEED_BYTES, SQLITE_STATIC);
    return step_done(s, q, err, "storing the sealed seed");
}

/* LT_ENOTFOUND (err untouched) when no sealed seed is stored: a trial created before seeds
 * were sealed keeps its seed in the clear table. */
static lt_status sq_sealed_seed_get(void *impl, unsigned char *box, lt_error *err)
{
    sq *s = impl;
    if (s->version < 4) return LT_ENOTFOUND; /* a file opened read-only at an older schema */
    sqlite3_stmt *q = stmt(s, S_SEALED_GET, err);
    if (!q) return s->fail;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(q);
        return LT_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        lt_status st = db_fail(s, err, "reading the sealed seed");
        sqlite3_reset(q);
        return st;
    }
    if (sqlite3_column_bytes(q, 0) != LT_STORE_SEALED_SEED_BYTES) {
        sqlite3_reset(q);
        LT_FAIL(err, LT_ECORRUPT, s->path, "the trial's sealed seed has the wrong size");
    }
    memcpy(box, sqlite3_column_blob(q, 0), LT_STORE_SEALED_SEED_BYTES);
    sqlite3_reset(q);
    return LT_OK;
}

static lt_status sq_audit_last(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                               char *at, lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_AUDIT_LAST, err);
    if (!q) return s->fail;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        *seq = 0;
        memset(hash, '0', LT_STORE_HASH_HEX - 1);
        hash[LT_STORE_HASH_HEX - 1] = '\0';
        at[0] = '\0';
    } else if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(q, 0);
        const char *h = col(q, 1), *t = col(q, 2);
        snprintf(hash, LT_STORE_HASH_HEX, "%s", h ? h : "");
        snprintf(at, LT_TIME_STR_MAX, "%s", t ? t : "");
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
    sqlite3_stmt *q = stmt(s, a->form >= 2 ? S_AUDIT_APPEND : S_AUDIT_APPEND_V1, err);
    if (!q) return s->fail;
    sqlite3_bind_int64(q, 1, a->seq);
    const char *v[] = {a->at,        a->user,      a->role,   a->site,      a->action,
                       a->entity,    a->entity_id, a->patient, a->old_value, a->new_value,
                       a->reason,    a->prev_hash, a->hash};
    for (int i = 0; i < 13; i++) bind_text(q, i + 2, v[i]);
    if (a->form >= 2) {
        sqlite3_bind_int(q, 15, a->form);
        bind_text(q, 16, a->key);
    }
    return step_done(s, q, err, "appending to the audit trail");
}

static lt_status sq_audit_each(void *impl, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                               lt_error *err)
{
    sq *s = impl;
    lt_buf sql = LT_BUF_INIT;
    lt_buf_puts(&sql, "SELECT seq, at, user, role, site, action, entity, entity_id, patient,"
                      " old_value, new_value, reason, prev_hash, hash");
    /* a file opened read-only is not upgraded: before schema 3 every record has form 1 */
    lt_buf_puts(&sql, s->version >= 3 ? ", form, key" : ", 1, NULL");
    lt_buf_puts(&sql, " FROM audit WHERE 1");
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
        const char *key = col(q, 15);
        /* every column read before the check: a NULL from memory running out must not pass
         * for a NULL key and fail the hash of an intact record */
        if (row_oom(s)) {
            st = db_fail(s, err, "reading the audit trail");
            break;
        }
        lt_audit_record a = {sqlite3_column_int64(q, 0), c[0], c[1], c[2], c[3], c[4], c[5],
                             c[6], c[7], c[8], c[9], c[10], c[11], c[12],
                             sqlite3_column_int(q, 14), key};
        if (fn(&a, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = db_fail(s, err, "reading the audit trail");
    sqlite3_finalize(q);
    return st;
}

static lt_status sq_audit_hash_at(void *impl, int64_t seq, char hash[LT_STORE_HASH_HEX],
                                  lt_error *err)
{
    sq *s = impl;
    sqlite3_stmt *q = stmt(s, S_AUDIT_HASH_AT, err);
    if (!q) return s->fail;
    sqlite3_bind_int64(q, 1, seq);
    int rc = sqlite3_step(q);
    lt_status st = LT_OK;
    if (rc == SQLITE_ROW)
        snprintf(hash, LT_STORE_HASH_HEX, "%s", col(q, 0) ? col(q, 0) : "");
    else if (rc == SQLITE_DONE)
        st = lt_error_set(err, LT_ENOTFOUND, s->path, "no audit record %lld", (long long)seq);
    else
        st = db_fail(s, err, "reading the audit trail");
    sqlite3_reset(q);
    return st;
}

static lt_status sq_checkpoint_add(void *impl, const lt__checkpoint *c, lt_error *err)
{
    sq *s = impl;
    if (s->version < 3)
        LT_FAIL(err, LT_ESTORE, s->path, "this database is too old for checkpoints");
    sqlite3_stmt *q = stmt(s, S_CHECKPOINT_ADD, err);
    if (!q) return s->fail;
    sqlite3_bind_int64(q, 1, c->seq);
    bind_text(q, 2, c->hash);
    bind_text(q, 3, c->at);
    bind_text(q, 4, c->public_key);
    bind_text(q, 5, c->signature);
    return step_done(s, q, err, "storing the checkpoint");
}

static lt_status sq_checkpoint_each(void *impl, int (*fn)(const lt__checkpoint *c, void *ctx),
                                    void *ctx, lt_error *err)
{
    sq *s = impl;
    if (s->version < 3) return LT_OK; /* opened read-only before the upgrade: none yet */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT seq, hash, at, public_key, signature FROM checkpoint"
                           " ORDER BY seq, public_key",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err, "reading the checkpoints");
    int rc;
    lt_status st = LT_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        lt__checkpoint c = {sqlite3_column_int64(q, 0), col(q, 1) ? col(q, 1) : "",
                            col(q, 2) ? col(q, 2) : "", col(q, 3) ? col(q, 3) : "",
                            col(q, 4) ? col(q, 4) : ""};
        if (fn(&c, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = db_fail(s, err, "reading the checkpoints");
    sqlite3_finalize(q);
    return st;
}

static lt_status sq_backup_to(void *impl, const char *path, lt_error *err)
{
    sq *s = impl;
    sqlite3 *dest = NULL;
    lt_status st = LT_OK;
    if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        char msg[LT_ERROR_MESSAGE_MAX];
        (void)cause(dest, s->busy_ms, msg, sizeof msg);
        lt_error_set(err, LT_EIO, path, "cannot open the copy: %s", msg);
        sqlite3_close(dest);
        return LT_EIO;
    }
    sqlite3_extended_result_codes(dest, 1);
    /* One step copies every page under the source's read snapshot (the caller's read
     * transaction), the pages still in the -wal file included: a copy of the file alone
     * misses those (seen: 3 allocations lost). */
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
    }
    if (rc != SQLITE_DONE) {
        char msg[LT_ERROR_MESSAGE_MAX];
        /* the error is the destination's when it ran out of space, else the source's */
        sqlite3 *which = sqlite3_errcode(dest) != SQLITE_OK ? dest : s->db;
        st = cause(which, s->busy_ms, msg, sizeof msg);
        if (st == LT_OK) st = LT_ESTORE;
        lt_error_set(err, st, path, "copying the database: %s", msg);
    }
    if (sqlite3_close(dest) != SQLITE_OK && st == LT_OK)
        st = lt_error_set(err, LT_EIO, path, "closing the copy failed");
    return st;
}

static const lt__store_ops sqlite_ops = {
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .get = sq_get,
    .write = sq_write,
    .load = sq_load,
    .each = sq_each,
    .defer_sync = sq_defer_sync,
    .sync = sq_sync,
    .last_by_key = sq_last_by_key,
    .stamp = sq_stamp,
    .first_of_patient = sq_first_of_patient,
    .count = sq_count,
    .seed_set = sq_seed_set,
    .seed_get = sq_seed_get,
    .sealed_seed_set = sq_sealed_seed_set,
    .sealed_seed_get = sq_sealed_seed_get,
    .audit_last = sq_audit_last,
    .audit_append = sq_audit_append,
    .audit_each = sq_audit_each,
    .audit_hash_at = sq_audit_hash_at,
    .checkpoint_add = sq_checkpoint_add,
    .checkpoint_each = sq_checkpoint_each,
    .backup_to = sq_backup_to,
    .data_version = sq_data_version,
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
        int now = s->version;
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

/* Waits for a lock with exponential backoff: 1, 2, 4, 8, 16 then 25 ms between tries, each
 * with up to a quarter of random jitter so that waiting writers do not retry in step, until
 * busy_ms have passed since the first try; then SQLITE_BUSY reaches the caller, which reports
 * "locked, retrying is safe". Short sleeps keep a waiter from being starved by a steady stream
 * of other writers (SQLite's own handler sleeps up to 100 ms, and lost 10 s to four writers). */
static int busy_wait(void *ctx, int tries)
{
    sq *s = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (tries == 0) s->busy_since = now;
    long long spent = (now.tv_sec - s->busy_since.tv_sec) * 1000LL +
                      (now.tv_nsec - s->busy_since.tv_nsec) / 1000000LL;
    if (spent >= s->busy_ms) return 0;
    long long ms = tries < 5 ? 1LL << tries : 25;
    s->jitter ^= s->jitter << 13;
    s->jitter ^= s->jitter >> 17;
    s->jitter ^= s->jitter << 5;
    long long us = ms * 1000 + (long long)(s->jitter % (uint32_t)(ms * 250 + 1));
    if (spent * 1000 + us > (long long)s->busy_ms * 1000) us = (s->busy_ms - spent) * 1000;
    struct timespec d = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&d, NULL);
    return 1;
}

/* Creates path exclusively: if anything is there already (a trial another `trial init` has
 * just made, an empty file, a link) nothing is touched. Returns 0 or the errno. */
static int create_exclusive(const char *path, struct stat *made)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return errno;
    int rc = fstat(fd, made) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

/* Removes the file this process created, and only if it is still that file. */
static void remove_created(const char *path, const struct stat *made)
{
    struct stat now;
    if (lstat(path, &now) == 0 && now.st_dev == made->st_dev && now.st_ino == made->st_ino)
        unlink(path);
}

lt_status lt__sqlite_open(const char *path, lt_store_mode mode, int target_version,
                          lt_store **out, lt_error *err)
{
    if (target_version < 0 || target_version > NMIGRATIONS) target_version = NMIGRATIONS;
    struct stat made;
    memset(&made, 0, sizeof made);
    bool created = false;
    if (mode == LT_STORE_CREATE) {
        int e = create_exclusive(path, &made);
        if (e == EEXIST)
            LT_FAIL(err, LT_ECONFLICT, path,
                    "a file already exists here: a trial is created in a new database file "
                    "(nothing was changed)");
        if (e == ENOSPC || e == EDQUOT)
            LT_FAIL(err, LT_EIO, path, "cannot create the database: the disk is full");
        if (e == EROFS || e == EACCES || e == EPERM)
            LT_FAIL(err, LT_EIO, path, "cannot create the database: the folder is read-only "
                                       "or not writable (%s)", strerror(e));
        if (e) LT_FAIL(err, LT_EIO, path, "cannot create the database: %s", strerror(e));
        created = true;
    } else {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            if (errno == ENOENT)
                LT_FAIL(err, LT_ENOTFOUND, path,
                        "no trial database here (create one with 'lutetia trial init', or name "
                        "it with --db or LUTETIA_DB)");
            LT_FAIL(err, LT_EIO, path, "cannot open the database: %s", strerror(errno));
        }
        if (!S_ISREG(sb.st_mode))
            LT_FAIL(err, LT_ESTORE, path, "not a trial database: not a regular file");
    }
    sq *s = calloc(1, sizeof *s);
    lt_store *st = calloc(1, sizeof *st);
    if (s) s->path = strdup(path);
    if (!s || !st || !s->path) {
        if (s) free(s->path);
        free(s);
        free(st);
        if (created) remove_created(path, &made);
        LT_FAIL(err, LT_ENOMEM, path, "out of memory opening the database");
    }
    s->readonly = mode == LT_STORE_READ;
    s->busy_ms = lt__store_busy_ms();
    s->jitter = (uint32_t)getpid() * 2654435761u | 1u;
    /* never SQLITE_OPEN_CREATE: the file exists by now, made exclusively above if new */
    int flags = (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                SQLITE_OPEN_NOMUTEX;
    lt_status rc = LT_OK;
    int appid = 0;
    for (int attempt = 0;; attempt++) {
        char uri[4200];
        const char *name = path;
        int f = flags;
        if (attempt) {
            /* A read-only folder or mount: SQLite cannot make the -shm file a WAL reader needs.
             * With no -wal file beside it, every commit is in the main file, which nobody can
             * be writing (no -wal could be made either): read it as immutable. */
            char *q = sqlite3_mprintf("file:%s?immutable=1", path);
            if (!q) {
                rc = lt_error_set(err, LT_ENOMEM, path, "out of memory opening the database");
                goto fail;
            }
            snprintf(uri, sizeof uri, "%s", q);
            sqlite3_free(q);
            name = uri;
            f |= SQLITE_OPEN_URI;
        }
        if (sqlite3_open_v2(name, &s->db, f, NULL) != SQLITE_OK) {
            char msg[LT_ERROR_MESSAGE_MAX];
            rc = cause(s->db, s->busy_ms, msg, sizeof msg);
            rc = lt_error_set(err, rc == LT_ESTORE ? LT_EIO : rc, path,
                              "cannot open the database: %s", msg);
            goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        /* Wait for another writer instead of failing at once: a coordinator and the server
         * may write at the same moment. */
        sqlite3_busy_handler(s->db, busy_wait, s);
        rc = pragma_int(s, "PRAGMA user_version", &s->version, err);
        if (rc == LT_OK) rc = pragma_int(s, "PRAGMA application_id", &appid, err);
        if (rc == LT_OK) break;
        int code = sqlite3_extended_errcode(s->db) & 0xff;
        char wal[4200];
        snprintf(wal, sizeof wal, "%s-wal", path);
        if (s->readonly && !attempt && (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) &&
            access(wal, F_OK) != 0) {
            sqlite3_close(s->db);
            s->db = NULL;
            continue;
        }
        if (code == SQLITE_NOTADB) {
            rc = lt_error_set(err, LT_ESTORE, path, "not a Lutetia trial database: %s",
                              sqlite3_errmsg(s->db));
        } else if (s->readonly && code == SQLITE_READONLY) {
            rc = lt_error_set(err, LT_EIO, path,
                              "cannot read the database in a read-only folder while its -wal "
                              "file holds changes: open it once where it can be written (or "
                              "copy it with 'lutetia backup')");
        }
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
    if (mode != LT_STORE_CREATE && s->version == 0) {
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
    if (!s->readonly) {
        /* WAL lets readers go on while one writer commits; FULL syncs the WAL on every commit
         * so an acknowledged change survives power loss, not only a process crash. */
        rc = exec(s, "PRAGMA journal_mode=WAL", err, "setting WAL mode");
        if (rc == LT_OK) rc = exec(s, "PRAGMA synchronous=FULL", err, "setting synchronous=FULL");
        if (rc == LT_OK) rc = exec(s, "PRAGMA foreign_keys=ON", err, "enabling foreign keys");
        if (rc == LT_OK) rc = migrate(s, target_version, err);
        if (rc != LT_OK) goto fail;
    }
    st->ops = &sqlite_ops;
    st->impl = s;
    *out = st;
    return LT_OK;
fail:
    sq_close(s);
    free(st);
    if (created) remove_created(path, &made);
    return rc;
}
