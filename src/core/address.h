/*
 * address.h: RFC 5321 paths.  Pure: no I/O.
 */
#ifndef ADDRESS_H
#define ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_PATH_MAX 256   /* RFC 5321 4.5.3.1.3, brackets included */
#define ADDR_LOCAL_MAX 64   /* 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX 255 /* 4.5.3.1.2 */
#define ADDR_BUF (ADDR_PATH_MAX + 1)

enum addr_result {
	ADDR_OK = 0,
	ADDR_SYNTAX,   /* 501 */
	ADDR_TOO_LONG, /* 501 */
};

#define ADDR_NULL_OK 0x1       /* "<>" allowed (MAIL) */
#define ADDR_POSTMASTER_OK 0x2 /* "<Postmaster>" allowed (RCPT) */
#define ADDR_LOCAL_OK 0x4      /* a local part alone (VRFY, EXPN, aliases) */

struct path {
	char addr[ADDR_BUF]; /* mailbox without brackets or source route */
	bool utf8;           /* holds non-ASCII: needs SMTPUTF8 */
};

/*
 * Parses a path at *sp (leading spaces allowed, angle brackets optional as
 * Postfix allows) and leaves *sp after it.  Never reads past end.
 */
enum addr_result address_parse(const char **sp, const char *end,
    unsigned flags, struct path *out);

/* s is an RFC 5321 Domain (UTF-8 labels allowed, RFC 6531) or address
 * literal, and nothing else: what a HELO should name. */
bool address_is_domain(const char *s, size_t n);

/*
 * The form in which two addresses compare (the recipient table's key):
 * the local part unquoted where it can be, since RFC 5321 4.1.2 makes
 * "bob" and bob one mailbox, else quoted with only the needed
 * backslashes; the domain in lower case.  addr is what address_parse()
 * stored; key has room for ADDR_BUF.  Returns the key's length.
 */
size_t address_key(const char *addr, char *key);

/* The length of a key's local part: up to its '@' or its end. */
size_t address_key_local(const char *key);

/* A local part that is "postmaster" in any case, with any domain or none
 * (RFC 5321 4.5.1); addr as address_parse() stored it. */
bool address_is_postmaster(const char *addr);

#endif
