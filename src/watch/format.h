/*
 * format.h: the three output formats, one record per message: summary (a
 * terminal line), json (one JSON object a line) and mbox (mboxrd).
 *
 * Pure: a record goes to the caller's emit function; the message is read
 * through its reader; local time, which needs the time zone database,
 * comes from the caller's function.
 */
#ifndef WATCH_FORMAT_H
#define WATCH_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "watch/date.h"
#include "watch/message.h"
#include "watch/out.h"

enum format { FMT_SUMMARY, FMT_JSON, FMT_MBOX };

struct render {
	enum format format;
	const char *maildir; /* absolute, for the JSON "path" */
	/* the local calendar fields of t for the summary; false if none */
	bool (*localtime)(int64_t t, struct civil *c);
	emit_fn emit;
	void *ctx;
};

/*
 * Writes the record of m, which message_read() read.  0, or -1 when a read
 * failed on the way (errno tells): what was written is a whole record all
 * the same (a JSON line ends its array, an mbox message its lines).
 */
int format_message(const struct render *r, struct message *m);

#endif
