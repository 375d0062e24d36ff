/* The reader for Lutetia's own patient format (docs/patient-format.md): one JSON object per
 * patient, or an array of them. Strict: an unknown member, concept or attribute value is an
 * error naming the file, line:column and the JSON path, so that a typo never drops data. */
#include <stdio.h>
#include <string.h>
#include "internal.h"

typedef struct ctx {
    lt_cohort *c;
    const char *text;
    size_t len;
    const char *source;
    lt_error *err;
} ctx;

/* Fails with where = "source:line:col" of path (or "source" when it cannot be located) and a
 * message that starts with the path. */
LT_PRINTF(4, 5)
static lt_status fail(ctx *x, lt_status st, const char *path, const char *fmt, ...)
{
    char where[LT_ERROR_WHERE_MAX], msg[LT_ERROR_MESSAGE_MAX];
    int line, col;
    if (lt_json_locate(x->text, x->len, path, &line, &col))
        snprintf(where, sizeof where, "%s:%d:%d", x->source, line, col);
    else
        snprintf(where, sizeof where, "%s", x->source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lt_error_set(x->err, st, where, "%s%s%s", path, *path ? ": " : "", msg);
}

/* Concatenates a, b and c (NULL: nothing) into buf, cutting what does not fit. */
static void join(char *buf, size_t n, const char *a, const char *b, const char *c)
{
    size_t k = 0;
    const char *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        for (const char *s = parts[i]; s && *s && k + 1 < n; s++)
            buf[k++] = *s;
    buf[k] = '\0';
}

static lt_status nomem(ctx *x)
{
    return lt_error_set(x->err, LT_ENOMEM, x->source, "out of memory reading patients");
}

/* A short rendering of a JSON value for "found ..." in messages. */
static void found(const lt_json *v, char *buf, size_t n)
{
    double d;
    bool b;
    if (!v)
        snprintf(buf, n, "nothing");
    else if (lt_json_str(v))
        snprintf(buf, n, "\"%.60s\"", lt_json_str(v));
    else if (lt_json_num(v, &d))
        snprintf(buf, n, "%g", d);
    else if (lt_json_bool(v, &b))
        snprintf(buf, n, "%s", b ? "true" : "false");
    else if (lt_json_is_null(v))
        snprintf(buf, n, "null");
    else if (lt_json_is_array(v))
        snprintf(buf, n, "an array");
    else
        snprintf(buf, n, "an object");
}

/* A date member; with latest given, a partial date of year or year-month precision ("1974",
 * "1974-06", as the store writes back a FHIR partial date) is read as FHIR's: *out its first
 * day, *latest its last. */
static lt_status get_date_span(ctx *x, const lt_json *v, const char *path, lt_date *out,
                               lt_date *latest)
{
    char f[96];
    if (!v || lt_json_is_null(v)) return LT_OK;
    const char *s = lt_json_str(v);
    if (latest && s && lt__partial_date(s, out, latest)) {
        if (*out < lt__date_min()) {
            found(v, f, sizeof f);
            return fail(x, LT_ESCHEMA, path, "expected a date from 1900-01-01 on; found %s", f);
        }
        return LT_OK;
    }
    if (!s || !lt_date_parse(s, true, out)) {
        found(v, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected a date YYYY-MM-DD; found %s", f);
    }
    if (*out < lt__date_min()) {
        found(v, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected a date from 1900-01-01 on; found %s", f);
    }
    return LT_OK;
}

static lt_status get_date(ctx *x, const lt_json *v, const char *path, lt_date *out)
{
    return get_date_span(x, v, path, out, NULL);
}

/* Names of the fact arrays and their kinds, in the order docs/patient-format.md lists them. */
static const struct {
    const char *member;
    lt_fact_kind kind;
} arrays[] = {
    {"labs", LT_FACT_LAB},
    {"vitals", LT_FACT_VITAL},
    {"performance", LT_FACT_PERFORMANCE},
    {"diagnoses", LT_FACT_DIAGNOSIS},
    {"procedures", LT_FACT_PROCEDURE},
    {"imaging", LT_FACT_IMAGING},
    {"treatments", LT_FACT_TREATMENT},
    {"status", LT_FACT_STATUS},
    {"attestations", LT_FACT_ATTESTATION},
};

static const char *const common[] = {"code", "date",    "end_date", "value",
                                     "unit", "low",     "high",     "comparator",
                                     "text", "comment", "source",   "attrs"};

static bool is_common(const char *key)
{
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (!strcmp(common[i], key)) return true;
    return false;
}

#define MAX_ATTRS 32

/* Checks one listed attribute's value against its spec and appends it to attrs. */
static lt_status read_attr(ctx *x, const lt__attr_spec *spec, const lt_json *v, const char *path,
                           lt_attr *a)
{
    char f[96];
    double d;
    bool b;
    memset(a, 0, sizeof *a);
    switch (spec->type) {
    case LT__ATTR_NUM:
        if (!lt_json_num(v, &d) || d < spec->min || d > spec->max) {
            found(v, f, sizeof f);
            return fail(x, LT_ESCHEMA, path, "expected a number from %g to %g; found %s", spec->min,
                        spec->max, f);
        }
        a->num = d;
        a->has_num = true;
        return LT_OK;
    case LT__ATTR_YESNO:
        if (lt_json_bool(v, &b)) {
            a->text = b ? "yes" : "no";
            return LT_OK;
        }
        if (lt_json_str(v) && (!strcmp(lt_json_str(v), "yes") || !strcmp(lt_json_str(v), "no"))) {
            a->text = lt_json_str(v);
            return LT_OK;
        }
        found(v, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected \"yes\" or \"no\" (or true/false); found %s", f);
    case LT__ATTR_ENUM: {
        const char *s = lt_json_str(v);
        if (s && *s && !strchr(s, '|')) {
            const char *p = strstr(spec->values, s);
            size_t n = strlen(s);
            while (p && !(p[-1] == '|' && p[n] == '|'))
                p = strstr(p + 1, s);
            if (p) {
                a->text = s;
                return LT_OK;
            }
        }
        /* "|G1|G2|G3|" reads better as "G1, G2, G3" */
        char list[256];
        size_t k = 0;
        for (const char *p = spec->values + 1; *p && k + 3 < sizeof list; p++) {
            if (*p == '|') {
                if (p[1]) {
                    list[k++] = ',';
                    list[k++] = ' ';
                }
            } else {
                list[k++] = *p;
            }
        }
        list[k] = '\0';
        found(v, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected one of %s; found %s", list, f);
    }
    }
    return LT_OK;
}

static lt_status read_fact(ctx *x, lt_patient *p, lt_fact_kind kind, const lt_json *o,
                           const char *path)
{
    char sub[LT_ERROR_WHERE_MAX], f[96];
    if (!lt_json_is_object(o)) {
        found(o, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected a fact object; found %s", f);
    }
    const lt_json *jcode = lt_json_get(o, "code");
    const char *code = lt_json_str(jcode);
    join(sub, sizeof sub, path, ".code", NULL);
    if (!code) {
        found(jcode, f, sizeof f);
        return fail(x, LT_ESCHEMA, jcode ? sub : path,
                    "expected a \"code\" string naming a %s "
                    "concept; found %s",
                    lt_fact_kind_name(kind), f);
    }
    if (!lt__vocab_known(kind, code))
        return fail(x, LT_ESCHEMA, sub, "\"%s\" is not a %s concept (see docs/patient-format.md)",
                    code, lt_fact_kind_name(kind));

    lt_fact *fact = lt__fact_add(p);
    if (!fact) return nomem(x);
    fact->kind = kind;
    fact->code = lt__arena_strdup(p, code);
    if (!fact->code) return nomem(x);

    lt_status st;
    join(sub, sizeof sub, path, ".date", NULL);
    if ((st = get_date_span(x, lt_json_get(o, "date"), sub, &fact->date, &fact->date_latest)) !=
        LT_OK)
        return st;
    join(sub, sizeof sub, path, ".end_date", NULL);
    if ((st = get_date(x, lt_json_get(o, "end_date"), sub, &fact->end_date)) != LT_OK) return st;
    if (fact->date != LT_DATE_NONE && fact->end_date != LT_DATE_NONE && fact->end_date < fact->date)
        return fail(x, LT_ESCHEMA, sub, "the end date is before the date");

    const lt_json *jvalue = lt_json_get(o, "value");
    const lt_json *junit = lt_json_get(o, "unit");
    const char *unit = lt_json_str(junit);
    if (junit && !unit) {
        join(sub, sizeof sub, path, ".unit", NULL);
        found(junit, f, sizeof f);
        return fail(x, LT_ESCHEMA, sub, "expected a unit string; found %s", f);
    }
    double d;
    bool b;
    join(sub, sizeof sub, path, ".value", NULL);
    bool quantity = lt__units_kind(code) != LT_FACT_KIND_COUNT;
    if (quantity) {
        /* labs and vitals need a value; a PRRT cycle may have an unrecorded activity */
        if (!jvalue && (kind == LT_FACT_LAB || kind == LT_FACT_VITAL))
            return fail(x, LT_ESCHEMA, path, "expected a \"value\" number with its \"unit\"");
        if (jvalue) {
            if (!lt_json_num(jvalue, &d)) {
                found(jvalue, f, sizeof f);
                return fail(x, LT_ESCHEMA, sub, "expected a number; found %s", f);
            }
            if (!unit)
                return fail(x, LT_ESCHEMA, sub, "a value needs its \"unit\" (canonical: %s)",
                            lt_units_canonical(code));
            /* every quantity Lutetia reads (concentrations, counts, weights, activities) is
             * non-negative: a negative one is a typing error, not a finding to screen on */
            if (d < 0)
                return fail(x, LT_ESCHEMA, sub, "expected a number >= 0 for %s; found %g", code,
                            d);
            if (!lt__fact_set_quantity(p, fact, d, unit)) return nomem(x);
        }
    } else if (kind == LT_FACT_PERFORMANCE) {
        double max = strcmp(code, "ecog") ? 100 : 5;
        if (!lt_json_num(jvalue, &d) || d < 0 || d > max || d != (double)(int)d) {
            found(jvalue, f, sizeof f);
            return fail(x, LT_ESCHEMA, jvalue ? sub : path,
                        "expected a whole-number %s score from 0 to %g; found %s", code, max, f);
        }
        fact->value = fact->given_value = d;
        fact->has_value = true;
    } else if (kind == LT_FACT_STATUS || kind == LT_FACT_ATTESTATION) {
        if (lt_json_bool(jvalue, &b)) {
            fact->flag = b;
            fact->value = fact->given_value = b;
            fact->has_value = true;
        } else if (!jvalue || lt_json_is_null(jvalue)) {
            fact->problem = LT_FACT_NO_VALUE; /* recorded as not known */
        } else {
            found(jvalue, f, sizeof f);
            return fail(x, LT_ESCHEMA, sub, "expected true or false; found %s", f);
        }
    } else if (jvalue) {
        return fail(x, LT_ESCHEMA, sub, "a %s fact has no value", lt_fact_kind_name(kind));
    }
    if (unit && !quantity) {
        join(sub, sizeof sub, path, ".unit", NULL);
        return fail(x, LT_ESCHEMA, sub, "\"%s\" takes no unit", code);
    }

    /* reference range and comparator, in the value's unit */
    const char *lims[2] = {"low", "high"};
    for (int i = 0; i < 2; i++) {
        const lt_json *jl = lt_json_get(o, lims[i]);
        if (!jl) continue;
        join(sub, sizeof sub, path, ".", lims[i]);
        if (kind != LT_FACT_LAB) return fail(x, LT_ESCHEMA, sub, "only labs have a range");
        if (!lt_json_num(jl, &d)) {
            found(jl, f, sizeof f);
            return fail(x, LT_ESCHEMA, sub, "expected a number in %s; found %s", unit, f);
        }
        double c;
        if (lt__convert_limit(code, d, unit, &c)) {
            if (i)
                fact->high = c, fact->has_high = true;
            else
                fact->low = c, fact->has_low = true;
        }
    }
    if (fact->has_low && fact->has_high && fact->low > fact->high) {
        join(sub, sizeof sub, path, ".low", NULL);
        return fail(x, LT_ESCHEMA, sub, "the low limit is above the high limit");
    }
    const lt_json *jc = lt_json_get(o, "comparator");
    if (jc) {
        int cmp = lt__comparator_parse(lt_json_str(jc));
        join(sub, sizeof sub, path, ".comparator", NULL);
        if (cmp <= 0 || !quantity) {
            found(jc, f, sizeof f);
            return fail(x, LT_ESCHEMA, sub,
                        quantity ? "expected <, <=, > or >=; found %s"
                                 : "only a measured value has a comparator; "
                                   "found %s",
                        f);
        }
        fact->comparator = (char)cmp;
    }

    /* text, source and attributes */
    const lt_json *jt = lt_json_get(o, "text");
    if (jt) {
        if (!lt_json_str(jt)) {
            join(sub, sizeof sub, path, ".text", NULL);
            return fail(x, LT_ESCHEMA, sub, "expected a string");
        }
        if (!(fact->text = lt__arena_strdup(p, lt_json_str(jt)))) return nomem(x);
    }
    const char *src = lt_json_get_str(o, "source", NULL);
    if (!src) {
        join(sub, sizeof sub, x->source, ": ", path);
        src = sub;
    }
    if (!(fact->source = lt__arena_strdup(p, src))) return nomem(x);

    lt_attr attrs[MAX_ATTRS];
    size_t na = 0;
    for (const lt_json *m = lt_json_first(o); m; m = lt_json_next(m)) {
        const char *key = lt_json_key(m);
        if (is_common(key)) continue;
        join(sub, sizeof sub, path, ".", key);
        const lt__attr_spec *spec = lt__attr_find(kind, code, key);
        if (!spec)
            return fail(x, LT_ESCHEMA, sub,
                        "unknown member for a %s \"%s\" (misspelt? "
                        "site-specific attributes go in \"attrs\")",
                        lt_fact_kind_name(kind), code);
        if (na == MAX_ATTRS) return fail(x, LT_ESCHEMA, sub, "too many attributes");
        if ((st = read_attr(x, spec, m, sub, &attrs[na])) != LT_OK) return st;
        attrs[na++].key = key;
        if (!strcmp(key, "margin")) {
            /* the vocabulary's contract: a liver resection's text is its margin; a free-text
             * description given beside it is kept as the attribute "note" */
            const char *margin = attrs[na - 1].text;
            if (fact->text) {
                if (na == MAX_ATTRS) return fail(x, LT_ESCHEMA, sub, "too many attributes");
                attrs[na++] = (lt_attr){"note", fact->text, 0, false};
            }
            if (!(fact->text = lt__arena_strdup(p, margin))) return nomem(x);
        }
    }
    const lt_json *extra = lt_json_get(o, "attrs");
    if (extra && !lt_json_is_object(extra)) {
        join(sub, sizeof sub, path, ".attrs", NULL);
        return fail(x, LT_ESCHEMA, sub, "expected an object of attributes");
    }
    for (const lt_json *m = lt_json_first(extra); m; m = lt_json_next(m)) {
        join(sub, sizeof sub, path, ".attrs.", lt_json_key(m));
        if (na == MAX_ATTRS) return fail(x, LT_ESCHEMA, sub, "too many attributes");
        lt_attr *a = &attrs[na];
        memset(a, 0, sizeof *a);
        a->key = lt_json_key(m);
        if (lt_json_num(m, &d))
            a->num = d, a->has_num = true;
        else if (lt_json_bool(m, &b))
            a->text = b ? "yes" : "no";
        else if (lt_json_str(m))
            a->text = lt_json_str(m);
        else
            return fail(x, LT_ESCHEMA, sub, "expected a string, a number or true/false");
        na++;
    }
    if (!lt__fact_set_attrs(p, fact, attrs, na)) return nomem(x);
    return LT_OK;
}

static lt_status read_patient(ctx *x, const lt_json *o, const char *path)
{
    char sub[LT_ERROR_WHERE_MAX], f[96];
    if (!lt_json_is_object(o)) {
        found(o, f, sizeof f);
        return fail(x, LT_ESCHEMA, path, "expected a patient object; found %s", f);
    }
    /* every member must be known before anything is read */
    for (const lt_json *m = lt_json_first(o); m; m = lt_json_next(m)) {
        const char *key = lt_json_key(m);
        bool ok = !strcmp(key, "id") || !strcmp(key, "birth_date") || !strcmp(key, "sex") ||
                  !strcmp(key, "death_date") || !strcmp(key, "comment") || !strcmp(key, "format");
        for (size_t i = 0; !ok && i < sizeof arrays / sizeof arrays[0]; i++)
            ok = !strcmp(key, arrays[i].member);
        if (!ok) {
            join(sub, sizeof sub, path, *path ? "." : "", key);
            return fail(x, LT_ESCHEMA, sub,
                        "unknown member (expected id, birth_date, sex, "
                        "death_date, comment, labs, vitals, performance, diagnoses, procedures, "
                        "imaging, treatments, status or attestations)");
        }
    }
    const lt_json *jid = lt_json_get(o, "id");
    const char *id = lt_json_str(jid);
    join(sub, sizeof sub, path, *path ? ".id" : "id", NULL);
    if (!id || !*id) {
        found(jid, f, sizeof f);
        return fail(x, LT_ESCHEMA, jid ? sub : path,
                    "expected an \"id\" string naming the patient; found %s", f);
    }
    /* a "\u0000" is refused by the JSON layer (it would cut the id short); the other
     * control characters are refused here */
    if (!lt__id_ok(id))
        return fail(x, LT_ESCHEMA, sub,
                    "expected an id without control characters (NUL, tab, newline); found one");
    lt_patient *p = lt__cohort_patient(x->c, id, x->source);
    if (!p) return nomem(x);
    /* this record's demographics, checked against an earlier record of the same id */
    lt_date birth = LT_DATE_NONE, death = LT_DATE_NONE;
    lt_sex sex = LT_SEX_UNKNOWN;
    lt_status st;
    char bpath[LT_ERROR_WHERE_MAX], dpath[LT_ERROR_WHERE_MAX];
    join(bpath, sizeof bpath, path, *path ? ".birth_date" : "birth_date", NULL);
    lt_date birth_latest = LT_DATE_NONE;
    if ((st = get_date_span(x, lt_json_get(o, "birth_date"), bpath, &birth, &birth_latest)) !=
        LT_OK)
        return st;
    join(dpath, sizeof dpath, path, *path ? ".death_date" : "death_date", NULL);
    if ((st = get_date(x, lt_json_get(o, "death_date"), dpath, &death)) != LT_OK) return st;
    const lt_json *jsex = lt_json_get(o, "sex");
    join(sub, sizeof sub, path, *path ? ".sex" : "sex", NULL);
    if (jsex) {
        const char *s = lt_json_str(jsex);
        static const char *const names[] = {"unknown", "female", "male", "other"};
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, names[i])) k = i;
        if (k < 0) {
            found(jsex, f, sizeof f);
            return fail(x, LT_ESCHEMA, sub, "expected female, male, other or unknown; found %s", f);
        }
        sex = (lt_sex)k;
    }
    char d1[LT_DATE_STR_MAX], d2[LT_DATE_STR_MAX];
    if (p->birth_date != LT_DATE_NONE && birth != LT_DATE_NONE && p->birth_date != birth)
        return fail(x, LT_ECONFLICT, bpath, "patient %s has birth dates %s and %s", id,
                    lt_date_format(p->birth_date, d1), lt_date_format(birth, d2));
    if (p->death_date != LT_DATE_NONE && death != LT_DATE_NONE && p->death_date != death)
        return fail(x, LT_ECONFLICT, dpath, "patient %s has death dates %s and %s", id,
                    lt_date_format(p->death_date, d1), lt_date_format(death, d2));
    if (p->sex != LT_SEX_UNKNOWN && sex != LT_SEX_UNKNOWN && p->sex != sex)
        return fail(x, LT_ECONFLICT, sub, "patient %s is recorded with two different sexes", id);
    if (birth != LT_DATE_NONE && death != LT_DATE_NONE && death < birth)
        return fail(x, LT_ESCHEMA, dpath, "the death date %s is before the birth date %s",
                    lt_date_format(death, d1), lt_date_format(birth, d2));
    if (birth != LT_DATE_NONE) p->birth_date = birth;
    if (birth_latest != LT_DATE_NONE) p->birth_date_latest = birth_latest;
    if (death != LT_DATE_NONE) {
        p->death_date = death;
        p->deceased = true;
    }
    if (sex != LT_SEX_UNKNOWN) p->sex = sex;

    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) {
        const lt_json *arr = lt_json_get(o, arrays[a].member);
        if (!arr) continue;
        join(sub, sizeof sub, path, *path ? "." : "", arrays[a].member);
        if (!lt_json_is_array(arr)) {
            found(arr, f, sizeof f);
            return fail(x, LT_ESCHEMA, sub, "expected an array of facts; found %s", f);
        }
        size_t i = 0;
        for (const lt_json *e = lt_json_first(arr); e; e = lt_json_next(e), i++) {
            char fp[LT_ERROR_WHERE_MAX], num[32];
            snprintf(num, sizeof num, "[%zu]", i);
            join(fp, sizeof fp, sub, num, NULL);
            if ((st = read_fact(x, p, arrays[a].kind, e, fp)) != LT_OK) return st;
        }
    }
    return LT_OK;
}

lt_status lt__read_native(lt_cohort *c, const lt_json *root, const char *text, size_t len,
                          const char *source, lt_error *err)
{
    ctx x = {c, text, len, source, err};
    if (lt_json_is_array(root)) {
        size_t i = 0;
        for (const lt_json *e = lt_json_first(root); e; e = lt_json_next(e), i++) {
            char path[32];
            snprintf(path, sizeof path, "[%zu]", i);
            lt_status st = read_patient(&x, e, path);
            if (st != LT_OK) return st;
        }
        if (i == 0) return fail(&x, LT_ESCHEMA, "", "an empty array: expected patient objects");
        return LT_OK;
    }
    return read_patient(&x, root, "");
}
