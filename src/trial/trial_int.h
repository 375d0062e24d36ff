/* Inside the trial module: the open trial, the patient document as it is stored, and the
 * permission and transaction helpers every operation uses. */
#ifndef LUTETIA_TRIAL_INT_H
#define LUTETIA_TRIAL_INT_H

#include "lutetia/json.h"
#include "lutetia/randomise.h"
#include "lutetia/schedule.h"
#include "lutetia/trial.h"

/* A protocol version the trial runs under, from its effective date (LT_DATE_NONE: the version
 * the trial was created with, from the start). */
typedef struct lt__trial_version {
    char *version;
    lt_date effective;
    char *consent_form; /* the consent form it asks for (NULL: the one the trial began with) */
    lt_protocol *protocol;
    lt_schedule *sched; /* its calendar spec, parsed on first use (lt__trial_schedule_of) */
} lt__trial_version;

/* The calendar spec of p, one of the trial's protocol versions, parsed once and kept with the
 * version for the trial's life (a server keeps its trials open between requests); *out NULL
 * when p is not one of them. Borrowed from t. */
lt_status lt__trial_schedule_of(lt_trial *t, const lt_protocol *p, const lt_schedule **out,
                                lt_error *err);

struct lt_trial {
    lt_store *st;
    lt_protocol *protocol;  /* the version in force today (one of versions, which own them) */
    lt__trial_version *versions; /* by effective date; [0] the version the trial began with */
    size_t nversions;
    char *protocol_version;
    lt_randomiser *rand;  /* built on first use: it holds the secret seed */
    char *key_file;       /* the key that opens the sealed seed (default DB.key) */
    char seed_sha256[65]; /* the commitment to the seed made when the trial was created */
    char seed_kind[16];   /* "sealed", "supplied" (not secret), "clear" (trials made before) */
    char *user;
    lt_role role;
    char **sites;         /* the user's sites; all_sites when bound to every site ("*") */
    size_t nsites;
    bool all_sites;
    /* the server session the request came in (SHA-256 of its id, "" on the command line):
     * a session's first electronic signature needs the user name too (signer.c) */
    char sign_session[65];
    /* the time the server judges sign-in at (its test clock), 0: the system's (signer.c) */
    int64_t clock;
    /* what a layer above keeps with the trial between operations (the conduct context:
     * src/conduct/views.c), given up by drop when the protocol versions change or the trial
     * closes (lt__trial_keep) */
    void *kept;
    void (*kept_drop)(void *kept);
};

/* Keeps p with the trial (dropping what was kept before), or gives up what is kept (p NULL). */
void lt__trial_keep(lt_trial *t, void *p, void (*drop)(void *p));

/* What a role may do. */
typedef enum lt__action {
    LT_DO_ADMINISTER,   /* sites, users */
    LT_DO_ENROL,        /* screen, consent, strata, randomise, follow-up, end */
    LT_DO_CONFIRM,      /* confirm eligibility */
    LT_DO_TREAT,        /* start treatment */
    LT_DO_READ,         /* patients of the user's sites */
    LT_DO_AUDIT,        /* the audit trail */
    LT_DO_REPLAY,       /* replay the allocation sequence */
    LT_DO_RECORD,       /* after randomisation: dates, labs, adverse events, outcomes */
    LT_DO_DECIDE_DOSE,  /* take a dose decision before a cycle */
    LT_DO_GIVE_DOSE,    /* record an administered activity */
    LT_DO_SEE_SEQUENCE, /* see an allocation's block, position, block size, imbalance */
    LT_DO_EXPORT,       /* export the trial's data with its audit records (CDISC ODM) */
    LT_DO_PRESCRIBE,    /* an oral drug: start, dose change, interruption, resume, stop, decide */
    LT_DO_DISPENSE,     /* an oral drug: tablets dispensed and returned */
    LT_DO_COUNT
} lt__action;

/* Whether role may do what, by the one table in roles.c. */
bool lt__role_allowed(lt_role role, lt__action what);

/* LT_OK if the user's role allows the action, else LT_EPERM naming the roles that may. */
lt_status lt__trial_allow(const lt_trial *t, lt__action what, const char *verb, lt_error *err);
/* LT_OK if the user is bound to site, else LT_EPERM. */
lt_status lt__trial_site_ok(const lt_trial *t, const char *site, lt_error *err);
bool lt__trial_has_site(const lt_trial *t, const char *site);

/* A patient as stored (record kind "patient"); strings are heap copies. */
#define LT__MAX_FACTORS 32
typedef struct lt__pdoc {
    char *id, *site, *protocol_version, *verdict, *last_screening;
    lt_enrol_state state;
    lt_date screened_on;
    int screenings;
    lt_date consent_date;
    char *consent_form;
    lt_date reconsent_date;  /* the latest re-consent on an amendment's form, if any */
    char *reconsent_form;
    lt_date confirmed_on;
    char *confirmed_by;
    size_t nfactors;
    char *factor[LT__MAX_FACTORS];  /* factor ids, in protocol order */
    char *level[LT__MAX_FACTORS];   /* level, or NULL while missing */
    char *level_from[LT__MAX_FACTORS]; /* "data" (read from the patient's facts) or "recorded" */
    char *arm;
    int64_t allocation;
    lt_date randomised_on;
    lt_date treatment_on, follow_up_on, end_on;
    char *end_reason;
    int64_t rev;            /* record revision this was read at (0: new) */
} lt__pdoc;

void lt__pdoc_free(lt__pdoc *d);
void lt__pdoc_json(const lt__pdoc *d, lt_buf *out);
lt_status lt__pdoc_parse(const char *json, int64_t rev, lt__pdoc *d, lt_error *err);
/* Reads the patient record; LT_ENOTFOUND names the patient. */
lt_status lt__pdoc_load(lt_trial *t, const char *id, lt__pdoc *d, lt_error *err);
/* Writes the document with one audit record. */
lt_status lt__pdoc_save(lt_trial *t, lt__pdoc *d, const char *action, const char *reason,
                        lt_error *err);

/* An allocation record's document as the user may see it: whole for roles that see the
 * sequence (LT_DO_SEE_SEQUENCE), else without the members that would let someone predict the
 * next arm (block, position, block_size, imbalance, preferred). Appended to out. */
void lt__allocation_visible(const lt_trial *t, const char *data, lt_buf *out);

/* The seed's key file (seal.c). */
#define LT__KEY_BYTES 32
/* Writes a fresh random key to path (which must not exist), mode 0600. */
lt_status lt__key_create(const char *path, unsigned char key[LT__KEY_BYTES], lt_error *err);
/* Reads the key at path; refuses a file other accounts may read, or that holds no key. */
lt_status lt__key_read(const char *path, unsigned char key[LT__KEY_BYTES], lt_error *err);
/* Seals seed under key with a fresh random nonce: box = nonce || secretbox(seed). */
void lt__seed_seal(const unsigned char key[LT__KEY_BYTES],
                   const unsigned char seed[LT_STORE_SEED_BYTES],
                   unsigned char box[LT_STORE_SEALED_SEED_BYTES]);
/* The trial's seed: the sealed one opened with key_file, or (trials created before seeds were
 * sealed; *sealed false) the clear one. */
lt_status lt__seed_load(lt_store *st, const char *key_file, unsigned char seed[LT_STORE_SEED_BYTES],
                        bool *sealed, lt_error *err);

/* The randomiser of the trial, built from the protocol and the stored seed on first use. */
lt_status lt__trial_randomiser(lt_trial *t, const lt_randomiser **out, lt_error *err);

/* Amendments (amend.c): the versions read at open, freed at close; the version in force on a
 * day; the consent form a patient must re-consent on (NULL: none), and whether consent on form
 * on date is that re-consent. */
lt_status lt__trial_versions_load(lt_trial *t, lt_error *err);
void lt__trial_versions_free(lt_trial *t);
const lt__trial_version *lt__trial_version_on(const lt_trial *t, lt_date d);
const char *lt__reconsent_due(const lt_trial *t, const lt__pdoc *d, lt_date on);
bool lt__is_reconsent(const lt_trial *t, const lt__pdoc *d, const char *form, lt_date date);

char *lt__strdup0(const char *s); /* strdup, NULL stays NULL */
void lt__json_date(lt_buf *b, lt_date d);
lt_date lt__get_date(const lt_json *obj, const char *key);
/* A whole number member in [min, max], else dflt (a stored document may have been edited: a
 * huge or fractional number must not reach an integer conversion). */
int64_t lt__get_int(const lt_json *obj, const char *key, int64_t min, int64_t max, int64_t dflt);

/* Data entered once (patient_data.c): the stored facts of a patient merged with those of a new
 * screening. */
#define LT__K_PATIENT_DATA "patient_data"
typedef struct lt__pdata {
    lt_cohort *cohort;         /* owns patient */
    const lt_patient *patient; /* the stored facts and the new ones, each once */
    char *json;                /* its native document, as stored */
    int64_t rev;               /* the stored revision (0: none yet) */
    bool changed;              /* json differs from what is stored */
    size_t left;               /* facts of the new data left out (not final, implausible) */
} lt__pdata;
lt_status lt__patient_data_merge(lt_trial *t, const lt_patient *p, lt__pdata *out, lt_error *err);
lt_status lt__patient_data_save(lt_trial *t, const lt__pdata *d, const char *site,
                                const char *reason, lt_error *err);
void lt__patient_data_free(lt__pdata *d);

#endif
