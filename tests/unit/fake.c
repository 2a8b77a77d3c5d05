/*
 * fake.c: the test double of the edge (see fake.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

void
record_add(struct record *r, const char *p, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->p = realloc(r->p, r->cap);
		if (r->p == NULL)
			abort();
	}
	if (n)
		memcpy(r->p + r->len, p, n);
	r->len += n;
	r->p[r->len] = '\0';
}

void
record_str(struct record *r, const char *s)
{
	record_add(r, s, strlen(s));
}

void
record_show(struct record *r, const char *p, size_t n, bool crlf)
{
	char esc[8];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (crlf && c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			record_add(r, "\n", 1);
			i++;
		} else if (!crlf && c == '\n') {
			record_add(r, "\n", 1);
		} else if (c == '\\') {
			record_str(r, "\\\\");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			record_str(r, esc);
		} else {
			record_add(r, (const char *)&c, 1);
		}
	}
}

void
record_free(struct record *r)
{
	free(r->p);
	r->p = NULL;
	r->len = r->cap = 0;
}

/* Takes the first len bytes of the session's replies. */
static void
take(struct fake *f, size_t len)
{
	size_t all;
	const char *out = session_output(f->s, &all);

	if (f->check_replies)
		f->check_replies(f, out, len);
	record_show(f->rec, out, len, true);
	session_output_done(f->s, len);
}

void
fake_drain(struct fake *f)
{
	size_t len, at;
	unsigned ms = session_delay(f->s, &at);
	char line[48];

	(void)session_output(f->s, &len);
	if (ms && len > at) { /* the reply is out: write, wait, write */
		take(f, at);
		snprintf(line, sizeof(line), "[delay %u ms]\n", ms);
		record_str(f->rec, line);
		session_delay_done(f->s);
	}
	(void)session_output(f->s, &len);
	take(f, len);
	/* STARTTLS answered 220: the handshake, at once and always well */
	if (session_tls_pending(f->s)) {
		record_str(f->rec, "[tls]\n");
		session_tls_started(f->s, "TLSv1.3 with cipher TEST");
	}
}

void
fake_flush(struct fake *f)
{
	fake_drain(f);
	while (session_has_more(f->s)) {
		session_resume(f->s);
		fake_drain(f);
	}
}

static void
check(struct fake *f, enum fake_call call, const struct envelope *env,
    const char *p, size_t n)
{
	fake_drain(f);
	if (f->check_call)
		f->check_call(f, call, env, p, n);
}

static int
fake_begin(void *ctx, const struct envelope *env)
{
	struct fake *f = ctx;
	char line[512];

	check(f, FAKE_BEGIN, env, NULL, 0);
	if (f->fail_begin > 0) {
		record_str(f->rec, "[begin fails]\n");
		errno = f->fail_begin;
		return -1;
	}
	snprintf(line, sizeof(line), "[begin %s from=<%s> rcpt=%u%s]\n",
	    env->id, env->sender.addr, env->nrcpt,
	    f->fail_begin < 0 ? " discard" : "");
	record_str(f->rec, line);
	f->in_msg = true;
	f->wanted = f->fail_begin == 0;
	f->body.len = 0;
	return f->wanted ? 0 : 1;
}

static int
fake_write(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;

	check(f, FAKE_WRITE, NULL, buf, len);
	if (f->fail_write) {
		errno = f->fail_write;
		return -1;
	}
	record_add(&f->body, buf, len);
	record_show(f->rec, buf, len, false);
	return 0;
}

static int
fake_commit(void *ctx, const struct envelope *env, char *note, size_t n)
{
	struct fake *f = ctx;
	char line[64];

	check(f, FAKE_COMMIT, env, f->body.p, f->body.len);
	f->in_msg = false;
	snprintf(line, sizeof(line), "[commit size=%llu]\n",
	    (unsigned long long)env->size);
	record_str(f->rec, line);
	snprintf(note, n, "fake");
	if (f->fail_commit > 0) {
		errno = f->fail_commit;
		return -1;
	}
	return f->fail_commit;
}

static void
fake_abort(void *ctx, const struct envelope *env)
{
	struct fake *f = ctx;

	check(f, FAKE_ABORT, env, NULL, 0);
	f->in_msg = false;
	record_str(f->rec, "[abort]\n");
}

const struct delivery_ops fake_ops = {
	fake_begin, fake_write, fake_commit, fake_abort,
};

int
fake_rcpt_result(void *ctx, const struct envelope *env, unsigned i)
{
	const char *at = strrchr(env->rcpt[i].addr, '@');
	size_t n = at ? (size_t)(at - env->rcpt[i].addr) : 0;

	(void)ctx;
	if (n >= 5 && memcmp(at - 5, "+fail", 5) == 0)
		return R_DELIVERY_DEFERRED;
	if (n >= 7 && memcmp(at - 7, "+reject", 7) == 0)
		return R_DELIVERY_FAILED;
	return RCPT_AS_MESSAGE;
}

void
fake_event(void *ctx, const struct session_note *n)
{
	static const char *names[] = { "command", "reply", "refused",
		"accepted", "rejected", "close", "injected", "pipelining" };
	struct fake *f = ctx;
	char line[64];

	/* improper pipelining depends on how the input was cut, which the
	 * record must not: test_fault.c looks at it */
	if (!f->record_events || n->type == SE_REPLY ||
	    n->type == SE_PIPELINING)
		return;
	fake_drain(f);
	snprintf(line, sizeof(line), "[%s %d] ", names[n->type], n->error);
	record_str(f->rec, line);
	record_show(f->rec, n->text, strlen(n->text), false);
	record_str(f->rec, " | ");
	record_show(f->rec, n->reply, strlen(n->reply), false);
	record_str(f->rec, "\n");
}

/* ---- the address book's files ------------------------------------------- */

static long
fake_read_at(void *ctx, char *buf, size_t n, uint64_t off)
{
	struct fake_file *f = ctx;

	f->reads++;
	if (f->fail_read) {
		errno = f->fail_read;
		return -1;
	}
	if (off >= f->text.len)
		return 0;
	if (n > f->text.len - off)
		n = f->text.len - (size_t)off;
	if (f->cut && n > f->cut)
		n = f->cut;
	memcpy(buf, f->text.p + off, n);
	return (long)n;
}

void
fake_file_open(struct fake_file *f, const char *name)
{
	f->file = (struct book_file){ .name = name, .read_at = fake_read_at,
		.ctx = f, .size = f->text.len, .error = f->fail_open };
}

void
fake_book_report(void *ctx, const struct book_file *file, unsigned long line,
    const char *why, int error)
{
	struct fake *f = ctx;
	char text[128];

	fake_drain(f);
	if (line > 0)
		snprintf(text, sizeof(text), "[table %s:%lu %s]\n", file->name,
		    line, why);
	else
		snprintf(text, sizeof(text), "[table %s: error %s]\n",
		    file->name, strerror(error));
	record_str(f->rec, text);
}

/* The credentials: alice / secret pass; the user "down" finds the file
 * unreadable; everyone else fails.  Recorded without the password. */
static int
fake_auth_check(void *ctx, const char *user, const char *pass,
    unsigned failures)
{
	struct fake *f = ctx;
	char line[SASL_USER_MAX + 64];
	int r = strcmp(user, "down") == 0 ? AUTH_UNAVAILABLE :
	    strcmp(user, "alice") == 0 && strcmp(pass, "secret") == 0 ?
	    AUTH_OK : AUTH_BAD;

	fake_drain(f);
	snprintf(line, sizeof(line), "[auth %s failures=%u: %s]\n", user,
	    failures, r == AUTH_OK ? "ok" : r == AUTH_BAD ? "bad" :
	    "unavailable");
	record_str(f->rec, line);
	return r;
}

const struct auth_ops fake_auth_ops = { fake_auth_check };
