/*
 * csvio.c - see csvio.h.
 *
 * libcsv is push-based: csv_parse calls back once per field and once per
 * record for a whole block of input.  To hand rows out one at a time, the
 * records of one block are queued in an arena (field texts plus offsets),
 * and the next block is parsed only when the queue is empty.  The arena is
 * reused, so memory is bounded by the block size plus the longest record.
 *
 * Most files hold few quotes or none, so the bytes are not all given to
 * libcsv: where it is between records, the records up to the next quote
 * are split here (fast_split: the records libcsv would give, with the
 * same callbacks), and libcsv parses from the record that holds a quote to
 * the end of its read, the split resuming once libcsv is between records
 * again (take).
 *
 * libcsv reports no positions, so lines are counted here: with
 * CSV_REPALL_NL every unquoted CR and LF reaches the record callback (an LF
 * right after a CR is the second half of a CRLF), and newlines inside
 * quoted fields are counted in the field callback.
 */
#include "csvio.h"
#include "num.h"
#include "suggest.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define BLOCK 65536
/* The most of the input's first line that the UTF-16 check looks at. */
#define UTF16_LOOK 512

/*
 * Bytes kept free past the arena's last field: on_field_plain copies a
 * field in 8-byte words and may write up to 7 bytes past its end.
 */
#define SLACK 8

/* Byte classes for the one pass that copies a field. */
#define CLS_NEWLINE 1   /* CR or LF: count lines */
#define CLS_QUOTE   2   /* the field must be quoted when written */

struct row_ref {
	size_t first, n;
	long line;
};

struct csvio_reader {
	int fd, own_fd;
	char *name;
	struct csv_parser parser;
	int first_read;             /* the first bytes were read (read_first) */
	size_t block;
	unsigned long long bytes;
	int eof, failed;
	int bom_seen;               /* BOM bytes matched; 3 once decided */
	unsigned char delim;
	long line_offset;           /* added to the lines after the header */
	/* a regular file read from offset base (csvio_data_cursor), or not (seekable 0) */
	int seekable, no_header;
	long long base;
	/* a reader of the bytes [rpos, rend) of the file (csvio_open_range) */
	int ranged;
	long long rpos, rend;
	/*
	 * The bytes read: fcap of them at fbuf (a block and at least
	 * UTF16_LOOK), of which the first carry are the end of the last read,
	 * a part of a line kept for the next (take).
	 */
	unsigned char *fbuf;
	size_t carry, fcap;

	/* arena of field texts, NUL-terminated */
	char *data;
	size_t data_len, data_cap;
	/*
	 * Fields as parallel arrays, so that a row is handed out as pointers
	 * into them, without a copy.  The arena never moves while libcsv
	 * calls back (reserve() makes room for a whole block first), so
	 * fptr points into it directly.
	 */
	size_t *flen;
	unsigned char *fplain;
	char **fptr;
	size_t nfields, fields_cap;
	size_t cur_first;          /* first field of the record being parsed */
	struct row_ref *rows;
	size_t nrows, rows_cap, next_row;

	/* line counting */
	long line;                 /* line of the next unread character */
	long rec_line;             /* line where the current record starts */
	int pending_cr;

	unsigned char cls[256];    /* CLS_ bits of every byte value */


	/* header, owned */
	struct csvio_row header;
	char *header_data;

	int oom;
	int na_missing;            /* a field "NA" is handed out empty (after the header) */
	int header_done;
	int one_column;            /* the header has exactly one field */
	unsigned long long records;/* records pushed so far, header included */
	struct diag pending;       /* a parse error to report once the queue is empty */
	int has_pending;
};

static int
keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *q;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, ncap * elem);   /* NULL: the caller returns "out of memory" */
	if (q == NULL)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

/* Is a record being parsed (has it a field yet)? */
static int
in_record(const struct csvio_reader *r)
{
	return r->nfields > r->cur_first;
}

/*
 * Make room for parsing len more bytes (0: csv_fini) without growing, so
 * that the callbacks check nothing.  Those bytes complete at most len + 1
 * fields (each byte ends at most one; csv_fini one more), whose texts come
 * from them and from the field libcsv holds already (entry_pos bytes), each
 * with a NUL.  Returns 0, or -1 when out of memory.
 */
static int
reserve(struct csvio_reader *r, size_t len)
{
	size_t need = r->data_len + r->parser.entry_pos + 2 * len + 2 + SLACK, i, cap;
	char *nd;

	if (need > r->data_cap) {
		/* A new arena, then the fields already in it are pointed at their copies. */
		for (cap = r->data_cap ? r->data_cap : 4096; cap < need; cap *= 2)
			;
		if ((nd = malloc(cap)) == NULL)
			return -1;
		if (r->data_len > 0)
			memcpy(nd, r->data, r->data_len);
		for (i = 0; i < r->nfields; i++)
			r->fptr[i] = nd + (r->fptr[i] - r->data);
		free(r->data);
		r->data = nd;
		r->data_cap = cap;
	}
	need = r->nfields + len + 2;
	if (need > r->fields_cap) {
		size_t *flen;
		unsigned char *fplain;
		char **fptr;
		for (cap = r->fields_cap ? r->fields_cap : 256; cap < need; cap *= 2)
			;
		if ((flen = realloc(r->flen, cap * sizeof *flen)) == NULL)
			return -1;
		r->flen = flen;
		if ((fplain = realloc(r->fplain, cap)) == NULL)
			return -1;
		r->fplain = fplain;
		if ((fptr = realloc(r->fptr, cap * sizeof *fptr)) == NULL)
			return -1;
		r->fptr = fptr;
		r->fields_cap = cap;
	}
	return 0;
}

/*
 * The field callback where a field may hold anything: one pass copies it
 * and classifies its bytes (fields are short: this beat memcpy plus two
 * memchr calls).  Locals, because a char store may alias any member of *r
 * and would make the compiler load it again.
 */
static void
on_field(void *s, size_t len, void *data)
{
	struct csvio_reader *r = data;
	const unsigned char *t = s ? s : (const unsigned char *)"";
	size_t i, nf = r->nfields, dl = r->data_len;
	char *dst = r->data + dl;
	const unsigned char *cls = r->cls;
	unsigned char acc = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = t[i];
		dst[i] = (char)c;
		acc |= cls[c];
	}
	dst[len] = '\0';
	r->fplain[nf] = !(acc & CLS_QUOTE);
	r->fptr[nf] = dst;
	r->flen[nf] = len;
	r->nfields = nf + 1;
	r->data_len = dl + len + 1;
	if (acc & CLS_NEWLINE) {
		/* newlines inside a quoted field */
		for (i = 0; i < len; i++) {
			if (t[i] == '\n')
				r->line++;
			else if (t[i] == '\r' && (i + 1 == len || t[i + 1] != '\n'))
				r->line++;
		}
	}
}

/*
 * The field callback where the field is known to be unquoted in a comma
 * file (see parse): it holds no quote (strict mode), comma, CR or LF, so
 * it is plain and needs no look.  The copy is in 8-byte words where
 * libcsv's buffer (entry_size bytes, of which the field is the first len)
 * can be read that far; the arena keeps SLACK bytes for the overshoot.
 */
static void
on_field_plain(void *s, size_t len, void *data)
{
	struct csvio_reader *r = data;
	size_t i, nf = r->nfields, dl = r->data_len;
	char *dst = r->data + dl;

	r->fplain[nf] = 1;
	r->fptr[nf] = dst;
	r->flen[nf] = len;
	r->nfields = nf + 1;
	r->data_len = dl + len + 1;
	if (len + 8 <= r->parser.entry_size) {
		for (i = 0; i < len; i += 8)
			memcpy(dst + i, (const char *)s + i, 8);
		dst[len] = '\0';
		return;
	}
	/* Last, so that it is a tail call and nothing needs saving. */
	dst[len] = '\0';
	if (len > 0)
		memcpy(dst, s, len);
}

static void
push_row(struct csvio_reader *r, size_t first, size_t n, long line)
{
	if (grow((void **)&r->rows, &r->rows_cap, r->nrows + 1, sizeof *r->rows) < 0) {
		r->oom = 1;
		return;
	}
	r->rows[r->nrows].first = first;
	r->rows[r->nrows].n = n;
	r->rows[r->nrows].line = line;
	r->nrows++;
	if (r->records++ == 0)
		r->one_column = (n == 1);
}

static void
on_record(int c, void *data)
{
	struct csvio_reader *r = data;

	if (in_record(r)) {
		push_row(r, r->cur_first, r->nfields - r->cur_first, r->rec_line);
		r->cur_first = r->nfields;
	} else if (c == '\n' && r->pending_cr) {
		r->pending_cr = 0;   /* the LF of a CRLF */
		return;
	} else if (c != -1 && r->one_column) {
		/* In a one-column file an empty line is an empty value. */
		on_field_plain((void *)"", 0, r);
		push_row(r, r->cur_first, 1, r->rec_line);
		r->cur_first = r->nfields;
	}
	if (c == '\n' || c == '\r')
		r->line++;
	r->pending_cr = (c == '\r');
	r->rec_line = r->line;   /* the next record starts here at the earliest */
}

/*
 * Feed buf[0..len) to libcsv, as csv_parse (returns the bytes taken).
 * Where the parser is outside a quoted field, the stretch up to the next
 * quote byte holds only unquoted fields, which are parsed with the
 * callback that does not look at their bytes (for a comma file: another
 * delimiter lets an unquoted field hold a comma).  From a quote to the end
 * of its line, the callback that classifies.  Between calls libcsv's
 * `quoted` tells whether the field being parsed began with a quote.
 */
static size_t
parse(struct csvio_reader *r, const unsigned char *buf, size_t len)
{
	size_t pos = 0, end, done;
	const unsigned char *q;

	if (reserve(r, len) < 0) {
		r->oom = 1;
		return len;
	}
	if (r->delim != ',')
		return csv_parse(&r->parser, buf, len, on_field, on_record, r);
	while (pos < len) {
		if (!r->parser.quoted) {
			q = memchr(buf + pos, '"', len - pos);
			end = q != NULL ? (size_t)(q - buf) : len;
			if (end > pos) {
				done = csv_parse(&r->parser, buf + pos, end - pos, on_field_plain, on_record, r);
				if (done != end - pos)
					return pos + done;
				pos = end;
				if (pos == len)
					break;
			}
		}
		q = memchr(buf + pos, '\n', len - pos);
		end = q != NULL ? (size_t)(q - buf) + 1 : len;
		done = csv_parse(&r->parser, buf + pos, end - pos, on_field, on_record, r);
		if (done != end - pos)
			return pos + done;
		pos = end;
	}
	return len;
}

/* Drop handed-out rows, keeping the record being parsed at the arena's start. */
static void
compact(struct csvio_reader *r)
{
	size_t i, keep = r->nfields - r->cur_first, base;

	if (keep > 0) {
		base = (size_t)(r->fptr[r->cur_first] - r->data);
		memmove(r->data, r->data + base, r->data_len - base);
		r->data_len -= base;
		for (i = 0; i < keep; i++) {
			r->fptr[i] = r->fptr[r->cur_first + i] - base;
			r->flen[i] = r->flen[r->cur_first + i];
			r->fplain[i] = r->fplain[r->cur_first + i];
		}
	} else {
		r->data_len = 0;
	}
	r->nfields = keep;
	r->cur_first = 0;
	r->nrows = 0;
	r->next_row = 0;
}

/*
 * A parse error: the records completed before it are still handed out, so
 * the error is kept and reported when the queue is empty.
 */
static void
parse_error(struct csvio_reader *r, const unsigned char *buf, size_t at, size_t len)
{
	long line = in_record(r) ? r->rec_line : r->line;
	const char *what;

	if (at < len && buf[at] == '"')
		what = "malformed CSV: quote inside an unquoted field";
	else
		what = "malformed CSV: text after the closing quote of a field";
	diag_set(&r->pending, r->name, line, NULL, NULL, 0, "%s", what);
	r->has_pending = 1;
	r->eof = 1;
}

/*
 * The first bytes of the input into r->fbuf: up to its first LF, UTF16_LOOK
 * bytes or its end, whatever the block size, so that utf16_refused sees the
 * same bytes in every reader (a block of 4 bytes saw "\0a\r," as UTF-16).
 * Stopping at the first LF lets a co-process's client send a short header
 * and wait.  Returns the bytes read, or -1 with errno set.
 */
static ssize_t
read_first(struct csvio_reader *r)
{
	size_t total = 0, want;
	ssize_t got;

	for (;;) {
		want = r->fcap - total < r->block ? r->fcap - total : r->block;
		do
			got = read(r->fd, r->fbuf + total, want);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		total += (size_t)got;
		if (total >= UTF16_LOOK || memchr(r->fbuf + total - (size_t)got, '\n', (size_t)got))
			break;
	}
	return (ssize_t)total;
}

/*
 * The first bytes of the input, got bytes in r->fbuf: a UTF-16 file (Excel's
 * "Unicode text": a BOM FF FE or FE FF, or ASCII text with a NUL after or
 * before every character) parses as garbage with NULs in it.  Refuse it
 * with the command that converts it.  Returns 0, or -1 with d filled.
 */
static int
utf16_refused(struct csvio_reader *r, size_t got, struct diag *d)
{
	const unsigned char *b = r->fbuf;
	const unsigned char *lf = memchr(b, '\n', got);
	size_t n = lf != NULL ? (size_t)(lf - b) + 1 : got, i, nul_even = 0, nul_odd = 0;
	int be, tabs = 0, bom;
	char conv[DIAG_FILE_MAX + 64];

	if (n > UTF16_LOOK)
		n = UTF16_LOOK;
	if (n < 2)
		return 0;
	bom = (b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff);
	for (i = 0; i < n; i++)
		if (b[i] == 0 && i % 2)
			nul_odd++;
		else if (b[i] == 0)
			nul_even++;
	if (b[0] == 0xff && b[1] == 0xfe)
		be = 0;
	else if (b[0] == 0xfe && b[1] == 0xff)
		be = 1;
	else if (nul_odd * 4 >= n && nul_even == 0)
		be = 0;
	else if (nul_even * 4 >= n && nul_odd == 0)
		be = 1;
	else
		return 0;
	for (i = 2; i + 1 < n; i += 2)
		if ((be ? b[i + 1] : b[i]) == '\t' && (be ? b[i] : b[i + 1]) == 0)
			tabs = 1;
	/* With a BOM iconv's UTF-16 reads the byte order from it (and drops it). */
	if (strcmp(r->name, "stdin") == 0)
		snprintf(conv, sizeof conv, "iconv -f UTF-16%s -t UTF-8 FILE > FILE.csv",
		    bom ? "" : be ? "BE" : "LE");
	else
		snprintf(conv, sizeof conv, "iconv -f UTF-16%s -t UTF-8 '%s' > '%s.utf8.csv'",
		    bom ? "" : be ? "BE" : "LE", r->name, r->name);
	return diag_set(d, r->name, 0, NULL, NULL, 0,
	    "the input is UTF-16 (Excel's \"Unicode text\"), not UTF-8: convert it with %s%s",
	    conv, tabs && r->delim != '\t' ? ", and read it with -t (it is tab-separated)" : "");
}

/*
 * One field of a record with no quote in it, as libcsv would hand it to
 * the field callbacks: t[0..len) in the arena (its end made a NUL), plain
 * unless another delimiter than the comma lets it hold a comma.
 */
static void
fast_field(struct csvio_reader *r, char *t, size_t len)
{
	size_t nf = r->nfields;

	t[len] = '\0';
	r->fplain[nf] = r->delim == ',' || memchr(t, ',', len) == NULL;
	r->fptr[nf] = t;
	r->flen[nf] = len;
	r->nfields = nf + 1;
}

/*
 * The first of b[i..end) that is the delimiter, a CR or an LF (end if
 * none): sixteen bytes a step where SSE2 is (every x86-64).
 */
static inline size_t
next_special(const unsigned char *b, size_t i, size_t end, unsigned char delim)
{
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8((char)delim), vn = _mm_set1_epi8('\n'),
	    vr = _mm_set1_epi8('\r');
	for (; i + 16 <= end; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vd),
		    _mm_or_si128(_mm_cmpeq_epi8(v, vn), _mm_cmpeq_epi8(v, vr))));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < end && b[i] != delim && b[i] != '\n' && b[i] != '\r')
		i++;
	return i;
}

/*
 * Split b[0..n), which holds no quote and starts at a record boundary,
 * into records as libcsv does (strict, spaces kept, every newline to the
 * record callback): all of it when final (the input's or range's end),
 * else up to the last CR or LF.  The bytes are copied into the arena at once, and
 * each field's delimiter or newline there becomes the NUL that ends it.
 * Returns the bytes used.
 */
static size_t
fast_split(struct csvio_reader *r, const unsigned char *b, size_t n, int final)
{
	size_t i, start = 0, end = n, base;
	unsigned char delim = r->delim;
	int began = 0;

	if (!final) {
		while (end > 0 && b[end - 1] != '\n' && b[end - 1] != '\r')
			end--;
		if (end == 0)
			return 0;
	}
	if (reserve(r, end) < 0) {
		r->oom = 1;
		return end;
	}
	base = r->data_len;
	memcpy(r->data + base, b, end);
	r->data_len += end + 1;
	for (i = next_special(b, 0, end, delim); i < end; i = next_special(b, i + 1, end, delim)) {
		unsigned char c = b[i];
		if (c == delim) {
			fast_field(r, r->data + base + start, i - start);
			start = i + 1;
			began = 1;
		} else if (c == '\n' || c == '\r') {
			if (began || i > start)
				fast_field(r, r->data + base + start, i - start);
			on_record(c, r);   /* may add a field (an empty line of one column) */
			start = i + 1;
			began = 0;
		}
	}
	if (final && (began || end > start)) {
		fast_field(r, r->data + base + start, end - start);
		on_record(-1, r);
	}
	return end;
}

/*
 * libcsv at rest: between records, nothing of a field held, so that the
 * next bytes may be split without it (fast_split) and handed to it again
 * from any record boundary.
 */
static int
at_rest(const struct csvio_reader *r)
{
	return !in_record(r) && r->parser.entry_pos == 0 && !r->parser.quoted;
}

/* The offset just past the last CR or LF of b[from..to), or from when there is none. */
static size_t
line_end(const unsigned char *b, size_t from, size_t to)
{
	while (to > from && b[to - 1] != '\n' && b[to - 1] != '\r')
		to--;
	return to;
}

/*
 * libcsv on b[0..len), with a parse error kept for later (parse_error).
 * Returns 0, or -1 when the reading stops (an error, or out of memory).
 */
static int
lib_parse(struct csvio_reader *r, const unsigned char *b, size_t len)
{
	size_t done, cur = csv_get_buffer_size(&r->parser);

	/*
	 * libcsv grows its field buffer by blk_size at a time: with the
	 * default (128 bytes) a 10 MB field costs 80,000 reallocs, each
	 * copying the buffer where realloc cannot grow in place (sanitizers,
	 * other allocators): quadratic.  Growing by at least the buffer's
	 * size (and a read block) keeps it linear.
	 */
	csv_set_blk_size(&r->parser, cur > r->block ? cur : (r->block > 128 ? r->block : 128));
	done = parse(r, b, len);
	if (r->oom)
		return -1;
	if (done != len) {
		parse_error(r, b, done, len);
		return -1;
	}
	return 0;
}

/*
 * Parse b[0..n), the bytes carried from the last call (its first clean
 * bytes: a part of a line, with no quote) and those read since; final at
 * the input's end.  Where libcsv is at rest, the records up to the first
 * quote are split by fast_split; from the record that holds a quote,
 * libcsv takes the bytes up to the last line end (all of them when
 * final), and the split resumes where it is at rest again.  So a quote
 * costs the libcsv parse of the lines up to the end of its block, not of
 * the rest of the input.  Returns how many of b's last bytes are carried
 * to the next call (a part of a line with no quote, libcsv at rest), or 0.
 */
static size_t
take(struct csvio_reader *r, const unsigned char *b, size_t n, size_t clean, int final)
{
	size_t pos = 0, q, e, from;
	const unsigned char *qp;

	for (;;) {
		if (at_rest(r)) {
			from = pos > clean ? pos : clean;
			qp = from < n ? memchr(b + from, '"', n - from) : NULL;
			q = qp != NULL ? (size_t)(qp - b) : n;
			if (q == n && final) {
				fast_split(r, b + pos, n - pos, 1);
				return 0;
			}
			/* the clean bytes hold no line end: only those after them are looked at */
			if ((e = line_end(b, from, q)) == from)
				e = pos;
			if (e > pos)
				pos += fast_split(r, b + pos, e - pos, 0);
			if (r->oom)
				return 0;
			if (q == n)
				return n - pos;
		}
		/* a record that holds a quote, or libcsv within one */
		e = final ? n : line_end(b, pos, n);
		if (e > pos) {
			if (lib_parse(r, b + pos, e - pos) < 0)
				return 0;
			pos = e;
			if (pos < n && at_rest(r))
				continue;
		}
		if (pos < n)
			(void)lib_parse(r, b + pos, n - pos);   /* an error stops the reading (eof) */
		return 0;
	}
}

/*
 * A leading UTF-8 BOM: drop it, even when reads split it (its bytes b[0..
 * n) so far).  Returns how many of them to skip; bytes that turn out not
 * to be a BOM are given to libcsv (-1 when that stops the reading).
 */
static long
skip_bom(struct csvio_reader *r, const unsigned char *b, size_t n)
{
	static const unsigned char bom[] = "\xef\xbb\xbf";
	size_t off = 0;

	while (off < n && r->bom_seen < 3 && b[off] == bom[r->bom_seen]) {
		off++;
		r->bom_seen++;
	}
	if (r->bom_seen < 3 && (off < n || n == 0)) {
		/* Not a BOM after all (or the input ends in one's first bytes): give them back. */
		if (r->bom_seen > 0 && lib_parse(r, bom, (size_t)r->bom_seen) < 0)
			return -1;
		r->bom_seen = 3;
	}
	return (long)off;
}

/* Parse more input until at least one row is queued or the input ends. */
static int
fill(struct csvio_reader *r, struct diag *d)
{
	ssize_t got;
	size_t want, n;
	long off;
	int first;

	compact(r);
	while (r->nrows == 0 && !r->eof) {
		want = r->block;
		if (r->ranged && r->rend - r->rpos < (long long)want)
			want = (size_t)(r->rend - r->rpos);
		if (grow((void **)&r->fbuf, &r->fcap, r->carry + want, 1) < 0) {
			r->oom = 1;
			break;
		}
		got = 0;
		first = !r->first_read;   /* a stream's first bytes (a range reader's are not) */
		if (first) {
			got = read_first(r);
			r->first_read = 1;
		} else if (r->ranged) {
			if (want > 0) {
				do
					got = pread(r->fd, r->fbuf + r->carry, want, (off_t)r->rpos);
				while (got < 0 && errno == EINTR);
			}
			if (got > 0)
				r->rpos += got;
		} else {
			do
				got = read(r->fd, r->fbuf + r->carry, want);
			while (got < 0 && errno == EINTR);
		}
		if (got < 0) {
			r->failed = 1;
			return diag_errno(d, r->name, errno, "read error");
		}
		if (first && utf16_refused(r, (size_t)got, d) < 0) {
			r->failed = 1;
			return -1;
		}
		r->bytes += (unsigned long long)got;
		n = r->carry + (size_t)got;
		off = 0;
		if (r->bom_seen < 3 && (off = skip_bom(r, r->fbuf, n)) < 0)
			break;
		n -= (size_t)off;
		r->carry = take(r, r->fbuf + off, n, r->carry, got == 0);
		if (r->oom || r->eof)
			break;
		if (r->carry > 0 && r->carry < n + (size_t)off)
			memmove(r->fbuf, r->fbuf + off + n - r->carry, r->carry);
		if (got == 0) {
			r->eof = 1;
			if (reserve(r, 0) < 0) {
				r->oom = 1;
				break;
			}
			if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
				diag_set(&r->pending, r->name, in_record(r) ? r->rec_line : r->line,
				    NULL, NULL, 0, "malformed CSV: quoted field not closed at end of input");
				r->has_pending = 1;
			}
		}
	}
	if (r->oom) {
		r->failed = 1;
		return diag_set(d, r->name, r->line, NULL, NULL, 0, "out of memory");
	}
	return 0;
}

/* R's write.csv writes a missing value as NA: hand it out as one (empty). */
static void
na_to_empty(struct csvio_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		if (row->len[i] == 2 && row->f[i][0] == 'N' && row->f[i][1] == 'A') {
			row->f[i][0] = '\0';
			row->len[i] = 0;
		}
}

int
csvio_next(struct csvio_reader *r, struct csvio_row *row, struct diag *d)
{
	struct row_ref *rr;

	if (r->failed)
		return diag_set(d, r->name, r->line, NULL, NULL, 0, "read after an error");
	if (r->next_row >= r->nrows) {
		if (fill(r, d) < 0)
			return -1;
		if (r->nrows == 0) {
			if (r->has_pending) {
				*d = r->pending;
				if (d->line > 1)
					d->line += r->line_offset;
				r->failed = 1;
				return -1;
			}
			return 0;
		}
	}
	rr = &r->rows[r->next_row++];
	row->n = rr->n;
	row->f = r->fptr + rr->first;
	row->len = r->flen + rr->first;
	row->line = rr->line + r->line_offset;
	row->plain = r->fplain + rr->first;
	if (r->na_missing && r->header_done)
		na_to_empty(row);
	return 1;
}

/*
 * The header: the first record, or (no_header) names for the columns of
 * the first record, which stays queued as the first data row: the names
 * given, or V1..Vn as R's read.csv(header = FALSE) names them.
 */
static int
take_header(struct csvio_reader *r, const struct csvio_opts *o, struct diag *d)
{
	struct csvio_row row;
	size_t i, total = 0, pos = 0;
	char vname[32];
	int got;

	got = csvio_next(r, &row, d);
	r->header_done = 1;
	if (got < 0)
		return -1;
	if (got == 0) {
		r->header.n = 0;
		return 0;
	}
	if (o->no_header) {
		if (o->n_names > 0 && o->n_names != row.n)
			return diag_set(d, r->name, row.line, NULL, NULL, 0,
			    "%zu column names given, but the first row has %zu fields", o->n_names, row.n);
		r->next_row--;   /* the row is data: hand it out again */
		if (r->na_missing)
			na_to_empty(&row);
		for (i = 0; i < row.n; i++)
			total += (o->n_names > 0 ? strlen(o->names[i]) : sizeof vname) + 1;
		r->header_data = malloc(total ? total : 1);
		r->header.f = malloc((row.n + 1) * sizeof *r->header.f);
		r->header.len = malloc((row.n + 1) * sizeof *r->header.len);
		if (r->header_data == NULL || r->header.f == NULL || r->header.len == NULL)
			return diag_set(d, r->name, 1, NULL, NULL, 0, "out of memory");
		for (i = 0; i < row.n; i++) {
			const char *nm = o->names ? o->names[i] : vname;
			if (o->n_names == 0)
				snprintf(vname, sizeof vname, "V%zu", i + 1);
			r->header.f[i] = r->header_data + pos;
			r->header.len[i] = strlen(nm);
			memcpy(r->header_data + pos, nm, r->header.len[i] + 1);
			pos += r->header.len[i] + 1;
		}
		r->header.n = row.n;
		r->header.line = 0;
		r->header.plain = NULL;
		return 0;
	}
	for (i = 0; i < row.n; i++)
		total += row.len[i] + 1;
	r->header_data = malloc(total ? total : 1);
	r->header.f = malloc((row.n + 1) * sizeof *r->header.f);
	r->header.len = malloc((row.n + 1) * sizeof *r->header.len);
	if (r->header_data == NULL || r->header.f == NULL || r->header.len == NULL)
		return diag_set(d, r->name, 1, NULL, NULL, 0, "out of memory");
	for (i = 0; i < row.n; i++) {
		memcpy(r->header_data + pos, row.f[i], row.len[i] + 1);
		r->header.f[i] = r->header_data + pos;
		r->header.len[i] = row.len[i];
		pos += row.len[i] + 1;
	}
	r->header.n = row.n;
	r->header.line = row.line;
	r->header.plain = NULL;
	return 0;
}

void
csvio_opts_init(struct csvio_opts *o, unsigned char delim)
{
	memset(o, 0, sizeof *o);
	o->delim = delim;
}

struct csvio_reader *
csvio_open_fd(int fd, const char *name, unsigned char delim, struct diag *d)
{
	return csvio_open_fd_block(fd, name, delim, 0, d);
}

struct csvio_reader *
csvio_open_fd_block(int fd, const char *name, unsigned char delim, size_t block,
    struct diag *d)
{
	struct csvio_opts o;

	csvio_opts_init(&o, delim);
	return csvio_open_fd_opts(fd, name, &o, block, d);
}

/* A reader of fd with o's delimiter and NA rule, before anything is read. */
static struct csvio_reader *
reader_new(int fd, const char *name, const struct csvio_opts *o, size_t block, struct diag *d)
{
	struct csvio_reader *r = calloc(1, sizeof *r);
	unsigned char delim = o->delim;

	if (r == NULL) {
		diag_set(d, name, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	r->fd = fd;
	r->line = 1;
	r->rec_line = 1;
	r->delim = delim;
	r->na_missing = o->na_missing;
	r->no_header = o->no_header;
	r->block = block ? block : BLOCK;
	r->name = strdup(name);
	r->fcap = r->block > UTF16_LOOK ? r->block : UTF16_LOOK;
	r->fbuf = malloc(r->fcap);
	if (r->name == NULL || r->fbuf == NULL ||
	    csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		diag_set(d, name, 0, NULL, NULL, 0, "out of memory");
		free(r->name);
		free(r->fbuf);
		free(r);
		return NULL;
	}
	csv_set_delim(&r->parser, delim);
	r->cls['\n'] = r->cls['\r'] = CLS_NEWLINE | CLS_QUOTE;
	r->cls['"'] = r->cls[','] = r->cls[delim] = CLS_QUOTE;
	csv_set_space_func(&r->parser, keep_spaces);
	return r;
}

struct csvio_reader *
csvio_open_fd_opts(int fd, const char *name, const struct csvio_opts *o, size_t block,
    struct diag *d)
{
	struct csvio_reader *r = reader_new(fd, name, o, block, d);
	struct stat st;

	if (r == NULL)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(fd, 0, SEEK_CUR);
		if (at >= 0) {
			r->seekable = 1;
			r->base = (long long)at;
		}
	}
	if (take_header(r, o, d) < 0) {
		csvio_close(r);
		return NULL;
	}
	if (r->header.n == 0) {
		diag_set(d, name, 0, NULL, NULL, 0, "the input is empty (not even a header row)");
		csvio_close(r);
		return NULL;
	}
	return r;
}

struct csvio_reader *
csvio_open(const char *path, unsigned char delim, struct diag *d)
{
	struct csvio_opts o;

	csvio_opts_init(&o, delim);
	return csvio_open_opts(path, &o, d);
}

struct csvio_reader *
csvio_open_opts(const char *path, const struct csvio_opts *o, struct diag *d)
{
	struct csvio_reader *r;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return csvio_open_fd_opts(0, "stdin", o, 0, d);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		diag_errno(d, path, errno, "cannot open");
		return NULL;
	}
	r = csvio_open_fd_opts(fd, path, o, 0, d);
	if (r == NULL) {
		close(fd);
		return NULL;
	}
	r->own_fd = 1;
	return r;
}

void
csvio_close(struct csvio_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fd)
		close(r->fd);
	csv_free(&r->parser);
	free(r->name);
	free(r->fbuf);
	free(r->data);
	free(r->flen);
	free(r->fplain);
	free(r->fptr);
	free(r->rows);
	free(r->header.f);
	free(r->header.len);
	free(r->header_data);
	free(r);
}

const char *
csvio_name(const struct csvio_reader *r)
{
	return r->name;
}

const struct csvio_row *
csvio_header(const struct csvio_reader *r)
{
	return &r->header;
}

size_t
csvio_ncols(const struct csvio_reader *r)
{
	return r->header.n;
}

int
csvio_peek(const struct csvio_reader *r, size_t ahead, struct csvio_row *row)
{
	const struct row_ref *rr;

	if (ahead == 0 || r->next_row == 0 || r->next_row - 1 + ahead >= r->nrows)
		return 0;
	rr = &r->rows[r->next_row - 1 + ahead];
	row->n = rr->n;
	row->f = r->fptr + rr->first;
	row->len = r->flen + rr->first;
	row->line = rr->line + r->line_offset;
	row->plain = r->fplain + rr->first;
	return 1;
}

int
csvio_check_width(const struct csvio_reader *r, const struct csvio_row *row, struct diag *d)
{
	if (row->n == r->header.n)
		return 0;
	return diag_set(d, r->name, row->line, NULL, NULL, 0, "%s fields (expected %zu)",
	    row->n > r->header.n ? "too many" : "too few", r->header.n);
}

unsigned long long
csvio_bytes(const struct csvio_reader *r)
{
	return r->bytes;
}

long
csvio_col(const struct csvio_reader *r, const char *name)
{
	size_t i;
	long found = -1;

	for (i = 0; i < r->header.n; i++) {
		if (strcmp(r->header.f[i], name) == 0) {
			if (found >= 0)
				return -2;
			found = (long)i;
		}
	}
	return found;
}

const char *
csvio_header_hint(const struct csvio_row *header, unsigned char delim, char *buf, size_t size)
{
	static const char seps[] = "\t;|";
	const char *sep;

	if (size == 0)
		return "";
	buf[0] = '\0';
	if (header->n != 1)
		return buf;
	for (sep = seps; *sep != '\0'; sep++)
		if ((unsigned char)*sep != delim && memchr(header->f[0], *sep, header->len[0]) != NULL)
			break;
	if (*sep == '\t')
		snprintf(buf, size, "; the header is one column with tabs in it: "
		    "read a tab-separated file with -t");
	else if (*sep != '\0')
		snprintf(buf, size, "; the header is one column with '%c' in it: "
		    "read the file with -d '%c'", *sep, *sep);
	return buf;
}

/*
 * "; did you mean \"NAME\"?" for the header name nearest to name, else "",
 * written into buf (size bytes), which is returned.
 */
static const char *
csvio_did_you_mean(const struct csvio_reader *r, const char *name, char *buf, size_t size)
{
	const char *near = suggest_word(name, (const char *const *)r->header.f, r->header.n);

	if (size == 0)
		return "";
	buf[0] = '\0';
	if (near != NULL)
		snprintf(buf, size, "; did you mean \"%s\"?", near);
	return buf;
}

long
csvio_require_col(const struct csvio_reader *r, const char *name, struct diag *d)
{
	long c = csvio_col(r, name);
	char list[DIAG_WHAT_MAX - 64 - SUGGEST_MAX_LEN], near[SUGGEST_MAX_LEN + 32];
	size_t i, pos = 0;

	if (c >= 0)
		return c;
	if (c == -2) {
		diag_set(d, r->name, 0, name, NULL, 0, "column name is ambiguous: the header has it more than once");
		return -1;
	}
	/* List the columns, cutting the list (with ", ...") where it would not fit. */
	list[0] = '\0';
	for (i = 0; i < r->header.n; i++) {
		size_t need = r->header.len[i] + (i ? 2 : 0);
		if (pos + need + 6 >= sizeof list) {
			memcpy(list + pos, ", ...", 6);
			break;
		}
		if (i) {
			memcpy(list + pos, ", ", 2);
			pos += 2;
		}
		memcpy(list + pos, r->header.f[i], r->header.len[i] + 1);
		pos += r->header.len[i];
	}
	if (csvio_header_hint(&r->header, r->delim, near, sizeof near)[0] == '\0')
		csvio_did_you_mean(r, name, near, sizeof near);
	diag_set(d, r->name, 0, name, NULL, 0, "no such column (columns: %s)%s", list, near);
	return -1;
}


/* ---- writer ---- */

struct csvio_writer {
	FILE *fp;
	unsigned char delim;
	unsigned char special[256];   /* bytes that make a field need quotes */
	int num_plain;                /* the delimiter cannot occur in num_format's text */
	char *buf;
	size_t len;
	size_t row_fields;
	int last_empty;
	int at_start;                 /* nothing written yet */
	int err;
	int answer;                   /* answer mode: a last field, a flush per row */
	int skip_row;                 /* the row being written is dropped at its end */
	char tail[CSVIO_TAIL_MAX];    /* that last field for the row being written */
	size_t tail_len;
};

struct csvio_writer *
csvio_writer_new(FILE *fp, unsigned char delim)
{
	struct csvio_writer *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->buf = malloc(BLOCK);
	if (w->buf == NULL) {
		free(w);
		return NULL;
	}
	w->fp = fp;
	w->delim = delim;
	w->at_start = 1;
	w->special[delim] = w->special['"'] = w->special['\n'] = w->special['\r'] = 1;
	w->num_plain = strchr("0123456789+-.einf", delim) == NULL;
	return w;
}

long
csvio_line(const struct csvio_reader *r)
{
	return r->line;
}

void
csvio_set_line_offset(struct csvio_reader *r, long offset)
{
	r->line_offset = offset;
}

/*
 * Record boundaries of a regular file.  The parser is strict: a quote
 * byte either opens a field, closes it, or is one of a doubled pair inside
 * it; anywhere else the input is malformed.  So in well-formed input a
 * byte is inside a quoted field exactly when an odd number of quote bytes
 * come before it since the last boundary, and an LF after an even number
 * ends a record.  (In malformed input a boundary past the first error may
 * be wrong; the reader of the range holding that error reports it, as one
 * reader of the whole file would.)  Lines are counted as the reader counts
 * them: every LF, and every CR that no LF follows.
 */
#define SCAN_BLOCK 65536

/* The bytes of 8-byte word w equal to c, as a count. */
static inline unsigned
word_count(uint64_t w, unsigned char c)
{
	const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	uint64_t x = w ^ (lo * c);
	uint64_t z = ~(((x & ~hi) + ~hi) | x) & hi;   /* the high bit of each zero byte */
	return (unsigned)((z >> 7) * lo >> 56);
}

/* Bytes equal to c in b[0..n). */
static size_t
byte_count(const unsigned char *b, size_t n, unsigned char c)
{
	size_t i = 0, k = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		k += word_count(w, c);
	}
	for (; i < n; i++)
		k += b[i] == c;
	return k;
}

struct scan {
	long long pos;
	long line;
	int odd;       /* an odd number of quotes since the last boundary */
	int cr;        /* the byte before pos is a CR */
};

/*
 * Count lines and quotes in b[0..n), which start at s->pos.  With stop, end
 * at the first LF outside quotes: return its index + 1 (0: none).
 */
static size_t
scan_bytes(struct scan *s, const unsigned char *b, size_t n, int stop)
{
	size_t i;

	if (!stop && !s->cr && memchr(b, '\r', n) == NULL) {
		s->line += (long)byte_count(b, n, '\n');
		s->odd ^= (int)(byte_count(b, n, '"') & 1);
		s->pos += (long long)n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = b[i];
		if (c == '"')
			s->odd ^= 1;
		else if (c == '\n') {
			if (!s->cr)
				s->line++;
			s->cr = 0;
			if (stop && !s->odd) {
				s->pos += (long long)i + 1;
				return i + 1;
			}
			continue;
		} else if (c == '\r')
			s->line++;   /* a CRLF's LF then counts nothing */
		s->cr = c == '\r';
	}
	s->pos += (long long)n;
	return 0;
}

/* Scan from s->pos to off (stop 0), or to the next boundary (stop 1; the end of size). */
static int
scan_to(const struct csvio_reader *r, struct scan *s, long long off, long long size, int stop,
    struct diag *d)
{
	unsigned char *buf = malloc(SCAN_BLOCK);

	if (buf == NULL)
		return diag_set(d, r->name, 0, NULL, NULL, 0, "out of memory");
	while (s->pos < (stop ? size : off)) {
		long long lim = stop ? size : off;
		size_t want = lim - s->pos < SCAN_BLOCK ? (size_t)(lim - s->pos) : SCAN_BLOCK;
		ssize_t got;
		do
			got = pread(r->fd, buf, want, (off_t)s->pos);
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			free(buf);
			if (got == 0)   /* the file shrank: its end is where it ends now */
				return 0;
			return diag_errno(d, r->name, errno, "read error");
		}
		if (scan_bytes(s, buf, (size_t)got, stop) > 0)
			break;
	}
	free(buf);
	return 0;
}

/*
 * s->pos is where the header record starts: move it past the record's end
 * (a CR or LF outside quotes; a CRLF as one), counting its lines.
 * A header that ends the file ends at the file's end.  Returns 0, or -1
 * when the file cannot be read.
 */
static int
scan_header_end(const struct csvio_reader *r, struct scan *s, long long size)
{
	unsigned char buf[4096];
	int odd = 0, cr = 0, ended = 0;

	while (s->pos < size) {
		size_t want = size - s->pos < (long long)sizeof buf ? (size_t)(size - s->pos) : sizeof buf;
		ssize_t got, i;
		do
			got = pread(r->fd, buf, want, (off_t)s->pos);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			unsigned char c = buf[i];
			if (ended) {   /* the byte after a CR that ended the record */
				if (c == '\n')
					s->pos++;
				return 0;
			}
			s->pos++;
			if (c == '"') {
				odd ^= 1;
			} else if (c == '\n' && !cr) {
				s->line++;
			} else if (c == '\r') {
				s->line++;
			}
			if ((c == '\n' || c == '\r') && !odd) {
				if (c == '\n')
					return 0;
				ended = 1;
			}
			cr = c == '\r';
		}
	}
	return 0;
}

static long long
file_size(const struct csvio_reader *r)
{
	struct stat st;

	return fstat(r->fd, &st) == 0 ? (long long)st.st_size : -1;
}

int
csvio_data_cursor(const struct csvio_reader *r, struct csvio_cursor *c, long long *size)
{
	unsigned char b[3];
	struct scan s = { r->base, 1, 0, 0 };
	ssize_t got;

	if (!r->seekable || r->ranged || (*size = file_size(r)) < 0)
		return 0;
	do
		got = pread(r->fd, b, 3, (off_t)r->base);
	while (got < 0 && errno == EINTR);
	if (got == 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
		s.pos += 3;
	if (!r->no_header) {
		/* blank lines, then the header record up to its end */
		for (;;) {
			do
				got = pread(r->fd, b, 1, (off_t)s.pos);
			while (got < 0 && errno == EINTR);
			if (got != 1 || (b[0] != '\n' && b[0] != '\r'))
				break;
			(void)scan_bytes(&s, b, 1, 0);
		}
		if (scan_header_end(r, &s, *size) < 0)
			return 0;
	}
	c->off = s.pos;
	c->line = s.line;
	return 1;
}

int
csvio_cursor_advance(const struct csvio_reader *r, struct csvio_cursor *c, long long off,
    struct diag *d)
{
	struct scan s = { c->off, c->line, 0, 0 };
	long long size = file_size(r);

	if (size < 0)
		return diag_errno(d, r->name, errno, "cannot stat");
	if (off <= c->off)
		return 0;
	if (off > size)
		off = size;
	/* from the byte before off, so that a boundary at off itself is found */
	if (scan_to(r, &s, off - 1, size, 0, d) < 0 || scan_to(r, &s, off, size, 1, d) < 0)
		return -1;
	c->off = s.pos;
	c->line = s.line;
	return 0;
}

struct csvio_reader *
csvio_open_range(const struct csvio_reader *like, const struct csvio_cursor *from,
    long long end, struct diag *d)
{
	struct csvio_opts o;
	struct csvio_reader *r;
	size_t i, total = 0;

	csvio_opts_init(&o, like->delim);
	o.na_missing = like->na_missing;
	o.no_header = like->no_header;
	if ((r = reader_new(like->fd, like->name, &o, like->block, d)) == NULL)
		return NULL;
	r->ranged = 1;
	r->rpos = from->off;
	r->rend = end > from->off ? end : from->off;
	r->first_read = 1;
	r->bom_seen = 3;
	r->header_done = 1;
	r->records = 1;
	r->one_column = like->one_column;
	r->line = r->rec_line = from->line;
	r->line_offset = like->line_offset;
	for (i = 0; i < like->header.n; i++)
		total += like->header.len[i] + 1;
	r->header_data = malloc(total ? total : 1);
	r->header.f = malloc((like->header.n + 1) * sizeof *r->header.f);
	r->header.len = malloc((like->header.n + 1) * sizeof *r->header.len);
	if (r->header_data == NULL || r->header.f == NULL || r->header.len == NULL) {
		csvio_close(r);
		diag_set(d, like->name, 0, NULL, NULL, 0, "out of memory");
		return NULL;
	}
	total = 0;
	for (i = 0; i < like->header.n; i++) {
		memcpy(r->header_data + total, like->header.f[i], like->header.len[i] + 1);
		r->header.f[i] = r->header_data + total;
		r->header.len[i] = like->header.len[i];
		total += like->header.len[i] + 1;
	}
	r->header.n = like->header.n;
	r->header.line = like->header.line;
	r->header.plain = NULL;
	return r;
}

void
csvio_writer_skip_row(struct csvio_writer *w)
{
	w->skip_row = 1;
}

int
csvio_flush(struct csvio_writer *w)
{
	if (w->len > 0 && w->err == 0) {
		if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
			w->err = errno ? errno : EIO;
	}
	w->len = 0;
	if (w->err == 0 && fflush(w->fp) != 0)
		w->err = errno ? errno : EIO;
	return w->err;
}

int
csvio_writer_free(struct csvio_writer *w)
{
	int err;

	if (w == NULL)
		return 0;
	err = csvio_flush(w);
	free(w->buf);
	free(w);
	return err;
}

static void
emit(struct csvio_writer *w, const char *s, size_t len)
{
	if (w->len + len <= BLOCK) {
		memcpy(w->buf + w->len, s, len);
		w->len += len;
		return;
	}
	while (w->len + len > BLOCK) {
		size_t room = BLOCK - w->len;
		memcpy(w->buf + w->len, s, room);
		w->len = BLOCK;
		s += room;
		len -= room;
		if (w->err == 0 && !w->skip_row && fwrite(w->buf, 1, w->len, w->fp) != w->len)
			w->err = errno ? errno : EIO;
		w->len = 0;
	}
	memcpy(w->buf + w->len, s, len);
	w->len += len;
}

static void
emit_byte(struct csvio_writer *w, char c)
{
	if (w->len == BLOCK)
		emit(w, &c, 1);
	else
		w->buf[w->len++] = c;
}

/*
 * Copy n bytes where n is usually small: two overlapping moves of 8, 4 or
 * 1 bytes instead of a loop or a call (reads nothing outside s[0..n)).
 */
static inline void
copy_short(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t c, e;

	if (n >= 8) {
		if (n > 16) {
			memcpy(d, s, n);
			return;
		}
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&c, s, 4);
		memcpy(&e, s + n - 4, 4);
		memcpy(d, &c, 4);
		memcpy(d + n - 4, &e, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* Does s[0..len) hold a byte that makes it need quotes? */
static int
needs_quotes(const struct csvio_writer *w, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (w->special[(unsigned char)s[i]])
			return 1;
	return 0;
}

/* Write s[0..len) quoted, its quotes doubled, at p (room for 2 * len + 2). */
static char *
put_quoted(char *p, const char *s, size_t len)
{
	size_t i;

	*p++ = '"';
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	return p;
}

/* Append a field that needs no quotes and fits in the buffer with its delimiter. */
static inline void
put_fits(struct csvio_writer *w, const char *s, size_t len)
{
	char *p = w->buf + w->len;

	if (w->row_fields++ > 0)
		*p++ = (char)w->delim;
	copy_short(p, s, len);
	w->len = (size_t)(p + len - w->buf);
	w->last_empty = (len == 0);
}

void
csvio_put(struct csvio_writer *w, const char *s, size_t len)
{
	size_t i, start;
	int quote = 0;

	/* The usual field: short, needing no quotes, with room in the buffer. */
	if (!w->at_start && w->len + len + 1 <= BLOCK && !needs_quotes(w, s, len)) {
		put_fits(w, s, len);
		return;
	}
	if (w->row_fields++ > 0)
		emit_byte(w, (char)w->delim);
	w->last_empty = (len == 0);
	/*
	 * A first field that starts with a UTF-8 BOM would lose it when read
	 * back (the reader drops a leading BOM): quote it.
	 */
	if (w->at_start) {
		w->at_start = 0;
		if ((len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) ||
		    (len >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 || memcmp(s, "\xfe\xff", 2) == 0)))
			quote = 1;   /* ... and one that starts with a UTF-16 BOM would be refused */
	}
	if (!quote && !needs_quotes(w, s, len)) {
		emit(w, s, len);
		return;
	}
	emit_byte(w, '"');
	for (start = 0, i = 0; i < len; i++) {
		if (s[i] == '"') {
			emit(w, s + start, i + 1 - start);
			emit_byte(w, '"');
			start = i + 1;
		}
	}
	emit(w, s + start, len - start);
	emit_byte(w, '"');
}

void
csvio_put_plain(struct csvio_writer *w, const char *s, size_t len)
{
	if (w->len + len + 1 <= BLOCK) {
		put_fits(w, s, len);
		return;
	}
	if (w->row_fields++ > 0)
		emit_byte(w, (char)w->delim);
	w->last_empty = (len == 0);
	emit(w, s, len);
}

void
csvio_put_joined(struct csvio_writer *w, const char *s, size_t len, size_t n)
{
	size_t start, i;

	if (w->delim == ',' && !w->at_start && w->len + len + 1 <= BLOCK) {
		put_fits(w, s, len);
		w->row_fields += n - 1;
		w->last_empty = len == 0 || s[len - 1] == ',';
		return;
	}
	for (start = 0, i = 0; i <= len; i++) {
		if (i == len || s[i] == ',') {
			csvio_put_plain(w, s + start, i - start);
			start = i + 1;
		}
	}
}

void
csvio_put_str(struct csvio_writer *w, const char *s)
{
	csvio_put(w, s, strlen(s));
}

void
csvio_put_num(struct csvio_writer *w, double x)
{
	char buf[NUM_BUFSZ];
	size_t n = num_format(x, buf);

	if (w->num_plain)
		csvio_put_plain(w, buf, n);
	else
		csvio_put(w, buf, n);
}

void
csvio_put_long(struct csvio_writer *w, long long x)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", x);

	csvio_put(w, buf, (size_t)n);
}

void
csvio_put_row(struct csvio_writer *w, const struct csvio_row *row)
{
	size_t i;

	/* The reader's plain flags cover ',' and its own delimiter. */
	if (row->plain == NULL || w->delim != ',' || w->at_start) {
		for (i = 0; i < row->n; i++)
			csvio_put(w, row->f[i], row->len[i]);
		return;
	}
	/*
	 * A row that starts a line is written straight into the buffer while
	 * each field fits (with its quotes doubled, at worst): no delimiter
	 * test, no memcpy call and no bound check but one compare per field.
	 * Fields are a few bytes long, and those costs were most of the
	 * writer.  Only fields not known to be plain are looked at.  Where a
	 * field does not fit, the rest of the row goes the general way.
	 */
	i = 0;
	if (w->row_fields == 0 && row->n > 0) {
		char *p = w->buf + w->len, *end = w->buf + BLOCK;
		for (; i < row->n; i++) {
			const char *f = row->f[i];
			size_t len = row->len[i];
			if ((size_t)(end - p) < 2 * len + 3)
				break;
			if (row->plain[i] || !needs_quotes(w, f, len)) {
				copy_short(p, f, len);
				p += len;
			} else {
				p = put_quoted(p, f, len);
			}
			*p++ = ',';
		}
		if (i > 0) {
			w->len = (size_t)(p - 1 - w->buf);   /* the last comma goes */
			w->row_fields = i;
			w->last_empty = row->len[i - 1] == 0;
		}
	}
	for (; i < row->n; i++) {
		if (!row->plain[i]) {
			csvio_put(w, row->f[i], row->len[i]);
			continue;
		}
		if (w->row_fields++ > 0)
			emit_byte(w, (char)w->delim);
		w->last_empty = (row->len[i] == 0);
		emit(w, row->f[i], row->len[i]);
	}
}

void
csvio_writer_answer(struct csvio_writer *w)
{
	w->answer = 1;
}

void
csvio_tail(struct csvio_writer *w, const char *s)
{
	size_t len = strlen(s);

	if (len >= sizeof w->tail)
		len = sizeof w->tail - 1;
	memcpy(w->tail, s, len);
	w->tail_len = len;
}

size_t
csvio_row_fields(const struct csvio_writer *w)
{
	return w->row_fields;
}

void
csvio_end(struct csvio_writer *w)
{
	if (w->answer) {
		csvio_put(w, w->tail, w->tail_len);
		w->tail_len = 0;
	}
	/* A lone empty field would read back as a blank line: quote it. */
	if (w->row_fields == 1 && w->last_empty)
		emit(w, "\"\"", 2);
	emit_byte(w, '\n');
	w->row_fields = 0;
	if (w->skip_row) {
		/* Begun in an empty buffer (csvio_writer_skip_row), so all of it is here. */
		w->len = 0;
		w->skip_row = 0;
		return;
	}
	if (w->answer)
		(void)csvio_flush(w);   /* remembered: the next csvio_flush returns it */
}

int
csvio_parse_delim(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0 || strcmp(arg, "\t") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
		return -1;
	return (unsigned char)arg[0];
}
