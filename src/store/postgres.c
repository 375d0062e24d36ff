/* The PostgreSQL store: the operations of store_impl.h over libpq, for trials run from many
 * sites and several server instances on one database. The same tables and schema versions as
 * the SQLite file (src/store/sqlite.c), the same append-only rules (triggers, and no UPDATE,
 * DELETE or TRUNCATE granted to the application role), and one audit chain however many
 * connections write: a whole-trial write transaction takes one advisory lock first, a
 * patient's step its patient's and, for its commit, the chain's. The only file that includes
 * libpq-fe.h. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/date.h"
#include "store_impl.h"

/* The key of the transaction-level advisory lock every writer takes ('Lute', as SQLite's
 * application id): advisory locks belong to one database, so trials in other databases of the
 * cluster do not wait for each other. */
#define LT_PG_WRITE_LOCK "1282766949"
/* A patient's step (lt_store_begin_patient) takes the writers' lock shared, so that it runs
 * beside other patients' steps but never beside a whole-trial writer, and then locks in the
 * two-key space (apart from the one-key lock above): (PATIENT, hash of the id) for the
 * patient, (NAMED, hash of the name) for lt_store_lock, (CHAIN, 0) for the audit chain, held
 * for the step's commit (pg_chain_head to pg_append_commit). Always in that order, so no two
 * steps wait for each other in a circle. Two ids with one hash only wait for each other. */
#define LT_PG_PATIENT_LOCK "1282766949"
#define LT_PG_NAMED_LOCK "1282766950"
#define LT_PG_CHAIN_LOCK "1282766951"

/* The migrations, in order; migration i brings the schema from version i to i + 1, and version
 * i means what it means in sqlite.c (1 the tables, 2 the indexes, 3 the audit's form and key
 * and the checkpoints, 4 the sealed seed). PostgreSQL has no user_version: the version is the
 * one row of lutetia_schema, updated in the migration's transaction (DDL is transactional).
 * Text columns that are selected or ordered on use the "C" collation, so that PostgreSQL
 * orders them byte by byte as SQLite does and as verification (strcmp) expects. Triggers refuse
 * what the rules forbid even to the owner; the application role is also never granted UPDATE,
 * DELETE or TRUNCATE on the append-only tables (docs/store.md, "PostgreSQL"). Never edit a
 * migration that has shipped: add a new one. */
static const char *const migrations[] = {
    /* 0 -> 1: records, the audit trail, the secret seed */
    "CREATE TABLE lutetia_schema (id integer PRIMARY KEY CHECK (id = 1),"
    "  version integer NOT NULL);"
    "INSERT INTO lutetia_schema VALUES (1, 0);"
    "CREATE FUNCTION lutetia_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END$$;"
    "CREATE TABLE audit ("
    "  seq bigint PRIMARY KEY,"
    "  at text COLLATE \"C\" NOT NULL, \"user\" text NOT NULL, role text NOT NULL,"
    "  site text COLLATE \"C\" NOT NULL, action text NOT NULL,"
    "  entity text COLLATE \"C\" NOT NULL, entity_id text COLLATE \"C\" NOT NULL,"
    "  patient text COLLATE \"C\" NOT NULL, old_value text NOT NULL, new_value text NOT NULL,"
    "  reason text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW"
    "  EXECUTE FUNCTION lutetia_refuse('the audit trail is append-only');"
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT"
    "  EXECUTE FUNCTION lutetia_refuse('the audit trail is append-only');"
    "CREATE TABLE record ("
    "  kind text COLLATE \"C\" NOT NULL, id text COLLATE \"C\" NOT NULL,"
    "  site text COLLATE \"C\", patient text COLLATE \"C\", key text COLLATE \"C\","
    "  data text NOT NULL, rev bigint NOT NULL,"
    "  audit_seq bigint NOT NULL REFERENCES audit(seq),"
    "  PRIMARY KEY (kind, id));"
    "CREATE TRIGGER record_no_delete BEFORE DELETE ON record FOR EACH ROW"
    "  EXECUTE FUNCTION lutetia_refuse('records are corrected, never deleted');"
    "CREATE TRIGGER record_no_truncate BEFORE TRUNCATE ON record FOR EACH STATEMENT"
    "  EXECUTE FUNCTION lutetia_refuse('records are corrected, never deleted');"
    "CREATE TABLE secret (id integer PRIMARY KEY CHECK (id = 1),"
    "  seed bytea NOT NULL CHECK (length(seed) = 32));"
    "CREATE TRIGGER secret_no_update BEFORE UPDATE OR DELETE ON secret FOR EACH ROW"
    "  EXECUTE FUNCTION lutetia_refuse('the seed is set once');"
    "CREATE TRIGGER secret_no_truncate BEFORE TRUNCATE ON secret FOR EACH STATEMENT"
    "  EXECUTE FUNCTION lutetia_refuse('the seed is set once');"
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit, secret FROM PUBLIC;"
    "REVOKE DELETE, TRUNCATE ON record FROM PUBLIC;",
    /* 1 -> 2: indexes for selecting by key (strata), patient and site */
    "CREATE INDEX record_by_key ON record (kind, key, audit_seq);"
    "CREATE INDEX record_by_patient ON record (patient, kind);"
    "CREATE INDEX record_by_site ON record (kind, site);"
    "CREATE INDEX audit_by_patient ON audit (patient, seq);",
    /* 2 -> 3: the record's key in its audit record (hashed form 2); signed checkpoints of the
     * audit head, append-only like the trail */
    "ALTER TABLE audit ADD COLUMN form integer NOT NULL DEFAULT 1;"
    "ALTER TABLE audit ADD COLUMN key text COLLATE \"C\";"
    "CREATE TABLE checkpoint ("
    "  seq bigint NOT NULL, hash text NOT NULL, at text NOT NULL,"
    "  public_key text COLLATE \"C\" NOT NULL, signature text NOT NULL,"
    "  PRIMARY KEY (seq, public_key));"
    "CREATE TRIGGER checkpoint_no_update BEFORE UPDATE OR DELETE ON checkpoint FOR EACH ROW"
    "  EXECUTE FUNCTION lutetia_refuse('checkpoints are never changed');"
    "CREATE TRIGGER checkpoint_no_truncate BEFORE TRUNCATE ON checkpoint FOR EACH STATEMENT"
    "  EXECUTE FUNCTION lutetia_refuse('checkpoints are never changed');"
    "REVOKE UPDATE, DELETE, TRUNCATE ON checkpoint FROM PUBLIC;",
    /* 3 -> 4: the seed sealed under a key kept outside the database */
    "CREATE TABLE sealed_seed (id integer PRIMARY KEY CHECK (id = 1),"
    "  box bytea NOT NULL CHECK (length(box) = 72));"
    "CREATE TRIGGER sealed_seed_no_update BEFORE UPDATE OR DELETE ON sealed_seed FOR EACH ROW"
    "  EXECUTE FUNCTION lutetia_refuse('the seed is set once');"
    "CREATE TRIGGER sealed_seed_no_truncate BEFORE TRUNCATE ON sealed_seed FOR EACH STATEMENT"
    "  EXECUTE FUNCTION lutetia_refuse('the seed is set once');"
    "REVOKE UPDATE, DELETE, TRUNCATE ON sealed_seed FROM PUBLIC;",
    /* 4 -> 5: a patient's records by kind, key and id (as SQLite's 4 -> 5) */
    "DROP INDEX record_by_patient;"
    "CREATE INDEX record_by_patient ON record (patient, kind, key, id);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int lt__pg_latest(void) { return NMIGRATIONS; }

typedef struct pg {
    PGconn *conn;
    char *key; /* the connection's parameters (location and options): what the pool matches */
    char *where; /* the location with any password hidden, for messages */
    int version;
    int busy_ms;
    bool readonly;
    bool in_tx; /* a transaction is open: a lost connection is not retried inside it */
    bool pooled; /* the connection came from the pool (read_version) */
    /* the last audit record appended in the open transaction: after a connection lost during
     * COMMIT, whether it is stored tells whether the commit happened */
    int64_t pending_seq;
    char pending_hash[LT_STORE_HASH_HEX];
    lt_status fail; /* the status of the last failed statement (run returned NULL) */
} pg;

static bool lost(const pg *p) { return PQstatus(p->conn) != CONNECTION_OK; }

/* The server's (or libpq's) error in words a coordinator can act on, and its status. */
static lt_status pg_fail(pg *p, const PGresult *r, lt_error *err, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *text = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[LT_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%s", text ? text : PQerrorMessage(p->conn));
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
    if (!state) state = "";
    if (lost(p)) {
        if (p->in_tx)
            LT_FAIL(err, LT_ESTORE, p->where,
                    "%s: the connection to the database server was lost (%s); the transaction "
                    "was not committed and nothing was changed: retrying is safe",
                    what, msg);
        LT_FAIL(err, LT_ESTORE, p->where, "%s: cannot reach the database server (%s)", what,
                msg);
    }
    if (!strcmp(state, "55P03"))
        LT_FAIL(err, LT_ESTORE, p->where,
                "%s: the database is locked by another process (waited %d ms); nothing was "
                "changed, retrying is safe",
                what, p->busy_ms);
    if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
        LT_FAIL(err, LT_ESTORE, p->where,
                "%s: another transaction conflicted (%s); nothing was changed, retrying is safe",
                what, msg);
    if (!strcmp(state, "25006"))
        LT_FAIL(err, LT_EIO, p->where,
                "%s: the database is read-only (opened to verify or copy it, or a read-only "
                "server); nothing was changed",
                what);
    if (!strcmp(state, "53100"))
        LT_FAIL(err, LT_EIO, p->where,
                "%s: the database server's disk is full; nothing was changed: free space and "
                "retry",
                what);
    if (!strcmp(state, "53200")) LT_FAIL(err, LT_ENOMEM, p->where, "%s: out of memory", what);
    if (!strcmp(state, "42501"))
        LT_FAIL(err, LT_EPERM, p->where,
                "%s: the database role may not do this (%s); schema upgrades are made by the "
                "owner role, and the application role is granted no UPDATE, DELETE or TRUNCATE "
                "of the audit trail",
                what, msg);
    if (!strncmp(state, "23", 2) || !strcmp(state, "P0001"))
        LT_FAIL(err, LT_ECONFLICT, p->where, "%s: %s", what, msg);
    if (!strncmp(state, "XX", 2))
        LT_FAIL(err, LT_ECORRUPT, p->where, "%s: the database is damaged (%s)", what, msg);
    LT_FAIL(err, LT_ESTORE, p->where, "%s: %s", what, msg);
}

/* Runs one statement with text parameters and hands back its result (the caller PQclears it),
 * or NULL with err set. Outside a transaction every statement is safe to repeat (a read, or a
 * BEGIN), so a connection found lost is re-established once and the statement run again;
 * inside one the server has rolled the transaction back, and the caller hears so. */
static PGresult *run(pg *p, const char *sql, int n, const char *const *params, lt_error *err,
                     const char *what)
{
    for (int attempt = 0;; attempt++) {
        /* without parameters, the simple protocol: a migration is several statements */
        PGresult *r = n ? PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0)
                        : PQexec(p->conn, sql);
        ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
        if (attempt == 0 && !p->in_tx && lost(p)) {
            PQclear(r);
            PQreset(p->conn);
            if (!lost(p)) continue;
            r = NULL;
        }
        if (!r && !lost(p)) {
            p->fail = lt_error_set(err, LT_ENOMEM, p->where, "%s: out of memory", what);
            return NULL;
        }
        p->fail = pg_fail(p, r, err, what);
        PQclear(r);
        return NULL;
    }
}

static lt_status exec(pg *p, const char *sql, lt_error *err, const char *what)
{
    PGresult *r = run(p, sql, 0, NULL, err, what);
    if (!r) return p->fail;
    PQclear(r);
    return LT_OK;
}

static const char *val(const PGresult *r, int row, int c)
{
    return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

static int64_t val64(const PGresult *r, int row, int c)
{
    return PQgetisnull(r, row, c) ? 0 : strtoll(PQgetvalue(r, row, c), NULL, 10);
}

#define RECORD_COLUMNS "kind, id, site, patient, key, data, rev, audit_seq"

static lt_record row_record(const PGresult *r, int row)
{
    const char *data = val(r, row, 5);
    lt_record rec = {val(r, row, 0), val(r, row, 1), val(r, row, 2), val(r, row, 3),
                     val(r, row, 4), data ? data : "", val64(r, row, 6), val64(r, row, 7),
                     NULL, NULL, NULL};
    return rec;
}

/* The connection pool of a long-running process (lt_store_pool): a server opens the store
 * for every request, and a new connection costs a process fork on the server and several
 * round trips. Closing a store hands its connection back here when it is healthy and outside
 * any transaction; opening one takes back an idle connection made with the same location and
 * options. A pooled connection the server has dropped meanwhile is found by the first
 * statement, which reconnects (run: outside a transaction a statement is safe to repeat).
 * Off (0) unless the process asks: a short command has nothing to reuse, and a forked child
 * must never share its parent's sockets. */
#define POOL_CAP 256
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int pool_max;
static int pool_n;
static struct {
    PGconn *conn;
    char *key;
} pool[POOL_CAP];

void lt__pg_pool(int max_idle)
{
    if (max_idle < 0) max_idle = 0;
    if (max_idle > POOL_CAP) max_idle = POOL_CAP;
    pthread_mutex_lock(&pool_lock);
    pool_max = max_idle;
    /* a smaller pool closes what no longer fits (0: every idle connection) */
    while (pool_n > pool_max) {
        pool_n--;
        PQfinish(pool[pool_n].conn);
        free(pool[pool_n].key);
    }
    pthread_mutex_unlock(&pool_lock);
}

/* An idle connection made with key, or NULL. */
static PGconn *pool_take(const char *key)
{
    PGconn *c = NULL;
    pthread_mutex_lock(&pool_lock);
    for (int i = pool_n - 1; i >= 0; i--)
        if (!strcmp(pool[i].key, key)) {
            c = pool[i].conn;
            free(pool[i].key);
            pool[i] = pool[--pool_n];
            break;
        }
    pthread_mutex_unlock(&pool_lock);
    return c;
}

/* Keeps conn for a later open when the pool is on and has room, and conn is usable and idle
 * (no transaction open, none failed); true when it was kept. */
static bool pool_give(PGconn *conn, char *key)
{
    if (!conn || !key || PQstatus(conn) != CONNECTION_OK ||
        PQtransactionStatus(conn) != PQTRANS_IDLE)
        return false;
    bool kept = false;
    pthread_mutex_lock(&pool_lock);
    if (pool_n < pool_max) {
        pool[pool_n].conn = conn;
        pool[pool_n].key = key;
        pool_n++;
        kept = true;
    }
    pthread_mutex_unlock(&pool_lock);
    return kept;
}

static void pg_close(void *impl)
{
    pg *p = impl;
    if (!p) return;
    if (pool_give(p->conn, p->key))
        p->key = NULL; /* the pool owns it now */
    else
        PQfinish(p->conn);
    free(p->key);
    free(p->where);
    free(p);
}

static int pg_schema_version(void *impl) { return ((pg *)impl)->version; }

static lt_status pg_begin(void *impl, lt_error *err)
{
    pg *p = impl;
    if (p->readonly)
        LT_FAIL(err, LT_EINVAL, p->where,
                "the database was opened read-only (to verify or copy it): no change is made");
    /* READ COMMITTED, not SERIALIZABLE: every writer waits for the one lock below, and under
     * READ COMMITTED each later statement sees what the writer before committed. A
     * REPEATABLE READ snapshot would be taken as the lock statement starts, before the wait,
     * and would miss the previous writer's audit record (two records with one seq). */
    /* one writer at a time, as SQLite's BEGIN IMMEDIATE: the audit chain has one head, and a
     * step reads, checks and writes without another writer in between; the wait is bounded by
     * lock_timeout (the busy limit). Both statements in one round trip (the simple protocol
     * runs them in order and stops at the first error): every writer waits in this lock, so
     * each round trip saved inside it is saved once per write of the whole trial. */
    p->pending_seq = 0;
    lt_status rc = exec(p,
                        "BEGIN ISOLATION LEVEL READ COMMITTED;"
                        " SELECT pg_advisory_xact_lock(" LT_PG_WRITE_LOCK ")",
                        err, "starting a transaction");
    if (rc != LT_OK) {
        /* a BEGIN that went through is left in a failed transaction: end it */
        if (!lost(p) && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    p->in_tx = true;
    return rc;
}

/* BEGIN and the locks of sql (a SELECT of advisory locks) in one round trip, as pg_begin. */
static lt_status begin_locked(pg *p, const char *sql, lt_error *err)
{
    if (p->readonly)
        LT_FAIL(err, LT_EINVAL, p->where,
                "the database was opened read-only (to verify or copy it): no change is made");
    p->pending_seq = 0;
    lt_buf q = LT_BUF_INIT;
    lt_buf_printf(&q, "BEGIN ISOLATION LEVEL READ COMMITTED; %s", sql);
    if (lt_buf_failed(&q)) {
        lt_buf_free(&q);
        LT_FAIL(err, LT_ENOMEM, p->where, "out of memory");
    }
    lt_status rc = exec(p, lt_buf_str(&q), err, "starting a transaction");
    lt_buf_free(&q);
    if (rc != LT_OK) {
        if (!lost(p) && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    p->in_tx = true;
    return rc;
}

/* The writers' lock shared and the patient's lock: READ COMMITTED as pg_begin, so that every
 * statement after a wait sees what the writer waited for committed. */
static lt_status pg_begin_patient(void *impl, const char *patient, lt_error *err)
{
    pg *p = impl;
    char *lit = PQescapeLiteral(p->conn, patient, strlen(patient));
    if (!lit) LT_FAIL(err, LT_ENOMEM, p->where, "out of memory");
    char sql[512];
    int n = snprintf(sql, sizeof sql,
                     "SELECT pg_advisory_xact_lock_shared(" LT_PG_WRITE_LOCK "),"
                     " pg_advisory_xact_lock(" LT_PG_PATIENT_LOCK ", hashtext(%s))",
                     lit);
    PQfreemem(lit);
    if (n < 0 || (size_t)n >= sizeof sql)
        LT_FAIL(err, LT_EINVAL, patient, "a patient id of at most 256 characters is needed");
    return begin_locked(p, sql, err);
}

static lt_status pg_lock_named(void *impl, const char *name, lt_error *err)
{
    pg *p = impl;
    const char *params[1] = {name};
    PGresult *r = run(p, "SELECT pg_advisory_xact_lock(" LT_PG_NAMED_LOCK ", hashtext($1))", 1,
                      params, err, "waiting for the trial's allocation sequence");
    if (!r) return p->fail;
    PQclear(r);
    return LT_OK;
}

static lt_status pg_lock_chain(void *impl, lt_error *err)
{
    pg *p = impl;
    return exec(p, "SELECT pg_advisory_xact_lock(" LT_PG_CHAIN_LOCK ", 0)", err,
                "waiting for the audit trail");
}

static void pg_rollback(void *impl)
{
    pg *p = impl;
    if (!p->in_tx) return;
    if (!lost(p)) PQclear(PQexec(p->conn, "ROLLBACK"));
    p->in_tx = false;
    p->pending_seq = 0;
}

/* A commit whose answer was lost with the connection may or may not have happened. Nothing is
 * acknowledged twice and nothing acknowledged is lost: reconnect and look for the audit record
 * the transaction appended. */
static lt_status commit_in_doubt(pg *p, lt_error *err)
{
    int64_t seq = p->pending_seq;
    char want[LT_STORE_HASH_HEX];
    memcpy(want, p->pending_hash, sizeof want);
    p->in_tx = false;
    p->pending_seq = 0;
    if (seq == 0)
        LT_FAIL(err, LT_ESTORE, p->where,
                "the connection to the database server was lost while committing: the change "
                "may or may not be stored; look before repeating it");
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)seq);
    const char *params[1] = {s};
    PGresult *r = run(p, "SELECT hash FROM audit WHERE seq = $1", 1, params, err,
                      "checking a commit interrupted by a lost connection");
    if (!r)
        LT_FAIL(err, LT_ESTORE, p->where,
                "the connection to the database server was lost while committing, and the "
                "server cannot be asked whether the change was stored (audit record %lld): "
                "look at the audit log before repeating it",
                (long long)seq);
    bool stored = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), want);
    PQclear(r);
    if (stored) return LT_OK;
    LT_FAIL(err, LT_ESTORE, p->where,
            "the connection to the database server was lost before the commit: nothing was "
            "changed, retrying is safe");
}

static lt_status pg_commit(void *impl, lt_error *err)
{
    pg *p = impl;
    PGresult *r = PQexec(p->conn, "COMMIT");
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT")) {
        PQclear(r);
        p->in_tx = false;
        p->pending_seq = 0;
        return LT_OK;
    }
    if (lost(p)) {
        PQclear(r);
        return commit_in_doubt(p, err);
    }
    lt_status rc;
    if (s == PGRES_COMMAND_OK) /* COMMIT of a transaction that had failed answers ROLLBACK */
        rc = lt_error_set(err, LT_ESTORE, p->where,
                          "committing: the transaction had failed and was rolled back; nothing "
                          "was changed");
    else
        rc = pg_fail(p, r, err, "committing");
    PQclear(r);
    pg_rollback(p);
    return rc;
}

/* One snapshot for every read until read_end (REPEATABLE READ takes it at the first statement,
 * made here), so verification sees the trail and the records as of one moment. */
static lt_status pg_read_begin(void *impl, lt_error *err)
{
    pg *p = impl;
    lt_status rc = exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1", err,
                        "starting a read transaction");
    if (rc != LT_OK) {
        if (!lost(p) && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    p->in_tx = true;
    return rc;
}

static void pg_read_end(void *impl) { pg_rollback(impl); }

/* One record from a one-row result; LT_ENOTFOUND (err left to the caller) when it is empty. */
static lt_status one_record(PGresult *r, lt_record **out, lt_error *err)
{
    if (PQntuples(r) == 0) {
        PQclear(r);
        return LT_ENOTFOUND;
    }
    lt_record rec = row_record(r, 0);
    lt_record *c = lt__record_copy(rec.kind, rec.id, rec.site, rec.patient, rec.key, rec.data,
                                   rec.rev, rec.audit_seq);
    PQclear(r);
    if (!c) LT_FAIL(err, LT_ENOMEM, "", "out of memory reading a record");
    *out = c;
    return LT_OK;
}

static lt_status pg_get(void *impl, const char *kind, const char *id, lt_record **out,
                        lt_error *err)
{
    pg *p = impl;
    const char *params[2] = {kind, id};
    PGresult *r = run(p, "SELECT " RECORD_COLUMNS " FROM record WHERE kind = $1 AND id = $2", 2,
                      params, err, "reading a record");
    if (!r) return p->fail;
    lt_status st = one_record(r, out, err);
    if (st == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, id, "no %s '%s' in this trial", kind, id);
    return st;
}

static lt_status write_record(pg *p, const lt_record *rec, int64_t audit_seq, bool insert,
                              lt_error *err)
{
    char rev[32], seq[32];
    snprintf(rev, sizeof rev, "%lld", (long long)rec->rev);
    snprintf(seq, sizeof seq, "%lld", (long long)audit_seq);
    const char *params[8] = {rec->kind, rec->id, rec->site, rec->patient, rec->key, rec->data,
                             rev,       seq};
    PGresult *r = run(p,
                      insert ? "INSERT INTO record (" RECORD_COLUMNS ")"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                             : "UPDATE record SET site = $3, patient = $4, key = $5, data = $6,"
                               " rev = $7, audit_seq = $8 WHERE kind = $1 AND id = $2",
                      8, params, err, "writing a record");
    if (!r) return p->fail;
    const char *changed = PQcmdTuples(r);
    lt_status st = LT_OK;
    if (strcmp(changed, "1") != 0)
        st = lt_error_set(err, LT_ESTORE, p->where, "writing %s '%s' changed %s rows", rec->kind,
                          rec->id, changed);
    PQclear(r);
    return st;
}

static lt_status pg_write(void *impl, const lt_record *rec, int64_t audit_seq, lt_error *err)
{
    return write_record(impl, rec, audit_seq, rec->rev == 1, err);
}

/* A patient's step writes its record at once, pointing at the trail's first audit record
 * until its own is appended at the commit (pg_append_commit): the record is checked and
 * written beside other patients' steps, and the step's later reads see it. An update keeps
 * the row's audit record meanwhile, and changes the row only at the revision the step read. */
static lt_status pg_write_provisional(void *impl, const lt_record *rec, lt_error *err)
{
    pg *p = impl;
    char rev[32];
    snprintf(rev, sizeof rev, "%lld", (long long)rec->rev);
    const char *params[7] = {rec->kind, rec->id, rec->site, rec->patient, rec->key, rec->data,
                             rev};
    PGresult *r = run(p,
                      rec->rev == 1
                          ? "INSERT INTO record (" RECORD_COLUMNS ")"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7,"
                            " (SELECT min(seq) FROM audit))"
                          : "UPDATE record SET site = $3, patient = $4, key = $5, data = $6,"
                            " rev = $7 WHERE kind = $1 AND id = $2 AND rev = $7::bigint - 1",
                      7, params, err, "writing a record");
    if (!r) return p->fail;
    lt_status st = LT_OK;
    if (strcmp(PQcmdTuples(r), "1") != 0)
        st = lt_error_set(err, LT_ECONFLICT, rec->id,
                          "%s '%s' was changed meanwhile (not at revision %lld): read it again",
                          rec->kind, rec->id, (long long)rec->rev - 1);
    PQclear(r);
    return st;
}

/* The audit trail's last row (seq, hash, at) into the head, or the head of an empty trail (seq
 * 0 and a hash of zeros, as the chain starts); frees the result. */
static void head_row(PGresult *r, int64_t *seq, char hash[LT_STORE_HASH_HEX], char *at)
{
    if (PQntuples(r) == 0) {
        *seq = 0;
        memset(hash, '0', LT_STORE_HASH_HEX - 1);
        hash[LT_STORE_HASH_HEX - 1] = '\0';
        at[0] = '\0';
    } else {
        *seq = val64(r, 0, 0);
        snprintf(hash, LT_STORE_HASH_HEX, "%s", PQgetvalue(r, 0, 1));
        snprintf(at, LT_TIME_STR_MAX, "%s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
}

/* The chain taken, then its head read by a statement of its own, so that under READ COMMITTED
 * it sees the commit of the step waited for: both in one round trip. */
static lt_status pg_chain_head(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX], char *at,
                               lt_error *err)
{
    pg *p = impl;
    PGresult *r = run(p,
                      "SELECT pg_advisory_xact_lock(" LT_PG_CHAIN_LOCK ", 0);"
                      " SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
                      0, NULL, err, "waiting for the audit trail");
    if (!r) return p->fail;
    head_row(r, seq, hash, at);
    return LT_OK;
}

static bool put_literal(pg *p, lt_buf *b, const char *v)
{
    if (!v) {
        lt_buf_puts(b, "NULL");
        return true;
    }
    char *lit = PQescapeLiteral(p->conn, v, strlen(v));
    if (!lit) return false;
    lt_buf_puts(b, lit);
    PQfreemem(lit);
    return true;
}

/* Waits until the step committed without waiting (pg_append_commit) is on disk: a
 * transaction of its own that writes to the log commits with a synchronous commit, whose
 * flush covers every commit before it in the log, the step's included. It must write to the
 * log: a transaction that only takes a transaction id (txid_current()) writes nothing but its
 * commit record, and PostgreSQL commits such a transaction without flushing (xact.c,
 * RecordTransactionCommit: no WAL written, so asynchronous), so the barrier waited for nothing
 * and an acknowledged step was lost when the server crashed after it (tests/fault/pg-fault.sh,
 * the batch). A transactional logical message is a log record any role may write, at any
 * wal_level, that changes no table. A failure leaves the
 * step's outcome in doubt, and is answered as a lost COMMIT is (commit_in_doubt): only what is
 * stored is acknowledged. */
#define LT_PG_BARRIER "SELECT pg_logical_emit_message(true, 'lutetia', 'flush barrier')"
static lt_status flush_barrier(pg *p, lt_error *err)
{
    PGresult *r = PQexec(p->conn, LT_PG_BARRIER);
    bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (ok) {
        p->pending_seq = 0;
        return LT_OK;
    }
    if (!lost(p) && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
        PQclear(PQexec(p->conn, "ROLLBACK"));
    int64_t seq = p->pending_seq;
    lt_status rc = commit_in_doubt(p, err); /* reconnects when the connection was lost */
    if (rc != LT_OK) return rc;
    /* seen stored, which after a restart means on disk, but after a cut connection perhaps
     * only in memory: one more barrier on the connection now open */
    r = PQexec(p->conn, LT_PG_BARRIER);
    ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (ok) return LT_OK;
    LT_FAIL(err, LT_ESTORE, p->where,
            "the change was committed (audit record %lld) but whether it reached the database "
            "server's disk could not be confirmed: look at the audit log before repeating it",
            (long long)seq);
}

/* The step's audit records, each record pointed at its own, and COMMIT: one round trip (the
 * simple protocol runs the statements in order and stops at the first error), every result
 * checked. The chain is held from pg_chain_head to here. */
static lt_status pg_append_commit(void *impl, const lt_audit_record *a, size_t n, lt_error *err)
{
    pg *p = impl;
    lt_buf q = LT_BUF_INIT;
    bool ok = true;
    /* The commit does not wait for its flush to disk inside the chain: the flush is waited for
     * after the chain is released (flush_barrier), before the step is acknowledged, so the
     * steps' flushes are made together rather than one after another. */
    lt_buf_puts(&q, "SET LOCAL synchronous_commit = off;"
                    " INSERT INTO audit (seq, at, \"user\", role, site, action, entity, entity_id,"
                    " patient, old_value, new_value, reason, prev_hash, hash, form, key) VALUES ");
    for (size_t i = 0; i < n; i++) {
        lt_buf_printf(&q, "%s(%lld", i ? ", " : "", (long long)a[i].seq);
        const char *v[13] = {a[i].at,        a[i].user,      a[i].role,      a[i].site,
                             a[i].action,    a[i].entity,    a[i].entity_id, a[i].patient,
                             a[i].old_value, a[i].new_value, a[i].reason,    a[i].prev_hash,
                             a[i].hash};
        for (int k = 0; k < 13; k++) {
            lt_buf_puts(&q, ", ");
            ok = ok && put_literal(p, &q, v[k]);
        }
        lt_buf_printf(&q, ", %d, ", a[i].form);
        ok = ok && put_literal(p, &q, a[i].key);
        lt_buf_putc(&q, ')');
    }
    lt_buf_puts(&q, ";");
    for (size_t i = 0; i < n; i++) {
        lt_buf_printf(&q, " UPDATE record SET audit_seq = %lld WHERE kind = ", (long long)a[i].seq);
        ok = ok && put_literal(p, &q, a[i].entity);
        lt_buf_puts(&q, " AND id = ");
        ok = ok && put_literal(p, &q, a[i].entity_id);
        lt_buf_puts(&q, ";");
    }
    lt_buf_puts(&q, " COMMIT");
    if (!ok || lt_buf_failed(&q)) {
        lt_buf_free(&q);
        pg_rollback(p);
        LT_FAIL(err, LT_ENOMEM, p->where, "out of memory committing");
    }
    p->pending_seq = a[n - 1].seq;
    snprintf(p->pending_hash, sizeof p->pending_hash, "%s", a[n - 1].hash);
    int sent = PQsendQuery(p->conn, lt_buf_str(&q));
    lt_buf_free(&q);
    lt_status rc = LT_OK;
    bool committed = false;
    PGresult *r;
    size_t nres = 0;
    while (sent && (r = PQgetResult(p->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        /* results: SET, INSERT, n UPDATEs, COMMIT */
        if (rc == LT_OK && s != PGRES_COMMAND_OK)
            rc = lost(p) ? LT_ESTORE : pg_fail(p, r, err, "committing");
        else if (rc == LT_OK && nres >= 2 && nres <= n + 1 && strcmp(PQcmdTuples(r), "1") != 0)
            rc = lt_error_set(err, LT_ESTORE, p->where,
                              "committing: %s '%s' was not found to point at its audit record",
                              a[nres - 2].entity, a[nres - 2].entity_id);
        else if (rc == LT_OK && nres == n + 2)
            committed = !strcmp(PQcmdStatus(r), "COMMIT");
        nres++;
        PQclear(r);
    }
    if (committed) {
        p->in_tx = false;
        return flush_barrier(p, err);
    }
    if (!sent || lost(p)) return commit_in_doubt(p, err);
    if (rc == LT_OK)
        rc = lt_error_set(err, LT_ESTORE, p->where,
                          "committing: the transaction had failed and was rolled back; nothing "
                          "was changed");
    pg_rollback(p);
    return rc;
}

static lt_status pg_load(void *impl, const lt_record *rec, lt_error *err)
{
    return write_record(impl, rec, rec->audit_seq, true, err);
}

static lt_status pg_each(void *impl, const char *kind, const lt_record_filter *f,
                         lt_record_fn fn, void *ctx, lt_error *err)
{
    pg *p = impl;
    lt_buf sql = LT_BUF_INIT;
    size_t nparams = 3 + (f ? f->nsites : 0);
    const char **params = calloc(nparams, sizeof *params);
    if (!params) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    int n = 0;
    bool authors = f && f->authors;
    /* the author of a revision is its audit record's, joined in the same query and snapshot */
    lt_buf_puts(&sql, "SELECT r.kind, r.id, r.site, r.patient, r.key, r.data, r.rev, r.audit_seq");
    lt_buf_puts(&sql, authors ? ", a.\"user\", a.role, a.at FROM record r"
                                " JOIN audit a ON a.seq = r.audit_seq WHERE true"
                              : " FROM record r WHERE true");
    if (kind) {
        params[n] = kind;
        lt_buf_printf(&sql, " AND r.kind = $%d", ++n);
    }
    if (f && f->patient) {
        params[n] = f->patient;
        lt_buf_printf(&sql, " AND r.patient = $%d", ++n);
    }
    if (f && f->key) {
        params[n] = f->key;
        lt_buf_printf(&sql, " AND r.key = $%d", ++n);
    }
    if (f && f->nsites) {
        lt_buf_puts(&sql, " AND r.site IN (");
        for (size_t i = 0; i < f->nsites; i++) {
            params[n] = f->sites[i];
            lt_buf_printf(&sql, "%s$%d", i ? ", " : "", ++n);
        }
        lt_buf_putc(&sql, ')');
    }
    lt_buf_puts(&sql, f && f->key ? " ORDER BY r.audit_seq" : " ORDER BY r.kind, r.id");
    if (lt_buf_failed(&sql)) {
        lt_buf_free(&sql);
        free(params);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    PGresult *r = run(p, lt_buf_str(&sql), n, params, err, "listing records");
    lt_buf_free(&sql);
    free(params);
    if (!r) return p->fail;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        lt_record rec = row_record(r, i);
        if (authors) {
            rec.author = val(r, i, 8);
            rec.author_role = val(r, i, 9);
            rec.written_at = val(r, i, 10);
        }
        if (fn(&rec, ctx)) break;
    }
    PQclear(r);
    return LT_OK;
}

static lt_status pg_last_by_key(void *impl, const char *kind, const char *key, lt_record **out,
                                lt_error *err)
{
    pg *p = impl;
    const char *params[2] = {kind, key};
    PGresult *r = run(p,
                      "SELECT " RECORD_COLUMNS " FROM record WHERE kind = $1 AND key = $2"
                      " ORDER BY audit_seq DESC LIMIT 1",
                      2, params, err, "reading a record");
    if (!r) return p->fail;
    lt_status st = one_record(r, out, err);
    if (st == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, key, "no %s with key '%s'", kind, key);
    return st;
}

static lt_status pg_first_of_patient(void *impl, const char *kind, const char *patient,
                                    const char *key, lt_record **out, lt_error *err)
{
    pg *p = impl;
    const char *params[3] = {kind, patient, key};
    /* the columns are COLLATE "C": ids sort in byte order, as on SQLite */
    PGresult *r = run(p,
                      "SELECT " RECORD_COLUMNS " FROM record WHERE patient = $2 AND kind = $1"
                      " AND key = $3 ORDER BY id LIMIT 1",
                      3, params, err, "reading a record");
    if (!r) return p->fail;
    lt_status st = one_record(r, out, err);
    if (st == LT_ENOTFOUND)
        LT_FAIL(err, LT_ENOTFOUND, key, "patient %s has no %s with key '%s'", patient, kind, key);
    return st;
}

static lt_status pg_stamp(void *impl, const char *kind, const char *id, int64_t *n,
                          int64_t *last, lt_error *err)
{
    pg *p = impl;
    const char *params[2] = {kind, id};
    PGresult *r = run(p,
                      id ? "SELECT count(*), coalesce(max(audit_seq), 0) FROM record"
                           " WHERE kind = $1 AND id = $2"
                         : "SELECT count(*), coalesce(max(audit_seq), 0) FROM record"
                           " WHERE kind = $1",
                      id ? 2 : 1, params, err, "reading the records' last changes");
    if (!r) return p->fail;
    *n = val64(r, 0, 0);
    *last = val64(r, 0, 1);
    PQclear(r);
    return LT_OK;
}

static lt_status pg_count(void *impl, const char *kind, const char *key, int64_t *out,
                          lt_error *err)
{
    pg *p = impl;
    const char *params[2] = {kind, key};
    PGresult *r = run(p,
                      key ? "SELECT count(*) FROM record WHERE kind = $1 AND key = $2"
                          : "SELECT count(*) FROM record WHERE kind = $1",
                      key ? 2 : 1, params, err, "counting records");
    if (!r) return p->fail;
    *out = val64(r, 0, 0);
    PQclear(r);
    return LT_OK;
}

static lt_status blob_set(pg *p, const char *sql, const unsigned char *bytes, size_t n,
                          lt_error *err, const char *what)
{
    char hex[2 * LT_STORE_SEALED_SEED_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, n);
    const char *params[1] = {hex};
    PGresult *r = run(p, sql, 1, params, err, what);
    if (!r) return p->fail;
    PQclear(r);
    return LT_OK;
}

/* The one stored blob as bytes: LT_ENOTFOUND (err untouched) when there is none. */
static lt_status blob_get(pg *p, const char *sql, unsigned char *bytes, size_t n, lt_error *err,
                          const char *what, const char *name)
{
    PGresult *r = run(p, sql, 0, NULL, err, what);
    if (!r) return p->fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return LT_ENOTFOUND;
    }
    size_t got = 0;
    const char *hex = PQgetvalue(r, 0, 0);
    int bad = sodium_hex2bin(bytes, n, hex, strlen(hex), NULL, &got, NULL);
    PQclear(r);
    if (bad || got != n) LT_FAIL(err, LT_ECORRUPT, p->where, "the trial's %s has the wrong size", name);
    return LT_OK;
}

static lt_status pg_seed_set(void *impl, const unsigned char *seed, lt_error *err)
{
    return blob_set(impl, "INSERT INTO secret (id, seed) VALUES (1, decode($1, 'hex'))", seed,
                    LT_STORE_SEED_BYTES, err, "storing the seed");
}

static lt_status pg_seed_get(void *impl, unsigned char *seed, lt_error *err)
{
    pg *p = impl;
    lt_status st = blob_get(p, "SELECT encode(seed, 'hex') FROM secret WHERE id = 1", seed,
                            LT_STORE_SEED_BYTES, err, "reading the seed", "randomisation seed");
    if (st == LT_ENOTFOUND)
        LT_FAIL(err, LT_ECORRUPT, p->where, "the trial's randomisation seed is missing");
    return st;
}

static lt_status pg_sealed_seed_set(void *impl, const unsigned char *box, lt_error *err)
{
    return blob_set(impl, "INSERT INTO sealed_seed (id, box) VALUES (1, decode($1, 'hex'))",
                    box, LT_STORE_SEALED_SEED_BYTES, err, "storing the sealed seed");
}

static lt_status pg_sealed_seed_get(void *impl, unsigned char *box, lt_error *err)
{
    pg *p = impl;
    if (p->version < 4) return LT_ENOTFOUND; /* opened read-only at an older schema */
    return blob_get(p, "SELECT encode(box, 'hex') FROM sealed_seed WHERE id = 1", box,
                    LT_STORE_SEALED_SEED_BYTES, err, "reading the sealed seed", "sealed seed");
}

static lt_status pg_audit_last(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                               char *at, lt_error *err)
{
    pg *p = impl;
    PGresult *r = run(p, "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1", 0, NULL,
                      err, "reading the audit trail");
    if (!r) return p->fail;
    head_row(r, seq, hash, at);
    return LT_OK;
}

static lt_status pg_audit_append(void *impl, const lt_audit_record *a, lt_error *err)
{
    pg *p = impl;
    char seq[32], form[16];
    snprintf(seq, sizeof seq, "%lld", (long long)a->seq);
    snprintf(form, sizeof form, "%d", a->form);
    const char *params[16] = {seq,          a->at,        a->user,      a->role,
                              a->site,      a->action,    a->entity,    a->entity_id,
                              a->patient,   a->old_value, a->new_value, a->reason,
                              a->prev_hash, a->hash,      form,         a->key};
    /* a store kept at a schema before 3 (only tests build one) has no form and key columns */
    PGresult *r = run(p,
                      p->version >= 3
                          ? "INSERT INTO audit (seq, at, \"user\", role, site, action, entity,"
                            " entity_id, patient, old_value, new_value, reason, prev_hash, hash,"
                            " form, key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                            " $12, $13, $14, $15, $16)"
                          : "INSERT INTO audit (seq, at, \"user\", role, site, action, entity,"
                            " entity_id, patient, old_value, new_value, reason, prev_hash, hash)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                            " $14)",
                      p->version >= 3 ? 16 : 14, params, err, "appending to the audit trail");
    if (!r) return p->fail;
    PQclear(r);
    p->pending_seq = a->seq;
    snprintf(p->pending_hash, sizeof p->pending_hash, "%s", a->hash);
    return LT_OK;
}

static lt_status pg_audit_each(void *impl, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                               lt_error *err)
{
    pg *p = impl;
    lt_buf sql = LT_BUF_INIT;
    size_t nparams = 2 + (f ? f->nsites : 0);
    const char **params = calloc(nparams, sizeof *params);
    if (!params) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_buf_puts(&sql, "SELECT seq, at, \"user\", role, site, action, entity, entity_id, patient,"
                      " old_value, new_value, reason, prev_hash, hash");
    /* opened read-only at a schema before 3: every record has form 1 */
    lt_buf_puts(&sql, p->version >= 3 ? ", form, key" : ", 1, NULL");
    lt_buf_puts(&sql, " FROM audit WHERE true");
    int n = 0;
    if (f && f->patient) {
        params[n] = f->patient;
        lt_buf_printf(&sql, " AND patient = $%d", ++n);
    }
    if (f && f->since) {
        params[n] = f->since;
        lt_buf_printf(&sql, " AND at >= $%d", ++n);
    }
    if (f && f->nsites) {
        lt_buf_puts(&sql, " AND (site = '' OR site IN (");
        for (size_t i = 0; i < f->nsites; i++) {
            params[n] = f->sites[i];
            lt_buf_printf(&sql, "%s$%d", i ? ", " : "", ++n);
        }
        lt_buf_puts(&sql, "))");
    }
    lt_buf_puts(&sql, " ORDER BY seq");
    if (lt_buf_failed(&sql)) {
        lt_buf_free(&sql);
        free(params);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    PGresult *r = run(p, lt_buf_str(&sql), n, params, err, "reading the audit trail");
    lt_buf_free(&sql);
    free(params);
    if (!r) return p->fail;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        const char *c[13];
        for (int k = 0; k < 13; k++) c[k] = PQgetvalue(r, i, k + 1); /* "" for a NULL */
        lt_audit_record a = {val64(r, i, 0), c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                             c[8], c[9], c[10], c[11], c[12], (int)val64(r, i, 14),
                             val(r, i, 15)};
        if (fn(&a, ctx)) break;
    }
    PQclear(r);
    return LT_OK;
}

static lt_status pg_audit_hash_at(void *impl, int64_t seq, char hash[LT_STORE_HASH_HEX],
                                  lt_error *err)
{
    pg *p = impl;
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)seq);
    const char *params[1] = {s};
    PGresult *r = run(p, "SELECT hash FROM audit WHERE seq = $1", 1, params, err,
                      "reading the audit trail");
    if (!r) return p->fail;
    lt_status st = LT_OK;
    if (PQntuples(r) == 1)
        snprintf(hash, LT_STORE_HASH_HEX, "%s", PQgetvalue(r, 0, 0));
    else
        st = lt_error_set(err, LT_ENOTFOUND, p->where, "no audit record %lld", (long long)seq);
    PQclear(r);
    return st;
}

static lt_status pg_checkpoint_add(void *impl, const lt__checkpoint *c, lt_error *err)
{
    pg *p = impl;
    if (p->version < 3)
        LT_FAIL(err, LT_ESTORE, p->where, "this database is too old for checkpoints");
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", (long long)c->seq);
    const char *params[5] = {seq, c->hash, c->at, c->public_key, c->signature};
    PGresult *r = run(p,
                      "INSERT INTO checkpoint (seq, hash, at, public_key, signature)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      5, params, err, "storing the checkpoint");
    if (!r) return p->fail;
    PQclear(r);
    return LT_OK;
}

static lt_status pg_checkpoint_each(void *impl, int (*fn)(const lt__checkpoint *c, void *ctx),
                                    void *ctx, lt_error *err)
{
    pg *p = impl;
    if (p->version < 3) return LT_OK;
    PGresult *r = run(p,
                      "SELECT seq, hash, at, public_key, signature FROM checkpoint"
                      " ORDER BY seq, public_key",
                      0, NULL, err, "reading the checkpoints");
    if (!r) return p->fail;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        lt__checkpoint c = {val64(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                            PQgetvalue(r, i, 3), PQgetvalue(r, i, 4)};
        if (fn(&c, ctx)) break;
    }
    PQclear(r);
    return LT_OK;
}

static lt_status pg_backup_to(void *impl, const char *path, lt_error *err)
{
    pg *p = impl;
    (void)path;
    LT_FAIL(err, LT_EUNSUPPORTED, p->where,
            "a PostgreSQL trial is backed up with the server's own tools (pg_dump, or a base "
            "backup with WAL archiving); 'audit head' gives the head to keep with it");
}

static const lt__store_ops pg_ops = {
    .close = pg_close,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .begin_patient = pg_begin_patient,
    .lock_named = pg_lock_named,
    .lock_chain = pg_lock_chain,
    .write_provisional = pg_write_provisional,
    .chain_head = pg_chain_head,
    .append_commit = pg_append_commit,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .get = pg_get,
    .write = pg_write,
    .load = pg_load,
    .each = pg_each,
    .last_by_key = pg_last_by_key,
    .stamp = pg_stamp,
    .first_of_patient = pg_first_of_patient,
    .count = pg_count,
    .seed_set = pg_seed_set,
    .seed_get = pg_seed_get,
    .sealed_seed_set = pg_sealed_seed_set,
    .sealed_seed_get = pg_sealed_seed_get,
    .audit_last = pg_audit_last,
    .audit_append = pg_audit_append,
    .audit_each = pg_audit_each,
    .audit_hash_at = pg_audit_hash_at,
    .checkpoint_add = pg_checkpoint_add,
    .checkpoint_each = pg_checkpoint_each,
    .backup_to = pg_backup_to,
};

/* The schema version stored in the database; 0 when it holds no Lutetia schema. Two queries:
 * PostgreSQL resolves every table a statement names before running any of it. */
static lt_status read_version(pg *p, int *out, lt_error *err)
{
    /* a pooled connection was opened on this database before, which then held a schema (a
     * store is only kept open on one): one query; should it fail (the connection dropped, the
     * database replaced), the two below decide */
    if (p->pooled) {
        p->pooled = false;
        PGresult *r = PQexec(p->conn, "SELECT version FROM lutetia_schema WHERE id = 1");
        bool one = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        if (one) *out = (int)val64(r, 0, 0);
        PQclear(r);
        if (one) return LT_OK;
    }
    PGresult *r = run(p, "SELECT to_regclass('lutetia_schema') IS NOT NULL", 0, NULL, err,
                      "reading the schema version");
    if (!r) return p->fail;
    bool exists = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!exists) {
        *out = 0;
        return LT_OK;
    }
    r = run(p, "SELECT version FROM lutetia_schema WHERE id = 1", 0, NULL, err,
            "reading the schema version");
    if (!r) return p->fail;
    *out = PQntuples(r) == 1 ? (int)val64(r, 0, 0) : 0;
    PQclear(r);
    return LT_OK;
}

/* Brings the schema to target, each step in its own transaction with the version bump, under
 * the writers' lock so that two programs opening an old database upgrade it once. A creator
 * that finds a schema made meanwhile by another creator stops: of several `trial init` on one
 * database exactly one proceeds. */
static lt_status migrate(pg *p, int target, bool creating, lt_error *err)
{
    while (p->version < target) {
        lt_status rc = exec(p, "BEGIN", err, "starting the schema upgrade");
        if (rc != LT_OK) return rc;
        p->in_tx = true;
        rc = exec(p, "SELECT pg_advisory_xact_lock(" LT_PG_WRITE_LOCK ")", err,
                  "starting the schema upgrade");
        int now = p->version;
        if (rc == LT_OK) rc = read_version(p, &now, err);
        if (rc == LT_OK && creating && p->version == 0 && now != 0)
            rc = lt_error_set(err, LT_ECONFLICT, p->where,
                              "a trial database already exists here (created meanwhile)");
        if (rc == LT_OK && now != p->version) {
            p->version = now;
            pg_rollback(p);
            if (now > NMIGRATIONS)
                LT_FAIL(err, LT_EVERSION, p->where,
                        "the database has schema version %d, newer than this program", now);
            continue;
        }
        if (rc == LT_OK) rc = exec(p, migrations[p->version], err, "upgrading the schema");
        char bump[80];
        snprintf(bump, sizeof bump, "UPDATE lutetia_schema SET version = %d WHERE id = 1",
                 p->version + 1);
        if (rc == LT_OK) rc = exec(p, bump, err, "upgrading the schema");
        if (rc == LT_OK) {
            PGresult *r = PQexec(p->conn, "COMMIT");
            if (!r || PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT"))
                rc = pg_fail(p, r, err, "upgrading the schema");
            PQclear(r);
            p->in_tx = false;
        }
        if (rc != LT_OK) {
            pg_rollback(p);
            return rc;
        }
        p->version++;
    }
    return LT_OK;
}

/* The location without its password (in the user-information part or as a parameter), for
 * messages and logs. */
static char *redact(const char *location)
{
    size_t n = strlen(location);
    char *out = malloc(n + 8);
    if (!out) return NULL;
    const char *scheme = strstr(location, "://");
    const char *auth = scheme ? scheme + 3 : location;
    const char *at = strchr(auth, '@');
    const char *slash = strchr(auth, '/');
    const char *colon = strchr(auth, ':');
    size_t o = 0;
    if (at && (!slash || at < slash) && colon && colon < at) {
        memcpy(out, location, (size_t)(colon - location));
        o = (size_t)(colon - location);
        memcpy(out + o, ":***", 4);
        o += 4;
        location = at;
    }
    for (const char *s = location; *s;) {
        if ((s[0] == '?' || s[0] == '&') && !strncmp(s + 1, "password=", 9)) {
            memcpy(out + o, s, 10);
            o += 10;
            memcpy(out + o, "***", 3);
            o += 3;
            s += 10;
            while (*s && *s != '&') s++;
            continue;
        }
        out[o++] = *s++;
    }
    out[o] = '\0';
    return out;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

lt_status lt__pg_open(const char *location, lt_store_mode mode, int target_version, int busy_ms,
                      lt_store **out, lt_error *err)
{
    if (target_version < 0 || target_version > NMIGRATIONS) target_version = NMIGRATIONS;
    pg *p = calloc(1, sizeof *p);
    lt_store *st = calloc(1, sizeof *st);
    if (p) p->where = redact(location);
    if (!p || !st || !p->where) {
        if (p) free(p->where);
        free(p);
        free(st);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory opening the database");
    }
    p->readonly = mode == LT_STORE_READ;
    p->busy_ms = busy_ms;
    /* Session settings travel with the connection parameters, so that a connection
     * re-established after a loss (PQreset) has them too: the wait for the writers' lock is
     * the busy limit (0 would mean forever), and a read-only open cannot write even by
     * mistake. */
    char options[160];
    snprintf(options, sizeof options, "-c lock_timeout=%d -c client_min_messages=warning%s",
             busy_ms > 0 ? busy_ms : 1, p->readonly ? " -c default_transaction_read_only=on" : "");
    /* keywords before dbname are defaults the URI may override (a connection timeout, so that
     * an unreachable server is reported rather than waited for); those after it are ours */
    const char *keys[] = {"connect_timeout", "dbname", "fallback_application_name", "options",
                          NULL};
    const char *vals[] = {"10", location, "lutetia", options, NULL};
    size_t keylen = strlen(location) + strlen(options) + 2;
    p->key = malloc(keylen);
    if (p->key) snprintf(p->key, keylen, "%s\n%s", location, options);
    p->conn = p->key ? pool_take(p->key) : NULL;
    p->pooled = p->conn != NULL;
    if (!p->conn) p->conn = PQconnectdbParams(keys, vals, 1);
    lt_status rc = LT_OK;
    if (!p->conn) {
        rc = lt_error_set(err, LT_ENOMEM, p->where, "out of memory opening the database");
        goto fail;
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        char msg[LT_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(p->conn));
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
        rc = lt_error_set(err, LT_ESTORE, p->where, "cannot connect to the database: %s", msg);
        goto fail;
    }
    PQsetNoticeProcessor(p->conn, quiet, NULL);
    rc = read_version(p, &p->version, err);
    if (rc != LT_OK) goto fail;
    /* A schema with an empty trail is what a creation whose transaction failed leaves (the
     * schema is committed first, as in SQLite): creating goes on there. Of two creators, the
     * second then fails on the trial's first write, which waits for the first's lock. */
    if (mode == LT_STORE_CREATE && p->version > 0) {
        PGresult *r = p->version <= NMIGRATIONS
                          ? run(p, "SELECT EXISTS (SELECT 1 FROM audit)", 0, NULL, err,
                                "opening the database")
                          : NULL;
        bool empty = r && !strcmp(PQgetvalue(r, 0, 0), "f");
        PQclear(r);
        if (!empty) {
            rc = lt_error_set(err, LT_ECONFLICT, p->where,
                              "a trial database already exists here: a trial is created in a "
                              "new, empty database (nothing was changed)");
            goto fail;
        }
    }
    if (mode == LT_STORE_CREATE && p->version == 0) {
        PGresult *r = run(p,
                          "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON"
                          " n.oid = c.relnamespace WHERE n.nspname = current_schema()",
                          0, NULL, err, "opening the database");
        if (!r) {
            rc = p->fail;
            goto fail;
        }
        int64_t others = val64(r, 0, 0);
        PQclear(r);
        int now = 0;
        if (others > 0 && read_version(p, &now, err) == LT_OK && now > 0) {
            rc = lt_error_set(err, LT_ECONFLICT, p->where,
                              "a trial database already exists here (created meanwhile): a "
                              "trial is created in a new, empty database");
            goto fail;
        }
        if (others > 0) {
            rc = lt_error_set(err, LT_ECONFLICT, p->where,
                              "this database already holds another program's tables: a trial "
                              "is created in a new, empty database");
            goto fail;
        }
    }
    if (mode != LT_STORE_CREATE && p->version == 0) {
        rc = lt_error_set(err, LT_ENOTFOUND, p->where,
                          "no trial in this database (create one with 'lutetia trial init', "
                          "or name another with --db or LUTETIA_DB)");
        goto fail;
    }
    if (p->version > NMIGRATIONS) {
        rc = lt_error_set(err, LT_EVERSION, p->where,
                          "the database has schema version %d, newer than this program "
                          "(which knows up to %d): use a newer lutetia; the database was not "
                          "changed",
                          p->version, NMIGRATIONS);
        goto fail;
    }
    if (!p->readonly) {
        rc = migrate(p, target_version, mode == LT_STORE_CREATE, err);
        if (rc != LT_OK) goto fail;
    }
    st->ops = &pg_ops;
    st->impl = p;
    *out = st;
    return LT_OK;
fail:
    pg_close(p);
    free(st);
    return rc;
}
