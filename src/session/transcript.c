/*
 * transcript.c: --transcript (see transcript.h).
 *
 * Every byte read from the client and written to it passes here once,
 * from conn.c, and is written to the file before the session goes on:
 * a session killed at any point leaves every record up to that point
 * (less, at most, the first 31 bytes of a command line whose start does
 * not yet say whether it is AUTH).  Nothing here is allocated; a write
 * that fails turns the transcript off, once, with a log line.
 *
 * Invariants: the shown bytes and the \{...} notes of what was hidden
 * give back the client's and the server's bytes exactly, hidden runs
 * apart (a backslash is always escaped, so "\{" is never data); a
 * credential of AUTH is never written; a message shows at most
 * TRANSCRIPT_MESSAGE_MAX bytes and a command line TRANSCRIPT_LINE_MAX.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/fmt.h"
#include "lib/io.h"
#include "lib/utf8.h"
#include "session/log.h"
#include "session/transcript.h"

enum { CLIENT, SERVER };

/* ---- output --------------------------------------------------------------- */

static void
flush_out(struct transcript *t)
{
	if (t->fd >= 0 && t->len > 0 &&
	    io_write_all(t->fd, t->buf, t->len) < 0) {
		log_error("transcript: %s; no more is written", strerror(errno));
		close(t->fd);
		t->fd = -1;
	}
	t->len = 0;
}

static void
put(struct transcript *t, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = sizeof(t->buf) - t->len, k = n < room ? n : room;
		memcpy(t->buf + t->len, p, k);
		t->len += k, p += k, n -= k;
		if (t->len == sizeof(t->buf))
			flush_out(t);
	}
}

static void
put_str(struct transcript *t, const char *s)
{
	put(t, s, strlen(s));
}

/* 2025-01-05T12:34:56.123456Z: UTC needs no zone file, so it works
 * under confinement. */
static void
put_time(struct transcript *t, const struct timespec *ts)
{
	char b[48];
	struct tm tm;
	size_t n;
	long us = ts->tv_nsec / 1000;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(b, sizeof(b) - 9, "%Y-%m-%dT%H:%M:%S", &tm);
	b[n++] = '.';
	for (long d = 100000; d > 0; d /= 10)
		b[n++] = (char)('0' + us / d % 10);
	b[n++] = 'Z';
	put(t, b, n);
}

static void
put_count(struct transcript *t, const char *what, uint64_t n)
{
	char num[24];

	put_str(t, "\\{");
	put_str(t, what);
	put_str(t, ": ");
	put(t, num, fmt_dec(num, n));
	put_str(t, n == 1 ? " byte}" : " bytes}");
}

/* Bytes shown exactly and reversibly (see transcript.h). */
static void
put_shown(struct transcript *t, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)p, *end = s + n;

	while (s < end) {
		const unsigned char *r = s;
		char e[4] = { '\\', 'x', 0, 0 };
		uint32_t cp;
		size_t u;

		while (r < end && *r >= 0x20 && *r < 0x7f && *r != '\\')
			r++;
		if (r > s) {
			put(t, (const char *)s, (size_t)(r - s));
			s = r;
			continue;
		}
		switch (*s) {
		case '\r':
			put(t, "\\r", 2);
			break;
		case '\n':
			put(t, "\\n", 2);
			break;
		case '\t':
			put(t, "\\t", 2);
			break;
		case '\0':
			put(t, "\\0", 2);
			break;
		case '\\':
			put(t, "\\\\", 2);
			break;
		default:
			u = *s >= 0x80 ? utf8_decode(s, end, &cp) : 0;
			if (u > 1 && !utf8_is_control(cp)) {
				put(t, (const char *)s, u);
				s += u;
				continue;
			}
			e[2] = hex[*s >> 4];
			e[3] = hex[*s & 15];
			put(t, e, 4);
			break;
		}
		s++;
	}
}

/* ---- records ---------------------------------------------------------------- */

/* Starts the record of this call's direction, unless it is started:
 * "C:" for a new line, "C+" for the rest of a cut one. */
static void
open_record(struct transcript *t)
{
	struct tap_line *l = &t->line[t->dir];

	if (t->open)
		return;
	put_time(t, t->ts);
	if (t->dir == CLIENT)
		put(t, l->mid ? " C+ " : " C: ", 4);
	else
		put(t, l->mid ? " S+ " : " S: ", 4);
	l->mid = true;
	t->open = true;
}

static void
close_record(struct transcript *t)
{
	if (t->open)
		put(t, "\n", 1);
	t->open = false;
}

static void
show(struct transcript *t, const char *p, size_t n)
{
	if (n == 0)
		return;
	open_record(t);
	put_shown(t, p, n);
	t->line[t->dir].len += n;
}

static void
note(struct transcript *t, const char *text)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	close_record(t);
	put_time(t, &now);
	put_str(t, " # ");
	put_str(t, text);
	put(t, "\n", 1);
}

/* ---- lines ------------------------------------------------------------------ */

/* From here to the line end, bytes are counted, not shown. */
static void
hide_from_here(struct tap_line *l, bool masked)
{
	l->hiding = true;
	l->masked = masked;
}

static void
hide(struct tap_line *l, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (l->cr) /* the CR was not the line's last byte */
		l->hidden++;
	l->cr = p[n - 1] == '\r';
	l->hidden += n - l->cr;
	l->len += n;
}

static void
show_pre(struct transcript *t, struct tap_line *l)
{
	show(t, l->pre, l->pre_len);
	l->pre_len = 0;
}

/*
 * The start of a client's command line, held until it is known whether
 * it is "AUTH mechanism initial-response" (RFC 4954 4): then the
 * response is masked.  Returns the bytes of p taken.
 */
static size_t
decide(struct transcript *t, struct tap_line *l, const char *p, size_t n)
{
	static const char auth[] = "AUTH ";
	size_t used = 0;

	if (t->mode != TAP_COMMANDS) {
		l->decided = true;
		if (t->mode == TAP_SECRET)
			hide_from_here(l, true);
		return 0;
	}
	while (used < n && !l->decided) {
		char c = p[used++];
		size_t i = l->pre_len;

		l->pre[l->pre_len++] = c;
		if (i < 5) {
			if ((c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c) != auth[i])
				l->decided = true; /* not AUTH */
		} else if (c == '\r') {
			l->decided = true; /* "AUTH LOGIN": nothing to mask */
		} else if (c == ' ' || l->pre_len == sizeof(l->pre)) {
			l->decided = true;
			show_pre(t, l);
			hide_from_here(l, true);
		}
	}
	if (l->decided && !l->hiding)
		show_pre(t, l);
	return used;
}

/* Bytes of one line, without its LF. */
static void
line_bytes(struct transcript *t, const char *p, size_t n)
{
	struct tap_line *l = &t->line[t->dir];
	bool client = t->dir == CLIENT;

	while (n > 0) {
		size_t k = n;

		if (client && !l->decided) {
			k = decide(t, l, p, n);
		} else if (l->hiding) {
			hide(l, p, n);
		} else if (client && t->mode != TAP_MESSAGE &&
		    l->len + n > TRANSCRIPT_LINE_MAX) {
			k = l->len < TRANSCRIPT_LINE_MAX ?
			    TRANSCRIPT_LINE_MAX - l->len : 0;
			show(t, p, k);
			hide_from_here(l, false);
		} else {
			show(t, p, n);
		}
		p += k, n -= k;
	}
}

/* What a line held back or hid, written before its end. */
static void
line_flush(struct transcript *t, struct tap_line *l)
{
	if (l->pre_len > 0)
		show_pre(t, l);
	if (l->hiding && (l->hidden > 0 || l->cr)) {
		open_record(t);
		put_count(t, l->masked ? "masked" : "left out", l->hidden);
		if (l->cr)
			put(t, "\\r", 2);
		l->hidden = 0;
		l->cr = false;
	}
}

static void
line_end(struct transcript *t)
{
	struct tap_line *l = &t->line[t->dir];

	line_flush(t, l);
	open_record(t);
	put(t, "\\n", 2);
	close_record(t);
	memset(l, 0, sizeof(*l));
}

/* Bytes of one direction, cut into records at each LF. */
static void
tap(struct transcript *t, int dir, const char *p, size_t n,
    const struct timespec *ts)
{
	t->dir = dir;
	t->ts = ts;
	t->open = false;
	while (n > 0) {
		const char *lf = memchr(p, '\n', n);
		size_t k = lf ? (size_t)(lf - p) : n;

		line_bytes(t, p, k);
		if (lf == NULL)
			break;
		line_end(t);
		p += k + 1, n -= k + 1;
	}
	close_record(t);
}

/* ---- the session ---------------------------------------------------------- */

int
transcript_open(struct transcript *t, const char *dir, const char *id,
    const char *peer)
{
	char path[4096];
	int n;

	memset(t, 0, offsetof(struct transcript, buf));
	t->fd = -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, id);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	t->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (t->fd < 0)
		return -1;
	note(t, "smtp-session transcript");
	put_str(t, "# session ");
	put_str(t, id);
	put_str(t, ", client ");
	put_shown(t, peer, strlen(peer));
	put_str(t, "\n# C: client to server, S: server to client, C+ and S+ "
		   "go on with a line a read or a write cut\n");
	flush_out(t);
	return t->fd < 0 ? -1 : 0;
}

/* The message ended, or the session did: how much of it was left out. */
static void
message_done(struct transcript *t)
{
	struct timespec now;

	if (t->left_out > 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		t->dir = CLIENT;
		t->ts = &now;
		t->open = false;
		open_record(t);
		put_count(t, "left out", t->left_out);
		close_record(t);
	}
	t->shown = t->left_out = 0;
	t->cut = false;
	memset(&t->line[CLIENT], 0, sizeof(t->line[CLIENT]));
}

void
transcript_mode(struct transcript *t, enum tap_mode mode, unsigned message)
{
	if (t->fd < 0)
		return;
	if (message != t->message_no) {
		if (t->left_out > 0)
			message_done(t);
		t->shown = t->left_out = 0;
		t->cut = false;
		t->message_no = message;
	}
	t->mode = mode;
}

void
transcript_client(struct transcript *t, const char *p, size_t n)
{
	if (t->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &t->read_time);
	if (t->mode != TAP_MESSAGE) {
		tap(t, CLIENT, p, n, &t->read_time);
		flush_out(t);
		return;
	}
	/* where the message ends in it, the session will tell (commands
	 * after it are shown as commands, an AUTH line's secret masked) */
	t->holding = true;
	t->chunk = p;
	t->chunk_len = n;
	t->chunk_used = 0;
}

/* Bytes of the message: its first TRANSCRIPT_MESSAGE_MAX shown, the rest
 * counted. */
static void
message_bytes(struct transcript *t, const char *p, size_t n)
{
	size_t room = t->shown < TRANSCRIPT_MESSAGE_MAX ?
	    TRANSCRIPT_MESSAGE_MAX - (size_t)t->shown : 0;
	size_t k = n < room ? n : room;

	tap(t, CLIENT, p, k, &t->read_time);
	t->shown += k;
	if (k < n && !t->cut) {
		note(t, "the message is longer than 65536 bytes: the rest of "
			"it is left out");
		t->cut = true;
	}
	t->left_out += n - k;
}

void
transcript_fed(struct transcript *t, size_t used, bool in_message)
{
	size_t from = t->chunk_used;

	if (t->fd < 0 || !t->holding)
		return;
	/* the session stops at the end of each message (split_messages),
	 * so what it used is the message's */
	if (used > t->chunk_len - from)
		used = t->chunk_len - from;
	t->chunk_used += used;
	message_bytes(t, t->chunk + from, used);
	if (in_message) {
		t->holding = t->chunk_used < t->chunk_len;
		flush_out(t);
		return;
	}
	t->holding = false;
	message_done(t);
	t->mode = TAP_COMMANDS;
	tap(t, CLIENT, t->chunk + t->chunk_used, t->chunk_len - t->chunk_used,
	    &t->read_time);
	flush_out(t);
}

void
transcript_server(struct transcript *t, const char *p, size_t n)
{
	struct timespec now;

	if (t->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	tap(t, SERVER, p, n, &now);
	flush_out(t);
}

void
transcript_note(struct transcript *t, const char *text)
{
	if (t->fd < 0)
		return;
	note(t, text);
	flush_out(t);
}

void
transcript_close(struct transcript *t)
{
	struct timespec now;

	if (t->fd < 0)
		return;
	if (t->holding) { /* read, never used: the session ended first */
		message_bytes(t, t->chunk + t->chunk_used,
		    t->chunk_len - t->chunk_used);
		t->holding = false;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (int d = CLIENT; d <= SERVER; d++) {
		t->dir = d;
		t->ts = &now;
		t->open = false;
		line_flush(t, &t->line[d]);
		close_record(t);
	}
	if (t->left_out > 0)
		message_done(t);
	note(t, "end of session");
	flush_out(t);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
