/* Group commit for a store whose commits do not wait for the disk (lt_store_defer_sync): the
 * connections of one process to one database file share a flush group. A commit takes a
 * ticket; waiting for a ticket either finds it already flushed, or waits while another
 * connection flushes, or flushes itself everything committed so far. So many commits made one
 * after another under a server's write lock share one flush made outside it. */
#ifndef LUTETIA_STORE_FLUSH_H
#define LUTETIA_STORE_FLUSH_H

#include <stdint.h>
#include <sys/types.h>
#include "lutetia/status.h"

typedef struct lt__flush_group lt__flush_group;

/* The group of the file (dev, ino), made on first use; NULL when out of memory. */
lt__flush_group *lt__flush_join(dev_t dev, ino_t ino);
void lt__flush_leave(lt__flush_group *g);

/* A commit made without waiting for the disk: its ticket, to wait for before acknowledging. */
uint64_t lt__flush_ticket(lt__flush_group *g);

/* Waits until every commit up to ticket is on disk; flush(ctx) is this connection's way to
 * flush the file (0 on success, else an errno) should it be the one to flush. A failed flush
 * breaks the group for good: what the kernel failed to write may be gone from its cache, so
 * a later flush that succeeds would prove nothing (PostgreSQL stops for the same reason). */
lt_status lt__flush_wait(lt__flush_group *g, uint64_t ticket, int (*flush)(void *ctx), void *ctx,
                         const char *where, lt_error *err);

/* Commits given tickets and flushes made, for tests and metrics. */
void lt__flush_counts(lt__flush_group *g, uint64_t *commits, uint64_t *flushes);

#endif
