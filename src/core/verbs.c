/*
 * verbs.c: the verb table of smtp-session.  A verb that is not here is
 * answered 500; one here with cmd_not_implemented is a known SMTP verb
 * this server does not offer (502).  HELO and EHLO are SMTP's, LHLO
 * LMTP's (RFC 2033 4.1): in the other protocol each is an unknown verb.
 * A verb that belongs to an extension (VF_EXT) is unknown (500) when the
 * operator withholds the extension (--withhold): neither advertised nor
 * accepted.
 *
 * VF_JUNK marks what a client can repeat at no cost to itself and keep a
 * process busy with: HELO, EHLO, RSET, NOOP, VRFY, EXPN and HELP (Postfix's
 * smtpd_junk_command_limit, which counts HELO and EHLO too).
 */
#include <string.h>
#include <strings.h>

#include "core/internal.h"

static const struct verb verbs[] = {
	{ "HELO", cmd_helo, IN_ANY, VF_JUNK | VF_SMTP, 0 },
	{ "EHLO", cmd_ehlo, IN_ANY, VF_JUNK | VF_SMTP, 0 },
	{ "LHLO", cmd_lhlo, IN_ANY, VF_JUNK | VF_LMTP, 0 },
	{ "MAIL", cmd_mail, IN(ST_READY), VF_ENVELOPE, R_NESTED_MAIL },
	{ "RCPT", cmd_rcpt, IN(ST_MAIL) | IN(ST_RCPT), VF_ENVELOPE,
	    R_AFTER_BDAT },
	{ "DATA", cmd_data, IN(ST_RCPT), VF_NO_ARGS, R_AFTER_BDAT },
	{ "BDAT", cmd_bdat, IN(ST_RCPT) | IN(ST_CHUNKS),
	    VF_CHUNK | VF_OPTIONAL | VF_EXT(EXT_CHUNKING), 0 },
	{ "RSET", cmd_rset, IN_ANY, VF_NO_ARGS | VF_JUNK, 0 },
	{ "NOOP", cmd_noop, IN_ANY, VF_JUNK, 0 },
	{ "QUIT", cmd_quit, IN_ANY, 0, 0 },
	{ "VRFY", cmd_vrfy, IN_ANY, VF_JUNK, 0 },
	{ "EXPN", cmd_expn, IN_ANY, VF_OPTIONAL | VF_JUNK, 0 },
	{ "HELP", cmd_help, IN_ANY, VF_JUNK, 0 },
	/* each checks its own state: its refusals say more than 503 */
	{ "AUTH", cmd_auth, IN_ANY, VF_OPTIONAL | VF_EXT(EXT_AUTH), 0 },
	{ "STARTTLS", cmd_starttls, IN_ANY,
	    VF_OPTIONAL | VF_EXT(EXT_STARTTLS), 0 },
	{ "ETRN", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	{ "TURN", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	{ "ATRN", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	{ "SEND", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	{ "SOML", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	{ "SAML", cmd_not_implemented, IN_ANY, VF_HIDDEN, 0 },
	/* Postfix's smtpd_forbidden_commands: a browser or proxy probe */
	{ "GET", cmd_http, IN_ANY, VF_HIDDEN, 0 },
	{ "POST", cmd_http, IN_ANY, VF_HIDDEN, 0 },
	{ "HEAD", cmd_http, IN_ANY, VF_HIDDEN, 0 },
	{ "PUT", cmd_http, IN_ANY, VF_HIDDEN, 0 },
	{ "CONNECT", cmd_http, IN_ANY, VF_HIDDEN, 0 },
	{ "OPTIONS", cmd_http, IN_ANY, VF_HIDDEN, 0 },
};

static const struct verb unknown = { "", cmd_unknown, IN_ANY, VF_HIDDEN, 0 };

/* never looked up: s->verb while the greeting or the reply after a
 * message is given */
const struct verb verb_greeting = { "", NULL, 0, VF_HIDDEN, 0 };
const struct verb verb_message_end = { "", NULL, 0, VF_HIDDEN, 0 };

const struct verb *
verb_lookup(const char *line, size_t len, const char **arg)
{
	size_t n = 0;

	while (n < len && line[n] != ' ')
		n++;
	*arg = line + n;
	while (*arg < line + len && **arg == ' ')
		(*arg)++;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i].name) == n &&
		    strncasecmp(verbs[i].name, line, n) == 0)
			return &verbs[i];
	return &unknown;
}

/* A VF_OPTIONAL verb is offered by this session's configuration. */
static bool
offered(const struct session *s, const struct verb *v)
{
	if (v->run == cmd_expn)
		return (s->cfg->book & BOOK_ALIASES) != 0;
	if (v->run == cmd_bdat)
		return (s->cfg->extensions & EXT_CHUNKING) != 0;
	if (v->run == cmd_auth)
		return auth_offered(s);
	if (v->run == cmd_starttls)
		return starttls_offered(s);
	return true;
}

size_t
verb_list(const struct session *s, char *buf, size_t cap)
{
	unsigned hide = s->cfg->lmtp ? VF_SMTP : VF_LMTP;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		const struct verb *v = &verbs[i];
		size_t n = strlen(v->name);
		if ((v->flags & VF_HIDDEN) || (v->flags & hide) ||
		    ((v->flags & VF_OPTIONAL) && !offered(s, v)) ||
		    o + n + 2 > cap)
			continue;
		if (o > 0)
			buf[o++] = ' ';
		memcpy(buf + o, v->name, n + 1);
		o += n;
	}
	return o;
}
