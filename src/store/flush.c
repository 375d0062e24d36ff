/* Group commit: one flush of a database file covers every commit made to it before the flush
 * began, whichever connection made it (flush.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include "flush.h"

struct lt__flush_group {
    dev_t dev;
    ino_t ino;
    int refs;
    pthread_mutex_t lock;
    pthread_cond_t done;  /* a flush ended */
    uint64_t committed;   /* the last ticket given */
    uint64_t flushed;     /* every ticket up to this one is on disk */
    bool flushing;        /* a connection is flushing now */
    int broken;           /* the errno of a failed flush: no later one is trusted */
    uint64_t flushes;
    lt__flush_group *next;
};

static pthread_mutex_t groups_lock = PTHREAD_MUTEX_INITIALIZER;
static lt__flush_group *groups;
/* the process's totals over every group, for a server's metrics (under groups_lock) */
static uint64_t total_tickets, total_flushes;

lt__flush_group *lt__flush_join(dev_t dev, ino_t ino)
{
    pthread_mutex_lock(&groups_lock);
    lt__flush_group *g = groups;
    while (g && (g->dev != dev || g->ino != ino)) g = g->next;
    if (!g && (g = calloc(1, sizeof *g)) != NULL) {
        g->dev = dev;
        g->ino = ino;
        pthread_mutex_init(&g->lock, NULL);
        pthread_cond_init(&g->done, NULL);
        g->next = groups;
        groups = g;
    }
    if (g) g->refs++;
    pthread_mutex_unlock(&groups_lock);
    return g;
}

void lt__flush_leave(lt__flush_group *g)
{
    if (!g) return;
    pthread_mutex_lock(&groups_lock);
    if (--g->refs == 0) {
        lt__flush_group **p = &groups;
        while (*p != g) p = &(*p)->next;
        *p = g->next;
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->done);
        free(g);
    }
    pthread_mutex_unlock(&groups_lock);
}

uint64_t lt__flush_ticket(lt__flush_group *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t t = ++g->committed;
    pthread_mutex_unlock(&g->lock);
    pthread_mutex_lock(&groups_lock);
    total_tickets++;
    pthread_mutex_unlock(&groups_lock);
    return t;
}

void lt_store_flush_totals(uint64_t *commits, uint64_t *flushes)
{
    pthread_mutex_lock(&groups_lock);
    *commits = total_tickets;
    *flushes = total_flushes;
    pthread_mutex_unlock(&groups_lock);
}

lt_status lt__flush_wait(lt__flush_group *g, uint64_t ticket, int (*flush)(void *ctx), void *ctx,
                         const char *where, lt_error *err)
{
    pthread_mutex_lock(&g->lock);
    while (!g->broken && g->flushed < ticket) {
        if (g->flushing) {
            pthread_cond_wait(&g->done, &g->lock);
            continue;
        }
        /* this connection flushes: every commit that took its ticket before now has
         * written its part of the file, so one flush covers them all */
        uint64_t upto = g->committed;
        g->flushing = true;
        pthread_mutex_unlock(&g->lock);
        int e = flush(ctx);
        pthread_mutex_lock(&groups_lock);
        total_flushes++;
        pthread_mutex_unlock(&groups_lock);
        pthread_mutex_lock(&g->lock);
        g->flushing = false;
        g->flushes++;
        if (e)
            g->broken = e;
        else if (upto > g->flushed)
            g->flushed = upto;
        pthread_cond_broadcast(&g->done);
    }
    int broken = g->broken;
    pthread_mutex_unlock(&g->lock);
    if (broken)
        LT_FAIL(err, LT_EIO, where,
                "the change was committed, but the disk refused to flush the database (%s): "
                "whether it and any change after it will survive a power failure cannot be "
                "confirmed; stop the server, check the disk, and look at the audit log after "
                "restarting",
                strerror(broken));
    return LT_OK;
}

void lt__flush_counts(lt__flush_group *g, uint64_t *commits, uint64_t *flushes)
{
    pthread_mutex_lock(&g->lock);
    *commits = g->committed;
    *flushes = g->flushes;
    pthread_mutex_unlock(&g->lock);
}
