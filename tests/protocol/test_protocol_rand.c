/* The protocol check asks for everything randomisation needs (issue 8, section 9): a design the
 * check accepts must give a randomiser and a first allocation, or else a trial is created and
 * patients are consented and confirmed before the first `randomise` fails. Checked as a
 * property over many seeded variants of NELMAS's arms and randomisation section, and by the
 * cases that were once accepted (minimisation without p_preferred) with their messages. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia/file.h"
#include "lutetia/protocol.h"
#include "lutetia/randomise.h"

static char *nelmas_text;
static size_t nelmas_len;

/* splitmix64: a fixed-seed generator, so every run checks the same variants */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int pick(int n) { return (int)(rng_next() % (uint64_t)n); }

/* Does the protocol text give a randomiser and one allocation? */
static lt_status first_allocation(const lt_protocol *p, lt_error *err)
{
    static const unsigned char seed[LT_RANDOMISE_SEED_BYTES] = {1, 2, 3};
    lt_randomiser *r = NULL;
    lt_status rc = lt_randomiser_from_protocol(p, seed, &r, err);
    if (rc != LT_OK) return rc;
    lt_allocation a;
    if (lt_randomiser_method(r) == LT_RANDOMISE_MINIMISATION) {
        int64_t counts[8 * LT_RANDOMISE_MAX_ARMS] = {0};
        rc = lt_randomiser_factor_count(r) * lt_randomiser_arm_count(r) <= 8 * LT_RANDOMISE_MAX_ARMS
                 ? lt_randomise_minimise(r, 1, counts, &a, err)
                 : LT_EINVAL;
    } else if (lt_randomiser_method(r) == LT_RANDOMISE_PERMUTED_BLOCKS) {
        rc = lt_randomise_next_in_block(r, "all", NULL, &a, err);
    }
    lt_randomiser_free(r);
    return rc;
}

static char *variant(unsigned *kind)
{
    cJSON *doc = cJSON_ParseWithLength(nelmas_text, nelmas_len);
    if (!doc) return NULL;
    cJSON *arms = cJSON_GetObjectItem(doc, "arms");
    cJSON *rand = cJSON_GetObjectItem(doc, "randomisation");
    static const char *const methods[] = {"permuted_blocks", "minimisation", "none"};
    int m = pick(3);
    *kind = (unsigned)m;
    cJSON_ReplaceItemInObject(rand, "method", cJSON_CreateString(methods[m]));
    /* p_preferred: absent a quarter of the time, otherwise in or out of range */
    static const double pps[] = {0.4, 0.5, 0.75, 1.0, 1.2};
    cJSON_DeleteItemFromObject(rand, "p_preferred");
    if (pick(4)) cJSON_AddNumberToObject(rand, "p_preferred", pps[pick(5)]);
    static const char *const imb[] = {"range", "variance"};
    if (pick(2)) cJSON_AddStringToObject(rand, "imbalance", imb[pick(2)]);
    /* block sizes: absent, or one to three of these */
    static const int sizes[] = {1, 2, 3, 4, 6, 8, 200, 256, 258, 300, 512, 1000};
    cJSON_DeleteItemFromObject(rand, "block_sizes");
    if (pick(5) >= 2) {
        cJSON *bs = cJSON_AddArrayToObject(rand, "block_sizes");
        for (int i = 0, n = 1 + pick(3); i < n; i++)
            cJSON_AddItemToArray(bs, cJSON_CreateNumber(sizes[pick(12)]));
    }
    /* ratios, up to the largest the format allows (two arms of 100 need blocks of 200, 400) */
    static const int ratios[] = {1, 1, 2, 3, 64, 100};
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(arms, "A"), "ratio",
                              cJSON_CreateNumber(ratios[pick(6)]));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(arms, "B"), "ratio",
                              cJSON_CreateNumber(ratios[pick(6)]));
    /* more arms: none, one, or more than the randomiser takes; sometimes a name it refuses */
    int extra = (int[]){0, 0, 1, 15}[pick(4)];
    for (int i = 0; i < extra; i++) {
        char id[16];
        snprintf(id, sizeof id, pick(8) ? "C%d" : "C=%d", i);
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "name", id);
        cJSON_AddStringToObject(a, "role", "experimental");
        cJSON_AddNumberToObject(a, "ratio", 1);
        cJSON_AddItemToObject(arms, id, a);
    }
    /* stratum keys are "factor=level;...": a factor or a level named with '=' or ';' */
    cJSON *st = cJSON_GetObjectItem(rand, "stratification");
    int bad = pick(10);
    if (bad == 0) {
        cJSON *f = cJSON_DetachItemFromObject(st, "primary_site");
        cJSON_AddItemToObject(st, "site=x", f);
    } else if (bad == 1) {
        cJSON *lv = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "resection_margin"), "levels");
        cJSON *l = cJSON_DetachItemFromObject(lv, "R1");
        cJSON_AddItemToObject(lv, "R1;x", l);
    } else if (bad == 2) {
        cJSON_DeleteItemFromObject(rand, "stratification");
    }
    char *out = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return out;
}

/* Over 1200 seeded variants: whatever the check accepts randomises; what it refuses it refuses
 * with a path. Both sides must be well represented, or the property says nothing. */
static void test_accepted_designs_randomise(void)
{
    rng_state = 20261203;
    int accepted[3] = {0}, refused = 0;
    for (int i = 0; i < 1200; i++) {
        unsigned kind = 0;
        char *text = variant(&kind);
        if (!text) {
            CHECK_MSG(0, "variant %d: out of memory", i);
            continue;
        }
        lt_protocol *p = NULL;
        lt_error err;
        lt_status rc = lt_protocol_parse(text, strlen(text), "variant.json", NULL, &p, &err);
        if (rc == LT_OK) {
            accepted[kind]++;
            lt_error rerr;
            lt_status rr = first_allocation(p, &rerr);
            CHECK_MSG(rr == LT_OK, "variant %d passes the check but cannot randomise: %s: %s\n  %s",
                      i, rerr.where, rerr.message, text);
            lt_protocol_free(p);
        } else {
            refused++;
            CHECK_MSG(rc == LT_ESCHEMA && err.where[0], "variant %d: status %d without a place", i,
                      (int)rc);
        }
        free(text);
    }
    printf("  variants: %d permuted blocks, %d minimisation, %d none accepted; %d refused\n",
           accepted[0], accepted[1], accepted[2], refused);
    CHECK(accepted[0] >= 30);
    CHECK(accepted[1] >= 30);
    CHECK(refused >= 100);
}

/* The check lists these problems, each at its member, with what it expected. */
static void expect_refused(const char *jq_like, const char *path, const char *part)
{
    (void)jq_like;
    lt_protocol_issue *v = NULL;
    size_t n = 0;
    lt_error err;
    CHECK_INT(lt_protocol_check(nelmas_text, nelmas_len, "nelmas.json", &v, &n, &err), LT_OK);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= !strcmp(v[i].path, path) && strstr(v[i].message, part) != NULL;
    CHECK_MSG(found, "%s: no issue at %s saying \"%s\" (%zu issues%s%s%s%s)", jq_like, path, part, n,
              n ? ", first at " : "", n ? v[0].path : "", n ? ": " : "", n ? v[0].message : "");
    free(v);
}

static void edit(const char *what, void (*change)(cJSON *rand, cJSON *arms), const char *path,
                 const char *part)
{
    char *saved = nelmas_text;
    size_t saved_len = nelmas_len;
    cJSON *doc = cJSON_ParseWithLength(nelmas_text, nelmas_len);
    if (!doc) return;
    change(cJSON_GetObjectItem(doc, "randomisation"), cJSON_GetObjectItem(doc, "arms"));
    nelmas_text = cJSON_PrintUnformatted(doc);
    nelmas_len = nelmas_text ? strlen(nelmas_text) : 0;
    cJSON_Delete(doc);
    if (nelmas_text) {
        expect_refused(what, path, part);
        /* and load refuses it, so `trial init` does too */
        lt_protocol *p = NULL;
        lt_error err;
        CHECK_INT(lt_protocol_parse(nelmas_text, nelmas_len, "nelmas.json", NULL, &p, &err),
                  LT_ESCHEMA);
        lt_protocol_free(p);
        free(nelmas_text);
    }
    nelmas_text = saved;
    nelmas_len = saved_len;
}

static void minimisation_no_p(cJSON *r, cJSON *a)
{
    (void)a;
    cJSON_ReplaceItemInObject(r, "method", cJSON_CreateString("minimisation"));
    cJSON_DeleteItemFromObject(r, "block_sizes");
}
static void block_too_big(cJSON *r, cJSON *a)
{
    (void)a;
    cJSON_ReplaceItemInObject(r, "block_sizes", cJSON_CreateIntArray((const int[]){2, 300}, 2));
}
static void default_blocks_too_big(cJSON *r, cJSON *a)
{
    cJSON_DeleteItemFromObject(r, "block_sizes");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(a, "A"), "ratio", cJSON_CreateNumber(100));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(a, "B"), "ratio", cJSON_CreateNumber(100));
}
static void level_with_equals(cJSON *r, cJSON *a)
{
    (void)a;
    cJSON *lv = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r, "stratification"), "resection_margin"),
        "levels");
    cJSON_AddItemToObject(lv, "R2=x", cJSON_CreateStringArray((const char *[]){"R2"}, 1));
}
static void seventeen_arms(cJSON *r, cJSON *a)
{
    (void)r;
    for (int i = 0; i < 15; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        cJSON *arm = cJSON_CreateObject();
        cJSON_AddStringToObject(arm, "name", id);
        cJSON_AddStringToObject(arm, "role", "experimental");
        cJSON_AddNumberToObject(arm, "ratio", 1);
        cJSON_AddItemToObject(a, id, arm);
    }
}

static void test_refused_with_place(void)
{
    edit("minimisation without p_preferred", minimisation_no_p, "randomisation.p_preferred",
         "missing");
    edit("a block of 300", block_too_big, "randomisation.block_sizes[1]", "from 1 to 256");
    edit("ratios 100:100 without block sizes", default_blocks_too_big, "randomisation",
         "expected block_sizes");
    edit("a level R2=x", level_with_equals,
         "randomisation.stratification.resection_margin.levels.R2=x", "without '=' or ';'");
    edit("17 arms", seventeen_arms, "arms", "at most 16 arms");
}

int main(void)
{
    const char *src = getenv("SRC") ? getenv("SRC") : ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/protocols/nelmas.json", src);
    lt_error err;
    if (lt_file_read(path, &nelmas_text, &nelmas_len, &err) != LT_OK) {
        CHECK_MSG(0, "%s: %s", path, err.message);
        return lt_test_done();
    }
    /* NELMAS itself passes and randomises */
    lt_protocol *p = NULL;
    CHECK_INT(lt_protocol_parse(nelmas_text, nelmas_len, "nelmas.json", NULL, &p, &err), LT_OK);
    if (p) CHECK_INT(first_allocation(p, &err), LT_OK);
    lt_protocol_free(p);
    test_accepted_designs_randomise();
    test_refused_with_place();
    free(nelmas_text);
    return lt_test_done();
}
