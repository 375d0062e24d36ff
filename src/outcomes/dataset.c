/* Writing an endpoint's analysis dataset: the one place its text, CSV and JSON layouts are
 * defined, so the file-based `lutetia endpoints --events` and the trial store's form write the
 * same columns, and `lutetia analyse` reads either. */
#include <string.h>
#include "lutetia/outcomes.h"

static const char *stratum(const lt_outcome_record *r, const char *factor)
{
    for (size_t i = 0; i < r->nstrata; i++)
        if (!strcmp(r->strata[i].factor, factor)) return r->strata[i].level;
    return NULL;
}

static void header(const lt_endpoint_dataset *d, lt_dataset_format fmt, size_t events,
                   lt_buf *b)
{
    char c[LT_DATE_STR_MAX];
    switch (fmt) {
    case LT_DATASET_CSV:
        lt_buf_puts(b, "patient,arm");
        for (size_t m = 0; m < d->nfactors; m++) {
            lt_buf_putc(b, ',');
            lt_buf_csv_field(b, d->factors[m]);
        }
        lt_buf_puts(b, ",time,event,time_months,origin,end,reason");
        for (size_t k = 1; k < d->narms; k++) {
            lt_buf_puts(b, ",arm_");
            lt_buf_csv_field(b, d->arms[k]);
        }
        lt_buf_putc(b, '\n');
        break;
    case LT_DATASET_JSON:
        lt_buf_puts(b, "{\"protocol\":");
        lt_buf_json_str(b, d->protocol_id);
        lt_buf_puts(b, ",\"version\":");
        lt_buf_json_str(b, d->protocol_version);
        lt_buf_puts(b, ",\"endpoint\":");
        lt_buf_json_str(b, d->endpoint);
        lt_buf_puts(b, ",\"origin\":");
        lt_buf_json_str(b, d->origin);
        lt_buf_puts(b, ",\"time_unit\":\"days\",\"cutoff\":");
        lt_buf_json_str(b, d->cutoff == LT_DATE_NONE ? NULL : lt_date_format(d->cutoff, c));
        /* the arms by name, the reference (control) first: what a hazard ratio compares */
        lt_buf_puts(b, ",\"arms\":[");
        for (size_t k = 0; k < d->narms; k++) {
            lt_buf_puts(b, k ? ",{\"id\":" : "{\"id\":");
            lt_buf_json_str(b, d->arms[k]);
            lt_buf_puts(b, ",\"name\":");
            lt_buf_json_str(b, d->arm_names ? d->arm_names[k] : NULL);
            lt_buf_printf(b, ",\"reference\":%s}", k ? "false" : "true");
        }
        lt_buf_printf(b, "],\"n\":%zu,\"events\":%zu,\"rows\":[", d->n, events);
        break;
    case LT_DATASET_TEXT:
        lt_buf_printf(b, "%s (version %s), endpoint %s from %s: %zu patients, %zu events\n\n",
                      d->protocol_name ? d->protocol_name : "-",
                      d->protocol_version ? d->protocol_version : "-", d->endpoint, d->origin,
                      d->n, events);
        for (size_t k = 0; d->arm_names && k < d->narms; k++)
            lt_buf_printf(b, "%s%s = %s%s", k ? "; " : "arms: ", d->arms[k], d->arm_names[k],
                          k ? "" : " (the reference)");
        lt_buf_puts(b, d->arm_names && d->narms ? "\n\n" : "");
        lt_buf_printf(b, "%-12s %-4s %-10s %-10s %7s %7s  %s\n", "patient", "arm", "origin",
                      "end", "days", "months", "event");
        break;
    }
}

static void row(const lt_endpoint_dataset *d, size_t i, lt_dataset_format fmt, lt_buf *b)
{
    const lt_endpoint_row *r = &d->rows[i];
    const lt_outcome_record *rec = d->recs[i];
    char o[LT_DATE_STR_MAX], e[LT_DATE_STR_MAX];
    lt_date_format(r->origin, o);
    lt_date_format(r->end, e);
    double months = r->time / LT_DAYS_PER_MONTH;
    switch (fmt) {
    case LT_DATASET_CSV:
        lt_buf_csv_field(b, r->patient);
        lt_buf_putc(b, ',');
        lt_buf_csv_field(b, r->arm);
        for (size_t m = 0; m < d->nfactors; m++) {
            lt_buf_putc(b, ',');
            lt_buf_csv_field(b, stratum(rec, d->factors[m]));
        }
        lt_buf_printf(b, ",%.0f,%d,%.4f,%s,%s,", r->time, r->event, months, o, e);
        lt_buf_csv_field(b, r->reason);
        for (size_t k = 1; k < d->narms; k++)
            lt_buf_printf(b, ",%d", r->arm && !strcmp(r->arm, d->arms[k]));
        lt_buf_putc(b, '\n');
        break;
    case LT_DATASET_JSON: {
        lt_buf_puts(b, i ? ",{\"patient\":" : "{\"patient\":");
        lt_buf_json_str(b, r->patient);
        lt_buf_puts(b, ",\"arm\":");
        lt_buf_json_str(b, r->arm);
        lt_buf_puts(b, ",\"strata\":{");
        bool first = true;
        for (size_t m = 0; m < d->nfactors; m++) {
            const char *lv = stratum(rec, d->factors[m]);
            if (!lv) continue;
            if (!first) lt_buf_putc(b, ',');
            first = false;
            lt_buf_json_str(b, d->factors[m]);
            lt_buf_putc(b, ':');
            lt_buf_json_str(b, lv);
        }
        lt_buf_printf(b, "},\"time\":%.0f,\"event\":%d,\"time_months\":", r->time, r->event);
        lt_buf_json_num(b, months);
        lt_buf_puts(b, ",\"origin\":");
        lt_buf_json_str(b, o);
        lt_buf_puts(b, ",\"end\":");
        lt_buf_json_str(b, e);
        lt_buf_puts(b, ",\"reason\":");
        lt_buf_json_str(b, r->reason);
        lt_buf_putc(b, '}');
        break;
    }
    case LT_DATASET_TEXT:
        lt_buf_printf(b, "%-12s %-4s %-10s %-10s %7.0f %7.2f  %s%s%s\n", r->patient,
                      r->arm ? r->arm : "-", o, e, r->time, months,
                      r->event ? "" : "censored (", r->reason, r->event ? "" : ")");
        break;
    }
}

void lt_endpoint_dataset_write(const lt_endpoint_dataset *d, lt_dataset_format fmt, lt_buf *out)
{
    size_t events = 0;
    for (size_t i = 0; i < d->n; i++)
        events += d->rows[i].event != 0;
    header(d, fmt, events, out);
    for (size_t i = 0; i < d->n; i++)
        row(d, i, fmt, out);
    if (fmt == LT_DATASET_JSON) lt_buf_puts(out, "]}\n");
}
