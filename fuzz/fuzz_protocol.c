/* Fuzz target for the protocol loader: any bytes go through check (every version), load, lint,
 * the coordinator's summary, and a screening of a small fixed patient, so that arbitrary rule
 * trees also run through the eligibility engine. Nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/eligibility.h"
#include "lutetia/patient.h"
#include "lutetia/protocol.h"

static const lt_attr net_attrs[] = {
    {"grade", "G2", 0, false}, {"ki67", NULL, 8, true}, {"primary_site", "pancreas", 0, false}};

/* days since 1970-01-01: 20400 is 2025-11-08 */
static const lt_fact facts[] = {
    {.kind = LT_FACT_LAB,
     .code = "hemoglobin",
     .date = 20400,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 8.0,
     .unit = "g/dL",
     .given_value = 8.0,
     .given_unit = "g/dL",
     .has_low = true,
     .has_high = true,
     .low = 12,
     .high = 16,
     .flag = -1,
     .source = "fuzz: labs[0]"},
    {.kind = LT_FACT_LAB,
     .code = "bilirubin",
     .date = 20400,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 0.3,
     .unit = "mg/dL",
     .given_value = 0.3,
     .given_unit = "mg/dL",
     .comparator = '<',
     .flag = -1,
     .source = "fuzz: labs[1]"},
    {.kind = LT_FACT_LAB,
     .code = "creatinine",
     .date = 20400,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 1.0,
     .unit = "mg/dL",
     .given_value = 1.0,
     .given_unit = "mg/dL",
     .flag = -1,
     .source = "fuzz: labs[2]"},
    {.kind = LT_FACT_VITAL,
     .code = "weight",
     .date = 20400,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 70,
     .unit = "kg",
     .given_value = 70,
     .given_unit = "kg",
     .flag = -1,
     .source = "fuzz: vitals[0]"},
    {.kind = LT_FACT_DIAGNOSIS,
     .code = "net",
     .date = 20000,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .flag = -1,
     .source = "fuzz: diagnoses[0]",
     .attrs = net_attrs,
     .nattrs = 3},
    {.kind = LT_FACT_PROCEDURE,
     .code = "liver_resection",
     .date = 20300,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .text = "R0",
     .flag = -1,
     .source = "fuzz: procedures[0]"},
    {.kind = LT_FACT_TREATMENT,
     .code = "prrt",
     .date = 19000,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 7400,
     .unit = "MBq",
     .given_value = 7.4,
     .given_unit = "GBq",
     .flag = -1,
     .source = "fuzz: treatments[0]"},
    {.kind = LT_FACT_TREATMENT,
     .code = "prrt",
     .date = LT_DATE_NONE,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .flag = -1,
     .problem = LT_FACT_UNIT_UNKNOWN,
     .source = "fuzz: treatments[1]"},
    {.kind = LT_FACT_ATTESTATION,
     .code = "consent_written",
     .date = 20400,
     .end_date = LT_DATE_NONE,
     .date_latest = LT_DATE_NONE,
     .has_value = true,
     .value = 1,
     .given_value = 1,
     .flag = 1,
     .source = "fuzz: attestations[0]"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    lt_protocol_issue *issues = NULL;
    size_t n = 0;
    lt_error err;
    if (lt_protocol_check(text, size, "fuzz.json", &issues, &n, &err) == LT_OK) free(issues);
    lt_protocol *p = NULL;
    if (lt_protocol_parse(text, size, "fuzz.json", NULL, &p, &err) != LT_OK) return 0;
    if (lt_protocol_lint(p, &issues, &n, &err) == LT_OK) free(issues);
    lt_buf b = LT_BUF_INIT;
    lt_protocol_describe(p, &b);
    lt_patient pt;
    memset(&pt, 0, sizeof pt);
    pt.id = "fuzz";
    pt.birth_date = 0;
    pt.sex = LT_SEX_FEMALE;
    pt.death_date = LT_DATE_NONE;
    pt.source = "fuzz";
    pt.facts = facts;
    pt.nfacts = sizeof facts / sizeof facts[0];
    lt_screen_options opt = {20410, NULL, NULL, 0};
    lt_screening *s;
    if (lt_screen(p, &pt, &opt, &s, &err) == LT_OK) {
        lt_screening_json(s, &b);
        lt_screening_text(s, &b);
        lt_screening_free(s);
    }
    for (size_t i = 0; i < lt_protocol_strat_count(p); i++) {
        const char *level;
        (void)lt_strat_level(lt_protocol_strat(p, i), &pt, 20410, &level, &err);
    }
    /* every older version materialises too */
    for (size_t i = 1; i < lt_protocol_version_count(p); i++) {
        lt_protocol *q;
        if (lt_protocol_parse(text, size, "fuzz.json", lt_protocol_version_name(p, i), &q, &err) ==
            LT_OK)
            lt_protocol_free(q);
    }
    lt_buf_free(&b);
    lt_protocol_free(p);
    return 0;
}
