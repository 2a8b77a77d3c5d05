/*
 * deliver.h: where accepted mail goes: the console, a Maildir, a command,
 * or nowhere (--discard).  The session core sees only deliver_ops.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stdbool.h>

#include "session/maildir.h"
#include "session/options.h"
#include "session/pipe.h"
#include "core/session.h"

struct deliver {
	const struct options *opt;
	bool print, maildir, pipe; /* targets of this session */
	struct maildir md;
	struct pipe_delivery pd;
	char stored[MAILDIR_NAME_MAX];
	size_t console_len;
	char console[65536];
};

extern const struct delivery_ops deliver_ops;

/* Decides the targets from the options and opens the Maildir. */
void deliver_init(struct deliver *, const struct options *, int log_fd);

#endif
