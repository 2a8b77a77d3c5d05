/*
 * peer.h: the connection this process was given, and who is on it.
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>

struct peer {
	int in, out; /* the same socket under systemd's LISTEN_FDS */
	bool local;  /* not a socket: a terminal or a pipe */
	char addr[64];
};

/* Never fails: an unknown client is "unknown", a pipe is "local".  No DNS. */
void peer_discover(struct peer *);

#endif
