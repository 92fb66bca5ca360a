/*
 * fuzz_common.h - helpers shared by the libFuzzer targets of tests/fuzz/:
 * put the fuzzer's bytes into an anonymous in-memory file, so the readers
 * of common/ see a real file descriptor (and a /proc/self/fd path).
 */
#ifndef PR_FUZZ_COMMON_H
#define PR_FUZZ_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* An fd holding data[0..size), positioned at its start; aborts on failure. */
static int
fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* "/proc/self/fd/N" for fd, in buf (at least 32 bytes). */
static const char *
fuzz_fd_path(int fd, char *buf)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

#endif
