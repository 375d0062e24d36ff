/* Operation rows of electronic signatures (include/lutetia/sign.h): signing an eligibility
 * confirmation, a dose decision, an adverse event, a casebook and the data lock, and listing
 * signatures. The password travels in the JSON body (never in the path or query, which the
 * access log records) and is only handed to the library, which verifies it and forgets it. */
#include <string.h>
#include "lutetia/sign.h"
#include "ops_int.h"

static lt_status sign_as(lt_sign_act act, lt_trial *t, const lt_json *a, lt_buf *out,
                         lt_error *err)
{
    lt_sign_meaning m;
    const char *ms = lt__arg_str(a, "meaning");
    if (ms && !lt_sign_meaning_parse(ms, &m))
        LT_FAIL(err, LT_EINVAL, "meaning",
                "expected review, approval, responsibility or authorship, found \"%.40s\"", ms);
    lt_sign_request rq = {.act = act,
                          .patient = lt__arg_str(a, "patient"),
                          .record = lt__arg_str(a, "record"),
                          .meaning = ms ? (int)m : -1,
                          .user_name = lt__arg_str(a, "user"),
                          .password = lt__arg_str(a, "password"),
                          .comment = lt__arg_str(a, "comment")};
    return lt_sign(t, &rq, out, err);
}

static lt_status op_confirm(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return sign_as(LT_SIGN_CONFIRM, t, a, out, err);
}
static lt_status op_decision(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return sign_as(LT_SIGN_DECISION, t, a, out, err);
}
static lt_status op_ae(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return sign_as(LT_SIGN_AE, t, a, out, err);
}
static lt_status op_casebook(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return sign_as(LT_SIGN_CASEBOOK, t, a, out, err);
}
static lt_status op_lock(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return sign_as(LT_SIGN_LOCK, t, a, out, err);
}

static lt_status op_list(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return lt_sign_list(t, lt__arg_str(a, "patient"), out, err);
}

#define IDENTITY                                                                               \
    {"user", LT_OP_STRING, LT_OP_IN_BODY, false,                                               \
     "your user name: required on the first signature of a session (21 CFR 11.200(a)(1))"},   \
        {"password", LT_OP_STRING, LT_OP_IN_BODY, true, "your password, again"},              \
        {"meaning", LT_OP_STRING, LT_OP_IN_BODY, false,                                       \
         "review, approval, responsibility or authorship (default: the act's)"},              \
        {"comment", LT_OP_STRING, LT_OP_IN_BODY, false, "a comment kept with the signature"}
#define RECORD_BODY(what) {"record", LT_OP_STRING, LT_OP_IN_BODY, true, what}

/* The role rules are lt_sign's (src/sign/sign.c), which checks them again with the site. */
static const lt_op rows[] = {
    {"signatures.confirm", "POST", "/api/v1/patients/{patient}/signatures/confirm",
     "sign the eligibility confirmation", "lutetia sign confirm ID", R(INVESTIGATOR), true, true,
     {PATIENT_PATH, IDENTITY}, op_confirm},
    {"signatures.casebook", "POST", "/api/v1/patients/{patient}/signatures/casebook",
     "sign the patient's casebook off", "lutetia sign casebook ID", R(INVESTIGATOR), true, true,
     {PATIENT_PATH, IDENTITY}, op_casebook},
    {"signatures.decision", "POST", "/api/v1/signatures/decision", "sign a dose decision",
     "lutetia sign decision RECORD", R(INVESTIGATOR), false, true,
     {RECORD_BODY("the dose_decision record's id (P/Cnn/nnn)"), IDENTITY}, op_decision},
    {"signatures.ae", "POST", "/api/v1/signatures/ae",
     "sign an adverse event's seriousness and causality", "lutetia sign ae RECORD",
     R(INVESTIGATOR), false, true,
     {RECORD_BODY("the adverse_event record's id (P/AE001)"), IDENTITY}, op_ae},
    {"signatures.lock", "POST", "/api/v1/signatures/lock",
     "sign the data lock before analysis (nothing of the data changes after it)",
     "lutetia sign lock", R(ADMIN) | R(STATISTICIAN), false, true, {IDENTITY}, op_lock},
    {"signatures.list", "GET", "/api/v1/signatures",
     "the signatures the user may read, each valid or invalidated", "lutetia signatures --json",
     LT_OP_EVERY_ROLE, false, false,
     {{"patient", LT_OP_STRING, LT_OP_IN_QUERY, false, "only this patient's"}}, op_list},
};

extern const lt_op_group lt__ops_sign;
const lt_op_group lt__ops_sign = {rows, sizeof rows / sizeof rows[0]};
