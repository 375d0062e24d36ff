/* Inside the outcomes module: what endpoints.c and proportion.c share. */
#ifndef LUTETIA_ENDPOINTS_INT_H
#define LUTETIA_ENDPOINTS_INT_H

#include "lutetia/json.h"
#include "lutetia/outcomes.h"

/* Reads a proportion endpoint's members (counts, at_least, population, level) from the
 * endpoint object v; errors name where.id.member. */
lt_status lt__proportion_parse(const lt_json *v, const char *where, const char *id,
                               lt_proportion_def *d, lt_error *err);

#endif
