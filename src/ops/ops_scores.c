/* Operation rows of the per-visit outcome datasets of the trial store, what `lutetia endpoints
 * --qol | --response --json` prints: the QLQ-C30 scale scores of every questionnaire and the
 * RECIST 1.1 response of every tumour assessment, for the patients the user may read (the
 * store's outcomes records, lt_conduct_outcomes, which checks the role and the sites). */
#include "lutetia/conduct.h"
#include "lutetia/outcomes.h"
#include "ops_int.h"

static lt_status scores(lt_trial *t, bool qol, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_outcome_set *set = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc == LT_OK) rc = lt_conduct_outcomes(c, NULL, NULL, &set, err);
    if (rc == LT_OK)
        rc = qol ? lt_qol_dataset_write(set, false, true, out, err)
                 : lt_response_dataset_write(set, "trial store", false, true, out, err);
    lt_outcome_set_free(set);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_qol(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return scores(t, true, out, err);
}

static lt_status op_responses(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return scores(t, false, out, err);
}

/* Not under /api/v1/endpoints/, where {endpoint} would take "qol" for an endpoint's id. */
static const lt_op rows[] = {
    {"outcomes.qol", "GET", "/api/v1/qol",
     "the QLQ-C30 scale scores (0-100) of every stored questionnaire",
     "lutetia endpoints --qol --json", LT_OP_EVERY_ROLE, false, false, {{0}}, op_qol},
    {"outcomes.responses", "GET", "/api/v1/responses",
     "the RECIST 1.1 response of every stored tumour assessment",
     "lutetia endpoints --response --json", LT_OP_EVERY_ROLE, false, false, {{0}}, op_responses},
};

const lt_op_group lt__ops_scores = {rows, sizeof rows / sizeof rows[0]};
