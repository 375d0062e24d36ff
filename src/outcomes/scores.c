/* The per-visit outcome datasets of an outcomes set, as `lutetia endpoints --qol | --response`
 * prints them and the server's rows answer them (one writer for both doors, whatever the source:
 * an outcomes file or the trial store's records): the 15 QLQ-C30 scale scores of every
 * questionnaire, and the RECIST 1.1 response of every tumour assessment. Moved here from
 * cli/endpoints.c when the server needed the same answer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/outcomes.h"

static void csv_num(lt_buf *b, double x)
{
    if (!isnan(x)) lt_buf_printf(b, "%.4f", x);
}

/* One row per questionnaire: the 15 QLQ-C30 scales. */
lt_status lt_qol_dataset_write(const lt_outcome_set *set, bool csv, bool json, lt_buf *b,
                               lt_error *err)
{
    if (csv) {
        lt_buf_puts(b, "patient,arm,date");
        for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++)
            lt_buf_printf(b, ",%s", lt_qlq_scale_name((lt_qlq_scale)k));
        lt_buf_putc(b, '\n');
    } else if (json) {
        lt_buf_puts(b, "{\"instrument\":\"qlq_c30\",\"rows\":[");
    } else {
        lt_buf_printf(b, "%-12s %-4s %-10s", "patient", "arm", "date");
        for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++)
            lt_buf_printf(b, " %5s", lt_qlq_scale_name((lt_qlq_scale)k));
        lt_buf_putc(b, '\n');
    }
    bool first = true;
    for (size_t i = 0; i < set->n; i++) {
        const lt_outcome_record *r = set->records[i];
        for (size_t q = 0; q < r->nquestionnaires; q++) {
            double sc[LT_QLQ_SCALE_COUNT];
            lt_status rc = lt_qlq_c30_score(r->questionnaires[q].items, sc, err);
            if (rc != LT_OK) {
                char w[LT_ERROR_WHERE_MAX];
                snprintf(w, sizeof w, "patient %.100s: questionnaires[%zu]: %.100s", r->id, q,
                         err->where);
                snprintf(err->where, sizeof err->where, "%s", w);
                return rc;
            }
            char d[LT_DATE_STR_MAX];
            lt_date_format(r->questionnaires[q].date, d);
            if (csv) {
                lt_buf_csv_field(b, r->id);
                lt_buf_putc(b, ',');
                lt_buf_csv_field(b, r->arm);
                lt_buf_printf(b, ",%s", d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    lt_buf_putc(b, ',');
                    csv_num(b, sc[k]);
                }
                lt_buf_putc(b, '\n');
            } else if (json) {
                lt_buf_puts(b, first ? "{\"patient\":" : ",{\"patient\":");
                first = false;
                lt_buf_json_str(b, r->id);
                lt_buf_puts(b, ",\"arm\":");
                lt_buf_json_str(b, r->arm);
                lt_buf_puts(b, ",\"date\":");
                lt_buf_json_str(b, d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    lt_buf_printf(b, ",\"%s\":", lt_qlq_scale_name((lt_qlq_scale)k));
                    lt_buf_json_num(b, sc[k]); /* NAN writes null */
                }
                lt_buf_putc(b, '}');
            } else {
                lt_buf_printf(b, "%-12s %-4s %-10s", r->id, r->arm ? r->arm : "-", d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    if (isnan(sc[k]))
                        lt_buf_printf(b, " %5s", "-");
                    else
                        lt_buf_printf(b, " %5.1f", sc[k]);
                }
                lt_buf_putc(b, '\n');
            }
        }
    }
    if (json) lt_buf_puts(b, "]}\n");
    if (lt_buf_failed(b)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return LT_OK;
}

/* One row per tumour assessment of every patient who has any: its RECIST 1.1 response. */
lt_status lt_response_dataset_write(const lt_outcome_set *set, const char *events, bool csv,
                                    bool json, lt_buf *b, lt_error *err)
{
    if (csv)
        lt_buf_puts(b, "patient,arm,date,sum_mm,nadir_mm,target,nontarget,overall\n");
    else if (json)
        lt_buf_puts(b, "{\"criteria\":\"RECIST 1.1\",\"rows\":[");
    else
        lt_buf_printf(b, "%-12s %-4s %-10s %8s %8s %-13s %-13s %s\n", "patient", "arm", "date",
                      "sum", "nadir", "target", "non-target", "overall");
    bool first = true;
    for (size_t i = 0; i < set->n; i++) {
        const lt_outcome_record *r = set->records[i];
        if (!r->nassessments) continue;
        lt_recist_result *res = calloc(r->nassessments, sizeof *res);
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%.120s: patient %.100s", events, r->id);
        if (!res) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
        lt_status rc = lt_recist_evaluate(r->assessments, r->nassessments, where, res, err);
        if (rc != LT_OK) {
            free(res);
            return rc;
        }
        for (size_t k = 0; k < r->nassessments; k++) {
            const lt_recist_result *x = &res[k];
            char d[LT_DATE_STR_MAX];
            lt_date_format(x->date, d);
            const char *t = lt_recist_response_name(x->target),
                       *nt = lt_recist_response_name(x->nontarget),
                       *o = k ? lt_recist_response_name(x->overall) : "baseline";
            if (csv) {
                lt_buf_csv_field(b, r->id);
                lt_buf_putc(b, ',');
                lt_buf_csv_field(b, r->arm);
                lt_buf_printf(b, ",%s,", d);
                csv_num(b, x->sum);
                lt_buf_putc(b, ',');
                csv_num(b, x->nadir);
                lt_buf_printf(b, ",%s,%s,%s\n", k ? t : "", k ? nt : "", o);
            } else if (json) {
                lt_buf_puts(b, first ? "{\"patient\":" : ",{\"patient\":");
                first = false;
                lt_buf_json_str(b, r->id);
                lt_buf_puts(b, ",\"arm\":");
                lt_buf_json_str(b, r->arm);
                lt_buf_puts(b, ",\"date\":");
                lt_buf_json_str(b, d);
                lt_buf_puts(b, ",\"sum_mm\":");
                lt_buf_json_num(b, x->sum);
                lt_buf_puts(b, ",\"nadir_mm\":");
                lt_buf_json_num(b, x->nadir);
                lt_buf_puts(b, ",\"target\":");
                lt_buf_json_str(b, k ? t : NULL);
                lt_buf_puts(b, ",\"nontarget\":");
                lt_buf_json_str(b, k ? nt : NULL);
                lt_buf_puts(b, ",\"overall\":");
                lt_buf_json_str(b, o);
                lt_buf_putc(b, '}');
            } else {
                char sum[16] = "-", nadir[16] = "-";
                if (!isnan(x->sum)) snprintf(sum, sizeof sum, "%.1f", x->sum);
                if (k && !isnan(x->nadir)) snprintf(nadir, sizeof nadir, "%.1f", x->nadir);
                lt_buf_printf(b, "%-12s %-4s %-10s %8s %8s %-13s %-13s %s\n", r->id,
                              r->arm ? r->arm : "-", d, sum, nadir, k ? t : "", k ? nt : "", o);
            }
        }
        free(res);
    }
    if (json) lt_buf_puts(b, "]}\n");
    if (lt_buf_failed(b)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return LT_OK;
}

