/* The shipped data tables (nuclides, CTCAE lab grading, dose modification, plausible ranges,
 * the CTCAE term list) read once per process and shared by every conduct context: they are
 * read-only files, and parsing them on each operation was most of a short request's time in
 * `lutetia serve` (docs/BENCHMARKS.md, server section).
 *
 * A table is kept together with the file it was read from: each use resolves the file again
 * (lt_data_file: one stat), and when $LUTETIA_DATA_DIR now points elsewhere the caller gets
 * its own copy from that file, so a site's corrected tables are never hidden by a cached one.
 * The cache is guarded by a mutex (the server's threads open conduct contexts concurrently) and
 * freed at exit, so that a leak checker sees nothing left. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/dosing.h"
#include "lutetia/file.h"
#include "lutetia/patient.h"
#include "lutetia/safety.h"
#include "conduct_int.h"

enum { T_NUC, T_CTCAE, T_DOSEMOD, T_PLAUSIBLE, T_TERMS, T_N };

typedef struct table_kind {
    const char *file;
    lt_status (*load)(const char *path, void **out, lt_error *err);
    void (*free)(void *t);
} table_kind;

/* adapters from each table's typed load and free */
static lt_status load_nuc(const char *p, void **o, lt_error *e)
{
    return lt_nuclide_table_load(p, (lt_nuclide_table **)o, e);
}
static lt_status load_ctcae(const char *p, void **o, lt_error *e)
{
    return lt_ctcae_load(p, (lt_ctcae_table **)o, e);
}
static lt_status load_dosemod(const char *p, void **o, lt_error *e)
{
    return lt_dosemod_load(p, (lt_dosemod_rules **)o, e);
}
static lt_status load_plausible(const char *p, void **o, lt_error *e)
{
    return lt_plausible_load(p, (lt_plausible **)o, e);
}
static lt_status load_terms(const char *p, void **o, lt_error *e)
{
    return lt_ctcae_terms_load(p, (lt_ctcae_terms **)o, e);
}
static void free_nuc(void *t) { lt_nuclide_table_free(t); }
static void free_ctcae(void *t) { lt_ctcae_free(t); }
static void free_dosemod(void *t) { lt_dosemod_free(t); }
static void free_plausible(void *t) { lt_plausible_free(t); }
static void free_terms(void *t) { lt_ctcae_terms_free(t); }

static const table_kind kinds[T_N] = {
    [T_NUC] = {"nuclides.json", load_nuc, free_nuc},
    [T_CTCAE] = {"ctcae-v5-lab.json", load_ctcae, free_ctcae},
    [T_DOSEMOD] = {"lutathera-dose-modification.json", load_dosemod, free_dosemod},
    [T_PLAUSIBLE] = {"plausible-ranges.json", load_plausible, free_plausible},
    [T_TERMS] = {"ctcae-v5-terms.json", load_terms, free_terms},
};

static struct {
    char path[4096]; /* the file it was read from */
    void *table;
} cache[T_N];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void cache_free(void)
{
    pthread_mutex_lock(&cache_mu);
    for (int k = 0; k < T_N; k++) {
        if (cache[k].table) kinds[k].free(cache[k].table);
        cache[k].table = NULL;
        cache[k].path[0] = '\0';
    }
    pthread_mutex_unlock(&cache_mu);
}

static void register_exit(void)
{
    atexit(cache_free);
}

/* The shared table k read from its default file: *out is the cached table (*owned false) or,
 * when the cache holds the table of another file, one read for the caller (*owned true). */
static lt_status shared_table(int k, void **out, bool *owned, lt_error *err)
{
    char path[4096];
    *out = NULL;
    *owned = false;
    lt_status rc = lt_data_file(kinds[k].file, path, sizeof path, err);
    if (rc != LT_OK) return rc;
    pthread_once(&exit_once, register_exit);
    pthread_mutex_lock(&cache_mu);
    if (cache[k].table && !strcmp(cache[k].path, path)) {
        *out = cache[k].table;
        pthread_mutex_unlock(&cache_mu);
        return LT_OK;
    }
    if (!cache[k].table) {
        /* read under the lock: the first requests of a server wait for one read, not repeat it */
        rc = kinds[k].load(path, &cache[k].table, err);
        if (rc == LT_OK) {
            snprintf(cache[k].path, sizeof cache[k].path, "%s", path);
            *out = cache[k].table;
        }
        pthread_mutex_unlock(&cache_mu);
        return rc;
    }
    pthread_mutex_unlock(&cache_mu);
    rc = kinds[k].load(path, out, err);
    if (rc == LT_OK) *owned = true;
    return rc;
}

/* One table of the context: from the given file (the caller's own copy), else the shared one. */
static lt_status table_of(int k, const char *path, void **out, bool *owned, lt_error *err)
{
    if (path) {
        *owned = true;
        return kinds[k].load(path, out, err);
    }
    return shared_table(k, out, owned, err);
}

lt_status lt__conduct_tables_open(lt_conduct *c, const lt_conduct_tables *tables, lt_error *err)
{
    void *v = NULL;
    lt_status rc = table_of(T_NUC, tables ? tables->nuclides : NULL, &v, &c->own_nuc, err);
    c->nuc = v;
    if (rc == LT_OK) {
        rc = table_of(T_CTCAE, tables ? tables->ctcae : NULL, &v, &c->own_ctcae, err);
        c->ctcae = v;
    }
    if (rc == LT_OK) {
        rc = table_of(T_DOSEMOD, tables ? tables->dosemod : NULL, &v, &c->own_rules, err);
        c->rules = v;
    }
    if (rc == LT_OK) {
        rc = table_of(T_PLAUSIBLE, NULL, &v, &c->own_plausible, err);
        c->plausible = v;
    }
    return rc;
}

lt_status lt__conduct_terms(lt_conduct *c, lt_error *err)
{
    if (c->terms) return LT_OK;
    void *v = NULL;
    lt_status rc = shared_table(T_TERMS, &v, &c->own_terms, err);
    c->terms = v;
    return rc;
}

void lt__conduct_tables_close(lt_conduct *c)
{
    if (c->own_nuc) lt_nuclide_table_free(c->nuc);
    if (c->own_ctcae) lt_ctcae_free(c->ctcae);
    if (c->own_rules) lt_dosemod_free(c->rules);
    if (c->own_plausible) lt_plausible_free(c->plausible);
    if (c->own_terms) lt_ctcae_terms_free(c->terms);
    c->nuc = NULL;
    c->ctcae = NULL;
    c->rules = NULL;
    c->plausible = NULL;
    c->terms = NULL;
}

const lt_ctcae_term_entry *lt_conduct_coded_term(lt_conduct *c, const char *term)
{
    lt_error ignored;
    return lt__conduct_terms(c, &ignored) == LT_OK ? lt_ctcae_terms_find(c->terms, term) : NULL;
}

lt_status lt__conduct_schedule(lt_conduct *c, const lt_protocol *p, const lt_schedule **out,
                               lt_schedule **own, lt_error *err)
{
    *own = NULL;
    lt_status rc = lt__trial_schedule_of(c->t, p, out, err);
    if (rc != LT_OK || *out) return rc;
    rc = lt_schedule_from_protocol(p, own, err);
    *out = *own;
    return rc;
}
