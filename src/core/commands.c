/*
 * commands.c: the verbs that are not about a message: HELO and EHLO (RFC
 * 5321 4.1.1.1), LHLO (RFC 2033 4.1), RSET, NOOP, QUIT, VRFY, EXPN, HELP, and the answers to
 * what this server does not speak.  The verb table has already checked
 * the state and the arguments that a verb must not have.
 */
#include <string.h>
#include <strings.h>

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
	if (starttls_offered(s) && !(s->cfg->withheld & EXT_STARTTLS))
		reply_more(s, R_EHLO_LINE, "STARTTLS");
	if (auth_offered(s) && !(s->cfg->withheld & EXT_AUTH))
		reply_more(s, R_EHLO_LINE, "AUTH PLAIN LOGIN");
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

/* ---- RSET, NOOP, QUIT -------------------------------------------------- */

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

/* ---- VRFY and EXPN (RFC 5321 3.5) --------------------------------------- */

/* The name after VRFY or EXPN: a mailbox or a local part alone, in angle
 * brackets or not, and then only the SMTPUTF8 parameter (RFC 6531
 * 3.7.4.2). */
static bool
take_name(const char *arg, const char *end, struct path *p)
{
	const char *sp = arg;

	while (end > arg && end[-1] == ' ')
		end--;
	if (address_parse(&sp, end, ADDR_POSTMASTER_OK | ADDR_LOCAL_OK, p) !=
	    ADDR_OK)
		return false;
	while (sp < end && *sp == ' ')
		sp++;
	return sp == end ||
	    (end - sp == 8 && strncasecmp(sp, "SMTPUTF8", 8) == 0);
}

/* Answer i of the book's last lookup or expand(), as a line of a reply
 * that has count lines. */
static bool
book_line(struct session *s, size_t i, size_t count, enum reply_id id,
    size_t first)
{
	const struct session_config *c = s->cfg;
	char addr[ADDR_BUF];

	if (!c->book_ops->item(c->book_ctx, i - first, addr)) {
		/* the file changed under a reply that has begun */
		reply(s, R_LIST_CUT);
		s->more.next = s->more.count;
		return false;
	}
	if (i + 1 < count)
		reply_more(s, id, addr);
	else
		reply(s, id, addr);
	return true;
}

/* 553 and the recipients an ambiguous VRFY may mean, one a line. */
static bool
ambiguous_item(struct session *s, size_t i)
{
	if (i > 0)
		return book_line(s, i, s->more.count, R_AMBIGUOUS_LINE, 1);
	reply_more(s, R_AMBIGUOUS);
	return true;
}

static bool
list_item(struct session *s, size_t i)
{
	return book_line(s, i, s->more.count, R_ADDRESS, 0);
}

void
cmd_vrfy(struct session *s, const char *arg, const char *end)
{
	const struct session_config *c = s->cfg;
	enum reply_id bad;
	struct path p;
	long n;

	if (arg == end) {
		reply(s, R_VRFY_SYNTAX);
		return;
	}
	if (!(c->book & BOOK_RECIPIENTS)) {
		reply(s, R_CANNOT_VRFY);
		return;
	}
	if (!take_name(arg, end, &p)) {
		reply(s, R_NAME_SYNTAX);
		return;
	}
	/* a mailbox is answered as RCPT would be */
	if (p.addr[address_key_local(p.addr)] == '@' ||
	    address_is_postmaster(p.addr)) {
		bad = envelope_recipient_known(s, p.addr);
		reply(s, bad ? bad : R_ADDRESS, p.addr);
		return;
	}
	n = c->book_ops->lookup(c->book_ctx, p.addr);
	if (n < 0)
		reply(s, R_LOOKUP_FAILED, p.addr);
	else if (n == 0)
		reply(s, R_NO_SUCH_USER, p.addr);
	else if (n == 1)
		book_line(s, 0, 1, R_ADDRESS, 0);
	else
		session_more(s, ambiguous_item, (size_t)n + 1);
}

void
cmd_expn(struct session *s, const char *arg, const char *end)
{
	const struct session_config *c = s->cfg;
	struct path p;
	long n;

	if (!(c->book & BOOK_ALIASES)) {
		reply(s, R_EXPN_DISABLED);
		return;
	}
	if (arg == end) {
		reply(s, R_EXPN_SYNTAX);
		return;
	}
	if (!take_name(arg, end, &p)) {
		reply(s, R_NAME_SYNTAX);
		return;
	}
	n = c->book_ops->expand(c->book_ctx, p.addr);
	if (n < 0)
		reply(s, R_LOOKUP_FAILED, p.addr);
	else if (n == 0)
		reply(s, R_NO_SUCH_LIST, p.addr);
	else /* a list of any length, written as the client takes it */
		session_more(s, list_item, (size_t)n);
}

/* ---- HELP and the rest -------------------------------------------------- */

void
cmd_help(struct session *s, const char *arg, const char *end)
{
	char names[256];

	(void)arg, (void)end;
	verb_list(s, names, sizeof(names));
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
