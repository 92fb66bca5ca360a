/*
 * csvio.h - the CSV stream every program stands on: a reader on libcsv and a
 * buffered writer.
 *
 * Reader: RFC 4180 with a header row; LF, CRLF or CR line ends; quoted
 * fields with embedded delimiters, quotes and newlines; a leading UTF-8 BOM
 * is dropped; a missing final newline is fine; blank lines are skipped (but
 * counted, so line numbers stay true).  Rows are handed out one at a time
 * with the line where the record starts.  Memory stays flat: rows are parsed
 * a block at a time into one reused arena.
 *
 * Writer: comma-separated (or another delimiter), LF line ends, a field is
 * quoted only when it holds the delimiter, a quote, CR or LF (or is empty
 * and the only field of its row, so that the row is not read as blank).
 */
#ifndef PR_CSVIO_H
#define PR_CSVIO_H

#include <stdio.h>
#include <stddef.h>

#include "diag.h"

struct csvio_reader;   /* opaque */

/*
 * One record.  f[i] points at field i, NUL-terminated (a field may hold NUL
 * bytes; len[i] is its true length).  Everything here is owned by the
 * reader and valid until the next csvio_next or csvio_close: copy what you
 * keep, as with libcsv's callback buffer.
 */
struct csvio_row {
	size_t n;             /* number of fields */
	char **f;             /* field texts */
	size_t *len;          /* field lengths */
	long line;            /* line (1-based) where the record starts */
	/*
	 * plain[i] != 0: field i holds no comma, quote, CR, LF or input
	 * delimiter, so a comma writer (or one with the input's delimiter)
	 * writes it without looking.  NULL when unknown: the writer then
	 * looks at every byte.  A row built by hand MUST set it (to NULL, or
	 * use a designated initialiser): a stray pointer here is read.
	 */
	const unsigned char *plain;
};

/*
 * Open path ("-" or NULL: standard input) and read its header row.
 * delim is the one-byte field delimiter (',' unless asked).  Returns NULL
 * with d filled on failure: an unreadable file, bad CSV in the header, an
 * empty input ("the input is empty (not even a header row)"; a header with
 * no rows is fine), a UTF-16 input (named as such, with the iconv command
 * that converts it).  The caller frees with csvio_close.
 */
struct csvio_reader *csvio_open(const char *path, unsigned char delim, struct diag *d);

/*
 * How to read: csvio_opts_init gives the defaults (delim, a header row, a
 * field NA handed out as it is).
 *  - na_missing: a data field that is exactly NA (what R's write.csv
 *    writes for a missing value, in any column, and read.csv reads back as
 *    one) is handed out empty, every program's missing value.
 *  - no_header: the first record is data; the columns are named names[0..
 *    n_names) (as many as its fields, else the open fails), or V1..Vn when
 *    n_names is 0, as R's read.csv(header = FALSE) names them.  names is
 *    copied.
 */
struct csvio_opts {
	unsigned char delim;
	int na_missing;
	int no_header;
	const char *const *names;
	size_t n_names;
};
void csvio_opts_init(struct csvio_opts *o, unsigned char delim);
struct csvio_reader *csvio_open_opts(const char *path, const struct csvio_opts *o,
    struct diag *d);
/* csvio_open_opts on an open descriptor, block bytes per read (0: default). */
struct csvio_reader *csvio_open_fd_opts(int fd, const char *name, const struct csvio_opts *o,
    size_t block, struct diag *d);

/* Like csvio_open, on an open file descriptor; name is used in messages. */
struct csvio_reader *csvio_open_fd(int fd, const char *name, unsigned char delim,
    struct diag *d);

/*
 * Like csvio_open_fd, reading at most block bytes per read(2) (0: the
 * default 64 KiB).  Small blocks are for tests: every record boundary
 * falls at every offset of a read.
 */
struct csvio_reader *csvio_open_fd_block(int fd, const char *name, unsigned char delim,
    size_t block, struct diag *d);

/* Close the file (unless it is stdin) and free everything.  NULL is fine. */
void csvio_close(struct csvio_reader *r);

/* "stdin" or the path given to csvio_open: for messages. */
const char *csvio_name(const struct csvio_reader *r);

/* The header: valid as long as the reader. */
const struct csvio_row *csvio_header(const struct csvio_reader *r);
size_t csvio_ncols(const struct csvio_reader *r);

/*
 * Index of the column named name, or -1 when there is none, or -2 when the
 * name is ambiguous (the header repeats it).
 */
long csvio_col(const struct csvio_reader *r, const char *name);

/*
 * Like csvio_col, but a missing or ambiguous column fills d with a message
 * that names the file and lists the available columns, and returns -1.
 */
long csvio_require_col(const struct csvio_reader *r, const char *name, struct diag *d);

/*
 * "; did you mean \"price\"?" when a column of the header is near name
 * (suggest_word), else "": to end a message about a missing column.
 * Written into buf (size bytes; cut to fit), which is returned.
 */
/*
 * "; the header is one column with tabs in it: read a tab-separated file
 * with -t" (or with ';' or '|': "-d ';'") when header is one field holding
 * such a byte that is not delim, else "": a hint to end a message about a
 * missing column.  Written into buf (size bytes), which is returned.
 */
const char *csvio_header_hint(const struct csvio_row *header, unsigned char delim, char *buf,
    size_t size);

/*
 * Read the next record into *row.  Returns 1 for a record, 0 at the end of
 * the input, -1 with d filled on a read error or malformed CSV (with the
 * line where the bad record starts).  The field count is not checked here:
 * compare row->n with csvio_ncols and reject the row if it matters.
 */
int csvio_next(struct csvio_reader *r, struct csvio_row *row, struct diag *d);

/*
 * Add offset to the line of every record after the header, and to the lines
 * of errors there, so that a part of a split input (GNU parallel --pipe)
 * says where its rows are in the whole input.  Call after opening.
 */
void csvio_set_line_offset(struct csvio_reader *r, long offset);

/*
 * Parts of a regular file, for readers that each take a byte range of it
 * (threads of one program, or one process a part): a cursor is a record
 * boundary, the offset of the byte after an LF outside quoted fields (or
 * where the data rows start, or the file's end), with the line there.
 *
 * csvio_data_cursor: when r reads a regular file from where it was opened
 * (a file named, or a standard input that is a regular file), *c is where
 * the data rows start (past a BOM and the header record; with no_header at
 * the first record) and *size the file's size: returns 1.  Else 0 (a pipe,
 * a terminal, a range reader).
 *
 * csvio_cursor_advance moves *c to the first boundary at or after off
 * (the file's end at the latest), counting lines on the way.  Returns 0,
 * or -1 with d filled (a read error).
 *
 * csvio_open_range: a reader of the records that start in [from->off,
 * end) of r's file (end a cursor's offset), with r's header, options and
 * line offset, lines counted from from->line.  It reads with pread, so it
 * does not move r and several can read at once (one a thread); closing
 * it leaves the file open.  NULL with d filled when out of memory.
 */
struct csvio_cursor {
	long long off;
	long line;
};
int csvio_data_cursor(const struct csvio_reader *r, struct csvio_cursor *c, long long *size);
int csvio_cursor_advance(const struct csvio_reader *r, struct csvio_cursor *c, long long off,
    struct diag *d);
struct csvio_reader *csvio_open_range(const struct csvio_reader *r, const struct csvio_cursor *from,
    long long end, struct diag *d);

/*
 * 0 when row has as many fields as the header; else -1 with d filled
 * ("too few fields (expected N)", the input's name and the row's line), the
 * reason every program rejects such a row for.
 */
int csvio_check_width(const struct csvio_reader *r, const struct csvio_row *row,
    struct diag *d);

/*
 * The row `ahead` places after the one csvio_next last handed out (1: the
 * next one), when it is already parsed; returns 1 and fills *row (valid
 * until the next csvio_next), or 0.  Never reads input: a look ahead for
 * prefetching, which may see nothing near the end of a block.
 */
int csvio_peek(const struct csvio_reader *r, size_t ahead, struct csvio_row *row);

/*
 * The line of the next character to read (before any line offset): at the
 * end of an input whose last line ends with a newline, one more than its
 * lines.
 */
long csvio_line(const struct csvio_reader *r);

/* Bytes of input consumed so far (for progress and benchmarks). */
unsigned long long csvio_bytes(const struct csvio_reader *r);


struct csvio_writer;   /* opaque */

/*
 * A writer on fp (not closed by the writer) with its own buffer, writing
 * delim between fields.  Returns NULL only when out of memory.
 */
struct csvio_writer *csvio_writer_new(FILE *fp, unsigned char delim);

/* Flush and free; does not close fp.  Returns 0, or an errno value. */
int csvio_writer_free(struct csvio_writer *w);

/* Append one field to the current row, quoted if needed. */
void csvio_put(struct csvio_writer *w, const char *s, size_t len);
void csvio_put_str(struct csvio_writer *w, const char *s);      /* NUL-terminated */
/*
 * Append a field the caller knows needs no quotes: s holds no delimiter,
 * quote, CR or LF (a number, a 0/1 flag, an ISO date).  Skips the look at
 * every byte that csvio_put makes.
 */
void csvio_put_plain(struct csvio_writer *w, const char *s, size_t len);
/*
 * Append n fields at once, given as one text s[0..len) in which they are
 * joined by commas; none of them holds a comma, quote, CR or LF (a block
 * of 0/1 indicators, say).  Whatever the writer's delimiter.
 */
void csvio_put_joined(struct csvio_writer *w, const char *s, size_t len, size_t n);
void csvio_put_num(struct csvio_writer *w, double x);           /* num_format */
void csvio_put_long(struct csvio_writer *w, long long x);

/* Append every field of row. */
void csvio_put_row(struct csvio_writer *w, const struct csvio_row *row);

/* End the current row with LF (in answer mode: the last field first, then a flush). */
void csvio_end(struct csvio_writer *w);

/*
 * Answer mode, for a program kept open as a co-process (--line-buffered):
 * every row, the header included, gets one more field at its end, and
 * csvio_end writes the row out and flushes fp (as csvio_flush) before it
 * returns, so a reader on a pipe gets each row at once.  The last field is
 * empty unless csvio_tail set it for the row being written.  Off by
 * default; once on, it stays on.
 */
#define CSVIO_TAIL_MAX 2048
void csvio_writer_answer(struct csvio_writer *w);
/* The last field of the row being written (copied, cut at CSVIO_TAIL_MAX - 1
 * bytes); used by the next csvio_end in answer mode only. */
void csvio_tail(struct csvio_writer *w, const char *s);
/* The number of fields put in the row being written so far. */
size_t csvio_row_fields(const struct csvio_writer *w);

/*
 * Write what is buffered to fp and fflush it.  Returns 0, or the errno of
 * the first failed write (the writer remembers it: later calls return it
 * again).
 */
int csvio_flush(struct csvio_writer *w);

/*
 * Drop the next row written, up to its csvio_end (the header of a part of a
 * split input after the first: the parts' outputs joined in order are the
 * output of one run).  Call before anything is written.
 */
void csvio_writer_skip_row(struct csvio_writer *w);

/* Parse a delimiter option value: one byte, or "\t"/"tab".  Returns -1 if bad. */
int csvio_parse_delim(const char *arg);

#endif
