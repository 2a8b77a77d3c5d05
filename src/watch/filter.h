/*
 * filter.h: the --rcpt and --from filters, on the envelope block only.
 * Pure: no I/O but through the message's reader.
 */
#ifndef WATCH_FILTER_H
#define WATCH_FILTER_H

#include <stddef.h>

#include "watch/message.h"

struct filter {
	const char **rcpt, **from; /* addr_match() patterns */
	size_t nrcpt, nfrom;
};

/*
 * A message passes when one of its recipients matches one of the rcpt
 * patterns and its sender one of the from patterns (no patterns: any).
 * A message without an envelope block passes no pattern, and a cut
 * address matches none.  1: it passes; 0: it does not; -1: a read failed.
 */
int filter_match(const struct filter *fl, struct message *m);

#endif
