/* In-place RFC 4180 reader. Fields are unquoted and NUL-terminated inside the caller's buffer,
 * which keeps large analysis files (ten million rows) free of per-row allocation. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/csv.h"

struct lt_csv {
    char *p, *end;
    char delim;
    size_t line;        /* line of the next unread character */
    size_t record_line; /* line where the last record began */
    const char **fields;
    size_t nfields, cap;
    char name[200];
};

lt_status lt_csv_new(char *data, size_t len, const char *name, char delim, lt_csv **out,
                     lt_error *err)
{
    lt_csv *c = calloc(1, sizeof *c);
    if (!c) LT_FAIL(err, LT_ENOMEM, name, "out of memory");
    c->p = data;
    c->end = data + len;
    *c->end = '\0';
    c->delim = delim;
    c->line = 1;
    snprintf(c->name, sizeof c->name, "%s", name ? name : "<csv>");
    /* a UTF-8 byte-order mark is not part of the first column's name */
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        c->p += 3;
    *out = c;
    return LT_OK;
}

void lt_csv_free(lt_csv *c)
{
    if (!c) return;
    free(c->fields);
    free(c);
}

static bool push_field(lt_csv *c, const char *f)
{
    if (c->nfields == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        const char **nf = realloc(c->fields, cap * sizeof *nf);
        if (!nf) return false;
        c->fields = nf;
        c->cap = cap;
    }
    c->fields[c->nfields++] = f;
    return true;
}

int lt_csv_next(lt_csv *c, const char ***fields, size_t *n, lt_error *err)
{
    char where[256];
    /* skip blank lines */
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\n') c->line++;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    c->record_line = c->line;
    c->nfields = 0;
    for (;;) {
        char *field = c->p;
        if (*c->p == '"') {
            char *w = c->p;
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    snprintf(where, sizeof where, "%s:%zu", c->name, c->record_line);
                    lt_error_set(err, LT_EPARSE, where,
                                 "expected a closing quote, found the end of the file");
                    return -1;
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        *w++ = '"';
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n') c->line++;
                *w++ = *c->p++;
            }
            if (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r') {
                snprintf(where, sizeof where, "%s:%zu", c->name, c->line);
                lt_error_set(err, LT_EPARSE, where,
                             "expected a separator after a quoted field, found '%c'", *c->p);
                return -1;
            }
            *w = '\0'; /* w is behind c->p: at least the two quotes were consumed */
        } else {
            while (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"') {
                    snprintf(where, sizeof where, "%s:%zu", c->name, c->line);
                    lt_error_set(err, LT_EPARSE, where,
                                 "expected a quote only at the start of a field, found one "
                                 "inside field %zu",
                                 c->nfields + 1);
                    return -1;
                }
                c->p++;
            }
        }
        if (!push_field(c, field)) {
            lt_error_set(err, LT_ENOMEM, c->name, "out of memory");
            return -1;
        }
        char sep = '\n'; /* the end of the data ends the record */
        if (c->p < c->end) sep = *c->p;
        /* for a quoted field the value was already terminated in place; for a plain field the
         * separator itself becomes the terminator */
        if (c->p < c->end) *c->p = '\0';
        c->p++;
        if (sep == c->delim) continue;
        if (sep == '\r' && c->p < c->end && *c->p == '\n') c->p++;
        if (c->p <= c->end) c->line++;
        break;
    }
    *fields = c->fields;
    *n = c->nfields;
    return 1;
}

size_t lt_csv_line(const lt_csv *c)
{
    return c->record_line;
}

const char *lt_csv_name(const lt_csv *c)
{
    return c->name;
}
