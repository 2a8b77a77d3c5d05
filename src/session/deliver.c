/*
 * deliver.c: the delivery callbacks: the same bytes to every target.
 *
 * Each target receives the header block of header.c, then the message
 * with LF line ends, in the large runs the core hands on; none of them
 * copies it again.  With --maildir and --pipe both, the command runs
 * first and the file reaches new/ only if it succeeded, so the client
 * hears 250 only when both have the message.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/uio.h>
#include <string.h>
#include <time.h>

#include "core/header.h"
#include "session/deliver.h"
#include "session/log.h"

void
deliver_init(struct deliver *d, const struct options *opt, int cmd_out)
{
	d->maildir = opt->maildir != NULL;
	d->pipe = opt->pipe_cmd != NULL;
	d->print = !opt->discard && (opt->print || (!d->maildir && !d->pipe));
	if (d->maildir) {
		maildir_open(&d->md, opt->maildir);
		if (d->md.open_errno)
			log_error("maildir %s%s%s: %s", opt->maildir,
			    d->md.failed_part ? "/" : "",
			    d->md.failed_part ? d->md.failed_part : "",
			    d->md.open_errno == ELOOP ? "a symbolic link, refused" :
			    strerror(d->md.open_errno));
	}
	if (d->pipe)
		pipe_init(&d->pd, opt->pipe_cmd, opt->timeout, cmd_out);
}

/* The same pieces to every target, in one write each. */
static int
put(struct deliver *d, const struct iovec *iov, int n)
{
	struct iovec v[2];

	if (d->print)
		for (int i = 0; i < n; i++)
			log_console_text(iov[i].iov_base, iov[i].iov_len);
	memcpy(v, iov, (size_t)n * sizeof(*v));
	if (d->maildir && maildir_write(&d->md, v, n) < 0)
		return -1;
	memcpy(v, iov, (size_t)n * sizeof(*v));
	if (d->pipe && pipe_write(&d->pd, v, n) < 0)
		return -1;
	return 0;
}

/* Message bytes: the held header block goes with the first of them. */
static int
deliver_write(void *ctx, const char *buf, size_t len)
{
	struct deliver *d = ctx;
	struct iovec iov[2] = { { d->head, d->head_len }, { (void *)buf, len } };
	int r = d->head_len ? put(d, iov, 2) : put(d, iov + 1, 1);

	d->head_len = 0;
	return r;
}

/* header_write()'s output: held, unless there is more than fits. */
static int
hold_head(void *ctx, const char *buf, size_t len)
{
	struct deliver *d = ctx;

	if (d->head_len == 0 && len <= sizeof(d->head)) {
		memcpy(d->head, buf, len);
		d->head_len = len;
		return 0;
	}
	return deliver_write(d, buf, len);
}

static void
deliver_abort(void *ctx, const struct envelope *env)
{
	struct deliver *d = ctx;

	d->head_len = 0;
	if (d->maildir)
		maildir_abort(&d->md);
	if (d->pipe)
		pipe_abort(&d->pd);
	if (d->print)
		log_console_end(env->id, false);
}

static int
deliver_begin(void *ctx, const struct envelope *env)
{
	struct deliver *d = ctx;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (!d->print && !d->maildir && !d->pipe)
		return 1; /* --discard: no bytes wanted, not even headers */
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (d->maildir && maildir_begin(&d->md) < 0)
		return -1;
	if (d->pipe && pipe_begin(&d->pd) < 0) {
		if (d->maildir)
			maildir_abort(&d->md);
		return -1;
	}
	if (d->print)
		log_console_begin(env->id);
	d->head_len = 0;
	if (header_write(env, date, hold_head, d) < 0) {
		deliver_abort(d, env);
		return -1;
	}
	return 0;
}

static int
deliver_commit(void *ctx, const struct envelope *env, char *note, size_t n)
{
	struct deliver *d = ctx;
	int r;

	if (d->head_len && deliver_write(d, "", 0) < 0) { /* an empty message */
		int err = errno;
		deliver_abort(d, env);
		errno = err;
		return -1;
	}
	if (d->print)
		log_console_end(env->id, true);
	if (d->pipe && (r = pipe_commit(&d->pd, env)) != 0) {
		if (d->maildir)
			maildir_abort(&d->md);
		return r;
	}
	if (d->maildir)
		return maildir_commit(&d->md, note, n);
	snprintf(note, n, "%s", d->pipe ? "piped" : d->print ? "printed" :
	    "discarded");
	return 0;
}

const struct delivery_ops deliver_ops = {
	.begin = deliver_begin,
	.write = deliver_write,
	.commit = deliver_commit,
	.abort = deliver_abort,
};
