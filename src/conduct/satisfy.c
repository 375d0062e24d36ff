/* The work recorded for a patient, as the calendar reads it (lt_schedule_compute_records):
 * lab results, tumour assessments and questionnaires from the store. A recorded piece of work
 * dated inside an entry's window is that entry done; no separate actual date is needed.
 * Administrations are not among them: `record administration` writes its cycle's actual date
 * in the same transaction, which is what the later cycles count from. */
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

void lt__sched_recs_free(lt__sched_recs *r)
{
    if (!r) return;
    for (int k = 0; k < 3; k++)
        lt__docs_free(&r->docs[k]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

lt_status lt__sched_recs_load(lt_conduct *c, const char *patient, lt__sched_recs *out,
                              lt_error *err)
{
    static const char *const kinds[3] = {LT__K_LAB, LT__K_ASSESSMENT, LT__K_QUESTIONNAIRE};
    static const lt_sched_kind serves[3] = {LT_SCHED_LAB, LT_SCHED_IMAGING, LT_SCHED_QUESTIONNAIRE};
    memset(out, 0, sizeof *out);
    lt_status rc = LT_OK;
    size_t total = 0;
    for (int k = 0; k < 3 && rc == LT_OK; k++) {
        rc = lt__docs_load(c, kinds[k], patient, &out->docs[k], err);
        total += out->docs[k].n;
    }
    if (rc == LT_OK && !(out->v = calloc(total + 1, sizeof *out->v)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc != LT_OK) {
        lt__sched_recs_free(out);
        return rc;
    }
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < out->docs[k].n; i++) {
            const lt_json *d = out->docs[k].v[i];
            const char *what = k == 0   ? lt_json_get_str(d, "analyte", NULL)
                               : k == 1 ? lt_json_get_str(d, "modality", NULL)
                                        : lt_json_get_str(d, "instrument", NULL);
            /* a body weight is recorded as a lab for Cockcroft-Gault, but it is no blood test */
            if (k == 0 && what && !strcmp(what, "weight")) continue;
            out->v[out->n++] =
                (lt_sched_record){serves[k], lt__get_date(d, "date"), out->docs[k].id[i], what};
        }
    return LT_OK;
}

lt_status lt_conduct_record_work(const lt_outcome_record *r, lt_sched_record **out, size_t *n,
                                 lt_error *err)
{
    *out = NULL;
    *n = 0;
    lt_sched_record *v = calloc(r->nassessments + r->nquestionnaires + 1, sizeof *v);
    if (!v) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    size_t k = 0;
    /* the file form has no record ids: the kind and date name the record */
    for (size_t i = 0; i < r->nassessments; i++)
        v[k++] = (lt_sched_record){LT_SCHED_IMAGING, r->assessments[i].date, "assessment",
                                   r->assessments[i].modality};
    for (size_t i = 0; i < r->nquestionnaires; i++)
        v[k++] = (lt_sched_record){LT_SCHED_QUESTIONNAIRE, r->questionnaires[i].date,
                                   "questionnaire", "qlq_c30"};
    *out = v;
    *n = k;
    return LT_OK;
}
