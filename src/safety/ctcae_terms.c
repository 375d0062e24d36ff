/* The CTCAE v5.0 term list (data/ctcae-v5-terms.json): every adverse-event term with its
 * system organ class and MedDRA code, and the words sites write for a term. An adverse event is
 * recorded under one of these terms, or under its class's "Other, specify" with the words. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "lutetia/safety.h"

typedef struct synonym {
    char *word;
    size_t term; /* index into terms */
} synonym;

struct lt_ctcae_terms {
    lt_ctcae_term_entry *terms;
    size_t n;
    synonym *syn;
    size_t nsyn;
    lt_json *doc; /* the parsed file: the entries' strings point into it */
};

void lt_ctcae_terms_free(lt_ctcae_terms *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nsyn; i++) free(t->syn[i].word);
    free(t->syn);
    free(t->terms);
    lt_json_free(t->doc);
    free(t);
}

static long index_of(const lt_ctcae_terms *t, const char *term)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcasecmp(t->terms[i].term, term)) return (long)i;
    return -1;
}

lt_status lt_ctcae_terms_load(const char *path, lt_ctcae_terms **out, lt_error *err)
{
    *out = NULL;
    char used[4096], *text;
    size_t len;
    lt_status st = lt_data_read(path, "ctcae-v5-terms.json", &text, &len, used, sizeof used, err);
    if (st != LT_OK) return st;
    lt_ctcae_terms *t = calloc(1, sizeof *t);
    if (!t) {
        free(text);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    st = lt_json_parse(text, len, used, &t->doc, err);
    free(text);
    const lt_json *terms = st == LT_OK ? lt_json_get(t->doc, "terms") : NULL;
    size_t n = lt_json_size(terms);
    if (st == LT_OK && (!lt_json_is_array(terms) || n == 0))
        st = lt_error_set(err, LT_ESCHEMA, used, "terms: expected an array of terms");
    if (st == LT_OK && !(t->terms = calloc(n, sizeof *t->terms)))
        st = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; st == LT_OK && i < n; i++) {
        const lt_json *e = lt_json_at(terms, i);
        lt_ctcae_term_entry *x = &t->terms[t->n];
        x->term = lt_json_get_str(e, "term", NULL);
        x->soc = lt_json_get_str(e, "soc", NULL);
        x->meddra = lt_json_get_str(e, "meddra", NULL);
        if (!x->term || !*x->term || !x->soc || !x->meddra)
            st = lt_error_set(err, LT_ESCHEMA, used,
                              "terms[%zu]: expected term, soc and meddra strings", i);
        else if (index_of(t, x->term) >= 0)
            st = lt_error_set(err, LT_ESCHEMA, used, "terms[%zu]: '%s' is listed twice", i,
                              x->term);
        else
            t->n++;
    }
    const lt_json *syn = st == LT_OK ? lt_json_get(t->doc, "synonyms") : NULL;
    if (st == LT_OK && syn && !(t->syn = calloc(lt_json_size(syn) + 1, sizeof *t->syn)))
        st = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    for (const lt_json *m = lt_json_first(syn); st == LT_OK && m; m = lt_json_next(m)) {
        const char *to = lt_json_str(m);
        long k = to ? index_of(t, to) : -1;
        if (k < 0)
            st = lt_error_set(err, LT_ESCHEMA, used, "synonyms.%s: expected a term of the list",
                              lt_json_key(m));
        else if (!(t->syn[t->nsyn].word = strdup(lt_json_key(m))))
            st = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        else
            t->syn[t->nsyn++].term = (size_t)k;
    }
    if (st != LT_OK) {
        lt_ctcae_terms_free(t);
        return st;
    }
    *out = t;
    return LT_OK;
}

size_t lt_ctcae_terms_count(const lt_ctcae_terms *t) { return t ? t->n : 0; }

const lt_ctcae_term_entry *lt_ctcae_terms_at(const lt_ctcae_terms *t, size_t i)
{
    return t && i < t->n ? &t->terms[i] : NULL;
}

const lt_ctcae_term_entry *lt_ctcae_terms_find(const lt_ctcae_terms *t, const char *text)
{
    if (!t || !text) return NULL;
    long k = index_of(t, text);
    if (k >= 0) return &t->terms[k];
    for (size_t i = 0; i < t->nsyn; i++)
        if (!strcasecmp(t->syn[i].word, text)) return &t->terms[t->syn[i].term];
    return NULL;
}

bool lt_ctcae_term_is_other(const lt_ctcae_term_entry *e)
{
    static const char tail[] = " - Other, specify";
    size_t n = e ? strlen(e->term) : 0;
    return n > sizeof tail - 1 && !strcmp(e->term + n - (sizeof tail - 1), tail);
}
