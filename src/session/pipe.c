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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/header.h"
#include "lib/fmt.h"
#include "lib/io.h"
#include "session/log.h"
#include "session/pipe.h"
#include "session/runner.h"

void
pipe_init(struct pipe_delivery *p, const char *cmd, unsigned timeout,
    int out_fd)
{
	memset(p, 0, sizeof(*p));
	p->timeout = timeout;
	p->spool = -1;
	p->runner = runner_start(cmd, out_fd);
	if (p->runner < 0)
		log_error("--pipe: cannot start the command runner: %s",
		    strerror(errno));
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

/* Appends "key=value" and its NUL; false when it does not fit. */
static bool
env_put(char *buf, size_t *len, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);

	if (*len + k + 1 + v + 1 > RUNNER_ENV_MAX)
		return false;
	memcpy(buf + *len, key, k);
	buf[*len + k] = '=';
	memcpy(buf + *len + k + 1, value, v + 1);
	*len += k + 1 + v + 1;
	return true;
}

/* RECIPIENTS, one a line (an address never holds a line break), when all
 * of them fit; the X-Original-To lines of the message name every one of
 * them in any case, and RECIPIENTS_COUNT says how many there are. */
static void
env_recipients(char *buf, size_t *len, const struct envelope *env)
{
	size_t o = *len, start;
	char count[24];

	count[fmt_dec(count, env->nrcpt)] = '\0';
	env_put(buf, len, "RECIPIENTS_COUNT", count);
	o = start = *len;
	if (o + sizeof("RECIPIENTS=") > RUNNER_ENV_MAX)
		return;
	memcpy(buf + o, "RECIPIENTS=", 11);
	o += 11;
	for (unsigned i = 0; i < env->nrcpt; i++) {
		size_t n = strlen(env->rcpt[i].addr);
		if (o + n + 2 > PIPE_RECIPIENTS_MAX + start)
			return; /* too many: RECIPIENTS is left out */
		if (i)
			buf[o++] = '\n';
		memcpy(buf + o, env->rcpt[i].addr, n);
		o += n;
	}
	buf[o++] = '\0';
	*len = o;
}

/* The envelope as the command's environment, never on its command line. */
static size_t
envelope_strings(char *buf, const struct envelope *env)
{
	char helo[SESSION_HELO_MAX + 1], size[24];
	size_t len = 0;

	header_clean(helo, sizeof(helo), env->helo);
	size[fmt_dec(size, env->size)] = '\0';
	env_put(buf, &len, "SENDER", env->sender.addr);
	env_put(buf, &len, "CLIENT_ADDRESS", env->client_addr);
	env_put(buf, &len, "HELO", helo);
	env_put(buf, &len, "SIZE", size);
	env_put(buf, &len, "SESSION_ID", env->session_id);
	env_put(buf, &len, "MESSAGE_ID", env->id);
	env_recipients(buf, &len, env);
	return len;
}

static int
ask_runner(struct pipe_delivery *p, const struct envelope *env,
    struct runner_answer *a)
{
	static char buf[sizeof(struct runner_request) + RUNNER_ENV_MAX];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct runner_request rq = { p->timeout, 0 };
	struct iovec iov = { buf, 0 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	struct pollfd pfd = { p->runner, POLLIN, 0 };

	memset(&ctl, 0, sizeof(ctl)); /* no uninitialised padding goes out */
	c = CMSG_FIRSTHDR(&m);
	rq.env_len = (uint32_t)envelope_strings(buf + sizeof(rq), env);
	memcpy(buf, &rq, sizeof(rq));
	iov.iov_len = sizeof(rq) + rq.env_len;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p->spool, sizeof(int));
	if (sendmsg(p->runner, &m, MSG_NOSIGNAL) < 0)
		return -1;
	/* the runner kills the command at the timeout: a little more */
	if (poll(&pfd, 1, (int)(p->timeout + 10) * 1000) <= 0 ||
	    read(p->runner, a, sizeof(*a)) != (ssize_t)sizeof(*a)) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

/* What the start failed for decides: a cause that will not go away
 * (no /bin/sh, an environment too large) is permanent. */
static int
no_start(int err)
{
	log_error("--pipe: cannot start /bin/sh: %s", strerror(err));
	if (err == E2BIG || err == ENOENT || err == EACCES ||
	    err == ENOEXEC || err == ENOTDIR)
		return DELIVER_PERMANENT;
	return DELIVER_TEMPORARY;
}

int
pipe_commit(struct pipe_delivery *p, const struct envelope *env)
{
	struct runner_answer a;
	int r, err;

	if (p->runner < 0 || lseek(p->spool, 0, SEEK_SET) < 0 ||
	    ask_runner(p, env, &a) < 0) {
		err = p->runner < 0 ? EPIPE : errno;
		log_error("--pipe: the command runner: %s", strerror(err));
		pipe_abort(p);
		errno = err;
		return -1;
	}
	pipe_abort(p);
	if (a.outcome == RUN_NOSTART)
		return no_start(a.error);
	if (a.outcome == RUN_TIMEOUT)
		return DELIVER_TEMPORARY;
	r = a.status;
	if (WIFEXITED(r) && WEXITSTATUS(r) == 0)
		return 0;
	/* 128 + n is how sh reports a command killed by signal n (the OOM
	 * killer, say): as temporary as sh itself being killed */
	if (WIFSIGNALED(r) || WEXITSTATUS(r) == EX_TEMPFAIL ||
	    WEXITSTATUS(r) == EX_OSERR || WEXITSTATUS(r) > 128)
		return DELIVER_TEMPORARY;
	return DELIVER_PERMANENT;
}

void
pipe_abort(struct pipe_delivery *p)
{
	if (p->spool >= 0)
		close(p->spool);
	p->spool = -1;
}
