/*
 * serve.c: read a large block, feed the core, write its replies in one
 * piece, and only then wait for input again (RFC 2920: a pipelined batch
 * is answered with as few writes as possible).
 *
 * Time limits: a command line must arrive whole within --timeout of the
 * moment the server waits for it, so a client that trickles a byte at a
 * time is cut off (Postfix's smtpd_per_record_deadline); the message after
 * 354 must arrive within DATA_TIME_FACTOR times --timeout in all; no
 * single wait for input is longer than --timeout; and the whole session
 * ends after --max-session-time, for superservers that have no
 * RuntimeMaxSec.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "session/log.h"
#include "session/serve.h"
#include "session/tls.h"
#include "session/transcript.h"

#define DATA_TIME_FACTOR 10 /* the whole DATA phase, in --timeout units */

static volatile sig_atomic_t stop_signal;

static void
note_stop(int sig)
{
	stop_signal = sig;
}

void
serve_stop_signals(sigset_t *set, sigset_t *wait_mask)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_stop;
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++) {
		struct sigaction old;
		/* one ignored by whoever started us stays ignored */
		if (sigaction(signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaddset(set, signals[i]);
		sigaction(signals[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, set, wait_mask);
}

/* When the input the session waits for is due. */
struct deadlines {
	long long line, data;
	unsigned data_of; /* the message the DATA deadline belongs to */
	long long hung;   /* a fault hung the session: --timeout from then */
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
	case WAIT_HUNG:
		if (dl->hung == 0)
			dl->hung = now + limit;
		return dl->hung;
	case WAIT_COMMAND:
		break;
	}
	return dl->line = now + limit;
}

/* --delay: writes the replies before the one that waits, and waits;
 * *paused receives how long.  A stop signal ends the wait: the session
 * is shut down (421) after the reply that waited. */
static bool
delay(struct session *s, struct conn *c, long long *paused)
{
	size_t at, len;
	const char *out = session_output(s, &len);
	unsigned ms = session_delay(s, &at);
	long long start;
	int r;

	if (at > 0 && conn_write(c, out, at) < 0)
		return false;
	session_output_done(s, at);
	if (c->tap) {
		char text[64];
		snprintf(text, sizeof(text), "waiting %u.%03u s (--delay)",
		    ms / 1000, ms % 1000);
		transcript_note(c->tap, text);
	}
	start = clock_ms();
	r = conn_pause(c, ms);
	*paused = clock_ms() - start;
	session_delay_done(s);
	if (r < 0 && stop_signal)
		session_shutdown(s);
	return true;
}

/* Writes all pending replies; false when the client is gone or does not
 * read them in time.  *paused receives the time a --delay waited. */
static bool
flush(struct session *s, struct conn *c, long long *paused)
{
	size_t len, at;
	const char *out;

	*paused = 0;
	if (session_delay(s, &at) && !delay(s, c, paused))
		return false;
	out = session_output(s, &len);
	if (len == 0)
		return true;
	if (conn_write(c, out, len) < 0)
		return false;
	session_output_done(s, len);
	return true;
}

/* A TLS connection that broke after the handshake: OpenSSL's reason
 * goes to the log before the session ends as a lost connection. */
static void
tls_report_failure(const struct session *s)
{
	const char *why = tls_failure();

	if (why)
		log_tls_failed(s->cfg->session_id, s->cfg->client_addr, why);
}

/* Waits for input: 1, or 0 when the session was ended instead. */
static int
wait_input(struct session *s, struct conn *c, struct deadlines *dl,
    const struct serve_limits *lim, long long end)
{
	long long due = next_deadline(dl, s, lim->timeout);
	int r = conn_fill(c, end && end < due ? end : due);

	if (r > 0)
		return 1;
	if (r < 0 && errno == EINTR && stop_signal)
		session_shutdown(s);
	else if (r < 0 && errno == ETIMEDOUT && end && clock_ms() >= end)
		session_expired(s);
	else if (r < 0 && errno == ETIMEDOUT)
		session_timeout(s);
	else if (!(r < 0 && errno == EINTR)) {
		tls_report_failure(s);
		session_eof(s); /* a message in progress is aborted */
	}
	return 0;
}

/* STARTTLS was answered 220 (and flushed): whatever the client sent
 * after the command came in clear and is thrown away, never read as
 * commands (CVE-2011-0411); then the handshake, within --timeout. */
static void
starttls(struct session *s, struct conn *c, const struct serve_limits *lim)
{
	const char *id = s->cfg->session_id, *peer = s->cfg->client_addr;
	size_t dropped = conn_discard(c);
	char why[320], desc[128];

	if (dropped)
		log_starttls_dropped(id, peer, dropped);
	if (c->tap) {
		snprintf(why, sizeof(why), "TLS handshake; %zu octets sent "
		    "after STARTTLS thrown away", dropped);
		transcript_note(c->tap, why);
	}
	if (conn_tls(c, clock_ms() + (long long)lim->timeout * 1000, why,
	    sizeof(why)) < 0) {
		log_tls_failed(id, peer, why);
		session_tls_failed(s, "TLS handshake failed");
		return;
	}
	tls_describe(desc, sizeof(desc));
	log_tls(id, peer, desc);
	session_tls_started(s, desc);
}

/* What the transcript is to make of the next bytes: the lines of an
 * AUTH exchange are masked whole. */
static enum tap_mode
tap_mode(const struct session *s)
{
	if (session_wait(s) == WAIT_MESSAGE)
		return TAP_MESSAGE;
	return session_secret(s) ? TAP_SECRET : TAP_COMMANDS;
}

int
serve(struct session *s, struct conn *c, const struct serve_limits *lim)
{
	struct deadlines dl = { 0, 0, 0, 0 };
	long long end = lim->max_session_time ? clock_ms() +
	    (long long)lim->max_session_time * 1000 : 0, paused;
	const char *in;
	size_t n, used;

	for (;;) {
		if (!flush(s, c, &paused)) {
			tls_report_failure(s);
			session_eof(s); /* a message in progress is aborted */
		}
		if (paused) { /* a --delay counts against no time limit */
			end += end ? paused : 0;
			dl.line += dl.line ? paused : 0;
			dl.data += dl.data ? paused : 0;
		}
		if (session_closed(s))
			return stop_signal;
		if (session_has_more(s)) {
			session_resume(s);
			continue;
		}
		if (session_tls_pending(s)) { /* the 220 is out */
			starttls(s, c, lim);
			continue;
		}
		if (c->tap)
			transcript_mode(c->tap, tap_mode(s), session_messages(s));
		if (!wait_input(s, c, &dl, lim, end))
			continue;
		in = conn_input(c, &n);
		used = session_feed(s, in, n);
		conn_consume(c, used);
		if (c->tap)
			transcript_fed(c->tap, used,
			    session_wait(s) == WAIT_MESSAGE);
	}
}
