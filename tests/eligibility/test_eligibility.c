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
#include <math.h>
#include <stdint.h>
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

/* The status a bound result must get against "x op t" by its meaning: met when every value the
 * result allows passes, not met when none does, unknown otherwise. Values and thresholds are
 * multiples of a step, so checking the result's own value, the threshold and the points h (half
 * a step) around each, plus two far points, covers every case exactly. */
static const char *bound_truth(char cmp, double v, const char *op, double t, double h)
{
    double pts[] = {v - h, v, v + h, t - h, t, t + h, v - 1e6, v + 1e6};
    int pass = 0, fail = 0;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double x = pts[i];
        bool in = cmp == '<' ? x < v : cmp == 'l' ? x <= v : cmp == '>' ? x > v
                  : cmp == 'g'                            ? x >= v
                                                          : x == v;
        if (!in) continue;
        bool ok = !strcmp(op, "<")    ? x < t
                  : !strcmp(op, "<=") ? x <= t
                  : !strcmp(op, ">")  ? x > t
                                      : x >= t;
        ok ? pass++ : fail++;
    }
    return !fail ? "met" : !pass ? "not_met" : "unknown";
}

/* Property over seeded random results reported exactly or as bounds ("< 50", ">= 80"), against
 * the four kinds of threshold in the shipped protocols: NET RETREAT I10 platelets >= 80, NELMAS
 * E10 platelets < 75, NCT04544098 E11.1 creatinine > 1.7 and E13.4's prothrombin time within
 * 11-13.5 (via albumin 2.9: E13.4 is met exactly when the time is not in range). */
static void bound_property(const char *srcdir)
{
    static const struct {
        const char *protocol, *id, *code, *unit, *op;
        double t, lo, hi; /* threshold, and the range of drawn values (in tenths when t is) */
        double step;
    } rows[] = {
        {"protocols/net-retreat.json", "I10", "platelets", "10^9/L", ">=", 80, 60, 100, 1},
        {"protocols/nelmas.json", "E10", "platelets", "10^9/L", "<", 75, 60, 90, 1},
        {"protocols/nct04544098.json", "E11.1", "creatinine", "mg/dL", ">", 1.7, 1.2, 2.2, 0.1},
        {"protocols/nct04544098.json", "E13.4", "prothrombin_time", "s", "range", 0, 9, 16, 0.5},
    };
    static const char cmps[] = {0, '<', 'l', '>', 'g'};
    static const char *const cmp_text[] = {NULL, "<", "<=", ">", ">="};
    uint64_t seed = 0xb0a1d;
    int runs = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        char ppath[4096];
        snprintf(ppath, sizeof ppath, "%s/%s", srcdir, rows[r].protocol);
        lt_protocol *proto;
        lt_error err;
        if (lt_protocol_load(ppath, NULL, &proto, &err) != LT_OK) {
            CHECK_MSG(0, "%s: %s", ppath, err.message);
            continue;
        }
        for (int k = 0; k < 200; k++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            int ci = (int)((seed >> 33) % 5);
            long steps = (long)((rows[r].hi - rows[r].lo) / rows[r].step + 0.5);
            double v = rows[r].lo + (double)((seed >> 40) % (uint64_t)(steps + 1)) * rows[r].step;
            v = round(v * 10) / 10;
            char lab[256], doc[1024];
            snprintf(lab, sizeof lab,
                     "{\"code\": \"%s\", \"date\": \"2026-10-20\", \"value\": %.1f, \"unit\": "
                     "\"%s\"%s%s%s%s}",
                     rows[r].code, v, rows[r].unit, ci ? ", \"comparator\": \"" : "",
                     ci ? cmp_text[ci] : "", ci ? "\"" : "",
                     strcmp(rows[r].op, "range") ? "" : ", \"low\": 11, \"high\": 13.5");
            snprintf(doc, sizeof doc,
                     "{\"id\": \"b%d\", \"labs\": [%s%s]}", k, lab,
                     strcmp(rows[r].op, "range") ? ""
                                                 : ", {\"code\": \"albumin\", \"date\": "
                                                   "\"2026-10-20\", \"value\": 2.9, \"unit\": "
                                                   "\"g/dL\"}");
            const char *want;
            if (!strcmp(rows[r].op, "range")) {
                const char *ge = bound_truth(cmps[ci], v, ">=", 11, rows[r].step / 2);
                const char *le = bound_truth(cmps[ci], v, "<=", 13.5, rows[r].step / 2);
                /* in range = ge and le (Kleene); E13.4 = albumin < 3 unless in range */
                const char *in = !strcmp(ge, "not_met") || !strcmp(le, "not_met") ? "not_met"
                                 : !strcmp(ge, "met") && !strcmp(le, "met")        ? "met"
                                                                                   : "unknown";
                want = !strcmp(in, "met") ? "not_met" : !strcmp(in, "not_met") ? "met" : "unknown";
            } else {
                want = bound_truth(cmps[ci], v, rows[r].op, rows[r].t, rows[r].step / 2);
            }
            lt_cohort *co = NULL;
            lt_screening *s = NULL;
            lt_date as_of;
            lt_date_parse("2026-11-01", false, &as_of);
            lt_screen_options opt = {as_of, NULL, NULL, 0};
            if (lt_cohort_new(&co, &err) != LT_OK ||
                lt_cohort_read_mem(co, doc, strlen(doc), "bound", &err) != LT_OK ||
                lt_screen(proto, lt_cohort_patient(co, 0), &opt, &s, &err) != LT_OK) {
                CHECK_MSG(0, "%s: %s: %s", doc, err.where, err.message);
            } else {
                const lt_criterion_result *res = NULL;
                for (size_t i = 0; i < lt_screening_count(s); i++)
                    if (!strcmp(lt_screening_result(s, i)->id, rows[r].id))
                        res = lt_screening_result(s, i);
                CHECK_MSG(res && !strcmp(lt_tri_name(res->status), want),
                          "%s %s: %s%.1f %s gives %s (%s), expected %s", rows[r].protocol,
                          rows[r].id, ci ? cmp_text[ci] : "", v, rows[r].unit,
                          res ? lt_tri_name(res->status) : "nothing", res ? res->reason : "",
                          want);
                runs++;
            }
            lt_screening_free(s);
            lt_cohort_free(co);
        }
        lt_protocol_free(proto);
    }
    printf("bound property: %d seeded results\n", runs);
}

/* The comparison code itself, with facts no reader produces (the readers refuse or mark such
 * numbers first): a value, or a reference limit, that is infinite or NaN is unknown, never
 * near a threshold. A patient built by hand, as an embedding program could. */
static void non_finite_facts(const char *srcdir)
{
    char ppath[4096];
    snprintf(ppath, sizeof ppath, "%s/protocols/nct04544098.json", srcdir);
    lt_protocol *proto;
    lt_error err;
    if (lt_protocol_load(ppath, NULL, &proto, &err) != LT_OK) {
        CHECK_MSG(0, "%s: %s", ppath, err.message);
        return;
    }
    lt_date as_of, on;
    lt_date_parse("2026-11-01", false, &as_of);
    lt_date_parse("2026-10-20", false, &on);
    static const struct {
        const char *code, *id; /* E12.4 platelets < 75; E13.3 bilirubin > 3; E13.2 ptt > 2 x ULN */
        double value, high;
        bool has_high;
    } rows[] = {
        {"platelets", "E12.4", INFINITY, 0, false},  {"platelets", "E12.4", -INFINITY, 0, false},
        {"platelets", "E12.4", NAN, 0, false},       {"bilirubin", "E13.3", INFINITY, 0, false},
        {"ptt", "E13.2", 30, INFINITY, true},        {"ptt", "E13.2", 30, 1e308, true},
        {"ptt", "E13.2", INFINITY, 40, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_fact f;
        memset(&f, 0, sizeof f);
        f.kind = LT_FACT_LAB;
        f.code = rows[i].code;
        f.date = on;
        f.end_date = LT_DATE_NONE;
        f.has_value = true;
        f.value = f.given_value = rows[i].value;
        f.unit = lt_units_canonical(rows[i].code);
        f.has_high = rows[i].has_high;
        f.high = rows[i].high;
        f.flag = -1;
        f.source = "by hand";
        lt_patient p;
        memset(&p, 0, sizeof p);
        p.id = "h";
        p.birth_date = p.death_date = LT_DATE_NONE;
        p.source = "by hand";
        p.facts = &f;
        p.nfacts = 1;
        lt_screen_options opt = {as_of, NULL, NULL, 0};
        lt_screening *s = NULL;
        if (lt_screen(proto, &p, &opt, &s, &err) != LT_OK) {
            CHECK_MSG(0, "row %zu: %s", i, err.message);
            continue;
        }
        const lt_criterion_result *r = NULL;
        for (size_t k = 0; k < lt_screening_count(s); k++)
            if (!strcmp(lt_screening_result(s, k)->id, rows[i].id)) r = lt_screening_result(s, k);
        CHECK_MSG(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "NOT_FINITE"),
                  "row %zu: %s %g (ULN %g): %s is %s (%s), expected unknown (NOT_FINITE)", i,
                  rows[i].code, rows[i].value, rows[i].high, rows[i].id,
                  r ? lt_tri_name(r->status) : "?", r ? r->reason : "");
        lt_screening_free(s);
    }
    lt_protocol_free(proto);
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
    bound_property(src);
    non_finite_facts(src);
    return lt_test_done();
}
