/* The operations every store implementation provides (SQLite and PostgreSQL). store.c
 * holds what is common (audit hashing, chaining, verification) and calls these; nothing above
 * src/store sees this table. */
#ifndef LUTETIA_STORE_IMPL_H
#define LUTETIA_STORE_IMPL_H

#include "lutetia/store.h"

/* One signed checkpoint: the head (seq, hash) at a time, the signer's public key and the
 * Ed25519 signature, both in hex. */
typedef struct lt__checkpoint {
    int64_t seq;
    const char *hash;
    const char *at;
    const char *public_key;
    const char *signature;
} lt__checkpoint;

typedef struct lt__store_ops {
    void (*close)(void *impl);
    int (*schema_version)(void *impl);
    lt_status (*begin)(void *impl, lt_error *err);
    /* lt_store_begin_patient, lt_store_lock and the chain taken at the first write of such a
     * transaction; NULL where begin already serialises every writer (SQLite) */
    lt_status (*begin_patient)(void *impl, const char *patient, lt_error *err);
    lt_status (*lock_named)(void *impl, const char *name, lt_error *err);
    lt_status (*lock_chain)(void *impl, lt_error *err);
    /* A patient's step appends its audit records at the commit (NULL: at each write, under
     * lock_chain). write_provisional writes the record at once (rec->rev set), pointing at an
     * existing audit record until the commit; chain_head takes the chain and reads its head
     * (as audit_last); append_commit appends the step's audit records in order, points each
     * record written at its own, and commits, ending the transaction either way. */
    lt_status (*write_provisional)(void *impl, const lt_record *rec, lt_error *err);
    lt_status (*chain_head)(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX], char *at,
                            lt_error *err);
    lt_status (*append_commit)(void *impl, const lt_audit_record *a, size_t n, lt_error *err);
    lt_status (*commit)(void *impl, lt_error *err);
    /* lt_store_defer_sync and lt_store_sync; NULL where every commit waits for the disk */
    lt_status (*defer_sync)(void *impl, lt_error *err);
    lt_status (*sync)(void *impl, lt_error *err);
    void (*rollback)(void *impl);
    /* a read transaction: every read until read_end sees one snapshot of the database, so a
     * check over several tables is not fooled by a commit made between two of its reads */
    lt_status (*read_begin)(void *impl, lt_error *err);
    void (*read_end)(void *impl);
    lt_status (*get)(void *impl, const char *kind, const char *id, lt_record **out,
                     lt_error *err);
    /* inserts (rec->rev == 1) or updates the record; audit_seq is the audit record of it */
    lt_status (*write)(void *impl, const lt_record *rec, int64_t audit_seq, lt_error *err);
    /* inserts a record exactly as another store holds it (its rev and audit_seq), for
     * lt_store_copy; no audit record is written: the copy brings the trail's own */
    lt_status (*load)(void *impl, const lt_record *rec, lt_error *err);
    /* kind NULL: every record, in (kind, id) order */
    lt_status (*each)(void *impl, const char *kind, const lt_record_filter *f, lt_record_fn fn,
                      void *ctx, lt_error *err);
    lt_status (*last_by_key)(void *impl, const char *kind, const char *key, lt_record **out,
                             lt_error *err);
    lt_status (*first_of_patient)(void *impl, const char *kind, const char *patient,
                                  const char *key, lt_record **out, lt_error *err);
    lt_status (*stamp)(void *impl, const char *kind, const char *id, int64_t *n, int64_t *last,
                       lt_error *err);
    lt_status (*count)(void *impl, const char *kind, const char *key, int64_t *out,
                       lt_error *err);
    lt_status (*seed_set)(void *impl, const unsigned char *seed, lt_error *err);
    lt_status (*seed_get)(void *impl, unsigned char *seed, lt_error *err);
    /* LT_STORE_SEALED_SEED_BYTES; get gives LT_ENOTFOUND when none is stored */
    lt_status (*sealed_seed_set)(void *impl, const unsigned char *box, lt_error *err);
    lt_status (*sealed_seed_get)(void *impl, unsigned char *box, lt_error *err);
    /* the last audit record's seq, hash and time (0, 64 zeros and "" when the trail is
     * empty); at has room for LT_TIME_STR_MAX bytes */
    lt_status (*audit_last)(void *impl, int64_t *seq, char hash[LT_STORE_HASH_HEX], char *at,
                            lt_error *err);
    lt_status (*audit_append)(void *impl, const lt_audit_record *a, lt_error *err);
    lt_status (*audit_each)(void *impl, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                            lt_error *err);
    /* the hash of audit record seq; LT_ENOTFOUND when there is none */
    lt_status (*audit_hash_at)(void *impl, int64_t seq, char hash[LT_STORE_HASH_HEX],
                               lt_error *err);
    /* signed checkpoints of the head, in (seq, public_key) order; a store from before
     * checkpoints existed has none */
    lt_status (*checkpoint_add)(void *impl, const lt__checkpoint *c, lt_error *err);
    lt_status (*checkpoint_each)(void *impl, int (*fn)(const lt__checkpoint *c, void *ctx),
                                 void *ctx, lt_error *err);
    /* copies the database as the current read snapshot shows it into path, an empty file the
     * caller has just created (SQLite: the online backup API) */
    lt_status (*backup_to)(void *impl, const char *path, lt_error *err);
    /* a number that differs from the last one this connection gave whenever another
     * connection (of this process or another) has committed since; NULL where the store keeps
     * none (PostgreSQL) */
    lt_status (*data_version)(void *impl, int64_t *out, lt_error *err);
} lt__store_ops;

struct lt_store {
    const lt__store_ops *ops;
    void *impl;
    bool in_tx;
    /* in lt_store_begin_patient's transaction; chain_locked: the chain taken before the
     * commit (a store without append_commit, at its first write; setting the seed) */
    bool scoped;
    bool chain_locked;
    bool wrote; /* the open transaction has written: lt_store_lock comes before */
    /* a patient's step with append_commit: its audit records, chained at the commit */
    lt_audit_record *pend;
    size_t npend, cappend;
    /* and the records it has read or written (its patient's: no one else changes them while
     * it runs), so a write does not read again what the step has just read */
    lt_record *seen[8];
    size_t nseen;
    int lock_state; /* the data lock in the step: 0 not read yet, 1 none, 2 read (lock_rec) */
    lt_record *lock_rec;
    bool in_read; /* inside lt_store_audit_verify_anchored's read snapshot */
};

/* The SQLite implementation. target_version < 0 migrates to the latest schema; tests pass an
 * older version to build a database as an older program would have left it. */
lt_status lt__sqlite_open(const char *path, lt_store_mode mode, int target_version,
                          lt_store **out, lt_error *err);
int lt__sqlite_latest(void);

/* The PostgreSQL implementation (src/store/postgres.c), for "postgresql://" locations; the
 * same schema versions as SQLite's. busy_ms bounds the wait for the writers' lock. */
lt_status lt__pg_open(const char *location, lt_store_mode mode, int target_version, int busy_ms,
                      lt_store **out, lt_error *err);
int lt__pg_latest(void);
/* The PostgreSQL connection pool's size (lt_store_pool). */
void lt__pg_pool(int max_idle);

/* The store's change stamp (data_version above): LT_EUNSUPPORTED where the store keeps none. A
 * caller that keeps something read from the store may reuse it while a connection that itself
 * never writes gives the same stamp (the server's caches, src/server/pool.c). */
lt_status lt__store_data_version(lt_store *st, int64_t *out, lt_error *err);

/* Whether location names a PostgreSQL database rather than a file. */
bool lt__store_is_pg(const char *location);

/* The busy limit in milliseconds: $LUTETIA_BUSY_TIMEOUT_MS when it is a number from 0 to
 * 600000, else LT_STORE_BUSY_MS. */
int lt__store_busy_ms(void);

/* Allocates a record whose strings are copies, in one block (freed by lt_record_free). */
lt_record *lt__record_copy(const char *kind, const char *id, const char *site,
                           const char *patient, const char *key, const char *data, int64_t rev,
                           int64_t audit_seq);

#endif
