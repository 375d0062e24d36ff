/* Adverse-event records: the CTCAE term and grade, seriousness, relatedness to the study
 * treatment, and the dates, with their checks and their JSON form for the trial store. */
#include <stdio.h>
#include <string.h>
#include "../dosing/dosing_internal.h"
#include "lutetia/safety.h"

static const char *const related_names[] = {
    [LT_RELATED_UNKNOWN] = "unknown",   [LT_RELATED_NOT] = "not_related",
    [LT_RELATED_UNLIKELY] = "unlikely", [LT_RELATED_POSSIBLE] = "possible",
    [LT_RELATED_PROBABLE] = "probable", [LT_RELATED_DEFINITE] = "definite",
};

const char *lt_relatedness_name(lt_relatedness r)
{
    return (unsigned)r <= LT_RELATED_DEFINITE ? related_names[r] : "unknown";
}

bool lt_relatedness_parse(const char *s, lt_relatedness *out)
{
    for (int i = 0; s && i <= LT_RELATED_DEFINITE; i++)
        if (!strcmp(s, related_names[i])) {
            *out = (lt_relatedness)i;
            return true;
        }
    return false;
}

lt_status lt_adverse_event_check(const lt_adverse_event *e, lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    const char *who = e->patient[0] ? e->patient : "adverse event";
    if (!e->term[0]) {
        snprintf(where, sizeof where, "%.100s: term", who);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a CTCAE term");
    }
    if (e->grade < 1 || e->grade > 5) {
        snprintf(where, sizeof where, "%.100s: %.100s: grade", who, e->term);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a CTCAE grade from 1 to 5, found %d", e->grade);
    }
    if (e->start == LT_DATE_NONE) {
        snprintf(where, sizeof where, "%.100s: %.100s: start", who, e->term);
        LT_FAIL(err, LT_ESCHEMA, where, "expected the onset date");
    }
    if (e->end != LT_DATE_NONE && e->end < e->start) {
        char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
        snprintf(where, sizeof where, "%.100s: %.100s: end", who, e->term);
        LT_FAIL(err, LT_ESCHEMA, where, "expected an end on or after the start %s, found %s",
                lt_date_format(e->start, a), lt_date_format(e->end, b));
    }
    return LT_OK;
}

bool lt_adverse_event_ongoing(const lt_adverse_event *e, lt_date d)
{
    return e->start != LT_DATE_NONE && e->start <= d && (e->end == LT_DATE_NONE || e->end >= d);
}

void lt_adverse_event_to_json(const lt_adverse_event *e, lt_buf *b)
{
    char d[LT_DATE_STR_MAX];
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, e->patient);
    lt_buf_puts(b, ",\"term\":");
    lt_buf_json_str(b, e->term);
    lt_buf_printf(b, ",\"grade\":%d,\"serious\":%s,\"related\":", e->grade,
                  e->serious ? "true" : "false");
    lt_buf_json_str(b, lt_relatedness_name(e->related));
    lt_buf_puts(b, ",\"start\":");
    lt_buf_json_str(b, e->start == LT_DATE_NONE ? NULL : lt_date_format(e->start, d));
    lt_buf_puts(b, ",\"end\":");
    lt_buf_json_str(b, e->end == LT_DATE_NONE ? NULL : lt_date_format(e->end, d));
    /* coded against the CTCAE term list (written only when coded, so that events recorded
     * before the list keep their documents) */
    if (e->meddra[0]) {
        lt_buf_puts(b, ",\"soc\":");
        lt_buf_json_str(b, e->soc);
        lt_buf_puts(b, ",\"meddra\":");
        lt_buf_json_str(b, e->meddra);
    }
    if (e->verbatim[0]) {
        lt_buf_puts(b, ",\"verbatim\":");
        lt_buf_json_str(b, e->verbatim);
    }
    lt_buf_putc(b, '}');
}

static lt_status get_date(const lt_json *v, const char *key, const char *src, lt_date *out,
                          lt_error *err)
{
    const lt_json *m = lt_json_get(v, key);
    *out = LT_DATE_NONE;
    if (!m || lt_json_is_null(m)) return LT_OK;
    if (!lt_json_str(m) || !lt_date_parse(lt_json_str(m), false, out)) {
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%s: %s", src, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a date YYYY-MM-DD, found %s",
                lt_json_str(m) ? lt_json_str(m) : "another type");
    }
    return LT_OK;
}

lt_status lt_adverse_event_from_json(const lt_json *v, const char *source, lt_adverse_event *out,
                                     lt_error *err)
{
    const char *src = source ? source : "<record>";
    char where[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v)) LT_FAIL(err, LT_ESCHEMA, src, "expected an adverse-event object");
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    double grade;
    lt_status st;
    if ((st = lt__dose_get_str(v, "patient", src, e.patient, sizeof e.patient, err)) ||
        (st = lt__dose_get_str(v, "term", src, e.term, sizeof e.term, err)) ||
        (st = lt__dose_get_num(v, "grade", src, &grade, err)) ||
        (st = lt__dose_get_bool(v, "serious", src, &e.serious, err)) ||
        (st = get_date(v, "start", src, &e.start, err)) ||
        (st = get_date(v, "end", src, &e.end, err)))
        return st;
    if (!(grade >= 1 && grade <= 5) || grade != (int)grade) {
        snprintf(where, sizeof where, "%s: grade", src);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a CTCAE grade from 1 to 5");
    }
    e.grade = (int)grade;
    const char *rel = lt_json_get_str(v, "related", "unknown");
    if (!lt_relatedness_parse(rel, &e.related)) {
        snprintf(where, sizeof where, "%s: related", src);
        LT_FAIL(err, LT_ESCHEMA, where,
                "expected not_related, unlikely, possible, probable, definite or unknown, "
                "found \"%s\"",
                rel);
    }
    if ((st = lt_adverse_event_check(&e, err)) != LT_OK) return st;
    *out = e;
    return LT_OK;
}
