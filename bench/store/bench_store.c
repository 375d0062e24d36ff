/* The store's load benchmark (bench/store/run.sh): CLIENTS threads, each acting as a server's
 * request thread does (open the trial as the user, run one operation of the operations table,
 * close), over the patients P1..PN of a prepared trial, each patient taken by one thread.
 *   bench_store DB KEY_FILE prepare N CLIENTS   consent and confirm P1..PN (not timed)
 *   bench_store DB KEY_FILE randomise N CLIENTS randomise P1..PN, timed
 *   bench_store DB KEY_FILE labs N CLIENTS      one lab for each of P1..PN, timed
 * Prints one line "KIND CLIENTS N SECONDS OPS_PER_S". PostgreSQL connections are pooled as in
 * `lutetia serve` (lt_store_pool). Any failed operation stops the run with its error. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lutetia.h"
#include "lutetia/ops.h"
#include "lutetia/store.h"

static const char *db, *key_file, *kind;
static int total;
static atomic_int next_patient;
static atomic_int failed;

/* Runs operation `name` as `user` with the JSON arguments given. */
static int call(const char *name, const char *user, const char *args_json)
{
    const lt_op *op = lt_ops_find(name);
    lt_error err;
    lt_error_clear(&err);
    lt_json *args = NULL;
    lt_trial *t = NULL;
    lt_buf out = LT_BUF_INIT;
    lt_status rc = lt_json_parse(args_json, strlen(args_json), "arguments", &args, &err);
    if (rc == LT_OK) rc = lt_trial_open(db, user, &t, &err);
    if (rc == LT_OK) rc = lt_trial_set_key_file(t, key_file, &err);
    if (rc == LT_OK) rc = lt_ops_call(op, t, args, &out, &err);
    lt_trial_close(t);
    lt_json_free(args);
    lt_buf_free(&out);
    if (rc != LT_OK) fprintf(stderr, "%s %s: %s: %s\n", name, args_json, err.where, err.message);
    return rc == LT_OK ? 0 : -1;
}

static void *client(void *arg)
{
    (void)arg;
    char a[256];
    for (;;) {
        int i = atomic_fetch_add(&next_patient, 1) + 1;
        if (i > total || atomic_load(&failed)) break;
        int bad = 0;
        if (!strcmp(kind, "prepare")) {
            snprintf(a, sizeof a,
                     "{\"patient\":\"P%d\",\"date\":\"2026-11-01\",\"form\":\"v2\"}", i);
            bad = call("patients.consent", "coord", a);
            snprintf(a, sizeof a, "{\"patient\":\"P%d\",\"date\":\"2026-11-01\"}", i);
            if (!bad) bad = call("patients.confirm", "inv", a);
        } else if (!strcmp(kind, "randomise")) {
            snprintf(a, sizeof a, "{\"patient\":\"P%d\",\"date\":\"2026-11-02\"}", i);
            bad = call("patients.randomise", "coord", a);
        } else {
            snprintf(a, sizeof a,
                     "{\"patient\":\"P%d\",\"date\":\"2026-11-03\",\"analyte\":\"platelets\","
                     "\"value\":%d,\"unit\":\"10^9/L\",\"lln\":150,\"uln\":400}",
                     i, 150 + i % 200);
            bad = call("labs.record", "coord", a);
        }
        if (bad) atomic_store(&failed, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_store DB KEY_FILE prepare|randomise|labs N CLIENTS\n");
        return 2;
    }
    db = argv[1];
    key_file = argv[2];
    kind = argv[3];
    total = atoi(argv[4]);
    int clients = atoi(argv[5]);
    if (total < 1 || clients < 1 || clients > 256) return 2;
    lt_store_pool(clients + 1);
    pthread_t *th = calloc((size_t)clients, sizeof *th);
    if (!th) return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < clients; i++) pthread_create(&th[i], NULL, client, NULL);
    for (int i = 0; i < clients; i++) pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(th);
    lt_store_pool(0);
    if (atomic_load(&failed)) return 1;
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s %d %d %.3f %.1f\n", kind, clients, total, s, total / s);
    return 0;
}
