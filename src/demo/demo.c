/* The whole-trial demonstration (include/lutetia/demo.h): reads which trial the protocol is,
 * runs that trial's module (nelmas.c, nct04544098.c, net_retreat.c) on a fresh database - in a
 * scratch folder when asked, then moved into place - and verifies the audit trail where the
 * database ends up. */
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "demo_int.h"
#include "lutetia/file.h"
#include "lutetia/protocol.h"

typedef lt_status (*trial_fn)(lt__demo *d, lt_buf *rep, lt_error *err);

/* One row per trial the demonstration knows, by protocol id. */
static const struct {
    const char *id;
    trial_fn run;
} trials[] = {
    {"nelmas", lt__demo_nelmas},
    {"nct04544098", lt__demo_nct04544098},
    {"net-retreat", lt__demo_net_retreat},
};

/* The protocol's id and arms: in the file's order, and which one is the reference of every
 * comparison (lt_protocol_reference_arm: the control arm). The file is loaded - and so
 * validated - here first, so that a bad one is refused before any database is made. */
static lt_status read_protocol(lt__demo *d, const char *path, char id[32], lt_error *err)
{
    lt_protocol *p = NULL;
    lt_status rc = lt_protocol_load(path, NULL, &p, err);
    if (rc != LT_OK) return rc;
    snprintf(id, 32, "%s", lt_protocol_id(p));
    size_t n = lt_protocol_arm_count(p);
    for (size_t i = 0; i < n && i < 2; i++)
        snprintf(d->arm_ids[i], sizeof d->arm_ids[i], "%s", lt_protocol_arm(p, i)->id);
    d->narms = n < 2 ? (int)n : 2;
    d->control = (int)lt_protocol_reference_arm(p);
    lt_protocol_free(p);
    if (n > 2)
        LT_FAIL(err, LT_EUNSUPPORTED, path, "the demonstration runs trials of one or two arms");
    return LT_OK;
}

/* Moves the finished scratch database (all connections closed, so its WAL is checkpointed
 * into the main file) to its place, byte for byte, and removes the scratch files. */
static lt_status move_db(const char *from, const char *to, lt_error *err)
{
    char *data = NULL;
    size_t n = 0;
    lt_status rc = lt_file_read(from, &data, &n, err);
    if (rc == LT_OK) rc = lt_file_write(to, data, n, err);
    free(data);
    lt_store_remove_files(from);
    return rc;
}

/* Verifies the audit trail of the database at its final place. */
static lt_status verify(lt__demo *d, lt_buf *rep, lt_error *err)
{
    lt_store *st = NULL;
    lt_status rc = lt_store_open(d->o->db, LT_STORE_OPEN, &st, err);
    char head[LT_STORE_HASH_HEX];
    if (rc == LT_OK) rc = lt_store_audit_verify(st, &d->r.audit_records, head, err);
    lt_store_close(st);
    if (rc != LT_OK) return rc;
    lt_buf_printf(rep, "\nAudit trail: %lld records, hash chain and every record verified\n",
                  (long long)d->r.audit_records);
    lt_buf_printf(rep, "Database: %s\n", d->o->db);
    lt_buf_puts(rep, lt_buf_str(&d->files));
    return LT_OK;
}

lt_status lt_demo_run(const lt_demo_options *o, lt_buf *report, lt_demo_result *result,
                      lt_error *err)
{
    if (!o || !o->db || !*o->db) LT_FAIL(err, LT_EINVAL, "--db", "a database path is needed");
    if (!o->protocol) LT_FAIL(err, LT_EINVAL, "--protocol", "the trial's protocol file is needed");
    lt__demo d;
    memset(&d, 0, sizeof d);
    d.o = o;
    char id[32];
    lt_status rc = read_protocol(&d, o->protocol, id, err);
    if (rc != LT_OK) return rc;
    trial_fn run = NULL;
    for (size_t i = 0; i < sizeof trials / sizeof trials[0]; i++)
        if (!strcmp(trials[i].id, id)) run = trials[i].run;
    if (!run)
        LT_FAIL(err, LT_EUNSUPPORTED, o->protocol,
                "expected the protocol of nelmas, nct04544098 or net-retreat, found id '%s': "
                "the demonstration knows these three trials",
                id);
    snprintf(d.r.trial, sizeof d.r.trial, "%s", id);
    struct stat sb;
    if (stat(o->db, &sb) == 0)
        LT_FAIL(err, LT_ECONFLICT, o->db, "the database exists already: the demo makes a new one");
    char *key_default = o->key_file ? NULL : lt_trial_key_file_default(o->db);
    d.key_file = o->key_file ? o->key_file : key_default;
    if (!d.key_file) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    char scratch[1024];
    d.work_db = o->db;
    if (o->scratch_dir) {
        snprintf(scratch, sizeof scratch, "%s/lutetia-demo-%ld.db", o->scratch_dir, (long)getpid());
        d.work_db = scratch;
    }
    d.rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!d.rng) {
        free(key_default);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    gsl_rng_set(d.rng, (unsigned long)o->seed);
    lt_buf rep = LT_BUF_INIT;
    rc = run(&d, &rep, err);
    lt__demo_close(&d);
    gsl_rng_free(d.rng);
    if (d.work_db != o->db) {
        struct stat ws;
        lt_error e2;
        /* a run refused before it created the trial leaves nothing to move */
        if (stat(d.work_db, &ws) == 0) {
            lt_status mv = move_db(d.work_db, o->db, rc == LT_OK ? err : &e2);
            if (rc == LT_OK) rc = mv;
        }
    }
    if (rc == LT_OK) rc = verify(&d, &rep, err);
    if (rc == LT_OK && (lt_buf_failed(&rep) || lt_buf_failed(&d.files)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK && report) lt_buf_puts(report, lt_buf_str(&rep));
    if (rc == LT_OK && result) *result = d.r;
    lt_buf_free(&rep);
    lt_buf_free(&d.files);
    free(key_default);
    return rc;
}
