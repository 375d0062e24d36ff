/* Listings of what was recorded (labs, adverse events, doses, ... one kind at a time) and a
 * patient's casebook (everything recorded, in date order), each row with who recorded it. The
 * role rule is one table below; the site rule is the store's query (the user's sites are the
 * query's site filter), so a row of a site the user may not read is never read at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"
#include "lutetia/sign.h"

#define R(x) (1u << (x))
/* Who reads which listing. Site staff and monitors read their sites' records; statisticians
 * read every listing that feeds an analysis; a safety committee (a DSMB) reads what bears on
 * safety (ICH E6(R3) 3.16: access by role, each person sees what the role needs). Consents
 * and signatures identify who agreed and who attested: site staff and monitors, who verify
 * them (ICH E6(R3) 3.11.4), not the statisticians or the committee. The admin manages sites
 * and users and reads no clinical listing (least privilege: the role needs none). */
#define SITE_STAFF (R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR) | R(LT_ROLE_NUCLEAR_MEDICINE))
#define STATS (R(LT_ROLE_STATISTICIAN) | R(LT_ROLE_UNBLINDED_STATISTICIAN))
#define SAFETY (SITE_STAFF | R(LT_ROLE_MONITOR) | STATS | R(LT_ROLE_SAFETY_COMMITTEE))
#define EFFICACY (SITE_STAFF | R(LT_ROLE_MONITOR) | STATS)
#define ATTESTED (R(LT_ROLE_COORDINATOR) | R(LT_ROLE_INVESTIGATOR) | R(LT_ROLE_MONITOR))

#define MAX_COLS 8

typedef enum source {
    FROM_RECORDS, /* records of `kind`, with the author of their revision */
    FROM_AUDIT,   /* audit records of the actions a row is made of (consent, confirmation) */
} source;

typedef struct column {
    const char *name; /* the JSON member and CSV column */
    const char *path; /* where it is in the stored document ("grade.grade") */
} column;

typedef struct listing {
    const char *name;
    source from;
    const char *kind;     /* record kind (FROM_RECORDS) */
    const char *date;     /* path of the row's clinical date; NULL: the day it was written */
    unsigned roles;
    bool casebook_only;   /* not a `list` verb, but part of the casebook */
    column cols[MAX_COLS];
} listing;

static const listing listings[] = {
    {"labs", FROM_RECORDS, LT__K_LAB, "date", SAFETY, false,
     {{"analyte", "analyte"}, {"value", "value"}, {"unit", "unit"}, {"lln", "lln"},
      {"uln", "uln"}, {"grade", "grade.grade"}, {"term", "grade.term"}}},
    {"aes", FROM_RECORDS, LT__K_AE, "start", SAFETY, false,
     {{"term", "term"}, {"grade", "grade"}, {"serious", "serious"}, {"related", "related"},
      {"start", "start"}, {"end", "end"}}},
    {"administrations", FROM_RECORDS, LT__K_ADMIN, "date", SAFETY, false,
     {{"cycle", "cycle"}, {"decision", "decision"}, {"nuclide", "record.nuclide"},
      {"prescribed_mbq", "record.prescribed_mbq"}, {"administered_mbq", "result.administered_mbq"},
      {"infusion_start", "record.infusion_start"}}},
    {"doses", FROM_RECORDS, LT__K_DECISION, "date", SAFETY, false,
     {{"cycle", "cycle"}, {"action", "decision.action"}, {"activity_mbq", "decision.activity_mbq"},
      {"delay_days", "decision.delay_days"}, {"first_due", "first_due"},
      {"reasons", "decision.toxic"}}},
    /* an oral drug's course (NET RETREAT's everolimus arm): start, dose changes,
     * interruptions, resumption, stop, and the tablets dispensed and returned */
    {"dispensing", FROM_RECORDS, LT__K_ORAL, "date", SAFETY, false,
     {{"type", "type"}, {"dose_mg", "dose_mg"}, {"tablets", "tablets"},
      {"strength_mg", "strength_mg"}, {"returned", "returned"}, {"lost", "lost"},
      {"grade", "grade"}, {"cause", "cause"}}},
    {"events", FROM_RECORDS, LT__K_EVENT, "event.date", SAFETY, false,
     {{"type", "event.type"}, {"event_site", "event.site"}, {"cause", "event.cause"},
      {"therapy", "event.therapy"}}},
    {"assessments", FROM_RECORDS, LT__K_ASSESSMENT, "date", EFFICACY, false,
     {{"modality", "modality"}, {"new_lesions", "new_lesions"}, {"lesions", "lesions"}}},
    {"questionnaires", FROM_RECORDS, LT__K_QUESTIONNAIRE, "date", EFFICACY, false,
     {{"instrument", "instrument"}, {"items", "items"}}},
    {"consents", FROM_AUDIT, "consent", "consent_date", ATTESTED | R(LT_ROLE_NUCLEAR_MEDICINE),
     false, {{"form", "consent_form"}, {"action", "action"}, {"reason", "reason"}}},
    {"deviations", FROM_RECORDS, LT__K_DEVIATION, NULL, SAFETY, false,
     {{"cycle", "cycle"}, {"activity_mbq", "activity_mbq"},
      {"past_cumulative_limit", "past_cumulative_limit"}, {"investigator", "investigator"},
      {"reason", "reason"}}},
    {"signatures", FROM_AUDIT, "signature", "date", ATTESTED, false,
     {{"meaning", "meaning"}, {"signer", "signer"}, {"reason", "reason"}}},
    /* the rest of a casebook */
    {"profile", FROM_RECORDS, LT__K_PROFILE, NULL, EFFICACY, true,
     {{"birth_date", "birth_date"}, {"sex", "sex"}, {"weight_kg", "weight_kg"}}},
    {"anchors", FROM_RECORDS, LT__K_ANCHOR, "date", EFFICACY, true, {{"anchor", "anchor"}}},
    {"visits", FROM_RECORDS, LT__K_VISIT, "date", EFFICACY, true,
     {{"entry", "entry"}, {"late_reason", "reason"}}},
};
#define NLISTINGS (sizeof listings / sizeof listings[0])

bool lt_listing_parse(const char *name, lt_listing *out)
{
    for (size_t i = 0; name && i < LT_LIST_COUNT; i++)
        if (!strcmp(listings[i].name, name)) {
            *out = (lt_listing)i;
            return true;
        }
    return false;
}

const char *lt_listing_name(lt_listing l)
{
    return (unsigned)l < LT_LIST_COUNT ? listings[l].name : "unknown";
}

bool lt_listing_allowed(lt_role role, lt_listing l)
{
    return (unsigned)l < LT_LIST_COUNT && (unsigned)role < LT_ROLE_COUNT &&
           (listings[l].roles & R(role));
}

/* ---- rows ---- */

typedef struct row {
    const listing *l;
    char *patient, *site, *id, *author, *role, *at;
    char date[LT_DATE_STR_MAX];
    int64_t rev;
    lt_json *doc;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
    bool oom;
    /* the query */
    const listing *l;
    lt_date from, to;
    const char *patient;
} rows;

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        row *w = &r->v[i];
        free(w->patient), free(w->site), free(w->id), free(w->author), free(w->role),
            free(w->at);
        lt_json_free(w->doc);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* A member by dotted path ("grade.grade"), or NULL. */
static const lt_json *at_path(const lt_json *v, const char *path)
{
    char part[64];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof part) return NULL;
        memcpy(part, path, n);
        part[n] = 0;
        v = lt_json_get(v, part);
        path += n + (path[n] == '.');
    }
    return v;
}

/* The row's date: the clinical date the listing names, else the UTC day it was written. */
static lt_date row_date(const listing *l, const lt_json *doc, const char *written_at)
{
    lt_date d = LT_DATE_NONE;
    const char *s = l->date ? lt_json_str(at_path(doc, l->date)) : written_at;
    if (s && !lt_date_parse(s, !l->date, &d)) d = LT_DATE_NONE;
    return d;
}

static bool in_range(const rows *r, lt_date d)
{
    if (r->from == LT_DATE_NONE && r->to == LT_DATE_NONE) return true;
    if (d == LT_DATE_NONE) return false;
    return (r->from == LT_DATE_NONE || d >= r->from) && (r->to == LT_DATE_NONE || d <= r->to);
}

/* Adds a row; takes doc. Returns non-zero when memory ran out (the walk stops). */
static int add_row(rows *r, lt_json *doc, lt_date d, const char *patient, const char *site,
                   const char *id, const char *author, const char *role, const char *at,
                   int64_t rev)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        row *v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            lt_json_free(doc);
            return r->oom = true;
        }
        r->v = v, r->cap = cap;
    }
    row *w = &r->v[r->n];
    memset(w, 0, sizeof *w);
    w->l = r->l;
    w->doc = doc;
    w->rev = rev;
    if (d != LT_DATE_NONE) lt_date_format(d, w->date);
    w->patient = lt__strdup0(patient ? patient : "");
    w->site = lt__strdup0(site ? site : "");
    w->id = lt__strdup0(id ? id : "");
    w->author = lt__strdup0(author ? author : "");
    w->role = lt__strdup0(role ? role : "");
    w->at = lt__strdup0(at ? at : "");
    r->n++;
    if (!w->patient || !w->site || !w->id || !w->author || !w->role || !w->at) return r->oom = true;
    return 0;
}

static int on_record(const lt_record *rec, void *ctx)
{
    rows *r = ctx;
    lt_json *doc = NULL;
    /* a document that does not parse is shown as null rather than hidden: the listing is what
     * is stored, and `audit verify` says what was edited */
    if (lt_json_parse(rec->data, strlen(rec->data), rec->id, &doc, NULL) != LT_OK) doc = NULL;
    lt_date d = row_date(r->l, doc, rec->written_at);
    if (!in_range(r, d)) {
        lt_json_free(doc);
        return 0;
    }
    return add_row(r, doc, d, rec->patient, rec->site, rec->id, rec->author, rec->author_role,
                   rec->written_at, rec->rev);
}

/* Consents and signatures are acts on the patient record (consent, eligibility confirmed) or
 * an investigator's acknowledgement: each audit record of such an act is a row, with its
 * author, so a correction shows beside what it corrected. */
static int on_audit(const lt_audit_record *a, void *ctx)
{
    rows *r = ctx;
    bool consent = !strcmp(r->l->kind, "consent");
    const char *meaning = NULL;
    if (consent) {
        if (strcmp(a->action, "consent") && strcmp(a->action, "consent.correct")) return 0;
    } else if (!strcmp(a->action, "confirm")) {
        meaning = "eligibility confirmed";
    } else if (!strcmp(a->entity, LT__K_DEVIATION)) {
        meaning = "dose deviation acknowledged";
    } else {
        return 0;
    }
    lt_json *nv = NULL;
    if (lt_json_parse(a->new_value, strlen(a->new_value), a->entity_id, &nv, NULL) != LT_OK)
        nv = NULL;
    lt_buf b = LT_BUF_INIT;
    char ds[LT_DATE_STR_MAX] = "";
    if (consent) {
        lt_buf_puts(&b, "{\"consent_date\":");
        lt_buf_json_str(&b, lt_json_get_str(nv, "consent_date", ""));
        lt_buf_puts(&b, ",\"consent_form\":");
        lt_buf_json_str(&b, lt_json_get_str(nv, "consent_form", ""));
        lt_buf_puts(&b, ",\"action\":");
        lt_buf_json_str(&b, a->action);
    } else {
        /* the confirmation's clinical date; an acknowledgement is dated when it was made */
        const char *cd = !strcmp(a->action, "confirm") ? lt_json_get_str(nv, "confirmed_on", "")
                                                       : NULL;
        if (!cd) snprintf(ds, sizeof ds, "%.10s", a->at);
        lt_buf_puts(&b, "{\"date\":");
        lt_buf_json_str(&b, cd ? cd : ds);
        lt_buf_puts(&b, ",\"meaning\":");
        lt_buf_json_str(&b, meaning);
        lt_buf_puts(&b, ",\"signer\":");
        lt_buf_json_str(&b, a->user);
    }
    lt_buf_puts(&b, ",\"reason\":");
    lt_buf_json_str(&b, a->reason);
    lt_buf_putc(&b, '}');
    lt_json_free(nv);
    lt_json *doc = NULL;
    if (lt_buf_failed(&b) ||
        lt_json_parse(lt_buf_str(&b), strlen(lt_buf_str(&b)), "row", &doc, NULL) != LT_OK) {
        lt_buf_free(&b);
        return r->oom = true;
    }
    lt_buf_free(&b);
    lt_date d = row_date(r->l, doc, a->at);
    if (!in_range(r, d)) {
        lt_json_free(doc);
        return 0;
    }
    char id[64];
    snprintf(id, sizeof id, "audit/%lld", (long long)a->seq);
    return add_row(r, doc, d, a->patient, a->site, id, a->user, a->role, a->at, 1);
}

/* Electronic signatures (src/sign/): each signature record is a row of the signatures listing
 * too, its meaning saying what it signs and whether it still holds (a later correction of the
 * signed record invalidates it), its signer the full name a signature shows. Collected first,
 * judged after the store's walk (judging reads the store). */
typedef struct esigs {
    lt_record *v;
    size_t n, cap;
    bool oom;
} esigs;

static int on_esig(const lt_record *rec, void *ctx)
{
    esigs *e = ctx;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 16;
        lt_record *v = realloc(e->v, cap * sizeof *v);
        if (!v) return e->oom = true, 1;
        e->v = v, e->cap = cap;
    }
    lt_record *w = &e->v[e->n++];
    memset(w, 0, sizeof *w);
    w->kind = rec->kind;
    w->rev = rec->rev;
    w->id = lt__strdup0(rec->id);
    w->patient = lt__strdup0(rec->patient ? rec->patient : "");
    w->site = lt__strdup0(rec->site ? rec->site : "");
    w->data = lt__strdup0(rec->data);
    w->author = lt__strdup0(rec->author ? rec->author : "");
    w->author_role = lt__strdup0(rec->author_role ? rec->author_role : "");
    w->written_at = lt__strdup0(rec->written_at ? rec->written_at : "");
    if (!w->id || !w->patient || !w->site || !w->data || !w->author || !w->author_role ||
        !w->written_at)
        return e->oom = true, 1;
    return 0;
}

static void esigs_free(esigs *e)
{
    for (size_t i = 0; i < e->n; i++) {
        lt_record *w = &e->v[i];
        free((char *)w->id), free((char *)w->patient), free((char *)w->site),
            free((char *)w->data), free((char *)w->author), free((char *)w->author_role),
            free((char *)w->written_at);
    }
    free(e->v);
}

static lt_status esig_rows(lt_store *st, const esigs *e, rows *r, lt_error *err)
{
    for (size_t i = 0; i < e->n && !r->oom; i++) {
        const lt_record *w = &e->v[i];
        lt_buf j = LT_BUF_INIT, b = LT_BUF_INIT;
        lt_json *sig = NULL, *doc = NULL;
        lt_status rc = lt_sign_to_json(st, w, &j, err);
        if (rc == LT_OK && lt_buf_failed(&j)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        if (rc == LT_OK) rc = lt_json_parse(j.p, j.n, w->id, &sig, err);
        if (rc == LT_OK) {
            const lt_json *rec = lt_json_get(sig, "record");
            char line[400];
            snprintf(line, sizeof line, "%s, electronic signature %s of %s %s: %s",
                     lt_json_get_str(sig, "meaning", ""), w->id, lt_json_get_str(rec, "kind", ""),
                     lt_json_get_str(rec, "id", ""), lt_json_get_str(sig, "status", ""));
            char signer[300];
            snprintf(signer, sizeof signer, "%s (%s)", lt_json_get_str(sig, "full_name", ""),
                     lt_json_get_str(sig, "signer", ""));
            char day[LT_DATE_STR_MAX];
            snprintf(day, sizeof day, "%.10s", lt_json_get_str(sig, "signed_at", ""));
            lt_buf_puts(&b, "{\"date\":");
            lt_buf_json_str(&b, day);
            lt_buf_puts(&b, ",\"meaning\":");
            lt_buf_json_str(&b, line);
            lt_buf_puts(&b, ",\"signer\":");
            lt_buf_json_str(&b, signer);
            lt_buf_puts(&b, ",\"reason\":");
            lt_buf_json_str(&b, lt_json_get_str(sig, "comment", ""));
            lt_buf_putc(&b, '}');
            rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                   : lt_json_parse(b.p, b.n, "row", &doc, err);
        }
        lt_json_free(sig);
        lt_buf_free(&j);
        lt_buf_free(&b);
        if (rc != LT_OK) return rc;
        lt_date d = row_date(r->l, doc, w->written_at);
        if (!in_range(r, d)) {
            lt_json_free(doc);
            continue;
        }
        add_row(r, doc, d, w->patient, w->site, w->id, w->author, w->author_role, w->written_at,
                w->rev);
    }
    return LT_OK;
}

/* ---- the query: role, then site and patient inside the store's query ---- */

typedef struct scope {
    const char *const *sites; /* NULL with nsites 0: every site */
    size_t nsites;
    const char *one[1];
} scope;

static int found_one(const lt_record *r, void *ctx)
{
    (void)r;
    *(bool *)ctx = true;
    return 1;
}

/* The sites the query may read: the user's, or the one asked for when the user may read it.
 * A site the user may not read and a site that does not exist get the same answer, so a
 * listing tells nobody what exists elsewhere. */
static lt_status query_scope(lt_conduct *c, const char *site, const char *patient, scope *s,
                             lt_error *err)
{
    const lt_trial *t = c->t;
    memset(s, 0, sizeof *s);
    if (!t->all_sites) {
        s->sites = (const char *const *)t->sites;
        s->nsites = t->nsites;
        if (!t->nsites)
            LT_FAIL(err, LT_EPERM, t->user, "user '%s' is bound to no site", t->user);
    }
    lt_store *st = lt_trial_store(c->t);
    if (site) {
        lt_record *r = NULL;
        bool readable = lt__trial_has_site(t, site);
        if (readable) {
            lt_status rc = lt_store_get(st, "site", site, &r, err);
            if (rc == LT_ENOTFOUND) readable = false;
            else if (rc != LT_OK) return rc;
            lt_record_free(r);
        }
        if (!readable) {
            if (err) lt_error_clear(err);
            LT_FAIL(err, LT_ENOTFOUND, "site", "no site '%s' among the sites you may read",
                    site);
        }
        s->one[0] = site;
        s->sites = s->one;
        s->nsites = 1;
    }
    if (patient) {
        bool found = false;
        lt_record_filter f = {.sites = s->sites, .nsites = s->nsites, .patient = patient};
        lt_status rc = lt_store_each(st, "patient", &f, found_one, &found, err);
        if (rc != LT_OK) return rc;
        if (!found)
            LT_FAIL(err, LT_ENOTFOUND, "patient",
                    "no patient '%s' among the patients you may read%s%s", patient,
                    site ? " at site " : "", site ? site : "");
    }
    return LT_OK;
}

static lt_status collect(lt_conduct *c, const listing *l, const scope *s, const char *patient,
                         rows *r, lt_error *err)
{
    lt_store *st = lt_trial_store(c->t);
    r->l = l;
    lt_status rc;
    if (l->from == FROM_RECORDS) {
        lt_record_filter f = {.sites = s->sites, .nsites = s->nsites, .patient = patient,
                              .authors = true};
        rc = lt_store_each(st, l->kind, &f, on_record, r, err);
    } else {
        lt_audit_filter f = {.patient = patient, .sites = s->sites, .nsites = s->nsites};
        rc = lt_store_audit_each(st, &f, on_audit, r, err);
        if (rc == LT_OK && !strcmp(l->kind, "signature")) {
            esigs e = {0};
            lt_record_filter rf = {.sites = s->sites, .nsites = s->nsites, .patient = patient,
                                   .authors = true};
            rc = lt_store_each(st, "signature", &rf, on_esig, &e, err);
            if (rc == LT_OK && e.oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
            if (rc == LT_OK) rc = esig_rows(st, &e, r, err);
            esigs_free(&e);
        }
    }
    if (rc == LT_OK && r->oom) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return rc;
}

static int by_date(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int k = strcmp(x->date, y->date);
    if (!k) k = strcmp(x->patient, y->patient);
    if (!k) k = strcmp(x->at, y->at); /* the order of writing, within a day */
    if (!k) k = strcmp(x->id, y->id);
    return k;
}

/* ---- rendering ---- */

/* A cell as text: strings as they are, numbers shortest, arrays and objects as JSON. False
 * when memory ran out printing one. */
static bool cell_text(lt_buf *b, const lt_json *v)
{
    double x;
    bool t;
    if (!v || lt_json_is_null(v)) return true;
    if (lt_json_str(v)) lt_buf_puts(b, lt_json_str(v));
    else if (lt_json_num(v, &x)) lt_buf_num(b, x);
    else if (lt_json_bool(v, &t)) lt_buf_puts(b, t ? "true" : "false");
    else {
        char *s = lt_json_print(v);
        if (!s) return false;
        lt_buf_puts(b, s);
        free(s);
    }
    return true;
}

static bool cell_json(lt_buf *b, const lt_json *v)
{
    if (!v) {
        lt_buf_puts(b, "null");
        return true;
    }
    char *s = lt_json_print(v);
    if (!s) return false;
    lt_buf_puts(b, s);
    free(s);
    return true;
}

static size_t ncols(const listing *l)
{
    size_t n = 0;
    while (n < MAX_COLS && l->cols[n].name) n++;
    return n;
}

static void json_common(lt_buf *b, const row *w)
{
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, w->patient);
    lt_buf_puts(b, ",\"site\":");
    lt_buf_json_str(b, w->site);
    lt_buf_puts(b, ",\"date\":");
    if (w->date[0]) lt_buf_json_str(b, w->date);
    else lt_buf_puts(b, "null");
    lt_buf_puts(b, ",\"id\":");
    lt_buf_json_str(b, w->id);
}

static void json_recorded(lt_buf *b, const row *w)
{
    lt_buf_puts(b, ",\"recorded_by\":");
    lt_buf_json_str(b, w->author);
    lt_buf_puts(b, ",\"role\":");
    lt_buf_json_str(b, w->role);
    lt_buf_puts(b, ",\"recorded_at\":");
    lt_buf_json_str(b, w->at);
    lt_buf_printf(b, ",\"rev\":%lld}", (long long)w->rev);
}

static bool render_json(const listing *l, const lt_list_query *q, const rows *r, lt_buf *b)
{
    bool ok = true;
    char s[LT_DATE_STR_MAX];
    lt_buf_puts(b, "{\"listing\":");
    lt_buf_json_str(b, l->name);
    lt_buf_puts(b, ",\"patient\":");
    if (q->patient) lt_buf_json_str(b, q->patient);
    else lt_buf_puts(b, "null");
    lt_buf_puts(b, ",\"site\":");
    if (q->site) lt_buf_json_str(b, q->site);
    else lt_buf_puts(b, "null");
    lt_buf_puts(b, ",\"from\":");
    if (q->from != LT_DATE_NONE) lt_buf_printf(b, "\"%s\"", lt_date_format(q->from, s));
    else lt_buf_puts(b, "null");
    lt_buf_puts(b, ",\"to\":");
    if (q->to != LT_DATE_NONE) lt_buf_printf(b, "\"%s\"", lt_date_format(q->to, s));
    else lt_buf_puts(b, "null");
    lt_buf_printf(b, ",\"count\":%zu,\"rows\":[", r->n);
    for (size_t i = 0; i < r->n; i++) {
        const row *w = &r->v[i];
        lt_buf_puts(b, i ? "," : "");
        json_common(b, w);
        for (size_t k = 0; k < ncols(l); k++) {
            lt_buf_putc(b, ',');
            lt_buf_json_str(b, l->cols[k].name);
            lt_buf_putc(b, ':');
            ok &= cell_json(b, at_path(w->doc, l->cols[k].path));
        }
        json_recorded(b, w);
    }
    lt_buf_puts(b, "]}\n");
    return ok;
}

static bool render_csv(const listing *l, const rows *r, lt_buf *b)
{
    bool ok = true;
    lt_buf_puts(b, "patient,site,date");
    for (size_t k = 0; k < ncols(l); k++) {
        lt_buf_putc(b, ',');
        lt_buf_puts(b, l->cols[k].name);
    }
    lt_buf_puts(b, ",recorded_by,role,recorded_at,rev,id\n");
    lt_buf cell = LT_BUF_INIT;
    for (size_t i = 0; i < r->n; i++) {
        const row *w = &r->v[i];
        lt_buf_csv_field(b, w->patient);
        lt_buf_putc(b, ',');
        lt_buf_csv_field(b, w->site);
        lt_buf_putc(b, ',');
        lt_buf_puts(b, w->date);
        for (size_t k = 0; k < ncols(l); k++) {
            lt_buf_reset(&cell);
            ok &= cell_text(&cell, at_path(w->doc, l->cols[k].path));
            lt_buf_putc(b, ',');
            lt_buf_csv_field(b, lt_buf_str(&cell));
        }
        lt_buf_putc(b, ',');
        lt_buf_csv_field(b, w->author);
        lt_buf_putc(b, ',');
        lt_buf_csv_field(b, w->role);
        lt_buf_putc(b, ',');
        lt_buf_csv_field(b, w->at);
        lt_buf_printf(b, ",%lld,", (long long)w->rev);
        lt_buf_csv_field(b, w->id);
        lt_buf_putc(b, '\n');
    }
    ok &= !lt_buf_failed(&cell);
    lt_buf_free(&cell);
    return ok;
}

/* One line per row: "DATE  PATIENT  name=value ...  (recorded by USER, ROLE, AT)". */
static bool text_row(lt_buf *b, const row *w, bool with_listing)
{
    bool ok = true;
    lt_buf_printf(b, "%-10s  %-8s", w->date[0] ? w->date : "-", w->patient);
    if (with_listing) lt_buf_printf(b, "  %-15s", w->l->name);
    for (size_t k = 0; k < ncols(w->l); k++) {
        const lt_json *v = at_path(w->doc, w->l->cols[k].path);
        if (!v || lt_json_is_null(v) || (lt_json_str(v) && !lt_json_str(v)[0])) continue;
        lt_buf_printf(b, "  %s=", w->l->cols[k].name);
        ok &= cell_text(b, v);
    }
    lt_buf_printf(b, "  (recorded by %s, %s, %s%s)\n", w->author, w->role, w->at,
                  w->rev > 1 ? ", corrected" : "");
    return ok;
}

static bool render_text(const listing *l, const rows *r, lt_buf *b)
{
    bool ok = true;
    lt_buf_printf(b, "%s: %zu row%s\n", l->name, r->n, r->n == 1 ? "" : "s");
    for (size_t i = 0; i < r->n; i++) ok &= text_row(b, &r->v[i], false);
    return ok;
}

lt_status lt_conduct_list(lt_conduct *c, const lt_list_query *q, lt_conduct_format fmt,
                          lt_buf *out, size_t *count, lt_error *err)
{
    if (!q || (unsigned)q->listing >= LT_LIST_COUNT)
        LT_FAIL(err, LT_EINVAL, "listing", "unknown listing");
    const listing *l = &listings[q->listing];
    if (!lt_listing_allowed(c->t->role, q->listing)) {
        char roles[200] = "";
        size_t n = 0;
        for (int i = 0; i < LT_ROLE_COUNT; i++)
            if (l->roles & R(i))
                n += (size_t)snprintf(roles + n, n < sizeof roles ? sizeof roles - n : 0,
                                      "%s%s", n ? ", " : "", lt_role_name((lt_role)i));
        const char *rn = lt_role_name(c->t->role);
        LT_FAIL(err, LT_EPERM, c->t->user, "%s %s cannot read the %s listing (allowed: %s)",
                strchr("aeiou", rn[0]) ? "an" : "a", rn, l->name, roles);
    }
    if (q->from != LT_DATE_NONE && q->to != LT_DATE_NONE && q->from > q->to)
        LT_FAIL(err, LT_EINVAL, "from", "the range's start comes after its end");
    scope s;
    lt_status rc = query_scope(c, q->site, q->patient, &s, err);
    if (rc != LT_OK) return rc;
    rows r = {.from = q->from, .to = q->to};
    rc = collect(c, l, &s, q->patient, &r, err);
    if (rc == LT_OK) {
        if (r.n) qsort(r.v, r.n, sizeof *r.v, by_date);
        bool ok = fmt == LT_CONDUCT_JSON ? render_json(l, q, &r, out)
                  : fmt == LT_CONDUCT_CSV ? render_csv(l, &r, out)
                                          : render_text(l, &r, out);
        if (count) *count = r.n;
        if (!ok || lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    rows_free(&r);
    return rc;
}

lt_status lt_conduct_casebook(lt_conduct *c, const char *patient, bool json, lt_buf *out,
                              lt_error *err)
{
    scope s;
    lt_status rc = query_scope(c, NULL, patient, &s, err);
    if (rc != LT_OK) return rc;
    rows all = {.from = LT_DATE_NONE, .to = LT_DATE_NONE};
    size_t omitted = 0;
    for (size_t i = 0; i < NLISTINGS && rc == LT_OK; i++) {
        const listing *l = &listings[i];
        /* what the role may not read is left out, and the casebook says how many kinds */
        if (!(l->roles & R(c->t->role))) {
            omitted++;
            continue;
        }
        rows r = {.from = LT_DATE_NONE, .to = LT_DATE_NONE};
        rc = collect(c, l, &s, patient, &r, err);
        /* move the rows over: their ownership passes to `all` */
        for (size_t k = 0; rc == LT_OK && k < r.n; k++) {
            if (all.n == all.cap) {
                size_t cap = all.cap ? 2 * all.cap : 64;
                row *v = realloc(all.v, cap * sizeof *v);
                if (!v) {
                    rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
                    break;
                }
                all.v = v, all.cap = cap;
            }
            all.v[all.n++] = r.v[k];
            memset(&r.v[k], 0, sizeof r.v[k]);
        }
        rows_free(&r);
    }
    if (rc == LT_OK) {
        bool ok = true;
        if (all.n) qsort(all.v, all.n, sizeof *all.v, by_date);
        if (json) {
            lt_buf_puts(out, "[");
            for (size_t i = 0; i < all.n; i++) {
                const row *w = &all.v[i];
                lt_buf_puts(out, i ? "," : "");
                json_common(out, w);
                lt_buf_puts(out, ",\"listing\":");
                lt_buf_json_str(out, w->l->name);
                lt_buf_puts(out, ",\"data\":");
                ok &= cell_json(out, w->doc);
                json_recorded(out, w);
            }
            lt_buf_puts(out, "]");
        } else {
            lt_buf_printf(out, "casebook (%zu entr%s, in date order", all.n,
                          all.n == 1 ? "y" : "ies");
            if (omitted)
                lt_buf_printf(out, "; %zu kind%s of record your role does not read left out",
                              omitted, omitted == 1 ? "" : "s");
            lt_buf_puts(out, "):\n");
            for (size_t i = 0; i < all.n; i++) ok &= text_row(out, &all.v[i], true);
        }
        if (!ok || lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    rows_free(&all);
    return rc;
}

lt_status lt_conduct_patient_show(lt_conduct *c, const char *patient, bool json, lt_buf *out,
                                  lt_error *err)
{
    lt_buf head = LT_BUF_INIT, book = LT_BUF_INIT;
    lt_status rc = lt_trial_patient_show(c->t, patient, json, &head, err);
    if (rc == LT_OK) rc = lt_conduct_casebook(c, patient, json, &book, err);
    if (rc == LT_OK && json) {
        /* the patient document with one more member: its casebook */
        const char *h = lt_buf_str(&head);
        size_t n = strlen(h);
        while (n && (h[n - 1] == '\n' || h[n - 1] == ' ')) n--;
        if (!n || h[n - 1] != '}') {
            rc = lt_error_set(err, LT_EINVAL, patient, "the patient document is not an object");
        } else {
            lt_buf_put(out, h, n - 1);
            lt_buf_printf(out, ",\"casebook\":%s}\n", lt_buf_str(&book));
        }
    } else if (rc == LT_OK) {
        lt_buf_printf(out, "%s\n%s", lt_buf_str(&head), lt_buf_str(&book));
    }
    if (rc == LT_OK && (lt_buf_failed(&head) || lt_buf_failed(&book) || lt_buf_failed(out)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    lt_buf_free(&head);
    lt_buf_free(&book);
    return rc;
}
