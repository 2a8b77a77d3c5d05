/*
 * peer.c: standard input and output, or the one socket systemd passes
 * (sd_listen_fds(3) protocol, without libsystemd), and who is on them.
 *
 * Local or network: a session is local (bare LF ends a line and a
 * message, for a person typing or a script piping) only when standard
 * input is a terminal or a pipe AND nothing shows a network peer behind
 * it.  "Not a socket" alone is no proof: ucspi-ssl's sslserver, socat
 * with ",pipes" or ",pty", stunnel with "pty = yes" and s6-tlsd all put
 * a network client on a pipe or a pty.  Every such front end says so in
 * the environment (UCSPI's PROTO and ...REMOTEIP, socat's SOCAT_PEERADDR,
 * stunnel's and inetd's REMOTE_HOST, CGI-style REMOTE_ADDR), and
 * --network says so for one that does not.  Anything else (a socket, a
 * regular file, a device) gets the network rules.
 *
 * The client address comes from getpeername(), else from those variables,
 * checked to be an address.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#include "session/peer.h"

/* The variables that show a network peer, most specific first: the order
 * in which an address is taken from them. */
#define SIGN(name) { name, sizeof(name) - 1 }
static const struct {
	const char *name;
	size_t len;
} network_signs[] = {
	SIGN("TCPREMOTEIP"), SIGN("TCP6REMOTEIP"), SIGN("SSLREMOTEIP"),
	SIGN("SOCAT_PEERADDR"), SIGN("REMOTE_ADDR"), SIGN("REMOTE_HOST"),
	SIGN("PROTO"),
};

static bool
systemd_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	bool ours = pid && fds && strtol(pid, NULL, 10) == (long)getpid() &&
	    strcmp(fds, "1") == 0;

	/* not for the children of --pipe */
	if (pid || fds) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return ours;
}

static bool
from_sockaddr(const struct sockaddr_storage *ss, char *dst, size_t n)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)ss)->sin_addr, dst,
		    (socklen_t)n) != NULL;
	if (ss->ss_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], dst,
		    (socklen_t)n) != NULL;
	return inet_ntop(AF_INET6, &s6->sin6_addr, dst, (socklen_t)n) != NULL;
}

/* An IPv4 or IPv6 address at the start of v (socat and stunnel may add
 * ":port"), copied to dst; false if there is none. */
static bool
address_in(const char *v, char *dst, size_t n)
{
	unsigned char buf[16];
	char tmp[64];
	size_t len = strcspn(v, " ");

	if (len >= sizeof(tmp) || len >= n)
		return false;
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET6, tmp, buf) != 1) {
		char *colon = strchr(tmp, ':'); /* "192.0.2.7:4711" */
		if (colon)
			*colon = '\0';
		if (inet_pton(AF_INET, tmp, buf) != 1)
			return false;
	}
	memcpy(dst, tmp, strlen(tmp) + 1);
	return true;
}

/* True when the environment shows a network peer; its address, if one
 * is given, goes to addr.  One pass over the environment, not one
 * getenv(3) a name: every session starts here. */
static bool
network_sign(char *addr, size_t n)
{
	const char *found[sizeof(network_signs) / sizeof(*network_signs)];
	size_t count = sizeof(found) / sizeof(*found);
	bool sign = false;

	memset(found, 0, sizeof(found));
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : 0;
		for (size_t i = 0; i < count; i++)
			if (len == network_signs[i].len &&
			    memcmp(*e, network_signs[i].name, len) == 0)
				found[i] = eq + 1;
	}
	for (size_t i = 0; i < count; i++) {
		if (found[i] == NULL)
			continue;
		sign = true;
		if (address_in(found[i], addr, n))
			return true;
	}
	return sign;
}

void
peer_discover(struct peer *p, bool force_network)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat st;
	bool person;

	p->in = p->out = systemd_socket() ? 3 : -1;
	if (p->in < 0)
		p->in = STDIN_FILENO, p->out = STDOUT_FILENO;
	p->addr[0] = '\0';
	person = p->in == STDIN_FILENO && fstat(p->in, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || isatty(p->in));
	p->local = !network_sign(p->addr, sizeof(p->addr)) && person &&
	    !force_network;
	if (getpeername(p->in, (struct sockaddr *)&ss, &len) == 0 &&
	    from_sockaddr(&ss, p->addr, sizeof(p->addr)))
		return;
	if (p->addr[0] == '\0')
		snprintf(p->addr, sizeof(p->addr), p->local ? "local" : "unknown");
}
