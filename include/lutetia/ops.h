/* The operations table: every operation a person asks of a running trial is one row (name,
 * HTTP method and path, parameters with types, the roles that may, the handler). The server's
 * routes and its OpenAPI document are generated from these rows, and each handler calls the
 * same library function the matching CLI verb calls, so both doors refuse and answer alike.
 * Handlers take their arguments as one JSON object named by parameter ("patient", "as_of")
 * and answer one JSON document. */
#ifndef LUTETIA_OPS_H
#define LUTETIA_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "status.h"
#include "trial.h"

typedef enum lt_op_type {
    LT_OP_STRING = 0,
    LT_OP_DATE,    /* a civil date, YYYY-MM-DD */
    LT_OP_NUMBER,
    LT_OP_BOOL,
    LT_OP_OBJECT,  /* a JSON object, read by the handler's own reader (a patient document) */
    LT_OP_TIME,    /* an RFC 3339 time with its zone, 2026-03-01T09:30:00Z */
    LT_OP_ARRAY,   /* a JSON array, read by the handler (lesions, questionnaire items, sites) */
} lt_op_type;

typedef enum lt_op_in {
    LT_OP_IN_PATH = 0, /* a {name} segment of the path */
    LT_OP_IN_QUERY,    /* ?name=value */
    LT_OP_IN_BODY,     /* a member of the JSON body */
} lt_op_in;

typedef struct lt_op_param {
    const char *name;
    lt_op_type type;
    lt_op_in in;
    bool required;
    const char *doc;
} lt_op_param;

/* an administration has the most: its activities, times and acknowledgements */
#define LT_OP_MAX_PARAMS 24
#define LT_OP_ROLE(r) (1u << (r))
#define LT_OP_EVERY_ROLE ((1u << LT_ROLE_COUNT) - 1u)

typedef struct lt_op {
    const char *name;     /* "patients.consent" */
    const char *method;   /* "GET", "POST" */
    const char *path;     /* "/api/v1/patients/{patient}/consent" */
    const char *summary;
    const char *cli;      /* the verb doing the same on the command line */
    unsigned roles;       /* LT_OP_ROLE bits of the roles that may */
    bool patient;         /* the path names a patient the user must be able to see */
    bool changes;         /* changes the store (needs the CSRF token with a cookie) */
    lt_op_param params[LT_OP_MAX_PARAMS];
    /* args: the checked arguments; out: the answer, one JSON document */
    lt_status (*run)(lt_trial *t, const lt_json *args, lt_buf *out, lt_error *err);
} lt_op;

LT_API size_t lt_ops_count(void);
LT_API const lt_op *lt_ops_at(size_t i);
LT_API const lt_op *lt_ops_find(const char *name);

/* Checks args (a JSON object) against op's parameters: every member a known parameter, none
 * twice (cJSON keeps duplicates: they are refused here, not silently resolved), each of its
 * type, the required ones present. LT_EINVAL with err->where the parameter's name. */
LT_API lt_status lt_ops_check_args(const lt_op *op, const lt_json *args, lt_error *err);
/* Refuses a role the row does not allow (LT_EPERM), a patient the user cannot see
 * (LT_ENOTFOUND, the same answer as a missing one), then runs the handler. */
LT_API lt_status lt_ops_call(const lt_op *op, lt_trial *t, const lt_json *args, lt_buf *out,
                             lt_error *err);
/* The media type of op's answer: "application/json", or another for the few rows that answer
 * a file ("text/calendar; charset=utf-8" for the iCalendar calendar). */
LT_API const char *lt_ops_media_type(const lt_op *op);
/* Whether role may run op by its row. */
LT_API bool lt_ops_allowed(const lt_op *op, lt_role role);

/* The OpenAPI 3.1 document of the table and of the fixed routes the server adds (sign-in,
 * health, metrics). */
LT_API void lt_ops_openapi(lt_buf *out);

#endif
