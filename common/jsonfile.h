/*
 * jsonfile.h - read a JSON document from a file, with the messages a user
 * can act on: the file cannot be opened, is a directory, cannot be read
 * (the system's reason), or is not JSON (where, and why).
 */
#ifndef PR_JSONFILE_H
#define PR_JSONFILE_H

#include <jansson.h>

#include "diag.h"

/*
 * The document in path, or NULL with d filled: "PATH: cannot open: REASON",
 * "PATH: cannot read: Is a directory", "PATH: cannot read: REASON" or
 * "PATH:LINE: not JSON: REASON".  flags are jansson's decoding flags.
 */
json_t *jsonfile_load(const char *path, size_t flags, struct diag *d);

#endif
