/*
 * chunks.c: BDAT (RFC 3030): a message in chunks of announced length.
 *
 * Invariants: every BDAT whose count can be read has its chunk consumed,
 * whether it is accepted or refused (503 before MAIL and RCPT, 502 when
 * CHUNKING is not offered, a failed begin), so the session never takes
 * message octets for commands; the reply to a BDAT comes after its chunk
 * (RFC 3030 2), a refusal of the message (552 past --max-size, 550 for a
 * bare line end under --bare-lf reject) included, and ends the
 * transaction: the chunks that follow it get 503 and are read too.  A
 * count that cannot be read (not digits, past 64 bits) gets 501 and
 * nothing is consumed, since no length is known.
 */
#include "core/internal.h"
#include "lib/fmt.h"

#define NO_REPLY (-1)

void
chunk_refuse(struct session *s, const char *arg, const char *end,
    enum reply_id id)
{
	uint64_t n;
	bool last;

	if (!bdat_parse(arg, end, &n, &last) || n == 0) {
		reply(s, id, "BDAT");
		return;
	}
	s->chunk.left = n;
	s->chunk.skip = true;
	s->chunk.after = (int)id;
	s->chunks++;
}

void
cmd_bdat(struct session *s, const char *arg, const char *end)
{
	const struct session_config *cfg = s->cfg;
	uint64_t n;
	bool last;
	int wanted;

	if (!bdat_parse(arg, end, &n, &last)) {
		reply(s, R_BDAT_SYNTAX);
		return;
	}
	s->chunks++;
	if (s->state == ST_RCPT) {
		s->env.chunked = true;
		if (!message_begin(s, &wanted)) {
			/* refused and said; the chunk is read all the same */
			s->chunk = (struct chunk){ .left = n, .skip = true,
				.after = NO_REPLY };
			return;
		}
		body_begin(&s->data.body, cfg->max_size,
		    wanted ? cfg->delivery->write : NULL, cfg->delivery_ctx);
		bdat_begin(&s->chunk, cfg->local);
		s->state = ST_CHUNKS;
	}
	s->chunk.left = n;
	s->chunk.count = n;
	s->chunk.last = last;
	s->chunk.skip = false;
	if (n == 0)
		chunk_end(s);
}

/* A chunk of the message has been read whole. */
static void
chunk_done(struct session *s)
{
	struct chunk *c = &s->chunk;
	enum reply_id bad;
	char count[24];
	int err;

	if (c->last) {
		bdat_finish(c, &s->data.body);
		message_finish(s, c->bare);
		return;
	}
	bad = message_check(s, c->bare, &err);
	if (bad) {
		s->env.size = s->data.body.size;
		s->state = ST_READY;
		message_refuse(s, bad, err);
		session_reset(s); /* the delivery is aborted */
		return;
	}
	/* --fail bdat: its reply, now that the chunk is read; the message
	 * is given up, as after any refused chunk */
	if (s->cfg->faults && fault_at(s, FP_BDAT)) {
		if (s->state != ST_CLOSED)
			s->state = ST_READY;
		session_reset(s);
		return;
	}
	count[fmt_dec(count, c->count)] = '\0';
	reply(s, R_CHUNK_OK, count);
}

void
chunk_end(struct session *s)
{
	if (!s->chunk.skip) {
		chunk_done(s);
		return;
	}
	s->chunk.skip = false;
	if (s->chunk.after != NO_REPLY)
		reply(s, (enum reply_id)s->chunk.after, "BDAT");
}
