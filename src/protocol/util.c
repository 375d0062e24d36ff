/* Small pieces the protocol module's validation stands on: an arena for the compiled model,
 * the issue list, JSON paths in display form, and finding a path's line:column in the text
 * (keys such as "E12.3" hold dots, so paths quote them: criteria["E12.3"].rule). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct lt__pa_block {
    lt__pa_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *lt__pa_alloc(lt__pa *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0) n = sizeof(max_align_t);
    lt__pa_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        b = malloc(sizeof *b + cap);
        if (!b) {
            a->failed = true;
            return NULL;
        }
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *lt__pa_strdup(lt__pa *a, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = lt__pa_alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

void lt__pa_free(lt__pa *a)
{
    lt__pa_block *b = a->head;
    while (b) {
        lt__pa_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void lt__issue(lt__issues *iss, const char *code, const char *path, const char *fmt, ...)
{
    if (iss->n == iss->cap) {
        size_t cap = iss->cap ? iss->cap * 2 : 16;
        lt_protocol_issue *v = realloc(iss->v, cap * sizeof *v);
        if (!v) {
            iss->oom = true;
            return;
        }
        iss->v = v;
        iss->cap = cap;
    }
    lt_protocol_issue *e = &iss->v[iss->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code ? code : "");
    snprintf(e->version, sizeof e->version, "%s", iss->version ? iss->version : "");
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    if (!iss->text) return;
    /* the nearest enclosing value that exists in the text: in the version's patch first */
    char p[LT_ERROR_WHERE_MAX];
    snprintf(p, sizeof p, "%s", e->path);
    for (;;) {
        if (iss->patch_prefix) {
            char full[2 * LT_ERROR_WHERE_MAX];
            snprintf(full, sizeof full, "%s%s%s", iss->patch_prefix, p[0] && p[0] != '[' ? "." : "",
                     p);
            if (lt__locate(iss->text, iss->len, full, &e->line, &e->col)) return;
        }
        if (lt__locate(iss->text, iss->len, p, &e->line, &e->col)) return;
        if (!p[0]) return;
        /* drop the last segment */
        size_t k = strlen(p);
        if (p[k - 1] == ']') {
            bool quoted = k >= 2 && p[k - 2] == '"';
            size_t j = k - 1;
            if (quoted) {
                j = k - 3;
                while (j > 0 && !(p[j] == '"' && p[j - 1] == '['))
                    j--;
                j = j > 0 ? j - 1 : 0;
            } else {
                while (j > 0 && p[j] != '[')
                    j--;
            }
            p[j] = '\0';
        } else {
            size_t j = k;
            while (j > 0 && p[j - 1] != '.' && p[j - 1] != ']')
                j--;
            p[j > 0 && p[j - 1] == '.' ? j - 1 : j] = '\0';
        }
    }
}

static bool needs_quote(const char *key)
{
    return !key[0] || strpbrk(key, ".[]\"") != NULL;
}

void lt__path_key(char *out, size_t cap, const char *parent, const char *key)
{
    if (needs_quote(key))
        snprintf(out, cap, "%s[\"%s\"]", parent, key);
    else
        snprintf(out, cap, "%s%s%s", parent, parent[0] ? "." : "", key);
}

void lt__path_index(char *out, size_t cap, const char *parent, size_t i)
{
    snprintf(out, cap, "%s[%zu]", parent, i);
}

/* ---- locating a display path in the text ------------------------------------------------
 * A scanner over text that already parsed as JSON: it follows the path without a tree. */

typedef struct {
    const char *p, *end;
} scan;

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static bool str_skip(scan *s)
{
    if (s->p >= s->end || *s->p != '"') return false;
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\')
            s->p++;
        else if (*s->p == '"') {
            s->p++;
            return true;
        }
    }
    return false;
}

static bool value_skip(scan *s)
{
    ws(s);
    if (s->p >= s->end) return false;
    if (*s->p == '"') return str_skip(s);
    if (*s->p == '{' || *s->p == '[') {
        int depth = 0;
        while (s->p < s->end) {
            if (*s->p == '"') {
                if (!str_skip(s)) return false;
                continue;
            }
            if (*s->p == '{' || *s->p == '[') depth++;
            if (*s->p == '}' || *s->p == ']') {
                if (--depth == 0) {
                    s->p++;
                    return true;
                }
            }
            s->p++;
        }
        return false;
    }
    while (s->p < s->end && !strchr(",}] \n\r\t", *s->p))
        s->p++;
    return true;
}

/* Keys in protocol files are plain text; \" and \\ are the only escapes compared. */
static bool key_is(scan *s, const char *key, size_t n)
{
    const char *a = s->p + 1;
    if (!str_skip(s)) return false;
    const char *b = s->p - 1;
    size_t i = 0;
    for (; a < b; a++) {
        char c = *a;
        if (c == '\\' && a + 1 < b) c = *++a;
        if (i >= n || key[i] != c) return false;
        i++;
    }
    return i == n;
}

bool lt__locate(const char *text, size_t len, const char *path, int *line, int *col)
{
    scan s = {text, text + len};
    const char *q = path;
    ws(&s);
    while (*q) {
        const char *key = NULL;
        size_t keylen = 0;
        long idx = -1;
        if (*q == '.') q++;
        if (q[0] == '[' && q[1] == '"') {
            key = q + 2;
            const char *e = strstr(key, "\"]");
            if (!e) return false;
            keylen = (size_t)(e - key);
            q = e + 2;
        } else if (*q == '[') {
            char *after;
            idx = strtol(q + 1, &after, 10);
            if (*after != ']' || idx < 0) return false;
            q = after + 1;
        } else {
            key = q;
            keylen = strcspn(q, ".[");
            q += keylen;
        }
        ws(&s);
        if (idx >= 0) {
            if (s.p >= s.end || *s.p != '[') return false;
            s.p++;
            for (long i = 0; i < idx; i++) {
                if (!value_skip(&s)) return false;
                ws(&s);
                if (s.p >= s.end || *s.p != ',') return false;
                s.p++;
            }
            ws(&s);
            if (s.p >= s.end || *s.p == ']') return false;
            continue;
        }
        if (s.p >= s.end || *s.p != '{') return false;
        s.p++;
        for (;;) {
            ws(&s);
            if (s.p >= s.end || *s.p != '"') return false;
            bool match = key_is(&s, key, keylen);
            ws(&s);
            if (s.p >= s.end || *s.p != ':') return false;
            s.p++;
            ws(&s);
            if (match) break;
            if (!value_skip(&s)) return false;
            ws(&s);
            if (s.p >= s.end || *s.p != ',') return false;
            s.p++;
        }
    }
    ws(&s);
    int l = 1, c = 1;
    for (const char *t = text; t < s.p; t++) {
        if (*t == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)*t & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
    return true;
}

const char *lt__json_type_name(const lt_json *v)
{
    if (!v) return "nothing";
    if (lt_json_is_object(v)) return "an object";
    if (lt_json_is_array(v)) return "an array";
    if (lt_json_is_string(v)) return "a string";
    if (lt_json_is_number(v)) return "a number";
    if (lt_json_is_bool(v)) return "true/false";
    if (lt_json_is_null(v)) return "null";
    return "a value";
}

void lt__check_members(const lt_json *obj, const char *path, const char *const *allowed,
                       lt__issues *iss)
{
    for (const lt_json *m = lt_json_first(obj); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        if (!k || !strncmp(k, "comment", 7)) continue;
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (!ok) {
            char p[LT_ERROR_WHERE_MAX];
            lt__path_key(p, sizeof p, path, k);
            char list[400] = "";
            size_t used = 0;
            for (size_t i = 0; allowed[i] && used < sizeof list - 40; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         allowed[i]);
            lt__issue(iss, NULL, p, "unknown member \"%s\" (expected one of: %s)", k, list);
        }
    }
}

bool lt__duration_read(const lt_json *v, const char *path, lt_duration *out, lt__issues *iss)
{
    if (!lt_json_is_object(v) || lt_json_size(v) != 1) {
        lt__issue(iss, NULL, path,
                  "expected a duration with one member, e.g. {\"weeks\": 4}, found %s",
                  lt__json_type_name(v));
        return false;
    }
    const lt_json *m = lt_json_first(v);
    const char *k = lt_json_key(m);
    char unit = !strcmp(k, "days")     ? 'd'
                : !strcmp(k, "weeks")  ? 'w'
                : !strcmp(k, "months") ? 'm'
                : !strcmp(k, "years")  ? 'y'
                                       : 0;
    double x;
    char p[LT_ERROR_WHERE_MAX];
    lt__path_key(p, sizeof p, path, k);
    if (!unit) {
        lt__issue(iss, NULL, p, "expected days, weeks, months or years, found \"%s\"", k);
        return false;
    }
    if (!lt_json_num(m, &x) || x != (double)(int)x || x < -100000 || x > 100000) {
        lt__issue(iss, NULL, p, "expected a whole number of %s, found %s", k,
                  lt__json_type_name(m));
        return false;
    }
    out->n = (int)x;
    out->unit = unit;
    return true;
}
