/*
 * pipe.c: the msmtpd mapping of a delivery program's exit status
 * (sysexits.h): 0 accepted; EX_TEMPFAIL, EX_OSERR, a signal (or the
 * 128 + n status of a command killed inside sh) or the timeout 451;
 * anything else 554.  The envelope reaches the command only
 * through its environment, so no address is ever parsed by a shell.
 *
 * Invariant: the command never inherits the client's socket; its
 * standard output and error go to our log, never to the SMTP stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "core/header.h"
#include "lib/clock.h"
#include "lib/io.h"
#include "session/pipe.h"

void
pipe_init(struct pipe_delivery *p, const char *cmd, unsigned timeout,
    int out_fd)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->timeout = timeout;
	p->out_fd = out_fd;
	p->spool = -1;
}

static int
open_spool(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	snprintf(path, sizeof(path), "%s/smtp-session.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

int
pipe_begin(struct pipe_delivery *p)
{
	p->spool = open_spool();
	return p->spool < 0 ? -1 : 0;
}

/* Writes straight to the spool: the core hands on large runs already. */
int
pipe_write(struct pipe_delivery *p, struct iovec *iov, int iovcnt)
{
	return io_writev_all(p->spool, iov, iovcnt);
}

/* In the child: the envelope as environment variables, one recipient a
 * line in RECIPIENTS (an address never holds a line break). */
static void
export_envelope(const struct envelope *env)
{
	char helo[SESSION_HELO_MAX + 1], size[24];
	size_t cap = (size_t)env->nrcpt * ADDR_BUF + 1, o = 0;
	char *rcpts = malloc(cap);

	header_clean(helo, sizeof(helo), env->helo);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)env->size);
	setenv("SENDER", env->sender.addr, 1);
	setenv("CLIENT_ADDRESS", env->client_addr, 1);
	setenv("HELO", helo, 1);
	setenv("SIZE", size, 1);
	setenv("SESSION_ID", env->session_id, 1);
	setenv("MESSAGE_ID", env->id, 1);
	if (rcpts == NULL)
		_exit(EX_OSERR);
	rcpts[0] = '\0';
	for (unsigned i = 0; i < env->nrcpt; i++)
		o += (size_t)snprintf(rcpts + o, cap - o, "%s%s", i ? "\n" : "",
		    env->rcpt[i].addr);
	setenv("RECIPIENTS", rcpts, 1);
	free(rcpts);
}

static void
child(const struct pipe_delivery *p, const struct envelope *env)
{
	int out = p->out_fd >= 0 ? p->out_fd : open("/dev/null", O_WRONLY);

	if (dup2(p->spool, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EX_OSERR);
	closefrom(3); /* the client's socket under systemd is fd 3 */
	setpgid(0, 0); /* its own group, so the timeout kills all of it */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	export_envelope(env);
	execl("/bin/sh", "sh", "-c", p->cmd, (char *)NULL);
	_exit(EX_OSERR);
}

/* Waits for the command until the deadline, and kills it after that. */
static int
reap(pid_t pid, long long deadline, int *status)
{
	unsigned nap = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_ms() >= deadline) {
			kill(-pid, SIGKILL); /* sh and whatever it started */
			waitpid(pid, status, 0);
			return 0; /* killed: a temporary failure */
		}
		nanosleep(&(struct timespec){ 0, (long)nap * 1000000 }, NULL);
		if (nap < 64)
			nap *= 2;
	}
}

int
pipe_commit(struct pipe_delivery *p, const struct envelope *env)
{
	long long deadline = clock_ms() + (long long)p->timeout * 1000;
	int status, err;
	pid_t pid;

	if (lseek(p->spool, 0, SEEK_SET) < 0)
		goto fail;
	if ((pid = fork()) < 0)
		goto fail;
	if (pid == 0)
		child(p, env);
	setpgid(pid, pid); /* as the child does: no race with kill(-pid) */
	if (reap(pid, deadline, &status) < 0)
		goto fail;
	pipe_abort(p);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* 128 + n is how sh reports a command killed by signal n (the OOM
	 * killer, say): as temporary as sh itself being killed */
	if (WIFSIGNALED(status) || WEXITSTATUS(status) == EX_TEMPFAIL ||
	    WEXITSTATUS(status) == EX_OSERR || WEXITSTATUS(status) > 128)
		return DELIVER_TEMPORARY;
	return DELIVER_PERMANENT;
fail:
	err = errno;
	pipe_abort(p);
	errno = err;
	return -1;
}

void
pipe_abort(struct pipe_delivery *p)
{
	if (p->spool >= 0)
		close(p->spool);
	p->spool = -1;
}
