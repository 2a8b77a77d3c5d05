/*
 * log.c: key=value lines to standard error, syslog or the journal.
 *
 * libsystemd is never linked: a session started by xinetd, tcpserver or a
 * person must not map it (exec cost, and the path the 2024 xz backdoor
 * took).  Under systemd, when JOURNAL_STREAM says standard error is the
 * journal, sd_journal_sendv is looked up with dlopen.  A line is written
 * with a single write(2), so concurrent sessions never interleave.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifndef NO_SYSTEMD
#include <dlfcn.h>
#endif

#include "lib/escape.h"
#include "lib/fmt.h"
#include "lib/io.h"
#include "session/log.h"

#define LOG_LINE_MAX 8192
#define JOURNAL_FIELDS_MAX 256

static enum log_target target = LOG_TO_STDERR;
static int (*journal_sendv)(const struct iovec *, int);

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

#ifndef NO_SYSTEMD
static bool
journal_open(const struct stat *err)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	void *lib;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    dev != (unsigned long long)err->st_dev ||
	    ino != (unsigned long long)err->st_ino)
		return false;
	/* lazy binding: of its many symbols one is used */
	lib = dlopen("libsystemd.so.0", RTLD_LAZY | RTLD_LOCAL);
	if (lib == NULL)
		return false;
	*(void **)&journal_sendv = dlsym(lib, "sd_journal_sendv");
	return journal_sendv != NULL;
}
#endif

void
log_init(int client_fd)
{
	struct stat err, client;

	if (fstat(STDERR_FILENO, &err) < 0 ||
	    (S_ISSOCK(err.st_mode) && fstat(client_fd, &client) == 0 &&
		same_file(&err, &client))) {
		target = LOG_TO_SYSLOG;
		openlog("smtp-session", LOG_PID, LOG_MAIL);
		return;
	}
#ifndef NO_SYSTEMD
	if (journal_open(&err))
		target = LOG_TO_JOURNAL;
#endif
}

enum log_target
log_target(void)
{
	return target;
}

/* "smtp-session[pid]: ", made once: a session logs several lines and
 * the pid does not change. */
static char line_prefix[48];
static size_t line_prefix_len;

static size_t
stderr_prefix(char *dst)
{
	if (line_prefix_len == 0) {
		size_t n = sizeof("smtp-session[") - 1;
		memcpy(line_prefix, "smtp-session[", n);
		n += fmt_dec(line_prefix + n, (unsigned long long)getpid());
		memcpy(line_prefix + n, "]: ", 3);
		line_prefix_len = n + 3;
	}
	memcpy(dst, line_prefix, line_prefix_len);
	return line_prefix_len;
}

/* The line is in out after the room for the prefix: one write. */
static void
stderr_line(char *out, size_t len)
{
	size_t n = stderr_prefix(out);

	memmove(out + n, out + sizeof(line_prefix), len);
	out[n + len] = '\n';
	(void)io_write_all(STDERR_FILENO, out, n + len + 1);
}

/* "key=value key=value", values escaped; returns the length. */
static size_t
format_line(char *line, size_t cap, const struct log_field *f, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(f[i].key);
		if (o + k + 4 >= cap)
			break;
		if (o)
			line[o++] = ' ';
		memcpy(line + o, f[i].key, k);
		o += k;
		line[o++] = '=';
		o += escape_value(line + o, cap - o, f[i].value,
		    strlen(f[i].value));
	}
	line[o] = '\0';
	return o;
}

/* Appends "NAME=value" to the journal request; upper-cases the name. */
static void
journal_field(struct iovec *iov, int *c, char *buf, size_t *used,
    const char *prefix, const char *name, const char *value)
{
	size_t room = LOG_LINE_MAX * 4 - *used;
	char *field = buf + *used;
	int len;

	if (*c >= JOURNAL_FIELDS_MAX)
		return;
	len = snprintf(field, room, "%s%s=%s", prefix, name, value);
	if (len < 0 || (size_t)len >= room)
		return;
	for (char *k = field; *k != '='; k++)
		if (*k >= 'a' && *k <= 'z')
			*k = (char)(*k - 'a' + 'A');
	iov[(*c)++] = (struct iovec){ field, (size_t)len };
	*used += (size_t)len;
}

/* 0, or -1 when the journal did not take it */
static int
journal_send(int priority, const char *line, const struct log_field *f,
    size_t n)
{
	static char buf[LOG_LINE_MAX * 4];
	struct iovec iov[JOURNAL_FIELDS_MAX];
	char prio[4];
	size_t used = 0;
	int c = 0;

	snprintf(prio, sizeof(prio), "%d", priority);
	journal_field(iov, &c, buf, &used, "", "MESSAGE", line);
	journal_field(iov, &c, buf, &used, "", "PRIORITY", prio);
	journal_field(iov, &c, buf, &used, "", "SYSLOG_IDENTIFIER",
	    "smtp-session");
	for (size_t i = 0; i < n; i++)
		journal_field(iov, &c, buf, &used, "SMTP_", f[i].key,
		    f[i].value);
	return journal_sendv(iov, c) < 0 ? -1 : 0;
}

void
log_fields(int priority, const struct log_field *f, size_t n)
{
	/* room in front for the prefix of a line to standard error */
	char out[sizeof(line_prefix) + LOG_LINE_MAX + 1];
	char *line = out + sizeof(line_prefix);
	size_t len = format_line(line, LOG_LINE_MAX, f, n);

	switch (target) {
	case LOG_TO_SYSLOG:
		syslog(priority, "%s", line);
		break;
	case LOG_TO_JOURNAL:
		if (journal_send(priority, line, f, n) == 0)
			break;
		/* standard error is the journal's stream too */
		/* FALLTHROUGH */
	case LOG_TO_STDERR:
		stderr_line(out, len);
		break;
	}
}

void
log_error(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_fields(LOG_ERR,
	    (struct log_field[]){ { "event", "error" }, { "text", text } }, 2);
}

/* ---- the session's lines ---------------------------------------------- */

void
log_connect(const char *session_id, const char *peer)
{
	log_fields(LOG_INFO, (struct log_field[]){ { "session", session_id },
	    { "event", "connect" }, { "peer", peer } }, 3);
}

/* One line per message, Postfix style: who, to whom, how big, where. */
static void
log_message(const char *event, const struct envelope *env, const char *key,
    const char *text, int err)
{
	struct log_field f[SESSION_RCPT_LIMIT < 200 ? SESSION_RCPT_LIMIT : 200];
	char sender[ADDR_BUF], size[24];
	size_t n = 0, max = sizeof(f) / sizeof(f[0]) - 3;

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
	if (err)
		f[n++] = (struct log_field){ "error", strerror(err) };
	log_fields(LOG_INFO, f, n);
}

static void
log_line(const struct session_note *e, const char *event, const char *key)
{
	log_fields(LOG_DEBUG, (struct log_field[]){
	    { "session", e->env->session_id }, { "event", event },
	    { key, e->text } }, 3);
}

void
log_session_event(void *ctx, const struct session_note *e)
{
	const struct log_session *ls = ctx;
	const struct envelope *env = e->env;

	switch (e->type) {
	case SE_COMMAND:
		if (ls->verbose)
			log_line(e, "command", "line");
		break;
	case SE_REPLY:
		if (ls->verbose)
			log_line(e, "reply", "line");
		break;
	case SE_ACCEPTED:
		log_message("accepted", env, "file", e->text, 0);
		break;
	case SE_REJECTED:
		log_message("rejected", env, "reply", e->reply, e->error);
		break;
	case SE_REFUSED:
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "refused" },
		    { "peer", env->client_addr },
		    { "from", env->sender.addr[0] ? env->sender.addr : "<>" },
		    { "command", e->text }, { "reply", e->reply } }, 6);
		break;
	case SE_CLOSE:
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "disconnect" },
		    { "peer", env->client_addr }, { "reason", e->text } }, 4);
		break;
	}
}

/* ---- the console --------------------------------------------------------- */

/* In syslog mode the console text is sent a line at a time. */
static void
console_syslog(const char *buf, size_t len)
{
	static char pending[1024];
	static size_t used;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || used == sizeof(pending) - 1) {
			pending[used] = '\0';
			syslog(LOG_INFO, "%s", pending);
			used = 0;
			if (buf[i] == '\n')
				continue;
		}
		pending[used++] = buf[i];
	}
}

void
log_console(const char *buf, size_t len)
{
	if (target == LOG_TO_SYSLOG)
		console_syslog(buf, len);
	else
		(void)io_write_all(STDERR_FILENO, buf, len);
}
