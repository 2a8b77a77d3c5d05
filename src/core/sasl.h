/*
 * sasl.h: the client's side of AUTH PLAIN (RFC 4616) and AUTH LOGIN
 * (draft-murchison-sasl-login), decoded and checked, no I/O.
 *
 * What leaves here is a user name and a password as C strings: neither
 * holds a NUL, the user name no control character, and neither is ever
 * longer than its buffer.  Whether they are right is the edge's question.
 */
#ifndef SASL_H
#define SASL_H

#include <stddef.h>

#define SASL_LINE_MAX 12288 /* an AUTH line with its CRLF (RFC 4954 4) */
#define SASL_USER_MAX 255   /* octets of a user name */
#define SASL_PASS_MAX 1023  /* octets of a password */

enum sasl_result {
	SASL_OK,
	SASL_CANCEL,    /* "*": the client gave up (501) */
	SASL_BAD_B64,   /* not strict base64 (501 5.5.2) */
	SASL_MALFORMED, /* no user, NULs misplaced, too long, controls (535) */
	SASL_AUTHZID,   /* PLAIN: an authorization identity not the user's */
};

struct sasl_creds {
	char user[SASL_USER_MAX + 1];
	char pass[SASL_PASS_MAX + 1];
};

/* A client response line (without CRLF) decoded into out; "=" (as an
 * initial response) and an empty line (as a continuation) are the empty
 * response (RFC 4954 4).  *len receives the octets. */
enum sasl_result sasl_response(const char *line, size_t n,
    unsigned char *out, size_t cap, size_t *len);

/* PLAIN's message: authzid NUL authcid NUL passwd. */
enum sasl_result sasl_plain(const unsigned char *msg, size_t len,
    struct sasl_creds *);

/* LOGIN's answers, one at a time: the user name, then the password. */
enum sasl_result sasl_login_user(const unsigned char *msg, size_t len,
    struct sasl_creds *);
enum sasl_result sasl_login_pass(const unsigned char *msg, size_t len,
    struct sasl_creds *);

/* Overwrites a secret so that it does not outlive its use. */
void sasl_wipe(void *p, size_t n);

#endif
