/* A protocol's dosing plan: nuclide, activity per cycle, reduced activity, number of cycles,
 * route per cycle (NCT04544098: two intra-arterial, then two intravenous), the cumulative
 * limit (NELMAS: 14.8 GBq) and the check limits, read from the protocol's "dosing" section. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dosing_internal.h"

void lt_dosing_plan_default(lt_dosing_plan *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->nuclide, sizeof p->nuclide, "Lu-177");
    p->activity_mbq = 7400.0;         /* label: 7.4 GBq (200 mCi) per dose */
    p->reduced_activity_mbq = 3700.0; /* label, Table 1: resume at 3.7 GBq (100 mCi) */
    p->cycles = 4;                    /* label: every 8 weeks for a total of 4 doses */
    p->cumulative_limit_mbq = NAN;
    p->routes[0] = LT_ROUTE_INTRAVENOUS;
    p->nroutes = 1;
    lt_dose_rules_default(&p->rules);
}

static lt_status bad(lt_error *err, const char *source, const char *key, const char *expected)
{
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "%s: dosing.%s", source ? source : "<protocol>", key);
    return lt_error_set(err, LT_ESCHEMA, where, "expected %s", expected);
}

static lt_status number(const lt_json *d, const char *key, const char *source, double min,
                        double max, double *out, lt_error *err)
{
    const lt_json *v = lt_json_get(d, key);
    if (!v) return LT_OK;
    double x;
    if (!lt_json_num(v, &x) || !(x >= min && x <= max)) {
        char what[96];
        snprintf(what, sizeof what, "a number from %g to %g", min, max);
        return bad(err, source, key, what);
    }
    *out = x;
    return LT_OK;
}

lt_status lt_dosing_plan_from_json(const lt_json *d, const char *source, lt_dosing_plan *out,
                                   lt_error *err)
{
    lt_dosing_plan p;
    lt_dosing_plan_default(&p);
    if (!d) {
        *out = p;
        return LT_OK;
    }
    if (!lt_json_is_object(d)) return bad(err, source, "", "an object");
    const lt_json *nu = lt_json_get(d, "nuclide");
    if (nu) {
        const char *s = lt_json_str(nu);
        if (!s || !s[0] || strlen(s) >= sizeof p.nuclide)
            return bad(err, source, "nuclide", "a nuclide id such as \"Lu-177\"");
        snprintf(p.nuclide, sizeof p.nuclide, "%s", s);
    }
    double cycles = p.cycles;
    lt_status st;
    if ((st = number(d, "activity_mbq", source, 1e-3, 1e6, &p.activity_mbq, err)) ||
        (st = number(d, "reduced_activity_mbq", source, 0, 1e6, &p.reduced_activity_mbq, err)) ||
        (st = number(d, "cycles", source, 1, LT_DOSE_MAX_CYCLES, &cycles, err)) ||
        (st = number(d, "cumulative_limit_mbq", source, 1e-3, 1e7, &p.cumulative_limit_mbq,
                     err)))
        return st;
    /* whether the limit counts prior PRRT is the protocol's to say: NET RETREAT's note says it
     * does, NELMAS's limit is its own two cycles; no default could be right for both */
    const struct {
        const char *key;
        bool *field;
    } flags[] = {{"includes_prior_prrt", &p.includes_prior_prrt},
                 {"cumulative_limit_acknowledgeable", &p.cumulative_acknowledgeable}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const lt_json *v = lt_json_get(d, flags[i].key);
        if (v && !lt_json_bool(v, flags[i].field))
            return bad(err, source, flags[i].key, "true or false");
    }
    if ((p.includes_prior_prrt || p.cumulative_acknowledgeable) && !isfinite(p.cumulative_limit_mbq))
        return bad(err, source, p.includes_prior_prrt ? "includes_prior_prrt" : "cumulative_limit_acknowledgeable",
                   "a cumulative_limit_mbq beside it (it qualifies that limit)");
    if (cycles != floor(cycles)) return bad(err, source, "cycles", "a whole number of cycles");
    p.cycles = (int)cycles;
    if (p.reduced_activity_mbq >= p.activity_mbq)
        return bad(err, source, "reduced_activity_mbq", "an activity below activity_mbq");
    const lt_json *routes = lt_json_get(d, "routes");
    if (routes) {
        if (!lt_json_is_array(routes) || lt_json_size(routes) == 0 ||
            lt_json_size(routes) > (size_t)p.cycles)
            return bad(err, source, "routes",
                       "an array of 1 to `cycles` routes (intravenous, intra_arterial)");
        p.nroutes = 0;
        for (const lt_json *r = lt_json_first(routes); r; r = lt_json_next(r))
            if (!lt_route_parse(lt_json_str(r), &p.routes[p.nroutes++]))
                return bad(err, source, "routes", "\"intravenous\" or \"intra_arterial\"");
    }
    if ((st = lt_dose_rules_from_json(d, source, &p.rules, err)) != LT_OK) return st;
    *out = p;
    return LT_OK;
}

lt_route lt_dosing_plan_route(const lt_dosing_plan *p, int cycle)
{
    if (p->nroutes == 0 || cycle < 1) return LT_ROUTE_UNKNOWN;
    size_t i = (size_t)cycle - 1;
    return p->routes[i < p->nroutes ? i : p->nroutes - 1];
}
