/* Tests of the base module: dates, buffers, number parsing, JSON errors and locations, CSV. */
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"

static void test_dates(void)
{
    lt_date d;
    char buf[LT_DATE_STR_MAX];
    CHECK(lt_date_parse("1970-01-01", false, &d) && d == 0);
    CHECK(lt_date_parse("2000-03-01", false, &d) && d == 11017);
    CHECK(lt_date_parse("2024-02-29", false, &d));
    CHECK(!lt_date_parse("2023-02-29", false, &d));
    CHECK(!lt_date_parse("2023-13-01", false, &d));
    CHECK(!lt_date_parse("2023-1-01", false, &d));
    CHECK(!lt_date_parse("2020-01-02T10:00:00Z", false, &d));
    CHECK(lt_date_parse("2020-01-02T10:00:00+01:00", true, &d));
    CHECK_STR(lt_date_format(d, buf), "2020-01-02");
    CHECK_STR(lt_date_format(lt_date_from_ymd(1899, 12, 31), buf), "1899-12-31");
    /* end-of-month clamping when adding calendar months */
    CHECK_STR(lt_date_format(lt_date_add_months(lt_date_from_ymd(2024, 1, 31), 1), buf),
              "2024-02-29");
    CHECK_STR(lt_date_format(lt_date_add_months(lt_date_from_ymd(2023, 1, 31), 1), buf),
              "2023-02-28");
    CHECK_STR(lt_date_format(lt_date_add_months(lt_date_from_ymd(2024, 11, 15), 3), buf),
              "2025-02-15");
    CHECK_STR(lt_date_format(lt_date_add_months(lt_date_from_ymd(2024, 2, 15), -3), buf),
              "2023-11-15");
    /* the digits written without printf give printf's text, and parse back: every day from
     * 1900 to 2200, and every 97th from 1 January of year 1 to 31 December 9999 */
    {
        int bad = 0;
        lt_date y1900 = lt_date_from_ymd(1900, 1, 1), y2200 = lt_date_from_ymd(2200, 12, 31);
        for (lt_date day = lt_date_from_ymd(1, 1, 1); day <= lt_date_from_ymd(9999, 12, 31);
             day += day >= y1900 && day <= y2200 ? 1 : 97) {
            int y, m, dd;
            lt_date_to_ymd(day, &y, &m, &dd);
            char want[48];
            snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, dd);
            lt_date back = LT_DATE_NONE;
            if (strcmp(lt_date_format(day, buf), want) != 0 || !lt_date_parse(buf, false, &back) ||
                back != day)
                bad++;
        }
        CHECK_INT(bad, 0);
    }
    /* age is correct on the birthday, the day before, and for 29 February */
    lt_date birth = lt_date_from_ymd(2008, 6, 15);
    CHECK_INT(lt_date_age_years(birth, lt_date_from_ymd(2026, 6, 15)), 18);
    CHECK_INT(lt_date_age_years(birth, lt_date_from_ymd(2026, 6, 14)), 17);
    lt_date leap = lt_date_from_ymd(2004, 2, 29);
    CHECK_INT(lt_date_age_years(leap, lt_date_from_ymd(2022, 2, 28)), 17);
    CHECK_INT(lt_date_age_years(leap, lt_date_from_ymd(2022, 3, 1)), 18);
    CHECK_INT(lt_date_age_years(leap, lt_date_from_ymd(2024, 2, 29)), 20);
}

static void test_times(void)
{
    lt_time t, u;
    char buf[LT_TIME_STR_MAX];
    CHECK(lt_time_parse("2026-01-01T08:00Z", &t));
    CHECK(lt_time_parse("2026-01-02T08:00:00Z", &u));
    CHECK_INT(u - t, 86400);
    CHECK(lt_time_parse("2026-01-01T10:00:00+02:00", &u) && u == t);
    CHECK(lt_time_parse("2026-01-01T03:30:00.250-04:30", &u) && u == t);
    CHECK(!lt_time_parse("2026-01-01T08:00:00", &u));
    CHECK(!lt_time_parse("2026-01-01", &u));
    CHECK_STR(lt_time_format(t, buf), "2026-01-01T08:00:00Z");
    CHECK_STR(lt_time_format(-1, buf), "1969-12-31T23:59:59Z");
}

static void test_buf_and_numbers(void)
{
    lt_buf b = LT_BUF_INIT;
    /* a size that would wrap n + extra + 1 marks the buffer failed instead of writing */
    lt_buf_puts(&b, "ab");
    lt_buf_put(&b, "x", SIZE_MAX - 1);
    CHECK(lt_buf_failed(&b));
    CHECK_STR(lt_buf_str(&b), "ab");
    lt_buf_reset(&b);
    CHECK(!lt_buf_failed(&b));
    lt_buf_json_str(&b, "a\"b\\c\n\x01");
    CHECK_STR(lt_buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\"");
    lt_buf_reset(&b);
    /* seeded random strings, plain and with characters to escape, after other text: the same
     * as each character escaped in turn */
    {
        uint32_t x = 20261203u;
        int bad = 0;
        for (int round = 0; round < 5000; round++) {
            char in[48], want[48 * 6 + 16];
            size_t len = 0, w = 0;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t n = x % 40;
            bool plain = round % 2 == 0;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                unsigned char ch = (unsigned char)(plain ? 0x20 + x % 0x5f : 1 + x % 255);
                if (plain && (ch == '"' || ch == '\\')) ch = 'a';
                in[len++] = (char)ch;
            }
            in[len] = '\0';
            w += (size_t)snprintf(want + w, sizeof want - w, "pre\"");
            for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char)in[i];
                if (ch == '"') w += (size_t)snprintf(want + w, sizeof want - w, "\\\"");
                else if (ch == '\\') w += (size_t)snprintf(want + w, sizeof want - w, "\\\\");
                else if (ch == '\n') w += (size_t)snprintf(want + w, sizeof want - w, "\\n");
                else if (ch == '\r') w += (size_t)snprintf(want + w, sizeof want - w, "\\r");
                else if (ch == '\t') w += (size_t)snprintf(want + w, sizeof want - w, "\\t");
                else if (ch < 0x20) w += (size_t)snprintf(want + w, sizeof want - w, "\\u%04x", ch);
                else want[w++] = (char)ch;
            }
            snprintf(want + w, sizeof want - w, "\"");
            lt_buf_reset(&b);
            lt_buf_puts(&b, "pre");
            lt_buf_json_str(&b, in);
            if (strcmp(lt_buf_str(&b), want) != 0) bad++;
        }
        CHECK_INT(bad, 0);
    }
    lt_buf_reset(&b);
    lt_buf_json_num(&b, 0.1);
    lt_buf_putc(&b, ' ');
    lt_buf_json_num(&b, 1.0 / 3);
    lt_buf_putc(&b, ' ');
    lt_buf_json_num(&b, NAN);
    CHECK_STR(lt_buf_str(&b), "0.1 0.3333333333333333 null");
    lt_buf_reset(&b);
    lt_buf_num(&b, 60);
    lt_buf_putc(&b, ' ');
    lt_buf_num(&b, 1234567);
    lt_buf_putc(&b, ' ');
    lt_buf_num(&b, -2500.5);
    lt_buf_putc(&b, ' ');
    lt_buf_num(&b, 1e20);
    lt_buf_putc(&b, ' ');
    lt_buf_num(&b, 0.00001);
    CHECK_STR(lt_buf_str(&b), "60 1234567 -2500.5 1e+20 1e-05");
    lt_buf_reset(&b);
    for (int i = 0; i < 1000; i++) lt_buf_printf(&b, "%d,", i);
    CHECK(b.n == 3890 && !lt_buf_failed(&b));
    lt_buf_reset(&b);
    lt_buf_csv_field(&b, "plain");
    lt_buf_putc(&b, ',');
    lt_buf_csv_field(&b, "a, \"b\"");
    lt_buf_putc(&b, ',');
    lt_buf_csv_field(&b, NULL);
    lt_buf_putc(&b, ',');
    lt_buf_csv_field(&b, "two\nlines");
    CHECK_STR(lt_buf_str(&b), "plain,\"a, \"\"b\"\"\",,\"two\nlines\"");
    lt_buf_free(&b);
    lt_buf_free(&b); /* freeing twice is harmless */

    double x;
    long l;
    CHECK(lt_parse_double(" 8.0 ", &x) && x == 8.0);
    CHECK(lt_parse_double("-1e-3", &x) && x == -0.001);
    CHECK(!lt_parse_double("", &x));
    CHECK(!lt_parse_double("8,0", &x));
    CHECK(!lt_parse_double("nan", &x));
    CHECK(!lt_parse_double("0x10", &x));
    CHECK(!lt_parse_double("inf", &x));
    CHECK(lt_parse_long("42", 0, 100, &l) && l == 42);
    CHECK(!lt_parse_long("420", 0, 100, &l));
    CHECK(!lt_parse_long("4.2", 0, 100, &l));
}

static void test_json(void)
{
    const char *doc = "{\n  \"name\": \"x\",\n  \"arms\": [\n    {\"id\": \"A\"},\n"
                      "    {\"id\": \"B\", \"cycles\": [ {\"activity\": 7.4} ]}\n  ]\n}\n";
    lt_json *root = NULL;
    lt_error err;
    CHECK(lt_json_parse(doc, strlen(doc), "t.json", &root, &err) == LT_OK);
    CHECK_STR(lt_json_get_str(root, "name", NULL), "x");
    CHECK_INT(lt_json_size(lt_json_get(root, "arms")), 2);
    const lt_json *arm = lt_json_at(lt_json_get(root, "arms"), 1);
    CHECK_STR(lt_json_get_str(arm, "id", NULL), "B");
    CHECK(lt_json_get_num(lt_json_at(lt_json_get(arm, "cycles"), 0), "activity", 0) == 7.4);
    int line = 0, col = 0;
    CHECK(lt_json_locate(doc, strlen(doc), "arms[1].cycles[0].activity", &line, &col));
    CHECK_INT(line, 5);
    CHECK_INT(col, 42);
    CHECK(lt_json_locate(doc, strlen(doc), "name", &line, &col) && line == 2 && col == 11);
    CHECK(!lt_json_locate(doc, strlen(doc), "arms[2]", &line, &col));
    CHECK(!lt_json_locate(doc, strlen(doc), "missing", &line, &col));
    lt_json_free(root);

    /* the kind names used in every reader's "found ..." message */
    const char *kinds = "[{}, [], \"s\", 1.5, false, null]";
    CHECK(lt_json_parse(kinds, strlen(kinds), "k.json", &root, &err) == LT_OK);
    const char *want[] = {"an object", "an array", "a string", "a number", "a boolean", "null"};
    CHECK_INT(lt_json_size(root), 6);
    for (size_t i = 0; i < 6; i++) CHECK_STR(lt_json_kind(lt_json_at(root, i)), want[i]);
    CHECK_STR(lt_json_kind(lt_json_get(root, "absent")), "nothing");
    CHECK_STR(lt_json_kind(NULL), "nothing");
    lt_json_free(root);

    const char *bad = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    CHECK(lt_json_parse(bad, strlen(bad), "bad.json", &root, &err) == LT_EPARSE);
    CHECK_STR(err.where, "bad.json:3:8");
    const char *trailing = "{} x";
    CHECK(lt_json_parse(trailing, strlen(trailing), "t.json", &root, &err) == LT_EPARSE);
    CHECK_STR(err.where, "t.json:1:4");
    CHECK(lt_json_parse("", 0, "e.json", &root, &err) == LT_EPARSE);
}

/* Duplicate members and numbers beyond a double: cJSON would keep both members (and
 * lt_json_get the first, where jq and Python take the last) and read 1e400 as infinity. */
static const struct {
    const char *doc, *where, *message; /* where NULL: the document parses */
} json_rows[] = {
    {"{\"a\": 1, \"a\": 2}", "d.json:1:10", "a: duplicate member \"a\" (first at line 1, column 2)"},
    {"{\"value\": 231, \"value\": 20}", "d.json:1:16", "value: duplicate member \"value\""},
    {"{\"labs\": [],\n \"labs\": [{\"code\": \"platelets\"}]}", "d.json:2:2",
     "labs: duplicate member \"labs\""},
    {"{\"x\": [{\"v\": 1}, {\"v\": 2, \"w\": 0, \"v\": 3}]}", "d.json:1:35",
     "x[1].v: duplicate member \"v\""},
    {"{\"a\": {\"b\": {\"c\": 1, \"c\": 1}}}", "d.json:1:22", "a.b.c: duplicate member \"c\""},
    {"{\"m\": 1, \"n\": 2, \"m\": 1}", "d.json:1:18", "m: duplicate member \"m\""},
    {"{\"v\": 1e400}", "d.json:1:7", "v: expected a finite number, found 1e400"},
    {"[1, -1e999]", "d.json:1:5", "[1]: expected a finite number, found -1e999"},
    {"{\"q\": {\"value\": 2e308}}", "d.json:1:17", "q.value: expected a finite number, found 2e308"},
    /* the same key in different objects, and big but finite numbers, are fine */
    {"{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}]}", NULL, NULL},
    {"{\"v\": 1e308, \"w\": -1.7e308, \"x\": 1e-400, \"y\": -0}", NULL, NULL},
    {"{\"a\": 1, \"A\": 2}", NULL, NULL},
    /* cJSON would cut "a\u0000b" to "a"; an escaped backslash before u0000 is plain text */
    {"{\"s\": \"a\\u0000b\"}", "d.json:1:9", "expected a string without NUL characters"},
    {"{\"s\": \"a\\\\u0000b\"}", NULL, NULL},
};

static void test_json_strict(void)
{
    for (size_t i = 0; i < sizeof json_rows / sizeof json_rows[0]; i++) {
        lt_json *root = NULL;
        lt_error err;
        lt_error_clear(&err);
        const char *doc = json_rows[i].doc;
        lt_status st = lt_json_parse(doc, strlen(doc), "d.json", &root, &err);
        if (!json_rows[i].where) {
            CHECK_MSG(st == LT_OK && root, "row %zu: %s: %s", i, err.where, err.message);
        } else {
            CHECK_MSG(st == LT_EPARSE && !root, "row %zu: parsed", i);
            CHECK_STR(err.where, json_rows[i].where);
            CHECK_MSG(strstr(err.message, json_rows[i].message) == err.message,
                      "row %zu: message \"%s\", expected it to start \"%s\"", i, err.message,
                      json_rows[i].message);
        }
        lt_json_free(root);
    }

    /* Property over seeded random objects of 2 to 120 members (the hash set above 32): with
     * distinct keys each parses; with key j set to key i (i < j) it fails at key j's place. */
    uint64_t seed = 0x5eed;
    for (int round = 0; round < 300; round++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t n = 2 + (size_t)(seed >> 33) % 119;
        size_t i = (size_t)(seed >> 20) % n, j = (size_t)(seed >> 45) % n;
        if (i == j) j = (j + 1) % n;
        if (i > j) {
            size_t t = i;
            i = j;
            j = t;
        }
        lt_buf ok = LT_BUF_INIT, dup = LT_BUF_INIT;
        size_t at = 0;
        for (int pass = 0; pass < 2; pass++) {
            lt_buf *b = pass ? &dup : &ok;
            lt_buf_putc(b, '{');
            for (size_t k = 0; k < n; k++) {
                if (k) lt_buf_puts(b, ", ");
                if (pass && k == j) at = b->n;
                lt_buf_printf(b, "\"k%zu\": %zu", pass && k == j ? i : k, k * 7);
            }
            lt_buf_putc(b, '}');
        }
        lt_json *root = NULL;
        lt_error err;
        CHECK_MSG(lt_json_parse(lt_buf_str(&ok), ok.n, "r.json", &root, &err) == LT_OK,
                  "round %d: distinct keys refused: %s", round, err.message);
        CHECK_INT(lt_json_size(root), n);
        lt_json_free(root);
        root = NULL;
        char want[64];
        snprintf(want, sizeof want, "r.json:1:%zu", at + 1);
        CHECK_MSG(lt_json_parse(lt_buf_str(&dup), dup.n, "r.json", &root, &err) ==
                          LT_EPARSE &&
                      !strcmp(err.where, want),
                  "round %d (n %zu, k%zu twice): where \"%s\", expected \"%s\"", round, n, i,
                  err.where, want);
        lt_json_free(root);
        lt_buf_free(&ok);
        lt_buf_free(&dup);
    }
}

static void test_csv(void)
{
    char data[] = "time,event,note\r\n1,0,\"a, \"\"quoted\"\" note\"\n\n2,1,\"two\nlines\"\n3,1,";
    lt_csv *c;
    lt_error err;
    const char **f;
    size_t n;
    CHECK(lt_csv_new(data, strlen(data), "t.csv", ',', &c, &err) == LT_OK);
    CHECK(lt_csv_next(c, &f, &n, &err) == 1 && n == 3 && !strcmp(f[2], "note"));
    CHECK(lt_csv_next(c, &f, &n, &err) == 1 && n == 3);
    CHECK_STR(f[2], "a, \"quoted\" note");
    CHECK_INT(lt_csv_line(c), 2);
    CHECK(lt_csv_next(c, &f, &n, &err) == 1 && n == 3);
    CHECK_STR(f[2], "two\nlines");
    CHECK_INT(lt_csv_line(c), 4);
    CHECK(lt_csv_next(c, &f, &n, &err) == 1 && n == 3);
    CHECK_STR(f[0], "3");
    CHECK_STR(f[2], "");
    CHECK_INT(lt_csv_line(c), 6);
    CHECK(lt_csv_next(c, &f, &n, &err) == 0);
    lt_csv_free(c);

    char unterminated[] = "a,b\n1,\"open";
    CHECK(lt_csv_new(unterminated, strlen(unterminated), "u.csv", ',', &c, &err) == LT_OK);
    CHECK(lt_csv_next(c, &f, &n, &err) == 1);
    CHECK(lt_csv_next(c, &f, &n, &err) == -1);
    CHECK_STR(err.where, "u.csv:2");
    lt_csv_free(c);

    char stray[] = "a,b\n1,x\"y\n";
    CHECK(lt_csv_new(stray, strlen(stray), "s.csv", ',', &c, &err) == LT_OK);
    CHECK(lt_csv_next(c, &f, &n, &err) == 1);
    CHECK(lt_csv_next(c, &f, &n, &err) == -1);
    CHECK_STR(err.where, "s.csv:2");
    lt_csv_free(c);
}

static void test_errors(void)
{
    lt_error err;
    CHECK(lt_error_set(&err, LT_ESCHEMA, "arms[0]", "expected %s", "a number") == LT_ESCHEMA);
    CHECK_STR(err.message, "expected a number");
    CHECK_STR(err.where, "arms[0]");
    CHECK(lt_error_set(NULL, LT_EIO, NULL, "ignored") == LT_EIO);
    CHECK_STR(lt_strerror(LT_ENOMEM), "out of memory");
    CHECK_STR(lt_strerror((lt_status)999), "unknown status");
}

/* A host program may call setlocale() with a decimal comma (de_DE); the CLI never does, so
 * only the library is exposed. Numbers in files and in JSON/CSV output must keep '.'. The
 * locale is compiled into a private folder with localedef (Debian package locales) so that
 * the test does not depend on what the machine has installed. */
static void test_comma_locale(void)
{
    char dir[] = "/tmp/lt-locale-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
    CHECK(system(cmd) == 0);
    setenv("LOCPATH", dir, 1);
    bool comma = setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
    CHECK(comma);
    if (comma) {
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 7.5);
        CHECK_STR(probe, "7,5"); /* the locale really is in force */
        double v = 0;
        CHECK(lt_parse_double("7.4", &v) && v == 7.4);
        CHECK(lt_parse_double(" 1.5e3 ", &v) && v == 1500);
        CHECK(!lt_parse_double("7,4", &v)); /* a comma is not a decimal point in a file */
        lt_buf b = LT_BUF_INIT;
        lt_buf_json_num(&b, 7.4);
        lt_buf_putc(&b, ' ');
        lt_buf_num(&b, 1.0 / 3);
        CHECK_STR(lt_buf_str(&b), "7.4 0.3333333333333333");
        lt_buf_free(&b);
        snprintf(probe, sizeof probe, "%.1f", 7.5);
        CHECK_STR(probe, "7,5"); /* and the host's locale is back afterwards */
    }
    setlocale(LC_NUMERIC, "C");
    unsetenv("LOCPATH");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* lt_file_write: the library's one writer of whole files (the demo's report, --ics, --plot):
 * a regular file is replaced whole; a symbolic link or a pipe in its place is refused and left
 * as it was, and so is what the link points to. */
static void test_file_write(void)
{
    char dir[] = "/tmp/lt_file_write_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK_MSG(0, "mkdtemp");
        return;
    }
    char path[256], link[256], victim[256], fifo[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    snprintf(link, sizeof link, "%s/link.txt", dir);
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    lt_error err;
    CHECK(lt_file_write(path, "first", 5, &err) == LT_OK);
    CHECK(lt_file_write(path, "second", 6, &err) == LT_OK);
    char *data = NULL;
    size_t len = 0;
    CHECK(lt_file_read(path, &data, &len, &err) == LT_OK && len == 6 && !strcmp(data, "second"));
    free(data);
    mode_t um = umask(022);
    CHECK(lt_file_write(path, "third", 5, &err) == LT_OK);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644);
    umask(um);
    FILE *f = fopen(victim, "w");
    if (f) {
        fputs("keep me", f);
        fclose(f);
    }
    CHECK(symlink(victim, link) == 0);
    CHECK(lt_file_write(link, "forged", 6, &err) == LT_EIO &&
          strstr(err.message, "symbolic link") != NULL);
    data = NULL;
    CHECK(lt_file_read(victim, &data, &len, &err) == LT_OK && !strcmp(data, "keep me"));
    free(data);
    CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(lt_file_write(fifo, "x", 1, &err) == LT_EIO &&
          strstr(err.message, "not a regular file") != NULL);
    CHECK(lt_file_write("/dev/full", "x", 1, &err) == LT_EIO);
    unlink(path);
    unlink(link);
    unlink(victim);
    unlink(fifo);
    CHECK_MSG(rmdir(dir) == 0, "no temporary file left behind in %s", dir);
}

int main(void)
{
    test_file_write();
    test_dates();
    test_times();
    test_buf_and_numbers();
    test_json();
    test_json_strict();
    test_csv();
    test_errors();
    test_comma_locale();
    return lt_test_done();
}
