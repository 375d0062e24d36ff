/* The trial store: a small generic record API (kind, id, JSON document) with one hash-chained
 * audit record per change, written in the same transaction as the change. Callers never see SQL:
 * the SQLite implementation (src/store/sqlite.c) is the default and the PostgreSQL one
 * (src/store/postgres.c) sits behind the same operations (docs/store.md says how, and how to
 * add an entity). */
#ifndef LUTETIA_STORE_H
#define LUTETIA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "status.h"

typedef struct lt_store lt_store;

#define LT_STORE_SEED_BYTES 32
#define LT_STORE_SEALED_SEED_BYTES 72 /* secretbox nonce (24), MAC (16), seed (32) */
#define LT_STORE_HASH_HEX 65 /* 64 hex digits of a SHA-256 + NUL */

/* One stored record. data is a JSON document the caller serialised; site, patient and key are
 * copies of fields the caller wants to select on (a site code, a patient id, a grouping key such
 * as a randomisation stratum), NULL when not applicable. rev counts the writes of the record. */
typedef struct lt_record {
    const char *kind;     /* "site", "user", "patient", "screening", "allocation", ... */
    const char *id;
    const char *site;
    const char *patient;
    const char *key;
    const char *data;
    int64_t rev;
    int64_t audit_seq; /* the audit record that wrote this revision (filled when read) */
    /* Who wrote this revision and when: the user, role and UTC time of audit record audit_seq.
     * Filled only by lt_store_each with lt_record_filter.authors (listings and casebooks show
     * who recorded each entry); NULL otherwise. */
    const char *author;
    const char *author_role;
    const char *written_at;
} lt_record;

/* Who makes a change and why; copied into the audit record. */
typedef struct lt_actor {
    const char *user;
    const char *role;
} lt_actor;

/* One audit record as stored: who, when, what and why, and the chain. */
typedef struct lt_audit_record {
    int64_t seq;           /* 1, 2, 3, ... without gaps */
    const char *at;        /* UTC, RFC 3339 */
    const char *user;
    const char *role;
    const char *site;      /* site the change concerns, "" for trial-wide changes */
    const char *action;    /* "enrol", "consent", "randomise", "site.add", ... */
    const char *entity;    /* the record kind */
    const char *entity_id;
    const char *patient;   /* patient the change concerns, "" otherwise */
    const char *old_value; /* JSON document before the change, "null" when created */
    const char *new_value; /* JSON document after */
    const char *reason;    /* why ("" when the change needs none) */
    const char *prev_hash; /* hash of record seq - 1 (64 zeros for the first) */
    const char *hash;      /* SHA-256 of this record's fields and prev_hash, hex */
    /* The hashed form: 1 for records written before schema 3 (13 fields, no key), 2 since
     * (the record's key is hashed too, so that it can be checked against the record). */
    int form;
    const char *key;       /* the record's key (form 2; NULL when the record has none) */
} lt_audit_record;

#define LT_AUDIT_FORM 2 /* the form lt_store_put writes */

/* What `audit log` selects; NULL/0 fields select everything. */
typedef struct lt_audit_filter {
    const char *patient;
    const char *since;     /* RFC 3339 lower bound on `at` (inclusive) */
    const char *const *sites; /* only records of these sites (and trial-wide ones) */
    size_t nsites;
} lt_audit_filter;

typedef enum lt_store_mode {
    LT_STORE_OPEN = 0,   /* the database must exist */
    LT_STORE_CREATE,     /* the file must not exist: it is created exclusively (O_EXCL), so
                            two creators on one path never both proceed, and a failed create
                            removes only the file it made */
    LT_STORE_READ,       /* the database must exist; opened read-only, never upgraded nor
                            written (audit verify, backup): works on a read-only copy or mount */
} lt_store_mode;

/* Opens location: a file path for SQLite ("lutetia.db"), or a PostgreSQL connection URI
 * ("postgresql://user@host/db", any libpq URI). For PostgreSQL the database must exist;
 * LT_STORE_CREATE requires it to hold no tables yet, LT_STORE_OPEN a trial (LT_ENOTFOUND
 * otherwise), and the role that upgrades a schema must be able to create tables (the owner).
 * Opening for writing upgrades an older schema in place (in one transaction); every mode
 * refuses a schema newer than this program with LT_EVERSION. A busy database is waited for,
 * with increasing sleeps, up to LT_STORE_BUSY_MS milliseconds (or $LUTETIA_BUSY_TIMEOUT_MS);
 * then the error says it is locked and that retrying is safe. Errors name the cause: locked,
 * disk full (or the file size limit), read-only, not a trial database. *out is owned by the
 * caller (lt_store_close). */
#define LT_STORE_BUSY_MS 10000
LT_API lt_status lt_store_open(const char *location, lt_store_mode mode, lt_store **out,
                               lt_error *err);
LT_API void lt_store_close(lt_store *st);

/* Keeps up to max_idle PostgreSQL connections open between a store's close and the next open
 * of the same location, for a long-running process such as `lutetia serve` (0, the default:
 * every close disconnects). Thread-safe. A pooled connection the server dropped meanwhile is
 * re-established by the next statement outside a transaction; nothing is retried inside one.
 * No effect on SQLite files. */
LT_API void lt_store_pool(int max_idle);
/* Removes a database file and its -wal and -shm beside it (a scratch copy, a creation that
 * failed); only for files the caller made itself. */
LT_API void lt_store_remove_files(const char *path);

/* The schema version the database is at, and the one this program writes. */
LT_API int lt_store_schema_version(const lt_store *st);
LT_API int lt_store_schema_latest(void);

/* A write transaction: everything between begin and commit happens completely or not at all.
 * begin takes the write lock at once (so a read-check-write sequence cannot interleave with
 * another writer). rollback is harmless without a transaction. */
LT_API lt_status lt_store_begin(lt_store *st, lt_error *err);
LT_API lt_status lt_store_commit(lt_store *st, lt_error *err);
LT_API void lt_store_rollback(lt_store *st);

/* A write transaction of one patient's step (docs/store.md, "One chain under concurrency").
 * On SQLite it is lt_store_begin. On PostgreSQL it serialises with the steps of the same
 * patient and with every lt_store_begin transaction, but not with the steps of other patients:
 * their reads, checks and writes run side by side, and the trial's one audit chain is taken
 * only at the commit, where the step's audit records are appended. The caller reads and
 * writes only that patient's records (ids under "PATIENT/", the patient record itself), and
 * takes lt_store_lock for anything else shared that it reads to decide. */
LT_API lt_status lt_store_begin_patient(lt_store *st, const char *patient, lt_error *err);
/* Inside lt_store_begin_patient's transaction, before its first write: serialises the rest of
 * it with every other transaction that takes the same named lock (randomisation: "allocation",
 * the trial's one allocation sequence). A no-op in any other transaction, which already runs
 * alone. */
LT_API lt_status lt_store_lock(lt_store *st, const char *name, lt_error *err);

/* Reads one record. On success *out is the caller's (lt_record_free); LT_ENOTFOUND if absent. */
LT_API lt_status lt_store_get(lt_store *st, const char *kind, const char *id, lt_record **out,
                              lt_error *err);
LT_API void lt_record_free(lt_record *r);

/* Writes rec inside a transaction and appends exactly one audit record for it (action, reason,
 * the old and new documents). expect_rev is the revision the caller read: 0 means the record
 * must not exist yet, -1 skips the check. A record is never deleted. On success *rev_out (if
 * not NULL) is the new revision. */
LT_API lt_status lt_store_put(lt_store *st, const lt_record *rec, int64_t expect_rev,
                              const lt_actor *who, const char *action, const char *reason,
                              int64_t *rev_out, lt_error *err);

/* Calls fn for each record of kind (in id order, or key then insertion order when key is
 * given), optionally only those of the given sites or patient. fn returns non-zero to stop. */
typedef int (*lt_record_fn)(const lt_record *r, void *ctx);
typedef struct lt_record_filter {
    const char *const *sites;
    size_t nsites;         /* 0: every site */
    const char *patient;   /* NULL: every patient */
    const char *key;       /* NULL: every key */
    bool authors;          /* fill each record's author, author_role and written_at from the
                              audit record of its revision (one joined query) */
} lt_record_filter;
LT_API lt_status lt_store_each(lt_store *st, const char *kind, const lt_record_filter *f,
                               lt_record_fn fn, void *ctx, lt_error *err);

/* The record of kind with this key written most recently, or LT_ENOTFOUND. */
/* Every record of every kind, in (kind, id) order: for exports, which must not need to know
 * every kind the engine writes. */
LT_API lt_status lt_store_each_all(lt_store *st, lt_record_fn fn, void *ctx, lt_error *err);
LT_API lt_status lt_store_last_by_key(lt_store *st, const char *kind, const char *key,
                                      lt_record **out, lt_error *err);

/* Durability deferred to lt_store_sync, for a server: st's commits no longer wait for the disk,
 * and lt_store_sync waits until every commit st made is on disk, the connections of the process
 * to one database sharing each flush (group commit), so that the flush is made outside the
 * server's write lock and once for many requests. Only what lt_store_sync has returned LT_OK
 * for may be acknowledged. A store that waits for the disk at each commit anyway (PostgreSQL,
 * whose own group commit shares its flushes) ignores both. */
LT_API lt_status lt_store_defer_sync(lt_store *st, lt_error *err);
LT_API lt_status lt_store_sync(lt_store *st, lt_error *err);
/* The process's deferred commits and the flushes that made them durable, since it started. */
LT_API void lt_store_flush_totals(uint64_t *commits, uint64_t *flushes);

/* The record of kind for patient with key whose id sorts first (byte order), or LT_ENOTFOUND:
 * one indexed read, however many records the patient has (a lab's CTCAE baseline). */
LT_API lt_status lt_store_first_of_patient(lt_store *st, const char *kind, const char *patient,
                                           const char *key, lt_record **out, lt_error *err);

/* How many records of kind there are (with that id, when id is not NULL: 0 or 1) and the
 * sequence number of the last audit record written for any of them: it moves whenever one of
 * them is written, and for a whole kind it is read from an index without the records'
 * documents (a server checks the trial, amendment and user records its kept trials depend on
 * before each request, src/server/pool.c; the trial's and amendments' are whole protocols). */
LT_API lt_status lt_store_stamp(lt_store *st, const char *kind, const char *id, int64_t *n,
                                int64_t *last, lt_error *err);

/* How many records of kind there are (with key, when key is not NULL). */
LT_API lt_status lt_store_count(lt_store *st, const char *kind, const char *key, int64_t *out,
                                lt_error *err);

/* The trial's seed in the clear, as trials created before seeds were sealed keep it: set once
 * (inside a transaction), read only by the allocation code and by a replay. Never part of a
 * record or the audit trail. New trials store only the sealed seed. */
LT_API lt_status lt_store_seed_set(lt_store *st, const unsigned char seed[LT_STORE_SEED_BYTES],
                                   lt_error *err);
LT_API lt_status lt_store_seed_get(lt_store *st, unsigned char seed[LT_STORE_SEED_BYTES],
                                   lt_error *err);

/* The seed sealed under a key kept outside the store (src/trial/seal.c seals and opens it; the
 * store only keeps the bytes): set once inside a transaction at trial creation. get gives
 * LT_ENOTFOUND, leaving err alone, for a trial created before seeds were sealed (whose seed is
 * in the clear, lt_store_seed_get). */
LT_API lt_status lt_store_sealed_seed_set(lt_store *st,
                                          const unsigned char box[LT_STORE_SEALED_SEED_BYTES],
                                          lt_error *err);
LT_API lt_status lt_store_sealed_seed_get(lt_store *st,
                                          unsigned char box[LT_STORE_SEALED_SEED_BYTES],
                                          lt_error *err);

/* Calls fn for each audit record in sequence order that the filter selects. */
typedef int (*lt_audit_fn)(const lt_audit_record *a, void *ctx);
LT_API lt_status lt_store_audit_each(lt_store *st, const lt_audit_filter *f, lt_audit_fn fn,
                                     void *ctx, lt_error *err);

/* The audit record as one JSON object (the `audit log --json` element). */
LT_API void lt_audit_record_json(const lt_audit_record *a, lt_buf *out);

/* The SHA-256 (hex) a record must carry given its fields and prev_hash. */
LT_API void lt_audit_hash(const lt_audit_record *a, char hex[LT_STORE_HASH_HEX]);

/* Verifies the whole trail, in one read snapshot: sequence numbers without gaps, each prev_hash
 * equal to the hash before it, each hash recomputed, timestamps that never go back, and every
 * stored column of every record (kind, id, key, site, patient, rev, audit_seq, data) equal to
 * what its audit records wrote: rev is the number of its audit records, audit_seq the newest
 * of them (so an edit, deletion or insertion in either the audit table or the records behind
 * the engine's back is found). Returns LT_OK when everything holds, or
 * LT_ECORRUPT with err naming the first bad audit record or record. *nrecords and head (if not
 * NULL) receive the number of audit records checked and the last hash. */
LT_API lt_status lt_store_audit_verify(lt_store *st, int64_t *nrecords,
                                       char head[LT_STORE_HASH_HEX], lt_error *err);

/* ---- anchors outside the file (src/store/checkpoint.c) ----
 * Someone who can write the file can rewrite the trail and recompute every hash; plain
 * verification cannot see that. Two anchors can: a head (sequence number and hash) kept
 * elsewhere, and checkpoints of the head signed with Ed25519 (libsodium) by a key kept
 * elsewhere, stored in the file and checked with the public key. */
#define LT_STORE_SIGN_PUBLIC_BYTES 32
#define LT_STORE_SIGN_SECRET_BYTES 64

/* A read snapshot: every read until lt_store_read_end sees the database as of one moment, so
 * that an export of the records and the audit trail is consistent (not inside a write
 * transaction). */
LT_API lt_status lt_store_read_begin(lt_store *st, lt_error *err);
LT_API void lt_store_read_end(lt_store *st);

/* The last audit record's sequence number and hash (0 and 64 zeros when the trail is empty). */
LT_API lt_status lt_store_audit_head(lt_store *st, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                                     lt_error *err);

/* What lt_store_audit_verify_anchored checks beyond lt_store_audit_verify. */
typedef struct lt_audit_anchors {
    int64_t expect_seq;       /* > 0: the chain must hold expect_hash at this sequence number */
    const char *expect_hash;
    const unsigned char *public_key; /* not NULL: every checkpoint signed by this key must
                                        verify and match the chain; there must be one */
} lt_audit_anchors;

typedef struct lt_audit_verified {
    int64_t records;          /* audit records checked */
    int64_t checkpoints;      /* checkpoints of public_key checked */
    char head[LT_STORE_HASH_HEX];
} lt_audit_verified;

/* lt_store_audit_verify, then the anchors, all in one read snapshot. LT_ECORRUPT names the
 * first failure (a rewritten chain shows as a hash that differs from the anchor's). */
LT_API lt_status lt_store_audit_verify_anchored(lt_store *st, const lt_audit_anchors *a,
                                                lt_audit_verified *out, lt_error *err);

/* Verifies the trail and stores a checkpoint of its head signed with secret_key, in one write
 * transaction (a broken trail is never signed). *seq and hash (if not NULL) receive what was
 * signed. */
LT_API lt_status lt_store_audit_checkpoint(lt_store *st,
                                           const unsigned char secret_key[LT_STORE_SIGN_SECRET_BYTES],
                                           int64_t *seq, char hash[LT_STORE_HASH_HEX],
                                           lt_error *err);

/* Makes a new Ed25519 key pair and writes it as two hex text files, each created exclusively
 * (an existing file is never overwritten); the secret one readable by its owner only. */
LT_API lt_status lt_store_keygen(const char *secret_path, const char *public_path,
                                 lt_error *err);

/* Reads a key file written by lt_store_keygen: out receives LT_STORE_SIGN_SECRET_BYTES (secret)
 * or LT_STORE_SIGN_PUBLIC_BYTES bytes. A wrong file says what was expected and found. */
/* A consistent copy of the whole database in the file `to` (src/store/backup.c; SQLite only:
 * a PostgreSQL store answers LT_EUNSUPPORTED, its backups are the server's): SQLite's
 * online backup of one read snapshot into a new file beside `to`, then that copy is opened
 * read-only and verified (the chain, every record, and its head equal to the snapshot's head),
 * and only then renamed over `to`. A `to` that is not a regular file is refused; on failure
 * `to` is left as it was. *out (if not NULL) describes the verified copy. */
LT_API lt_status lt_store_backup(lt_store *st, const char *to, lt_audit_verified *out,
                                 lt_error *err);

LT_API lt_status lt_store_key_read(const char *path, bool secret, unsigned char *out,
                                   lt_error *err);

/* Copies a whole trial from `from` into `to`, a store just created and still empty (`lutetia
 * migrate`: an SQLite file into PostgreSQL): from one read snapshot of `from`, which must
 * verify first, the audit trail as stored (times, forms and hashes unchanged), every record
 * with its revision, the seed (sealed or clear) and the signed checkpoints, all in one
 * transaction of `to`. Then `to` is verified on its own and must end at the same head. *out
 * (if not NULL) describes the verified copy. On failure `to` is left empty. */
LT_API lt_status lt_store_copy(lt_store *from, lt_store *to, lt_audit_verified *out,
                               lt_error *err);

#endif
