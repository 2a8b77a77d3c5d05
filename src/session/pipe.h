/*
 * pipe.h: delivery to a command, /bin/sh -c CMD, message on its standard
 * input, envelope in its environment (never on its command line).
 *
 * The message is spooled to an unlinked file while it arrives and the
 * command starts only once the message is complete: a command never sees
 * a message the client did not finish, and never blocks the session.
 */
#ifndef PIPE_H
#define PIPE_H

#include <stddef.h>
#include <sys/uio.h>

#include "core/session.h"

struct pipe_delivery {
	const char *cmd;
	unsigned timeout; /* seconds the command may run */
	int out_fd;       /* where the command's output goes, or -1 */
	int spool;        /* the unlinked spool file, or -1 */
};

void pipe_init(struct pipe_delivery *, const char *cmd, unsigned timeout,
    int out_fd);
int pipe_begin(struct pipe_delivery *);
int pipe_write(struct pipe_delivery *, struct iovec *iov, int iovcnt);
/* Runs the command: 0 when it exited 0; DELIVER_TEMPORARY for
 * EX_TEMPFAIL, EX_OSERR, a signal, a status over 128, or running past
 * the timeout (it is killed); -1 with errno when it could not be run;
 * DELIVER_PERMANENT for any other status. */
int pipe_commit(struct pipe_delivery *, const struct envelope *);
void pipe_abort(struct pipe_delivery *);

#endif
