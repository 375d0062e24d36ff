/* Lutetia: runs radioligand-therapy clinical trials end to end.
 * The umbrella header; each module has its own header under lutetia/. */
#ifndef LUTETIA_H
#define LUTETIA_H

#include "lutetia/status.h"
#include "lutetia/buf.h"
#include "lutetia/date.h"
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "lutetia/csv.h"
#include "lutetia/protocol.h"
#include "lutetia/patient.h"
#include "lutetia/eligibility.h"
#include "lutetia/store.h"
#include "lutetia/randomise.h"
#include "lutetia/trial.h"
#include "lutetia/dosing.h"
#include "lutetia/safety.h"
#include "lutetia/oral.h"
#include "lutetia/schedule.h"
#include "lutetia/outcomes.h"
#include "lutetia/stats.h"
#include "lutetia/design.h"
#include "lutetia/conduct.h"
#include "lutetia/demo.h"
#include "lutetia/auth.h"
#include "lutetia/ops.h"
#include "lutetia/server.h"
#include "lutetia/report.h"
#include "lutetia/sign.h"

#define LUTETIA_VERSION "0.1.0"

#endif
