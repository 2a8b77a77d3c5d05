/*
 * commands.c: the verbs that are not about a message: HELO and EHLO (RFC
 * 5321 4.1.1.1), LHLO (RFC 2033 4.1), RSET, NOOP, QUIT, VRFY, EXPN, HELP, and the answers to
 * what this server does not speak.  The verb table has already checked
 * the state and the arguments that a verb must not have.
 */
#include <string.h>

#include "core/internal.h"
#include "lib/fmt.h"

/* ---- HELO and EHLO ------------------------------------------------------ */

static bool
take_helo(struct session *s, const char *arg, const char *end,
    const char *verb)
{
	size_t n = (size_t)(end - arg);

	while (n > 0 && arg[n - 1] == ' ')
		n--;
	if (n == 0) {
		reply(s, R_HELO_SYNTAX, verb);
		return false;
	}
	if (n > SESSION_HELO_MAX) {
		reply(s, R_HELO_TOO_LONG, verb);
		return false;
	}
	memcpy(s->helo, arg, n);
	s->helo[n] = '\0';
	session_reset(s);
	s->state = ST_READY;
	return true;
}

void
cmd_helo(struct session *s, const char *arg, const char *end)
{
	if (!take_helo(s, arg, end, "HELO"))
		return;
	s->flags &= ~SF_ESMTP;
	s->env.esmtp = false;
	reply(s, R_HELO, s->cfg->hostname);
}

/* The keywords of RFC 5321 4.1.1.1, in the order EHLO lists them. */
static const struct {
	unsigned ext;
	const char *keyword;
} keywords[] = {
	{ EXT_PIPELINING, "PIPELINING" },
	{ EXT_SIZE, "SIZE" },
	{ EXT_8BITMIME, "8BITMIME" },
	{ EXT_SMTPUTF8, "SMTPUTF8" },
	{ EXT_ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES" },
	{ EXT_CHUNKING, "CHUNKING" },
	{ EXT_BINARYMIME, "BINARYMIME" },
};

/* EHLO's reply, and LHLO's (RFC 2033 4.1: the same keywords). */
static void
ehlo(struct session *s, const char *arg, const char *end, const char *verb)
{
	unsigned ext = s->cfg->extensions;
	char size[32];

	if (!(ext & EXT_CHUNKING))
		ext &= ~EXT_BINARYMIME; /* RFC 3030 3: it needs CHUNKING */
	if (!take_helo(s, arg, end, verb))
		return;
	s->flags |= SF_ESMTP;
	s->env.esmtp = true;
	reply_more(s, R_EHLO_FIRST, s->cfg->hostname);
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (!(ext & keywords[i].ext))
			continue;
		if (keywords[i].ext == EXT_SIZE && s->cfg->max_size) {
			memcpy(size, "SIZE ", 5);
			size[5 + fmt_dec(size + 5, s->cfg->max_size)] = '\0';
			reply_more(s, R_EHLO_LINE, size);
		} else {
			reply_more(s, R_EHLO_LINE, keywords[i].keyword);
		}
	}
	reply(s, R_EHLO_LINE, "HELP");
}

void
cmd_ehlo(struct session *s, const char *arg, const char *end)
{
	ehlo(s, arg, end, "EHLO");
}

void
cmd_lhlo(struct session *s, const char *arg, const char *end)
{
	ehlo(s, arg, end, "LHLO");
}

/* ---- the rest --------------------------------------------------------- */

void
cmd_rset(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	session_reset(s);
	reply(s, R_DONE);
}

void
cmd_noop(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end; /* RFC 5321 4.1.1.9: a parameter is ignored */
	reply(s, R_DONE);
}

void
cmd_quit(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reply(s, R_BYE);
}

void
cmd_vrfy(struct session *s, const char *arg, const char *end)
{
	if (arg == end) {
		reply(s, R_VRFY_SYNTAX);
		return;
	}
	reply(s, R_CANNOT_VRFY);
}

void
cmd_expn(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reply(s, R_EXPN_DISABLED);
}

void
cmd_help(struct session *s, const char *arg, const char *end)
{
	char names[256];

	(void)arg, (void)end;
	verb_list(names, sizeof(names), s->cfg->lmtp ? VF_SMTP : VF_LMTP);
	reply_more(s, R_HELP_FIRST);
	reply_more(s, R_HELP_LINE, names);
	reply(s, R_HELP_LAST);
}

void
cmd_not_implemented(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reply(s, R_NOT_IMPLEMENTED);
}

void
cmd_http(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reply(s, R_HTTP, s->cfg->hostname);
}

void
cmd_unknown(struct session *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reply(s, R_UNKNOWN);
}
