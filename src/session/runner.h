/*
 * runner.h: the command runner of --pipe.
 *
 * The session confines itself (confine.c) so that it can neither execute
 * nor create a process; a command still has to run.  So, before it
 * confines itself, the session forks this small runner, which keeps the
 * rights the session was started with and does one thing: on request it
 * runs /bin/sh -c CMD with a spool file as standard input and an
 * environment the session gives, waits for it (killing it past the
 * timeout), and answers with the outcome.  It never sees the client, and
 * the client's bytes reach it only as the message on the command's
 * standard input, which is what --pipe means.  It exits when the session
 * does (end of file on their socket).
 *
 * The protocol, over a SOCK_SEQPACKET pair: a request is one message, a
 * struct runner_request, then NUL-separated KEY=VALUE strings, with the
 * spool's descriptor attached (SCM_RIGHTS); the answer is a struct
 * runner_answer.
 */
#ifndef RUNNER_H
#define RUNNER_H

#include <stdint.h>

#define RUNNER_ENV_MAX (96 * 1024) /* the strings of one request */

struct runner_request {
	uint32_t timeout; /* seconds */
	uint32_t env_len; /* bytes of strings after this header */
};

enum runner_outcome {
	RUN_EXITED,   /* status: the command's wait status */
	RUN_NOSTART,  /* error: why sh could not be started (fork, exec) */
	RUN_TIMEOUT,  /* it was killed at the deadline */
};

struct runner_answer {
	int32_t outcome; /* enum runner_outcome */
	int32_t status;
	int32_t error;
};

/* Forks the runner for cmd; its command's output goes to out_fd (or
 * nowhere when it is -1).  Returns the session's end of the socket, or
 * -1 with errno. */
int runner_start(const char *cmd, int out_fd);

#endif
