/* Each patient's calendar, computed from the protocol's `schedule` member
 * (docs/protocol-format.md, "Schedule"): treatment cycles, visits, imaging, questionnaires,
 * samples and end of study, each with a target date and a window, anchored to named events
 * (liver resection, randomisation) or to another item's actual date.
 *
 * The calendar is a pure function of the schedule and the patient's dates (anchors, actual
 * dates, stop events), so it is recomputed whenever a date arrives; it is never stored. Where
 * the dates come from (a file, the store) is the caller's business. */
#ifndef LUTETIA_SCHEDULE_H
#define LUTETIA_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "protocol.h"
#include "status.h"

typedef enum lt_sched_kind {
    LT_SCHED_TREATMENT = 0, /* a treatment cycle (an administration) */
    LT_SCHED_VISIT,         /* a clinic visit: clinical assessment, blood tests */
    LT_SCHED_IMAGING,       /* MRI, CT, PET */
    LT_SCHED_QUESTIONNAIRE, /* quality of life (QLQ-C30) */
    LT_SCHED_SAMPLE,        /* blood, urine, tissue for translational research */
    LT_SCHED_END_OF_STUDY,  /* the end-of-study visit */
    LT_SCHED_LAB,           /* a blood-test panel: done by the lab results recorded in its window */
    LT_SCHED_KIND_COUNT
} lt_sched_kind;

/* "treatment", "visit", ... ; NULL for an out-of-range value. */
LT_API const char *lt_sched_kind_name(lt_sched_kind k);

/* A calendar duration: whole months first (lt_date_add_months), then days. Weeks and years
 * in the protocol file become days and months. */
typedef struct lt_sched_duration {
    int months;
    int days;
} lt_sched_duration;

/* date + d: calendar months, then days. */
LT_API lt_date lt_sched_duration_add(lt_date date, lt_sched_duration d);
/* date - d: calendar months back, then days back. */
LT_API lt_date lt_sched_duration_sub(lt_date date, lt_sched_duration d);

typedef struct lt_schedule lt_schedule;

/* Reads a `schedule` member. where names it in errors ("protocols/nelmas.json: schedule");
 * every error's place is where + the JSON path (".items.C2.window.after.weeks").
 * arms (may be NULL when narms is 0) are the protocol's arm ids that items' "arms" may name.
 * On success *out is owned by the caller (lt_schedule_free); it copies what it keeps. */
LT_API lt_status lt_schedule_parse(const lt_json *section, const char *where,
                                   const char *const *arms, size_t narms, lt_schedule **out,
                                   lt_error *err);
/* The same from a loaded protocol (its chosen version); LT_ENOTFOUND when the protocol has no
 * `schedule` member. */
LT_API lt_status lt_schedule_from_protocol(const lt_protocol *p, lt_schedule **out, lt_error *err);
LT_API void lt_schedule_free(lt_schedule *s);

/* Named anchor events the schedule uses ("liver_resection", "randomisation"). */
LT_API size_t lt_schedule_anchor_count(const lt_schedule *s);
LT_API const char *lt_schedule_anchor(const lt_schedule *s, size_t i);

/* A named date: an anchor ("liver_resection") or a stop event ("recurrence", "death",
 * "withdrawal", "lost_to_follow_up", "progression"). */
typedef struct lt_named_date {
    const char *name;
    lt_date date;
} lt_named_date;

/* The actual date of one calendar entry, by its id ("C1", "mri_y1.2"), and why it was late
 * when it was ("toxicity"); reason may be NULL. */
typedef struct lt_sched_actual {
    const char *id;
    lt_date date;
    const char *reason;
} lt_sched_actual;

/* A piece of work recorded for the patient (a lab result, a tumour assessment, a questionnaire)
 * that satisfies a calendar entry of the kind it serves when it is dated inside the entry's
 * window: work recorded is work done, without a separate actual date. kind is the entry kind
 * it serves: LT_SCHED_LAB (a lab result; results of one day make one panel), LT_SCHED_IMAGING
 * (a tumour assessment; what names its modality) or LT_SCHED_QUESTIONNAIRE. */
typedef struct lt_sched_record {
    lt_sched_kind kind;
    lt_date date;
    const char *id;   /* the record's id, shown as what satisfied the entry */
    const char *what; /* lab: the analyte ("platelets"); imaging: the modality ("ct") */
} lt_sched_record;

/* A dose decision on a treatment entry, as the calendar reads it. A cycle withheld (until
 * the toxicity recovers) is planned again from its latest withhold: not before the decision,
 * its target the protocol's re-check interval after it, its window closing at the limit of
 * the delay the protocol allows, with a lab re-check entry; the entries that depend on it
 * follow. A later decision to give plans it from that decision; its administration (an actual
 * date) then fixes it as any actual date does (docs/protocol-format.md, "Withheld cycles"). */
typedef enum lt_sched_decided {
    LT_SCHED_DECIDED_GIVE = 0, /* give, at the full or the reduced activity */
    LT_SCHED_DECIDED_WITHHOLD  /* withhold until the toxicity recovers */
} lt_sched_decided;

typedef struct lt_sched_decision {
    const char *id; /* the treatment entry ("C2") */
    lt_date date;
    lt_sched_decided action;
    const char *reason; /* why it was withheld ("platelets grade 2"); may be NULL */
} lt_sched_decision;

/* One patient's dates. Everything is borrowed for the duration of the call. */
typedef struct lt_schedule_input {
    const char *arm; /* the patient's arm; NULL before randomisation */
    const lt_named_date *anchors;
    size_t nanchors;
    const lt_sched_actual *actuals;
    size_t nactuals;
    const lt_named_date *events; /* events that may stop the calendar */
    size_t nevents;
    lt_date as_of; /* entries whose window closed before it are overdue, and records dated
                      after it are not seen; LT_DATE_NONE: judge nothing as overdue */
} lt_schedule_input;

typedef enum lt_visit_status {
    LT_VISIT_PLANNED = 0,   /* not done yet; window open or still ahead */
    LT_VISIT_DONE,          /* done within its window */
    LT_VISIT_DELAYED,       /* done after its window but within the protocol's allowed delay */
    LT_VISIT_OUT_OF_WINDOW, /* done outside its window (and outside any allowed delay) */
    LT_VISIT_OVERDUE,       /* not done and its window (with any delay) closed before as_of */
    LT_VISIT_CANCELLED,     /* not due any more: a stop event (recurrence, death) came first */
    LT_VISIT_UNANCHORED,    /* its anchor date is not known yet, so it has no date */
    LT_VISIT_STATUS_COUNT
} lt_visit_status;

LT_API const char *lt_visit_status_name(lt_visit_status st);

/* One calendar entry. Strings are owned by the calendar. */
typedef struct lt_visit {
    const char *id;   /* "C2"; repeated items "mri_y1.2" (the 2nd occurrence) */
    const char *item; /* the schedule item's id ("mri_y1") */
    lt_sched_kind kind;
    const char *label;   /* "Liver MRI (2 of 4)" */
    const char *anchor;  /* the anchor's name or item id */
    lt_date anchor_date; /* LT_DATE_NONE when unanchored */
    bool anchor_actual;  /* the anchor date is an actual date, not a projection */
    lt_date target, earliest, latest;
    lt_date latest_delayed;   /* last date a permitted delay reaches; LT_DATE_NONE if none */
    const char *delay_reason; /* the protocol's reason for a permitted delay ("toxicity") */
    lt_date actual;           /* LT_DATE_NONE when not done */
    const char *actual_reason;
    lt_visit_status status;
    bool deviation;     /* out of window, overdue, or delayed without a recorded reason */
    const char *note;   /* why it is a deviation or cancelled, or NULL */
    int seq, count;     /* occurrence 1..count of its item */
    const char *record; /* the id of the record that satisfied it (actual is its date), or NULL */
    lt_date not_before; /* the date of the event it may not precede, or LT_DATE_NONE */
    const char *not_before_by; /* that event ("randomisation", "C1"), or NULL */
    bool clamped;              /* its protocol window opened before not_before and was moved */
    lt_date withheld;          /* a cycle: its latest decision to withhold, or LT_DATE_NONE */
    const char *withheld_reason; /* that decision's reason, or NULL */
    int withheld_count;          /* how many times it was withheld (0: never) */
    bool discontinue; /* withheld and not given within the delay the protocol allows: the
                         label says to discontinue (status cancelled) */
} lt_visit;

typedef struct lt_calendar {
    const char *arm;
    lt_visit *visits; /* by target date, then id; unanchored entries last */
    size_t n;
    lt_date stopped;        /* date of the event that stopped the calendar, or LT_DATE_NONE */
    const char *stopped_by; /* that event's name, or NULL */
} lt_calendar;

/* Computes the calendar. LT_EINVAL when the arm is not one of the protocol's arms or an actual
 * date names no calendar entry (err says which). *out is the caller's (lt_calendar_free). */
LT_API lt_status lt_schedule_compute(const lt_schedule *s, const lt_schedule_input *in,
                                     lt_calendar **out, lt_error *err);
/* The same, with the work recorded for the patient (borrowed; NULL when nrecords is 0): an
 * entry of kind lab, imaging or questionnaire without an actual date is done by the first
 * record of its kind dated inside its window (and on or before as_of) that no entry before it
 * claimed; entries claim in the schedule's order (items as the file lists them, an item after
 * the items it is anchored to or waits for; occurrences in order). A lab entry takes the
 * results of one day as one panel (holding every analyte the item lists), and that day
 * satisfies no other lab entry; an imaging item listing modalities counts only those. */
LT_API lt_status lt_schedule_compute_records(const lt_schedule *s, const lt_schedule_input *in,
                                             const lt_sched_record *records, size_t nrecords,
                                             lt_calendar **out, lt_error *err);
/* The same, with the patient's dose decisions to give or to withhold (borrowed; NULL when
 * ndecisions is 0), in the order taken: a cycle they withheld is planned again from them and
 * gets a lab re-check entry ("C2.recheck.1") where the item's delay.withheld puts it
 * (docs/protocol-format.md, "Withheld cycles"). Without a decision to withhold the calendar
 * is the one lt_schedule_compute_records gives. LT_EINVAL when a decision names no treatment
 * cycle of the patient's arm or has no date. */
LT_API lt_status lt_schedule_compute_decided(const lt_schedule *s, const lt_schedule_input *in,
                                             const lt_sched_record *records, size_t nrecords,
                                             const lt_sched_decision *decisions,
                                             size_t ndecisions, lt_calendar **out,
                                             lt_error *err);
LT_API void lt_calendar_free(lt_calendar *c);
/* One calendar from the calendars of n protocol versions of an amended trial, version k in force
 * from from[k] (from[0] unused): an entry whose date under the version before falls on or after
 * from[k] (or has no date yet) is version k's entry of that id, or is dropped when version k
 * has none; an entry version k adds is kept from its date on. Takes ownership of parts (freed
 * with the result, or at once on failure). */
LT_API lt_status lt_calendar_splice(lt_calendar **parts, const lt_date *from, size_t n,
                                    lt_calendar **out, lt_error *err);

/* True when a planned entry's window (extended by any permitted delay) meets [from, to]. */
LT_API bool lt_visit_due(const lt_visit *v, lt_date from, lt_date to);

/* The calendar as JSON: {"arm", "stopped", "visits": [...], "deviations": [ids]}. */
LT_API void lt_calendar_to_json(const lt_calendar *c, lt_buf *b);

/* An iCalendar (RFC 5545) document with one all-day VEVENT per dated entry that is not
 * cancelled: UID "<patient>.<entry>@<protocol>.lutetia", DTSTAMP stamp (UTC), SUMMARY, and a
 * DESCRIPTION giving the window; CRLF line endings, lines folded at 75 octets. */
LT_API void lt_calendar_to_ics(const lt_calendar *c, const char *protocol, const char *patient,
                               lt_time stamp, lt_buf *b);

#endif
