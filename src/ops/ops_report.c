/* Operation rows of the data monitoring committee's report: its figures as one JSON document
 * (report.json of `lutetia report dsmb`), open and closed, each row with exactly the roles
 * lt_report_allowed gives (src/report/access.c), so both doors refuse alike. */
#include "lutetia/report.h"
#include "ops_int.h"

static lt_status dsmb(lt_trial *t, const lt_json *a, lt_report_kind kind, lt_buf *out,
                      lt_error *err)
{
    lt_report_options o = {.kind = kind, .cutoff = lt__arg_date(a, "cutoff")};
    return lt_report_dsmb_json(t, &o, out, err);
}

static lt_status op_report_open(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return dsmb(t, a, LT_REPORT_OPEN, out, err);
}

static lt_status op_report_closed(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return dsmb(t, a, LT_REPORT_CLOSED, out, err);
}

static const lt_op rows[] = {
    {"reports.dsmb", "GET", "/api/v1/reports/dsmb",
     "the DSMB report's figures with the arms pooled (report.json)", "lutetia report dsmb",
     R(STATISTICIAN) | R(MONITOR) | R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE),
     false, false,
     {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_report_open},
    {"reports.dsmb_closed", "GET", "/api/v1/reports/dsmb/closed",
     "the closed DSMB report's figures, by arm, with the comparisons (report.json)",
     "lutetia report dsmb --closed", R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE), false,
     false, {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_report_closed},
};

const lt_op_group lt__ops_report = {rows, sizeof rows / sizeof rows[0]};
