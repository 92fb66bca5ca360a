/* diag.c - see diag.h. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
diag_clear(struct diag *d)
{
	d->file[0] = '\0';
	d->line = 0;
	d->column[0] = '\0';
	d->value[0] = '\0';
	d->value_len = 0;
	d->has_value = 0;
	d->what[0] = '\0';
}

/* Copy src[0..len) into dst, cut with "..." if needed; returns the length kept. */
static size_t
copy_cut(char *dst, size_t dstsize, const char *src, size_t len)
{
	if (len < dstsize) {
		memcpy(dst, src, len);
		dst[len] = '\0';
		return len;
	}
	memcpy(dst, src, dstsize - 4);
	memcpy(dst + dstsize - 4, "...", 4);
	return dstsize - 1;
}

int
diag_set(struct diag *d, const char *file, long line, const char *column,
    const char *value, size_t value_len, const char *what, ...)
{
	va_list ap;

	diag_clear(d);
	if (file != NULL)
		copy_cut(d->file, sizeof d->file, file, strlen(file));
	d->line = line;
	if (column != NULL)
		copy_cut(d->column, sizeof d->column, column, strlen(column));
	if (value != NULL) {
		d->value_len = copy_cut(d->value, sizeof d->value, value, value_len);
		d->has_value = 1;
	}
	va_start(ap, what);
	vsnprintf(d->what, sizeof d->what, what, ap);
	va_end(ap);
	return -1;
}

int
diag_errno(struct diag *d, const char *file, int errnum, const char *what, ...)
{
	va_list ap;
	size_t n;

	diag_clear(d);
	if (file != NULL)
		copy_cut(d->file, sizeof d->file, file, strlen(file));
	va_start(ap, what);
	vsnprintf(d->what, sizeof d->what, what, ap);
	va_end(ap);
	n = strlen(d->what);
	snprintf(d->what + n, sizeof d->what - n, "%s%s", n ? ": " : "", strerror(errnum));
	return -1;
}

/* Append to buf at *pos, keeping count of what the full text would need. */
static void
put(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	if (*pos < size) {
		size_t room = size - *pos - 1;
		memcpy(buf + *pos, s, len < room ? len : room);
		buf[*pos + (len < room ? len : room)] = '\0';
	}
	*pos += len;
}

static void
put_escaped(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	char esc[8];
	const char *end = s + len;

	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\'; esc[1] = (char)c;
			put(buf, size, pos, esc, 2);
		} else if (c == '\n') {
			put(buf, size, pos, "\\n", 2);
		} else if (c == '\r') {
			put(buf, size, pos, "\\r", 2);
		} else if (c == '\t') {
			put(buf, size, pos, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			put(buf, size, pos, esc, 4);
		} else {
			put(buf, size, pos, (const char *)s, 1);
		}
	}
}

size_t
diag_format(const struct diag *d, char *buf, size_t size)
{
	size_t pos = 0;
	char num[32];

	if (size > 0)
		buf[0] = '\0';
	if (d->file[0] != '\0') {
		put(buf, size, &pos, d->file, strlen(d->file));
		if (d->line > 0) {
			int n = snprintf(num, sizeof num, ":%ld", d->line);
			put(buf, size, &pos, num, (size_t)n);
		}
		put(buf, size, &pos, ": ", 2);
	}
	if (d->column[0] != '\0') {
		put(buf, size, &pos, "column \"", 8);
		put_escaped(buf, size, &pos, d->column, strlen(d->column));
		put(buf, size, &pos, "\": ", 3);
	}
	put(buf, size, &pos, d->what, strlen(d->what));
	if (d->has_value) {
		put(buf, size, &pos, ": \"", 3);
		put_escaped(buf, size, &pos, d->value, d->value_len);
		put(buf, size, &pos, "\"", 1);
	}
	return pos;
}
