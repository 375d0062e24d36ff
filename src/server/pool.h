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
} lt__pool;

/* A pool of n slots over db (key_file: set on every trial lent, may be NULL). */
bool lt__pool_init(lt__pool *p, const char *db, const char *key_file, size_t n);
/* Closes every trial; none may be lent. */
void lt__pool_free(lt__pool *p);
/* A trial opened as user, still as the store holds it (a kept one whose trial, amendments or
 * user record changed since, or opened before today, is opened again); the caller has it alone
 * until lt__pool_give. key receives what it was checked against. Statuses as lt_trial_open (LT_EPERM: no such user, or deactivated). */
lt_status lt__pool_take(lt__pool *p, const char *user, lt_trial **out, char key[160],
                        lt_error *err);
/* Gives t back with the key lt__pool_take gave (kept for the next request of its user when ok,
 * closed otherwise). */
void lt__pool_give(lt__pool *p, lt_trial *t, const char key[160], bool ok);

/* An open store connection (kept ones first); the caller has it alone until
 * lt__pool_store_give. A store holds nothing but its connection and prepared statements: every
 * read sees the store as it is, so a kept one needs no check. */
lt_status lt__pool_store_take(lt__pool *p, lt_store **out, lt_error *err);
/* Gives st back (kept when ok and there is room, closed otherwise). */
void lt__pool_store_give(lt__pool *p, lt_store *st, bool ok);

#endif
