/* The endpoint definitions of a loaded protocol: its chosen version's `endpoints` member. */
#include <stdio.h>
#include "lutetia/outcomes.h"

lt_status lt_endpoints_from_protocol(const lt_protocol *p, lt_endpoints **out, lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "protocol %.100s (version %.40s): endpoints", lt_protocol_id(p),
             lt_protocol_version(p) ? lt_protocol_version(p) : "latest");
    const lt_json *sec = lt_protocol_section(p, "endpoints");
    if (!sec) LT_FAIL(err, LT_ENOTFOUND, where, "the protocol has no \"endpoints\" member");
    return lt_endpoints_parse(sec, where, out, err);
}
