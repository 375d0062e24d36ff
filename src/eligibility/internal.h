/* Internals of the eligibility module: the screening result and its evidence store. */
#ifndef LT_ELIGIBILITY_INTERNAL_H
#define LT_ELIGIBILITY_INTERNAL_H

#include "lutetia/eligibility.h"

typedef struct lt__ev_list {
    lt_evidence *v;
    size_t n, cap;
} lt__ev_list;

struct lt_screening {
    const lt_protocol *protocol;
    const lt_patient *patient;
    lt_date as_of;
    lt_verdict verdict;
    bool deceased; /* the patient died on or before as_of (or on a day not recorded) */
    lt_criterion_result *results;
    size_t nresults;
    lt__ev_list *evidence; /* one list per result */
    char **notes;          /* strings the evidence notes point to */
    size_t nnotes, capnotes;
};

#endif
