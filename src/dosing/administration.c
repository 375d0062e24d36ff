/* One administration of a radiopharmaceutical: the record staff fill in, the administered
 * activity derived from it, and the checks (deviation from the prescription, somatostatin
 * analogue timing, amino-acid co-infusion) that become warnings to acknowledge with a reason. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dosing_internal.h"

const char *lt_route_name(lt_route r)
{
    switch (r) {
    case LT_ROUTE_INTRAVENOUS:
        return "intravenous";
    case LT_ROUTE_INTRA_ARTERIAL:
        return "intra_arterial";
    default:
        return "unknown";
    }
}

bool lt_route_parse(const char *s, lt_route *out)
{
    if (!s) return false;
    if (!strcmp(s, "intravenous") || !strcmp(s, "iv")) {
        *out = LT_ROUTE_INTRAVENOUS;
        return true;
    }
    if (!strcmp(s, "intra_arterial") || !strcmp(s, "intra-arterial") || !strcmp(s, "ia")) {
        *out = LT_ROUTE_INTRA_ARTERIAL;
        return true;
    }
    return false;
}

void lt_administration_init(lt_administration *a)
{
    memset(a, 0, sizeof *a);
    a->calibration_mbq = NAN;
    a->prescribed_mbq = NAN;
    a->before_mbq = NAN;
    a->residual_mbq = NAN;
    a->calibration_time = a->before_time = a->residual_time = LT_DOSE_NO_TIME;
    a->infusion_start = a->infusion_end = LT_DOSE_NO_TIME;
    a->amino_start = a->amino_end = LT_DOSE_NO_TIME;
    a->last_ssa_long = a->last_ssa_short = LT_DOSE_NO_TIME;
}

void lt_dose_rules_default(lt_dose_rules *r)
{
    r->tolerance = 0.10;          /* project choice, see docs: no label gives one */
    r->ssa_long_days = 28.0;      /* label: long-acting SSA stopped >= 4 weeks before */
    r->ssa_short_hours = 24.0;    /* label: short-acting SSA stopped >= 24 h before */
    r->amino_lead_minutes = 30.0; /* US and EU: amino acids start 30 min before */
    r->amino_tail_hours = 3.0;    /* US: continue >= 3 h after the Lutathera infusion */
}

lt_status lt_dose_rules_from_json(const lt_json *dosing, const char *source, lt_dose_rules *r,
                                  lt_error *err)
{
    lt_dose_rules tmp = *r;
    const struct {
        const char *key;
        double *field;
        double min, max;
    } keys[] = {
        {"activity_tolerance", &tmp.tolerance, 0.0, 1.0},
        {"ssa_long_stop_days", &tmp.ssa_long_days, 0.0, 365.0},
        {"ssa_short_stop_hours", &tmp.ssa_short_hours, 0.0, 720.0},
        {"amino_acid_lead_minutes", &tmp.amino_lead_minutes, 0.0, 600.0},
        {"amino_acid_tail_hours", &tmp.amino_tail_hours, 0.0, 48.0},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const lt_json *v = lt_json_get(dosing, keys[i].key);
        if (!v) continue;
        double x;
        if (!lt_json_num(v, &x) || x < keys[i].min || x > keys[i].max) {
            char where[LT_ERROR_WHERE_MAX];
            snprintf(where, sizeof where, "%s: dosing.%s", source ? source : "<protocol>",
                     keys[i].key);
            LT_FAIL(err, LT_ESCHEMA, where, "expected a number from %g to %g", keys[i].min,
                    keys[i].max);
        }
        *keys[i].field = x;
    }
    *r = tmp;
    return LT_OK;
}

static const char *ack_reason(const lt_administration *a, const char *code)
{
    for (size_t i = 0; i < a->nacks; i++)
        if (!strcmp(a->acks[i].code, code)) return a->acks[i].reason;
    return NULL;
}

static void warn(lt_administration_result *r, const lt_administration *a, const char *code,
                 const char *fmt, ...) LT_PRINTF(4, 5);

static void warn(lt_administration_result *r, const lt_administration *a, const char *code,
                 const char *fmt, ...)
{
    if (r->nwarnings >= LT_DOSE_MAX_WARNINGS) return; /* fewer codes exist than slots */
    lt_dose_warning *w = &r->warnings[r->nwarnings++];
    snprintf(w->code, sizeof w->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
    w->reason = ack_reason(a, code);
    if (!w->reason) r->unacknowledged++;
}

#define REQUIRE(cond, field, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(where, sizeof where, "%s cycle %d: %s",                                       \
                     a->patient[0] ? a->patient : "administration", a->cycle, field);              \
            LT_FAIL(err, LT_ESCHEMA, where, __VA_ARGS__);                                          \
        }                                                                                          \
    } while (0)

lt_status lt_administration_evaluate(const lt_administration *a, const lt_nuclide_table *nuclides,
                                     const lt_dose_rules *rules, lt_administration_result *out,
                                     lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    char t1[LT_TIME_STR_MAX], t2[LT_TIME_STR_MAX];
    lt_dose_rules defaults;
    if (!rules) {
        lt_dose_rules_default(&defaults);
        rules = &defaults;
    }
    const lt_nuclide *n = lt_nuclide_find(nuclides, a->nuclide);
    REQUIRE(n, "nuclide", "expected a nuclide from the nuclide table, found \"%s\"", a->nuclide);
    REQUIRE(a->cycle >= 1, "cycle", "expected a cycle number of 1 or more, found %d", a->cycle);
    REQUIRE(a->route != LT_ROUTE_UNKNOWN, "route", "expected intravenous or intra_arterial");
    REQUIRE(a->prescribed_mbq > 0 && isfinite(a->prescribed_mbq), "prescribed_mbq",
            "expected a positive prescribed activity in MBq");
    REQUIRE(a->before_mbq > 0 && isfinite(a->before_mbq), "before_mbq",
            "expected the positive activity measured before the infusion, in MBq");
    REQUIRE(a->residual_mbq >= 0 && isfinite(a->residual_mbq), "residual_mbq",
            "expected the residual activity measured after the infusion (0 or more MBq)");
    REQUIRE(a->before_time != LT_DOSE_NO_TIME, "before_time",
            "expected the time the activity before was measured");
    REQUIRE(a->residual_time != LT_DOSE_NO_TIME, "residual_time",
            "expected the time the residual was measured");
    REQUIRE(a->infusion_start != LT_DOSE_NO_TIME, "infusion_start",
            "expected the infusion start time");
    REQUIRE(a->infusion_end != LT_DOSE_NO_TIME, "infusion_end", "expected the infusion end time");
    REQUIRE(a->infusion_end >= a->infusion_start, "infusion_end",
            "expected an end at or after the start %s, found %s",
            lt_time_format(a->infusion_start, t1), lt_time_format(a->infusion_end, t2));
    REQUIRE(a->before_time <= a->infusion_start, "before_time",
            "expected a measurement at or before the infusion start %s, found %s",
            lt_time_format(a->infusion_start, t1), lt_time_format(a->before_time, t2));
    REQUIRE(a->residual_time >= a->infusion_end, "residual_time",
            "expected a measurement at or after the infusion end %s, found %s",
            lt_time_format(a->infusion_end, t1), lt_time_format(a->residual_time, t2));
    REQUIRE(!isfinite(a->calibration_mbq) ||
                (a->calibration_mbq > 0 && a->calibration_time != LT_DOSE_NO_TIME),
            "calibration_time", "a calibration activity needs a positive value and its time");
    REQUIRE(a->last_ssa_long == LT_DOSE_NO_TIME || a->last_ssa_long <= a->infusion_start,
            "last_ssa_long",
            "expected the last long-acting injection before this infusion, "
            "found %s after it",
            lt_time_format(a->last_ssa_long, t1));
    REQUIRE(a->last_ssa_short == LT_DOSE_NO_TIME || a->last_ssa_short <= a->infusion_start,
            "last_ssa_short",
            "expected the last short-acting dose before this infusion, "
            "found %s after it",
            lt_time_format(a->last_ssa_short, t1));

    lt_administration_result r;
    memset(&r, 0, sizeof r);
    /* Both measurements are brought to the administration time (the infusion start) so that
     * their difference is the activity the patient received at that time (DOMAIN.md). */
    r.before_at_admin_mbq = lt_decay(n, a->before_mbq, a->before_time, a->infusion_start);
    r.residual_at_admin_mbq = lt_decay(n, a->residual_mbq, a->residual_time, a->infusion_start);
    REQUIRE(r.residual_at_admin_mbq <= r.before_at_admin_mbq, "residual_mbq",
            "the residual (%.1f MBq at the infusion start) exceeds the activity before "
            "(%.1f MBq at the infusion start)",
            r.residual_at_admin_mbq, r.before_at_admin_mbq);
    r.administered_mbq = r.before_at_admin_mbq - r.residual_at_admin_mbq;
    r.calibration_at_admin_mbq =
        isfinite(a->calibration_mbq)
            ? lt_decay(n, a->calibration_mbq, a->calibration_time, a->infusion_start)
            : NAN;
    r.deviation = (r.administered_mbq - a->prescribed_mbq) / a->prescribed_mbq;
    r.deviation_flagged = fabs(r.deviation) > rules->tolerance;

    if (r.deviation_flagged)
        warn(&r, a, "activity_deviation",
             "administered %.0f MBq is %.1f%% %s the prescribed %.0f MBq (tolerance %.0f%%)",
             r.administered_mbq, fabs(r.deviation) * 100, r.deviation < 0 ? "below" : "above",
             a->prescribed_mbq, rules->tolerance * 100);

    /* Somatostatin analogues compete for the receptor: label, "stop long-acting >= 4 weeks
     * before each dose; stop short-acting >= 24 h before each dose". */
    if (a->last_ssa_long != LT_DOSE_NO_TIME) {
        double days = (double)(a->infusion_start - a->last_ssa_long) / 86400.0;
        if (days < rules->ssa_long_days)
            warn(&r, a, "ssa_long_too_close",
                 "last long-acting somatostatin analogue %s, %.1f days before the infusion; "
                 "stop it at least %.0f days before",
                 lt_time_format(a->last_ssa_long, t1), days, rules->ssa_long_days);
    } else if (!a->no_ssa_long) {
        warn(&r, a, "ssa_long_unrecorded",
             "the last long-acting somatostatin analogue injection is not recorded (it must be "
             "at least %.0f days before the infusion)",
             rules->ssa_long_days);
    }
    if (a->last_ssa_short != LT_DOSE_NO_TIME) {
        double hours = (double)(a->infusion_start - a->last_ssa_short) / 3600.0;
        if (hours < rules->ssa_short_hours)
            warn(&r, a, "ssa_short_too_close",
                 "last short-acting somatostatin analogue %s, %.1f h before the infusion; "
                 "stop it at least %.0f h before",
                 lt_time_format(a->last_ssa_short, t1), hours, rules->ssa_short_hours);
    } else if (!a->no_ssa_short) {
        warn(&r, a, "ssa_short_unrecorded",
             "the last short-acting somatostatin analogue dose is not recorded (it must be at "
             "least %.0f h before the infusion)",
             rules->ssa_short_hours);
    }

    /* Amino acids protect the kidneys: start 30 min before, run during and >= 3 h after. */
    if (!a->amino_acids) {
        warn(&r, a, "amino_acids_missing", "no amino-acid co-infusion is recorded");
    } else {
        if (a->amino_start != LT_DOSE_NO_TIME) {
            double lead = (double)(a->infusion_start - a->amino_start) / 60.0;
            if (lead < rules->amino_lead_minutes)
                warn(&r, a, "amino_acids_late",
                     "amino acids started %.0f min before the infusion; expected at least %.0f",
                     lead, rules->amino_lead_minutes);
        }
        if (a->amino_end != LT_DOSE_NO_TIME) {
            double tail = (double)(a->amino_end - a->infusion_end) / 3600.0;
            if (tail < rules->amino_tail_hours)
                warn(&r, a, "amino_acids_short",
                     "amino acids ran %.1f h after the infusion ended; expected at least %.1f h",
                     tail, rules->amino_tail_hours);
        }
    }
    *out = r;
    return LT_OK;
}

lt_status lt_administration_acknowledge(lt_administration *a, const char *code, const char *reason,
                                        lt_error *err)
{
    if (!code || !code[0] || strlen(code) >= LT_DOSE_CODE_MAX)
        LT_FAIL(err, LT_EINVAL, "code", "expected a warning code");
    if (!reason || !reason[0]) LT_FAIL(err, LT_EINVAL, code, "an acknowledgement needs a reason");
    if (strlen(reason) >= LT_DOSE_TEXT_MAX)
        LT_FAIL(err, LT_EINVAL, code, "the reason is longer than %d characters",
                LT_DOSE_TEXT_MAX - 1);
    lt_dose_ack *slot = NULL;
    for (size_t i = 0; i < a->nacks; i++)
        if (!strcmp(a->acks[i].code, code)) slot = &a->acks[i];
    if (!slot) {
        if (a->nacks >= LT_DOSE_MAX_ACKS)
            LT_FAIL(err, LT_ECONFLICT, code, "the record already holds %d acknowledgements",
                    LT_DOSE_MAX_ACKS);
        slot = &a->acks[a->nacks++];
    }
    snprintf(slot->code, sizeof slot->code, "%s", code);
    snprintf(slot->reason, sizeof slot->reason, "%s", reason);
    return LT_OK;
}

void lt_administration_ssa_from_patient(lt_administration *a, const lt_patient *p)
{
    lt_date limit =
        a->infusion_start != LT_DOSE_NO_TIME ? lt_time_date(a->infusion_start) : LT_DATE_NONE;
    static const char *const codes[2] = {"somatostatin_analogue_long",
                                         "somatostatin_analogue_short"};
    for (int k = 0; k < 2; k++) {
        lt_date best = LT_DATE_NONE;
        for (size_t i = 0; i < p->nfacts; i++) {
            const lt_fact *f = &p->facts[i];
            if (f->kind != LT_FACT_TREATMENT || strcmp(f->code, codes[k])) continue;
            lt_date d = f->end_date != LT_DATE_NONE ? f->end_date : f->date;
            if (d == LT_DATE_NONE || (limit != LT_DATE_NONE && d > limit)) continue;
            if (best == LT_DATE_NONE || d > best) best = d;
        }
        if (best == LT_DATE_NONE) continue;
        /* A date without a time: the long-acting check takes the start of that day (days are
         * what matter), the short-acting one its last second, so a dose that day or the day
         * before is never wrongly passed as 24 h away. */
        lt_time t = (lt_time)best * 86400 + (k == 0 ? 0 : 86399);
        if (k == 0)
            a->last_ssa_long = t;
        else
            a->last_ssa_short = t;
    }
}

void lt_administration_to_json(const lt_administration *a, lt_buf *b)
{
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, a->patient);
    lt_buf_printf(b, ",\"cycle\":%d,\"nuclide\":", a->cycle);
    lt_buf_json_str(b, a->nuclide);
    lt_buf_puts(b, ",\"route\":");
    lt_buf_json_str(b, lt_route_name(a->route));
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "prescribed_mbq", a->prescribed_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "calibration_mbq", a->calibration_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "calibration_time", a->calibration_time);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "before_mbq", a->before_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "before_time", a->before_time);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "residual_mbq", a->residual_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "residual_time", a->residual_time);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "infusion_start", a->infusion_start);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "infusion_end", a->infusion_end);
    lt_buf_printf(b, ",\"amino_acids\":%s,", a->amino_acids ? "true" : "false");
    lt__dose_put_time(b, "amino_start", a->amino_start);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "amino_end", a->amino_end);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "last_ssa_long", a->last_ssa_long);
    lt_buf_putc(b, ',');
    lt__dose_put_time(b, "last_ssa_short", a->last_ssa_short);
    lt_buf_printf(b, ",\"no_ssa_long\":%s,\"no_ssa_short\":%s,\"acknowledgements\":[",
                  a->no_ssa_long ? "true" : "false", a->no_ssa_short ? "true" : "false");
    for (size_t i = 0; i < a->nacks; i++) {
        lt_buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
        lt_buf_json_str(b, a->acks[i].code);
        lt_buf_puts(b, ",\"reason\":");
        lt_buf_json_str(b, a->acks[i].reason);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}");
}

lt_status lt_administration_from_json(const lt_json *v, const char *source, lt_administration *out,
                                      lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v))
        LT_FAIL(err, LT_ESCHEMA, source ? source : "<record>", "expected an administration object");
    lt_administration a;
    lt_administration_init(&a);
    lt_status st;
    double cycle;
    if ((st = lt__dose_get_str(v, "patient", source, a.patient, sizeof a.patient, err)) ||
        (st = lt__dose_get_str(v, "nuclide", source, a.nuclide, sizeof a.nuclide, err)) ||
        (st = lt__dose_get_num(v, "cycle", source, &cycle, err)) ||
        (st = lt__dose_get_num(v, "prescribed_mbq", source, &a.prescribed_mbq, err)) ||
        (st = lt__dose_get_num(v, "calibration_mbq", source, &a.calibration_mbq, err)) ||
        (st = lt__dose_get_time(v, "calibration_time", source, &a.calibration_time, err)) ||
        (st = lt__dose_get_num(v, "before_mbq", source, &a.before_mbq, err)) ||
        (st = lt__dose_get_time(v, "before_time", source, &a.before_time, err)) ||
        (st = lt__dose_get_num(v, "residual_mbq", source, &a.residual_mbq, err)) ||
        (st = lt__dose_get_time(v, "residual_time", source, &a.residual_time, err)) ||
        (st = lt__dose_get_time(v, "infusion_start", source, &a.infusion_start, err)) ||
        (st = lt__dose_get_time(v, "infusion_end", source, &a.infusion_end, err)) ||
        (st = lt__dose_get_bool(v, "amino_acids", source, &a.amino_acids, err)) ||
        (st = lt__dose_get_time(v, "amino_start", source, &a.amino_start, err)) ||
        (st = lt__dose_get_time(v, "amino_end", source, &a.amino_end, err)) ||
        (st = lt__dose_get_time(v, "last_ssa_long", source, &a.last_ssa_long, err)) ||
        (st = lt__dose_get_time(v, "last_ssa_short", source, &a.last_ssa_short, err)) ||
        (st = lt__dose_get_bool(v, "no_ssa_long", source, &a.no_ssa_long, err)) ||
        (st = lt__dose_get_bool(v, "no_ssa_short", source, &a.no_ssa_short, err)))
        return st;
    if (!isfinite(cycle) || cycle != floor(cycle) || cycle < 1 || cycle > 1000) {
        snprintf(where, sizeof where, "%s: cycle", source ? source : "<record>");
        LT_FAIL(err, LT_ESCHEMA, where, "expected a whole cycle number from 1");
    }
    a.cycle = (int)cycle;
    const char *route = lt_json_get_str(v, "route", NULL);
    if (!lt_route_parse(route, &a.route)) {
        snprintf(where, sizeof where, "%s: route", source ? source : "<record>");
        LT_FAIL(err, LT_ESCHEMA, where, "expected \"intravenous\" or \"intra_arterial\", found %s",
                route ? route : "nothing");
    }
    const lt_json *acks = lt_json_get(v, "acknowledgements");
    if (acks && !lt_json_is_null(acks)) {
        if (!lt_json_is_array(acks) || lt_json_size(acks) > LT_DOSE_MAX_ACKS) {
            snprintf(where, sizeof where, "%s: acknowledgements", source ? source : "<record>");
            LT_FAIL(err, LT_ESCHEMA, where, "expected an array of at most %d {code, reason}",
                    LT_DOSE_MAX_ACKS);
        }
        size_t i = 0;
        for (const lt_json *k = lt_json_first(acks); k; k = lt_json_next(k), i++) {
            char src[LT_ERROR_WHERE_MAX];
            snprintf(src, sizeof src, "%s: acknowledgements[%zu]", source ? source : "<record>", i);
            lt_dose_ack *ack = &a.acks[i];
            if ((st = lt__dose_get_str(k, "code", src, ack->code, sizeof ack->code, err)) ||
                (st = lt__dose_get_str(k, "reason", src, ack->reason, sizeof ack->reason, err)))
                return st;
            if (!ack->code[0] || !ack->reason[0])
                LT_FAIL(err, LT_ESCHEMA, src, "expected a non-empty code and reason");
            a.nacks = i + 1;
        }
    }
    *out = a;
    return LT_OK;
}

void lt_administration_result_to_json(const lt_administration_result *r, lt_buf *b)
{
    lt_buf_putc(b, '{');
    lt__dose_put_num(b, "before_at_admin_mbq", r->before_at_admin_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "residual_at_admin_mbq", r->residual_at_admin_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "administered_mbq", r->administered_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "calibration_at_admin_mbq", r->calibration_at_admin_mbq);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "deviation", r->deviation);
    lt_buf_printf(b, ",\"deviation_flagged\":%s,\"unacknowledged\":%zu,\"warnings\":[",
                  r->deviation_flagged ? "true" : "false", r->unacknowledged);
    for (size_t i = 0; i < r->nwarnings; i++) {
        const lt_dose_warning *w = &r->warnings[i];
        lt_buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
        lt_buf_json_str(b, w->code);
        lt_buf_puts(b, ",\"message\":");
        lt_buf_json_str(b, w->message);
        lt_buf_printf(b, ",\"acknowledged\":%s,\"reason\":", w->reason ? "true" : "false");
        lt_buf_json_str(b, w->reason);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}");
}
