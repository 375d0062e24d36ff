/* Answers of read operations kept while the store is unchanged. A patient's calendar is a
 * function of the store, the user it is read as (role, sites, blinding), its arguments and the
 * day (what is overdue, the protocol version in force); profiled under wrk, computing it was
 * nine tenths of a calendar read even after the cuts in docs/BENCHMARKS.md. The server keeps
 * an answer with the store's change stamp read before it was made (lt__pool_stamp) and the day,
 * and gives it again only to the same user for the same arguments while the stamp and the day
 * are the same: any commit, by this server, the command line or another server, makes the next
 * request compute it afresh. Refusals and errors are never kept. Only the operations the server
 * lists as such (server.c, kept_op) are kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "answers.h"

void lt__answers_init(lt__answers *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
}

static void clear(lt__answer *e)
{
    free(e->args);
    free(e->body);
    memset(e, 0, sizeof *e);
}

void lt__answers_free(lt__answers *a)
{
    for (size_t i = 0; i < LT__ANSWERS_N; i++) clear(&a->v[i]);
    pthread_mutex_destroy(&a->lock);
}

static bool same(const lt__answer *e, const char *user, const char *args)
{
    return e->set && !strcmp(e->user, user) && !strcmp(e->args, args);
}

bool lt__answers_get(lt__answers *a, const char *user, const char *args, int64_t stamp,
                     lt_date day, lt_buf *out)
{
    bool hit = false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < LT__ANSWERS_N; i++) {
        lt__answer *e = &a->v[i];
        if (!same(e, user, args)) continue;
        if (e->stamp == stamp && e->day == day) {
            lt_buf_put(out, e->body, e->n);
            e->used = ++a->clock;
            a->hits++;
            hit = !lt_buf_failed(out);
        } else {
            clear(e); /* stale: the store or the day moved on */
        }
        break;
    }
    pthread_mutex_unlock(&a->lock);
    return hit;
}

void lt__answers_put(lt__answers *a, const char *user, const char *args, int64_t stamp,
                     lt_date day, const char *body, size_t n)
{
    char *ac = strdup(args), *bc = malloc(n ? n : 1);
    if (!ac || !bc) { /* out of memory: simply not kept */
        free(ac);
        free(bc);
        return;
    }
    memcpy(bc, body, n);
    pthread_mutex_lock(&a->lock);
    lt__answer *slot = NULL;
    for (size_t i = 0; i < LT__ANSWERS_N && !slot; i++)
        if (same(&a->v[i], user, args)) slot = &a->v[i];
    for (size_t i = 0; i < LT__ANSWERS_N && !slot; i++)
        if (!a->v[i].set) slot = &a->v[i];
    if (!slot) { /* full: the least recently used makes room */
        slot = &a->v[0];
        for (size_t i = 1; i < LT__ANSWERS_N; i++)
            if (a->v[i].used < slot->used) slot = &a->v[i];
    }
    clear(slot);
    slot->set = true;
    snprintf(slot->user, sizeof slot->user, "%s", user);
    slot->args = ac;
    slot->body = bc;
    slot->n = n;
    slot->stamp = stamp;
    slot->day = day;
    slot->used = ++a->clock;
    pthread_mutex_unlock(&a->lock);
}
