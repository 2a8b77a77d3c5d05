/*
 * fuzz_fault.c: the grammar of --fail and --delay (core/fault.c), and a
 * session with the faults it parsed, --fail-by-address and withheld
 * extensions.
 *
 * Input: byte 0 the configuration (bit 0: a line without "f " or "d "
 * is a --delay, else a --fail; bit 1 --fail-by-address; bits 2-5
 * withhold PIPELINING, ENHANCEDSTATUSCODES, SIZE+8BITMIME+SMTPUTF8,
 * CHUNKING+STARTTLS+AUTH; bit 6 split_messages; bit 7 the client leaves
 * by timeout, else EOF); bytes 1-2 the seed of the odds and of the cuts;
 * then specs, one a line, up to a NUL; then the client's bytes.
 *
 * Invariants of the grammar: a spec either adds one rule whose fields
 * are all in range, and which fault_format() writes back as a spec that
 * parses to the same rule, or adds nothing and says why; the parser
 * reads nothing past the spec's NUL.  Of the session: every reply line
 * is well formed; a faulted RCPT records no recipient; a faulted end of
 * data comes before any commit of its message; the session always makes
 * progress and ends closed with no delivery open; and the whole record
 * is the same whether the input arrives at once or cut into pieces.
 */
#include <stdbool.h>
#include <string.h>

#include "core/session.h"
#include "fake.h"
#include "feed.h"
#include "fuzz.h"

/* ---- the grammar ---------------------------------------------------- */

static void
check_rule(const struct fault_rule *r)
{
	REQUIRE(r->point > FP_NONE && r->point < FP__COUNT);
	REQUIRE(r->kind == FAULT_FAIL || r->kind == FAULT_DELAY);
	if (r->kind == FAULT_FAIL) {
		REQUIRE(r->ms == 0);
		REQUIRE((r->code >= 400 && r->code <= 599) ||
		    r->code == FAULT_DROP || r->code == FAULT_HANG);
		REQUIRE(r->point != FP_CONNECT || r->code == 421 ||
		    r->code == 521 || r->code == 554 || r->code < 400);
	} else {
		REQUIRE(r->code == 0 && r->ms <= FAULT_DELAY_MAX_MS);
	}
	switch (r->which) {
	case WHICH_EVERY:
		REQUIRE(r->n == 0);
		break;
	case WHICH_NTH:
		REQUIRE(r->n >= 1 && r->n <= FAULT_NTH_MAX);
		break;
	case WHICH_ODDS:
		REQUIRE(r->n >= 1 && r->n <= FAULT_ODDS_ONE);
		break;
	default:
		REQUIRE(0);
	}
}

static void
parse_one(struct fault_table *t, enum fault_kind kind, const char *spec)
{
	unsigned before = t->n;
	const char *why = fault_parse(t, kind, spec);
	struct fault_table again = { 0 };
	char text[96];

	if (why) {
		REQUIRE(t->n == before && strlen(why) > 0);
		return;
	}
	REQUIRE(t->n == before + 1);
	check_rule(&t->rule[before]);
	fault_format(&t->rule[before], text, sizeof(text));
	REQUIRE(fault_parse(&again, kind, text) == NULL);
	REQUIRE(memcmp(&again.rule[0], &t->rule[before],
		    sizeof(struct fault_rule)) == 0);
}

/* ---- the session ---------------------------------------------------- */

struct state {
	bool closed;
	bool injected_rcpt;  /* the last command was a faulted RCPT */
	unsigned nrcpt;      /* recipients when it came */
	bool committed;      /* this message was committed */
	struct session *s;
};

static void
check_replies(struct fake *f, const char *p, size_t n)
{
	size_t i = 0;

	REQUIRE(!f->s->out.overflow);
	while (i < n) {
		const char *e = memchr(p + i, '\n', n - i);
		size_t len;
		REQUIRE(e != NULL);
		len = (size_t)(e - (p + i));
		REQUIRE(len >= 5 && len <= REPLY_LINE_MAX && p[i + len - 1] == '\r');
		REQUIRE(p[i] >= '2' && p[i] <= '5');
		REQUIRE(p[i + 3] == ' ' || p[i + 3] == '-');
		for (size_t k = i; k + 1 < i + len; k++)
			REQUIRE((unsigned char)p[k] >= 0x20 && p[k] != 0x7f);
		i += len + 1;
	}
}

static void
check_call(struct fake *f, enum fake_call call, const struct envelope *env,
    const char *p, size_t n)
{
	struct state *st = f->user;

	(void)env, (void)p, (void)n;
	if (call == FAKE_BEGIN)
		st->committed = false;
	if (call == FAKE_COMMIT)
		st->committed = true;
}

static void
note(void *ctx, const struct session_note *e)
{
	struct fake *f = ctx;
	struct state *st = f->user;
	bool delay = strncmp(e->reply, "delay", 5) == 0;

	REQUIRE(!st->closed);
	if (e->type == SE_COMMAND) {
		/* the faulted RCPT before this command recorded nothing */
		REQUIRE(!st->injected_rcpt || st->s->env.nrcpt <= st->nrcpt);
		st->injected_rcpt = false;
		st->nrcpt = st->s->env.nrcpt;
	}
	if (e->type == SE_INJECTED && !delay && strcmp(e->text, "rcpt") == 0)
		st->injected_rcpt = true;
	if (e->type == SE_INJECTED && !delay && strcmp(e->text, "dot") == 0)
		REQUIRE(!st->committed);
	if (e->type == SE_CLOSE)
		st->closed = true;
	fake_event(ctx, e);
}

static void
play(const struct session_config *cfg, struct record *rec, const char *in,
    size_t len, bool cut, uint32_t seed, bool timeout)
{
	struct session s;
	struct state st = { .s = &s };
	struct fake f = {
		.s = &s, .rec = rec, .record_events = true,
		.check_replies = check_replies, .check_call = check_call,
		.user = &st,
	};
	struct session_config c = *cfg;

	c.delivery_ctx = c.event_ctx = &f;
	session_init(&s, &c);
	fake_flush(&f);
	feed_all(&f, in, len, cut, seed, timeout);
	REQUIRE(st.closed);
	REQUIRE(!f.in_msg && !s.in_delivery);
	record_free(&f.body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct path table[5];
	static struct fault_table faults;
	struct session_config cfg;
	struct record rec[2] = { { 0 }, { 0 } };
	const uint8_t *nul;
	char spec[256];
	unsigned withheld = 0;
	size_t n;

	if (size < 3)
		return 0;
	memset(&faults, 0, sizeof(faults));
	nul = memchr(data + 3, '\0', size - 3);
	n = nul ? (size_t)(nul - (data + 3)) : size - 3;
	for (size_t i = 0; i < n;) {
		const uint8_t *lf = memchr(data + 3 + i, '\n', n - i);
		size_t k = lf ? (size_t)(lf - (data + 3 + i)) : n - i;
		enum fault_kind kind = data[0] & 1 ? FAULT_DELAY : FAULT_FAIL;
		const char *p = (const char *)data + 3 + i;
		if (k >= 2 && (p[0] == 'f' || p[0] == 'd') && p[1] == ' ') {
			kind = p[0] == 'd' ? FAULT_DELAY : FAULT_FAIL;
			p += 2, k -= 2;
		}
		if (k < sizeof(spec)) {
			memcpy(spec, p, k);
			spec[k] = '\0';
			parse_one(&faults, kind, spec);
		}
		i += (size_t)(p - ((const char *)data + 3 + i)) + k + 1;
	}
	if (nul == NULL)
		return 0;
	/* no real waits here: a delay is a mark in the record */
	if (data[0] & 0x04)
		withheld |= EXT_PIPELINING;
	if (data[0] & 0x08)
		withheld |= EXT_ENHANCEDSTATUSCODES;
	if (data[0] & 0x10)
		withheld |= EXT_SIZE | EXT_8BITMIME | EXT_SMTPUTF8;
	if (data[0] & 0x20)
		withheld |= EXT_CHUNKING | EXT_STARTTLS | EXT_AUTH;
	cfg = (struct session_config){
		.hostname = "sink.test", .session_id = "FUZZ",
		.client_addr = "192.0.2.7", .max_size = 1000,
		.max_recipients = 5, .rcpt_table = table, .max_errors = 20,
		.extensions = EXT_DEFAULT & ~withheld, .withheld = withheld,
		.delivery = &fake_ops, .event = note,
		.faults = faults.n ? &faults : NULL,
		.fault_seed = (uint64_t)data[1] << 8 | data[2],
		.fail_by_address = data[0] & 2,
		.split_messages = data[0] & 0x40,
	};
	n = size - (size_t)(nul + 1 - data);
	for (int i = 0; i < 2; i++)
		play(&cfg, &rec[i], (const char *)nul + 1, n, i == 1,
		    (uint32_t)data[1] << 8 | data[2], data[0] & 0x80);
	REQUIRE(rec[0].len == rec[1].len);
	REQUIRE(memcmp(rec[0].p, rec[1].p, rec[0].len) == 0);
	record_free(&rec[0]);
	record_free(&rec[1]);
	return 0;
}
