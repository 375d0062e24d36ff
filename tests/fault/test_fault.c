/* Out-of-memory and I/O faults in the key operations (issue 8, section 11), as SQLite's
 * memdebug_fail does: the 1st, 2nd, ... allocation (or disk write) of an operation fails, and
 * the operation is run again from the same stored state until it succeeds without a fault.
 * Every run that met a fault must end in a clean error (a status, a message, the outputs
 * untouched), leave the store exactly as it was (the same rows, byte for byte, and an audit
 * chain that verifies), and leak nothing: every block allocated during the operation has been
 * freed once the trial is closed.
 *
 * Faults come from three places, each counted on its own:
 * - the library's own allocations: this program is linked with -Wl,--wrap=malloc,... against
 *   the static library, so every malloc, calloc, realloc, strdup, vasprintf and
 *   posix_memalign of src/ comes here first, without touching a call site;
 *   (cJSON's too: src/base/json.c hands it hooks that call the library's malloc);
 * - SQLite's allocations (SQLITE_CONFIG_MALLOC);
 * - writes, syncs and truncations of the database and its WAL, through a VFS that wraps the
 *   default one.
 * The operations: screen (read a patient file, screen it), enrol, randomise, record a lab,
 * decide a dose, verify the audit trail, and export the SDTM and ADaM datasets. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/export.h"

/* ---- the fault counter --------------------------------------------------------------- */

enum source { FROM_LIBRARY, FROM_SQLITE, FROM_WRITE, NSOURCES };
static const char *const source_names[NSOURCES] = {"library allocation", "SQLite allocation",
                                                   "disk write"};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool armed;          /* counting (and failing) events of `failing` */
static enum source failing; /* the source whose events are counted */
static long fail_at;        /* the event to fail, 1-based; 0 never */
static long events;         /* events of `failing` since arming */
static long faults;         /* faults injected since arming */

/* called with the lock held */
static bool should_fail(enum source s)
{
    if (!armed || s != failing) return false;
    if (++events != fail_at) return false;
    faults++;
    return true;
}

/* Live blocks allocated while armed, so that a leak is seen in every build, not only under
 * ASan: an open-addressing table of pointers. */
#define LIVE_SLOTS (1u << 18)
static void *live[LIVE_SLOTS];
static size_t nlive;
static bool live_overflow;
static bool tracking;

static size_t slot_of(const void *p) { return ((uintptr_t)p >> 4) * 2654435761u & (LIVE_SLOTS - 1); }

static void live_add(void *p)
{
    if (!tracking || !p) return;
    if (nlive >= LIVE_SLOTS / 2) {
        live_overflow = true;
        return;
    }
    size_t i = slot_of(p);
    while (live[i] && live[i] != (void *)1)
        i = (i + 1) & (LIVE_SLOTS - 1);
    live[i] = p;
    nlive++;
}

static void live_remove(void *p)
{
    if (!p || !nlive) return;
    for (size_t i = slot_of(p); live[i]; i = (i + 1) & (LIVE_SLOTS - 1))
        if (live[i] == p) {
            live[i] = (void *)1; /* a tombstone keeps the probe chain */
            nlive--;
            return;
        }
}

static void live_reset(void)
{
    memset(live, 0, sizeof live);
    nlive = 0;
    live_overflow = false;
}

/* ---- the library's allocations (-Wl,--wrap=...) ------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
int __real_posix_memalign(void **out, size_t align, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
int __wrap_posix_memalign(void **out, size_t align, size_t n);

void *__wrap_malloc(size_t n)
{
    pthread_mutex_lock(&lock);
    void *p = should_fail(FROM_LIBRARY) ? NULL : __real_malloc(n);
    live_add(p);
    pthread_mutex_unlock(&lock);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    pthread_mutex_lock(&lock);
    void *p = should_fail(FROM_LIBRARY) ? NULL : __real_calloc(n, size);
    live_add(p);
    pthread_mutex_unlock(&lock);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    pthread_mutex_lock(&lock);
    void *q = should_fail(FROM_LIBRARY) ? NULL : __real_realloc(p, n);
    if (q) {
        live_remove(p);
        live_add(q);
    }
    pthread_mutex_unlock(&lock);
    return q;
}

char *__wrap_strdup(const char *s)
{
    pthread_mutex_lock(&lock);
    char *p = should_fail(FROM_LIBRARY) ? NULL : __real_strdup(s);
    live_add(p);
    pthread_mutex_unlock(&lock);
    return p;
}

void __wrap_free(void *p)
{
    pthread_mutex_lock(&lock);
    live_remove(p);
    pthread_mutex_unlock(&lock);
    __real_free(p);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&lock);
    bool fail = should_fail(FROM_LIBRARY);
    pthread_mutex_unlock(&lock);
    if (fail) return -1;
    int rc = __real_vasprintf(out, fmt, ap);
    pthread_mutex_lock(&lock);
    if (rc >= 0) live_add(*out);
    pthread_mutex_unlock(&lock);
    return rc;
}

int __wrap_posix_memalign(void **out, size_t align, size_t n)
{
    pthread_mutex_lock(&lock);
    bool fail = should_fail(FROM_LIBRARY);
    pthread_mutex_unlock(&lock);
    if (fail) return ENOMEM;
    int rc = __real_posix_memalign(out, align, n);
    pthread_mutex_lock(&lock);
    if (rc == 0) live_add(*out);
    pthread_mutex_unlock(&lock);
    return rc;
}

/* ---- SQLite's allocations: a header of 16 bytes holds the size (xSize needs it) ------------ */

static void *sq_malloc(int n)
{
    pthread_mutex_lock(&lock);
    unsigned char *p = should_fail(FROM_SQLITE) ? NULL : __real_malloc((size_t)n + 16);
    if (p) {
        memcpy(p, &n, sizeof n);
        p += 16;
    }
    live_add(p);
    pthread_mutex_unlock(&lock);
    return p;
}
static void sq_free(void *p)
{
    if (!p) return;
    pthread_mutex_lock(&lock);
    live_remove(p);
    pthread_mutex_unlock(&lock);
    __real_free((unsigned char *)p - 16);
}
static int sq_size(void *p)
{
    int n = 0;
    if (p) memcpy(&n, (unsigned char *)p - 16, sizeof n);
    return n;
}
static void *sq_realloc(void *p, int n)
{
    pthread_mutex_lock(&lock);
    bool fail = should_fail(FROM_SQLITE);
    pthread_mutex_unlock(&lock);
    if (fail) return NULL;
    unsigned char *q = __real_malloc((size_t)n + 16);
    if (!q) return NULL;
    memcpy(q, &n, sizeof n);
    q += 16;
    int old = sq_size(p);
    memcpy(q, p, (size_t)(old < n ? old : n));
    pthread_mutex_lock(&lock);
    live_add(q);
    pthread_mutex_unlock(&lock);
    sq_free(p);
    return q;
}
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *x) { return SQLITE_OK; }
static void sq_shutdown(void *x) {}
static const sqlite3_mem_methods sq_methods = {sq_malloc, sq_free,  sq_realloc, sq_size,
                                               sq_roundup, sq_init, sq_shutdown, NULL};

/* ---- disk writes: a VFS over the default one ------------------------------------------------ */

typedef struct ffile {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same block */
} ffile;

static sqlite3_vfs *base_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_io;

static bool write_fails(void)
{
    pthread_mutex_lock(&lock);
    bool f = should_fail(FROM_WRITE);
    pthread_mutex_unlock(&lock);
    return f;
}

#define REAL(f) (((ffile *)(f))->real)
static int f_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (write_fails()) return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 n)
{
    if (write_fails()) return SQLITE_IOERR_TRUNCATE;
    return REAL(f)->pMethods->xTruncate(REAL(f), n);
}
static int f_sync(sqlite3_file *f, int flags)
{
    if (write_fails()) return SQLITE_IOERR_FSYNC;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *n) { return REAL(f)->pMethods->xFileSize(REAL(f), n); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_reserved(sqlite3_file *f, int *r)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r);
}
static int f_control(sqlite3_file *f, int op, void *a)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, a);
}
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), o, n, pp);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    ffile *ff = (ffile *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    int rc = base_vfs->xOpen(base_vfs, name, ff->real, flags, out);
    /* without methods SQLite does not call xClose: the real file has none either */
    ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods ? &fault_io : NULL;
    return rc;
}
static int v_delete(sqlite3_vfs *v, const char *n, int sync) { return base_vfs->xDelete(base_vfs, n, sync); }
static int v_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    return base_vfs->xAccess(base_vfs, n, flags, out);
}
static int v_full(sqlite3_vfs *v, const char *n, int size, char *out)
{
    return base_vfs->xFullPathname(base_vfs, n, size, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *n) { return base_vfs->xDlOpen(base_vfs, n); }
static void v_dlerror(sqlite3_vfs *v, int n, char *m) { base_vfs->xDlError(base_vfs, n, m); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
    return base_vfs->xDlSym(base_vfs, h, s);
}
static void v_dlclose(sqlite3_vfs *v, void *h) { base_vfs->xDlClose(base_vfs, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { return base_vfs->xRandomness(base_vfs, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { return base_vfs->xSleep(base_vfs, us); }
static int v_time(sqlite3_vfs *v, double *t) { return base_vfs->xCurrentTime(base_vfs, t); }
static int v_error(sqlite3_vfs *v, int n, char *m) { return base_vfs->xGetLastError(base_vfs, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    return base_vfs->xCurrentTimeInt64(base_vfs, t);
}

static void install_fault_vfs(void)
{
    base_vfs = sqlite3_vfs_find(NULL);
    fault_io = (sqlite3_io_methods){3,        f_close,    f_read,        f_write,     f_truncate,
                                    f_sync,   f_size,     f_lock,        f_unlock,    f_reserved,
                                    f_control, f_sector,  f_device,      f_shm_map,   f_shm_lock,
                                    f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch};
    fault_vfs = (sqlite3_vfs){2,         (int)sizeof(ffile) + base_vfs->szOsFile,
                              base_vfs->mxPathname, NULL, "lutetia-fault", NULL,
                              v_open,    v_delete,  v_access, v_full, v_dlopen, v_dlerror,
                              v_dlsym,   v_dlclose, v_random, v_sleep, v_time,  v_error,
                              v_time64,  NULL,      NULL,     NULL};
    sqlite3_vfs_register(&fault_vfs, 1);
}

/* ---- the stored state ------------------------------------------------------------------------ */

/* A hash of every row of every table, in rowid order: equal hashes, the same stored state. The
 * row counts per table go to counts (for comparing states that differ by timestamps). */
static bool fingerprint(const char *db, unsigned char hash[32], char *counts, size_t ncounts)
{
    pthread_mutex_lock(&lock);
    bool was = armed;
    armed = false;
    pthread_mutex_unlock(&lock);
    sqlite3 *h = NULL;
    bool ok = sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    sqlite3_stmt *tables = NULL;
    ok = ok && sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "ORDER BY name", -1, &tables, NULL) == SQLITE_OK;
    size_t used = 0;
    if (counts && ncounts) counts[0] = 0;
    while (ok && sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
        sqlite3_stmt *rows = NULL;
        ok = sql && sqlite3_prepare_v2(h, sql, -1, &rows, NULL) == SQLITE_OK;
        sqlite3_free(sql);
        long n = 0;
        while (ok && sqlite3_step(rows) == SQLITE_ROW) {
            n++;
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const void *b = sqlite3_column_blob(rows, c);
                int len = sqlite3_column_bytes(rows, c);
                crypto_generichash_update(&st, (const unsigned char *)&len, sizeof len);
                if (b) crypto_generichash_update(&st, b, (unsigned long long)len);
            }
        }
        sqlite3_finalize(rows);
        if (counts && used < ncounts)
            used += (size_t)snprintf(counts + used, ncounts - used, "%s=%ld ", name, n);
    }
    sqlite3_finalize(tables);
    sqlite3_close(h);
    crypto_generichash_final(&st, hash, 32);
    pthread_mutex_lock(&lock);
    armed = was;
    pthread_mutex_unlock(&lock);
    return ok;
}

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    bool ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a) fclose(a);
    if (b && fclose(b) != 0) ok = false;
    return ok;
}

/* ---- the trial the operations run on ---------------------------------------------------------- */

static const char *src;
static char dir[64], pristine[128], work[128];
static char treated[16];
static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    lt_date_parse(s, false, &d);
    return d;
}

/* examples/nelmas-01-eligible.json a year earlier (every interval the criteria check kept),
 * with the given id. */
static char *patient_text(const char *id)
{
    char path[512], *text = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s/examples/nelmas-01-eligible.json", src);
    if (lt_file_read(path, &text, &n, NULL) != LT_OK) return NULL;
    for (char *p = text; (p = strstr(p, "2026-")); p += 5)
        p[3] = '5';
    char *at = strstr(text, "\"nelmas-01\"");
    char *out = malloc(n + 64);
    if (at && out) snprintf(out, n + 64, "%.*s\"%s\"%s", (int)(at - text), text, id, at + 11);
    free(text);
    if (!at) {
        free(out);
        return NULL;
    }
    return out;
}

/* P1-P4 randomised (one of arm B gets a profile, an anchor and a lab panel), P5 confirmed and
 * waiting for randomisation, P6 not yet enrolled. */
static bool make_trial(void)
{
    snprintf(dir, sizeof dir, "/tmp/lt_fault_XXXXXX");
    if (!mkdtemp(dir)) return false;
    snprintf(pristine, sizeof pristine, "%s/pristine.db", dir);
    snprintf(work, sizeof work, "%s/work.db", dir);
    char protocol[512];
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    static const unsigned char seed[LT_STORE_SEED_BYTES] = {8};
    lt_error err;
    lt_trial *a = NULL, *c = NULL, *i = NULL;
    lt_conduct *cc = NULL;
    const char *s1[] = {"S1"};
    lt_trial_init init = {.protocol = protocol, .admin = "admin", .seed = seed};
    bool ok = lt_trial_create_with(pristine, &init, &err) == LT_OK &&
              lt_trial_open(pristine, "admin", &a, &err) == LT_OK &&
              lt_trial_site_add(a, "S1", "One", &err) == LT_OK &&
              lt_trial_user_add(a, "coord1", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK &&
              lt_trial_user_add(a, "inv1", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK &&
              lt_trial_open(pristine, "coord1", &c, &err) == LT_OK &&
              lt_trial_open(pristine, "inv1", &i, &err) == LT_OK &&
              lt_conduct_new(c, NULL, &cc, &err) == LT_OK;
    for (int k = 1; ok && k <= 5; k++) {
        char id[8];
        snprintf(id, sizeof id, "P%d", k);
        char *text = patient_text(id);
        lt_cohort *co = NULL;
        ok = text && lt_cohort_new(&co, &err) == LT_OK &&
             lt_cohort_read_mem(co, text, strlen(text), id, &err) == LT_OK &&
             lt_trial_enrol(c, lt_cohort_patient(co, 0), "S1", D("2025-11-01"), NULL, NULL, NULL,
                            &err) == LT_OK &&
             lt_trial_consent(c, id, D("2025-11-01"), "v2", NULL, &err) == LT_OK &&
             lt_trial_confirm(i, id, D("2025-11-01"), &err) == LT_OK;
        char *arm = NULL;
        if (ok && k < 5) ok = lt_trial_randomise(c, id, &arm, NULL, &err) == LT_OK;
        if (ok && arm && !strcmp(arm, "B") && !treated[0]) snprintf(treated, sizeof treated, "%s", id);
        free(arm);
        free(text);
        lt_cohort_free(co);
    }
    ok = ok && treated[0] &&
         lt_conduct_profile(cc, treated, D("1962-03-14"), LT_SEX_FEMALE, 68, NULL, &err) == LT_OK &&
         lt_conduct_anchor(cc, treated, "liver_resection", D("2025-09-10"), NULL, &err) == LT_OK;
    static const struct {
        const char *analyte;
        double v, lln, uln;
        const char *unit;
    } panel[] = {{"hemoglobin", 13, 12, 16, "g/dL"},      {"wbc", 6, 4, 10, "10^9/L"},
                 {"neutrophils", 3.5, 1.8, 7.5, "10^9/L"}, {"lymphocytes", 1.5, 1, 4, "10^9/L"},
                 {"platelets", 231, 150, 400, "10^9/L"},  {"creatinine", 0.8, 0.5, 1.1, "mg/dL"},
                 {"bilirubin", 0.6, 0.1, 1.2, "mg/dL"},   {"alt", 25, 7, 35, "U/L"},
                 {"ast", 24, 10, 35, "U/L"},              {"albumin", 4, 3.5, 5.2, "g/dL"}};
    for (size_t k = 0; ok && k < sizeof panel / sizeof panel[0]; k++) {
        lt_conduct_lab lab = {treated,       D("2025-10-24"), panel[k].analyte, panel[k].v,
                              panel[k].unit, panel[k].lln,    panel[k].uln};
        ok = lt_conduct_lab_record(cc, &lab, NULL, NULL, &err) == LT_OK;
    }
    if (!ok) printf("setting up the trial: %s: %s\n", err.where, err.message);
    lt_conduct_free(cc);
    lt_trial_close(a);
    lt_trial_close(c);
    lt_trial_close(i);
    return ok;
}

/* ---- the operations ------------------------------------------------------------------------------ */

/* What an operation works with, opened before the faults are armed and closed after. */
typedef struct ctx {
    lt_trial *coord, *inv, *admin;
    lt_conduct *ccoord, *cinv;
    lt_protocol *protocol;
    lt_cohort *cohort;
    char *p6;
} ctx;

/* what an operation needs opened: the rest is left closed, as each run opens it again */
enum { NEED_COORD = 1, NEED_INV = 2, NEED_ADMIN = 4, NEED_CCOORD = 8, NEED_CINV = 16,
       NEED_PROTOCOL = 32, NEED_COHORT = 64 };

typedef struct op {
    const char *name;
    bool writes; /* a success changes the store */
    lt_status (*run)(ctx *x, lt_error *err);
    unsigned needs;
} op;

static lt_status op_screen(ctx *x, lt_error *err)
{
    lt_cohort *co = NULL;
    lt_status rc = lt_cohort_new(&co, err);
    if (rc == LT_OK) rc = lt_cohort_read_mem(co, x->p6, strlen(x->p6), "P6", err);
    lt_screening *s = NULL;
    lt_screen_options opt = {D("2025-11-01"), NULL, NULL, 0};
    if (rc == LT_OK) rc = lt_screen(x->protocol, lt_cohort_patient(co, 0), &opt, &s, err);
    if (rc == LT_OK && lt_screening_verdict(s) != LT_VERDICT_ELIGIBLE) rc = LT_EINVAL;
    lt_screening_free(s);
    lt_cohort_free(co);
    return rc;
}

static lt_status op_enrol(ctx *x, lt_error *err)
{
    lt_verdict v = LT_VERDICT_NEEDS_REVIEW;
    lt_buf b = LT_BUF_INIT;
    lt_status rc = lt_trial_enrol(x->coord, lt_cohort_patient(x->cohort, 0), "S1", D("2025-11-01"),
                                  NULL, &v, &b, err);
    lt_buf_free(&b);
    return rc;
}

static lt_status op_randomise(ctx *x, lt_error *err)
{
    char *arm = (char *)"untouched";
    int64_t number = -5;
    lt_status rc = lt_trial_randomise_on(x->coord, "P5", D("2025-11-02"), &arm, &number, err);
    if (rc == LT_OK) {
        free(arm);
        return number == 5 ? LT_OK : LT_EINVAL;
    }
    /* a refused step leaves the outputs as they were */
    return strcmp(arm, "untouched") || number != -5 ? LT_EINVAL : rc;
}

static lt_status op_lab(ctx *x, lt_error *err)
{
    lt_conduct_lab lab = {treated, D("2025-10-28"), "platelets", 62, "10^9/L", 150, 400};
    lt_grade g;
    g.grade = -7;
    lt_status rc = lt_conduct_lab_record(x->ccoord, &lab, NULL, &g, err);
    if (rc == LT_OK) return g.grade == 2 ? LT_OK : LT_EINVAL;
    return g.grade == -7 ? rc : LT_EINVAL;
}

static lt_status op_decide(ctx *x, lt_error *err)
{
    lt_dosemod_decision d;
    memset(&d, 0, sizeof d);
    d.delay_days = -77;
    lt_status rc = lt_conduct_decide(x->cinv, treated, 1, D("2025-11-03"), &d, err);
    if (rc == LT_OK) return d.action == LT_DOSE_GIVE_FULL ? LT_OK : LT_EINVAL;
    return d.delay_days == -77 ? rc : LT_EINVAL;
}

static lt_status op_verify(ctx *x, lt_error *err)
{
    int64_t n = -3;
    lt_status rc = lt_store_audit_verify(lt_trial_store(x->admin), &n, NULL, err);
    if (rc == LT_OK) return n > 20 ? LT_OK : LT_EINVAL;
    return rc;
}

/* the treated patient's listing of labs and casebook, each row with who recorded it */
static lt_status op_list(ctx *x, lt_error *err)
{
    lt_list_query q = {LT_LIST_LABS, treated, NULL, LT_DATE_NONE, LT_DATE_NONE};
    lt_buf b = LT_BUF_INIT;
    size_t n = 0;
    lt_status rc = lt_conduct_list(x->ccoord, &q, LT_CONDUCT_JSON, &b, &n, err);
    if (rc == LT_OK && (n != 10 || !strstr(lt_buf_str(&b), "\"recorded_by\":"))) rc = LT_EINVAL;
    lt_buf_free(&b);
    return rc;
}

static lt_status op_casebook(ctx *x, lt_error *err)
{
    lt_buf b = LT_BUF_INIT;
    lt_status rc = lt_conduct_casebook(x->ccoord, treated, true, &b, err);
    if (rc == LT_OK && !strstr(lt_buf_str(&b), "\"listing\":\"labs\"")) rc = LT_EINVAL;
    lt_buf_free(&b);
    return rc;
}

/* every SDTM and ADaM dataset of the trial into a folder (the files of a run that failed part
 * way are replaced by the next run's) */
static lt_status op_export(ctx *x, lt_error *err)
{
    char out[128];
    snprintf(out, sizeof out, "%s/export", dir);
    if (mkdir(out, 0700) != 0 && errno != EEXIST) return LT_EIO;
    lt_export_tab_options o = {.dir = out, .sdtm = true, .adam = true, .created = 1,
                               .cutoff = LT_DATE_NONE};
    return lt_export_tabulations(x->admin, &o, NULL, err);
}

static const op ops[] = {
    {"list labs", false, op_list, NEED_COORD | NEED_CCOORD},
    {"casebook", false, op_casebook, NEED_COORD | NEED_CCOORD},
    {"screen", false, op_screen, NEED_PROTOCOL},
    {"enrol", true, op_enrol, NEED_COORD | NEED_COHORT},
    {"randomise", true, op_randomise, NEED_COORD},
    {"record lab", true, op_lab, NEED_COORD | NEED_CCOORD},
    {"decide", true, op_decide, NEED_INV | NEED_CINV},
    {"audit verify", false, op_verify, NEED_ADMIN},
    {"export sdtm and adam", false, op_export, NEED_ADMIN},
};

static bool open_ctx(ctx *x, unsigned needs, lt_error *err)
{
    memset(x, 0, sizeof *x);
    lt_error_clear(err);
    char protocol[512];
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    x->p6 = patient_text("P6");
    bool ok = x->p6;
    if (ok && needs & NEED_COORD) ok = lt_trial_open(work, "coord1", &x->coord, err) == LT_OK;
    if (ok && needs & NEED_INV) ok = lt_trial_open(work, "inv1", &x->inv, err) == LT_OK;
    if (ok && needs & NEED_ADMIN) ok = lt_trial_open(work, "admin", &x->admin, err) == LT_OK;
    if (ok && needs & NEED_CCOORD) ok = lt_conduct_new(x->coord, NULL, &x->ccoord, err) == LT_OK;
    if (ok && needs & NEED_CINV) ok = lt_conduct_new(x->inv, NULL, &x->cinv, err) == LT_OK;
    if (ok && needs & NEED_PROTOCOL)
        ok = lt_protocol_load(protocol, NULL, &x->protocol, err) == LT_OK;
    if (ok && needs & NEED_COHORT)
        ok = lt_cohort_new(&x->cohort, err) == LT_OK &&
             lt_cohort_read_mem(x->cohort, x->p6, strlen(x->p6), "P6", err) == LT_OK;
    return ok;
}

static void close_ctx(ctx *x)
{
    lt_conduct_free(x->ccoord);
    lt_conduct_free(x->cinv);
    lt_trial_close(x->coord);
    lt_trial_close(x->inv);
    lt_trial_close(x->admin);
    lt_protocol_free(x->protocol);
    lt_cohort_free(x->cohort);
    free(x->p6);
}

static bool fresh_work(void)
{
    char p[160];
    snprintf(p, sizeof p, "%s-wal", work);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", work);
    unlink(p);
    /* the sealed seed's key goes with the copy (DB.key beside each) */
    char pk[160], wk[160];
    snprintf(pk, sizeof pk, "%s.key", pristine);
    snprintf(wk, sizeof wk, "%s.key", work);
    return copy_file(pristine, work) && copy_file(pk, wk) && chmod(wk, 0600) == 0;
}

/* One run of an operation with the n-th event of source s failing (n 0: none). Returns whether
 * a fault was injected; *rc the operation's status. Checks everything a run must leave. */
typedef struct outcome {
    bool faulted;
    lt_status rc;
    long events;
} outcome;

/* A failure counts every time; it is printed the first time its kind is seen (the message
 * without its figures), or a broken path would print a line per allocation. */
#define MAX_KINDS 64
static char kinds[MAX_KINDS][48];
static int nkinds;

static void report(int *reported, const char *kind, const char *fmt, ...) LT_PRINTF(3, 4);
static void report(int *reported, const char *kind, const char *fmt, ...)
{
    char k[48];
    size_t j = 0;
    for (const char *c = kind; *c && j + 1 < sizeof k; c++)
        if (!(*c >= '0' && *c <= '9')) k[j++] = *c;
    k[j] = 0;
    lt_test_failed++;
    (*reported)++;
    for (int i = 0; i < nkinds; i++)
        if (!strcmp(kinds[i], k)) return;
    if (nkinds < MAX_KINDS) snprintf(kinds[nkinds++], sizeof kinds[0], "%s", k);
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static unsigned char pristine_hash[32];
static char clean_counts[LT_ERROR_MESSAGE_MAX];

static outcome run_once(const op *o, enum source s, long n, bool reference, int *reported)
{
    outcome out = {false, LT_OK, 0};
    lt_error err;
    ctx x;
    if (!fresh_work() || !open_ctx(&x, o->needs, &err)) {
        CHECK_MSG(0, "%s: opening the trial: %s: %s", o->name, err.where, err.message);
        close_ctx(&x);
        out.rc = LT_EINVAL;
        return out;
    }
    lt_error_clear(&err);
    pthread_mutex_lock(&lock);
    failing = s;
    fail_at = n;
    events = faults = 0;
    live_reset();
    tracking = true;
    armed = true;
    pthread_mutex_unlock(&lock);
    out.rc = o->run(&x, &err);
    pthread_mutex_lock(&lock);
    armed = false;
    out.faulted = faults > 0;
    out.events = events;
    pthread_mutex_unlock(&lock);
    close_ctx(&x);
    pthread_mutex_lock(&lock);
    tracking = false;
    size_t leaked = nlive;
    bool overflow = live_overflow;
    pthread_mutex_unlock(&lock);

    char what[160];
    snprintf(what, sizeof what, "%s, %s %ld failing", o->name, source_names[s], n);
    if (leaked || overflow) {
        report(reported, "leak", "%s: %zu blocks allocated during the operation never freed%s",
               what, leaked, overflow ? " (the table of live blocks overflowed)" : "");
    }
    unsigned char h[32];
    char counts[LT_ERROR_MESSAGE_MAX];
    bool fp = fingerprint(work, h, counts, sizeof counts);
    int64_t nrec = 0;
    lt_store *st = NULL;
    lt_error verr;
    bool verified = lt_store_open(work, LT_STORE_OPEN, &st, &verr) == LT_OK &&
                    lt_store_audit_verify(st, &nrec, NULL, &verr) == LT_OK;
    lt_store_close(st);
    if (!fp || !verified) {
        report(reported, verr.message, "%s: the store does not verify afterwards: %s", what,
               verr.message);
        return out;
    }
    if (out.rc != LT_OK) {
        /* a clean error: a status, a message, and the store as it was */
        bool clean = err.message[0] && memcmp(h, pristine_hash, sizeof h) == 0 &&
                     (s == FROM_WRITE ? out.rc == LT_EIO || out.rc == LT_ESTORE ||
                                            out.rc == LT_ENOMEM
                                      : out.rc == LT_ENOMEM);
        if (!clean) {
            report(reported, err.message, "%s: status %s (%s: %s)%s", what, lt_strerror(out.rc),
                   err.where, err.message,
                   memcmp(h, pristine_hash, sizeof h) ? "; the store changed" : "");
        } else {
            lt_test_passed++;
        }
    } else if (reference) {
        /* the row counts a successful run leaves, to compare faulted successes with */
        snprintf(clean_counts, sizeof clean_counts, "%s", counts);
    } else {
        /* a success, faulted or not, leaves what a clean run leaves */
        bool same = o->writes ? strcmp(counts, clean_counts) == 0
                              : memcmp(h, pristine_hash, sizeof h) == 0;
        if (!same) {
            report(reported, "changed", "%s: succeeded but stored %s, a clean run stores %s", what,
                   counts, clean_counts);
        } else {
            lt_test_passed++;
        }
    }
    return out;
}

static void test_operation(const op *o)
{
    int reported = 0;
    /* a clean run first: it succeeds, and loads whatever is loaded once per process */
    outcome clean = run_once(o, FROM_LIBRARY, 0, true, &reported);
    CHECK_MSG(clean.rc == LT_OK, "%s: a run without faults fails (%s)", o->name,
              lt_strerror(clean.rc));
    if (clean.rc != LT_OK) return;
    /* Every event of the first FAULT_EVERY is failed; beyond them, every stride-th, so that no
     * operation takes more than about 2 x FAULT_EVERY runs per source (each run repeats the
     * whole operation: failing all 8,000 events of a dose decision took 7 minutes). The last
     * event is always failed. LT_FAULT_EXHAUSTIVE=1 fails every event, as `make check` did
     * before the operations grew. */
    enum { FAULT_EVERY = 400 };
    bool exhaustive = getenv("LT_FAULT_EXHAUSTIVE") && !strcmp(getenv("LT_FAULT_EXHAUSTIVE"), "1");
    for (int s = 0; s < NSOURCES; s++) {
        /* how many events a run without a fault has */
        outcome count = run_once(o, (enum source)s, 0, false, &reported);
        long total = count.events, stride = 1;
        if (!exhaustive && total > 2 * FAULT_EVERY)
            stride = (total - FAULT_EVERY + FAULT_EVERY - 1) / FAULT_EVERY;
        long n = 1, failures = 0, runs = 0;
        outcome r;
        do {
            r = run_once(o, (enum source)s, n, false, &reported);
            failures += r.faulted && r.rc != LT_OK;
            runs++;
            long next = n < FAULT_EVERY || stride == 1 ? n + 1 : n + stride;
            /* the last event before the clean end is failed too */
            n = next > total && n < total ? total : next;
        } while (r.faulted && n < 100000);
        CHECK_MSG(!r.faulted && r.rc == LT_OK, "%s: no fault-free run after %ld %ss", o->name, n,
                  source_names[s]);
        printf("  %-12s %-18s %5ld events, %5ld failed in turn%s: %5ld runs ended in an error, "
               "the others succeeded\n",
               o->name, source_names[s], total, runs - 1,
               stride > 1 ? " (every one to 400, then a sample)" : "", failures);
    }
}

int main(void)
{
    /* before SQLite initialises: its allocations and its files come through here */
    sqlite3_config(SQLITE_CONFIG_MALLOC, &sq_methods);
    sqlite3_initialize();
    install_fault_vfs();
    if (sodium_init() < 0) return 1;
    src = getenv("SRC") ? getenv("SRC") : ".";
    if (!make_trial()) {
        CHECK_MSG(0, "the trial could not be set up");
        return lt_test_done();
    }
    if (!fingerprint(pristine, pristine_hash, NULL, 0)) CHECK_MSG(0, "fingerprint of %s", pristine);
    const char *only = getenv("LT_FAULT_ONLY"); /* one operation, when chasing a finding */
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!only || !strcmp(only, ops[i].name)) test_operation(&ops[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return lt_test_done();
}
