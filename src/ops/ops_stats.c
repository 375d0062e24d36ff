/* Operation rows of the survival analyses of an endpoint (`lutetia analyse km|logrank|cox|rmst
 * --endpoint ID --json`): each calls lt_conduct_survival, which the command line's store form
 * calls too, so both doors give the same bytes. Query values arrive as text: the numbers and
 * lists are read here, each refusal naming its parameter. Every role that reads the trial may
 * ask (lt_conduct_outcomes' rule, as for endpoints.dataset): site staff see their own sites'
 * patients only. */
#include <stdlib.h>
#include <string.h>
#include "lutetia/conduct.h"
#include "lutetia/file.h"
#include "ops_int.h"

#define MAX_TIMES 64

static lt_status conf_level_arg(const lt_json *a, double *level, lt_error *err)
{
    const char *s = lt__arg_str(a, "conf_level");
    *level = 0.95;
    if (s && !(lt_parse_double(s, level) && *level > 0 && *level < 1))
        LT_FAIL(err, LT_EINVAL, "conf_level", "expected a number in (0, 1), found \"%s\"", s);
    return LT_OK;
}

/* "6,12,36": increasing times, as the command line's --times */
static lt_status times_arg(const lt_json *a, double *times, size_t *n, lt_error *err)
{
    const char *s = lt__arg_str(a, "times");
    *n = 0;
    if (!s) return LT_OK;
    char *copy = strdup(s), *save = NULL;
    if (!copy) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_status rc = LT_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == LT_OK;
         tok = strtok_r(NULL, ",", &save)) {
        double v;
        if (*n == MAX_TIMES)
            rc = lt_error_set(err, LT_EINVAL, "times", "at most %d times", MAX_TIMES);
        else if (!lt_parse_double(tok, &v) || v < 0)
            rc = lt_error_set(err, LT_EINVAL, "times", "expected a time >= 0, found \"%s\"", tok);
        else if (*n && v <= times[*n - 1])
            rc = lt_error_set(err, LT_EINVAL, "times",
                              "expected increasing times, found %s after %g", tok, times[*n - 1]);
        else
            times[(*n)++] = v;
    }
    if (rc == LT_OK && *n == 0)
        rc = lt_error_set(err, LT_EINVAL, "times", "expected a comma-separated list of times");
    free(copy);
    return rc;
}

static lt_status run(lt_trial *t, const lt_json *a, lt_surv_json_options *o, lt_buf *out,
                     lt_error *err)
{
    lt_status rc = conf_level_arg(a, &o->conf_level, err);
    if (rc != LT_OK) return rc;
    lt_surv_spec spec = {.strata = lt__arg_str(a, "strata")};
    lt_conduct *c = NULL;
    rc = lt_conduct_new(t, NULL, &c, err);
    if (rc == LT_OK)
        rc = lt_conduct_survival(c, lt__arg_str(a, "endpoint"), lt__arg_date(a, "cutoff"), o, &spec,
                                 out, err);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_km(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    double times[MAX_TIMES];
    lt_surv_json_options o = {.analysis = LT_SURV_KM, .times = times};
    const char *ct = lt__arg_str(a, "conf_type");
    if (!ct || !strcmp(ct, "log"))
        o.conf_type = LT_CONF_LOG;
    else if (!strcmp(ct, "log-log"))
        o.conf_type = LT_CONF_LOGLOG;
    else if (!strcmp(ct, "plain"))
        o.conf_type = LT_CONF_PLAIN;
    else
        LT_FAIL(err, LT_EINVAL, "conf_type", "expected log, log-log or plain, found \"%s\"", ct);
    lt_status rc = times_arg(a, times, &o.ntimes, err);
    return rc == LT_OK ? run(t, a, &o, out, err) : rc;
}

static lt_status op_logrank(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_surv_json_options o = {.analysis = LT_SURV_LOGRANK};
    return run(t, a, &o, out, err);
}

static lt_status op_cox(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_surv_json_options o = {.analysis = LT_SURV_COX};
    const char *ties = lt__arg_str(a, "ties");
    if (!ties || !strcmp(ties, "efron"))
        o.ties = LT_TIES_EFRON;
    else if (!strcmp(ties, "breslow"))
        o.ties = LT_TIES_BRESLOW;
    else
        LT_FAIL(err, LT_EINVAL, "ties", "expected efron or breslow, found \"%s\"", ties);
    const char *robust = lt__arg_str(a, "robust");
    if (robust && strcmp(robust, "true") && strcmp(robust, "false"))
        LT_FAIL(err, LT_EINVAL, "robust", "expected true or false, found \"%s\"", robust);
    o.robust = robust && !strcmp(robust, "true");
    return run(t, a, &o, out, err);
}

static lt_status op_rmst(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_surv_json_options o = {.analysis = LT_SURV_RMST};
    const char *tau = lt__arg_str(a, "tau");
    if (tau && !(lt_parse_double(tau, &o.tau) && o.tau > 0))
        LT_FAIL(err, LT_EINVAL, "tau", "expected a time > 0 (months), found \"%s\"", tau);
    return run(t, a, &o, out, err);
}

#define ENDPOINT_PATH                                                                              \
    {                                                                                              \
        "endpoint", LT_OP_STRING, LT_OP_IN_PATH, true, "the protocol's endpoint id (DFS, OS, PFS)" \
    }
#define CUTOFF                                                                                     \
    {                                                                                              \
        "cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "follow-up cut at this day"                   \
    }
#define STRATA                                                                                     \
    {                                                                                              \
        "strata", LT_OP_STRING, LT_OP_IN_QUERY, false,                                             \
            "a strata column of the dataset: stratify (km: one curve per arm and stratum)"         \
    }
#define CONF_LEVEL                                                                                 \
    {                                                                                              \
        "conf_level", LT_OP_STRING, LT_OP_IN_QUERY, false,                                         \
            "confidence level in (0, 1), default 0.95"                                             \
    }

static const lt_op rows[] = {
    {"analyse.km",
     "GET",
     "/api/v1/endpoints/{endpoint}/km",
     "Kaplan-Meier curves of an endpoint by arm, with R's names (time, n.risk, surv, ...)",
     "lutetia analyse km --endpoint ID --json",
     LT_OP_EVERY_ROLE,
     false,
     false,
     {ENDPOINT_PATH,
      CUTOFF,
      STRATA,
      CONF_LEVEL,
      {"conf_type", LT_OP_STRING, LT_OP_IN_QUERY, false, "log (default), log-log or plain"},
      {"times", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "the curves at these increasing times in months, comma-separated (6,12,24)"}},
     op_km},
    {"analyse.logrank",
     "GET",
     "/api/v1/endpoints/{endpoint}/logrank",
     "the log-rank test of an endpoint between the arms",
     "lutetia analyse logrank --endpoint ID --json",
     LT_OP_EVERY_ROLE,
     false,
     false,
     {ENDPOINT_PATH, CUTOFF, STRATA},
     op_logrank},
    {"analyse.cox",
     "GET",
     "/api/v1/endpoints/{endpoint}/cox",
     "the Cox model of an endpoint on the arm indicators: each arm's hazard ratio against the "
     "reference",
     "lutetia analyse cox --endpoint ID --json",
     LT_OP_EVERY_ROLE,
     false,
     false,
     {ENDPOINT_PATH,
      CUTOFF,
      STRATA,
      CONF_LEVEL,
      {"ties", LT_OP_STRING, LT_OP_IN_QUERY, false, "efron (default) or breslow"},
      {"robust", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "true: robust (sandwich) variance, each patient its own cluster"}},
     op_cox},
    {"analyse.rmst",
     "GET",
     "/api/v1/endpoints/{endpoint}/rmst",
     "the restricted mean survival time of an endpoint by arm and the differences",
     "lutetia analyse rmst --endpoint ID --json",
     LT_OP_EVERY_ROLE,
     false,
     false,
     {ENDPOINT_PATH,
      CUTOFF,
      CONF_LEVEL,
      {"tau", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "the horizon in months (default: the largest time)"}},
     op_rmst},
};

const lt_op_group lt__ops_stats = {rows, sizeof rows / sizeof rows[0]};
