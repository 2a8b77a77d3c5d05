/*
 * extensions.c: the EHLO keywords by name, for the options that name
 * them (--withhold) and for the tests that play those options.
 */
#include <strings.h>

#include "core/session.h"

/* Arrays, not pointers: no relocation at start for a session that never
 * looks. */
static const struct {
	char keyword[20];
	unsigned ext;
} keywords[] = {
	{ "PIPELINING", EXT_PIPELINING }, { "SIZE", EXT_SIZE },
	{ "8BITMIME", EXT_8BITMIME }, { "SMTPUTF8", EXT_SMTPUTF8 },
	{ "ENHANCEDSTATUSCODES", EXT_ENHANCEDSTATUSCODES },
	{ "CHUNKING", EXT_CHUNKING }, { "BINARYMIME", EXT_BINARYMIME },
	{ "STARTTLS", EXT_STARTTLS },
	{ "AUTH", EXT_AUTH },
};

unsigned
session_extension(const char *keyword)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
		if (strcasecmp(keyword, keywords[i].keyword) == 0)
			return keywords[i].ext;
	return 0;
}
