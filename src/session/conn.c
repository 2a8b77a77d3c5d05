/*
 * conn.c: the client's connection (see conn.h).
 *
 * A client that stops reading must not hold the process: on a socket each
 * write gives up after --timeout (SO_SNDTIMEO, no extra system call per
 * write).  A terminal or a pipe is a person or a script of our own; their
 * writes stay blocking.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/io.h"
#include "session/conn.h"

void
conn_init(struct conn *c, const struct peer *p, unsigned timeout)
{
	struct timeval tv = { (time_t)timeout, 0 };
	struct stat st;

	c->in = p->in;
	c->out = p->out;
	c->off = c->len = 0;
	c->socket = fstat(c->out, &st) == 0 && S_ISSOCK(st.st_mode);
	if (c->socket)
		setsockopt(c->out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

const char *
conn_input(const struct conn *c, size_t *len)
{
	*len = c->len - c->off;
	return c->buf + c->off;
}

void
conn_consume(struct conn *c, size_t n)
{
	c->off += n < c->len - c->off ? n : c->len - c->off;
	if (c->off == c->len)
		c->off = c->len = 0;
}

int
conn_fill(struct conn *c, long long deadline)
{
	struct pollfd pfd = { c->in, POLLIN, 0 };

	if (c->len > c->off)
		return 1;
	for (;;) {
		long long wait = deadline - clock_ms();
		int r = wait > 0 ? poll(&pfd, 1, wait > 86400000 ? 86400000 :
		    (int)wait) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t n = read(c->in, c->buf, sizeof(c->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		c->off = 0;
		c->len = (size_t)n;
		return 1;
	}
}

int
conn_write(struct conn *c, const char *p, size_t n)
{
	return io_write_all(c->out, p, n);
}
