/* The operations every store implementation provides (SQLite now, PostgreSQL later). store.c
 * holds what is common (audit hashing, chaining, verification) and calls these; nothing above
 * src/store sees this table. */
#ifndef LUTETIA_STORE_IMPL_H
#define LUTETIA_STORE_IMPL_H

#include "lutetia/store.h"

typedef struct lt__store_ops {
    void (*close)(void *impl);
    int (*schema_version)(void *impl);
    lt_status (*begin)(void *impl, lt_error *err);
    lt_status (*commit)(void *impl, lt_error *err);
    void (*rollback)(void *impl);
    lt_status (*get)(void *impl, const char *kind, const char *id, lt_record **out,
                     lt_error *err);
    /* inserts (rec->rev == 1) or updates the record; audit_seq is the audit record of it */
    lt_status (*write)(void *impl, const lt_record *rec, int64_t audit_seq, lt_error *err);
    /* kind NULL: every record, in (kind, id) order */
    lt_status (*each)(void *impl, const char *kind, const lt_record_filter *f, lt_record_fn fn,
                      void *ctx, lt_error *err);
    lt_status (*last_by_key)(void *impl, const char *kind, const char *key, lt_record **out,
                             lt_error *err);
    lt_status (*count)(void *impl, const char *kind, const char *key, int64_t *out,
                       lt_error *err);
    lt_status (*seed_set)(void *impl, const unsigned char *seed, lt_error *err);
    lt_status (*seed_get)(void *impl, unsigned char *seed, lt_error *err);
    /* LT_STORE_SEALED_SEED_BYTES; get gives LT_ENOTFOUND when none is stored */
    lt_status (*sealed_seed_set)(void *impl, const unsigned char *box, lt_error *err);
    lt_status (*sealed_seed_get)(void *impl, unsigned char *box, lt_error *err);
    /* the last audit record's seq and hash (0 and 64 zeros when the trail is empty) */
    lt_status (*audit_last)(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                            lt_error *err);
    lt_status (*audit_append)(void *impl, const lt_audit_record *a, lt_error *err);
    lt_status (*audit_each)(void *impl, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                            lt_error *err);
} lt__store_ops;

struct lt_store {
    const lt__store_ops *ops;
    void *impl;
    bool in_tx;
};

/* The SQLite implementation. target_version < 0 migrates to the latest schema; tests pass an
 * older version to build a database as an older program would have left it. */
lt_status lt__sqlite_open(const char *path, lt_store_mode mode, int target_version,
                          lt_store **out, lt_error *err);
int lt__sqlite_latest(void);

/* Allocates a record whose strings are copies, in one block (freed by lt_record_free). */
lt_record *lt__record_copy(const char *kind, const char *id, const char *site,
                           const char *patient, const char *key, const char *data, int64_t rev);

#endif
