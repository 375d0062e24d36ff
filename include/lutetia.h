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

#define LUTETIA_VERSION "0.1.0"

#endif
