/* An oral drug taken continuously (NET RETREAT arm 2: everolimus 10 mg once daily until
 * progression or unacceptable toxicity): the protocol's description of it (daily dose, tablet
 * strengths, dispensing interval, the label's dose modifications as a table), the decision
 * over a patient's history (continue, interrupt, resume at the same or a lower dose,
 * discontinue) and compliance per dispensing period. Pure functions: the conduct module
 * stores the events and reads them back (docs/conduct.md, "Oral drugs"). */
#ifndef LUTETIA_ORAL_H
#define LUTETIA_ORAL_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "status.h"

#define LT_ORAL_NAME_MAX 64
#define LT_ORAL_MAX_STRENGTHS 8
#define LT_ORAL_MAX_CATEGORIES 16
#define LT_ORAL_MAX_TERMS 16
#define LT_ORAL_MAX_RULES 48
#define LT_ORAL_MAX_ARMS 16 /* as the protocol's arms */

/* What a row of the modification table prescribes, from the mildest to the most severe. */
typedef enum lt_oral_step {
    LT_ORAL_STEP_CONTINUE = 0,    /* no change */
    LT_ORAL_STEP_RESUME_SAME,     /* interrupt until the grade allows, resume at the same dose */
    LT_ORAL_STEP_RESUME_REDUCED,  /* interrupt until the grade allows, resume about 50% lower */
    LT_ORAL_STEP_DISCONTINUE,     /* stop for good */
    LT_ORAL_STEP_COUNT
} lt_oral_step;
LT_API const char *lt_oral_step_name(lt_oral_step s);

/* A kind of adverse event the table tells apart: the adverse-event terms (lower case compared
 * case-insensitively; "*" catches every term no other category names) and the laboratory
 * analytes whose CTCAE grade counts as this kind. */
typedef struct lt_oral_category {
    char id[LT_ORAL_NAME_MAX]; /* "stomatitis" */
    char terms[LT_ORAL_MAX_TERMS][LT_ORAL_NAME_MAX];
    size_t nterms;
    char analytes[LT_ORAL_MAX_TERMS][LT_ORAL_NAME_MAX];
    size_t nanalytes;
} lt_oral_category;

/* One row: category at grade (and above, up to the next row of the category). first applies
 * when no earlier interruption of the category at this grade or above has ended; recurrence
 * when one has. Resuming needs the grade at most resume_grade; max_interruption_days (0: none)
 * discontinues an interruption that lasts longer. */
typedef struct lt_oral_rule {
    size_t category; /* index into lt_oral_spec.categories */
    int grade;       /* 1-4 */
    lt_oral_step first, recurrence;
    int resume_grade;
    int max_interruption_days;
} lt_oral_rule;

typedef struct lt_oral_spec {
    char arm[LT_ORAL_NAME_MAX];
    char name[LT_ORAL_NAME_MAX];
    double daily_dose_mg;        /* the starting dose (10) */
    double strengths_mg[LT_ORAL_MAX_STRENGTHS]; /* ascending (2.5, 5, 7.5, 10) */
    size_t nstrengths;
    int dispensing_interval_days; /* 28 */
    double reduction_factor;      /* a reduced dose is this times the previous one (0.5) */
    double min_daily_dose_mg;     /* a reduction below it discontinues */
    char start_entry[LT_ORAL_NAME_MAX];      /* the calendar entry the start satisfies */
    char dispensing_entry[LT_ORAL_NAME_MAX]; /* the repeating calendar entry of dispensing */
    lt_oral_category categories[LT_ORAL_MAX_CATEGORIES];
    size_t ncategories;
    lt_oral_rule rules[LT_ORAL_MAX_RULES];
    size_t nrules;
} lt_oral_spec;

/* Reads an arm's "oral_drug" member (docs/protocol-format.md, "Oral drugs"). path names it in
 * errors ("arms.2.oral_drug"): LT_ESCHEMA with the member's path, what was expected and what
 * was found. */
LT_API lt_status lt_oral_spec_from_json(const lt_json *v, const char *arm, const char *path,
                                        lt_oral_spec *out, lt_error *err);
/* Every arm's oral drug of a protocol's "arms" member: out[0..*n) (at most max). */
LT_API lt_status lt_oral_specs_from_arms(const lt_json *arms, lt_oral_spec *out, size_t max,
                                         size_t *n, lt_error *err);

/* ---- a patient's history ---- */

typedef enum lt_oral_event_type {
    LT_ORAL_EV_START = 0, /* dose_mg: the starting daily dose */
    LT_ORAL_EV_DOSE,      /* dose_mg: the new daily dose */
    LT_ORAL_EV_INTERRUPT, /* category/grade: the toxicity it was for ("" when another reason) */
    LT_ORAL_EV_RESUME,    /* dose_mg: the daily dose resumed at */
    LT_ORAL_EV_STOP,
    LT_ORAL_EV_DISPENSE,  /* tablets of strength_mg */
    LT_ORAL_EV_RETURN,    /* returned and lost tablets of the earliest dispensing still out */
    LT_ORAL_EVENT_COUNT
} lt_oral_event_type;
LT_API const char *lt_oral_event_name(lt_oral_event_type t);
LT_API bool lt_oral_event_parse(const char *s, lt_oral_event_type *out);

typedef struct lt_oral_event {
    lt_oral_event_type type;
    lt_date date;
    double dose_mg;
    char category[LT_ORAL_NAME_MAX];
    int grade;
    long tablets, returned, lost;
    double strength_mg;
} lt_oral_event;

/* A toxicity seen in the history: an adverse event (term, from start to end, LT_DATE_NONE
 * while ongoing) or a graded laboratory result (analyte in term, lab true; it holds from its
 * date until the next result of the analyte, end). */
typedef struct lt_oral_tox {
    char term[LT_ORAL_NAME_MAX];
    bool lab;
    int grade;
    lt_date start, end;
} lt_oral_tox;

/* Where the patient stands after the events dated on or before a day. */
typedef struct lt_oral_state {
    bool started, stopped, interrupted;
    lt_date start, stop, interrupted_from;
    double dose_mg;          /* the current daily dose (at the interruption while interrupted) */
    char category[LT_ORAL_NAME_MAX]; /* the open interruption's toxicity */
    int grade;
} lt_oral_state;

/* The events must be in date order (ties in recording order). Returns LT_EINVAL naming the
 * first event that cannot follow the ones before (a dose before the start, a resume without an
 * interruption, anything but a return after the stop). */
LT_API lt_status lt_oral_replay(const lt_oral_event *ev, size_t n, lt_date day,
                                lt_oral_state *out, lt_error *err);

typedef enum lt_oral_action {
    LT_ORAL_DO_CONTINUE = 0,
    LT_ORAL_DO_INTERRUPT,      /* interrupt now, or stay interrupted */
    LT_ORAL_DO_RESUME_SAME,
    LT_ORAL_DO_RESUME_REDUCED,
    LT_ORAL_DO_DISCONTINUE,
    LT_ORAL_ACTION_COUNT
} lt_oral_action;
LT_API const char *lt_oral_action_name(lt_oral_action a);

typedef struct lt_oral_decision {
    lt_oral_action action;
    double dose_mg;  /* the daily dose to take (continue, resume); 0 otherwise */
    char category[LT_ORAL_NAME_MAX]; /* the toxicity that decided ("" when none) */
    int grade;
    bool recurrence; /* an earlier interruption for it had ended */
    lt_oral_step step;
    char reason[512];
} lt_oral_decision;

/* The label's decision on day d over the patient's events and toxicities (events in date
 * order). LT_ESTATE when the drug has not been started or was stopped. The same history gives
 * the same answer however often it is asked; a dose is never resumed above the one at the
 * interruption, and a reduced one never above reduction_factor times it. */
LT_API lt_status lt_oral_decide(const lt_oral_spec *s, const lt_oral_event *ev, size_t nev,
                                const lt_oral_tox *tox, size_t ntox, lt_date d,
                                lt_oral_decision *out, lt_error *err);
/* {"action","dose_mg","category","grade","recurrence","step","reason"} */
LT_API void lt_oral_decision_to_json(const lt_oral_decision *d, lt_buf *out);

/* The reduced dose from dose: reduction_factor x dose rounded down to the smallest strength;
 * 0 when that is below min_daily_dose_mg. */
LT_API double lt_oral_reduced_dose(const lt_oral_spec *s, double dose_mg);

/* ---- compliance per dispensing period ---- */

typedef struct lt_oral_period {
    lt_date dispensed_on, to; /* [dispensed_on, to): to is the return date, the next
                                 dispensing, or the day after as_of while open */
    bool returned;            /* a return closed it: taken and compliance are known */
    double strength_mg;
    long dispensed, returned_tablets, lost, taken;
    int days, interruption_days;
    double prescribed; /* tablets the daily dose asks for on the days on drug */
    double compliance; /* taken / prescribed; NAN when unknown or nothing prescribed */
} lt_oral_period;

/* One period per dispensing, in date order; *out owned by the caller (free()). */
LT_API lt_status lt_oral_compliance(const lt_oral_event *ev, size_t nev, lt_date as_of,
                                    lt_oral_period **out, size_t *n, lt_error *err);
LT_API void lt_oral_periods_to_json(const lt_oral_period *p, size_t n, lt_buf *out);

#endif
