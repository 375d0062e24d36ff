/* lutetia screen --protocol FILE [--as-of DATE] [--json] [--summary] PATIENT...: screens
 * patients (files, folders, or - for standard input) against one or more protocols. Exit 0
 * whatever the verdicts; non-zero only for errors. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "lutetia/eligibility.h"
#include "lutetia/patient.h"
#include "lutetia/protocol.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: lutetia screen --protocol FILE [--protocol FILE...] [--protocol-version V]\n"
               "                      [--as-of YYYY-MM-DD] [--json] [--summary] [--threads N] "
               "PATIENT...\n\n"
               "PATIENT is a file (native JSON, FHIR R4 Bundle or CSV lab export), a folder (its\n"
               ".json and .csv files, by name) or - for standard input. Text output by default;\n"
               "--json prints one JSON document per patient and protocol; --summary counts the\n"
               "verdicts per protocol and the most frequent failing and unknown criteria instead.\n"
               "--as-of is the screening date (default today). Exit 0 whatever the verdicts.\n");
}

typedef struct paths {
    char **v;
    size_t n, cap;
} paths;

static bool paths_add(paths *p, const char *s)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **v = realloc(p->v, cap * sizeof *v);
        if (!v) return false;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n] = strdup(s);
    return p->v[p->n++] != NULL;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static bool wanted(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' &&
           ((n > 5 && !strcmp(name + n - 5, ".json")) || (n > 4 && !strcmp(name + n - 4, ".csv")));
}

/* A folder gives its .json and .csv files, sorted by name (not recursive). */
static lt_status expand(paths *out, const char *arg, lt_error *err)
{
    struct stat st;
    if (strcmp(arg, "-") && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(arg, &names, NULL, by_name);
        if (n < 0) LT_FAIL(err, LT_EIO, arg, "cannot list this folder");
        lt_status rc = LT_OK;
        for (int i = 0; i < n; i++) {
            if (rc == LT_OK && wanted(names[i]->d_name)) {
                char full[4096];
                size_t l = strlen(arg);
                snprintf(full, sizeof full, "%s%s%s", arg, l && arg[l - 1] == '/' ? "" : "/",
                         names[i]->d_name);
                if (!paths_add(out, full)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
            }
            free(names[i]);
        }
        free(names);
        return rc;
    }
    if (!paths_add(out, arg)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return LT_OK;
}

typedef struct tally {
    size_t verdicts[3];
    size_t *failing, *unknown; /* per criterion */
} tally;

static void print_top(lt_buf *b, const lt_protocol *p, const size_t *counts, const char *what,
                      bool json)
{
    size_t n = lt_protocol_criterion_count(p);
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (!done) return;
    if (json)
        lt_buf_printf(b, ",\"%s\":[", what);
    else
        lt_buf_printf(b, "  most frequent %s criteria:", what);
    size_t shown = 0;
    for (size_t k = 0; k < 5; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!done[i] && counts[i] && (best == n || counts[i] > counts[best])) best = i;
        if (best == n) break;
        done[best] = true;
        const char *id = lt_protocol_criterion(p, best)->id;
        if (json) {
            if (shown) lt_buf_putc(b, ',');
            lt_buf_puts(b, "{\"id\":");
            lt_buf_json_str(b, id);
            lt_buf_printf(b, ",\"count\":%zu}", counts[best]);
        } else {
            lt_buf_printf(b, " %s (%zu)", id, counts[best]);
        }
        shown++;
    }
    if (json)
        lt_buf_putc(b, ']');
    else
        lt_buf_puts(b, shown ? "\n" : " none\n");
    free(done);
}

int lt_cmd_screen(int argc, char **argv)
{
    const char *protos[32];
    size_t nprotos = 0;
    const char *version = NULL;
    bool json = false, summary = false;
    lt_date as_of = LT_DATE_NONE;
    int threads = 2;
    paths in = {0};
    lt_error err;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            goto out; /* rc is 0; paths named before --help are freed there */
        } else if (!strcmp(a, "--protocol") || !strcmp(a, "--protocol-version") ||
                   !strcmp(a, "--as-of") || !strcmp(a, "--threads")) {
            if (i + 1 >= argc) {
                rc = lt_cli_usage_error("screen", "%s needs a value", a);
                goto out;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--protocol")) {
                if (nprotos == sizeof protos / sizeof protos[0]) {
                    rc = lt_cli_usage_error("screen", "at most 32 protocols");
                    goto out;
                }
                protos[nprotos++] = v;
            } else if (!strcmp(a, "--protocol-version")) {
                version = v;
            } else if (!strcmp(a, "--as-of")) {
                if (!lt_date_parse(v, false, &as_of)) {
                    rc = lt_cli_usage_error("screen", "--as-of expects YYYY-MM-DD, found '%s'", v);
                    goto out;
                }
            } else {
                long t;
                if (!lt_parse_long(v, 1, 64, &t)) {
                    rc = lt_cli_usage_error("screen", "--threads expects 1 to 64, found '%s'", v);
                    goto out;
                }
                threads = (int)t;
            }
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--summary")) {
            summary = true;
        } else if (a[0] == '-' && a[1]) {
            rc = lt_cli_usage_error("screen", "unknown option '%s'", a);
            goto out;
        } else if (expand(&in, a, &err) != LT_OK) {
            rc = lt_cli_fail(&err);
            goto out;
        }
    }
    if (!nprotos) {
        rc = lt_cli_usage_error("screen", "expected --protocol FILE");
        goto out;
    }
    if (!in.n) {
        rc = lt_cli_usage_error("screen",
                                "expected patients: files, folders or - for standard input");
        goto out;
    }
    lt_protocol *ps[32] = {0};
    tally tl[32];
    memset(tl, 0, sizeof tl);
    lt_cohort *c = NULL;
    for (size_t i = 0; i < nprotos; i++)
        if (lt_protocol_load(protos[i], version, &ps[i], &err) != LT_OK) {
            rc = lt_cli_fail(&err);
            goto done;
        }
    if (lt_cohort_new(&c, &err) != LT_OK ||
        lt_cohort_read_files(c, (const char *const *)in.v, in.n, threads, &err) != LT_OK) {
        rc = lt_cli_fail(&err);
        goto done;
    }
    /* what reading passed over (a file skipped, a resource without its patient) is said first,
     * and the exit status says it too, so that no script takes a partial screening as whole */
    size_t nwarn = lt_cohort_warning_count(c);
    for (size_t i = 0; i < nwarn; i++)
        fprintf(stderr, "lutetia: warning: %s\n", lt_cohort_warning(c, i));
    for (size_t i = 0; i < nprotos; i++) {
        size_t nc = lt_protocol_criterion_count(ps[i]);
        tl[i].failing = calloc(nc ? nc : 1, sizeof(size_t));
        tl[i].unknown = calloc(nc ? nc : 1, sizeof(size_t));
        if (!tl[i].failing || !tl[i].unknown) {
            lt_error_set(&err, LT_ENOMEM, "", "out of memory");
            rc = lt_cli_fail(&err);
            goto done;
        }
    }
    lt_screen_options opt = {as_of, NULL, NULL, 0};
    if (as_of == LT_DATE_NONE) opt.as_of = lt_date_today();
    lt_buf b = LT_BUF_INIT;
    size_t np = lt_cohort_count(c);
    for (size_t k = 0; k < np && !rc; k++) {
        const lt_patient *pt = lt_cohort_patient(c, k);
        for (size_t i = 0; i < nprotos; i++) {
            lt_screening *s;
            if (lt_screen(ps[i], pt, &opt, &s, &err) != LT_OK) {
                rc = lt_cli_fail(&err);
                break;
            }
            tl[i].verdicts[lt_screening_verdict(s)]++;
            for (size_t j = 0; j < lt_screening_count(s); j++) {
                const lt_criterion_result *r = lt_screening_result(s, j);
                if (r->criterion->part_of) continue; /* counted through its parent */
                if (r->status == LT_UNKNOWN)
                    tl[i].unknown[j]++;
                else if ((r->status == LT_MET) == r->exclusion)
                    tl[i].failing[j]++;
            }
            if (!summary) {
                if (json) {
                    lt_screening_json(s, &b);
                    lt_buf_putc(&b, '\n');
                } else {
                    lt_screening_text(s, &b);
                    lt_buf_putc(&b, '\n');
                }
            }
            lt_screening_free(s);
        }
        /* write as we go so that a large cohort does not pile up in memory */
        if (b.n > (1u << 20)) {
            if (!rc) rc = lt_cli_print_buf(&b);
            lt_buf_reset(&b);
        }
    }
    if (!rc && summary) {
        for (size_t i = 0; i < nprotos; i++) {
            const tally *t = &tl[i];
            if (json) {
                lt_buf_puts(&b, "{\"protocol\":");
                lt_buf_json_str(&b, lt_protocol_name(ps[i]));
                lt_buf_puts(&b, ",\"version\":");
                lt_buf_json_str(&b, lt_protocol_version(ps[i]));
                lt_buf_printf(&b,
                              ",\"patients\":%zu,\"verdicts\":{\"eligible\":%zu,\"ineligible\":%zu,"
                              "\"needs_review\":%zu}",
                              np, t->verdicts[0], t->verdicts[1], t->verdicts[2]);
                print_top(&b, ps[i], t->failing, "failing", true);
                print_top(&b, ps[i], t->unknown, "unknown", true);
                lt_buf_puts(&b, "}\n");
            } else {
                lt_buf_printf(&b,
                              "%s version %s: %zu patient%s: %zu eligible, %zu ineligible, %zu "
                              "needs review\n",
                              lt_protocol_name(ps[i]), lt_protocol_version(ps[i]), np,
                              np == 1 ? "" : "s", t->verdicts[0], t->verdicts[1], t->verdicts[2]);
                print_top(&b, ps[i], t->failing, "failing", false);
                print_top(&b, ps[i], t->unknown, "unknown", false);
            }
        }
    }
    if (!rc) rc = lt_cli_print_buf(&b);
    if (!rc && nwarn) rc = LT_EXIT_FINDINGS;
    lt_buf_free(&b);
done:
    lt_cohort_free(c);
    for (size_t i = 0; i < nprotos; i++) {
        lt_protocol_free(ps[i]);
        free(tl[i].failing);
        free(tl[i].unknown);
    }
out:
    for (size_t i = 0; i < in.n; i++)
        free(in.v[i]);
    free(in.v);
    return rc;
}
