/* Plausible ranges (data/plausible-ranges.json): per analyte and vital, the values a living
 * body can have. A value outside is a typing or unit error until a person confirms it, so the
 * readers mark such a fact implausible (screening: unknown) and recording refuses it unless
 * confirmed with a reason. Wide on purpose: no true critical value is outside. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lutetia/file.h"

typedef struct range {
    const char *code; /* an analyte of the units table (static storage there) */
    double min, max;  /* in its canonical unit */
} range;

struct lt_plausible {
    range *v;
    size_t n;
};

void lt_plausible_free(lt_plausible *t)
{
    if (!t) return;
    free(t->v);
    free(t);
}

static lt_status load_text(const char *text, size_t len, const char *src, lt_plausible **out,
                           lt_error *err)
{
    lt_json *root;
    lt_status st = lt_json_parse(text, len, src, &root, err);
    if (st != LT_OK) return st;
    char where[LT_ERROR_WHERE_MAX];
    const char *fmt = lt_json_get_str(root, "format", NULL);
    const lt_json *ranges = lt_json_get(root, "ranges");
    if (!fmt || strcmp(fmt, "lutetia-plausible-ranges") || !lt_json_is_object(ranges)) {
        lt_json_free(root);
        LT_FAIL(err, LT_ESCHEMA, src,
                "expected an object with \"format\": \"lutetia-plausible-ranges\" and "
                "\"ranges\": an object of analytes");
    }
    lt_plausible *t = calloc(1, sizeof *t);
    size_t n = lt_json_size(ranges);
    if (t) t->v = calloc(n ? n : 1, sizeof *t->v);
    if (!t || !t->v) {
        lt_plausible_free(t);
        lt_json_free(root);
        LT_FAIL(err, LT_ENOMEM, src, "out of memory reading plausible ranges");
    }
    st = LT_OK;
    for (const lt_json *m = lt_json_first(ranges); m && st == LT_OK; m = lt_json_next(m)) {
        const char *code = lt_json_key(m);
        snprintf(where, sizeof where, "%.150s: ranges.%.80s", src, code);
        const char *canon = lt_units_canonical(code);
        const char *unit = lt_json_get_str(m, "unit", NULL);
        double lo, hi;
        if (!canon) {
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "\"%s\" is not an analyte of the units table", code);
        } else if (!unit || strcmp(unit, canon)) {
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected \"unit\": \"%s\" (the canonical unit), found %s%s%s",
                              canon, unit ? "\"" : "", unit ? unit : "nothing", unit ? "\"" : "");
        } else if (!lt_json_num(lt_json_get(m, "min"), &lo) ||
                   !lt_json_num(lt_json_get(m, "max"), &hi) || !(lo < hi)) {
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected numbers \"min\" below \"max\"");
        } else {
            /* the key lives in root, which is freed below: keep the units table's copy */
            t->v[t->n].code = lt__units_code(code);
            t->v[t->n].min = lo;
            t->v[t->n].max = hi;
            t->n++;
        }
    }
    /* every analyte needs a range, so that a new one cannot be read unchecked */
    for (size_t i = 0; st == LT_OK && lt__units_analyte(i); i++) {
        const char *code = lt__units_analyte(i);
        bool found = false;
        for (size_t k = 0; k < t->n && !found; k++)
            found = !strcmp(t->v[k].code, code);
        if (!found)
            st = lt_error_set(err, LT_ESCHEMA, src, "ranges: no plausible range for \"%s\"",
                              code);
    }
    lt_json_free(root);
    if (st != LT_OK) {
        lt_plausible_free(t);
        return st;
    }
    *out = t;
    return LT_OK;
}

lt_status lt_plausible_load(const char *path, lt_plausible **out, lt_error *err)
{
    char used[4096];
    char *text;
    size_t len;
    lt_status st = lt_data_read(path, "plausible-ranges.json", &text, &len, used, sizeof used,
                                err);
    if (st != LT_OK) return st;
    st = load_text(text, len, used, out, err);
    free(text);
    return st;
}

bool lt_plausible_range(const lt_plausible *t, const char *analyte, double *min, double *max)
{
    for (size_t i = 0; t && analyte && i < t->n; i++)
        if (!strcmp(t->v[i].code, analyte)) {
            *min = t->v[i].min;
            *max = t->v[i].max;
            return true;
        }
    return false;
}

bool lt_plausible_value(const lt_plausible *t, const char *analyte, double value, char *why,
                        size_t n)
{
    double lo, hi;
    /* NaN and infinity are never a body's value, whether or not the analyte has a range */
    bool ok = isfinite(value);
    if (ok && lt_plausible_range(t, analyte, &lo, &hi)) ok = value >= lo && value <= hi;
    if (!ok && why) {
        if (lt_plausible_range(t, analyte, &lo, &hi))
            snprintf(why, n, "%s %g %s is outside the plausible range %g to %g %s", analyte,
                     value, lt_units_canonical(analyte), lo, hi, lt_units_canonical(analyte));
        else
            snprintf(why, n, "%s %g is not a finite number", analyte, value);
    }
    return ok;
}

bool lt_plausible_limits(const lt_plausible *t, const char *analyte, bool has_low, double low,
                         bool has_high, double high, char *why, size_t n)
{
    char w[200];
    if (has_low && !lt_plausible_value(t, analyte, low, w, sizeof w)) {
        if (why) snprintf(why, n, "LLN: %s", w);
        return false;
    }
    if (has_high && !lt_plausible_value(t, analyte, high, w, sizeof w)) {
        if (why) snprintf(why, n, "ULN: %s", w);
        return false;
    }
    if (has_low && has_high && low > high) {
        if (why)
            snprintf(why, n, "%s: the LLN %g is above the ULN %g %s", analyte, low, high,
                     lt_units_canonical(analyte) ? lt_units_canonical(analyte) : "");
        return false;
    }
    return true;
}

bool lt__fact_plausible(const lt_plausible *t, const lt_fact *f)
{
    if (!f->has_value || lt__units_kind(f->code) == LT_FACT_KIND_COUNT) return true;
    return lt_plausible_value(t, f->code, f->value, NULL, 0) &&
           lt_plausible_limits(t, f->code, f->has_low, f->low, f->has_high, f->high, NULL, 0);
}
