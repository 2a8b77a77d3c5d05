/*
 * test_proxy.c: the PROXY protocol header parser (lib/proxy.c): the
 * headers HAProxy sends, and the ones that must be refused.
 */
#include <string.h>

#include "check.h"
#include "lib/proxy.h"

static const char sig[] = "\r\n\r\n\0\r\nQUIT\n";

static enum proxy_result
parse(const void *p, size_t n, struct proxy_info *pi)
{
	return proxy_parse(p, n, pi);
}

#define PARSE(lit, pi) parse(lit, sizeof(lit) - 1, pi)

static void
test_v1(void)
{
	struct proxy_info pi;
	static const char tcp4[] = "PROXY TCP4 203.0.113.9 192.0.2.1 4711 25\r\nEHLO";

	CHECK(PARSE(tcp4, &pi) == PROXY_OK);
	CHECK(pi.version == 1 && !pi.local && pi.len == 42);
	CHECK_STR_EQ(pi.src, "203.0.113.9");
	CHECK_STR_EQ(pi.dst, "192.0.2.1");
	CHECK(pi.sport == 4711 && pi.dport == 25);
	for (size_t k = 0; k < 42; k++)
		CHECK(parse(tcp4, k, &pi) == PROXY_MORE);
	CHECK(PARSE("PROXY TCP6 2001:DB8:0::7 ::1 1 65535\r\n", &pi) == PROXY_OK);
	CHECK_STR_EQ(pi.src, "2001:db8::7"); /* canonical */
	CHECK(pi.dport == 65535);
	CHECK(PARSE("PROXY UNKNOWN\r\n", &pi) == PROXY_OK && pi.local);
	CHECK(PARSE("PROXY UNKNOWN whatever 1 2\r\n", &pi) == PROXY_OK &&
	    pi.local);

	static const char *bad[] = {
		"PROXY TCP4 203.0.113.9 192.0.2.1 4711 25\n",
		"PROXY TCP4 203.0.113.9 192.0.2.1 4711\r\n",
		"PROXY TCP4 203.0.113.9 192.0.2.1 4711 25 9\r\n",
		"PROXY TCP4 203.0.113.9  192.0.2.1 4711 25\r\n",
		"PROXY TCP4 2001:db8::1 192.0.2.1 4711 25\r\n",
		"PROXY TCP6 203.0.113.9 192.0.2.1 4711 25\r\n",
		"PROXY TCP4 203.0.113.9 192.0.2.1 65536 25\r\n",
		"PROXY TCP4 203.0.113.9 192.0.2.1 -1 25\r\n",
		"PROXY TCP4 203.0.113.999 192.0.2.1 1 25\r\n",
		"PROXY UDP4 203.0.113.9 192.0.2.1 4711 25\r\n",
		"PROXY tcp4 203.0.113.9 192.0.2.1 4711 25\r\n",
		"PROXY TCP4 203.0.113.9\x01 192.0.2.1 4711 25\r\n",
		"PROXY \r\n",
		"proxy TCP4 203.0.113.9 192.0.2.1 4711 25\r\n",
		"EHLO client.test\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECK(parse(bad[i], strlen(bad[i]), &pi) == PROXY_BAD);
		CHECK(pi.why != NULL);
	}
	/* no line end within 107 octets */
	char longline[200];
	memset(longline, '1', sizeof(longline));
	memcpy(longline, "PROXY UNKNOWN ", 14);
	CHECK(parse(longline, 106, &pi) == PROXY_MORE);
	CHECK(parse(longline, 107, &pi) == PROXY_BAD);
	CHECK(parse(longline, sizeof(longline), &pi) == PROXY_BAD);
}

/* A version 2 header: sig, ver_cmd, fam, then len octets of body. */
static size_t
v2(unsigned char *out, unsigned char cmd, unsigned char fam,
    const void *body, size_t len)
{
	memcpy(out, sig, 12);
	out[12] = cmd;
	out[13] = fam;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	memcpy(out + 16, body, len);
	return 16 + len;
}

static void
test_v2(void)
{
	static const unsigned char in4[] = { 198, 51, 100, 9, 192, 0, 2, 1,
		0x12, 0x34, 0, 25, /* TLVs: ALPN "smtp", NOOP */
		1, 0, 4, 's', 'm', 't', 'p', 4, 0, 2, 0, 0 };
	unsigned char in6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned char buf[5000];
	struct proxy_info pi;
	size_t n;

	n = v2(buf, 0x21, 0x11, in4, sizeof(in4));
	memcpy(buf + n, "EHLO", 4);
	CHECK(proxy_parse(buf, n + 4, &pi) == PROXY_OK);
	CHECK(pi.version == 2 && pi.len == n && !pi.local);
	CHECK_STR_EQ(pi.src, "198.51.100.9");
	CHECK(pi.sport == 0x1234 && pi.dport == 25);
	for (size_t k = 0; k < n; k++)
		CHECK(proxy_parse(buf, k, &pi) == PROXY_MORE);
	/* a TLV that does not fit */
	n = v2(buf, 0x21, 0x11, in4, sizeof(in4) - 1);
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);
	/* too short for its family */
	n = v2(buf, 0x21, 0x11, in4, 11);
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);

	in6[15] = 7, in6[31] = 1, in6[33] = 80, in6[35] = 25;
	n = v2(buf, 0x21, 0x21, in6, sizeof(in6));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_OK);
	CHECK_STR_EQ(pi.src, "2001:db8::7");
	CHECK(pi.sport == 80 && pi.dport == 25);
	/* an IPv4-mapped address is shown as IPv4, as getpeername's are */
	memset(in6, 0, 16);
	in6[10] = in6[11] = 0xff, in6[12] = 192, in6[15] = 7;
	n = v2(buf, 0x21, 0x21, in6, sizeof(in6));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_OK);
	CHECK_STR_EQ(pi.src, "192.0.0.7");

	/* LOCAL: the block is ignored; UNSPEC: no address */
	n = v2(buf, 0x20, 0x11, in4, sizeof(in4));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_OK && pi.local);
	n = v2(buf, 0x21, 0x00, "", 0);
	CHECK(proxy_parse(buf, n, &pi) == PROXY_OK && pi.local);

	/* version, command, family, transport, length */
	n = v2(buf, 0x11, 0x11, in4, sizeof(in4));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);
	n = v2(buf, 0x22, 0x11, in4, sizeof(in4));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);
	n = v2(buf, 0x21, 0x41, in4, sizeof(in4));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);
	n = v2(buf, 0x21, 0x13, in4, sizeof(in4));
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD);
	memset(buf + 16, 0, sizeof(buf) - 16);
	n = v2(buf, 0x21, 0x11, buf + 16, PROXY_V2_MAX - 16 + 1);
	CHECK(proxy_parse(buf, 16, &pi) == PROXY_BAD); /* known at once */
	CHECK(strstr(pi.why, "too long") != NULL);
	n = v2(buf, 0x21, 0x00, buf + 16, PROXY_V2_MAX - 16);
	CHECK(proxy_parse(buf, n, &pi) == PROXY_OK); /* 1360 empty TLVs */
	n = v2(buf, 0x21, 0x00, buf + 16, PROXY_V2_MAX - 17);
	CHECK(proxy_parse(buf, n, &pi) == PROXY_BAD); /* 2 octets left */
	CHECK(proxy_parse(buf, 15, &pi) == PROXY_MORE);
	/* a signature that goes wrong is refused as soon as it does */
	CHECK(proxy_parse((const unsigned char *)"\r\n\r\nX", 5, &pi) ==
	    PROXY_BAD);
}

int
main(void)
{
	test_v1();
	test_v2();
	return check_finish("proxy");
}
