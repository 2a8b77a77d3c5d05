/*
 * session.c: the SMTP state machine of RFC 5321, with PIPELINING (RFC
 * 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and
 * enhanced status codes (RFC 2034, RFC 3463).
 *
 * Invariants: every reply goes through say() or refuse(); a command line
 * is never longer than SESSION_LINE_MAX in memory (the excess is counted
 * and dropped); the message itself is never held, the DATA machine passes
 * it straight to the delivery callbacks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/command.h"
#include "core/session.h"

/* ---- replies -------------------------------------------------------- */

static void
say(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vline(&s->out, fmt, ap);
	va_end(ap);
}

static void
event(struct session *s, enum session_event ev, const char *text)
{
	if (s->cfg->ops->event)
		s->cfg->ops->event(s->cfg->ctx, ev, &s->env, text);
}

static void
close_session(struct session *s, const char *why)
{
	if (s->in_delivery) {
		s->cfg->ops->abort(s->cfg->ctx, &s->env);
		s->in_delivery = false;
	}
	event(s, SE_CLOSE, why);
	s->state = ST_CLOSED;
}

static void
count_error(struct session *s)
{
	if (s->cfg->max_errors && ++s->errors >= s->cfg->max_errors) {
		say(s, "421 4.7.0 %s Error: too many errors",
		    s->cfg->hostname);
		close_session(s, "too many errors");
	}
}

/* A command the client got wrong: it counts toward --max-errors. */
static void
refuse(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
refuse(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vline(&s->out, fmt, ap);
	va_end(ap);
	count_error(s);
}

/* NOOP, RSET and VRFY cost nothing, so a client could keep a process
 * forever with one every --timeout; past JUNK_LIMIT of them each counts
 * as an error (Postfix's smtpd_junk_command_limit). */
static void
junk_command(struct session *s)
{
	if (++s->junk > JUNK_LIMIT)
		count_error(s);
}

/* A refused MAIL or RCPT: logged as a refused message, since for the
 * client it is one; counted toward --max-errors when it is a client
 * error rather than a limit. */
static void
refuse_envelope(struct session *s, bool counted, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
refuse_envelope(struct session *s, bool counted, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	event(s, SE_REFUSED, text);
	if (counted)
		refuse(s, "%s", text);
	else
		say(s, "%s", text);
}

/* The one place errno becomes a reply. */
static void
reply_errno(int err, char *text, size_t n)
{
	if (err == ENOSPC || err == EDQUOT)
		snprintf(text, n, "452 4.3.1 Insufficient system storage");
	else
		snprintf(text, n, "451 4.3.0 Temporary failure: %s",
		    strerror(err));
}

/* ---- transaction ------------------------------------------------------ */

static void
reset_transaction(struct session *s)
{
	if (s->in_delivery) {
		s->cfg->ops->abort(s->cfg->ctx, &s->env);
		s->in_delivery = false;
	}
	s->env.nrcpt = 0;
	s->env.sender.addr[0] = '\0';
	memset(&s->env.params, 0, sizeof(s->env.params));
	if (s->state > ST_READY)
		s->state = ST_READY;
}

static bool
starts_with(const char *arg, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - arg) >= n && strncasecmp(arg, prefix, n) == 0;
}

/* ---- commands ------------------------------------------------------- */

static bool
take_helo(struct session *s, const char *arg, const char *end,
    const char *verb)
{
	size_t n = (size_t)(end - arg);

	while (n > 0 && arg[n - 1] == ' ')
		n--;
	if (n == 0) {
		refuse(s, "501 5.5.4 Syntax: %s hostname", verb);
		return false;
	}
	if (n > SESSION_HELO_MAX) {
		refuse(s, "501 5.5.4 Error: %s name too long", verb);
		return false;
	}
	memcpy(s->helo, arg, n);
	s->helo[n] = '\0';
	reset_transaction(s);
	s->state = ST_READY;
	return true;
}

static void
cmd_helo(struct session *s, const char *arg, const char *end)
{
	if (!take_helo(s, arg, end, "HELO"))
		return;
	s->env.esmtp = false;
	say(s, "250 %s", s->cfg->hostname);
}

static void
cmd_ehlo(struct session *s, const char *arg, const char *end)
{
	if (!take_helo(s, arg, end, "EHLO"))
		return;
	s->env.esmtp = true;
	say(s, "250-%s", s->cfg->hostname);
	say(s, "250-PIPELINING");
	if (s->cfg->max_size)
		say(s, "250-SIZE %llu", (unsigned long long)s->cfg->max_size);
	else
		say(s, "250-SIZE");
	say(s, "250-8BITMIME");
	say(s, "250-SMTPUTF8");
	say(s, "250-ENHANCEDSTATUSCODES");
	say(s, "250 HELP");
}

static bool
need_helo(struct session *s)
{
	if (s->state != ST_START)
		return true;
	refuse(s, "503 5.5.1 Error: send HELO/EHLO first");
	return false;
}

static void
cmd_mail(struct session *s, const char *arg, const char *end)
{
	struct mail_params params;
	enum param_result pr;

	if (!need_helo(s))
		return;
	if (s->state != ST_READY) {
		refuse(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (!starts_with(arg, end, "FROM:")) {
		refuse(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	arg += 5;
	switch (address_parse(&arg, end, ADDR_NULL_OK, &s->env.sender)) {
	case ADDR_OK:
		break;
	case ADDR_TOO_LONG:
		refuse_envelope(s, true, "501 5.1.7 Error: sender address too long");
		return;
	default:
		refuse_envelope(s, true, "501 5.1.7 Error: bad sender address syntax");
		return;
	}
	pr = params_parse_mail(arg, end, &params);
	if (pr == PARAM_UNKNOWN) {
		refuse_envelope(s, true, "555 5.5.4 Error: unsupported MAIL parameter");
		return;
	}
	if (pr != PARAM_OK) {
		refuse_envelope(s, true, "501 5.5.4 Error: bad MAIL parameter syntax");
		return;
	}
	if (s->env.sender.utf8 && !params.smtputf8) {
		refuse_envelope(s, true, "553 5.6.7 Error: non-ASCII sender needs SMTPUTF8");
		return;
	}
	if (s->cfg->max_size && params.size > s->cfg->max_size) {
		refuse_envelope(s, false, "552 5.3.4 Error: message size exceeds fixed limit");
		return;
	}
	s->env.params = params;
	s->state = ST_MAIL;
	say(s, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct session *s, const char *arg, const char *end)
{
	struct path *to;

	if (!need_helo(s))
		return;
	if (s->state != ST_MAIL && s->state != ST_RCPT) {
		refuse(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (!starts_with(arg, end, "TO:")) {
		refuse(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	arg += 3;
	if (s->env.nrcpt >= s->cfg->max_recipients) {
		refuse_envelope(s, false, "452 4.5.3 Error: too many recipients");
		return;
	}
	to = &s->env.rcpt[s->env.nrcpt];
	switch (address_parse(&arg, end, ADDR_POSTMASTER_OK, to)) {
	case ADDR_OK:
		break;
	case ADDR_TOO_LONG:
		refuse_envelope(s, true, "501 5.1.3 Error: recipient address too long");
		return;
	default:
		refuse_envelope(s, true, "501 5.1.3 Error: bad recipient address syntax");
		return;
	}
	if (params_parse_rcpt(arg, end) != PARAM_OK) {
		refuse_envelope(s, true, "555 5.5.4 Error: unsupported RCPT parameter");
		return;
	}
	if (to->utf8 && !s->env.params.smtputf8) {
		refuse_envelope(s, true, "553 5.6.7 Error: non-ASCII recipient needs SMTPUTF8");
		return;
	}
	s->env.nrcpt++;
	s->state = ST_RCPT;
	say(s, "250 2.1.5 Ok");
}

static void
cmd_data(struct session *s, const char *arg, const char *end)
{
	char text[128];
	int r;

	if (!need_helo(s))
		return;
	if (arg != end) {
		refuse(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (s->state == ST_READY) {
		refuse(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->state != ST_RCPT) {
		refuse(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	snprintf(s->env.id, sizeof(s->env.id), "%s.%u", s->cfg->session_id,
	    ++s->transactions);
	r = s->cfg->ops->begin(s->cfg->ctx, &s->env);
	if (r < 0) {
		reply_errno(errno, text, sizeof(text));
		say(s, "%s", text);
		event(s, SE_REJECTED, text);
		return;
	}
	s->in_delivery = true;
	data_begin(&s->data, s->cfg->local, s->cfg->max_size,
	    r == 1 ? NULL : s->cfg->ops->write, s->cfg->ctx);
	s->state = ST_DATA;
	say(s, "354 End data with <CR><LF>.<CR><LF>");
}

static void
cmd_rset(struct session *s, const char *arg, const char *end)
{
	if (arg != end) {
		refuse(s, "501 5.5.4 Syntax: RSET");
		return;
	}
	reset_transaction(s);
	say(s, "250 2.0.0 Ok");
	junk_command(s);
}

static void
cmd_noop(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end; /* RFC 5321 4.1.1.9: a parameter is ignored */
	say(s, "250 2.0.0 Ok");
	junk_command(s);
}

static void
cmd_quit(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	say(s, "221 2.0.0 Bye");
	close_session(s, "quit");
}

static void
cmd_vrfy(struct session *s, const char *arg, const char *end)
{
	if (arg == end) {
		refuse(s, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	say(s, "252 2.0.0 Cannot VRFY user, but will accept message and "
	       "attempt delivery");
	junk_command(s);
}

static void
cmd_expn(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	refuse(s, "502 5.5.1 Error: EXPN is not enabled");
}

static void
cmd_help(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	say(s, "214-2.0.0 smtp-sink receives mail; commands:");
	say(s, "214-2.0.0   HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
	say(s, "214 2.0.0 See smtp-session(8) and RFC 5321");
}

static void
cmd_not_implemented(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	refuse(s, "502 5.5.1 Error: command not implemented");
}

static void
cmd_http(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	say(s, "421 4.7.0 %s Error: this is an SMTP server, not HTTP",
	    s->cfg->hostname);
	close_session(s, "non-SMTP command");
}

static void
cmd_unknown(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	refuse(s, "500 5.5.1 Error: command not recognized");
}

typedef void (*command_fn)(struct session *, const char *, const char *);

static const command_fn handlers[] = {
	[V_UNKNOWN] = cmd_unknown,
	[V_HELO] = cmd_helo,
	[V_EHLO] = cmd_ehlo,
	[V_MAIL] = cmd_mail,
	[V_RCPT] = cmd_rcpt,
	[V_DATA] = cmd_data,
	[V_RSET] = cmd_rset,
	[V_NOOP] = cmd_noop,
	[V_QUIT] = cmd_quit,
	[V_VRFY] = cmd_vrfy,
	[V_EXPN] = cmd_expn,
	[V_HELP] = cmd_help,
	[V_NOT_IMPLEMENTED] = cmd_not_implemented,
	[V_HTTP] = cmd_http,
};

/* ---- lines ---------------------------------------------------------- */

static bool
has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

/* One command line, without its LF. */
static void
process_line(struct session *s, char *line, size_t len)
{
	bool crlf = len > 0 && line[len - 1] == '\r';
	const char *arg;
	enum verb verb;

	if (s->line_too_long) {
		refuse(s, "500 5.5.2 Error: line too long");
		return;
	}
	if (crlf)
		line[--len] = '\0';
	else if (!s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT) {
		refuse(s, "500 5.5.2 Error: bare <LF> received; "
			  "lines end in <CR><LF>");
		return;
	}
	event(s, SE_COMMAND, len ? line : "");
	if (len == 0 || has_control(line, len)) {
		refuse(s, "500 5.5.2 Error: bad syntax");
		return;
	}
	verb = command_lookup(line, len, &arg);
	handlers[verb](s, arg, line + len);
}

/* Collects bytes of the current command line, dropping the excess. */
static void
append_line(struct session *s, const char *p, size_t n)
{
	/* room for the CR and the NUL that SE_COMMAND needs */
	if (s->line_too_long || n > sizeof(s->line) - 1 - s->line_len) {
		s->line_too_long = true;
		return;
	}
	memcpy(s->line + s->line_len, p, n);
	s->line_len += n;
}

/* ---- DATA ----------------------------------------------------------- */

static void
reject_message(struct session *s, const char *text)
{
	say(s, "%s", text);
	event(s, SE_REJECTED, text);
}

static void
data_finish(struct session *s)
{
	const struct data_machine *d = &s->data;
	char text[160], note[256] = "";
	int r;

	if (d->too_big)
		snprintf(text, sizeof(text),
		    "552 5.3.4 Error: message size exceeds fixed limit");
	else if (d->bare && !s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT)
		snprintf(text, sizeof(text), "550 5.6.11 Error: bare <CR> or "
		    "<LF> in message; lines must end in <CR><LF>");
	else if (d->hops > DATA_HOPS_MAX)
		snprintf(text, sizeof(text),
		    "554 5.4.6 Error: too many hops (mail loop)");
	else if (d->write_errno)
		reply_errno(d->write_errno, text, sizeof(text));
	else
		text[0] = '\0';
	s->env.size = d->size;
	s->state = ST_READY;
	if (text[0]) {
		reject_message(s, text);
		reset_transaction(s);
		return;
	}
	s->in_delivery = false;
	r = s->cfg->ops->commit(s->cfg->ctx, &s->env, note, sizeof(note));
	if (r == DELIVER_PERMANENT) {
		snprintf(text, sizeof(text), "554 5.3.0 Error: delivery failed");
	} else if (r == DELIVER_TEMPORARY) {
		snprintf(text, sizeof(text),
		    "451 4.3.0 Error: delivery failed temporarily");
	} else if (r < 0) {
		reply_errno(errno, text, sizeof(text));
	} else {
		event(s, SE_ACCEPTED, note);
		say(s, "250 2.0.0 Ok: queued as %s", s->env.id);
		reset_transaction(s);
		return;
	}
	reject_message(s, text);
	reset_transaction(s);
}

/* ---- the interface ---------------------------------------------------- */

int
session_init(struct session *s, const struct session_config *cfg)
{
	/* the DATA machine (set up at each DATA) and the reply buffer are
	 * large and need no zeroing: their pages are touched only in use */
	memset(s, 0, offsetof(struct session, data));
	s->out.len = 0;
	s->cfg = cfg;
	s->env.rcpt = malloc((cfg->max_recipients ? cfg->max_recipients : 1) *
	    sizeof(*s->env.rcpt));
	if (s->env.rcpt == NULL)
		return -1;
	s->env.session_id = cfg->session_id;
	s->env.client_addr = cfg->client_addr;
	s->env.hostname = cfg->hostname;
	s->env.helo = s->helo;
	s->env.command = s->line;
	s->state = ST_START;
	say(s, "220 %s ESMTP smtp-sink", cfg->hostname);
	return 0;
}

void
session_free(struct session *s)
{
	free(s->env.rcpt);
	s->env.rcpt = NULL;
}

size_t
session_feed(struct session *s, const char *in, size_t len)
{
	const char *p = in, *end = in + len;

	while (p < end && s->state != ST_CLOSED && !reply_full(&s->out)) {
		const char *lf;

		if (s->state == ST_DATA) {
			p += data_feed(&s->data, p, (size_t)(end - p));
			if (data_done(&s->data))
				data_finish(s);
			continue;
		}
		lf = memchr(p, '\n', (size_t)(end - p));
		append_line(s, p, (size_t)((lf ? lf : end) - p));
		if (lf == NULL)
			return len;
		s->line[s->line_len] = '\0';
		process_line(s, s->line, s->line_len);
		s->line_len = 0;
		s->line_too_long = false;
		p = lf + 1;
	}
	return (size_t)(p - in);
}

void
session_timeout(struct session *s)
{
	if (s->state == ST_CLOSED)
		return;
	say(s, "421 4.4.2 %s Error: timeout exceeded", s->cfg->hostname);
	close_session(s, "timeout");
}

void
session_eof(struct session *s)
{
	if (s->state != ST_CLOSED)
		close_session(s, s->state == ST_DATA ? "lost connection in DATA"
						     : "lost connection");
}
