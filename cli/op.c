/* `lutetia op NAME --param value ...`: any row of the operations table from the command line,
 * the door the server is, read from the same row: `--birth-date 1962-03-14` becomes the
 * argument birth_date, the row checks it, says who may, calls the handler, and the answer is
 * the row's JSON document, what the server sends for the same request. The help of each
 * operation is generated from its row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/ops.h"

static const char *type_word(lt_op_type t)
{
    switch (t) {
    case LT_OP_STRING:
        return "TEXT";
    case LT_OP_DATE:
        return "YYYY-MM-DD";
    case LT_OP_NUMBER:
        return "N";
    case LT_OP_BOOL:
        return "";
    case LT_OP_OBJECT:
        return "JSON-OBJECT";
    case LT_OP_TIME:
        return "RFC3339-TIME";
    case LT_OP_ARRAY:
        return "JSON-ARRAY";
    }
    return "VALUE";
}

/* The option of a parameter: birth_date -> birth-date. */
static void option_of(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", name);
    for (char *p = out; *p; p++)
        if (*p == '_') *p = '-';
}

static void list_help(FILE *f)
{
    fputs("usage: lutetia op NAME [--PARAMETER VALUE ...] [--db FILE] [--user NAME]\n"
          "       lutetia op NAME --help\n\n"
          "Runs one operation of the library's operations table, as the server does for its\n"
          "route, and prints its JSON answer. The operations:\n\n",
          f);
    for (size_t i = 0; i < lt_ops_count(); i++) {
        const lt_op *op = lt_ops_at(i);
        fprintf(f, "  %-22s %s\n", op->name, op->summary);
    }
}

static void op_help(const lt_op *op)
{
    printf("usage: lutetia op %s", op->name);
    for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++) {
        char o[64];
        option_of(op->params[i].name, o, sizeof o);
        const char *w = type_word(op->params[i].type);
        printf(op->params[i].required ? " --%s%s%s" : " [--%s%s%s]", o, *w ? " " : "", w);
    }
    printf(" [--db FILE] [--user NAME]\n\n%s.\nOver HTTP: %s %s. The same with its own options: "
           "%s.\nWho may:",
           op->summary, op->method, op->path, op->cli);
    for (int r = 0; r < LT_ROLE_COUNT; r++)
        if (lt_ops_allowed(op, (lt_role)r)) printf(" %s", lt_role_name((lt_role)r));
    printf(".\n\n");
    for (size_t i = 0; i < LT_OP_MAX_PARAMS && op->params[i].name; i++) {
        char o[64];
        option_of(op->params[i].name, o, sizeof o);
        printf("  --%-22s %s\n", o, op->params[i].doc);
    }
}

int lt_cmd_op(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        list_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const lt_op *op = lt_ops_find(argv[1]);
    if (!op) {
        const char **names = calloc(lt_ops_count() + 1, sizeof *names);
        for (size_t i = 0; names && i < lt_ops_count(); i++)
            names[i] = lt_ops_at(i)->name;
        const char *near = names ? lt_cli_nearest(argv[1], names) : NULL;
        int rc =
            near ? lt_cli_usage_error("op", "no operation '%s'; did you mean '%s'?", argv[1], near)
                 : lt_cli_usage_error("op", "no operation '%s' (lutetia op --help lists them)",
                                      argv[1]);
        free(names);
        return rc;
    }
    /* --name value pairs into the row's named arguments, typed by the row */
    const char *db = NULL, *user = NULL;
    lt_buf a = LT_BUF_INIT;
    lt_buf_putc(&a, '{');
    bool first = true;
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) {
            lt_buf_free(&a);
            op_help(op);
            return 0;
        }
        if (strncmp(k, "--", 2) != 0) {
            lt_buf_free(&a);
            return lt_cli_usage_error("op", "unexpected argument '%s'", k);
        }
        if ((!strcmp(k, "--db") || !strcmp(k, "--user")) && i + 1 < argc) {
            *(!strcmp(k, "--db") ? &db : &user) = argv[++i];
            continue;
        }
        const lt_op_param *p = NULL;
        for (size_t j = 0; j < LT_OP_MAX_PARAMS && op->params[j].name && !p; j++) {
            char o[64];
            option_of(op->params[j].name, o, sizeof o);
            if (!strcmp(o, k + 2)) p = &op->params[j];
        }
        if (!p) {
            lt_buf_free(&a);
            return lt_cli_usage_error(op->name, "unknown option %s (lutetia op %s --help)", k,
                                      op->name);
        }
        lt_buf_puts(&a, first ? "" : ",");
        first = false;
        lt_buf_json_str(&a, p->name);
        lt_buf_putc(&a, ':');
        if (p->type == LT_OP_BOOL) {
            lt_buf_puts(&a, "true");
            continue;
        }
        if (i + 1 >= argc) {
            lt_buf_free(&a);
            return lt_cli_usage_error(op->name, "%s needs a value", k);
        }
        const char *v = argv[++i];
        double x;
        if (p->type == LT_OP_NUMBER) {
            if (!lt_parse_double(v, &x)) {
                lt_buf_free(&a);
                return lt_cli_usage_error(op->name, "%s: expected a number, found '%s'", k, v);
            }
            lt_buf_printf(&a, "%.17g", x);
        } else if (p->type == LT_OP_OBJECT || p->type == LT_OP_ARRAY) {
            lt_buf_puts(&a, v); /* JSON text, parsed (and refused if it is not) below */
        } else {
            lt_buf_json_str(&a, v);
        }
    }
    lt_buf_putc(&a, '}');
    lt_error err;
    lt_error_clear(&err);
    lt_json *args = NULL;
    if (lt_buf_failed(&a) || lt_json_parse(a.p, a.n, "arguments", &args, &err) != LT_OK) {
        lt_buf_free(&a);
        return lt_cli_usage_error(op->name, "the JSON value of an option does not parse: %s",
                                  err.message);
    }
    lt_buf_free(&a);
    lt_trial *t = NULL;
    int rc = (op->changes ? lt_cli_open_trial : lt_cli_open_trial_read)(lt_cli_db(db),
                                                                        lt_cli_user(user), &t);
    if (rc) {
        lt_json_free(args);
        return rc;
    }
    lt_buf out = LT_BUF_INIT;
    if (lt_ops_call(op, t, args, &out, &err) != LT_OK) {
        /* the row names its parameter; this door shows it as its option */
        for (size_t j = 0; j < LT_OP_MAX_PARAMS && op->params[j].name; j++)
            if (!strcmp(err.where, op->params[j].name)) {
                char o[64];
                option_of(op->params[j].name, o, sizeof o);
                snprintf(err.where, sizeof err.where, "--%s", o);
            }
        rc = lt_cli_fail(&err);
    } else {
        /* some documents end with their newline already (the listings) */
        if (!out.n || out.p[out.n - 1] != '\n') lt_buf_putc(&out, '\n');
        rc = lt_cli_print_buf(&out);
    }
    lt_buf_free(&out);
    lt_json_free(args);
    lt_trial_close(t);
    return rc;
}
