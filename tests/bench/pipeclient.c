/*
 * pipeclient: the pipelining load generator of `make bench`.
 *
 * pipeclient [-n MSGS] [-s SIZE] [-r RCPTS] [-w WINDOW] HOST PORT
 *	One connection; EHLO; then MSGS whole transactions (MAIL, RCPT...,
 *	DATA, the message and ".") each sent in one write, at most WINDOW
 *	transactions awaiting their replies (default 1: one write per message,
 *	then its replies, one round trip a message).  Every reply is checked
 *	(250 MAIL, 250 RCPT, 354 DATA, 250 after the dot); then QUIT.
 *	The message body has SIZE octets in lines of 76 characters.
 *	Prints "msgs=N secs=S rate=R MiBps=B": time from the first MAIL to the
 *	last reply, connection set-up and EHLO excluded.
 *
 * pipeclient -c -s SIZE HOST PORT
 *	Plain loopback copy: connect, write SIZE octets, shut down the write
 *	side, wait for the peer to close (timed from connect).
 *
 * Exit 0 on success, 1 on any unexpected reply or I/O error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1";
static int port;

static void
die(const char *msg)
{
	fprintf(stderr, "pipeclient: %s%s%s\n", msg, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("bad address");
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Reply reader: collects complete replies (last line "DDD "). */
static char rbuf[65536];
static size_t rlen;

/* Returns the code of the next complete reply in rbuf, or 0 if none yet. */
static int
next_reply(void)
{
	size_t off = 0;

	for (;;) {
		char *nl = memchr(rbuf + off, '\n', rlen - off);
		size_t ll;

		if (nl == NULL)
			return 0;
		ll = (size_t)(nl - (rbuf + off)) + 1;
		if (ll >= 4 && rbuf[off + 3] == ' ') {
			int code = atoi(rbuf + off);
			off += ll;
			memmove(rbuf, rbuf + off, rlen - off);
			rlen -= off;
			return code;
		}
		if (ll < 4 || rbuf[off + 3] != '-') {
			fprintf(stderr, "pipeclient: bad reply line: %.*s\n",
			    (int)ll, rbuf + off);
			exit(1);
		}
		off += ll;
	}
}

static int
fill(int fd)
{
	ssize_t n;

	if (rlen == sizeof(rbuf))
		die("reply too long");
	n = read(fd, rbuf + rlen, sizeof(rbuf) - rlen);
	if (n == 0) {
		errno = 0;
		die("server closed the connection");
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		die("read");
	}
	rlen += (size_t)n;
	return 1;
}

/* Blocking wait for one reply. */
static int
wait_reply(int fd)
{
	int code;

	while ((code = next_reply()) == 0) {
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, -1);
		fill(fd);
	}
	return code;
}

static void
put(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { fd, POLLOUT, 0 };
			poll(&p, 1, -1);
			continue;
		}
		if (n < 0)
			die("write");
		s += n;
		len -= (size_t)n;
	}
}

static void
expect(int got, int want, const char *what)
{
	if (got != want) {
		errno = 0;
		fprintf(stderr, "pipeclient: %s: got %d, expected %d\n",
		    what, got, want);
		exit(1);
	}
}

/* Appends SIZE (at least 2) body octets in lines of at most 78 octets. */
static char *
body(char *p, size_t size)
{
	while (size > 0) {
		size_t line = size < 78 ? size : 78;

		if (size - line == 1)
			line--;	/* leave 2, an empty line, never 1 */
		for (size_t i = 0; i + 2 < line; i++)
			*p++ = (char)('A' + i % 26);
		*p++ = '\r';
		*p++ = '\n';
		size -= line;
	}
	return p;
}

int
main(int argc, char **argv)
{
	long msgs = 1, rcpts = 1, window = 1;
	size_t size = 1024, txlen, off = 0;
	long sent = 0, done = 0, per, got = 0;
	int copy = 0, c, fd;
	char *tx, *p;
	double t0, t1;

	while ((c = getopt(argc, argv, "cn:s:r:w:")) != -1) {
		switch (c) {
		case 'c': copy = 1; break;
		case 'n': msgs = atol(optarg); break;
		case 's': size = strtoull(optarg, NULL, 10); break;
		case 'r': rcpts = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		default:
			fprintf(stderr, "usage: pipeclient [-c] [-n msgs] [-s size]"
			    " [-r rcpts] [-w window] host port\n");
			return 64;
		}
	}
	if (argc - optind != 2 || msgs < 1 || rcpts < 1 || window < 1)
		return 64;
	if (size < 2)
		size = 2;
	host = argv[optind];
	port = atoi(argv[optind + 1]);

	if (copy) {
		static char sink[65536];
		char *blk = malloc(1 << 20);
		size_t left = size;

		if (blk == NULL)
			die("malloc");
		memset(blk, 'x', 1 << 20);
		t0 = now();
		fd = dial();
		while (left > 0) {
			size_t n = left < (1 << 20) ? left : (1 << 20);
			put(fd, blk, n);
			left -= n;
		}
		shutdown(fd, SHUT_WR);
		while (read(fd, sink, sizeof(sink)) > 0)
			;
		t1 = now();
		printf("msgs=1 secs=%.6f rate=%.3f MiBps=%.1f\n", t1 - t0,
		    1 / (t1 - t0), size / 1048576.0 / (t1 - t0));
		return 0;
	}

	/* One transaction, reused for every message. */
	tx = malloc(size + 4096 + (size_t)rcpts * 64);
	if (tx == NULL)
		die("malloc");
	p = tx;
	p += sprintf(p, "MAIL FROM:<bench@example.test>\r\n");
	for (long i = 0; i < rcpts; i++)
		p += sprintf(p, "RCPT TO:<rcpt%ld@example.test>\r\n", i);
	p += sprintf(p, "DATA\r\n");
	p += sprintf(p, "From: <bench@example.test>\r\n"
	    "To: <rcpt0@example.test>\r\n"
	    "Subject: bench\r\n"
	    "Message-ID: <bench@example.test>\r\n\r\n");
	p = body(p, size);
	p += sprintf(p, ".\r\n");
	txlen = (size_t)(p - tx);
	per = rcpts + 3;

	fd = dial();
	expect(wait_reply(fd), 220, "greeting");
	put(fd, "EHLO bench.example.test\r\n", 25);
	expect(wait_reply(fd), 250, "EHLO");
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

	t0 = now();
	while (done < msgs) {
		struct pollfd pf = { fd, POLLIN, 0 };
		int code;

		if (sent < msgs && sent - done < window)
			pf.events |= POLLOUT;
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			die("poll");
		if (pf.revents & POLLOUT) {
			ssize_t n = write(fd, tx + off, txlen - off);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				die("write");
			if (n > 0 && (off += (size_t)n) == txlen) {
				off = 0;
				sent++;
			}
		}
		if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
			fill(fd);
			while ((code = next_reply()) != 0) {
				long k = got % per;
				if (k == 0 || k <= rcpts)
					expect(code, 250, k ? "RCPT" : "MAIL");
				else if (k == rcpts + 1)
					expect(code, 354, "DATA");
				else
					expect(code, 250, "end of data");
				got++;
				done = got / per;
			}
		}
	}
	t1 = now();
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	put(fd, "QUIT\r\n", 6);
	expect(wait_reply(fd), 221, "QUIT");
	close(fd);
	printf("msgs=%ld secs=%.6f rate=%.1f MiBps=%.1f\n", msgs, t1 - t0,
	    msgs / (t1 - t0), (double)txlen * msgs / 1048576.0 / (t1 - t0));
	return 0;
}
