/* SDTM findings and visits of the subjects: VS (the vital signs screened), TU and TR (each
 * lesion identified and measured at a tumour assessment), RS (the RECIST 1.1 response of each
 * follow-up assessment, evaluated as the engine evaluates it), QS (EORTC QLQ-C30 answers) and
 * SV (the calendar entries done, with their actual dates). TU, TR, RS, QS and SV read the
 * subjects' outcomes records (lt_conduct_outcomes); VS the screened facts. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"

typedef lt__xsubject subject;
typedef lt__xctx ctx;

#define N(a) (sizeof a / sizeof a[0])

static void upper(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s && s[k] && k + 1 < n; k++)
        out[k] = (char)(s[k] == '_' ? ' ' : toupper((unsigned char)s[k]));
    out[k] = 0;
}

/* ---- VS ---- */

static void vs_test(const char *code, char cd[9], const char **name)
{
    static const char *const map[][3] = {
        {"weight", "WEIGHT", "Weight"},
        {"height", "HEIGHT", "Height"},
        {"bmi", "BMI", "Body Mass Index"},
        {"systolic_bp", "SYSBP", "Systolic Blood Pressure"},
        {"diastolic_bp", "DIABP", "Diastolic Blood Pressure"},
        {"heart_rate", "PULSE", "Pulse Rate"},
        {"temperature", "TEMP", "Temperature"},
    };
    for (size_t i = 0; i < N(map); i++)
        if (!strcmp(map[i][0], code)) {
            snprintf(cd, 9, "%s", map[i][1]);
            *name = map[i][2];
            return;
        }
    size_t k = 0;
    for (; code[k] && k < 8; k++) cd[k] = (char)(isalnum((unsigned char)code[k]) ? toupper((unsigned char)code[k]) : '_');
    cd[k] = 0;
    *name = code;
}

/* The screened facts hold the vital signs measured for screening (docs/patient-format.md,
 * "vitals"); the visits after it record none, so VS is the screening's. */
static void vs_rows(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)r;
    for (const lt_json *v = lt_json_first(lt_json_get(j, "vitals")); v; v = lt_json_next(v)) {
        double x;
        if (!lt_json_num(lt_json_get(v, "value"), &x) || !lt__ds_row(c->ds)) continue;
        char cd[9], val[64];
        const char *name;
        vs_test(lt_json_get_str(v, "code", "?"), cd, &name);
        lt__x_keys(c, s, "VS");
        lt__ds_num(c->ds, "VSSEQ", ++s->seq[SEQ_VS]);
        lt__ds_str(c->ds, "VSTESTCD", cd);
        lt__ds_str(c->ds, "VSTEST", name);
        snprintf(val, sizeof val, "%.15g", x);
        lt__ds_str(c->ds, "VSORRES", val);
        lt__ds_str(c->ds, "VSORRESU", lt_json_get_str(v, "unit", NULL));
        lt__ds_str(c->ds, "VSSTRESC", val);
        lt__ds_num(c->ds, "VSSTRESN", x);
        lt__ds_str(c->ds, "VSSTRESU", lt_json_get_str(v, "unit", NULL));
        lt__ds_str(c->ds, "VSDTC", lt_json_get_str(v, "date", NULL));
    }
}

/* ---- TU, TR, RS ---- */

/* "mri_liver" -> MRI, "ct" -> CT, "ga68_dotatate_pet" -> PET/CT (the CDISC method terms). */
static const char *method(const char *modality)
{
    if (!modality) return NULL;
    if (strstr(modality, "mri")) return "MRI";
    if (strstr(modality, "pet")) return "PET/CT";
    if (strstr(modality, "ct")) return "CT SCAN";
    return NULL;
}

static const char *state(lt_lesion_status st)
{
    switch (st) {
    case LT_LESION_PRESENT: return "PRESENT";
    case LT_LESION_ABSENT: return "ABSENT";
    case LT_LESION_PROGRESSION: return "UNEQUIVOCAL PROGRESSION";
    default: return "NOT EVALUABLE";
    }
}

static lt_status tu_rows(ctx *c)
{
    char d[LT_DATE_STR_MAX], loc[64];
    for (size_t i = 0; i < c->n; i++) {
        subject *s = &c->s[i];
        const lt_outcome_record *rec = s->rec;
        int nnew = 0;
        for (size_t a = 0; rec && a < rec->nassessments; a++) {
            const lt_tumour_assessment *as = &rec->assessments[a];
            /* a lesion is identified at the first assessment that names it */
            for (size_t l = 0; l < as->nlesions; l++) {
                const lt_lesion *le = &as->lesions[l];
                bool earlier = false;
                for (size_t b = 0; b < a && !earlier; b++)
                    for (size_t m = 0; m < rec->assessments[b].nlesions; m++)
                        if (!strcmp(rec->assessments[b].lesions[m].id, le->id)) earlier = true;
                if (earlier || !lt__ds_row(c->ds)) continue;
                lt__x_keys(c, s, "TU");
                lt__ds_num(c->ds, "TUSEQ", ++s->seq[SEQ_TU]);
                lt__ds_str(c->ds, "TULNKID", le->id);
                lt__ds_str(c->ds, "TUTESTCD", "TUMIDENT");
                lt__ds_str(c->ds, "TUTEST", "Tumor Identification");
                lt__ds_str(c->ds, "TUORRES", le->target ? "TARGET" : "NON-TARGET");
                lt__ds_str(c->ds, "TUSTRESC", le->target ? "TARGET" : "NON-TARGET");
                upper(le->nodal && !le->organ ? "lymph_node" : le->organ, loc, sizeof loc);
                lt__ds_str(c->ds, "TULOC", loc);
                lt__ds_str(c->ds, "TUMETHOD", method(as->modality));
                lt__ds_str(c->ds, "TUEVAL", "INVESTIGATOR");
                lt__ds_str(c->ds, "TUDTC", lt_date_format(as->date, d));
            }
            /* a new lesion is recorded as found, not measured: one row, NEW01, NEW02, ... */
            if (as->new_lesions && lt__ds_row(c->ds)) {
                char id[16];
                snprintf(id, sizeof id, "NEW%02d", ++nnew);
                lt__x_keys(c, s, "TU");
                lt__ds_num(c->ds, "TUSEQ", ++s->seq[SEQ_TU]);
                lt__ds_str(c->ds, "TULNKID", id);
                lt__ds_str(c->ds, "TUTESTCD", "TUMIDENT");
                lt__ds_str(c->ds, "TUTEST", "Tumor Identification");
                lt__ds_str(c->ds, "TUORRES", "NEW");
                lt__ds_str(c->ds, "TUSTRESC", "NEW");
                lt__ds_str(c->ds, "TUMETHOD", method(as->modality));
                lt__ds_str(c->ds, "TUEVAL", "INVESTIGATOR");
                lt__ds_str(c->ds, "TUDTC", lt_date_format(as->date, d));
            }
        }
    }
    return LT_OK;
}

static void tr_row(ctx *c, subject *s, const lt_tumour_assessment *as, const char *lnk,
                   const char *cd, const char *test, const char *res, double num, const char *unit)
{
    char d[LT_DATE_STR_MAX];
    if (!lt__ds_row(c->ds)) return;
    lt__x_keys(c, s, "TR");
    lt__ds_num(c->ds, "TRSEQ", ++s->seq[SEQ_TR]);
    lt__ds_str(c->ds, "TRLNKID", lnk);
    lt__ds_str(c->ds, "TRTESTCD", cd);
    lt__ds_str(c->ds, "TRTEST", test);
    lt__ds_str(c->ds, "TRORRES", res);
    lt__ds_str(c->ds, "TRORRESU", res && unit ? unit : NULL);
    lt__ds_str(c->ds, "TRSTRESC", res);
    lt__ds_num(c->ds, "TRSTRESN", num);
    lt__ds_str(c->ds, "TRSTRESU", res && unit ? unit : NULL);
    lt__ds_str(c->ds, "TRSTAT", res ? NULL : "NOT DONE");
    lt__ds_str(c->ds, "TRMETHOD", method(as->modality));
    lt__ds_str(c->ds, "TREVAL", "INVESTIGATOR");
    lt__ds_str(c->ds, "TRDTC", lt_date_format(as->date, d));
}

/* Each lesion at each assessment: a target's diameter (nodes: the short axis) in mm, a
 * non-target's state; and the sum of the target diameters RECIST compares. */
static lt_status tr_rows(ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        subject *s = &c->s[i];
        const lt_outcome_record *rec = s->rec;
        for (size_t a = 0; rec && a < rec->nassessments; a++) {
            const lt_tumour_assessment *as = &rec->assessments[a];
            double sum = 0;
            bool targets = false, all = true;
            for (size_t l = 0; l < as->nlesions; l++) {
                const lt_lesion *le = &as->lesions[l];
                char v[32];
                if (le->target) {
                    targets = true;
                    bool measured = !isnan(le->mm);
                    all = all && measured;
                    if (measured) sum += le->mm;
                    snprintf(v, sizeof v, "%g", le->mm);
                    tr_row(c, s, as, le->id, le->nodal ? "SAXIS" : "LDIAM",
                           le->nodal ? "Short Axis" : "Longest Diameter", measured ? v : NULL,
                           measured ? le->mm : NAN, "mm");
                } else {
                    tr_row(c, s, as, le->id, "TUMSTATE", "Tumor State", state(le->status), NAN,
                           NULL);
                }
            }
            if (targets) {
                char v[32];
                snprintf(v, sizeof v, "%g", sum);
                tr_row(c, s, as, NULL, "SUMDIAM", "Sum of Diameter", all ? v : NULL,
                       all ? sum : NAN, "mm");
            }
        }
    }
    return LT_OK;
}

/* RSORRES in the terms RECIST 1.1 and CDISC's oncology response codelist use; NED (no
 * evidence of disease) is the adjuvant trials' response without measurable disease. */
static lt_status rs_rows(ctx *c)
{
    char d[LT_DATE_STR_MAX];
    lt_status rc = LT_OK;
    for (size_t i = 0; rc == LT_OK && i < c->n; i++) {
        subject *s = &c->s[i];
        const lt_outcome_record *rec = s->rec;
        if (!rec || rec->nassessments < 2) continue;
        lt_recist_result *res = calloc(rec->nassessments, sizeof *res);
        if (!res) return lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
        char where[96];
        snprintf(where, sizeof where, "patient %.64s", s->id);
        rc = lt_recist_evaluate(rec->assessments, rec->nassessments, where, res, c->err);
        for (size_t a = 1; rc == LT_OK && a < rec->nassessments; a++) {
            static const struct {
                const char *cd, *test;
            } tests[] = {{"TRGRESP", "Target Response"},
                         {"NTRGRESP", "Non-target Response"},
                         {"OVRLRESP", "Overall Response"}};
            lt_recist_response r3[3] = {res[a].target, res[a].nontarget, res[a].overall};
            for (size_t t = 0; t < 3; t++) {
                /* a response of lesions that were never there is not written (no targets:
                 * no target response) */
                if (t < 2 && r3[t] == LT_RECIST_NED) continue;
                if (!lt__ds_row(c->ds)) break;
                lt__x_keys(c, s, "RS");
                lt__ds_num(c->ds, "RSSEQ", ++s->seq[SEQ_RS]);
                lt__ds_str(c->ds, "RSTESTCD", tests[t].cd);
                lt__ds_str(c->ds, "RSTEST", tests[t].test);
                lt__ds_str(c->ds, "RSCAT", "RECIST 1.1");
                lt__ds_str(c->ds, "RSORRES", lt_recist_response_name(r3[t]));
                lt__ds_str(c->ds, "RSSTRESC", lt_recist_response_name(r3[t]));
                lt__ds_str(c->ds, "RSEVAL", "INVESTIGATOR");
                lt__ds_str(c->ds, "RSDTC", lt_date_format(rec->assessments[a].date, d));
            }
        }
        free(res);
    }
    return rc;
}

/* ---- QS ---- */

/* The EORTC QLQ-C30 (version 3.0) items under CDISC's names (terms.c: QSTESTCD EOR0101 ...
 * EOR0130, QSTEST "EOR01-Trouble Doing Strenuous Activities" ...; QSCAT the Category of
 * Questionnaire term); the answers as given (1-4, items 29 and 30 1-7). The scale scores are derived
 * (lutetia's QoL scoring), not collected, and stay out of SDTM. */
static lt_status qs_rows(ctx *c)
{
    char d[LT_DATE_STR_MAX];
    for (size_t i = 0; i < c->n; i++) {
        subject *s = &c->s[i];
        const lt_outcome_record *rec = s->rec;
        for (size_t q = 0; rec && q < rec->nquestionnaires; q++) {
            const lt_questionnaire *qq = &rec->questionnaires[q];
            for (int k = 0; k < LT_QLQ_C30_ITEMS && lt__ds_row(c->ds); k++) {
                const lt__qs_item *item = lt__qlq_c30_item(k);
                char v[8];
                lt__x_keys(c, s, "QS");
                lt__ds_num(c->ds, "QSSEQ", ++s->seq[SEQ_QS]);
                lt__ds_str(c->ds, "QSTESTCD", item->testcd);
                lt__ds_str(c->ds, "QSTEST", item->test);
                lt__ds_str(c->ds, "QSCAT", "EORTC QLQ-C30 V3.0");
                if (qq->items[k]) {
                    snprintf(v, sizeof v, "%d", qq->items[k]);
                    lt__ds_str(c->ds, "QSORRES", v);
                    lt__ds_str(c->ds, "QSSTRESC", v);
                    lt__ds_num(c->ds, "QSSTRESN", qq->items[k]);
                } else {
                    lt__ds_str(c->ds, "QSSTAT", "NOT DONE");
                }
                lt__ds_str(c->ds, "QSDTC", lt_date_format(qq->date, d));
            }
        }
    }
    return LT_OK;
}

/* ---- SV ---- */

/* Each subject's calendar as `lutetia schedule` shows it today (lt_conduct_calendar_of: the
 * actual dates recorded, the labs, assessments, questionnaires and dispensings that satisfy
 * an entry by their date, each entry under the protocol version in force): an entry done is a
 * visit. */
static lt_status sv_rows(ctx *c)
{
    char d[LT_DATE_STR_MAX];
    lt_status rc = LT_OK;
    for (size_t i = 0; rc == LT_OK && i < c->n; i++) {
        subject *s = &c->s[i];
        lt_calendar *cal = NULL;
        if (!s->rec) continue;
        rc = lt_conduct_calendar_of(c->cd, s->rec, LT_DATE_NONE, &cal, c->err);
        for (size_t k = 0; rc == LT_OK && k < cal->n; k++) {
            const lt_visit *v = &cal->visits[k];
            if (v->actual == LT_DATE_NONE || !lt__ds_row(c->ds)) continue;
            lt__x_keys(c, s, "SV");
            char visit[200];
            snprintf(visit, sizeof visit, "%s [%s]", v->label ? v->label : v->id, v->id);
            lt__ds_num(c->ds, "VISITNUM", lt__x_visitnum(c, v->id));
            lt__ds_str(c->ds, "VISIT", visit);
            lt__ds_str(c->ds, "SVSTDTC", lt_date_format(v->actual, d));
            lt__ds_str(c->ds, "SVENDTC", lt_date_format(v->actual, d));
        }
        lt_calendar_free(cal);
    }
    return rc;
}

/* ---- the datasets ---- */

static const lt__ds_var VS_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"VSSEQ", "Sequence Number", true},
    {"VSTESTCD", "Vital Signs Test Short Name", false},
    {"VSTEST", "Vital Signs Test Name", false},
    {"VSORRES", "Result or Finding in Original Units", false},
    {"VSORRESU", "Original Units", false},
    {"VSSTRESC", "Character Result/Finding in Std Format", false},
    {"VSSTRESN", "Numeric Result/Finding in Standard Units", true},
    {"VSSTRESU", "Standard Units", false},
    {"VSDTC", "Date/Time of Measurements", false},
};

static const lt__ds_var TU_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"TUSEQ", "Sequence Number", true},
    {"TULNKID", "Link ID", false},
    {"TUTESTCD", "Tumor/Lesion ID Short Name", false},
    {"TUTEST", "Tumor/Lesion ID Test Name", false},
    {"TUORRES", "Tumor/Lesion ID Result", false},
    {"TUSTRESC", "Tumor/Lesion ID Result Std. Format", false},
    {"TULOC", "Location of the Tumor/Lesion", false},
    {"TUMETHOD", "Method of Identification", false},
    {"TUEVAL", "Evaluator", false},
    {"TUDTC", "Date/Time of Tumor/Lesion Identification", false},
};

static const lt__ds_var TR_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"TRSEQ", "Sequence Number", true},
    {"TRLNKID", "Link ID", false},
    {"TRTESTCD", "Tumor/Lesion Assessment Short Name", false},
    {"TRTEST", "Tumor/Lesion Assessment Test Name", false},
    {"TRORRES", "Result or Finding in Original Units", false},
    {"TRORRESU", "Original Units", false},
    {"TRSTRESC", "Character Result/Finding in Std Format", false},
    {"TRSTRESN", "Numeric Result/Finding in Standard Units", true},
    {"TRSTRESU", "Standard Units", false},
    {"TRSTAT", "Completion Status", false},
    {"TRMETHOD", "Method Used to Identify the Tumor/Lesion", false},
    {"TREVAL", "Evaluator", false},
    {"TRDTC", "Date/Time of Tumor/Lesion Measurement", false},
};

static const lt__ds_var RS_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"RSSEQ", "Sequence Number", true},
    {"RSTESTCD", "Assessment Short Name", false},
    {"RSTEST", "Assessment Name", false},
    {"RSCAT", "Category for Assessment", false},
    {"RSORRES", "Assessment Original Result", false},
    {"RSSTRESC", "Assessment Result in Std Format", false},
    {"RSEVAL", "Evaluator", false},
    {"RSDTC", "Date/Time of Assessment", false},
};

static const lt__ds_var QS_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"QSSEQ", "Sequence Number", true},
    {"QSTESTCD", "Question Short Name", false},
    {"QSTEST", "Question Name", false},
    {"QSCAT", "Category of Question", false},
    {"QSORRES", "Finding in Original Units", false},
    {"QSSTRESC", "Character Result/Finding in Std Format", false},
    {"QSSTRESN", "Numeric Finding in Standard Units", true},
    {"QSSTAT", "Completion Status", false},
    {"QSDTC", "Date/Time of Finding", false},
};

static const lt__ds_var SV_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"VISITNUM", "Visit Number", true},
    {"VISIT", "Visit Name", false},
    {"SVSTDTC", "Start Date/Time of Visit", false},
    {"SVENDTC", "End Date/Time of Visit", false},
};

const lt__xdomain lt__x_findings_domains[] = {
    {"VS", "Vital Signs", VS_VARS, N(VS_VARS), NULL, "patient_data", vs_rows},
    {"TU", "Tumor/Lesion Identification", TU_VARS, N(TU_VARS), tu_rows, NULL, NULL},
    {"TR", "Tumor/Lesion Results", TR_VARS, N(TR_VARS), tr_rows, NULL, NULL},
    {"RS", "Disease Response", RS_VARS, N(RS_VARS), rs_rows, NULL, NULL},
    {"QS", "Questionnaires", QS_VARS, N(QS_VARS), qs_rows, NULL, NULL},
    {"SV", "Subject Visits", SV_VARS, N(SV_VARS), sv_rows, NULL, NULL},
};
const size_t lt__x_findings_count = N(lt__x_findings_domains);
