/* What the files of operation rows share: their group type and the readers of checked
 * arguments. Rows live in one file per area (ops.c: enrolment and reading; others added beside
 * it), each exporting one lt_op_group that ops.c lists. */
#ifndef LT_OPS_INT_H
#define LT_OPS_INT_H

#include "lutetia/date.h"
#include "lutetia/ops.h"

typedef struct lt_op_group {
    const lt_op *rows;
    size_t count;
} lt_op_group;

/* the groups of the other files (ops_records.c, ops_reads.c) */
extern const lt_op_group lt__ops_records;
extern const lt_op_group lt__ops_reads;
extern const lt_op_group lt__ops_sign; /* ops_sign.c: electronic signatures */
extern const lt_op_group lt__ops_report; /* ops_report.c: the DSMB report */
extern const lt_op_group lt__ops_account; /* ops_account.c: your password, second factor */
extern const lt_op_group lt__ops_stats; /* ops_stats.c: survival analyses of an endpoint */
extern const lt_op_group lt__ops_admin; /* ops_admin.c: amendments, users' rights, tokens */
extern const lt_op_group lt__ops_files; /* ops_files.c: iCalendar calendar, CONSORT diagram */
extern const lt_op_group lt__ops_scores; /* ops_scores.c: QLQ-C30 scores, RECIST responses */

#define R(x) LT_OP_ROLE(LT_ROLE_##x)
#define PATIENT_PATH {"patient", LT_OP_STRING, LT_OP_IN_PATH, true, "the patient's id"}

/* Arguments already checked by lt_ops_check_args: absent ones give NULL, LT_DATE_NONE, dflt,
 * false. */
const char *lt__arg_str(const lt_json *args, const char *name);
lt_date lt__arg_date(const lt_json *args, const char *name);
double lt__arg_num(const lt_json *args, const char *name, double dflt);
bool lt__arg_bool(const lt_json *args, const char *name);

#endif
