/*
 * envelope.c: MAIL and RCPT (RFC 5321 4.1.1.2, 4.1.1.3) with the
 * parameters of SIZE (RFC 1870), 8BITMIME (RFC 6152) and SMTPUTF8 (RFC
 * 6531), and the recipient table of --recipients.  A refusal here is
 * logged as a refused message by reply()'s policy, since for the client
 * it is one.
 */
#include <string.h>
#include <strings.h>

#include "core/internal.h"

static bool
starts_with(const char *arg, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - arg) >= n && strncasecmp(arg, prefix, n) == 0;
}

/* The path after "FROM:" or "TO:"; the reply for a bad one, or 0. */
static enum reply_id
take_path(const char **arg, const char *end, unsigned flags, struct path *p,
    enum reply_id too_long, enum reply_id syntax)
{
	switch (address_parse(arg, end, flags, p)) {
	case ADDR_OK:
		return 0;
	case ADDR_TOO_LONG:
		return too_long;
	default:
		return syntax;
	}
}

/* A parameter of an extension that is withheld (--withhold) is as
 * unknown as one never offered: SIZE= of SIZE, BODY= of 8BITMIME, and
 * SMTPUTF8 of SMTPUTF8. */
static bool
offered(const struct session *s, const struct mail_params *p)
{
	unsigned ext = s->cfg->extensions;

	if ((ext & (EXT_SIZE | EXT_8BITMIME | EXT_SMTPUTF8)) ==
	    (EXT_SIZE | EXT_8BITMIME | EXT_SMTPUTF8))
		return true;
	return !(p->has_size && !(ext & EXT_SIZE)) &&
	    !(p->body != BODY_UNSPECIFIED && !(ext & EXT_8BITMIME)) &&
	    !(p->smtputf8 && !(ext & EXT_SMTPUTF8));
}

static enum reply_id
check_mail(struct session *s, const char *arg, const char *end,
    struct mail_params *params)
{
	enum reply_id bad;

	if (!starts_with(arg, end, "FROM:"))
		return R_MAIL_SYNTAX;
	arg += 5;
	bad = take_path(&arg, end, ADDR_NULL_OK, &s->env.sender,
	    R_SENDER_TOO_LONG, R_SENDER_SYNTAX);
	if (bad)
		return bad;
	switch (params_parse_mail(arg, end, params)) {
	case PARAM_OK:
		break;
	case PARAM_UNKNOWN:
		return R_MAIL_PARAM_UNKNOWN;
	case PARAM_SIZE_CONFLICT:
		return R_SIZE_CONFLICT;
	case PARAM_BODY_CONFLICT:
		return R_BODY_CONFLICT;
	default:
		return R_MAIL_PARAM_SYNTAX;
	}
	if (params->auth &&
	    (s->cfg->auth == NULL || (s->cfg->withheld & EXT_AUTH)))
		return R_MAIL_PARAM_UNKNOWN; /* RFC 4954 5: AUTH not offered */
	if (params->body == BODY_BINARYMIME &&
	    (~s->cfg->extensions & (EXT_CHUNKING | EXT_BINARYMIME)))
		return R_MAIL_PARAM_UNKNOWN; /* RFC 3030: not offered */
	if (!offered(s, params))
		return s->env.sender.utf8 ? R_SENDER_NEEDS_UTF8 :
		    R_MAIL_PARAM_UNKNOWN;
	if (s->env.sender.utf8 && !params->smtputf8)
		return R_SENDER_NEEDS_UTF8;
	if (s->cfg->max_size && params->size > s->cfg->max_size)
		return R_SIZE_EXCEEDED;
	return 0;
}

void
cmd_mail(struct session *s, const char *arg, const char *end)
{
	struct mail_params params;
	enum reply_id bad;

	if (auth_mail_refused(s))
		return;
	bad = check_mail(s, arg, end, &params);
	if (bad) {
		reply(s, bad);
		return;
	}
	if (s->cfg->fail_by_address &&
	    fault_by_address(s, FP_MAIL, s->env.sender.addr))
		return; /* "451@..." asked for a 451 */
	s->env.params = params;
	s->state = ST_MAIL;
	reply(s, R_MAIL_OK);
}

/* Parses into the next free slot of the recipient table. */
static enum reply_id
check_rcpt(struct session *s, const char *arg, const char *end)
{
	struct path *to;
	enum reply_id bad;

	if (!starts_with(arg, end, "TO:"))
		return R_RCPT_SYNTAX;
	arg += 3;
	if (s->env.nrcpt >= s->cfg->max_recipients)
		return R_TOO_MANY_RCPT;
	to = &s->env.rcpt[s->env.nrcpt];
	bad = take_path(&arg, end, ADDR_POSTMASTER_OK, to, R_RCPT_TOO_LONG,
	    R_RCPT_ADDR_SYNTAX);
	if (bad)
		return bad;
	if (params_parse_rcpt(arg, end) != PARAM_OK)
		return R_RCPT_PARAM_UNKNOWN;
	if (to->utf8 && !s->env.params.smtputf8)
		return R_RCPT_NEEDS_UTF8;
	return 0;
}

enum reply_id
envelope_recipient_known(struct session *s, const char *addr)
{
	const struct session_config *c = s->cfg;

	/* RFC 5321 4.5.1: postmaster is always accepted */
	if (!(c->book & BOOK_RECIPIENTS) || address_is_postmaster(addr))
		return 0;
	switch (c->book_ops->accepts(c->book_ctx, addr)) {
	case 1:
		return 0;
	case 0:
		return R_NO_SUCH_USER;
	default:
		return R_LOOKUP_FAILED;
	}
}

void
cmd_rcpt(struct session *s, const char *arg, const char *end)
{
	enum reply_id bad = check_rcpt(s, arg, end);
	const char *to;

	if (bad) {
		reply(s, bad);
		return;
	}
	to = s->env.rcpt[s->env.nrcpt].addr;
	/* a fault the client asked for comes before what the table says */
	if (s->cfg->fail_by_address && fault_by_address(s, FP_RCPT, to))
		return; /* not recorded */
	if ((bad = envelope_recipient_known(s, to)) != 0) {
		reply(s, bad, to);
		return;
	}
	s->env.nrcpt++;
	s->state = ST_RCPT;
	reply(s, R_RCPT_OK);
}
