/* libFuzzer target for the FHIR R4 Bundle reader: the concept map is loaded once (from
 * data/concepts.json, as tests find it), and each input is read as a bundle into a fresh
 * cohort, then merged into a second one so that merging is fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/patient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lt_concepts *map; /* loaded once: the harness's only state, never written after */
    lt_error err;
    if (!map && lt_concepts_load(NULL, &map, &err) != LT_OK) abort();
    lt_cohort *c, *all;
    if (lt_cohort_new(&c, &err) != LT_OK) return 0;
    if (lt_cohort_new(&all, &err) != LT_OK) {
        lt_cohort_free(c);
        return 0;
    }
    lt_cohort_use_concepts(c, map);
    if (lt_cohort_read_mem(c, (const char *)data, size, "fuzz-bundle.json", &err) == LT_OK) {
        size_t n = lt_cohort_count(c);
        if (lt_cohort_merge(all, c, &err) != LT_OK || lt_cohort_count(all) != n) abort();
        for (size_t i = 0; i < n; i++) {
            const lt_patient *p = lt_cohort_patient(all, i);
            for (size_t k = 1; k < p->nfacts; k++)
                if (p->facts[k - 1].date > p->facts[k].date) abort(); /* sorted by date */
            const lt_fact *f[4];
            lt_patient_facts(p, LT_FACT_LAB, "hemoglobin", f, 4);
        }
    } else if (lt_cohort_count(c) != 0) {
        abort();
    }
    lt_cohort_free(c);
    lt_cohort_free(all);
    return 0;
}
