/* Compiling criteria: each criterion's rule (docs/protocol-format.md, "Rules") is checked
 * member by member and turned into an lt_rule tree; thresholds are converted once, here, to
 * the analyte's canonical unit so that the engine compares like with like. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "lutetia/patient.h"

#define MAX_DEPTH 32

static const char *const heads[] = {"all",         "any",     "not",       "lab",  "vital",
                                    "performance", "derived", "fact",      "attr", "status",
                                    "attestation", "sex",     "criterion", NULL};
static const char *const kinds[] = {"lab",         "vital",   "performance", "diagnosis",
                                    "procedure",   "imaging", "treatment",   "status",
                                    "attestation", NULL};

typedef struct ctx {
    lt_protocol *p;
    lt__issues *iss;
    const char *crit_id; /* the criterion whose rule is being compiled */
} ctx;

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i])) return true;
    return false;
}

static char *path_dup(ctx *c, const char *path)
{
    return lt__pa_strdup(&c->p->arena, path);
}

static bool snake_case(const char *s)
{
    if (!s || !*s || !islower((unsigned char)*s)) return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_') return false;
    return true;
}

static bool parse_op(const char *s, lt_cmp_op *op)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    for (int i = 0; s && i < 6; i++)
        if (!strcmp(s, ops[i])) {
            *op = (lt_cmp_op)i;
            return true;
        }
    return false;
}

const char *lt_rule_op_name(lt_cmp_op op)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    return (unsigned)op < 6 ? ops[op] : "?";
}

static void member_path(char *out, size_t cap, const char *path, const char *key)
{
    lt__path_key(out, cap, path, key);
}

/* op + value (+ unit): a comparison. analyte converts the unit; NULL means unitless. */
static bool read_cmp(ctx *c, const lt_json *v, const char *path, const char *analyte,
                     bool unit_allowed, lt_rule *r)
{
    char q[LT_ERROR_WHERE_MAX];
    const lt_json *op = lt_json_get(v, "op");
    member_path(q, sizeof q, path, "op");
    if (!op) {
        lt__issue(c->iss, NULL, q, "missing: expected one of <, <=, >, >=, ==, !=");
        return false;
    }
    if (!parse_op(lt_json_str(op), &r->op)) {
        lt__issue(c->iss, NULL, q, "expected one of <, <=, >, >=, ==, !=, found %s%s%s",
                  lt_json_str(op) ? "\"" : "",
                  lt_json_str(op) ? lt_json_str(op) : lt__json_type_name(op),
                  lt_json_str(op) ? "\"" : "");
        return false;
    }
    const lt_json *val = lt_json_get(v, "value");
    member_path(q, sizeof q, path, "value");
    double x;
    if (!lt_json_num(val, &x)) {
        lt__issue(c->iss, NULL, q, "%s: expected a number, found %s",
                  val ? "wrong type" : "missing", lt__json_type_name(val));
        return false;
    }
    r->has_cmp = true;
    r->given_value = x;
    r->value = x;
    const lt_json *u = lt_json_get(v, "unit");
    member_path(q, sizeof q, path, "unit");
    if (u && !unit_allowed) {
        lt__issue(c->iss, NULL, q, "this value has no unit: remove \"unit\"");
        return false;
    }
    if (u && !lt_json_str(u)) {
        lt__issue(c->iss, NULL, q, "expected a unit string, found %s", lt__json_type_name(u));
        return false;
    }
    if (analyte) {
        const char *canon = lt_units_canonical(analyte);
        const char *unit = u ? lt_json_str(u) : canon;
        r->given_unit = unit;
        if (!canon || !lt_units_convert(analyte, x, unit, &r->value)) {
            lt__issue(c->iss, NULL, q,
                      "expected a unit %s can be given in (canonical: %s), found \"%s\"", analyte,
                      canon ? canon : "none", unit ? unit : "");
            return false;
        }
    } else if (u) {
        r->given_unit = lt_json_str(u);
    }
    return true;
}

static const lt_window *read_window(ctx *c, const lt_json *v, const char *path)
{
    const lt_json *w = lt_json_get(v, "window");
    if (!w) return NULL;
    char q[LT_ERROR_WHERE_MAX];
    member_path(q, sizeof q, path, "window");
    if (lt_json_str(w)) {
        for (size_t i = 0; i < c->p->nwindows; i++)
            if (!strcmp(c->p->windows[i].name, lt_json_str(w))) return &c->p->windows[i];
        lt__issue(c->iss, NULL, q, "expected a window declared in \"windows\", found \"%s\"",
                  lt_json_str(w));
        return NULL;
    }
    lt_window tmp;
    if (!lt__window_read(c->p, w, q, &tmp, c->iss)) return NULL;
    lt_window *out = lt__pa_alloc(&c->p->arena, sizeof *out);
    if (out) *out = tmp;
    return out;
}

static const char *read_enum(ctx *c, const lt_json *v, const char *key, const char *path,
                             const char *const *list, const char *dflt)
{
    const lt_json *m = lt_json_get(v, key);
    if (!m) return dflt;
    char q[LT_ERROR_WHERE_MAX];
    member_path(q, sizeof q, path, key);
    const char *s = lt_json_str(m);
    if (!in_list(s, list)) {
        char opts[200] = "";
        size_t used = 0;
        for (size_t i = 0; list[i] && used < sizeof opts - 40; i++)
            used +=
                (size_t)snprintf(opts + used, sizeof opts - used, "%s%s", i ? ", " : "", list[i]);
        lt__issue(c->iss, NULL, q, "expected one of %s, found %s%s%s", opts, s ? "\"" : "",
                  s ? s : lt__json_type_name(m), s ? "\"" : "");
        return dflt;
    }
    return s;
}

static lt_rule_value value_of(const char *s)
{
    return !strcmp(s, "met") ? LT_RV_MET : !strcmp(s, "not_met") ? LT_RV_NOT_MET : LT_RV_UNKNOWN;
}

/* code: a string or a non-empty array of strings */
static bool read_codes(ctx *c, const lt_json *v, const char *key, const char *path, lt_rule *r)
{
    char q[LT_ERROR_WHERE_MAX];
    member_path(q, sizeof q, path, key);
    const lt_json *m = lt_json_get(v, key);
    if (lt_json_str(m) && lt_json_str(m)[0]) {
        const char **codes = lt__pa_alloc(&c->p->arena, sizeof *codes);
        if (!codes) return false;
        codes[0] = lt_json_str(m);
        r->codes = codes;
        r->ncodes = 1;
        return true;
    }
    if (lt_json_is_array(m) && lt_json_size(m) > 0) {
        size_t n = lt_json_size(m), i = 0;
        const char **codes = lt__pa_alloc(&c->p->arena, n * sizeof *codes);
        if (!codes) return false;
        bool ok = true;
        for (const lt_json *e = lt_json_first(m); e; e = lt_json_next(e), i++) {
            codes[i] = lt_json_str(e);
            if (!codes[i] || !codes[i][0]) {
                char eq[LT_ERROR_WHERE_MAX];
                lt__path_index(eq, sizeof eq, q, i);
                lt__issue(c->iss, NULL, eq, "expected a non-empty string, found %s",
                          lt__json_type_name(e));
                ok = false;
            }
        }
        r->codes = codes;
        r->ncodes = n;
        return ok;
    }
    lt__issue(c->iss, NULL, q, "%s: expected a string or a non-empty array of strings, found %s",
              m ? "wrong type" : "missing", lt__json_type_name(m));
    return false;
}

static const lt_rule *compile(ctx *c, const lt_json *v, const char *path, bool in_match, int depth);

static const lt_rule *compile_kids(ctx *c, const lt_json *v, const char *head, const char *path,
                                   bool in_match, int depth, lt_rule *r)
{
    const lt_json *arr = lt_json_get(v, head);
    char q[LT_ERROR_WHERE_MAX];
    member_path(q, sizeof q, path, head);
    if (!lt_json_is_array(arr) || lt_json_size(arr) == 0) {
        lt__issue(c->iss, NULL, q, "expected a non-empty array of rules, found %s",
                  lt__json_type_name(arr));
        return NULL;
    }
    size_t n = lt_json_size(arr), i = 0;
    const lt_rule **kids = lt__pa_alloc(&c->p->arena, n * sizeof *kids);
    if (!kids) return NULL;
    bool ok = true;
    for (const lt_json *e = lt_json_first(arr); e; e = lt_json_next(e), i++) {
        char eq[LT_ERROR_WHERE_MAX];
        lt__path_index(eq, sizeof eq, q, i);
        kids[i] = compile(c, e, eq, in_match, depth + 1);
        ok = ok && kids[i];
    }
    r->kids = kids;
    r->nkids = n;
    return ok ? r : NULL;
}

static const lt_rule *compile(ctx *c, const lt_json *v, const char *path, bool in_match, int depth)
{
    if (depth > MAX_DEPTH) {
        lt__issue(c->iss, NULL, path, "rules nest deeper than %d levels", MAX_DEPTH);
        return NULL;
    }
    if (!lt_json_is_object(v)) {
        lt__issue(c->iss, NULL, path, "expected a rule object, found %s", lt__json_type_name(v));
        return NULL;
    }
    const char *head = NULL;
    int nheads = 0;
    for (size_t i = 0; heads[i]; i++)
        if (lt_json_get(v, heads[i])) {
            if (!head) head = heads[i];
            nheads++;
        }
    if (nheads != 1) {
        lt__issue(c->iss, NULL, path,
                  "expected exactly one of all, any, not, lab, vital, performance, derived, "
                  "fact, attr, status, attestation, sex, criterion; found %d",
                  nheads);
        return NULL;
    }
    lt_rule *r = lt__pa_alloc(&c->p->arena, sizeof *r);
    if (!r) return NULL;
    r->path = path_dup(c, path);
    r->absent = LT_RV_UNKNOWN;
    r->if_missing = LT_RV_UNKNOWN;
    char q[LT_ERROR_WHERE_MAX];
    member_path(q, sizeof q, path, head);
    size_t before = c->iss->n;
    const lt_json *hv = lt_json_get(v, head);

    if ((!strcmp(head, "attr")) != in_match && strcmp(head, "all") && strcmp(head, "any") &&
        strcmp(head, "not")) {
        lt__issue(c->iss, NULL, q,
                  in_match
                      ? "inside \"match\" only attr tests and all/any/not are allowed, found \"%s\""
                      : "\"%s\" tests are allowed only inside a fact rule's \"match\"",
                  head);
        return NULL;
    }

    if (!strcmp(head, "all") || !strcmp(head, "any")) {
        static const char *const m[] = {"all", "any", "unless", "note", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = head[1] == 'l' ? LT_RULE_ALL : LT_RULE_ANY;
        compile_kids(c, v, head, path, in_match, depth, r);
    } else if (!strcmp(head, "not")) {
        static const char *const m[] = {"not", "unless", "note", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_NOT;
        const lt_rule **kids = lt__pa_alloc(&c->p->arena, sizeof *kids);
        if (!kids) return NULL;
        kids[0] = compile(c, hv, q, in_match, depth + 1);
        r->kids = kids;
        r->nkids = 1;
    } else if (!strcmp(head, "lab") || !strcmp(head, "vital") || !strcmp(head, "performance")) {
        static const char *const m[] = {"lab",    "vital", "performance", "op",       "value",
                                        "unit",   "uln",   "lln",         "in_range", "window",
                                        "unless", "note",  NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_MEASURE;
        r->fact_kind = head;
        if (!read_codes(c, v, head, path, r) || r->ncodes != 1) {
            if (r->ncodes > 1)
                lt__issue(c->iss, NULL, q, "expected one concept, found %zu", r->ncodes);
            return NULL;
        }
        const char *code = r->codes[0];
        bool perf = !strcmp(head, "performance");
        if (perf ? strcmp(code, "ecog") && strcmp(code, "karnofsky") : !lt_units_canonical(code)) {
            lt__issue(c->iss, NULL, q,
                      "expected a %s concept of docs/patient-format.md%s, found \"%s\"", head,
                      perf ? " (ecog, karnofsky)" : "", code);
            return NULL;
        }
        int modes = !!lt_json_get(v, "value") + !!lt_json_get(v, "uln") + !!lt_json_get(v, "lln") +
                    !!lt_json_get(v, "in_range");
        if (modes != 1) {
            lt__issue(c->iss, NULL, path,
                      "expected exactly one of value, uln, lln, in_range; found %d", modes);
            return NULL;
        }
        if (lt_json_get(v, "in_range")) {
            bool b;
            member_path(q, sizeof q, path, "in_range");
            if (!lt_json_bool(lt_json_get(v, "in_range"), &b)) {
                lt__issue(c->iss, NULL, q, "expected true or false, found %s",
                          lt__json_type_name(lt_json_get(v, "in_range")));
                return NULL;
            }
            if (lt_json_get(v, "op") || lt_json_get(v, "unit"))
                lt__issue(c->iss, NULL, path, "in_range takes no \"op\" or \"unit\"");
            r->mode = LT_MEASURE_IN_RANGE;
            r->in_range = b;
        } else if (lt_json_get(v, "uln") || lt_json_get(v, "lln")) {
            bool uln = lt_json_get(v, "uln") != NULL;
            member_path(q, sizeof q, path, uln ? "uln" : "lln");
            double k;
            if (!lt_json_num(lt_json_get(v, uln ? "uln" : "lln"), &k) || !(k > 0)) {
                lt__issue(c->iss, NULL, q, "expected a positive multiple of the %s limit of normal",
                          uln ? "upper" : "lower");
                return NULL;
            }
            if (lt_json_get(v, "unit"))
                lt__issue(c->iss, NULL, path,
                          "a multiple of the limit of normal takes no \"unit\"");
            r->mode = uln ? LT_MEASURE_ULN : LT_MEASURE_LLN;
            r->multiple = k;
            /* read op only: the value is the multiple */
            const lt_json *op = lt_json_get(v, "op");
            char oq[LT_ERROR_WHERE_MAX];
            member_path(oq, sizeof oq, path, "op");
            if (!parse_op(lt_json_str(op), &r->op)) {
                lt__issue(c->iss, NULL, oq, "%s: expected one of <, <=, >, >=, ==, !=",
                          op ? "wrong value" : "missing");
                return NULL;
            }
            r->has_cmp = true;
        } else {
            read_cmp(c, v, path, perf ? NULL : code, !perf, r);
        }
        r->window = read_window(c, v, path);
    } else if (!strcmp(head, "derived")) {
        static const char *const m[] = {"derived", "op",     "value", "unit", "window",
                                        "span",    "unless", "note",  NULL};
        static const char *const names[] = {"age_years", "creatinine_clearance", "prrt_activity",
                                            "prrt_cycles", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_DERIVED;
        if (!read_codes(c, v, head, path, r)) return NULL;
        const char *name = r->codes[0];
        if (r->ncodes != 1 || !in_list(name, names)) {
            lt__issue(c->iss, NULL, q,
                      "expected age_years, creatinine_clearance, prrt_activity or prrt_cycles, "
                      "found \"%s\"",
                      name);
            return NULL;
        }
        if (!strcmp(name, "age_years")) {
            const char *u = lt_json_get_str(v, "unit", NULL);
            if (u && strcmp(u, "years")) {
                member_path(q, sizeof q, path, "unit");
                lt__issue(c->iss, NULL, q, "expected \"years\", found \"%s\"", u);
            }
            read_cmp(c, v, path, NULL, true, r);
        } else if (!strcmp(name, "creatinine_clearance")) {
            read_cmp(c, v, path, "creatinine_clearance", true, r);
        } else if (!strcmp(name, "prrt_activity")) {
            if (read_cmp(c, v, path, NULL, true, r)) {
                const char *u = r->given_unit ? r->given_unit : "MBq";
                double f = !strcmp(u, "MBq")   ? 1
                           : !strcmp(u, "GBq") ? 1000
                           : !strcmp(u, "mCi") ? 37
                                               : 0;
                if (!f) {
                    member_path(q, sizeof q, path, "unit");
                    lt__issue(c->iss, NULL, q, "expected MBq, GBq or mCi, found \"%s\"", u);
                }
                r->given_unit = u;
                r->value = r->given_value * f;
            }
        } else {
            read_cmp(c, v, path, NULL, false, r);
        }
        r->window = read_window(c, v, path);
        if (lt_json_get(v, "span")) {
            member_path(q, sizeof q, path, "span");
            if (strncmp(name, "prrt_", 5))
                lt__issue(c->iss, NULL, q,
                          "\"span\" applies to prrt_activity and prrt_cycles only");
            else
                r->has_span = lt__duration_read(lt_json_get(v, "span"), q, &r->span, c->iss);
            if (r->has_span && r->span.n <= 0)
                lt__issue(c->iss, NULL, q, "expected a positive span");
        }
    } else if (!strcmp(head, "fact")) {
        static const char *const m[] = {"fact",    "code",  "match",  "window", "date",
                                        "current", "which", "absent", "count",  "span",
                                        "unless",  "note",  NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_FACT;
        const char *k = lt_json_str(hv);
        if (!in_list(k, kinds)) {
            lt__issue(c->iss, NULL, q,
                      "expected a fact kind (lab, vital, performance, diagnosis, "
                      "procedure, imaging, treatment, status, attestation), found %s%s%s",
                      k ? "\"" : "", k ? k : lt__json_type_name(hv), k ? "\"" : "");
            return NULL;
        }
        r->fact_kind = k;
        read_codes(c, v, "code", path, r);
        if (lt_json_get(v, "match")) {
            member_path(q, sizeof q, path, "match");
            r->match = compile(c, lt_json_get(v, "match"), q, true, depth + 1);
        }
        r->window = read_window(c, v, path);
        static const char *const dates[] = {"start", "end", NULL};
        static const char *const which[] = {"any", "latest", NULL};
        static const char *const absent[] = {"unknown", "not_met", NULL};
        r->end_date = !strcmp(read_enum(c, v, "date", path, dates, "start"), "end");
        r->latest_only = !strcmp(read_enum(c, v, "which", path, which, "any"), "latest");
        r->absent = value_of(read_enum(c, v, "absent", path, absent, "unknown"));
        const lt_json *cur = lt_json_get(v, "current");
        if (cur && !lt_json_bool(cur, &r->current)) {
            member_path(q, sizeof q, path, "current");
            lt__issue(c->iss, NULL, q, "expected true or false, found %s", lt__json_type_name(cur));
        }
        const lt_json *cnt = lt_json_get(v, "count");
        if (cnt) {
            member_path(q, sizeof q, path, "count");
            static const char *const cm[] = {"op", "value", NULL};
            if (!lt_json_is_object(cnt)) {
                lt__issue(c->iss, NULL, q, "expected {\"op\", \"value\"}, found %s",
                          lt__json_type_name(cnt));
            } else {
                lt__check_members(cnt, q, cm, c->iss);
                r->has_count = read_cmp(c, cnt, q, NULL, false, r);
            }
            if (r->latest_only)
                lt__issue(c->iss, NULL, path,
                          "\"count\" and \"which\": \"latest\" do not go together");
        }
        if (lt_json_get(v, "span")) {
            member_path(q, sizeof q, path, "span");
            if (!cnt)
                lt__issue(c->iss, NULL, q, "\"span\" needs \"count\"");
            else
                r->has_span = lt__duration_read(lt_json_get(v, "span"), q, &r->span, c->iss);
            if (r->has_span && r->span.n <= 0)
                lt__issue(c->iss, NULL, q, "expected a positive span");
        }
    } else if (!strcmp(head, "attr")) {
        static const char *const m[] = {"attr",     "in",         "not_in", "op",   "value",
                                        "attr_ref", "if_missing", "unless", "note", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_ATTR;
        r->attr = lt_json_str(hv);
        if (!r->attr || !r->attr[0]) {
            lt__issue(c->iss, NULL, q,
                      "expected an attribute name, \"$text\" or \"$value\", found %s",
                      lt__json_type_name(hv));
            return NULL;
        }
        int forms = !!lt_json_get(v, "in") + !!lt_json_get(v, "not_in") + !!lt_json_get(v, "op");
        if (forms != 1) {
            lt__issue(c->iss, NULL, path, "expected exactly one of in, not_in, op; found %d",
                      forms);
            return NULL;
        }
        if (lt_json_get(v, "op") && lt_json_get(v, "attr_ref")) {
            const lt_json *ref = lt_json_get(v, "attr_ref");
            member_path(q, sizeof q, path, "attr_ref");
            r->attr_ref = lt_json_str(ref);
            if (!r->attr_ref || !r->attr_ref[0])
                lt__issue(c->iss, NULL, q, "expected an attribute name, found %s",
                          lt__json_type_name(ref));
            if (lt_json_get(v, "value"))
                lt__issue(c->iss, NULL, path, "give \"value\" or \"attr_ref\", not both");
            member_path(q, sizeof q, path, "op");
            if (!parse_op(lt_json_str(lt_json_get(v, "op")), &r->op))
                lt__issue(c->iss, NULL, q, "expected one of <, <=, >, >=, ==, !=");
            r->has_cmp = true;
        } else if (lt_json_get(v, "op")) {
            read_cmp(c, v, path, NULL, false, r);
        } else {
            r->negate_in = lt_json_get(v, "not_in") != NULL;
            read_codes(c, v, r->negate_in ? "not_in" : "in", path, r);
            if (lt_json_get(v, "value") || lt_json_get(v, "attr_ref"))
                lt__issue(c->iss, NULL, path,
                          "\"value\" and \"attr_ref\" go with \"op\", not with in/not_in");
        }
        static const char *const miss[] = {"met", "not_met", "unknown", NULL};
        r->if_missing = value_of(read_enum(c, v, "if_missing", path, miss, "unknown"));
    } else if (!strcmp(head, "status")) {
        static const char *const m[] = {"status", "window", "unless", "note", NULL};
        static const char *const codes[] = {"pregnant", "breastfeeding", "childbearing_potential",
                                            NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_STATUS;
        r->fact_kind = "status";
        if (!read_codes(c, v, "status", path, r)) return NULL;
        if (r->ncodes != 1 || !in_list(r->codes[0], codes))
            lt__issue(c->iss, NULL, q,
                      "expected pregnant, breastfeeding or childbearing_potential, "
                      "found \"%s\"",
                      r->codes[0]);
        r->window = read_window(c, v, path);
    } else if (!strcmp(head, "attestation")) {
        static const char *const m[] = {"attestation", "window", "unless", "note", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_ATTESTATION;
        r->fact_kind = "attestation";
        if (!read_codes(c, v, "attestation", path, r)) return NULL;
        if (r->ncodes != 1 || !snake_case(r->codes[0]))
            lt__issue(c->iss, NULL, q, "expected one snake_case attestation id, found \"%s\"",
                      r->codes[0]);
        r->window = read_window(c, v, path);
    } else if (!strcmp(head, "criterion")) {
        static const char *const m[] = {"criterion", "unless", "note", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_CRITERION;
        if (!read_codes(c, v, "criterion", path, r) || r->ncodes != 1) return NULL;
        size_t j = 0;
        while (j < c->p->ncrit && strcmp(c->p->crit[j].id, r->codes[0]))
            j++;
        if (j == c->p->ncrit) {
            lt__issue(c->iss, NULL, q, "expected the id of a criterion, found \"%s\"", r->codes[0]);
            return NULL;
        }
        if (!c->crit_id || !c->p->crit[j].part_of || strcmp(c->p->crit[j].part_of, c->crit_id)) {
            lt__issue(c->iss, NULL, q,
                      "criterion %s is not a sub-item of %s: give it \"part_of\": \"%s\"",
                      r->codes[0], c->crit_id ? c->crit_id : "?", c->crit_id ? c->crit_id : "?");
            return NULL;
        }
        r->ref = j;
    } else { /* sex */
        static const char *const m[] = {"sex", "unless", "note", NULL};
        static const char *const sexes[] = {"female", "male", "other", NULL};
        lt__check_members(v, path, m, c->iss);
        r->type = LT_RULE_SEX;
        if (!read_codes(c, v, "sex", path, r)) return NULL;
        for (size_t i = 0; i < r->ncodes; i++)
            if (!in_list(r->codes[i], sexes))
                lt__issue(c->iss, NULL, q, "expected female, male or other, found \"%s\"",
                          r->codes[i]);
    }
    const lt_json *un = lt_json_get(v, "unless");
    if (un) {
        member_path(q, sizeof q, path, "unless");
        r->unless = compile(c, un, q, in_match, depth + 1);
    }
    const lt_json *note = lt_json_get(v, "note");
    if (note && !lt_json_str(note)) {
        member_path(q, sizeof q, path, "note");
        lt__issue(c->iss, NULL, q, "expected a string, found %s", lt__json_type_name(note));
    }
    return c->iss->n == before ? r : NULL;
}

/* "I1", "E12", "E12.3": a letter, a number, optional .number sub-items */
static bool valid_id(const char *id)
{
    if (id[0] != 'I' && id[0] != 'E') return false;
    const char *s = id + 1;
    for (;;) {
        if (!isdigit((unsigned char)*s)) return false;
        while (isdigit((unsigned char)*s))
            s++;
        if (!*s) return true;
        if (*s != '.') return false;
        s++;
    }
}

void lt__criteria_build(lt_protocol *p, const lt_json *criteria, const char *path, lt__issues *iss)
{
    ctx c = {p, iss, NULL};
    size_t n = lt_json_size(criteria);
    if (n == 0) {
        lt__issue(iss, NULL, path, "expected at least one criterion, found none");
        return;
    }
    p->crit = lt__pa_alloc(&p->arena, n * sizeof *p->crit);
    if (!p->crit) return;
    const lt_json *sources = lt_json_get(p->doc ? p->doc : NULL, "sources");
    static const char *const members[] = {"kind", "text",    "source", "note",
                                          "rule", "part_of", NULL};
    static const char *const kinds2[] = {"inclusion", "exclusion", NULL};
    for (const lt_json *m = lt_json_first(criteria); m; m = lt_json_next(m)) {
        char cp[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
        const char *id = lt_json_key(m);
        lt__path_key(cp, sizeof cp, path, id);
        if (!valid_id(id))
            lt__issue(iss, NULL, cp,
                      "expected a criterion id such as I1, E12 or E12.3 (the source's numbering), "
                      "found \"%s\"",
                      id);
        if (!lt_json_is_object(m)) {
            lt__issue(iss, NULL, cp, "expected a criterion object, found %s",
                      lt__json_type_name(m));
            continue;
        }
        lt__check_members(m, cp, members, iss);
        lt_criterion *cr = &p->crit[p->ncrit++];
        cr->id = id;
        const char *kind = read_enum(&c, m, "kind", cp, kinds2, NULL);
        lt__path_key(q, sizeof q, cp, "kind");
        if (!lt_json_get(m, "kind"))
            lt__issue(iss, NULL, q, "missing: expected inclusion or exclusion");
        cr->exclusion = kind && !strcmp(kind, "exclusion");
        if (kind && valid_id(id) && (id[0] == 'E') != cr->exclusion)
            lt__issue(iss, NULL, q, "criterion %s is an %s by its id, found kind \"%s\"", id,
                      id[0] == 'E' ? "exclusion" : "inclusion", kind);
        static const char *const strs[] = {"text", "source", "note"};
        const char **dst[] = {&cr->text, &cr->source, &cr->note};
        for (int i = 0; i < 3; i++) {
            const lt_json *s = lt_json_get(m, strs[i]);
            lt__path_key(q, sizeof q, cp, strs[i]);
            if (!s) {
                if (i < 2) lt__issue(iss, NULL, q, "missing: expected a string");
                continue;
            }
            if (!lt_json_str(s) || !lt_json_str(s)[0]) {
                lt__issue(iss, NULL, q, "expected a non-empty string, found %s",
                          lt__json_type_name(s));
                continue;
            }
            *dst[i] = lt_json_str(s);
        }
        if (cr->source && sources && !lt_json_get(sources, cr->source)) {
            lt__path_key(q, sizeof q, cp, "source");
            lt__issue(iss, NULL, q, "expected a source listed in \"sources\", found \"%s\"",
                      cr->source);
        }
        /* a sub-item names a criterion written before it, of the same kind */
        const lt_json *po = lt_json_get(m, "part_of");
        if (po) {
            lt__path_key(q, sizeof q, cp, "part_of");
            const char *parent = lt_json_str(po);
            size_t j = 0;
            while (parent && j + 1 < p->ncrit && strcmp(p->crit[j].id, parent))
                j++;
            if (!parent || j + 1 >= p->ncrit)
                lt__issue(iss, NULL, q,
                          "expected the id of a criterion written before %s, found %s%s%s", id,
                          parent ? "\"" : "", parent ? parent : lt__json_type_name(po),
                          parent ? "\"" : "");
            else if (p->crit[j].exclusion != cr->exclusion)
                lt__issue(iss, NULL, q, "%s and its parent %s are not of the same kind", id,
                          parent);
            else
                cr->part_of = parent;
        }
    }
    /* second pass: rules, which may refer to sub-items written after their parent */
    size_t i = 0;
    for (const lt_json *m = lt_json_first(criteria); m; m = lt_json_next(m)) {
        if (!lt_json_is_object(m)) continue;
        lt_criterion *cr = &p->crit[i++];
        char cp[LT_ERROR_WHERE_MAX], q[LT_ERROR_WHERE_MAX];
        lt__path_key(cp, sizeof cp, path, cr->id);
        const lt_json *rule = lt_json_get(m, "rule");
        lt__path_key(q, sizeof q, cp, "rule");
        if (!rule) {
            lt__issue(iss, NULL, q, "missing: expected a rule");
            continue;
        }
        c.crit_id = cr->id;
        cr->rule = compile(&c, rule, q, false, 0);
    }
}
