/* Who may have which DSMB report. The open report pools the arms, so it is for those who read
 * the trial's data as a whole: the statisticians, the monitor and the safety committee; not
 * site staff (interim figures of the whole trial are not theirs to see, FDA's guidance on data
 * monitoring committees, 2006, section 6), nor the admin, who reads no clinical listing
 * (src/conduct/listing.c: least privilege). The closed report shows the arms apart (ICH E9
 * 4.5, FDA DMC guidance 4.2.1): only for the committee itself and the unblinded statistician
 * who prepares it. */
#include "report_int.h"

#define R(x) (1u << (x))
static const unsigned allowed[] = {
    [LT_REPORT_OPEN] = R(LT_ROLE_STATISTICIAN) | R(LT_ROLE_MONITOR) |
                       R(LT_ROLE_UNBLINDED_STATISTICIAN) | R(LT_ROLE_SAFETY_COMMITTEE),
    [LT_REPORT_CLOSED] = R(LT_ROLE_UNBLINDED_STATISTICIAN) | R(LT_ROLE_SAFETY_COMMITTEE),
};

bool lt_report_allowed(lt_role role, lt_report_kind kind)
{
    if ((unsigned)kind > LT_REPORT_CLOSED || (unsigned)role >= LT_ROLE_COUNT) return false;
    return (allowed[kind] & R(role)) != 0;
}
