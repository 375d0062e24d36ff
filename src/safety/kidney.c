/* Creatinine clearance by Cockcroft-Gault, as the Lutathera label asks for its renal rule
 * ("calculate using Cockcroft Gault with actual body weight"). */
#include <math.h>
#include "lutetia/safety.h"

double lt_crcl_cockcroft_gault(double age_years, double weight_kg, lt_sex sex,
                               double creatinine_mg_dl)
{
    /* Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
     * Nephron 1976;16:31-41: (140 - age) x weight / (72 x Scr), x 0.85 for women. */
    if (!(age_years >= 0 && age_years < 140) || !(weight_kg > 0) || !isfinite(weight_kg) ||
        !(creatinine_mg_dl > 0) || !isfinite(creatinine_mg_dl))
        return NAN;
    if (sex != LT_SEX_FEMALE && sex != LT_SEX_MALE) return NAN;
    double crcl = (140.0 - age_years) * weight_kg / (72.0 * creatinine_mg_dl);
    return sex == LT_SEX_FEMALE ? crcl * 0.85 : crcl;
}
