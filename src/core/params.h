/*
 * params.h: the ESMTP parameters of MAIL and RCPT.  Pure: no I/O.
 */
#ifndef PARAMS_H
#define PARAMS_H

#include <stdbool.h>
#include <stdint.h>

enum body_type { BODY_UNSPECIFIED, BODY_7BIT, BODY_8BITMIME, BODY_BINARYMIME };

struct mail_params {
	uint64_t size; /* SIZE=, 0 when absent */
	bool has_size;
	enum body_type body;
	bool smtputf8;
	bool auth; /* AUTH= (RFC 4954 5): said, its value not kept */
};

enum param_result {
	PARAM_OK = 0,
	PARAM_SYNTAX,        /* 501: malformed */
	PARAM_UNKNOWN,       /* 555: not one we implement */
	PARAM_SIZE_CONFLICT, /* 501: two SIZE= with different values */
	PARAM_BODY_CONFLICT, /* 501: two BODY= with different values */
};

/* MAIL FROM parameters after the path: SIZE, BODY, SMTPUTF8, AUTH. */
enum param_result params_parse_mail(const char *s, const char *end,
    struct mail_params *);

/* RCPT TO takes no parameters yet: anything there is PARAM_UNKNOWN. */
enum param_result params_parse_rcpt(const char *s, const char *end);

#endif
