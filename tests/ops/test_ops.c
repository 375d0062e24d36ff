/* The operations table (src/ops): every row well formed, the argument check as a table of
 * cases (arguments, expected status, the parameter named), the OpenAPI document made from the
 * rows, and the one status-to-HTTP table covering every status. */
#include <string.h>
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
    test_http_status();
    return lt_test_done();
}
