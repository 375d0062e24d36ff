/* Inside the server: API tokens and sessions already checked, kept while the store is
 * unchanged (authcache.c). */
#ifndef LUTETIA_SERVER_AUTHCACHE_H
#define LUTETIA_SERVER_AUTHCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "lutetia/auth.h"
#include "lutetia/date.h"
#include "../auth/auth_int.h"

#define LT__AUTHCACHE_N 64

typedef struct lt__authcache_entry {
    unsigned char h[32]; /* SHA-256 of the whole token as presented */
    char user[LT_AUTH_USER_MAX];
    int64_t expires; /* 0: never */
    lt_date day;     /* the day it was checked on */
    int64_t stamp;   /* the store's change stamp read before the check */
    unsigned long used;
    bool set;
    bool session;          /* a session cookie's facts (f), not a token */
    lt__session_facts f;
} lt__authcache_entry;

typedef struct lt__authcache {
    pthread_mutex_t lock;
    lt__authcache_entry v[LT__AUTHCACHE_N];
    unsigned long clock;
    unsigned long hits; /* for the tests: how many answers came from here */
} lt__authcache;

void lt__authcache_init(lt__authcache *c);
void lt__authcache_free(lt__authcache *c);
/* Whether token was accepted as user by a check made after the store showed stamp, on the
 * same day as now, and has not expired at now; user receives its user. */
bool lt__authcache_get(lt__authcache *c, const char *token, int64_t stamp, int64_t now,
                       char user[LT_AUTH_USER_MAX]);
/* Keeps a check's acceptance: stamp read before the check, at now. */
void lt__authcache_put(lt__authcache *c, const char *token, int64_t stamp, int64_t now,
                       const char *user, int64_t expires);

/* The facts of the session whose cookie value is id as a check read them after the store showed
 * stamp, if kept; the caller judges them (lt__auth_session_judge) at its own time. */
bool lt__authcache_session_get(lt__authcache *c, const char *id, int64_t stamp,
                               lt__session_facts *f);
/* Keeps a session check's facts: stamp read before the check. */
void lt__authcache_session_put(lt__authcache *c, const char *id, int64_t stamp,
                               const lt__session_facts *f);

#endif
