/* Reading many files on several threads: each file goes into its own cohort (cohorts share
 * nothing but the read-only concept map), and the cohorts are merged in the order the files
 * were given, so the result is exactly that of reading them one by one. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

typedef struct job {
    const char *const *paths;
    size_t n;
    const lt_concepts *map;
    const lt_plausible *plausible;
    lt_cohort **parts;
    lt_error *errs;
    lt_status *st;
    atomic_size_t next;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n) break;
        lt_status st = lt_cohort_new(&j->parts[i], &j->errs[i]);
        if (st == LT_OK) {
            if (j->map) lt_cohort_use_concepts(j->parts[i], j->map);
            if (j->plausible) lt_cohort_use_plausible(j->parts[i], j->plausible);
            st = lt_cohort_read_file(j->parts[i], j->paths[i], &j->errs[i]);
        }
        j->st[i] = st;
    }
    return NULL;
}

lt_status lt_cohort_read_files(lt_cohort *c, const char *const *paths, size_t n, int nthreads,
                               lt_error *err)
{
    if (!c || (n && !paths))
        LT_FAIL(err, LT_EINVAL, "", "lt_cohort_read_files: no cohort or paths");
    if (n == 0) return LT_OK;
    /* the map is loaded once, before the threads start; when it cannot be found, each FHIR
     * file will say so itself and native or CSV files still read */
    const lt_concepts *map = NULL;
    lt_error ignored;
    if (lt__cohort_concepts(c, &map, &ignored) != LT_OK) map = NULL;
    const lt_plausible *plausible = NULL; /* likewise: each file reports a missing table */
    if (lt__cohort_plausible(c, &plausible, &ignored) != LT_OK) plausible = NULL;

    job j = {paths,
             n,
             map,
             plausible,
             calloc(n, sizeof(lt_cohort *)),
             calloc(n, sizeof(lt_error)),
             calloc(n, sizeof(lt_status)),
             0};
    lt_status st = LT_OK;
    if (!j.parts || !j.errs || !j.st) {
        st = lt_error_set(err, LT_ENOMEM, "", "out of memory reading %zu files", n);
        goto out;
    }
    if (nthreads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = cpus > 0 ? (int)(cpus < 8 ? cpus : 8) : 1;
    }
    if ((size_t)nthreads > n) nthreads = (int)n;
    pthread_t tid[64];
    if (nthreads > 64) nthreads = 64;
    int started = 0;
    for (int t = 1; t < nthreads; t++) /* this thread is worker 0 */
        if (pthread_create(&tid[started], NULL, worker, &j) == 0) started++;
    worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);

    /* A file that cannot be read is skipped and named, so that one malformed bundle in a folder
     * does not stop every other patient; running out of memory stops everything, and so does
     * a folder where no file could be read (the caller then sees the first file's error). */
    size_t failed = 0, first_failed = n;
    for (size_t i = 0; i < n; i++)
        if (j.st[i] != LT_OK) {
            if (j.st[i] == LT_ENOMEM) {
                if (err) *err = j.errs[i];
                st = j.st[i];
                goto out;
            }
            if (first_failed == n) first_failed = i;
            failed++;
        }
    if (failed == n) {
        if (err) *err = j.errs[first_failed];
        st = j.st[first_failed];
        goto out;
    }
    /* merge in order into a scratch cohort, then into c, so that a conflict adds nothing */
    lt_cohort *all;
    if ((st = lt_cohort_new(&all, err)) != LT_OK) goto out;
    lt_cohort_use_concepts(all, map);
    lt_cohort_use_plausible(all, plausible);
    for (size_t i = 0; i < n && st == LT_OK; i++) {
        if (j.st[i] != LT_OK) {
            const lt_error *e = &j.errs[i];
            st = lt__cohort_warn(all, err, e->where[0] ? e->where : paths[i],
                                 "%s; the file is skipped", e->message);
            continue;
        }
        st = lt_cohort_merge(all, j.parts[i], err);
    }
    if (st == LT_OK) st = lt_cohort_merge(c, all, err);
    lt_cohort_free(all);
out:
    if (j.parts)
        for (size_t i = 0; i < n; i++)
            lt_cohort_free(j.parts[i]);
    free(j.parts);
    free(j.errs);
    free(j.st);
    return st;
}
