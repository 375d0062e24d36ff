/* The JSON layer: cJSON for the tree (the fastest of Debian's C JSON libraries on our FHIR
 * sample), plus what cJSON lacks: the line and column of a syntax error, and of any value
 * named by a path, so validation messages can point into the file a person edits. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "lutetia/json.h"

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

lt_status lt_json_parse(const char *text, size_t len, const char *source, lt_json **out,
                        lt_error *err)
{
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

bool lt_json_locate(const char *text, size_t len, const char *path, int *line, int *col)
{
    scan s = {text, text + len};
    const char *q = path ? path : "";
    skip_ws(&s);
    while (*q) {
        if (*q == '.') q++;
        if (*q == '[') {
            char *after;
            long idx = strtol(q + 1, &after, 10);
            if (*after != ']' || idx < 0) return false;
            q = after + 1;
            skip_ws(&s);
            if (s.p >= s.end || *s.p != '[') return false;
            s.p++;
            for (long i = 0; i < idx; i++) {
                if (!skip_value(&s)) return false;
                skip_ws(&s);
                if (s.p >= s.end || *s.p != ',') return false;
                s.p++;
            }
            skip_ws(&s);
            if (s.p >= s.end || *s.p == ']') return false;
        } else {
            size_t keylen = strcspn(q, ".[");
            skip_ws(&s);
            if (s.p >= s.end || *s.p != '{') return false;
            s.p++;
            bool found = false;
            for (;;) {
                skip_ws(&s);
                if (s.p >= s.end || *s.p != '"') return false;
                bool match = string_equals(&s, q, keylen);
                skip_ws(&s);
                if (s.p >= s.end || *s.p != ':') return false;
                s.p++;
                skip_ws(&s);
                if (match) {
                    found = true;
                    break;
                }
                if (!skip_value(&s)) return false;
                skip_ws(&s);
                if (s.p >= s.end || *s.p != ',') return false;
                s.p++;
            }
            if (!found) return false;
            q += keylen;
        }
    }
    skip_ws(&s);
    line_col(text, (size_t)(s.p - text), line, col);
    return true;
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
