/* `lutetia serve`: the HTTP door over the operations table (include/lutetia/ops.h), on
 * libmicrohttpd (a thread pool, epoll; TLS through GnuTLS). Stateless over the store: every
 * request opens the trial as the user its session or API token stands for, so several servers
 * can share one store. */
#ifndef LUTETIA_SERVER_H
#define LUTETIA_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include "auth.h"
#include "status.h"

typedef struct lt_server_config {
    const char *db;           /* the trial database */
    const char *listen;       /* "127.0.0.1:8080", "[::1]:8080"; port 0 takes a free one */
    const char *key_file;     /* the seed's key (NULL: DB.key) */
    const char *tls_cert, *tls_key; /* PEM files; both or neither */
    bool insecure_http;       /* allow plain HTTP on an address other than loopback */
    bool allow_known_seed;    /* serve a trial whose seed was supplied (tests, demos) */
    size_t body_max;          /* bytes of request body; more is answered 413 (1 MiB) */
    unsigned threads;         /* thread pool size (4) */
    unsigned timeout_s;       /* a connection idle this long is closed (30) */
    lt_auth_policy policy;
    /* the clock sessions, sign-in and tokens are judged by, in seconds since 1970 (NULL: the
     * system's); a test sets it to move time without waiting */
    int64_t (*now)(void *ctx);
    void *now_ctx;
    /* called once listening, with the port (the one the system chose for port 0) */
    void (*ready)(const char *addr, unsigned port, void *ctx);
    void *ready_ctx;
    /* where read-only operations (GET routes: listings, reports, analyses) read, such as a
     * PostgreSQL streaming-replication standby; NULL: db. Sign-in and every change use db. */
    const char *db_read;
} lt_server_config;

/* Defaults for everything but db and listen. */
LT_API void lt_server_config_default(lt_server_config *c);

/* Serves until SIGTERM or SIGINT, then stops accepting, finishes the requests in flight (waiting
 * at most timeout_s for them; the access log says "stopping" and "stopped") and returns LT_OK. LT_EINVAL for a bad address, plain HTTP on a non-loopback address without
 * insecure_http, or half a TLS pair; LT_EPERM for a trial whose randomisation seed was supplied
 * (not secret) without allow_known_seed; LT_EIO when the address cannot be bound. */
LT_API lt_status lt_server_run(const lt_server_config *c, lt_error *err);

/* The HTTP status for a library status (the one table). */
LT_API unsigned lt_server_http_status(lt_status st);

#endif
