/*
 * reply.c: the one way out for a reply, and the policy that comes with it
 * (Postfix's smtpd_chat_reply).
 *
 * Invariants: every line in the buffer is "ddd", a space or a hyphen, the
 * text, and CRLF, and holds no other control character, whatever the
 * arguments held; a line is never longer than REPLY_LINE_MAX; a reply's
 * policy runs once, after its last line.
 */
#include <stdarg.h>
#include <string.h>

#include "core/internal.h"

/* Appends src to line[*len] without passing cap - 1. */
static void
append(char *line, size_t *len, size_t cap, const char *src, size_t n)
{
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(line + *len, src, n);
	*len += n;
}

/* "ddd-e.e.e text" or "ddd e.e.e text" into line; returns its length.
 * Each %s of the text takes the next argument; the catalogue has no
 * other conversion (test_reply.c checks), so no printf is needed on a
 * path that every reply takes. */
static size_t
format_line(const struct session *s, const struct reply_def *r, char sep,
    char *line, size_t cap, va_list ap)
{
	bool enhanced = r->enhanced &&
	    (s->cfg->extensions & EXT_ENHANCEDSTATUSCODES);
	const char *f = r->text, *pct;
	size_t len = 4;

	line[0] = (char)('0' + r->code / 100);
	line[1] = (char)('0' + r->code / 10 % 10);
	line[2] = (char)('0' + r->code % 10);
	line[3] = sep;
	if (enhanced) {
		append(line, &len, cap, r->enhanced, strlen(r->enhanced));
		append(line, &len, cap, " ", 1);
	}
	while ((pct = strstr(f, "%s")) != NULL) {
		const char *arg = va_arg(ap, const char *);
		append(line, &len, cap, f, (size_t)(pct - f));
		append(line, &len, cap, arg, strlen(arg));
		f = pct + 2;
	}
	append(line, &len, cap, f, strlen(f));
	for (size_t i = 4; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len] = '\0';
	return len;
}

/* Appends one line and its CRLF; tells the event callback about it. */
static void
put_line(struct session *s, const struct reply_def *r, char sep, va_list ap,
    char *line)
{
	struct reply_buf *b = &s->out;
	size_t len = format_line(s, r, sep, line, REPLY_LINE_MAX - 2, ap);

	if (sizeof(b->data) - b->len < len + 2) {
		b->overflow = true; /* a bug: see REPLY_ROOM; fuzzers look */
		return;
	}
	memcpy(b->data + b->len, line, len);
	memcpy(b->data + b->len + len, "\r\n", 2);
	b->len += len + 2;
	session_note(s, SE_REPLY, line, NULL, 0);
}

void
reply_count_error(struct session *s)
{
	if (s->state == ST_CLOSED || s->cfg->max_errors == 0)
		return;
	if (++s->errors >= s->cfg->max_errors)
		reply(s, R_TOO_MANY_ERRORS, s->cfg->hostname);
}

/* What a reply means beyond its words (see reply.h).  Every reply
 * passes here: inlined, as it was before faults had a reply of their
 * own. */
__attribute__((always_inline)) static inline void
apply_policy(struct session *s, const struct reply_def *r, const char *line)
{
	if (r->code >= 400 && s->verb && (s->verb->flags & VF_ENVELOPE))
		session_note(s, SE_REFUSED, s->line, line, 0);
	if (s->rejecting)
		session_note(s, SE_REJECTED, NULL, line, s->reply_errno);
	s->rejecting = false;
	s->reply_errno = 0;
	if (r->flags & RF_CLOSE)
		session_close(s, r->why);
	else if (r->flags & RF_OVERSHOOT) {
		if (++s->overshoot > RCPT_OVERSHOOT_LIMIT)
			reply_count_error(s);
	} else if (r->code >= 400 && !(r->flags & RF_NOT_COUNTED) &&
	    !(s->flags & SF_UNCOUNTED))
		reply_count_error(s);
}

void
reply(struct session *s, enum reply_id id, ...)
{
	const struct reply_def *r = &reply_catalogue[id];
	char line[REPLY_LINE_MAX];
	va_list ap;

	if (s->state == ST_CLOSED)
		return; /* nothing follows 221 or 421 */
	if (s->flags & SF_HUNG) { /* a fault: nothing leaves, but a timeout */
		if (r->flags & RF_CLOSE) /* still ends the session */
			session_close(s, r->why);
		return;
	}
	va_start(ap, id);
	put_line(s, r, ' ', ap, line);
	va_end(ap);
	apply_policy(s, r, line);
}

static void
put_injected(struct session *s, const struct reply_def *r, char *line, ...)
{
	va_list ap;

	va_start(ap, line);
	put_line(s, r, ' ', ap, line);
	va_end(ap);
}

void
reply_injected(struct session *s, const struct reply_def *r,
    const char *when)
{
	char line[REPLY_LINE_MAX];

	if (s->state == ST_CLOSED || (s->flags & SF_HUNG))
		return;
	/* a fault's text takes at most the host name */
	put_injected(s, r, line, s->cfg->hostname);
	session_note(s, SE_INJECTED, when, line, 0);
	apply_policy(s, r, line);
}

void
reply_more(struct session *s, enum reply_id id, ...)
{
	char line[REPLY_LINE_MAX];
	va_list ap;

	if (s->state == ST_CLOSED || (s->flags & SF_HUNG))
		return;
	va_start(ap, id);
	put_line(s, &reply_catalogue[id], '-', ap, line);
	va_end(ap);
}

bool
reply_buf_full(const struct reply_buf *b)
{
	return sizeof(b->data) - b->len < REPLY_ROOM;
}

void
reply_buf_consume(struct reply_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}
