/* SAS transport version 5 as the export writes it: every record 80 bytes, the namestr of each
 * variable where the format puts it, and numbers as IBM System/360 doubles, checked against
 * the bytes the IBM format gives for known values (1 = 41 10 00.., 100 = 42 64 00..,
 * -118.625 = C2 76 A0 00.., 0.5 = 40 80 00..; missing = 2E 00..; 0 = all zero). A value beyond
 * IBM's range, a label over 40 characters and a text over 200 are refused by name. */
#include <math.h>
#include <stdint.h>
#include "export_int.h"
#include "lt_test.h"

static const lt__ds_var vars[] = {
    {"NAME", "A text", false},
    {"X", "A number", true},
};

/* The 8 bytes of observation row's number (rows of NAME width 1 + X 8 = 9 bytes). */
static const unsigned char *number_of(const lt_buf *b, size_t row)
{
    /* 3 library + 2 member + 2 descriptor + namestr header, 2 x 140 namestr bytes padded to
     * 320, then the OBS header: observations begin at 80 * 8 + 320 + 80 */
    return (const unsigned char *)b->p + 80 * 8 + 320 + 80 + row * 9 + 1;
}

static void test_numbers(void)
{
    static const struct {
        double v;
        unsigned char bytes[8];
    } cases[] = {
        {1.0, {0x41, 0x10, 0, 0, 0, 0, 0, 0}},
        {100.0, {0x42, 0x64, 0, 0, 0, 0, 0, 0}},
        {-118.625, {0xC2, 0x76, 0xA0, 0, 0, 0, 0, 0}},
        {0.5, {0x40, 0x80, 0, 0, 0, 0, 0, 0}},
        {0.0, {0, 0, 0, 0, 0, 0, 0, 0}},
        {NAN, {0x2E, 0, 0, 0, 0, 0, 0, 0}},
    };
    size_t n = sizeof cases / sizeof cases[0];
    lt__dataset *d = lt__ds_new("T", "Test", vars, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK(lt__ds_row(d));
        lt__ds_str(d, "NAME", "a");
        lt__ds_num(d, "X", cases[i].v);
    }
    lt_buf b = LT_BUF_INIT;
    lt_error err;
    CHECK(lt__ds_check(d, &err) == LT_OK);
    CHECK(lt__ds_xpt(d, 0, &b, &err) == LT_OK);
    CHECK_INT(b.n % 80, 0);
    CHECK(!memcmp(b.p, "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!", 48));
    CHECK(!memcmp(b.p + 80 * 7, "HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!0000000002", 58));
    /* the second namestr: numeric (1), length 8, number 2, name "X", position 1 */
    const unsigned char *ns = (const unsigned char *)b.p + 80 * 8 + 140;
    CHECK(ns[1] == 1 && ns[5] == 8 && ns[7] == 2 && ns[8] == 'X' && ns[87] == 1);
    CHECK(!memcmp(b.p + 80 * 8 + 320, "HEADER RECORD*******OBS     HEADER RECORD!!!!!!!", 48));
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(!memcmp(number_of(&b, i), cases[i].bytes, 8), "%g: %02x %02x %02x", cases[i].v,
                  number_of(&b, i)[0], number_of(&b, i)[1], number_of(&b, i)[2]);
    /* the numbers round-trip: decode the IBM bytes back for a few awkward values */
    lt_buf_free(&b);
    lt__ds_free(d);

    static const double awkward[] = {1e-5, 123456.789, -7.25e40, 3.14159265358979, 1e70};
    d = lt__ds_new("T", "Test", vars, 2);
    for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
        lt__ds_row(d);
        lt__ds_num(d, "X", awkward[i]);
    }
    b = (lt_buf)LT_BUF_INIT;
    CHECK(lt__ds_xpt(d, 0, &b, &err) == LT_OK);
    for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
        const unsigned char *p = number_of(&b, i);
        uint64_t mant = 0;
        for (int k = 1; k < 8; k++) mant = mant << 8 | p[k];
        double v = ldexp((double)mant, -56) * pow(16.0, (p[0] & 0x7f) - 64) * (p[0] & 0x80 ? -1 : 1);
        CHECK_REL(v, awkward[i], 1e-15);
    }
    lt_buf_free(&b);
    lt__ds_free(d);
}

static void test_refusals(void)
{
    lt_error err;
    lt__dataset *d = lt__ds_new("T", "Test", vars, 2);
    lt__ds_row(d);
    lt__ds_num(d, "X", 1e300);
    lt_buf b = LT_BUF_INIT;
    CHECK(lt__ds_xpt(d, 0, &b, &err) == LT_EINVAL && strstr(err.message, "X: 1e+300"));
    lt_buf_free(&b);
    lt__ds_free(d);

    char long_text[202];
    memset(long_text, 'x', 201);
    long_text[201] = 0;
    d = lt__ds_new("T", "Test", vars, 2);
    lt__ds_row(d);
    lt__ds_str(d, "NAME", long_text);
    CHECK(lt__ds_check(d, &err) == LT_EINVAL && strstr(err.message, "NAME: a value of 201"));
    /* a variable the table does not have is a programming error, caught before writing */
    lt__ds_num(d, "NOPE", 1);
    CHECK(lt__ds_check(d, &err) != LT_OK);
    lt__ds_free(d);

    static const lt__ds_var bad[] = {{"TOOLONGNAME", "label", true}};
    d = lt__ds_new("T", "Test", bad, 1);
    CHECK(lt__ds_check(d, &err) == LT_EINVAL && strstr(err.message, "TOOLONGNAME"));
    lt__ds_free(d);
}

int main(void)
{
    test_numbers();
    test_refusals();
    return lt_test_done();
}
