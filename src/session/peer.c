/*
 * peer.c: standard input and output, or the one socket systemd passes
 * (sd_listen_fds(3) protocol, without libsystemd).  The client address
 * comes from getpeername(), else from the UCSPI or CGI-style environment
 * (tcpserver's TCPREMOTEIP, REMOTE_ADDR), checked to be an address.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/peer.h"

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

/* An environment variable that holds an IPv4 or IPv6 address, or NULL. */
static const char *
env_address(const char *name)
{
	const char *v = getenv(name);
	unsigned char buf[16];

	if (v && (inet_pton(AF_INET, v, buf) == 1 ||
		     inet_pton(AF_INET6, v, buf) == 1))
		return v;
	return NULL;
}

void
peer_discover(struct peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat st;
	const char *env;

	p->in = p->out = systemd_socket() ? 3 : -1;
	if (p->in < 0)
		p->in = STDIN_FILENO, p->out = STDOUT_FILENO;
	p->local = fstat(p->in, &st) < 0 || !S_ISSOCK(st.st_mode);
	if (!p->local && getpeername(p->in, (struct sockaddr *)&ss, &len) == 0 &&
	    from_sockaddr(&ss, p->addr, sizeof(p->addr)))
		return;
	if ((env = env_address("TCPREMOTEIP")) != NULL ||
	    (env = env_address("REMOTE_ADDR")) != NULL)
		snprintf(p->addr, sizeof(p->addr), "%s", env);
	else
		snprintf(p->addr, sizeof(p->addr), p->local ? "local" : "unknown");
}
