/* libFuzzer target for the patient readers as `lutetia screen` meets them: any bytes are
 * handed to lt_cohort_read_mem, which detects native JSON, a FHIR Bundle or CSV. Whatever it
 * accepts is walked fact by fact so that a dangling pointer would be touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/patient.h"

static size_t walk(const lt_cohort *c)
{
    size_t sum = 0;
    for (size_t i = 0; i < lt_cohort_count(c); i++) {
        const lt_patient *p = lt_cohort_patient(c, i);
        sum += strlen(p->id) + strlen(p->source);
        for (size_t k = 0; k < p->nfacts; k++) {
            const lt_fact *f = &p->facts[k];
            sum += strlen(f->code) + strlen(f->source) + (f->text ? strlen(f->text) : 0);
            sum += f->unit ? strlen(f->unit) : 0;
            for (size_t a = 0; a < f->nattrs; a++)
                sum += strlen(f->attrs[a].key) + (f->attrs[a].text ? strlen(f->attrs[a].text) : 0);
            if (lt_units_canonical(f->code) && f->has_value && f->problem == LT_FACT_UNIT_UNKNOWN)
                abort(); /* a value in an unknown unit must never look usable */
        }
        if (lt_cohort_find(c, p->id) != p) abort();
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_cohort *c;
    lt_error err;
    if (lt_cohort_new(&c, &err) != LT_OK) return 0;
    if (lt_cohort_read_mem(c, (const char *)data, size, "fuzz.json", &err) != LT_OK) {
        /* a failed read adds nothing and says where */
        if (lt_cohort_count(c) != 0 || !err.message[0]) abort();
    }
    volatile size_t sink = walk(c);
    (void)sink;
    lt_cohort_free(c);
    return 0;
}
