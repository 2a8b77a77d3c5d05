/*
 * runner.c: the command runner of --pipe (see runner.h).
 *
 * Invariants: the runner holds no descriptor of the session's but its
 * socket and standard error (the client's socket above all is closed);
 * a command never inherits the runner's socket; the session's blocked
 * stop signals are unblocked for the runner and every command.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "session/runner.h"

#define RUNNER_FD 3

static void
default_signals(void)
{
	sigset_t none;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the command's process: never returns.  An exec that fails writes
 * its errno to report, which the runner reads. */
static void
command(const char *cmd, int spool, int out, char *env, size_t len,
    int report)
{
	if (dup2(spool, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EX_OSERR);
	if (report != 3 && dup2(report, 3) < 0)
		_exit(EX_OSERR);
	fcntl(3, F_SETFD, FD_CLOEXEC);
	closefrom(4);
	setpgid(0, 0); /* its own group, so the timeout kills all of it */
	for (char *p = env; p < env + len; p += strlen(p) + 1)
		putenv(p);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	int err = errno;
	(void)!write(3, &err, sizeof(err));
	_exit(EX_OSERR);
}

/* Waits for the command until the deadline, and kills it after that. */
static enum runner_outcome
reap(pid_t pid, long long deadline, int *status)
{
	unsigned nap = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return RUN_EXITED;
		if (r < 0 && errno != EINTR)
			return RUN_TIMEOUT;
		if (clock_ms() >= deadline) {
			kill(-pid, SIGKILL); /* sh and whatever it started */
			waitpid(pid, status, 0);
			return RUN_TIMEOUT;
		}
		nanosleep(&(struct timespec){ 0, (long)nap * 1000000 }, NULL);
		if (nap < 64)
			nap *= 2;
	}
}

static struct runner_answer
run(const char *cmd, int out, const struct runner_request *rq, char *env,
    int spool)
{
	struct runner_answer a = { RUN_NOSTART, 0, 0 };
	int report[2], err = 0;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC) < 0) {
		a.error = errno;
		return a;
	}
	if ((pid = fork()) < 0) {
		a.error = errno;
	} else if (pid == 0) {
		command(cmd, spool, out, env, rq->env_len, report[1]);
	} else {
		setpgid(pid, pid); /* as the child does: no race with kill */
		close(report[1]);
		report[1] = -1;
		if (read(report[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
			waitpid(pid, NULL, 0);
			a.error = err; /* exec failed */
		} else {
			a.outcome = reap(pid, clock_ms() +
			    (long long)rq->timeout * 1000, &a.status);
		}
	}
	close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	return a;
}

/* One request, with its descriptor: 1, or 0 when the session is gone. */
static int
serve_one(const char *cmd, int out)
{
	static char buf[sizeof(struct runner_request) + RUNNER_ENV_MAX + 1];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	struct runner_request rq;
	struct runner_answer a = { RUN_NOSTART, 0, EINVAL };
	struct cmsghdr *c;
	int spool = -1;
	ssize_t n = recvmsg(RUNNER_FD, &m, MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n < 0 && errno == EINTR;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&spool, CMSG_DATA(c), sizeof(spool));
	memcpy(&rq, buf, sizeof(rq));
	if (spool >= 0 && (size_t)n >= sizeof(rq) &&
	    rq.env_len == (size_t)n - sizeof(rq)) {
		buf[n] = '\0';
		a = run(cmd, out, &rq, buf + sizeof(rq), spool);
	}
	if (spool >= 0)
		close(spool);
	return write(RUNNER_FD, &a, sizeof(a)) == (ssize_t)sizeof(a);
}

static void
runner_main(int sock, const char *cmd, int out_fd)
{
	int null = open("/dev/null", O_RDWR);
	int out = out_fd >= 0 ? out_fd : null;

	/* the client's socket is 0, 1 or 3: none of it stays here */
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(sock, RUNNER_FD) < 0 || (out != 2 && dup2(out, 2) < 0))
		_exit(EX_OSERR);
	closefrom(RUNNER_FD + 1);
	default_signals();
	while (serve_one(cmd, 2))
		;
	_exit(0);
}

int
runner_start(const char *cmd, int out_fd)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0)
		runner_main(sv[1], cmd, out_fd);
	close(sv[1]);
	return sv[0];
}
