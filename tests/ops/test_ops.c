/* The operations table (src/ops): every row well formed, the argument check as a table of
 * cases (arguments, expected status, the parameter named), the OpenAPI document made from the
 * rows, and the one status-to-HTTP table covering every status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"

static void test_rows(void)
{
    CHECK(lt_ops_count() >= 11);
    for (size_t i = 0; i < lt_ops_count(); i++) {
        const lt_op *op = lt_ops_at(i);
        CHECK_MSG(op->name && op->method && op->path && op->summary && op->cli && op->run,
                  "row %zu incomplete", i);
        CHECK_MSG(!strncmp(op->path, "/api/v1/", 8), "%s: path %s", op->name, op->path);
        CHECK_MSG(op->roles != 0, "%s: no role may run it", op->name);
        CHECK_MSG(lt_ops_find(op->name) == op, "%s: name not unique", op->name);
        /* a change is never a GET; a patient row has its {patient} path parameter */
        CHECK_MSG(!op->changes || strcmp(op->method, "GET") != 0, "%s", op->name);
        CHECK_MSG(op->patient == (strstr(op->path, "{patient}") != NULL), "%s", op->name);
        for (size_t k = 0; k < i; k++)
            CHECK_MSG(strcmp(lt_ops_at(k)->path, op->path) || strcmp(lt_ops_at(k)->method, op->method),
                      "%s and %s share %s %s", lt_ops_at(k)->name, op->name, op->method, op->path);
    }
    CHECK(lt_ops_find("no.such") == NULL);
}

/* op, arguments, expected status, parameter named in err->where */
static const struct {
    const char *op, *args;
    lt_status want;
    const char *where;
} cases[] = {
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-11-02\",\"analyte\":\"platelets\",\"value\":90}", LT_OK, ""},
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-11-02\",\"analyte\":\"platelets\"}", LT_EINVAL, "value"},
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-11-02\",\"analyte\":\"platelets\",\"value\":\"90\"}", LT_EINVAL, "value"},
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-02-30\",\"analyte\":\"platelets\",\"value\":90}", LT_EINVAL, "date"},
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-11-02\",\"analyte\":\"platelets\",\"value\":90,\"colour\":1}", LT_EINVAL, "colour"},
    {"labs.record", "{\"patient\":\"P1\",\"date\":\"2026-11-02\",\"analyte\":\"platelets\",\"value\":90,\"confirm\":1}", LT_EINVAL, "confirm"},
    {"patients.enrol", "{\"site\":\"S1\",\"patient\":{\"id\":\"x\"}}", LT_OK, ""},
    {"patients.enrol", "{\"site\":\"S1\",\"patient\":[1]}", LT_EINVAL, "patient"},
    {"patients.enrol", "{\"patient\":{\"id\":\"x\"}}", LT_EINVAL, "site"},
    {"patients.list", "{}", LT_OK, ""},
    {"patients.list", "{\"site\":\"S1\"}", LT_EINVAL, "site"},
    {"due.list", "{\"from\":\"2026-12-01\",\"to\":\"2026-12-31\",\"site\":\"S1\"}", LT_OK, ""},
    {"due.list", "{\"from\":\"2026-12-01\"}", LT_EINVAL, "to"},
    {"patients.confirm", "{\"patient\":\"P1\",\"date\":null}", LT_EINVAL, "date"},
    {"trial.amend", "{\"protocol\":\"protocols/nelmas.json\",\"version\":\"2.0\",\"effective\":\"2026-04-01\"}", LT_EINVAL, "protocol"},
    {"trial.amend", "{\"protocol\":{},\"version\":\"2.0\"}", LT_EINVAL, "effective"},
    {"users.set", "{\"name\":\"u1\",\"sites\":\"S1\"}", LT_EINVAL, "sites"},
    {"users.set_password", "{\"name\":\"u1\"}", LT_EINVAL, "password"},
};

static void test_check_args(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_json *args = NULL;
        lt_error err;
        lt_error_clear(&err);
        CHECK(lt_json_parse(cases[i].args, strlen(cases[i].args), "case", &args, &err) == LT_OK);
        lt_status rc = lt_ops_check_args(lt_ops_find(cases[i].op), args, &err);
        CHECK_MSG(rc == cases[i].want, "case %zu (%s): status %d, %s", i, cases[i].op, (int)rc,
                  err.message);
        if (rc != LT_OK) CHECK_STR(err.where, cases[i].where);
        lt_json_free(args);
    }
    lt_error err;
    CHECK(lt_ops_check_args(lt_ops_find("patients.list"), NULL, &err) == LT_EINVAL);
}

static void test_openapi(void)
{
    lt_buf b = LT_BUF_INIT;
    lt_ops_openapi(&b);
    lt_json *doc = NULL;
    lt_error err;
    CHECK_MSG(lt_json_parse(b.p, b.n, "openapi", &doc, &err) == LT_OK, "%s", err.message);
    CHECK_STR(lt_json_get_str(doc, "openapi", ""), "3.1.0");
    const lt_json *paths = lt_json_get(doc, "paths");
    for (size_t i = 0; i < lt_ops_count(); i++) {
        const lt_op *op = lt_ops_at(i);
        char m[8] = "";
        for (size_t k = 0; op->method[k] && k < sizeof m - 1; k++) m[k] = (char)(op->method[k] | 0x20);
        const lt_json *o = lt_json_get(lt_json_get(paths, op->path), m);
        CHECK_MSG(o && !strcmp(lt_json_get_str(o, "operationId", ""), op->name), "%s missing",
                  op->name);
    }
    CHECK(lt_json_get(lt_json_get(paths, "/api/v1/session"), "post") != NULL);
    lt_json_free(doc);
    lt_buf_free(&b);
}

/* Every row's roles agree with what the library refuses: each row's handler is run directly
 * (without the row's own role check) as a user of every role bound to every site, with
 * arguments that pass the row's check and are then refused by the step's rules (a missing
 * patient, a future date, a duplicate site) so that nothing is written. The library must answer
 * LT_EPERM exactly for the roles the row leaves out. Rows whose library function has no role
 * rule of its own are listed with why; a row without a case fails, so a new row needs one. */
static const struct {
    const char *op, *args;
    const char *exempt; /* why the library does not decide it, or NULL */
} role_cases[] = {
    {"patients.list", "{}", NULL},
    {"reports.dsmb", "{\"cutoff\":\"2025-12-31\"}", NULL},
    {"reports.dsmb_closed", "{}", NULL},
    {"patients.show", "{\"patient\":\"NOPE\"}", NULL},
    {"patients.enrol", "{\"site\":\"S1\",\"as_of\":\"2090-01-01\",\"patient\":@}", NULL},
    {"patients.consent", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"form\":\"v2\"}", NULL},
    {"patients.confirm", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\"}", NULL},
    {"patients.randomise", "{\"patient\":\"NOPE\",\"date\":\"2020-01-01\"}", NULL},
    {"labs.record", "{\"patient\":\"NOPE\",\"date\":\"2025-11-02\",\"analyte\":\"platelets\",\"value\":-1}", NULL},
    {"schedule.show", "{\"patient\":\"NOPE\"}", NULL},
    {"due.list", "{\"from\":\"2025-12-01\",\"to\":\"2025-12-31\"}", NULL},
    {"audit.verify", "{}", "the chain check needs no user (the CLI's audit verify reads the file)"},
    {"users.me", "{}", "names the acting user, whoever it is"},
    {"records.profile", "{\"patient\":\"NOPE\",\"birth_date\":\"2090-01-01\",\"sex\":\"female\",\"weight\":68}", NULL},
    {"records.anchor", "{\"patient\":\"NOPE\",\"anchor\":\"surgery\",\"date\":\"2025-09-10\"}", NULL},
    {"records.actual", "{\"patient\":\"NOPE\",\"entry\":\"nope\",\"date\":\"2025-11-22\"}", NULL},
    {"records.ae", "{\"patient\":\"NOPE\",\"term\":\"Nausea\",\"grade\":1,\"start\":\"2090-01-01\"}", NULL},
    {"records.assessment", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"modality\":\"ct\"}", NULL},
    {"records.questionnaire", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"items\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}", NULL},
    {"records.event", "{\"patient\":\"NOPE\",\"type\":\"death\",\"date\":\"2090-01-01\"}", NULL},
    {"doses.decide", "{\"patient\":\"NOPE\",\"cycle\":1,\"date\":\"2090-01-01\"}", NULL},
    {"doses.administration", "{\"patient\":\"NOPE\",\"cycle\":1,\"prescribed\":1,\"before\":1,\"before_at\":\"2025-11-04T08:30:00Z\",\"residual\":0,\"residual_at\":\"2025-11-04T09:45:00Z\",\"start\":\"2025-11-04T09:00:00Z\",\"end\":\"2025-11-04T09:30:00Z\"}", NULL},
    {"doses.deviation", "{\"patient\":\"NOPE\",\"cycle\":1,\"activity\":8000,\"reason\":\"x\"}", NULL},
    {"oral.show", "{\"patient\":\"NOPE\"}", NULL},
    {"oral.start", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\"}", NULL},
    {"oral.dose", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"dose\":5,\"cause\":\"x\"}", NULL},
    {"oral.interrupt", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"cause\":\"x\"}", NULL},
    {"oral.resume", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\"}", NULL},
    {"oral.stop", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"cause\":\"x\"}", NULL},
    {"oral.dispense", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"tablets\":1,\"strength\":10}", NULL},
    {"oral.return", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\",\"returned\":1}", NULL},
    {"oral.decide", "{\"patient\":\"NOPE\",\"date\":\"2090-01-01\"}", NULL},
    {"list.labs", "{}", NULL},
    {"list.aes", "{}", NULL},
    {"list.administrations", "{}", NULL},
    {"list.doses", "{}", NULL},
    {"list.dispensing", "{}", NULL},
    {"list.events", "{}", NULL},
    {"list.assessments", "{}", NULL},
    {"list.questionnaires", "{}", NULL},
    {"list.consents", "{}", NULL},
    {"list.deviations", "{}", NULL},
    {"list.signatures", "{}", NULL},
    {"outcomes.list", "{}", NULL},
    {"patients.casebook", "{\"patient\":\"NOPE\"}", NULL},
    {"endpoints.dataset", "{\"endpoint\":\"DFS\"}", NULL},
    {"analyse.proportion", "{}", NULL},
    {"analyse.km", "{\"endpoint\":\"DFS\",\"times\":\"6,12\"}", NULL},
    {"analyse.logrank", "{\"endpoint\":\"DFS\"}", NULL},
    {"analyse.cox", "{\"endpoint\":\"DFS\"}", NULL},
    {"analyse.rmst", "{\"endpoint\":\"DFS\",\"tau\":\"24\"}", NULL},
    {"audit.log", "{}", NULL},
    {"audit.head", "{}", "the store's head needs no user (the CLI's audit head reads the file); the row "
                         "keeps it to the audit roles, as audit.verify"},
    {"trial.show", "{}", NULL},
    {"allocations.replay", "{}", NULL},
    {"patients.treat", "{\"patient\":\"NOPE\",\"date\":\"2020-01-01\"}", NULL},
    {"patients.follow_up", "{\"patient\":\"NOPE\",\"date\":\"2020-01-01\"}", NULL},
    {"patients.end", "{\"patient\":\"NOPE\",\"why\":\"completed\",\"date\":\"2020-01-01\"}", NULL},
    {"patients.strata", "{\"patient\":\"NOPE\",\"strata\":{\"x\":\"y\"}}", NULL},
    {"sites.add", "{\"code\":\"S1\",\"name\":\"again\"}", NULL},
    {"users.add", "{\"name\":\"u0\",\"role\":\"coordinator\",\"sites\":[\"S1\"]}", NULL},
    {"users.deactivate", "{\"name\":\"u0\"}", NULL},
    {"users.activate", "{\"name\":\"u0\"}", NULL},
    {"tokens.create", "{\"for\":\"u0\",\"expires\":0}", "every user makes its own; another's is the admin's (the library's rule)"},
    {"tokens.revoke", "{\"id\":\"0000000000000000\"}", "every user revokes its own; another's is the admin's"},
    /* signing: the role is checked first, then the record (NOPE: not found), then the user name
     * and password (the lock's empty password: refused before it is verified, so nothing is
     * written, not even a failed attempt) */
    {"signatures.confirm", "{\"patient\":\"NOPE\",\"password\":\"x\"}", NULL},
    {"signatures.casebook", "{\"patient\":\"NOPE\",\"password\":\"x\"}", NULL},
    {"signatures.decision", "{\"record\":\"NOPE/C01/001\",\"password\":\"x\"}", NULL},
    {"signatures.ae", "{\"record\":\"NOPE/AE001\",\"password\":\"x\"}", NULL},
    {"signatures.lock", "{\"password\":\"\"}", NULL},
    {"signatures.list", "{}", NULL},
    /* your own account: every role, refused for the empty password before it is verified (so
     * that nothing is written, not even a failed attempt) */
    {"users.password", "{\"current\":\"\",\"new\":\"long-enough-and-rare-77\"}", NULL},
    {"users.totp.enrol", "{\"password\":\"\"}", NULL},
    {"users.totp.remove", "{\"password\":\"\",\"code\":\"123456\"}", NULL},
    /* administration (ops_admin.c): the role first, then a document that is no protocol, a
     * missing user, an empty password */
    {"trial.amend", "{\"protocol\":{},\"version\":\"9.9\",\"effective\":\"2090-01-01\"}", NULL},
    {"users.bind", "{\"name\":\"NOPE\",\"os_users\":[\"nobody\"]}", NULL},
    /* u1 is the coordinator: its own password is refused here (users.password needs the
     * current one), anyone else's by the library */
    {"users.set_password", "{\"name\":\"u1\",\"password\":\"\"}", NULL},
    {"users.set", "{\"name\":\"NOPE\",\"role\":\"monitor\"}", NULL},
    {"tokens.list", "{}", "every user lists its own tokens; everyone's is the admin's (the "
                          "library's query)"},
    {"schedule.ics", "{\"patient\":\"NOPE\"}", NULL},
    {"users.full_name", "{\"name\":\"NOPE\",\"full_name\":\"No One\"}", NULL},
    {"reports.consort", "{\"cutoff\":\"2025-12-31\"}", NULL},
    {"reports.consort_closed", "{}", NULL},
    {"reports.dsmb_page", "{\"cutoff\":\"2025-12-31\"}", NULL},
    {"reports.dsmb_closed_page", "{}", NULL},
    {"exports.odm", "{}", NULL},
    {"outcomes.qol", "{}", NULL},
    {"outcomes.responses", "{}", NULL},
};

static void test_roles_agree(void)
{
    const char *src = getenv("SRC");
    char dir[] = "/tmp/lt_ops_XXXXXX", db[64], protocol[512], example[512];
    if (!src || !mkdtemp(dir)) {
        CHECK_MSG(false, "SRC not set or no temporary folder");
        return;
    }
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    snprintf(example, sizeof example, "%s/examples/nelmas-01-eligible.json", src);
    lt_error err;
    lt_error_clear(&err);
    lt_trial *admin = NULL, *t[LT_ROLE_COUNT] = {0};
    const char *all[] = {"*"};
    char *patient = NULL;
    size_t plen = 0;
    bool ok = lt_trial_create(db, protocol, NULL, "admin", &err) == LT_OK &&
              lt_trial_open(db, "admin", &admin, &err) == LT_OK &&
              lt_trial_site_add(admin, "S1", "One", &err) == LT_OK &&
              lt_file_read(example, &patient, &plen, &err) == LT_OK;
    for (int r = 0; ok && r < LT_ROLE_COUNT; r++) {
        char name[32];
        snprintf(name, sizeof name, "u%d", r);
        ok = lt_trial_user_add(admin, name, (lt_role)r, all, 1, &err) == LT_OK &&
             lt_trial_open(db, name, &t[r], &err) == LT_OK;
    }
    CHECK_MSG(ok, "setup: %s: %s", err.where, err.message);
    for (size_t i = 0; ok && i < lt_ops_count(); i++) {
        const lt_op *op = lt_ops_at(i);
        size_t k = 0;
        while (k < sizeof role_cases / sizeof role_cases[0] && strcmp(role_cases[k].op, op->name)) k++;
        if (k == sizeof role_cases / sizeof role_cases[0]) {
            CHECK_MSG(false, "%s: no case in role_cases", op->name);
            continue;
        }
        if (role_cases[k].exempt) continue;
        /* '@' stands for the example patient document */
        const char *at = strchr(role_cases[k].args, '@');
        lt_buf b = LT_BUF_INIT;
        if (at)
            lt_buf_printf(&b, "%.*s%s%s", (int)(at - role_cases[k].args), role_cases[k].args,
                          patient, at + 1);
        else
            lt_buf_puts(&b, role_cases[k].args);
        lt_json *args = NULL;
        CHECK(lt_json_parse(b.p, b.n, op->name, &args, &err) == LT_OK);
        CHECK_MSG(lt_ops_check_args(op, args, &err) == LT_OK, "%s: %s: %s", op->name, err.where,
                  err.message);
        for (int r = 0; r < LT_ROLE_COUNT; r++) {
            lt_buf out = LT_BUF_INIT;
            lt_error_clear(&err);
            lt_status rc = op->run(t[r], args, &out, &err);
            bool row = lt_ops_allowed(op, (lt_role)r);
            CHECK_MSG((rc == LT_EPERM) == !row, "%s as %s: the row %s, the library answers %s (%s)",
                      op->name, lt_role_name((lt_role)r), row ? "allows" : "refuses",
                      lt_strerror(rc), err.message);
            /* nothing was written: the arguments are refused after the role check */
            CHECK_MSG(rc != LT_OK || !op->changes, "%s as %s: the case changed the store",
                      op->name, lt_role_name((lt_role)r));
            lt_buf_free(&out);
        }
        lt_json_free(args);
        lt_buf_free(&b);
    }
    for (int r = 0; r < LT_ROLE_COUNT; r++) lt_trial_close(t[r]);
    lt_trial_close(admin);
    free(patient);
    char path[128];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void test_http_status(void)
{
    CHECK_INT((long)lt_server_http_status(LT_OK), 200);
    CHECK_INT((long)lt_server_http_status(LT_EPERM), 403);
    CHECK_INT((long)lt_server_http_status(LT_ENOTFOUND), 404);
    CHECK_INT((long)lt_server_http_status(LT_ECONFLICT), 409);
    CHECK_INT((long)lt_server_http_status(LT_ESTATE), 409);
    CHECK_INT((long)lt_server_http_status(LT_EINVAL), 400);
    CHECK_INT((long)lt_server_http_status(LT_EPARSE), 400);
    /* every status has a code of its own choosing: an error is never answered 200 */
    for (int s = 1; s < LT_STATUS_COUNT; s++) {
        unsigned h = lt_server_http_status((lt_status)s);
        CHECK_MSG(h >= 400 && h < 600, "status %d -> %u", s, h);
    }
    CHECK_INT((long)lt_server_http_status(LT_STATUS_COUNT), 500);
}

int main(void)
{
    test_rows();
    test_check_args();
    test_openapi();
    test_roles_agree();
    test_http_status();
    return lt_test_done();
}
