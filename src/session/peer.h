/*
 * peer.h: the connection this process was given, and who is on it.
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>

struct peer {
	int in, out; /* the same socket under systemd's LISTEN_FDS */
	bool local;  /* a person or a script: see peer.c for the rule */
	char addr[64];
};

/* Never fails: an unknown client is "unknown", a local one "local".  No
 * DNS.  force_network (--network) makes no session local. */
void peer_discover(struct peer *, bool force_network);

#endif
