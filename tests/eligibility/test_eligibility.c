/* Data-driven eligibility tests: each *.cases.json file names a protocol, a base patient and a
 * list of cases; a case changes the base patient and states the expected status (and, if
 * given, reason) of some criteria and the verdict. Adding a table is adding a data file.
 *
 * Case file: {"protocol": "protocols/x.json", "version": null | "1.0", "as_of": "YYYY-MM-DD",
 *   "base": {native patient JSON, docs/patient-format.md},
 *   "cases": [{"name": "...", "as_of": optional,
 *              "set": {merge patch on the patient's top-level members (null deletes)},
 *              "drop": ["hemoglobin", ...]   facts with these codes are removed,
 *              "add": {"labs": [facts...], ...}   facts appended,
 *              "expect": {"E8": "met" | ["unknown", "CONFLICTING"], ...},
 *              "verdict": "eligible" | "ineligible" | "needs_review"}]} */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lt_test.h"
#include "lutetia/eligibility.h"
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "lutetia/patient.h"
#include "lutetia/protocol.h"

static bool dropped(const lt_json *fact, const lt_json *drop)
{
    const char *code = lt_json_get_str(fact, "code", "");
    for (const lt_json *d = lt_json_first(drop); d; d = lt_json_next(d))
        if (lt_json_str(d) && !strcmp(lt_json_str(d), code)) return true;
    return false;
}

/* The case's patient as native JSON text: base, with set merged, drop removed, add appended. */
static char *case_patient(const lt_json *base, const lt_json *c)
{
    lt_json *doc = lt_json_duplicate(base);
    const lt_json *set = lt_json_get(c, "set"), *drop = lt_json_get(c, "drop"),
                  *add = lt_json_get(c, "add");
    if (!doc || (set && lt_json_merge_patch(&doc, set, NULL) != LT_OK)) {
        lt_json_free(doc);
        return NULL;
    }
    lt_buf b = LT_BUF_INIT;
    lt_buf_putc(&b, '{');
    bool first = true;
    for (const lt_json *m = lt_json_first(doc); m; m = lt_json_next(m)) {
        if (!first) lt_buf_putc(&b, ',');
        first = false;
        lt_buf_json_str(&b, lt_json_key(m));
        lt_buf_putc(&b, ':');
        if (lt_json_is_array(m)) {
            lt_buf_putc(&b, '[');
            bool f2 = true;
            for (const lt_json *e = lt_json_first(m); e; e = lt_json_next(e)) {
                if (dropped(e, drop)) continue;
                char *t = lt_json_print(e);
                if (!f2) lt_buf_putc(&b, ',');
                f2 = false;
                lt_buf_puts(&b, t);
                free(t);
            }
            for (const lt_json *e = lt_json_first(lt_json_get(add, lt_json_key(m))); e;
                 e = lt_json_next(e)) {
                char *t = lt_json_print(e);
                if (!f2) lt_buf_putc(&b, ',');
                f2 = false;
                lt_buf_puts(&b, t);
                free(t);
            }
            lt_buf_putc(&b, ']');
        } else {
            char *t = lt_json_print(m);
            lt_buf_puts(&b, t);
            free(t);
        }
    }
    /* arrays the base lacks */
    for (const lt_json *a = lt_json_first(add); a; a = lt_json_next(a)) {
        if (lt_json_get(doc, lt_json_key(a))) continue;
        char *t = lt_json_print(a);
        lt_buf_putc(&b, ',');
        lt_buf_json_str(&b, lt_json_key(a));
        lt_buf_putc(&b, ':');
        lt_buf_puts(&b, t);
        free(t);
    }
    lt_buf_putc(&b, '}');
    lt_json_free(doc);
    if (lt_buf_failed(&b)) {
        lt_buf_free(&b);
        return NULL;
    }
    return b.p;
}

static void run_file(const char *path, const char *srcdir)
{
    char *text;
    size_t len;
    lt_error err;
    lt_json *root;
    if (lt_file_read(path, &text, &len, &err) != LT_OK ||
        lt_json_parse(text, len, path, &root, &err) != LT_OK) {
        CHECK_MSG(0, "%s: %s: %s", path, err.where, err.message);
        return;
    }
    free(text);
    char ppath[4096];
    snprintf(ppath, sizeof ppath, "%s/%s", srcdir, lt_json_get_str(root, "protocol", ""));
    lt_protocol *proto;
    if (lt_protocol_load(ppath, lt_json_get_str(root, "version", NULL), &proto, &err) != LT_OK) {
        CHECK_MSG(0, "%s: protocol: %s: %s", path, err.where, err.message);
        lt_json_free(root);
        return;
    }
    const lt_json *base = lt_json_get(root, "base");
    lt_date default_as_of = LT_DATE_NONE;
    CHECK_MSG(lt_date_parse(lt_json_get_str(root, "as_of", ""), false, &default_as_of), "%s: as_of",
              path);
    size_t i = 0, ncases = 0;
    for (const lt_json *c = lt_json_first(lt_json_get(root, "cases")); c;
         c = lt_json_next(c), i++) {
        const char *name = lt_json_get_str(c, "name", "?");
        char where[256];
        snprintf(where, sizeof where, "%s: cases[%zu] \"%s\"", path, i, name);
        char *pt = case_patient(base, c);
        lt_cohort *co = NULL;
        if (!pt || lt_cohort_new(&co, &err) != LT_OK ||
            lt_cohort_read_mem(co, pt, strlen(pt), where, &err) != LT_OK ||
            lt_cohort_count(co) != 1) {
            CHECK_MSG(0, "%s: patient does not read: %s: %s", where, err.where, err.message);
            free(pt);
            lt_cohort_free(co);
            continue;
        }
        lt_screen_options opt = {default_as_of, NULL, NULL, 0};
        const char *as_of = lt_json_get_str(c, "as_of", NULL);
        if (as_of) CHECK_MSG(lt_date_parse(as_of, false, &opt.as_of), "%s: as_of", where);
        lt_screening *s;
        if (lt_screen(proto, lt_cohort_patient(co, 0), &opt, &s, &err) != LT_OK) {
            CHECK_MSG(0, "%s: screen: %s", where, err.message);
        } else {
            ncases++;
            for (const lt_json *e = lt_json_first(lt_json_get(c, "expect")); e;
                 e = lt_json_next(e)) {
                const char *id = lt_json_key(e);
                const char *want = lt_json_str(e) ? lt_json_str(e) : lt_json_get_str(e, "0", NULL);
                const char *want_reason = NULL;
                if (lt_json_is_array(e)) {
                    want = lt_json_str(lt_json_at(e, 0));
                    want_reason = lt_json_str(lt_json_at(e, 1));
                }
                const lt_criterion_result *r = NULL;
                for (size_t k = 0; k < lt_screening_count(s); k++)
                    if (!strcmp(lt_screening_result(s, k)->id, id)) r = lt_screening_result(s, k);
                if (!r) {
                    CHECK_MSG(0, "%s: no criterion %s", where, id);
                    continue;
                }
                CHECK_MSG(want && !strcmp(lt_tri_name(r->status), want),
                          "%s: %s is %s (%s), expected %s", where, id, lt_tri_name(r->status),
                          r->reason, want ? want : "?");
                if (want_reason)
                    CHECK_MSG(!strcmp(r->reason, want_reason), "%s: %s reason %s, expected %s",
                              where, id, r->reason, want_reason);
            }
            const char *v = lt_json_get_str(c, "verdict", NULL);
            if (v) {
                const char *got = lt_verdict_name(lt_screening_verdict(s));
                if (strcmp(got, v)) {
                    lt_buf b = LT_BUF_INIT;
                    lt_screening_text(s, &b);
                    CHECK_MSG(0, "%s: verdict %s, expected %s\n%s", where, got, v, lt_buf_str(&b));
                    lt_buf_free(&b);
                } else {
                    CHECK(1);
                }
            }
            /* the JSON document always reads back */
            lt_buf b = LT_BUF_INIT;
            lt_screening_json(s, &b);
            lt_json *back;
            CHECK_MSG(lt_json_parse(lt_buf_str(&b), b.n, "screening", &back, &err) == LT_OK,
                      "%s: screening JSON does not parse: %s", where, err.message);
            if (back) lt_json_free(back);
            lt_buf_free(&b);
            lt_screening_free(s);
        }
        lt_cohort_free(co);
        free(pt);
    }
    printf("%s: %zu cases\n", path, ncases);
    CHECK_MSG(ncases > 0, "%s: no cases ran", path);
    lt_protocol_free(proto);
    lt_json_free(root);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Arguments are case files or folders, whose *.cases.json files all run (so that a new table
 * needs no build change). */
int main(int argc, char **argv)
{
    const char *src = getenv("SRC") ? getenv("SRC") : ".";
    int files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int n = scandir(argv[i], &names, NULL, by_name);
            for (int k = 0; k < n; k++) {
                size_t l = strlen(names[k]->d_name);
                if (l > 11 && !strcmp(names[k]->d_name + l - 11, ".cases.json")) {
                    char full[4096];
                    snprintf(full, sizeof full, "%s/%s", argv[i], names[k]->d_name);
                    run_file(full, src);
                    files++;
                }
                free(names[k]);
            }
            if (n >= 0) free(names);
        } else {
            run_file(argv[i], src);
            files++;
        }
    }
    CHECK_MSG(files > 0, "no case files found");
    return lt_test_done();
}
