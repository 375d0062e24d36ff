/* CDISC ODM 1.3.2 export of a trial (include/lutetia/export.h): the study's metadata from the
 * protocol and the stored records, the sites and users, and every patient's data with the
 * audit record of its current revision.
 *
 * The items are not a hand-kept list: each record kind is one form (F.LAB, F.ADVERSE_EVENT,
 * ...) whose items are the scalar members its stored documents hold (IT.LAB.value,
 * IT.LAB.grade.grade, ...), with the data type every value of the member fits. So a kind the
 * engine learns to record is exported without touching this file. The study events are the
 * protocol's calendar entries (a recorded visit goes to its entry, an administration or a dose
 * decision to its cycle's entry), ENROLMENT (screening, consent, randomisation, profile,
 * anchors), and UNSCHEDULED, repeating by date, for the rest (labs, adverse events, scans,
 * outcome events). XML is written with libxml2's text writer, which escapes what it must. */
#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/export.h"
#include "lutetia/json.h"
#include "lutetia/sign.h"
#include "../trial/trial_int.h"

#define ODM_NS "http://www.cdisc.org/ns/odm/v1.3"
#define EV_ENROLMENT "SE.ENROLMENT"
#define EV_UNSCHEDULED "SE.UNSCHEDULED"

/* The data types a member's values were seen to have. */
enum { T_INT = 1, T_FLOAT = 2, T_BOOL = 4, T_DATE = 8, T_DATETIME = 16, T_TEXT = 32 };

typedef struct item {
    char *path;  /* "grade.grade" */
    unsigned types;
    size_t units[8]; /* indexes into odm.units: the units its values came with */
    size_t nunits;
} item;

typedef struct form {
    char *kind;
    item *items;
    size_t n, cap;
} form;

typedef struct event {
    char *oid, *name;
    bool repeating, scheduled;
    bool *has_form; /* by form index, sized odm.form_cap */
} event;

typedef struct rec {
    char *kind, *id, *site, *patient, *data;
    int64_t audit_seq;
    size_t event;     /* index into odm.events */
    char *repeat_key; /* StudyEventRepeatKey (a date), or NULL */
} rec;

typedef struct audit {
    char *user, *site, *at, *reason;
} audit;

typedef struct odm {
    lt_trial *t;
    form *forms;
    size_t nforms, form_cap;
    event *events;
    size_t nevents;
    char **units;
    size_t nunits;
    rec *recs;
    size_t nrecs, rec_cap;
    audit *audits; /* by seq - 1 */
    size_t naudits;
    char **users;
    size_t nusers;
    struct osig *sigs; /* the electronic signatures that still hold (below) */
    size_t nsigs;
    bool oom;
} odm;

/* ---- the members of a document, as items ---- */

static bool is_date(const char *s)
{
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           strspn(s, "0123456789-") == 10;
}

static bool is_datetime(const char *s)
{
    size_t n = strlen(s);
    char day[11];
    if (n < 20 || s[10] != 'T' || s[n - 1] != 'Z') return false;
    memcpy(day, s, 10);
    day[10] = 0;
    return is_date(day);
}

static unsigned type_of(const lt_json *v)
{
    double x;
    bool b;
    if (lt_json_bool(v, &b)) return T_BOOL;
    if (lt_json_num(v, &x)) return x == floor(x) && fabs(x) < 1e15 ? T_INT : T_FLOAT;
    const char *s = lt_json_str(v);
    if (!s) return T_TEXT;
    return is_date(s) ? T_DATE : is_datetime(s) ? T_DATETIME : T_TEXT;
}

static const char *odm_type(unsigned types)
{
    if (types == T_INT) return "integer";
    if (types == T_BOOL) return "boolean";
    if (types == T_DATE) return "date";
    if (types == T_DATETIME) return "datetime";
    if (types && !(types & ~(unsigned)(T_INT | T_FLOAT))) return "float";
    return "text";
}

/* The value as ODM writes it. */
static void value_text(const lt_json *v, char *buf, size_t n)
{
    double x;
    bool b;
    if (lt_json_bool(v, &b))
        snprintf(buf, n, "%s", b ? "true" : "false");
    else if (lt_json_num(v, &x))
        snprintf(buf, n, x == floor(x) && fabs(x) < 1e15 ? "%.0f" : "%.17g", x);
    else
        snprintf(buf, n, "%s", lt_json_str(v) ? lt_json_str(v) : "");
}

/* An OID part: letters, digits, '.', '-' and '_' (the rest becomes '_'); define.xml spells
 * its OIDs the same way. */
void lt__oid_part(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        out[i] = ok ? c : '_';
    }
    out[i] = 0;
}

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
}

static size_t unit_index(odm *o, const char *u)
{
    for (size_t i = 0; i < o->nunits; i++)
        if (!strcmp(o->units[i], u)) return i;
    char **more = realloc(o->units, (o->nunits + 1) * sizeof *more);
    char *c = strdup(u);
    if (!more || !c) {
        free(c);
        if (more) o->units = more;
        o->oom = true;
        return 0;
    }
    o->units = more;
    o->units[o->nunits] = c;
    return o->nunits++;
}

static item *item_get(odm *o, form *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->items[i].path, path)) return &f->items[i];
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        item *more = realloc(f->items, cap * sizeof *more);
        if (!more) {
            o->oom = true;
            return NULL;
        }
        f->items = more;
        f->cap = cap;
    }
    item *it = &f->items[f->n];
    memset(it, 0, sizeof *it);
    if (!(it->path = strdup(path))) {
        o->oom = true;
        return NULL;
    }
    f->n++;
    return it;
}

/* Calls fn on each scalar member of v, with its dotted path and the unit its object gives
 * ("value" beside "unit"). Arrays of objects with an "id" are keyed by it (a screening's
 * criteria: result.criteria.I1.status), arrays of scalars are one text value, others by index.
 * The evidence of a screening and its criteria's text are left out: they repeat the source
 * data and the protocol. */
typedef void (*leaf_fn)(odm *o, const char *path, const lt_json *v, const char *unit, void *ctx);

static void walk(odm *o, const lt_json *v, const char *path, const char *unit, int depth,
                 leaf_fn fn, void *ctx)
{
    char sub[512];
    if (depth > 8 || lt_json_is_null(v)) return;
    if (lt_json_is_object(v)) {
        const char *u = lt_json_get_str(v, "unit", NULL);
        for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m)) {
            const char *k = lt_json_key(m);
            if (!strcmp(k, "evidence") || (!strcmp(k, "text") && strstr(path, ".criteria.")))
                continue;
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
            walk(o, m, sub, !strcmp(k, "value") ? u : NULL, depth + 1, fn, ctx);
        }
    } else if (lt_json_is_array(v)) {
        if (!lt_json_size(v)) return; /* nothing to say: no item */
        bool scalars = true;
        for (const lt_json *e = lt_json_first(v); e; e = lt_json_next(e))
            scalars = scalars && !lt_json_is_object(e) && !lt_json_is_array(e);
        if (scalars) {
            fn(o, path, v, NULL, ctx);
            return;
        }
        size_t i = 0;
        for (const lt_json *e = lt_json_first(v); e; e = lt_json_next(e), i++) {
            const char *id = lt_json_get_str(e, "id", NULL);
            if (id)
                snprintf(sub, sizeof sub, "%s.%s", path, id);
            else
                snprintf(sub, sizeof sub, "%s.%zu", path, i + 1);
            walk(o, e, sub, NULL, depth + 1, fn, ctx);
        }
    } else {
        fn(o, path, v, unit, ctx);
    }
}

/* An array of scalars as one text value: "E8,E9". */
static void joined(const lt_json *arr, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = 0;
    for (const lt_json *e = lt_json_first(arr); e && at + 1 < n; e = lt_json_next(e)) {
        char one[128];
        value_text(e, one, sizeof one);
        int w = snprintf(buf + at, n - at, "%s%s", at ? "," : "", one);
        if (w < 0) break;
        at += (size_t)w < n - at ? (size_t)w : n - at - 1;
    }
}

static void learn_leaf(odm *o, const char *path, const lt_json *v, const char *unit, void *ctx)
{
    item *it = item_get(o, ctx, path);
    if (!it) return;
    it->types |= lt_json_is_array(v) ? T_TEXT : type_of(v);
    if (unit) {
        size_t u = unit_index(o, unit), k = 0;
        while (k < it->nunits && it->units[k] != u) k++;
        if (k == it->nunits && it->nunits < sizeof it->units / sizeof it->units[0])
            it->units[it->nunits++] = u;
    }
}

/* ---- reading the store ---- */

static form *form_get(odm *o, const char *kind, size_t *index)
{
    for (size_t i = 0; i < o->nforms; i++)
        if (!strcmp(o->forms[i].kind, kind)) {
            *index = i;
            return &o->forms[i];
        }
    if (o->nforms == o->form_cap) {
        size_t cap = o->form_cap ? o->form_cap * 2 : 16;
        form *more = realloc(o->forms, cap * sizeof *more);
        if (!more) return o->oom = true, NULL;
        o->forms = more;
        for (size_t e = 0; e < o->nevents; e++) {
            bool *h = realloc(o->events[e].has_form, cap * sizeof *h);
            if (!h) return o->oom = true, NULL;
            memset(h + o->form_cap, 0, (cap - o->form_cap) * sizeof *h);
            o->events[e].has_form = h;
        }
        o->form_cap = cap;
    }
    form *f = &o->forms[o->nforms];
    memset(f, 0, sizeof *f);
    if (!(f->kind = strdup(kind))) return o->oom = true, NULL;
    *index = o->nforms++;
    return f;
}

static bool event_add(odm *o, const char *oid, const char *name, bool repeating, bool scheduled)
{
    event *more = realloc(o->events, (o->nevents + 1) * sizeof *more);
    if (!more) return false;
    o->events = more;
    event *e = &o->events[o->nevents];
    memset(e, 0, sizeof *e);
    e->repeating = repeating;
    e->scheduled = scheduled;
    if (!(e->oid = strdup(oid)) || !(e->name = strdup(name)) ||
        !(e->has_form = calloc(o->form_cap ? o->form_cap : 1, sizeof *e->has_form))) {
        free(e->oid), free(e->name);
        return false;
    }
    o->nevents++;
    return true;
}

static size_t event_index(const odm *o, const char *oid)
{
    for (size_t i = 0; i < o->nevents; i++)
        if (!strcmp(o->events[i].oid, oid)) return i;
    return (size_t)-1;
}

/* The study events: enrolment, each calendar entry of the protocol, unscheduled. */
static bool events_from_protocol(odm *o)
{
    if (!event_add(o, EV_ENROLMENT, "Screening and enrolment", false, true)) return false;
    const lt_json *items = lt_json_get(lt_protocol_section(o->t->protocol, "schedule"), "items");
    for (const lt_json *m = lt_json_first(items); m; m = lt_json_next(m)) {
        char oid[160], part[128];
        lt__oid_part(lt_json_key(m), part, sizeof part);
        snprintf(oid, sizeof oid, "SE.%s", part);
        const char *label = lt_json_get_str(m, "label", lt_json_key(m));
        if (!event_add(o, oid, label, lt_json_get(m, "repeat") != NULL, true)) return false;
    }
    return event_add(o, EV_UNSCHEDULED, "Unscheduled (by date)", true, false);
}

/* Where a record goes: its calendar entry, enrolment, or the unscheduled event of its date. */
static void place(odm *o, rec *r, const lt_json *j)
{
    char oid[160], part[128];
    const char *entry = !strcmp(r->kind, "visit") ? lt_json_get_str(j, "entry", NULL) : NULL;
    double cycle;
    if (!entry && (!strcmp(r->kind, "administration") || !strcmp(r->kind, "dose_decision")) &&
        lt_json_num(lt_json_get(j, "cycle"), &cycle) && cycle >= 1 && cycle < 1000) {
        snprintf(part, sizeof part, "C%d", (int)cycle);
        entry = part;
    }
    if (entry) {
        char e[128];
        lt__oid_part(entry, e, sizeof e);
        snprintf(oid, sizeof oid, "SE.%s", e);
        size_t k = event_index(o, oid);
        if (k != (size_t)-1) {
            r->event = k;
            return;
        }
    }
    static const char *const enrolment[] = {"patient", "screening", "profile", "anchor",
                                            "consent"};
    for (size_t i = 0; i < sizeof enrolment / sizeof enrolment[0]; i++)
        if (!strcmp(r->kind, enrolment[i])) {
            r->event = event_index(o, EV_ENROLMENT);
            return;
        }
    const char *date = lt_json_get_str(j, "date", NULL);
    if (!date) date = lt_json_get_str(j, "start", NULL);
    if (!date) date = lt_json_get_str(lt_json_get(j, "event"), "date", NULL);
    if (date && is_date(date)) {
        r->event = event_index(o, EV_UNSCHEDULED);
        r->repeat_key = strdup(date);
        if (!r->repeat_key) o->oom = true;
    } else {
        r->event = event_index(o, EV_ENROLMENT);
    }
}

/* Kinds that are no patient's data (the trial, its users and sites, amendments), or that would
 * reveal the allocation sequence (allocation: the patient record holds the arm). */
static bool exported_kind(const char *kind)
{
    static const char *const skip[] = {"trial", "user", "site", "amendment", "allocation",
                                       "session", "token", "signature", "signature_refusal"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (!strcmp(kind, skip[i])) return false;
    return true;
}

static int read_record(const lt_record *r, void *ctx)
{
    odm *o = ctx;
    if (!r->patient || !*r->patient || !exported_kind(r->kind)) return 0;
    if (!o->t->all_sites && !lt__trial_has_site(o->t, r->site)) return 0;
    lt_json *j = NULL;
    if (lt_json_parse(r->data, strlen(r->data), r->kind, &j, NULL) != LT_OK) return 0;
    size_t fi = 0;
    form *f = form_get(o, r->kind, &fi);
    if (f) walk(o, j, "", NULL, 0, learn_leaf, f);
    if (o->nrecs == o->rec_cap) {
        size_t cap = o->rec_cap ? o->rec_cap * 2 : 256;
        rec *more = realloc(o->recs, cap * sizeof *more);
        if (!more) {
            lt_json_free(j);
            o->oom = true;
            return 1;
        }
        o->recs = more;
        o->rec_cap = cap;
    }
    rec *x = &o->recs[o->nrecs++];
    memset(x, 0, sizeof *x);
    x->audit_seq = r->audit_seq;
    if (!(x->kind = strdup(r->kind)) || !(x->id = strdup(r->id)) ||
        !(x->site = strdup(r->site ? r->site : "")) || !(x->patient = strdup(r->patient)) ||
        !(x->data = strdup(r->data)))
        o->oom = true;
    if (f && !o->oom) {
        place(o, x, j);
        o->events[x->event].has_form[fi] = true;
    }
    lt_json_free(j);
    return o->oom ? 1 : 0;
}

static bool user_known(const odm *o, const char *u)
{
    for (size_t i = 0; i < o->nusers; i++)
        if (!strcmp(o->users[i], u)) return true;
    return false;
}

static void user_note(odm *o, const char *u)
{
    if (!u || !*u || user_known(o, u)) return;
    char **more = realloc(o->users, (o->nusers + 1) * sizeof *more);
    char *c = strdup(u);
    if (!more || !c) {
        free(c);
        if (more) o->users = more;
        o->oom = true;
        return;
    }
    o->users = more;
    o->users[o->nusers++] = c;
}

static int read_audit(const lt_audit_record *a, void *ctx)
{
    odm *o = ctx;
    if (a->seq < 1 || (size_t)a->seq > o->naudits) return 0;
    audit *x = &o->audits[a->seq - 1];
    if (!(x->user = strdup(a->user)) || !(x->site = strdup(a->site)) ||
        !(x->at = strdup(a->at)) || !(x->reason = strdup(a->reason)))
        o->oom = true;
    user_note(o, a->user);
    return o->oom ? 1 : 0;
}

static int read_user(const lt_record *r, void *ctx)
{
    user_note(ctx, r->id);
    return 0;
}

/* Subjects in order, each's events in calendar order, then by date, then form and record. */
static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    int c = strcmp(x->patient, y->patient);
    if (c) return c;
    if (x->event != y->event) return x->event < y->event ? -1 : 1;
    c = strcmp(x->repeat_key ? x->repeat_key : "", y->repeat_key ? y->repeat_key : "");
    if (c) return c;
    c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->id, y->id);
}

/* ---- writing ---- */

typedef struct emit {
    xmlTextWriterPtr w;
    const form *f;
    const odm *o;
    const char *form_oid;
    int rc;
} emit;

#define W(call)                                                                                  \
    do {                                                                                         \
        if ((call) < 0) e->rc = -1;                                                              \
    } while (0)

static void attr(emit *e, const char *name, const char *value)
{
    W(xmlTextWriterWriteAttribute(e->w, BAD_CAST name, BAD_CAST value));
}

static void start(emit *e, const char *name) { W(xmlTextWriterStartElement(e->w, BAD_CAST name)); }
static void end(emit *e) { W(xmlTextWriterEndElement(e->w)); }

static void text_element(emit *e, const char *name, const char *text)
{
    W(xmlTextWriterWriteElement(e->w, BAD_CAST name, BAD_CAST text));
}

static void translated(emit *e, const char *outer, const char *text)
{
    start(e, outer);
    start(e, "TranslatedText");
    W(xmlTextWriterWriteAttribute(e->w, BAD_CAST "xml:lang", BAD_CAST "en"));
    W(xmlTextWriterWriteString(e->w, BAD_CAST text));
    end(e);
    end(e);
}

static void item_oid(const char *kind, const char *path, char *out, size_t n)
{
    char k[96], p[384];
    lt__oid_part(kind, k, sizeof k);
    upper(k);
    lt__oid_part(path, p, sizeof p);
    snprintf(out, n, "IT.%s.%s", k, p);
}

static void form_oid(const char *kind, char *out, size_t n)
{
    char k[96];
    lt__oid_part(kind, k, sizeof k);
    upper(k);
    snprintf(out, n, "F.%s", k);
}

static void unit_oid(size_t i, char *out, size_t n) { snprintf(out, n, "MU.%zu", i + 1); }

static void metadata(emit *e, const char *version)
{
    const odm *o = e->o;
    char oid[512], mdv[160];
    snprintf(mdv, sizeof mdv, "MDV.%s", version);
    start(e, "MetaDataVersion");
    attr(e, "OID", mdv);
    snprintf(oid, sizeof oid, "%s version %s", lt_protocol_name(o->t->protocol), version);
    attr(e, "Name", oid);
    start(e, "Protocol");
    for (size_t i = 0; i < o->nevents; i++) {
        start(e, "StudyEventRef");
        attr(e, "StudyEventOID", o->events[i].oid);
        snprintf(oid, sizeof oid, "%zu", i + 1);
        attr(e, "OrderNumber", oid);
        attr(e, "Mandatory", i == 0 ? "Yes" : "No");
        end(e);
    }
    end(e);
    for (size_t i = 0; i < o->nevents; i++) {
        const event *ev = &o->events[i];
        start(e, "StudyEventDef");
        attr(e, "OID", ev->oid);
        attr(e, "Name", ev->name);
        attr(e, "Repeating", ev->repeating ? "Yes" : "No");
        attr(e, "Type", ev->scheduled ? "Scheduled" : "Unscheduled");
        for (size_t f = 0; f < o->nforms; f++) {
            if (!ev->has_form[f]) continue;
            start(e, "FormRef");
            form_oid(o->forms[f].kind, oid, sizeof oid);
            attr(e, "FormOID", oid);
            attr(e, "Mandatory", "No");
            end(e);
        }
        end(e);
    }
    for (size_t f = 0; f < o->nforms; f++) {
        start(e, "FormDef");
        form_oid(o->forms[f].kind, oid, sizeof oid);
        attr(e, "OID", oid);
        attr(e, "Name", o->forms[f].kind);
        attr(e, "Repeating", "Yes");
        start(e, "ItemGroupRef");
        oid[0] = 'G'; /* "G.KIND" beside "F.KIND" */
        attr(e, "ItemGroupOID", oid);
        attr(e, "Mandatory", "Yes");
        end(e);
        end(e);
    }
    for (size_t f = 0; f < o->nforms; f++) {
        const form *fm = &o->forms[f];
        start(e, "ItemGroupDef");
        form_oid(fm->kind, oid, sizeof oid);
        oid[0] = 'G';
        attr(e, "OID", oid);
        attr(e, "Name", fm->kind);
        attr(e, "Repeating", "No");
        for (size_t i = 0; i < fm->n; i++) {
            start(e, "ItemRef");
            item_oid(fm->kind, fm->items[i].path, oid, sizeof oid);
            attr(e, "ItemOID", oid);
            attr(e, "Mandatory", "No");
            end(e);
        }
        end(e);
    }
    for (size_t f = 0; f < o->nforms; f++) {
        const form *fm = &o->forms[f];
        for (size_t i = 0; i < fm->n; i++) {
            const item *it = &fm->items[i];
            start(e, "ItemDef");
            item_oid(fm->kind, it->path, oid, sizeof oid);
            attr(e, "OID", oid);
            attr(e, "Name", it->path);
            attr(e, "DataType", odm_type(it->types));
            for (size_t u = 0; u < it->nunits; u++) {
                start(e, "MeasurementUnitRef");
                unit_oid(it->units[u], oid, sizeof oid);
                attr(e, "MeasurementUnitOID", oid);
                end(e);
            }
            if (!strcmp(fm->kind, "patient") && !strcmp(it->path, "arm")) {
                start(e, "CodeListRef");
                attr(e, "CodeListOID", "CL.ARM");
                end(e);
            }
            end(e);
        }
    }
    start(e, "CodeList");
    attr(e, "OID", "CL.ARM");
    attr(e, "Name", "Arms");
    attr(e, "DataType", "text");
    for (size_t k = 0; k < lt_protocol_arm_count(o->t->protocol); k++) {
        const lt_arm *a = lt_protocol_arm(o->t->protocol, k);
        start(e, "CodeListItem");
        attr(e, "CodedValue", a->id);
        translated(e, "Decode", a->name ? a->name : a->id);
        end(e);
    }
    end(e);
    end(e); /* MetaDataVersion */
}

static void location_oid(const char *site, char *out, size_t n)
{
    char s[96];
    lt__oid_part(site && *site ? site : "SPONSOR", s, sizeof s);
    snprintf(out, n, "LOC.%s", s);
}

typedef struct site_ctx {
    emit *e;
    const char *study, *mdv, *effective;
} site_ctx;

static void location(emit *e, const char *oid, const char *name, const char *type,
                     const site_ctx *c)
{
    start(e, "Location");
    attr(e, "OID", oid);
    attr(e, "Name", name);
    attr(e, "LocationType", type);
    start(e, "MetaDataVersionRef");
    attr(e, "StudyOID", c->study);
    attr(e, "MetaDataVersionOID", c->mdv);
    attr(e, "EffectiveDate", c->effective);
    end(e);
    end(e);
}

static int admin_site(const lt_record *r, void *ctx)
{
    site_ctx *c = ctx;
    lt_json *j = NULL;
    char oid[128];
    location_oid(r->id, oid, sizeof oid);
    bool parsed = lt_json_parse(r->data, strlen(r->data), "site", &j, NULL) == LT_OK;
    location(c->e, oid, parsed ? lt_json_get_str(j, "name", r->id) : r->id, "Site", c);
    lt_json_free(j);
    return 0;
}

static void write_leaf(odm *o, const char *path, const lt_json *v, const char *unit, void *ctx)
{
    emit *e = ctx;
    char oid[512], val[4096];
    if (lt_json_is_array(v))
        joined(v, val, sizeof val);
    else
        value_text(v, val, sizeof val);
    start(e, "ItemData");
    item_oid(e->f->kind, path, oid, sizeof oid);
    attr(e, "ItemOID", oid);
    attr(e, "Value", val);
    if (unit) {
        unit_oid(unit_index(o, unit), oid, sizeof oid);
        start(e, "MeasurementUnitRef");
        attr(e, "MeasurementUnitOID", oid);
        end(e);
    }
    end(e);
}

static void audit_record(emit *e, const rec *r)
{
    const odm *o = e->o;
    if (r->audit_seq < 1 || (size_t)r->audit_seq > o->naudits) return;
    const audit *a = &o->audits[r->audit_seq - 1];
    if (!a->user) return;
    char oid[160], id[32];
    start(e, "AuditRecord");
    snprintf(id, sizeof id, "AR.%lld", (long long)r->audit_seq);
    attr(e, "ID", id);
    start(e, "UserRef");
    lt__oid_part(a->user, oid + 4, sizeof oid - 4);
    memcpy(oid, "USR.", 4);
    attr(e, "UserOID", oid);
    end(e);
    start(e, "LocationRef");
    location_oid(a->site, oid, sizeof oid);
    attr(e, "LocationOID", oid);
    end(e);
    text_element(e, "DateTimeStamp", a->at);
    if (a->reason && *a->reason) text_element(e, "ReasonForChange", a->reason);
    end(e);
}

/* ---- electronic signatures (src/sign/) ----
 * A signature that still holds is a Signature element of what it signs: a record's
 * ItemGroupData, a casebook's SubjectData, the data lock in ClinicalData's Signatures. One
 * SignatureDef per meaning in AdminData. An invalidated signature signs no data of this
 * snapshot and is left out (the audit trail keeps it). Signature records are not forms. */
typedef struct osig {
    char *id, *signer, *site, *at, *kind, *rid, *meaning;
} osig;

static int read_signature(const lt_record *r, void *ctx)
{
    odm *o = ctx;
    if (r->site && *r->site && !o->t->all_sites && !lt__trial_has_site(o->t, r->site)) return 0;
    bool valid = false;
    if (lt_sign_check(o->t->st, r->data, &valid, NULL) != LT_OK || !valid) return 0;
    lt_json *j = NULL;
    if (lt_json_parse(r->data, strlen(r->data), r->id, &j, NULL) != LT_OK) return 0;
    osig *more = realloc(o->sigs, (o->nsigs + 1) * sizeof *more);
    if (!more) {
        lt_json_free(j);
        return o->oom = true, 1;
    }
    o->sigs = more;
    osig *g = &o->sigs[o->nsigs++];
    const lt_json *what = lt_json_get(j, "record");
    g->id = strdup(r->id);
    g->signer = strdup(lt_json_get_str(j, "signer", ""));
    g->site = strdup(r->site ? r->site : "");
    g->at = strdup(lt_json_get_str(j, "signed_at", ""));
    g->kind = strdup(lt_json_get_str(what, "kind", ""));
    g->rid = strdup(lt_json_get_str(what, "id", ""));
    g->meaning = strdup(lt_json_get_str(j, "meaning", ""));
    if (!g->id || !g->signer || !g->site || !g->at || !g->kind || !g->rid || !g->meaning)
        o->oom = true;
    else
        user_note(o, g->signer);
    lt_json_free(j);
    return o->oom ? 1 : 0;
}

/* Collected into a list first: judging a signature reads the store. */
typedef struct sig_texts {
    char **v;
    size_t n;
    bool oom;
} sig_texts;

static int keep_signature(const lt_record *r, void *ctx)
{
    sig_texts *t = ctx;
    char **more = realloc(t->v, (t->n + 2) * 4 * sizeof *more);
    if (!more) return t->oom = true, 1;
    t->v = more;
    char **x = &t->v[4 * t->n++];
    x[0] = strdup(r->id), x[1] = strdup(r->site ? r->site : ""), x[2] = strdup(r->data);
    x[3] = NULL;
    if (!x[0] || !x[1] || !x[2]) t->oom = true;
    return t->oom ? 1 : 0;
}

static lt_status read_signatures(odm *o, lt_error *err)
{
    sig_texts t = {0};
    lt_status rc = lt_store_each(o->t->st, "signature", NULL, keep_signature, &t, err);
    if (rc == LT_OK && t.oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; rc == LT_OK && i < t.n && !o->oom; i++) {
        lt_record r = {.kind = "signature", .id = t.v[4 * i], .site = t.v[4 * i + 1],
                       .data = t.v[4 * i + 2]};
        read_signature(&r, o);
    }
    for (size_t i = 0; i < 4 * t.n; i++) free(t.v[i]);
    free(t.v);
    if (rc == LT_OK && o->oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    return rc;
}

static void signature_defs(emit *e)
{
    for (int m = 0; m < LT_SIGN_MEANING_COUNT; m++) {
        char oid[64], up[32];
        snprintf(up, sizeof up, "%s", lt_sign_meaning_name((lt_sign_meaning)m));
        upper(up);
        snprintf(oid, sizeof oid, "SD.%s", up);
        start(e, "SignatureDef");
        attr(e, "OID", oid);
        attr(e, "Methodology", "Electronic");
        char text[96];
        snprintf(text, sizeof text, "%s", lt_sign_meaning_name((lt_sign_meaning)m));
        text_element(e, "Meaning", text);
        text_element(e, "LegalReason",
                     "Electronic signature under 21 CFR Part 11 and EU GMP Annex 11: the "
                     "legally binding equivalent of the signer's handwritten signature");
        end(e);
    }
}

/* The newest signature that holds of kind/id, as a Signature element. */
static void signature_of(emit *e, const char *kind, const char *id)
{
    const odm *o = e->o;
    const osig *g = NULL;
    for (size_t i = 0; i < o->nsigs; i++)
        if (!strcmp(o->sigs[i].kind, kind) && !strcmp(o->sigs[i].rid, id)) g = &o->sigs[i];
    if (!g) return;
    char oid[160], up[32];
    start(e, "Signature");
    snprintf(oid, sizeof oid, "SG.%s", g->id);
    attr(e, "ID", oid);
    start(e, "UserRef");
    memcpy(oid, "USR.", 4);
    lt__oid_part(g->signer, oid + 4, sizeof oid - 4);
    attr(e, "UserOID", oid);
    end(e);
    start(e, "LocationRef");
    location_oid(g->site, oid, sizeof oid);
    attr(e, "LocationOID", oid);
    end(e);
    start(e, "SignatureRef");
    snprintf(up, sizeof up, "%s", g->meaning);
    upper(up);
    snprintf(oid, sizeof oid, "SD.%s", up);
    attr(e, "SignatureOID", oid);
    end(e);
    text_element(e, "DateTimeStamp", g->at);
    end(e);
}

static void sigs_free(odm *o)
{
    for (size_t i = 0; i < o->nsigs; i++) {
        osig *g = &o->sigs[i];
        free(g->id), free(g->signer), free(g->site), free(g->at), free(g->kind), free(g->rid),
            free(g->meaning);
    }
    free(o->sigs);
}

static void clinical_data(emit *e, odm *o, const char *study, const char *mdv)
{
    start(e, "ClinicalData");
    attr(e, "StudyOID", study);
    attr(e, "MetaDataVersionOID", mdv);
    const char *patient = NULL;
    size_t ev = (size_t)-1;
    const char *key = NULL;
    for (size_t i = 0; i < o->nrecs && e->rc == 0; i++) {
        rec *r = &o->recs[i];
        bool new_subject = !patient || strcmp(patient, r->patient) != 0;
        bool new_event = new_subject || ev != r->event ||
                         strcmp(key ? key : "", r->repeat_key ? r->repeat_key : "") != 0;
        if (patient && new_event) end(e); /* StudyEventData */
        if (patient && new_subject) end(e); /* SubjectData */
        if (new_subject) {
            start(e, "SubjectData");
            attr(e, "SubjectKey", r->patient);
            signature_of(e, "casebook", r->patient); /* the casebook's sign-off */
            /* the patient's site: the one its records carry */
            char loc[128];
            location_oid(r->site, loc, sizeof loc);
            start(e, "SiteRef");
            attr(e, "LocationOID", loc);
            end(e);
            patient = r->patient;
        }
        if (new_event) {
            start(e, "StudyEventData");
            attr(e, "StudyEventOID", o->events[r->event].oid);
            if (r->repeat_key) attr(e, "StudyEventRepeatKey", r->repeat_key);
            ev = r->event;
            key = r->repeat_key;
        }
        size_t fi;
        const form *f = NULL;
        for (fi = 0; fi < o->nforms; fi++)
            if (!strcmp(o->forms[fi].kind, r->kind)) f = &o->forms[fi];
        lt_json *j = NULL;
        if (!f || lt_json_parse(r->data, strlen(r->data), r->kind, &j, NULL) != LT_OK) continue;
        char oid[160];
        form_oid(r->kind, oid, sizeof oid);
        start(e, "FormData");
        attr(e, "FormOID", oid);
        attr(e, "FormRepeatKey", r->id);
        start(e, "ItemGroupData");
        oid[0] = 'G';
        attr(e, "ItemGroupOID", oid);
        audit_record(e, r);
        signature_of(e, r->kind, r->id);
        e->f = f;
        walk(o, j, "", NULL, 0, write_leaf, e);
        end(e);
        end(e);
        lt_json_free(j);
    }
    if (patient) {
        end(e);
        end(e);
    }
    /* the data lock, a signature of the whole trial */
    bool lock = false;
    for (size_t i = 0; i < o->nsigs; i++) lock |= !strcmp(o->sigs[i].kind, "data");
    if (lock) {
        start(e, "Signatures");
        signature_of(e, "data", "trial");
        end(e);
    }
    end(e);
}

static void odm_free(odm *o)
{
    for (size_t i = 0; i < o->nforms; i++) {
        for (size_t k = 0; k < o->forms[i].n; k++) free(o->forms[i].items[k].path);
        free(o->forms[i].items);
        free(o->forms[i].kind);
    }
    free(o->forms);
    for (size_t i = 0; i < o->nevents; i++)
        free(o->events[i].oid), free(o->events[i].name), free(o->events[i].has_form);
    free(o->events);
    for (size_t i = 0; i < o->nunits; i++) free(o->units[i]);
    free(o->units);
    for (size_t i = 0; i < o->nrecs; i++) {
        rec *r = &o->recs[i];
        free(r->kind), free(r->id), free(r->site), free(r->patient), free(r->data);
        free(r->repeat_key);
    }
    free(o->recs);
    for (size_t i = 0; i < o->naudits; i++) {
        audit *a = &o->audits[i];
        free(a->user), free(a->site), free(a->at), free(a->reason);
    }
    free(o->audits);
    for (size_t i = 0; i < o->nusers; i++) free(o->users[i]);
    free(o->users);
    sigs_free(o);
}

lt_status lt_export_odm(lt_trial *t, const lt_export_odm_options *opt, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_EXPORT, "export the trial's data", err);
    if (rc != LT_OK) return rc;
    odm o = {.t = t};
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX];
    /* one snapshot: records, users and audit trail as of one moment */
    rc = lt_store_read_begin(t->st, err);
    if (rc != LT_OK) return rc;
    rc = lt_store_audit_head(t->st, &seq, head, err);
    if (rc == LT_OK && seq > 0 && !(o.audits = calloc((size_t)seq, sizeof *o.audits)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    o.naudits = (size_t)seq;
    if (rc == LT_OK && !events_from_protocol(&o))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_store_each_all(t->st, read_record, &o, err);
    if (rc == LT_OK) rc = lt_store_each(t->st, "user", NULL, read_user, &o, err);
    if (rc == LT_OK) rc = lt_store_audit_each(t->st, NULL, read_audit, &o, err);
    if (rc == LT_OK) rc = read_signatures(&o, err);
    if (rc == LT_OK && o.oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK && o.nrecs) qsort(o.recs, o.nrecs, sizeof *o.recs, cmp_rec); /* none: NULL */

    xmlBufferPtr xb = rc == LT_OK ? xmlBufferCreate() : NULL;
    xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
    if (rc == LT_OK && !w) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    emit e = {.w = w, .o = &o};
    if (rc == LT_OK) {
        char study[128], mdv[160], idpart[96], file_oid[256], now[LT_TIME_STR_MAX];
        const char *id = lt_protocol_id(t->protocol);
        lt__oid_part(id, idpart, sizeof idpart);
        snprintf(study, sizeof study, "ST.%s", idpart);
        snprintf(mdv, sizeof mdv, "MDV.%s", t->protocol_version);
        lt_time_format(opt && opt->created ? opt->created : lt_time_now(), now);
        snprintf(file_oid, sizeof file_oid, "LUTETIA.%s.%lld", idpart, (long long)seq);
        xmlTextWriterSetIndent(w, 1);
        if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0) e.rc = -1;
        start(&e, "ODM");
        attr(&e, "xmlns", ODM_NS);
        attr(&e, "FileType", "Snapshot");
        attr(&e, "Granularity", "All");
        attr(&e, "FileOID", file_oid);
        attr(&e, "CreationDateTime", now);
        attr(&e, "ODMVersion", "1.3.2");
        attr(&e, "Originator", "Lutetia");
        attr(&e, "SourceSystem", "Lutetia");
        /* the audit head this snapshot stands on: a reader can check it against the trail */
        attr(&e, "Description", head);

        start(&e, "Study");
        attr(&e, "OID", study);
        start(&e, "GlobalVariables");
        text_element(&e, "StudyName", lt_protocol_name(t->protocol));
        char desc[256];
        snprintf(desc, sizeof desc, "%s, protocol version %s; audit trail of %lld records",
                 lt_protocol_name(t->protocol), t->protocol_version, (long long)seq);
        text_element(&e, "StudyDescription", desc);
        text_element(&e, "ProtocolName", id);
        end(&e);
        start(&e, "BasicDefinitions");
        for (size_t u = 0; u < o.nunits; u++) {
            char uoid[32];
            unit_oid(u, uoid, sizeof uoid);
            start(&e, "MeasurementUnit");
            attr(&e, "OID", uoid);
            attr(&e, "Name", o.units[u]);
            translated(&e, "Symbol", o.units[u]);
            end(&e);
        }
        end(&e);
        metadata(&e, t->protocol_version);
        end(&e); /* Study */

        start(&e, "AdminData");
        attr(&e, "StudyOID", study);
        for (size_t i = 0; i < o.nusers; i++) {
            char uoid[160];
            memcpy(uoid, "USR.", 4);
            lt__oid_part(o.users[i], uoid + 4, sizeof uoid - 4);
            start(&e, "User");
            attr(&e, "OID", uoid);
            text_element(&e, "LoginName", o.users[i]);
            end(&e);
        }
        /* every site, and the sponsor for the changes no site owns (users, amendments) */
        char effective[LT_DATE_STR_MAX];
        lt_date_format(lt_date_today(), effective);
        site_ctx sc = {&e, study, mdv, effective};
        location(&e, "LOC.SPONSOR", "Sponsor", "Sponsor", &sc);
        rc = lt_store_each(t->st, "site", NULL, admin_site, &sc, err);
        signature_defs(&e);
        end(&e); /* AdminData */

        if (rc == LT_OK) clinical_data(&e, &o, study, mdv);
        end(&e); /* ODM */
        if (xmlTextWriterEndDocument(w) < 0) e.rc = -1;
    }
    if (w) xmlFreeTextWriter(w);
    if (rc == LT_OK && e.rc != 0) rc = lt_error_set(err, LT_ENOMEM, "", "writing the XML failed");
    if (rc == LT_OK) lt_buf_puts(out, (const char *)xmlBufferContent(xb));
    if (xb) xmlBufferFree(xb);
    lt_store_read_end(t->st);
    odm_free(&o);
    return rc;
}
