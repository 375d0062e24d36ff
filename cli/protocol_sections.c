/* Checking the members of a protocol file that other modules own: `design` (statistics),
 * `schedule` (calendars), `endpoints` (outcomes) and `dosing` (doses), in every version. The
 * protocol module validates identity, arms, criteria and versions itself but cannot read these
 * (they sit above it in the data flow), so `protocol check` and `trial init` ask each owner
 * here, where the command line may call every module. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/design.h"
#include "lutetia/dosing.h"
#include "lutetia/oral.h"
#include "lutetia/outcomes.h"
#include "lutetia/schedule.h"

/* The JSON path in an error place: the text after a leading "file: " or "file:line:col ", if
 * the owner put one there. */
static const char *path_of(const char *where)
{
    const char *p = strrchr(where, ' ');
    return p ? p + 1 : where;
}

static bool add_issue(lt_protocol_issue **v, size_t *n, const char *text, size_t len,
                      const char *version, const lt_error *e)
{
    const char *path = path_of(e->where);
    for (size_t i = 0; i < *n; i++) /* the same problem in an older version: said once */
        if (!strcmp((*v)[i].path, path) && !strcmp((*v)[i].message, e->message)) return true;
    lt_protocol_issue *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return false;
    *v = nv;
    lt_protocol_issue *is = &nv[(*n)++];
    memset(is, 0, sizeof *is);
    snprintf(is->version, sizeof is->version, "%s", version ? version : "");
    snprintf(is->path, sizeof is->path, "%s", path);
    snprintf(is->message, sizeof is->message, "%s", e->message);
    /* the place in the file: the deepest part of the path that exists in the latest version */
    char probe[LT_ERROR_WHERE_MAX];
    snprintf(probe, sizeof probe, "%s", path);
    while (!version && probe[0] && !lt_json_locate(text, len, probe, &is->line, &is->col)) {
        char *cut = strrchr(probe, '.');
        char *bracket = strrchr(probe, '[');
        if (bracket && (!cut || bracket > cut)) cut = bracket;
        if (!cut) break;
        *cut = '\0';
    }
    return true;
}

static lt_status check_version(const char *text, size_t len, const char *file,
                               const char *version, lt_protocol_issue **v, size_t *n,
                               lt_error *err)
{
    lt_protocol *p = NULL;
    lt_error e;
    /* a version that does not load is reported by lt_protocol_check already */
    if (lt_protocol_parse(text, len, file, version, &p, &e) != LT_OK) return LT_OK;
    bool ok = true;

    lt_schedule *s = NULL;
    if (lt_schedule_from_protocol(p, &s, &e) != LT_OK && e.status != LT_ENOTFOUND)
        ok = add_issue(v, n, text, len, version, &e);
    lt_schedule_free(s);

    lt_endpoints *ends = NULL;
    if (ok && lt_endpoints_from_protocol(p, &ends, &e) != LT_OK && e.status != LT_ENOTFOUND)
        ok = add_issue(v, n, text, len, version, &e);
    lt_endpoints_free(ends);

    const lt_json *design = lt_protocol_section(p, "design");
    lt_protocol_design pd;
    if (ok && design && lt_protocol_design_read(design, "design", &pd, &e) != LT_OK)
        ok = add_issue(v, n, text, len, version, &e);

    lt_dosing_plan plan;
    lt_dosing_plan_default(&plan);
    if (ok && lt_dosing_plan_from_json(lt_protocol_section(p, "dosing"), "protocol", &plan, &e) !=
                  LT_OK)
        ok = add_issue(v, n, text, len, version, &e);

    /* the arms' oral drugs: the safety module reads their modification tables */
    lt_oral_spec *oral = calloc(LT_ORAL_MAX_ARMS, sizeof *oral);
    size_t noral = 0;
    if (!oral) ok = false;
    if (ok && lt_oral_specs_from_arms(lt_protocol_section(p, "arms"), oral, LT_ORAL_MAX_ARMS,
                                      &noral, &e) != LT_OK)
        ok = add_issue(v, n, text, len, version, &e);
    /* the calendar entries the records satisfy must be the schedule's */
    const lt_json *items = lt_json_get(lt_protocol_section(p, "schedule"), "items");
    for (size_t i = 0; ok && i < noral; i++) {
        const char *const entries[2][2] = {{"start_entry", oral[i].start_entry},
                                           {"dispensing_entry", oral[i].dispensing_entry}};
        for (int k = 0; ok && k < 2; k++) {
            if (!entries[k][1][0] || lt_json_get(items, entries[k][1])) continue;
            lt_error_set(&e, LT_ESCHEMA, "", "expected an item of schedule.items, found \"%s\"",
                         entries[k][1]);
            snprintf(e.where, sizeof e.where, "arms.%.32s.oral_drug.%s", oral[i].arm,
                     entries[k][0]);
            ok = add_issue(v, n, text, len, version, &e);
        }
    }
    free(oral);

    lt_protocol_free(p);
    if (!ok) LT_FAIL(err, LT_ENOMEM, file, "out of memory checking the protocol");
    return LT_OK;
}

lt_status lt_cli_check_sections(const char *text, size_t len, const char *file,
                                lt_protocol_issue **issues, size_t *nissues, lt_error *err)
{
    lt_protocol *latest = NULL;
    lt_error e;
    if (lt_protocol_parse(text, len, file, NULL, &latest, &e) != LT_OK) return LT_OK;
    lt_status st = check_version(text, len, file, NULL, issues, nissues, err);
    for (size_t i = 0; st == LT_OK && i < lt_protocol_version_count(latest); i++) {
        const char *name = lt_protocol_version_name(latest, i);
        if (name && strcmp(name, lt_protocol_version(latest)))
            st = check_version(text, len, file, name, issues, nissues, err);
    }
    lt_protocol_free(latest);
    return st;
}
