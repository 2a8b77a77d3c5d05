/*
 * serve.c: read a large block, feed the core, write its replies in one
 * piece, and only then wait for input again (RFC 2920: a pipelined batch
 * is answered with as few writes as possible).
 *
 * Time limits: a command line must arrive whole within --timeout of the
 * moment the server waits for it, so a client that trickles a byte at a
 * time is cut off (Postfix's smtpd_per_record_deadline); the message after
 * 354 must arrive within DATA_TIME_FACTOR times --timeout in all; and no
 * single wait for input is longer than --timeout.
 */
#include <errno.h>

#include "lib/clock.h"
#include "session/serve.h"

#define DATA_TIME_FACTOR 10 /* the whole DATA phase, in --timeout units */

/* When the input the session waits for is due. */
struct deadlines {
	long long line, data;
	unsigned data_of; /* the message the DATA deadline belongs to */
};

static long long
next_deadline(struct deadlines *dl, const struct session *s, unsigned timeout)
{
	long long now = clock_ms(), limit = (long long)timeout * 1000;

	switch (session_wait(s)) {
	case WAIT_MESSAGE:
		if (dl->data_of != session_messages(s)) {
			dl->data_of = session_messages(s);
			dl->data = now + DATA_TIME_FACTOR * limit;
		}
		dl->line = 0;
		return dl->data < now + limit ? dl->data : now + limit;
	case WAIT_MID_LINE:
		if (dl->line == 0)
			dl->line = now + limit;
		return dl->line;
	case WAIT_COMMAND:
		break;
	}
	return dl->line = now + limit;
}

/* Writes all pending replies; false when the client is gone or does not
 * read them in time. */
static bool
flush(struct session *s, struct conn *c)
{
	size_t len;
	const char *out = session_output(s, &len);

	if (len == 0)
		return true;
	if (conn_write(c, out, len) < 0)
		return false;
	session_output_done(s, len);
	return true;
}

void
serve(struct session *s, struct conn *c, unsigned timeout)
{
	struct deadlines dl = { 0, 0, 0 };
	const char *in;
	size_t n;

	for (;;) {
		if (!flush(s, c)) {
			session_eof(s); /* a message in progress is aborted */
			return;
		}
		if (session_closed(s))
			return;
		if (session_has_more(s)) {
			session_resume(s);
			continue;
		}
		int r = conn_fill(c, next_deadline(&dl, s, timeout));
		if (r < 0 && errno == ETIMEDOUT) {
			session_timeout(s);
			continue;
		}
		if (r <= 0) {
			session_eof(s);
			return;
		}
		in = conn_input(c, &n);
		conn_consume(c, session_feed(s, in, n));
	}
}
