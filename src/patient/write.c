/* The writer of Lutetia's own patient format: a patient read from any source (native JSON,
 * FHIR, CSV lab exports) written back as one native object that the native reader reads to the
 * same facts. The trial store keeps a screened patient's facts this way, so that they are
 * entered once and a later screening adds to them (docs/conduct.md, "Data entered once"). */
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "lutetia/buf.h"

static const char *const sex_names[] = {"unknown", "female", "male", "other"};

/* The native array a kind's facts go in, as native.c reads them. */
static const char *const kind_arrays[LT_FACT_KIND_COUNT] = {
    [LT_FACT_LAB] = "labs",
    [LT_FACT_DIAGNOSIS] = "diagnoses",
    [LT_FACT_PROCEDURE] = "procedures",
    [LT_FACT_IMAGING] = "imaging",
    [LT_FACT_TREATMENT] = "treatments",
    [LT_FACT_PERFORMANCE] = "performance",
    [LT_FACT_STATUS] = "status",
    [LT_FACT_ATTESTATION] = "attestations",
    [LT_FACT_VITAL] = "vitals",
};

static void date_member(lt_buf *b, const char *key, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE) return;
    lt_buf_printf(b, ",\"%s\":\"%s\"", key, lt_date_format(d, s));
}

/* A date with the span a partial one allows: "1974" or "1974-06" when [d, latest] is that
 * whole year or month (FHIR's precision, which the native reader reads back as a span). */
static void span_member(lt_buf *b, const char *key, lt_date d, lt_date latest)
{
    int y, m, dd, ly, lm, ld;
    if (d == LT_DATE_NONE) return;
    if (latest == LT_DATE_NONE || latest == d) {
        date_member(b, key, d);
        return;
    }
    lt_date_to_ymd(d, &y, &m, &dd);
    lt_date_to_ymd(latest, &ly, &lm, &ld);
    if (dd == 1 && m == 1 && ly == y && lm == 12 && ld == 31)
        lt_buf_printf(b, ",\"%s\":\"%04d\"", key, y);
    else if (dd == 1 && ly == y && lm == m && lt_date_add_months(d, 1) == latest + 1)
        lt_buf_printf(b, ",\"%s\":\"%04d-%02d\"", key, y, m);
    else
        date_member(b, key, d); /* no span the format can say: its first day, as before */
}

static const char *comparator_text(char c)
{
    switch (c) {
    case '<':
        return "<";
    case '>':
        return ">";
    case 'l':
        return "<=";
    case 'g':
        return ">=";
    default:
        return NULL;
    }
}

/* One fact's members after "code", without its source: two facts with the same text here are
 * the same fact (the same lab sent twice), whatever file they came from. */
static void fact_body(const lt_fact *f, lt_buf *b)
{
    span_member(b, "date", f->date, f->date_latest);
    date_member(b, "end_date", f->end_date);
    bool quantity = lt__units_kind(f->code) != LT_FACT_KIND_COUNT;
    if (quantity && f->has_value) {
        /* the canonical value and unit: what the engine decided on, read back unchanged */
        lt_buf_puts(b, ",\"value\":");
        lt_buf_json_num(b, f->value);
        lt_buf_puts(b, ",\"unit\":");
        lt_buf_json_str(b, f->unit);
        if (f->has_low) lt_buf_puts(b, ",\"low\":"), lt_buf_json_num(b, f->low);
        if (f->has_high) lt_buf_puts(b, ",\"high\":"), lt_buf_json_num(b, f->high);
        const char *cmp = comparator_text(f->comparator);
        if (cmp) lt_buf_puts(b, ",\"comparator\":"), lt_buf_json_str(b, cmp);
    } else if (f->kind == LT_FACT_PERFORMANCE && f->has_value) {
        lt_buf_puts(b, ",\"value\":");
        lt_buf_json_num(b, f->value);
    } else if (f->kind == LT_FACT_STATUS || f->kind == LT_FACT_ATTESTATION) {
        lt_buf_puts(b, f->has_value ? (f->flag ? ",\"value\":true" : ",\"value\":false")
                                    : ",\"value\":null");
    }
    bool margin = false;
    for (size_t i = 0; i < f->nattrs; i++)
        margin = margin || !strcmp(f->attrs[i].key, "margin");
    /* a liver resection's text is its margin, written as the margin attribute below */
    if (f->text && !margin) lt_buf_puts(b, ",\"text\":"), lt_buf_json_str(b, f->text);
    size_t extra = 0;
    for (size_t i = 0; i < f->nattrs; i++) {
        const lt_attr *a = &f->attrs[i];
        if (!lt__attr_find(f->kind, f->code, a->key) || !strcmp(a->key, "note")) {
            extra++;
            continue;
        }
        lt_buf_printf(b, ",\"%s\":", a->key);
        if (a->has_num)
            lt_buf_json_num(b, a->num);
        else
            lt_buf_json_str(b, a->text);
    }
    if (margin) {
        /* the note the reader made of a text given beside the margin stays a note */
        for (size_t i = 0; i < f->nattrs; i++)
            if (!strcmp(f->attrs[i].key, "note") && f->attrs[i].text)
                lt_buf_puts(b, ",\"text\":"), lt_buf_json_str(b, f->attrs[i].text), extra--;
    }
    if (!extra) return;
    lt_buf_puts(b, ",\"attrs\":{");
    size_t k = 0;
    for (size_t i = 0; i < f->nattrs; i++) {
        const lt_attr *a = &f->attrs[i];
        if (lt__attr_find(f->kind, f->code, a->key) && strcmp(a->key, "note")) continue;
        if (margin && !strcmp(a->key, "note")) continue;
        lt_buf_puts(b, k++ ? "," : "");
        lt_buf_json_str(b, a->key);
        lt_buf_putc(b, ':');
        if (a->has_num)
            lt_buf_json_num(b, a->num);
        else
            lt_buf_json_str(b, a->text ? a->text : "");
    }
    lt_buf_putc(b, '}');
}

/* Whether the native reader can take the fact back as it is: a result that is not final, one
 * no body has, or one whose unit is unknown decides nothing (the engine reads it as unknown),
 * and the native format has no place for why; it is left out, and *left counts it. */
static bool writable(const lt_fact *f)
{
    /* a lab or vital without its value (a dataAbsentReason, an empty cell) has no native form:
     * the format needs its number; a yes/no not known and a PRRT cycle without its activity do */
    if ((f->kind == LT_FACT_LAB || f->kind == LT_FACT_VITAL) && !f->has_value) return false;
    return f->problem == LT_FACT_OK || f->problem == LT_FACT_NO_VALUE;
}

lt_status lt_patient_to_json(const lt_patient *p, lt_buf *b, size_t *left_out, lt_error *err)
{
    size_t left = 0;
    lt_buf_puts(b, "{\"id\":");
    lt_buf_json_str(b, p->id);
    span_member(b, "birth_date", p->birth_date, p->birth_date_latest);
    if (p->sex != LT_SEX_UNKNOWN && (unsigned)p->sex < 4)
        lt_buf_printf(b, ",\"sex\":\"%s\"", sex_names[p->sex]);
    date_member(b, "death_date", p->death_date);
    /* bodies already written, to leave out a fact a later source repeats */
    lt_buf seen = LT_BUF_INIT, one = LT_BUF_INIT;
    for (int k = 0; k < LT_FACT_KIND_COUNT; k++) {
        size_t n = 0;
        for (size_t i = 0; i < p->nfacts; i++) {
            const lt_fact *f = &p->facts[i];
            if ((int)f->kind != k) continue;
            if (!writable(f)) {
                left++;
                continue;
            }
            lt_buf_reset(&one);
            lt_buf_printf(&one, "\n%d\t%s", k, f->code);
            fact_body(f, &one);
            lt_buf_putc(&one, '\n');
            if (strstr(lt_buf_str(&seen), lt_buf_str(&one))) continue;
            lt_buf_puts(&seen, lt_buf_str(&one));
            lt_buf_printf(b, n++ ? ",{\"code\":" : ",\"%s\":[{\"code\":", kind_arrays[k]);
            lt_buf_json_str(b, f->code);
            fact_body(f, b);
            if (f->source) lt_buf_puts(b, ",\"source\":"), lt_buf_json_str(b, f->source);
            lt_buf_putc(b, '}');
        }
        if (n) lt_buf_putc(b, ']');
    }
    lt_buf_putc(b, '}');
    bool failed = lt_buf_failed(&seen) || lt_buf_failed(&one) || lt_buf_failed(b);
    lt_buf_free(&seen);
    lt_buf_free(&one);
    if (failed) LT_FAIL(err, LT_ENOMEM, "", "out of memory writing patient %s", p->id);
    if (left_out) *left_out = left;
    return LT_OK;
}
