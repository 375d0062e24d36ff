/* Reading and validating a protocol's `schedule` member: anchors, items keyed by id (so that a
 * version's merge patch can change one item alone), repeats and the events that stop the
 * calendar. Every error names the JSON path of the offending value. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/patient.h"
#include "schedule_int.h"

void lt__sched_pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, LT_ERROR_WHERE_MAX, fmt, ap);
    va_end(ap);
}

static const char *const kind_names[LT_SCHED_KIND_COUNT] = {
    "treatment", "visit", "imaging", "questionnaire", "sample", "end_of_study", "lab",
};

const char *lt_sched_kind_name(lt_sched_kind k)
{
    if ((unsigned)k >= LT_SCHED_KIND_COUNT) return NULL;
    return kind_names[k];
}

static int kind_from_name(const char *s)
{
    for (int i = 0; s && i < LT_SCHED_KIND_COUNT; i++)
        if (!strcmp(s, kind_names[i])) return i;
    return -1;
}

lt_date lt_sched_duration_add(lt_date date, lt_sched_duration d)
{
    if (date == LT_DATE_NONE) return LT_DATE_NONE;
    if (d.months) date = lt_date_add_months(date, d.months);
    return date + d.days;
}

lt_date lt_sched_duration_sub(lt_date date, lt_sched_duration d)
{
    if (date == LT_DATE_NONE) return LT_DATE_NONE;
    if (d.months) date = lt_date_add_months(date, -d.months);
    return date - d.days;
}

/* Formats where + path into buf for error places. */
static const char *at(char *buf, const char *where, const char *path)
{
    pathf(buf, "%s%s", where ? where : "schedule", path);
    return buf;
}

/* Rejects members other than those listed, so a misspelt key ("ofset") is an error rather than
 * a silently ignored rule. */
static lt_status only_keys(const lt_json *obj, const char *const *keys, const char *where,
                           const char *path, lt_error *err)
{
    for (const lt_json *m = lt_json_first(obj); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        bool known = !strncmp(k, "comment", 7); /* free text for reviewers, as everywhere */
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(k, keys[i])) known = true;
        if (!known) {
            char w[LT_ERROR_WHERE_MAX], p[LT_ERROR_WHERE_MAX];
            pathf(p, "%s.%s", path, k);
            char list[256] = "";
            for (size_t i = 0; keys[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, keys[i], sizeof list - strlen(list) - 1);
            }
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "unknown member \"%s\"; expected one of %s",
                    k, list);
        }
    }
    return LT_OK;
}

/* A duration object: {"days": n, "weeks": n, "months": n, "years": n}, whole numbers, at least
 * one member. allow_negative for offsets (a sample taken before the anchor). */
static lt_status parse_duration(const lt_json *v, const char *where, const char *path,
                                bool allow_negative, lt_sched_duration *out, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v) || lt_json_size(v) == 0)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path),
                "expected a duration such as {\"weeks\": 8}, found %s", lt_json_kind(v));
    static const char *const keys[] = {"days", "weeks", "months", "years", NULL};
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    lt_sched_duration d = {0, 0};
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        double x;
        char p[LT_ERROR_WHERE_MAX];
        pathf(p, "%s.%s", path, k);
        if (!lt_json_num(m, &x) || x != floor(x) || fabs(x) > 100000)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "expected a whole number of %s, found %s", k,
                    lt_json_is_number(m) ? "a fraction or a huge number" : lt_json_kind(m));
        if (x < 0 && !allow_negative)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "expected a number >= 0, found %g", x);
        int n = (int)x;
        if (!strcmp(k, "days"))
            d.days += n;
        else if (!strcmp(k, "weeks"))
            d.days += 7 * n;
        else if (!strcmp(k, "months"))
            d.months += n;
        else
            d.months += 12 * n;
    }
    *out = d;
    return LT_OK;
}

/* Approximate length in days, only to order durations of one item against each other. */
static double approx_days(lt_sched_duration d)
{
    return d.months * LT_DAYS_PER_MONTH + d.days;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static lt_status oom(lt_error *err, const char *where)
{
    LT_FAIL(err, LT_ENOMEM, where ? where : "", "out of memory while reading the schedule");
}

static lt_status parse_kinds(const lt_json *v, const char *where, const char *path, unsigned *mask,
                             lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_array(v))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path),
                "expected an array of item kinds (\"treatment\", \"imaging\", ...), found %s",
                lt_json_kind(v));
    unsigned m = 0;
    size_t i = 0;
    for (const lt_json *e = lt_json_first(v); e; e = lt_json_next(e), i++) {
        int k = kind_from_name(lt_json_str(e));
        if (k < 0) {
            char p[LT_ERROR_WHERE_MAX];
            pathf(p, "%s[%zu]", path, i);
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected treatment, visit, lab, imaging, questionnaire, sample or end_of_study, "
                    "found %s%s%s",
                    lt_json_str(e) ? "\"" : "", lt_json_str(e) ? lt_json_str(e) : lt_json_kind(e),
                    lt_json_str(e) ? "\"" : "");
        }
        m |= 1u << k;
    }
    *mask = m;
    return LT_OK;
}

/* An optional array of non-empty names (not_before, analytes, modalities). */
static lt_status parse_names(const lt_json *v, const char *where, const char *path,
                             const char *what, char ***out, size_t *n, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
    if (!v) return LT_OK;
    if (!lt_json_is_array(v) || lt_json_size(v) == 0)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path), "expected a non-empty array of %s, found %s",
                what, lt_json_kind(v));
    size_t k = lt_json_size(v), i = 0;
    if (!(*out = calloc(k, sizeof **out))) return oom(err, where);
    for (const lt_json *e = lt_json_first(v); e; e = lt_json_next(e), i++) {
        const char *x = lt_json_str(e);
        pathf(q, "%s[%zu]", path, i);
        if (!x || !*x)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q), "expected one of %s, found %s", what,
                    x ? "an empty text" : lt_json_kind(e));
        if (!((*out)[i] = dupstr(x))) return oom(err, where);
        *n = i + 1;
    }
    return LT_OK;
}

/* delay.withheld: {"recheck": DURATION, "labs": {"before", "after"}, "analytes": [...],
 * "note", "source", "assumption"}; only treatment items (a cycle is withheld by a dose
 * decision). The re-check labs must fall after the decision: before < recheck. */
static lt_status parse_withheld(lt__sched_item *it, const lt_json *v, const char *where,
                                const char *path, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX], p[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
    if (!v) return LT_OK;
    if (it->kind != LT_SCHED_TREATMENT)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path),
                "\"withheld\" is for items of kind treatment (a dose decision withholds a cycle), "
                "found kind %s",
                kind_names[it->kind]);
    if (!lt_json_is_object(v))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path),
                "expected {\"recheck\": DURATION, \"labs\": {\"before\": DURATION, \"after\": "
                "DURATION}, \"analytes\": [...]}, found %s",
                lt_json_kind(v));
    static const char *const keys[] = {"recheck", "labs",       "analytes", "note",
                                       "source",  "assumption", NULL};
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;
    pathf(p, "%s.recheck", path);
    if ((rc = parse_duration(lt_json_get(v, "recheck"), where, p, false, &it->recheck, err)))
        return rc;
    if (approx_days(it->recheck) < 1)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected a re-check interval of at least one day, found none");
    if (approx_days(it->recheck) >= approx_days(it->delay_max))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected a re-check interval shorter than the maximum delay (max), found one "
                "as long");
    const lt_json *labs = lt_json_get(v, "labs");
    pathf(p, "%s.labs", path);
    if (!lt_json_is_object(labs))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected {\"before\": DURATION, \"after\": DURATION}, found %s",
                lt_json_kind(labs));
    static const char *const wkeys[] = {"before", "after", NULL};
    if ((rc = only_keys(labs, wkeys, where, p, err))) return rc;
    pathf(q, "%s.before", p);
    if ((rc = parse_duration(lt_json_get(labs, "before"), where, q, false, &it->recheck_before,
                             err)))
        return rc;
    if (approx_days(it->recheck_before) >= approx_days(it->recheck))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                "expected the re-check labs to open after the decision (before < recheck), "
                "found before >= recheck");
    pathf(q, "%s.after", p);
    if ((rc = parse_duration(lt_json_get(labs, "after"), where, q, false, &it->recheck_after, err)))
        return rc;
    const lt_json *as = lt_json_get(v, "assumption");
    bool flag;
    pathf(p, "%s.assumption", path);
    if (as && !lt_json_bool(as, &flag))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "expected true or false, found %s",
                lt_json_kind(as));
    pathf(p, "%s.analytes", path);
    if ((rc = parse_names(lt_json_get(v, "analytes"), where, p, "analyte concepts (\"platelets\")",
                          &it->recheck_analytes, &it->nrecheck_analytes, err)))
        return rc;
    for (size_t j = 0; j < it->nrecheck_analytes; j++)
        if (!lt_units_canonical(it->recheck_analytes[j])) {
            pathf(q, "%s[%zu]", p, j);
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                    "expected a lab concept of docs/patient-format.md (\"platelets\", "
                    "\"hemoglobin\", ...), found \"%s\"",
                    it->recheck_analytes[j]);
        }
    it->has_recheck = true;
    return LT_OK;
}

static lt_status parse_item(lt__sched_item *it, const lt_json *v, const char *where,
                            const char *const *arms, size_t narms, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX], path[LT_ERROR_WHERE_MAX], p[LT_ERROR_WHERE_MAX];
    pathf(path, ".items.%s", it->id);
    if (!lt_json_is_object(v))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, path), "expected an object, found %s", lt_json_kind(v));
    static const char *const keys[] = {"kind",   "label",  "arms",       "anchor",
                                       "offset", "window", "delay",      "repeat",
                                       "source", "note",   "not_before", "analytes",
                                       "modalities", NULL};
    lt_status rc = only_keys(v, keys, where, path, err);
    if (rc) return rc;

    pathf(p, "%s.kind", path);
    int k = kind_from_name(lt_json_get_str(v, "kind", NULL));
    if (k < 0)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected treatment, visit, lab, imaging, questionnaire, sample or end_of_study, "
                "found %s",
                lt_json_get(v, "kind") ? lt_json_kind(lt_json_get(v, "kind")) : "nothing");
    it->kind = (lt_sched_kind)k;

    const lt_json *label = lt_json_get(v, "label");
    pathf(p, "%s.label", path);
    if (!lt_json_str(label) || !*lt_json_str(label))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "expected a non-empty text, found %s",
                lt_json_kind(label));
    if (!(it->label = dupstr(lt_json_str(label)))) return oom(err, where);

    const lt_json *anchor = lt_json_get(v, "anchor");
    pathf(p, "%s.anchor", path);
    if (!lt_json_str(anchor) || !*lt_json_str(anchor))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected the name of an anchor event or of another item, found %s",
                lt_json_kind(anchor));
    if (!(it->anchor = dupstr(lt_json_str(anchor)))) return oom(err, where);

    pathf(p, "%s.offset", path);
    rc = parse_duration(lt_json_get(v, "offset"), where, p, true, &it->offset, err);
    if (rc) return rc;

    const lt_json *win = lt_json_get(v, "window");
    pathf(p, "%s.window", path);
    if (!lt_json_is_object(win))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "expected {\"before\": DURATION, \"after\": DURATION}, found %s", lt_json_kind(win));
    static const char *const wkeys[] = {"before", "after", NULL};
    if ((rc = only_keys(win, wkeys, where, p, err))) return rc;
    char q[LT_ERROR_WHERE_MAX];
    pathf(q, "%s.before", p);
    if ((rc = parse_duration(lt_json_get(win, "before"), where, q, false, &it->before, err)))
        return rc;
    pathf(q, "%s.after", p);
    if ((rc = parse_duration(lt_json_get(win, "after"), where, q, false, &it->after, err)))
        return rc;

    const lt_json *delay = lt_json_get(v, "delay");
    if (delay) {
        pathf(p, "%s.delay", path);
        if (!lt_json_is_object(delay))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected {\"max\": DURATION from the anchor, \"reason\": TEXT}, found %s",
                    lt_json_kind(delay));
        static const char *const dkeys[] = {"max", "reason", "source", "withheld", NULL};
        if ((rc = only_keys(delay, dkeys, where, p, err))) return rc;
        pathf(q, "%s.max", p);
        if ((rc = parse_duration(lt_json_get(delay, "max"), where, q, false, &it->delay_max, err)))
            return rc;
        lt_sched_duration latest = {it->offset.months + it->after.months,
                                    it->offset.days + it->after.days};
        if (approx_days(it->delay_max) <= approx_days(latest))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                    "expected a maximum delay beyond the end of the window (offset + after), "
                    "found one that ends inside it");
        const lt_json *reason = lt_json_get(delay, "reason");
        pathf(q, "%s.reason", p);
        if (!lt_json_str(reason) || !*lt_json_str(reason))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                    "expected the reason a delay is allowed for (\"toxicity\"), found %s",
                    lt_json_kind(reason));
        if (!(it->delay_reason = dupstr(lt_json_str(reason)))) return oom(err, where);
        it->has_delay = true;
        pathf(q, "%s.withheld", p);
        if ((rc = parse_withheld(it, lt_json_get(delay, "withheld"), where, q, err))) return rc;
    }

    it->count = 1;
    const lt_json *rep = lt_json_get(v, "repeat");
    if (rep) {
        pathf(p, "%s.repeat", path);
        if (!lt_json_is_object(rep))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected {\"every\": DURATION, \"until\": DURATION} or "
                    "{\"every\": DURATION, \"count\": N}, found %s",
                    lt_json_kind(rep));
        static const char *const rkeys[] = {"every", "until", "count", NULL};
        if ((rc = only_keys(rep, rkeys, where, p, err))) return rc;
        pathf(q, "%s.every", p);
        if ((rc = parse_duration(lt_json_get(rep, "every"), where, q, false, &it->every, err)))
            return rc;
        if (approx_days(it->every) <= 0)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q), "expected an interval longer than 0 days");
        const lt_json *until = lt_json_get(rep, "until"), *count = lt_json_get(rep, "count");
        if ((until != NULL) == (count != NULL))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected exactly one of \"until\" (the last occurrence's offset from the "
                    "anchor) and \"count\"");
        if (count) {
            double n;
            pathf(q, "%s.count", p);
            if (!lt_json_num(count, &n) || n != floor(n) || n < 1 || n > 1000)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                        "expected a whole number from 1 to 1000, found %s", lt_json_kind(count));
            it->count = (int)n;
        } else {
            lt_sched_duration u;
            pathf(q, "%s.until", p);
            if ((rc = parse_duration(until, where, q, true, &u, err))) return rc;
            /* Occurrence k is at offset + k * every; count those not beyond until. Offsets
             * in one unit (all months, or all days) compare exactly. */
            int n = 0;
            while (n < 1000) {
                lt_sched_duration o = {it->offset.months + n * it->every.months,
                                       it->offset.days + n * it->every.days};
                if (approx_days(o) > approx_days(u) + 1e-9) break;
                n++;
            }
            if (n == 0)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                        "expected \"until\" at or after the first occurrence (\"offset\")");
            it->count = n;
        }
    }

    const lt_json *av = lt_json_get(v, "arms");
    if (av) {
        pathf(p, "%s.arms", path);
        if (!lt_json_is_array(av) || lt_json_size(av) == 0)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected a non-empty array of arm ids, found %s", lt_json_kind(av));
        it->narms = lt_json_size(av);
        if (!(it->arms = calloc(it->narms, sizeof *it->arms))) return oom(err, where);
        size_t i = 0;
        for (const lt_json *e = lt_json_first(av); e; e = lt_json_next(e), i++) {
            const char *a = lt_json_str(e);
            pathf(q, "%s[%zu]", p, i);
            bool known = narms == 0 && a;
            for (size_t j = 0; a && j < narms; j++)
                if (!strcmp(a, arms[j])) known = true;
            if (!known)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                        "expected one of the protocol's arm ids, found %s%s%s", a ? "\"" : "",
                        a ? a : lt_json_kind(e), a ? "\"" : "");
            if (!(it->arms[i] = dupstr(a))) return oom(err, where);
        }
    }
    pathf(p, "%s.not_before", path);
    if ((rc = parse_names(lt_json_get(v, "not_before"), where, p,
                          "anchor events or item ids the entries may not precede", &it->not_before,
                          &it->nnot_before, err)))
        return rc;
    pathf(p, "%s.analytes", path);
    if (lt_json_get(v, "analytes") && it->kind != LT_SCHED_LAB)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "\"analytes\" is for items of kind lab, found kind %s", kind_names[it->kind]);
    if ((rc = parse_names(lt_json_get(v, "analytes"), where, p, "analyte concepts (\"platelets\")",
                          &it->analytes, &it->nanalytes, err)))
        return rc;
    /* a misspelt analyte would leave the entry never done: refuse it here */
    for (size_t j = 0; j < it->nanalytes; j++)
        if (!lt_units_canonical(it->analytes[j])) {
            pathf(q, "%s[%zu]", p, j);
            LT_FAIL(err, LT_ESCHEMA, at(w, where, q),
                    "expected a lab concept of docs/patient-format.md (\"platelets\", "
                    "\"hemoglobin\", ...), found \"%s\"",
                    it->analytes[j]);
        }
    pathf(p, "%s.modalities", path);
    if (lt_json_get(v, "modalities") && it->kind != LT_SCHED_IMAGING)
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "\"modalities\" is for items of kind imaging, found kind %s", kind_names[it->kind]);
    if ((rc = parse_names(lt_json_get(v, "modalities"), where, p, "modalities (\"ct\", \"mri\")",
                          &it->modalities, &it->nmodalities, err)))
        return rc;
    if (lt_json_get(v, "source")) {
        pathf(p, "%s.source", path);
        if (!lt_json_str(lt_json_get(v, "source")))
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected the quoted source sentence, "
                    "found %s",
                    lt_json_kind(lt_json_get(v, "source")));
    }
    return LT_OK;
}

bool lt__sched_item_in_arm(const lt__sched_item *it, const char *arm)
{
    if (it->narms == 0) return true;
    if (!arm) return false;
    for (size_t i = 0; i < it->narms; i++)
        if (!strcmp(it->arms[i], arm)) return true;
    return false;
}

const lt__sched_item *lt__sched_find(const lt_schedule *s, const char *id)
{
    for (size_t i = 0; i < s->nitems; i++)
        if (!strcmp(s->items[i].id, id)) return &s->items[i];
    return NULL;
}

static bool is_anchor(const lt_schedule *s, const char *name)
{
    /* name is never NULL: parse_item refuses an item without an anchor before linking; the
     * analyser cannot see that lt_json_size and lt_json_first agree on the item count */
    for (size_t i = 0; i < s->nanchors; i++)
        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
        if (!strcmp(s->anchors[i], name)) return true;
    return false;
}

/* Checks that item anchors exist, are single occurrences reaching every arm of the items that
 * use them, and form no cycle; then orders items so that anchors come before their users. */
static lt_status link_items(lt_schedule *s, const char *where, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX], p[LT_ERROR_WHERE_MAX];
    for (size_t i = 0; i < s->nitems; i++) {
        lt__sched_item *it = &s->items[i];
        for (size_t j = 0; j < it->nnot_before; j++) {
            const char *nb = it->not_before[j];
            const lt__sched_item *a = lt__sched_find(s, nb);
            pathf(p, ".items.%s.not_before[%zu]", it->id, j);
            if (!is_anchor(s, nb) && !a)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                        "expected an anchor event or an item id, found \"%s\"", nb);
            if (a && a->count != 1)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                        "expected a single item, found \"%s\" which repeats %d times", a->id,
                        a->count);
            if (a == it)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "an item cannot wait for itself");
        }
        pathf(p, ".items.%s.anchor", it->id);
        if (is_anchor(s, it->anchor)) continue;
        const lt__sched_item *a = lt__sched_find(s, it->anchor);
        if (!a) {
            char list[256] = "";
            for (size_t j = 0; j < s->nanchors; j++) {
                strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, s->anchors[j], sizeof list - strlen(list) - 1);
            }
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected an anchor event (%s) or an item id, found \"%s\"", list, it->anchor);
        }
        if (a == it)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p), "an item cannot be anchored to itself");
        if (a->count != 1)
            LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                    "expected a single item as anchor, found \"%s\" which repeats %d times", a->id,
                    a->count);
        if (a->narms) {
            if (it->narms == 0)
                LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                        "\"%s\" is in every arm but its anchor \"%s\" is not", it->id, a->id);
            for (size_t j = 0; j < it->narms; j++)
                if (!lt__sched_item_in_arm(a, it->arms[j]))
                    LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                            "\"%s\" is in arm %s but its anchor \"%s\" is not", it->id, it->arms[j],
                            a->id);
        }
    }
    /* Order: repeatedly take items whose anchor is an event or an item already taken. */
    size_t *order = malloc(s->nitems * sizeof *order + 1);
    bool *taken = calloc(s->nitems + 1, sizeof *taken);
    if (!order || !taken) {
        free(order);
        free(taken);
        return oom(err, where);
    }
    size_t n = 0;
    bool progress = true;
    while (n < s->nitems && progress) {
        progress = false;
        for (size_t i = 0; i < s->nitems; i++) {
            if (taken[i]) continue;
            const lt__sched_item *a = lt__sched_find(s, s->items[i].anchor);
            if (a && !taken[a - s->items]) continue;
            /* an item it may not precede is placed first too, so its date is known */
            bool wait = false;
            for (size_t j = 0; j < s->items[i].nnot_before && !wait; j++) {
                const lt__sched_item *nb = lt__sched_find(s, s->items[i].not_before[j]);
                wait = nb && !taken[nb - s->items];
            }
            if (wait) continue;
            taken[i] = true;
            order[n++] = i;
            progress = true;
        }
    }
    if (n < s->nitems) {
        size_t bad = 0;
        while (taken[bad])
            bad++;
        free(order);
        free(taken);
        pathf(p, ".items.%s.anchor", s->items[bad].id);
        LT_FAIL(err, LT_ESCHEMA, at(w, where, p),
                "items are anchored to each other in a cycle (through \"%s\")",
                s->items[bad].anchor);
    }
    free(taken);
    s->order = order;
    return LT_OK;
}

static lt_status set_arms(lt_schedule *s, const char *const *arms, size_t narms)
{
    if (!narms) return LT_OK;
    char **a = calloc(narms, sizeof *a);
    if (!a) return LT_ENOMEM;
    for (size_t i = 0; i < narms; i++)
        if (!(a[i] = strdup(arms[i]))) {
            for (size_t j = 0; j < i; j++)
                free(a[j]);
            free(a);
            return LT_ENOMEM;
        }
    s->arm_ids = a;
    s->narm_ids = narms;
    return LT_OK;
}

lt_status lt_schedule_parse(const lt_json *section, const char *where, const char *const *arms,
                            size_t narms, lt_schedule **out, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(section))
        LT_FAIL(err, LT_ESCHEMA, at(w, where, ""), "expected the schedule object, found %s",
                lt_json_kind(section));
    static const char *const keys[] = {"anchors", "items", "stops", "note", NULL};
    lt_status rc = only_keys(section, keys, where, "", err);
    if (rc) return rc;
    lt_schedule *s = calloc(1, sizeof *s);
    if (!s) return oom(err, where);

    const lt_json *anchors = lt_json_get(section, "anchors");
    if (!lt_json_is_object(anchors) || lt_json_size(anchors) == 0) {
        rc = lt_error_set(err, LT_ESCHEMA, at(w, where, ".anchors"),
                          "expected an object naming the anchor events (\"liver_resection\": "
                          "{\"label\": ...}), found %s",
                          lt_json_kind(anchors));
        goto fail;
    }
    s->nanchors = lt_json_size(anchors);
    if (!(s->anchors = calloc(s->nanchors, sizeof *s->anchors))) goto nomem;
    size_t i = 0;
    for (const lt_json *m = lt_json_first(anchors); m; m = lt_json_next(m), i++)
        if (!(s->anchors[i] = dupstr(lt_json_key(m)))) goto nomem;

    const lt_json *items = lt_json_get(section, "items");
    if (!lt_json_is_object(items) || lt_json_size(items) == 0) {
        rc = lt_error_set(err, LT_ESCHEMA, at(w, where, ".items"),
                          "expected an object of items keyed by id, found %s", lt_json_kind(items));
        goto fail;
    }
    s->nitems = lt_json_size(items);
    if (!(s->items = calloc(s->nitems, sizeof *s->items))) goto nomem;
    i = 0;
    for (const lt_json *m = lt_json_first(items); m; m = lt_json_next(m), i++) {
        const char *id = lt_json_key(m);
        char p[LT_ERROR_WHERE_MAX];
        pathf(p, ".items.%s", id);
        if (!*id || strpbrk(id, " .,;:\\\"\r\n\t")) {
            rc = lt_error_set(err, LT_ESCHEMA, at(w, where, p),
                              "expected an item id of letters, digits, '_' or '-', found \"%s\"",
                              id);
            goto fail;
        }
        if (is_anchor(s, id)) {
            rc = lt_error_set(err, LT_ESCHEMA, at(w, where, p),
                              "\"%s\" is both an anchor event and an item id", id);
            goto fail;
        }
        if (!(s->items[i].id = dupstr(id))) goto nomem;
        if ((rc = parse_item(&s->items[i], m, where, arms, narms, err))) goto fail;
    }

    const lt_json *stops = lt_json_get(section, "stops");
    if (stops) {
        if (!lt_json_is_object(stops)) {
            rc = lt_error_set(err, LT_ESCHEMA, at(w, where, ".stops"),
                              "expected an object keyed by event (\"recurrence\"), found %s",
                              lt_json_kind(stops));
            goto fail;
        }
        s->nstops = lt_json_size(stops);
        if (s->nstops && !(s->stops = calloc(s->nstops, sizeof *s->stops))) goto nomem;
        i = 0;
        for (const lt_json *m = lt_json_first(stops); m; m = lt_json_next(m), i++) {
            char p[LT_ERROR_WHERE_MAX];
            pathf(p, ".stops.%s", lt_json_key(m));
            static const char *const skeys[] = {"kinds", "source", NULL};
            if (!lt_json_is_object(m)) {
                rc = lt_error_set(err, LT_ESCHEMA, at(w, where, p),
                                  "expected {\"kinds\": [...], \"source\": TEXT}, found %s",
                                  lt_json_kind(m));
                goto fail;
            }
            if ((rc = only_keys(m, skeys, where, p, err))) goto fail;
            if (!(s->stops[i].event = dupstr(lt_json_key(m)))) goto nomem;
            strncat(p, ".kinds", sizeof p - strlen(p) - 1);
            if ((rc = parse_kinds(lt_json_get(m, "kinds"), where, p, &s->stops[i].kinds, err)))
                goto fail;
        }
    }
    if ((rc = link_items(s, where, err))) goto fail;
    if (set_arms(s, arms, narms)) goto nomem;
    *out = s;
    return LT_OK;
nomem:
    rc = oom(err, where);
fail:
    lt_schedule_free(s);
    return rc;
}

void lt_schedule_free(lt_schedule *s)
{
    if (!s) return;
    /* a parse that ran out of memory may have set a count without its array */
    for (size_t i = 0; s->anchors && i < s->nanchors; i++)
        free(s->anchors[i]);
    free(s->anchors);
    for (size_t i = 0; s->items && i < s->nitems; i++) {
        lt__sched_item *it = &s->items[i];
        free(it->id);
        free(it->label);
        free(it->anchor);
        free(it->delay_reason);
        for (size_t j = 0; it->arms && j < it->narms; j++)
            free(it->arms[j]);
        free(it->arms);
        for (size_t j = 0; it->not_before && j < it->nnot_before; j++)
            free(it->not_before[j]);
        free(it->not_before);
        for (size_t j = 0; it->analytes && j < it->nanalytes; j++)
            free(it->analytes[j]);
        free(it->analytes);
        for (size_t j = 0; it->recheck_analytes && j < it->nrecheck_analytes; j++)
            free(it->recheck_analytes[j]);
        free(it->recheck_analytes);
        for (size_t j = 0; it->modalities && j < it->nmodalities; j++)
            free(it->modalities[j]);
        free(it->modalities);
    }
    free(s->items);
    for (size_t i = 0; s->stops && i < s->nstops; i++)
        free(s->stops[i].event);
    free(s->stops);
    for (size_t i = 0; s->arm_ids && i < s->narm_ids; i++)
        free(s->arm_ids[i]);
    free(s->arm_ids);
    free(s->order);
    free(s);
}

size_t lt_schedule_anchor_count(const lt_schedule *s)
{
    return s ? s->nanchors : 0;
}

const char *lt_schedule_anchor(const lt_schedule *s, size_t i)
{
    return s && i < s->nanchors ? s->anchors[i] : NULL;
}
