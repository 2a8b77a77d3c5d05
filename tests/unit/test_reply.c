/*
 * test_reply.c: the reply catalogue and the one reply function: what a
 * reply looks like, and the policy that comes with it (errors counted,
 * 421 after --max-errors, nothing after 221 or 421, refusals noted), and
 * a long reply that resumes after each flush.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/internal.h"

static unsigned closes, refusals;

static void
note(void *ctx, const struct session_note *n)
{
	(void)ctx;
	closes += n->type == SE_CLOSE;
	refusals += n->type == SE_REFUSED;
}

static struct path table[2];

static const struct session_config cfg = {
	.hostname = "sink.test", .session_id = "T", .client_addr = "192.0.2.1",
	.max_recipients = 2, .rcpt_table = table,
	.max_errors = 3, .extensions = EXT_DEFAULT,
	.event = note,
};

/* Every entry is filled in, its enhanced code has its code's class, and
 * its text takes strings only. */
static void
test_catalogue(void)
{
	for (int i = 0; i < R__COUNT; i++) {
		const struct reply_def *r = &reply_catalogue[i];
		const char *p = r->text;

		CHECK(r->code >= 200 && r->code <= 599 && r->text != NULL);
		if (r->enhanced)
			CHECK(r->enhanced[0] == '0' + r->code / 100 &&
			    r->enhanced[1] == '.');
		CHECK(!(r->flags & RF_CLOSE) || r->why != NULL);
		while ((p = strchr(p, '%')) != NULL) {
			CHECK(p[1] == 's');
			p += 2;
		}
	}
}

static struct session *
fresh(void)
{
	static struct session s;

	closes = refusals = 0;
	session_init(&s, &cfg);
	reply_buf_consume(&s.out, s.out.len);
	return &s;
}

static void
test_format(void)
{
	struct session *s = fresh();

	reply(s, R_HELO_SYNTAX, "HE\r\nLO");
	CHECK_MEM_EQ(s->out.data, s->out.len,
	    "501 5.5.4 Syntax: HE??LO hostname\r\n", 35);
	reply_buf_consume(&s->out, 4);
	CHECK_MEM_EQ(s->out.data, s->out.len, "5.5.4 Syntax: HE??LO hostname\r\n",
	    31);
	reply_buf_consume(&s->out, 100);
	CHECK(s->out.len == 0);
	reply_more(s, R_EHLO_FIRST, "sink.test");
	reply(s, R_EHLO_LINE, "HELP");
	CHECK_MEM_EQ(s->out.data, s->out.len, "250-sink.test\r\n250 HELP\r\n", 25);
}

static void
test_policy(void)
{
	struct session *s = fresh();

	reply(s, R_UNKNOWN);
	reply(s, R_TOO_MANY_RCPT); /* not counted */
	reply(s, R_BAD_SYNTAX);
	CHECK(s->errors == 2 && !session_closed(s));
	reply(s, R_UNKNOWN);
	CHECK(session_closed(s) && closes == 1);
	CHECK(strstr(s->out.data, "421 4.7.0 sink.test Error: too many errors\r\n")
	    != NULL);
	size_t len = s->out.len;
	reply(s, R_DONE);
	CHECK(s->out.len == len); /* nothing after 421 */

	s = fresh();
	s->verb = verb_lookup("MAIL", 4, &(const char *){ NULL });
	reply(s, R_SENDER_SYNTAX);
	CHECK(refusals == 1);
	s->verb = NULL;
	reply(s, R_BYE);
	CHECK(session_closed(s) && closes == 1 && s->errors == 1);
}

/* A reply of many items: written as room allows, resumed after flushes,
 * in order, and nothing is consumed meanwhile. */
static bool
item(struct session *s, size_t i)
{
	char text[64];

	snprintf(text, sizeof(text), "line %04zu", i);
	if (i + 1 < 1000)
		reply_more(s, R_EHLO_LINE, text);
	else
		reply(s, R_EHLO_LINE, text);
	return true;
}

static void
test_more(void)
{
	struct session *s = fresh();
	size_t lines = 0, flushes = 0, len;
	const char *out;

	session_more(s, item, 1000);
	CHECK(session_feed(s, "NOOP\r\n", 6) == 0);
	while (session_has_more(s) || s->out.len) {
		out = session_output(s, &len);
		for (const char *p = out; p < out + len; p++)
			lines += *p == '\n';
		CHECK(len <= REPLY_BUF_SIZE);
		session_output_done(s, len);
		flushes++;
		session_resume(s);
	}
	CHECK(lines == 1000 && flushes > 1 && !s->out.overflow);
	CHECK(session_feed(s, "NOOP\r\n", 6) == 6);
	CHECK_MEM_EQ(s->out.data, s->out.len, "250 2.0.0 Ok\r\n", 14);
}

int
main(void)
{
	test_catalogue();
	test_format();
	test_policy();
	test_more();
	return check_finish("reply");
}
