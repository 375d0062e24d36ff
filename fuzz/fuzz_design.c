/* Fuzz target for the protocol's "design" member reader (a file people edit) and what runs on
 * what it accepts: the design check with its text and JSON output, and a few simulated trials
 * when the design is small enough to simulate quickly. */
#include <stdint.h>
#include <stdlib.h>
#include "lutetia.h"
#include "lutetia/design.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_json *v = NULL;
    lt_error err;
    if (lt_json_parse((const char *)data, size, "fuzz", &v, &err) != LT_OK) return 0;
    const lt_json *member = lt_json_get(v, "design");
    lt_protocol_design pd;
    if (lt_protocol_design_read(member ? member : v, "design", &pd, &err) == LT_OK) {
        lt_design_check c;
        if (lt_design_check_run(&pd, &c, &err) == LT_OK) {
            lt_buf b = LT_BUF_INIT;
            lt_design_check_text(&pd, &c, &b);
            lt_design_check_json(&pd, &c, &b);
            lt_buf_free(&b);
        }
        lt_sim_spec s;
        if (pd.comparative && pd.patients > 0 && pd.patients <= 500 &&
            pd.design.control_hazard > 0 &&
            lt_sim_spec_from_design(&pd.design, pd.patients, pd.events, &s, &err) == LT_OK) {
            if (pd.has_piecewise) {
                s.control = pd.control;
                s.treatment = pd.treatment;
            }
            lt_sim_result r;
            (void)lt_sim_run(&s, 3, 1, 1, NULL, NULL, &r, &err);
        }
    }
    lt_json_free(v);
    return 0;
}
