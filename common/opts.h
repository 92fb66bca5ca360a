/*
 * opts.h - the shapes option values take: lists of column names and
 * NAME=VALUE pairs, resolved against a header.
 */
#ifndef PR_OPTS_H
#define PR_OPTS_H

#include <stddef.h>

#include "diag.h"

/* A list of strings, each malloc'd, owned by the list. */
struct opts_list {
	char **v;
	size_t n;
};

/*
 * Append the comma-separated items of arg to l ("a,b,c"; a comma inside a
 * name is written "\,").  Empty items are an error.  Returns 0, or -1 with
 * d filled (what = the reason, value = arg).
 */
int opts_list_add(struct opts_list *l, const char *arg, struct diag *d);

/* Append one string as it is.  Returns 0 or -1 (out of memory). */
int opts_list_push(struct opts_list *l, const char *s);

/* Free the strings and the array; the list is empty after.  NULL-safe. */
void opts_list_free(struct opts_list *l);

/*
 * Split "NAME=VALUE" at its first '=' into freshly malloc'd *name and
 * *value.  NAME must not be empty; VALUE may be.  Returns 0, or -1 with d
 * filled.
 */
int opts_pair(const char *arg, char **name, char **value, struct diag *d);

#endif
