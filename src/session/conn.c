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
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/io.h"
#include "session/conn.h"
#include "session/tls.h"
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

/* Waits until fd is ready for events or deadline passes, the stop
 * signals let in: 1, or -1 with errno ETIMEDOUT or EINTR. */
static int
wait_fd(struct conn *c, int fd, short events, long long deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	long long wait = deadline - clock_ms();
	struct timespec ts = { wait > 0 ? wait / 1000 : 0,
		wait > 0 ? wait % 1000 * 1000000 : 0 };
	int r = wait > 0 ? ppoll(&pfd, 1, &ts, &c->wait_mask) : 0;

	if (r > 0)
		return 1;
	if (r == 0)
		errno = ETIMEDOUT;
	return -1;
}

/* A TLS call that wants the socket: waits for what it wants. */
static int
wait_tls(struct conn *c, long r, long long deadline)
{
	return r == TLS_WANT_WRITE ? wait_fd(c, c->out, POLLOUT, deadline) :
	    wait_fd(c, c->in, POLLIN, deadline);
}

/* As read_more, over TLS: OpenSSL may hold decrypted octets that poll(2)
 * cannot see, so it is asked first and the socket waited for after. */
static int
read_tls(struct conn *c, long long deadline)
{
	for (;;) {
		long r = tls_read(c->buf + c->len, sizeof(c->buf) - c->len);
		if (r > 0) {
			if (c->tap)
				transcript_client(c->tap, c->buf + c->len,
				    (size_t)r);
			c->len += (size_t)r;
			return 1;
		}
		if (r == 0 || r == -1)
			return (int)r;
		if (wait_tls(c, r, deadline) < 0)
			return -1;
	}
}

/* Reads at most max octets into buf[c->len, CONN_BUF_SIZE), waiting
 * until deadline: as conn_fill. */
static int
read_upto(struct conn *c, long long deadline, size_t max)
{
	struct pollfd pfd = { c->in, POLLIN, 0 };

	if (tls_active())
		return read_tls(c, deadline);
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
		ssize_t n = read(c->in, c->buf + c->len, max);
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

static int
read_more(struct conn *c, long long deadline)
{
	return read_upto(c, deadline, sizeof(c->buf) - c->len);
}

/* How much more of a PROXY header there can be, read for read, without
 * passing its end: version 2 says its length in its 16-octet head;
 * version 1 is read an octet at a time (107 at most). */
static size_t
proxy_rest(const struct conn *c)
{
	static const unsigned char v2[12] = "\r\n\r\n\0\r\nQUIT\n";
	const unsigned char *b = (const unsigned char *)c->buf;
	size_t have = c->len - c->off;

	if (have < 16 || memcmp(b + c->off, v2, sizeof(v2)) != 0)
		return 1;
	size_t total = 16 + ((size_t)b[c->off + 14] << 8 | b[c->off + 15]);
	return total > have ? total - have : 1;
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
conn_proxy(struct conn *c, long long deadline, struct proxy_info *info,
    bool exact)
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
		got = exact ? read_upto(c, deadline, proxy_rest(c)) :
		    read_more(c, deadline);
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

/* Over TLS the descriptors are non-blocking: each piece waits for the
 * socket within the same deadline as a write in clear. */
static int
write_tls(struct conn *c, const char *p, size_t n)
{
	long long deadline = clock_ms() + (long long)c->timeout * 1000;

	while (n > 0) {
		long w = tls_write(p, n);
		if (w > 0) {
			p += w, n -= (size_t)w;
			continue;
		}
		if (w == -1 || w == 0 || wait_tls(c, w, deadline) < 0)
			return -1;
	}
	return 0;
}

int
conn_write(struct conn *c, const char *p, size_t n)
{
	if (c->tap)
		transcript_server(c->tap, p, n);
	if (tls_active())
		return write_tls(c, p, n);
	return c->socket ? io_write_all(c->out, p, n) :
	    write_by_deadline(c, p, n);
}

size_t
conn_discard(struct conn *c)
{
	size_t n = c->len - c->off;

	c->off = c->len = 0;
	return n;
}

int
conn_tls(struct conn *c, long long deadline, char *why, size_t n)
{
	int r;

	if (tls_begin(c->in, c->out, why, n) < 0)
		return -1;
	while ((r = tls_handshake(why, n)) != 1) {
		if (r == -1)
			return -1;
		if (wait_tls(c, r, deadline) < 0) {
			snprintf(why, n, "TLS handshake: %s", errno == ETIMEDOUT ?
			    "no handshake in time" : "interrupted");
			return -1;
		}
	}
	return 0;
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
