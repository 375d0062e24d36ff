/* Inside the export module: a dataset of typed columns, written as CSV and as SAS transport
 * version 5 (dataset.c), for the SDTM and ADaM domains (sdtm.c). */
#ifndef LUTETIA_EXPORT_INT_H
#define LUTETIA_EXPORT_INT_H

#include <stdbool.h>
#include "lutetia/buf.h"
#include "lutetia/date.h"
#include "lutetia/conduct.h"
#include "lutetia/json.h"
#include "lutetia/outcomes.h"
#include "lutetia/schedule.h"
#include "lutetia/status.h"
#include "lutetia/store.h"
#include "lutetia/trial.h"

typedef struct lt__ds_var {
    const char *name;  /* <= 8 characters, upper case */
    const char *label; /* <= 40 characters */
    bool numeric;      /* else text */
} lt__ds_var;

typedef struct lt__dataset {
    const char *name, *label; /* "DM", "Demographics" */
    const lt__ds_var *vars;
    size_t nvars;
    char **text;  /* nrows x nvars; NULL: empty */
    double *num;  /* nrows x nvars; NAN: missing */
    size_t nrows, cap;
    bool failed;  /* out of memory, or a variable the table does not have */
} lt__dataset;

lt__dataset *lt__ds_new(const char *name, const char *label, const lt__ds_var *vars,
                        size_t nvars);
void lt__ds_free(lt__dataset *d);
/* Starts a new row (every cell missing); then set its cells by variable name. */
bool lt__ds_row(lt__dataset *d);
void lt__ds_str(lt__dataset *d, const char *var, const char *value);
void lt__ds_num(lt__dataset *d, const char *var, double value);
/* A text cell of an earlier row (row < nrows): an exposure closed by a later record. */
void lt__ds_str_at(lt__dataset *d, size_t row, const char *var, const char *value);
/* LT_OK, or why the dataset cannot be written (names, labels, a text over 200 characters). */
lt_status lt__ds_check(const lt__dataset *d, lt_error *err);
void lt__ds_csv(const lt__dataset *d, lt_buf *out);
/* The bytes variable c takes in XPT: 8 for a number, the longest value (at least 1) for text. */
size_t lt__ds_width(const lt__dataset *d, size_t c);
lt_status lt__ds_xpt(const lt__dataset *d, lt_time created, lt_buf *out, lt_error *err);

/* ---- define.xml (define.c): the datasets written, described ---- */

typedef struct lt__define lt__define;
lt__define *lt__def_new(void); /* NULL: out of memory */
void lt__def_free(lt__define *def);
/* Takes d's names, labels, types, XPT lengths and coded values (d is the dataset just written;
 * its variable table must outlive def). Out of memory is reported by lt__def_write. */
void lt__def_add(lt__define *def, const lt__dataset *d, bool adam);
/* Writes dir/define.xml (Define-XML 2.0) for the datasets added, under SDTM-IG's name or, when
 * adam, ADaM-IG's (a library call asking for both gets one file listing both, each dataset
 * with its own Purpose; the command line asks for one standard a call). */
lt_status lt__def_write(lt__define *def, const char *dir, const char *study, bool adam,
                        lt_time created, lt_buf *summary, lt_error *err);

/* ---- the export's subjects and what every domain file shares (sdtm.c) ---- */

/* SAS counts days from 1960-01-01; lt_date from 1970-01-01. */
#define SAS_EPOCH_OFFSET 3653

/* The next --SEQ of each domain, per subject. */
enum { SEQ_LB, SEQ_AE, SEQ_EX, SEQ_DS, SEQ_VS, SEQ_TU, SEQ_TR, SEQ_RS, SEQ_QS, SEQ_COUNT };

typedef struct lt__xsubject {
    char *id, *site, *arm, *end_reason;
    lt_date randomised, consent, end, birth, death;
    lt_date last_dose;   /* the last infusion's day, LT_DATE_NONE when never dosed */
    char sex;            /* 'M', 'F', 'U' */
    char first_dose[32]; /* ISO 8601, "" when never dosed */
    int seq[SEQ_COUNT];
    const lt_outcome_record *rec; /* its outcomes record (ADaM, findings), or NULL */
    bool treated;        /* given a study treatment: an infusion, or an oral drug started */
    long oral_row;       /* EX's open row of the oral drug (started, not yet stopped), or -1 */
    double oral_mg;      /* its daily dose */
} lt__xsubject;

typedef struct lt__xvisit {
    char *id;       /* the calendar entry ("C1", "mri_y1.2") */
    char *label;    /* "Liver MRI (2 of 4)" */
    double num;     /* VISITNUM */
} lt__xvisit;

typedef struct lt__xctx {
    lt_trial *t;
    lt__xsubject *s;
    size_t n, cap;
    lt__dataset *ds;
    lt_status rc;
    lt_error *err;
    bool oom;
    /* read after the store snapshot: the conduct view, every subject's outcomes record, the
     * protocol's schedule and its planned visits (TV, SV) */
    lt_conduct *cd;
    lt_outcome_set *set;
    lt_json *demo; /* lt_conduct_demographics: the subjects' birth dates and sexes */
    lt_schedule *sched;
    lt__xvisit *visits;
    size_t nvisits;
    lt_date cutoff; /* ADTTE's data cut, LT_DATE_NONE: none */
    lt_buf *notes;  /* patients left out of ADTTE, a line each; may be NULL */
    size_t left_out;
    lt__define *def; /* every dataset written, for define.xml */
    bool adam;       /* the datasets being built are ADaM's */
} lt__xctx;

lt__xsubject *lt__x_find(lt__xctx *c, const char *id);
/* STUDYID, DOMAIN and USUBJID of a new SDTM row. */
void lt__x_keys(lt__xctx *c, const lt__xsubject *s, const char *domain);
void lt__x_usubjid(const lt__xctx *c, const lt__xsubject *s, char *out, size_t n);
const char *lt__x_arm_name(const lt__xctx *c, const char *arm);
const char *lt__x_date_s(lt_date d, char *buf); /* "" for LT_DATE_NONE */
double lt__x_sas_date(lt_date d);               /* NAN for LT_DATE_NONE */
void lt__x_dtc(const char *rfc3339, char *out, size_t n);
/* Calls fn with each record of kind whose subject is in the export, parsed. */
typedef void (*subject_fn)(lt__xctx *c, lt__xsubject *s, const lt_record *r,
                           const lt_json *j);
lt_status lt__x_each_of(lt__xctx *c, const char *kind, subject_fn fn);
/* The CDISC disposition term (NCOMPLT) of an end reason ("recurrence"). */
const char *lt__x_disposition(const char *reason);
/* The CDISC lab test code (<= 8 characters) and name of an analyte ("platelets"). */
void lt__x_lab_test(const char *analyte, char code[9], const char **name);
/* The planned visits of every arm into c->visits, numbered (design.c). */
lt_status lt__x_plan_visits(lt__xctx *c);
/* The VISITNUM of a calendar entry, or NAN. */
double lt__x_visitnum(const lt__xctx *c, const char *entry);

/* A dataset: its variables, and where its rows come from: rows(c) appends them to c->ds, or
 * each is called with every record of kind (either may be NULL). */
typedef struct lt__xdomain {
    const char *name, *label;
    const lt__ds_var *vars;
    size_t nvars;
    lt_status (*rows)(lt__xctx *c);
    const char *kind;
    subject_fn each;
} lt__xdomain;

/* ---- CDISC controlled terminology (terms.c) ---- */

typedef struct lt__ct_list {
    const char *name, *code, *label; /* "TPHASE", "C66737", "Trial Phase Response" */
} lt__ct_list;
typedef struct lt__ct_term {
    const char *list, *value, *code; /* "TPHASE", "PHASE II TRIAL", "C15601" */
} lt__ct_term;
typedef struct lt__qs_item {
    const char *testcd, *test, *code; /* "EOR0101", "EOR01-Trouble Doing ...", "C161674" */
} lt__qs_item;
extern const char lt__ct_version[]; /* the CT package the codes were checked against */
/* The codelist named name ("SEX"), or NULL. */
const lt__ct_list *lt__ct_list_find(const char *name);
/* The NCI C-code of value in codelist list, or NULL when the table does not hold it. */
const char *lt__ct_code(const char *list, const char *value);
/* The UNII of a study treatment (its agent's name and nuclide), or NULL when not confirmed. */
const char *lt__unii(const char *agent, const char *nuclide);
/* Question k (0-29) of the EORTC QLQ-C30 v3.0 under CDISC's names. */
const lt__qs_item *lt__qlq_c30_item(int k);

extern const lt__xdomain lt__x_design_domains[]; /* TA TE TV TI TS (design.c) */
extern const size_t lt__x_design_count;
extern const lt__xdomain lt__x_findings_domains[]; /* VS TU TR RS QS SV (findings.c) */
extern const size_t lt__x_findings_count;
extern const lt__xdomain lt__x_adam_domains[]; /* ADSL ADTTE ADAE ADLB (adam.c) */
extern const size_t lt__x_adam_count;

/* An OID part as ODM and define.xml spell it: letters, digits, '.', '-' and '_' (odm.c). */
void lt__oid_part(const char *s, char *out, size_t n);

#endif
