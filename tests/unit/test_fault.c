/*
 * test_fault.c: faults on purpose (core/fault.c): the grammar of --fail
 * and --delay and its round trip, the codes of --fail-by-address, the
 * odds and their replay, each fault point with each kind of WHICH, the
 * replies a fault gives, drop, hang and the delay API, withheld
 * extensions, and improper pipelining.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/internal.h"
#include "fake.h"

/* ---- the grammar ---------------------------------------------------- */

static void
check_rule(enum fault_kind kind, const char *spec, unsigned point,
    unsigned code, unsigned ms, unsigned which, unsigned n,
    const char *canonical)
{
	struct fault_table t = { 0 };
	const char *why = fault_parse(&t, kind, spec);
	char back[80];

	CHECK(why == NULL);
	if (why) {
		fprintf(stderr, "  %s: %s\n", spec, why);
		return;
	}
	CHECK(t.n == 1);
	CHECK(t.rule[0].point == point && t.rule[0].kind == kind);
	CHECK(t.rule[0].code == code && t.rule[0].ms == ms);
	CHECK(t.rule[0].which == which && t.rule[0].n == n);
	fault_format(&t.rule[0], back, sizeof(back));
	CHECK_STR_EQ(back, canonical);
}

static void
test_grammar(void)
{
	static const char *bad_fail[] = {
		"", "rcpt", "rcpt:", "rcpt:451:", ":451", "rcpt:4511",
		"rcpt:399", "rcpt:600", "rcpt:250", "rcpt:45x", "rcpt:+451",
		"rcpt:451:0%", "rcpt:451:101%", "rcpt:451:30", "rcpt:451:%",
		"rcpt:451:#0", "rcpt:451:#", "rcpt:451:#-1",
		"rcpt:451:#12345678", "rcpt:451:1.23456%", "rcpt:451:#2:x",
		"rcpt:451:30%:#2", "lhlo:451", "connect:451", "connect:550",
		"rcpt :451", "rcpt:451 ", "rcpt:dropped", "rcpt:451:-5%",
		"rcpt:451:.5%", "rcpt:451:5.%", "rcpt:451:1000%",
	};
	static const char *bad_delay[] = {
		"rcpt", "rcpt:", "rcpt:x", "rcpt:-1", "rcpt:86401",
		"rcpt:1.2345", "rcpt:.5", "rcpt:5.", "rcpt:1:0%", "rcpt:100000",
		"rcpt:drop",
	};
	struct fault_table t = { 0 };

	check_rule(FAULT_FAIL, "rcpt:451", FP_RCPT, 451, 0, WHICH_EVERY, 0,
	    "rcpt:451");
	check_rule(FAULT_FAIL, "RCPT:451:#3", FP_RCPT, 451, 0, WHICH_NTH, 3,
	    "rcpt:451:#3");
	check_rule(FAULT_FAIL, "mail:550:30%", FP_MAIL, 550, 0, WHICH_ODDS,
	    300000, "mail:550:30%");
	check_rule(FAULT_FAIL, "dot:552:12.5%", FP_DOT, 552, 0, WHICH_ODDS,
	    125000, "dot:552:12.5%");
	check_rule(FAULT_FAIL, "helo:421:0.0001%", FP_HELO, 421, 0,
	    WHICH_ODDS, 1, "helo:421:0.0001%");
	check_rule(FAULT_FAIL, "quit:599:100%", FP_QUIT, 599, 0, WHICH_ODDS,
	    1000000, "quit:599:100%");
	check_rule(FAULT_FAIL, "connect:554", FP_CONNECT, 554, 0,
	    WHICH_EVERY, 0, "connect:554");
	check_rule(FAULT_FAIL, "connect:HANG", FP_CONNECT, FAULT_HANG, 0,
	    WHICH_EVERY, 0, "connect:hang");
	check_rule(FAULT_FAIL, "data:drop:#9999999", FP_DATA, FAULT_DROP, 0,
	    WHICH_NTH, 9999999, "data:drop:#9999999");
	check_rule(FAULT_FAIL, "starttls:454", FP_STARTTLS, 454, 0,
	    WHICH_EVERY, 0, "starttls:454");
	check_rule(FAULT_FAIL, "bdat:552", FP_BDAT, 552, 0, WHICH_EVERY, 0,
	    "bdat:552");
	check_rule(FAULT_DELAY, "rcpt:1.5", FP_RCPT, 0, 1500, WHICH_EVERY, 0,
	    "rcpt:1.5");
	check_rule(FAULT_DELAY, "dot:0.005:#2", FP_DOT, 0, 5, WHICH_NTH, 2,
	    "dot:0.005:#2");
	check_rule(FAULT_DELAY, "connect:86400:50%", FP_CONNECT, 0, 86400000,
	    WHICH_ODDS, 500000, "connect:86400:50%");
	check_rule(FAULT_DELAY, "noop:0", FP_NOOP, 0, 0, WHICH_EVERY, 0,
	    "noop:0");
	check_rule(FAULT_DELAY, "vrfy:2.100", FP_VRFY, 0, 2100, WHICH_EVERY,
	    0, "vrfy:2.1");
	for (size_t i = 0; i < sizeof(bad_fail) / sizeof(*bad_fail); i++) {
		const char *why = fault_parse(&t, FAULT_FAIL, bad_fail[i]);
		CHECK(why != NULL && t.n == 0);
		if (why == NULL)
			fprintf(stderr, "  accepted --fail %s\n", bad_fail[i]);
	}
	for (size_t i = 0; i < sizeof(bad_delay) / sizeof(*bad_delay); i++) {
		const char *why = fault_parse(&t, FAULT_DELAY, bad_delay[i]);
		CHECK(why != NULL && t.n == 0);
		if (why == NULL)
			fprintf(stderr, "  accepted --delay %s\n", bad_delay[i]);
	}
	for (unsigned i = 0; i < FAULT_RULES_MAX; i++)
		CHECK(fault_parse(&t, FAULT_FAIL, "noop:451") == NULL);
	CHECK(fault_parse(&t, FAULT_FAIL, "noop:451") != NULL);
	CHECK(t.n == FAULT_RULES_MAX);
	for (unsigned p = FP_NONE + 1; p < FP__COUNT; p++)
		CHECK(strlen(fault_point_name(p)) > 0);
}

static void
test_address_codes(void)
{
	static const struct {
		const char *addr;
		unsigned code;
		bool dot;
	} cases[] = {
		{ "451@x.test", 451, false }, { "user+552@x.test", 552, false },
		{ "a+b+421@x.test", 421, false }, { "dot-451@x.test", 451, true },
		{ "user+dot-554@x.test", 554, true },
		{ "user+DOT-450@x.test", 450, true }, { "599@x", 599, false },
		{ "400", 400, false }, { "user+452", 452, false },
		{ "399@x.test", 0, false }, { "600@x.test", 0, false },
		{ "user+45@x.test", 0, false }, { "user+4510@x.test", 0, false },
		{ "user451@x.test", 0, false }, { "user+dot-@x.test", 0, false },
		{ "user+dot451@x.test", 0, false }, { "dot-45@x.test", 0, false },
		{ "user@451.test", 0, false }, { "", 0, false },
		{ "+451@x.test", 451, false }, { "user+ 451@x", 0, false },
		{ "\"451\"@x.test", 0, false }, { "user+dot-dot-451@x", 0, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		bool dot = true;
		unsigned code = fault_address_code(cases[i].addr, &dot);
		CHECK(code == cases[i].code && dot == cases[i].dot);
		if (code != cases[i].code || dot != cases[i].dot)
			fprintf(stderr, "  %s: %u %d\n", cases[i].addr, code, dot);
	}
}

/* Every entry fits its code: the class of the enhanced code, one %s at
 * most, RF_CLOSE for 421 alone, never counted as the client's error;
 * and a code without an entry gets its class's. */
static void
test_replies(void)
{
	struct reply_def d;

	for (size_t i = 0; i < fault_catalogue_size; i++) {
		const struct fault_reply_def *f = &fault_catalogue[i];
		const char *p = strchr(f->text, '%');
		CHECK(f->code >= 400 && f->code <= 599);
		CHECK(f->enhanced[0] == '\0' ||
		    (f->enhanced[0] == '0' + f->code / 100 &&
			f->enhanced[1] == '.'));
		CHECK((f->enhanced[0] == '\0') == (f->point == FP_CONNECT));
		CHECK(p == NULL || (p[1] == 's' && strchr(p + 1, '%') == NULL));
		CHECK(strlen(f->text) + 1 < sizeof(f->text));
		fault_reply(f->point, f->code, &d);
		CHECK(d.flags & RF_NOT_COUNTED);
		CHECK(!(d.flags & RF_CLOSE) == (d.code != 421));
		CHECK(!(d.flags & RF_CLOSE) || d.why != NULL);
		CHECK(d.text == f->text || f->code == 500);
	}
	fault_reply(FP_RCPT, 499, &d);
	CHECK(d.code == 499 && strcmp(d.enhanced, "4.0.0") == 0);
	fault_reply(FP_DOT, 599, &d);
	CHECK(d.code == 599 && strcmp(d.enhanced, "5.0.0") == 0);
	fault_reply(FP_RCPT, 550, &d);
	CHECK(strcmp(d.enhanced, "5.1.1") == 0);
	fault_reply(FP_MAIL, 550, &d);
	CHECK(strcmp(d.enhanced, "5.7.1") == 0);
	fault_reply(FP_CONNECT, 554, &d);
	CHECK(d.enhanced == NULL);
	fault_reply(FP_DATA, 554, &d);
	CHECK(strcmp(d.enhanced, "5.3.0") == 0);
	fault_reply(FP_HELO, 500, &d);
	CHECK(strcmp(d.enhanced, "5.5.2") == 0);
}

/* ---- sessions -------------------------------------------------------- */

static struct path table[10];
static unsigned pipelining_notes;
static char pipelining_after[64];

static void
note(void *ctx, const struct session_note *n)
{
	if (n->type == SE_PIPELINING) {
		pipelining_notes++;
		snprintf(pipelining_after, sizeof(pipelining_after), "%s",
		    n->text);
	}
	fake_event(ctx, n);
}

struct run {
	struct session_config cfg;
	struct fault_table faults;
	struct session s;
	struct fake f;
	struct record rec;
};

static void
run_start(struct run *r, const char *fail)
{
	memset(r, 0, sizeof(*r));
	r->cfg = (struct session_config){
		.hostname = "sink.test", .session_id = "T",
		.client_addr = "192.0.2.1", .max_size = 1000,
		.max_recipients = 10, .rcpt_table = table, .max_errors = 0,
		.extensions = EXT_DEFAULT, .delivery = &fake_ops,
		.delivery_ctx = &r->f, .event = note, .event_ctx = &r->f,
	};
	if (fail) {
		CHECK(fault_parse(&r->faults, FAULT_FAIL, fail) == NULL);
		r->cfg.faults = &r->faults;
	}
	r->f.s = &r->s;
	r->f.rec = &r->rec;
	pipelining_notes = 0;
}

/* Feeds in one piece (or a byte at a time), as an edge does. */
static void
run_feed(struct run *r, const char *in, bool bytewise)
{
	size_t len = strlen(in), off = 0;

	while (off < len && !session_closed(&r->s)) {
		size_t n = bytewise ? 1 : len - off;
		off += session_feed(&r->s, in + off, n);
		fake_flush(&r->f);
	}
}

static void
run_free(struct run *r)
{
	record_free(&r->rec);
	record_free(&r->f.body);
}

/* How many lines of the record start with prefix. */
static unsigned
count_lines(const struct record *rec, const char *prefix)
{
	unsigned n = 0;
	size_t k = strlen(prefix);

	for (const char *p = rec->p; p && *p;) {
		const char *e = strchr(p, '\n');
		if (strncmp(p, prefix, k) == 0)
			n++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return n;
}

/* Three commands of each point; the faults of one WHICH each. */
static const struct {
	const char *when;
	const char *session; /* three commands of that point, or messages */
} points[] = {
	{ "helo", "HELO a\r\nEHLO b\r\nHELO c\r\n" },
	{ "mail", "EHLO a\r\nMAIL FROM:<a@x>\r\nRSET\r\nMAIL FROM:<b@x>\r\n"
		  "RSET\r\nMAIL FROM:<c@x>\r\n" },
	{ "rcpt", "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\n"
		  "RCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\n" },
	/* a refused DATA makes "." a bad command; RSET either way */
	{ "data", "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n"
		  ".\r\nRSET\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n"
		  ".\r\nRSET\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n"
		  ".\r\n" },
	{ "dot", "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n"
		 ".\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n.\r\n"
		 "MAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n.\r\n" },
	{ "rset", "EHLO a\r\nRSET\r\nRSET\r\nRSET\r\n" },
	{ "noop", "EHLO a\r\nNOOP\r\nNOOP\r\nNOOP\r\n" },
	{ "vrfy", "EHLO a\r\nVRFY a\r\nVRFY b\r\nVRFY c\r\n" },
	{ "expn", "EHLO a\r\nEXPN a\r\nEXPN b\r\nEXPN c\r\n" },
	{ "auth", "EHLO a\r\nAUTH PLAIN\r\nAUTH LOGIN\r\nAUTH PLAIN\r\n" },
	{ "starttls", "EHLO a\r\nSTARTTLS\r\nSTARTTLS\r\nSTARTTLS\r\n" },
	{ "quit", "EHLO a\r\nQUIT\r\n" },
	{ "connect", "QUIT\r\n" },
};

static void
test_each_point(void)
{
	/* the code 555 is nowhere else in these sessions */
	static const struct {
		const char *which;
		unsigned expect; /* replies with 555 of the three commands */
	} whichs[] = { { "", 3 }, { ":#2", 1 }, { ":100%", 3 } };

	for (size_t i = 0; i < sizeof(points) / sizeof(*points); i++)
		for (size_t w = 0; w < 3; w++) {
			struct run r;
			char spec[64];
			unsigned expect = whichs[w].expect, got;
			const char *code = strcmp(points[i].when, "connect") ?
			    "555" : "554";

			snprintf(spec, sizeof(spec), "%s:%s%s", points[i].when,
			    code, whichs[w].which);
			run_start(&r, spec);
			session_init(&r.s, &r.cfg);
			fake_drain(&r.f);
			run_feed(&r, points[i].session, false);
			/* one QUIT, one greeting a session: #2 never comes */
			if (strcmp(points[i].when, "quit") == 0 ||
			    strcmp(points[i].when, "connect") == 0)
				expect = w == 1 ? 0 : 1;
			got = count_lines(&r.rec, code);
			CHECK(got == expect);
			if (got != expect)
				fprintf(stderr, "  --fail %s: %u of %u\n%s", spec,
				    got, expect, r.rec.p);
			run_free(&r);
		}
}

/* A refused RCPT is not recorded; a refused DATA begins nothing; a
 * refused end of data stores nothing. */
static void
test_nothing_done(void)
{
	struct run r;

	run_start(&r, "rcpt:451:#2");
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\n"
		     "RCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\n", false);
	CHECK(r.s.env.nrcpt == 2);
	CHECK(strcmp(r.s.env.rcpt[1].addr, "c@y") == 0);
	run_free(&r);

	run_start(&r, "data:554");
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n",
	    false);
	CHECK(!r.s.in_delivery && r.s.state == ST_RCPT);
	CHECK(strstr(r.rec.p, "[begin") == NULL);
	run_free(&r);

	run_start(&r, "dot:451");
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<a@y>\r\nDATA\r\n"
		     "x\r\n.\r\n", false);
	CHECK(strstr(r.rec.p, "[commit") == NULL);
	CHECK(strstr(r.rec.p, "[abort]") != NULL);
	CHECK(!r.s.in_delivery && r.s.state == ST_READY);
	run_free(&r);
}

/* 30% over many commands lands near 30%; a seed replays its faults
 * exactly, another seed does not. */
static void
test_odds(void)
{
	enum { N = 100000 };
	static char script[N * 7 + 64];
	size_t o = 0;
	unsigned hits[3];
	struct record first = { 0 };
	uint64_t seeds[3] = { 1, 1, 2 };

	o += (size_t)sprintf(script, "EHLO a\r\n");
	for (int i = 0; i < N; i++)
		o += (size_t)sprintf(script + o, "NOOP\r\n");
	for (int k = 0; k < 3; k++) {
		struct run r;
		run_start(&r, "noop:451:30%");
		r.cfg.fault_seed = seeds[k];
		session_init(&r.s, &r.cfg);
		run_feed(&r, script, false);
		hits[k] = count_lines(&r.rec, "451 ");
		if (k == 0)
			record_add(&first, r.rec.p, r.rec.len);
		else if (k == 1)
			CHECK(r.rec.len == first.len &&
			    memcmp(r.rec.p, first.p, first.len) == 0);
		else
			CHECK(r.rec.len != first.len ||
			    memcmp(r.rec.p, first.p, first.len) != 0);
		run_free(&r);
	}
	/* binomial: sd = sqrt(N * 0.3 * 0.7) = 145; 5 sd either side */
	CHECK(hits[0] > 30000 - 725 && hits[0] < 30000 + 725);
	CHECK(hits[2] > 30000 - 725 && hits[2] < 30000 + 725);
	CHECK(hits[0] == hits[1]);
	record_free(&first);
}

/* drop closes without a word; hang says nothing until the client or
 * the timeout ends it, and takes all input meanwhile. */
static void
test_drop_hang(void)
{
	struct run r;
	size_t len;

	run_start(&r, "noop:drop");
	session_init(&r.s, &r.cfg);
	fake_drain(&r.f);
	CHECK(session_feed(&r.s, "NOOP\r\nQUIT\r\n", 12) == 6);
	(void)session_output(&r.s, &len);
	CHECK(len == 0 && session_closed(&r.s));
	run_free(&r);

	run_start(&r, "noop:hang");
	session_init(&r.s, &r.cfg);
	fake_drain(&r.f);
	CHECK(session_feed(&r.s, "NOOP\r\nQUIT\r\n", 12) == 6);
	CHECK(session_wait(&r.s) == WAIT_HUNG && !session_closed(&r.s));
	CHECK(session_feed(&r.s, "QUIT\r\n", 6) == 6);
	CHECK(session_feed(&r.s, "QUIT\r\n", 6) == 6);
	session_timeout(&r.s);
	(void)session_output(&r.s, &len);
	CHECK(len == 0 && session_closed(&r.s));
	run_free(&r);

	run_start(&r, "connect:hang");
	session_init(&r.s, &r.cfg);
	(void)session_output(&r.s, &len);
	CHECK(len == 0 && session_wait(&r.s) == WAIT_HUNG);
	session_eof(&r.s);
	CHECK(session_closed(&r.s));
	run_free(&r);
}

/* The reply that waits starts at the offset given; the feed stops
 * after the command; the offset follows what the edge wrote. */
static void
test_delay_api(void)
{
	struct run r;
	size_t at, len;
	const char *out;

	run_start(&r, NULL);
	CHECK(fault_parse(&r.faults, FAULT_DELAY, "noop:2.5:#2") == NULL);
	r.cfg.faults = &r.faults;
	session_init(&r.s, &r.cfg);
	CHECK(session_delay(&r.s, &at) == 0);
	CHECK(session_feed(&r.s, "NOOP\r\nNOOP\r\nNOOP\r\n", 18) == 12);
	CHECK(session_delay(&r.s, &at) == 2500);
	out = session_output(&r.s, &len);
	CHECK(at == len - 14); /* "250 2.0.0 Ok\r\n" waits */
	CHECK(memcmp(out + at, "250 2.0.0 Ok\r\n", 14) == 0);
	session_output_done(&r.s, 10);
	CHECK(session_delay(&r.s, &at) == 2500 && at == len - 24);
	session_output_done(&r.s, at);
	CHECK(session_delay(&r.s, &at) == 2500 && at == 0);
	session_delay_done(&r.s);
	CHECK(session_delay(&r.s, &at) == 0);
	CHECK(session_feed(&r.s, "NOOP\r\n", 6) == 6);
	run_free(&r);
}

/* Without PIPELINING the feed stops after each reply, and a client
 * that sent more before it is noted, once. */
static void
test_pipelining(void)
{
	struct run r;

	run_start(&r, NULL);
	r.cfg.extensions &= ~EXT_PIPELINING;
	session_init(&r.s, &r.cfg);
	CHECK(session_feed(&r.s, "EHLO a\r\nNOOP\r\nNOOP\r\n", 20) == 8);
	CHECK(pipelining_notes == 1);
	CHECK_STR_EQ(pipelining_after, "EHLO a");
	CHECK(session_feed(&r.s, "NOOP\r\nNOOP\r\n", 12) == 6);
	CHECK(pipelining_notes == 1);
	run_free(&r);

	run_start(&r, NULL);
	r.cfg.extensions &= ~EXT_PIPELINING;
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"
		     "x\r\n.\r\nQUIT\r\n", true);
	CHECK(pipelining_notes == 0);
	CHECK(count_lines(&r.rec, "250 ") == 4 &&
	    count_lines(&r.rec, "221 ") == 1);
	run_free(&r);

	run_start(&r, NULL);
	r.cfg.extensions &= ~EXT_PIPELINING;
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n",
	    true);
	run_feed(&r, "x\r\n.\r\nQUIT\r\n", false);
	CHECK(pipelining_notes == 1);
	CHECK_STR_EQ(pipelining_after, "end of data");
	run_free(&r);

	/* with PIPELINING, a batch is taken whole and nothing is noted */
	run_start(&r, NULL);
	session_init(&r.s, &r.cfg);
	CHECK(session_feed(&r.s, "EHLO a\r\nNOOP\r\nNOOP\r\n", 20) == 20);
	CHECK(pipelining_notes == 0);
	run_free(&r);
}

/* split_messages: the feed returns right after the end of data. */
static void
test_split(void)
{
	struct run r;
	static const char in[] = "EHLO a\r\nMAIL FROM:<a@x>\r\n"
				 "RCPT TO:<b@y>\r\nDATA\r\n";
	static const char msg[] = "x\r\n.\r\nQUIT\r\n";

	run_start(&r, NULL);
	r.cfg.split_messages = true;
	session_init(&r.s, &r.cfg);
	CHECK(session_feed(&r.s, in, sizeof(in) - 1) == sizeof(in) - 1);
	CHECK(session_wait(&r.s) == WAIT_MESSAGE);
	CHECK(session_feed(&r.s, msg, sizeof(msg) - 1) == 6);
	CHECK(session_wait(&r.s) == WAIT_COMMAND);
	run_free(&r);
}

/* A withheld verb is unknown in every state; its extension is not
 * offered; with ENHANCEDSTATUSCODES withheld no reply has one. */
static void
test_withheld(void)
{
	CHECK(session_extension("pipelining") == EXT_PIPELINING);
	CHECK(session_extension("AUTH") == EXT_AUTH);
	CHECK(session_extension("DSN") == 0 && session_extension("") == 0);

	struct run r;

	run_start(&r, NULL);
	r.cfg.withheld = EXT_CHUNKING | EXT_STARTTLS | EXT_AUTH;
	session_init(&r.s, &r.cfg);
	run_feed(&r, "BDAT 1\r\nEHLO a\r\nSTARTTLS\r\nAUTH PLAIN\r\n", false);
	CHECK(count_lines(&r.rec, "500 5.5.1 Error: command not recognized") ==
	    3);
	run_free(&r);

	run_start(&r, NULL);
	r.cfg.extensions = 0;
	r.cfg.withheld = EXT_DEFAULT;
	session_init(&r.s, &r.cfg);
	run_feed(&r, "EHLO a\r\nMAIL FROM:<a@x>\r\nQUIT\r\n", false);
	CHECK_STR_EQ(r.rec.p, "220 sink.test ESMTP smtp-sink\n"
			      "250-sink.test\n250 HELP\n250 Ok\n221 Bye\n");
	run_free(&r);
}

int
main(void)
{
	test_grammar();
	test_address_codes();
	test_replies();
	test_each_point();
	test_nothing_done();
	test_odds();
	test_drop_hang();
	test_delay_api();
	test_pipelining();
	test_split();
	test_withheld();
	return check_finish("fault");
}
