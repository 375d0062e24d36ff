/* Loading a protocol file: JSON parsing, choosing a version (older versions are RFC 7386 merge
 * patches on the latest document), validating every member with its JSON path, and compiling
 * arms, randomisation, anchors, windows and reference limits (criteria: rules.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lutetia/date.h"
#include "lutetia/file.h"
#include "lutetia/patient.h"
#include "lutetia/randomise.h"

static const char *const fact_kinds[] = {"lab",         "vital",   "performance", "diagnosis",
                                         "procedure",   "imaging", "treatment",   "status",
                                         "attestation", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i])) return true;
    return false;
}

/* ---- typed member readers: each reports what it expected and what it found ------------- */

static const char *get_str(const lt_json *obj, const char *key, const char *path, bool required,
                           lt__issues *iss)
{
    const lt_json *v = lt_json_get(obj, key);
    char p[LT_ERROR_WHERE_MAX];
    lt__path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) lt__issue(iss, NULL, p, "missing: expected a string");
        return NULL;
    }
    const char *s = lt_json_str(v);
    if (!s || !s[0]) {
        lt__issue(iss, NULL, p, "expected a non-empty string, found %s",
                  s ? "an empty string" : lt__json_type_name(v));
        return NULL;
    }
    return s;
}

static bool get_num(const lt_json *obj, const char *key, const char *path, bool required, double lo,
                    double hi, double *out, lt__issues *iss)
{
    const lt_json *v = lt_json_get(obj, key);
    char p[LT_ERROR_WHERE_MAX];
    lt__path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) lt__issue(iss, NULL, p, "missing: expected a number");
        return false;
    }
    double x;
    if (!lt_json_num(v, &x)) {
        lt__issue(iss, NULL, p, "expected a number, found %s", lt__json_type_name(v));
        return false;
    }
    if (x < lo || x > hi) {
        lt__issue(iss, NULL, p, "expected a number from %g to %g, found %g", lo, hi, x);
        return false;
    }
    *out = x;
    return true;
}

static bool get_int(const lt_json *obj, const char *key, const char *path, bool required, long lo,
                    long hi, long *out, lt__issues *iss)
{
    double x;
    if (!get_num(obj, key, path, required, (double)lo, (double)hi, &x, iss)) return false;
    if (x != floor(x)) {
        char p[LT_ERROR_WHERE_MAX];
        lt__path_key(p, sizeof p, path, key);
        lt__issue(iss, NULL, p, "expected a whole number, found %g", x);
        return false;
    }
    *out = (long)x;
    return true;
}

static const lt_json *get_obj(const lt_json *obj, const char *key, const char *path, bool required,
                              lt__issues *iss)
{
    const lt_json *v = lt_json_get(obj, key);
    char p[LT_ERROR_WHERE_MAX];
    lt__path_key(p, sizeof p, path, key);
    if (!v) {
        if (required) lt__issue(iss, NULL, p, "missing: expected an object");
        return NULL;
    }
    if (!lt_json_is_object(v)) {
        lt__issue(iss, NULL, p, "expected an object, found %s", lt__json_type_name(v));
        return NULL;
    }
    return v;
}

static void check_date(const lt_json *obj, const char *key, const char *path, bool required,
                       lt__issues *iss)
{
    const char *s = get_str(obj, key, path, required, iss);
    lt_date d;
    if (s && !lt_date_parse(s, false, &d)) {
        char p[LT_ERROR_WHERE_MAX];
        lt__path_key(p, sizeof p, path, key);
        lt__issue(iss, NULL, p, "expected a date YYYY-MM-DD, found \"%s\"", s);
    }
}

static void check_enum(const char *s, const char *const *list, const char *path, lt__issues *iss)
{
    if (!s || in_list(s, list)) return;
    char opts[300] = "";
    size_t used = 0;
    for (size_t i = 0; list[i] && used < sizeof opts - 40; i++)
        used += (size_t)snprintf(opts + used, sizeof opts - used, "%s%s", i ? ", " : "", list[i]);
    lt__issue(iss, NULL, path, "expected one of %s, found \"%s\"", opts, s);
}

static const char *get_enum(const lt_json *obj, const char *key, const char *path, bool required,
                            const char *const *list, lt__issues *iss)
{
    const char *s = get_str(obj, key, path, required, iss);
    char p[LT_ERROR_WHERE_MAX];
    lt__path_key(p, sizeof p, path, key);
    check_enum(s, list, p, iss);
    return s && in_list(s, list) ? s : NULL;
}

/* ---- pieces shared with rules.c ---------------------------------------------------------- */

bool lt__anchor_known(const lt_protocol *p, const char *name)
{
    if (!strcmp(name, "as_of") || !strcmp(name, "screening") || !strcmp(name, "randomisation"))
        return true;
    for (size_t i = 0; i < p->nanchors; i++)
        if (!strcmp(p->anchors[i].name, name)) return true;
    return false;
}

bool lt__window_read(lt_protocol *p, const lt_json *v, const char *path, lt_window *out,
                     lt__issues *iss)
{
    static const char *const members[] = {"anchor", "from", "to", "bounds", NULL};
    if (!lt_json_is_object(v)) {
        lt__issue(iss, NULL, path, "expected a window object or the name of a window, found %s",
                  lt__json_type_name(v));
        return false;
    }
    size_t before = iss->n;
    lt__check_members(v, path, members, iss);
    lt_window w = {0};
    w.anchor = "as_of";
    const char *a = get_str(v, "anchor", path, false, iss);
    char p2[LT_ERROR_WHERE_MAX];
    if (a) {
        if (!lt__anchor_known(p, a)) {
            lt__path_key(p2, sizeof p2, path, "anchor");
            lt__issue(iss, NULL, p2,
                      "expected as_of, screening, randomisation or an anchor declared in "
                      "\"anchors\", found \"%s\"",
                      a);
        }
        w.anchor = a;
    }
    const lt_json *f = lt_json_get(v, "from"), *t = lt_json_get(v, "to");
    if (f) {
        lt__path_key(p2, sizeof p2, path, "from");
        w.has_from = lt__duration_read(f, p2, &w.from, iss);
    }
    if (t) {
        lt__path_key(p2, sizeof p2, path, "to");
        w.has_to = lt__duration_read(t, p2, &w.to, iss);
    }
    static const char *const bounds[] = {"[]", "[)", "(]", "()", NULL};
    const char *b = get_enum(v, "bounds", path, false, bounds, iss);
    w.from_inclusive = !b || b[0] == '[';
    w.to_inclusive = !b || b[1] == ']';
    if (!f && !t) lt__issue(iss, NULL, path, "a window needs \"from\", \"to\" or both");
    if (w.has_from && w.has_to) {
        /* compare in days from a fixed date: months make the length calendar-dependent */
        lt_date base = lt_date_from_ymd(2001, 1, 1);
        lt_date df = base, dt = base;
        int mf = w.from.unit == 'm' ? w.from.n : w.from.unit == 'y' ? 12 * w.from.n : 0;
        int mt = w.to.unit == 'm' ? w.to.n : w.to.unit == 'y' ? 12 * w.to.n : 0;
        df = mf ? lt_date_add_months(base, mf) : base + w.from.n * (w.from.unit == 'w' ? 7 : 1);
        dt = mt ? lt_date_add_months(base, mt) : base + w.to.n * (w.to.unit == 'w' ? 7 : 1);
        if (df > dt) lt__issue(iss, NULL, path, "\"from\" lies after \"to\": the window is empty");
    }
    if (iss->n != before) return false;
    *out = w;
    return true;
}

/* ---- sections ---------------------------------------------------------------------------- */

static void build_interventions(lt_protocol *p, const lt_json *iv, const char *path,
                                lt__issues *iss)
{
    static const char *const members[] = {"type",           "agent",       "name",
                                          "nuclide",        "cycles",      "activity_per_cycle",
                                          "total_activity", "route",       "infusion_minutes",
                                          "first_cycle",    "interval",    "max_interval",
                                          "co_medication",  "dose",        "frequency",
                                          "duration",       "description", NULL};
    static const char *const types[] = {"radiopharmaceutical", "drug", "procedure", NULL};
    static const char *const routes[] = {"intravenous",  "intra-arterial", "oral",
                                         "subcutaneous", "intramuscular",  NULL};
    static const char *const activity_units[] = {"MBq", "GBq", "mCi", NULL};
    for (const lt_json *m = lt_json_first(iv); m; m = lt_json_next(m)) {
        char ip[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
        lt__path_key(ip, sizeof ip, path, lt_json_key(m));
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, ip, "expected an intervention object, found %s",
                      lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, ip, members, iss);
        const char *type = get_enum(m, "type", ip, true, types, iss);
        get_str(m, "agent", ip, true, iss);
        long cycles = 0;
        bool radio = type && !strcmp(type, "radiopharmaceutical");
        if (radio) {
            get_str(m, "nuclide", ip, true, iss);
            get_int(m, "cycles", ip, true, 1, 100, &cycles, iss);
        }
        static const char *const act_keys[] = {"activity_per_cycle", "total_activity", NULL};
        for (size_t k = 0; act_keys[k]; k++) {
            const lt_json *a = get_obj(m, act_keys[k], ip, radio && k == 0, iss);
            if (!a) continue;
            static const char *const am[] = {"value", "unit", NULL};
            lt__path_key(q, sizeof q, ip, act_keys[k]);
            lt__check_members(a, q, am, iss);
            double x;
            get_num(a, "value", q, true, 1e-9, 1e9, &x, iss);
            get_enum(a, "unit", q, true, activity_units, iss);
        }
        const lt_json *r = lt_json_get(m, "route");
        lt__path_key(q, sizeof q, ip, "route");
        if (lt_json_is_array(r)) {
            if (radio && cycles > 0 && lt_json_size(r) != (size_t)cycles)
                lt__issue(iss, NULL, q, "expected one route per cycle (%ld), found %zu", cycles,
                          lt_json_size(r));
            size_t i = 0;
            for (const lt_json *e = lt_json_first(r); e; e = lt_json_next(e), i++) {
                char ep[LT_ERROR_WHERE_MAX];
                lt__path_index(ep, sizeof ep, q, i);
                if (!lt_json_str(e))
                    lt__issue(iss, NULL, ep, "expected a route, found %s", lt__json_type_name(e));
                else
                    check_enum(lt_json_str(e), routes, ep, iss);
            }
        } else if (r) {
            get_enum(m, "route", ip, false, routes, iss);
        }
        double x;
        get_num(m, "infusion_minutes", ip, false, 0, 10000, &x, iss);
        const lt_json *fc = get_obj(m, "first_cycle", ip, false, iss);
        if (fc) {
            static const char *const fm[] = {"anchor", "offset", "window", NULL};
            lt__path_key(q, sizeof q, ip, "first_cycle");
            lt__check_members(fc, q, fm, iss);
            const char *a = get_str(fc, "anchor", q, true, iss);
            char ap[LT_ERROR_WHERE_MAX];
            lt__path_key(ap, sizeof ap, q, "anchor");
            if (a && !lt__anchor_known(p, a))
                lt__issue(iss, NULL, ap, "expected a built-in or declared anchor, found \"%s\"", a);
            lt_duration d;
            lt__path_key(ap, sizeof ap, q, "offset");
            if (!lt_json_get(fc, "offset"))
                lt__issue(iss, NULL, ap, "missing: expected a duration");
            else
                lt__duration_read(lt_json_get(fc, "offset"), ap, &d, iss);
            lt__path_key(ap, sizeof ap, q, "window");
            if (lt_json_get(fc, "window"))
                lt__duration_read(lt_json_get(fc, "window"), ap, &d, iss);
        }
        const lt_json *in = get_obj(m, "interval", ip, false, iss);
        if (in) {
            static const char *const im[] = {"offset", "window", NULL};
            lt__path_key(q, sizeof q, ip, "interval");
            lt__check_members(in, q, im, iss);
            char ap[LT_ERROR_WHERE_MAX];
            lt_duration d;
            lt__path_key(ap, sizeof ap, q, "offset");
            if (!lt_json_get(in, "offset"))
                lt__issue(iss, NULL, ap, "missing: expected a duration");
            else
                lt__duration_read(lt_json_get(in, "offset"), ap, &d, iss);
            lt__path_key(ap, sizeof ap, q, "window");
            if (lt_json_get(in, "window"))
                lt__duration_read(lt_json_get(in, "window"), ap, &d, iss);
        }
        static const char *const dur_keys[] = {"max_interval", "duration", NULL};
        for (size_t k = 0; dur_keys[k]; k++) {
            lt_duration d;
            lt__path_key(q, sizeof q, ip, dur_keys[k]);
            if (lt_json_get(m, dur_keys[k]))
                lt__duration_read(lt_json_get(m, dur_keys[k]), q, &d, iss);
        }
        const lt_json *dose = get_obj(m, "dose", ip, type && !strcmp(type, "drug"), iss);
        if (dose) {
            static const char *const dm[] = {"value", "unit", NULL};
            lt__path_key(q, sizeof q, ip, "dose");
            lt__check_members(dose, q, dm, iss);
            get_num(dose, "value", q, true, 0, 1e9, &x, iss);
            get_str(dose, "unit", q, true, iss);
        }
    }
}

static void build_arms(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *arms = get_obj(doc, "arms", "", true, iss);
    if (!arms) return;
    size_t n = lt_json_size(arms);
    if (n == 0) {
        lt__issue(iss, NULL, "arms", "expected at least one arm, found none");
        return;
    }
    p->arms = lt__pa_alloc(&p->arena, n * sizeof *p->arms);
    if (!p->arms) return;
    static const char *const members[] = {"name",          "role",        "ratio", "description",
                                          "interventions", "also_called", "oral_drug", NULL};
    static const char *const roles[] = {"experimental", "control", "single", NULL};
    static const char *const aka_members[] = {"name", "source", NULL};
    for (const lt_json *m = lt_json_first(arms); m; m = lt_json_next(m)) {
        char ap[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
        lt__path_key(ap, sizeof ap, "arms", lt_json_key(m));
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, ap, "expected an arm object, found %s", lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, ap, members, iss);
        lt_arm *a = &p->arms[p->narms++];
        a->id = lt_json_key(m);
        a->name = get_str(m, "name", ap, true, iss);
        a->role = get_enum(m, "role", ap, true, roles, iss);
        long ratio = 1;
        get_int(m, "ratio", ap, true, 1, 100, &ratio, iss);
        a->ratio = (int)ratio;
        const lt_json *iv = get_obj(m, "interventions", ap, false, iss);
        lt__path_key(q, sizeof q, ap, "interventions");
        if (iv) build_interventions(p, iv, q, iss);
        /* an oral drug taken continuously: its meaning is the safety module's
         * (lt_oral_spec_from_json, which protocol check calls); here only its shape */
        get_obj(m, "oral_drug", ap, false, iss);
        /* other names the sources give the arm (a known conflict between documents is recorded,
         * and lint reports it, rather than silently settled) */
        const lt_json *aka = lt_json_get(m, "also_called");
        lt__path_key(q, sizeof q, ap, "also_called");
        if (aka && !lt_json_is_array(aka)) {
            lt__issue(iss, NULL, q, "expected an array of {\"name\", \"source\"}, found %s",
                      lt__json_type_name(aka));
            continue;
        }
        for (size_t k = 0; k < lt_json_size(aka); k++) {
            const lt_json *e = lt_json_at(aka, k);
            char eq[LT_ERROR_WHERE_MAX];
            lt__path_index(eq, sizeof eq, q, k);
            if (!lt_json_is_object(e)) {
                lt__issue(iss, NULL, eq, "expected {\"name\", \"source\"}, found %s",
                          lt__json_type_name(e));
                continue;
            }
            lt__check_members(e, eq, aka_members, iss);
            get_str(e, "name", eq, true, iss);
            const char *sid = get_str(e, "source", eq, true, iss);
            if (sid && !lt_json_get(lt_json_get(doc, "sources"), sid)) {
                char sq[LT_ERROR_WHERE_MAX];
                lt__path_key(sq, sizeof sq, eq, "source");
                lt__issue(iss, NULL, sq, "expected a source listed in \"sources\", found \"%s\"",
                          sid);
            }
        }
    }
}

/* Arm, factor and level names go into stratum keys ("site=pancreas;margin=R0"), so the
 * randomiser refuses an empty name or one holding '=' or ';'. */
static bool rand_name_ok(const char *s) { return s && *s && !strchr(s, '=') && !strchr(s, ';'); }

static void build_randomisation(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *r = get_obj(doc, "randomisation", "", true, iss);
    if (!r) return;
    static const char *const members[] = {"method",    "block_sizes",    "p_preferred",
                                          "imbalance", "stratification", NULL};
    static const char *const methods[] = {"none", "permuted_blocks", "minimisation", NULL};
    lt__check_members(r, "randomisation", members, iss);
    const char *m = get_enum(r, "method", "randomisation", true, methods, iss);
    lt_randomisation_spec *rs = &p->rand;
    rs->method = !m                              ? LT_RANDOMISE_NONE
                 : !strcmp(m, "permuted_blocks") ? LT_RANDOMISE_PERMUTED_BLOCKS
                 : !strcmp(m, "minimisation")    ? LT_RANDOMISE_MINIMISATION
                                                 : LT_RANDOMISE_NONE;
    if (m && rs->method == LT_RANDOMISE_NONE && p->narms > 1)
        lt__issue(iss, NULL, "randomisation.method",
                  "expected permuted_blocks or minimisation for %zu arms, found \"none\"",
                  p->narms);
    if (m && rs->method != LT_RANDOMISE_NONE && p->narms < 2)
        lt__issue(iss, NULL, "randomisation.method",
                  "expected \"none\" for a single-arm trial, found \"%s\"", m);
    /* What the randomiser will refuse is refused here, so that a trial cannot be created,
     * and patients consented and confirmed, on a design whose first allocation fails. */
    if (p->narms > LT_RANDOMISE_MAX_ARMS)
        lt__issue(iss, NULL, "arms", "expected at most %d arms, found %zu", LT_RANDOMISE_MAX_ARMS,
                  p->narms);
    for (size_t i = 0; i < p->narms; i++)
        if (!rand_name_ok(p->arms[i].id))
            lt__issue(iss, NULL, "arms", "expected an arm id without '=' or ';', found \"%s\"",
                      p->arms[i].id);
    int sum = 0;
    for (size_t i = 0; i < p->narms; i++)
        sum += p->arms[i].ratio;
    const lt_json *bs = lt_json_get(r, "block_sizes");
    /* the randomiser's documented default: blocks of one and two times the ratio sum */
    if (!bs && rs->method == LT_RANDOMISE_PERMUTED_BLOCKS && 2 * sum > LT_RANDOMISE_MAX_BLOCK)
        lt__issue(iss, NULL, "randomisation",
                  "missing block_sizes: the default blocks (%d and %d, one and two times the sum "
                  "of the ratios) exceed %d; expected block_sizes",
                  sum, 2 * sum, LT_RANDOMISE_MAX_BLOCK);
    if (bs) {
        if (!lt_json_is_array(bs) || lt_json_size(bs) == 0) {
            lt__issue(iss, NULL, "randomisation.block_sizes",
                      "expected a non-empty array of block sizes, found %s",
                      lt__json_type_name(bs));
        } else {
            size_t n = lt_json_size(bs), i = 0;
            int *v = lt__pa_alloc(&p->arena, n * sizeof *v);
            for (const lt_json *e = lt_json_first(bs); v && e; e = lt_json_next(e), i++) {
                char ep[LT_ERROR_WHERE_MAX];
                lt__path_index(ep, sizeof ep, "randomisation.block_sizes", i);
                double x;
                if (!lt_json_num(e, &x) || x != floor(x) || x < 1 || x > LT_RANDOMISE_MAX_BLOCK) {
                    if (lt_json_num(e, &x))
                        lt__issue(iss, NULL, ep, "expected a whole block size from 1 to %d, found %g",
                                  LT_RANDOMISE_MAX_BLOCK, x);
                    else
                        lt__issue(iss, NULL, ep, "expected a whole block size, found %s",
                                  lt__json_type_name(e));
                    continue;
                }
                if (sum > 0 && (int)x % sum != 0)
                    lt__issue(iss, NULL, ep,
                              "expected a multiple of the sum of the arms' ratios (%d), found %g",
                              sum, x);
                v[i] = (int)x;
            }
            rs->block_sizes = v;
            rs->nblock_sizes = v ? n : 0;
        }
    }
    /* minimisation has no default probability: it is a design choice the protocol states */
    double pp = 0;
    if (get_num(r, "p_preferred", "randomisation", rs->method == LT_RANDOMISE_MINIMISATION, 0.5,
                1.0, &pp, iss))
        rs->p_preferred = pp;
    static const char *const imb[] = {"range", "variance", NULL};
    const char *im = get_enum(r, "imbalance", "randomisation", false, imb, iss);
    rs->variance_imbalance = im && !strcmp(im, "variance");

    const lt_json *st = get_obj(r, "stratification", "randomisation", false, iss);
    if (!st) return;
    size_t nf = lt_json_size(st);
    p->strat = lt__pa_alloc(&p->arena, (nf ? nf : 1) * sizeof *p->strat);
    if (!p->strat) return;
    static const char *const fmembers[] = {"name", "fact", "code", "attr", "levels", NULL};
    for (const lt_json *f = lt_json_first(st); f; f = lt_json_next(f)) {
        char fp[LT_ERROR_WHERE_MAX], lp[LT_ERROR_WHERE_MAX];
        lt__path_key(fp, sizeof fp, "randomisation.stratification", lt_json_key(f));
        if (!lt_json_is_object(f)) {
            lt__issue(iss, NULL, fp, "expected a stratification factor object, found %s",
                      lt__json_type_name(f));
            continue;
        }
        lt__check_members(f, fp, fmembers, iss);
        if (!rand_name_ok(lt_json_key(f)))
            lt__issue(iss, NULL, fp, "expected a factor id without '=' or ';', found \"%s\"",
                      lt_json_key(f));
        lt_strat_factor *sf = &p->strat[p->nstrat++];
        sf->id = lt_json_key(f);
        sf->name = get_str(f, "name", fp, true, iss);
        sf->fact_kind = get_enum(f, "fact", fp, true, fact_kinds, iss);
        sf->fact_code = get_str(f, "code", fp, true, iss);
        sf->attr = get_str(f, "attr", fp, true, iss);
        const lt_json *lv = get_obj(f, "levels", fp, true, iss);
        lt__path_key(lp, sizeof lp, fp, "levels");
        size_t nl = lt_json_size(lv);
        if (lv && nl < 2) lt__issue(iss, NULL, lp, "expected at least two levels, found %zu", nl);
        if (!lv || nl == 0) continue;
        const char **levels = lt__pa_alloc(&p->arena, nl * sizeof *levels);
        const char *const **values = lt__pa_alloc(&p->arena, nl * sizeof *values);
        size_t *nvalues = lt__pa_alloc(&p->arena, nl * sizeof *nvalues);
        if (!levels || !values || !nvalues) return;
        size_t li = 0;
        for (const lt_json *l = lt_json_first(lv); l; l = lt_json_next(l), li++) {
            char vp[LT_ERROR_WHERE_MAX];
            lt__path_key(vp, sizeof vp, lp, lt_json_key(l));
            levels[li] = lt_json_key(l);
            if (!rand_name_ok(levels[li]))
                lt__issue(iss, NULL, vp, "expected a level name without '=' or ';', found \"%s\"",
                          levels[li]);
            if (!lt_json_is_array(l) || lt_json_size(l) == 0) {
                lt__issue(iss, NULL, vp,
                          "expected a non-empty array of the values that give this level, found %s",
                          lt__json_type_name(l));
                continue;
            }
            size_t nv = lt_json_size(l), vi = 0;
            const char **vals = lt__pa_alloc(&p->arena, nv * sizeof *vals);
            if (!vals) return;
            for (const lt_json *e = lt_json_first(l); e; e = lt_json_next(e), vi++) {
                vals[vi] = lt_json_str(e);
                if (!vals[vi]) {
                    char ep[LT_ERROR_WHERE_MAX];
                    lt__path_index(ep, sizeof ep, vp, vi);
                    lt__issue(iss, NULL, ep, "expected a string, found %s", lt__json_type_name(e));
                    vals[vi] = "";
                }
                /* a value may give only one level */
                for (size_t pl = 0; pl < li; pl++)
                    for (size_t pv = 0; pv < nvalues[pl]; pv++)
                        if (!strcmp(values[pl][pv], vals[vi])) {
                            char ep[LT_ERROR_WHERE_MAX];
                            lt__path_index(ep, sizeof ep, vp, vi);
                            lt__issue(iss, NULL, ep, "\"%s\" already gives level \"%s\"", vals[vi],
                                      levels[pl]);
                        }
            }
            values[li] = vals;
            nvalues[li] = nv;
        }
        sf->levels = levels;
        sf->nlevels = nl;
        sf->values = values;
        sf->nvalues = nvalues;
    }
}

static void build_anchors(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *an = get_obj(doc, "anchors", "", false, iss);
    if (!an) return;
    size_t n = lt_json_size(an);
    p->anchors = lt__pa_alloc(&p->arena, (n ? n : 1) * sizeof *p->anchors);
    if (!p->anchors) return;
    static const char *const members[] = {"fact", "code", "which", "date", NULL};
    static const char *const which[] = {"latest", "first", NULL};
    static const char *const dates[] = {"start", "end", NULL};
    for (const lt_json *m = lt_json_first(an); m; m = lt_json_next(m)) {
        char ap[LT_ERROR_WHERE_MAX];
        lt__path_key(ap, sizeof ap, "anchors", lt_json_key(m));
        const char *name = lt_json_key(m);
        if (!strcmp(name, "as_of") || !strcmp(name, "screening") ||
            !strcmp(name, "randomisation")) {
            lt__issue(iss, NULL, ap, "\"%s\" is a built-in anchor and cannot be redeclared", name);
            continue;
        }
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, ap, "expected an anchor object, found %s", lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, ap, members, iss);
        lt_anchor *a = &p->anchors[p->nanchors++];
        a->name = name;
        a->fact_kind = get_enum(m, "fact", ap, true, fact_kinds, iss);
        const lt_json *cv = lt_json_get(m, "code");
        char cq[LT_ERROR_WHERE_MAX];
        lt__path_key(cq, sizeof cq, ap, "code");
        size_t nc = lt_json_is_array(cv) ? lt_json_size(cv) : 1;
        const char **codes = lt__pa_alloc(&p->arena, nc * sizeof *codes);
        if (!codes) return;
        if (lt_json_is_array(cv) && nc > 0) {
            size_t k = 0;
            for (const lt_json *e = lt_json_first(cv); e; e = lt_json_next(e), k++) {
                codes[k] = lt_json_str(e);
                if (!codes[k] || !codes[k][0]) {
                    char eq[LT_ERROR_WHERE_MAX];
                    lt__path_index(eq, sizeof eq, cq, k);
                    lt__issue(iss, NULL, eq, "expected a concept, found %s", lt__json_type_name(e));
                    codes[k] = "";
                }
            }
        } else {
            codes[0] = get_str(m, "code", ap, true, iss);
            if (lt_json_is_array(cv)) lt__issue(iss, NULL, cq, "expected at least one concept");
            if (!codes[0]) codes[0] = "";
        }
        a->codes = codes;
        a->ncodes = nc;
        a->fact_code = codes[0];
        const char *w = get_enum(m, "which", ap, false, which, iss);
        a->first = w && !strcmp(w, "first");
        const char *d = get_enum(m, "date", ap, false, dates, iss);
        a->end_date = d && !strcmp(d, "end");
    }
}

static void build_windows(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *ws = get_obj(doc, "windows", "", false, iss);
    if (!ws) return;
    size_t n = lt_json_size(ws);
    p->windows = lt__pa_alloc(&p->arena, (n ? n : 1) * sizeof *p->windows);
    if (!p->windows) return;
    for (const lt_json *m = lt_json_first(ws); m; m = lt_json_next(m)) {
        char wp[LT_ERROR_WHERE_MAX];
        lt__path_key(wp, sizeof wp, "windows", lt_json_key(m));
        lt_window w;
        if (!lt__window_read(p, m, wp, &w, iss)) continue;
        w.name = lt_json_key(m);
        p->windows[p->nwindows++] = w;
    }
}

static void build_reflimits(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *rl = get_obj(doc, "reference_limits", "", false, iss);
    if (!rl) return;
    size_t n = lt_json_size(rl);
    p->refs = lt__pa_alloc(&p->arena, (n ? n : 1) * sizeof *p->refs);
    if (!p->refs) return;
    static const char *const members[] = {"low", "high", "unit", NULL};
    for (const lt_json *m = lt_json_first(rl); m; m = lt_json_next(m)) {
        char rp[LT_ERROR_WHERE_MAX];
        const char *an = lt_json_key(m);
        lt__path_key(rp, sizeof rp, "reference_limits", an);
        if (!lt_units_canonical(an)) {
            lt__issue(iss, NULL, rp, "expected an analyte of the unit table, found \"%s\"", an);
            continue;
        }
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, rp, "expected {\"low\", \"high\", \"unit\"}, found %s",
                      lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, rp, members, iss);
        const char *unit = get_str(m, "unit", rp, false, iss);
        if (!unit) unit = lt_units_canonical(an);
        lt__reflimit r = {an, false, false, 0, 0};
        double x, c;
        static const char *const sides[] = {"low", "high"};
        for (int s = 0; s < 2; s++) {
            if (!get_num(m, sides[s], rp, false, -1e12, 1e12, &x, iss)) continue;
            if (!lt_units_convert(an, x, unit, &c)) {
                char up[LT_ERROR_WHERE_MAX];
                lt__path_key(up, sizeof up, rp, "unit");
                lt__issue(iss, NULL, up,
                          "expected a unit %s can be given in (canonical %s), found \"%s\"", an,
                          lt_units_canonical(an), unit);
                break;
            }
            if (s == 0) {
                r.has_low = true;
                r.low = c;
            } else {
                r.has_high = true;
                r.high = c;
            }
        }
        if (!lt_json_get(m, "low") && !lt_json_get(m, "high"))
            lt__issue(iss, NULL, rp, "expected \"low\", \"high\" or both");
        if (r.has_low && r.has_high && r.low > r.high)
            lt__issue(iss, NULL, rp, "\"low\" (%g) is above \"high\" (%g)", r.low, r.high);
        p->refs[p->nrefs++] = r;
    }
}

static void build_endpoints(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    const lt_json *ep = get_obj(doc, "endpoints", "", false, iss);
    static const char *const roles[] = {"primary", "secondary", "exploratory", NULL};
    for (const lt_json *m = lt_json_first(ep); m; m = lt_json_next(m)) {
        char q[LT_ERROR_WHERE_MAX], oq[LT_ERROR_WHERE_MAX];
        lt__path_key(q, sizeof q, "endpoints", lt_json_key(m));
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, q, "expected an endpoint object, found %s", lt__json_type_name(m));
            continue;
        }
        get_str(m, "name", q, true, iss);
        get_enum(m, "role", q, false, roles, iss);
        /* a proportion (patients with a grade >= 3 toxicity) counts from no origin; the
         * outcomes module checks the rest of its definition */
        if (!strcmp(lt_json_get_str(m, "type", ""), "proportion")) continue;
        const char *o = get_str(m, "origin", q, true, iss);
        lt__path_key(oq, sizeof oq, q, "origin");
        if (o && !lt__anchor_known(p, o))
            lt__issue(iss, NULL, oq, "expected a built-in or declared anchor, found \"%s\"", o);
    }
}

static void build_choices(const lt_json *doc, lt__issues *iss)
{
    const lt_json *ch = lt_json_get(doc, "choices");
    if (!ch) return;
    if (!lt_json_is_array(ch)) {
        lt__issue(iss, NULL, "choices", "expected an array, found %s", lt__json_type_name(ch));
        return;
    }
    const lt_json *sources = lt_json_get(doc, "sources");
    static const char *const members[] = {"id",  "about",      "sources", "choice",
                                          "why", "assumption", NULL};
    size_t i = 0;
    for (const lt_json *c = lt_json_first(ch); c; c = lt_json_next(c), i++) {
        char q[LT_ERROR_WHERE_MAX], sq[LT_ERROR_WHERE_MAX];
        lt__path_index(q, sizeof q, "choices", i);
        if (!lt_json_is_object(c)) {
            lt__issue(iss, NULL, q, "expected a choice object, found %s", lt__json_type_name(c));
            continue;
        }
        lt__check_members(c, q, members, iss);
        const char *id = get_str(c, "id", q, true, iss);
        get_str(c, "about", q, true, iss);
        get_str(c, "choice", q, true, iss);
        get_str(c, "why", q, true, iss);
        const lt_json *as = lt_json_get(c, "assumption");
        bool flag;
        if (as && !lt_json_bool(as, &flag)) {
            char aq[LT_ERROR_WHERE_MAX];
            lt__path_key(aq, sizeof aq, q, "assumption");
            lt__issue(iss, NULL, aq, "expected true or false, found %s", lt__json_type_name(as));
        }
        size_t j = 0;
        for (const lt_json *d = lt_json_first(ch); d && d != c; d = lt_json_next(d), j++)
            if (id && lt_json_get_str(d, "id", NULL) && !strcmp(id, lt_json_get_str(d, "id", "")))
                lt__issue(iss, NULL, q, "choice id \"%s\" is also used by choices[%zu]", id, j);
        const lt_json *s = lt_json_get(c, "sources");
        lt__path_key(sq, sizeof sq, q, "sources");
        if (!lt_json_is_array(s) || lt_json_size(s) == 0) {
            lt__issue(iss, NULL, sq, "expected a non-empty array of source ids, found %s",
                      lt__json_type_name(s));
            continue;
        }
        size_t k = 0;
        for (const lt_json *e = lt_json_first(s); e; e = lt_json_next(e), k++) {
            char eq[LT_ERROR_WHERE_MAX];
            lt__path_index(eq, sizeof eq, sq, k);
            const char *sid = lt_json_str(e);
            if (!sid)
                lt__issue(iss, NULL, eq, "expected a source id, found %s", lt__json_type_name(e));
            else if (!lt_json_get(sources, sid))
                lt__issue(iss, NULL, eq, "expected a source listed in \"sources\", found \"%s\"",
                          sid);
        }
    }
}

bool lt__protocol_build(lt_protocol *p, const lt_json *doc, lt__issues *iss)
{
    size_t before = iss->n;
    if (!lt_json_is_object(doc)) {
        lt__issue(iss, NULL, "", "expected a protocol object, found %s", lt__json_type_name(doc));
        return false;
    }
    static const char *const members[] = {"format",
                                          "format_version",
                                          "id",
                                          "name",
                                          "title",
                                          "registry",
                                          "version",
                                          "date",
                                          "versions",
                                          "sources",
                                          "phase",
                                          "design_type",
                                          "arms",
                                          "randomisation",
                                          "anchors",
                                          "windows",
                                          "reference_limits",
                                          "criteria",
                                          "endpoints",
                                          "design",
                                          "schedule",
                                          "dosing",
                                          "choices",
                                          NULL};
    lt__check_members(doc, "", members, iss);
    const char *fmt = get_str(doc, "format", "", true, iss);
    if (fmt && strcmp(fmt, "lutetia-protocol"))
        lt__issue(iss, NULL, "format", "expected \"lutetia-protocol\", found \"%s\"", fmt);
    long fv;
    if (get_int(doc, "format_version", "", true, 1, 1000, &fv, iss) && fv != 1)
        lt__issue(iss, NULL, "format_version",
                  "this Lutetia reads format_version 1, found %ld (a newer file?)", fv);
    p->id = get_str(doc, "id", "", true, iss);
    if (p->id)
        for (const char *c = p->id; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-')) {
                lt__issue(iss, NULL, "id",
                          "expected lower-case letters, digits, _ or -, found \"%s\"", p->id);
                break;
            }
    p->name = get_str(doc, "name", "", true, iss);
    get_str(doc, "title", "", false, iss);
    get_str(doc, "version", "", true, iss);
    check_date(doc, "date", "", false, iss);
    get_str(doc, "phase", "", false, iss);
    get_str(doc, "design_type", "", false, iss);
    const lt_json *reg = get_obj(doc, "registry", "", false, iss);
    for (const lt_json *m = lt_json_first(reg); m; m = lt_json_next(m))
        if (!lt_json_str(m)) {
            char q[LT_ERROR_WHERE_MAX];
            lt__path_key(q, sizeof q, "registry", lt_json_key(m));
            lt__issue(iss, NULL, q, "expected a registry id string, found %s",
                      lt__json_type_name(m));
        }
    const lt_json *src = get_obj(doc, "sources", "", true, iss);
    static const char *const smembers[] = {"title", "kind", "date", "url", NULL};
    for (const lt_json *m = lt_json_first(src); m; m = lt_json_next(m)) {
        char q[LT_ERROR_WHERE_MAX];
        lt__path_key(q, sizeof q, "sources", lt_json_key(m));
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, q, "expected {\"title\", \"kind\", \"date\"}, found %s",
                      lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, q, smembers, iss);
        get_str(m, "title", q, true, iss);
        check_date(m, "date", q, false, iss);
    }
    static const char *const owned[] = {"design", "schedule", "dosing", NULL};
    for (size_t i = 0; owned[i]; i++)
        get_obj(doc, owned[i], "", false, iss);

    build_anchors(p, doc, iss);
    build_windows(p, doc, iss);
    build_arms(p, doc, iss);
    build_randomisation(p, doc, iss);
    build_reflimits(p, doc, iss);
    const lt_json *crit = get_obj(doc, "criteria", "", true, iss);
    if (crit) lt__criteria_build(p, crit, "criteria", iss);
    build_endpoints(p, doc, iss);
    build_choices(doc, iss);
    if (p->arena.failed) iss->oom = true;
    return iss->n == before && !iss->oom;
}

/* ---- versions ------------------------------------------------------------------------------ */

/* Checks the versions list of the whole file; names the versions (latest first) in p. */
static void check_versions(lt_protocol *p, const lt_json *orig, lt__issues *iss)
{
    const char *latest = lt_json_get_str(orig, "version", NULL);
    const lt_json *vs = lt_json_get(orig, "versions");
    size_t n = lt_json_is_array(vs) ? lt_json_size(vs) : 0;
    p->versions = lt__pa_alloc(&p->arena, (n + 1) * sizeof *p->versions);
    if (!p->versions) return;
    p->versions[p->nversions++] = latest ? latest : "";
    if (!vs) return;
    if (!lt_json_is_array(vs)) {
        lt__issue(iss, NULL, "versions", "expected an array of older versions, found %s",
                  lt__json_type_name(vs));
        return;
    }
    static const char *const members[] = {"version", "date", "source", "summary", "changes", NULL};
    static const char *const untouchable[] = {"versions", "version", "format", "id", NULL};
    size_t i = 0;
    for (const lt_json *v = lt_json_first(vs); v; v = lt_json_next(v), i++) {
        char q[LT_ERROR_WHERE_MAX], cq[LT_ERROR_WHERE_MAX];
        lt__path_index(q, sizeof q, "versions", i);
        if (!lt_json_is_object(v)) {
            lt__issue(iss, NULL, q, "expected a version object, found %s", lt__json_type_name(v));
            continue;
        }
        lt__check_members(v, q, members, iss);
        const char *name = get_str(v, "version", q, true, iss);
        check_date(v, "date", q, false, iss);
        get_str(v, "summary", q, true, iss);
        const char *s = get_str(v, "source", q, false, iss);
        if (s && !lt_json_get(lt_json_get(orig, "sources"), s)) {
            char sq[LT_ERROR_WHERE_MAX];
            lt__path_key(sq, sizeof sq, q, "source");
            lt__issue(iss, NULL, sq, "expected a source listed in \"sources\", found \"%s\"", s);
        }
        const lt_json *ch = get_obj(v, "changes", q, true, iss);
        lt__path_key(cq, sizeof cq, q, "changes");
        for (size_t k = 0; ch && untouchable[k]; k++)
            if (lt_json_get(ch, untouchable[k])) {
                char kq[LT_ERROR_WHERE_MAX];
                lt__path_key(kq, sizeof kq, cq, untouchable[k]);
                lt__issue(iss, NULL, kq, "a version's changes may not touch \"%s\"",
                          untouchable[k]);
            }
        if (!name) continue;
        for (size_t j = 0; j < p->nversions; j++)
            if (!strcmp(p->versions[j], name)) {
                char nq[LT_ERROR_WHERE_MAX];
                lt__path_key(nq, sizeof nq, q, "version");
                lt__issue(iss, NULL, nq, "version \"%s\" is listed twice", name);
            }
        p->versions[p->nversions++] = name;
    }
}

/* The changes of version name, its index in versions, or NULL when name is not an older one. */
static const lt_json *version_patch(const lt_json *orig, const char *name, size_t *index)
{
    size_t i = 0;
    for (const lt_json *v = lt_json_first(lt_json_get(orig, "versions")); v;
         v = lt_json_next(v), i++)
        if (!strcmp(lt_json_get_str(v, "version", ""), name)) {
            *index = i;
            return lt_json_get(v, "changes");
        }
    return NULL;
}

static lt_protocol *protocol_new(const char *text, size_t len, const char *source)
{
    lt_protocol *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->text = malloc(len + 1);
    p->source = strdup(source ? source : "<input>");
    if (!p->text || !p->source) {
        free(p->text);
        free(p->source);
        free(p);
        return NULL;
    }
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    p->len = len;
    return p;
}

void lt_protocol_free(lt_protocol *p)
{
    if (!p) return;
    if (p->doc != p->orig) lt_json_free(p->doc);
    lt_json_free(p->orig);
    lt__pa_free(&p->arena);
    free(p->text);
    free(p->source);
    free(p);
}

static lt_status first_issue(const lt_protocol *p, const lt__issues *iss, lt_error *err)
{
    if (iss->oom) LT_FAIL(err, LT_ENOMEM, p->source, "out of memory while reading the protocol");
    const lt_protocol_issue *e = &iss->v[0];
    char where[LT_ERROR_WHERE_MAX];
    if (e->line)
        snprintf(where, sizeof where, "%s:%d:%d", p->source, e->line, e->col);
    else
        snprintf(where, sizeof where, "%s", p->source);
    LT_FAIL(err, LT_ESCHEMA, where,
            "%s%s%s%s%s%s(%zu problem%s; 'lutetia protocol check' lists all)",
            e->version[0] ? "version " : "", e->version, e->version[0] ? ": " : "", e->path,
            e->path[0] ? ": " : "", e->message, iss->n, iss->n == 1 ? "" : "s");
}

lt_status lt_protocol_parse(const char *text, size_t len, const char *source, const char *version,
                            lt_protocol **out, lt_error *err)
{
    if (!text || !out) LT_FAIL(err, LT_EINVAL, "", "lt_protocol_parse: no text or no output");
    lt_protocol *p = protocol_new(text, len, source);
    if (!p) LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory reading a protocol");
    lt_status st = lt_json_parse(p->text, p->len, p->source, &p->orig, err);
    if (st != LT_OK) {
        lt_protocol_free(p);
        return st;
    }
    lt__issues iss = {0};
    iss.text = p->text;
    iss.len = p->len;
    check_versions(p, p->orig, &iss);
    const char *latest = lt_json_get_str(p->orig, "version", NULL);
    p->doc = p->orig;
    p->version = latest;
    if (version && latest && strcmp(version, latest)) {
        size_t vi = 0;
        const lt_json *patch = version_patch(p->orig, version, &vi);
        if (!lt_json_is_object(patch)) {
            char list[200] = "";
            size_t used = 0;
            for (size_t i = 0; i < p->nversions && used < sizeof list - 40; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         p->versions[i]);
            free(iss.v);
            lt_error_set(err, LT_ENOTFOUND, p->source,
                         "no version \"%s\" in this protocol (it holds %s)", version, list);
            lt_protocol_free(p);
            return LT_ENOTFOUND;
        }
        p->doc = lt_json_duplicate(p->orig);
        if (!p->doc || lt_json_merge_patch(&p->doc, patch, err) != LT_OK) {
            free(iss.v);
            lt_protocol_free(p);
            LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory applying version %s",
                    version);
        }
        p->version =
            lt_json_get_str(lt_json_at(lt_json_get(p->orig, "versions"), vi), "version", version);
        char pp[64];
        snprintf(pp, sizeof pp, "versions[%zu].changes", vi);
        iss.patch_prefix = pp;
        iss.version = p->version;
        lt__protocol_build(p, p->doc, &iss);
        iss.patch_prefix = NULL;
    } else {
        lt__protocol_build(p, p->doc, &iss);
    }
    if (iss.n || iss.oom) {
        st = first_issue(p, &iss, err);
        free(iss.v);
        lt_protocol_free(p);
        return st;
    }
    free(iss.v);
    *out = p;
    return LT_OK;
}

lt_status lt_protocol_load(const char *path, const char *version, lt_protocol **out, lt_error *err)
{
    char *text;
    size_t len;
    lt_status st = lt_file_read(path, &text, &len, err);
    if (st != LT_OK) return st;
    st = lt_protocol_parse(text, len, path, version, out, err);
    free(text);
    return st;
}

lt_status lt_protocol_check(const char *text, size_t len, const char *source,
                            lt_protocol_issue **issues, size_t *nissues, lt_error *err)
{
    if (!text || !issues || !nissues)
        LT_FAIL(err, LT_EINVAL, "", "lt_protocol_check: bad arguments");
    lt_protocol *p = protocol_new(text, len, source);
    if (!p) LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory checking a protocol");
    lt_status st = lt_json_parse(p->text, p->len, p->source, &p->orig, err);
    if (st != LT_OK) {
        lt_protocol_free(p);
        return st;
    }
    lt__issues iss = {0};
    iss.text = p->text;
    iss.len = p->len;
    iss.version = NULL; /* problems of the latest version carry no version name */
    check_versions(p, p->orig, &iss);
    p->doc = p->orig;
    lt__protocol_build(p, p->orig, &iss);
    /* each older version is validated as a whole document too */
    size_t i = 0;
    for (const lt_json *v = lt_json_first(lt_json_get(p->orig, "versions")); v && !iss.oom;
         v = lt_json_next(v), i++) {
        const lt_json *patch = lt_json_get(v, "changes");
        const char *name = lt_json_get_str(v, "version", NULL);
        if (!lt_json_is_object(patch) || !name) continue;
        lt_protocol *q = protocol_new("", 0, source);
        if (!q) {
            iss.oom = true;
            break;
        }
        q->orig = lt_json_duplicate(p->orig);
        q->doc = q->orig;
        lt_error e2;
        if (!q->orig || lt_json_merge_patch(&q->orig, patch, &e2) != LT_OK) {
            iss.oom = true;
            lt_protocol_free(q);
            break;
        }
        q->doc = q->orig;
        char pp[64];
        snprintf(pp, sizeof pp, "versions[%zu].changes", i);
        iss.patch_prefix = pp;
        iss.version = name;
        size_t before = iss.n;
        lt__protocol_build(q, q->doc, &iss);
        /* a problem the latest version has too is reported once */
        for (size_t k = before; k < iss.n;) {
            bool dup = false;
            for (size_t j = 0; j < before && !dup; j++)
                dup = !strcmp(iss.v[j].path, iss.v[k].path) &&
                      !strcmp(iss.v[j].message, iss.v[k].message);
            if (dup) {
                memmove(&iss.v[k], &iss.v[k + 1], (iss.n - k - 1) * sizeof *iss.v);
                iss.n--;
            } else {
                k++;
            }
        }
        iss.patch_prefix = NULL;
        lt_protocol_free(q);
    }
    lt_protocol_free(p);
    if (iss.oom) {
        free(iss.v);
        LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory checking the protocol");
    }
    *issues = iss.v;
    *nissues = iss.n;
    return LT_OK;
}

/* ---- accessors ------------------------------------------------------------------------------ */

const char *lt_protocol_id(const lt_protocol *p)
{
    return p->id;
}
const char *lt_protocol_name(const lt_protocol *p)
{
    return p->name;
}
const char *lt_protocol_version(const lt_protocol *p)
{
    return p->version;
}
const char *lt_protocol_source(const lt_protocol *p)
{
    return p->source;
}
size_t lt_protocol_arm_count(const lt_protocol *p)
{
    return p->narms;
}
const lt_arm *lt_protocol_arm(const lt_protocol *p, size_t i)
{
    return i < p->narms ? &p->arms[i] : NULL;
}
size_t lt_protocol_reference_arm(const lt_protocol *p)
{
    for (size_t i = 0; i < p->narms; i++)
        if (p->arms[i].role && !strcmp(p->arms[i].role, "control")) return i;
    return 0;
}
/* The k-th arm with the reference first, then every other arm in the file's order. */
static const lt_arm *arm_reference_first(const lt_protocol *p, size_t ref, size_t k)
{
    return &p->arms[k == 0 ? ref : k <= ref ? k - 1 : k];
}
void lt_protocol_arms_to_json(const lt_protocol *p, lt_buf *out)
{
    size_t ref = lt_protocol_reference_arm(p);
    lt_buf_putc(out, '[');
    for (size_t k = 0; k < p->narms; k++) {
        const lt_arm *a = arm_reference_first(p, ref, k);
        lt_buf_puts(out, k ? ",{\"id\":" : "{\"id\":");
        lt_buf_json_str(out, a->id);
        lt_buf_puts(out, ",\"name\":");
        lt_buf_json_str(out, a->name);
        lt_buf_puts(out, ",\"role\":");
        lt_buf_json_str(out, a->role);
        lt_buf_printf(out, ",\"reference\":%s}", k ? "false" : "true");
    }
    lt_buf_putc(out, ']');
}
size_t lt_protocol_arm_ids_reference_first(const lt_protocol *p, const char **ids,
                                           const char **names, size_t max)
{
    size_t ref = lt_protocol_reference_arm(p), n = 0;
    for (; n < p->narms && n < max; n++) {
        const lt_arm *a = arm_reference_first(p, ref, n);
        ids[n] = a->id;
        if (names) names[n] = a->name;
    }
    return n;
}
size_t lt_protocol_strat_count(const lt_protocol *p)
{
    return p->nstrat;
}
const lt_strat_factor *lt_protocol_strat(const lt_protocol *p, size_t i)
{
    return i < p->nstrat ? &p->strat[i] : NULL;
}
const lt_randomisation_spec *lt_protocol_randomisation(const lt_protocol *p)
{
    return &p->rand;
}
const lt_json *lt_protocol_section(const lt_protocol *p, const char *key)
{
    return lt_json_get(p->doc, key);
}
size_t lt_protocol_criterion_count(const lt_protocol *p)
{
    return p->ncrit;
}
const lt_criterion *lt_protocol_criterion(const lt_protocol *p, size_t i)
{
    return i < p->ncrit ? &p->crit[i] : NULL;
}
const lt_criterion *lt_protocol_criterion_find(const lt_protocol *p, const char *id)
{
    for (size_t i = 0; i < p->ncrit; i++)
        if (!strcmp(p->crit[i].id, id)) return &p->crit[i];
    return NULL;
}
size_t lt_protocol_anchor_count(const lt_protocol *p)
{
    return p->nanchors;
}
const lt_anchor *lt_protocol_anchor(const lt_protocol *p, size_t i)
{
    return i < p->nanchors ? &p->anchors[i] : NULL;
}
bool lt_protocol_reference_limit(const lt_protocol *p, const char *analyte, bool *has_low,
                                 double *low, bool *has_high, double *high)
{
    for (size_t i = 0; i < p->nrefs; i++)
        if (!strcmp(p->refs[i].analyte, analyte)) {
            *has_low = p->refs[i].has_low;
            *low = p->refs[i].low;
            *has_high = p->refs[i].has_high;
            *high = p->refs[i].high;
            return true;
        }
    return false;
}
size_t lt_protocol_version_count(const lt_protocol *p)
{
    return p->nversions;
}
const char *lt_protocol_version_name(const lt_protocol *p, size_t i)
{
    return i < p->nversions ? p->versions[i] : NULL;
}
