/*
 * address.c: RFC 5321 section 4.1.2 paths and RFC 6531 UTF-8 addresses.
 *
 * Invariants: nothing is read at or past `end`; an accepted address holds
 * no control character, neither ASCII nor Unicode (C1, the line
 * separators, the bidi overrides: utf8_is_control), so it can go into a
 * header or a log line as is and never reorders what is shown after it;
 * a key (address_key) is never longer than the address it is made from.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "core/address.h"
#include "lib/utf8.h"

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_atext(unsigned char c)
{
	return is_alnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Parsing cursor: p moves, end never does, utf8 records non-ASCII. */
struct cursor {
	const unsigned char *p, *end;
	bool utf8;
	bool too_long; /* a part over its RFC 5321 4.5.3.1 limit */
};

static bool
at(struct cursor *c, unsigned char ch)
{
	return c->p < c->end && *c->p == ch;
}

/* One UTF-8 sequence of two or more bytes, counted as a letter; a
 * control (C1, a line separator, a bidi override) is no letter. */
static bool
take_utf8(struct cursor *c)
{
	uint32_t cp;
	size_t n;

	if (c->p >= c->end || *c->p < 0x80)
		return false;
	n = utf8_decode(c->p, c->end, &cp);
	if (n == 0 || utf8_is_control(cp))
		return false;
	c->p += n;
	c->utf8 = true;
	return true;
}

static bool
take_atom(struct cursor *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end) {
		if (is_atext(*c->p))
			c->p++;
		else if (!take_utf8(c))
			break;
	}
	return c->p > start;
}

static bool
take_quoted(struct cursor *c)
{
	c->p++; /* the opening quote */
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = *c->p;
		if (ch == '\\') {
			if (c->end - c->p < 2 || c->p[1] < 32 || c->p[1] > 126)
				return false;
			c->p += 2;
		} else if (ch >= 32 && ch <= 126) {
			c->p++;
		} else if (!take_utf8(c)) {
			return false;
		}
	}
	if (!at(c, '"'))
		return false;
	c->p++;
	return true;
}

static bool
take_local_part(struct cursor *c)
{
	const unsigned char *start = c->p;

	if (at(c, '"')) {
		if (!take_quoted(c))
			return false;
	} else {
		if (!take_atom(c))
			return false;
		while (at(c, '.')) {
			c->p++;
			if (!take_atom(c))
				return false;
		}
	}
	if (c->p - start > ADDR_LOCAL_MAX)
		c->too_long = true;
	return !c->too_long;
}

static bool
take_subdomain(struct cursor *c)
{
	const unsigned char *start = c->p;
	bool last_hyphen = false;

	while (c->p < c->end) {
		if (is_alnum(*c->p)) {
			c->p++;
			last_hyphen = false;
		} else if (*c->p == '-' && c->p > start) {
			c->p++;
			last_hyphen = true;
		} else if (take_utf8(c)) {
			last_hyphen = false;
		} else {
			break;
		}
	}
	if (c->p - start > 63)
		c->too_long = true;
	return c->p > start && !last_hyphen && !c->too_long;
}

static bool
take_domain(struct cursor *c)
{
	const unsigned char *start = c->p;

	if (!take_subdomain(c))
		return false;
	while (at(c, '.')) {
		c->p++;
		if (!take_subdomain(c))
			return false;
	}
	if (c->p - start > ADDR_DOMAIN_MAX)
		c->too_long = true;
	return !c->too_long;
}

/* The text of an address literal between the brackets. */
static bool
literal_valid(const unsigned char *s, size_t n)
{
	char buf[64];
	unsigned char addr[16];
	size_t i;

	/* a NUL would end the text inet_pton() sees */
	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strncasecmp(buf, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, buf + 5, addr) == 1;
	if (inet_pton(AF_INET, buf, addr) == 1)
		return true;
	/* General-address-literal: Standardized-tag ":" 1*dcontent */
	for (i = 0; i < n && (is_alnum(s[i]) || s[i] == '-'); i++)
		;
	if (i == 0 || i >= n - 1 || s[i] != ':' || s[i - 1] == '-')
		return false;
	for (i++; i < n; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == '[' || s[i] == '\\' ||
		    s[i] == ']')
			return false;
	return true;
}

static bool
take_address_literal(struct cursor *c)
{
	const unsigned char *start = ++c->p;

	while (c->p < c->end && *c->p != ']')
		c->p++;
	if (!at(c, ']') || !literal_valid(start, (size_t)(c->p - start)))
		return false;
	c->p++;
	return true;
}

/* A-d-l ":" of RFC 5321: accepted and ignored (RFC 5321 4.1.2). */
static bool
skip_source_route(struct cursor *c)
{
	if (!at(c, '@'))
		return true;
	do {
		c->p++; /* '@' */
		if (!take_domain(c))
			return false;
		if (at(c, ','))
			c->p++;
	} while (at(c, '@'));
	if (!at(c, ':'))
		return false;
	c->p++;
	return true;
}

static bool
take_mailbox(struct cursor *c)
{
	if (!take_local_part(c) || !at(c, '@'))
		return false;
	c->p++;
	if (at(c, '['))
		return take_address_literal(c);
	return take_domain(c);
}

static bool
is_postmaster(const unsigned char *p, const unsigned char *end)
{
	return end - p == 10 && strncasecmp((const char *)p, "postmaster", 10) == 0;
}

static enum addr_result
finish(struct cursor *c, const unsigned char *from, struct path *out)
{
	size_t n = (size_t)(c->p - from);

	if (n > ADDR_PATH_MAX - 2)
		return ADDR_TOO_LONG;
	memcpy(out->addr, from, n);
	out->addr[n] = '\0';
	out->utf8 = c->utf8;
	return ADDR_OK;
}

enum addr_result
address_parse(const char **sp, const char *end, unsigned flags,
    struct path *out)
{
	struct cursor c = { (const unsigned char *)*sp,
		(const unsigned char *)end, false, false };
	const unsigned char *box, *box_end, *path_start;
	bool bracket;
	enum addr_result r;

	while (at(&c, ' '))
		c.p++;
	path_start = c.p;
	bracket = at(&c, '<');
	if (bracket)
		c.p++;
	if (bracket && at(&c, '>') && (flags & ADDR_NULL_OK)) {
		c.p++;
		if (c.p < c.end && *c.p != ' ') /* "<>SIZE=1" */
			return ADDR_SYNTAX;
		out->addr[0] = '\0';
		out->utf8 = false;
		*sp = (const char *)c.p;
		return ADDR_OK;
	}
	if (!skip_source_route(&c))
		return c.too_long ? ADDR_TOO_LONG : ADDR_SYNTAX;
	box = c.p;
	if (!take_mailbox(&c)) {
		if (c.too_long)
			return ADDR_TOO_LONG;
		c.p = box;
		c.utf8 = false;
		if (flags & ADDR_LOCAL_OK) {
			if (!take_local_part(&c) || at(&c, '@'))
				return c.too_long ? ADDR_TOO_LONG : ADDR_SYNTAX;
		} else {
			/* "<Postmaster>" without a domain, RFC 5321 4.5.1 */
			while (c.p < c.end && is_alnum(*c.p))
				c.p++;
			if (!(flags & ADDR_POSTMASTER_OK) ||
			    !is_postmaster(box, c.p))
				return ADDR_SYNTAX;
		}
	}
	box_end = c.p;
	if (bracket) {
		if (!at(&c, '>'))
			return ADDR_SYNTAX;
		c.p++;
	}
	if (c.p < c.end && *c.p != ' ')
		return ADDR_SYNTAX;
	if (c.p - path_start > ADDR_PATH_MAX)
		return ADDR_TOO_LONG;
	c.p = box_end;
	r = finish(&c, box, out);
	*sp = (const char *)(bracket ? box_end + 1 : box_end);
	return r;
}

bool
address_is_domain(const char *s, size_t n)
{
	struct cursor c = { (const unsigned char *)s,
		(const unsigned char *)s + n, false, false };
	bool ok = at(&c, '[') ? take_address_literal(&c) : take_domain(&c);

	return ok && c.p == c.end;
}

/* ---- comparing addresses ----------------------------------------------- */

size_t
address_key_local(const char *a)
{
	size_t i;

	if (a[0] != '"')
		return strcspn(a, "@");
	for (i = 1; a[i] != '\0' && a[i] != '"'; i++)
		if (a[i] == '\\' && a[i + 1] != '\0')
			i++;
	return a[i] == '"' ? i + 1 : i;
}

static bool
is_dot_atom(const char *p, size_t n)
{
	struct cursor c = { (const unsigned char *)p,
		(const unsigned char *)p + n, false, false };

	if (!take_atom(&c))
		return false;
	while (at(&c, '.')) {
		c.p++;
		if (!take_atom(&c))
			return false;
	}
	return c.p == c.end;
}

size_t
address_key(const char *addr, char *key)
{
	size_t len = strnlen(addr, ADDR_BUF - 1), n, k = 0, t = 0;
	char text[ADDR_BUF];

	n = address_key_local(addr);
	if (n > len)
		n = len;
	if (addr[0] != '"') {
		memcpy(key, addr, n);
		k = n;
	} else {
		/* the text between the quotes, its backslashes taken away */
		for (size_t i = 1; i + 1 < n; i++) {
			if (addr[i] == '\\' && i + 2 < n)
				i++;
			text[t++] = addr[i];
		}
		if (is_dot_atom(text, t)) {
			memcpy(key, text, t);
			k = t;
		} else {
			/* only '"' and '\\' need one, and they had one */
			key[k++] = '"';
			for (size_t i = 0; i < t; i++) {
				if (text[i] == '"' || text[i] == '\\')
					key[k++] = '\\';
				key[k++] = text[i];
			}
			key[k++] = '"';
		}
	}
	for (size_t i = n; i < len; i++)
		key[k++] = addr[i] >= 'A' && addr[i] <= 'Z' ?
		    (char)(addr[i] - 'A' + 'a') : addr[i];
	key[k] = '\0';
	return k;
}

bool
address_is_postmaster(const char *addr)
{
	char key[ADDR_BUF];

	address_key(addr, key);
	return address_key_local(key) == 10 &&
	    strncasecmp(key, "postmaster", 10) == 0;
}

