/* What a signature is bound to (21 CFR 11.70: a signature cannot be excised, copied or
 * transferred to falsify another record): the SHA-256 of what it signs, including the record's
 * kind and id, and the audit sequence number of the last change to it. A signature holds while
 * both are still what they were when it was made; an edit, a correction, or a copy onto another
 * record changes one of them. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "sign_int.h"

/* Kinds that are not the trial's data: who may sign in, and the signatures themselves (signing
 * a casebook must not invalidate the signatures of its entries, nor theirs it). */
bool lt__sign_outside_data(const char *kind)
{
    static const char *const outside[] = {LT__K_SIGNATURE, LT__K_REFUSAL, LT__K_LOCK,
                                          "credential", "session", "login", "token", "user"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        if (!strcmp(kind, outside[i])) return true;
    return false;
}

static void absorb(crypto_hash_sha256_state *h, const lt_record *r)
{
    /* each field ends in a NUL, which no field holds, so no two records hash alike by moving
     * text from one field to the next */
    crypto_hash_sha256_update(h, (const unsigned char *)r->kind, strlen(r->kind) + 1);
    crypto_hash_sha256_update(h, (const unsigned char *)r->id, strlen(r->id) + 1);
    crypto_hash_sha256_update(h, (const unsigned char *)r->data, strlen(r->data) + 1);
}

static void finish(crypto_hash_sha256_state *h, lt__binding *b)
{
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(h, out);
    sodium_bin2hex(b->sha256, sizeof b->sha256, out, sizeof out);
}

lt_status lt__bind_record(lt_store *st, const char *kind, const char *id, lt__binding *b,
                          lt_error *err)
{
    memset(b, 0, sizeof *b);
    lt_record *r = NULL;
    lt_status rc = lt_store_get(st, kind, id, &r, err);
    if (rc == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, "record", "no %s '%s'", kind, id);
    if (rc != LT_OK) return rc;
    snprintf(b->kind, sizeof b->kind, "%s", kind);
    snprintf(b->id, sizeof b->id, "%s", id);
    b->seq = r->audit_seq;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    absorb(&h, r);
    finish(&h, b);
    lt_record_free(r);
    return LT_OK;
}

typedef struct many {
    crypto_hash_sha256_state h;
    const char *patient; /* NULL: the whole trial */
    int64_t seq;
    size_t n;
} many;

static int absorb_one(const lt_record *r, void *ctx)
{
    many *m = ctx;
    if (lt__sign_outside_data(r->kind)) return 0;
    if (m->patient && (!r->patient || strcmp(r->patient, m->patient) != 0)) return 0;
    absorb(&m->h, r);
    if (r->audit_seq > m->seq) m->seq = r->audit_seq;
    m->n++;
    return 0;
}

/* Every record of the data (of one patient when patient is not NULL), in (kind, id) order. */
static lt_status bind_many(lt_store *st, const char *kind, const char *id, const char *patient,
                           lt__binding *b, lt_error *err)
{
    memset(b, 0, sizeof *b);
    many m = {.patient = patient};
    crypto_hash_sha256_init(&m.h);
    lt_status rc = lt_store_each_all(st, absorb_one, &m, err);
    if (rc != LT_OK) return rc;
    if (!m.n) LT_FAIL(err, LT_ENOTFOUND, "patient", "nothing is recorded for '%s'", id);
    snprintf(b->kind, sizeof b->kind, "%s", kind);
    snprintf(b->id, sizeof b->id, "%s", id);
    b->seq = m.seq;
    finish(&m.h, b);
    return LT_OK;
}

lt_status lt__bind_casebook(lt_store *st, const char *patient, lt__binding *b, lt_error *err)
{
    return bind_many(st, LT__BIND_CASEBOOK, patient, patient, b, err);
}

lt_status lt__bind_data(lt_store *st, lt__binding *b, lt_error *err)
{
    return bind_many(st, LT__BIND_DATA, "trial", NULL, b, err);
}

lt_status lt__bind_again(lt_store *st, const char *kind, const char *id, lt__binding *b,
                         lt_error *err)
{
    if (!strcmp(kind, LT__BIND_CASEBOOK)) return lt__bind_casebook(st, id, b, err);
    if (!strcmp(kind, LT__BIND_DATA)) return lt__bind_data(st, b, err);
    return lt__bind_record(st, kind, id, b, err);
}

lt_status lt_sign_check(lt_store *st, const char *signature_json, bool *valid, lt_error *err)
{
    *valid = false;
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(signature_json, strlen(signature_json), "signature", &j, err);
    if (rc != LT_OK) return rc;
    const lt_json *rec = lt_json_get(j, "record");
    const char *kind = lt_json_get_str(rec, "kind", NULL), *id = lt_json_get_str(rec, "id", NULL);
    const char *sha = lt_json_get_str(rec, "sha256", NULL);
    double seq = lt_json_get_num(rec, "seq", -1);
    lt__binding now;
    if (!kind || !id || !sha) {
        rc = lt_error_set(err, LT_ECORRUPT, "signature", "a signature names no signed record");
    } else {
        lt_error why;
        rc = lt__bind_again(st, kind, id, &now, &why);
        /* what it signed is gone (a casebook can only grow; kept for a damaged store): the
         * signature no longer holds, which is the answer, not an error */
        if (rc == LT_ENOTFOUND) rc = LT_OK, now.seq = -1;
        else if (rc != LT_OK && err) *err = why;
        if (rc == LT_OK)
            *valid = now.seq == (int64_t)seq && !strcmp(now.sha256, sha);
    }
    lt_json_free(j);
    return rc;
}
