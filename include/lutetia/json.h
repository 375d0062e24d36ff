/* JSON access for the whole library: parsing with a file:line:column on error, typed getters,
 * and locating a value's line and column from its path (cJSON does not keep positions).
 * The tree type is cJSON's; no module outside src/base includes cJSON.h itself. */
#ifndef LUTETIA_JSON_H
#define LUTETIA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include "status.h"

typedef struct cJSON lt_json;

/* Parses text[0..len). source names the input in errors ("protocols/nelmas.json").
 * On success *out owns the tree (free with lt_json_free). On a syntax error err->where is
 * "source:line:column" and the message says what was found there. */
LT_API lt_status lt_json_parse(const char *text, size_t len, const char *source, lt_json **out,
                               lt_error *err);
LT_API void lt_json_free(lt_json *v);

/* Member of an object by exact key, or NULL (also when obj is NULL or not an object). */
LT_API const lt_json *lt_json_get(const lt_json *obj, const char *key);
LT_API size_t lt_json_size(const lt_json *v);        /* members or elements; 0 for scalars */
LT_API const lt_json *lt_json_at(const lt_json *arr, size_t i);
/* Iterates the members of an object or the elements of an array. */
LT_API const lt_json *lt_json_first(const lt_json *v);
LT_API const lt_json *lt_json_next(const lt_json *v);
LT_API const char *lt_json_key(const lt_json *member); /* key of an object member, or NULL */

LT_API bool lt_json_is_object(const lt_json *v);
LT_API bool lt_json_is_array(const lt_json *v);
LT_API bool lt_json_is_string(const lt_json *v);
LT_API bool lt_json_is_number(const lt_json *v);
LT_API bool lt_json_is_bool(const lt_json *v);
LT_API bool lt_json_is_null(const lt_json *v);
/* "an object", "an array", "a string", "a number", "a boolean", "null", or "nothing" for
   NULL: the "found ..." half of a schema error. Static text, never freed. */
LT_API const char *lt_json_kind(const lt_json *v);

LT_API const char *lt_json_str(const lt_json *v);           /* NULL unless a string */
LT_API bool lt_json_num(const lt_json *v, double *out);     /* false unless a number */
LT_API bool lt_json_bool(const lt_json *v, bool *out);      /* false unless true/false */
/* A member's value with a default when absent or of another type. */
LT_API const char *lt_json_get_str(const lt_json *obj, const char *key, const char *dflt);
LT_API double lt_json_get_num(const lt_json *obj, const char *key, double dflt);

/* Finds the value at path ("arms[1].cycles[0].activity"; "" is the root) in text and gives its
 * 1-based line and column. Returns false if the path is not present. */
LT_API bool lt_json_locate(const char *text, size_t len, const char *path, int *line, int *col);

/* Serialises v compactly into a heap string the caller frees with free(), or NULL. */
LT_API char *lt_json_print(const lt_json *v);

/* A deep copy of v that the caller frees with lt_json_free, or NULL when out of memory. */
LT_API lt_json *lt_json_duplicate(const lt_json *v);

/* Applies an RFC 7386 JSON merge patch to *target in place (protocol versions are merge
 * patches): objects merge member by member, null deletes a member, anything else replaces.
 * *target may be replaced (a patch that is not an object replaces the whole document). On
 * LT_ENOMEM *target may be partly patched: callers patch a copy. */
LT_API lt_status lt_json_merge_patch(lt_json **target, const lt_json *patch, lt_error *err);

#endif
