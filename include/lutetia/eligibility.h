/* Screening a patient against a protocol's criteria. Each criterion is met, not met or unknown
 * (Kleene logic), with a reason code and the evidence used; the verdict is ineligible when an
 * inclusion is not met or an exclusion is met, otherwise needs_review when any is unknown,
 * otherwise eligible. Being ineligible is a result, not an error. */
#ifndef LUTETIA_ELIGIBILITY_H
#define LUTETIA_ELIGIBILITY_H

#include <stdbool.h>
#include "buf.h"
#include "date.h"
#include "patient.h"
#include "protocol.h"
#include "status.h"

typedef enum lt_tri { LT_NOT_MET = 0, LT_MET = 1, LT_UNKNOWN = 2 } lt_tri;

typedef enum lt_verdict {
    LT_VERDICT_ELIGIBLE = 0,
    LT_VERDICT_INELIGIBLE,
    LT_VERDICT_NEEDS_REVIEW,
} lt_verdict;

typedef struct lt_screen_options {
    lt_date as_of;             /* the screening date; LT_DATE_NONE means today */
    /* named anchor events given by the caller (e.g. "randomisation"), overriding facts */
    const char *const *anchor_names;
    const lt_date *anchor_dates;
    size_t nanchors;
} lt_screen_options;

typedef struct lt_screening lt_screening;

/* Screens patient against protocol. *out owns the result (free with lt_screening_free). */
LT_API lt_status lt_screen(const lt_protocol *protocol, const lt_patient *patient,
                           const lt_screen_options *opt, lt_screening **out, lt_error *err);
LT_API void lt_screening_free(lt_screening *s);

LT_API lt_verdict lt_screening_verdict(const lt_screening *s);
LT_API const char *lt_verdict_name(lt_verdict v); /* "eligible", "ineligible", "needs_review" */
LT_API const char *lt_tri_name(lt_tri t);          /* "met", "not_met", "unknown" */

/* The screening as the JSON document `lutetia screen --json` prints (one object, no newline):
 * {"patient", "protocol", "version", "as_of", "verdict", "criteria": [{"id", "kind", "status",
 * "reason", "text", "evidence": [...]}]} */
LT_API void lt_screening_json(const lt_screening *s, lt_buf *out);
/* A readable report for a coordinator. */
LT_API void lt_screening_text(const lt_screening *s, lt_buf *out);

#endif
