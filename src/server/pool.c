/* Opened trials kept between requests. Opening a trial parses its protocol, loads its
 * amendments and data tables and prepares the store's statements: profiled, most of a short
 * request's time. The pool keeps an opened trial per user between requests and lends it to
 * one request at a time.
 * A kept trial holds what it read at opening: the protocol (trial record and amendments), the
 * version in force that day, and the user's role, sites and active flag. Before lending one,
 * the pool reads the revisions of those records again (three small reads, no parsing) and the
 * date; if any differs, the trial is closed and opened afresh. So a deactivation, a new role or
 * site, or an amendment made by this server, another server or the command line applies to the
 * next request, as when every request opened the trial itself; the server stays stateless over
 * the store. Everything else (patients, records, the audit trail) is read from the store by
 * each operation, as before.
 * Those three reads were still a sixth of a calendar read (profiled under wrk), so the pool
 * also keeps the store's change stamp read before them (lt__pool_stamp): while no connection
 * has committed anything since, and the day is the same, the key cannot have changed and is
 * not read again. Any commit (a write of this server through any connection, of the command
 * line, of another server on the same file) moves the stamp, and the key is read as before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/date.h"
#include "lutetia/store.h"
#include "../store/store_impl.h"
#include "pool.h"

/* What a kept trial depends on, as one string: the last changes of the trial record, of the
 * amendments (and how many there are) and of the user's record, and today's date (the version
 * in force). The trial's and amendments' are read for the kind as a whole, from an index
 * alone: their documents are whole protocols (lt_store_stamp). */
static lt_status key_of(lt_store *st, const char *user, char key[160], lt_error *err)
{
    int64_t tn = 0, tlast = 0, an = 0, alast = 0, un = 0, ulast = 0;
    /* one snapshot for the three reads (and one lock taken, not three) */
    lt_status rc = lt_store_read_begin(st, err);
    if (rc != LT_OK) return rc;
    rc = lt_store_stamp(st, "trial", NULL, &tn, &tlast, err);
    if (rc == LT_OK) rc = lt_store_stamp(st, "user", user, &un, &ulast, err);
    if (rc == LT_OK) rc = lt_store_stamp(st, "amendment", NULL, &an, &alast, err);
    lt_store_read_end(st);
    /* as reading them did: a trial without its record, or a user without theirs, is not one */
    if (rc == LT_OK && !tn) rc = lt_error_set(err, LT_ENOTFOUND, "trial", "no trial record");
    if (rc == LT_OK && !un) rc = lt_error_set(err, LT_ENOTFOUND, user, "no user '%s'", user);
    if (rc == LT_OK)
        snprintf(key, 160, "%lld/%lld/%lld/%lld/%ld", (long long)tlast, (long long)an,
                 (long long)alast, (long long)ulast, (long)lt_date_today());
    return rc;
}

bool lt__pool_init(lt__pool *p, const char *db, const char *key_file, size_t n)
{
    memset(p, 0, sizeof *p);
    if (!(p->v = calloc(n ? n : 1, sizeof *p->v))) return false;
    if (!(p->stores = calloc(n ? n : 1, sizeof *p->stores))) {
        free(p->v);
        return false;
    }
    p->n = n ? n : 1;
    p->db = db;
    p->key_file = key_file;
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->watch_lock, NULL);
    return true;
}

bool lt__pool_stamp(lt__pool *p, int64_t *out)
{
    bool ok = false;
    pthread_mutex_lock(&p->watch_lock);
    if (!p->watch && !p->watch_failed) {
        /* opened on first use, read-only: it must never commit, or its own commits would not
         * move its stamp */
        lt_error ignored;
        if (lt_store_open(p->db, LT_STORE_READ, &p->watch, &ignored) != LT_OK) {
            p->watch = NULL;
            p->watch_failed = true;
        }
    }
    if (p->watch) {
        lt_error why;
        lt_status rc = lt__store_data_version(p->watch, out, &why);
        ok = rc == LT_OK;
        if (rc == LT_EUNSUPPORTED) {
            /* a store without a stamp (PostgreSQL): every check reads the store, as before */
            lt_store_close(p->watch);
            p->watch = NULL;
            p->watch_failed = true;
        }
    }
    pthread_mutex_unlock(&p->watch_lock);
    return ok;
}

void lt__pool_free(lt__pool *p)
{
    for (size_t i = 0; i < p->n; i++) lt_trial_close(p->v[i].t);
    for (size_t i = 0; i < p->nstores; i++) lt_store_close(p->stores[i]);
    free(p->v);
    free(p->stores);
    lt_store_close(p->watch);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->watch_lock);
    memset(p, 0, sizeof *p);
}

/* Opens a trial as user, with the key file and its key. */
static lt_status open_new(lt__pool *p, const char *user, lt_trial **out, lt__pool_ticket *key,
                          lt_error *err)
{
    lt_trial *t = NULL;
    key->stamped = lt__pool_stamp(p, &key->stamp);
    lt_status rc = lt_trial_open(p->db, user, &t, err);
    if (rc == LT_OK && p->key_file) rc = lt_trial_set_key_file(t, p->key_file, err);
    /* the key is read after opening: a change in between makes it differ next time, which
     * only costs one more opening (and the stamp, read before both, differs too) */
    if (rc == LT_OK) rc = key_of(lt_trial_store(t), user, key->key, err);
    /* its commits do not wait for the disk under the server's write lock: the request waits
     * for them after it (lt_store_sync in server.c), sharing the flush with others */
    if (rc == LT_OK) rc = lt_store_defer_sync(lt_trial_store(t), err);
    if (rc != LT_OK) {
        lt_trial_close(t);
        return rc;
    }
    *out = t;
    return LT_OK;
}

/* The date part of a key (after its last '/'). */
static const char *key_day(const char *key)
{
    const char *s = strrchr(key, '/');
    return s ? s + 1 : key;
}

lt_status lt__pool_take(lt__pool *p, const char *user, lt_trial **out, lt__pool_ticket *key,
                        lt_error *err)
{
    return lt__pool_take_at(p, user, NULL, out, key, err);
}

lt_status lt__pool_take_at(lt__pool *p, const char *user, const int64_t *stamp, lt_trial **out,
                           lt__pool_ticket *key, lt_error *err)
{
    lt_trial *t = NULL;
    lt__pool_ticket had = {"", 0, false};
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n; i++) {
        lt__pool_entry *e = &p->v[i];
        if (e->t && !strcmp(e->user, user)) {
            /* taken out of the pool while in use: the slot is free for another */
            t = e->t;
            memcpy(had.key, e->key, sizeof had.key);
            had.stamp = e->stamp;
            had.stamped = e->stamped;
            e->t = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (t) {
        /* the stamp first: a commit after it, even during the key's reads, moves the next one
         * (one read earlier in the request is as good: older, never newer) */
        if (stamp) {
            key->stamp = *stamp;
            key->stamped = true;
        } else {
            key->stamped = lt__pool_stamp(p, &key->stamp);
        }
        char today[32];
        snprintf(today, sizeof today, "%ld", (long)lt_date_today());
        if (key->stamped && had.stamped && key->stamp == had.stamp &&
            !strcmp(key_day(had.key), today)) {
            /* nothing committed since the key was read, and the same day: the same key */
            memcpy(key->key, had.key, sizeof key->key);
            *out = t;
            return LT_OK;
        }
        lt_error ignored;
        if (key_of(lt_trial_store(t), user, key->key, &ignored) == LT_OK &&
            !strcmp(key->key, had.key)) {
            *out = t;
            return LT_OK;
        }
        lt_trial_close(t);
    }
    return open_new(p, user, out, key, err);
}

void lt__pool_give(lt__pool *p, lt_trial *t, const lt__pool_ticket *key, bool ok)
{
    if (!t) return;
    /* a trial given back after a failure is not kept: a failure may have left its connection
     * in a state the next request should not inherit */
    if (!ok) {
        lt_trial_close(t);
        return;
    }
    pthread_mutex_lock(&p->lock);
    lt__pool_entry *slot = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (!p->v[i].t) {
            slot = &p->v[i];
            break;
        }
    if (!slot) {
        /* full: the least recently used kept trial makes room */
        for (size_t i = 0; i < p->n; i++)
            if (!slot || p->v[i].used < slot->used) slot = &p->v[i];
    }
    lt_trial *old = slot->t;
    slot->t = t;
    snprintf(slot->user, sizeof slot->user, "%s", lt_trial_user(t));
    /* the key read before the request ran: if the request itself changed the user or the
     * protocol, the next one sees a different key and opens the trial afresh */
    memcpy(slot->key, key->key, sizeof slot->key);
    /* with the stamp read before that key: a commit by the request itself moves the stamp */
    slot->stamp = key->stamp;
    slot->stamped = key->stamped;
    slot->used = ++p->clock;
    pthread_mutex_unlock(&p->lock);
    lt_trial_close(old);
}

lt_status lt__pool_store_take(lt__pool *p, lt_store **out, lt_error *err)
{
    lt_store *st = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->nstores) st = p->stores[--p->nstores];
    pthread_mutex_unlock(&p->lock);
    if (st) {
        *out = st;
        return LT_OK;
    }
    return lt_store_open(p->db, LT_STORE_OPEN, out, err);
}

void lt__pool_store_give(lt__pool *p, lt_store *st, bool ok)
{
    if (!st) return;
    pthread_mutex_lock(&p->lock);
    bool kept = ok && p->nstores < p->n;
    if (kept) p->stores[p->nstores++] = st;
    pthread_mutex_unlock(&p->lock);
    if (!kept) lt_store_close(st);
}
