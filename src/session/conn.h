/*
 * conn.h: the client's connection.  The one place where bytes cross to
 * and from the client: its file descriptors, reads that wait no longer
 * than a deadline, writes that give up after --timeout.  TLS, the PROXY
 * header and a transcript tap plug in here and nowhere else.
 */
#ifndef CONN_H
#define CONN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/proxy.h"
#include "session/peer.h"

#define CONN_BUF_SIZE 65536 /* reads are this large, never a byte at a time */

struct transcript;

struct conn {
	int in, out;
	struct transcript *tap; /* --transcript: every byte, or NULL */
	bool socket;       /* out is a socket: SO_SNDTIMEO bounds each write */
	unsigned timeout;  /* seconds a write may wait */
	sigset_t wait_mask; /* the signals a wait for input lets in */
	size_t off, len;   /* input read but not yet used: buf[off, len) */
	char buf[CONN_BUF_SIZE];
};

/* Takes the peer's descriptors; a write gives up after timeout seconds.
 * A wait for input runs with wait_mask, which lets in the stop signals
 * the caller blocks elsewhere: stopping is safe only there. */
void conn_init(struct conn *, const struct peer *, unsigned timeout,
    const sigset_t *wait_mask);

/* Input read but not yet used, and how much of it was used. */
const char *conn_input(const struct conn *, size_t *len);
void conn_consume(struct conn *, size_t n);

/* Reads more input, waiting until deadline (clock_ms()): 1 when there is
 * input, 0 at the end of it, -1 with errno (ETIMEDOUT at the deadline,
 * EINTR for a signal of the stop set). */
int conn_fill(struct conn *, long long deadline);

/* Reads the PROXY protocol header that a load balancer sends first
 * (--proxy-protocol), waiting until deadline at most: 0 with *info filled
 * and the header consumed, whatever followed it left for the session; -1
 * with info->why when it is malformed, too long, late or missing.  With
 * exact (implicit TLS comes next), not one octet past the header is
 * read: the TLS ClientHello is OpenSSL's to read from the socket. */
int conn_proxy(struct conn *, long long deadline, struct proxy_info *info,
    bool exact);

/* Writes all of it: 0, or -1 with errno when the client is gone or did
 * not read for --timeout. */
int conn_write(struct conn *, const char *, size_t);

/* STARTTLS: throws away the input read but not yet used, which came in
 * clear before the handshake; returns how many octets. */
size_t conn_discard(struct conn *);

/* The server's side of a TLS handshake (tls.h has loaded the key),
 * finished by deadline: 0, from then on every byte is encrypted; -1 with
 * OpenSSL's reason in why. */
int conn_tls(struct conn *, long long deadline, char *why, size_t n);

/* Waits ms milliseconds with nothing to read or write (--delay), the
 * stop signals let in as in conn_fill: 0, or -1 with EINTR. */
int conn_pause(struct conn *, unsigned ms);

#endif
