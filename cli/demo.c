/* `lutetia demo [--seed S] [--db FILE] [--out DIR] [--protocol FILE]`: runs a whole trial
 * (NELMAS, NCT04544098 or NET RETREAT, by the protocol) on a fresh database through the
 * library (src/demo/) and prints its short report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "lutetia/demo.h"

static const char *help =
    "usage: lutetia demo [--seed S] [--db FILE] [--out DIR] [--protocol FILE] [--patients N]\n"
    "                    [--direct]\n"
    "\n"
    "Runs a whole trial on a new SQLite database (default out/demo.db; it must not exist),\n"
    "the one whose protocol --protocol names (default protocols/nelmas.json):\n"
    "  NELMAS (nelmas.json): 3 sites, 106 patients randomised over 24 months (with screening\n"
    "    failures), consent, randomisation, calendars, doses with decay correction, labs graded\n"
    "    by CTCAE, a withheld cycle and a dose reduction decided by the label's rules,\n"
    "    recurrences and deaths from the protocol design's survival figures, DFS derivation,\n"
    "    Kaplan-Meier, log-rank and Cox. --out receives km-dfs.svg, dfs.csv (what 'lutetia\n"
    "    analyse' reads), outcomes.json and NEL-001.ics.\n"
    "  NCT04544098 (nct04544098.json): 10 patients registered at one centre, 4 cycles of\n"
    "    7.4 GBq (1-2 intra-arterial, 3-4 intravenous), a withheld then reduced cycle, a\n"
    "    patient stopping before cycle 4, RECIST 1.1 assessments with lesions every 12\n"
    "    weeks, and the grade >= 3 toxicity, 4-cycle completion and response proportions\n"
    "    with exact intervals. --out receives nct04544098-endpoints.json and -outcomes.json.\n"
    "  NET RETREAT (net-retreat.json): 88 patients randomised between 177Lu-DOTATATE\n"
    "    retreatment (arm 1) and everolimus (arm 2), PFS by arm with the hazard ratio of\n"
    "    arm 1 against the design's reference arm 2. --out receives pfs.csv and km-pfs.svg.\n"
    "The same seed (default 1) gives the same trial and report; the audit trail is verified.\n"
    "The seed's key goes beside the database (FILE.key). Every demo user (admin, coord-S01,\n"
    "inv-S01, nm-S01, ..., statistician, monitor) is bound to the OS account running the\n"
    "demo, which can go on as any of them with --user.\n"
    "The trial is built in /dev/shm when it exists (every one of its thousands of commits\n"
    "would otherwise wait for a disk sync) and the finished file copied to --db, where its\n"
    "audit trail is verified; --direct builds it at --db.\n";

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
    char os[256];
    if (lt_cli_os_user(os, sizeof os)) o.os_user = os;
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
