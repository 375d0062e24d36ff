/* One patient's calendar from the schedule and the patient's dates: target dates and windows
 * from anchors (an item anchored to another follows that item's actual date once known),
 * statuses for actual dates, missed entries, and the events that stop the calendar. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schedule_int.h"

static const char *const status_names[LT_VISIT_STATUS_COUNT] = {
    "planned", "done", "delayed", "out_of_window", "overdue", "cancelled", "unanchored",
};

const char *lt_visit_status_name(lt_visit_status st)
{
    if ((unsigned)st >= LT_VISIT_STATUS_COUNT) return NULL;
    return status_names[st];
}

/* The calendar with the strings it owns. */
typedef struct cal_impl {
    lt_calendar pub;
    char **strs;
    size_t nstrs, cap;
    bool failed;
    lt_calendar **parts; /* a spliced calendar owns the calendars its visits come from */
    size_t nparts;
} cal_impl;

static const char *keep(cal_impl *c, char *s)
{
    if (!s) {
        c->failed = true;
        return NULL;
    }
    if (c->nstrs == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 64;
        char **n = realloc(c->strs, ncap * sizeof *n);
        if (!n) {
            free(s);
            c->failed = true;
            return NULL;
        }
        c->strs = n;
        c->cap = ncap;
    }
    c->strs[c->nstrs++] = s;
    return s;
}

static const char *keepf(cal_impl *c, const char *fmt, ...) LT_PRINTF(2, 3);
static const char *keepf(cal_impl *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return keep(c, s);
}

static const char *keepdup(cal_impl *c, const char *s)
{
    return s ? keep(c, strdup(s)) : NULL;
}

void lt_calendar_free(lt_calendar *cal)
{
    if (!cal) return;
    cal_impl *c = (cal_impl *)cal;
    for (size_t i = 0; i < c->nstrs; i++)
        free(c->strs[i]);
    free(c->strs);
    free(c->pub.visits);
    for (size_t i = 0; i < c->nparts; i++) lt_calendar_free(c->parts[i]);
    free(c->parts);
    free(c);
}

/* Events that end every study procedure whatever the protocol says: nobody is seen after
 * death, and a patient who withdrew consent or is lost to follow-up cannot be. */
static bool ends_everything(const char *event)
{
    return !strcmp(event, "death") || !strcmp(event, "withdrawal") ||
           !strcmp(event, "lost_to_follow_up");
}

/* The earliest stop event that cancels kind k, as an index into in->events, or -1. */
static long stop_for(const lt_schedule *s, const lt_schedule_input *in, lt_sched_kind k,
                     bool *cancels)
{
    long best = -1;
    for (size_t i = 0; i < in->nevents; i++) {
        const lt_named_date *e = &in->events[i];
        if (!e->name || e->date == LT_DATE_NONE) continue;
        bool applies = ends_everything(e->name), cancel = applies;
        for (size_t j = 0; !applies && j < s->nstops; j++)
            if (!strcmp(s->stops[j].event, e->name)) {
                applies = true;
                cancel = (s->stops[j].kinds >> k) & 1u;
            }
        if (!applies) continue;
        /* an end-of-study visit a protocol stop does not cancel is brought forward to it */
        if (!cancel && k != LT_SCHED_END_OF_STUDY) continue;
        if (best < 0 || e->date < in->events[best].date) {
            best = (long)i;
            *cancels = cancel;
        }
    }
    return best;
}

static int cmp_visits(const void *a, const void *b)
{
    const lt_visit *x = a, *y = b;
    bool xu = x->target == LT_DATE_NONE, yu = y->target == LT_DATE_NONE;
    if (xu != yu) return xu ? 1 : -1;
    if (x->target != y->target) return x->target < y->target ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void judge(cal_impl *c, lt_visit *v, const lt_schedule_input *in)
{
    char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX], d[LT_DATE_STR_MAX];
    if (v->actual != LT_DATE_NONE) {
        if (v->target == LT_DATE_NONE) {
            v->status = LT_VISIT_DONE;
            v->note = keepf(c, "its window is unknown: \"%s\" has no date", v->anchor);
            return;
        }
        if (v->actual >= v->earliest && v->actual <= v->latest) {
            v->status = LT_VISIT_DONE;
            return;
        }
        lt_date_format(v->earliest, a);
        lt_date_format(v->latest, b);
        if (v->actual > v->latest && v->latest_delayed != LT_DATE_NONE &&
            v->actual <= v->latest_delayed) {
            v->status = LT_VISIT_DELAYED;
            v->deviation = v->actual_reason == NULL;
            v->note = keepf(c,
                            "%d days after its window (%s to %s), within the delay allowed "
                            "for %s up to %s%s%s",
                            (int)(v->actual - v->latest), a, b, v->delay_reason,
                            lt_date_format(v->latest_delayed, d),
                            v->actual_reason ? "; reason: " : "; no reason recorded",
                            v->actual_reason ? v->actual_reason : "");
            return;
        }
        v->status = LT_VISIT_OUT_OF_WINDOW;
        v->deviation = true;
        if (v->actual < v->earliest)
            v->note = keepf(c, "%d days before its window (%s to %s)",
                            (int)(v->earliest - v->actual), a, b);
        else if (v->latest_delayed != LT_DATE_NONE)
            v->note = keepf(c,
                            "%d days after its window (%s to %s) and beyond the delay "
                            "allowed for %s up to %s",
                            (int)(v->actual - v->latest), a, b, v->delay_reason,
                            lt_date_format(v->latest_delayed, d));
        else
            v->note =
                keepf(c, "%d days after its window (%s to %s)", (int)(v->actual - v->latest), a, b);
        return;
    }
    if (v->target == LT_DATE_NONE) {
        v->status = LT_VISIT_UNANCHORED;
        v->note = keepf(c, "waiting for the date of \"%s\"", v->anchor);
        return;
    }
    lt_date close = v->latest_delayed != LT_DATE_NONE ? v->latest_delayed : v->latest;
    if (in->as_of != LT_DATE_NONE && in->as_of > close) {
        v->status = LT_VISIT_OVERDUE;
        v->deviation = true;
        v->note = keepf(c, "overdue: nothing recorded and its window closed on %s",
                        lt_date_format(close, a));
        return;
    }
    v->status = LT_VISIT_PLANNED;
}

/* The date of a named anchor event of the input, or LT_DATE_NONE. An anchor the patient's
 * anchors lack may be an event of the record (follow-up for survival counts from the
 * progression): its earliest date. */
static lt_date input_anchor(const lt_schedule_input *in, const char *name)
{
    lt_date d = LT_DATE_NONE;
    for (size_t j = 0; j < in->nanchors; j++)
        if (in->anchors[j].name && !strcmp(in->anchors[j].name, name)) d = in->anchors[j].date;
    if (d != LT_DATE_NONE) return d;
    for (size_t j = 0; j < in->nevents; j++)
        if (in->events[j].name && !strcmp(in->events[j].name, name) &&
            in->events[j].date != LT_DATE_NONE && (d == LT_DATE_NONE || in->events[j].date < d))
            d = in->events[j].date;
    return d;
}

/* The date of an earlier single item's entry: its actual date once done, else its target
 * (a projection), none when it is cancelled or not computed. */
static lt_date item_date(const lt_calendar *cal, const long *slot, const lt_schedule *s,
                         const lt__sched_item *ai, bool *actual)
{
    long k = slot[ai - s->items];
    *actual = false;
    if (k < 0) return LT_DATE_NONE;
    const lt_visit *av = &cal->visits[k];
    if (av->actual != LT_DATE_NONE) {
        *actual = true;
        return av->actual;
    }
    return av->status == LT_VISIT_CANCELLED ? LT_DATE_NONE : av->target;
}

static bool offset_negative(lt_sched_duration d)
{
    return d.months * LT_DAYS_PER_MONTH + d.days < 0;
}

/* The latest date an entry of item it may not precede (docs/protocol-format.md, "Entries never
 * fall before what they depend on"): the randomisation when the item belongs to some arms only
 * (the arm is known from then on), its anchor item when it follows it (offset >= 0), and every
 * event or item it names in not_before. *by names the event that decides. */
static lt_date floor_of(const lt_schedule *s, const lt__sched_item *it, const lt_calendar *cal,
                        const long *slot, const lt_schedule_input *in, lt_date anchor,
                        const char **by)
{
    lt_date f = LT_DATE_NONE;
    *by = NULL;
    if (it->narms) {
        lt_date r = input_anchor(in, "randomisation");
        if (r != LT_DATE_NONE) f = r, *by = "randomisation";
    }
    if (lt__sched_find(s, it->anchor) && !offset_negative(it->offset) && anchor != LT_DATE_NONE &&
        (f == LT_DATE_NONE || anchor > f))
        f = anchor, *by = it->anchor;
    for (size_t j = 0; j < it->nnot_before; j++) {
        const lt__sched_item *ni = lt__sched_find(s, it->not_before[j]);
        bool act;
        lt_date d = ni ? item_date(cal, slot, s, ni, &act) : input_anchor(in, it->not_before[j]);
        if (d != LT_DATE_NONE && (f == LT_DATE_NONE || d > f)) f = d, *by = it->not_before[j];
    }
    return f;
}

/* Moves a window that opens before the floor: it opens on the floor, and the target moves
 * there if it was earlier. An entry placed before its anchor (blood tests before a cycle)
 * keeps its tolerance after the moved target, never past the anchor: what must precede a
 * cycle stays before it. An entry after its anchor keeps its closing date, unless the moved
 * target passed it: then it closes `after` past the moved target. */
static void clamp(cal_impl *c, lt_visit *v, const lt__sched_item *it, lt_date floor, const char *by)
{
    v->not_before = floor;
    v->not_before_by = keepdup(c, by);
    if (floor == LT_DATE_NONE || v->target == LT_DATE_NONE || v->earliest >= floor) return;
    char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX], d[LT_DATE_STR_MAX];
    lt_date_format(v->earliest, a);
    lt_date_format(v->latest, b);
    v->earliest = floor;
    if (v->target < floor) v->target = floor;
    lt_date moved = lt_sched_duration_add(v->target, it->after);
    if (offset_negative(it->offset)) {
        if (moved > v->latest) v->latest = moved;
        if (v->anchor_date != LT_DATE_NONE && v->anchor_date >= v->target &&
            v->latest > v->anchor_date)
            v->latest = v->anchor_date;
    } else if (v->latest < v->target) {
        v->latest = moved;
    }
    if (v->latest_delayed != LT_DATE_NONE && v->latest_delayed < v->latest)
        v->latest_delayed = v->latest;
    v->clamped = true;
    v->note = keepf(c, "its protocol window %s..%s opened before %s on %s: moved to open then", a,
                    b, by, lt_date_format(floor, d));
}

/* A modality a record names counts for an imaging item listing m when it is m or m_... ("mri"
 * covers "mri_liver"). */
static bool modality_ok(const lt__sched_item *it, const char *what)
{
    if (!it->nmodalities) return true;
    if (!what) return false;
    for (size_t i = 0; i < it->nmodalities; i++) {
        size_t n = strlen(it->modalities[i]);
        if (!strncmp(what, it->modalities[i], n) && (what[n] == '\0' || what[n] == '_'))
            return true;
    }
    return false;
}

/* Records by date, then in the order given: entries claim the earliest record they can. */
typedef struct rec_key {
    lt_date date;
    size_t i;
} rec_key;

typedef struct rec_order {
    size_t *ix;    /* record indexes by date */
    bool *claimed; /* by record index */
} rec_order;

static int cmp_rec(const void *a, const void *b)
{
    const rec_key *x = a, *y = b;
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The record (for a lab: the day's panel) that satisfies an entry not yet done: the earliest
 * unclaimed one of its kind inside its window and on or before as_of; a lab day must hold
 * every analyte the item lists. Claims it (a lab: the whole day). */
static void satisfy(cal_impl *c, lt_visit *v, const lt__sched_item *it, const lt_schedule_input *in,
                    const lt_sched_record *records, size_t nrecords, rec_order *ro)
{
    if (v->actual != LT_DATE_NONE || v->target == LT_DATE_NONE || !nrecords) return;
    if (it->kind != LT_SCHED_LAB && it->kind != LT_SCHED_IMAGING &&
        it->kind != LT_SCHED_QUESTIONNAIRE)
        return;
    for (size_t k = 0; k < nrecords; k++) {
        size_t i = ro->ix[k];
        const lt_sched_record *r = &records[i];
        if (ro->claimed[i] || r->kind != it->kind || r->date == LT_DATE_NONE) continue;
        if (r->date < v->earliest || r->date > v->latest) continue;
        if (in->as_of != LT_DATE_NONE && r->date > in->as_of) continue;
        if (it->kind == LT_SCHED_IMAGING && !modality_ok(it, r->what)) continue;
        size_t nday = 0;
        if (it->kind == LT_SCHED_LAB) {
            bool all = true;
            for (size_t a = 0; a < it->nanalytes && all; a++) {
                bool found = false;
                for (size_t j = 0; j < nrecords && !found; j++) {
                    const lt_sched_record *o = &records[j];
                    found = !ro->claimed[j] && o->kind == LT_SCHED_LAB && o->date == r->date &&
                            o->what && !strcmp(o->what, it->analytes[a]);
                }
                all = found;
            }
            if (!all) continue;
            for (size_t j = 0; j < nrecords; j++) {
                const lt_sched_record *o = &records[j];
                if (o->kind == LT_SCHED_LAB && o->date == r->date && !ro->claimed[j]) {
                    ro->claimed[j] = true;
                    nday++;
                }
            }
        }
        ro->claimed[i] = true;
        v->actual = r->date;
        v->record = keepdup(c, r->id ? r->id : "");
        if (nday > 1 && !v->note) {
            char d[LT_DATE_STR_MAX];
            v->note = keepf(c, "the %zu lab results of %s", nday, lt_date_format(r->date, d));
        }
        return;
    }
}

/* What stops an entry and how it stands: a stop event cancels what was not done (an
 * end-of-study visit it brings forward is judged against the new window whether it is done
 * yet or not); otherwise it is judged against its window. */
static void finish(cal_impl *c, const lt_schedule *s, const lt_schedule_input *in, lt_visit *v)
{
    bool cancels = false;
    long e = stop_for(s, in, v->kind, &cancels);
    if (e >= 0) {
        const lt_named_date *ev = &in->events[e];
        char d[LT_DATE_STR_MAX];
        if (cancels && v->actual == LT_DATE_NONE &&
            (v->target == LT_DATE_NONE || v->target > ev->date)) {
            v->status = LT_VISIT_CANCELLED;
            v->discontinue = false;
            v->note = keepf(c, "stopped by %s on %s", ev->name, lt_date_format(ev->date, d));
        } else if (!cancels && v->target != LT_DATE_NONE && v->target > ev->date) {
            lt_date shift = ev->date - v->target;
            v->target += shift;
            v->earliest += shift;
            v->latest += shift;
            v->note =
                keepf(c, "brought forward by %s on %s", ev->name, lt_date_format(ev->date, d));
        }
    }
    if (e >= 0 && (c->pub.stopped == LT_DATE_NONE || in->events[e].date < c->pub.stopped)) {
        c->pub.stopped = in->events[e].date;
        c->pub.stopped_by = keepdup(c, in->events[e].name);
    }
    if (v->status != LT_VISIT_CANCELLED) {
        const char *keep_note = v->note;
        judge(c, v, in);
        if (keep_note && !v->note) v->note = keep_note;
    }
}

/* ---- withheld cycles (docs/protocol-format.md, "Withheld cycles") ----
 *
 * The Lutathera label (DOMAIN.md, Table 1): a cycle withheld for toxicity waits "until
 * recovery", then resumes at the reduced activity; "delay >= 16 weeks" discontinues. The
 * protocol's delay.max says how far the cycle may go (NELMAS: "8+-1-week intervals, which
 * can be extended to 16 weeks"), counted from the cycle's anchor as the protocol counts it;
 * delay.withheld says when the labs are checked again. */

typedef struct lt_sched_decided_list {
    const lt_sched_decision *v;
    size_t n;
} lt_sched_decided_list;

/* The decisions of entry id, by date (a stable order: on one day the later one counts). */
static size_t decisions_of(const lt_sched_decided_list *dl, const char *id,
                           const lt_sched_decision **out)
{
    size_t n = 0;
    for (size_t i = 0; i < dl->n; i++) {
        const lt_sched_decision *d = &dl->v[i];
        if (strcmp(d->id, id)) continue;
        size_t j = n++;
        while (j > 0 && out[j - 1]->date > d->date) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = d;
    }
    return n;
}

/* The withheld state of a cycle: its withhold decisions (held, by date), the decision to give
 * that followed the latest (or none), and the limit of the protocol's delay. */
typedef struct held_state {
    const lt_sched_decision *last_hold, *give_after;
    lt_date limit; /* LT_DATE_NONE: the item has no re-check rule or no date */
    bool past;     /* not given within the limit: discontinue per label */
} held_state;

static held_state held_of(const lt_visit *v, const lt__sched_item *it,
                          const lt_sched_decision *const *ds, size_t nd,
                          const lt_schedule_input *in)
{
    held_state h = {NULL, NULL, LT_DATE_NONE, false};
    for (size_t i = 0; i < nd; i++) {
        if (ds[i]->action == LT_SCHED_DECIDED_WITHHOLD) {
            h.last_hold = ds[i];
            h.give_after = NULL;
        } else if (h.last_hold) {
            h.give_after = ds[i];
        }
    }
    if (!h.last_hold || !it->has_recheck || v->anchor_date == LT_DATE_NONE) return h;
    h.limit = lt_sched_duration_add(v->anchor_date, it->delay_max);
    lt_date from = h.give_after ? h.give_after->date : h.last_hold->date;
    h.past = v->actual == LT_DATE_NONE &&
             (from > h.limit || (in->as_of != LT_DATE_NONE && in->as_of > h.limit));
    return h;
}

/* Plans a withheld cycle v again from its decisions; returns how many times it was withheld
 * (each gets a lab re-check entry when the protocol sets the rule), the withholds in held. A
 * cycle never withheld is left exactly as it was. Once given (an actual date), it keeps the
 * protocol's window and is judged against it (delayed for toxicity), as any actual date. */
static size_t withheld(cal_impl *c, lt_visit *v, const lt__sched_item *it,
                       const lt_schedule_input *in, const lt_sched_decided_list *dl,
                       const lt_sched_decision **held)
{
    size_t nd = decisions_of(dl, v->id, held);
    size_t nheld = 0;
    for (size_t i = 0; i < nd; i++)
        if (held[i]->action == LT_SCHED_DECIDED_WITHHOLD) nheld++;
    if (!nheld) return 0;
    held_state h = held_of(v, it, held, nd, in);
    v->withheld = h.last_hold->date;
    v->withheld_reason = keepdup(c, h.last_hold->reason);
    v->withheld_count = (int)nheld;
    char w[LT_DATE_STR_MAX], a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX], l[LT_DATE_STR_MAX];
    const char *why = h.last_hold->reason ? h.last_hold->reason : "no reason recorded";
    lt_date_format(v->withheld, w);
    /* keep only the withholds, in date order, for the re-check entries */
    size_t k = 0;
    for (size_t i = 0; i < nd; i++)
        if (held[i]->action == LT_SCHED_DECIDED_WITHHOLD) held[k++] = held[i];
    if (v->actual != LT_DATE_NONE) return it->has_recheck ? nheld : 0;
    if (!it->has_recheck || v->target == LT_DATE_NONE) {
        v->note = keepf(c,
                        "withheld on %s (%s); the protocol sets no re-check for %s: its window "
                        "is kept",
                        w, why, v->id);
        return 0;
    }
    lt_date_format(h.limit, l);
    if (h.give_after) {
        /* given from the decision, within the cycle's own tolerance after it */
        lt_date g = h.give_after->date;
        v->target = v->earliest = g;
        v->latest = lt_sched_duration_add(g, it->after);
        if (v->latest > h.limit) v->latest = h.limit;
    } else {
        lt_date t = lt_sched_duration_add(v->withheld, it->recheck);
        v->earliest = v->withheld;
        v->target = t < h.limit ? t : h.limit;
        v->latest = h.limit;
    }
    if (v->earliest > h.limit) v->earliest = v->target = v->latest = h.limit;
    v->latest_delayed = LT_DATE_NONE; /* the window itself now runs to the limit */
    v->clamped = false;
    v->not_before = h.give_after ? h.give_after->date : v->withheld;
    v->not_before_by =
        keepf(c, "the decision %s %s", h.give_after ? "to give" : "to withhold", v->id);
    if (h.past) {
        v->status = LT_VISIT_CANCELLED;
        v->discontinue = true;
        v->note = keepf(c,
                        "withheld on %s (%s) and not given by %s, the limit of the delay the "
                        "protocol allows for %s after %s: discontinue per label",
                        w, why, l, v->delay_reason ? v->delay_reason : "toxicity", v->anchor);
    } else if (h.give_after) {
        v->note = keepf(c, "withheld on %s (%s); decided on %s to give it: from then to %s", w, why,
                        lt_date_format(h.give_after->date, a), lt_date_format(v->latest, b));
    } else {
        v->note = keepf(c,
                        "withheld on %s (%s): planned again from the decision, labs re-checked "
                        "by %s; to be given by %s at the latest (the delay the protocol allows "
                        "for %s after %s), else discontinue per label",
                        w, why, lt_date_format(v->target, a), l,
                        v->delay_reason ? v->delay_reason : "toxicity", v->anchor);
    }
    return nheld;
}

/* The lab re-check after the h-th withhold of cycle v (its decisions in held): the protocol's
 * re-check interval after the decision, never on or before it nor after the limit. Once a
 * later decision or the administration came, a re-check not done is no longer needed, and
 * none is once the cycle is to be discontinued: returns that note (the entry is cancelled
 * unless a lab day did it), else NULL. */
static const char *recheck(cal_impl *c, lt_visit *r, const lt_visit *v, const lt__sched_item *it,
                           const lt_sched_decision *const *held, size_t nheld, size_t h,
                           const lt_sched_decided_list *dl, const lt_schedule_input *in)
{
    const lt_sched_decision *d = held[h];
    lt_date limit = v->anchor_date != LT_DATE_NONE
                        ? lt_sched_duration_add(v->anchor_date, it->delay_max)
                        : LT_DATE_NONE;
    r->item = keepf(c, "%s.recheck", v->id);
    r->id = keepf(c, "%s.recheck.%zu", v->id, h + 1);
    r->label =
        keepf(c, "Blood tests re-checked while %s is withheld (%zu of %zu)", v->id, h + 1, nheld);
    r->kind = LT_SCHED_LAB;
    r->anchor = keepdup(c, v->id);
    r->anchor_date = d->date;
    r->anchor_actual = true;
    r->seq = (int)h + 1;
    r->count = (int)nheld;
    r->actual = r->latest_delayed = LT_DATE_NONE;
    r->withheld = LT_DATE_NONE;
    r->not_before = d->date + 1;
    r->not_before_by = keepf(c, "the decision to withhold %s", v->id);
    lt_date t = lt_sched_duration_add(d->date, it->recheck);
    if (limit != LT_DATE_NONE && t > limit) t = limit;
    r->target = t;
    r->earliest = lt_sched_duration_sub(t, it->recheck_before);
    r->latest = lt_sched_duration_add(t, it->recheck_after);
    if (r->earliest <= d->date) r->earliest = d->date + 1;
    if (r->target < r->earliest) r->target = r->earliest;
    if (r->latest < r->target) r->latest = r->target;
    for (size_t j = 0; j < in->nactuals; j++)
        if (!strcmp(in->actuals[j].id, r->id)) {
            r->actual = in->actuals[j].date;
            r->actual_reason = keepdup(c, in->actuals[j].reason);
        }
    char a[LT_DATE_STR_MAX];
    /* what came after this withhold: the next one, a decision to give, the administration */
    lt_date next = h + 1 < nheld ? held[h + 1]->date : LT_DATE_NONE;
    for (size_t i = 0; i < dl->n; i++) {
        const lt_sched_decision *x = &dl->v[i];
        if (!strcmp(x->id, v->id) && x->action == LT_SCHED_DECIDED_GIVE && x->date >= d->date &&
            (next == LT_DATE_NONE || x->date < next))
            next = x->date;
    }
    if (v->actual != LT_DATE_NONE && v->actual >= d->date &&
        (next == LT_DATE_NONE || v->actual < next))
        next = v->actual;
    r->status = LT_VISIT_PLANNED;
    if (next != LT_DATE_NONE)
        return keepf(c, "not needed any more: %s was decided again or given on %s", v->id,
                     lt_date_format(next, a));
    if (v->discontinue) return v->note;
    return NULL;
}

/* The cycle whose lab re-check id names ("C2.recheck.1": C2, when its delay sets the rule),
 * so that an actual date may be recorded for a re-check done without a lab record. */
static const lt__sched_item *recheck_item(const lt_schedule *s, const char *id)
{
    const char *r = strstr(id, ".recheck.");
    if (!r) return NULL;
    char *end;
    long k = strtol(r + 9, &end, 10);
    if (*end || k < 1 || r + 9 == end) return NULL;
    for (size_t j = 0; j < s->nitems; j++) {
        const lt__sched_item *it = &s->items[j];
        if (it->count == 1 && it->has_recheck && strlen(it->id) == (size_t)(r - id) &&
            !strncmp(it->id, id, (size_t)(r - id)))
            return it;
    }
    return NULL;
}

static lt_status bad_input(lt_error *err, const char *fmt, const char *x, const char *y)
{
    LT_FAIL(err, LT_EINVAL, "schedule", fmt, x, y);
}

lt_status lt_schedule_compute(const lt_schedule *s, const lt_schedule_input *in, lt_calendar **out,
                              lt_error *err)
{
    return lt_schedule_compute_records(s, in, NULL, 0, out, err);
}

lt_status lt_schedule_compute_records(const lt_schedule *s, const lt_schedule_input *in,
                                      const lt_sched_record *records, size_t nrecords,
                                      lt_calendar **out, lt_error *err)
{
    return lt_schedule_compute_decided(s, in, records, nrecords, NULL, 0, out, err);
}

lt_status lt_schedule_compute_decided(const lt_schedule *s, const lt_schedule_input *in,
                                      const lt_sched_record *records, size_t nrecords,
                                      const lt_sched_decision *decisions, size_t ndecisions,
                                      lt_calendar **out, lt_error *err)
{
    if (ndecisions && !decisions) LT_FAIL(err, LT_EINVAL, "schedule", "missing dose decisions");
    const lt_sched_decided_list dl = {decisions, ndecisions};
    if (!s || !in || !out) LT_FAIL(err, LT_EINVAL, "schedule", "missing schedule or input");
    if (in->arm && s->narm_ids) {
        bool known = false;
        char list[128] = "";
        for (size_t i = 0; i < s->narm_ids; i++) {
            if (!strcmp(s->arm_ids[i], in->arm)) known = true;
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, s->arm_ids[i], sizeof list - strlen(list) - 1);
        }
        if (!known)
            return bad_input(err, "expected an arm of the protocol (%s), found \"%s\"", list,
                             in->arm);
    }
    /* every actual date must name an entry of this patient's calendar, once */
    for (size_t i = 0; i < in->nactuals; i++) {
        const char *id = in->actuals[i].id;
        if (!id) LT_FAIL(err, LT_EINVAL, "schedule", "an actual date without an entry id");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(in->actuals[j].id, id))
                return bad_input(err, "two actual dates for \"%s\"%s", id, "");
        const char *dot = strrchr(id, '.');
        size_t len = dot ? (size_t)(dot - id) : strlen(id);
        const lt__sched_item *found = NULL;
        int seq = 1;
        for (size_t j = 0; j < s->nitems && !found; j++) {
            const lt__sched_item *it = &s->items[j];
            if (it->count == 1 && !strcmp(it->id, id))
                found = it;
            else if (it->count > 1 && dot && strlen(it->id) == len && !strncmp(it->id, id, len)) {
                char *end;
                long k = strtol(dot + 1, &end, 10);
                if (*end || k < 1 || k > it->count)
                    return bad_input(err, "\"%s\": %s has no such occurrence", id, it->id);
                found = it;
                seq = (int)k;
            }
        }
        (void)seq;
        if (!found) found = recheck_item(s, id);
        if (!found) return bad_input(err, "\"%s\" is not an entry of the schedule%s", id, "");
        if (!lt__sched_item_in_arm(found, in->arm))
            return bad_input(err, "\"%s\" is not in the calendar of arm %s", id,
                             in->arm ? in->arm : "(none: the patient has no arm yet)");
        if (in->actuals[i].date == LT_DATE_NONE)
            return bad_input(err, "\"%s\" has no actual date%s", id, "");
    }

    /* every decision must name a treatment cycle of this patient's calendar, with a date */
    for (size_t i = 0; i < dl.n; i++) {
        const lt_sched_decision *d = &dl.v[i];
        if (!d->id) LT_FAIL(err, LT_EINVAL, "schedule", "a dose decision without an entry id");
        const lt__sched_item *it = lt__sched_find(s, d->id);
        if (!it || it->kind != LT_SCHED_TREATMENT || it->count != 1)
            return bad_input(err,
                             "a dose decision names \"%s\", which is not a treatment cycle "
                             "of the schedule%s",
                             d->id, "");
        if (!lt__sched_item_in_arm(it, in->arm))
            return bad_input(err,
                             "a dose decision names \"%s\", which is not in the calendar "
                             "of arm %s",
                             d->id, in->arm ? in->arm : "(none: the patient has no arm yet)");
        if (d->date == LT_DATE_NONE)
            return bad_input(err, "a dose decision of \"%s\" has no date%s", d->id, "");
        if (d->action != LT_SCHED_DECIDED_GIVE && d->action != LT_SCHED_DECIDED_WITHHOLD)
            return bad_input(err,
                             "a dose decision of \"%s\" is neither to give nor to "
                             "withhold%s",
                             d->id, "");
    }

    cal_impl *c = calloc(1, sizeof *c);
    if (!c) LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory computing the calendar");
    size_t total = 0;
    for (size_t i = 0; i < s->nitems; i++)
        if (lt__sched_item_in_arm(&s->items[i], in->arm)) total += (size_t)s->items[i].count;
    /* room for a lab re-check per decision to withhold */
    c->pub.visits = calloc(total + dl.n + 1, sizeof *c->pub.visits);
    const lt_sched_decision **held = calloc(dl.n + 1, sizeof *held);
    if (!c->pub.visits || !held) {
        free(held);
        lt_calendar_free(&c->pub);
        LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory computing the calendar");
    }
    c->pub.arm = keepdup(c, in->arm);
    c->pub.stopped = LT_DATE_NONE;
    /* where each item's single occurrence landed, for items anchored to it */
    long *slot = malloc((s->nitems + 1) * sizeof *slot);
    if (!slot) {
        free(held);
        lt_calendar_free(&c->pub);
        LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory computing the calendar");
    }
    for (size_t i = 0; i < s->nitems; i++)
        slot[i] = -1;
    rec_order ro = {calloc(nrecords + 1, sizeof *ro.ix), calloc(nrecords + 1, sizeof *ro.claimed)};
    rec_key *keys = calloc(nrecords + 1, sizeof *keys);
    if (!ro.ix || !ro.claimed || !keys) {
        free(ro.ix);
        free(ro.claimed);
        free(keys);
        free(slot);
        free(held);
        lt_calendar_free(&c->pub);
        LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory computing the calendar");
    }
    for (size_t i = 0; i < nrecords; i++)
        keys[i] = (rec_key){records[i].date, i};
    qsort(keys, nrecords, sizeof *keys, cmp_rec);
    for (size_t i = 0; i < nrecords; i++)
        ro.ix[i] = keys[i].i;
    free(keys);

    size_t n = 0;
    for (size_t oi = 0; oi < s->nitems; oi++) {
        size_t idx = s->order[oi];
        const lt__sched_item *it = &s->items[idx];
        if (!lt__sched_item_in_arm(it, in->arm)) continue;
        lt_date anchor = LT_DATE_NONE;
        bool anchor_actual = false;
        const lt__sched_item *ai = lt__sched_find(s, it->anchor);
        if (ai) {
            /* a projection until the anchor item is done */
            anchor = item_date(&c->pub, slot, s, ai, &anchor_actual);
        } else {
            anchor = input_anchor(in, it->anchor);
            anchor_actual = anchor != LT_DATE_NONE;
        }
        const char *floor_by = NULL;
        lt_date floor = floor_of(s, it, &c->pub, slot, in, anchor, &floor_by);
        for (int k = 0; k < it->count; k++) {
            lt_visit *v = &c->pub.visits[n];
            v->item = keepdup(c, it->id);
            v->id = it->count == 1 ? keepdup(c, it->id) : keepf(c, "%s.%d", it->id, k + 1);
            v->label = it->count == 1 ? keepdup(c, it->label)
                                      : keepf(c, "%s (%d of %d)", it->label, k + 1, it->count);
            v->kind = it->kind;
            v->anchor = keepdup(c, it->anchor);
            v->anchor_date = anchor;
            v->anchor_actual = anchor_actual;
            v->seq = k + 1;
            v->count = it->count;
            v->actual = v->withheld = LT_DATE_NONE;
            v->target = v->earliest = v->latest = v->latest_delayed = LT_DATE_NONE;
            if (c->failed) break;
            if (anchor != LT_DATE_NONE) {
                /* each occurrence from the anchor, not from the previous one, so that a
                 * month-end clipped date does not drift */
                lt_sched_duration off = {it->offset.months + k * it->every.months,
                                         it->offset.days + k * it->every.days};
                v->target = lt_sched_duration_add(anchor, off);
                v->earliest = lt_sched_duration_sub(v->target, it->before);
                v->latest = lt_sched_duration_add(v->target, it->after);
                if (it->has_delay) {
                    v->latest_delayed = lt_sched_duration_add(anchor, it->delay_max);
                    v->delay_reason = keepdup(c, it->delay_reason);
                }
            }
            clamp(c, v, it, floor, floor_by);
            for (size_t j = 0; j < in->nactuals; j++)
                if (!strcmp(in->actuals[j].id, v->id)) {
                    v->actual = in->actuals[j].date;
                    v->actual_reason = keepdup(c, in->actuals[j].reason);
                }
            size_t nheld = 0;
            if (it->kind == LT_SCHED_TREATMENT && dl.n) nheld = withheld(c, v, it, in, &dl, held);
            satisfy(c, v, it, in, records, nrecords, &ro);
            finish(c, s, in, v);
            if (it->count == 1) slot[idx] = (long)n;
            n++;
            /* the lab re-checks of a withheld cycle, after it: they claim the lab days after
             * each decision before the entries anchored to the cycle do */
            for (size_t h = 0; h < nheld && !c->failed; h++) {
                lt_visit *r = &c->pub.visits[n++];
                const char *cancel = recheck(c, r, v, it, held, nheld, h, &dl, in);
                lt__sched_item ri = *it;
                ri.kind = LT_SCHED_LAB;
                ri.analytes = it->recheck_analytes;
                ri.nanalytes = it->nrecheck_analytes;
                satisfy(c, r, &ri, in, records, nrecords, &ro);
                if (cancel && r->actual == LT_DATE_NONE) {
                    r->status = LT_VISIT_CANCELLED;
                    r->discontinue = v->discontinue;
                    r->note = cancel;
                } else {
                    finish(c, s, in, r);
                }
            }
        }
    }
    free(held);
    free(slot);
    free(ro.ix);
    free(ro.claimed);
    if (c->failed) {
        lt_calendar_free(&c->pub);
        LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory computing the calendar");
    }
    c->pub.n = n;
    qsort(c->pub.visits, n, sizeof *c->pub.visits, cmp_visits);
    *out = &c->pub;
    return LT_OK;
}

bool lt_visit_due(const lt_visit *v, lt_date from, lt_date to)
{
    if (v->status != LT_VISIT_PLANNED || v->target == LT_DATE_NONE) return false;
    lt_date close = v->latest_delayed != LT_DATE_NONE ? v->latest_delayed : v->latest;
    return v->earliest <= to && close >= from;
}

/* The entry of calendar p with id, or NULL. */
static const lt_visit *visit_by_id(const lt_calendar *p, const char *id)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->visits[i].id, id)) return &p->visits[i];
    return NULL;
}

lt_status lt_calendar_splice(lt_calendar **parts, const lt_date *from, size_t n,
                             lt_calendar **out, lt_error *err)
{
    *out = NULL;
    cal_impl *c = calloc(1, sizeof *c);
    size_t total = 0;
    for (size_t k = 0; k < n; k++) total += parts[k]->n;
    if (c) c->pub.visits = calloc(total + 1, sizeof *c->pub.visits);
    if (c) c->parts = calloc(n, sizeof *c->parts);
    if (!c || !c->pub.visits || !c->parts) {
        if (c) free(c->pub.visits), free(c->parts), free(c);
        for (size_t k = 0; k < n; k++) lt_calendar_free(parts[k]);
        LT_FAIL(err, LT_ENOMEM, "schedule", "out of memory splicing calendars");
    }
    /* Entry by entry, from the first version on: an entry still to come when version k takes
     * effect (its date under the version before on or after from[k], or no date yet) becomes
     * version k's entry of that id, or goes if version k has none; an entry version k adds
     * counts from its date under version k. An entry done or due before the amendment keeps
     * the version it was planned under. */
    size_t m = 0;
    for (size_t i = 0; i < parts[0]->n; i++) c->pub.visits[m++] = parts[0]->visits[i];
    for (size_t k = 1; k < n; k++) {
        const lt_calendar *p = parts[k];
        size_t w = 0;
        for (size_t i = 0; i < m; i++) {
            lt_visit v = c->pub.visits[i];
            if (v.target == LT_DATE_NONE || v.target >= from[k]) {
                const lt_visit *nv = visit_by_id(p, v.id);
                if (!nv) continue; /* the amendment removed it */
                v = *nv;
            }
            c->pub.visits[w++] = v;
        }
        m = w;
        for (size_t i = 0; i < p->n; i++) {
            const lt_visit *v = &p->visits[i];
            bool known = false;
            for (size_t j = 0; j < m && !known; j++) known = !strcmp(c->pub.visits[j].id, v->id);
            if (!known && (v->target == LT_DATE_NONE || v->target >= from[k]))
                c->pub.visits[m++] = *v;
        }
    }
    for (size_t k = 0; k < n; k++) c->parts[c->nparts++] = parts[k];
    c->pub.n = m;
    const lt_calendar *last = parts[n - 1];
    c->pub.arm = last->arm;
    c->pub.stopped = last->stopped;
    c->pub.stopped_by = last->stopped_by;
    qsort(c->pub.visits, m, sizeof *c->pub.visits, cmp_visits);
    *out = &c->pub;
    return LT_OK;
}
