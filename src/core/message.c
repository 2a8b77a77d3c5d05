/*
 * message.c: DATA (RFC 5321 4.1.1.4) and the end of a message: the checks
 * the whole message must pass, the delivery's commit, and the reply.
 *
 * Invariant: 250 is said only after the delivery's commit() returned 0,
 * which for a Maildir means the file and new/ are on disk; a fault on
 * purpose after the message (--fail dot:..., "+dot-451") is decided
 * before the commit, which then never comes.
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
static void
refuse_message(struct session *s, enum reply_id id, int err)
{
	s->rejecting = true;
	s->reply_errno = err;
	reply(s, id);
}

void
cmd_data(struct session *s, const char *arg, const char *end)
{
	const struct session_config *cfg = s->cfg;
	int r;

	(void)arg, (void)end;
	/* the session id is upper-case hex, so "Q" cannot occur in it and
	 * the id is unique per host; no dot, since RFC 5321 4.4 makes the
	 * Received id an Atom */
	snprintf(s->env.id, sizeof(s->env.id), "%sQ%u", cfg->session_id,
	    ++s->transactions);
	r = cfg->delivery->begin(cfg->delivery_ctx, &s->env);
	if (r < 0) {
		refuse_message(s, local_failure(errno), errno);
		return;
	}
	s->in_delivery = true;
	data_begin(&s->data, cfg->local, cfg->max_size,
	    r == 1 ? NULL : cfg->delivery->write, cfg->delivery_ctx);
	s->state = ST_DATA;
	reply(s, R_START_DATA);
}

/* What the whole message is refused for, or 0. */
static enum reply_id
check_message(const struct session *s, int *err)
{
	const struct data_machine *d = &s->data;

	*err = 0;
	if (d->body.too_big)
		return R_SIZE_EXCEEDED;
	if (d->bare && !s->cfg->local && s->cfg->bare_lf == BARE_LF_REJECT)
		return R_BARE_LF_MESSAGE;
	if (d->body.hops > BODY_HOPS_MAX)
		return R_MAIL_LOOP;
	if (d->body.write_errno) {
		*err = d->body.write_errno;
		return local_failure(*err);
	}
	return 0;
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

/* The checks, the commit and the reply. */
static void
deliver(struct session *s)
{
	enum reply_id bad;
	int err;

	bad = check_message(s, &err);
	if (!bad)
		bad = commit(s, &err);
	if (bad) {
		refuse_message(s, bad, err);
	} else {
		reply(s, R_QUEUED, s->env.id);
		/* a client that delivers mail is no abuser: a cached
		 * connection (Postfix's RSET before each MAIL) may carry any
		 * number of messages, as Postfix's smtpd allows */
		s->errors = 0;
		s->junk = 0;
		s->overshoot = 0;
	}
}

void
message_end(struct session *s)
{
	s->env.size = s->data.body.size;
	s->state = ST_READY;
	s->verb = &verb_message_end;
	/* a fault comes first: the message is then never committed */
	if (!(s->cfg->faults || s->cfg->fail_by_address) || !fault_message(s))
		deliver(s);
	s->verb = NULL;
	session_reset(s);
}
