/* Moving a whole trial from one store into another, new one (`lutetia migrate`: an SQLite file
 * into PostgreSQL): the trail exactly as stored, so that its hashes still chain and the copy
 * verifies with the same head. Generic over the implementations: no SQL here. */
#include <string.h>
#include "lutetia/date.h"
#include "store_impl.h"

typedef struct copy_ctx {
    lt_store *to;
    lt_error *err;
    lt_status rc;
    int64_t n;
} copy_ctx;

static int copy_audit(const lt_audit_record *a, void *ctx)
{
    copy_ctx *c = ctx;
    c->rc = c->to->ops->audit_append(c->to->impl, a, c->err);
    c->n++;
    return c->rc != LT_OK;
}

static int copy_record(const lt_record *r, void *ctx)
{
    copy_ctx *c = ctx;
    c->rc = c->to->ops->load(c->to->impl, r, c->err);
    return c->rc != LT_OK;
}

static int copy_checkpoint(const lt__checkpoint *k, void *ctx)
{
    copy_ctx *c = ctx;
    c->rc = c->to->ops->checkpoint_add(c->to->impl, k, c->err);
    return c->rc != LT_OK;
}

/* Everything of `from` into `to`, inside to's open transaction and from's read snapshot. */
static lt_status copy_all(lt_store *from, lt_store *to, lt_error *err)
{
    copy_ctx c = {to, err, LT_OK, 0};
    lt_status rc = from->ops->audit_each(from->impl, NULL, copy_audit, &c, err);
    if (rc == LT_OK) rc = c.rc;
    if (rc == LT_OK) rc = from->ops->each(from->impl, NULL, NULL, copy_record, &c, err);
    if (rc == LT_OK) rc = c.rc;
    if (rc != LT_OK) return rc;
    /* the seed as the trial keeps it: sealed (the same key file opens it in the copy), or in
     * the clear for a trial created before seeds were sealed; a trial has one or the other */
    unsigned char box[LT_STORE_SEALED_SEED_BYTES], seed[LT_STORE_SEED_BYTES];
    lt_error none;
    rc = from->ops->sealed_seed_get(from->impl, box, err);
    if (rc == LT_OK) rc = to->ops->sealed_seed_set(to->impl, box, err);
    else if (rc == LT_ENOTFOUND) rc = LT_OK;
    if (rc != LT_OK) return rc;
    if (from->ops->seed_get(from->impl, seed, &none) == LT_OK)
        rc = to->ops->seed_set(to->impl, seed, err);
    if (rc == LT_OK) rc = from->ops->checkpoint_each(from->impl, copy_checkpoint, &c, err);
    if (rc == LT_OK) rc = c.rc;
    return rc;
}

lt_status lt_store_copy(lt_store *from, lt_store *to, lt_audit_verified *out, lt_error *err)
{
    if (from->in_tx || to->in_tx)
        LT_FAIL(err, LT_EINVAL, "", "a trial is copied outside any transaction");
    /* One snapshot of the source for its verification and the copy: a trail that does not
     * verify is not carried into a new store, where its faults would look like new ones. */
    lt_status rc = from->ops->read_begin(from->impl, err);
    if (rc != LT_OK) return rc;
    from->in_read = true;
    lt_audit_verified src = {0};
    rc = lt_store_audit_verify(from, &src.records, src.head, err);
    if (rc == LT_OK) rc = lt_store_begin(to, err);
    if (rc == LT_OK) {
        int64_t seq = 0;
        char hash[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX + 8];
        rc = to->ops->audit_last(to->impl, &seq, hash, at, err);
        if (rc == LT_OK && seq != 0)
            rc = lt_error_set(err, LT_ECONFLICT, "to",
                              "the target already holds a trail of %lld records: a trial is "
                              "moved into a new, empty store",
                              (long long)seq);
        if (rc == LT_OK) rc = copy_all(from, to, err);
        if (rc == LT_OK)
            rc = lt_store_commit(to, err);
        else
            lt_store_rollback(to);
    }
    from->in_read = false;
    from->ops->read_end(from->impl);
    if (rc != LT_OK) return rc;
    /* the copy must verify on its own, with the source's head */
    lt_audit_anchors a = {.expect_seq = src.records, .expect_hash = src.head};
    lt_audit_verified v = {0};
    if (src.records > 0) {
        rc = lt_store_audit_verify_anchored(to, &a, &v, err);
    } else {
        rc = lt_store_audit_verify(to, &v.records, v.head, err);
    }
    if (rc != LT_OK) return rc;
    if (v.records != src.records || strcmp(v.head, src.head) != 0)
        LT_FAIL(err, LT_ECORRUPT, "to",
                "the copy ends at record %lld, the source at %lld: the copy is incomplete",
                (long long)v.records, (long long)src.records);
    if (out) *out = v;
    return LT_OK;
}
