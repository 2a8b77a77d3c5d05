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
 *	With -b CHUNK the message goes in BDAT chunks of CHUNK octets (RFC
 *	3030) instead of DATA: every chunk is checked for its 250.
 *
 * pipeclient -k CONNS [-j PAR] [-P 1|2] [-s SIZE] HOST PORT
 *	Session rate: CONNS connections, PAR at a time (processes), each
 *	with one message of SIZE octets: greeting, EHLO, MAIL+RCPT+DATA,
 *	the message, QUIT, each step waiting for its replies.  With -P the
 *	connection starts with a PROXY protocol header of that version, as
 *	HAProxy's send-proxy and send-proxy-v2 write it.  Prints
 *	"msgs=N secs=S rate=R" (connections per second).
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
#include <sys/wait.h>
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
char *
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

/* The header HAProxy writes for a client at 127.0.0.2:40000. */
static size_t
proxy_header(char *p, int version)
{
	static const unsigned char v2[] = { '\r', '\n', '\r', '\n', 0, '\r',
		'\n', 'Q', 'U', 'I', 'T', '\n', 0x21, 0x11, 0, 12, 127, 0, 0, 2,
		127, 0, 0, 1, 0x9c, 0x40, 0, 25 };

	if (version == 2) {
		memcpy(p, v2, sizeof(v2));
		return sizeof(v2);
	}
	return (size_t)sprintf(p, "PROXY TCP4 127.0.0.2 127.0.0.1 40000 25\r\n");
}

/* One session of the -k mode: every step waits for its replies. */
static void
one_session(int proxy, const char *msg, size_t msglen)
{
	char head[64];
	int fd = dial();

	rlen = 0;
	if (proxy)
		put(fd, head, proxy_header(head, proxy));
	expect(wait_reply(fd), 220, "greeting");
	put(fd, "EHLO bench.example.test\r\n", 25);
	expect(wait_reply(fd), 250, "EHLO");
	put(fd, "MAIL FROM:<bench@example.test>\r\nRCPT TO:<r@example.test>\r\n"
	    "DATA\r\n", 67);
	expect(wait_reply(fd), 250, "MAIL");
	expect(wait_reply(fd), 250, "RCPT");
	expect(wait_reply(fd), 354, "DATA");
	put(fd, msg, msglen);
	expect(wait_reply(fd), 250, "end of data");
	put(fd, "QUIT\r\n", 6);
	expect(wait_reply(fd), 221, "QUIT");
	close(fd);
}

char *body(char *p, size_t size);

static int
session_rate(long conns, long par, int proxy, size_t size)
{
	char *msg = malloc(size + 16), *p;
	double t0, t1;
	int status, failed = 0;

	if (msg == NULL)
		die("malloc");
	p = body(msg, size);
	p += sprintf(p, ".\r\n");
	t0 = now();
	for (long j = 0; j < par; j++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			for (long i = j; i < conns; i += par)
				one_session(proxy, msg, (size_t)(p - msg));
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	t1 = now();
	if (failed)
		return 1;
	printf("msgs=%ld secs=%.6f rate=%.1f\n", conns, t1 - t0,
	    conns / (t1 - t0));
	return 0;
}

int
main(int argc, char **argv)
{
	long msgs = 1, rcpts = 1, window = 1;
	size_t size = 1024, txlen, off = 0;
	long sent = 0, done = 0, per, got = 0, conns = 0, par = 1;
	size_t chunk = 0;
	int copy = 0, proxy = 0, c, fd;
	char *tx, *p;
	double t0, t1;

	while ((c = getopt(argc, argv, "b:cj:k:n:P:s:r:w:")) != -1) {
		switch (c) {
		case 'b': chunk = strtoull(optarg, NULL, 10); break;
		case 'c': copy = 1; break;
		case 'j': par = atol(optarg); break;
		case 'k': conns = atol(optarg); break;
		case 'P': proxy = atoi(optarg); break;
		case 'n': msgs = atol(optarg); break;
		case 's': size = strtoull(optarg, NULL, 10); break;
		case 'r': rcpts = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		default:
			fprintf(stderr, "usage: pipeclient [-c] [-n msgs] [-s size]"
			    " [-r rcpts] [-w window] [-b chunk] [-k conns -j par"
			    " -P 1|2] host port\n");
			return 64;
		}
	}
	if (argc - optind != 2 || msgs < 1 || rcpts < 1 || window < 1)
		return 64;
	if (size < 2)
		size = 2;
	host = argv[optind];
	port = atoi(argv[optind + 1]);
	if (conns > 0)
		return session_rate(conns, par < 1 ? 1 : par, proxy, size);

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
	tx = malloc(size + 4096 + (size_t)rcpts * 64 +
	    (chunk ? (size / chunk + 1) * 32 : 0));
	if (tx == NULL)
		die("malloc");
	p = tx;
	p += sprintf(p, "MAIL FROM:<bench@example.test>\r\n");
	for (long i = 0; i < rcpts; i++)
		p += sprintf(p, "RCPT TO:<rcpt%ld@example.test>\r\n", i);
	if (chunk == 0)
		p += sprintf(p, "DATA\r\n");
	char *msg = p;
	p += sprintf(p, "From: <bench@example.test>\r\n"
	    "To: <rcpt0@example.test>\r\n"
	    "Subject: bench\r\n"
	    "Message-ID: <bench@example.test>\r\n\r\n");
	p = body(p, size);
	per = rcpts + 3;
	if (chunk == 0) {
		p += sprintf(p, ".\r\n");
	} else {
		/* the message cut into BDAT chunks, each behind its command */
		size_t mlen = (size_t)(p - msg), n = (mlen + chunk - 1) / chunk;
		char *copy_of = malloc(mlen);
		if (copy_of == NULL)
			die("malloc");
		memcpy(copy_of, msg, mlen);
		p = msg;
		for (size_t off = 0; off < mlen; off += chunk) {
			size_t k = mlen - off < chunk ? mlen - off : chunk;
			p += sprintf(p, "BDAT %zu%s\r\n", k,
			    off + k == mlen ? " LAST" : "");
			memcpy(p, copy_of + off, k);
			p += k;
		}
		free(copy_of);
		per = rcpts + 1 + (long)n;
	}
	txlen = (size_t)(p - tx);

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
				else if (k == rcpts + 1 && chunk == 0)
					expect(code, 354, "DATA");
				else
					expect(code, 250, chunk ? "BDAT" :
					    "end of data");
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
