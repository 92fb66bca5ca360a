/* opts.c - see opts.h. */
#include "opts.h"

#include <stdlib.h>
#include <string.h>

int
opts_list_push(struct opts_list *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	char *c;

	if (v == NULL)
		return -1;
	l->v = v;
	if ((c = strdup(s)) == NULL)
		return -1;
	l->v[l->n++] = c;
	return 0;
}

int
opts_list_add(struct opts_list *l, const char *arg, struct diag *d)
{
	size_t len = strlen(arg), i, k = 0;
	char *item = malloc(len + 1);

	if (item == NULL)
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	for (i = 0; i <= len; i++) {
		if (arg[i] == '\\' && arg[i + 1] == ',') {
			item[k++] = ',';
			i++;
		} else if (arg[i] == ',' || arg[i] == '\0') {
			item[k] = '\0';
			if (k == 0) {
				free(item);
				return diag_set(d, NULL, 0, NULL, arg, len, "empty name in list");
			}
			if (opts_list_push(l, item) < 0) {
				free(item);
				return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
			}
			k = 0;
		} else {
			item[k++] = arg[i];
		}
	}
	free(item);
	return 0;
}

void
opts_list_free(struct opts_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
opts_pair(const char *arg, char **name, char **value, struct diag *d)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return diag_set(d, NULL, 0, NULL, arg, strlen(arg), "expected NAME=VALUE");
	*name = strndup(arg, (size_t)(eq - arg));
	*value = strdup(eq + 1);
	if (*name == NULL || *value == NULL) {
		free(*name);
		free(*value);
		return diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
	}
	return 0;
}
