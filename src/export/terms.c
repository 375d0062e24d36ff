/* The CDISC controlled terminology the exports write, as data: each codelist the datasets use
 * with its NCI C-code, each term with its C-code, and the EORTC QLQ-C30 items under CDISC's
 * names. TS's TSVALCD, QS's QSTESTCD/QSTEST and define.xml's CodeLists all read these tables.
 *
 * Source of every code below: CDISC SDTM Controlled Terminology as NCI EVS publishes it
 * ("SDTM Terminology.txt", the first-quarter 2025 package, LT__CT_VERSION), columns Code,
 * Codelist Code and CDISC Submission Value; each row was looked up there, by codelist and
 * submission value, not typed from memory. A term that is not here gets no code (TSVALCD
 * stays empty) rather than a guessed one: docs/exports.md lists which. */
#include <string.h>
#include "export_int.h"

#define N(a) (sizeof a / sizeof a[0])

/* The package's date (TSVCDVER, define.xml's Standard). The copy checked is the one the R
 * package sdtm.terminology ships in data-raw/ (its NEWS: "Q1 2025"); CDISC dates that package
 * 2025-03-28. The codes used here are older than the package and unchanged in it. */
const char lt__ct_version[] = "2025-03-28";

static const lt__ct_list LISTS[] = {
    {"TSPARMCD", "C66738", "Trial Summary Parameter Test Code"},
    {"TPHASE", "C66737", "Trial Phase Response"},
    {"STYPE", "C99077", "Study Type Response"},
    {"INTMODEL", "C99076", "Intervention Model Response"},
    {"INTTYPE", "C99078", "Intervention Type Response"},
    {"TBLIND", "C66735", "Trial Blinding Schema Response"},
    {"TCNTRL", "C66785", "Control Type Response"},
    {"SEXPOP", "C66732", "Sex of Participants Response"},
    {"NY", "C66742", "No Yes Response"},
    {"SEX", "C66731", "Sex"},
    {"ROUTE", "C66729", "Route of Administration Response"},
    {"EPOCH", "C99079", "Epoch"},
    {"QSCAT", "C100129", "Category of Questionnaire"},
    {"DSCAT", "C74558", "Category of Disposition Event"},
    {"EOR01TC", "C161619", "EORTC QLQ-C30 V3.0 Questionnaire Test Code"},
    {"EOR01TN", "C161618", "EORTC QLQ-C30 V3.0 Questionnaire Test Name"},
};

static const lt__ct_term TERMS[] = {
    /* TSPARMCD (C66738): the parameters TS writes */
    {"TSPARMCD", "TITLE", "C49802"},    {"TSPARMCD", "TPHASE", "C48281"},
    {"TSPARMCD", "STYPE", "C142175"},   {"TSPARMCD", "RANDOM", "C25196"},
    {"TSPARMCD", "NARMS", "C98771"},    {"TSPARMCD", "INTMODEL", "C98746"},
    {"TSPARMCD", "INTTYPE", "C98747"},  {"TSPARMCD", "TBLIND", "C49658"},
    {"TSPARMCD", "TRT", "C41161"},      {"TSPARMCD", "COMPTRT", "C68612"},
    {"TSPARMCD", "TCNTRL", "C49647"},   {"TSPARMCD", "PLANSUB", "C49692"},
    {"TSPARMCD", "ACTSUB", "C98703"},   {"TSPARMCD", "OUTMSPRI", "C98772"},
    {"TSPARMCD", "AGEMIN", "C49693"},   {"TSPARMCD", "AGEMAX", "C49694"},
    {"TSPARMCD", "SEXPOP", "C49696"},   {"TSPARMCD", "REGID", "C98714"},
    {"TSPARMCD", "SPREFID", "C135009"}, {"TSPARMCD", "SPONSOR", "C70793"},
    {"TSPARMCD", "INDIC", "C112038"},
    /* TPHASE (C66737); "EARLY PHASE I" lists "0; Phase 0 Trial" among its synonyms */
    {"TPHASE", "EARLY PHASE I", "C54721"},
    {"TPHASE", "PHASE I TRIAL", "C15600"},
    {"TPHASE", "PHASE I/II TRIAL", "C15693"},
    {"TPHASE", "PHASE II TRIAL", "C15601"},
    {"TPHASE", "PHASE II/III TRIAL", "C15694"},
    {"TPHASE", "PHASE III TRIAL", "C15602"},
    {"TPHASE", "PHASE IV TRIAL", "C15603"},
    {"STYPE", "INTERVENTIONAL", "C98388"},
    {"INTMODEL", "PARALLEL", "C82639"},
    {"INTMODEL", "SINGLE GROUP", "C82640"},
    {"INTTYPE", "DRUG", "C1909"},
    {"TBLIND", "OPEN LABEL", "C49659"},
    {"TCNTRL", "ACTIVE", "C49649"},
    {"TCNTRL", "NONE", "C41132"},
    {"SEXPOP", "BOTH", "C49636"},
    {"SEXPOP", "F", "C16576"},
    {"SEXPOP", "M", "C20197"},
    {"NY", "N", "C49487"},
    {"NY", "Y", "C49488"},
    {"SEX", "F", "C16576"},
    {"SEX", "M", "C20197"},
    {"SEX", "U", "C17998"},
    {"ROUTE", "INTRA-ARTERIAL", "C38222"},
    {"ROUTE", "INTRAVENOUS", "C38276"},
    {"ROUTE", "ORAL", "C38288"},
    {"EPOCH", "SCREENING", "C202487"},
    {"EPOCH", "TREATMENT", "C101526"},
    {"EPOCH", "FOLLOW-UP", "C202578"},
    {"QSCAT", "EORTC QLQ-C30 V3.0", "C161654"},
    {"DSCAT", "DISPOSITION EVENT", "C74590"},
    {"DSCAT", "PROTOCOL MILESTONE", "C74588"},
};

/* The 30 questions of the EORTC QLQ-C30 version 3.0, in the questionnaire's order: CDISC's
 * test code (codelist EOR01TC, C161619), test name (EOR01TN, C161618) and the C-code both
 * share. EOR0131-EOR0145 are CDISC's codes for the derived scale scores, which SDTM's QS does
 * not hold (they would go to an ADQS). */
static const lt__qs_item QLQ_C30[LT_QLQ_C30_ITEMS] = {
    {"EOR0101", "EOR01-Trouble Doing Strenuous Activities", "C161674"},
    {"EOR0102", "EOR01-Trouble Taking Long Walk", "C161675"},
    {"EOR0103", "EOR01-Trouble Taking Short Walk Outside", "C161676"},
    {"EOR0104", "EOR01-Stay in Bed/Chair During the Day", "C161677"},
    {"EOR0105", "EOR01-Need Help Eating/Dressing/Washing", "C161678"},
    {"EOR0106", "EOR01-Limited in Work/Daily Activities", "C161679"},
    {"EOR0107", "EOR01-Limited Hobbies/Leisure Activities", "C161680"},
    {"EOR0108", "EOR01-Were You Short of Breath", "C161681"},
    {"EOR0109", "EOR01-Have You Had Pain", "C161682"},
    {"EOR0110", "EOR01-Did You Need to Rest", "C161683"},
    {"EOR0111", "EOR01-Have You Had Trouble Sleeping", "C161684"},
    {"EOR0112", "EOR01-Have You Felt Weak", "C161685"},
    {"EOR0113", "EOR01-Have You Lacked Appetite", "C161686"},
    {"EOR0114", "EOR01-Have You Felt Nauseated", "C161687"},
    {"EOR0115", "EOR01-Have You Vomited", "C161688"},
    {"EOR0116", "EOR01-Have You Been Constipated", "C161689"},
    {"EOR0117", "EOR01-Have You Had Diarrhea", "C161690"},
    {"EOR0118", "EOR01-Were You Tired", "C161691"},
    {"EOR0119", "EOR01-Pain Interfere Daily Activities", "C161692"},
    {"EOR0120", "EOR01-Difficulty Concentrating on Things", "C161693"},
    {"EOR0121", "EOR01-Did You Feel Tense", "C161694"},
    {"EOR0122", "EOR01-Did You Worry", "C161695"},
    {"EOR0123", "EOR01-Did You Feel Irritable", "C161696"},
    {"EOR0124", "EOR01-Did You Feel Depressed", "C161697"},
    {"EOR0125", "EOR01-Had Difficulty Remembering Things", "C161698"},
    {"EOR0126", "EOR01-Condition Interfered Family Life", "C161699"},
    {"EOR0127", "EOR01-Condition Interfered Social Activ", "C161700"},
    {"EOR0128", "EOR01-Condition Caused Financial Diff", "C161701"},
    {"EOR0129", "EOR01-Rate Your Overall Health", "C161702"},
    {"EOR0130", "EOR01-Rate Your Overall Quality of Life", "C161703"},
};

/* FDA's Unique Ingredient Identifiers (UNII) of the study treatments, for TS's TRT (TSVCDREF
 * UNII). Source: the Lutathera label's structured product labelling (NLM DailyMed, as mirrored
 * with its ingredient line): "LUTETIUM OXODOTREOTIDE LU-177 (UNII: AE221IM3BB)". An agent is
 * matched by its name (any case) and nuclide, so "177Lu-DOTATATE (Lutathera)" with nuclide
 * Lu-177 is this substance. Everolimus's UNII was not confirmed and is not here. */
static const struct {
    const char *agent, *nuclide, *unii;
} UNII[] = {
    {"dotatate", "Lu-177", "AE221IM3BB"},
};

const char *lt__unii(const char *agent, const char *nuclide)
{
    for (size_t i = 0; agent && nuclide && i < N(UNII); i++)
        if (strcasestr(agent, UNII[i].agent) && !strcmp(nuclide, UNII[i].nuclide))
            return UNII[i].unii;
    return NULL;
}

const lt__ct_list *lt__ct_list_find(const char *name)
{
    for (size_t i = 0; name && i < N(LISTS); i++)
        if (!strcmp(LISTS[i].name, name)) return &LISTS[i];
    return NULL;
}

const char *lt__ct_code(const char *list, const char *value)
{
    for (size_t i = 0; list && value && i < N(TERMS); i++)
        if (!strcmp(TERMS[i].list, list) && !strcmp(TERMS[i].value, value)) return TERMS[i].code;
    if (list && value && (!strcmp(list, "EOR01TC") || !strcmp(list, "EOR01TN")))
        for (size_t i = 0; i < N(QLQ_C30); i++)
            if (!strcmp(!strcmp(list, "EOR01TC") ? QLQ_C30[i].testcd : QLQ_C30[i].test, value))
                return QLQ_C30[i].code;
    return NULL;
}

const lt__qs_item *lt__qlq_c30_item(int k)
{
    return k >= 0 && k < LT_QLQ_C30_ITEMS ? &QLQ_C30[k] : NULL;
}
