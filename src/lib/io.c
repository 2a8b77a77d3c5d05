/*
 * io.c: write(2) until done, for the Maildir file, the --pipe spool, the
 * client's connection and the log.
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

int
io_writev_all(int fd, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		ssize_t w = writev(fd, iov, iovcnt);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (size_t done = (size_t)w; iovcnt > 0; iov++, iovcnt--) {
			if (done < iov->iov_len) {
				iov->iov_base = (char *)iov->iov_base + done;
				iov->iov_len -= done;
				break;
			}
			done -= iov->iov_len;
		}
	}
	return 0;
}
