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
		openlog("smtp-session", LOG_PID | LOG_NDELAY, LOG_MAIL);
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

/* "key=value key=value", values escaped, whole fields only: *fit
 * receives how many of the n fields fit in cap.  Returns the length.
 * escape_value() stops short of its room when a value does not fit, so
 * a field that ends within 8 bytes of the end is taken as cut. */
static size_t
format_line(char *line, size_t cap, const struct log_field *f, size_t n,
    size_t *fit)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		size_t start = o, k = strlen(f[i].key);
		if (o + k + 12 >= cap)
			break;
		if (o)
			line[o++] = ' ';
		memcpy(line + o, f[i].key, k);
		o += k;
		line[o++] = '=';
		o += escape_value(line + o, cap - o, f[i].value,
		    strlen(f[i].value));
		if (o + 8 >= cap) {
			o = start; /* cut: leave it out whole */
			break;
		}
	}
	line[o] = '\0';
	*fit = i;
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

/*
 * A line is never cut in a field.  Fields are given in the order that
 * matters (the fixed ones first, recipients last); those that do not fit
 * are counted in a last "more=N", so a long line keeps its size, file
 * and reply and says how much it left out.
 */
static void
log_fields_more(int priority, const struct log_field *f, size_t n,
    size_t omitted)
{
	/* room in front for the prefix of a line to standard error */
	char out[sizeof(line_prefix) + LOG_LINE_MAX + 1], count[24];
	char *line = out + sizeof(line_prefix);
	size_t fit, len = format_line(line, LOG_LINE_MAX - 32, f, n, &fit);

	if (fit < n || omitted) {
		count[fmt_dec(count, n - fit + omitted)] = '\0';
		len += (size_t)snprintf(line + len, LOG_LINE_MAX - len,
		    " more=%s", count);
		n = fit; /* the journal gets the same fields */
	}

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
log_fields(int priority, const struct log_field *f, size_t n)
{
	log_fields_more(priority, f, n, 0);
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

void
log_proxy(const char *session_id, const char *client, unsigned port,
    const char *proxy, int version)
{
	char p[24], v[24];

	p[fmt_dec(p, port)] = '\0';
	v[fmt_dec(v, (unsigned)version)] = '\0';
	if (client == NULL) {
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", session_id }, { "event", "proxy" },
		    { "peer", proxy }, { "proxy", proxy }, { "version", v },
		    { "command", "local" } }, 6);
		return;
	}
	log_fields(LOG_INFO, (struct log_field[]){ { "session", session_id },
	    { "event", "proxy" }, { "peer", client }, { "port", p },
	    { "proxy", proxy }, { "version", v } }, 6);
}

void
log_proxy_refused(const char *session_id, const char *proxy,
    const char *why)
{
	log_fields(LOG_NOTICE, (struct log_field[]){
	    { "session", session_id }, { "event", "disconnect" },
	    { "peer", proxy }, { "reason", "bad PROXY header" },
	    { "detail", why } }, 5);
}

void
log_tls(const char *session_id, const char *peer, const char *desc)
{
	log_fields(LOG_INFO, (struct log_field[]){ { "session", session_id },
	    { "event", "tls" }, { "peer", peer }, { "tls", desc } }, 4);
}

void
log_tls_failed(const char *session_id, const char *peer, const char *why)
{
	log_fields(LOG_NOTICE, (struct log_field[]){
	    { "session", session_id }, { "event", "tls-failed" },
	    { "peer", peer }, { "reason", why } }, 4);
}

void
log_starttls_dropped(const char *session_id, const char *peer,
    size_t dropped)
{
	char n[24];

	n[fmt_dec(n, dropped)] = '\0';
	log_fields(LOG_NOTICE, (struct log_field[]){
	    { "session", session_id }, { "event", "starttls-pipelining" },
	    { "peer", peer }, { "dropped", n } }, 4);
}

/* One line per message, Postfix style: who, how big, where, then to
 * whom; recipients that do not fit are counted (rcpt_count, more=). */
static void
log_message(const char *event, const struct envelope *env, const char *key,
    const char *text, int err)
{
	struct log_field f[JOURNAL_FIELDS_MAX - 8];
	char sender[ADDR_BUF], size[24], count[24];
	size_t n = 0;
	unsigned i;

	/* the bare address, as SMTP_FROM= is searched for; "<>" for none */
	snprintf(sender, sizeof(sender), "%s",
	    env->sender.addr[0] ? env->sender.addr : "<>");
	size[fmt_dec(size, env->size)] = '\0';
	count[fmt_dec(count, env->nrcpt)] = '\0';
	f[n++] = (struct log_field){ "session", env->session_id };
	f[n++] = (struct log_field){ "event", event };
	f[n++] = (struct log_field){ "id", env->id };
	f[n++] = (struct log_field){ "peer", env->client_addr };
	f[n++] = (struct log_field){ "helo", env->helo };
	if (env->auth_user) /* the name only: a password is never here */
		f[n++] = (struct log_field){ "user", env->auth_user };
	if (env->tls)
		f[n++] = (struct log_field){ "tls", env->tls };
	f[n++] = (struct log_field){ "from", sender };
	f[n++] = (struct log_field){ "size", size };
	f[n++] = (struct log_field){ key, text };
	if (err)
		f[n++] = (struct log_field){ "error", strerror(err) };
	f[n++] = (struct log_field){ "rcpt_count", count };
	for (i = 0; i < env->nrcpt && n < sizeof(f) / sizeof(*f); i++)
		f[n++] = (struct log_field){ "rcpt", env->rcpt[i].addr };
	log_fields_more(LOG_INFO, f, n, env->nrcpt - i);
}

static void
log_line(const struct session_note *e, const char *event, const char *key)
{
	log_fields(LOG_DEBUG, (struct log_field[]){
	    { "session", e->env->session_id }, { "event", event },
	    { key, e->text } }, 3);
}

static void
log_refused(const struct session_note *e)
{
	const struct envelope *env = e->env;

	log_fields(LOG_INFO, (struct log_field[]){
	    { "session", env->session_id }, { "event", "refused" },
	    { "peer", env->client_addr },
	    { "from", env->sender.addr[0] ? env->sender.addr : "<>" },
	    { "command", e->text }, { "reply", e->reply } }, 6);
}

/* Refusals past REFUSED_LOG_MAX were counted, not logged: one line says
 * how many. */
static void
log_refused_summary(struct log_session *ls, const struct envelope *env)
{
	char count[24];

	if (ls->refused <= REFUSED_LOG_MAX)
		return;
	count[fmt_dec(count, ls->refused - REFUSED_LOG_MAX)] = '\0';
	log_fields(LOG_INFO, (struct log_field[]){
	    { "session", env->session_id }, { "event", "refused" },
	    { "peer", env->client_addr }, { "not_logged", count } }, 4);
	ls->refused = 0;
}

/* Faults on purpose are logged as refusals are: the first
 * REFUSED_LOG_MAX one by one, then a count when the session ends.
 * Apart from log_session_event(), which every command and reply
 * passes, and kept apart: they would cost it registers. */
__attribute__((noinline)) static void
log_fault(struct log_session *ls, const struct session_note *e)
{
	const struct envelope *env = e->env;

	if (e->type == SE_PIPELINING)
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id },
		    { "event", "improper_pipelining" },
		    { "peer", env->client_addr }, { "after", e->text } }, 4);
	else if (++ls->injected <= REFUSED_LOG_MAX)
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "injected" },
		    { "peer", env->client_addr }, { "when", e->text },
		    { "fault", e->reply } }, 5);
}

__attribute__((noinline)) static void
log_injected_summary(struct log_session *ls, const struct envelope *env)
{
	char count[24];

	count[fmt_dec(count, ls->injected - REFUSED_LOG_MAX)] = '\0';
	log_fields(LOG_INFO, (struct log_field[]){
	    { "session", env->session_id }, { "event", "injected" },
	    { "peer", env->client_addr }, { "not_logged", count } }, 4);
	ls->injected = 0;
}

void
log_session_event(void *ctx, const struct session_note *e)
{
	struct log_session *ls = ctx;
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
		log_refused_summary(ls, env);
		log_message("accepted", env, "file", e->text, 0);
		break;
	case SE_REJECTED:
		log_message("rejected", env, "reply", e->reply, e->error);
		break;
	case SE_REFUSED:
		if (++ls->refused <= REFUSED_LOG_MAX)
			log_refused(e);
		break;
	case SE_INJECTED:
	case SE_PIPELINING:
		log_fault(ls, e);
		break;
	case SE_CLOSE:
		if (ls->injected > REFUSED_LOG_MAX)
			log_injected_summary(ls, env);
		log_refused_summary(ls, env);
		log_fields(LOG_INFO, (struct log_field[]){
		    { "session", env->session_id }, { "event", "disconnect" },
		    { "peer", env->client_addr }, { "reason", e->text } }, 4);
		break;
	}
}

/* ---- the console ---------------------------------------------------------
 *
 * --print writes each message between banners, every line of it behind
 * CONSOLE_PREFIX and with controls made visible (escape_display), so no
 * line of a message can pass for a log line or move a terminal's cursor,
 * on standard error or in syslog.  The bytes are transformed, so they are
 * copied here; the Maildir path never passes here. */

#define CONSOLE_PREFIX "| "

static struct {
	bool at_bol;
	size_t carry_len; /* the start of a UTF-8 character cut by a write */
	char carry[8];
	size_t len;
	char buf[8192];
} con;

static void
console_flush(void)
{
	if (con.len == 0)
		return;
	if (target == LOG_TO_SYSLOG)
		syslog(LOG_INFO, "%.*s", (int)con.len, con.buf);
	else
		(void)io_write_all(STDERR_FILENO, con.buf, con.len);
	con.len = 0;
}

static void
console_raw(const char *p, size_t n)
{
	if (con.len + n > sizeof(con.buf))
		console_flush();
	memcpy(con.buf + con.len, p, n);
	con.len += n;
}

/* A line end: in syslog mode a line is a record of its own. */
static void
console_newline(void)
{
	if (target == LOG_TO_SYSLOG)
		console_flush();
	else
		console_raw("\n", 1);
	con.at_bol = true;
}

/* Text without line ends, shown safely; returns the bytes used (short
 * only when, not final, a cut UTF-8 character ends it). */
static size_t
console_text(const char *p, size_t n, bool final)
{
	size_t done = 0, used;

	if (con.at_bol && n > 0) {
		console_raw(CONSOLE_PREFIX, sizeof(CONSOLE_PREFIX) - 1);
		con.at_bol = false;
	}
	while (done < n) {
		if (sizeof(con.buf) - con.len < 64)
			console_flush();
		con.len += escape_display(con.buf + con.len,
		    sizeof(con.buf) - con.len, p + done, n - done, final, &used);
		if (used == 0)
			break;
		done += used;
	}
	return done;
}

/* Part of a line: final when the line ends right after it.  A character
 * cut by the write before is joined with the rest of it first. */
static void
console_part(const char *p, size_t n, bool final)
{
	size_t used;

	if (con.carry_len) {
		char tmp[sizeof(con.carry) + 4];
		size_t k = n < 4 ? n : 4, all = con.carry_len + k;
		memcpy(tmp, con.carry, con.carry_len);
		memcpy(tmp + con.carry_len, p, k);
		used = console_text(tmp, all, final && k == n);
		if (used < con.carry_len) { /* still cut: all of p is held */
			memmove(con.carry, tmp + used, all - used);
			con.carry_len = all - used;
			return;
		}
		p += used - con.carry_len, n -= used - con.carry_len;
		con.carry_len = 0;
	}
	used = console_text(p, n, final);
	memcpy(con.carry, p + used, n - used); /* under 4 bytes */
	con.carry_len = n - used;
}

static void
console_banner(const char *what, const char *id, const char *tail)
{
	if (!con.at_bol)
		console_newline();
	console_raw("----- ", 6);
	console_raw(what, strlen(what));
	console_raw(id, strlen(id));
	console_raw(tail, strlen(tail));
	console_newline();
}

void
log_console_begin(const char *id)
{
	con.len = con.carry_len = 0;
	con.at_bol = true;
	console_banner("message ", id, " -----");
}

void
log_console_text(const char *buf, size_t len)
{
	while (len > 0) {
		const char *lf = memchr(buf, '\n', len);
		size_t n = (size_t)((lf ? lf : buf + len) - buf);

		console_part(buf, n, lf != NULL);
		if (lf == NULL)
			return;
		if (con.at_bol) /* an empty line is a line of the message too */
			console_raw(CONSOLE_PREFIX, 1);
		console_newline();
		buf = lf + 1;
		len -= n + 1;
	}
}

void
log_console_end(const char *id, bool accepted)
{
	if (con.carry_len)
		console_part("", 0, true);
	console_banner("end of message ", id,
	    accepted ? " -----" : ": NOT accepted -----");
	console_flush();
}
