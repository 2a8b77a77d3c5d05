/*
 * serve.h: the loop between the client's connection and the session core.
 */
#ifndef SERVE_H
#define SERVE_H

#include <signal.h>

#include "core/session.h"
#include "session/conn.h"

struct serve_limits {
	unsigned timeout;          /* --timeout, seconds */
	unsigned max_session_time; /* --max-session-time, seconds; 0: none */
};

/* Blocks the signals that stop a session (SIGTERM from systemctl stop
 * and RuntimeMaxSec, SIGINT, SIGHUP) and notes them when they come;
 * *set receives them, *wait_mask the mask to wait for input with (the
 * one before, which lets them in), for conn_init. */
void serve_stop_signals(sigset_t *set, sigset_t *wait_mask);

/* Runs the session until it closes, the client is gone, or a stop signal
 * came: then the session says 421, a message in progress is removed, and
 * the signal's number is returned (0 otherwise). */
int serve(struct session *, struct conn *, const struct serve_limits *);

#endif
