/* The patient model: cohorts of patients indexed by id, each patient owning its facts and an
 * arena for their strings; merging; format detection for the three readers. */
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lutetia/file.h"

struct lt_cohort {
    lt_patient **v;
    size_t n, cap;
    size_t *index;    /* open addressing over v: slot holds i + 1, 0 is empty */
    size_t index_cap; /* a power of two, at least twice n */
    const lt_concepts *concepts;
    lt_concepts *own_concepts;
    const lt_plausible *plausible;
    lt_plausible *own_plausible;
    char **warnings; /* what was read past: an unresolved reference, a file skipped */
    size_t nwarnings, capwarnings;
};

/* ---- arena ---- */

void *lt__arena_alloc(lt_patient *p, size_t n)
{
    lt__block *b = p->priv->blocks;
    size_t need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t);
    if (!b || b->cap - b->used < need) {
        size_t cap = need > 256 ? need : 256; /* 4 KiB blocks for the many small strings */
        lt__block *nb = malloc(sizeof *nb + cap * sizeof(max_align_t));
        if (!nb) return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && need > 256) {
            /* a big request gets its own block behind the current one, which stays open */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            p->priv->blocks = nb;
        }
        b = nb;
    }
    void *r = b->data + b->used;
    b->used += need;
    return r;
}

const char *lt__arena_strdup(lt_patient *p, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = lt__arena_alloc(p, n);
    if (d) memcpy(d, s, n);
    return d;
}

static void patient_free(lt_patient *p)
{
    if (!p) return;
    if (p->priv) {
        for (lt__block *b = p->priv->blocks, *next; b; b = next) {
            next = b->next;
            free(b);
        }
        free(p->priv->facts);
        free(p->priv);
    }
    free(p);
}

static lt_patient *patient_new(const char *id, const char *source)
{
    lt_patient *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->priv = calloc(1, sizeof *p->priv);
    if (!p->priv) {
        free(p);
        return NULL;
    }
    p->birth_date = LT_DATE_NONE;
    p->birth_date_latest = LT_DATE_NONE;
    p->death_date = LT_DATE_NONE;
    p->sex = LT_SEX_UNKNOWN;
    p->id = lt__arena_strdup(p, id);
    p->source = lt__arena_strdup(p, source ? source : "");
    if (!p->id || !p->source) {
        patient_free(p);
        return NULL;
    }
    return p;
}

lt_fact *lt__fact_add(lt_patient *p)
{
    struct lt__patient_priv *q = p->priv;
    if (p->nfacts == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        lt_fact *f = realloc(q->facts, cap * sizeof *f);
        if (!f) return NULL;
        q->facts = f;
        q->cap = cap;
        p->facts = f;
    }
    lt_fact *f = &q->facts[p->nfacts++];
    memset(f, 0, sizeof *f);
    f->date = LT_DATE_NONE;
    f->date_latest = LT_DATE_NONE;
    f->end_date = LT_DATE_NONE;
    f->flag = -1;
    return f;
}

bool lt__fact_set_attrs(lt_patient *p, lt_fact *f, const lt_attr *attrs, size_t n)
{
    if (!n) return true;
    lt_attr *a = lt__arena_alloc(p, n * sizeof *a);
    if (!a) return false;
    for (size_t i = 0; i < n; i++) {
        a[i] = attrs[i];
        a[i].key = lt__arena_strdup(p, attrs[i].key);
        if (!a[i].key) return false;
        if (attrs[i].text && !(a[i].text = lt__arena_strdup(p, attrs[i].text))) return false;
    }
    f->attrs = a;
    f->nattrs = n;
    return true;
}

/* Dates ascending with unknown dates first (LT_DATE_NONE is the smallest int32), then code. */
static int fact_order(const lt_fact *x, const lt_fact *y)
{
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    return strcmp(x->code ? x->code : "", y->code ? y->code : "");
}

typedef struct ranked {
    const lt_fact *f;
    size_t i; /* the order read: ties keep it, so the result is reproducible */
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int c = fact_order(x->f, y->f);
    if (c) return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorts the facts stably. qsort is not stable, so it sorts (fact, position) pairs; when the
 * scratch memory cannot be had, an insertion sort (stable, in place) does the same. */
static void patient_sort(lt_patient *p)
{
    size_t n = p->nfacts;
    lt_fact *v = p->priv->facts;
    if (n < 2) return;
    ranked *r = malloc(n * sizeof *r);
    lt_fact *out = r ? malloc(n * sizeof *out) : NULL;
    if (out) {
        for (size_t i = 0; i < n; i++)
            r[i] = (ranked){&v[i], i};
        qsort(r, n, sizeof *r, ranked_cmp);
        for (size_t i = 0; i < n; i++)
            out[i] = *r[i].f;
        memcpy(v, out, n * sizeof *out);
    } else {
        for (size_t i = 1; i < n; i++) {
            lt_fact t = v[i];
            size_t j = i;
            for (; j > 0 && fact_order(&v[j - 1], &t) > 0; j--)
                v[j] = v[j - 1];
            v[j] = t;
        }
    }
    free(out);
    free(r);
}

/* ---- cohort ---- */

lt_status lt_cohort_new(lt_cohort **out, lt_error *err)
{
    lt_cohort *c = calloc(1, sizeof *c);
    if (!c) LT_FAIL(err, LT_ENOMEM, "", "out of memory creating a cohort");
    *out = c;
    return LT_OK;
}

void lt_cohort_free(lt_cohort *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        patient_free(c->v[i]);
    free(c->v);
    free(c->index);
    lt_concepts_free(c->own_concepts);
    lt_plausible_free(c->own_plausible);
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    free(c);
}

/* Room for n more warnings; false when out of memory. */
static bool reserve_warnings(lt_cohort *c, size_t n)
{
    if (c->nwarnings + n <= c->capwarnings) return true;
    size_t cap = c->capwarnings ? c->capwarnings : 8;
    while (cap < c->nwarnings + n)
        cap *= 2;
    char **w = realloc(c->warnings, cap * sizeof *w);
    if (!w) return false;
    c->warnings = w;
    c->capwarnings = cap;
    return true;
}

lt_status lt__cohort_warn(lt_cohort *c, lt_error *err, const char *where, const char *fmt, ...)
{
    char msg[LT_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(where) + strlen(msg) + 3;
    char *w = malloc(n);
    if (!w || !reserve_warnings(c, 1)) {
        free(w);
        LT_FAIL(err, LT_ENOMEM, where, "out of memory recording a warning");
    }
    snprintf(w, n, "%s: %s", where, msg);
    c->warnings[c->nwarnings++] = w;
    return LT_OK;
}

size_t lt_cohort_warning_count(const lt_cohort *c)
{
    return c ? c->nwarnings : 0;
}

const char *lt_cohort_warning(const lt_cohort *c, size_t i)
{
    return c && i < c->nwarnings ? c->warnings[i] : NULL;
}

size_t lt_cohort_count(const lt_cohort *c)
{
    return c ? c->n : 0;
}

const lt_patient *lt_cohort_patient(const lt_cohort *c, size_t i)
{
    return c && i < c->n ? c->v[i] : NULL;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t find_slot(const lt_cohort *c, const char *id, bool *found)
{
    size_t mask = c->index_cap - 1, i = hash_str(id) & mask;
    for (;; i = (i + 1) & mask) {
        size_t e = c->index[i];
        if (!e) {
            *found = false;
            return i;
        }
        if (!strcmp(c->v[e - 1]->id, id)) {
            *found = true;
            return i;
        }
    }
}

const lt_patient *lt_cohort_find(const lt_cohort *c, const char *id)
{
    if (!c || !id || !c->index_cap) return NULL;
    bool found;
    size_t s = find_slot(c, id, &found);
    return found ? c->v[c->index[s] - 1] : NULL;
}

/* Makes room for extra more patients in v and the index. */
static bool reserve(lt_cohort *c, size_t extra)
{
    size_t want = c->n + extra;
    if (want > c->cap) {
        size_t cap = c->cap ? c->cap : 8;
        while (cap < want)
            cap *= 2;
        // NOLINTNEXTLINE(bugprone-sizeof-expression): v is an array of pointers
        lt_patient **v = realloc(c->v, cap * sizeof *v);
        if (!v) return false;
        c->v = v;
        c->cap = cap;
    }
    if (want * 2 > c->index_cap) {
        size_t cap = c->index_cap ? c->index_cap : 16;
        while (cap < want * 2)
            cap *= 2;
        size_t *idx = calloc(cap, sizeof *idx);
        if (!idx) return false;
        free(c->index);
        c->index = idx;
        c->index_cap = cap;
        for (size_t i = 0; i < c->n; i++) {
            bool found;
            c->index[find_slot(c, c->v[i]->id, &found)] = i + 1;
        }
    }
    return true;
}

lt_patient *lt__cohort_patient(lt_cohort *c, const char *id, const char *source)
{
    const lt_patient *have = lt_cohort_find(c, id);
    if (have) return (lt_patient *)have;
    if (!reserve(c, 1)) return NULL;
    lt_patient *p = patient_new(id, source);
    if (!p) return NULL;
    bool found;
    size_t s = find_slot(c, id, &found);
    c->v[c->n++] = p;
    c->index[s] = c->n;
    return p;
}

void lt_cohort_use_concepts(lt_cohort *c, const lt_concepts *m)
{
    if (c) c->concepts = m;
}

void lt_cohort_use_plausible(lt_cohort *c, const lt_plausible *t)
{
    if (c) c->plausible = t;
}

lt_status lt__cohort_plausible(lt_cohort *c, const lt_plausible **out, lt_error *err)
{
    if (!c->plausible) {
        lt_status st = lt_plausible_load(NULL, &c->own_plausible, err);
        if (st != LT_OK) return st;
        c->plausible = c->own_plausible;
    }
    *out = c->plausible;
    return LT_OK;
}

/* Marks every quantity whose value or reference limits no body has: one pass for the three
 * readers, after reading, so that none of them can forget it. */
static lt_status mark_implausible(lt_cohort *c, lt_error *err)
{
    const lt_plausible *t = NULL;
    for (size_t k = 0; k < c->n; k++) {
        lt_patient *p = c->v[k];
        for (size_t i = 0; i < p->nfacts; i++) {
            lt_fact *f = &p->priv->facts[i];
            if (f->problem != LT_FACT_OK || !f->has_value ||
                lt__units_kind(f->code) == LT_FACT_KIND_COUNT)
                continue;
            if (!t) {
                lt_status st = lt__cohort_plausible(c, &t, err);
                if (st != LT_OK) return st;
            }
            if (!lt__fact_plausible(t, f)) f->problem = LT_FACT_IMPLAUSIBLE;
        }
    }
    return LT_OK;
}

lt_status lt__cohort_concepts(lt_cohort *c, const lt_concepts **out, lt_error *err)
{
    if (!c->concepts) {
        lt_status st = lt_concepts_load(NULL, &c->own_concepts, err);
        if (st != LT_OK) return st;
        c->concepts = c->own_concepts;
    }
    *out = c->concepts;
    return LT_OK;
}

static const char *sex_name(lt_sex s)
{
    static const char *const names[] = {"unknown", "female", "male", "other"};
    return names[s];
}

/* Demographics of two records of one patient must agree where both are known. */
static lt_status check_agree(const lt_patient *a, const lt_patient *b, lt_error *err)
{
    char d1[LT_DATE_STR_MAX], d2[LT_DATE_STR_MAX];
    if (a->birth_date != LT_DATE_NONE && b->birth_date != LT_DATE_NONE &&
        a->birth_date != b->birth_date)
        LT_FAIL(err, LT_ECONFLICT, b->source, "patient %s: birth date %s here but %s in %s", a->id,
                lt_date_format(b->birth_date, d2), lt_date_format(a->birth_date, d1), a->source);
    if (a->death_date != LT_DATE_NONE && b->death_date != LT_DATE_NONE &&
        a->death_date != b->death_date)
        LT_FAIL(err, LT_ECONFLICT, b->source, "patient %s: death date %s here but %s in %s", a->id,
                lt_date_format(b->death_date, d2), lt_date_format(a->death_date, d1), a->source);
    if (a->sex != LT_SEX_UNKNOWN && b->sex != LT_SEX_UNKNOWN && a->sex != b->sex)
        LT_FAIL(err, LT_ECONFLICT, b->source, "patient %s: sex %s here but %s in %s", a->id,
                sex_name(b->sex), sex_name(a->sex), a->source);
    return LT_OK;
}

lt_status lt_cohort_merge(lt_cohort *dst, lt_cohort *src, lt_error *err)
{
    if (!dst || !src) LT_FAIL(err, LT_EINVAL, "", "lt_cohort_merge: a cohort is NULL");
    if (dst == src) return LT_OK;
    /* First every check and allocation, so that a failure leaves both cohorts as they were. */
    size_t fresh = 0;
    for (size_t i = 0; i < src->n; i++) {
        const lt_patient *have = lt_cohort_find(dst, src->v[i]->id);
        if (!have) {
            fresh++;
            continue;
        }
        lt_status st = check_agree(have, src->v[i], err);
        if (st != LT_OK) return st;
        struct lt__patient_priv *q = have->priv;
        size_t want = have->nfacts + src->v[i]->nfacts;
        if (want > q->cap) {
            lt_fact *f = realloc(q->facts, want * sizeof *f);
            if (!f) LT_FAIL(err, LT_ENOMEM, "", "out of memory merging patient %s", have->id);
            q->facts = f;
            q->cap = want;
            ((lt_patient *)have)->facts = f;
        }
    }
    if (!reserve(dst, fresh) || !reserve_warnings(dst, src->nwarnings))
        LT_FAIL(err, LT_ENOMEM, "", "out of memory merging cohorts");
    /* the warnings move with the patients they were read beside */
    for (size_t i = 0; i < src->nwarnings; i++)
        dst->warnings[dst->nwarnings++] = src->warnings[i];
    src->nwarnings = 0;
    for (size_t i = 0; i < src->n; i++) {
        lt_patient *s = src->v[i];
        lt_patient *d = (lt_patient *)lt_cohort_find(dst, s->id);
        if (!d) {
            bool found;
            size_t slot = find_slot(dst, s->id, &found);
            dst->v[dst->n++] = s;
            dst->index[slot] = dst->n;
            continue;
        }
        if (s->nfacts) memcpy(d->priv->facts + d->nfacts, s->facts, s->nfacts * sizeof(lt_fact));
        d->nfacts += s->nfacts;
        if (d->birth_date == LT_DATE_NONE) {
            d->birth_date = s->birth_date;
            d->birth_date_latest = s->birth_date_latest;
        }
        if (d->death_date == LT_DATE_NONE) d->death_date = s->death_date;
        d->deceased = d->deceased || s->deceased;
        if (d->sex == LT_SEX_UNKNOWN) d->sex = s->sex;
        /* the facts point into s's arena: its blocks move to d */
        lt__block **tail = &d->priv->blocks;
        while (*tail)
            tail = &(*tail)->next;
        *tail = s->priv->blocks;
        s->priv->blocks = NULL;
        patient_sort(d);
        patient_free(s);
    }
    src->n = 0;
    if (src->index) memset(src->index, 0, src->index_cap * sizeof *src->index);
    return LT_OK;
}

/* ---- reading ---- */

/* Reads data (writable, NUL at data[len]) into a fresh cohort, then merges it into c. */
static lt_status read_buffer(lt_cohort *c, char *data, size_t len, const char *source,
                             lt_error *err)
{
    lt_cohort *tmp = NULL;
    lt_status st = lt_cohort_new(&tmp, err);
    if (st != LT_OK) return st;
    tmp->concepts = c->concepts;
    tmp->plausible = c->plausible;
    size_t i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        i = 3;        /* a UTF-8 byte order mark, as spreadsheet exports write */
    size_t start = i; /* JSON line numbers count from here */
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) {
        lt_cohort_free(tmp);
        LT_FAIL(err, LT_ESCHEMA, source,
                "the file is empty: expected a patient JSON document, "
                "a FHIR Bundle or a CSV lab export");
    }
    if (data[i] == '{' || data[i] == '[') {
        lt_json *root;
        st = lt_json_parse(data + start, len - start, source, &root, err);
        if (st == LT_OK) {
            const char *rt = lt_json_get_str(root, "resourceType", NULL);
            if (rt && !strcmp(rt, "Bundle"))
                st = lt__read_fhir(tmp, root, source, err);
            else if (rt)
                st = lt_error_set(err, LT_ESCHEMA, source,
                                  "a FHIR %s resource: expected a Bundle of resources", rt);
            else
                st = lt__read_native(tmp, root, data + start, len - start, source, err);
            lt_json_free(root);
        }
    } else {
        st = lt__read_csv(tmp, data + start, len - start, source, err);
    }
    if (st == LT_OK) st = mark_implausible(tmp, err);
    if (st == LT_OK) {
        for (size_t k = 0; k < tmp->n; k++)
            patient_sort(tmp->v[k]);
        if (!c->plausible && tmp->own_plausible) {
            c->own_plausible = tmp->own_plausible;
            c->plausible = c->own_plausible;
            tmp->own_plausible = NULL;
        }
        if (!c->concepts && tmp->own_concepts) {
            /* keep the map loaded for this file for the next ones */
            c->own_concepts = tmp->own_concepts;
            c->concepts = c->own_concepts;
            tmp->own_concepts = NULL;
        }
        st = lt_cohort_merge(c, tmp, err);
    }
    lt_cohort_free(tmp);
    return st;
}

lt_status lt_cohort_read_file(lt_cohort *c, const char *path, lt_error *err)
{
    if (!c || !path) LT_FAIL(err, LT_EINVAL, "", "lt_cohort_read_file: no cohort or no path");
    char *data;
    size_t len;
    lt_status st = lt_file_read(path, &data, &len, err);
    if (st != LT_OK) return st;
    st = read_buffer(c, data, len, strcmp(path, "-") ? path : "<stdin>", err);
    free(data);
    return st;
}

lt_status lt_cohort_read_mem(lt_cohort *c, const char *data, size_t len, const char *source,
                             lt_error *err)
{
    if (!c || (!data && len)) LT_FAIL(err, LT_EINVAL, "", "lt_cohort_read_mem: no cohort or data");
    char *copy = malloc(len + 1);
    if (!copy) LT_FAIL(err, LT_ENOMEM, source ? source : "", "out of memory reading input");
    if (len) memcpy(copy, data, len);
    copy[len] = '\0';
    lt_status st = read_buffer(c, copy, len, source ? source : "<memory>", err);
    free(copy);
    return st;
}

/* ---- queries ---- */

size_t lt_patient_facts(const lt_patient *p, lt_fact_kind kind, const char *code,
                        const lt_fact **out, size_t max)
{
    size_t n = 0;
    if (!p) return 0;
    for (size_t i = 0; i < p->nfacts; i++) {
        const lt_fact *f = &p->facts[i];
        if (f->kind != kind || (code && strcmp(f->code, code))) continue;
        if (n < max && out) out[n] = f;
        n++;
    }
    return n;
}

const lt_attr *lt_fact_attr(const lt_fact *f, const char *key)
{
    if (!f || !key) return NULL;
    for (size_t i = 0; i < f->nattrs; i++)
        if (!strcmp(f->attrs[i].key, key)) return &f->attrs[i];
    return NULL;
}
