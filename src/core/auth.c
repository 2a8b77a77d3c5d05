/*
 * auth.c: the AUTH verb (RFC 4954) with PLAIN (RFC 4616) and LOGIN.
 *
 * The exchange is a small machine (s->auth_step): while it waits for a
 * client response, SF_SECRET is set, every line goes to auth_continue()
 * and not to the verb table, and the edge masks those lines in a
 * transcript; the core masks them in its own notes.  The credentials are
 * judged by the edge (cfg->auth->check) and wiped as soon as it returns.
 *
 * Where AUTH may run: after EHLO, outside a transaction, once; and only
 * on an encrypted connection unless the edge says the clear is safe
 * (loopback, a local pipe, --auth-insecure).  Elsewhere it is neither
 * advertised nor accepted (538), so a password never crosses a network
 * in clear by our doing.
 */
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "lib/base64.h"

/* LOGIN's prompts: "Username:" and "Password:" in base64 */
#define LOGIN_USER_PROMPT "VXNlcm5hbWU6"
#define LOGIN_PASS_PROMPT "UGFzc3dvcmQ6"

bool
auth_offered(const struct session *s)
{
	return s->cfg->auth != NULL && !(s->flags & SF_AUTHED) &&
	    ((s->flags & SF_TLS) || s->cfg->auth_clear);
}

bool
auth_is_line(const char *line, size_t len)
{
	return len >= 4 && strncasecmp(line, "AUTH", 4) == 0 &&
	    (len == 4 || line[4] == ' ');
}

void
auth_mask(const char *line, size_t len, char *buf, size_t cap)
{
	size_t n = 5; /* "AUTH " */

	while (n < len && line[n] == ' ')
		n++;
	while (n < len && line[n] != ' ')
		n++; /* the mechanism stays: it is no secret */
	if (n > cap - 5)
		n = cap - 5;
	memcpy(buf, line, n);
	memcpy(buf + n, n < len ? " ***" : "", n < len ? 5 : 1);
}

/* Back to the verb table; nothing of the exchange stays behind. */
static void
auth_reset(struct session *s)
{
	s->auth_step = AUTH_IDLE;
	s->flags &= ~SF_SECRET;
	sasl_wipe(&s->creds, sizeof(s->creds));
}

static void
wait_response(struct session *s, enum auth_step step, const char *prompt)
{
	s->auth_step = step;
	s->flags |= SF_SECRET;
	reply(s, R_AUTH_CHALLENGE, prompt);
}

/* A failed attempt: 535, and the last one allowed 421 instead, which
 * ends the session (one reply to one command). */
static void
failed(struct session *s)
{
	if (++s->auth_failures >= AUTH_MAX_FAILURES)
		reply(s, R_AUTH_TOO_MANY, s->cfg->hostname);
	else
		reply(s, R_AUTH_FAILED);
}

/* The client's credentials are complete: ask the edge. */
static void
judge(struct session *s)
{
	const struct session_config *c = s->cfg;
	int r = c->auth->check(c->auth_ctx, s->creds.user, s->creds.pass,
	    s->auth_failures);

	if (r == AUTH_OK)
		memcpy(s->user, s->creds.user, sizeof(s->user));
	auth_reset(s);
	if (r == AUTH_OK) {
		s->flags |= SF_AUTHED;
		s->env.auth_user = s->user;
		reply(s, R_AUTH_OK);
	} else if (r == AUTH_UNAVAILABLE) {
		reply(s, R_AUTH_TEMPFAIL);
	} else {
		failed(s);
	}
}

/* A decoding that went wrong, as a reply; the exchange ends. */
static void
refuse(struct session *s, enum sasl_result r)
{
	auth_reset(s);
	if (r == SASL_CANCEL)
		reply(s, R_AUTH_CANCELLED);
	else if (r == SASL_BAD_B64)
		reply(s, R_AUTH_BAD_B64);
	else
		failed(s); /* malformed, or another's identity */
}

/* One client response of the exchange at the step it is at. */
static void
respond(struct session *s, const char *line, size_t len)
{
	unsigned char msg[BASE64_DECODED_MAX(SASL_LINE_MAX)];
	size_t n;
	enum sasl_result r = sasl_response(line, len, msg, sizeof(msg), &n);

	if (r == SASL_OK) {
		switch (s->auth_step) {
		case AUTH_PLAIN_WAIT:
			r = sasl_plain(msg, n, &s->creds);
			break;
		case AUTH_LOGIN_USER:
			r = sasl_login_user(msg, n, &s->creds);
			break;
		default:
			r = sasl_login_pass(msg, n, &s->creds);
			break;
		}
	}
	sasl_wipe(msg, n);
	if (r != SASL_OK)
		refuse(s, r);
	else if (s->auth_step == AUTH_LOGIN_USER)
		wait_response(s, AUTH_LOGIN_PASS, LOGIN_PASS_PROMPT);
	else
		judge(s);
}

void
auth_continue(struct session *s, const char *line, size_t len)
{
	respond(s, line, len);
}

void
auth_abort(struct session *s)
{
	auth_reset(s);
}

/* Why AUTH may not start now, or R__COUNT when it may. */
static enum reply_id
auth_refusal(const struct session *s)
{
	if (s->cfg->auth == NULL)
		return R_NOT_IMPLEMENTED;
	if (s->state == ST_START)
		return R_NEED_HELO;
	if (!(s->flags & SF_ESMTP))
		return R_NEED_EHLO; /* RFC 4954 4: AUTH is an EHLO extension */
	if (!(s->flags & SF_TLS) && !s->cfg->auth_clear)
		return R_AUTH_NEEDS_TLS;
	if (s->flags & SF_AUTHED)
		return R_AUTH_ALREADY;
	if (s->state != ST_READY)
		return R_IN_TRANSACTION;
	return R__COUNT;
}

void
cmd_auth(struct session *s, const char *arg, const char *end)
{
	enum reply_id no = auth_refusal(s);
	const char *sp = memchr(arg, ' ', (size_t)(end - arg));
	const char *mech_end = sp ? sp : end, *ir = NULL;
	size_t mlen = (size_t)(mech_end - arg);
	bool plain = mlen == 5 && strncasecmp(arg, "PLAIN", 5) == 0;
	bool login = mlen == 5 && strncasecmp(arg, "LOGIN", 5) == 0;

	if (no != R__COUNT) {
		reply(s, no);
		return;
	}
	if (mlen == 0) {
		reply(s, R_AUTH_SYNTAX);
		return;
	}
	if (!plain && !login) {
		reply(s, R_AUTH_MECHANISM);
		return;
	}
	if (sp) { /* one initial response, no more words */
		ir = sp + 1;
		if (ir == end || memchr(ir, ' ', (size_t)(end - ir))) {
			reply(s, R_AUTH_SYNTAX);
			return;
		}
	}
	s->auth_step = plain ? AUTH_PLAIN_WAIT : AUTH_LOGIN_USER;
	if (ir)
		respond(s, ir, (size_t)(end - ir));
	else if (plain)
		wait_response(s, AUTH_PLAIN_WAIT, "");
	else
		wait_response(s, AUTH_LOGIN_USER, LOGIN_USER_PROMPT);
}

bool
auth_mail_refused(struct session *s)
{
	if (!s->cfg->auth_required || (s->flags & SF_AUTHED))
		return false;
	reply(s, R_AUTH_REQUIRED);
	return true;
}
