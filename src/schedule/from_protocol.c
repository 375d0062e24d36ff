/* The schedule of a loaded protocol: reads its chosen version's `schedule` member and checks
 * the arms items name against the protocol's arms. */
#include <stdio.h>
#include <stdlib.h>
#include "schedule_int.h"

lt_status lt_schedule_from_protocol(const lt_protocol *p, lt_schedule **out, lt_error *err)
{
    const lt_json *sec = lt_protocol_section(p, "schedule");
    char where[LT_ERROR_WHERE_MAX];
    pathf(where, "protocol %s (version %s): schedule", lt_protocol_id(p),
          lt_protocol_version(p) ? lt_protocol_version(p) : "latest");
    if (!sec) LT_FAIL(err, LT_ENOTFOUND, where, "the protocol has no \"schedule\" member");
    size_t n = lt_protocol_arm_count(p);
    const char **arms = calloc(n + 1, sizeof *arms);
    if (!arms) LT_FAIL(err, LT_ENOMEM, where, "out of memory while reading the schedule");
    for (size_t i = 0; i < n; i++)
        arms[i] = lt_protocol_arm(p, i)->id;
    lt_schedule *s = NULL;
    lt_status rc = lt_schedule_parse(sec, where, arms, n, &s, err);
    free(arms);
    if (rc == LT_OK) *out = s;
    return rc;
}
