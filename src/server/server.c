/* The HTTP server: routes from the operations table plus a few fixed ones (health, metrics,
 * the OpenAPI document, sign-in), authentication by session cookie or bearer token, RFC 9457
 * problems for every error, Prometheus metrics and a JSON-lines access log on stderr. No
 * clinical logic here: a request becomes the arguments of a table row and the row's answer. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "lutetia/date.h"
#include "lutetia/file.h"
#include "lutetia/ops.h"
#include "lutetia/server.h"
#include "lutetia/trial.h"
#include "../auth/auth_int.h"
#include "answers.h"
#include "authcache.h"
#include "pool.h"
#include "static.h"

#define COOKIE "lutetia_session"

/* ---- metrics ---- */

static const unsigned codes[] = {200, 400, 401, 403, 404, 405, 409, 413, 422, 500, 501, 503};
#define NCODES (sizeof codes / sizeof codes[0] + 1) /* + other */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])
enum { R_HEALTHZ, R_METRICS, R_OPENAPI, R_SESSION, R_OTHER, R_WEB, R_FIXED };

typedef struct metrics {
    pthread_mutex_t lock;
    size_t nroutes;
    unsigned long long *count; /* [route][code] */
    unsigned long long hist[NBUCKETS + 1];
    unsigned long long n;
    double sum;
} metrics;

static const char *route_name(size_t r)
{
    static const char *const fixed[R_FIXED] = {"healthz", "metrics", "openapi", "session",
                                               "other", "web"};
    return r < R_FIXED ? fixed[r] : lt_ops_at(r - R_FIXED)->name;
}

static void metrics_add(metrics *m, size_t route, unsigned status, double seconds)
{
    size_t c = NCODES - 1;
    for (size_t i = 0; i < NCODES - 1; i++)
        if (codes[i] == status) c = i;
    pthread_mutex_lock(&m->lock);
    m->count[route * NCODES + c]++;
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b]) b++;
    m->hist[b]++;
    m->n++;
    m->sum += seconds;
    pthread_mutex_unlock(&m->lock);
}

static void metrics_text(metrics *m, lt_buf *out)
{
    pthread_mutex_lock(&m->lock);
    lt_buf_puts(out, "# HELP lutetia_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE lutetia_http_requests_total counter\n");
    for (size_t r = 0; r < m->nroutes; r++)
        for (size_t c = 0; c < NCODES; c++)
            if (m->count[r * NCODES + c]) {
                if (c < NCODES - 1)
                    lt_buf_printf(out, "lutetia_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                                  route_name(r), codes[c], m->count[r * NCODES + c]);
                else
                    lt_buf_printf(out, "lutetia_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                                  route_name(r), m->count[r * NCODES + c]);
            }
    lt_buf_puts(out, "# HELP lutetia_http_request_duration_seconds Time to answer a request.\n"
                     "# TYPE lutetia_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += m->hist[b];
        lt_buf_printf(out, "lutetia_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                      buckets[b], cum);
    }
    lt_buf_printf(out, "lutetia_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", m->n);
    lt_buf_printf(out, "lutetia_http_request_duration_seconds_sum %.6f\n", m->sum);
    lt_buf_printf(out, "lutetia_http_request_duration_seconds_count %llu\n", m->n);
    pthread_mutex_unlock(&m->lock);
    uint64_t commits = 0, flushes = 0;
    lt_store_flush_totals(&commits, &flushes);
    lt_buf_printf(out,
                  "# HELP lutetia_store_commits_total Commits that waited for a shared flush.\n"
                  "# TYPE lutetia_store_commits_total counter\n"
                  "lutetia_store_commits_total %llu\n"
                  "# HELP lutetia_store_flushes_total Flushes of the database's log to disk.\n"
                  "# TYPE lutetia_store_flushes_total counter\n"
                  "lutetia_store_flushes_total %llu\n",
                  (unsigned long long)commits, (unsigned long long)flushes);
}

/* ---- per-server and per-request state ---- */

typedef struct server {
    const lt_server_config *cfg;
    bool tls;
    metrics m;
    pthread_mutex_t log_lock;
    /* requests between their headers and their answer's end: a stop waits for them to reach 0 */
    pthread_mutex_t flight_lock;
    pthread_cond_t flight_done;
    unsigned in_flight;
    bool stopping;
    lt__pool pool; /* opened trials kept between requests (pool.c) */
    lt__pool pool_read; /* the same over db_read, when there is a standby */
    lt__authcache tokens; /* API tokens and sessions checked while the store is unchanged
                             (authcache.c) */
    lt__answers answers; /* answers of kept_op operations while the store is unchanged */
    /* one changing operation at a time in this process: SQLite lets one writer in and makes
     * the others wait in its busy handler, which sleeps in steps of up to 100 ms; taking turns
     * here instead hands the store on at once (bench/server/run.sh, 32 connections: 63 writes/s
     * without, 79 with, same run conditions). Other processes sharing the store still meet
     * the busy handler. */
    pthread_mutex_t write_lock;
} server;

/* The time sign-in, sessions and tokens are judged at: the configured clock (a test's), else
 * the system's. */
static int64_t now_s(const server *s)
{
    return s->cfg->now ? s->cfg->now(s->cfg->now_ctx) : lt_time_now();
}

typedef struct request {
    lt_buf body;
    bool too_big;
    struct timespec t0;
    char user[LT_AUTH_USER_MAX];
} request;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void access_log(server *s, const char *method, const char *url, size_t route,
                       unsigned status, double seconds, const char *user)
{
    char at[40];
    lt_time_format(lt_time_now(), at);
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"at\":");
    lt_buf_json_str(&b, at);
    lt_buf_puts(&b, ",\"method\":");
    lt_buf_json_str(&b, method);
    lt_buf_puts(&b, ",\"path\":");
    lt_buf_json_str(&b, url);
    lt_buf_puts(&b, ",\"route\":");
    lt_buf_json_str(&b, route_name(route));
    lt_buf_printf(&b, ",\"status\":%u,\"ms\":%.3f,\"user\":", status, seconds * 1e3);
    lt_buf_json_str(&b, user && *user ? user : NULL);
    lt_buf_puts(&b, "}\n");
    pthread_mutex_lock(&s->log_lock);
    fputs(lt_buf_str(&b), stderr);
    fflush(stderr);
    pthread_mutex_unlock(&s->log_lock);
    lt_buf_free(&b);
}

/* Queues the answer, counts it and logs it. Takes body's contents. */
static enum MHD_Result answer(server *s, struct MHD_Connection *c, request *rq, const char *method,
                              const char *url, size_t route, unsigned status, const char *type,
                              lt_buf *body, const char *cookie)
{
    /* the body's buffer handed to MHD, which frees it after sending: a calendar is 23 kB, and
     * copying it was one more allocation per request */
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body->n, body->n ? body->p : (void *)"", body->n ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (r && body->n) *body = (lt_buf)LT_BUF_INIT;
    enum MHD_Result ok = MHD_NO;
    if (r) {
        MHD_add_response_header(r, "Content-Type", type);
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        /* the API's answers are data, and the few that are documents (the report's page, an
         * SVG) carry their CSS and images inline: nothing in them may run or load anything,
         * whatever text a record put in them (the web page's files have their own policy) */
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                "frame-ancestors 'none'; sandbox");
        if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
        pthread_mutex_lock(&s->flight_lock);
        bool stopping = s->stopping;
        pthread_mutex_unlock(&s->flight_lock);
        /* a stopping server tells a keep-alive client to take its next request elsewhere */
        if (stopping) MHD_add_response_header(r, "Connection", "close");
        ok = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
    }
    double secs = since(&rq->t0);
    metrics_add(&s->m, route, status, secs);
    access_log(s, method, url, route, status, secs, rq->user);
    lt_buf_free(body);
    return ok;
}

/* An RFC 9457 problem document. */
static enum MHD_Result problem(server *s, struct MHD_Connection *c, request *rq,
                               const char *method, const char *url, size_t route,
                               unsigned status, const char *title, const char *param,
                               const char *detail)
{
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b, "{\"type\":\"about:blank\",\"status\":%u,\"title\":", status);
    lt_buf_json_str(&b, title);
    lt_buf_puts(&b, ",\"detail\":");
    lt_buf_json_str(&b, detail);
    if (param && *param) {
        lt_buf_puts(&b, ",\"param\":");
        lt_buf_json_str(&b, param);
    }
    lt_buf_puts(&b, "}");
    return answer(s, c, rq, method, url, route, status, "application/problem+json", &b, NULL);
}

static enum MHD_Result problem_err(server *s, struct MHD_Connection *c, request *rq,
                                   const char *method, const char *url, size_t route,
                                   const lt_error *err)
{
    return problem(s, c, rq, method, url, route, lt_server_http_status(err->status),
                   lt_strerror(err->status), err->where, err->message);
}

/* ---- routing ---- */

/* Whether url matches the template path ("/api/v1/patients/{patient}"); the value of the one
 * {name} segment, if any, goes to value. Segments never hold '/', so "../" cannot climb. */
static bool match(const char *path, const char *url, char *value, size_t n)
{
    value[0] = '\0';
    while (*path && *url) {
        if (*path != '/' || *url != '/') return false;
        path++;
        url++;
        const char *pe = strchr(path, '/'), *ue = strchr(url, '/');
        size_t pl = pe ? (size_t)(pe - path) : strlen(path);
        size_t ul = ue ? (size_t)(ue - url) : strlen(url);
        if (pl > 1 && path[0] == '{') {
            if (!ul || ul >= n) return false;
            memcpy(value, url, ul);
            value[ul] = '\0';
        } else if (pl != ul || memcmp(path, url, pl) != 0) {
            return false;
        }
        path += pl;
        url += ul;
    }
    return !*path && !*url;
}

typedef struct query_ctx {
    lt_buf *args;
    bool any;
} query_ctx;

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    query_ctx *q = cls;
    lt_buf_puts(q->args, q->any ? "," : "");
    lt_buf_json_str(q->args, key);
    lt_buf_putc(q->args, ':');
    lt_buf_json_str(q->args, value ? value : "");
    q->any = true;
    return MHD_YES;
}

/* Who the request acts as: a bearer token, or the session cookie (with the CSRF token for a
 * change). LT_EPERM when neither holds. */
static lt_status authenticate(server *s, struct MHD_Connection *c, bool changes,
                              char user[LT_AUTH_USER_MAX], int64_t *stamp, bool *stamped,
                              lt_error *err)
{
    const lt_server_config *cfg = s->cfg;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    if (!auth && !cookie) LT_FAIL(err, LT_EPERM, "", "sign in (POST /api/v1/session) or send "
                                                      "Authorization: Bearer TOKEN");
    int64_t now = now_s(s);
    bool bearer = auth && strncmp(auth, "Bearer ", 7) == 0;
    /* the stamp before the check: a commit during it makes the next request check again (and
     * the pool's check of the trial uses the same, read once per request) */
    *stamped = lt__pool_stamp(&s->pool, stamp);
    if (bearer && *stamped && lt__authcache_get(&s->tokens, auth + 7, *stamp, now, user))
        return LT_OK;
    const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    lt__session_facts f;
    if (!auth && *stamped && lt__authcache_session_get(&s->tokens, cookie, *stamp, &f)) {
        /* the kept facts judged by the session check's own rules at this request's time;
         * a refusal, or a last use due to be written, goes to the full check below */
        lt_error why;
        if (lt__auth_session_judge(&f, changes, csrf, &cfg->policy, now, &why) == LT_OK &&
            now - f.seen < cfg->policy.touch_seconds) {
            snprintf(user, LT_AUTH_USER_MAX, "%s", f.user);
            return LT_OK;
        }
    }
    lt_store *st = NULL;
    lt_status rc = lt__pool_store_take(&s->pool, &st, err);
    if (rc != LT_OK) return rc;
    if (auth) {
        int64_t expires = 0;
        rc = bearer ? lt__auth_token_check(st, auth + 7, now, user, &expires, err)
                    : lt_error_set(err, LT_EPERM, "Authorization", "expected Bearer TOKEN");
        if (rc == LT_OK && *stamped)
            lt__authcache_put(&s->tokens, auth + 7, *stamp, now, user, expires);
    } else {
        bool touched = false;
        rc = lt__auth_session_check(st, cookie, changes, csrf, &cfg->policy, now, user, &f,
                                    &touched, err);
        if (rc == LT_OK && *stamped) lt__authcache_session_put(&s->tokens, cookie, *stamp, &f);
    }
    /* a refusal leaves the connection as it was; anything else may not have */
    lt__pool_store_give(&s->pool, st, rc == LT_OK || rc == LT_EPERM);
    return rc;
}

/* The arguments object of a table row: path value, query values, body members, in one JSON
 * text (a member given twice stays twice, for lt_ops_check_args to refuse). */
static lt_status build_args(const lt_op *op, struct MHD_Connection *c, const char *path_value,
                            const lt_buf *body, lt_json **args, lt_error *err)
{
    lt_buf a = LT_BUF_INIT;
    lt_buf_putc(&a, '{');
    query_ctx q = {&a, false};
    for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++)
        if (op->params[i].in == LT_OP_IN_PATH) {
            add_query(&q, MHD_GET_ARGUMENT_KIND, op->params[i].name, path_value);
        }
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, &q);
    lt_json *b = NULL;
    lt_status rc = LT_OK;
    if (body->n) {
        rc = lt_json_parse(body->p, body->n, "body", &b, err);
        if (rc == LT_OK && !lt_json_is_object(b))
            rc = lt_error_set(err, LT_EINVAL, "body", "expected a JSON object, found %s",
                              lt_json_kind(b));
        for (const lt_json *m = rc == LT_OK ? lt_json_first(b) : NULL; m; m = lt_json_next(m)) {
            char *v = lt_json_print(m);
            if (!v) {
                rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
                break;
            }
            lt_buf_puts(&a, q.any ? "," : "");
            lt_buf_json_str(&a, lt_json_key(m));
            lt_buf_putc(&a, ':');
            lt_buf_puts(&a, v);
            q.any = true;
            free(v);
        }
    }
    lt_buf_putc(&a, '}');
    if (rc == LT_OK && lt_buf_failed(&a)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(a.p, a.n, "arguments", args, err);
    lt_json_free(b);
    lt_buf_free(&a);
    return rc;
}

/* The operations whose answers are kept while the store is unchanged (answers.c): reads whose
 * answer is a function of the store, the user, the arguments and the day alone. The calendar
 * is the page a site opens most; a new row is kept only once that is known of it. */
static bool kept_op(const lt_op *op)
{
    return !op->changes && !strcmp(op->name, "schedule.show");
}

static enum MHD_Result run_op(server *s, struct MHD_Connection *c, request *rq, const char *method,
                              const char *url, size_t route, const lt_op *op,
                              const char *path_value)
{
    lt_error err;
    lt_error_clear(&err);
    int64_t stamp = 0;
    bool stamped = false;
    if (authenticate(s, c, op->changes, rq->user, &stamp, &stamped, &err) != LT_OK) {
        /* a change without its CSRF token is forbidden; no identity at all is 401 */
        if (!strcmp(err.where, "csrf"))
            return problem(s, c, rq, method, url, route, 403, "CSRF token missing or wrong",
                           "X-CSRF-Token", err.message);
        if (err.status != LT_EPERM) return problem_err(s, c, rq, method, url, route, &err);
        return problem(s, c, rq, method, url, route, 401, "not signed in", err.where,
                       err.message);
    }
    lt_json *args = NULL;
    if (build_args(op, c, path_value, &rq->body, &args, &err) != LT_OK)
        return problem_err(s, c, rq, method, url, route, &err);
    /* a kept answer: same user, operation and arguments, nothing committed since it was made
     * (the stamp was read before this request's authentication), the same day */
    char *akey = NULL;
    lt_date day = lt_date_today();
    if (kept_op(op) && stamped && !s->cfg->db_read) {
        char *a = lt_json_print(args);
        lt_buf k = LT_BUF_INIT;
        lt_buf_puts(&k, op->name);
        lt_buf_putc(&k, '\n');
        lt_buf_puts(&k, a ? a : "");
        if (a && !lt_buf_failed(&k)) akey = strdup(lt_buf_str(&k));
        free(a);
        lt_buf_free(&k);
    }
    if (akey) {
        lt_buf kept = LT_BUF_INIT;
        if (lt__answers_get(&s->answers, rq->user, akey, stamp, day, &kept)) {
            free(akey);
            lt_json_free(args);
            return answer(s, c, rq, method, url, route, 200, "application/json", &kept, NULL);
        }
        lt_buf_free(&kept);
    }
    lt_trial *t = NULL;
    lt__pool_ticket key;
    /* a read-only operation may go to a standby (db_read); changes always to the primary */
    lt__pool *pool = !op->changes && s->cfg->db_read ? &s->pool_read : &s->pool;
    lt_status rc = lt__pool_take_at(pool, rq->user, pool == &s->pool && stamped ? &stamp : NULL,
                                    &t, &key, &err);
    if (rc == LT_EPERM) {
        /* a deactivated user: its session or token no longer stands for anyone */
        lt_json_free(args);
        return problem(s, c, rq, method, url, route, 401, "not signed in", "user", err.message);
    }
    /* the session a signature comes in: its first signature needs the user name too
     * (src/sign/); set on every request, as a kept trial still holds the last one's */
    if (rc == LT_OK)
        lt_trial_set_session(t, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")
                                    ? NULL
                                    : MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE));
    /* and the time one-time codes and lock-outs are judged at, as sign-in judges them */
    if (rc == LT_OK) lt_trial_set_clock(t, now_s(s));
    lt_buf out = LT_BUF_INIT;
    if (rc == LT_OK) {
        if (op->changes) pthread_mutex_lock(&s->write_lock);
        rc = lt_ops_call(op, t, args, &out, &err);
        if (op->changes) pthread_mutex_unlock(&s->write_lock);
        /* what the operation committed is on disk before it is acknowledged: the flush is
         * made here, outside the write lock, and shared by the requests waiting at once
         * (lt_store_defer_sync); an operation that failed may have committed a part */
        lt_error why;
        lt_status synced = lt_store_sync(lt_trial_store(t), rc == LT_OK ? &err : &why);
        if (rc == LT_OK) rc = synced;
    }
    lt__pool_give(pool, t, &key, rc == LT_OK);
    lt_json_free(args);
    if (rc == LT_OK && akey && !lt_buf_failed(&out))
        lt__answers_put(&s->answers, rq->user, akey, stamp, day, out.p ? out.p : "", out.n);
    free(akey);
    if (rc != LT_OK) {
        lt_buf_free(&out);
        return problem_err(s, c, rq, method, url, route, &err);
    }
    return answer(s, c, rq, method, url, route, 200, lt_ops_media_type(op), &out, NULL);
}

static const lt_op session_op = {
    "session.create", "POST", "/api/v1/session", "sign in", "", LT_OP_EVERY_ROLE, false, true,
    {{"user", LT_OP_STRING, LT_OP_IN_BODY, true, "user name"},
     {"password", LT_OP_STRING, LT_OP_IN_BODY, true, "password"},
     {"totp", LT_OP_STRING, LT_OP_IN_BODY, false, "the one-time code, for a user enrolled in a "
                                                   "second factor (lutetia user totp)"}},
    NULL};

static enum MHD_Result session(server *s, struct MHD_Connection *c, request *rq,
                               const char *method, const char *url)
{
    lt_error err;
    lt_error_clear(&err);
    lt_store *st = NULL;
    const lt_server_config *cfg = s->cfg;
    if (!strcmp(method, "DELETE")) {
        const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
        char user[LT_AUTH_USER_MAX];
        /* signing out is a change: it needs the CSRF token too */
        lt_status rc = lt__pool_store_take(&s->pool, &st, &err);
        if (rc == LT_OK)
            rc = lt_auth_session_check(st, cookie, true,
                                       MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"),
                                       &cfg->policy, now_s(s), user, &err);
        /* ?everywhere=true ends every session of the user, not only this one */
        const char *all = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "everywhere");
        bool everywhere = all && !strcmp(all, "true");
        int ended = 1;
        if (rc == LT_OK && all && !everywhere && strcmp(all, "false") != 0)
            rc = lt_error_set(&err, LT_EINVAL, "everywhere", "expected true or false, found '%s'",
                              all);
        if (rc == LT_OK) {
            snprintf(rq->user, sizeof rq->user, "%s", user);
            rc = everywhere ? lt_auth_logout_all(st, cookie, now_s(s), &ended, &err)
                            : lt_auth_logout(st, cookie, now_s(s), &err);
        }
        lt__pool_store_give(&s->pool, st, rc == LT_OK || rc == LT_EPERM);
        if (rc == LT_EINVAL) return problem_err(s, c, rq, method, url, R_SESSION, &err);
        if (rc != LT_OK) {
            if (!strcmp(err.where, "csrf"))
                return problem(s, c, rq, method, url, R_SESSION, 403, "CSRF token missing or wrong",
                               "X-CSRF-Token", err.message);
            return problem(s, c, rq, method, url, R_SESSION, 401, "not signed in", err.where,
                           err.message);
        }
        lt_buf b = LT_BUF_INIT;
        lt_buf_printf(&b, "{\"signed_out\":true,\"sessions_ended\":%d}", ended);
        return answer(s, c, rq, method, url, R_SESSION, 200, "application/json", &b,
                      COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    }
    if (strcmp(method, "POST") != 0)
        return problem(s, c, rq, method, url, R_SESSION, 405, "method not allowed", "",
                       "use POST to sign in, DELETE to sign out");
    lt_json *args = NULL;
    lt_status rc = lt_json_parse(rq->body.n ? rq->body.p : "", rq->body.n, "body", &args, &err);
    if (rc == LT_OK) rc = lt_ops_check_args(&session_op, args, &err);
    if (rc != LT_OK) {
        lt_json_free(args);
        return problem_err(s, c, rq, method, url, R_SESSION, &err);
    }
    lt_auth_session ses;
    int failures = 0;
    rc = lt__pool_store_take(&s->pool, &st, &err);
    if (rc == LT_OK)
        rc = lt_auth_login_totp(st, lt_json_get_str(args, "user", ""),
                                lt_json_get_str(args, "password", ""),
                                lt_json_get_str(args, "totp", NULL), &cfg->policy, now_s(s),
                                &ses, &failures, &err);
    lt__pool_store_give(&s->pool, st, rc == LT_OK || rc == LT_EPERM);
    lt_json_free(args);
    if (rc == LT_EPERM) {
        /* slow down guessing: the answer waits longer after each failure */
        int ms = lt_auth_failure_delay_ms(&cfg->policy, failures);
        if (ms > 0) usleep((useconds_t)ms * 1000);
        return problem(s, c, rq, method, url, R_SESSION, 401, "sign-in refused", "",
                       err.message);
    }
    if (rc != LT_OK) return problem_err(s, c, rq, method, url, R_SESSION, &err);
    snprintf(rq->user, sizeof rq->user, "%s", ses.user);
    /* Secure over our own TLS, and behind a proxy that says the browser spoke https: the
     * browser must then never send the cookie over plain http (the proxy's port 80 included).
     * Trusting the header costs nothing: a forged one only restricts the cookie further. */
    const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    bool secure = s->tls || (proto && !strcasecmp(proto, "https"));
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
             ses.id, (long long)cfg->policy.absolute_seconds, secure ? "; Secure" : "");
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"user\":");
    lt_buf_json_str(&b, ses.user);
    lt_buf_printf(&b, ",\"csrf_token\":\"%s\",\"idle_timeout\":%lld,\"absolute_timeout\":%lld}",
                  ses.csrf, (long long)cfg->policy.idle_seconds,
                  (long long)cfg->policy.absolute_seconds);
    return answer(s, c, rq, method, url, R_SESSION, 200, "application/json", &b, cookie);
}

/* A file of the web page (static.c), outside /api/. */
static enum MHD_Result web_file(server *s, struct MHD_Connection *c, request *rq,
                                const char *method, const char *url)
{
    unsigned status = 404;
    const char *why = "";
    struct MHD_Response *r = lt__static_response(
        s->cfg->web_dir, method, url, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"),
        &status, &why);
    if (!r)
        return problem(s, c, rq, method, url, R_WEB, status,
                       status == 405 ? "method not allowed" : "not found", "", why);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    double secs = since(&rq->t0);
    metrics_add(&s->m, R_WEB, status, secs);
    access_log(s, method, url, R_WEB, status, secs, rq->user);
    return ok;
}

static enum MHD_Result dispatch(server *s, struct MHD_Connection *c, request *rq,
                                const char *method, const char *url)
{
    if (rq->too_big) {
        char d[128];
        snprintf(d, sizeof d, "the request body is larger than %zu bytes", s->cfg->body_max);
        return problem(s, c, rq, method, url, R_OTHER, 413, "request body too large", "", d);
    }
    if (!strcmp(url, "/healthz")) {
        lt_store *st = NULL;
        lt_error err;
        lt_error_clear(&err);
        if (lt_store_open(s->cfg->db, LT_STORE_READ, &st, &err) != LT_OK)
            return problem(s, c, rq, method, url, R_HEALTHZ, 503, "store unavailable", "",
                           err.message);
        lt_store_close(st);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"status\":\"ok\"}");
        return answer(s, c, rq, method, url, R_HEALTHZ, 200, "application/json", &b, NULL);
    }
    if (!strcmp(url, "/metrics")) {
        lt_buf b = LT_BUF_INIT;
        metrics_text(&s->m, &b);
        return answer(s, c, rq, method, url, R_METRICS, 200, "text/plain; version=0.0.4", &b,
                      NULL);
    }
    if (!strcmp(url, "/api/v1/openapi.json")) {
        lt_buf b = LT_BUF_INIT;
        lt_ops_openapi(&b);
        return answer(s, c, rq, method, url, R_OPENAPI, 200, "application/json", &b, NULL);
    }
    if (!strcmp(url, "/api/v1/session")) return session(s, c, rq, method, url);
    if (s->cfg->web_dir && strncmp(url, "/api/", 5) != 0) return web_file(s, c, rq, method, url);
    char value[256];
    bool path_known = false;
    for (size_t i = 0; i < lt_ops_count(); i++) {
        const lt_op *op = lt_ops_at(i);
        if (!match(op->path, url, value, sizeof value)) continue;
        path_known = true;
        if (!strcmp(op->method, method)) return run_op(s, c, rq, method, url, R_FIXED + i, op, value);
    }
    if (path_known)
        return problem(s, c, rq, method, url, R_OTHER, 405, "method not allowed", "",
                       "this path does not take that method (GET /api/v1/openapi.json lists them)");
    return problem(s, c, rq, method, url, R_OTHER, 404, "not found", "",
                   "no such route (GET /api/v1/openapi.json lists them)");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        *con_cls = rq;
        pthread_mutex_lock(&s->flight_lock);
        s->in_flight++;
        pthread_mutex_unlock(&s->flight_lock);
        return MHD_YES;
    }
    if (*upload_size) {
        /* past the limit the rest is read and dropped, then answered 413 */
        if (!rq->too_big && rq->body.n + *upload_size > s->cfg->body_max) {
            rq->too_big = true;
            lt_buf_free(&rq->body);
        }
        if (!rq->too_big) lt_buf_put(&rq->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (lt_buf_failed(&rq->body)) {
        lt_error err;
        lt_error_set(&err, LT_ENOMEM, "", "out of memory reading the request");
        return problem_err(s, c, rq, method, url, R_OTHER, &err);
    }
    return dispatch(s, c, rq, method, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    server *s = cls;
    request *rq = *con_cls;
    if (rq) {
        lt_buf_free(&rq->body);
        free(rq);
        pthread_mutex_lock(&s->flight_lock);
        if (--s->in_flight == 0) pthread_cond_broadcast(&s->flight_done);
        pthread_mutex_unlock(&s->flight_lock);
    }
    *con_cls = NULL;
}

/* ---- starting and stopping ---- */

void lt_server_config_default(lt_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->body_max = 1u << 20;
    /* more than the cores: a write's request thread spends most of its time waiting, for the
     * write lock or for the flush it shares with the others (docs/store.md, "Durability"), and
     * the more requests wait for one flush at once the fewer flushes are made: 12 gave 1,850-2,300
     * lab writes/s where 4 gave 1,850-1,990 on 2 cores, back to back (docs/BENCHMARKS.md) */
    c->threads = 12;
    c->timeout_s = 30;
    lt_auth_policy_default(&c->policy);
}

typedef struct address {
    struct sockaddr_storage sa;
    bool v6, loopback;
    char host[64];
    unsigned port;
} address;

static lt_status parse_listen(const char *s, address *a, lt_error *err)
{
    memset(a, 0, sizeof *a);
    const char *colon = s ? strrchr(s, ':') : NULL;
    long port;
    if (!colon || !lt_parse_long(colon + 1, 0, 65535, &port))
        LT_FAIL(err, LT_EINVAL, "listen", "expected ADDR:PORT (127.0.0.1:8080, [::1]:8080), "
                                          "found '%s'", s ? s : "");
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
        a->v6 = true;
    }
    if (n == 0 || n >= sizeof a->host)
        LT_FAIL(err, LT_EINVAL, "listen", "expected an address before the port");
    memcpy(a->host, s, n);
    a->host[n] = '\0';
    a->port = (unsigned)port;
    if (a->v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, a->host, &in6->sin6_addr) != 1)
            LT_FAIL(err, LT_EINVAL, "listen", "'%s' is not an IPv6 address", a->host);
        a->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&a->sa;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, a->host, &in->sin_addr) != 1)
            LT_FAIL(err, LT_EINVAL, "listen", "'%s' is not an IPv4 address", a->host);
        a->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    return LT_OK;
}

/* One JSON line on the access log for the server's own events, with the members every line
 * has (route "server", status 0), so that a log reader needs one shape. */
static void event_log(server *s, const char *event, unsigned in_flight)
{
    char at[40];
    lt_time_format(lt_time_now(), at);
    pthread_mutex_lock(&s->log_lock);
    fprintf(stderr,
            "{\"at\":\"%s\",\"event\":\"%s\",\"route\":\"server\",\"status\":0,\"ms\":0,"
            "\"user\":null,\"in_flight\":%u}\n",
            at, event, in_flight);
    fflush(stderr);
    pthread_mutex_unlock(&s->log_lock);
}

/* A graceful stop: no new connection is accepted (the listening socket is closed, so a proxy or
 * a client's retry goes to another instance at once), and the requests in flight are answered.
 * MHD_stop_daemon alone would close their connections, so the wait is ours: until none is left,
 * or for the idle timeout, after which MHD would have dropped a stalled client anyway. */
static void drain(server *s, struct MHD_Daemon *d)
{
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s->cfg->timeout_s ? s->cfg->timeout_s : 30;
    pthread_mutex_lock(&s->flight_lock);
    s->stopping = true;
    unsigned n = s->in_flight;
    pthread_mutex_unlock(&s->flight_lock);
    event_log(s, "stopping", n);
    pthread_mutex_lock(&s->flight_lock);
    while (s->in_flight > 0 &&
           pthread_cond_timedwait(&s->flight_done, &s->flight_lock, &until) == 0)
        ;
    n = s->in_flight;
    pthread_mutex_unlock(&s->flight_lock);
    event_log(s, "stopped", n);
}

lt_status lt_server_run(const lt_server_config *cfg, lt_error *err)
{
    address a;
    lt_status rc = parse_listen(cfg->listen, &a, err);
    if (rc != LT_OK) return rc;
    bool tls = cfg->tls_cert || cfg->tls_key;
    if (tls && !(cfg->tls_cert && cfg->tls_key))
        LT_FAIL(err, LT_EINVAL, cfg->tls_cert ? "tls_key" : "tls_cert",
                "give both a TLS certificate and its key");
    if (!tls && !a.loopback && !cfg->insecure_http)
        LT_FAIL(err, LT_EINVAL, "listen",
                "plain HTTP on %s would send passwords and session cookies in the clear: give a "
                "TLS certificate and key, listen on loopback behind a TLS proxy, or say "
                "insecure_http when a proxy on this network terminates TLS",
                a.host);
    /* held open for the server's life: while one connection to a WAL database stays open, the
     * last one of a request closing does not checkpoint and delete the -wal and -shm files,
     * which the next request would create again (profiled: most of a short request's time) */
    lt_store *keeper = NULL;
    if ((rc = lt_store_open(cfg->db, LT_STORE_OPEN, &keeper, err)) != LT_OK) return rc;
    if (cfg->db_read) {
        lt_store *st = NULL;
        rc = lt_store_open(cfg->db_read, LT_STORE_READ, &st, err);
        lt_store_close(st);
        if (rc != LT_OK) {
            lt_store_close(keeper);
            return rc;
        }
    }
    /* allocation concealment held by the server: a seed someone was given predicts every
     * allocation, so such a trial is served only when the caller says it is a test */
    bool known = false;
    if ((rc = lt_trial_seed_known(cfg->db, &known, err)) != LT_OK) {
        lt_store_close(keeper);
        return rc;
    }
    if (known && !cfg->allow_known_seed) {
        lt_store_close(keeper);
        LT_FAIL(err, LT_EPERM, cfg->db,
                "the trial's randomisation seed was supplied when it was created (trial init "
                "--seed-hex), so whoever holds it can predict every allocation: it is not served "
                "unless allow_known_seed says this is a test");
    }
    char *cert = NULL, *key = NULL;
    size_t len;
    if (tls && ((rc = lt_file_read(cfg->tls_cert, &cert, &len, err)) != LT_OK ||
                (rc = lt_file_read(cfg->tls_key, &key, &len, err)) != LT_OK)) {
        free(cert);
        lt_store_close(keeper);
        return rc;
    }
    server s = {.cfg = cfg, .tls = tls};
    pthread_mutex_init(&s.m.lock, NULL);
    pthread_mutex_init(&s.log_lock, NULL);
    pthread_mutex_init(&s.flight_lock, NULL);
    pthread_mutex_init(&s.write_lock, NULL);
    pthread_cond_init(&s.flight_done, NULL);
    lt__authcache_init(&s.tokens);
    lt__answers_init(&s.answers);
    s.m.nroutes = R_FIXED + lt_ops_count();
    s.m.count = calloc(s.m.nroutes * NCODES, sizeof *s.m.count);
    unsigned nthreads = cfg->threads ? cfg->threads : 1u;
    /* room for every thread's trial and as many again, for users who come and go */
    bool pooled = lt__pool_init(&s.pool, cfg->db, cfg->key_file, 2 * (size_t)nthreads + 2);
    bool pooled_read = pooled && lt__pool_init(&s.pool_read, cfg->db_read ? cfg->db_read : cfg->db,
                                               cfg->key_file, 2 * (size_t)nthreads + 2);
    if (!s.m.count || !pooled || !pooled_read) {
        free(s.m.count);
        if (pooled) lt__pool_free(&s.pool);
        if (pooled_read) lt__pool_free(&s.pool_read);
        free(cert);
        free(key);
        lt_store_close(keeper);
        lt__authcache_free(&s.tokens);
        lt__answers_free(&s.answers);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    /* SIGTERM and SIGINT are taken by sigwait below: block them before MHD's threads start so
     * that none of them receives the signal instead */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     (a.v6 ? MHD_USE_IPv6 : 0) | (tls ? MHD_USE_TLS : 0);
    struct MHD_Daemon *d;
    if (tls)
        d = MHD_start_daemon(flags, (uint16_t)a.port, NULL, NULL, handle, &s,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a.sa,
                             MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 1u,
                             MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
                             MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                             MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, (uint16_t)a.port, NULL, NULL, handle, &s,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a.sa,
                             MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 1u,
                             MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_END);
    if (!d) {
        rc = lt_error_set(err, LT_EIO, "listen", "could not listen on %s (in use? a TLS file "
                                                 "that is not PEM?)",
                          cfg->listen);
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (cfg->ready) cfg->ready(a.host, info ? info->port : a.port, cfg->ready_ctx);
        int sig = 0;
        sigwait(&stop, &sig);
        drain(&s, d);
        MHD_stop_daemon(d);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(s.m.count);
    pthread_mutex_destroy(&s.m.lock);
    pthread_mutex_destroy(&s.log_lock);
    pthread_mutex_destroy(&s.flight_lock);
    pthread_mutex_destroy(&s.write_lock);
    pthread_cond_destroy(&s.flight_done);
    lt__pool_free(&s.pool);
    lt__pool_free(&s.pool_read);
    lt__authcache_free(&s.tokens);
    lt__answers_free(&s.answers);
    free(cert);
    free(key);
    lt_store_close(keeper);
    return rc;
}
