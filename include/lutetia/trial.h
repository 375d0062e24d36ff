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
    LT_ROLE_UNBLINDED_STATISTICIAN, /* reads; sees the allocation sequence (blocks, positions)
                                       and replays it: the one non-admin who may */
    LT_ROLE_SAFETY_COMMITTEE,   /* a data and safety monitoring committee's member: reads the
                                   safety listings of every site it is bound to; enters nothing */
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

/* How a trial is created (lt_trial_create_with). */
typedef struct lt_trial_init {
    const char *protocol;      /* the protocol file; its text is stored in the trial */
    const char *version;       /* protocol version; NULL: the latest */
    const char *admin;         /* the first user, an admin bound to every site */
    const char *admin_os_user; /* the OS account bound to the admin (peer authentication,
                                  lt_trial_open_peer); NULL: none */
    const char *key_file;      /* where the seed's key is written (created 0600, must not
                                  exist); NULL: DB.key beside the database */
    const unsigned char *seed; /* LT_STORE_SEED_BYTES of randomisation seed; NULL: a fresh random
                                  one. A supplied seed is recorded in the audit trail as "seed
                                  supplied, not secret": anyone holding it predicts every
                                  allocation (tests, the demo); the server refuses it */
} lt_trial_init;

/* Creates the trial database at db (which must not exist) and its key file: the protocol text
 * (so later commands need no protocol file), the randomisation seed sealed under the key (the
 * audit trail holds only its SHA-256) and the first user, in one transaction. On failure
 * neither file is left behind. */
LT_API lt_status lt_trial_create_with(const char *db, const lt_trial_init *init, lt_error *err);
/* The same with a fresh seed, the key at DB.key and no OS account bound. */
LT_API lt_status lt_trial_create(const char *db, const char *protocol_path, const char *version,
                                 const char *admin, lt_error *err);

/* The key file a trial at db uses unless told otherwise: "DB.key". Caller frees; NULL when out
 * of memory. */
LT_API char *lt_trial_key_file_default(const char *db);

/* Opens the trial at db acting as user (who must exist and be active). *out is the caller's
 * (lt_trial_close). The caller has established who is acting (the server, by password). */
LT_API lt_status lt_trial_open(const char *db, const char *user, lt_trial **out, lt_error *err);
/* Peer authentication, as PostgreSQL's `peer`: opens the trial acting as a trial user bound to
 * the OS account os_user (the one running the program). user chooses among the trial users
 * bound to it; NULL takes the only one (LT_EINVAL naming them when there are several). A user
 * not bound to os_user is refused (LT_EPERM), whatever its name. In a trial where no user is
 * bound to any account (created before peer authentication) the account owning the database
 * file acts as an admin, so that it can bind accounts (lt_trial_user_bind). */
LT_API lt_status lt_trial_open_peer(const char *db, const char *os_user, const char *user,
                                    lt_trial **out, lt_error *err);
/* The same for a verb that only reads (list, show, calendar, due list, endpoints, audit log):
 * the file is opened read-only, with no schema upgrade, so it works on a read-only copy or
 * mount; any change through this trial fails with "opened read-only". */
LT_API lt_status lt_trial_open_peer_read(const char *db, const char *os_user, const char *user,
                                         lt_trial **out, lt_error *err);
/* Admin only: binds the existing user name to more OS accounts (an audited "user.bind"), e.g.
 * in a trial created before peer authentication, where the OS account owning the database file
 * acts as the trial's admin until some user is bound. LT_ECONFLICT when nothing is new. */
LT_API lt_status lt_trial_user_bind(lt_trial *t, const char *name, const char *const *os_users,
                                    size_t nos, lt_error *err);
/* Where the key that opens the sealed seed is (default: DB.key). Needed only to allocate and
 * replay. LT_ENOMEM leaves the previous one. */
LT_API lt_status lt_trial_set_key_file(lt_trial *t, const char *path, lt_error *err);
LT_API void lt_trial_close(lt_trial *t);

LT_API const lt_protocol *lt_trial_protocol(const lt_trial *t);

/* Amendments. A running trial takes a new protocol version from a date; patients who consented
 * on another form must re-consent on the form the amendment names (lutetia consent then
 * records a re-consent, without a reason), and each patient's calendar follows the version in
 * force on each of its dates. Admin only; audited ("trial.amend"). */
typedef struct lt_trial_amendment {
    const char *protocol;     /* the protocol file holding the new version; with text, only
                                 the name the amendment record gives its source */
    const char *version;      /* the version it brings (the file's latest, or one of versions) */
    lt_date effective;        /* the day it takes effect: after the previous amendment's */
    const char *consent_form; /* the consent form it asks for; NULL: the version's name */
    const char *reason;       /* why, for the audit trail (may be NULL) */
    const char *text;         /* the protocol file's content (NUL-terminated JSON) instead of
                                 reading protocol: what the server receives in a request body;
                                 NULL: read the file */
} lt_trial_amendment;
/* *reconsent_due (may be NULL): how many patients must re-consent once it is in force. Errors
 * name the member concerned: "protocol", "version", "effective". */
LT_API lt_status lt_trial_amend(lt_trial *t, const lt_trial_amendment *a, int *reconsent_due,
                                lt_error *err);
/* The protocol version in force on day d (the one the trial began with before any amendment). */
LT_API const lt_protocol *lt_trial_protocol_on(const lt_trial *t, lt_date d);
/* The versions the trial has run under, in order: [0] the one it began with (effective
 * LT_DATE_NONE, consent form NULL), then each amendment. */
LT_API size_t lt_trial_version_count(const lt_trial *t);
LT_API bool lt_trial_version_at(const lt_trial *t, size_t i, const char **version,
                                lt_date *effective, const char **consent_form);
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
/* The same, binding the user to OS accounts (os_users[], names as the system spells them) so
 * that the command line run by one of those accounts may act as it (lt_trial_open_peer). One
 * account may be bound to several users; a user without one cannot act on the command line. */
LT_API lt_status lt_trial_user_add_bound(lt_trial *t, const char *name, lt_role role,
                                         const char *const *sites, size_t nsites,
                                         const char *const *os_users, size_t nos,
                                         lt_error *err);

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
 * or text (the allocation's block, position and size, or minimisation imbalance, only for the
 * roles that see the sequence: admin, unblinded statistician); the list of the user's patients with the screening flow (CONSORT counts: screened,
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
 * would change every allocation to come. LT_ECORRUPT naming the seed when it differs, or when
 * the key does not open the sealed seed. Needs no user: `audit verify` runs it beside the chain
 * check. A sealed seed is opened with key_file; when there is no key file (key_file NULL or
 * absent) nothing is checked and *checked (if not NULL) is false, LT_OK. */
LT_API lt_status lt_trial_verify_seed(lt_store *st, const char *key_file, bool *checked,
                                      lt_error *err);

/* Replays every allocation from the secret seed (admin, unblinded statistician: it shows every
 * block) and checks that
 * the stored allocations are exactly that sequence: numbers without gaps, each stratum's blocks
 * in order, each arm the one the seed gives. Reports only allocations already made. */
LT_API lt_status lt_trial_replay(lt_trial *t, bool json, lt_buf *out, lt_error *err);

/* ---- the acting user, for the server (src/trial/identity.c) ---- */
/* LT_OK when patient exists at one of the user's sites; otherwise LT_ENOTFOUND with the same
 * message whether it is missing or at another site, so that a door cannot tell the two apart. */
LT_API lt_status lt_trial_patient_visible(lt_trial *t, const char *patient, lt_error *err);
/* {"user","role","sites"} of the acting user, appended to out. */
LT_API void lt_trial_whoami(const lt_trial *t, lt_buf *out);
/* The key file set with lt_trial_set_key_file (NULL: the default beside the database). */
LT_API const char *lt_trial_key_file(const lt_trial *t);
/* Admin only: switches a user off (active false) or on again, audited ("user.deactivate",
 * "user.activate"). A deactivated user cannot open the trial, so its sessions and API tokens
 * stop working at once. LT_ECONFLICT when it is already so; an admin cannot switch itself off. */
/* *known: whether the trial at db was created with a supplied seed (trial init --seed-hex, for
 * tests and the demo), which whoever holds it can use to predict every allocation. */
LT_API lt_status lt_trial_seed_known(const char *db, bool *known, lt_error *err);
LT_API lt_status lt_trial_user_set_active(lt_trial *t, const char *name, bool active,
                                          const char *reason, lt_error *err);
/* Admin only (src/trial/user_access.c): changes user name's role (role NULL: kept) and sites
 * (sites NULL: kept; else existing codes, or "*" alone), audited "user.set" with reason (may be
 * NULL). Open sessions and tokens of the user act with the new rights from their next request.
 * LT_ECONFLICT when nothing would change; an admin cannot change its own role. Errors name
 * "name", "role" or "sites". */
LT_API lt_status lt_trial_user_set_access(lt_trial *t, const char *name, const lt_role *role,
                                          const char *const *sites, size_t nsites,
                                          const char *reason, lt_error *err);
/* Admin only: {"user","role","sites","os_users","active"} of user name, appended to out. */
LT_API lt_status lt_trial_user_json(lt_trial *t, const char *name, lt_buf *out, lt_error *err);

/* ---- what an electronic signature needs of the trial (src/trial/signer.c) ---- */
/* Admin only: sets the user's full name (11.50(a)(1): a signature shows the signer's printed
 * name), audited "user.full_name"; a change needs a reason. */
LT_API lt_status lt_trial_user_set_full_name(lt_trial *t, const char *name, const char *full_name,
                                             const char *reason, lt_error *err);
/* The server tells the trial which sign-in session a request came in (its cookie value; NULL
 * or a bearer token: none), so that the session's first signature asks for the user name too
 * (21 CFR 11.200(a)(1)). Only the SHA-256 of the id is kept. */
LT_API void lt_trial_set_session(lt_trial *t, const char *session_id);
/* The SHA-256 of the session's id, or NULL outside a session (the command line). */
LT_API const char *lt_trial_session(const lt_trial *t);
/* The server tells the trial the time it judges sign-in, sessions and one-time codes at (its
 * test clock, `lutetia serve --test-clock`; 0: the system's); lt_trial_now gives it. */
LT_API void lt_trial_set_clock(lt_trial *t, int64_t now);
LT_API int64_t lt_trial_now(const lt_trial *t);

#endif
