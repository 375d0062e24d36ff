/* Proportion endpoints from the trial store (NCT04544098's safety and feasibility aims): for
 * each allocated patient the user may read, what the store holds about toxicity and cycles
 * given (adverse events, CTCAE grades of laboratory results, administrations), then o1's
 * lt_proportion_derive and the exact (Clopper-Pearson) interval overall and per arm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"
#include "lutetia/stats.h"

/* The patient's cycles given and worst graded toxicity from the first cycle on (a screening
 * or baseline result is not a toxicity of the treatment), up to cutoff. */
static lt_status safety_of(lt_conduct *c, const char *patient, lt_date cutoff,
                           lt_patient_safety *s, lt__docs *ae, lt__docs *lab, lt_error *err)
{
    lt__docs adm;
    memset(s, 0, sizeof *s);
    s->worst_grade = -1;
    s->worst_date = LT_DATE_NONE;
    lt_status rc = lt__docs_load(c, LT__K_ADMIN, patient, &adm, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_AE, patient, ae, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_LAB, patient, lab, err);
    if (rc != LT_OK) {
        lt__docs_free(&adm);
        return rc;
    }
    lt_date first = LT_DATE_NONE;
    for (size_t i = 0; i < adm.n; i++) {
        lt_date d = lt__get_date(adm.v[i], "date");
        if (d == LT_DATE_NONE || (cutoff != LT_DATE_NONE && d > cutoff)) continue;
        s->cycles_given++;
        if (first == LT_DATE_NONE || d < first) first = d;
    }
    lt__docs_free(&adm);
    if (first == LT_DATE_NONE) return LT_OK;
    for (int pass = 0; pass < 2; pass++) {
        const lt__docs *d = pass ? lab : ae;
        for (size_t i = 0; i < d->n; i++) {
            const lt_json *v = d->v[i];
            lt_date when = lt__get_date(v, pass ? "date" : "start");
            if (when == LT_DATE_NONE || when < first || (cutoff != LT_DATE_NONE && when > cutoff))
                continue;
            const lt_json *g = pass ? lt_json_get(v, "grade") : v;
            /* an undetermined grade (a missing reference limit) decides nothing */
            int grade = (int)lt__get_int(g, "grade", 0, 5, -1);
            if (grade > s->worst_grade) {
                s->worst_grade = grade;
                s->worst_what = lt_json_get_str(g, "term", "");
                s->worst_date = when;
            }
        }
    }
    return LT_OK;
}

static void put_ci(lt_buf *b, long x, long n, double level)
{
    lt_binom_ci ci;
    lt_buf_printf(b, "\"x\":%ld,\"n\":%ld,", x, n);
    if (n > 0 && lt_binom_exact_ci(x, n, level, &ci, NULL) == LT_OK) {
        lt_buf_puts(b, "\"proportion\":");
        lt_buf_json_num(b, ci.estimate);
        lt_buf_puts(b, ",\"lower\":");
        lt_buf_json_num(b, ci.lower);
        lt_buf_puts(b, ",\"upper\":");
        lt_buf_json_num(b, ci.upper);
    } else {
        lt_buf_puts(b, "\"proportion\":null,\"lower\":null,\"upper\":null");
    }
}

static void text_ci(lt_buf *b, long x, long n, double level)
{
    lt_binom_ci ci;
    if (n > 0 && lt_binom_exact_ci(x, n, level, &ci, NULL) == LT_OK)
        lt_buf_printf(b, "%ld of %ld = %.1f%% (exact %g%% CI %.1f%% to %.1f%%)", x, n,
                      100 * ci.estimate, 100 * level, 100 * ci.lower, 100 * ci.upper);
    else
        lt_buf_printf(b, "%ld of %ld (no patient in the population yet)", x, n);
}

static lt_status one(lt_conduct *c, long ei, const lt_outcome_set *set, lt_date cutoff,
                     bool json, lt_buf *out, lt_error *err)
{
    const lt_proportion_def *def = lt_endpoints_proportion(c->ends, (size_t)ei);
    lt_status rc = LT_OK;
    lt_proportion_row *rows = calloc(set->n + 1, sizeof *rows);
    if (!rows) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < set->n && rc == LT_OK; i++) {
        lt_patient_safety s;
        lt__docs ae, lab;
        memset(&ae, 0, sizeof ae);
        memset(&lab, 0, sizeof lab);
        rc = safety_of(c, set->records[i]->id, cutoff, &s, &ae, &lab, err);
        /* cycles, toxicities and assessments after the cutoff do not count */
        if (rc == LT_OK)
            rc = lt_proportion_derive(c->ends, (size_t)ei, set->records[i], &s, cutoff, &rows[i],
                                      err);
        lt__docs_free(&ae);
        lt__docs_free(&lab);
    }
    const lt_protocol *p = lt_trial_protocol(c->t);
    if (rc == LT_OK) {
        long x = 0, n = 0;
        for (size_t i = 0; i < set->n; i++)
            if (rows[i].in_population) n++, x += rows[i].counted;
        char cs[LT_DATE_STR_MAX];
        if (json) {
            lt_buf_puts(out, "{\"endpoint\":");
            lt_buf_json_str(out, lt_endpoints_id(c->ends, (size_t)ei));
            lt_buf_puts(out, ",\"name\":");
            lt_buf_json_str(out, lt_endpoints_name(c->ends, (size_t)ei));
            lt_buf_printf(out, ",\"counts\":\"%s\",\"at_least\":%d,\"population\":\"%s\"",
                          lt_proportion_counts_name(def->counts), def->at_least,
                          def->population == LT_POPULATION_TREATED ? "treated" : "all");
            lt_buf_puts(out, ",\"cutoff\":");
            if (cutoff != LT_DATE_NONE) lt_buf_printf(out, "\"%s\"", lt_date_format(cutoff, cs));
            else lt_buf_puts(out, "null");
            lt_buf_puts(out, ",\"method\":\"Clopper-Pearson exact\",\"level\":");
            lt_buf_json_num(out, def->level);
            lt_buf_putc(out, ',');
            put_ci(out, x, n, def->level);
            lt_buf_puts(out, ",\"arms\":[");
        } else {
            lt_buf_printf(out, "%s (%s): ", lt_endpoints_id(c->ends, (size_t)ei),
                          lt_endpoints_name(c->ends, (size_t)ei));
            text_ci(out, x, n, def->level);
            lt_buf_printf(out, "\n  population: %s\n",
                          def->population == LT_POPULATION_TREATED
                              ? "patients given at least one cycle"
                              : "every patient allocated");
        }
        /* per arm, by name, when the trial has more than one */
        size_t narms = lt_protocol_arm_count(p);
        for (size_t a = 0; narms > 1 && a < narms; a++) {
            const lt_arm *arm = lt_protocol_arm(p, a);
            long ax = 0, an = 0;
            for (size_t i = 0; i < set->n; i++)
                if (rows[i].in_population && rows[i].arm && !strcmp(rows[i].arm, arm->id))
                    an++, ax += rows[i].counted;
            if (json) {
                lt_buf_puts(out, a ? ",{\"arm\":" : "{\"arm\":");
                lt_buf_json_str(out, arm->id);
                lt_buf_puts(out, ",\"arm_name\":");
                lt_buf_json_str(out, arm->name);
                lt_buf_putc(out, ',');
                put_ci(out, ax, an, def->level);
                lt_buf_putc(out, '}');
            } else {
                lt_buf_printf(out, "  arm %s (%s): ", arm->id, arm->name);
                text_ci(out, ax, an, def->level);
                lt_buf_putc(out, '\n');
            }
        }
        if (json) lt_buf_puts(out, "],\"rows\":[");
        for (size_t i = 0; i < set->n; i++) {
            const lt_proportion_row *r = &rows[i];
            if (json) {
                lt_buf_puts(out, i ? ",{\"patient\":" : "{\"patient\":");
                lt_buf_json_str(out, r->patient);
                lt_buf_puts(out, ",\"arm\":");
                if (r->arm) lt_buf_json_str(out, r->arm);
                else lt_buf_puts(out, "null");
                lt_buf_printf(out, ",\"in_population\":%s,\"counted\":%d,\"why\":",
                              r->in_population ? "true" : "false", r->counted);
                lt_buf_json_str(out, r->why);
                lt_buf_putc(out, '}');
            } else {
                lt_buf_printf(out, "  %-10s %-4s %s  %s\n", r->patient, r->arm ? r->arm : "-",
                              !r->in_population ? "excluded" : r->counted ? "counted " : "        ",
                              r->why);
            }
        }
        lt_buf_puts(out, json ? "]}" : "");
    }
    free(rows);
    return rc;
}

lt_status lt_conduct_proportion(lt_conduct *c, const char *endpoint, lt_date cutoff, bool json,
                                lt_buf *out, lt_error *err)
{
    if (!c->ends)
        LT_FAIL(err, LT_ENOTFOUND, "protocol", "the trial's protocol defines no endpoints");
    char list[256] = "";
    size_t n = 0, nprop = 0;
    for (size_t i = 0; i < lt_endpoints_count(c->ends); i++)
        if (lt_endpoints_proportion(c->ends, i)) {
            nprop++;
            n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                  n ? ", " : "", lt_endpoints_id(c->ends, i));
        }
    long ei = endpoint ? lt_endpoints_find(c->ends, endpoint) : -1;
    if (endpoint ? ei < 0 || !lt_endpoints_proportion(c->ends, (size_t)ei) : nprop == 0)
        LT_FAIL(err, LT_ENOTFOUND, "endpoint",
                "%s%s%s is not a proportion endpoint of the protocol (proportions: %s)",
                endpoint ? "'" : "", endpoint ? endpoint : "the protocol has none: it",
                endpoint ? "'" : "", nprop ? list : "none");
    lt_outcome_set *set = NULL;
    lt_status rc = lt_conduct_outcomes(c, NULL, NULL, &set, err);
    if (rc != LT_OK) return rc;
    /* one endpoint: its object; all of them: an array of those objects */
    if (!endpoint && json) lt_buf_puts(out, "[");
    size_t k = 0;
    for (size_t i = 0; i < lt_endpoints_count(c->ends) && rc == LT_OK; i++) {
        if (endpoint ? (long)i != ei : !lt_endpoints_proportion(c->ends, i)) continue;
        if (k++) lt_buf_puts(out, json ? "," : "\n");
        rc = one(c, (long)i, set, cutoff, json, out, err);
    }
    if (!endpoint && json) lt_buf_puts(out, "]");
    if (json) lt_buf_putc(out, '\n');
    if (rc == LT_OK && lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    lt_outcome_set_free(set);
    return rc;
}
