/*
 * message.c: DATA (RFC 5321 4.1.1.4) and the end of a message, however it
 * came (DATA or BDAT): the checks the whole message must pass, each
 * recipient's result, the delivery's commit, and the reply: one for SMTP,
 * one per recipient for LMTP (RFC 2033 4.2).
 *
 * Invariants: 250 is said only after the delivery's commit() returned 0,
 * which for a Maildir means the file and new/ are on disk; nothing is
 * committed that no recipient is left for; a fault on purpose after the
 * message (--fail dot:..., "+dot-451") is decided before the commit; LMTP's
 * replies come in RCPT order, one per accepted recipient, written through
 * session_more() so that no number of recipients overflows the reply
 * buffer, and "+dot-451" on a recipient is that recipient's reply only.
 */
#include <errno.h>
#include <stdio.h>

#include "core/internal.h"

/* The one place an errno becomes a reply (STYLE.md): its text goes to
 * the log, never to the client. */
static enum reply_id
local_failure(int err)
{
	return err == ENOSPC || err == EDQUOT ? R_NO_STORAGE : R_LOCAL_ERROR;
}

/* A begun message is refused: reply()'s policy logs it as rejected,
 * with the errno of a local failure. */
void
message_refuse(struct session *s, enum reply_id id, int err)
{
	s->rejecting = true;
	s->reply_errno = err;
	reply(s, id);
}

/* A new message: its id and the delivery's begin().  False (with the
 * refusal said) when the delivery cannot take it; *wanted is false when
 * the delivery wants no bytes (--discard). */
bool
message_begin(struct session *s, int *wanted)
{
	const struct session_config *cfg = s->cfg;
	int r;

	/* the session id is upper-case hex, so "Q" cannot occur in it and
	 * the id is unique per host; no dot, since RFC 5321 4.4 makes the
	 * Received id an Atom */
	snprintf(s->env.id, sizeof(s->env.id), "%sQ%u", cfg->session_id,
	    ++s->transactions);
	r = cfg->delivery->begin(cfg->delivery_ctx, &s->env);
	if (r < 0) {
		int err = errno;
		message_refuse(s, local_failure(err), err);
		session_reset(s);
		return false;
	}
	s->in_delivery = true;
	*wanted = r != 1;
	return true;
}

void
cmd_data(struct session *s, const char *arg, const char *end)
{
	const struct session_config *cfg = s->cfg;
	int wanted;

	(void)arg, (void)end;
	if (s->env.params.body == BODY_BINARYMIME) {
		reply(s, R_BINARYMIME_DATA); /* RFC 3030 3 */
		return;
	}
	s->env.chunked = false;
	if (!message_begin(s, &wanted))
		return;
	data_begin(&s->data, cfg->local, cfg->max_size,
	    wanted ? cfg->delivery->write : NULL, cfg->delivery_ctx);
	s->state = ST_DATA;
	reply(s, R_START_DATA);
}

/* What the whole message (or what came of it so far) is refused for,
 * or 0.  bare: a bare CR or LF was seen. */
enum reply_id
message_check(const struct session *s, bool bare, int *err)
{
	const struct body *b = &s->data.body;

	*err = 0;
	if (b->too_big)
		return R_SIZE_EXCEEDED;
	if (bare && !s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT)
		return R_BARE_LF_MESSAGE;
	if (b->hops > BODY_HOPS_MAX)
		return R_MAIL_LOOP;
	if (b->write_errno) {
		*err = b->write_errno;
		return local_failure(*err);
	}
	return 0;
}

/* Each recipient's own result (the rcpt_result hook, when ask), before
 * the commit; returns how many are left to deliver to. */
static unsigned
decide_recipients(struct session *s, bool ask)
{
	const struct session_config *cfg = s->cfg;
	unsigned left = 0;

	if (s->env.result == NULL)
		return s->env.nrcpt;
	for (unsigned i = 0; i < s->env.nrcpt; i++) {
		int r = ask && cfg->rcpt_result ?
		    cfg->rcpt_result(cfg->rcpt_result_ctx, &s->env, i) :
		    RCPT_AS_MESSAGE;
		if (r < 0 || r >= R__COUNT)
			r = RCPT_AS_MESSAGE;
		s->env.result[i] = r;
		left += r == RCPT_AS_MESSAGE;
	}
	return left;
}

static enum reply_id
commit(struct session *s, int *err)
{
	const struct session_config *cfg = s->cfg;
	char note[256] = "";
	int r;

	s->in_delivery = false;
	r = cfg->delivery->commit(cfg->delivery_ctx, &s->env, note,
	    sizeof(note));
	*err = r == -1 ? errno : 0;
	if (r == DELIVER_PERMANENT)
		return R_DELIVERY_FAILED;
	if (r == DELIVER_TEMPORARY)
		return R_DELIVERY_DEFERRED;
	if (r < 0)
		return local_failure(*err);
	session_note(s, SE_ACCEPTED, note, NULL, 0);
	return 0;
}

/* An LMTP result that is a fault's reply code, not a catalogue entry. */
#define RCPT_INJECTED(code) (R__COUNT + (int)(code))

/* LMTP: recipient i's reply.  One message gets one error count and one
 * "rejected" log line, however many recipients hear about it. */
static bool
lmtp_reply(struct session *s, size_t i)
{
	const struct path *to = &s->env.rcpt[i];
	int own = s->env.result ? s->env.result[i] : RCPT_AS_MESSAGE;
	int id = own != RCPT_AS_MESSAGE ? own :
	    s->outcome >= 0 ? s->outcome : R_LMTP_QUEUED;
	bool last = i + 1 >= s->env.nrcpt;

	s->flags |= SF_UNCOUNTED;
	if (i == 0 && s->outcome >= 0 && s->outcome < R__COUNT) {
		s->rejecting = true;
		s->reply_errno = s->outcome_errno;
	}
	if (id > R__COUNT)
		fault_inject(s, FP_DOT, (unsigned)(id - R__COUNT));
	else
		reply(s, (enum reply_id)id, to->addr, s->env.id);
	s->flags &= ~SF_UNCOUNTED;
	if (last) {
		if (s->outcome >= 0 && s->outcome < R__COUNT &&
		    reply_catalogue[s->outcome].code >= 400 &&
		    !(reply_catalogue[s->outcome].flags & RF_NOT_COUNTED))
			reply_count_error(s);
		s->verb = NULL;
		session_reset(s);
	}
	return s->state != ST_CLOSED;
}

/* LMTP, --fail-by-address: a recipient's own "+dot-NNN" is its result. */
static void
lmtp_address_faults(struct session *s)
{
	bool dot;

	if (!s->cfg->fail_by_address || s->env.result == NULL)
		return;
	for (unsigned i = 0; i < s->env.nrcpt; i++) {
		unsigned code = fault_address_code(s->env.rcpt[i].addr, &dot);
		if (code && dot && s->env.result[i] == RCPT_AS_MESSAGE)
			s->env.result[i] = RCPT_INJECTED(code);
	}
}

/* How many recipients are still to be delivered to. */
static unsigned
still_left(const struct session *s)
{
	unsigned left = 0;

	if (s->env.result == NULL)
		return s->env.nrcpt;
	for (unsigned i = 0; i < s->env.nrcpt; i++)
		left += s->env.result[i] == RCPT_AS_MESSAGE;
	return left;
}

/* The checks, each recipient's result, and the commit: the reply id of
 * the message (0: queued), its errno, and how many recipients are left. */
static enum reply_id
deliver(struct session *s, bool bare, int *err, unsigned *left)
{
	enum reply_id bad = message_check(s, bare, err);

	decide_recipients(s, bad == 0);
	if (s->cfg->lmtp)
		lmtp_address_faults(s);
	*left = still_left(s);
	if (!bad && *left > 0)
		bad = commit(s, err);
	if (!bad && *left > 0) {
		/* a client that delivers mail is no abuser: a cached
		 * connection (Postfix's RSET before each MAIL) may carry any
		 * number of messages, as Postfix's smtpd allows */
		s->errors = 0;
		s->junk = 0;
		s->overshoot = 0;
	}
	return bad;
}

/* LMTP: one reply per recipient, after a fault on purpose for all of
 * them, or after the delivery. */
static void
lmtp_finish(struct session *s, bool bare)
{
	unsigned code = 0, left;
	enum reply_id bad;
	int err = 0;

	if (s->cfg->faults || s->cfg->fail_by_address) {
		code = fault_draw(s, FP_DOT);
		if (code == 0 && s->cfg->fail_by_address) {
			bool dot;
			code = fault_address_code(s->env.sender.addr, &dot);
			code = dot ? code : 0;
		}
	}
	if (code == FAULT_DROP || code == FAULT_HANG) {
		fault_inject(s, FP_DOT, code);
		s->verb = NULL;
		session_reset(s);
		return;
	}
	if (code) {
		s->outcome = RCPT_INJECTED(code); /* never committed */
		s->outcome_errno = 0;
		for (unsigned i = 0; s->env.result && i < s->env.nrcpt; i++)
			s->env.result[i] = RCPT_AS_MESSAGE; /* all alike */
	} else {
		bad = deliver(s, bare, &err, &left);
		s->outcome = bad ? (int)bad : -1;
		s->outcome_errno = err;
	}
	/* the envelope stays until the last reply is written */
	session_more(s, lmtp_reply, s->env.nrcpt);
}

/* The end of a message: DATA's end of data, or BDAT LAST.  A fault on
 * purpose comes first: the message is then never committed. */
void
message_finish(struct session *s, bool bare)
{
	enum reply_id bad;
	unsigned left;
	int err;

	s->env.size = s->data.body.size;
	s->state = ST_READY;
	s->verb = &verb_message_end;
	if (s->cfg->lmtp && s->env.nrcpt > 0) {
		lmtp_finish(s, bare);
		return;
	}
	if (!(s->cfg->faults || s->cfg->fail_by_address) || !fault_message(s)) {
		bad = deliver(s, bare, &err, &left);
		if (bad)
			message_refuse(s, bad, err);
		else if (left == 0) /* every recipient has a refusal of its own */
			message_refuse(s, (enum reply_id)s->env.result[0], 0);
		else
			reply(s, R_QUEUED, s->env.id);
	}
	s->verb = NULL;
	session_reset(s);
}

void
message_end(struct session *s)
{
	message_finish(s, s->data.bare);
}
