/* The JSON layer: cJSON for the tree (the fastest of Debian's C JSON libraries on our FHIR
 * sample), plus what cJSON lacks: the line and column of a syntax error, and of any value
 * named by a path, so validation messages can point into the file a person edits. */
#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "lutetia/json.h"

static lt_status check_tree(const char *text, size_t len, const char *source, const cJSON *root,
                            lt_error *err);
/* cJSON returns NULL both for a syntax error and for memory running out, and a coordinator told
 * that a stored record or their file is "malformed" when the machine is out of memory would look
 * for a fault that is not there. Its allocations come through these hooks, which note a failure
 * for the parse running on this thread. Installed once per process (cJSON's hooks are global);
 * they only add the note to malloc and free. */
static _Thread_local bool json_alloc_failed;
static void *json_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p) json_alloc_failed = true;
    return p;
}
static void json_free(void *p) { free(p); }
static void json_hooks_install(void)
{
    cJSON_Hooks h = {json_malloc, json_free};
    cJSON_InitHooks(&h);
}
static pthread_once_t json_hooks_once = PTHREAD_ONCE_INIT;

static void line_col(const char *text, size_t upto, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < upto; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

/* cJSON decodes "\u0000" into a NUL inside the C string, which silently cuts the string
 * there ("p1\u0000x" would be read as the id "p1"). No Lutetia input needs a NUL, so the
 * escape is refused before parsing. Each escape is stepped over whole, so that "\\u0000"
 * (an escaped backslash, then text) is not mistaken for one. */
static lt_status refuse_nul_escape(const char *text, size_t len, const char *source,
                                   lt_error *err)
{
    const char *p = text, *end = text + len;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (end - p >= 6 && !memcmp(p + 1, "u0000", 5)) {
            int line, col;
            line_col(text, (size_t)(p - text), &line, &col);
            char where[LT_ERROR_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%d:%d", source ? source : "<input>", line, col);
            LT_FAIL(err, LT_EPARSE, where,
                    "expected a string without NUL characters, found \\u0000 (it would cut "
                    "the string short)");
        }
        p += p + 1 < end ? 2 : 1;
    }
    return LT_OK;
}

lt_status lt_json_parse(const char *text, size_t len, const char *source, lt_json **out,
                        lt_error *err)
{
    if (text && refuse_nul_escape(text, len, source, err) != LT_OK) return LT_EPARSE;
    const char *end = NULL;
    pthread_once(&json_hooks_once, json_hooks_install);
    json_alloc_failed = false;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root && json_alloc_failed)
        LT_FAIL(err, LT_ENOMEM, source ? source : "<input>", "out of memory reading JSON");
    if (!root) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        if (off > len) off = len;
        int line, col;
        line_col(text, off, &line, &col);
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%d:%d", source ? source : "<input>", line, col);
        if (off >= len)
            LT_FAIL(err, LT_EPARSE, where, "expected more JSON, found the end of the input");
        char found[24];
        size_t k = 0;
        for (; k < sizeof found - 1 && off + k < len && text[off + k] != '\n'; k++)
            found[k] = text[off + k];
        found[k] = '\0';
        LT_FAIL(err, LT_EPARSE, where, "expected a JSON value or punctuation, found \"%s\"",
                found);
    }
    /* anything but white space after the document is an error too */
    size_t off = end ? (size_t)(end - text) : len;
    while (off < len && (text[off] == ' ' || text[off] == '\n' || text[off] == '\r' ||
                         text[off] == '\t'))
        off++;
    if (off < len && text[off] != '\0') {
        cJSON_Delete(root);
        int line, col;
        line_col(text, off, &line, &col);
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%d:%d", source ? source : "<input>", line, col);
        LT_FAIL(err, LT_EPARSE, where, "expected the end of the document, found more text");
    }
    lt_status st = check_tree(text, len, source, root, err);
    if (st != LT_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return LT_OK;
}

void lt_json_free(lt_json *v)
{
    if (v) cJSON_Delete(v);
}

const lt_json *lt_json_get(const lt_json *obj, const char *key)
{
    if (!obj || !cJSON_IsObject(obj)) return NULL;
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

size_t lt_json_size(const lt_json *v)
{
    if (!v || !(cJSON_IsArray(v) || cJSON_IsObject(v))) return 0;
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next) n++;
    return n;
}

const lt_json *lt_json_at(const lt_json *arr, size_t i)
{
    if (!arr || !(cJSON_IsArray(arr) || cJSON_IsObject(arr))) return NULL;
    const cJSON *c = arr->child;
    while (c && i--) c = c->next;
    return c;
}

const lt_json *lt_json_first(const lt_json *v)
{
    if (!v || !(cJSON_IsArray(v) || cJSON_IsObject(v))) return NULL;
    return v->child;
}

const lt_json *lt_json_next(const lt_json *v)
{
    return v ? v->next : NULL;
}

const char *lt_json_key(const lt_json *member)
{
    return member ? member->string : NULL;
}

bool lt_json_is_object(const lt_json *v) { return v && cJSON_IsObject(v); }
bool lt_json_is_array(const lt_json *v) { return v && cJSON_IsArray(v); }
bool lt_json_is_string(const lt_json *v) { return v && cJSON_IsString(v); }
bool lt_json_is_number(const lt_json *v) { return v && cJSON_IsNumber(v); }
bool lt_json_is_bool(const lt_json *v) { return v && cJSON_IsBool(v); }
bool lt_json_is_null(const lt_json *v) { return v && cJSON_IsNull(v); }

/* One wording for every reader's "expected X, found Y" message. */
const char *lt_json_kind(const lt_json *v)
{
    if (!v) return "nothing";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    return "null";
}

const char *lt_json_str(const lt_json *v)
{
    return v && cJSON_IsString(v) ? v->valuestring : NULL;
}

bool lt_json_num(const lt_json *v, double *out)
{
    if (!v || !cJSON_IsNumber(v)) return false;
    *out = v->valuedouble;
    return true;
}

bool lt_json_bool(const lt_json *v, bool *out)
{
    if (!v || !cJSON_IsBool(v)) return false;
    *out = cJSON_IsTrue(v);
    return true;
}

const char *lt_json_get_str(const lt_json *obj, const char *key, const char *dflt)
{
    const char *s = lt_json_str(lt_json_get(obj, key));
    return s ? s : dflt;
}

double lt_json_get_num(const lt_json *obj, const char *key, double dflt)
{
    double v;
    return lt_json_num(lt_json_get(obj, key), &v) ? v : dflt;
}

char *lt_json_print(const lt_json *v)
{
    return v ? cJSON_PrintUnformatted(v) : NULL;
}

/* ---- locating a path in the text ---------------------------------------------------------
 * A small scanner that walks the text alongside the path without building a tree. It trusts
 * the text to be valid JSON (callers locate only in documents that parsed). */

typedef struct {
    const char *p, *end;
} scan;

static void skip_ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static bool skip_string(scan *s)
{
    if (s->p >= s->end || *s->p != '"') return false;
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\') {
            s->p++;
        } else if (*s->p == '"') {
            s->p++;
            return true;
        }
    }
    return false;
}

static bool skip_value(scan *s)
{
    skip_ws(s);
    if (s->p >= s->end) return false;
    if (*s->p == '"') return skip_string(s);
    if (*s->p == '{' || *s->p == '[') {
        int depth = 0;
        while (s->p < s->end) {
            char c = *s->p;
            if (c == '"') {
                if (!skip_string(s)) return false;
                continue;
            }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    s->p++;
                    return true;
                }
            }
            s->p++;
        }
        return false;
    }
    while (s->p < s->end && !strchr(",}] \n\r\t", *s->p)) s->p++;
    return true;
}

/* Compares the JSON string at s->p (raw, escapes other than \" and \\ not decoded: keys in
 * Lutetia's formats are plain) with key, and moves past it. */
static bool string_equals(scan *s, const char *key, size_t keylen)
{
    const char *start = s->p + 1;
    if (!skip_string(s)) return false;
    size_t rawlen = (size_t)(s->p - 1 - start);
    return rawlen == keylen && memcmp(start, key, keylen) == 0;
}

/* Moves s to the value at path; false if the path is not present. */
static bool seek(scan *s, const char *path)
{
    const char *q = path ? path : "";
    skip_ws(s);
    while (*q) {
        if (*q == '.') q++;
        if (*q == '[') {
            char *after;
            long idx = strtol(q + 1, &after, 10);
            if (*after != ']' || idx < 0) return false;
            q = after + 1;
            skip_ws(s);
            if (s->p >= s->end || *s->p != '[') return false;
            s->p++;
            for (long i = 0; i < idx; i++) {
                if (!skip_value(s)) return false;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ',') return false;
                s->p++;
            }
            skip_ws(s);
            if (s->p >= s->end || *s->p == ']') return false;
        } else {
            size_t keylen = strcspn(q, ".[");
            skip_ws(s);
            if (s->p >= s->end || *s->p != '{') return false;
            s->p++;
            bool found = false;
            for (;;) {
                skip_ws(s);
                if (s->p >= s->end || *s->p != '"') return false;
                bool match = string_equals(s, q, keylen);
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':') return false;
                s->p++;
                skip_ws(s);
                if (match) {
                    found = true;
                    break;
                }
                if (!skip_value(s)) return false;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ',') return false;
                s->p++;
            }
            if (!found) return false;
            q += keylen;
        }
    }
    skip_ws(s);
    return true;
}

bool lt_json_locate(const char *text, size_t len, const char *path, int *line, int *col)
{
    scan s = {text, text + len};
    if (!seek(&s, path)) return false;
    line_col(text, (size_t)(s.p - text), line, col);
    return true;
}

/* Moves s from the object at s->p to the key of its nth (0-based) member named key. */
static bool seek_member(scan *s, const char *key, int nth)
{
    size_t keylen = strlen(key);
    if (s->p >= s->end || *s->p != '{') return false;
    s->p++;
    for (;;) {
        skip_ws(s);
        if (s->p >= s->end || *s->p != '"') return false;
        const char *at = s->p;
        if (string_equals(s, key, keylen) && nth-- == 0) {
            s->p = at;
            return true;
        }
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':') return false;
        s->p++;
        if (!skip_value(s)) return false;
        skip_ws(s);
        if (s->p >= s->end || *s->p != ',') return false;
        s->p++;
    }
}

/* ---- what cJSON accepts but no Lutetia input may hold -----------------------------------
 * cJSON keeps every member of an object, duplicates included, and lt_json_get returns the
 * first while jq and Python keep the last: "value": 231, "value": 20 would be read as 231
 * where the person who wrote it (and every other tool) sees 20. And cJSON reads a number too
 * large for a double (1e400) as infinity, which no clinical value is and which compares as
 * "near" everything. Both are refused once, here, where every reader parses. */

typedef struct walk {
    const char *text;
    size_t len;
    const char *source;
    lt_error *err;
    char path[LT_ERROR_WHERE_MAX];
    size_t n;
} walk;

/* The way down to the value being checked: the path is spelt out only on an error, so that
 * checking a 100 MB bundle costs no formatting per member. */
typedef struct frame {
    const struct frame *up;
    const char *key; /* member key, or NULL for an array element */
    size_t index;
} frame;

static void spell(walk *w, const frame *f)
{
    if (!f) {
        w->n = 0;
        w->path[0] = '\0';
        return;
    }
    spell(w, f->up);
    int k;
    if (f->key)
        k = snprintf(w->path + w->n, sizeof w->path - w->n, "%s%s", w->n ? "." : "", f->key);
    else
        k = snprintf(w->path + w->n, sizeof w->path - w->n, "[%zu]", f->index);
    if (k > 0) w->n += (size_t)k;
    if (w->n >= sizeof w->path) w->n = sizeof w->path - 1; /* cut: the place degrades, no more */
}

/* Fails with where = "source:line:col" of w->path's value (or of member nth named key of
 * the object at w->path, when key is given); falls back to "source" when it cannot be found. */
static lt_status walk_fail(walk *w, const char *key, int nth, const char *fmt, ...)
    LT_PRINTF(4, 5);
static lt_status walk_fail(walk *w, const char *key, int nth, const char *fmt, ...)
{
    char where[LT_ERROR_WHERE_MAX], msg[LT_ERROR_MESSAGE_MAX];
    const char *src = w->source ? w->source : "<input>";
    scan s = {w->text, w->text + w->len};
    if (seek(&s, w->path) && (!key || seek_member(&s, key, nth))) {
        int line, col;
        line_col(w->text, (size_t)(s.p - w->text), &line, &col);
        snprintf(where, sizeof where, "%s:%d:%d", src, line, col);
    } else {
        snprintf(where, sizeof where, "%s", src);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lt_error_set(w->err, LT_EPARSE, where, "%s", msg);
}

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The first member of obj whose key repeats an earlier member's, or NULL; *first is that
 * earlier member. Small objects (nearly all) compare pairwise; large ones use a hash set. */
static const cJSON *find_duplicate(const cJSON *obj, size_t n, const cJSON **first, bool *oom)
{
    if (n <= 32) {
        for (const cJSON *m = obj->child; m; m = m->next)
            for (const cJSON *e = obj->child; e != m; e = e->next)
                if (e->string && m->string && !strcmp(e->string, m->string)) {
                    *first = e;
                    return m;
                }
        return NULL;
    }
    size_t cap = 64;
    while (cap < 2 * n) cap *= 2;
    const cJSON **set = calloc(cap, sizeof *set);
    if (!set) {
        *oom = true;
        return NULL;
    }
    const cJSON *dup = NULL;
    for (const cJSON *m = obj->child; m && !dup; m = m->next) {
        if (!m->string) continue;
        size_t i = (size_t)key_hash(m->string) & (cap - 1);
        while (set[i] && strcmp(set[i]->string, m->string)) i = (i + 1) & (cap - 1);
        if (set[i]) {
            *first = set[i];
            dup = m;
        } else {
            set[i] = m;
        }
    }
    free(set);
    return dup;
}

/* How many members before m (in its object) carry m's key: m's rank among its namesakes. */
static int rank_of(const cJSON *obj, const cJSON *m)
{
    int k = 0;
    for (const cJSON *e = obj->child; e && e != m; e = e->next)
        if (e->string && !strcmp(e->string, m->string)) k++;
    return k;
}

/* The number's text as written, for "found 1e400". */
static void raw_token(walk *w, char *buf, size_t n)
{
    scan s = {w->text, w->text + w->len};
    size_t k = 0;
    if (seek(&s, w->path))
        for (; k + 1 < n && s.p + k < s.end && !strchr(",}] \n\r\t", s.p[k]); k++)
            buf[k] = s.p[k];
    buf[k] = '\0';
}

static lt_status walk_value(walk *w, const frame *at, const cJSON *v)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        spell(w, at);
        char raw[40];
        raw_token(w, raw, sizeof raw);
        return walk_fail(w, NULL, 0, "%s%sexpected a finite number, found %s (beyond the range "
                                     "of a double)",
                         w->path, w->n ? ": " : "", raw[0] ? raw : "an infinite number");
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) return LT_OK;
    if (cJSON_IsObject(v) && v->child && v->child->next) {
        size_t n = 0;
        for (const cJSON *c = v->child; c; c = c->next) n++;
        const cJSON *first = NULL;
        bool oom = false;
        const cJSON *dup = find_duplicate(v, n, &first, &oom);
        if (oom) return lt_error_set(w->err, LT_ENOMEM, w->source ? w->source : "",
                                     "out of memory checking JSON members");
        if (dup) {
            spell(w, at);
            /* the place of the first one, for the message */
            int l1 = 0, c1 = 0;
            scan s = {w->text, w->text + w->len};
            if (seek(&s, w->path) && seek_member(&s, first->string, 0))
                line_col(w->text, (size_t)(s.p - w->text), &l1, &c1);
            char where1[48] = "";
            if (l1) snprintf(where1, sizeof where1, " (first at line %d, column %d)", l1, c1);
            frame f = {at, dup->string, 0};
            walk inner = *w;
            spell(&inner, &f);
            return walk_fail(w, dup->string, rank_of(v, dup),
                             "%s: duplicate member \"%s\"%s: expected each member once, found "
                             "it twice (which one counts is undefined)",
                             inner.path, dup->string, where1);
        }
    }
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        frame f = {at, cJSON_IsObject(v) ? c->string : NULL, i};
        lt_status st = walk_value(w, &f, c);
        if (st != LT_OK) return st;
    }
    return LT_OK;
}

static lt_status check_tree(const char *text, size_t len, const char *source, const cJSON *root,
                            lt_error *err)
{
    walk w = {.text = text, .len = len, .source = source, .err = err};
    return walk_value(&w, NULL, root);
}

/* ---- copies and merge patches (RFC 7386) ----------------------------------------------- */

lt_json *lt_json_duplicate(const lt_json *v)
{
    return v ? cJSON_Duplicate(v, 1) : NULL;
}

/* RFC 7386 section 2, MergePatch(Target, Patch), applied in place to an object target. */
static bool merge_into(cJSON *target, const cJSON *patch)
{
    for (const cJSON *m = patch->child; m; m = m->next) {
        if (cJSON_IsNull(m)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, m->string);
            continue;
        }
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(target, m->string);
        if (cJSON_IsObject(m)) {
            if (!cJSON_IsObject(cur)) {
                cJSON *fresh = cJSON_CreateObject();
                if (!fresh) return false;
                if (cur) {
                    if (!cJSON_ReplaceItemInObjectCaseSensitive(target, m->string, fresh)) {
                        cJSON_Delete(fresh);
                        return false;
                    }
                } else if (!cJSON_AddItemToObject(target, m->string, fresh)) {
                    cJSON_Delete(fresh);
                    return false;
                }
                cur = fresh;
            }
            if (!merge_into(cur, m)) return false;
            continue;
        }
        cJSON *copy = cJSON_Duplicate(m, 1);
        if (!copy) return false;
        bool ok = cur ? cJSON_ReplaceItemInObjectCaseSensitive(target, m->string, copy)
                      : cJSON_AddItemToObject(target, m->string, copy);
        if (!ok) {
            cJSON_Delete(copy);
            return false;
        }
    }
    return true;
}

lt_status lt_json_merge_patch(lt_json **target, const lt_json *patch, lt_error *err)
{
    if (!target || !patch) LT_FAIL(err, LT_EINVAL, "", "merge patch: no target or no patch");
    if (!cJSON_IsObject(patch)) {
        cJSON *copy = cJSON_Duplicate(patch, 1);
        if (!copy) LT_FAIL(err, LT_ENOMEM, "", "out of memory applying a merge patch");
        cJSON_Delete(*target);
        *target = copy;
        return LT_OK;
    }
    if (!*target || !cJSON_IsObject(*target)) {
        cJSON *fresh = cJSON_CreateObject();
        if (!fresh) LT_FAIL(err, LT_ENOMEM, "", "out of memory applying a merge patch");
        cJSON_Delete(*target);
        *target = fresh;
    }
    if (!merge_into(*target, patch))
        LT_FAIL(err, LT_ENOMEM, "", "out of memory applying a merge patch");
    return LT_OK;
}
