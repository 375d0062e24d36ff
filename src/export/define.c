/* define.xml (CDISC Define-XML 2.0, an extension of ODM 1.3.2) for the SDTM or ADaM datasets
 * an export wrote, beside them in the same folder. It is built from the very lt__dataset each
 * CSV and XPT was written from (lt__def_add is called with it before it is freed), so the
 * names, labels, types and lengths it states are the files' own: one table, two outputs. */
#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"
#include "lutetia/file.h"

#define N(a) (sizeof a / sizeof a[0])
#define DEF_NS "http://www.cdisc.org/ns/def/v2.0"
#define ODM_NS "http://www.cdisc.org/ns/odm/v1.3"
#define XLINK_NS "http://www.w3.org/1999/xlink"

/* ---- what define.xml says beyond the variables: class, structure, keys, codelists ---- */

typedef struct ds_meta {
    const char *name, *cls, *structure;
    const char *keys[5]; /* KeySequence 1, 2, ... */
} ds_meta;

/* SDTMIG 3.3's classes and ADaMIG 1.1's; the keys are each dataset's natural key as this
 * engine fills it (a --SEQ where a subject has several rows of one kind). */
static const ds_meta META[] = {
    {"DM", "SPECIAL PURPOSE", "One record per subject", {"STUDYID", "USUBJID"}},
    {"SV", "SPECIAL PURPOSE", "One record per subject per actual visit", {"STUDYID", "USUBJID", "VISITNUM"}},
    {"DS", "EVENTS", "One record per disposition status or protocol milestone per subject", {"STUDYID", "USUBJID", "DSSEQ"}},
    {"AE", "EVENTS", "One record per adverse event per subject", {"STUDYID", "USUBJID", "AESEQ"}},
    {"EX", "INTERVENTIONS", "One record per constant dosing interval per subject", {"STUDYID", "USUBJID", "EXSEQ"}},
    {"LB", "FINDINGS", "One record per lab test per time point per subject", {"STUDYID", "USUBJID", "LBSEQ"}},
    {"VS", "FINDINGS", "One record per vital sign measurement per subject", {"STUDYID", "USUBJID", "VSSEQ"}},
    {"QS", "FINDINGS", "One record per questionnaire question per time point per subject", {"STUDYID", "USUBJID", "QSSEQ"}},
    {"TU", "FINDINGS", "One record per identified tumor per subject", {"STUDYID", "USUBJID", "TUSEQ"}},
    {"TR", "FINDINGS", "One record per tumor measurement or assessment per visit per subject", {"STUDYID", "USUBJID", "TRSEQ"}},
    {"RS", "FINDINGS", "One record per response assessment per visit per subject", {"STUDYID", "USUBJID", "RSSEQ"}},
    {"TA", "TRIAL DESIGN", "One record per planned element per arm", {"STUDYID", "ARMCD", "TAETORD"}},
    {"TE", "TRIAL DESIGN", "One record per planned element", {"STUDYID", "ETCD"}},
    {"TV", "TRIAL DESIGN", "One record per planned visit per arm", {"STUDYID", "VISITNUM", "ARMCD"}},
    {"TI", "TRIAL DESIGN", "One record per inclusion/exclusion criterion per version", {"STUDYID", "IETESTCD", "TIVERS"}},
    {"TS", "TRIAL DESIGN", "One record per trial summary parameter value", {"STUDYID", "TSPARMCD", "TSSEQ"}},
    {"ADSL", "SUBJECT LEVEL ANALYSIS DATASET", "One record per subject", {"STUDYID", "USUBJID"}},
    {"ADTTE", "BASIC DATA STRUCTURE", "One record per subject per parameter", {"STUDYID", "USUBJID", "PARAMCD"}},
    {"ADAE", "OCCURRENCE DATA STRUCTURE", "One record per adverse event per subject", {"STUDYID", "USUBJID", "AESEQ"}},
    {"ADLB", "BASIC DATA STRUCTURE", "One record per lab result per subject", {"STUDYID", "USUBJID", "PARAMCD", "LBSEQ"}},
};

/* The variables whose values come from a CDISC codelist (terms.c), in any dataset that has
 * them: define.xml lists the terms the export used, each with its C-code where the table
 * holds it. DSDECOD is left without one: its terms come from two codelists (NCOMPLT for a
 * disposition event, PROTMLST for a milestone), which only value-level metadata by DSCAT could
 * tell apart. */
static const struct {
    const char *var, *list;
} CODED[] = {
    {"SEX", "SEX"},          {"EXROUTE", "ROUTE"},   {"EPOCH", "EPOCH"},
    {"TSPARMCD", "TSPARMCD"}, {"QSCAT", "QSCAT"},    {"QSTESTCD", "EOR01TC"},
    {"QSTEST", "EOR01TN"},   {"DTHFL", "NY"},        {"ITTFL", "NY"},
    {"SAFFL", "NY"},         {"TRTEMFL", "NY"},      {"ABLFL", "NY"},
    {"ANL01FL", "NY"},       {"DSCAT", "DSCAT"},
};

static const char *coded_list(const char *var)
{
    for (size_t i = 0; i < N(CODED); i++)
        if (!strcmp(CODED[i].var, var)) return CODED[i].list;
    return NULL;
}

static const ds_meta *meta_of(const char *name)
{
    for (size_t i = 0; i < N(META); i++)
        if (!strcmp(META[i].name, name)) return &META[i];
    return NULL;
}

/* def:Origin: the trial design comes from the protocol; SDTM's identifiers are assigned and
 * its sequence numbers, USUBJID and the engine's evaluations derived; the rest of SDTM was
 * entered on the engine's electronic case report forms (CRF); ADaM copies its identifiers
 * from SDTM (Predecessor) and derives the rest. */
static const char *origin(const char *ds, const char *var, bool adam, bool design)
{
    static const char *const assigned[] = {"STUDYID", "DOMAIN"};
    static const char *const copied[] = {"STUDYID", "USUBJID", "SUBJID", "SITEID", "SEX",
                                         "AESEQ", "LBSEQ", "AETERM", "AEDECOD", "AEBODSYS",
                                         "AETOXGR", "AESER", "AEREL", "DTHFL", "ARM"};
    static const char *const derived[] = {"USUBJID", "VISITNUM", "LBTOXGR", "LBSTRESC",
                                          "LBSTRESN", "LBSTRESU", "EPOCH", "TRSTRESC",
                                          "TRSTRESN", "TRSTRESU"};
    size_t n = strlen(var);
    if (adam) {
        for (size_t i = 0; i < N(copied); i++)
            if (!strcmp(copied[i], var)) return "Predecessor";
        return "Derived";
    }
    for (size_t i = 0; i < N(assigned); i++)
        if (!strcmp(assigned[i], var)) return "Assigned";
    if (design) return "Protocol";
    if (n > 3 && !strcmp(var + n - 3, "SEQ")) return "Derived";
    if (!strcmp(ds, "RS") || !strcmp(ds, "SV")) return "Derived"; /* the engine's RECIST, calendar */
    for (size_t i = 0; i < N(derived); i++)
        if (!strcmp(derived[i], var)) return "Derived";
    return "CRF";
}

/* ---- collecting ---- */

typedef struct def_var {
    size_t length;   /* XPT bytes */
    bool integer;    /* a number whose every value is whole */
    int digits;      /* a float's most decimal places */
    bool mandatory;  /* a value on every row */
} def_var;

typedef struct def_ds {
    bool adam; /* an analysis dataset (Purpose Analysis, ADaM's origins) */
    const char *name, *label;
    const lt__ds_var *vars;
    size_t nvars, nrows;
    def_var *v;
} def_ds;

typedef struct def_term {
    const char *list;
    char *value;
} def_term;

struct lt__define {
    def_ds *ds;
    size_t n, cap;
    def_term *terms;
    size_t nterms, capterms;
    bool failed;
};

lt__define *lt__def_new(void) { return calloc(1, sizeof(lt__define)); }

void lt__def_free(lt__define *def)
{
    if (!def) return;
    for (size_t i = 0; i < def->n; i++) free(def->ds[i].v);
    for (size_t i = 0; i < def->nterms; i++) free(def->terms[i].value);
    free(def->ds);
    free(def->terms);
    free(def);
}

static void add_term(lt__define *def, const char *list, const char *value)
{
    for (size_t i = 0; i < def->nterms; i++)
        if (def->terms[i].list == list && !strcmp(def->terms[i].value, value)) return;
    if (def->nterms == def->capterms) {
        size_t cap = def->capterms ? def->capterms * 2 : 64;
        def_term *t = realloc(def->terms, cap * sizeof *t);
        if (!t) {
            def->failed = true;
            return;
        }
        def->terms = t, def->capterms = cap;
    }
    char *v = strdup(value);
    if (!v) {
        def->failed = true;
        return;
    }
    def->terms[def->nterms++] = (def_term){list, v};
}

/* The decimal places %.15g gives v (the CSV's form of it). */
static int decimals(double v)
{
    char s[64];
    snprintf(s, sizeof s, "%.15g", v);
    const char *dot = strchr(s, '.');
    if (!dot || strchr(s, 'e')) return 0;
    return (int)strlen(dot + 1);
}

void lt__def_add(lt__define *def, const lt__dataset *d, bool adam)
{
    if (!def || def->failed) return;
    if (def->n == def->cap) {
        size_t cap = def->cap ? def->cap * 2 : 32;
        def_ds *p = realloc(def->ds, cap * sizeof *p);
        if (!p) {
            def->failed = true;
            return;
        }
        def->ds = p, def->cap = cap;
    }
    def_var *v = calloc(d->nvars ? d->nvars : 1, sizeof *v);
    if (!v) {
        def->failed = true;
        return;
    }
    for (size_t c = 0; c < d->nvars; c++) {
        const char *list = d->vars[c].numeric ? NULL : coded_list(d->vars[c].name);
        v[c].length = lt__ds_width(d, c);
        v[c].integer = true;
        v[c].mandatory = d->nrows > 0;
        for (size_t r = 0; r < d->nrows; r++) {
            size_t at = r * d->nvars + c;
            if (d->vars[c].numeric) {
                double x = d->num[at];
                if (isnan(x)) {
                    v[c].mandatory = false;
                } else if (x != floor(x)) {
                    v[c].integer = false;
                    int k = decimals(x);
                    if (k > v[c].digits) v[c].digits = k;
                }
            } else if (!d->text[at]) {
                v[c].mandatory = false;
            } else if (list) {
                add_term(def, list, d->text[at]);
            }
        }
    }
    def->ds[def->n++] = (def_ds){adam, d->name, d->label, d->vars, d->nvars, d->nrows, v};
}

/* ---- writing ---- */

typedef struct emit {
    xmlTextWriterPtr w;
    int rc;
} emit;

#define W(call)                                                                                  \
    do {                                                                                         \
        if ((call) < 0) e->rc = -1;                                                              \
    } while (0)

static void start(emit *e, const char *name) { W(xmlTextWriterStartElement(e->w, BAD_CAST name)); }
static void end(emit *e) { W(xmlTextWriterEndElement(e->w)); }
static void attr(emit *e, const char *name, const char *value)
{
    W(xmlTextWriterWriteAttribute(e->w, BAD_CAST name, BAD_CAST value));
}

static void description(emit *e, const char *text)
{
    start(e, "Description");
    start(e, "TranslatedText");
    attr(e, "xml:lang", "en");
    W(xmlTextWriterWriteString(e->w, BAD_CAST text));
    end(e);
    end(e);
}

static void alias(emit *e, const char *code)
{
    start(e, "Alias");
    attr(e, "Context", "nci:ExtCodeID");
    attr(e, "Name", code);
    end(e);
}

static bool list_used(const lt__define *def, const char *list)
{
    for (size_t i = 0; i < def->nterms; i++)
        if (!strcmp(def->terms[i].list, list)) return true;
    return false;
}

static int cmp_term(const void *a, const void *b)
{
    const def_term *x = a, *y = b;
    int c = strcmp(x->list, y->list);
    return c ? c : strcmp(x->value, y->value);
}

static void lower(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s[k] && k + 1 < n; k++) out[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
    out[k] = 0;
}

static void item_group(emit *e, const def_ds *d)
{
    bool adam = d->adam;
    const ds_meta *m = meta_of(d->name);
    char oid[32], leaf[32], file[32];
    snprintf(oid, sizeof oid, "IG.%s", d->name);
    snprintf(leaf, sizeof leaf, "LF.%s", d->name);
    lower(d->name, file, sizeof file - 4);
    strcat(file, ".xpt");
    start(e, "ItemGroupDef");
    attr(e, "OID", oid);
    if (!adam) attr(e, "Domain", d->name);
    attr(e, "Name", d->name);
    attr(e, "Repeating", !strcmp(d->name, "DM") || !strcmp(d->name, "ADSL") ? "No" : "Yes");
    attr(e, "IsReferenceData", m && !strcmp(m->cls, "TRIAL DESIGN") ? "Yes" : "No");
    attr(e, "SASDatasetName", d->name);
    attr(e, "Purpose", adam ? "Analysis" : "Tabulation");
    if (m) attr(e, "def:Structure", m->structure);
    if (m) attr(e, "def:Class", m->cls);
    attr(e, "def:ArchiveLocationID", leaf);
    description(e, d->label);
    for (size_t c = 0; c < d->nvars; c++) {
        char item[48], ord[24], key[24];
        snprintf(item, sizeof item, "IT.%s.%s", d->name, d->vars[c].name);
        snprintf(ord, sizeof ord, "%zu", c + 1);
        start(e, "ItemRef");
        attr(e, "ItemOID", item);
        attr(e, "OrderNumber", ord);
        attr(e, "Mandatory", d->v[c].mandatory ? "Yes" : "No");
        for (size_t k = 0; m && k < N(m->keys) && m->keys[k]; k++)
            if (!strcmp(m->keys[k], d->vars[c].name)) {
                snprintf(key, sizeof key, "%zu", k + 1);
                attr(e, "KeySequence", key);
            }
        end(e);
    }
    start(e, "def:leaf");
    attr(e, "ID", leaf);
    attr(e, "xlink:href", file);
    start(e, "def:title");
    W(xmlTextWriterWriteString(e->w, BAD_CAST file));
    end(e);
    end(e);
    end(e);
}

static void item_defs(emit *e, const lt__define *def, const def_ds *d)
{
    bool adam = d->adam;
    const ds_meta *m = meta_of(d->name);
    bool design = m && !strcmp(m->cls, "TRIAL DESIGN");
    for (size_t c = 0; c < d->nvars; c++) {
        const lt__ds_var *var = &d->vars[c];
        const def_var *v = &d->v[c];
        char oid[48], len[24], dig[16];
        snprintf(oid, sizeof oid, "IT.%s.%s", d->name, var->name);
        snprintf(len, sizeof len, "%zu", v->length);
        start(e, "ItemDef");
        attr(e, "OID", oid);
        attr(e, "Name", var->name);
        attr(e, "SASFieldName", var->name);
        attr(e, "DataType", !var->numeric ? "text" : v->integer ? "integer" : "float");
        attr(e, "Length", len);
        if (var->numeric && !v->integer) {
            snprintf(dig, sizeof dig, "%d", v->digits);
            attr(e, "SignificantDigits", dig);
        }
        description(e, var->label);
        const char *list = var->numeric ? NULL : coded_list(var->name);
        if (list && list_used(def, list)) {
            char cl[32];
            snprintf(cl, sizeof cl, "CL.%s", list);
            start(e, "CodeListRef");
            attr(e, "CodeListOID", cl);
            end(e);
        }
        start(e, "def:Origin");
        attr(e, "Type", origin(d->name, var->name, adam, design));
        end(e);
        end(e);
    }
}

/* One CodeList per codelist the datasets used: the terms they hold, in order, each with its
 * C-code when terms.c has it (a term without one is the sponsor's extension of the list). */
static void code_lists(emit *e, lt__define *def)
{
    if (def->nterms) qsort(def->terms, def->nterms, sizeof *def->terms, cmp_term);
    for (size_t i = 0; i < def->nterms;) {
        const char *list = def->terms[i].list;
        const lt__ct_list *cl = lt__ct_list_find(list);
        char oid[32];
        snprintf(oid, sizeof oid, "CL.%s", list);
        start(e, "CodeList");
        attr(e, "OID", oid);
        attr(e, "Name", cl ? cl->label : list);
        attr(e, "DataType", "text");
        for (; i < def->nterms && !strcmp(def->terms[i].list, list); i++) {
            const char *code = lt__ct_code(list, def->terms[i].value);
            start(e, "EnumeratedItem");
            attr(e, "CodedValue", def->terms[i].value);
            if (code) alias(e, code);
            end(e);
        }
        if (cl) alias(e, cl->code);
        end(e);
    }
}

lt_status lt__def_write(lt__define *def, const char *dir, const char *study, bool adam,
                        lt_time created, lt_buf *summary, lt_error *err)
{
    if (!def || def->failed) LT_FAIL(err, LT_ENOMEM, "", "out of memory building define.xml");
    xmlBufferPtr xb = xmlBufferCreate();
    xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
    if (!w) {
        if (xb) xmlBufferFree(xb);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    emit ev = {w, 0}, *e = &ev;
    char now[LT_TIME_STR_MAX], oid[160], name[200], part[96];
    lt_time_format(created, now);
    lt__oid_part(study, part, sizeof part); /* "NET RETREAT" is NET_RETREAT */
    xmlTextWriterSetIndent(w, 1);
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0) e->rc = -1;
    start(e, "ODM");
    attr(e, "xmlns", ODM_NS);
    attr(e, "xmlns:def", DEF_NS);
    attr(e, "xmlns:xlink", XLINK_NS);
    attr(e, "FileType", "Snapshot");
    snprintf(oid, sizeof oid, "LUTETIA.%s.DEFINE.%s", part, adam ? "ADAM" : "SDTM");
    attr(e, "FileOID", oid);
    attr(e, "CreationDateTime", now);
    attr(e, "ODMVersion", "1.3.2");
    attr(e, "Originator", "Lutetia");
    attr(e, "SourceSystem", "Lutetia");
    start(e, "Study");
    snprintf(oid, sizeof oid, "ST.%s", part);
    attr(e, "OID", oid);
    start(e, "GlobalVariables");
    W(xmlTextWriterWriteElement(w, BAD_CAST "StudyName", BAD_CAST study));
    snprintf(name, sizeof name, "%s: %s datasets", study, adam ? "ADaM" : "SDTM");
    W(xmlTextWriterWriteElement(w, BAD_CAST "StudyDescription", BAD_CAST name));
    W(xmlTextWriterWriteElement(w, BAD_CAST "ProtocolName", BAD_CAST study));
    end(e);
    start(e, "MetaDataVersion");
    snprintf(oid, sizeof oid, "MDV.%s.%s", part, adam ? "ADAM" : "SDTM");
    attr(e, "OID", oid);
    attr(e, "Name", name);
    attr(e, "def:DefineVersion", "2.0.0");
    attr(e, "def:StandardName", adam ? "ADaM-IG" : "SDTM-IG");
    attr(e, "def:StandardVersion", adam ? "1.1" : "3.3");
    for (size_t i = 0; i < def->n; i++) item_group(e, &def->ds[i]);
    for (size_t i = 0; i < def->n; i++) item_defs(e, def, &def->ds[i]);
    code_lists(e, def);
    end(e); /* MetaDataVersion */
    end(e); /* Study */
    end(e); /* ODM */
    if (xmlTextWriterEndDocument(w) < 0) e->rc = -1;
    xmlFreeTextWriter(w);
    lt_status rc = e->rc ? lt_error_set(err, LT_ENOMEM, "", "writing define.xml failed") : LT_OK;
    char path[1024];
    snprintf(path, sizeof path, "%s/define.xml", dir);
    if (rc == LT_OK)
        rc = lt_file_write(path, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb), err);
    if (rc == LT_OK && summary)
        lt_buf_printf(summary, "define.xml: %zu datasets (Define-XML 2.0, %s)\n", def->n,
                      adam ? "ADaM-IG 1.1" : "SDTM-IG 3.3");
    xmlBufferFree(xb);
    return rc;
}
