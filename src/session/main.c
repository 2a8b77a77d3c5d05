/*
 * main.c: the edge of smtp-session.  Options, the connection, the clock,
 * and the loop: read a large block, feed the core, write the replies in
 * one piece, and only then wait for input again (RFC 2920: a pipelined
 * batch is answered with as few writes as possible).
 *
 * Time limits: a command line must arrive whole within --timeout of the
 * moment the server waits for it, so a client that trickles a byte at a
 * time is cut off (Postfix's smtpd_per_record_deadline); the message after
 * 354 must arrive within DATA_TIME_FACTOR times --timeout in all; and no
 * single wait for input is longer than --timeout.
 *
 * Exit status (sysexits): 0 for every ending the client caused (QUIT,
 * EOF, timeout, too many errors); 64 usage; 70 internal error.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "session/deliver.h"
#include "lib/io.h"
#include "session/log.h"
#include "session/options.h"
#include "session/peer.h"
#include "core/session.h"

#define READ_SIZE 65536
#define DATA_TIME_FACTOR 10 /* the whole DATA phase, in --timeout units */

struct edge {
	struct session *s;
	const struct peer *peer;
	unsigned timeout;
	bool verbose;
};

/* --verbose: one log line per reply line. */
static void
log_replies(const struct edge *e)
{
	const char *p = e->s->out.data, *end = p + e->s->out.len;

	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		char line[REPLY_MAX];
		size_t n = (size_t)((eol ? eol : end) - p);

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		log_fields(LOG_DEBUG, (struct log_field[]){
		    { "session", e->s->env.session_id }, { "event", "reply" },
		    { "line", line } }, 3);
		p += n + 2;
	}
}

/* Writes all pending replies; false when the client is gone or does not
 * read them within --timeout (the socket's SO_SNDTIMEO, set in main). */
static bool
flush_replies(const struct edge *e)
{
	struct session *s = e->s;
	size_t len = s->out.len;

	if (len == 0)
		return true;
	if (e->verbose)
		log_replies(e);
	s->out.len = 0;
	return io_write_all(e->peer->out, s->out.data, len) == 0;
}

/* Feeds one block, flushing whenever the core asks for room. */
static bool
feed_block(const struct edge *e, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n && !session_closed(e->s)) {
		off += session_feed(e->s, buf + off, n - off);
		if (reply_full(&e->s->out) && !flush_replies(e))
			return false;
	}
	return true;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Part of a command line has arrived, but not its end. */
static bool
mid_line(const struct session *s)
{
	return s->state != ST_DATA && (s->line_len > 0 || s->line_too_long);
}

/* When the input the session waits for is due (see the top of the file). */
struct deadlines {
	long long line, data;
	unsigned data_of; /* the transaction the DATA deadline belongs to */
};

static long long
next_deadline(struct deadlines *dl, const struct session *s, unsigned timeout)
{
	long long now = now_ms(), limit = (long long)timeout * 1000;

	if (s->state == ST_DATA) {
		if (dl->data_of != s->transactions) {
			dl->data_of = s->transactions;
			dl->data = now + DATA_TIME_FACTOR * limit;
		}
		dl->line = 0;
		return dl->data < now + limit ? dl->data : now + limit;
	}
	if (dl->line == 0 || !mid_line(s))
		dl->line = now + limit;
	return dl->line;
}

static void
run(const struct edge *e)
{
	static char buf[READ_SIZE];
	struct pollfd pfd = { e->peer->in, POLLIN, 0 };
	struct session *s = e->s;
	struct deadlines dl = { 0, 0, 0 };

	for (;;) {
		if (!flush_replies(e)) {
			session_eof(s); /* a message in progress is aborted */
			return;
		}
		if (session_closed(s))
			return;
		long long wait = next_deadline(&dl, s, e->timeout) - now_ms();
		int r = wait > 0 ? poll(&pfd, 1, (int)wait) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			session_timeout(s);
			continue;
		}
		ssize_t n = read(e->peer->in, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0 || !feed_block(e, buf, (size_t)n)) {
			session_eof(s);
			return;
		}
	}
}

/* A client that stops reading must not hold the process: a write to the
 * socket gives up after --timeout.  (A terminal or a pipe is a person or
 * a script of our own; they stay blocking.) */
static void
limit_writes(const struct peer *p, unsigned timeout)
{
	struct timeval tv = { (time_t)timeout, 0 };

	if (!p->local)
		setsockopt(p->out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
make_session_id(char *id, size_t n)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(id, n, "%08llX%05lX%lX", (unsigned long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid());
}

int
main(int argc, char **argv)
{
	static struct options opt;
	static struct deliver d;
	static struct session s;
	struct session_config cfg;
	struct peer peer;
	char host[256], id[40];

	switch (options_parse(&opt, argc, argv)) {
	case OPTIONS_EXIT:
		return EX_OK;
	case OPTIONS_USAGE:
		return EX_USAGE;
	case OPTIONS_RUN:
		break;
	}
	/* a vanished client shows up as EPIPE; a file over RLIMIT_FSIZE as
	 * EFBIG and a 451, never as a killed session */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	peer_discover(&peer);
	log_init(peer.in);
	if (opt.hostname == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		opt.hostname = host;
	}
	make_session_id(id, sizeof(id));
	deliver_init(&d, &opt, log_target() == LOG_TO_SYSLOG ? -1 : 2);
	cfg = (struct session_config){
		.hostname = opt.hostname,
		.session_id = id,
		.client_addr = peer.addr,
		.max_size = opt.max_size,
		.max_recipients = opt.max_recipients,
		.max_errors = opt.max_errors,
		.local = peer.local,
		.bare_lf = opt.bare_lf,
		.ops = &deliver_ops,
		.ctx = &d,
	};
	log_fields(LOG_INFO, (struct log_field[]){ { "session", id },
	    { "event", "connect" }, { "peer", peer.addr } }, 3);
	if (session_init(&s, &cfg) < 0) {
		log_error("out of memory");
		return EX_SOFTWARE;
	}
	if (d.maildir && d.md.open_errno)
		log_error("maildir %s: %s", opt.maildir,
		    strerror(d.md.open_errno));
	limit_writes(&peer, opt.timeout);
	run(&(struct edge){ &s, &peer, opt.timeout, opt.verbose });
	session_free(&s);
	return EX_OK;
}
