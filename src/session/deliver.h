/*
 * deliver.h: where accepted mail goes: the console, a Maildir, a command,
 * or nowhere (--discard).  The session core sees only deliver_ops.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stdbool.h>

#include "core/header.h"
#include "core/session.h"
#include "session/maildir.h"
#include "session/options.h"
#include "session/pipe.h"

struct deliver {
	bool print, maildir, pipe; /* targets of this session */
	struct maildir md;
	struct pipe_delivery pd;
	/* the header block, held until it can go out with the first bytes
	 * of the message in one write */
	size_t head_len;
	char head[HEADER_BLOCK_BUF];
};

extern const struct delivery_ops deliver_ops;

/* Decides the targets from the options and opens the Maildir (a Maildir
 * that cannot be used is logged here, and refused at each DATA).
 * cmd_out is where --pipe's command writes: the log's fd, or -1. */
void deliver_init(struct deliver *, const struct options *, int cmd_out);

#endif
