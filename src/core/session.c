/*
 * session.c: the SMTP state machine of RFC 5321: command lines in, the
 * verb table's checks, the handlers, and the DATA machine after 354.
 *
 * Invariants: no more than SASL_LINE_MAX octets of a line are held in
 * memory (the excess is counted and dropped), and a line that is not
 * AUTH's is refused past SESSION_LINE_MAX; every reply goes through
 * reply() (reply.c); the message itself is never held, the DATA machine
 * and the BDAT framing pass it straight to the delivery; while a BDAT
 * chunk is pending every byte belongs to it, never to a command; nothing
 * is consumed while a long reply waits for room, so replies stay in the
 * order of the commands; a fault on purpose (fault.c) is decided before
 * the handler runs, and a command it answers has done nothing.
 */
#include <string.h>

#include "core/internal.h"

/* ---- what the handlers share ------------------------------------------ */

void
session_note(struct session *s, enum session_event type, const char *text,
    const char *reply_text, int error)
{
	struct session_note n = { type, &s->env, text ? text : "",
		reply_text ? reply_text : "", error };

	if (s->cfg->event)
		s->cfg->event(s->cfg->event_ctx, &n);
}

static void
abort_message(struct session *s)
{
	if (s->in_delivery) {
		s->cfg->delivery->abort(s->cfg->delivery_ctx, &s->env);
		s->in_delivery = false;
	}
}

void
session_close(struct session *s, const char *why)
{
	abort_message(s);
	s->more.item = NULL;
	session_note(s, SE_CLOSE, why, NULL, 0);
	s->state = ST_CLOSED;
}

void
session_reset(struct session *s)
{
	abort_message(s);
	s->env.nrcpt = 0;
	s->env.sender.addr[0] = '\0';
	memset(&s->env.params, 0, sizeof(s->env.params));
	if (s->state > ST_READY && s->state != ST_CLOSED)
		s->state = ST_READY;
}

void
session_more(struct session *s, bool (*item)(struct session *, size_t),
    size_t count)
{
	s->more = (struct reply_more){ item, 0, count };
}

/* Writes what fits of a long reply; true once all of it is written. */
static bool
run_more(struct session *s)
{
	while (s->more.item && s->more.next < s->more.count &&
	    s->state != ST_CLOSED) {
		if (reply_buf_full(&s->out))
			return false;
		s->more.item(s, s->more.next++);
	}
	s->more.item = NULL;
	return true;
}

/* ---- command lines ------------------------------------------------------ */

static bool
has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

/* The 503 for a verb in the wrong state: what must come first, or, when
 * the transaction is past the verb, the verb's own complaint. */
static enum reply_id
out_of_sequence(const struct session *s, const struct verb *v)
{
	static const enum reply_id need[] = {
		[ST_START] = R_NEED_HELO,
		[ST_READY] = R_NEED_MAIL,
		[ST_MAIL] = R_NEED_RCPT,
	};

	if (s->state <= ST_MAIL && (v->states & ~(IN(s->state + 1) - 1)))
		return need[s->state];
	return v->busy ? v->busy : R_NEED_HELO;
}

/* Why the verb may not run now, or R__COUNT when it may. */
static enum reply_id
refusal(const struct session *s, const struct verb *v, const char *arg,
    const char *end)
{
	if ((v->flags & VF_SMTP && s->cfg->lmtp) ||
	    (v->flags & VF_LMTP && !s->cfg->lmtp))
		return R_UNKNOWN;
	if ((v->flags & VF_CHUNK) && !(s->cfg->extensions & EXT_CHUNKING))
		return R_NOT_IMPLEMENTED;
	if (s->state == ST_START && !(v->states & IN(ST_START)))
		return s->cfg->lmtp ? R_NEED_LHLO : R_NEED_HELO;
	if ((v->flags & VF_NO_ARGS) && arg != end)
		return R_NO_ARGUMENTS;
	if (!(v->states & IN(s->state)))
		return out_of_sequence(s, v);
	return R__COUNT;
}

static void
dispatch(struct session *s, const struct verb *v, const char *arg,
    const char *end)
{
	enum reply_id no = refusal(s, v, arg, end);

	s->verb = v;
	if ((v->flags >> VF_EXT_SHIFT) & s->cfg->withheld)
		reply(s, R_UNKNOWN); /* --withhold: neither offered nor known */
	else if ((s->flags & SF_REFUSED) && v->run != cmd_quit)
		reply(s, R_NO_SERVICE); /* RFC 5321 3.1, after a 554 greeting */
	else if (no != R__COUNT && (v->flags & VF_CHUNK))
		chunk_refuse(s, arg, end, no); /* its octets are still read */
	else if (no != R__COUNT)
		reply(s, no, v->name);
	else if (!s->cfg->faults || !fault_command(s, v))
		v->run(s, arg, end);
	/* NOOP, RSET, VRFY and EXPN cost nothing, so a client could hold a
	 * process forever with one every --timeout (Postfix's
	 * smtpd_junk_command_limit) */
	if ((v->flags & VF_JUNK) && ++s->junk > JUNK_LIMIT)
		reply_count_error(s);
	s->verb = NULL;
}

/* The log sees a command, never the credentials in it. */
static void
note_command(struct session *s, const char *line, size_t len)
{
	char masked[64];

	if (!auth_is_line(line, len)) {
		session_note(s, SE_COMMAND, line, NULL, 0);
		return;
	}
	auth_mask(line, len, masked, sizeof(masked));
	session_note(s, SE_COMMAND, masked, NULL, 0);
}

/* A line of an AUTH exchange: a client response, masked in the log. */
static void
auth_line(struct session *s, char *line, size_t len, bool crlf)
{
	session_note(s, SE_COMMAND, "***", NULL, 0);
	if (s->line_too_long) {
		auth_abort(s);
		reply(s, R_LINE_TOO_LONG);
		return;
	}
	if (crlf)
		len--;
	else if (!s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT) {
		auth_abort(s);
		reply(s, R_BARE_LF_COMMAND);
		return;
	}
	auth_continue(s, line, len);
}

/* One command line, without its LF. */
static void
process_line(struct session *s, char *line, size_t len)
{
	bool crlf = len > 0 && line[len - 1] == '\r';
	const struct verb *v;
	const char *arg;

	if (s->auth_step != AUTH_IDLE) {
		auth_line(s, line, len, crlf);
		return;
	}
	/* only AUTH may be longer (RFC 4954 4); any line shorter than the
	 * 512 octets of a command is held whole */
	if (s->line_too_long ||
	    (len >= SESSION_LINE_MAX && !auth_is_line(line, len))) {
		reply(s, R_LINE_TOO_LONG);
		return;
	}
	if (crlf)
		line[--len] = '\0';
	else if (!s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT) {
		reply(s, R_BARE_LF_COMMAND);
		return;
	}
	note_command(s, line, len);
	if (len == 0 || has_control(line, len)) {
		reply(s, R_BAD_SYNTAX);
		return;
	}
	v = verb_lookup(line, len, &arg);
	dispatch(s, v, arg, line + len);
}

/* Collects bytes of the current command line, dropping the excess. */
static void
append_line(struct session *s, const char *p, size_t n)
{
	/* room for the NUL that the log needs; the line may be as long as
	 * an AUTH line, and process_line() holds any other to 512 */
	if (s->line_too_long || n > sizeof(s->line) - 1 - s->line_len) {
		s->line_too_long = true;
		return;
	}
	memcpy(s->line + s->line_len, p, n);
	s->line_len += n;
}

/* ---- the interface ---------------------------------------------------- */

void
session_init(struct session *s, const struct session_config *cfg)
{
	/* the DATA machine (set up at each DATA) and the reply buffer are
	 * large and need no zeroing: their pages are touched only in use */
	memset(s, 0, offsetof(struct session, data));
	s->out.len = 0;
	s->out.overflow = false;
	s->cfg = cfg;
	s->env.rcpt = cfg->rcpt_table;
	s->env.result = cfg->rcpt_results;
	s->env.session_id = cfg->session_id;
	s->env.client_addr = cfg->client_addr;
	s->env.hostname = cfg->hostname;
	s->env.helo = s->helo;
	s->env.lmtp = cfg->lmtp;
	s->outcome = -1;
	s->state = ST_START;
	s->fault_rng = cfg->fault_seed;
	s->verb = &verb_greeting;
	if (!cfg->faults || !fault_at(s, FP_CONNECT))
		reply(s, cfg->lmtp ? R_GREETING_LMTP : R_GREETING, cfg->hostname);
	s->verb = NULL;
}

/* A command (or a message) was answered: true when the edge must flush
 * before the next one.  Without PIPELINING (--withhold) a client must
 * wait for each reply; one that sent more already is noted once, as
 * Postfix's "improper command pipelining" is. */
static inline bool
answered(struct session *s, bool more_input, const char *what)
{
	if (s->delay_ms || (s->flags & (SF_HUNG | SF_TLS_PENDING)))
		return true;
	if (s->cfg->extensions & EXT_PIPELINING)
		return false;
	if (more_input && !(s->flags & SF_PIPELINED) &&
	    s->state != ST_CLOSED) {
		s->flags |= SF_PIPELINED;
		session_note(s, SE_PIPELINING, what, NULL, 0);
	}
	return true;
}

size_t
session_feed(struct session *s, const char *in, size_t len)
{
	const char *p = in, *end = in + len;

	if (s->flags & SF_HUNG)
		return len; /* a fault: read, drop, say nothing */
	if (s->flags & SF_TLS_PENDING)
		return 0; /* nothing sent in clear runs after STARTTLS */
	if (!run_more(s))
		return 0;
	while (p < end && s->state != ST_CLOSED && !s->more.item &&
	    !reply_buf_full(&s->out)) {
		const char *lf;

		if (s->chunk.left > 0) {
			p += bdat_feed(&s->chunk,
			    s->chunk.skip ? NULL : &s->data.body, p,
			    (size_t)(end - p));
			if (s->chunk.left > 0)
				continue;
			chunk_end(s);
			if (answered(s, p < end, "end of chunk") ||
			    s->cfg->split_messages)
				break;
			continue;
		}
		if (s->state == ST_DATA) {
			p += data_feed(&s->data, p, (size_t)(end - p));
			if (!data_done(&s->data))
				continue;
			message_end(s);
			if (answered(s, p < end, "end of data") ||
			    s->cfg->split_messages)
				break;
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
		if (answered(s, p < end, s->line))
			break;
	}
	return (size_t)(p - in); /* if it hung, the next feed takes the rest */
}

bool
session_has_more(const struct session *s)
{
	return s->more.item != NULL && s->state != ST_CLOSED;
}

void
session_resume(struct session *s)
{
	(void)run_more(s);
}

const char *
session_output(const struct session *s, size_t *len)
{
	*len = s->out.len;
	return s->out.data;
}

void
session_output_done(struct session *s, size_t n)
{
	reply_buf_consume(&s->out, n);
	if (s->delay_ms) /* the reply that waits moves up */
		s->delay_at -= n < s->delay_at ? n : s->delay_at;
}

unsigned
session_delay(const struct session *s, size_t *at)
{
	*at = s->delay_at;
	return s->delay_ms;
}

void
session_delay_done(struct session *s)
{
	s->delay_ms = 0;
	s->delay_at = 0;
}

enum session_wait
session_wait(const struct session *s)
{
	if (s->flags & SF_HUNG)
		return WAIT_HUNG;
	if (s->state == ST_DATA || s->chunk.left > 0)
		return WAIT_MESSAGE;
	return s->line_len > 0 || s->line_too_long ? WAIT_MID_LINE :
	    WAIT_COMMAND;
}

bool
session_secret(const struct session *s)
{
	return (s->flags & SF_SECRET) != 0;
}

unsigned
session_messages(const struct session *s)
{
	return s->transactions + s->chunks;
}

void
session_timeout(struct session *s)
{
	reply(s, R_TIMEOUT, s->cfg->hostname);
}

void
session_expired(struct session *s)
{
	reply(s, R_SESSION_TIME, s->cfg->hostname);
}

void
session_shutdown(struct session *s)
{
	reply(s, R_SHUTDOWN, s->cfg->hostname);
}

void
session_eof(struct session *s)
{
	if (s->state != ST_CLOSED)
		session_close(s, s->state == ST_DATA ? "lost connection in DATA" :
		    s->chunk.left > 0 ? "lost connection in BDAT" :
		    "lost connection");
}

bool
session_closed(const struct session *s)
{
	return s->state == ST_CLOSED;
}
