/*
 * test_source.c - an input read twice gives the same rows twice, whether it
 * is a regular file (rewound to where it started) or a pipe (spooled to a
 * temporary file); the failures say where.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvio.h"
#include "source.h"

static const char text[] = "a,b\n1,x\n2,\"y,z\"\n3,w\n";

/* The rows of one pass joined as "f|f;f|f;", into buf. */
static int
pass(struct source *s, char *buf, size_t size)
{
	struct diag d;
	struct csvio_reader *r = source_reader(s, ',', &d);
	struct csvio_row row;
	size_t n = 0, i;

	if (r == NULL)
		return -1;
	buf[0] = '\0';
	while (csvio_next(r, &row, &d) > 0)
		for (i = 0; i < row.n; i++)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", row.f[i], i + 1 < row.n ? "|" : ";");
	csvio_close(r);
	return 0;
}

static void
test_regular_file(void)
{
	char path[] = "/tmp/test_source.XXXXXX", one[256], two[256];
	int fd = mkstemp(path);
	struct source *s;
	struct diag d;

	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror("write");
	close(fd);
	s = source_open(path, &d);
	CHECK(s != NULL, "regular file opens");
	CHECK(pass(s, one, sizeof one) == 0 && pass(s, two, sizeof two) == 0, "two passes");
	CHECK_STR(one, "1|x;2|y,z;3|w;", "first pass over the file");
	CHECK_STR(two, one, "second pass equals the first");
	CHECK_STR(source_name(s), path, "name is the path");
	source_close(s);
	unlink(path);
}

static void
test_pipe(void)
{
	char name[64], one[256], two[256];
	int p[2];
	struct source *s;
	struct diag d;

	if (pipe(p) < 0 || write(p[1], text, strlen(text)) != (ssize_t)strlen(text))
		perror("pipe");
	close(p[1]);
	snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
	s = source_open(name, &d);
	close(p[0]);
	CHECK(s != NULL, "pipe opens");
	CHECK(pass(s, one, sizeof one) == 0 && pass(s, two, sizeof two) == 0, "two passes over a pipe");
	CHECK_STR(one, "1|x;2|y,z;3|w;", "first pass over the pipe");
	CHECK_STR(two, one, "second pass over the pipe equals the first");
	source_close(s);
}

static void
test_missing(void)
{
	struct diag d;
	char msg[512];

	CHECK(source_open("no-such-file.csv", &d) == NULL, "missing file fails");
	diag_format(&d, msg, sizeof msg);
	CHECK_STR(msg, "no-such-file.csv: cannot open: No such file or directory", "missing file message");
}

int
main(void)
{
	test_regular_file();
	test_pipe();
	test_missing();
	return check_done();
}
