/* The nuclide table (data/nuclides.json), activity units and radioactive decay.
 * Decay follows A(t) = A0 exp(-ln 2 * t / T1/2); the half-life is data so that a site can add
 * a nuclide or correct a value without touching code. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dosing_internal.h"
#include "lutetia/file.h"

#define MAX_ALIASES 8

struct lt_nuclide_table {
    lt_json *root; /* owns every string the entries point to */
    lt_nuclide *items;
    const char *(*aliases)[MAX_ALIASES];
    size_t n;
};

void lt_nuclide_table_free(lt_nuclide_table *t)
{
    if (!t) return;
    lt_json_free(t->root);
    free(t->items);
    free(t->aliases);
    free(t);
}

/* Seconds per half-life unit; 0 for an unknown unit. */
static double unit_seconds(const char *u)
{
    if (!strcmp(u, "d")) return 86400.0;
    if (!strcmp(u, "h")) return 3600.0;
    if (!strcmp(u, "min")) return 60.0;
    if (!strcmp(u, "s")) return 1.0;
    return 0.0;
}

lt_status lt_nuclide_table_parse(const char *text, size_t len, const char *source,
                                 lt_nuclide_table **out, lt_error *err)
{
    lt_json *root;
    lt_status st = lt_json_parse(text, len, source, &root, err);
    if (st != LT_OK) return st;
    char where[LT_ERROR_WHERE_MAX];
    const lt_json *list = lt_json_get(root, "nuclides");
    if (!lt_json_is_array(list) || lt_json_size(list) == 0) {
        lt__dose_where(where, text, len, source, "nuclides");
        lt_json_free(root);
        LT_FAIL(err, LT_ESCHEMA, where, "expected \"nuclides\": a non-empty array of nuclides");
    }
    lt_nuclide_table *t = calloc(1, sizeof *t);
    size_t n = lt_json_size(list);
    if (t) {
        t->items = calloc(n, sizeof *t->items);
        t->aliases = calloc(n, sizeof *t->aliases);
    }
    if (!t || !t->items || !t->aliases) {
        if (t) {
            free(t->items);
            free(t->aliases);
            free(t);
        }
        lt_json_free(root);
        LT_FAIL(err, LT_ENOMEM, source, "out of memory reading the nuclide table");
    }
    t->root = root;
    for (size_t i = 0; i < n; i++) {
        const lt_json *e = lt_json_at(list, i);
        char path[64];
        lt_nuclide *nu = &t->items[i];
        nu->id = lt_json_get_str(e, "id", NULL);
        nu->name = lt_json_get_str(e, "name", nu->id);
        nu->source = lt_json_get_str(e, "source", "");
        double hl;
        const char *unit = lt_json_get_str(e, "half_life_unit", NULL);
        if (!nu->id || !nu->id[0]) {
            snprintf(path, sizeof path, "nuclides[%zu]", i);
            lt__dose_where(where, text, len, source, path);
            lt_error_set(err, LT_ESCHEMA, where, "expected a non-empty \"id\" string");
            lt_nuclide_table_free(t);
            return LT_ESCHEMA;
        }
        if (!lt_json_num(lt_json_get(e, "half_life"), &hl) || !(hl > 0) || !isfinite(hl)) {
            snprintf(path, sizeof path, "nuclides[%zu].half_life", i);
            lt__dose_where(where, text, len, source, path);
            lt_error_set(err, LT_ESCHEMA, where,
                         "expected a positive number for the half-life of %s", nu->id);
            lt_nuclide_table_free(t);
            return LT_ESCHEMA;
        }
        if (!unit || unit_seconds(unit) == 0) {
            snprintf(path, sizeof path, "nuclides[%zu].half_life_unit", i);
            lt__dose_where(where, text, len, source, path);
            lt_error_set(err, LT_ESCHEMA, where,
                         "expected \"d\", \"h\", \"min\" or \"s\", found %s%s%s", unit ? "\"" : "",
                         unit ? unit : "nothing", unit ? "\"" : "");
            lt_nuclide_table_free(t);
            return LT_ESCHEMA;
        }
        nu->half_life_days = hl * unit_seconds(unit) / 86400.0;
        const lt_json *al = lt_json_get(e, "aliases");
        size_t k = 0;
        for (const lt_json *a = lt_json_first(al); a && k < MAX_ALIASES; a = lt_json_next(a))
            if (lt_json_str(a)) t->aliases[i][k++] = lt_json_str(a);
        for (size_t j = 0; j < i; j++) {
            if (!strcasecmp(t->items[j].id, nu->id)) {
                snprintf(path, sizeof path, "nuclides[%zu].id", i);
                lt__dose_where(where, text, len, source, path);
                lt_error_set(err, LT_ESCHEMA, where, "nuclide \"%s\" is listed twice", nu->id);
                lt_nuclide_table_free(t);
                return LT_ESCHEMA;
            }
        }
        t->n = i + 1;
    }
    *out = t;
    return LT_OK;
}

lt_status lt_nuclide_table_load(const char *path, lt_nuclide_table **out, lt_error *err)
{
    char used[4096], *text;
    size_t len;
    lt_status st = lt_data_read(path, "nuclides.json", &text, &len, used, sizeof used, err);
    if (st != LT_OK) return st;
    st = lt_nuclide_table_parse(text, len, used, out, err);
    free(text);
    return st;
}

size_t lt_nuclide_count(const lt_nuclide_table *t)
{
    return t ? t->n : 0;
}

const lt_nuclide *lt_nuclide_at(const lt_nuclide_table *t, size_t i)
{
    return t && i < t->n ? &t->items[i] : NULL;
}

const lt_nuclide *lt_nuclide_find(const lt_nuclide_table *t, const char *id)
{
    if (!t || !id) return NULL;
    for (size_t i = 0; i < t->n; i++) {
        if (!strcasecmp(t->items[i].id, id)) return &t->items[i];
        for (size_t k = 0; k < MAX_ALIASES && t->aliases[i][k]; k++)
            if (!strcasecmp(t->aliases[i][k], id)) return &t->items[i];
    }
    return NULL;
}

double lt_decay_factor(double half_life_days, double dt_seconds)
{
    return exp(-M_LN2 * (dt_seconds / 86400.0) / half_life_days);
}

double lt_decay(const lt_nuclide *n, double activity, lt_time from, lt_time to)
{
    return activity * lt_decay_factor(n->half_life_days, (double)(to - from));
}

/* MBq per unit. 1 Ci = 3.7e10 Bq by definition, so 1 mCi = 37 MBq. */
static double mbq_per(const char *unit)
{
    static const struct {
        const char *name;
        double mbq;
    } units[] = {
        {"Bq", 1e-6},
        {"kBq", 1e-3},
        {"MBq", 1.0},
        {"GBq", 1e3},
        {"uCi", 0.037},
        {"\xc2\xb5"
         "Ci",
         0.037},
        {"mCi", 37.0},
        {"Ci", 37000.0},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(unit, units[i].name)) return units[i].mbq;
    return 0.0;
}

bool lt_activity_to_mbq(double value, const char *unit, double *out)
{
    double f = unit ? mbq_per(unit) : 0.0;
    if (f == 0.0 || !isfinite(value)) return false;
    *out = value * f;
    return true;
}

bool lt_activity_from_mbq(double mbq, const char *unit, double *out)
{
    double f = unit ? mbq_per(unit) : 0.0;
    if (f == 0.0 || !isfinite(mbq)) return false;
    *out = mbq / f;
    return true;
}

lt_status lt_dose_volume(const lt_nuclide *n, double vial_activity, double vial_volume_ml,
                         lt_time calibrated, double wanted, lt_time at, double *volume_ml,
                         lt_error *err)
{
    if (!(vial_activity > 0) || !isfinite(vial_activity))
        LT_FAIL(err, LT_EINVAL, "activity", "expected a positive vial activity, found %g",
                vial_activity);
    if (!(vial_volume_ml > 0) || !isfinite(vial_volume_ml))
        LT_FAIL(err, LT_EINVAL, "volume", "expected a positive vial volume in mL, found %g",
                vial_volume_ml);
    if (!(wanted > 0) || !isfinite(wanted))
        LT_FAIL(err, LT_EINVAL, "activity-at", "expected a positive wanted activity, found %g",
                wanted);
    double then = lt_decay(n, vial_activity, calibrated, at);
    double conc = then / vial_volume_ml;
    double v = wanted / conc;
    if (v > vial_volume_ml * (1 + 1e-12))
        LT_FAIL(err, LT_ESTATE, "activity-at",
                "the vial holds only %.4g at that time (%.4g per mL in %.4g mL): %.4g cannot be "
                "drawn from it",
                then, conc, vial_volume_ml, wanted);
    *volume_ml = v;
    return LT_OK;
}
