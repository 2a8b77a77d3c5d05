/*
 * deliver.c: the edge's delivery callbacks, and the log line per message.
 *
 * Every target receives the same bytes: the header block of header.c,
 * then the message with LF line ends.  With --maildir and --pipe both,
 * the command runs first and the file reaches new/ only if it succeeded,
 * so the client hears 250 only when both have the message.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "session/deliver.h"
#include "core/header.h"
#include "session/log.h"

void
deliver_init(struct deliver *d, const struct options *opt, int log_fd)
{
	/* no memset: the buffers are large, and a page is touched only
	 * when its target is in use */
	d->console_len = 0;
	d->opt = opt;
	d->maildir = opt->maildir != NULL;
	d->pipe = opt->pipe_cmd != NULL;
	d->print = !opt->discard && (opt->print || (!d->maildir && !d->pipe));
	if (d->maildir)
		maildir_open(&d->md, opt->maildir);
	if (d->pipe)
		pipe_init(&d->pd, opt->pipe_cmd, opt->timeout, log_fd);
}

/* ---- the console ---------------------------------------------------- */

static void
console_flush(struct deliver *d)
{
	log_console(d->console, d->console_len);
	d->console_len = 0;
}

static void
console_put(struct deliver *d, const char *buf, size_t len)
{
	if (d->console_len + len > sizeof(d->console))
		console_flush(d);
	if (len >= sizeof(d->console)) {
		log_console(buf, len);
		return;
	}
	memcpy(d->console + d->console_len, buf, len);
	d->console_len += len;
}

static void
console_banner(struct deliver *d, const char *fmt, const char *id)
{
	char line[128];
	int n = snprintf(line, sizeof(line), fmt, id);

	if (n > 0 && (size_t)n < sizeof(line))
		console_put(d, line, (size_t)n);
}

/* ---- callbacks ------------------------------------------------------ */

static int
deliver_write(void *ctx, const char *buf, size_t len)
{
	struct deliver *d = ctx;

	if (d->print)
		console_put(d, buf, len);
	if (d->maildir && maildir_write(&d->md, buf, len) < 0)
		return -1;
	if (d->pipe && pipe_write(&d->pd, buf, len) < 0)
		return -1;
	return 0;
}

static void
deliver_abort(void *ctx, const struct envelope *env)
{
	struct deliver *d = ctx;

	if (d->maildir)
		maildir_abort(&d->md);
	if (d->pipe)
		pipe_abort(&d->pd);
	if (d->print) {
		console_banner(d, "\n----- end of message %s: NOT accepted "
				  "-----\n", env->id);
		console_flush(d);
	}
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
		console_banner(d, "----- message %s -----\n", env->id);
	if (header_write(env, date, deliver_write, d) < 0) {
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

	if (d->print) {
		console_banner(d, "----- end of message %s -----\n", env->id);
		console_flush(d);
	}
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

/* ---- the log -------------------------------------------------------- */

static void
log_message(const char *event, const struct envelope *env, const char *key,
    const char *text)
{
	struct log_field f[SESSION_RCPT_LIMIT < 200 ? SESSION_RCPT_LIMIT : 200];
	char sender[ADDR_BUF], size[24];
	size_t n = 0, max = sizeof(f) / sizeof(f[0]) - 2;

	/* the bare address, as SMTP_FROM= is searched for; "<>" for none */
	snprintf(sender, sizeof(sender), "%s",
	    env->sender.addr[0] ? env->sender.addr : "<>");
	snprintf(size, sizeof(size), "%llu", (unsigned long long)env->size);
	f[n++] = (struct log_field){ "session", env->session_id };
	f[n++] = (struct log_field){ "event", event };
	f[n++] = (struct log_field){ "id", env->id };
	f[n++] = (struct log_field){ "peer", env->client_addr };
	f[n++] = (struct log_field){ "helo", env->helo };
	f[n++] = (struct log_field){ "from", sender };
	for (unsigned i = 0; i < env->nrcpt && n < max; i++)
		f[n++] = (struct log_field){ "rcpt", env->rcpt[i].addr };
	f[n++] = (struct log_field){ "size", size };
	f[n++] = (struct log_field){ key, text };
	log_fields(LOG_INFO, f, n);
}

static void
deliver_event(void *ctx, enum session_event ev, const struct envelope *env,
    const char *text)
{
	struct deliver *d = ctx;

	switch (ev) {
	case SE_COMMAND:
		if (d->opt->verbose)
			log_fields(LOG_DEBUG, (struct log_field[]){
			    { "session", env->session_id },
			    { "event", "command" }, { "line", text } }, 3);
		break;
	case SE_ACCEPTED:
		log_message("accepted", env, "file", text);
		break;
	case SE_REJECTED:
		log_message("rejected", env, "reply", text);
		break;
	case SE_REFUSED:
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "refused" },
		    { "peer", env->client_addr },
		    { "from", env->sender.addr[0] ? env->sender.addr : "<>" },
		    { "command", env->command }, { "reply", text } }, 6);
		break;
	case SE_CLOSE:
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "disconnect" },
		    { "peer", env->client_addr }, { "reason", text } }, 4);
		break;
	}
}

const struct delivery_ops deliver_ops = {
	.begin = deliver_begin,
	.write = deliver_write,
	.commit = deliver_commit,
	.abort = deliver_abort,
	.event = deliver_event,
};
