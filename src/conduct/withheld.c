/* The dose decisions of a patient as the calendar reads them (lt_sched_decision): a cycle
 * withheld by its latest decisions is planned again from them (docs/conduct.md, "Withheld
 * cycles"). Only decisions to give or to withhold move a cycle; an undetermined decision
 * changes nothing, and a discontinuation ends treatment through the decisions, not the
 * calendar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

void lt__sched_decs_free(lt__sched_decs *d)
{
    if (!d) return;
    lt__docs_free(&d->docs);
    free(d->v);
    free(d->ids);
    free(d->why);
    memset(d, 0, sizeof *d);
}

lt_status lt__sched_decs_load(lt_conduct *c, const char *patient, lt__sched_decs *out,
                              lt_error *err)
{
    memset(out, 0, sizeof *out);
    lt_status rc = lt__docs_load(c, LT__K_DECISION, patient, &out->docs, err);
    if (rc != LT_OK) return rc;
    size_t n = out->docs.n;
    out->v = calloc(n + 1, sizeof *out->v);
    out->ids = calloc(n + 1, sizeof *out->ids);
    out->why = calloc(n + 1, sizeof *out->why);
    if (!out->v || !out->ids || !out->why) {
        lt__sched_decs_free(out);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory reading the dose decisions");
    }
    /* stored in id order PATIENT/Cnn/nnn: each cycle's decisions in the order taken */
    for (size_t i = 0; i < n; i++) {
        const lt_json *v = out->docs.v[i], *dv = lt_json_get(v, "decision");
        const char *action = lt_json_get_str(dv, "action", "");
        lt_sched_decided a;
        if (!strcmp(action, "withhold"))
            a = LT_SCHED_DECIDED_WITHHOLD;
        else if (!strcmp(action, "give_full") || !strcmp(action, "give_reduced"))
            a = LT_SCHED_DECIDED_GIVE;
        else
            continue;
        double cyc = lt_json_get_num(v, "cycle", 0);
        if (cyc < 1 || cyc > LT_DOSE_MAX_CYCLES) continue; /* lt_conduct_decide never stores one */
        snprintf(out->ids[out->n], sizeof out->ids[out->n], "C%d", (int)cyc);
        /* why, short enough for a calendar line: the rule's first reason up to its first
         * parenthesis or sentence end ("platelets 62 10^9/L: CTCAE grade 2"), else the
         * toxicity's id */
        const char *why = lt_json_get_str(lt_json_first(lt_json_get(dv, "reasons")), "text", NULL);
        if (!why) why = lt_json_str(lt_json_first(lt_json_get(dv, "toxic")));
        char *r = out->why[out->n];
        snprintf(r, sizeof out->why[out->n], "%s", why ? why : "");
        r[strcspn(r, "(")] = '\0';
        char *stop = strstr(r, ". ");
        if (stop) *stop = '\0';
        for (size_t k = strlen(r); k > 0 && (r[k - 1] == ' ' || r[k - 1] == '.'); k--)
            r[k - 1] = '\0';
        out->v[out->n] =
            (lt_sched_decision){out->ids[out->n], lt__get_date(v, "date"), a, *r ? r : NULL};
        out->n++;
    }
    return LT_OK;
}
