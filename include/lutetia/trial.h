/* Running a trial: the trial record in the store, sites and users with their roles, and each
 * patient's enrolment in order (screened -> consented -> eligibility confirmed -> randomised or
 * registered -> on treatment -> follow-up -> ended). Every operation is checked against the
 * acting user's role and sites, runs in one store transaction and leaves one audit record per
 * record it changes. Being refused (a step out of order, a role that may not) is an error with
 * a message saying what is missing. */
#ifndef LUTETIA_TRIAL_H
#define LUTETIA_TRIAL_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "eligibility.h"
#include "patient.h"
#include "protocol.h"
#include "status.h"
#include "store.h"

typedef struct lt_trial lt_trial;

typedef enum lt_role {
    LT_ROLE_ADMIN = 0,          /* sites and users; reads everything; no clinical steps */
    LT_ROLE_COORDINATOR,        /* screens, records consent, randomises, follows up */
    LT_ROLE_INVESTIGATOR,       /* everything a coordinator does, and confirms eligibility */
    LT_ROLE_NUCLEAR_MEDICINE,   /* starts treatment; reads its sites' patients */
    LT_ROLE_STATISTICIAN,       /* reads; replays the allocation sequence */
    LT_ROLE_MONITOR,            /* reads patients and the audit trail of its sites */
    LT_ROLE_COUNT
} lt_role;

LT_API const char *lt_role_name(lt_role r); /* "coordinator", "nuclear_medicine", ... */
LT_API bool lt_role_parse(const char *s, lt_role *out);

typedef enum lt_enrol_state {
    LT_STATE_SCREENED = 0,
    LT_STATE_CONSENTED,
    LT_STATE_CONFIRMED,     /* eligibility confirmed by an investigator */
    LT_STATE_RANDOMISED,
    LT_STATE_REGISTERED,    /* single-arm trials: registered instead of randomised */
    LT_STATE_ON_TREATMENT,
    LT_STATE_FOLLOW_UP,
    LT_STATE_ENDED,
    LT_STATE_COUNT
} lt_enrol_state;

typedef enum lt_end_reason {
    LT_END_COMPLETED = 0,
    LT_END_RECURRENCE,
    LT_END_DEATH,
    LT_END_WITHDRAWAL,
    LT_END_LOST_TO_FOLLOW_UP,
    LT_END_TRIAL_TERMINATED,
    LT_END_COUNT
} lt_end_reason;

LT_API const char *lt_enrol_state_name(lt_enrol_state s); /* "screened", "on_treatment", ... */
LT_API const char *lt_end_reason_name(lt_end_reason r);   /* "lost_to_follow_up", ... */
LT_API bool lt_end_reason_parse(const char *s, lt_end_reason *out);

/* Creates the trial database at db (which must not exist) from a protocol file (its text is
 * stored, so later commands need no protocol file), with a fresh secret randomisation seed and
 * a first user, admin, bound to every site. version chooses the protocol version (NULL: latest). */
LT_API lt_status lt_trial_create(const char *db, const char *protocol_path, const char *version,
                                 const char *admin, lt_error *err);
/* The same with a given randomisation seed instead of a fresh random one, so that the
 * allocation sequence is reproducible (the whole-trial demo, tests). Anyone holding the seed can
 * predict every allocation: never for a real trial. */
LT_API lt_status lt_trial_create_seeded(const char *db, const char *protocol_path,
                                        const char *version, const char *admin,
                                        const unsigned char seed[LT_STORE_SEED_BYTES],
                                        lt_error *err);

/* Opens the trial at db acting as user (who must exist and be active). *out is the caller's
 * (lt_trial_close). */
LT_API lt_status lt_trial_open(const char *db, const char *user, lt_trial **out, lt_error *err);
LT_API void lt_trial_close(lt_trial *t);

LT_API const lt_protocol *lt_trial_protocol(const lt_trial *t);
LT_API lt_store *lt_trial_store(lt_trial *t);
LT_API const char *lt_trial_user(const lt_trial *t);
LT_API lt_role lt_trial_role(const lt_trial *t);

/* The trial (protocol, version, sites, users, counts) as JSON or text. Any role. */
LT_API lt_status lt_trial_describe(lt_trial *t, bool json, lt_buf *out, lt_error *err);

/* Admin only. code is short ("S01"); sites[] of a user are codes of existing sites, or the one
 * entry "*" for every site. */
LT_API lt_status lt_trial_site_add(lt_trial *t, const char *code, const char *name,
                                   lt_error *err);
LT_API lt_status lt_trial_user_add(lt_trial *t, const char *name, lt_role role,
                                   const char *const *sites, size_t nsites, lt_error *err);

/* Screens patient against the trial's protocol as of as_of (LT_DATE_NONE: today) and stores the
 * result (kept even when ineligible, for the CONSORT flow). The patient is created at site, or
 * screened again if already screened there and not yet confirmed. The stratification levels
 * found in the patient's data are stored with it. *verdict (if not NULL) gets the verdict and
 * the screening JSON is appended to result (if not NULL). */
LT_API lt_status lt_trial_enrol(lt_trial *t, const lt_patient *patient, const char *site,
                                lt_date as_of, const char *reason, lt_verdict *verdict,
                                lt_buf *result, lt_error *err);

/* Records informed consent (date, consent-form version). Recording it again corrects it and
 * needs a reason. */
LT_API lt_status lt_trial_consent(lt_trial *t, const char *patient, lt_date date,
                                  const char *form_version, const char *reason, lt_error *err);

/* An investigator confirms the stored eligibility verdict (eligible only: an unknown is resolved
 * by screening again with the missing data, never by overriding it). */
LT_API lt_status lt_trial_confirm(lt_trial *t, const char *patient, lt_date date,
                                  lt_error *err);

/* Sets stratification levels not found in the patient's data (factor ids and level names),
 * before randomisation. Changing a level already stored needs a reason. */
LT_API lt_status lt_trial_set_strata(lt_trial *t, const char *patient,
                                     const char *const *factors, const char *const *levels,
                                     size_t n, const char *reason, lt_error *err);

/* Randomises (or, in a single-arm trial, registers) a confirmed patient with every
 * stratification factor recorded. *arm (if not NULL) receives a copy of the arm id the caller
 * frees, *number the allocation number. */
LT_API lt_status lt_trial_randomise(lt_trial *t, const char *patient, char **arm,
                                    int64_t *number, lt_error *err);
/* The same on a given day (LT_DATE_NONE: today), not in the future nor before eligibility was
 * confirmed: for data entered after the fact (and the whole-trial demo). */
LT_API lt_status lt_trial_randomise_on(lt_trial *t, const char *patient, lt_date date,
                                       char **arm, int64_t *number, lt_error *err);

LT_API lt_status lt_trial_start_treatment(lt_trial *t, const char *patient, lt_date date,
                                          lt_error *err);
LT_API lt_status lt_trial_start_follow_up(lt_trial *t, const char *patient, lt_date date,
                                          lt_error *err);
LT_API lt_status lt_trial_end(lt_trial *t, const char *patient, lt_end_reason why, lt_date date,
                              const char *reason, lt_error *err);

/* One patient (state, verdict, consent, strata, allocation once made, every screening) as JSON
 * or text; the list of the user's patients with the screening flow (CONSORT counts: screened,
 * each verdict, failures by criterion, consented, randomised per arm). */
LT_API lt_status lt_trial_patient_show(lt_trial *t, const char *patient, bool json, lt_buf *out,
                                       lt_error *err);
LT_API lt_status lt_trial_patients(lt_trial *t, bool json, lt_buf *out, lt_error *err);

/* The audit trail the user may read (admin: all; monitor: its sites and trial-wide records),
 * as JSON lines array (json) or text. since is a civil date (LT_DATE_NONE: from the start). */
LT_API lt_status lt_trial_audit_log(lt_trial *t, const char *patient, lt_date since, bool json,
                                    lt_buf *out, lt_error *err);

/* Checks that the randomisation seed stored in st is the one committed to (by its SHA-256) in
 * the audited trial record when the trial was created: a seed replaced behind the engine's back
 * would change every allocation to come. LT_ECORRUPT naming the seed when it differs. Needs no
 * user: `audit verify` runs it beside the chain check. */
LT_API lt_status lt_trial_verify_seed(lt_store *st, lt_error *err);

/* Replays every allocation from the secret seed (admin, monitor, statistician) and checks that
 * the stored allocations are exactly that sequence: numbers without gaps, each stratum's blocks
 * in order, each arm the one the seed gives. Reports only allocations already made. */
LT_API lt_status lt_trial_replay(lt_trial *t, bool json, lt_buf *out, lt_error *err);

#endif
