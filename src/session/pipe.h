/*
 * pipe.h: delivery to a command, /bin/sh -c CMD, message on its standard
 * input, envelope in its environment (never on its command line).
 *
 * The message is spooled to an unlinked file while it arrives and the
 * command starts only once the message is complete: a command never sees
 * a message the client did not finish, and never blocks the session.
 * The command is started by the runner (runner.h), forked before the
 * session confines itself.
 */
#ifndef PIPE_H
#define PIPE_H

#include <stddef.h>
#include <sys/uio.h>

#include "core/session.h"

/* RECIPIENTS is set only when all of them fit in this. */
#define PIPE_RECIPIENTS_MAX (64 * 1024)

struct pipe_delivery {
	unsigned timeout; /* seconds the command may run */
	int runner;       /* the socket to the command runner, or -1 */
	int spool;        /* the unlinked spool file, or -1 */
};

/* Starts the command runner: before the session confines itself. */
void pipe_init(struct pipe_delivery *, const char *cmd, unsigned timeout,
    int out_fd);
int pipe_begin(struct pipe_delivery *);
int pipe_write(struct pipe_delivery *, struct iovec *iov, int iovcnt);
/* Runs the command: 0 when it exited 0; DELIVER_TEMPORARY for
 * EX_TEMPFAIL, EX_OSERR, a signal, a status over 128, running past the
 * timeout (it is killed), or a start that failed for a passing cause; -1
 * with errno when the runner is gone; DELIVER_PERMANENT for any other
 * status, or a start that cannot succeed (logged with its reason). */
int pipe_commit(struct pipe_delivery *, const struct envelope *);
void pipe_abort(struct pipe_delivery *);

#endif
