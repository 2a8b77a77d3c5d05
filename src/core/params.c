/*
 * params.c: the ESMTP parameters of MAIL and RCPT (RFC 5321 4.1.2,
 * "esmtp-param"): SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC
 * 6531) and AUTH (RFC 4954).  Keywords are case-insensitive; nothing is read past `end`.
 * A keyword may be repeated only with the same meaning.
 */
#include <string.h>
#include <strings.h>

#include "core/params.h"

/* Splits "KEY[=VALUE]" words separated by spaces; calls back for each. */
typedef enum param_result (*param_fn)(const char *key, size_t klen,
    const char *val, size_t vlen, bool has_val, void *arg);

static enum param_result
params_each(const char *s, const char *end, param_fn fn, void *arg)
{
	while (s < end) {
		const char *w, *eq, *we;
		enum param_result r;

		while (s < end && *s == ' ')
			s++;
		if (s == end)
			break;
		w = s;
		while (s < end && *s != ' ')
			s++;
		we = s;
		eq = memchr(w, '=', (size_t)(we - w));
		if (eq == w)
			return PARAM_SYNTAX;
		if (eq)
			r = fn(w, (size_t)(eq - w), eq + 1,
			    (size_t)(we - eq - 1), true, arg);
		else
			r = fn(w, (size_t)(we - w), NULL, 0, false, arg);
		if (r != PARAM_OK)
			return r;
	}
	return PARAM_OK;
}

static bool
word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(w, name, n) == 0;
}

/* RFC 1870: 1*20DIGIT.  A value past what 64 bits hold is past any
 * limit too, so it saturates and gets 552, not 501. */
static enum param_result
parse_size(const char *v, size_t n, uint64_t *out)
{
	uint64_t size = 0;

	if (n == 0 || n > 20)
		return PARAM_SYNTAX;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');
		if (v[i] < '0' || v[i] > '9')
			return PARAM_SYNTAX;
		size = size > (UINT64_MAX - d) / 10 ? UINT64_MAX : size * 10 + d;
	}
	*out = size;
	return PARAM_OK;
}

struct mail_seen {
	struct mail_params *p;
	bool size, body; /* given once already */
};

/* A keyword given twice must say the same thing twice: smtplib sends
 * "SMTPUTF8 SMTPUTF8" and Postfix's smtpd takes it, so a repeat is
 * accepted; two different values leave no way to know which was meant. */
static enum param_result
mail_size(struct mail_seen *seen, const char *v, size_t vn, bool has_val)
{
	uint64_t size;

	if (!has_val || parse_size(v, vn, &size) != PARAM_OK)
		return PARAM_SYNTAX;
	if (seen->size && size != seen->p->size)
		return PARAM_SIZE_CONFLICT;
	seen->size = seen->p->has_size = true;
	seen->p->size = size;
	return PARAM_OK;
}

static enum param_result
mail_body(struct mail_seen *seen, const char *v, size_t vn, bool has_val)
{
	enum body_type body;

	if (!has_val)
		return PARAM_SYNTAX;
	if (word_is(v, vn, "7BIT"))
		body = BODY_7BIT;
	else if (word_is(v, vn, "8BITMIME"))
		body = BODY_8BITMIME;
	else if (word_is(v, vn, "BINARYMIME"))
		body = BODY_BINARYMIME; /* RFC 3030 */
	else
		return PARAM_SYNTAX;
	if (seen->body && body != seen->p->body)
		return PARAM_BODY_CONFLICT;
	seen->body = true;
	seen->p->body = body;
	return PARAM_OK;
}

/* RFC 4954 5: AUTH=<> or AUTH=xtext (RFC 3461 4: printable ASCII but
 * '+' and '=', a '+' followed by two upper-case hex digits).  A client
 * that authenticated to us, Exim for one, sends it with every MAIL; the
 * value would matter to a relay, and nothing is relayed here. */
static bool
is_xtext(const char *v, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '+') {
			if (n - i < 3 || !memchr(hex, v[i + 1], 16) ||
			    !memchr(hex, v[i + 2], 16))
				return false;
			i += 2;
		} else if (v[i] < '!' || v[i] > '~' || v[i] == '=') {
			return false;
		}
	}
	return true;
}

static enum param_result
mail_param(const char *k, size_t kn, const char *v, size_t vn, bool has_val,
    void *arg)
{
	struct mail_seen *seen = arg;

	if (word_is(k, kn, "SIZE"))
		return mail_size(seen, v, vn, has_val);
	if (word_is(k, kn, "BODY"))
		return mail_body(seen, v, vn, has_val);
	if (word_is(k, kn, "SMTPUTF8")) {
		if (has_val)
			return PARAM_SYNTAX;
		seen->p->smtputf8 = true;
		return PARAM_OK;
	}
	if (word_is(k, kn, "AUTH")) {
		if (!has_val || !is_xtext(v, vn))
			return PARAM_SYNTAX;
		seen->p->auth = true;
		return PARAM_OK;
	}
	return PARAM_UNKNOWN;
}

enum param_result
params_parse_mail(const char *s, const char *end, struct mail_params *p)
{
	struct mail_seen seen = { p, false, false };

	memset(p, 0, sizeof(*p));
	return params_each(s, end, mail_param, &seen);
}

static enum param_result
rcpt_param(const char *k, size_t kn, const char *v, size_t vn, bool has_val,
    void *arg)
{
	(void)k, (void)kn, (void)v, (void)vn, (void)has_val, (void)arg;
	return PARAM_UNKNOWN;
}

enum param_result
params_parse_rcpt(const char *s, const char *end)
{
	return params_each(s, end, rcpt_param, NULL);
}
