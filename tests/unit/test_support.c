/*
 * test_support.c - diagnostics, option lists, row accounting with a
 * rejects file, and atomic files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acct.h"
#include "atomic.h"
#include "check.h"
#include "diag.h"
#include "opts.h"

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static void
test_diag(void)
{
	struct diag d;
	char buf[1024], small[16];
	size_t n;

	diag_set(&d, "orders.csv", 42, "price", "12,5O", 5, "not a number");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "orders.csv:42: column \"price\": not a number: \"12,5O\"", "full message shape");
	CHECK(diag_set(&d, NULL, 0, NULL, NULL, 0, "formula: unexpected %s", "\")\"") == -1, "diag_set returns -1");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "formula: unexpected \")\"", "reason only");
	diag_set(&d, "stdin", 0, "a\"b", "x\ny\t\x01", 5, "bad");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "stdin: column \"a\\\"b\": bad: \"x\\ny\\t\\x01\"", "escapes keep one line");
	{
		char longv[400];
		memset(longv, 'v', sizeof longv);
		diag_set(&d, NULL, 0, NULL, longv, sizeof longv, "long");
		CHECK(strlen(d.value) == DIAG_VALUE_MAX - 1, "long value cut");
		CHECK(strcmp(d.value + DIAG_VALUE_MAX - 4, "...") == 0, "cut value ends with ...");
	}
	diag_errno(&d, "model.json", 2, "cannot open");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "model.json: cannot open: No such file or directory", "errno message");
	diag_set(&d, "orders.csv", 42, "price", "12,5O", 5, "not a number");
	n = diag_format(&d, small, sizeof small);
	CHECK(n == strlen("orders.csv:42: column \"price\": not a number: \"12,5O\""), "format returns full length");
	CHECK(strlen(small) == sizeof small - 1, "format truncates safely");
}

static void
test_opts(void)
{
	struct opts_list l = { 0 };
	struct diag d;
	char *name, *value, buf[256];

	CHECK(opts_list_add(&l, "price,segment", &d) == 0, "list add");
	CHECK(opts_list_add(&l, "a\\,b", &d) == 0, "escaped comma");
	CHECK(l.n == 3, "three items");
	CHECK_STR(l.v[0], "price", "item 0");
	CHECK_STR(l.v[1], "segment", "item 1");
	CHECK_STR(l.v[2], "a,b", "item with comma");
	CHECK(opts_list_add(&l, "x,,y", &d) == -1, "empty item refused");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "empty name in list: \"x,,y\"", "empty item message");
	opts_list_free(&l);
	CHECK(l.n == 0 && l.v == NULL, "free empties");

	CHECK(opts_pair("price=1=2", &name, &value, &d) == 0, "pair");
	CHECK_STR(name, "price", "pair name");
	CHECK_STR(value, "1=2", "pair value keeps later =");
	free(name);
	free(value);
	CHECK(opts_pair("price=", &name, &value, &d) == 0 && value[0] == '\0', "empty value allowed");
	free(name);
	free(value);
	CHECK(opts_pair("=3", &name, &value, &d) == -1, "empty name refused");
	CHECK(opts_pair("price", &name, &value, &d) == -1, "no = refused");
	diag_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "expected NAME=VALUE: \"price\"", "pair message");
}

static void
test_acct(void)
{
	char dir[] = "/tmp/test_acct.XXXXXX", path[300], buf[1024], *text;
	struct atomic_file *af;
	struct acct a;
	struct diag d, why;
	char *hf[] = { "id", "price" }, *r1[] = { "7", "12,5O" }, *r2[] = { "8" };
	size_t hl[] = { 2, 5 }, l1[] = { 1, 5 }, l2[] = { 1 };
	struct csvio_row header = { 2, hf, hl, 1, NULL }, row1 = { 2, r1, l1, 3, NULL }, row2 = { 1, r2, l2, 5, NULL };

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof path, "%s/rejects.csv", dir);
	acct_init(&a);
	af = atomic_open(path, &d);
	CHECK(af != NULL && acct_open_rejects(&a, atomic_fp(af), path, &header, &d) == 0, "open rejects");
	a.n_in = 10;
	a.n_out = 7;
	diag_set(&why, NULL, 0, "price", "12,5O", 5, "not a number");
	acct_reject(&a, &row1, &why);
	diag_set(&why, NULL, 0, "price", "x", 1, "not a number");
	acct_reject(&a, &row1, &why);
	diag_set(&why, NULL, 0, NULL, NULL, 0, "too few fields (expected 2)");
	acct_reject(&a, &row2, &why);
	acct_summary(&a, buf, sizeof buf);
	CHECK_STR(buf, "10 rows in, 7 out, 3 rejected (2 column \"price\": not a number; 1 too few fields (expected 2))",
	    "summary by reason");
	CHECK(access(path, F_OK) != 0, "rejects file not there before commit");
	CHECK(acct_finish(&a, 1, &d) == 0, "finish");
	CHECK(access(path, F_OK) != 0, "acct_finish does not rename");
	CHECK(atomic_commit(af, &d) == 0, "commit");
	text = slurp(path);
	CHECK_STR(text, "_line,_reason,id,price\n"
	    "3,\"column \"\"price\"\": not a number: \"\"12,5O\"\"\",7,\"12,5O\"\n"
	    "3,\"column \"\"price\"\": not a number: \"\"x\"\"\",7,\"12,5O\"\n"
	    "5,too few fields (expected 2),8\n", "rejects file");
	free(text);
	unlink(path);
	rmdir(dir);
}

static void
test_atomic(void)
{
	char dir[] = "/tmp/test_atomic.XXXXXX", path[300], *text;
	struct atomic_file *af;
	struct diag d;
	struct stat st;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof path, "%s/model.json", dir);
	fp = fopen(path, "w");
	fputs("old\n", fp);
	fclose(fp);

	af = atomic_open(path, &d);
	CHECK(af != NULL, "atomic open");
	fputs("new\n", atomic_fp(af));
	text = slurp(path);
	CHECK_STR(text, "old\n", "old file intact while writing");
	free(text);
	atomic_abort(af);
	text = slurp(path);
	CHECK_STR(text, "old\n", "abort keeps the old file");
	free(text);

	af = atomic_open(path, &d);
	fputs("new\n", atomic_fp(af));
	CHECK(atomic_commit(af, &d) == 0, "commit");
	text = slurp(path);
	CHECK_STR(text, "new\n", "commit replaces");
	free(text);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0044) != 0, "mode as a plain fopen (not 0600)");

	af = atomic_open("/nonexistent-dir/x.json", &d);
	CHECK(af == NULL, "cannot create in a missing directory");
	{
		char buf[512];
		diag_format(&d, buf, sizeof buf);
		CHECK_STR(buf, "/nonexistent-dir/x.json: cannot create: No such file or directory", "create error message");
	}
	unlink(path);
	rmdir(dir);
}

/* The files in dir other than keep (a temporary left behind shows here). */
static int
count_others(const char *dir, const char *keep)
{
	char cmd[600];
	FILE *p;
	int n = 0, c;

	snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -v -x '%s'", dir, keep);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((c = getc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

static void
test_atomic_targets(void)
{
	char dir[] = "/tmp/test_atomic2.XXXXXX", path[600], link[600], fifo[600], *text;
	char longname[NAME_MAX + 1];
	unsigned long long dev, ino, dev2, ino2;
	struct atomic_file *af;
	struct diag d;
	struct stat st;
	FILE *fp;
	pid_t pid;

	if (mkdtemp(dir) == NULL)
		return;
	/* a device is written through, never replaced */
	af = atomic_open("/dev/null", &d);
	CHECK(af != NULL && atomic_temp(af) == NULL, "/dev/null written through");
	fputs("x\n", atomic_fp(af));
	CHECK(atomic_commit(af, &d) == 0, "/dev/null commit");
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null stays a device");

	/* a FIFO: written through to its reader */
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
	pid = fork();
	if (pid == 0) {
		char buf[64] = "";
		FILE *in = fopen(fifo, "r");
		size_t n = in ? fread(buf, 1, sizeof buf - 1, in) : 0;
		_exit(n == 6 && memcmp(buf, "hello\n", 6) == 0 ? 0 : 1);
	}
	af = atomic_open(fifo, &d);
	CHECK(af != NULL && atomic_temp(af) == NULL, "FIFO written through");
	fputs("hello\n", atomic_fp(af));
	CHECK(atomic_commit(af, &d) == 0, "FIFO commit");
	{
		int status;
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "FIFO reader got the bytes");
	}
	CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "FIFO stays a FIFO");
	unlink(fifo);

	/* a replaced file keeps its mode; close without rename keeps the old one */
	snprintf(path, sizeof path, "%s/model.json", dir);
	fp = fopen(path, "w");
	fputs("old\n", fp);
	fclose(fp);
	chmod(path, 0600);
	af = atomic_open(path, &d);
	fputs("new\n", atomic_fp(af));
	CHECK(atomic_close(af, &d) == 0, "close");
	text = slurp(path);
	CHECK_STR(text, "old\n", "closed, not renamed: the old file");
	free(text);
	CHECK(count_others(dir, "model.json") == 1, "the closed temporary is there");
	atomic_abort(af);
	CHECK(count_others(dir, "model.json") == 0, "abort after close removes the temporary");
	af = atomic_open(path, &d);
	fputs("new\n", atomic_fp(af));
	CHECK(atomic_close(af, &d) == 0 && atomic_rename(af, &d) == 0, "close, rename");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600 kept");

	/* a link is followed: the file it names is replaced, the link kept */
	snprintf(link, sizeof link, "%s/current.json", dir);
	CHECK(symlink("model.json", link) == 0, "symlink");
	af = atomic_open(link, &d);
	fputs("newer\n", atomic_fp(af));
	CHECK(atomic_commit(af, &d) == 0, "commit through a link");
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link stays a link");
	text = slurp(path);
	CHECK_STR(text, "newer\n", "the linked file replaced");
	free(text);
	CHECK(atomic_target_id(link, &dev, &ino) == 1 && atomic_target_id(path, &dev2, &ino2) == 1 &&
	    dev == dev2 && ino == ino2, "a link and its file are one target");
	CHECK(atomic_target_id("/dev/null", &dev, &ino) == 0, "a device is no file target");
	unlink(link);
	unlink(path);

	/* a name of NAME_MAX bytes works (the temporary's name is cut to fit) */
	memset(longname, 'a', NAME_MAX);
	longname[NAME_MAX] = '\0';
	snprintf(path, sizeof path, "%s/%s", dir, longname);
	af = atomic_open(path, &d);
	CHECK(af != NULL, "a NAME_MAX name opens");
	if (af != NULL) {
		const char *t = strrchr(atomic_temp(af), '/') + 1;
		CHECK(strlen(t) <= NAME_MAX, "the temporary's name fits NAME_MAX");
		fputs("x\n", atomic_fp(af));
		CHECK(atomic_commit(af, &d) == 0, "a NAME_MAX name commits");
	}
	CHECK(access(path, F_OK) == 0, "the NAME_MAX file is there");
	unlink(path);

	/* a directory is refused, not written into */
	af = atomic_open(dir, &d);
	CHECK(af == NULL, "a directory is refused");
	{
		char buf[700], want[700];
		diag_format(&d, buf, sizeof buf);
		snprintf(want, sizeof want, "%s: cannot write: is a directory", dir);
		CHECK_STR(buf, want, "directory message");
	}
	rmdir(dir);
}

int
main(void)
{
	test_diag();
	test_opts();
	test_acct();
	test_atomic();
	test_atomic_targets();
	return check_done();
}
