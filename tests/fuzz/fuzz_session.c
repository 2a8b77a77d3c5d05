/*
 * fuzz_session.c: the whole session core (src/core/session.c and what it
 * calls) with a fake delivery that checks the contract of session.h.
 *
 * Input: byte 0 the configuration (bit 0 a local session, bit 1
 * --bare-lf reject, bits 2-3 --max-size, bits 4-5 --max-recipients,
 * bits 6-7 --max-errors); byte 1 the delivery's faults (bits 0-1 begin:
 * fine, ENOSPC, EIO, or "no bytes wanted" as --discard says it; bit 2
 * every write, bits 3-5 commit) and bit 7 how the client leaves (timeout
 * or EOF); bytes 2-3 where the input is cut; then the client's bytes.
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
 * within --max-size; the session always makes progress; and the whole
 * record (replies, deliveries, events) is the same whether the input
 * arrives at once or cut into pieces.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "core/session.h"

struct fake {
	struct session *s;
	const struct session_config *cfg;
	struct log rec;  /* everything, in order, for the comparison */
	struct log body; /* the message being delivered */
	bool in_msg, closed, last_said; /* a 221 or 421 was said */
	bool greeted;
	bool wanted; /* the message in progress is to be written */
	int fail_begin, fail_commit;
	bool fail_write;
};

/* ---- replies ---------------------------------------------------------- */

static void
check_replies(struct fake *f, const char *p, size_t n)
{
	size_t i = 0;
	char code[3];
	bool more = false;

	while (i < n) {
		const char *e = memchr(p + i, '\n', n - i);
		REQUIRE(e != NULL);
		size_t len = (size_t)(e - (p + i)); /* with the CR */
		const char *l = p + i;
		REQUIRE(len >= 5 && l[len - 1] == '\r');
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
		REQUIRE(!f->last_said); /* nothing after 221 or 421 */
		if (!more && (memcmp(l, "221", 3) == 0 ||
				 memcmp(l, "421", 3) == 0))
			f->last_said = true;
		if (!f->greeted) {
			REQUIRE(memcmp(l, "220 ", 4) == 0);
			f->greeted = true;
		}
		i += len + 1;
	}
	REQUIRE(!more); /* whole replies only */
}

/* Takes what the session said into the record. */
static void
drain(struct fake *f)
{
	struct reply_buf *out = &f->s->out;

	size_t half = out->len / 2;

	REQUIRE(out->len <= sizeof(out->data));
	check_replies(f, out->data, out->len);
	log_add(&f->rec, out->data, out->len);
	/* as an edge that wrote only part of it would */
	reply_consume(out, half);
	reply_consume(out, out->len);
	REQUIRE(out->len == 0);
}

/* ---- the fake delivery ------------------------------------------------ */

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

static int
fake_begin(void *ctx, const struct envelope *env)
{
	struct fake *f = ctx;
	char line[80];

	drain(f);
	REQUIRE(!f->in_msg && !f->closed);
	REQUIRE(f->s->state == ST_RCPT);
	REQUIRE(env->nrcpt >= 1 && env->nrcpt <= f->cfg->max_recipients);
	REQUIRE(!f->cfg->max_size || env->params.size <= f->cfg->max_size);
	check_path(&env->sender, env->params.smtputf8);
	for (unsigned i = 0; i < env->nrcpt; i++)
		check_path(&env->rcpt[i], env->params.smtputf8);
	REQUIRE(strnlen(env->helo, SESSION_HELO_MAX + 1) <= SESSION_HELO_MAX);
	snprintf(line, sizeof(line), "[begin %s rcpt=%u]\n", env->id,
	    env->nrcpt);
	log_str(&f->rec, line);
	log_str(&f->rec, env->sender.addr);
	for (unsigned i = 0; i < env->nrcpt; i++)
		log_str(&f->rec, env->rcpt[i].addr);
	if (f->fail_begin > 0) {
		errno = f->fail_begin;
		return -1;
	}
	f->in_msg = true;
	f->wanted = f->fail_begin == 0;
	f->body.len = 0;
	return f->wanted ? 0 : 1;
}

static int
fake_write(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;

	drain(f);
	REQUIRE(f->in_msg && f->wanted);
	REQUIRE(len > 0);
	REQUIRE(memchr(buf, '\r', len) == NULL);
	if (f->fail_write) {
		errno = EIO;
		return -1;
	}
	log_add(&f->body, buf, len);
	log_add(&f->rec, buf, len);
	return 0;
}

static int
fake_commit(void *ctx, const struct envelope *env, char *note, size_t n)
{
	struct fake *f = ctx;
	uint64_t size = 0;

	drain(f);
	REQUIRE(f->in_msg);
	f->in_msg = false;
	for (size_t i = 0; i < f->body.len; i++)
		size += f->body.p[i] == '\n' ? 2 : 1;
	REQUIRE(!f->wanted || env->size == size);
	REQUIRE(!f->cfg->max_size || env->size <= f->cfg->max_size);
	REQUIRE(f->body.len == 0 || f->body.p[f->body.len - 1] == '\n');
	log_str(&f->rec, "[commit]\n");
	REQUIRE(n > 0);
	snprintf(note, n, "fake");
	if (f->fail_commit == -1) {
		errno = ENOSPC;
		return -1;
	}
	return f->fail_commit;
}

static void
fake_abort(void *ctx, const struct envelope *env)
{
	struct fake *f = ctx;

	(void)env;
	drain(f);
	REQUIRE(f->in_msg);
	f->in_msg = false;
	log_str(&f->rec, "[abort]\n");
}

static void
fake_event(void *ctx, enum session_event ev, const struct envelope *env,
    const char *text)
{
	struct fake *f = ctx;
	char line[32];

	(void)env;
	drain(f);
	REQUIRE(text != NULL);
	REQUIRE(!f->closed);
	if (ev == SE_CLOSE)
		f->closed = true;
	snprintf(line, sizeof(line), "[event %d]", (int)ev);
	log_str(&f->rec, line);
	log_str(&f->rec, text);
	log_str(&f->rec, "\n");
}

static const struct delivery_ops fake_ops = {
	fake_begin, fake_write, fake_commit, fake_abort, fake_event,
};

/* ---- one session ------------------------------------------------------- */

static void
play(struct fake *f, const struct session_config *cfg, const char *in,
    size_t len, int mode, uint32_t seed, bool timeout)
{
	struct session s;
	struct cutter c;
	size_t off = 0;

	f->s = &s;
	f->cfg = cfg;
	REQUIRE(session_init(&s, cfg) == 0);
	drain(f);
	REQUIRE(f->greeted);
	cutter_init(&c, seed);
	while (off < len && !session_closed(&s)) {
		size_t n = mode ? cutter_next(&c, len - off) : len - off;
		size_t done = 0;
		while (done < n && !session_closed(&s)) {
			size_t used = session_feed(&s, in + off + done, n - done);
			REQUIRE(used <= n - done);
			/* with room for replies, only closing stops it */
			REQUIRE(used > 0 || session_closed(&s));
			done += used;
			drain(f);
		}
		off += n;
	}
	if (timeout)
		session_timeout(&s);
	else
		session_eof(&s);
	drain(f);
	REQUIRE(session_closed(&s));
	REQUIRE(f->closed);
	REQUIRE(!f->in_msg);
	REQUIRE(!s.in_delivery);
	session_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 100, 1000 };
	static const unsigned rcpts[] = { 1, 2, 5, 100 };
	static const unsigned errors[] = { 0, 1, 3, 10 };
	static const int begins[] = { 0, ENOSPC, EIO, -1 };
	static const int commits[] = { 0, -1, DELIVER_PERMANENT,
		DELIVER_TEMPORARY, 0, 0, 0, 0 };
	struct session_config cfg;
	struct fake whole = { 0 }, cut = { 0 };
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
		.max_errors = errors[(data[0] >> 6) & 3],
		.local = data[0] & 1,
		.bare_lf = data[0] & 2 ? BARE_LF_REJECT : BARE_LF_NORMALIZE,
		.ops = &fake_ops,
	};
	whole.fail_begin = cut.fail_begin = begins[data[1] & 3];
	whole.fail_write = cut.fail_write = data[1] & 4;
	whole.fail_commit = cut.fail_commit = commits[(data[1] >> 3) & 7];
	timeout = data[1] & 0x80;
	n = size - 4;
	in = malloc(n ? n : 1);
	memcpy(in, data + 4, n);

	cfg.ctx = &whole;
	play(&whole, &cfg, in, n, 0, 0, timeout);
	cfg.ctx = &cut;
	play(&cut, &cfg, in, n, 1, (uint32_t)data[2] << 8 | data[3], timeout);
	REQUIRE(whole.rec.len == cut.rec.len);
	REQUIRE(memcmp(whole.rec.p, cut.rec.p, whole.rec.len) == 0);

	log_free(&whole.rec);
	log_free(&whole.body);
	log_free(&cut.rec);
	log_free(&cut.body);
	free(in);
	return 0;
}
