/* Inside the server: opened trials kept between requests (pool.c). */
#ifndef LUTETIA_SERVER_POOL_H
#define LUTETIA_SERVER_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include "lutetia/trial.h"

typedef struct lt__pool_entry {
    lt_trial *t;        /* NULL: a free slot */
    char user[65];
    unsigned long used; /* when last lent, for eviction */
    char key[160];      /* what the trial was opened from (see pool.c) */
    int64_t stamp;      /* the store's change stamp read before key (see pool.c) */
    bool stamped;       /* stamp was read (a store without one: key is read every time) */
} lt__pool_entry;

typedef struct lt__pool {
    pthread_mutex_t lock;
    const char *db;
    const char *key_file;
    lt__pool_entry *v;
    size_t n;
    unsigned long clock;
    lt_store **stores; /* open store connections for sign-in and authentication */
    size_t nstores;
    /* a connection that never writes, whose change stamp moves with every commit by any
     * other connection (see lt__pool_stamp) */
    pthread_mutex_t watch_lock;
    lt_store *watch;
    bool watch_failed;
} lt__pool;

/* What the pool lends besides the trial: the key it was checked against, and the change
 * stamp read before that check. */
typedef struct lt__pool_ticket {
    char key[160];
    int64_t stamp;
    bool stamped;
} lt__pool_ticket;

/* A pool of n slots over db (key_file: set on every trial lent, may be NULL). */
bool lt__pool_init(lt__pool *p, const char *db, const char *key_file, size_t n);
/* Closes every trial; none may be lent. */
void lt__pool_free(lt__pool *p);
/* A trial opened as user, still as the store holds it (a kept one whose trial, amendments or
 * user record changed since, or opened before today, is opened again); the caller has it alone
 * until lt__pool_give. key receives what it was checked against. Statuses as lt_trial_open (LT_EPERM: no such user, or deactivated). */
lt_status lt__pool_take(lt__pool *p, const char *user, lt_trial **out, lt__pool_ticket *key,
                        lt_error *err);
/* As lt__pool_take, with the stamp the caller read from this pool (lt__pool_stamp) earlier in
 * the same request, read again otherwise (stamp NULL). */
lt_status lt__pool_take_at(lt__pool *p, const char *user, const int64_t *stamp, lt_trial **out,
                           lt__pool_ticket *key, lt_error *err);
/* Gives t back with the ticket lt__pool_take gave (kept for the next request of its user when
 * ok, closed otherwise). */
void lt__pool_give(lt__pool *p, lt_trial *t, const lt__pool_ticket *key, bool ok);

/* The store's change stamp now (SQLite's data_version, read on the pool's own connection that
 * never writes): equal to an earlier one only if no connection, of this process or another,
 * has committed in between. false when the store keeps none or it could not be read: then
 * nothing may be reused on its strength. */
bool lt__pool_stamp(lt__pool *p, int64_t *out);

/* An open store connection (kept ones first); the caller has it alone until
 * lt__pool_store_give. A store holds nothing but its connection and prepared statements: every
 * read sees the store as it is, so a kept one needs no check. */
lt_status lt__pool_store_take(lt__pool *p, lt_store **out, lt_error *err);
/* Gives st back (kept when ok and there is room, closed otherwise). */
void lt__pool_store_give(lt__pool *p, lt_store *st, bool ok);

#endif
