/* The OpenAPI 3.1 document, generated from the operations table and the server's fixed routes
 * (sign-in, health, metrics, this document), so that it cannot drift from what is served. */
#include <stdio.h>
#include <string.h>
#include "lutetia/ops.h"

#define LT_OPENAPI_VERSION "0.1.0"

static const char *schema_of(lt_op_type t)
{
    switch (t) {
    case LT_OP_STRING: return "{\"type\":\"string\"}";
    case LT_OP_DATE: return "{\"type\":\"string\",\"format\":\"date\"}";
    case LT_OP_NUMBER: return "{\"type\":\"number\"}";
    case LT_OP_BOOL: return "{\"type\":\"boolean\"}";
    case LT_OP_OBJECT: return "{\"type\":\"object\"}";
    case LT_OP_TIME: return "{\"type\":\"string\",\"format\":\"date-time\"}";
    case LT_OP_ARRAY: return "{\"type\":\"array\"}";
    }
    return "{}";
}

static const char *const problem_response =
    "\"default\":{\"description\":\"an RFC 9457 problem: status, title, detail and the "
    "parameter concerned\",\"content\":{\"application/problem+json\":{\"schema\":"
    "{\"$ref\":\"#/components/schemas/Problem\"}}}}";

static void method_lower(lt_buf *out, const char *m)
{
    for (const char *p = m; *p; p++) lt_buf_putc(out, (char)(*p - 'A' + 'a'));
}

static void operation(lt_buf *out, const lt_op *op)
{
    lt_buf_putc(out, '"');
    method_lower(out, op->method);
    lt_buf_puts(out, "\":{\"operationId\":");
    lt_buf_json_str(out, op->name);
    lt_buf_puts(out, ",\"summary\":");
    lt_buf_json_str(out, op->summary);
    lt_buf_puts(out, ",\"description\":");
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b, "The command line does the same with `%s`. Roles:", op->cli);
    for (int r = 0; r < LT_ROLE_COUNT; r++)
        if (lt_ops_allowed(op, (lt_role)r)) lt_buf_printf(&b, " %s", lt_role_name((lt_role)r));
    lt_buf_puts(&b, op->patient ? ". A patient of a site the user is not bound to is answered "
                                  "404, as a missing one."
                                : ".");
    lt_buf_json_str(out, lt_buf_str(&b));
    lt_buf_free(&b);
    lt_buf_puts(out, ",\"x-roles\":[");
    bool first = true;
    for (int r = 0; r < LT_ROLE_COUNT; r++)
        if (lt_ops_allowed(op, (lt_role)r)) {
            lt_buf_puts(out, first ? "" : ",");
            lt_buf_json_str(out, lt_role_name((lt_role)r));
            first = false;
        }
    lt_buf_puts(out, "],\"parameters\":[");
    first = true;
    bool body = false;
    for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++) {
        const lt_op_param *p = &op->params[i];
        if (p->in == LT_OP_IN_BODY) {
            body = true;
            continue;
        }
        lt_buf_puts(out, first ? "{\"name\":" : ",{\"name\":");
        first = false;
        lt_buf_json_str(out, p->name);
        lt_buf_printf(out, ",\"in\":\"%s\",\"required\":%s,\"description\":",
                      p->in == LT_OP_IN_PATH ? "path" : "query",
                      p->required ? "true" : "false");
        lt_buf_json_str(out, p->doc);
        lt_buf_printf(out, ",\"schema\":%s}", schema_of(p->type));
    }
    lt_buf_putc(out, ']');
    if (body) {
        lt_buf_puts(out, ",\"requestBody\":{\"required\":true,\"content\":{\"application/json\":"
                         "{\"schema\":{\"type\":\"object\",\"additionalProperties\":false,"
                         "\"properties\":{");
        first = true;
        for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++) {
            const lt_op_param *p = &op->params[i];
            if (p->in != LT_OP_IN_BODY) continue;
            lt_buf_puts(out, first ? "" : ",");
            first = false;
            lt_buf_json_str(out, p->name);
            lt_buf_printf(out, ":{\"allOf\":[%s],\"description\":", schema_of(p->type));
            lt_buf_json_str(out, p->doc);
            lt_buf_putc(out, '}');
        }
        lt_buf_puts(out, "},\"required\":[");
        first = true;
        for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++)
            if (op->params[i].in == LT_OP_IN_BODY && op->params[i].required) {
                lt_buf_puts(out, first ? "" : ",");
                first = false;
                lt_buf_json_str(out, op->params[i].name);
            }
        lt_buf_puts(out, "]}}}}");
    }
    /* a row answering a file says its media type (text/calendar), without a JSON schema */
    const char *media = lt_ops_media_type(op);
    if (!strcmp(media, "application/json"))
        lt_buf_printf(out, ",\"responses\":{\"200\":{\"description\":\"the answer\",\"content\":"
                           "{\"application/json\":{\"schema\":{\"type\":\"object\"}}}},%s}}",
                      problem_response);
    else {
        char type[64];
        snprintf(type, sizeof type, "%.*s", (int)strcspn(media, ";"), media);
        lt_buf_printf(out, ",\"responses\":{\"200\":{\"description\":\"the answer\",\"content\":"
                           "{\"%s\":{\"schema\":{\"type\":\"string\"}}}},%s}}",
                      type, problem_response);
    }
}

/* The routes the server adds beside the table (src/server/server.c). */
static const char *const fixed_paths =
    "\"/healthz\":{\"get\":{\"operationId\":\"healthz\",\"summary\":\"liveness: the server "
    "answers and the store opens\",\"security\":[],\"responses\":{\"200\":{\"description\":"
    "\"ok\"}}}},"
    "\"/metrics\":{\"get\":{\"operationId\":\"metrics\",\"summary\":\"Prometheus text: requests "
    "by route and status, latency histogram\",\"security\":[],\"responses\":{\"200\":"
    "{\"description\":\"metrics\",\"content\":{\"text/plain\":{}}}}}},"
    "\"/api/v1/openapi.json\":{\"get\":{\"operationId\":\"openapi\",\"summary\":\"this "
    "document\",\"security\":[],\"responses\":{\"200\":{\"description\":\"OpenAPI 3.1\"}}}},"
    "\"/api/v1/session\":{\"post\":{\"operationId\":\"session.create\",\"summary\":\"sign in "
    "with user and password: sets the session cookie and returns the CSRF token\","
    "\"security\":[],\"requestBody\":{\"required\":true,\"content\":{\"application/json\":"
    "{\"schema\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"user\":"
    "{\"type\":\"string\"},\"password\":{\"type\":\"string\"},\"totp\":{\"type\":"
    "\"string\",\"description\":\"the one-time code of a user enrolled in a second factor "
    "(lutetia user totp)\"}},\"required\":[\"user\","
    "\"password\"]}}}},\"responses\":{\"200\":{\"description\":\"signed in: {user, csrf_token}"
    "\"},\"default\":{\"$ref\":\"#/components/responses/Problem\"}}},"
    "\"delete\":{\"operationId\":\"session.delete\",\"summary\":\"sign out\",\"parameters\":"
    "[{\"name\":\"everywhere\",\"in\":\"query\",\"required\":false,\"description\":\"true: "
    "end every session of the user, not only this one\",\"schema\":{\"type\":\"boolean\"}}],"
    "\"responses\":"
    "{\"200\":{\"description\":\"signed out\"},\"default\":{\"$ref\":"
    "\"#/components/responses/Problem\"}}}}";

void lt_ops_openapi(lt_buf *out)
{
    lt_buf_puts(out,
                "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"Lutetia\",\"version\":\"" LT_OPENAPI_VERSION
                "\",\"description\":\"Running a radioligand-therapy trial over HTTP: every "
                "operation is a row of the library's operations table (src/ops/ops.c), the "
                "same the command line uses. docs/server.md describes sign-in and errors.\"},"
                "\"components\":{\"securitySchemes\":{\"session\":{\"type\":\"apiKey\",\"in\":"
                "\"cookie\",\"name\":\"lutetia_session\",\"description\":\"from POST "
                "/api/v1/session; a change also needs the X-CSRF-Token header\"},\"bearer\":"
                "{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":\"an API token from "
                "lutetia token create\"}},\"schemas\":{\"Problem\":{\"type\":\"object\","
                "\"properties\":{\"type\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},"
                "\"status\":{\"type\":\"integer\"},\"detail\":{\"type\":\"string\"},\"param\":"
                "{\"type\":\"string\"},\"code\":{\"type\":\"string\"}}}},\"responses\":"
                "{\"Problem\":{\"description\":\"an RFC 9457 problem\",\"content\":"
                "{\"application/problem+json\":{\"schema\":{\"$ref\":"
                "\"#/components/schemas/Problem\"}}}}}},"
                "\"security\":[{\"session\":[]},{\"bearer\":[]}],\"paths\":{");
    lt_buf_puts(out, fixed_paths);
    size_t n = lt_ops_count();
    for (size_t i = 0; i < n; i++) {
        const lt_op *op = lt_ops_at(i);
        bool seen = false;
        for (size_t k = 0; k < i; k++) seen = seen || !strcmp(lt_ops_at(k)->path, op->path);
        if (seen) continue; /* written with the first row of its path */
        lt_buf_puts(out, ",");
        lt_buf_json_str(out, op->path);
        lt_buf_puts(out, ":{");
        bool first = true;
        for (size_t k = i; k < n; k++)
            if (!strcmp(lt_ops_at(k)->path, op->path)) {
                lt_buf_puts(out, first ? "" : ",");
                first = false;
                operation(out, lt_ops_at(k));
            }
        lt_buf_putc(out, '}');
    }
    lt_buf_puts(out, "}}");
}
