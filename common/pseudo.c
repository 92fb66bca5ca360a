/* pseudo.c - see pseudo.h. */
#include "pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

struct pseudo {
	/* The state after the key: each value starts from a copy of it. */
	crypto_auth_hmacsha256_state keyed;
	enum pseudo_enc enc;
	size_t length;
};

struct pseudo *
pseudo_new(const unsigned char *key, size_t keylen, enum pseudo_enc enc, size_t length,
    struct diag *d)
{
	size_t whole = enc == PSEUDO_BASE32 ? PSEUDO_BASE32_LEN : PSEUDO_HEX_LEN;
	struct pseudo *p;

	if (length != 0 && (length < PSEUDO_MIN_LEN || length > whole)) {
		diag_set(d, NULL, 0, NULL, NULL, 0,
		    "a pseudonym has from %d to %zu characters, not %zu", PSEUDO_MIN_LEN, whole,
		    length);
		return NULL;
	}
	if (sodium_init() < 0) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "libsodium cannot be initialised");
		return NULL;
	}
	if ((p = sodium_malloc(sizeof *p)) == NULL) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	crypto_auth_hmacsha256_init(&p->keyed, key, keylen);
	p->enc = enc;
	p->length = length ? length : whole;
	return p;
}

void
pseudo_free(struct pseudo *p)
{
	if (p != NULL)
		sodium_free(p);   /* wipes it */
}

/* The pseudonym's length in characters. */
static size_t
pseudo_len(const struct pseudo *p)
{
	return p->length;
}

/* Refusals name the file and the reason, never the key. */
static struct pseudo *
key_fail(struct diag *d, const char *path, int fd, unsigned char *key, const char *why, int err)
{
	if (err)
		diag_errno(d, path, err, "%s", why);
	else
		diag_set(d, path, 0, NULL, NULL, 0, "%s", why);
	if (fd >= 0)
		close(fd);
	sodium_memzero(key, PSEUDO_KEY_MAX + 2);
	return NULL;
}

struct pseudo *
pseudo_open(const char *path, enum pseudo_enc enc, size_t length, struct diag *d)
{
	unsigned char key[PSEUDO_KEY_MAX + 2];
	size_t n = 0;
	struct stat sb;
	struct pseudo *p;
	ssize_t got;
	int fd;

	if (sodium_init() < 0) {
		diag_set(d, NULL, 0, NULL, NULL, 0, "libsodium cannot be initialised");
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_NOCTTY)) < 0)
		return key_fail(d, path, -1, key, "cannot read the key file", errno);
	if (fstat(fd, &sb) < 0)
		return key_fail(d, path, fd, key, "cannot read the key file", errno);
	if (!S_ISREG(sb.st_mode))
		return key_fail(d, path, fd, key, "the key file is not a regular file", 0);
	if (sb.st_mode & (S_IRWXG | S_IRWXO))
		return key_fail(d, path, fd, key,
		    "the key file may be read or written by others (chmod 600 it)", 0);
	while (n < sizeof key && (got = read(fd, key + n, sizeof key - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return key_fail(d, path, fd, key, "cannot read the key file", errno);
		}
		n += (size_t)got;
	}
	close(fd);
	if (n > 0 && key[n - 1] == '\n') {
		n--;
		if (n > 0 && key[n - 1] == '\r')
			n--;
	}
	if (n < PSEUDO_KEY_MIN || n > PSEUDO_KEY_MAX) {
		sodium_memzero(key, sizeof key);
		diag_set(d, path, 0, NULL, NULL, 0, "a key has from %d to %d bytes%s",
		    PSEUDO_KEY_MIN, PSEUDO_KEY_MAX, n < PSEUDO_KEY_MIN ? " (this one is shorter)" :
		    " (this one is longer)");
		return NULL;
	}
	p = pseudo_new(key, n, enc, length, d);
	sodium_memzero(key, sizeof key);
	return p;
}

void
pseudo_mac(const struct pseudo *p, const char *s, size_t len, unsigned char mac[32])
{
	crypto_auth_hmacsha256_state st = p->keyed;

	crypto_auth_hmacsha256_update(&st, (const unsigned char *)s, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

size_t
pseudo_apply(const struct pseudo *p, const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef", b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char mac[32];
	size_t i, n = 0;

	pseudo_mac(p, s, len, mac);
	if (p->enc == PSEUDO_HEX) {
		for (i = 0; i < 32 && n < p->length; i++) {
			out[n++] = hex[mac[i] >> 4];
			if (n < p->length)
				out[n++] = hex[mac[i] & 15];
		}
	} else {
		/* RFC 4648 section 6: 5 bits a character, most significant first. */
		unsigned buf = 0;
		int bits = 0;
		for (i = 0; i < 32 && n < p->length; i++) {
			buf = (buf << 8) | mac[i];
			bits += 8;
			while (bits >= 5 && n < p->length) {
				out[n++] = b32[(buf >> (bits - 5)) & 31];
				bits -= 5;
			}
		}
		if (bits > 0 && n < p->length)
			out[n++] = b32[(buf << (5 - bits)) & 31];
	}
	out[n] = '\0';
	sodium_memzero(mac, sizeof mac);
	return n;
}

struct pseudo_cols {
	struct pseudo *p;
	size_t ncols, nbound;
	size_t *col;            /* the bound columns, ascending */
	char *text;             /* nbound pseudonyms of pseudo_len + 1 bytes */
	char **f;               /* the rewritten row's fields */
	size_t *len;
	unsigned char *plain;
};

void
pseudo_cols_free(struct pseudo_cols *c)
{
	if (c == NULL)
		return;
	pseudo_free(c->p);
	free(c->col);
	free(c->text);
	free(c->f);
	free(c->len);
	free(c->plain);
	free(c);
}

struct pseudo_cols *
pseudo_cols_new(struct pseudo *p, const struct csvio_row *header, const char *names,
    struct diag *d)
{
	struct pseudo_cols *c = calloc(1, sizeof *c);
	size_t n = header->n, i, k;
	const char *s = names;

	if (c == NULL) {
		pseudo_free(p);
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	c->p = p;
	c->ncols = n;
	c->col = calloc(n + 1, sizeof *c->col);
	c->f = calloc(n + 1, sizeof *c->f);
	c->len = calloc(n + 1, sizeof *c->len);
	c->plain = calloc(n + 1, 1);
	c->text = malloc((n + 1) * (pseudo_len(p) + 1));
	if (c->col == NULL || c->f == NULL || c->len == NULL || c->plain == NULL ||
	    c->text == NULL) {
		pseudo_cols_free(c);
		diag_set(d, NULL, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	unsigned char *want = c->plain;   /* scratch: which columns are named */
	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		for (i = 0; i < n && !(header->len[i] == len && memcmp(header->f[i], s, len) == 0); i++)
			;
		if (i == n || want[i]) {
			diag_set(d, NULL, 0, NULL, s, len, i == n ? "--pseudonymize: no such column" :
			    "--pseudonymize: a column named twice");
			pseudo_cols_free(c);
			return NULL;
		}
		want[i] = 1;
		s += len + (end != NULL);
	}
	for (i = k = 0; i < n; i++)
		if (want[i])
			c->col[k++] = i;
	c->nbound = k;
	return c;
}

void
pseudo_cols_row(struct pseudo_cols *c, const struct csvio_row *in, struct csvio_row *out)
{
	size_t i, k, w = pseudo_len(c->p) + 1;

	memcpy(c->f, in->f, c->ncols * sizeof *c->f);
	memcpy(c->len, in->len, c->ncols * sizeof *c->len);
	if (in->plain != NULL)
		memcpy(c->plain, in->plain, c->ncols);
	else
		memset(c->plain, 0, c->ncols);
	for (k = 0; k < c->nbound; k++) {
		i = c->col[k];
		if (in->len[i] == 0)
			continue;
		c->f[i] = c->text + k * w;
		c->len[i] = pseudo_apply(c->p, in->f[i], in->len[i], c->f[i]);
		c->plain[i] = 0;   /* the writer looks: a delimiter may be a letter */
	}
	out->n = c->ncols;
	out->f = c->f;
	out->len = c->len;
	out->line = in->line;
	out->plain = c->plain;
}
