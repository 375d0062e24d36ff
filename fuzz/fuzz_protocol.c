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
    {LT_FACT_LAB, "hemoglobin",
     20400,       LT_DATE_NONE,
     true,        8.0,
     "g/dL",      8.0,
     "g/dL",      0,
     true,        true,
     12,          16,
     NULL,        -1,
     LT_FACT_OK,  "fuzz: labs[0]",
     NULL,        0},
    {LT_FACT_LAB, "bilirubin", 20400,      LT_DATE_NONE,    true,  0.3, "mg/dL",
     0.3,         "mg/dL",     '<',        false,           false, 0,   0,
     NULL,        -1,          LT_FACT_OK, "fuzz: labs[1]", NULL,  0},
    {LT_FACT_LAB, "creatinine", 20400,      LT_DATE_NONE,    true,  1.0, "mg/dL",
     1.0,         "mg/dL",      0,          false,           false, 0,   0,
     NULL,        -1,           LT_FACT_OK, "fuzz: labs[2]", NULL,  0},
    {LT_FACT_VITAL,
     "weight",
     20400,
     LT_DATE_NONE,
     true,
     70,
     "kg",
     70,
     "kg",
     0,
     false,
     false,
     0,
     0,
     NULL,
     -1,
     LT_FACT_OK,
     "fuzz: vitals[0]",
     NULL,
     0},
    {LT_FACT_DIAGNOSIS,
     "net",
     20000,
     LT_DATE_NONE,
     false,
     0,
     NULL,
     0,
     NULL,
     0,
     false,
     false,
     0,
     0,
     NULL,
     -1,
     LT_FACT_OK,
     "fuzz: diagnoses[0]",
     net_attrs,
     3},
    {LT_FACT_PROCEDURE,
     "liver_resection",
     20300,
     LT_DATE_NONE,
     false,
     0,
     NULL,
     0,
     NULL,
     0,
     false,
     false,
     0,
     0,
     "R0",
     -1,
     LT_FACT_OK,
     "fuzz: procedures[0]",
     NULL,
     0},
    {LT_FACT_TREATMENT,
     "prrt",
     19000,
     LT_DATE_NONE,
     true,
     7400,
     "MBq",
     7.4,
     "GBq",
     0,
     false,
     false,
     0,
     0,
     NULL,
     -1,
     LT_FACT_OK,
     "fuzz: treatments[0]",
     NULL,
     0},
    {LT_FACT_TREATMENT,
     "prrt",
     LT_DATE_NONE,
     LT_DATE_NONE,
     false,
     0,
     NULL,
     0,
     NULL,
     0,
     false,
     false,
     0,
     0,
     NULL,
     -1,
     LT_FACT_UNIT_UNKNOWN,
     "fuzz: treatments[1]",
     NULL,
     0},
    {LT_FACT_ATTESTATION,
     "consent_written",
     20400,
     LT_DATE_NONE,
     true,
     1,
     NULL,
     1,
     NULL,
     0,
     false,
     false,
     0,
     0,
     NULL,
     1,
     LT_FACT_OK,
     "fuzz: attestations[0]",
     NULL,
     0},
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
