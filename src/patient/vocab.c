/* The concept vocabulary shared by the readers and the eligibility rules
 * (docs/patient-format.md): which concepts each fact kind has, and which attributes each
 * concept accepts with their allowed values. */
#include <string.h>
#include "internal.h"

static const char *const kind_names[LT_FACT_KIND_COUNT] = {
    "lab",         "diagnosis", "procedure",   "imaging", "treatment",
    "performance", "status",    "attestation", "vital",
};

static const char *const problem_names[] = {
    "ok", "unit_unknown", "no_value", "not_final", "bad_date", "implausible",
};

const char *lt_fact_kind_name(lt_fact_kind k)
{
    return (unsigned)k < LT_FACT_KIND_COUNT ? kind_names[k] : "unknown";
}

const char *lt_fact_problem_name(lt_fact_problem p)
{
    return (unsigned)p < sizeof problem_names / sizeof problem_names[0] ? problem_names[p]
                                                                        : "unknown";
}

lt_fact_kind lt__kind_from_name(const char *s)
{
    for (int k = 0; s && k < LT_FACT_KIND_COUNT; k++)
        if (!strcmp(kind_names[k], s)) return (lt_fact_kind)k;
    return LT_FACT_KIND_COUNT;
}

/* Concepts of the kinds not covered by the units table. */
static const char *const concepts[LT_FACT_KIND_COUNT] = {
    [LT_FACT_DIAGNOSIS] = "|net|nec|minen|liver_metastases|extrahepatic_disease|"
                          "brain_metastases|heart_failure|diabetes|other_malignancy|"
                          "hypersensitivity_somatostatin_analogue|portal_vein_thrombus|"
                          "urinary_incontinence|hiv|carcinoid_syndrome|gilbert_syndrome|"
                          "infection_active|",
    [LT_FACT_PROCEDURE] = "|liver_resection|primary_resection|major_surgery|embolization|"
                          "chemoembolization|radioembolization_y90|liver_directed_therapy|",
    [LT_FACT_IMAGING] = "|ga68_dotatate_pet|cu64_dotatate_pet|mri_liver|ct|",
    [LT_FACT_TREATMENT] = "|prrt|somatostatin_analogue_long|somatostatin_analogue_short|"
                          "everolimus|chemotherapy_systemic|chemotherapy_oral|"
                          "capecitabine_temozolomide|alkylating_agent|targeted_alpha_therapy|"
                          "investigational_agent|interferon|radiotherapy_external|"
                          "liver_directed_therapy|",
    [LT_FACT_PERFORMANCE] = "|ecog|karnofsky|",
    [LT_FACT_STATUS] = "|pregnant|breastfeeding|childbearing_potential|",
};

static bool in_list(const char *list, const char *code)
{
    size_t n = strlen(code);
    if (!n) return false;
    for (const char *p = list; (p = strstr(p, code)) != NULL; p++)
        if (p > list && p[-1] == '|' && p[n] == '|') return true;
    return false;
}

bool lt__snake_case(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

bool lt__vocab_known(lt_fact_kind kind, const char *code)
{
    if (!code || (unsigned)kind >= LT_FACT_KIND_COUNT) return false;
    if (kind == LT_FACT_ATTESTATION) return lt__snake_case(code);
    if (kind == LT_FACT_LAB || kind == LT_FACT_VITAL) return lt__units_kind(code) == kind;
    return concepts[kind] && in_list(concepts[kind], code);
}

#define SITES "|stomach|pancreas|small_intestine|appendix|colon|rectum|midgut|lung|unknown|"
#define TUMOURS "|net|nec|minen|"

static const lt__attr_spec specs[] = {
    {LT_FACT_DIAGNOSIS, TUMOURS, "primary_site", LT__ATTR_ENUM, SITES, 0, 0},
    {LT_FACT_DIAGNOSIS, TUMOURS, "grade", LT__ATTR_ENUM, "|G1|G2|G3|", 0, 0},
    {LT_FACT_DIAGNOSIS, TUMOURS, "ki67", LT__ATTR_NUM, NULL, 0, 100},
    {LT_FACT_DIAGNOSIS, TUMOURS, "differentiation", LT__ATTR_ENUM, "|well|poor|", 0, 0},
    {LT_FACT_DIAGNOSIS, TUMOURS, "confirmed", LT__ATTR_ENUM, "|histology|cytology|", 0, 0},
    {LT_FACT_DIAGNOSIS, "|liver_metastases|extrahepatic_disease|", "resectable", LT__ATTR_YESNO,
     NULL, 0, 0},
    {LT_FACT_DIAGNOSIS, "|brain_metastases|", "treated_stable", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_DIAGNOSIS, "|heart_failure|", "nyha", LT__ATTR_ENUM, "|I|II|III|IV|", 0, 0},
    {LT_FACT_DIAGNOSIS, "|heart_failure|diabetes|", "controlled", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_PROCEDURE, "|liver_resection|", "margin", LT__ATTR_ENUM, "|R0|R1|R2|", 0, 0},
    {LT_FACT_IMAGING, NULL, "liver_metastases", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_IMAGING, NULL, "extrahepatic_disease", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_IMAGING, NULL, "perihilar_nodes_resectable", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_IMAGING, NULL, "sstr_negative_lesions", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_IMAGING, NULL, "recist_progression", LT__ATTR_YESNO, NULL, 0, 0},
    {LT_FACT_IMAGING, NULL, "suv_max", LT__ATTR_NUM, NULL, 0, 1e4},
    {LT_FACT_IMAGING, NULL, "suv_liver_mean", LT__ATTR_NUM, NULL, 0, 1e4},
    {LT_FACT_IMAGING, NULL, "liver_involvement_percent", LT__ATTR_NUM, NULL, 0, 100},
    {LT_FACT_TREATMENT, "|radiotherapy_external|", "bone_marrow_percent", LT__ATTR_NUM, NULL, 0,
     100},
};

const lt__attr_spec *lt__attr_find(lt_fact_kind kind, const char *code, const char *key)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (specs[i].kind == kind && !strcmp(specs[i].key, key) &&
            (!specs[i].concepts || in_list(specs[i].concepts, code)))
            return &specs[i];
    return NULL;
}

lt_date lt__date_min(void)
{
    return lt_date_from_ymd(1900, 1, 1);
}

bool lt__id_ok(const char *id)
{
    if (!id || !*id) return false;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return false;
    return true;
}
