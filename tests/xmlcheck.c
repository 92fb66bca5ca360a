/*
 * xmlcheck - is a file well-formed XML?  A small checker for pr-report's
 * HTML (written to be XML-compatible), so that `make check` needs no extra
 * package: elements nest and close, attribute values are quoted and unique
 * per element, names are sensible, '&' starts a known or numeric entity,
 * '<' never appears in text, and there is exactly one root element.  It
 * accepts a leading <!DOCTYPE ...> and comments, not CDATA or processing
 * instructions other than an XML declaration (pr-report writes neither).
 * The file must be UTF-8 holding only XML characters (tab, LF, CR, U+0020
 * and up but for surrogates, U+FFFE and U+FFFF); this decoder is written
 * apart from pr-report's own, so that it checks it rather than agrees with it.
 *
 * Usage: xmlcheck FILE...   Exit 0 when every file is well-formed; else
 * prints "FILE:LINE: what" for the first fault in each and exits 1.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256
#define MAX_NAME 64
#define MAX_ATTRS 64

struct doc {
	const char *s, *name;
	size_t i, n;
	long line;
};

static int
fault(struct doc *d, const char *what)
{
	printf("%s:%ld: %s\n", d->name, d->line, what);
	return -1;
}

static void
adv(struct doc *d)
{
	if (d->s[d->i] == '\n')
		d->line++;
	d->i++;
}

static int
name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static int
name_char(int c)
{
	return name_start(c) || isdigit(c) || c == '-' || c == '.';
}

/* Read a name into buf; -1 when there is none. */
static int
read_name(struct doc *d, char *buf)
{
	size_t k = 0;

	if (d->i >= d->n || !name_start((unsigned char)d->s[d->i]))
		return -1;
	while (d->i < d->n && name_char((unsigned char)d->s[d->i])) {
		if (k + 1 < MAX_NAME)
			buf[k++] = d->s[d->i];
		adv(d);
	}
	buf[k] = '\0';
	return 0;
}

static void
skip_space(struct doc *d)
{
	while (d->i < d->n && isspace((unsigned char)d->s[d->i]))
		adv(d);
}

/* An entity at d->i (which is '&'): &name; of the five, or &#N; / &#xH;. */
static int
entity(struct doc *d)
{
	static const char *const known[] = { "amp;", "lt;", "gt;", "quot;", "apos;", NULL };
	const char *p = d->s + d->i + 1;
	size_t k;

	for (k = 0; known[k] != NULL; k++) {
		if (strncmp(p, known[k], strlen(known[k])) == 0) {
			d->i += 1 + strlen(known[k]);
			return 0;
		}
	}
	if (*p == '#') {
		size_t j = 1;
		int hex = p[1] == 'x';
		if (hex)
			j++;
		while (hex ? isxdigit((unsigned char)p[j]) : isdigit((unsigned char)p[j]))
			j++;
		if (j > (size_t)(hex ? 2 : 1) && p[j] == ';') {
			d->i += 1 + j + 1;
			return 0;
		}
	}
	return fault(d, "'&' that starts no entity");
}

/* Well-formed UTF-8 of XML characters only; -1 with a fault at the first bad byte. */
static int
check_chars(struct doc *d)
{
	const unsigned char *u = (const unsigned char *)d->s;
	size_t i = 0, k, j;
	unsigned long cp;

	while (i < d->n) {
		if (u[i] < 0x80) {
			if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r')
				return fault(d, "a control character");
			if (u[i] == '\n')
				d->line++;
			i++;
			continue;
		}
		k = (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 : (u[i] & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || i + k > d->n)
			return fault(d, "not UTF-8");
		cp = u[i] & (0x7F >> k);
		for (j = 1; j < k; j++) {
			if ((u[i + j] & 0xC0) != 0x80)
				return fault(d, "not UTF-8");
			cp = cp << 6 | (u[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000))
			return fault(d, "not UTF-8 (an overlong form)");
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
			return fault(d, "not an XML character");
		i += k;
	}
	d->line = 1;
	return 0;
}

static int
check(struct doc *d)
{
	char stack[MAX_DEPTH][MAX_NAME], name[MAX_NAME], attrs[MAX_ATTRS][MAX_NAME];
	int depth = 0, roots = 0;
	size_t na, k;

	while (d->i < d->n) {
		char c = d->s[d->i];
		if (c == '&') {
			if (entity(d) < 0)
				return -1;
			continue;
		}
		if (c == '>')
			return fault(d, "'>' in text");
		if (c != '<') {
			if (depth == 0 && !isspace((unsigned char)c))
				return fault(d, "text outside the root element");
			adv(d);
			continue;
		}
		if (strncmp(d->s + d->i, "<!--", 4) == 0) {
			const char *end = strstr(d->s + d->i + 4, "-->");
			if (end == NULL)
				return fault(d, "unclosed comment");
			while (d->s + d->i < end + 3)
				adv(d);
			continue;
		}
		if (strncmp(d->s + d->i, "<!DOCTYPE", 9) == 0 || strncmp(d->s + d->i, "<?xml", 5) == 0) {
			if (roots > 0 || depth > 0)
				return fault(d, "declaration after the root element");
			while (d->i < d->n && d->s[d->i] != '>')
				adv(d);
			adv(d);
			continue;
		}
		adv(d);
		if (d->i < d->n && d->s[d->i] == '/') {
			adv(d);
			if (read_name(d, name) < 0)
				return fault(d, "bad end tag");
			skip_space(d);
			if (d->i >= d->n || d->s[d->i] != '>')
				return fault(d, "bad end tag");
			adv(d);
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				return fault(d, "end tag does not match the open element");
			depth--;
			continue;
		}
		if (read_name(d, name) < 0)
			return fault(d, "'<' that starts no tag");
		if (depth == 0 && roots++ > 0)
			return fault(d, "a second root element");
		na = 0;
		for (;;) {
			int had_space = d->i < d->n && isspace((unsigned char)d->s[d->i]);
			skip_space(d);
			if (d->i >= d->n)
				return fault(d, "unclosed tag");
			if (d->s[d->i] == '>' || d->s[d->i] == '/')
				break;
			if (!had_space)
				return fault(d, "attributes must be separated by space");
			if (read_name(d, attrs[na < MAX_ATTRS ? na : MAX_ATTRS - 1]) < 0)
				return fault(d, "bad attribute name");
			for (k = 0; k < na && k < MAX_ATTRS - 1; k++)
				if (strcmp(attrs[k], attrs[na]) == 0)
					return fault(d, "repeated attribute");
			if (na < MAX_ATTRS - 1)
				na++;
			skip_space(d);
			if (d->i >= d->n || d->s[d->i] != '=')
				return fault(d, "attribute without a value");
			adv(d);
			skip_space(d);
			if (d->i >= d->n || (d->s[d->i] != '"' && d->s[d->i] != '\''))
				return fault(d, "unquoted attribute value");
			{
				char q = d->s[d->i];
				adv(d);
				while (d->i < d->n && d->s[d->i] != q) {
					if (d->s[d->i] == '<')
						return fault(d, "'<' in an attribute value");
					if (d->s[d->i] == '&') {
						if (entity(d) < 0)
							return -1;
						continue;
					}
					adv(d);
				}
				if (d->i >= d->n)
					return fault(d, "unclosed attribute value");
				adv(d);
			}
		}
		if (d->s[d->i] == '/') {
			adv(d);
			if (d->i >= d->n || d->s[d->i] != '>')
				return fault(d, "bad empty-element tag");
			adv(d);
			continue;
		}
		adv(d);
		if (depth == MAX_DEPTH)
			return fault(d, "elements nested too deep");
		memcpy(stack[depth++], name, MAX_NAME);
	}
	if (depth > 0)
		return fault(d, "unclosed element at the end");
	if (roots == 0)
		return fault(d, "no root element");
	return 0;
}

int
main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: xmlcheck FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		struct doc d;
		char *buf;
		long len;
		if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET) != 0) {
			printf("%s: cannot read\n", argv[i]);
			if (fp != NULL)
				fclose(fp);
			bad = 1;
			continue;
		}
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			printf("%s: cannot read\n", argv[i]);
			free(buf);
			fclose(fp);
			bad = 1;
			continue;
		}
		fclose(fp);
		buf[len] = '\0';
		d.s = buf;
		d.name = argv[i];
		d.i = 0;
		d.n = (size_t)len;
		d.line = 1;
		if (strlen(buf) != (size_t)len) {
			printf("%s: NUL byte\n", argv[i]);
			bad = 1;
		} else if (check_chars(&d) < 0 || check(&d) < 0) {
			bad = 1;
		}
		free(buf);
	}
	return bad;
}
