/* Inside the conduct module: the open conduct context, the stored documents of a patient read
 * back as parsed JSON, and the helpers every write uses (transaction around the patient,
 * correction rule, re-validation of the patient's outcomes record before commit). */
#ifndef LUTETIA_CONDUCT_INT_H
#define LUTETIA_CONDUCT_INT_H

#include "lutetia/conduct.h"
#include "lutetia/json.h"
#include "lutetia/oral.h"
#include "../trial/trial_int.h"

struct lt_conduct {
    lt_trial *t;
    const lt_schedule *sched; /* the trial's (lt__trial_schedule_of), or own_sched */
    lt_schedule *own_sched;
    lt_endpoints *ends;
    lt_dosing_plan plan;
    lt_nuclide_table *nuc;
    lt_ctcae_table *ctcae;
    lt_ctcae_terms *terms; /* data/ctcae-v5-terms.json: what an adverse event is recorded under;
                              read on the first adverse event (nothing else needs its 837 terms) */
    lt_dosemod_rules *rules;
    lt_plausible *plausible; /* data/plausible-ranges.json: what a recorded value may be */
    lt_oral_spec *oral;      /* the arms' oral drugs (arms.ID.oral_drug) */
    size_t noral;
    /* which tables are this context's own (read from files it was given); the others are the
     * process's shared copies (tables.c) and are not freed with the context */
    bool own_nuc, own_ctcae, own_rules, own_plausible, own_terms;
    /* A context made without tables of its own is kept with its trial and handed to the next
     * lt_conduct_new on that trial (a server keeps its trials between requests: making the
     * context, its endpoints and dosing plan parsed from the protocol, was a twentieth of a lab
     * write). refs counts its users; kept: the trial still keeps it; data_dir: the
     * LUTETIA_DATA_DIR it was made under (another one needs another context). */
    int refs;
    bool kept;
    char *data_dir;
};

/* The data tables of a new context (tables.c): the files given in tables, else the shipped
 * ones read once per process; lt__conduct_tables_close releases what the context owns. */
lt_status lt__conduct_tables_open(lt_conduct *c, const lt_conduct_tables *tables, lt_error *err);
void lt__conduct_tables_close(lt_conduct *c);
/* The calendar spec of p: the trial's parsed copy, else one parsed into *own (freed by the
 * caller). */
lt_status lt__conduct_schedule(lt_conduct *c, const lt_protocol *p, const lt_schedule **out,
                               lt_schedule **own, lt_error *err);
/* c->terms, the CTCAE v5.0 term list, read on first need (shared like the other tables). */
lt_status lt__conduct_terms(lt_conduct *c, lt_error *err);

/* The oral drug of an arm, or NULL when the arm takes none. */
const lt_oral_spec *lt__conduct_oral(const lt_conduct *c, const char *arm);
/* Once the patient's oral drug is stopped, its later dispensing visits are cancelled (nothing
 * is dispensed after the stop): cal is the patient's calendar, changed in place. */
lt_status lt__oral_calendar(lt_conduct *c, const char *patient, lt_calendar *cal, lt_error *err);

/* Record kinds this module writes (docs/conduct.md lists their ids and documents). */
#define LT__K_PROFILE "profile"
#define LT__K_ANCHOR "anchor"
#define LT__K_VISIT "visit"
#define LT__K_LAB "lab"
#define LT__K_AE "adverse_event"
#define LT__K_ASSESSMENT "assessment"
#define LT__K_QUESTIONNAIRE "questionnaire"
#define LT__K_EVENT "outcome_event"
#define LT__K_DECISION "dose_decision"
#define LT__K_ADMIN "administration"
#define LT__K_DEVIATION "dose_deviation"
#define LT__K_ORAL "oral_event"       /* P/O001...: start, dose, interrupt, resume, stop, ... */
#define LT__K_ORAL_DECISION "oral_decision" /* P/D001...: the label's decision on a day */

/* The stored documents of one kind for one patient, in id order. */
typedef struct lt__docs {
    lt_json **v;
    char **id;
    size_t n, cap;
    bool failed;     /* a document did not parse or memory ran out */
    bool oom;        /* ... and it was memory */
    char *failed_id; /* while loading: the record that did not parse */
} lt__docs;

lt_status lt__docs_load(lt_conduct *c, const char *kind, const char *patient, lt__docs *out,
                        lt_error *err);
/* ... only those with the key given (in write order, not id order). */
lt_status lt__docs_load_key(lt_conduct *c, const char *kind, const char *patient,
                            const char *key, lt__docs *out, lt_error *err);
void lt__docs_free(lt__docs *d);

/* The work recorded for one patient that satisfies calendar entries (satisfy.c): labs,
 * tumour assessments, questionnaires. v borrows from docs. */
typedef struct lt__sched_recs {
    lt__docs docs[3];
    lt_sched_record *v;
    size_t n;
} lt__sched_recs;

lt_status lt__sched_recs_load(lt_conduct *c, const char *patient, lt__sched_recs *out,
                              lt_error *err);
void lt__sched_recs_free(lt__sched_recs *r);

/* The dose decisions to give or to withhold of one patient, as the calendar reads them
 * (withheld.c). v borrows from docs and ids. */
typedef struct lt__sched_decs {
    lt__docs docs;
    lt_sched_decision *v;
    char (*ids)[16];  /* "C2" for each of v */
    char (*why)[160]; /* each one's reason, shortened */
    size_t n;
} lt__sched_decs;

lt_status lt__sched_decs_load(lt_conduct *c, const char *patient, lt__sched_decs *out,
                              lt_error *err);
void lt__sched_decs_free(lt__sched_decs *d);

/* The outcomes record (docs/outcomes-format.md) of one patient from its stored documents. */
lt_status lt__conduct_patient_json(lt_conduct *c, const lt__pdoc *d, lt_buf *b, lt_error *err);
/* Parses one patient's outcomes record (validating it as the outcomes reader does). */
/* Whether the patient's outcomes record carries records of kind beyond their date. Labs,
 * administrations and adverse events enter it only through their date (the last contact),
 * which each writer checks (lt__check_date); dose decisions, deviations and the oral drug's
 * records not at all. A step that writes only those cannot make the outcomes record unreadable,
 * so it is not derived again at its commit (lt__txn_end). */
bool lt__outcomes_carry(const char *kind);
lt_status lt__conduct_record(lt_conduct *c, const lt__pdoc *d, lt_outcome_set **out,
                             lt_error *err);
/* The calendar of the patient d from the store as it is now (inside or outside a transaction). */
lt_status lt__conduct_calendar(lt_conduct *c, const lt__pdoc *d, lt_date as_of,
                               lt_calendar **out, lt_error *err);

/* Whether a stop event (recurrence, progression, death, withdrawal, loss to follow-up) is
 * recorded on or before d; why gets "recurrence on DATE". *rc reports a store failure. */
bool lt__conduct_stopped(lt_conduct *c, const char *patient, lt_date d, char *why, size_t n,
                         lt_error *err, lt_status *rc);

/* Transaction helpers shared by record.c and dose.c. */
typedef struct lt__txn {
    lt_conduct *c;
    lt__pdoc d;
    bool open;
    int64_t rev0;  /* the patient document's revision at the step's start */
    bool derive;   /* a record the outcomes record carries was written (lt__outcomes_carry) */
} lt__txn;
lt_status lt__txn_begin(lt__txn *x, lt_conduct *c, const char *patient, lt_enrol_state min,
                        lt_error *err);
lt_status lt__txn_end(lt__txn *x, lt_status rc, lt_error *err);
lt_status lt__txn_put(lt__txn *x, const char *kind, const char *id, const char *key,
                      const lt_buf *doc, const char *action, const char *reason, lt_error *err);
lt_status lt__check_date(lt_date d, const char *what, lt_error *err);
lt_status lt__not_before_consent(const lt__txn *x, lt_date d, const char *what, lt_error *err);

/* LT_OK when the acting user's role may take the action, else LT_EPERM naming who may. */
lt_status lt__conduct_allow(const lt_conduct *c, lt_conduct_action a, const char *verb,
                            lt_error *err);

/* The facts a screening stored with the patient (screened.c), from its "patient_data" document
 * (NULL reads as nothing known): birth date, sex ("" unknown), the latest weight in kg (NAN),
 * and the latest date of a procedure by concept code ("liver_resection"). */
lt_date lt__screened_birth_date(const lt_json *doc);
const char *lt__screened_sex(const lt_json *doc);
double lt__screened_weight_kg(const lt_json *doc);
lt_date lt__screened_procedure(const lt_json *doc, const char *code);
/* The birth date and sex of a patient as every reader takes them (the dose rules,
 * lt_conduct_demographics): the recorded profile's where it says them, else the screened
 * facts'. Either document may be NULL. *sex is "female", "male" or NULL (unknown); a partial
 * birth date ("1950") is no date. */
void lt__demographics_pick(const lt_json *profile, const lt_json *screened, lt_date *birth,
                           const char **sex);

#endif
