/*
 * io.c: write(2) until done, for the Maildir file, the --pipe spool, the
 * client's socket and the log.
 */
#include <errno.h>
#include <unistd.h>

#include "lib/io.h"

int
io_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w, n -= (size_t)w;
	}
	return 0;
}
