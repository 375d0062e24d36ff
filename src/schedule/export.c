/* A calendar written out: as JSON for programs and the web page, and as iCalendar (RFC 5545)
 * for a coordinator's calendar application. */
#include <stdio.h>
#include <string.h>
#include "schedule_int.h"

static void json_date(lt_buf *b, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE)
        lt_buf_puts(b, "null");
    else
        lt_buf_json_str(b, lt_date_format(d, s));
}

void lt_calendar_to_json(const lt_calendar *c, lt_buf *b)
{
    lt_buf_puts(b, "{\"arm\":");
    lt_buf_json_str(b, c->arm);
    lt_buf_puts(b, ",\"stopped\":");
    json_date(b, c->stopped);
    lt_buf_puts(b, ",\"stopped_by\":");
    lt_buf_json_str(b, c->stopped_by);
    lt_buf_puts(b, ",\"visits\":[");
    for (size_t i = 0; i < c->n; i++) {
        const lt_visit *v = &c->visits[i];
        lt_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        lt_buf_json_str(b, v->id);
        lt_buf_puts(b, ",\"item\":");
        lt_buf_json_str(b, v->item);
        lt_buf_puts(b, ",\"kind\":");
        lt_buf_json_str(b, lt_sched_kind_name(v->kind));
        lt_buf_puts(b, ",\"label\":");
        lt_buf_json_str(b, v->label);
        lt_buf_puts(b, ",\"anchor\":");
        lt_buf_json_str(b, v->anchor);
        lt_buf_puts(b, ",\"anchor_date\":");
        json_date(b, v->anchor_date);
        lt_buf_puts(b, v->anchor_actual ? ",\"anchor_actual\":true,\"target\":"
                                        : ",\"anchor_actual\":false,\"target\":");
        json_date(b, v->target);
        lt_buf_puts(b, ",\"earliest\":");
        json_date(b, v->earliest);
        lt_buf_puts(b, ",\"latest\":");
        json_date(b, v->latest);
        lt_buf_puts(b, ",\"latest_delayed\":");
        json_date(b, v->latest_delayed);
        lt_buf_puts(b, ",\"delay_reason\":");
        lt_buf_json_str(b, v->delay_reason);
        lt_buf_puts(b, ",\"actual\":");
        json_date(b, v->actual);
        lt_buf_puts(b, ",\"actual_reason\":");
        lt_buf_json_str(b, v->actual_reason);
        lt_buf_puts(b, ",\"status\":");
        lt_buf_json_str(b, lt_visit_status_name(v->status));
        lt_buf_puts(b, v->deviation ? ",\"deviation\":true,\"note\":" : ",\"deviation\":false,\"note\":");
        lt_buf_json_str(b, v->note);
        lt_buf_puts(b, ",\"record\":");
        lt_buf_json_str(b, v->record);
        lt_buf_puts(b, ",\"not_before\":");
        json_date(b, v->not_before);
        lt_buf_puts(b, ",\"not_before_by\":");
        lt_buf_json_str(b, v->not_before_by);
        lt_buf_puts(b, v->clamped ? ",\"clamped\":true" : ",\"clamped\":false");
        /* only for a cycle a dose decision withheld: a calendar without one reads as before */
        if (v->withheld != LT_DATE_NONE && v->withheld_count > 0) {
            lt_buf_puts(b, ",\"withheld\":{\"date\":");
            json_date(b, v->withheld);
            lt_buf_puts(b, ",\"reason\":");
            lt_buf_json_str(b, v->withheld_reason);
            lt_buf_printf(b, ",\"times\":%d,\"discontinue\":%s}", v->withheld_count,
                          v->discontinue ? "true" : "false");
        }
        lt_buf_puts(b, "}");
    }
    lt_buf_puts(b, "],\"deviations\":[");
    bool first = true;
    for (size_t i = 0; i < c->n; i++)
        if (c->visits[i].deviation) {
            if (!first) lt_buf_putc(b, ',');
            lt_buf_json_str(b, c->visits[i].id);
            first = false;
        }
    lt_buf_puts(b, "]}\n");
}

/* Appends one content line, escaped as RFC 5545 3.3.11 TEXT when text is set (backslash,
 * semicolon, comma, newline), folded so that no line exceeds 75 octets without its CRLF
 * (3.1), never inside a UTF-8 sequence. */
static void ics_line(lt_buf *b, const char *name, const char *value, bool text)
{
    lt_buf line = LT_BUF_INIT;
    lt_buf_puts(&line, name);
    lt_buf_putc(&line, ':');
    for (const char *p = value ? value : ""; *p; p++) {
        if (text && (*p == '\\' || *p == ';' || *p == ',')) {
            lt_buf_putc(&line, '\\');
            lt_buf_putc(&line, *p);
        } else if (text && *p == '\n') {
            lt_buf_puts(&line, "\\n");
        } else if (*p != '\r') {
            lt_buf_putc(&line, *p);
        }
    }
    if (lt_buf_failed(&line)) {
        b->failed = true;
        lt_buf_free(&line);
        return;
    }
    const char *s = lt_buf_str(&line);
    size_t n = line.n, pos = 0, limit = 75;
    while (pos < n) {
        size_t take = n - pos < limit ? n - pos : limit;
        /* step back to a character boundary: continuation bytes are 10xxxxxx (a UTF-8
         * sequence is at most 4 bytes; text that is not UTF-8 is cut where it must be) */
        size_t cut = take;
        while (cut > 0 && take - cut < 3 && pos + cut < n &&
               ((unsigned char)s[pos + cut] & 0xC0) == 0x80)
            cut--;
        if (cut > 0) take = cut;
        lt_buf_put(b, s + pos, take);
        lt_buf_puts(b, "\r\n");
        pos += take;
        if (pos < n) lt_buf_putc(b, ' '); /* the fold's leading space counts in the next 75 */
        limit = 74;
    }
    if (n == 0) lt_buf_puts(b, "\r\n");
    lt_buf_free(&line);
}

/* 2026-01-10 -> 20260110 (RFC 5545 3.3.4 DATE) */
static void ics_date(char out[9], lt_date d)
{
    char s[LT_DATE_STR_MAX];
    lt_date_format(d, s);
    memcpy(out, s, 4);
    memcpy(out + 4, s + 5, 2);
    memcpy(out + 6, s + 8, 2);
    out[8] = '\0';
}

void lt_calendar_to_ics(const lt_calendar *c, const char *protocol, const char *patient,
                        lt_time stamp, lt_buf *b)
{
    char ts[LT_TIME_STR_MAX], stampv[20];
    lt_time_format(stamp, ts);
    /* 2026-01-10T08:00:00Z -> 20260110T080000Z (the basic form 3.3.5 requires) */
    snprintf(stampv, sizeof stampv, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11,
             ts + 14, ts + 17);
    ics_line(b, "BEGIN", "VCALENDAR", false);
    ics_line(b, "VERSION", "2.0", false);
    ics_line(b, "PRODID", "-//Lutetia//Trial calendar//EN", false);
    ics_line(b, "CALSCALE", "GREGORIAN", false);
    for (size_t i = 0; i < c->n; i++) {
        const lt_visit *v = &c->visits[i];
        if (v->status == LT_VISIT_CANCELLED || v->target == LT_DATE_NONE) continue;
        lt_date day = v->actual != LT_DATE_NONE ? v->actual : v->target;
        char d1[9], d2[9], a[LT_DATE_STR_MAX], z[LT_DATE_STR_MAX], t[LT_DATE_STR_MAX];
        ics_date(d1, day);
        ics_date(d2, day + 1);
        lt_buf tmp = LT_BUF_INIT;
        ics_line(b, "BEGIN", "VEVENT", false);
        lt_buf_printf(&tmp, "%s.%s@%s.lutetia", patient ? patient : "patient", v->id,
                      protocol ? protocol : "trial");
        ics_line(b, "UID", lt_buf_str(&tmp), true);
        ics_line(b, "DTSTAMP", stampv, false);
        ics_line(b, "DTSTART;VALUE=DATE", d1, false);
        ics_line(b, "DTEND;VALUE=DATE", d2, false);
        lt_buf_reset(&tmp);
        lt_buf_printf(&tmp, "%s: %s", patient ? patient : "patient", v->label);
        ics_line(b, "SUMMARY", lt_buf_str(&tmp), true);
        lt_buf_reset(&tmp);
        lt_buf_printf(&tmp, "%s %s (%s). Target %s, window %s to %s", protocol ? protocol : "",
                      v->id, lt_sched_kind_name(v->kind), lt_date_format(v->target, t),
                      lt_date_format(v->earliest, a), lt_date_format(v->latest, z));
        if (v->latest_delayed != LT_DATE_NONE)
            lt_buf_printf(&tmp, "; may be delayed for %s up to %s", v->delay_reason,
                          lt_date_format(v->latest_delayed, a));
        lt_buf_printf(&tmp, "; anchored to %s%s.", v->anchor,
                      v->anchor_actual ? "" : " (projected)");
        if (v->actual != LT_DATE_NONE)
            lt_buf_printf(&tmp, "\nDone %s: %s.", lt_date_format(v->actual, a),
                          lt_visit_status_name(v->status));
        if (v->note) lt_buf_printf(&tmp, "\n%s", v->note);
        ics_line(b, "DESCRIPTION", lt_buf_str(&tmp), true);
        ics_line(b, "CATEGORIES", lt_sched_kind_name(v->kind), true);
        ics_line(b, "TRANSP", "TRANSPARENT", false);
        ics_line(b, "END", "VEVENT", false);
        if (lt_buf_failed(&tmp)) b->failed = true;
        lt_buf_free(&tmp);
    }
    ics_line(b, "END", "VCALENDAR", false);
}
