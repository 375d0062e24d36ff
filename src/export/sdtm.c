/* SDTM and ADaM datasets of a trial (include/lutetia/export.h), each written as CSV and as SAS
 * transport (XPT) version 5. The subjects are the patients randomised or registered at the
 * user's sites; variable names and labels follow SDTMIG 3.3 and ADaMIG 1.1 for the variables
 * written (docs/exports.md lists them). Dates are ISO 8601 in SDTM and SAS dates (days since
 * 1960-01-01) in ADaM. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"
#include "lutetia/conduct.h"
#include "lutetia/export.h"
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "../trial/trial_int.h"

typedef lt__xsubject subject;
typedef lt__xctx ctx;

subject *lt__x_find(ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->s[i].id, id)) return &c->s[i];
    return NULL;
}

static bool visible(const ctx *c, const lt_record *r)
{
    return c->t->all_sites || lt__trial_has_site(c->t, r->site);
}

static char *dup0(ctx *c, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d) c->oom = true;
    return d;
}

static int read_subject(const lt_record *r, void *p)
{
    ctx *c = p;
    if (!visible(c, r)) return 0;
    lt__pdoc d;
    lt_status rc = lt__pdoc_parse(r->data, r->rev, &d, c->err);
    if (rc != LT_OK) {
        c->rc = rc;
        return 1;
    }
    if (d.arm && d.allocation > 0) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            subject *more = realloc(c->s, cap * sizeof *more);
            if (!more) {
                lt__pdoc_free(&d);
                c->oom = true;
                return 1;
            }
            c->s = more;
            c->cap = cap;
        }
        subject *s = &c->s[c->n++];
        memset(s, 0, sizeof *s);
        s->id = dup0(c, d.id);
        s->site = dup0(c, d.site);
        s->arm = dup0(c, d.arm);
        s->end_reason = dup0(c, d.end_reason);
        s->randomised = d.randomised_on;
        s->consent = d.consent_date;
        s->end = d.end_on;
        s->birth = s->death = s->last_dose = LT_DATE_NONE;
        s->sex = 'U';
    }
    lt__pdoc_free(&d);
    return c->oom ? 1 : 0;
}

/* Calls fn with each record of kind whose subject is in the export, parsed. */
typedef struct each_ctx {
    ctx *c;
    subject_fn fn;
} each_ctx;

static int each_item(const lt_record *r, void *p)
{
    each_ctx *e = p;
    subject *s = r->patient ? lt__x_find(e->c, r->patient) : NULL;
    if (!s || !visible(e->c, r)) return 0;
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(r->data, strlen(r->data), r->kind, &j, e->c->err);
    if (rc != LT_OK) {
        e->c->rc = rc; /* a record left out would make every count wrong: stop */
        return 1;
    }
    e->fn(e->c, s, r, j);
    lt_json_free(j);
    return e->c->oom ? 1 : 0;
}

lt_status lt__x_each_of(ctx *c, const char *kind, subject_fn fn)
{
    each_ctx e = {c, fn};
    lt_status rc = lt_store_each(c->t->st, kind, NULL, each_item, &e, c->err);
    if (rc == LT_OK && c->rc) rc = c->rc; /* a record that could not be read */
    if (rc == LT_OK && c->oom) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    return rc;
}

/* Birth date and sex from lt_conduct_demographics, as the DSMB report's baseline reads them:
 * the recorded profile's, else the facts stored at screening. */
static lt_status take_demographics(ctx *c)
{
    for (const lt_json *v = lt_json_first(c->demo); v; v = lt_json_next(v)) {
        subject *s = lt__x_find(c, lt_json_get_str(v, "patient", ""));
        if (!s) continue;
        lt_date d;
        const char *b = lt_json_get_str(v, "birth_date", NULL),
                   *sex = lt_json_get_str(v, "sex", "");
        if (b && lt_date_parse(b, false, &d)) s->birth = d;
        s->sex = !strcmp(sex, "female") ? 'F' : !strcmp(sex, "male") ? 'M' : 'U';
    }
    return LT_OK;
}

static void take_death(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)c, (void)r;
    const lt_json *e = lt_json_get(j, "event");
    lt_date d;
    const char *date = lt_json_get_str(e, "date", NULL);
    if (!strcmp(lt_json_get_str(e, "type", ""), "death") && date &&
        lt_date_parse(date, false, &d))
        s->death = d;
}

/* An ISO 8601 date-time as SDTM writes it: no zone designator (all times are UTC, said in
 * docs/exports.md), seconds kept. */
void lt__x_dtc(const char *rfc3339, char *out, size_t n)
{
    snprintf(out, n, "%s", rfc3339 ? rfc3339 : "");
    size_t len = strlen(out);
    if (len && out[len - 1] == 'Z') out[len - 1] = 0;
}

/* The first and last exposure: an infusion's start, or an oral drug's start and stop days. */
static void exposure(subject *s, const char *at)
{
    if (*at && (!*s->first_dose || strcmp(at, s->first_dose) < 0))
        snprintf(s->first_dose, sizeof s->first_dose, "%s", at);
    lt_date d;
    char day[11];
    snprintf(day, sizeof day, "%.10s", at);
    if (*at && lt_date_parse(day, false, &d) && (s->last_dose == LT_DATE_NONE || d > s->last_dose))
        s->last_dose = d;
    if (*at) s->treated = true;
}

static void take_oral(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)c, (void)r;
    const char *type = lt_json_get_str(j, "type", "");
    if (!strcmp(type, "start") || !strcmp(type, "stop") || !strcmp(type, "resume") ||
        !strcmp(type, "dose"))
        exposure(s, lt_json_get_str(j, "date", ""));
}

static void take_first_dose(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)c, (void)r;
    char at[32];
    lt__x_dtc(lt_json_get_str(lt_json_get(j, "record"), "infusion_start", NULL), at, sizeof at);
    exposure(s, at);
}

const char *lt__x_date_s(lt_date d, char *buf)
{
    return d == LT_DATE_NONE ? "" : lt_date_format(d, buf);
}

double lt__x_sas_date(lt_date d) { return d == LT_DATE_NONE ? NAN : (double)(d + SAS_EPOCH_OFFSET); }

const char *lt__x_arm_name(const ctx *c, const char *arm)
{
    for (size_t k = 0; k < lt_protocol_arm_count(c->t->protocol); k++) {
        const lt_arm *a = lt_protocol_arm(c->t->protocol, k);
        if (!strcmp(a->id, arm)) return a->name ? a->name : a->id;
    }
    return arm;
}

void lt__x_usubjid(const ctx *c, const subject *s, char *out, size_t n)
{
    snprintf(out, n, "%s-%s", lt_protocol_name(c->t->protocol), s->id);
}

/* The columns every SDTM domain starts with. */
void lt__x_keys(ctx *c, const subject *s, const char *domain)
{
    char u[160];
    lt__x_usubjid(c, s, u, sizeof u);
    lt__ds_str(c->ds, "STUDYID", lt_protocol_name(c->t->protocol));
    lt__ds_str(c->ds, "DOMAIN", domain);
    lt__ds_str(c->ds, "USUBJID", u);
}

/* ---- SDTM ---- */

static const lt__ds_var DM_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"SUBJID", "Subject Identifier for the Study", false},
    {"RFSTDTC", "Subject Reference Start Date/Time", false},
    {"RFENDTC", "Subject Reference End Date/Time", false},
    {"RFXSTDTC", "Date/Time of First Study Treatment", false},
    {"RFICDTC", "Date/Time of Informed Consent", false},
    {"DTHDTC", "Date/Time of Death", false},
    {"DTHFL", "Subject Death Flag", false},
    {"SITEID", "Study Site Identifier", false},
    {"BRTHDTC", "Date/Time of Birth", false},
    {"SEX", "Sex", false},
    {"ARMCD", "Planned Arm Code", false},
    {"ARM", "Description of Planned Arm", false},
    {"ACTARMCD", "Actual Arm Code", false},
    {"ACTARM", "Description of Actual Arm", false},
};

static lt_status dm_rows(ctx *c)
{
    char b[LT_DATE_STR_MAX];
    for (size_t i = 0; i < c->n && lt__ds_row(c->ds); i++) {
        subject *s = &c->s[i];
        lt__x_keys(c, s, "DM");
        lt__ds_str(c->ds, "SUBJID", s->id);
        lt__ds_str(c->ds, "RFSTDTC", lt__x_date_s(s->randomised, b));
        lt__ds_str(c->ds, "RFENDTC", lt__x_date_s(s->end, b));
        lt__ds_str(c->ds, "RFXSTDTC", s->first_dose);
        lt__ds_str(c->ds, "RFICDTC", lt__x_date_s(s->consent, b));
        lt__ds_str(c->ds, "DTHDTC", lt__x_date_s(s->death, b));
        lt__ds_str(c->ds, "DTHFL", s->death != LT_DATE_NONE ? "Y" : NULL);
        lt__ds_str(c->ds, "SITEID", s->site);
        lt__ds_str(c->ds, "BRTHDTC", lt__x_date_s(s->birth, b));
        lt__ds_str(c->ds, "SEX", (char[2]){s->sex, 0});
        lt__ds_str(c->ds, "ARMCD", s->arm);
        lt__ds_str(c->ds, "ARM", lt__x_arm_name(c, s->arm));
        lt__ds_str(c->ds, "ACTARMCD", s->arm);
        lt__ds_str(c->ds, "ACTARM", lt__x_arm_name(c, s->arm));
    }
    return LT_OK;
}

static const lt__ds_var DS_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"DSSEQ", "Sequence Number", true},
    {"DSTERM", "Reported Term for the Disposition Event", false},
    {"DSDECOD", "Standardized Disposition Term", false},
    {"DSCAT", "Category for Disposition Event", false},
    {"DSSTDTC", "Start Date/Time of Disposition Event", false},
};

/* The end reasons as the CDISC disposition terms (NCOMPLT) name them. */
const char *lt__x_disposition(const char *reason)
{
    static const char *const map[][2] = {
        {"completed", "COMPLETED"},
        {"recurrence", "PROGRESSIVE DISEASE"},
        {"death", "DEATH"},
        {"withdrawal", "WITHDRAWAL BY SUBJECT"},
        {"lost_to_follow_up", "LOST TO FOLLOW-UP"},
        {"trial_terminated", "STUDY TERMINATED BY SPONSOR"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], reason)) return map[i][1];
    return "OTHER";
}

static void ds_row(ctx *c, subject *s, const char *term, const char *decod, const char *cat,
                   lt_date on)
{
    char b[LT_DATE_STR_MAX];
    if (!lt__ds_row(c->ds)) return;
    lt__x_keys(c, s, "DS");
    lt__ds_num(c->ds, "DSSEQ", ++s->seq[SEQ_DS]);
    lt__ds_str(c->ds, "DSTERM", term);
    lt__ds_str(c->ds, "DSDECOD", decod);
    lt__ds_str(c->ds, "DSCAT", cat);
    lt__ds_str(c->ds, "DSSTDTC", lt__x_date_s(on, b));
}

static lt_status ds_rows(ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        subject *s = &c->s[i];
        if (s->consent != LT_DATE_NONE)
            ds_row(c, s, "INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED",
                   "PROTOCOL MILESTONE", s->consent);
        ds_row(c, s, "RANDOMIZED", "RANDOMIZED", "PROTOCOL MILESTONE", s->randomised);
        if (s->end_reason)
            ds_row(c, s, s->end_reason, lt__x_disposition(s->end_reason), "DISPOSITION EVENT", s->end);
    }
    return LT_OK;
}

static const lt__ds_var LB_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"LBSEQ", "Sequence Number", true},
    {"LBTESTCD", "Lab Test or Examination Short Name", false},
    {"LBTEST", "Lab Test or Examination Name", false},
    {"LBORRES", "Result or Finding in Original Units", false},
    {"LBORRESU", "Original Units", false},
    {"LBORNRLO", "Reference Range Lower Limit in Orig Unit", false},
    {"LBORNRHI", "Reference Range Upper Limit in Orig Unit", false},
    {"LBSTRESC", "Character Result/Finding in Std Format", false},
    {"LBSTRESN", "Numeric Result/Finding in Standard Units", true},
    {"LBSTRESU", "Standard Units", false},
    {"LBTOXGR", "Standard Toxicity Grade", false},
    {"LBDTC", "Date/Time of Specimen Collection", false},
};

/* The CDISC lab test codes of the analytes the engine grades; others by their name. */
void lt__x_lab_test(const char *analyte, char code[9], const char **name)
{
    static const char *const map[][3] = {
        {"hemoglobin", "HGB", "Hemoglobin"},
        {"wbc", "WBC", "Leukocytes"},
        {"neutrophils", "NEUT", "Neutrophils"},
        {"lymphocytes", "LYM", "Lymphocytes"},
        {"platelets", "PLAT", "Platelets"},
        {"creatinine", "CREAT", "Creatinine"},
        {"bilirubin", "BILI", "Bilirubin"},
        {"alt", "ALT", "Alanine Aminotransferase"},
        {"ast", "AST", "Aspartate Aminotransferase"},
        {"albumin", "ALB", "Albumin"},
        {"glucose_fasting", "GLUC", "Glucose"},
        {"inr", "INR", "Prothrombin Intl. Normalized Ratio"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], analyte)) {
            snprintf(code, 9, "%s", map[i][1]);
            *name = map[i][2];
            return;
        }
    size_t k = 0;
    for (; analyte[k] && k < 8; k++)
        code[k] = (char)(analyte[k] >= 'a' && analyte[k] <= 'z' ? analyte[k] - 32 : analyte[k]);
    code[k] = 0;
    *name = analyte;
}

static void num_text(const lt_json *v, char *buf, size_t n)
{
    double x;
    if (lt_json_num(v, &x))
        snprintf(buf, n, "%.15g", x);
    else
        buf[0] = 0;
}

static void lb_row(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)r;
    if (!lt__ds_row(c->ds)) return;
    char code[9], v[64], lo[64], hi[64], g[8];
    const char *name;
    lt__x_lab_test(lt_json_get_str(j, "analyte", "?"), code, &name);
    lt__x_keys(c, s, "LB");
    lt__ds_num(c->ds, "LBSEQ", ++s->seq[SEQ_LB]);
    lt__ds_str(c->ds, "LBTESTCD", code);
    lt__ds_str(c->ds, "LBTEST", name);
    num_text(lt_json_get(j, "value"), v, sizeof v);
    lt__ds_str(c->ds, "LBORRES", v);
    lt__ds_str(c->ds, "LBORRESU", lt_json_get_str(j, "unit", NULL));
    num_text(lt_json_get(j, "lln"), lo, sizeof lo);
    num_text(lt_json_get(j, "uln"), hi, sizeof hi);
    lt__ds_str(c->ds, "LBORNRLO", lo);
    lt__ds_str(c->ds, "LBORNRHI", hi);
    lt__ds_str(c->ds, "LBSTRESC", v);
    double x;
    if (lt_json_num(lt_json_get(j, "value"), &x)) lt__ds_num(c->ds, "LBSTRESN", x);
    lt__ds_str(c->ds, "LBSTRESU", lt_json_get_str(j, "unit", NULL));
    if (lt_json_num(lt_json_get(lt_json_get(j, "grade"), "grade"), &x) && x >= 0 && x <= 5) {
        snprintf(g, sizeof g, "%d", (int)x);
        lt__ds_str(c->ds, "LBTOXGR", g);
    }
    lt__ds_str(c->ds, "LBDTC", lt_json_get_str(j, "date", NULL));
}

static const lt__ds_var AE_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"AESEQ", "Sequence Number", true},
    {"AESPID", "Sponsor-Defined Identifier", false},
    {"AETERM", "Reported Term for the Adverse Event", false},
    {"AEDECOD", "Dictionary-Derived Term", false},
    {"AELLTCD", "Lowest Level Term Code", true},
    {"AEBODSYS", "Body System or Organ Class", false},
    {"AETOXGR", "Standard Toxicity Grade", false},
    {"AESER", "Serious Event", false},
    {"AEREL", "Causality", false},
    {"AESTDTC", "Start Date/Time of Adverse Event", false},
    {"AEENDTC", "End Date/Time of Adverse Event", false},
};

static void ae_row(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    if (!lt__ds_row(c->ds)) return;
    char g[8];
    double x;
    bool serious = false;
    const char *slash = strrchr(r->id, '/');
    lt__x_keys(c, s, "AE");
    lt__ds_num(c->ds, "AESEQ", ++s->seq[SEQ_AE]);
    lt__ds_str(c->ds, "AESPID", slash ? slash + 1 : r->id);
    lt__ds_str(c->ds, "AETERM", lt_json_get_str(j, "term", NULL));
    /* the CTCAE v5.0 term is a MedDRA lowest level term: the term recorded is the coded one */
    lt__ds_str(c->ds, "AEDECOD", lt_json_get_str(j, "term", NULL));
    /* coded against the CTCAE v5.0 list: its MedDRA code and system organ class */
    const char *llt = lt_json_get_str(j, "meddra", NULL);
    if (llt) lt__ds_num(c->ds, "AELLTCD", atof(llt));
    lt__ds_str(c->ds, "AEBODSYS", lt_json_get_str(j, "soc", NULL));
    if (lt_json_get_str(j, "verbatim", NULL))
        lt__ds_str(c->ds, "AETERM", lt_json_get_str(j, "verbatim", NULL));
    if (lt_json_num(lt_json_get(j, "grade"), &x) && x >= 1 && x <= 5) {
        snprintf(g, sizeof g, "%d", (int)x);
        lt__ds_str(c->ds, "AETOXGR", g);
    }
    lt_json_bool(lt_json_get(j, "serious"), &serious);
    lt__ds_str(c->ds, "AESER", serious ? "Y" : "N");
    const char *rel = lt_json_get_str(j, "related", NULL);
    char up[32] = "";
    for (size_t k = 0; rel && rel[k] && k + 1 < sizeof up; k++) {
        up[k] = (char)(rel[k] >= 'a' && rel[k] <= 'z' ? rel[k] - 32 : rel[k] == '_' ? ' ' : rel[k]);
        up[k + 1] = 0;
    }
    lt__ds_str(c->ds, "AEREL", up);
    lt__ds_str(c->ds, "AESTDTC", lt_json_get_str(j, "start", NULL));
    lt__ds_str(c->ds, "AEENDTC", lt_json_get_str(j, "end", NULL));
}

static const lt__ds_var EX_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"EXSEQ", "Sequence Number", true},
    {"EXSPID", "Sponsor-Defined Identifier", false},
    {"EXTRT", "Name of Treatment", false},
    {"EXDOSE", "Dose", true},
    {"EXDOSU", "Dose Units", false},
    {"EXROUTE", "Route of Administration", false},
    {"EXSTDTC", "Start Date/Time of Treatment", false},
    {"EXENDTC", "End Date/Time of Treatment", false},
    /* last, so that the columns before it keep their places for scripts reading by position */
    {"EXDOSFRQ", "Dosing Frequency per Interval", false},
};

static void ex_row(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)r;
    if (!lt__ds_row(c->ds)) return;
    const lt_json *rec = lt_json_get(j, "record");
    char cyc[16], at[32];
    double x;
    lt__x_keys(c, s, "EX");
    lt__ds_num(c->ds, "EXSEQ", ++s->seq[SEQ_EX]);
    if (lt_json_num(lt_json_get(j, "cycle"), &x)) {
        snprintf(cyc, sizeof cyc, "C%d", (int)x);
        lt__ds_str(c->ds, "EXSPID", cyc);
    }
    lt__ds_str(c->ds, "EXTRT", "177Lu-DOTATATE");
    if (lt_json_num(lt_json_get(lt_json_get(j, "result"), "administered_mbq"), &x))
        lt__ds_num(c->ds, "EXDOSE", round(x * 10) / 10);
    lt__ds_str(c->ds, "EXDOSU", "MBq");
    const char *route = lt_json_get_str(rec, "route", "");
    lt__ds_str(c->ds, "EXROUTE", !strcmp(route, "intravenous")       ? "INTRAVENOUS"
                                 : !strncmp(route, "intra", 5)        ? "INTRA-ARTERIAL"
                                                                      : NULL);
    lt__x_dtc(lt_json_get_str(rec, "infusion_start", NULL), at, sizeof at);
    lt__ds_str(c->ds, "EXSTDTC", at);
    lt__x_dtc(lt_json_get_str(rec, "infusion_end", NULL), at, sizeof at);
    lt__ds_str(c->ds, "EXENDTC", at);
}

/* An oral drug taken daily (NET RETREAT's everolimus): one EX row per period at one dose,
 * from its start (or a resumption, or a new dose) to the day before an interruption or a new
 * dose, or to the stop day; a period still open has no end. The records come in the order
 * they were written, which is the order of their dates for one patient. */
static void ex_oral_row(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)r;
    const char *type = lt_json_get_str(j, "type", ""), *date = lt_json_get_str(j, "date", "");
    bool opens = !strcmp(type, "start") || !strcmp(type, "resume") || !strcmp(type, "dose");
    bool closes = !strcmp(type, "interrupt") || !strcmp(type, "stop") || !strcmp(type, "dose");
    if (!opens && !closes) return;
    if (closes && s->oral_row >= 0) {
        char end[LT_DATE_STR_MAX] = "";
        lt_date d;
        if (!strcmp(type, "stop"))
            snprintf(end, sizeof end, "%s", date);
        else if (lt_date_parse(date, false, &d))
            lt_date_format(d - 1, end);
        lt__ds_str_at(c->ds, (size_t)s->oral_row, "EXENDTC", end);
        s->oral_row = -1;
    }
    double mg;
    if (lt_json_num(lt_json_get(j, "dose_mg"), &mg)) s->oral_mg = mg;
    if (!opens || !lt__ds_row(c->ds)) return;
    lt__x_keys(c, s, "EX");
    lt__ds_num(c->ds, "EXSEQ", ++s->seq[SEQ_EX]);
    lt__ds_str(c->ds, "EXTRT", lt_json_get_str(j, "drug", NULL));
    if (s->oral_mg > 0) lt__ds_num(c->ds, "EXDOSE", s->oral_mg);
    lt__ds_str(c->ds, "EXDOSU", "mg");
    lt__ds_str(c->ds, "EXDOSFRQ", "QD");
    lt__ds_str(c->ds, "EXROUTE", "ORAL");
    lt__ds_str(c->ds, "EXSTDTC", date);
    s->oral_row = (long)c->ds->nrows - 1;
}

static lt_status ex_rows(ctx *c)
{
    for (size_t i = 0; i < c->n; i++) c->s[i].oral_row = -1, c->s[i].oral_mg = 0;
    lt_status rc = lt__x_each_of(c, "administration", ex_row);
    if (rc == LT_OK) rc = lt__x_each_of(c, "oral_event", ex_oral_row);
    return rc;
}

/* ---- writing ---- */

static lt_status write_dataset(const lt__dataset *d, const char *dir, lt_time created,
                               lt_buf *summary, lt_error *err)
{
    lt_status rc = lt__ds_check(d, err);
    if (rc != LT_OK) return rc;
    char lower[16], path[1024];
    size_t k = 0;
    for (; d->name[k] && k + 1 < sizeof lower; k++)
        lower[k] = (char)(d->name[k] >= 'A' && d->name[k] <= 'Z' ? d->name[k] + 32 : d->name[k]);
    lower[k] = 0;
    lt_buf csv = LT_BUF_INIT, xpt = LT_BUF_INIT;
    lt__ds_csv(d, &csv);
    rc = lt__ds_xpt(d, created, &xpt, err);
    if (rc == LT_OK && (lt_buf_failed(&csv) || lt_buf_failed(&xpt)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    snprintf(path, sizeof path, "%s/%s.csv", dir, lower);
    if (rc == LT_OK) rc = lt_file_write(path, csv.p, csv.n, err);
    snprintf(path, sizeof path, "%s/%s.xpt", dir, lower);
    if (rc == LT_OK) rc = lt_file_write(path, xpt.p, xpt.n, err);
    if (rc == LT_OK && summary)
        lt_buf_printf(summary, "%s: %zu rows, %zu variables (%s.csv, %s.xpt)\n", d->name,
                      d->nrows, d->nvars, lower, lower);
    lt_buf_free(&csv);
    lt_buf_free(&xpt);
    return rc;
}

static lt_status build(ctx *c, const lt__xdomain *dom, const char *dir, lt_time created,
                       lt_buf *summary)
{
    c->ds = lt__ds_new(dom->name, dom->label, dom->vars, dom->nvars);
    if (!c->ds) LT_FAIL(c->err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < c->n; i++) memset(c->s[i].seq, 0, sizeof c->s[i].seq);
    lt_status rc = LT_OK;
    if (dom->rows) rc = dom->rows(c);
    if (rc == LT_OK && dom->kind) rc = lt__x_each_of(c, dom->kind, dom->each);
    if (rc == LT_OK && c->rc) rc = c->rc; /* a record that could not be read */
    if (rc == LT_OK && c->oom) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = write_dataset(c->ds, dir, created, summary, c->err);
    lt__ds_free(c->ds);
    c->ds = NULL;
    return rc;
}

static lt_status subjects(ctx *c)
{
    lt_status rc = lt_store_each(c->t->st, "patient", NULL, read_subject, c, c->err);
    if (rc == LT_OK && c->rc) rc = c->rc; /* a record that could not be read */
    if (rc == LT_OK && c->oom) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = take_demographics(c);
    if (rc == LT_OK) rc = lt__x_each_of(c, "outcome_event", take_death);
    if (rc == LT_OK) rc = lt__x_each_of(c, "administration", take_first_dose);
    if (rc == LT_OK) rc = lt__x_each_of(c, "oral_event", take_oral);
    for (size_t i = 0; rc == LT_OK && c->set && i < c->set->n; i++) {
        subject *s = lt__x_find(c, c->set->records[i]->id);
        if (s) s->rec = c->set->records[i];
    }
    return rc;
}

static void subjects_free(ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->s[i].id), free(c->s[i].site), free(c->s[i].arm), free(c->s[i].end_reason);
    free(c->s);
    for (size_t i = 0; i < c->nvisits; i++) free(c->visits[i].id), free(c->visits[i].label);
    free(c->visits);
    lt_schedule_free(c->sched);
    lt_outcome_set_free(c->set);
    lt_json_free(c->demo);
    lt_conduct_free(c->cd);
}

#define N(a) (sizeof a / sizeof a[0])

static const lt__xdomain SDTM[] = {
    {"DM", "Demographics", DM_VARS, N(DM_VARS), dm_rows, NULL, NULL},
    {"DS", "Disposition", DS_VARS, N(DS_VARS), ds_rows, NULL, NULL},
    {"EX", "Exposure", EX_VARS, N(EX_VARS), ex_rows, NULL, NULL},
    {"AE", "Adverse Events", AE_VARS, N(AE_VARS), NULL, "adverse_event", ae_row},
    {"LB", "Laboratory Test Results", LB_VARS, N(LB_VARS), NULL, "lab", lb_row},
};

static lt_status build_all(ctx *c, const lt__xdomain *doms, size_t n, const char *dir,
                           lt_time created, lt_buf *summary)
{
    lt_status rc = LT_OK;
    for (size_t i = 0; rc == LT_OK && i < n; i++) rc = build(c, &doms[i], dir, created, summary);
    return rc;
}

lt_status lt_export_tabulations(lt_trial *t, const lt_export_tab_options *o, lt_buf *summary,
                                lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_EXPORT, "export the trial's data", err);
    if (rc != LT_OK) return rc;
    if (!o || !o->dir || !*o->dir)
        LT_FAIL(err, LT_EINVAL, "--out", "the folder to write the datasets to is needed");
    lt_time created = o->created ? o->created : lt_time_now();
    ctx c = {.t = t, .err = err, .cutoff = o->cutoff, .notes = o->notes};
    /* the outcomes records (assessments, questionnaires, visits, endpoint anchors) come through
     * the conduct module, which opens its own reads: before the snapshot the rest is read in */
    rc = lt_conduct_new(t, NULL, &c.cd, err);
    if (rc == LT_OK) rc = lt_conduct_outcomes(c.cd, NULL, NULL, &c.set, err);
    lt_buf demo = LT_BUF_INIT;
    if (rc == LT_OK) rc = lt_conduct_demographics(c.cd, &demo, err);
    if (rc == LT_OK && lt_buf_failed(&demo)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(demo.p, demo.n, "demographics", &c.demo, err);
    lt_buf_free(&demo);
    if (rc == LT_OK && o->sdtm) rc = lt__x_plan_visits(&c);
    if (rc == LT_OK) rc = lt_store_read_begin(t->st, err);
    if (rc != LT_OK) {
        subjects_free(&c);
        return rc;
    }
    rc = subjects(&c);
    if (rc == LT_OK && o->sdtm) rc = build_all(&c, SDTM, N(SDTM), o->dir, created, summary);
    /* SV reads each subject's calendar through the conduct module (its own reads) */
    lt_store_read_end(t->st);
    if (rc == LT_OK && o->sdtm)
        rc = build_all(&c, lt__x_design_domains, lt__x_design_count, o->dir, created, summary);
    if (rc == LT_OK && o->sdtm)
        rc = build_all(&c, lt__x_findings_domains, lt__x_findings_count, o->dir, created,
                       summary);
    if (rc == LT_OK && o->adam)
        rc = build_all(&c, lt__x_adam_domains, lt__x_adam_count, o->dir, created, summary);
    if (o->left_out) *o->left_out = c.left_out;
    subjects_free(&c);
    return rc;
}
