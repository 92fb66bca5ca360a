/*
 * serve-drive - drive a program that answers row by row (--line-buffered)
 * through a pipe, one request at a time, as a server would, and report the
 * round-trip time of each row.
 *
 *     serve-drive [-n ROWS] [-w WARMUP] REQUESTS.csv PROGRAM [ARG]...
 *
 * Starts PROGRAM with pipes on its stdin and stdout, writes the header line
 * of REQUESTS.csv and reads the answer's header line, then WARMUP + ROWS
 * times writes the next data line of REQUESTS.csv (cycling) and waits for
 * one answer line; the clock runs from just before the write to the end
 * of the answer.  Prints one line:
 *
 *     rows N p50_us X p99_us X p999_us X max_us X rows_per_s X
 *
 * Answer lines must not hold quoted newlines (one line per answer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("serve-drive: write");
			exit(1);
		}
		s += n;
		len -= (size_t)n;
	}
}

/* Read up to and including one '\n'; what follows it stays in buf. */
static char buf[1 << 16];
static size_t buf_len;

static void
read_line(int fd)
{
	for (;;) {
		char *nl = memchr(buf, '\n', buf_len);
		ssize_t n;
		if (nl != NULL) {
			size_t used = (size_t)(nl - buf) + 1;
			memmove(buf, buf + used, buf_len - used);
			buf_len -= used;
			return;
		}
		if (buf_len == sizeof buf) {
			fprintf(stderr, "serve-drive: answer line too long\n");
			exit(1);
		}
		n = read(fd, buf + buf_len, sizeof buf - buf_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "serve-drive: the program closed its output\n");
			exit(1);
		}
		buf_len += (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	long rows = 20000, warmup = 1000, i;
	int opt, to_child[2], from_child[2], status;
	char *text, **line;
	size_t nline = 0, cap = 0, *len;
	FILE *fp;
	pid_t pid;
	double *t, total0, total;
	ssize_t got;
	char *l = NULL;
	size_t lcap = 0;

	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		switch (opt) {
		case 'n': rows = atol(optarg); break;
		case 'w': warmup = atol(optarg); break;
		default:
			fprintf(stderr, "usage: serve-drive [-n ROWS] [-w WARMUP] REQUESTS.csv PROGRAM [ARG]...\n");
			return 2;
		}
	}
	if (argc - optind < 2 || rows < 1) {
		fprintf(stderr, "usage: serve-drive [-n ROWS] [-w WARMUP] REQUESTS.csv PROGRAM [ARG]...\n");
		return 2;
	}
	if ((fp = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		return 1;
	}
	line = NULL;
	len = NULL;
	while ((got = getline(&l, &lcap, fp)) > 0) {
		if (nline == cap) {
			cap = cap ? 2 * cap : 1024;
			line = realloc(line, cap * sizeof *line);
			len = realloc(len, cap * sizeof *len);
			if (line == NULL || len == NULL)
				return 1;
		}
		if (l[got - 1] != '\n')
			continue;   /* a last line without its newline is not a request */
		line[nline] = text = malloc((size_t)got);
		if (text == NULL)
			return 1;
		memcpy(text, l, (size_t)got);
		len[nline++] = (size_t)got;
	}
	fclose(fp);
	free(l);
	if (nline < 2) {
		fprintf(stderr, "serve-drive: %s: a header and at least one row are needed\n", argv[optind]);
		return 1;
	}
	if (pipe(to_child) < 0 || pipe(from_child) < 0) {
		perror("serve-drive: pipe");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((pid = fork()) < 0) {
		perror("serve-drive: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[0]);
		close(to_child[1]);
		close(from_child[0]);
		close(from_child[1]);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind + 1], argv + optind + 1);
		perror(argv[optind + 1]);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	t = malloc((size_t)rows * sizeof *t);
	if (t == NULL)
		return 1;
	write_all(to_child[1], line[0], len[0]);
	read_line(from_child[0]);
	total0 = 0;
	for (i = 0; i < warmup + rows; i++) {
		size_t k = 1 + (size_t)i % (nline - 1);
		double t0;
		if (i == warmup)
			total0 = now_us();
		t0 = now_us();
		write_all(to_child[1], line[k], len[k]);
		read_line(from_child[0]);
		if (i >= warmup)
			t[i - warmup] = now_us() - t0;
	}
	total = now_us() - total0;
	close(to_child[1]);
	while (read(from_child[0], buf, sizeof buf) > 0)
		;
	waitpid(pid, &status, 0);
	qsort(t, (size_t)rows, sizeof *t, cmp_double);
	printf("rows %ld p50_us %.1f p99_us %.1f p999_us %.1f max_us %.1f rows_per_s %.0f\n",
	    rows, t[(size_t)(0.5 * (double)(rows - 1))], t[(size_t)(0.99 * (double)(rows - 1))],
	    t[(size_t)(0.999 * (double)(rows - 1))], t[rows - 1], (double)rows / (total / 1e6));
	for (i = 0; i < (long)nline; i++)
		free(line[i]);
	free(line);
	free(len);
	free(t);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "serve-drive: %s ended with status %d\n", argv[optind + 1],
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return 1;
	}
	return 0;
}
