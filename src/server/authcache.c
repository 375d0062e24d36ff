/* API tokens already checked. Checking a token reads its record and its user's (hash, two
 * lookups, two JSON parses): profiled under wrk, a tenth of a calendar read. The answer of
 * lt_auth_token_check depends on the store and on the time; the server keeps an acceptance
 * with the store's change stamp read before the check (lt__pool_stamp), the day and the
 * token's expiry, and reuses it only while the stamp is the same (no connection of any process
 * has committed since: no revocation, deactivation, new role, expiry change), the day is the
 * same (the first use of a day is written by the check) and the token has not expired. Any
 * commit makes the next request check again, so a revocation or deactivation takes effect at
 * the next request as before. Refusals are never kept. Entries are found by the SHA-256 of
 * the token presented, compared in constant time; the token itself is not kept.
 * A session cookie is kept the same way, as the facts its check judged (the session record and
 * whether its user is active), judged again on every request by the check's own rules
 * (lt__auth_session_judge: ended, deactivated, absolute and idle timeouts, CSRF token); when its
 * last use is due to be written (touch_seconds), the full check runs and writes it. A sign-out,
 * a password change, a lock-out or a deactivation is a commit, so it applies at the next
 * request. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "authcache.h"

void lt__authcache_init(lt__authcache *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

void lt__authcache_free(lt__authcache *c)
{
    sodium_memzero(c->v, sizeof c->v);
    pthread_mutex_destroy(&c->lock);
}

static void hash_of(const char *token, unsigned char h[32])
{
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
}

bool lt__authcache_get(lt__authcache *c, const char *token, int64_t stamp, int64_t now,
                       char user[LT_AUTH_USER_MAX])
{
    unsigned char h[32];
    hash_of(token, h);
    lt_date day = lt_time_date(now);
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < LT__AUTHCACHE_N; i++) {
        lt__authcache_entry *e = &c->v[i];
        if (!e->set || e->session || sodium_memcmp(e->h, h, sizeof h) != 0) continue;
        if (e->stamp == stamp && e->day == day && (!e->expires || now < e->expires)) {
            snprintf(user, LT_AUTH_USER_MAX, "%s", e->user);
            e->used = ++c->clock;
            c->hits++;
            hit = true;
        } else {
            e->set = false; /* stale: the store or the day moved on */
        }
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

/* The slot for hash h (its own, a free one, else the least recently used), locked. */
static lt__authcache_entry *slot_for(lt__authcache *c, const unsigned char h[32], bool session)
{
    lt__authcache_entry *slot = NULL;
    for (size_t i = 0; i < LT__AUTHCACHE_N && !slot; i++)
        if (c->v[i].set && c->v[i].session == session &&
            sodium_memcmp(c->v[i].h, h, 32) == 0)
            slot = &c->v[i];
    for (size_t i = 0; i < LT__AUTHCACHE_N && !slot; i++)
        if (!c->v[i].set) slot = &c->v[i];
    if (!slot) { /* full: the least recently used makes room */
        slot = &c->v[0];
        for (size_t i = 1; i < LT__AUTHCACHE_N; i++)
            if (c->v[i].used < slot->used) slot = &c->v[i];
    }
    memset(slot, 0, sizeof *slot);
    memcpy(slot->h, h, 32);
    slot->session = session;
    slot->used = ++c->clock;
    slot->set = true;
    return slot;
}

void lt__authcache_put(lt__authcache *c, const char *token, int64_t stamp, int64_t now,
                       const char *user, int64_t expires)
{
    unsigned char h[32];
    hash_of(token, h);
    pthread_mutex_lock(&c->lock);
    lt__authcache_entry *slot = slot_for(c, h, false);
    snprintf(slot->user, sizeof slot->user, "%s", user);
    slot->expires = expires;
    slot->day = lt_time_date(now);
    slot->stamp = stamp;
    pthread_mutex_unlock(&c->lock);
}

bool lt__authcache_session_get(lt__authcache *c, const char *id, int64_t stamp,
                               lt__session_facts *f)
{
    unsigned char h[32];
    hash_of(id, h);
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < LT__AUTHCACHE_N; i++) {
        lt__authcache_entry *e = &c->v[i];
        if (!e->set || !e->session || sodium_memcmp(e->h, h, sizeof h) != 0) continue;
        if (e->stamp == stamp) {
            *f = e->f;
            e->used = ++c->clock;
            c->hits++;
            hit = true;
        } else {
            e->set = false;
        }
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void lt__authcache_session_put(lt__authcache *c, const char *id, int64_t stamp,
                               const lt__session_facts *f)
{
    unsigned char h[32];
    hash_of(id, h);
    pthread_mutex_lock(&c->lock);
    lt__authcache_entry *slot = slot_for(c, h, true);
    slot->f = *f;
    slot->stamp = stamp;
    pthread_mutex_unlock(&c->lock);
}
