/*
 * fuzz_session.c: the whole session core (src/core/session.c and what it
 * calls) with a fake delivery that checks the contract of session.h.
 *
 * Input: byte 0 the configuration (bit 0 a local session, bit 1
 * --bare-lf reject, bits 2-3 --max-size, bits 4-5 --max-recipients,
 * bits 6-7 --max-errors); byte 1 the delivery's faults (bits 0-1 begin:
 * fine, ENOSPC, EIO, or "no bytes wanted" as --discard says it; bit 2
 * every write, bits 3-5 commit), bit 6 an address book (a recipients
 * table and aliases of a few lines each) and bit 7 how the client leaves
 * (timeout or EOF); byte 2 bit 7 LMTP (--lmtp, with recipients whose
 * local part ends in "+fail" or "+reject" failing on their own,
 * fake_rcpt_result); byte 2 bits 5-6 AUTH and STARTTLS (1: neither, as
 * the seeds made before them; 0: AUTH allowed in clear; 2: STARTTLS, and
 * AUTH only after it; 3: both, AUTH in clear and --auth-required), the
 * handshake the fake's, at once; the rest of bytes 2-3 where the input
 * is cut; then the client's bytes, BDAT chunks among them.
 *
 * Invariants: every reply line is "[2-5]dd" and a space or hyphen, holds
 * no control character and ends in CRLF, and the replies are whole at
 * every point the session hands control back; 221 and 421 come last; the
 * delivery calls come in order (begin, write..., then commit or abort,
 * never two messages at once, none left open at the end, no write when
 * begin said no bytes were wanted); the envelope's
 * addresses hold no control character, fit ADDR_BUF, and need SMTPUTF8
 * when they are not ASCII; message bytes hold no CR; a committed message
 * is empty or ends in LF and its size is its bytes with CRLF line ends,
 * within --max-size; no AUTH response and no line of an AUTH exchange
 * reaches an event unmasked; the session always makes progress; and the
 * whole
 * record (replies, deliveries, events) is the same whether the input
 * arrives at once or cut into pieces.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/session.h"
#include "fake.h"
#include "feed.h"
#include "fuzz.h"

struct state {
	const struct session_config *cfg;
	bool closed, last_said; /* SE_CLOSE came; a 221 or 421 was said */
	bool greeted;
};

/* ---- replies ---------------------------------------------------------- */

static void
check_replies(struct fake *f, const char *p, size_t n)
{
	struct state *st = f->user;
	size_t i = 0;
	char code[3];
	bool more = false;

	REQUIRE(!f->s->out.overflow);
	REQUIRE(n <= sizeof(f->s->out.data));
	while (i < n) {
		const char *e = memchr(p + i, '\n', n - i);
		REQUIRE(e != NULL);
		size_t len = (size_t)(e - (p + i)); /* with the CR */
		const char *l = p + i;
		REQUIRE(len >= 5 && len <= REPLY_LINE_MAX && l[len - 1] == '\r');
		REQUIRE(l[0] >= '2' && l[0] <= '5');
		REQUIRE(l[1] >= '0' && l[1] <= '9');
		REQUIRE(l[2] >= '0' && l[2] <= '9');
		REQUIRE(l[3] == ' ' || l[3] == '-');
		for (size_t k = 0; k + 1 < len; k++)
			REQUIRE((unsigned char)l[k] >= 0x20 && l[k] != 0x7f);
		if (more)
			REQUIRE(memcmp(code, l, 3) == 0);
		memcpy(code, l, 3);
		more = l[3] == '-';
		REQUIRE(!st->last_said); /* nothing after 221 or 421 */
		if (!more && (memcmp(l, "221", 3) == 0 ||
				 memcmp(l, "421", 3) == 0))
			st->last_said = true;
		if (!st->greeted) {
			REQUIRE(memcmp(l, "220 ", 4) == 0);
			st->greeted = true;
		}
		i += len + 1;
	}
	/* whole replies only, unless a long one waits for room */
	REQUIRE(!more || session_has_more(f->s));
}

/* ---- the delivery's contract --------------------------------------------- */

static void
check_path(const struct path *p, bool smtputf8)
{
	size_t n = strnlen(p->addr, sizeof(p->addr));
	bool ascii = true;

	REQUIRE(n < sizeof(p->addr));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->addr[i];
		REQUIRE(c >= 0x20 && c != 0x7f);
		if (c >= 0x80)
			ascii = false;
	}
	REQUIRE(ascii || smtputf8);
}

static void
check_begin(struct fake *f, const struct envelope *env)
{
	const struct session_config *cfg = ((struct state *)f->user)->cfg;

	REQUIRE(!f->in_msg && !((struct state *)f->user)->closed);
	REQUIRE(f->s->state == ST_RCPT);
	REQUIRE(env->nrcpt >= 1 && env->nrcpt <= cfg->max_recipients);
	REQUIRE(!cfg->max_size || env->params.size <= cfg->max_size);
	check_path(&env->sender, env->params.smtputf8);
	for (unsigned i = 0; i < env->nrcpt; i++)
		check_path(&env->rcpt[i], env->params.smtputf8);
	REQUIRE(strnlen(env->helo, SESSION_HELO_MAX + 1) <= SESSION_HELO_MAX);
}

/* A committed message is empty or ends in LF; its size is its bytes
 * with CRLF line ends (less the blank line the core put in front). */
static void
check_commit(struct fake *f, const struct envelope *env, const char *p,
    size_t n)
{
	const struct session_config *cfg = ((struct state *)f->user)->cfg;
	uint64_t size = 0;

	REQUIRE(f->in_msg);
	for (size_t i = 0; i < n; i++)
		size += p[i] == '\n' ? 2 : 1;
	if (f->s->data.body.blank_inserted)
		size -= 2;
	REQUIRE(!f->wanted || f->fail_write || env->size == size);
	REQUIRE(!cfg->max_size || env->size <= cfg->max_size);
	REQUIRE(n == 0 || p[n - 1] == '\n');
}

static void
check_call(struct fake *f, enum fake_call call, const struct envelope *env,
    const char *p, size_t n)
{
	switch (call) {
	case FAKE_BEGIN:
		check_begin(f, env);
		break;
	case FAKE_WRITE:
		REQUIRE(f->in_msg && f->wanted);
		REQUIRE(n > 0);
		REQUIRE(memchr(p, '\r', n) == NULL);
		break;
	case FAKE_COMMIT:
		check_commit(f, env, p, n);
		break;
	case FAKE_ABORT:
		REQUIRE(f->in_msg);
		break;
	}
}

/* An AUTH command shows its mechanism at most, its response as "***";
 * a line of the exchange shows as "***" alone. */
static void
check_masked(const struct session *s, const char *text)
{
	const char *sp;

	if (s->auth_step != AUTH_IDLE) {
		REQUIRE(strcmp(text, "***") == 0);
		return;
	}
	if (strncasecmp(text, "AUTH ", 5) != 0)
		return;
	sp = strchr(text + 5 + strspn(text + 5, " "), ' ');
	REQUIRE(sp == NULL || strcmp(sp, " ***") == 0);
}

static void
note(void *ctx, const struct session_note *n)
{
	struct fake *f = ctx;
	struct state *st = f->user;

	REQUIRE(n->text != NULL && n->reply != NULL);
	REQUIRE(!st->closed);
	if (n->type == SE_COMMAND)
		check_masked(f->s, n->text);
	if (n->type == SE_CLOSE)
		st->closed = true;
	fake_event(ctx, n);
}

/* ---- one session ------------------------------------------------------- */

static void
play(struct fake *f, struct state *st, const char *in, size_t len, int mode,
    uint32_t seed, bool timeout)
{
	struct session s;

	f->s = &s;
	session_init(&s, st->cfg);
	fake_flush(f);
	REQUIRE(st->greeted);
	feed_all(f, in, len, mode != 0, seed, timeout);
	REQUIRE(st->closed);
	REQUIRE(!f->in_msg);
	REQUIRE(!s.in_delivery);
}

/* The same small address book for every input that asks for one. */
static void
book_setup(struct session_config *c, struct book *b, struct fake_file *ff,
    struct fake *f)
{
	static const char *text[2] = {
		"# recipients\na@x.test\n\"b c\"@x.test\n@y.test\n"
		"bad line\npostmaster\na@z.test\n",
		"l: a@x.test, b@x.test\n  c@x.test\r\nm: |x, d@y.test\n"
		"nocolon\n",
	};

	for (int i = 0; i < 2; i++) {
		if (ff[i].text.len == 0)
			record_str(&ff[i].text, text[i]);
		fake_file_open(&ff[i], i ? "aliases" : "recipients");
	}
	book_init(b, &ff[0].file, &ff[1].file, fake_book_report, f);
	c->book = book_holds(b);
	c->book_ops = &book_ops;
	c->book_ctx = b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 100, 1000 };
	static const unsigned rcpts[] = { 1, 2, 5, 100 };
	static const unsigned errors[] = { 0, 1, 3, 10 };
	static const int begins[] = { 0, ENOSPC, EIO, -1 };
	static const int commits[] = { 0, ENOSPC, DELIVER_PERMANENT,
		DELIVER_TEMPORARY, 0, 0, 0, 0 };
	static struct path table[100];
	static struct book books[2];
	static struct fake_file files[2][2];
	static int results[100];
	struct session_config cfg;
	struct record rec[2] = { { 0 }, { 0 } };
	struct fake f[2];
	struct state st[2];
	bool timeout;
	char *in;
	size_t n;

	if (size < 4)
		return 0;
	cfg = (struct session_config){
		.hostname = "sink.test",
		.session_id = "FUZZ",
		.client_addr = "192.0.2.7",
		.max_size = sizes[(data[0] >> 2) & 3],
		.max_recipients = rcpts[(data[0] >> 4) & 3],
		.rcpt_table = table,
		.rcpt_results = results,
		.rcpt_result = fake_rcpt_result,
		.lmtp = data[2] & 0x80,
		.max_errors = errors[(data[0] >> 6) & 3],
		.extensions = EXT_DEFAULT,
		.auth = ((data[2] >> 5) & 3) != 1 ? &fake_auth_ops : NULL,
		.auth_clear = ((data[2] >> 5) & 3) != 2,
		.auth_required = ((data[2] >> 5) & 3) == 3,
		.tls = ((data[2] >> 5) & 3) >= 2 ? TLS_READY : TLS_NONE,
		.local = data[0] & 1,
		.bare_lf = data[0] & 2 ? BARE_LF_REJECT : BARE_LF_NORMALIZE,
		.delivery = &fake_ops,
		.event = note,
	};
	timeout = data[1] & 0x80;
	n = size - 4;
	in = malloc(n ? n : 1);
	memcpy(in, data + 4, n);

	for (int i = 0; i < 2; i++) {
		struct session_config c = cfg;
		f[i] = (struct fake){
			.rec = &rec[i],
			.fail_begin = begins[data[1] & 3],
			.fail_write = data[1] & 4 ? EIO : 0,
			.fail_commit = commits[(data[1] >> 3) & 7],
			.record_events = true,
			.check_replies = check_replies,
			.check_call = check_call,
			.user = &st[i],
		};
		st[i] = (struct state){ .cfg = &c };
		c.delivery_ctx = c.event_ctx = c.auth_ctx = &f[i];
		if (data[1] & 0x40)
			book_setup(&c, &books[i], files[i], &f[i]);
		play(&f[i], &st[i], in, n, i,
		    (uint32_t)(data[2] & 0x1f) << 8 | data[3], timeout);
		record_free(&f[i].body);
	}
	REQUIRE(rec[0].len == rec[1].len);
	REQUIRE(memcmp(rec[0].p, rec[1].p, rec[0].len) == 0);
	record_free(&rec[0]);
	record_free(&rec[1]);
	free(in);
	return 0;
}
