/* The server's deferred durability on SQLite (lt_store_defer_sync, src/store/flush.c), watched
 * through a VFS of the test's own: SQLite's default VFS wrapped so that every sync of a file is
 * counted by the file's kind (database or WAL) and a WAL sync can be made to fail. Checked:
 *  - without deferral every commit syncs the WAL (synchronous=FULL);
 *  - deferred, a commit syncs nothing, and lt_store_sync syncs the WAL once for all the
 *    commits made before it, by any connection of the process to the file; a sync with
 *    nothing committed since syncs nothing;
 *  - many threads committing in turn under one lock (as the server does) and then syncing
 *    outside it: every one returns after a flush that covers it, fewer flushes than commits,
 *    everything stored and the chain verifies;
 *  - a WAL sync that fails: the sync answers LT_EIO naming the file, and so does every later
 *    one of the group, even once the disk syncs again (what failed to reach the disk may be
 *    gone from the kernel's cache). */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/store.h"

/* ---- the counting VFS ---- */

typedef struct cfile {
    sqlite3_file base; /* pMethods: this file's methods (wrapping the real file's) */
    sqlite3_file *real;
    bool wal;
} cfile;

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods counting_methods;
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;
static int wal_syncs, db_syncs;
static int fail_wal_syncs; /* the next WAL syncs fail (-1: every one) */

static int c_sync(sqlite3_file *f, int flags)
{
    cfile *c = (cfile *)f;
    pthread_mutex_lock(&counts_lock);
    bool fail = c->wal && fail_wal_syncs != 0;
    if (fail && fail_wal_syncs > 0) fail_wal_syncs--;
    if (c->wal)
        wal_syncs++;
    else
        db_syncs++;
    pthread_mutex_unlock(&counts_lock);
    if (fail) return SQLITE_IOERR_FSYNC;
    return c->real->pMethods->xSync(c->real, flags);
}

#define FWD(name, proto, args)                                                                \
    static int c_##name proto { return ((cfile *)f)->real->pMethods->x##name args; }
FWD(Read, (sqlite3_file * f, void *b, int n, sqlite3_int64 o), (((cfile *)f)->real, b, n, o))
FWD(Write, (sqlite3_file * f, const void *b, int n, sqlite3_int64 o), (((cfile *)f)->real, b, n, o))
FWD(Truncate, (sqlite3_file * f, sqlite3_int64 n), (((cfile *)f)->real, n))
FWD(FileSize, (sqlite3_file * f, sqlite3_int64 * n), (((cfile *)f)->real, n))
FWD(Lock, (sqlite3_file * f, int l), (((cfile *)f)->real, l))
FWD(Unlock, (sqlite3_file * f, int l), (((cfile *)f)->real, l))
FWD(CheckReservedLock, (sqlite3_file * f, int *r), (((cfile *)f)->real, r))
FWD(FileControl, (sqlite3_file * f, int op, void *a), (((cfile *)f)->real, op, a))
FWD(SectorSize, (sqlite3_file * f), (((cfile *)f)->real))
FWD(DeviceCharacteristics, (sqlite3_file * f), (((cfile *)f)->real))
FWD(ShmMap, (sqlite3_file * f, int i, int n, int w, void volatile **p), (((cfile *)f)->real, i, n, w, p))
FWD(ShmLock, (sqlite3_file * f, int o, int n, int fl), (((cfile *)f)->real, o, n, fl))
FWD(ShmUnmap, (sqlite3_file * f, int d), (((cfile *)f)->real, d))
static void c_ShmBarrier(sqlite3_file *f) { ((cfile *)f)->real->pMethods->xShmBarrier(((cfile *)f)->real); }

static int c_close(sqlite3_file *f)
{
    cfile *c = (cfile *)f;
    int rc = c->real->pMethods->xClose(c->real);
    free(c->real);
    return rc;
}

static int c_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    cfile *c = (cfile *)f;
    memset(c, 0, sizeof *c);
    if (!(c->real = calloc(1, (size_t)real_vfs->szOsFile))) return SQLITE_NOMEM;
    int rc = real_vfs->xOpen(real_vfs, name, c->real, flags, out);
    if (rc != SQLITE_OK) {
        free(c->real);
        c->real = NULL;
        return rc;
    }
    c->wal = (flags & SQLITE_OPEN_WAL) != 0;
    c->base.pMethods = &counting_methods;
    return SQLITE_OK;
}

static void install_vfs(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    static sqlite3_vfs v;
    v = *real_vfs;
    v.zName = "lt-counting";
    v.szOsFile = (int)sizeof(cfile);
    v.xOpen = c_open;
    counting_methods = (sqlite3_io_methods){
        .iVersion = 2, .xClose = c_close, .xRead = c_Read, .xWrite = c_Write,
        .xTruncate = c_Truncate, .xSync = c_sync, .xFileSize = c_FileSize, .xLock = c_Lock,
        .xUnlock = c_Unlock, .xCheckReservedLock = c_CheckReservedLock,
        .xFileControl = c_FileControl, .xSectorSize = c_SectorSize,
        .xDeviceCharacteristics = c_DeviceCharacteristics, .xShmMap = c_ShmMap,
        .xShmLock = c_ShmLock, .xShmBarrier = c_ShmBarrier, .xShmUnmap = c_ShmUnmap};
    sqlite3_vfs_register(&v, 1);
}

static int wal_count(void)
{
    pthread_mutex_lock(&counts_lock);
    int n = wal_syncs;
    pthread_mutex_unlock(&counts_lock);
    return n;
}

/* ---- the store ---- */

static char dir[] = "/tmp/lt-flush-XXXXXX";
static lt_actor who = {"alice", "coordinator"};

static lt_status put(lt_store *st, const char *id)
{
    lt_error err;
    lt_record r = {.kind = "lab", .id = id, .site = "S1", .patient = "P1", .key = "x",
                   .data = "{}"};
    lt_status rc = lt_store_begin(st, &err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, 0, &who, "test.put", "", NULL, &err);
    if (rc == LT_OK) rc = lt_store_commit(st, &err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

static lt_store *open_at(const char *db, bool deferred)
{
    lt_store *st = NULL;
    lt_error err;
    CHECK_MSG(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK, "%s", err.message);
    if (st && deferred) CHECK_MSG(lt_store_defer_sync(st, &err) == LT_OK, "%s", err.message);
    return st;
}

static void test_one_connection(const char *db)
{
    lt_error err;
    lt_store *full = open_at(db, false);
    if (!full) return;
    int w = wal_count();
    CHECK(put(full, "F1") == LT_OK);
    /* (once more when the commit starts the WAL over after a checkpoint: its header) */
    int synced = wal_count() - w;
    CHECK_MSG(synced >= 1, "a commit without deferral syncs the WAL: %d syncs", synced);
    CHECK(lt_store_sync(full, &err) == LT_OK); /* nothing deferred: nothing to do */
    CHECK_INT(wal_count(), w + synced);

    lt_store *a = open_at(db, true), *b = open_at(db, true);
    if (!a || !b) goto out;
    w = wal_count();
    CHECK(put(a, "A1") == LT_OK);
    CHECK(put(a, "A2") == LT_OK);
    CHECK(put(b, "B1") == LT_OK);
    CHECK_MSG(wal_count() == w, "deferred commits sync nothing: %d syncs", wal_count() - w);
    /* one flush covers the three commits, whichever connection made them */
    CHECK(lt_store_sync(a, &err) == LT_OK);
    CHECK_INT(wal_count(), w + 1);
    CHECK(lt_store_sync(b, &err) == LT_OK);
    CHECK_MSG(wal_count() == w + 1, "b's commit was covered by a's flush: %d syncs",
              wal_count() - w);
    CHECK(lt_store_sync(a, &err) == LT_OK); /* nothing since */
    CHECK_INT(wal_count(), w + 1);
    /* a commit after the flush needs one of its own */
    CHECK(put(b, "B2") == LT_OK);
    CHECK(lt_store_sync(b, &err) == LT_OK);
    CHECK_INT(wal_count(), w + 2);
    /* a read is not a change */
    lt_record *r = NULL;
    CHECK(lt_store_get(a, "lab", "B2", &r, &err) == LT_OK);
    lt_record_free(r);
    CHECK(lt_store_sync(a, &err) == LT_OK);
    CHECK_INT(wal_count(), w + 2);
out:
    lt_store_close(a);
    lt_store_close(b);
    lt_store_close(full);
}

/* ---- threads committing in turn, flushing together ---- */

enum { THREADS = 6, EACH = 40 };
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *thread_db;
static int thread_failures;

static void *writer(void *arg)
{
    int k = (int)(intptr_t)arg;
    lt_store *st = NULL;
    lt_error err;
    bool ok = lt_store_open(thread_db, LT_STORE_OPEN, &st, &err) == LT_OK &&
              lt_store_defer_sync(st, &err) == LT_OK;
    for (int i = 0; ok && i < EACH; i++) {
        char id[32];
        snprintf(id, sizeof id, "T%d.%d", k, i);
        pthread_mutex_lock(&write_lock);
        ok = put(st, id) == LT_OK;
        pthread_mutex_unlock(&write_lock);
        ok = ok && lt_store_sync(st, &err) == LT_OK;
    }
    lt_store_close(st);
    if (!ok) {
        pthread_mutex_lock(&counts_lock);
        thread_failures++;
        pthread_mutex_unlock(&counts_lock);
    }
    return NULL;
}

static void test_threads(const char *db)
{
    thread_db = db;
    int w = wal_count();
    pthread_t th[THREADS];
    for (int k = 0; k < THREADS; k++) pthread_create(&th[k], NULL, writer, (void *)(intptr_t)k);
    for (int k = 0; k < THREADS; k++) pthread_join(th[k], NULL);
    CHECK_INT(thread_failures, 0);
    int flushes = wal_count() - w;
    printf("threads: %d commits, %d WAL syncs\n", THREADS * EACH, flushes);
    /* at least one flush; never more than one per commit (checkpoints sync the WAL too) */
    CHECK(flushes >= 1);
    CHECK(flushes <= THREADS * EACH + 8);
    lt_store *st = open_at(db, false);
    if (!st) return;
    lt_error err;
    int64_t n = 0;
    CHECK(lt_store_count(st, "lab", "x", &n, &err) == LT_OK);
    CHECK_INT(n, THREADS * EACH + 5); /* and the five of test_one_connection */
    CHECK_MSG(lt_store_audit_verify(st, NULL, NULL, &err) == LT_OK, "%s", err.message);
    lt_store_close(st);
}

/* ---- a flush that fails ---- */

static void test_failed_flush(const char *db)
{
    lt_error err;
    lt_store *a = open_at(db, true), *b = open_at(db, true);
    if (!a || !b) goto out;
    CHECK(put(a, "X1") == LT_OK);
    pthread_mutex_lock(&counts_lock);
    fail_wal_syncs = 1;
    pthread_mutex_unlock(&counts_lock);
    CHECK(lt_store_sync(a, &err) == LT_EIO);
    CHECK(strstr(err.where, "flush.db") != NULL);
    CHECK_MSG(strstr(err.message, "could not be confirmed") || strstr(err.message, "cannot be confirmed"),
              "%s", err.message);
    /* the disk syncs again, but the group trusts no later flush */
    CHECK(put(b, "X2") == LT_OK);
    CHECK(lt_store_sync(b, &err) == LT_EIO);
    /* the commit itself is stored (it waited for nothing) */
    lt_record *r = NULL;
    CHECK(lt_store_get(b, "lab", "X1", &r, &err) == LT_OK);
    lt_record_free(r);
out:
    lt_store_close(a);
    lt_store_close(b);
    /* a connection opened once every one of the group is closed starts a new group */
    lt_store *c = open_at(db, true);
    if (c) {
        CHECK(put(c, "X3") == LT_OK);
        CHECK_MSG(lt_store_sync(c, &err) == LT_OK, "%s", err.message);
    }
    lt_store_close(c);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    install_vfs();
    char db[256];
    snprintf(db, sizeof db, "%s/flush.db", dir);
    lt_store *st = NULL;
    lt_error err;
    CHECK_MSG(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK, "%s", err.message);
    lt_store_close(st);
    test_one_connection(db);
    test_threads(db);
    test_failed_flush(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return lt_test_done();
}
