/* Endpoint derivation: from a protocol's endpoint definitions (origin event, the events that
 * end the time, the censoring rule) and one patient's outcome record, the time in days, the
 * event indicator and why. Censoring follows the usual conventions for DFS and PFS (FDA,
 * Guidance for Industry: Clinical Trial Endpoints for the Approval of Cancer Drugs and
 * Biologics, 2018, table of PFS censoring): no event -> the last adequate tumour assessment;
 * no assessment after the origin -> the origin; a new anticancer therapy that the endpoint
 * names in censor_at -> the last assessment before it. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "endpoints_int.h"

typedef struct event_spec {
    lt_event_type type;
    char *qualifier; /* recurrence: liver | extrahepatic; death: a cause; else NULL */
} event_spec;

typedef struct endpoint_def {
    char *id, *name, *origin; /* origin NULL for a proportion */
    lt_proportion_def prop;   /* a proportion's definition (prop.counts >= 0) */
    event_spec *events;
    size_t nevents;
    lt_event_type censor_at[LT_EVENT_TYPE_COUNT];
    size_t ncensor_at;
    lt_censor_rule censor;
} endpoint_def;

struct lt_endpoints {
    endpoint_def *defs;
    size_t n;
};

static lt_status bad(lt_error *err, const char *where, const char *fmt, ...) LT_PRINTF(3, 4);
static lt_status bad(lt_error *err, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lt_status st = lt_error_vset(err, LT_ESCHEMA, where, fmt, ap);
    va_end(ap);
    return st;
}

static void pathf(char *buf, const char *fmt, ...) LT_PRINTF(2, 3);
static void pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, LT_ERROR_WHERE_MAX, fmt, ap);
    va_end(ap);
}

static int event_type_from(const char *s, size_t len)
{
    for (int i = 0; i < LT_EVENT_TYPE_COUNT; i++) {
        const char *n = lt_event_type_name((lt_event_type)i);
        if (strlen(n) == len && !strncmp(n, s, len)) return i;
    }
    return -1;
}

void lt_endpoints_free(lt_endpoints *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n; i++) {
        endpoint_def *d = &e->defs[i];
        free(d->id);
        free(d->name);
        free(d->origin);
        for (size_t j = 0; j < d->nevents; j++)
            free(d->events[j].qualifier);
        free(d->events);
    }
    free(e->defs);
    free(e);
}

static lt_status parse_spec(const char *s, const char *w, event_spec *out, lt_error *err)
{
    const char *colon = strchr(s, ':');
    size_t len = colon ? (size_t)(colon - s) : strlen(s);
    int t = event_type_from(s, len);
    if (t < 0 || t == LT_EVENT_LOST_TO_FOLLOW_UP || t == LT_EVENT_WITHDRAWAL)
        return bad(err, w,
                   "expected recurrence, recurrence:liver, recurrence:extrahepatic, "
                   "progression, death, death:CAUSE or next_therapy, found \"%s\"",
                   s);
    out->type = (lt_event_type)t;
    out->qualifier = NULL;
    if (colon) {
        const char *q = colon + 1;
        bool ok =
            (t == LT_EVENT_RECURRENCE && (!strcmp(q, "liver") || !strcmp(q, "extrahepatic"))) ||
            (t == LT_EVENT_DEATH && (!strcmp(q, "disease") || !strcmp(q, "treatment") ||
                                     !strcmp(q, "other") || !strcmp(q, "unknown")));
        if (!ok)
            return bad(err, w,
                       "\"%s\": expected recurrence:liver, recurrence:extrahepatic or "
                       "death:disease|treatment|other|unknown",
                       s);
        if (!(out->qualifier = strdup(q))) LT_FAIL(err, LT_ENOMEM, w, "out of memory");
    }
    return LT_OK;
}

static lt_status parse_def(const lt_json *v, const char *where, endpoint_def *d, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX];
    pathf(w, "%s.%s", where, d->id);
    if (!lt_json_is_object(v)) return bad(err, w, "expected an object, found %s", lt_json_kind(v));
    static const char *const keys[] = {
        "name",   "role",   "origin",   "events",     "at_months", "censor",       "censor_at",
        "source", "note",   "type",     "counts",     "at_least",  "population",   "level",
        "confirm_days", NULL};
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        bool known = !strncmp(k, "comment", 7);
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(k, keys[i])) known = true;
        if (!known) {
            pathf(w, "%s.%s.%s", where, d->id, k);
            return bad(err, w, "unknown member \"%s\"", k);
        }
    }
    const char *name = lt_json_get_str(v, "name", d->id);
    if (!(d->name = strdup(name))) LT_FAIL(err, LT_ENOMEM, where, "out of memory");
    d->prop.counts = (lt_proportion_counts)-1;
    const lt_json *type = lt_json_get(v, "type");
    if (type) {
        pathf(w, "%s.%s.type", where, d->id);
        const char *t = lt_json_str(type);
        if (t && !strcmp(t, "proportion")) return lt__proportion_parse(v, where, d->id, &d->prop, err);
        if (!t || strcmp(t, "time_to_event"))
            return bad(err, w, "expected \"time_to_event\" or \"proportion\", found %s%s%s",
                       t ? "\"" : "", t ? t : lt_json_kind(type), t ? "\"" : "");
    }
    for (const char *const *k = (const char *const[]){"counts", "at_least", "population", "level",
                                                      "confirm_days", NULL};
         *k; k++)
        if (lt_json_get(v, *k)) {
            pathf(w, "%s.%s.%s", where, d->id, *k);
            return bad(err, w, "\"%s\" belongs to a proportion (\"type\": \"proportion\")", *k);
        }
    const char *origin = lt_json_get_str(v, "origin", NULL);
    pathf(w, "%s.%s.origin", where, d->id);
    if (!origin || !*origin)
        return bad(err, w,
                   "expected the origin event's name (\"liver_resection\", "
                   "\"randomisation\"), found %s",
                   lt_json_kind(lt_json_get(v, "origin")));
    if (!(d->origin = strdup(origin))) LT_FAIL(err, LT_ENOMEM, where, "out of memory");
    const lt_json *ev = lt_json_get(v, "events");
    pathf(w, "%s.%s.events", where, d->id);
    if (!lt_json_is_array(ev) || lt_json_size(ev) == 0)
        return bad(err, w, "expected a non-empty array of event names, found %s", lt_json_kind(ev));
    if (!(d->events = calloc(lt_json_size(ev), sizeof *d->events)))
        LT_FAIL(err, LT_ENOMEM, where, "out of memory");
    bool tumour = false;
    for (const lt_json *e = lt_json_first(ev); e; e = lt_json_next(e)) {
        pathf(w, "%s.%s.events[%zu]", where, d->id, d->nevents);
        if (!lt_json_str(e)) return bad(err, w, "expected an event name, found %s", lt_json_kind(e));
        lt_status rc = parse_spec(lt_json_str(e), w, &d->events[d->nevents], err);
        if (rc) return rc;
        lt_event_type t = d->events[d->nevents++].type;
        if (t == LT_EVENT_RECURRENCE || t == LT_EVENT_PROGRESSION) tumour = true;
    }
    /* tumour endpoints censor at the last assessment, others at the last contact */
    d->censor = tumour ? LT_CENSOR_LAST_ASSESSMENT : LT_CENSOR_LAST_CONTACT;
    const lt_json *c = lt_json_get(v, "censor");
    if (c) {
        pathf(w, "%s.%s.censor", where, d->id);
        const char *s = lt_json_str(c);
        if (s && !strcmp(s, "last_assessment"))
            d->censor = LT_CENSOR_LAST_ASSESSMENT;
        else if (s && !strcmp(s, "last_contact"))
            d->censor = LT_CENSOR_LAST_CONTACT;
        else
            return bad(err, w, "expected \"last_assessment\" or \"last_contact\", found %s%s%s",
                       s ? "\"" : "", s ? s : lt_json_kind(c), s ? "\"" : "");
    }
    const lt_json *ca = lt_json_get(v, "censor_at");
    if (ca) {
        pathf(w, "%s.%s.censor_at", where, d->id);
        if (!lt_json_is_array(ca))
            return bad(err, w, "expected an array of event names, found %s", lt_json_kind(ca));
        for (const lt_json *e = lt_json_first(ca); e; e = lt_json_next(e)) {
            const char *s = lt_json_str(e);
            int t = s ? event_type_from(s, strlen(s)) : -1;
            pathf(w, "%s.%s.censor_at[%zu]", where, d->id, d->ncensor_at);
            if (t < 0 || d->ncensor_at >= LT_EVENT_TYPE_COUNT)
                return bad(err, w, "expected an event name (next_therapy, ...), found %s%s%s",
                           s ? "\"" : "", s ? s : lt_json_kind(e), s ? "\"" : "");
            for (size_t j = 0; j < d->nevents; j++)
                if (d->events[j].type == (lt_event_type)t)
                    return bad(err, w, "\"%s\" is both an event and a censoring event", s);
            d->censor_at[d->ncensor_at++] = (lt_event_type)t;
        }
    }
    return LT_OK;
}

lt_status lt_endpoints_parse(const lt_json *section, const char *where, lt_endpoints **out,
                             lt_error *err)
{
    const char *wh = where ? where : "endpoints";
    if (!lt_json_is_object(section) || lt_json_size(section) == 0)
        return bad(err, wh, "expected an object of endpoints keyed by id, found %s",
                   lt_json_kind(section));
    lt_endpoints *e = calloc(1, sizeof *e);
    if (!e || !(e->defs = calloc(lt_json_size(section), sizeof *e->defs))) {
        free(e);
        LT_FAIL(err, LT_ENOMEM, wh, "out of memory");
    }
    for (const lt_json *m = lt_json_first(section); m; m = lt_json_next(m)) {
        endpoint_def *d = &e->defs[e->n++];
        lt_status rc = LT_OK;
        if (!(d->id = strdup(lt_json_key(m))))
            rc = lt_error_set(err, LT_ENOMEM, wh, "out of memory");
        else
            rc = parse_def(m, wh, d, err);
        if (rc) {
            lt_endpoints_free(e);
            return rc;
        }
    }
    *out = e;
    return LT_OK;
}

size_t lt_endpoints_count(const lt_endpoints *e)
{
    return e ? e->n : 0;
}

const char *lt_endpoints_id(const lt_endpoints *e, size_t i)
{
    return e && i < e->n ? e->defs[i].id : NULL;
}

const lt_proportion_def *lt_endpoints_proportion(const lt_endpoints *e, size_t i)
{
    return e && i < e->n && (int)e->defs[i].prop.counts >= 0 ? &e->defs[i].prop : NULL;
}

const char *lt_endpoints_name(const lt_endpoints *e, size_t i)
{
    return e && i < e->n ? e->defs[i].name : NULL;
}

long lt_endpoints_find(const lt_endpoints *e, const char *id)
{
    for (size_t i = 0; e && id && i < e->n; i++)
        if (!strcasecmp(e->defs[i].id, id)) return (long)i;
    return -1;
}

const char *lt_endpoints_origin(const lt_endpoints *e, size_t i)
{
    return e && i < e->n ? e->defs[i].origin : NULL;
}

lt_censor_rule lt_endpoints_censor(const lt_endpoints *e, size_t i)
{
    return e && i < e->n ? e->defs[i].censor : LT_CENSOR_LAST_CONTACT;
}

static bool spec_matches(const event_spec *s, const lt_outcome_event *ev)
{
    if (s->type != ev->type) return false;
    if (!s->qualifier) return true;
    if (ev->type == LT_EVENT_RECURRENCE)
        return ev->site &&
               (!strcmp(ev->site, s->qualifier) || !strcmp(ev->site, "liver_and_extrahepatic"));
    if (ev->type == LT_EVENT_DEATH) return ev->cause && !strcmp(ev->cause, s->qualifier);
    return false;
}

/* The first RECIST 1.1 progression among the record's assessments (the first one is the
 * baseline), or LT_DATE_NONE. */
static lt_status recist_pd(const lt_outcome_record *r, lt_date from, lt_date *out, lt_error *err)
{
    *out = LT_DATE_NONE;
    if (r->nassessments == 0) return LT_OK;
    lt_recist_result *res = calloc(r->nassessments, sizeof *res);
    if (!res) LT_FAIL(err, LT_ENOMEM, r->id, "out of memory");
    char where[LT_ERROR_WHERE_MAX];
    pathf(where, "patient %s", r->id);
    lt_status rc = lt_recist_evaluate(r->assessments, r->nassessments, where, res, err);
    for (size_t i = 1; rc == LT_OK && i < r->nassessments; i++)
        if (res[i].overall == LT_RECIST_PD && res[i].date >= from) {
            *out = res[i].date;
            break;
        }
    free(res);
    return rc;
}

lt_status lt_endpoint_derive(const lt_endpoints *e, size_t i, const lt_outcome_record *r,
                             lt_date cutoff, lt_endpoint_row *row, lt_error *err)
{
    if (!e || i >= e->n || !r || !row) LT_FAIL(err, LT_EINVAL, "", "no such endpoint");
    const endpoint_def *d = &e->defs[i];
    if (!d->origin)
        LT_FAIL(err, LT_EINVAL, d->id,
                "%s is a proportion of patients, not a time to an event: analyse it as a "
                "proportion", d->id);
    char where[LT_ERROR_WHERE_MAX];
    pathf(where, "patient %s", r->id);
    lt_date origin = lt_outcome_record_anchor(r, d->origin);
    if (origin == LT_DATE_NONE)
        LT_FAIL(err, LT_ESTATE, where, "%s counts from %s, which has no date in this record", d->id,
                d->origin);
    if (cutoff != LT_DATE_NONE && origin > cutoff) {
        char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
        LT_FAIL(err, LT_ESTATE, where, "%s's origin %s on %s is after the cutoff %s", d->id,
                d->origin, lt_date_format(origin, a), lt_date_format(cutoff, b));
    }
    /* follow-up for this endpoint ends at the cutoff and at the first censoring event */
    lt_date limit = cutoff;
    const char *limit_reason = "cutoff";
    for (size_t k = 0; k < r->nevents; k++) {
        const lt_outcome_event *ev = &r->events[k];
        for (size_t j = 0; j < d->ncensor_at; j++)
            if (ev->type == d->censor_at[j] && ev->date >= origin &&
                (limit == LT_DATE_NONE || ev->date < limit)) {
                limit = ev->date;
                limit_reason = lt_event_type_name(ev->type);
            }
    }
    lt_date first = LT_DATE_NONE;
    const char *what = NULL;
    for (size_t k = 0; k < r->nevents; k++) {
        const lt_outcome_event *ev = &r->events[k];
        for (size_t j = 0; j < d->nevents; j++) {
            if (!spec_matches(&d->events[j], ev)) continue;
            if (ev->date < origin) {
                char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
                LT_FAIL(err, LT_ESCHEMA, where, "%s on %s precedes %s's origin %s on %s",
                        lt_event_type_name(ev->type), lt_date_format(ev->date, a), d->id, d->origin,
                        lt_date_format(origin, b));
            }
            if (limit != LT_DATE_NONE && ev->date > limit) continue;
            if (first == LT_DATE_NONE || ev->date < first) {
                first = ev->date;
                what = lt_event_type_name(ev->type);
            }
        }
    }
    for (size_t j = 0; j < d->nevents; j++)
        if (d->events[j].type == LT_EVENT_PROGRESSION) {
            lt_date pd;
            lt_status rc = recist_pd(r, origin, &pd, err);
            if (rc) return rc;
            if (pd != LT_DATE_NONE && (limit == LT_DATE_NONE || pd <= limit) &&
                (first == LT_DATE_NONE || pd < first)) {
                first = pd;
                what = "progression";
            }
            break;
        }
    lt_endpoint_row out = {r->id, r->arm, origin, LT_DATE_NONE, 0, 0, NULL};
    if (first != LT_DATE_NONE) {
        out.end = first;
        out.event = 1;
        out.reason = what;
    } else if (d->censor == LT_CENSOR_LAST_ASSESSMENT) {
        out.end = origin;
        out.reason = "no_assessment";
        for (size_t k = 0; k < r->nassessments; k++) {
            lt_date t = r->assessments[k].date;
            if (t >= origin && (limit == LT_DATE_NONE || t <= limit) && t >= out.end) {
                out.end = t;
                out.reason = "last_assessment";
            }
        }
    } else {
        /* the last date the patient is known to have been alive and followed */
        lt_date last = origin;
        for (size_t k = 0; k < r->nassessments; k++)
            if (r->assessments[k].date > last) last = r->assessments[k].date;
        for (size_t k = 0; k < r->nvisits; k++)
            if (r->visits[k].date > last) last = r->visits[k].date;
        for (size_t k = 0; k < r->nevents; k++)
            if (r->events[k].date > last) last = r->events[k].date;
        for (size_t k = 0; k < r->nquestionnaires; k++)
            if (r->questionnaires[k].date > last) last = r->questionnaires[k].date;
        if (r->last_contact != LT_DATE_NONE && r->last_contact > last) last = r->last_contact;
        out.reason = "last_contact";
        if (limit != LT_DATE_NONE && last > limit) {
            last = limit;
            out.reason = limit_reason;
        }
        out.end = last;
    }
    out.time = (double)(out.end - origin);
    *row = out;
    return LT_OK;
}
