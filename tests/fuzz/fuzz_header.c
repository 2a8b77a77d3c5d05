/*
 * fuzz_header.c: the header block in front of every stored message
 * (src/core/header.c), with everything the client controls fuzzed.
 *
 * Input: byte 0 (bit 0 EHLO, bit 1 SMTPUTF8, bits 2-4 the most
 * recipients), then NUL-separated fields: the HELO name, the client
 * address, the host name, the sender, and the recipients.  Addresses go
 * through address_parse() first, as they do in a session; the rest is
 * taken as it comes, control characters included.
 *
 * Invariants: the block has exactly 4 + recipients lines, written in
 * whole lines, in one write unless it is larger than the buffer; they are Return-Path, one X-Original-To per
 * recipient, Received and its two continuation lines; no line is empty,
 * and no byte of it is a control character but the tab that starts a
 * continuation line: whatever the client sent, it cannot add a line.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "core/header.h"

#define RCPT_MAX 8

/* The next NUL-terminated field of the input, cut to max bytes. */
static const char *
field(const char **p, const char *end, char *buf, size_t max)
{
	const char *z = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = (size_t)((z ? z : end) - *p);

	if (n > max)
		n = max;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = z ? z + 1 : end;
	return buf;
}

static void
take_path(const char *text, unsigned flags, struct path *out)
{
	const char *sp = text;

	if (address_parse(&sp, text + strlen(text), flags, out) != ADDR_OK)
		snprintf(out->addr, sizeof(out->addr), "fallback@x.test");
}

struct block {
	struct log out;
	unsigned writes;
};

static int
block_write(void *ctx, const char *buf, size_t len)
{
	struct block *b = ctx;

	REQUIRE(len > 0 && len <= HEADER_BLOCK_BUF && buf[len - 1] == '\n');
	b->writes++;
	log_add(&b->out, buf, len);
	return 0;
}

static bool
starts(const char *l, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(l, prefix, k) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char helo[SESSION_HELO_MAX + 1], client[200], host[300],
	    text[600];
	static struct path rcpt[RCPT_MAX];
	struct envelope env;
	struct block b = { 0 };
	const char *p, *end;
	unsigned max, lines = 0;

	if (size < 1)
		return 0;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	memset(&env, 0, sizeof(env));
	env.esmtp = data[0] & 1;
	env.params.smtputf8 = data[0] & 2;
	max = (data[0] >> 2) & 7;
	env.helo = field(&p, end, helo, SESSION_HELO_MAX);
	env.client_addr = field(&p, end, client, sizeof(client) - 1);
	env.hostname = field(&p, end, host, 255);
	env.session_id = "FUZZ";
	snprintf(env.id, sizeof(env.id), "%s.%u", "0123456789ABCDEF0123456789",
	    4294967295u);
	take_path(field(&p, end, text, sizeof(text) - 1), ADDR_NULL_OK,
	    &env.sender);
	env.rcpt = rcpt;
	while (p < end && env.nrcpt < max && env.nrcpt < RCPT_MAX)
		take_path(field(&p, end, text, sizeof(text) - 1),
		    ADDR_POSTMASTER_OK, &rcpt[env.nrcpt++]);

	REQUIRE(header_write(&env, "Sat, 28 Nov 2026 17:48:40 +0000",
		    block_write, &b) == 0);
	for (size_t i = 0; i < b.out.len;) {
		const char *l = b.out.p + i;
		const char *e = memchr(l, '\n', b.out.len - i);
		REQUIRE(e != NULL);
		size_t n = (size_t)(e - l);
		REQUIRE(n > 0);
		if (lines == 0)
			REQUIRE(starts(l, n, "Return-Path: <"));
		else if (lines <= env.nrcpt)
			REQUIRE(starts(l, n, "X-Original-To: "));
		else if (lines == env.nrcpt + 1)
			REQUIRE(starts(l, n, "Received: from "));
		else
			REQUIRE(l[0] == '\t');
		for (size_t k = lines > env.nrcpt + 1 ? 1 : 0; k < n; k++)
			REQUIRE((unsigned char)l[k] >= 0x20 && l[k] != 0x7f);
		lines++;
		i += n + 1;
	}
	REQUIRE(lines == env.nrcpt + 4);
	/* gathered: one write, unless the block is larger than the buffer */
	REQUIRE(b.writes >= 1);
	REQUIRE(b.out.len > HEADER_BLOCK_BUF || b.writes == 1);
	log_free(&b.out);
	return 0;
}
