/* `lutetia demo [--seed S] [--db FILE] [--out DIR]`: runs a whole NELMAS trial on a fresh
 * database through the library (src/demo/demo.c) and prints its short report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "lutetia/demo.h"

static const char *help =
    "usage: lutetia demo [--seed S] [--db FILE] [--out DIR] [--protocol FILE] [--patients N]\n"
    "                    [--direct]\n"
    "\n"
    "Runs a whole NELMAS trial on a new SQLite database (default out/demo.db; it must not\n"
    "exist): 3 sites, 106 patients randomised over 24 months (with screening failures),\n"
    "consent, randomisation, calendars, doses with decay correction, labs graded by CTCAE,\n"
    "a withheld cycle and a dose reduction decided by the label's rules, recurrences and\n"
    "deaths from the protocol design's survival figures, DFS derivation, Kaplan-Meier,\n"
    "log-rank and Cox, and verification of the audit trail. The same seed (default 1) gives\n"
    "the same trial and report. --out (default: the database's folder) receives km-dfs.svg,\n"
    "dfs.csv (what 'lutetia analyse' reads), outcomes.json and NEL-001.ics.\n"
    "The trial is built in /dev/shm when it exists (every one of its ~6,000 commits would\n"
    "otherwise wait for a disk sync) and the finished file copied to --db, where its audit\n"
    "trail is verified; --direct builds it at --db.\n";

/* The trial's secret randomisation seed comes from libsodium's random source when the trial
 * is created (src/trial/trial.c), so the allocations would differ from run to run. For the
 * demonstration only, this process's random source is a ChaCha20 stream keyed by --seed
 * (libsodium's documented hook for deterministic runs, installed before libsodium starts):
 * the same seed then gives the same trial seed, allocations and report. This is the one piece
 * of process-wide state in the command, and only `lutetia demo` sets it. */
typedef struct demo_random {
    unsigned char key[randombytes_SEEDBYTES];
    uint64_t calls;
} demo_random;
static demo_random demo_rng;

static void demo_buf(void *const buf, const size_t size)
{
    unsigned char k[randombytes_SEEDBYTES];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof k);
    crypto_generichash_update(&h, demo_rng.key, sizeof demo_rng.key);
    crypto_generichash_update(&h, (const unsigned char *)&demo_rng.calls, sizeof demo_rng.calls);
    crypto_generichash_final(&h, k, sizeof k);
    demo_rng.calls++;
    randombytes_buf_deterministic(buf, size, k);
}

static uint32_t demo_random32(void)
{
    uint32_t x;
    demo_buf(&x, sizeof x);
    return x;
}

static const char *demo_name(void) { return "lutetia-demo-chacha20"; }
static void demo_stir(void) {}

static void use_demo_random(uint64_t seed)
{
    static randombytes_implementation impl = {
        .implementation_name = demo_name,
        .random = demo_random32,
        .stir = demo_stir,
        .uniform = NULL, /* libsodium's generic rejection sampling over random() */
        .buf = demo_buf,
        .close = NULL,
    };
    unsigned char s[8];
    for (int i = 0; i < 8; i++)
        s[i] = (unsigned char)(seed >> (8 * i));
    crypto_generichash(demo_rng.key, sizeof demo_rng.key, s, sizeof s,
                       (const unsigned char *)"lutetia/demo/v1", 15);
    demo_rng.calls = 0;
    randombytes_set_implementation(&impl);
}

int lt_cmd_demo(int argc, char **argv)
{
    lt_demo_options o = {.seed = 1, .db = "out/demo.db"};
    const char *out = NULL;
    bool direct = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (!strcmp(a, "--direct")) {
            direct = true;
            continue;
        }
        if (i + 1 >= argc) return lt_cli_usage_error("demo", "unknown option or missing value: %s", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--seed")) {
            long s;
            if (!lt_parse_long(v, 0, 2147483647L, &s))
                return lt_cli_usage_error("demo", "--seed: expected a whole number from 0, found '%s'", v);
            o.seed = (uint64_t)s;
        } else if (!strcmp(a, "--db")) {
            o.db = v;
        } else if (!strcmp(a, "--out")) {
            out = v;
        } else if (!strcmp(a, "--protocol")) {
            o.protocol = v;
        } else if (!strcmp(a, "--patients")) {
            long n;
            if (!lt_parse_long(v, 2, 2000, &n))
                return lt_cli_usage_error("demo", "--patients: expected 2 to 2000, found '%s'", v);
            o.patients = (int)n;
        } else {
            return lt_cli_usage_error("demo", "unknown option %s", a);
        }
    }
    /* the protocol: given, else ./protocols/nelmas.json, else the source tree's */
    struct stat st;
    if (!o.protocol)
        o.protocol = stat("protocols/nelmas.json", &st) == 0
                         ? "protocols/nelmas.json"
                         : LT_DATA_DIR_SOURCE "/../protocols/nelmas.json";
    char dir[1024];
    if (!out) {
        const char *slash = strrchr(o.db, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o.db) : 1, slash ? o.db : ".");
        out = dir;
    }
    if (stat(out, &st) != 0 && mkdir(out, 0777) != 0) {
        fprintf(stderr, "lutetia: %s: cannot create the output folder\n", out);
        return lt_cli_exit_code(LT_EIO);
    }
    o.out_dir = out;
    /* build on the RAM disk when there is one (demo.h: scratch_dir), unless --direct */
    if (!direct && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
        access("/dev/shm", W_OK) == 0)
        o.scratch_dir = "/dev/shm";
    use_demo_random(o.seed);
    lt_buf b = LT_BUF_INIT;
    lt_error err;
    lt_error_clear(&err);
    if (lt_demo_run(&o, &b, NULL, &err) != LT_OK) {
        lt_buf_free(&b);
        return lt_cli_fail(&err);
    }
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}
