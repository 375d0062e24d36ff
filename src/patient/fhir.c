/* The FHIR R4 Bundle reader: Patient, Observation, Condition, Procedure and Medication*
 * resources become facts when one of their codings (system AND code) is in the concept map;
 * everything else (Claims, Encounters, ...) is skipped without being converted, which keeps
 * reading a 1 MB Synthea bundle close to the cost of parsing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

typedef struct ref {
    const char *full_url; /* "urn:uuid:...", "https://server/fhir/Patient/45" or NULL */
    const char *id;       /* the Patient's id */
    lt_patient *p;
} ref;

typedef struct ctx {
    lt_cohort *c;
    const lt_concepts *map;
    const char *source;
    lt_error *err;
    ref *refs;
    size_t nrefs;
    const lt_json *entries;  /* the bundle's entries, for Medication references */
    const char *entry_url;   /* the fullUrl of the entry being read, or NULL */
    const lt_json *report;   /* the DiagnosticReport whose contained results are being read */
} ctx;

static bool eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static lt_status nomem(ctx *x)
{
    return lt_error_set(x->err, LT_ENOMEM, x->source, "out of memory reading a FHIR bundle");
}

/* "file: Observation/<id>" or "file: entry[12]" when the resource has no id. */
static void place(const ctx *x, const char *type, const lt_json *res, size_t i, char *buf, size_t n)
{
    const char *id = lt_json_get_str(res, "id", NULL);
    if (id)
        snprintf(buf, n, "%s: %s/%s", x->source, type, id);
    else
        snprintf(buf, n, "%s: entry[%zu] (%s)", x->source, i, type);
}

/* A FHIR date, dateTime or instant; false when present but not a date, or before 1900 (a
 * typing error in a record of a living adult). */
static bool fhir_date(const lt_json *v, lt_date *out)
{
    const char *s = lt_json_str(v);
    lt_date d;
    if (!s || !lt_date_parse(s, true, &d) || d < lt__date_min()) return false;
    *out = d;
    return true;
}

bool lt__partial_date(const char *s, lt_date *first, lt_date *last)
{
    if (!s) return false;
    size_t n = strlen(s);
    int y = 0, m = 0;
    for (size_t i = 0; i < 4 && i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    if (n == 4) {
        y = atoi(s);
        if (y < 1900) return false;
        *first = lt_date_from_ymd(y, 1, 1);
        *last = lt_date_from_ymd(y, 12, 31);
        return true;
    }
    if (n == 7 && s[4] == '-' && s[5] >= '0' && s[5] <= '9' && s[6] >= '0' && s[6] <= '9') {
        y = atoi(s);
        m = (s[5] - '0') * 10 + (s[6] - '0');
        if (y < 1900 || m < 1 || m > 12) return false;
        *first = lt_date_from_ymd(y, m, 1);
        *last = lt_date_add_months(*first, 1) - 1;
        return true;
    }
    return false;
}

/* Sets *d from the first present member of obj named in keys ("a" or "a.b"); records a
 * problem when the one present does not parse. A partial date ("2013", "2013-04", valid FHIR)
 * sets *d to its first day and *latest to its last; with latest NULL (an end date) *d is its
 * last day, so that "ended more than 4 weeks ago" is never judged on a day too early. */
static void date_from_partial(const lt_json *obj, const char *const *keys, size_t nkeys,
                              lt_date *d, lt_date *latest, lt_fact *f)
{
    for (size_t i = 0; i < nkeys; i++) {
        const lt_json *v;
        const char *dot = strchr(keys[i], '.');
        if (dot) {
            char head[32];
            snprintf(head, sizeof head, "%.*s", (int)(dot - keys[i]), keys[i]);
            v = lt_json_get(lt_json_get(obj, head), dot + 1);
        } else {
            v = lt_json_get(obj, keys[i]);
        }
        if (!v) continue;
        lt_date first, last;
        if (lt__partial_date(lt_json_str(v), &first, &last)) {
            *d = latest ? first : last;
            if (latest) *latest = last;
        } else if (!fhir_date(v, d) && f && f->problem == LT_FACT_OK) {
            f->problem = LT_FACT_BAD_DATE;
        }
        return;
    }
}

static void date_from(const lt_json *obj, const char *const *keys, size_t nkeys, lt_date *d,
                      lt_fact *f)
{
    date_from_partial(obj, keys, nkeys, d, f ? &f->date_latest : NULL, f);
}

static void end_date_from(const lt_json *obj, const char *const *keys, size_t nkeys, lt_date *d,
                          lt_fact *f)
{
    date_from_partial(obj, keys, nkeys, d, NULL, f);
}

/* The first coding of a CodeableConcept that the map knows. */
static const char *match(const ctx *x, const lt_json *cc, lt_fact_kind *kind, const char **system,
                         const char **code)
{
    for (const lt_json *c = lt_json_first(lt_json_get(cc, "coding")); c; c = lt_json_next(c)) {
        const char *s = lt_json_get_str(c, "system", NULL), *k = lt_json_get_str(c, "code", NULL);
        const char *concept = lt_concepts_lookup(x->map, s, k, kind);
        if (concept) {
            *system = s;
            *code = k;
            return concept;
        }
    }
    return NULL;
}

/* A reference without its version: "Patient/45/_history/2" names Patient/45. */
static const char *unversioned(const char *r, char *buf, size_t n)
{
    const char *h = r ? strstr(r, "/_history/") : NULL;
    if (!h || (size_t)(h - r) >= n) return r;
    snprintf(buf, n, "%.*s", (int)(h - r), r);
    return buf;
}

/* The base of an absolute fullUrl ("https://s/fhir/" of "https://s/fhir/Observation/7"), the
 * part a relative reference in that entry is resolved against (FHIR R4 Bundle, 2.36.4.1);
 * its length, or 0 when the URL is not absolute. */
static size_t url_base(const char *url)
{
    if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) return 0;
    const char *last = strrchr(url, '/');
    if (!last || last == url) return 0;
    const char *p = last - 1;
    while (p > url && *p != '/')
        p--;
    return *p == '/' ? (size_t)(p - url) + 1 : 0;
}

/* The patient a resource is about. *out is NULL, with a warning on the cohort, when the
 * reference cannot be resolved to one Patient of this bundle (another server's patient, an
 * ambiguous bare id): the resource is read past rather than given to the wrong patient. */
static lt_status resolve(ctx *x, const lt_json *res, const char *where, lt_patient **out)
{
    *out = NULL;
    const lt_json *subj = lt_json_get(res, "subject");
    if (!subj) subj = lt_json_get(res, "patient");
    if (!subj && x->report) subj = lt_json_get(x->report, "subject"); /* a contained result */
    char buf[512];
    const char *r = unversioned(lt_json_get_str(subj, "reference", NULL), buf, sizeof buf);
    if (!r) {
        if (x->nrefs == 1) {
            /* nrefs counts the filled entries of refs; the analyser loses track of that */
            // NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign)
            *out = x->refs[0].p;
            return LT_OK;
        }
        return lt__cohort_warn(x->c, x->err, where,
                               "no subject reference, and the bundle holds %zu patients: "
                               "the resource is skipped",
                               x->nrefs);
    }
    const ref *found = NULL;
    size_t nfound = 0;
    for (size_t i = 0; i < x->nrefs; i++) /* an absolute or urn:uuid reference: the fullUrl */
        // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): refs[0..nrefs) are all filled
        if (eq(r, x->refs[i].full_url) && (!found || found->p != x->refs[i].p)) {
            found = &x->refs[i];
            nfound++;
        }
    if (!nfound && !strncmp(r, "Patient/", 8)) {
        /* a relative reference: against this entry's base when it has one, else by id */
        size_t nb = url_base(x->entry_url);
        for (size_t i = 0; i < x->nrefs; i++) {
            const ref *e = &x->refs[i];
            bool same = nb ? (e->full_url && !strncmp(e->full_url, x->entry_url, nb) &&
                              !strcmp(e->full_url + nb, r))
                           : eq(r + 8, e->id);
            if (same && (!found || found->p != e->p)) {
                found = e;
                nfound++;
            }
        }
    } else if (!nfound && !strncmp(r, "urn:uuid:", 9)) {
        for (size_t i = 0; i < x->nrefs; i++)
            if (eq(r + 9, x->refs[i].id) && (!found || found->p != x->refs[i].p)) {
                found = &x->refs[i];
                nfound++;
            }
    }
    if (nfound == 1) {
        *out = found->p;
        return LT_OK;
    }
    if (nfound)
        return lt__cohort_warn(x->c, x->err, where,
                               "subject \"%s\" matches %zu Patients of this bundle: the resource "
                               "is skipped",
                               r, nfound);
    return lt__cohort_warn(x->c, x->err, where,
                           "subject \"%s\" is not a Patient of this bundle: the resource is "
                           "skipped",
                           r);
}

/* Starts a fact for a matched resource: kind, code, source and the mapping's fixed attrs. */
static lt_fact *start_fact(ctx *x, lt_patient *p, lt_fact_kind kind, const char *concept,
                           const char *where)
{
    lt_fact *f = lt__fact_add(p);
    if (!f) return NULL;
    f->kind = kind;
    f->code = lt__arena_strdup(p, concept); /* copied: the map may be freed before p */
    f->source = lt__arena_strdup(p, where);
    if (!f->code || !f->source) return NULL;
    return f;
}

#define MAX_ATTRS 16

static bool attach(lt_patient *p, lt_fact *f, const ctx *x, const char *sys, const char *code,
                   const lt_attr *extra, size_t nextra)
{
    lt_attr a[MAX_ATTRS];
    size_t n = 0, nfixed;
    const lt_attr *fixed = lt__concepts_attrs(x->map, sys, code, &nfixed);
    for (size_t i = 0; i < nfixed && n < MAX_ATTRS; i++)
        a[n++] = fixed[i];
    for (size_t i = 0; i < nextra && n < MAX_ATTRS; i++)
        a[n++] = extra[i];
    return lt__fact_set_attrs(p, f, a, n);
}

static bool usable_status(const char *s)
{
    return !s || eq(s, "final") || eq(s, "amended") || eq(s, "corrected");
}

/* Yes/no answers of a coded Observation (SNOMED CT qualifier and pregnancy findings). */
static int coded_flag(const lt_json *cc)
{
    for (const lt_json *c = lt_json_first(lt_json_get(cc, "coding")); c; c = lt_json_next(c)) {
        const char *code = lt_json_get_str(c, "code", NULL);
        if (!eq(lt_json_get_str(c, "system", NULL), "http://snomed.info/sct")) continue;
        if (eq(code, "373066001") || eq(code, "77386006")) return 1; /* yes; pregnant */
        if (eq(code, "373067005") || eq(code, "60001007")) return 0; /* no; not pregnant */
    }
    return -1;
}

/* The unit of a Quantity: its UCUM code when the table knows it, else its display unit. */
static const char *quantity_unit(const char *concept, const lt_json *q)
{
    const char *code = lt_json_get_str(q, "code", NULL), *unit = lt_json_get_str(q, "unit", NULL);
    double v;
    if (code && lt_units_convert(concept, 1, code, &v)) return code;
    if (unit && lt_units_convert(concept, 1, unit, &v)) return unit;
    return code ? code : unit;
}

/* The date of a DiagnosticReport (effective, else issued), or LT_DATE_NONE. */
static lt_date report_effective(const lt_json *r)
{
    static const char *const keys[] = {"effectiveDateTime", "effectivePeriod.start", "issued"};
    lt_date d = LT_DATE_NONE;
    date_from(r, keys, 3, &d, NULL);
    return d;
}

/* The date of the DiagnosticReport that holds an undated result: the one being read (its
 * contained results), else one of the bundle whose `result` names this Observation. Laboratory
 * systems often date the report only. */
static lt_date report_date(const ctx *x, const lt_json *obs)
{
    if (x->report) return report_effective(x->report);
    const char *id = lt_json_get_str(obs, "id", NULL);
    for (const lt_json *e = lt_json_first(x->entries); e; e = lt_json_next(e)) {
        const lt_json *r = lt_json_get(e, "resource");
        if (!eq(lt_json_get_str(r, "resourceType", NULL), "DiagnosticReport")) continue;
        for (const lt_json *k = lt_json_first(lt_json_get(r, "result")); k; k = lt_json_next(k)) {
            const char *named = lt_json_get_str(k, "reference", NULL);
            if (!named) continue;
            if ((x->entry_url && eq(named, x->entry_url)) ||
                (id && !strncmp(named, "Observation/", 12) && eq(named + 12, id)))
                return report_effective(r);
        }
    }
    return LT_DATE_NONE;
}

static lt_status observation(ctx *x, const lt_json *res, size_t i);

/* A DiagnosticReport's contained results (a laboratory's whole panel inside its report). */
static lt_status report(ctx *x, const lt_json *res, size_t i)
{
    lt_status st = LT_OK;
    x->report = res;
    for (const lt_json *c = lt_json_first(lt_json_get(res, "contained")); c && st == LT_OK;
         c = lt_json_next(c))
        if (eq(lt_json_get_str(c, "resourceType", NULL), "Observation"))
            st = observation(x, c, i);
    x->report = NULL;
    return st;
}

/* One measurement of an Observation as a fact of p: the value, unit, comparator, reference
 * range and absent reason are read from holder (the resource, or one of its components); the
 * status and the date from res, else the date of the DiagnosticReport that holds it. */
static lt_status measurement(ctx *x, lt_patient *p, const lt_json *res, const lt_json *holder,
                             lt_fact_kind kind, const char *concept, const char *sys,
                             const char *code, const char *where)
{
    lt_fact *f = start_fact(x, p, kind, concept, where);
    if (!f) return nomem(x);
    const char *status = lt_json_get_str(res, "status", NULL);
    if (!usable_status(status)) f->problem = LT_FACT_NOT_FINAL;
    static const char *const dates[] = {"effectiveDateTime", "effectivePeriod.start",
                                        "effectiveInstant", "issued"};
    date_from(res, dates, 4, &f->date, f);
    if (f->date == LT_DATE_NONE && f->problem != LT_FACT_BAD_DATE) f->date = report_date(x, res);

    const lt_json *absent = lt_json_get(holder, "dataAbsentReason");
    const lt_json *q = lt_json_get(holder, "valueQuantity");
    double d;
    bool b;
    if (absent) {
        f->problem = LT_FACT_NO_VALUE;
        const char *why = lt_json_get_str(lt_json_first(lt_json_get(absent, "coding")), "code",
                                          lt_json_get_str(absent, "text", "absent"));
        if (!(f->text = lt__arena_strdup(p, why))) return nomem(x);
    } else if (kind == LT_FACT_STATUS || kind == LT_FACT_ATTESTATION) {
        int flag = -1;
        if (lt_json_bool(lt_json_get(holder, "valueBoolean"), &b))
            flag = b;
        else
            flag = coded_flag(lt_json_get(holder, "valueCodeableConcept"));
        if (flag < 0) {
            if (f->problem == LT_FACT_OK) f->problem = LT_FACT_NO_VALUE;
        } else {
            f->flag = flag;
            f->value = f->given_value = flag;
            f->has_value = true;
        }
    } else if (kind == LT_FACT_PERFORMANCE) {
        const lt_json *v = lt_json_get(holder, "valueInteger");
        if (!v) v = lt_json_get(q, "value");
        double max = eq(concept, "ecog") ? 5 : 100;
        if (lt_json_num(v, &d) && d >= 0 && d <= max) {
            f->value = f->given_value = d;
            f->has_value = true;
        } else if (f->problem == LT_FACT_OK) {
            f->problem = LT_FACT_NO_VALUE; /* a coded answer or a score out of range */
        }
    } else if (lt__units_kind(concept) != LT_FACT_KIND_COUNT) {
        if (q && lt_json_num(lt_json_get(q, "value"), &d)) {
            if (!lt__fact_set_quantity(p, f, d, quantity_unit(concept, q))) return nomem(x);
            int cmp = lt__comparator_parse(lt_json_get_str(q, "comparator", NULL));
            if (cmp > 0)
                f->comparator = (char)cmp;
            else if (cmp < 0 && f->problem == LT_FACT_OK)
                f->problem = LT_FACT_NO_VALUE;
        } else {
            /* a qualitative result ("positive") is no measurement in the canonical unit */
            if (f->problem == LT_FACT_OK) f->problem = LT_FACT_NO_VALUE;
            const char *t = lt_json_get_str(holder, "valueString", NULL);
            if (!t) t = lt_json_get_str(lt_json_get(holder, "valueCodeableConcept"), "text", NULL);
            if (t && !(f->text = lt__arena_strdup(p, t))) return nomem(x);
        }
        /* the result's own range, each limit converted with its own unit */
        const lt_json *rr = lt_json_first(lt_json_get(holder, "referenceRange"));
        const lt_json *lo = lt_json_get(rr, "low"), *hi = lt_json_get(rr, "high");
        if (lo && lt_json_num(lt_json_get(lo, "value"), &d))
            f->has_low = lt__convert_limit(concept, d, quantity_unit(concept, lo), &f->low);
        if (hi && lt_json_num(lt_json_get(hi, "value"), &d))
            f->has_high = lt__convert_limit(concept, d, quantity_unit(concept, hi), &f->high);
    }
    return attach(p, f, x, sys, code, NULL, 0) ? LT_OK : nomem(x);
}

static lt_status observation(ctx *x, const lt_json *res, size_t i)
{
    /* a result withdrawn or never made is no result: kept, it would hide the one before it */
    const char *status0 = lt_json_get_str(res, "status", NULL);
    if (eq(status0, "entered-in-error") || eq(status0, "cancelled")) return LT_OK;
    lt_fact_kind kind;
    const char *sys, *code;
    const char *concept = match(x, lt_json_get(res, "code"), &kind, &sys, &code);
    /* a panel's results may be its components (eGFR beside the creatinine it came from) */
    const lt_json *comps = lt_json_get(res, "component");
    bool any_component = false;
    for (const lt_json *k = lt_json_first(comps); k && !any_component; k = lt_json_next(k)) {
        lt_fact_kind ck;
        const char *cs, *cc;
        any_component = match(x, lt_json_get(k, "code"), &ck, &cs, &cc) != NULL;
    }
    if (!concept && !any_component) return LT_OK;
    char where[LT_ERROR_WHERE_MAX];
    place(x, "Observation", res, i, where, sizeof where);
    lt_patient *p;
    lt_status st = resolve(x, res, where, &p);
    if (st != LT_OK || !p) return st;
    if (concept && (st = measurement(x, p, res, res, kind, concept, sys, code, where)) != LT_OK)
        return st;
    size_t ci = 0;
    for (const lt_json *k = lt_json_first(comps); k && st == LT_OK; k = lt_json_next(k), ci++) {
        const char *kc = match(x, lt_json_get(k, "code"), &kind, &sys, &code);
        if (!kc) continue;
        char cw[LT_ERROR_WHERE_MAX];
        snprintf(cw, sizeof cw, "%.*s.component[%zu]", (int)(sizeof cw - 24), where, ci);
        st = measurement(x, p, res, k, kind, kc, sys, code, cw);
    }
    return st;
}

/* The first coding code of a CodeableConcept member, as a FHIR status. */
static const char *cc_code(const lt_json *res, const char *member)
{
    return lt_json_get_str(lt_json_first(lt_json_get(lt_json_get(res, member), "coding")), "code",
                           NULL);
}

static lt_status condition(ctx *x, const lt_json *res, size_t i)
{
    lt_fact_kind kind;
    const char *sys, *code;
    const char *concept = match(x, lt_json_get(res, "code"), &kind, &sys, &code);
    if (!concept) return LT_OK;
    const char *verification = cc_code(res, "verificationStatus");
    if (eq(verification, "refuted") || eq(verification, "entered-in-error")) return LT_OK;
    char where[LT_ERROR_WHERE_MAX];
    place(x, "Condition", res, i, where, sizeof where);
    lt_patient *p;
    lt_status st = resolve(x, res, where, &p);
    if (st != LT_OK || !p) return st;
    lt_fact *f = start_fact(x, p, kind, concept, where);
    if (!f) return nomem(x);
    static const char *const onset[] = {"onsetDateTime", "onsetPeriod.start", "recordedDate"};
    static const char *const abate[] = {"abatementDateTime", "abatementPeriod.end"};
    date_from(res, onset, 3, &f->date, f);
    end_date_from(res, abate, 2, &f->end_date, f);
    lt_attr extra[2];
    size_t nextra = 0;
    const char *clinical = cc_code(res, "clinicalStatus");
    if (clinical) extra[nextra++] = (lt_attr){"clinical_status", clinical, 0, false};
    /* kept so that screening does not take a suspicion for a diagnosis (it says UNCONFIRMED) */
    if (eq(verification, "provisional") || eq(verification, "differential") ||
        eq(verification, "unconfirmed"))
        extra[nextra++] = (lt_attr){"verification_status", verification, 0, false};
    if (kind == LT_FACT_STATUS || kind == LT_FACT_ATTESTATION) {
        /* a recorded condition (pregnancy) is a yes from its onset; its abatement is a no */
        f->flag = 1;
        f->value = f->given_value = 1;
        f->has_value = true;
        if (f->end_date != LT_DATE_NONE) {
            lt_date end = f->end_date;
            if (!attach(p, f, x, sys, code, extra, nextra)) return nomem(x);
            lt_fact *g = start_fact(x, p, kind, concept, where); /* f may have moved */
            if (!g) return nomem(x);
            g->date = end;
            g->flag = 0;
            g->has_value = true;
            f = g;
        }
    }
    return attach(p, f, x, sys, code, extra, nextra) ? LT_OK : nomem(x);
}

/* An AllergyIntolerance: a hypersensitivity. Its code is a substance (octreotide, RxNorm 7617)
 * or an allergy concept; a somatostatin analogue as the substance is a hypersensitivity to
 * somatostatin analogues (the criterion NELMAS E17 and NCT04544098 E2 read). */
static lt_status allergy(ctx *x, const lt_json *res, size_t i)
{
    lt_fact_kind kind;
    const char *sys, *code;
    const char *concept = match(x, lt_json_get(res, "code"), &kind, &sys, &code);
    if (!concept) return LT_OK;
    if (kind == LT_FACT_TREATMENT && !strncmp(concept, "somatostatin_analogue", 21)) {
        concept = "hypersensitivity_somatostatin_analogue";
        kind = LT_FACT_DIAGNOSIS;
        sys = code = NULL; /* the substance's fixed attributes are no allergy's */
    } else if (kind != LT_FACT_DIAGNOSIS) {
        return LT_OK;
    }
    const char *verification = cc_code(res, "verificationStatus");
    if (eq(verification, "refuted") || eq(verification, "entered-in-error")) return LT_OK;
    char where[LT_ERROR_WHERE_MAX];
    place(x, "AllergyIntolerance", res, i, where, sizeof where);
    lt_patient *p;
    lt_status st = resolve(x, res, where, &p);
    if (st != LT_OK || !p) return st;
    lt_fact *f = start_fact(x, p, kind, concept, where);
    if (!f) return nomem(x);
    static const char *const onset[] = {"onsetDateTime", "onsetPeriod.start", "recordedDate"};
    date_from(res, onset, 3, &f->date, f);
    lt_attr extra[2];
    size_t nextra = 0;
    const char *clinical = cc_code(res, "clinicalStatus");
    if (clinical) extra[nextra++] = (lt_attr){"clinical_status", clinical, 0, false};
    if (eq(verification, "unconfirmed"))
        extra[nextra++] = (lt_attr){"verification_status", verification, 0, false};
    return attach(p, f, x, sys, code, extra, nextra) ? LT_OK : nomem(x);
}

/* "R0", "R1" or "R2" when a text says so (a resection margin in outcome or a note). */
static const char *margin_in(const char *s)
{
    static const char *const m[] = {"R0", "R1", "R2"};
    for (int i = 0; s && i < 3; i++) {
        const char *p = strstr(s, m[i]);
        if (p && (p == s || !(p[-1] >= 'A' && p[-1] <= 'Z')) && !(p[2] >= '0' && p[2] <= '9'))
            return m[i];
    }
    return NULL;
}

static lt_status procedure(ctx *x, const lt_json *res, size_t i)
{
    lt_fact_kind kind;
    const char *sys, *code;
    const char *concept = match(x, lt_json_get(res, "code"), &kind, &sys, &code);
    if (!concept) return LT_OK;
    const char *status = lt_json_get_str(res, "status", NULL);
    if (eq(status, "not-done") || eq(status, "entered-in-error")) return LT_OK;
    char where[LT_ERROR_WHERE_MAX];
    place(x, "Procedure", res, i, where, sizeof where);
    lt_patient *p;
    lt_status st = resolve(x, res, where, &p);
    if (st != LT_OK || !p) return st;
    lt_fact *f = start_fact(x, p, kind, concept, where);
    if (!f) return nomem(x);
    static const char *const start[] = {"performedDateTime", "performedPeriod.start"};
    static const char *const end[] = {"performedPeriod.end"};
    date_from(res, start, 2, &f->date, f);
    end_date_from(res, end, 1, &f->end_date, f);
    if (eq(status, "preparation") || eq(status, "in-progress") || eq(status, "on-hold") ||
        eq(status, "stopped") || eq(status, "unknown"))
        f->problem = LT_FACT_NOT_FINAL;
    const lt_json *outcome = lt_json_get(res, "outcome");
    const char *m = margin_in(lt_json_get_str(outcome, "text", NULL));
    for (const lt_json *c = lt_json_first(lt_json_get(outcome, "coding")); c && !m;
         c = lt_json_next(c))
        m = margin_in(lt_json_get_str(c, "display", lt_json_get_str(c, "code", NULL)));
    for (const lt_json *n = lt_json_first(lt_json_get(res, "note")); n && !m; n = lt_json_next(n))
        m = margin_in(lt_json_get_str(n, "text", NULL));
    lt_attr extra[1];
    size_t nextra = 0;
    if (m && eq(concept, "liver_resection")) {
        f->text = m; /* a static string */
        extra[nextra++] = (lt_attr){"margin", m, 0, false};
    }
    return attach(p, f, x, sys, code, extra, nextra) ? LT_OK : nomem(x);
}

/* The Medication a medicationReference names: "#id" among the resource's contained
 * resources, else an entry of the bundle by fullUrl, "Medication/id" or its id; NULL when
 * there is none (the reference is then read past like an unknown code). */
static const lt_json *referenced_medication(const ctx *x, const lt_json *res)
{
    char buf[512];
    const char *r = unversioned(
        lt_json_get_str(lt_json_get(res, "medicationReference"), "reference", NULL), buf,
        sizeof buf);
    if (!r) return NULL;
    if (r[0] == '#') {
        for (const lt_json *c = lt_json_first(lt_json_get(res, "contained")); c;
             c = lt_json_next(c))
            if (eq(lt_json_get_str(c, "resourceType", NULL), "Medication") &&
                eq(lt_json_get_str(c, "id", NULL), r + 1))
                return c;
        return NULL;
    }
    const char *bare = !strncmp(r, "Medication/", 11) ? r + 11 : NULL;
    for (const lt_json *e = lt_json_first(x->entries); e; e = lt_json_next(e)) {
        const lt_json *m = lt_json_get(e, "resource");
        if (!eq(lt_json_get_str(m, "resourceType", NULL), "Medication")) continue;
        const char *url = lt_json_get_str(e, "fullUrl", NULL);
        if (eq(r, url) || (bare && eq(bare, lt_json_get_str(m, "id", NULL)))) return m;
    }
    return NULL;
}

/* Whether a medication resource says the drug was given or taken. An intention (a
 * MedicationStatement "intended", a request that is a draft, a proposal or a plan, or on
 * hold) is no exposure, and neither is an entry withdrawn or never done. */
static bool medication_given(const char *type, const lt_json *res)
{
    const char *status = lt_json_get_str(res, "status", NULL);
    if (eq(status, "entered-in-error") || eq(status, "not-taken") || eq(status, "not-done") ||
        eq(status, "cancelled") || eq(status, "intended"))
        return false;
    if (eq(type, "MedicationRequest")) {
        const char *intent = lt_json_get_str(res, "intent", NULL);
        if (eq(status, "draft") || eq(status, "on-hold") || eq(intent, "proposal") ||
            eq(intent, "plan"))
            return false;
    }
    return true;
}

static lt_status medication(ctx *x, const char *type, const lt_json *res, size_t i)
{
    lt_fact_kind kind;
    const char *sys, *code;
    const lt_json *cc = lt_json_get(res, "medicationCodeableConcept");
    if (!cc) cc = lt_json_get(referenced_medication(x, res), "code");
    const char *concept = match(x, cc, &kind, &sys, &code);
    if (!concept) return LT_OK;
    if (!medication_given(type, res)) return LT_OK;
    char where[LT_ERROR_WHERE_MAX];
    place(x, type, res, i, where, sizeof where);
    lt_patient *p;
    lt_status st = resolve(x, res, where, &p);
    if (st != LT_OK || !p) return st;
    lt_fact *f = start_fact(x, p, kind, concept, where);
    if (!f) return nomem(x);
    static const char *const start[] = {"effectiveDateTime", "effectivePeriod.start", "authoredOn",
                                        "dateAsserted"};
    static const char *const end[] = {"effectivePeriod.end"};
    date_from(res, start, 4, &f->date, f);
    end_date_from(res, end, 1, &f->end_date, f);
    if (f->end_date == LT_DATE_NONE) {
        const lt_json *vp = lt_json_get(lt_json_get(res, "dispenseRequest"), "validityPeriod");
        lt_date e;
        if (fhir_date(lt_json_get(vp, "end"), &e)) f->end_date = e;
    }
    /* an administered radiopharmaceutical: its activity from dosage.dose */
    const lt_json *dose = lt_json_get(lt_json_get(res, "dosage"), "dose");
    double d;
    if (lt__units_kind(concept) == LT_FACT_TREATMENT && dose &&
        lt_json_num(lt_json_get(dose, "value"), &d))
        if (!lt__fact_set_quantity(p, f, d, quantity_unit(concept, dose))) return nomem(x);
    return attach(p, f, x, sys, code, NULL, 0) ? LT_OK : nomem(x);
}

static lt_status patient(ctx *x, const lt_json *entry, const lt_json *res, size_t i)
{
    char where[LT_ERROR_WHERE_MAX];
    place(x, "Patient", res, i, where, sizeof where);
    const char *id = lt_json_get_str(res, "id", NULL);
    char ubuf[512];
    const char *url = unversioned(lt_json_get_str(entry, "fullUrl", NULL), ubuf, sizeof ubuf);
    if (!id) id = url;
    if (!id || !*id) LT_FAIL(x->err, LT_ESCHEMA, where, "a Patient without an id or a fullUrl");
    if (!lt__id_ok(id))
        LT_FAIL(x->err, LT_ESCHEMA, where,
                "id: expected an id without control characters (tab, newline); found one");
    /* Patients from a server are known by their full URL: two servers' "Patient/45" are two
     * people, and the same URL read from two files is one */
    const char *key = url_base(url) ? url : id;
    lt_patient *p = lt__cohort_patient(x->c, key, x->source);
    if (!p) return nomem(x);
    if (url == ubuf && !(url = lt__arena_strdup(p, ubuf))) return nomem(x); /* outlives ubuf */
    if (id == ubuf) id = url;
    const lt_json *bd = lt_json_get(res, "birthDate");
    if (bd && lt__partial_date(lt_json_str(bd), &p->birth_date, &p->birth_date_latest)) {
        /* "1974" or "1974-06" (valid R4): the age is known to within that span */
    } else if (bd && !fhir_date(bd, &p->birth_date))
        LT_FAIL(x->err, LT_ESCHEMA, where,
                "birthDate: expected a date YYYY-MM-DD from 1900-01-01 on; found \"%s\"",
                lt_json_str(bd) ? lt_json_str(bd) : "not a string");
    const lt_json *dd = lt_json_get(res, "deceasedDateTime");
    if (dd && !fhir_date(dd, &p->death_date))
        LT_FAIL(x->err, LT_ESCHEMA, where,
                "deceasedDateTime: expected a dateTime from 1900-01-01 on; found \"%s\"",
                lt_json_str(dd) ? lt_json_str(dd) : "not a string");
    if (p->birth_date != LT_DATE_NONE && p->death_date != LT_DATE_NONE &&
        p->death_date < p->birth_date)
        LT_FAIL(x->err, LT_ESCHEMA, where, "deceasedDateTime: before the birthDate");
    bool dead = false;
    if (dd || (lt_json_bool(lt_json_get(res, "deceasedBoolean"), &dead) && dead))
        p->deceased = true; /* deceasedBoolean: dead, on a day the record does not give */
    const char *g = lt_json_get_str(res, "gender", NULL);
    p->sex = eq(g, "female")  ? LT_SEX_FEMALE
             : eq(g, "male")  ? LT_SEX_MALE
             : eq(g, "other") ? LT_SEX_OTHER
                              : LT_SEX_UNKNOWN;
    ref *r = &x->refs[x->nrefs++];
    r->full_url = url;
    r->id = id;
    r->p = p;
    return LT_OK;
}

lt_status lt__read_fhir(lt_cohort *c, const lt_json *root, const char *source, lt_error *err)
{
    ctx x = {c, NULL, source, err, NULL, 0, NULL, NULL, NULL};
    lt_status st = lt__cohort_concepts(c, &x.map, err);
    if (st != LT_OK) return st;
    const lt_json *entries = lt_json_get(root, "entry");
    if (entries && !lt_json_is_array(entries))
        LT_FAIL(err, LT_ESCHEMA, source, "Bundle.entry: expected an array of entries");
    x.entries = entries;
    /* first the Patients, so that any order of entries resolves */
    size_t npat = 0, nbundles = 0, i = 0;
    for (const lt_json *e = lt_json_first(entries); e; e = lt_json_next(e)) {
        const char *t = lt_json_get_str(lt_json_get(e, "resource"), "resourceType", NULL);
        npat += eq(t, "Patient");
        nbundles += eq(t, "Bundle");
    }
    if (!npat && !nbundles)
        LT_FAIL(err, LT_ESCHEMA, source,
                "the Bundle holds no Patient resource: expected one "
                "Patient and the resources about them");
    ref refs[64];
    ref *heap = NULL;
    x.refs = refs;
    if (npat > sizeof refs / sizeof refs[0]) {
        heap = calloc(npat, sizeof *heap);
        if (!heap) return nomem(&x);
        x.refs = heap;
    }
    for (const lt_json *e = lt_json_first(entries); e && st == LT_OK; e = lt_json_next(e), i++) {
        const lt_json *res = lt_json_get(e, "resource");
        if (eq(lt_json_get_str(res, "resourceType", NULL), "Patient")) st = patient(&x, e, res, i);
    }
    i = 0;
    for (const lt_json *e = lt_json_first(entries); e && st == LT_OK; e = lt_json_next(e), i++) {
        const lt_json *res = lt_json_get(e, "resource");
        const char *t = lt_json_get_str(res, "resourceType", NULL);
        x.entry_url = lt_json_get_str(e, "fullUrl", NULL);
        if (!res) {
            continue; /* entry.resource is optional (a transaction response, a search outcome) */
        } else if (!t) {
            char where[LT_ERROR_WHERE_MAX];
            snprintf(where, sizeof where, "%s: entry[%zu]", source, i);
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected a \"resource\" with a "
                              "\"resourceType\"");
        } else if (eq(t, "Observation")) {
            st = observation(&x, res, i);
        } else if (eq(t, "Condition")) {
            st = condition(&x, res, i);
        } else if (eq(t, "Procedure")) {
            st = procedure(&x, res, i);
        } else if (eq(t, "DiagnosticReport")) {
            st = report(&x, res, i);
        } else if (eq(t, "AllergyIntolerance")) {
            st = allergy(&x, res, i);
        } else if (eq(t, "MedicationStatement") || eq(t, "MedicationRequest") ||
                   eq(t, "MedicationAdministration")) {
            st = medication(&x, t, res, i);
        } else if (eq(t, "Bundle")) {
            /* a collection of bundles (one per patient, as some exports write): each is read
             * as a bundle of its own, its references resolved inside it */
            char where[LT_ERROR_WHERE_MAX];
            snprintf(where, sizeof where, "%s: entry[%zu]", source, i);
            st = lt__read_fhir(c, res, where, err);
        }
    }
    free(heap);
    return st;
}
