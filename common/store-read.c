/*
 * store-read.c - filling a store from an input, on several threads.
 *
 * Checking a row (splitting the CSV, reading its numbers) is most of the
 * work; adding checked rows to the store is a copy.  So the input is cut
 * into byte ranges at record boundaries (csvio cursors), each range is
 * read and checked into a block by one of the threads, and this thread
 * adds the blocks to the store strictly in range order, as they are done.
 * A block holds everything that adding its rows needs (values, texts in
 * its own tables, refused rows with their reasons, the first CSV error),
 * so the store, its levels and its refusals come out as one thread reading
 * row by row would make them, for any number of threads and any timing.
 * At most WINDOW ranges a thread are read ahead of the one being added,
 * so memory stays bounded whatever the size of the input.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xalloc.h"

/* Bytes of input a range (at record boundaries, so a little more). */
#define RANGE_BYTES ((long long)1 << 20)
/* Ranges in flight a thread. */
#define WINDOW 3
/* Rows a block when one thread reads a stream; progress every PROGRESS_ROWS rows. */
#define STREAM_ROWS 4096
#define PROGRESS_ROWS 16384

struct range {
	struct csvio_cursor from;
	long long end;
	struct store_block *b;
	unsigned long long rows;    /* records read */
	int state;                  /* R_FREE, R_READY, R_BUSY, R_DONE */
	int failed;                 /* the reading stopped at an error: d */
	struct diag d;
};

enum { R_FREE, R_READY, R_BUSY, R_DONE };

struct reading {
	const struct csvio_reader *in;
	struct range *slot;
	size_t nslot;
	unsigned long long next_take, next_give;  /* ranges taken by threads, handed out */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
};

/* Read range g into its block (the first CSV error ends it). */
static void
read_range(const struct csvio_reader *in, struct range *g)
{
	struct csvio_reader *r = csvio_open_range(in, &g->from, g->end, &g->d);
	struct csvio_row row;
	struct diag why;
	int got;

	if (r == NULL) {
		g->failed = 1;
		return;
	}
	while ((got = csvio_next(r, &row, &g->d)) > 0) {
		g->rows++;
		(void)store_block_parse(g->b, r, &row, &why);
	}
	if (got < 0)
		g->failed = 1;
	csvio_close(r);
}

static void *
reader_thread(void *arg)
{
	struct reading *rd = arg;

	pthread_mutex_lock(&rd->mu);
	for (;;) {
		while (!rd->stop && rd->next_take == rd->next_give)
			pthread_cond_wait(&rd->work, &rd->mu);
		if (rd->stop)
			break;
		struct range *g = &rd->slot[rd->next_take++ % rd->nslot];
		g->state = R_BUSY;
		pthread_mutex_unlock(&rd->mu);
		read_range(rd->in, g);
		pthread_mutex_lock(&rd->mu);
		g->state = R_DONE;
		pthread_cond_broadcast(&rd->done);
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

/* One thread, row by row from the reader (a pipe, or jobs 1). */
static int
read_stream(struct store *s, struct csvio_reader *in, const struct store_read_opts *o,
    unsigned long long *n_in, struct diag *d)
{
	struct store_block *b = store_block_new(s);
	struct csvio_row row;
	struct diag why;
	int got, rc = 0;

	for (;;) {
		got = csvio_next(in, &row, d);
		if (got > 0) {
			(*n_in)++;
			(void)store_block_parse(b, in, &row, &why);
		}
		if (got <= 0 || store_block_rows(b) == STREAM_ROWS) {
			if ((rc = store_block_add(s, b, o->reject, o->arg, d)) < 0)
				break;
			if (o->progress && got > 0 && *n_in % PROGRESS_ROWS == 0)
				o->progress(o->arg, *n_in, csvio_bytes(in));
		}
		if (got <= 0) {
			rc = got;
			break;
		}
	}
	store_block_free(b);
	return rc;
}

/* Add range g's block to s: its rows, then its error if the reading stopped at one. */
static int
add_range(struct store *s, struct range *g, const struct store_read_opts *o,
    unsigned long long *n_in, struct diag *d)
{
	int rc;

	*n_in += g->rows;
	rc = store_block_add(s, g->b, o->reject, o->arg, d);
	if (rc == 0 && g->failed) {
		*d = g->d;
		rc = -1;
	}
	if (rc == 0 && o->progress)
		o->progress(o->arg, *n_in, (unsigned long long)g->end);
	return rc;
}

/*
 * The next range of about range bytes from *at (a boundary) into g, *at
 * moved past it: 1, 0 at the end of the file, or -1 with d filled.
 */
static int
next_range(const struct csvio_reader *in, struct csvio_cursor *at, long long size,
    long long range, struct range *g, struct diag *d)
{
	struct csvio_cursor to = *at;

	if (at->off >= size)
		return 0;
	if (csvio_cursor_advance(in, &to, at->off + range, d) < 0)
		return -1;
	g->from = *at;
	g->end = to.off;
	g->rows = 0;
	g->failed = 0;
	*at = to;
	return 1;
}

/* One thread, a range after the other (a regular file, jobs 1). */
static int
read_ranges(struct store *s, const struct csvio_reader *in, const struct store_read_opts *o,
    struct csvio_cursor at, long long size, long long range, unsigned long long *n_in,
    struct diag *d)
{
	struct range g;
	int rc = 0;

	memset(&g, 0, sizeof g);
	g.b = store_block_new(s);
	while (rc == 0 && (rc = next_range(in, &at, size, range, &g, d)) > 0) {
		read_range(in, &g);
		rc = add_range(s, &g, o, n_in, d);
	}
	store_block_free(g.b);
	return rc;
}

int
store_read(struct store *s, struct csvio_reader *in, const struct store_read_opts *o,
    unsigned long long *n_in, struct diag *d)
{
	struct reading rd;
	struct csvio_cursor at;
	long long size;
	pthread_t *th;
	unsigned nth = o->jobs, k;
	long long range = o->range_bytes > 0 ? o->range_bytes : RANGE_BYTES;
	unsigned long long next_add = 0;
	int rc = 0, eof = 0;

	*n_in = 0;
	if (!csvio_data_cursor(in, &at, &size))
		return read_stream(s, in, o, n_in, d);
	if (nth <= 1)
		return read_ranges(s, in, o, at, size, range, n_in, d);
	memset(&rd, 0, sizeof rd);
	rd.in = in;
	rd.nslot = (size_t)nth * WINDOW;
	rd.slot = xcalloc(rd.nslot, sizeof *rd.slot);
	for (size_t i = 0; i < rd.nslot; i++)
		rd.slot[i].b = store_block_new(s);
	pthread_mutex_init(&rd.mu, NULL);
	pthread_cond_init(&rd.work, NULL);
	pthread_cond_init(&rd.done, NULL);
	th = xcalloc(nth, sizeof *th);
	for (k = 0; k < nth; k++)
		if (pthread_create(&th[k], NULL, reader_thread, &rd) != 0)
			break;
	nth = k;
	if (nth == 0)
		rc = 1;   /* no thread to be had: read here (no range was handed out) */
	pthread_mutex_lock(&rd.mu);
	while (rc == 0) {
		/* hand out ranges while there is room */
		while (!eof && rd.next_give < next_add + rd.nslot) {
			struct range *g = &rd.slot[rd.next_give % rd.nslot];
			pthread_mutex_unlock(&rd.mu);
			int got = next_range(in, &at, size, range, g, d);
			if (got <= 0) {
				pthread_mutex_lock(&rd.mu);
				eof = got == 0;
				rc = got;
				break;
			}
			pthread_mutex_lock(&rd.mu);
			g->state = R_READY;
			rd.next_give++;
			pthread_cond_signal(&rd.work);
		}
		if (rc != 0 || next_add == rd.next_give)
			break;
		struct range *g = &rd.slot[next_add % rd.nslot];
		while (g->state != R_DONE)
			pthread_cond_wait(&rd.done, &rd.mu);
		pthread_mutex_unlock(&rd.mu);
		/* add it, in order, while the threads read on */
		rc = add_range(s, g, o, n_in, d);
		pthread_mutex_lock(&rd.mu);
		g->state = R_FREE;
		next_add++;
	}
	rd.stop = 1;
	pthread_cond_broadcast(&rd.work);
	pthread_mutex_unlock(&rd.mu);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	free(th);
	for (size_t i = 0; i < rd.nslot; i++)
		store_block_free(rd.slot[i].b);
	free(rd.slot);
	pthread_mutex_destroy(&rd.mu);
	pthread_cond_destroy(&rd.work);
	pthread_cond_destroy(&rd.done);
	if (rc == 1)
		return read_ranges(s, in, o, at, size, range, n_in, d);
	return rc;
}
