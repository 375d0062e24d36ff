/* Fuzz target for the stored patient document (src/trial/patient_doc.c), which is read back from
 * a database file that may have been edited by hand: any bytes must parse or fail cleanly, and
 * a document that parses must write out and read back to the same bytes (the audit trail
 * compares documents byte for byte). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../src/trial/trial_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    lt__pdoc d, e;
    if (lt__pdoc_parse(text, 1, &d, NULL) == LT_OK) {
        lt_buf a = LT_BUF_INIT, b = LT_BUF_INIT;
        lt__pdoc_json(&d, &a);
        if (lt__pdoc_parse(lt_buf_str(&a), 1, &e, NULL) != LT_OK) abort();
        lt__pdoc_json(&e, &b);
        if (strcmp(lt_buf_str(&a), lt_buf_str(&b)) != 0) abort();
        lt__pdoc_free(&e);
        lt__pdoc_free(&d);
        lt_buf_free(&a);
        lt_buf_free(&b);
    }
    free(text);
    return 0;
}
