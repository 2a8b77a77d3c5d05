/*
 * command.c: verbs are case-insensitive (RFC 5321 2.4) and end at a space
 * or at the end of the line.
 */
#include <string.h>
#include <strings.h>

#include "core/command.h"

static const struct {
	const char *name;
	enum verb verb;
} verbs[] = {
	{ "HELO", V_HELO }, { "EHLO", V_EHLO }, { "MAIL", V_MAIL },
	{ "RCPT", V_RCPT }, { "DATA", V_DATA }, { "RSET", V_RSET },
	{ "NOOP", V_NOOP }, { "QUIT", V_QUIT }, { "VRFY", V_VRFY },
	{ "EXPN", V_EXPN }, { "HELP", V_HELP },
	/* later capabilities fill these in; until then they are 502 */
	{ "AUTH", V_NOT_IMPLEMENTED }, { "STARTTLS", V_NOT_IMPLEMENTED },
	{ "BDAT", V_NOT_IMPLEMENTED }, { "ETRN", V_NOT_IMPLEMENTED },
	{ "TURN", V_NOT_IMPLEMENTED }, { "ATRN", V_NOT_IMPLEMENTED },
	{ "SEND", V_NOT_IMPLEMENTED }, { "SOML", V_NOT_IMPLEMENTED },
	{ "SAML", V_NOT_IMPLEMENTED },
	/* Postfix's smtpd_forbidden_commands: a browser or proxy probe */
	{ "GET", V_HTTP }, { "POST", V_HTTP }, { "HEAD", V_HTTP },
	{ "PUT", V_HTTP }, { "CONNECT", V_HTTP }, { "OPTIONS", V_HTTP },
};

enum verb
command_lookup(const char *line, size_t len, const char **arg)
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
			return verbs[i].verb;
	return V_UNKNOWN;
}
