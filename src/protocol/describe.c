/* A protocol in words: the summary `lutetia protocol show` prints for a coordinator, and each
 * rule as a short formula, so that a reviewer who does not read JSON can check the encoding. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "lutetia/patient.h"

static void window_text(const lt_window *w, lt_buf *b)
{
    if (!w) return;
    if (w->name) {
        lt_buf_printf(b, " [window %s]", w->name);
        return;
    }
    static const char *const units[] = {"d", "w", "m", "y"};
    const char *u = "d";
    lt_buf_printf(b, " [window %s", w->from_inclusive ? "[" : "(");
    if (w->has_from) {
        u = units[w->from.unit == 'w' ? 1 : w->from.unit == 'm' ? 2 : w->from.unit == 'y' ? 3 : 0];
        lt_buf_printf(b, "%s%+d%s", w->anchor, w->from.n, u);
    }
    lt_buf_puts(b, "..");
    if (w->has_to) {
        u = units[w->to.unit == 'w' ? 1 : w->to.unit == 'm' ? 2 : w->to.unit == 'y' ? 3 : 0];
        lt_buf_printf(b, "%s%+d%s", w->anchor, w->to.n, u);
    }
    lt_buf_printf(b, "%s]", w->to_inclusive ? "]" : ")");
}

static void codes_text(const lt_rule *r, lt_buf *b)
{
    for (size_t i = 0; i < r->ncodes; i++)
        lt_buf_printf(b, "%s%s", i ? "|" : "", r->codes[i]);
}

/* The threshold in the canonical unit, and as written when that differs. */
static void cmp_text(const lt_rule *r, const char *canonical, lt_buf *b)
{
    /* whole numbers in full (22200 MBq), others to 4 significant digits (8.057 g/dL) */
    if (r->value == floor(r->value) && fabs(r->value) < 1e9)
        lt_buf_printf(b, " %s %.0f", lt_rule_op_name(r->op), r->value);
    else
        lt_buf_printf(b, " %s %.4g", lt_rule_op_name(r->op), r->value);
    const char *u = canonical ? canonical : r->given_unit;
    if (u) lt_buf_printf(b, " %s", u);
    if (r->given_unit && u && strcmp(r->given_unit, u))
        lt_buf_printf(b, " (%g %s)", r->given_value, r->given_unit);
}

void lt_rule_describe(const lt_rule *r, lt_buf *b)
{
    if (!r) return;
    switch (r->type) {
    case LT_RULE_ALL:
    case LT_RULE_ANY:
        lt_buf_puts(b, r->type == LT_RULE_ALL ? "all of (" : "any of (");
        for (size_t i = 0; i < r->nkids; i++) {
            if (i) lt_buf_puts(b, "; ");
            lt_rule_describe(r->kids[i], b);
        }
        lt_buf_putc(b, ')');
        break;
    case LT_RULE_NOT:
        lt_buf_puts(b, "not (");
        lt_rule_describe(r->kids[0], b);
        lt_buf_putc(b, ')');
        break;
    case LT_RULE_MEASURE:
        lt_buf_printf(b, "%s %s", r->fact_kind, r->codes[0]);
        if (r->mode == LT_MEASURE_VALUE) {
            cmp_text(
                r, strcmp(r->fact_kind, "performance") ? lt_units_canonical(r->codes[0]) : NULL, b);
        } else if (r->mode == LT_MEASURE_IN_RANGE) {
            lt_buf_puts(b, r->in_range ? " within its normal range" : " outside its normal range");
        } else {
            lt_buf_printf(b, " %s %g x %s", lt_rule_op_name(r->op), r->multiple,
                          r->mode == LT_MEASURE_ULN ? "ULN" : "LLN");
        }
        lt_buf_puts(b, " (latest)");
        window_text(r->window, b);
        break;
    case LT_RULE_DERIVED:
        lt_buf_printf(b, "%s", r->codes[0]);
        cmp_text(r,
                 !strcmp(r->codes[0], "prrt_activity")          ? "MBq"
                 : !strcmp(r->codes[0], "creatinine_clearance") ? "mL/min"
                                                                : NULL,
                 b);
        if (r->has_span)
            lt_buf_printf(b, " within any %d %s", r->span.n,
                          r->span.unit == 'd'   ? "days"
                          : r->span.unit == 'w' ? "weeks"
                          : r->span.unit == 'm' ? "months"
                                                : "years");
        window_text(r->window, b);
        break;
    case LT_RULE_FACT:
        lt_buf_printf(b, "%s%s ", r->has_count ? "number of " : "", r->fact_kind);
        codes_text(r, b);
        if (r->latest_only) lt_buf_puts(b, " (latest)");
        if (r->current) lt_buf_puts(b, " (current)");
        if (r->match) {
            lt_buf_puts(b, " with ");
            lt_rule_describe(r->match, b);
        }
        if (r->end_date) lt_buf_puts(b, " ending");
        window_text(r->window, b);
        if (r->has_count) {
            lt_buf_printf(b, " %s %g", lt_rule_op_name(r->op), r->value);
            if (r->has_span)
                lt_buf_printf(b, " within any %d %s", r->span.n,
                              r->span.unit == 'd'   ? "days"
                              : r->span.unit == 'w' ? "weeks"
                              : r->span.unit == 'm' ? "months"
                                                    : "years");
        }
        if (r->absent == LT_RV_NOT_MET) lt_buf_puts(b, " {none recorded: not met}");
        break;
    case LT_RULE_ATTR:
        lt_buf_printf(b, "%s", r->attr);
        if (r->attr_ref) {
            lt_buf_printf(b, " %s %s", lt_rule_op_name(r->op), r->attr_ref);
        } else if (r->has_cmp) {
            cmp_text(r, NULL, b);
        } else {
            lt_buf_puts(b, r->negate_in ? " not in " : " in ");
            codes_text(r, b);
        }
        if (r->if_missing != LT_RV_UNKNOWN)
            lt_buf_printf(b, " {missing: %s}", r->if_missing == LT_RV_MET ? "met" : "not met");
        break;
    case LT_RULE_STATUS:
        lt_buf_printf(b, "status %s is yes", r->codes[0]);
        window_text(r->window, b);
        break;
    case LT_RULE_ATTESTATION:
        lt_buf_printf(b, "attestation %s is yes", r->codes[0]);
        window_text(r->window, b);
        break;
    case LT_RULE_SEX:
        lt_buf_puts(b, "sex is ");
        codes_text(r, b);
        break;
    case LT_RULE_CRITERION:
        lt_buf_printf(b, "criterion %s", r->codes[0]);
        break;
    }
    if (r->unless) {
        lt_buf_puts(b, " unless ");
        lt_rule_describe(r->unless, b);
    }
}

static void collect_attestations(const lt_rule *r, const char **seen, size_t *n, size_t max)
{
    if (!r) return;
    if (r->type == LT_RULE_ATTESTATION) {
        bool dup = false;
        for (size_t i = 0; i < *n && !dup; i++)
            dup = !strcmp(seen[i], r->codes[0]);
        if (!dup && *n < max) seen[(*n)++] = r->codes[0];
    }
    for (size_t i = 0; i < r->nkids; i++)
        collect_attestations(r->kids[i], seen, n, max);
    collect_attestations(r->match, seen, n, max);
    collect_attestations(r->unless, seen, n, max);
}

static void duration_text(const lt_json *d, lt_buf *b)
{
    const lt_json *m = lt_json_first(d);
    double x;
    if (m && lt_json_num(m, &x)) lt_buf_printf(b, "%g %s", x, lt_json_key(m));
}

/* A duration member as written ({"weeks": -3} -> "-3 weeks"); "?" when absent. */
static void describe_duration(const lt_json *d, lt_buf *b)
{
    bool first = true;
    for (const lt_json *m = lt_json_first(d); m; m = lt_json_next(m)) {
        double x = 0;
        lt_json_num(m, &x);
        lt_buf_printf(b, "%s%g %s", first ? "" : " ", x, lt_json_key(m));
        first = false;
    }
    if (first) lt_buf_putc(b, '?');
}

static void describe_names(const char *label, const lt_json *v, lt_buf *b)
{
    if (!lt_json_size(v)) return;
    lt_buf_printf(b, "; %s", label);
    bool first = true;
    for (const lt_json *e = lt_json_first(v); e; e = lt_json_next(e)) {
        lt_buf_printf(b, "%s%s", first ? " " : ", ", lt_json_str(e) ? lt_json_str(e) : "?");
        first = false;
    }
}

/* The calendar items as a coordinator reads them: what, for whom, when, the window, what
 * satisfies it, and the file's note (the schedule module validates the member; this only
 * shows it). */
static void describe_schedule(const lt_json *sch, lt_buf *b)
{
    const lt_json *items = lt_json_get(sch, "items");
    if (!lt_json_size(items)) return;
    lt_buf_printf(b, "\nSchedule (%zu items; a lab, scan or questionnaire recorded in the window "
                     "is the entry done):\n",
                  lt_json_size(items));
    for (const lt_json *it = lt_json_first(items); it; it = lt_json_next(it)) {
        lt_buf_printf(b, "  %-16s %-13s ", lt_json_key(it), lt_json_get_str(it, "kind", "?"));
        const lt_json *arms = lt_json_get(it, "arms");
        if (lt_json_size(arms)) {
            lt_buf_puts(b, "arm");
            for (const lt_json *e = lt_json_first(arms); e; e = lt_json_next(e))
                lt_buf_printf(b, "%s%s", e == lt_json_first(arms) ? " " : ", ",
                              lt_json_str(e) ? lt_json_str(e) : "?");
            lt_buf_puts(b, " only: ");
        }
        /* "C1 - 3 weeks" rather than "C1 + -3 weeks" */
        const lt_json *off = lt_json_get(it, "offset");
        double first = 0;
        lt_json_num(lt_json_first(off), &first);
        lt_buf_printf(b, "%s %s ", lt_json_get_str(it, "anchor", "?"), first < 0 ? "-" : "+");
        for (const lt_json *m = lt_json_first(off); m; m = lt_json_next(m)) {
            double x = 0;
            lt_json_num(m, &x);
            lt_buf_printf(b, "%s%g %s", m == lt_json_first(off) ? "" : " ", first < 0 ? -x : x,
                          lt_json_key(m));
        }
        const lt_json *w = lt_json_get(it, "window");
        lt_buf_puts(b, ", window -");
        describe_duration(lt_json_get(w, "before"), b);
        lt_buf_puts(b, " / +");
        describe_duration(lt_json_get(w, "after"), b);
        const lt_json *rep = lt_json_get(it, "repeat");
        if (rep) {
            lt_buf_puts(b, ", every ");
            describe_duration(lt_json_get(rep, "every"), b);
            if (lt_json_get(rep, "until")) {
                lt_buf_puts(b, " until ");
                describe_duration(lt_json_get(rep, "until"), b);
            } else {
                lt_buf_printf(b, ", %g times", lt_json_get_num(rep, "count", 0));
            }
        }
        describe_names("not before", lt_json_get(it, "not_before"), b);
        describe_names("panel:", lt_json_get(it, "analytes"), b);
        describe_names("modalities:", lt_json_get(it, "modalities"), b);
        lt_buf_printf(b, "\n      %s\n", lt_json_get_str(it, "label", ""));
        if (lt_json_get_str(it, "note", NULL))
            lt_buf_printf(b, "      note: %s\n", lt_json_get_str(it, "note", ""));
    }
    const lt_json *stops = lt_json_get(sch, "stops");
    for (const lt_json *st = lt_json_first(stops); st; st = lt_json_next(st)) {
        lt_buf_printf(b, "  a recorded %s stops:", lt_json_key(st));
        for (const lt_json *e = lt_json_first(lt_json_get(st, "kinds")); e; e = lt_json_next(e))
            lt_buf_printf(b, " %s", lt_json_str(e) ? lt_json_str(e) : "?");
        lt_buf_putc(b, '\n');
    }
}

void lt_protocol_describe(const lt_protocol *p, lt_buf *b)
{
    const lt_json *doc = p->doc;
    lt_buf_printf(b, "%s: %s\n", p->name, lt_json_get_str(doc, "title", ""));
    lt_buf_printf(b, "  id %s, version %s", p->id, p->version);
    if (p->version && !strcmp(p->version, lt_json_get_str(doc, "version", "")))
        lt_buf_printf(b, " (latest, %s)", lt_json_get_str(doc, "date", "undated"));
    lt_buf_putc(b, '\n');
    const lt_json *reg = lt_json_get(doc, "registry");
    if (lt_json_size(reg)) {
        lt_buf_puts(b, "  registry:");
        for (const lt_json *m = lt_json_first(reg); m; m = lt_json_next(m))
            lt_buf_printf(b, " %s %s", lt_json_key(m), lt_json_str(m) ? lt_json_str(m) : "");
        lt_buf_putc(b, '\n');
    }
    lt_buf_puts(b, "\nVersions (latest first):\n");
    lt_buf_printf(b, "  %s  %s\n", lt_json_get_str(p->orig, "version", "?"),
                  lt_json_get_str(p->orig, "date", ""));
    for (const lt_json *v = lt_json_first(lt_json_get(p->orig, "versions")); v; v = lt_json_next(v))
        lt_buf_printf(b, "  %s  %s  (source %s) %s\n", lt_json_get_str(v, "version", "?"),
                      lt_json_get_str(v, "date", ""), lt_json_get_str(v, "source", "-"),
                      lt_json_get_str(v, "summary", ""));

    lt_buf_puts(b, "\nArms:\n");
    const lt_json *arms = lt_json_get(doc, "arms");
    for (const lt_json *a = lt_json_first(arms); a; a = lt_json_next(a)) {
        lt_buf_printf(b, "  %s  %s (%s, ratio %g)\n", lt_json_key(a),
                      lt_json_get_str(a, "name", ""), lt_json_get_str(a, "role", ""),
                      lt_json_get_num(a, "ratio", 1));
        for (const lt_json *k = lt_json_first(lt_json_get(a, "also_called")); k; k = lt_json_next(k))
            lt_buf_printf(b, "      also called \"%s\" (source %s)\n",
                          lt_json_get_str(k, "name", "?"), lt_json_get_str(k, "source", "?"));
        for (const lt_json *iv = lt_json_first(lt_json_get(a, "interventions")); iv;
             iv = lt_json_next(iv)) {
            lt_buf_printf(b, "      %s: %s %s", lt_json_key(iv), lt_json_get_str(iv, "type", ""),
                          lt_json_get_str(iv, "agent", ""));
            const lt_json *act = lt_json_get(iv, "activity_per_cycle");
            if (act)
                lt_buf_printf(b, ", %g cycles of %g %s", lt_json_get_num(iv, "cycles", 0),
                              lt_json_get_num(act, "value", 0), lt_json_get_str(act, "unit", ""));
            const lt_json *dose = lt_json_get(iv, "dose");
            if (dose)
                lt_buf_printf(b, ", %g %s %s", lt_json_get_num(dose, "value", 0),
                              lt_json_get_str(dose, "unit", ""),
                              lt_json_get_str(iv, "frequency", ""));
            const lt_json *route = lt_json_get(iv, "route");
            if (lt_json_str(route)) lt_buf_printf(b, ", %s", lt_json_str(route));
            if (lt_json_is_array(route)) {
                lt_buf_puts(b, ", routes");
                for (const lt_json *r = lt_json_first(route); r; r = lt_json_next(r))
                    lt_buf_printf(b, " %s", lt_json_str(r) ? lt_json_str(r) : "?");
            }
            lt_buf_putc(b, '\n');
            const lt_json *fc = lt_json_get(iv, "first_cycle");
            if (fc) {
                lt_buf_puts(b, "        first cycle ");
                duration_text(lt_json_get(fc, "offset"), b);
                lt_buf_puts(b, " ± ");
                duration_text(lt_json_get(fc, "window"), b);
                lt_buf_printf(b, " after %s\n", lt_json_get_str(fc, "anchor", "?"));
            }
            const lt_json *in = lt_json_get(iv, "interval");
            if (in) {
                lt_buf_puts(b, "        cycles every ");
                duration_text(lt_json_get(in, "offset"), b);
                lt_buf_puts(b, " ± ");
                duration_text(lt_json_get(in, "window"), b);
                if (lt_json_get(iv, "max_interval")) {
                    lt_buf_puts(b, ", delay allowed up to ");
                    duration_text(lt_json_get(iv, "max_interval"), b);
                }
                lt_buf_putc(b, '\n');
            }
        }
        /* the oral drug and its modification table, row by row, so a reviewer can check it
         * against the label without reading JSON */
        const lt_json *od = lt_json_get(a, "oral_drug");
        if (od) {
            lt_buf_printf(b, "      oral drug: %s %g mg daily, tablets of",
                          lt_json_get_str(od, "name", "?"), lt_json_get_num(od, "daily_dose_mg", 0));
            for (const lt_json *t = lt_json_first(lt_json_get(od, "tablet_strengths_mg")); t;
                 t = lt_json_next(t)) {
                double x = 0;
                lt_json_num(t, &x);
                lt_buf_printf(b, " %g", x);
            }
            lt_buf_printf(b, " mg; dispensed every %g days; reduced by x%g, not below %g mg\n",
                          lt_json_get_num(od, "dispensing_interval_days", 28),
                          lt_json_get_num(od, "reduction_factor", 0.5),
                          lt_json_get_num(od, "min_daily_dose_mg", 0));
            for (const lt_json *c = lt_json_first(lt_json_get(od, "modifications")); c;
                 c = lt_json_next(c))
                for (const lt_json *g = lt_json_first(c); g; g = lt_json_next(g)) {
                    const char *first = lt_json_get_str(g, "first", "?");
                    lt_buf_printf(b, "        %s grade %s: %s, on recurrence %s", lt_json_key(c),
                                  lt_json_key(g), first, lt_json_get_str(g, "recurrence", first));
                    if (strcmp(first, "continue") && strcmp(first, "discontinue"))
                        lt_buf_printf(b, "; resume at grade <= %g",
                                      lt_json_get_num(g, "resume_grade", 1));
                    if (lt_json_get(g, "max_interruption_days"))
                        lt_buf_printf(b, "; discontinue after %g days interrupted",
                                      lt_json_get_num(g, "max_interruption_days", 0));
                    lt_buf_putc(b, '\n');
                }
        }
    }
    static const char *const methods[] = {"none (registration, not randomised)", "permuted blocks",
                                          "minimisation"};
    lt_buf_printf(b, "\nRandomisation: %s%s", p->nstrat && p->rand.method ? "stratified " : "",
                  methods[p->rand.method]);
    for (size_t i = 0; i < p->rand.nblock_sizes; i++)
        lt_buf_printf(b, "%s%d", i ? ", " : "; block sizes ", p->rand.block_sizes[i]);
    lt_buf_putc(b, '\n');
    for (size_t i = 0; i < p->nstrat; i++) {
        const lt_strat_factor *f = &p->strat[i];
        lt_buf_printf(b, "  stratified by %s (%s), read from %s %s %s:", f->id,
                      f->name ? f->name : "", f->fact_kind ? f->fact_kind : "?",
                      f->fact_code ? f->fact_code : "?", f->attr ? f->attr : "?");
        for (size_t l = 0; l < f->nlevels; l++) {
            lt_buf_printf(b, "%s %s =", l ? ";" : "", f->levels[l]);
            for (size_t v = 0; f->values && v < f->nvalues[l]; v++)
                lt_buf_printf(b, "%s%s", v ? "|" : " ", f->values[l][v]);
        }
        lt_buf_putc(b, '\n');
    }

    if (p->nanchors) lt_buf_puts(b, "\nAnchors (events windows count from):\n");
    for (size_t i = 0; i < p->nanchors; i++) {
        const lt_anchor *a = &p->anchors[i];
        lt_buf_printf(b, "  %s = the %s %s", a->name, a->first ? "first" : "latest",
                      a->fact_kind ? a->fact_kind : "?");
        for (size_t c = 0; c < a->ncodes; c++)
            lt_buf_printf(b, "%s%s", c ? "|" : " ", a->codes[c]);
        lt_buf_printf(b, " (%s date)\n", a->end_date ? "end" : "start");
    }
    lt_buf_printf(b, "\nCriteria (%zu):\n", p->ncrit);
    const char *seen[64];
    size_t nseen = 0;
    for (size_t i = 0; i < p->ncrit; i++) {
        const lt_criterion *c = &p->crit[i];
        lt_buf_printf(b, "  %-6s %s  \"%s\" (source %s)\n", c->id,
                      c->exclusion ? "exclusion" : "inclusion", c->text,
                      c->source ? c->source : "?");
        lt_buf_puts(b, "         rule: ");
        lt_rule_describe(c->rule, b);
        lt_buf_putc(b, '\n');
        if (c->note) lt_buf_printf(b, "         note: %s\n", c->note);
        if (c->part_of)
            lt_buf_printf(b, "         part of %s (decides through its rule)\n", c->part_of);
        collect_attestations(c->rule, seen, &nseen, sizeof seen / sizeof seen[0]);
    }
    lt_buf_puts(b, "\nAttestations a coordinator records (yes/no; absent means unknown):\n");
    for (size_t i = 0; i < nseen; i++)
        lt_buf_printf(b, "  %s\n", seen[i]);
    if (!nseen) lt_buf_puts(b, "  none\n");

    const lt_json *ep = lt_json_get(doc, "endpoints");
    if (lt_json_size(ep)) {
        lt_buf_puts(b, "\nEndpoints:\n");
        for (const lt_json *e = lt_json_first(ep); e; e = lt_json_next(e)) {
            lt_buf_printf(b, "  %-10s %s (%s), ", lt_json_key(e), lt_json_get_str(e, "name", ""),
                          lt_json_get_str(e, "role", "-"));
            double m;
            if (!strcmp(lt_json_get_str(e, "type", ""), "proportion")) {
                /* a proportion of patients, with its exact interval */
                lt_buf_printf(b, "proportion: %s", lt_json_get_str(e, "counts", "?"));
                if (lt_json_num(lt_json_get(e, "at_least"), &m)) lt_buf_printf(b, " >= %g", m);
                if (lt_json_num(lt_json_get(e, "confirm_days"), &m))
                    lt_buf_printf(b, ", confirmed >= %g days later", m);
                lt_buf_printf(b, " among %s patients, exact (Clopper-Pearson) interval\n",
                              lt_json_get_str(e, "population", "all"));
                continue;
            }
            lt_buf_printf(b, "from %s", lt_json_get_str(e, "origin", "?"));
            if (lt_json_num(lt_json_get(e, "at_months"), &m))
                lt_buf_printf(b, ", read at %g months", m);
            lt_buf_putc(b, '\n');
        }
    }
    describe_schedule(lt_json_get(doc, "schedule"), b);
    const lt_json *d = lt_json_get(doc, "design");
    if (d) {
        const lt_json *sv = lt_json_get(d, "survival");
        lt_buf_printf(b, "\nDesign: primary endpoint %s, alpha %g (%g-sided), power %g, HR %g",
                      lt_json_get_str(d, "primary_endpoint", "?"), lt_json_get_num(d, "alpha", 0),
                      lt_json_get_num(d, "sides", 0), lt_json_get_num(d, "power", 0),
                      lt_json_get_num(d, "hazard_ratio", 0));
        if (sv)
            lt_buf_printf(b, "; at %g months %g%% (control) vs %g%% (treatment)",
                          lt_json_get_num(sv, "at_months", 0),
                          100 * lt_json_get_num(sv, "control", 0),
                          100 * lt_json_get_num(sv, "treatment", 0));
        lt_buf_printf(b, "; %g patients\n", lt_json_get_num(d, "patients", 0));
    }
    const lt_json *ch = lt_json_get(doc, "choices");
    if (lt_json_size(ch)) {
        lt_buf_printf(b, "\nChoices made where the sources disagree or are vague (%zu):\n",
                      lt_json_size(ch));
        for (const lt_json *c = lt_json_first(ch); c; c = lt_json_next(c)) {
            lt_buf_printf(b, "  %s (%s; sources", lt_json_get_str(c, "id", "?"),
                          lt_json_get_str(c, "about", ""));
            for (const lt_json *s = lt_json_first(lt_json_get(c, "sources")); s;
                 s = lt_json_next(s))
                lt_buf_printf(b, " %s", lt_json_str(s) ? lt_json_str(s) : "?");
            bool assumed = false;
            lt_json_bool(lt_json_get(c, "assumption"), &assumed);
            lt_buf_printf(b, ")%s\n      choice: %s\n      why: %s\n",
                          assumed ? " [assumption]" : "", lt_json_get_str(c, "choice", ""),
                          lt_json_get_str(c, "why", ""));
        }
    }
    /* what the file supplies that no source states, top-level and in the design, in one list
     * a reviewer can go through */
    const lt_json *dch = lt_json_get(lt_json_get(doc, "design"), "choices");
    size_t nassumed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (const lt_json *c = lt_json_first(pass ? dch : ch); c; c = lt_json_next(c)) {
            bool assumed = false;
            if (!lt_json_bool(lt_json_get(c, "assumption"), &assumed) || !assumed) continue;
            if (!nassumed++) lt_buf_puts(b, "\nAssumptions: what this file states that no source does\n");
            lt_buf_printf(b, "  %s (%s): %s\n", lt_json_get_str(c, "about", ""),
                          lt_json_get_str(c, "id", "?"), lt_json_get_str(c, "choice", ""));
        }
}
