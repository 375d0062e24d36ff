/* Fuzz target for the survival CSV reader and the estimators behind `lutetia analyse`: any
 * bytes must give a data set or an error, never a crash; a data set that loads is run through
 * Kaplan-Meier, log-rank, Cox (with clusters) and RMST. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    static const char *const covs[] = {"x", "z"};
    lt_surv_spec spec = {.time = "time",
                         .event = "event",
                         .group = "g",
                         .strata = "s",
                         .cluster = "id",
                         .covariates = covs,
                         .ncovariates = 2};
    lt_surv_data *d = NULL;
    lt_error err;
    if (lt_surv_data_parse_csv(text, size, "fuzz.csv", &spec, &d, &err) == LT_OK) {
        lt_km *km = NULL;
        if (lt_km_fit(d, LT_CONF_LOGLOG, 0.9, &km, &err) == LT_OK) {
            lt_rmst *r = NULL;
            if (lt_rmst_fit(km, 10, &r, &err) == LT_OK) lt_rmst_free(r);
            lt_buf b = LT_BUF_INIT;
            lt_km_svg(km, NULL, &b, &err);
            lt_buf_free(&b);
        }
        lt_km_free(km);
        lt_logrank *lr = NULL;
        if (lt_logrank_test(d, &lr, &err) == LT_OK) lt_logrank_free(lr);
        lt_cox *c = NULL;
        if (lt_cox_fit(d, NULL, &c, &err) == LT_OK) lt_cox_free(c);
    }
    lt_surv_data_free(d);
    free(text);
    return 0;
}
