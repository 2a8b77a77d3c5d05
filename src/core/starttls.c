/*
 * starttls.c: the STARTTLS verb (RFC 3207) and what the session forgets
 * after the handshake.
 *
 * The core never touches TLS: it answers 220, sets SF_TLS_PENDING and
 * takes no more input; the edge throws away what the client sent after
 * the command (the injection of CVE-2011-0411 and CVE-2024-34083: those
 * bytes came in clear, so nothing of them may run as if it came over
 * TLS), handshakes, and calls session_tls_started() or
 * session_tls_failed().  The session then starts over, as if just
 * greeted (RFC 3207 4.2): HELO, AUTH and the transaction are forgotten.
 */
#include <string.h>

#include "core/internal.h"

bool
starttls_offered(const struct session *s)
{
	return s->cfg->tls != TLS_NONE && !(s->flags & SF_TLS);
}

void
cmd_starttls(struct session *s, const char *arg, const char *end)
{
	if (s->cfg->tls == TLS_NONE)
		reply(s, R_NOT_IMPLEMENTED);
	else if (arg != end)
		reply(s, R_NO_ARGUMENTS, "STARTTLS");
	else if (s->flags & SF_TLS)
		reply(s, R_TLS_ACTIVE);
	else if (s->state > ST_READY)
		reply(s, R_IN_TRANSACTION);
	else if (s->cfg->tls == TLS_UNUSABLE)
		reply(s, R_TLS_UNAVAILABLE);
	else {
		reply(s, R_TLS_READY);
		s->flags |= SF_TLS_PENDING;
	}
}

bool
session_tls_pending(const struct session *s)
{
	return (s->flags & SF_TLS_PENDING) && s->state != ST_CLOSED;
}

void
session_tls_started(struct session *s, const char *desc)
{
	size_t n = strlen(desc);

	if (n >= sizeof(s->tls))
		n = sizeof(s->tls) - 1;
	memcpy(s->tls, desc, n);
	s->tls[n] = '\0';
	session_reset(s);
	auth_abort(s);
	s->flags &= ~(SF_TLS_PENDING | SF_ESMTP | SF_AUTHED);
	s->flags |= SF_TLS;
	s->helo[0] = '\0';
	s->user[0] = '\0';
	s->env.esmtp = false;
	s->env.auth_user = NULL;
	s->env.tls = s->tls;
	s->line_len = 0;
	s->line_too_long = false;
	if (s->state != ST_CLOSED)
		s->state = ST_START;
}

void
session_tls_failed(struct session *s, const char *why)
{
	s->flags &= ~SF_TLS_PENDING;
	if (s->state != ST_CLOSED)
		session_close(s, why);
}
