/* The operations table (include/lutetia/ops.h): one row per operation, its handler calling the
 * library function the CLI verb calls, and the one argument check both doors rely on. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/conduct.h"
#include "lutetia/ops.h"
#include "lutetia/patient.h"
#include "ops_int.h"

/* ---- reading checked arguments (shared by every file of rows, ops_int.h) ---- */

const char *lt__arg_str(const lt_json *args, const char *name)
{
    return lt_json_str(lt_json_get(args, name));
}

lt_date lt__arg_date(const lt_json *args, const char *name)
{
    lt_date d = LT_DATE_NONE;
    const char *s = lt__arg_str(args, name);
    if (s && !lt_date_parse(s, false, &d)) d = LT_DATE_NONE;
    return d;
}

double lt__arg_num(const lt_json *args, const char *name, double dflt)
{
    double x;
    return lt_json_num(lt_json_get(args, name), &x) ? x : dflt;
}

bool lt__arg_bool(const lt_json *args, const char *name)
{
    bool b = false;
    lt_json_bool(lt_json_get(args, name), &b);
    return b;
}

/* ---- handlers: each calls what the CLI verb named in its row calls ---- */

static lt_status op_patients(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    return lt_trial_patients(t, true, out, err);
}

static lt_status op_patient_show(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return lt_trial_patient_show(t, lt__arg_str(a, "patient"), true, out, err);
}

static lt_status op_enrol(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    char *text = lt_json_print(lt_json_get(a, "patient"));
    if (!text) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_cohort *c = NULL;
    lt_status rc = lt_cohort_new(&c, err);
    if (rc == LT_OK) rc = lt_cohort_read_mem(c, text, strlen(text), "patient", err);
    if (rc == LT_OK && lt_cohort_count(c) != 1)
        rc = lt_error_set(err, LT_EINVAL, "patient", "expected one patient document, found %zu",
                          lt_cohort_count(c));
    lt_verdict v;
    lt_buf result = LT_BUF_INIT;
    const lt_patient *p = rc == LT_OK ? lt_cohort_patient(c, 0) : NULL;
    if (rc == LT_OK)
        rc = lt_trial_enrol(t, p, lt__arg_str(a, "site"), lt__arg_date(a, "as_of"), lt__arg_str(a, "reason"),
                            &v, &result, err);
    if (rc == LT_OK) {
        /* the element `lutetia enrol --json` prints for the patient */
        lt_buf_puts(out, "{\"patient\":");
        lt_buf_json_str(out, p->id);
        lt_buf_puts(out, ",\"site\":");
        lt_buf_json_str(out, lt__arg_str(a, "site"));
        lt_buf_printf(out, ",\"verdict\":\"%s\",\"screening\":%s}", lt_verdict_name(v),
                      lt_buf_str(&result));
    }
    lt_buf_free(&result);
    lt_cohort_free(c);
    free(text);
    return rc;
}

static lt_status op_consent(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_trial_consent(t, p, lt__arg_date(a, "date"), lt__arg_str(a, "form"),
                                    lt__arg_str(a, "reason"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

static lt_status op_confirm(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_trial_confirm(t, p, lt__arg_date(a, "date"), err);
    return rc == LT_OK ? lt_trial_patient_show(t, p, true, out, err) : rc;
}

static lt_status op_randomise(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    char *arm = NULL;
    int64_t number = 0;
    lt_status rc = lt_trial_randomise_on(t, p, lt__arg_date(a, "date"), &arm, &number, err);
    if (rc != LT_OK) return rc;
    /* what `lutetia randomise --json` prints: the arm and the allocation number, never the
     * block, the place in it or its size (allocation concealment) */
    bool reg = lt_protocol_randomisation(lt_trial_protocol(t))->method == LT_RANDOMISE_NONE;
    lt_buf_puts(out, "{\"patient\":");
    lt_buf_json_str(out, p);
    lt_buf_puts(out, ",\"arm\":");
    lt_buf_json_str(out, arm);
    lt_buf_printf(out, ",\"allocation\":%lld,\"state\":\"%s\"}", (long long)number,
                  reg ? "registered" : "randomised");
    free(arm);
    return LT_OK;
}

static lt_status op_lab(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc != LT_OK) return rc;
    lt_conduct_lab lab = {.patient = lt__arg_str(a, "patient"),
                          .date = lt__arg_date(a, "date"),
                          .analyte = lt__arg_str(a, "analyte"),
                          .value = lt__arg_num(a, "value", NAN),
                          .unit = lt__arg_str(a, "unit"),
                          .lln = lt__arg_num(a, "lln", NAN),
                          .uln = lt__arg_num(a, "uln", NAN)};
    lt_grade g;
    memset(&g, 0, sizeof g);
    rc = (lt__arg_bool(a, "confirm") ? lt_conduct_lab_record_confirmed
                                 : lt_conduct_lab_record)(c, &lab, lt__arg_str(a, "reason"), &g, err);
    if (rc == LT_OK) {
        if (g.term)
            lt_grade_to_json(&g, lab.analyte, lab.value, lab.unit ? lab.unit : "", out);
        else
            lt_buf_puts(out, "{\"grade\":null}");
    }
    lt_conduct_free(c);
    return rc;
}

static lt_status op_schedule(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc != LT_OK) return rc;
    lt_calendar *cal = NULL;
    rc = lt_conduct_calendar(c, lt__arg_str(a, "patient"), lt__arg_date(a, "as_of"), &cal, err);
    if (rc == LT_OK) lt_calendar_to_json(cal, out);
    lt_calendar_free(cal);
    lt_conduct_free(c);
    return rc;
}

static lt_status op_due(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc != LT_OK) return rc;
    rc = lt_conduct_due(c, lt__arg_date(a, "from"), lt__arg_date(a, "to"), lt__arg_str(a, "site"), true, out,
                        NULL, err);
    lt_conduct_free(c);
    return rc;
}

/* SEQ:HASH as `audit head` prints it (the CLI's --expect-head). */
static bool parse_head(const char *s, int64_t *seq, char hash[LT_STORE_HASH_HEX])
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || colon - s > 10 || strlen(colon + 1) != LT_STORE_HASH_HEX - 1)
        return false;
    int64_t v = 0;
    for (const char *p = s; p < colon; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (*p - '0');
    }
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    if (v < 1) return false;
    *seq = v;
    memcpy(hash, colon + 1, LT_STORE_HASH_HEX);
    return true;
}

static lt_status op_audit_verify(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_store *st = lt_trial_store(t);
    /* the anchors kept outside the store, as `audit verify --expect-head --public-key` takes
     * them: the head someone wrote down, the checkpoint key (its hex, as audit keygen writes) */
    const char *expect = lt__arg_str(a, "expect_head"), *pub = lt__arg_str(a, "public_key");
    lt_audit_anchors anchors = {0};
    char want[LT_STORE_HASH_HEX];
    unsigned char pk[LT_STORE_SIGN_PUBLIC_BYTES];
    size_t got = 0;
    if (expect && !parse_head(expect, &anchors.expect_seq, want))
        LT_FAIL(err, LT_EINVAL, "expect_head",
                "expected SEQ:HASH (a sequence number, a colon and 64 lowercase hex digits, as "
                "the audit head gives them), found \"%.80s\"", expect);
    if (expect) anchors.expect_hash = want;
    if (pub && (strlen(pub) != 2 * sizeof pk ||
                sodium_hex2bin(pk, sizeof pk, pub, strlen(pub), NULL, &got, NULL) != 0 ||
                got != sizeof pk))
        LT_FAIL(err, LT_EINVAL, "public_key",
                "expected the %zu hex digits of a checkpoint public key (audit keygen), found %zu "
                "characters", 2 * sizeof pk, strlen(pub));
    if (pub) anchors.public_key = pk;
    lt_audit_verified v;
    memset(&v, 0, sizeof v);
    bool seed = false;
    lt_error why;
    lt_error_clear(&why);
    lt_status rc = lt_store_audit_verify_anchored(st, &anchors, &v, &why);
    if (rc == LT_OK) rc = lt_trial_verify_seed(st, lt_trial_key_file(t), &seed, &why);
    if (rc != LT_OK && rc != LT_ECORRUPT) {
        *err = why;
        return rc;
    }
    /* a trail that fails verification is the answer, not an error of the request (the CLI
     * exits 1, "findings") */
    lt_buf_printf(out, "{\"ok\":%s,\"records\":%lld,\"head\":", rc == LT_OK ? "true" : "false",
                  (long long)v.records);
    lt_buf_json_str(out, v.head);
    lt_buf_printf(out, ",\"seed_checked\":%s", seed ? "true" : "false");
    if (expect) {
        lt_buf_puts(out, ",\"expected_head\":");
        lt_buf_json_str(out, expect);
    }
    if (pub) lt_buf_printf(out, ",\"checkpoints\":%lld", (long long)v.checkpoints);
    if (rc != LT_OK) {
        lt_buf_puts(out, ",\"problem\":{\"where\":");
        lt_buf_json_str(out, why.where);
        lt_buf_puts(out, ",\"message\":");
        lt_buf_json_str(out, why.message);
        lt_buf_putc(out, '}');
    }
    lt_buf_putc(out, '}');
    return LT_OK;
}

static lt_status op_me(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    (void)err;
    lt_trial_whoami(t, out);
    return LT_OK;
}

/* ---- the table ---- */

/* The role rules are those of src/trial/roles.c and src/conduct/access.c, which the library
 * applies again inside each function: enrolment steps by coordinators and investigators,
 * confirmation by investigators, reading by every role, the audit trail by admins and monitors. */
static const lt_op enrolment[] = {
    {"patients.list", "GET", "/api/v1/patients",
     "the user's patients with the screening (CONSORT) flow", "lutetia patients --json",
     LT_OP_EVERY_ROLE, false, false, {{0}}, op_patients},
    {"patients.show", "GET", "/api/v1/patients/{patient}",
     "one patient: state, verdict, consent, strata, allocation", "lutetia patient show ID --json",
     LT_OP_EVERY_ROLE, true, false, {PATIENT_PATH}, op_patient_show},
    {"patients.enrol", "POST", "/api/v1/patients",
     "screen a patient document and store the screening at a site", "lutetia enrol --json",
     R(COORDINATOR) | R(INVESTIGATOR), false, true,
     {{"site", LT_OP_STRING, LT_OP_IN_BODY, true, "the site's code"},
      {"patient", LT_OP_OBJECT, LT_OP_IN_BODY, true,
       "the patient document (docs/patient-format.md), or a FHIR R4 Bundle"},
      {"as_of", LT_OP_DATE, LT_OP_IN_BODY, false, "screen as of this day (default today)"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why (screening again)"}},
     op_enrol},
    {"patients.consent", "POST", "/api/v1/patients/{patient}/consent",
     "record (or correct, with a reason) informed consent", "lutetia consent --json",
     R(COORDINATOR) | R(INVESTIGATOR), true, true,
     {PATIENT_PATH,
      {"date", LT_OP_DATE, LT_OP_IN_BODY, true, "the day consent was given"},
      {"form", LT_OP_STRING, LT_OP_IN_BODY, true, "the consent form's version"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why, when correcting"}},
     op_consent},
    {"patients.confirm", "POST", "/api/v1/patients/{patient}/confirm",
     "an investigator confirms the stored eligibility verdict", "lutetia confirm --json",
     R(INVESTIGATOR), true, true,
     {PATIENT_PATH, {"date", LT_OP_DATE, LT_OP_IN_BODY, true, "the day of confirmation"}},
     op_confirm},
    {"patients.randomise", "POST", "/api/v1/patients/{patient}/randomise",
     "allocate a confirmed patient (the arm and number only)", "lutetia randomise --json",
     R(COORDINATOR) | R(INVESTIGATOR), true, true,
     {PATIENT_PATH,
      {"date", LT_OP_DATE, LT_OP_IN_BODY, false, "the day of allocation (default today)"}},
     op_randomise},
    {"labs.record", "POST", "/api/v1/patients/{patient}/labs",
     "record a laboratory result, graded by CTCAE v5.0", "lutetia record lab --json",
     R(COORDINATOR) | R(INVESTIGATOR), true, true,
     {PATIENT_PATH,
      {"date", LT_OP_DATE, LT_OP_IN_BODY, true, "the day of the sample"},
      {"analyte", LT_OP_STRING, LT_OP_IN_BODY, true, "platelets, neutrophils, creatinine, ..."},
      {"value", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the value in unit"},
      {"unit", LT_OP_STRING, LT_OP_IN_BODY, false, "the unit (default the analyte's own)"},
      {"lln", LT_OP_NUMBER, LT_OP_IN_BODY, false, "lower limit of normal, in unit"},
      {"uln", LT_OP_NUMBER, LT_OP_IN_BODY, false, "upper limit of normal, in unit"},
      {"confirm", LT_OP_BOOL, LT_OP_IN_BODY, false,
       "record an implausible value a person has checked (needs a reason)"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why (a correction, a confirmation)"}},
     op_lab},
    {"schedule.show", "GET", "/api/v1/patients/{patient}/schedule",
     "the patient's calendar from the recorded dates", "lutetia schedule ID --json",
     LT_OP_EVERY_ROLE, true, false,
     {PATIENT_PATH,
      {"as_of", LT_OP_DATE, LT_OP_IN_QUERY, false, "judge what is missed as of this day"}},
     op_schedule},
    {"due.list", "GET", "/api/v1/due", "what each site must do between two dates",
     "lutetia due --json", LT_OP_EVERY_ROLE, false, false,
     {{"from", LT_OP_DATE, LT_OP_IN_QUERY, true, "first day"},
      {"to", LT_OP_DATE, LT_OP_IN_QUERY, true, "last day"},
      {"site", LT_OP_STRING, LT_OP_IN_QUERY, false, "only this site"}},
     op_due},
    {"audit.verify", "GET", "/api/v1/audit/verify",
     "verify the hash-chained audit trail and the sealed seed", "lutetia audit verify",
     R(ADMIN) | R(MONITOR), false, false,
     {{"expect_head", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "SEQ:HASH: the chain must hold this head (one written down from the audit head)"},
      {"public_key", LT_OP_STRING, LT_OP_IN_QUERY, false,
       "a checkpoint public key (hex, as audit keygen writes it): its signed checkpoints must verify"}},
     op_audit_verify},
    {"users.me", "GET", "/api/v1/users/me", "who the request acts as: user, role, sites",
     "lutetia trial show", LT_OP_EVERY_ROLE, false, false, {{0}}, op_me},
};

static const lt_op_group enrolment_group = {enrolment, sizeof enrolment / sizeof enrolment[0]};

/* Each file of rows adds its group here, in the order the routes are matched and documented. */
static const lt_op_group *const groups[] = {&enrolment_group, &lt__ops_records, &lt__ops_reads,
                                            &lt__ops_sign, &lt__ops_report, &lt__ops_account,
                                            &lt__ops_stats, &lt__ops_admin,
                                            &lt__ops_files, &lt__ops_scores};
#define NGROUPS (sizeof groups / sizeof groups[0])

size_t lt_ops_count(void)
{
    size_t n = 0;
    for (size_t g = 0; g < NGROUPS; g++) n += groups[g]->count;
    return n;
}

const lt_op *lt_ops_at(size_t i)
{
    for (size_t g = 0; g < NGROUPS; g++) {
        if (i < groups[g]->count) return &groups[g]->rows[i];
        i -= groups[g]->count;
    }
    return NULL;
}

const lt_op *lt_ops_find(const char *name)
{
    for (size_t i = 0; name && i < lt_ops_count(); i++)
        if (!strcmp(lt_ops_at(i)->name, name)) return lt_ops_at(i);
    return NULL;
}

/* Rows whose answer is not JSON. Kept here rather than as a member of lt_op, which every row
 * of every file initialises by position and would then all have to name. */
static const struct {
    const char *op, *type;
} media[] = {
    {"schedule.ics", "text/calendar; charset=utf-8"},
    {"reports.consort", "image/svg+xml"},
    {"reports.consort_closed", "image/svg+xml"},
    {"reports.dsmb_page", "text/html; charset=utf-8"},
    {"reports.dsmb_closed_page", "text/html; charset=utf-8"},
    {"exports.odm", "application/xml"},
};

const char *lt_ops_media_type(const lt_op *op)
{
    for (size_t i = 0; op && i < sizeof media / sizeof media[0]; i++)
        if (!strcmp(op->name, media[i].op)) return media[i].type;
    return "application/json";
}

bool lt_ops_allowed(const lt_op *op, lt_role role)
{
    return (unsigned)role < LT_ROLE_COUNT && (op->roles & LT_OP_ROLE(role));
}

/* ---- checking arguments ---- */

static const char *type_name(lt_op_type t)
{
    switch (t) {
    case LT_OP_STRING: return "a string";
    case LT_OP_DATE: return "a date YYYY-MM-DD";
    case LT_OP_NUMBER: return "a number";
    case LT_OP_BOOL: return "true or false";
    case LT_OP_OBJECT: return "an object";
    case LT_OP_TIME: return "an RFC 3339 time such as 2026-03-01T09:30:00Z";
    case LT_OP_ARRAY: return "an array";
    }
    return "a value";
}

/* A member name appearing twice in one object anywhere in v: path gets where. */
static bool find_duplicate(const lt_json *v, char *path, size_t n)
{
    if (!lt_json_is_object(v) && !lt_json_is_array(v)) return false;
    size_t len = strlen(path);
    size_t i = 0;
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m), i++) {
        const char *k = lt_json_key(m);
        if (lt_json_is_object(v))
            for (const lt_json *o = lt_json_first(v); o != m; o = lt_json_next(o))
                if (k && lt_json_key(o) && !strcmp(k, lt_json_key(o))) {
                    snprintf(path + len, n - len, "%s%s", len ? "." : "", k);
                    return true;
                }
        if (lt_json_is_object(v))
            snprintf(path + len, n - len, "%s%s", len ? "." : "", k ? k : "");
        else
            snprintf(path + len, n - len, "[%zu]", i);
        if (find_duplicate(m, path, n)) return true;
        path[len] = '\0';
    }
    return false;
}

lt_status lt_ops_check_args(const lt_op *op, const lt_json *args, lt_error *err)
{
    if (!lt_json_is_object(args))
        LT_FAIL(err, LT_EINVAL, "", "expected a JSON object, found %s", lt_json_kind(args));
    char path[LT_ERROR_WHERE_MAX] = "";
    if (find_duplicate(args, path, sizeof path))
        LT_FAIL(err, LT_EINVAL, path, "member '%s' is given twice", path);
    for (const lt_json *m = lt_json_first(args); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        const lt_op_param *p = NULL;
        for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++)
            if (!strcmp(op->params[i].name, k)) p = &op->params[i];
        if (!p) {
            char known[512] = "";
            size_t used = 0;
            for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++)
                used += (size_t)snprintf(known + used, used < sizeof known ? sizeof known - used : 0,
                                         "%s%s", used ? ", " : "", op->params[i].name);
            LT_FAIL(err, LT_EINVAL, k, "unknown member '%s' (expected %s)", k,
                    used ? known : "none");
        }
        bool ok = false;
        lt_date d;
        switch (p->type) {
        case LT_OP_STRING: ok = lt_json_is_string(m); break;
        case LT_OP_DATE: ok = lt_json_is_string(m) && lt_date_parse(lt_json_str(m), false, &d); break;
        case LT_OP_NUMBER: ok = lt_json_is_number(m); break;
        case LT_OP_BOOL: ok = lt_json_is_bool(m); break;
        case LT_OP_OBJECT: ok = lt_json_is_object(m); break;
        case LT_OP_TIME: {
            lt_time tm;
            ok = lt_json_is_string(m) && lt_time_parse(lt_json_str(m), &tm);
            break;
        }
        case LT_OP_ARRAY: ok = lt_json_is_array(m); break;
        }
        if (!ok) {
            const char *s = lt_json_str(m);
            if (s)
                LT_FAIL(err, LT_EINVAL, k, "expected %s, found \"%.80s\"", type_name(p->type), s);
            LT_FAIL(err, LT_EINVAL, k, "expected %s, found %s", type_name(p->type), lt_json_kind(m));
        }
    }
    for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++)
        if (op->params[i].required && !lt_json_get(args, op->params[i].name))
            LT_FAIL(err, LT_EINVAL, op->params[i].name, "'%s' is required (%s)",
                    op->params[i].name, type_name(op->params[i].type));
    return LT_OK;
}

lt_status lt_ops_call(const lt_op *op, lt_trial *t, const lt_json *args, lt_buf *out,
                      lt_error *err)
{
    lt_status rc = lt_ops_check_args(op, args, err);
    if (rc != LT_OK) return rc;
    if (!lt_ops_allowed(op, lt_trial_role(t)))
        LT_FAIL(err, LT_EPERM, lt_trial_user(t), "a user with the role %s cannot %s",
                lt_role_name(lt_trial_role(t)), op->summary);
    if (op->patient) {
        rc = lt_trial_patient_visible(t, lt__arg_str(args, "patient"), err);
        if (rc != LT_OK) return rc;
    }
    rc = op->run(t, args, out, err);
    if (rc == LT_OK && lt_buf_failed(out)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return rc;
}
