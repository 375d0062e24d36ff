/* The mapping from standard codes (system AND code) to Lutetia concepts, read from
 * data/concepts.json and any site file that extends it (docs/patient-format.md). Entries are
 * kept in a hash table keyed on system and code so that a FHIR reader can test every coding
 * of thousands of Observations cheaply. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lutetia/file.h"


typedef struct mapping {
    char *system, *code, *concept;
    lt_fact_kind kind;
    lt_attr *attrs;
    size_t nattrs;
} mapping;

struct lt_concepts {
    mapping *v;
    size_t n, cap;
    size_t *index;    /* slot holds i + 1; 0 empty */
    size_t index_cap; /* power of two */
};

static uint64_t hash_pair(const char *system, const char *code)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over system, a separator, code */
    for (const char *s = system; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *s = code; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t slot_of(const lt_concepts *m, const char *system, const char *code, bool *found)
{
    size_t mask = m->index_cap - 1, i = hash_pair(system, code) & mask;
    for (;; i = (i + 1) & mask) {
        size_t e = m->index[i];
        if (!e) {
            *found = false;
            return i;
        }
        const mapping *x = &m->v[e - 1];
        /* every caller passes a checked system and code; the analyser assumes a JSON array's
         * size and its iteration can disagree, leaving a calloc'd mapping unfilled */
        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
        if (!strcmp(x->code, code) && !strcmp(x->system, system)) {
            *found = true;
            return i;
        }
    }
}

static void mapping_clear(mapping *x)
{
    free(x->system);
    free(x->code);
    free(x->concept);
    for (size_t i = 0; i < x->nattrs; i++) {
        free((char *)x->attrs[i].key);
        free((char *)x->attrs[i].text);
    }
    free(x->attrs);
}

void lt_concepts_free(lt_concepts *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n; i++)
        mapping_clear(&m->v[i]);
    free(m->v);
    free(m->index);
    free(m);
}

size_t lt_concepts_count(const lt_concepts *m)
{
    return m ? m->n : 0;
}

/* The mapping of a coding: its exact code, else the longest prefix mapping ("E11*" for
 * E11.65: an ICD-10-CM category names its subcodes), so that an exact entry always wins. */
static const mapping *find(const lt_concepts *m, const char *system, const char *code)
{
    if (!m || !m->index_cap || !system || !code) return NULL; /* a coding may lack either */
    bool found;
    size_t s = slot_of(m, system, code, &found);
    if (found) return &m->v[m->index[s] - 1];
    char key[64];
    size_t n = strlen(code);
    if (n >= sizeof key) return NULL;
    for (size_t len = n; len-- > 1;) {
        memcpy(key, code, len);
        key[len] = '*';
        key[len + 1] = '\0';
        s = slot_of(m, system, key, &found);
        if (found) return &m->v[m->index[s] - 1];
    }
    return NULL;
}

const char *lt_concepts_lookup(const lt_concepts *m, const char *system, const char *code,
                               lt_fact_kind *kind)
{
    const mapping *x = find(m, system, code);
    if (!x) return NULL;
    if (kind) *kind = x->kind;
    return x->concept;
}

const lt_attr *lt__concepts_attrs(const lt_concepts *m, const char *system, const char *code,
                                  size_t *n)
{
    *n = 0;
    const mapping *x = find(m, system, code);
    if (!x) return NULL;
    *n = x->nattrs;
    return x->attrs;
}

static bool grow(lt_concepts *m, size_t extra)
{
    size_t want = m->n + extra;
    if (want > m->cap) {
        size_t cap = m->cap ? m->cap : 64;
        while (cap < want)
            cap *= 2;
        mapping *v = realloc(m->v, cap * sizeof *v);
        if (!v) return false;
        m->v = v;
        m->cap = cap;
    }
    if (want * 2 > m->index_cap) {
        size_t cap = m->index_cap ? m->index_cap : 128;
        while (cap < want * 2)
            cap *= 2;
        size_t *idx = calloc(cap, sizeof *idx);
        if (!idx) return false;
        free(m->index);
        m->index = idx;
        m->index_cap = cap;
        for (size_t i = 0; i < m->n; i++) {
            bool found;
            m->index[slot_of(m, m->v[i].system, m->v[i].code, &found)] = i + 1;
        }
    }
    return true;
}

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

#define PLACE(buf, path, i, member)                                                                \
    snprintf(buf, sizeof buf, "%s: mappings[%zu]%s", path, i, member)

/* Parses one mapping file into a list of new entries and only then adds them, so that a bad
 * file leaves m as it was. */
static lt_status add_text(lt_concepts *m, const char *text, size_t len, const char *path,
                          lt_error *err)
{
    lt_json *root;
    lt_status st = lt_json_parse(text, len, path, &root, err);
    if (st != LT_OK) return st;
    char where[LT_ERROR_WHERE_MAX];
    const lt_json *systems = lt_json_get(root, "systems");
    const lt_json *list = lt_json_get(root, "mappings");
    const char *fmt = lt_json_get_str(root, "format", NULL);
    if (!lt_json_is_object(root) || !fmt || strcmp(fmt, "lutetia-concepts")) {
        lt_json_free(root);
        LT_FAIL(err, LT_ESCHEMA, path,
                "expected an object with \"format\": \"lutetia-concepts\" (a concept mapping "
                "file, docs/patient-format.md)");
    }
    if (!lt_json_is_array(list)) {
        lt_json_free(root);
        LT_FAIL(err, LT_ESCHEMA, path, "expected \"mappings\": an array of mappings");
    }
    size_t n = lt_json_size(list), i = 0;
    mapping *fresh = calloc(n ? n : 1, sizeof *fresh);
    if (!fresh) {
        lt_json_free(root);
        LT_FAIL(err, LT_ENOMEM, path, "out of memory reading concept mappings");
    }
    st = LT_OK;
    for (const lt_json *e = lt_json_first(list); e; e = lt_json_next(e), i++) {
        mapping *x = &fresh[i];
        const char *sys = lt_json_get_str(e, "system", NULL);
        const char *code = lt_json_get_str(e, "code", NULL);
        const char *kind = lt_json_get_str(e, "kind", NULL);
        const char *concept = lt_json_get_str(e, "concept", NULL);
        const char *alias = sys ? lt_json_get_str(systems, sys, NULL) : NULL;
        if (alias) sys = alias;
        if (!lt_json_is_object(e) || !sys || !*sys || !code || !*code) {
            PLACE(where, path, i, "");
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected an object with a \"system\" and a \"code\" string");
            break;
        }
        lt_fact_kind k = lt__kind_from_name(kind);
        if (k == LT_FACT_KIND_COUNT) {
            PLACE(where, path, i, ".kind");
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected lab, vital, performance, diagnosis, procedure, imaging, "
                              "treatment, status or attestation; found %s%s%s",
                              kind ? "\"" : "", kind ? kind : "nothing", kind ? "\"" : "");
            break;
        }
        if (!lt__vocab_known(k, concept)) {
            PLACE(where, path, i, ".concept");
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "\"%s\" is not a %s concept of the "
                              "vocabulary (docs/patient-format.md)",
                              concept ? concept : "", kind);
            break;
        }
        x->kind = k;
        x->system = dup(sys);
        x->code = dup(code);
        x->concept = dup(concept);
        const lt_json *attrs = lt_json_get(e, "attrs");
        if (attrs && !lt_json_is_object(attrs)) {
            PLACE(where, path, i, ".attrs");
            st = lt_error_set(err, LT_ESCHEMA, where, "expected an object of attributes");
            break;
        }
        size_t na = lt_json_size(attrs);
        if (na) x->attrs = calloc(na, sizeof *x->attrs);
        if (!x->system || !x->code || !x->concept || (na && !x->attrs)) {
            st = lt_error_set(err, LT_ENOMEM, path, "out of memory reading concept mappings");
            break;
        }
        /* bounded by na as well: x->attrs holds exactly na entries */
        for (const lt_json *a = lt_json_first(attrs); a && x->nattrs < na; a = lt_json_next(a)) {
            lt_attr *t = &x->attrs[x->nattrs];
            double num;
            bool b;
            t->key = dup(lt_json_key(a));
            if (lt_json_num(a, &num)) {
                t->num = num;
                t->has_num = true;
            } else if (lt_json_bool(a, &b)) {
                t->text = dup(b ? "yes" : "no");
            } else if (lt_json_str(a)) {
                t->text = dup(lt_json_str(a));
            } else {
                snprintf(where, sizeof where, "%s: mappings[%zu].attrs.%s", path, i,
                         lt_json_key(a));
                st = lt_error_set(err, LT_ESCHEMA, where,
                                  "expected a string, a number or true/false");
            }
            x->nattrs++;
            if (st == LT_OK && (!t->key || (!t->has_num && !t->text)))
                st = lt_error_set(err, LT_ENOMEM, path, "out of memory");
            if (st != LT_OK) break;
        }
        if (st != LT_OK) break;
    }
    lt_json_free(root);
    if (st == LT_OK && !grow(m, n))
        st = lt_error_set(err, LT_ENOMEM, path, "out of memory reading concept mappings");
    if (st != LT_OK) {
        for (size_t k = 0; k < n; k++)
            mapping_clear(&fresh[k]);
        free(fresh);
        return st;
    }
    for (size_t k = 0; k < n; k++) {
        bool found;
        size_t s = slot_of(m, fresh[k].system, fresh[k].code, &found);
        if (found) {
            /* a later file overrides: the site's mapping wins over the shipped one */
            mapping_clear(&m->v[m->index[s] - 1]);
            m->v[m->index[s] - 1] = fresh[k];
        } else {
            m->v[m->n++] = fresh[k];
            m->index[s] = m->n;
        }
    }
    free(fresh);
    return LT_OK;
}

lt_status lt_concepts_add_file(lt_concepts *m, const char *path, lt_error *err)
{
    if (!m || !path) LT_FAIL(err, LT_EINVAL, "", "lt_concepts_add_file: no map or no path");
    char *text;
    size_t len;
    lt_status st = lt_file_read(path, &text, &len, err);
    if (st != LT_OK) return st;
    st = add_text(m, text, len, path, err);
    free(text);
    return st;
}

lt_status lt_concepts_load(const char *extra, lt_concepts **out, lt_error *err)
{
    char path[4096];
    lt_status found = lt_data_file("concepts.json", path, sizeof path, err);
    if (found != LT_OK) return found;
    lt_concepts *m = calloc(1, sizeof *m);
    if (!m) LT_FAIL(err, LT_ENOMEM, "", "out of memory loading concept mappings");
    lt_status st = lt_concepts_add_file(m, path, err);
    if (!extra) extra = getenv("LUTETIA_CONCEPTS");
    if (st == LT_OK && extra && *extra) st = lt_concepts_add_file(m, extra, err);
    if (st != LT_OK) {
        lt_concepts_free(m);
        return st;
    }
    *out = m;
    return LT_OK;
}
