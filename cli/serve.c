/* `lutetia serve`: the HTTP door (src/server) over a trial database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/date.h"
#include "lutetia/file.h"
#include "lutetia/ops.h"
#include "lutetia/server.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia serve --db FILE --listen ADDR:PORT [--key-file FILE]\n"
            "                     [--tls-cert PEM --tls-key PEM] [--insecure-http]\n"
            "                     [--threads N] [--timeout SECONDS] [--body-max BYTES]\n"
            "                     [--allow-known-seed [--test-clock FILE]] [--db-read URL]\n"
            "       lutetia serve --print-openapi\n\n"
            "Serves the trial over HTTP (docs/server.md): every operation of the library's\n"
            "operations table under /api/v1/, sign-in with a password (lutetia user password)\n"
            "or an API token (lutetia token create), /healthz, /metrics, and the OpenAPI\n"
            "document at /api/v1/openapi.json (--print-openapi prints it and exits).\n"
            "Port 0 takes a free port; the first line on standard output says which.\n"
            "Plain HTTP is refused on any address but loopback unless --insecure-http (a\n"
            "TLS-terminating proxy in front). SIGTERM stops it after the requests in flight.\n"
            "An access log of JSON lines goes to standard error.\n"
            "A trial created with a supplied seed (trial init --seed-hex) is refused: its\n"
            "allocations can be predicted. --allow-known-seed serves it anyway, for tests.\n"
            "--test-clock FILE (tests only, with --allow-known-seed): sessions, sign-in and\n"
            "tokens are judged at the time FILE holds (2026-12-01T08:00:00Z), read anew for\n"
            "each request, so that a test can move time without waiting.\n"
            "--db-read sends the read-only operations (GET routes) to another database, such\n"
            "as a PostgreSQL streaming-replication standby (docs/deploy.md); sign-in and every\n"
            "change go to --db. PostgreSQL connections are pooled between requests.\n");
}

/* The test clock: the time in the file, read for each request; the system's when the file does
 * not hold one (a test that forgot to write it sees real time, never a crash). */
static int64_t file_clock(void *ctx)
{
    char *text = NULL;
    size_t n = 0;
    lt_time t;
    if (lt_file_read(ctx, &text, &n, NULL) != LT_OK) return lt_time_now();
    text[strcspn(text, "\r\n")] = '\0';
    if (!lt_time_parse(text, &t)) t = lt_time_now();
    free(text);
    return t;
}

static void ready(const char *addr, unsigned port, void *ctx)
{
    bool tls = *(const bool *)ctx;
    bool v6 = strchr(addr, ':') != NULL;
    printf("listening on %s://%s%s%s:%u\n", tls ? "https" : "http", v6 ? "[" : "", addr,
           v6 ? "]" : "", port);
    fflush(stdout);
}

int lt_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},        {"listen", required_argument, 0, 'l'},
        {"key-file", required_argument, 0, 'k'},  {"tls-cert", required_argument, 0, 'c'},
        {"tls-key", required_argument, 0, 'K'},   {"insecure-http", no_argument, 0, 'i'},
        {"threads", required_argument, 0, 't'},   {"timeout", required_argument, 0, 'T'},
        {"body-max", required_argument, 0, 'b'},  {"print-openapi", no_argument, 0, 'p'},
        {"allow-known-seed", no_argument, 0, 'a'}, {"help", no_argument, 0, 'h'},
        {"test-clock", required_argument, 0, 'C'},
        {"db-read", required_argument, 0, 'r'},
        {0, 0, 0, 0},
    };
    lt_server_config cfg;
    lt_server_config_default(&cfg);
    const char *db = NULL;
    long n;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': cfg.listen = optarg; break;
        case 'k': cfg.key_file = optarg; break;
        case 'c': cfg.tls_cert = optarg; break;
        case 'K': cfg.tls_key = optarg; break;
        case 'i': cfg.insecure_http = true; break;
        case 'a': cfg.allow_known_seed = true; break;
        case 'C':
            cfg.now = file_clock;
            cfg.now_ctx = optarg;
            break;
        case 'r': cfg.db_read = optarg; break;
        case 't':
            if (!lt_parse_long(optarg, 1, 256, &n))
                return lt_cli_usage_error("serve", "--threads: expected 1 to 256, found '%s'", optarg);
            cfg.threads = (unsigned)n;
            break;
        case 'T':
            if (!lt_parse_long(optarg, 1, 3600, &n))
                return lt_cli_usage_error("serve", "--timeout: expected 1 to 3600 seconds, found '%s'", optarg);
            cfg.timeout_s = (unsigned)n;
            break;
        case 'b':
            if (!lt_parse_long(optarg, 1024, 1L << 30, &n))
                return lt_cli_usage_error("serve", "--body-max: expected 1024 to 1073741824 bytes, found '%s'", optarg);
            cfg.body_max = (size_t)n;
            break;
        case 'p': {
            lt_buf b = LT_BUF_INIT;
            lt_ops_openapi(&b);
            lt_buf_putc(&b, '\n');
            int rc = lt_cli_print_buf(&b);
            lt_buf_free(&b);
            return rc;
        }
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("serve", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (!cfg.listen) return lt_cli_usage_error("serve", "--listen ADDR:PORT is required");
    /* a clock someone else sets would let them stretch sessions and tokens: tests only */
    if (cfg.now && !cfg.allow_known_seed)
        return lt_cli_usage_error("serve", "--test-clock is for tests: give it only with "
                                           "--allow-known-seed");
    cfg.db = lt_cli_db(db);
    if (!cfg.key_file) cfg.key_file = lt_cli_key_file(NULL);
    bool tls = cfg.tls_cert || cfg.tls_key;
    cfg.ready = ready;
    cfg.ready_ctx = &tls;
    /* connections kept between requests: per request thread one to the primary (sign-in,
     * changes) and one to --db-read, and one spare */
    lt_store_pool(2 * (int)(cfg.threads ? cfg.threads : 1) + 1);
    lt_error err;
    lt_error_clear(&err);
    if (lt_server_run(&cfg, &err) != LT_OK) {
        /* the library names parameters; the command line shows its options */
        if (!strcmp(err.where, "listen")) snprintf(err.where, sizeof err.where, "--listen");
        if (!strcmp(err.where, "tls_cert")) snprintf(err.where, sizeof err.where, "--tls-cert");
        if (!strcmp(err.where, "tls_key")) snprintf(err.where, sizeof err.where, "--tls-key");
        char *seed = strstr(err.message, "unless allow_known_seed");
        if (seed)
            snprintf(seed, sizeof err.message - (size_t)(seed - err.message),
                     "without --allow-known-seed (tests only)");
        if (strstr(err.message, "insecure_http")) {
            char *p = strstr(err.message, "say insecure_http");
            if (p) snprintf(p, sizeof err.message - (size_t)(p - err.message),
                            "give --insecure-http when a proxy on this network terminates TLS");
        }
        return lt_cli_fail(&err);
    }
    return 0;
}
