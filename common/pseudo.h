/*
 * pseudo.h - pseudonymous identifiers: a value replaced by its keyed hash,
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4) under a secret key, computed by
 * libsodium.  The same key gives the same pseudonym on every run and
 * machine, so files pseudonymised on different days still join; without
 * the key a pseudonym cannot be reversed or recomputed from a guessed id.
 *
 * A pseudonym is the 32-byte MAC written as lowercase hexadecimal (64
 * characters) or as RFC 4648 base32 in lowercase without padding (52
 * characters), optionally cut to its first `length` characters.  Cutting
 * keeps 4 bits a character in hex, 5 in base32; two of n distinct ids
 * share a pseudonym with probability about n^2 / 2^(bits + 1).
 */
#ifndef PR_PSEUDO_H
#define PR_PSEUDO_H

#include <stddef.h>

#include "csvio.h"
#include "diag.h"

enum pseudo_enc { PSEUDO_HEX = 0, PSEUDO_BASE32 = 1 };

/* Characters of a whole pseudonym, and the fewest a cut one may keep. */
#define PSEUDO_HEX_LEN    64
#define PSEUDO_BASE32_LEN 52
#define PSEUDO_MIN_LEN    16

/* Bytes a key file may hold: at least 16 (128 bits), at most 4096. */
#define PSEUDO_KEY_MIN 16
#define PSEUDO_KEY_MAX 4096

struct pseudo;   /* opaque: the keyed hash state, ready to copy per value */

/*
 * Read the key from path: the file's bytes, less one trailing newline
 * (LF or CRLF), as `openssl rand -hex 32 > key` writes it.  Refused: a
 * file that is not a regular file, one that the group or others may read
 * or write (as ssh refuses a private key; chmod 600 mends it), and a key
 * shorter than PSEUDO_KEY_MIN or longer than PSEUDO_KEY_MAX bytes.
 * length is the pseudonym's length in characters (0: whole), from
 * PSEUDO_MIN_LEN to the encoding's whole length.  Returns the state, or
 * NULL with d filled (the path and the reason; never a byte of the key).
 * Free with pseudo_free, which wipes the key.
 */
struct pseudo *pseudo_open(const char *path, enum pseudo_enc enc, size_t length, struct diag *d);

/* Like pseudo_open with the key given (tests, RFC 4231 vectors). */
struct pseudo *pseudo_new(const unsigned char *key, size_t keylen, enum pseudo_enc enc,
    size_t length, struct diag *d);

void pseudo_free(struct pseudo *p);   /* NULL is fine */

/*
 * Write the pseudonym of s[0..len) (any bytes) into out, which must hold
 * the pseudonym's length + 1 bytes (NUL added; PSEUDO_HEX_LEN + 1 always
 * does).  Does not allocate.  Returns the
 * length written.
 */
size_t pseudo_apply(const struct pseudo *p, const char *s, size_t len, char *out);

/* The raw 32-byte HMAC-SHA-256 of s under p's key (for the tests). */
void pseudo_mac(const struct pseudo *p, const char *s, size_t len, unsigned char mac[32]);

/*
 * Columns to pseudonymise in rows of one header: bind by name, then rewrite
 * each row's fields (an empty field stays empty: a missing id is missing).
 */
struct pseudo_cols;   /* opaque */

/*
 * Bind the comma-separated column names in names to header (every name
 * must be there, once).  Takes ownership of p.  Returns NULL with d filled
 * (a name not in the header, out of memory); p is freed then too.
 */
struct pseudo_cols *pseudo_cols_new(struct pseudo *p, const struct csvio_row *header,
    const char *names, struct diag *d);
void pseudo_cols_free(struct pseudo_cols *c);   /* NULL is fine */

/*
 * The row in with the bound columns replaced, into *out, which points into
 * c and in (valid until the next call or until in changes).  Does not
 * allocate; in must have the header's width.
 */
void pseudo_cols_row(struct pseudo_cols *c, const struct csvio_row *in, struct csvio_row *out);

#endif
