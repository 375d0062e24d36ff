/* Electronic signatures (21 CFR Part 11 subpart C; EU GMP Annex 11 section 14): an
 * investigator's eligibility confirmation, a dose decision, an adverse event's seriousness and
 * causality, a patient's casebook sign-off, and the trial's data lock before analysis.
 *
 * A signature is a record kind "signature" written through the store with its audit record. It
 * needs the signer's password again (and the user name too on the first signing of a session),
 * names the signer's full name, the UTC time and the meaning, and holds the SHA-256 of what it
 * signs and the audit sequence number of its last change. It is valid while both still hold:
 * a later correction of the signed record shows it "invalidated" until it is signed again.
 * docs/part11.md says which paragraph of the regulations each rule answers. */
#ifndef LUTETIA_SIGN_H
#define LUTETIA_SIGN_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "status.h"
#include "store.h"
#include "trial.h"

/* What is signed. */
typedef enum lt_sign_act {
    LT_SIGN_CONFIRM = 0, /* the eligibility confirmed: the patient's last screening record */
    LT_SIGN_DECISION,    /* a dose decision record (dose_decision) */
    LT_SIGN_AE,          /* an adverse event record: its seriousness and causality */
    LT_SIGN_CASEBOOK,    /* every record of one patient (the casebook) */
    LT_SIGN_LOCK,        /* every record of the trial's data: the lock before analysis */
    LT_SIGN_ACT_COUNT
} lt_sign_act;

/* What the signature means (11.50(a)(3)). */
typedef enum lt_sign_meaning {
    LT_SIGN_REVIEW = 0,
    LT_SIGN_APPROVAL,
    LT_SIGN_RESPONSIBILITY,
    LT_SIGN_AUTHORSHIP,
    LT_SIGN_MEANING_COUNT
} lt_sign_meaning;

LT_API const char *lt_sign_act_name(lt_sign_act a);           /* "confirm", ... */
LT_API bool lt_sign_act_parse(const char *s, lt_sign_act *out);
LT_API const char *lt_sign_meaning_name(lt_sign_meaning m);   /* "review", ... */
LT_API bool lt_sign_meaning_parse(const char *s, lt_sign_meaning *out);
/* The meaning an act takes when none is given. */
LT_API lt_sign_meaning lt_sign_default_meaning(lt_sign_act a);

typedef struct lt_sign_request {
    lt_sign_act act;
    const char *patient;   /* confirm, casebook: the patient; decision, ae: optional, must
                              then be the record's patient */
    const char *record;    /* decision, ae: the record's id ("P1/AE001") */
    int meaning;           /* an lt_sign_meaning, or -1 for the act's default */
    const char *user_name; /* typed again: required on the first signing of a session */
    const char *password;  /* required every time; never stored, logged or echoed */
    const char *comment;   /* optional, kept with the signature */
    int64_t now;           /* seconds since 1970 for the lock-out rule; 0: the clock */
} lt_sign_request;

/* Signs as the trial's acting user. The order of refusals: a malformed request (LT_EINVAL),
 * a role or site that may not sign this (LT_EPERM, before any password is looked at), what is
 * signed missing or not signable yet (LT_ENOTFOUND, LT_ESTATE), a locked trial (LT_ESTATE),
 * then the identity: a missing user name on a session's first signing or a missing password
 * (LT_EINVAL), a wrong user name or password or a locked account (LT_EPERM, one message;
 * counted toward the lock-out as a failed sign-in and audited "signature.refused"). On success
 * the signature record (audited "signature.sign"; for the lock also the "lock" record, audited
 * "lock.sign", in the same transaction) and out receives the signature as JSON (the element of
 * lt_sign_list). */
LT_API lt_status lt_sign(lt_trial *t, const lt_sign_request *rq, lt_buf *out, lt_error *err);

/* The signatures the user may read (the user's sites; the trial's lock for everyone), of one
 * patient when patient is not NULL, each with its status now: a JSON array appended to out.
 * Elements: id, act, meaning, signer, full_name, role, signed_at, patient, site, record
 * {kind, id, seq, sha256}, statement, components, comment, status ("valid" or "invalidated"). */
LT_API lt_status lt_sign_list(lt_trial *t, const char *patient, lt_buf *out, lt_error *err);

/* Whether a stored signature document still holds: what it signed has not changed since
 * (same last audit sequence number and SHA-256). Reads the store (in the caller's snapshot). */
LT_API lt_status lt_sign_check(lt_store *st, const char *signature_json, bool *valid,
                               lt_error *err);

/* One signature record as the lt_sign_list element (with its status), appended to out. */
LT_API lt_status lt_sign_to_json(lt_store *st, const lt_record *sig, lt_buf *out, lt_error *err);

/* Whether the trial's data are locked; when they are and desc is not NULL, a sentence saying
 * by whom and when ("data locked for analysis on ... by ... (signature S000004)"). */
LT_API lt_status lt_sign_locked(lt_store *st, bool *locked, lt_buf *desc, lt_error *err);

#endif
