/*
 * conn.c: the client's connection (see conn.h).
 *
 * A client that stops reading must not hold the process, whatever front
 * end started it: on a socket each write gives up after --timeout
 * (SO_SNDTIMEO, no extra system call per write); on a pipe or a terminal
 * (socat, sslserver, stunnel's pty) each piece of at most PIPE_BUF bytes
 * is written only once poll(2) says it fits, within the same deadline.
 * Reads wait in ppoll(2), the one place where the stop signals are let
 * in (and a --delay's pause, for the same reason), so a stop never cuts
 * a write or an fsync in half.  The transcript tap (--transcript) sees
 * every byte read and every byte written, here and nowhere else.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/io.h"
#include "session/conn.h"
#include "session/transcript.h"

void
conn_init(struct conn *c, const struct peer *p, unsigned timeout,
    const sigset_t *wait_mask)
{
	struct timeval tv = { (time_t)timeout, 0 };
	struct stat st;

	c->in = p->in;
	c->out = p->out;
	c->tap = NULL;
	c->off = c->len = 0;
	c->timeout = timeout;
	c->socket = fstat(c->out, &st) == 0 && S_ISSOCK(st.st_mode);
	if (c->socket)
		setsockopt(c->out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->wait_mask = *wait_mask;
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

/* Reads into buf[c->len, CONN_BUF_SIZE), waiting until deadline: as
 * conn_fill. */
static int
read_more(struct conn *c, long long deadline)
{
	struct pollfd pfd = { c->in, POLLIN, 0 };

	for (;;) {
		long long wait = deadline - clock_ms();
		struct timespec ts = { wait > 0 ? wait / 1000 : 0,
			wait > 0 ? wait % 1000 * 1000000 : 0 };
		int r = wait > 0 ? ppoll(&pfd, 1, &ts, &c->wait_mask) : 0;
		if (r < 0)
			return -1; /* EINTR: a stop signal came */
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t n = read(c->in, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		if (c->tap)
			transcript_client(c->tap, c->buf + c->len, (size_t)n);
		c->len += (size_t)n;
		return 1;
	}
}

int
conn_fill(struct conn *c, long long deadline)
{
	if (c->len > c->off)
		return 1;
	c->off = c->len = 0;
	return read_more(c, deadline);
}

/* The header is read with reads as large as any other: what comes after
 * it in the same read stays in buf for the session, never lost and never
 * read twice. */
int
conn_proxy(struct conn *c, long long deadline, struct proxy_info *info)
{
	for (;;) {
		enum proxy_result r = proxy_parse((const unsigned char *)c->buf +
		    c->off, c->len - c->off, info);
		int got;

		if (r == PROXY_OK) {
			conn_consume(c, info->len);
			return 0;
		}
		if (r == PROXY_BAD)
			return -1;
		if (c->len == sizeof(c->buf)) { /* cannot be: headers are short */
			info->why = "header too long";
			return -1;
		}
		got = read_more(c, deadline);
		if (got <= 0) {
			info->why = got == 0 ? "connection closed before the header" :
			    errno == ETIMEDOUT ? "no header in time" :
			    "read failed before the header";
			return -1;
		}
	}
}

/* A pipe or a terminal: pieces that poll(2) says fit, by the deadline. */
static int
write_by_deadline(struct conn *c, const char *p, size_t n)
{
	long long deadline = clock_ms() + (long long)c->timeout * 1000;
	struct pollfd pfd = { c->out, POLLOUT, 0 };

	while (n > 0) {
		long long wait = deadline - clock_ms();
		int r = wait > 0 ? poll(&pfd, 1, (int)wait) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		ssize_t w = write(c->out, p, n < PIPE_BUF ? n : PIPE_BUF);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return -1;
		p += w, n -= (size_t)w;
	}
	return 0;
}

int
conn_write(struct conn *c, const char *p, size_t n)
{
	if (c->tap)
		transcript_server(c->tap, p, n);
	return c->socket ? io_write_all(c->out, p, n) :
	    write_by_deadline(c, p, n);
}

int
conn_pause(struct conn *c, unsigned ms)
{
	long long end = clock_ms() + ms;

	for (;;) {
		long long wait = end - clock_ms();
		struct timespec ts = { wait > 0 ? wait / 1000 : 0,
			wait > 0 ? wait % 1000 * 1000000 : 0 };
		if (wait <= 0)
			return 0;
		/* no descriptor: only a stop signal ends it early */
		if (ppoll(NULL, 0, &ts, &c->wait_mask) < 0 && errno == EINTR)
			return -1;
	}
}
