/* Data entered once: the facts a screening read are kept with the patient (record kind
 * "patient_data", one native patient document per patient), and a later screening adds its
 * facts to them instead of replacing them. The dose rules, the calendar and the ledger read the
 * birth date, sex, weight and anchor dates from the same document (src/conduct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

lt_status lt__patient_data_merge(lt_trial *t, const lt_patient *p, lt__pdata *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    lt_buf fresh = LT_BUF_INIT, merged = LT_BUF_INIT;
    lt_record *old = NULL;
    lt_cohort *all = NULL;
    lt_status rc = lt_store_get(t->st, LT__K_PATIENT_DATA, p->id, &old, err);
    if (rc == LT_ENOTFOUND) {
        lt_error_clear(err);
        rc = LT_OK;
    }
    if (rc == LT_OK) rc = lt_patient_to_json(p, &fresh, &out->left, err);
    if (rc == LT_OK) rc = lt_cohort_new(&all, err);
    /* the stored facts first, then the new ones: a fact both hold is written once, with the
     * source that brought it first */
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "stored facts of %.200s", p->id);
    if (rc == LT_OK && old) rc = lt_cohort_read_mem(all, old->data, strlen(old->data), where, err);
    if (rc == LT_OK)
        rc = lt_cohort_read_mem(all, lt_buf_str(&fresh), fresh.n, p->source ? p->source : p->id,
                                err);
    const lt_patient *m = rc == LT_OK ? lt_cohort_find(all, p->id) : NULL;
    if (rc == LT_OK && !m) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_patient_to_json(m, &merged, NULL, err);
    /* what is screened is what is stored: the merged document read back */
    if (rc == LT_OK) rc = lt_cohort_new(&out->cohort, err);
    if (rc == LT_OK)
        rc = lt_cohort_read_mem(out->cohort, lt_buf_str(&merged), merged.n, where, err);
    if (rc == LT_OK) {
        out->patient = lt_cohort_find(out->cohort, p->id);
        out->json = strdup(lt_buf_str(&merged));
        out->rev = old ? old->rev : 0;
        out->changed = !old || strcmp(old->data, lt_buf_str(&merged)) != 0;
        if (!out->patient || !out->json) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    if (rc != LT_OK) lt__patient_data_free(out);
    lt_record_free(old);
    lt_cohort_free(all);
    lt_buf_free(&fresh);
    lt_buf_free(&merged);
    return rc;
}

lt_status lt__patient_data_save(lt_trial *t, const lt__pdata *d, const char *site,
                                const char *reason, lt_error *err)
{
    if (!d->changed) return LT_OK; /* the same facts again: nothing to audit */
    lt_record r = {.kind = LT__K_PATIENT_DATA,
                   .id = d->patient->id,
                   .site = site,
                   .patient = d->patient->id,
                   .data = d->json};
    lt_actor who = {t->user, lt_role_name(t->role)};
    return lt_store_put(t->st, &r, d->rev, &who, d->rev ? "patient_data.add" : "patient_data",
                        reason, NULL, err);
}

void lt__patient_data_free(lt__pdata *d)
{
    lt_cohort_free(d->cohort);
    free(d->json);
    memset(d, 0, sizeof *d);
}
