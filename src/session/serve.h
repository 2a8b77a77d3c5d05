/*
 * serve.h: the loop between the client's connection and the session core.
 */
#ifndef SERVE_H
#define SERVE_H

#include "core/session.h"
#include "session/conn.h"

/* Runs the session until it closes or the client is gone.  timeout is
 * --timeout in seconds (see serve.c for what it bounds). */
void serve(struct session *, struct conn *, unsigned timeout);

#endif
