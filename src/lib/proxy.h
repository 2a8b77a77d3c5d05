/*
 * proxy.h: the HAProxy PROXY protocol header, versions 1 (text) and 2
 * (binary), as a load balancer puts it in front of the client's bytes to
 * say who the client is.  Pure: bytes in, an answer out; no I/O, so it is
 * unit-tested and fuzzed.
 *
 * Specification: haproxy's doc/proxy-protocol.txt.  Version 1 is one
 * line of at most 107 octets ("PROXY TCP4 src dst sport dport\r\n",
 * TCP6, or UNKNOWN); version 2 is a 16-octet head (a 12-octet signature,
 * version and command, family, length) and that many octets of addresses
 * and TLVs.  TLVs are walked only to check that they fit, never used.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_V1_MAX 107  /* the longest version 1 line, CRLF included */
#define PROXY_V2_MAX 4096 /* the longest version 2 header accepted */
#define PROXY_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

enum proxy_result {
	PROXY_MORE, /* a header may still follow: read more */
	PROXY_OK,
	PROXY_BAD,  /* not a header, malformed, or too long */
};

struct proxy_info {
	size_t len;  /* octets of the header: the session starts after them */
	int version; /* 1 or 2 */
	bool local;  /* no client address (v2 LOCAL, v1 UNKNOWN, v2 UNSPEC or
			UNIX): the connection's own endpoints stand */
	char src[PROXY_ADDR_MAX], dst[PROXY_ADDR_MAX]; /* numeric addresses */
	unsigned sport, dport;
	const char *why; /* PROXY_BAD: what was wrong, for the log */
};

/* Reads a header at the start of buf[0, n).  PROXY_MORE only while what
 * is there can still begin a header; PROXY_BAD as soon as it cannot. */
enum proxy_result proxy_parse(const unsigned char *buf, size_t n,
    struct proxy_info *);

#endif
