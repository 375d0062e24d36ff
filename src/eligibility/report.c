/* Presenting a screening: the JSON document `lutetia screen --json` prints and the readable
 * report for a coordinator, plus the stable names of statuses and verdicts. */
#include <stdio.h>
#include <string.h>
#include "internal.h"

const char *lt_verdict_name(lt_verdict v)
{
    switch (v) {
    case LT_VERDICT_ELIGIBLE:
        return "eligible";
    case LT_VERDICT_INELIGIBLE:
        return "ineligible";
    case LT_VERDICT_NEEDS_REVIEW:
        return "needs_review";
    }
    return "?";
}

const char *lt_tri_name(lt_tri t)
{
    return t == LT_MET ? "met" : t == LT_NOT_MET ? "not_met" : "unknown";
}

lt_verdict lt_screening_verdict(const lt_screening *s)
{
    return s->verdict;
}
const char *lt_screening_patient(const lt_screening *s)
{
    return s->patient->id;
}
const char *lt_screening_protocol(const lt_screening *s)
{
    return lt_protocol_name(s->protocol);
}
const char *lt_screening_version(const lt_screening *s)
{
    return lt_protocol_version(s->protocol);
}
lt_date lt_screening_as_of(const lt_screening *s)
{
    return s->as_of;
}
size_t lt_screening_count(const lt_screening *s)
{
    return s->nresults;
}
const lt_criterion_result *lt_screening_result(const lt_screening *s, size_t i)
{
    return i < s->nresults ? &s->results[i] : NULL;
}

static const char *cmp_text(char c)
{
    return c == '<' ? "<" : c == '>' ? ">" : c == 'l' ? "<=" : c == 'g' ? ">=" : "";
}

static void evidence_json(const lt_evidence *x, lt_buf *b)
{
    char d[LT_DATE_STR_MAX];
    lt_buf_puts(b, "{\"concept\":");
    lt_buf_json_str(b, x->concept);
    lt_buf_puts(b, ",\"kind\":");
    lt_buf_json_str(b, x->kind);
    if (x->has_value) {
        lt_buf_puts(b, ",\"value\":");
        lt_buf_json_num(b, x->value);
        lt_buf_puts(b, ",\"unit\":");
        lt_buf_json_str(b, x->unit);
    }
    if (x->comparator) {
        lt_buf_puts(b, ",\"comparator\":");
        lt_buf_json_str(b, cmp_text(x->comparator));
    }
    if (x->has_given && x->given_unit) {
        lt_buf_puts(b, ",\"given\":{\"value\":");
        lt_buf_json_num(b, x->given_value);
        lt_buf_puts(b, ",\"unit\":");
        lt_buf_json_str(b, x->given_unit);
        lt_buf_putc(b, '}');
    }
    if (x->text) {
        lt_buf_puts(b, ",\"text\":");
        lt_buf_json_str(b, x->text);
    }
    lt_buf_puts(b, ",\"date\":");
    lt_buf_json_str(b, x->date == LT_DATE_NONE ? NULL : lt_date_format(x->date, d));
    lt_buf_puts(b, ",\"source\":");
    lt_buf_json_str(b, x->source);
    if (x->note) {
        lt_buf_puts(b, ",\"note\":");
        lt_buf_json_str(b, x->note);
    }
    lt_buf_putc(b, '}');
}

void lt_screening_json(const lt_screening *s, lt_buf *b)
{
    char d[LT_DATE_STR_MAX];
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, s->patient->id);
    lt_buf_puts(b, ",\"protocol\":");
    lt_buf_json_str(b, lt_protocol_name(s->protocol));
    lt_buf_puts(b, ",\"version\":");
    lt_buf_json_str(b, lt_protocol_version(s->protocol));
    lt_buf_puts(b, ",\"as_of\":");
    lt_buf_json_str(b, lt_date_format(s->as_of, d));
    /* the birth date screened on, so that a profile recorded later cannot contradict it */
    lt_buf_puts(b, ",\"birth_date\":");
    if (s->patient->birth_date != LT_DATE_NONE && s->patient->birth_date_latest == LT_DATE_NONE)
        lt_buf_json_str(b, lt_date_format(s->patient->birth_date, d));
    else
        lt_buf_puts(b, "null");
    if (s->patient->birth_date_latest != LT_DATE_NONE) {
        /* a partial birth date is no date to hold a recorded profile to: its span instead */
        char l[LT_DATE_STR_MAX];
        lt_buf_printf(b, ",\"birth_date_between\":[\"%s\",\"%s\"]",
                      lt_date_format(s->patient->birth_date, d),
                      lt_date_format(s->patient->birth_date_latest, l));
    }
    lt_buf_puts(b, ",\"verdict\":");
    lt_buf_json_str(b, lt_verdict_name(s->verdict));
    if (s->deceased) { /* the reason for the verdict that no criterion gives */
        lt_buf_puts(b, ",\"deceased\":{\"date\":");
        if (s->patient->death_date != LT_DATE_NONE)
            lt_buf_json_str(b, lt_date_format(s->patient->death_date, d));
        else
            lt_buf_puts(b, "null");
        lt_buf_puts(b, ",\"reason\":\"DECEASED\"}");
    }
    lt_buf_puts(b, ",\"criteria\":[");
    for (size_t i = 0; i < s->nresults; i++) {
        const lt_criterion_result *r = &s->results[i];
        if (i) lt_buf_putc(b, ',');
        lt_buf_puts(b, "{\"id\":");
        lt_buf_json_str(b, r->id);
        lt_buf_puts(b, ",\"kind\":");
        lt_buf_json_str(b, r->exclusion ? "exclusion" : "inclusion");
        if (r->criterion->part_of) {
            lt_buf_puts(b, ",\"part_of\":");
            lt_buf_json_str(b, r->criterion->part_of);
        }
        lt_buf_puts(b, ",\"status\":");
        lt_buf_json_str(b, lt_tri_name(r->status));
        lt_buf_puts(b, ",\"reason\":");
        lt_buf_json_str(b, r->reason);
        lt_buf_puts(b, ",\"text\":");
        lt_buf_json_str(b, r->criterion->text);
        lt_buf_puts(b, ",\"evidence\":[");
        for (size_t j = 0; j < r->nevidence; j++) {
            if (j) lt_buf_putc(b, ',');
            evidence_json(&r->evidence[j], b);
        }
        lt_buf_puts(b, "]}");
    }
    lt_buf_puts(b, "]}");
}

/* What a criterion's status means for the verdict, in a coordinator's words. */
static const char *effect(const lt_criterion_result *r)
{
    if (r->criterion->part_of) return "(part)"; /* counts through its parent */
    if (r->status == LT_UNKNOWN) return "REVIEW";
    bool bad = r->exclusion ? r->status == LT_MET : r->status == LT_NOT_MET;
    return bad ? "FAILS" : "ok";
}

void lt_screening_text(const lt_screening *s, lt_buf *b)
{
    char d[LT_DATE_STR_MAX];
    const char *v = s->verdict == LT_VERDICT_ELIGIBLE     ? "ELIGIBLE"
                    : s->verdict == LT_VERDICT_INELIGIBLE ? "INELIGIBLE"
                                                          : "NEEDS REVIEW";
    lt_buf_printf(b, "%s: %s (%s version %s, as of %s)\n", s->patient->id ? s->patient->id : "?", v,
                  lt_protocol_name(s->protocol), lt_protocol_version(s->protocol),
                  lt_date_format(s->as_of, d));
    if (s->deceased) {
        if (s->patient->death_date != LT_DATE_NONE)
            lt_buf_printf(b, "  DECEASED on %s: a patient who has died is never eligible\n",
                          lt_date_format(s->patient->death_date, d));
        else
            lt_buf_puts(b, "  DECEASED (date not recorded): a patient who has died is never "
                           "eligible\n");
    }
    for (size_t i = 0; i < s->nresults; i++) {
        const lt_criterion_result *r = &s->results[i];
        /* the criterion's text, shortened to 60 bytes without splitting a UTF-8 character */
        const char *t = r->criterion->text;
        int cut = (int)strlen(t);
        if (cut > 60) {
            cut = 60;
            while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
                cut--;
        }
        lt_buf_printf(b, "  %-6s %-6s %-9s %-7s %-19s %.*s%s\n", r->id,
                      r->exclusion ? "excl" : "incl", lt_tri_name(r->status), effect(r), r->reason,
                      cut, t, t[cut] ? "..." : "");
        for (size_t j = 0; j < r->nevidence; j++) {
            const lt_evidence *x = &r->evidence[j];
            lt_buf_printf(b, "           - %s", x->concept ? x->concept : "");
            bool yesno = x->kind && (!strcmp(x->kind, "status") || !strcmp(x->kind, "attestation"));
            if (x->has_value && yesno)
                lt_buf_puts(b, x->value != 0 ? " yes" : " no");
            else if (x->has_value)
                lt_buf_printf(b, " %s%g%s%s", cmp_text(x->comparator), x->value,
                              x->unit && x->unit[0] ? " " : "", x->unit ? x->unit : "");
            if (x->has_given && x->given_unit && x->unit && strcmp(x->given_unit, x->unit))
                lt_buf_printf(b, " (given %g %s)", x->given_value, x->given_unit);
            if (x->text) lt_buf_printf(b, " %s", x->text);
            if (x->date != LT_DATE_NONE) lt_buf_printf(b, " on %s", lt_date_format(x->date, d));
            if (x->note) lt_buf_printf(b, ": %s", x->note);
            if (x->source) lt_buf_printf(b, " [%s]", x->source);
            lt_buf_putc(b, '\n');
        }
    }
}
