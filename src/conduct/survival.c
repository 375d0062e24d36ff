/* The survival analyses of a trial endpoint from the store (`lutetia analyse km|logrank|cox|rmst
 * --endpoint ID` and the rows analyse.km, ...): the endpoint's dataset as the CSV of
 * lt_conduct_endpoint, read back as survival data, its columns defaulting to what the dataset
 * holds; the JSON is lt_surv_json's with the trial's arms first. Who may read what is
 * lt_conduct_outcomes' rule (every reader, site staff their own sites), as for the dataset. */
#include <stdio.h>
#include <string.h>
#include "conduct_int.h"

#define MAX_ARMS 64

lt_status lt_conduct_surv_data(lt_conduct *c, const char *endpoint, lt_date cutoff,
                               lt_surv_analysis analysis, const lt_surv_spec *spec,
                               lt_surv_data **out, lt_buf *arms, lt_error *err)
{
    const lt_protocol *p = lt_trial_protocol(c->t);
    lt_surv_spec s = spec ? *spec : (lt_surv_spec){0};
    if (!s.time) s.time = "time_months";
    if (!s.event) s.event = "event";
    if (!s.group && analysis != LT_SURV_COX) s.group = "arm";
    /* the Cox covariates by default: the indicators of the arms after the reference, so that
     * each hazard ratio reads as the protocol states it (experimental against control) */
    char cols[MAX_ARMS][80];
    const char *covs[MAX_ARMS];
    if (analysis == LT_SURV_COX && s.ncovariates == 0) {
        const char *ids[MAX_ARMS];
        size_t n = lt_protocol_arm_ids_reference_first(p, ids, NULL, MAX_ARMS);
        for (size_t k = 1; k < n; k++) {
            snprintf(cols[k - 1], sizeof cols[k - 1], "arm_%s", ids[k]);
            covs[k - 1] = cols[k - 1];
        }
        if (n < 2)
            LT_FAIL(err, LT_EINVAL, "covariates",
                    "cox needs covariates: the trial has one arm, no arm indicator to compare");
        s.covariates = covs;
        s.ncovariates = n - 1;
    }
    if (arms) lt_protocol_arms_to_json(p, arms);
    lt_buf b = LT_BUF_INIT;
    char name[128];
    snprintf(name, sizeof name, "%s (trial store)", endpoint);
    lt_status rc = lt_conduct_endpoint(c, endpoint, cutoff, LT_CONDUCT_CSV, &b, err);
    if (rc == LT_OK && (lt_buf_failed(&b) || (arms && lt_buf_failed(arms))))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_surv_data_parse_csv(b.p, b.n, name, &s, out, err);
    lt_buf_free(&b);
    return rc;
}

lt_status lt_conduct_survival(lt_conduct *c, const char *endpoint, lt_date cutoff,
                              const lt_surv_json_options *o, const lt_surv_spec *spec, lt_buf *out,
                              lt_error *err)
{
    lt_buf arms = LT_BUF_INIT;
    lt_surv_data *d = NULL;
    lt_surv_json_options oo = *o;
    if (!oo.data) oo.data = endpoint; /* names the data as the command line does */
    lt_status rc = lt_conduct_surv_data(c, endpoint, cutoff, o->analysis, spec, &d, &arms, err);
    if (rc == LT_OK) rc = lt_surv_json_with_arms(&oo, d, lt_buf_str(&arms), out, err);
    lt_surv_data_free(d);
    lt_buf_free(&arms);
    return rc;
}
