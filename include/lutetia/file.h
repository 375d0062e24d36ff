/* Reading whole files and parsing numbers strictly. */
#ifndef LUTETIA_FILE_H
#define LUTETIA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include "status.h"

/* Reads all of path ("-" is standard input) into a NUL-terminated heap buffer the caller frees
 * with free(). On failure *data is untouched and err names the file and the system's reason. */
LT_API lt_status lt_file_read(const char *path, char **data, size_t *len, lt_error *err);

/* Writes len bytes to path atomically: to a new temporary file beside it (mkstemp, so no
 * other file is ever opened), flushed to disk, then renamed over it; a reader never sees half a
 * file, and a full disk leaves the old file as it was. A target that is a symbolic link or not
 * a regular file (a device node, a folder, a pipe) is refused, never written through or
 * replaced. The new file gets the mode the umask gives. */
LT_API lt_status lt_file_write(const char *path, const void *data, size_t len, lt_error *err);
/* LT_OK when path does not exist or is a regular file (not a symbolic link); otherwise LT_EIO
 * and err says why. */
LT_API lt_status lt_file_check_target(const char *path, lt_error *err);

/* Finds Lutetia's data file name (concepts.json, nuclides.json, ...): in $LUTETIA_DATA_DIR when
 * set (and only there), else in the source tree's data/ (builds run in place), else in the
 * installed data folder. Writes the path into path[0..size). */
LT_API lt_status lt_data_file(const char *name, char *path, size_t size, lt_error *err);

/* Reads path, or the shipped data file default_name when path is NULL (a site's corrected copy
 * of a table is passed as path). used[0..used_size) receives the path read, for error places;
 * the caller frees *data. */
LT_API lt_status lt_data_read(const char *path, const char *default_name, char **data,
                              size_t *len, char *used, size_t used_size, lt_error *err);

/* Parses a whole string as a finite decimal number; leading/trailing blanks allowed, nothing
 * else. Returns false for "", "abc", "1.5x", "nan", "inf". */
LT_API bool lt_parse_double(const char *s, double *out);

/* Parses a whole string as a base-10 integer in [min, max]. */
LT_API bool lt_parse_long(const char *s, long min, long max, long *out);

#endif
