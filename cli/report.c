/* `lutetia report dsmb --out DIR`: the data monitoring committee's report (report.json, the
 * figures; report.html, the page; its SVG figures; report.pdf printed from the page by
 * weasyprint, run as a separate program) and `lutetia report consort --out FILE.svg`, the
 * CONSORT diagram alone. The figures are the library's (src/report/); this file only writes. */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cli.h"
#include "lutetia/file.h"
#include "lutetia/report.h"

extern char **environ;

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia report dsmb --out DIR [--closed] [--cutoff DATE] [--no-pdf]\n"
            "                           [--db FILE] [--user NAME]\n"
            "       lutetia report consort --out FILE.svg [--closed] [--cutoff DATE]\n"
            "                           [--db FILE] [--user NAME]\n\n"
            "dsmb writes the data monitoring committee's report into DIR (made if missing):\n"
            "report.json (every figure), report.html (the page: inline SVG and CSS, no script,\n"
            "nothing fetched), consort.svg, enrolment.svg, km-ENDPOINT.svg, and report.pdf\n"
            "printed from the page by weasyprint (Debian package weasyprint; without it the\n"
            "HTML is still written and the command says how to make the PDF; --no-pdf skips\n"
            "it). The open report pools the arms (statisticians, monitor, safety committee);\n"
            "--closed shows them apart with the log-rank test and Cox model (safety\n"
            "committee and unblinded statistician only). --cutoff cuts the data at DATE\n"
            "(default today). consort writes the CONSORT 2010 flow diagram alone.\n"
            "What each section shows and where it comes from: docs/reports.md.\n");
}

typedef struct opts {
    const char *out, *db, *user;
    lt_date cutoff;
    bool closed, no_pdf;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"out", required_argument, 0, 'o'}, {"closed", no_argument, 0, 'c'},
        {"cutoff", required_argument, 0, 't'}, {"no-pdf", no_argument, 0, 'n'},
        {"db", required_argument, 0, 'd'}, {"user", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->cutoff = LT_DATE_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'c': o->closed = true; break;
        case 'n': o->no_pdf = true; break;
        case 't':
            if (!lt_cli_date_arg("report", "--cutoff", optarg, &o->cutoff)) return LT_EXIT_USAGE;
            break;
        case 'd': o->db = optarg; break;
        case 'u': o->user = optarg; break;
        case 'h': help(stdout); return -1;
        default: return lt_cli_usage_error("report", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!o->out) return lt_cli_usage_error("report", "--out is required");
    return 0;
}

/* The report document of the acting user, parsed. */
static int gather(const opts *o, lt_buf *json, lt_json **doc)
{
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(lt_cli_db(o->db), lt_cli_user(o->user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_report_options ro = {.kind = o->closed ? LT_REPORT_CLOSED : LT_REPORT_OPEN,
                            .cutoff = o->cutoff};
    if (lt_report_dsmb_json(t, &ro, json, &err) != LT_OK ||
        lt_json_parse(json->p, json->n, "report.json", doc, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    lt_trial_close(t);
    return rc;
}

static int write_file(const char *dir, const char *name, const char *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lt_error err;
    lt_error_clear(&err);
    if (lt_file_write(path, data, n, &err) != LT_OK) return lt_cli_fail(&err);
    return 0;
}

/* weasyprint HTML PDF as its own process; 0, or the exit code to return. A missing program is
 * not an error of the report: the page is there, and the message says how to print it. */
static int print_pdf(const char *dir)
{
    char html[4096], pdf[4096];
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    char *args[] = {(char *)"weasyprint", (char *)"--quiet", html, pdf, NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, "weasyprint", NULL, NULL, args, environ);
    int status = 0;
    if (e == 0 && waitpid(pid, &status, 0) < 0) e = errno;
    if (e == ENOENT || (e == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
        fprintf(stderr,
                "lutetia report: %s written; weasyprint is not installed, so no PDF: install it "
                "(apt-get install weasyprint) and run\n  weasyprint %s %s\n",
                html, html, pdf);
        return 0;
    }
    if (e != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "lutetia report: weasyprint failed on %s (%s); the HTML is written\n", html,
                e ? strerror(e) : "non-zero exit");
        return LT_EXIT_UNKNOWN;
    }
    return 0;
}

static int dsmb(const opts *o)
{
    if (!o->out) return LT_EXIT_USAGE; /* parse refuses it; said again for the analyser */
    if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "lutetia report: cannot make the folder %s: %s\n", o->out, strerror(errno));
        return lt_cli_exit_code(LT_EIO);
    }
    lt_buf json = LT_BUF_INIT, page = LT_BUF_INIT, svg = LT_BUF_INIT;
    lt_json *doc = NULL;
    int rc = gather(o, &json, &doc);
    lt_error err;
    lt_error_clear(&err);
    if (!rc && lt_report_dsmb_html(doc, &page, &err) != LT_OK) rc = lt_cli_fail(&err);
    if (!rc) rc = write_file(o->out, "report.json", json.p, json.n);
    if (!rc && lt_report_consort_svg(lt_json_get(doc, "consort"), &svg, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    if (!rc) rc = write_file(o->out, "consort.svg", svg.p, svg.n);
    lt_buf_reset(&svg);
    if (!rc && lt_report_enrolment_svg(lt_json_get(doc, "enrolment"), &svg, &err) == LT_OK)
        rc = write_file(o->out, "enrolment.svg", svg.p, svg.n);
    for (const lt_json *s = lt_json_first(lt_json_get(doc, "survival")); !rc && s; s = lt_json_next(s)) {
        char name[300];
        snprintf(name, sizeof name, "km-%s.svg", lt_json_get_str(s, "endpoint", "endpoint"));
        const char *text = lt_json_get_str(s, "svg", NULL);
        if (text) rc = write_file(o->out, name, text, strlen(text));
    }
    if (!rc) rc = write_file(o->out, "report.html", page.p, page.n);
    if (!rc && !o->no_pdf) rc = print_pdf(o->out);
    if (!rc) printf("%s/report.html%s\n", o->out, o->no_pdf ? "" : " and report.pdf");
    lt_json_free(doc);
    lt_buf_free(&json);
    lt_buf_free(&page);
    lt_buf_free(&svg);
    return rc;
}

static int consort(const opts *o)
{
    lt_buf json = LT_BUF_INIT, svg = LT_BUF_INIT;
    lt_json *doc = NULL;
    int rc = gather(o, &json, &doc);
    lt_error err;
    lt_error_clear(&err);
    if (!rc && lt_report_consort_svg(lt_json_get(doc, "consort"), &svg, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    if (!rc && lt_file_write(o->out, svg.p, svg.n, &err) != LT_OK) rc = lt_cli_fail(&err);
    lt_json_free(doc);
    lt_buf_free(&json);
    lt_buf_free(&svg);
    return rc;
}

int lt_cmd_report(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *what = argv[1];
    if (strcmp(what, "dsmb") && strcmp(what, "consort"))
        return lt_cli_usage_error("report", "unknown report '%s' (expected dsmb or consort)", what);
    opts o;
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc) return rc < 0 ? 0 : rc;
    return !strcmp(what, "dsmb") ? dsmb(&o) : consort(&o);
}
