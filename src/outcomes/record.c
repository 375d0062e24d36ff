/* Outcome records: one patient's arm, strata, anchor dates, actual visit dates, tumour
 * assessments, events and questionnaires, read from and written to JSON
 * (docs/outcomes-format.md). Every value is checked; an error names the JSON path. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/file.h"
#include "lutetia/outcomes.h"

static const char *const event_names[LT_EVENT_TYPE_COUNT] = {
    "recurrence", "progression", "death", "next_therapy", "lost_to_follow_up", "withdrawal",
};

const char *lt_event_type_name(lt_event_type t)
{
    if ((unsigned)t >= LT_EVENT_TYPE_COUNT) return NULL;
    return event_names[t];
}

/* Every allocation of a record, freed together. */
struct lt__outcome_priv {
    void **allocs;
    size_t n, cap;
    bool failed;
    lt_named_date *stops; /* the events as schedule stop events */
};

static void *palloc(struct lt__outcome_priv *p, size_t n, size_t size)
{
    if (p->failed) return NULL;
    void *m = calloc(n ? n : 1, size);
    if (m && p->n == p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 32;
        void **a = realloc(p->allocs, ncap * sizeof *a);
        if (!a) {
            free(m);
            m = NULL;
        } else {
            p->allocs = a;
            p->cap = ncap;
        }
    }
    if (!m) {
        p->failed = true;
        return NULL;
    }
    p->allocs[p->n++] = m;
    return m;
}

static const char *pstr(struct lt__outcome_priv *p, const char *s)
{
    if (!s) return NULL;
    char *d = palloc(p, strlen(s) + 1, 1);
    if (d) memcpy(d, s, strlen(s) + 1);
    return d;
}

void lt_outcome_record_free(lt_outcome_record *r)
{
    if (!r) return;
    if (r->priv) {
        for (size_t i = 0; i < r->priv->n; i++)
            free(r->priv->allocs[i]);
        free(r->priv->allocs);
        free(r->priv);
    }
    free(r);
}

/* Fails with err's place set to where + the formatted path. */
static lt_status bad(lt_error *err, const char *where, const char *path, const char *fmt, ...)
    LT_PRINTF(4, 5);
static lt_status bad(lt_error *err, const char *where, const char *path, const char *fmt, ...)
{
    char w[LT_ERROR_WHERE_MAX];
    snprintf(w, sizeof w, "%.180s%.70s", where ? where : "", path);
    va_list ap;
    va_start(ap, fmt);
    lt_status st = lt_error_vset(err, LT_ESCHEMA, w, fmt, ap);
    va_end(ap);
    return st;
}

static void pathf(char *buf, const char *fmt, ...) LT_PRINTF(2, 3);
static void pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, 160, fmt, ap);
    va_end(ap);
}

static lt_status only_keys(const lt_json *obj, const char *const *keys, const char *where,
                           const char *path, lt_error *err)
{
    for (const lt_json *m = lt_json_first(obj); m; m = lt_json_next(m)) {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(lt_json_key(m), keys[i])) known = true;
        if (!known) {
            char p[160];
            pathf(p, "%s.%s", path, lt_json_key(m));
            return bad(err, where, p, "unknown member \"%s\"", lt_json_key(m));
        }
    }
    return LT_OK;
}

static lt_status get_date(const lt_json *v, const char *where, const char *path, bool required,
                          lt_date *out, lt_error *err)
{
    if ((!v || lt_json_is_null(v)) && !required) {
        *out = LT_DATE_NONE;
        return LT_OK;
    }
    const char *s = lt_json_str(v);
    if (!s || !lt_date_parse(s, false, out))
        return bad(err, where, path, "expected a date YYYY-MM-DD, found %s%s%s", s ? "\"" : "",
                   s ? s : lt_json_kind(v), s ? "\"" : "");
    return LT_OK;
}

static lt_status opt_str(const lt_json *obj, const char *key, const char *where, const char *path,
                         struct lt__outcome_priv *p, const char **out, lt_error *err)
{
    const lt_json *v = lt_json_get(obj, key);
    *out = NULL;
    if (!v || lt_json_is_null(v)) return LT_OK;
    char q[160];
    pathf(q, "%s.%s", path, key);
    if (!lt_json_str(v) || !*lt_json_str(v))
        return bad(err, where, q, "expected a non-empty text, found %s", lt_json_kind(v));
    *out = pstr(p, lt_json_str(v));
    return LT_OK;
}

static lt_status one_of(const char *s, const char *const *allowed, const char *where,
                        const char *path, lt_error *err)
{
    if (!s) return LT_OK;
    for (size_t i = 0; allowed[i]; i++)
        if (!strcmp(s, allowed[i])) return LT_OK;
    char list[160] = "";
    for (size_t i = 0; allowed[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, allowed[i], sizeof list - strlen(list) - 1);
    }
    return bad(err, where, path, "expected one of %s, found \"%s\"", list, s);
}

static lt_status parse_lesion(const lt_json *v, const char *where, const char *path,
                              struct lt__outcome_priv *p, lt_lesion *l, lt_error *err)
{
    static const char *const keys[] = {"id", "organ",  "nodal", "target",
                                       "mm", "status", "note",  NULL};
    if (!lt_json_is_object(v))
        return bad(err, where, path, "expected a lesion object, found %s", lt_json_kind(v));
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    char q[160];
    pathf(q, "%s.id", path);
    if (!lt_json_str(lt_json_get(v, "id")) || !*lt_json_str(lt_json_get(v, "id")))
        return bad(err, where, q, "expected the lesion's id, found %s",
                   lt_json_kind(lt_json_get(v, "id")));
    l->id = pstr(p, lt_json_str(lt_json_get(v, "id")));
    if ((rc = opt_str(v, "organ", where, path, p, &l->organ, err))) return rc;
    const lt_json *b;
    l->nodal = l->target = false;
    if ((b = lt_json_get(v, "nodal")) && !lt_json_bool(b, &l->nodal)) {
        pathf(q, "%s.nodal", path);
        return bad(err, where, q, "expected true or false, found %s", lt_json_kind(b));
    }
    if ((b = lt_json_get(v, "target")) && !lt_json_bool(b, &l->target)) {
        pathf(q, "%s.target", path);
        return bad(err, where, q, "expected true or false, found %s", lt_json_kind(b));
    }
    l->mm = NAN;
    const lt_json *mm = lt_json_get(v, "mm");
    pathf(q, "%s.mm", path);
    if (mm && !lt_json_is_null(mm) && (!lt_json_num(mm, &l->mm) || l->mm < 0 || l->mm > 2000))
        return bad(err, where, q,
                   "expected a diameter in mm from 0 to 2000 (null when not "
                   "measured), found %s",
                   lt_json_kind(mm));
    if (l->target && !mm)
        return bad(err, where, q, "a target lesion needs \"mm\" (null when not measured)");
    l->status = LT_LESION_PRESENT;
    const char *st = NULL;
    if ((rc = opt_str(v, "status", where, path, p, &st, err))) return rc;
    if (st) {
        pathf(q, "%s.status", path);
        int k = -1;
        for (int i = 0; i < LT_LESION_STATUS_COUNT; i++)
            if (!strcmp(st, lt_lesion_status_name((lt_lesion_status)i))) k = i;
        if (k < 0)
            return bad(err, where, q,
                       "expected present, absent, progression or not_evaluated, "
                       "found \"%s\"",
                       st);
        l->status = (lt_lesion_status)k;
    }
    return LT_OK;
}

static lt_status parse_assessment(const lt_json *v, const char *where, const char *path,
                                  struct lt__outcome_priv *p, lt_tumour_assessment *a,
                                  lt_error *err)
{
    static const char *const keys[] = {"date", "modality", "new_lesions", "lesions", "note", NULL};
    if (!lt_json_is_object(v))
        return bad(err, where, path, "expected an assessment object, found %s", lt_json_kind(v));
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    char q[160];
    pathf(q, "%s.date", path);
    if ((rc = get_date(lt_json_get(v, "date"), where, q, true, &a->date, err))) return rc;
    if ((rc = opt_str(v, "modality", where, path, p, &a->modality, err))) return rc;
    const lt_json *nl = lt_json_get(v, "new_lesions");
    a->new_lesions = false;
    if (nl && !lt_json_bool(nl, &a->new_lesions)) {
        pathf(q, "%s.new_lesions", path);
        return bad(err, where, q, "expected true or false, found %s", lt_json_kind(nl));
    }
    const lt_json *ls = lt_json_get(v, "lesions");
    if (ls && !lt_json_is_array(ls)) {
        pathf(q, "%s.lesions", path);
        return bad(err, where, q, "expected an array of lesions, found %s", lt_json_kind(ls));
    }
    a->nlesions = lt_json_size(ls);
    lt_lesion *l = palloc(p, a->nlesions, sizeof *l);
    if (!l) return LT_ENOMEM;
    a->lesions = l;
    size_t i = 0;
    for (const lt_json *e = lt_json_first(ls); e; e = lt_json_next(e), i++) {
        pathf(q, "%s.lesions[%zu]", path, i);
        if ((rc = parse_lesion(e, where, q, p, &l[i], err))) return rc;
    }
    return LT_OK;
}

static lt_status parse_event(const lt_json *v, const char *where, const char *path,
                             struct lt__outcome_priv *p, lt_outcome_event *e, lt_error *err)
{
    static const char *const keys[] = {"type", "date", "site", "cause", "therapy", "note", NULL};
    static const char *const sites[] = {"liver", "extrahepatic", "liver_and_extrahepatic", NULL};
    static const char *const causes[] = {"disease", "treatment", "other", "unknown", NULL};
    if (!lt_json_is_object(v))
        return bad(err, where, path, "expected an event object, found %s", lt_json_kind(v));
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    char q[160];
    pathf(q, "%s.type", path);
    const char *t = lt_json_get_str(v, "type", NULL);
    int k = -1;
    for (int i = 0; t && i < LT_EVENT_TYPE_COUNT; i++)
        if (!strcmp(t, event_names[i])) k = i;
    if (k < 0)
        return bad(err, where, q,
                   "expected recurrence, progression, death, next_therapy, "
                   "lost_to_follow_up or withdrawal, found %s%s%s",
                   t ? "\"" : "", t ? t : lt_json_kind(lt_json_get(v, "type")), t ? "\"" : "");
    e->type = (lt_event_type)k;
    pathf(q, "%s.date", path);
    if ((rc = get_date(lt_json_get(v, "date"), where, q, true, &e->date, err))) return rc;
    if ((rc = opt_str(v, "site", where, path, p, &e->site, err))) return rc;
    if ((rc = opt_str(v, "cause", where, path, p, &e->cause, err))) return rc;
    if ((rc = opt_str(v, "therapy", where, path, p, &e->therapy, err))) return rc;
    if ((rc = opt_str(v, "note", where, path, p, &e->note, err))) return rc;
    pathf(q, "%s.site", path);
    if (e->site && e->type != LT_EVENT_RECURRENCE && e->type != LT_EVENT_PROGRESSION)
        return bad(err, where, q, "only a recurrence or a progression has a site");
    if ((rc = one_of(e->site, sites, where, q, err))) return rc;
    if (e->type == LT_EVENT_RECURRENCE && !e->site)
        return bad(err, where, q,
                   "a recurrence needs its site: liver, extrahepatic or "
                   "liver_and_extrahepatic");
    pathf(q, "%s.cause", path);
    if (e->cause && e->type != LT_EVENT_DEATH)
        return bad(err, where, q, "only a death has a cause");
    if ((rc = one_of(e->cause, causes, where, q, err))) return rc;
    if (e->type == LT_EVENT_DEATH && !e->cause) e->cause = pstr(p, "unknown");
    pathf(q, "%s.therapy", path);
    if (e->therapy && e->type != LT_EVENT_NEXT_THERAPY)
        return bad(err, where, q, "only a next_therapy event names a therapy");
    return LT_OK;
}

static lt_status parse_questionnaire(const lt_json *v, const char *where, const char *path,
                                     lt_questionnaire *qn, lt_error *err)
{
    static const char *const keys[] = {"date", "instrument", "items", NULL};
    if (!lt_json_is_object(v))
        return bad(err, where, path, "expected a questionnaire object, found %s", lt_json_kind(v));
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    char q[160];
    pathf(q, "%s.date", path);
    if ((rc = get_date(lt_json_get(v, "date"), where, q, true, &qn->date, err))) return rc;
    const char *ins = lt_json_get_str(v, "instrument", "qlq_c30");
    pathf(q, "%s.instrument", path);
    if (strcmp(ins, "qlq_c30"))
        return bad(err, where, q,
                   "expected \"qlq_c30\" (the only instrument scored), found "
                   "\"%s\"",
                   ins);
    const lt_json *items = lt_json_get(v, "items");
    pathf(q, "%s.items", path);
    if (!lt_json_is_array(items) || lt_json_size(items) != LT_QLQ_C30_ITEMS)
        return bad(err, where, q,
                   "expected an array of the 30 answers (null when unanswered), "
                   "found %s of %zu",
                   lt_json_kind(items), lt_json_size(items));
    size_t i = 0;
    for (const lt_json *e = lt_json_first(items); e; e = lt_json_next(e), i++) {
        double x = 0;
        int max = i >= 28 ? 7 : 4;
        if (lt_json_is_null(e)) {
            qn->items[i] = 0;
            continue;
        }
        if (!lt_json_num(e, &x) || x != floor(x) || x < 1 || x > max) {
            pathf(q, "%s.items[%zu]", path, i);
            return bad(err, where, q,
                       "expected question %zu's answer from 1 to %d or null, "
                       "found %s",
                       i + 1, max, lt_json_is_number(e) ? "a number out of range" : lt_json_kind(e));
        }
        qn->items[i] = (int)x;
    }
    return LT_OK;
}

static int cmp_events(const void *a, const void *b)
{
    const lt_outcome_event *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

lt_status lt_outcome_record_from_json(const lt_json *v, const char *where, lt_outcome_record **out,
                                      lt_error *err)
{
    static const char *const keys[] = {
        "id",     "site",           "arm",          "strata", "anchors", "visits", "assessments",
        "events", "questionnaires", "last_contact", "note",   NULL};
    if (!lt_json_is_object(v))
        return bad(err, where, "", "expected a patient object, found %s", lt_json_kind(v));
    lt_status rc = only_keys(v, keys, where, "", err);
    if (rc) return rc;
    lt_outcome_record *r = calloc(1, sizeof *r);
    struct lt__outcome_priv *p = calloc(1, sizeof *p);
    if (!r || !p) {
        free(r);
        free(p);
        LT_FAIL(err, LT_ENOMEM, where ? where : "", "out of memory reading a patient");
    }
    r->priv = p;
    char q[160];
    const lt_json *m;

    if (!lt_json_str(lt_json_get(v, "id")) || !*lt_json_str(lt_json_get(v, "id"))) {
        rc = bad(err, where, ".id", "expected the patient's id, found %s",
                 lt_json_kind(lt_json_get(v, "id")));
        goto fail;
    }
    r->id = pstr(p, lt_json_str(lt_json_get(v, "id")));
    if ((rc = opt_str(v, "site", where, "", p, &r->site, err))) goto fail;
    if ((rc = opt_str(v, "arm", where, "", p, &r->arm, err))) goto fail;

    m = lt_json_get(v, "strata");
    if (m && !lt_json_is_object(m)) {
        rc = bad(err, where, ".strata", "expected {\"factor\": \"level\"}, found %s", lt_json_kind(m));
        goto fail;
    }
    lt_strat_value *sv = palloc(p, lt_json_size(m), sizeof *sv);
    r->strata = sv;
    for (const lt_json *e = lt_json_first(m); e && sv; e = lt_json_next(e)) {
        pathf(q, ".strata.%s", lt_json_key(e));
        if (!lt_json_str(e)) {
            rc = bad(err, where, q, "expected the level as text, found %s", lt_json_kind(e));
            goto fail;
        }
        sv[r->nstrata].factor = pstr(p, lt_json_key(e));
        sv[r->nstrata++].level = pstr(p, lt_json_str(e));
    }

    m = lt_json_get(v, "anchors");
    if (m && !lt_json_is_object(m)) {
        rc = bad(err, where, ".anchors", "expected {\"event\": \"YYYY-MM-DD\"}, found %s",
                 lt_json_kind(m));
        goto fail;
    }
    lt_named_date *an = palloc(p, lt_json_size(m), sizeof *an);
    r->anchors = an;
    for (const lt_json *e = lt_json_first(m); e && an; e = lt_json_next(e)) {
        pathf(q, ".anchors.%s", lt_json_key(e));
        an[r->nanchors].name = pstr(p, lt_json_key(e));
        if ((rc = get_date(e, where, q, true, &an[r->nanchors].date, err))) goto fail;
        r->nanchors++;
    }

    m = lt_json_get(v, "visits");
    if (m && !lt_json_is_object(m)) {
        rc =
            bad(err, where, ".visits", "expected {\"C1\": \"YYYY-MM-DD\"}, found %s", lt_json_kind(m));
        goto fail;
    }
    lt_sched_actual *vs = palloc(p, lt_json_size(m), sizeof *vs);
    r->visits = vs;
    for (const lt_json *e = lt_json_first(m); e && vs; e = lt_json_next(e)) {
        pathf(q, ".visits.%s", lt_json_key(e));
        lt_sched_actual *a = &vs[r->nvisits];
        a->id = pstr(p, lt_json_key(e));
        if (lt_json_is_object(e)) {
            static const char *const vkeys[] = {"date", "reason", NULL};
            if ((rc = only_keys(e, vkeys, where, q, err))) goto fail;
            if ((rc = opt_str(e, "reason", where, q, p, &a->reason, err))) goto fail;
            strncat(q, ".date", sizeof q - strlen(q) - 1);
            if ((rc = get_date(lt_json_get(e, "date"), where, q, true, &a->date, err))) goto fail;
        } else if ((rc = get_date(e, where, q, true, &a->date, err))) {
            goto fail;
        }
        r->nvisits++;
    }

    m = lt_json_get(v, "assessments");
    if (m && !lt_json_is_array(m)) {
        rc = bad(err, where, ".assessments", "expected an array, found %s", lt_json_kind(m));
        goto fail;
    }
    lt_tumour_assessment *as = palloc(p, lt_json_size(m), sizeof *as);
    r->assessments = as;
    for (const lt_json *e = lt_json_first(m); e && as; e = lt_json_next(e)) {
        pathf(q, ".assessments[%zu]", r->nassessments);
        if ((rc = parse_assessment(e, where, q, p, &as[r->nassessments], err))) goto fail;
        if (r->nassessments && as[r->nassessments].date <= as[r->nassessments - 1].date) {
            rc = bad(err, where, q,
                     "expected assessments in date order, one per date; this "
                     "one is on or before the previous");
            goto fail;
        }
        r->nassessments++;
    }

    m = lt_json_get(v, "events");
    if (m && !lt_json_is_array(m)) {
        rc = bad(err, where, ".events", "expected an array, found %s", lt_json_kind(m));
        goto fail;
    }
    lt_outcome_event *ev = palloc(p, lt_json_size(m), sizeof *ev);
    r->events = ev;
    for (const lt_json *e = lt_json_first(m); e && ev; e = lt_json_next(e)) {
        pathf(q, ".events[%zu]", r->nevents);
        if ((rc = parse_event(e, where, q, p, &ev[r->nevents], err))) goto fail;
        r->nevents++;
    }
    if (ev) qsort(ev, r->nevents, sizeof *ev, cmp_events);

    m = lt_json_get(v, "questionnaires");
    if (m && !lt_json_is_array(m)) {
        rc = bad(err, where, ".questionnaires", "expected an array, found %s", lt_json_kind(m));
        goto fail;
    }
    lt_questionnaire *qs = palloc(p, lt_json_size(m), sizeof *qs);
    r->questionnaires = qs;
    for (const lt_json *e = lt_json_first(m); e && qs; e = lt_json_next(e)) {
        pathf(q, ".questionnaires[%zu]", r->nquestionnaires);
        if ((rc = parse_questionnaire(e, where, q, &qs[r->nquestionnaires], err))) goto fail;
        r->nquestionnaires++;
    }
    if ((rc = get_date(lt_json_get(v, "last_contact"), where, ".last_contact", false,
                       &r->last_contact, err)))
        goto fail;

    p->stops = palloc(p, r->nevents, sizeof *p->stops);
    for (size_t i = 0; p->stops && i < r->nevents; i++) {
        p->stops[i].name = event_names[r->events[i].type];
        p->stops[i].date = r->events[i].date;
    }
    if (p->failed) {
        rc = lt_error_set(err, LT_ENOMEM, where ? where : "", "out of memory reading a patient");
        goto fail;
    }
    *out = r;
    return LT_OK;
fail:
    if (p->failed && rc != LT_ENOMEM)
        rc = lt_error_set(err, LT_ENOMEM, where ? where : "", "out of memory reading a patient");
    lt_outcome_record_free(r);
    return rc;
}

lt_date lt_outcome_record_anchor(const lt_outcome_record *r, const char *name)
{
    for (size_t i = 0; i < r->nanchors; i++)
        if (!strcmp(r->anchors[i].name, name)) return r->anchors[i].date;
    return LT_DATE_NONE;
}

bool lt_outcome_record_entered_by(const lt_outcome_record *r, const char *origin, lt_date cutoff)
{
    if (cutoff == LT_DATE_NONE) return true;
    lt_date o = lt_outcome_record_anchor(r, origin);
    lt_date entry = lt_outcome_record_anchor(r, "randomisation");
    return (o == LT_DATE_NONE || o <= cutoff) && (entry == LT_DATE_NONE || entry <= cutoff);
}

void lt_outcome_record_schedule_input(const lt_outcome_record *r, lt_date as_of,
                                      lt_schedule_input *in)
{
    *in = (lt_schedule_input){r->arm,
                              r->anchors,
                              r->nanchors,
                              r->visits,
                              r->nvisits,
                              r->priv ? r->priv->stops : NULL,
                              r->priv ? r->nevents : 0,
                              as_of};
}

static void put_date(lt_buf *b, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE)
        lt_buf_puts(b, "null");
    else
        lt_buf_json_str(b, lt_date_format(d, s));
}

static void put_opt(lt_buf *b, const char *key, const char *s)
{
    if (!s) return;
    lt_buf_printf(b, ",\"%s\":", key);
    lt_buf_json_str(b, s);
}

void lt_outcome_record_to_json(const lt_outcome_record *r, lt_buf *b)
{
    lt_buf_puts(b, "{\"id\":");
    lt_buf_json_str(b, r->id);
    put_opt(b, "site", r->site);
    put_opt(b, "arm", r->arm);
    lt_buf_puts(b, ",\"strata\":{");
    for (size_t i = 0; i < r->nstrata; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, r->strata[i].factor);
        lt_buf_putc(b, ':');
        lt_buf_json_str(b, r->strata[i].level);
    }
    lt_buf_puts(b, "},\"anchors\":{");
    for (size_t i = 0; i < r->nanchors; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, r->anchors[i].name);
        lt_buf_putc(b, ':');
        put_date(b, r->anchors[i].date);
    }
    lt_buf_puts(b, "},\"visits\":{");
    for (size_t i = 0; i < r->nvisits; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, r->visits[i].id);
        lt_buf_puts(b, ":{\"date\":");
        put_date(b, r->visits[i].date);
        put_opt(b, "reason", r->visits[i].reason);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "},\"assessments\":[");
    for (size_t i = 0; i < r->nassessments; i++) {
        const lt_tumour_assessment *a = &r->assessments[i];
        lt_buf_puts(b, i ? ",{\"date\":" : "{\"date\":");
        put_date(b, a->date);
        put_opt(b, "modality", a->modality);
        lt_buf_printf(b, ",\"new_lesions\":%s,\"lesions\":[", a->new_lesions ? "true" : "false");
        for (size_t j = 0; j < a->nlesions; j++) {
            const lt_lesion *l = &a->lesions[j];
            lt_buf_puts(b, j ? ",{\"id\":" : "{\"id\":");
            lt_buf_json_str(b, l->id);
            put_opt(b, "organ", l->organ);
            lt_buf_printf(b, ",\"nodal\":%s,\"target\":%s,\"mm\":", l->nodal ? "true" : "false",
                          l->target ? "true" : "false");
            lt_buf_json_num(b, l->mm); /* NAN writes null */
            lt_buf_puts(b, ",\"status\":");
            lt_buf_json_str(b, lt_lesion_status_name(l->status));
            lt_buf_putc(b, '}');
        }
        lt_buf_puts(b, "]}");
    }
    lt_buf_puts(b, "],\"events\":[");
    for (size_t i = 0; i < r->nevents; i++) {
        const lt_outcome_event *e = &r->events[i];
        lt_buf_puts(b, i ? ",{\"type\":" : "{\"type\":");
        lt_buf_json_str(b, event_names[e->type]);
        lt_buf_puts(b, ",\"date\":");
        put_date(b, e->date);
        put_opt(b, "site", e->site);
        put_opt(b, "cause", e->cause);
        put_opt(b, "therapy", e->therapy);
        put_opt(b, "note", e->note);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "],\"questionnaires\":[");
    for (size_t i = 0; i < r->nquestionnaires; i++) {
        lt_buf_puts(b, i ? ",{\"date\":" : "{\"date\":");
        put_date(b, r->questionnaires[i].date);
        lt_buf_puts(b, ",\"instrument\":\"qlq_c30\",\"items\":[");
        for (int k = 0; k < LT_QLQ_C30_ITEMS; k++) {
            if (k) lt_buf_putc(b, ',');
            int x = r->questionnaires[i].items[k];
            if (x)
                lt_buf_printf(b, "%d", x);
            else
                lt_buf_puts(b, "null");
        }
        lt_buf_puts(b, "]}");
    }
    lt_buf_puts(b, "],\"last_contact\":");
    put_date(b, r->last_contact);
    lt_buf_putc(b, '}');
}

typedef struct id_at {
    const char *id;
    size_t at; /* position in the file */
} id_at;

static int cmp_id_at(const void *a, const void *b)
{
    const id_at *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Patient ids are unique in a file. Sorting (id, position) pairs keeps this O(n log n) for a
 * whole trial's file; the error names the earliest repeat in file order. */
static lt_status check_unique(const lt_outcome_set *s, const char *source, lt_error *err)
{
    if (s->n < 2) return LT_OK;
    id_at *v = malloc(s->n * sizeof *v);
    if (!v) LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory");
    for (size_t k = 0; k < s->n; k++)
        v[k] = (id_at){s->records[k]->id, k};
    qsort(v, s->n, sizeof *v, cmp_id_at);
    size_t first = 0, second = SIZE_MAX;
    for (size_t k = 1; k < s->n; k++)
        if (!strcmp(v[k].id, v[k - 1].id) && v[k].at < second) {
            /* equal ids sort by position: v[k - 1] is an earlier occurrence; find the first */
            size_t j = k - 1;
            while (j > 0 && !strcmp(v[j - 1].id, v[k].id))
                j--;
            first = v[j].at;
            second = v[k].at;
        }
    free(v);
    if (second == SIZE_MAX) return LT_OK;
    char pw[LT_ERROR_WHERE_MAX];
    snprintf(pw, sizeof pw, "%.200s: patients[%zu]", source ? source : "<input>", second);
    return bad(err, pw, ".id", "patient \"%s\" appears twice (first at patients[%zu])",
               s->records[second]->id, first);
}

lt_status lt_outcome_set_parse(const char *text, size_t len, const char *source,
                               lt_outcome_set **out, lt_error *err)
{
    lt_json *root = NULL;
    lt_status rc = lt_json_parse(text, len, source, &root, err);
    if (rc) return rc;
    char w[LT_ERROR_WHERE_MAX];
    snprintf(w, sizeof w, "%.200s: ", source ? source : "<input>");
    static const char *const keys[] = {"format",   "format_version", "protocol",
                                       "patients", "note",           NULL};
    lt_outcome_set *s = NULL;
    if (!lt_json_is_object(root)) {
        rc = bad(err, w, "(root)", "expected an object with \"patients\", found %s",
                 lt_json_kind(root));
        goto done;
    }
    if ((rc = only_keys(root, keys, w, "", err))) goto done;
    const char *fmt = lt_json_get_str(root, "format", NULL);
    if (!fmt || strcmp(fmt, "lutetia-outcomes")) {
        rc = bad(err, w, "format", "expected \"lutetia-outcomes\", found %s%s%s", fmt ? "\"" : "",
                 fmt ? fmt : lt_json_kind(lt_json_get(root, "format")), fmt ? "\"" : "");
        goto done;
    }
    double fv = 0;
    if (!lt_json_num(lt_json_get(root, "format_version"), &fv) || fv != 1) {
        rc = lt_error_set(err, LT_EVERSION, w, "format_version: expected 1, found %s",
                          lt_json_kind(lt_json_get(root, "format_version")));
        goto done;
    }
    const lt_json *pats = lt_json_get(root, "patients");
    if (!lt_json_is_array(pats)) {
        rc = bad(err, w, "patients", "expected an array of patients, found %s", lt_json_kind(pats));
        goto done;
    }
    s = calloc(1, sizeof *s);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): records is an array of pointers
    if (!s || !(s->records = calloc(lt_json_size(pats) + 1, sizeof *s->records)) ||
        (lt_json_get_str(root, "protocol", NULL) &&
         !(s->protocol = strdup(lt_json_get_str(root, "protocol", "")))))
        goto nomem;
    size_t i = 0;
    for (const lt_json *e = lt_json_first(pats); e; e = lt_json_next(e), i++) {
        char pw[LT_ERROR_WHERE_MAX];
        snprintf(pw, sizeof pw, "%.200s: patients[%zu]", source ? source : "<input>", i);
        if ((rc = lt_outcome_record_from_json(e, pw, &s->records[s->n], err))) goto done;
        s->n++;
    }
    if ((rc = check_unique(s, source, err))) goto done;
    *out = s;
    s = NULL;
    goto done;
nomem:
    rc = lt_error_set(err, LT_ENOMEM, w, "out of memory");
done:
    lt_outcome_set_free(s);
    lt_json_free(root);
    return rc;
}

lt_status lt_outcome_set_load(const char *path, lt_outcome_set **out, lt_error *err)
{
    char *text = NULL;
    size_t len = 0;
    lt_status rc = lt_file_read(path, &text, &len, err);
    if (rc) return rc;
    rc = lt_outcome_set_parse(text, len, path, out, err);
    free(text);
    return rc;
}

void lt_outcome_set_free(lt_outcome_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++)
        lt_outcome_record_free(s->records[i]);
    free(s->records);
    free((char *)s->protocol);
    free(s);
}
