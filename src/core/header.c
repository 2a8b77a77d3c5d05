/*
 * header.c: Return-Path, X-Original-To and Received (RFC 5321 4.4).
 *
 * Invariant: each line written ends in the one LF this file puts there.
 * Addresses hold no control characters (address.c refuses them); the HELO
 * name, the client address and the host name are cleaned here anyway.
 */
#include <stdio.h>
#include <string.h>

#include "core/header.h"
#include "lib/utf8.h"

void
header_clean(char *dst, size_t n, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	const unsigned char *end = s + strlen(src);
	size_t o = 0;

	while (s < end && o + 1 < n) {
		uint32_t cp = 0;
		size_t u = *s >= 0x80 ? utf8_decode(s, end, &cp) : 1;
		if (u > 1 && utf8_is_control(cp)) {
			dst[o++] = '?'; /* C1, a separator, a bidi override */
			s += u;
			continue;
		}
		if (u > 1 && o + u < n) {
			memcpy(dst + o, s, u); /* RFC 6532: UTF-8 is fine */
			o += u, s += u;
			continue;
		}
		dst[o++] = *s < 0x20 || *s >= 0x7f ? '?' : (char)*s;
		s++;
	}
	dst[o] = '\0';
}

/* RFC 3848 and RFC 6531: the base word, then S for TLS, A for AUTH. */
const char *
header_protocol(const struct envelope *env)
{
	static const char words[4][4][12] = {
		{ "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA" },
		{ "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA" },
		{ "LMTP", "LMTPA", "LMTPS", "LMTPSA" },
		{ "UTF8LMTP", "UTF8LMTPA", "UTF8LMTPS", "UTF8LMTPSA" },
	};
	unsigned how = (env->tls ? 2u : 0u) | (env->auth_user ? 1u : 0u);

	if (!env->esmtp && !env->lmtp && !env->params.smtputf8)
		return "SMTP"; /* HELO: no extension, no word for one */
	return words[(env->lmtp ? 2 : 0) + (env->params.smtputf8 ? 1 : 0)][how];
}

/* RFC 5321 4.4 TCP-info: an address literal, or a comment saying where
 * a session without a network peer came from. */
static void
client_literal(char *dst, size_t n, const char *addr)
{
	char clean[96];

	header_clean(clean, sizeof(clean), addr);
	if (strchr(clean, ':'))
		snprintf(dst, n, "[IPv6:%s]", clean);
	else if (clean[0] >= '0' && clean[0] <= '9')
		snprintf(dst, n, "[%s]", clean);
	else
		snprintf(dst, n, "%s", clean);
}

/* The block is gathered here and handed on in few pieces: for one
 * recipient, one. */
struct block {
	body_write_fn write;
	void *ctx;
	int failed;
	size_t len;
	char buf[HEADER_BLOCK_BUF];
};

static void
block_flush(struct block *b)
{
	if (b->len > 0 && !b->failed && b->write(b->ctx, b->buf, b->len) < 0)
		b->failed = 1;
	b->len = 0;
}

/* Appends one formatted line (n from snprintf into line, size cap): one
 * too long is cut, but keeps its line end. */
static void
block_put(struct block *b, char *line, int n, size_t cap)
{
	if (n < 0 || (size_t)n >= cap) {
		n = (int)cap - 2;
		line[n++] = '\n';
	}
	if (b->len + (size_t)n > sizeof(b->buf))
		block_flush(b);
	memcpy(b->buf + b->len, line, (size_t)n);
	b->len += (size_t)n;
}

/* The HELO name as the client gave it, for a comment: cleaned, and every
 * character that could end the comment or stand for structure (\ " ( )
 * ;) quoted (RFC 5322 quoted-pair). */
static void
helo_comment(char *dst, size_t n, const char *helo)
{
	char clean[SESSION_HELO_MAX + 1];
	size_t o = 0;

	header_clean(clean, sizeof(clean), helo);
	for (const char *p = clean; *p && o + 3 < n; p++) {
		if (strchr("\\\"();", *p))
			dst[o++] = '\\';
		dst[o++] = *p;
	}
	dst[o] = '\0';
}

/* Postfix's comments for TLS and AUTH: how the message came, and who
 * the client proved to be; both quoted as the HELO name is. */
static void
secure_comments(char *dst, size_t n, const struct envelope *env)
{
	char tls[160], user[2 * SASL_USER_MAX + 4];
	size_t o = 0;

	dst[0] = '\0';
	if (env->tls) {
		helo_comment(tls, sizeof(tls), env->tls);
		o += (size_t)snprintf(dst, n, "\n\t(using %s)", tls);
	}
	if (env->auth_user && o < n) {
		helo_comment(user, sizeof(user), env->auth_user);
		snprintf(dst + o, n - o, "\n\t(Authenticated sender: %s)", user);
	}
}

/*
 * "from" names the HELO only when it is a domain or an address literal,
 * as RFC 5321 4.4 has it; any other HELO goes into the comment, quoted,
 * and the client's address literal takes its place (Postfix shows an
 * unverified name the same way: never as structure).  Whatever a client
 * says, no "by", "with", "id", "for" or date of its own can appear.
 */
static void
put_received(struct block *b, const struct envelope *env, const char *date)
{
	char line[2048], helo[2 * SESSION_HELO_MAX + 16], client[128];
	char host[256], from[SESSION_HELO_MAX + 1];
	char secure[2 * SASL_USER_MAX + 256];
	int n;

	client_literal(client, sizeof(client), env->client_addr);
	header_clean(host, sizeof(host), env->hostname);
	if (address_is_domain(env->helo, strlen(env->helo))) {
		snprintf(from, sizeof(from), "%s", env->helo);
		helo[0] = '\0';
	} else {
		snprintf(from, sizeof(from), "%s",
		    client[0] == '[' ? client : "unknown");
		memcpy(helo, " helo=\"", 7);
		helo_comment(helo + 7, sizeof(helo) - 8, env->helo);
		strcat(helo, "\"");
	}
	secure_comments(secure, sizeof(secure), env);
	n = snprintf(line, sizeof(line),
	    "Received: from %s (%s%s)%s\n\tby %s (smtp-sink) with %s id %s",
	    from, client, helo, secure, host, header_protocol(env), env->id);
	if (n > 0 && (size_t)n < sizeof(line)) {
		if (env->nrcpt == 1)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
			    "\n\tfor <%s>; %s\n", env->rcpt[0].addr, date);
		else
			n += snprintf(line + n, sizeof(line) - (size_t)n,
			    ";\n\t%s\n", date);
	}
	block_put(b, line, n, sizeof(line));
}

int
header_write(const struct envelope *env, const char *date,
    body_write_fn write, void *ctx)
{
	struct block b;
	char line[ADDR_BUF + 32];

	b.write = write, b.ctx = ctx, b.failed = 0, b.len = 0;
	block_put(&b, line, snprintf(line, sizeof(line), "Return-Path: <%s>\n",
	    env->sender.addr), sizeof(line));
	for (unsigned i = 0; i < env->nrcpt; i++)
		block_put(&b, line, snprintf(line, sizeof(line),
		    "X-Original-To: %s\n", env->rcpt[i].addr), sizeof(line));
	put_received(&b, env, date);
	block_flush(&b);
	return b.failed ? -1 : 0;
}
