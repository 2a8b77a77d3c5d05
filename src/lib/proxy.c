/*
 * proxy.c: the PROXY protocol header (see proxy.h).
 *
 * Invariants: nothing is read past n; an answer never depends on octets
 * after the header (what follows belongs to the session); a prefix of a
 * header is PROXY_MORE, never PROXY_BAD; the addresses handed back are
 * numeric and were checked by inet_pton(3) or built from binary fields,
 * so they hold nothing a log line or a Received field must fear.
 */
#include <arpa/inet.h>
#include <string.h>

#include "lib/fmt.h"
#include "lib/proxy.h"

static const unsigned char v2_sig[12] = { '\r', '\n', '\r', '\n', '\0',
	'\r', '\n', 'Q', 'U', 'I', 'T', '\n' };

static enum proxy_result
bad(struct proxy_info *pi, const char *why)
{
	pi->why = why;
	return PROXY_BAD;
}

/* ---- version 1 ------------------------------------------------------------ */

/* The next space-separated field of [*p, end) into dst (size cap). */
static bool
field(const char **p, const char *end, char *dst, size_t cap)
{
	const char *s = *p, *e = memchr(s, ' ', (size_t)(end - s));
	size_t n = (size_t)((e ? e : end) - s);

	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	*p = e ? e + 1 : end;
	return true;
}

/* A port: 1 to 5 digits, at most 65535. */
static bool
port(const char *s, unsigned *out)
{
	size_t n = strlen(s);
	unsigned v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return v <= 65535;
}

/* An IPv4 address as text: inet_ntop(3) would bring in the printf
 * machinery, which a session otherwise does not touch before its first
 * command (every connection behind a balancer passes here). */
static void
ipv4_text(const unsigned char *a, char *dst)
{
	size_t o = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			dst[o++] = '.';
		o += fmt_dec(dst + o, a[i]);
	}
	dst[o] = '\0';
}

/* A numeric address of family af, in canonical form into dst. */
static bool
address(int af, const char *s, char *dst)
{
	unsigned char bin[16];

	if (inet_pton(af, s, bin) != 1)
		return false;
	if (af == AF_INET) {
		ipv4_text(bin, dst);
		return true;
	}
	return inet_ntop(af, bin, dst, PROXY_ADDR_MAX) != NULL;
}

/* "PROXY TCP4 192.0.2.1 198.51.100.1 56324 25\r\n": line is the text
 * without CRLF. */
static enum proxy_result
v1_line(const char *line, size_t n, struct proxy_info *pi)
{
	const char *p = line + 6, *end = line + n;
	char proto[8], sport[8], dport[8];
	int af;

	if (!field(&p, end, proto, sizeof(proto)))
		return bad(pi, "v1: no protocol");
	if (strcmp(proto, "UNKNOWN") == 0) {
		pi->local = true; /* the rest is to be ignored */
		return PROXY_OK;
	}
	if (strcmp(proto, "TCP4") == 0)
		af = AF_INET;
	else if (strcmp(proto, "TCP6") == 0)
		af = AF_INET6;
	else
		return bad(pi, "v1: unknown protocol");
	if (!field(&p, end, pi->src, sizeof(pi->src)) ||
	    !field(&p, end, pi->dst, sizeof(pi->dst)) ||
	    !field(&p, end, sport, sizeof(sport)) ||
	    !field(&p, end, dport, sizeof(dport)) || p != end)
		return bad(pi, "v1: wrong number of fields");
	if (!address(af, pi->src, pi->src) || !address(af, pi->dst, pi->dst))
		return bad(pi, "v1: bad address");
	if (!port(sport, &pi->sport) || !port(dport, &pi->dport))
		return bad(pi, "v1: bad port");
	return PROXY_OK;
}

static enum proxy_result
v1(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	const unsigned char *lf;
	size_t len;

	pi->version = 1;
	if (n > PROXY_V1_MAX)
		n = PROXY_V1_MAX;
	lf = memchr(buf, '\n', n);
	if (lf == NULL)
		return n == PROXY_V1_MAX ? bad(pi, "v1: line too long") :
		    PROXY_MORE;
	len = (size_t)(lf - buf) + 1;
	if (len < 2 || lf[-1] != '\r')
		return bad(pi, "v1: line does not end in CRLF");
	for (size_t i = 0; i < len - 2; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return bad(pi, "v1: control or non-ASCII octet");
	pi->len = len;
	return v1_line((const char *)buf, len - 2, pi);
}

/* ---- version 2 ------------------------------------------------------------ */

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The TLVs after the addresses: each must fit in what is left. */
static bool
tlvs_fit(const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t len;
		if (n < 3)
			return false;
		len = be16(p + 1);
		if (len > n - 3)
			return false;
		p += 3 + len;
		n -= 3 + len;
	}
	return true;
}

static enum proxy_result
v2_addresses(const unsigned char *a, size_t n, unsigned family,
    struct proxy_info *pi)
{
	size_t alen;

	switch (family >> 4) {
	case 1: /* AF_INET */
		alen = 12;
		if (n < alen)
			return bad(pi, "v2: short IPv4 address block");
		ipv4_text(a, pi->src);
		ipv4_text(a + 4, pi->dst);
		pi->sport = be16(a + 8);
		pi->dport = be16(a + 10);
		break;
	case 2: /* AF_INET6; an IPv4-mapped one as IPv4, as peer.c does */
		alen = 36;
		if (n < alen)
			return bad(pi, "v2: short IPv6 address block");
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
			ipv4_text(a + 12, pi->src);
		else
			inet_ntop(AF_INET6, a, pi->src, sizeof(pi->src));
		inet_ntop(AF_INET6, a + 16, pi->dst, sizeof(pi->dst));
		pi->sport = be16(a + 32);
		pi->dport = be16(a + 34);
		break;
	case 0: /* AF_UNSPEC: the sender could not say */
	case 3: /* AF_UNIX: no address of ours to use */
		alen = family >> 4 == 3 ? 216 : 0;
		if (n < alen)
			return bad(pi, "v2: short UNIX address block");
		pi->local = true;
		break;
	default:
		return bad(pi, "v2: unknown address family");
	}
	if ((family & 0x0f) > 2)
		return bad(pi, "v2: unknown transport");
	if (!tlvs_fit(a + alen, n - alen))
		return bad(pi, "v2: malformed TLV");
	return PROXY_OK;
}

static enum proxy_result
v2(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	size_t len;

	pi->version = 2;
	if (n < 16)
		return PROXY_MORE;
	if (buf[12] >> 4 != 2)
		return bad(pi, "v2: unknown version");
	if ((buf[12] & 0x0f) > 1)
		return bad(pi, "v2: unknown command");
	len = 16 + (size_t)be16(buf + 14);
	if (len > PROXY_V2_MAX)
		return bad(pi, "v2: header too long");
	if (n < len)
		return PROXY_MORE;
	pi->len = len;
	if ((buf[12] & 0x0f) == 0) { /* LOCAL: the block is to be ignored */
		pi->local = true;
		return PROXY_OK;
	}
	return v2_addresses(buf + 16, len - 16, buf[13], pi);
}

enum proxy_result
proxy_parse(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	size_t k;

	memset(pi, 0, sizeof(*pi));
	/* which version, as soon as the first octets tell */
	k = n < 6 ? n : 6;
	if (memcmp(buf, "PROXY ", k) == 0)
		return n < 6 ? PROXY_MORE : v1(buf, n, pi);
	k = n < sizeof(v2_sig) ? n : sizeof(v2_sig);
	if (memcmp(buf, v2_sig, k) == 0)
		return n < sizeof(v2_sig) ? PROXY_MORE : v2(buf, n, pi);
	return bad(pi, "not a PROXY protocol header");
}
