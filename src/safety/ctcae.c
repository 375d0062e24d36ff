/* CTCAE v5.0 laboratory grading driven by data/ctcae-v5-lab.json. Grades are tried from the
 * highest down; a grade holds when any of its criteria holds. A criterion that needs a
 * reference limit (LLN, ULN, baseline) that is missing cannot be decided, so the result is
 * kept as a range [min_grade, max_grade] and is undetermined unless that range is one grade:
 * "grade is undetermined (not 0) when the reference limit it needs is missing" (DOMAIN.md),
 * which is also what admiral's derive_var_atoxgr returns (NA) in its test vectors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../dosing/dosing_internal.h"
#include "lutetia/file.h"
#include "lutetia/safety.h"

typedef enum ref { REF_ABS, REF_LLN, REF_ULN, REF_BASELINE } ref;
typedef enum cond {
    IF_ALWAYS,
    IF_BASELINE_NORMAL,
    IF_BASELINE_ABNORMAL,
    IF_ANTICOAGULATED,
    IF_NOT_ANTICOAGULATED,
} cond;
typedef enum op { OP_LT, OP_LE, OP_GT, OP_GE } op;

typedef struct criterion {
    op op;
    ref ref;
    double x; /* absolute value, or multiple of the reference */
    cond cond;
    bool optional; /* skipped (not undecidable) when its reference is missing */
} criterion;

typedef struct grade_rule {
    int grade;
    const char *text;
    criterion *c;
    size_t n;
} grade_rule;

typedef struct analyte {
    const char *id, *term, *unit;
    bool high;     /* an "increased" term: abnormal baseline is above the ULN */
    grade_rule *g; /* sorted from the highest grade down */
    size_t n;
} analyte;

struct lt_ctcae_table {
    lt_json *root;
    analyte *a;
    size_t n;
};

void lt_ctcae_free(lt_ctcae_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->a[i].n; j++)
            free(t->a[i].g[j].c);
        free(t->a[i].g);
    }
    free(t->a);
    lt_json_free(t->root);
    free(t);
}

static bool parse_op(const char *s, op *out)
{
    static const char *const names[] = {"<", "<=", ">", ">="};
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (op)i;
            return true;
        }
    return false;
}

static const char *op_name(op o)
{
    static const char *const names[] = {"<", "<=", ">", ">="};
    return names[o];
}

static const char *ref_name(ref r)
{
    static const char *const names[] = {"", "LLN", "ULN", "baseline"};
    return names[r];
}

/* The message is written before the table (which owns the strings it may quote) is freed. */
#define BAD(path, ...)                                                                             \
    do {                                                                                           \
        lt__dose_where(where, text, len, source, path);                                            \
        lt_error_set(err, LT_ESCHEMA, where, __VA_ARGS__);                                         \
        lt_ctcae_free(t);                                                                          \
        return LT_ESCHEMA;                                                                         \
    } while (0)

/* Out of memory is not the file's fault: the status says so (the caller may retry). */
#define NOMEM(path)                                                                                \
    do {                                                                                           \
        lt__dose_where(where, text, len, source, path);                                            \
        lt_error_set(err, LT_ENOMEM, where, "out of memory");                                      \
        lt_ctcae_free(t);                                                                          \
        return LT_ENOMEM;                                                                          \
    } while (0)

static int by_grade_desc(const void *x, const void *y)
{
    return ((const grade_rule *)y)->grade - ((const grade_rule *)x)->grade;
}

lt_status lt_ctcae_parse(const char *text, size_t len, const char *source, lt_ctcae_table **out,
                         lt_error *err)
{
    lt_json *root;
    lt_status st = lt_json_parse(text, len, source, &root, err);
    if (st != LT_OK) return st;
    char where[LT_ERROR_WHERE_MAX], path[128];
    lt_ctcae_table *t = calloc(1, sizeof *t);
    if (!t) {
        lt_json_free(root);
        LT_FAIL(err, LT_ENOMEM, source, "out of memory reading the CTCAE table");
    }
    t->root = root;
    const lt_json *list = lt_json_get(root, "analytes");
    if (!lt_json_is_array(list) || lt_json_size(list) == 0)
        BAD("analytes", "expected \"analytes\": a non-empty array");
    t->a = calloc(lt_json_size(list), sizeof *t->a);
    if (!t->a) NOMEM("analytes");
    size_t i = 0;
    for (const lt_json *e = lt_json_first(list); e; e = lt_json_next(e), i++) {
        analyte *a = &t->a[i];
        t->n = i + 1;
        a->id = lt_json_get_str(e, "analyte", NULL);
        a->term = lt_json_get_str(e, "term", NULL);
        a->unit = lt_json_get_str(e, "unit", NULL);
        const char *dir = lt_json_get_str(e, "direction", NULL);
        snprintf(path, sizeof path, "analytes[%zu]", i);
        if (!a->id || !a->term || !a->unit)
            BAD(path, "expected strings \"analyte\", \"term\" and \"unit\"");
        const char *canon = lt_units_canonical(a->id);
        if (canon && strcmp(canon, a->unit))
            BAD(path, "the thresholds of %s must be in its canonical unit %s, found %s", a->id,
                canon, a->unit);
        if (!dir || (strcmp(dir, "low") && strcmp(dir, "high")))
            BAD(path, "expected \"direction\": \"low\" or \"high\"");
        a->high = !strcmp(dir, "high");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(t->a[k].id, a->id)) BAD(path, "analyte \"%s\" is listed twice", a->id);
        const lt_json *grades = lt_json_get(e, "grades");
        snprintf(path, sizeof path, "analytes[%zu].grades", i);
        if (!lt_json_is_array(grades) || lt_json_size(grades) == 0)
            BAD(path, "expected a non-empty array of grades");
        a->g = calloc(lt_json_size(grades), sizeof *a->g);
        if (!a->g) NOMEM(path);
        size_t j = 0;
        for (const lt_json *ge = lt_json_first(grades); ge; ge = lt_json_next(ge), j++) {
            grade_rule *g = &a->g[j];
            a->n = j + 1;
            double gr;
            snprintf(path, sizeof path, "analytes[%zu].grades[%zu]", i, j);
            if (!lt_json_num(lt_json_get(ge, "grade"), &gr) || gr != floor(gr) || gr < 1 || gr > 4)
                BAD(path, "expected \"grade\": 1, 2, 3 or 4");
            g->grade = (int)gr;
            for (size_t k = 0; k < j; k++)
                if (a->g[k].grade == g->grade) BAD(path, "grade %d is listed twice", g->grade);
            g->text = lt_json_get_str(ge, "text", "");
            const lt_json *any = lt_json_get(ge, "any");
            snprintf(path, sizeof path, "analytes[%zu].grades[%zu].any", i, j);
            if (!lt_json_is_array(any) || lt_json_size(any) == 0)
                BAD(path, "expected a non-empty array of criteria");
            g->c = calloc(lt_json_size(any), sizeof *g->c);
            if (!g->c) NOMEM(path);
            size_t k = 0;
            for (const lt_json *ce = lt_json_first(any); ce; ce = lt_json_next(ce), k++) {
                criterion *c = &g->c[k];
                g->n = k + 1;
                snprintf(path, sizeof path, "analytes[%zu].grades[%zu].any[%zu]", i, j, k);
                if (!parse_op(lt_json_get_str(ce, "op", NULL), &c->op))
                    BAD(path, "expected \"op\": \"<\", \"<=\", \">\" or \">=\"");
                const lt_json *val = lt_json_get(ce, "value"), *times = lt_json_get(ce, "times");
                if ((val != NULL) == (times != NULL))
                    BAD(path, "expected either \"value\" (absolute) or \"times\" with \"of\"");
                if (val) {
                    c->ref = REF_ABS;
                    if (!lt_json_num(val, &c->x)) BAD(path, "expected a number in \"value\"");
                } else {
                    const char *of = lt_json_get_str(ce, "of", "");
                    if (!lt_json_num(times, &c->x) || !(c->x > 0))
                        BAD(path, "expected a positive number in \"times\"");
                    if (!strcmp(of, "lln"))
                        c->ref = REF_LLN;
                    else if (!strcmp(of, "uln"))
                        c->ref = REF_ULN;
                    else if (!strcmp(of, "baseline"))
                        c->ref = REF_BASELINE;
                    else
                        BAD(path, "expected \"of\": \"lln\", \"uln\" or \"baseline\"");
                }
                bool opt = false;
                const lt_json *o = lt_json_get(ce, "optional");
                if (o && !lt_json_bool(o, &opt)) BAD(path, "expected \"optional\": true or false");
                c->optional = opt;
                const char *cnd = lt_json_get_str(ce, "if", NULL);
                if (!cnd)
                    c->cond = IF_ALWAYS;
                else if (!strcmp(cnd, "baseline_normal"))
                    c->cond = IF_BASELINE_NORMAL;
                else if (!strcmp(cnd, "baseline_abnormal"))
                    c->cond = IF_BASELINE_ABNORMAL;
                else if (!strcmp(cnd, "anticoagulated"))
                    c->cond = IF_ANTICOAGULATED;
                else if (!strcmp(cnd, "not_anticoagulated"))
                    c->cond = IF_NOT_ANTICOAGULATED;
                else
                    BAD(path, "expected \"if\": \"baseline_normal\", \"baseline_abnormal\", "
                              "\"anticoagulated\" or \"not_anticoagulated\"");
            }
        }
        qsort(a->g, a->n, sizeof *a->g, by_grade_desc);
    }
    *out = t;
    return LT_OK;
}

lt_status lt_ctcae_load(const char *path, lt_ctcae_table **out, lt_error *err)
{
    char used[4096], *text;
    size_t len;
    lt_status st = lt_data_read(path, "ctcae-v5-lab.json", &text, &len, used, sizeof used, err);
    if (st != LT_OK) return st;
    st = lt_ctcae_parse(text, len, used, out, err);
    free(text);
    return st;
}

size_t lt_ctcae_count(const lt_ctcae_table *t)
{
    return t ? t->n : 0;
}

const char *lt_ctcae_analyte(const lt_ctcae_table *t, size_t i)
{
    return t && i < t->n ? t->a[i].id : NULL;
}

static const analyte *find(const lt_ctcae_table *t, const char *id)
{
    for (size_t i = 0; t && id && i < t->n; i++)
        if (!strcmp(t->a[i].id, id)) return &t->a[i];
    return NULL;
}

const char *lt_ctcae_term(const lt_ctcae_table *t, const char *analyte_id)
{
    const analyte *a = find(t, analyte_id);
    return a ? a->term : NULL;
}

const char *lt_ctcae_unit(const lt_ctcae_table *t, const char *analyte_id)
{
    const analyte *a = find(t, analyte_id);
    return a ? a->unit : NULL;
}

void lt_grade_context_init(lt_grade_context *c)
{
    c->lln = c->uln = c->baseline = NAN;
    c->anticoagulated = false;
}

/* admiral compares signif(x, 15) values so that 1.5 x 40 is exactly 60; do the same. */
static double signif15(double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", x);
    return strtod(buf, NULL);
}

typedef enum verdict { NO, YES, UNDECIDABLE } verdict;

/* Decides one criterion; on UNDECIDABLE, *missing names the limit that is missing. */
static verdict decide(const analyte *a, const criterion *c, double value,
                      const lt_grade_context *ctx, const char **missing, double *limit,
                      bool *skipped)
{
    switch (c->cond) {
    case IF_ALWAYS:
        break;
    case IF_ANTICOAGULATED:
        if (!ctx->anticoagulated) return NO;
        break;
    case IF_NOT_ANTICOAGULATED:
        if (ctx->anticoagulated) return NO;
        break;
    case IF_BASELINE_NORMAL:
    case IF_BASELINE_ABNORMAL: {
        /* Baseline abnormal: beyond the limit on the side the term grades. Without a baseline
         * the normal branch applies (admiral: BNRIND not high), noted by the caller. */
        bool abnormal;
        if (isnan(ctx->baseline)) {
            abnormal = false;
        } else {
            double lim = a->high ? ctx->uln : ctx->lln;
            if (isnan(lim)) {
                *missing = a->high ? "ULN" : "LLN";
                return UNDECIDABLE;
            }
            abnormal = a->high ? ctx->baseline > lim : ctx->baseline < lim;
        }
        if (abnormal != (c->cond == IF_BASELINE_ABNORMAL)) return NO;
        break;
    }
    }
    double base;
    switch (c->ref) {
    case REF_ABS:
        base = 1.0;
        break;
    case REF_LLN:
        base = ctx->lln;
        break;
    case REF_ULN:
        base = ctx->uln;
        break;
    default:
        base = ctx->baseline;
        break;
    }
    if (isnan(base)) {
        /* an alternative such as creatinine's "> 3.0 x baseline" is simply not applied when
         * there is no baseline (admiral: !is.na(BASE) & ...) */
        if (c->optional) {
            *skipped = true;
            return NO;
        }
        *missing = ref_name(c->ref);
        return UNDECIDABLE;
    }
    double lim = signif15(c->ref == REF_ABS ? c->x : c->x * base), v = signif15(value);
    *limit = lim;
    switch (c->op) {
    case OP_LT:
        return v < lim ? YES : NO;
    case OP_LE:
        return v <= lim ? YES : NO;
    case OP_GT:
        return v > lim ? YES : NO;
    default:
        return v >= lim ? YES : NO;
    }
}

static void describe(char *buf, size_t size, const analyte *a, const criterion *c, double value,
                     double limit)
{
    if (c->ref == REF_ABS)
        snprintf(buf, size, "%g %s %s %g %s", value, a->unit, op_name(c->op), limit, a->unit);
    else
        snprintf(buf, size, "%g %s %s %g x %s = %g %s", value, a->unit, op_name(c->op), c->x,
                 ref_name(c->ref), limit, a->unit);
}

lt_status lt_ctcae_grade(const lt_ctcae_table *t, const char *analyte_id, double value,
                         const lt_grade_context *ctx_in, lt_grade *out, lt_error *err)
{
    const analyte *a = find(t, analyte_id);
    if (!a) {
        char list[256] = "";
        for (size_t i = 0; t && i < t->n; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", t->a[i].id);
        }
        LT_FAIL(err, LT_ENOTFOUND, "analyte", "no CTCAE grading for \"%s\"; graded: %s",
                analyte_id ? analyte_id : "", list);
    }
    if (!isfinite(value)) LT_FAIL(err, LT_EINVAL, "value", "expected a finite value for %s", a->id);
    lt_grade_context ctx;
    if (ctx_in)
        ctx = *ctx_in;
    else
        lt_grade_context_init(&ctx);

    lt_grade g;
    memset(&g, 0, sizeof g);
    g.term = a->term;
    int found = -1;   /* index of the highest grade that holds */
    int max_open = 0; /* highest grade that could not be decided */
    const char *open_missing = NULL;
    char decided[LT_GRADE_TEXT_MAX] = "";
    bool used_baseline_branch = false, skipped = false;
    for (size_t j = 0; j < a->n && found < 0; j++) {
        const grade_rule *gr = &a->g[j];
        const char *missing = NULL;
        for (size_t k = 0; k < gr->n; k++) {
            const char *m = NULL;
            double limit = NAN;
            verdict v = decide(a, &gr->c[k], value, &ctx, &m, &limit, &skipped);
            if (gr->c[k].cond == IF_BASELINE_NORMAL || gr->c[k].cond == IF_BASELINE_ABNORMAL)
                used_baseline_branch = true;
            if (v == YES) {
                found = (int)j;
                describe(decided, sizeof decided, a, &gr->c[k], value, limit);
                break;
            }
            if (v == UNDECIDABLE && !missing) missing = m;
        }
        if (found < 0 && missing && gr->grade > max_open) {
            max_open = gr->grade;
            open_missing = missing;
        }
    }
    g.min_grade = found >= 0 ? a->g[found].grade : 0;
    g.max_grade = max_open > g.min_grade ? max_open : g.min_grade;
    if (g.min_grade == g.max_grade) {
        g.grade = g.min_grade;
        if (found >= 0) {
            g.criterion = a->g[found].text;
            snprintf(g.reason, sizeof g.reason, "grade %d: %.400s", g.grade, decided);
        } else {
            snprintf(g.reason, sizeof g.reason, "grade 0: %g %.100s meets no grade of %.200s",
                     value, a->unit, a->term);
        }
    } else {
        g.grade = LT_GRADE_UNDETERMINED;
        if (found >= 0) g.criterion = a->g[found].text;
        snprintf(g.reason, sizeof g.reason,
                 "undetermined: grade %d to %d; grade %d needs the %s, which is not given%s%.300s",
                 g.min_grade, g.max_grade, max_open, open_missing, found >= 0 ? " (" : "",
                 found >= 0 ? decided : "");
        if (found >= 0) {
            size_t l = strlen(g.reason);
            snprintf(g.reason + l, sizeof g.reason - l, ")");
        }
    }
    if (used_baseline_branch && isnan(ctx.baseline))
        snprintf(g.note, sizeof g.note, "no baseline given: graded as if the baseline was normal");
    else if (skipped)
        snprintf(g.note, sizeof g.note,
                 "a reference limit was not given: the criteria relative to it were not applied");
    *out = g;
    return LT_OK;
}

void lt_grade_to_json(const lt_grade *g, const char *analyte_id, double value, const char *unit,
                      lt_buf *b)
{
    lt_buf_puts(b, "{\"analyte\":");
    lt_buf_json_str(b, analyte_id);
    lt_buf_puts(b, ",\"term\":");
    lt_buf_json_str(b, g->term);
    lt_buf_puts(b, ",\"value\":");
    lt_buf_json_num(b, value);
    lt_buf_puts(b, ",\"unit\":");
    lt_buf_json_str(b, unit);
    lt_buf_puts(b, ",\"grade\":");
    if (g->grade == LT_GRADE_UNDETERMINED)
        lt_buf_puts(b, "\"undetermined\"");
    else
        lt_buf_printf(b, "%d", g->grade);
    lt_buf_printf(b, ",\"min_grade\":%d,\"max_grade\":%d,\"criterion\":", g->min_grade,
                  g->max_grade);
    lt_buf_json_str(b, g->criterion);
    lt_buf_puts(b, ",\"reason\":");
    lt_buf_json_str(b, g->reason);
    lt_buf_puts(b, ",\"note\":");
    lt_buf_json_str(b, g->note[0] ? g->note : NULL);
    lt_buf_putc(b, '}');
}
