/*
 * bench-parse - the ceiling for pr-clean's speed: read a CSV file with libcsv
 * and count fields and records, nothing else.  Same parser options and space
 * function as common/csvio.c (CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL,
 * spaces kept) and the same 64 KiB reads.
 * Usage: bench-parse FILE   (prints "RECORDS records, FIELDS fields")
 */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct counts {
	unsigned long long fields, records;
};

static void
on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((struct counts *)data)->fields++;
}

static void
on_record(int c, void *data)
{
	(void)c;
	((struct counts *)data)->records++;
}

static int
keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct csv_parser p;
	struct counts n = { 0, 0 };
	ssize_t got;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: bench-parse FILE\n");
		return 2;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
		return 1;
	csv_set_space_func(&p, keep_spaces);
	while ((got = read(fd, buf, sizeof buf)) > 0) {
		if (csv_parse(&p, buf, (size_t)got, on_field, on_record, &n) != (size_t)got) {
			fprintf(stderr, "bench-parse: %s\n", csv_strerror(csv_error(&p)));
			return 1;
		}
	}
	csv_fini(&p, on_field, on_record, &n);
	csv_free(&p);
	close(fd);
	printf("%llu records, %llu fields\n", n.records, n.fields);
	return got < 0;
}
