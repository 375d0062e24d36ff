/* Options shared by `lutetia design` and `lutetia simulate`: the effect, alpha, sides, power,
 * accrual, follow-up, dropout and method, parsed in cli/design.c. */
#ifndef LUTETIA_CLI_DESIGN_OPTS_H
#define LUTETIA_CLI_DESIGN_OPTS_H

#include <stdbool.h>
#include "lutetia/design.h"

typedef struct lt_cli_design_opts {
    lt_design d;      /* filled by lt_cli_design_finish */
    double hr, s_control, s_treatment, at, m_control, m_treatment;
    double alpha, power, accrual, follow_up, dropout_rate, dropout_time, allocation_ratio;
    double patients, events;
    int sides;
} lt_cli_design_opts;

void lt_cli_design_opts_init(lt_cli_design_opts *o);
/* Consumes argv[*i] (and its value, advancing *i) if it is a design option: returns 0 when
 * consumed, -1 when not a design option, or an exit code after printing a usage error. */
int lt_cli_design_option(const char *verb, lt_cli_design_opts *o, int argc, char **argv, int *i);
/* Turns the options into o->d, checking that they are complete; 0 or an exit code. */
int lt_cli_design_finish(const char *verb, lt_cli_design_opts *o, bool need_power);
/* Reads the "design" member of a protocol file (lt_protocol_parse + lt_protocol_section, so the
 * whole protocol is validated and `version` NULL means the latest); errors carry
 * file:line:column and the JSON path. */
lt_status lt_cli_load_design(const char *path, const char *version, lt_protocol_design *out,
                             lt_error *err);

#endif
