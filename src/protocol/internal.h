/* Internals shared by the protocol module's files: the protocol struct, the arena its model
 * lives in, and the issue list validation fills (every problem at once, with its JSON path). */
#ifndef LT_PROTOCOL_INTERNAL_H
#define LT_PROTOCOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "lutetia/json.h"
#include "lutetia/protocol.h"

/* Bump allocator: the compiled model (rules, arrays, paths) is freed in one go with the
 * protocol. Strings of the model point into the JSON tree, which the protocol also owns. */
typedef struct lt__pa_block lt__pa_block;
typedef struct lt__pa {
    lt__pa_block *head;
    bool failed;
} lt__pa;

void *lt__pa_alloc(lt__pa *a, size_t n); /* zeroed; NULL (and failed set) when out of memory */
char *lt__pa_strdup(lt__pa *a, const char *s);
void lt__pa_free(lt__pa *a);

typedef struct lt__issues {
    lt_protocol_issue *v;
    size_t n, cap;
    bool oom;
    /* for line:column: the file's text; patch_prefix (e.g. "versions[0].changes") is tried
     * first so that a problem a version's patch introduced points into the patch */
    const char *text;
    size_t len;
    const char *version;
    const char *patch_prefix;
} lt__issues;

void lt__issue(lt__issues *iss, const char *code, const char *path, const char *fmt, ...)
    LT_PRINTF(4, 5);
/* Line and column of path (display form: a.b[2]["E12.3"]) in text; false if absent. */
bool lt__locate(const char *text, size_t len, const char *path, int *line, int *col);
/* Appends a child key or index to a path, quoting keys that hold '.', '[' or '"'. */
void lt__path_key(char *out, size_t cap, const char *parent, const char *key);
void lt__path_index(char *out, size_t cap, const char *parent, size_t i);

typedef struct lt__reflimit {
    const char *analyte;
    bool has_low, has_high;
    double low, high; /* canonical unit */
} lt__reflimit;

struct lt_protocol {
    char *text; /* the file as read, for line:column in lint */
    size_t len;
    char *source;
    lt_json *orig; /* the whole file (latest version, with its versions list) */
    lt_json *doc;  /* the chosen version: orig itself, or a patched copy */
    const char *version;
    lt__pa arena;

    const char *id, *name;
    lt_arm *arms;
    size_t narms;
    lt_strat_factor *strat;
    size_t nstrat;
    lt_randomisation_spec rand;
    lt_criterion *crit;
    size_t ncrit;
    lt_anchor *anchors;
    size_t nanchors;
    lt_window *windows; /* declared (named) windows */
    size_t nwindows;
    lt__reflimit *refs;
    size_t nrefs;
    const char **versions; /* latest first */
    size_t nversions;
};

/* Validates doc and compiles it into p's model (p->arena). Every problem goes to iss.
 * Returns false when there was any problem. */
bool lt__protocol_build(lt_protocol *p, const lt_json *doc, lt__issues *iss);
/* Compiles the criteria (rules.c): called by lt__protocol_build after anchors and windows. */
void lt__criteria_build(lt_protocol *p, const lt_json *criteria, const char *path, lt__issues *iss);
/* The anchor name is built in ("as_of", "screening", "randomisation") or declared. */
bool lt__anchor_known(const lt_protocol *p, const char *name);
/* Reads a duration object ({"weeks": 4}); false (with an issue) when malformed. */
bool lt__duration_read(const lt_json *v, const char *path, lt_duration *out, lt__issues *iss);
/* Reads a window object (not a name); false (with an issue) when malformed. */
bool lt__window_read(lt_protocol *p, const lt_json *v, const char *path, lt_window *out,
                     lt__issues *iss);
/* Checks that obj has only the allowed members (plus comment*); NULL-terminated list. */
void lt__check_members(const lt_json *obj, const char *path, const char *const *allowed,
                       lt__issues *iss);
const char *lt__json_type_name(const lt_json *v);

#endif
